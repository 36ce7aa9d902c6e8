/* stock_add_job: `qs stock add` as a job of the one runner (job.h, SPEC 1.6): the request
 * recorded with its outbox item (kind stock) in one transaction, handed off through the
 * stock delivery (file: writes QSM's option form), one report row per request settled. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stock_add.h"
#include "stock_job.h"
#include "../outbox.h"
#include "../sha256.h"
#include "../tm.h"
#include "../xalloc.h"

/* Whole numbers as JSON integers (already checked); the rest as text. */
static json_t *num(const char *s)
{
    long long v = 0;
    int digits = 0;
    for (; *s; s++)
        if (*s >= '0' && *s <= '9')
            v = v * 10 + (*s - '0'), digits++;
        else if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbc)
            v = v * 10 + ((unsigned char)s[2] - 0x90), s += 2, digits++;
    return json_integer(digits ? v : 0);
}

static char *payload(const struct stock_add_job *j)
{
    const struct stock_form *f = j->form;
    json_t *o = json_object(), *axes = json_array(), *rows = json_array();
    char *out;
    json_object_set_new(o, "name", json_string(j->item->name));
    json_object_set_new(o, "seller_code",
                        json_string(j->item->seller_code ? j->item->seller_code : ""));
    json_object_set_new(o, "usable", json_string(j->item->usable ? "yes" : "no"));
    json_object_set_new(o, "item_code", json_string(j->item->item_code ? j->item->item_code : ""));
    for (size_t k = 0; k < f->naxes; k++)
        json_array_append_new(axes, json_string(f->axes[k]));
    for (size_t i = 0; i < f->n; i++) {
        const struct stock_form_row *r = &f->rows[i];
        json_t *row = json_object();
        for (size_t k = 0; k < f->naxes; k++)
            json_object_set_new(row, f->axes[k], json_string(r->v[k]));
        json_object_set_new(row, "Qty", num(r->qty));
        json_object_set_new(row, "Price", num(r->price));
        json_object_set_new(row, "Currency", json_string("JPY"));
        json_object_set_new(row, "SellerCode", json_string(r->seller_sku));
        json_array_append_new(rows, row);
    }
    json_object_set_new(o, "options", json_integer((json_int_t)f->n));
    json_object_set_new(o, "form_options", axes);
    json_object_set_new(o, "form_rows", rows);
    out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return out;
}

static int id_row(sqlite3_stmt *st, void *p)
{
    *(long long *)p = sqlite3_column_int64(st, 0);
    return 1;
}

/* Records the request and queues it; the same request again (same payload) is found by
 * its key. */
static int enqueue(void *job, struct qs_err *e)
{
    struct stock_add_job *j = job;
    char *pl = payload(j), hex[65], now[32];
    long long have = 0;
    int rc, own = sqlite3_get_autocommit(store_db(j->s));
    json_t *o = json_loads(pl, 0, NULL);

    sha256_hex(pl, strlen(pl), hex);
    snprintf(j->key, sizeof j->key, "stk-%.24s", hex);
    if (own && (rc = store_begin(j->s, e)) < 0)
        goto out;
    rc = store_each(j->s, "SELECT id FROM stock_request WHERE shop = ?1 AND key = ?2", id_row,
                    &have, e, "ss", j->shop, j->key);
    if (rc >= 0 && !(j->existed = have != 0)) {
        char *axes = json_dumps(json_object_get(o, "form_options"), JSON_COMPACT);
        char *opts = json_dumps(json_object_get(o, "form_rows"), JSON_COMPACT);
        rc = store_run(j->s, e,
                       "INSERT INTO stock_request(shop, key, name, seller_code, usable, item_code,"
                       " axes, options, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                       "ssssls"
                       "sss",
                       j->shop, j->key, j->item->name,
                       j->item->seller_code ? j->item->seller_code : "", (long long)j->item->usable,
                       j->item->item_code ? j->item->item_code : "", axes, opts,
                       tm_utc_iso(j->now, now, sizeof now));
        free(axes);
        free(opts);
        if (rc == 0)
            rc = outbox_enqueue(j->s, j->shop, STOCK_KIND, j->key, pl, time(NULL), NULL, e);
    }
    rc = rc < 0 ? rc : 0;
    if (own) {
        if (rc == 0)
            rc = store_commit(j->s, e);
        else
            store_rollback(j->s);
    }
out:
    json_decref(o);
    free(pl);
    return rc;
}

static int run(void *job, struct job_counts *c, struct qs_err *e)
{
    struct stock_add_job *j = job;
    struct stock_settled *s = j->settled ? j->settled : (j->settled = xcalloc(1, sizeof *s));
    struct deliver_opts d = {
        .delivery = j->delivery,
        .retry_failed = j->retry_failed,
        .dry_run = j->dry_run,
        .csv = j->csv,
        .columns = (const char *const[]){"name", "seller_code", "usable", "item_code", "options"},
        .ncolumns = 5,
        .on_result = stock_settled_add,
        .result_ctx = s,
        .prog = j->prog,
    };
    int rc = deliver_run(j->s, j->shop, STOCK_KIND, &d, &j->rep, e);
    c->unavailable = j->rep.unavailable;
    return rc;
}

static const char *const cols[] = {"key", "name", "options", "result", "ref", "message"};

static int emit(struct stock_add_job *j, job_emit_fn fn, void *ectx, enum job_outcome oc,
                const char *key, const char *result, const char *ref, const char *msg,
                struct qs_err *e)
{
    struct rec *r = rec_new();
    char n[32];
    int rc;
    rec_set(r, "key", key);
    rec_set(r, "name", strcmp(key, j->key) == 0 ? j->item->name : "");
    snprintf(n, sizeof n, "%zu", j->form->n);
    rec_set_typed(r, "options", strcmp(key, j->key) == 0 ? n : "",
                  strcmp(key, j->key) == 0 ? REC_NUM : REC_NULL);
    rec_set(r, "result", result);
    rec_set(r, "ref", ref);
    rec_set(r, "message", msg);
    rc = fn(ectx, oc, r, e);
    rec_free(r);
    return rc;
}

static int report(void *job, job_emit_fn fn, void *ectx, struct qs_err *e)
{
    struct stock_add_job *j = job;
    struct stock_settled *s = j->settled;
    int rc = 0, seen = 0;
    for (size_t i = 0; s && i < s->n && rc >= 0; i++) {
        enum job_outcome oc = stock_settled_outcome(s->result[i]);
        seen |= strcmp(s->key[i], j->key) == 0;
        rc = emit(j, fn, ectx, oc, s->key[i], s->result[i], s->ref[i], s->msg[i], e);
    }
    if (rc >= 0 && !seen)
        rc = j->existed ? emit(j, fn, ectx, JOB_DONE, j->key, "already", "",
                               "the same request was recorded before", e)
                        : emit(j, fn, ectx, JOB_RETRY, j->key, "retry", "",
                               "queued: another run holds it, or it waits for its retry", e);
    return rc < 0 ? rc : 0;
}

static void epilogue(void *job, const char *prog, FILE *diag)
{
    struct stock_add_job *j = job;
    deliver_report_epilogue(&j->rep, "request", prog, diag);
}

const struct job_ops stock_add_job_ops = {
    .cols = cols,
    .ncols = 6,
    .enqueue = enqueue,
    .run = run,
    .report = report,
    .epilogue = epilogue,
};

void stock_add_job_clear(struct stock_add_job *j)
{
    struct stock_settled *s = j->settled;
    stock_settled_free(s);
    j->settled = NULL;
}

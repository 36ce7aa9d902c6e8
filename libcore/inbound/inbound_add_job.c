/* inbound_add_job: `qs inbound add` as a job of the one runner (job.h, SPEC 1.6): the good
 * rows recorded as one bundle in state new with its outbox item (kind inbound) in one
 * transaction, handed off through the inbound delivery (file: writes QSM's inbound form and
 * the warehouse's conditions, R-INB-2), one report row per item settled. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inbound.h"
#include "../stock/stock_job.h"
#include "../outbox.h"
#include "../sha256.h"
#include "../tm.h"
#include "../xalloc.h"

/* R-INB-2: the warehouse's conditions (seed 004: 仓库地址, 入库时的注意事项), one per line.
 * %s: the shop ID; %s: the bundle. */
static char *conditions(const char *shop_id, const char *bundle)
{
    const char *id = shop_id && *shop_id ? shop_id : "(your QSM seller ID)";
    return xasprintf(
        "[ ] register these rows in QSM (分店入库/出库管理 > Excel upload of this form), create "
        "the cargo bundle with its estimated arrival, then: qs inbound mark %s requested "
        "--cargo-no N\n"
        "[ ] ship to the warehouse: 〒273-0017 千葉県船橋市西浦3-4-2 (W05バース) Qxpress Corp "
        "株式会社 入荷係, TEL 050-3189-7050 (3-4-2 (W05 Berth) Nishiura Funabashi-shi, Chiba "
        "273-0017, QXPRESS QWMSTeam)\n"
        "[ ] no cash on delivery (着払い): the shipping to the warehouse is the shop's, and "
        "goods with charges to pay are refused\n"
        "[ ] pack by product kind: the warehouse cannot tell kinds apart and may refuse mixed "
        "boxes\n"
        "[ ] write the shop ID %s and the cargo bundle number on every box (qs stock labels "
        "--bundle %s)\n"
        "[ ] large or bulky inbounds: write to Qxpress first (qfs@qxpress.jp: shop ID, item "
        "code, Q-inventory code, quantity, size), else the goods may be refused\n"
        "[ ] the Q-site balance covers the inbound and labelling fees (qs stock tariff)",
        bundle, id, bundle);
}

static json_t *form_rows(const struct inbound_form *f, size_t *rows, long long *units)
{
    json_t *a = json_array();
    *rows = 0;
    *units = 0;
    for (size_t i = 0; i < f->n; i++) {
        const struct inbound_row *r = &f->rows[i];
        if (r->bad)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "SellerCode", json_string(r->cell[INB_SELLER_CODE]));
        json_object_set_new(o, "InventoryCode", json_stringn(r->q_sku, STOCK_QCODE_LEN));
        json_object_set_new(o, "InventoryOptionCode", json_string(r->q_sku + STOCK_QCODE_LEN + 1));
        json_object_set_new(o, "InOut", json_string("in"));
        json_object_set_new(o, "MovingQty", json_integer(r->qty));
        json_object_set_new(o, "BranchCode", json_string(r->branch));
        json_object_set_new(o, "Description", json_string(r->cell[INB_DESCRIPTION]));
        json_array_append_new(a, o);
        (*rows)++;
        *units += r->qty;
    }
    return a;
}

static int key_row(sqlite3_stmt *st, void *p)
{
    struct inbound_add_job *j = p;
    j->bundle = sqlite3_column_int64(st, 0);
    snprintf(j->key, sizeof j->key, "%s", store_col_text(st, 1));
    return 1;
}

static int record(struct inbound_add_job *j, json_t *rows, const char *hash, size_t n,
                  long long units, struct qs_err *e)
{
    char now[32], name[24], *cond, *pl;
    json_t *o;
    int rc;

    tm_utc_iso(j->now, now, sizeof now);
    rc = store_run(j->s, e,
                   "INSERT INTO inbound_bundle(shop, key, rows_hash, state, arrival, created_at,"
                   " state_at) VALUES (?1, ?2, ?3, 'new', ?4, ?5, ?5)",
                   "sssss", j->shop, hash, hash, j->arrival ? j->arrival : "", now);
    if (rc < 0)
        return rc;
    j->bundle = sqlite3_last_insert_rowid(store_db(j->s));
    snprintf(j->key, sizeof j->key, "inb-%.24s-B%lld", hash, j->bundle);
    snprintf(name, sizeof name, "B%lld", j->bundle);
    if ((rc = store_run(j->s, e, "UPDATE inbound_bundle SET key = ?2 WHERE id = ?1", "ls",
                        j->bundle, j->key)) < 0 ||
        (rc = store_run(j->s, e,
                        "INSERT INTO inbound_event(bundle, state, at, detail)"
                        " VALUES (?1, 'new', ?2, ?3)",
                        "lss", j->bundle, now, j->form->input)) < 0)
        return rc;
    for (size_t i = 0; i < j->form->n && rc == 0; i++) {
        const struct inbound_row *r = &j->form->rows[i];
        if (!r->bad)
            rc = store_run(j->s, e,
                           "INSERT INTO inbound_row(bundle, line, q_sku, seller_code, qty,"
                           " description) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           "llssls", j->bundle, (long long)r->line, r->q_sku,
                           r->cell[INB_SELLER_CODE], r->qty, r->cell[INB_DESCRIPTION]);
    }
    if (rc < 0)
        return rc;
    cond = conditions(j->shop_id, name);
    o = json_object();
    json_object_set_new(o, "bundle", json_string(name));
    json_object_set_new(o, "shop_id", json_string(j->shop_id ? j->shop_id : ""));
    json_object_set_new(o, "arrival", json_string(j->arrival ? j->arrival : ""));
    json_object_set_new(o, "rows", json_integer((json_int_t)n));
    json_object_set_new(o, "units", json_integer(units));
    json_object_set_new(o, "conditions", json_string(cond));
    json_object_set(o, "form_rows", rows);
    pl = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    rc = outbox_enqueue(j->s, j->shop, INBOUND_KIND, j->key, pl, j->now, NULL, e);
    free(pl);
    free(cond);
    json_decref(o);
    return rc < 0 ? rc : 0;
}

/* Records the bundle and queues it; the same rows while their bundle is open are found by
 * their hash. */
static int enqueue(void *job, struct qs_err *e)
{
    struct inbound_add_job *j = job;
    size_t n;
    long long units;
    json_t *rows = form_rows(j->form, &n, &units);
    char *text = json_dumps(rows, JSON_COMPACT | JSON_PRESERVE_ORDER), hash[65];
    int rc = 0, own = sqlite3_get_autocommit(store_db(j->s));

    sha256_hex(text, strlen(text), hash);
    if (!n)
        goto done; /* --skip-bad and every row bad: nothing to hand off */
    if (own && (rc = store_begin(j->s, e)) < 0)
        goto done;
    rc = store_each(j->s,
                    "SELECT id, key FROM inbound_bundle WHERE shop = ?1 AND rows_hash = ?2"
                    " AND state NOT IN ('completed', 'rejected', 'deleted')",
                    key_row, j, e, "ss", j->shop, hash);
    if (rc >= 0 && !(j->existed = j->bundle != 0))
        rc = record(j, rows, hash, n, units, e);
    rc = rc < 0 ? rc : 0;
    if (own) {
        if (rc == 0)
            rc = store_commit(j->s, e);
        else
            store_rollback(j->s);
    }
done:
    free(text);
    json_decref(rows);
    return rc;
}

static const char *const deliver_cols[] = {"bundle", "rows", "units", "arrival", "shop_id"};
static const char *const deliver_shared[] = {"conditions"};

static int run(void *job, struct job_counts *c, struct qs_err *e)
{
    struct inbound_add_job *j = job;
    struct stock_settled *s = j->settled ? j->settled : (j->settled = xcalloc(1, sizeof *s));
    struct deliver_opts d = {
        .retry_failed = j->retry_failed,
        .dry_run = j->dry_run,
        .csv = j->csv,
        .columns = deliver_cols,
        .ncolumns = 5,
        .shared = deliver_shared,
        .nshared = 1,
        .on_result = stock_settled_add,
        .result_ctx = s,
        .prog = j->prog,
    };
    int rc = deliver_run(j->s, j->shop, INBOUND_KIND, &d, &j->rep, e);
    c->unavailable = j->rep.unavailable;
    return rc;
}

static const char *const cols[] = {"bundle", "key", "result", "ref", "message"};

/* "B12" from a key inb-HASH-B12. */
static const char *bundle_of(const char *key)
{
    const char *b = strrchr(key, '-');
    return b ? b + 1 : "";
}

static int emit(job_emit_fn fn, void *ectx, enum job_outcome oc, const char *key,
                const char *result, const char *ref, const char *msg, struct qs_err *e)
{
    struct rec *r = rec_new();
    int rc;
    rec_set(r, "bundle", bundle_of(key));
    rec_set(r, "key", key);
    rec_set(r, "result", result);
    rec_set(r, "ref", ref);
    rec_set(r, "message", msg);
    rc = fn(ectx, oc, r, e);
    rec_free(r);
    return rc;
}

static int report(void *job, job_emit_fn fn, void *ectx, struct qs_err *e)
{
    struct inbound_add_job *j = job;
    struct stock_settled *s = j->settled;
    int rc = 0, seen = 0;
    for (size_t i = 0; s && i < s->n && rc >= 0; i++) {
        seen |= strcmp(s->key[i], j->key) == 0;
        rc = emit(fn, ectx, stock_settled_outcome(s->result[i]), s->key[i], s->result[i], s->ref[i],
                  s->msg[i], e);
    }
    if (rc >= 0 && !seen && j->key[0])
        rc = j->existed ? emit(fn, ectx, JOB_DONE, j->key, "already", "",
                               "the same rows are an open bundle already", e)
                        : emit(fn, ectx, JOB_RETRY, j->key, "retry", "",
                               "queued: another run holds it, or it waits for its retry", e);
    for (size_t i = 0; j->form && i < j->form->n && rc >= 0; i++) {
        const struct inbound_row *r = &j->form->rows[i];
        char line[32], msg[600];
        if (!r->bad)
            continue;
        snprintf(line, sizeof line, "line %ld", r->line);
        snprintf(msg, sizeof msg, "%s (%s)", r->why, r->rule);
        struct rec *x = rec_new();
        rec_set(x, "bundle", "");
        rec_set(x, "key", line);
        rec_set(x, "result", "rejected");
        rec_set(x, "ref", "");
        rec_set(x, "message", msg);
        rc = fn(ectx, JOB_REJECTED, x, e);
        rec_free(x);
    }
    return rc < 0 ? rc : 0;
}

static void epilogue(void *job, const char *prog, FILE *diag)
{
    struct inbound_add_job *j = job;
    deliver_report_epilogue(&j->rep, "inbound request", prog, diag);
}

const struct job_ops inbound_add_job_ops = {
    .cols = cols,
    .ncols = 5,
    .enqueue = enqueue,
    .run = run,
    .report = report,
    .epilogue = epilogue,
};

void inbound_add_job_clear(struct inbound_add_job *j)
{
    stock_settled_free(j->settled);
    j->settled = NULL;
}

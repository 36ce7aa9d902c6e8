/* inbound_ship_job: `qs inbound ship` as a job of the one runner (job.h, SPEC 1.6): the good
 * rows registered with one outbox item each (kind inbound-ship, keyed by the reference order
 * number: exactly once per reference) in one transaction, handed off through the shop's
 * inbound-ship delivery (file: QSM's other-platform form; hook: one request per row), one
 * report row per input row. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../afile.h"
#include "../outbox.h"
#include "../stock/stock_job.h"
#include "../tm.h"
#include "../xalloc.h"
#include "inbound_ship.h"

#define RULE "R-INB-6"

static char *payload(const struct inbound_ship_row *r)
{
    json_t *o = json_object(), *rows = json_array(), *row = json_object();
    char day[16], *out;
    inbound_day_format(r->ship_day, day, sizeof day);
    for (int c = 0; c < ISC_NFORM; c++)
        json_object_set_new(row, inbound_ship_cols[c],
                            c == ISC_REF_PRICE || c == ISC_QTY
                                ? json_integer(strtoll(r->v[c], NULL, 10))
                                : json_string(r->v[c]));
    json_array_append_new(rows, row);
    json_object_set_new(o, "ref_order_no", json_string(r->v[ISC_REF_ORDER_NO]));
    json_object_set_new(o, "q_sku", json_string(r->v[ISC_Q_SKU]));
    json_object_set_new(o, "qty", json_integer(strtoll(r->v[ISC_QTY], NULL, 10)));
    json_object_set_new(o, "ship_date", json_string(day));
    json_object_set_new(o, "may_be_late", json_string(r->may_be_late ? "yes" : ""));
    json_object_set_new(o, "memo", json_string(r->v[ISC_MEMO]));
    json_object_set_new(o, "form_rows", rows);
    out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return out;
}

static int digest_row(sqlite3_stmt *st, void *p)
{
    snprintf(p, 65, "%s", store_col_text(st, 0));
    return 1;
}

/* Registers the good rows and queues them, all or nothing. */
static int enqueue(void *job, struct qs_err *e)
{
    struct inbound_ship_job *j = job;
    char at[32], day[16];
    int rc = 0, own = sqlite3_get_autocommit(store_db(j->s));

    tm_utc_iso(j->now, at, sizeof at);
    if (own && (rc = store_begin(j->s, e)) < 0)
        return rc;
    for (size_t i = 0; i < j->set->n && rc >= 0; i++) {
        struct inbound_ship_row *r = &j->set->rows[i];
        char *pl, hex[65], have[65] = "";
        if (*r->reason || r->queued)
            continue;
        pl = payload(r);
        inbound_ship_digest(r, hex);
        inbound_day_format(r->ship_day, day, sizeof day);
        rc = store_run(j->s, e,
                       "INSERT OR IGNORE INTO inbound_ship_ref (shop, ref_order_no, seq, key,"
                       " digest, q_sku, qty, ship_day, registered_at)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                       "ssisssls"
                       "s",
                       j->shop, r->v[ISC_REF_ORDER_NO], r->seq, r->key, hex, r->v[ISC_Q_SKU],
                       strtoll(r->v[ISC_QTY], NULL, 10), day, at);
        if (rc == 0 && store_changes(j->s) == 0) {
            /* another run registered it meanwhile: the same row is the same item */
            rc = store_each(j->s,
                            "SELECT digest FROM inbound_ship_ref WHERE shop = ?1 AND"
                            " ref_order_no = ?2 AND seq = ?3",
                            digest_row, have, e, "ssi", j->shop, r->v[ISC_REF_ORDER_NO], r->seq);
            if (rc >= 0 && strcmp(have, hex) != 0) {
                err_at_sheet(e, j->set->input, j->set->sheet, r->line, 0);
                err_record(e, r->v[ISC_REF_ORDER_NO]);
                rc = err_set(e, QS_E_DATA, RULE,
                             "reference order number %s was registered by another run just "
                             "now; nothing registered",
                             r->v[ISC_REF_ORDER_NO]);
            }
            r->queued = rc >= 0;
        }
        if (rc >= 0)
            rc = outbox_enqueue(j->s, j->shop, INBOUND_SHIP_KIND, r->key, pl, time(NULL), NULL, e);
        free(pl);
    }
    rc = rc < 0 ? rc : 0;
    if (own) {
        if (rc == 0)
            rc = store_commit(j->s, e);
        else
            store_rollback(j->s);
    }
    return rc;
}

/* The rejected rows are final whatever the sending does: the rejects file is written. */
static int queued(void *job, struct qs_err *e)
{
    struct inbound_ship_job *j = job;
    struct rec_writer_opts wo = {.fmt = REC_CSV, .enc = REC_ENC_UTF8};
    const char *cols[ISC_N + 2];
    struct rec_writer *w = NULL;
    struct rec *r;
    struct afile *a = j->rej;
    char line[24];
    int rc;
    if (!a || !j->rejected)
        return 0;
    j->rej = NULL;
    cols[0] = "line";
    for (int c = 0; c < ISC_N; c++)
        cols[c + 1] = inbound_ship_cols[c];
    cols[ISC_N + 1] = "reason";
    if ((rc = rec_writer_open(afile_fp(a), &wo, cols, ISC_N + 2, &w, e)) < 0) {
        afile_abort(a);
        return rc;
    }
    r = rec_new();
    for (size_t i = 0; i < j->set->n && rc >= 0; i++) {
        const struct inbound_ship_row *row = &j->set->rows[i];
        if (!*row->reason)
            continue;
        rec_clear(r);
        snprintf(line, sizeof line, "%ld", row->line);
        rec_set(r, "line", line);
        for (int c = 0; c < ISC_N; c++)
            rec_set(r, inbound_ship_cols[c], row->v[c]);
        rec_set(r, "reason", row->reason);
        rc = rec_write(w, r, e);
    }
    rec_free(r);
    if (rc >= 0)
        rc = rec_writer_close(w, e);
    else
        rec_writer_close(w, NULL);
    if (rc < 0) {
        afile_abort(a);
        return rc;
    }
    return afile_commit(a, e);
}

static int run(void *job, struct job_counts *c, struct qs_err *e)
{
    struct inbound_ship_job *j = job;
    struct stock_settled *s = j->settled ? j->settled : (j->settled = xcalloc(1, sizeof *s));
    static const char *const columns[] = {"ref_order_no", "q_sku",       "qty",
                                          "ship_date",    "may_be_late", "memo"};
    struct deliver_opts d = {
        .delivery = j->delivery,
        .retry_failed = j->retry_failed,
        .dry_run = j->dry_run,
        .csv = j->csv,
        .merge_forms = 1, /* one bulk form of all the rows handed off together */
        .columns = columns,
        .ncolumns = sizeof columns / sizeof columns[0],
        .on_result = stock_settled_add,
        .result_ctx = s,
        .prog = j->prog,
    };
    int rc = deliver_run(j->s, j->shop, INBOUND_SHIP_KIND, &d, &j->rep, e);
    c->unavailable = j->rep.unavailable;
    return rc;
}

static const char *const cols[] = {"line",        "ref_order_no", "q_sku", "qty",    "ship_date",
                                   "may_be_late", "result",       "ref",   "message"};
#define NCOLS (sizeof cols / sizeof cols[0])

static int emit(job_emit_fn fn, void *ectx, enum job_outcome oc, long line, const char *ref_no,
                const char *q_sku, const char *qty, const char *ship, const char *late,
                const char *result, const char *ref, const char *msg, struct qs_err *e)
{
    struct rec *r = rec_new();
    char l[24];
    int rc;
    snprintf(l, sizeof l, "%ld", line);
    rec_set_typed(r, "line", line ? l : "", line ? REC_NUM : REC_NULL);
    rec_set(r, "ref_order_no", ref_no);
    rec_set(r, "q_sku", q_sku);
    rec_set_typed(r, "qty", qty, *qty ? REC_NUM : REC_NULL);
    rec_set(r, "ship_date", ship);
    rec_set(r, "may_be_late", late);
    rec_set(r, "result", result);
    rec_set(r, "ref", ref);
    rec_set(r, "message", msg);
    rc = fn(ectx, oc, r, e);
    rec_free(r);
    return rc;
}

static const char *pl_text(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int report(void *job, job_emit_fn fn, void *ectx, struct qs_err *e)
{
    struct inbound_ship_job *j = job;
    struct stock_settled *s = j->settled;
    char *used = s && s->n ? xcalloc(s->n, 1) : NULL;
    int rc = 0;
    for (size_t i = 0; i < j->set->n && rc >= 0; i++) {
        const struct inbound_ship_row *r = &j->set->rows[i];
        char day[16] = "", msg[1400];
        const char *late = r->may_be_late ? "yes" : "";
        size_t k = s ? s->n : 0;
        if (r->ship_day != INBOUND_NO_DAY)
            inbound_day_format(r->ship_day, day, sizeof day);
        if (*r->reason) {
            rc = emit(fn, ectx, JOB_REJECTED, r->line, r->v[ISC_REF_ORDER_NO], r->v[ISC_Q_SKU],
                      r->v[ISC_QTY], day, late, "rejected", "", r->reason, e);
            continue;
        }
        for (size_t m = 0; s && m < s->n; m++)
            if (!used[m] && strcmp(s->key[m], r->key) == 0) {
                k = m;
                break;
            }
        snprintf(msg, sizeof msg, "%s%s%s", r->may_be_late ? "may be late: " : "",
                 r->may_be_late ? r->late_why : "", s && k < s->n && *s->msg[k] ? s->msg[k] : "");
        if (s && k < s->n) {
            used[k] = 1;
            rc =
                emit(fn, ectx, stock_settled_outcome(s->result[k]), r->line, r->v[ISC_REF_ORDER_NO],
                     r->v[ISC_Q_SKU], r->v[ISC_QTY], day, late, s->result[k], s->ref[k], msg, e);
        } else
            rc = emit(fn, ectx, JOB_RETRY, r->line, r->v[ISC_REF_ORDER_NO], r->v[ISC_Q_SKU],
                      r->v[ISC_QTY], day, late, "retry", "",
                      "queued: another run holds it, or it waits for its retry", e);
    }
    /* earlier rows this run delivered too */
    for (size_t m = 0; s && m < s->n && rc >= 0; m++) {
        json_t *o;
        char qty[32] = "";
        if (used[m])
            continue;
        o = json_loads(s->payload[m], 0, NULL);
        if (json_is_integer(json_object_get(o, "qty")))
            snprintf(qty, sizeof qty, "%lld",
                     (long long)json_integer_value(json_object_get(o, "qty")));
        rc = emit(fn, ectx, stock_settled_outcome(s->result[m]), 0, pl_text(o, "ref_order_no"),
                  pl_text(o, "q_sku"), qty, pl_text(o, "ship_date"), pl_text(o, "may_be_late"),
                  s->result[m], s->ref[m], s->msg[m], e);
        json_decref(o);
    }
    free(used);
    return rc < 0 ? rc : 0;
}

static void epilogue(void *job, const char *prog, FILE *diag)
{
    struct inbound_ship_job *j = job;
    deliver_report_epilogue(&j->rep, "shipment", prog, diag);
}

const struct job_ops inbound_ship_job_ops = {
    .cols = cols,
    .ncols = NCOLS,
    .enqueue = enqueue,
    .queued = queued,
    .run = run,
    .report = report,
    .epilogue = epilogue,
};

void inbound_ship_job_clear(struct inbound_ship_job *j)
{
    stock_settled_free(j->settled);
    j->settled = NULL;
    afile_abort(j->rej);
    j->rej = NULL;
}

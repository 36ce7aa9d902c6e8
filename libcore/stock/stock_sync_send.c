/* stock_sync_send: the queued quantities sent, each exactly once (R-STK-7, SPEC 1.6): the
 * client never resends a write by itself; an item that may have reached the marketplace
 * (no answer, or claimed by a run that died) is read back first and sent again only while
 * the marketplace still shows the quantity it was planned from; then the job's report. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "stock_sync_int.h"
#include "../outbox.h"
#include "../tm.h"
#include "../xalloc.h"

#define RULE           "R-STK-7"
#define SENDS_PER_ITEM 3 /* sends of one item in one run, each after a read showed none */
#define CLAIM_BATCH    50

/* The run's sending state; what became of each item it claimed is kept in
 * temp.stock_sync_done (stock_sync_rows.c), not in memory (SPEC 8). */
struct stock_sync_sent {
    struct stock_sync_job *j;
    struct job_counts *c;
    int rc; /* the first failure to record a result */
};

static void result(struct stock_sync_sent *s, const struct outbox_item *it, enum job_outcome oc,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void result(struct stock_sync_sent *s, const struct outbox_item *it, enum job_outcome oc,
                   const char *fmt, ...)
{
    char buf[512];
    struct qs_err e;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    err_clear(&e);
    if (stock_sync_done_add(s->j, it->key, oc, buf, it->payload ? it->payload : "{}", &e) < 0 &&
        s->rc == 0)
        s->rc = e.code ? e.code : QS_E_IO;
}

static const char *pget(const json_t *pl, const char *k)
{
    const char *v = json_string_value(json_object_get(pl, k));
    return v ? v : "";
}

/* Done: the outbox item and stock_push in one transaction. */
static int settle_done(struct stock_sync_sent *s, const struct outbox_item *it, const json_t *pl,
                       struct qs_err *e)
{
    struct store *st = s->j->s;
    char now[32];
    int own = sqlite3_get_autocommit(store_db(st)), rc;
    tm_utc_iso(time(NULL), now, sizeof now);
    if (own && (rc = store_begin(st, e)) < 0)
        return rc;
    if ((rc = outbox_done(st, it->id, NULL, e)) == 0)
        rc = store_run(st, e,
                       "INSERT INTO stock_push (shop, item_code, option, qty, set_at, outbox_id)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (shop, item_code, option)"
                       " DO UPDATE SET qty = excluded.qty, set_at = excluded.set_at,"
                       " outbox_id = excluded.outbox_id"
                       " WHERE excluded.outbox_id > stock_push.outbox_id",
                       "ssslsl", s->j->shop, pget(pl, "item_code"), pget(pl, "option"),
                       (long long)json_integer_value(json_object_get(pl, "target")), now,
                       (long long)it->id);
    if (own) {
        if (rc == 0)
            rc = store_commit(st, e);
        else
            store_rollback(st);
    }
    return rc;
}

/* One write of the item's quantity; the client sends it again only when it surely never
 * left (R-SYN-7): a lost answer is read back by the caller before a resend. */
static int write_qty(struct stock_sync_sent *s, const json_t *pl, const struct stock_sync_market *m,
                     struct qapi_result *r, struct qs_err *e)
{
    struct qapi *q = s->j->q;
    int rc;
    char qty[32];
    const char *item = pget(pl, "item_code"), *opt = pget(pl, "option");
    snprintf(qty, sizeof qty, "%lld", (long long)json_integer_value(json_object_get(pl, "target")));
    if (*opt) {
        const struct qapi_param p[] = {{"ItemCode", item},
                                       {"SellerCode", ""},
                                       {"OptionName", pget(pl, "option_name")},
                                       {"OptionValue", pget(pl, "option_value")},
                                       {"OptionCode", opt},
                                       {"Qty", qty}};
        rc = qapi_call(q, "ItemsOptions.UpdateInventoryQtyUnit", p, 6, item, r, e);
    } else {
        /* Reference 3.3: the call sets price and quantity; the current price, expiry and
         * tax rate go with it (an empty ExpireDate resets the end date). */
        const struct qapi_param p[] = {
            {"ItemCode", item},
            {"SellerCode", m && m->seller_code ? m->seller_code : pget(pl, "seller_code")},
            {"Price", m && m->price ? m->price : pget(pl, "price")},
            {"Qty", qty},
            {"ExpireDate", m && m->expire ? m->expire : pget(pl, "expire")},
            {"TaxRate", m && m->tax ? m->tax : pget(pl, "tax")}};
        rc = qapi_call(q, "ItemsOrder.SetGoodsPriceQty", p, 6, item, r, e);
    }
    return rc;
}

/* Reads the item back. Returns its quantity, or -1 (why in e). */
static long long read_back(struct stock_sync_sent *s, const json_t *pl, struct stock_sync_market *m,
                           struct qs_err *e)
{
    const char *opt = pget(pl, "option");
    stock_sync_market_clear(m);
    if (stock_sync_read(s->j->q, pget(pl, "item_code"), !*opt, *opt != '\0', m, e) < 0)
        return -1;
    long long q = stock_sync_market_qty(m, opt);
    if (q < 0)
        err_set(e, QS_E_FAIL, RULE, "the marketplace no longer shows %s%s%s", pget(pl, "item_code"),
                *opt ? " option " : "", opt);
    return q;
}

/* Leaves the claimed item to be read back by a later run. */
static int later(struct stock_sync_sent *s, const struct outbox_item *it, const char *why,
                 struct qs_err *e)
{
    result(s, it, JOB_RETRY, "%s; read back before it is sent again", why);
    return outbox_fail(s->j->s, it->id, why, 1, s->j->o.now, e);
}

static int one(struct stock_sync_sent *s, const struct outbox_item *it, struct qs_err *e)
{
    json_t *pl = json_loads(it->payload ? it->payload : "{}", 0, NULL);
    long long target = json_integer_value(json_object_get(pl, "target")),
              from = json_integer_value(json_object_get(pl, "from")), now_qty = -1;
    int fresh = it->attempts <= 1 && strcmp(pget(pl, "run"), s->j->run) == 0, rc = 0;
    struct stock_sync_market m = {0};
    struct qs_err re;

    err_clear(&re);
    /* Not planned by this run, or tried before: read before anything is sent. */
    if (!fresh) {
        if ((now_qty = read_back(s, pl, &m, &re)) < 0) {
            rc = later(s, it, re.msg, e);
            goto out;
        }
        if (now_qty == target) {
            result(s, it, JOB_DONE, "the marketplace shows %lld already", target);
            rc = settle_done(s, it, pl, e);
            goto out;
        }
        if (now_qty != from)
            goto moved;
    }
    for (int send = 1;; send++) {
        struct qapi_result r;
        rc = write_qty(s, pl, fresh && send == 1 ? NULL : &m, &r, &re);
        qapi_result_free(&r);
        if (rc == 0) {
            result(s, it, JOB_SENT, "%lld -> %lld", from, target);
            rc = settle_done(s, it, pl, e);
            goto out;
        }
        if (rc == QS_E_FAIL) {
            result(s, it, JOB_FAILED, "%s", re.msg);
            rc = outbox_fail(s->j->s, it->id, re.msg, 0, s->j->o.now, e);
            goto out;
        }
        if (rc != QS_E_TEMP && rc != QS_E_UNAVAILABLE) {
            err_set(e, rc, re.rule, "%s", re.msg);
            goto out; /* the store, or a bug: left in flight, read back next run */
        }
        /* No answer: it may have arrived. Read before anything else. */
        err_clear(&re);
        if ((now_qty = read_back(s, pl, &m, &re)) < 0) {
            rc = later(s, it, "no answer, and the read back failed", e);
            goto out;
        }
        if (now_qty == target) {
            result(s, it, JOB_SENT, "%lld -> %lld (the answer was lost; read back)", from, target);
            rc = settle_done(s, it, pl, e);
            goto out;
        }
        if (now_qty != from)
            goto moved;
        if (send == SENDS_PER_ITEM) {
            rc = later(s, it, "no answer, and the marketplace shows it did not arrive", e);
            goto out;
        }
    }
moved:
    /* The marketplace moved since the plan: sending would undo what it did. */
    result(s, it, JOB_SKIPPED,
           "the marketplace shows %lld, not the %lld this was planned from; nothing sent: run "
           "qs stock sync again (%s)",
           now_qty, from, RULE);
    if ((rc = outbox_fail(s->j->s, it->id, "moved since planned", 1, s->j->o.now, e)) == 0)
        rc = outbox_withdraw(s->j->s, it->id, "the marketplace moved since it was planned", e);
    rc = rc < 0 ? rc : 0;
out:
    stock_sync_market_clear(&m);
    json_decref(pl);
    return rc;
}

/* Whatever a dead run left in flight is sent again only after a read (one()). */
static enum outbox_recon recon(const struct outbox_item *it, char **ref, void *ctx)
{
    (void)it;
    (void)ref;
    (void)ctx;
    return OUTBOX_RECON_NOT_SENT;
}

static int run(void *job, struct job_counts *c, struct qs_err *e)
{
    struct stock_sync_job *j = job;
    struct stock_sync_sent *s = j->sent;
    int rc = 0;
    s->c = c;
    c->unavailable = 0;
    for (;;) {
        struct outbox_item *items = NULL;
        size_t n = 0;
        struct outbox_claim_opts co = {.shop = j->shop,
                                       .kind = STOCK_QTY_KIND,
                                       .max = CLAIM_BATCH,
                                       .retry_failed = j->o.retry_failed,
                                       .now = j->o.now};
        if ((rc = outbox_claim(j->s, &co, &items, &n, e)) < 0 || n == 0) {
            outbox_items_free(items, n);
            break;
        }
        for (size_t i = 0; i < n && rc >= 0; i++)
            if ((rc = one(s, &items[i], e)) >= 0 && s->rc < 0)
                rc = err_set(e, s->rc, RULE, "could not record a result of this run");
        outbox_items_free(items, n);
        if (rc < 0)
            break;
    }
    return rc;
}

static int enqueue(void *job, struct qs_err *e)
{
    struct stock_sync_job *j = job;
    int rc;
    j->sent = xcalloc(1, sizeof *j->sent);
    j->sent->j = j;
    if (!j->o.dry_run &&
        (rc = outbox_recover(j->s, j->shop, STOCK_QTY_KIND, recon, NULL, NULL, e)) < 0)
        return rc;
    return stock_sync_plan(j, e);
}

/* ---- the report ---- */

static const char *const cols[] = {"item_code", "option", "q_sku",  "available",
                                   "target",    "market", "result", "message"};

static const char *word(enum job_outcome oc)
{
    static const char *const w[JOB_NOUTCOMES] = {
        [JOB_SENT] = "ok",           [JOB_DONE] = "already",    [JOB_FAILED] = "failed",
        [JOB_RETRY] = "retry",       [JOB_UNKNOWN] = "unknown", [JOB_HANDED_OFF] = "handed-off",
        [JOB_REJECTED] = "rejected", [JOB_SKIPPED] = "skipped", [JOB_LOCAL] = "local"};
    return w[oc];
}

static void num(struct rec *r, const char *k, long long v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", v);
    if (v < 0)
        rec_set_typed(r, k, "", REC_NULL);
    else
        rec_set_typed(r, k, b, REC_NUM);
}

static int emit(job_emit_fn fn, void *ectx, const struct stock_sync_row *w, enum job_outcome oc,
                const char *msg, struct qs_err *e)
{
    struct rec *r = rec_new();
    rec_set(r, "item_code", w->item_code);
    rec_set(r, "option", w->option);
    rec_set(r, "q_sku", w->q_sku);
    num(r, "available", w->available);
    num(r, "target", w->target);
    num(r, "market", w->market);
    rec_set(r, "result", word(oc));
    rec_set(r, "message", msg);
    int rc = fn(ectx, oc, r, e);
    rec_free(r);
    return rc;
}

/* A queued row this run did not send: what the outbox says of it. */
static enum job_outcome elsewhere(struct stock_sync_job *j, const char *key, const char **msg)
{
    char state[16];
    struct qs_err e;
    err_clear(&e);
    stock_sync_state(j, key, state, &e);
    if (strcmp(state, "done") == 0)
        return *msg = "set by another run", JOB_DONE;
    if (strcmp(state, "claimed") == 0)
        return *msg = "another run is sending it", JOB_SKIPPED;
    if (strcmp(state, "unknown") == 0)
        return *msg = "may have reached the marketplace (SPEC 1.6)", JOB_UNKNOWN;
    if (strcmp(state, "withdrawn") == 0)
        return *msg = "taken back: superseded", JOB_SKIPPED;
    return *msg = "queued: waits for its retry (--retry-failed sends it now)", JOB_RETRY;
}

struct rep {
    job_emit_fn fn;
    void *ectx;
    struct qs_err *e;
};

static int report_link(struct stock_sync_job *j, const struct stock_sync_link *l, void *ctx)
{
    struct rep *x = ctx;
    const struct stock_sync_row *w = &l->row;
    const char *msg = w->message;
    enum job_outcome oc = w->outcome;
    char *mine = NULL;
    int rc = 0;
    if (*w->key) {
        if ((rc = stock_sync_done_take(j, w->key, &oc, &mine, x->e)) < 0)
            return rc;
        if (rc == 1)
            msg = mine;
        else
            oc = elsewhere(j, w->key, &msg);
    }
    rc = emit(x->fn, x->ectx, w, oc, msg, x->e);
    free(mine);
    return rc < 0 ? rc : 0;
}

/* Items of earlier runs this run sent. */
static int report_rest(enum job_outcome oc, const char *message, const char *payload, void *ctx)
{
    struct rep *x = ctx;
    json_t *pl = json_loads(payload, 0, NULL);
    struct stock_sync_row w = {.item_code = (char *)pget(pl, "item_code"),
                               .option = (char *)pget(pl, "option"),
                               .q_sku = (char *)pget(pl, "q_sku"),
                               .available = -1,
                               .target = json_integer_value(json_object_get(pl, "target")),
                               .market = -1};
    int rc = emit(x->fn, x->ectx, &w, oc, message, x->e);
    json_decref(pl);
    return rc < 0 ? rc : 0;
}

static int report(void *job, job_emit_fn fn, void *ectx, struct qs_err *e)
{
    struct stock_sync_job *j = job;
    struct rep x = {fn, ectx, e};
    /* One transaction for the pass: one snapshot of the outbox, and one commit of the
     * TEMP table's marks instead of one per link. */
    int own = sqlite3_get_autocommit(store_db(j->s)), rc = 0, c;
    if ((rc = stock_sync_tab_flush(j, e)) < 0 || (own && (rc = store_exec(j->s, "BEGIN", e)) < 0))
        return rc;
    rc = stock_sync_tab_each(j, report_link, &x, e);
    if (rc >= 0)
        rc = stock_sync_done_rest(j, report_rest, &x, e);
    if (own && rc < 0)
        store_rollback(j->s);
    else if (own && (c = store_commit(j->s, e)) < 0)
        rc = c;
    return rc;
}

static void epilogue(void *job, const char *prog, FILE *diag)
{
    struct stock_sync_job *j = job;
    long long drift, shared;
    stock_sync_tab_counts(j, &drift, &shared);
    if (drift)
        fprintf(diag, "%s: %lld link%s drifted since qs set them: nothing sent for %s (%s)\n", prog,
                drift, drift == 1 ? "" : "s", drift == 1 ? "it" : "them", RULE);
    if (shared)
        fprintf(diag,
                "%s: %lld link%s of SKUs linked to several items skipped: --shared splits "
                "them (%s)\n",
                prog, shared, shared == 1 ? "" : "s", RULE);
}

const struct job_ops stock_sync_job_ops = {
    .cols = cols,
    .ncols = sizeof cols / sizeof cols[0],
    .enqueue = enqueue,
    .run = run,
    .report = report,
    .epilogue = epilogue,
};

void stock_sync_job_clear(struct stock_sync_job *j)
{
    stock_sync_tab_close(j);
    free(j->sent);
    j->nrows = 0;
    j->sent = NULL;
}

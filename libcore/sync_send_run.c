/* sync_send_run: sending what `qs sync ship` and `qs sync confirm` queued, exactly once
 * per order line (R-SYN-1b, SPEC 1.6). An item that may have reached the marketplace
 * before (left in flight by a dead run, or sent without an answer) is sent again only
 * after a read shows it did not: GetShippingInfo_v3 over a window holding its send. */
#include "sync_internal.h"

#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "tm.h"
#include "xalloc.h"

#define RULE "R-SYN-1b"
#define SKEW 3600 /* the marketplace's clock may run ahead of ours */

/* What reconciling reads found: the lines in the searched states, by order number. */
struct mv_line {
    char *order_no, *tracking;
    int status;
};
struct mview {
    struct mv_line *v;
    size_t n, cap;
    int have;
    time_t from, to; /* covered, both included */
};

struct run {
    struct sync_send *p;
    struct qapi *q;
    struct sync_send_stats *st;
    struct qs_err *e;
    struct mview mv;
    time_t lo, hi; /* what the orphans' sends may fall in, known before recovering */
    int have_bounds;
    int stop;        /* the marketplace did not answer, or refused our credentials */
    time_t now;      /* fixed per read: windows must not grow with the clock */
    int waited;      /* for requests of dead runs still being processed, this recovery */
    int read_failed; /* a reconciling read failed in this recovery: no more tries */
    struct progress *pg;
};

static void mview_clear(struct mview *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].order_no);
        free(m->v[i].tracking);
    }
    free(m->v);
    memset(m, 0, sizeof *m);
}

static int mv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct mv_line *)a)->order_no, ((const struct mv_line *)b)->order_no);
}

static int mview_add(const struct sync_window *w, json_t *rows, void *ctx)
{
    struct mview *m = ctx;
    size_t i;
    json_t *row;
    (void)w;
    json_array_foreach(rows, i, row)
    {
        struct sync_order o = {0};
        sync_order_from_row(&o, row);
        if (*o.order_no) {
            if (m->n == m->cap)
                m->v = xrealloc(m->v, (m->cap = m->cap ? 2 * m->cap : 256) * sizeof *m->v);
            m->v[m->n++] = (struct mv_line){xstrdup(o.order_no), xstrdup(o.tracking), o.status};
        }
        sync_order_clear(&o);
    }
    return 0;
}

/* Reads [from, to] into the view: for ship the lines shipped or delivered by shipping
 * date, for confirm the lines confirmed or later by order date. */
static int mview_fetch(struct run *r, time_t from, time_t to)
{
    static const char *const ship_st[] = {"4", "5", NULL}, *const confirm_st[] = {"3", "4", "5",
                                                                                  NULL};
    const char *const *st = r->p->o.action == SYNC_SHIP ? ship_st : confirm_st;
    const struct sync_query *qry =
        r->p->o.action == SYNC_SHIP ? &SYNC_Q_ORDERS_SHIPPED : &SYNC_Q_ORDERS_OPEN;
    struct sync_fetch_stats fs = {0};
    int rc = 0;

    for (; *st && rc == 0; st++)
        rc = sync_fetch(r->q, qry, *st, from, to, r->p->o.cap > 0 ? r->p->o.cap : SYNC_DEFAULT_CAP,
                        mview_add, &r->mv, &fs, r->e);
    r->st->calls_ok += fs.calls;
    if (rc < 0)
        r->st->calls_failed++;
    return rc;
}

/* Makes the view cover [from, to], reading only what it lacks. */
static int mview_cover(struct run *r, time_t from, time_t to)
{
    struct mview *m = &r->mv;
    int rc = 0;
    if (!m->have) {
        rc = mview_fetch(r, from, to);
        m->from = from, m->to = to;
    } else {
        if (from < m->from && (rc = mview_fetch(r, from, m->from - 1)) == 0)
            m->from = from;
        if (rc == 0 && to > m->to && (rc = mview_fetch(r, m->to + 1, to)) == 0)
            m->to = to;
    }
    if (rc < 0) {
        mview_clear(m);
        return rc;
    }
    m->have = 1;
    qsort(m->v, m->n, sizeof *m->v, mv_cmp);
    return 0;
}

static const struct mv_line *mview_get(const struct mview *m, const char *order_no)
{
    struct mv_line k = {(char *)order_no, NULL, 0};
    return m->n ? bsearch(&k, m->v, m->n, sizeof *m->v, mv_cmp) : NULL;
}

/* A payload field, malloc'd ("" when missing). */
static char *pget(const struct outbox_item *it, const char *name)
{
    json_t *o = json_loads(it->payload ? it->payload : "{}", 0, NULL);
    char *v = sync_jget(o, name);
    json_decref(o);
    return v;
}

/* The window an item's send, if it happened, shows up in: for ship the shipping date
 * falls after the item was queued; for confirm the order date is known. */
static void item_bounds(const struct run *r, const struct outbox_item *it, time_t *from, time_t *to)
{
    time_t now = r->now, t;
    char *v = pget(it, r->p->o.action == SYNC_SHIP ? "at" : "order_date");
    if (tm_parse_utc_iso(v, &t) < 0) {
        *from = now - SYNC_MAX_WINDOW;
        *to = now + SKEW;
    } else if (r->p->o.action == SYNC_SHIP) {
        *from = t - SYNC_OVERLAP;
        *to = now + SKEW;
    } else {
        *from = t - SYNC_OVERLAP;
        *to = t + SYNC_OVERLAP;
    }
    free(v);
}

static void widen(time_t *lo, time_t *hi, int *have, time_t from, time_t to)
{
    if (!*have || from < *lo)
        *lo = from;
    if (!*have || to > *hi)
        *hi = to;
    *have = 1;
}

/* What the view says about an item. *tracking (ship) gets the tracking number found. */
static enum outbox_recon judge(const struct run *r, const struct outbox_item *it, char **found)
{
    char *no = pget(it, "order_no"), *tracking = pget(it, "tracking");
    const struct mv_line *l = mview_get(&r->mv, no);
    enum outbox_recon v = OUTBOX_RECON_NOT_SENT;

    if (found)
        *found = l ? xstrdup(l->tracking) : NULL;
    /* Ship: on the marketplace with our tracking number -> it was sent. Shipped with
     * another one -> not by us: sending it gets the marketplace's refusal. Confirm: the
     * line is confirmed or further. */
    if (l && (r->p->o.action == SYNC_CONFIRM || strcmp(l->tracking, tracking) == 0))
        v = OUTBOX_RECON_SENT;
    free(no);
    free(tracking);
    return v;
}

/* Reconcile callback of outbox_recover: reads once, after the orphans were found, what
 * covers them all (SPEC 1.6: a read call before anything is resent). */
static enum outbox_recon recon(const struct outbox_item *it, char **ref, void *ctx)
{
    struct run *r = ctx;
    time_t from, to;
    enum outbox_recon v;

    if (!r->waited) {
        /* The dead run's last request may still be on its way through the marketplace:
         * read only once it has had inflight_s seconds since it started. */
        char mark[32], stream[32];
        time_t sent, left;
        struct qs_err ignore;
        r->waited = 1;
        snprintf(stream, sizeof stream, "sending.%s", r->p->kind);
        if (syncdb_mark_get(r->p->d, stream, mark, sizeof mark, &ignore) == 0 && mark[0] &&
            tm_parse_utc_iso(mark, &sent) == 0 &&
            (left = sent + (time_t)r->p->o.inflight_s - time(NULL)) > 0) {
            struct timespec ts = {left > r->p->o.inflight_s ? r->p->o.inflight_s : left, 0};
            nanosleep(&ts, NULL);
        }
        r->now = time(NULL);
    }
    if (r->read_failed)
        return OUTBOX_RECON_UNKNOWN;
    item_bounds(r, it, &from, &to);
    widen(&r->lo, &r->hi, &r->have_bounds, from, to);
    if (mview_cover(r, r->lo, r->hi) < 0) {
        r->read_failed = 1;
        err_clear(r->e);
        return OUTBOX_RECON_UNKNOWN; /* put back to pending by the next run, then read again */
    }
    v = judge(r, it, NULL);
    if (v == OUTBOX_RECON_SENT)
        *ref = xstrdup("found on the marketplace after its run died");
    return v;
}

/* ---- settling ------------------------------------------------------------------------ */

struct lres {
    const char *result; /* NULL: no answer yet */
    int code;
    char *msg;
};

static void lres_set(struct lres *l, const char *result, int code, const char *msg)
{
    l->result = result;
    l->code = code;
    free(l->msg);
    l->msg = xstrdup(msg ? msg : "");
}

/* Settles a batch's items from their results, in one transaction, and updates the
 * store's copy of each line that went through. */
static int settle(struct run *r, struct outbox_item **items, struct lres *res, size_t n)
{
    struct sync_send *p = r->p;
    time_t now = time(NULL);
    char now_iso[32], code[16], no[64];
    int rc, own;

    tm_utc_iso(now, now_iso, sizeof now_iso);
    if ((rc = syncdb_tx_begin(p->s, &own, r->e)) < 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct outbox_item *it = items[i];
        struct lres *l = &res[i];
        char *carrier = pget(it, "carrier"), *tracking = pget(it, "tracking"),
             *est = pget(it, "est");
        if (!l->result)
            lres_set(l, "retry", QAPI_CODE_NONE, "no answer for this line");
        sync_key_order(it->key, no, sizeof no);
        if (strcmp(l->result, "ok") == 0) {
            char ship_by[32];
            rc = outbox_done(p->s, it->id, NULL, r->e);
            if (rc == 0 && p->o.action == SYNC_SHIP)
                rc = syncdb_line_shipped(p->d, no, carrier, tracking, now_iso, r->e);
            else if (rc == 0)
                rc = syncdb_line_confirmed(p->d, no, sync_jst_to_utc(est, ship_by, sizeof ship_by),
                                           now_iso, r->e);
            r->st->sent++;
        } else {
            int retry = strcmp(l->result, "retry") == 0;
            rc = outbox_fail(p->s, it->id, l->msg, retry, now, r->e);
            if (retry)
                r->st->retry++;
            else
                r->st->failed++;
        }
        if (l->code != QAPI_CODE_NONE)
            snprintf(code, sizeof code, "%d", l->code);
        else
            code[0] = '\0';
        sync_send_settled(p, it->key, no, l->result, code, l->msg);
        free(carrier);
        free(tracking);
        free(est);
    }
    progress_add(r->pg, (long)n);
    return syncdb_tx_end(p->s, own, rc, r->e);
}

/* ---- sending ---------------------------------------------------------------------- */

struct bulk_ctx {
    struct lres *res;
    size_t n;
};

/* The result of a line from its own code (R-SYN-7: retry only what may succeed later). */
static void line_result(struct lres *l, int code, const char *msg)
{
    enum qapi_class c = qapi_classify(0, 200, code);
    lres_set(l, c == QAPI_OK ? "ok" : c == QAPI_INVALID ? "failed" : "retry", code, msg);
}

static int bulk_line(size_t index, int code, const char *msg, const json_t *line, void *ctx)
{
    struct bulk_ctx *b = ctx;
    (void)line;
    if (index < b->n)
        line_result(&b->res[index], code, msg);
    return 0;
}

/* One order line as the marketplace holds it; *row NULL when it does not know it. */
static int read_order(struct run *r, const char *order_no, json_t **row)
{
    int answered = 0, rc = sync_order_read(r->q, order_no, row, &answered, r->e);
    if (answered)
        r->st->calls_ok++;
    else
        r->st->calls_failed++;
    return rc;
}

/* The digits of a date, at most 8 (yyyyMMdd), for comparing an EstShipDt we sent with the
 * EstShippingDate the marketplace shows. */
static void ymd_digits(const char *s, char out[9])
{
    size_t k = 0;
    for (; s && *s && k < 8; s++)
        if (*s >= '0' && *s <= '9')
            out[k++] = *s;
    out[k] = '\0';
}

/* What the marketplace's copy of a refused line says (R-SYN-9). Ship: shipped with our
 * tracking number -> our send arrived (an answer lost, the request repeated); shipped with
 * another one -> failed, naming it. Confirm: confirmed or further -> the state we wanted;
 * a delay notice (R-NOTE-13) only when the ship date shown is the one we sent, else it
 * did not reach the buyer and stays refused with the marketplace's reason. Anything
 * else leaves the refusal as it is. */
static void judge_row(const struct run *r, const struct outbox_item *it, const json_t *row,
                      struct lres *l)
{
    struct sync_order o = {0};
    int code = l->code;

    sync_order_from_row(&o, row);
    if (r->p->o.action == SYNC_SHIP && o.status >= 4) {
        char *tracking = pget(it, "tracking");
        if (strcmp(o.tracking ? o.tracking : "", tracking) == 0) {
            lres_set(l, "ok", code, "already shipped with this tracking number");
        } else {
            char *msg = xasprintf("already shipped with tracking number %s",
                                  o.tracking && *o.tracking ? o.tracking : "?");
            lres_set(l, "failed", code, msg);
            free(msg);
        }
        free(tracking);
    } else if (r->p->o.action == SYNC_CONFIRM && o.status >= 3) {
        char *dt = pget(it, "delay_type"), *est = pget(it, "est"),
             *shown =
                 sync_jstr(row, (const char *const[]){"EstShippingDate", "EstimatedShippingDate",
                                                      "estShippingDate", NULL});
        char a[9], b[9];
        ymd_digits(est, a);
        ymd_digits(shown, b);
        if (!*dt)
            lres_set(l, "ok", code, "already confirmed");
        else if (*a && strcmp(a, b) == 0)
            lres_set(l, "ok", code, "already confirmed with this ship date");
        free(dt);
        free(est);
        free(shown);
    }
    sync_order_clear(&o);
}

/* R-SYN-9, D2: a refused line (a single call's code, a bulk line's code, a bulk line
 * whose codes disagree or that the answer says nothing of) is settled by reading the
 * order, never by its code: no code of the single-line setters means "already done" in
 * Qoo10's guide. A line whose read fails waits for its retry, and is read back again
 * (batch()) before anything is resent. */
static int already(struct run *r, struct outbox_item **items, struct lres *res, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_t *row = NULL;
        char *no;
        if (!res[i].result || strcmp(res[i].result, "failed") != 0)
            continue;
        no = pget(items[i], "order_no");
        if (read_order(r, no, &row) < 0) {
            char *msg = xasprintf("%s; reading the order back failed (%s): it is read again "
                                  "before anything is resent",
                                  res[i].msg, r->e->msg);
            lres_set(&res[i], "retry", res[i].code, msg);
            free(msg);
            err_clear(r->e);
        } else if (row) {
            judge_row(r, items[i], row, &res[i]);
        }
        json_decref(row);
        free(no);
    }
    return 0;
}

/* Sends items (at most QAPI_BULK_MAX): the single-line method for one, else the bulk one. */
static int send(struct run *r, struct outbox_item **items, size_t n)
{
    struct sync_send *p = r->p;
    int ship = p->o.action == SYNC_SHIP, rc;
    struct lres *res;

    if (!p->o.dry_run) {
        /* When a send starts, for a later run's recovery (recon()). */
        char stream[32], now[32];
        snprintf(stream, sizeof stream, "sending.%s", p->kind);
        tm_utc_iso(time(NULL), now, sizeof now);
        if ((rc = syncdb_mark_set(p->d, stream, now, now, r->e)) < 0)
            return rc;
    }
    res = xcalloc(n, sizeof *res);

    /* A delay notice (R-NOTE-13) goes through the bulk method even alone: its refusals of
     * a line already confirmed are documented (-10012, -10013), while the single-line
     * method documents none and may answer a repeat with success (R-SYN-9). */
    int delay = 0;
    for (size_t i = 0; i < n && !ship && !delay; i++) {
        char *dt = pget(items[i], "delay_type");
        delay = *dt != '\0';
        free(dt);
    }
    if (n == 1 && !delay) {
        char *no = pget(items[0], "order_no"), *a = pget(items[0], ship ? "carrier" : "est"),
             *b = ship ? pget(items[0], "tracking") : xstrdup(""),
             *dt = pget(items[0], "delay_type"), *dm = pget(items[0], "delay_memo");
        const struct qapi_param ps[] = {{"OrderNo", no}, {"ShippingCorp", a}, {"TrackingNo", b}};
        const struct qapi_param pc[] = {
            {"OrderNo", no}, {"EstShipDt", a}, {"DelayType", dt}, {"DelayMemo", dm}};
        struct qapi_result qr;
        rc = ship ? qapi_call(r->q, "ShippingBasic.SetSendingInfo", ps, 3, items[0]->key, &qr, r->e)
                  : qapi_call(r->q, "ShippingBasic.SetSellerCheckYN_V2", pc, 4, items[0]->key, &qr,
                              r->e);
        if (rc == 0) {
            lres_set(&res[0], "ok", 0, ship ? "shipped" : "confirmed");
        } else if (rc == QS_E_FAIL && qr.cls == QAPI_INVALID && qr.code != QAPI_CODE_NONE) {
            line_result(&res[0], qr.code, qr.msg ? qr.msg : r->e->msg);
            rc = 0;
        }
        qapi_result_free(&qr);
        free(no);
        free(a);
        free(b);
        free(dt);
        free(dm);
    } else {
        json_t *lines = json_array();
        struct bulk_ctx b = {res, n};
        for (size_t i = 0; i < n; i++) {
            char *no = pget(items[i], "order_no"), *a = pget(items[i], ship ? "carrier" : "est"),
                 *t = pget(items[i], ship ? "tracking" : "delay_type"),
                 *dm = pget(items[i], "delay_memo");
            json_t *o = ship ? json_pack("{s:s, s:s, s:s}", "OrderNo", no, "ShippingCorp", a,
                                         "TrackingNo", t)
                             : json_pack("{s:s, s:s, s:s, s:s}", "OrderNo", no, "EstShipDt", a,
                                         "DelayType", t, "DelayMemo", dm);
            json_array_append_new(lines, o);
            free(no);
            free(a);
            free(t);
            free(dm);
        }
        rc = qapi_bulk(
            r->q, ship ? "ShippingBasic.SetSendingInfoBulk" : "ShippingBasic.SetSellerCheckYNBulk",
            ship ? "ShippingInfoJson" : "SendPlanDtInfoJson", lines, NULL, 0, bulk_line, &b, r->e);
        json_decref(lines);
        for (size_t i = 0; rc == 0 && i < n; i++)
            if (res[i].result && strcmp(res[i].result, "ok") == 0)
                lres_set(&res[i], "ok", 0, ship ? "shipped" : "confirmed");
    }
    if (p->o.dry_run) {
        rc = rc < 0 ? rc : 0; /* printed, not sent: nothing to settle */
        goto out;
    }
    if (rc == 0) {
        r->st->calls_ok++;
    } else if (rc == QS_E_TEMP || rc == QS_E_UNAVAILABLE || rc == QS_E_FAIL) {
        /* No answer (or our key refused): the lines may or may not have arrived. They
         * wait for their backoff and are read back before they are sent again. */
        if (rc == QS_E_UNAVAILABLE || rc == QS_E_TEMP)
            r->st->calls_failed++;
        else
            r->st->calls_ok++;
        for (size_t i = 0; i < n; i++)
            if (!res[i].result)
                lres_set(&res[i], "retry", QAPI_CODE_NONE, r->e->msg);
        r->stop = 1;
        rc = 0;
        err_clear(r->e);
    } else {
        goto out; /* the store or a bug: items stay in flight, reconciled next run */
    }
    if ((rc = already(r, items, res, n)) == 0)
        rc = settle(r, items, res, n);
out:
    for (size_t i = 0; i < n; i++)
        free(res[i].msg);
    free(res);
    return rc;
}

/* One claimed batch: what may have been sent before is read back first. */
static int batch(struct run *r, struct outbox_item *items, size_t n)
{
    struct outbox_item **todo = xcalloc(n, sizeof *todo), **again = xcalloc(n, sizeof *again);
    struct lres *res = NULL;
    size_t ntodo = 0, nagain = 0;
    time_t lo = 0, hi = 0, from, to;
    int have = 0, rc = 0;

    r->now = time(NULL);
    for (size_t i = 0; i < n; i++) {
        if (items[i].attempts > 1) {
            again[nagain++] = &items[i];
            item_bounds(r, &items[i], &from, &to);
            widen(&lo, &hi, &have, from, to);
        } else {
            todo[ntodo++] = &items[i];
        }
    }
    if (nagain) {
        /* SPEC 1.6: a resend only after a read shows the first send did not arrive. */
        res = xcalloc(nagain, sizeof *res);
        mview_clear(&r->mv);
        if (mview_cover(r, lo, hi) < 0) {
            for (size_t i = 0; i < nagain; i++)
                lres_set(&res[i], "retry", QAPI_CODE_NONE, r->e->msg);
            err_clear(r->e);
            r->stop = 1;
            rc = settle(r, again, res, nagain);
        } else {
            size_t k = 0;
            for (size_t i = 0; i < nagain; i++) {
                if (judge(r, again[i], NULL) == OUTBOX_RECON_SENT) {
                    again[k] = again[i];
                    lres_set(&res[k++], "ok", 0, "sent before (found on the marketplace)");
                } else {
                    todo[ntodo++] = again[i];
                }
            }
            rc = settle(r, again, res, k);
            for (size_t i = 0; i < nagain; i++)
                free(res[i].msg);
            free(res);
            res = NULL;
        }
    }
    size_t off = 0;
    for (; off < ntodo && rc == 0 && !r->stop; off += QAPI_BULK_MAX) {
        size_t k = ntodo - off < QAPI_BULK_MAX ? ntodo - off : QAPI_BULK_MAX;
        rc = send(r, todo + off, k);
    }
    if (rc == 0 && off < ntodo && !r->p->o.dry_run) {
        /* The marketplace stopped answering: what this run holds and did not send waits
         * for its retry (and is read back first, as every resend). */
        struct lres *rest = xcalloc(ntodo - off, sizeof *rest);
        for (size_t i = 0; i < ntodo - off; i++)
            lres_set(&rest[i], "retry", QAPI_CODE_NONE,
                     "not sent: the marketplace stopped answering in this run");
        rc = settle(r, todo + off, rest, ntodo - off);
        for (size_t i = 0; i < ntodo - off; i++)
            free(rest[i].msg);
        free(rest);
    }
    if (res) {
        for (size_t i = 0; i < nagain; i++)
            free(res[i].msg);
        free(res);
    }
    free(todo);
    free(again);
    return rc;
}

/* Settles what dead runs left in flight (SPEC 1.6): the read happens in recon(). */
static int recover(struct run *r)
{
    struct sync_send *p = r->p;
    int rc;
    /* Unknown items came from reads that failed while recovering: every resend is read
     * back first (batch()), so they can simply be due again. */
    if ((rc = outbox_resend_unknown(p->s, p->o.shop, p->kind, NULL, r->e)) < 0)
        return rc;
    r->now = time(NULL);
    r->waited = r->read_failed = 0;
    rc = outbox_recover(p->s, p->o.shop, p->kind, recon, r, NULL, r->e);
    mview_clear(&r->mv);
    return rc;
}

/* Claims and sends every due item of the kind, a bulk chunk at a time. */
static int drain(struct run *r, int retry_failed)
{
    struct sync_send *p = r->p;
    size_t counts[OUTBOX_NSTATES], total;
    int rc;

    if ((rc = outbox_count(p->s, p->o.shop, p->kind, counts, r->e)) < 0)
        return rc;
    total =
        counts[OUTBOX_PENDING] + counts[OUTBOX_RETRY] + (retry_failed ? counts[OUTBOX_FAILED] : 0);
    while (rc == 0 && !r->stop) {
        struct outbox_claim_opts co = {
            .shop = p->o.shop,
            .kind = p->kind,
            /* --retry-failed claims everything due at once: items failing again in this
             * run must not come round again. */
            .max = retry_failed ? (total ? total : 1) : QAPI_BULK_MAX,
            .retry_failed = retry_failed,
            .now = time(NULL),
        };
        struct outbox_item *items = NULL;
        size_t n = 0;
        if ((rc = outbox_claim(p->s, &co, &items, &n, r->e)) < 0 || n == 0) {
            outbox_items_free(items, n);
            break;
        }
        rc = batch(r, items, n);
        outbox_items_free(items, n);
        mview_clear(&r->mv);
        if (retry_failed)
            break;
    }
    return rc;
}

/* How long a run waits for items another live run holds, so that two runs started
 * together both end with every line's answer. */
#define WAIT_OTHERS_MS 60000
#define WAIT_STEP_MS   250

int sync_send_run(struct sync_send *p, struct qapi *q, struct sync_send_stats *st, struct qs_err *e)
{
    struct run r = {.p = p, .q = q, .st = st, .e = e};
    size_t counts[OUTBOX_NSTATES];
    int rc = 0;

    r.pg = progress_new(p->kind, 0, p->o.quiet || p->o.dry_run);
    if (!p->o.dry_run)
        rc = recover(&r);
    if (rc == 0)
        rc = drain(&r, p->o.retry_failed);
    for (long waited = 0; rc == 0 && !p->o.dry_run && !r.stop && waited < WAIT_OTHERS_MS;
         waited += WAIT_STEP_MS) {
        struct timespec ts = {0, WAIT_STEP_MS * 1000000L};
        if ((rc = outbox_count(p->s, p->o.shop, p->kind, counts, e)) < 0 ||
            counts[OUTBOX_CLAIMED] == 0)
            break;
        nanosleep(&ts, NULL);
        /* The other run may have died meanwhile: its items are read back and, when they
         * did not arrive, sent here. */
        if ((rc = recover(&r)) == 0)
            rc = drain(&r, 0);
    }
    progress_end(r.pg);
    mview_clear(&r.mv);
    return rc;
}

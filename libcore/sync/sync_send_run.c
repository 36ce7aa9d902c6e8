/* sync_send_run: sending what `qs sync ship` and `qs sync confirm` queued, exactly once
 * per order line (R-SYN-1b, SPEC 1.6). An item that may have reached the marketplace
 * before (left in flight by a dead run, or sent without an answer) is sent again only
 * after a read shows it did not: GetShippingInfo_v3 over a window holding its send. */
#include "sync_int.h"

#include <stdlib.h>
#include <string.h>

#include "../progress.h"
#include "../tm.h"
#include "../xalloc.h"

#define RULE "R-SYN-1b"

/* ---- settling ------------------------------------------------------------------------ */

/* Settles a batch's items from their results, in one transaction, and updates the
 * store's copy of each line that went through. */
static int settle(struct sync_run *r, struct outbox_item **items, struct sync_lres *res, size_t n)
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
        struct sync_lres *l = &res[i];
        json_t *pl = sync_send_payload(it); /* parsed once: 20% of a ship run was parsing */
        char *carrier = sync_jget(pl, "carrier"), *tracking = sync_jget(pl, "tracking"),
             *est = sync_jget(pl, "est");
        json_decref(pl);
        if (!l->result)
            sync_send_lres_set(l, "retry", QAPI_CODE_NONE, "no answer for this line");
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
        if (rc == 0)
            rc = sync_send_settled(p, it->key, no, l->result, code, l->msg, r->e);
        free(carrier);
        free(tracking);
        free(est);
    }
    progress_add(r->pg, (long)n);
    return syncdb_tx_end(p->s, own, rc, r->e);
}

/* ---- sending ---------------------------------------------------------------------- */

struct bulk_ctx {
    struct sync_lres *res;
    size_t n;
};

/* The result of a line from its own code (R-SYN-7: retry only what may succeed later). */
static void line_result(struct sync_lres *l, int code, const char *msg)
{
    enum qapi_class c = qapi_classify(0, 200, code);
    sync_send_lres_set(l, c == QAPI_OK ? "ok" : c == QAPI_INVALID ? "failed" : "retry", code, msg);
}

static int bulk_line(size_t index, int code, const char *msg, const json_t *line, void *ctx)
{
    struct bulk_ctx *b = ctx;
    (void)line;
    if (index < b->n)
        line_result(&b->res[index], code, msg);
    return 0;
}

/* Sends items (at most QAPI_BULK_MAX): the single-line method for one, else the bulk one. */
static int send(struct sync_run *r, struct outbox_item **items, size_t n)
{
    struct sync_send *p = r->p;
    int ship = p->o.action == SYNC_SHIP, rc;
    struct sync_lres *res;

    if (!p->o.dry_run) {
        /* When a send starts, for a later run's recovery (sync_send_recon()). */
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
        char *dt = sync_send_pget(items[i], "delay_type");
        delay = *dt != '\0';
        free(dt);
    }
    if (n == 1 && !delay) {
        char *no = sync_send_pget(items[0], "order_no"),
             *a = sync_send_pget(items[0], ship ? "carrier" : "est"),
             *b = ship ? sync_send_pget(items[0], "tracking") : xstrdup(""),
             *dt = sync_send_pget(items[0], "delay_type"),
             *dm = sync_send_pget(items[0], "delay_memo");
        const struct qapi_param ps[] = {{"OrderNo", no}, {"ShippingCorp", a}, {"TrackingNo", b}};
        const struct qapi_param pc[] = {
            {"OrderNo", no}, {"EstShipDt", a}, {"DelayType", dt}, {"DelayMemo", dm}};
        struct qapi_result qr;
        rc = ship ? qapi_call(r->q, "ShippingBasic.SetSendingInfo", ps, 3, items[0]->key, &qr, r->e)
                  : qapi_call(r->q, "ShippingBasic.SetSellerCheckYN_V2", pc, 4, items[0]->key, &qr,
                              r->e);
        if (rc == 0) {
            sync_send_lres_set(&res[0], "ok", 0, ship ? "shipped" : "confirmed");
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
            json_t *pl = sync_send_payload(items[i]);
            char *no = sync_jget(pl, "order_no"), *a = sync_jget(pl, ship ? "carrier" : "est"),
                 *t = sync_jget(pl, ship ? "tracking" : "delay_type"),
                 *dm = sync_jget(pl, "delay_memo");
            json_decref(pl);
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
                sync_send_lres_set(&res[i], "ok", 0, ship ? "shipped" : "confirmed");
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
                sync_send_lres_set(&res[i], "retry", QAPI_CODE_NONE, r->e->msg);
        r->stop = 1;
        rc = 0;
        err_clear(r->e);
    } else {
        goto out; /* the store or a bug: items stay in flight, reconciled next run */
    }
    if ((rc = sync_send_already(r, items, res, n)) == 0)
        rc = settle(r, items, res, n);
out:
    for (size_t i = 0; i < n; i++)
        free(res[i].msg);
    free(res);
    return rc;
}

/* R-STK-6 for a claimed ship item queued before its line was allocated (by an earlier run,
 * without --force): withdrawn unsent and settled as skipped, 1; 0 when it is to be sent;
 * or a QS_E_* code. */
static int alloc_withdraw(struct sync_send *p, const struct outbox_item *it, struct qs_err *e)
{
    char *no = sync_send_pget(it, "order_no"), *force = sync_send_pget(it, "force");
    int rc = 0;

    if (p->nalloc && !*force && sync_send_alloc_has(p, no)) {
        /* queued before the line was allocated: taken back, never sent */
        if ((rc = outbox_withdraw_claimed(p->s, it->id, "queued, then " SYNC_ALLOC_WHY, e)) == 1 &&
            (rc = sync_send_settled(p, it->key, no, "skipped", "", "queued, then " SYNC_ALLOC_WHY,
                                    e)) == 0)
            rc = 1;
    }
    free(no);
    free(force);
    return rc;
}

/* One claimed batch: what may have been sent before is read back first. */
static int batch(struct sync_run *r, struct outbox_item *items, size_t n)
{
    struct outbox_item **todo = xcalloc(n, sizeof *todo), **again = xcalloc(n, sizeof *again);
    struct sync_lres *res = NULL;
    size_t ntodo = 0, nagain = 0;
    time_t lo = 0, hi = 0, from, to;
    int have = 0, rc = 0;

    r->now = time(NULL);
    for (size_t i = 0; i < n; i++) {
        if (items[i].attempts > 1) {
            again[nagain++] = &items[i];
            sync_send_bounds(r, &items[i], &from, &to);
            sync_send_widen(&lo, &hi, &have, from, to);
        } else {
            todo[ntodo++] = &items[i];
        }
    }
    if (nagain) {
        /* SPEC 1.6: a resend only after a read shows the first send did not arrive. */
        res = xcalloc(nagain, sizeof *res);
        sync_send_view_clear(&r->mv);
        if (sync_send_view_cover(r, lo, hi) < 0) {
            for (size_t i = 0; i < nagain; i++)
                sync_send_lres_set(&res[i], "retry", QAPI_CODE_NONE, r->e->msg);
            err_clear(r->e);
            r->stop = 1;
            rc = settle(r, again, res, nagain);
        } else {
            size_t k = 0;
            for (size_t i = 0; i < nagain; i++) {
                if (sync_send_judge(r, again[i], NULL) == OUTBOX_RECON_SENT) {
                    again[k] = again[i];
                    sync_send_lres_set(&res[k++], "ok", 0,
                                       "sent before (found on the marketplace)");
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
    if (rc == 0 && r->p->nalloc && !r->p->o.dry_run) {
        size_t k = 0; /* R-STK-6: lines allocated since they were queued stay with Qxpress */
        for (size_t i = 0; i < ntodo && rc >= 0; i++)
            if ((rc = alloc_withdraw(r->p, todo[i], r->e)) == 0)
                todo[k++] = todo[i];
        ntodo = k;
        rc = rc < 0 ? rc : 0;
    }
    size_t off = 0;
    for (; off < ntodo && rc == 0 && !r->stop; off += QAPI_BULK_MAX) {
        size_t k = ntodo - off < QAPI_BULK_MAX ? ntodo - off : QAPI_BULK_MAX;
        rc = send(r, todo + off, k);
    }
    if (rc == 0 && off < ntodo && !r->p->o.dry_run) {
        /* The marketplace stopped answering: what this run holds and did not send waits
         * for its retry (and is read back first, as every resend). */
        struct sync_lres *rest = xcalloc(ntodo - off, sizeof *rest);
        for (size_t i = 0; i < ntodo - off; i++)
            sync_send_lres_set(&rest[i], "retry", QAPI_CODE_NONE,
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

/* Settles what dead runs left in flight (SPEC 1.6): the read happens in sync_send_recon(). */
static int recover(struct sync_run *r)
{
    struct sync_send *p = r->p;
    int rc;
    /* Unknown items came from reads that failed while recovering: every resend is read
     * back first (batch()), so they can simply be due again. */
    if ((rc = outbox_resend_unknown(p->s, p->o.shop, p->kind, NULL, r->e)) < 0)
        return rc;
    r->now = time(NULL);
    r->waited = r->read_failed = 0;
    rc = outbox_recover(p->s, p->o.shop, p->kind, sync_send_recon, r, NULL, r->e);
    sync_send_view_clear(&r->mv);
    return rc;
}

/* Claims and sends every due item of the kind, a bulk chunk at a time. */
static int drain(struct sync_run *r, int retry_failed)
{
    struct sync_send *p = r->p;
    int rc = 0;

    while (rc == 0 && !r->stop) {
        struct outbox_claim_opts co = {
            .shop = p->o.shop,
            .kind = p->kind,
            .max = QAPI_BULK_MAX,
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
        sync_send_view_clear(&r->mv);
    }
    return rc;
}

/* How long a run waits for items another live run holds, so that two runs started
 * together both end with every line's answer. */
#define WAIT_OTHERS_MS 60000
#define WAIT_STEP_MS   250

int sync_send_run(struct sync_send *p, struct qapi *q, struct sync_send_stats *st, struct qs_err *e)
{
    struct sync_run r = {.p = p, .q = q, .st = st, .e = e};
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
    sync_send_view_clear(&r.mv);
    return rc;
}

/* sync_cancel_run: sending what `qs sync cancel` queued, exactly once per order line
 * (R-SYN-1b, SPEC 1.6). Claim.SetCancelProcess has no bulk form and no key of its own, so
 * an order that may have been cancelled before -- in flight when its run died, sent
 * without an answer, refused -- is settled by reading its claim
 * (GetShippingAndClaimInfoByOrderNo_V2, R-SYN-9: never by the refusal's code) before
 * anything is sent again. */
#include "sync_int.h"

#include <stdlib.h>
#include <string.h>

#include "../progress.h"
#include "../tm.h"
#include "../xalloc.h"

#define KIND   "cancel"
#define STREAM "sending.cancel"
#define BATCH  50

struct crun {
    struct sync_cancel *p;
    struct qapi *q;
    struct sync_send_stats *st;
    struct qs_err *e;
    int stop;   /* the marketplace did not answer, or refused our credentials */
    int waited; /* for the request of a dead run still being processed, this recovery */
    struct progress *pg;
};

/* What the marketplace holds for an order: 1 cancelled (or being cancelled), 0 not, -1
 * when the read failed (r->e set); *claim gets the code read (-1: none or unreadable),
 * *raw the row (may be NULL; malloc'd, "" when none). */
static int read_claim(struct crun *r, const char *order_no, int *claim, char **raw)
{
    json_t *row = NULL;
    int answered = 0, rc = sync_order_read(r->q, order_no, &row, &answered, r->e);

    *claim = -1;
    if (raw)
        *raw = NULL;
    if (answered)
        r->st->calls_ok++;
    else
        r->st->calls_failed++;
    if (rc < 0) {
        json_decref(row);
        return -1;
    }
    if (row)
        *claim = sync_claim_status(row, NULL);
    if (raw)
        *raw = row ? sync_json_text(row) : xstrdup("");
    json_decref(row);
    return *claim >= 0 && sync_cancel_claim_done(*claim);
}

/* Settles one item in its own transaction: the outbox row, and the store's copy of the
 * line's claim when a read showed it. */
static int settle(struct crun *r, const struct outbox_item *it, const char *result, int code,
                  const char *msg, int claim, const char *raw)
{
    struct sync_cancel *p = r->p;
    time_t now = time(NULL);
    char now_iso[32], no[64], cbuf[16] = "";
    int rc, own;

    tm_utc_iso(now, now_iso, sizeof now_iso);
    sync_key_order(it->key, no, sizeof no);
    if (code != QAPI_CODE_NONE)
        snprintf(cbuf, sizeof cbuf, "%d", code);
    sync_cancel_settled(p, it->key, no, result, cbuf, msg);
    if ((rc = syncdb_tx_begin(p->s, &own, r->e)) < 0)
        return rc;
    if (strcmp(result, "ok") == 0)
        rc = outbox_done(p->s, it->id, NULL, r->e);
    else
        rc = outbox_fail(p->s, it->id, msg, strcmp(result, "retry") == 0, now, r->e);
    if (strcmp(result, "ok") == 0)
        r->st->sent++;
    else if (strcmp(result, "retry") == 0)
        r->st->retry++;
    else
        r->st->failed++;
    if (rc == 0 && claim > 0 && raw) {
        enum sync_change chg;
        long events = 0;
        json_t *row = json_loads(raw, 0, NULL);
        char *reason = sync_jget(row, "reason");
        rc = syncdb_claim_set(p->d, no, claim, reason, now_iso, raw, now_iso, &chg, &events, r->e);
        free(reason);
        json_decref(row);
    }
    progress_add(r->pg, 1);
    return syncdb_tx_end(p->s, own, rc, r->e);
}

/* Reads back an order whose cancel was refused or sent before, and settles it when the
 * marketplace shows it cancelled. Returns 1 when settled, 0 when not cancelled there, or
 * a negative code (the store). A failed read settles the item as retry (stop). */
static int read_back(struct crun *r, const struct outbox_item *it, const char *no, int code,
                     const char *done_msg)
{
    int claim, rc;
    char *raw = NULL;
    int v = read_claim(r, no, &claim, &raw);

    if (v < 0) {
        char *msg = xasprintf("reading the order's claim failed (%s): it is read again before "
                              "anything is resent",
                              r->e->msg);
        err_clear(r->e);
        r->stop = 1;
        rc = settle(r, it, "retry", QAPI_CODE_NONE, msg, -1, NULL);
        free(msg);
        free(raw);
        return rc < 0 ? rc : 1;
    }
    rc = v ? settle(r, it, "ok", code, done_msg, claim, raw) : 0;
    free(raw);
    return rc < 0 ? rc : v;
}

/* Sends one cancel and settles it. */
static int send_one(struct crun *r, const struct outbox_item *it)
{
    struct sync_cancel *p = r->p;
    char *no = sync_send_pget(it, "order_no"), *code = sync_send_pget(it, "code"),
         *memo = sync_send_pget(it, "memo");
    const struct qapi_param prm[] = {
        {"ContrNo", no}, {"CancelReason", code}, {"SellerMemo", memo}, {"returnFeeStat", ""}};
    struct qapi_result qr;
    int rc = qapi_call(r->q, "Claim.SetCancelProcess", prm, 4, it->key, &qr, r->e);

    if (p->o.dry_run) {
        rc = rc < 0 ? rc : 0; /* printed, not sent: nothing to settle */
    } else if (rc == 0) {
        r->st->calls_ok++;
        /* What the claim is now, for the store (R-SYN-1b); a failed read changes nothing:
         * the next qs sync orders reads the claim anyway. */
        int claim;
        char *raw = NULL;
        if (read_claim(r, no, &claim, &raw) < 0)
            err_clear(r->e);
        rc = settle(r, it, "ok", 0, "cancelled", claim, raw);
        free(raw);
    } else if (rc == QS_E_FAIL && qr.cls == QAPI_INVALID && qr.code != QAPI_CODE_NONE) {
        /* R-SYN-9: a refusal (-10004 "wrong state" among others) says nothing sure about
         * an earlier send of ours: the claim read back does. */
        char *msg = xstrdup(qr.msg ? qr.msg : r->e->msg);
        err_clear(r->e);
        r->st->calls_ok++;
        if ((rc = read_back(r, it, no, qr.code, "already cancelled")) == 0)
            rc = settle(r, it, "failed", qr.code, msg, -1, NULL);
        rc = rc < 0 ? rc : 0;
        free(msg);
    } else if (rc == QS_E_TEMP || rc == QS_E_UNAVAILABLE || rc == QS_E_FAIL) {
        /* No answer (or our key refused): it may or may not have arrived; it waits for
         * its backoff and is read back before it is sent again. */
        if (rc == QS_E_FAIL)
            r->st->calls_ok++;
        else
            r->st->calls_failed++;
        char *msg = xstrdup(r->e->msg);
        err_clear(r->e);
        r->stop = 1;
        rc = settle(r, it, "retry", QAPI_CODE_NONE, msg, -1, NULL);
        free(msg);
    }
    qapi_result_free(&qr);
    free(no);
    free(code);
    free(memo);
    return rc;
}

/* One claimed batch: what may have been sent before is read back first. */
static int batch(struct crun *r, struct outbox_item *items, size_t n)
{
    int rc = 0;
    if (!r->p->o.dry_run) {
        /* When sends start, for a later run's recovery (recon()). */
        char now[32];
        tm_utc_iso(time(NULL), now, sizeof now);
        if ((rc = syncdb_mark_set(r->p->d, STREAM, now, now, r->e)) < 0)
            return rc;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        char no[64];
        sync_key_order(items[i].key, no, sizeof no);
        if (r->stop) {
            if (!r->p->o.dry_run)
                rc = settle(r, &items[i], "retry", QAPI_CODE_NONE,
                            "not sent: the marketplace stopped answering in this run", -1, NULL);
            continue;
        }
        /* SPEC 1.6: a resend only after a read shows the first send did not arrive. */
        if (items[i].attempts > 1 && !r->p->o.dry_run &&
            (rc = read_back(r, &items[i], no, QAPI_CODE_NONE,
                            "sent before (found cancelled on the marketplace)")) != 0) {
            rc = rc < 0 ? rc : 0;
            continue;
        }
        rc = send_one(r, &items[i]);
    }
    return rc;
}

/* outbox_recover's callback: an item a dead run held is read back, once the dead run's
 * last request has had inflight_s seconds to be processed. */
static enum outbox_recon recon(const struct outbox_item *it, char **ref, void *ctx)
{
    struct crun *r = ctx;
    char no[64];
    int claim;

    if (!r->waited) {
        char mark[32];
        time_t sent, left;
        struct qs_err ignore;
        r->waited = 1;
        if (syncdb_mark_get(r->p->d, STREAM, mark, sizeof mark, &ignore) == 0 && mark[0] &&
            tm_parse_utc_iso(mark, &sent) == 0 &&
            (left = sent + (time_t)r->p->o.inflight_s - time(NULL)) > 0) {
            struct timespec ts = {left > r->p->o.inflight_s ? r->p->o.inflight_s : left, 0};
            nanosleep(&ts, NULL);
        }
    }
    sync_key_order(it->key, no, sizeof no);
    switch (read_claim(r, no, &claim, NULL)) {
    case 1:
        *ref = xstrdup("found cancelled on the marketplace after its run died");
        return OUTBOX_RECON_SENT;
    case 0:
        return OUTBOX_RECON_NOT_SENT;
    default:
        err_clear(r->e);
        return OUTBOX_RECON_UNKNOWN; /* due again next run, and read back first */
    }
}

static int recover(struct crun *r)
{
    struct sync_cancel *p = r->p;
    int rc;
    /* Unknown items came from reads that failed: every resend is read back first. */
    if ((rc = outbox_resend_unknown(p->s, p->o.shop, KIND, NULL, r->e)) < 0)
        return rc;
    r->waited = 0;
    return outbox_recover(p->s, p->o.shop, KIND, recon, r, NULL, r->e);
}

static int drain(struct crun *r, int retry_failed)
{
    struct sync_cancel *p = r->p;
    int rc = 0;
    while (rc == 0 && !r->stop) {
        struct outbox_claim_opts co = {
            .shop = p->o.shop,
            .kind = KIND,
            .max = p->o.dry_run ? 100000 : BATCH,
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
        if (p->o.dry_run)
            break;
    }
    return rc;
}

#define WAIT_OTHERS_MS 60000
#define WAIT_STEP_MS   250

int sync_cancel_run(struct sync_cancel *p, struct qapi *q, struct sync_send_stats *st,
                    struct qs_err *e)
{
    struct crun r = {.p = p, .q = q, .st = st, .e = e};
    size_t counts[OUTBOX_NSTATES];
    int rc = 0;

    r.pg = progress_new(KIND, 0, p->o.quiet || p->o.dry_run);
    if (!p->o.dry_run)
        rc = recover(&r);
    if (rc == 0)
        rc = drain(&r, p->o.retry_failed);
    /* Two runs started together both end with every line's answer: wait for what another
     * live run holds; if it died meanwhile, its items are read back and finished here. */
    for (long waited = 0; rc == 0 && !p->o.dry_run && !r.stop && waited < WAIT_OTHERS_MS;
         waited += WAIT_STEP_MS) {
        struct timespec ts = {0, WAIT_STEP_MS * 1000000L};
        if ((rc = outbox_count(p->s, p->o.shop, KIND, counts, e)) < 0 ||
            counts[OUTBOX_CLAIMED] == 0)
            break;
        nanosleep(&ts, NULL);
        if ((rc = recover(&r)) == 0)
            rc = drain(&r, 0);
    }
    progress_end(r.pg);
    return rc;
}

/* sync_send: `qs sync ship` and `qs sync confirm` -- checking the input against the
 * store, planning the order lines (every line of a cart for ship), writing them into the
 * outbox in one transaction, and reporting each line's result (R-SYN-1b). Sending is in
 * sync_send_run.c. */
#include "sync_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../strmap.h"
#include "../text.h"
#include "../tm.h"
#include "../xalloc.h"

#define RULE "R-SYN-1b"

int sync_send_settled(struct sync_send *p, const char *key, const char *order_no,
                      const char *result, const char *code, const char *msg, struct qs_err *e)
{
    return sync_plan_settle(p, key, order_no, result, code, msg, e);
}

/* A payload field. Returns a malloc'd string ("" when missing). */
static char *payload_get(const char *payload, const char *name)
{
    json_t *o = json_loads(payload ? payload : "{}", 0, NULL);
    char *v = sync_jget(o, name);
    json_decref(o);
    return v;
}

/* 1 when an existing item asks for the same thing as the planned line. */
static int same_payload(const struct sync_send *p, const struct outbox_item *it,
                        const char *carrier, const char *tracking)
{
    int same;
    if (p->o.action == SYNC_CONFIRM) {
        char *est = payload_get(it->payload, "est"), *dt = payload_get(it->payload, "delay_type"),
             *dm = payload_get(it->payload, "delay_memo"), want[16] = "";
        if (p->o.delay_type)
            snprintf(want, sizeof want, "%d", p->o.delay_type);
        same = strcmp(est, p->o.est) == 0 && strcmp(dt, want) == 0 &&
               strcmp(dm, p->o.delay_type && p->o.delay_memo ? p->o.delay_memo : "") == 0;
        free(est);
        free(dt);
        free(dm);
        return same;
    }
    char *c = payload_get(it->payload, "carrier"), *t = payload_get(it->payload, "tracking");
    same = strcmp(c, carrier) == 0 && strcmp(t, tracking) == 0;
    free(c);
    free(t);
    return same;
}

/* Fills *l, the line being planned (stored by sync_plan_put once it is kept). */
static void pline_init(struct sync_send *p, struct sync_pline *l, const char *order_no,
                       const char *carrier, const char *tracking, const char *order_date, long line)
{
    sync_pline_clear(l);
    l->order_no = xstrdup(order_no);
    l->carrier = xstrdup(carrier ? carrier : "");
    l->tracking = xstrdup(tracking ? tracking : "");
    /* The order date goes into a confirm's payload only. */
    l->order_date = p->o.action == SYNC_CONFIRM ? xstrdup(order_date ? order_date : "") : NULL;
    l->line = line;
}

static void pline_pre(struct sync_pline *l, const char *msg)
{
    l->pre = "ok";
    free(l->pre_msg);
    l->pre_msg = xstrdup(msg);
}

/* choose_key's table, from it, the newest item of the line's order (NULL: none). */
static int choose_from(struct sync_send *p, struct sync_pline *l, const struct outbox_item *it,
                       struct qs_err *e)
{
    int same;

    if (!it) {
        l->key = xstrdup(l->order_no);
        return 0;
    }
    same = same_payload(p, it, l->carrier, l->tracking);
    if (it->state == OUTBOX_DONE) {
        if (!same && p->o.delay_type)
            return err_set(e, QS_E_DATA, "R-NOTE-13",
                           "already confirmed by qs: a delay notice is the order confirmation "
                           "and works once per order");
        if (same || p->o.action == SYNC_CONFIRM) {
            pline_pre(l, p->o.action == SYNC_SHIP ? "already sent" : "already confirmed");
            return 0;
        }
        char *t = payload_get(it->payload, "tracking");
        err_set(e, QS_E_DATA, RULE, "already shipped with tracking number %s", t);
        free(t);
        return QS_E_DATA;
    }
    if (it->state == OUTBOX_FAILED && !same) {
        /* Corrected after the marketplace refused it: a new revision of the key (the
         * refused one changed nothing there). */
        l->key = xasprintf("%s#%d", l->order_no, sync_key_rev(it->key) + 1);
        return 0;
    }
    if (!same && p->o.delay_type && it->state != OUTBOX_FAILED)
        return err_set(e, QS_E_DATA, "R-NOTE-13",
                       "a confirmation of this order is already queued (%s); a delay notice is "
                       "the order confirmation and works once per order",
                       outbox_state_name(it->state));
    if (!same && p->o.action == SYNC_SHIP) {
        char *t = payload_get(it->payload, "tracking");
        err_set(e, QS_E_DATA, RULE, "is already queued with tracking number %s (%s)", t,
                outbox_state_name(it->state));
        free(t);
        return QS_E_DATA;
    }
    l->key = xstrdup(it->key); /* queued already (a confirm keeps its first date) */
    return 0;
}

/* Picks the outbox key of a line, or settles it: see the man page's table. Returns 0, or
 * QS_E_DATA with e set when the input conflicts with what was sent or queued (another
 * QS_E_* code: the store failed). */
static int choose_key(struct sync_send *p, struct sync_pline *l, struct qs_err *e)
{
    struct outbox_item it;
    int rc = sync_box_current(p->d, p->kind, l->order_no, &it, e);
    if (rc >= 0)
        rc = choose_from(p, l, rc ? &it : NULL, e);
    sync_box_clear(&it);
    return rc;
}

static int bad(struct qs_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct qs_err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(e, QS_E_DATA, RULE, fmt, ap);
    va_end(ap);
    return QS_E_DATA;
}

/* R-SYN-1b: what an input line must be for the action. Returns 0 with *l the line to
 * plan, or a QS_E_* code (QS_E_DATA: a bad line, e set). */
static int check(struct sync_send *p, const struct sync_req *r, const struct syncdb_line *sl,
                 struct sync_pline *l, struct qs_err *e)
{
    const char *no = r->order_no ? r->order_no : "";
    const char *carrier = r->carrier ? r->carrier : "", *tracking = r->tracking ? r->tracking : "";

    if (!*no)
        return bad(e, "order_no is empty");
    if (p->o.action == SYNC_SHIP) {
        /* Reference 3.8: ShippingCorp at most 200 characters, TrackingNo at most 50. */
        if (!*carrier)
            return bad(e, "carrier is empty");
        if (!*tracking)
            return bad(e, "tracking is empty");
        if (strlen(carrier) > 200)
            return bad(e, "carrier \"%.40s...\" is longer than 200 bytes", carrier);
        if (strlen(tracking) > 50)
            return bad(e, "tracking \"%s\" is longer than 50 characters", tracking);
        /* Issue 8 item 15: no control character goes to the marketplace. */
        if (text_ctl_check("carrier", carrier, TEXT_LINE, RULE, e) < 0 ||
            text_ctl_check("tracking", tracking, TEXT_LINE, RULE, e) < 0)
            return QS_E_DATA;
        /* SPEC 1.2: what Excel made of a number (1.23457E+11) or of a lookup that found
         * nothing (#N/A) is never sent as one. */
        if (text_xl_error(carrier, strlen(carrier)))
            return bad(e, "carrier \"%s\" %s", carrier, text_xl_error_why);
        if (text_code_why(tracking, strlen(tracking)))
            return bad(e, "tracking \"%s\" %s", tracking,
                       text_code_why(tracking, strlen(tracking)));
    }
    if (!sl->found)
        return bad(e, "unknown order line %s; run qs sync orders first", no);
    if (sl->claim == 1 || sl->claim == 2)
        return bad(e, "a cancel is requested for this order line");
    if (sl->claim == 3 || sl->claim == 16)
        return bad(e, "the order line is cancelled");
    if (sl->status == 1)
        return bad(e, "the order line is not paid yet");
    pline_init(p, l, no, carrier, tracking, sl->order_date, r->line);
    if (p->o.action == SYNC_SHIP && sl->status >= 4) {
        if (strcmp(sl->tracking, tracking) == 0) {
            pline_pre(l, "already shipped");
            return 0;
        }
        return bad(e, "already shipped with tracking number %s", sl->tracking);
    }
    if (p->o.action == SYNC_SHIP && sync_send_alloc_skip(p, l))
        return 0;
    if (p->o.action == SYNC_CONFIRM && sl->status >= 3 && p->o.delay_type) {
        /* The same notice sent by qs before: done. Anything else: too late. */
        struct outbox_item it;
        int found = sync_box_current(p->d, p->kind, no, &it, e), done;
        done = found > 0 && it.state == OUTBOX_DONE && same_payload(p, &it, "", "");
        sync_box_clear(&it);
        if (found < 0)
            return found;
        if (done) {
            pline_pre(l, "already sent");
            return 0;
        }
        return err_set(e, QS_E_DATA, "R-NOTE-13",
                       "the order is already %s: a delay notice is the order confirmation and "
                       "works only before qs sync confirm",
                       sl->status == 3 ? "confirmed" : "shipped");
    }
    if (p->o.action == SYNC_CONFIRM && sl->status >= 3) {
        pline_pre(l, sl->status == 3 ? "already confirmed" : "already shipped");
        return 0;
    }
    return choose_key(p, l, e);
}

struct cart_ctx {
    struct sync_send *p;
    const char *carrier, *tracking;
    struct qs_err *e;
};

/* R-SYN-1b: the other lines of a cart ship with it (reference 3.8: once per OrderNo of
 * the cart); lines already shipped or cancelled are left as they are. */
static int cart_add(const char *order_no, void *ctx)
{
    struct cart_ctx *c = ctx;
    struct sync_send *p = c->p;
    struct syncdb_line sl;
    struct sync_pline l = {0};
    struct qs_err ignore;
    int rc;

    if ((rc = sync_plan_get(p, order_no, &l, c->e)) != 0) { /* planned already, or an error */
        sync_pline_clear(&l);
        return rc < 0 ? rc : 0;
    }
    if ((rc = syncdb_line_brief(p->d, order_no, &sl, c->e)) < 0)
        return rc;
    if (sl.found && sl.status >= 2 && sl.status <= 3 && sl.claim != 1 && sl.claim != 2 &&
        sl.claim != 3 && sl.claim != 16) {
        pline_init(p, &l, order_no, c->carrier, c->tracking, sl.order_date, 0);
        if (sync_send_alloc_skip(p, &l))
            rc = sync_plan_put(p, &l, c->e); /* R-STK-6: reported as skipped */
        else if ((rc = choose_key(p, &l, &ignore)) == 0 && !l.pre)
            rc = sync_plan_put(p, &l, c->e);
        else if (rc == QS_E_DATA || rc == 0)
            rc = 0; /* queued or sent with other values: that one stands */
        else
            *c->e = ignore; /* the store failed */
    }
    sync_pline_clear(&l);
    syncdb_line_clear(&sl);
    return rc;
}

int sync_send_begin(struct store *s, const struct sync_send_opts *o, sync_reject_fn rej, void *ctx,
                    struct sync_send **out, struct sync_send_stats *st, struct qs_err *e)
{
    struct sync_send *p = xcalloc(1, sizeof *p);
    int rc;

    memset(st, 0, sizeof *st);
    *out = p;
    p->s = s;
    p->o = *o;
    p->kind = o->action == SYNC_SHIP ? "ship" : "confirm";
    p->d = syncdb_new(s, o->shop);
    p->rej = rej;
    p->rej_ctx = ctx;
    p->st = st;
    tm_utc_iso(o->now, p->now, sizeof p->now);
    /* One read transaction for the whole plan (sync_read_begin). */
    if ((rc = sync_read_begin(s, &p->own, e)) < 0)
        return rc;
    p->reading = 1;
    if ((rc = sync_plan_reset(p, e)) < 0 || (rc = sync_send_alloc_load(p, e)) < 0)
        return rc;
    return 0;
}

int sync_send_add(struct sync_send *p, const struct sync_req *r, struct qs_err *e)
{
    struct syncdb_line sl;
    struct sync_pline l = {0};
    struct qs_err re;
    int rc;

    err_clear(&re);
    /* The same line twice: harmless when it asks for the same thing. */
    if ((rc = sync_plan_get(p, r->order_no ? r->order_no : "", &l, e)) < 0)
        return rc;
    if (rc > 0) {
        rc = 0;
        if (p->o.action == SYNC_SHIP && (strcmp(l.carrier, r->carrier ? r->carrier : "") ||
                                         strcmp(l.tracking, r->tracking ? r->tracking : "")))
            rc = err_set(&re, QS_E_DATA, RULE, "repeats line %ld with another carrier or tracking",
                         l.line);
        sync_pline_clear(&l);
        if (rc == 0)
            return 0;
    } else {
        if ((rc = syncdb_line_brief(p->d, r->order_no ? r->order_no : "", &sl, e)) < 0)
            return rc;
        rc = check(p, r, &sl, &l, &re);
        syncdb_line_clear(&sl);
        if (rc == 0)
            rc = sync_plan_put(p, &l, e);
        sync_pline_clear(&l);
        if (rc == 0)
            return 0;
        if (rc != QS_E_DATA) { /* the store failed */
            if (re.code)
                *e = re;
            return rc;
        }
    }
    p->nbad++;
    p->st->rejected++;
    err_at_sheet(&re, p->o.file, p->o.sheet, r->line, 0);
    err_record(&re, r->order_no ? r->order_no : "");
    if (p->rej)
        p->rej(r, &re, p->rej_ctx);
    return 0;
}

/* The other lines of each planned cart (ship). */
static int carts(struct sync_send *p, struct qs_err *e)
{
    long explicit = p->n;
    int rc = 0;
    for (long seq = 1; p->o.action == SYNC_SHIP && seq <= explicit && rc == 0; seq++) {
        struct sync_pline l = {0};
        if ((rc = sync_plan_at(p, seq, &l, e)) > 0) {
            struct cart_ctx c = {p, l.carrier, l.tracking, e};
            rc = syncdb_cart_each(p->d, l.order_no, cart_add, &c, e);
        }
        sync_pline_clear(&l);
    }
    return rc < 0 ? rc : 0;
}

int sync_send_end(struct sync_send *p, int rc, struct qs_err *e)
{
    if (!p)
        return rc;
    if (rc == 0 && p->nbad && !p->o.skip_bad)
        rc = err_set(e, QS_E_DATA, RULE, "%d bad input line%s: nothing was queued or sent", p->nbad,
                     p->nbad == 1 ? "" : "s");
    if (rc == 0)
        rc = carts(p, e);
    if (p->reading) {
        p->reading = 0;
        rc = sync_read_end(p->s, p->own, rc, e);
    }
    return rc;
}

struct enq_ctx {
    struct sync_send *p;
    struct qs_err *e;
};

static int enqueue_line(const struct sync_pline *l, void *ctx)
{
    struct enq_ctx *c = ctx;
    struct sync_send *p = c->p;
    json_t *pl;
    char *text;
    int rc;

    /* The payload carries what a later run needs to send or reconcile it alone. */
    if (p->o.action == SYNC_SHIP)
        pl = json_pack("{s:s, s:s, s:s, s:s}", "order_no", l->order_no, "carrier", l->carrier,
                       "tracking", l->tracking, "at", p->now);
    else
        pl = json_pack("{s:s, s:s, s:s, s:s}", "order_no", l->order_no, "est", p->o.est,
                       "order_date", l->order_date ? l->order_date : "", "at", p->now);
    if (pl && p->o.action == SYNC_SHIP && p->o.force) /* R-STK-6: sent even when allocated */
        json_object_set_new(pl, "force", json_string("yes"));
    if (pl && p->o.action == SYNC_CONFIRM && p->o.delay_type) { /* R-NOTE-13 */
        char dt[16];
        snprintf(dt, sizeof dt, "%d", p->o.delay_type);
        json_object_set_new(pl, "delay_type", json_string(dt));
        json_object_set_new(pl, "delay_memo", json_string(p->o.delay_memo ? p->o.delay_memo : ""));
    }
    text = pl ? json_dumps(pl, JSON_COMPACT) : NULL;
    json_decref(pl);
    if (!text)
        return err_set(c->e, QS_E_DATA, RULE, "order line %s: the input is not valid UTF-8",
                       l->order_no);
    rc = outbox_enqueue(p->s, p->o.shop, p->kind, l->key, text, p->o.now, NULL, c->e);
    free(text);
    return rc < 0 ? rc : 0; /* added, or there already */
}

int sync_send_enqueue(struct sync_send *p, struct qs_err *e)
{
    struct enq_ctx c = {p, e};
    int rc, own;

    if ((rc = syncdb_tx_begin(p->s, &own, e)) < 0)
        return rc;
    rc = sync_plan_each(p, 1, enqueue_line, &c, e);
    return syncdb_tx_end(p->s, own, rc < 0 ? rc : 0, e);
}

/* s: this run's last settlement of key (NULL: none). */
static int report_one(struct sync_send *p, const char *order_no, const char *key,
                      const struct sync_settled *s, sync_result_fn fn, void *ctx, struct qs_err *e)
{
    struct outbox_item item, *it = &item;
    struct sync_result r = {order_no, "retry", "", "queued", 0};
    int rc = sync_box_key(p->d, p->kind, key, &item, e);

    if (rc < 0)
        return rc;
    if (rc == 0)
        it = NULL;

    if (s) {
        r.result = s->result;
        r.code = s->code;
        r.message = s->msg;
    }
    if (it) {
        switch (it->state) {
        case OUTBOX_DONE:
            r.result = "ok";
            /* Done by an earlier run, or found done by this run's read (sync_send_run's
             * "already ..." and "sent before ..." settlements): not sent now. */
            r.already = !s || strncmp(s->msg, "already ", 8) == 0 ||
                        strncmp(s->msg, "sent before ", 12) == 0;
            if (!s)
                r.message = it->ref && *it->ref ? it->ref : "sent";
            break;
        case OUTBOX_FAILED:
            r.result = "failed";
            if (!s)
                r.message = it->last_error ? it->last_error : "refused";
            break;
        case OUTBOX_UNKNOWN:
            r.result = "unknown";
            if (!s)
                r.message = "in flight when its run died; qs could not tell whether it was sent";
            break;
        case OUTBOX_CLAIMED:
            r.result = "retry";
            r.message = "being sent by another qs run";
            break;
        case OUTBOX_WITHDRAWN: /* R-STK-6: taken back unsent (sync_send_run.c) */
            r.result = "skipped";
            if (!s)
                r.message = it->last_error ? it->last_error : "withdrawn";
            break;
        default:
            r.result = "retry";
            if (!s)
                r.message = it->last_error ? it->last_error : "queued";
        }
    }
    rc = fn(&r, ctx);
    sync_box_clear(&item);
    return rc;
}

int sync_send_plan(struct store *s, const struct sync_send_opts *o, const struct sync_req *reqs,
                   size_t n, sync_reject_fn rej, void *ctx, struct sync_send **out,
                   struct sync_send_stats *st, struct qs_err *e)
{
    int rc = sync_send_begin(s, o, rej, ctx, out, st, e);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = sync_send_add(*out, &reqs[i], e);
    return sync_send_end(*out, rc, e);
}

struct rep_ctx {
    struct sync_send *p;
    sync_result_fn fn;
    void *ctx;
    struct qs_err *e;
};

static int report_line(const struct sync_pline *l, void *ctx)
{
    struct rep_ctx *c = ctx;
    if (l->pre) {
        /* pline_pre: settled by the plan, without a send ("already sent"). */
        struct sync_result r = {l->order_no, l->pre, "", l->pre_msg ? l->pre_msg : "",
                                strcmp(l->pre, "ok") == 0};
        return c->fn(&r, c->ctx);
    }
    return report_one(c->p, l->order_no, l->key, l->set.result ? &l->set : NULL, c->fn, c->ctx,
                      c->e);
}

static int report_set(const struct sync_settled *s, void *ctx)
{
    struct rep_ctx *c = ctx;
    return report_one(c->p, s->order_no, s->key, s, c->fn, c->ctx, c->e);
}

/* The planned lines in order (temp.sync_plan), then the items of earlier runs this run
 * settled too (temp.sync_plan_set holds no key of the plan). */
static int report(struct sync_send *p, sync_result_fn fn, void *ctx, struct qs_err *e)
{
    struct rep_ctx c = {p, fn, ctx, e};
    int rc = sync_plan_each(p, 0, report_line, &c, e);
    if (rc == 0)
        rc = sync_plan_settled_each(p, report_set, &c, e);
    return rc;
}

int sync_send_report(struct sync_send *p, sync_result_fn fn, void *ctx, struct qs_err *e)
{
    int own, rc;
    if ((rc = sync_read_begin(p->s, &own, e)) < 0)
        return rc;
    return sync_read_end(p->s, own, report(p, fn, ctx, e), e);
}

void sync_send_free(struct sync_send *p)
{
    if (!p)
        return;
    if (p->reading)
        sync_send_end(p, QS_E_SOFTWARE, NULL);
    sync_send_alloc_free(p);
    syncdb_free(p->d);
    free(p);
}

int sync_est_ship_date(const char *date, time_t now, char est[16], struct qs_err *e)
{
    char today[16], t_est[16], limit[16];
    time_t t;

    /* Reference 3.8: EstShipDt is yyyyMMdd in Japan time, after today, and (one team
     * found) at most 30 days ahead. */
    tm_format_jst(now, "%Y%m%d", today, sizeof today);
    tm_format_jst(now + 30L * 86400, "%Y%m%d", limit, sizeof limit);
    if (!date) {
        tm_format_jst(now + 86400, "%Y%m%d", est, 16);
        return 0;
    }
    if (tm_parse(date, "Asia/Tokyo", now, &t, e) < 0)
        return err_set(e, QS_E_USAGE, RULE, "--ship-by \"%s\" is not a date (YYYY-MM-DD)", date);
    tm_format_jst(t, "%Y%m%d", t_est, sizeof t_est);
    if (strcmp(t_est, today) <= 0)
        return err_set(e, QS_E_USAGE, RULE,
                       "--ship-by %s is not after today in Japan (%.4s-%.2s-%.2s); choose a later "
                       "date",
                       date, today, today + 4, today + 6);
    if (strcmp(t_est, limit) > 0)
        return err_set(e, QS_E_USAGE, RULE,
                       "--ship-by %s is more than 30 days ahead; choose %.4s-%.2s-%.2s or earlier",
                       date, limit, limit + 4, limit + 6);
    snprintf(est, 16, "%s", t_est);
    return 0;
}

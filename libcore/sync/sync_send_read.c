/* sync_send_read: what the marketplace holds, read back before anything of `qs sync ship`
 * and `qs sync confirm` is sent again (SPEC 1.6, R-SYN-1b, R-SYN-9): the view of the
 * lines a window of GetShippingInfo_v3 shows, the reconciling of items left in flight, and
 * the reading back of refused lines. Below sync_send_run.c, which sends and settles. */
#include "sync_int.h"

#include <stdlib.h>
#include <string.h>

#include "../tm.h"
#include "../xalloc.h"

#define SKEW 3600 /* the marketplace's clock may run ahead of ours */

void sync_send_view_clear(struct sync_mview *m)
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
    return strcmp(((const struct sync_mv_line *)a)->order_no,
                  ((const struct sync_mv_line *)b)->order_no);
}

static int mview_add(const struct sync_window *w, json_t *rows, void *ctx)
{
    struct sync_mview *m = ctx;
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
            m->v[m->n++] =
                (struct sync_mv_line){xstrdup(o.order_no), xstrdup(o.tracking), o.status};
        }
        sync_order_clear(&o);
    }
    return 0;
}

/* Reads [from, to] into the view: for ship the lines shipped or delivered by shipping
 * date, for confirm the lines confirmed or later by order date. */
static int mview_fetch(struct sync_run *r, time_t from, time_t to)
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
                        NULL, mview_add, &r->mv, &fs, r->e);
    r->st->calls_ok += fs.calls;
    if (rc < 0)
        r->st->calls_failed++;
    return rc;
}

/* Makes the view cover [from, to], reading only what it lacks. */
int sync_send_view_cover(struct sync_run *r, time_t from, time_t to)
{
    struct sync_mview *m = &r->mv;
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
        sync_send_view_clear(m);
        return rc;
    }
    m->have = 1;
    if (m->n) /* qsort(NULL, 0, ...) is undefined */
        qsort(m->v, m->n, sizeof *m->v, mv_cmp);
    return 0;
}

static const struct sync_mv_line *mview_get(const struct sync_mview *m, const char *order_no)
{
    struct sync_mv_line k = {(char *)order_no, NULL, 0};
    return m->n ? bsearch(&k, m->v, m->n, sizeof *m->v, mv_cmp) : NULL;
}

json_t *sync_send_payload(const struct outbox_item *it)
{
    return json_loads(it->payload ? it->payload : "{}", 0, NULL);
}

/* A payload field, malloc'd ("" when missing). */
char *sync_send_pget(const struct outbox_item *it, const char *name)
{
    json_t *o = sync_send_payload(it);
    char *v = sync_jget(o, name);
    json_decref(o);
    return v;
}

/* The window an item's send, if it happened, shows up in: for ship the shipping date
 * falls after the item was queued; for confirm the order date is known. */
void sync_send_bounds(const struct sync_run *r, const struct outbox_item *it, time_t *from,
                      time_t *to)
{
    time_t now = r->now, t;
    char *v = sync_send_pget(it, r->p->o.action == SYNC_SHIP ? "at" : "order_date");
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

void sync_send_widen(time_t *lo, time_t *hi, int *have, time_t from, time_t to)
{
    if (!*have || from < *lo)
        *lo = from;
    if (!*have || to > *hi)
        *hi = to;
    *have = 1;
}

/* What the view says about an item. *tracking (ship) gets the tracking number found. */
enum outbox_recon sync_send_judge(const struct sync_run *r, const struct outbox_item *it,
                                  char **found)
{
    char *no = sync_send_pget(it, "order_no"), *tracking = sync_send_pget(it, "tracking");
    const struct sync_mv_line *l = mview_get(&r->mv, no);
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
enum outbox_recon sync_send_recon(const struct outbox_item *it, char **ref, void *ctx)
{
    struct sync_run *r = ctx;
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
    sync_send_bounds(r, it, &from, &to);
    sync_send_widen(&r->lo, &r->hi, &r->have_bounds, from, to);
    if (sync_send_view_cover(r, r->lo, r->hi) < 0) {
        r->read_failed = 1;
        err_clear(r->e);
        return OUTBOX_RECON_UNKNOWN; /* put back to pending by the next run, then read again */
    }
    v = sync_send_judge(r, it, NULL);
    if (v == OUTBOX_RECON_SENT)
        *ref = xstrdup("found on the marketplace after its run died");
    return v;
}

/* ---- results of a line ----------------------------------------------------------- */

void sync_send_lres_set(struct sync_lres *l, const char *result, int code, const char *msg)
{
    l->result = result;
    l->code = code;
    free(l->msg);
    l->msg = xstrdup(msg ? msg : "");
}

/* ---- refused lines ---------------------------------------------------------------- */

/* One order line as the marketplace holds it; *row NULL when it does not know it. */
static int read_order(struct sync_run *r, const char *order_no, json_t **row)
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
static void judge_row(const struct sync_run *r, const struct outbox_item *it, const json_t *row,
                      struct sync_lres *l)
{
    struct sync_order o = {0};
    int code = l->code;

    sync_order_from_row(&o, row);
    if (r->p->o.action == SYNC_SHIP && o.status >= 4) {
        char *tracking = sync_send_pget(it, "tracking");
        if (strcmp(o.tracking ? o.tracking : "", tracking) == 0) {
            sync_send_lres_set(l, "ok", code, "already shipped with this tracking number");
        } else {
            char *msg = xasprintf("already shipped with tracking number %s",
                                  o.tracking && *o.tracking ? o.tracking : "?");
            sync_send_lres_set(l, "failed", code, msg);
            free(msg);
        }
        free(tracking);
    } else if (r->p->o.action == SYNC_CONFIRM && o.status >= 3) {
        char *dt = sync_send_pget(it, "delay_type"), *est = sync_send_pget(it, "est"),
             *shown =
                 sync_jstr(row, (const char *const[]){"EstShippingDate", "EstimatedShippingDate",
                                                      "estShippingDate", NULL});
        char a[9], b[9];
        ymd_digits(est, a);
        ymd_digits(shown, b);
        if (!*dt)
            sync_send_lres_set(l, "ok", code, "already confirmed");
        else if (*a && strcmp(a, b) == 0)
            sync_send_lres_set(l, "ok", code, "already confirmed with this ship date");
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
int sync_send_already(struct sync_run *r, struct outbox_item **items, struct sync_lres *res,
                      size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_t *row = NULL;
        char *no;
        if (!res[i].result || strcmp(res[i].result, "failed") != 0)
            continue;
        no = sync_send_pget(items[i], "order_no");
        if (read_order(r, no, &row) < 0) {
            char *msg = xasprintf("%s; reading the order back failed (%s): it is read again "
                                  "before anything is resent",
                                  res[i].msg, r->e->msg);
            sync_send_lres_set(&res[i], "retry", res[i].code, msg);
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

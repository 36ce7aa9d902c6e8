/* notify_event: the events of R-SYN-4, derived from the order lines' state changes that
 * `qs sync orders` records (order_event): per cart (PackNo) order, paid, completed; per
 * line cancel-requested, cancelled. Each lands once in notify_event (UNIQUE shop, kind,
 * ref), whatever the number of runs reading the same changes. */
#include "notify_int.h"

#include <stdlib.h>
#include <string.h>

#include "../sync/sync.h"
#include "../xalloc.h"

#define RULE "R-SYN-4"

/* Claim states (qapi.md section 4): 1 cancel requested, 2 cancelling, 3 cancel completed,
 * 16 unpaid order cancelled. */
static int claim_open(int c)
{
    return c == 1 || c == 2;
}

static int claim_cancelled(int c)
{
    return c == 3 || c == 16;
}

struct raw_ev {
    long long id;
    char *order_no, *pack_no, *at, *kind, *old, *now;
};

struct raw_evs {
    struct raw_ev *v;
    size_t n, cap;
};

static int raw_add(const struct sync_event *ev, void *p)
{
    struct raw_evs *r = p;
    if (r->n == r->cap)
        r->v = xrealloc(r->v, (r->cap = r->cap ? 2 * r->cap : 64) * sizeof *r->v);
    r->v[r->n++] = (struct raw_ev){ev->id,          xstrdup(ev->order_no), xstrdup(ev->pack_no),
                                   xstrdup(ev->at), xstrdup(ev->kind),     xstrdup(ev->old),
                                   xstrdup(ev->now)};
    return 0;
}

/* What a cart's lines say: lines not cancelled, and of those how many are paid (2+) and
 * delivered (5). */
struct cart_state {
    long live, paid, delivered, cancel_open, cancelled;
};

static int cart_count(const struct sync_cart_line *l, void *p)
{
    struct cart_state *c = p;
    if (claim_cancelled(l->claim))
        c->cancelled++;
    if (claim_open(l->claim))
        c->cancel_open++;
    if (claim_cancelled(l->claim) || claim_open(l->claim))
        return 0;
    c->live++;
    c->paid += l->status >= 2;
    c->delivered += l->status == 5;
    return 0;
}

static int cart_state(struct store *s, const char *shop, const char *pack_no, const char *order_no,
                      struct cart_state *c, struct qs_err *e)
{
    memset(c, 0, sizeof *c);
    int rc = sync_cart_each(s, shop, pack_no, order_no, cart_count, c, e);
    return rc < 0 ? rc : 0;
}

static int add(struct store *s, const char *shop, int kind, const char *ref, const char *pack,
               const char *at, long *added, struct qs_err *e)
{
    int rc = store_run(s, e,
                       "INSERT INTO notify_event(shop, kind, ref, pack_no, at, state)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, 'open') ON CONFLICT DO NOTHING",
                       "sssss", shop, notify_event_name(kind), ref, pack, at);
    if (rc == 0 && store_changes(s) == 1)
        (*added)++;
    return rc;
}

/* The events one order_event row makes (R-SYN-4). */
static int derive(struct store *s, const char *shop, const struct raw_ev *r, long *added,
                  struct qs_err *e)
{
    const char *cart = r->pack_no[0] ? r->pack_no : r->order_no;
    struct cart_state c;
    int rc = 0, st = atoi(r->now);

    if (strcmp(r->kind, "new") == 0 || strcmp(r->kind, "status") == 0) {
        if (strcmp(r->kind, "new") == 0 &&
            (rc = add(s, shop, NOTIFY_EV_ORDER, cart, r->pack_no, r->at, added, e)) < 0)
            return rc;
        if (st < 2)
            return 0;
        if ((rc = cart_state(s, shop, r->pack_no, r->order_no, &c, e)) < 0)
            return rc;
        /* paid: the cart's lines (those not being cancelled) all reached status 2 */
        if (c.live > 0 && c.paid == c.live &&
            (rc = add(s, shop, NOTIFY_EV_PAID, cart, r->pack_no, r->at, added, e)) < 0)
            return rc;
        /* completed: QAPI has no such state; qs reads every line in status 5 */
        if (st == 5 && c.live > 0 && c.delivered == c.live)
            rc = add(s, shop, NOTIFY_EV_COMPLETED, cart, r->pack_no, r->at, added, e);
    } else if (strcmp(r->kind, "claim") == 0) {
        int old = atoi(r->old);
        if (claim_open(st) && !claim_open(old) && !claim_cancelled(old))
            rc = add(s, shop, NOTIFY_EV_CANCEL_REQ, r->order_no, r->pack_no, r->at, added, e);
        else if (claim_cancelled(st) && !claim_cancelled(old))
            rc = add(s, shop, NOTIFY_EV_CANCELLED, r->order_no, r->pack_no, r->at, added, e);
    }
    return rc;
}

int notify_events_scan(struct store *s, const char *shop, int own_tx, long *added, struct qs_err *e)
{
    struct raw_evs r = {0};
    struct store_text t;
    char buf[32] = "";
    int rc;

    *added = 0;
    t.buf = buf;
    t.size = sizeof buf;
    if (own_tx && (rc = store_begin(s, e)) < 0)
        return rc;
    if ((rc = store_each(s, "SELECT last_event FROM notify_mark WHERE shop = ?1", store_row_text,
                         &t, e, "s", shop)) < 0 ||
        (rc = sync_events_after(s, shop, atoll(buf), raw_add, &r, e)) < 0)
        goto fail;
    for (size_t i = 0; i < r.n; i++)
        if ((rc = derive(s, shop, &r.v[i], added, e)) < 0)
            goto fail;
    if (r.n && (rc = store_run(s, e,
                               "INSERT INTO notify_mark(shop, last_event) VALUES (?1, ?2)"
                               " ON CONFLICT(shop) DO UPDATE SET last_event = excluded.last_event",
                               "sl", shop, r.v[r.n - 1].id)) < 0)
        goto fail;
    if (own_tx && (rc = store_commit(s, e)) < 0)
        goto fail;
    goto out;
fail:
    if (own_tx)
        store_rollback(s);
out:
    for (size_t i = 0; i < r.n; i++) {
        free(r.v[i].order_no);
        free(r.v[i].pack_no);
        free(r.v[i].at);
        free(r.v[i].kind);
        free(r.v[i].old);
        free(r.v[i].now);
    }
    free(r.v);
    return rc;
}

struct evs {
    struct notify_ev *v;
    size_t n, cap;
};

static int ev_row(sqlite3_stmt *st, void *p)
{
    struct evs *o = p;
    if (o->n == o->cap)
        o->v = xrealloc(o->v, (o->cap = o->cap ? 2 * o->cap : 64) * sizeof *o->v);
    o->v[o->n++] =
        (struct notify_ev){sqlite3_column_int64(st, 0), notify_event_parse(store_col_text(st, 1)),
                           xstrdup(store_col_text(st, 2)), xstrdup(store_col_text(st, 3)),
                           xstrdup(store_col_text(st, 4))};
    return 0;
}

int notify_events_open(struct store *s, const char *shop, struct notify_ev **out, size_t *n,
                       struct qs_err *e)
{
    struct evs o = {0};
    int rc = store_each(s,
                        "SELECT id, kind, ref, pack_no, at FROM notify_event"
                        " WHERE shop = ?1 AND state = 'open' ORDER BY id",
                        ev_row, &o, e, "s", shop);
    if (rc < 0) {
        notify_evs_free(o.v, o.n);
        o.v = NULL;
        o.n = 0;
    }
    *out = o.v;
    *n = o.n;
    return rc < 0 ? rc : 0;
}

void notify_evs_free(struct notify_ev *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].ref);
        free(v[i].pack_no);
        free(v[i].at);
    }
    free(v);
}

int notify_event_close(struct store *s, long long id, struct qs_err *e)
{
    return store_run(s, e, "UPDATE notify_event SET state = 'done' WHERE id = ?1", "l", id);
}

int notify_event_stands(struct store *s, const char *shop, const struct notify_ev *ev,
                        struct qs_err *e)
{
    struct cart_state c;
    int line = ev->kind == NOTIFY_EV_CANCEL_REQ || ev->kind == NOTIFY_EV_CANCELLED;
    int rc = cart_state(s, shop, line ? NULL : ev->pack_no, ev->ref, &c, e);
    if (rc < 0)
        return rc;
    switch (ev->kind) {
    case NOTIFY_EV_ORDER:
    case NOTIFY_EV_PAID:
        /* e.g. no cancel within the period (R-SYN-4) */
        return c.live > 0 && c.cancel_open == 0 && c.cancelled == 0;
    case NOTIFY_EV_COMPLETED:
        return c.live > 0 && c.delivered == c.live;
    case NOTIFY_EV_CANCEL_REQ:
        return c.cancel_open > 0 || c.cancelled > 0;
    default:
        return c.cancelled > 0;
    }
}

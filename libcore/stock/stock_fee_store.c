/* stock_fee_store: R-STK-8 from the store -- pieces on hand at a month's end from the
 * snapshots of QSM's Q-inventory download, pieces shipped from the order lines of linked
 * items, the month of an option's first inbound, and the months paid (stock_fee_paid). */
#include <string.h>

#include "../tm.h"
#include "stock_fee.h"
#include "../inbound/inbound.h"

#define RULE "R-STK-8"

struct snap {
    long long id;
    char *at;
};

static int snap_row(sqlite3_stmt *st, void *p)
{
    struct snap *sn = p;
    sn->id = sqlite3_column_int64(st, 0);
    snprintf(sn->at, 32, "%s", store_col_text(st, 1));
    return 1;
}

/* R-STK-8: the month of the option's first completed inbound: the first inbound bundle
 * completed with inspected units of it (R-INB-4); when qs knows no completed inbound of it
 * (stock sent before qs kept bundles), the month of the first snapshot showing the option
 * with pieces at the branch (branch_qty > 0). */
int stock_fee_first_month(struct store *s, const char *shop, const char *q_sku,
                          struct stock_month *m, int *found, struct qs_err *e)
{
    char at[32] = "";
    struct store_text t = {at, sizeof at};
    time_t when;
    int rc;
    *found = 0;
    if ((rc = inbound_first_completed(s, shop, q_sku, at, e)) < 0)
        return rc;
    if (!at[0])
        rc = store_each(s,
                        "SELECT min(s.taken_at) FROM stock_snapshot s JOIN stock_snapshot_row r"
                        " ON r.snapshot = s.id WHERE s.shop = ?1 AND r.q_sku = ?2"
                        " AND r.branch_qty > 0",
                        store_row_text, &t, e, "ss", shop, q_sku);
    if (rc < 0)
        return rc;
    if (at[0] && tm_parse_utc_iso(at, &when) == 0) {
        *m = stock_month_of(when);
        *found = 1;
    }
    return 0;
}

/* The options of a snapshot with the pieces shipped in [?3, ?4) of the items (or the
 * item's options) linked to each: order lines shipped or delivered (status 4, 5) whose
 * shipped_date falls in the month. A link counts while it stands in QSM: 'linked', or an
 * unlink only written to the to-do list ('unlink-todo'). A line counts once however many
 * links match it. */
static const char fee_sql[] =
    "SELECT r.q_sku, r.seller_sku, r.name, r.branch_qty,"
    " (SELECT coalesce(sum(o.qty), 0) FROM order_line o WHERE o.shop = ?1"
    "  AND o.status IN (4, 5) AND o.shipped_date >= ?3 AND o.shipped_date < ?4"
    "  AND EXISTS (SELECT 1 FROM stock_link l WHERE l.shop = o.shop AND l.q_sku = r.q_sku"
    "   AND l.state IN ('linked', 'unlink-todo') AND l.item_code = o.item_code"
    "   AND (l.option = '' OR l.option = o.option_code OR l.option = o.option_text)))"
    " FROM stock_snapshot_row r WHERE r.snapshot = ?2 ORDER BY r.q_sku";

struct walk {
    struct store *s;
    const char *shop;
    const struct stock_fee_opts *o;
    stock_fee_fn fn;
    void *ctx;
    struct stock_fee_total *out;
    struct qs_err *e;
    int day, days;
};

static int fee_row(sqlite3_stmt *st, void *p)
{
    struct walk *w = p;
    struct stock_fee_row r = {
        .q_sku = store_col_text(st, 0),
        .seller_sku = store_col_text(st, 1),
        .name = store_col_text(st, 2),
        .on_hand = sqlite3_column_int64(st, 3),
        .shipped = sqlite3_column_int64(st, 4),
        .projected = -1,
    };
    struct stock_month first;
    char fm[8] = "";
    int found, rc;
    if ((rc = stock_fee_first_month(w->s, w->shop, r.q_sku, &first, &found, w->e)) < 0)
        return rc;
    if (found)
        stock_month_format(first, fm, sizeof fm);
    r.first_month = fm;
    int first_inbound = found && stock_month_cmp(first, w->o->month) == 0;
    long long counted = r.shipped;
    if (w->o->forecast) {
        /* The rest of the month ships at the pace so far; what ships leaves the branch. */
        r.projected = stock_fee_project(r.shipped, w->day, w->days);
        r.on_hand -= r.projected - r.shipped;
        if (r.on_hand < 0)
            r.on_hand = 0;
        r.to_avoid = r.shipped < STOCK_FEE_MIN_SHIPPED ? STOCK_FEE_MIN_SHIPPED - r.shipped : 0;
        counted = r.projected;
    }
    r.fee = stock_fee_of(counted, r.on_hand, first_inbound, &r.reason);
    w->out->options++;
    if (r.fee > 0) {
        w->out->charged++;
        w->out->fee += r.fee;
    }
    if (w->o->forecast && r.fee == 0)
        return 0; /* a forecast lists the options that will pay */
    if (w->fn && (rc = w->fn(w->ctx, &r, w->e)) < 0)
        return rc;
    return 0;
}

static int paid_row(sqlite3_stmt *st, void *p)
{
    struct stock_fee_total *t = p;
    snprintf(t->paid_at, sizeof t->paid_at, "%s", store_col_text(st, 0));
    t->paid_amount = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 1);
    return 1;
}

int stock_fees(struct store *s, const char *shop, const struct stock_fee_opts *o, stock_fee_fn fn,
               void *ctx, struct stock_fee_total *out, struct qs_err *e)
{
    struct walk w = {s, shop, o, fn, ctx, out, e, 0, 0};
    struct snap sn = {0, out->counted_at};
    time_t from, to;
    char f[32], t[32], mo[8];
    int rc;

    memset(out, 0, sizeof *out);
    out->paid_amount = -1;
    stock_month_format(o->month, mo, sizeof mo);
    stock_month_bounds(o->month, &from, &to);
    if (o->forecast) {
        struct stock_month cur = stock_month_of(o->now);
        char c[8];
        if (stock_month_cmp(cur, o->month) != 0)
            return err_set(e, QS_E_USAGE, RULE, "--forecast projects the current month, %s, not %s",
                           stock_month_format(cur, c, sizeof c), mo);
        to = o->now + 1; /* shipments so far, and the latest snapshot */
        w.day = (int)((o->now - from) / 86400) + 1;
        w.days = stock_month_days(o->month);
    }
    tm_utc_iso(from, f, sizeof f);
    tm_utc_iso(to, t, sizeof t);
    /* R-STK-8: on hand at the month's end = the branch_qty of the last snapshot taken before
     * the month ended (QSM refreshes the quantities daily; a later one would count next
     * month's inbounds and shipments). */
    if ((rc = store_each(s,
                         "SELECT id, taken_at FROM stock_snapshot WHERE shop = ?1 AND taken_at < ?2"
                         " ORDER BY taken_at DESC, id DESC LIMIT 1",
                         snap_row, &sn, e, "ss", shop, t)) < 0)
        return rc;
    if (!sn.id)
        return err_set(e, QS_E_DATA, RULE,
                       "no snapshot of shop %s's Q-inventory was taken before the end of %s, so "
                       "the pieces on hand are unknown; import QSM's download with qs stock import",
                       shop, mo);
    out->snapshot = sn.id;
    if ((rc = store_each(
             s, "SELECT recorded_at, amount FROM stock_fee_paid WHERE shop = ?1 AND month = ?2",
             paid_row, out, e, "ss", shop, mo)) < 0)
        return rc;
    if ((rc = store_each(s, fee_sql, fee_row, &w, e, "slss", shop, sn.id, f, t)) < 0)
        return rc;
    return 0;
}

int stock_fee_months(struct store *s, const char *shop, time_t now,
                     int (*fn)(void *ctx, struct stock_month m, const struct stock_fee_total *t,
                               struct qs_err *e),
                     void *ctx, struct qs_err *e)
{
    char at[32] = "";
    struct store_text tx = {at, sizeof at};
    struct stock_month m, cur = stock_month_of(now);
    time_t first;
    int rc, n = 0;
    if ((rc = store_each(s, "SELECT min(taken_at) FROM stock_snapshot WHERE shop = ?1",
                         store_row_text, &tx, e, "s", shop)) < 0)
        return rc;
    if (!at[0] || tm_parse_utc_iso(at, &first) < 0)
        return 0;
    for (m = stock_month_of(first); stock_month_cmp(m, cur) < 0; m = stock_month_add(m, 1)) {
        struct stock_fee_opts o = {m, 0, now};
        struct stock_fee_total t;
        if ((rc = stock_fees(s, shop, &o, NULL, NULL, &t, e)) < 0 || (rc = fn(ctx, m, &t, e)) < 0)
            return rc;
        n++;
    }
    return n;
}

int stock_fee_pay(struct store *s, const char *shop, struct stock_month month, time_t now,
                  long long *amount, int *already, struct qs_err *e)
{
    struct stock_month cur = stock_month_of(now);
    struct stock_fee_opts o = {month, 0, now};
    struct stock_fee_total t;
    char mo[8], at[32];
    int rc;
    *already = 0;
    *amount = -1;
    stock_month_format(month, mo, sizeof mo);
    /* R-STK-8: QSM bills a month in the middle of the next one. */
    if (stock_month_cmp(month, cur) >= 0)
        return err_set(e, QS_E_DATA, RULE,
                       "%s has not ended, so QSM has not billed it yet (the bill comes in the "
                       "middle of the next month); record the payment after paying it",
                       mo);
    rc = stock_fees(s, shop, &o, NULL, NULL, &t, e);
    if (rc == QS_E_DATA) {
        err_clear(e); /* paid without a snapshot qs could reckon it from: amount unknown */
        t.fee = -1;
    } else if (rc < 0)
        return rc;
    *amount = t.fee;
    tm_utc_iso(now, at, sizeof at);
    if (t.fee < 0)
        rc = store_run(s, e,
                       "INSERT INTO stock_fee_paid (shop, month, amount, recorded_at)"
                       " VALUES (?1, ?2, NULL, ?3) ON CONFLICT (shop, month) DO NOTHING",
                       "sss", shop, mo, at);
    else
        rc = store_run(s, e,
                       "INSERT INTO stock_fee_paid (shop, month, amount, recorded_at)"
                       " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (shop, month) DO NOTHING",
                       "ssls", shop, mo, t.fee, at);
    if (rc < 0)
        return rc;
    *already = store_changes(s) == 0;
    return 0;
}

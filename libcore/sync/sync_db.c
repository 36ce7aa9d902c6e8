/* sync_db: the SQL of the sync module on order_line, order_event and sync_mark, and on its
 * per-connection TEMP tables of what a run saw; the statement cache of a run and its
 * helpers (market_item's statements are in sync_db_items.c). */
#include "sync_int.h"

#include <stdlib.h>
#include <string.h>

#include "../xalloc.h"

const char *const sync_change_names[3] = {"same", "changed", "new"};

#define LINE_COLS                                                                                  \
    "pack_no, status, item_code, seller_code, option_code, option_text, title, qty, price,"        \
    " discount, total, buyer, buyer_email, buyer_tel, receiver, receiver_tel, zip, address,"       \
    " payment_method, order_date, paid_date, ship_by, shipped_date, delivered_date, carrier,"      \
    " tracking, related, raw, raw_sum"

static const char *const sql[ST_COUNT] = {
    [ST_LINE_GET] = "SELECT status, claim, pack_no, carrier, tracking, related, order_date,"
                    " claim_raw, raw FROM order_line WHERE shop = ?1 AND order_no = ?2",
    [ST_LINE_BRIEF] = "SELECT status, claim, pack_no, carrier, tracking, related, order_date"
                      " FROM order_line WHERE shop = ?1 AND order_no = ?2",
    [ST_LINE_SAME] = "SELECT 1 FROM order_line WHERE shop = ?1 AND order_no = ?2 AND status = ?3"
                     " AND raw_sum = ?4",
    [ST_LINE_INS] = "INSERT INTO order_line(shop, order_no, " LINE_COLS ", created_at, updated_at)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
                    " ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30,"
                    " ?32, ?31, ?31)",
    [ST_LINE_UPD] = "UPDATE order_line SET pack_no = ?3, status = ?4, item_code = ?5,"
                    " seller_code = ?6, option_code = ?7, option_text = ?8, title = ?9, qty = ?10,"
                    " price = ?11, discount = ?12, total = ?13, buyer = ?14, buyer_email = ?15,"
                    " buyer_tel = ?16, receiver = ?17, receiver_tel = ?18, zip = ?19,"
                    " address = ?20, payment_method = ?21, order_date = ?22, paid_date = ?23,"
                    " ship_by = ?24, shipped_date = ?25, delivered_date = ?26, carrier = ?27,"
                    " tracking = ?28, related = ?29, raw = ?30, updated_at = ?31,"
                    " raw_sum = ?32 WHERE shop = ?1 AND order_no = ?2",
    /* a line stored before raw_sum (schema: order_line.raw_sum), or by another build */
    [ST_LINE_SUM] = "UPDATE order_line SET raw_sum = ?3 WHERE shop = ?1 AND order_no = ?2"
                    " AND raw_sum IS NOT ?3",
    [ST_EVENT] = "INSERT INTO order_event(shop, order_no, at, kind, old, new)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_SEEN] = "INSERT INTO temp.sync_seen(shop, order_no, change) VALUES (?1, ?2, ?3)"
                " ON CONFLICT(shop, order_no) DO UPDATE SET change = max(change, excluded.change)",
    [ST_CLAIM_UPD] = "UPDATE order_line SET claim = ?3, claim_reason = ?4, claim_date = ?5,"
                     " claim_raw = ?6, updated_at = ?7 WHERE shop = ?1 AND order_no = ?2",
    [ST_STATUS_UPD] = "UPDATE order_line SET status = ?3, carrier = ?4, tracking = ?5,"
                      " updated_at = ?6 WHERE shop = ?1 AND order_no = ?2",
    [ST_CART] = "SELECT order_no FROM order_line WHERE shop = ?1 AND pack_no = ?2"
                " AND pack_no <> '' AND order_no <> ?3 ORDER BY order_no",
    [ST_SHIPPED] = "UPDATE order_line SET status = max(status, 4), carrier = ?3, tracking = ?4,"
                   " shipped_date = ?5, updated_at = ?5 WHERE shop = ?1 AND order_no = ?2",
    [ST_CONFIRMED] = "UPDATE order_line SET status = max(status, 3), ship_by = ?3,"
                     " updated_at = ?4 WHERE shop = ?1 AND order_no = ?2",
    [ST_MARK_GET] = "SELECT mark FROM sync_mark WHERE shop = ?1 AND stream = ?2",
    [ST_MARK_SET] = "INSERT INTO sync_mark(shop, stream, mark, updated_at) VALUES (?1, ?2, ?3, ?4)"
                    " ON CONFLICT(shop, stream) DO UPDATE SET mark = excluded.mark,"
                    " updated_at = excluded.updated_at",
    /* by the index order_line_date alone (it holds the status): no row is read */
    [ST_NTH_DATE] = "SELECT order_date FROM order_line WHERE shop = ?1 AND order_date >= ?2"
                    " AND status BETWEEN ?3 AND ?4 ORDER BY order_date LIMIT 1 OFFSET ?5",
};

struct syncdb {
    struct store *s;
    char *shop;
    sqlite3_stmt *st[ST_COUNT];
};

struct syncdb *syncdb_new(struct store *s, const char *shop)
{
    struct syncdb *d = xcalloc(1, sizeof *d);
    d->s = s;
    d->shop = xstrdup(shop);
    return d;
}

void syncdb_free(struct syncdb *d)
{
    if (!d)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(d->st[i]);
    free(d->shop);
    free(d);
}

struct store *syncdb_store(struct syncdb *d)
{
    return d->s;
}

const char *syncdb_shop(const struct syncdb *d)
{
    return d->shop;
}

/* The TEMP tables of what this connection's run saw: private to the connection, so two
 * runs never mix, and they need no lock on the store. */
int syncdb_temp_tables(struct syncdb *d, struct qs_err *e)
{
    return store_exec(d->s,
                      "CREATE TEMP TABLE IF NOT EXISTS sync_seen (shop TEXT NOT NULL,"
                      " order_no TEXT NOT NULL, change INTEGER NOT NULL,"
                      " PRIMARY KEY (shop, order_no));"
                      "CREATE TEMP TABLE IF NOT EXISTS sync_seen_item (shop TEXT NOT NULL,"
                      " item_code TEXT NOT NULL, change INTEGER NOT NULL,"
                      " PRIMARY KEY (shop, item_code));",
                      e);
}

/* Slot i of the run's cache, prepared the first time: a pull runs the same few statements
 * for thousands of rows. */
static int syncdb_eachv(struct syncdb *d, int i, const char *text,
                        int (*row)(sqlite3_stmt *st, void *ctx), void *ctx, struct qs_err *e,
                        const char *types, va_list ap)
{
    int rc;

    if (!d->st[i]) {
        if ((i == ST_SEEN || i == ST_ITEM_SEEN) && (rc = syncdb_temp_tables(d, e)) < 0)
            return rc;
        if ((rc = store_prepare(d->s, text ? text : sql[i], &d->st[i], e)) < 0)
            return rc;
    }
    rc = store_bindv(d->s, d->st[i], e, types, ap);
    while (rc == 0 && (rc = store_step(d->s, d->st[i], e)) == 1)
        rc = row ? row(d->st[i], ctx) : 0;
    /* A cached statement left on a row would hold its read transaction open. */
    sqlite3_reset(d->st[i]);
    return rc;
}

int syncdb_each(struct syncdb *d, int i, const char *text, int (*row)(sqlite3_stmt *st, void *ctx),
                void *ctx, struct qs_err *e, const char *types, ...)
{
    va_list ap;
    int rc;
    va_start(ap, types);
    rc = syncdb_eachv(d, i, text, row, ctx, e, types, ap);
    va_end(ap);
    return rc;
}

int syncdb_run(struct syncdb *d, int i, const char *text, struct qs_err *e, const char *types, ...)
{
    va_list ap;
    int rc;
    va_start(ap, types);
    rc = syncdb_eachv(d, i, text, NULL, NULL, e, types, ap);
    va_end(ap);
    return rc;
}

int syncdb_tx_begin(struct store *s, int *own, struct qs_err *e)
{
    *own = sqlite3_get_autocommit(store_db(s));
    return *own ? store_begin(s, e) : 0;
}

int syncdb_tx_end(struct store *s, int own, int rc, struct qs_err *e)
{
    if (!own)
        return rc;
    if (rc < 0) {
        store_rollback(s);
        return rc;
    }
    if ((rc = store_commit(s, e)) < 0)
        store_rollback(s);
    return rc;
}

static int event(struct syncdb *d, const char *order_no, const char *now, const char *kind,
                 const char *old, const char *new, long *events, struct qs_err *e)
{
    if (events)
        (*events)++;
    return syncdb_run(d, ST_EVENT, NULL, e, "ssssss", d->shop, syncdb_nz(order_no), syncdb_nz(now),
                      syncdb_nz(kind), syncdb_nz(old), syncdb_nz(new));
}

static int status_event(struct syncdb *d, const char *order_no, int old, int new, const char *now,
                        long *events, struct qs_err *e)
{
    char a[16], b[16];
    snprintf(a, sizeof a, "%d", old);
    snprintf(b, sizeof b, "%d", new);
    return event(d, order_no, now, old ? "status" : "new", old ? a : "", b, events, e);
}

static int seen(struct syncdb *d, const char *order_no, enum sync_change chg, struct qs_err *e)
{
    return syncdb_run(d, ST_SEEN, NULL, e, "ssi", d->shop, syncdb_nz(order_no), (int)chg);
}

int syncdb_seen_reset(struct syncdb *d, struct qs_err *e)
{
    int rc = syncdb_temp_tables(d, e);
    if (rc == 0)
        rc = store_exec(d->s, "DELETE FROM temp.sync_seen; DELETE FROM temp.sync_seen_item;", e);
    return rc;
}

static char *col(sqlite3_stmt *st, int i)
{
    return xstrdup(store_col_text(st, i));
}

static int line_row(sqlite3_stmt *st, void *ctx)
{
    struct syncdb_line *l = ctx;
    l->found = 1;
    l->status = sqlite3_column_int(st, 0);
    l->claim = sqlite3_column_int(st, 1);
    l->pack_no = col(st, 2);
    l->carrier = col(st, 3);
    l->tracking = col(st, 4);
    l->related = col(st, 5);
    l->order_date = col(st, 6);
    if (sqlite3_column_count(st) > 7) {
        l->claim_raw = col(st, 7);
        l->raw = col(st, 8);
    }
    return 1; /* (shop, order_no) is the key: one row */
}

int syncdb_line_get(struct syncdb *d, const char *order_no, struct syncdb_line *l, struct qs_err *e)
{
    int rc;
    memset(l, 0, sizeof *l);
    rc = syncdb_each(d, ST_LINE_GET, NULL, line_row, l, e, "ss", d->shop, syncdb_nz(order_no));
    return rc < 0 ? rc : 0;
}

int syncdb_line_brief(struct syncdb *d, const char *order_no, struct syncdb_line *l,
                      struct qs_err *e)
{
    int rc;
    memset(l, 0, sizeof *l);
    rc = syncdb_each(d, ST_LINE_BRIEF, NULL, line_row, l, e, "ss", d->shop, syncdb_nz(order_no));
    return rc < 0 ? rc : 0;
}

void syncdb_line_clear(struct syncdb_line *l)
{
    free(l->pack_no);
    free(l->carrier);
    free(l->tracking);
    free(l->related);
    free(l->order_date);
    free(l->claim_raw);
    free(l->raw);
    memset(l, 0, sizeof *l);
}

/* ST_LINE_INS and ST_LINE_UPD take the same 32 parameters. */
static int run_order(struct syncdb *d, int slot, const struct sync_order *o, const char *now,
                     struct qs_err *e)
{
#define T(v) syncdb_nz(v)
    return syncdb_run(d, slot, NULL, e, "sssisssssllllssssssssssssssssssl", d->shop, T(o->order_no),
                      T(o->pack_no), o->status, T(o->item_code), T(o->seller_code),
                      T(o->option_code), T(o->option_text), T(o->title), o->qty, o->price,
                      o->discount, o->total, T(o->buyer), T(o->buyer_email), T(o->buyer_tel),
                      T(o->receiver), T(o->receiver_tel), T(o->zip), T(o->address),
                      T(o->payment_method), o->order_date, o->paid_date, o->ship_by,
                      o->shipped_date, o->delivered_date, T(o->carrier), T(o->tracking),
                      T(o->related), T(o->raw), T(now), (long long)o->raw_sum);
#undef T
}

int syncdb_order_upsert(struct syncdb *d, const struct sync_order *o, const char *now,
                        enum sync_change *chg, long *events, struct qs_err *e)
{
    struct syncdb_line old;
    int rc;

    *chg = SYNC_SAME;
    if ((rc = syncdb_line_get(d, o->order_no, &old, e)) < 0)
        return rc;
    if (old.found && old.status == o->status && strcmp(old.raw, o->raw) == 0) {
        /* re-running is harmless: nothing written, no event (but the digest, when the
         * line was stored without it) */
        if ((rc = syncdb_run(d, ST_LINE_SUM, NULL, e, "ssl", d->shop, o->order_no,
                             (long long)o->raw_sum)) < 0)
            goto out;
        goto seen;
    }
    *chg = old.found ? SYNC_CHANGED : SYNC_NEW;
    if ((rc = run_order(d, old.found ? ST_LINE_UPD : ST_LINE_INS, o, now, e)) < 0)
        goto out;
    /* R-SYN-1: one event per state change. */
    if (!old.found || old.status != o->status)
        if ((rc = status_event(d, o->order_no, old.found ? old.status : 0, o->status, now, events,
                               e)) < 0)
            goto out;
    if (o->tracking && *o->tracking && (!old.found || strcmp(old.tracking, o->tracking) != 0))
        if ((rc = event(d, o->order_no, now, "tracking", old.found ? old.tracking : "", o->tracking,
                        events, e)) < 0)
            goto out;
seen:
    rc = seen(d, o->order_no, *chg, e);
out:
    syncdb_line_clear(&old);
    return rc;
}

static int found_row(sqlite3_stmt *st, void *ctx)
{
    (void)st;
    *(int *)ctx = 1;
    return 1;
}

int syncdb_order_same(struct syncdb *d, const char *order_no, int status, int64_t raw_sum,
                      struct qs_err *e)
{
    int same = 0;
    /* Compared in SQL: the stored row is not copied out for a line that did not change. */
    int rc = syncdb_each(d, ST_LINE_SAME, NULL, found_row, &same, e, "ssil", d->shop,
                         syncdb_nz(order_no), status, (long long)raw_sum);
    if (rc < 0)
        return rc;
    if (same && (rc = seen(d, order_no, SYNC_SAME, e)) < 0)
        return rc;
    return same;
}

int syncdb_line_status(struct syncdb *d, const char *order_no, int status, const char *carrier,
                       const char *tracking, const char *now, long *events, struct qs_err *e)
{
    struct syncdb_line old;
    int rc;

    if ((rc = syncdb_line_brief(d, order_no, &old, e)) < 0 || !old.found)
        goto out;
    if (!carrier || !*carrier)
        carrier = old.carrier;
    if (!tracking || !*tracking)
        tracking = old.tracking;
    if (old.status == status && strcmp(old.tracking, tracking) == 0 &&
        strcmp(old.carrier, carrier) == 0)
        goto out;
    if ((rc = syncdb_run(d, ST_STATUS_UPD, NULL, e, "ssisss", d->shop, order_no, status, carrier,
                         tracking, syncdb_nz(now))) < 0)
        goto out;
    if (old.status != status &&
        (rc = status_event(d, order_no, old.status, status, now, events, e)) < 0)
        goto out;
    if (strcmp(old.tracking, tracking) != 0 &&
        (rc = event(d, order_no, now, "tracking", old.tracking, tracking, events, e)) < 0)
        goto out;
    rc = seen(d, order_no, SYNC_CHANGED, e);
out:
    syncdb_line_clear(&old);
    return rc;
}

int syncdb_claim_set(struct syncdb *d, const char *order_no, int claim, const char *reason,
                     const char *date, const char *raw, const char *now, enum sync_change *chg,
                     long *events, struct qs_err *e)
{
    struct syncdb_line old;
    int rc;

    *chg = SYNC_SAME;
    if ((rc = syncdb_line_get(d, order_no, &old, e)) < 0)
        return rc;
    if (!old.found)
        goto out; /* the caller inserts the line first */
    if (old.claim == claim && strcmp(old.claim_raw, raw) == 0)
        goto mark;
    *chg = SYNC_CHANGED;
    if ((rc = syncdb_run(d, ST_CLAIM_UPD, NULL, e, "ssissss", d->shop, order_no, claim,
                         syncdb_nz(reason), syncdb_nz(date), syncdb_nz(raw), syncdb_nz(now))) < 0)
        goto out;
    if (old.claim != claim) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%d", old.claim);
        snprintf(b, sizeof b, "%d", claim);
        if ((rc = event(d, order_no, now, "claim", old.claim ? a : "", b, events, e)) < 0)
            goto out;
    }
mark:
    rc = seen(d, order_no, *chg, e);
out:
    syncdb_line_clear(&old);
    return rc;
}

struct nos {
    char **v;
    size_t n, cap;
};

static void nos_add(struct nos *c, const char *no)
{
    if (c->n == c->cap)
        c->v = xrealloc(c->v, (c->cap = c->cap ? 2 * c->cap : 8) * sizeof *c->v);
    c->v[c->n++] = xstrdup(no);
}

static int cart_row(sqlite3_stmt *st, void *ctx)
{
    nos_add(ctx, store_col_text(st, 0));
    return 0;
}

int syncdb_cart_each(struct syncdb *d, const char *order_no,
                     int (*fn)(const char *order_no, void *ctx), void *ctx, struct qs_err *e)
{
    struct syncdb_line l;
    struct nos c = {0};
    char *p, *save = NULL;
    int rc;

    if ((rc = syncdb_line_brief(d, order_no, &l, e)) < 0 || !l.found)
        goto out;
    /* Collect first: fn may run other statements of this run. */
    if ((rc = syncdb_each(d, ST_CART, NULL, cart_row, &c, e, "sss", d->shop, l.pack_no, order_no)) <
        0)
        goto out;
    /* RelatedOrder: the cart's order numbers, comma-separated (reference 1.11). */
    for (p = strtok_r(l.related, ", ", &save); p; p = strtok_r(NULL, ", ", &save)) {
        int dup = strcmp(p, order_no) == 0;
        for (size_t i = 0; i < c.n && !dup; i++)
            dup = strcmp(c.v[i], p) == 0;
        if (!dup)
            nos_add(&c, p);
    }
    for (size_t i = 0; i < c.n && rc == 0; i++)
        rc = fn(c.v[i], ctx);
out:
    for (size_t i = 0; i < c.n; i++)
        free(c.v[i]);
    free(c.v);
    syncdb_line_clear(&l);
    return rc;
}

int syncdb_line_shipped(struct syncdb *d, const char *order_no, const char *carrier,
                        const char *tracking, const char *now, struct qs_err *e)
{
    struct syncdb_line old;
    int rc;

    if ((rc = syncdb_line_brief(d, order_no, &old, e)) < 0 || !old.found)
        goto out;
    if ((rc = syncdb_run(d, ST_SHIPPED, NULL, e, "sssss", d->shop, order_no, syncdb_nz(carrier),
                         syncdb_nz(tracking), syncdb_nz(now))) < 0)
        goto out;
    if (old.status < 4 && (rc = status_event(d, order_no, old.status, 4, now, NULL, e)) < 0)
        goto out;
    if (strcmp(old.tracking, syncdb_nz(tracking)) != 0)
        rc = event(d, order_no, now, "tracking", old.tracking, tracking, NULL, e);
out:
    syncdb_line_clear(&old);
    return rc;
}

int syncdb_line_confirmed(struct syncdb *d, const char *order_no, const char *ship_by,
                          const char *now, struct qs_err *e)
{
    struct syncdb_line old;
    int rc;

    if ((rc = syncdb_line_brief(d, order_no, &old, e)) < 0 || !old.found)
        goto out;
    if ((rc = syncdb_run(d, ST_CONFIRMED, NULL, e, "ssss", d->shop, order_no, syncdb_nz(ship_by),
                         syncdb_nz(now))) < 0)
        goto out;
    if (old.status < 3)
        rc = status_event(d, order_no, old.status, 3, now, NULL, e);
out:
    syncdb_line_clear(&old);
    return rc;
}

int syncdb_mark_get(struct syncdb *d, const char *stream, char *buf, size_t size, struct qs_err *e)
{
    struct store_text m = {buf, size};
    int rc;
    buf[0] = '\0';
    rc = syncdb_each(d, ST_MARK_GET, NULL, store_row_text, &m, e, "ss", d->shop, syncdb_nz(stream));
    return rc < 0 ? rc : 0;
}

int syncdb_nth_date(struct syncdb *d, int lo, int hi, const char *from, long k, char *buf,
                    size_t size, struct qs_err *e)
{
    struct store_text m = {buf, size};
    int rc;
    buf[0] = '\0';
    rc = syncdb_each(d, ST_NTH_DATE, NULL, store_row_text, &m, e, "ssiii", d->shop, from, lo, hi,
                     k - 1);
    return rc < 0 ? rc : 0;
}

int syncdb_mark_set(struct syncdb *d, const char *stream, const char *mark, const char *now,
                    struct qs_err *e)
{
    return syncdb_run(d, ST_MARK_SET, NULL, e, "ssss", d->shop, syncdb_nz(stream), syncdb_nz(mark),
                      syncdb_nz(now));
}

/* ---- lines for output ------------------------------------------------------------ */

struct lines_walk {
    sync_line_fn fn;
    void *ctx;
};

static int lines_row(sqlite3_stmt *st, void *ctx)
{
    struct lines_walk *w = ctx;
#define C(i) store_col_text(st, i)
    int chg = sqlite3_column_int(st, 17);
    struct sync_line l = {
        .order_no = C(0),
        .pack_no = C(1),
        .status = sqlite3_column_int(st, 2),
        .claim = sqlite3_column_int(st, 3),
        .item_code = C(4),
        .seller_code = C(5),
        .option_code = C(6),
        .title = C(7),
        .qty = sqlite3_column_int64(st, 8),
        .total = sqlite3_column_int64(st, 9),
        .buyer = C(10),
        .order_date = C(11),
        .paid_date = C(12),
        .ship_by = C(13),
        .shipped_date = C(14),
        .carrier = C(15),
        .tracking = C(16),
        .change = chg >= 0 && chg <= 2 ? sync_change_names[chg] : "",
        .delivered_date = C(18),
        .buyer_email = C(19),
        .buyer_tel = C(20),
        .country = C(21),
    };
#undef C
    return w->fn(&l, w->ctx);
}

int sync_lines_each(struct store *s, const char *shop, int seen_only, unsigned status_mask,
                    sync_line_fn fn, void *ctx, struct qs_err *e)
{
    static const char all[] =
        "SELECT l.order_no, l.pack_no, l.status, l.claim, l.item_code, l.seller_code,"
        " l.option_code, l.title, l.qty, l.total, l.buyer, l.order_date, l.paid_date,"
        " l.ship_by, l.shipped_date, l.carrier, l.tracking, %s, l.delivered_date,"
        " l.buyer_email, l.buyer_tel, coalesce(nullif(json_extract(l.raw, '$.ShippingCountry'),"
        " ''), nullif(json_extract(l.raw, '$.shippingCountry'), ''),"
        " nullif(json_extract(l.raw, '$.PaymentNation'), ''), 'JP') FROM order_line l %s"
        " WHERE l.shop = ?1 AND (?2 = 0 OR (((?2 >> l.status) & 1) AND l.claim NOT IN (1, 2, 3, "
        "16)))"
        " ORDER BY l.order_date, l.order_no";
    struct lines_walk w = {fn, ctx};
    struct syncdb *d = syncdb_new(s, shop);
    char *q = NULL;
    int rc = 0;

    /* A status filter leaves out lines being cancelled (claims 1, 2, 3, 16): "paid" then
     * means "paid and to be acted on", so `--status paid | qs sync confirm` goes through. */
    if (seen_only && (rc = syncdb_temp_tables(d, e)) < 0)
        goto out;
    /* The query's shape (a join or not), never a value, is formatted in. */
    q = seen_only
            ? xasprintf(all, "v.change",
                        "JOIN temp.sync_seen v ON v.shop = l.shop AND v.order_no = l.order_no")
            : xasprintf(all, "-1", "");
    rc = store_each(s, q, lines_row, &w, e, "sl", syncdb_nz(shop), (long long)status_mask);
out:
    free(q);
    syncdb_free(d);
    return rc;
}

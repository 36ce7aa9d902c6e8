/* sync_notify: what module notify reads of the store's orders (R-SYN-4): the state
 * changes after a point, a cart's lines with the fields templates name (R-SYN-5), and
 * when orders were last pulled (a held notification waits for it). */
#include "sync_int.h"

#include <stdlib.h>
#include <string.h>

#include "../tm.h"

struct ev_walk {
    int (*fn)(const struct sync_event *ev, void *ctx);
    void *ctx;
};

static int ev_row(sqlite3_stmt *st, void *p)
{
    struct ev_walk *w = p;
    struct sync_event ev = {
        .id = sqlite3_column_int64(st, 0),
        .order_no = store_col_text(st, 1),
        .pack_no = store_col_text(st, 2),
        .at = store_col_text(st, 3),
        .kind = store_col_text(st, 4),
        .old = store_col_text(st, 5),
        .now = store_col_text(st, 6),
    };
    return w->fn(&ev, w->ctx);
}

int sync_events_after(struct store *s, const char *shop, long long after,
                      int (*fn)(const struct sync_event *ev, void *ctx), void *ctx,
                      struct qs_err *e)
{
    struct ev_walk w = {fn, ctx};
    return store_each(s,
                      "SELECT v.id, v.order_no, l.pack_no, v.at, v.kind, v.old, v.new"
                      " FROM order_event v JOIN order_line l ON l.shop = v.shop"
                      " AND l.order_no = v.order_no WHERE v.shop = ?1 AND v.id > ?2 ORDER BY v.id",
                      ev_row, &w, e, "sl", shop, after);
}

struct cart_walk {
    int (*fn)(const struct sync_cart_line *l, void *ctx);
    void *ctx;
};

static int cart_row(sqlite3_stmt *st, void *p)
{
    struct cart_walk *w = p;
#define C(i) store_col_text(st, i)
    struct sync_cart_line l = {
        C(0),
        C(1),
        C(2),
        C(3),
        C(4),
        C(5),
        C(6),
        C(7),
        C(8),
        C(9),
        C(10),
        C(11),
        C(12),
        C(13),
        C(14),
        C(15),
        C(16),
        C(17),
        C(18),
        C(19),
        C(20),
        C(21),
        .qty = sqlite3_column_int64(st, 22),
        .price = sqlite3_column_int64(st, 23),
        .status = sqlite3_column_int(st, 24),
        .claim = sqlite3_column_int(st, 25),
    };
#undef C
    return w->fn(&l, w->ctx);
}

/* A field of the raw row as text ("" when absent). */
#define RAW(f) "coalesce(json_extract(raw, '$." f "'), '')"

int sync_cart_each(struct store *s, const char *shop, const char *pack_no, const char *order_no,
                   int (*fn)(const struct sync_cart_line *l, void *ctx), void *ctx,
                   struct qs_err *e)
{
    struct cart_walk w = {fn, ctx};
    int by_pack = pack_no && *pack_no;
    return store_each(
        s,
        "SELECT order_no, pack_no, " RAW("SellerID") ", " RAW(
            "ShippingRate") ", order_date,"
                            " buyer, " RAW(
                                "BuyerKana") ", buyer_tel, buyer_email, payment_method,"
                                             " " RAW("ShippingWay") ", " RAW("DesiredDeliveryDate") ", " RAW(
                                                 "ShippingMessage") ","
                                                                    " item_code, title, "
                                                                    "option_text, seller_code, "
                                                                    "receiver, zip, address, "
                                                                    "tracking, carrier,"
                                                                    " qty, price, status, claim "
                                                                    "FROM order_line WHERE shop = "
                                                                    "?1"
                                                                    " AND ((?3 = 1 AND pack_no = "
                                                                    "?2) OR (?3 = 0 AND order_no = "
                                                                    "?2))"
                                                                    " ORDER BY length(order_no), "
                                                                    "order_no",
        cart_row, &w, e, "ssi", shop, by_pack ? pack_no : order_no, by_pack);
}

int sync_orders_synced_at(struct store *s, const char *shop, time_t *at, struct qs_err *e)
{
    struct store_text t;
    char buf[32] = "";
    int rc;

    t.buf = buf;
    t.size = sizeof buf;
    *at = 0;
    rc = store_each(s,
                    "SELECT max(updated_at) FROM sync_mark WHERE shop = ?1"
                    " AND (stream LIKE 'orders.%' OR stream LIKE 'claims.%')",
                    store_row_text, &t, e, "s", shop);
    if (rc < 0)
        return rc;
    return buf[0] && tm_parse_utc_iso(buf, at) == 0;
}

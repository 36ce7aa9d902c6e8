/* Unit tests of libcore/sync's pure parts and its store writes: windows and their
 * splitting (R-SYN-1c), status and claim names, Japan time to UTC, order rows of the
 * three QAPI shapes, EstShipDt bounds (R-SYN-1b), and events written only on change
 * (R-SYN-1: re-running is harmless). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shop.h"
#include "store.h"
#include "sync.h"
#include "sync_internal.h"
#include "tm.h"
#include "xalloc.h"

/* R-SYN-1c: windows of at most 90 days, both ends included, covering the range once. */
static void windows_cover_range(void **state)
{
    struct sync_window w[8];
    time_t from = 1700000000, to = from + 200L * 86400;
    size_t n;
    (void)state;

    n = sync_windows(from, to, SYNC_MAX_WINDOW, w, 8);
    assert_int_equal(n, 3);
    assert_int_equal(w[0].from, from);
    assert_int_equal(w[0].to - w[0].from, SYNC_MAX_WINDOW);
    for (size_t i = 1; i < n; i++) {
        assert_int_equal(w[i].from, w[i - 1].to + 1);
        assert_true(w[i].to - w[i].from <= SYNC_MAX_WINDOW);
    }
    assert_int_equal(w[n - 1].to, to);
    /* exactly 90 days is one window; one second more is two */
    assert_int_equal(sync_windows(from, from + SYNC_MAX_WINDOW, SYNC_MAX_WINDOW, w, 8), 1);
    assert_int_equal(sync_windows(from, from + SYNC_MAX_WINDOW + 1, SYNC_MAX_WINDOW, w, 8), 2);
    assert_int_equal(w[1].from, w[1].to);
    /* one second; an empty range; counting without room */
    assert_int_equal(sync_windows(from, from, SYNC_MAX_WINDOW, w, 8), 1);
    assert_int_equal(sync_windows(from + 1, from, SYNC_MAX_WINDOW, w, 8), 0);
    assert_int_equal(sync_windows(from, to, SYNC_MAX_WINDOW, NULL, 0), 3);
}

/* R-SYN-1c: a window at the cap is split in half, the halves cover it exactly, down to
 * one second. */
static void window_split_halves(void **state)
{
    struct sync_window w = {1000, 1999}, a, b;
    int depth = 0;
    (void)state;

    assert_int_equal(sync_window_split(&w, &a, &b), 0);
    assert_int_equal(a.from, 1000);
    assert_int_equal(a.to, 1499);
    assert_int_equal(b.from, 1500);
    assert_int_equal(b.to, 1999);
    w = (struct sync_window){1000, 1001};
    assert_int_equal(sync_window_split(&w, &a, &b), 0);
    assert_int_equal(a.from, 1000);
    assert_int_equal(a.to, 1000);
    assert_int_equal(b.from, 1001);
    assert_int_equal(b.to, 1001);
    w = (struct sync_window){1000, 1000};
    assert_int_equal(sync_window_split(&w, &a, &b), -1);
    /* 90 days halve to one second in at most 23 steps */
    w = (struct sync_window){0, SYNC_MAX_WINDOW};
    while (sync_window_split(&w, &a, &b) == 0) {
        assert_int_equal(a.to + 1, b.from);
        w = a;
        depth++;
    }
    assert_true(depth <= 23);
}

/* SPEC 7 names for reference section 4's codes. */
static void status_and_claim_names(void **state)
{
    static const char *names[] = {"unpaid", "paid", "confirmed", "shipped", "delivered"};
    char buf[32];
    (void)state;

    for (int i = 1; i <= 5; i++) {
        char code[2] = {(char)('0' + i), 0};
        assert_string_equal(sync_status_name(i), names[i - 1]);
        assert_int_equal(sync_status_parse(names[i - 1]), i);
        assert_int_equal(sync_status_parse(code), i);
    }
    assert_int_equal(sync_status_parse("PAID"), 2);
    assert_int_equal(sync_status_parse("0"), -1);
    assert_int_equal(sync_status_parse("6"), -1);
    assert_int_equal(sync_status_parse("12"), -1);
    assert_int_equal(sync_status_parse("cancelled"), -1);
    assert_string_equal(sync_status_name(0), "");
    assert_string_equal(sync_claim_name(0, buf, sizeof buf), "");
    assert_string_equal(sync_claim_name(1, buf, sizeof buf), "cancel-requested");
    assert_string_equal(sync_claim_name(3, buf, sizeof buf), "cancelled");
    assert_string_equal(sync_claim_name(16, buf, sizeof buf), "unpaid-cancelled");
    assert_string_equal(sync_claim_name(99, buf, sizeof buf), "claim-99");
}

/* Reference 1.5: QAPI dates are Japan time without an offset; stored as UTC. */
static void jst_to_utc(void **state)
{
    char buf[32];
    (void)state;
    assert_string_equal(sync_jst_to_utc("2026-11-25 09:00:00", buf, sizeof buf),
                        "2026-11-25T00:00:00Z");
    assert_string_equal(sync_jst_to_utc("2026-01-01 08:59:59", buf, sizeof buf),
                        "2025-12-31T23:59:59Z");
    assert_string_equal(sync_jst_to_utc("20261125", buf, sizeof buf), "2026-11-24T15:00:00Z");
    assert_string_equal(sync_jst_to_utc("", buf, sizeof buf), "");
    assert_string_equal(sync_jst_to_utc("yesterday", buf, sizeof buf), "");
    assert_string_equal(sync_jst_to_utc(NULL, buf, sizeof buf), "");
}

static void numbers(void **state)
{
    (void)state;
    assert_int_equal(sync_num("1980"), 1980);
    assert_int_equal(sync_num("1,980"), 1980);
    assert_int_equal(sync_num("1980.0"), 1980);
    assert_int_equal(sync_num("-100"), -100);
    assert_int_equal(sync_num(""), 0);
    assert_int_equal(sync_num("x"), 0);
}

/* The three row shapes of reference 3.8/3.9 give one order line; numbers may be strings. */
static void order_rows(void **state)
{
    struct sync_order o = {0};
    json_t *v3 =
        json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "ShippingStatus",
                  "On request(2)", "OrderNo", 300000001, "PackNo", "80000001", "OrderDate",
                  "2026-11-20 10:00:00", "PaymentDate", "2026-11-20 10:05:00",
                  "EstimatedShippingDate", "", "AvailableShippingDate", "2026-11-23 10:05:00",
                  "Total", 1880, "OrderQty", "2", "SellerItemCode", "00012", "TrackingNo", "");
    json_t *claim =
        json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:i}", "claimStatus", 3, "orderNo", "300000002",
                  "packNo", "80000002", "orderDate", "2026-11-20 10:00:00", "PaymentDate",
                  "2026-11-20 10:01:00", "buyer", "山田 花子", "paymentAmount", 990);
    json_t *v2 = json_pack("{s:s, s:s, s:s}", "shippingStatus", "Seller confirm(3)", "orderNo",
                           "300000002", "trackingNo", "");
    (void)state;

    sync_order_from_row(&o, v3);
    assert_string_equal(o.order_no, "300000001");
    assert_string_equal(o.pack_no, "80000001");
    assert_int_equal(o.status, 2);
    assert_int_equal(o.qty, 2);
    assert_int_equal(o.total, 1880);
    assert_string_equal(o.seller_code, "00012"); /* codes are text: zeros kept */
    assert_string_equal(o.order_date, "2026-11-20T01:00:00Z");
    assert_string_equal(o.ship_by, "2026-11-23T01:05:00Z"); /* no estimate yet: the deadline */
    assert_non_null(strstr(o.raw, "\"OrderNo\":300000001"));

    sync_order_from_row(&o, v2); /* a cancelled line, read by its number */
    sync_order_fill(&o, claim);
    assert_string_equal(o.order_no, "300000002");
    assert_int_equal(o.status, 3);
    assert_string_equal(o.buyer, "山田 花子");
    assert_int_equal(o.total, 990);
    assert_string_equal(o.paid_date, "2026-11-20T01:01:00Z");

    sync_order_from_row(&o, claim); /* nothing but the claim: status from its dates */
    sync_order_fill(&o, claim);
    assert_int_equal(o.status, 2);
    sync_order_clear(&o);
    json_decref(v3);
    json_decref(claim);
    json_decref(v2);
}

/* R-SYN-1b: EstShipDt after today in Japan, at most 30 days ahead; default tomorrow. */
static void est_ship_date(void **state)
{
    struct qs_err e;
    char est[16];
    time_t now;
    (void)state;

    /* 2026-11-25 23:30 in Japan is 14:30 UTC */
    assert_int_equal(tm_parse("2026-11-25T14:30:00Z", "UTC", 0, &now, &e), 0);
    assert_int_equal(sync_est_ship_date(NULL, now, est, &e), 0);
    assert_string_equal(est, "20261126");
    assert_int_equal(sync_est_ship_date("2026-11-27", now, est, &e), 0);
    assert_string_equal(est, "20261127");
    assert_int_equal(sync_est_ship_date("2026-12-25", now, est, &e), 0);
    assert_int_equal(sync_est_ship_date("2026-11-25", now, est, &e), QS_E_USAGE);
    assert_string_equal(e.rule, "R-SYN-1b");
    assert_int_equal(sync_est_ship_date("2026-12-26", now, est, &e), QS_E_USAGE);
    assert_non_null(strstr(e.msg, "30 days"));
    assert_int_equal(sync_est_ship_date("soon", now, est, &e), QS_E_USAGE);
}

static int count(struct store *s, const char *sql)
{
    sqlite3_stmt *st;
    int v = -1;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* R-SYN-1: one event per state change, none when nothing changed. */
static void upsert_events_once(void **state)
{
    char dir[] = "/tmp/qs-sync-test.XXXXXX", *path;
    struct store *s = NULL;
    struct syncdb *d;
    struct sync_order o = {0};
    enum sync_change chg;
    struct qs_err e;
    long events = 0;
    int created;
    json_t *row;
    (void)state;

    assert_non_null(mkdtemp(dir));
    path = xasprintf("%s/qs.db", dir);
    assert_int_equal(store_open(path, &s, &e), 0);
    assert_int_equal(shop_add(s, "demo", "Asia/Tokyo", 0, &created, &e), 0);
    d = syncdb_new(s, "demo");
    assert_int_equal(syncdb_seen_reset(d, &e), 0);

    row = json_pack("{s:s, s:s, s:s, s:s, s:s}", "ShippingStatus", "On request(2)", "OrderNo", "1",
                    "PackNo", "9", "OrderDate", "2026-11-20 10:00:00", "TrackingNo", "");
    sync_order_from_row(&o, row);
    assert_int_equal(syncdb_order_upsert(d, &o, "2026-11-25T00:00:00Z", &chg, &events, &e), 0);
    assert_int_equal(chg, SYNC_NEW);
    assert_int_equal(events, 1);
    assert_int_equal(syncdb_order_upsert(d, &o, "2026-11-25T00:00:01Z", &chg, &events, &e), 0);
    assert_int_equal(chg, SYNC_SAME);
    assert_int_equal(events, 1);

    json_object_set_new(row, "ShippingStatus", json_string("On delivery(4)"));
    json_object_set_new(row, "TrackingNo", json_string("T1"));
    sync_order_from_row(&o, row);
    assert_int_equal(syncdb_order_upsert(d, &o, "2026-11-25T00:00:02Z", &chg, &events, &e), 0);
    assert_int_equal(chg, SYNC_CHANGED);
    assert_int_equal(events, 3); /* status 2->4 and tracking set */
    assert_int_equal(count(s, "SELECT count(*) FROM order_event WHERE kind = 'status'"
                              " AND old = '2' AND new = '4'"),
                     1);

    assert_int_equal(syncdb_claim_set(d, "1", 4, "size", "", "{}", "now", &chg, &events, &e), 0);
    assert_int_equal(events, 4);
    assert_int_equal(syncdb_claim_set(d, "1", 4, "size", "", "{}", "now", &chg, &events, &e), 0);
    assert_int_equal(chg, SYNC_SAME);
    assert_int_equal(events, 4);
    assert_int_equal(count(s, "SELECT count(*) FROM order_event"), 4);
    assert_int_equal(count(s, "SELECT count(*) FROM temp.sync_seen"), 1);

    sync_order_clear(&o);
    json_decref(row);
    syncdb_free(d);
    store_close(s);
    free(path);
    path = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(path), 0);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(windows_cover_range),
        cmocka_unit_test(window_split_halves),
        cmocka_unit_test(status_and_claim_names),
        cmocka_unit_test(jst_to_utc),
        cmocka_unit_test(numbers),
        cmocka_unit_test(order_rows),
        cmocka_unit_test(est_ship_date),
        cmocka_unit_test(upsert_events_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

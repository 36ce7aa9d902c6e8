/* Unit tests of the storage fee (R-STK-8, libcore/stock/stock_fee.c): the seed's example
 * (5 shipped, 20 left: 600 JPY), 10 shipped: none, the month of the first inbound: none,
 * calendar months in Japan time (a shipment at 23:30 JST on the 30th of November is
 * November's, though it is 14:30 UTC), and the forecast's projection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "stock/stock_fee.h"
#include "tm.h"

static void seed_example(void **state)
{
    enum stock_fee_reason why;
    (void)state;
    assert_int_equal(stock_fee_of(5, 20, 0, &why), 600);
    assert_int_equal(why, STOCK_FEE_CHARGED);
    assert_int_equal(stock_fee_of(9, 1, 0, &why), 30);
    assert_int_equal(stock_fee_of(0, 0, 0, &why), 0);
    assert_int_equal(why, STOCK_FEE_NONE_ON_HAND);
}

static void ten_shipped(void **state)
{
    enum stock_fee_reason why;
    (void)state;
    assert_int_equal(stock_fee_of(10, 20, 0, &why), 0);
    assert_int_equal(why, STOCK_FEE_SHIPPED);
    assert_int_equal(stock_fee_of(11, 500, 0, NULL), 0);
}

static void first_inbound(void **state)
{
    enum stock_fee_reason why;
    (void)state;
    assert_int_equal(stock_fee_of(0, 20, 1, &why), 0);
    assert_int_equal(why, STOCK_FEE_FIRST_INBOUND);
    assert_string_equal(stock_fee_reasons[why], "month of the first inbound");
}

static time_t utc(const char *s)
{
    time_t t;
    assert_int_equal(tm_parse_utc_iso(s, &t), 0);
    return t;
}

static void month_edges(void **state)
{
    struct stock_month m;
    char b[8], f[32], t[32];
    time_t from, to;
    (void)state;
    /* 2026-11-30 23:30 JST is November's; 2026-12-01 00:00 JST is December's. */
    m = stock_month_of(utc("2026-11-30T14:30:00Z"));
    assert_string_equal(stock_month_format(m, b, sizeof b), "2026-11");
    m = stock_month_of(utc("2026-11-30T15:00:00Z"));
    assert_string_equal(stock_month_format(m, b, sizeof b), "2026-12");
    assert_int_equal(stock_month_parse("2026-11", &m), 0);
    stock_month_bounds(m, &from, &to);
    assert_string_equal(tm_utc_iso(from, f, sizeof f), "2026-10-31T15:00:00Z");
    assert_string_equal(tm_utc_iso(to, t, sizeof t), "2026-11-30T15:00:00Z");
    assert_int_equal(stock_month_days(m), 30);
    /* December runs into the next year. */
    assert_int_equal(stock_month_parse("2026-12", &m), 0);
    stock_month_bounds(m, &from, &to);
    assert_string_equal(tm_utc_iso(to, t, sizeof t), "2026-12-31T15:00:00Z");
    assert_string_equal(stock_month_format(stock_month_add(m, 1), b, sizeof b), "2027-01");
    assert_string_equal(stock_month_format(stock_month_add(m, -12), b, sizeof b), "2025-12");
    assert_int_equal(stock_month_parse("2028-02", &m), 0);
    assert_int_equal(stock_month_days(m), 29);
    assert_int_equal(stock_month_parse("2026-13", &m), -1);
    assert_int_equal(stock_month_parse("2026-1", &m), -1);
    assert_int_equal(stock_month_parse("2026/11", &m), -1);
    assert_int_equal(stock_month_parse("2026-11-01", &m), -1);
}

static void projection(void **state)
{
    (void)state;
    /* 3 shipped in the first 10 days of a 30-day month: 9 by its end. */
    assert_int_equal(stock_fee_project(3, 10, 30), 9);
    assert_int_equal(stock_fee_project(4, 10, 30), 12);
    assert_int_equal(stock_fee_project(0, 1, 31), 0);
    assert_int_equal(stock_fee_project(7, 30, 30), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        {"R-STK-8 5 shipped and 20 left pay 600 JPY (the seed's example)", seed_example, NULL, NULL,
         NULL},
        {"R-STK-8 10 shipped in the month pay nothing", ten_shipped, NULL, NULL, NULL},
        {"R-STK-8 the month of the first inbound pays nothing", first_inbound, NULL, NULL, NULL},
        {"R-STK-8 months begin and end at midnight in Japan time", month_edges, NULL, NULL, NULL},
        {"R-STK-8 the forecast projects the month from the pace so far", projection, NULL, NULL,
         NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

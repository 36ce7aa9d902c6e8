/* Unit tests of the quantity qs stock sync sets (R-STK-7, libcore/stock/stock_sync_plan.c):
 * the buffer in units or percent, the quantity rounded down and never below 0, the split
 * among a shared SKU's links, the cap; and --buffer's parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "stock/stock_sync.h"

static void buffer(void **state)
{
    (void)state;
    assert_int_equal(stock_sync_target(5, 10, 1, 1, -1), 4);   /* 4.5 rounds down */
    assert_int_equal(stock_sync_target(12, 10, 1, 1, -1), 10); /* 10.8 */
    assert_int_equal(stock_sync_target(10, 10, 1, 1, -1), 9);
    assert_int_equal(stock_sync_target(1, 10, 1, 1, -1), 0);
    assert_int_equal(stock_sync_target(10, 100, 1, 1, -1), 0);
    assert_int_equal(stock_sync_target(10, 3, 0, 1, -1), 7);
    assert_int_equal(stock_sync_target(2, 3, 0, 1, -1), 0); /* never below 0 */
    assert_int_equal(stock_sync_target(-4, 0, 0, 1, -1), 0);
}

static void shared_and_max(void **state)
{
    (void)state;
    assert_int_equal(stock_sync_target(20, 10, 1, 2, -1), 9); /* 18 / 2 */
    assert_int_equal(stock_sync_target(20, 0, 0, 3, -1), 6);  /* 6.67 rounds down */
    assert_int_equal(stock_sync_target(20, 10, 1, 2, 8), 8);
    assert_int_equal(stock_sync_target(20, 0, 0, 1, 0), 0);
}

static void parse(void **state)
{
    long long n = -1;
    int pct = -1;
    char why[160];
    (void)state;
    assert_int_equal(stock_sync_buffer_parse("10%", &n, &pct, why, sizeof why), 0);
    assert_int_equal(n, 10);
    assert_int_equal(pct, 1);
    assert_int_equal(stock_sync_buffer_parse("3", &n, &pct, why, sizeof why), 0);
    assert_int_equal(n, 3);
    assert_int_equal(pct, 0);
    assert_int_equal(stock_sync_buffer_parse("101%", &n, &pct, why, sizeof why), -1);
    assert_int_equal(stock_sync_buffer_parse("-1", &n, &pct, why, sizeof why), -1);
    assert_int_equal(stock_sync_buffer_parse("10%%", &n, &pct, why, sizeof why), -1);
    assert_int_equal(stock_sync_buffer_parse("", &n, &pct, why, sizeof why), -1);
    assert_int_equal(stock_sync_buffer_parse("1e3", &n, &pct, why, sizeof why), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        {"R-STK-7 the buffer in units or percent, rounded down, never below 0", buffer, NULL, NULL,
         NULL},
        {"R-STK-7 a shared SKU split among its links, then the cap", shared_and_max, NULL, NULL,
         NULL},
        {"R-STK-7 --buffer takes N or P% from 0 to 100", parse, NULL, NULL, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

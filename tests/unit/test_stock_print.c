/* Unit tests of libcore/stock's Code 128 subset B (R-STK-9 --own-barcode): the symbol
 * table's shape, the start and stop patterns, the check value of published examples and
 * the whole module string of a short text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "stock/stock_print.h"

/* Every symbol: 6 widths of 1..4 summing to 11 (stop: 7 summing to 13), no two alike. */
static void table(void **state)
{
    (void)state;
    for (int v = 0; v <= 106; v++) {
        const char *w = code128_widths(v);
        int sum = 0;
        assert_non_null(w);
        assert_int_equal(strlen(w), v == 106 ? 7 : 6);
        for (const char *p = w; *p; p++) {
            assert_true(*p >= '1' && *p <= '4');
            sum += *p - '0';
        }
        assert_int_equal(sum, v == 106 ? 13 : 11);
        for (int u = 0; u < v; u++)
            assert_string_not_equal(code128_widths(u), w);
    }
    assert_null(code128_widths(107));
    assert_null(code128_widths(-1));
}

static const char *modules_of(int v, char *buf, size_t size)
{
    assert_true(code128_modules(&v, 1, buf, size) > 0);
    return buf;
}

/* The patterns as published (barcodeisland.com's Code 128 page). */
static void start_stop(void **state)
{
    char b[32];
    (void)state;
    assert_string_equal(modules_of(103, b, sizeof b), "11010000100");   /* start A */
    assert_string_equal(modules_of(104, b, sizeof b), "11010010000");   /* start B */
    assert_string_equal(modules_of(105, b, sizeof b), "11010011100");   /* start C */
    assert_string_equal(modules_of(106, b, sizeof b), "1100011101011"); /* stop + bar */
    assert_string_equal(modules_of(0, b, sizeof b), "11011001100");     /* space */
}

/* The check value of published examples: "abcdef" in B is 97 (barcoderesource.com);
 * Wikipedia's "PJJ123C" sums to 878 with start A (103), so 879 with start B: 55. */
static void checksum(void **state)
{
    int v[16];
    (void)state;
    assert_int_equal(code128_b("abcdef", v, 16), 9);
    assert_int_equal(v[0], 104);
    assert_int_equal(v[1], 65);
    assert_int_equal(v[7], 97);
    assert_int_equal(v[8], 106);
    assert_int_equal(code128_b("PJJ123C", v, 16), 10);
    assert_int_equal(v[8], 55);
    assert_int_equal(code128_b("caf\xc3\xa9", v, 16), -1); /* not printable ASCII */
    assert_int_equal(code128_b("a\tb", v, 16), -1);
}

/* "A1": start B, A (33), 1 (17), check (104 + 33 + 34) % 103 = 68, stop. */
static void known_string(void **state)
{
    int v[8], n = code128_b("A1", v, 8);
    char m[128];
    (void)state;
    assert_int_equal(n, 5);
    assert_int_equal(v[3], 68);
    assert_int_equal(code128_modules(v, (size_t)n, m, sizeof m), 11 * 4 + 13);
    assert_string_equal(m, "11010010000" /* start B */
                           "10100011000" /* A: 111323 */
                           "10011100110" /* 1: 123221 */
                           "10000100110" /* 68: 141221 */
                           "1100011101011" /* stop */);
    assert_int_equal(code128_modules(v, (size_t)n, m, 20), -1); /* does not fit */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        {"R-STK-9 Code 128: 107 symbols of 11 modules (stop 13), all distinct", table, NULL, NULL,
         NULL},
        {"R-STK-9 Code 128: start and stop patterns as published", start_stop, NULL, NULL, NULL},
        {"R-STK-9 Code 128 B: check values of published examples", checksum, NULL, NULL, NULL},
        {"R-STK-9 Code 128 B: the modules of a known string", known_string, NULL, NULL, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

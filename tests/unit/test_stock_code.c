/* Unit tests of libcore/stock's codes (R-STK-1): a q_sku read with any of QSM's separators,
 * spaces and full-width characters Excel users paste, written with '-'; wrong lengths and
 * prefixes refused with a message saying what is allowed; an option code Excel stripped of
 * its zeros restored (and said so, for a warning). Also the header labels (R-STK-5). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "stock/stock.h"

/* s must read as want ("300001289771-00003"), *restored as expected. */
static void sku_ok(const char *s, const char *want, int restored)
{
    struct stock_sku k;
    char why[300] = "", out[STOCK_SKU_LEN + 1];
    int r = -1;
    if (stock_sku_parse(s, &k, &r, why, sizeof why) != 0)
        fail_msg("q_sku \"%s\": expected %s, got: %s", s, want, why);
    assert_string_equal(stock_sku_format(&k, out, sizeof out), want);
    assert_int_equal(r, restored);
}

/* s must be refused, with a reason holding want. */
static void sku_bad(const char *s, const char *want)
{
    struct stock_sku k;
    char why[300] = "", out[STOCK_SKU_LEN + 1];
    int r;
    if (stock_sku_parse(s, &k, &r, why, sizeof why) == 0)
        fail_msg("q_sku \"%s\": expected an error, got %s", s,
                 stock_sku_format(&k, out, sizeof out));
    if (!strstr(why, want))
        fail_msg("q_sku \"%s\": expected \"%s\" in \"%s\"", s, want, why);
}

static void separators(void **state)
{
    (void)state;
    sku_ok("300001289771:00003", "300001289771-00003", 0);
    sku_ok("300001289771/00003", "300001289771-00003", 0);
    sku_ok("300001289771-00003", "300001289771-00003", 0);
    sku_ok(" 300001289771 - 00003 ", "300001289771-00003", 0);
    sku_ok("300001289771 : 00003", "300001289771-00003", 0);
}

static void fullwidth(void **state)
{
    (void)state;
    sku_ok("３００００１２８９７７１－００００３", "300001289771-00003", 0);
    sku_ok("３００００１２８９７７１：００００３", "300001289771-00003", 0);
    sku_ok("３００００１２８９７７１／００００３", "300001289771-00003", 0);
    sku_ok("\xE3\x80\x80"
           "300001289771-00003\xE3\x80\x80",
           "300001289771-00003", 0);
}

static void refused(void **state)
{
    (void)state;
    sku_bad("30000128977-00003", "has 11 digits; it is 12 digits starting with 3");
    sku_bad("3000012897712-00003", "has 13 digits; it is 12 digits starting with 3");
    sku_bad("200001289771-00003", "does not start with 3");
    sku_bad("300001289771-000003", "is not 5 digits long; it is 5 digits");
    sku_bad("300001289771", "has no option code; write it 300001289771-00003");
    sku_bad("300001289771-", "the option code is empty");
    sku_bad("30000128977A-00003", "is not all digits");
    sku_bad("300001289771-0000x", "is not all digits");
    sku_bad("3.00001E+11", "scientific notation");
    sku_bad("", "is empty");
}

static void zeros_restored(void **state)
{
    char out[STOCK_OPTION_LEN + 1], why[200];
    int r = -1;
    (void)state;
    sku_ok("300001289771-3", "300001289771-00003", 1);
    sku_ok("300001289771:0003", "300001289771-00003", 1);
    sku_ok("300001289771/12345", "300001289771-12345", 0);
    /* the one function the inbound form (R-INB-1) uses too */
    assert_int_equal(stock_option_parse("3", 1, out, &r, why, sizeof why), 0);
    assert_string_equal(out, "00003");
    assert_int_equal(r, 1);
    assert_int_equal(stock_option_parse("00003", 5, out, &r, why, sizeof why), 0);
    assert_int_equal(r, 0);
    assert_int_equal(stock_option_parse("123456", 6, out, &r, why, sizeof why), -1);
    assert_non_null(strstr(why, "it is 5 digits"));
}

static void qcode(void **state)
{
    char out[STOCK_QCODE_LEN + 1], why[200];
    (void)state;
    assert_int_equal(stock_qcode_parse(" 300001382328 ", 14, out, why, sizeof why), 0);
    assert_string_equal(out, "300001382328");
    assert_int_equal(stock_qcode_parse("30000138232", 11, out, why, sizeof why), -1);
    assert_non_null(strstr(why, "12 digits starting with 3"));
    assert_int_equal(stock_qcode_parse("400001382328", 12, out, why, sizeof why), -1);
}

static void labels(void **state)
{
    struct stock_map m = {0};
    char *l = "仓库位置";
    int f = STK_IGNORE;
    (void)state;
    assert_int_equal(stock_label_field("Q库存-详情号码", NULL), STK_Q_SKU);
    assert_int_equal(stock_label_field("Q库存详细号码", NULL), STK_Q_SKU);
    assert_int_equal(stock_label_field("库存 总数", NULL), STK_TOTAL_QTY);
    assert_int_equal(stock_label_field("库存", NULL), STK_TOTAL_QTY);
    assert_int_equal(stock_label_field("Qxpress 分店数量", NULL), STK_BRANCH_QTY);
    assert_int_equal(stock_label_field("QXPRESS分店数量", NULL), STK_BRANCH_QTY);
    assert_int_equal(stock_label_field("Seller SKU code", NULL), STK_SELLER_SKU);
    assert_int_equal(stock_label_field("", NULL), STK_IGNORE);
    assert_int_equal(stock_label_field("仓库位置", NULL), STK_UNKNOWN);
    m.label = &l;
    m.field = &f;
    m.n = 1;
    assert_int_equal(stock_label_field("仓库 位置", &m), STK_IGNORE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        {"R-STK-1 a q_sku read with -, : or / is the same SKU, written with -", separators, NULL,
         NULL, NULL},
        {"R-STK-1 full-width digits, separators and spaces are read", fullwidth, NULL, NULL, NULL},
        {"R-STK-1 11 or 13 digits, a code not starting with 3, a 6-digit option refused", refused,
         NULL, NULL, NULL},
        {"R-STK-1 an option code without its zeros is restored, and said so", zeros_restored, NULL,
         NULL, NULL},
        {"R-STK-1 a Q-inventory code alone: 12 digits starting with 3", qcode, NULL, NULL, NULL},
        {"R-STK-5 header labels matched through one table, spaces and case ignored", labels, NULL,
         NULL, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

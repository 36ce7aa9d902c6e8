/* Unit test of cat_spread_check, the one check of R-IMP-9 (the price spread) that import,
 * publish edit and the publish mapping share, and of its one message. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "catalog/catalog.h"

/* R-IMP-9: the highest variant price at most 1.5 x the lowest: 1.5 x is in, a yen more is
 * out, at every scale, and a product of one price is always in. */
static void r_imp_9_bound(void **state)
{
    (void)state;
    assert_int_equal(cat_spread_check("P", "H", 1500, "L", 1000, 0, NULL, 0), 0);
    assert_int_equal(cat_spread_check("P", "H", 1501, "L", 1000, 0, NULL, 0), 1);
    assert_int_equal(cat_spread_check("P", "H", 1000, "L", 1000, 0, NULL, 0), 0);
    assert_int_equal(cat_spread_check("P", "H", 3, "L", 2, 0, NULL, 0), 0);
    assert_int_equal(cat_spread_check("P", "H", 4, "L", 2, 0, NULL, 0), 1);
    /* odd lowest: 1.5 x 999 = 1498.5, so 1498 is in and 1499 out */
    assert_int_equal(cat_spread_check("P", "H", 1498, "L", 999, 0, NULL, 0), 0);
    assert_int_equal(cat_spread_check("P", "H", 1499, "L", 999, 0, NULL, 0), 1);
    assert_int_equal(cat_spread_check("P", "H", 999999999, "L", 666666666, 0, NULL, 0), 0);
    assert_int_equal(cat_spread_check("P", "H", 999999999, "L", 666666665, 0, NULL, 0), 1);
    /* a price of 0 beside any other is out (import's rule; publish refuses 0 itself) */
    assert_int_equal(cat_spread_check("P", "H", 1, "L", 0, 0, NULL, 0), 1);
    assert_int_equal(cat_spread_check("P", "H", 0, "L", 0, 0, NULL, 0), 0);
}

/* R-IMP-9: the rule's one message names the product, both SKUs and prices, and the
 * line of the lowest when there is one; none is written for prices within the spread. */
static void r_imp_9_message(void **state)
{
    char msg[512];
    (void)state;
    assert_int_equal(cat_spread_check("BAG", "BAG-L", 1600, "BAG-S", 1000, 2, msg, sizeof msg), 1);
    assert_string_equal(msg, "Parent SKU \"BAG\": SKU \"BAG-L\" costs 1600, more than 1.5 x the "
                             "lowest price 1000 (SKU \"BAG-S\", line 2); Qoo10 keeps option "
                             "prices within 50% of the item price");
    assert_int_equal(cat_spread_check("BAG", "BAG-L", 1600, "BAG-S", 1000, 0, msg, sizeof msg), 1);
    assert_string_equal(msg, "Parent SKU \"BAG\": SKU \"BAG-L\" costs 1600, more than 1.5 x the "
                             "lowest price 1000 (SKU \"BAG-S\"); Qoo10 keeps option prices "
                             "within 50% of the item price");
    strcpy(msg, "untouched");
    assert_int_equal(cat_spread_check("BAG", "BAG-L", 1500, "BAG-S", 1000, 2, msg, sizeof msg), 0);
    assert_string_equal(msg, "untouched");
    /* a short buffer is cut, never overrun */
    char small[16];
    memset(small, 'x', sizeof small);
    assert_int_equal(cat_spread_check("BAG", "BAG-L", 1600, "BAG-S", 1000, 0, small, 8), 1);
    assert_int_equal(strlen(small), 7);
    assert_int_equal(small[8], 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        {"R-IMP-9: highest price at most 1.5 x the lowest", r_imp_9_bound, NULL, NULL, NULL},
        {"R-IMP-9: one message for import, edit and mapping", r_imp_9_message, NULL, NULL, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

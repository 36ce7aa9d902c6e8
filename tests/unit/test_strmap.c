/* Unit tests of libcore/strmap: the string -> index map of the batch paths (SPEC 8). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>

#include "strmap.h"

static void empty_map_finds_nothing(void **state)
{
    struct strmap m = {0};
    size_t v = 7;
    (void)state;
    assert_int_equal(strmap_get(&m, "", &v), 0);
    assert_int_equal(strmap_get(&m, "300000001", NULL), 0);
    assert_int_equal(v, 7);
    strmap_free(&m);
}

static void put_get_overwrite_through_growth(void **state)
{
    struct strmap m = {0};
    char key[32];
    size_t v;
    (void)state;
    for (size_t i = 0; i < 10000; i++) {
        snprintf(key, sizeof key, "%zu", 300000000 + i);
        strmap_put(&m, key, i);
    }
    assert_int_equal(m.n, 10000);
    for (size_t i = 0; i < 10000; i++) {
        snprintf(key, sizeof key, "%zu", 300000000 + i);
        assert_int_equal(strmap_get(&m, key, &v), 1);
        assert_int_equal(v, i);
    }
    /* A key and its revision are different keys; a second put of a key takes the new value. */
    assert_int_equal(strmap_get(&m, "300000001#2", NULL), 0);
    strmap_put(&m, "300000001", 42);
    assert_int_equal(m.n, 10000);
    assert_int_equal(strmap_get(&m, "300000001", &v), 1);
    assert_int_equal(v, 42);
    strmap_put(&m, "", 5); /* the empty string is a key too */
    assert_int_equal(strmap_get(&m, "", &v), 1);
    assert_int_equal(v, 5);
    strmap_free(&m);
    assert_int_equal(strmap_get(&m, "300000001", NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_map_finds_nothing),
        cmocka_unit_test(put_get_overwrite_through_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

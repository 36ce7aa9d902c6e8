/* Unit tests of libcore/shop (SPEC 1.4): shops, zones, settings, secrets kept apart. */
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
#include "xalloc.h"

#include "store_fx.h"

static int setup(void **state)
{
    struct fx *f = fx_open("shop");
    if (!f)
        return -1;
    *state = f;
    return 0;
}

static void names(void **state)
{
    (void)state;
    assert_true(shop_name_valid("demo"));
    assert_true(shop_name_valid("My_Shop-2.jp"));
    assert_false(shop_name_valid(""));
    assert_false(shop_name_valid("-x"));
    assert_false(shop_name_valid("a b"));
    assert_false(shop_name_valid("a/b"));
    assert_false(shop_name_valid("ショップ"));
    assert_false(
        shop_name_valid("0123456789012345678901234567890123456789012345678901234567890123"));
}

static void add_is_idempotent(void **state)
{
    struct fx *f = *state;
    struct qs_err e;
    struct shop sh;
    int created;
    assert_int_equal(shop_add(f->s, "demo", "Asia/Tokyo", 0, &created, &e), 0);
    assert_int_equal(created, 1);
    assert_int_equal(shop_add(f->s, "demo", "Asia/Tokyo", 0, &created, &e), 0);
    assert_int_equal(created, 0);
    /* Another zone changes the shop only when asked to. */
    assert_int_equal(shop_add(f->s, "demo", "America/Los_Angeles", 0, &created, &e), 0);
    assert_int_equal(shop_resolve(f->s, "demo", &sh, &e), 0);
    assert_string_equal(sh.tz, "Asia/Tokyo");
    assert_int_equal(shop_add(f->s, "demo", "America/Los_Angeles", 1, &created, &e), 0);
    assert_int_equal(shop_resolve(f->s, "demo", &sh, &e), 0);
    assert_string_equal(sh.tz, "America/Los_Angeles");
}

static void bad_zone_and_name_refused(void **state)
{
    struct fx *f = *state;
    struct qs_err e;
    int created;
    assert_int_equal(shop_add(f->s, "demo", "Mars/Olympus", 0, &created, &e), QS_E_USAGE);
    assert_non_null(strstr(e.msg, "Mars/Olympus"));
    assert_int_equal(shop_add(f->s, "a b", "UTC", 0, &created, &e), QS_E_USAGE);
}

static void resolve_rules(void **state)
{
    struct fx *f = *state;
    struct qs_err e;
    struct shop sh;
    int created;
    assert_int_equal(shop_resolve(f->s, NULL, &sh, &e), QS_E_USAGE);
    assert_non_null(strstr(e.msg, "qs init"));
    shop_add(f->s, "one", "UTC", 0, &created, &e);
    assert_int_equal(shop_resolve(f->s, NULL, &sh, &e), 0);
    assert_string_equal(sh.name, "one");
    shop_add(f->s, "two", "UTC", 0, &created, &e);
    assert_int_equal(shop_resolve(f->s, NULL, &sh, &e), QS_E_USAGE);
    assert_non_null(strstr(e.msg, "--shop"));
    assert_int_equal(shop_resolve(f->s, "two", &sh, &e), 0);
    assert_string_equal(sh.name, "two");
    assert_int_equal(shop_resolve(f->s, "three", &sh, &e), QS_E_USAGE);
}

static int collect(const char *key, const char *value, void *ctx)
{
    char *buf = ctx;
    strcat(buf, key);
    strcat(buf, "=");
    strcat(buf, value);
    strcat(buf, ";");
    return 0;
}

static void settings_and_secrets_apart(void **state)
{
    struct fx *f = *state;
    struct qs_err e;
    char *v = NULL, seen[256] = "";
    int created, n;
    shop_add(f->s, "demo", "UTC", 0, &created, &e);
    assert_int_equal(shop_setting_set(f->s, "demo", "currency", "JPY", &e), 0);
    assert_int_equal(shop_setting_set(f->s, "demo", "currency", "USD", &e), 0);
    assert_int_equal(shop_secret_set(f->s, "demo", "qapi.key", "s3cr3t", &e), 0);
    assert_int_equal(shop_setting_get(f->s, "demo", "currency", &v, &e), 0);
    assert_string_equal(v, "USD");
    free(v);
    assert_int_equal(shop_secret_get(f->s, "demo", "qapi.key", &v, &e), 0);
    assert_string_equal(v, "s3cr3t");
    free(v);
    assert_int_equal(shop_setting_get(f->s, "demo", "nothing", &v, &e), 0);
    assert_null(v);
    /* Listing settings never shows a secret. */
    assert_int_equal(shop_setting_each(f->s, "demo", collect, seen, &e), 0);
    assert_string_equal(seen, "currency=USD;");
    assert_int_equal(shop_secret_count(f->s, "demo", &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(shop_setting_set(f->s, "demo", "currency", NULL, &e), 0);
    assert_int_equal(shop_setting_get(f->s, "demo", "currency", &v, &e), 0);
    assert_null(v);
    /* A setting of an unknown shop breaks the foreign key. */
    assert_true(shop_setting_set(f->s, "nosuch", "k", "v", &e) < 0);
}

static void keys_and_deliveries(void **state)
{
    (void)state;
    assert_true(shop_key_valid("qapi.url"));
    assert_false(shop_key_valid("Bad Key"));
    assert_true(shop_delivery_valid("qapi"));
    assert_true(shop_delivery_valid("smtp"));
    assert_true(shop_delivery_valid("hook:/usr/bin/x --y"));
    assert_true(shop_delivery_valid("file:/tmp/out"));
    assert_false(shop_delivery_valid("hook:"));
    assert_false(shop_delivery_valid("ftp:x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names),
        cmocka_unit_test_setup_teardown(add_is_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_zone_and_name_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(resolve_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(settings_and_secrets_apart, setup, teardown),
        cmocka_unit_test(keys_and_deliveries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

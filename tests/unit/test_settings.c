/* Unit tests of libcore/settings: the registry of shop settings and its typed getters
 * (issue 10 item 5). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "settings.h"
#include "shop.h"
#include "store.h"
#include "sync/sync.h"
#include "xalloc.h"

#include "store_fx.h"

static int setup(void **state)
{
    struct fx *f = fx_open("settings");
    struct qs_err e;
    int created;
    if (!f || shop_add(f->s, "demo", "Asia/Tokyo", 0, &created, &e) < 0)
        return -1;
    *state = f;
    return 0;
}

/* The table is in key order, every default fits its own entry, and the sync defaults
 * are the ones sync.h names. */
static void table_sane(void **state)
{
    size_t n;
    const struct settings_entry *t = settings_table(&n);
    struct qs_err e = {0};
    (void)state;
    assert_true(n > 10);
    for (size_t i = 0; i < n; i++) {
        if (i)
            assert_true(strcmp(t[i - 1].key, t[i].key) < 0);
        assert_non_null(t[i].doc);
        if (t[i].def && !t[i].internal && !t[i].prefix)
            assert_int_equal(settings_check(t[i].key, t[i].def, &e), 0);
    }
    char def[32];
    snprintf(def, sizeof def, "%d", SYNC_DEFAULT_CAP);
    assert_string_equal(settings_find("sync.window_cap")->def, def);
    snprintf(def, sizeof def, "%d", SYNC_INFLIGHT_S);
    assert_string_equal(settings_find("sync.inflight_s")->def, def);
}

/* An unknown key is refused naming it and the known ones; a prefix entry matches only
 * with a name after the prefix. */
static void unknown_key(void **state)
{
    struct qs_err e = {0};
    (void)state;
    assert_int_equal(settings_check("bogus.key", "1", &e), QS_E_USAGE);
    assert_non_null(strstr(e.msg, "unknown setting \"bogus.key\""));
    assert_non_null(strstr(e.msg, "sync.window_cap"));
    assert_null(strstr(e.msg, "qapi.sak_issued")); /* internal: not offered */
    assert_null(settings_find("deliver."));
    assert_non_null(settings_find("deliver.note"));
    assert_int_equal(settings_check("deliver.note", "hook:/bin/cat", &e), 0);
    assert_int_equal(settings_check("deliver.note", "ftp:x", &e), QS_E_USAGE);
    assert_non_null(strstr(e.msg, "not qapi, smtp, hook:COMMAND or file:DIR"));
    assert_int_equal(settings_check("qapi.sak_issued", "x", &e), QS_E_USAGE);
}

/* Whole numbers and numbers are checked against their bounds, at --set and when read. */
static void bounds(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    long l = -1;
    double d = -1;

    assert_int_equal(settings_check("sync.window_cap", "1", &e), 0);
    assert_int_equal(settings_check("sync.window_cap", "0", &e), QS_E_USAGE);
    assert_string_equal(e.msg, "setting sync.window_cap is \"0\", not a number of at least 1");
    assert_int_equal(settings_check("sync.window_cap", "12x", &e), QS_E_USAGE);
    assert_int_equal(settings_check("sync.window_cap", "", &e), QS_E_USAGE);
    assert_int_equal(settings_check("sync.window_cap", "99999999999999999999", &e), QS_E_USAGE);
    assert_int_equal(settings_check("qapi.rate", "0.5", &e), 0);
    assert_int_equal(settings_check("qapi.rate", "1001", &e), QS_E_USAGE);
    assert_string_equal(e.msg, "setting qapi.rate is \"1001\", not a number from 0 to 1000");
    assert_int_equal(settings_check("qapi.timeout", "nan", &e), QS_E_USAGE);

    /* unset: the default, return 0 */
    assert_int_equal(settings_long(f->s, "demo", "sync.window_cap", &l, &e), 0);
    assert_int_equal(l, SYNC_DEFAULT_CAP);
    assert_int_equal(settings_number(f->s, "demo", "qapi.timeout", &d, &e), 0);
    assert_true(d == 30);
    /* set: the value, return 1 */
    assert_int_equal(shop_setting_set(f->s, "demo", "sync.window_cap", "40", &e), 0);
    assert_int_equal(settings_long(f->s, "demo", "sync.window_cap", &l, &e), 1);
    assert_int_equal(l, 40);
    /* a bad stored value (an older qs, a hand edit): named with shop, key, value, fix */
    assert_int_equal(shop_setting_set(f->s, "demo", "sync.window_cap", "abc", &e), 0);
    assert_int_equal(settings_long(f->s, "demo", "sync.window_cap", &l, &e), QS_E_USAGE);
    assert_string_equal(e.msg, "shop demo: setting sync.window_cap is \"abc\", not a number of "
                               "at least 1; fix it with `qs init --shop demo --set "
                               "sync.window_cap=N`");
    /* a setting without default stays untouched when unset */
    l = -7;
    assert_int_equal(settings_long(f->s, "demo", "coupon.fans", &l, &e), 0);
    assert_int_equal(l, -7);
    /* a getter of the wrong type is a bug, not a user error */
    assert_int_equal(settings_long(f->s, "demo", "qapi.rate", &l, &e), QS_E_SOFTWARE);
    assert_int_equal(settings_long(f->s, "demo", "no.such", &l, &e), QS_E_SOFTWARE);
}

/* Choices: the index of the value; a bad one names the choices and the default. */
static void enums(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    int i = -1;
    char *v = NULL;

    assert_int_equal(settings_enum(f->s, "demo", "sync.open_form", &i, &e), 0);
    assert_int_equal(i, 0);
    assert_int_equal(settings_check("sync.open_form", "blank", &e), 0);
    assert_int_equal(settings_check("sync.open_form", "Zero", &e), QS_E_USAGE);
    assert_int_equal(shop_setting_set(f->s, "demo", "sync.open_form", "zero", &e), 0);
    assert_int_equal(settings_enum(f->s, "demo", "sync.open_form", &i, &e), 1);
    assert_int_equal(i, 1);
    assert_int_equal(shop_setting_set(f->s, "demo", "sync.open_form", "both", &e), 0);
    assert_int_equal(settings_enum(f->s, "demo", "sync.open_form", &i, &e), QS_E_USAGE);
    assert_string_equal(e.msg, "shop demo: setting sync.open_form is \"both\", not per-status, "
                               "zero or blank; fix it with `qs init --shop demo --set "
                               "sync.open_form=per-status`");
    assert_string_equal(e.rule, "R-SYN-9");

    /* strings: NULL when unset without default, the text when set */
    assert_int_equal(settings_string(f->s, "demo", "note.tracking_hook", &v, &e), 0);
    assert_null(v);
    assert_int_equal(shop_setting_set(f->s, "demo", "note.tracking_hook", "/bin/true", &e), 0);
    assert_int_equal(settings_string(f->s, "demo", "note.tracking_hook", &v, &e), 1);
    assert_string_equal(v, "/bin/true");
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_sane),
        cmocka_unit_test(unknown_key),
        cmocka_unit_test_setup_teardown(bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(enums, setup, teardown),
    };
    return cmocka_run_group_tests_name("settings registry (issue 10 item 5)", tests, NULL, NULL);
}

/* Unit tests of libcore/err: messages and exit codes of SPEC 1.3. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static void format_names_file_line_record_rule(void **state)
{
    struct qs_err e;
    char buf[512];
    (void)state;
    err_clear(&e);
    assert_int_equal(err_set(&e, QS_E_DATA, "R-IMP-4", "SKU \"%s\" repeats line %d", "A-1", 3),
                     QS_E_DATA);
    err_at(&e, "catalog.csv", 12, 0);
    assert_string_equal(err_format(&e, "qs import", buf, sizeof buf),
                        "qs import: catalog.csv:12: SKU \"A-1\" repeats line 3 (R-IMP-4)");
    err_at(&e, NULL, 12, 4);
    err_record(&e, "A-1");
    assert_string_equal(err_format(&e, "qs import", buf, sizeof buf),
                        "qs import: catalog.csv:12:4: A-1: SKU \"A-1\" repeats line 3 (R-IMP-4)");
}

static void format_without_location(void **state)
{
    struct qs_err e;
    char buf[64];
    (void)state;
    err_clear(&e);
    err_set(&e, QS_E_IO, NULL, "disk full");
    assert_string_equal(err_format(&e, "qs", buf, sizeof buf), "qs: disk full");
}

static void format_truncates_safely(void **state)
{
    struct qs_err e;
    char buf[16];
    (void)state;
    err_clear(&e);
    err_set(&e, QS_E_IO, "R-X-1", "a very long message that does not fit");
    err_format(&e, "qs", buf, sizeof buf);
    assert_int_equal(strlen(buf), sizeof buf - 1);
}

/* Issue 8 item 15: no control character of an input reaches the terminal raw. */
static void format_escapes_control_characters(void **state)
{
    struct qs_err e;
    char buf[128], small[10];
    (void)state;
    err_clear(&e);
    err_set(&e, QS_E_DATA, "R-SYN-1b", "unknown order line %s",
            "\x1b[2J50\x07\xc2\x9b"
            "1\x7f");
    err_at(&e, "in\rput.csv", 2, 0);
    assert_string_equal(err_format(&e, "qs", buf, sizeof buf),
                        "qs: in\\x0dput.csv:2: unknown order line \\x1b[2J50\\x07\\u009b1\\x7f "
                        "(R-SYN-1b)");
    for (const char *p = buf; *p; p++)
        assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
    /* Japanese, and U+00A0 (C2 A0), are not control characters */
    err_set(&e, QS_E_DATA, NULL, "注文\xc2\xa0番号");
    err_at(&e, "", 0, 0);
    assert_string_equal(err_format(&e, "qs", buf, sizeof buf), "qs: 注文\xc2\xa0番号");
    /* cut to the buffer, at a whole character */
    snprintf(small, sizeof small, "\x01注文");
    assert_string_equal(err_safe(small, sizeof small), "\\x01注");
}

static void exit_codes_of_spec_1_3(void **state)
{
    (void)state;
    assert_int_equal(err_exit_code(0), 0);
    assert_int_equal(err_exit_code(QS_E_FAIL), 1);
    assert_int_equal(err_exit_code(QS_E_USAGE), 64);
    assert_int_equal(err_exit_code(QS_E_DATA), 65);
    assert_int_equal(err_exit_code(QS_E_UNAVAILABLE), 69);
    assert_int_equal(err_exit_code(QS_E_SOFTWARE), 70);
    assert_int_equal(err_exit_code(QS_E_IO), 74);
    assert_int_equal(err_exit_code(QS_E_TEMP), 75);
    assert_int_equal(err_exit_code(-3), 70); /* unknown codes are internal errors */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_names_file_line_record_rule),
        cmocka_unit_test(format_without_location),
        cmocka_unit_test(format_truncates_safely),
        cmocka_unit_test(format_escapes_control_characters),
        cmocka_unit_test(exit_codes_of_spec_1_3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

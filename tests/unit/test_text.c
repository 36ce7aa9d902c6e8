/* Unit tests of libcore/text (control characters: issue 8 item 15; full-width numbers and
 * scientific notation: item 16, SPEC 1.2; cell names: item 17) and libcore/afile (the
 * --rejects file written whole or not at all: item 1). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "text.h"

/* ---- issue 8 item 15: control characters ---- */

static long find(const char *s, enum text_kind k, unsigned *cp)
{
    return text_ctl_find(s, strlen(s), k, cp);
}

static void item15_ctl_find_c0_del_c1(void **state)
{
    unsigned cp = 0;
    (void)state;
    assert_int_equal(find("", TEXT_LINE, &cp), -1);
    assert_int_equal(find("マグカップ 350ml", TEXT_LINE, &cp), -1);
    assert_int_equal(find("ab\acd", TEXT_LINE, &cp), 2);
    assert_int_equal(cp, 0x07);
    assert_int_equal(find("a\tb", TEXT_LINE, &cp), 1);
    assert_int_equal(cp, 0x09);
    assert_int_equal(find("a\nb", TEXT_LINE, &cp), 1);
    assert_int_equal(find("a\x7f", TEXT_LINE, &cp), 1);
    assert_int_equal(cp, 0x7f);
    /* C1: U+0080 and U+009F are controls; U+00A0 (no-break space) and U+00E9 are not. */
    assert_int_equal(find("x\xc2\x80", TEXT_LINE, &cp), 1);
    assert_int_equal(cp, 0x80);
    assert_int_equal(find("\xc2\x9f", TEXT_LINE, &cp), 0);
    assert_int_equal(cp, 0x9f);
    assert_int_equal(find("\xc2\xa0\xc3\xa9", TEXT_LINE, &cp), -1);
    assert_int_equal(find("\xc2", TEXT_LINE, &cp), -1); /* cut short: not a C1 control */
    /* multi-line text keeps tabs and line breaks, nothing else */
    assert_int_equal(find("a\tb\r\nc\rd\ne", TEXT_LINES, &cp), -1);
    assert_int_equal(find("a\nb\x1b", TEXT_LINES, &cp), 3);
    assert_int_equal(find("a\n\xc2\x85", TEXT_LINES, &cp), 2);
    assert_int_equal(cp, 0x85);
    /* a NUL inside the length counts */
    assert_int_equal(text_ctl_find("a\0b", 3, TEXT_LINES, &cp), 1);
    assert_int_equal(cp, 0);
}

static void item15_ctl_describe_and_check(void **state)
{
    char buf[160];
    struct qs_err e;
    (void)state;
    assert_int_equal(text_ctl_describe("ok", 2, TEXT_LINE, buf, sizeof buf), 0);
    assert_int_equal(text_ctl_describe("ご案\a内", strlen("ご案\a内"), TEXT_LINE, buf, sizeof buf),
                     1);
    /* the place is counted in characters, not bytes */
    assert_string_equal(buf, "holds the control character U+0007 (bell) at character 3; remove it");
    assert_int_equal(text_ctl_describe("\xc2\x85", 2, TEXT_LINES, buf, sizeof buf), 1);
    assert_string_equal(buf, "holds the control character U+0085 at character 1; remove it");
    err_clear(&e);
    assert_int_equal(text_ctl_check("carrier", "ヤマト", TEXT_LINE, "R-SYN-1b", &e), 0);
    assert_int_equal(text_ctl_check("carrier", NULL, TEXT_LINE, "R-SYN-1b", &e), 0);
    assert_int_equal(text_ctl_check("carrier", "a\r", TEXT_LINE, "R-SYN-1b", &e), QS_E_DATA);
    assert_string_equal(e.msg, "the carrier holds the control character U+000D (carriage return) "
                               "at character 2; remove it");
    assert_string_equal(e.rule, "R-SYN-1b");
}

/* ---- issue 8 item 16: full-width numbers, scientific notation ---- */

static void item16_ascii_number(void **state)
{
    char out[32];
    const char *fw = "１，２８０";
    (void)state;
    assert_int_equal(text_ascii_number(fw, strlen(fw), out, sizeof out), 5);
    assert_string_equal(out, "1,280");
    assert_int_equal(text_ascii_number("－１２．５＋", strlen("－１２．５＋"), out, sizeof out), 6);
    assert_string_equal(out, "-12.5+");
    /* other characters are kept: the yen sign, 円, ASCII, a full-width slash */
    assert_int_equal(text_ascii_number("￥１円", strlen("￥１円"), out, sizeof out), 7);
    assert_string_equal(out, "￥1円");
    assert_int_equal(text_ascii_number("１／２", strlen("１／２"), out, sizeof out), 5);
    assert_string_equal(out, "1／2");
    assert_int_equal(text_ascii_number("12", 2, out, 3), 2);
    assert_int_equal(text_ascii_number("123", 3, out, 3), -1); /* no room for the NUL */
    assert_int_equal(text_ascii_number("\xef\xbc", 2, out, sizeof out), 2); /* cut short */
}

static void item16_sci_number(void **state)
{
    (void)state;
    assert_true(text_sci_number("3.00001E+11", 11));
    assert_true(text_sci_number("4.9E+12", 7));
    assert_true(text_sci_number("1e+05", 5));
    assert_false(text_sci_number("3.00001E11", 10)); /* Excel always writes the sign */
    assert_false(text_sci_number("E+11", 4));
    assert_false(text_sci_number("3.E+11", 6));
    assert_false(text_sci_number("3.1E+", 5));
    assert_false(text_sci_number("3.1E+1x", 7));
    assert_false(text_sci_number("SKU-1E+5", 8));
    assert_false(text_sci_number("036000291452", 12));
    assert_false(text_sci_number("", 0));
}

/* ---- issue 8 item 17: a cell's name in messages ---- */

static void item17_where(void **state)
{
    char buf[128];
    (void)state;
    assert_string_equal(text_where(13, "Price", buf, sizeof buf), "column M (Price)");
    assert_string_equal(text_where(27, "価格", buf, sizeof buf), "column AA (価格)");
    assert_string_equal(text_where(1, NULL, buf, sizeof buf), "column A");
    assert_string_equal(text_where(0, "price", buf, sizeof buf), "field \"price\"");
}

/* ---- issue 8 item 1: the rejects file ---- */

static char *slurp(const char *path)
{
    static char buf[256];
    FILE *fp = fopen(path, "r");
    size_t n;
    if (!fp)
        return NULL;
    n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static int count_entries(const char *dir)
{
    char cmd[512];
    FILE *p;
    int n = -1;
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    if ((p = popen(cmd, "r"))) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

static void item1_afile_commit_abort(void **state)
{
    char dir[] = "/tmp/qs-afile.XXXXXX", path[64], in[64];
    struct afile *a = NULL;
    struct qs_err e;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/rej.csv", dir);
    snprintf(in, sizeof in, "%s/in.csv", dir);
    FILE *fp = fopen(path, "w");
    fputs("old\n", fp);
    fclose(fp);
    fp = fopen(in, "w");
    fputs("input\n", fp);
    fclose(fp);

    /* aborted: the old file stays, no temporary file is left */
    assert_int_equal(afile_open(path, in, &a, &e), 0);
    fputs("new\n", afile_fp(a));
    assert_int_equal(count_entries(dir), 3);
    afile_abort(a);
    assert_string_equal(slurp(path), "old\n");
    assert_int_equal(count_entries(dir), 2);
    afile_abort(NULL);

    /* committed: replaced whole */
    assert_int_equal(afile_open(path, "-", &a, &e), 0);
    fputs("new\n", afile_fp(a));
    assert_string_equal(slurp(path), "old\n"); /* not before the commit */
    assert_int_equal(afile_commit(a, &e), 0);
    assert_string_equal(slurp(path), "new\n");
    assert_int_equal(count_entries(dir), 2);

    /* the input itself is refused, also through a link */
    assert_int_equal(afile_open(in, in, &a, &e), QS_E_USAGE);
    assert_null(a);
    assert_non_null(strstr(e.msg, "is the input file"));
    snprintf(path, sizeof path, "%s/link.csv", dir);
    assert_int_equal(symlink(in, path), 0);
    assert_int_equal(afile_open(path, in, &a, &e), QS_E_USAGE);
    assert_string_equal(slurp(in), "input\n");
    /* a folder that does not exist */
    snprintf(path, sizeof path, "%s/no/rej.csv", dir);
    assert_int_equal(afile_open(path, NULL, &a, &e), QS_E_IO);
    assert_non_null(strstr(e.msg, "cannot write"));

    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    assert_int_equal(system(path), 0);
}

int main(void)
{
    // clang-format off
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(item15_ctl_find_c0_del_c1),
        cmocka_unit_test(item15_ctl_describe_and_check),
        cmocka_unit_test(item16_ascii_number),
        cmocka_unit_test(item16_sci_number),
        cmocka_unit_test(item17_where),
        cmocka_unit_test(item1_afile_commit_abort),
    };
    // clang-format on
    return cmocka_run_group_tests(tests, NULL, NULL);
}

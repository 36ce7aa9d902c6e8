/* Unit tests of libcore/text (control characters: issue 8 item 15; full-width numbers and
 * scientific notation: item 16, SPEC 1.2; cell names: item 17) and libcore/afile (the
 * --rejects file written whole or not at all: item 7). */
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

/* The byte-by-byte reference of text_ctl_find. */
static long ref_find(const unsigned char *p, size_t n, enum text_kind k, unsigned *cp)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
            *cp = p[i + 1];
            return (long)i;
        }
        if ((p[i] < 0x20 || p[i] == 0x7f) &&
            !(k == TEXT_LINES && (p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))) {
            *cp = p[i];
            return (long)i;
        }
    }
    return -1;
}

/* The word-at-a-time scan agrees with the reference for every control character at
 * every place of cells of 0 to 40 bytes of ASCII, Japanese or U+00A5 filler. */
static void item15_ctl_find_every_position(void **state)
{
    static const unsigned ctl[] = {0x00, 0x01, 0x07, 0x09, 0x0a, 0x0d, 0x1b,
                                   0x1f, 0x7f, 0x80, 0x85, 0x9f, 0xa0};
    static const char *const fill[] = {"abcdefgh", "\xe3\x81\x82\xe3\x81\x84", "\xc2\xa5x"};
    unsigned char s[64];
    (void)state;
    for (size_t f = 0; f < sizeof fill / sizeof fill[0]; f++) {
        size_t flen = strlen(fill[f]);
        for (size_t len = 0; len <= 40; len++) {
            for (size_t k = 0; k < sizeof ctl / sizeof ctl[0]; k++) {
                for (size_t at = 0; at <= len; at++) {
                    size_t n = 0;
                    for (size_t i = 0; i < len; i++) {
                        if (i == at && ctl[k] >= 0x80)
                            s[n++] = 0xc2; /* a C1 control (or U+00A0) in UTF-8 */
                        if (i == at)
                            s[n++] = (unsigned char)ctl[k];
                        s[n++] = (unsigned char)fill[f][i % flen];
                    }
                    for (int kind = TEXT_LINE; kind <= TEXT_LINES; kind++) {
                        unsigned cp = 0, want_cp = 0;
                        long got = text_ctl_find((const char *)s, n, kind, &cp);
                        long want = ref_find(s, n, kind, &want_cp);
                        if (got != want || (want >= 0 && cp != want_cp))
                            fail_msg("fill %zu len %zu ctl %02x at %zu kind %d: %ld U+%04X, want "
                                     "%ld U+%04X",
                                     f, len, ctl[k], at, kind, got, cp, want, want_cp);
                    }
                }
            }
        }
    }
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

/* SPEC 1.2: Excel's error values and its scientific notation are never codes. */
static void spec1_2_code_why(void **state)
{
    (void)state;
    assert_true(text_xl_error("#N/A", 4));
    assert_true(text_xl_error("#n/a", 4));
    assert_true(text_xl_error("#VALUE!", 7));
    assert_true(text_xl_error("#DIV/0!", 7));
    assert_true(text_xl_error("#NAME?", 6));
    assert_true(text_xl_error("#GETTING_DATA", 13));
    assert_false(text_xl_error("#N/A ", 5));
    assert_false(text_xl_error("#N/", 3)); /* a prefix is not one */
    assert_false(text_xl_error("#N/A", 3));
    assert_false(text_xl_error("N/A", 3));
    assert_false(text_xl_error("#1", 2));
    assert_false(text_xl_error("", 0));
    assert_ptr_equal(text_code_why("1.23457E+11", 11), text_sci_why);
    assert_ptr_equal(text_code_why("#REF!", 5), text_xl_error_why);
    assert_null(text_code_why("123456789012", 12));
    assert_null(text_code_why("EJ123456789JP", 13));
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

/* ---- issue 8 item 7: the rejects file ---- */

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

/* QSM form headers: case and spaces do not matter, anything else does. */
static void form_label_lookup(void **state)
{
    (void)state;
    static const char *const labels[][4] = {
        {"SellerCode", "卖家商品代码", "Seller Code", NULL},
        {"MovingQty", "处理数量", NULL},
    };
    assert_true(text_label_eq(" seller code ", "SellerCode"));
    assert_true(text_label_eq("", "  "));
    assert_false(text_label_eq("SellerCod", "SellerCode"));
    assert_false(text_label_eq("SellerCode2", "SellerCode"));
    assert_int_equal(text_label_col("SELLERCODE", labels, 2), 0);
    assert_int_equal(text_label_col("处理数量", labels, 2), 1);
    assert_int_equal(text_label_col("movingqty ", labels, 2), 1);
    assert_int_equal(text_label_col("数量", labels, 2), -1);
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
        cmocka_unit_test(item15_ctl_find_every_position),
        cmocka_unit_test(item15_ctl_describe_and_check),
        cmocka_unit_test(item16_ascii_number),
        cmocka_unit_test(item16_sci_number),
        cmocka_unit_test(spec1_2_code_why),
        cmocka_unit_test(item17_where),
        cmocka_unit_test(form_label_lookup),
        cmocka_unit_test(item1_afile_commit_abort),
    };
    // clang-format on
    return cmocka_run_group_tests(tests, NULL, NULL);
}

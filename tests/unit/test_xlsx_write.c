/* Unit tests of the .xlsx writer (SPEC 1.2: "code columns typed as text so leading zeros
 * survive Excel"): the target must be a file, the cells' types, text columns, Excel's
 * limits, and no temporary file left behind on any path. The workbook is looked into
 * through libzip (xlsx_fx.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/record.h"
#include "xlsx_fx.h"

/* Each test gets its own TMPDIR, so that what the writer leaves there can be counted. */
struct fx {
    char tmp[64];  /* TMPDIR during the test */
    char out[128]; /* the workbook written */
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->tmp, sizeof f->tmp, "/tmp/qs-xlw-test-XXXXXX");
    if (!mkdtemp(f->tmp))
        return -1;
    setenv("TMPDIR", f->tmp, 1);
    snprintf(f->out, sizeof f->out, "%s.xlsx", f->tmp);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    unlink(f->out);
    rmdir(f->tmp);
    unsetenv("TMPDIR");
    free(f);
    return 0;
}

static struct rec *row(const char *const *kv)
{
    struct rec *r = rec_new();
    for (; kv[0]; kv += 2)
        rec_set(r, kv[0], kv[1]);
    return r;
}

/* Writes the records (name/value pairs, each list NULL-terminated) to f->out as a workbook
 * and returns the sheet's XML (malloc'd). */
static char *write_book(struct fx *f, const char *const *text_cols, const char *const *cols,
                        size_t ncols, const char *const *const *rows, size_t nrows)
{
    struct rec_writer_opts o = {.fmt = REC_XLSX, .text_columns = text_cols};
    struct rec_writer *w;
    struct qs_err e;
    FILE *fp = fopen(f->out, "w");
    err_clear(&e);
    assert_non_null(fp);
    assert_int_equal(rec_writer_open(fp, &o, cols, ncols, &w, &e), 0);
    for (size_t i = 0; i < nrows; i++) {
        struct rec *r = row(rows[i]);
        assert_int_equal(rec_write(w, r, &e), 0);
        rec_free(r);
    }
    assert_int_equal(rec_writer_close(w, &e), 0);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(xfx_entries(f->tmp), 0); /* the temporary workbook is gone */
    char *xml = xfx_part(f->out, "xl/worksheets/sheet1.xml");
    assert_non_null(xml);
    return xml;
}

static void test_refuses_pipe(void **state)
{
    struct rec_writer_opts o = {.fmt = REC_XLSX};
    struct rec_writer *w = (void *)1;
    struct qs_err e;
    int fds[2];
    struct fx *f = *state;
    assert_int_equal(pipe(fds), 0);
    FILE *fp = fdopen(fds[1], "w");
    err_clear(&e);
    assert_int_equal(rec_writer_open(fp, &o, NULL, 0, &w, &e), QS_E_USAGE);
    assert_null(w);
    assert_non_null(strstr(e.msg, "--format xlsx writes a workbook, which needs a file"));
    fclose(fp);
    close(fds[0]);
    /* A character device too. */
    fp = fopen("/dev/null", "w");
    assert_int_equal(rec_writer_open(fp, &o, NULL, 0, &w, &e), QS_E_USAGE);
    fclose(fp);
    assert_int_equal(xfx_entries(f->tmp), 0);
}

/* SPEC 1.2: codes keep their zeros; 12-digit codes are never numbers. */
static void test_cell_types(void **state)
{
    static const char *const r1[] = {"code",  "00001",  "qty",  "1280", "inv", "300000154634",
                                     "price", "-12.50", "memo", "=1+1", NULL};
    static const char *const r2[] = {"code",  "3",   "qty",  "",   "inv", "99999999999",
                                     "price", "1e5", "memo", "-0", NULL};
    static const char *const *const rows[] = {r1, r2};
    struct fx *f = *state;
    char *xml = write_book(f, NULL, NULL, 0, rows, 2);
    xfx_expect_cell(xml, "A1", 's', "code");
    xfx_expect_cell(xml, "E1", 's', "memo");
    xfx_expect_cell(xml, "A2", 's', "00001");
    xfx_expect_cell(xml, "B2", 'n', "1280");
    xfx_expect_cell(xml, "C2", 's', "300000154634");
    xfx_expect_cell(xml, "D2", 'n', "-12.5");
    xfx_expect_cell(xml, "E2", 's', "=1+1"); /* a string, never a formula */
    assert_null(strstr(xml, "<f>"));
    xfx_expect_cell(xml, "A3", 'n', "3");
    xfx_expect_cell(xml, "B3", 0, ""); /* an empty value is no cell */
    xfx_expect_cell(xml, "C3", 'n', "99999999999");
    xfx_expect_cell(xml, "D3", 's', "1e5");
    xfx_expect_cell(xml, "E3", 's', "-0");
    free(xml);
}

static void test_text_columns(void **state)
{
    static const char *const text[] = {"qty", "code", NULL};
    static const char *const cols[] = {"code", "qty", "n"};
    static const char *const r1[] = {"qty", "1280", "code", "3", "n", "7", NULL};
    static const char *const *const rows[] = {r1};
    struct fx *f = *state;
    char buf[64];
    int styled = 0;
    char *xml = write_book(f, text, cols, 3, rows, 1);
    xfx_expect_cell(xml, "A2", 's', "3");
    xfx_expect_cell(xml, "B2", 's', "1280");
    xfx_expect_cell(xml, "C2", 'n', "7");
    /* Text cells carry the "@" format, and so do the text columns. */
    assert_int_equal(xfx_cell(xml, "B2", buf, sizeof buf, &styled), 's');
    assert_true(styled);
    assert_non_null(strstr(xml, "<cols>"));
    free(xml);
    char *styles = xfx_part(f->out, "xl/styles.xml");
    assert_non_null(styles);
    assert_non_null(strstr(styles, "formatCode=\"@\""));
    free(styles);
}

/* Fixed columns and no record: the header row alone; the header is text even when a
 * name looks like a number. */
static void test_header_only(void **state)
{
    static const char *const cols[] = {"Order No.", "2024", ""};
    struct fx *f = *state;
    char *xml = write_book(f, NULL, cols, 3, NULL, 0);
    xfx_expect_cell(xml, "A1", 's', "Order No.");
    xfx_expect_cell(xml, "B1", 's', "2024");
    xfx_expect_cell(xml, "C1", 0, "");
    assert_null(strstr(xml, "<row r=\"2\""));
    free(xml);
}

/* Excel's 32767 characters a cell: QS_E_DATA naming the row and column; closing the
 * writer after the error still removes the temporary workbook. */
static void test_long_cell(void **state)
{
    struct fx *f = *state;
    struct rec_writer_opts o = {.fmt = REC_XLSX};
    struct rec_writer *w;
    struct qs_err e;
    FILE *fp = fopen(f->out, "w");
    char *big = malloc(40000);
    struct rec *r = rec_new();
    memset(big, 'x', 39999);
    big[39999] = '\0';
    err_clear(&e);
    assert_int_equal(rec_writer_open(fp, &o, NULL, 0, &w, &e), 0);
    assert_int_equal(xfx_entries(f->tmp), 1);
    rec_set(r, "sku", "A");
    rec_set(r, "desc", "short");
    assert_int_equal(rec_write(w, r, &e), 0);
    rec_set(r, "desc", big);
    assert_int_equal(rec_write(w, r, &e), QS_E_DATA);
    assert_non_null(strstr(e.msg, "row 3, column \"desc\" (cell B3)"));
    assert_non_null(strstr(e.msg, "32767"));
    rec_writer_close(w, NULL);
    assert_int_equal(xfx_entries(f->tmp), 0);
    /* 16384 characters of 3 bytes each fit: Excel counts characters, not bytes. */
    fseek(fp, 0, SEEK_SET);
    assert_int_equal(rec_writer_open(fp, &o, NULL, 0, &w, &e), 0);
    rec_clear(r);
    char *kana = malloc(3 * 16384 + 1);
    for (size_t i = 0; i < 16384; i++)
        memcpy(kana + 3 * i, "日", 3);
    kana[3 * 16384] = '\0';
    rec_set(r, "desc", kana);
    assert_int_equal(rec_write(w, r, &e), 0);
    assert_int_equal(rec_writer_close(w, &e), 0);
    fclose(fp);
    assert_int_equal(xfx_entries(f->tmp), 0);
    rec_free(r);
    free(big);
    free(kana);
}

/* Excel's 1048576 rows: the header and 1048575 records; one more is QS_E_DATA. */
static void test_row_limit(void **state)
{
    struct fx *f = *state;
    struct rec_writer_opts o = {.fmt = REC_XLSX};
    static const char *const cols[] = {"n"};
    struct rec_writer *w;
    struct qs_err e;
    FILE *fp = fopen(f->out, "w");
    struct rec *r = rec_new();
    err_clear(&e);
    assert_int_equal(rec_writer_open(fp, &o, cols, 1, &w, &e), 0);
    rec_set(r, "n", ""); /* no cells: only the rows are counted */
    for (long i = 0; i < 1048575; i++)
        if (rec_write(w, r, &e) != 0)
            fail_msg("record %ld: %s", i + 1, e.msg);
    assert_int_equal(rec_write(w, r, &e), QS_E_DATA);
    assert_non_null(strstr(e.msg, "row 1048577"));
    assert_int_equal(rec_writer_close(w, &e), 0);
    fclose(fp);
    assert_int_equal(xfx_entries(f->tmp), 0);
    rec_free(r);
}

/* A temporary folder that cannot be written: QS_E_IO, nothing left. */
static void test_bad_tmpdir(void **state)
{
    struct fx *f = *state;
    struct rec_writer_opts o = {.fmt = REC_XLSX};
    struct rec_writer *w = (void *)1;
    struct qs_err e;
    FILE *fp = fopen(f->out, "w");
    setenv("TMPDIR", "/nonexistent/qs", 1);
    err_clear(&e);
    assert_int_equal(rec_writer_open(fp, &o, NULL, 0, &w, &e), QS_E_IO);
    assert_null(w);
    assert_non_null(strstr(e.msg, "/nonexistent/qs"));
    fclose(fp);
}

static void test_format_parse(void **state)
{
    enum rec_format fmt = REC_CSV;
    (void)state;
    assert_int_equal(rec_format_parse("xlsx", &fmt), 0);
    assert_int_equal(fmt, REC_XLSX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refuses_pipe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cell_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_cell, setup, teardown),
        cmocka_unit_test_setup_teardown(test_row_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_tmpdir, setup, teardown),
        cmocka_unit_test(test_format_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

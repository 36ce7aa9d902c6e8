/* Unit tests of the record module (SPEC 1.2): struct rec, the CSV and JSON Lines
 * readers (quoting, encodings, line numbers, hostile input) and the CSV, JSON Lines and
 * table writers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/record.h"

/* "日本語①㈱～" in CP932. */
static const char cp932_text[] = "\x93\xfa\x96\x7b\x8c\xea\x87\x40\x87\x8a\x81\x60";
static const char utf8_text[] = "日本語①㈱～";

/* A stream holding data: a regular file (tmpfile) or, when pipe_like, a memory stream,
 * which the reader treats like a pipe. */
static FILE *input(const char *data, size_t n, int pipe_like)
{
    FILE *fp;
    if (pipe_like && n) {
        fp = fmemopen((void *)data, n, "r");
    } else {
        fp = tmpfile();
        assert_non_null(fp);
        assert_int_equal(fwrite(data, 1, n, fp), n);
        rewind(fp);
    }
    assert_non_null(fp);
    return fp;
}

/* The reader tests run twice: as the readers read, and with rec_reader_opts.ahead
 * (issue 16), where a regular file is read in a second thread; both must answer alike. */
static int ahead;

/* Reads every record of fp and dumps them as "@LINE name=value|name=value\n".
 * Returns the last rec_read result; *out is malloc'd. */
static int dump_fp(FILE *fp, enum rec_enc enc, size_t max_field, char **out, struct qs_err *e)
{
    struct rec_reader_opts o = {.enc = enc, .max_field = max_field, .ahead = ahead};
    struct rec_reader *rd;
    struct rec *r = rec_new();
    size_t size;
    FILE *m = open_memstream(out, &size);
    int rc;
    err_clear(e);
    assert_int_equal(rec_reader_open(fp, "in.csv", &o, &rd, e), 0);
    while ((rc = rec_read(rd, r, e)) > 0) {
        fprintf(m, "@%ld", rec_reader_line(rd));
        for (size_t i = 0; i < r->n; i++)
            fprintf(m, "%c%s=%s", i ? '|' : ' ', r->f[i].name, r->f[i].value);
        fputc('\n', m);
    }
    if (rc < 0)
        assert_int_equal(rec_read(rd, r, e), rc); /* the error sticks */
    rec_reader_close(rd);
    rec_free(r);
    fclose(m);
    return rc;
}

static int dump(const char *data, size_t n, enum rec_enc enc, char **out, struct qs_err *e)
{
    FILE *fp = input(data, n, 0);
    int rc = dump_fp(fp, enc, 0, out, e);
    fclose(fp);
    return rc;
}

static void expect_dump(const char *data, const char *want)
{
    struct qs_err e;
    char *got;
    int rc = dump(data, strlen(data), REC_ENC_AUTO, &got, &e);
    if (rc != 0)
        fail_msg("rec_read failed: %s:%ld:%ld: %s", e.file, e.line, e.col, e.msg);
    assert_string_equal(got, want);
    free(got);
}

/* Reading data fails with QS_E_DATA at line:col with a message containing what. */
static void expect_bad(const char *data, size_t n, enum rec_enc enc, size_t max_field, long line,
                       long col, const char *what)
{
    struct qs_err e;
    char *got;
    FILE *fp = input(data, n, 0);
    int rc = dump_fp(fp, enc, max_field, &got, &e);
    fclose(fp);
    free(got);
    assert_int_equal(rc, QS_E_DATA);
    assert_string_equal(e.file, "in.csv");
    if (e.line != line || (col && e.col != col) || !strstr(e.msg, what))
        fail_msg("expected %ld:%ld: ...%s..., got %ld:%ld: %s", line, col, what, e.line, e.col,
                 e.msg);
}

/* Writes records (given as CSV text) with the writer options; returns the output. */
static int write_out(const char *csv, const struct rec_writer_opts *wo, const char *const *cols,
                     size_t ncols, char **out, struct qs_err *e)
{
    FILE *in = input(csv, strlen(csv), 0);
    struct rec_reader *rd;
    struct rec_writer *w;
    struct rec *r = rec_new();
    size_t size;
    FILE *m = open_memstream(out, &size);
    int rc;
    err_clear(e);
    assert_int_equal(rec_reader_open(in, "in", NULL, &rd, e), 0);
    assert_int_equal(rec_writer_open(m, wo, cols, ncols, &w, e), 0);
    while ((rc = rec_read(rd, r, e)) > 0)
        if ((rc = rec_write(w, r, e)) < 0)
            break;
    assert_true(rc <= 0);
    struct qs_err ce;
    int crc = rec_writer_close(w, &ce);
    if (rc == 0)
        rc = crc;
    rec_reader_close(rd);
    rec_free(r);
    fclose(in);
    fclose(m);
    return rc;
}

static void expect_write(const char *csv, enum rec_format fmt, const char *want)
{
    struct rec_writer_opts wo = {.fmt = fmt, .enc = REC_ENC_UTF8};
    struct qs_err e;
    char *got;
    int rc = write_out(csv, &wo, NULL, 0, &got, &e);
    if (rc != 0)
        fail_msg("write failed: %s", e.msg);
    assert_string_equal(got, want);
    free(got);
}

/* ---- struct rec ---- */

static void test_rec_fields(void **state)
{
    (void)state;
    struct rec *r = rec_new();
    rec_set(r, "sku", "00001");
    rec_set(r, "title", "日本語");
    rec_set_typed(r, "price", "1200", REC_NUM);
    rec_set(r, "sku", "00002"); /* replaced in place */
    assert_int_equal(r->n, 3);
    assert_string_equal(r->f[0].name, "sku");
    assert_string_equal(rec_get(r, "sku"), "00002");
    assert_int_equal(rec_field(r, "title")->len, strlen("日本語"));
    assert_int_equal(rec_field(r, "price")->type, REC_NUM);
    assert_null(rec_get(r, "nope"));
    assert_null(rec_field(r, "nope"));
    char *json = rec_to_json(r);
    assert_string_equal(json, "{\"sku\":\"00002\",\"title\":\"日本語\",\"price\":1200}");
    free(json);

    /* Streaming reuse: clearing keeps the buffers, refilling does not allocate anew. */
    struct rec_field *f = r->f;
    char *v0 = r->f[0].value, *n1 = r->f[1].name;
    rec_clear(r);
    assert_int_equal(r->n, 0);
    assert_null(rec_get(r, "sku"));
    rec_set(r, "sku", "00003");
    rec_set(r, "title", "x");
    assert_ptr_equal(r->f, f);
    assert_ptr_equal(r->f[0].value, v0);
    assert_ptr_equal(r->f[1].name, n1);
    assert_string_equal(rec_get(r, "title"), "x");
    for (int i = 0; i < 100; i++) { /* growth past the first allocation */
        char name[16];
        snprintf(name, sizeof name, "c%d", i);
        rec_set(r, name, name);
    }
    assert_string_equal(rec_get(r, "c99"), "c99");
    assert_string_equal(rec_get(r, "sku"), "00003");
    rec_free(r);
    rec_free(NULL);
}

static void test_parse_names(void **state)
{
    (void)state;
    enum rec_format f;
    enum rec_enc c;
    assert_int_equal(rec_format_parse("csv", &f), 0);
    assert_int_equal(f, REC_CSV);
    assert_int_equal(rec_format_parse("json", &f), 0);
    assert_int_equal(f, REC_JSON);
    assert_int_equal(rec_format_parse("table", &f), 0);
    assert_int_equal(f, REC_TABLE);
    assert_int_equal(rec_format_parse("xml", &f), -1);
    assert_int_equal(rec_enc_parse("auto", &c), 0);
    assert_int_equal(c, REC_ENC_AUTO);
    assert_int_equal(rec_enc_parse("utf8", &c), 0);
    assert_int_equal(c, REC_ENC_UTF8);
    assert_int_equal(rec_enc_parse("Shift_JIS", &c), 0);
    assert_int_equal(c, REC_ENC_CP932);
    assert_int_equal(rec_enc_parse("latin1", &c), -1);
}

/* ---- CSV reading ---- */

static void test_csv_quoting(void **state)
{
    (void)state;
    /* RFC 4180: commas, doubled quotes, LF and CRLF inside quotes; spaces kept. */
    expect_dump("sku,title,note\n"
                "00001,\"Hello, world\",\"say \"\"hi\"\"\"\n"
                "A-2,\"line1\nline2\",\"crlf\r\nkept\"\n"
                "B-3, spaced ,\n",
                "@2 sku=00001|title=Hello, world|note=say \"hi\"\n"
                "@3 sku=A-2|title=line1\nline2|note=crlf\r\nkept\n"
                "@6 sku=B-3|title= spaced |note=\n");
    /* CRLF records, blank lines skipped, the last line without its line end. */
    expect_dump("a,b\r\n1,2\r\n\r\n\n3,\"\"\r\n4,5", "@2 a=1|b=2\n@5 a=3|b=\n@6 a=4|b=5\n");
    /* Header only: no records. */
    expect_dump("a,b\n", "");
    expect_dump("\xEF\xBB\xBF\n\na,b\r\n", "");
}

static void test_csv_columns(void **state)
{
    (void)state;
    FILE *fp = input("id,name\n1,x\n", 12, 0);
    struct rec_reader *rd;
    struct rec *r = rec_new();
    struct qs_err e;
    size_t n;
    assert_int_equal(rec_reader_open(fp, "f", NULL, &rd, &e), 0);
    assert_null(rec_reader_columns(rd, &n));
    assert_int_equal(rec_read(rd, r, &e), 1);
    assert_int_equal(rec_reader_format(rd), REC_CSV);
    assert_string_equal(rec_reader_name(rd), "f");
    const char *const *cols = rec_reader_columns(rd, &n);
    assert_int_equal(n, 2);
    assert_string_equal(cols[1], "name");
    assert_int_equal(rec_reader_column_index(rd, "name"), 2);
    assert_int_equal(rec_reader_column_index(rd, "nope"), 0);
    assert_int_equal(rec_read(rd, r, &e), 0);
    assert_int_equal(rec_read(rd, r, &e), 0);
    rec_reader_close(rd);
    rec_reader_close(NULL);
    rec_free(r);
    fclose(fp);
}

/* Issue 8 item 17: errors name the spreadsheet column (1 = A, 27 = AA). */
static void test_col_letters(void **state)
{
    (void)state;
    char b[8];
    assert_string_equal(rec_col_letters(1, b, sizeof b), "A");
    assert_string_equal(rec_col_letters(13, b, sizeof b), "M");
    assert_string_equal(rec_col_letters(26, b, sizeof b), "Z");
    assert_string_equal(rec_col_letters(27, b, sizeof b), "AA");
    assert_string_equal(rec_col_letters(52, b, sizeof b), "AZ");
    assert_string_equal(rec_col_letters(53, b, sizeof b), "BA");
    assert_string_equal(rec_col_letters(702, b, sizeof b), "ZZ");
    assert_string_equal(rec_col_letters(703, b, sizeof b), "AAA");
    assert_string_equal(rec_col_letters(16384, b, sizeof b), "XFD");
    assert_string_equal(rec_col_letters(0, b, sizeof b), "?");
}

static void test_bom(void **state)
{
    (void)state;
    /* SPEC 1.2: a UTF-8 BOM is accepted and dropped. */
    expect_dump("\xEF\xBB\xBFsku,t\n1,日本\n", "@2 sku=1|t=日本\n");
    struct qs_err e;
    char *got;
    assert_int_equal(dump("\xEF\xBB\xBFsku\n1\n", 9, REC_ENC_UTF8, &got, &e), 0);
    assert_string_equal(got, "@2 sku=1\n");
    free(got);
}

/* Issue 8 item 13: a BOM anywhere but at the very start (two files joined with cat) is
 * refused, naming line and field, rather than read into a value such as "\ufeffP1". */
static void test_bom_inside(void **state)
{
    (void)state;
    const char *what = "byte-order mark (U+FEFF) at the start of a field; were two files "
                       "joined with cat? remove it";
    expect_bad("sku,t\n1,a\n\xEF\xBB\xBFsku,t\n2,b\n", 23, REC_ENC_AUTO, 0, 3, 1, what);
    expect_bad("\xEF\xBB\xBFsku,t\n1,a\n\xEF\xBB\xBFsku,t\n", 22, REC_ENC_UTF8, 0, 3, 1, what);
    expect_bad("a,b\n1,\xEF\xBB\xBFx\n", 11, REC_ENC_AUTO, 0, 2, 2, what);
    expect_bad("a,b\n1,\"\xEF\xBB\xBFx\"\n", 13, REC_ENC_AUTO, 0, 2, 2, what);
    expect_bad("\xEF\xBB\xBF\xEF\xBB\xBF"
               "a,b\n",
               10, REC_ENC_AUTO, 0, 1, 1, what);
    /* Before a quoted field, where RFC 4180 would see a stray quote. */
    expect_bad("a,b\n1,2\n\xEF\xBB\xBF\"a\",\"b\"\n", 19, REC_ENC_AUTO, 0, 3, 1, what);
    /* JSON Lines: at the start of a later line. */
    expect_bad("{\"a\":1}\n\xEF\xBB\xBF{\"a\":2}\n", 19, REC_ENC_AUTO, 0, 2, 1,
               "byte-order mark (U+FEFF) at the start of a line; were two files joined with "
               "cat? remove it");
    /* U+FEFF inside a value stays text. */
    expect_dump("a,b\n1,x\xEF\xBB\xBF\n", "@2 a=1|b=x\xEF\xBB\xBF\n");
}

static void test_cp932(void **state)
{
    (void)state;
    char in[128], want[128], *got;
    struct qs_err e;
    int n = snprintf(in, sizeof in, "name,v\n%s,1\n", cp932_text);
    snprintf(want, sizeof want, "@2 name=%s|v=1\n", utf8_text);
    /* Explicit --encoding cp932, and auto on a regular file and on a pipe-like stream. */
    for (int mode = 0; mode < 3; mode++) {
        FILE *fp = input(in, (size_t)n, mode == 2);
        int rc = dump_fp(fp, mode == 0 ? REC_ENC_CP932 : REC_ENC_AUTO, 0, &got, &e);
        fclose(fp);
        assert_int_equal(rc, 0);
        assert_string_equal(got, want);
        free(got);
    }
}

/* Text of count copies of unit after a one-column header, for chunk-boundary tests. */
static char *repeat_field(const char *unit, size_t count, size_t *len)
{
    size_t u = strlen(unit);
    char *s = malloc(count * u + 8);
    memcpy(s, "a\n", 2);
    for (size_t i = 0; i < count; i++)
        memcpy(s + 2 + i * u, unit, u);
    memcpy(s + 2 + count * u, "\n", 2);
    *len = 2 + count * u + 1;
    return s;
}

static void test_split_chars(void **state)
{
    (void)state;
    /* Multibyte characters split across read chunks (256 KiB): 300000 x 日. */
    size_t n, m;
    char *u8 = repeat_field("日", 300000, &n);
    char *sj = repeat_field("\x93\xfa", 300000, &m);
    char *want = malloc(n + 16);
    snprintf(want, n + 16, "@2 a=%.*s\n", (int)(n - 3), u8 + 2);
    for (int mode = 0; mode < 4; mode++) {
        struct qs_err e;
        char *got;
        FILE *fp = mode < 2 ? input(u8, n, mode) : input(sj, m, mode - 2);
        int rc = dump_fp(fp, mode < 2 ? REC_ENC_UTF8 : REC_ENC_CP932, 0, &got, &e);
        fclose(fp);
        if (rc != 0)
            fail_msg("mode %d: %s", mode, e.msg);
        assert_true(strcmp(got, want) == 0);
        free(got);
    }
    free(u8);
    free(sj);
    free(want);
}

/* Big input: 1 MiB+ of ASCII lines, then tail. */
static char *big_input(const char *tail, size_t *len, long *lines)
{
    size_t cap = 1200 * 1024 + strlen(tail), n = 0;
    char *s = malloc(cap + 64);
    n += (size_t)sprintf(s, "id,text\n");
    *lines = 1;
    while (n < 1100 * 1024) {
        n += (size_t)sprintf(s + n, "%ld,some plain ascii text here\n", *lines);
        (*lines)++;
    }
    memcpy(s + n, tail, strlen(tail));
    *len = n + strlen(tail);
    return s;
}

static void test_auto_regular(void **state)
{
    (void)state;
    /* A regular file is validated whole: CP932 past the first MiB still decides CP932. */
    char tail[64], *got;
    long lines;
    size_t n;
    struct qs_err e;
    snprintf(tail, sizeof tail, "x,%s\n", cp932_text);
    char *s = big_input(tail, &n, &lines);
    FILE *fp = input(s, n, 0);
    assert_int_equal(dump_fp(fp, REC_ENC_AUTO, 0, &got, &e), 0);
    char want[128];
    snprintf(want, sizeof want, "@%ld id=x|text=%s\n", lines + 1, utf8_text);
    assert_non_null(strstr(got, want));
    free(got);
    fclose(fp);
    /* ...and as explicit UTF-8 that byte is an error on its line. */
    expect_bad(s, n, REC_ENC_UTF8, 0, lines + 1, 2, "invalid UTF-8 byte 0x93");
    free(s);
}

/* Reads data written by a child process into a pipe. */
static int dump_pipe(const char *data, size_t n, enum rec_enc enc, char **out, struct qs_err *e)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        size_t off = 0;
        while (off < n) {
            ssize_t w = write(fds[1], data + off, n - off > 4096 ? 4096 : n - off);
            if (w <= 0)
                _exit(1);
            off += (size_t)w;
        }
        _exit(0);
    }
    close(fds[1]);
    FILE *fp = fdopen(fds[0], "r");
    int rc = dump_fp(fp, enc, 0, out, e);
    fclose(fp);
    int st;
    waitpid(pid, &st, 0);
    return rc;
}

static void test_auto_pipe(void **state)
{
    (void)state;
    char tail[64], *got, in[128], want[128];
    long lines;
    size_t n;
    struct qs_err e;
    /* CP932 within the first MiB of a pipe: converted. */
    int k = snprintf(in, sizeof in, "name\n%s\n", cp932_text);
    assert_int_equal(dump_pipe(in, (size_t)k, REC_ENC_AUTO, &got, &e), 0);
    snprintf(want, sizeof want, "@2 name=%s\n", utf8_text);
    assert_string_equal(got, want);
    free(got);
    /* SPEC 1.2: UTF-8 in the first MiB, CP932 after it: an error (65) on its line. */
    snprintf(tail, sizeof tail, "x,%s\n", cp932_text);
    char *s = big_input(tail, &n, &lines);
    assert_int_equal(dump_pipe(s, n, REC_ENC_AUTO, &got, &e), QS_E_DATA);
    free(got);
    assert_int_equal(e.line, lines + 1);
    assert_int_equal(e.col, 2);
    assert_non_null(strstr(e.msg, "after the first 1 MiB"));
    free(s);
}

/* text in CP932, by iconv; returns a malloc'd string. */
static char *to_cp932(const char *text)
{
    iconv_t cd = iconv_open("CP932", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t inleft = strlen(text), outleft = 2 * inleft + 1;
    char *out = malloc(outleft), *o = out, *in = (char *)text;
    assert_true(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1);
    *o = '\0';
    iconv_close(cd);
    return out;
}

/* Reads data with encoding enc from a regular file and from a pipe: both give want, or,
 * when want is NULL, both fail at line with a message containing what. */
static void expect_enc(const char *data, enum rec_enc enc, const char *want, long line,
                       const char *what)
{
    for (int mode = 0; mode < 2; mode++) {
        struct qs_err e;
        char *got;
        int rc;
        if (mode == 1) {
            rc = dump_pipe(data, strlen(data), enc, &got, &e);
        } else {
            FILE *fp = input(data, strlen(data), 0);
            rc = dump_fp(fp, enc, 0, &got, &e);
            fclose(fp);
        }
        if (want && (rc != 0 || strcmp(got, want) != 0))
            fail_msg("%s: rc %d (%s), got\n%s\nwant\n%s", mode ? "pipe" : "file", rc, e.msg, got,
                     want);
        if (!want && (rc != QS_E_DATA || e.line != line || !strstr(e.msg, what)))
            fail_msg("%s: want %ld: ...%s..., got rc %d %ld: %s", mode ? "pipe" : "file", line,
                     what, rc, e.line, e.msg);
        free(got);
    }
}

/* Issue 8 item 12: --encoding auto refuses a file that mixes UTF-8 and CP932 lines,
 * naming the first line that breaks the encoding most lines have. */
static void test_auto_mixed(void **state)
{
    (void)state;
    char *sj = to_cp932("B,日本語\n"), in[512];
    /* Mostly UTF-8 (lines 2-4 and 8; 5 is ASCII, é on 6 could be CP932 too), one CP932 line (7). */
    snprintf(in, sizeof in, "sku,title\n%s%s%s", "A,日本語\nA,①\nA,ｶﾀｶﾅ\nA,ok\nA,é\n", sj,
             "C,日本\n");
    expect_enc(in, REC_ENC_AUTO, NULL, 7,
               "line is not UTF-8 (byte 0x93) but 4 other lines are (the first is line 2): the "
               "file mixes encodings; save it again in one encoding, or give --encoding "
               "cp932|utf-8");
    /* An explicit encoding skips the check. */
    expect_enc(in, REC_ENC_UTF8, NULL, 7, "invalid UTF-8 byte 0x93; use --encoding cp932");
    /* Mostly CP932 (2-4, 6), one UTF-8 line (5). */
    snprintf(in, sizeof in, "sku,title\n%s%s%sA,日本語\n%s", sj, sj, sj, sj);
    expect_enc(in, REC_ENC_AUTO, NULL, 5,
               "line is UTF-8 but 4 other lines are not (the first is line 2): the file mixes");
    /* A tie goes to the encoding of the first line that is not ASCII. */
    snprintf(in, sizeof in, "sku,title\nA,日本語\n%s", sj);
    expect_enc(in, REC_ENC_AUTO, NULL, 3, "line is not UTF-8 (byte 0x93) but 1 other line is");
    snprintf(in, sizeof in, "sku,title\n%sA,日本語\n", sj);
    expect_enc(in, REC_ENC_AUTO, NULL, 3, "line is UTF-8 but 1 other line is not");
    /* A BOM is UTF-8 on line 1. */
    snprintf(in, sizeof in, "\xEF\xBB\xBFsku,title\n%s", sj);
    expect_enc(in, REC_ENC_AUTO, NULL, 2, "line is not UTF-8 (byte 0x93) but 1 other line is");
    free(sj);
}

/* Issue 8 item 12: a genuine CP932 file is never called mixed, even where a line of
 * half-width katakana happens to be valid UTF-8 (ﾃｽ is C3 BD, ý in UTF-8). */
static void test_auto_cp932_kana(void **state)
{
    (void)state;
    static const char text[] = "sku,title,note\n"
                               "A-1,日本語のマグカップ①,㈱サンプル～北欧風～\n"
                               "A-2,ﾃｽ,\n"
                               "A-3,ﾄｳ,ﾂｱ\n"
                               "A-4,ひらがな カタカナ ｶﾀｶﾅ 漢字,Ⅱ ㍉ ﾊﾝｶｸ\n"
                               "A-5,ﾃﾞｼﾞﾀﾙ,\"二行の\n説明\"\n";
    static const char want[] = "@2 sku=A-1|title=日本語のマグカップ①|note=㈱サンプル～北欧風～\n"
                               "@3 sku=A-2|title=ﾃｽ|note=\n"
                               "@4 sku=A-3|title=ﾄｳ|note=ﾂｱ\n"
                               "@5 sku=A-4|title=ひらがな カタカナ ｶﾀｶﾅ 漢字|note=Ⅱ ㍉ ﾊﾝｶｸ\n"
                               "@6 sku=A-5|title=ﾃﾞｼﾞﾀﾙ|note=二行の\n説明\n";
    char *sj = to_cp932(text);
    expect_enc(sj, REC_ENC_AUTO, want, 0, NULL);
    free(sj);
    /* Lines that read as UTF-8 and as half-width katakana alone: UTF-8 (SPEC 1.2). */
    expect_enc("a\ncafé\n", REC_ENC_AUTO, "@2 a=café\n", 0, NULL);
}

/* Issue 8 item 12: UTF-16, with or without a byte-order mark, is named as such, whatever
 * --encoding says. */
static void test_utf16(void **state)
{
    (void)state;
    static const struct {
        const char *data;
        size_t n;
        const char *what;
    } cases[] = {
        {"\xFF\xFEs\0k\0u\0\n\0A\0\n\0", 14, "UTF-16 (byte-order mark FF FE)"},
        {"\xFE\xFF\0s\0k\0u\0\n\0A\0\n", 14, "UTF-16 (byte-order mark FE FF)"},
        {"s\0k\0u\0,\0t\0\r\0\n\0A\0,\0\xe5\x65\n\0", 22, "UTF-16LE without a byte-order mark"},
        {"\0s\0k\0u\0,\0t\0\n\0A\0,\x65\xe5\0\n", 20, "UTF-16BE without a byte-order mark"},
    };
    static const enum rec_enc encs[] = {REC_ENC_AUTO, REC_ENC_UTF8, REC_ENC_CP932};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        for (size_t k = 0; k < 3 * sizeof encs / sizeof *encs; k++) {
            struct qs_err e;
            char *got;
            int rc, mode = (int)(k % 3);
            if (mode == 2) {
                rc = dump_pipe(cases[c].data, cases[c].n, encs[k / 3], &got, &e);
            } else {
                FILE *fp = input(cases[c].data, cases[c].n, mode);
                rc = dump_fp(fp, encs[k / 3], 0, &got, &e);
                fclose(fp);
            }
            free(got);
            if (rc != QS_E_DATA || e.line != 1 || !strstr(e.msg, cases[c].what) ||
                !strstr(e.msg, "\"CSV UTF-8 (Comma delimited)\"") || strstr(e.msg, "NUL") ||
                strstr(e.msg, "--encoding"))
                fail_msg("case %zu enc %d mode %d: rc %d %ld: %s", c, (int)encs[k / 3], mode, rc,
                         e.line, e.msg);
        }
    }
    /* Not UTF-16: a NUL byte in text is still that. */
    expect_bad("a,b\n1,x\0y\n", 10, REC_ENC_AUTO, 0, 2, 2, "NUL byte");
}

/* Issue 8 item 14: empty input (0 bytes, or only blank lines) has no header: QS_E_DATA. */
static void test_empty(void **state)
{
    (void)state;
    const char *what = "no header: the input is empty";
    expect_bad("", 0, REC_ENC_AUTO, 0, 0, 0, what);
    expect_bad("\n\n", 2, REC_ENC_AUTO, 0, 0, 0, what);
    expect_bad(" \t\r\n  \n", 7, REC_ENC_UTF8, 0, 0, 0, what);
    expect_bad("\xEF\xBB\xBF\r\n", 5, REC_ENC_AUTO, 0, 0, 0, what);
    /* Past a field's worth of blank lines the CSV reader takes them: the same. */
    expect_bad("\n\n\n\n\n\n\n\n\n\n\n\n", 12, REC_ENC_AUTO, 8, 0, 0, what);
    expect_enc("", REC_ENC_AUTO, NULL, 0, what); /* a file and a pipe */
}

static void test_hostile(void **state)
{
    (void)state;
    /* Each case names the line (and field) where the problem is. */
    expect_bad("a,b\n1,2\n3,\"open\n\nmore\n", 22, REC_ENC_AUTO, 0, 3, 2,
               "quoted field never ends");
    expect_bad("a,b\n1,2\n3,x\0y\n", 14, REC_ENC_AUTO, 0, 3, 2, "NUL byte");
    expect_bad("a,b\n1,2\n3,4,5\n", 14, REC_ENC_AUTO, 0, 3, 3, "row has 3 fields, header has 2");
    expect_bad("a,b\n1,2\n\n3\n", 11, REC_ENC_AUTO, 0, 4, 2, "row has 1 fields, header has 2");
    expect_bad("a,,c\n1,2,3\n", 11, REC_ENC_AUTO, 0, 1, 2, "column 2 of the header has no name");
    expect_bad("\na,b,a\n1,2,3\n", 13, REC_ENC_AUTO, 0, 2, 3, "column \"a\" repeats column 1");
    expect_bad("a,b\n1,x\"y\n", 10, REC_ENC_AUTO, 0, 2, 2, "quote inside an unquoted field");
    expect_bad("a,b\n1,\"x\"y\n", 11, REC_ENC_AUTO, 0, 2, 2, "'y' after the closing quote");
    expect_bad("a,b\n\"x\ny\",\xff\n", 12, REC_ENC_UTF8, 0, 3, 2, "invalid UTF-8 byte 0xff");
    expect_bad("a,b\n1,\xe6\x97", 8, REC_ENC_UTF8, 0, 2, 2, "ends inside a UTF-8 character");
    expect_bad("a,b\n1,2\n\x93\xfa,\x80\n", 13, REC_ENC_CP932, 0, 3, 2, "invalid CP932 byte 0x80");
    expect_bad("a,b\n1,\x93", 7, REC_ENC_CP932, 0, 2, 2, "ends inside a CP932 character");
    /* A field past max_field is refused before it is buffered whole. */
    expect_bad("a,b\n1,\"0123456789\nabcdef\"\n", 26, REC_ENC_AUTO, 8, 2, 2, "longer than 8");
    size_t n;
    char *big = repeat_field("x", 3 * 1024 * 1024, &n);
    expect_bad(big, n, REC_ENC_AUTO, 0, 2, 1, "longer than 1048576 bytes");
    free(big);
    /* Binary garbage: not UTF-8, not CP932. */
    expect_bad("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xff", 18, REC_ENC_AUTO, 0, 3, 1, "NUL byte");
    expect_bad("\x89PNG\r\nIHDR\xff\xff", 12, REC_ENC_AUTO, 0, 2, 1, "invalid CP932 byte 0xff");
}

/* A header of ncols columns c1..cN (the last one named last when given), then one row
 * of values v1..vN; for JSON Lines, one object with those keys. Returns malloc'd text. */
static char *wide_input(int ncols, const char *last, int json)
{
    size_t cap = (size_t)ncols * 32 + 64, n = 0;
    char *s = malloc(cap);
    for (int pass = 0; pass < (json ? 1 : 2); pass++) {
        if (json)
            s[n++] = '{';
        for (int i = 1; i <= ncols; i++) {
            const char *sep = i > 1 ? "," : "";
            if (json)
                n += (size_t)sprintf(s + n, "%s\"c%d\":\"v%d\"", sep, i, i);
            else if (pass == 0 && i == ncols && last)
                n += (size_t)sprintf(s + n, "%s%s", sep, last);
            else
                n += (size_t)sprintf(s + n, "%s%c%d", sep, pass ? 'v' : 'c', i);
        }
        if (json)
            s[n++] = '}';
        s[n++] = '\n';
    }
    s[n] = '\0';
    return s;
}

/* Issue 8 item 3: at most REC_MAX_COLUMNS columns in a CSV header and keys in a JSON
 * object; the duplicate-column check names both columns (and is linear, unlike before). */
static void test_max_columns(void **state)
{
    (void)state;
    char *s = wide_input(5000, NULL, 0);
    expect_bad(s, strlen(s), REC_ENC_AUTO, 0, 1, 4097, "more than 4096 columns");
    free(s);
    s = wide_input(4096, "c1", 0);
    expect_bad(s, strlen(s), REC_ENC_AUTO, 0, 1, 4096, "column \"c1\" repeats column 1 ");
    free(s);
    s = wide_input(4097, NULL, 1);
    expect_bad(s, strlen(s), REC_ENC_AUTO, 0, 1, 1, "more than 4096 keys");
    free(s);
    /* At the limit: read whole. */
    for (int json = 0; json < 2; json++) {
        struct qs_err e;
        char *got;
        s = wide_input(4096, NULL, json);
        assert_int_equal(dump(s, strlen(s), REC_ENC_AUTO, &got, &e), 0);
        assert_non_null(strstr(got, json ? "@1 c1=v1|c2=v2|" : "@2 c1=v1|c2=v2|"));
        assert_non_null(strstr(got, "|c4096=v4096\n"));
        free(got);
        free(s);
    }
}

/* ---- JSON Lines ---- */

static void test_json_read(void **state)
{
    (void)state;
    const char *in = "\n{\"sku\": \"00001\", \"price\": 1.50, \"big\": 12345678901234567890123,"
                     "  \"ok\": true, \"no\": false, \"gone\": null, \"tags\": [\"a\", {\"b\": 1}],"
                     " \"t\": \"日本\\u8a9e\\n\"}\n   \n{\"x\":-1e3}\r\n";
    FILE *fp = input(in, strlen(in), 0);
    struct rec_reader *rd;
    struct rec *r = rec_new();
    struct qs_err e;
    assert_int_equal(rec_reader_open(fp, "in.jsonl", NULL, &rd, &e), 0);
    assert_int_equal(rec_read(rd, r, &e), 1);
    assert_int_equal(rec_reader_format(rd), REC_JSON);
    assert_int_equal(rec_reader_line(rd), 2);
    static const struct {
        const char *name, *value;
        enum rec_type type;
    } want[] = {
        {"sku", "00001", REC_STR},
        {"price", "1.50", REC_NUM},
        {"big", "12345678901234567890123", REC_NUM},
        {"ok", "true", REC_BOOL},
        {"no", "false", REC_BOOL},
        {"gone", "", REC_NULL},
        {"tags", "[\"a\",{\"b\":1}]", REC_RAW},
        {"t", "日本語\n", REC_STR},
    };
    assert_int_equal(r->n, sizeof want / sizeof *want);
    for (size_t i = 0; i < r->n; i++) {
        assert_string_equal(r->f[i].name, want[i].name);
        assert_string_equal(r->f[i].value, want[i].value);
        assert_int_equal(r->f[i].type, want[i].type);
    }
    assert_int_equal(rec_read(rd, r, &e), 1);
    assert_int_equal(rec_reader_line(rd), 4);
    assert_string_equal(rec_get(r, "x"), "-1e3");
    assert_int_equal(rec_read(rd, r, &e), 0);
    rec_reader_close(rd);
    rec_free(r);
    fclose(fp);
}

static void test_json_bad(void **state)
{
    (void)state;
    expect_bad("{\"a\":1}\n{\"a\":2,}\n", 17, REC_ENC_AUTO, 0, 2, 8, "invalid JSON");
    expect_bad("{\"a\":1}\n\n  [1,2]\n", 17, REC_ENC_AUTO, 0, 3, 3, "not a JSON object");
    expect_bad("{\"a\":1}\n\"x\"\n", 12, REC_ENC_AUTO, 0, 2, 0, "invalid JSON");
    expect_bad("{\"a\":1, \"a\":2}\n", 15, REC_ENC_AUTO, 0, 1, 0, "duplicate object key");
    expect_bad("{\"a\":\"x\\u0000y\"}\n", 17, REC_ENC_AUTO, 0, 1, 0, "invalid JSON");
    expect_bad("{\"a\":\"0123456789\"}\n", 19, REC_ENC_AUTO, 4, 1, 6, "longer than 4 bytes");
    expect_bad("{\"a\":1}\n{\"a\":\"\xff\"}\n", 18, REC_ENC_UTF8, 0, 2, 7, "invalid UTF-8");
    /* Fuzz finding: jansson ends a number at a NUL byte; the NUL must not reach a value. */
    expect_bad("{\"a\":1}\n{\"t\":1\0}\n", 18, REC_ENC_AUTO, 0, 2, 7, "NUL byte in the input");
}

/* Fuzz finding: a CR alone ends a line (old Mac Excel files), as LF and CRLF do. */
static void test_cr_lines(void **state)
{
    (void)state;
    expect_dump("a,b\r1,2\r3,4\r", "@2 a=1|b=2\n@3 a=3|b=4\n");
    expect_dump("a,b\r\n1,2\r3,4\n5,6", "@2 a=1|b=2\n@3 a=3|b=4\n@4 a=5|b=6\n");
    expect_bad("a,b\r1,2\r3\r", 11, REC_ENC_AUTO, 0, 3, 2, "row has 1 fields");
}

/* Fuzz findings: what the CSV writer writes must read back as the same CSV -- not as JSON
 * Lines (SPEC 1.2 tells them apart by the first byte: a first column name starting with
 * '{' is quoted), not as empty input (tabs at the ends of a cell are quoted). */
static void test_csv_write_brace(void **state)
{
    (void)state;
    expect_write("\"{a\",b\n1,2\n", REC_CSV, "\"{a\",b\n1,2\n");
    expect_write("\"\t{a\",b\n1,2\n", REC_CSV, "\"\t{a\",b\n1,2\n");
    expect_write("b,{a\n1,2\n", REC_CSV, "b,{a\n1,2\n");
    /* Nor as empty input: a cell with a tab or space at either end is quoted, so a file of
     * such cells alone is never white space only. */
    expect_write("\"\t\"\n\" \"\n", REC_CSV, "\"\t\"\n\" \"\n");
    expect_write("a\n\"x\t\"\n", REC_CSV, "a\n\"x\t\"\n");
}

/* Issue 8 item 1: a JSON Lines input whose last line lacks its LF. Reading that line moves
 * the text to the front of the buffer and may reallocate it; the line must be parsed where
 * it is then, not where it was (heap-use-after-free under ASan, wrong data without). */
static void test_json_no_final_lf(void **state)
{
    (void)state;
    size_t big = 300 * 1024; /* longer than one 256 KiB read chunk */
    char *x = malloc(big + 1);
    memset(x, 'x', big);
    x[big] = '\0';
    const char *units[] = {"1", "2", x};
    for (int last = 1; last < 3; last++) {
        size_t cap = big + 64;
        char *in = malloc(cap), *want = malloc(cap);
        int n = snprintf(in, cap, "{\"a\":\"1\"}\n{\"a\":\"%s\"}", units[last]);
        snprintf(want, cap, "@1 a=1\n@2 a=%s\n", units[last]);
        for (int mode = 0; mode < 3; mode++) {
            struct qs_err e;
            char *got;
            int rc;
            if (mode == 2) {
                rc = dump_pipe(in, (size_t)n, REC_ENC_AUTO, &got, &e);
            } else {
                FILE *fp = input(in, (size_t)n, mode);
                rc = dump_fp(fp, REC_ENC_AUTO, 0, &got, &e);
                fclose(fp);
            }
            if (rc != 0)
                fail_msg("last %d mode %d: %s", last, mode, e.msg);
            if (strcmp(got, want) != 0)
                fail_msg("last %d mode %d: got %.60s...", last, mode, got);
            free(got);
        }
        free(in);
        free(want);
    }
    free(x);
}

/* ---- writers ---- */

static void test_csv_write(void **state)
{
    (void)state;
    /* Quotes only where needed; a file in that style round-trips byte for byte. */
    const char *csv = "sku,title,note\n"
                      "00001,\"Hello, world\",\"say \"\"hi\"\"\"\n"
                      "A-2,\"line1\nline2\",\"crlf\r\nkept\"\n"
                      "B-3,\" spaced \",日本語\n"
                      ",,\n";
    expect_write(csv, REC_CSV, csv);
    /* A BOM input writes the same bytes without it. */
    char bom[256];
    snprintf(bom, sizeof bom, "\xEF\xBB\xBF%s", csv);
    expect_write(bom, REC_CSV, csv);
    /* One empty column is written "" so that the line is not blank. */
    expect_write("a\n\"\"\nx\n", REC_CSV, "a\n\"\"\nx\n");
}

static void test_csv_write_cols(void **state)
{
    (void)state;
    struct rec_writer_opts wo = {.fmt = REC_CSV, .enc = REC_ENC_UTF8};
    static const char *const cols[] = {"b", "zz", "a"};
    struct qs_err e;
    char *got;
    /* Fixed columns: reordered, missing ones empty, extra fields dropped. */
    assert_int_equal(write_out("a,b,c\n1,2,3\n", &wo, cols, 3, &got, &e), 0);
    assert_string_equal(got, "b,zz,a\n2,,1\n");
    free(got);
    /* No records: the header alone. */
    assert_int_equal(write_out("a,b\n", &wo, cols, 3, &got, &e), 0);
    assert_string_equal(got, "b,zz,a\n");
    free(got);
}

static void test_csv_write_cp932(void **state)
{
    (void)state;
    struct rec_writer_opts wo = {.fmt = REC_CSV, .enc = REC_ENC_CP932};
    struct qs_err e;
    char in[128], want[128], *got;
    snprintf(in, sizeof in, "name,v\n%s,\"a,b\"\n", utf8_text);
    snprintf(want, sizeof want, "name,v\r\n%s,\"a,b\"\r\n", cp932_text);
    assert_int_equal(write_out(in, &wo, NULL, 0, &got, &e), 0);
    assert_string_equal(got, want);
    free(got);
    /* Hangul has no CP932 code: an error naming the column and the value... */
    assert_int_equal(write_out("name,title\nx,abc한국\n", &wo, NULL, 0, &got, &e), QS_E_DATA);
    free(got);
    assert_non_null(strstr(e.msg, "column \"title\""));
    assert_non_null(strstr(e.msg, "\"한\" in \"abc한국\""));
    /* ...or '?' with replace. */
    wo.replace_unmappable = 1;
    assert_int_equal(write_out("name,title\nx,abc한국\n", &wo, NULL, 0, &got, &e), 0);
    assert_string_equal(got, "name,title\r\nx,abc??\r\n");
    free(got);
}

/* Issue 8 item 3: a record whose fields come in another order than the writer's columns
 * (found through the column index, not a scan per column) is written in column order. */
static void test_write_wide_reordered(void **state)
{
    (void)state;
    enum { N = 4096 };
    static const enum rec_format fmts[] = {REC_CSV, REC_JSON, REC_TABLE};
    char **cols = malloc(N * sizeof *cols);
    struct rec *r = rec_new();
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof name, "c%d", i);
        cols[i] = strdup(name);
    }
    for (int i = N - 1; i >= 0; i--) /* fields backwards, and one extra */
        rec_set(r, cols[i], cols[i] + 1);
    rec_set(r, "extra", "x");
    for (size_t f = 0; f < sizeof fmts / sizeof *fmts; f++) {
        struct rec_writer_opts wo = {.fmt = fmts[f]};
        struct rec_writer *w;
        struct qs_err e;
        char *out;
        size_t size;
        FILE *m = open_memstream(&out, &size);
        assert_int_equal(rec_writer_open(m, &wo, (const char *const *)cols, N, &w, &e), 0);
        assert_int_equal(rec_write(w, r, &e), 0);
        assert_int_equal(rec_writer_close(w, &e), 0);
        fclose(m);
        const char *want = fmts[f] == REC_JSON  ? "{\"c0\":\"0\",\"c1\":\"1\",\"c2\":\"2\","
                           : fmts[f] == REC_CSV ? "\n0,1,2,3,"
                                                : "\n0   1   2   3   ";
        if (!strstr(out, want))
            fail_msg("format %zu: no %s in %.200s", f, want, out);
        if (fmts[f] == REC_JSON)
            assert_non_null(strstr(out, "\"c4095\":\"4095\",\"extra\":\"x\"}\n"));
        else
            assert_non_null(strstr(out, fmts[f] == REC_CSV ? ",4095\n" : "  4095\n"));
        free(out);
    }
    for (int i = 0; i < N; i++)
        free(cols[i]);
    free(cols);
    rec_free(r);
}

static void test_json_write(void **state)
{
    (void)state;
    expect_write("sku,t\n00001,\"日本\n\"\"x\"\"\t\\\x01\"\n", REC_JSON,
                 "{\"sku\":\"00001\",\"t\":\"日本\\n\\\"x\\\"\\t\\\\\\u0001\"}\n");
    /* Types written back as their JSON text; a JSON Lines file round-trips. */
    const char *jl = "{\"a\":1.50,\"b\":true,\"c\":null,\"d\":{\"x\":[1,2]},\"e\":\"𠮷\"}\n";
    expect_write(jl, REC_JSON, jl);
    /* Fixed columns first, then the record's other fields. */
    struct rec_writer_opts wo = {.fmt = REC_JSON, .enc = REC_ENC_UTF8};
    static const char *const cols[] = {"b", "zz"};
    struct qs_err e;
    char *got;
    assert_int_equal(write_out("a,b\n1,2\n", &wo, cols, 2, &got, &e), 0);
    assert_string_equal(got, "{\"b\":\"2\",\"zz\":\"\",\"a\":\"1\"}\n");
    free(got);
}

static void test_table(void **state)
{
    (void)state;
    /* Japanese counts two cells per character; newlines are escaped; two spaces apart. */
    expect_write("sku,title,qty\n"
                 "A-1,日本語のタイトル,1\n"
                 "B-22,\"two\nlines\",100\n"
                 "C,ＡＢ,\n",
                 REC_TABLE,
                 "sku   title             qty\n"
                 "A-1   日本語のタイトル  1\n"
                 "B-22  two\\nlines        100\n"
                 "C     ＡＢ              \n");
}

/* Issue 8 item 19: --bom starts UTF-8 CSV with EF BB BF (read back as the same records);
 * not CP932, JSON Lines or the table. */
static void test_write_bom(void **state)
{
    (void)state;
    static const char *const cols[] = {"a", "b"};
    struct rec_writer_opts wo = {.fmt = REC_CSV, .enc = REC_ENC_UTF8, .bom = 1};
    struct qs_err e;
    char *got, *back;
    assert_int_equal(write_out("a,b\n1,日本\n", &wo, NULL, 0, &got, &e), 0);
    assert_string_equal(got, "\xEF\xBB\xBF"
                             "a,b\n1,日本\n");
    assert_int_equal(dump(got, strlen(got), REC_ENC_AUTO, &back, &e), 0);
    assert_string_equal(back, "@2 a=1|b=日本\n");
    free(back);
    free(got);
    /* No records, fixed columns: the header has it. */
    assert_int_equal(write_out("a,b\n", &wo, cols, 2, &got, &e), 0);
    assert_string_equal(got, "\xEF\xBB\xBF"
                             "a,b\n");
    free(got);
    static const struct {
        enum rec_format fmt;
        enum rec_enc enc;
        const char *want;
    } none[] = {
        {REC_CSV, REC_ENC_CP932, "a\r\n1\r\n"},
        {REC_JSON, REC_ENC_UTF8, "{\"a\":\"1\"}\n"},
        {REC_TABLE, REC_ENC_UTF8, "a\n1\n"},
    };
    for (size_t i = 0; i < sizeof none / sizeof *none; i++) {
        struct rec_writer_opts o = {.fmt = none[i].fmt, .enc = none[i].enc, .bom = 1};
        assert_int_equal(write_out("a\n1\n", &o, NULL, 0, &got, &e), 0);
        assert_string_equal(got, none[i].want);
        free(got);
    }
}

/* Issue 8 item 19: --excel-safe writes a "'" before a cell Excel would run as a formula;
 * plain numbers (^[+-]?[0-9]+(\.[0-9]+)?$) stay as they are. */
static void test_write_excel_safe(void **state)
{
    (void)state;
    const char *in = "=h,b\n"
                     "=1+2,+cmd\n"
                     "-5,+81\n"
                     "-1.50,+0.5\n"
                     "-,+\n"
                     "@SUM(A1),\"\tx\"\n"
                     "\"\rx\",\"=a,b\"\n"
                     "-.5,5.\n"
                     "+81-3-1234,-1e3\n"
                     "1.5.1,a=b\n"
                     ",\n";
    const char *want = "'=h,b\n"
                       "'=1+2,'+cmd\n"
                       "-5,+81\n"
                       "-1.50,+0.5\n"
                       "'-,'+\n"
                       "'@SUM(A1),'\tx\n"
                       "\"'\rx\",\"'=a,b\"\n"
                       "'-.5,5.\n"
                       "'+81-3-1234,'-1e3\n"
                       "1.5.1,a=b\n"
                       ",\n";
    struct rec_writer_opts wo = {.fmt = REC_CSV, .enc = REC_ENC_UTF8, .excel_safe = 1};
    struct qs_err e;
    char *got;
    assert_int_equal(write_out(in, &wo, NULL, 0, &got, &e), 0);
    assert_string_equal(got, want);
    free(got);
    /* Off: written as they are. */
    wo.excel_safe = 0;
    assert_int_equal(write_out("a\n=1+2\n", &wo, NULL, 0, &got, &e), 0);
    assert_string_equal(got, "a\n=1+2\n");
    free(got);
    /* CP932 CSV and the table too. */
    struct rec_writer_opts sj = {.fmt = REC_CSV, .enc = REC_ENC_CP932, .excel_safe = 1};
    assert_int_equal(write_out("a,b\n=日本,-5\n", &sj, NULL, 0, &got, &e), 0);
    assert_string_equal(got, "a,b\r\n'=\x93\xfa\x96\x7b,-5\r\n");
    free(got);
    struct rec_writer_opts tab = {.fmt = REC_TABLE, .enc = REC_ENC_UTF8, .excel_safe = 1};
    assert_int_equal(write_out("a,b\n=日本,-5\n@x,\n", &tab, NULL, 0, &got, &e), 0);
    assert_string_equal(got, "a       b\n'=日本  -5\n'@x     \n");
    free(got);
}

static void test_write_error(void **state)
{
    (void)state;
    FILE *fp = fopen("/dev/full", "w");
    if (!fp)
        skip();
    struct rec_writer_opts wo = {.fmt = REC_CSV, .enc = REC_ENC_UTF8};
    struct rec_writer *w;
    struct rec *r = rec_new();
    struct qs_err e;
    int rc = 0;
    assert_int_equal(rec_writer_open(fp, &wo, NULL, 0, &w, &e), 0);
    rec_set(r, "a", "some text");
    for (int i = 0; i < 10000 && rc == 0; i++)
        rc = rec_write(w, r, &e);
    int crc = rec_writer_close(w, &e);
    assert_true(rc == QS_E_IO || crc == QS_E_IO);
    assert_non_null(strstr(e.msg, "write error"));
    rec_free(r);
    fclose(fp);
}

static int ahead_on(void **state)
{
    (void)state;
    ahead = 1;
    return 0;
}

static int ahead_off(void **state)
{
    (void)state;
    ahead = 0;
    return 0;
}

/* A CSV of n rows over many batches of the thread reading ahead: every big-th row has a
 * field of size bytes (records that must give their buffers back; batches of one record,
 * bytes enough to make the reader wait), and row bad, if any, a quote inside an unquoted
 * field, a syntax error that stops the reading. */
static char *many_rows(size_t n, size_t bad, size_t big, size_t size, size_t *len)
{
    char *out;
    FILE *m = open_memstream(&out, len);
    fputs("sku,title,desc\r\n", m);
    for (size_t i = 1; i <= n; i++) {
        fprintf(m, "S-%zu,\"Title %zu, \"\"quoted\"\"\nsecond line\",", i, i);
        if (i % big == 0)
            for (size_t k = 0; k < size; k++)
                fputc('a' + (int)(k % 26), m);
        else
            fputs(i == bad ? "a \"bad\" one" : "plain", m);
        fputs("\r\n", m);
    }
    fclose(m);
    return out;
}

/* issue 16: records read ahead in a second thread are the records, lines and errors of
 * the reader in the caller's thread, across many batches, huge fields and an error. */
static void test_ahead_same(void **state)
{
    (void)state;
    size_t bads[] = {0, 2500}, len;
    for (size_t i = 0; i < 2; i++) {
        char *data = many_rows(3000, bads[i], 97, 40 * 1024, &len), *here, *there;
        struct qs_err e1, e2;
        ahead = 0;
        int rc1 = dump(data, len, REC_ENC_AUTO, &here, &e1);
        ahead = 1;
        int rc2 = dump(data, len, REC_ENC_AUTO, &there, &e2);
        ahead = 0;
        assert_int_equal(rc1, bads[i] ? QS_E_DATA : 0);
        assert_int_equal(rc2, rc1);
        assert_string_equal(there, here);
        assert_non_null(strstr(here, bads[i] ? "\n@4998 sku=S-2499|" : "\n@6000 sku=S-3000|"));
        if (bads[i])
            assert_null(strstr(here, "\n@5000 "));
        if (rc1 < 0) {
            assert_string_equal(e2.msg, e1.msg);
            assert_int_equal(e2.line, e1.line);
            assert_int_equal(e2.line, 2 * (long)bads[i] + 1);
        }
        free(here);
        free(there);
        free(data);
    }
}

/* issue 16: rows of 600 KiB, every one: the thread reading ahead stops while what waits
 * for the caller holds more than its bound, and goes on as the caller takes it. */
static void test_ahead_big_rows(void **state)
{
    (void)state;
    size_t len;
    char *data = many_rows(60, 0, 1, 600 * 1024, &len), *here, *there;
    struct qs_err e1, e2;
    ahead = 0;
    assert_int_equal(dump(data, len, REC_ENC_AUTO, &here, &e1), 0);
    ahead = 1;
    assert_int_equal(dump(data, len, REC_ENC_AUTO, &there, &e2), 0);
    ahead = 0;
    assert_string_equal(there, here);
    assert_non_null(strstr(here, "\n@120 sku=S-60|"));
    free(here);
    free(there);
    free(data);
}

/* issue 16: a reader closed before the end (the caller stopped) stops its thread: the
 * close returns, nothing leaks (ASan), the file is left as it is. */
static void test_ahead_close_early(void **state)
{
    (void)state;
    size_t len;
    char *data = many_rows(5000, 0, 97, 40 * 1024, &len);
    FILE *fp = input(data, len, 0);
    struct rec_reader_opts o = {.ahead = 1};
    struct rec_reader *rd;
    struct rec *r = rec_new();
    struct qs_err e;
    assert_int_equal(rec_reader_open(fp, "in.csv", &o, &rd, &e), 0);
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(rec_read(rd, r, &e), 1);
        assert_int_equal(rec_reader_line(rd), 2 * i);
    }
    assert_string_equal(rec_get(r, "sku"), "S-3");
    rec_reader_close(rd);
    rec_free(r);
    fclose(fp);
    free(data);
}

int main(void)
{
    // clang-format off
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rec_fields),
        cmocka_unit_test(test_parse_names),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_csv_columns),
        cmocka_unit_test(test_col_letters),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_bom_inside),
        cmocka_unit_test(test_cp932),
        cmocka_unit_test(test_split_chars),
        cmocka_unit_test(test_auto_regular),
        cmocka_unit_test(test_auto_pipe),
        cmocka_unit_test(test_auto_mixed),
        cmocka_unit_test(test_auto_cp932_kana),
        cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_max_columns),
        cmocka_unit_test(test_json_read),
        cmocka_unit_test(test_json_bad),
        cmocka_unit_test(test_cr_lines),
        cmocka_unit_test(test_csv_write_brace),
        cmocka_unit_test(test_json_no_final_lf),
        cmocka_unit_test(test_csv_write),
        cmocka_unit_test(test_csv_write_cols),
        cmocka_unit_test(test_csv_write_cp932),
        cmocka_unit_test(test_write_wide_reordered),
        cmocka_unit_test(test_json_write),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_write_bom),
        cmocka_unit_test(test_write_excel_safe),
        cmocka_unit_test(test_write_error),
    };
    // clang-format on
    /* Every test again, reading ahead (issue 16), then the tests of reading ahead. */
    enum { N = sizeof tests / sizeof tests[0] };
    static char names[N][80];
    struct CMUnitTest all[2 * N + 3];
    for (size_t i = 0; i < N; i++) {
        all[i] = all[N + i] = tests[i];
        snprintf(names[i], sizeof names[i], "%s, read ahead", tests[i].name);
        all[N + i].name = names[i];
        all[N + i].setup_func = ahead_on;
        all[N + i].teardown_func = ahead_off;
    }
    all[2 * N] = (struct CMUnitTest)cmocka_unit_test(test_ahead_same);
    all[2 * N + 1] = (struct CMUnitTest)cmocka_unit_test(test_ahead_big_rows);
    all[2 * N + 2] = (struct CMUnitTest)cmocka_unit_test(test_ahead_close_early);
    return cmocka_run_group_tests(all, NULL, NULL);
}

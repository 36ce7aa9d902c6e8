/* Fuzz target xlsx_read: the .xlsx reader of SPEC 1.2 (issue 11) through rec_reader_open
 * and rec_read, on a regular file and on a pipe (which the reader spools), with and
 * without --sheet. The first byte chooses as fuzz.h says (the encoding bits must not
 * matter to a workbook); when its bit 3 is set, a sheet name follows, up to a NUL, before
 * the workbook, and the input is read twice: without --sheet and with that name. The
 * seeds (corpus/xlsx_read/) are made by tests/fixtures/xlsx/gen.py --fuzz-seeds. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"

/* What one read of the input saw. */
struct seen {
    const char *sheet; /* --sheet, or NULL */
    int book;          /* records came from a workbook */
    int text;          /* records came from CSV or JSON Lines */
    char first[256];   /* the worksheet the records came from */
    FILE *log;         /* the records as JSON Lines, in buf */
    char *buf;
    size_t len;
};

static void row(struct rec_reader *r, const struct rec *rec, void *ctx)
{
    struct seen *s = ctx;
    const char *sheet = rec_reader_sheet(r);
    size_t ncols, prev = 0, filled = 0;
    const char *const *cols = rec_reader_columns(r, &ncols);

    if (rec_reader_format(r) != REC_XLSX) {
        /* Not a workbook: CSV or JSON Lines, never with --sheet (record.h). */
        FUZZ_CHECK(s->sheet == NULL && sheet == NULL);
        s->text = 1;
        return;
    }
    s->book = 1;
    /* The sheet asked for (Excel's sheet names are unique whatever their case). */
    FUZZ_CHECK(sheet != NULL && (s->sheet == NULL || strcasecmp(sheet, s->sheet) == 0));
    if (!s->first[0])
        snprintf(s->first, sizeof s->first, "%s", sheet);
    /* A row has the header's columns, in order: named, each once, in the sheet's columns
     * (A to XFD, left to right), every value a string; a blank row is no record. */
    FUZZ_CHECK(cols != NULL && ncols > 0 && rec->n == ncols);
    for (size_t i = 0; i < rec->n; i++) {
        size_t col = rec_reader_column_index(r, cols[i]);
        FUZZ_CHECK(strcmp(rec->f[i].name, cols[i]) == 0 && cols[i][0] != '\0');
        FUZZ_CHECK(rec->f[i].type == REC_STR);
        FUZZ_CHECK(col > prev && col <= 16384);
        prev = col;
        filled += rec->f[i].len > 0;
    }
    FUZZ_CHECK(filled > 0);
    /* Its line is its row in the sheet, below the header. */
    long line = rec_reader_line(r);
    FUZZ_CHECK(line >= 2 && line <= 1048576);
    char *json = rec_to_json(rec);
    FUZZ_CHECK(fprintf(s->log, "%ld %s\n", line, json) > 0);
    free(json);
}

/* Reads the workbook as in says, with --sheet sheet (may be NULL), into s. */
static int read_book(const struct fuzz_in *in, const char *sheet, struct seen *s)
{
    struct rec_reader_opts o = {.enc = in->enc, .sheet = sheet};
    s->sheet = sheet;
    s->log = open_memstream(&s->buf, &s->len);
    FUZZ_CHECK(s->log != NULL);
    FILE *fp = fuzz_open(in);
    int rc = fuzz_read_opts(fp, &o, "fuzz.xlsx", row, s);
    fclose(fp);
    FUZZ_CHECK(fclose(s->log) == 0);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in;
    struct seen plain = {0}, named = {0};
    char *sheet = NULL;

    if (fuzz_in_parse(data, size, &in) < 0)
        return 0;
    if (data[0] & 8) {
        const uint8_t *nul = memchr(in.data, '\0', in.size);
        if (nul) {
            size_t n = (size_t)(nul - in.data);
            sheet = malloc(n + 1);
            FUZZ_CHECK(sheet != NULL);
            memcpy(sheet, in.data, n);
            sheet[n] = '\0';
            in.data += n + 1;
            in.size -= n + 1;
        }
    }
    int rc = read_book(&in, NULL, &plain);
    if (sheet) {
        int rc2 = read_book(&in, sheet, &named);
        /* --sheet on what is not a workbook is refused (record.h). */
        FUZZ_CHECK(!plain.text || rc2 < 0);
        /* --sheet naming the first sheet reads what no --sheet reads. */
        if (plain.book && strcmp(plain.first, sheet) == 0) {
            FUZZ_CHECK(rc2 == rc && named.len == plain.len);
            FUZZ_CHECK(memcmp(named.buf, plain.buf, plain.len) == 0);
        }
    }
    free(plain.buf);
    free(named.buf);
    free(sheet);
    return 0;
}

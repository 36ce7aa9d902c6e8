/* xlsx_write: the .xlsx writer of SPEC 1.2 (--format xlsx, and QSM's upload forms of SPEC
 * 1.7), on libxlsxwriter. One worksheet "Sheet1": the header row (the column names, as
 * text), then one row per record. libxlsxwriter 1.1.4 writes a workbook only to a named
 * file, so the workbook goes to a temporary file (constant_memory: rows are streamed to
 * disk, memory stays flat) whose bytes are copied into the writer's stream at close.
 *
 * Cell types: SPEC 1.2 wants codes to keep their leading zeros when Excel opens the file,
 * so a value becomes a number cell only when Excel would show it exactly as written; a
 * string cell is never a formula (worksheet_write_string), so nothing in the data can run
 * in Excel. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "record_int.h"

/* Excel's limits: characters (UTF-16 units) in a cell, rows in a sheet. */
#define XLW_MAX_CELL   32767
#define XLW_MAX_ROWS   LXW_ROW_MAX
#define XLW_MAX_INT    11 /* digits before the point: 12 show as 3.00001E+11 */
#define XLW_MAX_DIGITS 15 /* significant digits Excel keeps */

#define XLW_PIPE_MSG                                                                               \
    "--format xlsx writes a workbook, which needs a file: give -o FILE.xlsx or redirect "          \
    "standard output to a file"

struct xlw {
    char *path; /* the temporary workbook; NULL once removed */
    char *tmpdir;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *text; /* number format "@": Excel keeps what is typed there as text too */
    char **text_cols; /* rec_writer_opts.text_columns, copied */
    size_t ntext;
    unsigned char *is_text; /* per column of w->cols */
    uint32_t row;           /* the next row to write (0: the header) */
    int broken;             /* libxlsxwriter failed: no workbook is written */
};

int rec_xlsx_target(FILE *fp, struct qs_err *e)
{
    struct stat st;
    int fd = fileno(fp);
    if (fd < 0 || fstat(fd, &st) != 0)
        return err_set(e, QS_E_IO, NULL, "cannot write a workbook: %s", strerror(errno));
    if (isatty(fd) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode))
        return err_set(e, QS_E_USAGE, NULL, XLW_PIPE_MSG);
    return 0;
}

/* Creates the temporary workbook file (0600) under $TMPDIR or /tmp. */
static int xlw_tmp(struct xlw *x, struct qs_err *e)
{
    const char *dir = getenv("TMPDIR");
    int fd;
    if (!dir || !*dir)
        dir = "/tmp";
    x->tmpdir = xstrdup(dir);
    x->path = xasprintf("%s/qs-xlsx-XXXXXX.xlsx", dir);
    if ((fd = mkstemps(x->path, 5)) < 0) {
        int err = errno;
        free(x->path);
        x->path = NULL;
        return err_set(e, QS_E_IO, NULL, "cannot create a temporary workbook in %s: %s", dir,
                       strerror(err));
    }
    close(fd);
    return 0;
}

int xlw_open(struct rec_writer *w, const struct rec_writer_opts *o, struct qs_err *e)
{
    struct xlw *x;
    int rc;
    if ((rc = rec_xlsx_target(w->fp, e)) < 0)
        return rc;
    x = w->xl = xcalloc(1, sizeof *x);
    for (const char *const *t = o->text_columns; t && *t; t++)
        x->ntext++;
    x->text_cols = xcalloc(x->ntext + 1, sizeof *x->text_cols);
    for (size_t i = 0; i < x->ntext; i++)
        x->text_cols[i] = xstrdup(o->text_columns[i]);
    if ((rc = xlw_tmp(x, e)) < 0)
        return rc;
    lxw_workbook_options lo = {.constant_memory = LXW_TRUE, .tmpdir = x->tmpdir};
    if (!(x->wb = workbook_new_opt(x->path, &lo)) ||
        !(x->ws = workbook_add_worksheet(x->wb, "Sheet1")) ||
        !(x->text = workbook_add_format(x->wb))) {
        x->broken = 1;
        return err_set(e, QS_E_IO, NULL, "cannot start a workbook in %s", x->tmpdir);
    }
    format_set_num_format(x->text, "@");
    return 0;
}

/* The length of UTF-8 s[0..n) in UTF-16 units, as Excel counts a cell's characters. */
static size_t xlw_units(const char *s, size_t n)
{
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80)
            u += c >= 0xF0 ? 2 : 1; /* past U+FFFF: a surrogate pair */
    }
    return u;
}

/* 1 when s is a number Excel shows exactly as written:
 * ^-?(0|[1-9][0-9]*)(\.[0-9]+)?$, at most 11 digits before the point and 15 significant
 * digits, not a negative zero. Everything else (codes with leading zeros, 12-digit codes,
 * "1e5", "+81") stays text. */
static int xlw_is_number(const char *s, size_t n)
{
    size_t i = 0, intd = 0, sig = 0, nonzero = 0;
    int lead = 1;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9' || (s[i] == '0' && i + 1 < n && s[i + 1] != '.'))
        return 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, intd++) {
        lead &= s[i] == '0';
        sig += !lead;
        nonzero |= s[i] != '0';
    }
    if (i < n && s[i] == '.') {
        size_t start = ++i;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            lead &= s[i] == '0';
            sig += !lead;
            nonzero |= s[i] != '0';
        }
        if (i == start)
            return 0;
    }
    if (i != n || intd > XLW_MAX_INT || sig > XLW_MAX_DIGITS)
        return 0;
    return s[0] != '-' || nonzero;
}

/* The spreadsheet name of column col (0-based) and row row (0-based): "B12". */
static const char *xlw_cell(size_t col, uint32_t row, char *buf, size_t size)
{
    char letters[16];
    snprintf(buf, size, "%s%lu", rec_col_letters(col + 1, letters, sizeof letters),
             (unsigned long)row + 1);
    return buf;
}

/* Writes one cell: nothing for "", a number when xlw_is_number (and the column is not a
 * text column), else a string. */
static int xlw_put(struct rec_writer *w, size_t col, const char *s, size_t n, int header,
                   struct qs_err *e)
{
    struct xlw *x = w->xl;
    char where[32];
    lxw_error le;
    if (n == 0)
        return 0;
    if (xlw_units(s, n) > XLW_MAX_CELL)
        return err_set(e, QS_E_DATA, NULL,
                       "row %lu, column \"%s\" (cell %s): %zu characters are more than an "
                       "Excel cell holds (%d); write CSV or JSON instead",
                       (unsigned long)x->row + 1, w->cols[col], xlw_cell(col, x->row, where, 32),
                       xlw_units(s, n), XLW_MAX_CELL);
    if (!header && !x->is_text[col] && xlw_is_number(s, n))
        le = worksheet_write_number(x->ws, x->row, (lxw_col_t)col, strtod(s, NULL), NULL);
    else
        le = worksheet_write_string(x->ws, x->row, (lxw_col_t)col, s,
                                    !header && x->is_text[col] ? x->text : NULL);
    if (le != LXW_NO_ERROR) {
        x->broken = 1;
        return err_set(e, QS_E_IO, NULL, "cannot write cell %s of the workbook: %s",
                       xlw_cell(col, x->row, where, 32), lxw_strerror(le));
    }
    return 0;
}

/* Marks the text columns and writes the header row, once the columns are known. */
static int xlw_header(struct rec_writer *w, struct qs_err *e)
{
    struct xlw *x = w->xl;
    int rc;
    if (w->started)
        return 0;
    w->started = 1;
    x->is_text = xcalloc(w->ncols ? w->ncols : 1, 1);
    for (size_t c = 0; c < w->ncols; c++) {
        for (size_t t = 0; t < x->ntext && !x->is_text[c]; t++)
            x->is_text[c] = strcmp(w->cols[c], x->text_cols[t]) == 0;
        /* A text column stays text where the seller types more rows into it. */
        if (x->is_text[c] && worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c,
                                                  LXW_DEF_COL_WIDTH, x->text) != LXW_NO_ERROR) {
            x->broken = 1;
            return err_set(e, QS_E_IO, NULL, "cannot format column %zu of the workbook", c + 1);
        }
    }
    for (size_t c = 0; c < w->ncols; c++)
        if ((rc = xlw_put(w, c, w->cols[c], strlen(w->cols[c]), 1, e)) < 0)
            return rc;
    x->row = 1;
    return 0;
}

int xlw_write(struct rec_writer *w, const struct rec *r, struct qs_err *e)
{
    struct xlw *x = w->xl;
    int rc;
    if (x->broken)
        return err_set(e, QS_E_IO, NULL, "the workbook could not be written");
    if ((rc = xlw_header(w, e)) < 0)
        return rc;
    if (x->row >= XLW_MAX_ROWS)
        return err_set(e, QS_E_DATA, NULL,
                       "row %lu: a worksheet holds at most %d rows (the header and %d "
                       "records); write CSV or JSON instead",
                       (unsigned long)x->row + 1, XLW_MAX_ROWS, XLW_MAX_ROWS - 1);
    rec_writer_map(w, r);
    for (size_t c = 0; c < w->ncols; c++) {
        const struct rec_field *f = w->map[c];
        if (f && (rc = xlw_put(w, c, f->value, f->len, 0, e)) < 0)
            return rc;
    }
    x->row++;
    return 0;
}

/* Copies the finished workbook file into w->fp. */
static int xlw_copy(struct rec_writer *w, struct qs_err *e)
{
    char buf[65536];
    size_t n;
    int rc = 0;
    FILE *in = fopen(w->xl->path, "rb");
    if (!in)
        return err_set(e, QS_E_IO, NULL, "cannot read the temporary workbook %s: %s", w->xl->path,
                       strerror(errno));
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, w->fp) != n)
            rc = err_set(e, QS_E_IO, NULL, "write error: %s", strerror(errno));
    if (rc == 0 && ferror(in))
        rc = err_set(e, QS_E_IO, NULL, "cannot read the temporary workbook %s", w->xl->path);
    fclose(in);
    return rc;
}

int xlw_close(struct rec_writer *w, struct qs_err *e)
{
    struct xlw *x = w->xl;
    int rc = 0;
    if (!x)
        return 0;
    /* An empty result with known columns is still a header row. */
    if (w->fp && !x->broken && w->cols)
        rc = xlw_header(w, e);
    if (x->wb) {
        lxw_error le = workbook_close(x->wb); /* frees it, whatever happens */
        x->wb = NULL;
        if (le != LXW_NO_ERROR && rc == 0) {
            x->broken = 1;
            rc = err_set(e, QS_E_IO, NULL, "cannot write the workbook: %s", lxw_strerror(le));
        }
    }
    if (rc == 0 && w->fp && !x->broken && x->path)
        rc = xlw_copy(w, e);
    if (x->path)
        unlink(x->path);
    free(x->path);
    free(x->tmpdir);
    for (size_t i = 0; i < x->ntext; i++)
        free(x->text_cols[i]);
    free(x->text_cols);
    free(x->is_text);
    free(x);
    w->xl = NULL;
    return rc;
}

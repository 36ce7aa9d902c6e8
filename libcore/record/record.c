/* record: the reader/writer front ends (SPEC 1.2); the record type is in rec.c. The formats
 * live in csv_read.c, csv_write.c, jsonl.c, table.c and xlsx_write.c; encodings in enc.c. */
#include "record.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "record_int.h"
#include "../xalloc.h"

char *rec_to_json(const struct rec *r)
{
    struct rbuf b = {0};
    rbuf_addc(&b, '{');
    for (size_t i = 0; i < r->n; i++) {
        if (i)
            rbuf_addc(&b, ',');
        jl_put_string(&b, r->f[i].name, strlen(r->f[i].name));
        rbuf_addc(&b, ':');
        jl_put_value(&b, &r->f[i]);
    }
    rbuf_addc(&b, '}');
    b.p[b.len] = '\0';
    return b.p;
}

/* ---- reader ---- */

struct rec_reader {
    struct rec_src src;
    char *name;
    size_t max_field;
    enum rec_format fmt;
    int detected;
    long line;
    int fail; /* the error that stopped the reader, returned again */
    struct qs_err fail_e;
    struct csvr *csv;
    struct jlr *jl;
    struct xlr *xl;
    char *sheet; /* --sheet */
    /* rec_reader_opts.ahead: the records come from this thread (rec_ahead.c), which alone
     * reads the fields above (line too); the caller's line is aline */
    struct rec_ahead *ahead;
    long aline;
};

static int read_for_ahead(void *ctx, struct rec *out, long *line, struct qs_err *e);

int rec_reader_open(FILE *fp, const char *name, const struct rec_reader_opts *o,
                    struct rec_reader **out, struct qs_err *e)
{
    (void)e;
    struct rec_reader *r = xcalloc(1, sizeof *r);
    r->name = xstrdup(name ? name : "-");
    r->max_field = o && o->max_field ? o->max_field : REC_MAX_FIELD;
    r->sheet = o && o->sheet ? xstrdup(o->sheet) : NULL;
    src_init(&r->src, fp, r->name, o ? o->enc : REC_ENC_AUTO);
    r->src.utf8_first = o && o->utf8_first;
    r->fmt = REC_CSV;
    if (o && o->ahead) {
        struct stat st;
        if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode))
            r->ahead = ahead_new(read_for_ahead, r);
    }
    *out = r;
    return 0;
}

/* SPEC 1.2: CSV or JSON Lines, told apart by the first byte that is not a BOM (enc.c
 * drops it) or white space. Keeps the text for the chosen reader. */
static int reader_detect(struct rec_reader *r, struct qs_err *e)
{
    struct rec_src *s = &r->src;
    size_t i = s->pos;
    int rc = src_start(s, e);
    if (rc < 0)
        return rc;
    if (s->zip) {
        r->fmt = REC_XLSX;
        if ((rc = xlr_open(s, r->sheet, r->max_field, &r->xl, e)) < 0)
            return rc;
        r->detected = 1;
        return 0;
    }
    if (r->sheet) {
        /* A wrong file must not be read as if the sheet were found. */
        err_set(e, QS_E_DATA, NULL,
                "--sheet %s: the input is not an .xlsx workbook (--sheet is for workbooks)",
                r->sheet);
        err_at(e, r->name, 0, 0);
        return QS_E_DATA;
    }
    for (;;) {
        for (; i < s->len; i++) {
            char c = s->buf[i];
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                r->fmt = c == '{' ? REC_JSON : REC_CSV;
                goto found;
            }
        }
        /* Only white space so far; past a field's worth of it, the CSV reader takes it (and
         * finds no header in blank lines, or a header of spaces). */
        if (s->len - s->pos > r->max_field)
            goto found;
        size_t done = i - s->pos;
        rc = src_more(s, e);
        if (rc < 0) {
            if (rc == QS_E_DATA && !s->located) {
                long line = 1;
                for (size_t k = s->pos; k < s->len; k++)
                    line += s->buf[k] == '\n';
                err_at(e, r->name, line, 1);
            }
            return rc;
        }
        if (rc == 0)
            return rec_err_empty(e, r->name);
        i = s->pos + done;
    }
found:
    r->detected = 1;
    if (r->fmt == REC_JSON)
        r->jl = jlr_new(s, r->max_field);
    else
        r->csv = csvr_new(s, r->max_field);
    return 0;
}

/* rec_read in the calling thread. */
static int read_here(struct rec_reader *r, struct rec *out, struct qs_err *e)
{
    int rc;
    rec_clear(out);
    if (r->fail) {
        if (e)
            *e = r->fail_e;
        return r->fail;
    }
    if (!r->detected && (rc = reader_detect(r, e)) < 0)
        goto fail;
    if (r->xl)
        rc = xlr_read(r->xl, out, &r->line, e);
    else if (r->jl)
        rc = jlr_read(r->jl, out, &r->line, e);
    else
        rc = csvr_read(r->csv, out, &r->line, e);
    if (rc >= 0)
        return rc;
fail:
    rec_clear(out);
    r->fail = rc;
    if (e)
        r->fail_e = *e;
    else
        err_set(&r->fail_e, rc, NULL, "bad input");
    return rc;
}

/* rec_read_fn of the thread reading ahead. */
static int read_for_ahead(void *ctx, struct rec *out, long *line, struct qs_err *e)
{
    struct rec_reader *r = ctx;
    int rc = read_here(r, out, e);
    *line = r->line;
    return rc;
}

int rec_read(struct rec_reader *r, struct rec *out, struct qs_err *e)
{
    if (r->ahead)
        return ahead_read(r->ahead, out, &r->aline, e);
    return read_here(r, out, e);
}

long rec_reader_line(const struct rec_reader *r)
{
    return r->ahead ? r->aline : r->line;
}

enum rec_format rec_reader_format(const struct rec_reader *r)
{
    return r->fmt;
}

const char *rec_reader_name(const struct rec_reader *r)
{
    return r->name;
}

const char *const *rec_reader_columns(const struct rec_reader *r, size_t *n)
{
    *n = 0;
    if (r->xl)
        return xlr_columns(r->xl, n);
    return r->csv ? csvr_columns(r->csv, n) : NULL;
}

const char *rec_reader_sheet(const struct rec_reader *r)
{
    return r->xl ? xlr_sheet(r->xl) : NULL;
}

size_t rec_reader_column_index(const struct rec_reader *r, const char *name)
{
    size_t n;
    const char *const *cols = rec_reader_columns(r, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(cols[i], name) == 0)
            return i + 1 + rec_reader_column_base(r);
    return 0;
}

size_t rec_reader_column_base(const struct rec_reader *r)
{
    return r->xl ? (size_t)xlr_column_base(r->xl) : 0;
}

void rec_reader_close(struct rec_reader *r)
{
    if (!r)
        return;
    ahead_free(r->ahead); /* first: its thread reads what follows */
    csvr_free(r->csv);
    jlr_free(r->jl);
    xlr_free(r->xl);
    src_fini(&r->src);
    free(r->sheet);
    free(r->name);
    free(r);
}

/* ---- writer ---- */

/* Indexes the ncols columns just set in w->cols. */
static void writer_index(struct rec_writer *w, size_t ncols)
{
    w->ncols = ncols;
    w->map = xcalloc(ncols ? ncols : 1, sizeof *w->map);
    rec_names_init(&w->colset, (const char *const *)w->cols, ncols);
    for (size_t i = 0; i < ncols; i++)
        rec_names_add(&w->colset, i);
}

int rec_writer_open(FILE *fp, const struct rec_writer_opts *o, const char *const *columns,
                    size_t ncolumns, struct rec_writer **out, struct qs_err *e)
{
    struct rec_writer *w = xcalloc(1, sizeof *w);
    w->fp = fp;
    w->fmt = o ? o->fmt : REC_CSV;
    w->enc = o && o->enc == REC_ENC_CP932 ? REC_ENC_CP932 : REC_ENC_UTF8;
    w->replace = o ? o->replace_unmappable : 0;
    w->bom = o && o->bom && w->fmt == REC_CSV && w->enc == REC_ENC_UTF8;
    w->excel_safe = o ? o->excel_safe : 0;
    w->cd = (iconv_t)-1;
    if (columns) {
        w->cols = xcalloc(ncolumns ? ncolumns : 1, sizeof *w->cols);
        for (size_t i = 0; i < ncolumns; i++)
            w->cols[i] = xstrdup(columns[i]);
        writer_index(w, ncolumns);
    }
    /* CP932 is for CSV files meant for QSM/Excel; JSON is UTF-8 by definition and a
     * table is for the terminal. */
    int rc = 0;
    if (w->fmt == REC_CSV && w->enc == REC_ENC_CP932)
        rc = enc_open(&w->cd, "CP932", "UTF-8", e);
    else if (w->fmt == REC_XLSX)
        rc = xlw_open(w, o, e);
    if (rc < 0) {
        *out = NULL;
        w->fp = NULL;
        rec_writer_close(w, NULL);
        return rc;
    }
    *out = w;
    return 0;
}

/* Takes the columns from the first record when they were not given. */
static void writer_columns(struct rec_writer *w, const struct rec *r)
{
    if (w->cols)
        return;
    w->cols = xcalloc(r->n ? r->n : 1, sizeof *w->cols);
    for (size_t i = 0; i < r->n; i++)
        w->cols[i] = xstrdup(r->f[i].name);
    writer_index(w, r->n);
}

int rec_write(struct rec_writer *w, const struct rec *r, struct qs_err *e)
{
    switch (w->fmt) {
    case REC_JSON:
        return jlw_write(w, r, e);
    case REC_TABLE:
        writer_columns(w, r);
        tab_add(w, r);
        return 0;
    case REC_XLSX:
        writer_columns(w, r);
        return xlw_write(w, r, e);
    case REC_CSV:
    default:
        writer_columns(w, r);
        return csvw_write(w, r, e);
    }
}

int rec_writer_close(struct rec_writer *w, struct qs_err *e)
{
    int rc = 0;
    if (!w)
        return 0;
    /* The workbook is copied into w->fp here, and its temporary file removed, even when
     * w->fp is NULL (rec_writer_open failed). */
    if (w->fmt == REC_XLSX)
        rc = xlw_close(w, e);
    if (w->fp) {
        if (w->fmt == REC_TABLE)
            rc = tab_flush(w, e);
        else if (w->fmt == REC_CSV && w->cols)
            rc = csvw_header(w, e);
        if (rc == 0 && (fflush(w->fp) != 0 || ferror(w->fp)))
            rc = err_set(e, QS_E_IO, NULL, "write error: %s", strerror(errno));
    }
    for (size_t i = 0; i < w->ncols; i++)
        free(w->cols[i]);
    free(w->cols);
    free(w->map);
    rec_names_free(&w->colset);
    rbuf_free(&w->line);
    rbuf_free(&w->tmp);
    if (w->cd != (iconv_t)-1)
        iconv_close(w->cd);
    tab_free(w->tab);
    free(w);
    return rc;
}

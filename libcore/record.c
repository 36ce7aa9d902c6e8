/* record: the record type and the reader/writer front ends (SPEC 1.2). The formats
 * live in csv_read.c, csv_write.c, jsonl.c and table.c; encodings in enc.c. */
#include "record.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rec_internal.h"
#include "xalloc.h"

/*
 * Streaming code clears and refills one record per row, so a cleared record keeps
 * every name and value buffer. Their capacities live after f[cap - 1], in the same
 * allocation as f, so struct rec_field stays as declared in record.h:
 * caps[2 * i] is the size of f[i].name's buffer, caps[2 * i + 1] of f[i].value's.
 */
static size_t *rec_caps(const struct rec *r)
{
    return (size_t *)(void *)(r->f + r->cap);
}

static void rec_grow(struct rec *r)
{
    size_t cap = r->cap ? r->cap * 2 : 16;
    size_t slot = sizeof(struct rec_field) + 2 * sizeof(size_t);
    struct rec_field *f = xcalloc(cap, slot);
    size_t *caps = (size_t *)(void *)(f + cap);
    if (r->cap) {
        memcpy(f, r->f, r->cap * sizeof *f);
        memcpy(caps, rec_caps(r), 2 * r->cap * sizeof *caps);
    }
    free(r->f);
    r->f = f;
    r->cap = cap;
}

/* Copies s[0..n) into *dst, whose buffer holds *cap bytes, growing it if needed. */
static void slot_copy(char **dst, size_t *cap, const char *s, size_t n)
{
    if (*cap < n + 1) {
        size_t c = *cap ? *cap : 16;
        while (c < n + 1)
            c *= 2;
        free(*dst);
        *dst = xmalloc(c);
        *cap = c;
    }
    if (n)
        memmove(*dst, s, n);
    (*dst)[n] = '\0';
}

struct rec *rec_new(void)
{
    return xcalloc(1, sizeof(struct rec));
}

void rec_free(struct rec *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->cap; i++) {
        free(r->f[i].name);
        free(r->f[i].value);
    }
    free(r->f);
    free(r);
}

void rec_clear(struct rec *r)
{
    r->n = 0;
}

void rec_push(struct rec *r, const char *name, size_t nlen, const char *value, size_t vlen,
              enum rec_type type)
{
    if (r->n == r->cap)
        rec_grow(r);
    size_t *caps = rec_caps(r);
    struct rec_field *f = &r->f[r->n];
    /* A CSV row has the same names as the last one: keep the name when it matches. */
    if (!f->name || strncmp(f->name, name, nlen) != 0 || f->name[nlen] != '\0')
        slot_copy(&f->name, &caps[2 * r->n], name, nlen);
    slot_copy(&f->value, &caps[2 * r->n + 1], value, vlen);
    f->len = vlen;
    f->type = type;
    r->n++;
}

void rec_set_typed(struct rec *r, const char *name, const char *value, enum rec_type type)
{
    if (!value)
        value = "";
    size_t vlen = strlen(value);
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->f[i].name, name) == 0) {
            slot_copy(&r->f[i].value, &rec_caps(r)[2 * i + 1], value, vlen);
            r->f[i].len = vlen;
            r->f[i].type = type;
            return;
        }
    }
    rec_push(r, name, strlen(name), value, vlen, type);
}

void rec_set(struct rec *r, const char *name, const char *value)
{
    rec_set_typed(r, name, value, REC_STR);
}

const struct rec_field *rec_field(const struct rec *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->f[i].name, name) == 0)
            return &r->f[i];
    return NULL;
}

const char *rec_get(const struct rec *r, const char *name)
{
    const struct rec_field *f = rec_field(r, name);
    return f ? f->value : NULL;
}

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

/* FNV-1a. */
static size_t names_hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

void rec_names_init(struct rec_names *h, const char *const *names, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    h->names = names;
    h->slot = xcalloc(cap, sizeof *h->slot);
    h->mask = cap - 1;
}

/* The slot holding name, or the empty slot where it would go. */
static size_t *names_slot(const struct rec_names *h, const char *name)
{
    size_t i = names_hash(name) & h->mask;
    while (h->slot[i] && strcmp(h->names[h->slot[i] - 1], name) != 0)
        i = (i + 1) & h->mask;
    return &h->slot[i];
}

size_t rec_names_add(struct rec_names *h, size_t i)
{
    size_t *slot = names_slot(h, h->names[i]);
    if (*slot)
        return *slot;
    *slot = i + 1;
    return 0;
}

size_t rec_names_find(const struct rec_names *h, const char *name)
{
    return h->slot ? *names_slot(h, name) : 0;
}

void rec_names_free(struct rec_names *h)
{
    free(h->slot);
    h->slot = NULL;
}

int rec_format_parse(const char *s, enum rec_format *out)
{
    if (strcmp(s, "csv") == 0)
        *out = REC_CSV;
    else if (strcmp(s, "json") == 0)
        *out = REC_JSON;
    else if (strcmp(s, "table") == 0)
        *out = REC_TABLE;
    else
        return -1;
    return 0;
}

int rec_enc_parse(const char *s, enum rec_enc *out)
{
    if (strcasecmp(s, "auto") == 0)
        *out = REC_ENC_AUTO;
    else if (strcasecmp(s, "utf-8") == 0 || strcasecmp(s, "utf8") == 0)
        *out = REC_ENC_UTF8;
    else if (strcasecmp(s, "cp932") == 0 || strcasecmp(s, "shift_jis") == 0 ||
             strcasecmp(s, "sjis") == 0)
        *out = REC_ENC_CP932;
    else
        return -1;
    return 0;
}

/* ---- reader ---- */

int rec_err_empty(struct qs_err *e, const char *name)
{
    /* Issue 8 item 14: 0 bytes or blank lines are a mistake (a wrong file, a failed
     * download), not a set of no records; a header alone is that. */
    err_set(e, QS_E_DATA, NULL, "no header: the input is empty");
    err_at(e, name, 0, 0);
    return QS_E_DATA;
}

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
};

int rec_reader_open(FILE *fp, const char *name, const struct rec_reader_opts *o,
                    struct rec_reader **out, struct qs_err *e)
{
    (void)e;
    struct rec_reader *r = xcalloc(1, sizeof *r);
    r->name = xstrdup(name ? name : "-");
    r->max_field = o && o->max_field ? o->max_field : REC_MAX_FIELD;
    src_init(&r->src, fp, r->name, o ? o->enc : REC_ENC_AUTO);
    r->fmt = REC_CSV;
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
            if (rc == QS_E_DATA) {
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

int rec_read(struct rec_reader *r, struct rec *out, struct qs_err *e)
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
    if (r->jl)
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

long rec_reader_line(const struct rec_reader *r)
{
    return r->line;
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
    return r->csv ? csvr_columns(r->csv, n) : NULL;
}

size_t rec_reader_column_index(const struct rec_reader *r, const char *name)
{
    size_t n;
    const char *const *cols = rec_reader_columns(r, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(cols[i], name) == 0)
            return i + 1;
    return 0;
}

char *rec_col_letters(size_t col, char *buf, size_t size)
{
    char tmp[24];
    size_t n = 0, k = 0;
    if (col == 0) {
        snprintf(buf, size, "?");
        return buf;
    }
    /* Bijective base 26, as spreadsheets number their columns. */
    for (; col > 0 && n < sizeof tmp; col = (col - 1) / 26)
        tmp[n++] = (char)('A' + (col - 1) % 26);
    for (; k < n && k + 1 < size; k++)
        buf[k] = tmp[n - 1 - k];
    buf[k] = '\0';
    return buf;
}

void rec_reader_close(struct rec_reader *r)
{
    if (!r)
        return;
    csvr_free(r->csv);
    jlr_free(r->jl);
    src_fini(&r->src);
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
    if (w->fmt == REC_CSV && w->enc == REC_ENC_CP932) {
        int rc = enc_open(&w->cd, "CP932", "UTF-8", e);
        if (rc < 0) {
            *out = NULL;
            w->fp = NULL;
            rec_writer_close(w, NULL);
            return rc;
        }
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

size_t rec_writer_col(const struct rec_writer *w, const char *name, size_t k)
{
    if (k < w->ncols && strcmp(w->cols[k], name) == 0)
        return k + 1;
    return rec_names_find(&w->colset, name);
}

void rec_writer_map(struct rec_writer *w, const struct rec *r)
{
    for (size_t i = 0; i < w->ncols; i++)
        w->map[i] = NULL;
    /* Backwards, so that of two fields of one name the first is written. */
    for (size_t k = r->n; k-- > 0;) {
        size_t i = rec_writer_col(w, r->f[k].name, k);
        if (i)
            w->map[i - 1] = &r->f[k];
    }
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
    case REC_CSV:
    default:
        writer_columns(w, r);
        return csvw_write(w, r, e);
    }
}

int rec_out(struct rec_writer *w, struct rbuf *b, struct qs_err *e)
{
    if (b->len && fwrite(b->p, 1, b->len, w->fp) != b->len) {
        b->len = 0;
        return err_set(e, QS_E_IO, NULL, "write error: %s", strerror(errno));
    }
    b->len = 0;
    return 0;
}

int rec_writer_close(struct rec_writer *w, struct qs_err *e)
{
    int rc = 0;
    if (!w)
        return 0;
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

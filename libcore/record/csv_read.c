/* csv_read: the streaming CSV reader of SPEC 1.2 (RFC 4180, header row first) on libcsv.
 *
 * Text is fed to libcsv one segment at a time, a segment ending at the next CR or LF, so
 * that (a) the current physical line is always known for messages and (b) at most one
 * row ends per csv_parse call, at the end of the segment: the field callback can then
 * write straight into the caller's record, with no row queue. */
#include <csv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record_int.h"

struct csvr {
    struct rec_src *src;
    struct csv_parser p;
    size_t max_field;
    char **hdr; /* column names, once the header is read */
    size_t *hdrlen;
    size_t nhdr, hdrcap;
    int have_hdr;
    struct rec *out; /* the caller's record, filled by the field callback */
    size_t nfields;  /* fields of the row in progress */
    int in_row;      /* a row has begun and not ended */
    int ended;       /* the row callback ran during this segment */
    int row_done;    /* a data row is complete in out */
    int finished;    /* csv_fini has run */
    long line;       /* physical line being fed */
    int cr;          /* the last segment ended in CR: a line end unless an LF follows */
    long row_line;   /* line on which the row in progress starts */
    long field_line; /* line on which the field in progress starts */
    size_t nl;       /* offset in src->buf of the next LF, or src->len: none */
    int nl_valid;
    int rc; /* an error found by a callback */
    struct qs_err *e;
};

/* libcsv trims spaces and tabs around unquoted fields by default; a round trip must not. */
static int csvr_no_space(unsigned char c)
{
    (void)c;
    return 0;
}

struct csvr *csvr_new(struct rec_src *src, size_t max_field)
{
    struct csvr *c = xcalloc(1, sizeof *c);
    c->src = src;
    c->max_field = max_field;
    c->line = 1;
    csv_init(&c->p, CSV_STRICT | CSV_STRICT_FINI);
    csv_set_space_func(&c->p, csvr_no_space);
    csv_set_realloc_func(&c->p, xrealloc);
    csv_set_free_func(&c->p, free);
    csv_set_blk_size(&c->p, 64 * 1024);
    return c;
}

void csvr_free(struct csvr *c)
{
    if (!c)
        return;
    csv_free(&c->p);
    for (size_t i = 0; i < c->nhdr; i++)
        free(c->hdr[i]);
    free(c->hdr);
    free(c->hdrlen);
    free(c);
}

const char *const *csvr_columns(const struct csvr *c, size_t *n)
{
    *n = c->have_hdr ? c->nhdr : 0;
    return c->have_hdr ? (const char *const *)c->hdr : NULL;
}

static int csvr_err(struct csvr *c, long line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int csvr_err(struct csvr *c, long line, size_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(c->e, QS_E_DATA, NULL, fmt, ap);
    va_end(ap);
    err_at(c->e, c->src->name, line, (long)col);
    c->rc = QS_E_DATA;
    return QS_E_DATA;
}

static void csvr_field(void *s, size_t len, void *data)
{
    struct csvr *c = data;
    long start = c->field_line;
    size_t i = c->nfields++;
    c->field_line = c->line; /* the next field starts after this comma */
    if (c->rc)
        return;
    if (len > c->max_field) {
        csvr_err(c, start, i + 1, "field is longer than %zu bytes", c->max_field);
        return;
    }
    /* Only the input's first BOM is dropped (SPEC 1.2, in enc.c); another is refused. */
    if (len >= 3 && memcmp(s, REC_BOM, 3) == 0) {
        csvr_err(c, start, i + 1, REC_BOM_MSG, "field");
        return;
    }
    if (!c->have_hdr) {
        if (c->nhdr == REC_MAX_COLUMNS) {
            csvr_err(c, start, i + 1,
                     "the header has more than %d columns, the most qs reads; delete the "
                     "columns you do not need",
                     REC_MAX_COLUMNS);
            return;
        }
        if (c->nhdr == c->hdrcap) {
            c->hdrcap = c->hdrcap ? c->hdrcap * 2 : 16;
            c->hdr = xrealloc(c->hdr, c->hdrcap * sizeof *c->hdr);
            c->hdrlen = xrealloc(c->hdrlen, c->hdrcap * sizeof *c->hdrlen);
        }
        c->hdr[c->nhdr] = xstrndup(len ? s : "", len);
        c->hdrlen[c->nhdr++] = len;
    } else if (i < c->nhdr) {
        rec_push(c->out, c->hdr[i], c->hdrlen[i], len ? s : "", len, REC_STR);
    }
}

/* Every column has a name, and no name twice (in linear time: issue 8 item 3). */
static void csvr_header_check(struct csvr *c)
{
    struct rec_names seen;
    rec_names_init(&seen, (const char *const *)c->hdr, c->nhdr);
    for (size_t i = 0; i < c->nhdr; i++) {
        size_t k;
        if (c->hdrlen[i] == 0) {
            csvr_err(c, c->row_line, i + 1, "column %zu of the header has no name", i + 1);
            break;
        }
        if ((k = rec_names_add(&seen, i)) != 0) {
            csvr_err(c, c->row_line, i + 1, "column \"%s\" repeats column %zu of the header",
                     c->hdr[i], k);
            break;
        }
    }
    rec_names_free(&seen);
}

static void csvr_row(int term, void *data)
{
    struct csvr *c = data;
    (void)term;
    c->ended = 1;
    if (!c->rc) {
        if (!c->have_hdr) {
            c->have_hdr = 1;
            csvr_header_check(c);
        } else if (c->nfields != c->nhdr) {
            size_t col = (c->nfields < c->nhdr ? c->nfields : c->nhdr) + 1;
            csvr_err(c, c->row_line, col, "row has %zu fields, header has %zu", c->nfields,
                     c->nhdr);
        } else {
            c->row_done = 1;
        }
    }
    c->nfields = 0;
}

/* What libcsv refused in strict mode, as a message with the fix. */
static int csvr_parse_err(struct csvr *c, unsigned char bad)
{
    size_t col = c->nfields + 1;
    if (bad == '"' && !c->p.quoted && c->p.entry_pos == 3 &&
        memcmp(c->p.entry_buf, REC_BOM, 3) == 0)
        return csvr_err(c, c->line, col, REC_BOM_MSG, "field"); /* BOM"quoted", */
    if (bad == '"' && !c->p.quoted)
        return csvr_err(c, c->line, col,
                        "quote inside an unquoted field; quote the whole field and double "
                        "the quote (\"\")");
    if (bad >= 0x20 && bad < 0x7f)
        return csvr_err(c, c->line, col,
                        "'%c' after the closing quote of a field; double a quote inside a "
                        "quoted field (\"\")",
                        bad);
    return csvr_err(c, c->line, col,
                    "byte 0x%02x after the closing quote of a field; double a quote inside "
                    "a quoted field (\"\")",
                    bad);
}

/* End of input: the last row may lack its line end. */
static int csvr_finish(struct csvr *c, long *line)
{
    c->finished = 1;
    int r = csv_fini(&c->p, csvr_field, csvr_row, c);
    if (c->rc)
        return c->rc;
    if (r != 0)
        return csvr_err(c, c->field_line, c->nfields + 1,
                        "quoted field never ends (missing closing quote)");
    if (c->row_done) {
        *line = c->row_line;
        return 1;
    }
    return c->have_hdr ? 0 : rec_err_empty(c->e, c->src->name);
}

int csvr_read(struct csvr *c, struct rec *out, long *line, struct qs_err *e)
{
    struct rec_src *s = c->src;
    c->out = out;
    c->e = e;
    c->row_done = 0;
    if (c->finished)
        return 0;
    while (!c->row_done) {
        if (s->pos == s->len) {
            int rc = src_more(s, e);
            c->nl_valid = 0;
            if (rc < 0) {
                if (rc == QS_E_DATA && !s->located)
                    err_at(e, s->name, c->line, (long)c->nfields + 1);
                return rc;
            }
            if (rc == 0)
                return csvr_finish(c, line);
            continue;
        }
        char *seg = s->buf + s->pos;
        size_t avail = s->len - s->pos;
        if (!c->nl_valid || c->nl < s->pos) {
            char *lf = memchr(seg, '\n', avail);
            c->nl = lf ? (size_t)(lf - s->buf) : s->len;
            c->nl_valid = 1;
        }
        size_t n = c->nl < s->len ? c->nl + 1 - s->pos : avail;
        char *cr = memchr(seg, '\r', n);
        if (cr)
            n = (size_t)(cr - seg) + 1;
        int has_term = seg[n - 1] == '\n' || seg[n - 1] == '\r';
        /* A CR alone ends a line too (old Mac Excel files); CRLF is one line end. */
        if (c->cr && seg[0] != '\n')
            c->line++;
        c->cr = seg[n - 1] == '\r';
        if (!c->in_row)
            c->row_line = c->field_line = c->line;

        char *nul = memchr(seg, '\0', n);
        size_t feed = nul ? (size_t)(nul - seg) : n;
        c->ended = 0;
        size_t done = csv_parse(&c->p, seg, feed, csvr_field, csvr_row, c);
        if (c->rc)
            return c->rc;
        if (done < feed)
            return csvr_parse_err(c, (unsigned char)seg[done]);
        if (nul)
            return csvr_err(c, c->line, c->nfields + 1, "NUL byte in the input");
        if (c->p.entry_pos > c->max_field)
            return csvr_err(c, c->field_line, c->nfields + 1, "field is longer than %zu bytes",
                            c->max_field);
        s->pos += n;
        if (c->ended)
            c->in_row = 0;
        else if (n > (size_t)has_term)
            c->in_row = 1;
        if (seg[n - 1] == '\n')
            c->line++;
    }
    *line = c->row_line;
    return 1;
}

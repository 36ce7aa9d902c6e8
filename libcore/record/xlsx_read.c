/* xlsx_read: a worksheet as records (SPEC 1.2). The sheet's XML is streamed through expat
 * and suspended after each row, so memory holds one row and the shared strings whatever
 * the sheet's length. The first non-empty row is the header; every later non-empty row is
 * a record of every header column, cells placed by their reference (r="C5"), missing
 * ones empty. Messages name the cell: file.xlsx:Sheet1!M12. */
#include <stdlib.h>
#include <string.h>

#include "record_int.h"

#define XLR_MAX_SHEET ((uint64_t)4 << 30) /* a sheet's XML; streamed, so only a sanity cap */
#define XLR_MAX_ROW   1048576L            /* Excel's last row */
#define XLR_MAX_COL   16384L              /* Excel's last column, XFD */

enum { XT_NUM, XT_SST, XT_INLINE, XT_STR, XT_BOOL, XT_ERR, XT_DATE };

struct merge {
    long r1, c1, r2, c2;
};

struct xlr {
    struct rec_src *src;
    struct xzip *z;
    struct xbook b;
    const struct xsheet *sh;
    struct xpart xp;
    size_t max_field;
    /* the header */
    char **hdr;
    size_t *hdrlen, nhdr;
    long col0; /* the sheet column before the header's first: a table may start right of A */
    int have_hdr;
    long hdr_row;
    long bad_head; /* a header cell without a name: its column, reported at the end */
    /* the row being read */
    long row, col;     /* its number; the cell's column */
    struct rbuf *slot; /* per column (1-based - 1), the cell's text */
    size_t nslot;
    long *set; /* the columns set in this row */
    size_t nset;
    int nonempty; /* the row has a non-empty cell */
    /* the cell being read */
    int in_data, in_c, in_v, in_is, in_t, rph, ctype;
    const struct xf *cxf;
    struct rbuf val, text;
    /* merged ranges, known only after the rows */
    struct merge *mg;
    size_t nmg, mgcap;
    /* output */
    struct rec *out;
    int row_done, ended;
    long out_line;
    struct qs_err *e;
};

static int cell_err(struct xlr *x, long col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fails the parse with a message about the cell (col 0: the row) of the current row. */
static int cell_err(struct xlr *x, long col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(x->e, QS_E_DATA, NULL, fmt, ap);
    va_end(ap);
    err_at_sheet(x->e, x->src->name, x->sh->name, x->row, col);
    return xp_fail(&x->xp, QS_E_DATA);
}

/* "C5" -> column 3, row 5 (row 0 when the reference has none). -1: not a reference;
 * -2: a column past XFD. */
static int parse_ref(const char *s, long *col, long *row)
{
    long c = 0, r = 0;
    int letters = 0;
    for (; (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'); s++) {
        if (++letters > 3)
            return -2;
        c = c * 26 + ((*s | 0x20) - 'a' + 1);
    }
    if (!letters)
        return -1;
    for (; *s >= '0' && *s <= '9'; s++)
        if ((r = r * 10 + (*s - '0')) > XLR_MAX_ROW * 10)
            return -1;
    if (*s)
        return -1;
    if (c > XLR_MAX_COL)
        return -2;
    *col = c;
    *row = r;
    return 0;
}

static struct rbuf *slot_of(struct xlr *x, long col)
{
    if ((size_t)col > x->nslot) {
        size_t n = x->nslot ? x->nslot : 16;
        while (n < (size_t)col)
            n *= 2;
        x->slot = xrealloc(x->slot, n * sizeof *x->slot);
        memset(x->slot + x->nslot, 0, (n - x->nslot) * sizeof *x->slot);
        x->set = xrealloc(x->set, n * sizeof *x->set);
        x->nslot = n;
    }
    return &x->slot[col - 1];
}

static void row_start(struct xlr *x, const char **atts)
{
    const char *r = xml_attr(atts, "r");
    long n = x->row + 1;
    if (r) {
        char *end;
        n = strtol(r, &end, 10);
        if (end == r || *end || n < 1) {
            cell_err(x, 0, "row number \"%.20s\" is not a number", r);
            return;
        }
    }
    if (n > XLR_MAX_ROW) {
        x->row = n;
        cell_err(x, 0, "row %ld is past row %ld, Excel's last", n, XLR_MAX_ROW);
        return;
    }
    if (n <= x->row) {
        cell_err(x, 0, "row %ld comes after row %ld in the sheet's XML", n, x->row);
        return;
    }
    x->row = n;
    x->col = 0;
    for (size_t i = 0; i < x->nset; i++)
        x->slot[x->set[i] - 1].len = 0;
    x->nset = 0;
    x->nonempty = 0;
}

static void cell_start(struct xlr *x, const char **atts)
{
    const char *r = xml_attr(atts, "r"), *t = xml_attr(atts, "t"), *s = xml_attr(atts, "s");
    long col = x->col + 1, row = 0;
    if (r) {
        int k = parse_ref(r, &col, &row);
        if (k == -2) {
            cell_err(x, 0, "cell %.20s is past column XFD, Excel's last", r);
            return;
        }
        if (k < 0 || (row && row != x->row)) {
            cell_err(x, 0, "cell reference \"%.20s\" does not belong to row %ld", r, x->row);
            return;
        }
    }
    if (col > XLR_MAX_COL) {
        cell_err(x, 0, "a cell past column XFD, Excel's last");
        return;
    }
    x->col = col;
    x->in_c = 1;
    x->val.len = 0;
    x->ctype = !t || strcmp(t, "n") == 0     ? XT_NUM
               : strcmp(t, "s") == 0         ? XT_SST
               : strcmp(t, "inlineStr") == 0 ? XT_INLINE
               : strcmp(t, "str") == 0       ? XT_STR
               : strcmp(t, "b") == 0         ? XT_BOOL
               : strcmp(t, "e") == 0         ? XT_ERR
               : strcmp(t, "d") == 0         ? XT_DATE
                                             : -1;
    if (x->ctype < 0) {
        cell_err(x, col, "cell type \"%.20s\" is not one an .xlsx workbook has", t);
        return;
    }
    unsigned long xf = s ? strtoul(s, NULL, 10) : 0;
    x->cxf = xf < x->b.nxf ? &x->b.xf[xf] : NULL;
}

/* The text of the cell just read into x->text; 0 or an error. */
static int cell_text(struct xlr *x)
{
    struct rbuf *t = &x->text;
    t->len = 0;
    switch (x->ctype) {
    case XT_SST: {
        char *end;
        rbuf_addc(&x->val, '\0');
        unsigned long i = strtoul(x->val.p, &end, 10);
        if (end == x->val.p || *end || i >= x->b.nsst)
            return cell_err(x, x->col,
                            "the cell points to shared string \"%.20s\" of %zu; the "
                            "workbook is damaged",
                            x->val.p, x->b.nsst);
        rbuf_adds(t, x->b.sst.p + x->b.sst_off[i]);
        break;
    }
    case XT_INLINE:
    case XT_STR:
        xml_unescape(t, x->val.p, x->val.len);
        break;
    case XT_BOOL:
        if (x->val.len == 1 && (x->val.p[0] == '0' || x->val.p[0] == '1'))
            rbuf_adds(t, x->val.p[0] == '1' ? "TRUE" : "FALSE");
        else if (x->val.len)
            return cell_err(x, x->col, "a TRUE/FALSE cell holds \"%.20s\"", x->val.p);
        break;
    case XT_NUM:
        rbuf_addc(&x->val, '\0');
        if (x->val.len > 1 && xc_number(t, x->val.p, x->cxf, x->b.date1904) < 0)
            return cell_err(x, x->col, "a number cell holds \"%.40s\", which is no number",
                            x->val.p);
        break;
    default: /* an error value (#N/A) or an ISO date: the text as stored */
        rbuf_add(t, x->val.p, x->val.len);
    }
    return 0;
}

static void cell_end(struct xlr *x)
{
    char letters[16];
    x->in_c = 0;
    if (cell_text(x) < 0 || x->text.len == 0)
        return;
    if (x->text.len > x->max_field) {
        cell_err(x, x->col, "cell is longer than %zu bytes", x->max_field);
        return;
    }
    if (!x->have_hdr && x->col > REC_MAX_COLUMNS) {
        cell_err(x, x->col,
                 "the header has more than %d columns, the most qs reads; delete the columns "
                 "you do not need",
                 REC_MAX_COLUMNS);
        return;
    }
    if (x->have_hdr && (x->col <= x->col0 || (size_t)(x->col - x->col0) > x->nhdr)) {
        int left = x->col <= x->col0;
        cell_err(x, x->col,
                 "a value %s the header's %s column (%s, row %ld); name its column in the "
                 "header or delete it%s",
                 left ? "left of" : "past", left ? "first" : "last",
                 rec_col_letters(left ? (size_t)x->col0 + 1 : (size_t)x->col0 + x->nhdr, letters,
                                 sizeof letters),
                 x->hdr_row,
                 x->nhdr == 1 ? " (if that row is a title above the header, delete the row)" : "");
        return;
    }
    struct rbuf *s = slot_of(x, x->col);
    if (s->len) {
        cell_err(x, x->col, "the cell appears twice in the sheet's XML");
        return;
    }
    rbuf_add(s, x->text.p, x->text.len);
    x->set[x->nset++] = x->col;
    x->nonempty = 1;
}

/* The first non-empty row: the column names, from its first non-empty cell to its last. */
static void header_end(struct xlr *x)
{
    long lo = XLR_MAX_COL, hi = 0;
    for (size_t i = 0; i < x->nset; i++) {
        lo = x->set[i] < lo ? x->set[i] : lo;
        hi = x->set[i] > hi ? x->set[i] : hi;
    }
    size_t n = (size_t)(hi - lo + 1);
    x->col0 = lo - 1;
    x->hdr = xcalloc(n, sizeof *x->hdr);
    x->hdrlen = xcalloc(n, sizeof *x->hdrlen);
    x->nhdr = n;
    x->have_hdr = 1;
    x->hdr_row = x->row;
    for (size_t i = 0; i < n; i++) {
        struct rbuf *s = &x->slot[x->col0 + (long)i];
        x->hdr[i] = xstrndup(s->len ? s->p : "", s->len);
        x->hdrlen[i] = s->len;
        if (!s->len && !x->bad_head)
            x->bad_head = x->col0 + (long)i + 1; /* merged or not: known at the end */
    }
    if (x->bad_head)
        return;
    struct rec_names seen;
    rec_names_init(&seen, (const char *const *)x->hdr, n);
    for (size_t i = 0; i < n; i++) {
        size_t k = rec_names_add(&seen, i);
        if (k) {
            char letters[16];
            cell_err(x, x->col0 + (long)i + 1, "column \"%s\" repeats column %s of the header",
                     x->hdr[i], rec_col_letters((size_t)x->col0 + k, letters, sizeof letters));
            break;
        }
    }
    rec_names_free(&seen);
}

static void row_end(struct xlr *x)
{
    if (!x->nonempty)
        return; /* blank rows (and rows of empty cells) are skipped */
    if (!x->have_hdr) {
        header_end(x);
        return;
    }
    if (x->bad_head)
        return; /* reading on only for the merged ranges */
    for (size_t i = 0; i < x->nhdr; i++) {
        size_t k = (size_t)x->col0 + i;
        struct rbuf *s = k < x->nslot ? &x->slot[k] : NULL;
        size_t len = s ? s->len : 0;
        rec_push(x->out, x->hdr[i], x->hdrlen[i], len ? s->p : "", len, REC_STR);
    }
    x->row_done = 1;
    x->out_line = x->row;
    xp_suspend(&x->xp);
}

static void merge_add(struct xlr *x, const char *ref)
{
    const char *colon = ref ? strchr(ref, ':') : NULL;
    char a[16];
    struct merge m;
    if (!colon || colon - ref >= (long)sizeof a)
        return;
    memcpy(a, ref, (size_t)(colon - ref));
    a[colon - ref] = '\0';
    if (parse_ref(a, &m.c1, &m.r1) < 0 || parse_ref(colon + 1, &m.c2, &m.r2) < 0)
        return;
    if (x->nmg == x->mgcap)
        x->mg = xrealloc(x->mg, (x->mgcap = x->mgcap ? 2 * x->mgcap : 16) * sizeof *x->mg);
    x->mg[x->nmg++] = m;
}

static void XMLCALL xs_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    struct xpart *xp = data;
    struct xlr *x = xp->ud;
    const char *name = xml_local(el);
    if (strcmp(name, "sheetData") == 0)
        x->in_data = 1;
    else if (!x->in_data && strcmp(name, "mergeCell") == 0)
        merge_add(x, xml_attr(atts, "ref"));
    else if (!x->in_data)
        return;
    else if (strcmp(name, "row") == 0)
        row_start(x, atts);
    else if (strcmp(name, "c") == 0)
        cell_start(x, atts);
    else if (!x->in_c)
        return;
    else if (strcmp(name, "v") == 0)
        x->in_v = 1;
    else if (strcmp(name, "is") == 0)
        x->in_is = 1;
    else if (strcmp(name, "rPh") == 0)
        x->rph++; /* furigana of an inline string */
    else if (strcmp(name, "t") == 0)
        x->in_t = x->in_is && !x->rph;
}

static void XMLCALL xs_end(void *data, const XML_Char *el)
{
    struct xpart *xp = data;
    struct xlr *x = xp->ud;
    const char *name = xml_local(el);
    if (!x->in_data)
        return;
    if (strcmp(name, "sheetData") == 0)
        x->in_data = 0;
    else if (strcmp(name, "row") == 0)
        row_end(x);
    else if (strcmp(name, "c") == 0 && x->in_c)
        cell_end(x);
    else if (strcmp(name, "v") == 0)
        x->in_v = 0;
    else if (strcmp(name, "is") == 0)
        x->in_is = 0;
    else if (strcmp(name, "rPh") == 0)
        x->rph -= x->rph > 0;
    else if (strcmp(name, "t") == 0)
        x->in_t = 0;
}

static void XMLCALL xs_text(void *data, const XML_Char *s, int len)
{
    struct xpart *xp = data;
    struct xlr *x = xp->ud;
    if (!x->in_c || !(x->in_v || x->in_t))
        return;
    /* Escapes shrink the text, never grow it: past the cap plus slack it is too long. */
    if (x->val.len + (size_t)len > x->max_field + 64) {
        cell_err(x, x->col, "cell is longer than %zu bytes", x->max_field);
        return;
    }
    rbuf_add(&x->val, s, (size_t)len);
}

/* After the last row: the merged ranges that touch the table, and the header's gaps. */
static int sheet_end(struct xlr *x)
{
    char a[16], b[16];
    if (!x->have_hdr) {
        err_set(x->e, QS_E_DATA, NULL, "no header: the sheet is empty");
        err_at_sheet(x->e, x->src->name, x->sh->name, 0, 0);
        return QS_E_DATA;
    }
    for (size_t i = 0; i < x->nmg; i++) {
        const struct merge *m = &x->mg[i];
        int head = m->r1 <= x->hdr_row && m->r2 >= x->hdr_row;
        if (m->r2 < x->hdr_row || m->c2 <= x->col0 || (size_t)(m->c1 - x->col0) > x->nhdr ||
            (m->r1 == m->r2 && m->c1 == m->c2))
            continue; /* a title above the table, or beside it */
        if (x->bad_head && !(head && m->c1 <= x->bad_head && m->c2 >= x->bad_head))
            continue;
        err_set(x->e, QS_E_DATA, NULL,
                head ? "header cells %s%ld:%s%ld are merged; unmerge them and give each column "
                       "its own name"
                     : "cells %s%ld:%s%ld are merged; qs reads a merged range's value in its "
                       "first cell only: unmerge them and fill each cell",
                rec_col_letters((size_t)m->c1, a, sizeof a), m->r1,
                rec_col_letters((size_t)m->c2, b, sizeof b), m->r2);
        err_at_sheet(x->e, x->src->name, x->sh->name, m->r1, m->c1);
        return QS_E_DATA;
    }
    if (x->bad_head) {
        err_set(x->e, QS_E_DATA, NULL,
                "column %s of the header has no name; name it or delete "
                "the column",
                rec_col_letters((size_t)x->bad_head, a, sizeof a));
        err_at_sheet(x->e, x->src->name, x->sh->name, x->hdr_row, x->bad_head);
        return QS_E_DATA;
    }
    return 0;
}

int xlr_open(struct rec_src *src, const char *sheet, size_t max_field, struct xlr **out,
             struct qs_err *e)
{
    static const struct xp_handlers h = {xs_start, xs_end, xs_text, ""};
    struct xlr *x = xcalloc(1, sizeof *x);
    int rc;
    x->src = src;
    x->max_field = max_field;
    x->e = e;
    *out = NULL;
    if ((rc = xz_open(src, &x->z, e)) < 0 || (rc = xb_load(x->z, src->name, &x->b, e)) < 0 ||
        (rc = xb_sheet(&x->b, sheet, &x->sh, e)) < 0 ||
        (rc = xp_open(x->z, x->sh->part, XLR_MAX_SHEET, &h, x, &x->xp, e)) < 0) {
        xlr_free(x);
        return rc;
    }
    *out = x;
    return 0;
}

int xlr_read(struct xlr *x, struct rec *out, long *line, struct qs_err *e)
{
    x->out = out;
    x->e = x->xp.e = e;
    x->row_done = 0;
    if (x->ended)
        return 0;
    for (;;) {
        int rc = xp_run(&x->xp);
        if (rc < 0) {
            if (e && !e->sheet[0] && e->line == 0)
                err_at_sheet(e, x->src->name, x->sh->name, x->row, 0);
            return rc;
        }
        if (rc == 1 && x->row_done) {
            *line = x->out_line;
            return 1;
        }
        if (rc == 0) {
            x->ended = 1;
            return sheet_end(x);
        }
    }
}

const char *const *xlr_columns(const struct xlr *x, size_t *n)
{
    *n = x->have_hdr ? x->nhdr : 0;
    return x->have_hdr ? (const char *const *)x->hdr : NULL;
}

long xlr_column_base(const struct xlr *x)
{
    return x->col0;
}

const char *xlr_sheet(const struct xlr *x)
{
    return x->sh ? x->sh->name : NULL;
}

void xlr_free(struct xlr *x)
{
    if (!x)
        return;
    xp_close(&x->xp);
    xb_free(&x->b);
    xz_close(x->z);
    for (size_t i = 0; i < x->nhdr; i++)
        free(x->hdr[i]);
    free(x->hdr);
    free(x->hdrlen);
    for (size_t i = 0; i < x->nslot; i++)
        rbuf_free(&x->slot[i]);
    free(x->slot);
    free(x->set);
    free(x->mg);
    rbuf_free(&x->val);
    rbuf_free(&x->text);
    free(x);
}

/* table: the aligned table of SPEC 1.2 (--format table, the default on a terminal).
 * Rows are kept until rec_writer_close, when the column widths are known.
 *
 * Widths are counted in terminal cells by a small table of East Asian Wide and
 * Fullwidth ranges (CJK, kana, Hangul, fullwidth forms: 2 cells) and combining marks
 * (0 cells) rather than wcwidth(3): the result then does not depend on the locale the
 * user runs under. Ambiguous-width characters (①, ○) count 1, as most terminals show them.
 * Control characters in values are shown escaped ("\n", "\t", "\x1b") so every row stays
 * on one line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record_int.h"

struct rec_table {
    struct rbuf cells; /* escaped cell text, one after another */
    size_t *off;       /* cell k is cells.p[off[k] .. off[k + 1]) */
    size_t ncells, capcells;
    size_t *width; /* per column, in cells */
};

struct range {
    uint32_t lo, hi;
};

static const struct range tab_zero[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},   {0x1AB0, 0x1AFF},
    {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x20D0, 0x20FF},   {0x3099, 0x309A},
    {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xE0100, 0xE01EF},
};

static const struct range tab_wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
    {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
    {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

static int tab_in(const struct range *r, size_t n, uint32_t cp)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= r[i].lo && cp <= r[i].hi)
            return 1;
    return 0;
}

size_t tab_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = enc_utf8_len(c);
        if (c < 0x80 || k == 1 || i + k > n) {
            w++;
            i++;
            continue;
        }
        uint32_t cp = c & (0xFF >> (k + 1));
        for (size_t j = 1; j < k; j++)
            cp = (cp << 6) | ((unsigned char)s[i + j] & 0x3F);
        i += k;
        if (tab_in(tab_zero, sizeof tab_zero / sizeof *tab_zero, cp))
            continue;
        w += tab_in(tab_wide, sizeof tab_wide / sizeof *tab_wide, cp) ? 2 : 1;
    }
    return w;
}

/* Appends s[0..n) with control characters escaped; returns its width. */
static size_t tab_escape(struct rbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t start = b->len;
    /* Room for the worst case ("\x1b" is 4 bytes for 1): plain bytes are stored below
     * without a check, also after escapes. */
    rbuf_need(b, 4 * n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != 0x7F) {
            b->p[b->len++] = (char)c;
            continue;
        }
        char esc[5] = {'\\', 0};
        if (c == '\n')
            esc[1] = 'n';
        else if (c == '\r')
            esc[1] = 'r';
        else if (c == '\t')
            esc[1] = 't';
        else
            esc[1] = 'x', esc[2] = hex[c >> 4], esc[3] = hex[c & 15];
        rbuf_adds(b, esc);
    }
    return tab_width(b->p + start, b->len - start);
}

static void tab_cell(struct rec_writer *wr, size_t col, const char *s, size_t n)
{
    struct rec_table *t = wr->tab;
    if (t->ncells + 2 > t->capcells) {
        t->capcells = t->capcells ? t->capcells * 2 : 256;
        t->off = xrealloc(t->off, t->capcells * sizeof *t->off);
    }
    t->off[t->ncells] = t->cells.len;
    size_t w = 0;
    if (wr->excel_safe && rec_excel_formula(s, n)) { /* issue 8 item 19 */
        rbuf_addc(&t->cells, '\'');
        w = 1;
    }
    w += tab_escape(&t->cells, s, n);
    t->off[++t->ncells] = t->cells.len;
    if (w > t->width[col])
        t->width[col] = w;
}

static void tab_start(struct rec_writer *w)
{
    if (w->tab)
        return;
    struct rec_table *t = xcalloc(1, sizeof *t);
    t->width = xcalloc(w->ncols ? w->ncols : 1, sizeof *t->width);
    w->tab = t;
    for (size_t i = 0; i < w->ncols; i++)
        tab_cell(w, i, w->cols[i], strlen(w->cols[i]));
}

void tab_add(struct rec_writer *w, const struct rec *r)
{
    tab_start(w);
    rec_writer_map(w, r);
    for (size_t i = 0; i < w->ncols; i++) {
        const struct rec_field *f = w->map[i];
        tab_cell(w, i, f ? f->value : "", f ? f->len : 0);
    }
}

int tab_flush(struct rec_writer *w, struct qs_err *e)
{
    if (!w->cols)
        return 0; /* no columns, no records: nothing to show */
    tab_start(w);
    struct rec_table *t = w->tab;
    size_t nc = w->ncols;
    for (size_t k = 0; nc && k < t->ncells; k += nc) {
        w->line.len = 0;
        for (size_t i = 0; i < nc; i++) {
            const char *s = t->cells.p + t->off[k + i];
            size_t n = t->off[k + i + 1] - t->off[k + i];
            rbuf_add(&w->line, s, n);
            if (i + 1 < nc) {
                /* Two spaces between columns; the last is not padded. */
                size_t pad = t->width[i] - tab_width(s, n) + 2;
                rbuf_need(&w->line, pad);
                memset(w->line.p + w->line.len, ' ', pad);
                w->line.len += pad;
            }
        }
        rbuf_addc(&w->line, '\n');
        int rc = rec_out(w, &w->line, e);
        if (rc < 0)
            return rc;
    }
    return 0;
}

void tab_free(struct rec_table *t)
{
    if (!t)
        return;
    rbuf_free(&t->cells);
    free(t->off);
    free(t->width);
    free(t);
}

/* csv_write: the CSV writer of SPEC 1.2. A header row, then one row per record, quoted
 * only where RFC 4180 needs it, so a file in that style is written back byte for byte.
 * UTF-8 with LF line ends (after a BOM with --bom); CP932 with CRLF for files meant for
 * QSM and Excel; with --excel-safe, cells Excel would run as formulas are made text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "record_int.h"

/* Quotes when a reader could take the field apart: a comma, quote, CR or LF inside, or a
 * space or tab at either end (which many readers trim, and which would make a file of
 * white space alone read as empty input) -- the start being the "'" when tick is set. */
static int csvw_needs_quotes(const char *s, size_t n, int tick)
{
    if (n == 0)
        return 0;
    if ((!tick && (s[0] == ' ' || s[0] == '\t')) || s[n - 1] == ' ' || s[n - 1] == '\t')
        return 1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ',' || c == '"' || c == '\r' || c == '\n')
            return 1;
    }
    return 0;
}

/* 1 when s, the start of the output, would make a reader take it for JSON Lines (SPEC 1.2:
 * the first byte past white space is '{') or for a workbook (a ZIP's or an old .xls's
 * first bytes, SPEC 1.2's detection by content): quoted, it is CSV again. */
static int csvw_reads_as_json(const char *s, size_t n)
{
    size_t i = 0;
    if ((n >= 4 && (memcmp(s, "PK\x03\x04", 4) == 0 || memcmp(s, "PK\x05\x06", 4) == 0)) ||
        (n >= 8 && memcmp(s, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0))
        return 1;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i < n && s[i] == '{';
}

/* Appends one field, after a "'" when tick is set, quoted also when quote is set. CP932
 * text is scanned like UTF-8: its trail bytes (0x40-0xFC) are never a comma, quote, CR,
 * LF or space. */
static void csvw_field(struct rbuf *b, const char *s, size_t n, int tick, int quote)
{
    quote |= csvw_needs_quotes(s, n, tick);
    rbuf_need(b, 2 * n + 4);
    if (quote)
        b->p[b->len++] = '"';
    if (tick)
        b->p[b->len++] = '\'';
    for (size_t i = 0; i < n; i++) {
        if (quote && s[i] == '"')
            b->p[b->len++] = '"';
        b->p[b->len++] = s[i];
    }
    if (quote)
        b->p[b->len++] = '"';
}

/* Issue 8 item 19: what Excel would take for a formula (or a DDE call) when the cell is
 * opened -- but a signed number such as -5 or +81 is only a number. */
int rec_excel_formula(const char *s, size_t n)
{
    if (n == 0 || !memchr("=+-@\t\r", s[0], 6))
        return 0;
    /* A plain number: ^[+-]?[0-9]+(\.[0-9]+)?$ */
    size_t i = s[0] == '+' || s[0] == '-', int_start = i, frac_start;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == int_start)
        return 1;
    if (i < n && s[i] == '.') {
        frac_start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == frac_start)
            return 1;
    }
    return i != n;
}

/* The length of at most max bytes of s that ends on a character boundary. */
static int csvw_clip(const char *s, size_t max)
{
    size_t n = 0;
    while (s[n]) {
        size_t k = enc_utf8_len((unsigned char)s[n]);
        if (n + k > max)
            break;
        n += k;
    }
    return (int)n;
}

/* Appends value (of column col) in the output encoding; first: it starts the output. */
static int csvw_put(struct rec_writer *w, const char *col, const char *s, size_t n, int first,
                    struct qs_err *e)
{
    int quote = first && csvw_reads_as_json(s, n);
    /* Looked at in UTF-8: CP932 writes the ASCII first character as it is. */
    int tick = w->excel_safe && rec_excel_formula(s, n);
    if (w->cd != (iconv_t)-1) {
        size_t bad;
        w->tmp.len = 0;
        if (enc_to_cp932(w->cd, s, n, w->replace, &w->tmp, &bad) < 0) {
            const char *c = s + bad;
            int k = (int)enc_utf8_len((unsigned char)*c);
            return err_set(e, QS_E_DATA, NULL,
                           "column \"%s\": \"%.*s\" in \"%.*s\" cannot be written in CP932; "
                           "use --encoding-errors=replace to write '?' instead",
                           col, k, c, csvw_clip(s, 80), s);
        }
        s = w->tmp.p;
        n = w->tmp.len;
    }
    csvw_field(&w->line, s, n, tick, quote);
    return 0;
}

static void csvw_eol(struct rec_writer *w)
{
    if (w->enc == REC_ENC_CP932)
        rbuf_add(&w->line, "\r\n", 2);
    else
        rbuf_addc(&w->line, '\n');
}

int csvw_header(struct rec_writer *w, struct qs_err *e)
{
    int rc;
    if (w->started)
        return 0;
    w->started = 1;
    w->line.len = 0;
    if (w->bom)
        rbuf_add(&w->line, REC_BOM, 3);
    for (size_t i = 0; i < w->ncols; i++) {
        if (i)
            rbuf_addc(&w->line, ',');
        if ((rc = csvw_put(w, w->cols[i], w->cols[i], strlen(w->cols[i]), i == 0, e)) < 0)
            return rc;
    }
    if (w->ncols == 1 && w->cols[0][0] == '\0')
        rbuf_add(&w->line, "\"\"", 2);
    csvw_eol(w);
    return rec_out(w, &w->line, e);
}

int csvw_write(struct rec_writer *w, const struct rec *r, struct qs_err *e)
{
    int rc;
    if ((rc = csvw_header(w, e)) < 0)
        return rc;
    w->line.len = 0;
    rec_writer_map(w, r);
    for (size_t i = 0; i < w->ncols; i++) {
        const struct rec_field *f = w->map[i];
        if (i)
            rbuf_addc(&w->line, ',');
        if (f && (rc = csvw_put(w, w->cols[i], f->value, f->len, 0, e)) < 0) {
            w->line.len = 0;
            return rc;
        }
    }
    /* An empty line would be skipped when read back: one empty column is written "". */
    if (w->ncols == 1 && w->line.len == 0)
        rbuf_add(&w->line, "\"\"", 2);
    csvw_eol(w);
    return rec_out(w, &w->line, e);
}

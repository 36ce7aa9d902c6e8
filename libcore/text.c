/* text: control characters, full-width numbers, scientific notation, cell names. */
#include "text.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "record/record.h"

/* 1 when one of the 8 bytes of x may be a control character or the lead byte of one
 * (< 0x20, 0x7F, 0xC2): the bit tricks of "Bit Twiddling Hacks" (haszero, hasless),
 * exact for the word as a whole. */
static int word_suspect(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t del = x ^ (0x7f * ones), c2 = x ^ (0xc2 * ones);
    return ((((x - 0x20 * ones) & ~x) | ((del - ones) & ~del) | ((c2 - ones) & ~c2)) & highs) != 0;
}

long text_ctl_find(const char *s, size_t n, enum text_kind kind, unsigned *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint64_t w;
        if (n >= 8) {
            /* The common case: eight plain bytes at a time (it runs on every cell); the
             * last word of a cell overlaps the one before rather than going byte by byte. */
            memcpy(&w, p + (n - i >= 8 ? i : n - 8), 8);
            if (!word_suspect(w)) {
                i = n - i >= 8 ? i + 8 : n;
                continue;
            }
        }
        for (size_t end = n - i >= 8 ? i + 8 : n; i < end; i++) {
            unsigned c = p[i];
            if (c >= 0x20 && c != 0x7f && c != 0xc2)
                continue;
            if (c == 0xc2) {
                /* C1 controls are U+0080-U+009F, in UTF-8 0xC2 0x80-0x9F. */
                if (i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
                    *cp = p[i + 1];
                    return (long)i;
                }
                continue;
            }
            if (kind == TEXT_LINES && (c == '\t' || c == '\n' || c == '\r'))
                continue;
            *cp = c;
            return (long)i;
        }
    }
    return -1;
}

static const char *ctl_name(unsigned cp)
{
    switch (cp) {
    case 0x00:
        return " (NUL)";
    case 0x07:
        return " (bell)";
    case 0x08:
        return " (backspace)";
    case 0x09:
        return " (tab)";
    case 0x0a:
        return " (line feed)";
    case 0x0b:
        return " (vertical tab)";
    case 0x0c:
        return " (form feed)";
    case 0x0d:
        return " (carriage return)";
    case 0x1b:
        return " (escape)";
    case 0x7f:
        return " (delete)";
    default:
        return "";
    }
}

int text_ctl_describe(const char *s, size_t n, enum text_kind kind, char *buf, size_t size)
{
    unsigned cp;
    long off = text_ctl_find(s, n, kind, &cp), chars = 1;
    if (off < 0)
        return 0;
    for (long i = 0; i < off; i++)
        chars += ((unsigned char)s[i] & 0xc0) != 0x80; /* count lead bytes */
    snprintf(buf, size, "holds the control character U+%04X%s at character %ld; remove it", cp,
             ctl_name(cp), chars);
    return 1;
}

int text_ctl_check(const char *what, const char *s, enum text_kind kind, const char *rule,
                   struct qs_err *e)
{
    char why[160];
    if (!s || !text_ctl_describe(s, strlen(s), kind, why, sizeof why))
        return 0;
    return err_set(e, QS_E_DATA, rule, "the %s %s", what, why);
}

long text_ascii_number(const char *s, size_t n, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = (const unsigned char *)s + i;
        char c = s[i];
        /* U+FF0B-U+FF19 are EF BC 8B-99: + , - . / 0-9 in full width. */
        if (p[0] == 0xef && i + 2 < n && p[1] == 0xbc && p[2] >= 0x8b && p[2] <= 0x99 &&
            p[2] != 0x8f) {
            c = (char)(p[2] - 0x8b + '+');
            i += 2;
        }
        if (o + 1 >= size)
            return -1;
        out[o++] = c;
    }
    if (o >= size)
        return -1;
    out[o] = '\0';
    return (long)o;
}

const char text_sci_why[] =
    "is a number in scientific notation, as Excel shows a long code, and its digits are "
    "lost: format the column as text and enter the codes again";

int text_sci_number(const char *s, size_t n)
{
    size_t i = 0, d = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == 0)
        return 0;
    if (i < n && s[i] == '.') {
        d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return 0;
    }
    if (i + 2 >= n || (s[i] != 'E' && s[i] != 'e') || s[i + 1] != '+')
        return 0;
    for (i += 2; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

const char text_xl_error_why[] =
    "is an Excel error value, what a formula shows when it fails (a lookup that found "
    "nothing), not a code: fix the formula or enter the code";

/* Excel's error values, as a cell shows them and a CSV saved from it holds them. */
static const char *const xl_errors[] = {"#N/A",   "#VALUE!",       "#REF!",  "#DIV/0!",
                                        "#NUM!",  "#NAME?",        "#NULL!", "#SPILL!",
                                        "#CALC!", "#GETTING_DATA", NULL};

int text_xl_error(const char *s, size_t n)
{
    if (n < 4 || s[0] != '#') /* the common case, for every code cell of an import */
        return 0;
    for (size_t i = 0; xl_errors[i]; i++)
        if (strlen(xl_errors[i]) == n && strncasecmp(s, xl_errors[i], n) == 0)
            return 1;
    return 0;
}

const char *text_code_why(const char *s, size_t n)
{
    return text_sci_number(s, n) ? text_sci_why : text_xl_error(s, n) ? text_xl_error_why : NULL;
}

int text_form_cell_describe(const char *s, size_t n, enum text_kind kind, char *buf, size_t size)
{
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80)
            u += c >= 0xF0 ? 2 : 1; /* past U+FFFF: a surrogate pair */
    }
    if (u <= TEXT_CELL_MAX)
        return text_ctl_describe(s, n, kind, buf, size);
    snprintf(buf, size,
             "is %zu characters, more than a cell of QSM's form (an Excel sheet) holds (%d)", u,
             TEXT_CELL_MAX);
    return 1;
}

const char *text_where(size_t col, const char *name, char *buf, size_t size)
{
    char letters[16];
    if (col == 0)
        snprintf(buf, size, "field \"%.80s\"", name ? name : "?");
    else if (name)
        snprintf(buf, size, "column %s (%.80s)", rec_col_letters(col, letters, sizeof letters),
                 name);
    else
        snprintf(buf, size, "column %s", rec_col_letters(col, letters, sizeof letters));
    return buf;
}

const char *text_show(const char *s, size_t n, char *buf, size_t size)
{
    size_t o = 0, i = 0, limit = size > 70 ? 60 : size - 10;
    for (; i < n && o < limit; i++) {
        unsigned char c = (unsigned char)s[i];
        if (s[i] == '\n' || s[i] == '\r') {
            buf[o++] = '\\';
            buf[o++] = s[i] == '\n' ? 'n' : 'r';
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(buf + o, 5, "\\x%02x", c); /* never a raw escape on stderr */
        } else if (s[i] == '"') {
            buf[o++] = '\\';
            buf[o++] = '"';
        } else {
            buf[o++] = s[i];
        }
    }
    if (i < n) {
        while (o > 0 && ((unsigned char)buf[o - 1] & 0xC0) == 0x80)
            o--; /* inside a character: back to its lead byte, then drop it */
        if (o > 0 && (unsigned char)buf[o - 1] >= 0xC0)
            o--;
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

void text_html_escape(FILE *fp, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&':
            fputs("&amp;", fp);
            break;
        case '<':
            fputs("&lt;", fp);
            break;
        case '>':
            fputs("&gt;", fp);
            break;
        case '"':
            fputs("&quot;", fp);
            break;
        case '\'':
            fputs("&#39;", fp);
            break;
        default:
            fputc((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f ? ' ' : c, fp);
        }
    }
}

int text_label_eq(const char *a, const char *b)
{
    for (;;) {
        while (*a == ' ')
            a++;
        while (*b == ' ')
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (tolower((unsigned char)*a++) != tolower((unsigned char)*b++))
            return 0;
    }
}

int text_label_col(const char *name, const char *const labels[][4], int ncols)
{
    for (int c = 0; c < ncols; c++)
        for (int k = 0; k < 4 && labels[c][k]; k++)
            if (text_label_eq(name, labels[c][k]))
                return c;
    return -1;
}

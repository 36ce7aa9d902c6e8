#include "err.h"

#include <stdio.h>
#include <string.h>

void err_clear(struct qs_err *e)
{
    if (e)
        memset(e, 0, sizeof *e);
}

int err_setv(struct qs_err *e, int code, const char *rule, const char *fmt, va_list ap)
{
    if (!e)
        return code;
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    snprintf(e->rule, sizeof e->rule, "%s", rule ? rule : "");
    return code;
}

int err_set(struct qs_err *e, int code, const char *rule, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(e, code, rule, fmt, ap);
    va_end(ap);
    return code;
}

void err_at(struct qs_err *e, const char *file, long line, long col)
{
    if (!e)
        return;
    if (file) {
        snprintf(e->file, sizeof e->file, "%s", file);
        e->sheet[0] = '\0';
    }
    e->line = line;
    e->col = col;
}

void err_at_sheet(struct qs_err *e, const char *file, const char *sheet, long line, long col)
{
    err_at(e, file, line, col);
    if (e && sheet)
        snprintf(e->sheet, sizeof e->sheet, "%s", sheet);
}

/* Column col (1-based) in spreadsheet letters: A..Z, AA.. (bijective base 26). */
static void col_letters(long col, char *buf)
{
    char tmp[16];
    size_t n = 0, k = 0;
    for (; col > 0 && n < sizeof tmp - 1; col = (col - 1) / 26)
        tmp[n++] = (char)('A' + (col - 1) % 26);
    for (; k < n; k++)
        buf[k] = tmp[n - 1 - k];
    buf[k] = '\0';
}

/* Excel quotes a sheet name in a reference unless it is letters, digits and '_' (and
 * does not start with a digit); a quote inside is doubled. Non-ASCII (Japanese names)
 * counts as a letter. */
static int sheet_needs_quotes(const char *s)
{
    if (*s >= '0' && *s <= '9')
        return 1;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!(c >= 0x80 || c == '_' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
              (c >= 'a' && c <= 'z')))
            return 1;
    }
    return 0;
}

void err_record(struct qs_err *e, const char *record)
{
    if (e)
        snprintf(e->record, sizeof e->record, "%s", record ? record : "");
}

char *err_format(const struct qs_err *e, const char *prog, char *buf, unsigned long size)
{
    size_t n = 0;
    buf[0] = '\0';
#define ADD(...)                                                                                   \
    do {                                                                                           \
        if (n < size) {                                                                            \
            int w_ = snprintf(buf + n, size - n, __VA_ARGS__);                                     \
            if (w_ > 0)                                                                            \
                n += (size_t)w_;                                                                   \
        }                                                                                          \
    } while (0)
    if (prog && *prog)
        ADD("%s: ", prog);
    if (e->file[0] && e->sheet[0]) {
        char letters[16] = "";
        ADD("%s:", e->file);
        if (sheet_needs_quotes(e->sheet)) {
            ADD("'");
            for (const char *p = e->sheet; *p; p++) {
                if (*p == '\'')
                    ADD("''");
                else
                    ADD("%c", *p);
            }
            ADD("'");
        } else {
            ADD("%s", e->sheet);
        }
        col_letters(e->col, letters);
        if (e->line > 0 && e->col > 0)
            ADD("!%s%ld: ", letters, e->line);
        else if (e->line > 0)
            ADD("!%ld:%ld: ", e->line, e->line);
        else if (e->col > 0)
            ADD("!%s:%s: ", letters, letters);
        else
            ADD(": ");
    } else if (e->file[0]) {
        ADD("%s:", e->file);
        if (e->line > 0)
            ADD("%ld:", e->line);
        if (e->col > 0)
            ADD("%ld:", e->col);
        ADD(" ");
    }
    if (e->record[0])
        ADD("%s: ", e->record);
    ADD("%s", e->msg[0] ? e->msg : "unknown error");
    if (e->rule[0])
        ADD(" (%s)", e->rule);
#undef ADD
    return err_safe(buf, size);
}

/* 1 when s starts with a control character: C0, DEL, or C1 (U+0080-U+009F: C2 80-9F). */
static int is_ctl(const unsigned char *s)
{
    return s[0] < 0x20 || s[0] == 0x7f || (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f);
}

char *err_safe(char *buf, unsigned long size)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)buf;
    char tmp[4096];
    size_t o = 0;
    int any = 0;

    for (size_t i = 0; p[i] && !any; i++)
        any = is_ctl(p + i);
    if (!any || size == 0)
        return buf;
    for (; *p && o + 7 < sizeof tmp; p++) {
        if (!is_ctl(p)) {
            tmp[o++] = (char)*p;
            continue;
        }
        unsigned c = *p == 0xc2 ? *++p : *p;
        o += (size_t)snprintf(tmp + o, 7, c < 0x80 ? "\\x%c%c" : "\\u00%c%c", hex[c >> 4],
                              hex[c & 15]);
    }
    if (o >= size) /* cut where a character starts */
        for (o = size - 1; o > 0 && ((unsigned char)tmp[o] & 0xc0) == 0x80;)
            o--;
    memcpy(buf, tmp, o);
    buf[o] = '\0';
    return buf;
}

int err_exit_code(int rc)
{
    if (rc >= 0)
        return QS_EX_OK;
    switch (-rc) {
    case QS_EX_FAIL:
    case QS_EX_USAGE:
    case QS_EX_DATAERR:
    case QS_EX_UNAVAILABLE:
    case QS_EX_SOFTWARE:
    case QS_EX_IOERR:
    case QS_EX_TEMPFAIL:
        return -rc;
    default:
        return QS_EX_SOFTWARE;
    }
}

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
    if (file)
        snprintf(e->file, sizeof e->file, "%s", file);
    e->line = line;
    e->col = col;
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
    if (e->file[0]) {
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

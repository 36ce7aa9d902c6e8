/* doctor_say: how a check hands on its line (below every module's checks, so that the
 * registry in doctor.c, which calls them, is not called back: libcore stays a DAG). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "doctor.h"
#include "xalloc.h"

const char *doctor_level_name(enum doctor_level l)
{
    return l == DOCTOR_FAIL ? "fail" : l == DOCTOR_WARN ? "warn" : "ok";
}

int doctor_say(struct doctor *d, enum doctor_level level, const char *check, struct qs_err *e,
               const char *fmt, ...)
{
    va_list ap;
    char *msg = NULL;
    int rc;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    if (!msg)
        msg = xstrdup("");
    if ((int)level > d->worst)
        d->worst = (int)level;
    struct doctor_line l = {check, level, msg};
    rc = d->emit(d->ctx, &l, e);
    free(msg);
    return rc;
}

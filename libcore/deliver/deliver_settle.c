/* deliver_settle: what every delivery backend calls back -- claiming items, settling an
 * item with its audit row and report count, warnings on the run's diagnostics stream,
 * the monotonic clock. Below deliver.c and its backends (deliver_file.c, deliver_hook.c,
 * deliver_proc.c), so none of them calls up into another. */
#include "deliver_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../audit.h"
#include "../xalloc.h"

long long dlv_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void dlv_warn(const struct dlv_run *r, const char *fmt, ...)
{
    FILE *f = r->o->log ? r->o->log : stderr;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* One write: the hook shares stderr, and its lines must not cut into ours. */
    char *line = xasprintf("%s: %s\n", r->o->prog ? r->o->prog : "qs", msg);
    fputs(line, f);
    fflush(f);
    free(line);
}

int dlv_claim(struct dlv_run *r, size_t want, struct outbox_item **part, size_t *got,
              struct qs_err *e)
{
    const struct deliver_opts *o = r->o;
    struct outbox_claim_opts co = {
        .shop = r->shop, .kind = r->kind, .retry_failed = o->retry_failed, .now = time(NULL)};
    int rc;

    *part = NULL;
    *got = 0;
    if (o->max && o->max - r->total < want)
        want = o->max - r->total;
    if (want == 0)
        return 0;
    co.max = want;
    if ((rc = outbox_claim(r->s, &co, part, got, e)) == 0)
        r->total += *got;
    return rc;
}

int dlv_settle(struct dlv_run *r, const struct outbox_item *it, enum deliver_status st,
               const char *ref, const char *error, const char *code, long latency_ms,
               struct qs_err *e)
{
    struct audit_entry a = {.at = time(NULL),
                            .shop = it->shop,
                            .kind = it->kind,
                            .key = it->key,
                            .attempt = it->attempts,
                            .code = code,
                            .latency_ms = latency_ms};
    char detail[512];
    int rc;

    if (st == DELIVER_NONE)
        st = DELIVER_RETRY;
    if (st != DELIVER_OK && st != DELIVER_HANDED_OFF && !error)
        error = "no answer";
    /* The other side's words, cut short; qs itself never puts a secret there. */
    snprintf(detail, sizeof detail, "%s", st == DELIVER_HANDED_OFF ? ref : error ? error : "");
    a.detail = detail[0] ? detail : NULL;
    switch (st) {
    case DELIVER_OK:
        rc = outbox_done(r->s, it->id, ref, e);
        a.result = "ok";
        r->rep->sent++;
        break;
    case DELIVER_HANDED_OFF:
        rc = outbox_handed_off(r->s, it->id, ref, e);
        a.result = "handed-off";
        r->rep->handed_off++;
        break;
    case DELIVER_UNKNOWN:
        rc = outbox_unknown(r->s, it->id, error, e);
        a.result = "unknown";
        r->rep->unknown++;
        break;
    case DELIVER_FAILED:
        rc = outbox_fail(r->s, it->id, error, 0, time(NULL), e);
        a.result = "failed";
        r->rep->failed++;
        break;
    default:
        rc = outbox_fail(r->s, it->id, error, 1, time(NULL), e);
        if (it->attempts >= OUTBOX_MAX_ATTEMPTS) { /* outbox_fail gave up on it */
            st = DELIVER_FAILED;
            a.result = "failed";
            r->rep->failed++;
        } else {
            a.result = "retry";
            r->rep->retry++;
        }
    }
    if (rc == 0)
        rc = audit_add(r->s, &a, e);
    if (rc == 0 && r->o->on_result)
        r->o->on_result(it, st, ref, st == DELIVER_OK || st == DELIVER_HANDED_OFF ? NULL : error,
                        r->o->result_ctx);
    return rc;
}

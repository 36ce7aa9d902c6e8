/* coupon_job: qs coupon push, cancel and run as jobs of the one runner (job.h, SPEC 1.6):
 * enqueue records the push (or its cancel), run hands off what is due through
 * coupon_run, report writes one row per push or cancel the run settled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coupon_int.h"
#include "../job.h"

const char *const coupon_job_cols[] = {"push",   "kind", "key",    "send_at",
                                       "result", "ref",  "message"};

static int push_enqueue(void *job, struct qs_err *e)
{
    struct coupon_job *j = job;
    int rc = coupon_push_record(j->s, j->ro.shop, j->plan, j->ro.now, e);
    if (rc < 0)
        return rc;
    j->existed = rc == 1;
    return 0;
}

static int cancel_enqueue(void *job, struct qs_err *e)
{
    struct coupon_job *j = job;
    return coupon_cancel(j->s, j->ro.shop, j->cancel_ref, j->ro.now, &j->cancel, e);
}

static int run(void *job, struct job_counts *c, struct qs_err *e)
{
    struct coupon_job *j = job;
    int rc = coupon_run(j->s, &j->ro, &j->run, e);
    c->unavailable = j->run.rep.unavailable;
    return rc;
}

static enum job_outcome outcome_of(enum deliver_status st)
{
    switch (st) {
    case DELIVER_OK:
        return JOB_SENT;
    case DELIVER_HANDED_OFF:
        return JOB_HANDED_OFF;
    case DELIVER_FAILED:
        return JOB_FAILED;
    default:
        return JOB_RETRY;
    }
}

struct pinfo {
    long long id;
    time_t send_at;
    char state[32];
};

static int pinfo_row(void *ctx, const struct coupon_push *p, struct qs_err *e)
{
    struct pinfo *i = ctx;
    (void)e;
    i->id = p->id;
    i->send_at = p->send_at;
    snprintf(i->state, sizeof i->state, "%s", p->state);
    return 0;
}

/* The push of key (a cancel's key ends in "-cancel"). */
static int pinfo(struct coupon_job *j, const char *key, struct pinfo *i, struct qs_err *e)
{
    char k[128];
    size_t n = strlen(key);
    memset(i, 0, sizeof *i);
    snprintf(k, sizeof k, "%s", key);
    if (n > 7 && n < sizeof k && strcmp(k + n - 7, "-cancel") == 0)
        k[n - 7] = '\0';
    return coupon_push_each(j->s, j->ro.shop, k, pinfo_row, i, e);
}

static int emit(struct coupon_job *j, job_emit_fn fn, void *ectx, enum job_outcome oc,
                const char *kind, const char *key, const char *result, const char *ref,
                const char *msg, struct qs_err *e)
{
    struct rec *r = rec_new();
    struct pinfo i;
    char id[32] = "", at[32] = "";
    int rc = pinfo(j, key, &i, e);
    if (rc >= 0) {
        if (i.id) {
            snprintf(id, sizeof id, "%lld", i.id);
            coupon_time_format(i.send_at, j->tz, at, sizeof at);
        }
        rec_set_typed(r, "push", id, *id ? REC_NUM : REC_NULL);
        rec_set(r, "kind", kind);
        rec_set(r, "key", key);
        rec_set(r, "send_at", at);
        rec_set(r, "result", result);
        rec_set(r, "ref", ref);
        rec_set(r, "message", msg);
        rc = fn(ectx, oc, r, e);
    }
    rec_free(r);
    return rc;
}

static int report(void *job, job_emit_fn fn, void *ectx, struct qs_err *e)
{
    struct coupon_job *j = job;
    const char *mine = j->plan ? j->plan->key : j->cancel.how ? j->cancel.key : NULL;
    int seen = 0, rc = 0;
    char ckey[128];

    if (j->cancel.how) {
        snprintf(ckey, sizeof ckey, "%s-cancel", j->cancel.key);
        mine = ckey;
        if (strcmp(j->cancel.how, "withdrawn") == 0)
            rc = emit(j, fn, ectx, JOB_LOCAL, COUPON_CANCEL_KIND, ckey, "withdrawn", "",
                      "never handed off: withdrawn from the outbox", e),
            seen = 1;
        else if (strcmp(j->cancel.how, "already") == 0)
            rc = emit(j, fn, ectx, JOB_DONE, COUPON_CANCEL_KIND, ckey, "already", "",
                      "the push is cancelled or its cancel requested already", e),
            seen = 1;
    }
    for (size_t i = 0; i < j->run.n && rc >= 0; i++) {
        const struct coupon_run_row *w = &j->run.v[i];
        seen |= mine && strcmp(w->key, mine) == 0;
        rc = emit(j, fn, ectx, outcome_of(w->status), w->kind, w->key, w->result, w->ref,
                  w->message, e);
    }
    /* The push asked for, not settled by this run: done before, or in another run's hands. */
    if (rc >= 0 && mine && !seen) {
        struct pinfo i;
        if ((rc = pinfo(j, mine, &i, e)) < 0)
            return rc;
        if (j->existed || strcmp(i.state, "scheduled") != 0)
            rc = emit(j, fn, ectx, JOB_DONE, j->plan ? COUPON_KIND : COUPON_CANCEL_KIND, mine,
                      "already", "", i.state, e);
        else
            rc = emit(j, fn, ectx, JOB_RETRY, COUPON_KIND, mine, "retry", "",
                      "queued: another run holds it, or it waits for its retry", e);
    }
    return rc < 0 ? rc : 0;
}

static void epilogue(void *job, const char *prog, FILE *diag)
{
    struct coupon_job *j = job;
    deliver_report_epilogue(&j->run.rep, "item", prog, diag);
}

const struct job_ops coupon_push_job_ops = {
    .cols = coupon_job_cols,
    .ncols = 7,
    .enqueue = push_enqueue,
    .run = run,
    .report = report,
    .epilogue = epilogue,
};

const struct job_ops coupon_cancel_job_ops = {
    .cols = coupon_job_cols,
    .ncols = 7,
    .enqueue = cancel_enqueue,
    .run = run,
    .report = report,
    .epilogue = epilogue,
};

const struct job_ops coupon_run_job_ops = {
    .cols = coupon_job_cols,
    .ncols = 7,
    .run = run,
    .report = report,
    .epilogue = epilogue,
};

void coupon_job_clear(struct coupon_job *j)
{
    coupon_run_clear(&j->run);
}

/* sync_job.c: ship and confirm as jobs of the one runner (libcore/job.h): queue the
 * planned lines, keep the rejects file, send, report each line by outcome (R-SYN-1b). */
#include <string.h>

#include "../afile.h"
#include "../job.h"
#include "sync.h"

static const char *const result_cols[] = {"order_no", "result", "code", "message"};

static int enqueue(void *p, struct qs_err *e)
{
    struct sync_job *j = p;
    return sync_send_enqueue(j->p, e);
}

/* The good lines are queued: the rejected ones are final, whatever the sending does. */
static int queued(void *p, struct qs_err *e)
{
    struct sync_job *j = p;
    struct afile *rej = j->rej;
    if (!rej || !j->st->rejected)
        return 0;
    j->rej = NULL;
    return afile_commit(rej, e);
}

static int run(void *p, struct job_counts *c, struct qs_err *e)
{
    struct sync_job *j = p;
    int rc = sync_send_run(j->p, j->q, j->st, e);
    /* SPEC 1.3: 69 only when no marketplace call was answered. */
    c->unavailable = j->st->calls_ok == 0 && j->st->calls_failed > 0;
    return rc;
}

struct emit {
    job_emit_fn fn;
    void *ectx;
    struct rec *r;
    struct qs_err *e;
};

static int line(const struct sync_result *res, void *p)
{
    struct emit *x = p;
    enum job_outcome oc = strcmp(res->result, "ok") == 0 ? (res->already ? JOB_DONE : JOB_SENT)
                          : strcmp(res->result, "failed") == 0  ? JOB_FAILED
                          : strcmp(res->result, "unknown") == 0 ? JOB_UNKNOWN
                          : strcmp(res->result, "skipped") == 0 ? JOB_SKIPPED
                                                                : JOB_RETRY;
    rec_clear(x->r);
    rec_set(x->r, "order_no", res->order_no);
    rec_set(x->r, "result", res->result);
    rec_set(x->r, "code", res->code);
    rec_set(x->r, "message", res->message);
    return x->fn(x->ectx, oc, x->r, x->e);
}

static int report(void *p, job_emit_fn fn, void *ectx, struct qs_err *e)
{
    struct sync_job *j = p;
    struct emit x = {fn, ectx, rec_new(), e};
    int rc = sync_send_report(j->p, line, &x, e);
    /* The rejected input records were reported on stderr as they were read. */
    for (long i = 0; rc == 0 && i < j->st->rejected; i++)
        rc = fn(ectx, JOB_REJECTED, NULL, e);
    rec_free(x.r);
    return rc;
}

const struct job_ops sync_job_ops = {
    .cols = result_cols,
    .ncols = sizeof result_cols / sizeof result_cols[0],
    .enqueue = enqueue,
    .queued = queued,
    .run = run,
    .report = report,
};

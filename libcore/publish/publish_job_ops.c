/* publish_job_ops: qs publish run, now, edit, withdraw and undo as jobs of the one runner
 * (job.h, SPEC 1.6): the adapters between each verb's libcore work and job_run's
 * callbacks. The records the work writes are kept with their outcome (publish_int.h's
 * pub_emit) and reported by the runner; a record already done before this run is
 * JOB_DONE, never JOB_SENT. */
#include "publish_int.h"

#include <stdlib.h>

#include "../tm.h"
#include "../xalloc.h"

struct pub_job_rows {
    enum job_outcome *oc;
    struct rec **r;
    size_t n;
};

static const char *const run_cols[] = {"parent_sku", "item_code", "state",
                                       "step",       "result",    "message"};
static const char *const edit_cols[] = {"sku",      "parent_sku", "state",  "price",  "quantity",
                                        "shipping", "batch",      "result", "message"};
static const char *const state_cols[] = {"parent_sku", "state", "result", "message"};

void pub_job_clear(struct pub_job *j)
{
    struct pub_job_rows *k = j->rows;
    if (!k)
        return;
    for (size_t i = 0; i < k->n; i++)
        rec_free(k->r[i]);
    free(k->r);
    free(k->oc);
    free(k);
    j->rows = NULL;
}

/* pub_jrow_fn: keeps a copy of r (its fields' types too) for the report. */
static int keep(void *p, enum job_outcome oc, const struct rec *r, struct qs_err *e)
{
    struct pub_job *j = p;
    struct pub_job_rows *k = j->rows;
    struct rec *c = rec_new();
    (void)e;
    if (!k)
        k = j->rows = xcalloc(1, sizeof *k);
    for (size_t i = 0; i < r->n; i++)
        rec_set_typed(c, r->f[i].name, r->f[i].value, r->f[i].type);
    k->r = xrealloc(k->r, (k->n + 1) * sizeof *k->r);
    k->oc = xrealloc(k->oc, (k->n + 1) * sizeof *k->oc);
    k->r[k->n] = c;
    k->oc[k->n++] = oc;
    return 0;
}

/* pub_diag_fn: the caller's, with its own context. */
static void diag(void *p, const struct qs_err *e, int warning)
{
    struct pub_job *j = p;
    if (j->diag)
        j->diag(j->diag_ctx, e, warning);
}

/* R-PUB-1: publish now schedules the products first; in a dry run inside the runner's
 * transaction, so that the run sees them due. */
static int now_enqueue(void *p, struct qs_err *e)
{
    struct pub_job *j = p;
    struct pub_cb cb = {.ctx = j->diag_ctx, .diag = j->diag};
    struct pub_sched_opts so = j->so;
    struct pub_sched_stats st;
    so.dry_run = 0;
    return pub_schedule(j->s, j->shop, j->sel, &so, &cb, &st, e);
}

static int run(void *p, struct job_counts *c, struct qs_err *e)
{
    struct pub_job *j = p;
    struct pub_cb cb = {.ctx = j, .diag = diag, .jrow = keep};
    int rc;

    switch (j->verb) {
    case PUB_JOB_RUN:
    case PUB_JOB_NOW:
        rc = pub_run(j->s, j->q, j->shop, &j->ro, &cb, &j->st, e);
        break;
    case PUB_JOB_EDIT:
        j->eo.dry_run = j->ro.dry_run;
        rc = pub_edit(j->s, j->q, j->shop, j->sel, &j->eo, &j->ro, &cb, &j->st, &j->batch, e);
        break;
    case PUB_JOB_WITHDRAW:
        rc = pub_withdraw(j->s, j->q, j->shop, j->sel, &j->ro, &cb, &j->st, &j->batch, e);
        break;
    default:
        rc = pub_undo(j->s, j->q, j->shop, j->batch, &j->ro, &cb, &j->st, e);
        break;
    }
    /* SPEC 1.3: 69 only when the marketplace answered nothing; a run that stopped after
     * some answers is to retry. */
    c->unavailable = j->st.calls_ok == 0 && j->st.calls_failed > 0;
    if (rc == QS_E_UNAVAILABLE && j->st.calls_ok > 0)
        rc = QS_E_TEMP;
    return rc;
}

static int report(void *p, job_emit_fn emit, void *ectx, struct qs_err *e)
{
    struct pub_job *j = p;
    int rc = 0;
    for (size_t i = 0; j->rows && i < j->rows->n && rc == 0; i++)
        rc = emit(ectx, j->rows->oc[i], j->rows->r[i], e);
    return rc;
}

/* What the summary does not say: the batch to undo, and (issue 8 item 18) what waits for
 * its backoff and when it is tried next, in the shop's zone (SPEC 1.5). */
static void epilogue(void *p, const char *prog, FILE *diag)
{
    struct pub_job *j = p;
    char next[64];
    if (j->batch && (j->verb == PUB_JOB_EDIT || j->verb == PUB_JOB_WITHDRAW))
        fprintf(diag, "%s: batch %lld (undo: qs publish undo %lld)\n", prog, j->batch, j->batch);
    if (!j->st.waiting)
        return;
    if (tm_format(j->st.next_try, j->ro.tz, 0, next, sizeof next) < 0)
        fprintf(diag, "%s: %ld waiting\n", prog, j->st.waiting);
    else
        fprintf(diag, "%s: %ld waiting, next try %s\n", prog, j->st.waiting, next);
}

#define OPS(c, enq)                                                                                \
    {                                                                                              \
        .cols = (c), .ncols = sizeof(c) / sizeof(c)[0], .enqueue = (enq), .run = run,              \
        .report = report, .epilogue = epilogue                                                     \
    }

const struct job_ops pub_job_ops[PUB_JOB_NVERBS] = {
    [PUB_JOB_RUN] = OPS(run_cols, NULL),    [PUB_JOB_NOW] = OPS(run_cols, now_enqueue),
    [PUB_JOB_EDIT] = OPS(edit_cols, NULL),  [PUB_JOB_WITHDRAW] = OPS(state_cols, NULL),
    [PUB_JOB_UNDO] = OPS(state_cols, NULL),
};

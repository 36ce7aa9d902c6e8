/* sync_cancel_job: `qs sync cancel` as a job of the one runner (libcore/job.h): queue the
 * planned lines (sync_cancel.c), send (sync_cancel_run.c), report each line by outcome
 * (R-SYN-1b). */
#include "sync_int.h"

#include <string.h>

#include "../job.h"

#define KIND "cancel"

static const char *const result_cols[] = {"order_no", "result", "code", "message"};

static int enqueue(void *j, struct qs_err *e)
{
    return sync_cancel_enqueue(((struct sync_cancel_job *)j)->p, e);
}

static int run(void *p, struct job_counts *c, struct qs_err *e)
{
    struct sync_cancel_job *j = p;
    int rc = sync_cancel_run(j->p, j->q, j->st, e);
    /* SPEC 1.3: 69 only when no marketplace call was answered. */
    c->unavailable = j->st->calls_ok == 0 && j->st->calls_failed > 0;
    return rc;
}

static const struct sync_settled *settled_find(const struct sync_cancel *p, const char *key)
{
    size_t i;
    return strmap_get(&p->settled, key, &i) ? &p->set[i] : NULL;
}

struct emit {
    job_emit_fn fn;
    void *ectx;
    struct rec *r;
};

static int emit(struct emit *x, const char *no, const char *result, const char *code,
                const char *msg, enum job_outcome oc, struct qs_err *e)
{
    rec_clear(x->r);
    rec_set(x->r, "order_no", no);
    rec_set(x->r, "result", result);
    rec_set(x->r, "code", code);
    rec_set(x->r, "message", msg);
    return x->fn(x->ectx, oc, x->r, e);
}

/* One item's result: what this run settled, else its outbox state. */
static int report_one(struct sync_cancel *p, struct emit *x, const char *no, const char *key,
                      struct qs_err *e)
{
    const struct sync_settled *s = settled_find(p, key);
    struct outbox_item item, *it = &item;
    const char *result = s ? s->result : "retry", *msg = s ? s->msg : "queued";
    enum job_outcome oc = JOB_RETRY;
    int rc = sync_box_key(p->d, KIND, key, &item, e);

    if (rc < 0)
        return rc;
    if (rc == 0)
        it = NULL;
    switch (it ? it->state : OUTBOX_PENDING) {
    case OUTBOX_DONE:
        result = "ok";
        /* Done by an earlier run, or found done by this run's read: not sent now. */
        oc = !s || strncmp(s->msg, "already ", 8) == 0 || strncmp(s->msg, "sent before", 11) == 0
                 ? JOB_DONE
                 : JOB_SENT;
        if (!s)
            msg = it->ref && *it->ref ? it->ref : "cancelled";
        break;
    case OUTBOX_FAILED:
        result = "failed", oc = JOB_FAILED;
        if (!s)
            msg = it->last_error ? it->last_error : "refused";
        break;
    case OUTBOX_UNKNOWN:
        result = "unknown", oc = JOB_UNKNOWN;
        if (!s)
            msg = "in flight when its run died; qs could not tell whether it was sent";
        break;
    case OUTBOX_CLAIMED:
        result = "retry", msg = "being sent by another qs run";
        break;
    default:
        result = "retry";
        if (!s && it && it->last_error)
            msg = it->last_error;
    }
    rc = emit(x, no, result, s ? s->code : "", msg, oc, e);
    sync_box_clear(&item);
    return rc;
}

static int report(void *j, job_emit_fn fn, void *ectx, struct qs_err *e)
{
    struct sync_cancel_job *job = j;
    struct sync_cancel *p = job->p;
    struct emit x = {fn, ectx, rec_new()};
    struct strmap keys = {0};
    int rc = 0;

    for (size_t i = 0; i < p->n && rc == 0; i++) {
        struct sync_cline *l = &p->l[i];
        rc = l->pre ? emit(&x, l->order_no, l->pre, "", l->pre_msg, JOB_DONE, e)
                    : report_one(p, &x, l->order_no, l->key, e);
    }
    /* Items of earlier runs this run settled too. */
    for (size_t i = 0; i < p->n && p->nset; i++)
        if (p->l[i].key)
            strmap_put(&keys, p->l[i].key, i);
    for (size_t i = 0; i < p->nset && rc == 0; i++) {
        int mine = strmap_get(&keys, p->set[i].key, NULL);
        if (!mine && settled_find(p, p->set[i].key) == &p->set[i])
            rc = report_one(p, &x, p->set[i].order_no, p->set[i].key, e);
    }
    strmap_free(&keys);
    /* The rejected input records were reported on stderr as they were read. */
    for (long i = 0; rc == 0 && i < job->st->rejected; i++)
        rc = fn(ectx, JOB_REJECTED, NULL, e);
    rec_free(x.r);
    return rc;
}

const struct job_ops sync_cancel_job_ops = {
    .cols = result_cols,
    .ncols = sizeof result_cols / sizeof result_cols[0],
    .enqueue = enqueue,
    .run = run,
    .report = report,
};

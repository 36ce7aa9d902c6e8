/* job.c: the one runner of work that reaches the outside (SPEC 1.6, 1.3). */
#include <errno.h>
#include <string.h>

#include "job.h"

struct emit_ctx {
    struct rec_writer *w;
    struct job_counts *c;
};

static int emit(void *p, enum job_outcome oc, const struct rec *r, struct qs_err *e)
{
    struct emit_ctx *x = p;
    if (oc >= 0 && oc < JOB_NOUTCOMES)
        x->c->n[oc]++;
    return r ? rec_write(x->w, r, e) : 0;
}

static int report(const struct job_ops *ops, void *job, const struct job_opts *o,
                  struct job_counts *c, struct qs_err *e)
{
    struct emit_ctx x = {NULL, c};
    int rc, saved;

    if ((rc = rec_writer_open(o->out ? o->out : stdout, &o->wo, ops->cols, ops->ncols, &x.w, e)) <
        0)
        return rc;
    rc = ops->report(job, emit, &x, e);
    saved = errno;
    if (rec_writer_close(x.w, rc < 0 ? NULL : e) < 0 && rc == 0) {
        rc = QS_E_IO;
        saved = errno;
    }
    errno = saved;
    return rc;
}

int job_run(struct store *s, const struct job_ops *ops, void *job, const struct job_opts *o,
            struct job_counts *c, struct qs_err *e)
{
    int rc = 0, tx = 0, rrc;

    memset(c, 0, sizeof *c);
    /* SPEC 1.6 --dry-run: everything in one transaction, rolled back; the senders print
     * the requests instead of sending them. */
    if (o->dry_run) {
        if ((rc = store_begin(s, e)) < 0)
            return rc;
        tx = 1;
    }
    if (ops->enqueue && (rc = ops->enqueue(job, e)) < 0)
        goto out;
    if (!o->dry_run && ops->queued && (rc = ops->queued(job, e)) < 0)
        goto out;
    rc = ops->run(job, c, e);
    if (o->dry_run) {
        if (rc == 0 && o->diag)
            fprintf(o->diag, "%s: dry run: nothing sent or stored\n", o->prog);
        goto out;
    }
    /* A run that stopped on a temporary error still reports what it settled. */
    if (rc < 0 && rc != QS_E_TEMP && rc != QS_E_UNAVAILABLE)
        goto out;
    {
        struct qs_err re;
        err_clear(&re);
        rrc = report(ops, job, o, c, rc < 0 ? &re : e);
        if (rc == 0 && rrc < 0)
            return rrc;
    }
    if (o->diag) {
        job_summary(o->diag, o->prog, c);
        if (ops->epilogue)
            ops->epilogue(job, o->prog, o->diag);
    }
out:
    if (tx)
        store_rollback(s);
    return rc;
}

int job_exit_code(int rc, const struct job_counts *c)
{
    const long *n = c->n;
    long reported = 0;
    for (int i = 0; i < JOB_NOUTCOMES; i++)
        reported += n[i];
    if (rc < 0 && (reported == 0 || (rc != QS_E_TEMP && rc != QS_E_UNAVAILABLE)))
        return err_exit_code(rc);
    /* SPEC 1.3: 69 only when no outside call succeeded; 75 if any failure is retryable;
     * else 1 when some failed. */
    if (n[JOB_RETRY] || n[JOB_UNKNOWN] || rc < 0) {
        if ((c->unavailable || rc == QS_E_UNAVAILABLE) && !n[JOB_SENT] && !n[JOB_HANDED_OFF])
            return QS_EX_UNAVAILABLE;
        return QS_EX_TEMPFAIL;
    }
    if (n[JOB_FAILED] || n[JOB_REJECTED])
        return QS_EX_FAIL;
    return 0;
}

void job_summary(FILE *fp, const char *prog, const struct job_counts *c)
{
    const long *n = c->n;
    fprintf(fp, "%s: sent %ld, already done %ld, failed %ld, unknown %ld", prog, n[JOB_SENT],
            n[JOB_DONE], n[JOB_FAILED] + n[JOB_RETRY], n[JOB_UNKNOWN]);
    if (n[JOB_RETRY])
        fprintf(fp, ", to retry %ld", n[JOB_RETRY]);
    if (n[JOB_HANDED_OFF])
        fprintf(fp, ", handed off %ld", n[JOB_HANDED_OFF]);
    if (n[JOB_REJECTED])
        fprintf(fp, ", rejected %ld", n[JOB_REJECTED]);
    if (n[JOB_SKIPPED])
        fprintf(fp, ", skipped %ld", n[JOB_SKIPPED]);
    if (n[JOB_LOCAL])
        fprintf(fp, ", changed locally %ld", n[JOB_LOCAL]);
    fputc('\n', fp);
}

int job_outcome_parse(const char *word)
{
    static const char *const words[JOB_NOUTCOMES] = {
        [JOB_SENT] = "ok",           [JOB_DONE] = "already",    [JOB_FAILED] = "failed",
        [JOB_RETRY] = "retry",       [JOB_UNKNOWN] = "unknown", [JOB_HANDED_OFF] = "handed-off",
        [JOB_REJECTED] = "rejected", [JOB_SKIPPED] = "skipped", [JOB_LOCAL] = "local",
    };
    for (int i = 0; word && i < JOB_NOUTCOMES; i++)
        if (strcmp(word, words[i]) == 0)
            return i;
    return -1;
}

int job_within(struct store *s, int dry_run, int (*fn)(void *ctx, struct qs_err *e), void *ctx,
               struct qs_err *e)
{
    int rc;
    if (!dry_run)
        return fn(ctx, e);
    if ((rc = store_begin(s, e)) < 0)
        return rc;
    rc = fn(ctx, e);
    store_rollback(s);
    return rc;
}

/* job: the life of work that reaches the outside (SPEC 1.6), written once. A verb plans
 * its work (its own business), then hands job_run a small struct of callbacks; job_run
 * enqueues (idempotency keys), runs the deliveries, writes the per-record report, counts
 * outcomes and prints the summary. With dry_run everything happens inside one transaction
 * that is rolled back: the requests are printed by the senders, nothing is sent or
 * stored, no report is written. job_exit_code gives SPEC 1.3's exit code.
 *
 * The summary counts by outcome: "sent N, already done M, failed K, unknown U" -- a record
 * that was already done (queued and answered by an earlier run, found done by a read) is
 * never counted as sent. */
#ifndef QS_JOB_H
#define QS_JOB_H

#include <stdio.h>

#include "err.h"
#include "record/record.h"
#include "store.h"

/* What became of one record of a job. */
enum job_outcome {
    JOB_SENT,       /* sent by this run, the other side said ok */
    JOB_DONE,       /* already done before this run (or found done by a read): not sent */
    JOB_FAILED,     /* refused for good */
    JOB_RETRY,      /* failed, retryable: the next run (or --retry-failed) tries again */
    JOB_UNKNOWN,    /* may or may not have reached the other side (SPEC 1.6) */
    JOB_HANDED_OFF, /* written to a hand-off folder for the seller to finish */
    JOB_REJECTED,   /* refused before it was queued (bad input, --skip-bad) */
    JOB_SKIPPED,    /* left out by a rule (SPEC 1.3: skips alone exit 0) */
    JOB_LOCAL,      /* changed in the store only: nothing of it goes to the other side
                     * (an edit of a product not on the marketplace); exits 0 */
    JOB_NOUTCOMES
};

/* The counts of a job by outcome, and whether the other side answered at all. */
struct job_counts {
    long n[JOB_NOUTCOMES];
    /* Set by run: no outside call succeeded and some failed (SPEC 1.3's 69). */
    int unavailable;
};

/* Called by a job's report once per record: its outcome and its row (columns of
 * job_ops.cols). Returns 0 or a negative QS_E_* (the output failed). */
typedef int (*job_emit_fn)(void *ectx, enum job_outcome oc, const struct rec *r, struct qs_err *e);

/* What a verb hands the runner. Every callback gets the verb's job pointer. */
struct job_ops {
    const char *const *cols; /* the report's columns */
    size_t ncols;
    /* Queues the planned work in the outbox (SPEC 1.6). NULL: nothing to queue. */
    int (*enqueue)(void *job, struct qs_err *e);
    /* Called once everything is queued, before anything is sent (e.g. to write a
     * rejects file: the rejected lines are final whatever the sending does). May be NULL;
     * not called in a dry run. */
    int (*queued)(void *job, struct qs_err *e);
    /* Sends what is queued through the deliveries; sets c->unavailable when the other
     * side never answered. A negative return ends the job (the report is still written
     * when the error is a temporary one, so the seller sees what went out). */
    int (*run)(void *job, struct job_counts *c, struct qs_err *e);
    /* Calls emit once per record, in input order. */
    int (*report)(void *job, job_emit_fn emit, void *ectx, struct qs_err *e);
    /* Lines after the summary (a hand-off folder, items in flight...). May be NULL. */
    void (*epilogue)(void *job, const char *prog, FILE *diag);
};

struct job_opts {
    const char *prog; /* prefix of diagnostics: "qs note send" */
    FILE *diag;       /* the summary and the dry-run line; NULL with -q */
    FILE *out;        /* the report; NULL: stdout */
    struct rec_writer_opts wo;
    int dry_run; /* --dry-run: one transaction, rolled back */
};

/* Runs a job: enqueue, queued, run, report, summary (SPEC 1.6). Fills c. Returns 0, or a
 * negative QS_E_* with e filled (the caller prints it); a report whose output failed
 * returns QS_E_IO with e->code set and errno kept (EPIPE: the reader went away). */
int job_run(struct store *s, const struct job_ops *ops, void *job, const struct job_opts *o,
            struct job_counts *c, struct qs_err *e);
/* SPEC 1.3 for a job that returned rc with counts c: rc's code when rc < 0 and nothing
 * was reported; else 69 when the other side never answered and nothing went out, 75 when
 * something is to retry or unknown, 1 when some failed or were rejected, else 0. */
int job_exit_code(int rc, const struct job_counts *c);
/* Writes "prog: sent N, already done M, failed K, unknown U" (plus ", to retry R",
 * ", handed off H", ", rejected J", ", skipped S", ", changed locally L" when not zero) and
 * a newline to fp. */
void job_summary(FILE *fp, const char *prog, const struct job_counts *c);
/* Runs fn(ctx, e) -- work that writes only the store, like a pull -- inside one
 * transaction rolled back afterwards when dry_run (SPEC 1.6 --dry-run: what fn prints is
 * printed, nothing is stored); directly otherwise. Returns fn's result. */
int job_within(struct store *s, int dry_run, int (*fn)(void *ctx, struct qs_err *e), void *ctx,
               struct qs_err *e);
/* The outcome named by a report's result word (ok, already, failed, retry, unknown,
 * handed-off, rejected, skipped, local), or -1. */
int job_outcome_parse(const char *word);

#endif

/* stock_job: what the stock jobs (add, link, labels) share: the items a run settled. */
#ifndef QS_STOCK_JOB_H
#define QS_STOCK_JOB_H

#include "../deliver/deliver.h"
#include "../job.h"

/* The outbox items a run of the stock delivery settled, in order: key, result word (ok,
 * handed-off, failed, retry), the other side's ref, the error and the payload. */
struct stock_settled {
    char **key, **result, **ref, **msg, **payload;
    size_t n;
};
/* A deliver_result_fn: appends the item to ctx, a struct stock_settled. */
void stock_settled_add(const struct outbox_item *it, enum deliver_status st, const char *ref,
                       const char *error, void *ctx);
/* The job outcome of a result word. */
enum job_outcome stock_settled_outcome(const char *result);
/* Frees s and what it holds; NULL is a no-op. */
void stock_settled_free(struct stock_settled *s);

#endif

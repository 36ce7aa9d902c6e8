/* stock_job: what the stock jobs (add, link, labels) share -- the outbox items a run of the
 * stock delivery settled, kept for the job's report. */
#include <stdlib.h>
#include <string.h>

#include "stock_job.h"
#include "../xalloc.h"

void stock_settled_add(const struct outbox_item *it, enum deliver_status st, const char *ref,
                       const char *error, void *ctx)
{
    static const char *const words[] = {[DELIVER_NONE] = "retry",
                                        [DELIVER_OK] = "ok",
                                        [DELIVER_RETRY] = "retry",
                                        [DELIVER_FAILED] = "failed",
                                        [DELIVER_HANDED_OFF] = "handed-off",
                                        [DELIVER_UNKNOWN] = "unknown"};
    struct stock_settled *s = ctx;
    size_t n = s->n + 1;
    s->key = xrealloc(s->key, n * sizeof *s->key);
    s->result = xrealloc(s->result, n * sizeof *s->result);
    s->ref = xrealloc(s->ref, n * sizeof *s->ref);
    s->msg = xrealloc(s->msg, n * sizeof *s->msg);
    s->payload = xrealloc(s->payload, n * sizeof *s->payload);
    s->key[s->n] = xstrdup(it->key);
    s->result[s->n] = xstrdup(words[st]);
    s->ref[s->n] = xstrdup(ref ? ref : "");
    s->msg[s->n] = xstrdup(error ? error : "");
    s->payload[s->n++] = xstrdup(it->payload ? it->payload : "{}");
}

enum job_outcome stock_settled_outcome(const char *result)
{
    int oc = job_outcome_parse(result);
    return oc < 0 ? JOB_RETRY : (enum job_outcome)oc;
}

void stock_settled_free(struct stock_settled *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->key[i]);
        free(s->result[i]);
        free(s->ref[i]);
        free(s->msg[i]);
        free(s->payload[i]);
    }
    free(s->key);
    free(s->result);
    free(s->ref);
    free(s->msg);
    free(s->payload);
    free(s);
}

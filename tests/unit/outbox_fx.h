/* outbox_fx.h: what the outbox's and the deliveries' unit tests share. Header-only. */
#ifndef QS_TEST_OUTBOX_FX_H
#define QS_TEST_OUTBOX_FX_H

#include "store.h"

/* The items settled so far (retry, failed) as if by a run that ended before this process
 * began: a --retry-failed claim takes those, never what this process settled. Returns
 * store_run's code. */
static inline int outbox_fx_settled_earlier(struct store *s)
{
    struct qs_err e = {0};
    return store_run(
        s, &e,
        "UPDATE outbox SET owner = 'elsewhere:1:1', updated_at = '2000-01-01T00:00:00Z'"
        " WHERE state IN ('retry', 'failed')",
        "");
}

#endif

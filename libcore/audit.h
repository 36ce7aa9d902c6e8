/* audit: one row per outside call attempt (SPEC 1.6), printed by `qs sync log`. */
#ifndef QS_AUDIT_H
#define QS_AUDIT_H

#include <stdint.h>
#include <time.h>

#include "err.h"
#include "store.h"

struct audit_entry {
    time_t at;
    const char *shop;
    const char *kind; /* outbox kind or QAPI method */
    const char *key;  /* idempotency key or key fields; never a secret */
    int attempt;
    const char *result; /* "ok", "retry", "failed", "unknown", ... */
    const char *code;   /* the other side's result code, may be NULL */
    long latency_ms;
    const char *detail; /* message, may be NULL; secrets must be redacted by the caller */
};

/* Appends one audit row. */
int audit_add(struct store *s, const struct audit_entry *a, struct qs_err *e);
/* As audit_add, and *id is the new row's. */
int audit_add_id(struct store *s, const struct audit_entry *a, long long *id, struct qs_err *e);
/* Sets the result, code, latency and detail of row id (one written when a call went out,
 * answered since). */
int audit_finish(struct store *s, long long id, const char *result, const char *code,
                 long latency_ms, const char *detail, struct qs_err *e);

/* Calls fn for each audit row of shop (NULL = all) at or after since, oldest first;
 * stops early and returns fn's value when it returns non-zero. */
typedef int (*audit_fn)(const struct audit_entry *a, void *ctx);
int audit_each(struct store *s, const char *shop, time_t since, audit_fn fn, void *ctx,
               struct qs_err *e);

#endif

/* outbox: the generic engine of SPEC 1.6 for every piece of work that leaves qs.
 * A row is written before the send, keyed by (shop, kind, key); claimed by one
 * process at a time; marked done only after the answer; recovered when the
 * process that claimed it died. */
#ifndef QS_OUTBOX_H
#define QS_OUTBOX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "store.h"

enum outbox_state {
    OUTBOX_PENDING,    /* waiting; due at next_at */
    OUTBOX_CLAIMED,    /* taken by a live process, in flight */
    OUTBOX_DONE,       /* answered ok */
    OUTBOX_RETRY,      /* failed, retryable: due again at next_at (backoff) */
    OUTBOX_FAILED,     /* failed, not retryable (or out of attempts) */
    OUTBOX_UNKNOWN,    /* was in flight when its process died, no way to tell */
    OUTBOX_HANDED_OFF, /* written to a hand-off file, awaiting confirm */
    OUTBOX_WITHDRAWN,  /* taken back before it was sent (outbox_withdraw); never sent */
};
#define OUTBOX_NSTATES 8 /* number of states above */

struct outbox_item {
    int64_t id;
    char *shop, *kind, *key, *payload, *ref, *last_error; /* owned by the item */
    enum outbox_state state;
    int attempts;   /* sends started so far, this one included once claimed */
    time_t next_at; /* when due */
};

/* Name of a state ("pending", "claimed", ...). */
const char *outbox_state_name(enum outbox_state s);
/* Parses a state name; returns 0 or -1. */
int outbox_state_parse(const char *name, enum outbox_state *out);

/* Adds an item due at due. A second enqueue of the same (shop, kind, key) is a no-op.
 * Returns 1 when added, 0 when it existed, negative QS_E_* on error; *id (may be NULL)
 * gets the row id either way. */
int outbox_enqueue(struct store *s, const char *shop, const char *kind, const char *key,
                   const char *payload, time_t due, int64_t *id, struct qs_err *e);

struct outbox_claim_opts {
    const char *shop; /* NULL: any shop */
    const char *kind; /* NULL: any kind */
    size_t max;       /* at most this many items (0 = 1) */
    int retry_failed; /* --retry-failed: also take failed and not-yet-due retry items
                       * (first) settled before this process began, but none it settled
                       * (what fails again in a run does not come round again in it:
                       * claim a batch at a time) */
    time_t now;
};

/* Atomically claims due items for this process: no two processes ever hold the same
 * item. Runs in its own BEGIN IMMEDIATE transaction (or joins the caller's), oldest due
 * first. *items is a malloc'd array of *n items; free with outbox_items_free. */
int outbox_claim(struct store *s, const struct outbox_claim_opts *o, struct outbox_item **items,
                 size_t *n, struct qs_err *e);
/* Frees an array returned by outbox_claim or outbox_list. */
void outbox_items_free(struct outbox_item *items, size_t n);
/* Frees the strings of one item and zeroes it. */
void outbox_item_clear(struct outbox_item *it);

/* Marks a claimed item done with the other side's reference (may be NULL). */
int outbox_done(struct store *s, int64_t id, const char *ref, struct qs_err *e);
/* Marks a claimed item failed. retryable: state retry, due again after an exponential
 * backoff with jitter (failed after OUTBOX_MAX_ATTEMPTS); otherwise state failed. */
int outbox_fail(struct store *s, int64_t id, const char *msg, int retryable, time_t now,
                struct qs_err *e);
#define OUTBOX_MAX_ATTEMPTS 12
/* Seconds to wait before attempt number attempts+1 (without jitter): 30s doubling,
 * capped at 6 hours. */
long outbox_backoff(int attempts);
/* Takes back an item no process holds (pending, retry or failed) before it is sent, for
 * good, with msg as its last error: work a rule re-checked before its hand-off refuses
 * (R-CPN-4), or that the seller cancelled (R-CPN-6). State withdrawn: never claimed again,
 * --retry-failed or not. One audit row (result "withdrawn"). Returns 1 when the item was
 * withdrawn, 0 when it is claimed, done, handed-off, unknown or withdrawn already (left
 * alone), or a negative QS_E_* code. */
int outbox_withdraw(struct store *s, int64_t id, const char *msg, struct qs_err *e);
/* The same for an item this process claimed and has not sent in this claim (a rule
 * re-checked after the claim refuses it, R-STK-6); 0 when it is not claimed by this
 * process. */
int outbox_withdraw_claimed(struct store *s, int64_t id, const char *msg, struct qs_err *e);
/* Marks a claimed item unknown: its send started and its answer was lost, where nothing
 * can be read back (a mail, SPEC 1.6); listed, resent only by outbox_resend_unknown. */
int outbox_unknown(struct store *s, int64_t id, const char *msg, struct qs_err *e);
/* Sets a claimed or pending item handed-off (file: delivery). */
int outbox_handed_off(struct store *s, int64_t id, const char *ref, struct qs_err *e);

/* Turns handed-off items of shop/kind done: those with the given keys (keys NULL: all),
 * and only those whose ref is ref when ref is not NULL; one audit row each. *confirmed
 * (may be NULL) gets their number. One transaction, or the caller's. */
int outbox_confirm(struct store *s, const char *shop, const char *kind, const char *const *keys,
                   size_t nkeys, const char *ref, size_t *confirmed, struct qs_err *e);

/* What a reconcile callback found out about an orphaned item. */
enum outbox_recon { OUTBOX_RECON_SENT, OUTBOX_RECON_NOT_SENT, OUTBOX_RECON_UNKNOWN };
/* Asks the other side whether it got item; may fill *ref (malloc'd, freed by the engine). */
typedef enum outbox_recon (*outbox_reconcile_fn)(const struct outbox_item *item, char **ref,
                                                 void *ctx);
/* Finds items claimed by processes that no longer run and settles each through
 * reconcile (NULL: every orphan becomes unknown): sent -> done, not sent -> pending
 * (due now), unknown -> unknown. Items of live processes and of other hosts are left
 * alone. reconcile runs outside any transaction; each orphan is settled in its own,
 * with an audit row. *recovered (may be NULL) gets their number. */
int outbox_recover(struct store *s, const char *shop, const char *kind,
                   outbox_reconcile_fn reconcile, void *ctx, size_t *recovered, struct qs_err *e);
/* Puts unknown items of shop/kind back to pending (--resend-unknown). */
int outbox_resend_unknown(struct store *s, const char *shop, const char *kind, size_t *n,
                          struct qs_err *e);
/* Lists items of shop/kind (NULL = any) in state (negative = any state), oldest first. */
int outbox_list(struct store *s, const char *shop, const char *kind, int state,
                struct outbox_item **items, size_t *n, struct qs_err *e);
/* The item of shop/kind/key into *item (free it with outbox_items_free(*item, 1)): 1;
 * 0 when there is none (*item NULL); else a QS_E_* code. */
int outbox_get(struct store *s, const char *shop, const char *kind, const char *key,
               struct outbox_item **item, struct qs_err *e);
/* Counts items of shop/kind (NULL = any) per state: counts[state]. */
int outbox_count(struct store *s, const char *shop, const char *kind, size_t counts[OUTBOX_NSTATES],
                 struct qs_err *e);

#endif

/* stock_sync_int: what the files of `qs stock sync` share (stock_sync.h). */
#ifndef QS_STOCK_SYNC_INT_H
#define QS_STOCK_SYNC_INT_H

#include <jansson.h>
#include <stdarg.h>

#include "stock_sync.h"

/* An item's current values on the marketplace, read through QAPI. */
struct stock_sync_market {
    int detail_ok, inv_ok; /* what was read */
    long long qty;         /* ItemQty */
    char *price, *expire, *tax, *seller_code;
    json_t *inv; /* GetGoodsInventoryInfo's rows */
    char why[256];
};

/* Reads item's detail (GetItemDetailInfo) and/or its options (GetGoodsInventoryInfo) into
 * m. Returns 0 or a negative QS_E_* (what was read before the failure stays in m). */
int stock_sync_read(struct qapi *q, const char *item, int detail, int inv,
                    struct stock_sync_market *m, struct qs_err *e);
void stock_sync_market_clear(struct stock_sync_market *m);
/* The option's row of m's inventory, or NULL. */
const json_t *stock_sync_option_row(const struct stock_sync_market *m, const char *option);
/* The quantity m shows for option ("": the item's), or -1 when m does not show it. */
long long stock_sync_market_qty(const struct stock_sync_market *m, const char *option);

/* Sets r's message and outcome. */
void stock_sync_say(struct stock_sync_row *r, enum job_outcome oc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- the run's TEMP tables (stock_sync_rows.c): nothing per link held in memory ---- */

/* One link as the plan reads and decides it (a row of temp.stock_sync_row). */
struct stock_sync_link {
    struct stock_sync_row row; /* strings malloc'd */
    long seq;
    long long branch, waiting, allocated; /* of its q_sku */
    long links;                           /* of its q_sku */
    int current;                          /* its q_sku is in the latest download */
    long long base, set_qty;              /* stock_push; base 0: never set by qs */
    char set_at[32];
    long long since; /* units of order lines of the link since set_at */
};
void stock_sync_link_clear(struct stock_sync_link *l);

/* Creates the tables when missing and empties them (j->tab, j->nrows 0); _close frees
 * the statements. */
int stock_sync_tab_open(struct stock_sync_job *j, struct qs_err *e);
void stock_sync_tab_close(struct stock_sync_job *j);
/* Every link of the shop, with its q_sku's quantities and what qs set before, in report
 * order (item, option, SKU); j->nrows gets their number. */
int stock_sync_tab_load(struct stock_sync_job *j, struct qs_err *e);
/* Adds waiting and allocated units to every link of q_sku. */
int stock_sync_tab_alloc(struct stock_sync_job *j, const char *q_sku, long long waiting,
                         long long allocated, struct qs_err *e);
/* The link of row seq (1..j->nrows) into *l: 1; 0 when none; or a QS_E_* code. */
int stock_sync_tab_get(struct stock_sync_job *j, long seq, struct stock_sync_link *l,
                       struct qs_err *e);
/* Stores l's decision (available, target, market, outcome, message, key); like
 * stock_sync_done_add, the write may wait for the next (stock_sync_tab_flush writes it
 * now; every reader of the tables does first). */
int stock_sync_tab_put(struct stock_sync_job *j, const struct stock_sync_link *l, struct qs_err *e);
int stock_sync_tab_flush(struct stock_sync_job *j, struct qs_err *e);
/* Calls fn with each link in order until it returns non-zero (returned); l is borrowed. */
int stock_sync_tab_each(struct stock_sync_job *j,
                        int (*fn)(struct stock_sync_job *j, const struct stock_sync_link *l,
                                  void *ctx),
                        void *ctx, struct qs_err *e);
/* What became of the claimed item key (a later result for the key replaces it). */
int stock_sync_done_add(struct stock_sync_job *j, const char *key, enum job_outcome oc,
                        const char *message, const char *payload, struct qs_err *e);
/* The result of key not yet reported, marked reported: 1 with *oc and *message
 * (malloc'd); 0 when none; or a QS_E_* code. */
int stock_sync_done_take(struct stock_sync_job *j, const char *key, enum job_outcome *oc,
                         char **message, struct qs_err *e);
/* Calls fn with each result not reported on a link's row, in order (as _each). */
int stock_sync_done_rest(struct stock_sync_job *j,
                         int (*fn)(enum job_outcome oc, const char *message, const char *payload,
                                   void *ctx),
                         void *ctx, struct qs_err *e);
/* The links reported as drifted, and as skipped for want of --shared. */
int stock_sync_tab_counts(struct stock_sync_job *j, long long *drift, long long *shared);

/* Plans every link and queues the changed ones (stock_sync_plan.c). */
int stock_sync_plan(struct stock_sync_job *j, struct qs_err *e);
/* Brings stock_push up to the done stock-qty items (idempotent). */
int stock_sync_settle(struct stock_sync_job *j, struct qs_err *e);
/* Queues r's change (payload p) with base as the key's base; withdraws the link's older
 * items not yet sent, or reports the link in flight elsewhere (stock_sync_run.c). */
int stock_sync_queue(struct stock_sync_job *j, struct stock_sync_row *r, long long base,
                     const char *p, struct qs_err *e);
/* The outbox state of the item key of kind stock-qty into state ("" when none). */
int stock_sync_state(struct stock_sync_job *j, const char *key, char state[16], struct qs_err *e);
/* 1 when an item of r's link not yet done sets qty: the quantity is qs's own write. */
int stock_sync_inflight_target(struct stock_sync_job *j, const struct stock_sync_row *r,
                               long long qty);

#endif

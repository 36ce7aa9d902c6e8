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

/* stock_alloc: `qs stock allocation [--todo]`, `qs stock unallocate` and the allocation
 * to-dos of `qs stock confirm` (R-STK-6) -- which paid order lines QWMS has assigned to the
 * Qxpress branch (QSM's 分店运送管理). QWMS has no API and QSM shows allocation only on its
 * screens, so qs models it; what the seller records (qs stock confirm) wins.
 *
 * The model (qs's reading; qs-stock(1) says the same):
 *   - Warehouse lines: order_line rows of status 2 or 3 (paid, not shipped) without a
 *     completed cancel (claim 3 or 16), whose item_code has any stock_link row (any state).
 *     Other lines are not listed: they are the seller's own shipments.
 *   - unallocatable, with exactly one reason, checked in this order:
 *       "no link"            the line's item/option has no link in state linked or
 *                            unlink-todo (stock_link.option = order_line.option_code, or a
 *                            whole-item link, option ''), or the linked SKU shows link_count
 *                            0 in the latest import (seed 004: 链接商品数 0 -> new orders
 *                            are not allocated);
 *       "linked after the sale"  order_date earlier than the link's recorded_at (as qs
 *                            stock unlinked reads it);
 *       "destination not JP" the line's raw row has a country field (ShippingCountry,
 *                            shippingCountry or ReceiverNation -- a guess: v3 documents no
 *                            destination field) that is not JP (JP, JPN, Japan in any case);
 *                            none = JP;
 *       "allocation cancelled"   the seller confirmed an unallocate to-do for it (it ships
 *                            another way).
 *   - allocated: source "confirmed" (the seller confirmed an allocation to-do for it);
 *     "marketplace" (the v3 row's BranchName names Qxpress -- a guess: the field exists in
 *     the answer, its values are not documented); "model": QWMS allocates at payment when
 *     the branch has stock. The replay runs over carts (pack_no; a line without one is its
 *     own cart) in paid_date, order_no order: stock of a q_sku at payment = branch_qty of
 *     the latest snapshot taken at or before paid_date (0 when the SKU is not in it), minus
 *     the units allocated after that snapshot and up to this payment (model and marketplace
 *     lines at their paid_date, confirmed ones at their confirmation). A cart is allocated
 *     only when its every candidate line (its warehouse lines neither unallocatable nor
 *     allocated by the two sources above) is covered -- SPEC: "a cart counts only when every
 *     line is covered"; otherwise all of them wait. No snapshot before payment -> waiting.
 *     (An unallocatable line of a cart does not hold back the others: it ships another way.)
 *   - waiting: the rest (分配等待; QSM does not allocate them by itself once stock arrives).
 *
 * The to-dos (outbox kinds stock-alloc and stock-unalloc, delivered by the shop's
 * deliver.stock, SPEC 1.7; one outbox item per order line, handed off together as one
 * checklist; keys "alc-"/"ual-" + the SHA-256 of shop and order_no, so the same order twice
 * hands off nothing new):
 *   - allocation (qs stock allocation --todo): the waiting lines the latest import's
 *     branch_qty can now cover, cart-whole, in paid_date order, after the units allocated
 *     that the latest snapshot cannot show yet (allocated after it was taken; with
 *     counts_allocated, every allocated line: qs stock sync's setting
 *     stock.branch_counts_allocated=yes).
 *   - unallocation (qs stock unallocate ORDER...): lines allocated now.
 *   - qs stock confirm records them done: allocation -> stock_alloc 'allocated',
 *     unallocation -> 'cancelled'; a hook that answers ok records the same at once.
 *
 * Table (owned by this module; migration in schema.c):
 *   stock_alloc -- what the seller recorded done in QSM for an order line
 *     shop, order_no   PRIMARY KEY (shop, order_no)
 *     state            'allocated' (発送地点分配 done) or 'cancelled' (発送地点分配取消 done)
 *     recorded_at      UTC ISO-8601: when it was recorded done
 *
 * Every function returns 0 or a negative QS_E_* with e filled. */
#ifndef QS_STOCK_ALLOC_H
#define QS_STOCK_ALLOC_H

#include <stdio.h>
#include <time.h>

#include "stock.h"
#include "../deliver/deliver.h"
#include "../job.h"

#define STOCK_ALLOC_KIND   "stock-alloc"
#define STOCK_UNALLOC_KIND "stock-unalloc"

enum stock_alloc_state { STOCK_ALLOCATED, STOCK_WAITING, STOCK_UNALLOCATABLE };
/* The states' words, in enum order: "allocated", "waiting", "unallocatable". */
extern const char *const stock_alloc_words[];

struct stock_alloc_line {
    const char *order_no, *pack_no, *item_code, *option_code, *q_sku; /* q_sku "" when no link
                                                                         is recorded */
    const char *order_date, *paid_date;                               /* as stored (UTC ISO-8601) */
    long long qty;
    enum stock_alloc_state state;
    const char *reason; /* unallocatable: the reason; else "" */
    const char *source; /* allocated: "confirmed", "marketplace" (BranchName), "model"; else "" */
};

/* R-STK-6: every warehouse line of shop (status 2..3) with its state, in paid_date, order_no
 * order, through fn (texts valid during the call). A negative return of fn ends the walk
 * and is returned. */
int stock_alloc_each(struct store *s, const char *shop,
                     int (*fn)(void *ctx, const struct stock_alloc_line *l, struct qs_err *e),
                     void *ctx, struct qs_err *e);

/* R-STK-6: the waiting lines the latest import can cover now (see the to-dos above), through
 * fn in paid_date, order_no order; counts_allocated as stock.branch_counts_allocated=yes. */
int stock_alloc_coverable(struct store *s, const char *shop, int counts_allocated,
                          int (*fn)(void *ctx, const struct stock_alloc_line *l, struct qs_err *e),
                          void *ctx, struct qs_err *e);

/* One line of a to-do (copies). */
struct stock_alloc_todo {
    char *order_no, *pack_no, *item_code, *option_code, *q_sku;
    long long qty;
};

/* The job of `qs stock allocation --todo` (unalloc 0) and `qs stock unallocate` (unalloc 1):
 * enqueue queues one outbox item per line (payload: action, order_no, cart, item_code,
 * option, q_sku, qty, path, steps, note); run hands them off through the shop's stock
 * delivery; report writes one row per line and per other item settled. */
struct stock_alloc_job {
    struct store *s;
    const char *shop;
    struct stock_alloc_todo *v;
    size_t n;
    int unalloc;
    const char *delivery; /* NULL: the shop's deliver.stock (default file:) */
    int retry_failed;
    FILE *dry_run;
    const char *prog;
    time_t now;
    char **keys;   /* per line, its key */
    char *existed; /* per line: queued by an earlier run */
    struct deliver_report rep;
    void *settled;
};
extern const struct job_ops stock_alloc_job_ops;
/* Frees what the job holds, the lines included. */
void stock_alloc_job_clear(struct stock_alloc_job *j);

/* R-STK-6: the lines of `qs stock allocation --todo` into j (v, n). */
int stock_alloc_todo_plan(struct store *s, const char *shop, int counts_allocated,
                          struct stock_alloc_job *j, struct qs_err *e);
/* R-STK-6: the lines of `qs stock unallocate` for orders[0..n) into j: each must be a
 * warehouse line allocated now; every other one is reported through report (rule R-STK-6)
 * and then QS_E_DATA is returned and j holds nothing. */
int stock_alloc_unalloc_plan(struct store *s, const char *shop, const char *const *orders, size_t n,
                             void (*report)(void *ctx, const struct qs_err *e), void *ctx,
                             struct stock_alloc_job *j, struct qs_err *e);

/* R-STK-6 (SPEC 1.7): records handed-off allocation and unallocation to-dos done: those of
 * hand-off folder ref (NULL: any), only those of orders[0..n) when orders is not NULL (an
 * order without such a to-do is reported, then QS_E_DATA and nothing confirmed). One
 * transaction: stock_alloc rows written, the outbox items done. *done gets how many. */
int stock_alloc_confirm(struct store *s, const char *shop, const char *const *orders, size_t n,
                        const char *ref, time_t now,
                        void (*report)(void *ctx, const struct qs_err *e), void *ctx, size_t *done,
                        struct qs_err *e);

/* R-STK-6 for qs sync ship: the order_no of every line of shop allocated now, sorted by
 * strcmp, into *v (malloc'd, *n strings; free with stock_alloc_list_free). A shop without
 * stock_link rows gets none at once. */
int stock_alloc_allocated(struct store *s, const char *shop, char ***v, size_t *n,
                          struct qs_err *e);
void stock_alloc_list_free(char **v, size_t n);

#endif

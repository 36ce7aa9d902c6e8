/* stock_link: `qs stock link`, `qs stock confirm` and `qs stock unlinked` (R-STK-4) -- the
 * links of warehouse SKUs (q_sku) to the marketplace items (and options) that sell them.
 * QSM links one item at a time in the item's edit page (商品管理 > 查看/修改商品, the
 * item's 【修改】, then [Q-库存联动] 【设置】 or, for an option, 【连结原Q-库存】, search the
 * Q-inventory code, 【选择】, 【修改】; unlinking is 【不设置】 then 【修改】). So qs checks
 * many pairs at once, records them in stock_link (stock.h) and hands off ONE to-do list
 * (outbox kind stock-link, delivered by the shop's deliver.stock (SPEC 1.7); file: writes a
 * checklist with, per pair, the edit path, the code to pick and the steps; hook: gets the same
 * fields), and `qs stock confirm` records what was done in QSM.
 *
 * Decisions:
 *   - A SKU is known when it is in the shop's latest Q-inventory download (qs stock
 *     import): one that left the export is refused.
 *   - An item is online when market_item says S2 (the last qs sync products).
 *   - An option is the item's option code (QSM's 卖家选项代码, QAPI's ItemTypeCode), checked
 *     through GetGoodsInventoryInfo, one call per item that has options among the pairs.
 *   - --by seller-code: records of seller_sku (and optionally item_code). The SKU is the
 *     option of the latest download with that seller SKU code (exactly one). Without
 *     item_code the items are the online items whose seller code is seller_sku (whole-item
 *     links, one pair per item); with item_code, seller_sku is an option code of that item
 *     (checked as above).
 *   - recorded_at is when the pair was written; confirm sets it to the time the link was
 *     recorded as done, which `qs stock unlinked` compares order dates with.
 *   - Outbox keys: "lnk-" or "unl-" and the SHA-256 of shop, q_sku, item, option and the
 *     row's recorded_at: the same file twice queues nothing new, a later re-link does. */
#ifndef QS_STOCK_LINK_H
#define QS_STOCK_LINK_H

#include <stdio.h>
#include <time.h>

#include "stock.h"
#include "../deliver/deliver.h"
#include "../job.h"
#include "../qapi/qapi.h"

#define STOCK_LINK_KIND "stock-link"

/* One pair of an input. */
struct stock_pair {
    char q_sku[STOCK_SKU_LEN + 1]; /* canonical (R-STK-1); "" when not given or bad */
    char *item_code, *option;      /* option "" for the whole item */
    char *given;                   /* the q_sku (or the seller_sku with --by) as given */
    long line;                     /* in the input */
    int already;                   /* set by stock_link_check: nothing to do */
};

struct stock_pairs {
    struct stock_pair *p;
    size_t n;
    char input[256];
    char sheet[64];
};
void stock_pairs_clear(struct stock_pairs *ps);

struct stock_link_cb {
    void *ctx;
    void (*report)(void *ctx, const struct qs_err *e);
    void (*warn)(void *ctx, const struct qs_err *e); /* may be NULL */
};

/* R-STK-4: reads pairs from fp (CSV, JSON Lines or .xlsx, named name): columns q_sku,
 * item_code and option (optional). A bad q_sku (R-STK-1) or a missing item code is
 * reported through cb with its line. Returns the number of problems, or a negative QS_E_*
 * when the input cannot be read. */
int stock_pairs_read(FILE *fp, const char *name, const struct rec_reader_opts *ro,
                     const struct stock_link_cb *cb, struct stock_pairs *ps, struct qs_err *e);
/* R-STK-4, --by seller-code: reads records of seller_sku (item_code optional) and turns
 * them into pairs from the store (see the decisions above). Problems are reported. */
int stock_pairs_by_seller(struct store *s, const char *shop, FILE *fp, const char *name,
                          const struct rec_reader_opts *ro, const struct stock_link_cb *cb,
                          struct stock_pairs *ps, struct qs_err *e);
/* 1 when a pair has an option (its check needs QAPI). */
int stock_pairs_have_options(const struct stock_pairs *ps);

/* R-STK-4: checks every pair for link (remove 0) or unlink (remove 1): the SKU known, the
 * item online, the option one of the item's (q may be NULL when no pair has one), no pair
 * twice; link: a pending unlink refused, todo/linked "already"; unlink: only linked pairs,
 * unlink-todo "already". Every problem reported; returns their number or a negative QS_E_*. */
int stock_link_check(struct store *s, struct qapi *q, const char *shop, int remove,
                     struct stock_pairs *ps, const struct stock_link_cb *cb, struct qs_err *e);

/* The job of `qs stock link`: enqueue writes the stock_link rows and queues one outbox
 * item per new pair (kind stock-link; payload action, q_sku, q_code, item_code, option,
 * edit_path, steps); run hands off what is due (a hook's ok links at once); report writes
 * one row per pair and per other item settled. */
struct stock_link_job {
    struct store *s;
    const char *shop;
    struct stock_pairs *pairs;
    int remove;
    const char *delivery; /* NULL: the shop's deliver.stock (default file:) */
    int retry_failed;
    FILE *dry_run;
    const char *prog;
    time_t now;
    char **keys; /* per pair, its key (NULL: already) */
    struct deliver_report rep;
    void *settled;
};
extern const struct job_ops stock_link_job_ops;
void stock_link_job_clear(struct stock_link_job *j);

/* R-STK-4 (SPEC 1.7): records link to-dos done in QSM: those of pairs ps (NULL: every
 * one), only those of hand-off folder ref when ref is not NULL. A pair without a
 * handed-off to-do is reported, and then nothing is confirmed (QS_E_DATA). Else in one
 * transaction: todo -> linked, unlink-todo -> unlinked (recorded_at = now), their outbox
 * items done. *n gets how many. */
int stock_link_confirm(struct store *s, const char *shop, const struct stock_pairs *ps,
                       const char *ref, time_t now, const struct stock_link_cb *cb, size_t *n,
                       struct qs_err *e);

/* One row of `qs stock unlinked`: kind "item" (an online item without a linked SKU),
 * "sku" (a SKU of the latest download without a link), "order" (a paid order line of an
 * item not linked when it was ordered: cannot ship from the warehouse). Unused texts "". */
struct stock_unlinked_row {
    const char *kind, *item_code, *seller_code, *q_sku, *name, *order_no, *order_date, *linked_at,
        *message;
};
/* R-STK-4: walks the three kinds in that order, calling fn per row (texts valid during
 * the call). */
int stock_unlinked(struct store *s, const char *shop,
                   int (*fn)(void *ctx, const struct stock_unlinked_row *r, struct qs_err *e),
                   void *ctx, struct qs_err *e);

/* R-STK-4: turns the to-dos whose outbox items are done (a hook answered ok) linked or
 * unlinked, as of the answer. Idempotent; run after a hand-off and before links are read. */
int stock_link_settle(struct store *s, const char *shop, struct qs_err *e);

#endif

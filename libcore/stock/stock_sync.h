/* stock_sync: `qs stock sync` = `qs sync stock` (R-STK-7, R-SYN-3) -- each linked item's sale
 * quantity on the marketplace set from the warehouse, exactly once (SPEC 1.6).
 *
 * available (per q_sku) = branch_qty of the latest import (stock_option) + the units of
 *     inbound bundles completed since (issue 14) - the units of warehouse order lines in
 *     `waiting` (stock_alloc_each, R-STK-6) - with stock.branch_counts_allocated=yes also
 *     those `allocated` and not shipped. total_qty is never read.
 * Then, per q_sku: the buffer (--buffer N: minus N units; --buffer P%: minus P% of it,
 *     the quantity rounded down), never below 0. A q_sku linked to two or more items or
 *     options is split only with --shared (each gets the quantity / links, rounded down);
 *     without it every link of it is skipped and reported. Then --max N caps each link.
 * Before anything is written the marketplace's quantity is read (GetItemDetailInfo for a
 *     whole-item link, GetGoodsInventoryInfo for an option). Drift: when qs set the
 *     quantity before (stock_push) and it moved since, up or down, by more units than the
 *     order lines of the item (option) synced since, the link is skipped and reported
 *     unless --force. A quantity equal to the target is "unchanged": nothing is sent.
 * Sending: one outbox item per changed link, kind stock-qty, key
 *     "<item>#<base>#<from>#<target>#<option>" (base: the outbox id of the last push done
 *     for the link, read before the marketplace is; from: the quantity read), so two runs
 *     planning the same change queue one item, and a later change is a new item. A whole
 *     item goes by ItemsOrder.SetGoodsPriceQty with the item's current price, expiry date
 *     and tax rate (an empty ExpireDate would reset it, reference 3.3); an option by
 *     ItemsOptions.UpdateInventoryQtyUnit (absolute quantity, reference 3.4). The client
 *     never resends a write itself: an item that may have reached the marketplace (no
 *     answer, or left in flight by a dead run) is read back first and sent again only
 *     when the read shows the old quantity.
 *
 * Table (migration in schema.c):
 *   stock_push -- what qs last set per link, from the done stock-qty outbox items
 *     shop, item_code, option ('' whole item); PRIMARY KEY (shop, item_code, option)
 *     qty        the quantity set
 *     set_at     UTC ISO-8601: when the marketplace took it (the item's answer)
 *     outbox_id  the outbox item that set it (the base of the next key) */
#ifndef QS_STOCK_SYNC_H
#define QS_STOCK_SYNC_H

#include <stdio.h>
#include <time.h>

#include "../job.h"
#include "../qapi/qapi.h"
#include "../store.h"

#define STOCK_QTY_KIND "stock-qty"

struct stock_sync_opts {
    long long buffer; /* --buffer: units, or a percentage when buffer_pct */
    int buffer_pct;   /* 1: buffer is P% */
    long long max;    /* --max N; -1: none */
    int shared;       /* --shared */
    int force;        /* --force: drift does not stop a link */
    int retry_failed; /* --retry-failed */
    int with_alloc;   /* stock.branch_counts_allocated=yes */
    FILE *dry_run;    /* --dry-run: the requests are printed here; NULL: sent */
    time_t now;
};

/* One link's line of the report. */
struct stock_sync_row {
    char *item_code, *option, *q_sku, *key, *message;
    long long available, target, market; /* -1: not known */
    enum job_outcome outcome;
};

/* The job: fill s, shop, q and o, run it with job_run (stock_sync_job_ops), then clear. */
struct stock_sync_job {
    struct store *s;
    const char *shop;
    struct qapi *q;
    struct stock_sync_opts o;
    /* filled by the job */
    struct stock_sync_tab *tab; /* the links planned, in TEMP tables (stock_sync_rows.c) */
    long nrows;
    char run[33];                 /* this run's token, in the payloads it queues */
    struct stock_sync_sent *sent; /* what the run sent */
};

extern const struct job_ops stock_sync_job_ops;
void stock_sync_job_clear(struct stock_sync_job *j);

/* R-STK-7: parses --buffer's value: "N" units or "P%" (0..100). Returns 0, or -1 with why. */
int stock_sync_buffer_parse(const char *s, long long *n, int *pct, char *why, size_t size);
/* R-STK-7: the quantity a link gets from a q_sku's available units: the buffer, then the
 * split among links (links > 1), then max (-1: none); never below 0. */
long long stock_sync_target(long long available, long long buffer, int pct, long links,
                            long long max);

#endif

/* stock_int.h: what the files of libcore/stock share and nobody else uses. */
#ifndef QS_STOCK_INT_H
#define QS_STOCK_INT_H

#include "stock.h"

/* The checked rows of an import wait in temp.stk_in (q_sku, line, q_code, option_code,
 * seller_sku, name, total_qty, extra_price, currency, link_count, branch_qty) until
 * stk_write records them; temp.stk_seen (q_sku, line) holds every q_sku read, good or bad. */
#define STK_IN_CREATE                                                                              \
    "CREATE TEMP TABLE IF NOT EXISTS stk_in (q_sku TEXT PRIMARY KEY, line INTEGER NOT NULL,"       \
    " q_code TEXT NOT NULL, option_code TEXT NOT NULL, seller_sku TEXT NOT NULL,"                  \
    " name TEXT NOT NULL, total_qty INTEGER NOT NULL, extra_price INTEGER NOT NULL,"               \
    " currency TEXT NOT NULL, link_count INTEGER, branch_qty INTEGER NOT NULL) WITHOUT ROWID;"     \
    "CREATE TEMP TABLE IF NOT EXISTS stk_seen (q_sku TEXT PRIMARY KEY, line INTEGER NOT NULL)"     \
    " WITHOUT ROWID"

/* R-STK-5: the latest snapshot of shop: its id (0: none) and taken_at (at[32]). Also, when
 * sha is not NULL, the id of the snapshot with that SHA-256 into *same (0: none). */
int stk_latest(struct store *s, const char *shop, const char *sha, long long *id, char *at,
               long long *same, struct qs_err *e);
/* R-STK-5: records the rows of temp.stk_in as a new snapshot of shop (file, sha, taken_at
 * now, UTC ISO-8601), reports the changes since the previous one through cb->change and
 * replaces the shop's options by the rows. Inside the caller's transaction. */
int stk_write(struct store *s, const char *shop, const char *file, const char *sha, const char *now,
              const struct stock_import_cb *cb, struct stock_import_result *out, struct qs_err *e);

#endif

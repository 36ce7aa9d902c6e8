/* sync_db_items: the SQL of the sync module on market_item (R-SYN-2) and the TEMP table
 * of the items a run saw. */
#include "sync_internal.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static const char sql_item_get[] = "SELECT seller_code, status, title, price, qty FROM market_item"
                                   " WHERE shop = ?1 AND item_code = ?2";
static const char sql_item_ins[] =
    "INSERT INTO market_item(shop, item_code, seller_code, status, title, price, qty, raw,"
    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)";
static const char sql_item_upd[] =
    "UPDATE market_item SET seller_code = ?3, status = ?4, title = ?5,"
    " price = ?6, qty = ?7, raw = ?8, updated_at = ?9"
    " WHERE shop = ?1 AND item_code = ?2";
static const char sql_item_upd_light[] =
    "UPDATE market_item SET seller_code = ?3, status = ?4, updated_at = ?5"
    " WHERE shop = ?1 AND item_code = ?2";
static const char sql_item_seen[] =
    "INSERT INTO temp.sync_seen_item(shop, item_code, change) VALUES (?1, ?2, ?3)"
    " ON CONFLICT(shop, item_code) DO UPDATE SET change = max(change, excluded.change)";
static const char sql_item_gone[] =
    "UPDATE market_item SET status = '', updated_at = ?3 WHERE shop = ?1 AND item_code = ?2";

int syncdb_item_get(struct syncdb *d, const char *item_code, struct syncdb_item *it,
                    struct qs_err *e)
{
    sqlite3_stmt *st = syncdb_stmt(d, ST_ITEM_GET, sql_item_get, e);
    int step;

    memset(it, 0, sizeof *it);
    if (!st)
        return e->code;
    if (syncdb_bt(st, 2, item_code))
        return store_sqlerr(syncdb_store(d), e, "sync");
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        it->found = 1;
        it->seller_code = syncdb_col(st, 0);
        it->status = syncdb_col(st, 1);
        it->title = syncdb_col(st, 2);
        it->price = sqlite3_column_int64(st, 3);
        it->qty = sqlite3_column_int64(st, 4);
    }
    sqlite3_reset(st);
    return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : store_sqlerr(syncdb_store(d), e, "sync");
}

void syncdb_item_clear(struct syncdb_item *it)
{
    free(it->seller_code);
    free(it->status);
    free(it->title);
    memset(it, 0, sizeof *it);
}

static int item_seen(struct syncdb *d, const char *item_code, enum sync_change chg,
                     struct qs_err *e)
{
    sqlite3_stmt *st = syncdb_stmt(d, ST_ITEM_SEEN, sql_item_seen, e);
    if (!st)
        return e->code;
    return syncdb_done(d, st, syncdb_bt(st, 2, item_code) || syncdb_bi(st, 3, chg), e);
}

int syncdb_item_upsert(struct syncdb *d, const char *item_code, const char *seller_code,
                       const char *status, const json_t *detail, const char *now,
                       enum sync_change *chg, struct qs_err *e)
{
    struct syncdb_item old;
    sqlite3_stmt *st;
    char *title = NULL, *price = NULL, *qty = NULL, *raw = NULL, *dsc = NULL, *dst = NULL;
    int rc;

    *chg = SYNC_SAME;
    if ((rc = syncdb_item_get(d, item_code, &old, e)) < 0)
        return rc;
    if (detail) {
        /* R-SYN-2: one way, the marketplace wins: its values replace ours. */
        title = sync_jget(detail, "ItemTitle");
        price = sync_jget(detail, "ItemPrice");
        qty = sync_jget(detail, "ItemQty");
        raw = sync_json_text(detail);
        dsc = sync_jget(detail, "SellerCode");
        dst = sync_jget(detail, "ItemStatus");
        if (*dsc)
            seller_code = dsc;
        if (*dst)
            status = dst;
        if (old.found && strcmp(old.seller_code, seller_code) == 0 &&
            strcmp(old.status, status) == 0 && strcmp(old.title, title) == 0 &&
            old.price == sync_num(price) && old.qty == sync_num(qty))
            goto seen;
        *chg = old.found ? SYNC_CHANGED : SYNC_NEW;
        if (!(st = syncdb_stmt(d, old.found ? ST_ITEM_UPD : ST_ITEM_INS,
                               old.found ? sql_item_upd : sql_item_ins, e))) {
            rc = e->code;
            goto out;
        }
        rc = syncdb_done(d, st,
                         syncdb_bt(st, 2, item_code) || syncdb_bt(st, 3, seller_code) ||
                             syncdb_bt(st, 4, status) || syncdb_bt(st, 5, title) ||
                             syncdb_bi(st, 6, sync_num(price)) || syncdb_bi(st, 7, sync_num(qty)) ||
                             syncdb_bt(st, 8, raw) || syncdb_bt(st, 9, now),
                         e);
    } else {
        if (old.found && strcmp(old.seller_code, seller_code) == 0 &&
            strcmp(old.status, status) == 0)
            goto seen;
        *chg = old.found ? SYNC_CHANGED : SYNC_NEW;
        if (old.found) {
            if (!(st = syncdb_stmt(d, ST_ITEM_UPD_LIGHT, sql_item_upd_light, e))) {
                rc = e->code;
                goto out;
            }
            rc = syncdb_done(d, st,
                             syncdb_bt(st, 2, item_code) || syncdb_bt(st, 3, seller_code) ||
                                 syncdb_bt(st, 4, status) || syncdb_bt(st, 5, now),
                             e);
        } else {
            if (!(st = syncdb_stmt(d, ST_ITEM_INS, sql_item_ins, e))) {
                rc = e->code;
                goto out;
            }
            rc = syncdb_done(d, st,
                             syncdb_bt(st, 2, item_code) || syncdb_bt(st, 3, seller_code) ||
                                 syncdb_bt(st, 4, status) || syncdb_bt(st, 5, "") ||
                                 syncdb_bi(st, 6, 0) || syncdb_bi(st, 7, 0) ||
                                 syncdb_bt(st, 8, "{}") || syncdb_bt(st, 9, now),
                             e);
        }
    }
    if (rc < 0)
        goto out;
seen:
    rc = item_seen(d, item_code, *chg, e);
out:
    free(title);
    free(price);
    free(qty);
    free(raw);
    free(dsc);
    free(dst);
    syncdb_item_clear(&old);
    return rc;
}

int syncdb_items_unseen(struct syncdb *d, int (*fn)(const char *item_code, void *ctx), void *ctx,
                        struct qs_err *e)
{
    static const char q[] = "SELECT item_code FROM market_item m WHERE shop = ?1 AND status <> ''"
                            " AND NOT EXISTS (SELECT 1 FROM temp.sync_seen_item v"
                            " WHERE v.shop = m.shop AND v.item_code = m.item_code)"
                            " ORDER BY item_code";
    sqlite3_stmt *st = NULL;
    char **codes = NULL;
    size_t n = 0, cap = 0;
    int rc = 0, step;

    if ((rc = syncdb_temp_tables(d, e)) < 0)
        return rc;
    if (sqlite3_prepare_v2(store_db(syncdb_store(d)), q, -1, &st, NULL) != SQLITE_OK ||
        syncdb_bt(st, 1, syncdb_shop(d))) {
        rc = store_sqlerr(syncdb_store(d), e, "sync");
        goto out;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap)
            codes = xrealloc(codes, (cap = cap ? 2 * cap : 16) * sizeof *codes);
        codes[n++] = syncdb_col(st, 0);
    }
    if (step != SQLITE_DONE) {
        rc = store_sqlerr(syncdb_store(d), e, "sync");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = fn(codes[i], ctx);
out:
    sqlite3_finalize(st);
    for (size_t i = 0; i < n; i++)
        free(codes[i]);
    free(codes);
    return rc;
}

int syncdb_item_gone(struct syncdb *d, const char *item_code, const char *now, struct qs_err *e)
{
    sqlite3_stmt *st = syncdb_stmt(d, ST_ITEM_GONE, sql_item_gone, e);
    int rc;
    if (!st)
        return e->code;
    if ((rc = syncdb_done(d, st, syncdb_bt(st, 2, item_code) || syncdb_bt(st, 3, now), e)) < 0)
        return rc;
    return item_seen(d, item_code, SYNC_CHANGED, e);
}

/* sync_db_items: the SQL of the sync module on market_item (R-SYN-2) and the TEMP table
 * of the items a run saw. */
#include "sync_int.h"

#include <stdlib.h>
#include <string.h>

#include "../xalloc.h"

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

static int item_row(sqlite3_stmt *st, void *ctx)
{
    struct syncdb_item *it = ctx;
    it->found = 1;
    it->seller_code = xstrdup(store_col_text(st, 0));
    it->status = xstrdup(store_col_text(st, 1));
    it->title = xstrdup(store_col_text(st, 2));
    it->price = sqlite3_column_int64(st, 3);
    it->qty = sqlite3_column_int64(st, 4);
    return 1; /* (shop, item_code) is the key: one row */
}

int syncdb_item_get(struct syncdb *d, const char *item_code, struct syncdb_item *it,
                    struct qs_err *e)
{
    int rc;
    memset(it, 0, sizeof *it);
    rc = syncdb_each(d, ST_ITEM_GET, sql_item_get, item_row, it, e, "ss", syncdb_shop(d),
                     syncdb_nz(item_code));
    return rc < 0 ? rc : 0;
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
    return syncdb_run(d, ST_ITEM_SEEN, sql_item_seen, e, "ssi", syncdb_shop(d),
                      syncdb_nz(item_code), (int)chg);
}

int syncdb_item_upsert(struct syncdb *d, const char *item_code, const char *seller_code,
                       const char *status, const json_t *detail, const char *now,
                       enum sync_change *chg, struct qs_err *e)
{
    struct syncdb_item old;
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
        rc = syncdb_run(d, old.found ? ST_ITEM_UPD : ST_ITEM_INS,
                        old.found ? sql_item_upd : sql_item_ins, e, "sssssllss", syncdb_shop(d),
                        syncdb_nz(item_code), syncdb_nz(seller_code), syncdb_nz(status), title,
                        sync_num(price), sync_num(qty), raw, syncdb_nz(now));
    } else {
        if (old.found && strcmp(old.seller_code, seller_code) == 0 &&
            strcmp(old.status, status) == 0)
            goto seen;
        *chg = old.found ? SYNC_CHANGED : SYNC_NEW;
        if (old.found)
            rc = syncdb_run(d, ST_ITEM_UPD_LIGHT, sql_item_upd_light, e, "sssss", syncdb_shop(d),
                            syncdb_nz(item_code), syncdb_nz(seller_code), syncdb_nz(status),
                            syncdb_nz(now));
        else
            rc = syncdb_run(d, ST_ITEM_INS, sql_item_ins, e, "sssssllss", syncdb_shop(d),
                            syncdb_nz(item_code), syncdb_nz(seller_code), syncdb_nz(status), "",
                            0LL, 0LL, "{}", syncdb_nz(now));
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

struct codes {
    char **v;
    size_t n, cap;
};

static int code_row(sqlite3_stmt *st, void *ctx)
{
    struct codes *c = ctx;
    if (c->n == c->cap)
        c->v = xrealloc(c->v, (c->cap = c->cap ? 2 * c->cap : 16) * sizeof *c->v);
    c->v[c->n++] = xstrdup(store_col_text(st, 0));
    return 0;
}

int syncdb_items_unseen(struct syncdb *d, int (*fn)(const char *item_code, void *ctx), void *ctx,
                        struct qs_err *e)
{
    static const char q[] = "SELECT item_code FROM market_item m WHERE shop = ?1 AND status <> ''"
                            " AND NOT EXISTS (SELECT 1 FROM temp.sync_seen_item v"
                            " WHERE v.shop = m.shop AND v.item_code = m.item_code)"
                            " ORDER BY item_code";
    struct codes c = {0};
    int rc;

    if ((rc = syncdb_temp_tables(d, e)) < 0)
        return rc;
    /* Collect first: fn writes market_item. */
    rc = store_each(syncdb_store(d), q, code_row, &c, e, "s", syncdb_shop(d));
    for (size_t i = 0; i < c.n && rc == 0; i++)
        rc = fn(c.v[i], ctx);
    for (size_t i = 0; i < c.n; i++)
        free(c.v[i]);
    free(c.v);
    return rc;
}

int syncdb_item_gone(struct syncdb *d, const char *item_code, const char *now, struct qs_err *e)
{
    int rc;
    if ((rc = syncdb_run(d, ST_ITEM_GONE, sql_item_gone, e, "sss", syncdb_shop(d),
                         syncdb_nz(item_code), syncdb_nz(now))) < 0)
        return rc;
    return item_seen(d, item_code, SYNC_CHANGED, e);
}

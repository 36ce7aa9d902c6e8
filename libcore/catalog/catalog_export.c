/* catalog_export: the catalog in the qs template (CAT_QS_COLUMNS), what `qs publish
 * list` writes and `qs import products` reads back (R-PUB-8, R-IMP-1). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "catalog_int.h"
#include "../tm.h"

/* The query's columns are in the order of cat_qs_columns. */
static const char export_sql[] =
    "SELECT p.parent_sku, v.sku, p.title, p.description, p.tags, p.brand, v.upc,"
    " p.landing_url, v.msrp, v.color, v.size, v.source_urls, v.price, v.shipping,"
    " v.quantity, v.min_days, v.max_days, v.main_image, v.extra_images, p.grp, p.category,"
    " p.code, p.code_type, v.extra, p.state, p.publish_at, p.item_code, p.error"
    " FROM product p JOIN variant v ON v.product_id = p.id"
    " WHERE p.shop = ?1 AND (?2 IS NULL OR p.state = ?2) AND (?3 IS NULL OR p.grp = ?3)"
    " ORDER BY p.id, v.id";

int cat_export(struct store *s, const char *shop, const char *state, const char *group,
               const char *tz, int (*fn)(void *ctx, const struct rec *r, struct qs_err *e),
               void *ctx, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    struct rec *r = rec_new();
    int rc;

    if (sqlite3_prepare_v2(store_db(s), export_sql, -1, &st, NULL) != SQLITE_OK) {
        rc = store_sqlerr(s, e, "store");
        goto out;
    }
    sqlite3_bind_text(st, 1, shop, -1, SQLITE_STATIC);
    if (state)
        sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    if (group)
        sqlite3_bind_text(st, 3, group, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rec_clear(r);
        for (size_t i = 0; i < cat_qs_ncolumns; i++) {
            const char *name = cat_qs_columns[i];
            const char *v = (const char *)sqlite3_column_text(st, (int)i);
            int type = sqlite3_column_type(st, (int)i);
            if (type == SQLITE_NULL) {
                rec_set_typed(r, name, "", REC_NULL);
            } else if (type == SQLITE_INTEGER) {
                rec_set_typed(r, name, v, REC_NUM);
            } else if (strcmp(name, "extra") == 0) {
                rec_set_typed(r, name, v, REC_RAW); /* a JSON object in JSON Lines */
            } else if (strcmp(name, "publish_at") == 0) {
                time_t t;
                char buf[64];
                if (tm_parse_utc_iso(v, &t) == 0 && tm_format(t, tz, 0, buf, sizeof buf) == 0)
                    v = buf;
                rec_set(r, name, v);
            } else {
                rec_set(r, name, v);
            }
        }
        if ((rc = fn(ctx, r, e)) < 0)
            goto out;
    }
    rc = rc == SQLITE_DONE ? 0 : store_sqlerr(s, e, "reading the catalog");
out:
    sqlite3_finalize(st);
    rec_free(r);
    return rc;
}

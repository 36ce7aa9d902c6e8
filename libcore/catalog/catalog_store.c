/* catalog_store: every write of product, variant, product_group, catalog_batch and
 * catalog_change outside the import's hot path (catalog_store_imp.c). */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tm.h"

/* ---- batches ---- */

int cstore_batch_open(struct store *s, const char *shop, const char *kind, long long *id,
                      struct qs_err *e)
{
    char now[32];
    int rc = store_run(s, e, "INSERT INTO catalog_batch (shop, kind, at) VALUES (?1, ?2, ?3)",
                       "ttt", shop, kind, tm_utc_iso(time(NULL), now, sizeof now));
    *id = rc == 0 ? sqlite3_last_insert_rowid(store_db(s)) : 0;
    return rc;
}

int cstore_change_add(struct store *s, long long batch, long long product, long long variant,
                      const char *field, const char *old, const char *new_, struct qs_err *e)
{
    return store_run(s, e,
                     "INSERT INTO catalog_change (batch, product_id, variant_id, field, old, new)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                     "iizttt", batch, product, variant, field, old, new_);
}

int cstore_batch_undone(struct store *s, long long batch, const char *now, struct qs_err *e)
{
    return store_run(s, e, "UPDATE catalog_batch SET undone_at = ?2 WHERE id = ?1", "it", batch,
                     now);
}

/* ---- products ---- */

int cstore_product_state(struct store *s, long long id, const char *state, const char *error,
                         const char *now, struct qs_err *e)
{
    return store_run(s, e,
                     "UPDATE product SET state = ?2, error = ?3, updated_at = ?4 WHERE id = ?1",
                     "ittt", id, state, error, now);
}

int cstore_product_retake(struct store *s, long long id, struct qs_err *e)
{
    return store_run(s, e, "UPDATE product SET state = 'publishing' WHERE id = ?1", "i", id);
}

int cstore_product_error(struct store *s, long long id, const char *error, const char *now,
                         struct qs_err *e)
{
    return store_run(s, e, "UPDATE product SET error = ?2, updated_at = ?3 WHERE id = ?1", "itt",
                     id, error, now);
}

int cstore_product_step(struct store *s, long long id, const char *step, const char *now,
                        struct qs_err *e)
{
    return store_run(s, e, "UPDATE product SET step = ?2, updated_at = ?3 WHERE id = ?1", "itt", id,
                     step, now);
}

int cstore_product_sent(struct store *s, long long id, const char *at, struct qs_err *e)
{
    return store_run(s, e, "UPDATE product SET create_sent_at = ?2 WHERE id = ?1", "it", id, at);
}

int cstore_product_item(struct store *s, long long id, const char *item_code, const char *step,
                        const char *now, struct qs_err *e)
{
    return store_run(s, e,
                     "UPDATE product SET item_code = ?2, step = ?3, create_sent_at = NULL,"
                     " updated_at = ?4 WHERE id = ?1",
                     "ittt", id, item_code, step, now);
}

int cstore_product_batch(struct store *s, long long id, long long batch, const char *now,
                         struct qs_err *e)
{
    return store_run(s, e, "UPDATE product SET batch = ?2, updated_at = ?3 WHERE id = ?1", "iit",
                     id, batch, now);
}

int cstore_product_schedule(struct store *s, long long id, const char *when, const char *step,
                            long long batch, const char *now, struct qs_err *e)
{
    return store_run(s, e,
                     "UPDATE product SET state = 'scheduled', publish_at = ?2, step = ?3,"
                     " error = NULL, batch = ?4, updated_at = ?5 WHERE id = ?1",
                     "ittit", id, when, step, batch, now);
}

int cstore_product_unschedule(struct store *s, long long id, long long batch, const char *now,
                              struct qs_err *e)
{
    return store_run(s, e,
                     "UPDATE product SET state = 'pending', publish_at = NULL, batch = ?2,"
                     " updated_at = ?3 WHERE id = ?1",
                     "iit", id, batch, now);
}

int cstore_product_category(struct store *s, long long id, const char *category, const char *now,
                            struct qs_err *e)
{
    return store_run(s, e, "UPDATE product SET category = ?2, updated_at = ?3 WHERE id = ?1", "itt",
                     id, category, now);
}

int cstore_product_profile(struct store *s, long long id, const char *profile, const char *now,
                           struct qs_err *e)
{
    return store_run(s, e, "UPDATE product SET profile = ?2, updated_at = ?3 WHERE id = ?1", "itt",
                     id, profile, now);
}

int cstore_product_restore(struct store *s, long long id, const char *field, const char *old,
                           const char *now, struct qs_err *e)
{
    /* The column is chosen from this list, never taken from input. */
    static const char *const sql[] = {
        "UPDATE product SET state = ?2, updated_at = ?3 WHERE id = ?1",
        "UPDATE product SET publish_at = ?2, updated_at = ?3 WHERE id = ?1",
        "UPDATE product SET step = ?2, updated_at = ?3 WHERE id = ?1",
        "UPDATE product SET error = ?2, updated_at = ?3 WHERE id = ?1",
    };
    static const char *const names[] = {"state", "publish_at", "step", "error"};
    if (strcmp(field, "batch") == 0)
        return store_run(s, e, "UPDATE product SET batch = ?2, updated_at = ?3 WHERE id = ?1",
                         "izt", id, old ? strtoll(old, NULL, 10) : 0LL, now);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(field, names[i]) == 0)
            return store_run(s, e, sql[i], "itt", id, old, now);
    return err_set(e, QS_E_SOFTWARE, NULL, "no product field %s to restore", field);
}

int cstore_product_copy(struct store *s, long long id, const char *parent, long long batch,
                        const char *now, long long *nid, struct qs_err *e)
{
    int rc = store_run(s, e,
                       "INSERT INTO product (shop, parent_sku, title, description, tags, brand,"
                       " landing_url, code, code_type, grp, category, profile, state, batch,"
                       " created_at, updated_at)"
                       " SELECT shop, ?2, title, description, tags, brand, landing_url, code,"
                       " code_type, grp, category, profile, 'pending', ?3, ?4, ?4 FROM product"
                       " WHERE id = ?1",
                       "itit", id, parent, batch, now);
    *nid = sqlite3_last_insert_rowid(store_db(s));
    return rc;
}

int cstore_product_delete(struct store *s, long long id, struct qs_err *e)
{
    return store_run(s, e, "DELETE FROM product WHERE id = ?1", "i", id);
}

int cstore_product_promote(struct store *s, const char *shop, const char *due, const char *now,
                           cstore_promote_fn fn, void *ctx, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = 0, step;
    if (sqlite3_prepare_v2(store_db(s),
                           "UPDATE product SET state = 'publishing', updated_at = ?3"
                           " WHERE shop = ?1 AND state = 'scheduled' AND publish_at <= ?2"
                           " RETURNING id, parent_sku, coalesce(batch, 0), publish_at",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sqlerr(s, e, "catalog");
    sqlite3_bind_text(st, 1, shop, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, due, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
    /* RETURNING rows come from the first step: the callback may write meanwhile. */
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn(ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
                     sqlite3_column_int64(st, 2), (const char *)sqlite3_column_text(st, 3))) < 0)
            goto out;
    if (step != SQLITE_DONE)
        rc = store_sqlerr(s, e, "catalog");
out:
    sqlite3_finalize(st);
    return rc;
}

/* ---- variants ---- */

int cstore_variant_edit(struct store *s, long long id, long long price, long long qty,
                        long long shipping, long long batch, const char *now, struct qs_err *e)
{
    /* NULL stays NULL: a variant without quantity or shipping keeps none. */
    return store_run(s, e,
                     "UPDATE variant SET price = ?2, quantity = iif(?3 < 0, NULL, ?3),"
                     " shipping = iif(?4 < 0, NULL, ?4), batch = ?5, updated_at = ?6 WHERE id = ?1",
                     "iiiiit", id, price, qty, shipping, batch, now);
}

int cstore_variant_quantity(struct store *s, long long id, long long qty, struct qs_err *e)
{
    return store_run(s, e, "UPDATE variant SET quantity = ?2 WHERE id = ?1", "ii", id, qty);
}

int cstore_variant_restore(struct store *s, long long id, const char *field, const char *old,
                           struct qs_err *e)
{
    if (strcmp(field, "price") == 0)
        return store_run(s, e, "UPDATE variant SET price = ?2 WHERE id = ?1", "it", id, old);
    if (strcmp(field, "quantity") == 0)
        return store_run(s, e, "UPDATE variant SET quantity = ?2 WHERE id = ?1", "it", id, old);
    if (strcmp(field, "shipping") == 0)
        return store_run(s, e, "UPDATE variant SET shipping = ?2 WHERE id = ?1", "it", id, old);
    return err_set(e, QS_E_SOFTWARE, NULL, "no variant field %s to restore", field);
}

int cstore_variant_batch(struct store *s, long long id, long long batch, struct qs_err *e)
{
    return store_run(s, e, "UPDATE variant SET batch = ?2 WHERE id = ?1", "iz", id, batch);
}

int cstore_variant_copy(struct store *s, long long id, const char *sku, long long product,
                        long long batch, const char *now, struct qs_err *e)
{
    return store_run(s, e,
                     "INSERT INTO variant (shop, sku, product_id, color, size, upc, msrp,"
                     " price, shipping, quantity, min_days, max_days, source_urls, main_image,"
                     " extra_images, extra, batch, created_at, updated_at)"
                     " SELECT shop, ?2, ?3, color, size, upc, msrp, price, shipping, quantity,"
                     " min_days, max_days, source_urls, main_image, extra_images, extra, ?4,"
                     " ?5, ?5 FROM variant WHERE id = ?1",
                     "itiit", id, sku, product, batch, now);
}

/* ---- groups ---- */

int cstore_group_category(struct store *s, const char *shop, const char *name, const char *category,
                          struct qs_err *e)
{
    return store_run(s, e, "UPDATE product_group SET category = ?3 WHERE shop = ?1 AND name = ?2",
                     "ttt", shop, name, category);
}

int cstore_group_profile(struct store *s, const char *shop, const char *name, const char *profile,
                         int *found, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    *found = 0;
    if (sqlite3_prepare_v2(store_db(s),
                           "UPDATE product_group SET profile = ?3 WHERE shop = ?1 AND name = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sqlerr(s, e, "listing profiles");
    sqlite3_bind_text(st, 1, shop, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    if (profile)
        sqlite3_bind_text(st, 3, profile, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
        int rc = store_sqlerr(s, e, "listing profiles");
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_finalize(st);
    *found = sqlite3_changes(store_db(s)) > 0;
    return 0;
}

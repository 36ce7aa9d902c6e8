/* catalog_store_imp: the writes of qs import products -- product, variant and
 * product_group -- through statements prepared once per import (SQLITE_PREPARE_PERSISTENT)
 * and bound from the row at hand: the import's hot path prepares nothing per row. Part of
 * the catalog store (catalog_store.h); the rules are checked in catalog_import.c before
 * anything here runs. */
#include <string.h>

#include "catalog_int.h"

int cstore_imp_prepare(struct imp *m, struct qs_err *e)
{
    struct cstore_imp *w = &m->w;
    int rc;
    if ((rc = imp_prep(m, &w->v_ins,
                       "INSERT INTO variant (shop, sku, product_id, color, size, upc, msrp, price,"
                       " shipping, quantity, min_days, max_days, source_urls, main_image,"
                       " extra_images, extra, import_id, import_line, created_at, updated_at)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
                       " ?16, ?17, ?18, ?19, ?19)",
                       e)) < 0 ||
        /* --update: a column the file lacks keeps its value (the ?k flags). */
        (rc = imp_prep(m, &w->v_upd,
                       "UPDATE variant SET color = iif(?1, ?2, color), size = iif(?3, ?4, size),"
                       " upc = iif(?5, ?6, upc), msrp = iif(?7, ?8, msrp),"
                       " price = iif(?9, ?10, price), shipping = iif(?11, ?12, shipping),"
                       " quantity = iif(?13, ?14, quantity), min_days = iif(?15, ?16, min_days),"
                       " max_days = iif(?17, ?18, max_days),"
                       " source_urls = iif(?19, ?20, source_urls),"
                       " main_image = iif(?21, ?22, main_image),"
                       " extra_images = iif(?23, ?24, extra_images),"
                       " extra = iif(?25 IS NULL, extra, json_patch(coalesce(extra, '{}'), ?25)),"
                       " import_id = ?26, import_line = ?27, updated_at = ?28 WHERE id = ?29",
                       e)) < 0 ||
        (rc = imp_prep(m, &w->p_ins,
                       "INSERT INTO product (shop, parent_sku, title, description, tags, brand,"
                       " landing_url, code, code_type, grp, category, state, import_id,"
                       " import_line, created_at, updated_at, id) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                       " ?7, ?8, ?9, ?10, ?11, ?16, ?12, ?13, ?14, ?14, ?15)",
                       e)) < 0 ||
        (rc = imp_prep(m, &w->p_claim,
                       "UPDATE product SET title = iif(?1, ?2, title),"
                       " description = iif(?3, ?4, description), tags = iif(?5, ?6, tags),"
                       " brand = iif(?7, ?8, brand), landing_url = iif(?9, ?10, landing_url),"
                       " code_type = iif(?11 IS NULL, code_type, ?12), code = coalesce(?11, code),"
                       " grp = coalesce(?13, grp), category = coalesce(?14, category),"
                       " import_id = ?15, import_line = ?16, updated_at = ?17 WHERE id = ?18",
                       e)) < 0 ||
        (rc =
             imp_prep(m, &w->p_touch,
                      "UPDATE product SET import_id = ?1, import_line = 0, grp = coalesce(?2, grp),"
                      " updated_at = ?3 WHERE id = ?4",
                      e)) < 0 ||
        (rc = imp_prep(m, &w->p_tags, "UPDATE product SET tags = ?1, updated_at = ?2 WHERE id = ?3",
                       e)) < 0 ||
        (rc = imp_prep(m, &w->p_code,
                       "UPDATE product SET code = ?1, code_type = ?2, updated_at = ?3"
                       " WHERE id = ?4 AND code IS NULL",
                       e)) < 0 ||
        (rc = imp_prep(m, &w->grp_ins,
                       "INSERT OR IGNORE INTO product_group (shop, name, created_at)"
                       " VALUES (?1, ?2, ?3)",
                       e)) < 0)
        return rc;
    return 0;
}

void cstore_imp_finalize(struct imp *m)
{
    struct cstore_imp *w = &m->w;
    sqlite3_stmt **all[] = {&w->v_ins,   &w->v_upd,  &w->p_ins,  &w->p_claim,
                            &w->p_touch, &w->p_tags, &w->p_code, &w->grp_ins};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        sqlite3_finalize(*all[i]);
        *all[i] = NULL;
    }
}

static void bind_text(sqlite3_stmt *st, int i, const char *s, size_t n)
{
    sqlite3_bind_text(st, i, s, (int)n, SQLITE_STATIC);
}

/* Binds a text field of the row, or NULL when empty. */
static void bind_opt(sqlite3_stmt *st, int i, const char *s, size_t n)
{
    if (n)
        bind_text(st, i, s, n);
    else
        sqlite3_bind_null(st, i);
}

static void bind_int(sqlite3_stmt *st, int i, long long v)
{
    if (v >= 0)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

/* ---- products ---- */

int cstore_imp_product_add(struct imp *m, const char *code, const char *type, const char *grp,
                           struct qs_err *e)
{
    struct cat_row *r = &m->r;
    sqlite3_stmt *st = m->w.p_ins;
    bind_text(st, 1, m->shop, strlen(m->shop));
    bind_text(st, 2, r->v[CF_PARENT_SKU], r->n[CF_PARENT_SKU]);
    bind_text(st, 3, r->v[CF_TITLE], r->n[CF_TITLE]);
    bind_text(st, 4, r->v[CF_DESCRIPTION], r->n[CF_DESCRIPTION]);
    bind_text(st, 5, r->tags.p, r->tags.len);
    bind_text(st, 6, r->v[CF_BRAND], r->n[CF_BRAND]);
    bind_text(st, 7, r->v[CF_LANDING_URL], r->n[CF_LANDING_URL]);
    bind_opt(st, 8, code, code ? strlen(code) : 0);
    bind_opt(st, 9, type, code ? strlen(type) : 0);
    bind_opt(st, 10, grp, grp ? strlen(grp) : 0);
    bind_opt(st, 11, r->v[CF_CATEGORY], r->n[CF_CATEGORY]);
    sqlite3_bind_int64(st, 12, m->run);
    sqlite3_bind_int64(st, 13, r->line);
    bind_text(st, 14, m->now, strlen(m->now));
    sqlite3_bind_int64(st, 15, m->nextprod); /* the id its first variant already names */
    /* R-SRC-1: a box import keeps its products in the collection box. */
    bind_text(st, 16, m->o->box ? "collected" : "pending", m->o->box ? 9 : 7);
    return imp_run(m, st, e, "adding a product");
}

int cstore_imp_product_claim(struct imp *m, const char *code, const char *type, const char *grp,
                             struct qs_err *e)
{
    /* The product-level fields of R-IMP-3 and their parameters. */
    static const int fields[] = {CF_TITLE, CF_DESCRIPTION, CF_BRAND, CF_LANDING_URL};
    static const int param[] = {1, 3, 7, 9};
    struct cat_row *r = &m->r;
    sqlite3_stmt *st = m->w.p_claim;

    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        int f = fields[i], k = param[i];
        /* An empty title or description keeps the stored one. */
        sqlite3_bind_int(st, k, r->has[f] && (r->n[f] || (f != CF_TITLE && f != CF_DESCRIPTION)));
        bind_text(st, k + 1, r->v[f], r->n[f]);
    }
    sqlite3_bind_int(st, 5, r->has[CF_TAGS]);
    bind_text(st, 6, r->tags.p ? r->tags.p : "", r->tags.len);
    bind_opt(st, 11, code, code ? strlen(code) : 0);
    bind_opt(st, 12, type, code ? strlen(type) : 0);
    bind_opt(st, 13, grp, grp ? strlen(grp) : 0);
    bind_opt(st, 14, r->v[CF_CATEGORY], r->n[CF_CATEGORY]);
    sqlite3_bind_int64(st, 15, m->run);
    sqlite3_bind_int64(st, 16, r->line);
    bind_text(st, 17, m->now, strlen(m->now));
    sqlite3_bind_int64(st, 18, m->cur.id);
    return imp_run(m, st, e, "updating a product");
}

int cstore_imp_product_touch(struct imp *m, const char *grp, struct qs_err *e)
{
    sqlite3_stmt *st = m->w.p_touch;
    sqlite3_bind_int64(st, 1, m->run);
    bind_opt(st, 2, grp, grp ? strlen(grp) : 0);
    bind_text(st, 3, m->now, strlen(m->now));
    sqlite3_bind_int64(st, 4, m->cur.id);
    return imp_run(m, st, e, "updating a product");
}

int cstore_imp_product_tags(struct imp *m, const char *tags, size_t n, struct qs_err *e)
{
    sqlite3_stmt *st = m->w.p_tags;
    bind_text(st, 1, tags, n);
    bind_text(st, 2, m->now, strlen(m->now));
    sqlite3_bind_int64(st, 3, m->cur.id);
    return imp_run(m, st, e, "updating tags");
}

int cstore_imp_product_code(struct imp *m, long long id, const char *code, const char *type,
                            struct qs_err *e)
{
    sqlite3_stmt *st = m->w.p_code;
    bind_text(st, 1, code, strlen(code));
    bind_text(st, 2, type, strlen(type));
    bind_text(st, 3, m->now, strlen(m->now));
    sqlite3_bind_int64(st, 4, id);
    return imp_run(m, st, e, "setting a code");
}

int cstore_imp_group_add(struct imp *m, const char *grp, struct qs_err *e)
{
    sqlite3_stmt *st = m->w.grp_ins;
    sqlite3_bind_text(st, 1, m->shop, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, grp, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m->now, -1, SQLITE_STATIC);
    return imp_run(m, st, e, "adding a group");
}

/* ---- variants ---- */

int cstore_imp_variant_add(struct imp *m, const struct cat_variant *v, struct qs_err *e)
{
    struct cat_row *r = &m->r;
    sqlite3_stmt *st = m->w.v_ins;
    int rc;
    bind_text(st, 1, m->shop, strlen(m->shop));
    bind_text(st, 2, v->sku, strlen(v->sku));
    sqlite3_bind_int64(st, 3, m->cur.id ? m->cur.id : m->nextprod);
    bind_text(st, 4, v->color, strlen(v->color));
    bind_text(st, 5, v->size, strlen(v->size));
    bind_opt(st, 6, r->upc, r->upc_type ? strlen(r->upc) : 0);
    bind_int(st, 7, r->msrp);
    bind_int(st, 8, v->price);
    bind_int(st, 9, r->shipping);
    bind_int(st, 10, v->qty);
    bind_int(st, 11, r->min_days);
    bind_int(st, 12, r->max_days);
    bind_text(st, 13, r->sources.p ? r->sources.p : "", r->sources.len);
    bind_text(st, 14, r->v[CF_MAIN_IMAGE], r->n[CF_MAIN_IMAGE]);
    bind_text(st, 15, r->images.p ? r->images.p : "", r->images.len);
    bind_opt(st, 16, r->extra.p, r->extra.len);
    sqlite3_bind_int64(st, 17, m->run);
    sqlite3_bind_int64(st, 18, r->line);
    bind_text(st, 19, m->now, strlen(m->now));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return 1;
    return imp_sqlerr(m, e, "adding a variant");
}

static int has_images(const struct cat_row *r)
{
    for (int f = CF_EXTRA_IMAGE1; f <= CF_EXTRA_IMAGES; f++)
        if (r->has[f])
            return 1;
    return 0;
}

int cstore_imp_variant_update(struct imp *m, const struct cat_variant *v, long long id,
                              struct qs_err *e)
{
    struct cat_row *r = &m->r;
    sqlite3_stmt *st = m->w.v_upd;
    int opt = m->tpl == CAT_TPL_QOO10 && r->n[CF_OPTIONS];
    sqlite3_bind_int(st, 1, r->has[CF_COLOR] || opt);
    bind_text(st, 2, v->color, strlen(v->color));
    sqlite3_bind_int(st, 3, r->has[CF_SIZE] || opt);
    bind_text(st, 4, v->size, strlen(v->size));
    sqlite3_bind_int(st, 5, r->has[CF_UPC]);
    bind_opt(st, 6, r->upc, r->upc_type ? strlen(r->upc) : 0);
    sqlite3_bind_int(st, 7, r->has[CF_MSRP]);
    bind_int(st, 8, r->msrp);
    sqlite3_bind_int(st, 9, v->price >= 0);
    bind_int(st, 10, v->price);
    sqlite3_bind_int(st, 11, r->has[CF_SHIPPING]);
    bind_int(st, 12, r->shipping);
    /* An option or a price/quantity file without a quantity keeps the stored one. */
    sqlite3_bind_int(st, 13, opt || m->price_qty ? v->qty >= 0 : r->has[CF_QUANTITY]);
    bind_int(st, 14, v->qty);
    sqlite3_bind_int(st, 15, r->has[CF_MIN_DAYS]);
    bind_int(st, 16, r->min_days);
    sqlite3_bind_int(st, 17, r->has[CF_MAX_DAYS]);
    bind_int(st, 18, r->max_days);
    sqlite3_bind_int(st, 19, r->has[CF_SOURCE_URLS]);
    bind_text(st, 20, r->sources.p ? r->sources.p : "", r->sources.len);
    sqlite3_bind_int(st, 21, r->n[CF_MAIN_IMAGE] > 0);
    bind_text(st, 22, r->v[CF_MAIN_IMAGE], r->n[CF_MAIN_IMAGE]);
    sqlite3_bind_int(st, 23, has_images(r));
    bind_text(st, 24, r->images.p ? r->images.p : "", r->images.len);
    bind_opt(st, 25, r->extra.p, r->extra.len);
    sqlite3_bind_int64(st, 26, m->run);
    sqlite3_bind_int64(st, 27, r->line);
    bind_text(st, 28, m->now, strlen(m->now));
    sqlite3_bind_int64(st, 29, id);
    return imp_run(m, st, e, "updating a variant");
}

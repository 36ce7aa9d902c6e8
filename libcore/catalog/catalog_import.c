/* catalog_import: qs import products -- R-IMP-1..12 and R-UPC-2, streaming, in one
 * transaction.
 *
 * Each row is read, checked and written straight into product and variant; nothing
 * about the file is kept in memory but the row at hand and the product it belongs to
 * (rows of a product are usually adjacent). What must be remembered goes to SQLite:
 * the seen-SKU set of R-IMP-4 is variant's own UNIQUE (shop, sku) index (plus a
 * temporary table for the SKUs of rejected rows), and the product-level rules are
 * SQL over the rows written (R-IMP-9) or checks against the product row (R-IMP-3,
 * R-IMP-5). Errors are reported as found; at the end, any error rolls everything
 * back (R-IMP-11) unless --skip-bad. The product of a row is in catalog_prod.c; every
 * write goes through the catalog store (catalog_store_imp.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"
#include "../progress.h"
#include "../xalloc.h"

/* ---- statements ---- */

int imp_prepare(struct imp *m, struct qs_err *e)
{
    int rc;
    if ((rc = imp_prep(m, &m->v_find,
                       "SELECT v.id, v.import_id, v.import_line, p.parent_sku FROM variant v"
                       " JOIN product p ON p.id = v.product_id WHERE v.shop = ?1 AND v.sku = ?2",
                       e)) < 0 ||
        (rc = imp_prep(m, &m->v_skus, "SELECT sku FROM variant WHERE product_id = ?1", e)) < 0 ||
        (rc = imp_prep(m, &m->p_find,
                       "SELECT id, title, description, brand, landing_url, tags, code IS NOT NULL,"
                       " state, import_id = ?3, import_line FROM product"
                       " WHERE shop = ?1 AND parent_sku = ?2",
                       e)) < 0 ||
        (rc = imp_prep(m, &m->bad_get, "SELECT line FROM temp.imp_badsku WHERE sku = ?1", e)) < 0 ||
        (rc = imp_prep(m, &m->bad_ins,
                       "INSERT OR IGNORE INTO temp.imp_badsku (sku, line) VALUES (?1, ?2)", e)) <
            0 ||
        (rc = imp_prep(m, &m->touch_ins,
                       "INSERT OR IGNORE INTO temp.imp_touched (product_id) VALUES (?1)", e)) < 0 ||
        (rc = imp_prep(m, &m->rej_get, "SELECT reason FROM temp.imp_rejpar WHERE parent = ?1", e)) <
            0)
        return rc;
    /* The writes: the catalog store's statements. */
    return cstore_imp_prepare(m, e);
}

static void finalize_all(struct imp *m)
{
    sqlite3_stmt **all[] = {&m->v_find,  &m->v_skus,  &m->p_find,   &m->bad_get,
                            &m->bad_ins, &m->rej_get, &m->touch_ins};
    cstore_imp_finalize(m);
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        sqlite3_finalize(*all[i]);
        *all[i] = NULL;
    }
}

/* ---- R-IMP-4: the seen-SKU set ---- */

static void var_need(struct imp *m, size_t n)
{
    if (n <= m->capvars)
        return;
    size_t cap = m->capvars ? m->capvars * 2 : 4;
    while (cap < n)
        cap *= 2;
    m->vars = xrealloc(m->vars, cap * sizeof *m->vars);
    m->found = xrealloc(m->found, cap * sizeof *m->found);
    memset(m->vars + m->capvars, 0, (cap - m->capvars) * sizeof *m->vars);
    m->capvars = cap;
}

static int check_sku(struct imp *m, size_t i, struct qs_err *e)
{
    struct cat_row *r = &m->r;
    struct cat_variant *v = &m->vars[i];
    /* A qoo10 SKU is an option's code, or the SellerCode of an item without options. */
    int opt = m->tpl == CAT_TPL_QOO10 && r->n[CF_OPTIONS];
    int f = m->tpl != CAT_TPL_QOO10 ? CF_SKU : opt ? CF_OPTIONS : CF_PARENT_SKU;
    const char *what = opt ? "option code " : "";
    int rc;

    m->found[i].id = 0;
    if (!*v->sku)
        return 0;
    for (size_t k = 0; k < i; k++) {
        if (strcmp(m->vars[k].sku, v->sku) == 0) {
            row_err(m, f, "R-IMP-4", "%s\"%s\" repeats option %zu of this row", what, v->sku,
                    k + 1);
            return 0;
        }
    }
    if (m->nbad) {
        sqlite3_bind_text(m->bad_get, 1, v->sku, -1, SQLITE_STATIC);
        rc = sqlite3_step(m->bad_get);
        if (rc == SQLITE_ROW) {
            row_err(m, f, "R-IMP-4", "%s\"%s\" repeats %s %lld", what, v->sku, imp_line_word(m),
                    (long long)sqlite3_column_int64(m->bad_get, 0));
            sqlite3_reset(m->bad_get);
            return 0;
        }
        sqlite3_reset(m->bad_get);
        if (rc != SQLITE_DONE)
            return imp_sqlerr(m, e, "reading SKUs");
    }
    sqlite3_bind_text(m->v_find, 1, m->shop, -1, SQLITE_STATIC);
    sqlite3_bind_text(m->v_find, 2, v->sku, -1, SQLITE_STATIC);
    rc = sqlite3_step(m->v_find);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(m->v_find);
        if (m->price_qty)
            row_err(m, f, "R-IMP-4",
                    "%s\"%s\" is not in the catalog of shop %s; a price/quantity file only "
                    "updates",
                    what, v->sku, m->shop);
        return 0;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(m->v_find);
        return imp_sqlerr(m, e, "reading SKUs");
    }
    long long id = sqlite3_column_int64(m->v_find, 0);
    long long imp = sqlite3_column_int64(m->v_find, 1);
    long long line = sqlite3_column_int64(m->v_find, 2);
    const char *parent = (const char *)sqlite3_column_text(m->v_find, 3);
    if (imp == m->run) {
        /* R-IMP-4: unique within the file. */
        row_err(m, f, "R-IMP-4", "%s\"%s\" repeats %s %lld", what, v->sku, imp_line_word(m), line);
    } else if (m->price_qty) {
        m->found[i].id = id;
        cat_buf_set(&r->trim_parent, parent, strlen(parent));
        r->v[CF_PARENT_SKU] = r->trim_parent.p;
        r->n[CF_PARENT_SKU] = r->trim_parent.len;
    } else if (!m->o->update) {
        /* R-IMP-4: unique within the shop's catalog, unless --update. */
        row_err(m, f, "R-IMP-4",
                "%s\"%s\" is already in the catalog of shop %s; give --update to update it", what,
                v->sku, m->shop);
    } else if (strlen(parent) != r->n[CF_PARENT_SKU] ||
               memcmp(parent, r->v[CF_PARENT_SKU], r->n[CF_PARENT_SKU]) != 0) {
        row_err(m, f, "R-IMP-4", "%s\"%s\" belongs to Parent SKU \"%s\" in the catalog, not \"%s\"",
                what, v->sku, parent, r->v[CF_PARENT_SKU]);
    } else {
        m->found[i].id = id;
    }
    sqlite3_reset(m->v_find);
    return 0;
}

/* ---- variants ---- */

/* The variants of the row: the options of a qoo10 option_info cell, or the row. */
static void row_variants(struct imp *m)
{
    struct cat_row *r = &m->r;
    m->nvars = 0;
    if (m->tpl == CAT_TPL_QOO10 && r->n[CF_OPTIONS]) {
        size_t pos = 0;
        int k = 0;
        for (;;) {
            var_need(m, m->nvars + 1);
            if (!cat_row_option(r, &m->o->fx, &pos, &k, &m->vars[m->nvars], imp_diag, m))
                break;
            m->nvars++;
        }
        if (k == 0)
            row_err(m, CF_OPTIONS, "R-IMP-2", "has no option");
        return;
    }
    var_need(m, 1);
    struct cat_variant *v = &m->vars[0];
    v->sku = m->tpl == CAT_TPL_QOO10 ? r->v[CF_PARENT_SKU] : r->v[CF_SKU];
    v->color = r->v[CF_COLOR];
    v->size = r->v[CF_SIZE];
    v->price = r->price;
    /* R-SRC-1: a new box row without a price holds 0 until claimed. */
    if (v->price < 0 && m->o->box && !m->o->update)
        v->price = 0;
    v->qty = r->qty;
    m->nvars = 1;
}

/* --skip-bad: the row goes to the rejects file with its reasons. */
static int reject(struct imp *m, struct rec *rec, enum rec_format fmt, struct qs_err *e)
{
    int rc = 0;
    for (size_t i = 0; i < m->nvars; i++) {
        if (!*m->vars[i].sku)
            continue;
        /* Later repeats of a rejected row's SKU are still repeats (R-IMP-4). */
        sqlite3_bind_text(m->bad_ins, 1, m->vars[i].sku, -1, SQLITE_STATIC);
        sqlite3_bind_int64(m->bad_ins, 2, m->r.line);
        if ((rc = imp_run(m, m->bad_ins, e, "noting a SKU")) < 0)
            return rc;
        m->nbad++;
    }
    if (!m->o->skip_bad || !m->r.nerr || m->fatal)
        return 0;
    m->st->rejected++;
    rec_set(rec, "reason", m->r.reasons.p ? m->r.reasons.p : "");
    if (m->cb->reject)
        rc = m->cb->reject(m->cb->ctx, rec, fmt, e);
    return rc;
}

/* In the rerun: the row's product failed a product-level rule in the first run. */
static int rejected_product(struct imp *m, struct qs_err *e)
{
    int rc;
    if (!m->nrejpar)
        return 0;
    sqlite3_bind_text(m->rej_get, 1, m->r.v[CF_PARENT_SKU], (int)m->r.n[CF_PARENT_SKU],
                      SQLITE_STATIC);
    rc = sqlite3_step(m->rej_get);
    if (rc == SQLITE_ROW) {
        const char *why = (const char *)sqlite3_column_text(m->rej_get, 0);
        m->r.nerr++;
        cat_buf_add(&m->r.reasons, m->r.reasons.len ? "; " : "", m->r.reasons.len ? 2 : 0);
        cat_buf_add(&m->r.reasons, why, strlen(why));
    }
    sqlite3_reset(m->rej_get);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : imp_sqlerr(m, e, "reading rejects");
}

/* R-IMP-4 before the row is written: the SKUs of rejected rows (a temporary table). */
static int check_bad(struct imp *m, struct qs_err *e)
{
    struct cat_variant *v = &m->vars[0];
    int rc;
    m->found[0].id = 0;
    if (!m->nbad || !*v->sku)
        return 0;
    sqlite3_bind_text(m->bad_get, 1, v->sku, -1, SQLITE_STATIC);
    rc = sqlite3_step(m->bad_get);
    if (rc == SQLITE_ROW)
        row_err(m, CF_SKU, "R-IMP-4", "\"%s\" repeats %s %lld", v->sku, imp_line_word(m),
                (long long)sqlite3_column_int64(m->bad_get, 0));
    sqlite3_reset(m->bad_get);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : imp_sqlerr(m, e, "reading SKUs");
}

/* --update: a new SKU needs the required fields its row has no column for (of a product
 * in the catalog, only the variant's own). */
static void need_new(struct imp *m)
{
    for (size_t i = 0; i < m->nvars; i++) {
        if (m->found[i].id || !*m->vars[i].sku)
            continue;
        for (const int *f = m->required; *f >= 0; f++)
            if (!m->r.has[*f] && *f != CF_PARENT_SKU && *f != CF_SKU &&
                !(m->cur.id && (*f == CF_TITLE || *f == CF_DESCRIPTION || *f == CF_TAGS)))
                row_err(m, *f, "R-IMP-2", "is missing (SKU \"%s\" is new)", m->vars[i].sku);
        return; /* once per row */
    }
}

int imp_row(struct imp *m, struct rec *rec, enum rec_format fmt, long line, struct qs_err *e)
{
    struct cat_row *r = &m->r;
    int rc, fast, inserted = 0;

    m->st->rows++;
    cat_row_fill(r, &m->map, rec, line);
    cat_row_check(r, m->tpl, &m->o->fx, m->required, m->o->update, m->o->box, imp_diag, m);
    row_variants(m);
    if (!r->nerr && (rc = imp_sku_restore(m, e)) < 0)
        return rc;
    /* A good one-variant row is inserted first and its SKU looked up only when the
     * insert finds it taken: the variant's UNIQUE (shop, sku) index is the seen set. */
    fast = m->nvars == 1 && !m->price_qty && !r->nerr && !m->o->update && !m->fatal;
    rc = fast ? check_bad(m, e) : 0;
    for (size_t i = 0; !fast && i < m->nvars && rc == 0; i++)
        rc = check_sku(m, i, e);
    if (rc < 0 || (rc = rejected_product(m, e)) < 0)
        return rc;
    if (!r->nerr && !m->price_qty) {
        if ((rc = imp_prod_resolve(m, e)) < 0)
            return rc;
        if (m->o->update)
            need_new(m);
        imp_prod_check(m);
    }
    if (!r->nerr && fast) {
        if ((rc = cstore_imp_variant_add(m, &m->vars[0], e)) < 0)
            return rc;
        inserted = rc == 0;
        if (rc == 1 && (rc = check_sku(m, 0, e)) < 0)
            return rc;
    }
    if (r->nerr || m->fatal) /* (the file is refused as a whole: only check the rest) */
        return reject(m, rec, fmt, e);
    if (!m->price_qty && (rc = imp_prod_write(m, e)) < 0)
        return rc;
    for (size_t i = 0; i < m->nvars; i++) {
        struct cat_variant *v = &m->vars[i];
        if (!m->found[i].id && v->price < 0 && m->o->box)
            v->price = 0;
        if (m->found[i].id)
            rc = cstore_imp_variant_update(m, v, m->found[i].id, e);
        else if (!inserted)
            rc = cstore_imp_variant_add(m, v, e);
        if (rc == 0 && !m->price_qty && (m->o->box || strcmp(m->cur.state, "collected") == 0))
            rc = cstore_imp_box_price(m, v->sku, !m->found[i].id, e);
        if (rc > 0) /* taken since check_sku: cannot happen under the write lock */
            rc = err_set(e, QS_E_SOFTWARE, NULL, "SKU %s appeared during the import", v->sku);
        if (rc < 0)
            return rc;
        m->st->imported++;
        m->st->updated += m->found[i].id != 0;
        if (!m->found[i].id && !m->price_qty)
            imp_sku_seen(&m->cur, v->sku);
        if (m->price_qty && (rc = imp_prod_resolve(m, e)) == 0 && !m->cur.touched)
            rc = imp_prod_write(m, e);
        if (rc < 0)
            return rc;
        /* R-IMP-12: the imported rows, to be piped on. */
        if (m->cb->row &&
            (rc = m->cb->row(m->cb->ctx, v->sku, m->cur.parent.p, m->cur.state, e)) < 0)
            return rc;
    }
    progress_add(m->prog, 1);
    return 0;
}

void imp_rows_free(struct imp *m)
{
    finalize_all(m);
    cat_map_free(&m->map);
    cat_row_free(&m->r);
    for (size_t i = 0; i < m->capvars; i++)
        cat_variant_free(&m->vars[i]);
    free(m->vars);
    free(m->found);
    struct cat_buf *b[] = {&m->cur.parent,  &m->cur.title, &m->cur.desc, &m->cur.brand,
                           &m->cur.landing, &m->cur.tags,  &m->tagtmp,   &m->skupad};
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
        cat_buf_free(b[i]);
}

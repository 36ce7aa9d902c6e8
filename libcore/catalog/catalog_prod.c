/* catalog_prod: the product of the row at hand in qs import products -- as the store
 * holds it (R-IMP-4's Parent SKU), checked against the row (R-IMP-3, R-IMP-5, R-IMP-10),
 * the option codes Excel stripped (SPEC 1.2), and what the row changes in it, written
 * through the catalog store (catalog_store_imp.c). The rows are in catalog_import.c. */
#include <stdio.h>
#include <string.h>

#include "catalog_int.h"
#include "../text.h"
#include "catalog.h"

static void bind_text(sqlite3_stmt *st, int i, const char *s, size_t n)
{
    sqlite3_bind_text(st, i, s, (int)n, SQLITE_STATIC);
}

/* ---- the product (R-IMP-3, R-IMP-5, R-IMP-10) ---- */

static void col_text(struct cat_buf *b, sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    cat_buf_set(b, s ? s : "", s ? (size_t)sqlite3_column_bytes(st, i) : 0);
}

/* Makes m->cur the product of the row's Parent SKU, as the store holds it. */
int imp_prod_resolve(struct imp *m, struct qs_err *e)
{
    struct prod *c = &m->cur;
    const char *p = m->r.v[CF_PARENT_SKU];
    size_t n = m->r.n[CF_PARENT_SKU];
    int rc;

    if (c->parent.p && c->parent.len == n && memcmp(c->parent.p, p, n) == 0)
        return 0;
    cat_buf_set(&c->parent, p, n);
    c->skuw = 0;
    c->sku0 = 0;
    bind_text(m->p_find, 1, m->shop, strlen(m->shop));
    bind_text(m->p_find, 2, p, n);
    sqlite3_bind_int64(m->p_find, 3, m->run);
    rc = sqlite3_step(m->p_find);
    if (rc == SQLITE_ROW) {
        c->id = sqlite3_column_int64(m->p_find, 0);
        col_text(&c->title, m->p_find, 1);
        col_text(&c->desc, m->p_find, 2);
        col_text(&c->brand, m->p_find, 3);
        col_text(&c->landing, m->p_find, 4);
        col_text(&c->tags, m->p_find, 5);
        c->has_code = sqlite3_column_int(m->p_find, 6);
        snprintf(c->state, sizeof c->state, "%s", (const char *)sqlite3_column_text(m->p_find, 7));
        c->touched = sqlite3_column_int(m->p_find, 8);
        c->line = (long)sqlite3_column_int64(m->p_find, 9);
        c->claimed = c->touched && c->line > 0;
        c->nsku = -1; /* read when needed (sku_restore) */
    } else if (rc == SQLITE_DONE) {
        c->id = 0;
        c->claimed = c->touched = 0;
        c->nsku = 0;
    } else {
        sqlite3_reset(m->p_find);
        c->parent.len = 0;
        return imp_sqlerr(m, e, "reading products");
    }
    sqlite3_reset(m->p_find);
    return 0;
}

/* ---- SPEC 1.2: option codes Excel stripped of their leading zeros ---- */

static int all_digits(const char *s, size_t n)
{
    return n > 0 && strspn(s, "0123456789") >= n;
}

/* Counts sku among the SKUs of the current product. */
void imp_sku_seen(struct prod *c, const char *sku)
{
    size_t n = strlen(sku);
    if (c->nsku < 0)
        return;
    if (c->nsku == 0)
        c->skuw = all_digits(sku, n) ? n : 0;
    else if (c->skuw != n || !all_digits(sku, n))
        c->skuw = 0;
    c->sku0 |= sku[0] == '0';
    c->nsku++;
}

/* The SKUs of the current product in the store, read once per product. */
static int skus_load(struct imp *m, struct qs_err *e)
{
    struct prod *c = &m->cur;
    int rc;
    if (c->nsku >= 0)
        return 0;
    c->nsku = 0;
    sqlite3_bind_int64(m->v_skus, 1, c->id);
    while ((rc = sqlite3_step(m->v_skus)) == SQLITE_ROW)
        imp_sku_seen(c, (const char *)sqlite3_column_text(m->v_skus, 0));
    sqlite3_reset(m->v_skus);
    return rc == SQLITE_DONE ? 0 : imp_sqlerr(m, e, "reading SKUs");
}

/* SPEC 1.2: "where Excel has visibly stripped them from a fixed-width code (an option
 * code `3`), the reader restores the width and warns". An option code is a SKU (R-PUB-11),
 * and the width shows only beside the product's other SKUs, so a SKU is padded with
 * zeros to width W only when all of these hold: it is all digits and does not start
 * with 0 (Excel leaves no leading zero); it is not the Parent SKU; the product's SKUs
 * known before this row (in the catalog, or written by earlier rows of the file) are at
 * least one, all digits of one width W longer than it, and one of them starts with 0.
 * Never for the qoo10 template, whose option codes are inside one text cell. */
int imp_sku_restore(struct imp *m, struct qs_err *e)
{
    struct cat_row *r = &m->r;
    struct prod *c = &m->cur;
    const char *sku = r->v[CF_SKU];
    size_t n = r->n[CF_SKU];
    int rc;

    if (m->tpl == CAT_TPL_QOO10 || m->nvars != 1 || !all_digits(sku, n) || sku[0] == '0' ||
        !r->n[CF_PARENT_SKU] ||
        (n == r->n[CF_PARENT_SKU] && memcmp(sku, r->v[CF_PARENT_SKU], n) == 0))
        return 0;
    if ((rc = imp_prod_resolve(m, e)) < 0 || (rc = skus_load(m, e)) < 0)
        return rc;
    if (c->nsku < 1 || !c->sku0 || c->skuw <= n)
        return 0;
    cat_buf_set(&m->skupad, "", 0);
    for (size_t i = n; i < c->skuw; i++)
        cat_buf_add(&m->skupad, "0", 1);
    cat_buf_add(&m->skupad, sku, n);
    row_warn(m, CF_SKU, NULL,
             "\"%s\" restored to \"%s\": the other SKUs of Parent SKU \"%s\" are %zu-digit codes "
             "with leading zeros, which Excel drops (format the column as text)",
             sku, m->skupad.p, c->parent.p, c->skuw);
    r->v[CF_SKU] = m->vars[0].sku = m->skupad.p;
    r->n[CF_SKU] = m->skupad.len;
    return 0;
}

static void word_hit(void *ctx, const char *field, const char *word)
{
    struct imp *m = ctx;
    int f = strcmp(field, "title") == 0         ? CF_TITLE
            : strcmp(field, "description") == 0 ? CF_DESCRIPTION
                                                : CF_TAGS;
    /* R-IMP-10: a hit names the word and the field. */
    row_warn(m, f, "R-IMP-10", "holds the sensitive word \"%s\"", word);
}

/* The product-level fields compared by R-IMP-3. */
static const int shared_fields[] = {CF_TITLE, CF_DESCRIPTION, CF_BRAND, CF_LANDING_URL};

static struct cat_buf *cur_field(struct prod *c, int f)
{
    return f == CF_TITLE         ? &c->title
           : f == CF_DESCRIPTION ? &c->desc
           : f == CF_BRAND       ? &c->brand
                                 : &c->landing;
}

/* Checks the row against its product before anything is written. */
void imp_prod_check(struct imp *m)
{
    struct prod *c = &m->cur;
    struct cat_row *r = &m->r;

    if (!c->id || (!c->claimed && m->o->update)) {
        /* The row gives the product its fields: R-IMP-10 on them. */
        if (m->words)
            words_check(m->words, r->v[CF_TITLE], r->v[CF_DESCRIPTION], r->tags.p, word_hit, m);
        return;
    }
    for (size_t i = 0; i < sizeof shared_fields / sizeof shared_fields[0]; i++) {
        int f = shared_fields[i];
        struct cat_buf *have = cur_field(c, f);
        if (!r->n[f] || (have->len == r->n[f] && memcmp(have->p, r->v[f], r->n[f]) == 0))
            continue;
        /* R-IMP-3: rows of a Parent SKU share these; the first row's value wins. */
        if (c->claimed)
            row_warn(m, f, "R-IMP-3",
                     "differs from %s %ld, the first row of Parent SKU \"%s\"; %s %ld's "
                     "value is kept",
                     imp_line_word(m), c->line, c->parent.p, imp_line_word(m), c->line);
        else
            row_warn(m, f, "R-IMP-3",
                     "differs from Parent SKU \"%s\" in the catalog; the catalog's value is "
                     "kept (give --update to replace it)",
                     c->parent.p);
    }
    /* R-IMP-5: the product's tags are those of all its rows; at most 10. */
    cat_buf_set(&m->tagtmp, c->tags.p ? c->tags.p : "", c->tags.len);
    int n = cat_tags_union(&m->tagtmp, r->tags.p ? r->tags.p : "", r->tags.len);
    if (n > 10) {
        char b[80];
        row_err(m, CF_TAGS, "R-IMP-5", "\"%s\" would give Parent SKU \"%s\" %d tags; at most 10",
                text_show(r->v[CF_TAGS], r->n[CF_TAGS], b, sizeof b), c->parent.p, n);
    }
}

static const char *row_code(struct cat_row *r, const char **type)
{
    if (r->code[0]) {
        *type = r->code_type;
        return r->code;
    }
    *type = r->upc_type;
    return r->upc_type ? r->upc : NULL;
}

static const char *row_group(struct imp *m)
{
    if (m->o->group)
        return m->o->group;
    return m->r.n[CF_GROUP] ? m->r.v[CF_GROUP] : NULL;
}

static int group_add(struct imp *m, const char *g, struct qs_err *e)
{
    if (!g || g == m->o->group)
        return 0; /* --group was added once at the start */
    return cstore_imp_group_add(m, g, e);
}

static void cur_take_row(struct imp *m)
{
    struct prod *c = &m->cur;
    struct cat_row *r = &m->r;
    for (size_t i = 0; i < sizeof shared_fields / sizeof shared_fields[0]; i++)
        cat_buf_set(cur_field(c, shared_fields[i]), r->v[shared_fields[i]], r->n[shared_fields[i]]);
    cat_buf_set(&c->tags, r->tags.p ? r->tags.p : "", r->tags.len);
    c->claimed = c->touched = 1;
    c->line = r->line;
}

static int touched(struct imp *m, struct qs_err *e)
{
    sqlite3_bind_int64(m->touch_ins, 1, m->cur.id);
    return imp_run(m, m->touch_ins, e, "noting a product");
}

static int prod_create(struct imp *m, struct qs_err *e)
{
    struct cat_row *r = &m->r;
    struct prod *c = &m->cur;
    const char *type, *code = row_code(r, &type), *g = row_group(m);
    int rc;

    if ((rc = cstore_imp_product_add(m, code, type, g, e)) < 0 || (rc = group_add(m, g, e)) < 0)
        return rc;
    c->id = m->nextprod++;
    cur_take_row(m);
    c->has_code = code != NULL;
    snprintf(c->state, sizeof c->state, "%s", m->o->box ? "collected" : "pending");
    if (code && (rc = upc_assign_mark(m->ua, code, m->shop, c->id, e)) < 0)
        return rc;
    return 0;
}

/* --update: the file's first row of a product in the catalog replaces its fields. */
static int prod_claim(struct imp *m, struct qs_err *e)
{
    struct cat_row *r = &m->r;
    const char *type, *code = row_code(r, &type), *g = row_group(m);
    int rc;

    if ((rc = cstore_imp_product_claim(m, code, type, g, e)) < 0 || (rc = group_add(m, g, e)) < 0 ||
        (rc = touched(m, e)) < 0)
        return rc;
    if (code && (rc = upc_assign_mark(m->ua, code, m->shop, m->cur.id, e)) < 0)
        return rc;
    m->cur.parent.len = 0; /* read back what it holds now */
    return imp_prod_resolve(m, e);
}

/* Writes what the row changes in its product. */
int imp_prod_write(struct imp *m, struct qs_err *e)
{
    struct prod *c = &m->cur;
    struct cat_row *r = &m->r;
    const char *type, *code;
    int rc;

    if (!c->id)
        return prod_create(m, e);
    if (!c->claimed && m->o->update)
        return prod_claim(m, e);
    if (!c->touched) {
        if ((rc = cstore_imp_product_touch(m, m->o->group, e)) < 0 || (rc = touched(m, e)) < 0)
            return rc;
        c->touched = 1;
    }
    if (m->tagtmp.len != c->tags.len) { /* R-IMP-5: the union grew */
        cat_buf_set(&c->tags, m->tagtmp.p, m->tagtmp.len);
        if ((rc = cstore_imp_product_tags(m, c->tags.p, c->tags.len, e)) < 0)
            return rc;
    }
    if (!c->has_code && (code = row_code(r, &type)) != NULL) {
        /* R-UPC-2: the product's code is the first one its rows give. */
        if ((rc = cstore_imp_product_code(m, c->id, code, type, e)) < 0 ||
            (rc = upc_assign_mark(m->ua, code, m->shop, c->id, e)) < 0)
            return rc;
        c->has_code = 1;
    }
    return 0;
}

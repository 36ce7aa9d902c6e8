/* sync_export: `qs sync export goods|inventory` -- the two files linked software reads
 * from QSM (seed 001: GoodsList.csv, the price/quantity page's download, and
 * InventoryManagement_gridInventory.csv, the option page's), written from the store
 * after `qs sync products` (R-SYN-6). The columns are the catalog's table, shared with
 * the qoo10 template of qs import, so a GoodsList file reads back. */
#include "sync_int.h"

#include <stdlib.h>
#include <string.h>

#include "../catalog/catalog.h"
#include "../record/record.h"
#include "../text.h"
#include "../xalloc.h"

const char *sync_export_file(enum sync_export_kind k)
{
    return k == SYNC_EXPORT_GOODS ? "GoodsList.csv" : "InventoryManagement_gridInventory.csv";
}

const char *const *sync_export_cols(enum sync_export_kind k, size_t *n)
{
    *n = k == SYNC_EXPORT_GOODS ? CAT_GOODS_NCOLS : CAT_INV_NCOLS;
    return k == SYNC_EXPORT_GOODS ? cat_goods_cols : cat_inv_cols;
}

struct walk {
    struct store *s;
    const char *shop;
    enum sync_export_kind k;
    const char *const *names;
    int (*fn)(const struct rec *r, void *ctx);
    void *ctx;
    struct rec *r;
    const char *item_code, *seller_code;
    long long price;
    struct qs_err *e;
};

static void set_num(struct rec *r, const char *name, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    rec_set(r, name, buf);
}

/* One option of an item (the catalog's variant): names and values from its color and
 * size, the SKU as the option code, its price above the item's as the extra price. */
static int option_row(const struct cat_option_row *o, void *p)
{
    struct walk *w = p;
    const char *const *nm = w->names;
    int slot = 0;

    if (!*o->color && !*o->size)
        return 0; /* the item itself, no option */
    rec_clear(w->r);
    rec_set(w->r, nm[CAT_INV_ITEM_CODE], w->item_code);
    rec_set(w->r, nm[CAT_INV_SELLER_CODE], w->seller_code);
    if (*o->color) {
        rec_set(w->r, nm[CAT_INV_OPTION1], "Color");
        rec_set(w->r, nm[CAT_INV_VALUE1], o->color);
        slot++;
    }
    if (*o->size) {
        rec_set(w->r, nm[slot ? CAT_INV_OPTION2 : CAT_INV_OPTION1], "Size");
        rec_set(w->r, nm[slot ? CAT_INV_VALUE2 : CAT_INV_VALUE1], o->size);
    }
    rec_set(w->r, nm[CAT_INV_OPTION_CODE], o->sku);
    if (o->qty >= 0)
        set_num(w->r, nm[CAT_INV_QTY], o->qty);
    set_num(w->r, nm[CAT_INV_EXTRA_PRICE], o->price - w->price);
    return w->fn(w->r, w->ctx);
}

static int item_row(sqlite3_stmt *st, void *p)
{
    struct walk *w = p;
    const char *const *nm = w->names;
    int rc;

    w->item_code = store_col_text(st, 0);
    w->seller_code = store_col_text(st, 1);
    w->price = sqlite3_column_int64(st, 3);
    if (w->k == SYNC_EXPORT_INVENTORY) {
        if (!*w->seller_code)
            return 0;
        char *item = xstrdup(w->item_code), *seller = xstrdup(w->seller_code);
        w->item_code = item, w->seller_code = seller;
        rc = cat_options_each(w->s, w->shop, seller, option_row, w, w->e);
        free(item);
        free(seller);
        return rc;
    }
    json_t *raw = json_loads(store_col_text(st, 6), 0, NULL);
    char *expiry = sync_jget(raw, "ExpireDate");
    json_decref(raw);
    rec_clear(w->r);
    rec_set(w->r, nm[CAT_GOODS_ITEM_CODE], w->item_code);
    rec_set(w->r, nm[CAT_GOODS_SELLER_CODE], w->seller_code);
    rec_set(w->r, nm[CAT_GOODS_TITLE], store_col_text(st, 2));
    set_num(w->r, nm[CAT_GOODS_PRICE], w->price);
    set_num(w->r, nm[CAT_GOODS_QTY], sqlite3_column_int64(st, 4));
    rec_set(w->r, nm[CAT_GOODS_STATUS], store_col_text(st, 5));
    rec_set(w->r, nm[CAT_GOODS_EXPIRY], expiry);
    free(expiry);
    return w->fn(w->r, w->ctx);
}

int sync_export_each(struct store *s, const char *shop, enum sync_export_kind k,
                     const char *const *names, int (*fn)(const struct rec *r, void *ctx), void *ctx,
                     struct qs_err *e)
{
    struct walk w = {s, shop, k, names, fn, ctx, rec_new(), NULL, NULL, 0, e};
    /* status '': gone from the marketplace (sync_products) */
    int rc = store_each(s,
                        "SELECT item_code, seller_code, title, price, qty, status, raw"
                        " FROM market_item WHERE shop = ?1 AND status <> '' ORDER BY item_code",
                        item_row, &w, e, "s", shop);
    rec_free(w.r);
    return rc;
}

/* ---- --map (R-SYN-6) ---- */

void sync_export_map_init(struct sync_export_map *m, enum sync_export_kind k)
{
    m->cols = sync_export_cols(k, &m->n);
    m->names = xcalloc(m->n + 1, sizeof *m->names);
    m->line = xcalloc(m->n + 1, sizeof *m->line);
}

int sync_export_map_add(struct sync_export_map *m, const char *col, const char *name, long line,
                        struct qs_err *e)
{
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->cols[i], col) != 0)
            continue;
        if (!*name)
            return err_set(e, QS_E_DATA, "R-SYN-6", "the new name of %s is empty", col);
        if (m->names[i])
            return err_set(e, QS_E_DATA, "R-SYN-6", "%s is renamed on line %ld already", col,
                           m->line[i]);
        if (text_ctl_check("new name", name, TEXT_LINE, "R-SYN-6", e) < 0)
            return QS_E_DATA;
        m->names[i] = xstrdup(name);
        m->line[i] = line;
        return 0;
    }
    return err_set(e, QS_E_DATA, "R-SYN-6", "\"%s\" is not a column of this file", col);
}

int sync_export_map_end(struct sync_export_map *m, const char *file, struct qs_err *e)
{
    for (size_t i = 0; i < m->n; i++)
        if (!m->names[i])
            m->names[i] = xstrdup(m->cols[i]);
    for (size_t i = 0; i < m->n; i++)
        for (size_t j = i + 1; j < m->n; j++) /* a dozen columns */
            if (strcmp(m->names[i], m->names[j]) == 0)
                return err_set(e, QS_E_DATA, "R-SYN-6",
                               "%s: %s and %s would both be named \"%s\"; give each its own name",
                               file, m->cols[i], m->cols[j], m->names[i]);
    return 0;
}

void sync_export_map_free(struct sync_export_map *m)
{
    for (size_t i = 0; m->names && i < m->n; i++)
        free(m->names[i]);
    free(m->names);
    free(m->line);
    memset(m, 0, sizeof *m);
}

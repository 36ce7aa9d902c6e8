/* catalog_goods: the column table of QSM's downloads for linked software (R-SYN-6),
 * shared by `qs sync export` (which writes them) and the qoo10 template of `qs import`
 * (which reads GoodsList.csv back), and the catalog's options of a product for the
 * option page's download. */
#include <string.h>
#include <strings.h>

#include "catalog.h"

/* The names map to the qoo10 template's fields (catalog.c): SellerCode -> Parent SKU,
 * ItemPrice -> price, ItemQty -> quantity, OptionCode -> SKU. */
const char *const cat_goods_cols[CAT_GOODS_NCOLS] = {
    [CAT_GOODS_ITEM_CODE] = "ItemCode", [CAT_GOODS_SELLER_CODE] = "SellerCode",
    [CAT_GOODS_TITLE] = "ItemTitle",    [CAT_GOODS_PRICE] = "ItemPrice",
    [CAT_GOODS_QTY] = "ItemQty",        [CAT_GOODS_STATUS] = "ItemStatus",
    [CAT_GOODS_EXPIRY] = "ExpireDate",
};

const char *const cat_inv_cols[CAT_INV_NCOLS] = {
    [CAT_INV_ITEM_CODE] = "ItemCode",     [CAT_INV_SELLER_CODE] = "SellerCode",
    [CAT_INV_OPTION1] = "OptionName1",    [CAT_INV_VALUE1] = "OptionValue1",
    [CAT_INV_OPTION2] = "OptionName2",    [CAT_INV_VALUE2] = "OptionValue2",
    [CAT_INV_OPTION_CODE] = "OptionCode", [CAT_INV_QTY] = "Qty",
    [CAT_INV_EXTRA_PRICE] = "ExtraPrice",
};

int cat_goods_header(const char *const *names, size_t n)
{
    static const int need[] = {CAT_GOODS_ITEM_CODE, CAT_GOODS_TITLE, CAT_GOODS_PRICE,
                               CAT_GOODS_QTY};
    for (size_t k = 0; k < sizeof need / sizeof need[0]; k++) {
        size_t i = 0;
        while (i < n && strcasecmp(names[i], cat_goods_cols[need[k]]) != 0)
            i++;
        if (i == n)
            return 0;
    }
    return 1;
}

struct opt_walk {
    int (*fn)(const struct cat_option_row *o, void *ctx);
    void *ctx;
};

static int opt_row(sqlite3_stmt *st, void *p)
{
    struct opt_walk *w = p;
    struct cat_option_row o = {
        store_col_text(st, 0),
        store_col_text(st, 1),
        store_col_text(st, 2),
        sqlite3_column_int64(st, 3),
        sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4),
    };
    return w->fn(&o, w->ctx);
}

int cat_options_each(struct store *s, const char *shop, const char *parent_sku,
                     int (*fn)(const struct cat_option_row *o, void *ctx), void *ctx,
                     struct qs_err *e)
{
    struct opt_walk w = {fn, ctx};
    return store_each(s,
                      "SELECT v.sku, v.color, v.size, v.price, v.quantity FROM variant v"
                      " JOIN product p ON p.id = v.product_id"
                      " WHERE p.shop = ?1 AND p.parent_sku = ?2 ORDER BY v.sku",
                      opt_row, &w, e, "ss", shop, parent_sku);
}

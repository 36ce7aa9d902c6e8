/* box: the collection box of R-SRC-1 (Dianxiaomi's 采集箱: collect -> claim -> edit ->
 * publish) -- the catalog store's writes of a collected product: its variants' source
 * prices, kept as the source gave them until qs publish claim converts them, and the
 * move to pending. Part of the catalog store (the one writer of product and variant). */
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"
#include "../xalloc.h"

int cstore_imp_box_price(struct imp *m, const char *sku, int is_new, struct qs_err *e)
{
    struct cat_row *r = &m->r;
    char cur[16];
    size_t n = r->n[CF_CURRENCY] < sizeof cur - 1 ? r->n[CF_CURRENCY] : sizeof cur - 1;

    if (r->src_price) {
        for (size_t i = 0; i < n; i++) {
            char c = r->v[CF_CURRENCY][i];
            cur[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
        }
        cur[n] = '\0';
        char *price = xstrndup(r->v[CF_PRICE], r->n[CF_PRICE]);
        int rc = store_run(m->s, e,
                           "UPDATE variant SET source_price = ?3, source_currency = ?4"
                           " WHERE shop = ?1 AND sku = ?2",
                           "ssss", m->shop, sku, price, cur);
        free(price);
        return rc;
    }
    if (r->n[CF_PRICE] && r->price >= 0)
        return store_run(m->s, e,
                         "UPDATE variant SET source_price = NULL, source_currency = NULL"
                         " WHERE shop = ?1 AND sku = ?2",
                         "ss", m->shop, sku);
    if (is_new && m->o->box)
        return store_run(m->s, e,
                         "UPDATE variant SET source_price = '', source_currency = NULL"
                         " WHERE shop = ?1 AND sku = ?2",
                         "ss", m->shop, sku);
    return 0;
}

int cstore_box_price(struct store *s, long long variant, long long yen, struct qs_err *e)
{
    return store_run(s, e,
                     "UPDATE variant SET price = ?2, source_price = NULL, source_currency = NULL"
                     " WHERE id = ?1",
                     "ll", variant, yen);
}

int cstore_box_claim(struct store *s, long long product, long long batch, const char *now,
                     struct qs_err *e)
{
    return store_run(s, e,
                     "UPDATE product SET state = 'pending', error = NULL, batch = ?2,"
                     " updated_at = ?3 WHERE id = ?1 AND state = 'collected'",
                     "lzs", product, batch, now);
}

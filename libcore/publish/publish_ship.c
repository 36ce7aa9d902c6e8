/* publish_ship: the shop's delivery templates (ItemsLookup.GetSellerDeliveryGroupInfo,
 * reference 3.x) -- what ShippingNo a Shipping fee maps to (R-PUB-15), listed by qs publish
 * shipping and checked by qs publish check (issue 8 item 22). Each read is kept in the
 * store (setting publish.delivery_cache), so that check works offline. */
#include "publish_int.h"

#include <stdlib.h>
#include <string.h>

#include "../shop.h"
#include "../tm.h"
#include "../xalloc.h"

#define CACHE_KEY "publish.delivery_cache" /* {"at": UTC ISO, "rows": [the rows]} */

void pub_ship_list_free(struct pub_ship_list *l)
{
    json_decref(l->rows);
    memset(l, 0, sizeof *l);
}

/* A field of a row as text ("" when missing). */
static void field(const json_t *row, const char *name, char *buf, size_t size)
{
    const json_t *v = json_object_get(row, name);
    if (json_is_string(v))
        snprintf(buf, size, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, size, "%.0f", json_real_value(v));
    else if (size)
        buf[0] = '\0';
}

int pub_ship_find(const struct pub_ship_list *l, long long fee, char no[16])
{
    size_t i;
    json_t *row;
    char f[32];
    json_array_foreach(l->rows, i, row)
    {
        field(row, "ShippingFee", f, sizeof f);
        if (*f && strtoll(f, NULL, 10) == fee) {
            field(row, "ShippingNo", no, 16);
            return 0;
        }
    }
    return 1;
}

int pub_ship_has(const struct pub_ship_list *l, const char *no)
{
    size_t i;
    json_t *row;
    char n[32];
    json_array_foreach(l->rows, i, row)
    {
        field(row, "ShippingNo", n, sizeof n);
        if (strcmp(n, no) == 0)
            return 1;
    }
    return 0;
}

int pub_ship_list_resolve(void *ctx, long long fee, char no[16])
{
    const struct pub_ship_list *l = ctx;
    return l && l->have ? pub_ship_find(l, fee, no) : 2;
}

int pub_ship_take(struct store *s, const char *shop, const json_t *object, int keep,
                  struct pub_ship_list *l, struct qs_err *e)
{
    char at[32];
    int rc = 0;
    pub_ship_list_free(l);
    l->rows = json_is_array(object) ? json_incref((json_t *)object) : json_array();
    l->at = time(NULL);
    l->have = 1;
    if (keep) {
        json_t *c =
            json_pack("{s:s, s:O}", "at", tm_utc_iso(l->at, at, sizeof at), "rows", l->rows);
        char *txt = json_dumps(c, JSON_COMPACT);
        json_decref(c);
        rc = shop_setting_set(s, shop, CACHE_KEY, txt, e);
        free(txt);
    }
    return rc;
}

int pub_ship_cached(struct store *s, const char *shop, struct pub_ship_list *l, struct qs_err *e)
{
    char *txt = NULL;
    int rc;
    pub_ship_list_free(l);
    if ((rc = shop_setting_get(s, shop, CACHE_KEY, &txt, e)) < 0 || !txt)
        return rc;
    json_t *c = json_loads(txt, 0, NULL);
    free(txt);
    const char *at = json_string_value(json_object_get(c, "at"));
    json_t *rows = json_object_get(c, "rows");
    /* A cache that does not read is no cache: the templates are read again. */
    if (json_is_array(rows) && at && tm_parse_utc_iso(at, &l->at) == 0) {
        l->rows = json_incref(rows);
        l->have = 1;
    }
    json_decref(c);
    return 0;
}

int pub_ship_fetch(struct store *s, struct qapi *q, const char *shop, int keep,
                   struct pub_ship_list *l, struct qs_err *e)
{
    struct qapi_result res;
    int rc;
    memset(&res, 0, sizeof res);
    rc = qapi_call(q, "ItemsLookup.GetSellerDeliveryGroupInfo", NULL, 0, NULL, &res, e);
    if (rc == 0)
        rc = pub_ship_take(s, shop, res.object, keep, l, e);
    qapi_result_free(&res);
    return rc;
}

int pub_ship_rows(const struct pub_ship_list *l, const struct pub_cb *cb, struct qs_err *e)
{
    static const struct {
        const char *col, *name;
    } map[] = {
        {"shipping_no", "ShippingNo"},  {"fee", "ShippingFee"}, {"type", "ShippingType"},
        {"free_over", "FreeCondition"}, {"region", "Region"},   {"oversea", "Oversea"},
        {"carrier", "transcName"},
    };
    struct rec *r = rec_new();
    size_t i;
    json_t *row;
    int rc = 0;
    json_array_foreach(l->rows, i, row)
    {
        char v[256];
        rec_clear(r);
        for (size_t k = 0; k < sizeof map / sizeof map[0]; k++) {
            field(row, map[k].name, v, sizeof v);
            rec_set(r, map[k].col, v);
        }
        if (cb && cb->row && (rc = cb->row(cb->ctx, r, e)) < 0)
            break;
    }
    rec_free(r);
    return rc;
}

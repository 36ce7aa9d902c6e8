/* sync_products: `qs sync products` -- the marketplace's items pulled into the store, one
 * way: the marketplace wins (R-SYN-2). */
#include "sync_int.h"

#include <stdlib.h>
#include <string.h>

#include "../progress.h"
#include "../tm.h"
#include "../xalloc.h"

/* Reference 3.5 and 4: GetAllGoodsInfo lists items by status; it accepts only these. */
static const char *const listed_statuses[] = {"S0", "S1", "S2", "S4"};

struct ppull {
    struct store *s;
    struct qapi *q;
    struct syncdb *d;
    const struct sync_products_opts *o;
    struct sync_products_stats *st;
    sync_item_fn fn;
    void *ctx;
    char now[32];
    struct qs_err *e;
};

/* R-SYN-9 (D8): an item whose details the marketplace would not give: kept as stored,
 * counted and named in the stats (qapi_call has written the call to the audit). */
static void refused(struct ppull *p, const char *item_code, const struct qapi_result *res,
                    const char *why)
{
    if (p->st->refused < SYNC_REFUSED_SHOWN) {
        char code[24] = "";
        if (res->code != QAPI_CODE_NONE)
            snprintf(code, sizeof code, "%d ", res->code);
        /* Cut to the slot; the audit keeps the whole message. (The bounds: an item code
         * is short; they keep gcc -O2's -Wformat-truncation quiet.) */
        snprintf(p->st->refused_shown[p->st->refused], sizeof p->st->refused_shown[0],
                 "%.64s: %s%.150s", item_code, code, why && *why ? why : "no message");
    }
    p->st->refused++;
}

/* GetItemDetailInfo's object for item_code into *out. *gone = 1 only when the marketplace
 * answered -10001 (R-SYN-9: the one code the guide gives for "no such item"); any other
 * refusal, or an answer without details, leaves *out NULL and *gone 0: the item is kept. */
static int detail(struct ppull *p, const char *item_code, json_t **out, int *gone)
{
    const struct qapi_param prm[] = {{"ItemCode", item_code}};
    struct qapi_result res;
    json_t *rows;
    int rc;

    *out = NULL;
    *gone = 0;
    rc = qapi_call(p->q, "ItemsLookup.GetItemDetailInfo", prm, 1, item_code, &res, p->e);
    if (rc == 0) {
        p->st->calls++;
        p->st->details++;
        rows = sync_rows(res.object);
        if (rows && json_is_object(json_array_get(rows, 0)))
            *out = json_incref(json_array_get(rows, 0));
        else if (json_is_object(res.object) && !rows)
            *out = json_incref(res.object);
        else
            refused(p, item_code, &res, "the answer holds no item details");
    } else if (rc == QS_E_FAIL && res.cls == QAPI_INVALID) {
        /* -10001 in the ResultCode envelope: gone. The error-only shape
         * ({ErrorCode, ErrorMsg}) is about the call, not the item. */
        int envelope = res.body && json_object_get(res.body, "ResultCode") != NULL;
        p->st->calls++;
        if (res.code == -10001 && envelope)
            *gone = 1;
        else
            refused(p, item_code, &res, res.msg ? res.msg : p->e->msg);
        rc = 0;
        err_clear(p->e);
    }
    qapi_result_free(&res);
    return rc;
}

static int emit(struct ppull *p, const char *item_code, enum sync_change chg, int gone)
{
    struct syncdb_item it;
    int rc = syncdb_item_get(p->d, item_code, &it, p->e);
    if (rc < 0 || !it.found)
        goto out;
    if (gone)
        p->st->items_gone++;
    else if (chg == SYNC_NEW)
        p->st->items_new++;
    else if (chg == SYNC_CHANGED)
        p->st->items_changed++;
    struct sync_item out = {
        .item_code = item_code,
        .seller_code = it.seller_code,
        .status = it.status,
        .title = it.title,
        .price = it.price,
        .qty = it.qty,
        .change = gone ? "gone" : sync_change_names[chg],
    };
    rc = p->fn ? p->fn(&out, p->ctx) : 0;
out:
    syncdb_item_clear(&it);
    return rc;
}

/* One page: details read first (no transaction held over the network), then written in
 * one transaction, then reported. */
static int page(struct ppull *p, json_t *items)
{
    size_t n = json_array_size(items), i;
    json_t **details = xcalloc(n ? n : 1, sizeof *details);
    enum sync_change *chg = xcalloc(n ? n : 1, sizeof *chg);
    int rc = 0, own;

    for (i = 0; i < n && rc == 0; i++) {
        json_t *it = json_array_get(items, i);
        char *code = sync_jget(it, "ItemCode"), *sc = sync_jget(it, "SellerCode"),
             *stat = sync_jget(it, "ItemStatus");
        struct syncdb_item old;
        int gone;
        if (*code && (rc = syncdb_item_get(p->d, code, &old, p->e)) == 0) {
            /* R-SYN-2: details for new or changed items (or all, --full). */
            if (p->o->full || !old.found || strcmp(old.seller_code, sc) != 0 ||
                strcmp(old.status, stat) != 0)
                rc = detail(p, code, &details[i], &gone);
            syncdb_item_clear(&old);
        }
        free(code);
        free(sc);
        free(stat);
    }
    if (rc == 0 && (rc = syncdb_tx_begin(p->s, &own, p->e)) == 0) {
        for (i = 0; i < n && rc == 0; i++) {
            json_t *it = json_array_get(items, i);
            char *code = sync_jget(it, "ItemCode"), *sc = sync_jget(it, "SellerCode"),
                 *stat = sync_jget(it, "ItemStatus");
            if (*code)
                rc = syncdb_item_upsert(p->d, code, sc, stat, details[i], p->now, &chg[i], p->e);
            free(code);
            free(sc);
            free(stat);
        }
        rc = syncdb_tx_end(p->s, own, rc, p->e);
    }
    for (i = 0; i < n && rc == 0; i++) {
        char *code = sync_jget(json_array_get(items, i), "ItemCode");
        if (*code)
            rc = emit(p, code, chg[i], 0);
        free(code);
    }
    for (i = 0; i < n; i++)
        json_decref(details[i]);
    free(details);
    free(chg);
    p->st->items += (long)n;
    return rc;
}

static int list_status(struct ppull *p, const char *status, struct progress *pg)
{
    long pageno = 1, pages = 1;
    int rc = 0;

    do {
        char pbuf[24], key[48];
        struct qapi_result res;
        json_t *items;

        snprintf(pbuf, sizeof pbuf, "%ld", pageno);
        snprintf(key, sizeof key, "%s page %ld", status, pageno);
        const struct qapi_param prm[] = {{"ItemStatus", status}, {"Page", pbuf}};
        rc = qapi_call(p->q, "ItemsLookup.GetAllGoodsInfo", prm, 2, key, &res, p->e);
        if (rc < 0) {
            qapi_result_free(&res);
            break;
        }
        p->st->calls++;
        /* Reference 3.5: {TotalItems, TotalPages, PresentPage, Items[]}. */
        items = sync_goods_page(res.object, &pages);
        if (!items) {
            qapi_result_free(&res);
            break;
        }
        progress_add(pg, (long)json_array_size(items));
        rc = page(p, items);
        qapi_result_free(&res);
    } while (rc == 0 && ++pageno <= pages);
    return rc;
}

static int unseen(const char *item_code, void *ctx)
{
    struct ppull *p = ctx;
    json_t *d = NULL;
    enum sync_change chg = SYNC_SAME;
    int gone, rc, own;

    /* Not listed under S0/S1/S2/S4: suspended, restricted, rejected -- or deleted. */
    if ((rc = detail(p, item_code, &d, &gone)) < 0)
        return rc;
    if ((rc = syncdb_tx_begin(p->s, &own, p->e)) < 0)
        goto out;
    if (d)
        rc = syncdb_item_upsert(p->d, item_code, "", "", d, p->now, &chg, p->e);
    else if (gone)
        rc = syncdb_item_gone(p->d, item_code, p->now, p->e);
    /* else refused (R-SYN-9): kept as stored, reported as unchanged */
    if ((rc = syncdb_tx_end(p->s, own, rc, p->e)) == 0)
        rc = emit(p, item_code, chg, gone);
out:
    json_decref(d);
    return rc;
}

int sync_products_pull(struct store *s, struct qapi *q, const char *shop,
                       const struct sync_products_opts *o, sync_item_fn fn, void *ctx,
                       struct sync_products_stats *st, struct qs_err *e)
{
    struct ppull p = {.s = s, .q = q, .o = o, .st = st, .fn = fn, .ctx = ctx, .e = e};
    struct progress *pg = NULL;
    int rc;

    memset(st, 0, sizeof *st);
    p.d = syncdb_new(s, shop);
    tm_utc_iso(time(NULL), p.now, sizeof p.now);
    if ((rc = syncdb_seen_reset(p.d, e)) < 0)
        goto out;
    pg = progress_new("items", 0, o->quiet);
    for (size_t i = 0; i < sizeof listed_statuses / sizeof listed_statuses[0] && rc == 0; i++)
        rc = list_status(&p, listed_statuses[i], pg);
    if (rc == 0)
        rc = syncdb_items_unseen(p.d, unseen, &p, e);
    if (rc == 0) /* R-CPN-7: the time of the last complete pull */
        rc = syncdb_mark_set(p.d, "products", p.now, p.now, e);
    progress_end(pg);
out:
    syncdb_free(p.d);
    return rc;
}

int sync_products_synced_at(struct store *s, const char *shop, time_t *at, struct qs_err *e)
{
    struct syncdb *d = syncdb_new(s, shop);
    char mark[32];
    int rc = syncdb_mark_get(d, "products", mark, sizeof mark, e);
    syncdb_free(d);
    *at = 0;
    if (rc < 0)
        return rc;
    return mark[0] && tm_parse_utc_iso(mark, at) == 0;
}

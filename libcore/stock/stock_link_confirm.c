/* stock_link_confirm: `qs stock confirm` for link to-dos (R-STK-4, SPEC 1.7) and
 * `qs stock unlinked` (R-STK-4). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stock_link.h"
#include "../outbox.h"
#include "../strmap.h"
#include "../tm.h"
#include "../xalloc.h"

static const char *jtext(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* A pair's key for the map of the pairs given: its three parts, each after its length,
 * so that no part's text can run into the next. */
static char *pair_key(const char *q_sku, const char *item_code, const char *option)
{
    return xasprintf("%zu:%s%zu:%s%zu:%s", strlen(q_sku), q_sku, strlen(item_code), item_code,
                     strlen(option), option);
}

static int apply(struct store *s, const char *shop, json_t *o, const char *now, struct qs_err *e)
{
    int unlink = !strcmp(jtext(o, "action"), "unlink");
    return store_run(s, e,
                     "UPDATE stock_link SET state = ?6, recorded_at = ?7 WHERE shop = ?1 AND"
                     " q_sku = ?2 AND item_code = ?3 AND option = ?4 AND state = ?5",
                     "sssssss", shop, jtext(o, "q_sku"), jtext(o, "item_code"), jtext(o, "option"),
                     unlink ? "unlink-todo" : "todo", unlink ? "unlinked" : "linked", now);
}

int stock_link_confirm(struct store *s, const char *shop, const struct stock_pairs *ps,
                       const char *ref, time_t now, const struct stock_link_cb *cb, size_t *n,
                       struct qs_err *e)
{
    struct outbox_item *items = NULL;
    size_t nitems = 0, nkeys = 0, np = ps ? ps->n : 0;
    const char **keys = NULL;
    json_t **pl = NULL;
    struct strmap given = {0}; /* each pair given, to its first position (SPEC 8: linear) */
    size_t *first = xcalloc(np + 1, sizeof *first); /* the first position of each pair */
    char at[32], *found = xcalloc(np + 1, 1);       /* by first position: a to-do has that pair */
    int rc, problems = 0;

    *n = 0;
    if ((rc = outbox_list(s, shop, STOCK_LINK_KIND, OUTBOX_HANDED_OFF, &items, &nitems, e)) < 0) {
        free(found);
        free(first);
        return rc;
    }
    for (size_t j = 0; j < np; j++) {
        char *k = pair_key(ps->p[j].q_sku, ps->p[j].item_code, ps->p[j].option);
        if (!strmap_get(&given, k, &first[j]))
            strmap_put(&given, k, first[j] = j);
        free(k);
    }
    keys = xcalloc(nitems + 1, sizeof *keys);
    pl = xcalloc(nitems + 1, sizeof *pl);
    for (size_t i = 0; i < nitems; i++) {
        json_t *o = json_loads(items[i].payload ? items[i].payload : "{}", 0, NULL);
        int want = !ps;
        size_t j;
        if (ref && (!items[i].ref || strcmp(items[i].ref, ref) != 0)) {
            json_decref(o);
            continue;
        }
        if (ps) {
            char *k = pair_key(jtext(o, "q_sku"), jtext(o, "item_code"), jtext(o, "option"));
            if ((want = strmap_get(&given, k, &j)))
                found[j] = 1;
            free(k);
        }
        if (want) {
            keys[nkeys] = items[i].key;
            pl[nkeys++] = o;
        } else
            json_decref(o);
    }
    for (size_t j = 0; j < np; j++) {
        if (!found[first[j]] && ps->p[j].q_sku[0]) {
            struct qs_err w;
            err_clear(&w);
            err_set(&w, QS_E_DATA, "R-STK-4",
                    "%s,%s%s%s has no link to-do handed off%s; nothing to confirm", ps->p[j].q_sku,
                    ps->p[j].item_code, ps->p[j].option[0] ? "," : "", ps->p[j].option,
                    ref ? " in that folder" : "");
            err_at_sheet(&w, ps->input, ps->sheet[0] ? ps->sheet : NULL, ps->p[j].line, 0);
            if (cb && cb->report)
                cb->report(cb->ctx, &w);
            problems++;
        }
    }
    if (problems) {
        rc = err_set(e, QS_E_DATA, "R-STK-4",
                     "%d pair%s without a handed-off to-do; nothing "
                     "confirmed",
                     problems, problems == 1 ? "" : "s");
        goto out;
    }
    if (!nkeys)
        goto out;
    tm_utc_iso(now, at, sizeof at);
    if ((rc = store_begin(s, e)) < 0)
        goto out;
    for (size_t k = 0; k < nkeys && rc == 0; k++)
        rc = apply(s, shop, pl[k], at, e);
    if (rc == 0)
        rc = deliver_confirm(s, shop, STOCK_LINK_KIND, keys, nkeys, ref, n, e);
    if (rc == 0)
        rc = store_commit(s, e);
    else
        store_rollback(s);
out:
    for (size_t k = 0; k < nkeys; k++)
        json_decref(pl[k]);
    free(pl);
    free(keys);
    free(found);
    free(first);
    strmap_free(&given);
    outbox_items_free(items, nitems);
    return rc < 0 ? rc : 0;
}

/* ---- unlinked ---- */

struct walk {
    int (*fn)(void *ctx, const struct stock_unlinked_row *r, struct qs_err *e);
    void *ctx;
    struct qs_err *e;
    int kind; /* 0 item, 1 sku, 2 order */
};

static int walk_row(sqlite3_stmt *st, void *p)
{
    struct walk *w = p;
    struct stock_unlinked_row r = {.kind = "",
                                   .item_code = "",
                                   .seller_code = "",
                                   .q_sku = "",
                                   .name = "",
                                   .order_no = "",
                                   .order_date = "",
                                   .linked_at = "",
                                   .message = ""};
    char msg[256];
    if (w->kind == 0) {
        r.kind = "item";
        r.item_code = store_col_text(st, 0);
        r.seller_code = store_col_text(st, 1);
        r.name = store_col_text(st, 2);
        r.q_sku = store_col_text(st, 3);
        r.message = *r.q_sku ? "online item without a linked SKU; its link to-do waits for "
                               "qs stock confirm"
                             : "online item without a linked SKU";
    } else if (w->kind == 1) {
        r.kind = "sku";
        r.q_sku = store_col_text(st, 0);
        r.seller_code = store_col_text(st, 1);
        r.name = store_col_text(st, 2);
        r.item_code = store_col_text(st, 3);
        r.message = *r.item_code ? "SKU without a linked item; its link to-do waits for qs "
                                   "stock confirm"
                                 : "SKU without a linked item";
    } else {
        r.kind = "order";
        r.order_no = store_col_text(st, 0);
        r.item_code = store_col_text(st, 1);
        r.seller_code = store_col_text(st, 2);
        r.name = store_col_text(st, 3);
        r.order_date = store_col_text(st, 4);
        r.linked_at = store_col_text(st, 5);
        r.q_sku = store_col_text(st, 6);
        snprintf(msg, sizeof msg, "cannot ship from the warehouse: %s",
                 *r.linked_at ? "ordered before its item was linked" : "its item is not linked");
        r.message = msg;
    }
    return w->fn(w->ctx, &r, w->e) < 0 ? -1 : 0;
}

#define LINKED(t, col)                                                                             \
    "SELECT 1 FROM stock_link l WHERE l.shop = " t ".shop AND l." col " = " t "." col              \
    " AND l.state IN ('linked', 'unlink-todo')"

int stock_unlinked(struct store *s, const char *shop,
                   int (*fn)(void *ctx, const struct stock_unlinked_row *r, struct qs_err *e),
                   void *ctx, struct qs_err *e)
{
    static const char *const sql[] = {
        "SELECT m.item_code, m.seller_code, m.title, (SELECT min(l.q_sku) FROM stock_link l"
        " WHERE l.shop = m.shop AND l.item_code = m.item_code AND l.state = 'todo')"
        " FROM market_item m WHERE m.shop = ?1 AND m.status = 'S2'"
        " AND NOT EXISTS (" LINKED("m", "item_code") ") ORDER BY m.item_code",
        "SELECT o.q_sku, o.seller_sku, o.name, (SELECT min(l.item_code) FROM stock_link l"
        " WHERE l.shop = o.shop AND l.q_sku = o.q_sku AND l.state = 'todo')"
        " FROM stock_option o WHERE o.shop = ?1"
        " AND o.last_snapshot = (SELECT max(id) FROM stock_snapshot WHERE shop = ?1)"
        " AND NOT EXISTS (" LINKED("o", "q_sku") ") ORDER BY o.q_sku",
        "SELECT * FROM (SELECT ol.order_no, ol.item_code, ol.seller_code, ol.title,"
        " ol.order_date, (SELECT min(l.recorded_at) FROM stock_link l WHERE l.shop = ol.shop"
        " AND l.item_code = ol.item_code AND l.state IN ('linked', 'unlink-todo')) AS at,"
        " (SELECT min(l.q_sku) FROM stock_link l WHERE l.shop = ol.shop AND l.item_code ="
        " ol.item_code AND l.state IN ('linked', 'unlink-todo'))"
        " FROM order_line ol WHERE ol.shop = ?1 AND ol.status BETWEEN 2 AND 5)"
        " WHERE at IS NULL OR order_date < at ORDER BY order_date, order_no",
    };
    struct walk w = {fn, ctx, e, 0};
    int rc = 0;
    for (w.kind = 0; w.kind < 3 && rc >= 0; w.kind++)
        rc = store_each(s, sql[w.kind], walk_row, &w, e, "s", shop);
    return rc < 0 ? rc : 0;
}

/* source_watch: qs publish watch add|remove|pause|list (R-SRC-2) -- online products with a
 * Source URL (R-IMP-6) put under source monitoring, and the states the books keep: each
 * URL's (in-stock, out-of-stock, gone) and each product's (unmonitored, in-stock,
 * out-of-stock, gone, no-source, paused). The run that asks the source hook is in
 * source_watch_run.c. Tables source_watch, source_url, source_zeroed, source_event
 * (publish.h) are written here and there only. */
#include "publish_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../tm.h"
#include "../xalloc.h"

const char *const src_on_out_names[] = {"none", "zero", "withdraw", NULL};

/* ---- the sources of a product ---- */

static int url_row(sqlite3_stmt *st, void *p)
{
    struct src_urls *u = p;
    const char *s = store_col_text(st, 0);
    while (*s) {
        size_t n = strcspn(s, "\n");
        int seen = 0;
        for (size_t i = 0; i < u->n && !seen; i++)
            seen = strlen(u->v[i]) == n && strncmp(u->v[i], s, n) == 0;
        if (n && !seen) {
            u->v = xrealloc(u->v, (u->n + 1) * sizeof *u->v);
            u->v[u->n++] = xstrndup(s, n);
        }
        s += n + (s[n] == '\n');
    }
    return 0;
}

int src_urls_get(struct store *s, long long product, struct src_urls *u, struct qs_err *e)
{
    memset(u, 0, sizeof *u);
    int rc = store_each(s, "SELECT source_urls FROM variant WHERE product_id = ?1 ORDER BY id",
                        url_row, u, e, "l", product);
    return rc < 0 ? rc : 0;
}

void src_urls_free(struct src_urls *u)
{
    for (size_t i = 0; i < u->n; i++)
        free(u->v[i]);
    free(u->v);
    memset(u, 0, sizeof *u);
}

/* R-SRC-2: the product's state from its URLs' states: any in stock -> in-stock; all gone
 * -> gone; none in stock and one online (out-of-stock) -> out-of-stock; none known yet ->
 * NULL (kept); no URL -> no-source. */
static int agg_row(sqlite3_stmt *st, void *p)
{
    int *c = p;
    const char *v = store_col_text(st, 0);
    c[0]++;
    c[1] += strcmp(v, "in-stock") == 0;
    c[2] += strcmp(v, "out-of-stock") == 0;
    c[3] += strcmp(v, "gone") == 0;
    return 0;
}

int src_product_state(struct store *s, long long product, const char **state, struct qs_err *e)
{
    int c[4] = {0, 0, 0, 0}, rc;
    *state = NULL;
    if ((rc = store_each(s, "SELECT state FROM source_url WHERE product_id = ?1", agg_row, c, e,
                         "l", product)) < 0)
        return rc;
    if (c[0] == 0)
        *state = "no-source";
    else if (c[1])
        *state = "in-stock";
    else if (c[3] == c[0])
        *state = "gone";
    else if (c[2])
        *state = "out-of-stock";
    return 0;
}

int src_event(struct store *s, long long product, const char *url, const char *old,
              const char *new_, const char *detail, const char *now, struct qs_err *e)
{
    return store_run(s, e,
                     "INSERT INTO source_event (product_id, url, old, new, detail, at)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                     "lsssss", product, url, old, new_, detail ? detail : "", now);
}

/* Makes source_url hold exactly the product's URLs (new ones unknown). */
int src_urls_sync(struct store *s, long long product, const struct src_urls *u, struct qs_err *e)
{
    int rc = 0;
    for (size_t i = 0; i < u->n && rc == 0; i++)
        rc = store_run(s, e, "INSERT OR IGNORE INTO source_url (product_id, url) VALUES (?1, ?2)",
                       "ls", product, u->v[i]);
    /* A URL taken out of the catalog is no longer watched. */
    json_t *a = json_array();
    for (size_t i = 0; i < u->n; i++)
        json_array_append_new(a, json_string(u->v[i]));
    char *list = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    if (rc == 0)
        rc = store_run(s, e,
                       "DELETE FROM source_url WHERE product_id = ?1 AND url NOT IN"
                       " (SELECT value FROM json_each(?2))",
                       "ls", product, list ? list : "[]");
    free(list);
    return rc;
}

/* ---- add, remove, pause ---- */

static int row3(const struct pub_cb *cb, struct rec *r, const char *parent, const char *state,
                const char *msg, struct qs_err *e)
{
    if (!cb || !cb->row)
        return 0;
    rec_clear(r);
    rec_set(r, "parent_sku", parent);
    rec_set(r, "state", state);
    rec_set(r, "message", msg);
    return cb->row(cb->ctx, r, e);
}

static int watched(struct store *s, long long product, long long *yes, struct qs_err *e)
{
    return pub_sql_int(s, e, yes, 0, "SELECT count(*) FROM source_watch WHERE product_id = ?1", "l",
                       product);
}

int src_watch_change(struct store *s, const char *shop, const struct pub_sel *sel,
                     enum src_verb verb, const struct src_watch_opts *o, int dry_run,
                     const struct pub_cb *cb, long *changed, struct qs_err *e)
{
    struct rec *r = rec_new();
    char now[32], msg[256];
    int rc, own;

    *changed = 0;
    if ((rc = pub_tx_begin(s, &own, e)) < 0)
        goto out;
    pub_now_iso(now);
    for (size_t i = 0; i < sel->n && rc == 0; i++) {
        struct pub_product p;
        struct src_urls u;
        long long yes = 0;
        if ((rc = pub_product_load(s, sel->id[i], &p, e)) < 0)
            break;
        if ((rc = watched(s, p.id, &yes, e)) < 0 || (rc = src_urls_get(s, p.id, &u, e)) < 0) {
            pub_product_free(&p);
            break;
        }
        if (verb == SRC_ADD && strcmp(p.state, "online") != 0 && !yes) {
            pub_diag(cb, 1, "R-SRC-2", p.parent_sku, "is %s, not online: not watched", p.state);
        } else if (verb == SRC_ADD && u.n == 0 && !yes) {
            pub_diag(cb, 1, "R-SRC-2", p.parent_sku,
                     "has no Source URL (R-IMP-6): nothing to watch; give one with qs import "
                     "products --update");
        } else if (verb == SRC_ADD) {
            rc = store_run(s, e,
                           "INSERT INTO source_watch (product_id, shop, on_out, price_alert,"
                           " added_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (product_id) DO"
                           " UPDATE SET on_out = iif(?6, ?3, on_out),"
                           " price_alert = iif(?7, ?4, price_alert), paused = 0,"
                           " state = iif(paused, 'unmonitored', state)",
                           "lsslsii", p.id, shop, src_on_out_names[o->on_out >= 0 ? o->on_out : 0],
                           o->alert_pct100 > 0 ? o->alert_pct100 : 0LL, now, o->on_out >= 0,
                           o->alert_pct100 >= 0);
            if (rc == 0 && o->alert_pct100 <= 0 && !yes)
                rc = store_run(s, e,
                               "UPDATE source_watch SET price_alert = NULL WHERE product_id = ?1",
                               "l", p.id);
            if (rc == 0)
                rc = src_urls_sync(s, p.id, &u, e);
            if (rc == 0 && !yes)
                rc = src_event(s, p.id, NULL, "unmonitored", "unmonitored", "watch added", now, e);
            snprintf(msg, sizeof msg, "%s; %zu source URL%s", yes ? "watch changed" : "watched",
                     u.n, u.n == 1 ? "" : "s");
            if (rc == 0)
                rc = row3(cb, r, p.parent_sku, yes ? "kept" : "unmonitored", msg, e);
            ++*changed;
        } else if (!yes) {
            pub_diag(cb, 1, "R-SRC-2", p.parent_sku, "is not watched");
        } else if (verb == SRC_PAUSE) {
            rc = store_run(s, e,
                           "UPDATE source_watch SET paused = 1, state = 'paused' WHERE"
                           " product_id = ?1",
                           "l", p.id);
            if (rc == 0)
                rc = src_event(s, p.id, NULL, "watched", "paused", "watch paused", now, e);
            if (rc == 0)
                rc = row3(cb, r, p.parent_sku, "paused",
                          "not checked until qs publish watch add resumes it", e);
            ++*changed;
        } else {
            long long zeroed = 0;
            rc = pub_sql_int(s, e, &zeroed, 0,
                             "SELECT count(*) FROM source_zeroed WHERE product_id = ?1", "l", p.id);
            if (rc == 0)
                rc = store_run(s, e, "DELETE FROM source_zeroed WHERE product_id = ?1", "l", p.id);
            if (rc == 0)
                rc = store_run(s, e, "DELETE FROM source_url WHERE product_id = ?1", "l", p.id);
            if (rc == 0)
                rc = store_run(s, e, "DELETE FROM source_watch WHERE product_id = ?1", "l", p.id);
            if (rc == 0)
                rc = src_event(s, p.id, NULL, "watched", "unmonitored", "watch removed", now, e);
            if (rc == 0)
                rc = row3(cb, r, p.parent_sku, "unmonitored",
                          zeroed ? "watch removed; the quantities qs set to 0 stay 0"
                                 : "watch removed",
                          e);
            ++*changed;
        }
        src_urls_free(&u);
        pub_product_free(&p);
    }
    if (dry_run && own && rc == 0)
        store_rollback(s);
    else
        rc = pub_tx_end(s, own, rc, e);
out:
    rec_free(r);
    return rc;
}

/* ---- list ---- */

struct list {
    const struct pub_cb *cb;
    struct rec *r;
    const char *tz;
    struct qs_err *e;
};

static void when(const char *iso, const char *tz, char out[64])
{
    time_t t;
    out[0] = '\0';
    if (*iso && tm_parse_utc_iso(iso, &t) == 0)
        tm_format(t, tz, 0, out, 64);
}

static int list_row(sqlite3_stmt *st, void *p)
{
    struct list *l = p;
    char at[64], pct[32] = "";
    if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
        long long v = sqlite3_column_int64(st, 3);
        snprintf(pct, sizeof pct, v % 100 ? "%lld.%02lld" : "%lld", v / 100, v % 100);
    }
    rec_clear(l->r);
    rec_set(l->r, "parent_sku", store_col_text(st, 0));
    rec_set(l->r, "state", store_col_text(st, 1));
    rec_set(l->r, "on_out", store_col_text(st, 2));
    rec_set(l->r, "price_alert", pct);
    rec_set(l->r, "url", store_col_text(st, 4));
    rec_set(l->r, "url_state", store_col_text(st, 5));
    rec_set(l->r, "price", store_col_text(st, 6));
    rec_set(l->r, "currency", store_col_text(st, 7));
    when(store_col_text(st, 8), l->tz, at);
    rec_set(l->r, "checked_at", at);
    return l->cb->row(l->cb->ctx, l->r, l->e);
}

int src_watch_list(struct store *s, const char *shop, const char *tz, const struct pub_cb *cb,
                   struct qs_err *e)
{
    struct list l = {cb, rec_new(), tz, e};
    int rc =
        store_each(s,
                   "SELECT p.parent_sku, w.state, w.on_out, w.price_alert, coalesce(u.url, ''),"
                   " coalesce(u.state, ''), coalesce(u.price, ''), coalesce(u.currency, ''),"
                   " coalesce(u.checked_at, w.checked_at, '')"
                   " FROM source_watch w JOIN product p ON p.id = w.product_id"
                   " LEFT JOIN source_url u ON u.product_id = w.product_id"
                   " WHERE w.shop = ?1 ORDER BY p.id, u.rowid",
                   list_row, &l, e, "s", shop);
    rec_free(l.r);
    return rc < 0 ? rc : 0;
}

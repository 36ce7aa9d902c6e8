/* publish_list: what qs publish lists besides its results -- the catalog with the next try
 * of each product that waits for one (R-PUB-8, issue 8 item 18), what waits after a run,
 * and the batches undo can take (R-PUB-13, issue 8 item 22). Times are printed in the
 * zone asked (SPEC 1.5), never UTC. */
#include "publish_int.h"

#include <stdlib.h>
#include <string.h>

#include "../catalog/catalog.h"
#include "../outbox.h"
#include "../tm.h"
#include "../xalloc.h"

/* An outbox item of a product that waits for its next try. */
struct wait {
    long long product;
    time_t next_at;
};

static int wait_cmp(const void *a, const void *b)
{
    const struct wait *x = a, *y = b;
    if (x->product != y->product)
        return x->product < y->product ? -1 : 1;
    return (x->next_at > y->next_at) - (x->next_at < y->next_at);
}

/* The pending and retrying items of the shop's publications and listing changes, sorted
 * by product, then next try. */
static int waits_load(struct store *s, const char *shop, struct wait **out, size_t *nout,
                      struct qs_err *e)
{
    static const char *const kinds[] = {PUB_KIND_PUBLISH, PUB_KIND_LISTING};
    static const enum outbox_state states[] = {OUTBOX_PENDING, OUTBOX_RETRY};
    struct wait *w = NULL;
    size_t n = 0;
    int rc = 0;

    for (size_t k = 0; k < 2 && rc == 0; k++) {
        for (size_t si = 0; si < 2 && rc == 0; si++) {
            struct outbox_item *it = NULL;
            size_t ni = 0;
            if ((rc = outbox_list(s, shop, kinds[k], (int)states[si], &it, &ni, e)) < 0)
                break;
            w = xrealloc(w, (n + ni + 1) * sizeof *w);
            for (size_t i = 0; i < ni; i++) {
                json_t *o = json_loads(it[i].payload ? it[i].payload : "{}", 0, NULL);
                w[n++] =
                    (struct wait){json_integer_value(json_object_get(o, "product")), it[i].next_at};
                json_decref(o);
            }
            outbox_items_free(it, ni);
        }
    }
    if (rc < 0) {
        free(w);
        w = NULL, n = 0;
    } else if (n > 1) {
        qsort(w, n, sizeof *w, wait_cmp);
    }
    *out = w;
    *nout = n;
    return rc;
}

int pub_waiting(struct store *s, const char *shop, time_t now, long *n, time_t *next,
                struct qs_err *e)
{
    struct wait *w = NULL;
    size_t nw = 0;
    int rc = waits_load(s, shop, &w, &nw, e);
    *n = 0;
    *next = 0;
    for (size_t i = 0; rc == 0 && i < nw; i++) {
        /* Due at the next run already: not waiting for a backoff. */
        if (w[i].next_at <= now)
            continue;
        (*n)++;
        if (!*next || w[i].next_at < *next)
            *next = w[i].next_at;
    }
    free(w);
    return rc;
}

/* ---- list (R-PUB-8, issue 8 item 18) ---- */

struct lister {
    struct store *s;
    const char *shop, *tz;
    const struct pub_cb *cb;
    struct wait *w;
    size_t nw;
    struct rec *out;
    char parent[256]; /* the last product looked up, and its next try */
    char next[64];
};

static int list_row(void *ctx, const struct rec *r, struct qs_err *e)
{
    struct lister *l = ctx;
    const char *parent = rec_get(r, "parent_sku");
    int rc;

    if (!parent)
        parent = "";
    if (l->nw && strcmp(parent, l->parent) != 0) {
        long long id = 0;
        snprintf(l->parent, sizeof l->parent, "%s", parent);
        l->next[0] = '\0';
        if ((rc = pub_sql_int(l->s, e, &id, 0,
                              "SELECT id FROM product WHERE shop = ?1 AND parent_sku = ?2", "tt",
                              l->shop, parent)) < 0)
            return rc;
        struct wait key = {id, 0};
        size_t lo = 0, hi = l->nw;
        while (lo < hi) { /* the first item of the product: its earliest next try */
            size_t mid = lo + (hi - lo) / 2;
            if (wait_cmp(&l->w[mid], &key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < l->nw && l->w[lo].product == id &&
            tm_format(l->w[lo].next_at, l->tz, 0, l->next, sizeof l->next) < 0)
            l->next[0] = '\0';
    }
    rec_clear(l->out);
    for (size_t i = 0; i < cat_qs_ncolumns; i++) {
        const struct rec_field *f = rec_field(r, cat_qs_columns[i]);
        if (f)
            rec_set_typed(l->out, f->name, f->value, f->type);
    }
    rec_set(l->out, PUB_COL_NEXT_TRY, l->nw ? l->next : "");
    return l->cb->row(l->cb->ctx, l->out, e);
}

int pub_list(struct store *s, const char *shop, const char *state, const char *group,
             const char *tz, const struct pub_cb *cb, struct qs_err *e)
{
    struct lister l = {.s = s, .shop = shop, .tz = tz, .cb = cb, .out = rec_new()};
    int rc;

    if ((rc = waits_load(s, shop, &l.w, &l.nw, e)) == 0)
        rc = cat_export(s, shop, state, group, tz, list_row, &l, e);
    free(l.w);
    rec_free(l.out);
    return rc;
}

/* ---- batches (R-PUB-13, issue 8 item 22) ---- */

int pub_batches(struct store *s, const char *shop, const char *tz, const struct pub_cb *cb,
                struct qs_err *e)
{
    /* The products a batch changed: its catalog_change rows (a copy records its copies). */
    static const char sql[] =
        "SELECT b.id, b.at, b.kind, coalesce(b.undone_at, ''),"
        " (SELECT count(DISTINCT c.product_id) FROM catalog_change c WHERE c.batch = b.id)"
        " FROM catalog_batch b WHERE b.shop = ?1 ORDER BY b.id";
    sqlite3_stmt *st = NULL;
    struct rec *r = rec_new();
    int rc = 0, step;

    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
        rc = store_sqlerr(s, e, "catalog");
        goto out;
    }
    sqlite3_bind_text(st, 1, shop, -1, SQLITE_TRANSIENT);
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        char at[64] = "", undone[64] = "", num[32];
        time_t t;
        const char *a = (const char *)sqlite3_column_text(st, 1),
                   *u = (const char *)sqlite3_column_text(st, 3);
        /* SPEC 1.5: printed in the zone asked, never UTC. */
        if (tm_parse_utc_iso(a, &t) < 0 || tm_format(t, tz, 0, at, sizeof at) < 0)
            snprintf(at, sizeof at, "%s", a ? a : "");
        if (*u && (tm_parse_utc_iso(u, &t) < 0 || tm_format(t, tz, 0, undone, sizeof undone) < 0))
            snprintf(undone, sizeof undone, "%s", u);
        rec_clear(r);
        snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(st, 0));
        rec_set_typed(r, "batch", num, REC_NUM);
        rec_set(r, "at", at);
        rec_set(r, "verb", (const char *)sqlite3_column_text(st, 2));
        snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(st, 4));
        rec_set_typed(r, "products", num, REC_NUM);
        rec_set(r, "undone_at", undone);
        if (cb && cb->row)
            rc = cb->row(cb->ctx, r, e);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_sqlerr(s, e, "catalog");
out:
    sqlite3_finalize(st);
    rec_free(r);
    return rc;
}

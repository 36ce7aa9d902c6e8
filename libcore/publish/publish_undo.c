/* publish_undo: qs publish undo -- restores what a batch changed (R-PUB-13), on the
 * marketplace too for listings there: a publish undone stops the sale (status 1, offline;
 * Qoo10 items are never deleted), a quantity only where the marketplace still holds the
 * value the batch set. */
#include "publish_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../strmap.h"
#include "../tm.h"
#include "../xalloc.h"

/* ---- undo (R-PUB-13) ---- */

struct change {
    long long product, variant;
    char *field, *old, *new_;
    size_t pos; /* its place in the batch (rowid order) */
};

static void changes_free(struct change *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(c[i].field), free(c[i].old), free(c[i].new_);
    free(c);
}

/* The order the changes are kept in once read (change_cmp), so that find_change is a
 * binary search, not a scan of the batch per product and field (quadratic). */
static int key_cmp(long long pa, long long va, const char *fa, long long pb, long long vb,
                   const char *fb)
{
    if (pa != pb)
        return pa < pb ? -1 : 1;
    if (va != vb)
        return va < vb ? -1 : 1;
    return strcmp(fa, fb);
}

static int change_cmp(const void *a, const void *b)
{
    const struct change *x = a, *y = b;
    int c = key_cmp(x->product, x->variant, x->field, y->product, y->variant, y->field);
    return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* The index of the first change of c (sorted) not below (product, variant, field). */
static size_t lower_bound(const struct change *c, size_t n, long long product, long long variant,
                          const char *field)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_cmp(c[mid].product, c[mid].variant, c[mid].field, product, variant, field) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The batch's first change of field of product itself (variant 0); c sorted. */
static const struct change *find_change(const struct change *c, size_t n, long long product,
                                        const char *field)
{
    size_t i = lower_bound(c, n, product, 0, field);
    return i < n && key_cmp(c[i].product, c[i].variant, c[i].field, product, 0, field) == 0 ? &c[i]
                                                                                            : NULL;
}

/* The index of product's first change (c sorted), or where it would be: variants are 0
 * (the product itself) or ids, and "" sorts before every field. */
static size_t product_start(const struct change *c, size_t n, long long product)
{
    return lower_bound(c, n, product, 0, "");
}

/* The products of changes c (in the batch's order) in the order each first comes. */
static long long *products_of(const struct change *c, size_t n, size_t *np)
{
    struct strmap seen = {0};
    long long *prods = xcalloc(n + 1, sizeof *prods);
    char key[32];
    *np = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "%lld", c[i].product);
        if (!strmap_get(&seen, key, NULL)) {
            strmap_put(&seen, key, *np);
            prods[(*np)++] = c[i].product;
        }
    }
    strmap_free(&seen);
    return prods;
}

static long long variant_batch(struct store *s, long long id, struct qs_err *e)
{
    long long b = 0;
    pub_sql_int(s, e, &b, 0, "SELECT coalesce(batch, 0) FROM variant WHERE id = ?1", "i", id);
    return b;
}

/* Restores the product fields the batch recorded (those of names). */
static int restore_product(struct store *s, const struct change *c, size_t n, long long product,
                           const char *const *names, struct qs_err *e)
{
    char now[32];
    int rc = 0;
    pub_now_iso(now);
    for (const char *const *f = names; *f && rc == 0; f++) {
        const struct change *ch = find_change(c, n, product, *f);
        if (ch)
            rc = cstore_product_restore(s, product, *f, ch->old, now, e);
    }
    return rc;
}

/* The outcome of a product's undo that sent nothing (its result above): done by an
 * earlier undo, skipped, queued for the next run (the marketplace stopped answering), or
 * restored here only. */
static enum job_outcome local_outcome(const char *result)
{
    if (strcmp(result, "already undone") == 0)
        return JOB_DONE;
    if (strncmp(result, "skipped", 7) == 0 || strncmp(result, "nothing to do", 13) == 0)
        return JOB_SKIPPED;
    if (strncmp(result, "queued", 6) == 0)
        return JOB_RETRY;
    return JOB_LOCAL;
}

int pub_undo(struct store *s, struct qapi *q, const char *shop, long long batch,
             const struct pub_run_opts *ro, const struct pub_cb *cb, struct pub_run_stats *rst,
             struct qs_err *e)
{
    static const char *const sched_fields[] = {"state", "publish_at", "step",
                                               "error", "batch",      NULL};
    static const char *const sched_fields_kept_step[] = {"state", "publish_at", "error", "batch",
                                                         NULL};
    struct change *c = NULL;
    struct pub_jresults jr = {0};
    struct rec *r = rec_new();
    sqlite3_stmt *st = NULL;
    size_t n = 0;
    char kind[32] = "", undone[32] = "", now[32];
    long long *prods = NULL;
    char **results = NULL;
    size_t np = 0;
    int rc, own = 0, in_tx = 0, step, partial = 0;

    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT kind, coalesce(undone_at, '') FROM catalog_batch WHERE id = ?1"
                           " AND shop = ?2",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = store_sqlerr(s, e, "catalog");
        goto out;
    }
    sqlite3_bind_int64(st, 1, batch);
    sqlite3_bind_text(st, 2, shop, -1, SQLITE_TRANSIENT);
    if ((step = sqlite3_step(st)) == SQLITE_ROW) {
        snprintf(kind, sizeof kind, "%s", sqlite3_column_text(st, 0));
        snprintf(undone, sizeof undone, "%s", sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    st = NULL;
    if (step != SQLITE_ROW) {
        rc = step == SQLITE_DONE
                 ? err_set(e, QS_E_USAGE, "R-PUB-13", "shop %s has no batch %lld", shop, batch)
                 : store_sqlerr(s, e, "catalog");
        goto out;
    }
    if (*undone) {
        /* Issue 8 item 22: the time in the shop's zone (SPEC 1.5), never UTC. */
        time_t t;
        char when[64];
        if (tm_parse_utc_iso(undone, &t) < 0 || tm_format(t, ro->tz, 0, when, sizeof when) < 0)
            snprintf(when, sizeof when, "%s", undone);
        rc = err_set(e, QS_E_USAGE, "R-PUB-13", "batch %lld was undone already (at %s, %s)", batch,
                     when, ro->tz ? ro->tz : "UTC");
        goto out;
    }
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT product_id, coalesce(variant_id, 0), field, old, new"
                           " FROM catalog_change WHERE batch = ?1 ORDER BY rowid",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = store_sqlerr(s, e, "catalog");
        goto out;
    }
    sqlite3_bind_int64(st, 1, batch);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if ((n & (n - 1)) == 0) /* at 0, 1, 2, 4...: room for twice as many */
            c = xrealloc(c, (n ? 2 * n : 1) * sizeof *c);
        c[n] = (struct change){sqlite3_column_int64(st, 0),
                               sqlite3_column_int64(st, 1),
                               pub_col(st, 2),
                               pub_col(st, 3),
                               pub_col(st, 4),
                               n};
        n++;
    }
    sqlite3_finalize(st);
    st = NULL;
    prods = products_of(c, n, &np);
    results = xcalloc(np + 1, sizeof *results);
    if (n)
        qsort(c, n, sizeof *c, change_cmp);
    if (step != SQLITE_DONE) {
        rc = store_sqlerr(s, e, "catalog");
        goto out;
    }
    if ((rc = pub_tx_begin(s, &own, e)) < 0)
        goto out;
    in_tx = 1;
    pub_now_iso(now);
    for (size_t i = 0; i < np && rc == 0; i++) {
        struct pub_product p;
        int gone = 0;
        if ((rc = pub_product_load(s, prods[i], &p, e)) < 0) {
            if (rc != QS_E_SOFTWARE)
                break;
            rc = 0, gone = 1;
        }
        if (gone) {
            results[i] = xstrdup("skipped: the product is gone");
            continue;
        }
        int on_market = p.item_code && *p.item_code;
        if (strcmp(kind, "copy") != 0 && strcmp(kind, "edit") != 0 && p.batch < batch) {
            results[i] = xstrdup("already undone");
        } else if (strcmp(kind, "copy") != 0 && p.batch != batch && strcmp(kind, "edit") != 0) {
            char *m =
                xasprintf("skipped: changed since by batch %lld; undo that batch first", p.batch);
            partial++;
            pub_diag(cb, 1, "R-PUB-13", p.parent_sku, "Parent SKU \"%s\" was %s", p.parent_sku,
                     m + 9);
            results[i] = m;
        } else if (strcmp(kind, "publish") == 0) {
            if (strcmp(p.state, "publishing") == 0) {
                results[i] = xstrdup("skipped: being published; undo once qs publish run is done");
            } else if (strcmp(p.state, "online") == 0) {
                /* R-PUB-13: undoing a publish stops the sale (status 1): offline; Qoo10
                 * items are never deleted. */
                rc = pub_job_enqueue(s, shop, p.parent_sku, p.id, batch, "undo", "status",
                                     "{\"status\":1}", e);
                if (rc == 0)
                    rc = restore_product(s, c, n, p.id, (const char *const[]){"batch", NULL}, e);
                results[i] = xstrdup("queued: stop sale");
            } else {
                rc = restore_product(s, c, n, p.id,
                                     on_market ? sched_fields_kept_step : sched_fields, e);
                results[i] = xstrdup("restored");
            }
        } else if (strcmp(kind, "cancel") == 0) {
            rc = restore_product(s, c, n, p.id, sched_fields, e);
            results[i] = xstrdup("restored");
        } else if (strcmp(kind, "withdraw") == 0) {
            if (strcmp(p.state, "offline") == 0) {
                rc = pub_job_enqueue(s, shop, p.parent_sku, p.id, batch, "undo", "status",
                                     "{\"status\":2}", e);
                if (rc == 0)
                    rc = restore_product(s, c, n, p.id, (const char *const[]){"batch", NULL}, e);
                results[i] = xstrdup("queued: on sale again");
            } else {
                results[i] = xstrdup("nothing to do: the withdraw did not happen");
            }
        } else if (strcmp(kind, "copy") == 0) {
            if (strcmp(p.state, "pending") == 0 && !on_market) {
                rc = cstore_product_delete(s, p.id, e);
                results[i] = xstrdup("deleted (the copy)");
            } else {
                results[i] = xasprintf("skipped: the copy is %s; withdraw it instead", p.state);
            }
        } else if (strcmp(kind, "edit") == 0) {
            json_t *qif = json_object();
            int price = 0, ship = 0, restored = 0, skipped = 0;
            if (strcmp(p.state, "publishing") == 0) {
                results[i] = xstrdup("skipped: being published; undo once qs publish run is done");
                json_decref(qif);
                pub_product_free(&p);
                continue;
            }
            const size_t k0 = product_start(c, n, p.id); /* the product's changes */
            for (size_t k = k0; k < n && c[k].product == p.id && rc == 0; k++) {
                if (!c[k].variant)
                    continue;
                const char *f = c[k].field;
                if (strcmp(f, "price") != 0 && strcmp(f, "quantity") != 0 &&
                    strcmp(f, "shipping") != 0)
                    continue;
                long long vb = variant_batch(s, c[k].variant, e);
                if (vb < batch)
                    continue; /* restored before: a partial undo run again */
                if (vb != batch) {
                    skipped++;
                    continue;
                }
                rc = cstore_variant_restore(s, c[k].variant, f, c[k].old, e);
                restored++;
                /* The variant's batch goes back too, so the batch before can be undone. */
                for (size_t m = k0; rc == 0 && m < n && c[m].product == p.id; m++)
                    if (c[m].variant == c[k].variant && strcmp(c[m].field, "batch") == 0)
                        rc = cstore_variant_batch(s, c[k].variant,
                                                  c[m].old ? strtoll(c[m].old, NULL, 10) : 0LL, e);
                price |= strcmp(f, "price") == 0;
                ship |= strcmp(f, "shipping") == 0;
                if (strcmp(f, "quantity") == 0 && c[k].new_) {
                    /* R-PUB-13: restored only where the marketplace still holds it. */
                    char sku[256] = "";
                    sqlite3_stmt *vs = NULL;
                    if (sqlite3_prepare_v2(store_db(s), "SELECT sku FROM variant WHERE id = ?1", -1,
                                           &vs, NULL) == SQLITE_OK) {
                        sqlite3_bind_int64(vs, 1, c[k].variant);
                        if (sqlite3_step(vs) == SQLITE_ROW)
                            snprintf(sku, sizeof sku, "%s", sqlite3_column_text(vs, 0));
                    }
                    sqlite3_finalize(vs);
                    json_object_set_new(qif, sku, json_integer(strtoll(c[k].new_, NULL, 10)));
                }
            }
            if (rc == 0 && restored && on_market) {
                json_t *pl =
                    json_pack("{s:b, s:O, s:b}", "price", price, "qty_if", qif, "shipping", ship);
                char *txt = json_dumps(pl, JSON_COMPACT);
                rc = pub_job_enqueue(s, shop, p.parent_sku, p.id, batch, "undo", "push", txt, e);
                free(txt);
                json_decref(pl);
            }
            if (rc == 0 && restored)
                rc = restore_product(s, c, n, p.id, (const char *const[]){"batch", NULL}, e);
            json_decref(qif);
            if (skipped)
                partial++;
            results[i] =
                skipped && !restored
                    ? xasprintf("skipped: %d value%s changed since by a later batch; undo that "
                                "first",
                                skipped, skipped == 1 ? "" : "s")
                : skipped ? xasprintf("restored %d value%s; %d changed since by a later batch, "
                                      "kept",
                                      restored, restored == 1 ? "" : "s", skipped)
                          : xasprintf("restored %d value%s", restored, restored == 1 ? "" : "s");
        }
        pub_product_free(&p);
    }
    /* A batch with products changed since stays open: once the later batch is undone,
     * undoing this one again restores the rest (what was restored is not touched twice:
     * its batch marks moved back). */
    if (rc == 0 && !partial)
        rc = cstore_batch_undone(s, batch, now, e);
    if (rc == 0 && partial)
        pub_diag(cb, 1, "R-PUB-13", NULL,
                 "batch %lld is partly undone: %d product%s changed since by later batches; "
                 "undo those, then this batch again",
                 batch, partial, partial == 1 ? "" : "s");
    if (rc == 0 && !ro->dry_run) {
        rc = pub_tx_end(s, own, rc, e);
        in_tx = 0;
    }
    if (rc == 0)
        rc = pub_send_jobs(s, q, shop, ro, rst, &jr, e);
    for (size_t i = 0; i < np && rc == 0; i++) {
        long long id = prods[i];
        char parent[256] = "", state[32] = "";
        sqlite3_stmt *ps = NULL;
        if (sqlite3_prepare_v2(store_db(s), "SELECT parent_sku, state FROM product WHERE id = ?1",
                               -1, &ps, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(ps, 1, id);
            if (sqlite3_step(ps) == SQLITE_ROW) {
                snprintf(parent, sizeof parent, "%s", sqlite3_column_text(ps, 0));
                snprintf(state, sizeof state, "%s", sqlite3_column_text(ps, 1));
            }
        }
        sqlite3_finalize(ps);
        if (!*parent) {
            /* A deleted copy: name it from the record. */
            const struct change *ch = find_change(c, n, id, "created");
            snprintf(parent, sizeof parent, "%s", ch && ch->new_ ? ch->new_ : "?");
            snprintf(state, sizeof state, "deleted");
        }
        const struct pub_jres *j = pub_jres_get(&jr, parent);
        rc = pub_state_row(cb, r, j ? pub_outcome(j->result) : local_outcome(results[i]), parent,
                           j && *j->state ? j->state : state,
                           j                                        ? j->result
                           : strncmp(results[i], "skipped", 7) == 0 ? "skipped"
                                                                    : "ok",
                           j ? j->msg : results[i], e);
    }
out:
    if (in_tx) {
        if (ro->dry_run && rc == 0) {
            if (own)
                store_rollback(s);
        } else {
            rc = pub_tx_end(s, own, rc, e);
        }
    }
    for (size_t i = 0; i < np; i++)
        free(results[i]);
    free(results);
    free(prods);
    changes_free(c, n);
    pub_jres_free(&jr);
    rec_free(r);
    return rc;
}

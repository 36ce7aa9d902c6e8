/* publish_db: loading products, selecting them (SKUs, records on stdin, --group, --state)
 * and recording batches for undo (R-PUB-13). */
#include "publish_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../catalog/catalog.h"
#include "../outbox.h"
#include "../tm.h"
#include "../xalloc.h"

static int int_row(sqlite3_stmt *st, void *p)
{
    if (sqlite3_column_type(st, 0) != SQLITE_NULL)
        *(long long *)p = sqlite3_column_int64(st, 0);
    return 1; /* the first row only */
}

int pub_sql_int(struct store *s, struct qs_err *e, long long *out, long long dflt, const char *sql,
                const char *types, ...)
{
    va_list ap;
    int rc;
    *out = dflt;
    va_start(ap, types);
    rc = store_eachv(s, sql, int_row, out, e, types, ap);
    va_end(ap);
    return rc < 0 ? rc : 0;
}

int pub_tx_begin(struct store *s, int *own, struct qs_err *e)
{
    *own = sqlite3_get_autocommit(store_db(s));
    return *own ? store_begin(s, e) : 0;
}

int pub_tx_end(struct store *s, int own, int rc, struct qs_err *e)
{
    if (!own)
        return rc;
    if (rc == 0)
        return store_commit(s, e);
    store_rollback(s);
    return rc;
}

char *pub_col(sqlite3_stmt *st, int i)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    return v ? xstrdup((const char *)v) : NULL;
}

int pub_emit(const struct pub_cb *cb, enum job_outcome oc, const struct rec *r, struct qs_err *e)
{
    if (cb && cb->jrow)
        return cb->jrow(cb->ctx, oc, r, e);
    return cb && cb->row ? cb->row(cb->ctx, r, e) : 0;
}

enum job_outcome pub_outcome(const char *result)
{
    if (strcmp(result, "failed") == 0)
        return JOB_FAILED;
    if (strcmp(result, "retry") == 0 || strcmp(result, "queued") == 0)
        return JOB_RETRY;
    if (strcmp(result, "already") == 0)
        return JOB_DONE;
    if (strcmp(result, "skipped") == 0)
        return JOB_SKIPPED;
    if (strcmp(result, "local") == 0)
        return JOB_LOCAL;
    return JOB_SENT; /* ok, online; dry-run (never reported) */
}

char *pub_now_iso(char buf[32])
{
    return tm_utc_iso(time(NULL), buf, 32);
}

void pub_fail_fatal(struct store *s, long long item, long long product, const char *step,
                    const char *msg)
{
    struct qs_err ignore;
    char now[32], *err = xasprintf("step %s: %s (will retry)", step, msg);
    if (cstore_product_error(s, product, err, pub_now_iso(now), &ignore) == 0)
        outbox_fail(s, item, err, 1, time(NULL), &ignore);
    else
        outbox_fail(s, item, msg, 1, time(NULL), &ignore);
    free(err);
}

void pub_diag(const struct pub_cb *cb, int warning, const char *rule, const char *record,
              const char *fmt, ...)
{
    struct qs_err e;
    va_list ap;
    if (!cb || !cb->diag)
        return;
    err_clear(&e);
    va_start(ap, fmt);
    err_setv(&e, warning ? 0 : QS_E_DATA, rule, fmt, ap);
    va_end(ap);
    if (record)
        err_record(&e, record);
    cb->diag(cb->ctx, &e, warning);
}

static long long col_num(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

int pub_product_load(struct store *s, long long id, struct pub_product *p, struct qs_err *e)
{
    static const char psql[] =
        "SELECT p.id, coalesce(p.batch, 0), p.shop, p.parent_sku, p.title, p.description, p.tags,"
        " p.brand, p.code, p.code_type, p.grp, p.category, p.profile, g.category, g.profile,"
        " p.state, p.publish_at, p.item_code, p.step, p.error, p.create_sent_at"
        " FROM product p LEFT JOIN product_group g ON g.shop = p.shop AND g.name = p.grp"
        " WHERE p.id = ?1";
    static const char vsql[] =
        "SELECT id, sku, color, size, main_image, extra_images, price, quantity, msrp, shipping,"
        " min_days, max_days FROM variant WHERE product_id = ?1 ORDER BY id";
    sqlite3_stmt *st = NULL;
    int rc = 0, step;
    size_t cap = 0;

    memset(p, 0, sizeof *p);
    /* Kept prepared: a publish run loads every product at each step (issue 16: preparing
     * these two was a fifth of a run's instructions). */
    if ((rc = store_prepare_cached(s, psql, &st, e)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    step = sqlite3_step(st);
    if (step != SQLITE_ROW) {
        rc = step == SQLITE_DONE ? err_set(e, QS_E_SOFTWARE, NULL, "product %lld is gone", id)
                                 : store_sqlerr(s, e, "catalog");
        goto out;
    }
    p->id = sqlite3_column_int64(st, 0);
    p->batch = sqlite3_column_int64(st, 1);
    char **f[] = {&p->shop,        &p->parent_sku, &p->title,         &p->description,
                  &p->tags,        &p->brand,      &p->code,          &p->code_type,
                  &p->grp,         &p->category,   &p->profile,       &p->grp_category,
                  &p->grp_profile, &p->state,      &p->publish_at,    &p->item_code,
                  &p->step,        &p->error,      &p->create_sent_at};
    for (int i = 0; i < (int)(sizeof f / sizeof f[0]); i++)
        *f[i] = pub_col(st, i + 2);
    store_release(s, st);
    st = NULL;
    if ((rc = store_prepare_cached(s, vsql, &st, e)) < 0)
        goto out;
    sqlite3_bind_int64(st, 1, id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (p->nv == cap)
            p->v = xrealloc(p->v, (cap = cap ? 2 * cap : 8) * sizeof *p->v);
        struct pub_variant *v = &p->v[p->nv++];
        v->id = sqlite3_column_int64(st, 0);
        v->sku = pub_col(st, 1);
        v->color = pub_col(st, 2);
        v->size = pub_col(st, 3);
        v->main_image = pub_col(st, 4);
        v->extra_images = pub_col(st, 5);
        v->price = sqlite3_column_int64(st, 6);
        v->qty = col_num(st, 7);
        v->msrp = col_num(st, 8);
        v->shipping = col_num(st, 9);
        v->min_days = col_num(st, 10);
        v->max_days = col_num(st, 11);
    }
    if (step != SQLITE_DONE)
        rc = store_sqlerr(s, e, "catalog");
out:
    store_release(s, st);
    if (rc < 0)
        pub_product_free(p);
    return rc;
}

int pub_product_find(struct store *s, const char *shop, const char *name, long long *id,
                     struct qs_err *e)
{
    int rc = pub_sql_int(s, e, id, 0, "SELECT product_id FROM variant WHERE shop = ?1 AND sku = ?2",
                         "tt", shop, name);
    if (rc == 0 && *id == 0)
        rc = pub_sql_int(s, e, id, 0, "SELECT id FROM product WHERE shop = ?1 AND parent_sku = ?2",
                         "tt", shop, name);
    return rc;
}

/* ---- selection ---- */

void pub_sel_free(struct pub_sel *s)
{
    free(s->id);
    free(s->vid);
    free(s->whole);
    memset(s, 0, sizeof *s);
}

static int in_list(const long long *v, size_t n, long long x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return 1;
    return 0;
}

int pub_sel_applies(const struct pub_sel *s, long long product, const long long *variants,
                    size_t nvariants, long long variant)
{
    if (s->nv == 0 || in_list(s->whole, s->nw, product))
        return 1;
    for (size_t i = 0; i < nvariants; i++)
        if (in_list(s->vid, s->nv, variants[i]))
            return in_list(s->vid, s->nv, variant);
    return 1;
}

/* Remembers how a product was named: by one of its SKUs (vid) or as a whole. */
static void sel_named(struct pub_sel *sel, long long vid, long long pid)
{
    if (vid) {
        sel->vid = xrealloc(sel->vid, (sel->nv + 1) * sizeof *sel->vid);
        sel->vid[sel->nv++] = vid;
    } else {
        sel->whole = xrealloc(sel->whole, (sel->nw + 1) * sizeof *sel->whole);
        sel->whole[sel->nw++] = pid;
    }
}

/* The product (and variant, 0 when named by Parent SKU) of shop named name. */
static int find_named(struct store *s, const char *shop, const char *name, long long *pid,
                      long long *vid, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = 0, step;
    *pid = *vid = 0;
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT product_id, id FROM variant WHERE shop = ?1 AND sku = ?2", -1,
                           &st, NULL) != SQLITE_OK)
        return store_sqlerr(s, e, "catalog");
    sqlite3_bind_text(st, 1, shop, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *pid = sqlite3_column_int64(st, 0);
        *vid = sqlite3_column_int64(st, 1);
    } else if (step != SQLITE_DONE) {
        rc = store_sqlerr(s, e, "catalog");
    }
    sqlite3_finalize(st);
    if (rc == 0 && !*pid)
        rc = pub_sql_int(s, e, pid, 0, "SELECT id FROM product WHERE shop = ?1 AND parent_sku = ?2",
                         "tt", shop, name);
    return rc;
}

int pub_state_valid(const char *state)
{
    static const char *const states[] = {CAT_STATES, NULL};
    for (const char *const *p = states; state && *p; p++)
        if (strcmp(*p, state) == 0)
            return 1;
    return 0;
}

/* An open-addressing set of product ids, so each is selected once. */
struct idset {
    long long *v;
    size_t cap, n;
};

static int idset_add(struct idset *h, long long id)
{
    if (2 * (h->n + 1) > h->cap) {
        struct idset g = {xcalloc(h->cap ? 2 * h->cap : 64, sizeof *g.v), h->cap ? 2 * h->cap : 64,
                          0};
        for (size_t i = 0; i < h->cap; i++)
            if (h->v[i])
                idset_add(&g, h->v[i]);
        free(h->v);
        *h = g;
    }
    size_t i = (size_t)(id * 0x9E3779B97F4A7C15ULL) & (h->cap - 1);
    while (h->v[i]) {
        if (h->v[i] == id)
            return 0;
        i = (i + 1) & (h->cap - 1);
    }
    h->v[i] = id;
    h->n++;
    return 1;
}

static void sel_add(struct pub_sel *sel, struct idset *seen, long long id)
{
    if (!idset_add(seen, id))
        return;
    if (sel->n == sel->cap)
        sel->id = xrealloc(sel->id, (sel->cap = sel->cap ? 2 * sel->cap : 64) * sizeof *sel->id);
    sel->id[sel->n++] = id;
}

/* Reads the records of o->in: each names a product by its sku column, else parent_sku. */
static int select_records(struct store *s, const char *shop, const struct pub_select_opts *o,
                          const struct pub_cb *cb, struct pub_sel *sel, struct idset *seen,
                          long *bad, struct qs_err *e)
{
    struct rec_reader_opts ro = {.enc = o->enc, .sheet = o->sheet};
    struct rec_reader *rd = NULL;
    struct rec *r = rec_new();
    int rc;
    long n = 0;

    if ((rc = rec_reader_open(o->in, o->in_name, &ro, &rd, e)) < 0)
        goto out;
    while ((rc = rec_read(rd, r, e)) == 1) {
        const char *sku = rec_get(r, "sku"), *parent = rec_get(r, "parent_sku");
        long long id = 0;
        n++;
        if (!sku && !parent) {
            rc = err_set(e, QS_E_DATA, NULL,
                         "the input has no sku or parent_sku column to select products by");
            err_at_sheet(e, o->in_name, rec_reader_sheet(rd), rec_reader_line(rd), 0);
            goto out;
        }
        long long vid = 0;
        if (sku && *sku && (rc = find_named(s, shop, sku, &id, &vid, e)) < 0)
            goto out;
        if (!id && parent && *parent && (rc = find_named(s, shop, parent, &id, &vid, e)) < 0)
            goto out;
        if (!id) {
            struct qs_err d;
            err_clear(&d);
            err_set(&d, QS_E_DATA, NULL, "SKU \"%s\" is not in the catalog of shop %s",
                    sku && *sku ? sku
                    : parent    ? parent
                                : "",
                    shop);
            err_at_sheet(&d, o->in_name, rec_reader_sheet(rd), rec_reader_line(rd), 0);
            if (cb && cb->diag)
                cb->diag(cb->ctx, &d, 0);
            (*bad)++;
            continue;
        }
        sel_named(sel, vid, id);
        sel_add(sel, seen, id);
    }
out:
    rec_free(r);
    rec_reader_close(rd);
    return rc < 0 ? rc : 0;
}

int pub_select(struct store *s, const char *shop, const struct pub_select_opts *o,
               const struct pub_cb *cb, struct pub_sel *out, struct qs_err *e)
{
    struct idset seen = {0};
    struct pub_sel all = {0};
    long bad = 0;
    int rc = 0, named = 0;

    memset(out, 0, sizeof *out);
    if (o->state && !pub_state_valid(o->state))
        return err_set(e, QS_E_USAGE, NULL,
                       "--state \"%s\" is not pending, scheduled, publishing, online, failed or "
                       "offline",
                       o->state);
    for (int i = 0; i < o->nargs && rc == 0; i++) {
        long long id = 0, vid = 0;
        if (strcmp(o->args[i], "-") == 0)
            continue;
        named = 1;
        if ((rc = find_named(s, shop, o->args[i], &id, &vid, e)) < 0)
            break;
        if (!id) {
            pub_diag(cb, 0, NULL, NULL, "SKU \"%s\" is not in the catalog of shop %s", o->args[i],
                     shop);
            bad++;
            continue;
        }
        sel_named(out, vid, id);
        sel_add(out, &seen, id);
    }
    if (rc == 0 && o->in) {
        named = 1;
        rc = select_records(s, shop, o, cb, out, &seen, &bad, e);
    }
    if (rc == 0 && bad)
        rc = err_set(e, QS_E_DATA, NULL, "%ld unknown SKU%s; nothing was changed", bad,
                     bad == 1 ? "" : "s");
    if (rc == 0) {
        /* Without names: every product of the shop, in catalog order; --group and --state
         * filter either way. */
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(
                store_db(s),
                "SELECT id FROM product WHERE shop = ?1 AND (?2 IS NULL OR grp = ?2)"
                " AND (?3 IS NULL OR state = ?3) AND (?4 = 0 OR id = ?5) ORDER BY id",
                -1, &st, NULL) != SQLITE_OK) {
            rc = store_sqlerr(s, e, "catalog");
        } else if (!named) {
            int step;
            sqlite3_bind_text(st, 1, shop, -1, SQLITE_TRANSIENT);
            if (o->group)
                sqlite3_bind_text(st, 2, o->group, -1, SQLITE_TRANSIENT);
            if (o->state)
                sqlite3_bind_text(st, 3, o->state, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(st, 4, 0);
            while ((step = sqlite3_step(st)) == SQLITE_ROW)
                sel_add(out, &seen, sqlite3_column_int64(st, 0));
            if (step != SQLITE_DONE)
                rc = store_sqlerr(s, e, "catalog");
        } else if (o->group || o->state) {
            for (size_t i = 0; i < out->n && rc == 0; i++) {
                sqlite3_reset(st);
                sqlite3_bind_text(st, 1, shop, -1, SQLITE_TRANSIENT);
                if (o->group)
                    sqlite3_bind_text(st, 2, o->group, -1, SQLITE_TRANSIENT);
                if (o->state)
                    sqlite3_bind_text(st, 3, o->state, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int(st, 4, 1);
                sqlite3_bind_int64(st, 5, out->id[i]);
                int step = sqlite3_step(st);
                if (step == SQLITE_ROW) {
                    if (all.n == all.cap)
                        all.id = xrealloc(all.id,
                                          (all.cap = all.cap ? 2 * all.cap : 64) * sizeof *all.id);
                    all.id[all.n++] = out->id[i];
                } else if (step != SQLITE_DONE) {
                    rc = store_sqlerr(s, e, "catalog");
                }
            }
            if (rc == 0) {
                free(out->id);
                out->id = all.id, out->n = all.n, out->cap = all.cap;
                all = (struct pub_sel){0};
            }
        }
        sqlite3_finalize(st);
    }
    free(seen.v);
    pub_sel_free(&all);
    if (rc < 0)
        pub_sel_free(out);
    return rc;
}

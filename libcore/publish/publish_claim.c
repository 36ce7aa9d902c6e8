/* publish_claim: qs publish claim (R-SRC-1) -- collected products of the collection box
 * move to pending once complete: source prices converted into yen (--fx), every R-IMP rule
 * a box row could skip checked again (R-IMP-2's required fields, R-IMP-9's spread on the
 * converted prices; R-IMP-10 warns as at import) and the leaf category (R-PUB-12). Every
 * gap of a product is listed; a product with gaps stays collected. */
#include "publish_int.h"

#include <stdlib.h>
#include <string.h>

#include "../xalloc.h"

static const char *const claim_cols[] = {"parent_sku", "sku", "state", "rule", "field", "message"};
const char *const *pub_claim_columns(size_t *n)
{
    *n = sizeof claim_cols / sizeof claim_cols[0];
    return claim_cols;
}

struct claim {
    const struct pub_cb *cb;
    struct rec *r;
    const char *parent;
    long gaps;
    int rc;
    struct qs_err *e;
};

static void out(struct claim *c, const char *sku, const char *state, const char *rule,
                const char *field, const char *msg)
{
    if (c->rc < 0 || !c->cb || !c->cb->row)
        return;
    rec_clear(c->r);
    rec_set(c->r, "parent_sku", c->parent);
    rec_set(c->r, "sku", sku ? sku : "");
    rec_set(c->r, "state", state);
    rec_set(c->r, "rule", rule);
    rec_set(c->r, "field", field);
    rec_set(c->r, "message", msg);
    c->rc = c->cb->row(c->cb->ctx, c->r, c->e);
}

static void gap(struct claim *c, const char *rule, const char *field, const char *sku,
                const char *msg)
{
    c->gaps++;
    out(c, sku, "collected", rule, field, msg);
}

struct src {
    char *price, *currency; /* NULL: price holds yen */
};

static int src_row(sqlite3_stmt *st, void *p)
{
    struct src *s = p;
    if (sqlite3_column_type(st, 0) != SQLITE_NULL)
        s->price = xstrdup(store_col_text(st, 0));
    s->currency = xstrdup(store_col_text(st, 1));
    return 1;
}

static int src_get(struct store *s, long long variant, struct src *out, struct qs_err *e)
{
    int rc;
    memset(out, 0, sizeof *out);
    rc = store_each(s, "SELECT source_price, source_currency FROM variant WHERE id = ?1", src_row,
                    out, e, "l", variant);
    return rc < 0 ? rc : 0;
}

static void src_free(struct src *s)
{
    free(s->price);
    free(s->currency);
}

static int cur_row(sqlite3_stmt *st, void *p)
{
    char **cur = p;
    const char *c = store_col_text(st, 0);
    if (!*cur) {
        *cur = xstrdup(c);
        return 0;
    }
    return strcmp(*cur, c) != 0 ? 2 : 0;
}

/* R-SRC-1: a rate converts one currency; it is needed when a source price is foreign. */
static int need_fx(struct store *s, const struct pub_sel *sel, const struct cat_fx *fx,
                   struct qs_err *e)
{
    char *cur = NULL;
    int rc = 0;
    for (size_t i = 0; i < sel->n && rc == 0; i++)
        rc = store_each(s,
                        "SELECT v.source_currency FROM variant v JOIN product p"
                        " ON p.id = v.product_id WHERE p.id = ?1 AND p.state = 'collected'"
                        " AND v.source_price <> '' AND v.source_currency IS NOT NULL",
                        cur_row, &cur, e, "l", sel->id[i]);
    if (rc == 2)
        rc = err_set(e, QS_E_USAGE, "R-SRC-1",
                     "the products hold source prices in more than one currency; --fx RATE "
                     "converts one: claim them apart (--group or Parent SKUs)");
    else if (rc == 0 && cur && !fx->mant)
        rc = err_set(e, QS_E_USAGE, "R-SRC-1",
                     "source prices are in %s: give --fx RATE (yen per %s) to convert them", cur,
                     cur);
    free(cur);
    return rc;
}

static void word(void *ctx, const char *field, const char *w)
{
    struct claim *c = ctx;
    /* R-IMP-10: a warning, as at import. */
    pub_diag(c->cb, 1, "R-IMP-10", c->parent, "%s holds the sensitive word \"%s\"", field, w);
}

/* Checks product p; converts its prices into yen[] (-1: none). Returns the gaps. */
static long check(struct store *s, struct claim *c, const struct pub_product *p,
                  const struct cat_fx *fx, long long *yen, struct words *w)
{
    long before = c->gaps;
    char msg[512];
    long long lo = -1, hi = -1;
    size_t ilo = 0, ihi = 0;
    /* R-IMP-2: what a box row may lack and a pending product may not. */
    if (!*p->description)
        gap(c, "R-IMP-2", "Description", NULL,
            "is empty; complete it with qs import products "
            "--update");
    if (!*p->tags)
        gap(c, "R-IMP-2", "Tags", NULL,
            "are empty; complete them with qs import products --update");
    for (size_t k = 0; k < p->nv && c->rc == 0; k++) {
        const struct pub_variant *v = &p->v[k];
        struct src sp;
        const char *why;
        yen[k] = v->price;
        if (src_get(s, v->id, &sp, c->e) < 0) {
            c->rc = -1;
            break;
        }
        if (sp.price && !*sp.price) {
            yen[k] = -1;
            gap(c, "R-IMP-2", "Price", v->sku,
                "is missing; complete it with qs import products "
                "--update");
        } else if (sp.price && cat_money(sp.price, fx, &yen[k], &why) < 0) {
            yen[k] = -1;
            snprintf(msg, sizeof msg, "%s %s: %s", sp.price, sp.currency, why);
            gap(c, "R-IMP-2", "Price", v->sku, msg);
        }
        src_free(&sp);
        if (v->shipping < 0)
            gap(c, "R-IMP-2", "Shipping", v->sku,
                "is missing; complete it with qs import "
                "products --update");
        if (yen[k] >= 0 && (lo < 0 || yen[k] < lo))
            lo = yen[k], ilo = k;
        if (yen[k] >= 0 && yen[k] > hi)
            hi = yen[k], ihi = k;
    }
    /* R-IMP-9: the spread, on the prices the product would have. */
    if (lo >= 0 &&
        cat_spread_check(p->parent_sku, p->v[ihi].sku, hi, p->v[ilo].sku, lo, 0, msg, sizeof msg))
        gap(c, "R-IMP-9", "Price", p->v[ihi].sku, msg);
    /* R-PUB-12: a product without a leaf category cannot be published. */
    if (!(p->category && *p->category) && !(p->grp_category && *p->grp_category))
        gap(c, "R-PUB-12", "category", NULL,
            "has no leaf category; set one with qs publish category GROUP|SKU CODE");
    words_check(w, p->title, p->description, p->tags, word, c);
    return c->gaps - before;
}

int pub_claim(struct store *s, const char *shop, const struct pub_sel *sel, const struct cat_fx *fx,
              int dry_run, const struct pub_cb *cb, struct pub_claim_stats *st, struct qs_err *e)
{
    struct claim c = {cb, rec_new(), NULL, 0, 0, e};
    struct words *w = NULL;
    long long batch = 0;
    char now[32];
    int rc, own = 0;

    memset(st, 0, sizeof *st);
    if ((rc = need_fx(s, sel, fx, e)) < 0 || (rc = words_load(s, &w, e)) < 0)
        goto out;
    if ((rc = pub_tx_begin(s, &own, e)) < 0)
        goto out;
    pub_now_iso(now);
    for (size_t i = 0; i < sel->n && rc == 0 && c.rc == 0; i++) {
        struct pub_product p;
        if ((rc = pub_product_load(s, sel->id[i], &p, e)) < 0)
            break;
        c.parent = p.parent_sku;
        if (strcmp(p.state, "collected") != 0) {
            pub_diag(cb, 1, "R-SRC-1", p.parent_sku, "is %s, not collected; skipped", p.state);
            st->skipped++;
            pub_product_free(&p);
            continue;
        }
        long long *yen = xcalloc(p.nv ? p.nv : 1, sizeof *yen);
        if (check(s, &c, &p, fx, yen, w) > 0) {
            st->kept++;
        } else if (c.rc == 0) {
            if (!batch)
                rc = cstore_batch_open(s, shop, "claim", &batch, e);
            if (rc == 0)
                rc = cstore_change_add(s, batch, p.id, 0, "state", "collected", "pending", e);
            for (size_t k = 0; k < p.nv && rc == 0; k++) {
                char m[128] = "";
                if (yen[k] != p.v[k].price)
                    snprintf(m, sizeof m, "price %lld yen", yen[k]);
                rc = cstore_box_price(s, p.v[k].id, yen[k], e);
                if (rc == 0)
                    out(&c, p.v[k].sku, "pending", "", "", m);
            }
            if (rc == 0)
                rc = cstore_box_claim(s, p.id, batch, now, e);
            st->claimed++;
        }
        free(yen);
        pub_product_free(&p);
    }
    if (rc == 0)
        rc = c.rc;
    st->batch = dry_run ? 0 : batch;
    if (dry_run && own && rc == 0)
        store_rollback(s);
    else
        rc = pub_tx_end(s, own, rc, e);
out:
    st->gaps = c.gaps;
    words_free(w);
    rec_free(c.r);
    return rc;
}

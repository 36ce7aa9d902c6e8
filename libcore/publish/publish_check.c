/* publish_check: qs publish check -- the selected products against what publishing checks
 * before any call (R-PUB-11, 12, 14, 15), the price spread (R-IMP-9) and the sensitive
 * words (R-IMP-10), without any call. */
#include "publish_int.h"

#include <stdlib.h>
#include <string.h>

#include "../catalog/catalog.h"
#include "../xalloc.h"

struct check {
    const struct pub_cb *cb;
    struct rec *r;
    const char *parent;
    long problems;
    int rc;
    struct qs_err *e;
};

static void row(struct check *c, const char *rule, const char *field, const char *sku,
                const char *msg)
{
    c->problems++;
    if (c->rc < 0 || !c->cb || !c->cb->row)
        return;
    rec_clear(c->r);
    rec_set(c->r, "parent_sku", c->parent);
    rec_set(c->r, "sku", sku ? sku : "");
    rec_set(c->r, "rule", rule);
    rec_set(c->r, "field", field);
    rec_set(c->r, "message", msg);
    c->rc = c->cb->row(c->cb->ctx, c->r, c->e);
}

static void issue(void *ctx, const char *rule, const char *field, const char *sku, const char *msg)
{
    row(ctx, rule, field, sku, msg);
}

static void word(void *ctx, const char *field, const char *w)
{
    char msg[512];
    /* R-IMP-10: the word and the field it is in. */
    snprintf(msg, sizeof msg, "%s holds the sensitive word \"%s\"", field, w);
    row(ctx, "R-IMP-10", field, NULL, msg);
}

/* The delivery templates, asked for the first time they are needed. */
struct ship_src {
    pub_ship_get_fn get;
    void *ctx;
    int asked;
    const struct pub_ship_list *l;
};

static const struct pub_ship_list *ship_get(struct ship_src *src)
{
    if (!src->asked && src->get)
        src->l = src->get(src->ctx);
    src->asked = 1;
    return src->l && src->l->have ? src->l : NULL;
}

/* pub_ship_fn: run resolves a fee against the templates; so does check. */
static int ship_resolve(void *ctx, long long fee, char no[16])
{
    const struct pub_ship_list *l = ship_get(ctx);
    return l ? pub_ship_find(l, fee, no) : 2;
}

/* Issue 8 item 22: a ShippingNo the profile sets must be one of the shop's templates. */
static void check_shipping_no(struct check *c, const struct prof *pf, struct ship_src *src)
{
    const char *no = pf->v[PF_SHIPPING_NO];
    const struct pub_ship_list *l;
    char msg[512];
    if (!no || !*no || strcmp(no, "0") == 0 || !(l = ship_get(src)) || pub_ship_has(l, no))
        return;
    snprintf(msg, sizeof msg,
             "ShippingNo %s of listing profile %s is none of the shop's delivery templates "
             "(qs publish shipping lists them)",
             no, pf->from[PF_SHIPPING_NO] ? pf->from[PF_SHIPPING_NO] : PROF_DEFAULT);
    row(c, "R-PUB-15", "ShippingNo", NULL, msg);
}

int pub_check(struct store *s, const char *shop, const struct pub_sel *sel,
              pub_ship_get_fn ship_get_fn, void *ship_ctx, const struct pub_cb *cb, long *problems,
              struct qs_err *e)
{
    /* Issue 8 item 22: the shipping fees are resolved as run resolves them. */
    struct ship_src src = {ship_get_fn, ship_ctx, 0, NULL};
    struct check c = {cb, rec_new(), NULL, 0, 0, e};
    struct words *w = NULL;
    int rc;

    if ((rc = words_load(s, &w, e)) < 0)
        goto out;
    for (size_t i = 0; i < sel->n && rc == 0 && c.rc == 0; i++) {
        struct pub_product p;
        struct prof pf;
        struct pub_params item = {0}, images = {0};
        char *brand_no = NULL;
        if ((rc = pub_product_load(s, sel->id[i], &p, e)) < 0)
            break;
        c.parent = p.parent_sku;
        if ((rc = prof_resolve(s, shop, p.grp_profile, p.profile, &pf, e)) == 0) {
            if ((rc = prof_brand_get(s, shop, p.brand, &brand_no, e)) == 0)
                pub_map(&p, &pf, brand_no, ship_resolve, &src, &item, &images, issue, &c);
            check_shipping_no(&c, &pf, &src);
            words_check(w, p.title, p.description, p.tags, word, &c);
            prof_clear(&pf);
        }
        free(brand_no);
        pub_params_free(&item);
        pub_params_free(&images);
        pub_product_free(&p);
    }
    if (rc == 0)
        rc = c.rc;
out:
    *problems = c.problems;
    words_free(w);
    rec_free(c.r);
    return rc;
}

/* publish_verbs.c: what a publish verb does in one go across the publish modules --
 * category and profile changes (all or nothing, rolled back in a dry run), reading the
 * delivery templates. cmd/publish.c parses and prints; the transactions are here (those of
 * run, now, edit, withdraw and undo are the runner's: publish_job_ops.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "publish.h"
#include "../xalloc.h"

int pub_category_change(struct store *s, const char *shop, const char *target, const char *code,
                        int dry_run, const char **what, struct qs_err *e)
{
    int rc;
    if (dry_run && (rc = store_begin(s, e)) < 0)
        return rc;
    rc = pub_category(s, shop, target, code, what, e);
    if (dry_run)
        store_rollback(s);
    return rc;
}

int pub_profile_field_split(const char *arg, int *field, const char **value, struct qs_err *e)
{
    const char *eq = strchr(arg, '=');
    char name[64];

    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof name)
        return err_set(e, QS_E_USAGE, NULL, "\"%s\" is not FIELD=VALUE", arg);
    snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
    /* R-PUB-15: the fields a profile holds. */
    if ((*field = prof_field_parse(name)) < 0)
        return err_set(e, QS_E_USAGE, "R-PUB-15",
                       "\"%s\" is not a profile field (ShippingNo, AvailableDateType, "
                       "AvailableDateValue, TaxRate, ProductionPlaceType, ProductionPlace, "
                       "AdultYN, ContactInfo, ExpireDate, SecondSubCat, ItemQty, ColorName, "
                       "SizeName)",
                       name);
    *value = eq + 1;
    return 0;
}

int pub_profile_check(const struct pub_profile_change *c, struct qs_err *e)
{
    const char *value;
    int field, rc;

    if ((c->group || c->nskus) && !c->name)
        return err_set(e, QS_E_USAGE, NULL, "--group and --sku need a profile NAME");
    if (c->name && !prof_name_valid(c->name))
        return err_set(e, QS_E_USAGE, NULL,
                       "profile name \"%s\" is not 1-63 of letters, digits, '.', '_' or '-'",
                       c->name);
    for (size_t i = 0; i < c->nsets; i++)
        if ((rc = pub_profile_field_split(c->sets[i], &field, &value, e)) < 0)
            return rc;
    for (size_t i = 0; i < c->nbrands; i++)
        if (!strchr(c->brands[i], '='))
            return err_set(e, QS_E_USAGE, NULL, "--brand \"%s\" is not NAME=BRANDNO", c->brands[i]);
    return 0;
}

/* The steps of a profile change, in order, inside its transaction. */
static int profile_apply(struct store *s, const char *shop, const struct pub_profile_change *c,
                         const struct pub_cb *cb, struct qs_err *e)
{
    int rc = 0, field;
    const char *value;

    for (size_t i = 0; i < c->nsets && rc == 0; i++)
        if ((rc = pub_profile_field_split(c->sets[i], &field, &value, e)) == 0)
            rc = prof_set(s, shop, c->name, field, value, e);
    for (size_t i = 0; i < c->nbrands && rc == 0; i++) {
        char *b = xstrdup(c->brands[i]), *eq = strchr(b, '=');
        if (!eq)
            rc = err_set(e, QS_E_USAGE, NULL, "--brand \"%s\" is not NAME=BRANDNO", b);
        else
            *eq = '\0', rc = prof_brand_set(s, shop, b, eq + 1, e);
        free(b);
    }
    if (rc == 0 && c->group)
        rc = prof_assign_group(s, shop, c->group, c->name, e);
    if (rc == 0 && c->nskus) {
        struct pub_select_opts so = {
            .args = (char **)c->skus, .nargs = (int)c->nskus, .in_name = "-", .enc = REC_ENC_AUTO};
        struct pub_sel sel = {0};
        if ((rc = pub_select(s, shop, &so, cb, &sel, e)) == 0)
            rc = pub_profile_assign(s, shop, &sel, c->name, e);
        pub_sel_free(&sel);
    }
    return rc;
}

int pub_profile_change(struct store *s, const char *shop, const struct pub_profile_change *c,
                       const struct pub_cb *cb, struct qs_err *e)
{
    int rc;
    if ((rc = store_begin(s, e)) < 0)
        return rc;
    /* R-PUB-15: everything or nothing -- rolled back at the first bad value. */
    if ((rc = profile_apply(s, shop, c, cb, e)) < 0 || c->dry_run) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s, e);
}

struct prof_rows {
    const struct pub_cb *cb;
    struct rec *r;
    struct qs_err *e;
};

static int prof_row(void *p, const char *name, const char *field, const char *value)
{
    struct prof_rows *x = p;
    rec_clear(x->r);
    rec_set(x->r, "profile", name);
    rec_set(x->r, "field", field);
    rec_set(x->r, "value", value);
    return x->cb->row ? x->cb->row(x->cb->ctx, x->r, x->e) : 0;
}

static int brand_row(void *p, const char *brand, const char *no)
{
    struct prof_rows *x = p;
    rec_clear(x->r);
    rec_set(x->r, "brand", brand);
    rec_set(x->r, "brand_no", no);
    return x->cb->row ? x->cb->row(x->cb->ctx, x->r, x->e) : 0;
}

int pub_profile_rows(struct store *s, const char *shop, const char *name, int brands,
                     const struct pub_cb *cb, struct qs_err *e)
{
    struct prof_rows x = {cb, rec_new(), e};
    int rc = brands ? prof_brand_each(s, shop, brand_row, &x, e)
                    : prof_each(s, shop, name, prof_row, &x, e);
    rec_free(x.r);
    return rc;
}

int pub_ship_load(struct store *s, const char *shop, enum pub_ship_from from, int dry_run,
                  FILE *req_out, struct pub_ship_list *l, struct qs_err *e)
{
    struct qapi *q = NULL;
    int rc = 0;

    if (from != PUB_SHIP_READ && (rc = pub_ship_cached(s, shop, l, e)) < 0)
        return rc;
    if (from == PUB_SHIP_KEPT && !l->have)
        return err_set(e, QS_E_USAGE, NULL,
                       "no delivery templates of shop %s are kept yet; qs publish shipping "
                       "(without --cached) reads them",
                       shop);
    if (l->have)
        return 0;
    /* Issue 8 item 22: read and kept for qs publish check (not in a dry run, which writes
     * nothing). */
    if ((rc = qapi_open(s, shop, dry_run, req_out, &q, e)) == 0)
        rc = pub_ship_fetch(s, q, shop, !dry_run, l, e);
    qapi_close(q);
    return rc;
}

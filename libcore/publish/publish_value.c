/* publish_value: the pure values of publishing (SPEC 2.3) -- characters and the QAPI's
 * separators (R-PUB-14), price edits (R-PUB-9), delivery days and code types (R-PUB-15),
 * QAPI parameter lists and the product publishing loads. */
#include "publish.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../xalloc.h"

size_t pub_chars(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

int pub_has_sep(const char *s)
{
    return s && (strstr(s, "||*") || strstr(s, "$$"));
}

/* ---- price edits (R-PUB-9) ---- */

int pub_price_edit_parse(const char *s, struct pub_price_edit *pe)
{
    long long whole = 0, frac = 0;
    int sign = 0, nd = 0, nf = -1;
    const char *p = s;

    memset(pe, 0, sizeof *pe);
    if (!s || !*s)
        return -1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    for (; *p >= '0' && *p <= '9'; p++, nd++) {
        if (whole > PUB_MAX_PRICE)
            return -1;
        whole = whole * 10 + (*p - '0');
    }
    if (*p == '.' && sign) {
        for (nf = 0, p++; *p >= '0' && *p <= '9'; p++, nf++) {
            if (nf >= 2)
                return -1;
            frac = frac * 10 + (*p - '0');
        }
        if (nf == 0)
            return -1;
        if (nf == 1)
            frac *= 10;
    }
    if (nd == 0)
        return -1;
    if (sign) {
        /* A change needs its percent sign: "+100" alone would be ambiguous. */
        if (strcmp(p, "%") != 0 || whole > 1000)
            return -1;
        pe->relative = 1;
        pe->pct100 = sign * (whole * 100 + frac);
        return pe->pct100 <= -10000 ? -1 : 0;
    }
    if (*p)
        return -1;
    pe->yen = whole;
    return whole >= 1 && whole <= PUB_MAX_PRICE ? 0 : -1;
}

int pub_price_apply(const struct pub_price_edit *pe, long long price, long long *out)
{
    long long v = pe->yen;
    if (pe->relative) {
        /* Half up to whole yen: price x (100% + change). */
        __int128 x = (__int128)price * (10000 + pe->pct100);
        v = (long long)((x + 5000) / 10000);
    }
    if (v < 1 || v > PUB_MAX_PRICE)
        return -1;
    *out = v;
    return 0;
}

int pub_avail_from_days(long long days, char type[2], char value[4])
{
    if (days < 0 || days > 14)
        return -1;
    if (days == 0)
        days = 1;
    /* Type 0 ships within 1-3 business days; type 1 takes 4-14 preparation days. */
    type[0] = days <= 3 ? '0' : '1';
    type[1] = '\0';
    snprintf(value, 4, "%lld", days);
    return 0;
}

const char *pub_code_type_letter(const char *t)
{
    if (!t)
        return NULL;
    if (strcmp(t, "jan") == 0)
        return "J";
    if (strcmp(t, "upc") == 0)
        return "U";
    if (strcmp(t, "ean") == 0)
        return "E";
    if (strcmp(t, "isbn") == 0)
        return "I";
    return NULL;
}

/* ---- parameters ---- */

void pub_params_add(struct pub_params *pp, const char *name, const char *value)
{
    if (pp->n == pp->cap) {
        pp->cap = pp->cap ? 2 * pp->cap : 32;
        pp->p = xrealloc(pp->p, pp->cap * sizeof *pp->p);
        pp->own = xrealloc(pp->own, 2 * pp->cap * sizeof *pp->own);
    }
    /* Names and values are both copied: own[2i] the name, own[2i+1] the value. */
    pp->own[2 * pp->n] = xstrdup(name);
    pp->own[2 * pp->n + 1] = xstrdup(value ? value : "");
    pp->p[pp->n] = (struct qapi_param){pp->own[2 * pp->n], pp->own[2 * pp->n + 1]};
    pp->n++;
}

const char *pub_params_get(const struct pub_params *pp, const char *name)
{
    for (size_t i = 0; i < pp->n; i++)
        if (strcmp(pp->p[i].name, name) == 0)
            return pp->p[i].value;
    return NULL;
}

void pub_params_free(struct pub_params *pp)
{
    for (size_t i = 0; i < 2 * pp->n; i++)
        free(pp->own[i]);
    free(pp->own);
    free(pp->p);
    memset(pp, 0, sizeof *pp);
}

void pub_product_free(struct pub_product *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nv; i++) {
        struct pub_variant *v = &p->v[i];
        free(v->sku), free(v->color), free(v->size), free(v->main_image), free(v->extra_images);
    }
    free(p->v);
    char **f[] = {&p->shop,        &p->parent_sku, &p->title,         &p->description,
                  &p->tags,        &p->brand,      &p->code,          &p->code_type,
                  &p->grp,         &p->category,   &p->profile,       &p->grp_category,
                  &p->grp_profile, &p->state,      &p->publish_at,    &p->item_code,
                  &p->step,        &p->error,      &p->create_sent_at};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        free(*f[i]);
    memset(p, 0, sizeof *p);
}

/* A count without a sign in [0, max] into *out; 0, or -1. */
static int count_parse(const char *s, long long max, long long *out)
{
    char *end;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return !*s || *end || errno || *out < 0 || *out > max || *s == '+' || *s == '-' ? -1 : 0;
}

int pub_edit_opt_parse(enum pub_edit_field f, const char *arg, struct pub_edit_opts *o,
                       struct qs_err *e)
{
    switch (f) {
    case PUB_EDIT_PRICE:
        /* R-PUB-9: a price, or a change in percent. */
        if (pub_price_edit_parse(arg, &o->price) < 0)
            return err_set(e, QS_E_USAGE, "R-PUB-9",
                           "--price \"%s\" is not a price of 1-999999999 yen or a change like "
                           "+10%% or -7.5%%",
                           arg);
        o->has_price = 1;
        return 0;
    case PUB_EDIT_QTY:
        if (count_parse(arg, 2147483647LL, &o->qty) < 0)
            return err_set(e, QS_E_USAGE, NULL, "--quantity \"%s\" is not a quantity 0-2147483647",
                           arg);
        o->has_qty = 1;
        return 0;
    default:
        if (count_parse(arg, PUB_MAX_PRICE, &o->shipping) < 0)
            return err_set(e, QS_E_USAGE, NULL, "--shipping \"%s\" is not a whole-yen fee", arg);
        o->has_shipping = 1;
        return 0;
    }
}

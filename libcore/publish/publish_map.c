/* publish_map: the pure parts of publishing (SPEC 2.3) -- a product, its variants and its
 * listing profile mapped to the QAPI calls of reference 3.1 and 3.6, with every check
 * R-PUB-11, R-PUB-12, R-PUB-14 and R-PUB-15 make before any call (and R-IMP-9's, the
 * catalog's). Values and parameters are in publish_value.c. */
#include "publish.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../catalog/catalog.h"
#include "../xalloc.h"

#define MAX_QTY 2147483647LL
/* The option name of variants that differ by neither Color nor Size (their SKU is the
 * value). */
#define OPTION_NAME      "オプション"
#define COLOR_NAME       "カラー"
#define SIZE_NAME        "サイズ"
#define MAX_EXTRA_IMAGES 50 /* EnlargedImage1..50 (reference 3.6) */

/* ---- mapping (R-PUB-11, 12, 14, 15) ---- */

struct mapper {
    const struct pub_product *p;
    const struct prof *pf;
    pub_issue_fn issue;
    void *ctx;
    int n;
};

__attribute__((format(printf, 5, 6))) static void
issue(struct mapper *m, const char *rule, const char *field, const char *sku, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    m->n++;
    if (m->issue)
        m->issue(m->ctx, rule, field, sku, msg);
}

static int set(const char *s)
{
    return s && *s;
}

/* The index of the variant whose price is the item price: the lowest, first on ties. */
static size_t cheapest(const struct pub_product *p)
{
    size_t k = 0;
    for (size_t i = 1; i < p->nv; i++)
        if (p->v[i].price < p->v[k].price)
            k = i;
    return k;
}

/* 1 when the product is an item with combination options: several variants, or one
 * whose SKU is not the Parent SKU or that has a Color or Size (R-PUB-11). */
static int has_options(const struct pub_product *p)
{
    return p->nv > 1 || (p->nv == 1 && (strcmp(p->v[0].sku, p->parent_sku) != 0 ||
                                        set(p->v[0].color) || set(p->v[0].size)));
}

/* The option axes: names and, per variant, values. */
struct axes {
    int n;
    const char *name[2];
    int field[2]; /* 0 color, 1 size, 2 the SKU */
};

static void axes_of(const struct pub_product *p, const struct prof *pf, struct axes *a)
{
    int color = 0, size = 0;
    for (size_t i = 0; i < p->nv; i++) {
        color |= set(p->v[i].color);
        size |= set(p->v[i].size);
    }
    a->n = 0;
    if (color) {
        a->name[a->n] = pf && set(pf->v[PF_COLOR_NAME]) ? pf->v[PF_COLOR_NAME] : COLOR_NAME;
        a->field[a->n++] = 0;
    }
    if (size) {
        a->name[a->n] = pf && set(pf->v[PF_SIZE_NAME]) ? pf->v[PF_SIZE_NAME] : SIZE_NAME;
        a->field[a->n++] = 1;
    }
    if (a->n == 0) {
        a->name[0] = OPTION_NAME;
        a->field[a->n++] = 2;
    }
}

static const char *axis_value(const struct pub_variant *v, int field)
{
    return field == 0 ? v->color : field == 1 ? v->size : v->sku;
}

/* The quantity of variant v: its own, else the profile's ItemQty; -1 when neither. */
static long long qty_of(const struct pub_variant *v, const struct prof *pf)
{
    if (v->qty >= 0)
        return v->qty;
    if (pf && set(pf->v[PF_ITEM_QTY]))
        return strtoll(pf->v[PF_ITEM_QTY], NULL, 10);
    return -1;
}

static void buf_add(char **b, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        while (*len + n + 1 > *cap)
            *cap = *cap ? 2 * *cap : 256;
        *b = xrealloc(*b, *cap);
    }
    memcpy(*b + *len, s, n + 1);
    *len += n;
}

int pub_axis_count(const struct pub_product *p, const struct prof *pf)
{
    struct axes a;
    if (!has_options(p))
        return 0;
    axes_of(p, pf, &a);
    return a.n;
}

char *pub_inventory(const struct pub_product *p, const struct prof *pf, const long long *qty,
                    long long *item_price)
{
    struct axes a;
    char *b = NULL, num[64];
    size_t len = 0, cap = 0;
    long long base;

    if (p->nv == 0)
        return NULL;
    base = p->v[cheapest(p)].price;
    *item_price = base;
    if (!has_options(p))
        return xstrdup("");
    axes_of(p, pf, &a);
    buf_add(&b, &len, &cap, "");
    for (size_t i = 0; i < p->nv; i++) {
        const struct pub_variant *v = &p->v[i];
        long long q = qty ? qty[i] : qty_of(v, pf);
        if (q < 0) {
            free(b);
            return NULL;
        }
        /* Reference 3.1: Name1||*Value1[||*Name2||*Value2]||*ExtraPrice||*Qty||*OptionCode,
         * rows joined by $$; OptionCode = SKU (R-PUB-11). */
        if (i)
            buf_add(&b, &len, &cap, "$$");
        for (int k = 0; k < a.n; k++) {
            const char *val = axis_value(v, a.field[k]);
            if (!set(val)) {
                free(b);
                return NULL;
            }
            buf_add(&b, &len, &cap, a.name[k]);
            buf_add(&b, &len, &cap, "||*");
            buf_add(&b, &len, &cap, val);
            buf_add(&b, &len, &cap, "||*");
        }
        snprintf(num, sizeof num, "%lld||*%lld||*", v->price - base, q);
        buf_add(&b, &len, &cap, num);
        buf_add(&b, &len, &cap, v->sku);
    }
    return b;
}

/* R-PUB-14: an image URL: http(s), at most 200 characters, no separators. */
static int image_ok(const char *u)
{
    if (!u || strlen(u) > 200 || pub_has_sep(u))
        return 0;
    if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
        return 0;
    for (const char *c = u; *c; c++)
        if ((unsigned char)*c <= ' ')
            return 0;
    return 1;
}

/* Adds the LF-separated URLs of list to urls (each once, not main). */
static void urls_add(char ***urls, size_t *n, const char *list, const char *main)
{
    const char *s = list ? list : "";
    while (*s) {
        size_t k = strcspn(s, "\n");
        char *u = xstrndup(s, k);
        int dup = !*u || (main && strcmp(u, main) == 0);
        for (size_t i = 0; !dup && i < *n; i++)
            dup = strcmp((*urls)[i], u) == 0;
        if (dup) {
            free(u);
        } else {
            *urls = xrealloc(*urls, (*n + 1) * sizeof **urls);
            (*urls)[(*n)++] = u;
        }
        s += k + (s[k] == '\n');
    }
}

static void check_sep(struct mapper *m, const char *field, const char *sku, const char *v)
{
    /* R-PUB-14: no ||* or $$ inside values. */
    if (pub_has_sep(v))
        issue(m, "R-PUB-14", field, sku, "%s holds ||* or $$, the QAPI's own separators", field);
}

static void map_options(struct mapper *m, struct pub_params *item, long long base)
{
    const struct pub_product *p = m->p;
    struct axes a;
    char num[32];
    long long total = 0;
    int bad = 0;

    if (!has_options(p)) {
        long long q = qty_of(&p->v[0], m->pf);
        if (q < 0) {
            issue(m, "R-PUB-15", "ItemQty", p->v[0].sku,
                  "SKU \"%s\" has no Quantity and the listing profile sets no ItemQty",
                  p->v[0].sku);
            q = 0;
        }
        snprintf(num, sizeof num, "%lld", q);
        pub_params_add(item, "ItemQty", num);
        pub_params_add(item, "ItemType", "");
        return;
    }
    axes_of(p, m->pf, &a);
    for (size_t i = 0; i < p->nv; i++) {
        const struct pub_variant *v = &p->v[i];
        long long q = qty_of(v, m->pf);
        if (q < 0) {
            issue(m, "R-PUB-15", "ItemQty", v->sku,
                  "SKU \"%s\" has no Quantity and the listing profile sets no ItemQty", v->sku);
            bad = 1;
        } else {
            total = total + q > MAX_QTY ? MAX_QTY : total + q;
        }
        /* R-PUB-14: OptionCode (= SKU) at most 50 characters. */
        if (pub_chars(v->sku) > 50)
            issue(m, "R-PUB-14", "OptionCode", v->sku,
                  "SKU \"%s\" has %zu characters; a Qoo10 OptionCode has at most 50", v->sku,
                  pub_chars(v->sku));
        check_sep(m, "SKU", v->sku, v->sku);
        for (int k = 0; k < a.n; k++) {
            const char *val = axis_value(v, a.field[k]);
            const char *col = a.field[k] == 0 ? "Color" : "Size";
            if (!set(val)) {
                /* R-PUB-11: every combination names a value on every axis. */
                issue(m, "R-PUB-11", col, v->sku,
                      "SKU \"%s\" has no %s while other variants of Parent SKU \"%s\" have one",
                      v->sku, col, p->parent_sku);
                bad = 1;
            } else if (a.field[k] != 2 && pub_chars(val) > 50) {
                issue(m, "R-PUB-11", col, v->sku,
                      "%s \"%s\" of SKU \"%s\" is longer than the 50 characters of an option "
                      "value",
                      col, val, v->sku);
            } else if (a.field[k] != 2) {
                check_sep(m, col, v->sku, val);
            }
        }
        for (size_t j = 0; j < i && !bad; j++) {
            int same = 1;
            for (int k = 0; k < a.n; k++)
                same &= strcmp(axis_value(v, a.field[k]), axis_value(&p->v[j], a.field[k])) == 0;
            if (same)
                issue(m, "R-PUB-11", a.field[0] == 2 ? "SKU" : "Color/Size", v->sku,
                      "SKU \"%s\" has the same options as SKU \"%s\"; each variant must be its "
                      "own combination",
                      v->sku, p->v[j].sku);
        }
    }
    snprintf(num, sizeof num, "%lld", total);
    pub_params_add(item, "ItemQty", num);
    if (bad) {
        pub_params_add(item, "ItemType", "");
        return;
    }
    long long price;
    char *inv = pub_inventory(p, m->pf, NULL, &price);
    pub_params_add(item, "ItemType", inv ? inv : "");
    free(inv);
    (void)base;
}

/* R-PUB-15: AvailableDateType/Value from Min/Max Delivery Days, else from the profile. */
static void map_available(struct mapper *m, struct pub_params *item)
{
    const struct pub_product *p = m->p;
    const struct prof *pf = m->pf;
    long long days = -1, maxd = -1, mind = -1;
    char type[2], value[4];
    const char *why = NULL;

    for (size_t i = 0; i < p->nv; i++) {
        if (p->v[i].max_days > maxd)
            maxd = p->v[i].max_days;
        if (p->v[i].min_days > mind)
            mind = p->v[i].min_days;
    }
    days = maxd >= 0 ? maxd : mind;
    if (days >= 0 && pub_avail_from_days(days, type, value) == 0) {
        pub_params_add(item, "AvailableDateType", type);
        pub_params_add(item, "AvailableDateValue", value);
        return;
    }
    const char *t = pf ? pf->v[PF_AVAIL_TYPE] : NULL, *v = pf ? pf->v[PF_AVAIL_VALUE] : NULL;
    if (!set(t) || !set(v)) {
        if (days > 14)
            issue(m, "R-PUB-15", "AvailableDateType", NULL,
                  "Parent SKU \"%s\": %lld delivery days are more than the 14 preparation days "
                  "Qoo10 takes; set AvailableDateType and AvailableDateValue in the listing "
                  "profile",
                  p->parent_sku, days);
        else
            issue(m, "R-PUB-15", "AvailableDateType", NULL,
                  "Parent SKU \"%s\" has no Min/Max Delivery Days and the listing profile sets "
                  "no AvailableDateType and AvailableDateValue",
                  p->parent_sku);
    } else {
        /* Reference 3.1: 0 -> 1-3 days, 1 -> 4-14, 2 -> yyyy/MM/dd, 3 -> HH:mm. */
        int n = atoi(v), digits = strspn(v, "0123456789") == strlen(v);
        int ok = (t[0] == '0' && digits && n >= 1 && n <= 3) ||
                 (t[0] == '1' && digits && n >= 4 && n <= 14) ||
                 (t[0] == '2' && strlen(v) == 10 && v[4] == '/') ||
                 (t[0] == '3' && strlen(v) == 5 && v[2] == ':');
        if (!ok)
            issue(m, "R-PUB-15", "AvailableDateValue", NULL,
                  "AvailableDateValue \"%s\" (profile %s) does not fit AvailableDateType %s (0: "
                  "1-3 days, 1: 4-14 days, 2: yyyy/MM/dd, 3: HH:mm)",
                  v, pf->from[PF_AVAIL_VALUE], t);
    }
    (void)why;
    pub_params_add(item, "AvailableDateType", t ? t : "");
    pub_params_add(item, "AvailableDateValue", v ? v : "");
}

/* R-PUB-15: ShippingNo from the profile, else the delivery template charging the
 * shipping of the item-price variant (0: free, ShippingNo 0). */
static void map_shipping(struct mapper *m, struct pub_params *item, size_t k, pub_ship_fn ship,
                         void *sctx)
{
    const struct pub_product *p = m->p;
    char no[16] = "";
    if (m->pf && set(m->pf->v[PF_SHIPPING_NO])) {
        pub_params_add(item, "ShippingNo", m->pf->v[PF_SHIPPING_NO]);
        return;
    }
    long long fee = p->v[k].shipping;
    if (fee < 0) {
        issue(m, "R-PUB-15", "ShippingNo", p->v[k].sku,
              "SKU \"%s\" has no Shipping and the listing profile sets no ShippingNo", p->v[k].sku);
    } else if (fee == 0) {
        snprintf(no, sizeof no, "0");
    } else {
        int r = ship ? ship(sctx, fee, no) : 2;
        if (r == 1)
            issue(m, "R-PUB-15", "ShippingNo", p->v[k].sku,
                  "no delivery template of the shop charges the %lld yen shipping of SKU \"%s\"; "
                  "set ShippingNo in the listing profile",
                  fee, p->v[k].sku);
        else if (r != 0)
            no[0] = '\0';
    }
    pub_params_add(item, "ShippingNo", no);
}

static void map_place(struct mapper *m, struct pub_params *item)
{
    const struct prof *pf = m->pf;
    const char *t = pf ? pf->v[PF_PLACE_TYPE] : NULL, *v = pf ? pf->v[PF_PLACE] : NULL;
    if (!set(t) || !set(v)) {
        /* Needed by every later UpdateGoods (reference 3.2), so asked for now. */
        issue(m, "R-PUB-15", set(t) ? "ProductionPlace" : "ProductionPlaceType", NULL,
              "the listing profile sets no %s (1 domestic: a prefecture such as TOKYO; 2 "
              "overseas: a country code such as CN; 3 other: free text)",
              set(t) ? "ProductionPlace" : "ProductionPlaceType and ProductionPlace");
    } else {
        size_t n = strlen(v), up = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        int ok = t[0] == '3' || (t[0] == '1' && up == n) || (t[0] == '2' && up == n && n == 2);
        if (!ok)
            issue(m, "R-PUB-15", "ProductionPlace", NULL,
                  "ProductionPlace \"%s\" does not fit ProductionPlaceType %s (1: a prefecture in "
                  "upper-case romaji such as TOKYO; 2: a two-letter country code such as CN)",
                  v, t);
    }
    pub_params_add(item, "ProductionPlaceType", t ? t : "");
    pub_params_add(item, "ProductionPlace", v ? v : "");
}

/* R-PUB-14: at most 10 search keywords of at most 30 characters. */
static void map_keywords(struct mapper *m, struct pub_params *item)
{
    const char *s = m->p->tags ? m->p->tags : "";
    int n = 0;
    while (*s) {
        size_t k = strcspn(s, ",");
        char *w = xstrndup(s, k);
        n++;
        if (pub_chars(w) > 30)
            issue(m, "R-PUB-14", "Keyword", NULL,
                  "tag \"%s\" of Parent SKU \"%s\" has %zu characters; a Qoo10 search keyword has "
                  "at most 30",
                  w, m->p->parent_sku, pub_chars(w));
        free(w);
        s += k + (s[k] == ',');
    }
    if (n > 10)
        issue(m, "R-PUB-14", "Keyword", NULL,
              "Parent SKU \"%s\" has %d tags; Qoo10 takes at most 10 search keywords",
              m->p->parent_sku, n);
    pub_params_add(item, "Keyword", m->p->tags ? m->p->tags : "");
}

/* The description as HTML: plain text keeps its line breaks. */
static char *description_html(const char *d)
{
    char *b = NULL;
    size_t len = 0, cap = 0;
    if (!d)
        return xstrdup("");
    if (strchr(d, '<'))
        return xstrdup(d);
    buf_add(&b, &len, &cap, "");
    for (const char *s = d; *s;) {
        size_t k = strcspn(s, "\n");
        char *line = xstrndup(s, k);
        buf_add(&b, &len, &cap, line);
        free(line);
        if (s[k] == '\n')
            buf_add(&b, &len, &cap, "<br>\n");
        s += k + (s[k] == '\n');
    }
    return b;
}

int pub_map(const struct pub_product *p, const struct prof *pf, const char *brand_no,
            pub_ship_fn ship, void *ship_ctx, struct pub_params *item, struct pub_params *images,
            pub_issue_fn issue_fn, void *ctx)
{
    struct mapper m = {p, pf, issue_fn, ctx, 0};
    char num[32], msg[1024];
    const char *cat;

    if (p->nv == 0) {
        issue(&m, "R-PUB-11", "SKU", NULL, "Parent SKU \"%s\" has no variants", p->parent_sku);
        return m.n;
    }
    /* R-PUB-12: the product's leaf category, else its group's, else the profile's. */
    cat = set(p->category)       ? p->category
          : set(p->grp_category) ? p->grp_category
          : pf                   ? pf->v[PF_CATEGORY]
                                 : NULL;
    if (!set(cat))
        issue(&m, "R-PUB-12", "SecondSubCat", NULL,
              "Parent SKU \"%s\" has no Qoo10 leaf category; set one with qs publish category "
              "%s CODE",
              p->parent_sku, set(p->grp) ? p->grp : p->parent_sku);
    else if (strlen(cat) != 9 || strspn(cat, "0123456789") != 9)
        issue(&m, "R-PUB-12", "SecondSubCat", NULL,
              "category \"%s\" of Parent SKU \"%s\" is not a 9-digit Qoo10 leaf category", cat,
              p->parent_sku);
    pub_params_add(item, "SecondSubCat", cat);

    /* R-PUB-14: title at most 100 characters; SellerCode (Parent SKU) at most 100. */
    if (pub_chars(p->title) > 100)
        issue(&m, "R-PUB-14", "ItemTitle", NULL,
              "title of Parent SKU \"%s\" has %zu characters; Qoo10 takes at most 100",
              p->parent_sku, pub_chars(p->title));
    check_sep(&m, "Title", NULL, p->title);
    pub_params_add(item, "ItemTitle", p->title);
    if (pub_chars(p->parent_sku) > 100)
        issue(&m, "R-PUB-14", "SellerCode", NULL,
              "Parent SKU \"%s\" has %zu characters; a Qoo10 SellerCode has at most 100",
              p->parent_sku, pub_chars(p->parent_sku));
    check_sep(&m, "Parent SKU", NULL, p->parent_sku);

    /* R-PUB-11: the item price is the lowest variant price; each option's extra price is
     * its difference, within +-50% of the item price (R-IMP-9: highest <= 1.5 x lowest). */
    size_t k = cheapest(p);
    long long base = p->v[k].price;
    for (size_t i = 0; i < p->nv; i++) {
        const struct pub_variant *v = &p->v[i];
        if (v->price < 1 || v->price > PUB_MAX_PRICE)
            issue(&m, "R-PUB-14", "Price", v->sku,
                  "SKU \"%s\" costs %lld; a Qoo10 price is 1 to 999,999,999 yen", v->sku, v->price);
        else if (cat_spread_check(p->parent_sku, v->sku, v->price, p->v[k].sku, base, 0, msg,
                                  sizeof msg))
            issue(&m, "R-IMP-9", "Price", v->sku, "%s", msg);
    }
    snprintf(num, sizeof num, "%lld", base);
    pub_params_add(item, "ItemPrice", num);
    pub_params_add(item, "SellerCode", p->parent_sku);
    map_options(&m, item, base);
    map_available(&m, item);
    map_shipping(&m, item, k, ship, ship_ctx);
    map_place(&m, item);

    pub_params_add(item, "AdultYN", pf && set(pf->v[PF_ADULT]) ? pf->v[PF_ADULT] : "N");
    pub_params_add(item, "TaxRate", pf ? pf->v[PF_TAX_RATE] : NULL);
    pub_params_add(item, "ContactInfo", pf ? pf->v[PF_CONTACT] : NULL);
    if (pf && set(pf->v[PF_EXPIRE]) && strcmp(pf->v[PF_EXPIRE], "2030-12-31") > 0)
        issue(&m, "R-PUB-14", "ExpireDate", NULL,
              "ExpireDate %s (profile %s) is after 2030-12-31, the last sale end date Qoo10 "
              "takes",
              pf->v[PF_EXPIRE], pf->from[PF_EXPIRE]);
    pub_params_add(item, "ExpireDate", pf ? pf->v[PF_EXPIRE] : NULL);
    map_keywords(&m, item);
    pub_params_add(item, "BrandNo", brand_no);
    const char *letter = pub_code_type_letter(p->code_type);
    pub_params_add(item, "IndustrialCodeType", letter && set(p->code) ? letter : "");
    pub_params_add(item, "IndustrialCode", letter && set(p->code) ? p->code : "");
    snprintf(num, sizeof num, "%lld",
             p->v[k].msrp >= 0 && p->v[k].msrp <= PUB_MAX_PRICE ? p->v[k].msrp : 0);
    pub_params_add(item, "RetailPrice", num);

    /* R-PUB-14: images are http(s) URLs of at most 200 characters. */
    const char *main = p->v[k].main_image;
    for (size_t i = 0; !set(main) && i < p->nv; i++)
        main = p->v[i].main_image;
    if (set(main) && !image_ok(main))
        issue(&m, "R-PUB-14", "Main Image URL", p->v[k].sku,
              "main image \"%.80s\" is not an http(s) URL of at most 200 characters", main);
    pub_params_add(item, "StandardImage", main);
    char *html = description_html(p->description);
    check_sep(&m, "Description", NULL, p->description);
    pub_params_add(item, "ItemDescription", html);
    free(html);

    /* Extra images (R-PUB-11: their own call): the variants' extra images, then the other
     * variants' main images, each once, at most 50. */
    char **urls = NULL;
    size_t nurls = 0;
    for (size_t i = 0; i < p->nv; i++)
        urls_add(&urls, &nurls, p->v[i].extra_images, main);
    for (size_t i = 0; i < p->nv; i++)
        urls_add(&urls, &nurls, p->v[i].main_image, main);
    for (size_t i = 0; i < nurls; i++) {
        if (!image_ok(urls[i]))
            issue(&m, "R-PUB-14", "Extra Image URL", NULL,
                  "image \"%.80s\" of Parent SKU \"%s\" is not an http(s) URL of at most 200 "
                  "characters",
                  urls[i], p->parent_sku);
        if (i < MAX_EXTRA_IMAGES) {
            char name[32];
            snprintf(name, sizeof name, "EnlargedImage%zu", i + 1);
            pub_params_add(images, name, urls[i]);
        }
        free(urls[i]);
    }
    free(urls);
    /* Brand without a BrandNo is simply not sent (BrandNo is optional). */
    for (size_t i = 0; i < item->n; i++)
        if (strcmp(item->p[i].name, "ItemType") != 0 && strcmp(item->p[i].name, "ItemTitle") &&
            strcmp(item->p[i].name, "ItemDescription") && strcmp(item->p[i].name, "SellerCode"))
            check_sep(&m, item->p[i].name, NULL, item->p[i].value);
    return m.n;
}

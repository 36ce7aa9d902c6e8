/* catalog_row: one input row -- its columns mapped to fields (R-IMP-1) and its values
 * checked (R-IMP-2, 5, 6, 7, 8), without touching the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "catalog_int.h"
#include "../text.h"
#include "../xalloc.h"

const char *cat_column_name(enum cat_template t, int f)
{
    static const char *const generic[CF_NFIELDS] = {
        [CF_PARENT_SKU] = "Parent SKU",
        [CF_SKU] = "SKU",
        [CF_TITLE] = "Title",
        [CF_DESCRIPTION] = "Description",
        [CF_TAGS] = "Tags",
        [CF_BRAND] = "Brand",
        [CF_UPC] = "UPC",
        [CF_LANDING_URL] = "Landing Page URL",
        [CF_MSRP] = "MSRP",
        [CF_COLOR] = "Color",
        [CF_SIZE] = "Size",
        [CF_SOURCE_URLS] = "Source URL",
        [CF_PRICE] = "Price",
        [CF_SHIPPING] = "Shipping",
        [CF_QUANTITY] = "Quantity",
        [CF_MIN_DAYS] = "Min Delivery Days",
        [CF_MAX_DAYS] = "Max Delivery Days",
        [CF_MAIN_IMAGE] = "Main Image URL",
    };
    static const char *const qoo10[CF_NFIELDS] = {
        [CF_PARENT_SKU] = "seller_unique_item_id",
        [CF_TITLE] = "item_name",
        [CF_DESCRIPTION] = "item_description",
        [CF_PRICE] = "price_yen",
        [CF_QUANTITY] = "quantity",
        [CF_MAIN_IMAGE] = "image_main_url",
    };
    if (t == CAT_TPL_QS && f >= 0 && f < CF_EXTRA_IMAGE1)
        return cat_qs_columns[f];
    if (t == CAT_TPL_QOO10 && qoo10[f])
        return qoo10[f];
    return f >= 0 && f < CF_NFIELDS && generic[f] ? generic[f] : "?";
}

int cat_map_field(enum cat_template t, const char *name)
{
    if (strcmp(name, "reason") == 0)
        return -2; /* the column --rejects adds: a fixed rejects file imports as is */
    int f = cat_field_of(t, name);
    return f == CF_OUTPUT ? -2 : f;
}

void cat_map_header(struct cat_map *m, enum cat_template t, const char *const *cols, size_t n)
{
    m->tpl = t;
    if (m->cap < n) {
        m->field = xrealloc(m->field, n * sizeof *m->field);
        m->cap = n;
    }
    m->n = n;
    memset(m->has, 0, sizeof m->has);
    for (int f = 0; f < CF_NFIELDS; f++)
        m->name[f] = cat_column_name(t, f);
    for (size_t i = 0; i < n; i++) {
        int f = cat_map_field(t, cols[i]);
        if (f >= 0 && m->has[f])
            f = -1; /* a second column for one field is kept, in extra */
        if (f >= 0)
            m->has[f] = 1;
        m->field[i] = f;
    }
}

void cat_map_free(struct cat_map *m)
{
    free(m->field);
    memset(m, 0, sizeof *m);
}

/* Appends s[0..n) to b as a JSON string. */
static void json_str(struct cat_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;
    cat_buf_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[7];
        size_t k = 0;
        if (c == '"' || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c, k = 2;
        } else if (c == '\n') {
            esc[0] = '\\', esc[1] = 'n', k = 2;
        } else if (c == '\r') {
            esc[0] = '\\', esc[1] = 'r', k = 2;
        } else if (c == '\t') {
            esc[0] = '\\', esc[1] = 't', k = 2;
        } else if (c < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4], esc[5] = hex[c & 15], k = 6;
        }
        if (k) {
            cat_buf_add(b, s + i - run, run);
            cat_buf_add(b, esc, k);
            run = 0;
        } else {
            run++;
        }
    }
    cat_buf_add(b, s + n - run, run);
    cat_buf_add(b, "\"", 1);
}

static void extra_add(struct cat_row *r, const char *name, const char *v, size_t n)
{
    if (n == 0)
        return; /* an empty cell carries nothing worth keeping */
    cat_buf_add(&r->extra, r->extra.len ? "," : "{", 1);
    json_str(&r->extra, name, strlen(name));
    cat_buf_add(&r->extra, ":", 1);
    json_str(&r->extra, v, n);
}

void cat_row_fill(struct cat_row *r, const struct cat_map *m, const struct rec *rec, long line)
{
    int by_index = m->n == rec->n && m->field;
    r->line = line;
    r->nerr = 0;
    r->csv = m->n > 0;
    memset(r->has, 0, sizeof r->has);
    memset(r->n, 0, sizeof r->n);
    memset(r->colno, 0, sizeof r->colno);
    memcpy(r->col, m->name, sizeof r->col);
    for (int f = 0; f < CF_NFIELDS; f++)
        r->v[f] = "";
    cat_buf_set(&r->extra, "", 0);
    cat_buf_set(&r->reasons, "", 0);
    for (size_t i = 0; i < rec->n; i++) {
        const struct rec_field *fl = &rec->f[i];
        int f = by_index ? m->field[i] : cat_map_field(m->tpl, fl->name);
        if (f == -2)
            continue;
        if (f >= 0 && !r->has[f]) {
            r->has[f] = 1;
            r->v[f] = fl->type == REC_NULL ? "" : fl->value;
            r->n[f] = fl->type == REC_NULL ? 0 : fl->len;
            r->col[f] = fl->name;
            r->colno[f] = by_index ? i + 1 + m->col0 : 0;
        } else {
            extra_add(r, fl->name, fl->value, fl->type == REC_NULL ? 0 : fl->len);
        }
    }
    if (r->extra.len)
        cat_buf_add(&r->extra, "}", 1);
}

void cat_row_free(struct cat_row *r)
{
    struct cat_buf *b[] = {&r->tags,  &r->sources, &r->images,      &r->desc,
                           &r->extra, &r->reasons, &r->trim_parent, &r->trim_sku};
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
        cat_buf_free(b[i]);
}

void cat_variant_free(struct cat_variant *v)
{
    cat_buf_free(&v->skubuf);
    cat_buf_free(&v->colorbuf);
    cat_buf_free(&v->sizebuf);
}

const char *cat_where(const struct cat_row *r, int f, char *buf, size_t size)
{
    if (!r->has[f] && r->csv)
        snprintf(buf, size, "%s", r->col[f]); /* the file has no such column */
    else
        text_where(r->colno[f], r->col[f], buf, size);
    return buf;
}

/* ---- checks ---- */

struct ck {
    struct cat_row *r;
    cat_diag_fn diag;
    void *ctx;
};

static void ck_diag(struct ck *c, int warning, int f, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* An error (warning 0) or a warning about the cell of field f. */
static void ck_diag(struct ck *c, int warning, int f, const char *rule, const char *fmt, ...)
{
    va_list ap;
    c->r->nerr += !warning;
    va_start(ap, fmt);
    c->diag(c->ctx, warning, f, rule, fmt, ap);
    va_end(ap);
}

#define ck_err(c, f, ...)  ck_diag(c, 0, f, __VA_ARGS__)
#define ck_warn(c, f, ...) ck_diag(c, 1, f, __VA_ARGS__)

/* The value of field f for a message: "12.5" in `column M (Price): "12.5" is ...`. */
#define VAL(r, f, buf) text_show((r)->v[f], (r)->n[f], buf, sizeof buf)

static void ck_money(struct ck *c, int f, const struct cat_fx *fx, long long *out)
{
    struct cat_row *r = c->r;
    const char *why;
    char b[80];
    *out = -1;
    if (!r->n[f])
        return;
    if (cat_money(r->v[f], fx, out, &why) < 0) {
        *out = -1;
        /* R-IMP-2: money is a non-negative amount in whole yen. */
        ck_err(c, f, "R-IMP-2", "\"%s\" %s", VAL(r, f, b), why);
    }
}

static void ck_uint(struct ck *c, int f, long long *out)
{
    struct cat_row *r = c->r;
    char b[80];
    *out = -1;
    if (!r->n[f])
        return;
    if (cat_uint(r->v[f], out) < 0) {
        *out = -1;
        /* R-IMP-2: quantities and delivery days are non-negative integers. */
        ck_err(c, f, "R-IMP-2", "\"%s\" is not a whole number of 0 or more", VAL(r, f, b));
    }
}

/* Trims ASCII white space around a code (SKU, Parent SKU) into buf when needed. */
static void trim_code(struct cat_row *r, int f, struct cat_buf *buf)
{
    const char *s = r->v[f];
    size_t n = r->n[f], a = 0;
    while (a < n && (s[a] == ' ' || s[a] == '\t'))
        a++;
    while (n > a && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (a == 0 && n == r->n[f])
        return;
    cat_buf_set(buf, s + a, n - a);
    r->v[f] = buf->p;
    r->n[f] = buf->len;
}

/* SPEC 1.2: a code in scientific notation is Excel's display of a long number, its
 * digits lost; an error value (#N/A) a failed formula's. (Control characters: ck_ctl.) */
static void ck_code(struct ck *c, int f)
{
    struct cat_row *r = c->r;
    const char *why = text_code_why(r->v[f], r->n[f]);
    char b[80];
    if (why)
        ck_err(c, f, "R-IMP-4", "\"%s\" %s", VAL(r, f, b), why);
}

/* Issue 8 item 15: no control character goes to the marketplace; multi-line fields keep
 * tabs and line breaks. A cell holding one is reported once, then read as empty, so no
 * later check of the row reports it again (the row is refused anyway). */
static void ck_ctl(struct ck *c, enum cat_template t)
{
    struct cat_row *r = c->r;
    char why[160];
    for (int f = 0; f < CF_NFIELDS; f++) {
        int lines = f == CF_DESCRIPTION || f == CF_SOURCE_URLS ||
                    (f == CF_EXTRA_IMAGES && t == CAT_TPL_QS); /* (qoo10's are "$$"-separated) */
        if (!r->n[f] || f == CF_EXTRA || f == CF_GROUP)
            continue; /* (extra and group stay in the store) */
        if (text_ctl_describe(r->v[f], r->n[f], lines ? TEXT_LINES : TEXT_LINE, why, sizeof why)) {
            /* (R-IMP-4: an SKU is one line of text; no rule names the others.) */
            ck_err(c, f, f == CF_SKU || f == CF_PARENT_SKU ? "R-IMP-4" : NULL, "%s", why);
            r->v[f] = "";
            r->n[f] = 0;
        }
    }
}

static void ck_url(struct ck *c, int f, const char *rule)
{
    struct cat_row *r = c->r;
    char b[80];
    if (r->n[f] && !cat_url_ok(r->v[f], r->n[f]))
        ck_err(c, f, rule, "\"%s\" is not an http(s) URL%s", VAL(r, f, b),
               strcmp(rule, "R-IMP-7") == 0 ? "; upload the image and give its URL" : "");
}

/* R-IMP-7: images are http(s) URLs. Collects them, newline-joined, into r->images. */
static void ck_images(struct ck *c, enum cat_template t)
{
    struct cat_row *r = c->r;
    char b[80];
    int bad;
    cat_buf_set(&r->images, "", 0);
    if (t == CAT_TPL_GENERIC) {
        for (int f = CF_EXTRA_IMAGE1; f <= CF_EXTRA_IMAGE10; f++) {
            if (!r->n[f])
                continue;
            ck_url(c, f, "R-IMP-7");
            if (r->images.len)
                cat_buf_add(&r->images, "\n", 1);
            cat_buf_add(&r->images, r->v[f], r->n[f]);
        }
        return;
    }
    if (!r->n[CF_EXTRA_IMAGES])
        return;
    cat_urls_normalize(r->v[CF_EXTRA_IMAGES], t == CAT_TPL_QOO10 ? "$$" : NULL, &r->images, &bad);
    if (bad >= 0)
        ck_err(c, CF_EXTRA_IMAGES, "R-IMP-7", "\"%s\": image %d is not an http(s) URL",
               VAL(r, CF_EXTRA_IMAGES, b), bad + 1);
}

/* Reports what upc_check or upc_check_as returned (rc, why) for the code cell f: an
 * error (R-IMP-8), or a warning when an Excel-stripped code was restored to code (SPEC
 * 1.2). Returns rc < 0 ? -1 : 0. */
static int ck_code_said(struct ck *c, int f, int rc, const char *why, const char *code)
{
    char b[80];
    if (rc < 0)
        ck_err(c, f, "R-IMP-8", "\"%s\" %s", VAL(c->r, f, b), why);
    else if (rc == 1)
        ck_warn(c, f, "R-IMP-8", "\"%s\" restored to \"%s\": %s", VAL(c->r, f, b), code, why);
    return rc < 0 ? -1 : 0;
}

static void ck_upc(struct ck *c)
{
    struct cat_row *r = c->r;
    enum upc_type type;
    const char *why;
    r->upc_type = NULL;
    r->upc[0] = '\0';
    if (!r->n[CF_UPC])
        return;
    /* R-IMP-8: length and check digit. */
    int rc = upc_check(r->v[CF_UPC], r->upc, &type, &why);
    if (ck_code_said(c, CF_UPC, rc, why, r->upc) == 0)
        r->upc_type = upc_type_name(type);
}

/* qs template: the product's own code and code type. */
static void ck_qs_code(struct ck *c)
{
    struct cat_row *r = c->r;
    enum upc_type type = UPC_T_OTHER;
    const char *why;
    char b[80];
    int rc;
    r->code[0] = '\0';
    r->code_type = NULL;
    if (!r->n[CF_CODE])
        return;
    if (r->n[CF_CODE_TYPE] && upc_type_parse(r->v[CF_CODE_TYPE], &type) < 0) {
        ck_err(c, CF_CODE_TYPE, "R-IMP-8", "\"%s\" is not jan, upc, ean, isbn or other",
               VAL(r, CF_CODE_TYPE, b));
        return;
    }
    rc = r->n[CF_CODE_TYPE] ? upc_check_as(r->v[CF_CODE], type, r->code, &why)
                            : upc_check(r->v[CF_CODE], r->code, &type, &why);
    if (ck_code_said(c, CF_CODE, rc, why, r->code) < 0) {
        r->code[0] = '\0';
        return;
    }
    r->code_type = upc_type_name(type);
}

/* qs template: the extra column (a JSON object) and the unknown columns, merged. */
static void ck_extra(struct ck *c)
{
    struct cat_row *r = c->r;
    json_error_t je;
    json_t *o, *u;
    char b[80], *text;
    if (!r->n[CF_EXTRA])
        return;
    o = json_loadb(r->v[CF_EXTRA], r->n[CF_EXTRA], 0, &je);
    if (!json_is_object(o)) {
        /* R-IMP-1: nothing of a row is lost; a broken extra would be. */
        ck_err(c, CF_EXTRA, "R-IMP-1", "\"%s\" is not a JSON object", VAL(r, CF_EXTRA, b));
        json_decref(o);
        return;
    }
    if (r->extra.len && (u = json_loadb(r->extra.p, r->extra.len, 0, &je)) != NULL) {
        json_object_update(o, u);
        json_decref(u);
    }
    text = json_object_size(o) ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    cat_buf_set(&r->extra, text ? text : "", text ? strlen(text) : 0);
    free(text);
    json_decref(o);
}

/* Descriptions keep their line breaks as LF, whatever the spreadsheet wrote. */
static void norm_desc(struct cat_row *r)
{
    const char *s = r->v[CF_DESCRIPTION];
    size_t n = r->n[CF_DESCRIPTION];
    if (!memchr(s, '\r', n))
        return;
    cat_buf_set(&r->desc, "", 0);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r') {
            cat_buf_add(&r->desc, "\n", 1);
            if (i + 1 < n && s[i + 1] == '\n')
                i++;
        } else {
            cat_buf_add(&r->desc, s + i, 1);
        }
    }
    r->v[CF_DESCRIPTION] = r->desc.p;
    r->n[CF_DESCRIPTION] = r->desc.len;
}

int cat_currency_yen(const char *s, size_t n)
{
    return n == 0 || (n == 3 && strncasecmp(s, "JPY", 3) == 0) ||
           (n == 3 && strncasecmp(s, "YEN", 3) == 0) || (n == 3 && memcmp(s, "円", 3) == 0);
}

/* R-SRC-1, R-IMP-2: a price in a foreign Currency is converted with --fx; without it a
 * box row keeps it as the source price (claimed later) and any other import refuses it. */
static void ck_price(struct ck *c, const struct cat_fx *fx, int box)
{
    struct cat_row *r = c->r;
    static const struct cat_fx one = {1, 0};
    const char *why;
    char b[80];
    r->src_price = 0;
    if (cat_currency_yen(r->v[CF_CURRENCY], r->n[CF_CURRENCY]) || (fx && fx->mant)) {
        ck_money(c, CF_PRICE, fx, &r->price);
        return;
    }
    r->price = -1;
    if (!box) {
        ck_err(c, CF_PRICE, "R-IMP-2",
               "is in %s: give --fx RATE to convert it into yen, or "
               "import the row into the collection box (--box)",
               VAL(r, CF_CURRENCY, b));
        return;
    }
    if (!r->n[CF_PRICE])
        return;
    long long ignore;
    if (cat_money(r->v[CF_PRICE], &one, &ignore, &why) < 0) {
        ck_err(c, CF_PRICE, "R-IMP-2", "\"%s\" %s", VAL(r, CF_PRICE, b), why);
        return;
    }
    r->src_price = 1;
    r->price = 0; /* qs publish claim converts the source price (R-SRC-1) */
}

void cat_row_check(struct cat_row *r, enum cat_template t, const struct cat_fx *fx,
                   const int *required, int update, int box, cat_diag_fn diag, void *ctx)
{
    struct ck c = {r, diag, ctx};
    char b[80];
    int bad;

    trim_code(r, CF_PARENT_SKU, &r->trim_parent);
    trim_code(r, CF_SKU, &r->trim_sku);
    /* R-IMP-2: required fields present and non-empty. */
    for (const int *f = required; *f >= 0; f++) {
        /* (--update: a field the row lacks is asked for only if its SKU is new.) */
        if (r->n[*f] == 0 && (r->has[*f] || !update || *f == CF_PARENT_SKU || *f == CF_SKU))
            ck_err(&c, *f, "R-IMP-2", "is %s", r->has[*f] ? "empty" : "missing");
    }
    ck_ctl(&c, t);
    ck_code(&c, CF_PARENT_SKU);
    ck_code(&c, CF_SKU);
    norm_desc(r);
    ck_money(&c, CF_MSRP, fx, &r->msrp);
    ck_price(&c, fx, box);
    ck_money(&c, CF_SHIPPING, fx, &r->shipping);
    ck_uint(&c, CF_QUANTITY, &r->qty);
    ck_uint(&c, CF_MIN_DAYS, &r->min_days);
    ck_uint(&c, CF_MAX_DAYS, &r->max_days);
    if (r->min_days >= 0 && r->max_days >= 0 && r->min_days > r->max_days)
        /* R-IMP-2: min <= max delivery days. */
        ck_err(&c, CF_MIN_DAYS, "R-IMP-2", "%lld is more than %s %lld", r->min_days,
               r->col[CF_MAX_DAYS], r->max_days);
    /* R-IMP-5: comma-separated tags, at most 10 per product. */
    r->ntags = cat_tags_normalize(r->v[CF_TAGS], &r->tags);
    if (r->ntags > 10)
        ck_err(&c, CF_TAGS, "R-IMP-5", "\"%s\" has %d tags; a product takes at most 10",
               VAL(r, CF_TAGS, b), r->ntags);
    /* R-IMP-6: up to five source URLs, one per line, http(s) only. */
    int nsrc = cat_urls_normalize(r->v[CF_SOURCE_URLS], NULL, &r->sources, &bad);
    if (nsrc > 5)
        ck_err(&c, CF_SOURCE_URLS, "R-IMP-6", "\"%s\" has %d URLs; at most 5, one per line",
               VAL(r, CF_SOURCE_URLS, b), nsrc);
    if (bad >= 0)
        ck_err(&c, CF_SOURCE_URLS, "R-IMP-6", "\"%s\": line %d is not an http(s) URL",
               VAL(r, CF_SOURCE_URLS, b), bad + 1);
    ck_url(&c, CF_LANDING_URL, "R-IMP-6");
    ck_url(&c, CF_MAIN_IMAGE, "R-IMP-7");
    ck_images(&c, t);
    ck_upc(&c);
    if (t == CAT_TPL_QS) {
        ck_qs_code(&c);
        ck_extra(&c);
    }
    /* R-PUB-12: a Qoo10 leaf category is 9 digits. */
    if (r->n[CF_CATEGORY] &&
        (r->n[CF_CATEGORY] != 9 || strspn(r->v[CF_CATEGORY], "0123456789") != 9))
        ck_err(&c, CF_CATEGORY, "R-PUB-12", "\"%s\" is not a 9-digit Qoo10 category",
               VAL(r, CF_CATEGORY, b));
}

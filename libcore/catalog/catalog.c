/* catalog: the pure parts -- values of R-IMP-2/5/6/7 and the templates of R-IMP-1.
 * The import is in catalog_import.c, the qs template export in catalog_export.c. */
#include "catalog.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../text.h"
#include "../xalloc.h"

const char *const cat_qs_columns[] = {CAT_QS_COLUMNS};
const size_t cat_qs_ncolumns = sizeof cat_qs_columns / sizeof cat_qs_columns[0];

/* ---- buffers ---- */

static void buf_need(struct cat_buf *b, size_t more)
{
    if (b->cap - b->len < more + 1) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap - b->len < more + 1)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
}

void cat_buf_add(struct cat_buf *b, const char *s, size_t n)
{
    buf_need(b, n);
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void cat_buf_set(struct cat_buf *b, const char *s, size_t n)
{
    b->len = 0;
    cat_buf_add(b, s, n);
}

void cat_buf_free(struct cat_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---- numbers (R-IMP-2) ---- */

/* A decimal: mant / 10^scale. */
struct dec {
    long long mant;
    int scale;
};

#define DEC_MAX_SCALE 9
#define DEC_MAX_MANT  100000000000000000LL /* 1e17: room to multiply by ten */

/* Parses digits with optional thousands commas (groups of three) and an optional
 * fraction. Returns 0 or -1 with *why. */
static int dec_parse(const char *s, struct dec *d, const char **why)
{
    const char *p = s;
    int digits = 0, group = -1, frac = 0;
    d->mant = 0;
    d->scale = 0;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (d->mant >= DEC_MAX_MANT) {
                *why = "is too large";
                return -1;
            }
            d->mant = d->mant * 10 + (*p - '0');
            digits++;
            if (frac) {
                if (++d->scale > DEC_MAX_SCALE) {
                    *why = "has too many decimals";
                    return -1;
                }
            } else if (group >= 0) {
                group++;
            }
        } else if (*p == ',' && !frac && digits > 0 && (group < 0 || group == 3)) {
            if (group < 0 && digits > 3)
                break;
            group = 0;
        } else if (*p == '.' && !frac && digits > 0 && (group < 0 || group == 3)) {
            frac = 1;
        } else {
            break;
        }
    }
    if (*p || digits == 0 || (group >= 0 && group != 3 && !frac) || (frac && d->scale == 0)) {
        *why = *p == '-' || *s == '-' ? "is negative" : "is not a number";
        return -1;
    }
    return 0;
}

int cat_fx_parse(const char *s, struct cat_fx *fx)
{
    struct dec d;
    const char *why;
    if (dec_parse(s, &d, &why) < 0 || d.mant == 0)
        return -1;
    fx->mant = d.mant;
    fx->scale = d.scale;
    return 0;
}

static long long pow10ll(int n)
{
    long long p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

int cat_money(const char *s, const struct cat_fx *fx, long long *yen, const char **why)
{
    char tmp[64], *p = tmp;
    struct dec d;
    size_t n;
    /* Full-width digits and commas (１，２８０) read as ASCII ones (issue 8 item 16). */
    long k = text_ascii_number(s, strlen(s), tmp, sizeof tmp);

    if (k < 0) {
        *why = "is too long";
        return -1;
    }
    n = (size_t)k;
    /* Spreadsheets write "¥1,200", "￥1,200" or "1,200円". */
    if (n >= 2 && memcmp(p, "\xC2\xA5", 2) == 0)
        p += 2, n -= 2;
    else if (n >= 3 && memcmp(p, "\xEF\xBF\xA5", 3) == 0)
        p += 3, n -= 3;
    else if (n >= 1 && *p == '\\')
        p++, n--; /* CP932's yen sign reads as a backslash */
    if (n >= 3 && memcmp(p + n - 3, "\xE5\x86\x86", 3) == 0)
        n -= 3;
    if (n == 0) {
        *why = "is empty";
        return -1;
    }
    p[n] = '\0';
    if (dec_parse(p, &d, why) < 0)
        return -1;
    if (fx && fx->mant) {
        /* R-IMP-2: --fx converts, rounding half up to whole yen. */
        __int128 prod = (__int128)d.mant * fx->mant;
        __int128 unit = 1;
        for (int i = 0; i < d.scale + fx->scale; i++)
            unit *= 10;
        __int128 v = (prod + unit / 2) / unit;
        if (v > (__int128)999999999999LL) {
            *why = "is too large";
            return -1;
        }
        *yen = (long long)v;
        return 0;
    }
    long long unit = pow10ll(d.scale);
    if (d.mant % unit != 0) {
        /* R-IMP-2: Qoo10 Japan prices are whole yen. */
        *why = "is not a whole yen amount (give --fx RATE to convert a foreign-currency file)";
        return -1;
    }
    if (d.mant / unit > 999999999999LL) {
        *why = "is too large";
        return -1;
    }
    *yen = d.mant / unit;
    return 0;
}

int cat_uint(const char *s, long long *out)
{
    char buf[64];
    long long v = 0;
    int digits = 0, group = -1; /* digits since the last comma; -1 before any comma */
    /* Full-width digits (１２８０) read as ASCII ones (issue 8 item 16). */
    if (text_ascii_number(s, strlen(s), buf, sizeof buf) < 0)
        return -1;
    for (s = buf; *s; s++) {
        if (*s == ',') {
            /* Thousands commas only in groups of three: 1,280 but never 12,80. */
            if (digits == 0 || (group < 0 ? digits > 3 : group != 3))
                return -1;
            group = 0;
            continue;
        }
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        digits++;
        group += group >= 0;
        if (v > 2147483647LL)
            return -1;
    }
    if (digits == 0 || (group >= 0 && group != 3))
        return -1;
    *out = v;
    return 0;
}

int cat_url_ok(const char *s, size_t n)
{
    size_t skip;
    if (n >= 8 && strncasecmp(s, "https://", 8) == 0)
        skip = 8;
    else if (n >= 7 && strncasecmp(s, "http://", 7) == 0)
        skip = 7;
    else
        return 0;
    if (n == skip || s[skip] == '/' || s[skip] == '?' || s[skip] == '#')
        return 0; /* no host */
    for (size_t i = skip; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return 0;
    return 1;
}

/* ---- tags (R-IMP-5) ---- */

static int is_space(const char *p, size_t *len)
{
    if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
        *len = 1;
        return 1;
    }
    if ((unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x80) {
        *len = 3; /* U+3000 ideographic space */
        return 1;
    }
    return 0;
}

/* 1 when s[0..n) ends in white space (ASCII or U+3000), whose length goes to *len. */
static int trailing_space(const char *s, size_t n, size_t *len)
{
    char c = s[n - 1];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        *len = 1;
        return 1;
    }
    if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0) {
        *len = 3;
        return 1;
    }
    return 0;
}

/* 1 when the tag s[0..n) is in list ("a,b,c"), ASCII case-insensitively. */
static int tag_in(const char *list, size_t listlen, const char *s, size_t n)
{
    size_t i = 0;
    while (i < listlen) {
        const char *comma = memchr(list + i, ',', listlen - i);
        size_t end = comma ? (size_t)(comma - list) : listlen;
        if (end - i == n && strncasecmp(list + i, s, n) == 0)
            return 1;
        i = end + 1;
    }
    return 0;
}

/* Appends to out each trimmed, non-empty tag of s[0..n) it lacks; returns count plus
 * the number appended. */
static int tags_walk(const char *s, size_t n, struct cat_buf *out, int count)
{
    size_t i = 0;
    while (i < n) {
        size_t end = i, sep = 0;
        while (end < n) {
            if (s[end] == ',') {
                sep = 1;
                break;
            }
            if (n - end >= 3 && memcmp(s + end, "\xEF\xBC\x8C", 3) == 0) {
                sep = 3; /* U+FF0C full-width comma */
                break;
            }
            end++;
        }
        size_t a = i, b = end, k;
        while (a < b && is_space(s + a, &k))
            a += k;
        while (b > a && trailing_space(s + a, b - a, &k))
            b -= k;
        if (b > a && !tag_in(out->p ? out->p : "", out->len, s + a, b - a)) {
            if (out->len)
                cat_buf_add(out, ",", 1);
            cat_buf_add(out, s + a, b - a);
            count++;
        }
        i = end + (sep ? sep : 1);
    }
    return count;
}

int cat_tags_normalize(const char *s, struct cat_buf *out)
{
    cat_buf_set(out, "", 0);
    return tags_walk(s, strlen(s), out, 0);
}

int cat_tags_union(struct cat_buf *tags, const char *more, size_t n)
{
    int count = 0;
    if (!tags->p)
        cat_buf_set(tags, "", 0);
    if (tags->len) {
        count = 1;
        for (size_t i = 0; i < tags->len; i++)
            count += tags->p[i] == ',';
    }
    return tags_walk(more, n, tags, count);
}

/* ---- URL lists (R-IMP-6) ---- */

int cat_urls_normalize(const char *s, const char *sep, struct cat_buf *out, int *bad)
{
    size_t seplen = sep ? strlen(sep) : 0;
    int count = 0;
    *bad = -1;
    cat_buf_set(out, "", 0);
    while (*s) {
        size_t n;
        const char *end;
        if (seplen) {
            end = strstr(s, sep);
            n = end ? (size_t)(end - s) : strlen(s);
        } else {
            n = strcspn(s, "\r\n");
            end = s[n] ? s + n : NULL;
        }
        size_t a = 0, b = n;
        while (a < b && (s[a] == ' ' || s[a] == '\t'))
            a++;
        while (b > a &&
               (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r' || s[b - 1] == '\n'))
            b--;
        if (b > a) {
            if (*bad < 0 && !cat_url_ok(s + a, b - a))
                *bad = count;
            if (out->len)
                cat_buf_add(out, "\n", 1);
            cat_buf_add(out, s + a, b - a);
            count++;
        }
        if (!end)
            break;
        s = end + (seplen ? seplen : 1);
    }
    return count;
}

/* ---- templates (R-IMP-1) ---- */

/* Column names, normalised (see norm): per field, per template. */
struct alias {
    int field;
    const char *generic, *qs, *qoo10;
};

/* Names are separated by '|'. */
static const struct alias aliases[] = {
    {CF_PARENT_SKU, "parentsku|父sku", "parentsku",
     "selleruniqueitemid|sellercode|selleritemcode|販売者商品コード"},
    {CF_SKU, "sku|子sku|variantsku", "sku", "optioncode"},
    {CF_TITLE, "title|产品标题|标题|タイトル|商品名", "title", "itemname|itemtitle|商品名"},
    {CF_DESCRIPTION, "description|产品描述|描述|商品説明", "description",
     "itemdescription|itemdetail|商品説明|商品詳細"},
    {CF_TAGS, "tags|产品标签|标签|タグ", "tags", "searchkeyword|keyword|検索ワード|検索キーワード"},
    {CF_BRAND, "brand|品牌|ブランド", "brand", "brandnumber|brandno|ブランド番号"},
    {CF_UPC, "upc|jan|ean|gtin", "upc", "externalproductid|industrialcode|janコード|jan"},
    {CF_LANDING_URL, "landingpageurl|landingurl", "landingpageurl", ""},
    {CF_MSRP, "msrp|建议零售价", "msrp", "retailpriceyen|retailprice|参考価格"},
    {CF_COLOR, "color|colour|颜色|カラー", "color", ""},
    {CF_SIZE, "size|尺寸值|尺寸|サイズ", "size", ""},
    {CF_SOURCE_URLS, "sourceurl|sourceurls|来源url|来源", "sourceurls", ""},
    {CF_PRICE, "price|价格|価格", "price", "priceyen|itemprice|price|販売価格|価格"},
    {CF_SHIPPING, "shipping|运费|送料", "shipping", ""},
    {CF_QUANTITY, "quantity|库存量|库存|在庫数", "quantity",
     "quantity|itemqty|qty|在庫数|在庫数量|数量"},
    {CF_MIN_DAYS, "mindeliverydays|最小送达时间", "mindeliverydays", ""},
    {CF_MAX_DAYS, "maxdeliverydays|最大送达时间", "maxdeliverydays", ""},
    {CF_MAIN_IMAGE, "mainimageurl|mainimage|主图地址|主图", "mainimageurl",
     "imagemainurl|standardimage|imageurl|商品画像|メイン画像"},
    {CF_EXTRA_IMAGES, "", "extraimageurls", "imageotherurl|imageotherurls"},
    {CF_GROUP, "", "group", ""},
    {CF_CATEGORY, "", "category", "categorynumber|secondsubcat|カテゴリ番号|カテゴリコード"},
    {CF_CODE, "", "code", ""},
    {CF_CODE_TYPE, "", "codetype", ""},
    {CF_EXTRA, "", "extra", ""},
    {CF_OPTIONS, "", "", "optioninfo|itemtype|オプション情報"},
    /* What publish list writes after the template (next_try: publish.h) is ignored too. */
    {CF_OUTPUT, "", "state|publishat|itemcode|error|nexttry", ""},
    {CF_CURRENCY, "currency|币种|货币|通貨", "currency", ""},
};

/* Normalises a column name into out: ASCII lower case; spaces (also U+3000), '*', '_',
 * '-', '.', ':' and parenthesised notes "(...)" / "（...）" dropped. */
static void norm(const char *s, char *out, size_t size)
{
    size_t n = 0;
    int depth = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 1 < size; p++) {
        if (*p == '(') {
            depth++;
            continue;
        }
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x88) {
            depth++, p += 2;
            continue;
        }
        if (*p == ')') {
            depth -= depth > 0;
            continue;
        }
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x89) {
            depth -= depth > 0, p += 2;
            continue;
        }
        if (depth)
            continue;
        if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
            p += 2;
            continue;
        }
        if (*p == ' ' || *p == '\t' || *p == '*' || *p == '_' || *p == '-' || *p == '.' ||
            *p == ':' || *p == '\r' || *p == '\n')
            continue;
        out[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    }
    out[n] = '\0';
}

/* 1 when key is one of the '|'-separated names. */
static int in_list(const char *list, const char *key)
{
    size_t k = strlen(key);
    while (*list) {
        size_t n = strcspn(list, "|");
        if (n == k && strncmp(list, key, n) == 0)
            return 1;
        list += n + (list[n] == '|');
    }
    return 0;
}

int cat_field_of(enum cat_template t, const char *name)
{
    char key[128];
    norm(name, key, sizeof key);
    if (!*key)
        return -1;
    if (t == CAT_TPL_GENERIC && strncmp(key, "extraimageurl", 13) == 0) {
        long k = strtol(key + 13, NULL, 10);
        char want[24];
        snprintf(want, sizeof want, "extraimageurl%ld", k);
        if (k >= 1 && k <= 10 && strcmp(want, key) == 0)
            return CF_EXTRA_IMAGE1 + (int)k - 1;
        return -1;
    }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        const char *list = t == CAT_TPL_QS      ? aliases[i].qs
                           : t == CAT_TPL_QOO10 ? aliases[i].qoo10
                                                : aliases[i].generic;
        if (in_list(list, key))
            return aliases[i].field;
    }
    return -1;
}

enum cat_template cat_template_detect(const char *const *names, size_t n)
{
    int parent = 0, sku = 0, qoo10 = 0;
    for (size_t i = 0; i < n; i++) {
        char key[128];
        parent |= strcmp(names[i], "parent_sku") == 0;
        sku |= strcmp(names[i], "sku") == 0;
        norm(names[i], key, sizeof key);
        qoo10 |= in_list("selleruniqueitemid|sellercode|selleritemcode|販売者商品コード|itemname|"
                         "itemtitle|itemcode|itemnumber|priceyen|optioninfo",
                         key);
    }
    if (parent && sku)
        return CAT_TPL_QS; /* its item_code column is informational, not QSM's */
    return qoo10 ? CAT_TPL_QOO10 : CAT_TPL_GENERIC;
}

static const char *const tpl_names[] = {"auto", "generic", "qoo10", "qs"};

int cat_template_parse(const char *s, enum cat_template *out)
{
    for (int i = 1; i < 4; i++) {
        if (strcmp(s, tpl_names[i]) == 0) {
            *out = (enum cat_template)i;
            return 0;
        }
    }
    return -1;
}

const char *cat_template_name(enum cat_template t)
{
    return (unsigned)t < 4 ? tpl_names[t] : "auto";
}

/* ---- R-IMP-9: the price spread ---- */

int cat_spread_check(const char *parent, const char *hi_sku, long long hi, const char *lo_sku,
                     long long lo, long lo_line, char *msg, size_t size)
{
    char where[48] = "";
    /* R-IMP-9: the highest variant price at most 1.5 x the lowest (2 hi <= 3 lo). */
    if (!(2 * hi > 3 * lo))
        return 0;
    if (!msg || !size)
        return 1;
    if (lo_line)
        snprintf(where, sizeof where, ", line %ld", lo_line);
    snprintf(msg, size,
             "Parent SKU \"%s\": SKU \"%s\" costs %lld, more than 1.5 x the lowest price %lld "
             "(SKU \"%s\"%s); Qoo10 keeps option prices within 50%% of the item price",
             parent, hi_sku, hi, lo, lo_sku, where);
    return 1;
}

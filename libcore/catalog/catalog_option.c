/* catalog_option: the options of a qoo10 option_info cell, one variant each (R-IMP-1,
 * R-IMP-2): Name||*Value||*ExtraPrice||*Qty[||*OptionCode], "$$" between options. */
#include <stdio.h>
#include <string.h>

#include "catalog_int.h"
#include "../text.h"

static void opt_err(struct cat_row *r, cat_diag_fn diag, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* R-IMP-2: an error about the option_info cell; the row is bad. */
static void opt_err(struct cat_row *r, cat_diag_fn diag, void *ctx, const char *fmt, ...)
{
    va_list ap;
    r->nerr++;
    va_start(ap, fmt);
    diag(ctx, 0, CF_OPTIONS, "R-IMP-2", fmt, ap);
    va_end(ap);
}

/* ---- qoo10 option_info (one variant per option) ---- */

/* The next "||*"-separated part of s[*i..end): sets *p, *n; 0 when none is left. */
static int part(const char *s, size_t end, size_t *i, const char **p, size_t *n)
{
    if (*i > end)
        return 0;
    const char *start = s + *i, *sep = NULL;
    for (size_t k = *i; k + 3 <= end; k++) {
        if (s[k] == '|' && s[k + 1] == '|' && s[k + 2] == '*') {
            sep = s + k;
            break;
        }
    }
    *p = start;
    *n = sep ? (size_t)(sep - start) : end - *i;
    *i = sep ? (size_t)(sep - s) + 3 : end + 1;
    return 1;
}

static int is_size_axis(const char *s, size_t n)
{
    char name[64];
    if (n >= sizeof name)
        n = sizeof name - 1;
    memcpy(name, s, n);
    name[n] = '\0';
    return strcasestr(name, "size") || strstr(name, "サイズ") || strstr(name, "尺寸");
}

/* An option's extra price: a signed whole amount ("-100", "+200", "0"). */
static int extra_price(const char *s, size_t n, const struct cat_fx *fx, long long *out)
{
    char tmp[32], *p = tmp;
    const char *why;
    int neg = 0;
    /* (full-width signs and digits too, issue 8 item 16) */
    if (text_ascii_number(s, n, tmp, sizeof tmp) < 0)
        return -1;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (!*p || cat_money(p, fx, out, &why) < 0)
        return -1;
    if (neg)
        *out = -*out;
    return 0;
}

int cat_row_option(struct cat_row *r, const struct cat_fx *fx, size_t *pos, int *k,
                   struct cat_variant *v, cat_diag_fn diag, void *ctx)
{
    const char *s = r->v[CF_OPTIONS];
    size_t n = r->n[CF_OPTIONS];

    while (*pos < n) {
        const char *dollar = NULL;
        for (size_t i = *pos; i + 2 <= n; i++) {
            if (s[i] == '$' && s[i + 1] == '$') {
                dollar = s + i;
                break;
            }
        }
        size_t end = dollar ? (size_t)(dollar - s) : n, i = *pos;
        const char *p[8];
        size_t pl[8];
        int np = 0;
        *pos = dollar ? end + 2 : n;
        while (np < 8 && part(s, end, &i, &p[np], &pl[np]))
            np++;
        if (np == 1 && pl[0] == 0)
            continue; /* an empty option (a trailing "$$") */
        ++*k;
        /* Name||*Value||*Extra||*Qty[||*Code] or Name1||*Value1||*Name2||*Value2||*Extra
         * ||*Qty[||*Code]. */
        int axes = np >= 6 ? 2 : 1, base = axes * 2;
        if (np < base + 2 || np > base + 3) {
            opt_err(r, diag, ctx,
                    "option %d has %d parts; want Name||*Value||*ExtraPrice"
                    "||*Qty||*OptionCode (two axes: Name1||*Value1||*Name2||*Value2||*...)",
                    *k, np);
            continue;
        }
        long long extra = 0, qty = -1;
        char tmp[32];
        if (extra_price(p[base], pl[base], fx, &extra) < 0) {
            opt_err(r, diag, ctx, "option %d: extra price \"%s\" is not a whole yen amount", *k,
                    text_show(p[base], pl[base], tmp, sizeof tmp));
            continue;
        }
        if (pl[base + 1]) {
            char q[24];
            size_t ql = pl[base + 1] < sizeof q - 1 ? pl[base + 1] : sizeof q - 1;
            memcpy(q, p[base + 1], ql);
            q[ql] = '\0';
            if (cat_uint(q, &qty) < 0) {
                opt_err(r, diag, ctx, "option %d: quantity \"%s\" is not a whole number", *k,
                        text_show(p[base + 1], pl[base + 1], tmp, sizeof tmp));
                continue;
            }
        }
        int sz1 = is_size_axis(p[0], pl[0]);
        cat_buf_set(&v->colorbuf, "", 0);
        cat_buf_set(&v->sizebuf, "", 0);
        /* An axis named like "size" gives the size; the other one the color. */
        cat_buf_add(sz1 ? &v->sizebuf : &v->colorbuf, p[1], pl[1]);
        if (axes == 2)
            cat_buf_add(sz1 ? &v->colorbuf : &v->sizebuf, p[3], pl[3]);
        if (np == base + 3 && pl[base + 2] && !(pl[base + 2] == 1 && p[base + 2][0] == '0')) {
            cat_buf_set(&v->skubuf, p[base + 2], pl[base + 2]);
        } else {
            char suffix[16];
            cat_buf_set(&v->skubuf, r->v[CF_PARENT_SKU], r->n[CF_PARENT_SKU]);
            snprintf(suffix, sizeof suffix, "-%d", *k);
            cat_buf_add(&v->skubuf, suffix, strlen(suffix));
        }
        v->sku = v->skubuf.p;
        v->color = v->colorbuf.p;
        v->size = v->sizebuf.p;
        v->price = r->price >= 0 ? r->price + extra : -1;
        v->qty = qty;
        if (v->price < 0 && r->price >= 0) {
            opt_err(r, diag, ctx, "option %d: price %lld %+lld is below 0", *k, r->price, extra);
            continue;
        }
        return 1;
    }
    return 0;
}

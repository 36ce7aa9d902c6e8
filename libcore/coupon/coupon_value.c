/* coupon_value: the values of a coupon (R-CPN-1) -- discount, yen amounts, limits, yes/no,
 * validity times -- and the check of a whole coupon, every problem reported. Pure but for
 * the zone database (tm.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "coupon.h"
#include "../text.h"
#include "../tm.h"
#include "../xalloc.h"

const char *const coupon_columns[CPN_NFIELDS] = {
    "qsm_no",     "code",     "name",        "discount",        "max_discount", "min_order",
    "valid_from", "valid_to", "issue_limit", "per_buyer_limit", "qstore_only",
};

/* ---- numbers ---- */

static int is_space(const char *p, size_t *len)
{
    if (*p == ' ' || *p == '\t') {
        *len = 1;
        return 1;
    }
    if (memcmp(p, "\xe3\x80\x80", 3) == 0) { /* U+3000, the ideographic space */
        *len = 3;
        return 1;
    }
    return 0;
}

/* s without the spaces at its ends: [*start, *start + *n). */
static void trim(const char *s, const char **start, size_t *n)
{
    size_t k, len = strlen(s);
    while (len > 0 && is_space(s, &k))
        s += k, len -= k;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    while (len >= 3 && memcmp(s + len - 3, "\xe3\x80\x80", 3) == 0)
        len -= 3;
    *start = s;
    *n = len;
}

/* s trimmed, with full-width digits made ASCII, into buf. -1 when it does not fit. */
static int ascii(const char *s, char *buf, size_t size)
{
    const char *p;
    size_t n;
    trim(s, &p, &n);
    return text_ascii_number(p, n, buf, size) < 0 ? -1 : 0;
}

/* Strips prefix pre from *p (returns 1) or not (0). */
static int strip_pre(char **p, const char *pre)
{
    size_t k = strlen(pre);
    if (strncmp(*p, pre, k) != 0)
        return 0;
    *p += k;
    return 1;
}

/* Strips suffix suf from p (returns 1) or not (0). */
static int strip_suf(char *p, const char *suf)
{
    size_t n = strlen(p), k = strlen(suf);
    if (n < k || strcmp(p + n - k, suf) != 0)
        return 0;
    p[n - k] = '\0';
    return 1;
}

/* A whole number: digits, optionally grouped by commas in threes ("1,000"), at most 12
 * digits. Returns 0 or -1. */
static int whole(const char *p, long long *out)
{
    long long v = 0;
    int nd = 0, group = -1; /* digits since the last comma; -1 before the first */
    if (!*p)
        return -1;
    for (; *p; p++) {
        if (*p == ',') {
            if (nd == 0 || (group >= 0 && group != 3) || (group < 0 && nd > 3))
                return -1;
            group = 0;
            continue;
        }
        if (*p < '0' || *p > '9' || ++nd > 12)
            return -1;
        v = v * 10 + (*p - '0');
        if (group >= 0)
            group++;
    }
    if (group >= 0 && group != 3)
        return -1;
    *out = v;
    return 0;
}

/* A yen text without its sign: "¥500", "￥1,000", "500円" -> the number's text. */
static char *yen_digits(char *p)
{
    if (!strip_pre(&p, "\xc2\xa5"))    /* ¥ */
        strip_pre(&p, "\xef\xbf\xa5"); /* ￥ */
    strip_suf(p, "\xe5\x86\x86");      /* 円 */
    return p;
}

int coupon_yen_parse(const char *s, long long min, long long *out)
{
    char buf[64];
    long long v;
    if (ascii(s, buf, sizeof buf) < 0 || whole(yen_digits(buf), &v) < 0 || v < min)
        return -1;
    *out = v;
    return 0;
}

int coupon_count_parse(const char *s, long long *out)
{
    char buf[64];
    long long v;
    if (ascii(s, buf, sizeof buf) < 0 || whole(buf, &v) < 0 || v < 1)
        return -1;
    *out = v;
    return 0;
}

#define ALLOWED "give yen off as a whole number (500) or a percent from 1% to 99% (10%)"

int coupon_discount_parse(const char *s, enum coupon_kind *kind, long long *amount,
                          const char **why)
{
    char buf[64], *p = buf;
    long long v;
    int pct;
    *why = "is not a discount: " ALLOWED;
    if (ascii(s, buf, sizeof buf) < 0)
        return -1;
    pct = strip_suf(buf, "%") || strip_suf(buf, "\xef\xbc\x85"); /* ％ */
    if (pct) {
        size_t n = strlen(buf);
        while (n > 0 && buf[n - 1] == ' ')
            buf[--n] = '\0';
        if (buf[0] == '-' && whole(buf + 1, &v) == 0) {
            *why = "is negative: " ALLOWED;
            return -1;
        }
        if (whole(buf, &v) < 0) {
            if (strspn(buf, "0123456789.") == strlen(buf) && strchr(buf, '.'))
                *why = "is not a whole percent: give a percent from 1% to 99% (10%)";
            return -1;
        }
        if (v < 1 || v > 99) {
            *why = "is not a percent from 1% to 99%";
            return -1;
        }
        *kind = COUPON_PERCENT;
        *amount = v;
        return 0;
    }
    if (*p == '-') {
        if (whole(yen_digits(p + 1), &v) == 0)
            *why = "is negative: " ALLOWED;
        return -1;
    }
    p = yen_digits(p);
    if (whole(p, &v) < 0) {
        /* Excel keeps a cell shown as 10% as the number 0.1, which a workbook reads as. */
        if (p[0] == '0' && p[1] == '.' && p[2] && strspn(p + 2, "0123456789") == strlen(p + 2))
            *why = "is not a discount: a percent cell of Excel reads as 0.1; write the percent "
                   "as text (10%), or give yen off as a whole number (500)";
        return -1;
    }
    if (v < 1) {
        *why = "takes nothing off: " ALLOWED;
        return -1;
    }
    *kind = COUPON_YEN;
    *amount = v;
    return 0;
}

int coupon_yesno_parse(const char *s, int *out)
{
    const char *p;
    size_t n;
    trim(s, &p, &n);
    if ((n == 3 && strncasecmp(p, "yes", 3) == 0) || (n == 4 && strncasecmp(p, "true", 4) == 0))
        *out = 1;
    else if ((n == 2 && strncasecmp(p, "no", 2) == 0) ||
             (n == 5 && strncasecmp(p, "false", 5) == 0))
        *out = 0;
    else
        return -1;
    return 0;
}

/* ---- times ---- */

/* Reads lo to hi digits at *p into *v. */
static int num(const char **p, int lo, int hi, int *v)
{
    int n = 0, x = 0;
    while (n < hi && **p >= '0' && **p <= '9')
        x = x * 10 + (*(*p)++ - '0'), n++;
    if (n < lo || (**p >= '0' && **p <= '9'))
        return -1;
    *v = x;
    return 0;
}

int coupon_time_parse(const char *s, const char *tz, int end, time_t *out, char *why, size_t size)
{
    int y, mo, d, h = end ? 23 : 0, mi = end ? 59 : 0, sec = 0;
    char sep, buf[64];
    const char *p;
    size_t n;
    struct qs_err e;

    trim(s, &p, &n);
    if (n >= sizeof buf)
        goto bad;
    memcpy(buf, p, n);
    buf[n] = '\0';
    p = buf;
    if (num(&p, 4, 4, &y) < 0 || (*p != '-' && *p != '/'))
        goto bad;
    sep = *p++;
    if (num(&p, 1, 2, &mo) < 0 || *p++ != sep || num(&p, 1, 2, &d) < 0)
        goto bad;
    if (*p == ' ' || *p == 'T') {
        p++;
        if (num(&p, 1, 2, &h) < 0 || *p++ != ':' || num(&p, 2, 2, &mi) < 0)
            goto bad;
        if (*p == ':' && (p++, num(&p, 2, 2, &sec) < 0))
            goto bad;
    }
    if (*p)
        goto bad;
    err_clear(&e);
    if (tm_from_local(y, mo, d, h, mi, sec, tz, out, &e) < 0) {
        const char *m = e.msg;
        if (strncmp(m, "invalid time: ", 14) == 0)
            m += 14;
        snprintf(why, size, "is not a time: %s", m);
        return -1;
    }
    return 0;
bad:
    snprintf(why, size,
             "is not a time: give YYYY-MM-DD HH:MM, or YYYY-MM-DD (00:00 for "
             "valid_from, 23:59 for valid_to), in zone %s",
             tz);
    return -1;
}

char *coupon_time_format(time_t t, const char *tz, char *buf, size_t size)
{
    if (tm_format(t, tz, 0, buf, size) < 0)
        return buf;
    if (strlen(buf) == 19 && strcmp(buf + 16, ":00") == 0)
        buf[16] = '\0';
    return buf;
}

char *coupon_discount_format(enum coupon_kind kind, long long amount, char *buf, size_t size)
{
    snprintf(buf, size, "%lld%s", amount, kind == COUPON_PERCENT ? "%" : "");
    return buf;
}

const char *coupon_state(const struct coupon *c, time_t now)
{
    return now < c->valid_from ? "upcoming" : now > c->valid_to ? "expired" : "valid";
}

/* ---- a whole coupon ---- */

struct chk {
    coupon_diag_fn diag;
    void *ctx;
    int n;
};

static void problem(struct chk *k, int f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct chk *k, int f, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    k->n++;
    if (k->diag)
        k->diag(k->ctx, f, msg);
}

/* s for a message, quoted (text_show). */
static const char *show(const char *s, char *buf, size_t size)
{
    size_t o;
    buf[0] = '"';
    text_show(s, strlen(s), buf + 1, size - 2);
    o = strlen(buf);
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

/* A text field (code, qsm_no, name): trimmed, one line, a code never in Excel's scientific
 * notation nor an Excel error value. Returns the trimmed text in a malloc'd copy. */
static char *text_field(struct chk *k, int f, const char *s, int code)
{
    const char *p, *mangled;
    size_t n;
    char why[256], b[96];
    trim(s, &p, &n);
    char *t = xstrndup(p, n);
    if (text_ctl_describe(t, n, TEXT_LINE, why, sizeof why))
        problem(k, f, "%s %s", show(t, b, sizeof b), why);
    else if (code && (mangled = text_code_why(t, n)))
        problem(k, f, "%s %s", show(t, b, sizeof b), mangled);
    return t;
}

/* The value of field f: v[f]; with base, NULL keeps base's value (*keep set). */
static const char *val(const char *const v[], const struct coupon *base, int f, int *keep)
{
    *keep = base && !v[f];
    return v[f];
}

static const char *const required_hint[CPN_NFIELDS] = {
    [CPN_CODE] = "a coupon needs its code (the seller's own id)",
    [CPN_NAME] = "a coupon needs its name as QSM shows it",
    [CPN_DISCOUNT] = ALLOWED,
    [CPN_VALID_FROM] = "give YYYY-MM-DD HH:MM or YYYY-MM-DD",
    [CPN_VALID_TO] = "give YYYY-MM-DD HH:MM or YYYY-MM-DD",
};

/* A required field without a value: 1 (reported), else 0. */
static int required(struct chk *k, int f, const char *s)
{
    const char *p;
    size_t n;
    trim(s ? s : "", &p, &n);
    if (n)
        return 0;
    problem(k, f, "is %s; %s", s ? "empty" : "missing", required_hint[f]);
    return 1;
}

int coupon_check(const char *const v[CPN_NFIELDS], const struct coupon *base, const char *tz,
                 struct coupon *c, coupon_diag_fn diag, void *ctx)
{
    struct chk k = {diag, ctx, 0};
    char b[96], why[256];
    char *code, *qsm, *name;
    const char *s, *w;
    int keep, disc_ok = 1, from_ok = 1, to_ok = 1;

    memset(c, 0, sizeof *c);
    if (base) {
        *c = *base;
        c->own = NULL;
    } else {
        c->kind = COUPON_YEN;
        c->max_discount = c->issue_limit = c->per_buyer_limit = -1;
    }
    c->pushes = 0;
    c->created_at = c->updated_at = NULL;

    s = val(v, base, CPN_QSM_NO, &keep);
    qsm = keep ? xstrdup(base->qsm_no) : text_field(&k, CPN_QSM_NO, s ? s : "", 1);
    s = val(v, base, CPN_CODE, &keep);
    if (keep)
        code = xstrdup(base->code);
    else if (required(&k, CPN_CODE, s))
        code = xstrdup("");
    else
        code = text_field(&k, CPN_CODE, s, 1);
    s = val(v, base, CPN_NAME, &keep);
    if (keep)
        name = xstrdup(base->name);
    else if (required(&k, CPN_NAME, s))
        name = xstrdup("");
    else
        name = text_field(&k, CPN_NAME, s, 0);
    /* One allocation for the three texts, so coupon_clear frees one pointer. */
    c->own = xasprintf("%s%c%s%c%s", code, '\0', qsm, '\0', name);
    c->code = c->own;
    c->qsm_no = c->code + strlen(code) + 1;
    c->name = c->qsm_no + strlen(qsm) + 1;
    free(code), free(qsm), free(name);

    s = val(v, base, CPN_DISCOUNT, &keep);
    if (!keep && (disc_ok = !required(&k, CPN_DISCOUNT, s)) &&
        coupon_discount_parse(s, &c->kind, &c->discount, &w) < 0) {
        problem(&k, CPN_DISCOUNT, "%s %s", show(s, b, sizeof b), w);
        disc_ok = 0;
    }
    s = val(v, base, CPN_MAX_DISCOUNT, &keep);
    if (!keep && s && *s) {
        if (coupon_yen_parse(s, 1, &c->max_discount) < 0) {
            problem(&k, CPN_MAX_DISCOUNT, "%s is not a whole yen amount of 1 or more",
                    show(s, b, sizeof b));
            c->max_discount = -1;
        }
    } else if (!keep) {
        c->max_discount = -1;
    }
    s = val(v, base, CPN_MIN_ORDER, &keep);
    if (!keep && s && *s) {
        if (coupon_yen_parse(s, 0, &c->min_order) < 0) {
            problem(&k, CPN_MIN_ORDER, "%s is not a whole yen amount of 0 or more",
                    show(s, b, sizeof b));
            c->min_order = 0;
        }
    } else if (!keep) {
        c->min_order = 0;
    }
    s = val(v, base, CPN_VALID_FROM, &keep);
    if (!keep && (from_ok = !required(&k, CPN_VALID_FROM, s)) &&
        coupon_time_parse(s, tz, 0, &c->valid_from, why, sizeof why) < 0) {
        problem(&k, CPN_VALID_FROM, "%s %s", show(s, b, sizeof b), why);
        from_ok = 0;
    }
    s = val(v, base, CPN_VALID_TO, &keep);
    if (!keep && (to_ok = !required(&k, CPN_VALID_TO, s)) &&
        coupon_time_parse(s, tz, 1, &c->valid_to, why, sizeof why) < 0) {
        problem(&k, CPN_VALID_TO, "%s %s", show(s, b, sizeof b), why);
        to_ok = 0;
    }
    for (int f = CPN_ISSUE_LIMIT; f <= CPN_PER_BUYER_LIMIT; f++) {
        long long *t = f == CPN_ISSUE_LIMIT ? &c->issue_limit : &c->per_buyer_limit;
        s = val(v, base, f, &keep);
        if (keep)
            continue;
        *t = -1;
        if (s && *s && coupon_count_parse(s, t) < 0) {
            problem(&k, f, "%s is not a whole number of 1 or more (empty: no limit)",
                    show(s, b, sizeof b));
            *t = -1;
        }
    }
    s = val(v, base, CPN_QSTORE_ONLY, &keep);
    if (!keep) {
        c->qstore_only = 0;
        if (s && *s && coupon_yesno_parse(s, &c->qstore_only) < 0)
            problem(&k, CPN_QSTORE_ONLY, "%s is not yes or no", show(s, b, sizeof b));
    }

    /* Across fields: a cap only on a percent, and a period that ends after it starts. */
    if (disc_ok && c->kind == COUPON_YEN && c->max_discount >= 0)
        problem(&k, CPN_MAX_DISCOUNT,
                "%lld goes only with a percent discount, and discount %lld is yen off "
                "(make it empty)",
                c->max_discount, c->discount);
    if (from_ok && to_ok && c->valid_to <= c->valid_from) {
        char f[32], t[32];
        coupon_time_format(c->valid_from, tz, f, sizeof f);
        coupon_time_format(c->valid_to, tz, t, sizeof t);
        if (base && !v[CPN_VALID_TO]) /* an edit of valid_from alone: name what changed */
            problem(&k, CPN_VALID_FROM, "%s is not before valid_to %s (in zone %s)", f, t, tz);
        else
            problem(&k, CPN_VALID_TO, "%s is not after valid_from %s (in zone %s)", t, f, tz);
    }
    return k.n;
}

void coupon_clear(struct coupon *c)
{
    if (!c)
        return;
    free(c->own);
    c->own = NULL;
}

/* xlsx_cell: a number cell as the text a seller sees in Excel (SPEC 1.2): the number as
 * stored, except a date (by the cell's number format) as an ISO date, a code whose format
 * is all zeros (00000) padded to that width, and more than 15 significant digits rounded
 * to 15 as Excel shows them. Decimal text in, decimal text out: no float formatting ever
 * touches a number that is not a date. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record_int.h"

#define XC_DIGITS     15            /* what Excel keeps of a number */
#define XC_MAX_SERIAL 2958465.99999 /* 9999-12-31 23:59:59: Excel's last day */

/* A decimal number split into its parts: v = sign digits[0..n) x 10^(exp - n). */
struct dec {
    int neg;
    char d[400];
    int n;    /* significant digits, no leading zeros */
    long exp; /* the decimal point's place: digits before it */
    int sci;  /* written with an exponent */
};

/* Parses s (-?digits[.digits][E[+-]digits]); 0, or -1 when it is not such a number. */
static int dec_parse(const char *s, struct dec *x)
{
    const char *p = s;
    long before = -1, z = 0, ndig = 0;
    memset(x, 0, sizeof *x);
    x->neg = *p == '-';
    p += *p == '-';
    for (; (*p >= '0' && *p <= '9') || (*p == '.' && before < 0); p++) {
        if (*p == '.') {
            before = ndig;
            continue;
        }
        ndig++;
        if (x->n == 0 && *p == '0') {
            z++; /* a leading zero: not significant */
            continue;
        }
        if (x->n == (int)sizeof x->d)
            return -1;
        x->d[x->n++] = *p;
    }
    if (ndig == 0)
        return -1;
    if (before < 0)
        before = ndig;
    x->exp = x->n ? before - z : 0;
    if (*p == 'e' || *p == 'E') {
        char *end;
        long ex = strtol(p + 1, &end, 10);
        if (end == p + 1 || ex > 400 || ex < -400)
            return -1;
        x->exp += ex;
        x->sci = 1;
        p = end;
    }
    return *p ? -1 : 0;
}

/* Rounds x to XC_DIGITS significant digits, half away from zero (as Excel). */
static void dec_round(struct dec *x)
{
    if (x->n <= XC_DIGITS)
        return;
    int up = x->d[XC_DIGITS] >= '5';
    x->n = XC_DIGITS;
    for (int k = XC_DIGITS - 1; up && k >= 0; k--) {
        if (x->d[k] == '9') {
            x->d[k] = '0';
        } else {
            x->d[k]++;
            up = 0;
        }
    }
    if (up) { /* 999... -> 1000...: one more digit before the point */
        memmove(x->d + 1, x->d, (size_t)x->n - 1);
        x->d[0] = '1';
        x->exp++;
    }
    while (x->n > 1 && x->d[x->n - 1] == '0')
        x->n--;
}

static void dec_put(struct rbuf *out, const struct dec *x)
{
    if (x->n == 0) {
        rbuf_addc(out, '0');
        return;
    }
    if (x->neg)
        rbuf_addc(out, '-');
    if (x->sci) { /* d.dddE+XX, as Excel writes large and small numbers */
        rbuf_addc(out, x->d[0]);
        if (x->n > 1) {
            rbuf_addc(out, '.');
            rbuf_add(out, x->d + 1, (size_t)x->n - 1);
        }
        char ex[24];
        snprintf(ex, sizeof ex, "E%c%02ld", x->exp - 1 < 0 ? '-' : '+', labs(x->exp - 1));
        rbuf_adds(out, ex);
        return;
    }
    if (x->exp <= 0) {
        rbuf_adds(out, "0.");
        for (long k = x->exp; k < 0; k++)
            rbuf_addc(out, '0');
        rbuf_add(out, x->d, (size_t)x->n);
        return;
    }
    for (long k = 0; k < x->exp; k++)
        rbuf_addc(out, k < x->n ? x->d[k] : '0');
    if (x->n > x->exp) {
        rbuf_addc(out, '.');
        rbuf_add(out, x->d + x->exp, (size_t)(x->n - x->exp));
    }
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static void civil(long z, long *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static void put_date(struct rbuf *out, long days, int date1904)
{
    char buf[32];
    long y;
    int m, d;
    if (date1904) {
        civil(days - 24107, &y, &m, &d); /* 1904-01-01 is day 0 */
    } else if (days == 0 || days == 60) {
        /* Excel's day 0 and its 1900-02-29 (Lotus 1-2-3's leap year): shown as Excel does. */
        snprintf(buf, sizeof buf, "1900-%s", days ? "02-29" : "01-00");
        rbuf_adds(out, buf);
        return;
    } else {
        civil(days - 25569 + (days < 60), &y, &m, &d); /* 1899-12-30 + days after the 29th */
    }
    snprintf(buf, sizeof buf, "%04ld-%02d-%02d", y, m, d);
    rbuf_adds(out, buf);
}

static void put_time(struct rbuf *out, long long secs, int show_secs)
{
    char buf[48];
    int n = snprintf(buf, sizeof buf, "%02lld:%02lld", secs / 3600, secs / 60 % 60);
    if (show_secs)
        snprintf(buf + n, sizeof buf - (size_t)n, ":%02lld", secs % 60);
    rbuf_adds(out, buf);
}

int xc_number(struct rbuf *out, const char *v, const struct xf *f, int date1904)
{
    struct dec x;
    if (dec_parse(v, &x) < 0)
        return -1;
    if (f && f->kind >= XF_DATE) {
        double serial = strtod(v, NULL);
        if (serial >= 0 && serial <= XC_MAX_SERIAL) {
            long long total =
                (long long)(serial * 86400.0 + 0.5); /* to the second, as Excel shows */
            long days = (long)(total / 86400);
            long long secs = total % 86400;
            if (f->kind == XF_TIME) {
                put_time(out, f->elapsed ? total : secs, f->secs);
                return 0;
            }
            put_date(out, days, date1904);
            if (f->kind == XF_DATETIME) {
                rbuf_addc(out, ' ');
                put_time(out, secs, f->secs);
            }
            return 0;
        }
    }
    if (f && f->kind == XF_PAD && !x.sci && x.exp >= x.n && x.exp < f->width) {
        /* A whole number shown through 00000: the code it is (3 -> 00003). */
        if (x.neg)
            rbuf_addc(out, '-');
        for (long k = x.exp; k < f->width; k++)
            rbuf_addc(out, '0');
        x.neg = 0;
        if (x.n == 0)
            return 0;
        dec_put(out, &x);
        return 0;
    }
    if (x.n <= XC_DIGITS) {
        rbuf_adds(out, v); /* as stored */
        return 0;
    }
    dec_round(&x);
    dec_put(out, &x);
    return 0;
}

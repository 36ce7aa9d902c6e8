/* coupon_slot: the pure parts of a push (SPEC 4) -- QSM's send slots (R-CPN-4), the
 * calendar week of a push (R-CPN-5), the items shown (R-CPN-7), the banner's header and
 * link (R-CPN-8). Qoo10's rules are in Japan time (Asia/Tokyo: UTC+9, no DST), whatever
 * zone the seller works in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coupon.h"
#include "../xalloc.h"

#define JST (9 * 3600L)
#define DAY 86400L

/* Days since 1970-01-01 in Japan of t. */
static long jst_day(time_t t)
{
    long long s = (long long)t + JST;
    return (long)(s >= 0 ? s / DAY : -((-s + DAY - 1) / DAY));
}

/* The instant of minute m (0..1439) on Japanese day d. */
static time_t jst_at(long d, long m)
{
    return (time_t)(d * DAY + m * 60 - JST);
}

static void jst_date(long d, char *buf, size_t size)
{
    time_t t = (time_t)(d * DAY);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d", &tm);
}

long coupon_week(time_t t)
{
    /* 1970-01-01 was a Thursday: day 4 is the first Monday. */
    long d = jst_day(t) + 3;
    return d >= 0 ? d / 7 : -((-d + 6) / 7);
}

time_t coupon_apply_by(time_t at)
{
    /* R-CPN-4: 23:59 JST on the day before the send date. */
    return jst_at(jst_day(at) - 1, 23 * 60 + 59);
}

size_t coupon_slots(time_t now, time_t *out, size_t n)
{
    size_t k = 0;
    long today = jst_day(now);
    /* R-CPN-4: D+1 .. D+3, 10:00 .. 22:00 every 30 minutes (QSM's pickers). */
    for (long d = today + 1; d <= today + COUPON_SLOT_DAYS; d++)
        for (long m = 10 * 60; m <= 22 * 60; m += 30, k++)
            if (k < n)
                out[k] = jst_at(d, m);
    return k;
}

void coupon_slot_allowed(time_t now, char *buf, size_t size)
{
    char a[16], b[16];
    long today = jst_day(now);
    jst_date(today + 1, a, sizeof a);
    jst_date(today + COUPON_SLOT_DAYS, b, sizeof b);
    snprintf(buf, size,
             "choose a date from %s to %s, at 10:00 to 22:00 in 30-minute steps "
             "(Asia/Tokyo)",
             a, b);
}

int coupon_slot_check(time_t at, time_t now, char *why, size_t size)
{
    long d = jst_day(at), today = jst_day(now);
    long long m = ((long long)at + JST) - (long long)d * DAY; /* seconds into the day */
    char allowed[160], when[32];
    const char *what = NULL;

    if (d <= today)
        what = "is not after today";
    else if (d > today + COUPON_SLOT_DAYS)
        what = "is more than 3 days ahead";
    else if (m % 1800 != 0 || m < 10 * 3600 || m > 22 * 3600)
        what = "is not one of QSM's send times";
    if (!what)
        return 0;
    coupon_jst_format(at, when, sizeof when);
    coupon_slot_allowed(now, allowed, sizeof allowed);
    snprintf(why, size, "send time %s (Asia/Tokyo) %s; %s", when, what, allowed);
    return -1;
}

char *coupon_jst_format(time_t t, char *buf, size_t size)
{
    time_t j = (time_t)((long long)t + JST);
    struct tm tm;
    gmtime_r(&j, &tm);
    if (strftime(buf, size, "%Y-%m-%d %H:%M", &tm) == 0 && size)
        buf[0] = '\0';
    return buf;
}

/* ---- items (R-CPN-7) ---- */

void coupon_items_clear(struct coupon_items *it)
{
    if (!it)
        return;
    for (size_t i = 0; i < it->n; i++)
        free(it->codes[i]);
    free(it->codes);
    memset(it, 0, sizeof *it);
}

int coupon_items_parse(const char *s, struct coupon_items *it, char *why, size_t size)
{
    memset(it, 0, sizeof *it);
    if (!s || !*s) {
        it->top = COUPON_TOP_DEFAULT;
        return 0;
    }
    if (strncmp(s, "top:", 4) == 0) {
        char *end;
        long n = strtol(s + 4, &end, 10);
        if (end == s + 4 || *end || n < COUPON_TOP_MIN || n > COUPON_TOP_MAX) {
            snprintf(why, size, "items \"%s\" are not top:N with N from %d to %d", s,
                     COUPON_TOP_MIN, COUPON_TOP_MAX);
            return -1;
        }
        it->top = (int)n;
        return 0;
    }
    for (const char *p = s;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 0) {
            snprintf(why, size,
                     "items \"%s\" have an empty item code; give top:N (%d to %d) "
                     "or 1 to %d item codes separated by commas",
                     s, COUPON_TOP_MIN, COUPON_TOP_MAX, COUPON_ITEMS_MAX);
            coupon_items_clear(it);
            return -1;
        }
        if (it->n == COUPON_ITEMS_MAX) {
            snprintf(why, size, "items \"%s\" are more than %d item codes; give 1 to %d", s,
                     COUPON_ITEMS_MAX, COUPON_ITEMS_MAX);
            coupon_items_clear(it);
            return -1;
        }
        it->codes = xrealloc(it->codes, (it->n + 1) * sizeof *it->codes);
        it->codes[it->n++] = xstrndup(p, len);
        if (!c)
            break;
        p = c + 1;
    }
    return 0;
}

/* ---- banner (R-CPN-8) ---- */

static unsigned be32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

int coupon_image_size(const unsigned char *b, size_t n, const char **type, unsigned *w, unsigned *h)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n >= 24 && memcmp(b, png, 8) == 0 && memcmp(b + 12, "IHDR", 4) == 0) {
        *type = "png";
        *w = be32(b + 16);
        *h = be32(b + 20);
        return 0;
    }
    if (n >= 4 && b[0] == 0xff && b[1] == 0xd8) {
        size_t i = 2;
        while (i + 4 <= n) {
            unsigned m;
            size_t len;
            if (b[i] != 0xff)
                return -1;
            while (i < n && b[i] == 0xff) /* fill bytes */
                i++;
            if (i >= n)
                return -1;
            m = b[i++];
            if (m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7))
                continue; /* markers without a length */
            if (m == 0xd9 || m == 0xda || i + 2 > n)
                return -1; /* end of image or start of scan before any frame */
            len = (size_t)b[i] << 8 | b[i + 1];
            /* SOF0..SOF15 but DHT (c4), JPG (c8) and DAC (cc) */
            if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
                if (i + 7 > n || len < 7)
                    return -1;
                *type = "jpeg";
                *h = (unsigned)b[i + 3] << 8 | b[i + 4];
                *w = (unsigned)b[i + 5] << 8 | b[i + 6];
                return 0;
            }
            if (len < 2)
                return -1;
            i += len;
        }
    }
    return -1;
}

int coupon_link_parse(const char *s, struct coupon_link *l, char *why, size_t size)
{
    memset(l, 0, sizeof *l);
    if (s && strcmp(s, "shop") == 0) {
        l->kind = "shop";
        l->target = "";
        return 0;
    }
    if (s && strncmp(s, "item:", 5) == 0 && s[5]) {
        l->kind = "item";
        l->target = s + 5;
        return 0;
    }
    if (s && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) &&
        s[strcspn(s, " \t\r\n")] == '\0' && strlen(s) > (s[4] == 's' ? 8u : 7u)) {
        l->kind = "url";
        l->target = s;
        return 0;
    }
    snprintf(why, size, "link \"%s\" is not shop, item:CODE or an http(s) URL", s ? s : "");
    return -1;
}

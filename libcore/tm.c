/* tm: SPEC 1.5 -- times are stored UTC and read and printed in any IANA zone.
 *
 * Reading a local time applies the zone by pointing TZ at its TZif file for the length
 * of one call and restoring the caller's TZ afterwards (tm_zone_enter, tm_zone_leave);
 * printing one looks the offset up in the zone's table (tm_zone.c), which a caller that
 * prints many times resolves once (tm_zone_open). */
#include "tm.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_zone.h"

#define TM_FORMS      "YYYY-MM-DD HH:MM[:SS], YYYY-MM-DD, HH:MM[:SS], ISO-8601 with Z or +HH:MM, or now"
#define TM_JST_OFFSET (9 * 3600L)
#define TM_MAX_OFFSET (18 * 3600L)

/* Fields read from user or QAPI input, before any range check. */
struct tm_fields {
    int year, mon, day, hour, min, sec;
    int has_date, has_off;
    long off; /* seconds east of UTC, when has_off */
};

/* UTC offset in force at t (zone in scope). */
static long off_at(time_t t)
{
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return 0;
    return tm.tm_gmtoff;
}

/* The wall-clock fields read as if they were UTC. timegm normalises overflowing
 * fields (day 32 is the 1st of the next month), which "tomorrow" relies on. */
static time_t civil_naive(int year, int mon, int day, int hour, int min, int sec)
{
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    return timegm(&tm);
}

/* Local wall time (as civil_naive) in the zone in scope -> UTC. mktime's choice in
 * gaps and overlaps varies, so the candidates are computed here: t = naive - o for
 * every offset o in force within two days of the wall time; t is real when the
 * offset at t is o. */
static time_t local_to_utc(time_t naive)
{
    long offs[17];
    int n = 0;
    for (int k = -8; k <= 8; k++) {
        long o = off_at(naive + (time_t)k * 6 * 3600);
        int seen = 0;
        for (int i = 0; i < n; i++)
            seen |= offs[i] == o;
        if (!seen)
            offs[n++] = o;
    }
    time_t best = 0;
    int found = 0;
    /* Overlap (e.g. 01:30 on a fall-back night): the earlier instant. */
    for (int i = 0; i < n; i++) {
        time_t t = naive - offs[i];
        if (off_at(t) == offs[i] && (!found || t < best)) {
            best = t;
            found = 1;
        }
    }
    if (found)
        return best;
    /* Gap (e.g. 02:30 on a spring-forward night): read the wall time with the offset
     * before the change, which lands after it, i.e. moved forward by the gap. */
    for (int i = 0; i < n; i++) {
        time_t t = naive - offs[i];
        if (off_at(t) > offs[i] && (!found || t < best)) {
            best = t;
            found = 1;
        }
    }
    return found ? best : naive - off_at(naive);
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/* Range check; on failure writes the reason into why and returns -1. */
static int check_fields(int year, int mon, int day, int hour, int min, int sec, char *why,
                        size_t wsz)
{
    if (year < 1900 || year > 9999)
        snprintf(why, wsz, "year %d is out of range (1900-9999)", year);
    else if (mon < 1 || mon > 12)
        snprintf(why, wsz, "month %02d is out of range (01-12)", mon);
    else if (day < 1 || day > days_in_month(year, mon))
        snprintf(why, wsz, "day %02d is out of range for %04d-%02d (01-%02d)", day, year, mon,
                 days_in_month(year, mon));
    else if (hour < 0 || hour > 23)
        snprintf(why, wsz, "hour %02d is out of range (00-23)", hour);
    else if (min < 0 || min > 59)
        snprintf(why, wsz, "minute %02d is out of range (00-59)", min);
    else if (sec < 0 || sec > 59)
        snprintf(why, wsz, "second %02d is out of range (00-59)", sec);
    else
        return 0;
    return -1;
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return 0;
        x = x * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *v = x;
    return 1;
}

/* "H:MM[:SS]" or "HH:MM[:SS]". */
static int parse_clock(const char **pp, struct tm_fields *f)
{
    const char *p = *pp;
    if (!digits(&p, 1, &f->hour))
        return 0;
    if (isdigit((unsigned char)*p))
        f->hour = f->hour * 10 + (*p++ - '0');
    if (*p++ != ':' || !digits(&p, 2, &f->min))
        return 0;
    if (*p == ':') {
        p++;
        if (!digits(&p, 2, &f->sec))
            return 0;
    }
    *pp = p;
    return 1;
}

/* "Z", "+HH", "+HHMM", "+HH:MM" (or '-'), optionally after one space, to the end. */
static int parse_offset(const char *p, struct tm_fields *f, char *why, size_t wsz)
{
    int hh = 0, mm = 0;
    if (*p == ' ')
        p++;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        f->has_off = 1;
        f->off = 0;
        return 0;
    }
    if (*p != '+' && *p != '-')
        return -1;
    int sign = *p++ == '-' ? -1 : 1;
    if (!digits(&p, 2, &hh))
        return -1;
    if (*p == ':')
        p++;
    if (*p && !digits(&p, 2, &mm))
        return -1;
    if (*p)
        return -1;
    if (mm > 59 || hh * 3600L + mm * 60L > TM_MAX_OFFSET) {
        snprintf(why, wsz, "offset %c%02d:%02d is out of range (-18:00 to +18:00)",
                 sign < 0 ? '-' : '+', hh, mm);
        return -2;
    }
    f->has_off = 1;
    f->off = sign * (hh * 3600L + mm * 60L);
    return 0;
}

/* Reads the syntax of a tm_parse input (everything but "now"). */
static int parse_user(const char *s, struct tm_fields *f, char *why, size_t wsz)
{
    const char *p = s;
    memset(f, 0, sizeof *f);
    if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
        isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) && p[4] == '-') {
        digits(&p, 4, &f->year);
        p++;
        if (!digits(&p, 2, &f->mon) || *p++ != '-' || !digits(&p, 2, &f->day)) {
            snprintf(why, wsz, "the date is not YYYY-MM-DD");
            return -1;
        }
        f->has_date = 1;
        if (*p == '\0')
            return 0;
        if (*p != ' ' && *p != 'T' && *p != 't') {
            snprintf(why, wsz, "unexpected '%.20s' after the date", p);
            return -1;
        }
        p++;
        if (!parse_clock(&p, f)) {
            snprintf(why, wsz, "the time of day is not HH:MM[:SS]");
            return -1;
        }
        if (*p == '.' && isdigit((unsigned char)p[1])) /* fraction of a second: dropped */
            for (p++; isdigit((unsigned char)*p); p++)
                ;
        if (*p == '\0')
            return 0;
        int rc = parse_offset(p, f, why, wsz);
        if (rc == -1)
            snprintf(why, wsz, "unexpected '%.20s' after the time", p);
        return rc < 0 ? -1 : 0;
    }
    if (!parse_clock(&p, f)) {
        snprintf(why, wsz, "not a date or time");
        return -1;
    }
    if (*p) {
        snprintf(why, wsz, "unexpected '%.20s' after the time", p);
        return -1;
    }
    return 0;
}

int tm_from_local(int year, int mon, int day, int hour, int min, int sec, const char *tz,
                  time_t *out, struct qs_err *e)
{
    char why[128];
    struct tm_zone_scope sc;
    if (check_fields(year, mon, day, hour, min, sec, why, sizeof why) < 0)
        return err_set(e, QS_E_USAGE, NULL, "invalid time: %s", why);
    if (tm_zone_enter(&sc, tz) < 0)
        return err_set(e, QS_E_USAGE, NULL,
                       "unknown time zone '%.64s'; use an IANA name such as Asia/Tokyo or UTC",
                       tz ? tz : "");
    *out = local_to_utc(civil_naive(year, mon, day, hour, min, sec));
    tm_zone_leave(&sc);
    return 0;
}

int tm_parse(const char *s, const char *tz, time_t now, time_t *out, struct qs_err *e)
{
    /* SPEC 1.5: HH:MM is today, or tomorrow if already past; the current minute is today. */
    return tm_parse_after(s, tz, now, now - ((now % 60) + 60) % 60, out, NULL, e);
}

int tm_parse_after(const char *s, const char *tz, time_t now, time_t not_before, time_t *out,
                   int *clock, struct qs_err *e)
{
    char why[128];
    struct tm_fields f;
    struct tm_zone_scope sc;
    struct tm lt;

    if (clock)
        *clock = TM_NOT_CLOCK;
    if (!s)
        s = "";
    if (strcmp(s, "now") == 0) {
        *out = now;
        return 0;
    }
    if (parse_user(s, &f, why, sizeof why) < 0)
        goto bad;
    if (f.has_date) {
        if (check_fields(f.year, f.mon, f.day, f.hour, f.min, f.sec, why, sizeof why) < 0)
            goto bad;
    } else if (check_fields(2000, 1, 1, f.hour, f.min, f.sec, why, sizeof why) < 0) {
        goto bad;
    }
    if (f.has_off) {
        *out = civil_naive(f.year, f.mon, f.day, f.hour, f.min, f.sec) - f.off;
        return 0;
    }
    if (tm_zone_enter(&sc, tz) < 0)
        return err_set(e, QS_E_USAGE, NULL,
                       "unknown time zone '%.64s'; use an IANA name such as Asia/Tokyo or UTC",
                       tz ? tz : "");
    if (f.has_date) {
        *out = local_to_utc(civil_naive(f.year, f.mon, f.day, f.hour, f.min, f.sec));
    } else if (!localtime_r(&not_before, &lt)) {
        tm_zone_leave(&sc);
        snprintf(why, sizeof why, "the current date is out of range");
        goto bad;
    } else {
        /* A time of day alone: on the date of not_before in tz, or the next day when that
         * instant comes before not_before. */
        int y = lt.tm_year + 1900, mo = lt.tm_mon + 1, d = lt.tm_mday;
        time_t t = local_to_utc(civil_naive(y, mo, d, f.hour, f.min, f.sec));
        int next = t < not_before;
        if (next)
            t = local_to_utc(civil_naive(y, mo, d + 1, f.hour, f.min, f.sec));
        *out = t;
        if (clock)
            *clock = next ? TM_CLOCK_NEXT_DAY : TM_CLOCK_SAME_DAY;
    }
    tm_zone_leave(&sc);
    return 0;
bad:
    return err_set(e, QS_E_USAGE, NULL, "invalid time '%.64s': %s; use %s", s, why, TM_FORMS);
}

char *tm_utc_iso(time_t t, char *buf, size_t size)
{
    struct tm tm;
    if (size == 0)
        return buf;
    if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        buf[0] = '\0';
    return buf;
}

int tm_parse_utc_iso(const char *s, time_t *out)
{
    struct tm_fields f = {0};
    const char *p = s;
    char why[128];
    if (!s || strlen(s) != 20)
        return -1;
    if (!digits(&p, 4, &f.year) || *p++ != '-' || !digits(&p, 2, &f.mon) || *p++ != '-' ||
        !digits(&p, 2, &f.day) || *p++ != 'T' || !digits(&p, 2, &f.hour) || *p++ != ':' ||
        !digits(&p, 2, &f.min) || *p++ != ':' || !digits(&p, 2, &f.sec) || *p != 'Z')
        return -1;
    if (check_fields(f.year, f.mon, f.day, f.hour, f.min, f.sec, why, sizeof why) < 0)
        return -1;
    *out = civil_naive(f.year, f.mon, f.day, f.hour, f.min, f.sec);
    return 0;
}

int tm_zone_format(const struct tm_zone *z, time_t t, int with_offset, char *buf, size_t size)
{
    struct tm tm;
    int n;
    if (size > 0)
        buf[0] = '\0';
    if (tm_zone_local(z, t, &tm) < 0)
        return -1;
    n = snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (n > 0 && (size_t)n < size && with_offset) {
        long off = tm.tm_gmtoff, a = off < 0 ? -off : off;
        int m = snprintf(buf + n, size - (size_t)n, " %c%02ld:%02ld", off < 0 ? '-' : '+', a / 3600,
                         a / 60 % 60);
        n = m < 0 ? m : n + m;
    }
    if (n < 0 || (size_t)n >= size) {
        if (size > 0)
            buf[0] = '\0';
        return -1;
    }
    return 0;
}

/* The zone tm_format used last, kept for its next call: a caller that prints a date per
 * line in one zone (qs note send's {order_time}) read and parsed the zone file once per
 * line (10,000 opens for 10,000 notes). qs is one thread. */
static struct tm_zone *last_zone;

int tm_format(time_t t, const char *tz, int with_offset, char *buf, size_t size)
{
    struct qs_err e;
    if (size > 0)
        buf[0] = '\0';
    if (!last_zone || !tz || strcmp(tm_zone_name(last_zone), tz) != 0) {
        struct tm_zone *z;
        if (tm_zone_open(tz, &z, &e) < 0)
            return -1;
        tm_zone_free(last_zone);
        last_zone = z;
    }
    return tm_zone_format(last_zone, t, with_offset, buf, size);
}

int tm_parse_jst(const char *s, time_t *out)
{
    struct tm_fields f = {0};
    const char *p = s;
    char why[128];
    if (!s || !*s || !digits(&p, 4, &f.year))
        return -1;
    if (*p == '-' || *p == '/') {
        char sep = *p++;
        if (!digits(&p, 2, &f.mon) || *p++ != sep || !digits(&p, 2, &f.day))
            return -1;
        if (*p == ' ') {
            p++;
            if (!digits(&p, 2, &f.hour) || *p++ != ':' || !digits(&p, 2, &f.min) || *p++ != ':' ||
                !digits(&p, 2, &f.sec))
                return -1;
            if (*p == '.' && isdigit((unsigned char)p[1]))
                for (p++; isdigit((unsigned char)*p); p++)
                    ;
        }
    } else {
        if (!digits(&p, 2, &f.mon) || !digits(&p, 2, &f.day))
            return -1;
        if (*p && (!digits(&p, 2, &f.hour) || !digits(&p, 2, &f.min) || !digits(&p, 2, &f.sec)))
            return -1;
    }
    if (*p || check_fields(f.year, f.mon, f.day, f.hour, f.min, f.sec, why, sizeof why) < 0)
        return -1;
    *out = civil_naive(f.year, f.mon, f.day, f.hour, f.min, f.sec) - TM_JST_OFFSET;
    return 0;
}

char *tm_format_jst(time_t t, const char *fmt, char *buf, size_t size)
{
    struct tm tm;
    time_t local = t + TM_JST_OFFSET;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    /* Japan has no DST: shift and format as UTC, labelled JST, without touching TZ. */
    if (!fmt || !gmtime_r(&local, &tm))
        return buf;
    tm.tm_isdst = 0;
    tm.tm_gmtoff = TM_JST_OFFSET;
    tm.tm_zone = "JST";
    if (strftime(buf, size, fmt, &tm) == 0)
        buf[0] = '\0';
    return buf;
}

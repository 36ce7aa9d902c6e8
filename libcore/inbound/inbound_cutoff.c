/* inbound_cutoff: Japanese public holidays, warehouse days and the cut-offs of R-INB-7 --
 * pure functions of days (see inbound_cutoff.h for the law they follow). */
#include <stdio.h>
#include <string.h>

#include "inbound_cutoff.h"

const char *const inbound_closure_words[2] = {"closed", "may-be-late"};

/* Days from civil (H. Hinnant's algorithm, proleptic Gregorian). */
long inbound_day(int y, int m, int d)
{
    long yy = y - (m <= 2);
    long era = (yy >= 0 ? yy : yy - 399) / 400;
    long yoe = yy - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void inbound_ymd(long day, int *y, int *m, int *d)
{
    long z = day + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int inbound_weekday(long day)
{
    long w = (day + 4) % 7; /* 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

long inbound_day_of(time_t t, long *sec)
{
    long long j = (long long)t + INBOUND_JST_OFFSET;
    long long day = j >= 0 ? j / 86400 : -((-j + 86399) / 86400);
    if (sec)
        *sec = (long)(j - day * 86400);
    return (long)day;
}

char *inbound_day_format(long day, char *buf, size_t size)
{
    int y, m, d;
    inbound_ymd(day, &y, &m, &d);
    snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
    return buf;
}

int inbound_day_parse(const char *s, long *day)
{
    int y, m, d, n = 0, y2, m2, d2;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        s[4] != '-' || s[7] != '-' || y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    *day = inbound_day(y, m, d);
    inbound_ymd(*day, &y2, &m2, &d2);
    return y2 == y && m2 == m && d2 == d ? 0 : -1; /* 02-30 is no date */
}

/* The day of month of the n-th Monday of y-m. */
static int nth_monday(int y, int m, int n)
{
    int w = inbound_weekday(inbound_day(y, m, 1));
    return 1 + (8 - w) % 7 + 7 * (n - 1);
}

/* The equinoxes, 1980-2099 (see the header). */
static int equinox(int y, double base)
{
    int k = y - 1980;
    int fl = k >= 0 ? k / 4 : -((-k + 3) / 4);
    return (int)(base + 0.242194 * k - fl);
}

/* The holidays the law names by date (not the substitute and citizens' ones). */
static const char *national(long day)
{
    int y, m, d;
    inbound_ymd(day, &y, &m, &d);
    switch (m) {
    case 1:
        return d == 1 ? "元日" : d == nth_monday(y, 1, 2) ? "成人の日" : NULL;
    case 2:
        return d == 11 ? "建国記念の日" : d == 23 ? "天皇誕生日" : NULL;
    case 3:
        return d == equinox(y, 20.8431) ? "春分の日" : NULL;
    case 4:
        return d == 29 ? "昭和の日" : NULL;
    case 5:
        return d == 3 ? "憲法記念日" : d == 4 ? "みどりの日" : d == 5 ? "こどもの日" : NULL;
    case 7:
        return d == nth_monday(y, 7, 3) ? "海の日" : NULL;
    case 8:
        return d == 11 ? "山の日" : NULL;
    case 9:
        return d == nth_monday(y, 9, 3) ? "敬老の日" : d == equinox(y, 23.2488) ? "秋分の日" : NULL;
    case 10:
        return d == nth_monday(y, 10, 2) ? "スポーツの日" : NULL;
    case 11:
        return d == 3 ? "文化の日" : d == 23 ? "勤労感謝の日" : NULL;
    default:
        return NULL;
    }
}

const char *inbound_holiday(long day)
{
    const char *n = national(day);
    if (n)
        return n;
    /* 振替休日: the first day after a Sunday holiday that is no holiday itself */
    for (long k = day - 1; national(k); k--)
        if (inbound_weekday(k) == 0)
            return "振替休日";
    /* 国民の休日: a day between two holidays */
    if (national(day - 1) && national(day + 1))
        return "国民の休日";
    return NULL;
}

/* The entry of kind covering day, or NULL. */
static const struct inbound_closure *entry(const struct inbound_cal *c, long day,
                                           enum inbound_closure_kind kind)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (c->v[i].kind == kind && c->v[i].from <= day && day <= c->v[i].until)
            return &c->v[i];
    return NULL;
}

int inbound_warehouse_day(const struct inbound_cal *c, long day, const char **why)
{
    const struct inbound_closure *cl;
    const char *w = NULL;
    int wd = inbound_weekday(day);
    if (wd == 0 || wd == 6)
        w = wd == 0 ? "sunday" : "saturday";
    else if (!(w = inbound_holiday(day)) && (cl = entry(c, day, INBOUND_CLOSED)))
        w = cl->note && *cl->note ? cl->note : "closed";
    if (why)
        *why = w;
    return w == NULL;
}

long inbound_next_warehouse_day(const struct inbound_cal *c, long day)
{
    for (long d = day; d < day + 3653; d++)
        if (inbound_warehouse_day(c, d, NULL))
            return d;
    return INBOUND_NO_DAY;
}

int inbound_may_be_late(const struct inbound_cal *c, long day, const char **why)
{
    const struct inbound_closure *cl = entry(c, day, INBOUND_MAY_BE_LATE);
    const char *w = NULL;
    int y, m, d;
    if (cl)
        w = cl->note && *cl->note ? cl->note : "may-be-late";
    else if (!c || !c->no_defaults) {
        inbound_ymd(day, &y, &m, &d);
        if ((m == 12 && d >= 28) || (m == 1 && d <= 4))
            w = "year-end";
    }
    if (why)
        *why = w;
    return w != NULL;
}

/* The day of t when t's day is a warehouse day and t is before cutoff, else the next. */
static long cutoff(const struct inbound_cal *c, time_t t, long cut)
{
    long sec, day = inbound_day_of(t, &sec);
    if (sec < cut && inbound_warehouse_day(c, day, NULL))
        return day;
    return inbound_next_warehouse_day(c, day + 1);
}

long inbound_ship_day_other(const struct inbound_cal *c, time_t t)
{
    return cutoff(c, t, INBOUND_OTHER_CUTOFF); /* R-INB-7 */
}

long inbound_ship_day_qoo10(const struct inbound_cal *c, time_t paid, long ship_day, int long_lead)
{
    long day;
    /* R-INB-7: items set to ship within 14 days get no same-day estimate */
    if (long_lead)
        return ship_day == INBOUND_NO_DAY ? INBOUND_NO_DAY
                                          : inbound_next_warehouse_day(c, ship_day);
    day = cutoff(c, paid, INBOUND_QOO10_CUTOFF);
    if (ship_day != INBOUND_NO_DAY && day != INBOUND_NO_DAY && ship_day > day)
        day = inbound_next_warehouse_day(c, ship_day);
    return day;
}

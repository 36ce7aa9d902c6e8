/* stock_fee: the storage fee of R-STK-8 as pure functions -- the fee of one option and
 * month, calendar months in Asia/Tokyo (UTC+9 all year: Japan keeps no summer time) and
 * the forecast's projection. The store's side is stock_fee_store.c. */
#include <stdio.h>
#include <string.h>

#include "stock_fee.h"

#define JST_OFFSET (9 * 3600)

const char *const stock_fee_reasons[] = {
    "shipped fewer than 10",
    "shipped 10 or more",
    "month of the first inbound",
    "nothing on hand",
};

long long stock_fee_of(long long shipped, long long on_hand, int first_inbound,
                       enum stock_fee_reason *why)
{
    enum stock_fee_reason r;
    long long fee = 0;
    /* R-STK-8: no fee in the month of the first completed inbound (入库当月不产生仓储费). */
    if (first_inbound)
        r = STOCK_FEE_FIRST_INBOUND;
    else if (shipped >= STOCK_FEE_MIN_SHIPPED)
        r = STOCK_FEE_SHIPPED;
    else if (on_hand <= 0)
        r = STOCK_FEE_NONE_ON_HAND;
    else {
        /* R-STK-8: fewer than 10 shipped: 30 JPY per piece left (5 shipped, 20 left: 600). */
        r = STOCK_FEE_CHARGED;
        fee = on_hand * STOCK_FEE_PER_PIECE;
    }
    if (why)
        *why = r;
    return fee;
}

int stock_month_parse(const char *s, struct stock_month *m)
{
    int y, mo, n = 0;
    if (!s || strlen(s) != 7 || s[4] != '-' || sscanf(s, "%4d-%2d%n", &y, &mo, &n) != 2 || n != 7)
        return -1;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return -1;
    if (y < 2000 || y > 2999 || mo < 1 || mo > 12)
        return -1;
    m->year = y;
    m->mon = mo;
    return 0;
}

char *stock_month_format(struct stock_month m, char *buf, size_t size)
{
    snprintf(buf, size, "%04d-%02d", m.year, m.mon);
    return buf;
}

struct stock_month stock_month_of(time_t t)
{
    time_t j = t + JST_OFFSET;
    struct tm tm;
    gmtime_r(&j, &tm);
    return (struct stock_month){tm.tm_year + 1900, tm.tm_mon + 1};
}

struct stock_month stock_month_add(struct stock_month m, int n)
{
    long k = (long)m.year * 12 + (m.mon - 1) + n;
    return (struct stock_month){(int)(k / 12), (int)(k % 12) + 1};
}

int stock_month_cmp(struct stock_month a, struct stock_month b)
{
    long x = (long)a.year * 12 + a.mon, y = (long)b.year * 12 + b.mon;
    return x < y ? -1 : x > y;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's days_from_civil). */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void stock_month_bounds(struct stock_month m, time_t *from, time_t *to)
{
    struct stock_month n = stock_month_add(m, 1);
    *from = (time_t)(days_from_civil(m.year, m.mon, 1) * 86400 - JST_OFFSET);
    *to = (time_t)(days_from_civil(n.year, n.mon, 1) * 86400 - JST_OFFSET);
}

int stock_month_days(struct stock_month m)
{
    struct stock_month n = stock_month_add(m, 1);
    return (int)(days_from_civil(n.year, n.mon, 1) - days_from_civil(m.year, m.mon, 1));
}

long long stock_fee_project(long long shipped, int day, int days_in_month)
{
    if (day <= 0 || day >= days_in_month)
        return shipped;
    return shipped * days_in_month / day;
}

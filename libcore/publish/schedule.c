/* schedule: the pure time math of qs publish (R-PUB-2..5); see schedule.h. */
#include "publish.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tm.h"

void sched_at(time_t t, size_t n, time_t *out)
{
    /* R-PUB-2: one time for all selected. */
    for (size_t k = 0; k < n; k++)
        out[k] = t;
}

int sched_every(time_t from, long minutes, size_t n, time_t *out)
{
    /* R-PUB-3: the first at from, then one every minutes, in real elapsed time. */
    if (minutes < 1)
        return -1;
    if (n > 0 && (long long)(n - 1) * minutes > (long long)(LLONG_MAX - (long long)from) / 60)
        return -1;
    for (size_t k = 0; k < n; k++)
        out[k] = from + (time_t)((long long)k * minutes * 60);
    return 0;
}

int sched_spread(time_t from, time_t to, size_t n, time_t *out)
{
    /* R-PUB-4: the k-th (0-based) at from + k * (to - from) / n. */
    if (to <= from)
        return -1;
    long long span = (long long)(to - from);
    for (size_t k = 0; k < n; k++)
        out[k] = from + (time_t)((__int128)k * span / (long long)n);
    return 0;
}

int sched_is_past(time_t t, time_t now)
{
    /* R-PUB-5: the current minute is still "now". */
    time_t minute = now - (now % 60 + 60) % 60;
    return t < minute;
}

int sched_parse(const char *s, const char *tz, time_t now, const char *what, time_t *out,
                int *tomorrow, struct qs_err *e)
{
    char when[64], nowbuf[64];
    int rc, clock;

    /* SPEC 1.5: a time of day is today's, or tomorrow's when already past; the current
     * minute is today (R-PUB-5). */
    if ((rc = tm_parse_after(s, tz, now, now - (now % 60 + 60) % 60, out, &clock, e)) < 0)
        return rc;
    if (tomorrow)
        *tomorrow = clock == TM_CLOCK_NEXT_DAY;
    if (strcmp(s, "now") == 0 || !sched_is_past(*out, now))
        return 0;
    /* R-PUB-5: a time in the past is refused, except now. */
    if (tm_format(*out, tz, 1, when, sizeof when) < 0 ||
        tm_format(now, tz, 1, nowbuf, sizeof nowbuf) < 0)
        snprintf(when, sizeof when, "%s", s), nowbuf[0] = '\0';
    return err_set(e, QS_E_USAGE, "R-PUB-5",
                   "%s %s is in the past (%s in %s; it is %s now); give a later time or \"now\"",
                   what, s, when, tz, nowbuf);
}

int sched_window(const char *from, const char *to, const char *tz, time_t now, time_t *t_from,
                 time_t *t_to, int *tomorrow, struct qs_err *e)
{
    char a[64], b[64];
    int rc, clock;

    if ((rc = sched_parse(from, tz, now, "--from", t_from, tomorrow, e)) < 0)
        return rc;
    /* Issue 8 item 20: --to on the day of --from, the next day when not later (a window
     * across midnight) -- never a window that ends before it starts because --from alone
     * moved to tomorrow. */
    if ((rc = tm_parse_after(to, tz, now, *t_from + 1, t_to, &clock, e)) < 0)
        return rc;
    if (*t_to > *t_from)
        return 0;
    if (tm_format(*t_from, tz, 1, a, sizeof a) < 0 || tm_format(*t_to, tz, 1, b, sizeof b) < 0)
        a[0] = b[0] = '\0';
    return err_set(e, QS_E_USAGE, "R-PUB-4",
                   "--to %s (%s) is not after --from %s (%s); give a later end", to, b, from, a);
}

int sched_minutes(const char *s, long *out)
{
    char *end;
    long v;
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    v = strtol(s, &end, 10);
    if (*end || v < 1 || v > 10080)
        return -1;
    *out = v;
    return 0;
}

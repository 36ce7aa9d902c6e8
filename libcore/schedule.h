/* schedule: the pure time math of `qs publish at | every | spread` (SPEC 2.3, R-PUB-2..5).
 * Times are instants (time_t, UTC); a schedule is laid out in real elapsed time, so a
 * window or an interval that crosses a DST change lands on the right UTC instants
 * (01:00 to 04:00 in Los Angeles on the spring-forward night is two hours long). */
#ifndef QS_SCHEDULE_H
#define QS_SCHEDULE_H

#include <stddef.h>
#include <time.h>

#include "err.h"

/* R-PUB-2: n products at one time t: out[k] = t. */
void sched_at(time_t t, size_t n, time_t *out);
/* R-PUB-3: the first at from, then one every minutes minutes: out[k] = from + k * minutes
 * * 60. Returns 0, or -1 when minutes < 1 or the last time would overflow. */
int sched_every(time_t from, long minutes, size_t n, time_t *out);
/* R-PUB-4: n products evenly over [from, to): out[k] = from + k * (to - from) / n, rounded
 * down to the second (30 products over 60 minutes: one every 2 minutes). Returns 0, or -1
 * when to <= from. */
int sched_spread(time_t from, time_t to, size_t n, time_t *out);
/* R-PUB-5: 1 when t is in the past at now. The current minute counts as now: a time of
 * 10:00 given at 10:00:40 is not refused. */
int sched_is_past(time_t t, time_t now);
/* R-PUB-5: parses a time given by the seller (tm_parse forms, any IANA zone tz) and
 * refuses one in the past, except "now". what names the option in messages ("--from").
 * *tomorrow (may be NULL) gets 1 when s was a time of day already past today, so taken
 * tomorrow (the caller says so, issue 8 item 20). Returns 0 or QS_E_USAGE. */
int sched_parse(const char *s, const char *tz, time_t now, const char *what, time_t *out,
                int *tomorrow, struct qs_err *e);
/* R-PUB-4, issue 8 item 20: a window given as two times is one window. from is read as
 * sched_parse reads it (*tomorrow as there); a time of day alone as to is the first one
 * after from (so the window crosses midnight when it is not later on the clock: 23:00 to
 * 01:00), any other to must come after from. Returns 0 or QS_E_USAGE. */
int sched_window(const char *from, const char *to, const char *tz, time_t now, time_t *t_from,
                 time_t *t_to, int *tomorrow, struct qs_err *e);
/* Parses MINUTES of `every`: a whole number 1..10080 (a week). Returns 0 or -1. */
int sched_minutes(const char *s, long *out);

#endif

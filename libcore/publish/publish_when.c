/* publish_when: the times of qs publish at, every, spread and run --due-by, read from
 * their operands and options (R-PUB-3, R-PUB-4, R-PUB-5; issue 8 item 20), and the line
 * that says a time of day already past today was taken as tomorrow's (SPEC 1.5). */
#include <stdio.h>
#include <string.h>

#include "publish.h"
#include "../tm.h"
#include "../xalloc.h"

char *pub_tomorrow_note(const char *given, time_t at, time_t to, const char *tz, const char *what)
{
    char a[64], b[64];
    if (tm_format(at, tz, 0, a, sizeof a) < 0 || (to && tm_format(to, tz, 0, b, sizeof b) < 0))
        return NULL;
    /* The end's date only when it is not the start's. */
    return xasprintf("%s has passed today; %s tomorrow, %s%s%s (%s)", given, what, a,
                     to ? " to " : "",
                     !to                      ? ""
                     : strncmp(a, b, 11) == 0 ? b + 11
                                              : b,
                     tz);
}

/* e's message of a bad time, with R-PUB-5 (a time in the past) when it names no rule. */
static int past(struct qs_err *e)
{
    if (!e->rule[0])
        snprintf(e->rule, sizeof e->rule, "R-PUB-5");
    return QS_E_USAGE;
}

int pub_sched_times(struct pub_sched_opts *o, int argc, char **argv, const char *from,
                    const char *to, int *used, char **note, struct qs_err *e)
{
    int tomorrow = 0, rc;

    *used = 0;
    *note = NULL;
    if (o->when == PUB_AT || o->when == PUB_EVERY) {
        if (argc < 1)
            return err_set(e, QS_E_USAGE, NULL, "%s is needed",
                           o->when == PUB_AT ? "a TIME" : "MINUTES");
        /* R-PUB-5: a time in the past is refused. */
        if (o->when == PUB_AT) {
            if (sched_parse(argv[0], o->tz, o->now, "TIME", &o->at, &tomorrow, e) < 0)
                return past(e);
            if (tomorrow)
                *note = pub_tomorrow_note(argv[0], o->at, 0, o->tz, "the products go");
        }
        /* R-PUB-3: one product every MINUTES. */
        if (o->when == PUB_EVERY && sched_minutes(argv[0], &o->minutes) < 0)
            return err_set(e, QS_E_USAGE, "R-PUB-3",
                           "MINUTES \"%s\" is not a whole number of minutes from 1 to 10080",
                           argv[0]);
        *used = 1;
    }
    if (o->when != PUB_EVERY && o->when != PUB_SPREAD)
        return 0;
    if (!from || (o->when == PUB_SPREAD && !to))
        return err_set(e, QS_E_USAGE, NULL, "%s needed",
                       o->when == PUB_SPREAD ? "--from TIME and --to TIME are" : "--from TIME is");
    /* Issue 8 item 20: --from and --to are one window. */
    rc = o->when == PUB_SPREAD ? sched_window(from, to, o->tz, o->now, &o->at, &o->to, &tomorrow, e)
                               : sched_parse(from, o->tz, o->now, "--from", &o->at, &tomorrow, e);
    if (rc < 0)
        return past(e);
    if (tomorrow)
        *note = pub_tomorrow_note(from, o->at, o->when == PUB_SPREAD ? o->to : 0, o->tz,
                                  o->when == PUB_SPREAD ? "the window is" : "the first goes");
    return 0;
}

int pub_due_by_parse(const char *arg, const char *tz, time_t now, time_t *due_by, char **note,
                     struct qs_err *e)
{
    char msg[sizeof e->msg];
    int clock;

    *note = NULL;
    /* A time ahead brings the schedule forward (catch-up, demos); a past one is fine here:
     * it only narrows what is due. */
    if (tm_parse_after(arg, tz, now, now - now % 60, due_by, &clock, e) < 0) {
        snprintf(msg, sizeof msg, "%s", e->msg);
        return err_set(e, QS_E_USAGE, NULL, "--due-by: %.1000s", msg);
    }
    if (clock == TM_CLOCK_NEXT_DAY)
        *note = pub_tomorrow_note(arg, *due_by, 0, tz, "due by");
    return 0;
}

char *pub_sched_note(const struct pub_sched_stats *st, const char *what, int dry_run)
{
    const char *s = st->scheduled == 1 ? "" : "s";
    if (dry_run)
        return xasprintf("dry run, nothing written: would have %s %ld product%s", what,
                         st->scheduled, s);
    if (st->batch)
        return xasprintf("%s %ld product%s in batch %lld (undo: qs publish undo %lld)", what,
                         st->scheduled, s, st->batch, st->batch);
    return xstrdup("nothing to do");
}

const struct pub_ship_list *pub_ship_for_check(struct store *s, const char *shop, int dry_run,
                                               FILE *req_out, const char *tz,
                                               struct pub_ship_list *l, char **note)
{
    struct qs_err e;
    char when[64];
    int rc;

    err_clear(&e);
    *note = NULL;
    rc = pub_ship_load(s, shop, PUB_SHIP_ANY, dry_run, req_out, l, &e);
    if (rc < 0 || !l->have) {
        *note = xasprintf("warning: shipping fees not checked: the shop's delivery templates "
                          "cannot be read (%s); qs publish shipping reads them",
                          e.msg);
        return NULL;
    }
    if (tm_format(l->at, tz, 0, when, sizeof when) == 0)
        *note = xasprintf("shipping fees checked against the %zu delivery templates read %s "
                          "(%s); qs publish shipping reads them again",
                          json_array_size(l->rows), when, tz);
    return l;
}

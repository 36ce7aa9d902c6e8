/* outbox_doctor: the outbox's lines of `qs sync doctor` (R-SYN-8), one per kind with
 * something to see (SPEC 1.6): items due and unsent (pending or retry: a run is owed),
 * failed, unknown (sent or not, nobody can tell: the seller decides), and items handed
 * off more than a day ago and not confirmed. Failed and unknown items fail the check:
 * work the shop asked for is stuck until someone acts; the rest warn. */
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "outbox.h"
#include "tm.h"

#define DAY 86400

struct od {
    struct doctor *d;
    struct qs_err *e;
    int n, rc;
};

static int kind_row(sqlite3_stmt *st, void *p)
{
    struct od *o = p;
    const char *kind = store_col_text(st, 0);
    long long due = sqlite3_column_int64(st, 1), failed = sqlite3_column_int64(st, 2),
              unknown = sqlite3_column_int64(st, 3), old = sqlite3_column_int64(st, 4);
    char check[80], msg[512] = "";
    size_t len = 0;

    if (!due && !failed && !unknown && !old)
        return 0;
    o->n++;
    snprintf(check, sizeof check, "outbox.%s", kind);
#define PART(...)                                                                                  \
    (len += (size_t)snprintf(msg + len, len < sizeof msg ? sizeof msg - len : 0, __VA_ARGS__))
    if (failed)
        PART("%s%lld failed (rerun with --retry-failed after fixing the cause)", len ? "; " : "",
             failed);
    if (unknown)
        PART("%s%lld unknown (check on the other side, then --resend-unknown or confirm)",
             len ? "; " : "", unknown);
    if (due)
        PART("%s%lld due and unsent (run its command)", len ? "; " : "", due);
    if (old)
        PART("%s%lld handed off more than a day ago (do it in QSM and confirm it)", len ? "; " : "",
             old);
#undef PART
    o->rc = doctor_say(o->d, failed || unknown ? DOCTOR_FAIL : DOCTOR_WARN, check, o->e, "%s", msg);
    return o->rc < 0 ? 1 : 0;
}

int outbox_doctor(struct doctor *d, struct qs_err *e)
{
    struct od o = {.d = d, .e = e};
    char now[32], day_ago[32];
    int rc;

    tm_utc_iso(d->now, now, sizeof now);
    tm_utc_iso(d->now - DAY, day_ago, sizeof day_ago);
    rc = store_each(d->s,
                    "SELECT kind,"
                    " sum(state IN ('pending', 'retry') AND next_at <= ?2),"
                    " sum(state = 'failed'), sum(state = 'unknown'),"
                    " sum(state = 'handed-off' AND updated_at < ?3)"
                    " FROM outbox WHERE shop = ?1 GROUP BY kind ORDER BY kind",
                    kind_row, &o, e, "sss", d->shop, now, day_ago);
    if (rc < 0)
        return rc;
    if (o.rc < 0)
        return o.rc;
    if (o.n == 0)
        return doctor_say(d, DOCTOR_OK, "outbox", e,
                          "nothing due, failed, unknown or handed off over a day ago");
    return 0;
}

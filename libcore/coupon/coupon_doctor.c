/* coupon_doctor: the coupon line of `qs sync doctor` (R-SYN-8): this calendar week's push
 * (R-CPN-5: at most one per shop per Monday-Sunday week, Japan time) used or still free.
 * Used warns: the shop cannot push again before the next free week, which it names. */
#include <stdio.h>
#include <string.h>

#include "coupon.h"
#include "../doctor.h"
#include "../tm.h"

struct wk {
    long week;
    long long push;
    char push_at[32];
    time_t free_monday; /* the first free week's Monday, 0: none in four weeks */
};

static int week_row(void *p, const struct coupon_week_row *w, struct qs_err *e)
{
    struct wk *k = p;
    (void)e;
    if (w->week == k->week && w->p && !k->push) {
        k->push = w->p->id;
        tm_format_jst(w->p->send_at, "%Y-%m-%d %H:%M", k->push_at, sizeof k->push_at);
    }
    if (!w->p && !k->free_monday)
        k->free_monday = w->monday;
    return 0;
}

int coupon_doctor(struct doctor *d, struct qs_err *e)
{
    struct wk k = {.week = coupon_week(d->now)};
    char mon[16] = "";
    int rc;

    if ((rc = coupon_weeks(d->s, d->shop, d->now, week_row, &k, e)) < 0)
        return rc;
    if (k.free_monday)
        tm_format_jst(k.free_monday, "%Y-%m-%d", mon, sizeof mon);
    if (k.push)
        return doctor_say(d, DOCTOR_WARN, "coupon.week", e,
                          "this week's push is used (push %lld, sent %s JST); the next free "
                          "week starts %s (R-CPN-5)",
                          k.push, k.push_at, mon[0] ? mon : "beyond four weeks");
    return doctor_say(d, DOCTOR_OK, "coupon.week", e, "this week's push is free (R-CPN-5)");
}

/* stock_doctor: the warehouse's lines of `qs sync doctor` (R-SYN-8). Only for a shop that
 * uses the warehouse (it imported a Q-inventory download once): the last `qs stock import`
 * not older than a day (R-STK-5: the quantities qs sends come from it), and the storage
 * fee bills (R-STK-8): QSM bills a month in the middle of the next and the seller pays it
 * by hand; unpaid, it is due (warn) until the 20th, after which shipping stops (fail), and
 * two months unpaid stop the service and send the goods back cash-on-delivery (fail). */
#include <stdio.h>
#include <string.h>

#include "stock_fee.h"
#include "stock_int.h"
#include "../doctor.h"
#include "../tm.h"

#define DAY     86400
#define DUE_DAY 20 /* R-STK-8: unpaid after the 20th, shipping stops */

struct unpaid {
    struct stock_month m[2]; /* the oldest two unpaid months */
    long long fee[2];
    int n;
};

static int month_row(void *p, struct stock_month m, const struct stock_fee_total *t,
                     struct qs_err *e)
{
    struct unpaid *u = p;
    (void)e;
    if (t->fee > 0 && !t->paid_at[0]) {
        if (u->n < 2) {
            u->m[u->n] = m;
            u->fee[u->n] = t->fee;
        }
        u->n++;
    }
    return 0;
}

static int fees(struct doctor *d, struct qs_err *e)
{
    struct stock_month cur = stock_month_of(d->now), last = stock_month_add(cur, -1);
    struct unpaid u = {0};
    char a[8], b[8];
    time_t from, to;
    int rc;

    if ((rc = stock_fee_months(d->s, d->shop, d->now, month_row, &u, e)) < 0)
        return rc;
    stock_month_bounds(cur, &from, &to);
    long day = (long)((d->now - from) / DAY) + 1;
    stock_month_format(u.m[0], a, sizeof a);
    if (u.n >= 2) {
        stock_month_format(u.m[1], b, sizeof b);
        return doctor_say(d, DOCTOR_FAIL, "stock.fees", e,
                          "%d months of storage fees unpaid (%s: %lld JPY, %s: %lld JPY%s): two "
                          "months unpaid stop the warehouse service and the goods come back "
                          "cash-on-delivery; pay from the Q wallet, then `qs stock fees --paid "
                          "YYYY-MM` (R-STK-8)",
                          u.n, a, u.fee[0], b, u.fee[1], u.n > 2 ? ", ..." : "");
    }
    if (u.n == 1 && stock_month_cmp(u.m[0], last) < 0)
        return doctor_say(d, DOCTOR_FAIL, "stock.fees", e,
                          "the storage fee bill of %s (%lld JPY) is unpaid past its 20th: "
                          "shipping has stopped, and a second month unpaid stops the service "
                          "(goods back cash-on-delivery); pay from the Q wallet, then `qs stock "
                          "fees --paid %s` (R-STK-8)",
                          a, u.fee[0], a);
    if (u.n == 1 && day > DUE_DAY)
        return doctor_say(d, DOCTOR_FAIL, "stock.fees", e,
                          "the storage fee bill of %s (%lld JPY) is unpaid after the %dth: "
                          "shipping stops until it is paid, and two months unpaid stop the "
                          "service (goods back cash-on-delivery); pay from the Q wallet, then "
                          "`qs stock fees --paid %s` (R-STK-8)",
                          a, u.fee[0], DUE_DAY, a);
    if (u.n == 1)
        return doctor_say(d, DOCTOR_WARN, "stock.fees", e,
                          "the storage fee bill of %s (%lld JPY) is due: pay it from the Q "
                          "wallet by the %dth (after it shipping stops; two months unpaid stop "
                          "the service), then `qs stock fees --paid %s` (R-STK-8)",
                          a, u.fee[0], DUE_DAY, a);
    /* Nothing due: this month's forecast, for the seller's information. */
    struct stock_fee_opts o = {cur, 1, d->now};
    struct stock_fee_total t;
    struct qs_err fe;
    err_clear(&fe);
    if (stock_fees(d->s, d->shop, &o, NULL, NULL, &t, &fe) < 0)
        return doctor_say(d, DOCTOR_OK, "stock.fees", e, "no storage fee bill unpaid");
    return doctor_say(d, DOCTOR_OK, "stock.fees", e,
                      "no storage fee bill unpaid; this month's forecast %lld JPY (%ld option%s "
                      "paying)",
                      t.fee, t.charged, t.charged == 1 ? "" : "s");
}

int stock_doctor(struct doctor *d, struct qs_err *e)
{
    char at[32], shown[32];
    long long id;
    time_t t;
    int rc;

    if ((rc = stk_latest(d->s, d->shop, NULL, &id, at, NULL, e)) < 0)
        return rc;
    if (!id)
        return doctor_say(d, DOCTOR_OK, "stock.import", e,
                          "no Q-inventory download imported: the shop does not use the "
                          "warehouse (fees not checked)");
    if (tm_parse_utc_iso(at, &t) != 0)
        t = 0;
    tm_format_jst(t, "%Y-%m-%d %H:%M JST", shown, sizeof shown);
    if (d->now - t > DAY)
        rc = doctor_say(d, DOCTOR_WARN, "stock.import", e,
                        "the last `qs stock import` was at %s, over a day ago: import today's "
                        "Q-inventory download from QSM",
                        shown);
    else
        rc = doctor_say(d, DOCTOR_OK, "stock.import", e, "last `qs stock import` at %s", shown);
    return rc < 0 ? rc : fees(d, e);
}

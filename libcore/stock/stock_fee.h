/* stock_fee: the warehouse's storage fees (R-STK-8) and the tariff of its other charges.
 *
 * Tables (owned by this module; migration in schema.c):
 *
 *   stock_fee_paid -- the months whose storage-fee bill the seller paid in QSM (from the Q
 *                   wallet, by hand); PRIMARY KEY (shop, month)
 *     shop, month ("2026-11", Asia/Tokyo), amount (qs's reckoning of the bill when the
 *     payment was recorded, JPY), recorded_at (UTC ISO-8601)
 *
 *   stock_tariff -- the other charges as the seller entered them; PRIMARY KEY (shop, name)
 *     shop, name, amount (whole JPY), per ('piece', 'box', 'parcel', 'order'), taken_from
 *     ('q-site-balance', 'settlement', 'q-wallet'), note, line (the input's order),
 *     updated_at (UTC)
 *
 * Every function returns 0 (or a count) or a negative QS_E_* with e filled. */
#ifndef QS_STOCK_FEE_H
#define QS_STOCK_FEE_H

#include <stdio.h>
#include <time.h>

#include "../err.h"
#include "../record/record.h"
#include "../store.h"

#define STOCK_FEE_MIN_SHIPPED 10 /* R-STK-8: shipping this many in a month, no fee */
#define STOCK_FEE_PER_PIECE   30 /* R-STK-8: JPY per piece on hand at the month's end */

/* ---- pure functions (stock_fee.c) ---- */

/* Why an option pays its fee or not. */
enum stock_fee_reason {
    STOCK_FEE_CHARGED,       /* shipped fewer than 10: 30 JPY a piece on hand */
    STOCK_FEE_SHIPPED,       /* shipped 10 or more */
    STOCK_FEE_FIRST_INBOUND, /* the month of its first completed inbound */
    STOCK_FEE_NONE_ON_HAND,  /* nothing on hand at the month's end */
};
/* The reasons' words, in enum order. */
extern const char *const stock_fee_reasons[];

/* R-STK-8: the fee of one option for one month: shipped pieces in the month, on_hand at its
 * end, first_inbound 1 when the month is the option's first completed inbound's. *why (may
 * be NULL) gets the reason. */
long long stock_fee_of(long long shipped, long long on_hand, int first_inbound,
                       enum stock_fee_reason *why);

/* A calendar month in Asia/Tokyo. */
struct stock_month {
    int year, mon; /* mon 1..12 */
};
/* Parses "YYYY-MM" (year 2000..2999). Returns 0 or -1. */
int stock_month_parse(const char *s, struct stock_month *m);
/* Writes m as "YYYY-MM" into buf (size >= 8); returns buf. */
char *stock_month_format(struct stock_month m, char *buf, size_t size);
/* The month (Asia/Tokyo) holding instant t. */
struct stock_month stock_month_of(time_t t);
/* m moved by n months (n may be negative). */
struct stock_month stock_month_add(struct stock_month m, int n);
/* -1, 0 or 1 as a is before, the same as or after b. */
int stock_month_cmp(struct stock_month a, struct stock_month b);
/* R-STK-8: the month's bounds in Asia/Tokyo as UTC instants: [*from, *to). */
void stock_month_bounds(struct stock_month m, time_t *from, time_t *to);
/* The days of month m (28..31). */
int stock_month_days(struct stock_month m);
/* R-STK-8 --forecast: the month's shipments projected from the pace so far: shipped in the
 * first day days of a month of days_in_month days -> floor(shipped * days_in_month / day). */
long long stock_fee_project(long long shipped, int day, int days_in_month);

/* ---- the store (stock_fee_store.c) ---- */

/* One option's line of a month's fees. Texts are valid during the callback. */
struct stock_fee_row {
    const char *q_sku, *seller_sku, *name;
    const char *first_month; /* qs's reading of its first inbound's month, "" unknown */
    long long shipped;       /* pieces shipped in the month (so far, for a forecast) */
    long long on_hand;       /* at the month's end (forecast: projected) */
    long long fee;           /* JPY */
    enum stock_fee_reason reason;
    long long projected; /* forecast: shipments projected for the whole month; else -1 */
    long long to_avoid;  /* forecast: more shipments this month that avoid the fee */
};

struct stock_fee_opts {
    struct stock_month month;
    int forecast; /* the current month projected: month must be now's */
    time_t now;
};

struct stock_fee_total {
    long long fee;         /* the month's total, JPY */
    long options, charged; /* options reckoned, options paying */
    long long snapshot;    /* the snapshot whose branch_qty is on hand */
    char counted_at[32];   /* its taken_at (UTC) */
    char paid_at[32];      /* when the payment was recorded (UTC), "" unpaid */
    long long paid_amount; /* the amount recorded then */
};

/* Called with each option's line, by q_sku. */
typedef int (*stock_fee_fn)(void *ctx, const struct stock_fee_row *r, struct qs_err *e);

/* R-STK-8: the storage fees of shop for o->month: each option of the last snapshot taken
 * before the month's end (its branch_qty is on hand) through fn (may be NULL), the total
 * into out. With o->forecast, the current month projected (stock_fee_project) from the
 * latest snapshot and only the options that will pay are passed. No snapshot: QS_E_DATA. */
int stock_fees(struct store *s, const char *shop, const struct stock_fee_opts *o, stock_fee_fn fn,
               void *ctx, struct stock_fee_total *out, struct qs_err *e);
/* R-STK-8: the totals of each month from the month of shop's first snapshot to the last
 * month ended at now, through fn. Returns the number of months. */
int stock_fee_months(struct store *s, const char *shop, time_t now,
                     int (*fn)(void *ctx, struct stock_month m, const struct stock_fee_total *t,
                               struct qs_err *e),
                     void *ctx, struct qs_err *e);
/* R-STK-8: the month (Asia/Tokyo) of q_sku's first completed inbound bundle (R-INB-4);
 * when qs knows none, of the first snapshot showing it with branch_qty > 0; into *m;
 * *found 0 when neither. */
int stock_fee_first_month(struct store *s, const char *shop, const char *q_sku,
                          struct stock_month *m, int *found, struct qs_err *e);
/* R-STK-8: records month's bill paid (amount: qs's reckoning). Months not ended at now are
 * refused (QS_E_DATA: QSM bills a month in the middle of the next). *already is 1 when it
 * was recorded before (nothing changes). */
int stock_fee_pay(struct store *s, const char *shop, struct stock_month month, time_t now,
                  long long *amount, int *already, struct qs_err *e);

/* ---- the tariff (stock_fee_tariff.c) ---- */

/* One charge of the tariff. */
struct stock_charge {
    const char *name;
    long long amount; /* JPY */
    const char *per, *taken_from, *note;
};
/* The words of per and taken_from (NULL-terminated). */
extern const char *const stock_tariff_per[];
extern const char *const stock_tariff_from[];

/* R-STK-8: reads the tariff from fp (CSV, JSON Lines or .xlsx, columns name, amount, per,
 * taken_from[, note]; named name) and replaces shop's with it in one transaction. Every bad
 * record is reported through report; then QS_E_DATA and nothing is written. Returns the
 * number of charges. */
int stock_tariff_set(struct store *s, const char *shop, FILE *fp, const char *name,
                     const struct rec_reader_opts *ro, time_t now,
                     void (*report)(void *ctx, const struct qs_err *e), void *ctx,
                     struct qs_err *e);
/* The tariff of shop, in its input order, through fn. */
int stock_tariff_each(struct store *s, const char *shop,
                      int (*fn)(void *ctx, const struct stock_charge *c, struct qs_err *e),
                      void *ctx, struct qs_err *e);

#endif

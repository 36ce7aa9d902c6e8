/* inbound_cutoff: when the warehouse ships (R-INB-7) -- Japanese public holidays computed
 * from the law, warehouse days, the cut-offs of other-platform and Qoo10 orders, and the
 * closures and busy periods a seller enters with `qs stock calendar`.
 *
 * Days are whole days of the Japanese calendar (Asia/Tokyo, UTC+9 without summer time),
 * counted from 1970-01-01 (day 0). The day functions are pure: no store, no clock.
 *
 * Holidays (国民の祝日に関する法律 as amended up to 2018, in force from 2020): 元日 01-01,
 * 成人の日 the 2nd Monday of January, 建国記念の日 02-11, 天皇誕生日 02-23, 春分の日, 昭和の日
 * 04-29, 憲法記念日 05-03, みどりの日 05-04, こどもの日 05-05, 海の日 the 3rd Monday of July,
 * 山の日 08-11, 敬老の日 the 3rd Monday of September, 秋分の日, スポーツの日 the 2nd Monday of
 * October, 文化の日 11-03, 勤労感謝の日 11-23; a holiday on a Sunday makes the next day that
 * is no holiday a 振替休日; a day between two holidays is a 国民の休日. The equinoxes come
 * from the usual formula (floor(20.8431 + 0.242194 (Y - 1980) - floor((Y - 1980) / 4)) and
 * 23.2488 for autumn), which matches the dates the National Astronomical Observatory
 * publishes for 1980-2099. The result is exact for 2022-2099; earlier years get today's law
 * (2019-2021 had one-off moves for the enthronement and the Olympics, which qs does not
 * know), and the government announces each year's equinoxes in February of the year
 * before: a date it moves is for the seller to enter as a closure.
 *
 * Table (owned by this module; migration in schema.c):
 *
 *   warehouse_closure -- the seller's calendar (`qs stock calendar`), per shop
 *     id, shop
 *     from_day, until_day  YYYY-MM-DD (Japan), until_day >= from_day
 *     kind                 'closed' (no warehouse day) or 'may-be-late' (a busy period:
 *                          estimates marked "may be late")
 *     note                 the seller's words
 *     line                 the input line it came from
 *     recorded_at          UTC ISO-8601 */
#ifndef QS_INBOUND_CUTOFF_H
#define QS_INBOUND_CUTOFF_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "../err.h"
#include "../record/record.h"
#include "../store.h"

#define INBOUND_JST_OFFSET   (9 * 3600)
#define INBOUND_OTHER_CUTOFF (13 * 3600) /* R-INB-7: other-platform orders, 13:00:00 */
#define INBOUND_QOO10_CUTOFF (16 * 3600) /* R-INB-7: Qoo10 orders paid before 16:00:00 */
#define INBOUND_NO_DAY       (-1000000L) /* no estimate */

/* The day of y-m-d (any valid date). */
long inbound_day(int y, int m, int d);
/* The date of day. */
void inbound_ymd(long day, int *y, int *m, int *d);
/* 0 Sunday .. 6 Saturday. */
int inbound_weekday(long day);
/* The day of t in Japan, and (when sec is not NULL) the seconds since its midnight. */
long inbound_day_of(time_t t, long *sec);
/* "YYYY-MM-DD" of day into buf (11 bytes or more); returns buf. */
char *inbound_day_format(long day, char *buf, size_t size);
/* Parses "YYYY-MM-DD" (a real date, years 1970-9999) into *day. 0 or -1. */
int inbound_day_parse(const char *s, long *day);

/* R-INB-7: the name of the public holiday day is (祝日, 振替休日 or 国民の休日), or NULL. */
const char *inbound_holiday(long day);

enum inbound_closure_kind { INBOUND_CLOSED, INBOUND_MAY_BE_LATE };
/* "closed", "may-be-late". */
extern const char *const inbound_closure_words[2];

/* One entry of the seller's calendar. */
struct inbound_closure {
    long from, until; /* days, until >= from */
    enum inbound_closure_kind kind;
    const char *note;
};

/* What the cut-offs read: the seller's entries; no_defaults leaves out qs's default busy
 * period (year-end, 12-28 to 01-04, "may be late"). */
struct inbound_cal {
    const struct inbound_closure *v;
    size_t n;
    int no_defaults;
};

/* R-INB-7: 1 when day is a warehouse day (Monday-Friday, no holiday, no closure); else 0
 * with *why (may be NULL) saying why not: "saturday", "sunday", the holiday's name, or
 * the closure's note ("closed" when it has none). */
int inbound_warehouse_day(const struct inbound_cal *c, long day, const char **why);
/* The first warehouse day on or after day (at most ten years on: else INBOUND_NO_DAY). */
long inbound_next_warehouse_day(const struct inbound_cal *c, long day);
/* 1 when an estimate for day is "may be late" (a may-be-late entry, or the year-end
 * default), with *why (may be NULL) the entry's note or "year-end"; else 0. */
int inbound_may_be_late(const struct inbound_cal *c, long day, const char **why);

/* R-INB-7: the day an other-platform order registered at t ships: t's day when that is a
 * warehouse day and t is before 13:00:00 in Japan, else the next warehouse day. */
long inbound_ship_day_other(const struct inbound_cal *c, time_t t);
/* R-INB-7: the day the warehouse picks a Qoo10 order paid at paid: paid's day when that
 * is a warehouse day and paid is before 16:00:00 in Japan, else the next warehouse day.
 * ship_day (INBOUND_NO_DAY: none) is the ship date set on the order: the order is not
 * picked before it. long_lead: the item is set to ship within 14 days -- no same-day
 * estimate: INBOUND_NO_DAY unless a ship date is set (then that date's warehouse day). */
long inbound_ship_day_qoo10(const struct inbound_cal *c, time_t paid, long ship_day, int long_lead);

/* ---- the seller's calendar in the store (inbound_cutoff_store.c) ---- */

/* A calendar read from the store; free with inbound_cal_free. */
struct inbound_cal_store {
    struct inbound_cal cal;
    struct inbound_closure *v;
    size_t n;
};
/* Loads shop's entries into out (out->cal points at them). */
int inbound_cal_load(struct store *s, const char *shop, struct inbound_cal_store *out,
                     struct qs_err *e);
void inbound_cal_free(struct inbound_cal_store *c);

/* R-INB-7: reads a calendar (records date, until, kind, note; until empty = date; kind
 * empty = closed) from fp (named name) and, when every record is good, replaces shop's
 * entries with them in one transaction. Every bad record goes to report (the caller
 * prints it); then QS_E_DATA and nothing is written. *n gets the entries stored. */
int inbound_cal_replace(struct store *s, const char *shop, FILE *fp, const char *name,
                        const struct rec_reader_opts *ro, time_t now,
                        void (*report)(void *ctx, const struct qs_err *e), void *ctx, size_t *n,
                        struct qs_err *e);

#endif

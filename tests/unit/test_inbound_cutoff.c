/* Unit tests of the cut-offs (R-INB-7, libcore/inbound/inbound_cutoff.c): the public
 * holidays of 2025 and 2026 (substitute and citizens' holidays included), warehouse days,
 * the other-platform cut-off at 13:00 JST (12:59 ships that day, 13:00 the next warehouse
 * day, Friday 13:00 on Monday or later over a holiday), the Qoo10 cut-off at 16:00 with a
 * ship date and the 14-day items, closures and "may be late" periods. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "inbound/inbound_cutoff.h"

/* The instant y-m-d hh:mm:ss in Japan. */
static time_t jst(int y, int m, int d, int hh, int mm, int ss)
{
    return (time_t)inbound_day(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss - INBOUND_JST_OFFSET;
}

static long D(const char *s)
{
    long d = 0;
    assert_int_equal(inbound_day_parse(s, &d), 0);
    return d;
}

/* Every holiday of year y, as "MM-DD" joined by spaces. */
static void holidays_of(int y, char *buf, size_t size)
{
    buf[0] = '\0';
    for (long d = inbound_day(y, 1, 1); d < inbound_day(y + 1, 1, 1); d++)
        if (inbound_holiday(d)) {
            int yy, m, dd;
            inbound_ymd(d, &yy, &m, &dd);
            snprintf(buf + strlen(buf), size - strlen(buf), "%s%02d-%02d", buf[0] ? " " : "", m,
                     dd);
        }
}

static void holidays_2026(void **state)
{
    char buf[512];
    (void)state;
    holidays_of(2026, buf, sizeof buf);
    /* 05-06: 振替休日 for 05-03, a Sunday; 09-22: 国民の休日 between 09-21 and 09-23 */
    assert_string_equal(buf, "01-01 01-12 02-11 02-23 03-20 04-29 05-03 05-04 05-05 05-06 "
                             "07-20 08-11 09-21 09-22 09-23 10-12 11-03 11-23");
    assert_string_equal(inbound_holiday(D("2026-05-06")), "振替休日");
    assert_string_equal(inbound_holiday(D("2026-09-22")), "国民の休日");
    assert_string_equal(inbound_holiday(D("2026-09-23")), "秋分の日");
}

static void holidays_2025(void **state)
{
    char buf[512];
    (void)state;
    holidays_of(2025, buf, sizeof buf);
    /* 02-24 and 11-24: substitutes for Sundays; 05-06 for 05-04, a Sunday */
    assert_string_equal(buf, "01-01 01-13 02-11 02-23 02-24 03-20 04-29 05-03 05-04 05-05 "
                             "05-06 07-21 08-11 09-15 09-23 10-13 11-03 11-23 11-24");
}

static void warehouse_days(void **state)
{
    const char *why = NULL;
    (void)state;
    assert_int_equal(inbound_warehouse_day(NULL, D("2026-07-17"), &why), 1); /* Friday */
    assert_null(why);
    assert_int_equal(inbound_warehouse_day(NULL, D("2026-07-18"), &why), 0);
    assert_string_equal(why, "saturday");
    assert_int_equal(inbound_warehouse_day(NULL, D("2026-07-20"), &why), 0);
    assert_string_equal(why, "海の日");
    assert_int_equal(inbound_next_warehouse_day(NULL, D("2026-07-18")), D("2026-07-21"));
    /* Golden Week 2026: Friday 05-01, then 05-02..05-06 off */
    assert_int_equal(inbound_next_warehouse_day(NULL, D("2026-05-02")), D("2026-05-07"));
}

static void other_1259_ships_today(void **state)
{
    (void)state;
    /* Wednesday 2026-07-15 */
    assert_int_equal(inbound_ship_day_other(NULL, jst(2026, 7, 15, 12, 59, 59)), D("2026-07-15"));
    assert_int_equal(inbound_ship_day_other(NULL, jst(2026, 7, 15, 0, 0, 0)), D("2026-07-15"));
}

static void other_1300_ships_next_day(void **state)
{
    (void)state;
    assert_int_equal(inbound_ship_day_other(NULL, jst(2026, 7, 15, 13, 0, 0)), D("2026-07-16"));
    assert_int_equal(inbound_ship_day_other(NULL, jst(2026, 7, 15, 23, 59, 59)), D("2026-07-16"));
}

static void other_friday_1300_monday(void **state)
{
    (void)state;
    /* Friday 2026-07-10 13:00 -> Monday 07-13; Friday 07-17 -> Tuesday 07-21 (海の日) */
    assert_int_equal(inbound_ship_day_other(NULL, jst(2026, 7, 10, 13, 0, 0)), D("2026-07-13"));
    assert_int_equal(inbound_ship_day_other(NULL, jst(2026, 7, 17, 13, 0, 0)), D("2026-07-21"));
    /* a Saturday morning waits for Monday too */
    assert_int_equal(inbound_ship_day_other(NULL, jst(2026, 7, 11, 9, 0, 0)), D("2026-07-13"));
}

static void closures_move_the_date(void **state)
{
    struct inbound_closure v[] = {
        {D("2026-07-13"), D("2026-07-14"), INBOUND_CLOSED, "stocktaking"},
    };
    struct inbound_cal c = {v, 1, 0};
    const char *why = NULL;
    (void)state;
    assert_int_equal(inbound_ship_day_other(&c, jst(2026, 7, 10, 13, 0, 0)), D("2026-07-15"));
    assert_int_equal(inbound_warehouse_day(&c, D("2026-07-14"), &why), 0);
    assert_string_equal(why, "stocktaking");
}

static void qoo10_cutoff_1600(void **state)
{
    (void)state;
    assert_int_equal(inbound_ship_day_qoo10(NULL, jst(2026, 7, 15, 15, 59, 59), INBOUND_NO_DAY, 0),
                     D("2026-07-15"));
    assert_int_equal(inbound_ship_day_qoo10(NULL, jst(2026, 7, 15, 16, 0, 0), INBOUND_NO_DAY, 0),
                     D("2026-07-16"));
    /* by the ship date when one is set */
    assert_int_equal(inbound_ship_day_qoo10(NULL, jst(2026, 7, 15, 10, 0, 0), D("2026-07-18"), 0),
                     D("2026-07-21"));
    /* items set to ship within 14 days: no same-day estimate */
    assert_int_equal(inbound_ship_day_qoo10(NULL, jst(2026, 7, 15, 10, 0, 0), INBOUND_NO_DAY, 1),
                     INBOUND_NO_DAY);
}

static void may_be_late(void **state)
{
    struct inbound_closure v[] = {
        {D("2026-06-01"), D("2026-06-12"), INBOUND_MAY_BE_LATE, "メガ割"},
    };
    struct inbound_cal c = {v, 1, 0}, bare = {NULL, 0, 1};
    const char *why = NULL;
    (void)state;
    assert_int_equal(inbound_may_be_late(&c, D("2026-06-05"), &why), 1);
    assert_string_equal(why, "メガ割");
    assert_int_equal(inbound_may_be_late(&c, D("2026-06-13"), NULL), 0);
    assert_int_equal(inbound_may_be_late(&c, D("2026-12-28"), &why), 1);
    assert_string_equal(why, "year-end");
    assert_int_equal(inbound_may_be_late(&c, D("2027-01-04"), NULL), 1);
    assert_int_equal(inbound_may_be_late(&c, D("2027-01-05"), NULL), 0);
    assert_int_equal(inbound_may_be_late(&bare, D("2026-12-30"), NULL), 0);
    /* a may-be-late period is still a warehouse day */
    assert_int_equal(inbound_warehouse_day(&c, D("2026-06-05"), NULL), 1);
}

static void day_parse(void **state)
{
    long d;
    char buf[16];
    (void)state;
    assert_int_equal(inbound_day_parse("2026-02-30", &d), -1);
    assert_int_equal(inbound_day_parse("2026-2-3", &d), -1);
    assert_int_equal(inbound_day_parse("2028-02-29", &d), 0);
    assert_string_equal(inbound_day_format(d, buf, sizeof buf), "2028-02-29");
    assert_int_equal(inbound_weekday(D("2026-07-17")), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        {"R-INB-7 the public holidays of 2026", holidays_2026, NULL, NULL, NULL},
        {"R-INB-7 the public holidays of 2025, with their substitutes", holidays_2025, NULL, NULL,
         NULL},
        {"R-INB-7 warehouse days are weekdays that are no holiday", warehouse_days, NULL, NULL,
         NULL},
        {"R-INB-7 an other-platform order at 12:59 JST on a weekday ships that day",
         other_1259_ships_today, NULL, NULL, NULL},
        {"R-INB-7 an other-platform order at 13:00 JST ships the next warehouse day",
         other_1300_ships_next_day, NULL, NULL, NULL},
        {"R-INB-7 a Friday 13:00 order ships on Monday, later over a holiday",
         other_friday_1300_monday, NULL, NULL, NULL},
        {"R-INB-7 closures move the ship date", closures_move_the_date, NULL, NULL, NULL},
        {"R-INB-7 Qoo10 orders: 16:00, the ship date, 14-day items", qoo10_cutoff_1600, NULL, NULL,
         NULL},
        {"R-INB-7 may-be-late periods and the year-end default", may_be_late, NULL, NULL, NULL},
        {"R-INB-7 days parse and format", day_parse, NULL, NULL, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

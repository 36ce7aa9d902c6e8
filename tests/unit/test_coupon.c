/* Unit tests of libcore/coupon's pure parts (R-CPN-1): the discount, yen amounts and
 * limits, yes/no, the validity times and their zones, and the check of a whole coupon
 * (every problem reported, across fields too). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coupon/coupon.h"
#include "tm.h"

#define TOKYO "Asia/Tokyo"

static time_t utc(const char *iso)
{
    time_t t = 0;
    if (tm_parse_utc_iso(iso, &t) != 0)
        fail_msg("bad test instant %s", iso);
    return t;
}

static void disc_ok(const char *s, enum coupon_kind kind, long long amount)
{
    enum coupon_kind k = COUPON_YEN;
    long long a = -1;
    const char *why = NULL;
    if (coupon_discount_parse(s, &k, &a, &why) != 0)
        fail_msg("discount \"%s\": expected %lld%s, got: %s", s, amount,
                 kind == COUPON_PERCENT ? "%" : " yen", why);
    assert_int_equal(k, kind);
    assert_int_equal(a, amount);
}

/* The discount must be refused, with a reason holding want. */
static void disc_bad(const char *s, const char *want)
{
    enum coupon_kind k;
    long long a;
    const char *why = NULL;
    if (coupon_discount_parse(s, &k, &a, &why) == 0)
        fail_msg("discount \"%s\": expected an error, got %lld", s, a);
    assert_non_null(why);
    if (!strstr(why, want))
        fail_msg("discount \"%s\": expected \"%s\" in \"%s\"", s, want, why);
}

static void discount_forms(void **state)
{
    (void)state;
    disc_ok("500", COUPON_YEN, 500);
    disc_ok(" 1,000 ", COUPON_YEN, 1000);
    disc_ok("¥500", COUPON_YEN, 500);
    disc_ok("￥1,500", COUPON_YEN, 1500);
    disc_ok("500円", COUPON_YEN, 500);
    disc_ok("５００", COUPON_YEN, 500); /* full-width digits */
    disc_ok("00500", COUPON_YEN, 500);
    disc_ok("10%", COUPON_PERCENT, 10);
    disc_ok("10 %", COUPON_PERCENT, 10);
    disc_ok("１５％", COUPON_PERCENT, 15);
    disc_bad("", "is not a discount");
    disc_bad("abc", "give yen off as a whole number (500) or a percent from 1% to 99% (10%)");
    disc_bad("1,00", "is not a discount");
    disc_bad("10.5", "is not a discount");
    disc_bad("500 yen", "is not a discount");
    disc_bad("%", "is not a discount");
    disc_bad("0", "takes nothing off");
    disc_bad("-500", "is negative");
    disc_bad("-10%", "is negative");
    disc_bad("0.1", "a percent cell of Excel reads as 0.1");
    disc_bad("10.5%", "is not a whole percent");
}

static void percent_bounds(void **state)
{
    (void)state;
    disc_ok("1%", COUPON_PERCENT, 1);
    disc_ok("99%", COUPON_PERCENT, 99);
    disc_bad("0%", "is not a percent from 1% to 99%");
    disc_bad("100%", "is not a percent from 1% to 99%");
    disc_bad("150%", "is not a percent from 1% to 99%");
}

static void amounts(void **state)
{
    long long v = -1;
    (void)state;
    assert_int_equal(coupon_yen_parse("0", 0, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(coupon_yen_parse("3,000円", 0, &v), 0);
    assert_int_equal(v, 3000);
    assert_int_equal(coupon_yen_parse("0", 1, &v), -1);
    assert_int_equal(coupon_yen_parse("-1", 0, &v), -1);
    assert_int_equal(coupon_yen_parse("1.5", 0, &v), -1);
    assert_int_equal(coupon_yen_parse("9999999999999", 0, &v), -1); /* 13 digits */
    assert_int_equal(coupon_count_parse("1", &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(coupon_count_parse("0", &v), -1);
    assert_int_equal(coupon_count_parse("-3", &v), -1);
    assert_int_equal(coupon_count_parse("2.0", &v), -1);
}

static void yes_no(void **state)
{
    int v = -1;
    (void)state;
    assert_int_equal(coupon_yesno_parse("yes", &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(coupon_yesno_parse(" NO ", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(coupon_yesno_parse("TRUE", &v), 0); /* an Excel boolean cell */
    assert_int_equal(v, 1);
    assert_int_equal(coupon_yesno_parse("false", &v), 0); /* a JSON boolean */
    assert_int_equal(v, 0);
    assert_int_equal(coupon_yesno_parse("y", &v), -1);
    assert_int_equal(coupon_yesno_parse("1", &v), -1);
    assert_int_equal(coupon_yesno_parse("", &v), -1);
    assert_int_equal(coupon_yesno_parse("maybe", &v), -1);
}

/* coupon_time_parse(s, tz, end) must give the UTC instant want. */
static void time_ok(const char *s, const char *tz, int end, const char *want)
{
    time_t t = 0;
    char why[256] = "", got[32];
    if (coupon_time_parse(s, tz, end, &t, why, sizeof why) != 0)
        fail_msg("time \"%s\" in %s: expected %s, got: %s", s, tz, want, why);
    tm_utc_iso(t, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("time \"%s\" in %s (end %d): expected %s, got %s", s, tz, end, want, got);
}

static void time_bad(const char *s, const char *want)
{
    time_t t;
    char why[256] = "";
    if (coupon_time_parse(s, TOKYO, 0, &t, why, sizeof why) == 0)
        fail_msg("time \"%s\": expected an error", s);
    if (!strstr(why, want))
        fail_msg("time \"%s\": expected \"%s\" in \"%s\"", s, want, why);
}

static void time_forms(void **state)
{
    char buf[32];
    (void)state;
    time_ok("2026-11-25 10:00", TOKYO, 0, "2026-11-25T01:00:00Z");
    time_ok("2026-11-25T10:00", TOKYO, 1, "2026-11-25T01:00:00Z");
    time_ok("2026-11-25 10:00:30", TOKYO, 0, "2026-11-25T01:00:30Z");
    time_ok("2026/11/5 9:05", TOKYO, 0, "2026-11-05T00:05:00Z");
    /* A date alone: the start of the day for valid_from, 23:59 for valid_to. */
    time_ok("2026-11-25", TOKYO, 0, "2026-11-24T15:00:00Z");
    time_ok("2026-11-25", TOKYO, 1, "2026-11-25T14:59:00Z");
    time_ok(" 2026-11-25 ", "UTC", 1, "2026-11-25T23:59:00Z");
    /* Any zone, its DST included. */
    time_ok("2026-07-01", "America/Los_Angeles", 0, "2026-07-01T07:00:00Z");
    time_ok("2026-12-01", "America/Los_Angeles", 0, "2026-12-01T08:00:00Z");
    time_bad("", "give YYYY-MM-DD HH:MM, or YYYY-MM-DD");
    time_bad("tomorrow", "in zone Asia/Tokyo");
    time_bad("10:00", "give YYYY-MM-DD HH:MM");
    time_bad("2026-11-25 10", "give YYYY-MM-DD HH:MM");
    time_bad("2026-11/25", "give YYYY-MM-DD HH:MM");
    time_bad("2026-11-25 10:00 +09:00", "give YYYY-MM-DD HH:MM");
    time_bad("2026-02-30", "day 30 is out of range");
    time_bad("2026-13-01", "month 13 is out of range");
    time_bad("2026-11-25 24:00", "hour 24 is out of range");
    /* Printed back as read: minutes, seconds only when there are some. */
    assert_string_equal(coupon_time_format(utc("2026-11-25T14:59:00Z"), TOKYO, buf, sizeof buf),
                        "2026-11-25 23:59");
    assert_string_equal(coupon_time_format(utc("2026-11-25T01:00:30Z"), TOKYO, buf, sizeof buf),
                        "2026-11-25 10:00:30");
}

struct got {
    char msg[CPN_NFIELDS][512];
    int n[CPN_NFIELDS];
};

static void collect(void *ctx, int f, const char *msg)
{
    struct got *g = ctx;
    assert_true(f >= 0 && f < CPN_NFIELDS);
    g->n[f]++;
    snprintf(g->msg[f], sizeof g->msg[f], "%s", msg);
}

static void whole_coupon(void **state)
{
    const char *good[CPN_NFIELDS] = {
        [CPN_QSM_NO] = " 0012 ",         [CPN_CODE] = " WINTER ",       [CPN_NAME] = "冬の10%",
        [CPN_DISCOUNT] = "10%",          [CPN_MAX_DISCOUNT] = "1,000",  [CPN_MIN_ORDER] = "",
        [CPN_VALID_FROM] = "2026-12-01", [CPN_VALID_TO] = "2026-12-31", [CPN_QSTORE_ONLY] = "yes",
    };
    const char *bad[CPN_NFIELDS] = {
        [CPN_CODE] = "3.00001E+11",    [CPN_NAME] = "a\tb",     [CPN_DISCOUNT] = "500",
        [CPN_MAX_DISCOUNT] = "300",    [CPN_MIN_ORDER] = "-1",  [CPN_VALID_FROM] = "2026-12-31",
        [CPN_VALID_TO] = "2026-12-30", [CPN_ISSUE_LIMIT] = "0", [CPN_PER_BUYER_LIMIT] = "x",
        [CPN_QSTORE_ONLY] = "maybe",
    };
    struct got g;
    struct coupon c;
    (void)state;

    memset(&g, 0, sizeof g);
    assert_int_equal(coupon_check(good, NULL, TOKYO, &c, collect, &g), 0);
    assert_string_equal(c.code, "WINTER"); /* trimmed */
    assert_string_equal(c.qsm_no, "0012"); /* text: its zeros kept */
    assert_string_equal(c.name, "冬の10%");
    assert_int_equal(c.kind, COUPON_PERCENT);
    assert_int_equal(c.discount, 10);
    assert_int_equal(c.max_discount, 1000);
    assert_int_equal(c.min_order, 0);
    assert_int_equal(c.valid_from, utc("2026-11-30T15:00:00Z"));
    assert_int_equal(c.valid_to, utc("2026-12-31T14:59:00Z"));
    assert_int_equal(c.issue_limit, -1);
    assert_int_equal(c.per_buyer_limit, -1);
    assert_int_equal(c.qstore_only, 1);
    assert_string_equal(coupon_state(&c, utc("2026-11-30T14:59:59Z")), "upcoming");
    assert_string_equal(coupon_state(&c, utc("2026-12-15T00:00:00Z")), "valid");
    assert_string_equal(coupon_state(&c, utc("2026-12-31T15:00:00Z")), "expired");

    /* An edit: NULL keeps a field, "" clears an optional one; checked as a whole. */
    struct coupon d;
    const char *edit[CPN_NFIELDS] = {[CPN_QSM_NO] = "", [CPN_DISCOUNT] = "500"};
    memset(&g, 0, sizeof g);
    assert_int_equal(coupon_check(edit, &c, TOKYO, &d, collect, &g), 1);
    assert_non_null(strstr(g.msg[CPN_MAX_DISCOUNT], "1000 goes only with a percent discount"));
    assert_string_equal(d.code, "WINTER");
    assert_string_equal(d.qsm_no, "");
    edit[CPN_MAX_DISCOUNT] = "";
    coupon_clear(&d);
    memset(&g, 0, sizeof g);
    assert_int_equal(coupon_check(edit, &c, TOKYO, &d, collect, &g), 0);
    assert_int_equal(d.max_discount, -1);
    assert_int_equal(d.valid_to, c.valid_to);
    coupon_clear(&d);
    coupon_clear(&c);

    /* Every bad field is reported, each once. */
    memset(&g, 0, sizeof g);
    assert_int_equal(coupon_check(bad, NULL, TOKYO, &c, collect, &g), 8);
    for (int f = 0; f < CPN_NFIELDS; f++)
        assert_int_equal(g.n[f],
                         f == CPN_QSM_NO || f == CPN_DISCOUNT || f == CPN_VALID_FROM ? 0 : 1);
    assert_non_null(strstr(g.msg[CPN_CODE], "scientific notation"));
    assert_non_null(strstr(g.msg[CPN_NAME], "control character"));
    assert_non_null(strstr(g.msg[CPN_MAX_DISCOUNT], "300 goes only with a percent discount"));
    assert_non_null(strstr(g.msg[CPN_MIN_ORDER], "\"-1\" is not a whole yen amount of 0 or more"));
    assert_non_null(
        strstr(g.msg[CPN_VALID_TO], "2026-12-30 23:59 is not after valid_from 2026-12-31 00:00"));
    assert_non_null(strstr(g.msg[CPN_ISSUE_LIMIT], "\"0\" is not a whole number of 1 or more"));
    assert_non_null(strstr(g.msg[CPN_PER_BUYER_LIMIT], "\"x\" is not a whole number"));
    assert_non_null(strstr(g.msg[CPN_QSTORE_ONLY], "\"maybe\" is not yes or no"));
    coupon_clear(&c);

    /* The required fields: missing (NULL) or empty. */
    const char *none[CPN_NFIELDS] = {[CPN_NAME] = " "};
    memset(&g, 0, sizeof g);
    assert_int_equal(coupon_check(none, NULL, TOKYO, &c, collect, &g), 5);
    assert_non_null(strstr(g.msg[CPN_CODE], "is missing"));
    assert_non_null(strstr(g.msg[CPN_NAME], "is empty"));
    assert_int_equal(g.n[CPN_DISCOUNT] + g.n[CPN_VALID_FROM] + g.n[CPN_VALID_TO], 3);
    coupon_clear(&c);
    coupon_clear(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        {"R-CPN-1 discount: yen off or a percent, in the forms sellers type", discount_forms, NULL,
         NULL, NULL},
        {"R-CPN-1 a percent discount is from 1% to 99%", percent_bounds, NULL, NULL, NULL},
        {"R-CPN-1 yen amounts are whole and non-negative, limits positive", amounts, NULL, NULL,
         NULL},
        {"R-CPN-1 qstore_only is yes or no", yes_no, NULL, NULL, NULL},
        {"R-CPN-1 validity times: date and time, or a date alone, in any zone", time_forms, NULL,
         NULL, NULL},
        {"R-CPN-1 a whole coupon: every bad field reported, edits kept or cleared", whole_coupon,
         NULL, NULL, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

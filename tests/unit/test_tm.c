/* Unit tests of libcore/tm: SPEC 1.5 time input, zones, DST, UTC storage, JST helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tm.h"

#define LA    "America/Los_Angeles"
#define TOKYO "Asia/Tokyo"

/* 2026-11-25T06:41:00Z = 2026-11-25 15:41:00 JST, the fixed "now" of most tests. */
#define NOW_2026_11_25 ((time_t)1795588860)

static time_t utc(const char *iso)
{
    time_t t = 0;
    if (tm_parse_utc_iso(iso, &t) != 0)
        fail_msg("bad test instant %s", iso);
    return t;
}

/* tm_parse(s, tz, now) must succeed and give the UTC instant want. */
static void parse_ok(const char *s, const char *tz, time_t now, const char *want)
{
    time_t t = 0;
    struct qs_err e;
    char got[32];
    err_clear(&e);
    if (tm_parse(s, tz, now, &t, &e) != 0)
        fail_msg("tm_parse(\"%s\", %s): expected %s, got error: %s", s, tz ? tz : "NULL", want,
                 e.msg);
    tm_utc_iso(t, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("tm_parse(\"%s\", %s): expected %s, got %s", s, tz ? tz : "NULL", want, got);
}

/* tm_parse(s) must fail with QS_E_USAGE, naming s, the reason (part) and the forms. */
static void parse_bad(const char *s, const char *tz, const char *part)
{
    time_t t = 42;
    struct qs_err e;
    err_clear(&e);
    int rc = tm_parse(s, tz, NOW_2026_11_25, &t, &e);
    if (rc != QS_E_USAGE)
        fail_msg("tm_parse(\"%s\"): expected QS_E_USAGE, got %d (%s)", s, rc, e.msg);
    assert_int_equal(e.code, QS_E_USAGE);
    assert_int_equal(t, 42);
    if (!strstr(e.msg, part))
        fail_msg("tm_parse(\"%s\"): expected \"%s\" in message, got: %s", s, part, e.msg);
    if (strncmp(e.msg, "unknown time zone", 17) != 0 &&
        (!strstr(e.msg, s) || !strstr(e.msg, "YYYY-MM-DD HH:MM[:SS]")))
        fail_msg("tm_parse(\"%s\"): message must name the value and the forms, got: %s", s, e.msg);
}

/* tm_format(t, tz, with_offset) must give want. */
static void format_is(const char *iso, const char *tz, int with_offset, const char *want)
{
    char got[64];
    assert_int_equal(tm_format(utc(iso), tz, with_offset, got, sizeof got), 0);
    if (strcmp(got, want) != 0)
        fail_msg("tm_format(%s, %s): expected \"%s\", got \"%s\"", iso, tz, want, got);
}

static void zone_valid_good_names(void **state)
{
    (void)state;
    assert_true(tm_zone_valid("UTC"));
    assert_true(tm_zone_valid(TOKYO));
    assert_true(tm_zone_valid(LA));
    assert_true(tm_zone_valid("Europe/London"));
    assert_true(tm_zone_valid("Etc/GMT+9"));
    assert_true(tm_zone_valid("America/Argentina/Buenos_Aires"));
}

static void zone_valid_rejects_bad_and_hostile_names(void **state)
{
    char longname[400];
    (void)state;
    memset(longname, 'A', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    const char *bad[] = {
        "",
        "Nowhere/City",
        "Asia/Tokio",
        "../etc/passwd",
        "/usr/share/zoneinfo/Asia/Tokyo",
        "/etc/passwd",
        "Asia/../Asia/Tokyo",
        "posix/../../../../etc/passwd",
        "Asia",
        "Asia/",
        "Asia/Tokyo/",
        "Asia//Tokyo",
        ".",
        "./UTC",
        "zone.tab",
        "tzdata.zi",
        "Asia/Tokyo\n",
        "Asia/Tokyo;rm -rf /",
        "Asia/Tokyo ",
        " UTC",
        ":Asia/Tokyo",
        "JST-9",
        longname,
    };
    assert_false(tm_zone_valid(NULL));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (tm_zone_valid(bad[i]))
            fail_msg("tm_zone_valid(\"%s\"): expected 0, got 1", bad[i]);
}

/* Copies the system's Asia/Tokyo to path (a zone under a test's own $TZDIR). */
static void copy_tokyo(const char *path)
{
    FILE *in = fopen("/usr/share/zoneinfo/Asia/Tokyo", "rb"), *out;
    char buf[4096];
    size_t n;
    assert_non_null(in);
    out = fopen(path, "wb");
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* tm_format keeps the zone it used last (issue 16: qs note send read the zone file once
 * per note): a second call in the same zone does not read the file again, and a call in
 * another zone replaces it. */
static void format_reads_a_zone_once(void **state)
{
    char dir[] = "/tmp/qs-tm-XXXXXX", sub[64], zone[96], got[64];
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/Test", dir);
    snprintf(zone, sizeof zone, "%s/Test/Kept", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    copy_tokyo(zone);
    assert_int_equal(setenv("TZDIR", dir, 1), 0);

    assert_int_equal(tm_format(0, "Test/Kept", 1, got, sizeof got), 0);
    assert_string_equal(got, "1970-01-01 09:00:00 +09:00");
    assert_int_equal(unlink(zone), 0);
    /* The file is gone: the zone kept from the first call still formats. */
    assert_int_equal(tm_format(3600, "Test/Kept", 1, got, sizeof got), 0);
    assert_string_equal(got, "1970-01-01 10:00:00 +09:00");
    /* Another zone replaces it... */
    assert_int_equal(tm_format(0, "UTC", 1, got, sizeof got), 0);
    assert_string_equal(got, "1970-01-01 00:00:00 +00:00");
    /* ...so the first is looked up again, and is not found now. */
    assert_int_equal(tm_format(0, "Test/Kept", 1, got, sizeof got), -1);
    assert_string_equal(got, "");

    assert_int_equal(unsetenv("TZDIR"), 0);
    assert_int_equal(rmdir(sub), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* $TZDIR is searched first; a non-TZif file there is not a zone. */
static void zone_valid_uses_tzdir(void **state)
{
    char dir[] = "/tmp/qs-tm-XXXXXX", sub[64], zone[96], fake[96], got[64];
    FILE *out;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/Test", dir);
    snprintf(zone, sizeof zone, "%s/Test/Zone", dir);
    snprintf(fake, sizeof fake, "%s/Test/Fake", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    copy_tokyo(zone);
    out = fopen(fake, "w");
    assert_non_null(out);
    fputs("not a zone\n", out);
    assert_int_equal(fclose(out), 0);

    assert_int_equal(setenv("TZDIR", dir, 1), 0);
    assert_true(tm_zone_valid("Test/Zone"));
    assert_false(tm_zone_valid("Test/Fake"));
    assert_true(tm_zone_valid(TOKYO)); /* still found in /usr/share/zoneinfo */
    assert_int_equal(tm_format(0, "Test/Zone", 1, got, sizeof got), 0);
    assert_string_equal(got, "1970-01-01 09:00:00 +09:00");
    assert_int_equal(unsetenv("TZDIR"), 0);
    assert_false(tm_zone_valid("Test/Zone"));

    assert_int_equal(unlink(zone), 0);
    assert_int_equal(unlink(fake), 0);
    assert_int_equal(rmdir(sub), 0);
    assert_int_equal(rmdir(dir), 0);
}

static void parse_now(void **state)
{
    (void)state;
    parse_ok("now", TOKYO, NOW_2026_11_25, "2026-11-25T06:41:00Z");
    parse_ok("now", LA, NOW_2026_11_25, "2026-11-25T06:41:00Z");
}

static void parse_local_forms_tokyo(void **state)
{
    (void)state;
    parse_ok("2026-11-25 15:41", TOKYO, 0, "2026-11-25T06:41:00Z");
    parse_ok("2026-11-25 15:41:07", TOKYO, 0, "2026-11-25T06:41:07Z");
    parse_ok("2026-11-25T15:41", TOKYO, 0, "2026-11-25T06:41:00Z");
    parse_ok("2026-11-25T15:41:07", TOKYO, 0, "2026-11-25T06:41:07Z");
    parse_ok("2026-11-25 9:05", TOKYO, 0, "2026-11-25T00:05:00Z");
    parse_ok("2026-11-25", TOKYO, 0, "2026-11-24T15:00:00Z");
    parse_ok("2026-01-01 00:00:00", TOKYO, 0, "2025-12-31T15:00:00Z");
    parse_ok("2028-02-29 12:00", TOKYO, 0, "2028-02-29T03:00:00Z");
    parse_ok("2026-11-25 23:59:59", "UTC", 0, "2026-11-25T23:59:59Z");
    parse_ok("2026-11-25 15:41", LA, 0, "2026-11-25T23:41:00Z");
}

static void parse_iso_with_offset_ignores_zone(void **state)
{
    (void)state;
    parse_ok("2026-11-25T06:41:00Z", TOKYO, 0, "2026-11-25T06:41:00Z");
    parse_ok("2026-11-25T06:41:00z", LA, 0, "2026-11-25T06:41:00Z");
    parse_ok("2026-11-25T06:41Z", NULL, 0, "2026-11-25T06:41:00Z");
    parse_ok("2026-11-25T06:41:00.123Z", TOKYO, 0, "2026-11-25T06:41:00Z");
    parse_ok("2026-11-25T15:41:00+09:00", LA, 0, "2026-11-25T06:41:00Z");
    parse_ok("2026-11-25T15:41:00+0900", LA, 0, "2026-11-25T06:41:00Z");
    parse_ok("2026-11-25T15:41:00+09", LA, 0, "2026-11-25T06:41:00Z");
    parse_ok("2026-11-24T22:41:00-08:00", TOKYO, 0, "2026-11-25T06:41:00Z");
    parse_ok("2026-11-25T12:11:00+05:30", TOKYO, 0, "2026-11-25T06:41:00Z");
    parse_ok("2026-11-25 01:41:00-0500", TOKYO, 0, "2026-11-25T06:41:00Z");
    /* tm_format's own output with an offset reads back */
    parse_ok("2026-11-25 15:41:00 +09:00", "Nowhere/City", 0, "2026-11-25T06:41:00Z");
    /* the offset may cross a date */
    parse_ok("2026-01-01T00:30:00+09:00", LA, 0, "2025-12-31T15:30:00Z");
}

static void parse_rejects_out_of_range(void **state)
{
    (void)state;
    parse_bad("2026-13-01", TOKYO, "month 13");
    parse_bad("2026-00-10", TOKYO, "month 00");
    parse_bad("2026-02-30 10:00", TOKYO, "day 30");
    parse_bad("2026-02-29", TOKYO, "day 29");
    parse_bad("2026-04-31", TOKYO, "day 31");
    parse_bad("2026-11-00", TOKYO, "day 00");
    parse_bad("2026-11-25 24:00", TOKYO, "hour 24");
    parse_bad("2026-11-25 10:60", TOKYO, "minute 60");
    parse_bad("2026-11-25 10:00:60", TOKYO, "second 60");
    parse_bad("24:00", TOKYO, "hour 24");
    parse_bad("12:60", TOKYO, "minute 60");
    parse_bad("0999-01-01", TOKYO, "year 999");
    parse_bad("2026-11-25T10:00+19:00", TOKYO, "offset +19:00");
    parse_bad("2026-11-25T10:00+09:60", TOKYO, "offset +09:60");
}

static void parse_rejects_bad_syntax(void **state)
{
    (void)state;
    parse_bad("", TOKYO, "not a date or time");
    parse_bad("tomorrow", TOKYO, "not a date or time");
    parse_bad("NOW", TOKYO, "not a date or time");
    parse_bad("now ", TOKYO, "not a date or time");
    parse_bad("2026-11-25 10:00 junk", TOKYO, "unexpected ' junk'");
    parse_bad("2026-11-25 10:00:00x", TOKYO, "unexpected 'x'");
    parse_bad("2026-11-25x", TOKYO, "unexpected 'x'");
    parse_bad("2026-11-25 ", TOKYO, "not HH:MM");
    parse_bad("2026-1-5", TOKYO, "not YYYY-MM-DD");
    parse_bad("2026/11/25", TOKYO, "not a date or time");
    parse_bad("20261125", TOKYO, "not a date or time");
    parse_bad("10:00Z", TOKYO, "unexpected 'Z'");
    parse_bad("10:0", TOKYO, "not a date or time");
    parse_bad("123:00", TOKYO, "not a date or time");
    parse_bad("10:00:5", TOKYO, "not a date or time");
    parse_bad("2026-11-25T10:00+9", TOKYO, "unexpected '+9'");
    parse_bad("2026-11-25T10:00+09:0", TOKYO, "unexpected");
    parse_bad("2026-11-25T10:00Zulu", TOKYO, "unexpected");
    parse_bad("'; DROP TABLE listing; --", TOKYO, "not a date or time");
}

static void parse_rejects_unknown_zone(void **state)
{
    time_t t = 7;
    struct qs_err e;
    (void)state;
    parse_bad("2026-11-25 10:00", "Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons'");
    parse_bad("10:00", "../../etc/passwd", "unknown time zone");
    parse_bad("2026-11-25", NULL, "unknown time zone");
    err_clear(&e);
    assert_int_equal(tm_from_local(2026, 11, 25, 10, 0, 0, "Nowhere/City", &t, &e), QS_E_USAGE);
    assert_int_equal(t, 7);
    assert_non_null(strstr(e.msg, "unknown time zone"));
}

/* SPEC 1.5: "HH:MM" is today in tz, or tomorrow if already past. */
static void parse_hhmm_today_or_tomorrow(void **state)
{
    (void)state;
    /* now = 2026-11-25 15:41:00 JST */
    parse_ok("16:00", TOKYO, NOW_2026_11_25, "2026-11-25T07:00:00Z");
    parse_ok("15:42", TOKYO, NOW_2026_11_25, "2026-11-25T06:42:00Z");
    parse_ok("15:41", TOKYO, NOW_2026_11_25, "2026-11-25T06:41:00Z"); /* now itself: today */
    parse_ok("15:40:59", TOKYO, NOW_2026_11_25, "2026-11-26T06:40:59Z");
    parse_ok("15:00", TOKYO, NOW_2026_11_25, "2026-11-26T06:00:00Z");
    parse_ok("00:00", TOKYO, NOW_2026_11_25, "2026-11-25T15:00:00Z");
    parse_ok("9:30", TOKYO, NOW_2026_11_25, "2026-11-26T00:30:00Z");
    parse_ok("23:59:59", TOKYO, NOW_2026_11_25, "2026-11-25T14:59:59Z");
    /* "today" is the date in tz, not in UTC: 2026-11-25T20:00Z is the 26th in Tokyo */
    parse_ok("06:00", TOKYO, utc("2026-11-25T20:00:00Z"), "2026-11-25T21:00:00Z");
    parse_ok("04:00", TOKYO, utc("2026-11-25T20:00:00Z"), "2026-11-26T19:00:00Z");
    /* ... and the 24th in Los Angeles at 06:41Z (22:41 PST) */
    parse_ok("23:00", LA, NOW_2026_11_25, "2026-11-25T07:00:00Z");
    parse_ok("22:00", LA, NOW_2026_11_25, "2026-11-26T06:00:00Z");
    /* tomorrow crosses a year */
    parse_ok("08:00", TOKYO, utc("2026-12-31T01:00:00Z"),
             "2026-12-31T23:00:00Z"); /* 2027-01-01 08:00 JST */
    /* 2026-12-31 23:00 PST: tomorrow is in 2027 */
    parse_ok("22:00", LA, utc("2027-01-01T07:00:00Z"), "2027-01-02T06:00:00Z");
    /* tomorrow is a DST day: 02:30 tomorrow does not exist in LA, moves to 03:30 PDT */
    parse_ok("02:30", LA, utc("2026-03-07T20:00:00Z"), "2026-03-08T10:30:00Z");
    /* tomorrow has 25 hours: 01:30 is twice, the earlier (PDT) is taken */
    parse_ok("01:30", LA, utc("2026-10-31T20:00:00Z"), "2026-11-01T08:30:00Z");
}

/* SPEC 1.5, issue 8 item 20: the current minute is today (10:00 at 10:00:40 is not
 * tomorrow's); tm_parse_after places a time of day at or after not_before and says how;
 * now is passed in, never the clock. */
static void parse_after_places_clock(void **state)
{
    time_t t = 0, now = utc("2026-11-25T06:41:40Z"); /* 15:41:40 JST */
    struct qs_err e;
    int clock = -1;
    (void)state;
    parse_ok("15:41", TOKYO, now, "2026-11-25T06:41:00Z");
    parse_ok("15:41:30", TOKYO, now, "2026-11-25T06:41:30Z");
    parse_ok("15:40:59", TOKYO, now, "2026-11-26T06:40:59Z");
    err_clear(&e);
    /* not_before 22:05 JST: 23:05 is that day's, 01:00 the next day's. */
    time_t nb = utc("2026-11-25T13:05:01Z");
    assert_int_equal(tm_parse_after("23:05", TOKYO, now, nb, &t, &clock, &e), 0);
    assert_int_equal(clock, TM_CLOCK_SAME_DAY);
    assert_int_equal(t, utc("2026-11-25T14:05:00Z"));
    assert_int_equal(tm_parse_after("01:00", TOKYO, now, nb, &t, &clock, &e), 0);
    assert_int_equal(clock, TM_CLOCK_NEXT_DAY);
    assert_int_equal(t, utc("2026-11-25T16:00:00Z"));
    assert_int_equal(tm_parse_after("22:05", TOKYO, now, nb, &t, &clock, &e), 0);
    assert_int_equal(clock, TM_CLOCK_NEXT_DAY);
    assert_int_equal(t, utc("2026-11-26T13:05:00Z"));
    /* Not a time of day alone: as tm_parse, not_before plays no part. */
    assert_int_equal(tm_parse_after("2026-11-25 10:00", TOKYO, now, nb, &t, &clock, &e), 0);
    assert_int_equal(clock, TM_NOT_CLOCK);
    assert_int_equal(t, utc("2026-11-25T01:00:00Z"));
    assert_int_equal(tm_parse_after("now", TOKYO, now, nb, &t, &clock, &e), 0);
    assert_int_equal(clock, TM_NOT_CLOCK);
    assert_int_equal(t, now);
}

/* 2026 in Los Angeles: PST -> PDT on 2026-03-08 at 02:00 (10:00Z),
 * PDT -> PST on 2026-11-01 at 02:00 PDT (09:00Z). */
static void la_spring_forward_gap_moves_forward(void **state)
{
    time_t t = 0;
    struct qs_err e;
    char got[32];
    (void)state;
    parse_ok("2026-03-08 01:59:59", LA, 0, "2026-03-08T09:59:59Z");
    parse_ok("2026-03-08 02:00", LA, 0, "2026-03-08T10:00:00Z");
    parse_ok("2026-03-08 02:30", LA, 0, "2026-03-08T10:30:00Z");
    parse_ok("2026-03-08 02:59:59", LA, 0, "2026-03-08T10:59:59Z");
    parse_ok("2026-03-08 03:00", LA, 0, "2026-03-08T10:00:00Z");
    parse_ok("2026-03-08 03:30", LA, 0, "2026-03-08T10:30:00Z");
    err_clear(&e);
    assert_int_equal(tm_from_local(2026, 3, 8, 2, 30, 0, LA, &t, &e), 0);
    assert_string_equal(tm_utc_iso(t, got, sizeof got), "2026-03-08T10:30:00Z");
    format_is("2026-03-08T10:30:00Z", LA, 1, "2026-03-08 03:30:00 -07:00");
    format_is("2026-03-08T09:59:59Z", LA, 1, "2026-03-08 01:59:59 -08:00");
}

static void la_fall_back_overlap_takes_earlier(void **state)
{
    time_t t = 0;
    struct qs_err e;
    char got[32];
    (void)state;
    parse_ok("2026-11-01 00:59:59", LA, 0, "2026-11-01T07:59:59Z");
    parse_ok("2026-11-01 01:00", LA, 0, "2026-11-01T08:00:00Z");
    parse_ok("2026-11-01 01:30", LA, 0, "2026-11-01T08:30:00Z");
    parse_ok("2026-11-01 01:59:59", LA, 0, "2026-11-01T08:59:59Z");
    parse_ok("2026-11-01 02:00", LA, 0, "2026-11-01T10:00:00Z");
    /* the later 01:30 is reachable with its offset */
    parse_ok("2026-11-01T01:30:00-08:00", LA, 0, "2026-11-01T09:30:00Z");
    parse_ok("2026-11-01T01:30:00-07:00", LA, 0, "2026-11-01T08:30:00Z");
    err_clear(&e);
    assert_int_equal(tm_from_local(2026, 11, 1, 1, 30, 0, LA, &t, &e), 0);
    assert_string_equal(tm_utc_iso(t, got, sizeof got), "2026-11-01T08:30:00Z");
    format_is("2026-11-01T08:30:00Z", LA, 1, "2026-11-01 01:30:00 -07:00");
    format_is("2026-11-01T09:30:00Z", LA, 1, "2026-11-01 01:30:00 -08:00");
    format_is("2026-11-01T09:30:00Z", LA, 0, "2026-11-01 01:30:00");
}

/* The same rules east of UTC, and on a day Samoa skipped entirely. */
static void other_zones_dst(void **state)
{
    (void)state;
    /* Europe/London 2026: gap 01:00-02:00 on 03-29, overlap 01:00-02:00 on 10-25 */
    parse_ok("2026-03-29 01:30", "Europe/London", 0, "2026-03-29T01:30:00Z");
    parse_ok("2026-03-29 00:59", "Europe/London", 0, "2026-03-29T00:59:00Z");
    parse_ok("2026-10-25 01:30", "Europe/London", 0, "2026-10-25T00:30:00Z");
    format_is("2026-03-29T01:30:00Z", "Europe/London", 1, "2026-03-29 02:30:00 +01:00");
    /* Pacific/Apia jumped from 2011-12-29 23:59:59 -10:00 to 2011-12-31 00:00 +14:00 */
    parse_ok("2011-12-30 12:00", "Pacific/Apia", 0, "2011-12-30T22:00:00Z");
    format_is("2011-12-30T22:00:00Z", "Pacific/Apia", 1, "2011-12-31 12:00:00 +14:00");
    /* a half-hour zone */
    parse_ok("2026-11-25 12:11", "Asia/Kolkata", 0, "2026-11-25T06:41:00Z");
    format_is("2026-11-25T06:41:00Z", "Asia/Kolkata", 1, "2026-11-25 12:11:00 +05:30");
    format_is("2026-11-25T06:41:00Z", "America/St_Johns", 1, "2026-11-25 03:11:00 -03:30");
}

static void from_local_checks_fields(void **state)
{
    time_t t = 7;
    struct qs_err e;
    (void)state;
    const int bad[][6] = {
        {2026, 13, 1, 0, 0, 0},    {2026, 0, 1, 0, 0, 0},    {2026, 2, 29, 0, 0, 0},
        {2026, 11, 31, 0, 0, 0},   {2026, 11, 25, 24, 0, 0}, {2026, 11, 25, 10, 60, 0},
        {2026, 11, 25, 10, 0, 60}, {2026, 11, 25, -1, 0, 0}, {10000, 1, 1, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_clear(&e);
        int rc = tm_from_local(bad[i][0], bad[i][1], bad[i][2], bad[i][3], bad[i][4], bad[i][5],
                               TOKYO, &t, &e);
        if (rc != QS_E_USAGE || t != 7 || !strstr(e.msg, "out of range"))
            fail_msg("tm_from_local case %zu: expected QS_E_USAGE, got %d (%s)", i, rc, e.msg);
    }
    err_clear(&e);
    assert_int_equal(tm_from_local(2024, 2, 29, 23, 59, 59, TOKYO, &t, &e), 0);
    assert_int_equal(t, utc("2024-02-29T14:59:59Z"));
}

static void utc_iso_both_ways(void **state)
{
    char buf[32], small[10];
    time_t t = 5;
    (void)state;
    assert_string_equal(tm_utc_iso(NOW_2026_11_25, buf, sizeof buf), "2026-11-25T06:41:00Z");
    assert_string_equal(tm_utc_iso(0, buf, sizeof buf), "1970-01-01T00:00:00Z");
    assert_int_equal(strlen(tm_utc_iso(NOW_2026_11_25, buf, 21)), 20);
    assert_string_equal(tm_utc_iso(NOW_2026_11_25, small, sizeof small), "");
    assert_int_equal(tm_parse_utc_iso("2026-11-25T06:41:00Z", &t), 0);
    assert_int_equal(t, NOW_2026_11_25);
    const char *bad[] = {
        "",
        "2026-11-25T06:41:00",
        "2026-11-25 06:41:00Z",
        "2026-11-25T06:41:00Zx",
        "2026-11-25T06:41Z",
        "2026-13-25T06:41:00Z",
        "2026-02-29T06:41:00Z",
        "2026-11-25T24:00:00Z",
        "2026-11-25T06:41:00+09:00",
        "2026-11-2xT06:41:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = 5;
        if (tm_parse_utc_iso(bad[i], &t) != -1 || t != 5)
            fail_msg("tm_parse_utc_iso(\"%s\"): expected -1", bad[i]);
    }
    assert_int_equal(tm_parse_utc_iso(NULL, &t), -1);
}

static void format_in_zones(void **state)
{
    char buf[64];
    (void)state;
    format_is("2026-11-25T06:41:00Z", TOKYO, 0, "2026-11-25 15:41:00");
    format_is("2026-11-25T06:41:00Z", TOKYO, 1, "2026-11-25 15:41:00 +09:00");
    format_is("2026-11-25T06:41:00Z", LA, 1, "2026-11-24 22:41:00 -08:00");
    format_is("2026-07-01T00:00:00Z", LA, 1, "2026-06-30 17:00:00 -07:00");
    format_is("2026-11-25T06:41:00Z", "UTC", 1, "2026-11-25 06:41:00 +00:00");
    assert_int_equal(tm_format(0, "Nowhere/City", 0, buf, sizeof buf), -1);
    assert_int_equal(tm_format(0, NULL, 0, buf, sizeof buf), -1);
    assert_int_equal(tm_format(0, TOKYO, 0, buf, 20), 0); /* 19 characters and the NUL */
    assert_string_equal(buf, "1970-01-01 09:00:00");
    assert_int_equal(tm_format(0, TOKYO, 0, buf, 19), -1);
    assert_int_equal(tm_format(0, TOKYO, 1, buf, 26), -1);
    assert_string_equal(buf, "");
    assert_int_equal(tm_format(0, TOKYO, 1, buf, 27), 0);
    assert_string_equal(buf, "1970-01-01 09:00:00 +09:00");
}

/* Every instant formats and parses back: exactly with the offset; without it, to the
 * same instant except the second pass of a fall-back hour, which reads as the first. */
static void format_parse_round_trip(void **state)
{
    const char *zones[] = {"UTC",         TOKYO, LA, "Europe/London", "Australia/Lord_Howe",
                           "Asia/Kolkata"};
    (void)state;
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        for (time_t t = utc("2026-01-01T00:00:00Z"); t < utc("2027-01-01T00:00:00Z");
             t += 3 * 3600 + 17 * 60 + 11) {
            char with[64], without[64], again[64];
            time_t back = 0;
            struct qs_err e;
            err_clear(&e);
            assert_int_equal(tm_format(t, zones[z], 1, with, sizeof with), 0);
            assert_int_equal(tm_format(t, zones[z], 0, without, sizeof without), 0);
            if (tm_parse(with, zones[z], 0, &back, &e) != 0 || back != t)
                fail_msg("%s: \"%s\" read back as %lld, expected %lld (%s)", zones[z], with,
                         (long long)back, (long long)t, e.msg);
            if (tm_parse(without, zones[z], 0, &back, &e) != 0)
                fail_msg("%s: \"%s\": %s", zones[z], without, e.msg);
            if (back != t) {
                assert_int_equal(tm_format(back, zones[z], 0, again, sizeof again), 0);
                if (back > t || strcmp(again, without) != 0)
                    fail_msg("%s: \"%s\" read back as %lld, expected %lld", zones[z], without,
                             (long long)back, (long long)t);
            }
        }
    }
}

static void jst_parse_forms(void **state)
{
    time_t t = 0;
    char got[32];
    (void)state;
    const char *forms[][2] = {
        {"2026-11-25 15:41:00", "2026-11-25T06:41:00Z"},
        {"2026-11-25 15:41:00.000", "2026-11-25T06:41:00Z"},
        {"2026/11/25 15:41:00", "2026-11-25T06:41:00Z"},
        {"2026-11-25", "2026-11-24T15:00:00Z"},
        {"20261125", "2026-11-24T15:00:00Z"},
        {"20261125154100", "2026-11-25T06:41:00Z"},
        {"2026/11/25", "2026-11-24T15:00:00Z"},
        {"2026-01-01 08:59:59", "2025-12-31T23:59:59Z"},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        t = 0;
        if (tm_parse_jst(forms[i][0], &t) != 0)
            fail_msg("tm_parse_jst(\"%s\"): expected %s, got -1", forms[i][0], forms[i][1]);
        tm_utc_iso(t, got, sizeof got);
        if (strcmp(got, forms[i][1]) != 0)
            fail_msg("tm_parse_jst(\"%s\"): expected %s, got %s", forms[i][0], forms[i][1], got);
    }
    const char *bad[] = {
        "",
        "2026-11-25 15:41",
        "2026-11-25T15:41:00",
        "2026-11-25 15:41:00Z",
        "2026-11-25 15:41:00 ",
        "2026/11-25",
        "2026-13-25",
        "20260230",
        "202611251541",
        "2026112515410",
        "20261125250000",
        "2026-11-25 15:60:00",
        "+81--",
        "2026",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = 99;
        if (tm_parse_jst(bad[i], &t) != -1 || t != 99)
            fail_msg("tm_parse_jst(\"%s\"): expected -1 and out unchanged", bad[i]);
    }
    t = 99;
    assert_int_equal(tm_parse_jst(NULL, &t), -1);
    assert_int_equal(t, 99);
}

static void jst_format_and_round_trip(void **state)
{
    char buf[64], tiny[4];
    time_t t = 0;
    (void)state;
    assert_string_equal(tm_format_jst(NOW_2026_11_25, "%Y%m%d%H%M%S", buf, sizeof buf),
                        "20261125154100");
    assert_string_equal(tm_format_jst(NOW_2026_11_25, "%Y-%m-%d %H:%M:%S", buf, sizeof buf),
                        "2026-11-25 15:41:00");
    assert_string_equal(tm_format_jst(utc("2026-11-25T15:00:00Z"), "%Y/%m/%d", buf, sizeof buf),
                        "2026/11/26");
    assert_string_equal(tm_format_jst(NOW_2026_11_25, "%z %Z", buf, sizeof buf), "+0900 JST");
    assert_string_equal(tm_format_jst(NOW_2026_11_25, "%Y%m%d", tiny, sizeof tiny), "");
    /* both ways */
    assert_int_equal(
        tm_parse_jst(tm_format_jst(NOW_2026_11_25, "%Y%m%d%H%M%S", buf, sizeof buf), &t), 0);
    assert_int_equal(t, NOW_2026_11_25);
    assert_int_equal(
        tm_parse_jst(tm_format_jst(NOW_2026_11_25, "%Y-%m-%d %H:%M:%S", buf, sizeof buf), &t), 0);
    assert_int_equal(t, NOW_2026_11_25);
    /* agrees with the zone file */
    assert_int_equal(tm_format(NOW_2026_11_25, TOKYO, 0, buf, sizeof buf), 0);
    assert_int_equal(tm_parse_jst(buf, &t), 0);
    assert_int_equal(t, NOW_2026_11_25);
}

/* tm sets TZ for the length of a call: the caller's TZ -- set or unset -- and the
 * zone localtime() uses must be the same afterwards, also after a failed call. */
/* glibc's own reading of t in the zone file of tz (the TZ path tm_format took before
 * zones had tables), as tm_format prints it with the offset. TZ stays set (tzset with the
 * same value reads nothing); the caller unsets it. */
static void glibc_format(time_t t, const char *tz, char *buf, size_t size)
{
    char spec[300];
    struct tm tm;
    long off, a;
    snprintf(spec, sizeof spec, ":/usr/share/zoneinfo/%s", tz);
    assert_int_equal(setenv("TZ", spec, 1), 0);
    tzset();
    assert_non_null(localtime_r(&t, &tm));
    off = tm.tm_gmtoff;
    a = off < 0 ? -off : off;
    snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d %c%02ld:%02ld", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
             a / 3600, a / 60 % 60);
}

/* A zone opened once prints what glibc prints from the same file: before the first
 * transition, between transitions (every 23 days and 5 hours from 1890 to 2045, the minutes around
 * a DST change), past the last one (fixed-offset footers from the table, DST footers and
 * leap-second files through TZ), odd offsets (+05:45, -03:30, Lord Howe's half-hour DST). */
static void zone_handle_matches_glibc(void **state)
{
    static const char *const zones[] = {
        TOKYO,
        LA,
        "Europe/London",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "America/St_Johns",
        "Africa/Casablanca",
        "Pacific/Apia",
        "Etc/GMT+5",
        "UTC",
        "right/Asia/Tokyo",
        "Antarctica/Troll",
    };
    char got[64], want[64], two[64];
    struct tm_zone *z;
    struct qs_err e;
    (void)state;
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        assert_int_equal(tm_zone_open(zones[i], &z, &e), 0);
        assert_string_equal(tm_zone_name(z), zones[i]);
        for (time_t t = -2524521600LL; t < 2366841600LL; t += 23 * 86400 + 5 * 3600 + 17) {
            assert_int_equal(tm_zone_format(z, t, 1, got, sizeof got), 0);
            glibc_format(t, zones[i], want, sizeof want);
            if (strcmp(got, want) != 0)
                fail_msg("%s at %lld: %s, glibc %s", zones[i], (long long)t, got, want);
        }
        tm_zone_free(z);
    }
    /* the minutes around a spring-forward change, and tm_format agrees with the handle */
    assert_int_equal(tm_zone_open(LA, &z, &e), 0);
    for (time_t t = utc("2026-03-08T09:50:00Z"); t < utc("2026-03-08T10:10:00Z"); t += 59) {
        assert_int_equal(tm_zone_format(z, t, 1, got, sizeof got), 0);
        glibc_format(t, LA, want, sizeof want);
        assert_string_equal(got, want);
        assert_int_equal(tm_format(t, LA, 1, two, sizeof two), 0);
        assert_string_equal(two, got);
    }
    tm_zone_free(z);
    assert_int_equal(unsetenv("TZ"), 0);
    tzset();
    assert_int_equal(tm_zone_open("Nowhere/City", &z, &e), QS_E_USAGE);
    assert_null(z);
    assert_non_null(strstr(e.msg, "unknown time zone 'Nowhere/City'"));
    tm_zone_free(NULL);
}

static void caller_tz_is_restored(void **state)
{
    char buf[64];
    time_t t;
    struct tm lt;
    struct qs_err e;
    time_t jan = utc("2026-01-15T12:00:00Z");
    (void)state;
    assert_int_equal(setenv("TZ", "Europe/Paris", 1), 0);
    tzset();
    assert_int_equal(tm_format(jan, TOKYO, 1, buf, sizeof buf), 0);
    assert_int_equal(tm_parse("2026-11-01 01:30", LA, 0, &t, &e), 0);
    assert_int_equal(tm_parse("10:00", LA, NOW_2026_11_25, &t, &e), 0);
    assert_int_equal(tm_from_local(2026, 3, 8, 2, 30, 0, LA, &t, &e), 0);
    assert_int_equal(tm_parse("10:00", "Nowhere/City", 0, &t, &e), QS_E_USAGE);
    assert_int_equal(tm_format(jan, "Nowhere/City", 1, buf, sizeof buf), -1);
    assert_non_null(getenv("TZ"));
    assert_string_equal(getenv("TZ"), "Europe/Paris");
    assert_non_null(localtime_r(&jan, &lt));
    assert_int_equal(lt.tm_gmtoff, 3600);
    assert_int_equal(lt.tm_hour, 13);

    assert_int_equal(unsetenv("TZ"), 0);
    tzset();
    assert_int_equal(tm_format(jan, LA, 1, buf, sizeof buf), 0);
    assert_int_equal(tm_parse("2026-11-25 10:00", TOKYO, 0, &t, &e), 0);
    assert_null(getenv("TZ"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zone_valid_good_names),
        cmocka_unit_test(zone_valid_rejects_bad_and_hostile_names),
        cmocka_unit_test(zone_valid_uses_tzdir),
        cmocka_unit_test(format_reads_a_zone_once),
        cmocka_unit_test(parse_now),
        cmocka_unit_test(parse_local_forms_tokyo),
        cmocka_unit_test(parse_iso_with_offset_ignores_zone),
        cmocka_unit_test(parse_rejects_out_of_range),
        cmocka_unit_test(parse_rejects_bad_syntax),
        cmocka_unit_test(parse_rejects_unknown_zone),
        cmocka_unit_test(parse_hhmm_today_or_tomorrow),
        cmocka_unit_test(parse_after_places_clock),
        cmocka_unit_test(la_spring_forward_gap_moves_forward),
        cmocka_unit_test(la_fall_back_overlap_takes_earlier),
        cmocka_unit_test(other_zones_dst),
        cmocka_unit_test(from_local_checks_fields),
        cmocka_unit_test(utc_iso_both_ways),
        cmocka_unit_test(format_in_zones),
        cmocka_unit_test(format_parse_round_trip),
        cmocka_unit_test(jst_parse_forms),
        cmocka_unit_test(jst_format_and_round_trip),
        cmocka_unit_test(zone_handle_matches_glibc),
        cmocka_unit_test(caller_tz_is_restored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

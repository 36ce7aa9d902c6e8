/* tm: time as SPEC 1.5 wants it -- stored UTC, read and printed in any IANA zone. */
#ifndef QS_TM_H
#define QS_TM_H

#include <stddef.h>
#include <time.h>

#include "err.h"

/* 1 when tz names an IANA zone known to this system (e.g. "Asia/Tokyo", "UTC"). */
int tm_zone_valid(const char *tz);
/* A zone resolved once: its file located, checked and read (tm_zone.c). A caller that
 * prints many times opens it once and formats with tm_zone_format. */
struct tm_zone;
/* Resolves tz into *out (freed with tm_zone_free). Returns 0, or QS_E_USAGE when tz is
 * not a zone tm_zone_valid knows. */
int tm_zone_open(const char *tz, struct tm_zone **out, struct qs_err *e);
void tm_zone_free(struct tm_zone *z);
/* The name z was opened with. */
const char *tm_zone_name(const struct tm_zone *z);
/* Parses a time given by a user, in zone tz, relative to now:
 *   "now"; "YYYY-MM-DD HH:MM[:SS]" (also with 'T'); "YYYY-MM-DD" (midnight);
 *   "HH:MM[:SS]" (today in tz, or tomorrow if already past; the current minute is
 *   today);
 *   ISO-8601 with "Z" or a "+HH:MM"/"-HH:MM" offset (tz then ignored).
 * A local time skipped by a DST change is moved forward by the gap; an ambiguous
 * one takes the earlier instant. Returns 0, or QS_E_USAGE with a message. */
int tm_parse(const char *s, const char *tz, time_t now, time_t *out, struct qs_err *e);
/* How tm_parse_after placed its input. */
enum tm_clock {
    TM_NOT_CLOCK,      /* not a time of day alone (a date, an offset, "now") */
    TM_CLOCK_SAME_DAY, /* a time of day on the date of not_before */
    TM_CLOCK_NEXT_DAY, /* a time of day before not_before on its date: the next day's */
};
/* As tm_parse, but a time of day alone (HH:MM[:SS]) is taken at its first occurrence at or
 * after not_before in tz (on not_before's date, else the next day's); *clock (may be NULL)
 * says how. tm_parse is tm_parse_after with not_before the start of now's minute. */
int tm_parse_after(const char *s, const char *tz, time_t now, time_t not_before, time_t *out,
                   int *clock, struct qs_err *e);
/* Converts a local wall time in tz to UTC (rules of tm_parse). Returns 0 or QS_E_USAGE. */
int tm_from_local(int year, int mon, int day, int hour, int min, int sec, const char *tz,
                  time_t *out, struct qs_err *e);
/* Writes t as UTC ISO-8601 "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with NUL) into buf. */
char *tm_utc_iso(time_t t, char *buf, size_t size);
/* Parses what tm_utc_iso writes. Returns 0 or -1. */
int tm_parse_utc_iso(const char *s, time_t *out);
/* Writes t as "YYYY-MM-DD HH:MM:SS" in zone tz, followed by " +09:00"-style offset when
 * with_offset. Returns 0, or -1 when tz is unknown. */
int tm_format(time_t t, const char *tz, int with_offset, char *buf, size_t size);
/* tm_format in the zone z, with the same output. */
int tm_zone_format(const struct tm_zone *z, time_t t, int with_offset, char *buf, size_t size);

/* Parses a Qoo10 QAPI date, Japan time (Asia/Tokyo, UTC+9, no DST): "yyyy-MM-dd HH:mm:ss"
 * (also with '/' and a ".fff" fraction), "yyyy-MM-dd", "yyyyMMdd", "yyyyMMddHHmmss",
 * "yyyy/MM/dd". Returns 0, or -1 (out unchanged) when s is empty or not one of these. */
int tm_parse_jst(const char *s, time_t *out);
/* Formats t in Japan time with strftime's fmt (e.g. "%Y%m%d%H%M%S"; %z gives +0900).
 * Returns buf; buf is "" when the result does not fit. */
char *tm_format_jst(time_t t, const char *fmt, char *buf, size_t size);

#endif

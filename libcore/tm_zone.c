/* tm_zone: a zone resolved once (SPEC 1.5) -- its TZif file located, checked and read into
 * a table of transitions, so that printing a time is a lookup, not a trip through TZ.
 *
 * The table answers as glibc's localtime does from the same file: before the first
 * transition the first standard-time type, between transitions the type in force, after
 * the last one the footer's fixed offset (or the last type when there is no footer).
 * What the table does not settle -- a footer with DST rules (past the file's last
 * transition), a file with leap seconds, one qs cannot read -- goes the old way: TZ
 * pointed at the file for one call and restored after (tm_zone_enter/tm_zone_leave).
 * The file is located and checked by us first: glibc silently falls back to UTC for a
 * name it cannot find, which would turn a typo into a wrong time. */
#include "tm_zone.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

#define ZONE_NAME_MAX 255
#define ZONE_FILE_MAX (1L << 20) /* larger: not read into a table (TZ path only) */
#define ZONE_UNKNOWN  "unknown time zone '%.64s'; use an IANA name such as Asia/Tokyo or UTC"

struct tm_zone {
    char *name;
    char *path;  /* the TZif file; "" for "UTC" without one */
    int table;   /* 1 when the fields below settle instants */
    size_t n;    /* transitions */
    int64_t *at; /* transition times, ascending */
    unsigned char *type;
    long *off; /* UTC offset of each local time type */
    long first, tail_off;
    int tail; /* 1: from the last transition on, the offset is tail_off */
};

/* A zone name is a relative path of plain components: no "..", no leading '/' or
 * '.', no empty component, no characters outside the IANA set. */
static int name_ok(const char *tz)
{
    size_t n = tz ? strlen(tz) : 0;
    if (n == 0 || n > ZONE_NAME_MAX)
        return 0;
    int start = 1; /* at the start of a component */
    for (const char *p = tz; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (start && (c == '/' || c == '.'))
            return 0;
        if (!isalnum(c) && !strchr("/_+-.", c))
            return 0;
        start = c == '/';
    }
    return !start && !strstr(tz, "..");
}

/* Reads path when it is a regular file starting with the TZif magic: *buf (malloc'd, NULL
 * when the file is too large to be tabled) and *len. Returns 1, or 0 when it is not. */
static int read_tzif(const char *path, unsigned char **buf, size_t *len)
{
    struct stat st;
    unsigned char magic[4];
    int ok = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    *buf = NULL;
    *len = 0;
    if (fd < 0)
        return 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        if (st.st_size >= 4 && st.st_size <= ZONE_FILE_MAX) {
            size_t want = (size_t)st.st_size, got = 0;
            ssize_t r = 1;
            *buf = xmalloc(want);
            while (got < want && (r = read(fd, *buf + got, want - got)) > 0)
                got += (size_t)r;
            *len = got;
            ok = got >= 4 && memcmp(*buf, "TZif", 4) == 0;
        } else {
            ok = read(fd, magic, sizeof magic) == (ssize_t)sizeof magic &&
                 memcmp(magic, "TZif", 4) == 0;
        }
    }
    close(fd);
    if (!ok) {
        free(*buf);
        *buf = NULL;
    }
    return ok;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be_time(const unsigned char *p, int size)
{
    if (size == 4)
        return (int32_t)be32(p);
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* A POSIX TZ footer without DST ("JST-9", "<+0330>-3:30"): *off, seconds east of UTC.
 * Returns 1, or 0 for anything else (DST rules: the TZ path settles those). */
static int footer_fixed(const char *s, const char *end, long *off)
{
    long h = 0, m = 0, sec = 0, sign = 1;
    if (s < end && *s == '<') {
        while (s < end && *s != '>')
            s++;
        if (s++ == end)
            return 0;
    } else {
        const char *name = s;
        while (s < end && isalpha((unsigned char)*s))
            s++;
        if (s - name < 3)
            return 0;
    }
    if (s < end && (*s == '+' || *s == '-'))
        sign = *s++ == '-' ? -1 : 1;
    if (s == end || !isdigit((unsigned char)*s))
        return 0;
    while (s < end && isdigit((unsigned char)*s))
        h = h * 10 + (*s++ - '0');
    if (s < end && *s == ':') {
        for (s++; s < end && isdigit((unsigned char)*s);)
            m = m * 10 + (*s++ - '0');
        if (s < end && *s == ':')
            for (s++; s < end && isdigit((unsigned char)*s);)
                sec = sec * 10 + (*s++ - '0');
    }
    if (s != end || h > 167)
        return 0;
    *off = -sign * (h * 3600 + m * 60 + sec); /* POSIX counts west of UTC */
    return 1;
}

/* Fills z's table from the TZif data b (RFC 8536); leaves z->table 0 when the data is not
 * one it settles alone. */
static void parse(struct tm_zone *z, const unsigned char *b, size_t len)
{
    size_t pos = 0, c[6], need, ntype;
    int tsize = 4;

    if (len < 44)
        return;
    for (int pass = 0;; pass++) {
        for (int i = 0; i < 6; i++)
            c[i] = be32(b + pos + 20 + 4 * (size_t)i);
        need = 44 + c[3] * (size_t)tsize + c[3] + c[4] * 6 + c[5] + c[2] * (size_t)(tsize + 4) +
               c[1] + c[0];
        if (c[3] > 100000 || c[4] > 256 || c[5] > 100000 || c[2] > 100000 || pos + need > len)
            return;
        if (pass == 1 || b[4] < '2')
            break;
        pos += need; /* version 2+: the 64-bit data follow the 32-bit ones */
        tsize = 8;
        if (pos + 44 > len || memcmp(b + pos, "TZif", 4) != 0)
            return;
    }
    ntype = c[4];
    if (c[2] || ntype == 0)
        return; /* leap seconds: glibc's own arithmetic */
    const unsigned char *at = b + pos + 44, *idx = at + c[3] * (size_t)tsize, *ty = idx + c[3];
    z->n = c[3];
    z->at = xcalloc(z->n ? z->n : 1, sizeof *z->at);
    z->type = xcalloc(z->n ? z->n : 1, 1);
    z->off = xcalloc(ntype, sizeof *z->off);
    for (size_t i = 0; i < z->n; i++) {
        z->at[i] = be_time(at + i * (size_t)tsize, tsize);
        z->type[i] = idx[i];
        if (idx[i] >= ntype || (i && z->at[i] <= z->at[i - 1]))
            return;
    }
    z->first = -1;
    for (size_t i = 0; i < ntype; i++) {
        z->off[i] = (long)(int32_t)be32(ty + 6 * i);
        if (z->first < 0 && !ty[6 * i + 4])
            z->first = (long)i;
    }
    if (z->first < 0)
        z->first = 0;
    z->tail = 1;
    z->tail_off = z->n ? z->off[z->type[z->n - 1]] : 0;
    if (tsize == 8) {
        const char *f = (const char *)b + pos + need, *end = (const char *)b + len, *nl;
        if (f >= end || *f != '\n' || !(nl = memchr(f + 1, '\n', (size_t)(end - f - 1))))
            z->tail = 0; /* no well-formed footer: leave the end to glibc */
        else if (nl > f + 1)
            z->tail = footer_fixed(f + 1, nl, &z->tail_off);
    }
    z->table = 1;
}

void tm_zone_free(struct tm_zone *z)
{
    if (!z)
        return;
    free(z->name);
    free(z->path);
    free(z->at);
    free(z->type);
    free(z->off);
    free(z);
}

int tm_zone_open(const char *tz, struct tm_zone **out, struct qs_err *e)
{
    const char *dirs[2] = {getenv("TZDIR"), "/usr/share/zoneinfo"};
    char path[PATH_MAX];
    unsigned char *buf = NULL;
    size_t len = 0;
    int found = 0;

    *out = NULL;
    if (name_ok(tz)) {
        for (int i = 0; i < 2 && !found; i++) {
            if (!dirs[i] || !*dirs[i])
                continue;
            int n = snprintf(path, sizeof path, "%s/%s", dirs[i], tz);
            found = n > 0 && (size_t)n < sizeof path && read_tzif(path, &buf, &len);
        }
        if (!found && strcmp(tz, "UTC") == 0) {
            path[0] = '\0';
            found = 1;
        }
    }
    if (!found)
        return err_set(e, QS_E_USAGE, NULL, ZONE_UNKNOWN, tz ? tz : "");
    struct tm_zone *z = xcalloc(1, sizeof *z);
    z->name = xstrdup(tz);
    z->path = xstrdup(path);
    if (buf) {
        parse(z, buf, len);
    } else if (!path[0]) {
        z->off = xcalloc(1, sizeof *z->off); /* UTC without a file: offset 0 throughout */
        z->table = 1;
    }
    free(buf);
    *out = z;
    return 0;
}

int tm_zone_valid(const char *tz)
{
    struct tm_zone *z;
    struct qs_err e;
    int ok = tm_zone_open(tz, &z, &e) == 0;
    tm_zone_free(z);
    return ok;
}

const char *tm_zone_name(const struct tm_zone *z)
{
    return z->name;
}

/* Points TZ at path ("" = UTC) for the caller's scope. */
static int enter_path(struct tm_zone_scope *sc, const char *path)
{
    const char *old = getenv("TZ");
    sc->saved = old ? xstrdup(old) : NULL;
    /* An absolute ":/path" makes glibc load exactly the file checked above. */
    char *spec = path[0] ? xasprintf(":%s", path) : xstrdup("UTC0");
    int rc = setenv("TZ", spec, 1);
    free(spec);
    if (rc != 0) {
        free(sc->saved);
        sc->saved = NULL;
        return -1;
    }
    tzset();
    return 0;
}

int tm_zone_enter(struct tm_zone_scope *sc, const char *tz)
{
    struct tm_zone *z;
    struct qs_err e;
    int rc;

    sc->saved = NULL;
    if (tm_zone_open(tz, &z, &e) < 0)
        return -1;
    rc = enter_path(sc, z->path);
    tm_zone_free(z);
    return rc;
}

void tm_zone_leave(struct tm_zone_scope *sc)
{
    if (sc->saved) {
        /* Cannot fail but for ENOMEM; the value then stays the zone's, which is
         * still a valid zone -- nothing better to do. */
        (void)setenv("TZ", sc->saved, 1);
        free(sc->saved);
        sc->saved = NULL;
    } else {
        (void)unsetenv("TZ");
    }
    tzset();
}

int tm_zone_local(const struct tm_zone *z, time_t t, struct tm *out)
{
    struct tm_zone_scope sc;
    long off;
    int ok;

    if (!z->table || (z->n && t >= z->at[z->n - 1] && !z->tail)) {
        if (enter_path(&sc, z->path) < 0)
            return -1;
        ok = localtime_r(&t, out) != NULL;
        tm_zone_leave(&sc);
        return ok ? 0 : -1;
    }
    if (z->n == 0 || t < z->at[0]) {
        off = z->off[z->first];
    } else if (t >= z->at[z->n - 1]) {
        off = z->tail_off;
    } else {
        size_t lo = 0, hi = z->n - 1; /* at[lo] <= t < at[hi] */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (z->at[mid] <= t)
                lo = mid;
            else
                hi = mid;
        }
        off = z->off[z->type[lo]];
    }
    time_t local = t + (time_t)off;
    if (!gmtime_r(&local, out))
        return -1;
    out->tm_gmtoff = off;
    return 0;
}

/* Unit tests of libcore/progress: SPEC 1.6 -- a bar on stderr only when it is a terminal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

/* stderr redirected to the slave side of a pseudo-terminal. */
struct tty {
    int master, slave, saved;
};

static void tty_open(struct tty *t)
{
    struct termios tio;
    t->master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(t->master >= 0);
    assert_int_equal(grantpt(t->master), 0);
    assert_int_equal(unlockpt(t->master), 0);
    t->slave = open(ptsname(t->master), O_RDWR | O_NOCTTY);
    assert_true(t->slave >= 0);
    assert_int_equal(tcgetattr(t->slave, &tio), 0);
    cfmakeraw(&tio);
    assert_int_equal(tcsetattr(t->slave, TCSANOW, &tio), 0);
    assert_int_equal(fcntl(t->master, F_SETFL, fcntl(t->master, F_GETFL) | O_NONBLOCK), 0);
    fflush(stderr);
    t->saved = dup(STDERR_FILENO);
    assert_true(t->saved >= 0);
    assert_int_equal(dup2(t->slave, STDERR_FILENO), STDERR_FILENO);
}

/* Puts stderr back and returns what reached the terminal, NUL-terminated. */
static size_t tty_close(struct tty *t, char *buf, size_t size)
{
    size_t n = 0;
    fflush(stderr);
    assert_int_equal(dup2(t->saved, STDERR_FILENO), STDERR_FILENO);
    close(t->saved);
    for (;;) {
        ssize_t r = read(t->master, buf + n, size - 1 - n);
        if (r > 0) {
            n += (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        break;
    }
    buf[n] = '\0';
    close(t->slave);
    close(t->master);
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- what a bar looks like: its frames, parsed whole, so no rate can pass for anything
 * else (issue 8 item 23: "3/" once matched the rate "19.3/s") ---- */

/* Moves *p past s when the text starts with it. */
static int lit(const char **p, const char *s)
{
    size_t n = strlen(s);
    if (strncmp(*p, s, n) != 0)
        return 0;
    *p += n;
    return 1;
}

/* Moves *p past a run of digits, its value in *v. */
static int num(const char **p, long *v)
{
    const char *s = *p;
    if (*s < '0' || *s > '9')
        return 0;
    for (*v = 0; *s >= '0' && *s <= '9'; s++)
        *v = *v * 10 + (*s - '0');
    *p = s;
    return 1;
}

/* A rate: digits, a point, one digit ("19.3"). */
static int rate(const char **p)
{
    long whole, tenth;
    const char *s;
    if (!num(p, &whole) || !lit(p, "."))
        return 0;
    s = *p;
    if (!num(p, &tenth) || *p - s != 1)
        return 0;
    return 1;
}

/* A frame of a bar with a total: "LABEL  DONE/TOTAL  PPP%  R.R/s  ETA MM:SS" (or
 * "ETA --:--") and the erase to the end of the line. *done and *eta (0 for --:--) get
 * what it says. */
static int frame_total(const char *f, const char *label, long total, long *done, int *eta)
{
    const char *p = f;
    long t, pct, mm, ss;
    if (!lit(&p, label) || !lit(&p, "  ") || !num(&p, done) || !lit(&p, "/") || !num(&p, &t) ||
        t != total || !lit(&p, "  "))
        return 0;
    while (*p == ' ') /* the percentage is right-aligned in 3 */
        p++;
    if (!num(&p, &pct) || pct != *done * 100 / total || !lit(&p, "%  ") || !rate(&p) ||
        !lit(&p, "/s  ETA "))
        return 0;
    *eta = !lit(&p, "--:--");
    if (*eta && (!num(&p, &mm) || !lit(&p, ":") || !num(&p, &ss) || ss > 59))
        return 0;
    return lit(&p, "\033[K") && *p == '\0';
}

/* A frame of a bar without a total: "LABEL  DONE  R.R/s" and the erase. */
static int frame_count(const char *f, const char *label, long *done)
{
    const char *p = f;
    return lit(&p, label) && lit(&p, "  ") && num(&p, done) && lit(&p, "  ") && rate(&p) &&
           lit(&p, "/s\033[K") && *p == '\0';
}

/* Splits what the terminal got at each '\r' (every frame starts with one) into frames[]
 * (pointers into out, which is changed); returns their number. Nothing may come before
 * the first '\r'. */
static size_t frames_of(char *out, char **frames, size_t max)
{
    size_t n = 0;
    char *p = out;
    assert_int_equal(out[0], '\r');
    while (p) {
        assert_true(n < max);
        frames[n++] = ++p; /* after the '\r' (or the NUL that replaced it) */
        p = strchr(p, '\r');
        if (p)
            *p = '\0';
    }
    return n;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Runs progress_new with stderr on fd and reports whether it gave a bar. */
static int bar_on(int fd, int quiet)
{
    int saved;
    struct progress *p;
    fflush(stderr);
    saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
    p = progress_new("import", 10, quiet);
    progress_add(p, 5);
    progress_end(p);
    assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
    close(saved);
    return p != NULL;
}

static void no_bar_when_stderr_is_not_a_terminal(void **state)
{
    int fds[2];
    char buf[64];
    FILE *f = tmpfile();
    (void)state;
    assert_non_null(f);
    assert_false(bar_on(fileno(f), 0));
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    assert_int_equal(ftell(f), 0); /* nothing written either */
    fclose(f);

    assert_int_equal(pipe(fds), 0);
    assert_false(bar_on(fds[1], 0));
    close(fds[1]);
    assert_int_equal(read(fds[0], buf, sizeof buf), 0);
    close(fds[0]);

    int null = open("/dev/null", O_WRONLY);
    assert_true(null >= 0);
    assert_false(bar_on(null, 0));
    close(null);
}

static void no_bar_when_quiet(void **state)
{
    struct tty t;
    char out[256];
    (void)state;
    tty_open(&t);
    int got = bar_on(STDERR_FILENO, 1);
    assert_int_equal(tty_close(&t, out, sizeof out), 0);
    assert_false(got);
}

static void null_is_accepted_everywhere(void **state)
{
    (void)state;
    progress_add(NULL, 5);
    progress_add(NULL, 0);
    progress_end(NULL);
}

static void bar_on_a_terminal_shows_done_total_rate_eta(void **state)
{
    struct tty t;
    char out[4096];
    (void)state;
    tty_open(&t);
    struct progress *p = progress_new("import", 10, 0);
    sleep_ms(150);
    progress_add(p, 7);
    progress_end(p);
    tty_close(&t, out, sizeof out);
    assert_non_null(p);
    assert_null(strchr(out, '\n'));
    /* A frame when it starts, one after the 150 ms, then the erase. */
    char *f[8];
    size_t n = frames_of(out, f, 8);
    long done = -1, last = -1;
    int eta = 0;
    assert_true(n >= 3);
    for (size_t i = 0; i + 1 < n; i++) {
        if (!frame_total(f[i], "import", 10, &done, &eta))
            fail_msg("frame %zu: expected \"import  D/10  PPP%%  R.R/s  ETA MM:SS\\033[K\", "
                     "got \"%s\"",
                     i, f[i]);
        assert_true(done >= last);
        last = done;
        if (i == 0)
            assert_int_equal(done, 0);
    }
    assert_int_equal(done, 7);               /* and so 70% */
    assert_true(eta);                        /* items done at a known rate: an ETA, not --:-- */
    assert_string_equal(f[n - 1], "\033[K"); /* the last thing written erases the line */
}

static void unknown_total_shows_done_and_rate_only(void **state)
{
    struct tty t;
    char out[4096];
    (void)state;
    tty_open(&t);
    struct progress *p = progress_new("sync orders", 0, 0);
    sleep_ms(150);
    progress_add(p, 3);
    progress_end(p);
    tty_close(&t, out, sizeof out);
    assert_non_null(p);
    /* Every frame is "LABEL  DONE  R.R/s": no total, percentage or ETA. */
    char *f[8];
    size_t n = frames_of(out, f, 8);
    long done = -1;
    assert_true(n >= 3);
    for (size_t i = 0; i + 1 < n; i++)
        if (!frame_count(f[i], "sync orders", &done))
            fail_msg("frame %zu: expected \"sync orders  D  R.R/s\\033[K\", got \"%s\"", i, f[i]);
    assert_int_equal(done, 3);
    assert_string_equal(f[n - 1], "\033[K");
}

/* At most ten redraws a second, however often progress_add is called. */
static void redraws_at_most_ten_times_a_second(void **state)
{
    struct tty t;
    static char out[1 << 16];
    (void)state;
    tty_open(&t);
    double t0 = now_s();
    struct progress *p = progress_new("import", 200000, 0);
    for (int i = 0; i < 200000; i++) {
        progress_add(p, 1);
        if (i % 20000 == 0)
            sleep_ms(30);
    }
    double secs = now_s() - t0;
    progress_end(p);
    tty_close(&t, out, sizeof out);
    assert_non_null(p);
    size_t draws = count(out, "\rimport  ");
    size_t limit = 1 + (size_t)(secs * 10.0) + 1;
    if (draws < 2 || draws > limit)
        fail_msg("expected 2..%zu redraws in %.3f s, got %zu", limit, secs, draws);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_bar_when_stderr_is_not_a_terminal),
        cmocka_unit_test(no_bar_when_quiet),
        cmocka_unit_test(null_is_accepted_everywhere),
        cmocka_unit_test(bar_on_a_terminal_shows_done_total_rate_eta),
        cmocka_unit_test(unknown_total_shows_done_and_rate_only),
        cmocka_unit_test(redraws_at_most_ten_times_a_second),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

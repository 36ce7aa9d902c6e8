/* progress: SPEC 1.6 -- a bar on stderr for long jobs, only when stderr is a terminal. */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "xalloc.h"

#define PROGRESS_INTERVAL 0.1 /* seconds between redraws: at most ten a second */

struct progress {
    char *label;
    long total; /* 0 = unknown */
    long done;
    struct timespec start;
    struct timespec last; /* time of the last draw */
    int drawn;            /* something is on the line and must be erased */
};

static double elapsed(const struct timespec *from, const struct timespec *to)
{
    return (double)(to->tv_sec - from->tv_sec) + (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

static void draw(struct progress *p, const struct timespec *now)
{
    char line[256];
    double secs = elapsed(&p->start, now);
    double rate = secs > 0.001 ? (double)p->done / secs : 0.0;
    int n;

    if (p->total > 0) {
        long pct = p->done >= p->total ? 100 : (long)((double)p->done * 100.0 / (double)p->total);
        char eta[32] = "--:--";
        if (rate > 0.0 && p->done <= p->total) {
            long left = (long)((double)(p->total - p->done) / rate + 0.5);
            snprintf(eta, sizeof eta, "%02ld:%02ld", left / 60, left % 60);
        }
        n = snprintf(line, sizeof line, "\r%.64s  %ld/%ld  %3ld%%  %.1f/s  ETA %s\033[K", p->label,
                     p->done, p->total, pct, rate, eta);
    } else {
        n = snprintf(line, sizeof line, "\r%.64s  %ld  %.1f/s\033[K", p->label, p->done, rate);
    }
    if (n > 0) {
        /* A failed write of a progress bar is not worth failing the job for. */
        (void)fwrite(line, 1, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1, stderr);
        (void)fflush(stderr);
    }
    p->last = *now;
    p->drawn = 1;
}

struct progress *progress_new(const char *label, long total, int quiet)
{
    struct progress *p;
    if (quiet || !isatty(STDERR_FILENO))
        return NULL;
    p = xcalloc(1, sizeof *p);
    p->label = xstrdup(label ? label : "");
    p->total = total > 0 ? total : 0;
    if (clock_gettime(CLOCK_MONOTONIC, &p->start) != 0) {
        p->start.tv_sec = 0;
        p->start.tv_nsec = 0;
    }
    draw(p, &p->start);
    return p;
}

void progress_add(struct progress *p, long n)
{
    struct timespec now;
    if (!p)
        return;
    p->done += n;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
        return;
    if (elapsed(&p->last, &now) >= PROGRESS_INTERVAL)
        draw(p, &now);
}

void progress_end(struct progress *p)
{
    if (!p)
        return;
    if (p->drawn) {
        (void)fputs("\r\033[K", stderr);
        (void)fflush(stderr);
    }
    free(p->label);
    free(p);
}

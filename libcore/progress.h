/* progress: a progress bar on stderr (done/total, rate, ETA), drawn only when
 * stderr is a terminal (SPEC 1.6). */
#ifndef QS_PROGRESS_H
#define QS_PROGRESS_H

struct progress;

/* Starts a bar labelled label for total items (0 = unknown total). Returns NULL when
 * stderr is not a terminal or quiet is set; every other call accepts NULL. */
struct progress *progress_new(const char *label, long total, int quiet);
/* Adds n done items; redraws at most ten times a second. */
void progress_add(struct progress *p, long n);
/* Erases the bar and frees p. */
void progress_end(struct progress *p);

#endif

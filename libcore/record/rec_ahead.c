/* rec_ahead: records read ahead in a second thread (issue 16, SPEC 8's import bar).
 *
 * Reading a record -- the input's bytes, their UTF-8 check, the CSV parse and the record's
 * fields -- is about a quarter of an import's time and needs nothing of the store. With
 * rec_reader_opts.ahead a thread reads while the caller checks and writes the records
 * before: it fills batches of records in a ring, the caller takes them in order. The
 * caller gets what it would have got without: the same records, lines, error and end.
 *
 * Memory stays bounded whatever the input:
 *   - a batch closes at AHEAD_RECS records or AHEAD_BYTES of values;
 *   - the reader reads no further while the batches waiting for the caller hold more than
 *     AHEAD_INFLIGHT bytes of values (huge records: at most that, plus one batch, plus the
 *     caller's record, where reading in turn holds one record);
 *   - a record the caller gives back whose buffers grew past AHEAD_KEEP bytes is freed,
 *     so the ring's idle records hold at most AHEAD_SLOTS * AHEAD_RECS * AHEAD_KEEP bytes
 *     (8 MiB) between them.
 *
 * The two threads wake each other once per half ring, not once per batch: the reader,
 * finding the ring full, waits until half of it is free again. */
#include <pthread.h>
#include <stdlib.h>

#include "record_int.h"

#define AHEAD_SLOTS    8
#define AHEAD_RECS     64
#define AHEAD_BYTES    (256 * 1024)
#define AHEAD_KEEP     (16 * 1024)
#define AHEAD_INFLIGHT (4 * 1024 * 1024)

struct ahead_batch {
    struct rec *r[AHEAD_RECS];
    long line[AHEAD_RECS];
    size_t n;
    size_t bytes; /* of the n records' values */
    int rc;       /* after the n records: 1 when more follow, else the reader's last answer */
    struct qs_err e;
};

struct rec_ahead {
    rec_read_fn read;
    void *ctx;
    pthread_t th;
    int started;
    int here; /* no thread could be made: read in the caller's, as without ahead */
    pthread_mutex_t mu;
    pthread_cond_t more; /* a batch was filled */
    pthread_cond_t room; /* the reader may go on (roomy), or stop */
    struct ahead_batch b[AHEAD_SLOTS];
    size_t head;  /* the caller's batch */
    size_t count; /* batches filled and not yet given back (under mu) */
    size_t bytes; /* their values' bytes (under mu) */
    size_t pos;   /* the caller's next record in b[head] */
    int stop;     /* the caller is closing (under mu) */
    int waiting;  /* the reader waits for room (under mu) */
    int end;      /* the caller has had the last answer: end_rc, end_e */
    int end_rc;
    struct qs_err end_e;
};

struct rec_ahead *ahead_new(rec_read_fn read, void *ctx)
{
    struct rec_ahead *a = xcalloc(1, sizeof *a);
    a->read = read;
    a->ctx = ctx;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->more, NULL);
    pthread_cond_init(&a->room, NULL);
    return a;
}

/* The reader must wait: the ring is full, or the batches waiting hold too much. */
static int full(const struct rec_ahead *a)
{
    return a->count == AHEAD_SLOTS || (a->count > 0 && a->bytes > AHEAD_INFLIGHT);
}

/* The reader that waited may go on: half the ring is free and half the bytes, or the
 * caller has taken every batch. */
static int roomy(const struct rec_ahead *a)
{
    return a->count == 0 || (a->count <= AHEAD_SLOTS / 2 && a->bytes <= AHEAD_INFLIGHT / 2);
}

static size_t rec_bytes(const struct rec *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->f[i].len;
    return n;
}

/* The reading thread's part: fills b; runs outside mu, on a batch the caller does not
 * hold (count < AHEAD_SLOTS). Its records are those the caller gave back, or new. */
static void fill(struct rec_ahead *a, struct ahead_batch *b)
{
    b->n = b->bytes = 0;
    b->rc = 1;
    while (b->n < AHEAD_RECS && b->bytes < AHEAD_BYTES) {
        struct rec **r = &b->r[b->n];
        if (!*r)
            *r = rec_new();
        int rc = a->read(a->ctx, *r, &b->line[b->n], &b->e);
        if (rc != 1) {
            b->rc = rc;
            return;
        }
        b->bytes += rec_bytes(*r);
        b->n++;
    }
}

static void *run(void *p)
{
    struct rec_ahead *a = p;
    for (size_t tail = 0;; tail = (tail + 1) % AHEAD_SLOTS) {
        pthread_mutex_lock(&a->mu);
        if (full(a)) {
            a->waiting = 1;
            while (!roomy(a) && !a->stop)
                pthread_cond_wait(&a->room, &a->mu);
            a->waiting = 0;
        }
        int stop = a->stop;
        pthread_mutex_unlock(&a->mu);
        if (stop)
            return NULL;
        fill(a, &a->b[tail]);
        pthread_mutex_lock(&a->mu);
        a->count++;
        a->bytes += a->b[tail].bytes;
        pthread_cond_signal(&a->more);
        pthread_mutex_unlock(&a->mu);
        if (a->b[tail].rc != 1)
            return NULL;
    }
}

int ahead_read(struct rec_ahead *a, struct rec *out, long *line, struct qs_err *e)
{
    if (!a->started && !a->here) {
        if (pthread_create(&a->th, NULL, run, a) == 0)
            a->started = 1;
        else
            a->here = 1;
    }
    if (a->here)
        return a->read(a->ctx, out, line, e);
    for (;;) {
        if (a->end) {
            rec_clear(out);
            if (a->end_rc < 0 && e)
                *e = a->end_e;
            return a->end_rc;
        }
        pthread_mutex_lock(&a->mu);
        while (a->count == 0)
            pthread_cond_wait(&a->more, &a->mu);
        pthread_mutex_unlock(&a->mu);
        struct ahead_batch *b = &a->b[a->head];
        if (a->pos < b->n) {
            /* The record changes hands; out's buffers are read into next time round. */
            struct rec t = *out;
            *out = *b->r[a->pos];
            *b->r[a->pos] = t;
            if (rec_held(b->r[a->pos]) > AHEAD_KEEP) { /* not kept idle in the ring */
                rec_free(b->r[a->pos]);
                b->r[a->pos] = NULL;
            }
            *line = b->line[a->pos++];
            return 1;
        }
        if (b->rc != 1) {
            a->end = 1;
            a->end_rc = b->rc;
            a->end_e = b->e;
            continue;
        }
        pthread_mutex_lock(&a->mu);
        a->head = (a->head + 1) % AHEAD_SLOTS;
        a->pos = 0;
        a->count--;
        a->bytes -= b->bytes;
        if (a->waiting && roomy(a))
            pthread_cond_signal(&a->room);
        pthread_mutex_unlock(&a->mu);
    }
}

void ahead_free(struct rec_ahead *a)
{
    if (!a)
        return;
    if (a->started) {
        pthread_mutex_lock(&a->mu);
        a->stop = 1;
        pthread_cond_signal(&a->room);
        pthread_mutex_unlock(&a->mu);
        pthread_join(a->th, NULL);
    }
    for (size_t i = 0; i < AHEAD_SLOTS; i++)
        for (size_t k = 0; k < AHEAD_RECS; k++)
            rec_free(a->b[i].r[k]);
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->more);
    pthread_cond_destroy(&a->room);
    free(a);
}

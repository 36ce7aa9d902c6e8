/* note_int.h: what the two halves of `qs note run` share (note_rule_match.c: loading the
 * rules and matching the order lines; note_rule_run.c: releasing within the daily cap
 * and delivering). Not a public header. */
#ifndef QS_NOTE_INT_H
#define QS_NOTE_INT_H

#include <sqlite3.h>
#include <time.h>

#include "../deliver/deliver.h"
#include "../sync/sync.h"
#include "note.h"

struct erule {
    struct note_rule r;
    struct note_msg m;
    int msg_rc; /* rule_msg's result: the template may be gone */
    char msg_err[1100];
    time_t since;
};

/* What rendering needs of a matched line (the pass's strings do not outlive it). */
struct cand {
    char *order_no, *buyer, *tracking, *carrier, *order_date, *title;
    long long total;
};

/* A firing settled in this run, told to the caller once its note's delivery is known:
 * its result, or for a queued one (key set) the outcome of the delivery. */
struct told {
    const char *result; /* a string literal */
    char *rule, *order_no, *message, *key;
};

/* The delivery outcome of a note queued by this run, from deliver_run's on_result. */
struct sent {
    char *key, *error;
    enum deliver_status status;
    size_t seq; /* order of settling: the last outcome of a key wins */
};

struct eng {
    struct store *s;
    const struct note_run_opts *o;
    struct erule *rules;
    size_t nrules;
    struct note_track_set *tr;
    char run_id[64], now_iso[32];
    sqlite3_stmt *ins, *touch;
    struct cand *c;
    size_t nc, capc;
    struct note_run_stats *st;
    note_fired_fn fn;
    void *ctx;
    struct qs_err *e;
    struct told *told; /* firings in the order they were settled */
    size_t ntold, captold;
    struct sent *sent; /* delivery outcomes, in delivery order */
    size_t nsent, capsent;
};

/* note_rule_each callback: loads an enabled rule and its note into g (ctx). */
int nrr_load_rule(const struct note_rule *r, void *ctx);
/* A stored UTC ISO-8601 time as time_t (0 when empty or unreadable). */
time_t nrr_iso(const char *s);
/* sync_lines_each callback: records each rule's new matches of line l (ctx: the engine). */
int nrr_pass_line(const struct sync_line *l, void *ctx);
/* qsort order of struct cand by order number. */
int nrr_cand_cmp(const void *a, const void *b);
/* The matched line of order_no (g->c sorted), or NULL. */
const struct cand *nrr_cand_find(const struct eng *g, const char *order_no);
/* The loaded rule called name, or NULL. */
struct erule *nrr_rule_find(struct eng *g, const char *name);

#endif

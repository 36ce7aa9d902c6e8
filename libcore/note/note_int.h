/* note_int.h: what the two halves of `qs note run` share (note_rule_match.c: loading the
 * rules and matching the order lines; note_rule_run.c: releasing within the daily cap
 * and delivering) with their TEMP tables (note_run_rows.c), and the TEMP tables of
 * `qs note send` (note_rows.c). Not a public header. */
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

/* What rendering needs of a matched line (nrr_cand_get; strings malloc'd). */
struct cand {
    char *order_no, *buyer, *tracking, *carrier, *order_date, *title;
    long long total;
};

/* A held firing (nrr_held_each: borrowed, NULL read as ""). */
struct held {
    const char *rule, *order_no, *trigger_at, *held_at, *last_run;
};

/* A firing settled in this run, told to the caller once its note's delivery is known:
 * its result, or for a queued one (key set) the outcome of the delivery. Borrowed. */
struct told {
    const char *result, *rule, *order_no, *message, *key;
};

struct eng {
    struct store *s;
    const struct note_run_opts *o;
    struct erule *rules;
    size_t nrules;
    struct note_track_set *tr;
    char run_id[64], now_iso[32];
    sqlite3_stmt *ins, *touch;
    struct note_run_stats *st;
    note_fired_fn fn;
    void *ctx;
    struct qs_err *e;
    struct nrr_rows *rr;   /* the matched lines, held and settled firings (note_run_rows.c) */
    struct note_rows *out; /* the deliveries' outcomes (note_rows.c's temp.note_out) */
    int out_rc;            /* an outcome could not be kept: the run's error */
    struct qs_err out_err;
};

/* ---- note run's TEMP tables (note_run_rows.c) ---- */

struct nrr_rows;
/* Creates the tables when missing and empties them; *out (set even on failure) is freed
 * with nrr_rows_close. */
int nrr_rows_open(struct store *s, struct nrr_rows **out, struct qs_err *e);
void nrr_rows_close(struct nrr_rows *r);
/* Keeps line l's values for its order's note (the order's first line kept wins). */
int nrr_cand_add(struct nrr_rows *r, const struct sync_line *l, struct qs_err *e);
/* The values kept for order_no into *c (nrr_cand_clear): 1; 0 when none; or a QS_E_* code. */
int nrr_cand_get(struct nrr_rows *r, const char *order_no, struct cand *c, struct qs_err *e);
void nrr_cand_clear(struct cand *c);
/* Copies the shop's held firings, oldest first (trigger, held, order, rule). */
int nrr_held_fill(struct nrr_rows *r, const char *shop, struct qs_err *e);
/* Calls fn with each copied held firing in order until it returns non-zero (returned). */
int nrr_held_each(struct nrr_rows *r, int (*fn)(const struct held *h, void *ctx), void *ctx,
                  struct qs_err *e);
/* Records a settled firing, after those before it. */
int nrr_told_add(struct nrr_rows *r, const struct told *t, struct qs_err *e);
/* Calls fn with each settled firing in order (as nrr_held_each). */
int nrr_told_each(struct nrr_rows *r, int (*fn)(const struct told *t, void *ctx), void *ctx,
                  struct qs_err *e);

/* note_rule_each callback: loads an enabled rule and its note into g (ctx). */
int nrr_load_rule(const struct note_rule *r, void *ctx);
/* A stored UTC ISO-8601 time as time_t (0 when empty or unreadable). */
time_t nrr_iso(const char *s);
/* sync_lines_each callback: records each rule's new matches of line l (ctx: the engine). */
int nrr_pass_line(const struct sync_line *l, void *ctx);
/* The loaded rule called name, or NULL. */
struct erule *nrr_rule_find(struct eng *g, const char *name);

/* ---- note send's plan and outcomes (note_rows.c: TEMP tables of the connection) ---- */

struct note_rows;
/* One order of the plan; strings malloc'd (note_pline_clear). */
struct note_pline {
    long seq; /* its row: the report's order */
    char *order_no;
    long line;
    char *key, *title, *body; /* rendered; key NULL until chosen */
    char *pre;                /* settled without a send: "ok", "failed", ...; else NULL */
    char *pre_msg;
    int found;
};
/* What deliver_run told about an item of this run; strings malloc'd. */
struct note_outcome {
    char *key, *order_no, *ref, *error;
    enum deliver_status status;
};
/* Creates the tables when missing and empties them; *out (set even on failure) is freed
 * with note_rows_close. */
int note_rows_open(struct store *s, struct note_rows **out, struct qs_err *e);
void note_rows_close(struct note_rows *r);
/* Plans order_no (input line line): 1; 0 when it is planned already; or a QS_E_* code. */
int note_rows_add(struct note_rows *r, const char *order_no, long line, struct qs_err *e);
/* The order of order_no / of row seq into *l: 1; 0 when none; or a QS_E_* code. */
int note_rows_get(struct note_rows *r, const char *order_no, struct note_pline *l,
                  struct qs_err *e);
int note_rows_at(struct note_rows *r, long seq, struct note_pline *l, struct qs_err *e);
/* Stores l's key, title, body, pre, pre_msg and found. */
int note_rows_put(struct note_rows *r, const struct note_pline *l, struct qs_err *e);
/* Calls fn with each order in order (queued_only: those without pre) until it returns
 * non-zero (returned); l is borrowed. */
int note_rows_each(struct note_rows *r, int queued_only,
                   int (*fn)(const struct note_pline *l, void *ctx), void *ctx, struct qs_err *e);
/* The orders planned, and those to queue. */
int note_rows_count(struct note_rows *r, long *all, long *queued, struct qs_err *e);
/* 1 when an order to queue has key; 0; or a QS_E_* code. */
int note_rows_planned_key(struct note_rows *r, const char *key, struct qs_err *e);
/* Records an outcome (it replaces an earlier one of the key, and moves to the end). */
int note_rows_out_add(struct note_rows *r, const char *key, const char *order_no, const char *ref,
                      const char *error, enum deliver_status status, struct qs_err *e);
/* The outcome of key into *o: 1; 0 when none; or a QS_E_* code. */
int note_rows_out_get(struct note_rows *r, const char *key, struct note_outcome *o,
                      struct qs_err *e);
/* Calls fn with each key's last outcome, in order (as note_rows_each). */
int note_rows_out_each(struct note_rows *r, int (*fn)(const struct note_outcome *o, void *ctx),
                       void *ctx, struct qs_err *e);
void note_pline_clear(struct note_pline *l);
void note_outcome_clear(struct note_outcome *o);

#endif

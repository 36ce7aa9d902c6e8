/* note_rows: the plan of `qs note send` and what its deliveries told, kept in TEMP tables
 * of the store's connection instead of the heap (SPEC 8: flat memory). The report lists
 * every planned order in input order at the end of the run, so each rendered note is kept
 * until then; a TEMP table lives in SQLite's temporary file behind a bounded page cache.
 * The tables belong to this connection alone: another qs run never sees them, and nothing
 * in them reaches the store's file.
 *
 *   temp.note_plan  one row per order planned, seq = the report's order (input lines
 *                   first, then the orders the filter selects); an order listed twice
 *                   is planned once
 *   temp.note_out   what deliver_run told about each item of this run, by key; seq = the
 *                   order of each key's last outcome */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "note_int.h"
#include "../xalloc.h"

enum { R_ADD, R_GET, R_AT, R_PUT, R_EACH, R_KEY, R_OUT_ADD, R_OUT_GET, R_OUT_EACH, R_N };

struct note_rows {
    struct store *s;
    sqlite3_stmt *st[R_N];
};

#define PLAN_COLS "seq, order_no, line, key, title, body, pre, pre_msg, found"

static const char *const sql[R_N] = {
    [R_ADD] = "INSERT OR IGNORE INTO temp.note_plan (order_no, line) VALUES (?1, ?2)",
    [R_GET] = "SELECT " PLAN_COLS " FROM temp.note_plan WHERE order_no = ?1",
    [R_AT] = "SELECT " PLAN_COLS " FROM temp.note_plan WHERE seq = ?1",
    [R_PUT] = "UPDATE temp.note_plan SET key = ?2, title = ?3, body = ?4, pre = ?5,"
              " pre_msg = ?6, found = ?7 WHERE seq = ?1",
    [R_EACH] = "SELECT " PLAN_COLS " FROM temp.note_plan WHERE ?1 = 0 OR pre IS NULL"
               " ORDER BY seq",
    [R_KEY] = "SELECT 1 FROM temp.note_plan WHERE key = ?1 AND pre IS NULL",
    [R_OUT_ADD] = "INSERT OR REPLACE INTO temp.note_out (key, order_no, ref, error, status)"
                  " VALUES (?1, ?2, ?3, ?4, ?5)",
    [R_OUT_GET] = "SELECT key, order_no, ref, error, status FROM temp.note_out WHERE key = ?1",
    [R_OUT_EACH] = "SELECT key, order_no, ref, error, status FROM temp.note_out ORDER BY seq",
};

int note_rows_open(struct store *s, struct note_rows **out, struct qs_err *e)
{
    *out = xcalloc(1, sizeof **out);
    (*out)->s = s;
    return store_exec(s,
                      "CREATE TEMP TABLE IF NOT EXISTS note_plan (seq INTEGER PRIMARY KEY,"
                      " order_no TEXT NOT NULL UNIQUE, line INTEGER NOT NULL, key TEXT,"
                      " title TEXT, body TEXT, pre TEXT, pre_msg TEXT,"
                      " found INTEGER NOT NULL DEFAULT 0);"
                      "CREATE INDEX IF NOT EXISTS temp.note_plan_key ON note_plan(key);"
                      "CREATE TEMP TABLE IF NOT EXISTS note_out (seq INTEGER PRIMARY KEY,"
                      " key TEXT NOT NULL UNIQUE, order_no TEXT NOT NULL, ref TEXT, error TEXT,"
                      " status INTEGER NOT NULL);"
                      "DELETE FROM temp.note_plan; DELETE FROM temp.note_out;",
                      e);
}

void note_rows_close(struct note_rows *r)
{
    if (!r)
        return;
    for (int i = 0; i < R_N; i++)
        store_release(r->s, r->st[i]);
    free(r);
}

/* Statement i of the run's cache (store_cached), bound to what follows. */
#define CACHED(r, i, e, ...) store_cached((r)->s, &(r)->st[i], sql[i], e, __VA_ARGS__)

void note_pline_clear(struct note_pline *l)
{
    free(l->order_no);
    free(l->key);
    free(l->title);
    free(l->body);
    free(l->pre);
    free(l->pre_msg);
    memset(l, 0, sizeof *l);
}

static void pline_read(sqlite3_stmt *st, struct note_pline *l)
{
    note_pline_clear(l);
    l->seq = sqlite3_column_int64(st, 0);
    l->order_no = xstrdup(store_col_text(st, 1));
    l->line = (long)sqlite3_column_int64(st, 2);
    l->key = store_col_dup(st, 3);
    l->title = store_col_dup(st, 4);
    l->body = store_col_dup(st, 5);
    l->pre = store_col_dup(st, 6);
    l->pre_msg = store_col_dup(st, 7);
    l->found = sqlite3_column_int(st, 8);
}

int note_rows_add(struct note_rows *r, const char *order_no, long line, struct qs_err *e)
{
    int rc = CACHED(r, R_ADD, e, "sl", order_no, (long long)line);
    sqlite3_stmt *st = r->st[R_ADD];
    if (rc == 0 && (rc = store_finish(r->s, st, e)) == 0)
        rc = store_changes(r->s) > 0;
    return rc;
}

/* One row of statement i (bound by the caller) into *l: 1; 0 when none; or an error. */
static int get_one(struct note_rows *r, sqlite3_stmt *st, struct note_pline *l, struct qs_err *e)
{
    int rc = store_step(r->s, st, e);
    if (rc == 1)
        pline_read(st, l);
    sqlite3_reset(st);
    return rc;
}

int note_rows_get(struct note_rows *r, const char *order_no, struct note_pline *l, struct qs_err *e)
{
    int rc = CACHED(r, R_GET, e, "s", order_no);
    sqlite3_stmt *st = r->st[R_GET];
    return rc < 0 ? rc : get_one(r, st, l, e);
}

int note_rows_at(struct note_rows *r, long seq, struct note_pline *l, struct qs_err *e)
{
    int rc = CACHED(r, R_AT, e, "l", (long long)seq);
    sqlite3_stmt *st = r->st[R_AT];
    return rc < 0 ? rc : get_one(r, st, l, e);
}

int note_rows_put(struct note_rows *r, const struct note_pline *l, struct qs_err *e)
{
    int rc = CACHED(r, R_PUT, e, "lsssssi", (long long)l->seq, l->key, l->title, l->body, l->pre,
                    l->pre_msg, l->found);
    sqlite3_stmt *st = r->st[R_PUT];
    return rc < 0 ? rc : store_finish(r->s, st, e);
}

int note_rows_each(struct note_rows *r, int queued_only,
                   int (*fn)(const struct note_pline *l, void *ctx), void *ctx, struct qs_err *e)
{
    struct note_pline l = {0};
    int rc = CACHED(r, R_EACH, e, "i", queued_only);
    sqlite3_stmt *st = r->st[R_EACH];
    while (rc == 0 && (rc = store_step(r->s, st, e)) == 1) {
        pline_read(st, &l);
        rc = fn(&l, ctx);
    }
    sqlite3_reset(st);
    note_pline_clear(&l);
    return rc;
}

static int count_row(sqlite3_stmt *st, void *p)
{
    long *n = p;
    n[0] = (long)sqlite3_column_int64(st, 0);
    n[1] = (long)sqlite3_column_int64(st, 1);
    return 1;
}

int note_rows_count(struct note_rows *r, long *all, long *queued, struct qs_err *e)
{
    long n[2] = {0, 0};
    int rc = store_each(r->s,
                        "SELECT count(*), count(*) FILTER (WHERE pre IS NULL) FROM"
                        " temp.note_plan",
                        count_row, n, e, "");
    *all = n[0];
    *queued = n[1];
    return rc < 0 ? rc : 0;
}

int note_rows_planned_key(struct note_rows *r, const char *key, struct qs_err *e)
{
    int rc = CACHED(r, R_KEY, e, "s", key);
    sqlite3_stmt *st = r->st[R_KEY];
    if (rc == 0)
        rc = store_step(r->s, st, e);
    sqlite3_reset(st);
    return rc;
}

int note_rows_out_add(struct note_rows *r, const char *key, const char *order_no, const char *ref,
                      const char *error, enum deliver_status status, struct qs_err *e)
{
    int rc = CACHED(r, R_OUT_ADD, e, "ssssi", key, order_no, ref, error, (int)status);
    sqlite3_stmt *st = r->st[R_OUT_ADD];
    return rc < 0 ? rc : store_finish(r->s, st, e);
}

void note_outcome_clear(struct note_outcome *o)
{
    free(o->key);
    free(o->order_no);
    free(o->ref);
    free(o->error);
    memset(o, 0, sizeof *o);
}

static void out_read(sqlite3_stmt *st, struct note_outcome *o)
{
    note_outcome_clear(o);
    o->key = xstrdup(store_col_text(st, 0));
    o->order_no = xstrdup(store_col_text(st, 1));
    o->ref = store_col_dup(st, 2);
    o->error = store_col_dup(st, 3);
    o->status = (enum deliver_status)sqlite3_column_int(st, 4);
}

int note_rows_out_get(struct note_rows *r, const char *key, struct note_outcome *o,
                      struct qs_err *e)
{
    int rc = CACHED(r, R_OUT_GET, e, "s", key);
    sqlite3_stmt *st = r->st[R_OUT_GET];
    if (rc == 0 && (rc = store_step(r->s, st, e)) == 1)
        out_read(st, o);
    sqlite3_reset(st);
    return rc;
}

int note_rows_out_each(struct note_rows *r, int (*fn)(const struct note_outcome *o, void *ctx),
                       void *ctx, struct qs_err *e)
{
    struct note_outcome o = {0};
    int rc = CACHED(r, R_OUT_EACH, e, "");
    sqlite3_stmt *st = r->st[R_OUT_EACH];
    while (rc == 0 && (rc = store_step(r->s, st, e)) == 1) {
        out_read(st, &o);
        rc = fn(&o, ctx);
    }
    sqlite3_reset(st);
    note_outcome_clear(&o);
    return rc;
}

/* sync_send_rows: the plan of `qs sync ship` / `confirm` and what the run settled, kept in
 * TEMP tables of the store's connection instead of the heap (SPEC 8: flat memory). The
 * report is printed in input order at the end of a run, so every planned line must be kept
 * until then; a TEMP table lives in SQLite's temporary file behind a bounded page cache, so
 * 100,000 lines cost what 10,000 do. The tables belong to this connection alone: another
 * qs run never sees them, and nothing in them reaches the store's file.
 *
 *   temp.sync_plan       one row per planned line, seq = the report's order (input lines
 *                        first, then the other lines of their carts)
 *   temp.sync_plan_set   items of earlier runs this run settled, by key; seq = the order of
 *                        their last settlement
 *
 * Statements go through the run's cache (syncdb_each), whose ?1 is the shop: unused here
 * (the tables hold one run's lines of one shop), so a statement without another parameter
 * names it to have one. */
#include "sync_int.h"

#include <stdlib.h>
#include <string.h>

#include "../xalloc.h"

#define PLAN_COLS                                                                                  \
    "seq, order_no, carrier, tracking, order_date, key, line, pre, pre_msg,"                       \
    " result, code, msg"

static const char plan_ins_sql[] =
    "INSERT INTO temp.sync_plan (order_no, carrier, tracking, order_date, key, line, pre,"
    " pre_msg) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char plan_get_sql[] = "SELECT " PLAN_COLS " FROM temp.sync_plan WHERE order_no = ?2";
static const char plan_at_sql[] = "SELECT " PLAN_COLS " FROM temp.sync_plan WHERE seq = ?2";
static const char plan_each_sql[] =
    "SELECT " PLAN_COLS " FROM temp.sync_plan WHERE ?2 = 0 OR pre IS NULL"
    " ORDER BY seq";
static const char plan_settle_sql[] =
    "UPDATE temp.sync_plan SET result = ?4, code = ?5, msg = ?6 WHERE order_no = ?2 AND key = ?3";
static const char set_put_sql[] =
    "INSERT OR REPLACE INTO temp.sync_plan_set (key, order_no, result, code, msg)"
    " VALUES (?3, ?2, ?4, ?5, ?6)";
static const char set_each_sql[] = "SELECT key, order_no, result, code, msg FROM"
                                   " temp.sync_plan_set WHERE ?1 IS NOT NULL ORDER BY seq";

int sync_plan_reset(struct sync_send *p, struct qs_err *e)
{
    return store_exec(p->s,
                      "CREATE TEMP TABLE IF NOT EXISTS sync_plan (seq INTEGER PRIMARY KEY,"
                      " order_no TEXT NOT NULL UNIQUE, carrier TEXT NOT NULL,"
                      " tracking TEXT NOT NULL, order_date TEXT, key TEXT,"
                      " line INTEGER NOT NULL, pre TEXT, pre_msg TEXT, result TEXT, code TEXT,"
                      " msg TEXT);"
                      "CREATE TEMP TABLE IF NOT EXISTS sync_plan_set (seq INTEGER PRIMARY KEY,"
                      " key TEXT NOT NULL UNIQUE, order_no TEXT NOT NULL, result TEXT NOT NULL,"
                      " code TEXT NOT NULL, msg TEXT NOT NULL);"
                      "DELETE FROM temp.sync_plan; DELETE FROM temp.sync_plan_set;",
                      e);
}

void sync_pline_clear(struct sync_pline *l)
{
    free(l->order_no);
    free(l->carrier);
    free(l->tracking);
    free(l->order_date);
    free(l->key);
    free(l->pre_msg);
    free(l->set.code);
    free(l->set.msg);
    memset(l, 0, sizeof *l);
}

/* The result names a row may hold, as the static strings the rest of the module compares
 * by value and hands out ("ok", "failed", ...). */
static const char *const results[] = {"ok", "failed", "retry", "unknown", "skipped", NULL};

static const char *result_of(const char *s)
{
    for (int i = 0; s && results[i]; i++)
        if (strcmp(s, results[i]) == 0)
            return results[i];
    return s ? "retry" : NULL;
}

/* A row of PLAN_COLS into the struct sync_pline ctx (strings malloc'd). */
static int pline_row(sqlite3_stmt *st, void *ctx)
{
    struct sync_pline *l = ctx;
    sync_pline_clear(l);
    l->seq = sqlite3_column_int64(st, 0);
    l->order_no = xstrdup(store_col_text(st, 1));
    l->carrier = xstrdup(store_col_text(st, 2));
    l->tracking = xstrdup(store_col_text(st, 3));
    l->order_date = store_col_dup(st, 4);
    l->key = store_col_dup(st, 5);
    l->line = (long)sqlite3_column_int64(st, 6);
    l->pre = result_of((const char *)sqlite3_column_text(st, 7));
    l->pre_msg = store_col_dup(st, 8);
    l->set.result = result_of((const char *)sqlite3_column_text(st, 9));
    l->set.code = store_col_dup(st, 10);
    l->set.msg = store_col_dup(st, 11);
    return 1;
}

int sync_plan_put(struct sync_send *p, struct sync_pline *l, struct qs_err *e)
{
    int rc = syncdb_run(p->d, ST_PLAN_INS, plan_ins_sql, e, "sssssslss", syncdb_shop(p->d),
                        l->order_no, l->carrier ? l->carrier : "", l->tracking ? l->tracking : "",
                        l->order_date, l->key, (long long)l->line, l->pre, l->pre_msg);
    if (rc == 0) {
        l->seq = (long)sqlite3_last_insert_rowid(store_db(p->s));
        p->n++;
    }
    return rc;
}

int sync_plan_get(struct sync_send *p, const char *order_no, struct sync_pline *l, struct qs_err *e)
{
    int rc;
    sync_pline_clear(l);
    rc = syncdb_each(p->d, ST_PLAN_GET, plan_get_sql, pline_row, l, e, "ss", syncdb_shop(p->d),
                     order_no);
    return rc < 0 ? rc : l->order_no != NULL;
}

int sync_plan_at(struct sync_send *p, long seq, struct sync_pline *l, struct qs_err *e)
{
    int rc;
    sync_pline_clear(l);
    rc = syncdb_each(p->d, ST_PLAN_AT, plan_at_sql, pline_row, l, e, "sl", syncdb_shop(p->d),
                     (long long)seq);
    return rc < 0 ? rc : l->order_no != NULL;
}

struct each_ctx {
    int (*fn)(const struct sync_pline *l, void *ctx);
    void *ctx;
    struct sync_pline l;
    int rc;
};

static int each_row(sqlite3_stmt *st, void *ctx)
{
    struct each_ctx *c = ctx;
    pline_row(st, &c->l);
    return (c->rc = c->fn(&c->l, c->ctx)) != 0;
}

int sync_plan_each(struct sync_send *p, int queued_only,
                   int (*fn)(const struct sync_pline *l, void *ctx), void *ctx, struct qs_err *e)
{
    struct each_ctx c = {fn, ctx, {0}, 0};
    int rc = syncdb_each(p->d, ST_PLAN_EACH, plan_each_sql, each_row, &c, e, "si",
                         syncdb_shop(p->d), queued_only);
    sync_pline_clear(&c.l);
    return rc < 0 ? rc : c.rc;
}

int sync_plan_settle(struct sync_send *p, const char *key, const char *order_no, const char *result,
                     const char *code, const char *msg, struct qs_err *e)
{
    /* A line of the plan keeps its own; an item of an earlier run is added (its last
     * settlement replaces an earlier one and moves to the end). */
    int rc = syncdb_run(p->d, ST_PLAN_SETTLE, plan_settle_sql, e, "ssssss", syncdb_shop(p->d),
                        order_no, key, result, code ? code : "", msg ? msg : "");
    if (rc == 0 && store_changes(p->s) == 0)
        rc = syncdb_run(p->d, ST_PLAN_SET_PUT, set_put_sql, e, "ssssss", syncdb_shop(p->d),
                        order_no, key, result, code ? code : "", msg ? msg : "");
    return rc;
}

struct set_ctx {
    int (*fn)(const struct sync_settled *s, void *ctx);
    void *ctx;
    int rc;
};

static int set_row(sqlite3_stmt *st, void *ctx)
{
    struct set_ctx *c = ctx;
    struct sync_settled s = {
        .key = (char *)store_col_text(st, 0),
        .order_no = (char *)store_col_text(st, 1),
        .result = result_of(store_col_text(st, 2)),
        .code = (char *)store_col_text(st, 3),
        .msg = (char *)store_col_text(st, 4),
    };
    return (c->rc = c->fn(&s, c->ctx)) != 0;
}

int sync_plan_settled_each(struct sync_send *p, int (*fn)(const struct sync_settled *s, void *ctx),
                           void *ctx, struct qs_err *e)
{
    struct set_ctx c = {fn, ctx, 0};
    int rc =
        syncdb_each(p->d, ST_PLAN_SET_EACH, set_each_sql, set_row, &c, e, "s", syncdb_shop(p->d));
    return rc < 0 ? rc : c.rc;
}

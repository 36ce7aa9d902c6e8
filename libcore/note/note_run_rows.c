/* note_run_rows: what `qs note run` keeps while it runs, in TEMP tables of the store's
 * connection instead of the heap (SPEC 8: flat memory; 100,000 new matches took 80 MB of
 * arrays). A TEMP table lives in SQLite's temporary file behind a bounded page cache,
 * belongs to this connection alone and never reaches the store's file.
 *
 *   temp.nrr_cand  the values a note is rendered from, of each order a rule matched in
 *                  this run (its first line)
 *   temp.nrr_held  the held firings, oldest first (seq), copied before any is changed
 *   temp.nrr_told  the firings settled, in the order they were (seq), told to the caller
 *                  once the deliveries are known
 *
 * The outcomes of the deliveries go to note_rows' temp.note_out, as note send's do. */
#include <stdlib.h>
#include <string.h>

#include "note_int.h"
#include "../xalloc.h"

enum { N_CAND_ADD, N_CAND_GET, N_HELD_EACH, N_TOLD_ADD, N_TOLD_EACH, N_N };

struct nrr_rows {
    struct store *s;
    sqlite3_stmt *st[N_N];
};

static const char *const sql[N_N] = {
    [N_CAND_ADD] = "INSERT OR IGNORE INTO temp.nrr_cand (order_no, buyer, tracking, carrier,"
                   " order_date, title, total) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [N_CAND_GET] = "SELECT order_no, buyer, tracking, carrier, order_date, title, total"
                   " FROM temp.nrr_cand WHERE order_no = ?1",
    [N_HELD_EACH] = "SELECT rule, order_no, trigger_at, held_at, last_run FROM temp.nrr_held"
                    " ORDER BY seq",
    [N_TOLD_ADD] = "INSERT INTO temp.nrr_told (result, rule, order_no, message, key)"
                   " VALUES (?1, ?2, ?3, ?4, ?5)",
    [N_TOLD_EACH] = "SELECT result, rule, order_no, message, key FROM temp.nrr_told ORDER BY seq",
};

#define CACHED(r, i, e, ...) store_cached((r)->s, &(r)->st[i], sql[i], e, __VA_ARGS__)

int nrr_rows_open(struct store *s, struct nrr_rows **out, struct qs_err *e)
{
    *out = xcalloc(1, sizeof **out);
    (*out)->s = s;
    return store_exec(s,
                      "CREATE TEMP TABLE IF NOT EXISTS nrr_cand (order_no TEXT PRIMARY KEY,"
                      " buyer TEXT, tracking TEXT, carrier TEXT, order_date TEXT, title TEXT,"
                      " total INTEGER);"
                      "CREATE TEMP TABLE IF NOT EXISTS nrr_held (seq INTEGER PRIMARY KEY,"
                      " rule TEXT, order_no TEXT, trigger_at TEXT, held_at TEXT, last_run TEXT);"
                      "CREATE TEMP TABLE IF NOT EXISTS nrr_told (seq INTEGER PRIMARY KEY,"
                      " result TEXT, rule TEXT, order_no TEXT, message TEXT, key TEXT);"
                      "DELETE FROM temp.nrr_cand; DELETE FROM temp.nrr_held;"
                      " DELETE FROM temp.nrr_told;",
                      e);
}

void nrr_rows_close(struct nrr_rows *r)
{
    if (!r)
        return;
    for (int i = 0; i < N_N; i++)
        store_release(r->s, r->st[i]);
    free(r);
}

int nrr_cand_add(struct nrr_rows *r, const struct sync_line *l, struct qs_err *e)
{
    int rc = CACHED(r, N_CAND_ADD, e, "ssssssl", l->order_no, l->buyer, l->tracking, l->carrier,
                    l->order_date, l->title, (long long)l->total);
    return rc < 0 ? rc : store_finish(r->s, r->st[N_CAND_ADD], e);
}

void nrr_cand_clear(struct cand *c)
{
    free(c->order_no);
    free(c->buyer);
    free(c->tracking);
    free(c->carrier);
    free(c->order_date);
    free(c->title);
    memset(c, 0, sizeof *c);
}

int nrr_cand_get(struct nrr_rows *r, const char *order_no, struct cand *c, struct qs_err *e)
{
    int rc = CACHED(r, N_CAND_GET, e, "s", order_no);
    sqlite3_stmt *st = r->st[N_CAND_GET];
    if (rc == 0 && (rc = store_step(r->s, st, e)) == 1) {
        nrr_cand_clear(c);
        c->order_no = xstrdup(store_col_text(st, 0));
        c->buyer = xstrdup(store_col_text(st, 1));
        c->tracking = xstrdup(store_col_text(st, 2));
        c->carrier = xstrdup(store_col_text(st, 3));
        c->order_date = xstrdup(store_col_text(st, 4));
        c->title = xstrdup(store_col_text(st, 5));
        c->total = sqlite3_column_int64(st, 6);
    }
    sqlite3_reset(st);
    return rc;
}

int nrr_held_fill(struct nrr_rows *r, const char *shop, struct qs_err *e)
{
    return store_run(r->s, e,
                     "INSERT INTO temp.nrr_held (rule, order_no, trigger_at, held_at, last_run)"
                     " SELECT rule, order_no, trigger_at, held_at, last_run FROM note_fire"
                     " WHERE shop = ?1 AND state = 'held'"
                     " ORDER BY trigger_at, held_at, order_no, rule",
                     "s", shop);
}

int nrr_held_each(struct nrr_rows *r, int (*fn)(const struct held *h, void *ctx), void *ctx,
                  struct qs_err *e)
{
    int rc = CACHED(r, N_HELD_EACH, e, "");
    sqlite3_stmt *st = r->st[N_HELD_EACH];
    while (rc == 0 && (rc = store_step(r->s, st, e)) == 1) {
        const struct held h = {(char *)store_col_text(st, 0), (char *)store_col_text(st, 1),
                               (char *)store_col_text(st, 2), (char *)store_col_text(st, 3),
                               (char *)store_col_text(st, 4)};
        rc = fn(&h, ctx);
    }
    sqlite3_reset(st);
    return rc;
}

int nrr_told_add(struct nrr_rows *r, const struct told *t, struct qs_err *e)
{
    int rc = CACHED(r, N_TOLD_ADD, e, "sssss", t->result, t->rule, t->order_no, t->message, t->key);
    return rc < 0 ? rc : store_finish(r->s, r->st[N_TOLD_ADD], e);
}

int nrr_told_each(struct nrr_rows *r, int (*fn)(const struct told *t, void *ctx), void *ctx,
                  struct qs_err *e)
{
    int rc = CACHED(r, N_TOLD_EACH, e, "");
    sqlite3_stmt *st = r->st[N_TOLD_EACH];
    while (rc == 0 && (rc = store_step(r->s, st, e)) == 1) {
        const struct told t = {store_col_text(st, 0), store_col_text(st, 1), store_col_text(st, 2),
                               store_col_text(st, 3),
                               sqlite3_column_type(st, 4) == SQLITE_NULL ? NULL
                                                                         : store_col_text(st, 4)};
        rc = fn(&t, ctx);
    }
    sqlite3_reset(st);
    return rc;
}

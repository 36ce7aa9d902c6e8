/* stock_sync_rows: the links a `qs stock sync` plans and what its sends became, kept in TEMP
 * tables of the store's connection instead of the heap (SPEC 8: flat memory). The report
 * lists every link at the end of the run, so every planned link is kept until then; a TEMP
 * table lives in SQLite's temporary file behind a bounded page cache. The tables belong to
 * this connection alone: another qs run never sees them, nothing in them reaches the
 * store's file, and a dry run's transaction takes them back with the rest.
 *
 *   temp.stock_sync_row   one row per link, seq = the report's order (item, option, SKU)
 *   temp.stock_sync_done  what became of each outbox item this run claimed, by key; seq =
 *                         the order of the results; mine = reported on its link's row */
#include <stdlib.h>
#include <string.h>

#include "stock_sync_int.h"
#include "../xalloc.h"

enum { T_GET, T_PUT, T_ALLOC, T_EACH, T_DONE_ADD, T_DONE_GET, T_DONE_MINE, T_DONE_REST, T_N };

/* Writes to the TEMP tables wait here and go in one transaction of their own (flush):
 * SQLite's commit of a table's change costs about as much as the change, so one per link
 * would double the plan's work. The transaction touches no table of the store's file, so
 * it takes no lock other runs could wait for. */
#define PENDING 256

struct pend {
    long seq; /* a row's decision (seq > 0), or a result (key) */
    long long available, target, market;
    int outcome;
    char *message, *key, *payload;
};

struct stock_sync_tab {
    sqlite3_stmt *st[T_N];
    struct pend p[PENDING];
    size_t np;
};

#define ROW_COLS                                                                                   \
    "seq, item_code, option, q_sku, branch, current, links, base, set_qty, set_at, waiting,"       \
    " allocated, available, target, market, outcome, message, key"

static const char *const sql[T_N] = {
    [T_GET] = "SELECT " ROW_COLS " FROM temp.stock_sync_row WHERE seq = ?1",
    [T_PUT] = "UPDATE temp.stock_sync_row SET available = ?2, target = ?3, market = ?4,"
              " outcome = ?5, message = ?6, key = ?7 WHERE seq = ?1",
    [T_ALLOC] = "UPDATE temp.stock_sync_row SET waiting = waiting + ?2,"
                " allocated = allocated + ?3 WHERE q_sku = ?1",
    [T_EACH] = "SELECT " ROW_COLS " FROM temp.stock_sync_row ORDER BY seq",
    [T_DONE_ADD] = "INSERT OR REPLACE INTO temp.stock_sync_done (key, outcome, message, payload)"
                   " VALUES (?1, ?2, ?3, ?4)",
    [T_DONE_GET] = "SELECT seq, outcome, message FROM temp.stock_sync_done WHERE key = ?1"
                   " AND NOT mine",
    [T_DONE_MINE] = "UPDATE temp.stock_sync_done SET mine = 1 WHERE seq = ?1",
    [T_DONE_REST] = "SELECT outcome, message, payload FROM temp.stock_sync_done WHERE NOT mine"
                    " ORDER BY seq",
};

int stock_sync_tab_open(struct stock_sync_job *j, struct qs_err *e)
{
    int rc;
    if (!j->tab)
        j->tab = xcalloc(1, sizeof *j->tab);
    j->nrows = 0;
    rc = store_exec(j->s,
                    "CREATE TEMP TABLE IF NOT EXISTS stock_sync_row (seq INTEGER PRIMARY KEY,"
                    " item_code TEXT NOT NULL, option TEXT NOT NULL, q_sku TEXT NOT NULL,"
                    " branch INTEGER NOT NULL, current INTEGER NOT NULL, links INTEGER NOT NULL,"
                    " base INTEGER NOT NULL, set_qty INTEGER NOT NULL, set_at TEXT NOT NULL,"
                    " waiting INTEGER NOT NULL DEFAULT 0, allocated INTEGER NOT NULL DEFAULT 0,"
                    " available INTEGER NOT NULL DEFAULT -1, target INTEGER NOT NULL DEFAULT -1,"
                    " market INTEGER NOT NULL DEFAULT -1, outcome INTEGER NOT NULL DEFAULT 0,"
                    " message TEXT NOT NULL DEFAULT '', key TEXT NOT NULL DEFAULT '');"
                    "CREATE INDEX IF NOT EXISTS temp.stock_sync_row_sku ON stock_sync_row(q_sku);"
                    "CREATE TEMP TABLE IF NOT EXISTS stock_sync_done (seq INTEGER PRIMARY KEY,"
                    " key TEXT NOT NULL UNIQUE, outcome INTEGER NOT NULL, message TEXT NOT NULL,"
                    " payload TEXT NOT NULL, mine INTEGER NOT NULL DEFAULT 0);"
                    "DELETE FROM temp.stock_sync_row; DELETE FROM temp.stock_sync_done;",
                    e);
    return rc;
}

static void pend_clear(struct stock_sync_tab *t)
{
    for (size_t i = 0; i < t->np; i++) {
        free(t->p[i].message);
        free(t->p[i].key);
        free(t->p[i].payload);
    }
    t->np = 0;
}

void stock_sync_tab_close(struct stock_sync_job *j)
{
    if (!j->tab)
        return;
    pend_clear(j->tab);
    for (int i = 0; i < T_N; i++)
        store_release(j->s, j->tab->st[i]);
    free(j->tab);
    j->tab = NULL;
}

/* Statement i of the run's cache (store_cached), bound to the arguments; *st gets it. */
static int cached(struct stock_sync_job *j, int i, sqlite3_stmt **st, struct qs_err *e,
                  const char *types, ...)
{
    va_list ap;
    int rc;
    if (!j->tab) /* stock_sync_plan makes the tables before anything else */
        return err_set(e, QS_E_SOFTWARE, NULL, "stock sync: no plan");
    va_start(ap, types);
    rc = store_cachedv(j->s, &j->tab->st[i], sql[i], e, types, ap);
    va_end(ap);
    *st = j->tab->st[i];
    return rc;
}

int stock_sync_tab_load(struct stock_sync_job *j, struct qs_err *e)
{
    int rc = store_run(
        j->s, e,
        "INSERT INTO temp.stock_sync_row (item_code, option, q_sku, branch, current, links,"
        " base, set_qty, set_at)"
        " SELECT l.item_code, l.option, l.q_sku, coalesce(o.branch_qty, 0),"
        " coalesce(o.last_snapshot = (SELECT max(id) FROM stock_snapshot WHERE shop = ?1), 0),"
        " (SELECT count(*) FROM stock_link k WHERE k.shop = l.shop AND k.q_sku = l.q_sku"
        "  AND k.state IN ('linked', 'unlink-todo')),"
        " coalesce(p.outbox_id, 0), coalesce(p.qty, 0), coalesce(p.set_at, '')"
        " FROM stock_link l LEFT JOIN stock_option o ON o.shop = l.shop AND o.q_sku = l.q_sku"
        " LEFT JOIN stock_push p ON p.shop = l.shop AND p.item_code = l.item_code"
        "  AND p.option = l.option"
        " WHERE l.shop = ?1 AND l.state IN ('linked', 'unlink-todo')"
        " ORDER BY l.item_code, l.option, l.q_sku",
        "s", j->shop);
    if (rc == 0)
        j->nrows = store_changes(j->s);
    return rc;
}

int stock_sync_tab_alloc(struct stock_sync_job *j, const char *q_sku, long long waiting,
                         long long allocated, struct qs_err *e)
{
    sqlite3_stmt *st;
    int rc = cached(j, T_ALLOC, &st, e, "sll", q_sku, waiting, allocated);
    return rc < 0 ? rc : store_finish(j->s, st, e);
}

void stock_sync_link_clear(struct stock_sync_link *l)
{
    free(l->row.item_code);
    free(l->row.option);
    free(l->row.q_sku);
    free(l->row.key);
    free(l->row.message);
    memset(l, 0, sizeof *l);
}

/* A row of ROW_COLS into l (strings malloc'd). */
static void link_read(sqlite3_stmt *st, struct stock_sync_link *l)
{
    stock_sync_link_clear(l);
    l->seq = sqlite3_column_int64(st, 0);
    l->row.item_code = xstrdup(store_col_text(st, 1));
    l->row.option = xstrdup(store_col_text(st, 2));
    l->row.q_sku = xstrdup(store_col_text(st, 3));
    l->branch = sqlite3_column_int64(st, 4);
    l->current = sqlite3_column_int(st, 5);
    l->links = (long)sqlite3_column_int64(st, 6);
    l->base = sqlite3_column_int64(st, 7);
    l->set_qty = sqlite3_column_int64(st, 8);
    snprintf(l->set_at, sizeof l->set_at, "%s", store_col_text(st, 9));
    l->waiting = sqlite3_column_int64(st, 10);
    l->allocated = sqlite3_column_int64(st, 11);
    l->row.available = sqlite3_column_int64(st, 12);
    l->row.target = sqlite3_column_int64(st, 13);
    l->row.market = sqlite3_column_int64(st, 14);
    l->row.outcome = (enum job_outcome)sqlite3_column_int(st, 15);
    l->row.message = xstrdup(store_col_text(st, 16));
    l->row.key = xstrdup(store_col_text(st, 17));
}

int stock_sync_tab_get(struct stock_sync_job *j, long seq, struct stock_sync_link *l,
                       struct qs_err *e)
{
    sqlite3_stmt *st;
    int rc = cached(j, T_GET, &st, e, "l", (long long)seq);
    if (rc == 0 && (rc = store_step(j->s, st, e)) == 1)
        link_read(st, l);
    sqlite3_reset(st);
    return rc;
}

static int write_pend(struct stock_sync_job *j, const struct pend *p, struct qs_err *e)
{
    sqlite3_stmt *st;
    int rc =
        p->seq ? cached(j, T_PUT, &st, e, "lllliss", (long long)p->seq, p->available, p->target,
                        p->market, p->outcome, p->message, p->key)
               : cached(j, T_DONE_ADD, &st, e, "siss", p->key, p->outcome, p->message, p->payload);
    return rc < 0 ? rc : store_finish(j->s, st, e);
}

/* Writes what waits, in one transaction unless the caller holds one. */
static int flush(struct stock_sync_job *j, struct qs_err *e)
{
    struct stock_sync_tab *t = j->tab;
    int own, rc = 0;
    if (!t || !t->np)
        return 0;
    own = sqlite3_get_autocommit(store_db(j->s));
    if (own && (rc = store_exec(j->s, "BEGIN", e)) < 0)
        return rc;
    for (size_t i = 0; i < t->np && rc >= 0; i++)
        rc = write_pend(j, &t->p[i], e);
    pend_clear(t);
    if (own && rc < 0)
        store_rollback(j->s);
    else if (own)
        rc = store_commit(j->s, e);
    return rc;
}

static int pend_add(struct stock_sync_job *j, const struct pend *p, struct qs_err *e)
{
    struct stock_sync_tab *t = j->tab;
    int rc;
    if (!t)
        return err_set(e, QS_E_SOFTWARE, NULL, "stock sync: no plan");
    if (t->np == PENDING && (rc = flush(j, e)) < 0)
        return rc;
    t->p[t->np] = *p;
    t->p[t->np].message = xstrdup(p->message ? p->message : "");
    t->p[t->np].key = xstrdup(p->key ? p->key : "");
    t->p[t->np].payload = p->payload ? xstrdup(p->payload) : NULL;
    t->np++;
    return 0;
}

int stock_sync_tab_put(struct stock_sync_job *j, const struct stock_sync_link *l, struct qs_err *e)
{
    const struct stock_sync_row *r = &l->row;
    struct pend p = {l->seq,          r->available, r->target, r->market,
                     (int)r->outcome, r->message,   r->key,    NULL};
    return pend_add(j, &p, e);
}

int stock_sync_tab_flush(struct stock_sync_job *j, struct qs_err *e)
{
    return flush(j, e);
}

int stock_sync_tab_each(struct stock_sync_job *j,
                        int (*fn)(struct stock_sync_job *j, const struct stock_sync_link *l,
                                  void *ctx),
                        void *ctx, struct qs_err *e)
{
    struct stock_sync_link l = {0};
    sqlite3_stmt *st;
    int rc = flush(j, e);
    if (rc < 0)
        return rc;
    rc = cached(j, T_EACH, &st, e, "");
    while (rc == 0 && (rc = store_step(j->s, st, e)) == 1) {
        link_read(st, &l);
        rc = fn(j, &l, ctx);
    }
    sqlite3_reset(st);
    stock_sync_link_clear(&l);
    return rc;
}

int stock_sync_done_add(struct stock_sync_job *j, const char *key, enum job_outcome oc,
                        const char *message, const char *payload, struct qs_err *e)
{
    struct pend p = {0, 0, 0, 0, (int)oc, (char *)message, (char *)key, (char *)payload};
    return pend_add(j, &p, e);
}

int stock_sync_done_take(struct stock_sync_job *j, const char *key, enum job_outcome *oc,
                         char **message, struct qs_err *e)
{
    sqlite3_stmt *st;
    long long seq = 0;
    int rc = flush(j, e);
    if (rc < 0)
        return rc;
    rc = cached(j, T_DONE_GET, &st, e, "s", key);
    *message = NULL;
    if (rc == 0 && (rc = store_step(j->s, st, e)) == 1) {
        seq = sqlite3_column_int64(st, 0);
        *oc = (enum job_outcome)sqlite3_column_int(st, 1);
        *message = xstrdup(store_col_text(st, 2));
    }
    sqlite3_reset(st);
    if (rc == 1 && (rc = cached(j, T_DONE_MINE, &st, e, "l", seq)) == 0 &&
        (rc = store_finish(j->s, st, e)) == 0)
        rc = 1;
    return rc;
}

int stock_sync_done_rest(struct stock_sync_job *j,
                         int (*fn)(enum job_outcome oc, const char *message, const char *payload,
                                   void *ctx),
                         void *ctx, struct qs_err *e)
{
    sqlite3_stmt *st;
    int rc = flush(j, e);
    if (rc < 0)
        return rc;
    rc = cached(j, T_DONE_REST, &st, e, "");
    while (rc == 0 && (rc = store_step(j->s, st, e)) == 1)
        rc = fn((enum job_outcome)sqlite3_column_int(st, 0), store_col_text(st, 1),
                store_col_text(st, 2), ctx);
    sqlite3_reset(st);
    return rc;
}

static int count_row(sqlite3_stmt *st, void *p)
{
    *(long long *)p = sqlite3_column_int64(st, 0);
    return 1;
}

int stock_sync_tab_counts(struct stock_sync_job *j, long long *drift, long long *shared)
{
    struct qs_err e;
    int rc;
    *drift = *shared = 0;
    err_clear(&e);
    if ((rc = flush(j, &e)) < 0)
        return rc;
    if ((rc = store_each(j->s,
                         "SELECT count(*) FROM temp.stock_sync_row WHERE substr(message, 1, 6)"
                         " = 'drift:'",
                         count_row, drift, &e, "")) < 0 ||
        (rc = store_each(j->s,
                         "SELECT count(*) FROM temp.stock_sync_row WHERE"
                         " instr(message, '--shared splits') > 0",
                         count_row, shared, &e, "")) < 0)
        return rc;
    return 0;
}

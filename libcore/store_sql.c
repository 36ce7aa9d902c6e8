/* store_sql: the thin SQL layer every module uses (issue 10 item 5) -- prepare, bind,
 * step, a row callback, transactions -- with the one SQL-error path, and the statements
 * kept prepared per store (issue 16). */
#include "store.h"
#include "store_int.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

int store_sqlerr(struct store *s, struct qs_err *e, const char *what)
{
    int code = s && s->db ? sqlite3_errcode(s->db) : SQLITE_ERROR;
    const char *msg = s && s->db ? sqlite3_errmsg(s->db) : "no database";
    int rc;
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        rc = QS_E_TEMP;
        break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
        rc = QS_E_IO;
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        rc = QS_E_DATA;
        break;
    default:
        rc = QS_E_SOFTWARE;
    }
    err_set(e, rc, NULL, "%s: %s", what, msg);
    if (s && s->path)
        err_at(e, s->path, 0, 0);
    return rc;
}

int store_prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct qs_err *e)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
        return store_sqlerr(s, e, "store");
    }
    return 0;
}

int store_bindv(struct store *s, sqlite3_stmt *st, struct qs_err *e, const char *types, va_list ap)
{
    int rc = SQLITE_OK, i = 1;

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    for (const char *t = types; *t && rc == SQLITE_OK; t++, i++) {
        switch (*t) {
        case 's':
        case 't': {
            const char *v = va_arg(ap, const char *);
            rc = v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
            break;
        }
        case 'l':
            rc = sqlite3_bind_int64(st, i, (sqlite3_int64)va_arg(ap, long long));
            break;
        case 'z': {
            long long v = va_arg(ap, long long);
            rc = v ? sqlite3_bind_int64(st, i, (sqlite3_int64)v) : sqlite3_bind_null(st, i);
            break;
        }
        case 'i':
            rc = sqlite3_bind_int(st, i, va_arg(ap, int));
            break;
        case 'd':
            rc = sqlite3_bind_double(st, i, va_arg(ap, double));
            break;
        case 'n':
            rc = sqlite3_bind_null(st, i);
            break;
        default:
            return err_set(e, QS_E_SOFTWARE, NULL, "store: bind type '%c' unknown", *t);
        }
    }
    return rc == SQLITE_OK ? 0 : store_sqlerr(s, e, "store");
}

int store_bind(struct store *s, sqlite3_stmt *st, struct qs_err *e, const char *types, ...)
{
    va_list ap;
    int rc;
    va_start(ap, types);
    rc = store_bindv(s, st, e, types, ap);
    va_end(ap);
    return rc;
}

int store_step(struct store *s, sqlite3_stmt *st, struct qs_err *e)
{
    switch (sqlite3_step(st)) {
    case SQLITE_ROW:
        return 1;
    case SQLITE_DONE:
        return 0;
    default:
        return store_sqlerr(s, e, "store");
    }
}

int store_runv(struct store *s, struct qs_err *e, const char *sql, const char *types, va_list ap)
{
    return store_eachv(s, sql, NULL, NULL, e, types, ap);
}

int store_run(struct store *s, struct qs_err *e, const char *sql, const char *types, ...)
{
    va_list ap;
    int rc;
    va_start(ap, types);
    rc = store_runv(s, e, sql, types, ap);
    va_end(ap);
    return rc;
}

int store_eachv(struct store *s, const char *sql, int (*row)(sqlite3_stmt *st, void *ctx),
                void *ctx, struct qs_err *e, const char *types, va_list ap)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = store_prepare_cached(s, sql, &st, e)) < 0)
        return rc;
    rc = store_bindv(s, st, e, types, ap);
    while (rc == 0 && (rc = store_step(s, st, e)) == 1)
        rc = row ? row(st, ctx) : 0;
    store_release(s, st);
    return rc;
}

int store_each(struct store *s, const char *sql, int (*row)(sqlite3_stmt *st, void *ctx), void *ctx,
               struct qs_err *e, const char *types, ...)
{
    va_list ap;
    int rc;
    va_start(ap, types);
    rc = store_eachv(s, sql, row, ctx, e, types, ap);
    va_end(ap);
    return rc;
}

const char *store_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

char *store_col_dup(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : xstrdup(store_col_text(st, i));
}

int store_cachedv(struct store *s, sqlite3_stmt **slot, const char *sql, struct qs_err *e,
                  const char *types, va_list ap)
{
    int rc;
    if (!*slot && (rc = store_prepare_cached(s, sql, slot, e)) < 0)
        return rc;
    return store_bindv(s, *slot, e, types, ap);
}

int store_cached(struct store *s, sqlite3_stmt **slot, const char *sql, struct qs_err *e,
                 const char *types, ...)
{
    va_list ap;
    int rc;
    va_start(ap, types);
    rc = store_cachedv(s, slot, sql, e, types, ap);
    va_end(ap);
    return rc;
}

int store_finish(struct store *s, sqlite3_stmt *st, struct qs_err *e)
{
    int rc;
    while ((rc = store_step(s, st, e)) == 1)
        ;
    sqlite3_reset(st);
    return rc;
}

int store_row_text(sqlite3_stmt *st, void *ctx)
{
    struct store_text *t = ctx;
    snprintf(t->buf, t->size, "%s", store_col_text(st, 0));
    return 1;
}

int store_changes(struct store *s)
{
    return sqlite3_changes(s->db);
}

/* Why path cannot be opened or created when a symlink is in the way, else NULL. */
int store_exec(struct store *s, const char *sql, struct qs_err *e)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_sqlerr(s, e, "store");
    return 0;
}

/* Both kept prepared: a batch opens a transaction per item (issue 16: sqlite3_exec parsed
 * them anew each time, 5% of a publish run). */
int store_begin(struct store *s, struct qs_err *e)
{
    return store_run(s, e, "BEGIN IMMEDIATE", "");
}

int store_commit(struct store *s, struct qs_err *e)
{
    return store_run(s, e, "COMMIT", "");
}

void store_rollback(struct store *s)
{
    if (s && s->db && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- statements kept prepared ---- */

/* Statements kept prepared per store (issue 16 target 4). A batch runs the
 * same statements once per item; store_each, store_run and the outbox's steps take them
 * from here instead of preparing them again. A statement is reset and its bindings
 * cleared when it is released, so a cached statement never holds a read transaction
 * open; one still handed out (a row callback running the same SQL again) is not shared:
 * the nested caller gets a statement of its own, finalized on release. */

static unsigned long sql_hash(const char *sql)
{
    unsigned long h = 5381;
    for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
        h = h * 33 ^ *p;
    return h;
}

/* The slot to fill: an empty one, else the least recently used one not handed out (its
 * statement finalized), else NULL (all handed out). */
static struct store_cached *slot_for_new(struct store *s)
{
    struct store_cached *old = NULL;
    for (size_t i = 0; i < s->ncache; i++)
        if (!s->cache[i].st)
            return &s->cache[i];
    if (s->ncache < STORE_CACHE_MAX)
        return &s->cache[s->ncache++];
    for (size_t i = 0; i < s->ncache; i++)
        if (!s->cache[i].busy && (!old || s->cache[i].used < old->used))
            old = &s->cache[i];
    if (old) {
        sqlite3_finalize(old->st);
        free(old->sql);
        memset(old, 0, sizeof *old);
    }
    return old;
}

int store_prepare_cached(struct store *s, const char *sql, sqlite3_stmt **st, struct qs_err *e)
{
    unsigned long h = sql_hash(sql);
    struct store_cached *c;

    *st = NULL;
    for (size_t i = 0; i < s->ncache; i++) {
        c = &s->cache[i];
        if (c->st && c->hash == h && strcmp(c->sql, sql) == 0) {
            if (c->busy) /* nested use of the same SQL: a statement of its own */
                return store_prepare(s, sql, st, e);
            c->busy = 1;
            c->used = ++s->tick;
            *st = c->st;
            return 0;
        }
    }
    if (!(c = slot_for_new(s)))
        return store_prepare(s, sql, st, e);
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->st, NULL) != SQLITE_OK) {
        int rc = store_sqlerr(s, e, "store");
        sqlite3_finalize(c->st);
        memset(c, 0, sizeof *c); /* an empty slot, filled next time */
        return rc;
    }
    c->sql = xstrdup(sql);
    c->hash = h;
    c->busy = 1;
    c->used = ++s->tick;
    *st = c->st;
    return 0;
}

void store_release(struct store *s, sqlite3_stmt *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < s->ncache; i++) {
        if (s->cache[i].st == st && s->cache[i].busy) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            s->cache[i].busy = 0;
            return;
        }
    }
    sqlite3_finalize(st);
}

void store_cache_clear(struct store *s)
{
    for (size_t i = 0; i < s->ncache; i++) {
        sqlite3_finalize(s->cache[i].st);
        free(s->cache[i].sql);
    }
    memset(s->cache, 0, sizeof s->cache);
    s->ncache = 0;
}

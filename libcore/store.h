/* store: the one SQLite database (SPEC 1.4): open/create, WAL, foreign keys,
 * busy timeout, transactions, migrations by PRAGMA user_version. */
#ifndef QS_STORE_H
#define QS_STORE_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>

#include "err.h"

struct store;

/* The default store path: $QS_STORE, else $XDG_DATA_HOME/qs/qs.db, else
 * ~/.local/share/qs/qs.db. Returns a malloc'd string; the caller frees it. */
char *store_default_path(void);
/* Opens for writing (creating file 0600 and parent folders 0700 when missing, never
 * through a symlink) and migrates the store at path; an existing store and its -wal/-shm
 * are made 0600 when this user owns them, refused (QS_E_IO) when another user owns them
 * and others may read or write them. Returns 0 or a QS_E_* code. */
int store_open(const char *path, struct store **out, struct qs_err *e);
/* Opens the store at path for reading only (verbs that never write, issue 8 item 11): a
 * 0400 file, a read-only folder or mount will do. Never creates or changes modes; a
 * store of an older schema is migrated (store_open) when this user may write it.
 * QS_E_IO when there is no store at path, QS_E_DATA when it is empty, not a store, of a
 * newer schema version than this qs, or of an older one it cannot write. */
int store_open_ro(const char *path, struct store **out, struct qs_err *e);
/* Closes s; store_close(NULL) is a no-op. */
void store_close(struct store *s);
/* The SQLite handle, for libcore modules that own tables. */
sqlite3 *store_db(struct store *s);
/* The path s was opened with. */
const char *store_path(const struct store *s);
/* The schema version of the open store (PRAGMA user_version). */
int store_version(struct store *s);
/* The schema version this build migrates to. */
int store_schema_version(void);
/* Starts a write transaction (BEGIN IMMEDIATE, waiting up to the busy timeout). */
int store_begin(struct store *s, struct qs_err *e);
/* Commits the transaction. */
int store_commit(struct store *s, struct qs_err *e);
/* Rolls back the transaction, if any. */
void store_rollback(struct store *s);
/* A bulk write (issue 16, SPEC 8's import bar): when s is the only connection to its
 * store, leaves WAL mode for a rollback journal (synchronous FULL) until store_bulk_end
 * or store_close, and returns 1; else changes nothing and returns 0. Call it outside a
 * transaction. A big transaction then writes its pages once, not into the -wal and again
 * at the checkpoint; a command opened meanwhile waits for the commit (busy timeout). A
 * process killed in between leaves a journal that the next connection rolls back, and
 * the next store_open goes back to WAL. */
int store_bulk_begin(struct store *s);
/* Goes back to WAL mode after store_bulk_begin, outside a transaction; a no-op when
 * store_bulk_begin returned 0. A failure is left to the next store_open. */
void store_bulk_end(struct store *s);
/* Runs sql (no parameters, no rows) on s. */
int store_exec(struct store *s, const char *sql, struct qs_err *e);
/* Fills e from SQLite's last error on s, prefixed by what; returns the QS_E_* code
 * (busy/locked -> QS_E_TEMP, I/O/full -> QS_E_IO, else QS_E_SOFTWARE). */
int store_sqlerr(struct store *s, struct qs_err *e, const char *what);

/* The thin SQL layer every module uses instead of its own copies: one prepare, one bind,
 * one step and one error path (store_sqlerr, labelled "store"). Statements are always
 * prepared with bound parameters, never built from values.
 *
 * Parameter types, one letter per parameter ?1, ?2, ... of store_bind, store_run and
 * store_each:  's' const char * (NULL binds SQL NULL; 't' is the same), 'l' long long,
 * 'z' long long that binds SQL NULL when 0 (an optional id), 'i' int, 'd' double,
 * 'n' SQL NULL (takes no argument). */

/* Prepares sql on s into *st (NULL on failure). Returns 0 or a QS_E_* code. */
int store_prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct qs_err *e);
/* Like store_prepare, but the statement stays prepared for the life of s: the next
 * store_prepare_cached of the same sql gets it again. Give it back with store_release,
 * never sqlite3_finalize. Returns 0 or a QS_E_* code. */
int store_prepare_cached(struct store *s, const char *sql, sqlite3_stmt **st, struct qs_err *e);
/* Gives back a statement of store_prepare_cached (reset, bindings cleared); finalizes
 * any other. NULL is a no-op. */
void store_release(struct store *s, sqlite3_stmt *st);
/* Resets st, clears its bindings and binds the parameters 1.. described by types from the
 * variadic arguments (texts are copied). Returns 0 or a QS_E_* code. */
int store_bind(struct store *s, sqlite3_stmt *st, struct qs_err *e, const char *types, ...);
int store_bindv(struct store *s, sqlite3_stmt *st, struct qs_err *e, const char *types, va_list ap);
/* Steps st once: 1 for a row, 0 when done, else a QS_E_* code. */
int store_step(struct store *s, sqlite3_stmt *st, struct qs_err *e);
/* Prepares sql (store_prepare_cached), binds the parameters, steps it to the end (rows
 * are ignored) and releases it. Returns 0 or a QS_E_* code. */
int store_run(struct store *s, struct qs_err *e, const char *sql, const char *types, ...);
int store_runv(struct store *s, struct qs_err *e, const char *sql, const char *types, va_list ap);
/* Prepares sql, binds the parameters and calls row(st, ctx) for each row until row
 * returns non-zero; releases it (store_prepare_cached). Returns a QS_E_* code on an SQL error, else
 * row's non-zero return when it stopped the walk (a negative one is an error row set in e), else 0.
 */
int store_each(struct store *s, const char *sql, int (*row)(sqlite3_stmt *st, void *ctx), void *ctx,
               struct qs_err *e, const char *types, ...);
int store_eachv(struct store *s, const char *sql, int (*row)(sqlite3_stmt *st, void *ctx),
                void *ctx, struct qs_err *e, const char *types, va_list ap);
/* Column i of the current row of st as text, "" for NULL (never NULL). */
const char *store_col_text(sqlite3_stmt *st, int i);
/* Column i as a malloc'd string, NULL for SQL NULL; the caller frees it. */
char *store_col_dup(sqlite3_stmt *st, int i);
/* A caller's handle on a kept statement: takes sql from the store's cache
 * (store_prepare_cached) into *slot the first time (given back with store_release by the
 * caller), then resets it and binds the parameters as store_bind. Returns 0 or a QS_E_*
 * code. */
int store_cached(struct store *s, sqlite3_stmt **slot, const char *sql, struct qs_err *e,
                 const char *types, ...);
int store_cachedv(struct store *s, sqlite3_stmt **slot, const char *sql, struct qs_err *e,
                  const char *types, va_list ap);
/* Steps st to its end (rows ignored) and resets it, so that a cached statement holds no
 * read transaction open. Returns 0 or a QS_E_* code. */
int store_finish(struct store *s, sqlite3_stmt *st, struct qs_err *e);
/* A buffer for store_row_text. */
struct store_text {
    char *buf;
    size_t size;
};
/* A row callback of store_each: copies column 0 of the first row into the struct
 * store_text ctx and stops the walk. */
int store_row_text(sqlite3_stmt *st, void *ctx);
/* Rows changed by the last INSERT, UPDATE or DELETE on s. */
int store_changes(struct store *s);

#endif

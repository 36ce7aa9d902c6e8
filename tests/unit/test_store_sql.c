/* Unit tests of the store's thin SQL layer (issue 10 item 5): store_prepare, store_bind,
 * store_step, store_run, store_each and their one error path; the statements kept
 * prepared (store_prepare_cached, store_release). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "xalloc.h"

#include "store_fx.h"

static int setup(void **state)
{
    struct fx *f = fx_open("sql");
    struct qs_err e;
    if (!f || store_exec(f->s, "CREATE TABLE t(a TEXT, b INTEGER, c REAL)", &e) < 0)
        return -1;
    *state = f;
    return 0;
}

struct rows {
    char a[8][16];
    long long b[8];
    int n, stop_at;
};

static int collect(sqlite3_stmt *st, void *p)
{
    struct rows *r = p;
    snprintf(r->a[r->n], sizeof r->a[r->n], "%s", store_col_text(st, 0));
    r->b[r->n] = sqlite3_column_int64(st, 1);
    if (++r->n == r->stop_at)
        return 7;
    return 0;
}

/* Parameters of every type are bound in order; rows come back through the callback. */
static void run_and_each(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    struct rows r = {0};

    assert_int_equal(
        store_run(f->s, &e, "INSERT INTO t VALUES (?1, ?2, ?3)", "sld", "x", 5000000000LL, 1.5), 0);
    assert_int_equal(store_run(f->s, &e, "INSERT INTO t VALUES (?1, ?2, ?3)", "sin", "y", 2), 0);
    assert_int_equal(store_run(f->s, &e, "INSERT INTO t VALUES (?1, ?2, NULL)", "sl", NULL, 3LL),
                     0);
    assert_int_equal(store_changes(f->s), 1);
    assert_int_equal(
        store_each(f->s, "SELECT a, b FROM t WHERE b >= ?1 ORDER BY b", collect, &r, &e, "i", 2),
        0);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.a[0], "y");
    assert_string_equal(r.a[1], ""); /* NULL reads as "" */
    assert_int_equal(r.b[2], 5000000000LL);

    /* a callback's non-zero return stops the walk and is returned */
    memset(&r, 0, sizeof r);
    r.stop_at = 2;
    assert_int_equal(store_each(f->s, "SELECT a, b FROM t ORDER BY b", collect, &r, &e, ""), 7);
    assert_int_equal(r.n, 2);
}

/* One error path: a statement that does not prepare, a step that fails and an unknown
 * bind type all come back as a QS_E_* code with SQLite's message, labelled "store". */
static void error_path(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    struct rows r = {0};
    sqlite3_stmt *st = (sqlite3_stmt *)&r;

    assert_int_equal(store_prepare(f->s, "SELEKT 1", &st, &e), QS_E_SOFTWARE);
    assert_null(st);
    assert_non_null(strstr(e.msg, "store: "));
    assert_non_null(strstr(e.msg, "syntax error"));
    assert_string_equal(e.file, f->path);

    err_clear(&e);
    assert_int_equal(store_each(f->s, "SELECT nope FROM t", collect, &r, &e, ""), QS_E_SOFTWARE);
    assert_non_null(strstr(e.msg, "no such column"));
    assert_int_equal(r.n, 0);

    err_clear(&e);
    assert_int_equal(store_exec(f->s, "CREATE TABLE u(k TEXT PRIMARY KEY)", &e), 0);
    assert_int_equal(store_run(f->s, &e, "INSERT INTO u VALUES (?1)", "s", "k"), 0);
    assert_int_equal(store_run(f->s, &e, "INSERT INTO u VALUES (?1)", "s", "k"), QS_E_SOFTWARE);
    assert_non_null(strstr(e.msg, "UNIQUE constraint failed"));

    err_clear(&e);
    assert_int_equal(store_run(f->s, &e, "INSERT INTO u VALUES (?1)", "x", "k"), QS_E_SOFTWARE);
    assert_non_null(strstr(e.msg, "bind type 'x'"));

    /* store_step on a prepared statement: 1 per row, then 0 */
    assert_int_equal(store_prepare(f->s, "SELECT k FROM u", &st, &e), 0);
    assert_int_equal(store_bind(f->s, st, &e, ""), 0);
    assert_int_equal(store_step(f->s, st, &e), 1);
    assert_int_equal(store_step(f->s, st, &e), 0);
    sqlite3_finalize(st);
}

/* A write on a store opened read-only fails through the same path as an I/O error. */
static void read_only_write(void **state)
{
    struct fx *f = *state;
    struct store *ro = NULL;
    struct qs_err e = {0};

    assert_int_equal(store_open_ro(f->path, &ro, &e), 0);
    assert_int_equal(store_run(ro, &e, "INSERT INTO t VALUES (?1, 1, 1)", "s", "z"), QS_E_IO);
    assert_non_null(strstr(e.msg, "store: "));
    store_close(ro);
}

/* 'z' binds NULL for 0 (an optional id) and the number otherwise; 't' is text like 's'. */
static void optional_id(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    long long n = -1;
    sqlite3_stmt *st = NULL;

    assert_int_equal(store_run(f->s, &e, "INSERT INTO t VALUES (?1, ?2, NULL)", "tz", "z0", 0LL),
                     0);
    assert_int_equal(store_run(f->s, &e, "INSERT INTO t VALUES (?1, ?2, NULL)", "tz", "z7", 7LL),
                     0);
    assert_int_equal(
        store_prepare(f->s, "SELECT count(*) FROM t WHERE a = 'z0' AND b IS NULL", &st, &e), 0);
    assert_int_equal(store_step(f->s, st, &e), 1);
    n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    assert_int_equal(n, 1);
    assert_int_equal(
        store_prepare(f->s, "SELECT count(*) FROM t WHERE a = 'z7' AND b = 7", &st, &e), 0);
    assert_int_equal(store_step(f->s, st, &e), 1);
    n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    assert_int_equal(n, 1);
}

struct nest {
    struct store *s;
    struct qs_err *e;
    int inner, rows;
};

/* A row callback that runs the statement it is called from again. */
static int nested(sqlite3_stmt *st, void *p)
{
    struct nest *n = p;
    (void)st;
    n->rows++;
    if (n->inner++ == 0)
        return store_each(n->s, "SELECT a, b FROM t ORDER BY b", nested, n, n->e, "");
    return 0;
}

/* Statements kept prepared (issue 16): the same SQL gets the same statement back, reset
 * and unbound; a nested use of the same SQL gets one of its own; a released statement
 * holds no transaction open; more texts than the cache holds push the oldest out. */
static void cached(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    sqlite3_stmt *a = NULL, *b = NULL, *c = NULL;
    struct nest n = {f->s, &e, 0, 0};
    static const char sql[] = "SELECT count(*) FROM t WHERE b >= ?1";

    assert_int_equal(store_run(f->s, &e, "INSERT INTO t VALUES ('x', 1, 0)", ""), 0);
    assert_int_equal(store_run(f->s, &e, "INSERT INTO t VALUES ('y', 2, 0)", ""), 0);
    assert_int_equal(store_prepare_cached(f->s, sql, &a, &e), 0);
    assert_int_equal(store_bind(f->s, a, &e, "i", 2), 0);
    assert_int_equal(store_step(f->s, a, &e), 1);
    assert_int_equal(store_prepare_cached(f->s, sql, &b, &e), 0);
    assert_ptr_not_equal(a, b); /* a is still handed out */
    store_release(f->s, b);
    store_release(f->s, a);
    assert_int_equal(sqlite3_stmt_busy(a), 0);
    assert_int_equal(store_prepare_cached(f->s, sql, &c, &e), 0);
    assert_ptr_equal(a, c);
    assert_int_equal(store_step(f->s, c, &e), 1); /* unbound: b >= NULL matches nothing */
    assert_int_equal(sqlite3_column_int(c, 0), 0);
    store_release(f->s, c);
    assert_int_equal(store_each(f->s, "SELECT a, b FROM t ORDER BY b", nested, &n, &e, ""), 0);
    assert_int_equal(n.rows, 4);
    assert_int_equal(sqlite3_get_autocommit(store_db(f->s)), 1);
    for (int i = 0; i < 200; i++) { /* more texts than the cache holds: the oldest go */
        char q[64];
        snprintf(q, sizeof q, "SELECT %d FROM t", i);
        assert_int_equal(store_run(f->s, &e, q, ""), 0);
    }
    assert_int_equal(store_prepare_cached(f->s, "SELECT nope FROM t", &a, &e), QS_E_SOFTWARE);
    assert_null(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(run_and_each, setup, teardown),
        cmocka_unit_test_setup_teardown(optional_id, setup, teardown),
        cmocka_unit_test_setup_teardown(error_path, setup, teardown),
        cmocka_unit_test_setup_teardown(read_only_write, setup, teardown),
        cmocka_unit_test_setup_teardown(cached, setup, teardown),
    };
    return cmocka_run_group_tests_name("store SQL layer (issue 10 item 5)", tests, NULL, NULL);
}

/* upc: the code pools (R-UPC-1..3): owns the tables upc_pool and upc_code. The check
 * digits (R-IMP-8) are in upc_check.c. */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "../text.h"
#include "../tm.h"
#include "../xalloc.h"

/* ---- the store ---- */

static int prep(struct store *s, const char *sql, sqlite3_stmt **st, struct qs_err *e)
{
    if (sqlite3_prepare_v2(store_db(s), sql, -1, st, NULL) != SQLITE_OK)
        return store_sqlerr(s, e, "store");
    return 0;
}

static void now_iso(char buf[32])
{
    tm_utc_iso(time(NULL), buf, 32);
}

/* Finds pool name; returns 1 found (id, type set), 0 not, negative on error. */
static int pool_get(struct store *s, const char *name, long long *id, enum upc_type *t,
                    struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(s, "SELECT id, type FROM upc_pool WHERE name = ?", &st, e);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        if (upc_type_parse((const char *)sqlite3_column_text(st, 1), t) < 0)
            *t = UPC_T_OTHER;
        rc = 1;
    } else if (rc == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = store_sqlerr(s, e, "reading code pools");
    }
    sqlite3_finalize(st);
    return rc;
}

struct upc_imp {
    struct store *s;
    long long pool;
    enum upc_type type;
    const char *file;
    void (*report)(void *ctx, const struct qs_err *e, int warning);
    void *ctx;
    struct upc_import_stats *st;
    sqlite3_stmt *seen_ins, *seen_get, *code_get, *prod_get, *ins;
    char now[32];
    char where[128]; /* the code column, as messages name it (issue 8 item 17) */
    char sheet[64];  /* the worksheet of an .xlsx input, "" for text */
    size_t col;      /* the code column's number in the input */
};

static void imp_diag(struct upc_imp *m, int warning, long line, const char *rule, const char *fmt,
                     ...) __attribute__((format(printf, 5, 6)));

/* An error (warning 0) or a warning about the code at line: "column A (code): ...". */
static void imp_diag(struct upc_imp *m, int warning, long line, const char *rule, const char *fmt,
                     ...)
{
    struct qs_err e;
    char msg[sizeof e.msg];
    va_list ap;
    err_clear(&e);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(&e, QS_E_DATA, rule, "%s: %s", m->where, msg);
    /* In a workbook the cell is named (file.xlsx:Sheet1!A12, SPEC 1.2). */
    err_at_sheet(&e, m->file, m->sheet, line, m->sheet[0] ? (long)m->col : 0);
    m->st->errors += !warning;
    if (m->report)
        m->report(m->ctx, &e, warning);
}

#define imp_error(m, ...) imp_diag(m, 0, __VA_ARGS__)

/* Runs a one-row lookup; 1 with a row (st not reset), 0 none (reset), negative error. */
static int lookup(struct upc_imp *m, sqlite3_stmt *st, const char *code, struct qs_err *e)
{
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store_sqlerr(m->s, e, "reading codes");
}

/* One code of the file: R-IMP-8 validity, then R-UPC-1 uniqueness. */
static int imp_code(struct upc_imp *m, const char *raw, long line, struct qs_err *e)
{
    char code[UPC_MAX];
    const char *why = NULL;
    int rc;

    m->st->rows++;
    if ((rc = upc_check_as(raw, m->type, code, &why)) < 0) {
        imp_error(m, line, "R-IMP-8", "\"%.60s\" %s for a %s pool", raw, why,
                  upc_type_name(m->type));
        return 0;
    }
    if (rc == 1) /* SPEC 1.2: an Excel-stripped code, restored */
        imp_diag(m, 1, line, "R-IMP-8", "\"%.60s\" restored to \"%s\": %s", raw, code, why);
    /* R-UPC-1: the seen set of the file is a temporary table, not a heap table. */
    sqlite3_bind_text(m->seen_ins, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(m->seen_ins, 2, line);
    rc = sqlite3_step(m->seen_ins);
    sqlite3_reset(m->seen_ins);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        if ((rc = lookup(m, m->seen_get, code, e)) < 0)
            return rc;
        imp_error(m, line, "R-UPC-1", "\"%s\" repeats line %lld", code,
                  rc ? sqlite3_column_int64(m->seen_get, 0) : 0);
        sqlite3_reset(m->seen_get);
        return 0;
    }
    if (rc != SQLITE_DONE)
        return store_sqlerr(m->s, e, "checking codes");
    if ((rc = lookup(m, m->code_get, code, e)) < 0)
        return rc;
    if (rc) {
        imp_error(m, line, "R-UPC-1", "\"%s\" is already in pool \"%s\"", code,
                  (const char *)sqlite3_column_text(m->code_get, 0));
        sqlite3_reset(m->code_get);
        return 0;
    }
    if (m->st->errors)
        return 0; /* nothing will be written: spare the insert */
    sqlite3_bind_int64(m->ins, 1, m->pool);
    sqlite3_bind_text(m->ins, 2, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(m->ins, 3, m->now, -1, SQLITE_STATIC);
    rc = sqlite3_step(m->ins);
    sqlite3_reset(m->ins);
    if (rc != SQLITE_DONE)
        return store_sqlerr(m->s, e, "adding codes");
    m->st->added++;
    return 0;
}

/* 1 when a header cell is rather the first code of a bare list: digits, spaces,
 * hyphens and X for numeric types; anything for "other". */
static int looks_like_code(const char *s, enum upc_type t)
{
    if (t == UPC_T_OTHER)
        return 1;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || *s == ' ' || *s == '-' || *s == 'x' || *s == 'X'))
            return 0;
    return 1;
}

/* The value of the code column of r: "code", else the first field. */
static const char *code_of(const struct rec *r)
{
    const char *v = rec_get(r, "code");
    if (v)
        return v;
    return r->n ? r->f[0].value : "";
}

/* Names the code column in m->where: "column B (code)", "column A" in a bare list (bare:
 * its header is a code), "field \"code\"" in JSON Lines. */
static void name_column(struct upc_imp *m, struct rec_reader *r, const struct rec *row, int bare)
{
    const char *name = rec_get(row, "code") ? "code" : row->n ? row->f[0].name : NULL;
    size_t col = rec_reader_format(r) == REC_JSON ? 0 : name ? rec_reader_column_index(r, name) : 1;
    text_where(col, bare ? NULL : name, m->where, sizeof m->where);
    m->col = col;
    snprintf(m->sheet, sizeof m->sheet, "%s", rec_reader_sheet(r) ? rec_reader_sheet(r) : "");
}

static int imp_read(struct upc_imp *m, FILE *fp, const char *name, const struct rec_reader_opts *ro,
                    struct qs_err *e)
{
    struct rec_reader *r = NULL;
    struct rec *row = rec_new();
    int rc, first = 1;

    if ((rc = rec_reader_open(fp, name, ro, &r, e)) < 0)
        goto out;
    while ((rc = rec_read(r, row, e)) == 1) {
        if (first && rec_reader_format(r) != REC_JSON) {
            /* A bare list of codes has no header: its first line is a code too. */
            size_t n;
            const char *const *cols = rec_reader_columns(r, &n);
            int bare = n && strcmp(cols[0], "code") != 0 && !rec_get(row, "code") &&
                       looks_like_code(cols[0], m->type);
            name_column(m, r, row, bare);
            if (bare && (rc = imp_code(m, cols[0], 1, e)) < 0)
                goto out;
        } else if (first) {
            name_column(m, r, row, 0);
        }
        first = 0;
        const char *v = code_of(row);
        while (*v == ' ' || *v == '\t')
            v++;
        if (!*v)
            continue;
        if ((rc = imp_code(m, v, rec_reader_line(r), e)) < 0)
            goto out;
    }
    if (rc == 0 && first && rec_reader_format(r) != REC_JSON) {
        /* A one-line list: its only line is a code. */
        size_t n;
        const char *const *cols = rec_reader_columns(r, &n);
        text_where(1, NULL, m->where, sizeof m->where);
        if (n && strcmp(cols[0], "code") != 0 && looks_like_code(cols[0], m->type))
            rc = imp_code(m, cols[0], 1, e);
    }
out:
    rec_free(row);
    rec_reader_close(r);
    return rc;
}

int upc_import(struct store *s, const char *pool, enum upc_type t, FILE *fp, const char *name,
               const struct rec_reader_opts *ro,
               void (*report)(void *ctx, const struct qs_err *e, int warning), void *ctx,
               struct upc_import_stats *st, struct qs_err *e)
{
    struct upc_imp m;
    enum upc_type have;
    int rc;
    sqlite3_stmt *q = NULL;

    memset(&m, 0, sizeof m);
    memset(st, 0, sizeof *st);
    m.s = s;
    m.type = t;
    m.file = name;
    m.report = report;
    m.ctx = ctx;
    m.st = st;
    now_iso(m.now);
    if (!*pool)
        return err_set(e, QS_E_USAGE, NULL, "the pool needs a name");
    if ((rc = store_exec(s,
                         "CREATE TEMP TABLE IF NOT EXISTS upc_seen (code TEXT PRIMARY KEY, "
                         "line INTEGER) WITHOUT ROWID",
                         e)) < 0 ||
        (rc = store_begin(s, e)) < 0)
        return rc;
    if ((rc = store_exec(s, "DELETE FROM temp.upc_seen", e)) < 0)
        goto fail;
    if ((rc = pool_get(s, pool, &m.pool, &have, e)) < 0)
        goto fail;
    if (rc == 1 && have != t) {
        rc = err_set(e, QS_E_USAGE, "R-UPC-1", "pool \"%s\" holds %s codes, not %s", pool,
                     upc_type_name(have), upc_type_name(t));
        goto fail;
    }
    if (rc == 0) {
        if ((rc = prep(s, "INSERT INTO upc_pool (name, type, created_at) VALUES (?, ?, ?)", &q,
                       e)) < 0)
            goto fail;
        sqlite3_bind_text(q, 1, pool, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, upc_type_name(t), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, m.now, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE) {
            rc = store_sqlerr(s, e, "creating the pool");
            goto fail;
        }
        m.pool = sqlite3_last_insert_rowid(store_db(s));
        sqlite3_finalize(q);
        q = NULL;
    }
    if ((rc = prep(s, "INSERT INTO temp.upc_seen (code, line) VALUES (?, ?)", &m.seen_ins, e)) <
            0 ||
        (rc = prep(s, "SELECT line FROM temp.upc_seen WHERE code = ?", &m.seen_get, e)) < 0 ||
        (rc = prep(s,
                   "SELECT p.name FROM upc_code c JOIN upc_pool p ON p.id = c.pool_id "
                   "WHERE c.code = ?",
                   &m.code_get, e)) < 0 ||
        /* R-UPC-2: a code a product already carries is used; one pass over product (no
         * index on product.code: imports would pay for it on every product). */
        (rc = prep(s,
                   "SELECT s.line, s.code, p.parent_sku, p.shop FROM product p"
                   " JOIN temp.upc_seen s ON s.code = p.code ORDER BY s.line",
                   &m.prod_get, e)) < 0 ||
        (rc = prep(s, "INSERT INTO upc_code (pool_id, code, added_at) VALUES (?, ?, ?)", &m.ins,
                   e)) < 0)
        goto fail;
    if ((rc = imp_read(&m, fp, name, ro, e)) < 0)
        goto fail;
    while ((rc = sqlite3_step(m.prod_get)) == SQLITE_ROW)
        imp_error(&m, (long)sqlite3_column_int64(m.prod_get, 0), "R-UPC-1",
                  "\"%s\" is already carried by product \"%s\" of shop %s",
                  (const char *)sqlite3_column_text(m.prod_get, 1),
                  (const char *)sqlite3_column_text(m.prod_get, 2),
                  (const char *)sqlite3_column_text(m.prod_get, 3));
    if (rc != SQLITE_DONE) {
        rc = store_sqlerr(s, e, "checking codes");
        goto fail;
    }
    if (st->errors) {
        rc = err_set(e, QS_E_DATA, NULL, "%ld error%s in %s; no code added", st->errors,
                     st->errors == 1 ? "" : "s", name);
        goto fail;
    }
    if ((rc = prep(s, "UPDATE upc_pool SET last_import_at = ? WHERE id = ?", &q, e)) < 0)
        goto fail;
    sqlite3_bind_text(q, 1, m.now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, m.pool);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = store_sqlerr(s, e, "updating the pool");
        goto fail;
    }
    sqlite3_finalize(q);
    q = NULL;
    sqlite3_finalize(m.seen_ins);
    sqlite3_finalize(m.seen_get);
    sqlite3_finalize(m.code_get);
    sqlite3_finalize(m.prod_get);
    sqlite3_finalize(m.ins);
    return store_commit(s, e);
fail:
    sqlite3_finalize(q);
    sqlite3_finalize(m.seen_ins);
    sqlite3_finalize(m.seen_get);
    sqlite3_finalize(m.code_get);
    sqlite3_finalize(m.prod_get);
    sqlite3_finalize(m.ins);
    store_rollback(s);
    return rc;
}

/* R-UPC-3: each pool with its type, codes available and used, and the last import. */
int upc_pools_each(struct store *s, int (*fn)(void *ctx, const struct upc_pool_info *p), void *ctx,
                   struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(s,
                  "SELECT p.name, p.type,"
                  " (SELECT count(*) FROM upc_code c WHERE c.pool_id = p.id"
                  "  AND c.product_id IS NULL),"
                  " (SELECT count(*) FROM upc_code c WHERE c.pool_id = p.id"
                  "  AND c.product_id IS NOT NULL),"
                  " coalesce(p.last_import_at, '')"
                  " FROM upc_pool p ORDER BY p.name",
                  &st, e);
    if (rc < 0)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct upc_pool_info p = {
            (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
            (long)sqlite3_column_int64(st, 2),        (long)sqlite3_column_int64(st, 3),
            (const char *)sqlite3_column_text(st, 4),
        };
        if ((rc = fn(ctx, &p)) < 0)
            break;
    }
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc > 0)
        rc = store_sqlerr(s, e, "reading code pools");
    sqlite3_finalize(st);
    return rc;
}

/* ---- giving codes (R-UPC-2) ---- */

struct upc_assign {
    struct store *s;
    long long pool;
    enum upc_type type;
    int any_unused; /* some pool holds an unused code: marking is needed */
    sqlite3_stmt *next, *give, *mark;
    char now[32];
};

int upc_assign_open(struct store *s, const char *pool, struct upc_assign **out, struct qs_err *e)
{
    struct upc_assign *a = xcalloc(1, sizeof *a);
    sqlite3_stmt *st = NULL;
    int rc;

    *out = NULL;
    a->s = s;
    a->pool = -1;
    now_iso(a->now);
    if (pool) {
        if ((rc = pool_get(s, pool, &a->pool, &a->type, e)) < 0)
            goto fail;
        if (rc == 0) {
            rc = err_set(e, QS_E_USAGE, "R-UPC-2",
                         "no code pool \"%s\"; create it with qs import upc --pool %s", pool, pool);
            goto fail;
        }
    }
    if ((rc = prep(s, "SELECT EXISTS (SELECT 1 FROM upc_code WHERE product_id IS NULL)", &st, e)) <
        0)
        goto fail;
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = store_sqlerr(s, e, "reading codes");
        goto fail;
    }
    a->any_unused = sqlite3_column_int(st, 0);
    if ((rc = prep(s,
                   "SELECT id, code FROM upc_code WHERE pool_id = ? AND product_id IS NULL"
                   " ORDER BY id LIMIT 1",
                   &a->next, e)) < 0 ||
        (rc = prep(s, "UPDATE upc_code SET product_id = ?, shop = ?, assigned_at = ? WHERE id = ?",
                   &a->give, e)) < 0 ||
        (rc = prep(s,
                   "UPDATE upc_code SET product_id = ?, shop = ?, assigned_at = ?"
                   " WHERE code = ? AND product_id IS NULL",
                   &a->mark, e)) < 0)
        goto fail;
    sqlite3_finalize(st);
    *out = a;
    return 0;
fail:
    sqlite3_finalize(st);
    upc_assign_close(a);
    return rc;
}

enum upc_type upc_assign_type(const struct upc_assign *a)
{
    return a->type;
}

int upc_assign_available(struct upc_assign *a, long *n, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(a->s, "SELECT count(*) FROM upc_code WHERE pool_id = ? AND product_id IS NULL",
                  &st, e);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, a->pool);
    if (sqlite3_step(st) == SQLITE_ROW)
        *n = (long)sqlite3_column_int64(st, 0);
    else
        rc = store_sqlerr(a->s, e, "counting codes");
    sqlite3_finalize(st);
    return rc;
}

int upc_assign_take(struct upc_assign *a, const char *shop, long long product_id, char out[UPC_MAX],
                    struct qs_err *e)
{
    long long id;
    int rc;
    sqlite3_bind_int64(a->next, 1, a->pool);
    rc = sqlite3_step(a->next);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(a->next);
        return rc == SQLITE_DONE ? 1 : store_sqlerr(a->s, e, "reading codes");
    }
    id = sqlite3_column_int64(a->next, 0);
    snprintf(out, UPC_MAX, "%s", (const char *)sqlite3_column_text(a->next, 1));
    sqlite3_reset(a->next);
    sqlite3_bind_int64(a->give, 1, product_id);
    sqlite3_bind_text(a->give, 2, shop, -1, SQLITE_STATIC);
    sqlite3_bind_text(a->give, 3, a->now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(a->give, 4, id);
    rc = sqlite3_step(a->give);
    sqlite3_reset(a->give);
    return rc == SQLITE_DONE ? 0 : store_sqlerr(a->s, e, "giving a code");
}

int upc_assign_mark(struct upc_assign *a, const char *code, const char *shop, long long product_id,
                    struct qs_err *e)
{
    int rc;
    if (!a->any_unused)
        return 0;
    sqlite3_bind_int64(a->mark, 1, product_id);
    sqlite3_bind_text(a->mark, 2, shop, -1, SQLITE_STATIC);
    sqlite3_bind_text(a->mark, 3, a->now, -1, SQLITE_STATIC);
    sqlite3_bind_text(a->mark, 4, code, -1, SQLITE_STATIC);
    rc = sqlite3_step(a->mark);
    sqlite3_reset(a->mark);
    return rc == SQLITE_DONE ? 0 : store_sqlerr(a->s, e, "marking a code");
}

void upc_assign_close(struct upc_assign *a)
{
    if (!a)
        return;
    sqlite3_finalize(a->next);
    sqlite3_finalize(a->give);
    sqlite3_finalize(a->mark);
    free(a);
}

/* coupon_add: qs coupon add and edit (R-CPN-1) -- the records of a file or the values of
 * options checked field by field (coupon_value.c), codes and QSM numbers kept unique, every
 * problem reported; then all written in one transaction, or nothing. What must be
 * remembered across records (the codes and QSM numbers seen) is a temporary table, not
 * the heap. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "coupon_int.h"
#include "../text.h"
#include "../tm.h"

#define RULE "R-CPN-1"

struct run {
    struct store *s;
    const char *shop;
    const struct coupon_opts *o;
    const struct coupon_cb *cb;
    struct coupon_stats *st;
    const char *file; /* NULL: values of options */
    char sheet[64];   /* the worksheet of an .xlsx input, "" for text */
    int json;         /* JSON Lines: fields are named, not columns */
    long line;
    const char *code; /* options: the record's code, for messages */
    /* CSV and workbooks: each field's header name and input column, 0 when the header has
     * none (its problems are then reported once, for the header). */
    const char *col_name[CPN_NFIELDS];
    size_t col[CPN_NFIELDS];
    int mapped;
    char now[32];
};

static void report(struct run *r, int f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A problem of field f (-1: the record or the file) at the record at hand. */
static void report(struct run *r, int f, const char *fmt, ...)
{
    struct qs_err e;
    va_list ap;
    err_clear(&e);
    va_start(ap, fmt);
    err_setv(&e, QS_E_DATA, RULE, fmt, ap);
    va_end(ap);
    if (r->file)
        err_at_sheet(&e, r->file, r->sheet, r->line, r->sheet[0] && f >= 0 ? (long)r->col[f] : 0);
    else if (r->code && *r->code)
        err_record(&e, r->code);
    r->st->errors++;
    if (r->cb && r->cb->report)
        r->cb->report(r->cb->ctx, &e);
}

/* How messages name field f: "column D (discount)", "field \"discount\"", "--discount". */
static const char *where(const struct run *r, int f, char *buf, size_t size)
{
    if (!r->file)
        snprintf(buf, size, "%s", r->o->names ? r->o->names[f] : coupon_columns[f]);
    else if (r->json)
        text_where(0, coupon_columns[f], buf, size);
    else
        text_where(r->col[f], r->col_name[f], buf, size);
    return buf;
}

/* coupon_check's problems, each named by its field. */
static void diag(void *ctx, int f, const char *msg)
{
    struct run *r = ctx;
    char w[128];
    if (r->file && !r->json && !r->col[f])
        return; /* the header lacks the column: said once, for the header */
    report(r, f, "%s: %s", where(r, f, w, sizeof w), msg);
}

static const char *line_word(const struct run *r)
{
    return r->sheet[0] ? "row" : "line";
}

struct seen {
    long line;
    int found;
};

static int seen_row(sqlite3_stmt *st, void *p)
{
    struct seen *s = p;
    s->line = (long)sqlite3_column_int64(st, 0);
    s->found = 1;
    return 1;
}

/* The line of the input where key (a code, or a qsm_no with qsm) came first, into *sn. */
static int seen_get(struct run *r, int qsm, const char *key, struct seen *sn, struct qs_err *e)
{
    int rc;
    memset(sn, 0, sizeof *sn);
    rc = store_each(r->s,
                    qsm ? "SELECT line FROM temp.cpn_qsm WHERE qsm_no = ?1"
                        : "SELECT line FROM temp.cpn_seen WHERE code = ?1",
                    seen_row, sn, e, "s", key);
    return rc < 0 ? rc : 0;
}

/* The unique keys of a record: its code and its qsm_no, in the input and in the shop. */
static int check_keys(struct run *r, const struct coupon *c, struct qs_err *e)
{
    struct seen sn;
    char w[128], owner[256];
    int rc;
    if (*c->code) {
        if ((rc = seen_get(r, 0, c->code, &sn, e)) < 0)
            return rc;
        if (sn.found) {
            report(r, CPN_CODE, "%s: \"%s\" repeats %s %ld", where(r, CPN_CODE, w, sizeof w),
                   c->code, line_word(r), sn.line);
        } else {
            struct coupon old;
            if ((rc = cpn_get(r->s, r->shop, c->code, &old, e)) < 0)
                return rc;
            coupon_clear(&old);
            if (rc == 1)
                report(r, CPN_CODE,
                       "%s: \"%s\" is already a coupon of shop %s; qs coupon edit %s changes it",
                       where(r, CPN_CODE, w, sizeof w), c->code, r->shop, c->code);
            if ((rc = store_run(r->s, e,
                                "INSERT INTO temp.cpn_seen (code, line, ok) VALUES (?1, ?2, 0)",
                                "sl", c->code, (long long)r->line)) < 0)
                return rc;
        }
    }
    if (*c->qsm_no) {
        if ((rc = seen_get(r, 1, c->qsm_no, &sn, e)) < 0)
            return rc;
        if (sn.found) {
            report(r, CPN_QSM_NO, "%s: \"%s\" repeats %s %ld", where(r, CPN_QSM_NO, w, sizeof w),
                   c->qsm_no, line_word(r), sn.line);
            return 0;
        }
        if ((rc = cpn_qsm_owner(r->s, r->shop, c->qsm_no, NULL, owner, sizeof owner, e)) < 0)
            return rc;
        if (*owner)
            report(r, CPN_QSM_NO, "%s: \"%s\" is QSM's number of coupon %s of shop %s already",
                   where(r, CPN_QSM_NO, w, sizeof w), c->qsm_no, owner, r->shop);
        return store_run(r->s, e, "INSERT INTO temp.cpn_qsm (qsm_no, line) VALUES (?1, ?2)", "sl",
                         c->qsm_no, (long long)r->line);
    }
    return 0;
}

/* Checks one record's values v and, when it has no problem, inserts it. */
static int add_one(struct run *r, const char *const v[CPN_NFIELDS], struct qs_err *e)
{
    struct coupon c;
    long before = r->st->errors;
    int rc;

    r->st->records++;
    coupon_check(v, NULL, r->o->tz, &c, diag, r);
    if ((rc = check_keys(r, &c, e)) == 0 && r->st->errors == before) {
        if ((rc = cpn_insert(r->s, r->shop, &c, r->now, e)) == 0 &&
            (rc = store_run(r->s, e, "UPDATE temp.cpn_seen SET ok = 1 WHERE code = ?1", "s",
                            c.code)) == 0)
            r->st->added++;
    }
    coupon_clear(&c);
    return rc;
}

/* ---- the input file ---- */

/* 1 when a header's column name is coupon column f (case and surrounding spaces
 * ignored). */
static int name_is(const char *name, int f)
{
    const char *want = coupon_columns[f];
    size_t n = strlen(want), k;
    while (*name == ' ')
        name++;
    k = strlen(name);
    while (k > 0 && name[k - 1] == ' ')
        k--;
    return k == n && strncasecmp(name, want, n) == 0;
}

/* The field of rec named like coupon column f, or NULL. */
static const struct rec_field *field_of(const struct rec *rec, int f)
{
    for (size_t i = 0; i < rec->n; i++)
        if (name_is(rec->f[i].name, f))
            return &rec->f[i];
    return NULL;
}

/* The columns of a CSV header or a sheet's header row; the required ones it lacks are
 * reported once. */
static void map_header(struct run *r, struct rec_reader *rd)
{
    static const int req[] = {CPN_CODE, CPN_NAME, CPN_DISCOUNT, CPN_VALID_FROM, CPN_VALID_TO};
    const char *sheet = rec_reader_sheet(rd);
    const char *const *cols;
    size_t n;
    r->mapped = 1;
    r->json = rec_reader_format(rd) == REC_JSON;
    snprintf(r->sheet, sizeof r->sheet, "%s", sheet ? sheet : "");
    if (r->json)
        return;
    cols = rec_reader_columns(rd, &n);
    for (int f = 0; f < CPN_NFIELDS; f++) {
        r->col_name[f] = coupon_columns[f];
        r->col[f] = 0;
        for (size_t i = 0; i < n; i++)
            if (name_is(cols[i], f)) {
                r->col_name[f] = cols[i];
                r->col[f] = rec_reader_column_index(rd, cols[i]);
                break;
            }
    }
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if (!r->col[req[i]]) {
            long line = r->line;
            r->line = 1;
            report(r, -1, "the header has no %s column (a required field)", coupon_columns[req[i]]);
            r->line = line;
        }
}

static int file_record(struct run *r, struct rec_reader *rd, const struct rec *rec,
                       struct qs_err *e)
{
    const char *v[CPN_NFIELDS];
    int any = 0;
    r->line = rec_reader_line(rd);
    if (!r->mapped)
        map_header(r, rd);
    for (int f = 0; f < CPN_NFIELDS; f++) {
        const struct rec_field *fl = field_of(rec, f);
        v[f] = fl ? (fl->type == REC_NULL ? "" : fl->value) : r->json ? NULL : "";
        any |= v[f] && strspn(v[f], " \t") != strlen(v[f]);
    }
    if (!any)
        return 0; /* a blank row (a spreadsheet's trailing rows) is no coupon */
    return add_one(r, v, e);
}

static int read_file(struct run *r, FILE *fp, const struct rec_reader_opts *ro, struct qs_err *e)
{
    struct rec_reader *rd = NULL;
    struct rec *rec = rec_new();
    int rc;

    if ((rc = rec_reader_open(fp, r->file, ro, &rd, e)) < 0)
        goto out;
    while ((rc = rec_read(rd, rec, e)) == 1)
        if ((rc = file_record(r, rd, rec, e)) < 0)
            goto out;
    if (rc == QS_E_DATA) {
        /* A syntax error: what follows cannot be split into records. Reported with the
         * others; nothing is added. */
        struct qs_err x = *e;
        snprintf(x.msg, sizeof x.msg, "%.900s; reading stopped here", e->msg);
        r->st->errors++;
        if (r->cb && r->cb->report)
            r->cb->report(r->cb->ctx, &x);
        rc = 0;
    } else if (rc == 0 && !r->mapped) {
        size_t n;
        rec_reader_columns(rd, &n);
        if (n)
            map_header(r, rd); /* a header without rows: its columns still count */
    }
out:
    rec_free(rec);
    rec_reader_close(rd);
    return rc;
}

/* ---- the run ---- */

static int begin(struct run *r, struct qs_err *e)
{
    int rc;
    tm_utc_iso(time(NULL), r->now, sizeof r->now);
    if ((rc = store_exec(r->s,
                         "CREATE TEMP TABLE IF NOT EXISTS cpn_seen"
                         " (code TEXT PRIMARY KEY, line INTEGER NOT NULL, ok INTEGER NOT NULL)"
                         " WITHOUT ROWID;"
                         "CREATE TEMP TABLE IF NOT EXISTS cpn_qsm"
                         " (qsm_no TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID",
                         e)) < 0 ||
        (rc = store_begin(r->s, e)) < 0)
        return rc;
    return store_exec(r->s, "DELETE FROM temp.cpn_seen; DELETE FROM temp.cpn_qsm", e);
}

struct out {
    const struct coupon_cb *cb;
    struct qs_err *e;
};

static int out_row(sqlite3_stmt *st, void *p)
{
    struct out *o = p;
    struct coupon c;
    int rc;
    cpn_row(st, &c);
    rc = o->cb->row(o->cb->ctx, &c, o->e);
    return rc < 0 ? rc : 0;
}

/* Hands the coupons added, in input order, to cb->row. */
static int print_added(struct run *r, struct qs_err *e)
{
    struct out o = {r->cb, e};
    if (!r->cb || !r->cb->row)
        return 0;
    return store_each(r->s,
                      "SELECT " CPN_SELECT " FROM temp.cpn_seen s JOIN coupon c"
                      " ON c.shop = ?1 AND c.code = s.code WHERE s.ok ORDER BY s.line, c.id",
                      out_row, &o, e, "s", r->shop);
}

/* Commits (or, dry run, rolls back) what the run wrote, or nothing after a problem: then
 * QS_E_DATA with "N errors" and what (" in FILE; nothing added"). */
static int finish(struct run *r, int rc, const char *what, struct qs_err *e)
{
    if (rc == 0 && r->st->errors) {
        err_clear(e);
        if (!r->file && r->code)
            err_record(e, r->code);
        rc = err_set(e, QS_E_DATA, RULE, "%ld error%s%s", r->st->errors,
                     r->st->errors == 1 ? "" : "s", what);
    }
    if (rc == 0 && r->o->dry_run) {
        rc = print_added(r, e);
        store_rollback(r->s);
        return rc;
    }
    if (rc == 0 && (rc = store_commit(r->s, e)) == 0)
        return print_added(r, e);
    store_rollback(r->s);
    return rc;
}

int coupon_add_file(struct store *s, const char *shop, FILE *fp, const char *name,
                    const struct rec_reader_opts *ro, const struct coupon_opts *o,
                    const struct coupon_cb *cb, struct coupon_stats *st, struct qs_err *e)
{
    struct run r = {.s = s, .shop = shop, .o = o, .cb = cb, .st = st, .file = name};
    char what[300];
    int rc;
    memset(st, 0, sizeof *st);
    if ((rc = begin(&r, e)) < 0) {
        store_rollback(s);
        return rc;
    }
    rc = read_file(&r, fp, ro, e);
    snprintf(what, sizeof what, " in %s; nothing added", name);
    return finish(&r, rc, what, e);
}

int coupon_add_values(struct store *s, const char *shop, const char *const v[CPN_NFIELDS],
                      const struct coupon_opts *o, const struct coupon_cb *cb,
                      struct coupon_stats *st, struct qs_err *e)
{
    struct run r = {.s = s, .shop = shop, .o = o, .cb = cb, .st = st, .code = v[CPN_CODE]};
    int rc;
    memset(st, 0, sizeof *st);
    if ((rc = begin(&r, e)) < 0) {
        store_rollback(s);
        return rc;
    }
    rc = add_one(&r, v, e);
    return finish(&r, rc, "; the coupon is not added", e);
}

int coupon_edit(struct store *s, const char *shop, const char *code,
                const char *const v[CPN_NFIELDS], const struct coupon_opts *o,
                const struct coupon_cb *cb, struct qs_err *e)
{
    struct coupon_stats st = {0};
    struct run r = {.s = s, .shop = shop, .o = o, .cb = cb, .st = &st, .code = code};
    struct coupon old, c;
    char owner[256], w[128];
    int rc;

    memset(&c, 0, sizeof c);
    if ((rc = begin(&r, e)) < 0) {
        store_rollback(s);
        return rc;
    }
    if ((rc = cpn_get(s, shop, code, &old, e)) <= 0) {
        store_rollback(s);
        return rc < 0 ? rc : cpn_unknown(shop, code, e);
    }
    coupon_check(v, &old, o->tz, &c, diag, &r);
    coupon_clear(&old);
    rc = 0;
    /* R-CPN-1: a QSM number names one coupon of the shop. */
    if (v[CPN_QSM_NO] && *c.qsm_no &&
        (rc = cpn_qsm_owner(s, shop, c.qsm_no, code, owner, sizeof owner, e)) == 0 && *owner)
        report(&r, CPN_QSM_NO, "%s: \"%s\" is QSM's number of coupon %s of shop %s already",
               where(&r, CPN_QSM_NO, w, sizeof w), c.qsm_no, owner, shop);
    if (rc == 0 && !st.errors && (rc = cpn_update(s, shop, &c, r.now, e)) == 0)
        rc = store_run(s, e, "INSERT INTO temp.cpn_seen (code, line, ok) VALUES (?1, 0, 1)", "s",
                       code);
    coupon_clear(&c);
    return finish(&r, rc, "; the coupon is not changed", e);
}

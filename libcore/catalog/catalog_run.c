/* catalog_run: qs import products as a whole -- the file (template, header), the
 * transaction and its rerun, R-IMP-9 over the rows written, R-IMP-11 (all errors, then
 * nothing written), R-UPC-2 (codes from a pool). The rows are in catalog_import.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog_int.h"
#include "../progress.h"
#include "../text.h"
#include "../tm.h"
#include "catalog.h"
#include "../xalloc.h"

static const int req_generic[] = {CF_PARENT_SKU,  CF_SKU,        CF_TITLE,
                                  CF_DESCRIPTION, CF_TAGS,       CF_PRICE,
                                  CF_SHIPPING,    CF_MAIN_IMAGE, -1};
static const int req_qs[] = {CF_PARENT_SKU, CF_SKU, CF_TITLE, CF_PRICE, CF_MAIN_IMAGE, -1};
static const int req_qoo10[] = {CF_PARENT_SKU, CF_TITLE, CF_PRICE, CF_MAIN_IMAGE, -1};
static const int req_price_qty[] = {CF_PARENT_SKU, -1};
/* R-SRC-1: a collection box row; qs publish claim asks for the rest. */
static const int req_box[] = {CF_PARENT_SKU, CF_SKU, CF_TITLE, CF_SOURCE_URLS, CF_MAIN_IMAGE, -1};

/* ---- the file ---- */

/* A problem with the file as a whole (header, syntax): nothing can be imported, even
 * with --skip-bad. */
static void file_err(struct imp *m, long line, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void file_err(struct imp *m, long line, const char *rule, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    m->fatal++;
    imp_report(m, 0, rule, line, 0, msg);
}

/* Picks the template and maps the columns, from the CSV header or the first JSON line. */
static int setup_map(struct imp *m, struct rec_reader *rd, const struct rec *first,
                     struct qs_err *e)
{
    size_t n = 0, k = 0;
    const char *const *cols = rec_reader_columns(rd, &n);
    (void)e; /* what is wrong with the header is reported through file_err */
    const char **names = NULL;
    const int *req;
    int json = rec_reader_format(rd) == REC_JSON;
    enum cat_template t = m->o->tpl;

    if (json) {
        names = xcalloc(first->n ? first->n : 1, sizeof *names);
        for (size_t i = 0; i < first->n; i++)
            names[i] = first->f[i].name;
        cols = names;
        n = first->n;
    }
    if (t == CAT_TPL_AUTO)
        t = cat_template_detect(cols, n); /* R-IMP-1: qs output re-imports as it is */
    m->tpl = m->st->tpl = t;
    cat_map_header(&m->map, t, cols, n);
    m->map.col0 = rec_reader_column_base(rd);
    snprintf(m->sheet, sizeof m->sheet, "%s", rec_reader_sheet(rd) ? rec_reader_sheet(rd) : "");
    /* R-IMP-1: two spellings of one field ("Price" and "price") would leave one unread;
     * which the seller meant is not for qs to guess. */
    size_t at[CF_NFIELDS];
    memset(at, 0, sizeof at); /* the first column of each field, 1-based */
    for (size_t i = 0; !json && i < n; i++) {
        int f = cat_map_field(t, cols[i]);
        char a[160], b[160];
        if (f >= 0 && !at[f])
            at[f] = i + 1;
        else if (f >= 0)
            file_err(m, 1, "R-IMP-1", "%s and %s are two names of one field (%s); keep one",
                     text_where(m->map.col0 + at[f], cols[at[f] - 1], a, sizeof a),
                     text_where(m->map.col0 + i + 1, cols[i], b, sizeof b), cat_column_name(t, f));
    }
    free(names);
    if (json)
        m->map.n = 0; /* JSON lines map by name, each its own keys */
    /* R-SYN-6: GoodsList.csv (cat_goods_cols) carries a title, yet it is a price/quantity
     * file too: its title is not imported. Such a file only updates SKUs in the catalog
     * (--update implied) and never creates one. */
    if (t == CAT_TPL_QOO10 && m->map.has[CF_TITLE] && cat_goods_header(cols, n)) {
        for (size_t i = 0; i < m->map.n; i++)
            if (m->map.field[i] == CF_TITLE)
                m->map.field[i] = -2;
        m->map.has[CF_TITLE] = 0;
    }
    m->price_qty = t == CAT_TPL_QOO10 && !m->map.has[CF_TITLE];
    req = t == CAT_TPL_QS ? req_qs : t == CAT_TPL_QOO10 ? req_qoo10 : req_generic;
    if (m->o->box && t != CAT_TPL_QOO10)
        req = req_box;
    if (m->price_qty) {
        req = req_price_qty;
        if (!m->map.has[CF_PRICE] && !m->map.has[CF_QUANTITY])
            file_err(m, 1, "R-IMP-1", "the header has no price or quantity column");
    }
    for (const int *f = req; *f >= 0; f++) {
        if (json || m->map.has[*f] ||
            (m->o->update && *f != CF_PARENT_SKU && (*f != CF_SKU || t == CAT_TPL_QOO10))) {
            m->required[k++] = *f;
            continue;
        }
        /* R-IMP-2, once for the header rather than once per row. */
        file_err(m, 1, "R-IMP-2", "the header has no %s column (a required field)",
                 cat_column_name(t, *f));
    }
    m->required[k] = -1;
    m->mapped = 1;
    return 0;
}

static int pass_run(struct imp *m, FILE *fp, struct qs_err *e)
{
    /* One pass over a UTF-8 file (issue 16): the rare mixed file is still refused whole. */
    /* issue 16: the next records are parsed while this one is checked and written */
    struct rec_reader_opts ro = {
        .enc = m->o->enc, .sheet = m->o->sheet, .utf8_first = 1, .ahead = 1};
    struct rec_reader *rd = NULL;
    struct rec *rec = rec_new();
    int rc;

    m->mapped = 0;
    if ((rc = rec_reader_open(fp, m->file, &ro, &rd, e)) < 0)
        goto out;
    while ((rc = rec_read(rd, rec, e)) == 1) {
        if (!m->mapped && (rc = setup_map(m, rd, rec, e)) < 0)
            goto out;
        if ((rc = imp_row(m, rec, rec_reader_format(rd), rec_reader_line(rd), e)) < 0)
            goto out;
    }
    if (rc == QS_E_DATA) {
        /* A syntax error: what follows cannot be split into rows. Reported with the
         * others (R-IMP-11); nothing is imported. */
        struct qs_err x = *e;
        x.rule[0] = '\0';
        m->fatal++;
        if (m->pass == 1) {
            m->st->errors++;
            snprintf(x.msg, sizeof x.msg, "%.900s; reading stopped here", e->msg);
            if (m->cb->report)
                m->cb->report(m->cb->ctx, &x, 0);
        }
        rc = 0;
    } else if (rc == 0 && !m->mapped) {
        size_t n;
        rec_reader_columns(rd, &n);
        if (n && (rc = setup_map(m, rd, rec, e)) < 0)
            goto out;
    }
out:
    rec_free(rec);
    rec_reader_close(rd);
    return rc;
}

/* SQL cat_spread_over(lowest, highest): 1 when the prices break R-IMP-9, so that the
 * query over the variants asks the rule's one check (cat_spread_check). */
static void spread_over(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_int(cx, cat_spread_check(NULL, NULL, sqlite3_value_int64(argv[1]), NULL,
                                            sqlite3_value_int64(argv[0]), 0, NULL, 0));
}

/* R-IMP-9 over the variants of every product this import touched: each product whose
 * prices break the spread is reported once, its highest against its lowest. */
static int check_spread(struct imp *m, struct qs_err *e)
{
    static const char *const sql =
        "SELECT v.product_id, p.parent_sku, min(v.price), max(v.price)"
        " FROM variant v JOIN product p ON p.id = v.product_id WHERE v.product_id > ?1"
        " AND p.state <> 'collected'"
        " GROUP BY v.product_id HAVING cat_spread_over(min(v.price), max(v.price))"
        " UNION ALL "
        "SELECT v.product_id, p.parent_sku, min(v.price), max(v.price)"
        " FROM variant v JOIN product p ON p.id = v.product_id"
        " WHERE v.product_id IN (SELECT product_id FROM temp.imp_touched)"
        " AND p.state <> 'collected'"
        " GROUP BY v.product_id HAVING cat_spread_over(min(v.price), max(v.price))";
    sqlite3_stmt *q = NULL, *ends = NULL;
    int rc;

    if (sqlite3_create_function_v2(m->db, "cat_spread_over", 2,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
                                   spread_over, NULL, NULL, NULL) != SQLITE_OK)
        return imp_sqlerr(m, e, "store");
    if ((rc = imp_prep(m, &q, sql, e)) < 0 ||
        (rc = imp_prep(m, &ends,
                       "SELECT sku, price, iif(import_id = ?2, import_line, 0) FROM variant"
                       " WHERE product_id = ?1 ORDER BY price * ?3, id LIMIT 1",
                       e)) < 0)
        goto out;
    sqlite3_bind_int64(q, 1, m->maxprod);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(q, 0);
        const char *parent = (const char *)sqlite3_column_text(q, 1);
        char lo_sku[256], hi_sku[256], msg[1024];
        long long lo = 0, hi = 0, lo_line = 0, hi_line = 0;
        for (int dir = 1; dir >= -1; dir -= 2) {
            sqlite3_bind_int64(ends, 1, id);
            sqlite3_bind_int64(ends, 2, m->run);
            sqlite3_bind_int(ends, 3, dir);
            if (sqlite3_step(ends) != SQLITE_ROW) {
                sqlite3_reset(ends);
                rc = imp_sqlerr(m, e, "reading prices");
                goto out;
            }
            snprintf(dir > 0 ? lo_sku : hi_sku, 256, "%s",
                     (const char *)sqlite3_column_text(ends, 0));
            *(dir > 0 ? &lo : &hi) = sqlite3_column_int64(ends, 1);
            *(dir > 0 ? &lo_line : &hi_line) = sqlite3_column_int64(ends, 2);
            sqlite3_reset(ends);
        }
        if (!cat_spread_check(parent, hi_sku, hi, lo_sku, lo, (long)lo_line, msg, sizeof msg))
            continue;
        /* A warning; an error with --strict. */
        imp_report(m, !m->o->strict, "R-IMP-9", hi_line ? (long)hi_line : (long)lo_line, 0, msg);
        if (m->o->strict && m->o->skip_bad) {
            if (m->pass != 1) {
                m->fatal++; /* cannot happen: the rerun left these products out */
                continue;
            }
            if (!m->viol && !(m->viol = tmpfile())) {
                rc = err_set(e, QS_E_IO, NULL, "cannot create a temporary file");
                goto out;
            }
            fprintf(m->viol, "%s\n%s (R-IMP-9)\n", parent, msg);
            m->nviol++;
        }
    }
    rc = rc == SQLITE_DONE ? 0 : imp_sqlerr(m, e, "checking prices");
out:
    sqlite3_finalize(q);
    sqlite3_finalize(ends);
    return rc;
}

/* R-UPC-2: each product of the import lacking a code gets one unused code of the pool,
 * in the import's transaction; too few codes and none is given. */
static int assign(struct imp *m, struct qs_err *e)
{
    sqlite3_stmt *cnt = NULL, *next = NULL;
    long need = 0, have = 0;
    long long last = 0;
    char code[UPC_MAX];
    const char *type = upc_type_name(upc_assign_type(m->ua));
    int rc;

    if ((rc = imp_prep(m, &cnt,
                       "SELECT count(*) FROM product WHERE shop = ?1 AND import_id = ?2"
                       " AND code IS NULL",
                       e)) < 0 ||
        (rc = imp_prep(m, &next,
                       "SELECT id FROM product WHERE shop = ?1 AND import_id = ?2 AND code IS NULL"
                       " AND id > ?3 ORDER BY id LIMIT 1",
                       e)) < 0)
        goto out;
    sqlite3_bind_text(cnt, 1, m->shop, -1, SQLITE_STATIC);
    sqlite3_bind_int64(cnt, 2, m->run);
    if (sqlite3_step(cnt) != SQLITE_ROW) {
        rc = imp_sqlerr(m, e, "counting products");
        goto out;
    }
    need = (long)sqlite3_column_int64(cnt, 0);
    if ((rc = upc_assign_available(m->ua, &have, e)) < 0)
        goto out;
    if (need > have) {
        rc = err_set(e, QS_E_DATA, "R-UPC-2",
                     "%ld product%s lack a code but pool \"%s\" has %ld unused; nothing "
                     "imported, no code given (add codes with qs import upc --pool %s)",
                     need, need == 1 ? "" : "s", m->o->pool, have, m->o->pool);
        goto out;
    }
    sqlite3_bind_text(next, 1, m->shop, -1, SQLITE_STATIC);
    sqlite3_bind_int64(next, 2, m->run);
    for (;;) {
        sqlite3_bind_int64(next, 3, last);
        rc = sqlite3_step(next);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW) {
            rc = imp_sqlerr(m, e, "reading products");
            goto out;
        }
        last = sqlite3_column_int64(next, 0);
        sqlite3_reset(next);
        if ((rc = upc_assign_take(m->ua, m->shop, last, code, e)) != 0) {
            if (rc == 1)
                rc = err_set(e, QS_E_DATA, "R-UPC-2", "pool \"%s\" ran out of codes", m->o->pool);
            goto out;
        }
        /* (the product has no code: the statement's "code IS NULL" holds) */
        if ((rc = cstore_imp_product_code(m, last, code, type, e)) < 0)
            goto out;
        m->st->assigned++;
    }
    rc = 0;
out:
    sqlite3_finalize(cnt);
    sqlite3_finalize(next);
    return rc;
}

/* The rerun of --skip-bad: the products R-IMP-9 rejected go to temp.imp_rejpar. */
static int load_rejected(struct imp *m, struct qs_err *e)
{
    sqlite3_stmt *ins = NULL;
    char *parent = NULL, *why = NULL;
    size_t pc = 0, wc = 0;
    ssize_t pn, wn;
    int rc;

    if ((rc = imp_prep(m, &ins,
                       "INSERT OR IGNORE INTO temp.imp_rejpar (parent, reason) VALUES (?1, ?2)",
                       e)) < 0)
        return rc;
    rewind(m->viol);
    while ((pn = getline(&parent, &pc, m->viol)) > 0 && (wn = getline(&why, &wc, m->viol)) > 0) {
        sqlite3_bind_text(ins, 1, parent, (int)pn - 1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, why, (int)wn - 1, SQLITE_STATIC);
        if ((rc = imp_run(m, ins, e, "noting rejects")) < 0)
            break;
        m->nrejpar++;
    }
    if (rc == 0 && ferror(m->viol))
        rc = err_set(e, QS_E_IO, NULL, "cannot read a temporary file");
    free(parent);
    free(why);
    sqlite3_finalize(ins);
    return rc;
}

static int one_value(struct imp *m, const char *sql, long long *out, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = imp_prep(m, &st, sql, e);
    if (rc < 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        rc = imp_sqlerr(m, e, "store");
    sqlite3_finalize(st);
    return rc;
}

static int begin_import(struct imp *m, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = store_exec(m->s,
                         "CREATE TEMP TABLE IF NOT EXISTS imp_badsku"
                         " (sku TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID;"
                         "CREATE TEMP TABLE IF NOT EXISTS imp_touched"
                         " (product_id INTEGER PRIMARY KEY);"
                         "CREATE TEMP TABLE IF NOT EXISTS imp_rejpar"
                         " (parent TEXT PRIMARY KEY, reason TEXT) WITHOUT ROWID",
                         e)) < 0 ||
        (rc = store_begin(m->s, e)) < 0)
        return rc;
    /* Foreign keys checked at the commit: a single-row INSERT then cannot fail half
     * way, so SQLite needs no statement journal for each row. Set before preparing. */
    if ((rc = store_exec(m->s, "PRAGMA defer_foreign_keys = ON", e)) < 0 ||
        (rc = imp_prepare(m, e)) < 0)
        return rc;
    if ((rc = store_exec(m->s,
                         "DELETE FROM temp.imp_badsku; DELETE FROM temp.imp_touched;"
                         " DELETE FROM temp.imp_rejpar",
                         e)) < 0 ||
        (rc = one_value(m, "SELECT coalesce(max(id), 0) FROM product", &m->maxprod, e)) < 0)
        return rc;
    m->nextprod = m->maxprod + 1;
    if ((rc = imp_prep(m, &st,
                       "INSERT INTO import_run (shop, file, template, at) VALUES (?1, ?2, ?3, ?4)",
                       e)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, m->shop, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->file, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, cat_template_name(m->o->tpl), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, m->now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : imp_sqlerr(m, e, "noting the import");
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    m->run = sqlite3_last_insert_rowid(m->db);
    if (m->o->group) {
        if ((rc = cstore_imp_group_add(m, m->o->group, e)) < 0)
            return rc;
    }
    return store_exec(m->s, "SAVEPOINT import_pass", e);
}

static int end_import(struct imp *m, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = imp_prep(
        m, &st, "UPDATE import_run SET template = ?1, rows = ?2, rejected = ?3 WHERE id = ?4", e);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, cat_template_name(m->tpl), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, m->st->imported);
    sqlite3_bind_int64(st, 3, m->st->rejected);
    sqlite3_bind_int64(st, 4, m->run);
    rc = imp_run(m, st, e, "noting the import");
    sqlite3_finalize(st);
    if (rc < 0 || (rc = store_exec(m->s, "RELEASE import_pass", e)) < 0)
        return rc;
    if (m->o->dry_run) {
        store_rollback(m->s);
        return 0;
    }
    return store_commit(m->s, e);
}

/* The input must be read twice for --skip-bad --strict: a pipe is kept in a file. */
static int spool(FILE *in, FILE **out, struct qs_err *e)
{
    char buf[65536];
    size_t n;
    *out = tmpfile();
    if (!*out)
        return err_set(e, QS_E_IO, NULL, "cannot create a temporary file");
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, *out) != n)
            return err_set(e, QS_E_IO, NULL, "cannot write a temporary file");
    if (ferror(in))
        return err_set(e, QS_E_IO, NULL, "read error");
    rewind(*out);
    return 0;
}

static void imp_free(struct imp *m)
{
    imp_rows_free(m);
    words_free(m->words);
    upc_assign_close(m->ua);
    progress_end(m->prog);
    if (m->viol)
        fclose(m->viol);
}

int cat_import(struct store *s, const char *shop, FILE *fp, const char *name,
               const struct cat_import_opts *opts, const struct cat_import_cb *cb,
               struct cat_import_stats *st, struct qs_err *e)
{
    static const struct cat_import_cb none = {0};
    struct imp m;
    FILE *copy = NULL;
    off_t start;
    int rc;

    memset(&m, 0, sizeof m);
    memset(st, 0, sizeof *st);
    m.s = s;
    m.db = store_db(s);
    m.shop = shop;
    m.file = name;
    m.o = opts;
    m.cb = cb ? cb : &none;
    m.st = st;
    m.pass = 1;
    m.tpl = st->tpl = opts->tpl;
    tm_utc_iso(time(NULL), m.now, sizeof m.now);

    start = ftello(fp);
    if (opts->skip_bad && opts->strict && (start < 0 || fseeko(fp, start, SEEK_SET) != 0)) {
        if ((rc = spool(fp, &copy, e)) < 0)
            goto out;
        fp = copy;
        start = 0;
    }
    if ((rc = upc_assign_open(s, opts->pool, &m.ua, e)) < 0 ||
        (rc = words_load(s, &m.words, e)) < 0)
        goto out;
    if (words_count(m.words) == 0) {
        words_free(m.words);
        m.words = NULL;
    }
    /* SPEC 8: an import writes its catalog in one transaction (R-IMP-11); alone on the
     * store, it writes it once, through a rollback journal, instead of into the -wal and
     * again at the checkpoint (at 1M rows, 8.0 s -> 6.6 s). qs-import(1) STORE. Back to
     * WAL at out:. */
    store_bulk_begin(s);
    if ((rc = begin_import(&m, e)) < 0)
        goto out;
    m.prog = progress_new("importing", 0, opts->quiet);
    if ((rc = pass_run(&m, fp, e)) < 0 || (rc = check_spread(&m, e)) < 0)
        goto out;
    if (m.nviol && !m.fatal) {
        /* --skip-bad --strict: run again without the products R-IMP-9 refused, so
         * they go to the rejects file whole. */
        if ((rc = store_exec(s, "ROLLBACK TO import_pass", e)) < 0 ||
            (rc = load_rejected(&m, e)) < 0)
            goto out;
        m.pass = 2;
        m.nbad = 0;
        m.nextprod = m.maxprod + 1;
        m.cur.parent.len = 0;
        m.cur.id = 0;
        st->rows = st->imported = st->updated = st->rejected = 0;
        if (cb && cb->restart && (rc = cb->restart(cb->ctx, e)) < 0)
            goto out;
        if (fseeko(fp, start, SEEK_SET) != 0) {
            rc = err_set(e, QS_E_IO, NULL, "cannot read %s again", name);
            goto out;
        }
        clearerr(fp);
        if ((rc = pass_run(&m, fp, e)) < 0 || (rc = check_spread(&m, e)) < 0)
            goto out;
    }
    if (m.fatal || (st->errors && !opts->skip_bad)) {
        /* R-IMP-11: every error was reported; nothing is written. */
        err_clear(e);
        rc = err_set(e, QS_E_DATA, "R-IMP-11", "%ld error%s in %s; nothing imported", st->errors,
                     st->errors == 1 ? "" : "s", name);
        goto out;
    }
    if (opts->pool && (rc = assign(&m, e)) < 0)
        goto out;
    rc = end_import(&m, e);
out:
    if (rc < 0)
        store_rollback(s);
    imp_free(&m);
    store_bulk_end(s);
    if (copy)
        fclose(copy);
    return rc;
}

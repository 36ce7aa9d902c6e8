/* stock_import: qs stock import (R-STK-5) -- QSM's Q-inventory download read, every cell
 * checked and every problem reported, then the snapshot written in one transaction
 * (stock_report.c), or nothing. The file is copied first: its SHA-256 recognises a file
 * imported before, and a CSV header's nameless columns (QSM's checkbox column) get a name
 * the shared reader accepts, so that they can be left aside. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stock_int.h"
#include "../sha256.h"
#include "../text.h"
#include "../tm.h"
#include "../xalloc.h"

#define RULE      "R-STK-5"
#define RULE_CODE "R-STK-1"

struct run {
    struct store *s;
    const char *shop, *file;
    const struct stock_import_opts *o;
    const struct stock_import_cb *cb;
    struct stock_import_result *res;
    char sheet[64];
    long line;
    int mapped;
    const char *col_name[STK_NFIELDS]; /* each field's header label, NULL: no column */
    size_t col[STK_NFIELDS];           /* its input column */
};

static void vsay(struct run *r, int warn, const char *rule, size_t col, const char *fmt, va_list ap)
{
    struct qs_err e;
    err_clear(&e);
    err_setv(&e, warn ? 0 : QS_E_DATA, rule, fmt, ap);
    err_at_sheet(&e, r->file, r->sheet, r->line, r->sheet[0] ? (long)col : 0);
    if (!warn)
        r->res->errors++;
    if (warn && r->cb && r->cb->warn)
        r->cb->warn(r->cb->ctx, &e);
    else if (!warn && r->cb && r->cb->report)
        r->cb->report(r->cb->ctx, &e);
}

static void bad(struct run *r, const char *rule, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void bad(struct run *r, const char *rule, size_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(r, 0, rule, col, fmt, ap);
    va_end(ap);
}

static void warn(struct run *r, const char *rule, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void warn(struct run *r, const char *rule, size_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(r, 1, rule, col, fmt, ap);
    va_end(ap);
}

/* ---- the copy: SHA-256, nameless CSV header columns named ---- */

/* Writes header line h[0..n) to out with each empty field named "(empty column N)". */
static void fix_header(const char *h, size_t n, FILE *out)
{
    size_t i = 0, col = 1;
    if (n >= 3 && memcmp(h, "\xEF\xBB\xBF", 3) == 0) {
        fwrite(h, 1, 3, out);
        i = 3;
    }
    for (;;) {
        size_t start = i;
        int q = 0;
        while (i < n && (q || h[i] != ',')) {
            if (h[i] == '"')
                q = !q;
            i++;
        }
        size_t len = i - start, k = len;
        while (k && (h[start + k - 1] == '\r'))
            k--;
        if (k == 0 || (k == 2 && memcmp(h + start, "\"\"", 2) == 0))
            fprintf(out, "(empty column %zu)%.*s", col, (int)(len - k), h + start + k);
        else
            fwrite(h + start, 1, len, out);
        if (i >= n)
            break;
        fputc(',', out);
        i++, col++;
    }
}

/* Copies fp into a temporary file (*out, rewound), its SHA-256 into hex. */
static int copy_in(FILE *fp, const char *name, FILE **out, char hex[65], struct qs_err *e)
{
    struct sha256 c;
    unsigned char buf[65536], d[32];
    size_t n, total = 0;
    FILE *t = tmpfile();
    char *head = NULL;
    size_t hn = 0;
    int csv = -1, done_head = 0, quoted = 0;

    if (!t)
        return err_set(e, QS_E_IO, NULL, "cannot make a temporary file: %s", strerror(errno));
    sha256_init(&c);
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
        sha256_update(&c, buf, n);
        if (csv < 0) /* neither a workbook (a ZIP) nor JSON Lines */
            csv = !(n >= 2 && buf[0] == 'P' && buf[1] == 'K') && buf[0] != '{';
        if (csv && !done_head) {
            /* The header ends at its line's end outside quotes: LF, CRLF, or CR alone
             * (a file saved by an old Mac Excel; the reader takes all three). */
            size_t k = 0;
            for (; k < n && (quoted || (buf[k] != '\n' && buf[k] != '\r')); k++)
                if (buf[k] == '"')
                    quoted = !quoted;
            head = xrealloc(head, hn + k + 1);
            memcpy(head + hn, buf, k);
            hn += k;
            if (k < n || hn > (1u << 20)) {
                fix_header(head, hn, t);
                done_head = 1;
                if (fwrite(buf + k, 1, n - k, t) != n - k)
                    break;
            }
        } else if (fwrite(buf, 1, n, t) != n) {
            break;
        }
        total += n;
    }
    if (csv > 0 && !done_head && head)
        fix_header(head, hn, t);
    free(head);
    sha256_final(&c, d);
    if (ferror(fp) || ferror(t) || fflush(t) != 0) {
        int err = errno;
        fclose(t);
        return err_set(e, QS_E_IO, NULL, "cannot read %s: %s", name, strerror(err));
    }
    (void)total;
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    rewind(t);
    *out = t;
    return 0;
}

/* ---- the cells ---- */

/* A whole number of 0 or more in v ("1,234", full-width digits, "198.0000" as Excel and
 * QSM write it). 0, or -1 with why. */
static int whole(const char *v, long long *out, const char **why)
{
    char a[64];
    long n = text_ascii_number(v, strlen(v), a, sizeof a);
    const char *p = a;
    long long x = 0;
    int digits = 0;
    if (n < 0) {
        *why = "is not a whole number";
        return -1;
    }
    while (*p == ' ')
        p++;
    if (*p == '-' && p[1]) {
        *why = "is negative";
        return -1;
    }
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (x > 999999999999LL) {
                *why = "is too large";
                return -1;
            }
            x = x * 10 + (*p - '0');
            digits++;
        } else if (*p != ',' || !digits) {
            break;
        }
    }
    if (*p == '.') /* a decimal point followed by zeros only */
        for (p++; *p == '0'; p++)
            ;
    while (*p == ' ')
        p++;
    if (!digits || *p) {
        *why = "is not a whole number";
        return -1;
    }
    *out = x;
    return 0;
}

/* How messages name field f: column B (Q库存-详情号码). */
static const char *where(const struct run *r, int f, char *buf, size_t size)
{
    return text_where(r->col[f], r->col_name[f], buf, size);
}

/* The value of field f in rec, "" when the file has no such column. */
static const char *val(const struct run *r, const struct rec *rec, int f)
{
    const char *v = r->col_name[f] ? rec_get(rec, r->col_name[f]) : NULL;
    return v ? v : "";
}

static int blank(const char *v)
{
    return strspn(v, " \t") == strlen(v);
}

/* A quantity, price or count of field f: *out, -1 for a blank one when it may be. */
static void num(struct run *r, const struct rec *rec, int f, int may_blank, long long *out)
{
    const char *v = val(r, rec, f), *why = NULL;
    char w[160], show[80];
    *out = -1;
    if (blank(v)) {
        if (!may_blank && r->col_name[f])
            bad(r, RULE, r->col[f], "%s: is empty; it is a whole number, 0 or more",
                where(r, f, w, sizeof w));
        return;
    }
    if (whole(v, out, &why) < 0) {
        bad(r, RULE, r->col[f], "%s: \"%s\" %s; it is a whole number, 0 or more",
            where(r, f, w, sizeof w), text_show(v, strlen(v), show, sizeof show), why);
        *out = -1;
    }
}

static void text(struct run *r, const struct rec *rec, int f)
{
    const char *v = val(r, rec, f);
    char w[160], why[200];
    if (text_ctl_describe(v, strlen(v), TEXT_LINE, why, sizeof why))
        bad(r, RULE, r->col[f], "%s: %s", where(r, f, w, sizeof w), why);
}

struct seen {
    long line;
};

static int seen_row(sqlite3_stmt *st, void *p)
{
    ((struct seen *)p)->line = (long)sqlite3_column_int64(st, 0);
    return 1;
}

static int row(struct run *r, const struct rec *rec, struct qs_err *e)
{
    struct stock_sku k;
    char w[160], why[300], sku[STOCK_SKU_LEN + 1] = "", cur[8] = "JPY", show[80];
    long long total, price, links, branch;
    long before = r->res->errors;
    int restored = 0, rc;

    for (int f = 0; f < STK_NFIELDS; f++)
        if (r->col_name[f] && !blank(val(r, rec, f)))
            goto some;
    return 0; /* a blank row (a sheet's trailing rows) is no option */
some:
    r->res->rows++;
    const char *v = val(r, rec, STK_Q_SKU);
    if (stock_sku_parse(v, &k, &restored, why, sizeof why) < 0) {
        bad(r, RULE_CODE, r->col[STK_Q_SKU], "%s: %s", where(r, STK_Q_SKU, w, sizeof w), why);
    } else {
        struct seen sn = {0};
        stock_sku_format(&k, sku, sizeof sku);
        if (restored)
            warn(r, RULE_CODE, r->col[STK_Q_SKU],
                 "%s: \"%s\" lost the leading zeros of its option code (Excel); read as %s",
                 where(r, STK_Q_SKU, w, sizeof w), text_show(v, strlen(v), show, sizeof show), sku);
        if ((rc = store_each(r->s, "SELECT line FROM temp.stk_seen WHERE q_sku = ?1", seen_row, &sn,
                             e, "s", sku)) < 0)
            return rc;
        if (sn.line)
            bad(r, RULE, r->col[STK_Q_SKU], "%s: q_sku %s repeats %s %ld",
                where(r, STK_Q_SKU, w, sizeof w), sku, r->sheet[0] ? "row" : "line", sn.line);
        else if ((rc = store_run(r->s, e, "INSERT INTO temp.stk_seen (q_sku, line) VALUES (?1, ?2)",
                                 "sl", sku, (long long)r->line)) < 0)
            return rc;
    }
    num(r, rec, STK_TOTAL_QTY, 0, &total);
    num(r, rec, STK_BRANCH_QTY, 0, &branch);
    num(r, rec, STK_EXTRA_PRICE, 1, &price);
    num(r, rec, STK_LINK_COUNT, 1, &links);
    text(r, rec, STK_SELLER_SKU);
    text(r, rec, STK_NAME);
    v = val(r, rec, STK_CURRENCY);
    if (!blank(v)) {
        size_t n = strlen(v);
        while (n && v[n - 1] == ' ')
            n--;
        v += strspn(v, " ");
        if (n - (size_t)(v - val(r, rec, STK_CURRENCY)) != 3 || strncasecmp(v, "JPY", 3) != 0)
            bad(r, RULE, r->col[STK_CURRENCY], "%s: \"%s\" is not JPY, the only currency of QWMS",
                where(r, STK_CURRENCY, w, sizeof w),
                text_show(val(r, rec, STK_CURRENCY), strlen(val(r, rec, STK_CURRENCY)), show,
                          sizeof show));
    }
    if (r->res->errors != before)
        return 0;
    return store_run(r->s, e,
                     "INSERT INTO temp.stk_in (q_sku, line, q_code, option_code, seller_sku, name,"
                     " total_qty, extra_price, currency, link_count, branch_qty)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, nullif(?10, -1), ?11)",
                     "slssssllsll", sku, (long long)r->line, k.q_code, k.option,
                     val(r, rec, STK_SELLER_SKU), val(r, rec, STK_NAME), total,
                     price < 0 ? 0LL : price, cur, links, branch);
}

/* The header: every column a field (or left aside), no field twice, the needed ones there. */
static void map_header(struct run *r, struct rec_reader *rd)
{
    static const int req[] = {STK_Q_SKU, STK_TOTAL_QTY, STK_LINK_COUNT, STK_BRANCH_QTY};
    const char *const *cols;
    const char *sheet = rec_reader_sheet(rd);
    size_t n;
    long line = r->line;
    char show[80], w[160];

    r->mapped = 1;
    snprintf(r->sheet, sizeof r->sheet, "%s", sheet ? sheet : "");
    cols = rec_reader_columns(rd, &n);
    r->line = r->sheet[0] && line > 1 ? line - 1 : 1;
    if (rec_reader_format(rd) == REC_JSON)
        cols = stock_fields, n = STK_NFIELDS; /* JSON Lines: named by qs's field names */
    for (size_t i = 0; i < n; i++) {
        size_t col = rec_reader_column_index(rd, cols[i]);
        int f = stock_label_field(cols[i], r->o->map);
        if (f == STK_IGNORE)
            continue;
        if (f == STK_UNKNOWN) {
            bad(r, RULE, col,
                "%s: \"%s\" is not a column of QSM's Q-inventory download that qs knows; name "
                "what it holds with --map FILE (label,column: one of seller_sku, q_sku, name, "
                "total_qty, extra_price, currency, link_count, branch_qty, or ignore)",
                text_where(col, NULL, w, sizeof w),
                text_show(cols[i], strlen(cols[i]), show, sizeof show));
            continue;
        }
        if (r->col_name[f]) {
            bad(r, RULE, col, "%s: \"%s\" is the %s column again (%s)",
                text_where(col, NULL, w, sizeof w), cols[i], stock_fields[f],
                where(r, f, show, sizeof show));
            continue;
        }
        r->col_name[f] = cols[i];
        r->col[f] = col;
    }
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if (!r->col_name[req[i]])
            bad(r, RULE, 0, "the header has no %s column (a column of QSM's Q-inventory download)",
                stock_fields[req[i]]);
    r->line = line;
}

static int read_rows(struct run *r, FILE *fp, const struct rec_reader_opts *ro, struct qs_err *e)
{
    struct rec_reader *rd = NULL;
    struct rec *rec = rec_new();
    int rc;
    if ((rc = rec_reader_open(fp, r->file, ro, &rd, e)) < 0)
        goto out;
    while ((rc = rec_read(rd, rec, e)) == 1) {
        r->line = rec_reader_line(rd);
        if (!r->mapped)
            map_header(r, rd);
        if (r->res->errors && !r->res->rows && !r->col_name[STK_Q_SKU])
            continue; /* the header is unusable: said once */
        if ((rc = row(r, rec, e)) < 0)
            goto out;
    }
    if (rc == 0 && !r->mapped) {
        size_t n;
        rec_reader_columns(rd, &n);
        if (n)
            map_header(r, rd);
    }
out:
    rec_free(rec);
    rec_reader_close(rd);
    return rc;
}

int stock_import(struct store *s, const char *shop, FILE *fp, const char *name,
                 const struct rec_reader_opts *ro, const struct stock_import_opts *o,
                 const struct stock_import_cb *cb, struct stock_import_result *out,
                 struct qs_err *e)
{
    struct run r = {.s = s, .shop = shop, .file = name, .o = o, .cb = cb, .res = out};
    char sha[65], now[32];
    long long latest = 0, same = 0;
    FILE *t = NULL;
    int own = 0, rc;

    memset(out, 0, sizeof *out);
    tm_utc_iso(o->now, now, sizeof now);
    if ((rc = copy_in(fp, name, &t, sha, e)) < 0)
        return rc;
    if ((rc = store_exec(s, STK_IN_CREATE, e)) < 0)
        goto out;
    own = sqlite3_get_autocommit(store_db(s));
    if ((own && (rc = store_begin(s, e)) < 0) ||
        (rc = store_exec(s, "DELETE FROM temp.stk_in; DELETE FROM temp.stk_seen", e)) < 0 ||
        (rc = stk_latest(s, shop, sha, &latest, out->prev_at, &same, e)) < 0)
        goto out;
    if (same) {
        out->snapshot = same;
        if (same == latest) {
            out->same = 1; /* R-STK-5: the same file again: nothing changed */
            goto out;
        }
        err_at(e, name, 0, 0);
        rc = err_set(e, QS_E_DATA, RULE,
                     "the file is snapshot %lld already, older than the latest (%lld); import "
                     "the newest Q-inventory download",
                     same, latest);
        goto out;
    }
    if ((rc = read_rows(&r, t, ro, e)) < 0) {
        if (rc != QS_E_DATA)
            goto out;
        /* A syntax error: reported with the others. */
        out->errors++;
        if (cb && cb->report)
            cb->report(cb->ctx, e);
        rc = 0;
    }
    if (!out->errors && !out->rows) {
        r.line = 0;
        bad(&r, RULE, 0, "holds no Q-inventory option; a download lists every option of the shop");
    }
    if (out->errors) {
        err_clear(e);
        err_at(e, name, 0, 0);
        rc = err_set(e, QS_E_DATA, RULE, "%ld error%s; nothing imported", out->errors,
                     out->errors == 1 ? "" : "s");
        goto out;
    }
    if ((rc = stk_write(s, shop, name, sha, now, cb, out, e)) < 0)
        goto out;
    if (own)
        rc = store_commit(s, e);
out:
    if (own && (rc < 0 || out->same))
        store_rollback(s);
    if (t)
        fclose(t);
    return rc;
}

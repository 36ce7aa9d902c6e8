/* inbound_form: QSM's inbound form read and checked whole (R-INB-1, R-INB-2). QSM loses every
 * row below the first bad one of an upload; qs reports every bad row and hands off nothing
 * (or, with --skip-bad, only the good rows). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inbound.h"
#include "../text.h"
#include "../xalloc.h"

const char *const inbound_cols[INB_NCOLS] = {
    "SellerCode", "InventoryCode", "InventoryOptionCode", "InOut",
    "MovingQty",  "BranchCode",    "Description",
};

/* The labels each column is seen with: QSM's Excel form (seed 004 around line 776), then
 * the Chinese labels of the same screen (物流地点的入库/出库信息). */
static const char *const labels[INB_NCOLS][4] = {
    [INB_SELLER_CODE] = {"SellerCode", "卖家商品代码", "Seller Code", NULL},
    [INB_Q_CODE] = {"InventoryCode", "Q库存代码", NULL},
    [INB_OPTION] = {"InventoryOptionCode", "Q库存选项代码", NULL},
    [INB_INOUT] = {"InOut", "要求类型", NULL},
    [INB_QTY] = {"MovingQty", "处理数量", NULL},
    [INB_BRANCH] = {"BranchCode", "分店代码", NULL},
    [INB_DESCRIPTION] = {"Description", "说明", NULL},
};

/* The columns an upload cannot go without. */
static const int required[INB_NCOLS] = {
    [INB_Q_CODE] = 1, [INB_OPTION] = 1, [INB_INOUT] = 1, [INB_QTY] = 1};

static int col_of(const char *name)
{
    return text_label_col(name, labels, INB_NCOLS);
}

void inbound_form_clear(struct inbound_form *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        for (int c = 0; c < INB_NCOLS; c++)
            free(f->rows[i].cell[c]);
        for (size_t k = 0; k < f->ncols; k++)
            free(f->rows[i].all[k]);
        free(f->rows[i].all);
    }
    for (size_t k = 0; k < f->ncols; k++)
        free(f->cols[k]);
    free(f->cols);
    free(f->rows);
    memset(f, 0, sizeof *f);
}

static void say(const struct inbound_cb *cb, int warn, const char *rule,
                const struct inbound_form *f, struct inbound_row *r, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Reports a problem (or a warning) of row r (NULL: the header); a problem marks the row. */
static void say(const struct inbound_cb *cb, int warn, const char *rule,
                const struct inbound_form *f, struct inbound_row *r, const char *fmt, ...)
{
    struct qs_err e;
    va_list ap;
    err_clear(&e);
    va_start(ap, fmt);
    err_setv(&e, QS_E_DATA, rule, fmt, ap);
    va_end(ap);
    err_at_sheet(&e, f->input, f->sheet, r ? r->line : 1, 0);
    if (r && !warn && !r->bad++) {
        snprintf(r->why, sizeof r->why, "%.500s", e.msg);
        snprintf(r->rule, sizeof r->rule, "%s", rule);
    }
    if (warn && cb->warn)
        cb->warn(cb->ctx, &e);
    else if (!warn && cb->report)
        cb->report(cb->ctx, &e);
}

int inbound_form_read(FILE *fp, const char *name, const struct rec_reader_opts *ro,
                      const struct inbound_cb *cb, struct inbound_form *f, struct qs_err *e)
{
    struct rec_reader *rd = NULL;
    struct rec *rec = rec_new();
    int where[INB_NCOLS], problems = 0, rc, header = 0;
    size_t cap = 0;

    memset(f, 0, sizeof *f);
    snprintf(f->input, sizeof f->input, "%s", name);
    for (int c = 0; c < INB_NCOLS; c++)
        where[c] = -1;
    if ((rc = rec_reader_open(fp, name, ro, &rd, e)) < 0)
        goto out;
    while ((rc = rec_read(rd, rec, e)) == 1) {
        if (!header) {
            const char *const *cols;
            header = 1;
            if (rec_reader_format(rd) == REC_JSON) {
                say(cb, 0, "R-INB-1", f, NULL,
                    "QSM's inbound form is a table (CSV or .xlsx), not JSON Lines");
                problems++;
                break;
            }
            if (rec_reader_sheet(rd))
                snprintf(f->sheet, sizeof f->sheet, "%s", rec_reader_sheet(rd));
            cols = rec_reader_columns(rd, &f->ncols);
            f->cols = xcalloc(f->ncols + 1, sizeof *f->cols);
            for (size_t k = 0; k < f->ncols; k++) {
                int c = col_of(cols[k]);
                f->cols[k] = xstrdup(cols[k]);
                if (c < 0 || where[c] >= 0) {
                    say(cb, 0, "R-INB-1", f, NULL,
                        "column \"%s\" is not one of QSM's inbound form (SellerCode, "
                        "InventoryCode, InventoryOptionCode, InOut, MovingQty, BranchCode, "
                        "Description)%s",
                        cols[k], c >= 0 ? ", or comes twice" : "");
                    problems++;
                } else
                    where[c] = (int)k;
            }
            for (int c = 0; c < INB_NCOLS; c++)
                if (required[c] && where[c] < 0) {
                    say(cb, 0, "R-INB-1", f, NULL, "the inbound form has no %s column",
                        inbound_cols[c]);
                    problems++;
                }
            if (problems)
                break;
        }
        if (f->n == INBOUND_ROWS_MAX) {
            say(cb, 0, "R-INB-1", f, NULL, "more than %d rows in one inbound form",
                INBOUND_ROWS_MAX);
            problems++;
            break;
        }
        if (f->n == cap)
            f->rows = xrealloc(f->rows, (cap = cap ? 2 * cap : 16) * sizeof *f->rows);
        struct inbound_row *r = &f->rows[f->n++];
        memset(r, 0, sizeof *r);
        r->line = rec_reader_line(rd);
        for (int c = 0; c < INB_NCOLS; c++) {
            const char *v = where[c] >= 0 ? rec_get(rec, f->cols[where[c]]) : NULL;
            r->cell[c] = xstrdup(v ? v : "");
        }
        r->all = xcalloc(f->ncols + 1, sizeof *r->all);
        for (size_t k = 0; k < f->ncols; k++) {
            const char *v = rec_get(rec, f->cols[k]);
            r->all[k] = xstrdup(v ? v : "");
        }
    }
    if (rc == 0 && !f->n && !problems) {
        say(cb, 0, "R-INB-1", f, NULL, "the inbound form has no rows");
        problems++;
    }
    if (rc >= 0)
        rc = problems;
out:
    rec_free(rec);
    rec_reader_close(rd);
    return rc;
}

/* ---- the checks ---- */

/* s without the spaces around it, into buf. */
static const char *trimmed(const char *s, char *buf, size_t size)
{
    size_t n;
    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), s);
    return buf;
}

/* R-INB-1: MovingQty, a positive whole number. *wide set when full-width digits were
 * converted. -1 when it is not one. */
static int moving_qty(const char *s, long long *out, int *wide)
{
    long long v = 0;
    int digits = 0;
    *wide = 0;
    while (*s == ' ')
        s++;
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbc &&
                 (unsigned char)s[2] >= 0x90 && (unsigned char)s[2] <= 0x99)
            d = (unsigned char)s[2] - 0x90, s += 2, *wide = 1;
        else
            break;
        if (v > 99999999LL)
            return -1;
        v = v * 10 + d;
        digits++;
    }
    while (*s == ' ')
        s++;
    if (!digits || *s || v <= 0)
        return -1;
    *out = v;
    return 0;
}

static int one_row(sqlite3_stmt *st, void *p)
{
    (void)st;
    *(int *)p = 1;
    return 1;
}

struct seller {
    int yes;
    char sku[128];
};

static int seller_row(sqlite3_stmt *st, void *p)
{
    struct seller *k = p;
    const unsigned char *v = sqlite3_column_text(st, 0);
    k->yes = 1;
    snprintf(k->sku, sizeof k->sku, "%s", v ? (const char *)v : "");
    return 1;
}

/* The SKU is in the latest Q-inventory download (R-STK-5); k->sku its seller SKU code. */
static int known(struct store *s, const char *shop, const char *q_sku, struct seller *k,
                 struct qs_err *e)
{
    memset(k, 0, sizeof *k);
    return store_each(s,
                      "SELECT seller_sku FROM stock_option WHERE shop = ?1 AND q_sku = ?2 AND"
                      " last_snapshot = (SELECT max(id) FROM stock_snapshot WHERE shop = ?1)",
                      seller_row, k, e, "ss", shop, q_sku);
}

/* R-INB-2: the Q-inventory item was asked of QSM (qs stock add) as not usable by other
 * inventory management: a request with usable = 0 one of whose options' seller SKU code is
 * the seller SKU of an option of this Q-inventory code (the download shows which). */
static int unusable(struct store *s, const char *shop, const char *q_code, int *yes,
                    struct qs_err *e)
{
    *yes = 0;
    return store_each(s,
                      "SELECT 1 FROM stock_request r, json_each(r.options) j, stock_option o"
                      " WHERE r.shop = ?1 AND r.usable = 0 AND o.shop = ?1 AND o.q_code = ?2"
                      " AND o.seller_sku <> ''"
                      " AND json_extract(j.value, '$.SellerCode') = o.seller_sku",
                      one_row, yes, e, "ss", shop, q_code);
}

static void check_branch(struct inbound_row *r, const struct inbound_form *f,
                         const struct inbound_cb *cb)
{
    char b[64];
    size_t n, z = 0;
    trimmed(r->cell[INB_BRANCH], b, sizeof b);
    n = strlen(b);
    while (z < n && b[z] == '0')
        z++;
    snprintf(r->branch, sizeof r->branch, "%s", INBOUND_BRANCH);
    if (!n || strcmp(b, INBOUND_BRANCH) == 0)
        return; /* R-INB-1: a blank is filled in */
    if (strcmp(b + z, "11520") == 0 && n < strlen(INBOUND_BRANCH))
        say(cb, 1, "R-INB-1", f, r, "BranchCode \"%s\" restored to %s (Excel dropped its zeros)", b,
            INBOUND_BRANCH);
    else
        say(cb, 0, "R-INB-1", f, r,
            "BranchCode \"%s\" is not Qxpress Japan's %s (the only branch; leave it blank)", b,
            INBOUND_BRANCH);
}

int inbound_form_check(struct store *s, const char *shop, struct inbound_form *f,
                       const struct inbound_cb *cb, struct qs_err *e)
{
    int bad = 0, rc, snapshot = 0;
    char why[256], buf[64];

    if ((rc = store_each(s, "SELECT 1 FROM stock_snapshot WHERE shop = ?1", one_row, &snapshot, e,
                         "s", shop)) < 0)
        return rc;
    for (size_t i = 0; i < f->n; i++) {
        struct inbound_row *r = &f->rows[i];
        struct stock_sku k;
        int restored = 0, wide, ok_code, ok_opt, yes;

        /* Every cell goes into QSM's form as given: one line (Description may hold
         * several), no control character, within an Excel cell (issue 8 item 15). */
        for (int c = 0; c < INB_NCOLS; c++) {
            size_t n = strlen(r->cell[c]);
            if (text_form_cell_describe(
                    r->cell[c], n, c == INB_DESCRIPTION ? TEXT_LINES : TEXT_LINE, why, sizeof why))
                say(cb, 0, "R-INB-1", f, r, "%s %s", inbound_cols[c], why);
        }

        ok_code = stock_qcode_parse(r->cell[INB_Q_CODE], strlen(r->cell[INB_Q_CODE]), k.q_code, why,
                                    sizeof why) == 0;
        if (!ok_code)
            say(cb, 0, "R-STK-1", f, r, "InventoryCode: %s", why);
        ok_opt = stock_option_parse(r->cell[INB_OPTION], strlen(r->cell[INB_OPTION]), k.option,
                                    &restored, why, sizeof why) == 0;
        if (!ok_opt)
            say(cb, 0, "R-INB-1", f, r, "InventoryOptionCode: %s", why);
        else if (restored)
            say(cb, 1, "R-INB-1", f, r,
                "InventoryOptionCode \"%s\" restored to %s (Excel dropped its zeros)",
                trimmed(r->cell[INB_OPTION], buf, sizeof buf), k.option);
        if (ok_code && ok_opt) {
            struct seller sk;
            stock_sku_format(&k, r->q_sku, sizeof r->q_sku);
            if ((rc = known(s, shop, r->q_sku, &sk, e)) < 0)
                return rc;
            if (sk.yes && *sk.sku &&
                strcmp(trimmed(r->cell[INB_SELLER_CODE], buf, sizeof buf), sk.sku) != 0 && *buf)
                say(cb, 1, "R-INB-1", f, r,
                    "SellerCode \"%s\" is not the seller SKU of %s in the latest download (%s)",
                    buf, r->q_sku, sk.sku);
            if (!sk.yes)
                say(cb, 0, "R-INB-2", f, r, "SKU %s is not in the latest Q-inventory download%s",
                    r->q_sku,
                    snapshot ? " (qs stock import the current one; QSM issues the codes)"
                             : "; run qs stock import first");
            else {
                if ((rc = unusable(s, shop, k.q_code, &yes, e)) < 0)
                    return rc;
                if (yes)
                    say(cb, 0, "R-INB-2", f, r,
                        "Q-inventory item %s is not usable by other inventory management (qs "
                        "stock add --usable no): QSM refuses its inbound; change the flag in QSM "
                        "first",
                        k.q_code);
            }
            for (size_t j = 0; j < i; j++)
                if (strcmp(f->rows[j].q_sku, r->q_sku) == 0) {
                    say(cb, 0, "R-INB-2", f, r, "SKU %s repeats line %ld; give it once", r->q_sku,
                        f->rows[j].line);
                    break;
                }
        }
        if (!text_label_eq(trimmed(r->cell[INB_INOUT], buf, sizeof buf), "in"))
            say(cb, 0, "R-INB-1", f, r, "InOut \"%s\" is not \"in\" (qs registers inbounds)", buf);
        if (moving_qty(r->cell[INB_QTY], &r->qty, &wide) < 0)
            say(cb, 0, "R-INB-1", f, r, "MovingQty \"%s\" is not a positive whole number",
                r->cell[INB_QTY]);
        else if (wide)
            say(cb, 1, "R-INB-1", f, r,
                "MovingQty \"%s\" has full-width digits: read as %lld (QSM wants half-width)",
                r->cell[INB_QTY], r->qty);
        check_branch(r, f, cb);
        bad += r->bad > 0;
    }
    return bad;
}

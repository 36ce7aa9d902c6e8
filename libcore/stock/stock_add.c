/* stock_add: `qs stock add` (R-STK-2, R-STK-3): QSM's option form read, or built from a
 * marketplace item; every rule checked; the request recorded and handed off (kind stock). */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stock_add.h"
#include "../outbox.h"
#include "../sha256.h"
#include "../text.h"
#include "../tm.h"
#include "../xalloc.h"

/* ---- the option form's columns ---- */

enum { COL_QTY, COL_PRICE, COL_CURRENCY, COL_SKU, NFIXED };

/* The fixed columns of QSM's option form, by the labels it is seen with: its English
 * upload form, and the Chinese screen of the seed (库存数量 价格 基准货币 卖家SKU代码). */
static const char *const fixed_labels[NFIXED][4] = {
    [COL_QTY] = {"Qty", "库存数量", "数量", NULL},
    [COL_PRICE] = {"Price", "价格", NULL},
    [COL_CURRENCY] = {"Currency", "基准货币", "货币", NULL},
    [COL_SKU] = {"SellerCode", "卖家SKU代码", "Seller Code", NULL},
};

static int fixed_of(const char *name)
{
    return text_label_col(name, fixed_labels, NFIXED);
}

void stock_form_clear(struct stock_form *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->naxes; i++)
        free(f->axes[i]);
    for (size_t i = 0; i < f->n; i++) {
        struct stock_form_row *r = &f->rows[i];
        for (size_t k = 0; k < STOCK_AXES_MAX; k++)
            free(r->v[k]);
        free(r->qty);
        free(r->price);
        free(r->currency);
        free(r->seller_sku);
    }
    free(f->rows);
    memset(f, 0, sizeof *f);
}

static void say(const struct stock_add_cb *cb, int warn, const char *rule, const char *file,
                const char *sheet, long line, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void say(const struct stock_add_cb *cb, int warn, const char *rule, const char *file,
                const char *sheet, long line, const char *fmt, ...)
{
    struct qs_err e;
    va_list ap;
    err_clear(&e);
    va_start(ap, fmt);
    err_setv(&e, QS_E_DATA, rule, fmt, ap);
    va_end(ap);
    if (file && *file)
        err_at_sheet(&e, file, sheet, line, 0);
    if (warn && cb->warn)
        cb->warn(cb->ctx, &e);
    else if (!warn && cb->report)
        cb->report(cb->ctx, &e);
}

/* The header: one or two option columns, then the four fixed ones. Returns problems. */
static int map_header(struct stock_form *f, const char *const *cols, size_t n, int where[NFIXED],
                      const struct stock_add_cb *cb)
{
    int problems = 0;
    size_t k = 0;
    for (int c = 0; c < NFIXED; c++)
        where[c] = -1;
    for (; k < n && fixed_of(cols[k]) < 0; k++) {
        if (f->naxes == STOCK_AXES_MAX) {
            say(cb, 0, "R-STK-2", f->input, f->sheet, 1,
                "column \"%s\": QSM's option form has one or two option columns, then Qty, "
                "Price, Currency, SellerCode",
                cols[k]);
            problems++;
            continue;
        }
        if (!*cols[k] || (f->naxes && text_label_eq(cols[k], f->axes[0]))) {
            say(cb, 0, "R-STK-2", f->input, f->sheet, 1,
                "option column %zu needs a name of its own (the option's name, e.g. Color)", k + 1);
            problems++;
        }
        f->axes[f->naxes++] = xstrdup(cols[k]);
    }
    if (!f->naxes) {
        say(cb, 0, "R-STK-2", f->input, f->sheet, 1,
            "the option form starts with one or two option columns (e.g. Color, Size)");
        problems++;
    }
    for (; k < n; k++) {
        int c = fixed_of(cols[k]);
        if (c < 0 || where[c] >= 0) {
            say(cb, 0, "R-STK-2", f->input, f->sheet, 1,
                "column \"%s\" is not one of QSM's option form (Qty, Price, Currency, "
                "SellerCode after the option columns)%s",
                cols[k], c >= 0 ? ", or comes twice" : "");
            problems++;
        } else
            where[c] = (int)k;
    }
    for (int c = 0; c < NFIXED; c++)
        if (where[c] < 0) {
            say(cb, 0, "R-STK-2", f->input, f->sheet, 1, "the option form has no %s column",
                fixed_labels[c][0]);
            problems++;
        }
    return problems;
}

static char *field(const struct rec *r, const char *const *cols, int at)
{
    const char *v = at >= 0 ? rec_get(r, cols[at]) : NULL;
    return xstrdup(v ? v : "");
}

int stock_form_read(FILE *fp, const char *name, const struct rec_reader_opts *ro,
                    const struct stock_add_cb *cb, struct stock_form *f, struct qs_err *e)
{
    struct rec_reader *rd = NULL;
    struct rec *rec = rec_new();
    const char *const *cols = NULL;
    int where[NFIXED], problems = 0, rc;
    size_t ncols = 0, cap = 0;

    memset(f, 0, sizeof *f);
    snprintf(f->input, sizeof f->input, "%s", name);
    if ((rc = rec_reader_open(fp, name, ro, &rd, e)) < 0)
        goto out;
    while ((rc = rec_read(rd, rec, e)) == 1) {
        if (!cols) {
            if (rec_reader_format(rd) == REC_JSON) {
                say(cb, 0, "R-STK-2", name, NULL, 1,
                    "QSM's option form is a table (CSV or .xlsx), not JSON Lines");
                problems++;
                break;
            }
            if (rec_reader_sheet(rd))
                snprintf(f->sheet, sizeof f->sheet, "%s", rec_reader_sheet(rd));
            cols = rec_reader_columns(rd, &ncols);
            if ((problems += map_header(f, cols, ncols, where, cb)) > 0)
                break;
        }
        if (f->n == STOCK_OPTIONS_MAX) {
            say(cb, 0, "R-STK-2", name, f->sheet, rec_reader_line(rd),
                "more than %d options for one Q-inventory item", STOCK_OPTIONS_MAX);
            problems++;
            break;
        }
        if (f->n == cap)
            f->rows = xrealloc(f->rows, (cap = cap ? 2 * cap : 16) * sizeof *f->rows);
        struct stock_form_row *r = &f->rows[f->n++];
        memset(r, 0, sizeof *r);
        for (size_t k = 0; k < f->naxes; k++)
            r->v[k] = field(rec, cols, (int)k);
        r->qty = field(rec, cols, where[COL_QTY]);
        r->price = field(rec, cols, where[COL_PRICE]);
        r->currency = field(rec, cols, where[COL_CURRENCY]);
        r->seller_sku = field(rec, cols, where[COL_SKU]);
        r->line = rec_reader_line(rd);
    }
    if (rc == 0 && !cols && !problems) {
        say(cb, 0, "R-STK-2", name, NULL, 0, "the option form has no options");
        problems++;
    }
    if (rc >= 0)
        rc = problems;
out:
    rec_free(rec);
    rec_reader_close(rd);
    return rc;
}

/* ---- --from-item ---- */

static char *json_text(json_t *v)
{
    char b[64];
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    if (json_is_integer(v)) {
        snprintf(b, sizeof b, "%lld", (long long)json_integer_value(v));
        return xstrdup(b);
    }
    if (json_is_real(v)) {
        snprintf(b, sizeof b, "%.0f", json_real_value(v));
        return xstrdup(b);
    }
    return xstrdup("");
}

static int title_row(sqlite3_stmt *st, void *p)
{
    *(char **)p = xstrdup(store_col_text(st, 0));
    return 1;
}

int stock_form_from_item(struct store *s, struct qapi *q, const char *shop, const char *item_code,
                         struct stock_form *f, char **title, struct qs_err *e)
{
    struct qapi_param prm[] = {{"ItemCode", item_code}};
    struct qapi_result res;
    json_t *rows;
    int rc;

    memset(f, 0, sizeof *f);
    *title = NULL;
    rc = store_each(s, "SELECT title FROM market_item WHERE shop = ?1 AND item_code = ?2",
                    title_row, title, e, "ss", shop, item_code);
    if (rc < 0)
        return rc;
    if (!*title)
        return err_set(e, QS_E_DATA, "R-STK-2",
                       "item %s is not a marketplace item of shop %s that qs knows; run qs sync "
                       "products first",
                       item_code, shop);
    if ((rc = qapi_call(q, "ItemsLookup.GetGoodsInventoryInfo", prm, 1, item_code, &res, e)) < 0) {
        qapi_result_free(&res);
        return rc;
    }
    rows = json_is_array(res.object) ? res.object : NULL;
    for (size_t i = 0; rows && i < json_array_size(rows) && rc == 0; i++) {
        json_t *o = json_array_get(rows, i);
        char k[16];
        size_t axes = 0;
        for (int a = 1; a <= 5; a++) {
            snprintf(k, sizeof k, "Name%d", a);
            const char *nm = json_string_value(json_object_get(o, k));
            if (nm && *nm) {
                if (axes == STOCK_AXES_MAX) {
                    rc = err_set(e, QS_E_DATA, "R-STK-2",
                                 "item %s has options of more than two kinds; QSM's Q-inventory "
                                 "options have one or two",
                                 item_code);
                    break;
                }
                if (i == 0)
                    f->axes[f->naxes++] = xstrdup(nm);
                axes++;
            }
        }
        if (rc)
            break;
        if (axes != f->naxes) {
            rc = err_set(e, QS_E_DATA, "R-STK-2", "item %s: its options differ in their kinds",
                         item_code);
            break;
        }
        f->rows = xrealloc(f->rows, (f->n + 1) * sizeof *f->rows);
        struct stock_form_row *r = &f->rows[f->n++];
        memset(r, 0, sizeof *r);
        for (int a = 0; a < (int)f->naxes; a++) {
            snprintf(k, sizeof k, "Value%d", a + 1);
            r->v[a] = json_text(json_object_get(o, k));
        }
        r->qty = json_text(json_object_get(o, "Qty"));
        r->price = json_text(json_object_get(o, "Price"));
        r->currency = xstrdup("JPY");
        r->seller_sku = json_text(json_object_get(o, "ItemTypeCode"));
    }
    qapi_result_free(&res);
    if (rc == 0 && !f->n)
        rc = err_set(e, QS_E_DATA, "R-STK-2",
                     "item %s has no combination options (single-type options or none): QSM "
                     "makes Q-inventory only from combination options",
                     item_code);
    if (rc < 0) {
        stock_form_clear(f);
        free(*title);
        *title = NULL;
    }
    return rc;
}

/* ---- the checks (R-STK-2, R-STK-3) ---- */

/* A whole number of 0 or more ("1,000" and full-width digits too, surrounding spaces
 * ignored) into *out; -1 when it is not one. */
static int whole(const char *s, long long *out)
{
    long long v = 0;
    int digits = 0;
    while (*s == ' ')
        s++;
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbc &&
                 (unsigned char)s[2] >= 0x90 && (unsigned char)s[2] <= 0x99)
            d = (unsigned char)s[2] - 0x90, s += 2;
        else if (*s == ',' && digits)
            continue;
        else
            break;
        if (v > 99999999999LL)
            return -1;
        v = v * 10 + d;
        digits++;
    }
    while (*s == ' ')
        s++;
    if (!digits || *s)
        return -1;
    *out = v;
    return 0;
}

static int row_cmp(const struct stock_form *f, const struct stock_form_row *a,
                   const struct stock_form_row *b)
{
    for (size_t k = 0; k < f->naxes; k++) {
        int c = strcmp(a->v[k], b->v[k]);
        if (c)
            return c;
    }
    return 0;
}

/* A cell of QSM's option form (issue 8 item 15, SPEC 1.7): one line, no control
 * character, within an Excel cell. 1 (reported) when it is not. */
static int cell_bad(const struct stock_add_cb *cb, const char *in, const char *sheet, long line,
                    const char *what, const char *s)
{
    char why[160];
    if (!text_form_cell_describe(s, strlen(s), TEXT_LINE, why, sizeof why))
        return 0;
    say(cb, 0, "R-STK-2", in, sheet, line, "%s %s", what, why);
    return 1;
}

int stock_add_check(const struct stock_item *it, const struct stock_form *f,
                    const struct stock_add_cb *cb)
{
    const char *in = f->input[0] ? f->input : NULL;
    size_t extra = 0;
    int problems = 0;
    long long v;

    if (!it->name || !*it->name)
        problems++, say(cb, 0, "R-STK-2", NULL, NULL, 0,
                        "a Q-inventory item needs a name (--name; the warehouse reads it)");
    if (it->name)
        problems += cell_bad(cb, NULL, NULL, 0, "the item name", it->name);
    for (size_t k = 0; k < f->naxes; k++)
        problems += cell_bad(cb, in, f->sheet, 1, "the option name", f->axes[k]);
    if (!it->usable)
        say(cb, 1, "R-STK-2", NULL, NULL, 0,
            "an item not usable by other inventory management cannot be sent to the warehouse: "
            "inbound uploads will then fail (QSM refuses them)");
    for (size_t i = 0; i < f->n; i++) {
        const struct stock_form_row *r = &f->rows[i];
        for (size_t k = 0; k < f->naxes; k++)
            problems += cell_bad(cb, in, f->sheet, r->line, f->axes[k], r->v[k]);
        problems += cell_bad(cb, in, f->sheet, r->line, "SellerCode", r->seller_sku);
        for (size_t k = 0; k < f->naxes; k++)
            if (!*r->v[k])
                problems++,
                    say(cb, 0, "R-STK-2", in, f->sheet, r->line,
                        "option %s: no value (each option names its %s)", f->axes[k], f->axes[k]);
        for (size_t j = 0; j < i; j++)
            if (f->naxes && row_cmp(f, r, &f->rows[j]) == 0) {
                problems++, say(cb, 0, "R-STK-2", in, f->sheet, r->line,
                                "the option repeats the one on line %ld", f->rows[j].line);
                break;
            }
        if (whole(r->qty, &v) < 0)
            problems++, say(cb, 0, "R-STK-2", in, f->sheet, r->line,
                            "Qty \"%s\" is not a whole number of 0 or more", r->qty);
        if (whole(r->price, &v) < 0)
            problems++,
                say(cb, 0, "R-STK-3", in, f->sheet, r->line,
                    "Price \"%s\" is not an extra price of 0 or more, in whole yen", r->price);
        else if (v > 0)
            extra++;
        if (*r->currency && !text_label_eq(r->currency, "JPY"))
            problems++, say(cb, 0, "R-STK-2", in, f->sheet, r->line,
                            "Currency \"%s\": Q-inventory options are in JPY only", r->currency);
        if (*r->seller_sku)
            for (size_t j = 0; j < i; j++)
                if (strcmp(r->seller_sku, f->rows[j].seller_sku) == 0) {
                    problems++, say(cb, 0, "R-STK-2", in, f->sheet, r->line,
                                    "SellerCode \"%s\" repeats the one on line %ld", r->seller_sku,
                                    f->rows[j].line);
                    break;
                }
    }
    /* R-STK-3: fewer than 30% of the options may carry an extra price. */
    if (f->n && extra * 100 >= (size_t)STOCK_EXTRA_PCT * f->n)
        problems++, say(cb, 0, "R-STK-3", in, f->sheet, 0,
                        "%zu of %zu options (%zu%%) carry an extra price; fewer than %d%% may "
                        "(QWMS option form rule)",
                        extra, f->n, extra * 100 / f->n, STOCK_EXTRA_PCT);
    return problems;
}

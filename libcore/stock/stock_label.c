/* stock_label: the one table of header labels of QSM's Q-inventory download (R-STK-5), and
 * the labels a seller adds with --map. Labels are matched ignoring spaces and the case of
 * ASCII letters. */
#include <stdlib.h>
#include <string.h>

#include "stock.h"
#include "../xalloc.h"

#define RULE "R-STK-5"

const char *const stock_fields[STK_NFIELDS] = {
    "seller_sku",  "q_sku",    "name",       "total_qty",
    "extra_price", "currency", "link_count", "branch_qty",
};

/* The Chinese labels are those of QSM's screen 商品管理 > Q库存管理 > 商品选项输入/管理 and
 * its Excel download, with the variants the seed's screenshots show (Q库存-详情号码 and
 * Q库存详细号码, 库存总量 / 库存 总数 / 库存, Qxpress分店数量 / Qxpress 分店数量). The
 * Japanese labels are qs's reading of what QSM's Japanese screen would show -- the seed
 * shows no Japanese screen -- and the English ones are qs's own field names and their
 * plain words. A label missing here is added with --map, never guessed. */
static const struct {
    const char *label;
    int field;
} labels[] = {
    /* Chinese (QSM) */
    {"卖家SKU代码", STK_SELLER_SKU},
    {"Q库存-详情号码", STK_Q_SKU},
    {"Q库存详情号码", STK_Q_SKU},
    {"Q库存详细号码", STK_Q_SKU},
    {"Q库存-详细号码", STK_Q_SKU},
    {"Q-详细库存名", STK_NAME},
    {"Q详细库存名", STK_NAME},
    {"库存总量", STK_TOTAL_QTY},
    {"库存总数", STK_TOTAL_QTY},
    {"库存", STK_TOTAL_QTY},
    {"价格", STK_EXTRA_PRICE},
    {"货币", STK_CURRENCY},
    {"链接商品数", STK_LINK_COUNT},
    {"Qxpress分店数量", STK_BRANCH_QTY},
    /* Japanese (qs's reading; no screen in the seed) */
    {"販売者SKUコード", STK_SELLER_SKU},
    {"セラーSKUコード", STK_SELLER_SKU},
    {"Q在庫-詳細番号", STK_Q_SKU},
    {"Q在庫詳細番号", STK_Q_SKU},
    {"Q-詳細在庫名", STK_NAME},
    {"Q詳細在庫名", STK_NAME},
    {"在庫総数", STK_TOTAL_QTY},
    {"在庫総量", STK_TOTAL_QTY},
    {"在庫数", STK_TOTAL_QTY},
    {"価格", STK_EXTRA_PRICE},
    {"追加価格", STK_EXTRA_PRICE},
    {"通貨", STK_CURRENCY},
    {"連携商品数", STK_LINK_COUNT},
    {"リンク商品数", STK_LINK_COUNT},
    {"Qxpress支店数量", STK_BRANCH_QTY},
    {"Qxpress支店在庫", STK_BRANCH_QTY},
    /* English (qs's field names and their words) */
    {"seller_sku", STK_SELLER_SKU},
    {"Seller SKU Code", STK_SELLER_SKU},
    {"Seller SKU", STK_SELLER_SKU},
    {"q_sku", STK_Q_SKU},
    {"Q-inventory detail code", STK_Q_SKU},
    {"Q-inventory option code", STK_Q_SKU},
    {"name", STK_NAME},
    {"Q-inventory detail name", STK_NAME},
    {"total_qty", STK_TOTAL_QTY},
    {"Total quantity", STK_TOTAL_QTY},
    {"extra_price", STK_EXTRA_PRICE},
    {"price", STK_EXTRA_PRICE},
    {"currency", STK_CURRENCY},
    {"link_count", STK_LINK_COUNT},
    {"Linked items", STK_LINK_COUNT},
    {"branch_qty", STK_BRANCH_QTY},
    {"Qxpress branch quantity", STK_BRANCH_QTY},
    /* The leading checkbox column of QSM's screen, as a copied table shows it. */
    {"<input type=\"checkbox\"/>", STK_IGNORE},
    {"<input type=\"checkbox\">", STK_IGNORE},
    {"☐", STK_IGNORE},
    {"□", STK_IGNORE},
    {"选择", STK_IGNORE},
    {"選択", STK_IGNORE},
};

char *stock_label_norm(const char *s, char *buf, size_t size)
{
    size_t k = 0;
    for (const unsigned char *u = (const unsigned char *)s; *u;) {
        if (*u == ' ' || *u == '\t' || *u == '\r' || *u == '\n') {
            u++;
            continue;
        }
        if (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) { /* U+3000 */
            u += 3;
            continue;
        }
        if (u[0] == 0xC2 && u[1] == 0xA0) { /* U+00A0 */
            u += 2;
            continue;
        }
        if (k + 1 >= size) {
            if (size)
                buf[0] = '\0';
            return buf;
        }
        buf[k++] = (char)(*u >= 'A' && *u <= 'Z' ? *u - 'A' + 'a' : *u);
        u++;
    }
    if (size)
        buf[k] = '\0';
    return buf;
}

int stock_label_field(const char *s, const struct stock_map *m)
{
    char n[512], t[512];
    stock_label_norm(s, n, sizeof n);
    if (!*n || strncmp(n, "(emptycolumn", 12) == 0)
        return STK_IGNORE; /* an empty column (stock_import names it "(empty column N)") */
    for (size_t i = 0; m && i < m->n; i++)
        if (strcmp(m->label[i], n) == 0)
            return m->field[i];
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(stock_label_norm(labels[i].label, t, sizeof t), n) == 0)
            return labels[i].field;
    return STK_UNKNOWN;
}

void stock_map_free(struct stock_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        free(m->label[i]);
    free(m->label);
    free(m->field);
    memset(m, 0, sizeof *m);
}

/* The field named by a --map file's column value, or STK_UNKNOWN. */
static int field_named(const char *v)
{
    char n[64];
    stock_label_norm(v, n, sizeof n);
    if (strcmp(n, "ignore") == 0)
        return STK_IGNORE;
    for (int f = 0; f < STK_NFIELDS; f++)
        if (strcmp(n, stock_fields[f]) == 0)
            return f;
    return STK_UNKNOWN;
}

int stock_map_read(FILE *fp, const char *name, const struct rec_reader_opts *ro,
                   struct stock_map *m, struct qs_err *e)
{
    struct rec_reader *rd = NULL;
    struct rec *r = rec_new();
    int rc;
    memset(m, 0, sizeof *m);
    if ((rc = rec_reader_open(fp, name, ro, &rd, e)) < 0)
        goto out;
    while ((rc = rec_read(rd, r, e)) == 1) {
        const char *label = rec_get(r, "label"), *col = rec_get(r, "column");
        const char *sheet = rec_reader_sheet(rd);
        char n[512];
        int f;
        if (!label || !col) {
            err_at_sheet(e, name, sheet, 1, 0);
            rc = err_set(e, QS_E_DATA, RULE,
                         "a --map file has the columns label and column (label,column)");
            goto out;
        }
        if (!*stock_label_norm(label, n, sizeof n)) {
            if (!*col)
                continue; /* a blank row */
            err_at_sheet(e, name, sheet, rec_reader_line(rd), 0);
            rc = err_set(e, QS_E_DATA, RULE, "the label is empty");
            goto out;
        }
        if ((f = field_named(col)) == STK_UNKNOWN) {
            err_at_sheet(e, name, sheet, rec_reader_line(rd), 0);
            rc = err_set(e, QS_E_DATA, RULE,
                         "column \"%.100s\" is not one qs knows; use seller_sku, q_sku, name, "
                         "total_qty, extra_price, currency, link_count, branch_qty or ignore",
                         col);
            goto out;
        }
        m->label = xrealloc(m->label, (m->n + 1) * sizeof *m->label);
        m->field = xrealloc(m->field, (m->n + 1) * sizeof *m->field);
        m->label[m->n] = xstrdup(n);
        m->field[m->n++] = f;
    }
out:
    rec_free(r);
    rec_reader_close(rd);
    if (rc < 0)
        stock_map_free(m);
    return rc < 0 ? rc : 0;
}

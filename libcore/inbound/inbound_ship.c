/* inbound_ship: the rows of an other-platform shipment file read and checked whole
 * (R-INB-6), each with its expected ship date (R-INB-7). */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../sha256.h"
#include "../stock/stock.h"
#include "../xalloc.h"
#include "inbound_ship.h"

#define RULE  "R-INB-6"
#define RULE7 "R-INB-7"

const char *const inbound_ship_cols[ISC_N] = {
    "ref_order_no",   "item_code",     "item_name",
    "ship_method",    "ship_country",  "option_text",
    "type",           "buyer_name",    "recipient",
    "recipient_kana", "recipient_tel", "recipient_mobile",
    "dest_country",   "zip",           "address",
    "address2",       "ref_price",     "memo",
    "branch",         "q_sku",         "seller_sku",
    "third_party",    "gift_name",     "gift_country",
    "gift_zip",       "gift_address",  "gift_contact",
    "customs_id",     "qty",           "carrier",
    "delivery_date",  "delivery_time",
};

/* The seed's labels (the bulk form's header, seed 004 around line 1328, and the single
 * registration screen), the same as deliver_form.c writes; a few other names sellers use. */
static const struct {
    const char *label;
    enum inbound_ship_col col;
} labels[] = {
    {"参考订购号码", ISC_REF_ORDER_NO},
    {"参考订购号", ISC_REF_ORDER_NO},
    {"商品代码", ISC_ITEM_CODE},
    {"商品名", ISC_ITEM_NAME},
    {"运送方式", ISC_SHIP_METHOD},
    {"发货国家", ISC_SHIP_COUNTRY},
    {"小分类内容", ISC_OPTION_TEXT},
    {"类型", ISC_TYPE},
    {"买家姓名", ISC_BUYER_NAME},
    {"收取人名", ISC_RECIPIENT},
    {"收取人名(音声标志)", ISC_RECIPIENT_KANA},
    {"收取人电话号码", ISC_RECIPIENT_TEL},
    {"收取人手机号码", ISC_RECIPIENT_MOBILE},
    {"到达国家", ISC_DEST_COUNTRY},
    {"邮政编码", ISC_ZIP},
    {"运送地址", ISC_ADDRESS},
    {"运送地址(详情)", ISC_ADDRESS2},
    {"参考价格", ISC_REF_PRICE},
    {"参考结算价", ISC_REF_PRICE},
    {"备注", ISC_MEMO},
    {"分店", ISC_BRANCH},
    {"skuno.", ISC_Q_SKU},
    {"q库存", ISC_Q_SKU},
    {"卖家sku代码", ISC_SELLER_SKU},
    {"第三方公司", ISC_THIRD_PARTY},
    {"发给人(发送礼物输入信息)", ISC_GIFT_NAME},
    {"国家(发送礼物输入信息)", ISC_GIFT_COUNTRY},
    {"邮政编码(发送礼物输入信息)", ISC_GIFT_ZIP},
    {"运送地址(发送礼物输入信息)", ISC_GIFT_ADDRESS},
    {"联系方式(发送礼物输入信息)", ISC_GIFT_CONTACT},
    {"个人通关唯一符号", ISC_CUSTOMS_ID},
    {"数量", ISC_QTY},
    {"配送公司", ISC_CARRIER},
    {"配送指定日", ISC_DELIVERY_DATE},
    {"配送指定时间", ISC_DELIVERY_TIME},
};

int inbound_ship_required(enum inbound_ship_col c)
{
    switch (c) {
    case ISC_REF_ORDER_NO:
    case ISC_ITEM_NAME:
    case ISC_SHIP_METHOD:
    case ISC_SHIP_COUNTRY:
    case ISC_RECIPIENT:
    case ISC_RECIPIENT_TEL:
    case ISC_DEST_COUNTRY:
    case ISC_ZIP:
    case ISC_ADDRESS:
    case ISC_REF_PRICE:
    case ISC_BRANCH:
    case ISC_Q_SKU:
    case ISC_QTY:
        return 1;
    default:
        return 0;
    }
}

/* Columns with a default (filled in when blank or missing): the method and the ones
 * R-INB-6 allows one value. */
static const char *default_of(enum inbound_ship_col c)
{
    switch (c) {
    case ISC_SHIP_METHOD:
        return INBOUND_SHIP_METHOD;
    case ISC_SHIP_COUNTRY:
    case ISC_DEST_COUNTRY:
        return "JP";
    case ISC_BRANCH:
        return INBOUND_SHIP_BRANCH;
    default:
        return NULL;
    }
}

void inbound_ship_set_clear(struct inbound_ship_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        for (int k = 0; k < ISC_N; k++)
            free(s->rows[i].v[k]);
        free(s->rows[i].reason);
        free(s->rows[i].late_why);
    }
    free(s->rows);
    s->rows = NULL;
    s->n = 0;
}

/* A header label normalised: spaces (ASCII and U+3000) and a trailing '*' removed, ASCII
 * letters lower-cased, full-width parentheses as ASCII. */
static void norm_label(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    while (*s && n + 4 < size) {
        const unsigned char *u = (const unsigned char *)s;
        if (*s == ' ' || *s == '\t' || *s == '*') {
            s++;
        } else if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) {
            s += 3;
        } else if (u[0] == 0xef && u[1] == 0xbc && (u[2] == 0x88 || u[2] == 0x89)) {
            buf[n++] = u[2] == 0x88 ? '(' : ')', s += 3;
        } else if (u[0] == 0xef && u[1] == 0xbc && u[2] == 0x8a) {
            s += 3; /* ＊ */
        } else {
            buf[n++] = (char)tolower(*u), s++;
        }
    }
    buf[n] = '\0';
}

static int col_of(const char *label)
{
    char n[256], m[256];
    norm_label(label, n, sizeof n);
    for (int c = 0; c < ISC_N; c++)
        if (strcmp(n, inbound_ship_cols[c]) == 0)
            return c;
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        norm_label(labels[i].label, m, sizeof m);
        if (strcmp(n, m) == 0)
            return (int)labels[i].col;
    }
    return -1;
}

struct rd {
    const struct inbound_ship_cb *cb;
    const char *name, *sheet;
    long line;
    int problems;
};

static void problem(struct rd *d, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(struct rd *d, const char *rule, const char *fmt, ...)
{
    struct qs_err e;
    va_list ap;
    err_clear(&e);
    va_start(ap, fmt);
    err_setv(&e, QS_E_DATA, rule, fmt, ap);
    va_end(ap);
    err_at_sheet(&e, d->name, d->sheet, d->line, 0);
    d->problems++;
    if (d->cb && d->cb->report)
        d->cb->report(d->cb->ctx, &e);
}

/* Spaces around v removed; a copy. */
static char *trimmed(const char *v)
{
    size_t n;
    while (*v == ' ' || *v == '\t')
        v++;
    n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
        n--;
    char *s = xmalloc(n + 1);
    memcpy(s, v, n);
    s[n] = '\0';
    return s;
}

int inbound_ship_read(FILE *fp, const char *name, const struct rec_reader_opts *ro,
                      const struct inbound_ship_cb *cb, struct inbound_ship_set *set,
                      struct qs_err *e)
{
    struct rd d = {cb, name, NULL, 0, 0};
    struct rec_reader *rd = NULL;
    struct rec *r = rec_new();
    int rc, map[REC_MAX_COLUMNS];
    size_t cap = 0;

    snprintf(set->input, sizeof set->input, "%s", name);
    if ((rc = rec_reader_open(fp, name, ro, &rd, e)) < 0)
        goto out;
    while ((rc = rec_read(rd, r, e)) == 1) {
        struct inbound_ship_row *row;
        d.sheet = rec_reader_sheet(rd);
        d.line = rec_reader_line(rd);
        if (set->n == 0) {
            int have[ISC_N] = {0};
            snprintf(set->sheet, sizeof set->sheet, "%s", d.sheet ? d.sheet : "");
            for (size_t i = 0; i < r->n && i < REC_MAX_COLUMNS; i++)
                if ((map[i] = col_of(r->f[i].name)) >= 0)
                    have[map[i]] = 1;
            for (int c = 0; c < ISC_N; c++)
                if (!have[c] && inbound_ship_required(c) && !default_of(c)) {
                    d.line = 1;
                    problem(&d, RULE, "the input has no %s column, which is required",
                            inbound_ship_cols[c]);
                }
            if (d.problems)
                break;
        }
        if (set->n >= INBOUND_SHIP_ROWS) {
            problem(&d, RULE, "more than %d rows; split the file", INBOUND_SHIP_ROWS);
            break;
        }
        if (set->n == cap)
            set->rows = xrealloc(set->rows, (cap = cap ? 2 * cap : 64) * sizeof *set->rows);
        row = &set->rows[set->n++];
        memset(row, 0, sizeof *row);
        row->line = d.line;
        row->ship_day = INBOUND_NO_DAY;
        for (size_t i = 0; i < r->n && i < REC_MAX_COLUMNS; i++) {
            /* JSON Lines: the fields of each record by name */
            int c = rec_reader_format(rd) == REC_JSON ? col_of(r->f[i].name) : map[i];
            if (c >= 0 && !row->v[c])
                row->v[c] = trimmed(r->f[i].value);
        }
        for (int c = 0; c < ISC_N; c++)
            if (!row->v[c])
                row->v[c] = xstrdup("");
        row->reason = xstrdup("");
    }
    if (rc < 0) {
        if (rc != QS_E_DATA)
            goto out;
        d.problems++; /* a syntax error: reported with the others */
        if (cb && cb->report)
            cb->report(cb->ctx, e);
        err_clear(e);
    }
    rc = d.problems;
out:
    rec_free(r);
    rec_reader_close(rd);
    return rc;
}

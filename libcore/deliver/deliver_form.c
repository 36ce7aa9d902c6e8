/* deliver_form: QSM's upload forms in the file: hand-off (SPEC 1.7: "QSM's forms are Excel
 * templates: inbound form, Q-inventory option form, other-platform shipment form,
 * compensation-push order list -- written as .xlsx with QSM's header row; --csv writes the
 * same rows as CP932 CSV"). One table says each form's columns: the key an item's payload
 * uses, QSM's header label, and whether the column holds codes, which are written as text
 * so that leading zeros survive Excel (SPEC 1.2). */
#include "deliver_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../record/record.h"
#include "../xalloc.h"

struct dlv_form_col {
    const char *key;   /* the payload's key */
    const char *label; /* QSM's header label */
    int text;          /* a code column: always a text cell */
};

struct dlv_form {
    const char *name;
    const char *kind; /* the outbox kind whose items carry it */
    const struct dlv_form_col *cols;
    size_t ncols;
    size_t options; /* the option form: at most this many option columns first */
};

/* The inbound form, seed 004_c626c290da4c246b.txt around line 776 (the form QSM's
 * "Excel Form" button downloads): SellerCode, InventoryCode (12 digits from 3),
 * InventoryOptionCode (5 digits), InOut ("in"), MovingQty, BranchCode (0000011520),
 * Description (JAN and such); SPEC 6 (inbound requests) reads the same columns. */
static const struct dlv_form_col inbound_cols[] = {
    {"SellerCode", "SellerCode", 1},
    {"InventoryCode", "InventoryCode", 1},
    {"InventoryOptionCode", "InventoryOptionCode", 1},
    {"InOut", "InOut", 0},
    {"MovingQty", "MovingQty", 0},
    {"BranchCode", "BranchCode", 1},
    {"Description", "Description", 1},
};

/* The Q-inventory option form, same seed around line 548: columns A and B are the option
 * names (Color, Size: "can be changed to suit the item"), given per item in form_options,
 * then Qty, Price (the option's extra price, 0 for none), Currency (JPY), SellerCode. */
static const struct dlv_form_col option_cols[] = {
    {"Qty", "Qty", 0},
    {"Price", "Price", 0},
    {"Currency", "Currency", 0},
    {"SellerCode", "SellerCode", 1},
};

/* The other-platform shipment form (bulk registration), same seed around lines 1328-1340,
 * whose screen shows the columns in five overlapping strips; 数量 (qty) is from the
 * screen's list around line 1248, and last as SPEC 6 (other-platform shipments) orders
 * it. Keys and order are that rule's. These labels are what the seed's screens show, not pinned by
 * QSM's own form
 * (`--form FILE` checks a seller's download against them). Every column but the price and
 * the quantity is text: codes, phone numbers, zip codes and order numbers must keep their
 * zeros, and names or addresses are never numbers. */
static const struct dlv_form_col other_platform_cols[] = {
    {"ref_order_no", "参考订购号码", 1},
    {"item_code", "商品代码", 1},
    {"item_name", "商品名", 1},
    {"ship_method", "运送方式", 1},
    {"ship_country", "发货国家", 1},
    {"option_text", "小分类内容", 1},
    {"type", "类型", 1},
    {"buyer_name", "买家姓名", 1},
    {"recipient", "收取人名", 1},
    {"recipient_kana", "收取人名(音声标志)", 1},
    {"recipient_tel", "收取人电话号码", 1},
    {"recipient_mobile", "收取人手机号码", 1},
    {"dest_country", "到达国家", 1},
    {"zip", "邮政编码", 1},
    {"address", "运送地址", 1},
    {"address2", "运送地址(详情)", 1},
    {"ref_price", "参考价格", 0},
    {"memo", "备注", 1},
    {"branch", "分店", 1},
    {"q_sku", "SKU no.", 1},
    {"seller_sku", "卖家SKU代码", 1},
    {"third_party", "第三方公司", 1},
    {"gift_name", "发给人(发送礼物输入信息)", 1},
    {"gift_country", "国家(发送礼物输入信息)", 1},
    {"gift_zip", "邮政编码(发送礼物输入信息)", 1},
    {"gift_address", "运送地址(发送礼物输入信息)", 1},
    {"gift_contact", "联系方式(发送礼物输入信息)", 1},
    {"customs_id", "个人通关唯一符号", 1},
    {"qty", "数量", 0},
};

/* The compensation push's order list, seed 003_e0efc58790ee86a2.txt around line 381:
 * column A "Order No.", the old orders' numbers. */
static const struct dlv_form_col order_list_cols[] = {
    {"order_no", "Order No.", 1},
};

#define FORM(n, k, c, o)                                                                           \
    {                                                                                              \
        n, k, c, sizeof c / sizeof c[0], o                                                         \
    }
static const struct dlv_form dlv_forms[] = {
    FORM("inbound", "inbound", inbound_cols, 0),
    FORM("option", "stock", option_cols, 2),
    FORM("other-platform", "inbound-ship", other_platform_cols, 0),
    FORM("order-list", "coupon", order_list_cols, 0),
};
#define NFORMS (sizeof dlv_forms / sizeof dlv_forms[0])

static const struct dlv_form *form_named(const char *name)
{
    for (size_t i = 0; i < NFORMS; i++)
        if (strcmp(dlv_forms[i].name, name) == 0)
            return &dlv_forms[i];
    return NULL;
}

const char *deliver_form_of(const char *kind)
{
    for (size_t i = 0; i < NFORMS; i++)
        if (strcmp(dlv_forms[i].kind, kind) == 0)
            return dlv_forms[i].name;
    return NULL;
}

static size_t find(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return i;
    return n;
}

/* Appends part (when not empty) to buf, after sep when buf is not empty. */
static void join(char *buf, size_t size, const char *sep, const char *part)
{
    size_t len = strlen(buf);
    if (part[0] && len < size)
        snprintf(buf + len, size - len, "%s%s", len ? sep : "", part);
}

/* The columns of one item's form: the option names first (option form), then the table's. */
struct fcols {
    const char **label, **key, **text; /* text: NULL-terminated */
    int *is_text;
    size_t n;
};

static void fcols_free(struct fcols *c)
{
    free(c->label);
    free(c->key);
    free(c->text);
    free(c->is_text);
}

static int fixed_label(const struct dlv_form *f, const char *s)
{
    for (size_t i = 0; i < f->ncols; i++)
        if (strcmp(f->cols[i].label, s) == 0)
            return 1;
    return 0;
}

static int form_columns(const struct dlv_form *f, json_t *pl, struct fcols *c, struct qs_err *e)
{
    json_t *opts = json_object_get(pl, "form_options");
    size_t nopt = 0, nt = 0;
    if (!f->options && opts)
        return err_set(e, QS_E_DATA, NULL,
                       "form_options is only for QSM's option form, not the %s form", f->name);
    if (f->options) {
        nopt = json_array_size(opts);
        if (!json_is_array(opts) || nopt < 1 || nopt > f->options)
            return err_set(e, QS_E_DATA, NULL,
                           "QSM's option form needs form_options: one or two option names, "
                           "e.g. [\"Color\",\"Size\"]");
        for (size_t k = 0; k < nopt; k++) {
            const char *s = json_string_value(json_array_get(opts, k));
            if (!s || !*s || fixed_label(f, s) ||
                (k == 1 && strcmp(s, json_string_value(json_array_get(opts, 0))) == 0))
                return err_set(e, QS_E_DATA, NULL,
                               "form_options[%zu]: an option name must be a non-empty text "
                               "other than Qty, Price, Currency, SellerCode and the other "
                               "option",
                               k);
        }
    }
    c->n = nopt + f->ncols;
    c->label = xcalloc(c->n, sizeof *c->label);
    c->key = xcalloc(c->n, sizeof *c->key);
    c->text = xcalloc(c->n + 1, sizeof *c->text);
    c->is_text = xcalloc(c->n, sizeof *c->is_text);
    for (size_t i = 0; i < c->n; i++) {
        const char *opt = i < nopt ? json_string_value(json_array_get(opts, i)) : NULL;
        c->label[i] = opt ? opt : f->cols[i - nopt].label;
        c->key[i] = opt ? opt : f->cols[i - nopt].key;
        c->is_text[i] = opt ? 1 : f->cols[i - nopt].text;
        if (c->is_text[i])
            c->text[nt++] = c->label[i];
    }
    return 0;
}

/* Fills r with form row k (an object of key: value) in the form's columns. Rows are
 * numbered as in the file, the header being row 1. */
static int form_row(const struct dlv_form *f, const struct fcols *c, json_t *row, size_t k,
                    struct rec *r, struct qs_err *e)
{
    const char *key;
    json_t *v;
    char num[64];
    if (!json_is_object(row))
        return err_set(e, QS_E_DATA, NULL, "row %zu: form_rows[%zu] is not a JSON object", k + 2,
                       k);
    json_object_foreach(row, key, v)
    {
        size_t i = 0;
        while (i < c->n && strcmp(c->key[i], key) != 0)
            i++;
        if (i == c->n) {
            char keys[640] = "";
            for (i = 0; i < c->n; i++)
                join(keys, sizeof keys, ", ", c->key[i]);
            return err_set(e, QS_E_DATA, NULL,
                           "row %zu: unknown key \"%s\" for QSM's %s form; its keys are: %s", k + 2,
                           key, f->name, keys);
        }
    }
    rec_clear(r);
    for (size_t i = 0; i < c->n; i++) {
        const char *s = "";
        v = json_object_get(row, c->key[i]);
        if (json_is_string(v))
            s = json_string_value(v);
        else if (json_is_integer(v) && !c->is_text[i])
            snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v)), s = num;
        else if (json_is_real(v) && !c->is_text[i])
            snprintf(num, sizeof num, "%.15g", json_real_value(v)), s = num;
        else if (json_is_number(v)) /* SPEC 1.2: a code as a number has lost its zeros */
            return err_set(e, QS_E_DATA, NULL,
                           "row %zu: %s is a code column: give it as a JSON string, so that "
                           "leading zeros are kept",
                           k + 2, c->key[i]);
        else if (v && !json_is_null(v))
            return err_set(e, QS_E_DATA, NULL, "row %zu: %s must be a string or a number", k + 2,
                           c->key[i]);
        rec_set(r, c->label[i], s);
    }
    return 0;
}

/* Puts "row ROW: " before the CSV writer's CP932 error in e, instead of its hint
 * (--encoding-errors), which is not for a form: a form is never written with '?' in it. */
static int cp932_error(struct qs_err *e, size_t row, const char *what)
{
    char msg[sizeof e->msg], *hint;
    snprintf(msg, sizeof msg, "%s", e->msg);
    if ((hint = strstr(msg, "; use --encoding-errors")))
        *hint = '\0';
    return err_set(e, QS_E_DATA, NULL,
                   "row %zu%s: %s; the CSV form is CP932: without --csv the .xlsx form holds "
                   "any text",
                   row, what, msg);
}

/* 1 when label can be written in CP932 (tried on a scratch stream). */
static int cp932_ok(const char *label)
{
    struct rec_writer_opts wo = {.fmt = REC_CSV, .enc = REC_ENC_CP932};
    struct rec_writer *w;
    struct qs_err e;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int rc;
    if (!m)
        return 1; /* the real write reports it */
    err_clear(&e);
    if ((rc = rec_writer_open(m, &wo, &label, 1, &w, &e)) == 0)
        rc = rec_writer_close(w, &e);
    fclose(m);
    free(buf);
    return rc != QS_E_DATA;
}

/* The CSV form's header in CP932: a label CP932 cannot hold (the seed's screens are in
 * simplified Chinese: 订, 运 ... are not in CP932) is written as its key instead, so the
 * rows can still be copied into the seller's own download of the form. */
static void csv_labels(struct fcols *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (!cp932_ok(c->label[i]))
            c->label[i] = c->key[i];
}

/* Writes the rows into fp as the form (.xlsx, or CP932 CSV when csv). *nrows gets their
 * number. */
static int form_rows_write(const struct dlv_form *f, struct fcols *c, json_t *rows, int csv,
                           FILE *fp, size_t *nrows, struct qs_err *e)
{
    struct rec_writer_opts wo = {.fmt = REC_XLSX, .text_columns = c->text};
    struct rec_writer *w = NULL;
    struct rec *r = rec_new();
    int rc, crc;
    if (csv) {
        wo = (struct rec_writer_opts){.fmt = REC_CSV, .enc = REC_ENC_CP932};
        csv_labels(c);
    }
    if ((rc = rec_writer_open(fp, &wo, c->label, c->n, &w, e)) < 0)
        goto out;
    for (size_t k = 0; rc == 0 && k < json_array_size(rows); k++) {
        if ((rc = form_row(f, c, json_array_get(rows, k), k, r, e)) == 0 &&
            (rc = rec_write(w, r, e)) == QS_E_DATA && csv)
            rc = cp932_error(e, k + 2, "");
        *nrows = k + 1;
    }
    if ((crc = rec_writer_close(w, rc ? NULL : e)) < 0 && rc == 0)
        rc = crc;
out:
    rec_free(r);
    return rc;
}

int dlv_form_write(const char *kind, json_t *pl, const char *dir, size_t n, int csv, char **file,
                   size_t *nrows, struct qs_err *e)
{
    json_t *rows = json_object_get(pl, "form_rows");
    const struct dlv_form *f = NULL;
    struct fcols c = {0};
    char *path = NULL;
    FILE *fp = NULL;
    int fd, rc;

    *file = NULL;
    *nrows = 0;
    if (!rows && !json_object_get(pl, "form_options"))
        return 0; /* checklist only */
    for (size_t i = 0; i < NFORMS && !f; i++)
        if (strcmp(dlv_forms[i].kind, kind) == 0)
            f = &dlv_forms[i];
    if (!f)
        return err_set(e, QS_E_DATA, NULL, "kind %s has no QSM form: leave out form_rows", kind);
    if (!json_is_array(rows))
        return err_set(e, QS_E_DATA, NULL, "form_rows must be an array of objects");
    if ((rc = form_columns(f, pl, &c, e)) < 0)
        return rc;
    *file = xasprintf("%s-%zu.%s", f->name, n, csv ? "csv" : "xlsx");
    path = xasprintf("%s/%s", dir, *file);
    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
        !(fp = fdopen(fd, "w"))) {
        rc = err_set(e, QS_E_IO, NULL, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        goto out;
    }
    rc = form_rows_write(f, &c, rows, csv, fp, nrows, e);
    if ((fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) < 0) && rc == 0)
        rc = err_set(e, QS_E_IO, NULL, "%s: %s", path, strerror(errno));
    if (fclose(fp) != 0 && rc == 0)
        rc = err_set(e, QS_E_IO, NULL, "%s: %s", path, strerror(errno));
    if (rc < 0)
        unlink(path);
    if (rc == QS_E_DATA) {
        char msg[sizeof e->msg];
        snprintf(msg, sizeof msg, "%s", e->msg);
        err_set(e, QS_E_DATA, NULL, "QSM's %s form: %s", f->name, msg);
    }
out:
    if (rc < 0) {
        free(*file);
        *file = NULL;
    }
    free(path);
    fcols_free(&c);
    return rc;
}

/* "missing ...; extra ...; moved ..." of got[ng] against want[nw], or "" when equal. */
static void header_diff(const char *const *want, size_t nw, const char *const *got, size_t ng,
                        char *buf, size_t size)
{
    char miss[512] = "", extra[512] = "", moved[512] = "", l1[16], l2[16];
    size_t a = 0, b = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < nw; i++)
        if (find(got, ng, want[i]) == ng)
            snprintf(miss + strlen(miss), sizeof miss - strlen(miss), "%s\"%s\"",
                     miss[0] ? ", " : "missing ", want[i]);
    for (size_t i = 0; i < ng; i++)
        if (find(want, nw, got[i]) == nw)
            snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "%s\"%s\"",
                     extra[0] ? ", " : "extra ", got[i]);
    /* The columns both have, each in its own order: where they differ, one was moved. */
    while (a < nw && b < ng) {
        if (find(got, ng, want[a]) == ng)
            a++;
        else if (find(want, nw, got[b]) == nw)
            b++;
        else {
            if (strcmp(want[a], got[b]) != 0)
                snprintf(moved + strlen(moved), sizeof moved - strlen(moved),
                         "%s\"%s\" (column %s here, %s in qs's)", moved[0] ? ", " : "moved ",
                         want[a], rec_col_letters(find(got, ng, want[a]) + 1, l1, sizeof l1),
                         rec_col_letters(a + 1, l2, sizeof l2));
            a++, b++;
        }
    }
    join(buf, size, "; ", miss);
    join(buf, size, "; ", extra);
    join(buf, size, "; ", moved);
}

int deliver_form_check(const char *form, const char *path, struct qs_err *e)
{
    const struct dlv_form *f = form_named(form);
    struct rec_reader_opts ro = {.enc = REC_ENC_AUTO};
    struct rec_reader *rd = NULL;
    struct rec *r = NULL;
    const char **want = NULL;
    const char *const *got;
    size_t ng = 0, nw, nopt = 0;
    char diff[768];
    FILE *fp;
    int rc;

    if (!f)
        return err_set(e, QS_E_USAGE, NULL,
                       "unknown QSM form \"%s\"; the forms are inbound, option, other-platform "
                       "and order-list",
                       form);
    if (!(fp = fopen(path, "rb")))
        return err_set(e, QS_E_IO, NULL, "cannot open %s: %s", path, strerror(errno));
    r = rec_new();
    if ((rc = rec_reader_open(fp, path, &ro, &rd, e)) < 0 || (rc = rec_read(rd, r, e)) < 0)
        goto out;
    rc = 0;
    if (!(got = rec_reader_columns(rd, &ng))) {
        rc = err_set(e, QS_E_DATA, NULL, "%s has no header row: give QSM's %s form", path, form);
        goto out;
    }
    /* The option form's first columns are the seller's option names: only the fixed tail
     * is checked, after one or two of them. */
    while (f->options && nopt < ng && nopt < f->options && !fixed_label(f, got[nopt]))
        nopt++;
    nw = nopt + f->ncols;
    want = xcalloc(nw, sizeof *want);
    for (size_t i = 0; i < nw; i++)
        want[i] = i < nopt ? got[i] : f->cols[i - nopt].label;
    header_diff(want, nw, got, ng, diff, sizeof diff);
    if (f->options && nopt == 0)
        rc = err_set(e, QS_E_DATA, NULL,
                     "the header row is not QSM's option form as qs writes it: no option "
                     "column (e.g. Color, Size) before %s%s%s",
                     f->cols[0].label, diff[0] ? "; " : "", diff);
    else if (diff[0])
        rc = err_set(e, QS_E_DATA, NULL,
                     "the header row is not QSM's %s form as qs writes it: %s; QSM may have "
                     "changed its form: hand off with --csv and copy the rows into your download",
                     form, diff);
    if (rc < 0)
        err_at(e, path, 1, 0);
out:
    free(want);
    rec_free(r);
    rec_reader_close(rd);
    fclose(fp);
    return rc;
}

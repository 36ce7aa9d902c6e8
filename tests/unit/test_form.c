/* Unit tests of QSM's forms in the file: hand-off (SPEC 1.7: "QSM's forms are Excel
 * templates ... written as .xlsx with QSM's header row; --csv writes the same rows as CP932
 * CSV"; SPEC 1.2: code columns are text, so leading zeros survive Excel): each form handed
 * off with codes such as 0000011520 and 00003, its header row exactly QSM's, the codes
 * string cells; the CP932 CSV; an item whose form cannot be written fails alone;
 * deliver_form_check for --form FILE. The workbooks are read through libzip (xlsx_fx.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <iconv.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "deliver/deliver.h"
#include "outbox.h"
#include "record/record.h"
#include "shop.h"
#include "store_fx.h"
#include "xlsx_fx.h"

static int setup(void **state)
{
    struct fx *f = fx_open("form");
    struct qs_err e = {0};
    int created;
    if (!f || shop_add(f->s, "demo", "Asia/Tokyo", 0, &created, &e) < 0)
        return -1;
    *state = f;
    return 0;
}

static void enq(struct fx *f, const char *kind, const char *key, const char *payload)
{
    struct qs_err e = {0};
    assert_int_equal(outbox_enqueue(f->s, "demo", kind, key, payload, time(NULL) - 1, NULL, &e), 1);
}

/* One file: run of kind into DIR/handoff; rep filled. */
static void run(struct fx *f, const char *kind, int csv, struct deliver_report *rep)
{
    struct qs_err e = {0};
    char *spec = xasprintf("file:%s/handoff", f->dir);
    FILE *log = tmpfile();
    struct deliver_opts o = {.delivery = spec, .csv = csv, .log = log};
    if (deliver_run(f->s, "demo", kind, &o, rep, &e) != 0)
        fail_msg("deliver_run: %s", e.msg);
    fclose(log);
    free(spec);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    fseek(in, 0, SEEK_END);
    long len = ftell(in);
    rewind(in);
    char *s = xcalloc(1, (size_t)len + 1);
    assert_int_equal(fread(s, 1, (size_t)len, in), (size_t)len);
    fclose(in);
    if (n)
        *n = (size_t)len;
    return s;
}

/* The header row A1, B1, ... holds exactly labels (and nothing after them). */
static void expect_header(const char *xml, const char *const *labels)
{
    char ref[16], col[8];
    size_t i = 0;
    for (; labels[i]; i++) {
        snprintf(ref, sizeof ref, "%s1", rec_col_letters(i + 1, col, sizeof col));
        xfx_expect_cell(xml, ref, 's', labels[i]);
    }
    snprintf(ref, sizeof ref, "%s1", rec_col_letters(i + 1, col, sizeof col));
    xfx_expect_cell(xml, ref, 0, "");
}

/* The records of the workbook at path, read back by qs's own reader (SPEC 1.2), as CSV
 * (malloc'd): what a later `qs ... FORM.xlsx` would see. */
static char *read_back(const char *path)
{
    struct rec_reader_opts ro = {.enc = REC_ENC_AUTO};
    struct rec_writer_opts wo = {.fmt = REC_CSV, .enc = REC_ENC_UTF8};
    struct rec_reader *rd = NULL;
    struct rec_writer *w = NULL;
    struct rec *r = rec_new();
    struct qs_err e = {0};
    char *out = NULL;
    size_t n = 0;
    FILE *in = fopen(path, "rb"), *mem = open_memstream(&out, &n);
    int rc;
    assert_non_null(in);
    assert_int_equal(rec_reader_open(in, path, &ro, &rd, &e), 0);
    assert_int_equal(rec_writer_open(mem, &wo, NULL, 0, &w, &e), 0);
    while ((rc = rec_read(rd, r, &e)) == 1)
        assert_int_equal(rec_write(w, r, &e), 0);
    if (rc != 0)
        fail_msg("%s: %s", path, e.msg);
    assert_int_equal(rec_reader_format(rd), REC_XLSX);
    assert_int_equal(rec_writer_close(w, &e), 0);
    rec_reader_close(rd);
    rec_free(r);
    fclose(in);
    fclose(mem);
    return out;
}

/* Form file name-n.xlsx of the run's hand-off: read back by the reader, it must be the
 * records csv (header row included); returns its sheet XML (malloc'd) for the cell types. */
static char *form_sheet(const struct deliver_report *rep, const char *name, int n, const char *csv)
{
    char *path = xasprintf("%s/%s-%d.xlsx", rep->handoff, name, n);
    char *xml = xfx_part(path, "xl/worksheets/sheet1.xml");
    if (!xml)
        fail_msg("%s is not a workbook with a first sheet", path);
    char *got = read_back(path);
    assert_string_equal(got, csv);
    free(got);
    free(path);
    return xml;
}

static const char *const inbound_labels[] = {
    "SellerCode", "InventoryCode", "InventoryOptionCode", "InOut",
    "MovingQty",  "BranchCode",    "Description",         NULL};

/* SPEC 1.7, R-INB-1: the inbound form, codes with their zeros, quantities numbers. */
static void test_inbound_form(void **state)
{
    struct fx *f = *state;
    struct deliver_report rep;
    enq(f, "inbound", "in-1",
        "{\"bundle\":\"B1\",\"form_rows\":["
        "{\"InventoryCode\":\"300000154634\",\"InventoryOptionCode\":\"00001\",\"InOut\":\"in\","
        "\"MovingQty\":\"2\",\"BranchCode\":\"0000011520\",\"Description\":\"04901234567894\"},"
        "{\"SellerCode\":\"007\",\"InventoryCode\":\"300000154634\","
        "\"InventoryOptionCode\":\"00003\",\"InOut\":\"in\",\"MovingQty\":5,"
        "\"BranchCode\":\"0000011520\"}]}");
    run(f, "inbound", 0, &rep);
    assert_int_equal(rep.handed_off, 1);
    char *xml = form_sheet(&rep, "inbound", 1,
                           "SellerCode,InventoryCode,InventoryOptionCode,InOut,MovingQty,"
                           "BranchCode,Description\n"
                           ",300000154634,00001,in,2,0000011520,04901234567894\n"
                           "007,300000154634,00003,in,5,0000011520,\n");
    expect_header(xml, inbound_labels);
    xfx_expect_cell(xml, "A2", 0, ""); /* a missing key: an empty cell */
    xfx_expect_cell(xml, "B2", 's', "300000154634");
    xfx_expect_cell(xml, "C2", 's', "00001");
    xfx_expect_cell(xml, "D2", 's', "in");
    xfx_expect_cell(xml, "E2", 'n', "2");
    xfx_expect_cell(xml, "F2", 's', "0000011520");
    xfx_expect_cell(xml, "G2", 's', "04901234567894");
    xfx_expect_cell(xml, "A3", 's', "007");
    xfx_expect_cell(xml, "C3", 's', "00003");
    xfx_expect_cell(xml, "E3", 'n', "5");
    xfx_expect_cell(xml, "F3", 's', "0000011520");
    assert_null(strstr(xml, "<row r=\"4\""));
    free(xml);
    /* summary.json names the form file; the checklist has a form column. */
    char *path = xasprintf("%s/summary.json", rep.handoff);
    json_t *sum = json_load_file(path, 0, NULL);
    assert_non_null(sum);
    json_t *f0 = json_array_get(json_object_get(sum, "forms"), 0);
    assert_string_equal(json_string_value(json_object_get(f0, "key")), "in-1");
    assert_string_equal(json_string_value(json_object_get(f0, "form")), "inbound");
    assert_string_equal(json_string_value(json_object_get(f0, "file")), "inbound-1.xlsx");
    assert_int_equal(json_integer_value(json_object_get(f0, "rows")), 2);
    json_t *g = json_array_get(json_object_get(sum, "groups"), 0);
    assert_null(json_object_get(json_object_get(g, "fields"), "form_rows"));
    json_decref(sum);
    free(path);
    path = xasprintf("%s/checklist.csv", rep.handoff);
    char *csv = slurp(path, NULL);
    assert_string_equal(csv, "list,group,key,form\n1,1,in-1,inbound-1.xlsx\n");
    free(csv);
    free(path);
}

/* SPEC 1.7: the Q-inventory option form: the item's option names, then QSM's columns. */
static void test_option_form(void **state)
{
    static const char *const labels[] = {"Color",    "Size",       "Qty", "Price",
                                         "Currency", "SellerCode", NULL};
    static const char *const one[] = {"Color", "Qty", "Price", "Currency", "SellerCode", NULL};
    struct fx *f = *state;
    struct deliver_report rep;
    enq(f, "stock", "opt-1",
        "{\"form_options\":[\"Color\",\"Size\"],\"form_rows\":["
        "{\"Color\":\"ブルー\",\"Size\":\"M\",\"Qty\":\"10\",\"Price\":\"0\",\"Currency\":\"JPY\","
        "\"SellerCode\":\"00003\"},"
        "{\"Color\":\"0001\",\"Size\":\"LL\",\"Qty\":\"10\",\"Price\":\"150\",\"Currency\":\"JPY\"}"
        "]}");
    enq(f, "stock", "opt-2",
        "{\"form_options\":[\"Color\"],\"form_rows\":[{\"Color\":\"白\",\"Qty\":\"3\"}]}");
    run(f, "stock", 0, &rep);
    assert_int_equal(rep.handed_off, 2);
    char *xml = form_sheet(&rep, "option", 1,
                           "Color,Size,Qty,Price,Currency,SellerCode\n"
                           "ブルー,M,10,0,JPY,00003\n0001,LL,10,150,JPY,\n");
    expect_header(xml, labels);
    xfx_expect_cell(xml, "A2", 's', "ブルー");
    xfx_expect_cell(xml, "C2", 'n', "10");
    xfx_expect_cell(xml, "D2", 'n', "0");
    xfx_expect_cell(xml, "E2", 's', "JPY");
    xfx_expect_cell(xml, "F2", 's', "00003");
    xfx_expect_cell(xml, "A3", 's', "0001"); /* option values are text */
    xfx_expect_cell(xml, "F3", 0, "");
    free(xml);
    xml = form_sheet(&rep, "option", 2, "Color,Qty,Price,Currency,SellerCode\n白,3,,,\n");
    expect_header(xml, one);
    xfx_expect_cell(xml, "A2", 's', "白");
    free(xml);
}

static const char *const other_labels[] = {"参考订购号码",
                                           "商品代码",
                                           "商品名",
                                           "运送方式",
                                           "发货国家",
                                           "小分类内容",
                                           "类型",
                                           "买家姓名",
                                           "收取人名",
                                           "收取人名(音声标志)",
                                           "收取人电话号码",
                                           "收取人手机号码",
                                           "到达国家",
                                           "邮政编码",
                                           "运送地址",
                                           "运送地址(详情)",
                                           "参考价格",
                                           "备注",
                                           "分店",
                                           "SKU no.",
                                           "卖家SKU代码",
                                           "第三方公司",
                                           "发给人(发送礼物输入信息)",
                                           "国家(发送礼物输入信息)",
                                           "邮政编码(发送礼物输入信息)",
                                           "运送地址(发送礼物输入信息)",
                                           "联系方式(发送礼物输入信息)",
                                           "个人通关唯一符号",
                                           "数量",
                                           NULL};

/* R-INB-6: the other-platform shipment form in R-INB-6's order; order numbers, phone
 * numbers, zip codes and codes keep their zeros. */
static void test_other_platform_form(void **state)
{
    struct fx *f = *state;
    struct deliver_report rep;
    enq(f, "inbound-ship", "ship-1",
        "{\"form_rows\":[{\"ref_order_no\":\"0000011520\",\"item_name\":\"タンブラー\","
        "\"ship_method\":\"一般（可以运送追踪）\",\"ship_country\":\"JP\",\"recipient\":\"山田 "
        "太郎\",\"recipient_tel\":\"09012345678\",\"dest_country\":\"JP\",\"zip\":\"0600001\","
        "\"address\":\"札幌市\",\"ref_price\":\"1280\",\"branch\":\"Qxpress JP Tokyo\","
        "\"q_sku\":\"300000154634-00003\",\"seller_sku\":\"00123\",\"qty\":\"1\"}]}");
    run(f, "inbound-ship", 0, &rep);
    assert_int_equal(rep.handed_off, 1);
    char *want = NULL;
    size_t wn = 0;
    FILE *m = open_memstream(&want, &wn);
    for (size_t i = 0; other_labels[i]; i++)
        fprintf(m, "%s%s", i ? "," : "", other_labels[i]);
    fputs("\n0000011520,,タンブラー,一般（可以运送追踪）,JP,,,,山田 太郎,,09012345678,,JP,0600001,"
          "札幌市,,1280,,Qxpress JP Tokyo,300000154634-00003,00123,,,,,,,,1\n",
          m);
    fclose(m);
    char *xml = form_sheet(&rep, "other-platform", 1, want);
    free(want);
    expect_header(xml, other_labels);
    xfx_expect_cell(xml, "A2", 's', "0000011520");
    xfx_expect_cell(xml, "K2", 's', "09012345678");
    xfx_expect_cell(xml, "N2", 's', "0600001");
    xfx_expect_cell(xml, "Q2", 'n', "1280");
    xfx_expect_cell(xml, "T2", 's', "300000154634-00003");
    xfx_expect_cell(xml, "U2", 's', "00123");
    xfx_expect_cell(xml, "AC2", 'n', "1");
    free(xml);
}

/* SPEC 1.7: the compensation push's order list: one column, Order No., text. */
static void test_order_list_form(void **state)
{
    static const char *const labels[] = {"Order No.", NULL};
    struct fx *f = *state;
    struct deliver_report rep;
    enq(f, "coupon", "cpn-1",
        "{\"coupon\":\"C1\",\"form_rows\":[{\"order_no\":\"0000011520\"},"
        "{\"order_no\":\"262749754\"}]}");
    enq(f, "coupon", "cpn-2", "{\"coupon\":\"C2\"}"); /* no form: checklist only */
    run(f, "coupon", 0, &rep);
    assert_int_equal(rep.handed_off, 2);
    char *xml = form_sheet(&rep, "order-list", 1, "Order No.\n0000011520\n262749754\n");
    expect_header(xml, labels);
    xfx_expect_cell(xml, "A2", 's', "0000011520");
    xfx_expect_cell(xml, "A3", 's', "262749754");
    free(xml);
    char *path = xasprintf("%s/order-list-2.xlsx", rep.handoff);
    assert_int_not_equal(access(path, F_OK), 0);
    free(path);
}

/* UTF-8 text of the CP932 file at path (malloc'd). */
static char *from_cp932(const char *path)
{
    size_t n, cap;
    char *in = slurp(path, &n), *out = xcalloc(1, cap = 4 * n + 1);
    char *ip = in, *op = out;
    size_t il = n, ol = cap - 1;
    iconv_t cd = iconv_open("UTF-8", "CP932");
    assert_true(cd != (iconv_t)-1);
    assert_int_not_equal(iconv(cd, &ip, &il, &op, &ol), (size_t)-1);
    iconv_close(cd);
    free(in);
    return out;
}

/* SPEC 1.7 --csv: the same rows as CP932 CSV (CRLF), NAME-N.csv; a label of the
 * other-platform form that CP932 cannot hold (the seed's Chinese screens) goes by its key. */
static void test_csv_forms(void **state)
{
    struct fx *f = *state;
    struct deliver_report rep;
    enq(f, "inbound", "in-1",
        "{\"form_rows\":[{\"InventoryCode\":\"300000154634\",\"InventoryOptionCode\":\"00003\","
        "\"InOut\":\"in\",\"MovingQty\":\"2\",\"BranchCode\":\"0000011520\","
        "\"Description\":\"保温タンブラー\"}]}");
    run(f, "inbound", 1, &rep);
    assert_int_equal(rep.handed_off, 1);
    char *path = xasprintf("%s/inbound-1.csv", rep.handoff);
    char *text = from_cp932(path);
    assert_string_equal(text, "SellerCode,InventoryCode,InventoryOptionCode,InOut,MovingQty,"
                              "BranchCode,Description\r\n"
                              ",300000154634,00003,in,2,0000011520,保温タンブラー\r\n");
    free(text);
    free(path);

    enq(f, "stock", "opt-1",
        "{\"form_options\":[\"カラー\"],\"form_rows\":[{\"カラー\":\"青\",\"Qty\":\"1\"}]}");
    run(f, "stock", 1, &rep);
    path = xasprintf("%s/option-1.csv", rep.handoff);
    text = from_cp932(path);
    assert_string_equal(text, "カラー,Qty,Price,Currency,SellerCode\r\n青,1,,,\r\n");
    free(text);
    free(path);

    /* The other-platform form's labels are the seed's simplified Chinese: a label CP932
     * cannot hold is written as its key, one CP932 can as it is. */
    enq(f, "inbound-ship", "ship-1",
        "{\"form_rows\":[{\"ref_order_no\":\"0001\",\"item_name\":\"保温タンブラー\"}]}");
    run(f, "inbound-ship", 1, &rep);
    assert_int_equal(rep.handed_off, 1);
    assert_int_equal(rep.failed, 0);
    path = xasprintf("%s/other-platform-1.csv", rep.handoff);
    text = from_cp932(path);
    assert_non_null(strstr(text, "ref_order_no,item_code,商品名,ship_method,"));
    assert_non_null(strstr(text, "\r\n0001,,保温タンブラー,"));
    free(text);
    free(path);
}

/* An unknown key, a code given as a number, text CP932 cannot hold (--csv) or form_rows on
 * a kind without a form fail that item only, naming the row and key or column; the
 * others are handed off, and the failed one's partial file is not left. */
static void test_bad_item_fails_alone(void **state)
{
    struct fx *f = *state;
    struct deliver_report rep;
    struct qs_err e = {0};
    enq(f, "inbound", "a-good", "{\"form_rows\":[{\"InventoryOptionCode\":\"00001\"}]}");
    enq(f, "inbound", "b-bad",
        "{\"form_rows\":[{\"InventoryCode\":\"300000154634\"},{\"Qty\":\"1\"}]}");
    enq(f, "inbound", "c-num", "{\"form_rows\":[{\"InventoryOptionCode\":3}]}");
    enq(f, "inbound", "d-good", "{\"form_rows\":[{\"BranchCode\":\"0000011520\"}]}");
    run(f, "inbound", 0, &rep);
    assert_int_equal(rep.handed_off, 2);
    assert_int_equal(rep.failed, 2);
    assert_int_equal(deliver_report_rc(&rep), QS_E_FAIL);
    char *p = xasprintf("%s/inbound-1.xlsx", rep.handoff);
    assert_int_equal(access(p, F_OK), 0);
    free(p);
    p = xasprintf("%s/inbound-4.xlsx", rep.handoff);
    assert_int_equal(access(p, F_OK), 0);
    free(p);
    assert_int_equal(xfx_entries(rep.handoff), 4); /* 2 forms, checklist, summary */
    p = xasprintf("%s/checklist.csv", rep.handoff);
    char *csv = slurp(p, NULL);
    assert_string_equal(csv, "list,group,key,form\n1,1,a-good,inbound-1.xlsx\n"
                             "1,1,d-good,inbound-4.xlsx\n");
    free(csv);
    free(p);
    struct outbox_item *items;
    size_t n;
    assert_int_equal(outbox_list(f->s, "demo", "inbound", -1, &items, &n, &e), 0);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i].key, "b-bad") == 0) {
            assert_int_equal(items[i].state, OUTBOX_FAILED);
            assert_non_null(
                strstr(items[i].last_error, "QSM's inbound form: row 3: unknown key \"Qty\""));
            assert_non_null(strstr(items[i].last_error, "InventoryOptionCode"));
        } else if (strcmp(items[i].key, "c-num") == 0) {
            assert_int_equal(items[i].state, OUTBOX_FAILED);
            assert_non_null(strstr(items[i].last_error, "row 2: InventoryOptionCode is a code"));
        } else
            assert_int_equal(items[i].state, OUTBOX_HANDED_OFF);
    }
    outbox_items_free(items, n);

    /* --csv: Hangul in a row fails that item, naming the row and column. */
    enq(f, "coupon", "k-1", "{\"form_rows\":[{\"order_no\":\"1\"},{\"order_no\":\"한1\"}]}");
    enq(f, "coupon", "k-2", "{\"form_rows\":[{\"order_no\":\"2\"}]}");
    run(f, "coupon", 1, &rep);
    assert_int_equal(rep.handed_off, 1);
    assert_int_equal(rep.failed, 1);
    assert_int_equal(xfx_entries(rep.handoff), 3); /* order-list-2.csv, checklist, summary */
    assert_int_equal(outbox_list(f->s, "demo", "coupon", OUTBOX_FAILED, &items, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_non_null(strstr(items[0].last_error, "row 3: column \"Order No.\": \"한\""));
    assert_null(strstr(items[0].last_error, "--encoding-errors"));
    outbox_items_free(items, n);

    /* A kind without a form. */
    enq(f, "note", "n-1", "{\"form_rows\":[{\"x\":\"1\"}]}");
    run(f, "note", 0, &rep);
    assert_int_equal(rep.failed, 1);
}

/* SPEC 1.7 --form FILE: the seller's download of QSM's form is checked against qs's
 * table: equal passes; a missing, extra or moved column is named. */
static void test_form_check(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    char *p = xasprintf("%s/form.csv", f->dir);
    FILE *fp;
#define WRITE(text)                                                                                \
    do {                                                                                           \
        assert_non_null(fp = fopen(p, "w"));                                                       \
        fputs(text, fp);                                                                           \
        fclose(fp);                                                                                \
    } while (0)
    WRITE("SellerCode,InventoryCode,InventoryOptionCode,InOut,MovingQty,BranchCode,"
          "Description\r\n,300000154634,00001,in,2,0000011520,\r\n");
    assert_int_equal(deliver_form_check("inbound", p, &e), 0);
    WRITE("SellerCode,InventoryCode,InOut,InventoryOptionCode,MovingQty,BranchCode,Memo\n");
    assert_int_equal(deliver_form_check("inbound", p, &e), QS_E_DATA);
    assert_non_null(strstr(e.msg, "missing \"Description\"; extra \"Memo\"; moved "
                                  "\"InventoryOptionCode\" (column D here, C in qs's)"));
    assert_string_equal(e.file, p);
    /* The option form: any one or two option names, then the fixed columns. */
    WRITE("色,サイズ,Qty,Price,Currency,SellerCode\n");
    assert_int_equal(deliver_form_check("option", p, &e), 0);
    WRITE("Color,Qty,Price,Currency,SellerCode\n");
    assert_int_equal(deliver_form_check("option", p, &e), 0);
    WRITE("Qty,Price,Currency,SellerCode\n");
    assert_int_equal(deliver_form_check("option", p, &e), QS_E_DATA);
    assert_non_null(strstr(e.msg, "no option column"));
    WRITE("Color,Size,Qty,Price,SellerCode\n");
    assert_int_equal(deliver_form_check("option", p, &e), QS_E_DATA);
    assert_non_null(strstr(e.msg, "missing \"Currency\""));
    WRITE("Order No.\n262749754\n");
    assert_int_equal(deliver_form_check("order-list", p, &e), 0);
    assert_int_equal(deliver_form_check("nope", p, &e), QS_E_USAGE);
    assert_int_equal(deliver_form_check("inbound", "/nonexistent/form.xlsx", &e), QS_E_IO);
    assert_string_equal(deliver_form_of("inbound-ship"), "other-platform");
    assert_null(deliver_form_of("note"));
#undef WRITE
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_inbound_form, setup, teardown),
        cmocka_unit_test_setup_teardown(test_option_form, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_platform_form, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_list_form, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_item_fails_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_form_check, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of libcore/catalog, upc and words: the pure parts of SPEC 2.1-2.2 --
 * check digits (R-IMP-8, R-UPC-1), money and integers (R-IMP-2), tags (R-IMP-5), URLs
 * (R-IMP-6, R-IMP-7), column names and templates (R-IMP-1), the word matcher
 * (R-IMP-10) -- and the qs template's round trip through a store (R-IMP-1, R-PUB-8). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "shop.h"
#include "xalloc.h"

/* ---- R-IMP-8: check digits ---- */

static void gs1_check_digits(void **state)
{
    (void)state;
    assert_int_equal(upc_gs1_check("490123456789", 12), '4'); /* JAN-13 */
    assert_int_equal(upc_gs1_check("03600029145", 11), '2');  /* UPC-A */
    assert_int_equal(upc_gs1_check("9638507", 7), '4');       /* EAN-8 */
    assert_int_equal(upc_gs1_check("4912345", 7), '6');       /* JAN-8 */
    assert_int_equal(upc_gs1_check("978030640615", 12), '7'); /* ISBN-13 */
    assert_int_equal(upc_gs1_check("45123456789", 11), '8');
    assert_int_equal(upc_gs1_check("4901x3456789", 12), 0); /* not digits */
}

static void isbn10_check_digits(void **state)
{
    (void)state;
    assert_int_equal(upc_isbn10_check("030640615"), '2');
    assert_int_equal(upc_isbn10_check("080442957"), 'X'); /* check value 10 */
    assert_int_equal(upc_isbn10_check("406293340"), '3');
    assert_int_equal(upc_isbn10_check("40629334a"), 0);
}

static void check_ok(const char *in, const char *want, enum upc_type type)
{
    char out[UPC_MAX];
    enum upc_type t = UPC_T_OTHER;
    const char *why = NULL;
    if (upc_check(in, out, &t, &why) != 0)
        fail_msg("upc_check(\"%s\"): expected ok, got: %s", in, why);
    assert_string_equal(out, want);
    assert_int_equal(t, type);
}

static void check_bad(const char *in, const char *part)
{
    char out[UPC_MAX];
    enum upc_type t;
    const char *why = NULL;
    if (upc_check(in, out, &t, &why) == 0)
        fail_msg("upc_check(\"%s\"): expected an error", in);
    if (!strstr(why, part))
        fail_msg("upc_check(\"%s\"): expected \"%s\" in \"%s\"", in, part, why);
}

/* R-IMP-8: length and check digit; the type follows from the code. */
static void upc_check_cells(void **state)
{
    (void)state;
    check_ok("4901234567894", "4901234567894", UPC_T_JAN);
    check_ok(" 4901234-567894 ", "4901234567894", UPC_T_JAN);
    check_ok("036000291452", "036000291452", UPC_T_UPC);
    check_ok("96385074", "96385074", UPC_T_EAN);
    check_ok("49123456", "49123456", UPC_T_JAN);
    check_ok("4006381333931", "4006381333931", UPC_T_EAN);
    check_ok("978-0-306-40615-7", "9780306406157", UPC_T_ISBN);
    check_ok("0-8044-2957-x", "080442957X", UPC_T_ISBN);
    check_ok("4-06-293340-3", "4062933403", UPC_T_ISBN);
    check_bad("4901234567891", "check digit (GS1");
    check_bad("036000291453", "check digit (GS1");
    check_bad("4-06-293340-1", "check digit (ISBN-10");
    check_bad("12345", "is not 8, 12 or 13 digits");
    check_bad("49012345678941", "is not 8, 12 or 13 digits");
    check_bad("490123456789A", "is not 8, 12 or 13 digits");
}

/* SPEC 1.2, issue 8 item 16: an 11-digit code whose 12-digit UPC-A form (a leading 0, as
 * Excel drops it) has a valid check digit is restored (1); others stay errors (R-IMP-8). */
static void upc_restore_excel_stripped(void **state)
{
    char out[UPC_MAX];
    enum upc_type t = UPC_T_OTHER;
    const char *why = NULL;
    (void)state;
    assert_int_equal(upc_check("36000291452", out, &t, &why), 1);
    assert_string_equal(out, "036000291452");
    assert_int_equal(t, UPC_T_UPC);
    assert_non_null(strstr(why, "Excel dropped the leading 0"));
    assert_int_equal(upc_check("3600-0291-452", out, &t, &why), 1); /* hyphens dropped first */
    assert_string_equal(out, "036000291452");
    check_bad("36000291453", "is not 8, 12 or 13 digits"); /* wrong check digit: an error */
    check_bad("9638507", "is not 8, 12 or 13 digits");     /* 7 digits: never an EAN-8 */
    assert_int_equal(upc_check_as("36000291452", UPC_T_UPC, out, &why), 1);
    assert_string_equal(out, "036000291452");
    assert_int_equal(upc_check_as("36000291452", UPC_T_EAN, out, &why), -1);
    assert_int_equal(upc_check_as("36000291452", UPC_T_JAN, out, &why), -1);
    /* scientific notation: the digits are lost, never parsed (SPEC 1.2) */
    check_bad("3.60003E+11", "scientific notation");
    assert_int_equal(upc_check_as("4.90123E+12", UPC_T_JAN, out, &why), -1);
    assert_non_null(strstr(why, "scientific notation"));
    assert_int_equal(upc_check_as("3.6E+11", UPC_T_OTHER, out, &why), -1);
}

/* R-UPC-1: codes added to a pool are validated as their type. */
static void upc_check_as_pool_types(void **state)
{
    char out[UPC_MAX];
    const char *why;
    (void)state;
    assert_int_equal(upc_check_as("4901234567894", UPC_T_JAN, out, &why), 0);
    assert_int_equal(upc_check_as("49123456", UPC_T_JAN, out, &why), 0);
    assert_int_equal(upc_check_as("4006381333931", UPC_T_JAN, out, &why), -1);
    assert_non_null(strstr(why, "45 or 49"));
    assert_int_equal(upc_check_as("4006381333931", UPC_T_EAN, out, &why), 0);
    assert_int_equal(upc_check_as("036000291452", UPC_T_UPC, out, &why), 0);
    assert_int_equal(upc_check_as("4901234567894", UPC_T_UPC, out, &why), -1);
    assert_int_equal(upc_check_as("9780306406157", UPC_T_ISBN, out, &why), 0);
    assert_int_equal(upc_check_as("030640615X", UPC_T_ISBN, out, &why), -1);
    assert_int_equal(upc_check_as("4901234567894", UPC_T_ISBN, out, &why), -1);
    assert_int_equal(upc_check_as("SKU-000123", UPC_T_OTHER, out, &why), 0);
    assert_string_equal(out, "SKU-000123");
    assert_int_equal(upc_check_as("has space", UPC_T_OTHER, out, &why), -1);
    assert_int_equal(upc_check_as("", UPC_T_OTHER, out, &why), -1);
    enum upc_type t;
    assert_int_equal(upc_type_parse("JAN", &t), 0);
    assert_int_equal(t, UPC_T_JAN);
    assert_int_equal(upc_type_parse("kan", &t), -1);
    assert_int_equal(upc_qoo10_type(UPC_T_ISBN), 'I');
    assert_int_equal(upc_qoo10_type(UPC_T_OTHER), 0);
}

/* ---- R-IMP-2: money and integers ---- */

static void money_ok(const char *s, const char *fx, long long want)
{
    struct cat_fx rate = {0, 0};
    long long got = -1;
    const char *why = NULL;
    if (fx && cat_fx_parse(fx, &rate) != 0)
        fail_msg("bad test rate %s", fx);
    if (cat_money(s, fx ? &rate : NULL, &got, &why) != 0)
        fail_msg("cat_money(\"%s\", fx %s): expected %lld, got error: %s", s, fx ? fx : "-", want,
                 why);
    if (got != want)
        fail_msg("cat_money(\"%s\", fx %s): expected %lld, got %lld", s, fx ? fx : "-", want, got);
}

static void money_bad(const char *s, const char *fx, const char *part)
{
    struct cat_fx rate = {0, 0};
    long long got;
    const char *why = NULL;
    if (fx)
        cat_fx_parse(fx, &rate);
    if (cat_money(s, fx ? &rate : NULL, &got, &why) == 0)
        fail_msg("cat_money(\"%s\"): expected an error, got %lld", s, got);
    if (!strstr(why, part))
        fail_msg("cat_money(\"%s\"): expected \"%s\" in \"%s\"", s, part, why);
}

static void money_whole_yen(void **state)
{
    (void)state;
    money_ok("1200", NULL, 1200);
    money_ok("0", NULL, 0);
    money_ok("1,200", NULL, 1200);
    money_ok("1,234,567", NULL, 1234567);
    money_ok("\xC2\xA5"
             "1,200",
             NULL, 1200); /* ¥ */
    money_ok("\xEF\xBF\xA5"
             "980",
             NULL, 980);                       /* ￥ */
    money_ok("1,200\xE5\x86\x86", NULL, 1200); /* 円 */
    money_ok("1200.00", NULL, 1200);           /* a whole amount written with decimals */
    money_bad("12.50", NULL, "whole yen");
    money_bad("-5", NULL, "negative");
    money_bad("1,23", NULL, "not a number");
    money_bad("12,345,67", NULL, "not a number");
    money_bad("1200,", NULL, "not a number");
    money_bad("12.", NULL, "not a number");
    money_bad("abc", NULL, "not a number");
    money_bad("", NULL, "empty");
    money_bad("99999999999999999999", NULL, "too large");
}

/* R-IMP-2, issue 8 item 16: full-width digits, commas, periods and signs read as ASCII;
 * thousands commas only in groups of three. */
static void money_full_width(void **state)
{
    (void)state;
    money_ok("１２８０", NULL, 1280);
    money_ok("１，２８０", NULL, 1280);
    money_ok("￥１，２８０", NULL, 1280);
    money_ok("１２８０円", NULL, 1280);
    money_ok("１２．５", "2", 25);
    money_bad("１２，８０", NULL, "not a number");
    money_bad("－５", NULL, "negative");
    money_bad("１２．５", NULL, "whole yen");
}

/* R-IMP-2: --fx converts a foreign-currency file, rounding half up to whole yen. */
static void money_fx(void **state)
{
    struct cat_fx fx;
    (void)state;
    money_ok("12.34", "150", 1851);  /* 1851.0 */
    money_ok("0.01", "150", 2);      /* 1.5 rounds up */
    money_ok("0.0033", "150", 0);    /* 0.495 rounds down */
    money_ok("9.99", "151.3", 1511); /* 1511.487 */
    money_ok("10", "0.5", 5);
    money_ok("1,000.50", "1", 1001); /* 1000.5 rounds up */
    money_bad("-1.00", "150", "negative");
    assert_int_equal(cat_fx_parse("0", &fx), -1);
    assert_int_equal(cat_fx_parse("-1.5", &fx), -1);
    assert_int_equal(cat_fx_parse("abc", &fx), -1);
}

static void uints(void **state)
{
    long long v = -1;
    (void)state;
    assert_int_equal(cat_uint("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(cat_uint("00042", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(cat_uint("2147483647", &v), 0);
    assert_int_equal(cat_uint("2147483648", &v), -1);
    assert_int_equal(cat_uint("-3", &v), -1);
    assert_int_equal(cat_uint("2.5", &v), -1);
    assert_int_equal(cat_uint("", &v), -1);
    assert_int_equal(cat_uint(" 1", &v), -1);
    /* issue 8 item 16: full-width digits; thousands commas in groups of three only */
    assert_int_equal(cat_uint("１２８０", &v), 0);
    assert_int_equal(v, 1280);
    assert_int_equal(cat_uint("1,280", &v), 0);
    assert_int_equal(v, 1280);
    assert_int_equal(cat_uint("１，０００，０００", &v), 0);
    assert_int_equal(v, 1000000);
    assert_int_equal(cat_uint("12,80", &v), -1);
    assert_int_equal(cat_uint("1280,", &v), -1);
    assert_int_equal(cat_uint(",128", &v), -1);
    assert_int_equal(cat_uint("1,28", &v), -1);
    assert_int_equal(cat_uint("1234,567", &v), -1);
    assert_int_equal(cat_uint("1,,280", &v), -1);
    assert_int_equal(cat_uint("－３", &v), -1);
}

/* ---- R-IMP-5: tags ---- */

static void tags(void **state)
{
    struct cat_buf b = {0};
    (void)state;
    assert_int_equal(cat_tags_normalize("gift, present ,,Gift,  ", &b), 2);
    assert_string_equal(b.p, "gift,present");
    /* Full-width comma and ideographic spaces, as Japanese spreadsheets have them. */
    assert_int_equal(cat_tags_normalize("ギフト\xEF\xBC\x8C\xE3\x80\x80母の日\xE3\x80\x80,x", &b),
                     3);
    assert_string_equal(b.p, "ギフト,母の日,x");
    assert_int_equal(cat_tags_normalize("a,b,c,d,e,f,g,h,i,j,k", &b), 11);
    assert_int_equal(cat_tags_normalize("", &b), 0);
    assert_string_equal(b.p, "");
    /* A product's tags are those of all its rows. */
    cat_buf_set(&b, "gift,present", 12);
    assert_int_equal(cat_tags_union(&b, "PRESENT,travel", 14), 3);
    assert_string_equal(b.p, "gift,present,travel");
    cat_buf_set(&b, "", 0);
    assert_int_equal(cat_tags_union(&b, "x", 1), 1);
    assert_string_equal(b.p, "x");
    cat_buf_free(&b);
}

/* ---- URLs ---- */

/* R-IMP-7: an image is an http(s) URL, never a local path. */
static void url_check(void **state)
{
    (void)state;
    assert_true(cat_url_ok("https://img.example.jp/a.jpg", 28));
    assert_true(cat_url_ok("HTTP://x.jp", 11));
    assert_false(cat_url_ok("ftp://x.jp/a", 12));
    assert_false(cat_url_ok("C:\\Users\\a.jpg", 14));
    assert_false(cat_url_ok("/home/seller/a.jpg", 18));
    assert_false(cat_url_ok("www.example.com", 15));
    assert_false(cat_url_ok("https://", 8));
    assert_false(cat_url_ok("https:///a.jpg", 14));
    assert_false(cat_url_ok("https://x.jp/a b.jpg", 20));
}

/* R-IMP-6: source URLs come one per line, http(s) only; the first bad line is named. */
static void url_lists(void **state)
{
    struct cat_buf b = {0};
    int bad;
    (void)state;
    assert_int_equal(
        cat_urls_normalize("https://a.jp/1\r\n\r\n  https://a.jp/2 \n", NULL, &b, &bad), 2);
    assert_string_equal(b.p, "https://a.jp/1\nhttps://a.jp/2");
    assert_int_equal(bad, -1);
    assert_int_equal(cat_urls_normalize("https://a.jp/1\nfile.jpg\nftp://x", NULL, &b, &bad), 3);
    assert_int_equal(bad, 1);
    assert_int_equal(cat_urls_normalize("https://a.jp/1$$https://a.jp/2", "$$", &b, &bad), 2);
    assert_string_equal(b.p, "https://a.jp/1\nhttps://a.jp/2");
    cat_buf_free(&b);
}

/* ---- R-IMP-1: columns and templates ---- */

static void columns(void **state)
{
    (void)state;
    assert_int_equal(cat_field_of(CAT_TPL_GENERIC, "Parent SKU"), CF_PARENT_SKU);
    assert_int_equal(cat_field_of(CAT_TPL_GENERIC, "*Parent SKU (必填)"), CF_PARENT_SKU);
    assert_int_equal(cat_field_of(CAT_TPL_GENERIC, "*产品标题 (必填)"), CF_TITLE);
    assert_int_equal(cat_field_of(CAT_TPL_GENERIC, "价格 ($)"), CF_PRICE);
    assert_int_equal(cat_field_of(CAT_TPL_GENERIC, "主图 (URL) 地址"), CF_MAIN_IMAGE);
    assert_int_equal(cat_field_of(CAT_TPL_GENERIC, "landingPageUrl"), CF_LANDING_URL);
    assert_int_equal(cat_field_of(CAT_TPL_GENERIC, "Extra Image URL 10"), CF_EXTRA_IMAGE10);
    assert_int_equal(cat_field_of(CAT_TPL_GENERIC, "Extra Image URL 11"), -1);
    assert_int_equal(cat_field_of(CAT_TPL_GENERIC, "Warehouse"), -1);
    assert_int_equal(cat_field_of(CAT_TPL_QS, "source_urls"), CF_SOURCE_URLS);
    assert_int_equal(cat_field_of(CAT_TPL_QS, "extra_image_urls"), CF_EXTRA_IMAGES);
    assert_int_equal(cat_field_of(CAT_TPL_QS, "state"), CF_OUTPUT);
    assert_int_equal(cat_field_of(CAT_TPL_QOO10, "seller_unique_item_id"), CF_PARENT_SKU);
    assert_int_equal(cat_field_of(CAT_TPL_QOO10, "SellerCode"), CF_PARENT_SKU);
    assert_int_equal(cat_field_of(CAT_TPL_QOO10, "price_yen"), CF_PRICE);
    assert_int_equal(cat_field_of(CAT_TPL_QOO10, "ItemQty"), CF_QUANTITY);
    assert_int_equal(cat_field_of(CAT_TPL_QOO10, "option_info"), CF_OPTIONS);
    /* Every column of the qs template is known to the qs template. */
    for (size_t i = 0; i < cat_qs_ncolumns; i++)
        if (cat_field_of(CAT_TPL_QS, cat_qs_columns[i]) < 0)
            fail_msg("qs template column %s maps to no field", cat_qs_columns[i]);

    const char *generic[] = {"Parent SKU", "SKU", "Title"};
    const char *qs[] = {"parent_sku", "sku", "title", "state"};
    const char *qoo10[] = {"ItemCode", "SellerCode", "ItemPrice", "ItemQty"};
    enum cat_template t;
    assert_int_equal(cat_template_detect(generic, 3), CAT_TPL_GENERIC);
    assert_int_equal(cat_template_detect(qs, 4), CAT_TPL_QS);
    assert_int_equal(cat_template_detect(qoo10, 4), CAT_TPL_QOO10);
    assert_int_equal(cat_template_parse("qoo10", &t), 0);
    assert_int_equal(t, CAT_TPL_QOO10);
    assert_int_equal(cat_template_parse("wish", &t), -1);
}

/* ---- R-IMP-10: sensitive words ---- */

struct hits {
    char got[512];
};

static void hit(void *ctx, const char *word)
{
    struct hits *h = ctx;
    size_t n = strlen(h->got);
    snprintf(h->got + n, sizeof h->got - n, "%s%s", n ? "|" : "", word);
}

static void field_hit(void *ctx, const char *field, const char *word)
{
    struct hits *h = ctx;
    size_t n = strlen(h->got);
    snprintf(h->got + n, sizeof h->got - n, "%s%s:%s", n ? "|" : "", field, word);
}

static void words_match(void **state)
{
    const char *list[] = {"he", "she", "hers", "NIKE", "コピー品", "レプリカ"};
    struct words *w = words_new(list, 6);
    struct hits h;
    (void)state;
    memset(&h, 0, sizeof h);
    /* Overlapping words are all found, each once, in order of first occurrence. */
    int n = words_scan(w, "ushers she", 10, hit, &h);
    assert_string_equal(h.got, "she|he|hers");
    assert_int_equal(n, 3);
    memset(&h, 0, sizeof h);
    /* ASCII without regard to case; other characters exactly. */
    assert_int_equal(words_scan(w, "Nike Air, nIkE", 14, hit, &h), 1);
    assert_string_equal(h.got, "NIKE");
    memset(&h, 0, sizeof h);
    const char *t = "高品質コピー品ではありません";
    assert_int_equal(words_scan(w, t, strlen(t), hit, &h), 1);
    assert_string_equal(h.got, "コピー品");
    memset(&h, 0, sizeof h);
    assert_int_equal(words_scan(w, "plain text", 10, hit, &h), 0);
    /* The check publish shares: the field of each hit. */
    memset(&h, 0, sizeof h);
    assert_int_equal(words_check(w, "Nike tee", "not a レプリカ", "gift,she", field_hit, &h), 4);
    assert_string_equal(h.got, "title:NIKE|description:レプリカ|tags:she|tags:he");
    words_free(w);
    w = words_new(NULL, 0);
    assert_int_equal(words_scan(w, "anything", 8, hit, &h), 0);
    assert_int_equal(words_count(w), 0);
    words_free(w);
    words_free(NULL);
}

/* ---- R-IMP-1, R-PUB-8: the qs template round trip through a store ---- */

static char *scratch(void)
{
    char tmpl[] = "/tmp/qs-catalog-test.XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return xstrdup(d);
}

struct collect {
    FILE *fp;
    struct rec_writer *w;
};

static int write_rec(void *ctx, const struct rec *r, struct qs_err *e)
{
    struct collect *c = ctx;
    return rec_write(c->w, r, e);
}

static int count_report(void *ctx, const struct qs_err *e, int warning)
{
    (void)warning;
    print_message("# %s: %s\n", e->rule, e->msg);
    (*(int *)ctx)++;
    return 0;
}

static void report_cb(void *ctx, const struct qs_err *e, int warning)
{
    count_report(ctx, e, warning);
}

/* Imports text into shop, exports the shop in format fmt; returns the export. */
static char *import_export(struct store *s, const char *shop, const char *text, enum rec_format fmt)
{
    struct cat_import_opts o;
    struct cat_import_stats st;
    struct cat_import_cb cb = {0};
    struct qs_err e;
    struct collect c;
    struct rec_writer_opts wo = {.fmt = fmt, .enc = REC_ENC_UTF8};
    char *out = NULL;
    size_t outlen = 0;
    int reports = 0, created;
    FILE *in = fmemopen((void *)text, strlen(text), "r");

    memset(&o, 0, sizeof o);
    err_clear(&e);
    o.quiet = 1;
    cb.ctx = &reports;
    cb.report = report_cb;
    assert_int_equal(shop_add(s, shop, "Asia/Tokyo", 0, &created, &e), 0);
    if (cat_import(s, shop, in, "in", &o, &cb, &st, &e) != 0)
        fail_msg("import: %s", e.msg);
    fclose(in);
    assert_int_equal(reports, 0);
    c.fp = open_memstream(&out, &outlen);
    assert_int_equal(rec_writer_open(c.fp, &wo, cat_qs_columns, cat_qs_ncolumns, &c.w, &e), 0);
    assert_int_equal(cat_export(s, shop, NULL, NULL, "Asia/Tokyo", write_rec, &c, &e), 0);
    assert_int_equal(rec_writer_close(c.w, &e), 0);
    fclose(c.fp);
    return out;
}

static const char qs_csv[] =
    "parent_sku,sku,title,description,tags,brand,upc,landing_page_url,msrp,color,size,"
    "source_urls,price,shipping,quantity,min_delivery_days,max_delivery_days,main_image_url,"
    "extra_image_urls,group,category,code,code_type,extra,state,publish_at,item_code,error\n"
    "TUMBLER,TUMBLER-350,保温 タンブラー,\"真空断熱。\n\"\"食洗機OK\"\"\",\"ギフト,母の日\","
    "Sakura,4901234567894,https://shop.example.jp/t,3980,Black,350ml,"
    "\"https://detail.1688.com/offer/1.html\nhttps://detail.1688.com/offer/2.html\",1980,0,50,1,"
    "3,https://img.example.jp/t.jpg,\"https://img.example.jp/t1.jpg\nhttps://img.example.jp/"
    "t2.jpg\",summer,300002231,4901234567894,jan,\"{\"\"Warehouse\"\":\"\"B-2\"\"}\",pending,,,"
    "\n"
    "TUMBLER,TUMBLER-500,保温 タンブラー,\"真空断熱。\n\"\"食洗機OK\"\"\",\"ギフト,母の日\","
    "Sakura,,https://shop.example.jp/t,,Black,500ml,,2480,0,,,,https://img.example.jp/t.jpg,,"
    "summer,300002231,4901234567894,jan,,pending,,,\n"
    "00123,00123,帆布托特包,,bag,,,,,,,,1200,,,,,https://img.example.jp/b.jpg,,,,,,,pending,,,"
    "\n";

static void qs_template_round_trip(void **state)
{
    char *dir = scratch(), *path = xasprintf("%s/qs.db", dir), *cmd;
    struct store *s = NULL;
    struct qs_err e;
    (void)state;
    err_clear(&e);
    assert_int_equal(store_open(path, &s, &e), 0);
    /* CSV: what publish list writes (state and the others are informational). */
    char *out = import_export(s, "a", qs_csv, REC_CSV);
    if (strcmp(out, qs_csv) != 0)
        fail_msg("CSV round trip: expected\n%s\ngot\n%s", qs_csv, out);
    /* And from one shop to another, as JSON Lines: the same catalog again. */
    char *json = import_export(s, "b", out, REC_JSON);
    char *back = import_export(s, "c", json, REC_CSV);
    if (strcmp(back, qs_csv) != 0)
        fail_msg("JSON Lines round trip: expected\n%s\ngot\n%s\n(via\n%s)", qs_csv, back, json);
    free(out);
    free(json);
    free(back);
    store_close(s);
    cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gs1_check_digits),
        cmocka_unit_test(isbn10_check_digits),
        cmocka_unit_test(upc_check_cells),
        cmocka_unit_test(upc_check_as_pool_types),
        cmocka_unit_test(upc_restore_excel_stripped),
        cmocka_unit_test(money_whole_yen),
        cmocka_unit_test(money_full_width),
        cmocka_unit_test(money_fx),
        cmocka_unit_test(uints),
        cmocka_unit_test(tags),
        {"R-IMP-7 an image is an http(s) URL, never a local path", url_check, NULL, NULL, NULL},
        {"R-IMP-6 source URLs one per line, http(s) only", url_lists, NULL, NULL, NULL},
        cmocka_unit_test(columns),
        cmocka_unit_test(words_match),
        cmocka_unit_test(qs_template_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

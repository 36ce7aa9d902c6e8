/* Unit tests of the push preview (libcore/coupon/coupon_preview.c): the page of the push mail
 * (R-CPN-10) -- escaped texts, the banner as a data URI, item cards, the approximation note,
 * nothing loaded from the network -- and the items it shows (R-CPN-7) from a store filled
 * with order lines and items. "Now" is fixed: 2026-11-24 12:00 JST. The page is checked in
 * a real browser by tests/cli/t0703-coupon-htmlcheck.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coupon/coupon.h"
#include "shop.h"
#include "store_fx.h"
#include "tm.h"

/* An instant from Japan time "YYYY-MM-DD HH:MM". */
static time_t jst(const char *s)
{
    time_t t = 0;
    struct qs_err e;
    if (tm_parse(s, "Asia/Tokyo", 0, &t, &e) != 0)
        fail_msg("bad test time %s", s);
    return t;
}

#define NOW jst("2026-11-24 12:00")

/* A PNG header of 1860x240 (its first 29 bytes, then two more) and a JPEG one (21 bytes). */
static const unsigned char png[31] = {0x89, 'P',  'N', 'G', '\r', '\n', 0x1a, '\n', 0,    0, 0,
                                      13,   'I',  'H', 'D', 'R',  0,    0,    7,    0x44, 0, 0,
                                      0,    0xf0, 8,   2,   0,    0,    0,    0xff, 0xfe};
static const unsigned char jpeg[21] = {0xff, 0xd8, 0xff, 0xc0, 0, 17,   8, 0, 240,  0x07, 0x44,
                                       3,    1,    0x22, 0,    2, 0x11, 1, 3, 0x11, 1};

static struct coupon yen_coupon(void)
{
    struct coupon c = {.code = "C1",
                       .qsm_no = "778899",
                       .name = "秋の<script>alert(1)</script>クーポン",
                       .kind = COUPON_YEN,
                       .discount = 1500,
                       .max_discount = -1,
                       .min_order = 3000,
                       .valid_from = jst("2026-11-01 00:00"),
                       .valid_to = jst("2026-12-31 23:59"),
                       .issue_limit = 1000,
                       .per_buyer_limit = 1};
    return c;
}

/* The page of p, malloc'd. */
static char *render(const struct coupon_preview *p)
{
    char *buf = NULL;
    size_t len = 0;
    struct qs_err e;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    assert_int_equal(coupon_preview_write(fp, p, &e), 0);
    assert_int_equal(fclose(fp), 0);
    return buf;
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

#define HAS(page, s)                                                                               \
    do {                                                                                           \
        if (!strstr(page, s))                                                                      \
            fail_msg("the page lacks \"%s\":\n%s", s, page);                                       \
    } while (0)
#define LACKS(page, s)                                                                             \
    do {                                                                                           \
        if (strstr(page, s))                                                                       \
            fail_msg("the page holds \"%s\":\n%s", s, page);                                       \
    } while (0)

/* Nothing in the page loads anything: no script, no src other than data:, no stylesheet
 * or font link, no CSS url(). */
static void loads_nothing(const char *page)
{
    LACKS(page, "<script");
    LACKS(page, "src=\"http");
    LACKS(page, "<link");
    LACKS(page, "url(");
    LACKS(page, "@import");
    assert_int_equal(count(page, "src="), count(page, "src=\"data:"));
}

static void page_terms(void **state)
{
    (void)state;
    struct coupon c = yen_coupon();
    struct coupon_preview_item it[1] = {
        {"Q1", "<b>秋服</b> & \"コート\"", "javascript:alert(1)", 1234567}};
    struct coupon_preview_items its = {it, 1, 0};
    struct coupon_preview p = {.shop = "a&b <shop>",
                               .c = &c,
                               .type = "comp",
                               .send_at = jst("2026-11-25 10:00"),
                               .items = &its};
    char *page = render(&p);
    HAS(page, "<!DOCTYPE html>");
    HAS(page, "<meta charset=\"utf-8\">");
    HAS(page, "<title>[Qoo10] ショップクーポンが発行されました！</title>");
    HAS(page, "<h1 id=\"subject\">[Qoo10] ショップクーポンが発行されました！</h1>");
    /* Every text escaped: the coupon's name, the shop, the item's name. */
    HAS(page, "秋の&lt;script&gt;alert(1)&lt;/script&gt;クーポン");
    HAS(page, "a&amp;b &lt;shop&gt;");
    HAS(page, "&lt;b&gt;秋服&lt;/b&gt; &amp; &quot;コート&quot;");
    LACKS(page, "<b>");
    /* The terms, in Japan time. */
    HAS(page, "<section id=\"coupon\">");
    HAS(page, "1,500円OFF");
    HAS(page, "3,000円以上のご購入で利用可能");
    HAS(page, "2026/11/01 00:00 〜 2026/12/31 23:59");
    HAS(page, "発行枚数：1,000枚");
    HAS(page, "お一人様1枚まで");
    HAS(page, "クーポン番号：778899");
    HAS(page, "<p id=\"send-at\">配信日時：2026/11/25 10:00（日本時間）</p>");
    HAS(page, "1,234,567円");
    /* An image URL that is not http(s) is text, never a link. */
    LACKS(page, "href=\"javascript");
    LACKS(page, "id=\"banner\"");
    LACKS(page, "id=\"approx\"");
    loads_nothing(page);
    free(page);

    /* A percent coupon with a cap, no minimum, no limits. */
    c.kind = COUPON_PERCENT, c.discount = 10, c.max_discount = 1000, c.min_order = 0;
    c.issue_limit = -1, c.per_buyer_limit = -1, c.qsm_no = "";
    p.send_at = jst("2026-11-27 22:00");
    page = render(&p);
    HAS(page, "10%OFF（最大1,000円）");
    HAS(page, "2026/11/27 22:00");
    LACKS(page, "以上のご購入で利用可能");
    LACKS(page, "発行枚数");
    LACKS(page, "お一人様");
    LACKS(page, "クーポン番号");
    free(page);
}

static void page_banner(void **state)
{
    (void)state;
    struct coupon c = yen_coupon();
    struct coupon_preview p = {.shop = "demo shop",
                               .c = &c,
                               .type = "ad",
                               .send_at = jst("2026-11-25 10:00"),
                               .banner = png,
                               .banner_len = 29};
    /* The three lengths of base64's padding, each exact. */
    char *page = render(&p);
    HAS(page, "<div id=\"banner\"><img alt=\"banner\" width=\"1860\" height=\"240\" "
              "src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAB0QAAADwCAIAAAA=\">");
    loads_nothing(page);
    free(page);
    p.banner_len = 30;
    page = render(&p);
    HAS(page, "src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAB0QAAADwCAIAAAD/\"");
    free(page);
    p.banner_len = 31;
    page = render(&p);
    HAS(page, "src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAB0QAAADwCAIAAAD//g==\"");
    free(page);

    /* The type from the header: a JPEG is image/jpeg whatever the file was called. */
    p.banner = jpeg, p.banner_len = sizeof jpeg;
    page = render(&p);
    HAS(page, "src=\"data:image/jpeg;base64,/9j/wAARCADwB0QDASIAAhEBAxEB\"");
    free(page);

    /* The banner's link: the mini shop, an item page, a URL as given. */
    p.link = "shop";
    page = render(&p);
    HAS(page, "<div id=\"banner\"><a href=\"https://www.qoo10.jp/shop/demo%20shop\"><img ");
    HAS(page, "</a></div>");
    free(page);
    p.link = "item:12345&6";
    page = render(&p);
    HAS(page, "<a href=\"https://www.qoo10.jp/g/12345%266\"><img ");
    free(page);
    p.link = "https://www.qoo10.jp/gmkt.inc/Special/Special.aspx?sid=1&x=\"y\"";
    page = render(&p);
    HAS(page, "<a href=\"https://www.qoo10.jp/gmkt.inc/Special/Special.aspx?sid=1&amp;x=&quot;y"
              "&quot;\"><img ");
    loads_nothing(page);
    free(page);

    /* Neither PNG nor JPEG: a note, no image. */
    p.banner = (const unsigned char *)"GIF89a....................", p.banner_len = 26;
    page = render(&p);
    HAS(page, "id=\"banner-bad\"");
    LACKS(page, "id=\"banner\"");
    LACKS(page, "<img");
    free(page);
}

static void page_items(void **state)
{
    (void)state;
    struct coupon c = yen_coupon();
    struct coupon_preview_item it[3] = {
        {"Q1", "コート", "https://dp.image-qoo10.jp/a.jpg?w=1&h=2", 4980},
        {"Q2", "マフラー", "", 0},
        {"Q9", "", "", -1}};
    struct coupon_preview_items its = {it, 3, 1};
    struct coupon_preview p = {.shop = "demo",
                               .c = &c,
                               .type = "ad",
                               .send_at = jst("2026-11-25 10:00"),
                               .banner = png,
                               .banner_len = 29,
                               .items = &its};
    char *page = render(&p);
    HAS(page, "<h2>BEST ITEM</h2>");
    assert_int_equal(count(page, "<div class=\"item\""), 3);
    HAS(page, "<div class=\"item\" data-code=\"Q1\">");
    HAS(page, "<div class=\"item\" data-code=\"Q9\">");
    HAS(page, "4,980円");
    HAS(page, "0円");
    /* The image URL is a link and its text, never an image the page would load. */
    HAS(page, "<a href=\"https://dp.image-qoo10.jp/a.jpg?w=1&amp;h=2\">"
              "https://dp.image-qoo10.jp/a.jpg?w=1&amp;h=2</a>");
    assert_int_equal(count(page, "<img"), 1); /* the banner's */
    /* An item the store does not know: its code, a note, no price. */
    HAS(page, "not in the store");
    /* The approximation of QSM's top N is said. */
    HAS(page, "<p class=\"warn\" id=\"approx\">");
    loads_nothing(page);
    free(page);

    its.approx = 0, its.n = 1;
    page = render(&p);
    assert_int_equal(count(page, "<div class=\"item\""), 1);
    LACKS(page, "id=\"approx\"");
    free(page);

    p.items = NULL;
    page = render(&p);
    assert_int_equal(count(page, "<div class=\"item\""), 0);
    HAS(page, "id=\"no-items\"");
    free(page);
}

static void page_write_error(void **state)
{
    (void)state;
    struct coupon c = yen_coupon();
    struct coupon_preview p = {.shop = "demo", .c = &c, .type = "ad", .send_at = NOW};
    struct qs_err e;
    FILE *fp = fopen("/dev/full", "w");
    if (!fp)
        skip();
    assert_int_equal(coupon_preview_write(fp, &p, &e), QS_E_IO);
    assert_non_null(strstr(e.msg, "cannot write the preview page"));
    fclose(fp);
}

/* ---- the items, from a store ---- */

static void item(struct store *s, const char *shop, const char *code, const char *title,
                 long long price, const char *raw)
{
    struct qs_err e;
    assert_int_equal(store_run(s, &e,
                               "INSERT INTO market_item (shop, item_code, title, price, raw,"
                               " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                               "ssslss", shop, code, title, price, raw, "2026-11-01T00:00:00Z"),
                     0);
}

/* An order line of qty of code at Japan time at. */
static void line(struct store *s, const char *shop, const char *order_no, const char *code,
                 long long qty, int status, int claim, const char *at)
{
    struct qs_err e;
    char iso[32];
    assert_int_equal(store_run(s, &e,
                               "INSERT INTO order_line (shop, order_no, item_code, qty, status,"
                               " claim, order_date, created_at, updated_at)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?7)",
                               "sssliis", shop, order_no, code, qty, status, claim,
                               tm_utc_iso(jst(at), iso, sizeof iso)),
                     0);
}

static int setup_store(void **state)
{
    struct fx *f = fx_open("coupon-preview");
    struct qs_err e;
    int created;
    if (!f)
        return -1;
    *state = f;
    if (shop_add(f->s, "demo", "Asia/Tokyo", 0, &created, &e) != 0 ||
        shop_add(f->s, "other", "Asia/Tokyo", 0, &created, &e) != 0)
        return -1;
    return 0;
}

static void top_items(void **state)
{
    struct fx *f = *state;
    struct qs_err e;
    struct coupon_preview_items out;
    struct coupon_items it = {.top = 4};
    item(f->s, "demo", "A", "アイテムA", 1000,
         "{\"ItemCode\":\"A\",\"ImageUrl\":\"https://i/a.jpg\"}");
    item(f->s, "demo", "B", "アイテムB", 2000, "{}");
    item(f->s, "demo", "C", "アイテムC", 3000, "not json");
    item(f->s, "demo", "D", "アイテムD", 4000, "{\"ImageUrl\":7}");
    item(f->s, "demo", "E", "アイテムE", 5000, "{}");
    item(f->s, "demo", "F", "アイテムF", 6000, "{}");
    item(f->s, "other", "Z", "よそのZ", 1, "{}");
    /* Within the 30 days before now, paid or later: A 5, B 5 (tie: A first), C 3, D 2, E 1. */
    line(f->s, "demo", "1", "A", 3, 2, 0, "2026-11-24 11:59");
    line(f->s, "demo", "2", "A", 2, 5, 0, "2026-10-25 12:00"); /* exactly 30 days before */
    line(f->s, "demo", "3", "B", 5, 4, 0, "2026-11-20 09:00");
    line(f->s, "demo", "4", "C", 3, 3, 0, "2026-11-01 00:00");
    line(f->s, "demo", "5", "D", 2, 2, 4, "2026-11-02 00:00"); /* a return request counts */
    line(f->s, "demo", "6", "E", 1, 2, 0, "2026-11-03 00:00");
    /* Not counted: unpaid, cancelled, older than 30 days, after now, another shop's, an item
     * the store does not know. */
    line(f->s, "demo", "7", "F", 50, 1, 0, "2026-11-23 00:00");
    line(f->s, "demo", "8", "F", 50, 2, 3, "2026-11-23 00:00");
    line(f->s, "demo", "9", "E", 50, 2, 1, "2026-11-23 00:00");
    line(f->s, "demo", "10", "F", 50, 5, 0, "2026-10-25 11:59");
    line(f->s, "demo", "11", "F", 50, 2, 0, "2026-11-24 12:01");
    line(f->s, "other", "12", "Z", 50, 2, 0, "2026-11-23 00:00");
    line(f->s, "demo", "13", "UNKNOWN", 50, 2, 0, "2026-11-23 00:00");

    assert_int_equal(coupon_preview_items(f->s, "demo", &it, NOW, &out, &e), 0);
    assert_int_equal(out.approx, 1);
    assert_int_equal(out.n, 4);
    assert_string_equal(out.v[0].code, "A");
    assert_string_equal(out.v[1].code, "B");
    assert_string_equal(out.v[2].code, "C");
    assert_string_equal(out.v[3].code, "D");
    assert_string_equal(out.v[0].name, "アイテムA");
    assert_int_equal(out.v[0].price, 1000);
    assert_string_equal(out.v[0].image_url, "https://i/a.jpg");
    assert_string_equal(out.v[1].image_url, ""); /* no ImageUrl */
    assert_string_equal(out.v[2].image_url, ""); /* raw that is not JSON */
    assert_string_equal(out.v[3].image_url, ""); /* an ImageUrl that is no text */
    coupon_preview_items_clear(&out);

    /* At most top: fewer sold items give fewer cards, still an approximation. */
    it.top = 16;
    assert_int_equal(coupon_preview_items(f->s, "demo", &it, NOW, &out, &e), 0);
    assert_int_equal(out.n, 5);
    assert_string_equal(out.v[4].code, "E");
    coupon_preview_items_clear(&out);
    /* No sales at all (a month later): no items. */
    assert_int_equal(coupon_preview_items(f->s, "demo", &it, NOW + 40 * 86400L, &out, &e), 0);
    assert_int_equal(out.n, 0);
    assert_int_equal(out.approx, 1);
    coupon_preview_items_clear(&out);
    coupon_preview_items_clear(NULL);
}

static void code_items(void **state)
{
    struct fx *f = *state;
    struct qs_err e;
    struct coupon_preview_items out;
    char why[200];
    struct coupon_items it;
    item(f->s, "demo", "A", "アイテムA", 1000, "{\"ImageUrl\":\"https://i/a.jpg\"}");
    item(f->s, "demo", "B", "アイテムB", 2000, "{}");
    item(f->s, "other", "Z", "よそのZ", 1, "{\"ImageUrl\":\"https://i/z.jpg\"}");
    assert_int_equal(coupon_items_parse("B,NOPE,A,Z", &it, why, sizeof why), 0);
    assert_int_equal(coupon_preview_items(f->s, "demo", &it, NOW, &out, &e), 0);
    assert_int_equal(out.approx, 0);
    assert_int_equal(out.n, 4);
    assert_string_equal(out.v[0].code, "B");
    assert_string_equal(out.v[0].name, "アイテムB");
    assert_int_equal(out.v[0].price, 2000);
    assert_string_equal(out.v[0].image_url, "");
    /* Codes the store does not know (for this shop) are kept, empty, price -1. */
    assert_string_equal(out.v[1].code, "NOPE");
    assert_string_equal(out.v[1].name, "");
    assert_int_equal(out.v[1].price, -1);
    assert_string_equal(out.v[1].image_url, "");
    assert_string_equal(out.v[2].code, "A");
    assert_string_equal(out.v[2].image_url, "https://i/a.jpg");
    assert_string_equal(out.v[3].code, "Z");
    assert_int_equal(out.v[3].price, -1);
    coupon_preview_items_clear(&out);
    coupon_items_clear(&it);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        {"R-CPN-10 page: subject, terms, send time, texts escaped", page_terms, NULL, NULL, NULL},
        {"R-CPN-10 banner: a data URI typed by its header, in its link", page_banner, NULL, NULL,
         NULL},
        {"R-CPN-10 items: one card each, image URLs never loaded", page_items, NULL, NULL, NULL},
        {"R-CPN-10 a page that cannot be written is an I/O error", page_write_error, NULL, NULL,
         NULL},
        {"R-CPN-7 top N by 30 days of paid sales, ties by code", top_items, setup_store, teardown,
         NULL},
        {"R-CPN-7 items by code, in order, unknown codes kept", code_items, setup_store, teardown,
         NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of libcore/note's pure parts: categories (R-NOTE-2), limits counted in
 * characters (R-NOTE-3), the personal-data guard (R-NOTE-4), idempotency keys (R-NOTE-7),
 * the placeholder parser and renderer (R-NOTE-8), rule bounds (R-NOTE-9), buyer keys
 * (R-NOTE-10), and SHA-256 itself. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "note/note.h"
#include "sha256.h"
#include "xalloc.h"

/* n copies of the UTF-8 character c. */
static char *rep(const char *c, size_t n)
{
    size_t k = strlen(c);
    char *s = xmalloc(k * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * k, c, k);
    s[k * n] = '\0';
    return s;
}

/* FIPS 180-4 test vectors, and a message longer than one block. */
static void sha256_vectors(void **state)
{
    char hex[65];
    char *million = rep("a", 1000000);
    (void)state;
    assert_string_equal(sha256_hex("", 0, hex),
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_string_equal(sha256_hex("abc", 3, hex),
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_string_equal(
        sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    assert_string_equal(sha256_hex(million, 1000000, hex),
                        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}

/* R-NOTE-2: the six categories and nothing else. */
static void categories(void **state)
{
    (void)state;
    for (const char *const *c = note_categories; *c; c++)
        assert_true(note_category_valid(*c));
    assert_true(note_category_valid("seller-board"));
    assert_false(note_category_valid("Shipping"));
    assert_false(note_category_valid(""));
    assert_false(note_category_valid(NULL));
}

/* R-NOTE-3: 1000 characters of Japanese (3000 bytes) pass, 1001 fail; the title is one
 * line of at most 100 characters; invalid UTF-8 is refused. */
static void limits_in_characters(void **state)
{
    struct qs_err e;
    char *b1000 = rep("あ", 1000), *b1001 = rep("漢", 1001), *t100 = rep("題", 100),
         *t101 = rep("題", 101);
    (void)state;
    assert_int_equal(note_chars(b1000), 1000);
    assert_int_equal(strlen(b1000), 3000);
    assert_int_equal(note_chars("😀a"), 2);
    assert_int_equal(note_chars("\xff"), -1);
    assert_int_equal(note_chars("\xc0\x80"), -1); /* overlong */
    assert_int_equal(note_check_text("body", b1000, NOTE_BODY_MAX, 0, &e), 0);
    assert_int_equal(note_check_text("body", b1001, NOTE_BODY_MAX, 0, &e), QS_E_DATA);
    assert_string_equal(e.rule, "R-NOTE-3");
    assert_non_null(strstr(e.msg, "1001 characters"));
    assert_int_equal(note_check_text("body", "", NOTE_BODY_MAX, 0, &e), QS_E_DATA);
    assert_int_equal(note_check_title(t100, &e), 0);
    assert_int_equal(note_check_title(t101, &e), QS_E_DATA);
    assert_int_equal(note_check_title("two\nlines", &e), QS_E_DATA);
    assert_non_null(strstr(e.msg, "one line"));
    assert_int_equal(note_check_title("", &e), QS_E_DATA);
    assert_int_equal(note_check_text("body", "a\xe3\x81", 10, 0, &e), QS_E_DATA);
    free(b1000);
    free(b1001);
    free(t100);
    free(t101);
}

static enum note_pd pd(const char *s)
{
    char what[128];
    return note_pd_find(s, what, sizeof what);
}

/* R-NOTE-4: email addresses, Japanese phone numbers (any width, +81), Luhn-valid card
 * numbers, postcode + prefecture; and what must not be taken for them. */
static void personal_data_guard(void **state)
{
    struct qs_err e;
    char what[128];
    (void)state;
    assert_int_equal(note_pd_find("連絡は yamada.taro+q@example.co.jp まで", what, sizeof what),
                     NOTE_PD_EMAIL);
    assert_string_equal(what, "yamada.taro+q@example.co.jp");
    assert_int_equal(pd("ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ"), NOTE_PD_EMAIL);
    assert_int_equal(pd("@ mention, a@b, x@y.1"), NOTE_PD_NONE);

    assert_int_equal(pd("TEL 03-1234-5678"), NOTE_PD_PHONE);
    assert_int_equal(pd("携帯 090-1234-5678 です"), NOTE_PD_PHONE);
    assert_int_equal(pd("０９０－１２３４－５６７８"), NOTE_PD_PHONE);
    assert_int_equal(pd("09012345678"), NOTE_PD_PHONE);
    assert_int_equal(pd("(03) 1234-5678"), NOTE_PD_PHONE);
    assert_int_equal(pd("+81-90-1234-5678"), NOTE_PD_PHONE);
    assert_int_equal(pd("+81 (0)3 1234 5678"), NOTE_PD_PHONE);
    assert_int_equal(pd("0120-123-456"), NOTE_PD_PHONE);
    assert_int_equal(pd("03-1234-5678 2024"), NOTE_PD_PHONE);
    assert_int_equal(pd("注文番号 300000001 と 300000002"), NOTE_PD_NONE);
    assert_int_equal(pd("追跡番号 912713695734"), NOTE_PD_NONE);
    assert_int_equal(pd("2026-11-25 10:00 に発送"), NOTE_PD_NONE);
    assert_int_equal(pd("合計 1,980円"), NOTE_PD_NONE);
    assert_int_equal(pd("+1 415 555 0100"), NOTE_PD_NONE);

    assert_int_equal(pd("card 4111 1111 1111 1111"), NOTE_PD_CARD);
    assert_int_equal(pd("4111111111111111"), NOTE_PD_CARD);
    assert_int_equal(pd("3782-822463-10005"), NOTE_PD_CARD);   /* Amex 4-6-5 */
    assert_int_equal(pd("4111 1111 1111 1112"), NOTE_PD_NONE); /* Luhn fails */
    assert_int_equal(pd("300000001 300000002"), NOTE_PD_NONE);

    assert_int_equal(note_pd_find("〒100-0001 東京都千代田区千代田1-1", what, sizeof what),
                     NOTE_PD_ADDRESS);
    assert_int_equal(pd("〒1500001 東京都渋谷区"), NOTE_PD_ADDRESS);
    assert_int_equal(pd("大阪府大阪市北区 530-0001"), NOTE_PD_ADDRESS);
    assert_int_equal(pd("東京都から発送します"), NOTE_PD_NONE);
    assert_int_equal(pd("品番 100-0001 です"), NOTE_PD_NONE);

    assert_int_equal(note_guard("body", "ご注文ありがとうございます。", &e), 0);
    assert_int_equal(note_guard("body", "mail: a.b@example.jp", &e), QS_E_DATA);
    assert_string_equal(e.rule, "R-NOTE-4");
    assert_non_null(strstr(e.msg, "email address"));
    assert_non_null(strstr(e.msg, "--allow-personal"));
}

/* R-NOTE-7: shop + order + SHA-256 of the unrendered title and body. */
static void idempotency_key(void **state)
{
    char *a = note_key("demo", "300000001", "t", "body"),
         *b = note_key("demo", "300000001", "t", "body"),
         *c = note_key("demo", "300000002", "t", "body"),
         *d = note_key("demo", "300000001", "tb", "ody"),
         *f = note_key("other", "300000001", "t", "body");
    char hex[65];
    (void)state;
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(a, d);
    assert_string_not_equal(a, f);
    assert_int_equal(strncmp(a, "demo:300000001:", 15), 0);
    assert_string_equal(a + 15, sha256_hex("t\0body", 6, hex));
    free(a);
    free(b);
    free(c);
    free(d);
    free(f);
}

/* R-NOTE-8: the canonical placeholders and the seed's aliases, case and spaces ignored;
 * an unknown one (and #address#) refused; \# is a literal #. */
static void placeholders_parse(void **state)
{
    struct qs_err e;
    unsigned u;
    (void)state;
    assert_int_equal(note_tmpl_parse("Dear #buyer#, your order #order id# has been shipped, the "
                                     "tracking number is #Tracking number#, the carriers is "
                                     "#Carriers#.",
                                     &u, &e),
                     0);
    assert_int_equal(u, 1u << NOTE_PH_BUYER | 1u << NOTE_PH_ORDER_ID | 1u << NOTE_PH_TRACKING |
                            1u << NOTE_PH_CARRIER);
    assert_int_equal(note_tmpl_parse("#orderId##buyerName##shipNum##logisticType##orderTime#"
                                     "#orderAmount#",
                                     &u, &e),
                     0);
    assert_int_equal(u, 1u << NOTE_PH_ORDER_ID | 1u << NOTE_PH_BUYER | 1u << NOTE_PH_TRACKING |
                            1u << NOTE_PH_CARRIER | 1u << NOTE_PH_ORDER_TIME |
                            1u << NOTE_PH_ORDER_AMOUNT);
    assert_int_equal(note_tmpl_parse("#ORDER ID# #Order Amount# #ITEM  NAME# #Order Id#", &u, &e),
                     0);
    assert_int_equal(u,
                     1u << NOTE_PH_ORDER_ID | 1u << NOTE_PH_ORDER_AMOUNT | 1u << NOTE_PH_ITEM_NAME);
    assert_int_equal(note_tmpl_parse("no placeholders, #1 and ＃セール＃ #セール#", &u, &e), 0);
    assert_int_equal(u, 0);
    assert_int_equal(note_tmpl_parse("hello #ordr id#", &u, &e), QS_E_DATA);
    assert_string_equal(e.rule, "R-NOTE-8");
    assert_non_null(strstr(e.msg, "\"#ordr id#\" at character 7"));
    assert_int_equal(note_tmpl_parse("#address#", &u, &e), QS_E_DATA);
    assert_non_null(strstr(e.msg, "no address placeholder"));
    assert_int_equal(note_tmpl_parse("Order \\#12 and \\#34", &u, &e), 0);
}

/* R-NOTE-8: rendering per order; a placeholder without a value is an error. */
static void render(void **state)
{
    struct sync_line l = {.order_no = "300000001",
                          .buyer = "山田 太郎",
                          .tracking = "912713695734",
                          .carrier = "ヤマト宅急便",
                          .order_date = "2026-11-01T01:02:03Z",
                          .total = 1980,
                          .title = "LEDライト"};
    struct note_vars v;
    struct qs_err e;
    char *out;
    (void)state;
    note_vars_line(&v, &l, "Asia/Tokyo");
    assert_int_equal(note_render("#buyer# 様 #order id# (#item name#) #Tracking number# "
                                 "#carriers# #order time# #order amount#円 \\#1",
                                 &v, &out, &e),
                     0);
    assert_string_equal(out, "山田 太郎 様 300000001 (LEDライト) 912713695734 ヤマト宅急便 "
                             "2026-11-01 10:02 1980円 #1");
    free(out);
    assert_int_equal(note_render("#orderId##buyerName#", &v, &out, &e), 0);
    assert_string_equal(out, "300000001山田 太郎");
    free(out);
    l.tracking = "";
    note_vars_line(&v, &l, "Asia/Tokyo");
    assert_int_equal(note_render("番号 #shipNum#", &v, &out, &e), QS_E_DATA);
    assert_null(out);
    assert_string_equal(e.rule, "R-NOTE-8");
    assert_non_null(strstr(e.msg, "#Tracking number#"));
}

/* R-NOTE-9: the bounds of each kind (unpaid > 30 minutes, delayed 1-100 days, stalled 15
 * and no-tracking 7 days by default; no N for the event kinds). */
static void rule_bounds(void **state)
{
    struct note_rule r = {
        .name = "r", .after = -1, .min_amount = -1, .max_amount = -1, .max_age = 3};
    struct qs_err e;
    (void)state;
    r.kind = NOTE_R_UNPAID, r.after = 30;
    assert_int_equal(note_rule_check(&r, &e), QS_E_USAGE);
    assert_string_equal(e.rule, "R-NOTE-9");
    r.after = 31;
    assert_int_equal(note_rule_check(&r, &e), 0);
    r.kind = NOTE_R_DELAYED, r.after = 0;
    assert_int_equal(note_rule_check(&r, &e), QS_E_USAGE);
    r.after = 101;
    assert_int_equal(note_rule_check(&r, &e), QS_E_USAGE);
    r.after = 100;
    assert_int_equal(note_rule_check(&r, &e), 0);
    r.after = -1;
    assert_int_equal(note_rule_check(&r, &e), 0);
    assert_int_equal(r.after, 3);
    r.kind = NOTE_R_STALLED, r.after = -1;
    assert_int_equal(note_rule_check(&r, &e), 0);
    assert_int_equal(r.after, 15);
    r.kind = NOTE_R_NO_TRACKING, r.after = -1;
    assert_int_equal(note_rule_check(&r, &e), 0);
    assert_int_equal(r.after, 7);
    r.kind = NOTE_R_SHIPPED, r.after = 2;
    assert_int_equal(note_rule_check(&r, &e), QS_E_USAGE);
    r.after = -1, r.min_amount = 500, r.max_amount = 100;
    assert_int_equal(note_rule_check(&r, &e), QS_E_USAGE);
    r.min_amount = -1, r.max_amount = -1;
    free(r.countries); /* note_rule_check filled in "" */
    r.countries = xstrdup("jp,kr");
    assert_int_equal(note_rule_check(&r, &e), 0);
    assert_string_equal(r.countries, "JP,KR");
    free(r.countries);
    for (int k = 0; k < NOTE_R_NKINDS; k++)
        assert_int_equal(note_rule_kind_parse(note_rule_kind_name((enum note_rule_kind)k)), k);
    assert_int_equal(note_rule_kind_parse("bogus"), -1);
}

/* R-NOTE-10: buyers keyed by lower-cased email, else name + phone digits (+81 as 0). */
static void buyer_keys(void **state)
{
    struct note_buyer a, b;
    (void)state;
    note_buyer_make(&a, " Taro.Y@Example.JP ", "山田 太郎", "03-1111-2222");
    assert_string_equal(a.key, "email:taro.y@example.jp");
    note_buyer_make(&a, "", "山田 太郎", "+81-90-1234-5678");
    note_buyer_make(&b, NULL, " 山田 太郎 ", "090 (1234) 5678");
    assert_string_equal(a.key, "name:山田 太郎|09012345678");
    assert_string_equal(a.key, b.key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_vectors),
        cmocka_unit_test(categories),
        cmocka_unit_test(limits_in_characters),
        cmocka_unit_test(personal_data_guard),
        cmocka_unit_test(idempotency_key),
        cmocka_unit_test(placeholders_parse),
        cmocka_unit_test(render),
        cmocka_unit_test(rule_bounds),
        cmocka_unit_test(buyer_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

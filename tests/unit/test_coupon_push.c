/* Unit tests of the pure parts of a coupon push (libcore/coupon/coupon_slot.c): QSM's send
 * slots (R-CPN-4), the calendar week (R-CPN-5), the items (R-CPN-7), the banner's header and
 * link (R-CPN-8); the table of pushes and its weekly count. "Now" is fixed: 2026-11-24 12:00 JST, a
 * Tuesday. */
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

static void slot_ok(const char *at)
{
    char why[300] = "";
    if (coupon_slot_check(jst(at), NOW, why, sizeof why) != 0)
        fail_msg("%s refused: %s", at, why);
}

static void slot_bad(const char *at, const char *want)
{
    char why[300] = "";
    if (coupon_slot_check(jst(at), NOW, why, sizeof why) == 0)
        fail_msg("%s accepted", at);
    if (!strstr(why, want))
        fail_msg("%s: \"%s\" lacks \"%s\"", at, why, want);
    assert_non_null(strstr(why, "choose a date from 2026-11-25 to 2026-11-27, at 10:00 to 22:00"));
}

static void slots(void **state)
{
    (void)state;
    slot_ok("2026-11-25 10:00");
    slot_ok("2026-11-25 22:00");
    slot_ok("2026-11-27 10:30");
    slot_ok("2026-11-26 15:30");
    slot_bad("2026-11-25 09:30", "is not one of QSM's send times");
    slot_bad("2026-11-25 22:30", "is not one of QSM's send times");
    slot_bad("2026-11-25 10:15", "is not one of QSM's send times");
    slot_bad("2026-11-24 15:00", "is not after today");
    slot_bad("2026-11-28 10:00", "is more than 3 days ahead");
    slot_bad("2026-11-23 10:00", "is not after today");
    /* 23:59 JST still counts today as the day of application; 00:00 the next day. */
    char why[300];
    assert_int_equal(
        coupon_slot_check(jst("2026-11-25 10:00"), jst("2026-11-24 23:59"), why, sizeof why), 0);
    assert_int_equal(
        coupon_slot_check(jst("2026-11-25 10:00"), jst("2026-11-25 00:00"), why, sizeof why), -1);
    /* The allowed slots: 3 days of 25, the first D+1 10:00, the last D+3 22:00. */
    time_t s[COUPON_NSLOTS + 5];
    assert_int_equal(coupon_slots(NOW, s, COUPON_NSLOTS + 5), COUPON_NSLOTS);
    assert_true(s[0] == jst("2026-11-25 10:00"));
    assert_true(s[24] == jst("2026-11-25 22:00"));
    assert_true(s[25] == jst("2026-11-26 10:00"));
    assert_true(s[74] == jst("2026-11-27 22:00"));
    for (int i = 0; i < COUPON_NSLOTS; i++)
        assert_int_equal(coupon_slot_check(s[i], NOW, why, sizeof why), 0);
    /* The apply-by time of the file: hand-off: 23:59 JST the day before. */
    assert_true(coupon_apply_by(jst("2026-11-26 10:00")) == jst("2026-11-25 23:59"));
    assert_true(coupon_apply_by(jst("2026-11-26 22:00")) == jst("2026-11-25 23:59"));
}

static void weeks(void **state)
{
    (void)state;
    long w = coupon_week(jst("2026-11-24 12:00"));
    /* Monday 00:00 .. Sunday 23:59 in Japan is one week. */
    assert_int_equal(coupon_week(jst("2026-11-23 00:00")), w);
    assert_int_equal(coupon_week(jst("2026-11-29 23:59")), w);
    assert_int_equal(coupon_week(jst("2026-11-22 23:59")), w - 1);
    assert_int_equal(coupon_week(jst("2026-11-30 00:00")), w + 1);
    /* A Sunday push blocks the Monday before it, not the Monday after. */
    assert_int_equal(coupon_week(jst("2026-11-29 22:00")), coupon_week(jst("2026-11-23 10:00")));
    assert_int_not_equal(coupon_week(jst("2026-11-29 22:00")),
                         coupon_week(jst("2026-11-30 10:00")));
    /* Japan's Monday, not UTC's: Monday 08:00 JST is Sunday in UTC. */
    assert_int_equal(coupon_week(jst("2026-11-30 08:00")), w + 1);
    /* Before 1970 too. */
    assert_int_equal(coupon_week(jst("1969-12-29 00:00")), 0);
    assert_int_equal(coupon_week(jst("1969-12-28 23:59")), -1);
}

static void items(void **state)
{
    struct coupon_items it;
    char why[300];
    (void)state;
    assert_int_equal(coupon_items_parse(NULL, &it, why, sizeof why), 0);
    assert_int_equal(it.top, 4);
    assert_int_equal(coupon_items_parse("top:4", &it, why, sizeof why), 0);
    assert_int_equal(it.top, 4);
    assert_int_equal(coupon_items_parse("top:16", &it, why, sizeof why), 0);
    assert_int_equal(it.top, 16);
    assert_int_equal(coupon_items_parse("top:3", &it, why, sizeof why), -1);
    assert_non_null(strstr(why, "N from 4 to 16"));
    assert_int_equal(coupon_items_parse("top:17", &it, why, sizeof why), -1);
    assert_int_equal(coupon_items_parse("top:x", &it, why, sizeof why), -1);
    assert_int_equal(coupon_items_parse("A1, B2 ,C3", &it, why, sizeof why), 0);
    assert_int_equal(it.top, 0);
    assert_int_equal(it.n, 3);
    assert_string_equal(it.codes[1], "B2");
    coupon_items_clear(&it);
    assert_int_equal(coupon_items_parse("A1,,C3", &it, why, sizeof why), -1);
    char many[200] = "";
    for (int i = 1; i <= 16; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%sI%d", i > 1 ? "," : "", i);
    assert_int_equal(coupon_items_parse(many, &it, why, sizeof why), 0);
    assert_int_equal(it.n, 16);
    coupon_items_clear(&it);
    strcat(many, ",I17");
    assert_int_equal(coupon_items_parse(many, &it, why, sizeof why), -1);
    assert_non_null(strstr(why, "more than 16"));
    coupon_items_clear(NULL);
}

static size_t png(unsigned char *b, unsigned w, unsigned h)
{
    static const unsigned char head[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                         0,    0,   0,   13,  'I',  'H',  'D',  'R'};
    memcpy(b, head, sizeof head);
    for (int i = 0; i < 4; i++) {
        b[16 + i] = (unsigned char)(w >> (24 - 8 * i));
        b[20 + i] = (unsigned char)(h >> (24 - 8 * i));
    }
    memset(b + 24, 0, 9);
    return 33;
}

static size_t jpeg(unsigned char *b, unsigned w, unsigned h, unsigned sof)
{
    static const unsigned char head[] = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0,
                                         1,    1,    0,    0,    1, 0,  1,   0,   0,   0xff};
    size_t n = sizeof head;
    memcpy(b, head, n);
    b[n++] = (unsigned char)sof;
    b[n++] = 0, b[n++] = 17, b[n++] = 8;
    b[n++] = (unsigned char)(h >> 8), b[n++] = (unsigned char)h;
    b[n++] = (unsigned char)(w >> 8), b[n++] = (unsigned char)w;
    memset(b + n, 0, 10);
    return n + 10;
}

static void banner_header(void **state)
{
    unsigned char b[128];
    const char *type;
    unsigned w, h;
    (void)state;
    size_t n = png(b, 1860, 240);
    assert_int_equal(coupon_image_size(b, n, &type, &w, &h), 0);
    assert_string_equal(type, "png");
    assert_int_equal(w, 1860);
    assert_int_equal(h, 240);
    png(b, 1860, 241);
    assert_int_equal(coupon_image_size(b, n, &type, &w, &h), 0);
    assert_int_equal(h, 241);
    n = jpeg(b, 1860, 240, 0xc0);
    assert_int_equal(coupon_image_size(b, n, &type, &w, &h), 0);
    assert_string_equal(type, "jpeg");
    assert_int_equal(w, 1860);
    assert_int_equal(h, 240);
    n = jpeg(b, 1000, 300, 0xc2); /* progressive */
    assert_int_equal(coupon_image_size(b, n, &type, &w, &h), 0);
    assert_int_equal(w, 1000);
    assert_int_equal(h, 300);
    /* Cut short, or neither: refused. */
    assert_int_equal(coupon_image_size(b, 25, &type, &w, &h), -1);
    assert_int_equal(coupon_image_size((const unsigned char *)"GIF89a", 6, &type, &w, &h), -1);
    assert_int_equal(coupon_image_size(b, 0, &type, &w, &h), -1);
}

static void links(void **state)
{
    struct coupon_link l;
    char why[300];
    (void)state;
    assert_int_equal(coupon_link_parse("shop", &l, why, sizeof why), 0);
    assert_string_equal(l.kind, "shop");
    assert_int_equal(coupon_link_parse("item:1234567", &l, why, sizeof why), 0);
    assert_string_equal(l.kind, "item");
    assert_string_equal(l.target, "1234567");
    assert_int_equal(coupon_link_parse("https://www.qoo10.jp/shop/x", &l, why, sizeof why), 0);
    assert_string_equal(l.kind, "url");
    assert_int_equal(coupon_link_parse("http://a", &l, why, sizeof why), 0);
    assert_int_equal(coupon_link_parse("https://", &l, why, sizeof why), -1);
    assert_int_equal(coupon_link_parse("item:", &l, why, sizeof why), -1);
    assert_int_equal(coupon_link_parse("ftp://x", &l, why, sizeof why), -1);
    assert_int_equal(coupon_link_parse("https://a b", &l, why, sizeof why), -1);
    assert_non_null(strstr(why, "shop, item:CODE or an http(s) URL"));
}

static int count_push(void *ctx, const struct coupon_push *p, struct qs_err *e)
{
    (void)e;
    if (strcmp(p->key, "K1") == 0) {
        assert_string_equal(p->type, "comp");
        assert_string_equal(p->code, "C1");
        assert_string_equal(p->items, "top:4");
        assert_int_equal(p->orders, 2);
        assert_int_equal(p->estimate, 2);
        assert_string_equal(p->banner, "");
        assert_true(p->send_at == jst("2026-11-29 22:00")); /* stored as text, read back */
        assert_int_equal(p->week, coupon_week(jst("2026-11-29 22:00")));
        assert_int_equal(p->recipients, -1);
    }
    ++*(int *)ctx;
    return 0;
}

static void push_table(void **state)
{
    struct fx *f = fx_open("cpnpush");
    struct qs_err e;
    int created, n = 0;
    long long id = 0, taken = 0;
    const char *v[CPN_NFIELDS] = {[CPN_CODE] = "C1",
                                  [CPN_NAME] = "c",
                                  [CPN_DISCOUNT] = "500",
                                  [CPN_VALID_FROM] = "2026-11-01",
                                  [CPN_VALID_TO] = "2026-12-31"};
    struct coupon_opts co = {.tz = "Asia/Tokyo"};
    struct coupon_stats st;
    assert_non_null(f);
    *state = f;
    assert_int_equal(shop_add(f->s, "demo", "Asia/Tokyo", 0, &created, &e), 0);
    assert_int_equal(coupon_add_values(f->s, "demo", v, &co, NULL, &st, &e), 0);
    struct coupon_push p = {.key = "K1",
                            .type = "comp",
                            .code = "C1",
                            .send_at = jst("2026-11-29 22:00"),
                            .items = "top:4",
                            .orders = 2,
                            .estimate = 2};
    assert_int_equal(coupon_push_insert(f->s, "demo", &p, NOW, &id, &e), 0);
    assert_true(id > 0);
    /* The same key again is refused; an unknown coupon too. */
    assert_int_equal(coupon_push_insert(f->s, "demo", &p, NOW, NULL, &e), QS_E_DATA);
    p.key = "K2", p.code = "NOPE";
    assert_int_equal(coupon_push_insert(f->s, "demo", &p, NOW, NULL, &e), QS_E_DATA);
    /* The week of the Sunday push is taken, Monday before included; not the Monday after,
     * nor for the push itself. */
    assert_int_equal(coupon_push_week_taken(f->s, "demo", coupon_week(jst("2026-11-23 10:00")),
                                            NULL, &taken, &e),
                     0);
    assert_true(taken == id);
    assert_int_equal(coupon_push_week_taken(f->s, "demo", coupon_week(jst("2026-11-30 10:00")),
                                            NULL, &taken, &e),
                     0);
    assert_true(taken == 0);
    assert_int_equal(coupon_push_week_taken(f->s, "demo", coupon_week(jst("2026-11-23 10:00")),
                                            "K1", &taken, &e),
                     0);
    assert_true(taken == 0);
    /* A cancelled or refused push frees its week. */
    assert_int_equal(coupon_push_set_state(f->s, "demo", "K1", "refused", NOW, &e), 0);
    assert_int_equal(coupon_push_week_taken(f->s, "demo", coupon_week(jst("2026-11-23 10:00")),
                                            NULL, &taken, &e),
                     0);
    assert_true(taken == 0);
    assert_int_equal(coupon_push_set_state(f->s, "demo", "K9", "sent", NOW, &e), QS_E_DATA);
    assert_int_equal(coupon_push_each(f->s, "demo", NULL, count_push, &n, &e), 0);
    assert_int_equal(n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        {"R-CPN-4 send times: D+1 to D+3 in Japan, 10:00 to 22:00 every 30 minutes", slots, NULL,
         NULL, NULL},
        {"R-CPN-5 the calendar week: Monday to Sunday in Japan", weeks, NULL, NULL, NULL},
        {"R-CPN-7 items: top:4 to top:16, or 1 to 16 item codes", items, NULL, NULL, NULL},
        {"R-CPN-8 the banner's type and size from its header", banner_header, NULL, NULL, NULL},
        {"R-CPN-8 the banner's link: shop, item:CODE or an http(s) URL", links, NULL, NULL, NULL},
        {"R-CPN-5 the table of pushes: one per key, weeks taken unless cancelled or refused",
         push_table, NULL, teardown, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

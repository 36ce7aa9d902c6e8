/* Unit tests of the pure parts of qs publish (SPEC 2.3): schedule math at / every /
 * spread across DST in any IANA zone (R-PUB-2, R-PUB-3, R-PUB-4, R-PUB-5), price edits
 * (R-PUB-9), delivery days (R-PUB-15) and the mapping of a product to SetNewGoods and
 * its options, with the checks made before any call (R-PUB-11, R-PUB-12, R-PUB-14,
 * R-PUB-15). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "publish/publish.h"
#include "tm.h"
#include "xalloc.h"

#define LA "America/Los_Angeles"

static time_t utc(const char *iso)
{
    time_t t = 0;
    if (tm_parse_utc_iso(iso, &t) != 0)
        fail_msg("bad test instant %s", iso);
    return t;
}

static void expect_iso(time_t t, const char *want)
{
    char got[32];
    tm_utc_iso(t, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("expected %s, got %s", want, got);
}

static time_t local(const char *s, const char *tz)
{
    time_t t = 0;
    struct qs_err e;
    err_clear(&e);
    if (tm_parse(s, tz, utc("2026-11-25T06:41:00Z"), &t, &e) != 0)
        fail_msg("tm_parse(%s, %s): %s", s, tz, e.msg);
    return t;
}

/* R-PUB-4: 30 products over 60 minutes -> one every 2 minutes. */
static void spread_thirty_over_an_hour(void **state)
{
    time_t at[30];
    (void)state;
    time_t from = local("2030-01-15 11:00", "Asia/Tokyo"),
           to = local("2030-01-15 12:00", "Asia/Tokyo");
    assert_int_equal(sched_spread(from, to, 30, at), 0);
    expect_iso(at[0], "2030-01-15T02:00:00Z");
    for (int k = 1; k < 30; k++)
        assert_int_equal(at[k] - at[k - 1], 120);
    expect_iso(at[29], "2030-01-15T02:58:00Z");
    /* k * (T2 - T1) / n, rounded down to the second: 7 over 10 minutes. */
    assert_int_equal(sched_spread(from, from + 600, 7, at), 0);
    assert_int_equal(at[1] - from, 85);
    assert_int_equal(at[6] - from, 514);
    /* An empty or reversed window is refused. */
    assert_int_equal(sched_spread(from, from, 3, at), -1);
    assert_int_equal(sched_spread(to, from, 3, at), -1);
}

/* R-PUB-3: T, T+1m, T+2m, ... */
static void every_minute(void **state)
{
    time_t at[5];
    (void)state;
    time_t t = local("2030-01-15 11:00", "UTC");
    assert_int_equal(sched_every(t, 1, 5, at), 0);
    for (int k = 0; k < 5; k++)
        assert_int_equal(at[k], t + 60 * k);
    assert_int_equal(sched_every(t, 0, 5, at), -1);
    assert_int_equal(sched_every(t, -3, 5, at), -1);
}

/* R-PUB-2: one time for all. */
static void at_one_time(void **state)
{
    time_t at[3] = {0};
    (void)state;
    sched_at(12345, 3, at);
    assert_int_equal(at[0], 12345);
    assert_int_equal(at[2], 12345);
}

/* R-PUB-4, R-PUB-5: a window across the spring-forward night in Los Angeles: 01:00 to
 * 04:00 local is two real hours; four products land every 30 real minutes. */
static void dst_spring_forward_spread(void **state)
{
    time_t at[4];
    char buf[64];
    (void)state;
    time_t from = local("2030-03-10 01:00", LA), to = local("2030-03-10 04:00", LA);
    expect_iso(from, "2030-03-10T09:00:00Z");
    expect_iso(to, "2030-03-10T11:00:00Z");
    assert_int_equal(sched_spread(from, to, 4, at), 0);
    expect_iso(at[1], "2030-03-10T09:30:00Z");
    expect_iso(at[2], "2030-03-10T10:00:00Z");
    expect_iso(at[3], "2030-03-10T10:30:00Z");
    /* Shown in the zone asked: the third is 03:00 PDT, not 02:00. */
    assert_int_equal(tm_format(at[2], LA, 1, buf, sizeof buf), 0);
    assert_string_equal(buf, "2030-03-10 03:00:00 -07:00");
    assert_int_equal(tm_format(at[1], LA, 1, buf, sizeof buf), 0);
    assert_string_equal(buf, "2030-03-10 01:30:00 -08:00");
}

/* R-PUB-3, R-PUB-5: every 30 minutes across the fall-back night: 01:00 and 01:30 happen
 * twice on the wall clock, each instant once. */
static void dst_fall_back_every(void **state)
{
    time_t at[5];
    char buf[64];
    static const char *const want[] = {"2030-11-03 00:30:00 -07:00", "2030-11-03 01:00:00 -07:00",
                                       "2030-11-03 01:30:00 -07:00", "2030-11-03 01:00:00 -08:00",
                                       "2030-11-03 01:30:00 -08:00"};
    (void)state;
    time_t t = local("2030-11-03 00:30", LA);
    expect_iso(t, "2030-11-03T07:30:00Z");
    assert_int_equal(sched_every(t, 30, 5, at), 0);
    for (int k = 0; k < 5; k++) {
        assert_int_equal(tm_format(at[k], LA, 1, buf, sizeof buf), 0);
        assert_string_equal(buf, want[k]);
    }
    expect_iso(at[4], "2030-11-03T09:30:00Z");
}

/* R-PUB-5: past times refused except now; the current minute is now; any IANA zone. */
static void past_refused(void **state)
{
    time_t now = utc("2026-11-25T06:41:30Z"), t;
    struct qs_err e;
    (void)state;
    err_clear(&e);
    assert_int_equal(sched_is_past(now - 3600, now), 1);
    assert_int_equal(sched_is_past(utc("2026-11-25T06:41:00Z"), now), 0);
    assert_int_equal(sched_is_past(utc("2026-11-25T06:40:59Z"), now), 1);
    assert_int_equal(sched_parse("now", "Asia/Tokyo", now, "TIME", &t, NULL, &e), 0);
    assert_int_equal(t, now);
    assert_int_equal(sched_parse("2026-11-25 15:00", "Asia/Tokyo", now, "--from", &t, NULL, &e),
                     QS_E_USAGE);
    assert_string_equal(e.rule, "R-PUB-5");
    assert_non_null(strstr(e.msg, "--from 2026-11-25 15:00 is in the past"));
    err_clear(&e);
    /* 15:00 in Kolkata (+05:30) is 09:30 UTC: still ahead. */
    assert_int_equal(sched_parse("2026-11-25 15:00", "Asia/Kolkata", now, "--from", &t, NULL, &e),
                     0);
    expect_iso(t, "2026-11-25T09:30:00Z");
    /* HH:MM already past today means tomorrow (SPEC 1.5): never refused. */
    assert_int_equal(sched_parse("09:00", "Asia/Tokyo", now, "TIME", &t, NULL, &e), 0);
    expect_iso(t, "2026-11-26T00:00:00Z");
    assert_int_equal(sched_parse("2026-11-25 15:00", "Mars/Olympus", now, "TIME", &t, NULL, &e),
                     QS_E_USAGE);
    long m;
    assert_int_equal(sched_minutes("1", &m), 0);
    assert_int_equal(m, 1);
    assert_int_equal(sched_minutes("0", &m), -1);
    assert_int_equal(sched_minutes("+5", &m), -1);
    assert_int_equal(sched_minutes("1.5", &m), -1);
}

/* sched_window(from, to) at now in Tokyo must give the window [want_from, want_to) and
 * *tomorrow; now is passed in, never the clock. */
static void window_ok(const char *from, const char *to, const char *now, const char *want_from,
                      const char *want_to, int want_tomorrow)
{
    time_t a = 0, b = 0;
    int tomorrow = -1;
    struct qs_err e;
    err_clear(&e);
    if (sched_window(from, to, "Asia/Tokyo", utc(now), &a, &b, &tomorrow, &e) != 0)
        fail_msg("window %s-%s at %s: %s", from, to, now, e.msg);
    expect_iso(a, want_from);
    expect_iso(b, want_to);
    assert_int_equal(tomorrow, want_tomorrow);
}

/* Issue 8 item 20 (R-PUB-4): a window of two HH:MM times is one window: --from today or
 * tomorrow when past, --to on the day of --from, across midnight when not later. */
static void window_one_window(void **state)
{
    time_t a, b;
    int tomorrow;
    struct qs_err e;
    (void)state;
    /* 22:15 JST: 22:05 has passed, so the whole window is tomorrow's. */
    window_ok("22:05", "23:05", "2026-11-25T13:15:00Z", "2026-11-26T13:05:00Z",
              "2026-11-26T14:05:00Z", 1);
    /* 21:00 JST: today's window. */
    window_ok("22:05", "23:05", "2026-11-25T12:00:00Z", "2026-11-25T13:05:00Z",
              "2026-11-25T14:05:00Z", 0);
    /* Across midnight: 23:00 to 01:00 the next day, today's or tomorrow's. */
    window_ok("23:00", "01:00", "2026-11-25T11:00:00Z", "2026-11-25T14:00:00Z",
              "2026-11-25T16:00:00Z", 0);
    window_ok("23:00", "01:00", "2026-11-25T14:30:00Z", "2026-11-26T14:00:00Z",
              "2026-11-26T16:00:00Z", 1);
    /* The current minute is today's (R-PUB-5): 22:05 at 22:05:40 is not tomorrow. */
    window_ok("22:05", "23:05", "2026-11-25T13:05:40Z", "2026-11-25T13:05:00Z",
              "2026-11-25T14:05:00Z", 0);
    /* A dated --from takes --to on its day. */
    window_ok("2026-12-24 18:00", "21:00", "2026-11-25T13:15:00Z", "2026-12-24T09:00:00Z",
              "2026-12-24T12:00:00Z", 0);
    window_ok("now", "23:05", "2026-11-25T13:15:00Z", "2026-11-25T13:15:00Z",
              "2026-11-25T14:05:00Z", 0);
    /* A dated --to must come after --from. */
    err_clear(&e);
    assert_int_equal(sched_window("2026-12-24 18:00", "2026-12-24 17:00", "Asia/Tokyo",
                                  utc("2026-11-25T13:15:00Z"), &a, &b, &tomorrow, &e),
                     QS_E_USAGE);
    assert_string_equal(e.rule, "R-PUB-4");
    assert_non_null(strstr(e.msg, "--to 2026-12-24 17:00 (2026-12-24 17:00:00 +09:00) is not "
                                  "after --from 2026-12-24 18:00"));
    /* A --from in the past is still refused (R-PUB-5). */
    err_clear(&e);
    assert_int_equal(sched_window("2026-11-25 20:00", "23:00", "Asia/Tokyo",
                                  utc("2026-11-25T13:15:00Z"), &a, &b, &tomorrow, &e),
                     QS_E_USAGE);
    assert_string_equal(e.rule, "R-PUB-5");
    /* every and at: a time of day already past is tomorrow's, and says so. */
    assert_int_equal(sched_parse("22:05", "Asia/Tokyo", utc("2026-11-25T13:15:00Z"), "--from", &a,
                                 &tomorrow, &e),
                     0);
    expect_iso(a, "2026-11-26T13:05:00Z");
    assert_int_equal(tomorrow, 1);
    assert_int_equal(sched_parse("2026-11-26 22:05", "Asia/Tokyo", utc("2026-11-25T13:15:00Z"),
                                 "--from", &a, &tomorrow, &e),
                     0);
    assert_int_equal(tomorrow, 0);
}

/* R-PUB-9: --price P, +P%, -P%, half up to whole yen; R-PUB-14 bounds. */
static void price_edits(void **state)
{
    struct pub_price_edit pe;
    long long v;
    (void)state;
    assert_int_equal(pub_price_edit_parse("1980", &pe), 0);
    assert_int_equal(pub_price_apply(&pe, 500, &v), 0);
    assert_int_equal(v, 1980);
    assert_int_equal(pub_price_edit_parse("+10%", &pe), 0);
    assert_int_equal(pub_price_apply(&pe, 1980, &v), 0);
    assert_int_equal(v, 2178);
    assert_int_equal(pub_price_edit_parse("-7.5%", &pe), 0);
    assert_int_equal(pub_price_apply(&pe, 1000, &v), 0);
    assert_int_equal(v, 925);
    assert_int_equal(pub_price_apply(&pe, 999, &v), 0); /* 924.075 */
    assert_int_equal(v, 924);
    assert_int_equal(pub_price_edit_parse("+0.5%", &pe), 0);
    assert_int_equal(pub_price_apply(&pe, 100, &v), 0); /* 100.5 -> 101, half up */
    assert_int_equal(v, 101);
    assert_int_equal(pub_price_edit_parse("-100%", &pe), -1);
    assert_int_equal(pub_price_edit_parse("+10", &pe), -1);
    assert_int_equal(pub_price_edit_parse("10%", &pe), -1);
    assert_int_equal(pub_price_edit_parse("0", &pe), -1);
    assert_int_equal(pub_price_edit_parse("1000000000", &pe), -1);
    assert_int_equal(pub_price_edit_parse("+1.234%", &pe), -1);
    assert_int_equal(pub_price_edit_parse("-99%", &pe), 0);
    assert_int_equal(pub_price_apply(&pe, 1, &v), -1); /* 0.01 yen: below 1 */
    assert_int_equal(pub_price_edit_parse("+900%", &pe), 0);
    assert_int_equal(pub_price_apply(&pe, 999999999, &v), -1);
}

/* R-PUB-15: AvailableDateType/Value from delivery days. */
static void delivery_days(void **state)
{
    char t[2], v[4];
    (void)state;
    assert_int_equal(pub_avail_from_days(2, t, v), 0);
    assert_string_equal(t, "0");
    assert_string_equal(v, "2");
    assert_int_equal(pub_avail_from_days(0, t, v), 0);
    assert_string_equal(v, "1");
    assert_int_equal(pub_avail_from_days(7, t, v), 0);
    assert_string_equal(t, "1");
    assert_string_equal(v, "7");
    assert_int_equal(pub_avail_from_days(15, t, v), -1);
    assert_string_equal(pub_code_type_letter("jan"), "J");
    assert_null(pub_code_type_letter("other"));
}

/* ---- mapping ---- */

struct issues {
    int n;
    char text[16384];
};

static void collect(void *ctx, const char *rule, const char *field, const char *sku,
                    const char *msg)
{
    struct issues *is = ctx;
    size_t len = strlen(is->text);
    is->n++;
    snprintf(is->text + len, sizeof is->text - len, "%s|%s|%s|%s\n", rule, field, sku ? sku : "",
             msg);
}

static struct pub_variant var(const char *sku, const char *color, const char *size, long long price,
                              long long qty)
{
    struct pub_variant v = {0};
    v.sku = xstrdup(sku);
    v.color = xstrdup(color);
    v.size = xstrdup(size);
    v.main_image = xasprintf("https://img.example.jp/%s.jpg", sku);
    v.extra_images =
        xstrdup("https://img.example.jp/extra1.jpg\nhttps://img.example.jp/extra2.jpg");
    v.price = price, v.qty = qty, v.msrp = -1, v.shipping = 0, v.min_days = 1, v.max_days = 3;
    return v;
}

static void product(struct pub_product *p, const char *parent, size_t n, ...)
{
    va_list ap;
    memset(p, 0, sizeof *p);
    p->parent_sku = xstrdup(parent);
    p->title = xstrdup("保温 タンブラー");
    p->description = xstrdup("line one\nline two");
    p->tags = xstrdup("gift,tumbler");
    p->category = xstrdup("320001234");
    p->code = xstrdup("4901234567894");
    p->code_type = xstrdup("jan");
    p->v = xcalloc(n, sizeof *p->v);
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        p->v[p->nv++] = va_arg(ap, struct pub_variant);
    va_end(ap);
}

static void profile_min(struct prof *pf)
{
    memset(pf, 0, sizeof *pf);
    pf->v[PF_PLACE_TYPE] = xstrdup("1");
    pf->v[PF_PLACE] = xstrdup("TOKYO");
    pf->from[PF_PLACE_TYPE] = xstrdup("default");
    pf->from[PF_PLACE] = xstrdup("default");
}

/* R-PUB-11: SellerCode = Parent SKU, item price = lowest, OptionCode = SKU, extra price =
 * difference, one option at 0, Color/Size axes; extra images apart. */
static void map_options(void **state)
{
    struct pub_product p;
    struct prof pf;
    struct pub_params item = {0}, images = {0};
    struct issues is = {0};
    (void)state;
    product(&p, "TUMBLER", 3, var("T-350", "Black", "350ml", 1980, 50),
            var("T-500", "Black", "500ml", 2480, 30), var("T-500W", "White", "500ml", 2480, -1));
    profile_min(&pf);
    pf.v[PF_ITEM_QTY] = xstrdup("7");
    assert_int_equal(pub_map(&p, &pf, "1234", NULL, NULL, &item, &images, collect, &is), 0);
    assert_string_equal(pub_params_get(&item, "SellerCode"), "TUMBLER");
    assert_string_equal(pub_params_get(&item, "ItemPrice"), "1980");
    assert_string_equal(pub_params_get(&item, "ItemQty"), "87");
    assert_string_equal(pub_params_get(&item, "ItemType"),
                        "カラー||*Black||*サイズ||*350ml||*0||*50||*T-350$$"
                        "カラー||*Black||*サイズ||*500ml||*500||*30||*T-500$$"
                        "カラー||*White||*サイズ||*500ml||*500||*7||*T-500W");
    assert_string_equal(pub_params_get(&item, "SecondSubCat"), "320001234");
    assert_string_equal(pub_params_get(&item, "AvailableDateType"), "0");
    assert_string_equal(pub_params_get(&item, "AvailableDateValue"), "3");
    assert_string_equal(pub_params_get(&item, "ShippingNo"), "0");
    assert_string_equal(pub_params_get(&item, "IndustrialCodeType"), "J");
    assert_string_equal(pub_params_get(&item, "BrandNo"), "1234");
    assert_string_equal(pub_params_get(&item, "Keyword"), "gift,tumbler");
    assert_string_equal(pub_params_get(&item, "StandardImage"), "https://img.example.jp/T-350.jpg");
    assert_string_equal(pub_params_get(&item, "ItemDescription"), "line one<br>\nline two");
    assert_string_equal(pub_params_get(&item, "AdultYN"), "N");
    assert_string_equal(pub_params_get(&images, "EnlargedImage1"),
                        "https://img.example.jp/extra1.jpg");
    assert_string_equal(pub_params_get(&images, "EnlargedImage3"),
                        "https://img.example.jp/T-500.jpg");
    assert_int_equal(images.n, 4);
    long long price;
    long long qty[3] = {1, 2, 3};
    char *inv = pub_inventory(&p, &pf, qty, &price);
    assert_int_equal(price, 1980);
    assert_non_null(strstr(inv, "||*0||*1||*T-350$$"));
    free(inv);
    pub_params_free(&item);
    pub_params_free(&images);
    prof_clear(&pf);
    pub_product_free(&p);
}

/* R-PUB-11: a product without variants beyond itself is an item without options. */
static void map_single(void **state)
{
    struct pub_product p;
    struct prof pf;
    struct pub_params item = {0}, images = {0};
    struct issues is = {0};
    (void)state;
    product(&p, "BAG", 1, var("BAG", "", "", 1200, 4));
    profile_min(&pf);
    assert_int_equal(pub_map(&p, &pf, NULL, NULL, NULL, &item, &images, collect, &is), 0);
    assert_string_equal(pub_params_get(&item, "ItemType"), "");
    assert_string_equal(pub_params_get(&item, "ItemQty"), "4");
    assert_string_equal(pub_params_get(&item, "ItemPrice"), "1200");
    pub_params_free(&item);
    pub_params_free(&images);
    prof_clear(&pf);
    pub_product_free(&p);
}

static int ship_none(void *ctx, long long fee, char no[16])
{
    (void)ctx;
    if (fee == 600) {
        snprintf(no, 16, "480001");
        return 0;
    }
    return 1;
}

/* Every check before any call, each naming its rule. */
static void map_refusals(void **state)
{
    struct pub_product p;
    struct prof pf;
    struct pub_params item = {0}, images = {0};
    struct issues is = {0};
    char longsku[60], longtitle[400] = "";
    (void)state;
    memset(longsku, 'S', 51);
    longsku[51] = '\0';
    for (int i = 0; i < 101; i++)
        strcat(longtitle, "あ");
    product(&p, "P||*1", 4, var("A", "Red", "", 1000, 1), var("B", "Red", "", 1600, 1),
            var(longsku, "Blue", "", 1000, -1), var("D", "", "", 1000000000, 1));
    free(p.title);
    p.title = xstrdup(longtitle);
    free(p.category);
    p.category = NULL;
    free(p.tags);
    p.tags = xstrdup("a,b,c,d,e,f,g,h,i,j,k,abcdefghijklmnopqrstuvwxyz12345");
    p.v[0].shipping = 800;
    p.v[0].max_days = 20;
    free(p.v[1].main_image);
    p.v[1].main_image = xstrdup("ftp://img.example.jp/b.jpg");
    memset(&pf, 0, sizeof pf);
    pf.v[PF_EXPIRE] = xstrdup("2031-01-01");
    pf.from[PF_EXPIRE] = xstrdup("default");
    int n = pub_map(&p, &pf, NULL, ship_none, NULL, &item, &images, collect, &is);
    const char *want[] = {
        "R-PUB-12|SecondSubCat||",                   /* no leaf category */
        "R-PUB-14|ItemTitle||title of Parent SKU",   /* 101 characters */
        "R-PUB-14|Parent SKU||Parent SKU holds ||*", /* separators */
        "R-IMP-9|Price|B|Parent SKU",                /* 1600 > 1.5 x 1000 */
        "R-PUB-14|Price|D|",                         /* price 0 */
        "R-PUB-14|OptionCode|SSSS",                  /* SKU > 50 */
        "R-PUB-15|ItemQty|SSSS",                     /* no quantity, no ItemQty */
        "R-PUB-11|Color|D|",                         /* no Color while others have one */
        "R-PUB-11|Color/Size|B|",                    /* same combination as A */
        "R-PUB-15|AvailableDateType||",              /* 20 days, no profile */
        "R-PUB-15|ShippingNo|A|",                    /* no template charges 800 */
        "R-PUB-15|ProductionPlaceType||",            /* required by UpdateGoods */
        "R-PUB-14|ExpireDate||",                     /* after 2030-12-31 */
        "R-PUB-14|Keyword||Parent SKU",              /* 12 tags */
        "R-PUB-14|Keyword||tag",                     /* a tag of 32 characters */
        "R-PUB-14|Extra Image URL||",                /* ftp:// */
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(is.text, want[i]))
            fail_msg("expected an issue like \"%s\" in:\n%s", want[i], is.text);
    assert_true(n >= (int)(sizeof want / sizeof want[0]));
    pub_params_free(&item);
    pub_params_free(&images);
    prof_clear(&pf);
    pub_product_free(&p);
}

/* R-PUB-15: profile values are checked when set. */
static void profile_values(void **state)
{
    const char *why;
    (void)state;
    assert_int_equal(prof_field_parse("shippingno"), PF_SHIPPING_NO);
    assert_int_equal(prof_field_parse("category"), PF_CATEGORY);
    assert_int_equal(prof_field_parse("Nope"), -1);
    assert_int_equal(prof_value_check(PF_EXPIRE, "2030-12-31", &why), 0);
    assert_int_equal(prof_value_check(PF_EXPIRE, "2031-01-01", &why), -1);
    assert_non_null(strstr(why, "R-PUB-14"));
    assert_int_equal(prof_value_check(PF_CATEGORY, "12345678", &why), -1);
    assert_non_null(strstr(why, "R-PUB-12"));
    assert_int_equal(prof_value_check(PF_AVAIL_VALUE, "2030/02/29", &why), -1);
    assert_int_equal(prof_value_check(PF_AVAIL_VALUE, "2028/02/29", &why), 0);
    assert_int_equal(prof_value_check(PF_AVAIL_VALUE, "14:30", &why), 0);
    assert_int_equal(prof_value_check(PF_TAX_RATE, "5", &why), -1);
    assert_int_equal(prof_value_check(PF_CONTACT, "a$$b", &why), -1);
    assert_int_equal(prof_name_valid("summer-2030"), 1);
    assert_int_equal(prof_name_valid("-x"), 0);
}

int main(void)
{
    // clang-format off
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spread_thirty_over_an_hour),
        cmocka_unit_test(every_minute),
        cmocka_unit_test(at_one_time),
        cmocka_unit_test(dst_spring_forward_spread),
        cmocka_unit_test(dst_fall_back_every),
        cmocka_unit_test(past_refused),
        cmocka_unit_test(window_one_window),
        cmocka_unit_test(price_edits),
        cmocka_unit_test(delivery_days),
        cmocka_unit_test(map_options),
        cmocka_unit_test(map_single),
        cmocka_unit_test(map_refusals),
        cmocka_unit_test(profile_values),
    };
    // clang-format on
    return cmocka_run_group_tests(tests, NULL, NULL);
}

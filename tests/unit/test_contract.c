/* Contract tests (issue 9 item 9, R-SYN-9): every request/answer pair of
 * tests/fixtures/qapi/ (qapi-fidelity.md section 5, recorded answers marked as such in the
 * files) fed to qs's own parsers -- the envelope (qapi_parse_answer), order and claim rows
 * (sync_order_from_row, sync_shipping_status, sync_claim_status), bulk lines
 * (qapi_bulk_report), item lists and details (sync_goods_page, syncdb_item_upsert) and
 * delivery templates (pub_ship_take) -- with the records they must give. No server runs:
 * the inquiry reader of libcore/note_inbox.c stores rows only from inside
 * note_inbox_pull, which needs one, so fixtures 05 and 18 are checked at the envelope. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "publish/publish.h"
#include "qapi/qapi_int.h"
#include "shop.h"
#include "store.h"
#include "sync/sync_int.h"
#include "xalloc.h"

/* ---------------------------------------------------------------- fixtures */

struct fixture {
    json_t *file; /* the whole fixture */
    struct qapi_attempt a;
    json_t *object; /* the answer's ResultObject, borrowed from a.body */
};

static void fx_load(struct fixture *f, const char *name)
{
    const char *src = getenv("QS_SRC");
    char *path;
    json_error_t jerr;
    const char *answer, *ctype;

    memset(f, 0, sizeof *f);
    if (!src)
        fail_msg("QS_SRC must name the source tree");
    path = xasprintf("%s/tests/fixtures/qapi/%s.json", src, name);
    f->file = json_load_file(path, 0, &jerr);
    if (!f->file)
        fail_msg("%s: %s (line %d)", path, jerr.text, jerr.line);
    free(path);
    answer = json_string_value(json_object_get(f->file, "answer"));
    ctype = json_string_value(json_object_get(f->file, "content_type"));
    assert_non_null(answer);
    assert_non_null(json_string_value(json_object_get(f->file, "source")));
    assert_true(json_is_boolean(json_object_get(f->file, "recorded")));
    f->a.code = QAPI_CODE_NONE;
    qapi_parse_answer(answer, strlen(answer), ctype, &f->a);
    f->object = json_object_get(f->a.body, "ResultObject");
}

static void fx_free(struct fixture *f)
{
    qapi_attempt_clear(&f->a);
    json_decref(f->file);
}

/* The fixture's request parameter name (a string). */
static const char *fx_param(const struct fixture *f, const char *name)
{
    return json_string_value(json_object_get(json_object_get(f->file, "params"), name));
}

/* The i-th row of the answer's ResultObject as sync_rows finds it. */
static json_t *fx_row(const struct fixture *f, size_t i)
{
    json_t *rows = sync_rows(f->object);
    assert_non_null(rows);
    return json_array_get(rows, i);
}

/* --------------------------------------------------------------- envelopes */

/* R-SYN-9: every fixture's envelope: the code, the message, the shape and the class. */
static void envelopes(void **state)
{
    static const struct {
        const char *name;
        int code, error_shape, recorded;
        const char *msg;
    } t[] = {
        {"01-create-certification-key-success", 0, 0, 1, "成功"},
        {"02-rejected-key-error-shape", -90001, 1, 1, "存在しないAPIです。"},
        {"03-unknown-method-plain-text", QAPI_CODE_NONE, 0, 1, NULL},
        {"04-get-shipping-info-v3-empty", 0, 0, 1, "SUCCESS. But No Result"},
        {"04b-get-shipping-info-v3-empty-array", 0, 0, 0, "SUCCESS. But No Result"},
        {"05-get-inquiry-message-empty", 0, 0, 1, "SUCCESS"},
        {"06-get-claim-info-v3-empty", 0, 0, 1, "SUCCESS"},
        {"07-get-shipping-info-v3-one-row", 0, 0, 0, "SUCCESS"},
        {"07b-get-shipping-info-v3-numbers-as-strings", 0, 0, 0, "SUCCESS"},
        {"07c-get-shipping-info-v3-status-labels", 0, 0, 0, "SUCCESS"},
        {"07d-get-shipping-info-v3-status-number", 0, 0, 0, "SUCCESS"},
        {"07e-get-shipping-info-v3-status-unreadable", 0, 0, 0, "SUCCESS"},
        {"08-get-claim-info-v3-one-row", 0, 0, 0, "SUCCESS"},
        {"08b-get-claim-info-v3-claim-status-label", 0, 0, 0, "SUCCESS"},
        {"08c-get-claim-info-v3-claim-status-japanese", 0, 0, 0, "SUCCESS"},
        {"08d-get-claim-info-v3-claim-status-number", 0, 0, 0, "SUCCESS"},
        {"09-set-sending-info", 0, 0, 0, "SUCCESS"},
        {"10a-set-sending-info-bulk-agree", 0, 0, 0, "SUCCESS"},
        {"10b-set-sending-info-bulk-disagree", 0, 0, 0, "SUCCESS"},
        {"11-set-seller-check-yn-bulk", 0, 0, 0, "SUCCESS"},
        {"12-set-seller-check-yn-v2", 0, 0, 0, "SUCCESS"},
        {"13-set-new-goods-two-axis", 0, 0, 0, "SUCCESS"},
        {"14-edit-goods-inventory", 0, 0, 0, "SUCCESS"},
        {"14b-edit-goods-inventory-format-error", -10002, 0, 0,
         "Check Inventory Data Format (Name||*Value||*Price||*Qty||*OptioCode$$)"},
        {"15-get-all-goods-info", 0, 0, 0, "SUCCESS"},
        {"16-get-item-detail-info", 0, 0, 0, "Success"},
        {"16b-get-item-detail-info-not-found", -10001, 0, 0,
         "Fail to find Item information with 'ItemCode','SellerCode'."},
        {"17-get-seller-delivery-group-info", 0, 0, 0, "Success"},
        {"18-set-inquiry-message", 0, 0, 0, "SUCCESS"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct fixture f;
        fx_load(&f, t[i].name);
        if (f.a.code != t[i].code || f.a.error_shape != t[i].error_shape)
            fail_msg("%s: code %d shape %d, want %d %d (%s)", t[i].name, f.a.code, f.a.error_shape,
                     t[i].code, t[i].error_shape, f.a.why);
        if (t[i].msg && (!f.a.msg || strcmp(f.a.msg, t[i].msg) != 0))
            fail_msg("%s: message \"%s\", want \"%s\"", t[i].name, f.a.msg ? f.a.msg : "(none)",
                     t[i].msg);
        /* the recorded ones say so, and only they */
        assert_int_equal(json_is_true(json_object_get(f.file, "recorded")), t[i].recorded);
        assert_int_equal(strcmp(json_string_value(json_object_get(f.file, "source")), "R") == 0,
                         t[i].recorded);
        /* the class qs acts on: 0 ok, every refusal here is not retried */
        assert_int_equal(qapi_classify(0, 200, f.a.code), t[i].code == 0 ? QAPI_OK : QAPI_INVALID);
        fx_free(&f);
    }
}

/* R-SYN-9: a plain-text answer (an unknown method, K1) is no envelope, and says why with
 * a sample of the text. */
static void plain_text_answer(void **state)
{
    struct fixture f;
    (void)state;
    fx_load(&f, "03-unknown-method-plain-text");
    assert_null(f.a.body);
    assert_int_equal(f.a.code, QAPI_CODE_NONE);
    assert_non_null(strstr(f.a.why, "not a JSON envelope"));
    assert_non_null(strstr(f.a.why, "Can't find method Info"));
    fx_free(&f);
}

/* R-SYN-9: the key, the new item's GdNo and the reply's SEQ_NO are where qs reads them. */
static void result_objects(void **state)
{
    struct fixture f;
    (void)state;
    fx_load(&f, "01-create-certification-key-success");
    assert_true(json_is_string(f.object));
    assert_memory_equal(json_string_value(f.object), "S5bnbfynQvO", 11);
    fx_free(&f);
    fx_load(&f, "13-set-new-goods-two-axis");
    assert_string_equal(json_string_value(json_object_get(f.object, "GdNo")), "1234567890");
    fx_free(&f);
    fx_load(&f, "18-set-inquiry-message");
    char *seq = sync_jget(f.object, "SEQ_NO");
    assert_string_equal(seq, "87654321");
    free(seq);
    fx_free(&f);
}

/* --------------------------------------------------------- orders, claims */

/* R-SYN-9: null and [] are both an empty window (04, 04b, 05, 06). */
static void empty_results(void **state)
{
    static const char *const names[] = {
        "04-get-shipping-info-v3-empty", "04b-get-shipping-info-v3-empty-array",
        "05-get-inquiry-message-empty", "06-get-claim-info-v3-empty"};
    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct fixture f;
        fx_load(&f, names[i]);
        assert_int_equal(f.a.code, 0);
        assert_null(sync_rows(f.object));
        fx_free(&f);
    }
}

static void check_row7(const struct sync_order *o)
{
    assert_string_equal(o->order_no, "1062428737");
    assert_string_equal(o->pack_no, "123456789");
    assert_int_equal(o->status, 2);
    assert_string_equal(o->item_code, "1234567890");
    assert_string_equal(o->seller_code, "A12345b");
    assert_string_equal(o->option_code, "red-1");
    assert_string_equal(o->option_text, "カラー:レッド");
    assert_string_equal(o->title, "テスト商品");
    assert_string_equal(o->buyer, "山田 太郎");
    assert_string_equal(o->buyer_email, "buyer@example.jp");
    assert_string_equal(o->buyer_tel, "+81-90-0000-0000");
    assert_string_equal(o->zip, "100-0001");
    assert_string_equal(o->address, "東京都千代田区千代田1-1");
    assert_string_equal(o->payment_method, "クレジットカード");
    assert_string_equal(o->related, "1062428737, 1062428738");
    assert_int_equal(o->qty, 1);
    assert_int_equal(o->price, 1980);
    assert_int_equal(o->discount, 0);
    assert_int_equal(o->total, 1980);
    /* Japan time in the answer, UTC in the store */
    assert_string_equal(o->order_date, "2026-05-07T01:11:12Z");
    assert_string_equal(o->paid_date, "2026-05-07T01:12:00Z");
    assert_string_equal(o->ship_by, "2026-05-09T15:00:00Z"); /* AvailableShippingDate */
    assert_string_equal(o->shipped_date, "");
}

/* R-SYN-9: the one-row order (07) and the same row with every number a string (07b) give
 * the same record. */
static void order_row(void **state)
{
    struct fixture f;
    struct sync_order o = {0};
    (void)state;
    fx_load(&f, "07-get-shipping-info-v3-one-row");
    sync_order_from_row(&o, fx_row(&f, 0));
    check_row7(&o);
    fx_free(&f);
    fx_load(&f, "07b-get-shipping-info-v3-numbers-as-strings");
    assert_true(json_is_string(json_object_get(fx_row(&f, 0), "OrderNo")));
    sync_order_from_row(&o, fx_row(&f, 0));
    check_row7(&o);
    fx_free(&f);
    sync_order_clear(&o);
}

/* R-SYN-9: ShippingStatus as labels 1-5 (07c), a JSON number (07d); a label without its
 * code (07e) is unreadable, never status 0 taken for a value. */
static void shipping_status_forms(void **state)
{
    struct fixture f;
    struct sync_order o = {0};
    char *raw = NULL;
    (void)state;

    fx_load(&f, "07c-get-shipping-info-v3-status-labels");
    for (size_t i = 0; i < 5; i++) {
        sync_order_from_row(&o, fx_row(&f, i));
        assert_int_equal(o.status, (int)i + 1);
        assert_int_equal(sync_shipping_status(fx_row(&f, i), NULL), (int)i + 1);
    }
    fx_free(&f);
    fx_load(&f, "07d-get-shipping-info-v3-status-number");
    sync_order_from_row(&o, fx_row(&f, 0));
    assert_int_equal(o.status, 2);
    fx_free(&f);
    fx_load(&f, "07e-get-shipping-info-v3-status-unreadable");
    assert_int_equal(sync_shipping_status(fx_row(&f, 0), &raw), -1);
    assert_string_equal(raw, "配送要請");
    sync_order_from_row(&o, fx_row(&f, 0));
    assert_int_equal(o.status, 0); /* the caller decides: queried status, or reported */
    free(raw);
    fx_free(&f);
    sync_order_clear(&o);
}

/* R-SYN-9: claimStatus "3", "Cancel completed(3)" and 3 all read 3; "キャンセル完了" is
 * unreadable (-1), with its text for the report. */
static void claim_status_forms(void **state)
{
    static const struct {
        const char *name;
        int code;
        const char *raw;
    } t[] = {
        {"08-get-claim-info-v3-one-row", 3, "3"},
        {"08b-get-claim-info-v3-claim-status-label", 3, "Cancel completed(3)"},
        {"08c-get-claim-info-v3-claim-status-japanese", -1, "キャンセル完了"},
        {"08d-get-claim-info-v3-claim-status-number", 3, "3"},
    };
    struct sync_order o = {0};
    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct fixture f;
        char *raw = NULL;
        fx_load(&f, t[i].name);
        assert_int_equal(sync_claim_status(fx_row(&f, 0), &raw), t[i].code);
        assert_string_equal(raw, t[i].raw);
        free(raw);
        /* the claim row's own fields, in lower camel case */
        sync_order_from_row(&o, fx_row(&f, 0));
        assert_string_equal(o.order_no, "1062428737");
        assert_string_equal(o.pack_no, "123456789");
        assert_string_equal(o.seller_code, "A12345b");
        assert_int_equal(o.total, 1980);
        assert_int_equal(o.qty, 1);
        fx_free(&f);
    }
    sync_order_clear(&o);
}

/* --------------------------------------------------------------- bulk lines */

struct seen {
    size_t n;
    int code[4];
    char *msg[4];
};

static int on_line(size_t index, int code, const char *msg, const json_t *line, void *ctx)
{
    struct seen *s = ctx;
    (void)line;
    if (index < 4) {
        s->code[index] = code;
        s->msg[index] = xstrdup(msg ? msg : "");
    }
    s->n++;
    return 0;
}

static void bulk(const char *name, const char *param, struct seen *s)
{
    struct fixture f;
    struct qapi_result res = {0};
    json_t *chunk;

    fx_load(&f, name);
    chunk = json_loads(fx_param(&f, param), 0, NULL);
    assert_non_null(chunk);
    res.code = f.a.code;
    res.msg = f.a.msg;
    res.body = f.a.body;
    res.object = f.object;
    memset(s, 0, sizeof *s);
    assert_int_equal(qapi_bulk_report(NULL, 0, chunk, &res, on_line, s), 0);
    assert_int_equal(s->n, json_array_size(chunk));
    json_decref(chunk);
    fx_free(&f);
}

static void seen_free(struct seen *s)
{
    for (size_t i = 0; i < 4 && i < s->n; i++)
        free(s->msg[i]);
}

/* R-SYN-9: bulk lines whose codes agree (10a, 11) get their own code; 10b's line 2
 * (result_cd -1, ResultCode 0) is failed with -1 and a message naming both codes. */
static void bulk_lines(void **state)
{
    struct seen s;
    (void)state;

    bulk("10a-set-sending-info-bulk-agree", "ShippingInfoJson", &s);
    assert_int_equal(s.code[0], 0);
    assert_int_equal(s.code[1], -10013);
    assert_string_equal(s.msg[1], "…");
    seen_free(&s);

    bulk("10b-set-sending-info-bulk-disagree", "ShippingInfoJson", &s);
    assert_int_equal(s.code[0], 0);
    assert_string_equal(s.msg[0], "SUCCESS");
    assert_int_equal(s.code[1], -1);
    assert_non_null(strstr(s.msg[1], "disagree"));
    assert_non_null(strstr(s.msg[1], "result_cd -1"));
    assert_non_null(strstr(s.msg[1], "ResultCode 0"));
    assert_non_null(strstr(s.msg[1], "(R-SYN-9)"));
    seen_free(&s);

    bulk("11-set-seller-check-yn-bulk", "SendPlanDtInfoJson", &s);
    assert_int_equal(s.code[0], 0);
    assert_int_equal(s.code[1], -10012);
    seen_free(&s);
}

/* --------------------------------------------------------------------- items */

struct db {
    char dir[40];
    struct store *s;
    struct syncdb *d;
};

static void db_open(struct db *b)
{
    struct qs_err e;
    int created;
    char *path;
    snprintf(b->dir, sizeof b->dir, "/tmp/qs-contract.XXXXXX");
    assert_non_null(mkdtemp(b->dir));
    path = xasprintf("%s/qs.db", b->dir);
    assert_int_equal(store_open(path, &b->s, &e), 0);
    free(path);
    assert_int_equal(shop_add(b->s, "demo", "Asia/Tokyo", 0, &created, &e), 0);
    b->d = syncdb_new(b->s, "demo");
    assert_int_equal(syncdb_seen_reset(b->d, &e), 0);
}

static void db_close(struct db *b)
{
    char *cmd = xasprintf("rm -rf '%s'", b->dir);
    syncdb_free(b->d);
    store_close(b->s);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

/* R-SYN-9: GetAllGoodsInfo's page (15) and GetItemDetailInfo's first row (16, every field a
 * string) give the stored item; -10001 (16b) is the not-found answer. */
static void items(void **state)
{
    struct fixture f;
    struct db b;
    struct syncdb_item it;
    enum sync_change chg;
    struct qs_err e;
    json_t *list;
    long pages = -1;
    (void)state;

    fx_load(&f, "15-get-all-goods-info");
    list = sync_goods_page(f.object, &pages);
    assert_int_equal(pages, 1);
    assert_non_null(list);
    assert_int_equal(json_array_size(list), 1);
    char *code = sync_jget(json_array_get(list, 0), "ItemCode");
    assert_string_equal(code, "1234567890");
    free(code);
    fx_free(&f);

    db_open(&b);
    fx_load(&f, "16-get-item-detail-info");
    assert_int_equal(syncdb_item_upsert(b.d, "1234567890", "", "", fx_row(&f, 0),
                                        "2026-05-07T00:00:00Z", &chg, &e),
                     0);
    assert_int_equal(chg, SYNC_NEW);
    assert_int_equal(syncdb_item_get(b.d, "1234567890", &it, &e), 0);
    assert_true(it.found);
    assert_string_equal(it.seller_code, "A12345b");
    assert_string_equal(it.status, "S2");
    assert_string_equal(it.title, "テスト商品");
    assert_int_equal(it.price, 1980);
    assert_int_equal(it.qty, 10);
    syncdb_item_clear(&it);
    fx_free(&f);
    db_close(&b);

    fx_load(&f, "16b-get-item-detail-info-not-found");
    assert_int_equal(f.a.code, -10001);
    assert_int_equal(f.a.error_shape, 0); /* the one answer that means "gone" */
    fx_free(&f);
}

/* R-SYN-9: RelatedOrder "1062428737, 1062428738" (with a space, as PO shows it) names the
 * other line of the cart. */
static int cart_add(const char *order_no, void *ctx)
{
    char *buf = ctx;
    strncat(buf, order_no, 63 - strlen(buf));
    strncat(buf, ";", 63 - strlen(buf));
    return 0;
}

static void related_orders(void **state)
{
    struct fixture f;
    struct db b;
    struct sync_order o = {0};
    enum sync_change chg;
    struct qs_err e;
    long events = 0;
    char cart[64] = "";
    (void)state;

    db_open(&b);
    fx_load(&f, "07-get-shipping-info-v3-one-row");
    sync_order_from_row(&o, fx_row(&f, 0));
    assert_int_equal(syncdb_order_upsert(b.d, &o, "2026-05-07T02:00:00Z", &chg, &events, &e), 0);
    assert_int_equal(syncdb_cart_each(b.d, "1062428737", cart_add, cart, &e), 0);
    assert_string_equal(cart, "1062428738;");
    sync_order_clear(&o);
    fx_free(&f);
    db_close(&b);
}

/* R-SYN-9: GetSellerDeliveryGroupInfo (17): ShippingFee 600.0000 finds ShippingNo 480001. */
static void delivery_groups(void **state)
{
    struct fixture f;
    struct pub_ship_list l;
    struct qs_err e;
    char no[16] = "";
    (void)state;

    memset(&l, 0, sizeof l);
    fx_load(&f, "17-get-seller-delivery-group-info");
    assert_int_equal(pub_ship_take(NULL, "demo", f.object, 0, &l, &e), 0);
    assert_int_equal(pub_ship_find(&l, 600, no), 0);
    assert_string_equal(no, "480001");
    assert_true(pub_ship_has(&l, "480001"));
    assert_int_equal(pub_ship_find(&l, 500, no), 1);
    pub_ship_list_free(&l);
    fx_free(&f);
}

#define T(name, fn)                                                                                \
    {                                                                                              \
        name, fn, NULL, NULL, NULL                                                                 \
    }

int main(void)
{
    const struct CMUnitTest tests[] = {
        T("R-SYN-9 every fixture's envelope", envelopes),
        T("R-SYN-9 a plain-text answer is no envelope", plain_text_answer),
        T("R-SYN-9 key, GdNo and SEQ_NO where qs reads them", result_objects),
        T("R-SYN-9 null and [] are an empty window", empty_results),
        T("R-SYN-9 one order row, numbers as numbers or strings", order_row),
        T("R-SYN-9 ShippingStatus as labels, numbers, unreadable", shipping_status_forms),
        T("R-SYN-9 claimStatus as string, label, number, unreadable", claim_status_forms),
        T("R-SYN-9 bulk lines by result_cd, disagreeing codes fail", bulk_lines),
        T("R-SYN-9 item list and item details", items),
        T("R-SYN-9 RelatedOrder with a space names the cart", related_orders),
        T("R-SYN-9 delivery templates", delivery_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* publish_job: changes to listings that are on the marketplace (R-PUB-9, R-PUB-13) --
 * status (withdraw, undo of a publish or withdraw), price, quantity and shipping. Each is
 * an outbox item (kind "listing") queued with the local change and sent at once or by
 * the next `qs publish run`. The calls write absolute values, so a resend after a lost
 * answer changes nothing; price and quantity are read back first so that a quantity the
 * change does not touch keeps what the marketplace holds (sales since). */
#include "publish_int.h"

#include <stdlib.h>
#include <string.h>

#include "../outbox.h"
#include "../tm.h"
#include "../xalloc.h"

int pub_job_enqueue(struct store *s, const char *shop, const char *parent_sku, long long product,
                    long long batch, const char *why, const char *op, const char *payload_json,
                    struct qs_err *e)
{
    json_t *o = json_loads(payload_json ? payload_json : "{}", 0, NULL);
    char key[512], *payload;
    int rc;
    if (!o)
        return err_set(e, QS_E_SOFTWARE, NULL, "a listing job's payload is not JSON");
    json_object_set_new(o, "product", json_integer(product));
    json_object_set_new(o, "batch", json_integer(batch));
    json_object_set_new(o, "op", json_string(op));
    payload = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    snprintf(key, sizeof key, "%s#%lld#%s.%s", parent_sku, batch, why, op);
    rc = outbox_enqueue(s, shop, PUB_KIND_LISTING, key, payload, time(NULL), NULL, e);
    free(payload);
    return rc < 0 ? rc : 0;
}

struct job {
    struct pub_runner *r;
    struct pub_product p;
    struct prof pf;
    json_t *payload;
    json_t *detail; /* GetItemDetailInfo's object */
    char msg[2048]; /* notes and the outcome */
    int answered_error, no_answer, fatal;
};

static void note(struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct job *j, const char *fmt, ...)
{
    va_list ap;
    size_t n = strlen(j->msg);
    if (n && n + 2 < sizeof j->msg)
        strcat(j->msg, "; "), n += 2;
    va_start(ap, fmt);
    vsnprintf(j->msg + n, sizeof j->msg - n, fmt, ap);
    va_end(ap);
}

/* One call; returns 0 when it worked. A refusal or no answer is noted in j. */
static int jcall(struct job *j, const char *method, const struct pub_params *pp, json_t **object)
{
    struct qapi_result res;
    int answered, rc = pub_call(j->r, method, pp, j->p.parent_sku, &res, &answered);
    if (rc == 0) {
        if (object)
            *object = res.object ? json_incref(res.object) : NULL;
    } else if (answered && res.cls != QAPI_AUTH) {
        note(j, "%s refused: %d %s", method, res.code, res.msg ? res.msg : "");
        j->answered_error = 1;
    } else if (answered || res.cls == QAPI_RETRY) {
        note(j, "%s: %s", method, res.msg ? res.msg : "no answer");
        j->no_answer = 1;
        j->r->stop = !answered;
    } else {
        j->fatal = 1;
    }
    qapi_result_free(&res);
    return rc == 0 ? 0 : -1;
}

static int read_detail(struct job *j)
{
    struct pub_params pp = {0};
    json_t *o = NULL;
    int rc;
    if (j->detail)
        return 0;
    pub_params_add(&pp, "ItemCode", j->p.item_code);
    rc = jcall(j, "ItemsLookup.GetItemDetailInfo", &pp, &o);
    pub_params_free(&pp);
    if (rc == 0) {
        j->detail = json_is_array(o) ? json_incref(json_array_get(o, 0)) : json_incref(o);
        json_decref(o);
        if (!json_is_object(j->detail)) {
            note(j, "GetItemDetailInfo answered no item");
            j->answered_error = 1;
            return -1;
        }
    }
    return rc;
}

static int status_job(struct job *j)
{
    struct pub_params pp = {0};
    long long status = json_integer_value(json_object_get(j->payload, "status"));
    char st[8], now[32];
    int rc;
    snprintf(st, sizeof st, "%lld", status);
    pub_params_add(&pp, "ItemCode", j->p.item_code);
    pub_params_add(&pp, "SellerCode", j->p.parent_sku);
    pub_params_add(&pp, "Status", st); /* reference 3.7: 1 stop sale, 2 on sale */
    rc = jcall(j, "ItemsBasic.EditGoodsStatus", &pp, NULL);
    pub_params_free(&pp);
    if (rc < 0 || j->r->o->dry_run)
        return 0;
    /* Listing states: online -> offline by withdraw (or undo of a publish), and back. */
    const char *state = status == 1 ? "offline" : "online";
    note(j, status == 1 ? "sale stopped (status 1), offline" : "on sale again (status 2)");
    free(j->p.state);
    j->p.state = xstrdup(state);
    return cstore_product_state(j->r->s, j->p.id, state, NULL, pub_now_iso(now), j->r->e);
}

/* The quantity to send for variant i, from the job's qty and qty_if (undo) lists; -1:
 * keep the marketplace's. market is the marketplace's quantity (-1 unknown). */
static long long qty_for(struct job *j, size_t i, long long market, long long batch)
{
    const struct pub_variant *v = &j->p.v[i];
    json_t *list = json_object_get(j->payload, "qty"),
           *cond = json_object_get(j->payload, "qty_if");
    size_t k;
    json_t *x;
    json_array_foreach(list, k, x)
    {
        if (json_is_string(x) && strcmp(json_string_value(x), v->sku) == 0)
            return v->qty >= 0 ? v->qty : market;
    }
    json_t *want = json_object_get(cond, v->sku);
    if (want) {
        long long set_by_batch = json_integer_value(want);
        if (market < 0 || market == set_by_batch)
            return v->qty >= 0 ? v->qty : market;
        /* R-PUB-13: a sale since the batch: reported, not overwritten. */
        note(j,
             "SKU %s: the marketplace holds quantity %lld, not the %lld batch %lld set (a sale "
             "since); quantity not restored (R-PUB-13)",
             v->sku, market, set_by_batch, batch);
        if (!j->r->o->dry_run)
            cstore_variant_quantity(j->r->s, v->id, market, j->r->e);
        return -1;
    }
    return -1;
}

static int price_qty_job(struct job *j, long long batch)
{
    struct pub_params pp = {0};
    long long *qty = xcalloc(j->p.nv ? j->p.nv : 1, sizeof *qty), price = 0, old_price;
    char num[32];
    char *inv_probe;
    int rc = 0, options;

    if (read_detail(j) < 0) {
        free(qty);
        return 0;
    }
    inv_probe = pub_inventory(&j->p, &j->pf, NULL, &price);
    options = !inv_probe || *inv_probe;
    free(inv_probe);
    char *cur = qapi_field_text(j->detail, "ItemPrice"),
         *exp = qapi_field_text(j->detail, "ExpireDate"),
         *tax = qapi_field_text(j->detail, "TaxRate");
    old_price = strtoll(cur, NULL, 10);
    if (!options) {
        char *mq = qapi_field_text(j->detail, "ItemQty");
        long long q = qty_for(j, 0, *mq ? strtoll(mq, NULL, 10) : -1, batch);
        free(mq);
        price = j->p.v[0].price;
        pub_params_add(&pp, "ItemCode", j->p.item_code);
        pub_params_add(&pp, "SellerCode", j->p.parent_sku);
        snprintf(num, sizeof num, "%lld", price);
        pub_params_add(&pp, "Price", num);
        snprintf(num, sizeof num, "%lld", q);
        pub_params_add(&pp, "Qty", q >= 0 ? num : "");
        /* Reference 3.3: an empty ExpireDate resets the end date: send the current one. */
        pub_params_add(&pp, "ExpireDate", exp);
        pub_params_add(&pp, "TaxRate", tax);
        if (jcall(j, "ItemsOrder.SetGoodsPriceQty", &pp, NULL) == 0)
            note(j, "price %lld%s%s sent", price, q >= 0 ? ", quantity " : "", q >= 0 ? num : "");
        goto out;
    }
    /* R-SYN-9 (D4): EditGoodsInventory is documented with one option axis only; two-axis
     * rows go only to a marketplace the shop says takes them. */
    if (pub_axis_count(&j->p, &j->pf) > 1 && !j->r->o->inventory_two_axis) {
        note(j, "the options have two axes, and Qoo10 documents EditGoodsInventory with one: not "
                "sent; if `qs sync probe` finds the marketplace takes two, set "
                "qapi.inventory_form=two-axis (R-SYN-9)");
        j->answered_error = 1;
        goto out;
    }
    /* Items with options: the quantities the marketplace holds, per OptionCode. */
    struct pub_params ip = {0};
    json_t *rows = NULL;
    pub_params_add(&ip, "ItemCode", j->p.item_code);
    rc = jcall(j, "ItemsLookup.GetGoodsInventoryInfo", &ip, &rows);
    pub_params_free(&ip);
    if (rc < 0) {
        rc = 0;
        goto out;
    }
    for (size_t i = 0; i < j->p.nv; i++) {
        long long market = -1;
        size_t k;
        json_t *row;
        json_array_foreach(json_is_array(rows) ? rows : NULL, k, row)
        {
            char *code = qapi_field_text(row, "ItemTypeCode");
            if (strcmp(code, j->p.v[i].sku) == 0) {
                char *q = qapi_field_text(row, "Qty");
                market = strtoll(q, NULL, 10);
                free(q);
            }
            free(code);
        }
        long long q = qty_for(j, i, market, batch);
        qty[i] = q >= 0 ? q : market >= 0 ? market : (j->p.v[i].qty >= 0 ? j->p.v[i].qty : 0);
    }
    json_decref(rows);
    char *inv = pub_inventory(&j->p, &j->pf, qty, &price);
    if (!inv) {
        note(j, "the variants no longer map to Qoo10 options (qs publish check)");
        j->answered_error = 1;
        goto out;
    }
    struct pub_params pq = {0};
    pub_params_add(&pq, "ItemCode", j->p.item_code);
    pub_params_add(&pq, "SellerCode", j->p.parent_sku);
    snprintf(num, sizeof num, "%lld", price);
    pub_params_add(&pq, "Price", num);
    pub_params_add(&pq, "ExpireDate", exp);
    pub_params_add(&pq, "TaxRate", tax);
    pub_params_add(&pp, "ItemCode", j->p.item_code);
    pub_params_add(&pp, "SellerCode", j->p.parent_sku);
    pub_params_add(&pp, "InventoryInfo", inv);
    /* The +-50% rule holds after each call: a higher item price goes first, a lower one
     * after the options (R-PUB-11). */
    if (price > old_price)
        rc = jcall(j, "ItemsOrder.SetGoodsPriceQty", &pq, NULL) == 0 &&
                     jcall(j, "ItemsOptions.EditGoodsInventory", &pp, NULL) == 0
                 ? 0
                 : -1;
    else
        rc = jcall(j, "ItemsOptions.EditGoodsInventory", &pp, NULL) == 0 &&
                     (price == old_price || jcall(j, "ItemsOrder.SetGoodsPriceQty", &pq, NULL) == 0)
                 ? 0
                 : -1;
    if (rc == 0)
        note(j, "item price %lld and %zu options sent", price, j->p.nv);
    rc = 0;
    pub_params_free(&pq);
    free(inv);
out:
    free(cur);
    free(exp);
    free(tax);
    free(qty);
    pub_params_free(&pp);
    return rc;
}

/* R-SYN-9 (D5): a value read back is resent only in its documented form. The item's
 * ManufacturerDate goes back as UpdateGoods' ManufactureDate, yyyy-MM-dd: a date in
 * another form (2020/01/02, with a time) is sent as yyyy-MM-dd, anything else (Qoo10's
 * guide calls the field a maker's name) is sent empty, and the run says so. */
static void echo_date(struct job *j, struct pub_params *pp, const char *v)
{
    int y, m, d, n = 0;
    char out[16], sep;

    if (!*v) {
        pub_params_add(pp, "ManufactureDate", "");
        return;
    }
    if (sscanf(v, "%4d%c%2d%*c%2d%n", &y, &sep, &m, &d, &n) == 4 && n == 10 &&
        (sep == '-' || sep == '/') && v[7] == sep && (v[10] == '\0' || v[10] == ' ') && y >= 1900 &&
        y <= 2999 && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
        snprintf(out, sizeof out, "%04d-%02d-%02d", y, m, d);
        pub_params_add(pp, "ManufactureDate", out);
        return;
    }
    note(j, "ManufacturerDate \"%s\" read back is not a date: sent empty (R-SYN-9)", v);
    pub_params_add(pp, "ManufactureDate", "");
}

/* R-SYN-9 (D5): a yen amount read back goes back as a whole number ("1980.0000" as
 * "1980"); anything else is sent empty, and the run says so. */
static void echo_amount(struct job *j, struct pub_params *pp, const char *name, const char *v)
{
    char *end;
    long long n;

    if (!*v) {
        pub_params_add(pp, name, "");
        return;
    }
    n = strtoll(v, &end, 10);
    if (end != v && *v != '-' && *v != '+' && n >= 0) {
        if (*end == '.')
            for (end++; *end == '0'; end++)
                ;
        if (*end == '\0') {
            char num[32];
            snprintf(num, sizeof num, "%lld", n);
            pub_params_add(pp, name, num);
            return;
        }
    }
    note(j, "%s \"%s\" read back is not a whole yen amount: sent empty (R-SYN-9)", name, v);
    pub_params_add(pp, name, "");
}

/* Shipping: the delivery template of the new fee, unless the profile fixes ShippingNo.
 * UpdateGoods overwrites every field it takes (reference 3.2): the current ones are read
 * and sent back with the new ShippingNo. */
static int shipping_job(struct job *j)
{
    static const char *const same[] = {"ItemTitle",
                                       "ProductionPlaceType",
                                       "ProductionPlace",
                                       "AdultYN",
                                       "AvailableDateType",
                                       "AvailableDateValue",
                                       "Drugtype",
                                       "PromotionName",
                                       "SellerCode",
                                       "IndustrialCodeType",
                                       "IndustrialCode",
                                       "BrandNo",
                                       "ModelNM",
                                       "Material",
                                       "ContactInfo",
                                       "OptionShippingNo1",
                                       "OptionShippingNo2",
                                       "DesiredShippingDate",
                                       "Keyword",
                                       "RetailPrice",
                                       NULL};
    struct pub_params pp = {0};
    char no[16];
    long long fee = j->p.nv ? j->p.v[0].shipping : -1;

    for (size_t i = 1; i < j->p.nv; i++)
        if (j->p.v[i].price < j->p.v[0].price)
            fee = j->p.v[i].shipping;
    if (j->pf.v[PF_SHIPPING_NO] && *j->pf.v[PF_SHIPPING_NO]) {
        note(j, "shipping follows ShippingNo %s of profile %s; not sent", j->pf.v[PF_SHIPPING_NO],
             j->pf.from[PF_SHIPPING_NO]);
        return 0;
    }
    if (fee == 0)
        snprintf(no, sizeof no, "0");
    else if (fee < 0 || pub_ship_resolve(j->r, fee, no) != 0) {
        note(j,
             "no delivery template of the shop charges %lld yen; set ShippingNo in the listing "
             "profile (R-PUB-15)",
             fee);
        j->answered_error = 1;
        return 0;
    }
    if (read_detail(j) < 0)
        return 0;
    pub_params_add(&pp, "ItemCode", j->p.item_code);
    char *cat = qapi_field_text(j->detail, "SecondSubCatCd"),
         *mdate = qapi_field_text(j->detail, "ManufacturerDate");
    pub_params_add(&pp, "SecondSubCat", cat);
    echo_date(j, &pp, mdate);
    free(cat);
    free(mdate);
    for (const char *const *f = same; *f; f++) {
        char *v = qapi_field_text(j->detail, *f);
        if (strcmp(*f, "RetailPrice") == 0)
            echo_amount(j, &pp, *f, v);
        else
            pub_params_add(&pp, *f, v);
        free(v);
    }
    pub_params_add(&pp, "ShippingNo", no);
    if (jcall(j, "ItemsBasic.UpdateGoods", &pp, NULL) == 0)
        note(j, "ShippingNo %s sent", no);
    pub_params_free(&pp);
    return 0;
}

static int listing_run(struct pub_runner *r, const struct outbox_item *it)
{
    struct job j;
    char now[32];
    const char *result;
    int rc = 0, own;

    memset(&j, 0, sizeof j);
    j.r = r;
    j.payload = json_loads(it->payload ? it->payload : "{}", 0, NULL);
    long long id = json_integer_value(json_object_get(j.payload, "product"));
    long long batch = json_integer_value(json_object_get(j.payload, "batch"));
    const char *op = json_string_value(json_object_get(j.payload, "op"));
    if ((rc = pub_product_load(r->s, id, &j.p, r->e)) < 0) {
        json_decref(j.payload);
        r->st->superseded++;
        return rc == QS_E_SOFTWARE ? outbox_done(r->s, it->id, "the product is gone", r->e) : rc;
    }
    if (!j.p.item_code || !*j.p.item_code) {
        r->st->superseded++;
        rc = outbox_done(r->s, it->id, "not on the marketplace", r->e);
        goto out;
    }
    if ((rc = prof_resolve(r->s, r->shop, j.p.grp_profile, j.p.profile, &j.pf, r->e)) < 0)
        goto out;
    /* The calls run outside any transaction: no write lock is held while waiting. */
    if (op && strcmp(op, "status") == 0) {
        rc = status_job(&j);
    } else {
        if (json_is_true(json_object_get(j.payload, "price")) ||
            json_array_size(json_object_get(j.payload, "qty")) ||
            json_object_size(json_object_get(j.payload, "qty_if")))
            rc = price_qty_job(&j, batch);
        if (rc == 0 && !j.answered_error && !j.no_answer && !j.fatal &&
            json_is_true(json_object_get(j.payload, "shipping")))
            rc = shipping_job(&j);
    }
    if (j.fatal && rc == 0)
        rc = r->e->code ? r->e->code : QS_E_SOFTWARE;
    if (rc < 0) {
        struct qs_err keep = *r->e;
        pub_fail_fatal(r->s, it->id, j.p.id, op ? op : "", keep.msg);
        *r->e = keep;
        goto out;
    }
    if ((rc = pub_tx_begin(r->s, &own, r->e)) < 0)
        goto out;
    if (!r->o->dry_run) {
        pub_now_iso(now);
        if (j.answered_error || j.no_answer)
            rc = cstore_product_error(r->s, j.p.id, j.msg, now, r->e);
        if (rc == 0 && j.answered_error)
            rc = outbox_fail(r->s, it->id, j.msg, 0, time(NULL), r->e);
        else if (rc == 0 && j.no_answer)
            rc = outbox_fail(r->s, it->id, j.msg, 1, time(NULL), r->e);
        else if (rc == 0)
            rc = outbox_done(r->s, it->id, j.p.item_code, r->e);
    }
    if ((rc = pub_tx_end(r->s, own, rc, r->e)) < 0)
        goto out;
    result = r->o->dry_run ? "dry-run" : j.answered_error ? "failed" : j.no_answer ? "retry" : "ok";
    if (j.answered_error)
        r->st->failed++;
    else if (j.no_answer)
        r->st->retry++;
    else
        r->st->changed++;
    rc = pub_run_row(r, j.p.parent_sku, j.p.item_code, j.p.state, op ? op : "", result, j.msg);
out:
    json_decref(j.detail);
    json_decref(j.payload);
    prof_clear(&j.pf);
    pub_product_free(&j.p);
    return rc;
}

static enum outbox_recon recon_pending(const struct outbox_item *item, char **ref, void *ctx)
{
    /* Absolute values, read back before they are written: simply due again. */
    (void)item, (void)ref, (void)ctx;
    return OUTBOX_RECON_NOT_SENT;
}

int pub_jobs_drain(struct pub_runner *r)
{
    int rc = 0;
    if (!r->o->dry_run &&
        (rc = outbox_recover(r->s, r->shop, PUB_KIND_LISTING, recon_pending, NULL, NULL, r->e)) < 0)
        return rc;
    while (rc == 0 && !r->stop) {
        struct outbox_claim_opts co = {.shop = r->shop,
                                       .kind = PUB_KIND_LISTING,
                                       .max = 8,
                                       .retry_failed = 0,
                                       .now = time(NULL)};
        struct outbox_item *items = NULL;
        size_t n = 0;
        if ((rc = outbox_claim(r->s, &co, &items, &n, r->e)) < 0 || n == 0) {
            outbox_items_free(items, n);
            break;
        }
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (r->stop) {
                struct qs_err ignore;
                outbox_fail(r->s, items[i].id, "not tried: the marketplace stopped answering", 1,
                            time(NULL), &ignore);
                continue;
            }
            rc = listing_run(r, &items[i]);
        }
        outbox_items_free(items, n);
    }
    return rc;
}

/* ---- job results, kept per Parent SKU so the rows can show them ---- */

static int jres_row(void *ctx, const struct rec *r, struct qs_err *e)
{
    struct pub_jresults *jr = ctx;
    (void)e;
    if ((jr->n & (jr->n - 1)) == 0) /* at 0, 1, 2, 4...: room for twice as many */
        jr->v = xrealloc(jr->v, (jr->n ? 2 * jr->n : 1) * sizeof *jr->v);
    jr->v[jr->n] =
        (struct pub_jres){xstrdup(rec_get(r, "parent_sku")), xstrdup(rec_get(r, "result")),
                          xstrdup(rec_get(r, "message")), xstrdup(rec_get(r, "state"))};
    strmap_put(&jr->last, jr->v[jr->n].parent, jr->n); /* a later result replaces it */
    jr->n++;
    return 0;
}

const struct pub_jres *pub_jres_get(const struct pub_jresults *jr, const char *parent)
{
    size_t i;
    return strmap_get(&jr->last, parent, &i) ? &jr->v[i] : NULL;
}

void pub_jres_free(struct pub_jresults *jr)
{
    for (size_t i = 0; i < jr->n; i++)
        free(jr->v[i].parent), free(jr->v[i].result), free(jr->v[i].msg), free(jr->v[i].state);
    free(jr->v);
    strmap_free(&jr->last);
}

/* Sends the queued listing jobs (this batch's among them), results into jr. */
int pub_send_jobs(struct store *s, struct qapi *q, const char *shop, const struct pub_run_opts *ro,
                  struct pub_run_stats *rst, struct pub_jresults *jr, struct qs_err *e)
{
    struct pub_run_stats ignore;
    struct pub_run_opts oo = *ro;
    jr->cb = (struct pub_cb){.ctx = jr, .row = jres_row};
    struct pub_runner r = {
        .s = s, .q = q, .shop = shop, .o = &oo, .cb = &jr->cb, .st = rst ? rst : &ignore, .e = e};
    r.row = rec_new();
    pub_run_defaults(s, shop, &oo);
    int rc = pub_jobs_drain(&r);
    if (rc == 0 && rst && !ro->dry_run)
        rc = pub_waiting(s, shop, time(NULL), &rst->waiting, &rst->next_try, e);
    pub_runner_free(&r);
    return rc;
}

int pub_state_row(const struct pub_cb *cb, struct rec *r, enum job_outcome oc, const char *parent,
                  const char *state, const char *result, const char *msg, struct qs_err *e)
{
    rec_clear(r);
    rec_set(r, "parent_sku", parent);
    rec_set(r, "state", state);
    rec_set(r, "result", result);
    rec_set(r, "message", msg ? msg : "");
    return pub_emit(cb, oc, r, e);
}

/* publish_run: `qs publish run` -- due products go online step by step (R-PUB-7, R-PUB-11),
 * exactly once on the marketplace. Each product being published is one outbox item
 * (kind "publish"), so two runs never work on one product and the items of a run that
 * died are recovered; the SellerCode (Parent SKU) is the idempotency key: a SetNewGoods
 * whose answer was lost (product.create_sent_at set) is never sent again before
 * GetItemDetailInfo by SellerCode shows the item does not exist, and an item another
 * product holds is never adopted (R-PUB-10). Each step's result is committed as it
 * comes: a retry resumes after the last step done. */
#include "publish_int.h"

#include <stdlib.h>
#include <string.h>

#include "outbox.h"
#include "progress.h"
#include "shop.h"
#include "tm.h"
#include "xalloc.h"

#define BATCH_CLAIM 8 /* products claimed at a time: two runs share the work */

enum outcome { OC_OK, OC_FAILED, OC_RETRY, OC_FATAL };

/* What one product's publication came to. */
struct pres {
    enum outcome oc;
    char step[16]; /* the step that failed */
    char msg[1024];
};

static enum outcome pres_set(struct pres *pr, enum outcome oc, const char *step, const char *fmt,
                             ...) __attribute__((format(printf, 4, 5)));
static enum outcome pres_set(struct pres *pr, enum outcome oc, const char *step, const char *fmt,
                             ...)
{
    va_list ap;
    pr->oc = oc;
    snprintf(pr->step, sizeof pr->step, "%s", step ? step : "");
    va_start(ap, fmt);
    vsnprintf(pr->msg, sizeof pr->msg, fmt, ap);
    va_end(ap);
    return oc;
}

int pub_run_row(struct pub_runner *r, const char *parent_sku, const char *item_code,
                const char *state, const char *step, const char *result, const char *msg)
{
    if (!r->cb || !r->cb->row)
        return 0;
    rec_clear(r->row);
    rec_set(r->row, "parent_sku", parent_sku);
    rec_set(r->row, "item_code", item_code ? item_code : "");
    rec_set(r->row, "state", state ? state : "");
    rec_set(r->row, "step", step ? step : "");
    rec_set(r->row, "result", result);
    rec_set(r->row, "message", msg ? msg : "");
    return r->cb->row(r->cb->ctx, r->row, r->e);
}

int pub_call(struct pub_runner *r, const char *method, const struct pub_params *pp, const char *key,
             struct qapi_result *res, int *answered)
{
    struct qs_err ce;
    int rc;
    memset(res, 0, sizeof *res);
    err_clear(&ce);
    rc = qapi_call(r->q, method, pp->p, pp->n, key, res, &ce);
    *answered = res->code != QAPI_CODE_NONE;
    if (rc == 0 || *answered)
        r->st->calls_ok++;
    else
        r->st->calls_failed++;
    if (rc < 0 && res->cls != QAPI_INVALID && res->cls != QAPI_RETRY)
        *r->e = ce; /* credentials or the store: the run stops with this */
    else if (rc < 0 && !res->msg)
        res->msg = xstrdup(ce.msg);
    return rc;
}

void pub_runner_free(struct pub_runner *r)
{
    pub_ship_list_free(&r->ship);
    rec_free(r->row);
}

/* ---- delivery templates (R-PUB-15: ShippingNo from the Shipping fee) ---- */

static char *jstr(const json_t *o, const char *name)
{
    const json_t *v = json_object_get(o, name);
    char buf[64];
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        return xstrdup(buf);
    }
    if (json_is_real(v)) {
        snprintf(buf, sizeof buf, "%.0f", json_real_value(v));
        return xstrdup(buf);
    }
    return xstrdup("");
}

int pub_ship_resolve(void *ctx, long long fee, char no[16])
{
    struct pub_runner *r = ctx;
    if (!r->ship_tried) {
        struct pub_params none = {0};
        struct qapi_result res;
        int answered;
        r->ship_tried = 1;
        if (pub_call(r, "ItemsLookup.GetSellerDeliveryGroupInfo", &none, NULL, &res, &answered) ==
            0) {
            struct qs_err ignore;
            /* Kept for qs publish check (never in a dry run); a store that cannot keep them
             * does not stop the run. */
            pub_ship_take(r->s, r->shop, res.object, !r->o->dry_run, &r->ship, &ignore);
        }
        qapi_result_free(&res);
    }
    return pub_ship_list_resolve(&r->ship, fee, no);
}

/* ---- the steps ---- */

static int step_rank(const char *step)
{
    if (!step || !*step)
        return 0;
    if (strcmp(step, PUB_STEP_CREATE) == 0)
        return 1;
    if (strcmp(step, PUB_STEP_IMAGES) == 0)
        return 2;
    if (strcmp(step, PUB_STEP_STATUS) == 0)
        return 3;
    return 0;
}

static int set_step(struct pub_runner *r, struct pub_product *p, const char *step)
{
    char now[32];
    free(p->step);
    p->step = xstrdup(step);
    return cstore_product_step(r->s, p->id, step, pub_now_iso(now), r->e);
}

/* The dead run's or our own unanswered send may still be in the marketplace's hands: read
 * only once it has had inflight_s seconds since it was sent. */
static void wait_inflight(struct pub_runner *r, const char *sent_at)
{
    time_t t, left;
    if (!sent_at || tm_parse_utc_iso(sent_at, &t) < 0)
        return;
    left = t + (time_t)r->o->inflight_s - time(NULL);
    if (left > r->o->inflight_s)
        left = r->o->inflight_s;
    if (left > 0) {
        struct timespec ts = {left, 0};
        nanosleep(&ts, NULL);
    }
}

enum lookup { LK_NONE, LK_FOUND, LK_ERROR };

/* GetItemDetailInfo by SellerCode (reference 3.5): the item the marketplace holds under
 * the product's Parent SKU. */
static enum lookup lookup(struct pub_runner *r, const struct pub_product *p, char code[64],
                          char *why, size_t whysize)
{
    struct pub_params pp = {0};
    struct qapi_result res;
    enum lookup lk = LK_ERROR;
    int answered, rc;

    pub_params_add(&pp, "SellerCode", p->parent_sku);
    rc = pub_call(r, "ItemsLookup.GetItemDetailInfo", &pp, p->parent_sku, &res, &answered);
    if (rc == 0) {
        json_t *o = json_is_array(res.object) ? json_array_get(res.object, 0) : res.object;
        char *ic = json_is_object(o) ? jstr(o, "ItemCode") : xstrdup("");
        char *sc = json_is_object(o) ? jstr(o, "SellerCode") : xstrdup("");
        if (*ic && strcmp(sc, p->parent_sku) == 0) {
            snprintf(code, 64, "%s", ic);
            lk = LK_FOUND;
        } else {
            lk = LK_NONE;
        }
        free(ic);
        free(sc);
    } else if (answered && res.code == -10001) {
        lk = LK_NONE; /* reference 3.5: -10001 not found */
    } else {
        snprintf(why, whysize, "the lookup of SellerCode %.100s failed: %.800s", p->parent_sku,
                 res.msg ? res.msg : r->e->msg);
    }
    qapi_result_free(&res);
    pub_params_free(&pp);
    return lk;
}

/* R-PUB-10: the product other than p that holds item code, if any: its shop and Parent
 * SKU into holder. Returns 1 when there is one. */
static int held_by_other(struct pub_runner *r, const struct pub_product *p, const char *code,
                         char *holder, size_t size)
{
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(store_db(r->s),
                           "SELECT shop, parent_sku FROM product WHERE item_code = ?1 AND id <> ?2"
                           " LIMIT 1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, p->id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(holder, size, "Parent SKU \"%s\" of shop %s", sqlite3_column_text(st, 1),
                     sqlite3_column_text(st, 0));
            found = 1;
        }
    }
    sqlite3_finalize(st);
    return found;
}

/* Binds the item found under the product's SellerCode to it, unless another product holds
 * it (R-PUB-10). */
static enum outcome adopt(struct pub_runner *r, struct pub_product *p, const char *code,
                          struct pres *pr)
{
    char holder[256], now[32];
    if (held_by_other(r, p, code, holder, sizeof holder)) {
        /* R-PUB-10: never adopt an item already bound to another product. */
        if (cstore_product_sent(r->s, p->id, NULL, r->e) < 0)
            return OC_FATAL;
        return pres_set(pr, OC_FAILED, PUB_STEP_CREATE,
                        "SellerCode %s is already item %s of %s; the item is not taken over "
                        "(R-PUB-10): give this product another Parent SKU (qs publish copy "
                        "--suffix)",
                        p->parent_sku, code, holder);
    }
    if (cstore_product_item(r->s, p->id, code, PUB_STEP_CREATE, pub_now_iso(now), r->e) < 0)
        return OC_FATAL;
    free(p->item_code);
    p->item_code = xstrdup(code);
    free(p->step);
    p->step = xstrdup(PUB_STEP_CREATE);
    return OC_OK;
}

/* The create step: SetNewGoods exactly once per SellerCode (R-PUB-7). */
static enum outcome step_create(struct pub_runner *r, struct pub_product *p,
                                const struct pub_params *item, struct pres *pr)
{
    char code[64], why[1024], now[32];
    int sends = 0, finished = 0;

    for (;;) {
        if (p->create_sent_at) {
            /* A send whose answer we never got: read before anything is resent -- once
             * it has had inflight_s seconds, unless the marketplace's application answered
             * it with an error page (it was done with it then). */
            if (!finished)
                wait_inflight(r, p->create_sent_at);
            switch (lookup(r, p, code, why, sizeof why)) {
            case LK_FOUND:
                return adopt(r, p, code, pr);
            case LK_ERROR:
                r->stop = 1;
                return pres_set(pr, OC_RETRY, PUB_STEP_CREATE, "%s", why);
            case LK_NONE:
                break;
            }
            if (cstore_product_sent(r->s, p->id, NULL, r->e) < 0)
                return OC_FATAL;
            free(p->create_sent_at);
            p->create_sent_at = NULL;
        }
        if (sends >= r->o->max_sends)
            return pres_set(pr, OC_RETRY, PUB_STEP_CREATE,
                            "no answer to SetNewGoods after %d sends; the item is looked up by "
                            "SellerCode before the next one",
                            sends);
        /* Written before the send: a crash from here on is read back by the next run. */
        pub_now_iso(now);
        if (cstore_product_sent(r->s, p->id, now, r->e) < 0)
            return OC_FATAL;
        p->create_sent_at = xstrdup(now);
        struct qapi_result res;
        int answered, rc;
        /* The client must not resend on its own: a lost answer is read back first (and
         * qapi sends every write on a fresh connection, so libcurl does not either). */
        qapi_set_retries(r->q, 0);
        rc = pub_call(r, "ItemsBasic.SetNewGoods", item, p->parent_sku, &res, &answered);
        qapi_set_retries(r->q, r->retries);
        sends++;
        if (rc == 0) {
            char *gd = json_is_object(res.object) ? jstr(res.object, "GdNo") : xstrdup("");
            enum outcome oc;
            if (!*gd) {
                oc = pres_set(pr, OC_FAILED, PUB_STEP_CREATE,
                              "SetNewGoods answered without an item code (GdNo)");
            } else {
                snprintf(code, sizeof code, "%s", gd);
                oc = adopt(r, p, code, pr);
            }
            free(gd);
            qapi_result_free(&res);
            return oc;
        }
        if (!answered && res.cls != QAPI_RETRY) {
            qapi_result_free(&res);
            return OC_FATAL; /* our credentials or the store */
        }
        if (answered) {
            int c = res.code;
            char msg[512];
            snprintf(msg, sizeof msg, "%s", res.msg ? res.msg : "");
            qapi_result_free(&res);
            if (cstore_product_sent(r->s, p->id, NULL, r->e) < 0)
                return OC_FATAL;
            free(p->create_sent_at);
            p->create_sent_at = NULL;
            if (c == -10001) {
                /* Reference 3.1: duplicate SellerCode. The item is the product's when no
                 * other product holds it (a send of ours whose answer was lost, or the
                 * seller's own listing under this SellerCode). */
                if (lookup(r, p, code, why, sizeof why) == LK_FOUND)
                    return adopt(r, p, code, pr);
            }
            if (res.cls == QAPI_AUTH)
                return pres_set(pr, OC_RETRY, PUB_STEP_CREATE, "SetNewGoods: %d %s", c, msg);
            return pres_set(pr, OC_FAILED, PUB_STEP_CREATE, "SetNewGoods refused: %d %s", c, msg);
        }
        /* HTTP 500 is the application's own error page: the request is over. A gateway's
         * 502/503/504 or no answer may leave it running behind. */
        finished = res.http_status == 500;
        qapi_result_free(&res);
        /* No answer: around again, reading first. */
    }
}

/* A step sent through the client with its own retries: the calls are idempotent. */
static enum outcome step_simple(struct pub_runner *r, struct pub_product *p, const char *step,
                                const char *method, struct pub_params *pp, struct pres *pr)
{
    struct qapi_result res;
    int answered, rc;
    rc = pub_call(r, method, pp, p->parent_sku, &res, &answered);
    if (rc == 0) {
        qapi_result_free(&res);
        return set_step(r, p, step) < 0 ? OC_FATAL : OC_OK;
    }
    enum outcome oc;
    if (answered && res.cls != QAPI_AUTH)
        oc = pres_set(pr, OC_FAILED, step, "%s refused: %d %s", method, res.code,
                      res.msg ? res.msg : "");
    else if (answered || res.cls == QAPI_RETRY)
        oc = pres_set(pr, OC_RETRY, step, "%s", res.msg ? res.msg : "no answer");
    else
        oc = OC_FATAL;
    if (!answered)
        r->stop = 1;
    qapi_result_free(&res);
    return oc;
}

/* Keeps the first problem pub_map found, for the product's error. */
struct issue_first {
    char *msg, *rule;
};

static void issue_first(void *ctx, const char *rule, const char *field, const char *sku,
                        const char *msg)
{
    struct issue_first *fi = ctx;
    (void)field;
    (void)sku;
    if (!fi->msg[0]) {
        snprintf(fi->msg, 1024, "%s", msg);
        snprintf(fi->rule, 32, "%s", rule);
    }
}

/* Runs the steps not done yet. */
static enum outcome publish_product(struct pub_runner *r, struct pub_product *p, struct pres *pr)
{
    struct prof pf;
    struct pub_params item = {0}, images = {0};
    char *brand_no = NULL, first[1024] = "", first_rule[32] = "";
    struct issue_first fi = {first, first_rule};
    enum outcome oc = OC_OK;
    int n;

    if (prof_resolve(r->s, r->shop, p->grp_profile, p->profile, &pf, r->e) < 0)
        return OC_FATAL;
    if (prof_brand_get(r->s, r->shop, p->brand, &brand_no, r->e) < 0) {
        prof_clear(&pf);
        return OC_FATAL;
    }
    if (step_rank(p->step) < 1 && p->item_code && *p->item_code &&
        set_step(r, p, PUB_STEP_CREATE) < 0) {
        oc = OC_FATAL; /* the item exists: never created again */
        goto out;
    }
    n = pub_map(p, &pf, brand_no, step_rank(p->step) == 0 ? pub_ship_resolve : NULL, r, &item,
                &images, issue_first, &fi);
    if (n > 0 && step_rank(p->step) == 0) {
        /* R-PUB-11/12/14/15: refused before any call. */
        oc = pres_set(pr, OC_FAILED, PUB_STEP_CHECK, "%s (%s)%s", first, first_rule,
                      n > 1 ? "; qs publish check lists every problem" : "");
        goto out;
    }
    if (step_rank(p->step) < 1 && (oc = step_create(r, p, &item, pr)) != OC_OK)
        goto out;
    if (step_rank(p->step) < 2) {
        if (images.n == 0) {
            if (set_step(r, p, PUB_STEP_IMAGES) < 0)
                oc = OC_FATAL;
        } else {
            struct pub_params pp = {0};
            pub_params_add(&pp, "ItemCode", p->item_code);
            pub_params_add(&pp, "SellerCode", p->parent_sku);
            for (size_t i = 0; i < images.n; i++)
                pub_params_add(&pp, images.p[i].name, images.p[i].value);
            oc = step_simple(r, p, PUB_STEP_IMAGES, "ItemsContents.EditGoodsMultiImage", &pp, pr);
            pub_params_free(&pp);
        }
        if (oc != OC_OK)
            goto out;
    }
    if (step_rank(p->step) < 3) {
        struct pub_params pp = {0};
        pub_params_add(&pp, "ItemCode", p->item_code);
        pub_params_add(&pp, "SellerCode", p->parent_sku);
        pub_params_add(&pp, "Status", "2"); /* reference 3.7: 2 available */
        oc = step_simple(r, p, PUB_STEP_STATUS, "ItemsBasic.EditGoodsStatus", &pp, pr);
        pub_params_free(&pp);
    }
out:
    pub_params_free(&item);
    pub_params_free(&images);
    free(brand_no);
    prof_clear(&pf);
    return oc;
}

/* ---- one claimed product ---- */

static long long payload_num(const char *payload, const char *name)
{
    json_t *o = json_loads(payload ? payload : "{}", 0, NULL);
    long long v = json_integer_value(json_object_get(o, name));
    json_decref(o);
    return v;
}

/* Settles a product's publication: the product's state and the outbox item, one
 * transaction. */
static int settle(struct pub_runner *r, const struct outbox_item *it, struct pub_product *p,
                  const struct pres *pr)
{
    char now[32], err[1200];
    int rc, own;
    const char *state;

    if ((rc = pub_tx_begin(r->s, &own, r->e)) < 0)
        return rc;
    pub_now_iso(now);
    switch (pr->oc) {
    case OC_OK:
        state = "online";
        rc = cstore_product_state(r->s, p->id, "online", NULL, now, r->e);
        if (rc == 0)
            rc = outbox_done(r->s, it->id, p->item_code, r->e);
        r->st->online++;
        break;
    case OC_FAILED:
        /* R-PUB-11: failed with the step named; a retry resumes from that step. */
        state = "failed";
        snprintf(err, sizeof err, "step %s: %s", pr->step, pr->msg);
        rc = cstore_product_state(r->s, p->id, "failed", err, now, r->e);
        if (rc == 0)
            rc = outbox_fail(r->s, it->id, err, 0, time(NULL), r->e);
        r->st->failed++;
        break;
    default:
        /* Stays publishing, due again after the outbox's backoff. */
        state = "publishing";
        snprintf(err, sizeof err, "step %s: %s (will retry)", pr->step, pr->msg);
        rc = cstore_product_error(r->s, p->id, err, now, r->e);
        if (rc == 0)
            rc = outbox_fail(r->s, it->id, err, 1, time(NULL), r->e);
        r->st->retry++;
        break;
    }
    if ((rc = pub_tx_end(r->s, own, rc, r->e)) < 0)
        return rc;
    return pub_run_row(r, p->parent_sku, p->item_code, state,
                       pr->oc == OC_OK ? PUB_STEP_STATUS : pr->step,
                       pr->oc == OC_OK       ? "online"
                       : pr->oc == OC_FAILED ? "failed"
                                             : "retry",
                       pr->oc == OC_OK ? pr->msg : err);
}

static int process(struct pub_runner *r, const struct outbox_item *it)
{
    struct pub_product p;
    struct pres pr = {OC_OK, "", ""};
    long long id = payload_num(it->payload, "product"), batch = payload_num(it->payload, "batch");
    int rc;
    enum outcome oc;

    if ((rc = pub_product_load(r->s, id, &p, r->e)) < 0) {
        if (rc != QS_E_SOFTWARE)
            return rc;
        r->st->superseded++;
        return outbox_done(r->s, it->id, "the product is gone", r->e);
    }
    /* A later batch (rescheduled, cancelled, undone) took the product over. */
    if (p.batch != batch ||
        !(strcmp(p.state, "publishing") == 0 ||
          (strcmp(p.state, "failed") == 0 && it->state == OUTBOX_CLAIMED && r->o->retry_failed))) {
        r->st->superseded++;
        rc = outbox_done(r->s, it->id, "superseded by a later batch", r->e);
        pub_product_free(&p);
        return rc;
    }
    if (strcmp(p.state, "failed") == 0 && (rc = cstore_product_retake(r->s, p.id, r->e)) < 0) {
        pub_product_free(&p);
        return rc;
    }
    oc = publish_product(r, &p, &pr);
    if (oc == OC_FATAL) {
        /* The store or our credentials: the item waits for its backoff, the run ends. The
         * product keeps the reason, so that publish list shows why it is still publishing
         * (issue 8 item 18). */
        struct qs_err keep = *r->e;
        pub_fail_fatal(r->s, it->id, p.id, p.step ? p.step : PUB_STEP_CREATE, keep.msg);
        *r->e = keep;
        pub_product_free(&p);
        return keep.code ? keep.code : QS_E_SOFTWARE;
    }
    if (oc == OC_OK)
        snprintf(pr.msg, sizeof pr.msg, "item %s on sale", p.item_code);
    rc = settle(r, it, &p, &pr);
    pub_product_free(&p);
    return rc;
}

/* ---- the run ---- */

void pub_run_defaults(struct store *s, const char *shop, struct pub_run_opts *o, int *retries)
{
    char *v = NULL;
    struct qs_err ignore;
    if (o->max_sends <= 0)
        o->max_sends = 3;
    if (o->inflight_s < 0) {
        o->inflight_s = 5;
        if (shop_setting_get(s, shop, "publish.inflight_s", &v, &ignore) == 0 && v)
            o->inflight_s = atol(v) >= 0 ? atol(v) : 5;
        free(v);
        v = NULL;
    }
    *retries = 5;
    if (shop_setting_get(s, shop, "qapi.retries", &v, &ignore) == 0 && v)
        *retries = atoi(v);
    free(v);
    v = NULL;
    /* R-SYN-9: only the documented one-axis form unless the shop says otherwise. */
    if (shop_setting_get(s, shop, "qapi.inventory_form", &v, &ignore) == 0 && v)
        o->inventory_two_axis = strcmp(v, "two-axis") == 0;
    free(v);
}

static enum outbox_recon recon_pending(const struct outbox_item *item, char **ref, void *ctx)
{
    /* The steps read back before any resend (create_sent_at): the item is simply due. */
    (void)item, (void)ref, (void)ctx;
    return OUTBOX_RECON_NOT_SENT;
}

struct promo {
    struct pub_runner *r;
    const char *now;
};

/* cstore_promote_fn: one outbox item per product and promotion. */
static int promoted(void *ctx, long long id, const char *parent, long long batch,
                    const char *publish_at)
{
    struct promo *pm = ctx;
    char key[512], payload[96];
    time_t at, t_now = time(NULL);
    int rc;
    /* Due in the order of the schedule; one brought forward by --due-by is due now. */
    if (tm_parse_utc_iso(publish_at, &at) < 0 || at > t_now)
        at = t_now;
    snprintf(key, sizeof key, "%s#%lld@%s", parent, batch, pm->now);
    snprintf(payload, sizeof payload, "{\"product\":%lld,\"batch\":%lld}", id, batch);
    rc = outbox_enqueue(pm->r->s, pm->r->shop, PUB_KIND_PUBLISH, key, payload, at, NULL, pm->r->e);
    return rc < 0 ? rc : 0;
}

/* Due products -> publishing, one outbox item each, in one transaction: two runs never
 * both take a product. */
static int promote(struct pub_runner *r)
{
    char due[32], now[32];
    struct promo pm = {r, now};
    int rc, own;

    if ((rc = pub_tx_begin(r->s, &own, r->e)) < 0)
        return rc;
    tm_utc_iso(r->o->due_by, due, sizeof due);
    pub_now_iso(now);
    rc = cstore_product_promote(r->s, r->shop, due, now, promoted, &pm, r->e);
    return pub_tx_end(r->s, own, rc, r->e);
}

static int drain(struct pub_runner *r)
{
    struct progress *pg = progress_new("publish", 0, r->o->quiet);
    int rc = 0, first = 1;
    while (rc == 0 && !r->stop) {
        struct outbox_claim_opts co = {
            .shop = r->shop,
            .kind = PUB_KIND_PUBLISH,
            /* --retry-failed claims everything at once, so that what fails again in this
             * run does not come round again. */
            .max = r->o->retry_failed && first ? 100000 : BATCH_CLAIM,
            .retry_failed = r->o->retry_failed && first,
            .now = time(NULL),
        };
        struct outbox_item *items = NULL;
        size_t n = 0;
        first = 0;
        if ((rc = outbox_claim(r->s, &co, &items, &n, r->e)) < 0 || n == 0) {
            outbox_items_free(items, n);
            break;
        }
        size_t i = 0;
        for (; i < n && rc == 0; i++) {
            if (r->stop) {
                /* The marketplace stopped answering: the rest is due again later. */
                struct pres pr = {OC_RETRY, "", "not tried: the marketplace stopped answering"};
                struct pub_product p;
                if ((rc = pub_product_load(r->s, payload_num(items[i].payload, "product"), &p,
                                           r->e)) == 0) {
                    snprintf(pr.step, sizeof pr.step, "%s", p.step ? p.step : PUB_STEP_CREATE);
                    rc = settle(r, &items[i], &p, &pr);
                    pub_product_free(&p);
                }
                continue;
            }
            rc = process(r, &items[i]);
            progress_add(pg, 1);
        }
        outbox_items_free(items, n);
    }
    progress_end(pg);
    return rc;
}

/* --dry-run: the requests of every due product, printed by the client; nothing sent or
 * written. */
static int dry_run(struct pub_runner *r)
{
    sqlite3_stmt *st = NULL;
    char due[32];
    int rc = 0, step;

    tm_utc_iso(r->o->due_by, due, sizeof due);
    if (sqlite3_prepare_v2(store_db(r->s),
                           "SELECT id FROM product WHERE shop = ?1 AND state = 'scheduled'"
                           " AND publish_at <= ?2 ORDER BY publish_at, id",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sqlerr(r->s, r->e, "catalog");
    sqlite3_bind_text(st, 1, r->shop, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, due, -1, SQLITE_TRANSIENT);
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct pub_product p;
        struct prof pf;
        struct pub_params item = {0}, images = {0}, pp = {0};
        char *brand_no = NULL, first[1024] = "", first_rule[32] = "";
        struct issue_first fi = {first, first_rule};
        struct qapi_result res;
        int answered;
        if ((rc = pub_product_load(r->s, sqlite3_column_int64(st, 0), &p, r->e)) < 0)
            break;
        if ((rc = prof_resolve(r->s, r->shop, p.grp_profile, p.profile, &pf, r->e)) == 0 &&
            (rc = prof_brand_get(r->s, r->shop, p.brand, &brand_no, r->e)) == 0) {
            if (pub_map(&p, &pf, brand_no, pub_ship_resolve, r, &item, &images, issue_first, &fi) >
                0) {
                char msg[1100];
                snprintf(msg, sizeof msg, "%s (%s)", first, first_rule);
                rc = pub_run_row(r, p.parent_sku, p.item_code, p.state, PUB_STEP_CHECK, "failed",
                                 msg);
            } else {
                const char *code = p.item_code ? p.item_code : "";
                if (step_rank(p.step) < 1 && pub_call(r, "ItemsBasic.SetNewGoods", &item,
                                                      p.parent_sku, &res, &answered) == 0)
                    qapi_result_free(&res);
                pub_params_add(&pp, "ItemCode", code);
                pub_params_add(&pp, "SellerCode", p.parent_sku);
                for (size_t i = 0; step_rank(p.step) < 2 && i < images.n; i++)
                    pub_params_add(&pp, images.p[i].name, images.p[i].value);
                if (step_rank(p.step) < 2 && images.n &&
                    pub_call(r, "ItemsContents.EditGoodsMultiImage", &pp, p.parent_sku, &res,
                             &answered) == 0)
                    qapi_result_free(&res);
                pub_params_free(&pp);
                pub_params_add(&pp, "ItemCode", code);
                pub_params_add(&pp, "SellerCode", p.parent_sku);
                pub_params_add(&pp, "Status", "2");
                if (pub_call(r, "ItemsBasic.EditGoodsStatus", &pp, p.parent_sku, &res, &answered) ==
                    0)
                    qapi_result_free(&res);
                rc = pub_run_row(r, p.parent_sku, p.item_code, p.state, "", "dry-run",
                                 "requests printed, nothing sent");
            }
        }
        pub_params_free(&item);
        pub_params_free(&images);
        pub_params_free(&pp);
        free(brand_no);
        prof_clear(&pf);
        pub_product_free(&p);
    }
    sqlite3_finalize(st);
    return rc;
}

int pub_run(struct store *s, struct qapi *q, const char *shop, const struct pub_run_opts *o,
            const struct pub_cb *cb, struct pub_run_stats *st, struct qs_err *e)
{
    struct pub_run_opts oo = *o;
    struct pub_runner r = {.s = s, .q = q, .shop = shop, .o = &oo, .cb = cb, .st = st, .e = e};
    int rc;

    memset(st, 0, sizeof *st);
    r.row = rec_new();
    pub_run_defaults(s, shop, &oo, &r.retries);
    if (o->dry_run) {
        rc = dry_run(&r);
        goto out;
    }
    /* SPEC 1.6: what dead runs left in flight first; then what is due. */
    if ((rc = outbox_recover(s, shop, PUB_KIND_PUBLISH, recon_pending, &r, NULL, e)) < 0 ||
        (rc = promote(&r)) < 0 || (rc = drain(&r)) < 0)
        goto out;
    if (!r.stop)
        rc = pub_jobs_drain(&r);
    if (rc == 0)
        rc = pub_waiting(s, shop, time(NULL), &st->waiting, &st->next_try, e);
out:
    pub_runner_free(&r);
    return rc;
}

/* publish_step: one product of `qs publish run`, step by step (R-PUB-7, R-PUB-11):
 * checked and mapped (publish_map.c), created exactly once (SetNewGoods, the SellerCode
 * looked up before any resend), images, status; each step's result committed as it
 * comes, so a retry resumes after the last step done. The run around it is in
 * publish_run.c. */
#include "publish_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../outbox.h"
#include "../tm.h"
#include "../xalloc.h"

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

/* ---- delivery templates (R-PUB-15: ShippingNo from the Shipping fee) ---- */

/* ---- the steps ---- */

static int set_step(struct pub_runner *r, struct pub_product *p, const char *step)
{
    char now[32];
    free(p->step);
    p->step = xstrdup(step);
    return cstore_product_step(r->s, p->id, step, pub_now_iso(now), r->e);
}

/* A step's record left for the next call's flight (pub_later): p->step is set now. */
struct later_step {
    long long product;
    char step[16], at[32];
};

static int later_step_run(struct pub_runner *r, void *arg)
{
    struct later_step *ls = arg;
    return cstore_product_step(r->s, ls->product, ls->step, ls->at, r->e);
}

/* A step whose call repeats harmlessly (images): should its record be lost, the next run
 * sends it again. */
static int set_step_later(struct pub_runner *r, struct pub_product *p, const char *step)
{
    struct later_step *ls = xcalloc(1, sizeof *ls);
    free(p->step);
    p->step = xstrdup(step);
    ls->product = p->id;
    snprintf(ls->step, sizeof ls->step, "%s", step);
    pub_now_iso(ls->at);
    return pub_later(r, later_step_run, ls);
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
        char *ic = json_is_object(o) ? qapi_field_text(o, "ItemCode") : xstrdup("");
        char *sc = json_is_object(o) ? qapi_field_text(o, "SellerCode") : xstrdup("");
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
    struct qs_err ignored = {0};
    if (store_prepare_cached(
            r->s,
            "SELECT shop, parent_sku FROM product WHERE item_code = ?1 AND id <> ?2"
            " LIMIT 1",
            &st, &ignored) == 0) {
        sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, p->id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(holder, size, "Parent SKU \"%s\" of shop %s", sqlite3_column_text(st, 1),
                     sqlite3_column_text(st, 0));
            found = 1;
        }
    }
    store_release(r->s, st);
    return found;
}

struct later_item {
    long long product;
    char code[64], at[32];
};

static int later_item_run(struct pub_runner *r, void *arg)
{
    struct later_item *li = arg;
    return cstore_product_item(r->s, li->product, li->code, PUB_STEP_CREATE, li->at, r->e);
}

/* Binds the item found under the product's SellerCode to it, unless another product holds
 * it (R-PUB-10). */
static enum outcome adopt(struct pub_runner *r, struct pub_product *p, const char *code,
                          struct pres *pr)
{
    char holder[256];
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
    /* Written while the next call is on the wire: should it be lost, the sent-mark written
     * before SetNewGoods has the next run read the item back by SellerCode (R-PUB-7). */
    struct later_item *li = xcalloc(1, sizeof *li);
    li->product = p->id;
    snprintf(li->code, sizeof li->code, "%s", code);
    pub_now_iso(li->at);
    if (pub_later(r, later_item_run, li) < 0)
        return OC_FATAL;
    free(p->item_code);
    p->item_code = xstrdup(code);
    free(p->step);
    p->step = xstrdup(PUB_STEP_CREATE);
    return OC_OK;
}

/* The create step: SetNewGoods exactly once per SellerCode (R-PUB-7). */
static enum outcome step_create(struct pub_runner *r, struct pub_product *p,
                                const struct pub_params *item, int marked, struct pres *pr)
{
    char code[64], why[1024], now[32];
    int sends = 0, finished = 0;

    for (;;) {
        if (p->create_sent_at && !marked) {
            /* R-PUB-7: a send whose answer we never got: read before anything is resent -- once
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
        if (marked) {
            marked = 0; /* written ahead, during the call before (pub_prep_mark) */
        } else {
            pub_now_iso(now);
            if (cstore_product_sent(r->s, p->id, now, r->e) < 0)
                return OC_FATAL;
            p->create_sent_at = xstrdup(now);
        }
        struct qapi_result res;
        int answered, rc;
        /* R-SYN-7: the client sends it again only when it surely never left (the
         * connection failed first); a lost answer is read back above before the next. */
        rc = pub_call(r, "ItemsBasic.SetNewGoods", item, p->parent_sku, &res, &answered);
        sends++;
        if (rc == 0) {
            char *gd =
                json_is_object(res.object) ? qapi_field_text(res.object, "GdNo") : xstrdup("");
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

/* A step sent through the client with its own retries: the calls are idempotent. The
 * step done is written at once, or with persist 0 only in p, for settle() to write in its
 * transaction (the last step: one commit less a product). */
static enum outcome step_simple(struct pub_runner *r, struct pub_product *p, const char *step,
                                const char *method, struct pub_params *pp, int persist,
                                struct pres *pr)
{
    struct qapi_result res;
    int answered, rc;
    rc = pub_call(r, method, pp, p->parent_sku, &res, &answered);
    if (rc == 0) {
        qapi_result_free(&res);
        if (!persist) {
            free(p->step);
            p->step = xstrdup(step);
            return OC_OK;
        }
        return set_step_later(r, p, step) < 0 ? OC_FATAL : OC_OK;
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

/* Runs the steps not done yet of the product read in pp. */
static enum outcome publish_product(struct pub_runner *r, struct pub_prep *pp, struct pres *pr)
{
    struct pub_product *p = &pp->p;
    enum outcome oc = OC_OK;

    if (pub_step_rank(p->step) < 1 && p->item_code && *p->item_code &&
        set_step(r, p, PUB_STEP_CREATE) < 0)
        return OC_FATAL; /* the item exists: never created again */
    if (!pp->mapped) {
        struct pub_issue_first fi = {pp->first, pp->first_rule};
        pp->issues =
            pub_map(p, &pp->pf, pp->brand_no, pub_step_rank(p->step) == 0 ? pub_ship_resolve : NULL,
                    r, &pp->item_p, &pp->images, pub_issue_first, &fi);
        pp->mapped = 1;
    }
    if (pp->issues > 0 && pub_step_rank(p->step) == 0)
        /* R-PUB-11/12/14/15: refused before any call. */
        return pres_set(pr, OC_FAILED, PUB_STEP_CHECK, "%s (%s)%s", pp->first, pp->first_rule,
                        pp->issues > 1 ? "; qs publish check lists every problem" : "");
    if (pub_step_rank(p->step) < 1 &&
        (oc = step_create(r, p, &pp->item_p, pp->marked, pr)) != OC_OK)
        return oc;
    if (pub_step_rank(p->step) < 2) {
        if (pp->images.n == 0) {
            if (set_step_later(r, p, PUB_STEP_IMAGES) < 0)
                oc = OC_FATAL;
        } else {
            struct pub_params ip = {0};
            pub_params_add(&ip, "ItemCode", p->item_code);
            pub_params_add(&ip, "SellerCode", p->parent_sku);
            for (size_t i = 0; i < pp->images.n; i++)
                pub_params_add(&ip, pp->images.p[i].name, pp->images.p[i].value);
            oc =
                step_simple(r, p, PUB_STEP_IMAGES, "ItemsContents.EditGoodsMultiImage", &ip, 1, pr);
            pub_params_free(&ip);
        }
        if (oc != OC_OK)
            return oc;
    }
    if (pub_step_rank(p->step) < 3) {
        struct pub_params sp = {0};
        pub_params_add(&sp, "ItemCode", p->item_code);
        pub_params_add(&sp, "SellerCode", p->parent_sku);
        pub_params_add(&sp, "Status", "2"); /* reference 3.7: 2 available */
        /* Its step is written by settle(), with the product online: a crash between the
         * answer and that commit leaves step images, and the next run sends this idempotent
         * status again (R-SYN-7, as pub_call does after a lost answer). */
        oc = step_simple(r, p, PUB_STEP_STATUS, "ItemsBasic.EditGoodsStatus", &sp, 0, pr);
        pub_params_free(&sp);
    }
    return oc;
}

/* ---- one claimed product ---- */

/* A product's publication as settle() writes it: the outbox item, the product and what
 * came of it. */
struct later_settle {
    long long item, product;
    struct pres pr;
    const char *item_code; /* into text, after the Parent SKU */
    char parent_sku[];     /* one allocation (pub_later frees arg) */
};

/* Settles a product's publication: the product's state and the outbox item, one
 * transaction; then its result row. Left for the next call's flight (pub_later): should it
 * be lost, the outbox item is recovered and its last step, idempotent, sent again. */
static int settle_run(struct pub_runner *r, void *arg)
{
    const struct later_settle *ls = arg;
    const struct pres *pr = &ls->pr;
    const char *item_code = *ls->item_code ? ls->item_code : NULL;
    char now[32], err[1200];
    int rc, own;
    const char *state;

    if ((rc = pub_tx_begin(r->s, &own, r->e)) < 0)
        return rc;
    pub_now_iso(now);
    switch (pr->oc) {
    case OC_OK:
        state = "online";
        rc = cstore_product_step(r->s, ls->product, PUB_STEP_STATUS, now, r->e);
        if (rc == 0)
            rc = cstore_product_state(r->s, ls->product, "online", NULL, now, r->e);
        if (rc == 0)
            rc = outbox_done(r->s, ls->item, item_code, r->e);
        r->st->online++;
        break;
    case OC_FAILED:
        /* R-PUB-11: failed with the step named; a retry resumes from that step. */
        state = "failed";
        snprintf(err, sizeof err, "step %s: %s", pr->step, pr->msg);
        rc = cstore_product_state(r->s, ls->product, "failed", err, now, r->e);
        if (rc == 0)
            rc = outbox_fail(r->s, ls->item, err, 0, time(NULL), r->e);
        r->st->failed++;
        break;
    default:
        /* Stays publishing, due again after the outbox's backoff. */
        state = "publishing";
        snprintf(err, sizeof err, "step %s: %s (will retry)", pr->step, pr->msg);
        rc = cstore_product_error(r->s, ls->product, err, now, r->e);
        if (rc == 0)
            rc = outbox_fail(r->s, ls->item, err, 1, time(NULL), r->e);
        r->st->retry++;
        break;
    }
    if ((rc = pub_tx_end(r->s, own, rc, r->e)) < 0)
        return rc;
    return pub_run_row(r, ls->parent_sku, item_code, state,
                       pr->oc == OC_OK ? PUB_STEP_STATUS : pr->step,
                       pr->oc == OC_OK       ? "online"
                       : pr->oc == OC_FAILED ? "failed"
                                             : "retry",
                       pr->oc == OC_OK ? pr->msg : err);
}

static int settle(struct pub_runner *r, const struct outbox_item *it, const struct pub_product *p,
                  const struct pres *pr)
{
    const char *code = p->item_code ? p->item_code : "";
    size_t np = strlen(p->parent_sku) + 1, nc = strlen(code) + 1;
    struct later_settle *ls = xmalloc(sizeof *ls + np + nc);
    ls->item = it->id;
    ls->product = p->id;
    ls->pr = *pr;
    memcpy(ls->parent_sku, p->parent_sku, np);
    ls->item_code = ls->parent_sku + np;
    memcpy(ls->parent_sku + np, code, nc);
    return pub_later(r, settle_run, ls);
}

int pub_process(struct pub_runner *r, const struct outbox_item *it)
{
    struct pub_prep local, *pp = &local;
    struct pres pr = {OC_OK, "", ""};
    int rc;
    enum outcome oc;

    if (r->ahead && r->ahead->item == it->id && r->ahead->rc == 0)
        pp = r->ahead; /* read while the call before it was on the wire */
    else
        pub_prep_read(r, it, 0, pp);
    if (!pp->have_p) {
        if ((rc = pp->rc) == QS_E_SOFTWARE) { /* no such product */
            r->st->superseded++;
            rc = outbox_done(r->s, it->id, "the product is gone", r->e);
        }
        goto out;
    }
    if (pp->superseded) {
        r->st->superseded++;
        rc = outbox_done(r->s, it->id, "superseded by a later batch", r->e);
        goto out;
    }
    if (strcmp(pp->p.state, "failed") == 0 &&
        (rc = cstore_product_retake(r->s, pp->p.id, r->e)) < 0)
        goto out;
    /* Its profile or brand could not be read: the store. */
    oc = pp->rc < 0 ? OC_FATAL : publish_product(r, pp, &pr);
    if (oc == OC_FATAL) {
        /* The store or our credentials: the item waits for its backoff, the run ends. The
         * product keeps the reason, so that publish list shows why it is still publishing
         * (issue 8 item 18). */
        struct qs_err keep = *r->e;
        if (pub_later_flush(r) < 0)
            keep = *r->e; /* what the products before it came to failed first */
        pub_fail_fatal(r->s, it->id, pp->p.id, pp->p.step ? pp->p.step : PUB_STEP_CREATE, keep.msg);
        *r->e = keep;
        rc = keep.code ? keep.code : QS_E_SOFTWARE;
        goto out;
    }
    if (oc == OC_OK)
        snprintf(pr.msg, sizeof pr.msg, "item %s on sale", pp->p.item_code);
    rc = settle(r, it, &pp->p, &pr);
out:
    if (pp == &local)
        pub_prep_free(pp);
    else
        pub_ahead_drop(r);
    return rc;
}

int pub_untried(struct pub_runner *r, const struct outbox_item *it)
{
    struct pres pr = {OC_RETRY, "", "not tried: the marketplace stopped answering"};
    struct pub_product p;
    long long id, batch;
    int rc;
    pub_payload_read(it->payload, &id, &batch);
    if ((rc = pub_product_load(r->s, id, &p, r->e)) == 0) {
        snprintf(pr.step, sizeof pr.step, "%s", p.step ? p.step : PUB_STEP_CREATE);
        rc = settle(r, it, &p, &pr);
        pub_product_free(&p);
    }
    return rc;
}

/* publish_runner: what a run shares with the listing jobs and the steps it drives (publish_run.c,
 * publish_job.c, publish_step.c): the calls through the client (counted), the result rows,
 * the run's defaults and the delivery templates read once per run. Below all three, so
 * that none of them calls another to reach these (issue 10 item 6). */
#include "publish_int.h"

#include <stdlib.h>
#include <string.h>

#include "../shop.h"
#include "../xalloc.h"

int pub_run_row(struct pub_runner *r, const char *parent_sku, const char *item_code,
                const char *state, const char *step, const char *result, const char *msg)
{
    if (!r->cb || (!r->cb->row && !r->cb->jrow))
        return 0;
    rec_clear(r->row);
    rec_set(r->row, "parent_sku", parent_sku);
    rec_set(r->row, "item_code", item_code ? item_code : "");
    rec_set(r->row, "state", state ? state : "");
    rec_set(r->row, "step", step ? step : "");
    rec_set(r->row, "result", result);
    rec_set(r->row, "message", msg ? msg : "");
    return pub_emit(r->cb, pub_outcome(result), r->row, r->e);
}

int pub_call(struct pub_runner *r, const char *method, const struct pub_params *pp, const char *key,
             struct qapi_result *res, int *answered)
{
    struct qs_err ce;
    int rc;
    memset(res, 0, sizeof *res);
    err_clear(&ce);
    rc = qapi_call(r->q, method, pp->p, pp->n, key, res, &ce);
    /* R-SYN-7: the client sends a write whose answer is lost no second time; the doubt is
     * ours. A write that sets a value (images, status, price: qapi_method_kind) is sent
     * again here, as a read would settle nothing a repeat does not; SetNewGoods is read
     * back by step_create before it is sent again. */
    for (int i = 1; rc < 0 && res->cls == QAPI_RETRY && qapi_method_kind(method) == QAPI_KIND_SET &&
                    i <= qapi_retries(r->q);
         i++) {
        qapi_result_free(res);
        qapi_backoff(r->q, i);
        err_clear(&ce);
        rc = qapi_call(r->q, method, pp->p, pp->n, key, res, &ce);
    }
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

int pub_later(struct pub_runner *r, pub_later_fn fn, void *arg)
{
    if (r->nlater == PUB_LATER)
        pub_later_flush(r);
    if (r->later_rc) {
        free(arg);
        return pub_later_flush(r);
    }
    if (!r->later)
        r->later = xcalloc(PUB_LATER, sizeof *r->later);
    r->later[r->nlater++] = (struct pub_later){fn, arg};
    return 0;
}

int pub_later_flush(struct pub_runner *r)
{
    struct qs_err *keep = r->e;
    size_t i = 0;

    /* The work reports into its own error: a call may be using r->e meanwhile. */
    r->e = &r->later_err;
    for (; i < r->nlater && !r->later_rc; i++) {
        int rc = r->later[i].fn(r, r->later[i].arg);
        if (rc < 0)
            r->later_rc = rc;
        free(r->later[i].arg);
    }
    for (; i < r->nlater; i++)
        free(r->later[i].arg); /* dropped: the run stops; what it did is read back later */
    r->nlater = 0;
    r->e = keep;
    if (r->later_rc && r->e)
        *r->e = r->later_err;
    return r->later_rc;
}

void pub_later_idle(void *ctx)
{
    struct pub_runner *r = ctx;
    /* Never inside a transaction of the caller's: its rollback would undo this work. */
    if (r->nlater && sqlite3_get_autocommit(store_db(r->s)))
        pub_later_flush(r);
}

void pub_runner_free(struct pub_runner *r)
{
    for (size_t i = 0; i < r->nlater; i++)
        free(r->later[i].arg);
    free(r->later);
    pub_ship_list_free(&r->ship);
    rec_free(r->row);
}

void pub_run_defaults(struct store *s, const char *shop, struct pub_run_opts *o)
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
    /* R-SYN-9: only the documented one-axis form unless the shop says otherwise. */
    if (shop_setting_get(s, shop, "qapi.inventory_form", &v, &ignore) == 0 && v)
        o->inventory_two_axis = strcmp(v, "two-axis") == 0;
    free(v);
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

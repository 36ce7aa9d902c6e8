/* publish_run: `qs publish run` -- due products go online step by step (R-PUB-7, R-PUB-11),
 * exactly once on the marketplace. Each product being published is one outbox item
 * (kind "publish"), so two runs never work on one product and the items of a run that
 * died are recovered; the SellerCode (Parent SKU) is the idempotency key: a SetNewGoods
 * whose answer was lost (product.create_sent_at set) is never sent again before
 * GetItemDetailInfo by SellerCode shows the item does not exist, and an item another
 * product holds is never adopted (R-PUB-10). Each step's result is committed as it
 * comes: a retry resumes after the last step done. This file is the run (promotion, the
 * claims, --dry-run); one product's steps are in publish_step.c. */
#include "publish_int.h"

#include <stdlib.h>
#include <string.h>

#include "../outbox.h"
#include "../progress.h"
#include "../tm.h"
#include "../xalloc.h"

#define BATCH_CLAIM 8 /* products claimed at a time: two runs share the work */

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

/* A run's drain: its claims, and what the client's idle slot does for it. */
struct drain {
    struct pub_runner *r;
    int want_claim; /* the batch's last product is being sent: claim the next */
    int have_claim; /* claimed ahead (items, n) */
    struct outbox_item *items;
    size_t n;
};

static int claim(struct drain *d, struct outbox_item **items, size_t *n, struct qs_err *e)
{
    struct outbox_claim_opts co = {
        .shop = d->r->shop,
        .kind = PUB_KIND_PUBLISH,
        .max = BATCH_CLAIM,
        .retry_failed = d->r->o->retry_failed,
        .now = time(NULL),
    };
    return outbox_claim(d->r->s, &co, items, n, e);
}

/* The client's idle slot during a run (qapi_set_idle), outside any transaction: what waits
 * is written (pub_later), then the next product is read, or the next batch claimed. */
static void run_idle(void *ctx)
{
    struct drain *d = ctx;
    struct pub_runner *r = d->r;

    if (!sqlite3_get_autocommit(store_db(r->s)))
        return;
    pub_later_idle(r);
    if (r->later_rc)
        return;
    if (r->next && !r->ahead) {
        r->ahead = xmalloc(sizeof *r->ahead);
        if (pub_prep_read(r, r->next, 1, r->ahead) == 0) /* a failure is read again, in turn */
            pub_prep_mark(r, r->ahead);
    } else if (d->want_claim && !d->have_claim) {
        struct qs_err ignore; /* claimed again, in turn */
        d->want_claim = 0;
        d->have_claim = claim(d, &d->items, &d->n, &ignore) == 0;
    }
}

static int drain(struct pub_runner *r)
{
    struct progress *pg = progress_new("publish", 0, r->o->quiet);
    struct drain d = {.r = r};
    int rc = 0;

    qapi_set_idle(r->q, run_idle, &d);
    while (rc == 0 && !r->stop) {
        struct outbox_item *items = NULL;
        size_t n = 0;
        if (d.have_claim) {
            items = d.items, n = d.n;
            d.have_claim = 0;
        } else if ((rc = claim(&d, &items, &n, r->e)) < 0) {
            break;
        }
        if (n == 0) {
            outbox_items_free(items, n);
            break;
        }
        size_t i = 0;
        for (; i < n && rc == 0; i++) {
            r->next = i + 1 < n ? &items[i + 1] : NULL;
            d.want_claim = i + 1 == n;
            if (r->stop) {
                /* The marketplace stopped answering: the rest is due again later. */
                pub_ahead_drop(r);
                rc = pub_untried(r, &items[i]);
                continue;
            }
            rc = pub_process(r, &items[i]);
            if (rc == 0)
                rc = r->later_rc ? pub_later_flush(r) : 0; /* a settle left for later failed */
            progress_add(pg, 1);
        }
        r->next = NULL;
        d.want_claim = 0;
        pub_ahead_drop(r);
        outbox_items_free(items, n);
    }
    qapi_set_idle(r->q, pub_later_idle, r);
    if (d.have_claim) {
        /* Claimed ahead by a run that stops: due again (the outbox's recovery would wait). */
        for (size_t i = 0; i < d.n && rc == 0; i++)
            rc = pub_untried(r, &d.items[i]);
        outbox_items_free(d.items, d.n);
    }
    /* What the last products came to (left for a call that does not come). */
    if (pub_later_flush(r) < 0 && rc == 0)
        rc = r->later_rc;
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
        struct pub_issue_first fi = {first, first_rule};
        struct qapi_result res;
        int answered;
        if ((rc = pub_product_load(r->s, sqlite3_column_int64(st, 0), &p, r->e)) < 0)
            break;
        if ((rc = prof_resolve(r->s, r->shop, p.grp_profile, p.profile, &pf, r->e)) == 0 &&
            (rc = prof_brand_get(r->s, r->shop, p.brand, &brand_no, r->e)) == 0) {
            if (pub_map(&p, &pf, brand_no, pub_ship_resolve, r, &item, &images, pub_issue_first,
                        &fi) > 0) {
                char msg[1100];
                snprintf(msg, sizeof msg, "%s (%s)", first, first_rule);
                rc = pub_run_row(r, p.parent_sku, p.item_code, p.state, PUB_STEP_CHECK, "failed",
                                 msg);
            } else {
                const char *code = p.item_code ? p.item_code : "";
                if (pub_step_rank(p.step) < 1 && pub_call(r, "ItemsBasic.SetNewGoods", &item,
                                                          p.parent_sku, &res, &answered) == 0)
                    qapi_result_free(&res);
                pub_params_add(&pp, "ItemCode", code);
                pub_params_add(&pp, "SellerCode", p.parent_sku);
                for (size_t i = 0; pub_step_rank(p.step) < 2 && i < images.n; i++)
                    pub_params_add(&pp, images.p[i].name, images.p[i].value);
                if (pub_step_rank(p.step) < 2 && images.n &&
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
    pub_run_defaults(s, shop, &oo);
    qapi_set_idle(q, pub_later_idle, &r);
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
    qapi_set_idle(q, NULL, NULL);
    pub_runner_free(&r);
    return rc;
}

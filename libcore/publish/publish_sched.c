/* publish_sched: qs publish now | at | every | spread | cancel -- the schedule of a batch
 * of products (R-PUB-1..6), recorded for undo (R-PUB-13). */
#include "publish_int.h"

#include <stdlib.h>
#include <string.h>

#include "publish.h"
#include "../tm.h"
#include "../xalloc.h"

/* Reports a check failure of a product (before any call) as an error of its Parent SKU. */
struct issue_ctx {
    const struct pub_cb *cb;
    const char *parent;
};

static void issue_report(void *ctx, const char *rule, const char *field, const char *sku,
                         const char *msg)
{
    struct issue_ctx *ic = ctx;
    (void)field;
    pub_diag(ic->cb, 0, rule, sku ? sku : ic->parent, "%s", msg);
}

/* Runs the checks publish makes before any call on product id (those of the create step:
 * a product whose item exists already has passed them). Returns the number of problems,
 * or a negative error. */
static int precheck(struct store *s, const char *shop, const struct pub_product *p,
                    const struct pub_cb *cb, struct qs_err *e)
{
    struct prof pf;
    struct pub_params item = {0}, images = {0};
    struct issue_ctx ic = {cb, p->parent_sku};
    char *brand_no = NULL;
    int rc;

    if (p->item_code && *p->item_code)
        return 0;
    if ((rc = prof_resolve(s, shop, p->grp_profile, p->profile, &pf, e)) < 0)
        return rc;
    if ((rc = prof_brand_get(s, shop, p->brand, &brand_no, e)) == 0)
        rc = pub_map(p, &pf, brand_no, NULL, NULL, &item, &images, issue_report, &ic);
    free(brand_no);
    pub_params_free(&item);
    pub_params_free(&images);
    prof_clear(&pf);
    return rc;
}

static int sched_row(const struct pub_cb *cb, struct rec *r, const char *parent, const char *state,
                     time_t at, const char *tz, long long batch, struct qs_err *e)
{
    char when[64] = "", b[32] = "";
    if (!cb || !cb->row)
        return 0;
    if (at)
        tm_format(at, tz, 1, when, sizeof when);
    if (batch)
        snprintf(b, sizeof b, "%lld", batch);
    rec_clear(r);
    rec_set(r, "parent_sku", parent);
    rec_set(r, "state", state);
    rec_set(r, "publish_at", when);
    rec_set_typed(r, "batch", b, batch ? REC_NUM : REC_NULL);
    return cb->row(cb->ctx, r, e);
}

int pub_schedule(struct store *s, const char *shop, const struct pub_sel *sel,
                 const struct pub_sched_opts *o, const struct pub_cb *cb,
                 struct pub_sched_stats *st, struct qs_err *e)
{
    long long *ids = xcalloc(sel->n ? sel->n : 1, sizeof *ids);
    time_t *at = xcalloc(sel->n ? sel->n : 1, sizeof *at);
    struct rec *r = rec_new();
    struct pub_product p;
    size_t n = 0;
    long bad = 0;
    int rc = 0, own = 0, in_tx = 0;
    char now[32], when[32];

    memset(st, 0, sizeof *st);
    /* R-PUB-1..4 apply to what can go online: online and publishing ones are left alone. */
    for (size_t i = 0; i < sel->n && rc == 0; i++) {
        if ((rc = pub_product_load(s, sel->id[i], &p, e)) < 0)
            break;
        if (strcmp(p.state, "online") == 0 || strcmp(p.state, "publishing") == 0) {
            pub_diag(cb, 1, NULL, p.parent_sku, "Parent SKU \"%s\" is %s; left as it is%s",
                     p.parent_sku, p.state,
                     strcmp(p.state, "publishing") == 0
                         ? " (qs publish run --retry-failed retries it now)"
                         : "");
            st->skipped++;
        } else {
            int k = precheck(s, shop, &p, cb, e);
            if (k < 0)
                rc = k;
            else if (k > 0)
                bad++;
            else
                ids[n++] = p.id;
        }
        pub_product_free(&p);
    }
    if (rc == 0 && bad)
        rc = err_set(e, QS_E_DATA, NULL,
                     "%ld product%s would be refused by the marketplace checks; nothing was "
                     "scheduled",
                     bad, bad == 1 ? "" : "s");
    if (rc < 0 || n == 0)
        goto out;
    switch (o->when) {
    case PUB_NOW:
        sched_at(o->now, n, at);
        break;
    case PUB_AT:
        sched_at(o->at, n, at);
        break;
    case PUB_EVERY:
        if (sched_every(o->at, o->minutes, n, at) < 0)
            rc = err_set(e, QS_E_USAGE, "R-PUB-3", "every %ld minutes from then is out of range",
                         o->minutes);
        break;
    case PUB_SPREAD:
        if (sched_spread(o->at, o->to, n, at) < 0)
            rc = err_set(e, QS_E_USAGE, "R-PUB-4", "the window's end must come after its start");
        break;
    }
    if (rc < 0 || (rc = pub_tx_begin(s, &own, e)) < 0)
        goto out;
    in_tx = 1;
    if ((rc = cstore_batch_open(s, shop, "publish", &st->batch, e)) < 0)
        goto out;
    pub_now_iso(now);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if ((rc = pub_product_load(s, ids[i], &p, e)) < 0)
            break;
        tm_utc_iso(at[i], when, sizeof when);
        /* An offline item exists: publishing it again is its status step again. */
        const char *step = strcmp(p.state, "offline") == 0 ? PUB_STEP_IMAGES : p.step;
        char b[32];
        snprintf(b, sizeof b, "%lld", p.batch);
        /* R-PUB-13: the previous values, for undo. */
        if ((rc = cstore_change_add(s, st->batch, p.id, 0, "state", p.state, "scheduled", e)) < 0 ||
            (rc = cstore_change_add(s, st->batch, p.id, 0, "publish_at", p.publish_at, when, e)) <
                0 ||
            (rc = cstore_change_add(s, st->batch, p.id, 0, "step", p.step, step, e)) < 0 ||
            (rc = cstore_change_add(s, st->batch, p.id, 0, "error", p.error, NULL, e)) < 0 ||
            (rc = cstore_change_add(s, st->batch, p.id, 0, "batch", p.batch ? b : NULL, NULL, e)) <
                0 ||
            (rc = cstore_product_schedule(s, p.id, when, step, st->batch, now, e)) < 0 ||
            (rc = sched_row(cb, r, p.parent_sku, "scheduled", at[i], o->tz,
                            o->dry_run ? 0 : st->batch, e)) < 0) {
            pub_product_free(&p);
            break;
        }
        st->scheduled++;
        pub_product_free(&p);
    }
out:
    if (in_tx && o->dry_run && rc == 0) {
        if (own)
            store_rollback(s); /* --dry-run: checked and printed, nothing written */
    } else if (in_tx) {
        rc = pub_tx_end(s, own, rc, e);
    }
    if (o->dry_run)
        st->batch = 0;
    rec_free(r);
    free(ids);
    free(at);
    return rc;
}

int pub_cancel(struct store *s, const char *shop, const struct pub_sel *sel, const char *tz,
               int dry_run, const struct pub_cb *cb, struct pub_sched_stats *st, struct qs_err *e)
{
    struct rec *r = rec_new();
    struct pub_product p;
    int rc, own;
    char now[32], b[32];

    memset(st, 0, sizeof *st);
    if ((rc = pub_tx_begin(s, &own, e)) < 0)
        goto out2;
    pub_now_iso(now);
    for (size_t i = 0; i < sel->n && rc == 0; i++) {
        if ((rc = pub_product_load(s, sel->id[i], &p, e)) < 0)
            break;
        if (strcmp(p.state, "scheduled") != 0) {
            pub_diag(cb, 1, "R-PUB-6", p.parent_sku, "Parent SKU \"%s\" is %s, not scheduled",
                     p.parent_sku, p.state);
            st->skipped++;
            pub_product_free(&p);
            continue;
        }
        if (!st->batch && (rc = cstore_batch_open(s, shop, "cancel", &st->batch, e)) < 0) {
            pub_product_free(&p);
            break;
        }
        snprintf(b, sizeof b, "%lld", p.batch);
        /* R-PUB-6: scheduled -> pending; R-PUB-13: recorded for undo. */
        if ((rc = cstore_change_add(s, st->batch, p.id, 0, "state", p.state, "pending", e)) == 0 &&
            (rc = cstore_change_add(s, st->batch, p.id, 0, "publish_at", p.publish_at, NULL, e)) ==
                0 &&
            (rc = cstore_change_add(s, st->batch, p.id, 0, "batch", p.batch ? b : NULL, NULL, e)) ==
                0 &&
            (rc = cstore_product_unschedule(s, p.id, st->batch, now, e)) == 0)
            rc = sched_row(cb, r, p.parent_sku, "pending", 0, tz, dry_run ? 0 : st->batch, e);
        if (rc == 0)
            st->scheduled++;
        pub_product_free(&p);
    }
    if (dry_run && rc == 0) {
        if (own)
            store_rollback(s);
        st->batch = 0;
    } else {
        rc = pub_tx_end(s, own, rc, e);
    }
out2:
    rec_free(r);
    return rc;
}

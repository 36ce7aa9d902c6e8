/* publish_prep: one product of `qs publish run` read and mapped before its calls -- by
 * pub_process, or ahead, while the call before it is on the wire (issue 16: the store's
 * work overlaps the marketplace's). Reading only, but for the sent-mark of its SetNewGoods
 * written ahead (pub_prep_mark): whatever else the product's publication writes is written
 * by pub_process (publish_step.c), in order. */
#include "publish_int.h"

#include <stdlib.h>
#include <string.h>

#include "../outbox.h"
#include "../xalloc.h"

int pub_step_rank(const char *step)
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

void pub_issue_first(void *ctx, const char *rule, const char *field, const char *sku,
                     const char *msg)
{
    struct pub_issue_first *fi = ctx;
    (void)field;
    (void)sku;
    if (!fi->msg[0]) {
        snprintf(fi->msg, 1024, "%s", msg);
        snprintf(fi->rule, 32, "%s", rule);
    }
}

void pub_payload_read(const char *payload, long long *product, long long *batch)
{
    json_t *o = json_loads(payload ? payload : "{}", 0, NULL);
    *product = json_integer_value(json_object_get(o, "product"));
    *batch = json_integer_value(json_object_get(o, "batch"));
    json_decref(o);
}

/* The delivery templates (pub_ship_resolve) for a product read ahead: they are read by a
 * call, which cannot be made from ahead (no call is made while one is on the wire). */
struct ahead_ship {
    struct pub_runner *r;
    int may_call; /* not ahead */
    int needed;   /* a fee needed the templates, not read yet: the mapping is not kept */
};

static int ship_resolve(void *ctx, long long fee, char no[16])
{
    struct ahead_ship *as = ctx;
    if (!as->may_call && !as->r->ship_tried) {
        as->needed = 1;
        return 2;
    }
    return pub_ship_resolve(as->r, fee, no);
}

int pub_prep_read(struct pub_runner *r, const struct outbox_item *it, int ahead,
                  struct pub_prep *pp)
{
    struct qs_err *e = ahead ? &pp->err : r->e;
    int rank;

    memset(pp, 0, sizeof *pp);
    pp->item = it->id;
    pub_payload_read(it->payload, &pp->product, &pp->batch);
    if ((pp->rc = pub_product_load(r->s, pp->product, &pp->p, e)) < 0)
        return pp->rc;
    pp->have_p = 1;
    /* A later batch (rescheduled, cancelled, undone) took the product over. */
    pp->superseded =
        pp->p.batch != pp->batch || !(strcmp(pp->p.state, "publishing") == 0 ||
                                      (strcmp(pp->p.state, "failed") == 0 &&
                                       it->state == OUTBOX_CLAIMED && r->o->retry_failed));
    if (pp->superseded)
        return 0;
    if ((pp->rc = prof_resolve(r->s, r->shop, pp->p.grp_profile, pp->p.profile, &pp->pf, e)) < 0)
        return pp->rc;
    pp->have_pf = 1;
    if ((pp->rc = prof_brand_get(r->s, r->shop, pp->p.brand, &pp->brand_no, e)) < 0)
        return pp->rc;
    /* An item already made counts as created (pub_process writes the step). */
    rank = pub_step_rank(pp->p.step);
    if (rank < 1 && pp->p.item_code && *pp->p.item_code)
        rank = 1;
    struct pub_issue_first fi = {pp->first, pp->first_rule};
    struct ahead_ship as = {.r = r, .may_call = !ahead};
    pp->issues = pub_map(&pp->p, &pp->pf, pp->brand_no, rank == 0 ? ship_resolve : NULL, &as,
                         &pp->item_p, &pp->images, pub_issue_first, &fi);
    if (as.needed) { /* mapped again by pub_process, which may call */
        pub_params_free(&pp->item_p);
        pub_params_free(&pp->images);
        pp->issues = 0;
        pp->first[0] = pp->first_rule[0] = '\0';
        return 0;
    }
    pp->mapped = 1;
    return 0;
}

void pub_prep_mark(struct pub_runner *r, struct pub_prep *pp)
{
    char now[32];
    struct qs_err ignore;

    if (pp->rc < 0 || !pp->have_p || pp->superseded || !pp->mapped || pp->issues > 0 ||
        pub_step_rank(pp->p.step) > 0 || (pp->p.item_code && *pp->p.item_code) ||
        pp->p.create_sent_at)
        return;
    pub_now_iso(now);
    if (cstore_product_sent(r->s, pp->p.id, now, &ignore) < 0)
        return; /* pub_process writes it, in turn */
    pp->p.create_sent_at = xstrdup(now);
    pp->marked = 1;
}

void pub_prep_free(struct pub_prep *pp)
{
    if (pp->have_p)
        pub_product_free(&pp->p);
    if (pp->have_pf)
        prof_clear(&pp->pf);
    free(pp->brand_no);
    pub_params_free(&pp->item_p);
    pub_params_free(&pp->images);
    memset(pp, 0, sizeof *pp);
}

void pub_ahead_drop(struct pub_runner *r)
{
    if (r->ahead) {
        pub_prep_free(r->ahead);
        free(r->ahead);
        r->ahead = NULL;
    }
}

/* publish_edit: qs publish edit | withdraw | undo | copy | category, and profile
 * assignment -- batch changes of listings, recorded for undo (R-PUB-13); what is on the
 * marketplace gets the change too, through listing jobs (publish_job.c). */
#include "publish_int.h"

#include <stdlib.h>
#include <string.h>

#include "../catalog/catalog.h"
#include "../tm.h"
#include "../xalloc.h"

static char *num(long long v, char buf[32])
{
    if (v < 0)
        return NULL;
    snprintf(buf, 32, "%lld", v);
    return buf;
}

/* ---- edit (R-PUB-9) ---- */

struct vnew {
    long long price, qty, shipping;
};

int pub_edit(struct store *s, struct qapi *q, const char *shop, const struct pub_sel *sel,
             const struct pub_edit_opts *o, const struct pub_run_opts *ro, const struct pub_cb *cb,
             struct pub_run_stats *rst, long long *batch, struct qs_err *e)
{
    struct pub_product *ps = xcalloc(sel->n ? sel->n : 1, sizeof *ps);
    struct vnew **nv = xcalloc(sel->n ? sel->n : 1, sizeof *nv);
    int *changed = xcalloc(sel->n ? sel->n : 1, sizeof *changed);
    struct pub_jresults jr = {0};
    struct rec *r = rec_new();
    size_t np = 0;
    long bad = 0;
    int rc = 0, own = 0, in_tx = 0;
    char now[32], a[32], b[32], bs[32];

    *batch = 0;
    for (size_t i = 0; i < sel->n && rc == 0; i++) {
        struct pub_product *p = &ps[np];
        if ((rc = pub_product_load(s, sel->id[i], p, e)) < 0)
            break;
        np++;
        if (strcmp(p->state, "publishing") == 0) {
            pub_diag(cb, 0, "R-PUB-9", p->parent_sku,
                     "Parent SKU \"%s\" is being published; edit it once qs publish run is done",
                     p->parent_sku);
            bad++;
            continue;
        }
        nv[np - 1] = xcalloc(p->nv ? p->nv : 1, sizeof **nv);
        long long lo = -1, hi = -1, *vids = xcalloc(p->nv ? p->nv : 1, sizeof *vids);
        size_t ilo = 0, ihi = 0; /* the first variant of the lowest and the highest price */
        for (size_t k = 0; k < p->nv; k++)
            vids[k] = p->v[k].id;
        for (size_t k = 0; k < p->nv; k++) {
            struct pub_variant *v = &p->v[k];
            struct vnew *n = &nv[np - 1][k];
            n->price = v->price, n->qty = v->qty, n->shipping = v->shipping;
            /* A product named by some of its SKUs: only those change. */
            if (!pub_sel_applies(sel, p->id, vids, p->nv, v->id)) {
                if (lo < 0 || n->price < lo)
                    lo = n->price, ilo = k;
                if (n->price > hi)
                    hi = n->price, ihi = k;
                continue;
            }
            if (o->has_price && pub_price_apply(&o->price, v->price, &n->price) < 0) {
                /* R-PUB-14: a price is 1..999,999,999 yen. */
                pub_diag(cb, 0, "R-PUB-14", v->sku,
                         "SKU \"%s\": the new price is outside 1 to 999,999,999 yen", v->sku);
                bad++;
            }
            if (o->has_qty)
                n->qty = o->qty;
            if (o->has_shipping)
                n->shipping = o->shipping;
            if (lo < 0 || n->price < lo)
                lo = n->price, ilo = k;
            if (n->price > hi)
                hi = n->price, ihi = k;
        }
        free(vids);
        char msg[1024];
        /* The new prices against the catalog's rule of the spread (R-PUB-11 refuses it). */
        if (lo > 0 && cat_spread_check(p->parent_sku, p->v[ihi].sku, hi, p->v[ilo].sku, lo, 0, msg,
                                       sizeof msg)) {
            pub_diag(cb, 0, "R-IMP-9", p->parent_sku, "%s", msg);
            bad++;
        }
    }
    if (rc == 0 && bad)
        rc = err_set(e, QS_E_DATA, NULL, "%ld problem%s; nothing was changed", bad,
                     bad == 1 ? "" : "s");
    if (rc < 0 || np == 0)
        goto out;
    if ((rc = pub_tx_begin(s, &own, e)) < 0)
        goto out;
    in_tx = 1;
    if ((rc = cstore_batch_open(s, shop, "edit", batch, e)) < 0)
        goto out;
    pub_now_iso(now);
    snprintf(bs, sizeof bs, "%lld", *batch);
    for (size_t i = 0; i < np && rc == 0; i++) {
        struct pub_product *p = &ps[i];
        json_t *qty = json_array();
        int price_changed = 0, ship_changed = 0, any = 0;
        for (size_t k = 0; k < p->nv && rc == 0; k++) {
            struct pub_variant *v = &p->v[k];
            struct vnew *n = &nv[i][k];
            /* R-PUB-13: every changed value with its previous one. */
            if (n->price != v->price) {
                price_changed = any = 1;
                rc = cstore_change_add(s, *batch, p->id, v->id, "price", num(v->price, a),
                                       num(n->price, b), e);
            }
            if (rc == 0 && n->qty != v->qty) {
                any = 1;
                json_array_append_new(qty, json_string(v->sku));
                rc = cstore_change_add(s, *batch, p->id, v->id, "quantity", num(v->qty, a),
                                       num(n->qty, b), e);
            }
            if (rc == 0 && n->shipping != v->shipping) {
                ship_changed = any = 1;
                rc = cstore_change_add(s, *batch, p->id, v->id, "shipping", num(v->shipping, a),
                                       num(n->shipping, b), e);
            }
            if (rc == 0 &&
                (n->price != v->price || n->qty != v->qty || n->shipping != v->shipping)) {
                long long vb = 0;
                char b2[32];
                rc = pub_sql_int(s, e, &vb, 0, "SELECT batch FROM variant WHERE id = ?1", "i",
                                 v->id);
                if (rc == 0)
                    rc = cstore_change_add(s, *batch, p->id, v->id, "batch",
                                           vb ? num(vb, b2) : NULL, bs, e);
            }
            if (rc == 0 && (n->price != v->price || n->qty != v->qty || n->shipping != v->shipping))
                rc = cstore_variant_edit(s, v->id, n->price, n->qty, n->shipping, *batch, now, e);
        }
        changed[i] = any;
        if (rc == 0 && any) {
            char b2[32];
            rc = cstore_change_add(s, *batch, p->id, 0, "batch", num(p->batch ? p->batch : -1, b2),
                                   bs, e);
            if (rc == 0)
                rc = cstore_product_batch(s, p->id, *batch, now, e);
        }
        /* R-PUB-9: what is on the marketplace gets the change too. */
        if (rc == 0 && any && p->item_code && *p->item_code) {
            json_t *pl = json_pack("{s:b, s:O, s:b}", "price", price_changed, "qty", qty,
                                   "shipping", ship_changed);
            char *txt = json_dumps(pl, JSON_COMPACT);
            rc = pub_job_enqueue(s, shop, p->parent_sku, p->id, *batch, "edit", "push", txt, e);
            free(txt);
            json_decref(pl);
        }
        json_decref(qty);
    }
    if (rc == 0 && !o->dry_run) {
        rc = pub_tx_end(s, own, rc, e);
        in_tx = 0;
    }
    /* Send now (in --dry-run inside the transaction: printed, then rolled back). */
    if (rc == 0)
        rc = pub_send_jobs(s, q, shop, ro, rst, &jr, e);
    for (size_t i = 0; i < np && rc == 0; i++) {
        struct pub_product *p = &ps[i];
        const struct pub_jres *j = pub_jres_get(&jr, p->parent_sku);
        int on_market = p->item_code && *p->item_code;
        /* An edit that changes nothing here -- the values are already these, from an
         * earlier run -- sends nothing: already done, never sent (issue 10). */
        const char *result = j ? j->result : !changed[i] ? "already" : "local";
        const char *msg = j             ? j->msg
                          : !changed[i] ? "already so: nothing to change"
                          : on_market   ? "queued for qs publish run"
                                        : "not on the marketplace";
        enum job_outcome oc = j             ? pub_outcome(j->result)
                              : !changed[i] ? JOB_DONE
                              : on_market   ? JOB_RETRY
                                            : JOB_LOCAL;
        for (size_t k = 0; k < p->nv && rc == 0; k++) {
            struct vnew *n = &nv[i][k];
            rec_clear(r);
            rec_set(r, "sku", p->v[k].sku);
            rec_set(r, "parent_sku", p->parent_sku);
            rec_set(r, "state", j && j->state && *j->state ? j->state : p->state);
            rec_set_typed(r, "price", num(n->price, a), REC_NUM);
            rec_set_typed(r, "quantity", n->qty >= 0 ? num(n->qty, a) : "",
                          n->qty >= 0 ? REC_NUM : REC_NULL);
            rec_set_typed(r, "shipping", n->shipping >= 0 ? num(n->shipping, a) : "",
                          n->shipping >= 0 ? REC_NUM : REC_NULL);
            rec_set_typed(r, "batch", o->dry_run ? "" : bs, o->dry_run ? REC_NULL : REC_NUM);
            rec_set(r, "result", result);
            rec_set(r, "message", msg);
            rc = pub_emit(cb, oc, r, e);
        }
    }
out:
    if (in_tx) {
        if (o->dry_run && rc == 0) {
            if (own)
                store_rollback(s);
        } else {
            rc = pub_tx_end(s, own, rc, e);
        }
    }
    if (o->dry_run)
        *batch = 0;
    for (size_t i = 0; i < np; i++) {
        pub_product_free(&ps[i]);
        free(nv[i]);
    }
    free(ps);
    free(nv);
    free(changed);
    pub_jres_free(&jr);
    rec_free(r);
    return rc;
}

/* ---- withdraw ---- */

int pub_withdraw(struct store *s, struct qapi *q, const char *shop, const struct pub_sel *sel,
                 const struct pub_run_opts *ro, const struct pub_cb *cb, struct pub_run_stats *rst,
                 long long *batch, struct qs_err *e)
{
    struct pub_jresults jr = {0};
    struct rec *r = rec_new();
    char **parents = NULL;
    int *already = NULL; /* parents[i] was offline before this run */
    size_t n = 0;
    int rc, own;
    char now[32];

    *batch = 0;
    if ((rc = pub_tx_begin(s, &own, e)) < 0)
        goto done;
    pub_now_iso(now);
    for (size_t i = 0; i < sel->n && rc == 0; i++) {
        struct pub_product p;
        if ((rc = pub_product_load(s, sel->id[i], &p, e)) < 0)
            break;
        if (strcmp(p.state, "offline") == 0 && p.item_code && *p.item_code) {
            /* Withdrawn before (by an earlier run): already done, nothing sent. */
            parents = xrealloc(parents, (n + 1) * sizeof *parents);
            already = xrealloc(already, (n + 1) * sizeof *already);
            already[n] = 1;
            parents[n++] = xstrdup(p.parent_sku);
        } else if (strcmp(p.state, "online") != 0) {
            pub_diag(cb, 1, NULL, p.parent_sku, "Parent SKU \"%s\" is %s, not online", p.parent_sku,
                     p.state);
        } else {
            char b[32];
            if (!*batch)
                rc = cstore_batch_open(s, shop, "withdraw", batch, e);
            snprintf(b, sizeof b, "%lld", p.batch);
            /* R-PUB-13: recorded for undo; the state changes when the marketplace agrees. */
            if (rc == 0)
                rc = cstore_change_add(s, *batch, p.id, 0, "state", "online", "offline", e);
            if (rc == 0)
                rc = cstore_change_add(s, *batch, p.id, 0, "batch", p.batch ? b : NULL, NULL, e);
            if (rc == 0)
                rc = cstore_product_batch(s, p.id, *batch, now, e);
            if (rc == 0)
                rc = pub_job_enqueue(s, shop, p.parent_sku, p.id, *batch, "withdraw", "status",
                                     "{\"status\":1}", e);
            parents = xrealloc(parents, (n + 1) * sizeof *parents);
            already = xrealloc(already, (n + 1) * sizeof *already);
            already[n] = 0;
            parents[n++] = xstrdup(p.parent_sku);
        }
        pub_product_free(&p);
    }
    if (!ro->dry_run || rc < 0)
        rc = pub_tx_end(s, own, rc, e);
    if (rc == 0 && *batch)
        rc = pub_send_jobs(s, q, shop, ro, rst, &jr, e);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct pub_jres *j = already[i] ? NULL : pub_jres_get(&jr, parents[i]);
        if (already[i])
            rc = pub_state_row(cb, r, JOB_DONE, parents[i], "offline", "already",
                               "already offline: nothing to send", e);
        else
            rc = pub_state_row(cb, r, j ? pub_outcome(j->result) : JOB_RETRY, parents[i],
                               j ? j->state : "online", j ? j->result : "queued",
                               j ? j->msg : "queued for qs publish run", e);
    }
    if (ro->dry_run && own) {
        store_rollback(s);
        *batch = 0;
    }
done:
    for (size_t i = 0; i < n; i++)
        free(parents[i]);
    free(parents);
    free(already);
    pub_jres_free(&jr);
    rec_free(r);
    return rc;
}

/* ---- copy (R-PUB-10) ---- */

int pub_copy(struct store *s, const char *shop, const struct pub_sel *sel, const char *suffix,
             int dry_run, const struct pub_cb *cb, long long *batch, struct qs_err *e)
{
    struct rec *r = rec_new();
    long bad = 0;
    int rc = 0, own = 0;
    char now[32];

    *batch = 0;
    if (!suffix || !*suffix || pub_has_sep(suffix) || strpbrk(suffix, "\r\n,"))
        return rec_free(r), err_set(e, QS_E_USAGE, "R-PUB-10",
                                    "--suffix needs a text without commas, line breaks, ||* or $$");
    /* Every clash first: a copy is all or nothing. */
    for (size_t i = 0; i < sel->n && rc == 0; i++) {
        struct pub_product p;
        long long id;
        if ((rc = pub_product_load(s, sel->id[i], &p, e)) < 0)
            break;
        char *np = xasprintf("%s%s", p.parent_sku, suffix);
        if ((rc = pub_sql_int(s, e, &id, 0,
                              "SELECT id FROM product WHERE shop = ?1 AND parent_sku = ?2", "tt",
                              shop, np)) == 0 &&
            id) {
            pub_diag(cb, 0, "R-PUB-10", p.parent_sku,
                     "the copy's Parent SKU \"%s\" is in the catalog already", np);
            bad++;
        }
        for (size_t k = 0; k < p.nv && rc == 0; k++) {
            char *ns = xasprintf("%s%s", p.v[k].sku, suffix);
            if ((rc = pub_sql_int(s, e, &id, 0,
                                  "SELECT id FROM variant WHERE shop = ?1 AND sku = ?2", "tt", shop,
                                  ns)) == 0 &&
                id) {
                pub_diag(cb, 0, "R-PUB-10", p.v[k].sku,
                         "the copy's SKU \"%s\" is in the catalog already", ns);
                bad++;
            }
            free(ns);
        }
        free(np);
        pub_product_free(&p);
    }
    if (rc == 0 && bad)
        rc = err_set(e, QS_E_DATA, NULL, "%ld SKU%s would clash; nothing was copied", bad,
                     bad == 1 ? "" : "s");
    if (rc < 0 || sel->n == 0)
        goto out;
    if ((rc = pub_tx_begin(s, &own, e)) < 0)
        goto out;
    if ((rc = cstore_batch_open(s, shop, "copy", batch, e)) < 0)
        goto fail;
    pub_now_iso(now);
    for (size_t i = 0; i < sel->n && rc == 0; i++) {
        struct pub_product p;
        if ((rc = pub_product_load(s, sel->id[i], &p, e)) < 0)
            break;
        char *np = xasprintf("%s%s", p.parent_sku, suffix);
        /* A new pending product: never bound to the original's item (R-PUB-10). */
        long long nid = 0;
        rc = cstore_product_copy(s, p.id, np, *batch, now, &nid, e);
        if (rc == 0)
            rc = cstore_change_add(s, *batch, nid, 0, "created", p.parent_sku, np, e);
        for (size_t k = 0; k < p.nv && rc == 0; k++) {
            char *ns = xasprintf("%s%s", p.v[k].sku, suffix);
            rc = cstore_variant_copy(s, p.v[k].id, ns, nid, *batch, now, e);
            if (rc == 0 && cb && cb->row) {
                rec_clear(r);
                rec_set(r, "sku", ns);
                rec_set(r, "parent_sku", np);
                rec_set(r, "state", "pending");
                rc = cb->row(cb->ctx, r, e);
            }
            free(ns);
        }
        free(np);
        pub_product_free(&p);
    }
fail:
    if (dry_run && rc == 0) {
        if (own)
            store_rollback(s);
        *batch = 0;
    } else {
        rc = pub_tx_end(s, own, rc, e);
    }
out:
    rec_free(r);
    return rc;
}

/* ---- category (R-PUB-12), profile assignment (R-PUB-15) ---- */

int pub_category(struct store *s, const char *shop, const char *target, const char *code,
                 const char **what, struct qs_err *e)
{
    long long n = 0, id = 0;
    char now[32];
    int rc;

    if (!code || strlen(code) != 9 || strspn(code, "0123456789") != 9)
        return err_set(e, QS_E_USAGE, "R-PUB-12",
                       "category \"%s\" is not a 9-digit Qoo10 leaf category (CATE_S_CD of "
                       "GetCatagoryListAll)",
                       code ? code : "");
    pub_now_iso(now);
    if ((rc = pub_sql_int(s, e, &n, 0,
                          "SELECT count(*) FROM product_group WHERE shop = ?1 AND name = ?2", "tt",
                          shop, target)) < 0)
        return rc;
    if (n) {
        *what = "group";
        return cstore_group_category(s, shop, target, code, e);
    }
    if ((rc = pub_product_find(s, shop, target, &id, e)) < 0)
        return rc;
    if (!id)
        return err_set(e, QS_E_USAGE, "R-PUB-12",
                       "shop %s has no group, SKU or Parent SKU named \"%s\"", shop, target);
    *what = "product";
    return cstore_product_category(s, id, code, now, e);
}

int pub_profile_assign(struct store *s, const char *shop, const struct pub_sel *sel,
                       const char *name, struct qs_err *e)
{
    char now[32];
    int rc, own;
    (void)shop;
    if ((rc = pub_tx_begin(s, &own, e)) < 0)
        return rc;
    pub_now_iso(now);
    for (size_t i = 0; i < sel->n && rc == 0; i++)
        rc = cstore_product_profile(s, sel->id[i], name, now, e);
    return pub_tx_end(s, own, rc, e);
}

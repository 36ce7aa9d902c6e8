/* coupon_life: a push after it is recorded -- its state following its outbox items
 * (coupon_push_settle), cancel (R-CPN-6), confirm and record (R-CPN-11). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coupon_int.h"
#include "../outbox.h"
#include "../tm.h"
#include "../xalloc.h"

#define DAY 86400L

int coupon_push_settle(struct store *s, const char *shop, time_t now, struct qs_err *e)
{
    char t[32];
    int rc;
    tm_utc_iso(now, t, sizeof t);
    /* A push follows its own item until the seller records more (sent) or cancels. */
    rc = store_run(s, e,
                   "UPDATE coupon_push AS p SET updated_at = ?2, state = CASE o.state"
                   "  WHEN 'done' THEN 'applied' WHEN 'handed-off' THEN 'handed-off'"
                   "  ELSE 'refused' END"
                   " FROM outbox o WHERE p.shop = ?1 AND o.shop = p.shop AND o.kind = 'coupon'"
                   " AND o.key = p.key AND o.state IN ('done', 'handed-off', 'failed', 'withdrawn')"
                   " AND p.state IN ('scheduled', 'handed-off', 'refused')"
                   " AND p.state <> CASE o.state WHEN 'done' THEN 'applied'"
                   "  WHEN 'handed-off' THEN 'handed-off' ELSE 'refused' END",
                   "ss", shop, t);
    if (rc < 0)
        return rc;
    /* R-CPN-6: a cancel done cancels its push; one refused puts the push back to where its
     * own item is. */
    return store_run(s, e,
                     "UPDATE coupon_push AS p SET updated_at = ?2, state = CASE c.state"
                     "  WHEN 'done' THEN 'cancelled'"
                     "  ELSE coalesce((SELECT CASE o.state WHEN 'done' THEN 'applied'"
                     "   WHEN 'handed-off' THEN 'handed-off' END FROM outbox o"
                     "   WHERE o.shop = p.shop AND o.kind = 'coupon' AND o.key = p.key),"
                     "   'applied') END"
                     " FROM outbox c WHERE p.shop = ?1 AND c.shop = p.shop"
                     " AND c.kind = 'coupon-cancel' AND c.key = p.key || '-cancel'"
                     " AND c.state IN ('done', 'failed', 'withdrawn')"
                     " AND p.state = 'cancel-requested'",
                     "ss", shop, t);
}

/* ---- finding a push ---- */

struct found {
    long long id;
    char key[96], state[32];
    time_t send_at;
    char qsm_no[64];
};

static int found_row(sqlite3_stmt *st, void *p)
{
    struct found *f = p;
    f->id = sqlite3_column_int64(st, 0);
    snprintf(f->key, sizeof f->key, "%s", store_col_text(st, 1));
    snprintf(f->state, sizeof f->state, "%s", store_col_text(st, 2));
    (void)tm_parse_utc_iso(store_col_text(st, 3), &f->send_at);
    snprintf(f->qsm_no, sizeof f->qsm_no, "%s", store_col_text(st, 4));
    return 1;
}

/* Push ref of shop (its number, or its key) into *f; QS_E_DATA when there is none. */
static int find(struct store *s, const char *shop, const char *ref, struct found *f,
                struct qs_err *e)
{
    int byid = *ref && strspn(ref, "0123456789") == strlen(ref);
    int rc;
    memset(f, 0, sizeof *f);
    rc = store_each(s,
                    "SELECT p.id, p.key, p.state, p.send_at, coalesce(c.qsm_no, '')"
                    " FROM coupon_push p JOIN coupon c ON c.id = p.coupon_id"
                    " WHERE p.shop = ?1 AND (CASE WHEN ?3 THEN p.id = CAST(?2 AS INTEGER)"
                    " ELSE p.key = ?2 END)",
                    found_row, f, e, "ssl", shop, ref, (long long)byid);
    if (rc < 0)
        return rc;
    if (!f->id) {
        err_set(e, QS_E_DATA, NULL,
                "shop %s has no push %s; qs coupon history lists them with their numbers", shop,
                ref);
        err_record(e, ref);
        return QS_E_DATA;
    }
    return 0;
}

static int item_state(struct store *s, const char *shop, const char *kind, const char *key,
                      char state[32], struct qs_err *e)
{
    struct store_text t = {state, 32};
    int rc;
    state[0] = '\0';
    rc = store_each(s, "SELECT state FROM outbox WHERE shop = ?1 AND kind = ?2 AND key = ?3",
                    store_row_text, &t, e, "sss", shop, kind, key);
    return rc < 0 ? rc : 0;
}

static int item_id(sqlite3_stmt *st, void *p)
{
    *(int64_t *)p = sqlite3_column_int64(st, 0);
    return 1;
}

/* Push ref of shop once the states follow the outbox (coupon_push_settle), into *f. */
static int settled_find(struct store *s, const char *shop, const char *ref, time_t now,
                        struct found *f, struct qs_err *e)
{
    int rc = coupon_push_settle(s, shop, now, e);
    return rc < 0 ? rc : find(s, shop, ref, f, e);
}

/* ---- cancel (R-CPN-6) ---- */

static int tx_begin(struct store *s, int *own, struct qs_err *e)
{
    *own = sqlite3_get_autocommit(store_db(s));
    return *own ? store_begin(s, e) : 0;
}

static int tx_end(struct store *s, int own, int rc, struct qs_err *e)
{
    if (!own)
        return rc;
    if (rc >= 0) {
        int c = store_commit(s, e);
        return c < 0 ? c : rc;
    }
    store_rollback(s);
    return rc;
}

static int enqueue_cancel(struct store *s, const char *shop, const struct found *f, time_t deadline,
                          struct qs_err *e)
{
    char key[128], d[16], t[16], dl[32], dlj[32], *pl;
    json_t *o;
    int rc;
    snprintf(key, sizeof key, "%s-cancel", f->key);
    tm_format_jst(f->send_at, "%Y/%m/%d", d, sizeof d);
    tm_format_jst(f->send_at, "%H:%M", t, sizeof t);
    tm_format_jst(deadline, "%Y/%m/%d %H:%M", dlj, sizeof dlj);
    o = json_pack("{ss ss ss ss ss ss ss}", "push_key", f->key, "coupon_no", f->qsm_no, "send_date",
                  d, "send_time", t, "deadline", tm_utc_iso(deadline, dl, sizeof dl),
                  "deadline_jst", dlj, "where",
                  "QSM: 广告 > 卖家推销 > 优惠券推送, 申请记录 (application history): cancel the "
                  "push of this send date and time");
    pl = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    rc = outbox_enqueue(s, shop, COUPON_CANCEL_KIND, key, pl, time(NULL), NULL, e);
    free(pl);
    return rc < 0 ? rc : 0;
}

int coupon_cancel(struct store *s, const char *shop, const char *ref, time_t now,
                  struct coupon_cancel_result *out, struct qs_err *e)
{
    struct found f;
    char st[32], when[32];
    time_t deadline;
    int rc, own;

    memset(out, 0, sizeof *out);
    if ((rc = tx_begin(s, &own, e)) < 0)
        return rc;
    if ((rc = settled_find(s, shop, ref, now, &f, e)) < 0)
        goto out;
    out->id = f.id;
    snprintf(out->key, sizeof out->key, "%s", f.key);
    deadline = f.send_at - DAY;
    out->deadline = deadline;
    if (strcmp(f.state, "cancelled") == 0 || strcmp(f.state, "cancel-requested") == 0) {
        out->how = "already";
        goto out;
    }
    if (strcmp(f.state, "refused") == 0 || strcmp(f.state, "sent") == 0) {
        rc = err_set(e, QS_E_DATA, "R-CPN-6", "push %lld is %s: there is nothing to cancel", f.id,
                     f.state);
        goto out;
    }
    if ((rc = item_state(s, shop, COUPON_KIND, f.key, st, e)) < 0)
        goto out;
    /* Not handed off yet: withdrawn from the outbox, it never reaches QSM. */
    if (strcmp(f.state, "scheduled") == 0 && (!strcmp(st, "pending") || !strcmp(st, "retry"))) {
        int64_t id = 0;
        if ((rc = store_each(s, "SELECT id FROM outbox WHERE shop = ?1 AND kind = ?2 AND key = ?3",
                             item_id, &id, e, "sss", shop, COUPON_KIND, f.key)) < 0 ||
            (rc = outbox_withdraw(s, id, "cancelled before its hand-off (R-CPN-6)", e)) < 0)
            goto out;
        if (rc == 1) {
            out->how = "withdrawn";
            rc = coupon_push_set_state(s, shop, f.key, "cancelled", now, e);
            goto out;
        }
    }
    /* In QSM (or on its way): QSM cancels until 24 hours before the send time. */
    if (now > deadline) {
        rc = err_set(e, QS_E_DATA, "R-CPN-6",
                     "push %lld is sent at %s; QSM cancels until 24 hours before, and that "
                     "deadline (%s, Asia/Tokyo) has passed",
                     f.id, coupon_jst_format(f.send_at, st, sizeof st),
                     coupon_jst_format(deadline, when, sizeof when));
        goto out;
    }
    out->how = "queued";
    if ((rc = enqueue_cancel(s, shop, &f, deadline, e)) == 0)
        rc = coupon_push_set_state(s, shop, f.key, "cancel-requested", now, e);
out:
    if (rc < 0 && !e->record[0])
        err_record(e, ref);
    return tx_end(s, own, rc, e);
}

/* ---- confirm, record (R-CPN-11) ---- */

int coupon_confirm(struct store *s, const char *shop, const char *ref, enum coupon_confirm what,
                   long long recipients, time_t now, struct coupon_confirm_result *out,
                   struct qs_err *e)
{
    struct found f;
    char st[32], when[32], allowed[200];
    const char *key = NULL, *kind = NULL;
    char ckey[128];
    int rc, own;

    memset(out, 0, sizeof *out);
    if ((rc = tx_begin(s, &own, e)) < 0)
        return rc;
    if ((rc = settled_find(s, shop, ref, now, &f, e)) < 0)
        goto out;
    out->id = f.id;
    snprintf(out->key, sizeof out->key, "%s", f.key);
    snprintf(out->from, sizeof out->from, "%s", f.state);
    switch (what) {
    case COUPON_APPLIED:
        if (!strcmp(f.state, "applied") || !strcmp(f.state, "sent")) {
            out->already = 1;
            goto out;
        }
        if (strcmp(f.state, "handed-off") != 0) {
            rc = err_set(e, QS_E_DATA, "R-CPN-11",
                         "push %lld is %s: --applied confirms a push handed off to QSM", f.id,
                         f.state);
            goto out;
        }
        /* R-CPN-4: applied after the apply-by time, the send date is no longer allowed. */
        if (now > coupon_apply_by(f.send_at)) {
            coupon_slot_allowed(now, allowed, sizeof allowed);
            rc = err_set(e, QS_E_DATA, "R-CPN-4",
                         "push %lld had to be applied by %s (Asia/Tokyo) for its send time %s; "
                         "cancel it and push again: %s",
                         f.id, coupon_jst_format(coupon_apply_by(f.send_at), when, sizeof when),
                         coupon_jst_format(f.send_at, st, sizeof st), allowed);
            goto out;
        }
        key = f.key, kind = COUPON_KIND;
        snprintf(out->to, sizeof out->to, "applied");
        break;
    case COUPON_SENT:
        if (!strcmp(f.state, "sent")) {
            out->already = 1;
            goto out;
        }
        if (strcmp(f.state, "applied") != 0 && strcmp(f.state, "handed-off") != 0) {
            rc = err_set(e, QS_E_DATA, "R-CPN-11",
                         "push %lld is %s: --sent confirms a push applied in QSM", f.id, f.state);
            goto out;
        }
        if (strcmp(f.state, "handed-off") == 0)
            key = f.key, kind = COUPON_KIND;
        snprintf(out->to, sizeof out->to, "sent");
        break;
    case COUPON_CANCELLED:
        if (!strcmp(f.state, "cancelled")) {
            out->already = 1;
            goto out;
        }
        snprintf(ckey, sizeof ckey, "%s-cancel", f.key);
        if ((rc = item_state(s, shop, COUPON_CANCEL_KIND, ckey, st, e)) < 0)
            goto out;
        if (strcmp(f.state, "cancel-requested") != 0 || strcmp(st, "handed-off") != 0) {
            rc = err_set(e, QS_E_DATA, "R-CPN-11",
                         "push %lld is %s: --cancelled confirms a cancel handed off to QSM "
                         "(qs coupon cancel %lld first)",
                         f.id, f.state, f.id);
            goto out;
        }
        key = ckey, kind = COUPON_CANCEL_KIND;
        snprintf(out->to, sizeof out->to, "cancelled");
        break;
    }
    if (key && (rc = outbox_confirm(s, shop, kind, &key, 1, NULL, NULL, e)) < 0)
        goto out;
    rc = store_run(s, e,
                   "UPDATE coupon_push SET state = ?3, updated_at = ?4,"
                   " recipients = CASE WHEN ?5 >= 0 THEN ?5 ELSE recipients END"
                   " WHERE shop = ?1 AND id = ?2",
                   "slssl", shop, f.id, out->to, tm_utc_iso(now, when, sizeof when), recipients);
out:
    if (rc < 0 && !e->record[0])
        err_record(e, ref);
    return tx_end(s, own, rc, e);
}

int coupon_record(struct store *s, const char *shop, const char *type, const char *code, time_t at,
                  time_t now, struct coupon_record_result *out, struct qs_err *e)
{
    struct coupon_push p = {.type = type, .code = code, .send_at = at, .items = "", .estimate = -1};
    char stamp[16];
    int rc, own;

    memset(out, 0, sizeof *out);
    tm_format_jst(at, "%Y%m%d%H%M", stamp, sizeof stamp);
    snprintf(out->key, sizeof out->key, "rec-%s-%s-%s", type, code, stamp);
    p.key = out->key;
    if ((rc = tx_begin(s, &own, e)) < 0)
        return rc;
    rc = store_each(s, "SELECT id FROM coupon_push WHERE shop = ?1 AND key = ?2", item_id, &out->id,
                    e, "ss", shop, out->key);
    if (rc < 0 || out->id) {
        out->already = out->id != 0;
        goto out;
    }
    /* R-CPN-5 counts it; a week that has a push already is told, not refused: QSM took it. */
    if ((rc = coupon_push_week_taken(s, shop, coupon_week(at), NULL, &out->other, e)) < 0 ||
        (rc = coupon_push_insert(s, shop, &p, now, &out->id, e)) < 0)
        goto out;
    rc = coupon_push_set_state(s, shop, out->key, "applied", now, e);
out:
    return tx_end(s, own, rc, e);
}

/* ---- preview (R-CPN-10) ---- */

struct pv {
    struct coupon_push p;
    char *own;
};

static int pv_row(void *ctx, const struct coupon_push *q, struct qs_err *e)
{
    struct pv *v = ctx;
    (void)e;
    v->p = *q;
    v->own =
        xasprintf("%s%c%s%c%s%c%s%c%s", q->type, 0, q->code, 0, q->items, 0, q->banner, 0, q->link);
    v->p.type = v->own;
    v->p.code = v->p.type + strlen(v->p.type) + 1;
    v->p.items = v->p.code + strlen(v->p.code) + 1;
    v->p.banner = v->p.items + strlen(v->p.items) + 1;
    v->p.link = v->p.banner + strlen(v->p.banner) + 1;
    return 0;
}

int coupon_preview_push(struct store *s, const char *shop, const char *ref, time_t now, FILE *fp,
                        struct qs_err *e)
{
    struct coupon_preview_items items = {0};
    struct coupon_items it = {0};
    struct coupon c = {0};
    struct pv v = {0};
    struct found f;
    unsigned char *banner = NULL;
    size_t blen = 0;
    char why[256];
    int rc;

    if ((rc = find(s, shop, ref, &f, e)) < 0 ||
        (rc = coupon_push_each(s, shop, f.key, pv_row, &v, e)) < 0)
        goto out;
    if ((rc = cpn_get(s, shop, v.p.code, &c, e)) <= 0) {
        rc = rc < 0 ? rc : cpn_unknown(shop, v.p.code, e);
        goto out;
    }
    /* A push recorded from QSM (qs coupon record) has no items: QSM's top 4 then. */
    if (coupon_items_parse(*v.p.items ? v.p.items : NULL, &it, why, sizeof why) < 0) {
        rc = err_set(e, QS_E_DATA, "R-CPN-7", "push %lld: %s", f.id, why);
        goto out;
    }
    if (*v.p.banner) {
        FILE *b = fopen(v.p.banner, "rb");
        size_t cap = 0, got;
        if (!b) {
            rc = err_set(e, QS_E_DATA, "R-CPN-8", "push %lld: cannot read its banner %s", f.id,
                         v.p.banner);
            goto out;
        }
        do {
            banner = xrealloc(banner, cap += 1 << 20);
            blen += got = fread(banner + blen, 1, cap - blen, b);
        } while (got > 0 && blen == cap);
        fclose(b);
    }
    if ((rc = coupon_preview_items(s, shop, &it, now, &items, e)) < 0)
        goto out;
    struct coupon_preview pv = {.shop = shop,
                                .c = &c,
                                .type = v.p.type,
                                .send_at = v.p.send_at,
                                .banner = banner,
                                .banner_len = blen,
                                .link = v.p.link,
                                .items = &items};
    rc = coupon_preview_write(fp, &pv, e);
out:
    if (rc < 0 && !e->record[0])
        err_record(e, ref);
    coupon_preview_items_clear(&items);
    coupon_items_clear(&it);
    coupon_clear(&c);
    free(v.own);
    free(banner);
    return rc;
}

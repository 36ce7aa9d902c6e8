/* coupon_plan: `qs coupon push ad|comp` before anything is recorded -- every rule of a push
 * checked offline (R-CPN-2 .. R-CPN-9), every problem reported, the recipient estimate, the
 * idempotency key and the payload of its outbox item (the QSM form's fields). */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coupon_int.h"
#include "../outbox.h"
#include "../settings.h"
#include "../sha256.h"
#include "../sync/sync.h"
#include "../tm.h"
#include "../xalloc.h"

#define DAY 86400L

static char *keep(struct cpl *p, char *s)
{
    for (size_t i = 0; i < sizeof p->out->own / sizeof p->out->own[0]; i++)
        if (!p->out->own[i])
            return p->out->own[i] = s;
    abort(); /* more texts than own[] holds: a bug here */
}

/* ---- R-CPN-3, R-CPN-4, R-CPN-5: the send time ---- */

/* R-CPN-3: 0 when coupon c is valid at at and for a day after it. */
static int valid_at(const struct coupon *c, time_t at)
{
    return at >= c->valid_from && c->valid_to >= at + DAY ? 0 : -1;
}

static void validity_refusal(struct cpl *p, time_t at)
{
    char a[32], f[32], t[32];
    cpl_refuse(
        p, "R-CPN-3",
        "coupon %s is valid from %s to %s (Asia/Tokyo): a push at %s needs it valid then and "
        "for a day after",
        p->c.code, coupon_jst_format(p->c.valid_from, f, sizeof f),
        coupon_jst_format(p->c.valid_to, t, sizeof t), coupon_jst_format(at, a, sizeof a));
}

struct taken {
    long long id;
    char key[96], at[32];
};

static int taken_row(sqlite3_stmt *st, void *ctx)
{
    struct taken *t = ctx;
    time_t at = 0;
    t->id = sqlite3_column_int64(st, 0);
    snprintf(t->key, sizeof t->key, "%s", store_col_text(st, 1));
    (void)tm_parse_utc_iso(store_col_text(st, 2), &at);
    coupon_jst_format(at, t->at, sizeof t->at);
    return 1;
}

/* R-CPN-5: the push holding the week of at (t->id 0: none). */
static int week_push(struct store *s, const char *shop, time_t at, struct taken *t,
                     struct qs_err *e)
{
    long long id;
    int rc;
    memset(t, 0, sizeof *t);
    if ((rc = coupon_push_week_taken(s, shop, coupon_week(at), NULL, &id, e)) < 0 || !id)
        return rc;
    rc = store_each(s, "SELECT id, key, send_at FROM coupon_push WHERE id = ?1", taken_row, t, e,
                    "l", id);
    return rc < 0 ? rc : 0;
}

/* The allowed send times in free weeks at which the coupon is valid, as "A to B" (or
 * "none"), into buf. */
static int free_slots(struct cpl *p, time_t *first, char *buf, size_t size, struct qs_err *e)
{
    time_t v[COUPON_NSLOTS], lo = 0, hi = 0;
    size_t n = coupon_slots(p->r->now, v, COUPON_NSLOTS);
    struct taken t;
    char a[32], b[32];
    int rc;
    for (size_t i = 0; i < n; i++) {
        if (valid_at(&p->c, v[i]) < 0)
            continue;
        if ((rc = week_push(p->s, p->shop, v[i], &t, e)) < 0)
            return rc;
        if (t.id)
            continue;
        if (!lo)
            lo = v[i];
        hi = v[i];
    }
    *first = lo;
    if (!lo) {
        /* The next week without a push, and when a push for it can be applied. */
        long k = coupon_week(v[n - 1]) + 1;
        long long id = 1;
        for (; id && (rc = coupon_push_week_taken(p->s, p->shop, k, NULL, &id, e)) == 0;)
            k += id != 0;
        if (rc < 0)
            return rc;
        time_t monday = (time_t)((k * 7 - 3) * DAY - 9 * 3600L);
        snprintf(buf, size,
                 "no allowed send time is free; the next free week begins on %.10s (apply from "
                 "%.10s for its Monday)",
                 coupon_jst_format(monday, a, sizeof a),
                 coupon_jst_format(monday - 3 * DAY, b, sizeof b));
    } else
        snprintf(buf, size, "free: %s to %s (Asia/Tokyo, every 30 minutes from 10:00 to 22:00)",
                 coupon_jst_format(lo, a, sizeof a), coupon_jst_format(hi, b, sizeof b));
    return 0;
}

/* R-CPN-4: --at as an instant (Japan time), unchecked; -1 when it is not a time. */
static int parse_at(struct cpl *p, time_t *at)
{
    char copy[64], why[256];
    struct qs_err pe;
    snprintf(copy, sizeof copy, "%s", p->r->at);
    for (char *c = copy; *c && c - copy < 10; c++)
        if (*c == '/')
            *c = '-';
    if (tm_parse(copy, "Asia/Tokyo", p->r->now, at, &pe) == 0)
        return 0;
    coupon_slot_allowed(p->r->now, why, sizeof why);
    cpl_refuse(p, "R-CPN-4", "--at \"%s\" is not a time 'YYYY-MM-DD HH:MM' or next; %s", p->r->at,
               why);
    return -1;
}

/* R-CPN-4 with --at next: the first allowed slot of a free week (R-CPN-5) at which the
 * coupon is valid (R-CPN-3); 0 when none (refused). */
static int next_slot(struct cpl *p, time_t *at, struct qs_err *e)
{
    time_t v[COUPON_NSLOTS];
    size_t n, valid = 0;
    char fr[256], why[256];
    int rc;
    if ((rc = free_slots(p, at, fr, sizeof fr, e)) < 0 || *at)
        return rc;
    n = coupon_slots(p->r->now, v, COUPON_NSLOTS);
    for (size_t i = 0; i < n; i++)
        valid += valid_at(&p->c, v[i]) == 0;
    coupon_slot_allowed(p->r->now, why, sizeof why);
    if (!valid)
        cpl_refuse(p, "R-CPN-3",
                   "--at next: coupon %s is not valid for a day after any allowed send time (%s)",
                   p->c.code, why);
    else
        cpl_refuse(p, "R-CPN-5",
                   "--at next: every allowed send time (%s) at which coupon %s is valid falls in a "
                   "week that has a push already",
                   why, p->c.code);
    return 0;
}

/* R-CPN-3, R-CPN-4, R-CPN-5 for a time the seller gave. */
static int check_at(struct cpl *p, time_t at, struct qs_err *e)
{
    char why[512], fr[256], when[32];
    struct taken t;
    time_t first;
    int rc;
    if (coupon_slot_check(at, p->r->now, why, sizeof why) < 0) {
        cpl_refuse(p, "R-CPN-4", "%s", why);
        return 0;
    }
    if (valid_at(&p->c, at) < 0) {
        validity_refusal(p, at);
        return 0;
    }
    if ((rc = week_push(p->s, p->shop, at, &t, e)) < 0 || !t.id)
        return rc;
    if ((rc = free_slots(p, &first, fr, sizeof fr, e)) < 0)
        return rc;
    cpl_refuse(
        p, "R-CPN-5",
        "the week of %s (Monday to Sunday, Asia/Tokyo) has push %lld at %s already (one push "
        "a week); %s",
        coupon_jst_format(at, when, sizeof when), t.id, t.at, fr);
    return 0;
}

/* ---- the key, the payload ---- */

/* The push's content without its time: what makes two asks the same push. */
static void content_hash(struct cpl *p, const char *items, const char *since, const char *until,
                         char hex[17])
{
    struct sha256 c;
    unsigned char d[32];
    const char *f[] = {p->shop, p->r->type,    p->c.code,
                       items,   p->banner_sha, p->link_text ? p->link_text : "",
                       since,   until};
    sha256_init(&c);
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        sha256_update(&c, f[i], strlen(f[i]) + 1);
    for (size_t i = 0; p->rows && i < json_array_size(p->rows); i++) {
        const char *no = json_string_value(json_object_get(json_array_get(p->rows, i), "order_no"));
        sha256_update(&c, no, strlen(no) + 1);
    }
    sha256_final(&c, d);
    for (int i = 0; i < 8; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

struct same {
    time_t now;
    int exact;    /* the key prefix includes the time */
    long long id; /* an active push found */
    char key[96], state[32];
    time_t at;
    long long estimate;
    size_t count; /* rows with the prefix */
};

static int same_row(sqlite3_stmt *st, void *ctx)
{
    struct same *m = ctx;
    const char *state = store_col_text(st, 2);
    time_t at = 0;
    (void)tm_parse_utc_iso(store_col_text(st, 3), &at);
    m->count++;
    if (m->id || strcmp(state, "cancelled") == 0 || strcmp(state, "refused") == 0)
        return 0;
    if (!m->exact && at <= m->now)
        return 0;
    m->id = sqlite3_column_int64(st, 0);
    snprintf(m->key, sizeof m->key, "%s", store_col_text(st, 1));
    snprintf(m->state, sizeof m->state, "%s", state);
    m->at = at;
    m->estimate = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
    return 0;
}

static int find_same(struct cpl *p, const char *prefix, int exact, struct same *m, struct qs_err *e)
{
    int rc;
    memset(m, 0, sizeof *m);
    m->now = p->r->now;
    m->exact = exact;
    rc = store_each(p->s,
                    "SELECT id, key, state, send_at, estimate FROM coupon_push WHERE shop = ?1"
                    " AND substr(key, 1, length(?2)) = ?2 ORDER BY id",
                    same_row, m, e, "ss", p->shop, prefix);
    return rc < 0 ? rc : 0;
}

static char *payload(struct cpl *p, time_t at, const char *since, const char *until,
                     long long estimate)
{
    char d[16], t[16], by[32], from[32], to[32], utc[32], disc[32];
    time_t apply = coupon_apply_by(at);
    json_t *o;
    char *out, *codes = xstrdup("");

    tm_format_jst(at, "%Y/%m/%d", d, sizeof d);
    tm_format_jst(at, "%H:%M", t, sizeof t);
    tm_format_jst(apply, "%Y/%m/%d %H:%M", by, sizeof by);
    tm_format_jst(p->c.valid_from, "%Y/%m/%d %H:%M", from, sizeof from);
    tm_format_jst(p->c.valid_to, "%Y/%m/%d %H:%M", to, sizeof to);
    for (size_t i = 0; i < p->it.n; i++) {
        char *n = xasprintf("%s%s%s", codes, i ? "," : "", p->it.codes[i]);
        free(codes);
        codes = n;
    }
    o = json_pack("{ss ss ss ss ss so sI ss ss ss so ss ss ss ss so}", "type", p->r->type,
                  "coupon_no", p->c.qsm_no, "coupon_code", p->c.code, "coupon_name", p->c.name,
                  "discount", coupon_discount_format(p->c.kind, p->c.discount, disc, sizeof disc),
                  "max_discount",
                  p->c.max_discount < 0 ? json_null() : json_integer(p->c.max_discount),
                  "min_order", (json_int_t)p->c.min_order, "valid_from", from, "valid_to", to,
                  "items", p->it.top ? "top" : "select", "top",
                  p->it.top ? json_integer(p->it.top) : json_null(), "item_codes", codes,
                  "send_date", d, "send_time", t, "send_at", tm_utc_iso(at, utc, sizeof utc),
                  "estimate", estimate < 0 ? json_null() : json_integer(estimate));
    json_object_set_new(o, "apply_by", json_string(by));
    if (strcmp(p->r->type, "ad") == 0) {
        json_object_set_new(o, "fans", json_string(*since || *until ? "period" : "all"));
        json_object_set_new(o, "fans_since", *since ? json_string(since) : json_null());
        json_object_set_new(o, "fans_until", *until ? json_string(until) : json_null());
    } else {
        json_object_set_new(o, "orders", json_integer((json_int_t)json_array_size(p->rows)));
        json_object_set(o, "form_rows", p->rows);
    }
    if (p->r->banner) {
        char *abs = realpath(p->r->banner, NULL);
        json_object_set_new(o, "banner_file", json_string(abs ? abs : p->r->banner));
        json_object_set_new(o, "banner_sha256", json_string(p->banner_sha));
        json_object_set_new(o, "link", json_string(p->link.kind));
        json_object_set_new(o, "link_target", json_string(p->link.target));
        free(abs);
    }
    out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    free(codes);
    return out;
}

/* ---- the plan ---- */

static void plan_exists(struct cpl *p, const struct same *m)
{
    struct coupon_push *q = &p->out->p;
    p->out->exists = 1;
    snprintf(p->out->key, sizeof p->out->key, "%s", m->key);
    q->id = m->id;
    q->key = p->out->key;
    q->state = keep(p, xstrdup(m->state));
    q->send_at = m->at;
    q->estimate = m->estimate;
}

int coupon_push_plan(struct store *s, const char *shop, const struct coupon_push_req *r,
                     const struct coupon_push_cb *cb, struct coupon_push_plan *out,
                     struct qs_err *e)
{
    struct cpl p = {.s = s, .shop = shop, .r = r, .cb = cb, .out = out};
    char since[11], until[11], hash[17], prefix[64], stamp[16];
    struct same m;
    long long estimate = -1;
    time_t at = 0;
    int rc;

    memset(out, 0, sizeof *out);
    out->p.estimate = -1;
    if ((rc = cpn_get(s, shop, r->code, &p.c, e)) < 0)
        return rc;
    if (rc == 0) {
        rc = cpn_unknown(shop, r->code, e);
        goto out;
    }
    /* R-CPN-1: QSM's number names the coupon in the application. */
    if (!*p.c.qsm_no)
        cpl_refuse(
            &p, "R-CPN-1",
            "coupon %s has no QSM coupon number yet; qs coupon edit %s --qsm-no N records it",
            p.c.code, p.c.code);
    if (p.c.qstore_only)
        cpl_refuse(&p, "R-CPN-3",
                   "coupon %s is for the Qoo10 app only (qstore_only): QSM does not "
                   "push such coupons",
                   p.c.code);
    if ((rc = cpl_items(&p, e)) < 0 || (rc = cpl_banner(&p)) < 0)
        goto out;
    if (p.r->banner)
        p.link_text = xstrdup(p.r->link ? p.r->link : "shop");
    cpl_fans(&p, since, until);
    if ((rc = cpl_orders(&p, &estimate, e)) < 0)
        goto out;
    const char *items_text = r->items && *r->items ? r->items : "top:4";
    content_hash(&p, items_text, since, until, hash);
    if (strcmp(r->at, "next") == 0) {
        snprintf(prefix, sizeof prefix, "cpn-%s-", hash);
        if ((rc = find_same(&p, prefix, 0, &m, e)) < 0)
            goto out;
        if (m.id && !p.problems) {
            plan_exists(&p, &m);
            goto out;
        }
        if (!p.problems && (rc = next_slot(&p, &at, e)) < 0)
            goto out;
    } else if (parse_at(&p, &at) == 0) {
        tm_format_jst(at, "%Y%m%d%H%M", stamp, sizeof stamp);
        snprintf(prefix, sizeof prefix, "cpn-%s-%s", hash, stamp);
        if ((rc = find_same(&p, prefix, 1, &m, e)) < 0)
            goto out;
        if (m.id && !p.problems) {
            plan_exists(&p, &m);
            goto out;
        }
        if ((rc = check_at(&p, at, e)) < 0)
            goto out;
    }
    if (p.problems) {
        rc = err_set(e, QS_E_DATA, NULL, "the push was refused (%d problem%s): nothing recorded",
                     p.problems, p.problems == 1 ? "" : "s");
        goto out;
    }
    /* The same push asked again after a cancel is a new one: a generation suffix. */
    tm_format_jst(at, "%Y%m%d%H%M", stamp, sizeof stamp);
    snprintf(prefix, sizeof prefix, "cpn-%s-%s", hash, stamp);
    if ((rc = find_same(&p, prefix, 1, &m, e)) < 0)
        goto out;
    if (m.count)
        snprintf(out->key, sizeof out->key, "%s-g%zu", prefix, m.count + 1);
    else
        snprintf(out->key, sizeof out->key, "%s", prefix);
    /* R-CPN-9: comp: distinct buyers; ad: the fan count last entered, else unknown. */
    if (strcmp(r->type, "ad") == 0) {
        long fans = -1;
        if ((rc = settings_long(s, shop, "coupon.fans", &fans, e)) < 0)
            goto out;
        estimate = rc == 1 ? fans : -1;
        rc = 0;
    }
    /* R-CPN-3: QSM tells sellers to check the use period. */
    if (p.c.valid_to < at + 3 * DAY) {
        char to[32];
        cpl_warn(&p, "R-CPN-3",
                 "coupon %s ends at %s (Asia/Tokyo), less than three days after the push", p.c.code,
                 coupon_jst_format(p.c.valid_to, to, sizeof to));
    }
    out->payload = payload(&p, at, since, until, estimate);
    out->p = (struct coupon_push){
        .key = out->key,
        .type = r->type,
        .code = keep(&p, xstrdup(p.c.code)),
        .send_at = at,
        .week = coupon_week(at),
        .items = keep(&p, xstrdup(items_text)),
        .banner = keep(&p, xstrdup(r->banner ? r->banner : "")),
        .link = keep(&p, xstrdup(p.link_text ? p.link_text : "")),
        .fans_since = keep(&p, xstrdup(since)),
        .fans_until = keep(&p, xstrdup(until)),
        .orders = p.rows ? (long long)json_array_size(p.rows) : 0,
        .estimate = estimate,
        .state = "scheduled",
    };
    rc = 0;
out:
    coupon_clear(&p.c);
    coupon_items_clear(&p.it);
    free(p.link_text);
    json_decref(p.rows);
    return rc;
}

void coupon_push_plan_clear(struct coupon_push_plan *p)
{
    if (!p)
        return;
    free(p->payload);
    for (size_t i = 0; i < sizeof p->own / sizeof p->own[0]; i++)
        free(p->own[i]);
    memset(p, 0, sizeof *p);
}

static int one_row(sqlite3_stmt *st, void *p)
{
    (void)st;
    *(int *)p = 1;
    return 1;
}

int coupon_push_record(struct store *s, const char *shop, const struct coupon_push_plan *p,
                       time_t now, struct qs_err *e)
{
    struct taken t;
    int rc, own = 0, same = 0;
    if (p->exists)
        return 1;
    if (sqlite3_get_autocommit(store_db(s))) {
        if ((rc = store_begin(s, e)) < 0)
            return rc;
        own = 1;
    }
    /* The same push recorded meanwhile by a concurrent run: nothing to do. */
    if ((rc = store_each(s, "SELECT 1 FROM coupon_push WHERE shop = ?1 AND key = ?2", one_row,
                         &same, e, "ss", shop, p->key)) < 0 ||
        same)
        goto end;
    /* R-CPN-5 again, inside the transaction: a concurrent run may have taken the week. */
    if ((rc = week_push(s, shop, p->p.send_at, &t, e)) == 0 && t.id)
        rc = err_set(e, QS_E_DATA, "R-CPN-5",
                     "the week of the push has push %lld at %s already (recorded meanwhile)", t.id,
                     t.at);
    if (rc == 0)
        rc = coupon_push_insert(s, shop, &p->p, now, NULL, e);
    if (rc == 0) {
        /* Due at once, by the wall clock (now may be QS_NOW's). */
        rc = outbox_enqueue(s, shop, COUPON_KIND, p->key, p->payload, time(NULL), NULL, e);
        rc = rc < 0 ? rc : 0;
    }
end:
    if (own) {
        if (rc == 0 && (rc = store_commit(s, e)) == 0)
            return same;
        store_rollback(s);
    }
    return rc < 0 ? rc : same;
}

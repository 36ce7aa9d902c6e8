/* coupon_push: the one writer of table coupon_push (columns in coupon.h) and its reads.
 * Every function runs in the caller's transaction, if any. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coupon_int.h"
#include "../tm.h"
#include "../xalloc.h"

static int id_row(sqlite3_stmt *st, void *p)
{
    *(long long *)p = sqlite3_column_int64(st, 0);
    return 1;
}

int coupon_push_week_taken(struct store *s, const char *shop, long week, const char *but,
                           long long *id, struct qs_err *e)
{
    int rc;
    *id = 0;
    /* R-CPN-5: every push counts but cancelled ones (and refused ones, which never
     * reached QSM). */
    rc = store_each(s,
                    "SELECT id FROM coupon_push WHERE shop = ?1 AND week = ?2"
                    " AND state <> 'cancelled' AND state <> 'refused'"
                    " AND (?3 IS NULL OR key <> ?3) ORDER BY send_at, id LIMIT 1",
                    id_row, id, e, "sls", shop, (long long)week, but);
    return rc < 0 ? rc : 0;
}

static const char *nul(const char *v)
{
    return v && *v ? v : NULL;
}

int coupon_push_insert(struct store *s, const char *shop, const struct coupon_push *p, time_t now,
                       long long *id, struct qs_err *e)
{
    long long cid = 0, have = 0;
    char at[32], t_now[32];
    int rc;

    rc = store_each(s, "SELECT id FROM coupon WHERE shop = ?1 AND code = ?2", id_row, &cid, e, "ss",
                    shop, p->code);
    if (rc < 0)
        return rc;
    if (!cid)
        return cpn_unknown(shop, p->code, e);
    rc = store_each(s, "SELECT id FROM coupon_push WHERE shop = ?1 AND key = ?2", id_row, &have, e,
                    "ss", shop, p->key);
    if (rc < 0)
        return rc;
    if (have)
        return err_set(e, QS_E_DATA, NULL, "shop %s already has push %lld with key %s", shop, have,
                       p->key);
    tm_utc_iso(p->send_at, at, sizeof at);
    tm_utc_iso(now, t_now, sizeof t_now);
    rc = store_run(s, e,
                   "INSERT INTO coupon_push(shop, key, type, coupon_id, send_at, week, items,"
                   " banner, link, fans_since, fans_until, orders, estimate, created_at,"
                   " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                   " CASE WHEN ?13 < 0 THEN NULL ELSE ?13 END, ?14, ?14)",
                   "ssslsls"
                   "ssss"
                   "lls",
                   shop, p->key, p->type, cid, at, (long long)coupon_week(p->send_at), p->items,
                   nul(p->banner), nul(p->link), nul(p->fans_since), nul(p->fans_until), p->orders,
                   p->estimate, t_now);
    if (rc == 0 && id)
        *id = (long long)sqlite3_last_insert_rowid(store_db(s));
    return rc;
}

int coupon_push_set_state(struct store *s, const char *shop, const char *key, const char *state,
                          time_t now, struct qs_err *e)
{
    char t_now[32];
    int rc = store_run(s, e,
                       "UPDATE coupon_push SET state = ?3, updated_at = ?4"
                       " WHERE shop = ?1 AND key = ?2",
                       "ssss", shop, key, state, tm_utc_iso(now, t_now, sizeof t_now));
    if (rc == 0 && store_changes(s) != 1)
        rc = err_set(e, QS_E_DATA, NULL, "shop %s has no push with key %s", shop, key);
    return rc;
}

struct walk {
    int (*fn)(void *ctx, const struct coupon_push *p, struct qs_err *e);
    void *ctx;
    struct qs_err *e;
};

static int walk_row(sqlite3_stmt *st, void *ctx)
{
    struct walk *w = ctx;
    struct coupon_push p = {0};
    int rc;
    p.id = sqlite3_column_int64(st, 0);
    p.key = store_col_text(st, 1);
    p.type = store_col_text(st, 2);
    p.code = store_col_text(st, 3);
    (void)tm_parse_utc_iso(store_col_text(st, 4), &p.send_at);
    p.week = (long)sqlite3_column_int64(st, 5);
    p.items = store_col_text(st, 6);
    p.banner = store_col_text(st, 7);
    p.link = store_col_text(st, 8);
    p.fans_since = store_col_text(st, 9);
    p.fans_until = store_col_text(st, 10);
    p.orders = sqlite3_column_int64(st, 11);
    p.estimate = sqlite3_column_type(st, 12) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 12);
    p.state = store_col_text(st, 13);
    p.created_at = store_col_text(st, 14);
    p.recipients = sqlite3_column_type(st, 15) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 15);
    rc = w->fn(w->ctx, &p, w->e);
    return rc < 0 ? rc : 0;
}

int coupon_push_each(struct store *s, const char *shop, const char *key,
                     int (*fn)(void *ctx, const struct coupon_push *p, struct qs_err *e), void *ctx,
                     struct qs_err *e)
{
    struct walk w = {fn, ctx, e};
    return store_each(
        s,
        "SELECT p.id, p.key, p.type, c.code, p.send_at, p.week, p.items, p.banner,"
        " p.link, p.fans_since, p.fans_until, p.orders, p.estimate, p.state,"
        " p.created_at, p.recipients FROM coupon_push p JOIN coupon c ON c.id = p.coupon_id"
        " WHERE p.shop = ?1 AND (?2 IS NULL OR p.key = ?2)"
        " ORDER BY p.send_at, p.id",
        walk_row, &w, e, "ss", shop, key);
}

/* ---- the coming weeks (R-CPN-5) ---- */

struct weeks {
    long from;
    struct coupon_push v[64];
    char *own[64];
    size_t n;
};

static int week_row(void *ctx, const struct coupon_push *p, struct qs_err *e)
{
    struct weeks *w = ctx;
    (void)e;
    if (p->week < w->from || p->week >= w->from + 4 || !strcmp(p->state, "cancelled") ||
        !strcmp(p->state, "refused") || w->n == sizeof w->v / sizeof w->v[0])
        return 0;
    w->v[w->n] = *p;
    /* The row's texts live only during the call: keep what the listing prints. */
    w->own[w->n] = xasprintf("%s%c%s%c%s%c%s", p->key, 0, p->type, 0, p->code, 0, p->state);
    w->v[w->n].key = w->own[w->n];
    w->v[w->n].type = w->v[w->n].key + strlen(w->v[w->n].key) + 1;
    w->v[w->n].code = w->v[w->n].type + strlen(w->v[w->n].type) + 1;
    w->v[w->n].state = w->v[w->n].code + strlen(w->v[w->n].code) + 1;
    w->v[w->n].items = w->v[w->n].banner = w->v[w->n].link = "";
    w->v[w->n].fans_since = w->v[w->n].fans_until = w->v[w->n].created_at = "";
    w->n++;
    return 0;
}

int coupon_weeks(struct store *s, const char *shop, time_t now,
                 int (*fn)(void *ctx, const struct coupon_week_row *w, struct qs_err *e), void *ctx,
                 struct qs_err *e)
{
    struct weeks w = {.from = coupon_week(now)};
    time_t slots[COUPON_NSLOTS];
    size_t ns = coupon_slots(now, slots, COUPON_NSLOTS);
    int rc, first_free = 1;

    if ((rc = coupon_push_each(s, shop, NULL, week_row, &w, e)) < 0)
        goto out;
    rc = 0;
    for (long k = w.from; k < w.from + 4 && rc >= 0; k++) {
        /* Week k's Monday is day 7k - 3 in Japan (1970-01-05, day 4, began week 1). */
        struct coupon_week_row r = {
            .week = k, .monday = (time_t)((k * 7 - 3) * 86400L - 9 * 3600L), .slots = ""};
        int taken = 0;
        for (size_t i = 0; i < w.n && rc >= 0; i++)
            if (w.v[i].week == k) {
                r.p = &w.v[i];
                taken = 1;
                rc = fn(ctx, &r, e);
            }
        if (taken || rc < 0)
            continue;
        char buf[160] = "", a[32], b[32];
        if (first_free) {
            time_t lo = 0, hi = 0;
            for (size_t i = 0; i < ns; i++)
                if (coupon_week(slots[i]) == k) {
                    lo = lo ? lo : slots[i];
                    hi = slots[i];
                }
            if (lo)
                snprintf(buf, sizeof buf, "%s to %s, every 30 minutes from 10:00 to 22:00",
                         coupon_jst_format(lo, a, sizeof a), coupon_jst_format(hi, b, sizeof b));
            else if (r.monday > now)
                snprintf(buf, sizeof buf, "from %.10s 10:00, applied from %.10s on",
                         coupon_jst_format(r.monday, a, sizeof a),
                         coupon_jst_format(r.monday - 3 * 86400L, b, sizeof b));
            first_free = !*buf;
        }
        r.slots = buf;
        rc = fn(ctx, &r, e);
    }
out:
    for (size_t i = 0; i < w.n; i++)
        free(w.own[i]);
    return rc < 0 ? rc : 0;
}

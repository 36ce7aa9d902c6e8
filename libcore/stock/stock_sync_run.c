/* stock_sync_run: `qs stock sync` as a job of the one runner (job.h, SPEC 1.6): the
 * changed links queued (kind stock-qty), sent exactly once -- an item that may have reached
 * the marketplace is read back before it is sent again -- what qs set kept in stock_push,
 * and one report row per link (stock_sync.h). */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stock_sync_int.h"
#include "../outbox.h"
#include "../tm.h"
#include "../xalloc.h"

#define RULE "R-STK-7"

/* ---- rows ---- */

void stock_sync_say(struct stock_sync_row *r, enum job_outcome oc, const char *fmt, ...)
{
    va_list ap;
    char buf[512];
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(r->message);
    r->message = xstrdup(buf);
    r->outcome = oc;
}

/* ---- stock_push ---- */

/* Every path that makes a stock-qty item done writes stock_push in the same transaction
 * (stock_sync_send.c settle_done), so only items newer than the newest push the shop has
 * can be missing from it: the read starts there, a range of the outbox's rowid (the unary
 * + keeps the planner off the (shop, kind) index, which would walk every item of the kind
 * ever queued), instead of going through every done item ever sent (SPEC 8: a run's cost
 * does not grow with the history). */
int stock_sync_settle(struct stock_sync_job *j, struct qs_err *e)
{
    return store_run(
        j->s, e,
        "INSERT INTO stock_push (shop, item_code, option, qty, set_at, outbox_id)"
        " SELECT shop, item, opt, target, updated_at, id FROM (SELECT shop,"
        "  json_extract(payload, '$.item_code') AS item, json_extract(payload, '$.option') AS opt,"
        "  json_extract(payload, '$.target') AS target, updated_at, max(id) AS id FROM outbox"
        "  WHERE id > (SELECT coalesce(max(outbox_id), 0) FROM stock_push WHERE shop = ?1)"
        "  AND +shop = ?1 AND +kind = ?2 AND +state = 'done' GROUP BY item, opt) WHERE true"
        " ON CONFLICT (shop, item_code, option) DO UPDATE SET qty = excluded.qty,"
        " set_at = excluded.set_at, outbox_id = excluded.outbox_id"
        " WHERE excluded.outbox_id > stock_push.outbox_id",
        "ss", j->shop, STOCK_QTY_KIND);
}

/* ---- the link's outbox items ---- */

/* The fields of a key "<item>#<base>#<from>#<target>#<option>[~N]". */
struct key {
    char item[64], option[128];
    long long base, from, target;
};

static int key_parse(const char *k, struct key *out)
{
    int n = 0;
    if (sscanf(k, "%63[^#]#%lld#%lld#%lld#%n", out->item, &out->base, &out->from, &out->target,
               &n) != 4 ||
        !n)
        return -1;
    snprintf(out->option, sizeof out->option, "%s", k + n);
    char *t = strrchr(out->option, '~');
    if (t && t[1] >= '1' && t[1] <= '9' && !t[2])
        *t = '\0';
    return 0;
}

struct other {
    int64_t id;
    char key[256], state[16];
};

struct others {
    struct other *v;
    size_t n;
    const char *option;
};

static int other_row(sqlite3_stmt *st, void *p)
{
    struct others *o = p;
    struct key k;
    if (key_parse(store_col_text(st, 1), &k) < 0 || strcmp(k.option, o->option) != 0)
        return 0;
    o->v = xrealloc(o->v, (o->n + 1) * sizeof *o->v);
    o->v[o->n].id = sqlite3_column_int64(st, 0);
    snprintf(o->v[o->n].key, sizeof o->v[o->n].key, "%s", store_col_text(st, 1));
    snprintf(o->v[o->n].state, sizeof o->v[o->n].state, "%s", store_col_text(st, 2));
    o->n++;
    return 0;
}

/* The items of the link item/option not done nor withdrawn (the key's prefix is the item:
 * the range is the index's). */
static int others(struct stock_sync_job *j, const char *item, const char *option, struct others *o,
                  struct qs_err *e)
{
    char lo[80], hi[80];
    snprintf(lo, sizeof lo, "%s#", item);
    snprintf(hi, sizeof hi, "%s$", item); /* '$' follows '#' */
    o->option = option;
    return store_each(j->s,
                      "SELECT id, key, state FROM outbox WHERE shop = ?1 AND kind = ?2"
                      " AND key >= ?3 AND key < ?4 AND state NOT IN ('done', 'withdrawn')"
                      " ORDER BY id",
                      other_row, o, e, "ssss", j->shop, STOCK_QTY_KIND, lo, hi);
}

int stock_sync_inflight_target(struct stock_sync_job *j, const struct stock_sync_row *r,
                               long long qty)
{
    struct others o = {0};
    struct qs_err e;
    struct key k;
    int found = 0;
    err_clear(&e);
    if (others(j, r->item_code, r->option, &o, &e) < 0)
        return 0;
    for (size_t i = 0; i < o.n && !found; i++)
        found = key_parse(o.v[i].key, &k) == 0 && k.target == qty;
    free(o.v);
    return found;
}

static int state_row(sqlite3_stmt *st, void *p)
{
    snprintf(p, 16, "%s", store_col_text(st, 0));
    return 1;
}

int stock_sync_state(struct stock_sync_job *j, const char *key, char state[16], struct qs_err *e)
{
    state[0] = '\0';
    return store_each(j->s, "SELECT state FROM outbox WHERE shop = ?1 AND kind = ?2 AND key = ?3",
                      state_row, state, e, "sss", j->shop, STOCK_QTY_KIND, key);
}

int stock_sync_queue(struct stock_sync_job *j, struct stock_sync_row *r, long long base,
                     const char *p, struct qs_err *e)
{
    struct others o = {0};
    char key[256], state[16];
    struct key k;
    int rc;

    if ((rc = others(j, r->item_code, r->option, &o, e)) < 0)
        return rc;
    snprintf(key, sizeof key, "%s#%lld#%lld#%lld#%s", r->item_code, base, r->market, r->target,
             r->option);
    for (size_t i = 0; i < o.n && rc >= 0; i++) {
        if (strcmp(o.v[i].key, key) == 0 || key_parse(o.v[i].key, &k) < 0)
            continue;
        if (strcmp(o.v[i].state, "claimed") == 0 || strcmp(o.v[i].state, "unknown") == 0) {
            stock_sync_say(r, strcmp(o.v[i].state, "claimed") == 0 ? JOB_SKIPPED : JOB_UNKNOWN,
                           "%s %lld is %s (another run, or a run that died); nothing queued: "
                           "run qs stock sync again after it (%s)",
                           "an earlier quantity", k.target, o.v[i].state, RULE);
            goto out;
        }
        /* An older change not sent: taken back, unless the marketplace shows it (it
         * reached it: it is read back and settled when claimed). */
        if (k.target != r->market)
            rc = outbox_withdraw(j->s, o.v[i].id, "superseded by a newer quantity", e);
    }
    /* A key taken back before is taken again with a suffix: ~2 .. ~9. */
    for (int n = 1; rc >= 0 && n <= 9; n++) {
        char k2[260];
        if (n > 1)
            snprintf(k2, sizeof k2, "%s~%d", key, n);
        else
            snprintf(k2, sizeof k2, "%s", key);
        if ((rc = stock_sync_state(j, k2, state, e)) < 0)
            break;
        if (strcmp(state, "withdrawn") == 0)
            continue;
        if ((rc = outbox_enqueue(j->s, j->shop, STOCK_QTY_KIND, k2, p, j->o.now, NULL, e)) < 0)
            break;
        free(r->key);
        r->key = xstrdup(k2);
        stock_sync_say(r, JOB_RETRY, "queued");
        break;
    }
out:
    free(o.v);
    return rc < 0 ? rc : 0;
}

/* stock_sync_plan: what `qs stock sync` sets (R-STK-7): the available units per q_sku, the
 * target of each link, the marketplace's quantity read before anything is written, the
 * drift check, and the outbox items of the changed links (stock_sync.h). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "stock_alloc.h"
#include "stock_link.h"
#include "stock_sync_int.h"
#include "../inbound/inbound.h"
#include "../outbox.h"
#include "../tm.h"
#include "../xalloc.h"

#define RULE "R-STK-7"

int stock_sync_buffer_parse(const char *s, long long *n, int *pct, char *why, size_t size)
{
    char *end;
    long long v;
    if (!s || !*s || *s == '-' || *s == '+') {
        snprintf(why, size, "--buffer takes N units or P%% (0 to 100), not \"%s\"", s ? s : "");
        return -1;
    }
    v = strtoll(s, &end, 10);
    *pct = *end == '%';
    if (end == s || (*end && strcmp(end, "%") != 0) || v < 0 || (*pct && v > 100) ||
        v > 1000000000) {
        snprintf(why, size, "--buffer takes N units or P%% (0 to 100), not \"%s\"", s);
        return -1;
    }
    *n = v;
    return 0;
}

long long stock_sync_target(long long available, long long buffer, int pct, long links,
                            long long max)
{
    long long t = available;
    if (t < 0)
        t = 0;
    t = pct ? t * (100 - buffer) / 100 : t - buffer; /* rounded down */
    if (t < 0)
        t = 0;
    if (links > 1)
        t /= links;
    if (max >= 0 && t > max)
        t = max;
    return t;
}

/* ---- the rows ---- */

static struct stock_sync_row *row_add(struct stock_sync_job *j, const char *item, const char *opt,
                                      const char *q_sku)
{
    j->rows = xrealloc(j->rows, (j->nrows + 1) * sizeof *j->rows);
    struct stock_sync_row *r = &j->rows[j->nrows++];
    *r = (struct stock_sync_row){.item_code = xstrdup(item),
                                 .option = xstrdup(opt),
                                 .q_sku = xstrdup(q_sku),
                                 .key = xstrdup(""),
                                 .message = xstrdup(""),
                                 .available = -1,
                                 .target = -1,
                                 .market = -1,
                                 .outcome = JOB_RETRY};
    return r;
}

/* ---- what the plan reads from the store ---- */

struct link {
    struct stock_sync_row *row;
    long long branch, waiting, allocated; /* of its q_sku */
    long links;                           /* of its q_sku */
    int current;                          /* its q_sku is in the latest download */
    long long base, set_qty;              /* stock_push; base 0: never set by qs */
    char set_at[32];
    long long since; /* units of order lines of the link since set_at */
};

struct plan {
    struct stock_sync_job *j;
    struct link *l;
    size_t n;
    struct qs_err *e;
};

static int link_row(sqlite3_stmt *st, void *p)
{
    struct plan *pl = p;
    pl->l = xrealloc(pl->l, (pl->n + 1) * sizeof *pl->l);
    struct link *l = &pl->l[pl->n++];
    memset(l, 0, sizeof *l);
    l->row = row_add(pl->j, store_col_text(st, 1), store_col_text(st, 2), store_col_text(st, 0));
    l->branch = sqlite3_column_int64(st, 3);
    l->current = sqlite3_column_int(st, 4);
    l->links = (long)sqlite3_column_int64(st, 5);
    l->base = sqlite3_column_int64(st, 6);
    l->set_qty = sqlite3_column_int64(st, 7);
    snprintf(l->set_at, sizeof l->set_at, "%s", store_col_text(st, 8));
    return 0;
}

static int cmp_sku(const void *a, const void *b)
{
    const struct link *x = *(struct link *const *)a, *y = *(struct link *const *)b;
    return strcmp(x->row->q_sku, y->row->q_sku);
}

struct alloc_ctx {
    struct link **by_sku; /* sorted by q_sku */
    size_t n;
};

/* Adds a warehouse line's units to every link of its q_sku. */
static int alloc_line(void *p, const struct stock_alloc_line *a, struct qs_err *e)
{
    struct alloc_ctx *c = p;
    (void)e;
    if (!a->q_sku || !*a->q_sku || a->state == STOCK_UNALLOCATABLE)
        return 0;
    size_t lo = 0, hi = c->n;
    while (lo < hi) { /* the first link of the q_sku */
        size_t mid = (lo + hi) / 2;
        if (strcmp(c->by_sku[mid]->row->q_sku, a->q_sku) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < c->n && strcmp(c->by_sku[lo]->row->q_sku, a->q_sku) == 0; lo++) {
        if (a->state == STOCK_WAITING)
            c->by_sku[lo]->waiting += a->qty;
        else
            c->by_sku[lo]->allocated += a->qty;
    }
    return 0;
}

static int since_row(sqlite3_stmt *st, void *p)
{
    *(long long *)p = sqlite3_column_int64(st, 0);
    return 1;
}

/* The links, their q_skus' quantities and waiting orders, and what qs set before. */
static int load(struct plan *pl)
{
    struct stock_sync_job *j = pl->j;
    int rc = store_each(
        j->s,
        "SELECT l.q_sku, l.item_code, l.option, coalesce(o.branch_qty, 0),"
        " coalesce(o.last_snapshot = (SELECT max(id) FROM stock_snapshot WHERE shop = ?1), 0),"
        " (SELECT count(*) FROM stock_link k WHERE k.shop = l.shop AND k.q_sku = l.q_sku"
        "  AND k.state IN ('linked', 'unlink-todo')),"
        " coalesce(p.outbox_id, 0), coalesce(p.qty, 0), coalesce(p.set_at, '')"
        " FROM stock_link l LEFT JOIN stock_option o ON o.shop = l.shop AND o.q_sku = l.q_sku"
        " LEFT JOIN stock_push p ON p.shop = l.shop AND p.item_code = l.item_code"
        "  AND p.option = l.option"
        " WHERE l.shop = ?1 AND l.state IN ('linked', 'unlink-todo')"
        " ORDER BY l.item_code, l.option, l.q_sku",
        link_row, pl, pl->e, "s", j->shop);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < pl->n; i++)
        pl->l[i].row = &j->rows[i]; /* row_add moved them */
    /* R-STK-7, R-INB-4: the branch quantity of the latest import, plus the inspected units of
     * inbound bundles completed after it (the next import supersedes them). */
    char taken[32] = "";
    struct store_text t = {taken, sizeof taken};
    if ((rc = store_each(j->s, "SELECT max(taken_at) FROM stock_snapshot WHERE shop = ?1",
                         store_row_text, &t, pl->e, "s", j->shop)) < 0)
        return rc;
    for (size_t i = 0; i < pl->n && rc >= 0; i++) {
        long long units = 0;
        rc = inbound_completed_units(j->s, j->shop, pl->l[i].row->q_sku, taken, "", &units, pl->e);
        pl->l[i].branch += units;
    }
    if (rc < 0)
        return rc;
    struct alloc_ctx c = {xcalloc(pl->n ? pl->n : 1, sizeof *c.by_sku), pl->n};
    for (size_t i = 0; i < pl->n; i++)
        c.by_sku[i] = &pl->l[i];
    qsort(c.by_sku, c.n, sizeof *c.by_sku, cmp_sku);
    rc = stock_alloc_each(j->s, j->shop, alloc_line, &c, pl->e);
    free(c.by_sku);
    for (size_t i = 0; i < pl->n && rc >= 0; i++) {
        struct link *l = &pl->l[i];
        if (!l->base)
            continue;
        /* The units the marketplace sold of the link since qs set it. */
        rc = store_each(j->s,
                        "SELECT coalesce(sum(qty), 0) FROM order_line WHERE shop = ?1"
                        " AND item_code = ?2 AND (?3 = '' OR option_code = ?3)"
                        " AND order_date >= ?4",
                        since_row, &l->since, pl->e, "ssss", j->shop, l->row->item_code,
                        l->row->option, l->set_at);
    }
    return rc < 0 ? rc : 0;
}

/* ---- the marketplace's side ---- */

static long long jnum(const json_t *o, const char *k)
{
    char *s = qapi_field_text(o, k), *end;
    long long v = strtoll(s, &end, 10);
    if (end == s)
        v = -1;
    free(s);
    return v;
}

void stock_sync_market_clear(struct stock_sync_market *m)
{
    free(m->price);
    free(m->expire);
    free(m->tax);
    free(m->seller_code);
    json_decref(m->inv);
    memset(m, 0, sizeof *m);
}

int stock_sync_read(struct qapi *q, const char *item, int detail, int inv,
                    struct stock_sync_market *m, struct qs_err *e)
{
    const struct qapi_param p[] = {{"ItemCode", item}};
    struct qapi_result r;
    int rc = 0;
    if (detail) {
        rc = qapi_call(q, "ItemsLookup.GetItemDetailInfo", p, 1, item, &r, e);
        const json_t *o = json_is_array(r.object) ? json_array_get(r.object, 0) : r.object;
        if (rc == 0 && json_is_object(o)) {
            m->detail_ok = 1;
            m->qty = jnum(o, "ItemQty");
            m->price = qapi_field_text(o, "ItemPrice");
            m->expire = qapi_field_text(o, "ExpireDate");
            m->tax = qapi_field_text(o, "TaxRate");
            m->seller_code = qapi_field_text(o, "SellerCode");
        } else if (rc == 0) {
            rc = err_set(e, QS_E_TEMP, RULE, "GetItemDetailInfo gave no item %s", item);
        }
        qapi_result_free(&r);
        if (rc < 0)
            return rc;
    }
    if (inv) {
        rc = qapi_call(q, "ItemsLookup.GetGoodsInventoryInfo", p, 1, item, &r, e);
        if (rc == 0) {
            m->inv_ok = 1;
            m->inv = json_is_array(r.object) ? json_incref(r.object) : json_array();
        }
        qapi_result_free(&r);
    }
    return rc;
}

const json_t *stock_sync_option_row(const struct stock_sync_market *m, const char *option)
{
    size_t i;
    const json_t *row;
    json_array_foreach(m->inv, i, row)
    {
        const json_t *c = json_object_get(row, "ItemTypeCode");
        if (json_is_string(c) && strcmp(json_string_value(c), option) == 0)
            return row;
    }
    return NULL;
}

long long stock_sync_market_qty(const struct stock_sync_market *m, const char *option)
{
    if (!*option)
        return m->detail_ok ? m->qty : -1;
    const json_t *row = m->inv_ok ? stock_sync_option_row(m, option) : NULL;
    return row ? jnum(row, "Qty") : -1;
}

/* ---- the plan ---- */

static char *payload(const struct stock_sync_job *j, const struct link *l,
                     const struct stock_sync_market *m)
{
    json_t *o = json_object();
    const json_t *row = *l->row->option ? stock_sync_option_row(m, l->row->option) : NULL;
    char names[256] = "", values[256] = "", *out;
    for (int i = 1; row && i <= 5; i++) {
        char k[16];
        snprintf(k, sizeof k, "Name%d", i);
        const char *n = json_string_value(json_object_get(row, k));
        snprintf(k, sizeof k, "Value%d", i);
        const char *v = json_string_value(json_object_get(row, k));
        if (!n || !*n)
            break;
        size_t a = strlen(names), b = strlen(values);
        snprintf(names + a, sizeof names - a, "%s%s", i > 1 ? "||*" : "", n);
        snprintf(values + b, sizeof values - b, "%s%s", i > 1 ? "||*" : "", v ? v : "");
    }
    json_object_set_new(o, "item_code", json_string(l->row->item_code));
    json_object_set_new(o, "option", json_string(l->row->option));
    json_object_set_new(o, "q_sku", json_string(l->row->q_sku));
    json_object_set_new(o, "from", json_integer(l->row->market));
    json_object_set_new(o, "target", json_integer(l->row->target));
    json_object_set_new(o, "price", json_string(m->price ? m->price : ""));
    json_object_set_new(o, "expire", json_string(m->expire ? m->expire : ""));
    json_object_set_new(o, "tax", json_string(m->tax ? m->tax : ""));
    json_object_set_new(o, "seller_code", json_string(m->seller_code ? m->seller_code : ""));
    json_object_set_new(o, "option_name", json_string(names));
    json_object_set_new(o, "option_value", json_string(values));
    json_object_set_new(o, "run", json_string(j->run));
    out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return out;
}

/* The decision for one link whose marketplace side m was read. 1: queue it. */
static int decide(struct plan *pl, struct link *l, const struct stock_sync_market *m)
{
    struct stock_sync_job *j = pl->j;
    struct stock_sync_row *r = l->row;
    r->market = stock_sync_market_qty(m, r->option);
    if (r->market < 0) {
        if (*r->option && m->inv_ok)
            stock_sync_say(r, JOB_FAILED,
                           "item %s has no option %s on the marketplace; link it again (%s)",
                           r->item_code, r->option, RULE);
        else
            stock_sync_say(r, JOB_RETRY, "could not read the marketplace: %s",
                           m->why[0] ? m->why : "no answer");
        return 0;
    }
    if (r->market == r->target) {
        stock_sync_say(r, JOB_DONE, "unchanged");
        return 0;
    }
    if (l->base && !j->o.force) {
        long long moved = l->set_qty - r->market;
        if (moved < 0)
            moved = -moved;
        if (moved > l->since && !stock_sync_inflight_target(j, r, r->market)) {
            stock_sync_say(r, JOB_SKIPPED,
                           "drift: qs set %lld at %s, the marketplace shows %lld, and the "
                           "orders synced since account for %lld; nothing sent (qs sync "
                           "orders first, or --force to send %lld) (%s)",
                           l->set_qty, l->set_at, r->market, l->since, r->target, RULE);
            return 0;
        }
    }
    return 1;
}

/* Plans every link: targets, reads, drift; queues the changed ones (stock_sync_queue). */
int stock_sync_plan(struct stock_sync_job *j, struct qs_err *e)
{
    struct plan pl = {j, NULL, 0, e};
    unsigned char rnd[16];
    int rc;

    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
        memset(rnd, 0, sizeof rnd);
    for (int i = 0; i < 16; i++)
        snprintf(j->run + 2 * i, 3, "%02x", rnd[i]);
    /* The base of each key is read before the marketplace is (stock_sync.h). */
    if ((rc = stock_sync_settle(j, e)) < 0 || (rc = stock_link_settle(j->s, j->shop, e)) < 0 ||
        (rc = load(&pl)) < 0)
        goto out;
    for (size_t i = 0; i < pl.n; i++) {
        struct link *l = &pl.l[i];
        struct stock_sync_row *r = l->row;
        int dup = (i > 0 && strcmp(pl.l[i - 1].row->item_code, r->item_code) == 0 &&
                   strcmp(pl.l[i - 1].row->option, r->option) == 0) ||
                  (i + 1 < pl.n && strcmp(pl.l[i + 1].row->item_code, r->item_code) == 0 &&
                   strcmp(pl.l[i + 1].row->option, r->option) == 0);
        r->available = l->branch - l->waiting - (j->o.with_alloc ? l->allocated : 0);
        if (r->available < 0)
            r->available = 0;
        if (!l->current)
            stock_sync_say(r, JOB_SKIPPED,
                           "%s is not in the latest Q-inventory download (qs stock import); "
                           "nothing sent (%s)",
                           r->q_sku, RULE);
        else if (dup)
            stock_sync_say(r, JOB_SKIPPED,
                           "item %s%s%s is linked to more than one SKU; nothing sent (%s)",
                           r->item_code, *r->option ? " option " : "", r->option, RULE);
        else if (l->links > 1 && !j->o.shared)
            stock_sync_say(r, JOB_SKIPPED,
                           "%s is linked to %ld items; nothing sent: --shared splits its %lld "
                           "units between them, else they oversell (%s)",
                           r->q_sku, l->links, r->available, RULE);
        else {
            r->target =
                stock_sync_target(r->available, j->o.buffer, j->o.buffer_pct, l->links, j->o.max);
            r->outcome = JOB_RETRY; /* to read */
        }
    }
    /* One read per item, then the decisions; the changed links are queued together. */
    for (size_t i = 0; i < pl.n && rc >= 0;) {
        size_t k = i;
        int detail = 0, inv = 0, any = 0;
        for (; k < pl.n && strcmp(pl.l[k].row->item_code, pl.l[i].row->item_code) == 0; k++)
            if (pl.l[k].row->target >= 0 && !*pl.l[k].row->message) {
                any = 1;
                if (*pl.l[k].row->option)
                    inv = 1;
                else
                    detail = 1;
            }
        if (any) {
            struct stock_sync_market m = {0};
            struct qs_err re;
            err_clear(&re);
            if (stock_sync_read(j->q, pl.l[i].row->item_code, detail, inv, &m, &re) < 0)
                snprintf(m.why, sizeof m.why, "%.200s", re.msg);
            for (size_t x = i; x < k && rc >= 0; x++) {
                struct link *l = &pl.l[x];
                if (l->row->target < 0 || *l->row->message)
                    continue;
                if (decide(&pl, l, &m)) {
                    char *p = payload(j, l, &m);
                    rc = stock_sync_queue(j, l->row, l->base, p, e);
                    free(p);
                }
            }
            stock_sync_market_clear(&m);
        }
        i = k;
    }
out:
    free(pl.l);
    return rc < 0 ? rc : 0;
}

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

/* ---- what the plan reads from the store ---- */

/* Adds a warehouse line's units to every link of its q_sku. */
static int alloc_line(void *p, const struct stock_alloc_line *a, struct qs_err *e)
{
    struct stock_sync_job *j = p;
    if (!a->q_sku || !*a->q_sku || a->state == STOCK_UNALLOCATABLE)
        return 0;
    return stock_sync_tab_alloc(j, a->q_sku, a->state == STOCK_WAITING ? a->qty : 0,
                                a->state == STOCK_WAITING ? 0 : a->qty, e);
}

static int since_row(sqlite3_stmt *st, void *p)
{
    *(long long *)p = sqlite3_column_int64(st, 0);
    return 1;
}

/* The links, their q_skus' quantities and waiting orders, and what qs set before, into
 * the run's TEMP table; taken gets the time of the latest import. */
static int load(struct stock_sync_job *j, char taken[32], struct qs_err *e)
{
    struct store_text t = {taken, 32};
    int rc;
    taken[0] = '\0';
    if ((rc = stock_sync_tab_open(j, e)) < 0 || (rc = stock_sync_tab_load(j, e)) < 0)
        return rc;
    if ((rc = store_each(j->s, "SELECT max(taken_at) FROM stock_snapshot WHERE shop = ?1",
                         store_row_text, &t, e, "s", j->shop)) < 0)
        return rc;
    return stock_alloc_each(j->s, j->shop, alloc_line, j, e);
}

/* What the plan reads per link: R-STK-7, R-INB-4: the branch quantity of the latest
 * import plus the inspected units of inbound bundles completed after it (the next import
 * supersedes them); and the units the marketplace sold of the link since qs set it. */
static int link_more(struct stock_sync_job *j, struct stock_sync_link *l, const char *taken,
                     struct qs_err *e)
{
    long long units = 0;
    int rc = inbound_completed_units(j->s, j->shop, l->row.q_sku, taken, "", &units, e);
    l->branch += units;
    if (rc < 0 || !l->base)
        return rc;
    return store_each(j->s,
                      "SELECT coalesce(sum(qty), 0) FROM order_line WHERE shop = ?1"
                      " AND item_code = ?2 AND (?3 = '' OR option_code = ?3)"
                      " AND order_date >= ?4",
                      since_row, &l->since, e, "ssss", j->shop, l->row.item_code, l->row.option,
                      l->set_at);
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

static char *payload(const struct stock_sync_job *j, const struct stock_sync_link *l,
                     const struct stock_sync_market *m)
{
    json_t *o = json_object();
    const json_t *row = *l->row.option ? stock_sync_option_row(m, l->row.option) : NULL;
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
    json_object_set_new(o, "item_code", json_string(l->row.item_code));
    json_object_set_new(o, "option", json_string(l->row.option));
    json_object_set_new(o, "q_sku", json_string(l->row.q_sku));
    json_object_set_new(o, "from", json_integer(l->row.market));
    json_object_set_new(o, "target", json_integer(l->row.target));
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
static int decide(struct stock_sync_job *j, struct stock_sync_link *l,
                  const struct stock_sync_market *m)
{
    struct stock_sync_row *r = &l->row;
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

/* The target of link x of an item's links g[0..n) (sorted by option). */
static void target(struct stock_sync_job *j, struct stock_sync_link *g, size_t n, size_t x)
{
    struct stock_sync_link *l = &g[x];
    struct stock_sync_row *r = &l->row;
    int dup = (x > 0 && strcmp(g[x - 1].row.option, r->option) == 0) ||
              (x + 1 < n && strcmp(g[x + 1].row.option, r->option) == 0);
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

/* The links g[0..n) of one item: targets, one read, the decisions, the changed ones
 * queued, each link's row stored. */
static int item(struct stock_sync_job *j, struct stock_sync_link *g, size_t n, struct qs_err *e)
{
    int detail = 0, inv = 0, any = 0, rc = 0;
    for (size_t x = 0; x < n; x++) {
        target(j, g, n, x);
        if (g[x].row.target >= 0 && !*g[x].row.message) {
            any = 1;
            if (*g[x].row.option)
                inv = 1;
            else
                detail = 1;
        }
    }
    if (any) {
        struct stock_sync_market m = {0};
        struct qs_err re;
        err_clear(&re);
        if (stock_sync_read(j->q, g[0].row.item_code, detail, inv, &m, &re) < 0)
            snprintf(m.why, sizeof m.why, "%.200s", re.msg);
        for (size_t x = 0; x < n && rc >= 0; x++) {
            struct stock_sync_link *l = &g[x];
            if (l->row.target < 0 || *l->row.message)
                continue;
            if (decide(j, l, &m)) {
                char *p = payload(j, l, &m);
                rc = stock_sync_queue(j, &l->row, l->base, p, e);
                free(p);
            }
        }
        stock_sync_market_clear(&m);
    }
    for (size_t x = 0; x < n && rc >= 0; x++)
        rc = stock_sync_tab_put(j, &g[x], e);
    return rc;
}

/* Plans every link: targets, reads, drift; queues the changed ones (stock_sync_queue).
 * The links are read back from the TEMP table one item at a time (SPEC 8: flat memory). */
int stock_sync_plan(struct stock_sync_job *j, struct qs_err *e)
{
    struct stock_sync_link *g = NULL;
    size_t n = 0, cap = 0;
    unsigned char rnd[16];
    char taken[32];
    int rc;

    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
        memset(rnd, 0, sizeof rnd);
    for (int i = 0; i < 16; i++)
        snprintf(j->run + 2 * i, 3, "%02x", rnd[i]);
    /* The base of each key is read before the marketplace is (stock_sync.h). */
    if ((rc = stock_sync_settle(j, e)) < 0 || (rc = stock_link_settle(j->s, j->shop, e)) < 0 ||
        (rc = load(j, taken, e)) < 0)
        goto out;
    for (long seq = 1; seq <= j->nrows + 1 && rc >= 0; seq++) {
        struct stock_sync_link next = {0};
        if (seq <= j->nrows && (rc = stock_sync_tab_get(j, seq, &next, e)) == 1)
            rc = link_more(j, &next, taken, e);
        /* One read per item: its links go together. */
        if (rc >= 0 && n &&
            (!next.row.item_code || strcmp(next.row.item_code, g[0].row.item_code))) {
            rc = item(j, g, n, e);
            for (size_t x = 0; x < n; x++)
                stock_sync_link_clear(&g[x]);
            n = 0;
        }
        if (rc >= 0 && next.row.item_code) {
            if (n == cap)
                g = xrealloc(g, (cap = cap ? 2 * cap : 8) * sizeof *g);
            g[n++] = next;
        } else {
            stock_sync_link_clear(&next);
        }
    }
    if (rc >= 0)
        rc = stock_sync_tab_flush(j, e);
out:
    for (size_t x = 0; x < n; x++)
        stock_sync_link_clear(&g[x]);
    free(g);
    return rc < 0 ? rc : 0;
}

/* stock_alloc: the allocation model of R-STK-6 (stock_alloc.h says it in full): which
 * warehouse lines are allocated, waiting or unallocatable, and which waiting ones the latest
 * import can cover now. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stock_alloc.h"
#include "../strmap.h"
#include "../xalloc.h"

const char *const stock_alloc_words[] = {"allocated", "waiting", "unallocatable"};

/* One warehouse line as the walk sees it. */
struct aline {
    char *order_no, *pack_no, *item_code, *option_code, *q_sku, *order_date, *paid_date;
    char *link_at, *country, *branch, *rec, *rec_at;
    long long qty, link_count; /* link_count -1: not shown */
    enum stock_alloc_state state;
    const char *reason, *source;
    const char *at; /* allocated: when (for the replay) */
};

struct snap {
    long long id;
    char *taken_at;
};

/* The units allocated of one q_sku by time: a Fenwick tree over the times its lines can be
 * allocated at (their payments, their confirmations, FAR), so that the units allocated in
 * a window cost log(lines of the SKU), not a walk over them. */
struct sku {
    const char **t;  /* the times, sorted, unique */
    long long *tree; /* Fenwick tree over t (1-based) */
    size_t n, cap;
};

/* After everything: what a cover by the latest snapshot is marked allocated at. */
static const char FAR[] = "9999-12-31T23:59:59Z";

#define NONE ((size_t)-1)

struct model {
    struct aline *l;
    size_t n, cap;
    struct snap *sn;
    size_t nsn, capsn;
    sqlite3_stmt *qty; /* branch_qty of (snapshot, q_sku) */
    struct store *s;
    size_t *next;       /* the next line of the same cart (NONE: the last) */
    size_t *lsku;       /* each line's index in sku */
    struct sku *sku;    /* by q_sku */
    struct strmap skus; /* q_sku -> index in sku */
};

#define LATEST "(SELECT max(id) FROM stock_snapshot WHERE shop = ?1)"
#define LINK                                                                                       \
    "(SELECT l.id FROM stock_link l WHERE l.shop = ol.shop AND l.item_code = ol.item_code"         \
    " AND l.state IN ('linked', 'unlink-todo') AND (l.option = ol.option_code OR l.option = '')"   \
    " ORDER BY l.option = '', l.recorded_at, l.id LIMIT 1)"

/* The warehouse lines: paid, not shipped, not cancelled, of an item with any link row.
 * The country fields are a guess (stock_alloc.h). */
static const char lines_sql[] =
    "SELECT ol.order_no, ol.pack_no, ol.item_code, ol.option_code, coalesce(lk.q_sku, ''),"
    " ol.order_date, ol.paid_date, coalesce(lk.recorded_at, ''),"
    " coalesce(nullif(json_extract(ol.raw, '$.ShippingCountry'), ''),"
    " nullif(json_extract(ol.raw, '$.shippingCountry'), ''),"
    " nullif(json_extract(ol.raw, '$.ReceiverNation'), ''), 'JP'),"
    " coalesce(json_extract(ol.raw, '$.BranchName'), ''), coalesce(a.state, ''),"
    " coalesce(a.recorded_at, ''), ol.qty,"
    " coalesce((SELECT o.link_count FROM stock_option o WHERE o.shop = ol.shop AND"
    " o.q_sku = lk.q_sku AND o.last_snapshot = " LATEST "), -1)"
    " FROM order_line ol LEFT JOIN stock_link lk ON lk.id = " LINK
    " LEFT JOIN stock_alloc a ON a.shop = ol.shop AND a.order_no = ol.order_no"
    " WHERE ol.shop = ?1 AND ol.status IN (2, 3) AND ol.claim NOT IN (3, 16)"
    " AND json_valid(ol.raw) AND EXISTS (SELECT 1 FROM stock_link k WHERE k.shop = ol.shop AND"
    " k.item_code = ol.item_code) ORDER BY ol.paid_date, ol.order_no";

static int line_row(sqlite3_stmt *st, void *p)
{
    struct model *m = p;
    struct aline *l;
    if (m->n == m->cap)
        m->l = xrealloc(m->l, (m->cap = m->cap ? 2 * m->cap : 64) * sizeof *m->l);
    l = &m->l[m->n++];
    memset(l, 0, sizeof *l);
    l->order_no = xstrdup(store_col_text(st, 0));
    l->pack_no = xstrdup(store_col_text(st, 1));
    l->item_code = xstrdup(store_col_text(st, 2));
    l->option_code = xstrdup(store_col_text(st, 3));
    l->q_sku = xstrdup(store_col_text(st, 4));
    l->order_date = xstrdup(store_col_text(st, 5));
    l->paid_date = xstrdup(store_col_text(st, 6));
    l->link_at = xstrdup(store_col_text(st, 7));
    l->country = xstrdup(store_col_text(st, 8));
    l->branch = xstrdup(store_col_text(st, 9));
    l->rec = xstrdup(store_col_text(st, 10));
    l->rec_at = xstrdup(store_col_text(st, 11));
    l->qty = sqlite3_column_int64(st, 12);
    l->link_count = sqlite3_column_int64(st, 13);
    l->reason = l->source = "";
    return 0;
}

static int snap_row(sqlite3_stmt *st, void *p)
{
    struct model *m = p;
    if (m->nsn == m->capsn)
        m->sn = xrealloc(m->sn, (m->capsn = m->capsn ? 2 * m->capsn : 16) * sizeof *m->sn);
    m->sn[m->nsn].id = sqlite3_column_int64(st, 0);
    m->sn[m->nsn++].taken_at = xstrdup(store_col_text(st, 1));
    return 0;
}

static void model_free(struct model *m)
{
    for (size_t i = 0; i < m->n; i++) {
        struct aline *l = &m->l[i];
        free(l->order_no);
        free(l->pack_no);
        free(l->item_code);
        free(l->option_code);
        free(l->q_sku);
        free(l->order_date);
        free(l->paid_date);
        free(l->link_at);
        free(l->country);
        free(l->branch);
        free(l->rec);
        free(l->rec_at);
    }
    for (size_t i = 0; i < m->nsn; i++)
        free(m->sn[i].taken_at);
    for (size_t i = 0; m->sku && i < m->skus.n; i++) {
        free(m->sku[i].t);
        free(m->sku[i].tree);
    }
    free(m->l);
    free(m->sn);
    free(m->next);
    free(m->lsku);
    free(m->sku);
    strmap_free(&m->skus);
    sqlite3_finalize(m->qty);
    memset(m, 0, sizeof *m);
}

static int is_jp(const char *c)
{
    return !strcasecmp(c, "JP") || !strcasecmp(c, "JPN") || !strcasecmp(c, "Japan");
}

/* The reason a line cannot be allocated, "" when it can (the order of stock_alloc.h). */
static const char *reason_of(const struct aline *l)
{
    if (!l->q_sku[0] || l->link_count == 0)
        return "no link";
    if (strcmp(l->order_date, l->link_at) < 0)
        return "linked after the sale";
    if (!is_jp(l->country))
        return "destination not JP";
    if (!strcmp(l->rec, "cancelled"))
        return "allocation cancelled";
    return "";
}

/* branch_qty of q_sku in snapshot id, 0 when the snapshot does not show it. */
static int branch_qty(struct model *m, const char *shop, long long id, const char *q_sku,
                      long long *qty, struct qs_err *e)
{
    int rc;
    *qty = 0;
    if (!m->qty &&
        (rc = store_prepare(m->s,
                            "SELECT r.branch_qty FROM stock_snapshot_row r JOIN stock_snapshot t ON"
                            " t.id = r.snapshot WHERE t.shop = ?1 AND r.snapshot = ?2 AND"
                            " r.q_sku = ?3",
                            &m->qty, e)) < 0)
        return rc;
    if ((rc = store_bind(m->s, m->qty, e, "sls", shop, id, q_sku)) < 0 ||
        (rc = store_step(m->s, m->qty, e)) < 0)
        return rc;
    if (rc == 1)
        *qty = sqlite3_column_int64(m->qty, 0);
    return 0;
}

/* How many of k's times are at or before t. */
static size_t upto_count(const struct sku *k, const char *t)
{
    size_t lo = 0, hi = k->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(k->t[mid], t) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The units allocated at k's first c times. */
static long long prefix(const struct sku *k, size_t c)
{
    long long u = 0;
    for (; c > 0; c &= c - 1)
        u += k->tree[c];
    return u;
}

/* Line i becomes allocated at at (source src; at is one of the times model_index gave its
 * q_sku). */
static void allocate(struct model *m, size_t i, const char *src, const char *at)
{
    struct sku *k = &m->sku[m->lsku[i]];
    m->l[i].state = STOCK_ALLOCATED;
    m->l[i].source = src;
    m->l[i].at = at;
    for (size_t c = upto_count(k, at); c && c <= k->n; c += c & -c)
        k->tree[c] += m->l[i].qty;
}

/* The units of line j's q_sku allocated at a time in (after, upto] (upto NULL: any). */
static long long used(const struct model *m, size_t j, const char *after, const char *upto)
{
    const struct sku *k = &m->sku[m->lsku[j]];
    size_t a = upto_count(k, after), b = upto ? upto_count(k, upto) : k->n;
    return b > a ? prefix(k, b) - prefix(k, a) : 0;
}

static int time_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sku_time(struct sku *k, const char *t)
{
    if (k->n == k->cap)
        k->t = xrealloc(k->t, (k->cap = k->cap ? 2 * k->cap : 8) * sizeof *k->t);
    k->t[k->n++] = t;
}

/* The carts (each line's next line of its cart) and the q_sku groups. */
static void model_index(struct model *m)
{
    struct strmap carts = {0};
    m->next = xcalloc(m->n + 1, sizeof *m->next);
    m->lsku = xcalloc(m->n + 1, sizeof *m->lsku);
    for (size_t i = 0; i < m->n; i++) {
        size_t k;
        m->next[i] = NONE;
        if (m->l[i].pack_no[0]) { /* a line without a cart number is a cart alone */
            if (strmap_get(&carts, m->l[i].pack_no, &k))
                m->next[k] = i;
            strmap_put(&carts, m->l[i].pack_no, i);
        }
        if (!strmap_get(&m->skus, m->l[i].q_sku, &k))
            strmap_put(&m->skus, m->l[i].q_sku, k = m->skus.n);
        m->lsku[i] = k;
    }
    m->sku = xcalloc(m->skus.n + 1, sizeof *m->sku);
    for (size_t i = 0; i < m->n; i++) {
        sku_time(&m->sku[m->lsku[i]], m->l[i].paid_date);
        sku_time(&m->sku[m->lsku[i]], m->l[i].rec_at);
    }
    for (size_t s = 0; s < m->skus.n; s++) {
        struct sku *k = &m->sku[s];
        size_t u = 0;
        sku_time(k, FAR);
        qsort(k->t, k->n, sizeof *k->t, time_cmp);
        for (size_t i = 0; i < k->n; i++)
            if (!u || strcmp(k->t[i], k->t[u - 1]) != 0)
                k->t[u++] = k->t[i];
        k->n = u;
        k->tree = xcalloc(k->n + 1, sizeof *k->tree);
    }
    strmap_free(&carts);
}

/* The stock of q_sku at time at (NULL: now) into *have: branch_qty of the latest snapshot
 * taken at or before it, minus the units allocated after that snapshot (counts_allocated:
 * every allocated unit) up to at. *known 0: no snapshot before at. */
static int stock_at(struct model *m, const char *shop, size_t j, const char *at,
                    int counts_allocated, long long *have, int *known, struct qs_err *e)
{
    const struct snap *sn = NULL;
    int rc;
    *known = 0;
    *have = 0;
    for (size_t k = 0; k < m->nsn; k++)
        if (!at || strcmp(m->sn[k].taken_at, at) <= 0)
            sn = &m->sn[k];
    if (!sn)
        return 0;
    if ((rc = branch_qty(m, shop, sn->id, m->l[j].q_sku, have, e)) < 0)
        return rc;
    *known = 1;
    *have -= used(m, j, counts_allocated ? "" : sn->taken_at, at);
    return 0;
}

/* Decides the cart of line i: its candidate lines (cand) become allocated (source "model",
 * at their payment, or at at when given) when every q_sku's units are at most its stock
 * (at each line's payment, or at at), else stay waiting. */
static int cart_decide(struct model *m, const char *shop, size_t i, char *cand, const char *at,
                       int counts_allocated, struct qs_err *e)
{
    int covered = 1, rc;
    /* The cart's lines from i on, through m->next. */
    for (size_t j = i; j != NONE && covered; j = m->next[j]) {
        long long need = 0, have;
        int known, first = 1;
        if (!cand[j])
            continue;
        for (size_t k = i; k != j && first; k = m->next[k]) /* each q_sku once */
            first = !(cand[k] && m->lsku[k] == m->lsku[j]);
        if (!first)
            continue;
        for (size_t k = j; k != NONE; k = m->next[k])
            if (cand[k] && m->lsku[k] == m->lsku[j])
                need += m->l[k].qty;
        if ((rc = stock_at(m, shop, j, at ? at : m->l[j].paid_date, counts_allocated, &have, &known,
                           e)) < 0)
            return rc;
        covered = known && need <= have;
    }
    for (size_t j = i; j != NONE; j = m->next[j])
        if (cand[j]) {
            cand[j] = 0;
            if (covered)
                allocate(m, j, "model", at ? at : m->l[j].paid_date);
        }
    return 0;
}

/* Loads the lines and the snapshots, and runs the model. */
static int model_run(struct store *s, const char *shop, struct model *m, struct qs_err *e)
{
    char *cand;
    int rc;
    memset(m, 0, sizeof *m);
    m->s = s;
    if ((rc = store_each(s, lines_sql, line_row, m, e, "s", shop)) < 0 ||
        (rc = store_each(s,
                         "SELECT id, taken_at FROM stock_snapshot WHERE shop = ?1 ORDER BY"
                         " taken_at, id",
                         snap_row, m, e, "s", shop)) < 0)
        return rc;
    model_index(m);
    cand = xcalloc(m->n + 1, 1);
    for (size_t i = 0; i < m->n; i++) {
        struct aline *l = &m->l[i];
        l->reason = reason_of(l);
        if (*l->reason)
            l->state = STOCK_UNALLOCATABLE;
        else if (!strcmp(l->rec, "allocated"))
            allocate(m, i, "confirmed", l->rec_at);
        else if (strcasestr(l->branch, "qxpress"))
            allocate(m, i, "marketplace", l->paid_date);
        else {
            l->state = STOCK_WAITING;
            cand[i] = 1;
        }
    }
    /* The replay: carts in the order of their first line's payment. */
    for (size_t i = 0; i < m->n && rc >= 0; i++)
        if (cand[i])
            rc = cart_decide(m, shop, i, cand, NULL, 0, e);
    free(cand);
    return rc < 0 ? rc : 0;
}

static void view(const struct aline *a, struct stock_alloc_line *l)
{
    *l = (struct stock_alloc_line){a->order_no, a->pack_no,    a->item_code, a->option_code,
                                   a->q_sku,    a->order_date, a->paid_date, a->qty,
                                   a->state,    a->reason,     a->source};
}

int stock_alloc_each(struct store *s, const char *shop,
                     int (*fn)(void *ctx, const struct stock_alloc_line *l, struct qs_err *e),
                     void *ctx, struct qs_err *e)
{
    struct model m;
    int rc = model_run(s, shop, &m, e);
    for (size_t i = 0; i < m.n && rc >= 0; i++) {
        struct stock_alloc_line l;
        view(&m.l[i], &l);
        rc = fn(ctx, &l, e);
    }
    model_free(&m);
    return rc < 0 ? rc : 0;
}

int stock_alloc_coverable(struct store *s, const char *shop, int counts_allocated,
                          int (*fn)(void *ctx, const struct stock_alloc_line *l, struct qs_err *e),
                          void *ctx, struct qs_err *e)
{
    const char *far = FAR; /* after everything: the latest snapshot */
    struct model m;
    char *cand;
    int rc = model_run(s, shop, &m, e);
    cand = xcalloc(m.n + 1, 1);
    for (size_t i = 0; i < m.n; i++)
        cand[i] = m.l[i].state == STOCK_WAITING;
    /* Waiting carts in payment order, each taking what the latest import shows. Lines
     * the cover turns allocated are marked with the far time, so they count against the
     * next carts whatever the snapshot's time. */
    for (size_t i = 0; i < m.n && rc >= 0; i++)
        if (cand[i])
            rc = cart_decide(&m, shop, i, cand, far, counts_allocated, e);
    for (size_t i = 0; i < m.n && rc >= 0; i++) {
        struct stock_alloc_line l;
        if (m.l[i].at != far)
            continue;
        m.l[i].state = STOCK_WAITING; /* waiting still: the to-do is what allocates it */
        m.l[i].source = "";
        view(&m.l[i], &l);
        rc = fn(ctx, &l, e);
    }
    free(cand);
    model_free(&m);
    return rc < 0 ? rc : 0;
}

/* ---- for qs sync ship ---- */

struct collect {
    char **v;
    size_t n, cap;
};

static int collect_row(void *p, const struct stock_alloc_line *l, struct qs_err *e)
{
    struct collect *c = p;
    (void)e;
    if (l->state != STOCK_ALLOCATED)
        return 0;
    if (c->n == c->cap)
        c->v = xrealloc(c->v, (c->cap = c->cap ? 2 * c->cap : 64) * sizeof *c->v);
    c->v[c->n++] = xstrdup(l->order_no);
    return 0;
}

static int text_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int any_row(sqlite3_stmt *st, void *p)
{
    (void)st;
    *(int *)p = 1;
    return 1;
}

int stock_alloc_allocated(struct store *s, const char *shop, char ***v, size_t *n, struct qs_err *e)
{
    struct collect c = {0};
    int rc, any = 0;
    *v = NULL;
    *n = 0;
    /* A shop that does not use the warehouse: nothing to model. */
    if ((rc = store_each(s, "SELECT 1 FROM stock_link WHERE shop = ?1 LIMIT 1", any_row, &any, e,
                         "s", shop)) < 0 ||
        !any)
        return rc < 0 ? rc : 0;
    if ((rc = stock_alloc_each(s, shop, collect_row, &c, e)) < 0) {
        stock_alloc_list_free(c.v, c.n);
        return rc;
    }
    if (c.n)
        qsort(c.v, c.n, sizeof *c.v, text_cmp);
    *v = c.v;
    *n = c.n;
    return 0;
}

void stock_alloc_list_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* stock_alloc_job: the allocation and unallocation to-dos of R-STK-6 as jobs of the one
 * runner (job.h, SPEC 1.6): one outbox item per order line (kinds stock-alloc,
 * stock-unalloc) in one transaction, handed off together through the shop's stock delivery
 * (file: one checklist of QSM's 分店运送管理 steps), one report row per line. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stock_add.h"
#include "stock_alloc.h"
#include "stock_job.h"
#include "../outbox.h"
#include "../sha256.h"
#include "../strmap.h"
#include "../tm.h"
#include "../xalloc.h"

/* Where and how, from seed 004 (买家已付款（如何分配订单）, 解除订单分配的操作步骤). */
#define ALLOC_PATH "运送/取消/未受取 > 分店运送管理 > 分店订购记录"
#define ALLOC_STEPS                                                                                                    \
    "处理状态 未分配地点; 运送状态 买家已付款; 【查询】; tick the orders; 地点分配 Qxpress " \
    "Japan; 【发送地点分配】"
#define ALLOC_NOTE                                                                                    \
    "check 订购内容 > Q-库存信息 of each order: a wrong Q-inventory code cannot be fixed in " \
    "QSM -- ship the order another way, or write to qfs_delivery@qxpress.asia with the order "        \
    "number and the right Q-inventory code and quantity; with 分店数量 0 QSM cannot allocate "    \
    "(ask the warehouse whether the inbound is counted yet)"
#define UNALLOC_STEPS                                                                              \
    "处理状态 分配地点; 运送状态 买家已付款; 【查询】; tick the orders; 【发送地点分配取消】"
#define UNALLOC_NOTE "when QSM cannot cancel the allocation, write to qfs@qxpress.jp"

static const char *kind_of(const struct stock_alloc_job *j)
{
    return j->unalloc ? STOCK_UNALLOC_KIND : STOCK_ALLOC_KIND;
}

static void todo_add(struct stock_alloc_job *j, const struct stock_alloc_line *l)
{
    struct stock_alloc_todo *t;
    if ((j->n & (j->n - 1)) == 0) /* at 0, 1, 2, 4...: room for twice as many */
        j->v = xrealloc(j->v, (j->n ? 2 * j->n : 1) * sizeof *j->v);
    t = &j->v[j->n++];
    t->order_no = xstrdup(l->order_no);
    t->pack_no = xstrdup(l->pack_no);
    t->item_code = xstrdup(l->item_code);
    t->option_code = xstrdup(l->option_code);
    t->q_sku = xstrdup(l->q_sku);
    t->qty = l->qty;
}

static int todo_row(void *p, const struct stock_alloc_line *l, struct qs_err *e)
{
    (void)e;
    todo_add(p, l);
    return 0;
}

int stock_alloc_todo_plan(struct store *s, const char *shop, int counts_allocated,
                          struct stock_alloc_job *j, struct qs_err *e)
{
    return stock_alloc_coverable(s, shop, counts_allocated, todo_row, j, e);
}

/* The orders given, each once, found through a map (a list of 100,000 orders compared
 * with each line was quadratic). */
struct ord {
    char seen; /* unalloc: 1 found allocated, 2 found in another state; confirm: 1 picked */
    char told; /* reported already */
    char *why;
};

struct ords {
    struct strmap at; /* order number -> its entry in v */
    struct ord *v;
    size_t n;
};

static void ords_init(struct ords *o, const char *const *orders, size_t n)
{
    memset(o, 0, sizeof *o);
    o->v = xcalloc(n + 1, sizeof *o->v);
    for (size_t i = 0; i < n; i++)
        if (!strmap_get(&o->at, orders[i], NULL))
            strmap_put(&o->at, orders[i], o->n++);
}

static struct ord *ords_find(const struct ords *o, const char *no)
{
    size_t i;
    return strmap_get(&o->at, no, &i) ? &o->v[i] : NULL;
}

static void ords_free(struct ords *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->v[i].why);
    free(o->v);
    strmap_free(&o->at);
}

struct unalloc_ctx {
    struct stock_alloc_job *j;
    struct ords u;
};

static int unalloc_row(void *p, const struct stock_alloc_line *l, struct qs_err *e)
{
    struct unalloc_ctx *c = p;
    struct ord *o = ords_find(&c->u, l->order_no);
    (void)e;
    if (!o || o->seen)
        return 0; /* not asked for, or planned once already */
    if (l->state == STOCK_ALLOCATED) {
        o->seen = 1;
        todo_add(c->j, l);
    } else {
        o->seen = 2;
        o->why = l->state == STOCK_WAITING ? xstrdup("waiting (分配等待)")
                                           : xasprintf("unallocatable: %s", l->reason);
    }
    return 0;
}

int stock_alloc_unalloc_plan(struct store *s, const char *shop, const char *const *orders, size_t n,
                             void (*report)(void *ctx, const struct qs_err *e), void *ctx,
                             struct stock_alloc_job *j, struct qs_err *e)
{
    struct unalloc_ctx c = {.j = j};
    int rc, bad = 0;

    ords_init(&c.u, orders, n);
    rc = stock_alloc_each(s, shop, unalloc_row, &c, e);
    for (size_t i = 0; i < n && rc == 0; i++) { /* in the order given */
        struct ord *o = ords_find(&c.u, orders[i]);
        struct qs_err w;
        if (o->seen == 1 || o->told)
            continue;
        o->told = 1;
        err_clear(&w);
        err_set(&w, QS_E_DATA, "R-STK-6",
                "order %s is %s%s; only an allocated warehouse line can be unallocated", orders[i],
                o->seen ? "" : "not a warehouse line (paid, unshipped, of a linked item)",
                o->why ? o->why : "");
        err_record(&w, orders[i]);
        if (report)
            report(ctx, &w);
        bad++;
    }
    ords_free(&c.u);
    if (rc == 0 && bad) {
        stock_alloc_job_clear(j);
        rc = err_set(e, QS_E_DATA, "R-STK-6", "%d order%s cannot be unallocated; nothing written",
                     bad, bad == 1 ? "" : "s");
    }
    return rc;
}

/* ---- the job ---- */

static char *payload(const struct stock_alloc_job *j, const struct stock_alloc_todo *t)
{
    json_t *o = json_object();
    char *out;
    json_object_set_new(o, "action", json_string(j->unalloc ? "unallocate" : "allocate"));
    json_object_set_new(o, "order_no", json_string(t->order_no));
    json_object_set_new(o, "cart", json_string(t->pack_no));
    json_object_set_new(o, "item_code", json_string(t->item_code));
    json_object_set_new(o, "option", json_string(t->option_code));
    json_object_set_new(o, "q_sku", json_string(t->q_sku));
    json_object_set_new(o, "qty", json_integer(t->qty));
    json_object_set_new(o, "path", json_string(ALLOC_PATH));
    json_object_set_new(o, "steps", json_string(j->unalloc ? UNALLOC_STEPS : ALLOC_STEPS));
    json_object_set_new(o, "note", json_string(j->unalloc ? UNALLOC_NOTE : ALLOC_NOTE));
    out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return out;
}

static int enqueue(void *job, struct qs_err *e)
{
    struct stock_alloc_job *j = job;
    int rc = 0, own = sqlite3_get_autocommit(store_db(j->s));
    j->keys = xcalloc(j->n + 1, sizeof *j->keys);
    j->existed = xcalloc(j->n + 1, 1);
    if (own && (rc = store_begin(j->s, e)) < 0)
        return rc;
    for (size_t i = 0; i < j->n && rc >= 0; i++) {
        char *seed = xasprintf("%s|%s", j->shop, j->v[i].order_no), hex[65], *pl;
        sha256_hex(seed, strlen(seed), hex);
        free(seed);
        j->keys[i] = xasprintf("%s-%.24s", j->unalloc ? "ual" : "alc", hex);
        pl = payload(j, &j->v[i]);
        rc = outbox_enqueue(j->s, j->shop, kind_of(j), j->keys[i], pl, time(NULL), NULL, e);
        free(pl);
        if (rc == 0)
            j->existed[i] = 1;
    }
    rc = rc < 0 ? rc : 0;
    if (own) {
        if (rc == 0)
            rc = store_commit(j->s, e);
        else
            store_rollback(j->s);
    }
    return rc;
}

/* Records order_no's to-do of kind done in QSM (a hook's ok, or qs stock confirm). */
static int stk_alloc_record(struct store *s, const char *shop, const char *kind,
                            const char *order_no, const char *at, struct qs_err *e)
{
    return store_run(s, e,
                     "INSERT INTO stock_alloc(shop, order_no, state, recorded_at) VALUES (?1, ?2,"
                     " ?3, ?4) ON CONFLICT (shop, order_no) DO UPDATE SET state = excluded.state,"
                     " recorded_at = excluded.recorded_at",
                     "ssss", shop, order_no,
                     !strcmp(kind, STOCK_UNALLOC_KIND) ? "cancelled" : "allocated", at);
}

static int run(void *job, struct job_counts *c, struct qs_err *e)
{
    struct stock_alloc_job *j = job;
    struct stock_settled *s = j->settled ? j->settled : (j->settled = xcalloc(1, sizeof *s));
    struct deliver_opts d = {
        .delivery = j->delivery,
        .retry_failed = j->retry_failed,
        .dry_run = j->dry_run,
        .group_by = "action",
        .columns = (const char *const[]){"order_no", "cart", "item_code", "option", "q_sku", "qty"},
        .ncolumns = 6,
        .shared = (const char *const[]){"path", "steps", "note"},
        .nshared = 3,
        .on_result = stock_settled_add,
        .result_ctx = s,
        .prog = j->prog,
    };
    struct deliver_spec ds = {0};
    char at[32];
    int rc;
    /* SPEC 1.7: allocation to-dos leave by the shop's stock delivery, as link to-dos do. */
    if (!d.delivery) {
        if ((rc = deliver_resolve(j->s, j->shop, STOCK_KIND, 0, &ds, e)) < 0)
            return rc;
        d.delivery = ds.text;
    }
    rc = deliver_run(j->s, j->shop, kind_of(j), &d, &j->rep, e);
    deliver_spec_clear(&ds);
    c->unavailable = j->rep.unavailable;
    tm_utc_iso(time(NULL), at, sizeof at);
    for (size_t i = 0; i < s->n && rc == 0 && !j->dry_run; i++)
        if (!strcmp(s->result[i], "ok")) { /* a hook did it in QSM */
            json_t *o = json_loads(s->payload[i], 0, NULL);
            const char *no = json_string_value(json_object_get(o, "order_no"));
            rc = stk_alloc_record(j->s, j->shop, kind_of(j), no ? no : "", at, e);
            json_decref(o);
        }
    return rc;
}

static const char *const cols[] = {"key",    "order_no", "cart", "q_sku",  "qty",
                                   "action", "result",   "ref",  "message"};

static int emit(job_emit_fn fn, void *ectx, const struct stock_alloc_job *j, enum job_outcome oc,
                const char *key, const char *payload_text, const struct stock_alloc_todo *t,
                const char *result, const char *ref, const char *msg, struct qs_err *e)
{
    json_t *o = payload_text ? json_loads(payload_text, 0, NULL) : NULL;
    struct rec *r = rec_new();
    char n[32] = "";
    int rc;
#define PF(f)                                                                                      \
    (json_string_value(json_object_get(o, f)) ? json_string_value(json_object_get(o, f)) : "")
    if (t)
        snprintf(n, sizeof n, "%lld", t->qty);
    else if (json_is_integer(json_object_get(o, "qty")))
        snprintf(n, sizeof n, "%lld", (long long)json_integer_value(json_object_get(o, "qty")));
    rec_set(r, "key", key);
    rec_set(r, "order_no", t ? t->order_no : PF("order_no"));
    rec_set(r, "cart", t ? t->pack_no : PF("cart"));
    rec_set(r, "q_sku", t ? t->q_sku : PF("q_sku"));
    rec_set_typed(r, "qty", n, *n ? REC_NUM : REC_NULL);
    rec_set(r, "action", t ? (j->unalloc ? "unallocate" : "allocate") : PF("action"));
#undef PF
    rec_set(r, "result", result);
    rec_set(r, "ref", ref);
    rec_set(r, "message", msg);
    rc = fn(ectx, oc, r, e);
    rec_free(r);
    json_decref(o);
    return rc;
}

static int report(void *job, job_emit_fn fn, void *ectx, struct qs_err *e)
{
    struct stock_alloc_job *j = job;
    struct stock_settled *s = j->settled;
    char *mine = s ? xcalloc(s->n + 1, 1) : NULL;
    int rc = 0;
    for (size_t i = 0; j->keys && i < j->n && rc >= 0; i++) {
        size_t k = 0;
        while (s && k < s->n && strcmp(s->key[k], j->keys[i]) != 0)
            k++;
        if (s && k < s->n) {
            mine[k] = 1;
            rc = emit(fn, ectx, j, stock_settled_outcome(s->result[k]), j->keys[i], NULL, &j->v[i],
                      s->result[k], s->ref[k], s->msg[k], e);
        } else if (j->existed[i])
            rc = emit(fn, ectx, j, JOB_DONE, j->keys[i], NULL, &j->v[i], "already", "",
                      "its to-do was written before", e);
        else
            rc = emit(fn, ectx, j, JOB_RETRY, j->keys[i], NULL, &j->v[i], "retry", "",
                      "queued: another run holds it, or it waits for its retry", e);
    }
    for (size_t k = 0; s && k < s->n && rc >= 0; k++)
        if (!mine[k])
            rc = emit(fn, ectx, j, stock_settled_outcome(s->result[k]), s->key[k], s->payload[k],
                      NULL, s->result[k], s->ref[k], s->msg[k], e);
    free(mine);
    return rc < 0 ? rc : 0;
}

static void epilogue(void *job, const char *prog, FILE *diag)
{
    struct stock_alloc_job *j = job;
    deliver_report_epilogue(&j->rep, j->unalloc ? "unallocation to-do" : "allocation to-do", prog,
                            diag);
}

const struct job_ops stock_alloc_job_ops = {
    .cols = cols,
    .ncols = sizeof cols / sizeof cols[0],
    .enqueue = enqueue,
    .run = run,
    .report = report,
    .epilogue = epilogue,
};

void stock_alloc_job_clear(struct stock_alloc_job *j)
{
    for (size_t i = 0; i < j->n; i++) {
        free(j->v[i].order_no);
        free(j->v[i].pack_no);
        free(j->v[i].item_code);
        free(j->v[i].option_code);
        free(j->v[i].q_sku);
        if (j->keys)
            free(j->keys[i]);
    }
    free(j->v);
    free(j->keys);
    free(j->existed);
    j->v = NULL;
    j->n = 0;
    j->keys = NULL;
    j->existed = NULL;
    stock_settled_free(j->settled);
    j->settled = NULL;
}

/* ---- confirm (SPEC 1.7) ---- */

static const char *jtext(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* The handed-off to-dos of one kind that confirm takes: their keys and order numbers. */
struct picked {
    const char **key;
    char **order_no;
    size_t n;
};

static void picked_free(struct picked *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->order_no[i]);
    free(p->key);
    free(p->order_no);
}

int stock_alloc_confirm(struct store *s, const char *shop, const char *const *orders, size_t n,
                        const char *ref, time_t now,
                        void (*report)(void *ctx, const struct qs_err *e), void *ctx, size_t *done,
                        struct qs_err *e)
{
    static const char *const kinds[] = {STOCK_ALLOC_KIND, STOCK_UNALLOC_KIND};
    struct outbox_item *items[2] = {NULL, NULL};
    size_t nitems[2] = {0, 0};
    struct picked pk[2] = {{0}, {0}};
    struct ords u;
    char at[32];
    int rc = 0, problems = 0;

    *done = 0;
    ords_init(&u, orders, orders ? n : 0);
    for (int k = 0; k < 2 && rc == 0; k++) {
        rc = outbox_list(s, shop, kinds[k], OUTBOX_HANDED_OFF, &items[k], &nitems[k], e);
        pk[k].key = xcalloc(nitems[k] + 1, sizeof *pk[k].key);
        pk[k].order_no = xcalloc(nitems[k] + 1, sizeof *pk[k].order_no);
        for (size_t i = 0; rc == 0 && i < nitems[k]; i++) {
            json_t *o = json_loads(items[k][i].payload ? items[k][i].payload : "{}", 0, NULL);
            struct ord *w = orders ? ords_find(&u, jtext(o, "order_no")) : NULL;
            int want = !orders || w;
            if (ref && (!items[k][i].ref || strcmp(items[k][i].ref, ref) != 0))
                want = 0;
            if (want && w)
                w->seen = 1;
            if (want) {
                pk[k].key[pk[k].n] = items[k][i].key;
                pk[k].order_no[pk[k].n++] = xstrdup(jtext(o, "order_no"));
            }
            json_decref(o);
        }
    }
    for (size_t j = 0; rc == 0 && orders && j < n; j++) {
        if (!ords_find(&u, orders[j])->seen) {
            struct qs_err w;
            err_clear(&w);
            err_set(&w, QS_E_DATA, "R-STK-6",
                    "order %s has no allocation or unallocation to-do handed off%s; nothing to "
                    "confirm",
                    orders[j], ref ? " in that folder" : "");
            err_record(&w, orders[j]);
            if (report)
                report(ctx, &w);
            problems++;
        }
    }
    if (rc == 0 && problems)
        rc = err_set(e, QS_E_DATA, "R-STK-6",
                     "%d order%s without a handed-off to-do; nothing "
                     "confirmed",
                     problems, problems == 1 ? "" : "s");
    if (rc == 0 && (pk[0].n || pk[1].n)) {
        tm_utc_iso(now, at, sizeof at);
        if ((rc = store_begin(s, e)) == 0) {
            for (int k = 0; k < 2 && rc == 0; k++) {
                size_t c = 0;
                for (size_t i = 0; i < pk[k].n && rc == 0; i++)
                    rc = stk_alloc_record(s, shop, kinds[k], pk[k].order_no[i], at, e);
                if (rc == 0 && pk[k].n)
                    rc = deliver_confirm(s, shop, kinds[k], pk[k].key, pk[k].n, ref, &c, e);
                *done += c;
            }
            if (rc == 0)
                rc = store_commit(s, e);
            else
                store_rollback(s);
        }
    }
    for (int k = 0; k < 2; k++) {
        picked_free(&pk[k]);
        outbox_items_free(items[k], nitems[k]);
    }
    ords_free(&u);
    if (rc < 0)
        *done = 0;
    return rc < 0 ? rc : 0;
}

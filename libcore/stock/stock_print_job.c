/* stock_print_job: `qs stock labels` with records as a job of the one runner (job.h, SPEC
 * 1.6): one outbox item per SKU (kind stock-label) in one transaction, handed off together
 * through the shop's stock delivery (file: one checklist, QSM's SKU-label to-do), one report
 * row per SKU. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stock_add.h"
#include "stock_print.h"
#include "stock_job.h"
#include "../outbox.h"
#include "../sha256.h"
#include "../xalloc.h"

/* Where QSM prints the labels (seed 004: 如何打印SKU标签). */
#define TAG_PATH "Q库存管理 > 商品选项输入/管理 > 打印库存数量标签"

static char *payload(const struct stock_tag_job *j, const struct stock_tag *g)
{
    json_t *o = json_object();
    char steps[512], code[STOCK_QCODE_LEN + 1], *out;
    snprintf(code, sizeof code, "%.12s", g->q_sku);
    snprintf(steps, sizeof steps,
             "Q库存管理: double-click Q库存代码 %s; in 商品选项输入/管理 tick %s; choose "
             "打印【库存数量】标签, %ld; 【打印】",
             code, g->q_sku, g->count);
    json_object_set_new(o, "list", json_string(j->list));
    json_object_set_new(o, "q_sku", json_string(g->q_sku));
    json_object_set_new(o, "seller_sku", json_string(g->seller_sku ? g->seller_sku : ""));
    json_object_set_new(o, "name", json_string(g->name ? g->name : ""));
    json_object_set_new(o, "count", json_integer(g->count));
    json_object_set_new(o, "path", json_string(TAG_PATH));
    json_object_set_new(o, "steps", json_string(steps));
    out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return out;
}

/* The list's id: the SHA-256 of the shop and every q_sku and count in input order. */
static void list_id(struct stock_tag_job *j)
{
    size_t n = strlen(j->shop) + 2, at;
    char *seed, hex[65];
    for (size_t i = 0; i < j->tags->n; i++)
        n += STOCK_SKU_LEN + 24;
    seed = xmalloc(n);
    at = (size_t)snprintf(seed, n, "%s|", j->shop);
    for (size_t i = 0; i < j->tags->n; i++)
        at += (size_t)snprintf(seed + at, n - at, "%s,%ld;", j->tags->v[i].q_sku,
                               j->tags->v[i].count);
    sha256_hex(seed, at, hex);
    free(seed);
    snprintf(j->list, sizeof j->list, "lbl-%.24s", hex);
}

static int enqueue(void *job, struct qs_err *e)
{
    struct stock_tag_job *j = job;
    int rc = 0, own = sqlite3_get_autocommit(store_db(j->s));
    list_id(j);
    j->keys = xcalloc(j->tags->n + 1, sizeof *j->keys);
    j->existed = xcalloc(j->tags->n + 1, 1);
    if (own && (rc = store_begin(j->s, e)) < 0)
        return rc;
    for (size_t i = 0; i < j->tags->n && rc >= 0; i++) {
        const struct stock_tag *g = &j->tags->v[i];
        char seed[128], hex[65], *pl;
        snprintf(seed, sizeof seed, "%s|%s", j->list, g->q_sku);
        sha256_hex(seed, strlen(seed), hex);
        j->keys[i] = xmalloc(32);
        snprintf(j->keys[i], 32, "lbl-%.24s", hex);
        pl = payload(j, g);
        rc = outbox_enqueue(j->s, j->shop, STOCK_TAG_KIND, j->keys[i], pl, time(NULL), NULL, e);
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

static int run(void *job, struct job_counts *c, struct qs_err *e)
{
    struct stock_tag_job *j = job;
    struct stock_settled *s = j->settled ? j->settled : (j->settled = xcalloc(1, sizeof *s));
    struct deliver_opts d = {
        .delivery = j->delivery,
        .retry_failed = j->retry_failed,
        .dry_run = j->dry_run,
        .group_by = "list",
        .columns = (const char *const[]){"q_sku", "seller_sku", "name", "count", "steps"},
        .ncolumns = 5,
        .shared = (const char *const[]){"path"},
        .nshared = 1,
        .on_result = stock_settled_add,
        .result_ctx = s,
        .prog = j->prog,
    };
    struct deliver_spec ds = {0};
    int rc;
    /* SPEC 1.7: the label to-do leaves by the shop's stock delivery, as link to-dos do. */
    if (!d.delivery) {
        if ((rc = deliver_resolve(j->s, j->shop, STOCK_KIND, 0, &ds, e)) < 0)
            return rc;
        d.delivery = ds.text;
    }
    rc = deliver_run(j->s, j->shop, STOCK_TAG_KIND, &d, &j->rep, e);
    deliver_spec_clear(&ds);
    c->unavailable = j->rep.unavailable;
    return rc;
}

static const char *const cols[] = {"key", "q_sku", "count", "result", "ref", "message"};

static int emit(job_emit_fn fn, void *ectx, enum job_outcome oc, const char *key, const char *q_sku,
                long count, const char *result, const char *ref, const char *msg, struct qs_err *e)
{
    struct rec *r = rec_new();
    char n[32];
    int rc;
    snprintf(n, sizeof n, "%ld", count);
    rec_set(r, "key", key);
    rec_set(r, "q_sku", q_sku);
    rec_set_typed(r, "count", count > 0 ? n : "", count > 0 ? REC_NUM : REC_NULL);
    rec_set(r, "result", result);
    rec_set(r, "ref", ref);
    rec_set(r, "message", msg);
    rc = fn(ectx, oc, r, e);
    rec_free(r);
    return rc;
}

static int report(void *job, job_emit_fn fn, void *ectx, struct qs_err *e)
{
    struct stock_tag_job *j = job;
    struct stock_settled *s = j->settled;
    char *mine = s ? xcalloc(s->n + 1, 1) : NULL;
    int rc = 0;
    for (size_t i = 0; j->keys && i < j->tags->n && rc >= 0; i++) {
        const struct stock_tag *g = &j->tags->v[i];
        size_t k = 0;
        while (s && k < s->n && strcmp(s->key[k], j->keys[i]) != 0)
            k++;
        if (s && k < s->n) {
            mine[k] = 1;
            rc = emit(fn, ectx, stock_settled_outcome(s->result[k]), j->keys[i], g->q_sku, g->count,
                      s->result[k], s->ref[k], s->msg[k], e);
        } else if (j->existed[i])
            rc = emit(fn, ectx, JOB_DONE, j->keys[i], g->q_sku, g->count, "already", "",
                      "the same label list was written before", e);
        else
            rc = emit(fn, ectx, JOB_RETRY, j->keys[i], g->q_sku, g->count, "retry", "",
                      "queued: another run holds it, or it waits for its retry", e);
    }
    /* items of earlier lists settled by this run */
    for (size_t k = 0; s && k < s->n && rc >= 0; k++)
        if (!mine[k])
            rc = emit(fn, ectx, stock_settled_outcome(s->result[k]), s->key[k], "", 0, s->result[k],
                      s->ref[k], s->msg[k], e);
    free(mine);
    return rc < 0 ? rc : 0;
}

static void epilogue(void *job, const char *prog, FILE *diag)
{
    struct stock_tag_job *j = job;
    deliver_report_epilogue(&j->rep, "label to-do", prog, diag);
}

const struct job_ops stock_tag_job_ops = {
    .cols = cols,
    .ncols = 6,
    .enqueue = enqueue,
    .run = run,
    .report = report,
    .epilogue = epilogue,
};

void stock_tag_job_clear(struct stock_tag_job *j)
{
    struct stock_settled *s = j->settled;
    for (size_t i = 0; j->keys && i < j->tags->n; i++)
        free(j->keys[i]);
    free(j->keys);
    free(j->existed);
    j->keys = NULL;
    j->existed = NULL;
    stock_settled_free(s);
    j->settled = NULL;
}

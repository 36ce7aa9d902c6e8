/* stock_link_job: `qs stock link` as a job of the one runner (job.h, SPEC 1.6): the pairs
 * recorded in stock_link with one outbox item each (kind stock-link) in one transaction,
 * handed off together through the shop's stock delivery (file: one checklist, QSM's to-do
 * list), one report row per pair. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stock_add.h"
#include "stock_link.h"
#include "stock_job.h"
#include "../outbox.h"
#include "../sha256.h"
#include "../tm.h"
#include "../xalloc.h"

/* Where the pair is done in QSM, and how (seed 004: 如何将Q库存代码与商品进行链接). */
static void todo_text(const struct stock_pair *p, int remove, char *path, size_t psize, char *steps,
                      size_t ssize)
{
    snprintf(path, psize, "商品管理 > 查看/修改商品 > 商品代码 %s > 【修改】 > %s", p->item_code,
             p->option[0] ? "【修改选项】" : "【修改】");
    if (remove)
        snprintf(steps, ssize, "%s[Q-库存联动] 【不设置】, then 【修改】 to save",
                 p->option[0] ? "option " : "");
    else if (p->option[0])
        snprintf(steps, ssize,
                 "option %s: 【连结原Q-库存】, search Q库存代码 %.12s, 【选择】 %s, then save",
                 p->option, p->q_sku, p->q_sku);
    else
        snprintf(
            steps, ssize,
            "[Q-库存联动] 【设置】 > Q库存搜索 > Q库存代码 %.12s > 【搜索】, 【选择】 %s, then "
            "【修改】 to save",
            p->q_sku, p->q_sku);
}

static char *payload(const struct stock_pair *p, int remove)
{
    json_t *o = json_object();
    char path[512], steps[512], code[STOCK_QCODE_LEN + 1], *out;
    todo_text(p, remove, path, sizeof path, steps, sizeof steps);
    snprintf(code, sizeof code, "%.12s", p->q_sku);
    json_object_set_new(o, "action", json_string(remove ? "unlink" : "link"));
    json_object_set_new(o, "q_sku", json_string(p->q_sku));
    json_object_set_new(o, "q_code", json_string(code));
    json_object_set_new(o, "item_code", json_string(p->item_code));
    json_object_set_new(o, "option", json_string(p->option));
    json_object_set_new(o, "edit_path", json_string(path));
    json_object_set_new(o, "steps", json_string(steps));
    out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return out;
}

static int text_row(sqlite3_stmt *st, void *p)
{
    snprintf(p, 40, "%s", store_col_text(st, 0));
    return 1;
}

static int enqueue_one(struct stock_link_job *j, size_t i, const char *now, struct qs_err *e)
{
    const struct stock_pair *p = &j->pairs->p[i];
    char at[40] = "", hex[65], *pl, *seed;
    size_t n;
    int rc;
    if (j->remove)
        rc = store_run(j->s, e,
                       "UPDATE stock_link SET state = 'unlink-todo' WHERE shop = ?1 AND q_sku = ?2"
                       " AND item_code = ?3 AND option = ?4 AND state = 'linked'",
                       "ssss", j->shop, p->q_sku, p->item_code, p->option);
    else
        rc = store_run(j->s, e,
                       "INSERT INTO stock_link(shop, q_sku, item_code, option, recorded_at, state)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, 'todo') ON CONFLICT (shop, q_sku, item_code,"
                       " option) DO UPDATE SET state = 'todo', recorded_at = excluded.recorded_at"
                       " WHERE state = 'unlinked'",
                       "sssss", j->shop, p->q_sku, p->item_code, p->option, now);
    if (rc < 0 ||
        (rc = store_each(j->s,
                         "SELECT recorded_at FROM stock_link WHERE shop = ?1 AND"
                         " q_sku = ?2 AND item_code = ?3 AND option = ?4",
                         text_row, at, e, "ssss", j->shop, p->q_sku, p->item_code, p->option)) < 0)
        return rc;
    n = strlen(j->shop) + strlen(p->q_sku) + strlen(p->item_code) + strlen(p->option) + 64;
    seed = xmalloc(n);
    snprintf(seed, n, "%s|%s|%s|%s|%s", j->shop, p->q_sku, p->item_code, p->option, at);
    sha256_hex(seed, strlen(seed), hex);
    free(seed);
    j->keys[i] = xmalloc(32);
    snprintf(j->keys[i], 32, "%s-%.24s", j->remove ? "unl" : "lnk", hex);
    pl = payload(p, j->remove);
    rc = outbox_enqueue(j->s, j->shop, STOCK_LINK_KIND, j->keys[i], pl, time(NULL), NULL, e);
    free(pl);
    return rc < 0 ? rc : 0;
}

static int enqueue(void *job, struct qs_err *e)
{
    struct stock_link_job *j = job;
    char now[32];
    int rc = 0, own = sqlite3_get_autocommit(store_db(j->s));
    tm_utc_iso(j->now, now, sizeof now);
    j->keys = xcalloc(j->pairs->n + 1, sizeof *j->keys);
    if (own && (rc = store_begin(j->s, e)) < 0)
        return rc;
    for (size_t i = 0; i < j->pairs->n && rc == 0; i++)
        if (!j->pairs->p[i].already)
            rc = enqueue_one(j, i, now, e);
    if (own) {
        if (rc == 0)
            rc = store_commit(j->s, e);
        else
            store_rollback(j->s);
    }
    return rc;
}

int stock_link_settle(struct store *s, const char *shop, struct qs_err *e)
{
    /* A to-do whose item is done (a hook answered ok, or confirm) is linked (unlinked),
     * as of the item's answer. One statement: idempotent, and a run that died between
     * the outbox and this leaves nothing the next run does not settle. */
    return store_run(
        s, e,
        "UPDATE stock_link AS l SET state = CASE l.state WHEN 'todo' THEN 'linked' ELSE"
        " 'unlinked' END, recorded_at = d.at FROM (SELECT json_extract(o.payload, '$.q_sku') AS"
        " q_sku, json_extract(o.payload, '$.item_code') AS item,"
        " json_extract(o.payload, '$.option') AS opt, json_extract(o.payload, '$.action') AS act,"
        " max(o.updated_at) AS at FROM outbox o WHERE o.shop = ?1 AND o.kind = ?2"
        " AND o.state = 'done' GROUP BY 1, 2, 3, 4) AS d"
        " WHERE l.shop = ?1 AND l.q_sku = d.q_sku AND l.item_code = d.item AND l.option = d.opt"
        " AND d.act = CASE l.state WHEN 'todo' THEN 'link' WHEN 'unlink-todo' THEN 'unlink' END"
        " AND d.at >= l.recorded_at",
        "ss", shop, STOCK_LINK_KIND);
}

static int run(void *job, struct job_counts *c, struct qs_err *e)
{
    struct stock_link_job *j = job;
    struct stock_settled *s = j->settled ? j->settled : (j->settled = xcalloc(1, sizeof *s));
    struct deliver_opts d = {
        .delivery = j->delivery,
        .retry_failed = j->retry_failed,
        .dry_run = j->dry_run,
        .group_by = "action",
        .columns =
            (const char *const[]){"action", "q_sku", "item_code", "option", "edit_path", "steps"},
        .ncolumns = 6,
        .on_result = stock_settled_add,
        .result_ctx = s,
        .prog = j->prog,
    };
    struct deliver_spec ds = {0};
    int rc = 0;
    /* SPEC 1.7: link to-dos leave by the shop's stock delivery, as its option forms do. */
    if (!d.delivery) {
        if ((rc = deliver_resolve(j->s, j->shop, STOCK_KIND, 0, &ds, e)) < 0)
            return rc;
        d.delivery = ds.text;
    }
    rc = deliver_run(j->s, j->shop, STOCK_LINK_KIND, &d, &j->rep, e);
    deliver_spec_clear(&ds);
    c->unavailable = j->rep.unavailable;
    if (rc == 0 && !j->dry_run)
        rc = stock_link_settle(j->s, j->shop, e);
    return rc;
}

static const char *const cols[] = {"key",    "q_sku",  "item_code", "option",
                                   "action", "result", "ref",       "message"};

static int emit(job_emit_fn fn, void *ectx, enum job_outcome oc, const char *key, const char *q_sku,
                const char *item, const char *option, const char *action, const char *result,
                const char *ref, const char *msg, struct qs_err *e)
{
    struct rec *r = rec_new();
    int rc;
    rec_set(r, "key", key);
    rec_set(r, "q_sku", q_sku ? q_sku : "");
    rec_set(r, "item_code", item ? item : "");
    rec_set(r, "option", option ? option : "");
    rec_set(r, "action", action ? action : "");
    rec_set(r, "result", result);
    rec_set(r, "ref", ref);
    rec_set(r, "message", msg);
    rc = fn(ectx, oc, r, e);
    rec_free(r);
    return rc;
}

static int report(void *job, job_emit_fn fn, void *ectx, struct qs_err *e)
{
    struct stock_link_job *j = job;
    struct stock_settled *s = j->settled;
    const char *act = j->remove ? "unlink" : "link";
    char *mine = s ? xcalloc(s->n + 1, 1) : NULL;
    int rc = 0;
    for (size_t i = 0; i < j->pairs->n && rc >= 0; i++) {
        const struct stock_pair *p = &j->pairs->p[i];
        size_t k = 0;
        if (p->already || !j->keys || !j->keys[i]) {
            rc = emit(fn, ectx, JOB_DONE, "", p->q_sku, p->item_code, p->option, act, "already", "",
                      j->remove ? "the unlink to-do was written before"
                                : "linked or its to-do written before",
                      e);
            continue;
        }
        while (s && k < s->n && strcmp(s->key[k], j->keys[i]) != 0)
            k++;
        if (s && k < s->n) {
            mine[k] = 1;
            rc = emit(fn, ectx, stock_settled_outcome(s->result[k]), j->keys[i], p->q_sku,
                      p->item_code, p->option, act, s->result[k], s->ref[k], s->msg[k], e);
        } else
            rc = emit(fn, ectx, JOB_RETRY, j->keys[i], p->q_sku, p->item_code, p->option, act,
                      "retry", "", "queued: another run holds it, or it waits for its retry", e);
    }
    for (size_t k = 0; s && k < s->n && rc >= 0; k++) {
        json_t *o;
        if (mine[k])
            continue;
        o = json_loads(s->payload[k], 0, NULL);
        rc = emit(fn, ectx, stock_settled_outcome(s->result[k]), s->key[k],
                  json_string_value(json_object_get(o, "q_sku")),
                  json_string_value(json_object_get(o, "item_code")),
                  json_string_value(json_object_get(o, "option")),
                  json_string_value(json_object_get(o, "action")), s->result[k], s->ref[k],
                  s->msg[k], e);
        json_decref(o);
    }
    free(mine);
    return rc < 0 ? rc : 0;
}

static void epilogue(void *job, const char *prog, FILE *diag)
{
    struct stock_link_job *j = job;
    deliver_report_epilogue(&j->rep, "link to-do", prog, diag);
}

const struct job_ops stock_link_job_ops = {
    .cols = cols,
    .ncols = 8,
    .enqueue = enqueue,
    .run = run,
    .report = report,
    .epilogue = epilogue,
};

void stock_link_job_clear(struct stock_link_job *j)
{
    struct stock_settled *s = j->settled;
    for (size_t i = 0; j->keys && i < j->pairs->n; i++)
        free(j->keys[i]);
    free(j->keys);
    j->keys = NULL;
    stock_settled_free(s);
    j->settled = NULL;
}

/* stock_link: the pairs of `qs stock link` and `qs stock confirm` (R-STK-4): read from a
 * file, or made by seller code, and checked against the store and QAPI. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stock_link.h"
#include "../xalloc.h"

void stock_pairs_clear(struct stock_pairs *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        free(ps->p[i].item_code);
        free(ps->p[i].option);
        free(ps->p[i].given);
    }
    free(ps->p);
    memset(ps, 0, sizeof *ps);
}

static void say(const struct stock_link_cb *cb, const struct stock_pairs *ps, long line,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void say(const struct stock_link_cb *cb, const struct stock_pairs *ps, long line,
                const char *fmt, ...)
{
    struct qs_err e;
    va_list ap;
    err_clear(&e);
    va_start(ap, fmt);
    err_setv(&e, QS_E_DATA, "R-STK-4", fmt, ap);
    va_end(ap);
    if (ps->input[0])
        err_at_sheet(&e, ps->input, ps->sheet[0] ? ps->sheet : NULL, line, 0);
    if (cb->report)
        cb->report(cb->ctx, &e);
}

static struct stock_pair *add(struct stock_pairs *ps, const char *given, const char *item,
                              const char *option, long line)
{
    struct stock_pair *p;
    ps->p = xrealloc(ps->p, (ps->n + 1) * sizeof *ps->p);
    p = &ps->p[ps->n++];
    memset(p, 0, sizeof *p);
    p->given = xstrdup(given ? given : "");
    p->item_code = xstrdup(item ? item : "");
    p->option = xstrdup(option ? option : "");
    p->line = line;
    return p;
}

/* Reads fp record by record, calling row per record with the columns' values. */
static int read_records(FILE *fp, const char *name, const struct rec_reader_opts *ro,
                        struct stock_pairs *ps,
                        int (*row)(void *ctx, const struct rec *r, long line), void *ctx,
                        struct qs_err *e)
{
    struct rec_reader *rd = NULL;
    struct rec *rec = rec_new();
    int rc, problems = 0;
    memset(ps, 0, sizeof *ps);
    snprintf(ps->input, sizeof ps->input, "%s", name);
    if ((rc = rec_reader_open(fp, name, ro, &rd, e)) < 0)
        goto out;
    while ((rc = rec_read(rd, rec, e)) == 1) {
        if (rec_reader_sheet(rd))
            snprintf(ps->sheet, sizeof ps->sheet, "%s", rec_reader_sheet(rd));
        problems += row(ctx, rec, rec_reader_line(rd));
    }
    rc = rc < 0 ? rc : problems;
out:
    rec_free(rec);
    rec_reader_close(rd);
    return rc;
}

static const char *get(const struct rec *r, const char *name)
{
    const char *v = rec_get(r, name);
    return v ? v : "";
}

struct read_ctx {
    struct stock_pairs *ps;
    const struct stock_link_cb *cb;
};

static int pair_row(void *p, const struct rec *r, long line)
{
    struct read_ctx *c = p;
    const char *sku = get(r, "q_sku"), *item = get(r, "item_code");
    struct stock_pair *pr = add(c->ps, sku, item, get(r, "option"), line);
    struct stock_sku k;
    char why[256];
    int restored = 0, problems = 0;
    if (!*sku) {
        say(c->cb, c->ps, line, "no q_sku: each pair is q_sku,item_code[,option]");
        problems++;
    } else if (stock_sku_parse(sku, &k, &restored, why, sizeof why) < 0) {
        say(c->cb, c->ps, line, "%s", why);
        problems++;
    } else
        stock_sku_format(&k, pr->q_sku, sizeof pr->q_sku);
    if (!*item) {
        say(c->cb, c->ps, line, "no item_code: each pair is q_sku,item_code[,option]");
        problems++;
    }
    return problems;
}

int stock_pairs_read(FILE *fp, const char *name, const struct rec_reader_opts *ro,
                     const struct stock_link_cb *cb, struct stock_pairs *ps, struct qs_err *e)
{
    struct read_ctx c = {ps, cb};
    return read_records(fp, name, ro, ps, pair_row, &c, e);
}

/* ---- --by seller-code ---- */

struct seller_ctx {
    struct stock_pairs *ps;
    const struct stock_link_cb *cb;
    struct store *s;
    const char *shop;
    struct qs_err *e;
    int failed;
};

struct texts {
    char **v;
    size_t n;
};

static int text_row(sqlite3_stmt *st, void *p)
{
    struct texts *t = p;
    t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
    t->v[t->n++] = xstrdup(store_col_text(st, 0));
    return 0;
}

static void texts_free(struct texts *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i]);
    free(t->v);
    memset(t, 0, sizeof *t);
}

#define LATEST "(SELECT max(id) FROM stock_snapshot WHERE shop = ?1)"

static int seller_row(void *p, const struct rec *r, long line)
{
    struct seller_ctx *c = p;
    const char *sku = get(r, "seller_sku"), *item = get(r, "item_code");
    struct texts q = {0}, items = {0};
    int problems = 0;
    if (c->failed)
        return 0;
    if (!*sku) {
        say(c->cb, c->ps, line,
            "no seller_sku: with --by seller-code each record is "
            "seller_sku[,item_code]");
        return 1;
    }
    if (store_each(c->s,
                   "SELECT q_sku FROM stock_option WHERE shop = ?1 AND seller_sku = ?2"
                   " AND last_snapshot = " LATEST " ORDER BY q_sku",
                   text_row, &q, c->e, "ss", c->shop, sku) < 0) {
        c->failed = 1;
        return 1;
    }
    if (q.n > 1) {
        say(c->cb, c->ps, line,
            "seller SKU code \"%s\" is on %zu SKUs of the latest Q-inventory download; give "
            "their q_skus instead",
            sku, q.n);
        problems++;
    } else if (!q.n) {
        say(c->cb, c->ps, line,
            "seller SKU code \"%s\" is on no SKU of the latest Q-inventory download; run qs "
            "stock import first",
            sku);
        problems++;
    } else if (*item) {
        struct stock_pair *pr = add(c->ps, sku, item, sku, line);
        snprintf(pr->q_sku, sizeof pr->q_sku, "%s", q.v[0]);
    } else if (store_each(c->s,
                          "SELECT item_code FROM market_item WHERE shop = ?1 AND seller_code = ?2"
                          " AND status = 'S2' ORDER BY item_code",
                          text_row, &items, c->e, "ss", c->shop, sku) < 0) {
        c->failed = 1;
        problems++;
    } else if (!items.n) {
        say(c->cb, c->ps, line,
            "no online item has seller code \"%s\" (run qs sync products; an option code needs "
            "its item: seller_sku,item_code)",
            sku);
        problems++;
    }
    for (size_t i = 0; i < items.n; i++) {
        struct stock_pair *pr = add(c->ps, sku, items.v[i], "", line);
        snprintf(pr->q_sku, sizeof pr->q_sku, "%s", q.v[0]);
    }
    texts_free(&q);
    texts_free(&items);
    return problems;
}

int stock_pairs_by_seller(struct store *s, const char *shop, FILE *fp, const char *name,
                          const struct rec_reader_opts *ro, const struct stock_link_cb *cb,
                          struct stock_pairs *ps, struct qs_err *e)
{
    struct seller_ctx c = {ps, cb, s, shop, e, 0};
    int rc = read_records(fp, name, ro, ps, seller_row, &c, e);
    return c.failed ? (e->code ? e->code : QS_E_SOFTWARE) : rc;
}

int stock_pairs_have_options(const struct stock_pairs *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        if (ps->p[i].option[0])
            return 1;
    return 0;
}

/* ---- the checks ---- */

static int state_row(sqlite3_stmt *st, void *p)
{
    snprintf(p, 16, "%s", store_col_text(st, 0));
    return 1;
}

/* The option codes of item (GetGoodsInventoryInfo's ItemTypeCode) into t. */
static int item_options(struct qapi *q, const char *item, struct texts *t, struct qs_err *e)
{
    struct qapi_param prm[] = {{"ItemCode", item}};
    struct qapi_result res;
    int rc = qapi_call(q, "ItemsLookup.GetGoodsInventoryInfo", prm, 1, item, &res, e);
    for (size_t i = 0; rc >= 0 && json_is_array(res.object) && i < json_array_size(res.object);
         i++) {
        const char *code =
            json_string_value(json_object_get(json_array_get(res.object, i), "ItemTypeCode"));
        if (code && *code) {
            t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
            t->v[t->n++] = xstrdup(code);
        }
    }
    qapi_result_free(&res);
    return rc < 0 ? rc : 0;
}

static int option_known(struct qapi *q, struct stock_pairs *ps, size_t i, struct qs_err *e)
{
    struct stock_pair *p = &ps->p[i];
    struct texts t = {0};
    int rc, found = 0;
    if (!q)
        return 0;
    if ((rc = item_options(q, p->item_code, &t, e)) < 0)
        return rc;
    for (size_t k = 0; k < t.n && !found; k++)
        found = strcmp(t.v[k], p->option) == 0;
    texts_free(&t);
    return found;
}

int stock_link_check(struct store *s, struct qapi *q, const char *shop, int remove,
                     struct stock_pairs *ps, const struct stock_link_cb *cb, struct qs_err *e)
{
    int problems = 0, rc;
    for (size_t i = 0; i < ps->n; i++) {
        struct stock_pair *p = &ps->p[i];
        char known[16] = "", status[16] = "", state[16] = "";
        int bad = 0;
        if (!p->q_sku[0] || !p->item_code[0])
            continue; /* reported when read */
        for (size_t j = 0; j < i && !bad; j++)
            if (!strcmp(ps->p[j].q_sku, p->q_sku) && !strcmp(ps->p[j].item_code, p->item_code) &&
                !strcmp(ps->p[j].option, p->option)) {
                say(cb, ps, p->line, "the pair %s,%s%s%s repeats the one on line %ld", p->q_sku,
                    p->item_code, *p->option ? "," : "", p->option, ps->p[j].line);
                bad = 1;
            }
        if ((rc = store_each(s,
                             "SELECT 'yes' FROM stock_option WHERE shop = ?1 AND q_sku = ?2"
                             " AND last_snapshot = " LATEST,
                             state_row, known, e, "ss", shop, p->q_sku)) < 0 ||
            (rc = store_each(s, "SELECT status FROM market_item WHERE shop = ?1 AND item_code = ?2",
                             state_row, status, e, "ss", shop, p->item_code)) < 0 ||
            (rc = store_each(s,
                             "SELECT state FROM stock_link WHERE shop = ?1 AND q_sku = ?2"
                             " AND item_code = ?3 AND option = ?4",
                             state_row, state, e, "ssss", shop, p->q_sku, p->item_code,
                             p->option)) < 0)
            return rc;
        if (!known[0]) {
            say(cb, ps, p->line,
                "SKU %s is not in the latest Q-inventory download of shop %s; run qs stock "
                "import with QSM's download first",
                p->q_sku, shop);
            bad = 1;
        }
        if (!status[0]) {
            say(cb, ps, p->line,
                "item %s is not a marketplace item of shop %s that qs knows; run qs sync "
                "products first",
                p->item_code, shop);
            bad = 1;
        } else if (strcmp(status, "S2") != 0) {
            say(cb, ps, p->line, "item %s is not online (status %s, not S2)", p->item_code, status);
            bad = 1;
        } else if (p->option[0] && !bad) {
            if ((rc = option_known(q, ps, i, e)) < 0)
                return rc;
            if (rc == 0) {
                say(cb, ps, p->line,
                    "item %s has no option with the code \"%s\" (QSM's seller option code)",
                    p->item_code, p->option);
                bad = 1;
            }
        }
        if (!remove && !strcmp(state, "unlink-todo")) {
            say(cb, ps, p->line, "%s,%s: its unlink to-do is pending; qs stock confirm it first",
                p->q_sku, p->item_code);
            bad = 1;
        } else if (remove && strcmp(state, "linked") != 0 && strcmp(state, "unlink-todo") != 0) {
            say(cb, ps, p->line, "%s,%s is not linked (%s): nothing to unlink", p->q_sku,
                p->item_code,
                !state[0]                ? "no link recorded"
                : !strcmp(state, "todo") ? "a link to-do"
                                         : state);
            bad = 1;
        }
        p->already = remove ? !strcmp(state, "unlink-todo")
                            : !strcmp(state, "todo") || !strcmp(state, "linked");
        problems += bad;
    }
    return problems;
}

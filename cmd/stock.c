/* stock.c: qs stock -- the shop's Q-inventory at the warehouse (QWMS, SPEC 5). The rules
 * live in libcore/stock; this file parses options, opens files, prints. Verbs not built
 * yet are registered with their planned usage; each answers --help, and running one says
 * so and exits 64 (no fake output). qs sync stock stays in cmd/sync.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "../libcore/afile.h"
#include "../libcore/inbound/inbound.h"
#include "../libcore/job.h"
#include "../libcore/settings.h"
#include "../libcore/stock/stock.h"
#include "../libcore/stock/stock_print.h"
#include "../libcore/tm.h"
#include "../libcore/qapi/qapi.h"
#include "../libcore/stock/stock_add.h"
#include "../libcore/xalloc.h"
#include "../libcore/stock/stock_link.h"
#include "../libcore/stock/stock_alloc.h"
#include "../libcore/stock/stock_fee.h"
#include "../libcore/stock/stock_sync.h"
#include "../libcore/inbound/inbound_cutoff.h"

/* ---- import (R-STK-5) ---- */

struct import_args {
    const char *map;
    enum rec_enc enc;
};

static const struct qs_opt import_opts[] = {
    OPT_STRING(struct import_args, map, "map", "FILE",
               "more header labels: a CSV of label,column (column: a field name or ignore)"),
    OPT_ENC(struct import_args, enc),
    OPT_END,
};

/* The report's columns (qs-stock(1) documents them). */
static const char *const change_cols[] = {"q_sku",  "seller_sku", "name",      "change",
                                          "before", "after",      "explained", "unexplained"};
#define NCHANGE_COLS (sizeof change_cols / sizeof change_cols[0])

struct import_run {
    struct qs_ctx *ctx;
    FILE *in;
    const struct rec_reader_opts *ro;
    const struct stock_import_opts *o;
    struct stock_import_result res;
    struct rec_writer *w;
    struct rec *r;
};

static void say(void *p, const struct qs_err *e)
{
    struct import_run *ir = p;
    char buf[2200];
    fprintf(stderr, "%s\n", err_format(e, ir->ctx->prog, buf, sizeof buf));
}

static void say_warning(void *p, const struct qs_err *e)
{
    struct import_run *ir = p;
    char buf[2200];
    if (ir->ctx->verbosity >= 0)
        fprintf(stderr, "%s: warning: %s\n", ir->ctx->prog, err_format(e, NULL, buf, sizeof buf));
}

static void set_num(struct rec *r, const char *name, long long v, int have)
{
    char b[32];
    if (!have) {
        rec_set_typed(r, name, "", REC_NULL);
        return;
    }
    snprintf(b, sizeof b, "%lld", v);
    rec_set_typed(r, name, b, REC_NUM);
}

static int change_row(void *p, const struct stock_change_row *c, struct qs_err *e)
{
    struct import_run *ir = p;
    int rc, branch = c->change == STOCK_BRANCH_QTY;
    if (!ir->w && (rc = cmd_open_writer(ir->ctx, change_cols, NCHANGE_COLS, &ir->w, e)) < 0)
        return rc;
    rec_clear(ir->r);
    rec_set(ir->r, "q_sku", c->q_sku);
    rec_set(ir->r, "seller_sku", c->seller_sku);
    rec_set(ir->r, "name", c->name);
    rec_set(ir->r, "change", stock_change_words[c->change]);
    set_num(ir->r, "before", c->before, c->before >= 0);
    set_num(ir->r, "after", c->after, c->after >= 0);
    set_num(ir->r, "explained", c->explained, branch);
    set_num(ir->r, "unexplained", c->unexplained, branch);
    return rec_write(ir->w, ir->r, e);
}

static int import_fn(void *p, struct qs_err *e)
{
    struct import_run *ir = p;
    struct stock_import_cb cb = {ir, say, say_warning, change_row};
    return stock_import(ir->ctx->store, ir->ctx->shop.name, ir->in, ir->ctx->input, ir->ro, ir->o,
                        &cb, &ir->res, e);
}

/* Reads --map FILE into m. 0, or an exit code after printing the error. */
static int read_map(struct qs_ctx *ctx, const char *path, struct stock_map *m)
{
    struct rec_reader_opts ro = cmd_reader_opts(ctx, REC_ENC_AUTO);
    struct qs_err e;
    FILE *fp;
    int rc;
    err_clear(&e);
    ro.sheet = NULL;
    if (!(fp = fopen(path, "rb"))) {
        cmd_warn(ctx, "cannot open --map %s: %s", path, strerror(errno));
        return errno == ENOENT || errno == EACCES ? QS_EX_USAGE : QS_EX_IOERR;
    }
    rc = stock_map_read(fp, path, &ro, m, &e);
    fclose(fp);
    return rc < 0 ? cmd_fail(ctx, rc, &e) : 0;
}

static int cmd_stock_import(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct import_args a = {.enc = REC_ENC_AUTO};
    struct stock_map map = {0};
    struct stock_import_opts o = {0};
    struct import_run ir = {.ctx = ctx};
    struct qs_err e;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (argc == 0 && strcmp(ctx->input, "-") == 0 && isatty(STDIN_FILENO))
        return cmd_usage(ctx, "give QSM's Q-inventory download (FILE, or - for standard input)");
    if ((rc = cmd_now(ctx, &o.now)) != 0)
        return rc;
    if (a.map && (rc = read_map(ctx, a.map, &map)) != 0)
        return rc;
    o.map = &map;
    if ((rc = cmd_open_input(ctx, ctx->input, &ir.in)) != 0) {
        stock_map_free(&map);
        return rc;
    }
    struct rec_reader_opts ro = cmd_reader_opts(ctx, a.enc);
    ir.ro = &ro;
    ir.o = &o;
    ir.r = rec_new();
    /* --dry-run: the whole import inside one transaction, rolled back (SPEC 1.6). */
    rc = job_within(ctx->store, ctx->dry_run, import_fn, &ir, &e);
    if (ir.in != stdin)
        fclose(ir.in);
    stock_map_free(&map);
    if (rc == 0 && !ir.w)
        rc = cmd_open_writer(ctx, change_cols, NCHANGE_COLS, &ir.w, &e);
    if (rc == 0) {
        rc = rec_writer_close(ir.w, &e);
        ir.w = NULL;
        if (rc < 0) {
            rec_free(ir.r);
            return cmd_out_fail(ctx, rc, &e);
        }
    }
    rec_writer_close(ir.w, NULL);
    rec_free(ir.r);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity < 0)
        return 0;
    if (ir.res.same) {
        fprintf(stderr,
                "%s: %s is snapshot %lld of shop %s already (same SHA-256); nothing "
                "changed\n",
                ctx->prog, ctx->input, ir.res.snapshot, ctx->shop.name);
        return 0;
    }
    fprintf(stderr, "%s: %ssnapshot %lld of shop %s: %ld option%s from %s, %ld change%s since %s\n",
            ctx->prog, ctx->dry_run ? "dry run, nothing written: would be " : "", ir.res.snapshot,
            ctx->shop.name, ir.res.rows, ir.res.rows == 1 ? "" : "s", ctx->input, ir.res.changes,
            ir.res.changes == 1 ? "" : "s",
            ir.res.prev_at[0] ? ir.res.prev_at : "no earlier snapshot");
    return 0;
}

#define SHOP_W (QS_NEEDS_SHOP | QS_WRITES_STORE)

/* ---- add (R-STK-2, R-STK-3) ---- */

struct add_args {
    const char *name, *seller_code, *usable, *from_item;
    int csv, retry_failed;
    enum rec_enc enc;
};
#define AA struct add_args

static const struct qs_opt add_opts[] = {
    OPT_STRING(AA, name, "name", "NAME", "the item's name (the warehouse reads it)"),
    OPT_STRING(AA, seller_code, "seller-code", "CODE", "the item's seller code"),
    OPT_STRING(AA, usable, "usable", "yes|no",
               "usable by other inventory management (default yes; no: inbound fails)"),
    OPT_STRING(AA, from_item, "from-item", "ITEMCODE",
               "the options of a synced marketplace item (combination options)"),
    OPT_FLAG(AA, csv, "csv", "file: QSM's option form as CP932 CSV, not .xlsx"),
    OPT_FLAG(AA, retry_failed, "retry-failed", "also hand off failed requests again"),
    OPT_ENC(AA, enc),
    OPT_END,
};

static int cmd_stock_add(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct add_args a = {.enc = REC_ENC_AUTO};
    struct stock_form f = {0};
    struct stock_add_cb cb = {ctx, cmd_say_err, cmd_say_warn};
    struct stock_item it = {.usable = 1};
    struct stock_add_job j = {0};
    struct qapi *q = NULL;
    char *title = NULL;
    struct qs_err e;
    int rc, code = 0, problems;

    err_clear(&e);
    if ((code = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return code;
    if (a.usable && strcmp(a.usable, "yes") != 0 && strcmp(a.usable, "no") != 0)
        return cmd_usage(ctx, "--usable is yes or no");
    it.usable = !a.usable || strcmp(a.usable, "yes") == 0;
    if (a.from_item && argc > 0)
        return cmd_usage(ctx, "give a FILE of options or --from-item, not both");
    if (argc > 1)
        return cmd_usage(ctx, "one file at a time, got \"%s\"", argv[1]);
    if (a.from_item) {
        if ((rc = cmd_open_qapi(ctx, &q, &e)) < 0 ||
            (rc = stock_form_from_item(ctx->store, q, ctx->shop.name, a.from_item, &f, &title,
                                       &e)) < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
    } else {
        const char *name = argc ? argv[0] : "-";
        FILE *in;
        if (strcmp(name, "-") == 0 && isatty(STDIN_FILENO)) {
            code = cmd_usage(ctx, "give a FILE in QSM's option-form layout (- for stdin), "
                                  "or --from-item ITEMCODE");
            goto out;
        }
        if ((code = cmd_open_input(ctx, name, &in)) != 0)
            goto out;
        struct rec_reader_opts ro = cmd_reader_opts(ctx, a.enc);
        rc = stock_form_read(in, strcmp(name, "-") == 0 ? "stdin" : name, &ro, &cb, &f, &e);
        if (in != stdin)
            fclose(in);
        if (rc < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
        if (rc > 0) {
            cmd_warn(ctx, "%d problem%s in %s; nothing recorded", rc, rc == 1 ? "" : "s", name);
            code = QS_EX_DATAERR;
            goto out;
        }
    }
    it.name = a.name ? a.name : title;
    it.seller_code = a.seller_code;
    it.item_code = a.from_item;
    if ((problems = stock_add_check(&it, &f, &cb)) > 0) {
        cmd_warn(ctx, "%d problem%s; nothing recorded", problems, problems == 1 ? "" : "s");
        code = QS_EX_DATAERR;
        goto out;
    }
    j = (struct stock_add_job){.s = ctx->store,
                               .shop = ctx->shop.name,
                               .item = &it,
                               .form = &f,
                               .csv = a.csv,
                               .retry_failed = a.retry_failed,
                               .dry_run = ctx->dry_run ? stdout : NULL,
                               .prog = ctx->prog,
                               .now = time(NULL)};
    code = cmd_job(ctx, &stock_add_job_ops, &j);
out:
    stock_add_job_clear(&j);
    stock_form_clear(&f);
    qapi_close(q);
    free(title);
    return code;
}

/* ---- link, confirm, unlinked (R-STK-4) ---- */

struct link_args {
    const char *by, *handoff;
    int remove, retry_failed;
    enum rec_enc enc;
    struct cmd_list order;
};
#define LA struct link_args

static const struct qs_opt link_opts[] = {
    OPT_STRING(LA, by, "by", "seller-code",
               "records of seller_sku[,item_code], matched by seller code"),
    OPT_FLAG(LA, remove, "remove", "write the unlink to-do for linked pairs"),
    OPT_FLAG(LA, retry_failed, "retry-failed", "also hand off failed to-dos again"),
    OPT_ENC(LA, enc),
    OPT_END,
};

static const struct qs_opt confirm_opts[] = {
    OPT_STRING(LA, handoff, "handoff", "DIR",
               "the to-dos of hand-off folder DIR (link, allocation, unallocation)"),
    OPT_LIST(LA, order, "order", "NO",
             "the allocation or unallocation to-do of order NO (repeatable)"),
    OPT_ENC(LA, enc),
    OPT_END,
};

/* Opens ctx->input (or stdin) and reads its pairs. 0, or an exit code after printing. The
 * problems found go to *problems when it is not NULL (the caller goes on checking), else
 * they end the verb (65). */
static int read_pairs(struct qs_ctx *ctx, const struct link_args *a, struct stock_pairs *ps,
                      int *problems)
{
    struct stock_link_cb cb = {ctx, cmd_say_err, cmd_say_warn};
    struct rec_reader_opts ro = cmd_reader_opts(ctx, a->enc);
    const char *name = ctx->input;
    struct qs_err e;
    FILE *in;
    int rc;
    err_clear(&e);
    if (strcmp(name, "-") == 0 && isatty(STDIN_FILENO))
        return cmd_usage(ctx, "give a FILE of pairs q_sku,item_code[,option] (- for stdin)");
    if ((rc = cmd_open_input(ctx, name, &in)) != 0)
        return rc;
    if (a->by)
        rc = stock_pairs_by_seller(ctx->store, ctx->shop.name, in,
                                   strcmp(name, "-") == 0 ? "stdin" : name, &ro, &cb, ps, &e);
    else
        rc = stock_pairs_read(in, strcmp(name, "-") == 0 ? "stdin" : name, &ro, &cb, ps, &e);
    if (in != stdin)
        fclose(in);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (rc > 0 && !problems) {
        cmd_warn(ctx, "%d problem%s in %s; nothing written", rc, rc == 1 ? "" : "s", name);
        return QS_EX_DATAERR;
    }
    if (problems)
        *problems = rc;
    return 0;
}

static int cmd_stock_link(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct link_args a = {.enc = REC_ENC_AUTO};
    struct stock_pairs ps = {0};
    struct stock_link_cb cb = {ctx, cmd_say_err, cmd_say_warn};
    struct stock_link_job j = {0};
    struct qapi *q = NULL;
    struct qs_err e;
    int rc, code, bad = 0;

    err_clear(&e);
    if ((code = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return code;
    if (a.by && strcmp(a.by, "seller-code") != 0)
        return cmd_usage(ctx, "--by takes seller-code, not \"%s\"", a.by);
    if ((code = read_pairs(ctx, &a, &ps, &bad)) != 0)
        goto out;
    if (stock_pairs_have_options(&ps) && (rc = cmd_open_qapi(ctx, &q, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    if ((rc = stock_link_check(ctx->store, q, ctx->shop.name, a.remove, &ps, &cb, &e)) != 0 ||
        bad) {
        if (rc < 0)
            code = cmd_fail(ctx, rc, &e);
        else {
            rc += bad;
            cmd_warn(ctx, "%d bad pair%s; nothing written", rc, rc == 1 ? "" : "s");
            code = QS_EX_DATAERR;
        }
        goto out;
    }
    j = (struct stock_link_job){.s = ctx->store,
                                .shop = ctx->shop.name,
                                .pairs = &ps,
                                .remove = a.remove,
                                .retry_failed = a.retry_failed,
                                .dry_run = ctx->dry_run ? stdout : NULL,
                                .prog = ctx->prog,
                                .now = time(NULL)};
    if ((code = cmd_now(ctx, &j.now)) == 0)
        code = cmd_job(ctx, &stock_link_job_ops, &j);
out:
    stock_link_job_clear(&j);
    stock_pairs_clear(&ps);
    qapi_close(q);
    return code;
}

static int cmd_stock_confirm(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct link_args a = {.enc = REC_ENC_AUTO};
    struct stock_pairs ps = {0};
    struct stock_link_cb cb = {ctx, cmd_say_err, cmd_say_warn};
    struct qs_err e;
    char *abs = NULL;
    time_t now;
    size_t n = 0;
    int rc, code;

    err_clear(&e);
    if ((code = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return code;
    if ((code = cmd_now(ctx, &now)) != 0)
        return code;
    /* --handoff DIR: every to-do of the folder, or only the pairs of a FILE operand;
     * --order NO: allocation to-dos (R-STK-6), with no pairs unless a FILE is given. */
    int pairs = strcmp(ctx->input, "-") != 0 || (!a.handoff && !a.order.n);
    if (pairs && (code = read_pairs(ctx, &a, &ps, NULL)) != 0)
        goto out;
    abs = a.handoff ? realpath(a.handoff, NULL) : NULL;
    if (a.handoff && !abs) {
        code = cmd_usage(ctx, "--handoff %s: %s", a.handoff, strerror(errno));
        goto out;
    }
    if (pairs || a.handoff) {
        rc = stock_link_confirm(ctx->store, ctx->shop.name, ps.n || !a.handoff ? &ps : NULL, abs,
                                now, &cb, &n, &e);
        if (rc < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
        if (ctx->verbosity >= 0 && (n || !a.order.n))
            fprintf(stderr, "%s: %zu link to-do%s confirmed as done in QSM\n", ctx->prog, n,
                    n == 1 ? "" : "s");
    }
    if ((a.handoff && !pairs) || a.order.n) {
        rc = stock_alloc_confirm(ctx->store, ctx->shop.name, a.order.n ? a.order.v : NULL,
                                 a.order.n, abs, now, cmd_say_err, ctx, &n, &e);
        if (rc < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
        if (ctx->verbosity >= 0 && (n || a.order.n))
            fprintf(stderr, "%s: %zu allocation to-do%s confirmed as done in QSM\n", ctx->prog, n,
                    n == 1 ? "" : "s");
    }
out:
    free(abs);
    stock_pairs_clear(&ps);
    cmd_args_free(v, &a);
    return code;
}

static const char *const unlinked_cols[] = {"kind",       "item_code", "seller_code",
                                            "q_sku",      "name",      "order_no",
                                            "order_date", "linked_at", "message"};
#define NUNLINKED_COLS (sizeof unlinked_cols / sizeof unlinked_cols[0])

static int unlinked_row(void *p, const struct stock_unlinked_row *u, struct qs_err *e)
{
    struct rec_writer *w = ((void **)p)[0];
    struct rec *r = ((void **)p)[1];
    rec_clear(r);
    rec_set(r, "kind", u->kind);
    rec_set(r, "item_code", u->item_code);
    rec_set(r, "seller_code", u->seller_code);
    rec_set(r, "q_sku", u->q_sku);
    rec_set(r, "name", u->name);
    rec_set(r, "order_no", u->order_no);
    rec_set(r, "order_date", u->order_date);
    rec_set(r, "linked_at", u->linked_at);
    rec_set(r, "message", u->message);
    return rec_write(w, r, e);
}

static int cmd_stock_unlinked(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct rec_writer *w = NULL;
    struct qs_err e;
    void *p[2];
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, NULL, &argc, &argv)) != 0)
        return rc;
    if ((rc = cmd_open_writer(ctx, unlinked_cols, NUNLINKED_COLS, &w, &e)) < 0)
        return cmd_out_fail(ctx, rc, &e);
    p[0] = w;
    p[1] = rec_new();
    rc = stock_unlinked(ctx->store, ctx->shop.name, unlinked_row, p, &e);
    rec_free(p[1]);
    if (rc < 0) {
        rec_writer_close(w, NULL);
        return e.code == QS_E_IO ? cmd_out_fail(ctx, rc, &e) : cmd_fail(ctx, rc, &e);
    }
    if ((rc = rec_writer_close(w, &e)) < 0)
        return cmd_out_fail(ctx, rc, &e);
    return 0;
}

/* ---- allocation, unallocate (R-STK-6) ---- */

struct alloc_args {
    const char *state;
    int todo, retry_failed;
    enum rec_enc enc;
};
#define ALA struct alloc_args

static const struct qs_opt alloc_opts[] = {
    OPT_STRING(ALA, state, "state", "STATE",
               "only lines in STATE: allocated, waiting, unallocatable"),
    OPT_FLAG(ALA, todo, "todo",
             "hand off QSM's allocation to-do for the waiting orders the stock now covers"),
    OPT_FLAG(ALA, retry_failed, "retry-failed", "also hand off failed to-dos again"),
    OPT_END,
};

static const struct qs_opt unalloc_opts[] = {
    OPT_FLAG(ALA, retry_failed, "retry-failed", "also hand off failed to-dos again"),
    OPT_ENC(ALA, enc),
    OPT_END,
};

/* The order number's column in records (the listing's order_no, QSM's and QAPI's names). */
static const char *const order_names[] = {"order_no", "OrderNo",  "orderNo",
                                          "ContrNo",  "CONTR_NO", NULL};

/* The listing's columns (qs-stock(1) documents them). */
static const char *const alloc_cols[] = {"order_no", "pack_no", "item_code", "option_code",
                                         "q_sku",    "qty",     "paid_date", "state",
                                         "reason",   "source",  "ship_date"};

struct alloc_list {
    struct rec_writer *w;
    struct rec *r;
    int state;                    /* -1: every state */
    struct inbound_cal_store cal; /* R-INB-7: the expected ship date */
};

static int alloc_row(void *p, const struct stock_alloc_line *l, struct qs_err *e)
{
    struct alloc_list *al = p;
    if (al->state >= 0 && (int)l->state != al->state)
        return 0;
    rec_clear(al->r);
    rec_set(al->r, "order_no", l->order_no);
    rec_set(al->r, "pack_no", l->pack_no);
    rec_set(al->r, "item_code", l->item_code);
    rec_set(al->r, "option_code", l->option_code);
    rec_set(al->r, "q_sku", l->q_sku);
    set_num(al->r, "qty", l->qty, 1);
    rec_set(al->r, "paid_date", l->paid_date);
    {
        /* R-INB-7: picked the day paid before 16:00 JST, else the next warehouse day */
        time_t paid;
        char d[16] = "";
        long day = tm_parse_utc_iso(l->paid_date, &paid) == 0
                       ? inbound_ship_day_qoo10(&al->cal.cal, paid, INBOUND_NO_DAY, 0)
                       : INBOUND_NO_DAY;
        if (day != INBOUND_NO_DAY)
            inbound_day_format(day, d, sizeof d);
        rec_set(al->r, "ship_date", d);
    }
    rec_set(al->r, "state", stock_alloc_words[l->state]);
    rec_set(al->r, "reason", l->reason);
    rec_set(al->r, "source", l->source);
    return rec_write(al->w, al->r, e);
}

static int cmd_stock_allocation(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct alloc_args a = {0};
    struct alloc_list al = {.state = -1};
    struct stock_alloc_job j = {0};
    struct qs_err e;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (argc > 0)
        return cmd_usage(ctx, "allocation takes no operands, got \"%s\"", argv[0]);
    if (a.state) {
        for (int i = STOCK_ALLOCATED; i <= STOCK_UNALLOCATABLE; i++)
            if (!strcmp(a.state, stock_alloc_words[i]))
                al.state = i;
        if (al.state < 0)
            return cmd_usage(ctx, "--state is allocated, waiting or unallocatable, not \"%s\"",
                             a.state);
    }
    if (a.todo) {
        if (a.state)
            return cmd_usage(ctx, "--todo lists the waiting orders the stock covers: no --state");
        j = (struct stock_alloc_job){.s = ctx->store,
                                     .shop = ctx->shop.name,
                                     .retry_failed = a.retry_failed,
                                     .dry_run = ctx->dry_run ? stdout : NULL,
                                     .prog = ctx->prog,
                                     .now = time(NULL)};
        int counts = 0; /* as qs stock sync reads the branch quantity (R-STK-7) */
        if ((rc = settings_enum(ctx->store, ctx->shop.name, "stock.branch_counts_allocated",
                                &counts, &e)) < 0 ||
            (rc = stock_alloc_todo_plan(ctx->store, ctx->shop.name, counts == 1, &j, &e)) < 0) {
            stock_alloc_job_clear(&j);
            return cmd_fail(ctx, rc, &e);
        }
        if (!j.n) {
            if (ctx->verbosity >= 0)
                fprintf(stderr,
                        "%s: no waiting order is covered by the latest Q-inventory import; "
                        "nothing to allocate (R-STK-6)\n",
                        ctx->prog);
            stock_alloc_job_clear(&j);
            return 0;
        }
        rc = cmd_job(ctx, &stock_alloc_job_ops, &j);
        stock_alloc_job_clear(&j);
        return rc;
    }
    if ((rc = cmd_open_writer(ctx, alloc_cols, sizeof alloc_cols / sizeof alloc_cols[0], &al.w,
                              &e)) < 0)
        return cmd_out_fail(ctx, rc, &e);
    al.r = rec_new();
    if ((rc = inbound_cal_load(ctx->store, ctx->shop.name, &al.cal, &e)) >= 0)
        rc = stock_alloc_each(ctx->store, ctx->shop.name, alloc_row, &al, &e);
    inbound_cal_free(&al.cal);
    rec_free(al.r);
    if (rc < 0) {
        rec_writer_close(al.w, NULL);
        return e.code == QS_E_IO ? cmd_out_fail(ctx, rc, &e) : cmd_fail(ctx, rc, &e);
    }
    if ((rc = rec_writer_close(al.w, &e)) < 0)
        return cmd_out_fail(ctx, rc, &e);
    return 0;
}

static int cmd_stock_unallocate(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct alloc_args a = {0};
    struct stock_alloc_job j = {0};
    struct cmd_keys orders = {.names = order_names, .what = "order_no", .rule = "R-STK-6"};
    struct qs_err e;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (argc == 0 && isatty(STDIN_FILENO))
        return cmd_usage(ctx, "give the order numbers to unallocate, or records with an "
                              "order_no column (- for stdin)");
    if ((rc = cmd_read_keys(ctx, argc, argv, a.enc, &orders, &e)) != 0) {
        cmd_keys_free(&orders);
        return rc;
    }
    if (orders.n == 0) {
        cmd_keys_free(&orders);
        return cmd_usage(ctx, "no order numbers to unallocate");
    }
    j = (struct stock_alloc_job){.s = ctx->store,
                                 .shop = ctx->shop.name,
                                 .unalloc = 1,
                                 .retry_failed = a.retry_failed,
                                 .dry_run = ctx->dry_run ? stdout : NULL,
                                 .prog = ctx->prog,
                                 .now = time(NULL)};
    rc = stock_alloc_unalloc_plan(ctx->store, ctx->shop.name, (const char *const *)orders.v,
                                  orders.n, cmd_say_err, ctx, &j, &e);
    cmd_keys_free(&orders);
    if (rc < 0) {
        stock_alloc_job_clear(&j);
        return cmd_fail(ctx, rc, &e);
    }
    rc = cmd_job(ctx, &stock_alloc_job_ops, &j);
    stock_alloc_job_clear(&j);
    return rc;
}

/* ---- fees and tariff (R-STK-8) ---- */

struct fees_args {
    const char *month, *paid;
    int forecast;
};
#define FA struct fees_args

static const struct qs_opt fees_opts[] = {
    OPT_STRING(FA, month, "month", "YYYY-MM", "the month's fees, per option (Asia/Tokyo)"),
    OPT_FLAG(FA, forecast, "forecast",
             "the current month projected: the options that will pay and how to avoid it"),
    OPT_STRING(FA, paid, "paid", "YYYY-MM", "record the month's bill paid in QSM"),
    OPT_END,
};

static const char *const fee_cols[] = {"month",   "q_sku", "seller_sku", "name",       "shipped",
                                       "on_hand", "fee",   "reason",     "first_month"};
static const char *const forecast_cols[] = {"month",    "q_sku",     "seller_sku", "name",
                                            "shipped",  "projected", "on_hand",    "fee",
                                            "to_avoid", "reason"};
static const char *const month_cols[] = {"month", "fee", "charged", "options", "paid", "paid_at"};
#define NCOLS(a) (sizeof(a) / sizeof(a)[0])

struct fees_run {
    struct qs_ctx *ctx;
    struct rec_writer *w;
    struct rec *r;
    const char *month;
};

static void set_ll(struct rec *r, const char *name, long long v)
{
    set_num(r, name, v, 1);
}

static int fee_line(void *p, const struct stock_fee_row *f, struct qs_err *e)
{
    struct fees_run *fr = p;
    rec_clear(fr->r);
    rec_set(fr->r, "month", fr->month);
    rec_set(fr->r, "q_sku", f->q_sku);
    rec_set(fr->r, "seller_sku", f->seller_sku);
    rec_set(fr->r, "name", f->name);
    set_ll(fr->r, "shipped", f->shipped);
    if (f->projected >= 0) {
        set_ll(fr->r, "projected", f->projected);
        set_ll(fr->r, "to_avoid", f->to_avoid);
    }
    set_ll(fr->r, "on_hand", f->on_hand);
    set_ll(fr->r, "fee", f->fee);
    rec_set(fr->r, "reason", stock_fee_reasons[f->reason]);
    rec_set(fr->r, "first_month", f->first_month);
    return rec_write(fr->w, fr->r, e);
}

static int month_line(void *p, struct stock_month m, const struct stock_fee_total *t,
                      struct qs_err *e)
{
    struct fees_run *fr = p;
    char mo[8];
    rec_clear(fr->r);
    rec_set(fr->r, "month", stock_month_format(m, mo, sizeof mo));
    set_ll(fr->r, "fee", t->fee);
    set_ll(fr->r, "charged", t->charged);
    set_ll(fr->r, "options", t->options);
    rec_set(fr->r, "paid", t->paid_at[0] ? "yes" : t->fee > 0 ? "no" : "");
    rec_set(fr->r, "paid_at", t->paid_at);
    return rec_write(fr->w, fr->r, e);
}

struct pay_run {
    struct qs_ctx *ctx;
    struct stock_month m;
    time_t now;
    long long amount;
    int already;
};

static int pay_fn(void *p, struct qs_err *e)
{
    struct pay_run *pr = p;
    return stock_fee_pay(pr->ctx->store, pr->ctx->shop.name, pr->m, pr->now, &pr->amount,
                         &pr->already, e);
}

static int fees_paid(struct qs_ctx *ctx, const char *month, time_t now)
{
    struct pay_run pr = {.ctx = ctx, .now = now};
    struct qs_err e;
    char amt[80] = "an amount qs cannot reckon (no snapshot before its end)";
    int rc;
    err_clear(&e);
    if (stock_month_parse(month, &pr.m) < 0)
        return cmd_usage(ctx, "--paid \"%s\" is not a month (YYYY-MM)", month);
    if ((rc = job_within(ctx->store, ctx->dry_run, pay_fn, &pr, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    if (pr.amount >= 0)
        snprintf(amt, sizeof amt, "qs reckons %lld JPY", pr.amount);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s%s's storage-fee bill %s paid (%s)\n", ctx->prog,
                ctx->dry_run ? "dry run, nothing written: " : "", month,
                pr.already     ? "was recorded"
                : ctx->dry_run ? "would be recorded"
                               : "recorded",
                amt);
    return 0;
}

static int cmd_stock_fees(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct fees_args a = {0};
    struct fees_run fr = {.ctx = ctx};
    struct stock_fee_opts o = {0};
    struct stock_fee_total t;
    struct qs_err e;
    char mo[8];
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (argc > 0)
        return cmd_usage(ctx, "no operand expected, got \"%s\"", argv[0]);
    if ((rc = cmd_now(ctx, &o.now)) != 0)
        return rc;
    if (a.paid) {
        if (a.month || a.forecast)
            return cmd_usage(ctx, "--paid goes alone: give the month paid to it");
        return fees_paid(ctx, a.paid, o.now);
    }
    o.forecast = a.forecast;
    if (a.month && stock_month_parse(a.month, &o.month) < 0)
        return cmd_usage(ctx, "--month \"%s\" is not a month (YYYY-MM)", a.month);
    if (!a.month && a.forecast)
        o.month = stock_month_of(o.now);
    fr.month = stock_month_format(o.month, mo, sizeof mo);
    fr.r = rec_new();
    if (!a.month && !a.forecast) {
        /* Every month since the first snapshot: its total and whether it was paid. */
        if ((rc = cmd_open_writer(ctx, month_cols, NCOLS(month_cols), &fr.w, &e)) >= 0)
            rc = stock_fee_months(ctx->store, ctx->shop.name, o.now, month_line, &fr, &e);
    } else if ((rc = cmd_open_writer(ctx, a.forecast ? forecast_cols : fee_cols,
                                     a.forecast ? NCOLS(forecast_cols) : NCOLS(fee_cols), &fr.w,
                                     &e)) >= 0)
        rc = stock_fees(ctx->store, ctx->shop.name, &o, fee_line, &fr, &t, &e);
    if (rc >= 0) {
        rc = rec_writer_close(fr.w, &e);
        fr.w = NULL;
        rec_free(fr.r);
        if (rc < 0)
            return cmd_out_fail(ctx, rc, &e);
    } else {
        rec_writer_close(fr.w, NULL);
        rec_free(fr.r);
        return cmd_fail(ctx, rc, &e);
    }
    if (ctx->verbosity < 0 || (!a.month && !a.forecast))
        return 0;
    if (a.forecast)
        fprintf(stderr,
                "%s: forecast for %s: %lld JPY for %ld of %ld options (on hand from snapshot "
                "%lld, %s)\n",
                ctx->prog, mo, t.fee, t.charged, t.options, t.snapshot, t.counted_at);
    else {
        char st[96];
        if (t.paid_at[0])
            snprintf(st, sizeof st, "paid (recorded %s)", t.paid_at);
        else
            snprintf(st, sizeof st, "%s", t.fee > 0 ? "unpaid" : "nothing to pay");
        fprintf(stderr,
                "%s: %s: %lld JPY for %ld of %ld options (on hand from snapshot %lld, %s); %s\n",
                ctx->prog, mo, t.fee, t.charged, t.options, t.snapshot, t.counted_at, st);
    }
    return 0;
}

static const struct qs_opt tariff_opts[] = {
    OPT_ENC(struct import_args, enc),
    OPT_END,
};

static const char *const tariff_cols[] = {"name", "amount", "per", "taken_from", "note"};

static int tariff_line(void *p, const struct stock_charge *c, struct qs_err *e)
{
    struct fees_run *fr = p;
    rec_clear(fr->r);
    rec_set(fr->r, "name", c->name);
    set_ll(fr->r, "amount", c->amount);
    rec_set(fr->r, "per", c->per);
    rec_set(fr->r, "taken_from", c->taken_from);
    rec_set(fr->r, "note", c->note);
    return rec_write(fr->w, fr->r, e);
}

struct tariff_run {
    struct qs_ctx *ctx;
    FILE *in;
    const char *name;
    const struct rec_reader_opts *ro;
    time_t now;
    int n;
};

static int tariff_fn(void *p, struct qs_err *e)
{
    struct tariff_run *tr = p;
    int rc = stock_tariff_set(tr->ctx->store, tr->ctx->shop.name, tr->in, tr->name, tr->ro, tr->now,
                              cmd_say_err, tr->ctx, e);
    tr->n = rc;
    return rc < 0 ? rc : 0;
}

static int cmd_stock_tariff(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct import_args a = {.enc = REC_ENC_AUTO};
    struct fees_run fr = {.ctx = ctx};
    struct tariff_run tr = {.ctx = ctx};
    struct qs_err e;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (argc > 1)
        return cmd_usage(ctx, "one file at a time, got \"%s\"", argv[1]);
    if (argc == 0) {
        /* No input: the tariff as stored, in the columns it is entered in. */
        fr.r = rec_new();
        if ((rc = cmd_open_writer(ctx, tariff_cols, NCOLS(tariff_cols), &fr.w, &e)) >= 0)
            rc = stock_tariff_each(ctx->store, ctx->shop.name, tariff_line, &fr, &e);
        if (rc >= 0) {
            rc = rec_writer_close(fr.w, &e);
            rec_free(fr.r);
            return rc < 0 ? cmd_out_fail(ctx, rc, &e) : 0;
        }
        rec_writer_close(fr.w, NULL);
        rec_free(fr.r);
        return cmd_fail(ctx, rc, &e);
    }
    if ((rc = cmd_now(ctx, &tr.now)) != 0)
        return rc;
    tr.name = strcmp(argv[0], "-") == 0 ? "stdin" : argv[0];
    if ((rc = cmd_open_input(ctx, argv[0], &tr.in)) != 0)
        return rc;
    struct rec_reader_opts ro = cmd_reader_opts(ctx, a.enc);
    tr.ro = &ro;
    rc = job_within(ctx->store, ctx->dry_run, tariff_fn, &tr, &e);
    cmd_close_input(tr.in);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %stariff of shop %s: %d charge%s from %s\n", ctx->prog,
                ctx->dry_run ? "dry run, nothing written: would set the " : "", ctx->shop.name,
                tr.n, tr.n == 1 ? "" : "s", tr.name);
    return 0;
}

/* ---- calendar (R-INB-7) ---- */

struct cal_args {
    int closures;
    long days;
    enum rec_enc enc;
};
#define CLA struct cal_args

static const struct qs_opt cal_opts[] = {
    OPT_FLAG(CLA, closures, "closures",
             "list the entries as entered (date, until, kind, note) instead of the days"),
    OPT_LONG(CLA, days, "days", "N", 1, 366, NULL, "list N days from today (default 14)"),
    OPT_ENC(CLA, enc),
    OPT_END,
};

static const char *const cal_cols[] = {"date", "until", "kind", "note"};
static const char *const day_cols[] = {"date", "weekday", "warehouse_day", "why", "may_be_late"};

static int cal_list(struct qs_ctx *ctx, const struct cal_args *a, struct qs_err *e)
{
    static const char *const wd[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    struct inbound_cal_store cal = {0};
    struct rec_writer *w = NULL;
    struct rec *r = rec_new();
    time_t now;
    char d[16], u[16];
    int rc;

    if ((rc = cmd_now(ctx, &now)) != 0) {
        rec_free(r);
        return rc;
    }
    if ((rc = inbound_cal_load(ctx->store, ctx->shop.name, &cal, e)) < 0 ||
        (rc = a->closures ? cmd_open_writer(ctx, cal_cols, NCOLS(cal_cols), &w, e)
                          : cmd_open_writer(ctx, day_cols, NCOLS(day_cols), &w, e)) < 0)
        goto out;
    for (size_t i = 0; a->closures && i < cal.n && rc >= 0; i++) {
        rec_clear(r);
        rec_set(r, "date", inbound_day_format(cal.v[i].from, d, sizeof d));
        rec_set(r, "until", inbound_day_format(cal.v[i].until, u, sizeof u));
        rec_set(r, "kind", inbound_closure_words[cal.v[i].kind]);
        rec_set(r, "note", cal.v[i].note);
        rc = rec_write(w, r, e);
    }
    long today = inbound_day_of(now, NULL);
    for (long k = 0; !a->closures && k < (a->days ? a->days : 14) && rc >= 0; k++) {
        const char *why = NULL, *late = NULL;
        int open = inbound_warehouse_day(&cal.cal, today + k, &why);
        rec_clear(r);
        rec_set(r, "date", inbound_day_format(today + k, d, sizeof d));
        rec_set(r, "weekday", wd[inbound_weekday(today + k)]);
        rec_set(r, "warehouse_day", open ? "yes" : "no");
        rec_set(r, "why", why ? why : "");
        inbound_may_be_late(&cal.cal, today + k, &late);
        rec_set(r, "may_be_late", late ? late : "");
        rc = rec_write(w, r, e);
    }
    if (rc >= 0) {
        rc = rec_writer_close(w, e);
        w = NULL;
    }
    if (rc >= 0 && !a->closures && ctx->verbosity >= 0) {
        long ship = inbound_ship_day_other(&cal.cal, now);
        fprintf(stderr, "%s: an other-platform order registered now ships %s (R-INB-7)\n",
                ctx->prog,
                ship == INBOUND_NO_DAY ? "on no day known" : inbound_day_format(ship, d, sizeof d));
    }
out:
    if (w)
        rec_writer_close(w, NULL);
    rec_free(r);
    inbound_cal_free(&cal);
    return rc;
}

struct cal_run {
    struct qs_ctx *ctx;
    FILE *in;
    const char *name;
    const struct rec_reader_opts *ro;
    time_t now;
    size_t n;
};

static int cal_fn(void *p, struct qs_err *e)
{
    struct cal_run *cr = p;
    return inbound_cal_replace(cr->ctx->store, cr->ctx->shop.name, cr->in, cr->name, cr->ro,
                               cr->now, cmd_say_err, cr->ctx, &cr->n, e);
}

static int cmd_stock_calendar(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct cal_args a = {.enc = REC_ENC_AUTO};
    struct cal_run cr = {.ctx = ctx};
    struct qs_err e;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (argc > 1)
        return cmd_usage(ctx, "one file at a time, got \"%s\"", argv[1]);
    if (argc == 0) {
        /* No input: the days ahead, or the entries as entered. */
        if ((rc = cal_list(ctx, &a, &e)) < 0)
            return e.code == QS_E_IO ? cmd_out_fail(ctx, rc, &e) : cmd_fail(ctx, rc, &e);
        return rc;
    }
    if (a.closures || a.days)
        return cmd_usage(ctx, "--closures and --days list the calendar: give no FILE");
    if ((rc = cmd_now(ctx, &cr.now)) != 0)
        return rc;
    cr.name = strcmp(argv[0], "-") == 0 ? "stdin" : argv[0];
    if ((rc = cmd_open_input(ctx, argv[0], &cr.in)) != 0)
        return rc;
    struct rec_reader_opts ro = cmd_reader_opts(ctx, a.enc);
    cr.ro = &ro;
    rc = job_within(ctx->store, ctx->dry_run, cal_fn, &cr, &e);
    cmd_close_input(cr.in);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %scalendar of shop %s: %zu entr%s from %s\n", ctx->prog,
                ctx->dry_run ? "dry run, nothing written: would set the " : "", ctx->shop.name,
                cr.n, cr.n == 1 ? "y" : "ies", cr.name);
    return 0;
}

/* ---- labels (R-STK-9) ---- */

struct labels_args {
    long boxes;
    const char *cargo_no, *shop_id, *bundle;
    int own_barcode, no_pdf, retry_failed;
    enum rec_enc enc;
};
#define LBA struct labels_args

static const struct qs_opt labels_opts[] = {
    OPT_LONG(LBA, boxes, "boxes", "N", 1, STOCK_BOXES_MAX, NULL,
             "inbound box labels: N labels, 1/N..N/N, as an A4 HTML page"),
    OPT_STRING(LBA, cargo_no, "cargo-no", "NO", "QSM's cargo bundle number (with --boxes)"),
    OPT_STRING(LBA, bundle, "bundle", "B",
               "box labels of inbound bundle B: its cargo number and box count (R-INB-3)"),
    OPT_STRING(LBA, shop_id, "shop-id", "ID",
               "the QSM seller ID on box labels (default: the setting stock.shop_id)"),
    OPT_FLAG(LBA, own_barcode, "own-barcode",
             "also draw Code 128 SKU labels (an A4 HTML page); the warehouse may refuse them"),
    OPT_FLAG(LBA, no_pdf, "no-pdf", "write no PDF even when chromium is found"),
    OPT_FLAG(LBA, retry_failed, "retry-failed", "also hand off failed label to-dos again"),
    OPT_ENC(LBA, enc),
    OPT_END,
};

/* R-STK-9: a PDF beside the page when chromium is on PATH; never required. */
static void labels_pdf(struct qs_ctx *ctx, const char *html)
{
    char *pdf = NULL, *prog = NULL;
    int rc = stock_print_pdf(html, &pdf, &prog);
    if (rc == 0 && ctx->verbosity >= 0)
        fprintf(stderr, "%s: no PDF: chromium is not on PATH (print the page from a browser)\n",
                ctx->prog);
    else if (rc > 0)
        printf("%s\n", pdf);
    else if (rc < 0)
        cmd_warn(ctx, "warning: %s could not make %s; the HTML page is there", prog, pdf);
    free(pdf);
    free(prog);
}

/* Writes a page by fn into -o FILE / -o - when given, else into labels/SHOP/name beside
 * the store (path printed on stdout; or on stderr when stdout carries a report). */
static int labels_page(struct qs_ctx *ctx, const char *name, int report, int pdf,
                       int (*fn)(FILE *fp, const void *arg, struct qs_err *e), const void *arg)
{
    struct afile *a = NULL;
    struct qs_err e;
    char *dir = NULL, *path = NULL;
    int rc;
    err_clear(&e);
    if (!report && (ctx->out_file || ctx->output_stdout)) { /* -o FILE, -o - */
        if ((rc = fn(cmd_out(ctx), arg, &e)) < 0)
            return cmd_fail(ctx, rc, &e);
        if (pdf && ctx->output && !ctx->dry_run)
            if (ctx->verbosity >= 0)
                fprintf(stderr,
                        "%s: no PDF with -o: run chromium --headless --print-to-pdf on %s\n",
                        ctx->prog, ctx->output);
        return 0;
    }
    if ((rc = cmd_shop_dir(ctx, "labels", &dir, &e)) < 0)
        goto out;
    path = xasprintf("%s/%s", dir, name);
    if ((rc = afile_open(path, NULL, &a, &e)) < 0)
        goto out;
    if ((rc = fn(afile_fp(a), arg, &e)) < 0) {
        afile_abort(a);
        goto out;
    }
    if ((rc = afile_commit(a, &e)) == 0) {
        fprintf(report ? stderr : stdout, "%s%s%s\n", report ? ctx->prog : "",
                report ? ": SKU labels drawn by qs: " : "", path);
        if (pdf)
            labels_pdf(ctx, path);
    }
out:
    free(dir);
    free(path);
    return rc < 0 ? cmd_fail(ctx, rc, &e) : 0;
}

struct boxes_page {
    const char *shop_id, *cargo_no;
    long boxes;
};

static int boxes_fn(FILE *fp, const void *arg, struct qs_err *e)
{
    const struct boxes_page *b = arg;
    return stock_boxes_html(fp, b->shop_id, b->cargo_no, b->boxes, e);
}

static int tags_fn(FILE *fp, const void *arg, struct qs_err *e)
{
    return stock_tags_html(fp, arg, e);
}

/* --boxes N --cargo-no NO: the inbound box labels page. */
static int labels_boxes(struct qs_ctx *ctx, const struct labels_args *a)
{
    struct boxes_page b = {a->shop_id, a->cargo_no, a->boxes};
    char *set = NULL, *name;
    struct qs_err e;
    int rc;
    err_clear(&e);
    if (!a->cargo_no || !*a->cargo_no)
        return cmd_usage(ctx, "--boxes needs --cargo-no NO: the cargo bundle number QSM issued");
    if (strcmp(ctx->input, "-") != 0)
        return cmd_usage(ctx, "box labels take no FILE; give q_sku,count records without --boxes");
    if (a->own_barcode)
        return cmd_usage(ctx,
                         "--own-barcode draws SKU labels: give q_sku,count records, not --boxes");
    if (!b.shop_id) {
        if ((rc = settings_string(ctx->store, ctx->shop.name, "stock.shop_id", &set, &e)) < 0)
            return cmd_fail(ctx, rc, &e);
        if (!(b.shop_id = set) || !*set) {
            free(set);
            return cmd_usage(ctx, "give --shop-id ID (the QSM seller ID), or set it once: qs init "
                                  "--set stock.shop_id=ID");
        }
    }
    for (const char *p = a->cargo_no; *p; p++)
        if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20) {
            free(set);
            return cmd_usage(ctx, "--cargo-no \"%s\" holds a / or a control character",
                             a->cargo_no);
        }
    name = xasprintf("cargo-%s.html", a->cargo_no);
    rc = labels_page(ctx, name, 0, !a->no_pdf, boxes_fn, &b);
    free(name);
    free(set);
    return rc;
}

static int cmd_stock_labels(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct labels_args a = {.enc = REC_ENC_AUTO};
    struct stock_tags t = {0};
    struct stock_tag_cb cb = {ctx, cmd_say_err};
    struct stock_tag_job j = {0};
    struct rec_reader_opts ro;
    const char *name;
    struct qs_err e;
    FILE *in;
    int rc, code;

    err_clear(&e);
    if ((code = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return code;
    if (a.bundle) {
        /* R-INB-3: the cargo number and the box count the bundle recorded. */
        struct inbound_bundle b;
        if (a.cargo_no)
            return cmd_usage(ctx, "--bundle gives the cargo number: leave out --cargo-no");
        if ((rc = inbound_bundle_get(ctx->store, ctx->shop.name, a.bundle, &b, &e)) < 0)
            return cmd_fail(ctx, rc, &e);
        if (!b.cargo_no[0])
            return cmd_usage(ctx,
                             "bundle %s has no cargo number yet: qs inbound mark %s "
                             "requested --cargo-no N",
                             b.name, b.name);
        if (!a.boxes && !(a.boxes = b.boxes))
            return cmd_usage(ctx,
                             "bundle %s has no box count yet: give --boxes N, or qs inbound "
                             "mark %s shipped ... --boxes N",
                             b.name, b.name);
        a.cargo_no = b.cargo_no;
        return labels_boxes(ctx, &a);
    }
    if (a.boxes)
        return labels_boxes(ctx, &a);
    if (a.cargo_no || a.shop_id)
        return cmd_usage(ctx, "--cargo-no and --shop-id go with --boxes N");
    name = ctx->input;
    if (strcmp(name, "-") == 0 && isatty(STDIN_FILENO))
        return cmd_usage(ctx,
                         "give a FILE of q_sku,count (- for stdin), or --boxes N --cargo-no NO");
    if ((rc = cmd_open_input(ctx, name, &in)) != 0)
        return rc;
    ro = cmd_reader_opts(ctx, a.enc);
    rc = stock_tags_read(in, strcmp(name, "-") == 0 ? "stdin" : name, &ro, &cb, &t, &e);
    if (in != stdin)
        fclose(in);
    if (rc >= 0)
        rc += (code = stock_tags_check(ctx->store, ctx->shop.name, &t, &cb, &e)) < 0 ? 0 : code;
    if (rc < 0 || code < 0) {
        code = cmd_fail(ctx, rc < 0 ? rc : code, &e);
        goto out;
    }
    if (rc > 0) {
        cmd_warn(ctx, "%d problem%s in %s; nothing written (R-STK-9)", rc, rc == 1 ? "" : "s",
                 name);
        code = QS_EX_DATAERR;
        goto out;
    }
    j = (struct stock_tag_job){.s = ctx->store,
                               .shop = ctx->shop.name,
                               .tags = &t,
                               .retry_failed = a.retry_failed,
                               .dry_run = ctx->dry_run ? stdout : NULL,
                               .prog = ctx->prog};
    code = cmd_job(ctx, &stock_tag_job_ops, &j);
    if (a.own_barcode && !ctx->dry_run && (code == 0 || code == 1 || code == 75)) {
        char *page = xasprintf("sku-%s.html", j.list + 4);
        int c2 = labels_page(ctx, page, 1, !a.no_pdf, tags_fn, &t);
        free(page);
        code = code ? code : c2;
    }
out:
    stock_tag_job_clear(&j);
    stock_tags_clear(&t);
    return code;
}

/* ---- sync (R-STK-7; also `qs sync stock`, R-SYN-3) ---- */

struct sync_args {
    const char *buffer;
    long max;
    int shared, force, retry_failed;
};
#define SA struct sync_args

const struct qs_opt stock_sync_opts[] = {
    OPT_STRING(SA, buffer, "buffer", "N|P%",
               "keep N units (or P% of them) back from every SKU's available quantity"),
    OPT_LONG(SA, max, "max", "N", 0, 1000000000, NULL, "set no link above N"),
    OPT_FLAG(SA, shared, "shared", "split a SKU linked to several items between them"),
    OPT_FLAG(SA, force, "force", "send even where the marketplace drifted since qs set it"),
    OPT_FLAG(SA, retry_failed, "retry-failed", "also send failed items and retries not yet due"),
    OPT_END,
};

int cmd_stock_sync(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct sync_args a = {.max = -1};
    struct stock_sync_job j = {0};
    struct qs_err e;
    char why[160];
    int rc, code, alloc = 0;

    err_clear(&e);
    if ((code = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return code;
    if (argc > 0)
        return cmd_usage(ctx, "unexpected operand \"%s\"", argv[0]);
    j.s = ctx->store;
    j.shop = ctx->shop.name;
    j.o.max = a.max;
    j.o.shared = a.shared;
    j.o.force = a.force;
    j.o.retry_failed = a.retry_failed;
    j.o.dry_run = ctx->dry_run ? stdout : NULL;
    if (a.buffer &&
        stock_sync_buffer_parse(a.buffer, &j.o.buffer, &j.o.buffer_pct, why, sizeof why) < 0)
        return cmd_usage(ctx, "%s (R-STK-7)", why);
    if ((code = cmd_now(ctx, &j.o.now)) != 0)
        return code;
    if ((rc = settings_enum(ctx->store, ctx->shop.name, "stock.branch_counts_allocated", &alloc,
                            &e)) < 0 ||
        (rc = cmd_open_qapi(ctx, &j.q, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    j.o.with_alloc = alloc == 1;
    code = cmd_job(ctx, &stock_sync_job_ops, &j);
    stock_sync_job_clear(&j);
    qapi_close(j.q);
    return code;
}

static const struct qs_verb stock_verbs[] = {
    QS_VERB("add", cmd_stock_add, "[FILE|-]", SHOP_W | QS_OPTS_ANYWHERE, add_opts,
            "ask QSM for a Q-inventory item: its option form, handed off"),
    QS_VERB("import", cmd_stock_import, "FILE|-", SHOP_W | QS_READS_STDIN | QS_OPTS_ANYWHERE,
            import_opts,
            "read QSM's Q-inventory download: a snapshot, and what changed since the last"),
    QS_VERB("link", cmd_stock_link, "[FILE|-]", SHOP_W | QS_READS_STDIN | QS_OPTS_ANYWHERE,
            link_opts, "link SKUs to marketplace items: QSM's to-do list"),
    QS_VERB("unlinked", cmd_stock_unlinked, NULL, QS_NEEDS_SHOP, NULL,
            "online items and SKUs without a link; orders that cannot ship from the warehouse"),
    QS_VERB("confirm", cmd_stock_confirm, "[FILE|-]", SHOP_W | QS_READS_STDIN | QS_OPTS_ANYWHERE,
            confirm_opts, "record link and allocation to-dos done in QSM"),
    QS_VERB("allocation", cmd_stock_allocation, NULL, SHOP_W | QS_OPTS_ANYWHERE, alloc_opts,
            "allocated, waiting and unallocatable orders; QSM's allocation to-do"),
    QS_VERB("unallocate", cmd_stock_unallocate, "ORDER...|FILE|-", SHOP_W | QS_OPTS_ANYWHERE,
            unalloc_opts, "write QSM's to-do to cancel an allocation"),
    QS_VERB("sync", cmd_stock_sync, NULL, SHOP_W, stock_sync_opts,
            "set marketplace quantities from the warehouse's (also qs sync stock)"),
    QS_VERB_USAGE("fees", cmd_stock_fees,
                  "fees [--month YYYY-MM] [--forecast] | fees --paid YYYY-MM", SHOP_W, fees_opts,
                  "monthly storage fees, forecast and payment"),
    QS_VERB("tariff", cmd_stock_tariff, "[FILE|-]", SHOP_W | QS_OPTS_ANYWHERE, tariff_opts,
            "enter the warehouse's other charges; without input, print them"),
    QS_VERB("calendar", cmd_stock_calendar, "[FILE|-]", SHOP_W | QS_OPTS_ANYWHERE, cal_opts,
            "warehouse days ahead; closures and busy periods for the cut-offs"),
    QS_VERB_USAGE("labels", cmd_stock_labels,
                  "labels [--own-barcode] [--no-pdf] [--retry-failed] [--encoding ENC] [FILE|-]"
                  " | labels --boxes N --cargo-no NO [--shop-id ID] [--no-pdf] [-o FILE]"
                  " | labels --bundle B [--boxes N] [--shop-id ID] [--no-pdf] [-o FILE]",
                  SHOP_W | QS_READS_STDIN | QS_OPTS_ANYWHERE, labels_opts,
                  "the SKU label to-do, and inbound box labels"),
    {.name = NULL},
};

const struct qs_cmd qs_cmd_stock = QS_COMMAND("stock", "warehouse (QWMS) inventory", stock_verbs);

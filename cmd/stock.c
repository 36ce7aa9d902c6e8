/* stock.c: qs stock -- warehouse (QWMS) inventory.
 * Verbs are registered with their planned usage; each answers --help, and
 * running one that is not built yet says so and exits 64 (no fake output). */
#include "cmd.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../libcore/qapi/qapi.h"
#include "../libcore/stock/stock_add.h"
#include "../libcore/xalloc.h"

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

static void add_say(void *p, const struct qs_err *e)
{
    struct qs_ctx *ctx = p;
    char buf[2200];
    fprintf(stderr, "%s\n", err_format(e, ctx->prog, buf, sizeof buf));
}

static void add_warn(void *p, const struct qs_err *e)
{
    struct qs_ctx *ctx = p;
    char buf[2200];
    struct qs_err w = *e;
    if (ctx->verbosity < 0)
        return;
    snprintf(w.msg, sizeof w.msg, "warning: %.1000s", e->msg);
    fprintf(stderr, "%s\n", err_format(&w, ctx->prog, buf, sizeof buf));
}

static int cmd_stock_add(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct add_args a = {.enc = REC_ENC_AUTO};
    struct stock_form f = {0};
    struct stock_add_cb cb = {ctx, add_say, add_warn};
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
        if (!(in = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb"))) {
            cmd_warn(ctx, "cannot open %s", name);
            code = QS_EX_USAGE;
            goto out;
        }
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

static const struct qs_verb stock_verbs[] = {
    QS_VERB("add", cmd_stock_add, "[FILE|-]", QS_NEEDS_SHOP | QS_WRITES_STORE | QS_OPTS_ANYWHERE,
            add_opts, "ask QSM for a Q-inventory item: its option form, handed off"),
    QS_PLANNED("link", "link [FILE|-]", "link SKUs to marketplace items and options"),
    QS_PLANNED("list", "list", "quantities per SKU"),
    QS_PLANNED("alloc", "alloc [--undo]", "allocate paid orders to branch stock"),
    QS_PLANNED("sync", "sync [--buffer N|P%] [--max N]", "set marketplace quantities from stock"),
    QS_PLANNED("fees", "fees --month YYYY-MM [--forecast]", "monthly storage fees"),
    QS_PLANNED("labels", "labels [FILE|-]", "write a printable page of SKU labels"),
    {.name = NULL},
};

const struct qs_cmd qs_cmd_stock = QS_COMMAND("stock", "warehouse (QWMS) inventory", stock_verbs);

/* publish.c: qs publish -- schedule, publish and edit listings (SPEC 2.3). The rules live
 * in libcore (publish*.c, schedule.c, profile.c); this file parses options, selects,
 * prints. */
#include <alloca.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "publish_cli.h"
#include "../libcore/catalog.h"
#include "../libcore/profile.h"
#include "../libcore/publish.h"
#include "../libcore/qapi.h"
#include "../libcore/schedule.h"
#include "../libcore/tm.h"

#define SEL_OPTS                                                                                   \
    {"group", required_argument, OPT_GROUP, "G", "only products of group G"},                      \
        {"state", required_argument, OPT_STATE, "S", "only products in state S"},                  \
    {                                                                                              \
        "encoding", required_argument, OPT_ENCODING, "ENC",                                        \
            "encoding of records on standard input: auto, utf-8, cp932"                            \
    }

static const struct qs_opt list_opts[] = {
    {"state", required_argument, OPT_STATE, "S", "only products in state S"},
    {"group", required_argument, OPT_GROUP, "G", "only products of group G"},
    {NULL, 0, 0, NULL, NULL},
};
static const struct qs_opt sel_opts[] = {SEL_OPTS, {NULL, 0, 0, NULL, NULL}};
static const struct qs_opt every_opts[] = {
    {"from", required_argument, OPT_FROM, "TIME", "the first product's time (R-PUB-3)"},
    SEL_OPTS,
    {NULL, 0, 0, NULL, NULL},
};
static const struct qs_opt spread_opts[] = {
    {"from", required_argument, OPT_FROM, "TIME", "the window's start (R-PUB-4)"},
    {"to", required_argument, OPT_TO, "TIME", "the window's end"},
    SEL_OPTS,
    {NULL, 0, 0, NULL, NULL},
};
static const struct qs_opt run_opts[] = {
    {"due-by", required_argument, OPT_DUE_BY, "TIME",
     "publish what is scheduled at or before TIME (default now)"},
    {"retry-failed", no_argument, OPT_RETRY_FAILED, NULL,
     "also retry failed products now, from the step that failed"},
    {NULL, 0, 0, NULL, NULL},
};
static const struct qs_opt edit_opts[] = {
    {"price", required_argument, OPT_PRICE, "P|+P%|-P%",
     "set the price, or change it by P percent"},
    {"quantity", required_argument, OPT_QUANTITY, "N", "set the quantity"},
    {"shipping", required_argument, OPT_SHIPPING, "S", "set the shipping fee (yen)"},
    SEL_OPTS,
    {NULL, 0, 0, NULL, NULL},
};
static const struct qs_opt copy_opts[] = {
    {"suffix", required_argument, OPT_SUFFIX, "S", "appended to the Parent SKU and every SKU"},
    SEL_OPTS,
    {NULL, 0, 0, NULL, NULL},
};
static const struct qs_opt profile_opts[] = {
    {"group", required_argument, OPT_GROUP, "G", "make group G use the profile"},
    {"sku", required_argument, OPT_SKU, "SKU",
     "make the product of SKU use the profile (repeatable)"},
    {"brand", required_argument, OPT_BRAND, "NAME=NO", "map brand NAME to Qoo10 BrandNo NO"},
    {"brands", no_argument, OPT_BRANDS, NULL, "list the brand table"},
    {NULL, 0, 0, NULL, NULL},
};

extern const struct qs_cmd qs_cmd_publish;

/* ---- output ---- */

int pc_out_row(void *p, const struct rec *r, struct qs_err *e)
{
    struct pc_out *o = p;
    int rc;
    if (o->quiet_rows)
        return 0;
    if (!o->w) {
        struct rec_writer_opts wo = {o->ctx->format, REC_ENC_UTF8, 0};
        if ((rc = rec_writer_open(stdout, &wo, o->cols, o->ncols, &o->w, e)) < 0)
            return rc;
    }
    o->rows++;
    return rec_write(o->w, r, e);
}

/* Closes the writer, printing the header when nothing was written (CSV). */
int pc_out_close(struct pc_out *o, struct qs_err *e)
{
    int rc = 0;
    if (o->closed)
        return 0;
    o->closed = 1;
    if (!o->w && !o->quiet_rows) {
        struct rec_writer_opts wo = {o->ctx->format, REC_ENC_UTF8, 0};
        if ((rc = rec_writer_open(stdout, &wo, o->cols, o->ncols, &o->w, e)) < 0)
            return rc;
    }
    if (o->w)
        rc = rec_writer_close(o->w, e);
    o->w = NULL;
    return rc;
}

void pc_diag(void *p, const struct qs_err *e, int warning)
{
    struct pc_out *o = p;
    char buf[2200];
    struct qs_err w;
    if (warning && o->ctx->verbosity < 0)
        return;
    w = *e;
    if (warning)
        snprintf(w.msg, sizeof w.msg, "warning: %.1000s", e->msg);
    fprintf(stderr, "%s\n", err_format(&w, o->ctx->prog, buf, sizeof buf));
}

static const char *const sched_cols[] = {"parent_sku", "state", "publish_at", "batch"};
static const char *const run_cols[] = {"parent_sku", "item_code", "state",
                                       "step",       "result",    "message"};

/* ---- options anywhere ---- */

/* Operands collected while options are parsed: qs publish every 5 --from 10:00 SKU... has
 * its options after the first operand. */

/* Like cmd_getopt, but steps over operands (into ops) to the options after them; after
 * "--" everything is an operand. */
int pc_next_opt(struct cmd_getopt *g, int argc, char **argv, struct pc_ops *ops)
{
    for (;;) {
        int c = cmd_getopt(g, argc, argv);
        if (c != -1)
            return c;
        int dashdash = optind > 1 && strcmp(argv[optind - 1], "--") == 0;
        while (optind < argc && (dashdash || argv[optind][0] != '-' || !argv[optind][1]))
            ops->v[ops->n++] = argv[optind++];
        if (optind >= argc)
            return -1;
    }
}

/* ---- selection ---- */

/* Handles a selection option; 1 when c was one. */
int pc_sel_opt(struct qs_ctx *ctx, const struct qs_verb *v, int c, struct pc_sel *sa, int *rc)
{
    *rc = 0;
    switch (c) {
    case OPT_GROUP:
        sa->group = optarg;
        return 1;
    case OPT_STATE:
        sa->state = optarg;
        if (!pub_state_valid(optarg))
            *rc = cmd_usage(ctx, &qs_cmd_publish, v,
                            "--state \"%s\" is not pending, scheduled, publishing, online, failed "
                            "or offline",
                            optarg);
        return 1;
    case OPT_ENCODING:
        if (rec_enc_parse(optarg, &sa->enc) < 0)
            *rc = cmd_usage(ctx, &qs_cmd_publish, v,
                            "--encoding \"%s\" is not auto, utf-8 or cp932", optarg);
        return 1;
    }
    return 0;
}

/* Selects the products of the operands, records on standard input ("-", or no operand
 * while standard input is not a terminal) and --group/--state. need: with nothing named
 * at all, refuse (64) instead of taking every product. */
int pc_select(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv,
              const struct pc_sel *sa, int need, struct pc_out *o, struct pub_sel *sel)
{
    struct pub_select_opts so = {argv, argc, NULL, "-", sa->enc, sa->group, sa->state};
    struct pub_cb cb = {o, NULL, pc_diag};
    struct qs_err e;
    int dash = 0, rc;

    err_clear(&e);
    for (int i = 0; i < argc; i++)
        dash |= strcmp(argv[i], "-") == 0;
    /* A pipe or a file on standard input carries the records (qs publish list | qs publish
     * spread ...); a terminal or /dev/null (cron) does not. */
    struct stat sb;
    if (dash || (argc == 0 && !sa->group && !sa->state && fstat(STDIN_FILENO, &sb) == 0 &&
                 (S_ISFIFO(sb.st_mode) || S_ISREG(sb.st_mode))))
        so.in = stdin;
    if (need && argc == 0 && !so.in && !sa->group && !sa->state)
        return cmd_usage(ctx, &qs_cmd_publish, v,
                         "name the products: SKUs, - (records on standard input), --group or "
                         "--state");
    rc = pub_select(ctx->store, ctx->shop.name, &so, &cb, sel, &e);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    return 0;
}

struct qapi *pc_open_qapi(struct qs_ctx *ctx, struct qs_err *e, int *rc)
{
    struct qapi *q = NULL;
    *rc = qapi_open(ctx->store, ctx->shop.name, ctx->dry_run, stdout, &q, e);
    return q;
}

void pc_run_opts_init(struct qs_ctx *ctx, struct pub_run_opts *ro)
{
    memset(ro, 0, sizeof *ro);
    ro->now = time(NULL);
    ro->due_by = ro->now;
    ro->dry_run = ctx->dry_run;
    ro->quiet = ctx->verbosity < 0;
    ro->inflight_s = -1; /* setting publish.inflight_s */
}

/* SPEC 1.3 for a run: 1 when some failed, 75 when some will be retried, 69 when the
 * marketplace answered nothing. */
int pc_run_exit(const struct pub_run_stats *st)
{
    if (st->calls_ok == 0 && st->calls_failed > 0)
        return QS_EX_UNAVAILABLE;
    if (st->retry)
        return QS_EX_TEMPFAIL;
    return st->failed ? QS_EX_FAIL : 0;
}

void pc_run_summary(struct qs_ctx *ctx, const struct pub_run_stats *st)
{
    if (ctx->verbosity < 0)
        return;
    fprintf(stderr, "%s: %ld online, %ld failed, %ld to retry, %ld listing change%s sent%s\n",
            ctx->prog, st->online, st->failed, st->retry, st->changed, st->changed == 1 ? "" : "s",
            ctx->dry_run ? " (dry run: requests printed, nothing sent)" : "");
}

/* ---- list (R-PUB-8) ---- */

static int publish_list(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[0];
    struct pc_out o = {ctx, cat_qs_columns, cat_qs_ncolumns, NULL, 0, 0, 0};
    struct pc_sel sa = {0};
    struct cmd_getopt g;
    struct qs_err e;
    int c, rc;

    err_clear(&e);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1)
        if (!pc_sel_opt(ctx, v, c, &sa, &rc) || rc)
            return rc ? rc : QS_EX_USAGE;
    if (ops.n)
        return cmd_usage(ctx, &qs_cmd_publish, v, "unexpected argument \"%s\"", ops.v[0]);
    rc =
        cat_export(ctx->store, ctx->shop.name, sa.state, sa.group, cmd_tz(ctx), pc_out_row, &o, &e);
    if (rc == 0)
        rc = pc_out_close(&o, &e);
    else
        pc_out_close(&o, NULL);
    return rc < 0 ? cmd_fail(ctx, rc, &e) : 0;
}

/* ---- now / at / every / spread (R-PUB-1..5) ---- */

static void sched_summary(struct qs_ctx *ctx, const struct pub_sched_stats *st, const char *what)
{
    if (ctx->verbosity < 0)
        return;
    if (ctx->dry_run)
        fprintf(stderr, "%s: dry run, nothing written: would have %s %ld product%s\n", ctx->prog,
                what, st->scheduled, st->scheduled == 1 ? "" : "s");
    else if (st->batch)
        fprintf(stderr, "%s: %s %ld product%s in batch %lld (undo: qs publish undo %lld)\n",
                ctx->prog, what, st->scheduled, st->scheduled == 1 ? "" : "s", st->batch,
                st->batch);
    else
        fprintf(stderr, "%s: nothing to do\n", ctx->prog);
}

static int schedule_verb(struct qs_ctx *ctx, int argc, char **argv, int vi, enum pub_when when)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[vi];
    struct pc_out o = PC_OUT(ctx, sched_cols);
    struct pub_sched_opts so = {0};
    struct pub_sched_stats st;
    struct pub_sel sel = {0};
    struct pc_sel sa = {0};
    struct cmd_getopt g;
    struct qs_err e;
    const char *from = NULL, *to = NULL, *tz = cmd_tz(ctx);
    int c, rc;

    err_clear(&e);
    so.when = when;
    so.now = time(NULL);
    so.tz = tz;
    so.dry_run = ctx->dry_run;
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1) {
        if (pc_sel_opt(ctx, v, c, &sa, &rc)) {
            if (rc)
                return rc;
        } else if (c == OPT_FROM) {
            from = optarg;
        } else if (c == OPT_TO) {
            to = optarg;
        } else {
            return QS_EX_USAGE;
        }
    }
    argc = ops.n, argv = ops.v;
    if (when == PUB_AT || when == PUB_EVERY) {
        if (argc < 1)
            return cmd_usage(ctx, &qs_cmd_publish, v, "%s is needed",
                             when == PUB_AT ? "a TIME" : "MINUTES");
        if (when == PUB_AT && (rc = sched_parse(argv[0], tz, so.now, "TIME", &so.at, &e)) < 0)
            return cmd_usage(ctx, &qs_cmd_publish, v, "%s (%s)", e.msg,
                             e.rule[0] ? e.rule : "R-PUB-5");
        if (when == PUB_EVERY && sched_minutes(argv[0], &so.minutes) < 0)
            return cmd_usage(ctx, &qs_cmd_publish, v,
                             "MINUTES \"%s\" is not a whole number of minutes from 1 to 10080 "
                             "(R-PUB-3)",
                             argv[0]);
        argc--, argv++;
    }
    if (when == PUB_EVERY || when == PUB_SPREAD) {
        if (!from || (when == PUB_SPREAD && !to))
            return cmd_usage(ctx, &qs_cmd_publish, v, "%s needed",
                             when == PUB_SPREAD ? "--from TIME and --to TIME are"
                                                : "--from TIME is");
        if ((rc = sched_parse(from, tz, so.now, "--from", &so.at, &e)) < 0)
            return cmd_usage(ctx, &qs_cmd_publish, v, "%s (%s)", e.msg,
                             e.rule[0] ? e.rule : "R-PUB-5");
        if (when == PUB_SPREAD) {
            if ((rc = sched_parse(to, tz, so.now, "--to", &so.to, &e)) < 0)
                return cmd_usage(ctx, &qs_cmd_publish, v, "%s (%s)", e.msg,
                                 e.rule[0] ? e.rule : "R-PUB-5");
            if (so.to <= so.at)
                return cmd_usage(ctx, &qs_cmd_publish, v,
                                 "--to %s is not after --from %s (R-PUB-4)", to, from);
        }
    }
    if ((rc = pc_select(ctx, v, argc, argv, &sa, 1, &o, &sel)) != 0)
        return rc;
    if (when == PUB_NOW) {
        /* R-PUB-1: scheduled now, then published by the same run. */
        struct pc_out ro_out = PC_OUT(ctx, run_cols);
        struct pub_cb rcb = {&ro_out, pc_out_row, pc_diag};
        struct pub_cb scb = {&o, NULL, pc_diag};
        struct pub_run_opts ro;
        struct pub_run_stats rst = {0};
        struct qapi *q = NULL;
        pc_run_opts_init(ctx, &ro);
        so.dry_run = 0;
        ro_out.quiet_rows = ctx->dry_run;
        if (ctx->dry_run && (rc = store_begin(ctx->store, &e)) < 0)
            goto now_out;
        if ((rc = pub_schedule(ctx->store, ctx->shop.name, &sel, &so, &scb, &st, &e)) < 0)
            goto now_out;
        if (!(q = pc_open_qapi(ctx, &e, &rc)))
            goto now_out;
        rc = pub_run(ctx->store, q, ctx->shop.name, &ro, &rcb, &rst, &e);
        if (rc == 0)
            rc = pc_out_close(&ro_out, &e);
    now_out:
        pc_out_close(&ro_out, NULL);
        qapi_close(q);
        if (ctx->dry_run)
            store_rollback(ctx->store);
        pub_sel_free(&sel);
        if (rc < 0)
            return cmd_fail(ctx, rc, &e);
        pc_run_summary(ctx, &rst);
        return pc_run_exit(&rst);
    }
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
    rc = pub_schedule(ctx->store, ctx->shop.name, &sel, &so, &cb, &st, &e);
    pub_sel_free(&sel);
    if (rc == 0)
        rc = pc_out_close(&o, &e);
    else
        pc_out_close(&o, NULL);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    sched_summary(ctx, &st, "scheduled");
    return 0;
}

static int publish_now(struct qs_ctx *ctx, int argc, char **argv)
{
    return schedule_verb(ctx, argc, argv, 1, PUB_NOW);
}
static int publish_at(struct qs_ctx *ctx, int argc, char **argv)
{
    return schedule_verb(ctx, argc, argv, 2, PUB_AT);
}
static int publish_every(struct qs_ctx *ctx, int argc, char **argv)
{
    return schedule_verb(ctx, argc, argv, 3, PUB_EVERY);
}
static int publish_spread(struct qs_ctx *ctx, int argc, char **argv)
{
    return schedule_verb(ctx, argc, argv, 4, PUB_SPREAD);
}

/* ---- cancel (R-PUB-6) ---- */

static int publish_cancel(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[5];
    struct pc_out o = PC_OUT(ctx, sched_cols);
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
    struct pub_sched_stats st;
    struct pub_sel sel = {0};
    struct pc_sel sa = {0};
    struct cmd_getopt g;
    struct qs_err e;
    int c, rc;

    err_clear(&e);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1)
        if (!pc_sel_opt(ctx, v, c, &sa, &rc) || rc)
            return rc ? rc : QS_EX_USAGE;
    if ((rc = pc_select(ctx, v, ops.n, ops.v, &sa, 1, &o, &sel)) != 0)
        return rc;
    rc = pub_cancel(ctx->store, ctx->shop.name, &sel, cmd_tz(ctx), ctx->dry_run, &cb, &st, &e);
    pub_sel_free(&sel);
    if (rc == 0)
        rc = pc_out_close(&o, &e);
    else
        pc_out_close(&o, NULL);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    sched_summary(ctx, &st, "cancelled");
    return 0;
}

/* ---- run (R-PUB-7) ---- */

static int publish_run(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[6];
    struct pc_out o = PC_OUT(ctx, run_cols);
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
    struct pub_run_opts ro;
    struct pub_run_stats st = {0};
    struct cmd_getopt g;
    struct qapi *q = NULL;
    struct qs_err e;
    int c, rc;

    err_clear(&e);
    pc_run_opts_init(ctx, &ro);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1) {
        if (c == OPT_DUE_BY) {
            /* A time ahead brings the schedule forward (catch-up, demos); a past one is
             * fine here: it only narrows what is due. */
            if (tm_parse(optarg, cmd_tz(ctx), ro.now, &ro.due_by, &e) < 0)
                return cmd_usage(ctx, &qs_cmd_publish, v, "--due-by: %s", e.msg);
        } else if (c == OPT_RETRY_FAILED) {
            ro.retry_failed = 1;
        } else {
            return QS_EX_USAGE;
        }
    }
    if (ops.n)
        return cmd_usage(ctx, &qs_cmd_publish, v, "unexpected argument \"%s\"", ops.v[0]);
    o.quiet_rows = ctx->dry_run;
    if ((q = pc_open_qapi(ctx, &e, &rc)))
        rc = pub_run(ctx->store, q, ctx->shop.name, &ro, &cb, &st, &e);
    qapi_close(q);
    if (rc == 0)
        rc = pc_out_close(&o, &e);
    else
        pc_out_close(&o, NULL);
    if (rc < 0) {
        int code = cmd_fail(ctx, rc, &e);
        return code == QS_EX_UNAVAILABLE && st.calls_ok > 0 ? QS_EX_TEMPFAIL : code;
    }
    pc_run_summary(ctx, &st);
    return pc_run_exit(&st);
}

#define SEL "[--group G] [--state S] [SKU...|-]"

static const struct qs_verb publish_verbs[] = {
    {"list", publish_list, "list [--state S] [--group G]",
     "list products in the qs template (R-PUB-8)", QS_NEEDS_SHOP, list_opts},
    {"now", publish_now, "now " SEL, "publish the selected products now",
     QS_NEEDS_SHOP | QS_READS_STDIN, sel_opts},
    {"at", publish_at, "at TIME " SEL, "schedule the selected products at one time",
     QS_NEEDS_SHOP | QS_READS_STDIN, sel_opts},
    {"every", publish_every, "every MINUTES --from TIME " SEL,
     "schedule one product every MINUTES minutes", QS_NEEDS_SHOP | QS_READS_STDIN, every_opts},
    {"spread", publish_spread, "spread --from TIME --to TIME " SEL,
     "spread the selected products evenly over a window", QS_NEEDS_SHOP | QS_READS_STDIN,
     spread_opts},
    {"cancel", publish_cancel, "cancel " SEL, "return scheduled products to pending",
     QS_NEEDS_SHOP | QS_READS_STDIN, sel_opts},
    {"run", publish_run, "run [--due-by TIME] [--retry-failed]",
     "publish everything due (for cron)", QS_NEEDS_SHOP, run_opts},
    {"edit", publish_edit, "edit [--price P|+P%|-P%] [--quantity N] [--shipping S] " SEL,
     "batch-edit prices, quantities, shipping", QS_NEEDS_SHOP | QS_READS_STDIN, edit_opts},
    {"copy", publish_copy, "copy --suffix S " SEL, "duplicate products as new pending ones",
     QS_NEEDS_SHOP | QS_READS_STDIN, copy_opts},
    {"category", publish_category, "category GROUP|SKU CODE", "set the Qoo10 leaf category",
     QS_NEEDS_SHOP, NULL},
    {"profile", publish_profile,
     "profile [NAME] [FIELD=VALUE...] [--group G] [--sku SKU] [--brand NAME=NO] [--brands]",
     "show or set a listing profile", QS_NEEDS_SHOP, profile_opts},
    {"undo", publish_undo, "undo BATCH", "restore what a batch changed", QS_NEEDS_SHOP, NULL},
    {"withdraw", publish_withdraw, "withdraw " SEL, "take online listings offline",
     QS_NEEDS_SHOP | QS_READS_STDIN, sel_opts},
    {"check", publish_check, "check " SEL,
     "check products against marketplace rules and sensitive words", QS_NEEDS_SHOP | QS_READS_STDIN,
     sel_opts},
    {NULL, NULL, NULL, NULL, 0, NULL},
};

const struct qs_cmd qs_cmd_publish = {
    "publish",
    "schedule, publish and edit listings",
    publish_verbs,
};

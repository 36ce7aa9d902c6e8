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

static const struct cmd_gopt list_opts[] = {
    {"state", required_argument, OPT_STATE, "S", "only products in state S"},
    {"group", required_argument, OPT_GROUP, "G", "only products of group G"},
    {NULL, 0, 0, NULL, NULL},
};
static const struct cmd_gopt sel_opts[] = {SEL_OPTS, {NULL, 0, 0, NULL, NULL}};
static const struct cmd_gopt every_opts[] = {
    {"from", required_argument, OPT_FROM, "TIME", "the first product's time (R-PUB-3)"},
    SEL_OPTS,
    {NULL, 0, 0, NULL, NULL},
};
static const struct cmd_gopt spread_opts[] = {
    {"from", required_argument, OPT_FROM, "TIME", "the window's start (R-PUB-4)"},
    {"to", required_argument, OPT_TO, "TIME", "the window's end"},
    SEL_OPTS,
    {NULL, 0, 0, NULL, NULL},
};
static const struct cmd_gopt run_opts[] = {
    {"due-by", required_argument, OPT_DUE_BY, "TIME",
     "publish what is scheduled at or before TIME (default now)"},
    {"retry-failed", no_argument, OPT_RETRY_FAILED, NULL,
     "also retry failed products now, from the step that failed"},
    {NULL, 0, 0, NULL, NULL},
};
static const struct cmd_gopt edit_opts[] = {
    {"price", required_argument, OPT_PRICE, "P|+P%|-P%",
     "set the price, or change it by P percent"},
    {"quantity", required_argument, OPT_QUANTITY, "N", "set the quantity"},
    {"shipping", required_argument, OPT_SHIPPING, "S", "set the shipping fee (yen)"},
    SEL_OPTS,
    {NULL, 0, 0, NULL, NULL},
};
static const struct cmd_gopt copy_opts[] = {
    {"suffix", required_argument, OPT_SUFFIX, "S", "appended to the Parent SKU and every SKU"},
    SEL_OPTS,
    {NULL, 0, 0, NULL, NULL},
};
static const struct cmd_gopt profile_opts[] = {
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
        struct rec_writer_opts wo = cmd_writer_opts(o->ctx);
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
        struct rec_writer_opts wo = cmd_writer_opts(o->ctx);
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
    (void)v;
    *rc = 0;
    switch (c) {
    case OPT_GROUP:
        sa->group = optarg;
        return 1;
    case OPT_STATE:
        sa->state = optarg;
        if (!pub_state_valid(optarg))
            *rc = cmd_usage(ctx,
                            "--state \"%s\" is not pending, scheduled, publishing, online, failed "
                            "or offline",
                            optarg);
        return 1;
    case OPT_ENCODING:
        if (rec_enc_parse(optarg, &sa->enc) < 0)
            *rc = cmd_usage(ctx, "--encoding \"%s\" is not auto, utf-8 or cp932", optarg);
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
    (void)v;
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
        return cmd_usage(ctx, "name the products: SKUs, - (records on standard input), --group or "
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
    ro->tz = cmd_tz(ctx);
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
    char next[64] = "";
    if (ctx->verbosity < 0)
        return;
    /* Issue 8 item 18: what waits for its backoff, and when it is tried next (in the
     * shop's zone, SPEC 1.5). */
    if (st->waiting && tm_format(st->next_try, cmd_tz(ctx), 0, next, sizeof next) < 0)
        next[0] = '\0';
    fprintf(stderr,
            "%s: %ld online, %ld failed, %ld to retry, %ld waiting%s%s, %ld listing change%s "
            "sent%s\n",
            ctx->prog, st->online, st->failed, st->retry, st->waiting, *next ? ", next try " : "",
            next, st->changed, st->changed == 1 ? "" : "s",
            ctx->dry_run ? " (dry run: requests printed, nothing sent)" : "");
}

int pc_finish(struct qs_ctx *ctx, struct pc_out *o, int rc, struct qs_err *e, long long batch,
              const struct pub_run_stats *st)
{
    if (rc == 0)
        rc = pc_out_close(o, e);
    else
        pc_out_close(o, NULL);
    if (rc < 0)
        return cmd_fail(ctx, rc, e);
    if (ctx->verbosity >= 0 && batch)
        fprintf(stderr, "%s: batch %lld (undo: qs publish undo %lld)\n", ctx->prog, batch, batch);
    pc_run_summary(ctx, st);
    return pc_run_exit(st);
}

/* Ends a verb that only lists: closes o (flushing it when rc is 0), reports an error;
 * returns the exit code. */
static int pc_list_end(struct qs_ctx *ctx, struct pc_out *o, int rc, struct qs_err *e)
{
    if (rc == 0)
        rc = pc_out_close(o, e);
    else
        pc_out_close(o, NULL);
    return rc < 0 ? cmd_fail(ctx, rc, e) : 0;
}

/* ---- list (R-PUB-8) ---- */

static int publish_list(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[0];
    static const char *const cols[] = {CAT_QS_COLUMNS, PUB_COL_NEXT_TRY};
    struct pc_out o = PC_OUT(ctx, cols);
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
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
        return cmd_usage(ctx, "unexpected argument \"%s\"", ops.v[0]);
    rc = pub_list(ctx->store, ctx->shop.name, sa.state, sa.group, cmd_tz(ctx), &cb, &e);
    return pc_list_end(ctx, &o, rc, &e);
}

/* ---- now / at / every / spread (R-PUB-1..5) ---- */

/* Issue 8 item 20: a time of day that has passed today is tomorrow's (SPEC 1.5): says so,
 * with the times it gives (to: the end of a window, 0 for none), in the shop's zone. */
static void pc_tomorrow(struct qs_ctx *ctx, const char *given, time_t at, time_t to,
                        const char *what)
{
    char a[64], b[64];
    const char *tz = cmd_tz(ctx);
    if (ctx->verbosity < 0 || tm_format(at, tz, 0, a, sizeof a) < 0 ||
        (to && tm_format(to, tz, 0, b, sizeof b) < 0))
        return;
    /* The end's date only when it is not the start's. */
    fprintf(stderr, "%s: %s has passed today; %s tomorrow, %s%s%s (%s)\n", ctx->prog, given, what,
            a, to ? " to " : "",
            !to                      ? ""
            : strncmp(a, b, 11) == 0 ? b + 11
                                     : b,
            tz);
}

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
    int c, rc, tomorrow = 0;

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
            return cmd_usage(ctx, "%s is needed", when == PUB_AT ? "a TIME" : "MINUTES");
        if (when == PUB_AT &&
            (rc = sched_parse(argv[0], tz, so.now, "TIME", &so.at, &tomorrow, &e)) < 0)
            return cmd_usage(ctx, "%s (%s)", e.msg, e.rule[0] ? e.rule : "R-PUB-5");
        if (when == PUB_AT && tomorrow)
            pc_tomorrow(ctx, argv[0], so.at, 0, "the products go");
        if (when == PUB_EVERY && sched_minutes(argv[0], &so.minutes) < 0)
            return cmd_usage(ctx,
                             "MINUTES \"%s\" is not a whole number of minutes from 1 to 10080 "
                             "(R-PUB-3)",
                             argv[0]);
        argc--, argv++;
    }
    if (when == PUB_EVERY || when == PUB_SPREAD) {
        if (!from || (when == PUB_SPREAD && !to))
            return cmd_usage(ctx, "%s needed",
                             when == PUB_SPREAD ? "--from TIME and --to TIME are"
                                                : "--from TIME is");
        /* Issue 8 item 20: --from and --to are one window. */
        rc = when == PUB_SPREAD ? sched_window(from, to, tz, so.now, &so.at, &so.to, &tomorrow, &e)
                                : sched_parse(from, tz, so.now, "--from", &so.at, &tomorrow, &e);
        if (rc < 0)
            return cmd_usage(ctx, "%s (%s)", e.msg, e.rule[0] ? e.rule : "R-PUB-5");
        if (tomorrow)
            pc_tomorrow(ctx, from, so.at, when == PUB_SPREAD ? so.to : 0,
                        when == PUB_SPREAD ? "the window is" : "the first goes");
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
            int clock;
            if (tm_parse_after(optarg, cmd_tz(ctx), ro.now, ro.now - ro.now % 60, &ro.due_by,
                               &clock, &e) < 0)
                return cmd_usage(ctx, "--due-by: %s", e.msg);
            if (clock == TM_CLOCK_NEXT_DAY)
                pc_tomorrow(ctx, optarg, ro.due_by, 0, "due by");
        } else if (c == OPT_RETRY_FAILED) {
            ro.retry_failed = 1;
        } else {
            return QS_EX_USAGE;
        }
    }
    if (ops.n)
        return cmd_usage(ctx, "unexpected argument \"%s\"", ops.v[0]);
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

static const struct cmd_gopt shipping_opts[] = {
    {"cached", no_argument, OPT_CACHED, NULL,
     "the templates kept by the last read, without asking the marketplace"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct qs_verb publish_verbs[] = {
    {.name = "list",
     .legacy_fn = publish_list,
     .usage = "list [--state S] [--group G]",
     .summary = "list products in the qs template (R-PUB-8)",
     .flags = QS_NEEDS_SHOP,
     .gopts = list_opts},
    {.name = "now",
     .legacy_fn = publish_now,
     .usage = "now " SEL,
     .summary = "publish the selected products now",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = sel_opts},
    {.name = "at",
     .legacy_fn = publish_at,
     .usage = "at TIME " SEL,
     .summary = "schedule the selected products at one time",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = sel_opts},
    {.name = "every",
     .legacy_fn = publish_every,
     .usage = "every MINUTES --from TIME " SEL,
     .summary = "schedule one product every MINUTES minutes",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = every_opts},
    {.name = "spread",
     .legacy_fn = publish_spread,
     .usage = "spread --from TIME --to TIME " SEL,
     .summary = "spread the selected products evenly over a window",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = spread_opts},
    {.name = "cancel",
     .legacy_fn = publish_cancel,
     .usage = "cancel " SEL,
     .summary = "return scheduled products to pending",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = sel_opts},
    {.name = "run",
     .legacy_fn = publish_run,
     .usage = "run [--due-by TIME] [--retry-failed]",
     .summary = "publish everything due (for cron)",
     .flags = QS_NEEDS_SHOP | QS_WRITES_STORE,
     .gopts = run_opts},
    {.name = "edit",
     .legacy_fn = publish_edit,
     .usage = "edit [--price P|+P%|-P%] [--quantity N] [--shipping S] " SEL,
     .summary = "batch-edit prices, quantities, shipping",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = edit_opts},
    {.name = "copy",
     .legacy_fn = publish_copy,
     .usage = "copy --suffix S " SEL,
     .summary = "duplicate products as new pending ones",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = copy_opts},
    {.name = "category",
     .legacy_fn = publish_category,
     .usage = "category GROUP|SKU CODE",
     .summary = "set the Qoo10 leaf category",
     .flags = QS_NEEDS_SHOP | QS_WRITES_STORE},
    {.name = "profile",
     .legacy_fn = publish_profile,
     .usage =
         "profile [NAME] [FIELD=VALUE...] [--group G] [--sku SKU] [--brand NAME=NO] [--brands]",
     .summary = "show or set a listing profile",
     .flags = QS_NEEDS_SHOP | QS_WRITES_STORE,
     .gopts = profile_opts},
    {.name = "undo",
     .legacy_fn = publish_undo,
     .usage = "undo BATCH",
     .summary = "restore what a batch changed",
     .flags = QS_NEEDS_SHOP | QS_WRITES_STORE},
    {.name = "withdraw",
     .legacy_fn = publish_withdraw,
     .usage = "withdraw " SEL,
     .summary = "take online listings offline",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = sel_opts},
    {.name = "check",
     .legacy_fn = publish_check,
     .usage = "check " SEL,
     .summary = "check products against marketplace rules and sensitive words",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = sel_opts},
    {.name = "shipping",
     .legacy_fn = publish_shipping,
     .usage = "shipping [--cached]",
     .summary = "list the shop's delivery templates (ShippingNo)",
     .flags = QS_NEEDS_SHOP | QS_WRITES_STORE,
     .gopts = shipping_opts},
    {.name = "batches",
     .legacy_fn = publish_batches,
     .usage = "batches",
     .summary = "list the batches undo can restore",
     .flags = QS_NEEDS_SHOP},
    {.name = NULL},
};

const struct qs_cmd qs_cmd_publish = {
    "publish",
    "schedule, publish and edit listings",
    publish_verbs,
};

/* ---- qs publish edit | copy | category | profile | undo | withdraw | check --
 * changes to listings and their checks (SPEC 2.3); the rules live in libcore
 * (publish_edit.c, publish_undo.c, publish_check.c, profile.c). */

static const char *const state_cols[] = {"parent_sku", "state", "result", "message"};
static const char *const edit_cols[] = {"sku",      "parent_sku", "state",  "price",  "quantity",
                                        "shipping", "batch",      "result", "message"};
static const char *const copy_cols[] = {"sku", "parent_sku", "state"};
static const char *const check_cols[] = {"parent_sku", "sku", "rule", "field", "message"};

/* ---- edit (R-PUB-9) ---- */

int publish_edit(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[7];
    struct pc_out o = PC_OUT(ctx, edit_cols);
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
    struct pub_edit_opts eo = {0};
    struct pub_run_opts ro;
    struct pub_run_stats st = {0};
    struct pub_sel sel = {0};
    struct pc_sel sa = {0};
    struct cmd_getopt g;
    struct qapi *q = NULL;
    struct qs_err e;
    long long batch = 0;
    char *end;
    int c, rc;

    err_clear(&e);
    pc_run_opts_init(ctx, &ro);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1) {
        if (pc_sel_opt(ctx, v, c, &sa, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (c) {
        case OPT_PRICE:
            if (pub_price_edit_parse(optarg, &eo.price) < 0)
                return cmd_usage(ctx,
                                 "--price \"%s\" is not a price of 1-999999999 yen or a change "
                                 "like +10%% or -7.5%% (R-PUB-9)",
                                 optarg);
            eo.has_price = 1;
            break;
        case OPT_QUANTITY:
            errno = 0;
            eo.qty = strtoll(optarg, &end, 10);
            if (!*optarg || *end || errno || eo.qty < 0 || eo.qty > 2147483647LL ||
                *optarg == '+' || *optarg == '-')
                return cmd_usage(ctx, "--quantity \"%s\" is not a quantity 0-2147483647", optarg);
            eo.has_qty = 1;
            break;
        case OPT_SHIPPING:
            errno = 0;
            eo.shipping = strtoll(optarg, &end, 10);
            if (!*optarg || *end || errno || eo.shipping < 0 || eo.shipping > 999999999LL ||
                *optarg == '+' || *optarg == '-')
                return cmd_usage(ctx, "--shipping \"%s\" is not a whole-yen fee", optarg);
            eo.has_shipping = 1;
            break;
        default:
            return QS_EX_USAGE;
        }
    }
    if (!eo.has_price && !eo.has_qty && !eo.has_shipping)
        return cmd_usage(ctx, "--price, --quantity or --shipping is needed");
    eo.dry_run = ctx->dry_run;
    if ((rc = pc_select(ctx, v, ops.n, ops.v, &sa, 1, &o, &sel)) != 0)
        return rc;
    o.quiet_rows = ctx->dry_run;
    if ((q = pc_open_qapi(ctx, &e, &rc)))
        rc = pub_edit(ctx->store, q, ctx->shop.name, &sel, &eo, &ro, &cb, &st, &batch, &e);
    qapi_close(q);
    pub_sel_free(&sel);
    return pc_finish(ctx, &o, rc, &e, batch, &st);
}

/* ---- copy (R-PUB-10) ---- */

int publish_copy(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[8];
    struct pc_out o = PC_OUT(ctx, copy_cols);
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
    struct pub_sel sel = {0};
    struct pc_sel sa = {0};
    struct cmd_getopt g;
    struct qs_err e;
    const char *suffix = NULL;
    long long batch = 0;
    int c, rc;

    err_clear(&e);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1) {
        if (pc_sel_opt(ctx, v, c, &sa, &rc)) {
            if (rc)
                return rc;
        } else if (c == OPT_SUFFIX) {
            suffix = optarg;
        } else {
            return QS_EX_USAGE;
        }
    }
    if (!suffix || !*suffix)
        return cmd_usage(ctx, "--suffix S is needed (R-PUB-10)");
    if ((rc = pc_select(ctx, v, ops.n, ops.v, &sa, 1, &o, &sel)) != 0)
        return rc;
    rc = pub_copy(ctx->store, ctx->shop.name, &sel, suffix, ctx->dry_run, &cb, &batch, &e);
    pub_sel_free(&sel);
    if (rc == 0)
        rc = pc_out_close(&o, &e);
    else
        pc_out_close(&o, NULL);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s%ld SKU%s copied as new pending products%s\n", ctx->prog,
                ctx->dry_run ? "dry run, nothing written: " : "", o.rows, o.rows == 1 ? "" : "s",
                batch ? "" : "");
    return 0;
}

/* ---- category (R-PUB-12) ---- */

int publish_category(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[9];
    struct cmd_getopt g;
    struct qs_err e;
    const char *what = "";
    int c, rc;

    err_clear(&e);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1)
        return QS_EX_USAGE;
    if (ops.n != 2)
        return cmd_usage(ctx, "a group, SKU or Parent SKU and a category");
    if (ctx->dry_run && (rc = store_begin(ctx->store, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    rc = pub_category(ctx->store, ctx->shop.name, ops.v[0], ops.v[1], &what, &e);
    if (ctx->dry_run)
        store_rollback(ctx->store);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s%s %s has category %s\n", ctx->prog,
                ctx->dry_run ? "dry run, nothing written: " : "", what, ops.v[0], ops.v[1]);
    return 0;
}

/* ---- profile (R-PUB-15) ---- */

struct prof_out {
    struct pc_out o;
    struct rec *r;
    struct qs_err *e;
};

static int prof_row(void *p, const char *name, const char *field, const char *value)
{
    struct prof_out *po = p;
    rec_clear(po->r);
    rec_set(po->r, "profile", name);
    rec_set(po->r, "field", field);
    rec_set(po->r, "value", value);
    return pc_out_row(&po->o, po->r, po->e);
}

static int brand_row(void *p, const char *brand, const char *no)
{
    struct prof_out *po = p;
    rec_clear(po->r);
    rec_set(po->r, "brand", brand);
    rec_set(po->r, "brand_no", no);
    return pc_out_row(&po->o, po->r, po->e);
}

int publish_profile(struct qs_ctx *ctx, int argc, char **argv)
{
    static const char *const cols[] = {"profile", "field", "value"}, *const bcols[] = {"brand",
                                                                                       "brand_no"};
    const struct qs_verb *v = &qs_cmd_publish.verbs[10];
    struct prof_out po = {PC_OUT(ctx, cols), rec_new(), NULL};
    struct cmd_getopt g;
    struct qs_err e;
    const char *group = NULL, *name = NULL;
    char **skus = NULL, **brands = NULL;
    int nskus = 0, nbrands = 0, list_brands = 0, c, rc = 0, changed = 0;

    err_clear(&e);
    po.e = &e;
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1) {
        switch (c) {
        case OPT_GROUP:
            group = optarg;
            break;
        case OPT_SKU:
            skus = realloc(skus, (size_t)(nskus + 1) * sizeof *skus);
            skus[nskus++] = optarg;
            break;
        case OPT_BRAND:
            brands = realloc(brands, (size_t)(nbrands + 1) * sizeof *brands);
            brands[nbrands++] = optarg;
            break;
        case OPT_BRANDS:
            list_brands = 1;
            break;
        default:
            rc = QS_EX_USAGE;
            goto out;
        }
    }
    argc = ops.n, argv = ops.v;
    if (argc > 0 && !strchr(argv[0], '='))
        name = argv[0], argc--, argv++;
    if ((group || nskus) && !name) {
        rc = cmd_usage(ctx, "--group and --sku need a profile NAME");
        goto out;
    }
    if (name && !prof_name_valid(name)) {
        rc = cmd_usage(ctx, "profile name \"%s\" is not 1-63 of letters, digits, '.', '_' or '-'",
                       name);
        goto out;
    }
    if (argc > 0 && !name)
        name = PROF_DEFAULT;
    if ((rc = store_begin(ctx->store, &e)) < 0)
        goto fail;
    /* Everything or nothing: the transaction is rolled back at the first bad value. */
    for (int i = 0; i < argc && rc == 0; i++) {
        char *eq = strchr(argv[i], '=');
        char field[64];
        if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof field) {
            store_rollback(ctx->store);
            rc = cmd_usage(ctx, "\"%s\" is not FIELD=VALUE", argv[i]);
            goto out;
        }
        snprintf(field, sizeof field, "%.*s", (int)(eq - argv[i]), argv[i]);
        int f = prof_field_parse(field);
        if (f < 0) {
            store_rollback(ctx->store);
            rc = cmd_usage(ctx,
                           "\"%s\" is not a profile field (ShippingNo, AvailableDateType, "
                           "AvailableDateValue, TaxRate, ProductionPlaceType, ProductionPlace, "
                           "AdultYN, ContactInfo, ExpireDate, SecondSubCat, ItemQty, ColorName, "
                           "SizeName) (R-PUB-15)",
                           field);
            goto out;
        }
        rc = prof_set(ctx->store, ctx->shop.name, name, f, eq + 1, &e);
        changed = 1;
    }
    for (int i = 0; i < nbrands && rc == 0; i++) {
        char *eq = strchr(brands[i], '=');
        if (!eq) {
            store_rollback(ctx->store);
            rc = cmd_usage(ctx, "--brand \"%s\" is not NAME=BRANDNO", brands[i]);
            goto out;
        }
        *eq = '\0';
        rc = prof_brand_set(ctx->store, ctx->shop.name, brands[i], eq + 1, &e);
        *eq = '=';
    }
    if (rc == 0 && group)
        rc = prof_assign_group(ctx->store, ctx->shop.name, group, name, &e), changed = 1;
    if (rc == 0 && nskus) {
        struct pub_select_opts so = {skus, nskus, NULL, "-", REC_ENC_AUTO, NULL, NULL};
        struct pub_cb cb = {&po.o, NULL, pc_diag};
        struct pub_sel sel = {0};
        if ((rc = pub_select(ctx->store, ctx->shop.name, &so, &cb, &sel, &e)) == 0)
            rc = pub_profile_assign(ctx->store, ctx->shop.name, &sel, name, &e);
        pub_sel_free(&sel);
        changed = 1;
    }
    if (rc < 0) {
        store_rollback(ctx->store);
        goto fail;
    }
    if (ctx->dry_run)
        store_rollback(ctx->store);
    else if ((rc = store_commit(ctx->store, &e)) < 0)
        goto fail;
    if (list_brands || (nbrands && !name)) {
        po.o.cols = bcols;
        po.o.ncols = 2;
        rc = prof_brand_each(ctx->store, ctx->shop.name, brand_row, &po, &e);
    } else {
        rc = prof_each(ctx->store, ctx->shop.name, name, prof_row, &po, &e);
    }
    if (rc == 0)
        rc = pc_out_close(&po.o, &e);
    if (rc < 0)
        goto fail;
    if (changed && ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s%s%s%s%s%s%s\n", ctx->prog,
                ctx->dry_run ? "dry run, nothing written: " : "", name ? "profile " : "",
                name ? name : "", argc ? " set" : "", group ? ", used by group " : "",
                group ? group : "", nskus ? ", used by the products named" : "");
    if (nbrands && ctx->verbosity >= 0)
        fprintf(stderr, "%s: %d brand%s set\n", ctx->prog, nbrands, nbrands == 1 ? "" : "s");
    goto out;
fail:
    pc_out_close(&po.o, NULL);
    rc = cmd_fail(ctx, rc, &e);
out:
    free(skus);
    free(brands);
    rec_free(po.r);
    return rc;
}

/* ---- undo (R-PUB-13) ---- */

int publish_undo(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[11];
    struct pc_out o = PC_OUT(ctx, state_cols);
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
    struct pub_run_opts ro;
    struct pub_run_stats st = {0};
    struct cmd_getopt g;
    struct qapi *q = NULL;
    struct qs_err e;
    long long batch;
    char *end;
    int c, rc;

    err_clear(&e);
    pc_run_opts_init(ctx, &ro);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1)
        return QS_EX_USAGE;
    if (ops.n != 1)
        return cmd_usage(ctx, "one BATCH number is needed");
    errno = 0;
    batch = strtoll(ops.v[0], &end, 10);
    if (*end || errno || batch < 1)
        return cmd_usage(ctx, "BATCH \"%s\" is not a batch number", ops.v[0]);
    o.quiet_rows = ctx->dry_run;
    if ((q = pc_open_qapi(ctx, &e, &rc)))
        rc = pub_undo(ctx->store, q, ctx->shop.name, batch, &ro, &cb, &st, &e);
    qapi_close(q);
    return pc_finish(ctx, &o, rc, &e, 0, &st);
}

/* ---- withdraw ---- */

int publish_withdraw(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[12];
    struct pc_out o = PC_OUT(ctx, state_cols);
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
    struct pub_run_opts ro;
    struct pub_run_stats st = {0};
    struct pub_sel sel = {0};
    struct pc_sel sa = {0};
    struct cmd_getopt g;
    struct qapi *q = NULL;
    struct qs_err e;
    long long batch = 0;
    int c, rc;

    err_clear(&e);
    pc_run_opts_init(ctx, &ro);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1)
        if (!pc_sel_opt(ctx, v, c, &sa, &rc) || rc)
            return rc ? rc : QS_EX_USAGE;
    if ((rc = pc_select(ctx, v, ops.n, ops.v, &sa, 1, &o, &sel)) != 0)
        return rc;
    o.quiet_rows = ctx->dry_run;
    if ((q = pc_open_qapi(ctx, &e, &rc)))
        rc = pub_withdraw(ctx->store, q, ctx->shop.name, &sel, &ro, &cb, &st, &batch, &e);
    qapi_close(q);
    pub_sel_free(&sel);
    return pc_finish(ctx, &o, rc, &e, batch, &st);
}

/* ---- check (R-IMP-9, R-IMP-10, R-PUB-11, 12, 14, 15) ---- */

/* Issue 8 item 22: the delivery templates check resolves shipping fees against, as run
 * does, the first time a product needs them: those the last read kept (offline), else
 * read from the marketplace once and kept; when that fails too, fees are not checked,
 * with a warning. */
struct pc_ship {
    struct qs_ctx *ctx;
    struct pub_ship_list l;
};

static const struct pub_ship_list *pc_ship_get(void *p)
{
    struct pc_ship *sh = p;
    struct qs_ctx *ctx = sh->ctx;
    struct qapi *q = NULL;
    struct qs_err e;
    char when[64];
    int rc;

    err_clear(&e);
    if ((rc = pub_ship_cached(ctx->store, ctx->shop.name, &sh->l, &e)) == 0 && !sh->l.have &&
        (q = pc_open_qapi(ctx, &e, &rc)))
        rc = pub_ship_fetch(ctx->store, q, ctx->shop.name, !ctx->dry_run, &sh->l, &e);
    qapi_close(q);
    if (rc < 0 || !sh->l.have) {
        if (ctx->verbosity >= 0)
            fprintf(stderr,
                    "%s: warning: shipping fees not checked: the shop's delivery templates "
                    "cannot be read (%s); qs publish shipping reads them\n",
                    ctx->prog, e.msg);
        return NULL;
    }
    if (ctx->verbosity >= 0 && tm_format(sh->l.at, cmd_tz(ctx), 0, when, sizeof when) == 0)
        fprintf(stderr,
                "%s: shipping fees checked against the %zu delivery templates read %s (%s); qs "
                "publish shipping reads them again\n",
                ctx->prog, json_array_size(sh->l.rows), when, cmd_tz(ctx));
    return &sh->l;
}

int publish_check(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[13];
    struct pc_out o = PC_OUT(ctx, check_cols);
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
    struct pub_sel sel = {0};
    struct pc_sel sa = {0};
    struct pc_ship ship = {ctx, {0}};
    struct cmd_getopt g;
    struct qs_err e;
    long problems = 0;
    int c, rc;

    err_clear(&e);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1)
        if (!pc_sel_opt(ctx, v, c, &sa, &rc) || rc)
            return rc ? rc : QS_EX_USAGE;
    if ((rc = pc_select(ctx, v, ops.n, ops.v, &sa, 0, &o, &sel)) != 0)
        return rc;
    rc = pub_check(ctx->store, ctx->shop.name, &sel, pc_ship_get, &ship, &cb, &problems, &e);
    pub_ship_list_free(&ship.l);
    if (rc == 0)
        rc = pc_out_close(&o, &e);
    else
        pc_out_close(&o, NULL);
    if (rc < 0) {
        pub_sel_free(&sel);
        return cmd_fail(ctx, rc, &e);
    }
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %zu product%s checked, %ld problem%s\n", ctx->prog, sel.n,
                sel.n == 1 ? "" : "s", problems, problems == 1 ? "" : "s");
    pub_sel_free(&sel);
    return problems ? QS_EX_FAIL : 0;
}

/* ---- shipping (R-PUB-15, issue 8 item 22) ---- */

int publish_shipping(struct qs_ctx *ctx, int argc, char **argv)
{
    static const char *const cols[] = {"shipping_no", "fee",     "type",   "free_over",
                                       "region",      "oversea", "carrier"};
    const struct qs_verb *v = &qs_cmd_publish.verbs[14];
    struct pc_out o = PC_OUT(ctx, cols);
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
    struct pub_ship_list ship = {0};
    struct cmd_getopt g;
    struct qapi *q = NULL;
    struct qs_err e;
    int c, rc, cached = 0;

    err_clear(&e);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1) {
        if (c != OPT_CACHED)
            return QS_EX_USAGE;
        cached = 1;
    }
    if (ops.n)
        return cmd_usage(ctx, "unexpected argument \"%s\"", ops.v[0]);
    if (cached) {
        if ((rc = pub_ship_cached(ctx->store, ctx->shop.name, &ship, &e)) == 0 && !ship.have)
            rc = err_set(&e, QS_E_USAGE, NULL,
                         "no delivery templates of shop %s are kept yet; qs publish shipping "
                         "(without --cached) reads them",
                         ctx->shop.name);
    } else if ((q = pc_open_qapi(ctx, &e, &rc))) {
        /* Read and kept for qs publish check (not in a dry run, which writes nothing). */
        rc = pub_ship_fetch(ctx->store, q, ctx->shop.name, !ctx->dry_run, &ship, &e);
    }
    qapi_close(q);
    if (rc == 0)
        rc = pub_ship_rows(&ship, &cb, &e);
    pub_ship_list_free(&ship);
    return pc_list_end(ctx, &o, rc, &e);
}

/* ---- batches (R-PUB-13, issue 8 item 22) ---- */

int publish_batches(struct qs_ctx *ctx, int argc, char **argv)
{
    static const char *const cols[] = {"batch", "at", "verb", "products", "undone_at"};
    const struct qs_verb *v = &qs_cmd_publish.verbs[15];
    struct pc_out o = PC_OUT(ctx, cols);
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
    struct cmd_getopt g;
    struct qs_err e;
    int c, rc;

    err_clear(&e);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1)
        return QS_EX_USAGE;
    if (ops.n)
        return cmd_usage(ctx, "unexpected argument \"%s\"", ops.v[0]);
    rc = pub_batches(ctx->store, ctx->shop.name, cmd_tz(ctx), &cb, &e);
    return pc_list_end(ctx, &o, rc, &e);
}

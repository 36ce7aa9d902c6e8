/* publish.c: qs publish -- schedule, publish and edit listings (SPEC 2.3). The rules live
 * in libcore (publish*.c, schedule.c, profile.c); this file parses options, selects,
 * prints. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "publish_watch.h"
#include "../libcore/catalog/catalog.h"
#include "../libcore/publish/publish.h"
#include "../libcore/qapi/qapi.h"
#include "../libcore/tm.h"

/* The options of every publish verb; each verb's table binds the ones it takes. */
struct pub_args {
    const char *group, *state, *from, *to, *due_by, *suffix;
    struct cat_fx fx;
    enum rec_enc enc;
    int retry_failed, list_brands, cached;
    struct pub_edit_opts eo;
    struct cmd_list skus, brands;
};

static int parse_state(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    (void)ctx;
    if (!pub_state_valid(arg))
        return err_set(e, QS_E_USAGE, NULL,
                       "--state \"%s\" is not collected, pending, scheduled, publishing, online, "
                       "failed or offline",
                       arg);
    *(const char **)target = arg;
    return 0;
}

/* --price, --quantity, --shipping of edit (R-PUB-9), read by libcore. */
static int parse_price(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    return (void)ctx, pub_edit_opt_parse(PUB_EDIT_PRICE, arg, target, e);
}
static int parse_quantity(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    return (void)ctx, pub_edit_opt_parse(PUB_EDIT_QTY, arg, target, e);
}
static int parse_shipping(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    return (void)ctx, pub_edit_opt_parse(PUB_EDIT_SHIPPING, arg, target, e);
}

static int parse_fx(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    (void)ctx;
    if (cat_fx_parse(arg, target) < 0)
        return err_set(e, QS_E_USAGE, NULL, "--fx \"%s\" is not a positive rate like 21.5", arg);
    return 0;
}

#define A         struct pub_args
#define OPT_GROUP OPT_STRING(A, group, "group", "G", "only products of group G")
#define OPT_STATE OPT_PARSE(A, state, "state", "S", parse_state, "only products in state S")
/* The selection: --group, --state, and the encoding of records on standard input. */
#define OPTS_SEL                                                                                   \
    OPT_GROUP, OPT_STATE,                                                                          \
    {                                                                                              \
        .name = "encoding", .type = QSO_ENC, .off = offsetof(A, enc), .arg = "ENC",                \
        .help = "encoding of records on standard input: auto, utf-8, cp932"                        \
    }

static const struct qs_opt list_opts[] = {OPT_STATE, OPT_GROUP, OPT_END};
static const struct qs_opt sel_opts[] = {OPTS_SEL, OPT_END};
static const struct qs_opt every_opts[] = {
    OPT_STRING(A, from, "from", "TIME", "the first product's time (R-PUB-3)"), OPTS_SEL, OPT_END};
static const struct qs_opt spread_opts[] = {
    OPT_STRING(A, from, "from", "TIME", "the window's start (R-PUB-4)"),
    OPT_STRING(A, to, "to", "TIME", "the window's end"), OPTS_SEL, OPT_END};
static const struct qs_opt run_opts[] = {
    OPT_STRING(A, due_by, "due-by", "TIME",
               "publish what is scheduled at or before TIME (default now)"),
    OPT_FLAG(A, retry_failed, "retry-failed",
             "also retry failed products now, from the step that failed"),
    OPT_END};
static const struct qs_opt edit_opts[] = {
    OPT_PARSE(A, eo, "price", "P|+P%|-P%", parse_price, "set the price, or change it by P percent"),
    OPT_PARSE(A, eo, "quantity", "N", parse_quantity, "set the quantity"),
    OPT_PARSE(A, eo, "shipping", "S", parse_shipping, "set the shipping fee (yen)"), OPTS_SEL,
    OPT_END};
static const struct qs_opt copy_opts[] = {
    OPT_STRING(A, suffix, "suffix", "S", "appended to the Parent SKU and every SKU"), OPTS_SEL,
    OPT_END};
static const struct qs_opt profile_opts[] = {
    OPT_STRING(A, group, "group", "G", "make group G use the profile"),
    OPT_LIST(A, skus, "sku", "SKU", "make the product of SKU use the profile (repeatable)"),
    OPT_LIST(A, brands, "brand", "NAME=NO", "map brand NAME to Qoo10 BrandNo NO"),
    OPT_FLAG(A, list_brands, "brands", "list the brand table"), OPT_END};
static const struct qs_opt claim_opts[] = {
    OPT_PARSE(A, fx, "fx", "RATE", parse_fx, "yen per unit of the source prices' currency"),
    OPT_GROUP,
    {.name = "encoding",
     .type = QSO_ENC,
     .off = offsetof(A, enc),
     .arg = "ENC",
     .help = "encoding of records on standard input: auto, utf-8, cp932"},
    OPT_END};
static const struct qs_opt shipping_opts[] = {
    OPT_FLAG(A, cached, "cached",
             "the templates kept by the last read, without asking the marketplace"),
    OPT_END};
#undef A

/* ---- output ---- */

/* Records on standard output, through one writer opened at the first (or at the end, for
 * the header of an empty CSV). */
struct out {
    struct qs_ctx *ctx;
    const char *const *cols;
    size_t ncols;
    struct rec_writer *w;
    long rows;
    int closed;
};

#define OUT(ctx, cols)                                                                             \
    {                                                                                              \
        (ctx), (cols), sizeof(cols) / sizeof(cols)[0], NULL, 0, 0                                  \
    }

/* pub_row_fn writing to a struct out. */
static int out_row(void *p, const struct rec *r, struct qs_err *e)
{
    struct out *o = p;
    int rc;
    if (!o->w && (rc = cmd_open_writer(o->ctx, o->cols, o->ncols, &o->w, e)) < 0)
        return rc;
    o->rows++;
    return rec_write(o->w, r, e);
}

/* Closes the writer (flushing it only with e), printing the header when nothing was
 * written (CSV). */
static int out_close(struct out *o, struct qs_err *e)
{
    int rc = 0;
    if (o->closed)
        return 0;
    o->closed = 1;
    if (!o->w && (rc = cmd_open_writer(o->ctx, o->cols, o->ncols, &o->w, e)) < 0)
        return rc;
    if (o->w)
        rc = rec_writer_close(o->w, e);
    o->w = NULL;
    return rc;
}

/* Closes o after a verb's work returned rc (flushing it only when rc is 0). 1 when the
 * verb ends here, *code its exit code (the error printed); else 0 and *code 0. */
static int out_end(struct out *o, int rc, struct qs_err *e, int *code)
{
    if (rc == 0)
        rc = out_close(o, e);
    else
        out_close(o, NULL);
    *code = rc < 0 ? cmd_out_fail(o->ctx, rc, e) : 0;
    return rc < 0;
}

/* pub_diag_fn printing "qs publish VERB: ..." on stderr (p is a struct out). */
static void out_diag(void *p, const struct qs_err *e, int warning)
{
    struct out *o = p;
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
static const char *const copy_cols[] = {"sku", "parent_sku", "state"};
static const char *const check_cols[] = {"parent_sku", "sku", "rule", "field", "message"};

/* ---- selection ---- */

/* Selects the products of the operands, records on standard input ("-", or no operand
 * while standard input is not a terminal) and --group/--state. need: with nothing named
 * at all, refuse (64) instead of taking every product. Returns 0 or an exit code. */
static int select_products(struct qs_ctx *ctx, int argc, char **argv, const struct pub_args *a,
                           int need, struct out *o, struct pub_sel *sel)
{
    struct pub_select_opts so = {.args = argv,
                                 .nargs = argc,
                                 .in_name = "-",
                                 .enc = a->enc,
                                 .sheet = ctx->sheet,
                                 .group = a->group,
                                 .state = a->state};
    struct pub_cb cb = {.ctx = o, .diag = out_diag};
    struct qs_err e;
    struct stat sb;
    int dash = 0, rc;

    err_clear(&e);
    for (int i = 0; i < argc; i++)
        dash |= strcmp(argv[i], "-") == 0;
    /* A pipe or a file on standard input carries the records (qs publish list | qs publish
     * spread ...); a terminal or /dev/null (cron) does not. */
    if (dash || (argc == 0 && !a->group && !a->state && fstat(STDIN_FILENO, &sb) == 0 &&
                 (S_ISFIFO(sb.st_mode) || S_ISREG(sb.st_mode))))
        so.in = stdin;
    if (need && argc == 0 && !so.in && !a->group && !a->state)
        return cmd_usage(ctx, "name the products: SKUs, - (records on standard input), --group or "
                              "--state");
    if ((rc = pub_select(ctx->store, ctx->shop.name, &so, &cb, sel, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    return 0;
}

static int no_operands(struct qs_ctx *ctx, int argc, char **argv)
{
    return argc ? cmd_usage(ctx, "unexpected argument \"%s\"", argv[0]) : 0;
}

/* ---- the verbs that reach the marketplace: jobs of the one runner (SPEC 1.6) ---- */

/* Prints a line libcore built (the time taken as tomorrow's) unless -q; frees it. */
static void say(struct qs_ctx *ctx, char *line)
{
    if (line && ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s\n", ctx->prog, line);
    free(line);
}

/* A job of verb for the shop (pub_job_ops), diagnostics through o. */
static void job_init(struct qs_ctx *ctx, enum pub_job_verb verb, struct pub_job *j, struct out *o)
{
    memset(j, 0, sizeof *j);
    j->verb = verb;
    j->s = ctx->store;
    j->shop = ctx->shop.name;
    j->ro.now = time(NULL);
    j->ro.tz = cmd_tz(ctx);
    j->ro.due_by = j->ro.now;
    j->ro.dry_run = ctx->dry_run;
    j->ro.quiet = ctx->verbosity < 0;
    j->ro.inflight_s = -1; /* setting publish.inflight_s */
    j->diag = out_diag;
    j->diag_ctx = o;
}

/* Runs j through the runner with a client of the marketplace: the records, the summary,
 * the exit code (SPEC 1.3). With sel (now, edit, withdraw): the products named first. */
static int job_send(struct qs_ctx *ctx, struct pub_job *j, int argc, char **argv,
                    const struct pub_args *a, int sel)
{
    struct pub_sel s = {0};
    struct qs_err e;
    int rc;

    err_clear(&e);
    if (sel && (rc = select_products(ctx, argc, argv, a, 1, j->diag_ctx, &s)) != 0)
        return rc;
    j->sel = &s;
    if ((rc = cmd_open_qapi(ctx, &j->q, &e)) == 0)
        rc = cmd_job(ctx, &pub_job_ops[j->verb], j);
    else
        rc = cmd_out_fail(ctx, rc, &e);
    qapi_close(j->q);
    pub_job_clear(j);
    pub_sel_free(&s);
    return rc;
}

/* ---- list (R-PUB-8) ---- */

static int cmd_publish_list(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    static const char *const cols[] = {CAT_QS_COLUMNS, PUB_COL_NEXT_TRY};
    struct out o = OUT(ctx, cols);
    struct pub_cb cb = {.ctx = &o, .row = out_row, .diag = out_diag};
    struct pub_args a = {0};
    struct qs_err e;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0 || (rc = no_operands(ctx, argc, argv)))
        return rc;
    rc = pub_list(ctx->store, ctx->shop.name, a.state, a.group, cmd_tz(ctx), &cb, &e);
    out_end(&o, rc, &e, &rc);
    return rc;
}

/* ---- now / at / every / spread (R-PUB-1..5), cancel (R-PUB-6) ---- */

/* now, at, every, spread (v->arg: an enum pub_when); cancel (R-PUB-6): v->arg -1. */
static int cmd_publish_schedule(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    int cancel = v->arg < 0;
    enum pub_when when = cancel ? PUB_NOW : (enum pub_when)v->arg;
    struct out o = OUT(ctx, sched_cols);
    struct pub_cb cb = {.ctx = &o, .row = out_row, .diag = out_diag};
    struct pub_sched_opts so = {.when = when, .now = time(NULL), .tz = cmd_tz(ctx)};
    struct pub_sched_stats st;
    struct pub_sel sel = {0};
    struct pub_args a = {0};
    struct pub_job j;
    struct qs_err e;
    char *note = NULL;
    int rc, used;

    err_clear(&e);
    so.dry_run = ctx->dry_run;
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    /* R-PUB-3, R-PUB-4, R-PUB-5: the operand TIME or MINUTES, --from, --to. */
    if (!cancel && pub_sched_times(&so, argc, argv, a.from, a.to, &used, &note, &e) < 0)
        return cmd_usage_e(ctx, &e);
    say(ctx, note);
    argc -= cancel ? 0 : used, argv += cancel ? 0 : used;
    if (when == PUB_NOW && !cancel) {
        /* R-PUB-1: scheduled now, then published by the same run. */
        job_init(ctx, PUB_JOB_NOW, &j, &o);
        j.so = so;
        return job_send(ctx, &j, argc, argv, &a, 1);
    }
    if ((rc = select_products(ctx, argc, argv, &a, 1, &o, &sel)) != 0)
        return rc;
    rc = cancel ? pub_cancel(ctx->store, ctx->shop.name, &sel, so.tz, so.dry_run, &cb, &st, &e)
                : pub_schedule(ctx->store, ctx->shop.name, &sel, &so, &cb, &st, &e);
    pub_sel_free(&sel);
    if (out_end(&o, rc, &e, &rc))
        return rc;
    say(ctx, pub_sched_note(&st, cancel ? "cancelled" : "scheduled", ctx->dry_run));
    return 0;
}

/* ---- run (R-PUB-7), edit (R-PUB-9), withdraw, undo (R-PUB-13) ---- */

/* run, edit, withdraw, undo (v->arg: an enum pub_job_verb): their operands and options
 * into a job, then the runner. */
static int cmd_publish_send(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    enum pub_job_verb verb = (enum pub_job_verb)v->arg;
    struct out o = OUT(ctx, sched_cols); /* diagnostics only: the runner writes the records */
    struct pub_args a = {0};
    struct pub_job j;
    struct qs_err e;
    char *note = NULL, *end;
    int rc;

    err_clear(&e);
    job_init(ctx, verb, &j, &o);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (verb == PUB_JOB_RUN) {
        if (a.due_by && pub_due_by_parse(a.due_by, j.ro.tz, j.ro.now, &j.ro.due_by, &note, &e) < 0)
            return cmd_usage_e(ctx, &e);
        say(ctx, note);
        j.ro.retry_failed = a.retry_failed;
        return (rc = no_operands(ctx, argc, argv)) ? rc : job_send(ctx, &j, 0, NULL, &a, 0);
    }
    if (verb == PUB_JOB_UNDO) {
        if (argc != 1)
            return cmd_usage(ctx, "one BATCH number is needed");
        errno = 0;
        j.batch = strtoll(argv[0], &end, 10);
        if (*end || errno || j.batch < 1)
            return cmd_usage(ctx, "BATCH \"%s\" is not a batch number", argv[0]);
        return job_send(ctx, &j, 0, NULL, &a, 0);
    }
    if (verb == PUB_JOB_EDIT && !a.eo.has_price && !a.eo.has_qty && !a.eo.has_shipping)
        return cmd_usage(ctx, "--price, --quantity or --shipping is needed");
    j.eo = a.eo;
    return job_send(ctx, &j, argc, argv, &a, 1);
}

/* ---- copy (R-PUB-10), category (R-PUB-12) ---- */

static int cmd_publish_copy(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct out o = OUT(ctx, copy_cols);
    struct pub_cb cb = {.ctx = &o, .row = out_row, .diag = out_diag};
    struct pub_sel sel = {0};
    struct pub_args a = {0};
    struct qs_err e;
    long long batch = 0;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (!a.suffix || !*a.suffix)
        return cmd_usage(ctx, "--suffix S is needed (R-PUB-10)");
    if ((rc = select_products(ctx, argc, argv, &a, 1, &o, &sel)) != 0)
        return rc;
    rc = pub_copy(ctx->store, ctx->shop.name, &sel, a.suffix, ctx->dry_run, &cb, &batch, &e);
    pub_sel_free(&sel);
    if (out_end(&o, rc, &e, &rc))
        return rc;
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s%ld SKU%s copied as new pending products\n", ctx->prog,
                ctx->dry_run ? "dry run, nothing written: " : "", o.rows, o.rows == 1 ? "" : "s");
    return 0;
}

static int cmd_publish_category(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct qs_err e;
    const char *what = "";
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, NULL, &argc, &argv)) != 0)
        return rc;
    if (argc != 2)
        return cmd_usage(ctx, "a group, SKU or Parent SKU and a category");
    rc = pub_category_change(ctx->store, ctx->shop.name, argv[0], argv[1], ctx->dry_run, &what, &e);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s%s %s has category %s\n", ctx->prog,
                ctx->dry_run ? "dry run, nothing written: " : "", what, argv[0], argv[1]);
    return 0;
}

/* ---- profile (R-PUB-15) ---- */

static int cmd_publish_profile(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    static const char *const cols[] = {"profile", "field", "value"}, *const bcols[] = {"brand",
                                                                                       "brand_no"};
    struct out o = OUT(ctx, cols);
    struct pub_cb cb = {.ctx = &o, .row = out_row, .diag = out_diag},
                  dcb = {.ctx = &o, .diag = out_diag};
    struct pub_profile_change c = {0};
    struct pub_args a = {0};
    struct qs_err e;
    int rc, brands;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        goto out;
    if (argc > 0 && !strchr(argv[0], '='))
        c.name = argv[0], argc--, argv++;
    c.sets = (const char *const *)argv, c.nsets = (size_t)argc;
    c.brands = a.brands.v, c.nbrands = a.brands.n;
    c.group = a.group;
    c.skus = a.skus.v, c.nskus = a.skus.n;
    c.dry_run = ctx->dry_run;
    if ((rc = pub_profile_check(&c, &e)) < 0) {
        rc = cmd_usage_e(ctx, &e);
        goto out;
    }
    if (argc > 0 && !c.name)
        c.name = PROF_DEFAULT;
    brands = a.list_brands || (a.brands.n && !c.name);
    if (brands)
        o.cols = bcols, o.ncols = 2;
    if ((rc = pub_profile_change(ctx->store, ctx->shop.name, &c, &dcb, &e)) == 0)
        rc = pub_profile_rows(ctx->store, ctx->shop.name, c.name, brands, &cb, &e);
    if (out_end(&o, rc, &e, &rc))
        goto out;
    if ((argc || a.group || a.skus.n) && ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s%s%s%s%s%s%s\n", ctx->prog,
                ctx->dry_run ? "dry run, nothing written: " : "", c.name ? "profile " : "",
                c.name ? c.name : "", argc ? " set" : "", a.group ? ", used by group " : "",
                a.group ? a.group : "", a.skus.n ? ", used by the products named" : "");
    if (a.brands.n && ctx->verbosity >= 0)
        fprintf(stderr, "%s: %zu brand%s set\n", ctx->prog, a.brands.n, a.brands.n == 1 ? "" : "s");
out:
    cmd_args_free(v, &a);
    return rc;
}

/* ---- check (R-IMP-9, R-IMP-10, R-PUB-11, 12, 14, 15) ---- */

/* Issue 8 item 22: the delivery templates check resolves shipping fees against, as run
 * does, the first time a product needs them: those the last read kept (offline), else
 * read from the marketplace once and kept; when that fails too, fees are not checked,
 * with a warning. */
struct ship_get {
    struct qs_ctx *ctx;
    struct pub_ship_list l;
};

static const struct pub_ship_list *ship_get(void *p)
{
    struct ship_get *sh = p;
    char *note;
    const struct pub_ship_list *l =
        pub_ship_for_check(sh->ctx->store, sh->ctx->shop.name, sh->ctx->dry_run, stdout,
                           cmd_tz(sh->ctx), &sh->l, &note);
    say(sh->ctx, note);
    return l;
}

static int cmd_publish_check(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct out o = OUT(ctx, check_cols);
    struct pub_cb cb = {.ctx = &o, .row = out_row, .diag = out_diag};
    struct pub_sel sel = {0};
    struct pub_args a = {0};
    struct ship_get ship = {ctx, {0}};
    struct qs_err e;
    long problems = 0;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0 ||
        (rc = select_products(ctx, argc, argv, &a, 0, &o, &sel)) != 0)
        return rc;
    rc = pub_check(ctx->store, ctx->shop.name, &sel, ship_get, &ship, &cb, &problems, &e);
    pub_ship_list_free(&ship.l);
    if (out_end(&o, rc, &e, &rc)) {
        pub_sel_free(&sel);
        return rc;
    }
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %zu product%s checked, %ld problem%s\n", ctx->prog, sel.n,
                sel.n == 1 ? "" : "s", problems, problems == 1 ? "" : "s");
    pub_sel_free(&sel);
    return problems ? QS_EX_FAIL : 0;
}

/* ---- claim (R-SRC-1) ---- */

static int cmd_publish_claim(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct out o = {ctx, NULL, 0, NULL, 0, 0};
    struct pub_cb cb = {.ctx = &o, .row = out_row, .diag = out_diag};
    struct pub_claim_stats st;
    struct pub_sel sel = {0};
    struct pub_args a = {0};
    struct qs_err e;
    int rc;

    err_clear(&e);
    o.cols = pub_claim_columns(&o.ncols);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    a.state = "collected"; /* the box, whatever else selects */
    if ((rc = select_products(ctx, argc, argv, &a, 0, &o, &sel)) != 0)
        return rc;
    rc = pub_claim(ctx->store, ctx->shop.name, &sel, &a.fx, ctx->dry_run, &cb, &st, &e);
    pub_sel_free(&sel);
    if (rc == QS_E_USAGE && !o.w)
        return cmd_usage_e(ctx, &e); /* before any record: the --fx a claim needs */
    if (out_end(&o, rc, &e, &rc))
        return rc;
    if (ctx->verbosity >= 0)
        fprintf(stderr,
                "%s: %s%ld product%s claimed (pending), %ld kept in the box with %ld gap%s\n",
                ctx->prog, ctx->dry_run ? "dry run, nothing written: " : "", st.claimed,
                st.claimed == 1 ? "" : "s", st.kept, st.gaps, st.gaps == 1 ? "" : "s");
    return st.kept ? QS_EX_FAIL : 0; /* SPEC 1.3: the job ran, some records failed */
}

/* ---- shipping (R-PUB-15, issue 8 item 22), batches (R-PUB-13) ---- */

static int cmd_publish_shipping(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    static const char *const cols[] = {"shipping_no", "fee",     "type",   "free_over",
                                       "region",      "oversea", "carrier"};
    struct out o = OUT(ctx, cols);
    struct pub_cb cb = {.ctx = &o, .row = out_row, .diag = out_diag};
    struct pub_ship_list ship = {0};
    struct pub_args a = {0};
    struct qs_err e;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0 || (rc = no_operands(ctx, argc, argv)))
        return rc;
    rc = pub_ship_load(ctx->store, ctx->shop.name, a.cached ? PUB_SHIP_KEPT : PUB_SHIP_READ,
                       ctx->dry_run, stdout, &ship, &e);
    if (rc == 0)
        rc = pub_ship_rows(&ship, &cb, &e);
    pub_ship_list_free(&ship);
    out_end(&o, rc, &e, &rc);
    return rc;
}

static int cmd_publish_batches(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    static const char *const cols[] = {"batch", "at", "verb", "products", "undone_at"};
    struct out o = OUT(ctx, cols);
    struct pub_cb cb = {.ctx = &o, .row = out_row, .diag = out_diag};
    struct qs_err e;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, NULL, &argc, &argv)) != 0 || (rc = no_operands(ctx, argc, argv)))
        return rc;
    rc = pub_batches(ctx->store, ctx->shop.name, cmd_tz(ctx), &cb, &e);
    out_end(&o, rc, &e, &rc);
    return rc;
}

/* ---- the verb table ---- */

#define SEL_OPERANDS "[SKU...|-]"
#define SHOP         QS_NEEDS_SHOP | QS_OPTS_ANYWHERE
#define SEL          SHOP | QS_READS_STDIN | QS_WRITES_STORE
/* every, spread, copy check their needed options themselves (with their own message), so
 * their usage lines, which say the options are needed, are written out. */
#define SEL_USAGE "[--group G] [--state S] [--encoding ENC] [SKU...|-]"

#define SCHED(n, w, ops, u, o, s) QS_VERB_ARG(n, cmd_publish_schedule, w, ops, u, SEL, o, s)
#define SEND(n, j, ops, fl, o, s) QS_VERB_ARG(n, cmd_publish_send, j, ops, NULL, fl, o, s)

static const struct qs_verb publish_verbs[] = {
    QS_VERB("list", cmd_publish_list, NULL, SHOP, list_opts,
            "list products in the qs template (R-PUB-8)"),
    SCHED("now", PUB_NOW, SEL_OPERANDS, NULL, sel_opts, "publish the selected products now"),
    SCHED("at", PUB_AT, "TIME " SEL_OPERANDS, NULL, sel_opts,
          "schedule the selected products at one time"),
    SCHED("every", PUB_EVERY, NULL, "every MINUTES --from TIME " SEL_USAGE, every_opts,
          "schedule one product every MINUTES minutes"),
    SCHED("spread", PUB_SPREAD, NULL, "spread --from TIME --to TIME " SEL_USAGE, spread_opts,
          "spread the selected products evenly over a window"),
    SCHED("cancel", -1, SEL_OPERANDS, NULL, sel_opts, "return scheduled products to pending"),
    SEND("run", PUB_JOB_RUN, NULL, SHOP | QS_WRITES_STORE, run_opts,
         "publish everything due (for cron)"),
    SEND("edit", PUB_JOB_EDIT, SEL_OPERANDS, SEL, edit_opts,
         "batch-edit prices, quantities, shipping"),
    QS_VERB_USAGE("copy", cmd_publish_copy, "copy --suffix S " SEL_USAGE, SEL, copy_opts,
                  "duplicate products as new pending ones"),
    QS_VERB("category", cmd_publish_category, "GROUP|SKU CODE", SHOP | QS_WRITES_STORE, NULL,
            "set the Qoo10 leaf category"),
    QS_VERB("profile", cmd_publish_profile, "[NAME] [FIELD=VALUE...]", SHOP | QS_WRITES_STORE,
            profile_opts, "show or set a listing profile"),
    SEND("undo", PUB_JOB_UNDO, "BATCH", SHOP | QS_WRITES_STORE, NULL,
         "restore what a batch changed"),
    SEND("withdraw", PUB_JOB_WITHDRAW, SEL_OPERANDS, SEL, sel_opts, "take online listings offline"),
    QS_VERB("check", cmd_publish_check, SEL_OPERANDS, SEL, sel_opts,
            "check products against marketplace rules and sensitive words"),
    QS_VERB("claim", cmd_publish_claim, "[PARENT...|-]", SEL, claim_opts,
            "move complete products from the collection box to pending (R-SRC-1)"),
    QS_VERB_USAGE("watch", cmd_publish_watch,
                  "watch add [--on-out zero|withdraw|none] [--price-alert P%] [--group G] "
                  "[SKU...|-] | watch remove|pause [--group G] [SKU...|-] | watch list | watch run",
                  SHOP | QS_READS_STDIN | QS_WRITES_UNLESS_LIST, publish_watch_opts,
                  "watch the sources of online products (R-SRC-2, R-SRC-3)"),
    QS_VERB("shipping", cmd_publish_shipping, NULL, SHOP | QS_WRITES_STORE, shipping_opts,
            "list the shop's delivery templates (ShippingNo)"),
    QS_VERB("batches", cmd_publish_batches, NULL, SHOP, NULL, "list the batches undo can restore"),
    {.name = NULL},
};

const struct qs_cmd qs_cmd_publish =
    QS_COMMAND("publish", "schedule, publish and edit listings", publish_verbs);

/* coupon.c: qs coupon -- the shop's coupons and their pushes (SPEC 4). The rules live in
 * libcore/coupon; this file parses options, opens files, prints. The push verbs are
 * registered with their usage; each answers --help, and running one that is not built yet
 * says so and exits 64 (no fake output). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "../libcore/coupon/coupon.h"
#include "../libcore/tm.h"

/* The options of add and edit: the values of a coupon, as text, checked by libcore. */
struct cpn_args {
    const char *v[CPN_NFIELDS];
    enum rec_enc enc;
};

#define CA                  struct cpn_args
#define OPT_CPN(f, n, a, h) OPT_STRING(CA, v[f], n, a, h)

/* How messages name a field given by option (R-CPN-1 problems name the option). */
static const char *const cpn_opt_names[CPN_NFIELDS] = {
    [CPN_QSM_NO] = "--qsm-no",
    [CPN_CODE] = "--code",
    [CPN_NAME] = "--name",
    [CPN_DISCOUNT] = "--discount",
    [CPN_MAX_DISCOUNT] = "--max-discount",
    [CPN_MIN_ORDER] = "--min-order",
    [CPN_VALID_FROM] = "--from",
    [CPN_VALID_TO] = "--to",
    [CPN_ISSUE_LIMIT] = "--issue-limit",
    [CPN_PER_BUYER_LIMIT] = "--per-buyer-limit",
    [CPN_QSTORE_ONLY] = "--qstore-only",
};

#define CPN_VALUE_OPTS                                                                             \
    OPT_CPN(CPN_NAME, "name", "NAME", "the coupon's name as QSM shows it"),                        \
        OPT_CPN(CPN_DISCOUNT, "discount", "D", "yen off (500) or a percent from 1% to 99% (10%)"), \
        OPT_CPN(CPN_MAX_DISCOUNT, "max-discount", "JPY",                                           \
                "the most a percent discount takes off, in yen"),                                  \
        OPT_CPN(CPN_MIN_ORDER, "min-order", "JPY", "the least order it applies to (default 0)"),   \
        OPT_CPN(CPN_VALID_FROM, "from", "TIME",                                                    \
                "valid from 'YYYY-MM-DD HH:MM' (a date alone: 00:00)"),                            \
        OPT_CPN(CPN_VALID_TO, "to", "TIME", "valid to 'YYYY-MM-DD HH:MM' (a date alone: 23:59)"),  \
        OPT_CPN(CPN_ISSUE_LIMIT, "issue-limit", "N", "how many QSM issues at most"),               \
        OPT_CPN(CPN_PER_BUYER_LIMIT, "per-buyer-limit", "N", "how many one buyer may use"),        \
        OPT_CPN(CPN_QSTORE_ONLY, "qstore-only", "yes|no", "for the Qoo10 app only (default no)"),  \
        OPT_CPN(CPN_QSM_NO, "qsm-no", "N", "QSM's number of the coupon")

static const struct qs_opt add_opts[] = {
    OPT_CPN(CPN_CODE, "code", "C", "the seller's own id of the coupon"),
    CPN_VALUE_OPTS,
    OPT_ENC(CA, enc),
    OPT_END,
};

static const struct qs_opt edit_opts[] = {
    CPN_VALUE_OPTS,
    OPT_END,
};

/* ---- printing ---- */

static const char *const short_cols[] = {"code", "qsm_no", "state"};
static const char *const full_cols[] = {
    "code",        "qsm_no",     "name",     "discount",    "max_discount",
    "min_order",   "valid_from", "valid_to", "issue_limit", "per_buyer_limit",
    "qstore_only", "state",      "pushes",   "created_at",  "updated_at",
};

struct out {
    struct qs_ctx *ctx;
    struct rec_writer *w;
    struct rec *r;
    int full;
    time_t now;
};

static void set_num(struct rec *r, const char *name, long long v)
{
    char b[32];
    if (v < 0) {
        rec_set_typed(r, name, "", REC_NULL);
        return;
    }
    snprintf(b, sizeof b, "%lld", v);
    rec_set_typed(r, name, b, REC_NUM);
}

static void set_time(struct out *o, const char *name, const char *utc_iso)
{
    char b[64] = "";
    time_t t;
    if (utc_iso && tm_parse_utc_iso(utc_iso, &t) == 0)
        coupon_time_format(t, cmd_tz(o->ctx), b, sizeof b);
    rec_set(o->r, name, b);
}

/* The writer is opened with the first record (or at the end), so that a run refused
 * (65) prints nothing on standard output, not even a header. */
static int out_start(struct out *o, struct qs_err *e)
{
    if (o->w)
        return 0;
    return o->full ? cmd_open_writer(o->ctx, full_cols, sizeof full_cols / sizeof full_cols[0],
                                     &o->w, e)
                   : cmd_open_writer(o->ctx, short_cols, 3, &o->w, e);
}

static int out_row(void *p, const struct coupon *c, struct qs_err *e)
{
    struct out *o = p;
    char b[64];
    const char *tz = cmd_tz(o->ctx);
    int rc;
    if ((rc = out_start(o, e)) < 0)
        return rc;
    rec_clear(o->r);
    rec_set(o->r, "code", c->code);
    rec_set(o->r, "qsm_no", c->qsm_no);
    if (o->full) {
        rec_set(o->r, "name", c->name);
        rec_set(o->r, "discount", coupon_discount_format(c->kind, c->discount, b, sizeof b));
        set_num(o->r, "max_discount", c->max_discount);
        set_num(o->r, "min_order", c->min_order);
        rec_set(o->r, "valid_from", coupon_time_format(c->valid_from, tz, b, sizeof b));
        rec_set(o->r, "valid_to", coupon_time_format(c->valid_to, tz, b, sizeof b));
        set_num(o->r, "issue_limit", c->issue_limit);
        set_num(o->r, "per_buyer_limit", c->per_buyer_limit);
        rec_set(o->r, "qstore_only", c->qstore_only ? "yes" : "no");
    }
    rec_set(o->r, "state", coupon_state(c, o->now));
    if (o->full) {
        set_num(o->r, "pushes", c->pushes);
        set_time(o, "created_at", c->created_at);
        set_time(o, "updated_at", c->updated_at);
    }
    return rec_write(o->w, o->r, e);
}

static void out_open(struct out *o, struct qs_ctx *ctx, int full)
{
    memset(o, 0, sizeof *o);
    o->ctx = ctx;
    o->full = full;
    o->now = time(NULL);
    o->r = rec_new();
}

/* Closes the writer (rc 0: flushing it, the header alone when no record came) and returns
 * the exit code of rc. */
static int out_close(struct out *o, int rc, struct qs_err *e)
{
    if (rc == 0 && (rc = out_start(o, e)) == 0) {
        rc = rec_writer_close(o->w, e);
        o->w = NULL;
        if (rc < 0) {
            rec_free(o->r);
            return cmd_out_fail(o->ctx, rc, e);
        }
    }
    rec_writer_close(o->w, NULL);
    rec_free(o->r);
    return rc < 0 ? cmd_fail(o->ctx, rc, e) : 0;
}

/* Prints a problem of the input (R-CPN-1), one line each. */
static void report(void *p, const struct qs_err *e)
{
    struct out *o = p;
    char buf[2200];
    fprintf(stderr, "%s\n", err_format(e, o->ctx->prog, buf, sizeof buf));
}

/* ---- add ---- */

static int given(const struct cpn_args *a)
{
    for (int f = 0; f < CPN_NFIELDS; f++)
        if (a->v[f])
            return 1;
    return 0;
}

/* The coupon options add needs, when a coupon is given by options. */
static int need_opts(struct qs_ctx *ctx, const struct cpn_args *a)
{
    static const int req[] = {CPN_CODE, CPN_NAME, CPN_DISCOUNT, CPN_VALID_FROM, CPN_VALID_TO};
    char missing[160] = "";
    size_t n = 0;
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if (!a->v[req[i]])
            n += (size_t)snprintf(missing + n, sizeof missing - n, "%s%s", n ? ", " : "",
                                  cpn_opt_names[req[i]]);
    if (n)
        return cmd_usage(ctx, "a coupon given by options needs %s too (or give a FILE of coupons)",
                         missing);
    return 0;
}

static int cmd_coupon_add(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct cpn_args a = {.enc = REC_ENC_AUTO};
    struct coupon_stats st;
    struct qs_err e;
    struct out o;
    const char *name = NULL;
    FILE *in = NULL;
    int rc, opts;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    opts = given(&a);
    if (opts && argc > 0)
        return cmd_usage(ctx, "give a coupon by options or a FILE of coupons, not both");
    if (opts && (rc = need_opts(ctx, &a)) != 0)
        return rc;
    if (argc > 1)
        return cmd_usage(ctx, "one file at a time, got \"%s\"", argv[1]);
    if (!opts && argc == 0 && isatty(STDIN_FILENO))
        return cmd_usage(ctx, "give a coupon by options, or a FILE of coupons (- for standard "
                              "input)");
    if (!opts) {
        name = ctx->input;
        in = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
        if (!in) {
            cmd_warn(ctx, "cannot open %s: %s", name, strerror(errno));
            return errno == ENOENT || errno == EACCES ? QS_EX_USAGE : QS_EX_IOERR;
        }
    }
    out_open(&o, ctx, 0);
    struct coupon_opts co = {
        .tz = cmd_tz(ctx), .dry_run = ctx->dry_run, .names = opts ? cpn_opt_names : NULL};
    struct coupon_cb cb = {&o, report, out_row};
    if (opts) {
        rc = coupon_add_values(ctx->store, ctx->shop.name, a.v, &co, &cb, &st, &e);
    } else {
        struct rec_reader_opts ro = cmd_reader_opts(ctx, a.enc);
        rc = coupon_add_file(ctx->store, ctx->shop.name, in, name, &ro, &co, &cb, &st, &e);
        if (in != stdin)
            fclose(in);
    }
    rc = out_close(&o, rc, &e);
    if (rc == 0 && ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s%ld coupon%s%s%s to shop %s\n", ctx->prog,
                ctx->dry_run ? "dry run, nothing written: would add " : "added ", st.added,
                st.added == 1 ? "" : "s", name ? " from " : "", name ? name : "", ctx->shop.name);
    return rc;
}

/* ---- edit, list, show ---- */

static int cmd_coupon_edit(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct cpn_args a = {.enc = REC_ENC_AUTO};
    struct qs_err e;
    struct out o;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (argc != 1)
        return cmd_usage(ctx, argc ? "one coupon CODE at a time" : "give the coupon's CODE");
    if (!given(&a))
        return cmd_usage(ctx, "nothing to change: give --qsm-no N or another option");
    out_open(&o, ctx, 0);
    struct coupon_opts co = {.tz = cmd_tz(ctx), .dry_run = ctx->dry_run, .names = cpn_opt_names};
    struct coupon_cb cb = {&o, report, out_row};
    rc = coupon_edit(ctx->store, ctx->shop.name, argv[0], a.v, &co, &cb, &e);
    rc = out_close(&o, rc, &e);
    if (rc == 0 && ctx->verbosity >= 0)
        fprintf(stderr, "%s: %scoupon %s of shop %s\n", ctx->prog,
                ctx->dry_run ? "dry run, nothing written: would change " : "changed ", argv[0],
                ctx->shop.name);
    return rc;
}

/* list (no operand) and show CODE. */
static int cmd_coupon_list(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct qs_err e;
    struct out o;
    int rc, show = v->arg;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, NULL, &argc, &argv)) != 0)
        return rc;
    if (show && argc != 1)
        return cmd_usage(ctx, argc ? "one coupon CODE at a time" : "give the coupon's CODE");
    if (!show && argc > 0)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[0]);
    out_open(&o, ctx, 1);
    rc = coupon_each(ctx->store, ctx->shop.name, show ? argv[0] : NULL, out_row, &o, &e);
    return out_close(&o, rc, &e);
}

#define SHOP_W (QS_NEEDS_SHOP | QS_WRITES_STORE)

static const struct qs_verb coupon_verbs[] = {
    QS_VERB_USAGE("add", cmd_coupon_add,
                  "add [--code C --name NAME --discount D [--max-discount JPY] [--min-order JPY] "
                  "--from TIME --to TIME [--issue-limit N] [--per-buyer-limit N] "
                  "[--qstore-only yes|no] [--qsm-no N]] | [--encoding ENC] [FILE|-]",
                  SHOP_W | QS_READS_STDIN | QS_OPTS_ANYWHERE, add_opts,
                  "record coupons made in QSM"),
    QS_VERB("edit", cmd_coupon_edit, "CODE", SHOP_W | QS_OPTS_ANYWHERE, edit_opts,
            "change a coupon (its QSM number, once known)"),
    QS_VERB_ARG("list", cmd_coupon_list, 0, NULL, NULL, QS_NEEDS_SHOP, NULL,
                "list the shop's coupons"),
    QS_VERB_ARG("show", cmd_coupon_list, 1, "CODE", NULL, QS_NEEDS_SHOP | QS_OPTS_ANYWHERE, NULL,
                "show one coupon"),
    QS_PLANNED("push",
               "push ad|comp --coupon CODE --at TIME|next [--items top:N|CODE,...] "
               "[--banner FILE --link shop|item:CODE|URL] [--fans-since DATE] [--fans-until DATE] "
               "[--strict] [FILE|-]",
               "apply for a coupon push to fans (ad) or buyers (comp)"),
    QS_PLANNED("cancel", "cancel PUSH", "cancel a push, until 24 hours before it is sent"),
    QS_PLANNED("confirm", "confirm PUSH --applied|--sent [--recipients N]",
               "record what QSM did with a push"),
    QS_PLANNED("record", "record ad|comp --coupon CODE --at TIME | record --fans N",
               "enter a push made in QSM, or the shop's fan count"),
    QS_PLANNED("plan", "plan", "the coming four weeks: pushes and free slots"),
    QS_PLANNED("preview", "preview PUSH", "write the push mail as an HTML page"),
    QS_PLANNED("history", "history", "list pushes with their estimates"),
    {.name = NULL},
};

const struct qs_cmd qs_cmd_coupon =
    QS_COMMAND("coupon", "record shop coupons and push them", coupon_verbs);

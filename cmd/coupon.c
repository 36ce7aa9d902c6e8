/* coupon.c: qs coupon -- the shop's coupons and their pushes (SPEC 4). The rules live in
 * libcore/coupon; this file parses options, opens files, prints. The push verbs are
 * registered with their usage; each answers --help, and running one that is not built yet
 * says so and exits 64 (no fake output). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "../libcore/afile.h"
#include "../libcore/coupon/coupon.h"
#include "../libcore/shop.h"
#include "../libcore/store.h"
#include "../libcore/tm.h"
#include "../libcore/xalloc.h"

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
        if ((rc = cmd_open_input(ctx, name, &in)) != 0)
            return rc;
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

/* ---- push, cancel, run: jobs (SPEC 1.6) ---- */

struct push_args {
    const char *coupon, *at, *items, *banner, *link, *since, *until;
    int strict, retry_failed, resend_unknown, csv;
    long timeout;
    enum rec_enc enc;
    /* confirm, record */
    int applied, sent, cancelled;
    long recipients, fans;
};
#define PA struct push_args

#define RUN_OPTS                                                                                   \
    OPT_FLAG(PA, retry_failed, "retry-failed", "also hand off failed items again"),                \
        OPT_FLAG(PA, resend_unknown, "resend-unknown",                                             \
                 "hand off again items in flight when a run died"),                                \
        OPT_FLAG(PA, csv, "csv", "file: QSM's order-number form as CP932 CSV, not .xlsx"),         \
        OPT_LONG(PA, timeout, "timeout", "S", 1, 86400, NULL,                                      \
                 "hook: seconds of silence before its requests are retried (default 60)")

static const struct qs_opt push_opts[] = {
    {.name = "coupon",
     .type = QSO_STRING,
     .off = offsetof(PA, coupon),
     .arg = "CODE",
     .help = "the coupon to push (its code in qs coupon list)",
     .flags = QSO_REQUIRED},
    {.name = "at",
     .type = QSO_STRING,
     .off = offsetof(PA, at),
     .arg = "TIME|next",
     .help = "send time 'YYYY-MM-DD HH:MM' in Japan time, or next (the first free one)",
     .flags = QSO_REQUIRED},
    OPT_STRING(PA, items, "items", "top:N|CODE,...",
               "the items in the mail: QSM's top N (4-16, default top:4) or 1-16 item codes"),
    OPT_STRING(PA, banner, "banner", "FILE", "a PNG or JPEG banner of 1860x240 pixels"),
    OPT_STRING(PA, link, "link", "shop|item:CODE|URL", "where the banner leads (default shop)"),
    OPT_STRING(PA, since, "fans-since", "DATE", "ad: fans who followed on or after DATE"),
    OPT_STRING(PA, until, "fans-until", "DATE", "ad: fans who followed on or before DATE"),
    OPT_FLAG(PA, strict, "strict", "comp: order numbers unknown to the store are errors"),
    OPT_ENC(PA, enc),
    RUN_OPTS,
    OPT_END,
};

static const struct qs_opt run_opts[] = {RUN_OPTS, OPT_END};

static const struct qs_opt confirm_opts[] = {
    OPT_FLAG(PA, applied, "applied", "QSM accepted the push (a file: hand-off)"),
    OPT_FLAG(PA, sent, "sent", "QSM sent the push"),
    OPT_FLAG(PA, cancelled, "cancelled", "the push was cancelled in QSM (a file: cancel)"),
    OPT_LONG(PA, recipients, "recipients", "N", 0, 1000000000L, NULL,
             "with --sent: how many QSM sent it to"),
    OPT_END,
};

static const struct qs_opt record_opts[] = {
    OPT_STRING(PA, coupon, "coupon", "CODE", "the coupon pushed"),
    OPT_STRING(PA, at, "at", "TIME", "its send time 'YYYY-MM-DD HH:MM' in Japan time"),
    OPT_LONG(PA, fans, "fans", "N", 0, 1000000000L, NULL,
             "the shop's fan count as QSM shows it (the ad estimate)"),
    OPT_END,
};

static const struct qs_opt history_opts[] = {
    OPT_STRING(PA, coupon, "coupon", "CODE", "only the pushes of this coupon"),
    OPT_END,
};

static void run_opts_fill(struct qs_ctx *ctx, const struct push_args *a, time_t now,
                          struct coupon_job *j)
{
    j->s = ctx->store;
    j->tz = cmd_tz(ctx);
    j->ro = (struct coupon_run_opts){.shop = ctx->shop.name,
                                     .retry_failed = a->retry_failed,
                                     .resend_unknown = a->resend_unknown,
                                     .timeout_ms = a->timeout * 1000,
                                     .csv = a->csv,
                                     .dry_run = ctx->dry_run ? stdout : NULL,
                                     .prog = ctx->prog,
                                     .now = now};
}

static const char *const order_names[] = {"order_no", "Order No.", "OrderNo", "order no", NULL};

static int cmd_coupon_push(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct push_args a = {.enc = REC_ENC_AUTO, .timeout = 60};
    struct cmd_keys orders = {.names = order_names, .what = "order_no", .rule = "R-CPN-2"};
    struct coupon_push_plan plan = {0};
    struct coupon_job j = {0};
    struct coupon_push_req r;
    char sheet[64] = "";
    const char *input = NULL;
    struct qs_err e;
    time_t now;
    int rc, code;

    err_clear(&e);
    if ((code = cmd_parse(ctx, v, &a, &argc, &argv)) != 0 || (code = cmd_now(ctx, &now)) != 0)
        return code;
    if (argc < 1 || (strcmp(argv[0], "ad") != 0 && strcmp(argv[0], "comp") != 0))
        return cmd_usage(ctx, "give the push's type: ad (to fans) or comp (to buyers of orders)");
    if (strcmp(argv[0], "ad") == 0 && argc > 1)
        return cmd_usage(ctx, "an ad push goes to the shop's fans: it reads no orders");
    if (argc > 2)
        return cmd_usage(ctx, "one input file at most (or - for stdin)");
    if (strcmp(argv[0], "comp") == 0) {
        input = argc > 1 ? argv[1] : "-";
        if (strcmp(input, "-") == 0 && isatty(STDIN_FILENO))
            return cmd_usage(ctx, "comp reads order numbers: give a FILE, or - for stdin");
        struct rec_reader_opts ro = cmd_reader_opts(ctx, a.enc);
        orders.e = &e;
        if ((rc = cmd_each_record(input, &ro, cmd_keys_rec, &orders, sheet, &e)) < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
    }
    r = (struct coupon_push_req){.type = argv[0],
                                 .code = a.coupon,
                                 .at = a.at,
                                 .items = a.items,
                                 .banner = a.banner,
                                 .link = a.link,
                                 .fans_since = a.since,
                                 .fans_until = a.until,
                                 .orders = (const char *const *)orders.v,
                                 .lines = orders.line,
                                 .norders = orders.n,
                                 .input = input && strcmp(input, "-") == 0 ? "stdin" : input,
                                 .sheet = sheet,
                                 .strict = a.strict,
                                 .now = now};
    struct coupon_push_cb cb = {ctx, cmd_say_err, cmd_say_warn};
    if ((rc = coupon_push_plan(ctx->store, ctx->shop.name, &r, &cb, &plan, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (ctx->verbosity >= 0) {
        char at[32];
        /* R-CPN-9: the estimate, before the hand-off. */
        coupon_jst_format(plan.p.send_at, at, sizeof at);
        if (plan.exists)
            fprintf(stderr, "%s: push %lld (%s) is recorded already: %s\n", ctx->prog, plan.p.id,
                    at, plan.p.state);
        else if (plan.p.estimate < 0)
            fprintf(stderr,
                    "%s: %s push at %s (Asia/Tokyo): recipients unknown (qs coupon record --fans N "
                    "sets the shop's fan count)\n",
                    ctx->prog, r.type, at);
        else
            fprintf(stderr, "%s: %s push at %s (Asia/Tokyo): at most %lld recipient%s (estimate)\n",
                    ctx->prog, r.type, at, plan.p.estimate, plan.p.estimate == 1 ? "" : "s");
    }
    run_opts_fill(ctx, &a, now, &j);
    j.plan = &plan;
    code = cmd_job(ctx, &coupon_push_job_ops, &j);
out:
    coupon_job_clear(&j);
    coupon_push_plan_clear(&plan);
    cmd_keys_free(&orders);
    return code;
}

/* cancel PUSH (v->arg 1) and run (0): the cancel queued, then what is due handed off. */
static int cmd_coupon_run(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct push_args a = {.timeout = 60};
    struct coupon_job j = {0};
    int cancel = v->arg;
    time_t now;
    int code;

    if ((code = cmd_parse(ctx, v, &a, &argc, &argv)) != 0 || (code = cmd_now(ctx, &now)) != 0)
        return code;
    if (cancel && argc != 1)
        return cmd_usage(ctx, argc ? "one PUSH at a time"
                                   : "give the PUSH (its number in qs coupon history, or its key)");
    if (!cancel && argc > 0)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[0]);
    run_opts_fill(ctx, &a, now, &j);
    j.cancel_ref = cancel ? argv[0] : NULL;
    code = cmd_job(ctx, cancel ? &coupon_cancel_job_ops : &coupon_run_job_ops, &j);
    coupon_job_clear(&j);
    return code;
}

/* ---- history, plan, confirm, record: the store only ---- */

static const char *const push_cols[] = {
    "push",   "key",      "type",       "coupon", "send_at", "items",
    "orders", "estimate", "recipients", "state",  "used",    "created_at",
};

struct hist {
    struct out o;
    const char *code;
};

static int hist_row(void *p, const struct coupon_push *q, struct qs_err *e)
{
    struct hist *h = p;
    struct out *o = &h->o;
    char b[64];
    int rc;
    if (h->code && strcmp(h->code, q->code) != 0)
        return 0;
    if (!o->w && (rc = cmd_open_writer(o->ctx, push_cols, sizeof push_cols / sizeof push_cols[0],
                                       &o->w, e)) < 0)
        return rc;
    rec_clear(o->r);
    set_num(o->r, "push", q->id);
    rec_set(o->r, "key", q->key);
    rec_set(o->r, "type", q->type);
    rec_set(o->r, "coupon", q->code);
    rec_set(o->r, "send_at", coupon_time_format(q->send_at, cmd_tz(o->ctx), b, sizeof b));
    rec_set(o->r, "items", q->items);
    /* A comp push lists one order or more; 0 is one recorded from QSM (unknown). */
    set_num(o->r, "orders", q->orders > 0 ? q->orders : -1);
    set_num(o->r, "estimate", q->estimate);
    set_num(o->r, "recipients", q->recipients);
    rec_set(o->r, "state", q->state);
    /* R-CPN-11: QAPI's orders do not name the coupon a buyer used (qapi.md 3.12): blank. */
    rec_set_typed(o->r, "used", "", REC_NULL);
    set_time(o, "created_at", q->created_at);
    return rec_write(o->w, o->r, e);
}

static int hist_close(struct hist *h, int rc, struct qs_err *e)
{
    struct out *o = &h->o;
    if (rc == 0 && !o->w)
        rc = cmd_open_writer(o->ctx, push_cols, sizeof push_cols / sizeof push_cols[0], &o->w, e);
    o->full = 1; /* out_close opens nothing more: the writer is open */
    return out_close(o, rc, e);
}

static int cmd_coupon_history(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct push_args a = {0};
    struct hist h = {0};
    struct qs_err e;
    time_t now;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0 || (rc = cmd_now(ctx, &now)) != 0)
        return rc;
    if (argc > 0)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[0]);
    out_open(&h.o, ctx, 1);
    h.code = a.coupon;
    rc = coupon_push_settle(ctx->store, ctx->shop.name, now, &e);
    if (rc == 0)
        rc = coupon_push_each(ctx->store, ctx->shop.name, NULL, hist_row, &h, &e);
    return hist_close(&h, rc, &e);
}

static const char *const plan_cols[] = {"week",   "push",  "send_at",   "type",
                                        "coupon", "state", "free_slots"};

static int plan_row(void *p, const struct coupon_week_row *w, struct qs_err *e)
{
    struct out *o = p;
    char b[64];
    int rc;
    if (!o->w && (rc = cmd_open_writer(o->ctx, plan_cols, sizeof plan_cols / sizeof plan_cols[0],
                                       &o->w, e)) < 0)
        return rc;
    rec_clear(o->r);
    rec_set(o->r, "week", tm_format_jst(w->monday, "%Y-%m-%d", b, sizeof b));
    set_num(o->r, "push", w->p ? w->p->id : -1);
    rec_set(o->r, "send_at", w->p ? coupon_jst_format(w->p->send_at, b, sizeof b) : "");
    rec_set(o->r, "type", w->p ? w->p->type : "");
    rec_set(o->r, "coupon", w->p ? w->p->code : "");
    rec_set(o->r, "state", w->p ? w->p->state : "free");
    rec_set(o->r, "free_slots", w->slots);
    return rec_write(o->w, o->r, e);
}

static int cmd_coupon_plan(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct qs_err e;
    struct out o;
    time_t now;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, NULL, &argc, &argv)) != 0 || (rc = cmd_now(ctx, &now)) != 0)
        return rc;
    if (argc > 0)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[0]);
    out_open(&o, ctx, 1);
    rc = coupon_push_settle(ctx->store, ctx->shop.name, now, &e);
    if (rc == 0)
        rc = coupon_weeks(ctx->store, ctx->shop.name, now, plan_row, &o, &e);
    if (rc == 0 && !o.w)
        rc = cmd_open_writer(ctx, plan_cols, sizeof plan_cols / sizeof plan_cols[0], &o.w, &e);
    return out_close(&o, rc, &e);
}

/* Prints push key of the shop as history does. */
static int print_push(struct qs_ctx *ctx, const char *key, struct qs_err *e)
{
    struct hist h = {0};
    int rc;
    out_open(&h.o, ctx, 1);
    rc = coupon_push_each(ctx->store, ctx->shop.name, key, hist_row, &h, e);
    return hist_close(&h, rc, e);
}

static int cmd_coupon_confirm(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct push_args a = {.recipients = -1};
    struct coupon_confirm_result res;
    enum coupon_confirm what;
    struct qs_err e;
    time_t now;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0 || (rc = cmd_now(ctx, &now)) != 0)
        return rc;
    if (argc != 1)
        return cmd_usage(ctx, argc ? "one PUSH at a time" : "give the PUSH (its number or key)");
    if (a.applied + a.sent + a.cancelled != 1)
        return cmd_usage(ctx, "give one of --applied, --sent, --cancelled");
    if (a.recipients >= 0 && !a.sent)
        return cmd_usage(ctx, "--recipients goes with --sent");
    what = a.applied ? COUPON_APPLIED : a.sent ? COUPON_SENT : COUPON_CANCELLED;
    if (ctx->dry_run && (rc = store_begin(ctx->store, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    rc = coupon_confirm(ctx->store, ctx->shop.name, argv[0], what, a.recipients, now, &res, &e);
    if (rc == 0 && ctx->verbosity >= 0)
        fprintf(stderr, "%s: push %lld %s%s\n", ctx->prog, res.id,
                res.already    ? "is "
                : ctx->dry_run ? "would be "
                               : "is now ",
                res.already ? res.from : res.to);
    if (rc == 0)
        rc = print_push(ctx, res.key, &e) == 0 ? 0 : -1;
    if (ctx->dry_run)
        store_rollback(ctx->store);
    if (rc < 0)
        return e.code ? cmd_fail(ctx, rc, &e) : QS_EX_IOERR;
    return 0;
}

static int cmd_coupon_record(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct push_args a = {.fans = -1};
    struct coupon_record_result res;
    struct qs_err e;
    time_t now, at;
    char fans[32], copy[64];
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0 || (rc = cmd_now(ctx, &now)) != 0)
        return rc;
    if (a.fans >= 0) {
        /* R-CPN-9: the fan count an ad push's estimate takes. */
        if (argc > 0 || a.coupon || a.at)
            return cmd_usage(ctx, "--fans N is given alone");
        if (ctx->dry_run) {
            if (ctx->verbosity >= 0)
                fprintf(stderr, "%s: dry run, nothing written: shop %s would have %ld fans\n",
                        ctx->prog, ctx->shop.name, a.fans);
            return 0;
        }
        snprintf(fans, sizeof fans, "%ld", a.fans);
        if ((rc = shop_setting_set(ctx->store, ctx->shop.name, "coupon.fans", fans, &e)) < 0)
            return cmd_fail(ctx, rc, &e);
        if (ctx->verbosity >= 0)
            fprintf(stderr, "%s: shop %s has %ld fans (coupon.fans)\n", ctx->prog, ctx->shop.name,
                    a.fans);
        return 0;
    }
    if (argc != 1 || (strcmp(argv[0], "ad") != 0 && strcmp(argv[0], "comp") != 0))
        return cmd_usage(ctx, "give the push's type: ad or comp (or --fans N)");
    if (!a.coupon || !a.at)
        return cmd_usage(ctx, "a push made in QSM needs --coupon CODE and --at TIME");
    snprintf(copy, sizeof copy, "%s", a.at);
    for (char *c = copy; *c && c - copy < 10; c++)
        if (*c == '/')
            *c = '-';
    if ((rc = tm_parse(copy, "Asia/Tokyo", now, &at, &e)) < 0)
        return cmd_usage_e(ctx, &e);
    if (ctx->dry_run && (rc = store_begin(ctx->store, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    rc = coupon_record(ctx->store, ctx->shop.name, argv[0], a.coupon, at, now, &res, &e);
    if (rc == 0 && res.other)
        cmd_warn(ctx, "warning: push %lld is in the same week already (one push a week, R-CPN-5)",
                 res.other);
    if (rc == 0)
        rc = print_push(ctx, res.key, &e) == 0 ? 0 : -1;
    if (ctx->dry_run)
        store_rollback(ctx->store);
    if (rc < 0)
        return e.code ? cmd_fail(ctx, rc, &e) : QS_EX_IOERR;
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s push %lld%s\n", ctx->prog,
                res.already    ? "recorded before:"
                : ctx->dry_run ? "would record"
                               : "recorded",
                res.id, ctx->dry_run ? " (dry run: nothing written)" : "");
    return 0;
}

/* preview PUSH: the push mail as one HTML page: -o FILE (-o -: standard output), else
 * preview/<shop>/push-<N>.html beside the store, whose path is printed. */
static int cmd_coupon_preview(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct afile *a = NULL;
    struct qs_err e;
    char *dir = NULL, *path = NULL;
    time_t now;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, NULL, &argc, &argv)) != 0 || (rc = cmd_now(ctx, &now)) != 0)
        return rc;
    if (argc != 1)
        return cmd_usage(ctx, argc ? "one PUSH at a time" : "give the PUSH (its number or key)");
    if (ctx->out_file || ctx->output_stdout) { /* -o FILE, -o - */
        rc = coupon_preview_push(ctx->store, ctx->shop.name, argv[0], now, cmd_out(ctx), &e);
        return rc < 0 ? cmd_fail(ctx, rc, &e) : 0;
    }
    if ((rc = cmd_shop_dir(ctx, "preview", &dir, &e)) < 0)
        goto out;
    path = xasprintf("%s/push-%s.html", dir, argv[0]);
    if ((rc = afile_open(path, NULL, &a, &e)) < 0)
        goto out;
    if ((rc = coupon_preview_push(ctx->store, ctx->shop.name, argv[0], now, afile_fp(a), &e)) < 0) {
        afile_abort(a);
        goto out;
    }
    if ((rc = afile_commit(a, &e)) == 0)
        printf("%s\n", path);
out:
    free(dir);
    free(path);
    return rc < 0 ? cmd_fail(ctx, rc, &e) : 0;
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
    QS_VERB("push", cmd_coupon_push, "ad|comp [FILE|-]", SHOP_W | QS_OPTS_ANYWHERE, push_opts,
            "apply for a coupon push to fans (ad) or buyers of orders (comp)"),
    QS_VERB_ARG("cancel", cmd_coupon_run, 1, "PUSH", NULL, SHOP_W | QS_OPTS_ANYWHERE, run_opts,
                "cancel a push, until 24 hours before it is sent"),
    QS_VERB_ARG("run", cmd_coupon_run, 0, NULL, NULL, SHOP_W, run_opts,
                "hand off what is due: pushes and cancels waiting or to retry"),
    QS_VERB_USAGE("confirm", cmd_coupon_confirm,
                  "confirm PUSH --applied|--sent [--recipients N]|--cancelled",
                  SHOP_W | QS_OPTS_ANYWHERE, confirm_opts, "record what QSM did with a push"),
    QS_VERB_USAGE("record", cmd_coupon_record,
                  "record ad|comp --coupon CODE --at TIME | record --fans N",
                  SHOP_W | QS_OPTS_ANYWHERE, record_opts,
                  "enter a push made in QSM, or the shop's fan count"),
    QS_VERB("plan", cmd_coupon_plan, NULL, SHOP_W, NULL,
            "the coming four weeks: pushes and free send times"),
    QS_VERB("preview", cmd_coupon_preview, "PUSH", QS_NEEDS_SHOP | QS_OPTS_ANYWHERE, NULL,
            "write the push mail as one HTML page that opens offline"),
    QS_VERB("history", cmd_coupon_history, NULL, SHOP_W, history_opts,
            "list pushes with their states and estimates"),
    {.name = NULL},
};

const struct qs_cmd qs_cmd_coupon =
    QS_COMMAND("coupon", "record shop coupons and push them", coupon_verbs);

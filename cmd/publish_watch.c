/* publish_watch.c: qs publish watch add|remove|pause|list|run -- source monitoring (SPEC
 * 2.4, R-SRC-2, R-SRC-3). The rules live in libcore/publish/source_watch*.c; this file
 * parses options, selects, prints. Its verb line is in publish.c's table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "../libcore/publish/publish.h"
#include "../libcore/qapi/qapi.h"

#include "publish_watch.h"

/* --price-alert P or P%: percent with at most two decimals, into percent x 100. */
static int parse_alert(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    struct pub_price_edit pe;
    char buf[64];
    (void)ctx;
    snprintf(buf, sizeof buf, "+%s%s", arg, strchr(arg, '%') ? "" : "%");
    if (*arg == '+' || *arg == '-' || pub_price_edit_parse(buf, &pe) < 0 || !pe.relative ||
        pe.pct100 <= 0)
        return err_set(e, QS_E_USAGE, NULL, "--price-alert \"%s\" is not a percentage like 10%%",
                       arg);
    *(long long *)target = pe.pct100;
    return 0;
}

struct watch_args {
    int on_out;
    long long alert;
    const char *group;
    enum rec_enc enc;
};

const struct qs_opt publish_watch_opts[] = {
    OPT_ENUM(struct watch_args, on_out, "on-out", "zero|withdraw|none", src_on_out_names,
             "add: what an out-of-stock source does to the listing (R-SRC-3; default none)"),
    OPT_PARSE(struct watch_args, alert, "price-alert", "P%", parse_alert,
              "add: report a source price that moves more than P percent (never applied)"),
    OPT_STRING(struct watch_args, group, "group", "G", "add, remove, pause: products of group G"),
    OPT_ENC(struct watch_args, enc),
    OPT_END,
};

struct wout {
    const struct qs_ctx *ctx;
    const char *const *cols;
    size_t ncols;
    struct rec_writer *w;
    long rows, bad;
};

static int wout_row(void *p, const struct rec *r, struct qs_err *e)
{
    struct wout *o = p;
    int rc;
    if (!o->w && (rc = cmd_open_writer(o->ctx, o->cols, o->ncols, &o->w, e)) < 0)
        return rc;
    o->rows++;
    return rec_write(o->w, r, e);
}

static int wout_jrow(void *p, enum job_outcome oc, const struct rec *r, struct qs_err *e)
{
    struct wout *o = p;
    o->bad += oc == JOB_FAILED || oc == JOB_RETRY || oc == JOB_UNKNOWN;
    return wout_row(p, r, e);
}

static void wout_diag(void *p, const struct qs_err *e, int warning)
{
    struct wout *o = p;
    char buf[2200];
    struct qs_err w = *e;
    if (warning && o->ctx->verbosity < 0)
        return;
    if (warning)
        snprintf(w.msg, sizeof w.msg, "warning: %.1000s", e->msg);
    fprintf(stderr, "%s\n", err_format(&w, o->ctx->prog, buf, sizeof buf));
}

static int wout_close(struct wout *o, int rc, struct qs_err *e)
{
    if (rc == 0 && !o->w)
        rc = cmd_open_writer(o->ctx, o->cols, o->ncols, &o->w, e);
    if (o->w) {
        int c = rec_writer_close(o->w, rc == 0 ? e : NULL);
        rc = rc == 0 ? c : rc;
    }
    o->w = NULL;
    return rc < 0 ? cmd_out_fail(o->ctx, rc, e) : 0;
}

int cmd_publish_watch(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    static const char *const change_cols[] = {"parent_sku", "state", "message"};
    static const char *const list_cols[] = {"parent_sku", "state", "on_out",   "price_alert", "url",
                                            "url_state",  "price", "currency", "checked_at"};
    struct watch_args a = {.on_out = -1, .alert = -1};
    const char *act = argc > 1 ? argv[1] : "";
    struct wout o = {ctx, change_cols, 3, NULL, 0, 0};
    struct pub_cb cb = {.ctx = &o, .row = wout_row, .diag = wout_diag, .jrow = wout_jrow};
    struct qs_err e;
    int rc;
    enum src_verb verb = SRC_ADD;

    err_clear(&e);
    if (strcmp(act, "add") && strcmp(act, "remove") && strcmp(act, "pause") &&
        strcmp(act, "list") && strcmp(act, "run"))
        return cmd_usage(ctx, "\"%s\" is not add, remove, pause, list or run", act);
    argc--, argv++;
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if ((a.on_out >= 0 || a.alert >= 0) && strcmp(act, "add") != 0)
        return cmd_usage(ctx, "--on-out and --price-alert go with add");
    if (!strcmp(act, "list") || !strcmp(act, "run")) {
        if (argc || a.group)
            return cmd_usage(ctx, "%s takes no products", act);
        if (!strcmp(act, "list")) {
            o.cols = list_cols, o.ncols = 9;
            rc = src_watch_list(ctx->store, ctx->shop.name, cmd_tz(ctx), &cb, &e);
            return wout_close(&o, rc, &e);
        }
        struct pub_run_opts ro = {.now = time(NULL),
                                  .tz = cmd_tz(ctx),
                                  .dry_run = ctx->dry_run,
                                  .quiet = ctx->verbosity < 0,
                                  .inflight_s = -1};
        struct src_run_stats st;
        struct qapi *q = NULL;
        o.cols = src_run_columns(&o.ncols);
        ro.due_by = ro.now;
        if (!ctx->dry_run && (rc = cmd_open_qapi(ctx, &q, &e)) < 0)
            return cmd_out_fail(ctx, rc, &e);
        rc = src_watch_run(ctx->store, q, ctx->shop.name, &ro, &cb, &st, &e);
        qapi_close(q);
        if (rc == QS_E_USAGE)
            return cmd_usage_e(ctx, &e); /* SPEC 1.7: no source hook yet */
        if ((rc = wout_close(&o, rc, &e)) != 0)
            return rc;
        if (ctx->verbosity >= 0 && !ctx->dry_run)
            fprintf(stderr,
                    "%s: %ld URL%s checked, %ld answered, %ld failed (states kept); %ld change%s, "
                    "%ld action%s, %ld price alert%s\n",
                    ctx->prog, st.checked, st.checked == 1 ? "" : "s", st.answered, st.failed,
                    st.changed, st.changed == 1 ? "" : "s", st.actions, st.actions == 1 ? "" : "s",
                    st.alerts, st.alerts == 1 ? "" : "s");
        /* SPEC 1.3: a source to ask again, or an action to send again, is retryable. */
        return st.failed || o.bad ? QS_EX_TEMPFAIL : 0;
    }
    verb = !strcmp(act, "add") ? SRC_ADD : !strcmp(act, "remove") ? SRC_REMOVE : SRC_PAUSE;
    int dash = 0;
    for (int i = 0; i < argc; i++)
        dash |= strcmp(argv[i], "-") == 0;
    if (argc == 0 && !a.group)
        return cmd_usage(ctx, "name the products: SKUs or Parent SKUs, - or --group");
    struct pub_select_opts so = {.args = argv,
                                 .nargs = argc,
                                 .in = dash ? stdin : NULL,
                                 .in_name = "-",
                                 .enc = a.enc,
                                 .sheet = ctx->sheet,
                                 .group = a.group};
    struct pub_sel sel = {0};
    struct src_watch_opts wo = {a.on_out, a.alert};
    long changed = 0;
    if ((rc = pub_select(ctx->store, ctx->shop.name, &so, &cb, &sel, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    rc = src_watch_change(ctx->store, ctx->shop.name, &sel, verb, &wo, ctx->dry_run, &cb, &changed,
                          &e);
    pub_sel_free(&sel);
    if ((rc = wout_close(&o, rc, &e)) != 0)
        return rc;
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s%ld product%s %s\n", ctx->prog,
                ctx->dry_run ? "dry run, nothing written: " : "", changed, changed == 1 ? "" : "s",
                verb == SRC_ADD     ? "watched"
                : verb == SRC_PAUSE ? "paused"
                                    : "no longer watched");
    return 0;
}

/* sync.c: qs sync -- sync orders, products and stock with the marketplace (SPEC 7).
 * Built verbs parse their options, call libcore/sync and print records; the rules live
 * there. Verbs not built yet answer --help, and running one says so and exits 64. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "../libcore/afile.h"
#include "../libcore/audit.h"
#include "../libcore/qapi.h"
#include "../libcore/sync.h"
#include "../libcore/tm.h"
#include "../libcore/xalloc.h"

enum {
    OPT_SINCE = 256,
    OPT_STATUS,
    OPT_ALL,
    OPT_FULL,
    OPT_SKIP_BAD,
    OPT_REJECTS,
    OPT_RETRY_FAILED,
    OPT_ENCODING,
    OPT_SHIP_BY,
    OPT_KIND,
};

/* UTC ISO-8601 from the store -> "YYYY-MM-DD HH:MM:SS" in the output zone ("" stays ""). */
static const char *local_time(const struct qs_ctx *ctx, const char *iso, char *buf, size_t size)
{
    time_t t;
    buf[0] = '\0';
    if (iso && *iso && tm_parse_utc_iso(iso, &t) == 0 &&
        tm_format(t, cmd_tz(ctx), 0, buf, size) < 0)
        buf[0] = '\0';
    return buf;
}

/* STYLE.md: a reader that went away (qs sync orders | head) ends the output quietly. */
static int out_fail(const struct qs_ctx *ctx, int rc, const struct qs_err *e)
{
    if (rc == QS_E_IO && ferror(stdout) && errno == EPIPE)
        return 0;
    return cmd_fail(ctx, rc, e);
}

static int open_writer(struct qs_ctx *ctx, const char *const *cols, size_t n, struct rec_writer **w,
                       struct qs_err *e)
{
    struct rec_writer_opts wo = cmd_writer_opts(ctx);
    return rec_writer_open(stdout, &wo, cols, n, w, e);
}

static int open_qapi(struct qs_ctx *ctx, struct qapi **q, struct qs_err *e)
{
    return qapi_open(ctx->store, ctx->shop.name, ctx->dry_run, stdout, q, e);
}

/* "a; b; c; and N more": the first of n examples (strings stride bytes apart, at most
 * max of them kept). Malloc'd. */
static char *examples(const char *first, size_t stride, long n, long max)
{
    size_t cap = (size_t)max * (stride + 2) + 32, len = 0;
    char *list = xmalloc(cap);

    list[0] = '\0';
    for (long i = 0; i < n && i < max; i++)
        len += (size_t)snprintf(list + len, cap - len, "%s%s", i ? "; " : "",
                                first + (size_t)i * stride);
    if (n > max)
        snprintf(list + len, cap - len, "; and %ld more", n - max);
    return list;
}

/* A whole-number shop setting of at least min, or def when unset. */
static int setting_long(struct qs_ctx *ctx, const char *key, long def, long min, long *out,
                        struct qs_err *e)
{
    char *v = NULL, *end;
    int rc = shop_setting_get(ctx->store, ctx->shop.name, key, &v, e);
    *out = def;
    if (rc == 0 && v) {
        errno = 0;
        *out = strtol(v, &end, 10);
        if (errno || end == v || *end || *out < min)
            rc = err_set(e, QS_E_USAGE, NULL,
                         "shop %s: setting %s is \"%s\", not a number of at least %ld; fix it "
                         "with `qs init --shop %s --set %s=N`",
                         ctx->shop.name, key, v, min, ctx->shop.name, key);
    }
    free(v);
    return rc;
}

/* R-SYN-9 (D7): setting sync.open_form, how open orders are asked for (default
 * per-status; `qs sync probe --apply` may set zero or blank). */
static int setting_open_form(struct qs_ctx *ctx, int *out, struct qs_err *e)
{
    char *v = NULL;
    int rc = shop_setting_get(ctx->store, ctx->shop.name, "sync.open_form", &v, e);
    *out = SYNC_OPEN_PER_STATUS;
    if (rc == 0 && v && (*out = sync_open_form_parse(v)) < 0)
        rc = err_set(e, QS_E_USAGE, "R-SYN-9",
                     "shop %s: setting sync.open_form is \"%s\", not per-status, zero or blank; "
                     "fix it with `qs init --shop %s --set sync.open_form=per-status`",
                     ctx->shop.name, v, ctx->shop.name);
    free(v);
    return rc;
}

/* ---- orders ------------------------------------------------------------------------- */

static const struct cmd_gopt orders_opts[] = {
    {"since", required_argument, OPT_SINCE, "TIME",
     "pull from TIME on (the first time; later only when it reaches further back)"},
    {"status", required_argument, OPT_STATUS, "S",
     "print only lines in status S: unpaid, paid, confirmed, shipped, delivered or 1-5 "
     "(comma-separated list)"},
    {"all", no_argument, OPT_ALL, NULL, "print every stored line, not only those seen in this run"},
    {NULL, 0, 0, NULL, NULL},
};

static const char *const line_cols[] = {
    "order_no",  "pack_no",      "status",  "status_code", "claim",  "seller_code", "option_code",
    "item_code", "title",        "qty",     "total",       "buyer",  "order_date",  "paid_date",
    "ship_by",   "shipped_date", "carrier", "tracking",    "change",
};

struct lines_out {
    struct qs_ctx *ctx;
    struct rec_writer *w;
    struct rec *r;
    struct qs_err *e;
    long n;
};

static int print_line(const struct sync_line *l, void *p)
{
    struct lines_out *o = p;
    char buf[64], claim[32];
    struct rec *r = o->r;

    rec_clear(r);
    rec_set(r, "order_no", l->order_no);
    rec_set(r, "pack_no", l->pack_no);
    rec_set(r, "status", sync_status_name(l->status));
    snprintf(buf, sizeof buf, "%d", l->status);
    rec_set(r, "status_code", buf);
    rec_set(r, "claim", sync_claim_name(l->claim, claim, sizeof claim));
    rec_set(r, "seller_code", l->seller_code);
    rec_set(r, "option_code", l->option_code);
    rec_set(r, "item_code", l->item_code);
    rec_set(r, "title", l->title);
    snprintf(buf, sizeof buf, "%lld", l->qty);
    rec_set(r, "qty", buf);
    snprintf(buf, sizeof buf, "%lld", l->total);
    rec_set(r, "total", buf);
    rec_set(r, "buyer", l->buyer);
    rec_set(r, "order_date", local_time(o->ctx, l->order_date, buf, sizeof buf));
    rec_set(r, "paid_date", local_time(o->ctx, l->paid_date, buf, sizeof buf));
    rec_set(r, "ship_by", local_time(o->ctx, l->ship_by, buf, sizeof buf));
    rec_set(r, "shipped_date", local_time(o->ctx, l->shipped_date, buf, sizeof buf));
    rec_set(r, "carrier", l->carrier);
    rec_set(r, "tracking", l->tracking);
    rec_set(r, "change", l->change);
    o->n++;
    return rec_write(o->w, r, o->e);
}

/* "paid,confirmed" or "2,3" -> a mask with bit (1 << code) per status. */
static int status_mask(const char *s, unsigned *mask)
{
    char *copy = xstrdup(s), *save = NULL;
    int ok = 1;
    for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        int c = sync_status_parse(t);
        if (c < 0)
            ok = 0;
        else
            *mask |= 1u << c;
    }
    free(copy);
    return ok && *mask ? 0 : -1;
}

/* SPEC 1.3: 69 only when no outside call succeeded; after some did, a marketplace that
 * stopped answering is a temporary failure. */
static int pull_fail(struct qs_ctx *ctx, int rc, long calls, const struct qs_err *e)
{
    int code = cmd_fail(ctx, rc, e);
    return code == QS_EX_UNAVAILABLE && calls > 0 ? QS_EX_TEMPFAIL : code;
}

static int sync_orders(struct qs_ctx *ctx, int argc, char **argv)
{
    ctx->prog = "qs sync orders";
    const struct qs_verb *v = &qs_cmd_sync.verbs[0];
    struct sync_orders_opts o = {0};
    struct sync_orders_stats st = {0};
    struct lines_out out = {0};
    struct cmd_getopt g;
    struct qapi *q = NULL;
    struct qs_err e, e2;
    unsigned mask = 0;
    int c, rc = 0, prc = 0, all = 0, tx = 0;

    err_clear(&e);
    err_clear(&e2);
    o.now = time(NULL);
    cmd_getopt_init(&g, ctx, &qs_cmd_sync, v);
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        switch (c) {
        case OPT_SINCE:
            if (tm_parse(optarg, cmd_tz(ctx), o.now, &o.since, &e) < 0)
                return cmd_usage(ctx, "--since: %s", e.msg);
            break;
        case OPT_STATUS:
            if (status_mask(optarg, &mask) < 0)
                return cmd_usage(ctx,
                                 "--status \"%s\" is not unpaid, paid, confirmed, shipped, "
                                 "delivered or 1-5",
                                 optarg);
            break;
        case OPT_ALL:
            all = 1;
            break;
        default:
            return QS_EX_USAGE;
        }
    }
    if (optind < argc)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[optind]);
    o.quiet = ctx->verbosity < 0;
    if ((rc = setting_long(ctx, "sync.window_cap", SYNC_DEFAULT_CAP, 1, &o.cap, &e)) < 0 ||
        (rc = setting_open_form(ctx, &o.open_form, &e)) < 0 || (rc = open_qapi(ctx, &q, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    /* --dry-run: pull and print as usual inside one transaction, then roll it back. */
    if (ctx->dry_run && (rc = store_begin(ctx->store, &e)) < 0) {
        qapi_close(q);
        return cmd_fail(ctx, rc, &e);
    }
    tx = ctx->dry_run;
    prc = sync_orders_pull(ctx->store, q, ctx->shop.name, &o, &st, &e);
    /* The lines seen are printed even when a later window failed: they are stored. */
    out.ctx = ctx;
    out.e = &e2;
    out.r = rec_new();
    if ((rc = open_writer(ctx, line_cols, sizeof line_cols / sizeof line_cols[0], &out.w, &e2)) ==
        0) {
        rc = sync_lines_each(ctx->store, ctx->shop.name, !all, mask, print_line, &out, &e2);
        int crc = rec_writer_close(out.w, rc < 0 ? NULL : &e2);
        if (rc == 0)
            rc = crc;
    }
    rec_free(out.r);
    if (tx)
        store_rollback(ctx->store);
    qapi_close(q);
    if (ctx->verbosity >= 0 && st.truncated)
        cmd_warn(ctx,
                 "%ld one-second window%s returned %ld rows or more and may be incomplete "
                 "(R-SYN-1c); raise the setting sync.window_cap if the marketplace returns more",
                 st.truncated, st.truncated == 1 ? "" : "s", o.cap);
    if (ctx->verbosity >= 0)
        fprintf(stderr,
                "%s: %ld new, %ld changed, %ld event%s; %ld row%s in %ld window%s (%ld split)%s\n",
                ctx->prog, st.lines_new, st.lines_changed, st.events, st.events == 1 ? "" : "s",
                st.rows, st.rows == 1 ? "" : "s", st.windows, st.windows == 1 ? "" : "s", st.splits,
                ctx->dry_run ? "; dry run: nothing stored" : "");
    if (st.unread) {
        /* R-SYN-9: never read as 0; reported whatever the verbosity (exit 1) */
        char *list =
            examples(st.unread_shown[0], sizeof st.unread_shown[0], st.unread, SYNC_UNREAD_SHOWN);
        cmd_warn(ctx,
                 "%ld row%s with a status qs cannot read %s not stored and will be read again "
                 "(R-SYN-9): %s; see qs sync log --kind sync",
                 st.unread, st.unread == 1 ? "" : "s", st.unread == 1 ? "was" : "were", list);
        free(list);
    }
    if (prc < 0)
        return pull_fail(ctx, prc, st.calls, &e);
    if (rc < 0)
        return out_fail(ctx, rc, &e2);
    return st.unread ? QS_EX_FAIL : 0;
}

/* ---- products ----------------------------------------------------------------------- */

static const struct cmd_gopt products_opts[] = {
    {"full", no_argument, OPT_FULL, NULL,
     "read every item's details, not only those of new or changed items"},
    {NULL, 0, 0, NULL, NULL},
};

static const char *const item_cols[] = {"item_code", "seller_code", "status", "title",
                                        "price",     "qty",         "change"};

struct items_out {
    struct rec_writer *w;
    struct rec *r;
    struct qs_err *e;
};

static int print_item(const struct sync_item *it, void *p)
{
    struct items_out *o = p;
    char buf[32];
    rec_clear(o->r);
    rec_set(o->r, "item_code", it->item_code);
    rec_set(o->r, "seller_code", it->seller_code);
    rec_set(o->r, "status", it->status);
    rec_set(o->r, "title", it->title);
    snprintf(buf, sizeof buf, "%lld", it->price);
    rec_set(o->r, "price", buf);
    snprintf(buf, sizeof buf, "%lld", it->qty);
    rec_set(o->r, "qty", buf);
    rec_set(o->r, "change", it->change);
    return rec_write(o->w, o->r, o->e);
}

static int sync_products(struct qs_ctx *ctx, int argc, char **argv)
{
    ctx->prog = "qs sync products";
    const struct qs_verb *v = &qs_cmd_sync.verbs[1];
    struct sync_products_opts o = {0};
    struct sync_products_stats st = {0};
    struct items_out out = {0};
    struct cmd_getopt g;
    struct qapi *q = NULL;
    struct qs_err e, e2;
    int c, rc, crc, tx = 0;

    err_clear(&e);
    err_clear(&e2);
    cmd_getopt_init(&g, ctx, &qs_cmd_sync, v);
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        if (c != OPT_FULL)
            return QS_EX_USAGE;
        o.full = 1;
    }
    if (optind < argc)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[optind]);
    o.quiet = ctx->verbosity < 0;
    if ((rc = open_qapi(ctx, &q, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    if ((rc = open_writer(ctx, item_cols, sizeof item_cols / sizeof item_cols[0], &out.w, &e2)) <
        0) {
        qapi_close(q);
        return cmd_fail(ctx, rc, &e2);
    }
    if (ctx->dry_run && (rc = store_begin(ctx->store, &e)) == 0)
        tx = 1;
    out.r = rec_new();
    out.e = &e2;
    if (rc == 0)
        rc = sync_products_pull(ctx->store, q, ctx->shop.name, &o, print_item, &out, &st, &e);
    crc = rec_writer_close(out.w, &e2);
    rec_free(out.r);
    if (tx)
        store_rollback(ctx->store);
    qapi_close(q);
    if (ctx->verbosity >= 0)
        fprintf(stderr,
                "%s: %ld item%s listed: %ld new, %ld changed, %ld gone; %ld detail%s read%s\n",
                ctx->prog, st.items, st.items == 1 ? "" : "s", st.items_new, st.items_changed,
                st.items_gone, st.details, st.details == 1 ? "" : "s",
                ctx->dry_run ? "; dry run: nothing stored" : "");
    if (st.refused) {
        /* R-SYN-9 (D8): kept, not gone; reported whatever the verbosity (exit 1) */
        char *list = examples(st.refused_shown[0], sizeof st.refused_shown[0], st.refused,
                              SYNC_REFUSED_SHOWN);
        cmd_warn(ctx,
                 "the marketplace refused the details of %ld item%s, kept as stored (only -10001 "
                 "means an item is gone, R-SYN-9): %s; see qs sync log --kind GetItemDetailInfo",
                 st.refused, st.refused == 1 ? "" : "s", list);
        free(list);
    }
    if (rc < 0)
        return e2.code && !e.code ? cmd_fail(ctx, rc, &e2) : pull_fail(ctx, rc, st.calls, &e);
    if (crc < 0)
        return out_fail(ctx, crc, &e2);
    return st.refused ? QS_EX_FAIL : 0;
}

/* ---- ship and confirm ----------------------------------------------------------------- */

static const struct cmd_gopt ship_opts[] = {
    {"skip-bad", no_argument, OPT_SKIP_BAD, NULL,
     "send the good lines even when some input lines are bad (those are reported)"},
    {"rejects", required_argument, OPT_REJECTS, "FILE",
     "with --skip-bad, write the bad lines with a reason column to FILE"},
    {"retry-failed", no_argument, OPT_RETRY_FAILED, NULL,
     "also send again, now, lines that failed or wait for their retry"},
    {"encoding", required_argument, OPT_ENCODING, "ENC", "input encoding: auto, utf-8 or cp932"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct cmd_gopt confirm_opts[] = {
    {"ship-by", required_argument, OPT_SHIP_BY, "DATE",
     "the estimated shipping date sent (default: tomorrow in Japan; at most 30 days ahead)"},
    {"skip-bad", no_argument, OPT_SKIP_BAD, NULL,
     "confirm the good lines even when some input lines are bad (those are reported)"},
    {"rejects", required_argument, OPT_REJECTS, "FILE",
     "with --skip-bad, write the bad lines with a reason column to FILE"},
    {"retry-failed", no_argument, OPT_RETRY_FAILED, NULL,
     "also send again, now, lines that failed or wait for their retry"},
    {"encoding", required_argument, OPT_ENCODING, "ENC", "input encoding: auto, utf-8 or cp932"},
    {NULL, 0, 0, NULL, NULL},
};

struct send_cli {
    struct qs_ctx *ctx;
    struct sync_req *reqs;
    size_t n, cap;
    struct rec_writer *rejects;
    struct rec *r;
    long ok, failed, retry, unknown;
    struct rec_writer *w;
    struct qs_err *e;
};

static void req_add(struct send_cli *c, const char *no, const char *carrier, const char *tracking,
                    long line)
{
    if (c->n == c->cap)
        c->reqs = xrealloc(c->reqs, (c->cap = c->cap ? 2 * c->cap : 64) * sizeof *c->reqs);
    c->reqs[c->n++] = (struct sync_req){
        xstrdup(no ? no : ""),
        carrier ? xstrdup(carrier) : NULL,
        tracking ? xstrdup(tracking) : NULL,
        line,
    };
}

static void reqs_free(struct send_cli *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->reqs[i].order_no);
        free(c->reqs[i].carrier);
        free(c->reqs[i].tracking);
    }
    free(c->reqs);
}

static const char *const no_names[] = {"order_no", "OrderNo", "orderNo", "ContrNo", NULL};
static const char *const carrier_names[] = {"carrier", "ShippingCorp", "DeliveryCompany", NULL};
static const char *const tracking_names[] = {"tracking", "TrackingNo", "trackingNo", NULL};

struct reqs_ctx {
    struct send_cli *c;
    int ship;
    struct qs_err *e;
};

static int req_rec(const struct rec *r, long line, void *p)
{
    struct reqs_ctx *rc = p;
    const char *no = cmd_field(r, no_names);
    if (!no) /* cmd_each_record adds the file and line */
        return err_set(rc->e, QS_E_DATA, "R-SYN-1b", "the input has no order_no column%s",
                       rc->ship ? " (also needed: carrier, tracking)" : "");
    req_add(rc->c, no, rc->ship ? cmd_field(r, carrier_names) : NULL,
            rc->ship ? cmd_field(r, tracking_names) : NULL, line);
    return 0;
}

/* Reads the input records: order_no (and carrier, tracking for ship), by SPEC 1.2's
 * names or QSM's. */
static int read_reqs(struct send_cli *c, const char *file, enum rec_enc enc, int ship,
                     struct qs_err *e)
{
    struct reqs_ctx rc = {c, ship, e};
    return cmd_each_record(file, enc, req_rec, &rc, e);
}

static void reject(const struct sync_req *r, const struct qs_err *e, void *p)
{
    struct send_cli *c = p;
    char buf[2048], line[24];
    struct qs_err ignore;

    fprintf(stderr, "%s\n", err_format(e, c->ctx->prog, buf, sizeof buf));
    if (!c->rejects)
        return;
    rec_clear(c->r);
    rec_set(c->r, "order_no", r->order_no ? r->order_no : "");
    rec_set(c->r, "carrier", r->carrier ? r->carrier : "");
    rec_set(c->r, "tracking", r->tracking ? r->tracking : "");
    snprintf(line, sizeof line, "%ld", r->line);
    rec_set(c->r, "line", line);
    snprintf(buf, sizeof buf, "%s (%s)", e->msg, e->rule);
    rec_set(c->r, "reason", buf);
    rec_write(c->rejects, c->r, &ignore);
}

static int print_result(const struct sync_result *res, void *p)
{
    struct send_cli *c = p;
    if (strcmp(res->result, "ok") == 0)
        c->ok++;
    else if (strcmp(res->result, "failed") == 0)
        c->failed++;
    else if (strcmp(res->result, "unknown") == 0)
        c->unknown++;
    else
        c->retry++;
    rec_clear(c->r);
    rec_set(c->r, "order_no", res->order_no);
    rec_set(c->r, "result", res->result);
    rec_set(c->r, "code", res->code);
    rec_set(c->r, "message", res->message);
    return rec_write(c->w, c->r, c->e);
}

static const char *const result_cols[] = {"order_no", "result", "code", "message"};
static const char *const reject_cols[] = {"order_no", "carrier", "tracking", "line", "reason"};

/* The shared body of ship and confirm: read, check, queue, send, report (R-SYN-1b). */
static int send_verb(struct qs_ctx *ctx, int argc, char **argv, enum sync_action action)
{
    const struct qs_verb *v = &qs_cmd_sync.verbs[action == SYNC_SHIP ? 2 : 3];
    struct sync_send_opts o = {.action = action, .shop = ctx->shop.name, .now = time(NULL)};
    struct sync_send_stats st = {0};
    struct send_cli c = {.ctx = ctx};
    struct sync_send *p = NULL;
    struct cmd_getopt g;
    struct qapi *q = NULL;
    const char *file = "-", *rejects = NULL, *ship_by = NULL;
    enum rec_enc enc = REC_ENC_AUTO;
    struct afile *rej = NULL;
    struct qs_err e;
    int ch, rc = 0, tx = 0, code = 0, args;

    err_clear(&e);
    ctx->prog = action == SYNC_SHIP ? "qs sync ship" : "qs sync confirm";
    cmd_getopt_init(&g, ctx, &qs_cmd_sync, v);
    while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
        switch (ch) {
        case OPT_SKIP_BAD:
            o.skip_bad = 1;
            break;
        case OPT_REJECTS:
            rejects = optarg;
            break;
        case OPT_RETRY_FAILED:
            o.retry_failed = 1;
            break;
        case OPT_ENCODING:
            if (rec_enc_parse(optarg, &enc) < 0)
                return cmd_usage(ctx, "--encoding \"%s\" is not auto, utf-8 or cp932", optarg);
            break;
        case OPT_SHIP_BY:
            ship_by = optarg;
            break;
        default:
            return QS_EX_USAGE;
        }
    }
    if (rejects && !o.skip_bad)
        return cmd_usage(ctx, "--rejects needs --skip-bad");
    if (action == SYNC_SHIP && argc - optind > 1)
        return cmd_usage(ctx, "one input file at most (or - for stdin)");
    if (action == SYNC_CONFIRM && (rc = sync_est_ship_date(ship_by, o.now, o.est, &e)) < 0)
        return cmd_usage(ctx, "%s", e.msg);
    o.quiet = ctx->verbosity < 0;
    o.dry_run = ctx->dry_run;
    if ((rc = setting_long(ctx, "sync.window_cap", SYNC_DEFAULT_CAP, 1, &o.cap, &e)) < 0 ||
        (rc = setting_long(ctx, "sync.inflight_s", SYNC_INFLIGHT_S, 0, &o.inflight_s, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    c.r = rec_new();
    args = action == SYNC_CONFIRM && optind < argc && strcmp(argv[optind], "-") != 0;
    if (!args && optind < argc)
        file = argv[optind];
    /* Issue 8 item 7: never over the input; renamed in only when lines were rejected. */
    if (rejects && (rc = afile_open(rejects, args ? NULL : file, &rej, &e)) < 0) {
        code = rc == QS_E_USAGE ? cmd_usage(ctx, "--rejects %s", e.msg) : cmd_fail(ctx, rc, &e);
        goto out;
    }

    /* Input: order numbers as arguments (confirm), else records from FILE or stdin. */
    if (args) {
        for (int i = optind; i < argc; i++) {
            if (strspn(argv[i], "0123456789") != strlen(argv[i]) && access(argv[i], R_OK) == 0) {
                code = cmd_usage(ctx,
                                 "\"%s\" is a file, not an order number; give order numbers, "
                                 "or the records on standard input: qs sync confirm < %s",
                                 argv[i], argv[i]);
                goto out;
            }
            req_add(&c, argv[i], NULL, NULL, 0);
        }
        file = "argument";
    } else {
        if ((rc = read_reqs(&c, file, enc, action == SYNC_SHIP, &e)) < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
    }
    o.file = file;
    if (rej) {
        struct rec_writer_opts wo = {.fmt = REC_CSV, .enc = REC_ENC_UTF8};
        if ((rc = rec_writer_open(afile_fp(rej), &wo, reject_cols, 5, &c.rejects, &e)) < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
    }
    if ((rc = open_qapi(ctx, &q, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    rc = sync_send_plan(ctx->store, &o, c.reqs, c.n, reject, &c, &p, &st, &e);
    if (c.rejects && rec_writer_close(c.rejects, &e) < 0 && rc == 0)
        rc = QS_E_IO;
    c.rejects = NULL;
    if (rc < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    /* --dry-run: everything in one transaction, rolled back; the requests are printed. */
    if (ctx->dry_run) {
        if ((rc = store_begin(ctx->store, &e)) < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
        tx = 1;
    }
    if ((rc = sync_send_enqueue(p, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    /* The good lines are queued: the rejected ones are final, whatever the sending does. */
    if (rej && st.rejected) {
        rc = afile_commit(rej, &e);
        rej = NULL;
        if (rc < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
    }
    if ((rc = sync_send_run(p, q, &st, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (ctx->dry_run) {
        if (ctx->verbosity >= 0)
            fprintf(stderr, "%s: dry run: nothing sent or stored\n", ctx->prog);
        goto out;
    }
    c.e = &e;
    if ((rc = open_writer(ctx, result_cols, 4, &c.w, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    rc = sync_send_report(p, print_result, &c, &e);
    if (rec_writer_close(c.w, rc < 0 ? NULL : &e) < 0 && rc == 0)
        rc = QS_E_IO;
    if (rc < 0) {
        code = out_fail(ctx, rc, &e);
        goto out;
    }
    if (ctx->verbosity >= 0) {
        fprintf(stderr, "%s: %s %ld, failed %ld", ctx->prog,
                action == SYNC_SHIP ? "sent" : "confirmed", c.ok, c.failed);
        if (c.retry)
            fprintf(stderr, ", to retry %ld", c.retry);
        if (c.unknown)
            fprintf(stderr, ", unknown %ld", c.unknown);
        if (st.rejected)
            fprintf(stderr, ", rejected %ld", st.rejected);
        fputc('\n', stderr);
    }
    /* SPEC 1.3: 75 when something is to retry, else 1 when some failed; 69 when the
     * marketplace never answered. */
    if (c.retry || c.unknown)
        code = st.calls_ok == 0 && st.calls_failed > 0 ? QS_EX_UNAVAILABLE : QS_EX_TEMPFAIL;
    else if (c.failed || st.rejected)
        code = QS_EX_FAIL;
out:
    if (tx)
        store_rollback(ctx->store);
    if (c.rejects)
        rec_writer_close(c.rejects, NULL);
    afile_abort(rej); /* no rejects, or nothing queued: FILE is left as it was */
    sync_send_free(p);
    qapi_close(q);
    rec_free(c.r);
    reqs_free(&c);
    return code;
}

static int sync_ship(struct qs_ctx *ctx, int argc, char **argv)
{
    return send_verb(ctx, argc, argv, SYNC_SHIP);
}

static int sync_confirm(struct qs_ctx *ctx, int argc, char **argv)
{
    return send_verb(ctx, argc, argv, SYNC_CONFIRM);
}

/* ---- log ------------------------------------------------------------------------------- */

static const struct cmd_gopt log_opts[] = {
    {"since", required_argument, OPT_SINCE, "TIME", "only calls at or after TIME"},
    {"kind", required_argument, OPT_KIND, "K",
     "only calls of kind K: an outbox kind, a QAPI method, or its group or method name"},
    {NULL, 0, 0, NULL, NULL},
};

static const char *const log_cols[] = {"at",     "shop", "kind",       "key",   "attempt",
                                       "result", "code", "latency_ms", "detail"};

struct log_out {
    struct qs_ctx *ctx;
    const char *kind;
    struct rec_writer *w;
    struct rec *r;
    struct qs_err *e;
};

/* --kind K matches the kind, or either half of a Group.Method. */
static int kind_match(const char *kind, const char *want)
{
    const char *dot = strchr(kind, '.');
    if (strcasecmp(kind, want) == 0)
        return 1;
    if (!dot)
        return 0;
    return strcasecmp(dot + 1, want) == 0 || (strncasecmp(kind, want, (size_t)(dot - kind)) == 0 &&
                                              strlen(want) == (size_t)(dot - kind));
}

static int print_audit(const struct audit_entry *a, void *p)
{
    struct log_out *o = p;
    char buf[64];
    if (o->kind && !kind_match(a->kind ? a->kind : "", o->kind))
        return 0;
    rec_clear(o->r);
    if (tm_format(a->at, cmd_tz(o->ctx), 0, buf, sizeof buf) < 0)
        buf[0] = '\0';
    rec_set(o->r, "at", buf);
    rec_set(o->r, "shop", a->shop ? a->shop : "");
    rec_set(o->r, "kind", a->kind ? a->kind : "");
    rec_set(o->r, "key", a->key ? a->key : "");
    snprintf(buf, sizeof buf, "%d", a->attempt);
    rec_set(o->r, "attempt", buf);
    rec_set(o->r, "result", a->result ? a->result : "");
    rec_set(o->r, "code", a->code ? a->code : "");
    snprintf(buf, sizeof buf, "%ld", a->latency_ms);
    rec_set(o->r, "latency_ms", buf);
    rec_set(o->r, "detail", a->detail ? a->detail : "");
    return rec_write(o->w, o->r, o->e);
}

static int sync_log(struct qs_ctx *ctx, int argc, char **argv)
{
    ctx->prog = "qs sync log";
    const struct qs_verb *v = &qs_cmd_sync.verbs[9];
    struct log_out out = {.ctx = ctx};
    struct cmd_getopt g;
    struct qs_err e;
    time_t since = 0;
    int c, rc, crc;

    err_clear(&e);
    cmd_getopt_init(&g, ctx, &qs_cmd_sync, v);
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        switch (c) {
        case OPT_SINCE:
            if (tm_parse(optarg, cmd_tz(ctx), time(NULL), &since, &e) < 0)
                return cmd_usage(ctx, "--since: %s", e.msg);
            break;
        case OPT_KIND:
            out.kind = optarg;
            break;
        default:
            return QS_EX_USAGE;
        }
    }
    if (optind < argc)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[optind]);
    if ((rc = open_writer(ctx, log_cols, sizeof log_cols / sizeof log_cols[0], &out.w, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    out.r = rec_new();
    out.e = &e;
    /* SPEC 1.6: every outside call, of the shop given with --shop, or of all shops. */
    rc = audit_each(ctx->store, ctx->shop_name, since, print_audit, &out, &e);
    crc = rec_writer_close(out.w, rc < 0 ? NULL : &e);
    rec_free(out.r);
    if (rc == 0)
        rc = crc;
    return rc < 0 ? out_fail(ctx, rc, &e) : 0;
}

/* ---- probe (R-SYN-10) ------------------------------------------------------------------ */

enum { OPT_PROBE_DAYS = 400, OPT_PROBE_ORDER_NO, OPT_PROBE_APPLY };

static const struct cmd_gopt probe_opts[] = {
    {"days", required_argument, OPT_PROBE_DAYS, "N",
     "the open-orders window: the last N days by order date (1-90, default 30)"},
    {"order-no", required_argument, OPT_PROBE_ORDER_NO, "NO",
     "the order number of the two bulk writes; must not exist (default 1)"},
    {"output", required_argument, 'o', "FILE",
     "the probe file (default qs-probe-SHOP-YYYYmmddTHHMMSSZ.json); never overwritten"},
    {"apply", no_argument, OPT_PROBE_APPLY, NULL,
     "store the findings as shop settings (sync.open_form, sync.window_cap, "
     "qapi.inventory_form)"},
    {NULL, 0, 0, NULL, NULL},
};

static int print_finding(const char *name, const json_t *value, const char *evidence, void *ctx)
{
    char *v = json_is_string(value) ? NULL : json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    (void)ctx;
    printf("%s: %s (%s)\n", name,
           json_is_string(value) ? json_string_value(value)
           : v                   ? v
                                 : "null",
           evidence);
    free(v);
    return ferror(stdout) ? -1 : 0;
}

static void print_stored(const char *key, const char *value, void *ctx)
{
    struct qs_ctx *c = ctx;
    if (c->verbosity >= 0)
        fprintf(stderr, "%s: stored %s=%s\n", c->prog, key, value);
}

static int sync_probe(struct qs_ctx *ctx, int argc, char **argv)
{
    ctx->prog = "qs sync probe";
    const struct qs_verb *v = &qs_cmd_sync.verbs[10];
    struct sync_probe_opts o = {
        .shop = ctx->shop.name, .now = time(NULL), .days = 30, .order_no = "1"};
    struct sync_probe *p = NULL;
    json_t *plan = NULL;
    struct cmd_getopt g;
    struct qapi *q = NULL;
    struct qs_err e, e2;
    const char *out = NULL;
    char *path = NULL, *end;
    int c, rc, wrc, apply = 0, code = 0;

    err_clear(&e);
    err_clear(&e2);
    cmd_getopt_init(&g, ctx, &qs_cmd_sync, v);
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        switch (c) {
        case OPT_PROBE_DAYS:
            errno = 0;
            long d = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || d < 1 || d > 90)
                return cmd_usage(ctx, "--days \"%s\" is not 1 to 90", optarg);
            o.days = (int)d;
            break;
        case OPT_PROBE_ORDER_NO:
            o.order_no = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case OPT_PROBE_APPLY:
            apply = 1;
            break;
        default:
            return QS_EX_USAGE;
        }
    }
    if (optind < argc)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[optind]);
    if (ctx->dry_run && apply)
        return cmd_usage(ctx, "--apply and --dry-run exclude each other");
    if ((rc = setting_long(ctx, "sync.window_cap", 0, 1, &o.window_cap, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    if ((rc = sync_probe_plan(&o, &plan, &e)) < 0)
        return rc == QS_E_USAGE ? cmd_usage(ctx, "%s", e.msg) : cmd_fail(ctx, rc, &e);
    /* --dry-run: the probes, printed; nothing sent (not even the login), no file. */
    if (ctx->dry_run) {
        for (size_t i = 0; i < json_array_size(plan) && !ferror(stdout); i++)
            if (json_dumpf(json_array_get(plan, i), stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) ==
                0)
                putchar('\n');
        json_decref(plan);
        return 0;
    }
    json_decref(plan);
    path = out ? xstrdup(out) : sync_probe_default_path(ctx->shop.name, o.now);
    if ((rc = sync_probe_path_free(path, &e)) < 0 || (rc = open_qapi(ctx, &q, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    rc = sync_probe_run(q, &o, &p, &e);
    if (!p) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    /* What was learned is kept even when a probe failed (R-SYN-10). */
    if ((wrc = sync_probe_write(p, path, &e2)) < 0) {
        code = cmd_fail(ctx, wrc, &e2);
        goto out;
    }
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: wrote %s\n", ctx->prog, path);
    if (sync_probe_findings(p, print_finding, ctx) != 0)
        rc = rc ? rc : err_set(&e, QS_E_IO, NULL, "cannot write the findings: %s", strerror(errno));
    if (apply &&
        (wrc = sync_probe_apply(ctx->store, ctx->shop.name, p, print_stored, ctx, &e2)) < 0) {
        code = cmd_fail(ctx, wrc, &e2);
        goto out;
    }
    /* SPEC 1.3: 69 only when no call was answered; after some were, 75. */
    if (rc < 0)
        code = pull_fail(ctx, rc, sync_probe_answered(p), &e);
out:
    sync_probe_free(p);
    qapi_close(q);
    free(path);
    return code;
}

/* ---- the verb table ----------------------------------------------------------------- */

/* The order matters: the functions above find their entry by index. */
static const struct qs_verb sync_verbs[] = {
    {.name = "orders",
     .legacy_fn = sync_orders,
     .usage = "orders [--since TIME] [--status S] [--all]",
     .summary = "pull orders and claims into the store",
     .flags = QS_NEEDS_SHOP | QS_WRITES_STORE,
     .gopts = orders_opts},
    {.name = "products",
     .legacy_fn = sync_products,
     .usage = "products [--full]",
     .summary = "pull online items",
     .flags = QS_NEEDS_SHOP | QS_WRITES_STORE,
     .gopts = products_opts},
    {.name = "ship",
     .legacy_fn = sync_ship,
     .usage = "ship [--skip-bad [--rejects FILE]] [--retry-failed] [FILE|-]",
     .summary = "send carrier and tracking numbers",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = ship_opts},
    {.name = "confirm",
     .legacy_fn = sync_confirm,
     .usage =
         "confirm [--ship-by DATE] [--skip-bad [--rejects FILE]] [--retry-failed] [ORDER...|-]",
     .summary = "confirm orders",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = confirm_opts},
    {.name = "cancel",
     .usage = "cancel --reason R [ORDER...|-]",
     .summary = "cancel orders the seller cannot fill"},
    {.name = "stock",
     .usage = "stock",
     .summary = "set marketplace quantities (see qs stock sync)"},
    {.name = "export",
     .usage = "export goods|inventory",
     .summary = "write files for linked software"},
    {.name = "notify",
     .usage = "notify",
     .summary = "deliver notification templates for new events"},
    {.name = "doctor", .usage = "doctor", .summary = "check the shop's setup"},
    {.name = "log",
     .legacy_fn = sync_log,
     .usage = "log [--since TIME] [--kind K]",
     .summary = "print the audit of outside calls",
     .flags = QS_NEEDS_STORE,
     .gopts = log_opts},
    {.name = "probe",
     .legacy_fn = sync_probe,
     .usage = "probe [--days N] [--order-no NO] [-o FILE] [--apply]",
     .summary = "settle what the marketplace's documents leave open (writes a probe file)",
     .flags = QS_NEEDS_SHOP | QS_WRITES_STORE,
     .gopts = probe_opts},
    {.name = NULL},
};

const struct qs_cmd qs_cmd_sync = {
    "sync",
    "sync orders, products and stock with the marketplace",
    sync_verbs,
};

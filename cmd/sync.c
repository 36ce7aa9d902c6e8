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
#include "../libcore/doctor.h"
#include "../libcore/job.h"
#include "../libcore/notify/notify.h"
#include "../libcore/qapi/qapi.h"
#include "../libcore/settings.h"
#include "../libcore/sync/sync.h"
#include "../libcore/tm.h"
#include "../libcore/xalloc.h"

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

/* ---- orders ------------------------------------------------------------------------- */

/* --status: "paid,confirmed" or "2,3" -> a mask with bit (1 << code) per status. */
static int status_mask(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    (void)ctx;
    if (sync_status_mask(arg, SYNC_STATUS_ALL, target) == 0)
        return 0;
    return err_set(e, QS_E_USAGE, NULL,
                   "--status \"%s\" is not unpaid, paid, confirmed, shipped, delivered or 1-5",
                   arg);
}

struct orders_args {
    time_t since;
    unsigned mask;
    int all, list;
};

static const struct qs_opt orders_opts[] = {
    OPT_TIME(struct orders_args, since, "since", "TIME",
             "pull from TIME on (the first time; later only when it reaches further back)"),
    OPT_PARSE(struct orders_args, mask, "status", "S", status_mask,
              "print only lines in status S: unpaid, paid, confirmed, shipped, delivered or 1-5 "
              "(comma-separated list)"),
    OPT_FLAG(struct orders_args, all, "all",
             "print every stored line, not only those seen in this run"),
    OPT_FLAG(struct orders_args, list, "list",
             "print what the store holds, every line, without calling the marketplace"),
    OPT_END,
};

static const char *const line_cols[] = {
    "order_no",  "pack_no",      "status",  "status_code", "claim",  "seller_code", "option_code",
    "item_code", "title",        "qty",     "total",       "buyer",  "order_date",  "paid_date",
    "ship_by",   "shipped_date", "carrier", "tracking",    "change",
};

struct lines_out {
    struct qs_ctx *ctx;
    struct tm_zone *zone; /* the output zone, resolved once for all the lines */
    struct rec_writer *w;
    struct rec *r;
    struct qs_err *e;
    long n;
};

/* local_time in o's zone, resolved once (NULL: an unknown zone, every date ""). */
static const char *line_time(const struct lines_out *o, const char *iso, char *buf, size_t size)
{
    time_t t;
    buf[0] = '\0';
    if (o->zone && iso && *iso && tm_parse_utc_iso(iso, &t) == 0 &&
        tm_zone_format(o->zone, t, 0, buf, size) < 0)
        buf[0] = '\0';
    return buf;
}

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
    rec_set(r, "order_date", line_time(o, l->order_date, buf, sizeof buf));
    rec_set(r, "paid_date", line_time(o, l->paid_date, buf, sizeof buf));
    rec_set(r, "ship_by", line_time(o, l->ship_by, buf, sizeof buf));
    rec_set(r, "shipped_date", line_time(o, l->shipped_date, buf, sizeof buf));
    rec_set(r, "carrier", l->carrier);
    rec_set(r, "tracking", l->tracking);
    rec_set(r, "change", l->change);
    o->n++;
    return rec_write(o->w, r, o->e);
}

/* SPEC 1.3: 69 only when no outside call succeeded; after some did, a marketplace that
 * stopped answering is a temporary failure. */
static int pull_fail(struct qs_ctx *ctx, int rc, long calls, const struct qs_err *e)
{
    int code = cmd_fail(ctx, rc, e);
    return code == QS_EX_UNAVAILABLE && calls > 0 ? QS_EX_TEMPFAIL : code;
}

struct orders_run {
    struct qs_ctx *ctx;
    struct qapi *q;
    const struct orders_args *a;
    struct sync_orders_opts *o;
    struct sync_orders_stats *st;
    struct qs_err *e2; /* the output's error */
    int prc, orc;      /* the pull's result, the output's */
};

/* The pull, then the lines seen, printed even when a later window failed: they are
 * stored. */
static int orders_pull(void *p, struct qs_err *e)
{
    struct orders_run *r = p;
    struct lines_out out = {.ctx = r->ctx, .e = r->e2, .r = rec_new()};
    struct qs_err ze;
    int rc;

    (void)tm_zone_open(cmd_tz(r->ctx), &out.zone, &ze);

    r->prc = sync_orders_pull(r->ctx->store, r->q, r->ctx->shop.name, r->o, r->st, e);
    if ((rc = cmd_open_writer(r->ctx, line_cols, sizeof line_cols / sizeof line_cols[0], &out.w,
                              r->e2)) == 0) {
        rc = sync_lines_each(r->ctx->store, r->ctx->shop.name, !r->a->all, r->a->mask, print_line,
                             &out, r->e2);
        int crc = rec_writer_close(out.w, rc < 0 ? NULL : r->e2);
        if (rc == 0)
            rc = crc;
    }
    rec_free(out.r);
    tm_zone_free(out.zone);
    r->orc = rc;
    return 0;
}

/* R-SYN-1: --list prints the stored lines, no call. */
static int orders_list(struct qs_ctx *ctx, const struct orders_args *a)
{
    struct qs_err e;
    struct lines_out out = {.ctx = ctx, .e = &e, .r = rec_new()};
    int rc, crc;

    (void)tm_zone_open(cmd_tz(ctx), &out.zone, &e);
    err_clear(&e);
    if ((rc = cmd_open_writer(ctx, line_cols, sizeof line_cols / sizeof line_cols[0], &out.w,
                              &e)) == 0) {
        rc = sync_lines_each(ctx->store, ctx->shop.name, 0, a->mask, print_line, &out, &e);
        crc = rec_writer_close(out.w, rc < 0 ? NULL : &e);
        if (rc == 0)
            rc = crc;
    }
    rec_free(out.r);
    tm_zone_free(out.zone);
    return rc < 0 ? cmd_out_fail(ctx, rc, &e) : 0;
}

static int cmd_sync_orders(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct orders_args a = {0};
    struct sync_orders_opts o = {0};
    struct sync_orders_stats st = {0};
    struct qapi *q = NULL;
    struct qs_err e, e2;
    int rc;

    err_clear(&e);
    err_clear(&e2);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (argc > 0)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[0]);
    if (a.list) {
        if (a.since)
            return cmd_usage(ctx, "--list reads no marketplace: --since does not go with it");
        return orders_list(ctx, &a);
    }
    int form = SYNC_OPEN_PER_STATUS;
    o.now = time(NULL);
    o.since = a.since;
    o.quiet = ctx->verbosity < 0;
    /* R-SYN-9 (D7): sync.open_form says how open orders are asked for. */
    if ((rc = settings_long(ctx->store, ctx->shop.name, "sync.window_cap", &o.cap, &e)) < 0 ||
        (rc = settings_enum(ctx->store, ctx->shop.name, "sync.open_form", &form, &e)) < 0 ||
        (rc = cmd_open_qapi(ctx, &q, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    o.open_form = form;
    /* --dry-run: pull and print as usual inside one transaction, then roll it back. */
    struct orders_run r = {ctx, q, &a, &o, &st, &e2, 0, 0};
    if ((rc = job_within(ctx->store, ctx->dry_run, orders_pull, &r, &e)) < 0) {
        qapi_close(q);
        return cmd_fail(ctx, rc, &e);
    }
    qapi_close(q);
    int prc = r.prc;
    rc = r.orc;
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
        return cmd_out_fail(ctx, rc, &e2);
    return st.unread ? QS_EX_FAIL : 0;
}

/* ---- products ----------------------------------------------------------------------- */

static const struct qs_opt products_opts[] = {
    OPT_FLAG(struct sync_products_opts, full, "full",
             "read every item's details, not only those of new or changed items"),
    OPT_END,
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

struct products_run {
    struct qs_ctx *ctx;
    struct qapi *q;
    struct sync_products_opts *o;
    struct items_out *out;
    struct sync_products_stats *st;
};

static int products_pull(void *p, struct qs_err *e)
{
    struct products_run *r = p;
    return sync_products_pull(r->ctx->store, r->q, r->ctx->shop.name, r->o, print_item, r->out,
                              r->st, e);
}

static int cmd_sync_products(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct sync_products_opts o = {0};
    struct sync_products_stats st = {0};
    struct items_out out = {0};
    struct qapi *q = NULL;
    struct qs_err e, e2;
    int rc, crc;

    err_clear(&e);
    err_clear(&e2);
    if ((rc = cmd_parse(ctx, v, &o, &argc, &argv)) != 0)
        return rc;
    if (argc > 0)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[0]);
    o.quiet = ctx->verbosity < 0;
    if ((rc = cmd_open_qapi(ctx, &q, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    if ((rc = cmd_open_writer(ctx, item_cols, sizeof item_cols / sizeof item_cols[0], &out.w,
                              &e2)) < 0) {
        qapi_close(q);
        return cmd_fail(ctx, rc, &e2);
    }
    out.r = rec_new();
    out.e = &e2;
    struct products_run r = {ctx, q, &o, &out, &st};
    rc = job_within(ctx->store, ctx->dry_run, products_pull, &r, &e);
    crc = rec_writer_close(out.w, &e2);
    rec_free(out.r);
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
        return cmd_out_fail(ctx, crc, &e2);
    return st.refused ? QS_EX_FAIL : 0;
}

/* ---- ship and confirm ----------------------------------------------------------------- */

struct send_args {
    int skip_bad, retry_failed, force;
    const char *rejects, *ship_by;
    enum rec_enc enc;
};

/* The options ship and confirm share; what they send is named in --skip-bad's help. */
#define SEND_OPTS(what)                                                                            \
    OPT_FLAG(struct send_args, skip_bad, "skip-bad",                                               \
             what " the good lines even when some input lines are bad (those are reported)"),      \
        OPT_STRING(struct send_args, rejects, "rejects", "FILE",                                   \
                   "with --skip-bad, write the bad lines with a reason column to FILE"),           \
        OPT_FLAG(struct send_args, retry_failed, "retry-failed",                                   \
                 "also send again, now, lines that failed or wait for their retry"),               \
        OPT_ENC(struct send_args, enc)

static const struct qs_opt ship_opts[] = {
    SEND_OPTS("send"),
    OPT_FLAG(struct send_args, force, "force",
             "also send lines allocated to the Qxpress warehouse, which ships them (R-STK-6)"),
    OPT_END,
};

static const struct qs_opt confirm_opts[] = {
    OPT_STRING(struct send_args, ship_by, "ship-by", "DATE",
               "the estimated shipping date sent (default: tomorrow in Japan; at most 30 days "
               "ahead)"),
    SEND_OPTS("confirm"),
    OPT_END,
};

struct send_cli {
    struct qs_ctx *ctx;
    struct sync_send *p; /* the plan each record goes into as it is read (SPEC 8) */
    struct rec_writer *rejects;
    struct rec *r;
};

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
    const char *no, *carrier = NULL, *tracking = NULL;
    if (cmd_field_once(r, no_names, &no, "R-SYN-1b", rc->e) < 0 ||
        (rc->ship && (cmd_field_once(r, carrier_names, &carrier, "R-SYN-1b", rc->e) < 0 ||
                      cmd_field_once(r, tracking_names, &tracking, "R-SYN-1b", rc->e) < 0)))
        return QS_E_DATA; /* cmd_each_record adds the file and line */
    if (!no)
        return err_set(rc->e, QS_E_DATA, "R-SYN-1b", "the input has no order_no column%s",
                       rc->ship ? " (also needed: carrier, tracking)" : "");
    struct sync_req q = {(char *)no, (char *)carrier, (char *)tracking, line};
    return sync_send_add(rc->c->p, &q, rc->e);
}

/* Reads the input records -- order_no (and carrier, tracking for ship), by SPEC 1.2's
 * names or QSM's -- into the plan, one at a time. */
static int read_reqs(struct send_cli *c, const char *file, const struct rec_reader_opts *ro,
                     int ship, char *sheet, struct qs_err *e)
{
    struct reqs_ctx rc = {c, ship, e};
    return cmd_each_record(file, ro, req_rec, &rc, sheet, e);
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

static const char *const reject_cols[] = {"order_no", "carrier", "tracking", "line", "reason"};

/* The shared body of ship and confirm: read, check, queue, send, report (R-SYN-1b). */
static int send_verb(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv,
                     enum sync_action action)
{
    struct sync_send_opts o = {.action = action, .shop = ctx->shop.name, .now = time(NULL)};
    struct send_args a = {0};
    struct sync_send_stats st = {0};
    struct send_cli c = {.ctx = ctx};
    struct sync_job job = {NULL, NULL, &st, NULL};
    const char *file = "-";
    char sheet[64] = "";
    struct qs_err e;
    int rc = 0, code = 0, args;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    struct rec_reader_opts ro = cmd_reader_opts(ctx, a.enc);
    o.skip_bad = a.skip_bad;
    o.retry_failed = a.retry_failed;
    o.force = a.force;
    if (a.rejects && !o.skip_bad)
        return cmd_usage(ctx, "--rejects needs --skip-bad");
    if (action == SYNC_SHIP && argc > 1)
        return cmd_usage(ctx, "one input file at most (or - for stdin)");
    if (action == SYNC_CONFIRM && (rc = sync_est_ship_date(a.ship_by, o.now, o.est, &e)) < 0)
        return cmd_usage(ctx, "%s", e.msg);
    o.quiet = ctx->verbosity < 0;
    o.dry_run = ctx->dry_run;
    if ((rc = settings_long(ctx->store, ctx->shop.name, "sync.window_cap", &o.cap, &e)) < 0 ||
        (rc = settings_long(ctx->store, ctx->shop.name, "sync.inflight_s", &o.inflight_s, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    c.r = rec_new();
    args = action == SYNC_CONFIRM && argc > 0 && strcmp(argv[0], "-") != 0;
    if (!args)
        file = ctx->input;
    /* Issue 8 item 7: never over the input; renamed in only when lines were rejected. */
    if (a.rejects && (rc = afile_open(a.rejects, args ? NULL : file, &job.rej, &e)) < 0) {
        code = rc == QS_E_USAGE ? cmd_usage(ctx, "--rejects %s", e.msg) : cmd_fail(ctx, rc, &e);
        goto out;
    }

    for (int i = 0; args && i < argc; i++) {
        if (cmd_is_input(argv[i])) {
            code = cmd_usage(ctx,
                             "\"%s\" names a file, not an order number; give order numbers, "
                             "or the records on standard input: qs sync confirm < %s",
                             argv[i], argv[i]);
            goto out;
        }
    }
    o.file = args ? "argument" : file;
    o.sheet = sheet; /* filled as the input is read */
    if (job.rej) {
        struct rec_writer_opts wo = {.fmt = REC_CSV, .enc = REC_ENC_UTF8};
        if ((rc = rec_writer_open(afile_fp(job.rej), &wo, reject_cols, 5, &c.rejects, &e)) < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
    }
    if ((rc = cmd_open_qapi(ctx, &job.q, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    /* Input: order numbers as arguments (confirm), else records from FILE or stdin,
     * planned as they are read. */
    rc = sync_send_begin(ctx->store, &o, reject, &c, &job.p, &st, &e);
    c.p = job.p;
    for (int i = 0; args && i < argc && rc == 0; i++) {
        struct sync_req q = {argv[i], NULL, NULL, 0};
        rc = sync_send_add(job.p, &q, &e);
    }
    if (rc == 0 && !args)
        rc = read_reqs(&c, file, &ro, action == SYNC_SHIP, sheet, &e);
    rc = sync_send_end(job.p, rc, &e);
    if (c.rejects && rec_writer_close(c.rejects, &e) < 0 && rc == 0)
        rc = QS_E_IO;
    c.rejects = NULL;
    if (rc < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    code = cmd_job(ctx, &sync_job_ops, &job);
out:
    if (c.rejects)
        rec_writer_close(c.rejects, NULL);
    afile_abort(job.rej); /* no rejects, or nothing queued: FILE is left as it was */
    sync_send_free(job.p);
    qapi_close(job.q);
    rec_free(c.r);
    return code;
}

static int cmd_sync_ship(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    return send_verb(ctx, v, argc, argv, SYNC_SHIP);
}

static int cmd_sync_confirm(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    return send_verb(ctx, v, argc, argv, SYNC_CONFIRM);
}

/* ---- cancel (R-SYN-1b) ------------------------------------------------------------------ */

struct cancel_args {
    int reason, retry_failed;
    const char *memo;
    enum rec_enc enc;
};

static const struct qs_opt cancel_opts[] = {
    OPT_ENUM(struct cancel_args, reason, "reason", "R", sync_cancel_reasons,
             "why: out-of-stock (the seller's fault), order-change, undeliverable or delay; a "
             "reason column of the input overrides it"),
    OPT_STRING(struct cancel_args, memo, "memo", "M",
               "the seller's memo sent with each cancel (at most 1000 characters; a memo column "
               "overrides it)"),
    OPT_FLAG(struct cancel_args, retry_failed, "retry-failed",
             "also send again, now, cancels that failed or wait for their retry"),
    OPT_ENC(struct cancel_args, enc),
    OPT_END,
};

struct cancel_cli {
    struct qs_ctx *ctx;
    struct sync_cancel_req *v;
    size_t n, cap;
    struct qs_err *e;
};

static const char *const reason_names[] = {"reason", "CancelReason", NULL};
static const char *const memo_names[] = {"memo", "SellerMemo", NULL};

static void creq_add(struct cancel_cli *c, const char *no, const char *reason, const char *memo,
                     long line)
{
    if (c->n == c->cap)
        c->v = xrealloc(c->v, (c->cap = c->cap ? 2 * c->cap : 32) * sizeof *c->v);
    c->v[c->n++] = (struct sync_cancel_req){xstrdup(no), reason ? xstrdup(reason) : NULL,
                                            memo ? xstrdup(memo) : NULL, line};
}

static int creq_rec(const struct rec *r, long line, void *p)
{
    struct cancel_cli *c = p;
    const char *no, *reason, *memo;
    if (cmd_field_once(r, no_names, &no, "R-SYN-1b", c->e) < 0 ||
        cmd_field_once(r, reason_names, &reason, "R-SYN-1b", c->e) < 0 ||
        cmd_field_once(r, memo_names, &memo, "R-SYN-1b", c->e) < 0)
        return QS_E_DATA; /* cmd_each_record adds the file and line */
    if (!no)
        return err_set(c->e, QS_E_DATA, "R-SYN-1b", "the input has no order_no column");
    creq_add(c, no, reason, memo, line);
    return 0;
}

static void cancel_reject(const struct sync_cancel_req *r, const struct qs_err *e, void *p)
{
    struct cancel_cli *c = p;
    char buf[2048];
    (void)r;
    fprintf(stderr, "%s\n", err_format(e, c->ctx->prog, buf, sizeof buf));
}

static int cmd_sync_cancel(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct cancel_args a = {.reason = -1};
    struct sync_cancel_opts o = {.shop = ctx->shop.name, .now = time(NULL)};
    struct sync_send_stats st = {0};
    struct sync_cancel_job job = {NULL, NULL, &st};
    struct qs_err e;
    struct cancel_cli c = {.ctx = ctx, .e = &e};
    char sheet[64] = "";
    int rc, code = 0;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    o.reason = a.reason;
    o.memo = a.memo;
    o.retry_failed = a.retry_failed;
    o.quiet = ctx->verbosity < 0;
    o.dry_run = ctx->dry_run;
    if ((rc = settings_long(ctx->store, ctx->shop.name, "sync.inflight_s", &o.inflight_s, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    /* Order numbers as operands, or records from one FILE or stdin. */
    if (argc == 0 || cmd_is_input(argv[0])) {
        if (argc > 1)
            return cmd_usage(ctx, "one input file at most (or - for stdin)");
        struct rec_reader_opts ro = cmd_reader_opts(ctx, a.enc);
        o.file = argc ? argv[0] : "-";
        if ((rc = cmd_each_record(o.file, &ro, creq_rec, &c, sheet, &e)) < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
        o.sheet = sheet;
    } else {
        for (int i = 0; i < argc; i++)
            creq_add(&c, argv[i], NULL, NULL, 0);
        o.file = "argument";
    }
    if ((rc = cmd_open_qapi(ctx, &job.q, &e)) < 0 ||
        (rc = sync_cancel_plan(ctx->store, &o, c.v, c.n, cancel_reject, &c, &job.p, &st, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    code = cmd_job(ctx, &sync_cancel_job_ops, &job);
out:
    sync_cancel_free(job.p);
    qapi_close(job.q);
    for (size_t i = 0; i < c.n; i++) {
        free(c.v[i].order_no);
        free(c.v[i].reason);
        free(c.v[i].memo);
    }
    free(c.v);
    return code;
}

/* ---- export (R-SYN-6) ----------------------------------------------------------------- */

struct export_args {
    const char *map;
};

static const struct qs_opt export_opts[] = {
    OPT_STRING(struct export_args, map, "map", "FILE",
               "rename columns: a CSV with the columns column (qs's header name) and name (the "
               "one to write)"),
    OPT_END,
};

struct map_ctx {
    struct sync_export_map *m;
    struct qs_err *e;
};

static int map_rec(const struct rec *r, long line, void *p)
{
    struct map_ctx *c = p;
    const char *col = rec_get(r, "column"), *name = rec_get(r, "name");
    if (!col || !name)
        return err_set(c->e, QS_E_DATA, "R-SYN-6", "a --map file has the columns column and name");
    return sync_export_map_add(c->m, col, name, line, c->e);
}

struct export_out {
    struct rec_writer *w;
    struct qs_err *e;
    long n;
};

static int export_rec(const struct rec *r, void *p)
{
    struct export_out *o = p;
    o->n++;
    return rec_write(o->w, r, o->e);
}

static int cmd_sync_export(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct export_args a = {0};
    struct qs_err e;
    struct export_out out = {.e = &e};
    enum sync_export_kind k;
    struct sync_export_map map = {0};
    int rc, code = 0;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (argc != 1 || (strcmp(argv[0], "goods") != 0 && strcmp(argv[0], "inventory") != 0))
        return cmd_usage(ctx, "say what to export: goods or inventory");
    if (argc > 1)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[1]);
    k = strcmp(argv[0], "goods") == 0 ? SYNC_EXPORT_GOODS : SYNC_EXPORT_INVENTORY;
    sync_export_map_init(&map, k);
    if (a.map) {
        struct map_ctx c = {&map, &e};
        struct rec_reader_opts ro = cmd_reader_opts(ctx, REC_ENC_AUTO);
        rc = cmd_each_record(a.map, &ro, map_rec, &c, NULL, &e);
    }
    if (rc == 0)
        rc = sync_export_map_end(&map, a.map ? a.map : "", &e);
    if (rc < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    /* QSM's file name in the current folder unless -o says otherwise; replaced only when
     * the whole file was written. */
    if (!ctx->output && !ctx->output_stdout) {
        if ((rc = afile_open(sync_export_file(k), NULL, &ctx->out_file, &e)) < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
        ctx->output = sync_export_file(k);
    }
    /* R-SYN-6: CSV in CP932 whatever --format and --encoding say. */
    struct rec_writer_opts wo = cmd_writer_opts(ctx);
    wo.fmt = REC_CSV;
    wo.enc = REC_ENC_CP932;
    wo.bom = 0;
    if ((rc = rec_writer_open(cmd_out(ctx), &wo, (const char *const *)map.names, map.n, &out.w,
                              &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    rc = sync_export_each(ctx->store, ctx->shop.name, k, (const char *const *)map.names, export_rec,
                          &out, &e);
    int crc = rec_writer_close(out.w, rc < 0 ? NULL : &e);
    if (rc == 0)
        rc = crc;
    if (rc < 0) {
        code = cmd_out_fail(ctx, rc, &e);
        goto out;
    }
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %ld %s written to %s%s\n", ctx->prog, out.n,
                k == SYNC_EXPORT_GOODS ? (out.n == 1 ? "item" : "items")
                                       : (out.n == 1 ? "option" : "options"),
                ctx->output ? ctx->output : "standard output",
                out.n ? "" : " (none in the store: run qs sync products first)");
out:
    sync_export_map_free(&map);
    return code;
}

/* ---- log ------------------------------------------------------------------------------- */

struct log_args {
    time_t since;
    const char *kind;
};

static const struct qs_opt log_opts[] = {
    OPT_TIME(struct log_args, since, "since", "TIME", "only calls at or after TIME"),
    OPT_STRING(struct log_args, kind, "kind", "K",
               "only calls of kind K: an outbox kind, a QAPI method, or its group or method name"),
    OPT_END,
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

static int cmd_sync_log(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct log_args a = {0};
    struct log_out out = {.ctx = ctx};
    struct qs_err e;
    int rc, crc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (argc > 0)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[0]);
    out.kind = a.kind;
    time_t since = a.since;
    if ((rc = cmd_open_writer(ctx, log_cols, sizeof log_cols / sizeof log_cols[0], &out.w, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    out.r = rec_new();
    out.e = &e;
    /* SPEC 1.6: every outside call, of the shop given with --shop, or of all shops. */
    rc = audit_each(ctx->store, ctx->shop_name, since, print_audit, &out, &e);
    crc = rec_writer_close(out.w, rc < 0 ? NULL : &e);
    rec_free(out.r);
    if (rc == 0)
        rc = crc;
    return rc < 0 ? cmd_out_fail(ctx, rc, &e) : 0;
}

/* ---- doctor (R-SYN-8) ----------------------------------------------------------------- */

struct doctor_out {
    struct rec_writer *w; /* --format or -o given: records; else aligned lines */
    struct rec *r;
    FILE *fp;
};

static int print_doctor(void *p, const struct doctor_line *l, struct qs_err *e)
{
    struct doctor_out *o = p;
    if (!o->w) {
        if (fprintf(o->fp, "%-4s  %-16s  %s\n", doctor_level_name(l->level), l->check, l->msg) < 0)
            return err_set(e, QS_E_IO, NULL, "cannot write the output: %s", strerror(errno));
        return 0;
    }
    rec_clear(o->r);
    rec_set(o->r, "level", doctor_level_name(l->level));
    rec_set(o->r, "check", l->check);
    rec_set(o->r, "message", l->msg);
    return rec_write(o->w, o->r, e);
}

static int cmd_sync_doctor(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    static const char *const cols[] = {"level", "check", "message"};
    struct doctor_out o = {.fp = cmd_out(ctx)};
    struct doctor d = {.s = ctx->store, .shop = ctx->shop.name, .emit = print_doctor, .ctx = &o};
    struct qs_err e;
    int rc, crc = 0;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, NULL, &argc, &argv)) != 0)
        return rc;
    if (argc > 0)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[0]);
    if ((rc = cmd_now(ctx, &d.now)) != 0)
        return rc;
    d.clock = time(NULL);
    if (ctx->format_given || ctx->output) {
        if ((rc = cmd_open_writer(ctx, cols, 3, &o.w, &e)) < 0)
            return cmd_fail(ctx, rc, &e);
        o.r = rec_new();
    }
    rc = doctor_run(&d, &e);
    if (o.w)
        crc = rec_writer_close(o.w, rc < 0 ? NULL : &e);
    rec_free(o.r);
    if (rc == 0)
        rc = crc;
    if (rc < 0)
        return rc == QS_E_IO ? cmd_out_fail(ctx, rc, &e) : cmd_fail(ctx, rc, &e);
    /* R-SYN-8: exit 1 on any fail; warnings alone exit 0. */
    return d.worst == DOCTOR_FAIL ? QS_EX_FAIL : 0;
}

/* ---- probe (R-SYN-10) ------------------------------------------------------------------ */

struct probe_args {
    long days;
    const char *order_no, *output;
    int apply;
};

static const struct qs_opt probe_opts[] = {
    OPT_LONG(struct probe_args, days, "days", "N", 1, 90, "1 to 90",
             "the open-orders window: the last N days by order date (1-90, default 30)"),
    OPT_STRING(struct probe_args, order_no, "order-no", "NO",
               "the order number of the two bulk writes; must not exist (default 1)"),
    {.name = "output",
     .letter = 'o',
     .type = QSO_STRING,
     .off = offsetof(struct probe_args, output),
     .arg = "FILE",
     .help = "the probe file (default qs-probe-SHOP-YYYYmmddTHHMMSSZ.json); never overwritten"},
    OPT_FLAG(struct probe_args, apply, "apply",
             "store the findings as shop settings (sync.open_form, sync.window_cap, "
             "qapi.inventory_form)"),
    OPT_END,
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

static int cmd_sync_probe(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct probe_args a = {.days = 30, .order_no = "1"};
    struct sync_probe_opts o = {.shop = ctx->shop.name, .now = time(NULL)};
    struct sync_probe *p = NULL;
    json_t *plan = NULL;
    struct qapi *q = NULL;
    struct qs_err e, e2;
    char *path = NULL;
    int rc, wrc, code = 0;

    err_clear(&e);
    err_clear(&e2);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (argc > 0)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[0]);
    o.days = (int)a.days;
    o.order_no = a.order_no;
    const char *out = a.output;
    int apply = a.apply;
    if (ctx->dry_run && apply)
        return cmd_usage(ctx, "--apply and --dry-run exclude each other");
    /* The probe wants the seller's own cap only: unset reads as 0. */
    if ((rc = settings_long(ctx->store, ctx->shop.name, "sync.window_cap", &o.window_cap, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    if (rc == 0)
        o.window_cap = 0;
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
    if ((rc = sync_probe_path_free(path, &e)) < 0 || (rc = cmd_open_qapi(ctx, &q, &e)) < 0) {
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

/* ---- notify (R-SYN-4, R-SYN-5) ------------------------------------------------------------- */

/* Every form of qs sync notify shares one option table; each form refuses the options it
 * does not take. */
struct notify_args {
    const char *kind, *group, *name, *subject, *body, *body_file, *send_type, *sign_key, *to;
    const char *use, *wait, *state;
    long period, rev;
    int retry_failed, resend_unknown;
};

#define NA struct notify_args
static const struct qs_opt notify_opts[] = {
    OPT_STRING(NA, kind, "kind", "K",
               "template: the event: order, paid, completed, cancel-requested or cancelled "
               "(or QSM's 订购提示, 买家已付款, 交易完成, 取消要求件, 取消完成)"),
    OPT_STRING(NA, group, "group", "G", "template: QSM's template group (Basic, CrossMail, ...)"),
    OPT_STRING(NA, name, "name", "N", "template: its name (default: GROUP KIND)"),
    OPT_STRING(NA, subject, "subject", "TEXT", "template: the subject (QSM's grammar)"),
    OPT_STRING(NA, body, "body", "TEXT", "template: the body (QSM's grammar)"),
    OPT_STRING(NA, body_file, "body-file", "FILE", "template: the body from FILE (- for stdin)"),
    OPT_STRING(NA, send_type, "send-type", "T", "template: EMAIL (default), POST or AGENT"),
    OPT_STRING(NA, sign_key, "sign-key", "K", "template: QSM's sign key, passed to hooks"),
    OPT_STRING(NA, to, "to", "DEST",
               "template: the address mail goes to (QSM's 发送至); run: - writes the messages "
               "to standard output, smtp or hook:COMMAND overrides deliver.notify"),
    OPT_STRING(NA, use, "use", "Y|N", "template: on (Y, default) or off (N)"),
    OPT_STRING(NA, wait, "wait", "Y|N",
               "template: Y holds each message for its period and until an order sync confirms "
               "the event"),
    OPT_LONG(NA, period, "period", "MIN", 0, 1000000, "0 to 1000000",
             "template: the wait in minutes (default: the setting notify.wait_min)"),
    OPT_LONG(NA, rev, "rev", "N", 1, 1000000000, "a revision number",
             "template show: that revision (default: the last)"),
    OPT_STRING(NA, state, "state", "S",
               "list: only messages in state S (sent, failed, unknown...)"),
    OPT_FLAG(NA, retry_failed, "retry-failed", "run: also send failed messages and retries now"),
    OPT_FLAG(NA, resend_unknown, "resend-unknown",
             "run: send again messages that may have arrived already (SPEC 1.6)"),
    OPT_END,
};
#undef NA

static int yes_no(const struct qs_ctx *ctx, const char *what, const char *v, int *out)
{
    if (!v)
        return 0;
    if (strcasecmp(v, "y") == 0 || strcasecmp(v, "yes") == 0)
        *out = 1;
    else if (strcasecmp(v, "n") == 0 || strcasecmp(v, "no") == 0)
        *out = 0;
    else
        return cmd_usage(ctx, "%s \"%s\" is not Y or N", what, v);
    return 0;
}

static const char *const ntmpl_cols[] = {"id",     "rev",       "kind", "qsm_kind", "group",
                                         "name",   "send_type", "to",   "use",      "wait",
                                         "period", "subject",   "at",   "sign_key", "body"};
#define NTMPL_LIST_COLS 13

struct ntmpl_out {
    struct qs_ctx *ctx;
    struct rec_writer *w;
    struct rec *r;
    struct qs_err *e;
    int full;
};

static int print_ntmpl(const struct notify_tmpl *t, void *p)
{
    struct ntmpl_out *o = p;
    char buf[64];
    rec_clear(o->r);
    snprintf(buf, sizeof buf, "%ld", t->id);
    rec_set(o->r, "id", buf);
    snprintf(buf, sizeof buf, "%ld", t->rev);
    rec_set(o->r, "rev", buf);
    rec_set(o->r, "kind", notify_event_name(t->kind));
    rec_set(o->r, "qsm_kind", notify_event_qsm(t->kind));
    rec_set(o->r, "group", t->grp);
    rec_set(o->r, "name", t->name);
    rec_set(o->r, "send_type", t->send_type);
    rec_set(o->r, "to", t->to);
    rec_set(o->r, "use", t->use ? "Y" : "N");
    rec_set(o->r, "wait", t->wait ? "Y" : "N");
    if (t->wait_min >= 0)
        snprintf(buf, sizeof buf, "%ld", t->wait_min);
    else
        buf[0] = '\0';
    rec_set(o->r, "period", buf);
    rec_set(o->r, "subject", t->subject);
    rec_set(o->r, "at", local_time(o->ctx, t->at, buf, sizeof buf));
    if (o->full) {
        rec_set(o->r, "sign_key", t->sign_key);
        rec_set(o->r, "body", t->body);
    }
    return rec_write(o->w, o->r, o->e);
}

static int ntmpl_print(struct qs_ctx *ctx, long id, long rev, int revs, int full)
{
    struct ntmpl_out o = {.ctx = ctx, .full = full};
    struct notify_tmpl t = {0};
    struct qs_err e;
    int rc, crc;

    err_clear(&e);
    if (full && (rc = notify_tmpl_get(ctx->store, ctx->shop.name, id, rev, &t, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    if ((rc = cmd_open_writer(ctx, ntmpl_cols, full ? 15 : NTMPL_LIST_COLS, &o.w, &e)) < 0) {
        notify_tmpl_clear(&t);
        return cmd_fail(ctx, rc, &e);
    }
    o.r = rec_new();
    o.e = &e;
    rc = full ? print_ntmpl(&t, &o)
              : notify_tmpl_each(ctx->store, ctx->shop.name, id, revs, print_ntmpl, &o, &e);
    crc = rec_writer_close(o.w, rc < 0 ? NULL : &e);
    rec_free(o.r);
    notify_tmpl_clear(&t);
    if (rc == 0)
        rc = crc;
    return rc < 0 ? cmd_out_fail(ctx, rc, &e) : 0;
}

static int notify_id(struct qs_ctx *ctx, const char *arg, long *id)
{
    if (!arg || cmd_parse_long(arg, 1, 1000000000L, id) < 0)
        return cmd_usage(ctx, "give a template number (qs sync notify template list shows them)");
    return 0;
}

static int notify_template(struct qs_ctx *ctx, const char *act, const struct notify_args *a,
                           int argc, char **argv)
{
    struct notify_tmpl t = {.kind = -1, .use = -1, .wait = -1, .wait_min = -2};
    int add = strcmp(act, "add") == 0, edit = strcmp(act, "edit") == 0;
    int tmpl_opt = a->kind || a->group || a->name || a->subject || a->body || a->body_file ||
                   a->send_type || a->sign_key || a->to || a->use || a->wait || a->period != -2;
    char *body = NULL, *name = NULL;
    long id = 0, rev = 0;
    struct qs_err e;
    int rc;

    err_clear(&e);
    if (a->state || a->retry_failed || a->resend_unknown || (a->rev && strcmp(act, "show")) ||
        (tmpl_opt && !add && !edit))
        return cmd_usage(ctx, "template %s does not take these options", act);
    if (strcmp(act, "list") == 0) {
        if (argc > 1)
            return cmd_usage(ctx, "template list takes at most one template number");
        if (argc == 1 && (rc = notify_id(ctx, argv[0], &id)) != 0)
            return rc;
        return ntmpl_print(ctx, id, 0, argc == 1, 0);
    }
    if (strcmp(act, "show") == 0) {
        if (argc != 1)
            return cmd_usage(ctx, "template show takes one template number");
        if ((rc = notify_id(ctx, argv[0], &id)) != 0)
            return rc;
        return ntmpl_print(ctx, id, a->rev, 0, 1);
    }
    if (strcmp(act, "use") == 0) {
        /* QSM's 使用与否: a template is never deleted, only turned off (R-SYN-4) */
        if (argc != 2)
            return cmd_usage(ctx, "template use takes a template number and Y or N");
        if ((rc = notify_id(ctx, argv[0], &id)) != 0 || (rc = yes_no(ctx, "use", argv[1], &t.use)))
            return rc;
        if (t.use < 0)
            return cmd_usage(ctx, "use \"%s\" is not Y or N", argv[1]);
        t.id = id;
        if ((rc = notify_tmpl_save(ctx->store, ctx->shop.name, &t, 1, &id, &rev, &e)) < 0)
            return cmd_fail(ctx, rc, &e);
        if (ctx->verbosity >= 0)
            fprintf(stderr, "%s: template %ld is %s (revision %ld)\n", ctx->prog, id,
                    t.use ? "on" : "off", rev);
        return 0;
    }
    if (!add && !edit)
        return cmd_usage(ctx, "\"%s\" is not add, edit, use, list or show", act);
    if (argc != (edit ? 1 : 0))
        return cmd_usage(ctx, edit ? "template edit takes one template number"
                                   : "template add takes no operand");
    if (edit && (rc = notify_id(ctx, argv[0], &t.id)) != 0)
        return rc;
    if (a->body && a->body_file)
        return cmd_usage(ctx, "--body and --body-file exclude each other");
    if ((rc = yes_no(ctx, "--use", a->use, &t.use)) ||
        (rc = yes_no(ctx, "--wait", a->wait, &t.wait)))
        return rc;
    if (a->kind && (t.kind = notify_event_parse(a->kind)) < 0)
        return cmd_usage(ctx,
                         "--kind \"%s\" is not order, paid, completed, cancel-requested or "
                         "cancelled (R-SYN-4)",
                         a->kind);
    if (add && (!a->kind || !a->group || !a->subject || (!a->body && !a->body_file)))
        return cmd_usage(ctx, "template add needs --kind, --group, --subject and --body or "
                              "--body-file");
    if (a->body_file && (rc = cmd_read_file(a->body_file, &body, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    if (add && !a->name)
        name = xasprintf("%s %s", a->group, a->kind);
    t.grp = (char *)a->group;
    t.name = name ? name : (char *)a->name;
    t.subject = (char *)a->subject;
    t.body = body ? body : (char *)a->body;
    t.send_type = (char *)a->send_type;
    t.sign_key = (char *)a->sign_key;
    t.to = (char *)a->to;
    if (t.to && strncmp(t.to, "smtp:", 5) == 0)
        t.to += 5;
    t.wait_min = a->period;
    rc = notify_tmpl_save(ctx->store, ctx->shop.name, &t, edit, &id, &rev, &e);
    free(body);
    free(name);
    if (rc < 0)
        return rc == QS_E_USAGE ? cmd_usage_e(ctx, &e) : cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s template %ld (revision %ld)\n", ctx->prog,
                add ? "added" : "changed", id, rev);
    if (add)
        printf("%ld\n", id);
    return 0;
}

static const char *const nmsg_cols[] = {"key", "state",   "template",   "event",    "ref",
                                        "to",  "subject", "message_id", "attempts", "error"};

static int print_nmsg(const struct notify_msg *m, void *p)
{
    struct ntmpl_out *o = p;
    char buf[32];
    rec_clear(o->r);
    rec_set(o->r, "key", m->key);
    rec_set(o->r, "state", m->state);
    rec_set(o->r, "template", m->template_id);
    rec_set(o->r, "event", m->event);
    rec_set(o->r, "ref", m->ref);
    rec_set(o->r, "to", m->to);
    rec_set(o->r, "subject", m->subject);
    rec_set(o->r, "message_id", m->message_id);
    snprintf(buf, sizeof buf, "%d", m->attempts);
    rec_set(o->r, "attempts", buf);
    rec_set(o->r, "error", m->error);
    return rec_write(o->w, o->r, o->e);
}

static int notify_list(struct qs_ctx *ctx, const struct notify_args *a)
{
    struct ntmpl_out o = {.ctx = ctx};
    const char *state = a->state;
    struct qs_err e;
    int rc, crc;

    err_clear(&e);
    if (state && strcmp(state, "sent") == 0)
        state = "done";
    if ((rc = cmd_open_writer(ctx, nmsg_cols, sizeof nmsg_cols / sizeof nmsg_cols[0], &o.w, &e)) <
        0)
        return cmd_fail(ctx, rc, &e);
    o.r = rec_new();
    o.e = &e;
    rc = notify_msg_each(ctx->store, ctx->shop.name, state, print_nmsg, &o, &e);
    crc = rec_writer_close(o.w, rc < 0 ? NULL : &e);
    rec_free(o.r);
    if (rc == QS_E_USAGE)
        return cmd_usage_e(ctx, &e);
    if (rc == 0)
        rc = crc;
    return rc < 0 ? cmd_out_fail(ctx, rc, &e) : 0;
}

struct nrun {
    struct qs_ctx *ctx;
    struct notify_run_opts *o;
    struct notify_run_stats *st;
    struct ntmpl_out out;
};

static void nrun_result(const struct outbox_item *it, enum deliver_status status, const char *ref,
                        const char *error, void *p)
{
    struct nrun *r = p;
    static const char *const words[] = {[DELIVER_NONE] = "retry",
                                        [DELIVER_OK] = "sent",
                                        [DELIVER_RETRY] = "retry",
                                        [DELIVER_FAILED] = "failed",
                                        [DELIVER_HANDED_OFF] = "handed-off",
                                        [DELIVER_UNKNOWN] = "unknown"};
    struct qs_err ignore;
    if (!r->out.w)
        return;
    rec_clear(r->out.r);
    rec_set(r->out.r, "key", it->key);
    rec_set(r->out.r, "result", words[status]);
    rec_set(r->out.r, "ref", ref ? ref : "");
    rec_set(r->out.r, "error", error ? error : "");
    rec_write(r->out.w, r->out.r, &ignore);
}

static int nrun_body(void *p, struct qs_err *e)
{
    struct nrun *r = p;
    return notify_run(r->ctx->store, r->o, nrun_result, r, r->st, e);
}

static int notify_run_verb(struct qs_ctx *ctx, const struct notify_args *a, int argc)
{
    static const char *const cols[] = {"key", "result", "ref", "error"};
    struct notify_run_opts o = {.shop = ctx->shop.name, .tz = cmd_tz(ctx), .prog = ctx->prog};
    struct notify_run_stats st;
    struct nrun r = {ctx, &o, &st, {.ctx = ctx}};
    struct qs_err e, e2;
    int rc, crc = 0;

    err_clear(&e);
    err_clear(&e2);
    if (argc > 0)
        return cmd_usage(ctx, "run takes no operand");
    if (a->kind || a->group || a->name || a->subject || a->body || a->body_file || a->send_type ||
        a->sign_key || a->use || a->wait || a->period != -2 || a->rev || a->state)
        return cmd_usage(ctx, "run takes --to, --retry-failed and --resend-unknown only");
    if ((rc = cmd_now(ctx, &o.now)) != 0)
        return rc;
    o.delivery = a->to;
    o.to_fp = stdout;
    o.retry_failed = a->retry_failed;
    o.resend_unknown = a->resend_unknown;
    o.dry_run = ctx->dry_run ? stdout : NULL;
    /* The report of each message, unless the messages themselves go to standard output. */
    if (!ctx->dry_run && !(a->to && strcmp(a->to, "-") == 0)) {
        if ((rc = cmd_open_writer(ctx, cols, 4, &r.out.w, &e2)) < 0)
            return cmd_fail(ctx, rc, &e2);
        r.out.r = rec_new();
        r.out.e = &e2;
    }
    rc = job_within(ctx->store, ctx->dry_run, nrun_body, &r, &e);
    if (r.out.w)
        crc = rec_writer_close(r.out.w, &e2);
    rec_free(r.out.r);
    if (rc < 0 && rc != QS_E_UNAVAILABLE)
        return rc == QS_E_USAGE ? cmd_usage_e(ctx, &e) : cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0 && !ctx->dry_run) {
        struct job_counts c = {0};
        c.n[JOB_SENT] = (long)st.rep.sent;
        c.n[JOB_FAILED] = (long)st.rep.failed;
        c.n[JOB_RETRY] = (long)st.rep.retry;
        c.n[JOB_UNKNOWN] = (long)st.rep.unknown;
        fprintf(stderr, "%s: %ld new event%s, %ld message%s queued, %ld held, %ld voided\n",
                ctx->prog, st.events_new, st.events_new == 1 ? "" : "s", st.messages_new,
                st.messages_new == 1 ? "" : "s", st.held, st.voided);
        job_summary(stderr, ctx->prog, &c);
        deliver_report_epilogue(&st.rep, "message", ctx->prog, stderr);
    }
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (crc < 0)
        return cmd_out_fail(ctx, crc, &e2);
    if (st.rep.retry || st.rep.unknown)
        return QS_EX_TEMPFAIL;
    return st.rep.failed ? QS_EX_FAIL : 0;
}

static int cmd_sync_notify(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct notify_args a = {.period = -2};
    const char *act = argc > 1 ? argv[1] : "";
    int tmpl = strcmp(act, "template") == 0, rc;
    const char *sub = tmpl && argc > 2 ? argv[2] : act;

    if (!tmpl && strcmp(act, "run") && strcmp(act, "list"))
        return cmd_usage(ctx, "\"%s\" is not template, run or list", act);
    if (tmpl && argc < 3)
        return cmd_usage(ctx, "template needs add, edit, use, list or show");
    argc -= tmpl ? 2 : 1;
    argv += tmpl ? 2 : 1;
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (tmpl)
        return notify_template(ctx, sub, &a, argc, argv);
    if (strcmp(act, "list") == 0) {
        if (argc > 0 || a.kind || a.to || a.retry_failed || a.resend_unknown)
            return cmd_usage(ctx, "list takes --state only");
        return notify_list(ctx, &a);
    }
    return notify_run_verb(ctx, &a, argc);
}

/* ---- the verb table ----------------------------------------------------------------- */

static const struct qs_verb sync_verbs[] = {
    QS_VERB("orders", cmd_sync_orders, NULL, QS_NEEDS_SHOP | QS_WRITES_STORE, orders_opts,
            "pull orders and claims into the store"),
    QS_VERB("products", cmd_sync_products, NULL, QS_NEEDS_SHOP | QS_WRITES_STORE, products_opts,
            "pull online items"),
    QS_VERB("ship", cmd_sync_ship, "[FILE|-]", QS_NEEDS_SHOP | QS_WRITES_STORE | QS_READS_STDIN,
            ship_opts, "send carrier and tracking numbers"),
    QS_VERB("confirm", cmd_sync_confirm, "[ORDER...|-]",
            QS_NEEDS_SHOP | QS_WRITES_STORE | QS_READS_STDIN, confirm_opts, "confirm orders"),
    QS_VERB("cancel", cmd_sync_cancel, "[ORDER...|-]",
            QS_NEEDS_SHOP | QS_WRITES_STORE | QS_READS_STDIN, cancel_opts,
            "cancel orders the seller cannot fill"),
    QS_VERB("stock", cmd_stock_sync, NULL, QS_NEEDS_SHOP | QS_WRITES_STORE, stock_sync_opts,
            "set marketplace quantities from the warehouse's (= qs stock sync)"),
    QS_VERB("export", cmd_sync_export, "goods|inventory", QS_NEEDS_SHOP | QS_OPTS_ANYWHERE,
            export_opts,
            "write GoodsList.csv or InventoryManagement_gridInventory.csv for linked software"),
    QS_VERB_USAGE("notify", cmd_sync_notify,
                  "notify template add --kind K --group G --subject S (--body B | --body-file F) "
                  "[OPTIONS] | notify template edit ID [OPTIONS] | notify template use ID Y|N | "
                  "notify template list [ID] | notify template show ID [--rev N] | notify run "
                  "[--to -|smtp|hook:COMMAND] [--retry-failed] [--resend-unknown] | notify list "
                  "[--state S]",
                  QS_NEEDS_SHOP | QS_WRITES_STORE | QS_OPTS_ANYWHERE, notify_opts,
                  "notification templates for linked software, delivered once per event"),
    QS_VERB("doctor", cmd_sync_doctor, NULL, QS_NEEDS_SHOP | QS_WRITES_STORE, NULL,
            "check the shop's setup: one line per check, ok, warn or fail"),
    QS_VERB("log", cmd_sync_log, NULL, QS_NEEDS_STORE, log_opts,
            "print the audit of outside calls"),
    QS_VERB("probe", cmd_sync_probe, NULL, QS_NEEDS_SHOP | QS_WRITES_STORE, probe_opts,
            "settle what the marketplace's documents leave open (writes a probe file)"),
    {.name = NULL},
};

const struct qs_cmd qs_cmd_sync =
    QS_COMMAND("sync", "sync orders, products and stock with the marketplace", sync_verbs);

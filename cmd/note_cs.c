/* note_cs.c: qs note inbox, reply (R-NOTE-12) and delay (R-NOTE-13). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "note_cli.h"
#include "../libcore/qapi.h"
#include "../libcore/sync.h"
#include "../libcore/tm.h"
#include "../libcore/xalloc.h"

/* ---- inbox ----------------------------------------------------------------------------- */

const struct qs_opt note_inbox_opts[] = {
    {"since", required_argument, OPT_SINCE, "TIME",
     "pull inquiries from TIME on (default: since the last pull, 30 days the first time)"},
    {"status", required_argument, OPT_STATUS, "S",
     "list only unanswered, in-progress or done ones (default all)"},
    {"no-pull", no_argument, OPT_NO_PULL, NULL, "list the stored inquiries without pulling"},
    {NULL, 0, 0, NULL, NULL},
};

static const char *const inq_cols[] = {"question_no", "seq_no",   "type",  "status",   "date",
                                       "buyer",       "category", "title", "contents", "item_code",
                                       "item_name",   "order_no", "claim"};

static const char *inq_status_name(const char *s)
{
    return strcmp(s, "S1") == 0   ? "unanswered"
           : strcmp(s, "S2") == 0 ? "in-progress"
           : strcmp(s, "S3") == 0 ? "done"
                                  : s;
}

static int print_inq(const struct note_inquiry *q, void *p)
{
    struct nc_tout *o = p;
    rec_clear(o->r);
    rec_set(o->r, "question_no", q->question_no);
    rec_set(o->r, "seq_no", q->seq_no);
    rec_set(o->r, "type", q->type);
    rec_set(o->r, "status", inq_status_name(q->status));
    nc_set_time(o->ctx, o->r, "date", q->date);
    rec_set(o->r, "buyer", q->buyer);
    rec_set(o->r, "category", q->category);
    rec_set(o->r, "title", q->title);
    rec_set(o->r, "contents", q->contents);
    rec_set(o->r, "item_code", q->item_code);
    rec_set(o->r, "item_name", q->item_name);
    rec_set(o->r, "order_no", q->order_no);
    rec_set(o->r, "claim", q->claim);
    return rec_write(o->w, o->r, o->e);
}

int note_inbox_verb(struct qs_ctx *ctx, int argc, char **argv)
{
    struct nc_tout o = {.ctx = ctx};
    struct cmd_getopt g;
    struct qapi *q = NULL;
    struct qs_err e;
    const char *status = NULL;
    time_t since = 0, now = time(NULL);
    long rows = 0;
    int c, rc, pull = 1, code = 0;

    ctx->prog = "qs note inbox";
    err_clear(&e);
    cmd_getopt_init(&g, ctx, &qs_cmd_note, nc_verb("inbox"));
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        switch (c) {
        case OPT_SINCE:
            if (tm_parse(optarg, cmd_tz(ctx), now, &since, &e) < 0)
                return nc_usage(ctx, "inbox", "--since: %s", e.msg);
            break;
        case OPT_STATUS:
            status = strcmp(optarg, "unanswered") == 0    ? "S1"
                     : strcmp(optarg, "in-progress") == 0 ? "S2"
                     : strcmp(optarg, "done") == 0        ? "S3"
                     : strcmp(optarg, "all") == 0         ? ""
                                                          : NULL;
            if (!status)
                return nc_usage(ctx, "inbox",
                                "--status \"%s\" is not unanswered, in-progress, done or all",
                                optarg);
            if (!*status)
                status = NULL;
            break;
        case OPT_NO_PULL:
            pull = 0;
            break;
        default:
            return QS_EX_USAGE;
        }
    }
    if (optind < argc)
        return nc_usage(ctx, "inbox", "unexpected argument \"%s\"", argv[optind]);
    if (pull) {
        /* A pull is a read: it goes out even with --dry-run. */
        if ((rc = qapi_open(ctx->store, ctx->shop.name, ctx->dry_run, stderr, &q, &e)) < 0 ||
            (rc = note_inbox_pull(ctx->store, q, ctx->shop.name, since, now, &rows, &e)) < 0) {
            qapi_close(q);
            return cmd_fail(ctx, rc, &e);
        }
        qapi_close(q);
    }
    o.r = rec_new();
    o.e = &e;
    if ((rc = nc_open_writer(ctx, inq_cols, 13, &o.w, &e)) == 0) {
        rc = note_inquiry_each(ctx->store, ctx->shop.name, status, print_inq, &o, &e);
        if (rec_writer_close(o.w, rc < 0 ? NULL : &e) < 0 && rc == 0)
            rc = QS_E_IO;
    }
    rec_free(o.r);
    if (rc < 0)
        code = nc_out_fail(ctx, rc, &e);
    else if (pull && ctx->verbosity >= 0)
        fprintf(stderr, "%s: %ld inquir%s pulled\n", ctx->prog, rows, rows == 1 ? "y" : "ies");
    return code;
}

/* ---- reply ----------------------------------------------------------------------------- */

const struct qs_opt note_reply_opts[] = {
    {"body", required_argument, OPT_BODY, "TEXT", "the reply: at most 4000 characters"},
    {"body-file", required_argument, OPT_BODY_FILE, "FILE", "the reply from FILE"},
    {"template", required_argument, OPT_TEMPLATE, "NAME", "the reply from template NAME's body"},
    {"allow-personal", no_argument, OPT_ALLOW_PERSONAL, NULL,
     "send even when the reply holds personal data"},
    {"retry-failed", no_argument, OPT_RETRY_FAILED, NULL,
     "send again replies that failed (look in QSM first when there was no answer)"},
    {"resend-unknown", no_argument, OPT_RESEND_UNKNOWN, NULL,
     "send again replies in flight when a run died"},
    {"encoding", required_argument, OPT_ENCODING, "ENC", "input encoding: auto, utf-8 or cp932"},
    {NULL, 0, 0, NULL, NULL},
};

static const char *const q_names[] = {"question_no", "QUESTION_NO", NULL};

int note_reply_verb(struct qs_ctx *ctx, int argc, char **argv)
{
    struct note_reply_opts o = {.shop = ctx->shop.name};
    struct nc_strs qs = {.names = q_names, .what = "question_no", .rule = "R-NOTE-12"};
    struct note_reply_req *reqs = NULL;
    struct note_send_stats st = {0};
    struct nc_out out = {0};
    struct cmd_getopt g;
    struct qapi *q = NULL;
    struct qs_err e;
    const char *body = NULL, *body_file = NULL, *tmpl = NULL;
    char *text = NULL;
    enum rec_enc enc = REC_ENC_AUTO;
    int c, rc = 0, code = 0, tx = 0;

    ctx->prog = "qs note reply";
    err_clear(&e);
    o.tz = cmd_tz(ctx);
    o.prog = ctx->prog;
    cmd_getopt_init(&g, ctx, &qs_cmd_note, nc_verb("reply"));
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        switch (c) {
        case OPT_BODY:
            body = optarg;
            break;
        case OPT_BODY_FILE:
            body_file = optarg;
            break;
        case OPT_TEMPLATE:
            tmpl = optarg;
            break;
        case OPT_ALLOW_PERSONAL:
            o.allow_personal = 1;
            break;
        case OPT_RETRY_FAILED:
            o.retry_failed = 1;
            break;
        case OPT_RESEND_UNKNOWN:
            o.resend_unknown = 1;
            break;
        case OPT_ENCODING:
            if (rec_enc_parse(optarg, &enc) < 0)
                return nc_usage(ctx, "reply", "--encoding \"%s\" is not auto, utf-8 or cp932",
                                optarg);
            break;
        default:
            return QS_EX_USAGE;
        }
    }
    if (!!body + !!body_file + !!tmpl > 1)
        return nc_usage(ctx, "reply", "--body, --body-file and --template exclude each other%s",
                        NULL);
    if (tmpl) {
        struct note_tmpl t;
        if ((rc = note_tmpl_get(ctx->store, ctx->shop.name, tmpl, &t, &e)) < 0)
            return cmd_fail(ctx, rc, &e);
        text = t.body, t.body = NULL;
        note_tmpl_clear(&t);
    } else if (body_file && (rc = nc_read_file(body_file, &text, &e)) < 0) {
        return cmd_fail(ctx, rc, &e);
    }
    o.body = text ? text : body;
    if (o.body && (rc = note_tmpl_parse(o.body, NULL, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (optind >= argc) {
        argv[--optind] = "-"; /* no operands: records on stdin */
        argc = optind + 1;
    }
    if ((rc = nc_read_operands(ctx, "reply", argc, argv, optind, enc, &qs, &e)) < 0) {
        code = rc == QS_E_USAGE ? QS_EX_USAGE : cmd_fail(ctx, rc, &e);
        goto out;
    }
    reqs = xcalloc(qs.n + 1, sizeof *reqs);
    for (size_t i = 0; i < qs.n; i++)
        reqs[i] = (struct note_reply_req){qs.v[i], qs.body[i], qs.line[i]};
    if ((rc = qapi_open(ctx->store, ctx->shop.name, ctx->dry_run, stdout, &q, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (ctx->dry_run) {
        o.dry_run = stdout;
        if ((rc = store_begin(ctx->store, &e)) < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
        tx = 1;
    }
    out.r = rec_new();
    out.e = &e;
    out.id = "question_no";
    if (!ctx->dry_run &&
        (rc = nc_open_writer(
             ctx, (const char *const[]){"question_no", "result", "key", "ref", "message"}, 5,
             &out.w, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    rc = note_reply(ctx->store, q, &o, reqs, qs.n, nc_print_result, &out, &st, &e);
    if (out.w && rec_writer_close(out.w, rc < 0 ? NULL : &e) < 0 && rc == 0)
        rc = QS_E_IO;
    if (rc < 0) {
        code = nc_out_fail(ctx, rc, &e);
        goto out;
    }
    if (ctx->dry_run) {
        if (ctx->verbosity >= 0)
            fprintf(stderr, "%s: dry run: nothing sent or stored\n", ctx->prog);
        goto out;
    }
    nc_summary(ctx, "replied", &st, NULL);
    code = nc_exit_code(&st, 0);
out:
    if (tx)
        store_rollback(ctx->store);
    qapi_close(q);
    rec_free(out.r);
    free(text);
    free(reqs);
    nc_strs_free(&qs);
    return code;
}

/* ---- delay (R-NOTE-13: the order confirmation with a delay reason) --------------------- */

const struct qs_opt note_delay_opts[] = {
    {"ship-by", required_argument, OPT_SHIP_BY, "DATE",
     "the new ship date: after today, at most 30 days ahead (Japan)"},
    {"reason", required_argument, OPT_REASON, "R",
     "preparing, made-to-order, buyer-request or other"},
    {"memo", required_argument, OPT_MEMO, "TEXT",
     "the notice to the buyer: at most 1000 "
     "characters"},
    {"allow-personal", no_argument, OPT_ALLOW_PERSONAL, NULL,
     "send even when the memo holds personal data"},
    {"retry-failed", no_argument, OPT_RETRY_FAILED, NULL,
     "also send again, now, notices that failed or wait for their retry"},
    {"encoding", required_argument, OPT_ENCODING, "ENC", "input encoding: auto, utf-8 or cp932"},
    {NULL, 0, 0, NULL, NULL},
};

struct delay_cli {
    struct qs_ctx *ctx;
    struct nc_out *out;
    struct note_send_stats st;
    struct qs_err *e;
};

static void delay_reject(const struct sync_req *r, const struct qs_err *e, void *p)
{
    struct delay_cli *d = p;
    char msg[1200];
    struct note_result res = {r->order_no ? r->order_no : "", "failed", "", "", msg};
    snprintf(msg, sizeof msg, "%s%s%s%s", e->msg, e->rule[0] ? " (" : "", e->rule,
             e->rule[0] ? ")" : "");
    d->st.failed++;
    if (d->out->w)
        nc_print_result(&res, d->out);
}

static int delay_result(const struct sync_result *r, void *p)
{
    struct delay_cli *d = p;
    struct note_result res = {r->order_no, r->result, "", r->code, r->message};
    if (strcmp(r->result, "ok") == 0)
        d->st.sent++;
    else if (strcmp(r->result, "failed") == 0)
        d->st.failed++;
    else if (strcmp(r->result, "unknown") == 0)
        d->st.unknown++;
    else
        d->st.retry++;
    return nc_print_result(&res, d->out);
}

int note_delay_verb(struct qs_ctx *ctx, int argc, char **argv)
{
    static const char *const reasons[] = {"preparing", "made-to-order", "buyer-request", "other",
                                          NULL};
    struct sync_send_opts o = {.action = SYNC_CONFIRM, .shop = ctx->shop.name, .now = time(NULL)};
    struct nc_strs orders = {.names = nc_no_names, .what = "order_no", .rule = "R-NOTE-13"};
    struct sync_req *reqs = NULL;
    struct sync_send_stats sst = {0};
    struct sync_send *p = NULL;
    struct nc_out out = {0};
    struct delay_cli d = {.ctx = ctx, .out = &out};
    struct cmd_getopt g;
    struct qapi *q = NULL;
    struct qs_err e;
    const char *ship_by = NULL, *memo = NULL;
    enum rec_enc enc = REC_ENC_AUTO;
    int c, rc = 0, code = 0, tx = 0, personal = 0;

    ctx->prog = "qs note delay";
    err_clear(&e);
    d.e = &e;
    cmd_getopt_init(&g, ctx, &qs_cmd_note, nc_verb("delay"));
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        switch (c) {
        case OPT_SHIP_BY:
            ship_by = optarg;
            break;
        case OPT_REASON:
            o.delay_type = 0;
            for (int i = 0; reasons[i]; i++)
                if (strcmp(reasons[i], optarg) == 0)
                    o.delay_type = i + 1; /* DelayType 1-4 (reference 3.8) */
            if (!o.delay_type)
                return nc_usage(ctx, "delay",
                                "--reason \"%s\" is not preparing, made-to-order, buyer-request or "
                                "other (R-NOTE-13)",
                                optarg);
            break;
        case OPT_MEMO:
            memo = optarg;
            break;
        case OPT_ALLOW_PERSONAL:
            personal = 1;
            break;
        case OPT_RETRY_FAILED:
            o.retry_failed = 1;
            break;
        case OPT_ENCODING:
            if (rec_enc_parse(optarg, &enc) < 0)
                return nc_usage(ctx, "delay", "--encoding \"%s\" is not auto, utf-8 or cp932",
                                optarg);
            break;
        default:
            return QS_EX_USAGE;
        }
    }
    if (!ship_by || !o.delay_type || !memo)
        return nc_usage(ctx, "delay", "--ship-by, --reason and --memo are all needed (R-NOTE-13)%s",
                        NULL);
    /* R-NOTE-13: after today, at most 30 days ahead in Japan; memo at most 1000 characters. */
    if ((rc = sync_est_ship_date(ship_by, o.now, o.est, &e)) < 0)
        return nc_usage(ctx, "delay", "%s (R-NOTE-13)", e.msg);
    if ((rc = note_check_text("memo", memo, NOTE_MEMO_MAX, 0, &e)) < 0) {
        snprintf(e.rule, sizeof e.rule, "R-NOTE-13");
        return cmd_fail(ctx, rc, &e);
    }
    if (!personal && (rc = note_guard("memo", memo, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    o.delay_memo = memo;
    o.quiet = ctx->verbosity < 0;
    o.dry_run = ctx->dry_run;
    o.skip_bad = 1; /* R-NOTE-6 spirit: one bad order does not stop the others */
    o.cap = SYNC_DEFAULT_CAP;
    o.inflight_s = SYNC_INFLIGHT_S;
    if (optind >= argc) {
        argv[--optind] = "-";
        argc = optind + 1;
    }
    if ((rc = nc_read_operands(ctx, "delay", argc, argv, optind, enc, &orders, &e)) < 0) {
        code = rc == QS_E_USAGE ? QS_EX_USAGE : cmd_fail(ctx, rc, &e);
        goto out;
    }
    o.file = orders.n && orders.line[0] ? argv[optind] : "argument";
    reqs = xcalloc(orders.n + 1, sizeof *reqs);
    for (size_t i = 0; i < orders.n; i++)
        reqs[i] = (struct sync_req){orders.v[i], NULL, NULL, orders.line[i]};
    out.r = rec_new();
    out.e = &e;
    out.id = "order_no";
    if (!ctx->dry_run && (rc = nc_open_writer(ctx, nc_result_cols, 5, &out.w, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    if ((rc = qapi_open(ctx->store, ctx->shop.name, ctx->dry_run, stdout, &q, &e)) < 0 ||
        (rc = sync_send_plan(ctx->store, &o, reqs, orders.n, delay_reject, &d, &p, &sst, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (ctx->dry_run) {
        if ((rc = store_begin(ctx->store, &e)) < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
        tx = 1;
    }
    if ((rc = sync_send_enqueue(p, &e)) < 0 || (rc = sync_send_run(p, q, &sst, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (ctx->dry_run) {
        if (ctx->verbosity >= 0)
            fprintf(stderr, "%s: dry run: nothing sent or stored\n", ctx->prog);
        goto out;
    }
    rc = sync_send_report(p, delay_result, &d, &e);
    if (rec_writer_close(out.w, rc < 0 ? NULL : &e) < 0 && rc == 0)
        rc = QS_E_IO;
    out.w = NULL;
    if (rc < 0) {
        code = nc_out_fail(ctx, rc, &e);
        goto out;
    }
    nc_summary(ctx, "sent", &d.st, NULL);
    code = nc_exit_code(&d.st, sst.calls_ok == 0 && sst.calls_failed > 0);
out:
    if (out.w)
        rec_writer_close(out.w, NULL);
    if (tx)
        store_rollback(ctx->store);
    sync_send_free(p);
    qapi_close(q);
    rec_free(out.r);
    free(reqs);
    nc_strs_free(&orders);
    return code;
}

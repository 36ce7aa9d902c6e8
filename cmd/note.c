/* note.c: qs note -- message buyers: notes, templates, rules, inquiries, delay notices,
 * blacklist (SPEC 3). Each verb parses its options (bound to its argument struct), reads
 * its records, calls libcore/note and prints records; the rules live there, and send,
 * reply, delay and run go through the job runner (libcore/note_job.c). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "../libcore/job.h"
#include "../libcore/note/note.h"
#include "../libcore/qapi/qapi.h"
#include "../libcore/xalloc.h"

#define NO_TIME ((time_t)LONG_MIN) /* an OPT_TIME not given */

/* ---- what the verbs share ------------------------------------------------------------- */

static const char *const no_names[] = {"order_no", "OrderNo",  "orderNo",
                                       "ContrNo",  "CONTR_NO", NULL};

/* Writes listing l of the shop on standard output; the exit code. */
static int list_out(struct qs_ctx *ctx, enum note_listing l, struct note_list_opts *lo)
{
    struct rec_writer *w = NULL;
    struct qs_err e;
    size_t n;
    const char *const *cols = note_list_cols(l, &n);
    int rc;

    err_clear(&e);
    lo->shop = ctx->shop.name;
    lo->tz = cmd_tz(ctx);
    if ((rc = cmd_open_writer(ctx, cols, n, &w, &e)) == 0) {
        rc = note_list(ctx->store, l, lo, w, &e);
        if (rec_writer_close(w, rc < 0 ? NULL : &e) < 0 && rc == 0)
            rc = QS_E_IO;
    }
    return rc < 0 ? cmd_out_fail(ctx, rc, &e) : 0;
}

/* ---- send (R-NOTE-1..8, R-NOTE-11) ------------------------------------------------------ */

struct send_args {
    struct cmd_list order, attach;
    struct note_msg_src m;
    struct note_send_opts o;
    int no_email, help;
    long batch, timeout;
    struct note_filter f;
    enum rec_enc enc;
};

/* --status: "paid,confirmed" or "2,3" -> a mask with bit (1 << code) per status. */
static int parse_status(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    (void)ctx;
    if (sync_status_mask(arg, SYNC_STATUS_ALL, target) == 0)
        return 0;
    return err_set(e, QS_E_USAGE, NULL,
                   "--status \"%s\" is not paid, confirmed, shipped, delivered or 2-5", arg);
}

#define SA struct send_args
static const struct qs_opt send_opts[] = {
    OPT_LIST(SA, order, "order", "NO", "note this order (repeatable)"),
    OPT_STRING(SA, m.template, "template", "NAME", "the note's text from template NAME"),
    OPT_STRING(SA, m.title, "title", "TEXT", "the title: one line, at most 100 characters"),
    OPT_STRING(SA, m.body, "body", "TEXT", "the body: at most 1000 characters"),
    OPT_STRING(SA, m.body_file, "body-file", "FILE", "the body from FILE (- for stdin)"),
    OPT_STRING(SA, m.category, "category", "C",
               "shipping, cancel, return, item, seller-board or other (default: the "
               "template's, else other)"),
    OPT_LIST(SA, attach, "attach", "FILE", "attach FILE (repeatable; 4 MB in all)"),
    OPT_FLAG(SA, no_email, "no-email", "do not have Qoo10 copy the note to the buyer's email"),
    OPT_FLAG(SA, help, "help-centre",
             "a single note to the Qoo10 help centre instead of the buyer"),
    OPT_FLAG(SA, o.allow_personal, "allow-personal",
             "send even when the text holds an email address, phone, card number or address"),
    OPT_FLAG(SA, o.resend, "resend", "send again to orders that got this note already"),
    /* R-NOTE-6: lists and claims of at most 500 orders. */
    OPT_LONG(SA, batch, "batch-size", "N", 1, NOTE_BATCH_MAX, "1-500 (R-NOTE-6)",
             "orders per list and per claim, 1-500 (default 200)"),
    OPT_PARSE(SA, f.status_mask, "status", "S", parse_status,
              "select stored orders in status S: paid, confirmed, shipped, delivered "
              "(comma-separated)"),
    OPT_STRING(SA, f.item, "item", "CODE",
               "select stored orders of item CODE (item or seller code)"),
    OPT_TIME(SA, f.ship_by_before, "ship-by-before", "DATE",
             "select stored orders due to ship before DATE"),
    OPT_FLAG(SA, o.retry_failed, "retry-failed",
             "also send now notes that failed or wait for their retry"),
    OPT_FLAG(SA, o.resend_unknown, "resend-unknown",
             "send again notes whose fate is unknown (in flight when a run died)"),
    OPT_ENC(SA, enc),
    OPT_LONG(SA, timeout, "timeout", "SECONDS", 1, 86400, "1-86400 seconds",
             "hook: retry what is unanswered after this long without a sign of life (default "
             "60)"),
    OPT_END,
};
#undef SA

static int cmd_note_send(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct send_args a = {.f.ship_by_before = NO_TIME, .timeout = 60};
    struct note_send_opts *o = &a.o;
    struct note_msg m = {.email = 1};
    struct cmd_keys orders = {.names = no_names, .what = "order_no", .rule = "R-NOTE-6"};
    struct note_req *reqs = NULL;
    struct note_job j = {.s = ctx->store};
    struct qs_err e;
    int rc, code, filter;

    err_clear(&e);
    if ((code = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        goto out;
    a.f.have_ship_by = a.f.ship_by_before != NO_TIME;
    filter = a.f.status_mask || a.f.item || a.f.have_ship_by;
    for (size_t i = 0; i < a.order.n; i++)
        cmd_keys_add(&orders, a.order.v[i]);
    for (size_t i = 0; i < a.attach.n; i++)
        note_msg_attach(&m, a.attach.v[i]);
    m.email = !a.no_email;
    m.help = a.help;
    *o = (struct note_send_opts){.shop = ctx->shop.name,
                                 .tz = cmd_tz(ctx),
                                 .prog = ctx->prog,
                                 .batch = (size_t)a.batch,
                                 .timeout_ms = a.timeout * 1000,
                                 .resend = o->resend,
                                 .retry_failed = o->retry_failed,
                                 .resend_unknown = o->resend_unknown,
                                 .allow_personal = o->allow_personal,
                                 .now = time(NULL),
                                 .dry_run = ctx->dry_run ? stdout : NULL,
                                 .quiet = ctx->verbosity < 0};
    if (orders.n && (argc > 0 || filter)) {
        code = cmd_usage(ctx, "--order takes no input file and no filter");
        goto out;
    }
    if ((rc = note_msg_build(ctx->store, ctx->shop.name, &a.m, cmd_read_file, &m, &e)) < 0 ||
        (rc = note_msg_check(&m, o->allow_personal, &e)) < 0) {
        code = rc == QS_E_USAGE ? cmd_usage_e(ctx, &e) : cmd_fail(ctx, rc, &e);
        goto out;
    }
    /* Input: --order, else records from FILE or stdin, unless only filters were given. */
    if (!orders.n && (argc > 0 || !filter)) {
        if (argc > 1) {
            code = cmd_usage(ctx, "one input file at most (or - for stdin)");
            goto out;
        }
        struct rec_reader_opts ro = cmd_reader_opts(ctx, a.enc);
        orders.e = &e;
        if ((rc = cmd_each_record(ctx->input, &ro, cmd_keys_rec, &orders, NULL, &e)) < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
    }
    reqs = xcalloc(orders.n + 1, sizeof *reqs);
    for (size_t i = 0; i < orders.n; i++)
        reqs[i] = (struct note_req){orders.v[i], orders.line[i]};
    if ((rc = note_send_plan(ctx->store, o, &m, reqs, orders.n, filter ? &a.f : NULL, &j.send,
                             &e)) < 0) {
        code = rc == QS_E_USAGE ? cmd_usage_e(ctx, &e) : cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (note_send_count(j.send, NULL) == 0 && ctx->verbosity >= 0)
        cmd_warn(ctx, "no order to note");
    code = cmd_job(ctx, &note_send_job_ops, &j);
out:
    note_job_clear(&j);
    note_send_free(j.send);
    note_msg_clear(&m);
    cmd_keys_free(&orders);
    free(reqs);
    cmd_args_free(v, &a);
    return code;
}

/* ---- confirm (R-NOTE-11) ------------------------------------------------------------------ */

struct confirm_args {
    const char *handoff;
};

static const struct qs_opt confirm_opts[] = {
    OPT_STRING(struct confirm_args, handoff, "handoff", "DIR",
               "only the notes of hand-off folder DIR"),
    OPT_END,
};

static int cmd_note_confirm(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct confirm_args a = {0};
    struct qs_err e;
    size_t n = 0;
    char *abs = NULL;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    abs = a.handoff ? realpath(a.handoff, NULL) : NULL;
    rc = note_confirm(ctx->store, ctx->shop.name, argc ? (const char *const *)argv : NULL,
                      (size_t)argc, abs ? abs : a.handoff, &n, &e);
    free(abs);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %zu handed-off note%s confirmed as sent\n", ctx->prog, n,
                n == 1 ? "" : "s");
    return 0;
}

/* ---- template (R-NOTE-8) ------------------------------------------------------------------ */

struct tmpl_args {
    const char *title, *body, *body_file, *category;
    int personal;
};

#define TA struct tmpl_args
static const struct qs_opt tmpl_opts[] = {
    OPT_STRING(TA, title, "title", "TEXT", "the title (placeholders allowed)"),
    OPT_STRING(TA, body, "body", "TEXT", "the body (placeholders allowed)"),
    OPT_STRING(TA, body_file, "body-file", "FILE", "the body from FILE (- for stdin)"),
    OPT_STRING(TA, category, "category", "C",
               "shipping, cancel, return, item, seller-board or other (default other)"),
    OPT_FLAG(TA, personal, "allow-personal",
             "save even when the text holds personal data (R-NOTE-4)"),
    OPT_END,
};
#undef TA

static int cmd_note_template(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct tmpl_args a = {0};
    struct note_tmpl t = {0};
    struct note_list_opts lo = {0};
    struct qs_err e;
    const char *act = argc > 1 ? argv[1] : "";
    char *body = NULL;
    int rc, list = strcmp(act, "list") == 0, show = strcmp(act, "show") == 0;

    err_clear(&e);
    if (strcmp(act, "add") && strcmp(act, "edit") && !list && !show)
        return cmd_usage(ctx, "\"%s\" is not add, list, show or edit", act);
    argc--, argv++;
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (argc != !list)
        return cmd_usage(ctx, list ? "list takes no NAME" : "give one template NAME");
    if ((a.title || a.body || a.body_file || a.category) && (list || show))
        return cmd_usage(ctx, "%s takes no options", act);
    if (!list && !show) {
        if (a.body && a.body_file)
            return cmd_usage(ctx, "--body and --body-file exclude each other");
        if (a.body_file && (rc = cmd_read_file(a.body_file, &body, &e)) < 0)
            return cmd_fail(ctx, rc, &e);
        t.name = argv[0];
        t.category = (char *)a.category;
        t.title = (char *)a.title;
        t.body = body ? body : (char *)a.body;
        rc = note_tmpl_save(ctx->store, ctx->shop.name, &t, act[0] == 'a', a.personal, &e);
        free(body);
        if (rc < 0)
            return rc == QS_E_USAGE ? cmd_usage_e(ctx, &e) : cmd_fail(ctx, rc, &e);
        if (ctx->verbosity >= 0)
            fprintf(stderr, "%s: %s %s\n", ctx->prog, act[0] == 'a' ? "added" : "changed", argv[0]);
        return 0;
    }
    lo.name = argv[0];
    return list_out(ctx, show ? NOTE_L_TEMPLATE : NOTE_L_TEMPLATES, &lo);
}

/* ---- rule (R-NOTE-9) ---------------------------------------------------------------------- */

struct rule_args {
    struct note_rule_src r;
    int personal;
};

static int parse_kind(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    (void)ctx;
    /* R-NOTE-9: the rule kinds. */
    if ((*(int *)target = note_rule_kind_parse(arg)) < 0)
        return err_set(e, QS_E_USAGE, "R-NOTE-9", "--kind \"%s\" is not a rule kind", arg);
    return 0;
}

static int parse_amount(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    long v;
    (void)ctx;
    if (cmd_parse_long(arg, 0, 1000000000L, &v) < 0)
        return err_set(e, QS_E_USAGE, NULL, "an amount is a whole number of yen, not \"%s\"", arg);
    *(long long *)target = v;
    return 0;
}

#define RA struct rule_args
static const struct qs_opt rule_opts[] = {
    OPT_PARSE(RA, r.kind, "kind", "K", parse_kind,
              "shipped, unpaid, paid, delayed, delivered, stalled, arrived, delivery-failed or "
              "no-tracking"),
    OPT_LONG(RA, r.after, "after", "N", 0, 100000, "a number",
             "unpaid: minutes after the order (> 30, default 60); delayed: days after payment "
             "(1-100, default 3); stalled: days shipped (default 15); no-tracking: days after "
             "the order (default 7)"),
    OPT_STRING(RA, r.template, "template", "NAME",
               "send template NAME (its text as it is when the rule fires)"),
    OPT_STRING(RA, r.title, "title", "TEXT", "the rule's own title"),
    OPT_STRING(RA, r.body, "body", "TEXT", "the rule's own body"),
    OPT_STRING(RA, r.body_file, "body-file", "FILE", "the body from FILE"),
    OPT_STRING(RA, r.category, "category", "C", "the notes' category"),
    OPT_PARSE(RA, r.min_amount, "min-amount", "YEN", parse_amount, "only orders of at least YEN"),
    OPT_PARSE(RA, r.max_amount, "max-amount", "YEN", parse_amount, "only orders of at most YEN"),
    OPT_STRING(RA, r.countries, "country", "CC", "only orders to these countries (JP,KR)"),
    OPT_LONG(RA, r.max_age, "max-age", "DAYS", 0, 1000, "a number of days",
             "drop a send held by the daily cap once it is this old (1-30, default 3)"),
    OPT_TIME(RA, r.since, "since", "TIME",
             "fire for orders that met the rule from TIME on (default: now)"),
    OPT_FLAG(RA, personal, "allow-personal", "save even when the fixed text holds personal data"),
    OPT_END,
};
#undef RA

static int cmd_note_rule(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct rule_args a = {.r = {.kind = -1,
                                .after = -1,
                                .max_age = -1,
                                .min_amount = -1,
                                .max_amount = -1,
                                .since = NO_TIME}};
    struct note_rule r = {0};
    struct qs_err e;
    const char *act = argc > 1 ? argv[1] : "";
    int rc, any;

    err_clear(&e);
    if (strcmp(act, "add") && strcmp(act, "list") && strcmp(act, "enable") &&
        strcmp(act, "disable"))
        return cmd_usage(ctx, "\"%s\" is not add, list, enable or disable", act);
    argc--, argv++;
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    any = a.r.kind >= 0 || a.r.after >= 0 || a.r.max_age >= 0 || a.r.min_amount >= 0 ||
          a.r.max_amount >= 0 || a.r.since != NO_TIME || a.personal || a.r.template || a.r.title ||
          a.r.body || a.r.body_file || a.r.category || a.r.countries;
    if (strcmp(act, "list") == 0) {
        struct note_list_opts lo = {0};
        if (any || argc > 0)
            return cmd_usage(ctx, "list takes no options or names");
        return list_out(ctx, NOTE_L_RULES, &lo);
    }
    if (argc != 1)
        return cmd_usage(ctx, "give one rule NAME");
    if (act[0] != 'a') {
        if (any)
            return cmd_usage(ctx, "%s takes no options", act);
        if ((rc = note_rule_enable(ctx->store, ctx->shop.name, argv[0], act[0] == 'e', &e)) < 0)
            return cmd_fail(ctx, rc, &e);
        if (ctx->verbosity >= 0)
            fprintf(stderr, "%s: %sd %s\n", ctx->prog, act, argv[0]);
        return 0;
    }
    if (a.r.kind < 0)
        return cmd_usage(ctx, "rule add needs --kind");
    a.r.name = argv[0];
    a.r.have_since = a.r.since != NO_TIME;
    if ((rc = note_rule_build(&a.r, cmd_read_file, &r, &e)) < 0 ||
        (rc = note_rule_add(ctx->store, ctx->shop.name, &r, a.personal, &e)) < 0) {
        rc = rc == QS_E_USAGE ? cmd_usage_e(ctx, &e) : cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: added %s (%s)\n", ctx->prog, r.name, note_rule_kind_name(r.kind));
    rc = 0;
out:
    note_rule_clear(&r);
    return rc;
}

/* ---- run (R-NOTE-9) ----------------------------------------------------------------------- */

struct run_args {
    struct note_run_opts o;
    long timeout;
};

static const struct qs_opt run_opts[] = {
    OPT_TIME(struct run_args, o.now, "now", "TIME",
             "evaluate the rules as of TIME (catching up, rehearsals); default now"),
    OPT_LONG(struct run_args, o.cap, "cap", "N", 0, 1000000, "a number",
             "at most N rule notes a day (default: setting note.daily_cap; 0 = no cap)"),
    OPT_FLAG(struct run_args, o.retry_failed, "retry-failed",
             "also send now notes that failed or wait for their retry"),
    OPT_LONG(struct run_args, timeout, "timeout", "SECONDS", 1, 86400, "1-86400 seconds",
             "hook silence timeout (default 60)"),
    OPT_END,
};

static int cmd_note_run(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct run_args a = {.o = {.shop = ctx->shop.name, .now = time(NULL), .cap = -1},
                         .timeout = 60};
    struct note_job j = {.s = ctx->store, .run = &a.o};
    int rc;

    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (argc > 0)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[0]);
    a.o.prog = ctx->prog;
    a.o.tz = cmd_tz(ctx);
    a.o.timeout_ms = a.timeout * 1000;
    a.o.quiet = ctx->verbosity < 0;
    a.o.dry_run = ctx->dry_run ? stdout : NULL;
    j.diag = ctx->verbosity < 0 ? NULL : stderr;
    rc = cmd_job(ctx, &note_run_job_ops, &j);
    note_job_clear(&j);
    return rc;
}

/* ---- inbox (R-NOTE-12) -------------------------------------------------------------------- */

struct inbox_args {
    time_t since;
    int status, no_pull;
};

static const char *const inq_status[] = {"unanswered", "in-progress", "done", "all", NULL};

static const struct qs_opt inbox_opts[] = {
    OPT_TIME(struct inbox_args, since, "since", "TIME",
             "pull inquiries from TIME on (default: since the last pull, 30 days the first time)"),
    OPT_ENUM(struct inbox_args, status, "status", "S", inq_status,
             "list only unanswered, in-progress or done ones (default all)"),
    OPT_FLAG(struct inbox_args, no_pull, "no-pull", "list the stored inquiries without pulling"),
    OPT_END,
};

static int cmd_note_inbox(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    static const char *const codes[] = {"S1", "S2", "S3", NULL};
    struct inbox_args a = {.status = 3};
    struct note_list_opts lo = {0};
    struct qapi *q = NULL;
    struct qs_err e;
    struct note_inbox_stats st = {0};
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (argc > 0)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[0]);
    if (!a.no_pull) {
        /* A pull is a read: it goes out even with --dry-run. */
        if ((rc = qapi_open(ctx->store, ctx->shop.name, ctx->dry_run, stderr, &q, &e)) < 0 ||
            (rc = note_inbox_pull(ctx->store, q, ctx->shop.name, a.since, time(NULL), &st, &e)) <
                0) {
            qapi_close(q);
            return cmd_fail(ctx, rc, &e);
        }
        qapi_close(q);
    }
    if (ctx->verbosity >= 0 && st.truncated) /* as qs sync orders says it (R-SYN-1c) */
        cmd_warn(ctx,
                 "%ld one-second window%s returned %ld inquiries or more and may be incomplete "
                 "(R-NOTE-12); raise the setting sync.window_cap if the marketplace returns more",
                 st.truncated, st.truncated == 1 ? "" : "s", st.cap);
    lo.status = codes[a.status];
    if ((rc = list_out(ctx, NOTE_L_INQUIRIES, &lo)) == 0 && !a.no_pull && ctx->verbosity >= 0)
        fprintf(stderr, "%s: %ld inquir%s pulled\n", ctx->prog, st.rows,
                st.rows == 1 ? "y" : "ies");
    return rc;
}

/* ---- reply (R-NOTE-12) -------------------------------------------------------------------- */

struct reply_args {
    const char *body, *body_file, *template;
    struct note_reply_opts o;
    enum rec_enc enc;
};

#define PA struct reply_args
static const struct qs_opt reply_opts[] = {
    OPT_STRING(PA, body, "body", "TEXT", "the reply: at most 4000 characters"),
    OPT_STRING(PA, body_file, "body-file", "FILE", "the reply from FILE"),
    OPT_STRING(PA, template, "template", "NAME", "the reply from template NAME's body"),
    OPT_FLAG(PA, o.allow_personal, "allow-personal",
             "send even when the reply holds personal data"),
    OPT_FLAG(PA, o.retry_failed, "retry-failed",
             "send again replies that failed (look in QSM first when there was no answer)"),
    OPT_FLAG(PA, o.resend_unknown, "resend-unknown",
             "send again replies in flight when a run died"),
    OPT_ENC(PA, enc),
    OPT_END,
};
#undef PA

static const char *const q_names[] = {"question_no", "QUESTION_NO", NULL};
static const char *const body_names[] = {"body", "reply", "contents", NULL};

static int cmd_note_reply(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct reply_args a = {.o = {.shop = ctx->shop.name, .prog = ctx->prog}};
    struct note_reply_opts *o = &a.o;
    struct cmd_keys qs = {
        .names = q_names, .what = "question_no", .rule = "R-NOTE-12", .body_names = body_names};
    struct note_reply_req *reqs = NULL;
    struct note_job j = {.s = ctx->store, .reply = &a.o};
    struct qs_err e;
    char *text = NULL;
    int rc, code;

    err_clear(&e);
    if ((code = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return code;
    if ((rc = note_reply_text(ctx->store, ctx->shop.name, a.body, a.body_file, a.template,
                              cmd_read_file, &text, &e)) < 0)
        return rc == QS_E_USAGE ? cmd_usage_e(ctx, &e) : cmd_fail(ctx, rc, &e);
    o->tz = cmd_tz(ctx);
    o->body = text;
    o->dry_run = ctx->dry_run ? stdout : NULL;
    if ((code = cmd_read_keys(ctx, argc, argv, a.enc, &qs, &e)) != 0)
        goto out;
    reqs = xcalloc(qs.n + 1, sizeof *reqs);
    for (size_t i = 0; i < qs.n; i++)
        reqs[i] = (struct note_reply_req){qs.v[i], qs.body[i], qs.line[i]};
    j.reqs = reqs;
    j.n = qs.n;
    if ((rc = cmd_open_qapi(ctx, &j.q, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    code = cmd_job(ctx, &note_reply_job_ops, &j);
out:
    note_job_clear(&j);
    qapi_close(j.q);
    free(text);
    free(reqs);
    cmd_keys_free(&qs);
    return code;
}

/* ---- delay (R-NOTE-13: the order confirmation with a delay reason) ------------------------ */

struct delay_args {
    const char *ship_by, *memo;
    struct sync_send_opts o;
    int personal;
    enum rec_enc enc;
};

static int parse_reason(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    static const char *const reasons[] = {"preparing", "made-to-order", "buyer-request", "other",
                                          NULL};
    (void)ctx;
    for (int i = 0; reasons[i]; i++)
        if (strcmp(reasons[i], arg) == 0) {
            *(int *)target = i + 1; /* DelayType 1-4 (reference 3.8) */
            return 0;
        }
    /* R-NOTE-13: the four reasons QAPI knows. */
    return err_set(e, QS_E_USAGE, "R-NOTE-13",
                   "--reason \"%s\" is not preparing, made-to-order, buyer-request or other", arg);
}

#define DA struct delay_args
static const struct qs_opt delay_opts[] = {
    OPT_STRING(DA, ship_by, "ship-by", "DATE",
               "the new ship date: after today, at most 30 days ahead (Japan)"),
    OPT_PARSE(DA, o.delay_type, "reason", "R", parse_reason,
              "preparing, made-to-order, buyer-request or other"),
    OPT_STRING(DA, memo, "memo", "TEXT", "the notice to the buyer: at most 1000 characters"),
    OPT_FLAG(DA, personal, "allow-personal", "send even when the memo holds personal data"),
    OPT_FLAG(DA, o.retry_failed, "retry-failed",
             "also send again, now, notices that failed or wait for their retry"),
    OPT_ENC(DA, enc),
    OPT_END,
};
#undef DA

static int cmd_note_delay(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct delay_args a = {.o = {.shop = ctx->shop.name, .now = time(NULL)}};
    struct sync_send_opts *o = &a.o;
    struct cmd_keys orders = {.names = no_names, .what = "order_no", .rule = "R-NOTE-13"};
    struct sync_req *reqs = NULL;
    struct note_job j = {.s = ctx->store};
    struct qs_err e;
    int rc, code;

    err_clear(&e);
    if ((code = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return code;
    o->quiet = ctx->verbosity < 0;
    o->dry_run = ctx->dry_run;
    if ((rc = note_delay_prepare(o, a.ship_by, a.memo, a.personal, &e)) < 0)
        return rc == QS_E_USAGE ? cmd_usage_e(ctx, &e) : cmd_fail(ctx, rc, &e);
    if ((code = cmd_read_keys(ctx, argc, argv, a.enc, &orders, &e)) != 0)
        goto out;
    o->file = orders.n && orders.line[0] ? ctx->input : "argument";
    reqs = xcalloc(orders.n + 1, sizeof *reqs);
    for (size_t i = 0; i < orders.n; i++)
        reqs[i] = (struct sync_req){orders.v[i], NULL, NULL, orders.line[i]};
    if ((rc = cmd_open_qapi(ctx, &j.q, &e)) < 0 ||
        (rc = sync_send_plan(ctx->store, o, reqs, orders.n, note_job_reject, &j, &j.delay, &j.sst,
                             &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    code = cmd_job(ctx, &note_delay_job_ops, &j);
out:
    note_job_clear(&j);
    sync_send_free(j.delay);
    qapi_close(j.q);
    free(reqs);
    cmd_keys_free(&orders);
    return code;
}

/* ---- blacklist and customers (R-NOTE-10) -------------------------------------------------- */

struct bl_args {
    const char *email, *name, *phone, *reason;
    int orders;
    enum rec_enc enc;
};

#define BA struct bl_args
static const struct qs_opt bl_opts[] = {
    OPT_STRING(BA, email, "email", "ADDR", "the buyer's email address"),
    OPT_STRING(BA, name, "name", "NAME", "the buyer's name (with --phone)"),
    OPT_STRING(BA, phone, "phone", "TEL", "the buyer's phone number (with --name)"),
    OPT_STRING(BA, reason, "reason", "TEXT", "why (add)"),
    OPT_FLAG(BA, orders, "orders", "list: the flagged orders instead of the buyers"),
    OPT_ENC(BA, enc),
    OPT_END,
};
#undef BA

static int cmd_note_blacklist(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct bl_args a = {0};
    struct note_buyer_refs refs = {0};
    struct qs_err e;
    const char *act = argc > 1 ? argv[1] : "", *file = "-";
    long changed = 0;
    int rc, add = strcmp(act, "add") == 0;

    err_clear(&e);
    if (!add && strcmp(act, "rm") && strcmp(act, "list"))
        return cmd_usage(ctx, "\"%s\" is not add, rm or list", act);
    argc--, argv++;
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (strcmp(act, "list") == 0) {
        struct note_list_opts lo = {0};
        if (argc > 0 || a.email || a.name || a.phone)
            return cmd_usage(ctx, "list takes no buyers");
        return list_out(ctx, a.orders ? NOTE_L_FLAGGED : NOTE_L_BLACKLIST, &lo);
    }
    if (a.orders)
        return cmd_usage(ctx, "--orders goes with list");
    if (a.email || a.name || a.phone) {
        if (argc > 0)
            return cmd_usage(ctx, "--email/--name/--phone take no order numbers");
        if (!a.email && (!a.name || !a.phone))
            return cmd_usage(ctx, "--name needs --phone (R-NOTE-10)");
        note_buyer_refs_add(&refs, a.email, a.name, a.phone, NULL, 0);
    } else if (argc == 0 || cmd_is_input(argv[0])) {
        struct rec_reader_opts ro = cmd_reader_opts(ctx, a.enc);
        file = argc ? argv[0] : "-";
        rc = cmd_each_record(file, &ro, note_buyer_refs_rec, &refs, refs.sheet, &e);
    } else {
        for (int i = 0; i < argc; i++)
            note_buyer_refs_add(&refs, NULL, NULL, NULL, argv[i], 0);
    }
    if (rc == 0 &&
        (rc = note_blacklist_change(ctx->store, ctx->shop.name, add, a.reason, &refs, file,
                                    &changed, &e)) == 0 &&
        ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s %ld buyer%s (%ld already %s)\n", ctx->prog,
                add ? "blacklisted" : "removed", changed, changed == 1 ? "" : "s",
                (long)refs.n - changed, add ? "listed" : "not listed");
    note_buyer_refs_free(&refs);
    return rc < 0 ? cmd_fail(ctx, rc, &e) : 0;
}

struct cust_args {
    int only_bl;
};

static const struct qs_opt cust_opts[] = {
    OPT_FLAG(struct cust_args, only_bl, "blacklisted", "only blacklisted buyers"),
    OPT_END,
};

static int cmd_note_customers(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct cust_args a = {0};
    struct note_list_opts lo = {0};
    int rc;

    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (argc > 0)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[0]);
    lo.only_bl = a.only_bl;
    return list_out(ctx, NOTE_L_CUSTOMERS, &lo);
}

/* ---- the verb table ----------------------------------------------------------------------- */

static const struct qs_verb note_verbs[] = {
    QS_VERB_USAGE("send", cmd_note_send,
                  "send [--order NO]... [--status S] [--item CODE] [--ship-by-before DATE] "
                  "(--template NAME | --title T --body B) [OPTIONS] [FILE|-]",
                  QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE, send_opts,
                  "send notes to buyers of paid orders"),
    QS_VERB_USAGE("template", cmd_note_template,
                  "template add|edit [--category C] [--title T] [--body B | --body-file FILE] NAME "
                  "| template list | template show NAME",
                  QS_NEEDS_SHOP | QS_WRITES_UNLESS_LIST, tmpl_opts, "manage note templates"),
    QS_VERB_USAGE("rule", cmd_note_rule,
                  "rule add --kind K [--after N] (--template NAME | --title T --body B) [OPTIONS] "
                  "NAME | rule list | rule enable|disable NAME",
                  QS_NEEDS_SHOP | QS_WRITES_UNLESS_LIST, rule_opts, "manage automatic note rules"),
    QS_VERB("run", cmd_note_run, NULL, QS_NEEDS_SHOP | QS_WRITES_STORE, run_opts,
            "fire due note rules (for cron)"),
    QS_VERB("inbox", cmd_note_inbox, NULL, QS_NEEDS_SHOP | QS_WRITES_STORE, inbox_opts,
            "pull and list buyer inquiries"),
    QS_VERB_USAGE("reply", cmd_note_reply,
                  "reply (--body TEXT | --body-file FILE | --template NAME) [QUESTION...|FILE|-]",
                  QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE, reply_opts,
                  "answer buyer inquiries, each exactly once"),
    QS_VERB_USAGE("delay", cmd_note_delay,
                  "delay --ship-by DATE --reason R --memo TEXT [ORDER...|FILE|-]",
                  QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE, delay_opts,
                  "send delay notices with a new ship date"),
    QS_VERB_USAGE("blacklist", cmd_note_blacklist,
                  "blacklist add|rm [--email E | --name N --phone P] [--reason R] "
                  "[ORDER...|FILE|-] | blacklist list [--orders]",
                  QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_UNLESS_LIST, bl_opts,
                  "manage the buyer blacklist"),
    QS_VERB("customers", cmd_note_customers, NULL, QS_NEEDS_SHOP, cust_opts, "customer statistics"),
    QS_VERB("confirm", cmd_note_confirm, "[ORDER...]", QS_NEEDS_SHOP | QS_WRITES_STORE,
            confirm_opts, "mark notes handed off to QSM as sent"),
    {.name = NULL},
};

const struct qs_cmd qs_cmd_note = QS_COMMAND(
    "note", "message buyers: notes, templates, rules, inquiries, delay notices", note_verbs);

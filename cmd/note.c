/* note.c: qs note -- message buyers: notes, templates, rules, inquiries, delay notices,
 * blacklist (SPEC 3). The verb table and what the verbs share, then the verbs by
 * concern: send/confirm/template, rule/run, inbox/reply/delay, blacklist/customers.
 * Each parses its options,
 * reads its records, calls libcore/note (or libcore/sync for delay notices) and prints
 * records; the rules live there. */
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

/* ---- shared helpers ---------------------------------------------------------------- */

/* The verb entry called name (for usage messages). */
const struct qs_verb *nc_verb(const char *name)
{
    for (const struct qs_verb *v = qs_cmd_note.verbs; v->name; v++)
        if (strcmp(v->name, name) == 0)
            return v;
    return qs_cmd_note.verbs;
}

int nc_usage(struct qs_ctx *ctx, const char *v, const char *fmt, const char *arg)
{
    (void)v;
    return cmd_usage(ctx, fmt, arg ? arg : "");
}

/* A usage error from libcore: its message and rule, then the verb's usage line. */
int nc_usage_e(struct qs_ctx *ctx, const char *v, const struct qs_err *e)
{
    (void)v;
    char msg[1200];
    snprintf(msg, sizeof msg, "%s%s%s%s", e->msg, e->rule[0] ? " (" : "", e->rule,
             e->rule[0] ? ")" : "");
    return cmd_usage(ctx, "%s", msg);
}

/* STYLE.md: a reader that went away (qs note ... | head) ends the output quietly. */
int nc_out_fail(const struct qs_ctx *ctx, int rc, const struct qs_err *e)
{
    if (rc == QS_E_IO && ferror(stdout) && errno == EPIPE)
        return 0;
    return cmd_fail(ctx, rc, e);
}

int nc_open_writer(struct qs_ctx *ctx, const char *const *cols, size_t n, struct rec_writer **w,
                   struct qs_err *e)
{
    struct rec_writer_opts wo = cmd_writer_opts(ctx);
    return rec_writer_open(stdout, &wo, cols, n, w, e);
}

/* A whole file as a string (--body-file); malloc'd. */
int nc_read_file(const char *path, char **out, struct qs_err *e)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    size_t n = 0, cap = 4096;
    char *buf;
    if (!fp)
        return err_set(e, QS_E_IO, NULL, "cannot open %s: %s", path, strerror(errno));
    buf = xmalloc(cap);
    for (;;) {
        size_t k = fread(buf + n, 1, cap - n - 1, fp);
        n += k;
        if (k == 0)
            break;
        if (n + 1 == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    buf[n] = '\0';
    int bad = ferror(fp);
    if (fp != stdin)
        fclose(fp);
    if (bad) {
        free(buf);
        return err_set(e, QS_E_IO, NULL, "cannot read %s", path);
    }
    /* A file's last newline is not part of the text. */
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    *out = buf;
    return 0;
}

long nc_parse_long(const char *s, long min, long max, int *ok)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    *ok = !errno && end != s && !*end && v >= min && v <= max;
    return v;
}

const char *const nc_no_names[] = {"order_no", "OrderNo", "orderNo", "ContrNo", "CONTR_NO", NULL};

void nc_strs_add(struct nc_strs *s, const char *v, long line, const char *body)
{
    s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
    s->line = xrealloc(s->line, (s->n + 1) * sizeof *s->line);
    s->body = xrealloc(s->body, (s->n + 1) * sizeof *s->body);
    s->v[s->n] = xstrdup(v);
    s->line[s->n] = line;
    s->body[s->n++] = body ? xstrdup(body) : NULL;
}

void nc_strs_free(struct nc_strs *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i]);
        free(s->body[i]);
    }
    free(s->v);
    free(s->line);
    free(s->body);
}

const char *const nc_body_names[] = {"body", "reply", "contents", NULL};

int nc_strs_rec(const struct rec *r, long line, void *ctx)
{
    struct nc_strs *s = ctx;
    const char *v = cmd_field(r, s->names);
    (void)line;
    if (!v)
        return err_set(s->e, QS_E_DATA, s->rule, "the input has no %s column", s->what);
    nc_strs_add(s, v, line, s->names != nc_no_names ? cmd_field(r, nc_body_names) : NULL);
    return 0;
}

/* Operands as values, "-" or a file as records. */
int nc_read_operands(struct qs_ctx *ctx, const char *vname, int argc, char **argv, int from,
                     enum rec_enc enc, struct nc_strs *s, struct qs_err *e)
{
    if (from >= argc)
        return 0;
    if (strcmp(argv[from], "-") == 0 ||
        (strspn(argv[from], "0123456789") != strlen(argv[from]) && access(argv[from], R_OK) == 0)) {
        if (argc - from > 1) {
            nc_usage(ctx, vname, "one input file at most (or - for stdin)%s", NULL);
            return QS_E_USAGE;
        }
        s->e = e;
        return cmd_each_record(argv[from], enc, nc_strs_rec, s, e);
    }
    for (int i = from; i < argc; i++)
        nc_strs_add(s, argv[i], 0, NULL);
    return 0;
}

const char *const nc_result_cols[] = {"order_no", "result", "key", "ref", "message"};

int nc_print_result(const struct note_result *res, void *p)
{
    struct nc_out *o = p;
    rec_clear(o->r);
    rec_set(o->r, o->id, res->order_no);
    rec_set(o->r, "result", res->result);
    rec_set(o->r, "key", res->key);
    rec_set(o->r, "ref", res->ref);
    rec_set(o->r, "message", res->message);
    return rec_write(o->w, o->r, o->e);
}

/* SPEC 1.3 from a run's outcomes: 75 when something waits for a retry or is unknown (69
 * when nothing went out and the other side never answered), else 1 when some failed. */
int nc_exit_code(const struct note_send_stats *st, int unavailable)
{
    if (st->retry || st->unknown)
        return unavailable && !st->sent && !st->handed_off ? QS_EX_UNAVAILABLE : QS_EX_TEMPFAIL;
    return st->failed ? QS_EX_FAIL : 0;
}

void nc_summary(struct qs_ctx *ctx, const char *verb_done, const struct note_send_stats *st,
                const struct deliver_report *rep)
{
    if (ctx->verbosity < 0)
        return;
    fprintf(stderr, "%s: %s %ld, failed %ld", ctx->prog, verb_done, st->sent,
            st->failed + st->retry + st->unknown);
    if (st->retry)
        fprintf(stderr, " (to retry %ld)", st->retry);
    if (st->unknown)
        fprintf(stderr, " (unknown %ld)", st->unknown);
    if (st->handed_off)
        fprintf(stderr, ", handed off %ld", st->handed_off);
    fputc('\n', stderr);
    if (rep && rep->handoff[0])
        fprintf(stderr, "%s: hand-off written to %s\n", ctx->prog, rep->handoff);
    if (rep && rep->unknown_total)
        fprintf(stderr, "%s: %zu note%s in flight when a run died; --resend-unknown sends them\n",
                ctx->prog, rep->unknown_total, rep->unknown_total == 1 ? "" : "s");
}

void nc_set_time(struct qs_ctx *ctx, struct rec *r, const char *name, const char *iso)
{
    char buf[64] = "";
    time_t t;
    if (iso && tm_parse_utc_iso(iso, &t) == 0 && tm_format(t, cmd_tz(ctx), 0, buf, sizeof buf) < 0)
        buf[0] = '\0';
    rec_set(r, name, buf);
}

/* ---- the verb table ---------------------------------------------------------------------- */

static const struct qs_verb note_verbs[] = {
    {.name = "send",
     .legacy_fn = note_send_verb,
     .usage = "send [--order NO]... [--status S] [--item CODE] [--ship-by-before DATE] (--template "
              "NAME | "
              "--title T --body B) [OPTIONS] [FILE|-]",
     .summary = "send notes to buyers of paid orders",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = note_send_opts},
    {.name = "template",
     .legacy_fn = note_template_verb,
     .usage = "template add|edit [--category C] [--title T] [--body B | --body-file FILE] NAME | "
              "template list | template show NAME",
     .summary = "manage note templates",
     .flags = QS_NEEDS_SHOP | QS_WRITES_UNLESS_LIST,
     .gopts = note_template_opts},
    {.name = "rule",
     .legacy_fn = note_rule_verb,
     .usage =
         "rule add --kind K [--after N] (--template NAME | --title T --body B) [OPTIONS] NAME | "
         "rule list | rule enable|disable NAME",
     .summary = "manage automatic note rules",
     .flags = QS_NEEDS_SHOP | QS_WRITES_UNLESS_LIST,
     .gopts = note_rule_opts},
    {.name = "run",
     .legacy_fn = note_run_verb,
     .usage = "run [--now TIME] [--cap N]",
     .summary = "fire due note rules (for cron)",
     .flags = QS_NEEDS_SHOP | QS_WRITES_STORE,
     .gopts = note_run_opts},
    {.name = "inbox",
     .legacy_fn = note_inbox_verb,
     .usage = "inbox [--since TIME] [--status S] [--no-pull]",
     .summary = "pull and list buyer inquiries",
     .flags = QS_NEEDS_SHOP | QS_WRITES_STORE,
     .gopts = note_inbox_opts},
    {.name = "reply",
     .legacy_fn = note_reply_verb,
     .usage = "reply (--body TEXT | --body-file FILE | --template NAME) [QUESTION...|FILE|-]",
     .summary = "answer buyer inquiries, each exactly once",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = note_reply_opts},
    {.name = "delay",
     .legacy_fn = note_delay_verb,
     .usage = "delay --ship-by DATE --reason R --memo TEXT [ORDER...|FILE|-]",
     .summary = "send delay notices with a new ship date",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = note_delay_opts},
    {.name = "blacklist",
     .legacy_fn = note_blacklist_verb,
     .usage = "blacklist add|rm [--email E | --name N --phone P] [--reason R] [ORDER...|FILE|-] | "
              "blacklist list [--orders]",
     .summary = "manage the buyer blacklist",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_UNLESS_LIST,
     .gopts = note_blacklist_opts},
    {.name = "customers",
     .legacy_fn = note_customers_verb,
     .usage = "customers [--blacklisted]",
     .summary = "customer statistics",
     .flags = QS_NEEDS_SHOP,
     .gopts = note_customers_opts},
    {.name = "confirm",
     .legacy_fn = note_confirm_verb,
     .usage = "confirm [--handoff DIR] [ORDER...]",
     .summary = "mark notes handed off to QSM as sent",
     .flags = QS_NEEDS_SHOP | QS_WRITES_STORE,
     .gopts = note_confirm_opts},
    {.name = NULL},
};

const struct qs_cmd qs_cmd_note = {
    "note",
    "message buyers: notes, templates, rules, inquiries, delay notices",
    note_verbs,
};

/* ---- qs note send, confirm and template (R-NOTE-1..8, R-NOTE-11). */

/* The message options shared by send, template and rule. */
struct msgopt {
    const char *template, *title, *body, *body_file, *category;
    int allow_personal;
};

/* Builds m from --template or --title/--body (R-NOTE-1, R-NOTE-8). */
static int build_msg(struct qs_ctx *ctx, const struct msgopt *mo, struct note_msg *m,
                     struct qs_err *e)
{
    int rc;
    if (mo->template) {
        struct note_tmpl t;
        if (mo->title || mo->body || mo->body_file)
            return err_set(e, QS_E_USAGE, NULL, "--template takes no --title or --body");
        if ((rc = note_tmpl_get(ctx->store, ctx->shop.name, mo->template, &t, e)) < 0)
            return rc;
        m->template = xstrdup(mo->template);
        m->category = xstrdup(mo->category ? mo->category : t.category);
        m->title = t.title, t.title = NULL;
        m->body = t.body, t.body = NULL;
        note_tmpl_clear(&t);
    } else {
        if (!mo->title || (!mo->body && !mo->body_file))
            return err_set(e, QS_E_USAGE, "R-NOTE-3",
                           "a note needs --title and --body (or --body-file), or --template");
        if (mo->body && mo->body_file)
            return err_set(e, QS_E_USAGE, NULL, "--body and --body-file exclude each other");
        m->title = xstrdup(mo->title);
        if (mo->body_file) {
            if ((rc = nc_read_file(mo->body_file, &m->body, e)) < 0)
                return rc;
        } else {
            m->body = xstrdup(mo->body);
        }
        m->category = xstrdup(mo->category ? mo->category : "other");
    }
    return 0;
}

/* ---- send ----------------------------------------------------------------------------- */

const struct cmd_gopt note_send_opts[] = {
    {"order", required_argument, OPT_ORDER, "NO", "note this order (repeatable)"},
    {"template", required_argument, OPT_TEMPLATE, "NAME", "the note's text from template NAME"},
    {"title", required_argument, OPT_TITLE, "TEXT", "the title: one line, at most 100 characters"},
    {"body", required_argument, OPT_BODY, "TEXT", "the body: at most 1000 characters"},
    {"body-file", required_argument, OPT_BODY_FILE, "FILE", "the body from FILE (- for stdin)"},
    {"category", required_argument, OPT_CATEGORY, "C",
     "shipping, cancel, return, item, seller-board or other (default: the template's, else "
     "other)"},
    {"attach", required_argument, OPT_ATTACH, "FILE", "attach FILE (repeatable; 4 MB in all)"},
    {"no-email", no_argument, OPT_NO_EMAIL, NULL,
     "do not have Qoo10 copy the note to the buyer's email"},
    {"help-centre", no_argument, OPT_HELP_CENTRE, NULL,
     "a single note to the Qoo10 help centre instead of the buyer"},
    {"allow-personal", no_argument, OPT_ALLOW_PERSONAL, NULL,
     "send even when the text holds an email address, phone, card number or address"},
    {"resend", no_argument, OPT_RESEND, NULL, "send again to orders that got this note already"},
    {"batch-size", required_argument, OPT_BATCH_SIZE, "N",
     "orders per list and per claim, 1-500 (default 200)"},
    {"status", required_argument, OPT_STATUS, "S",
     "select stored orders in status S: paid, confirmed, shipped, delivered (comma-separated)"},
    {"item", required_argument, OPT_ITEM, "CODE",
     "select stored orders of item CODE (item or seller code)"},
    {"ship-by-before", required_argument, OPT_SHIP_BY_BEFORE, "DATE",
     "select stored orders due to ship before DATE"},
    {"retry-failed", no_argument, OPT_RETRY_FAILED, NULL,
     "also send now notes that failed or wait for their retry"},
    {"resend-unknown", no_argument, OPT_RESEND_UNKNOWN, NULL,
     "send again notes whose fate is unknown (in flight when a run died)"},
    {"encoding", required_argument, OPT_ENCODING, "ENC", "input encoding: auto, utf-8 or cp932"},
    {"timeout", required_argument, OPT_TIMEOUT, "SECONDS",
     "hook: retry what is unanswered after this long without a sign of life (default 60)"},
    {NULL, 0, 0, NULL, NULL},
};

/* "paid,shipped" -> bits (1 << status). */
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

int note_send_verb(struct qs_ctx *ctx, int argc, char **argv)
{
    struct note_send_opts o = {.shop = ctx->shop.name, .now = time(NULL)};
    struct note_filter f = {0};
    struct note_msg m = {.email = 1};
    struct msgopt mo = {0};
    struct nc_strs orders = {.names = nc_no_names, .what = "order_no", .rule = "R-NOTE-6"};
    struct note_req *reqs = NULL;
    struct note_send *p = NULL;
    struct note_send_stats st = {0};
    struct deliver_report rep = {0};
    struct nc_out out = {0};
    struct cmd_getopt g;
    struct qs_err e;
    enum rec_enc enc = REC_ENC_AUTO;
    int c, ok, rc = 0, code = 0, filter = 0, tx = 0;
    long v;

    ctx->prog = "qs note send";
    err_clear(&e);
    o.tz = cmd_tz(ctx);
    o.prog = ctx->prog;
    cmd_getopt_init(&g, ctx, &qs_cmd_note, nc_verb("send"));
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        switch (c) {
        case OPT_ORDER:
            nc_strs_add(&orders, optarg, 0, NULL);
            break;
        case OPT_TEMPLATE:
            mo.template = optarg;
            break;
        case OPT_TITLE:
            mo.title = optarg;
            break;
        case OPT_BODY:
            mo.body = optarg;
            break;
        case OPT_BODY_FILE:
            mo.body_file = optarg;
            break;
        case OPT_CATEGORY:
            mo.category = optarg;
            break;
        case OPT_ATTACH:
            note_msg_attach(&m, optarg);
            break;
        case OPT_NO_EMAIL:
            m.email = 0;
            break;
        case OPT_HELP_CENTRE:
            m.help = 1;
            break;
        case OPT_ALLOW_PERSONAL:
            o.allow_personal = mo.allow_personal = 1;
            break;
        case OPT_RESEND:
            o.resend = 1;
            break;
        case OPT_BATCH_SIZE:
            v = nc_parse_long(optarg, 1, NOTE_BATCH_MAX, &ok);
            if (!ok) {
                code = nc_usage(ctx, "send", "--batch-size \"%s\" is not 1-500 (R-NOTE-6)", optarg);
                goto out;
            }
            o.batch = (size_t)v;
            break;
        case OPT_STATUS:
            if (status_mask(optarg, &f.status_mask) < 0) {
                code = nc_usage(ctx, "send",
                                "--status \"%s\" is not paid, confirmed, shipped, "
                                "delivered or 2-5",
                                optarg);
                goto out;
            }
            filter = 1;
            break;
        case OPT_ITEM:
            f.item = optarg;
            filter = 1;
            break;
        case OPT_SHIP_BY_BEFORE:
            if (tm_parse(optarg, cmd_tz(ctx), o.now, &f.ship_by_before, &e) < 0) {
                code = nc_usage(ctx, "send", "--ship-by-before: %s", e.msg);
                goto out;
            }
            f.have_ship_by = filter = 1;
            break;
        case OPT_RETRY_FAILED:
            o.retry_failed = 1;
            break;
        case OPT_RESEND_UNKNOWN:
            o.resend_unknown = 1;
            break;
        case OPT_ENCODING:
            if (rec_enc_parse(optarg, &enc) < 0) {
                code =
                    nc_usage(ctx, "send", "--encoding \"%s\" is not auto, utf-8 or cp932", optarg);
                goto out;
            }
            break;
        case OPT_TIMEOUT:
            v = nc_parse_long(optarg, 1, 86400, &ok);
            if (!ok) {
                code = nc_usage(ctx, "send", "--timeout \"%s\" is not 1-86400 seconds", optarg);
                goto out;
            }
            o.timeout_ms = v * 1000;
            break;
        default:
            code = QS_EX_USAGE;
            goto out;
        }
    }
    if (orders.n && (optind < argc || filter)) {
        code = nc_usage(ctx, "send", "--order takes no input file and no filter%s", NULL);
        goto out;
    }
    if ((rc = build_msg(ctx, &mo, &m, &e)) < 0 ||
        (rc = note_msg_check(&m, o.allow_personal, &e)) < 0) {
        code = rc == QS_E_USAGE ? nc_usage_e(ctx, "send", &e) : cmd_fail(ctx, rc, &e);
        goto out;
    }
    /* Input: --order, else records from FILE or stdin, unless only filters were given. */
    if (!orders.n && (optind < argc || !filter)) {
        const char *file = optind < argc ? argv[optind] : "-";
        if (argc - optind > 1) {
            code = nc_usage(ctx, "send", "one input file at most (or - for stdin)%s", NULL);
            goto out;
        }
        orders.e = &e;
        if ((rc = cmd_each_record(file, enc, nc_strs_rec, &orders, &e)) < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
    }
    reqs = xcalloc(orders.n + 1, sizeof *reqs);
    for (size_t i = 0; i < orders.n; i++)
        reqs[i] = (struct note_req){orders.v[i], orders.line[i]};
    o.dry_run = ctx->dry_run ? stdout : NULL;
    o.quiet = ctx->verbosity < 0;
    if ((rc = note_send_plan(ctx->store, &o, &m, reqs, orders.n, filter ? &f : NULL, &p, &e)) < 0) {
        code = rc == QS_E_USAGE ? nc_usage_e(ctx, "send", &e) : cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (note_send_count(p, NULL) == 0 && ctx->verbosity >= 0)
        cmd_warn(ctx, "no order to note");
    /* --dry-run: queue in a transaction, print the requests, roll back. */
    if (ctx->dry_run && (rc = store_begin(ctx->store, &e)) == 0)
        tx = 1;
    if (rc < 0 || (rc = note_send_enqueue(p, &e)) < 0 || (rc = note_send_run(p, &rep, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (ctx->dry_run) {
        if (ctx->verbosity >= 0)
            fprintf(stderr, "%s: dry run: nothing sent or stored\n", ctx->prog);
        goto out;
    }
    out.r = rec_new();
    out.e = &e;
    out.id = "order_no";
    if ((rc = nc_open_writer(ctx, nc_result_cols, 5, &out.w, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    rc = note_send_report(p, nc_print_result, &out, &st, &e);
    if (rec_writer_close(out.w, rc < 0 ? NULL : &e) < 0 && rc == 0)
        rc = QS_E_IO;
    if (rc < 0) {
        code = nc_out_fail(ctx, rc, &e);
        goto out;
    }
    if (rep.garbage && ctx->verbosity >= 0)
        cmd_warn(ctx, "the hook answered %zu line%s that were not answers", rep.garbage,
                 rep.garbage == 1 ? "" : "s");
    nc_summary(ctx, "sent", &st, &rep);
    code = nc_exit_code(&st, rep.unavailable);
out:
    if (tx)
        store_rollback(ctx->store);
    rec_free(out.r);
    note_send_free(p);
    note_msg_clear(&m);
    nc_strs_free(&orders);
    free(reqs);
    return code;
}

/* ---- confirm --------------------------------------------------------------------------- */

const struct cmd_gopt note_confirm_opts[] = {
    {"handoff", required_argument, OPT_HANDOFF, "DIR", "only the notes of hand-off folder DIR"},
    {NULL, 0, 0, NULL, NULL},
};

int note_confirm_verb(struct qs_ctx *ctx, int argc, char **argv)
{
    struct cmd_getopt g;
    struct qs_err e;
    const char *ref = NULL;
    size_t n = 0;
    char *abs = NULL;
    int c, rc;

    ctx->prog = "qs note confirm";
    err_clear(&e);
    cmd_getopt_init(&g, ctx, &qs_cmd_note, nc_verb("confirm"));
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        if (c != OPT_HANDOFF)
            return QS_EX_USAGE;
        ref = optarg;
    }
    if (ref && (abs = realpath(ref, NULL)))
        ref = abs;
    rc = note_confirm(ctx->store, ctx->shop.name,
                      optind < argc ? (const char *const *)argv + optind : NULL,
                      (size_t)(argc - optind), ref, &n, &e);
    free(abs);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %zu handed-off note%s confirmed as sent\n", ctx->prog, n,
                n == 1 ? "" : "s");
    return 0;
}

/* ---- template -------------------------------------------------------------------------- */

const struct cmd_gopt note_template_opts[] = {
    {"title", required_argument, OPT_TITLE, "TEXT", "the title (placeholders allowed)"},
    {"body", required_argument, OPT_BODY, "TEXT", "the body (placeholders allowed)"},
    {"body-file", required_argument, OPT_BODY_FILE, "FILE", "the body from FILE (- for stdin)"},
    {"category", required_argument, OPT_CATEGORY, "C",
     "shipping, cancel, return, item, seller-board or other (default other)"},
    {"allow-personal", no_argument, OPT_ALLOW_PERSONAL, NULL,
     "save even when the text holds personal data (R-NOTE-4)"},
    {NULL, 0, 0, NULL, NULL},
};

static const char *const tmpl_cols[] = {"name", "category", "title", "placeholders", "updated"};
static const char *const tmpl_show_cols[] = {"name",         "category", "title",  "body",
                                             "placeholders", "created",  "updated"};

static void placeholders(const char *title, const char *body, char *buf, size_t size)
{
    unsigned u = 0, ub = 0;
    size_t n = 0;
    note_tmpl_parse(title, &u, NULL);
    note_tmpl_parse(body, &ub, NULL);
    u |= ub;
    buf[0] = '\0';
    for (int p = 0; p < NOTE_PH_N; p++)
        if (u & 1u << p)
            n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? " " : "",
                                  note_ph_name((enum note_ph)p));
}

static int print_tmpl(const struct note_tmpl *t, void *p)
{
    struct nc_tout *o = p;
    char ph[256];
    placeholders(t->title, t->body, ph, sizeof ph);
    rec_clear(o->r);
    rec_set(o->r, "name", t->name);
    rec_set(o->r, "category", t->category);
    rec_set(o->r, "title", t->title);
    if (o->full)
        rec_set(o->r, "body", t->body);
    rec_set(o->r, "placeholders", ph);
    if (o->full)
        nc_set_time(o->ctx, o->r, "created", t->created_at);
    nc_set_time(o->ctx, o->r, "updated", t->updated_at);
    return rec_write(o->w, o->r, o->e);
}

int note_template_verb(struct qs_ctx *ctx, int argc, char **argv)
{
    struct note_tmpl t = {0};
    struct msgopt mo = {0};
    struct nc_tout o = {.ctx = ctx};
    struct cmd_getopt g;
    struct qs_err e;
    const char *act = argc > 1 ? argv[1] : "";
    char *body = NULL;
    int c, rc = 0, code = 0;

    ctx->prog = "qs note template";
    err_clear(&e);
    if (strcmp(act, "add") && strcmp(act, "edit") && strcmp(act, "list") && strcmp(act, "show"))
        return nc_usage(ctx, "template", "\"%s\" is not add, list, show or edit", act);
    argc--, argv++;
    cmd_getopt_init(&g, ctx, &qs_cmd_note, nc_verb("template"));
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        switch (c) {
        case OPT_TITLE:
            mo.title = optarg;
            break;
        case OPT_BODY:
            mo.body = optarg;
            break;
        case OPT_BODY_FILE:
            mo.body_file = optarg;
            break;
        case OPT_CATEGORY:
            mo.category = optarg;
            break;
        case OPT_ALLOW_PERSONAL:
            mo.allow_personal = 1;
            break;
        default:
            return QS_EX_USAGE;
        }
    }
    int want = strcmp(act, "list") == 0 ? 0 : 1;
    if (argc - optind != want)
        return nc_usage(ctx, "template", want ? "give one template NAME%s" : "list takes no NAME%s",
                        NULL);
    if ((mo.title || mo.body || mo.body_file || mo.category) &&
        (strcmp(act, "list") == 0 || strcmp(act, "show") == 0))
        return nc_usage(ctx, "template", "%s takes no options", act);
    if (strcmp(act, "add") == 0 || strcmp(act, "edit") == 0) {
        if (mo.body && mo.body_file)
            return nc_usage(ctx, "template", "--body and --body-file exclude each other%s", NULL);
        if (mo.body_file && (rc = nc_read_file(mo.body_file, &body, &e)) < 0)
            return cmd_fail(ctx, rc, &e);
        t.name = argv[optind];
        t.category = (char *)mo.category;
        t.title = (char *)mo.title;
        t.body = body ? body : (char *)mo.body;
        rc = note_tmpl_save(ctx->store, ctx->shop.name, &t, act[0] == 'a', mo.allow_personal, &e);
        free(body);
        if (rc < 0)
            return rc == QS_E_USAGE ? nc_usage_e(ctx, "template", &e) : cmd_fail(ctx, rc, &e);
        if (ctx->verbosity >= 0)
            fprintf(stderr, "%s: %s %s\n", ctx->prog, act[0] == 'a' ? "added" : "changed",
                    argv[optind]);
        return 0;
    }
    o.full = act[0] == 's';
    o.r = rec_new();
    o.e = &e;
    if ((rc = nc_open_writer(ctx, o.full ? tmpl_show_cols : tmpl_cols, o.full ? 7 : 5, &o.w, &e)) <
        0) {
        rec_free(o.r);
        return cmd_fail(ctx, rc, &e);
    }
    if (o.full) {
        struct note_tmpl got;
        if ((rc = note_tmpl_get(ctx->store, ctx->shop.name, argv[optind], &got, &e)) == 0)
            rc = print_tmpl(&got, &o);
        note_tmpl_clear(&got);
    } else {
        rc = note_tmpl_each(ctx->store, ctx->shop.name, print_tmpl, &o, &e);
    }
    if (rec_writer_close(o.w, rc < 0 ? NULL : &e) < 0 && rc == 0)
        rc = QS_E_IO;
    rec_free(o.r);
    if (rc < 0)
        code = nc_out_fail(ctx, rc, &e);
    return code;
}

/* ---- qs note rule and run (R-NOTE-9). */

/* ---- rule ------------------------------------------------------------------------------ */

const struct cmd_gopt note_rule_opts[] = {
    {"kind", required_argument, OPT_KIND, "K",
     "shipped, unpaid, paid, delayed, delivered, stalled, arrived, delivery-failed or "
     "no-tracking"},
    {"after", required_argument, OPT_AFTER, "N",
     "unpaid: minutes after the order (> 30, default 60); delayed: days after payment (1-100, "
     "default 3); stalled: days shipped (default 15); no-tracking: days after the order "
     "(default 7)"},
    {"template", required_argument, OPT_TEMPLATE, "NAME",
     "send template NAME (its text as it is "
     "when the rule fires)"},
    {"title", required_argument, OPT_TITLE, "TEXT", "the rule's own title"},
    {"body", required_argument, OPT_BODY, "TEXT", "the rule's own body"},
    {"body-file", required_argument, OPT_BODY_FILE, "FILE", "the body from FILE"},
    {"category", required_argument, OPT_CATEGORY, "C", "the notes' category"},
    {"min-amount", required_argument, OPT_MIN_AMOUNT, "YEN", "only orders of at least YEN"},
    {"max-amount", required_argument, OPT_MAX_AMOUNT, "YEN", "only orders of at most YEN"},
    {"country", required_argument, OPT_COUNTRY, "CC", "only orders to these countries (JP,KR)"},
    {"max-age", required_argument, OPT_MAX_AGE, "DAYS",
     "drop a send held by the daily cap once it is this old (1-30, default 3)"},
    {"since", required_argument, OPT_SINCE, "TIME",
     "fire for orders that met the rule from TIME on (default: now)"},
    {"allow-personal", no_argument, OPT_ALLOW_PERSONAL, NULL,
     "save even when the fixed text holds personal data"},
    {NULL, 0, 0, NULL, NULL},
};

static const char *const rule_cols[] = {"name",    "kind",       "after",      "template",
                                        "title",   "min_amount", "max_amount", "countries",
                                        "max_age", "enabled",    "since"};

static int print_rule(const struct note_rule *r, void *p)
{
    struct nc_tout *o = p;
    char buf[32];
    rec_clear(o->r);
    rec_set(o->r, "name", r->name);
    rec_set(o->r, "kind", note_rule_kind_name(r->kind));
    snprintf(buf, sizeof buf, "%ld", r->after);
    rec_set(o->r, "after", r->after ? buf : "");
    rec_set(o->r, "template", r->template ? r->template : "");
    rec_set(o->r, "title", r->title ? r->title : "");
    snprintf(buf, sizeof buf, "%lld", r->min_amount);
    rec_set(o->r, "min_amount", r->min_amount >= 0 ? buf : "");
    snprintf(buf, sizeof buf, "%lld", r->max_amount);
    rec_set(o->r, "max_amount", r->max_amount >= 0 ? buf : "");
    rec_set(o->r, "countries", r->countries ? r->countries : "");
    snprintf(buf, sizeof buf, "%ld", r->max_age);
    rec_set(o->r, "max_age", buf);
    rec_set(o->r, "enabled", r->enabled ? "yes" : "no");
    nc_set_time(o->ctx, o->r, "since", r->since);
    return rec_write(o->w, o->r, o->e);
}

int note_rule_verb(struct qs_ctx *ctx, int argc, char **argv)
{
    struct note_rule r = {
        .kind = NOTE_R_PAID, .after = -1, .min_amount = -1, .max_amount = -1, .max_age = 3};
    struct cmd_getopt g;
    struct qs_err e;
    const char *act = argc > 1 ? argv[1] : "", *body_file = NULL;
    int c, rc = 0, ok, have_kind = 0, personal = 0, any = 0;
    time_t since;
    char buf[32];

    ctx->prog = "qs note rule";
    err_clear(&e);
    if (strcmp(act, "add") && strcmp(act, "list") && strcmp(act, "enable") &&
        strcmp(act, "disable"))
        return nc_usage(ctx, "rule", "\"%s\" is not add, list, enable or disable", act);
    argc--, argv++;
    cmd_getopt_init(&g, ctx, &qs_cmd_note, nc_verb("rule"));
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        any = 1;
        switch (c) {
        case OPT_KIND:
            if ((rc = note_rule_kind_parse(optarg)) < 0) {
                rc = nc_usage(ctx, "rule", "--kind \"%s\" is not a rule kind (R-NOTE-9)", optarg);
                goto out;
            }
            r.kind = (enum note_rule_kind)rc;
            have_kind = 1;
            rc = 0;
            break;
        case OPT_AFTER:
            r.after = nc_parse_long(optarg, 0, 100000, &ok);
            if (!ok) {
                rc = nc_usage(ctx, "rule", "--after \"%s\" is not a number", optarg);
                goto out;
            }
            break;
        case OPT_TEMPLATE:
            free(r.template);
            r.template = xstrdup(optarg);
            break;
        case OPT_TITLE:
            free(r.title);
            r.title = xstrdup(optarg);
            break;
        case OPT_BODY:
            free(r.body);
            r.body = xstrdup(optarg);
            break;
        case OPT_BODY_FILE:
            body_file = optarg;
            break;
        case OPT_CATEGORY:
            free(r.category);
            r.category = xstrdup(optarg);
            break;
        case OPT_MIN_AMOUNT:
        case OPT_MAX_AMOUNT:
            *(c == OPT_MIN_AMOUNT ? &r.min_amount : &r.max_amount) =
                nc_parse_long(optarg, 0, 1000000000L, &ok);
            if (!ok) {
                rc =
                    nc_usage(ctx, "rule", "an amount is a whole number of yen, not \"%s\"", optarg);
                goto out;
            }
            break;
        case OPT_COUNTRY:
            free(r.countries);
            r.countries = xstrdup(optarg);
            break;
        case OPT_MAX_AGE:
            r.max_age = nc_parse_long(optarg, 0, 1000, &ok);
            if (!ok) {
                rc = nc_usage(ctx, "rule", "--max-age \"%s\" is not a number of days", optarg);
                goto out;
            }
            break;
        case OPT_SINCE:
            if (tm_parse(optarg, cmd_tz(ctx), time(NULL), &since, &e) < 0) {
                rc = nc_usage(ctx, "rule", "--since: %s", e.msg);
                goto out;
            }
            free(r.since);
            r.since = xstrdup(tm_utc_iso(since, buf, sizeof buf));
            break;
        case OPT_ALLOW_PERSONAL:
            personal = 1;
            break;
        default:
            rc = QS_EX_USAGE;
            goto out;
        }
    }
    if (strcmp(act, "list") == 0) {
        struct nc_tout o = {.ctx = ctx, .r = rec_new(), .e = &e};
        if (any || optind < argc) {
            rec_free(o.r);
            rc = nc_usage(ctx, "rule", "list takes no options or names%s", NULL);
            goto out;
        }
        if ((rc = nc_open_writer(ctx, rule_cols, 11, &o.w, &e)) == 0) {
            rc = note_rule_each(ctx->store, ctx->shop.name, print_rule, &o, &e);
            if (rec_writer_close(o.w, rc < 0 ? NULL : &e) < 0 && rc == 0)
                rc = QS_E_IO;
        }
        rec_free(o.r);
        rc = rc < 0 ? nc_out_fail(ctx, rc, &e) : 0;
        goto out;
    }
    if (argc - optind != 1) {
        rc = nc_usage(ctx, "rule", "give one rule NAME%s", NULL);
        goto out;
    }
    if (act[0] != 'a') {
        if (any) {
            rc = nc_usage(ctx, "rule", "%s takes no options", act);
            goto out;
        }
        if ((rc = note_rule_enable(ctx->store, ctx->shop.name, argv[optind], act[0] == 'e', &e)) <
            0) {
            rc = cmd_fail(ctx, rc, &e);
            goto out;
        }
        if (ctx->verbosity >= 0)
            fprintf(stderr, "%s: %sd %s\n", ctx->prog, act, argv[optind]);
        rc = 0;
        goto out;
    }
    if (!have_kind) {
        rc = nc_usage(ctx, "rule", "rule add needs --kind%s", NULL);
        goto out;
    }
    if (body_file) {
        free(r.body);
        r.body = NULL;
        if ((rc = nc_read_file(body_file, &r.body, &e)) < 0) {
            rc = cmd_fail(ctx, rc, &e);
            goto out;
        }
    }
    if (r.template ? (r.title || r.body) : (!r.title || !r.body)) {
        rc = nc_usage(ctx, "rule", "a rule sends --template NAME, or its own --title and --body%s",
                      NULL);
        goto out;
    }
    r.name = xstrdup(argv[optind]);
    if ((rc = note_rule_add(ctx->store, ctx->shop.name, &r, personal, &e)) < 0) {
        rc = rc == QS_E_USAGE ? nc_usage_e(ctx, "rule", &e) : cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: added %s (%s)\n", ctx->prog, r.name, note_rule_kind_name(r.kind));
    rc = 0;
out:
    note_rule_clear(&r);
    return rc;
}

/* ---- run ------------------------------------------------------------------------------- */

const struct cmd_gopt note_run_opts[] = {
    {"now", required_argument, OPT_NOW, "TIME",
     "evaluate the rules as of TIME (catching up, rehearsals); default now"},
    {"cap", required_argument, OPT_CAP, "N",
     "at most N rule notes a day (default: setting note.daily_cap; 0 = no cap)"},
    {"retry-failed", no_argument, OPT_RETRY_FAILED, NULL,
     "also send now notes that failed or wait for their retry"},
    {"timeout", required_argument, OPT_TIMEOUT, "SECONDS", "hook silence timeout (default 60)"},
    {NULL, 0, 0, NULL, NULL},
};

static const char *const fired_cols[] = {"rule", "order_no", "result", "message"};

static int print_fired(const struct note_fired *f, void *p)
{
    struct nc_out *o = p;
    if (!o->w)
        return 0;
    rec_clear(o->r);
    rec_set(o->r, "rule", f->rule);
    rec_set(o->r, "order_no", f->order_no);
    rec_set(o->r, "result", f->result);
    rec_set(o->r, "message", f->message);
    return rec_write(o->w, o->r, o->e);
}

int note_run_verb(struct qs_ctx *ctx, int argc, char **argv)
{
    struct note_run_opts o = {.shop = ctx->shop.name, .now = time(NULL), .cap = -1};
    struct note_run_stats st;
    struct deliver_report rep;
    struct nc_out out = {0};
    struct cmd_getopt g;
    struct qs_err e;
    int c, rc, ok, code = 0, tx = 0;
    long v;

    ctx->prog = "qs note run";
    err_clear(&e);
    o.tz = cmd_tz(ctx);
    o.prog = ctx->prog;
    cmd_getopt_init(&g, ctx, &qs_cmd_note, nc_verb("run"));
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        switch (c) {
        case OPT_NOW:
            if (tm_parse(optarg, cmd_tz(ctx), time(NULL), &o.now, &e) < 0)
                return nc_usage(ctx, "run", "--now: %s", e.msg);
            break;
        case OPT_CAP:
            o.cap = nc_parse_long(optarg, 0, 1000000, &ok);
            if (!ok)
                return nc_usage(ctx, "run", "--cap \"%s\" is not a number", optarg);
            break;
        case OPT_RETRY_FAILED:
            o.retry_failed = 1;
            break;
        case OPT_TIMEOUT:
            v = nc_parse_long(optarg, 1, 86400, &ok);
            if (!ok)
                return nc_usage(ctx, "run", "--timeout \"%s\" is not 1-86400 seconds", optarg);
            o.timeout_ms = v * 1000;
            break;
        default:
            return QS_EX_USAGE;
        }
    }
    if (optind < argc)
        return nc_usage(ctx, "run", "unexpected argument \"%s\"", argv[optind]);
    o.quiet = ctx->verbosity < 0;
    out.r = rec_new();
    out.e = &e;
    if (ctx->dry_run) {
        o.dry_run = stdout;
        if ((rc = store_begin(ctx->store, &e)) < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
        tx = 1;
    } else if ((rc = nc_open_writer(ctx, fired_cols, 4, &out.w, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    rc = note_run(ctx->store, &o, print_fired, &out, &st, &rep, &e);
    if (out.w && rec_writer_close(out.w, rc < 0 ? NULL : &e) < 0 && rc == 0)
        rc = QS_E_IO;
    if (rc < 0) {
        code = rc == QS_E_USAGE ? nc_usage_e(ctx, "run", &e) : nc_out_fail(ctx, rc, &e);
        goto out;
    }
    if (ctx->verbosity >= 0) {
        fprintf(stderr,
                "%s: %ld new match%s; queued %ld, held %ld, dropped %ld, failed %ld; sent %zu, "
                "failed %zu%s\n",
                ctx->prog, st.matched, st.matched == 1 ? "" : "es", st.queued, st.held, st.dropped,
                st.failed, rep.sent, rep.failed + rep.retry,
                ctx->dry_run ? "; dry run: nothing sent or stored" : "");
        if (rep.handoff[0])
            fprintf(stderr, "%s: hand-off written to %s\n", ctx->prog, rep.handoff);
    }
    if (!ctx->dry_run) {
        rc = deliver_report_rc(&rep);
        code = rc < 0 ? err_exit_code(rc) : st.failed ? QS_EX_FAIL : 0;
    }
out:
    if (tx)
        store_rollback(ctx->store);
    rec_free(out.r);
    return code;
}

/* ---- qs note inbox, reply (R-NOTE-12) and delay (R-NOTE-13). */

/* ---- inbox ----------------------------------------------------------------------------- */

const struct cmd_gopt note_inbox_opts[] = {
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

const struct cmd_gopt note_reply_opts[] = {
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

const struct cmd_gopt note_delay_opts[] = {
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

/* ---- qs note blacklist and customers (R-NOTE-10). */

/* ---- blacklist and customers (R-NOTE-10) ----------------------------------------------- */

const struct cmd_gopt note_blacklist_opts[] = {
    {"email", required_argument, OPT_EMAIL, "ADDR", "the buyer's email address"},
    {"name", required_argument, OPT_NAME, "NAME", "the buyer's name (with --phone)"},
    {"phone", required_argument, OPT_PHONE, "TEL", "the buyer's phone number (with --name)"},
    {"reason", required_argument, OPT_REASON, "TEXT", "why (add)"},
    {"orders", no_argument, OPT_ORDERS, NULL, "list: the flagged orders instead of the buyers"},
    {"encoding", required_argument, OPT_ENCODING, "ENC", "input encoding: auto, utf-8 or cp932"},
    {NULL, 0, 0, NULL, NULL},
};

static const char *const bl_cols[] = {"buyer_key", "email", "name",   "phone",
                                      "reason",    "added", "flagged"};

static int print_bl(const struct note_bl_entry *b, void *p)
{
    struct nc_tout *o = p;
    char buf[32];
    rec_clear(o->r);
    rec_set(o->r, "buyer_key", b->key);
    rec_set(o->r, "email", b->email);
    rec_set(o->r, "name", b->name);
    rec_set(o->r, "phone", b->phone);
    rec_set(o->r, "reason", b->reason);
    nc_set_time(o->ctx, o->r, "added", b->added);
    snprintf(buf, sizeof buf, "%ld", b->flagged);
    rec_set(o->r, "flagged", buf);
    return rec_write(o->w, o->r, o->e);
}

static int print_flag(const char *order_no, const char *key, const char *at, void *p)
{
    struct nc_tout *o = p;
    rec_clear(o->r);
    rec_set(o->r, "order_no", order_no);
    rec_set(o->r, "buyer_key", key);
    nc_set_time(o->ctx, o->r, "flagged", at);
    return rec_write(o->w, o->r, o->e);
}

/* One buyer of a blacklist record: email, or buyer/name + phone, or an order number. */
struct blrec {
    struct qs_ctx *ctx;
    int add;
    const char *reason;
    long changed, total;
    struct qs_err *e;
};

static int bl_apply(struct blrec *b, const struct note_buyer *nb)
{
    int changed = 0, rc;
    rc = b->add
             ? note_blacklist_add(b->ctx->store, b->ctx->shop.name, nb, b->reason, &changed, b->e)
             : note_blacklist_rm(b->ctx->store, b->ctx->shop.name, nb, &changed, b->e);
    if (rc == 0) {
        b->changed += changed;
        b->total++;
    }
    return rc;
}

static int bl_rec(const struct rec *r, long line, void *p)
{
    struct blrec *b = p;
    static const char *const email_n[] = {"email", "buyer_email", "BuyerEmail", NULL};
    static const char *const name_n[] = {"name", "buyer", "Buyer", NULL};
    static const char *const tel_n[] = {"phone", "buyer_tel", "BuyerTel", "BuyerMobile", NULL};
    const char *email = cmd_field(r, email_n), *name = cmd_field(r, name_n),
               *tel = cmd_field(r, tel_n), *no = cmd_field(r, nc_no_names);
    struct note_buyer nb;
    (void)line;
    if ((email && *email) || (name && *name && tel && *tel))
        note_buyer_make(&nb, email, name, tel);
    else if (no && *no) {
        int rc = note_buyer_of_order(b->ctx->store, b->ctx->shop.name, no, &nb, b->e);
        if (rc < 0)
            return rc;
    } else
        return err_set(b->e, QS_E_DATA, "R-NOTE-10",
                       "a record names a buyer by email, by name and phone, or by order_no");
    return bl_apply(b, &nb);
}

int note_blacklist_verb(struct qs_ctx *ctx, int argc, char **argv)
{
    struct blrec b = {.ctx = ctx};
    struct cmd_getopt g;
    struct qs_err e;
    const char *act = argc > 1 ? argv[1] : "", *email = NULL, *name = NULL, *phone = NULL;
    enum rec_enc enc = REC_ENC_AUTO;
    int c, rc = 0, orders = 0;

    ctx->prog = "qs note blacklist";
    err_clear(&e);
    b.e = &e;
    if (strcmp(act, "add") && strcmp(act, "rm") && strcmp(act, "list"))
        return nc_usage(ctx, "blacklist", "\"%s\" is not add, rm or list", act);
    argc--, argv++;
    cmd_getopt_init(&g, ctx, &qs_cmd_note, nc_verb("blacklist"));
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        switch (c) {
        case OPT_EMAIL:
            email = optarg;
            break;
        case OPT_NAME:
            name = optarg;
            break;
        case OPT_PHONE:
            phone = optarg;
            break;
        case OPT_REASON:
            b.reason = optarg;
            break;
        case OPT_ORDERS:
            orders = 1;
            break;
        case OPT_ENCODING:
            if (rec_enc_parse(optarg, &enc) < 0)
                return nc_usage(ctx, "blacklist", "--encoding \"%s\" is not auto, utf-8 or cp932",
                                optarg);
            break;
        default:
            return QS_EX_USAGE;
        }
    }
    if (strcmp(act, "list") == 0) {
        struct nc_tout o = {.ctx = ctx, .r = rec_new(), .e = &e};
        static const char *const fcols[] = {"order_no", "buyer_key", "flagged"};
        if (optind < argc || email || name || phone) {
            rec_free(o.r);
            return nc_usage(ctx, "blacklist", "list takes no buyers%s", NULL);
        }
        if ((rc = nc_open_writer(ctx, orders ? fcols : bl_cols, orders ? 3 : 7, &o.w, &e)) == 0) {
            rc = orders ? note_flagged_each(ctx->store, ctx->shop.name, print_flag, &o, &e)
                        : note_blacklist_each(ctx->store, ctx->shop.name, print_bl, &o, &e);
            if (rec_writer_close(o.w, rc < 0 ? NULL : &e) < 0 && rc == 0)
                rc = QS_E_IO;
        }
        rec_free(o.r);
        return rc < 0 ? nc_out_fail(ctx, rc, &e) : 0;
    }
    if (orders)
        return nc_usage(ctx, "blacklist", "--orders goes with list%s", NULL);
    b.add = act[0] == 'a';
    /* All in one transaction: a bad record changes nothing (SPEC 1.3). */
    if ((rc = store_begin(ctx->store, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    if (email || name || phone) {
        struct note_buyer nb;
        if (optind < argc) {
            store_rollback(ctx->store);
            return nc_usage(ctx, "blacklist", "--email/--name/--phone take no order numbers%s",
                            NULL);
        }
        if (!email && (!name || !phone)) {
            store_rollback(ctx->store);
            return nc_usage(ctx, "blacklist", "--name needs --phone (R-NOTE-10)%s", NULL);
        }
        note_buyer_make(&nb, email, name, phone);
        rc = bl_apply(&b, &nb);
    } else if (optind >= argc || strcmp(argv[optind], "-") == 0 ||
               (strspn(argv[optind], "0123456789") != strlen(argv[optind]) &&
                access(argv[optind], R_OK) == 0)) {
        rc = cmd_each_record(optind < argc ? argv[optind] : "-", enc, bl_rec, &b, &e);
    } else {
        for (int i = optind; i < argc && rc == 0; i++) {
            struct note_buyer nb;
            if ((rc = note_buyer_of_order(ctx->store, ctx->shop.name, argv[i], &nb, &e)) == 0)
                rc = bl_apply(&b, &nb);
            else
                err_record(&e, argv[i]);
        }
    }
    if (rc < 0) {
        store_rollback(ctx->store);
        return cmd_fail(ctx, rc, &e);
    }
    if ((rc = store_commit(ctx->store, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s %ld buyer%s (%ld already %s)\n", ctx->prog,
                b.add ? "blacklisted" : "removed", b.changed, b.changed == 1 ? "" : "s",
                b.total - b.changed, b.add ? "listed" : "not listed");
    return 0;
}

const struct cmd_gopt note_customers_opts[] = {
    {"blacklisted", no_argument, OPT_BLACKLISTED, NULL, "only blacklisted buyers"},
    {NULL, 0, 0, NULL, NULL},
};

static const char *const cust_cols[] = {"buyer_key",   "buyer",   "orders",        "paid_orders",
                                        "paid_amount", "refunds", "refund_amount", "last_order",
                                        "blacklisted", "flagged"};

struct cout {
    struct nc_tout t;
    int only_bl;
};

static int print_cust(const struct note_customer *c, void *p)
{
    struct cout *o = p;
    struct rec *r = o->t.r;
    char buf[32];
    if (o->only_bl && !c->blacklisted)
        return 0;
    rec_clear(r);
    rec_set(r, "buyer_key", c->key);
    rec_set(r, "buyer", c->buyer);
    snprintf(buf, sizeof buf, "%ld", c->orders);
    rec_set(r, "orders", buf);
    snprintf(buf, sizeof buf, "%ld", c->paid_orders);
    rec_set(r, "paid_orders", buf);
    snprintf(buf, sizeof buf, "%lld", c->paid_amount);
    rec_set(r, "paid_amount", buf);
    snprintf(buf, sizeof buf, "%ld", c->refunds);
    rec_set(r, "refunds", buf);
    snprintf(buf, sizeof buf, "%lld", c->refund_amount);
    rec_set(r, "refund_amount", buf);
    nc_set_time(o->t.ctx, r, "last_order", c->last_order);
    rec_set(r, "blacklisted", c->blacklisted ? "yes" : "no");
    snprintf(buf, sizeof buf, "%ld", c->flagged);
    rec_set(r, "flagged", buf);
    return rec_write(o->t.w, r, o->t.e);
}

int note_customers_verb(struct qs_ctx *ctx, int argc, char **argv)
{
    struct cout o = {.t = {.ctx = ctx}};
    struct cmd_getopt g;
    struct qs_err e;
    int c, rc;

    ctx->prog = "qs note customers";
    err_clear(&e);
    cmd_getopt_init(&g, ctx, &qs_cmd_note, nc_verb("customers"));
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        if (c != OPT_BLACKLISTED)
            return QS_EX_USAGE;
        o.only_bl = 1;
    }
    if (optind < argc)
        return nc_usage(ctx, "customers", "unexpected argument \"%s\"", argv[optind]);
    o.t.r = rec_new();
    o.t.e = &e;
    if ((rc = nc_open_writer(ctx, cust_cols, 10, &o.t.w, &e)) == 0) {
        rc = note_customers(ctx->store, ctx->shop.name, print_cust, &o, &e);
        if (rec_writer_close(o.t.w, rc < 0 ? NULL : &e) < 0 && rc == 0)
            rc = QS_E_IO;
    }
    rec_free(o.t.r);
    return rc < 0 ? nc_out_fail(ctx, rc, &e) : 0;
}

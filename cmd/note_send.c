/* note_send.c: qs note send, confirm and template (R-NOTE-1..8, R-NOTE-11). */
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

const struct qs_opt note_send_opts[] = {
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

const struct qs_opt note_confirm_opts[] = {
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

const struct qs_opt note_template_opts[] = {
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

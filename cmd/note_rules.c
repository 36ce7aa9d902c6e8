/* note_rules.c: qs note rule and run (R-NOTE-9). */
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

/* ---- rule ------------------------------------------------------------------------------ */

const struct qs_opt note_rule_opts[] = {
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

const struct qs_opt note_run_opts[] = {
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

/* inbound.c: qs inbound -- inbound shipments to the warehouse (SPEC 6). The rules live in
 * libcore/inbound; this file parses options, opens files, prints. Verbs not built yet are
 * registered with their planned usage; each answers --help, and running one says so and
 * exits 64 (no fake output). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "../libcore/afile.h"
#include "../libcore/inbound/inbound.h"
#include "../libcore/job.h"
#include "../libcore/settings.h"
#include "../libcore/tm.h"
#include "../libcore/xalloc.h"

#define SHOP_W (QS_NEEDS_SHOP | QS_WRITES_STORE)

/* An estimated arrival: YYYY-MM-DD (or QSM's YYYY/MM/DD) into out[11]. 0 or -1. */
static int arrival_date(const char *s, char out[11])
{
    static const char shape[] = "dddd-dd-dd";
    if (strlen(s) != 10)
        return -1;
    for (int i = 0; i < 10; i++) {
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : (s[i] != '-' && s[i] != '/'))
            return -1;
        out[i] = s[i] == '/' ? '-' : s[i];
    }
    out[10] = '\0';
    int m = atoi(out + 5), d = atoi(out + 8);
    return m >= 1 && m <= 12 && d >= 1 && d <= 31 ? 0 : -1;
}

/* ---- add (R-INB-1, R-INB-2) ---- */

struct add_args {
    const char *arrival, *rejects;
    int skip_bad, csv, retry_failed;
    enum rec_enc enc;
};
#define AA struct add_args

static const struct qs_opt add_opts[] = {
    OPT_STRING(AA, arrival, "arrival", "DATE", "the bundle's estimated arrival (YYYY-MM-DD)"),
    OPT_FLAG(AA, skip_bad, "skip-bad", "hand off the valid rows, reject the others"),
    OPT_STRING(AA, rejects, "rejects", "FILE", "with --skip-bad: the rejected rows and why"),
    OPT_FLAG(AA, csv, "csv", "file: QSM's inbound form as CP932 CSV, not .xlsx"),
    OPT_FLAG(AA, retry_failed, "retry-failed", "also hand off failed requests again"),
    OPT_ENC(AA, enc),
    OPT_END,
};

/* --rejects: the bad rows as read, with a reason column. */
static int write_rejects(struct qs_ctx *ctx, const struct inbound_form *f, const char *path,
                         const char *input)
{
    struct afile *af = NULL;
    struct rec_writer *w = NULL;
    struct rec_writer_opts wo = {.fmt = REC_CSV};
    const char **cols = xcalloc(f->ncols + 1, sizeof *cols);
    struct rec *r = rec_new();
    struct qs_err e;
    int rc;

    err_clear(&e);
    for (size_t k = 0; k < f->ncols; k++)
        cols[k] = f->cols[k];
    cols[f->ncols] = "reason";
    if ((rc = afile_open(path, input, &af, &e)) < 0)
        goto out;
    rc = rec_writer_open(afile_fp(af), &wo, cols, f->ncols + 1, &w, &e);
    for (size_t i = 0; i < f->n && rc == 0; i++) {
        const struct inbound_row *row = &f->rows[i];
        char why[600];
        if (!row->bad)
            continue;
        rec_clear(r);
        for (size_t k = 0; k < f->ncols; k++)
            rec_set(r, cols[k], row->all[k]);
        snprintf(why, sizeof why, "line %ld: %s (%s)", row->line, row->why, row->rule);
        rec_set(r, "reason", why);
        rc = rec_write(w, r, &e);
    }
    if (w && rec_writer_close(w, rc ? NULL : &e) < 0 && rc == 0)
        rc = QS_E_IO;
    if (rc == 0) {
        rc = afile_commit(af, &e);
        af = NULL;
    }
out:
    afile_abort(af);
    rec_free(r);
    free(cols);
    if (rc == QS_E_USAGE)
        return cmd_usage(ctx, "--rejects %s", e.msg);
    return rc < 0 ? cmd_fail(ctx, rc, &e) : 0;
}

static int cmd_inbound_add(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct add_args a = {.enc = REC_ENC_AUTO};
    struct inbound_form f = {0};
    struct inbound_cb cb = {ctx, cmd_say_err, cmd_say_warn};
    struct inbound_add_job j = {0};
    char arrival[11], *shop_id = NULL;
    const char *name, *shown;
    struct qs_err e;
    FILE *in;
    int rc, code, bad;

    err_clear(&e);
    if ((code = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return code;
    if (a.skip_bad != (a.rejects != NULL))
        return cmd_usage(ctx, "--skip-bad and --rejects FILE go together");
    if (a.arrival && arrival_date(a.arrival, arrival) < 0)
        return cmd_usage(ctx, "--arrival \"%s\" is not a date YYYY-MM-DD", a.arrival);
    name = ctx->input;
    if (strcmp(name, "-") == 0 && isatty(STDIN_FILENO))
        return cmd_usage(ctx, "give a FILE in QSM's inbound form (- for stdin)");
    if ((rc = cmd_open_input(ctx, name, &in)) != 0)
        return rc;
    shown = strcmp(name, "-") == 0 ? "stdin" : name;
    struct rec_reader_opts ro = cmd_reader_opts(ctx, a.enc);
    rc = inbound_form_read(in, shown, &ro, &cb, &f, &e);
    if (in != stdin)
        fclose(in);
    if (rc < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (rc > 0) {
        cmd_warn(ctx, "%d problem%s in %s; nothing handed off", rc, rc == 1 ? "" : "s", name);
        code = QS_EX_DATAERR;
        goto out;
    }
    if ((bad = inbound_form_check(ctx->store, ctx->shop.name, &f, &cb, &e)) < 0) {
        code = cmd_fail(ctx, bad, &e);
        goto out;
    }
    /* R-INB-2: one bad row and nothing goes (QSM would lose every row below it). */
    if (bad && !a.skip_bad) {
        cmd_warn(ctx, "%d of %zu rows bad; nothing handed off (R-INB-2)", bad, f.n);
        code = QS_EX_DATAERR;
        goto out;
    }
    if (bad && !ctx->dry_run && (code = write_rejects(ctx, &f, a.rejects, name)) != 0)
        goto out;
    if ((rc = settings_string(ctx->store, ctx->shop.name, "stock.shop_id", &shop_id, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    j = (struct inbound_add_job){.s = ctx->store,
                                 .shop = ctx->shop.name,
                                 .form = &f,
                                 .arrival = a.arrival ? arrival : NULL,
                                 .shop_id = shop_id,
                                 .csv = a.csv,
                                 .retry_failed = a.retry_failed,
                                 .dry_run = ctx->dry_run ? stdout : NULL,
                                 .prog = ctx->prog};
    if ((code = cmd_now(ctx, &j.now)) == 0)
        code = cmd_job(ctx, &inbound_add_job_ops, &j);
out:
    inbound_add_job_clear(&j);
    inbound_form_clear(&f);
    free(shop_id);
    return code;
}

/* ---- mark (R-INB-3, R-INB-4) ---- */

struct mark_args {
    const char *cargo_no, *carrier, *tracking, *arrival;
    long boxes;
    time_t at;
    enum rec_enc enc;
};
#define MA struct mark_args

static const struct qs_opt mark_opts[] = {
    OPT_STRING(MA, cargo_no, "cargo-no", "N", "QSM's cargo bundle number (requested, once)"),
    OPT_STRING(MA, carrier, "carrier", "C", "shipped: the carrier"),
    OPT_STRING(MA, tracking, "tracking", "T", "shipped: the tracking number"),
    OPT_LONG(MA, boxes, "boxes", "N", 1, 999, NULL, "shipped: the number of boxes"),
    OPT_STRING(MA, arrival, "arrival", "DATE", "a new estimated arrival (YYYY-MM-DD)"),
    OPT_TIME(MA, at, "at", "TIME", "when it happened (default: now)"),
    OPT_ENC(MA, enc),
    OPT_END,
};

static const char *const short_cols[] = {"bundle", "q_sku", "requested", "inspected", "short"};

struct inspected {
    struct inbound_inspect *v;
    size_t n;
    struct qs_err *e;
};

static int inspected_rec(const struct rec *r, long line, void *p)
{
    static const char *const sku[] = {"q_sku", NULL};
    static const char *const qty[] = {"inspected_qty", "inspected", "qty", NULL};
    struct inspected *in = p;
    const char *k, *q;
    if (cmd_field_once(r, sku, &k, "R-INB-4", in->e) < 0 ||
        cmd_field_once(r, qty, &q, "R-INB-4", in->e) < 0)
        return QS_E_DATA;
    in->v = xrealloc(in->v, (in->n + 1) * sizeof *in->v);
    in->v[in->n++] = (struct inbound_inspect){xstrdup(k ? k : ""), xstrdup(q ? q : ""), line};
    return 0;
}

struct mark_out {
    struct qs_ctx *ctx;
    struct rec_writer *w;
    struct rec *r;
    size_t n;
};

static int shortfall(void *p, const struct inbound_short *sh, struct qs_err *e)
{
    struct mark_out *o = p;
    char b[3][32];
    int rc;
    if (!o->w && (rc = cmd_open_writer(o->ctx, short_cols, 5, &o->w, e)) < 0)
        return rc;
    snprintf(b[0], sizeof b[0], "%lld", sh->requested);
    snprintf(b[1], sizeof b[1], "%lld", sh->inspected);
    snprintf(b[2], sizeof b[2], "%lld", sh->requested - sh->inspected);
    rec_clear(o->r);
    rec_set(o->r, "bundle", sh->bundle);
    rec_set(o->r, "q_sku", sh->q_sku);
    rec_set_typed(o->r, "requested", b[0], REC_NUM);
    rec_set_typed(o->r, "inspected", b[1], REC_NUM);
    rec_set_typed(o->r, "short", b[2], REC_NUM);
    o->n++;
    return rec_write(o->w, o->r, e);
}

struct mark_run {
    struct qs_ctx *ctx;
    struct inbound_mark *m;
    struct inbound_bundle b;
};

static int mark_fn(void *p, struct qs_err *e)
{
    struct mark_run *mr = p;
    return inbound_mark_bundle(mr->ctx->store, mr->ctx->shop.name, mr->m, &mr->b, e);
}

static int cmd_inbound_mark(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct mark_args a = {.boxes = -1, .at = (time_t)-1, .enc = REC_ENC_AUTO};
    struct mark_out o = {ctx, NULL, rec_new(), 0};
    struct inbound_mark m = {0};
    struct mark_run mr = {ctx, &m, {0}};
    char arrival[11];
    struct qs_err e;
    struct inspected ins = {.e = &e};
    int rc, code, to;

    err_clear(&e);
    if ((code = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        goto out;
    if (argc != 2) {
        code = cmd_usage(ctx, "give BUNDLE and STATE");
        goto out;
    }
    if ((to = inbound_state_parse(argv[1])) < 0 || to == INB_NEW) {
        code = cmd_usage(ctx,
                         "STATE \"%s\" is not one of requested, confirmed, shipped, arrived, "
                         "completed, rejected, deleted",
                         argv[1]);
        goto out;
    }
    if ((a.carrier || a.tracking || a.boxes >= 0) && to != INB_SHIPPED) {
        code = cmd_usage(ctx, "--carrier, --tracking and --boxes go with shipped");
        goto out;
    }
    if (a.arrival && arrival_date(a.arrival, arrival) < 0) {
        code = cmd_usage(ctx, "--arrival \"%s\" is not a date YYYY-MM-DD", a.arrival);
        goto out;
    }
    if (a.at == (time_t)-1 && (code = cmd_now(ctx, &a.at)) != 0)
        goto out;
    /* R-INB-4: the inspected quantities, q_sku,inspected_qty records on stdin. */
    int c = to == INB_COMPLETED && !isatty(STDIN_FILENO) ? getc(stdin) : EOF;
    if (c != EOF && ungetc(c, stdin) != EOF) { /* an empty stdin: the requested quantities */
        struct rec_reader_opts ro = cmd_reader_opts(ctx, a.enc);
        if ((rc = cmd_each_record("-", &ro, inspected_rec, &ins, NULL, &e)) < 0) {
            code = cmd_fail(ctx, rc, &e);
            goto out;
        }
    }
    m = (struct inbound_mark){.which = argv[0],
                              .state = argv[1],
                              .cargo_no = a.cargo_no,
                              .carrier = a.carrier,
                              .tracking = a.tracking,
                              .boxes = a.boxes,
                              .arrival = a.arrival ? arrival : NULL,
                              .at = a.at,
                              .insp = ins.v,
                              .ninsp = ins.n,
                              .shortfall = shortfall,
                              .ctx = &o};
    rc = job_within(ctx->store, ctx->dry_run, mark_fn, &mr, &e);
    if (rc == 0 && o.w)
        rc = rec_writer_close(o.w, &e), o.w = NULL;
    if (rc < 0) {
        code = e.code == QS_E_IO ? cmd_out_fail(ctx, rc, &e) : cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: bundle %s%s%s%s is %s%s%s\n", ctx->prog, mr.b.name,
                mr.b.cargo_no[0] ? " (cargo " : "", mr.b.cargo_no[0] ? mr.b.cargo_no : "",
                mr.b.cargo_no[0] ? ")" : "", inbound_state_names[mr.b.state],
                o.n ? "; shortfalls listed" : "", ctx->dry_run ? " (dry run: not recorded)" : "");
out:
    if (o.w)
        rec_writer_close(o.w, NULL);
    rec_free(o.r);
    for (size_t i = 0; i < ins.n; i++) {
        free((char *)ins.v[i].q_sku);
        free((char *)ins.v[i].qty);
    }
    free(ins.v);
    cmd_args_free(v, &a);
    return code;
}

/* ---- list (R-INB-5) ---- */

struct list_args {
    int late;
    const char *state;
};

static const struct qs_opt list_opts[] = {
    OPT_FLAG(struct list_args, late, "late", "only bundles whose inspection is late (R-INB-5)"),
    OPT_STRING(struct list_args, state, "state", "S", "only bundles in state S"),
    OPT_END,
};

static const char *const list_cols[] = {"bundle", "cargo_no", "state",     "arrival", "arrived_at",
                                        "rows",   "units",    "inspected", "late"};

struct list_out {
    const struct qs_ctx *ctx;
    struct rec_writer *w;
    struct rec *r;
};

static int list_row(void *p, const struct inbound_bundle *b, struct qs_err *e)
{
    struct list_out *o = p;
    char n[3][32], at[48] = "";
    time_t t;
    if (b->arrived_at[0] && tm_parse_utc_iso(b->arrived_at, &t) == 0)
        tm_format(t, cmd_tz(o->ctx), 1, at, sizeof at);
    snprintf(n[0], sizeof n[0], "%ld", b->rows);
    snprintf(n[1], sizeof n[1], "%lld", b->units);
    snprintf(n[2], sizeof n[2], "%lld", b->inspected);
    rec_clear(o->r);
    rec_set(o->r, "bundle", b->name);
    rec_set(o->r, "cargo_no", b->cargo_no);
    rec_set(o->r, "state", inbound_state_names[b->state]);
    rec_set(o->r, "arrival", b->arrival);
    rec_set(o->r, "arrived_at", at);
    rec_set_typed(o->r, "rows", n[0], REC_NUM);
    rec_set_typed(o->r, "units", n[1], REC_NUM);
    rec_set_typed(o->r, "inspected", b->state == INB_COMPLETED ? n[2] : "",
                  b->state == INB_COMPLETED ? REC_NUM : REC_NULL);
    rec_set(o->r, "late", b->late ? "yes" : "no");
    return rec_write(o->w, o->r, e);
}

static int cmd_inbound_list(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct list_args a = {0};
    struct list_out o = {ctx, NULL, NULL};
    struct qs_err e;
    time_t now;
    int rc, state = -1;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    if (a.state && (state = inbound_state_parse(a.state)) < 0)
        return cmd_usage(ctx,
                         "--state \"%s\" is not a bundle state (new, requested, confirmed, "
                         "shipped, arrived, completed, rejected, deleted)",
                         a.state);
    if ((rc = cmd_now(ctx, &now)) != 0)
        return rc;
    if ((rc = cmd_open_writer(ctx, list_cols, 9, &o.w, &e)) < 0)
        return cmd_out_fail(ctx, rc, &e);
    o.r = rec_new();
    rc = inbound_list(ctx->store, ctx->shop.name, state, a.late, now, list_row, &o, &e);
    rec_free(o.r);
    if (rc < 0) {
        rec_writer_close(o.w, NULL);
        return e.code == QS_E_IO ? cmd_out_fail(ctx, rc, &e) : cmd_fail(ctx, rc, &e);
    }
    if ((rc = rec_writer_close(o.w, &e)) < 0)
        return cmd_out_fail(ctx, rc, &e);
    return 0;
}

/* ---- confirm (SPEC 1.7) ---- */

struct confirm_args {
    const char *handoff;
};

static const struct qs_opt confirm_opts[] = {
    OPT_STRING(struct confirm_args, handoff, "handoff", "DIR",
               "every inbound hand-off of folder DIR"),
    OPT_END,
};

static int cmd_inbound_confirm(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct confirm_args a = {0};
    struct qs_err e;
    char *abs = NULL;
    size_t n = 0;
    int rc, code;

    err_clear(&e);
    if ((code = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return code;
    if (!argc && !a.handoff)
        return cmd_usage(ctx, "give BUNDLE... or --handoff DIR");
    if (a.handoff && !(abs = realpath(a.handoff, NULL)))
        return cmd_usage(ctx, "--handoff %s: %s", a.handoff, strerror(errno));
    rc = inbound_confirm(ctx->store, ctx->shop.name, (const char *const *)argv, (size_t)argc, abs,
                         &n, &e);
    free(abs);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %zu inbound hand-off%s confirmed as done in QSM\n", ctx->prog, n,
                n == 1 ? "" : "s");
    return 0;
}

#include "../libcore/afile.h"
#include "../libcore/inbound/inbound_ship.h"

/* ---- ship (R-INB-6, R-INB-7) ---- */

struct ship_args {
    int resend, skip_bad, csv, retry_failed;
    const char *rejects;
    enum rec_enc enc;
};
#define SA struct ship_args

static const struct qs_opt ship_opts[] = {
    OPT_FLAG(SA, resend, "resend", "register a reference order number again (ships it again)"),
    OPT_FLAG(SA, skip_bad, "skip-bad", "register the good rows, reject the others"),
    OPT_STRING(SA, rejects, "rejects", "FILE",
               "with --skip-bad, write the bad rows with a reason column to FILE"),
    OPT_FLAG(SA, csv, "csv", "file: QSM's other-platform form as CP932 CSV, not .xlsx"),
    OPT_FLAG(SA, retry_failed, "retry-failed", "also hand off failed shipments again now"),
    OPT_ENC(SA, enc),
    OPT_END,
};

static int cmd_inbound_ship(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct ship_args a = {.enc = REC_ENC_AUTO};
    struct inbound_ship_set set = {0};
    struct inbound_ship_cb cb = {ctx, cmd_say_err, cmd_say_warn};
    struct inbound_cal_store cal = {0};
    struct inbound_ship_job j = {0};
    const char *name;
    struct qs_err e;
    time_t now;
    FILE *in;
    int rc, code = 0;

    err_clear(&e);
    if ((code = cmd_parse(ctx, v, &a, &argc, &argv)) != 0 || (code = cmd_now(ctx, &now)) != 0)
        return code;
    if (a.skip_bad != (a.rejects != NULL))
        return cmd_usage(ctx, "--skip-bad and --rejects FILE go together");
    name = ctx->input;
    if (strcmp(name, "-") == 0 && isatty(STDIN_FILENO))
        return cmd_usage(ctx,
                         "give a FILE of shipments in QSM's other-platform form (- for stdin)");
    if (a.rejects && (rc = afile_open(a.rejects, name, &j.rej, &e)) < 0)
        return rc == QS_E_USAGE ? cmd_usage(ctx, "--rejects %s", e.msg) : cmd_fail(ctx, rc, &e);
    if ((code = cmd_open_input(ctx, name, &in)) != 0)
        goto out;
    struct rec_reader_opts ro = cmd_reader_opts(ctx, a.enc);
    rc = inbound_ship_read(in, strcmp(name, "-") == 0 ? "stdin" : name, &ro, &cb, &set, &e);
    if (in != stdin)
        fclose(in);
    if (rc < 0 || (rc == 0 && (rc = inbound_cal_load(ctx->store, ctx->shop.name, &cal, &e)) < 0)) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (rc > 0) {
        cmd_warn(ctx, "%d problem%s in %s; nothing registered (R-INB-6)", rc, rc == 1 ? "" : "s",
                 name);
        code = QS_EX_DATAERR;
        goto out;
    }
    struct inbound_ship_check_opts o = {
        .shop = ctx->shop.name, .now = now, .cal = &cal.cal, .resend = a.resend};
    if ((rc = inbound_ship_check(ctx->store, &o, &set, &cb, &e)) < 0) {
        code = cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (rc > 0 && !a.skip_bad) {
        cmd_warn(ctx, "%d bad row%s of %zu; nothing registered or handed off (R-INB-6)", rc,
                 rc == 1 ? "" : "s", set.n);
        code = QS_EX_DATAERR;
        goto out;
    }
    j = (struct inbound_ship_job){.s = ctx->store,
                                  .shop = ctx->shop.name,
                                  .set = &set,
                                  .csv = a.csv,
                                  .retry_failed = a.retry_failed,
                                  .dry_run = ctx->dry_run ? stdout : NULL,
                                  .prog = ctx->prog,
                                  .now = now,
                                  .rej = j.rej,
                                  .rejected = rc};
    code = cmd_job(ctx, &inbound_ship_job_ops, &j);
out:
    inbound_ship_job_clear(&j);
    inbound_cal_free(&cal);
    inbound_ship_set_clear(&set);
    return code;
}

static const struct qs_verb inbound_verbs[] = {
    QS_VERB("add", cmd_inbound_add, "[FILE|-]", SHOP_W | QS_READS_STDIN | QS_OPTS_ANYWHERE,
            add_opts, "register inbound requests as one cargo bundle, handed off to QSM"),
    QS_VERB("mark", cmd_inbound_mark, "BUNDLE STATE", SHOP_W | QS_OPTS_ANYWHERE, mark_opts,
            "record a bundle's state in QSM (requested, confirmed, shipped, arrived, completed, "
            "rejected, deleted)"),
    QS_VERB("list", cmd_inbound_list, NULL, QS_NEEDS_SHOP, list_opts,
            "list bundles (--late: inspection past 3 days)"),
    QS_VERB("confirm", cmd_inbound_confirm, "[BUNDLE...]", SHOP_W | QS_OPTS_ANYWHERE, confirm_opts,
            "record inbound hand-offs as done in QSM"),
    QS_VERB("ship", cmd_inbound_ship, "[FILE|-]",
            QS_NEEDS_SHOP | QS_WRITES_STORE | QS_READS_STDIN | QS_OPTS_ANYWHERE, ship_opts,
            "ship orders of other platforms from the warehouse (QSM's other-platform form)"),
    {.name = NULL},
};

const struct qs_cmd qs_cmd_inbound =
    QS_COMMAND("inbound", "inbound shipments to the warehouse", inbound_verbs);

/* inbound.c: qs inbound -- inbound shipments to the warehouse.
 * Verbs are registered with their planned usage; each answers --help, and
 * running one that is not built yet says so and exits 64 (no fake output). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

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

static void ship_say(void *p, const struct qs_err *e)
{
    struct qs_ctx *ctx = p;
    char buf[2200];
    fprintf(stderr, "%s\n", err_format(e, ctx->prog, buf, sizeof buf));
}

static void ship_warn(void *p, const struct qs_err *e)
{
    struct qs_ctx *ctx = p;
    char buf[2200];
    struct qs_err w = *e;
    if (ctx->verbosity < 0)
        return;
    snprintf(w.msg, sizeof w.msg, "warning: %.1000s", e->msg);
    fprintf(stderr, "%s\n", err_format(&w, ctx->prog, buf, sizeof buf));
}

static int cmd_inbound_ship(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct ship_args a = {.enc = REC_ENC_AUTO};
    struct inbound_ship_set set = {0};
    struct inbound_ship_cb cb = {ctx, ship_say, ship_warn};
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
    if (!(in = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb"))) {
        cmd_warn(ctx, "cannot open %s", name);
        code = QS_EX_USAGE;
        goto out;
    }
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
    QS_PLANNED("add", "add [FILE|-]", "register inbound requests"),
    QS_PLANNED("bundle", "bundle --arrival DATE [REQUEST...]",
               "group requests into a cargo bundle"),
    QS_VERB("ship", cmd_inbound_ship, "[FILE|-]",
            QS_NEEDS_SHOP | QS_WRITES_STORE | QS_READS_STDIN | QS_OPTS_ANYWHERE, ship_opts,
            "ship orders of other platforms from the warehouse (QSM's other-platform form)"),
    QS_PLANNED("complete", "complete BUNDLE", "complete a bundle into branch stock"),
    QS_PLANNED("list", "list [--late]", "list bundles"),
    {.name = NULL},
};

const struct qs_cmd qs_cmd_inbound =
    QS_COMMAND("inbound", "inbound shipments to the warehouse", inbound_verbs);

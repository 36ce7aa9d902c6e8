/* import.c: qs import -- bring products, code pools and word lists in from spreadsheets.
 * The rules live in libcore (catalog, upc, words); this file parses options, opens
 * files, prints. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "../libcore/afile.h"
#include "../libcore/catalog/catalog.h"
#include "../libcore/tm.h"

static int parse_template(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    (void)ctx;
    if (cat_template_parse(arg, target) < 0)
        return err_set(e, QS_E_USAGE, NULL, "--template \"%s\" is not generic, qoo10 or qs", arg);
    return 0;
}

static int parse_group(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    (void)ctx;
    if (!*arg)
        return err_set(e, QS_E_USAGE, NULL, "--group needs a name");
    *(const char **)target = arg;
    return 0;
}

static int parse_fx(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    (void)ctx;
    if (cat_fx_parse(arg, target) < 0)
        return err_set(e, QS_E_USAGE, NULL, "--fx \"%s\" is not a positive rate like 151.3", arg);
    return 0;
}

static int parse_upc_type(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    (void)ctx;
    if (upc_type_parse(arg, target) < 0)
        return err_set(e, QS_E_USAGE, NULL, "--type \"%s\" is not jan, upc, ean, isbn or other",
                       arg);
    return 0;
}

struct prod_args {
    struct cat_import_opts o;
    const char *rejects;
};

static const struct qs_opt products_opts[] = {
    OPT_PARSE(struct prod_args, o.tpl, "template", "generic|qoo10|qs", parse_template,
              "the file's template (default: recognised from the header)"),
    OPT_FLAG(struct prod_args, o.update, "update", "update SKUs already in the catalog (R-IMP-4)"),
    OPT_FLAG(struct prod_args, o.box, "box",
             "keep new products in the collection box, state collected (R-SRC-1)"),
    OPT_PARSE(struct prod_args, o.group, "group", "NAME", parse_group,
              "put the imported products in group NAME"),
    OPT_STRING(struct prod_args, o.pool, "assign-upc", "POOL",
               "give each product lacking a code one from POOL (R-UPC-2)"),
    OPT_FLAG(struct prod_args, o.skip_bad, "skip-bad", "import the valid rows, reject the others"),
    OPT_STRING(struct prod_args, rejects, "rejects", "FILE",
               "write rejected rows with a reason column to FILE"),
    OPT_FLAG(struct prod_args, o.strict, "strict",
             "treat warnings (R-IMP-3, 9, 10, restored codes) as errors"),
    OPT_PARSE(struct prod_args, o.fx, "fx", "RATE", parse_fx,
              "convert foreign-currency money to yen at RATE"),
    OPT_ENC(struct prod_args, o.enc),
    OPT_END,
};

struct upc_args {
    const char *pool;
    enum upc_type type;
    enum rec_enc enc;
};

static const struct qs_opt upc_opts[] = {
    {.name = "pool",
     .type = QSO_STRING,
     .off = offsetof(struct upc_args, pool),
     .arg = "NAME",
     .help = "the code pool (created when new)",
     .flags = QSO_REQUIRED},
    {.name = "type",
     .type = QSO_PARSE,
     .off = offsetof(struct upc_args, type),
     .arg = "jan|upc|ean|isbn|other",
     .parse = parse_upc_type,
     .help = "the codes' type: jan, upc, ean, isbn or other",
     .flags = QSO_REQUIRED},
    OPT_ENC(struct upc_args, enc),
    OPT_END,
};

struct words_args {
    enum rec_enc enc;
};

static const struct qs_opt words_opts[] = {
    OPT_ENC(struct words_args, enc),
    OPT_END,
};

/* Opens the input operand (none or "-": standard input, named "-"). */
static int open_input(const struct qs_ctx *ctx, const char *path, FILE **fp, const char **name)
{
    *name = path && strcmp(path, "-") != 0 ? path : "-";
    return cmd_open_input(ctx, path, fp);
}

static void close_input(FILE *fp)
{
    if (fp && fp != stdin)
        fclose(fp);
}

/* Prints an error or warning of a file, one line each (R-IMP-11). */
static void print_diag(const struct qs_ctx *ctx, const struct qs_err *e, int warning)
{
    char buf[2200];
    struct qs_err w;
    if (warning && ctx->verbosity < 0)
        return;
    w = *e;
    if (warning)
        snprintf(w.msg, sizeof w.msg, "warning: %.1000s", e->msg);
    fprintf(stderr, "%s\n", err_format(&w, ctx->prog, buf, sizeof buf));
}

/* ---- products ---- */

struct prod_run {
    struct qs_ctx *ctx;
    FILE *spool; /* the imported rows, printed once the import is committed */
    struct rec_writer *out;
    struct rec *row;
    struct afile *rejects; /* --rejects: renamed in only when a row was rejected */
    struct rec_writer *rej;
    enum rec_enc enc;
};

static void prod_report(void *p, const struct qs_err *e, int warning)
{
    struct prod_run *r = p;
    print_diag(r->ctx, e, warning);
}

static const char *const out_cols[] = {"sku", "parent_sku", "state"};

static int prod_row(void *p, const char *sku, const char *parent, const char *state,
                    struct qs_err *e)
{
    struct prod_run *r = p;
    rec_clear(r->row);
    rec_set(r->row, "sku", sku);
    rec_set(r->row, "parent_sku", parent);
    rec_set(r->row, "state", state);
    return rec_write(r->out, r->row, e);
}

static int prod_reject(void *p, const struct rec *row, enum rec_format fmt, struct qs_err *e)
{
    struct prod_run *r = p;
    int rc;
    if (!r->rej) {
        /* The rejects keep the input's format (and CP932 when that was asked for), so
         * the seller fixes them in the same spreadsheet and imports them again. */
        struct rec_writer_opts wo = {.fmt = fmt == REC_JSON ? REC_JSON : REC_CSV,
                                     .enc = r->enc == REC_ENC_CP932 ? REC_ENC_CP932 : REC_ENC_UTF8,
                                     .replace_unmappable = 1};
        if ((rc = rec_writer_open(afile_fp(r->rejects), &wo, NULL, 0, &r->rej, e)) < 0)
            return rc;
    }
    return rec_write(r->rej, row, e);
}

static int truncate_file(FILE *fp, const char *what, struct qs_err *e)
{
    if (fflush(fp) != 0 || ftruncate(fileno(fp), 0) != 0 || fseek(fp, 0, SEEK_SET) != 0)
        return err_set(e, QS_E_IO, NULL, "cannot rewrite %s: %s", what, strerror(errno));
    return 0;
}

static int open_out(struct prod_run *r, struct qs_err *e)
{
    struct rec_writer_opts wo = cmd_writer_opts(r->ctx);
    return rec_writer_open(r->spool, &wo, out_cols, 3, &r->out, e);
}

static int prod_restart(void *p, struct qs_err *e)
{
    struct prod_run *r = p;
    int rc;
    rec_writer_close(r->out, NULL);
    r->out = NULL;
    if ((rc = truncate_file(r->spool, "a temporary file", e)) < 0 || (rc = open_out(r, e)) < 0)
        return rc;
    if (r->rej) {
        rec_writer_close(r->rej, NULL);
        r->rej = NULL;
    }
    return r->rejects ? truncate_file(afile_fp(r->rejects), "the rejects file", e) : 0;
}

/* Copies the spooled rows to the output (standard output or --output's file). */
static int print_spool(const struct qs_ctx *ctx, FILE *spool, struct qs_err *e)
{
    char buf[65536];
    size_t n;
    FILE *out = cmd_out(ctx);
    rewind(spool);
    while ((n = fread(buf, 1, sizeof buf, spool)) > 0) {
        if (fwrite(buf, 1, n, out) != n) {
            if (errno == EPIPE && out == stdout)
                return 0; /* qs import ... | head: the import is done; end quietly */
            return err_set(e, QS_E_IO, NULL, "cannot write to %s: %s",
                           out == stdout ? "standard output" : ctx->output, strerror(errno));
        }
    }
    return ferror(spool) ? err_set(e, QS_E_IO, NULL, "cannot read a temporary file") : 0;
}

static void prod_summary(const struct qs_ctx *ctx, const struct cat_import_opts *o,
                         const struct cat_import_stats *st, const char *name, const char *rejects)
{
    if (ctx->verbosity < 0)
        return;
    fprintf(stderr, "%s: %s%ld SKU%s from %ld row%s of %s (%s template) into shop %s", ctx->prog,
            o->dry_run ? "dry run, nothing written: would import " : "imported ", st->imported,
            st->imported == 1 ? "" : "s", st->rows, st->rows == 1 ? "" : "s", name,
            cat_template_name(st->tpl), ctx->shop.name);
    if (st->updated)
        fprintf(stderr, " (%ld updated)", st->updated);
    if (st->assigned)
        fprintf(stderr, ", %ld code%s given from pool %s", st->assigned,
                st->assigned == 1 ? "" : "s", o->pool);
    if (st->rejected)
        fprintf(stderr, "; %ld row%s rejected to %s", st->rejected, st->rejected == 1 ? "" : "s",
                rejects);
    if (st->warnings)
        fprintf(stderr, "; %ld warning%s", st->warnings, st->warnings == 1 ? "" : "s");
    fputc('\n', stderr);
}

static int cmd_import_products(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct prod_args a;
    struct cat_import_stats st;
    struct prod_run r;
    struct qs_err e;
    const char *name = NULL;
    FILE *in = NULL;
    int rc;

    memset(&a, 0, sizeof a);
    memset(&r, 0, sizeof r);
    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    struct cat_import_opts o = a.o;
    const char *rejects = a.rejects;
    o.sheet = ctx->sheet;
    o.dry_run = ctx->dry_run;
    o.quiet = ctx->verbosity < 0;
    if (argc > 1)
        return cmd_usage(ctx, "one file at a time, got \"%s\"", argv[1]);
    if (o.skip_bad != (rejects != NULL))
        return cmd_usage(ctx, "--skip-bad and --rejects FILE go together");
    if ((rc = open_input(ctx, ctx->input, &in, &name)) != 0)
        return rc;
    r.ctx = ctx;
    r.enc = o.enc;
    r.row = rec_new();
    /* Issue 8 item 7: never over the input; written whole, and only with rejects. */
    if (rejects && (rc = afile_open(rejects, name, &r.rejects, &e)) < 0) {
        rc = rc == QS_E_USAGE ? cmd_usage(ctx, "--rejects %s", e.msg) : cmd_fail(ctx, rc, &e);
        goto out;
    }
    if (!(r.spool = tmpfile())) {
        rc = cmd_fail(ctx, err_set(&e, QS_E_IO, NULL, "cannot create a temporary file"), &e);
        goto out;
    }
    if ((rc = open_out(&r, &e)) < 0) {
        rc = cmd_fail(ctx, rc, &e);
        goto out;
    }
    struct cat_import_cb cb = {&r, prod_report, prod_row, prod_reject, prod_restart};
    rc = cat_import(ctx->store, ctx->shop.name, in, name, &o, &cb, &st, &e);
    if (rc == 0 && r.rej) {
        rc = rec_writer_close(r.rej, &e);
        r.rej = NULL;
    }
    if (rc == 0 && st.rejected) {
        rc = afile_commit(r.rejects, &e);
        r.rejects = NULL;
    }
    if (rc == 0) {
        rc = rec_writer_close(r.out, &e);
        r.out = NULL;
    }
    if (rc == 0)
        rc = print_spool(ctx, r.spool, &e);
    if (rc < 0) {
        rc = cmd_fail(ctx, rc, &e);
        goto out;
    }
    prod_summary(ctx, &o, &st, name, rejects);
    rc = st.rejected ? QS_EX_FAIL : 0; /* SPEC 1.3: the job ran, some records failed */
out:
    rec_writer_close(r.out, NULL);
    rec_writer_close(r.rej, NULL);
    afile_abort(r.rejects); /* no rejects, or the import failed: FILE is left as it was */
    rec_free(r.row);
    if (r.spool)
        fclose(r.spool);
    close_input(in);
    return rc;
}

/* ---- upc, pools, words ---- */

static void upc_report(void *p, const struct qs_err *e, int warning)
{
    print_diag(p, e, warning);
}

static int cmd_import_upc(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct upc_args a = {.type = UPC_T_OTHER};
    struct qs_err e;
    struct upc_import_stats st;
    const char *name;
    int rc;
    FILE *in;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    const char *pool = a.pool;
    enum upc_type type = a.type;
    struct rec_reader_opts ro = cmd_reader_opts(ctx, a.enc);
    if (!*pool)
        return cmd_usage(ctx, "--pool NAME and --type TYPE are needed");
    if (argc > 1)
        return cmd_usage(ctx, "one file at a time, got \"%s\"", argv[1]);
    if ((rc = open_input(ctx, ctx->input, &in, &name)) != 0)
        return rc;
    rc = upc_import(ctx->store, pool, type, in, name, &ro, upc_report, ctx, &st, &e);
    close_input(in);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: added %ld code%s to pool %s (%s)\n", ctx->prog, st.added,
                st.added == 1 ? "" : "s", pool, upc_type_name(type));
    return 0;
}

struct pools_run {
    struct qs_ctx *ctx;
    struct rec_writer *w;
    struct rec *r;
    struct qs_err *e;
};

static int pool_row(void *p, const struct upc_pool_info *pi)
{
    struct pools_run *pr = p;
    char n[32], when[64] = "";
    time_t t;
    rec_clear(pr->r);
    rec_set(pr->r, "name", pi->name);
    rec_set(pr->r, "type", pi->type);
    snprintf(n, sizeof n, "%ld", pi->available);
    rec_set_typed(pr->r, "available", n, REC_NUM);
    snprintf(n, sizeof n, "%ld", pi->used);
    rec_set_typed(pr->r, "used", n, REC_NUM);
    /* R-UPC-3: the last import in the zone asked for. */
    if (*pi->last_import && tm_parse_utc_iso(pi->last_import, &t) == 0)
        tm_format(t, cmd_tz(pr->ctx), 0, when, sizeof when);
    rec_set(pr->r, "last_import", when);
    return rec_write(pr->w, pr->r, pr->e);
}

static int cmd_import_pools(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    static const char *const cols[] = {"name", "type", "available", "used", "last_import"};
    struct pools_run pr = {ctx, NULL, NULL, NULL};
    struct qs_err e, ignore;
    int rc;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, NULL, &argc, &argv)) != 0)
        return rc;
    if (argc > 0)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[0]);
    /* Pools belong to the store; the shop, when there is one, only gives the zone. */
    if (shop_resolve(ctx->store, ctx->shop_name, &ctx->shop, &ignore) < 0)
        memset(&ctx->shop, 0, sizeof ctx->shop);
    if ((rc = cmd_open_writer(ctx, cols, 5, &pr.w, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    pr.r = rec_new();
    pr.e = &e;
    rc = upc_pools_each(ctx->store, pool_row, &pr, &e);
    rec_free(pr.r);
    if (rc < 0) {
        rec_writer_close(pr.w, NULL);
        return cmd_fail(ctx, rc, &e);
    }
    if ((rc = rec_writer_close(pr.w, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    return 0;
}

static int cmd_import_words(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct words_args a = {REC_ENC_AUTO};
    struct qs_err e;
    const char *name;
    long count = 0;
    int rc;
    FILE *in;

    err_clear(&e);
    if ((rc = cmd_parse(ctx, v, &a, &argc, &argv)) != 0)
        return rc;
    struct rec_reader_opts ro = cmd_reader_opts(ctx, a.enc);
    if (argc != 1)
        return cmd_usage(ctx, "one word list file (or -) is needed");
    if ((rc = open_input(ctx, argv[0], &in, &name)) != 0)
        return rc;
    rc = words_import(ctx->store, in, name, &ro, &count, &e);
    close_input(in);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: sensitive word list replaced: %ld word%s\n", ctx->prog, count,
                count == 1 ? "" : "s");
    return 0;
}

static const struct qs_verb import_verbs[] = {
    QS_VERB("products", cmd_import_products, "[FILE|-]",
            QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE, products_opts,
            "import a catalog as pending products"),
    QS_VERB("upc", cmd_import_upc, "[FILE|-]", QS_NEEDS_STORE | QS_READS_STDIN | QS_WRITES_STORE,
            upc_opts, "add codes to a code pool"),
    QS_VERB("pools", cmd_import_pools, NULL, QS_NEEDS_STORE, NULL,
            "report code pools: available, used, last import"),
    QS_VERB("words", cmd_import_words, "FILE|-", QS_NEEDS_STORE | QS_WRITES_STORE, words_opts,
            "replace the sensitive word list"),
    {.name = NULL},
};

const struct qs_cmd qs_cmd_import = QS_COMMAND(
    "import", "bring products, code pools and word lists in from spreadsheets", import_verbs);

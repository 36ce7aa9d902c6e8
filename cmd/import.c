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
#include "../libcore/catalog.h"
#include "../libcore/tm.h"
#include "../libcore/upc.h"
#include "../libcore/words.h"

enum {
    OPT_TEMPLATE = 256,
    OPT_UPDATE,
    OPT_GROUP,
    OPT_ASSIGN,
    OPT_SKIP_BAD,
    OPT_REJECTS,
    OPT_STRICT,
    OPT_FX,
    OPT_ENCODING,
    OPT_POOL,
    OPT_TYPE,
};

static const struct cmd_gopt products_opts[] = {
    {"template", required_argument, OPT_TEMPLATE, "T",
     "generic, qoo10 or qs (default: recognised from the header)"},
    {"update", no_argument, OPT_UPDATE, NULL, "update SKUs already in the catalog (R-IMP-4)"},
    {"group", required_argument, OPT_GROUP, "NAME", "put the imported products in group NAME"},
    {"assign-upc", required_argument, OPT_ASSIGN, "POOL",
     "give each product lacking a code one from POOL (R-UPC-2)"},
    {"skip-bad", no_argument, OPT_SKIP_BAD, NULL, "import the valid rows, reject the others"},
    {"rejects", required_argument, OPT_REJECTS, "FILE",
     "write rejected rows with a reason column to FILE"},
    {"strict", no_argument, OPT_STRICT, NULL,
     "treat warnings (R-IMP-3, 9, 10, restored codes) as errors"},
    {"fx", required_argument, OPT_FX, "RATE", "convert foreign-currency money to yen at RATE"},
    {"encoding", required_argument, OPT_ENCODING, "ENC", "input encoding: auto, utf-8, cp932"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct cmd_gopt upc_opts[] = {
    {"pool", required_argument, OPT_POOL, "NAME", "the code pool (created when new)"},
    {"type", required_argument, OPT_TYPE, "TYPE", "jan, upc, ean, isbn or other"},
    {"encoding", required_argument, OPT_ENCODING, "ENC", "input encoding: auto, utf-8, cp932"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct cmd_gopt words_opts[] = {
    {"encoding", required_argument, OPT_ENCODING, "ENC", "input encoding: auto, utf-8, cp932"},
    {NULL, 0, 0, NULL, NULL},
};

/* Opens the input operand (none or "-": standard input). */
static int open_input(const struct qs_ctx *ctx, const char *path, FILE **fp, const char **name)
{
    if (!path || strcmp(path, "-") == 0) {
        *fp = stdin;
        *name = "-";
        return 0;
    }
    *fp = fopen(path, "rb");
    *name = path;
    if (!*fp) {
        cmd_warn(ctx, "cannot open %s: %s", path, strerror(errno));
        return errno == ENOENT || errno == EACCES ? QS_EX_USAGE : QS_EX_IOERR;
    }
    return 0;
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

/* Copies the spooled rows to standard output. */
static int print_spool(FILE *spool, struct qs_err *e)
{
    char buf[65536];
    size_t n;
    rewind(spool);
    while ((n = fread(buf, 1, sizeof buf, spool)) > 0) {
        if (fwrite(buf, 1, n, stdout) != n) {
            if (errno == EPIPE)
                return 0; /* qs import ... | head: the import is done; end quietly */
            return err_set(e, QS_E_IO, NULL, "cannot write to standard output: %s",
                           strerror(errno));
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

static int import_products(struct qs_ctx *ctx, int argc, char **argv)
{
    struct cat_import_opts o;
    struct cat_import_stats st;
    struct prod_run r;
    struct cmd_getopt g;
    struct qs_err e;
    const char *rejects = NULL, *name = NULL;
    FILE *in = NULL;
    int c, rc;

    memset(&o, 0, sizeof o);
    memset(&r, 0, sizeof r);
    err_clear(&e);
    o.dry_run = ctx->dry_run;
    o.quiet = ctx->verbosity < 0;
    cmd_getopt_init(&g, ctx, &qs_cmd_import, &qs_cmd_import.verbs[0]);
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        switch (c) {
        case OPT_TEMPLATE:
            if (cat_template_parse(optarg, &o.tpl) < 0)
                return cmd_usage(ctx, "--template \"%s\" is not generic, qoo10 or qs", optarg);
            break;
        case OPT_UPDATE:
            o.update = 1;
            break;
        case OPT_GROUP:
            if (!*optarg)
                return cmd_usage(ctx, "--group needs a name");
            o.group = optarg;
            break;
        case OPT_ASSIGN:
            o.pool = optarg;
            break;
        case OPT_SKIP_BAD:
            o.skip_bad = 1;
            break;
        case OPT_REJECTS:
            rejects = optarg;
            break;
        case OPT_STRICT:
            o.strict = 1;
            break;
        case OPT_FX:
            if (cat_fx_parse(optarg, &o.fx) < 0)
                return cmd_usage(ctx, "--fx \"%s\" is not a positive rate like 151.3", optarg);
            break;
        case OPT_ENCODING:
            if (rec_enc_parse(optarg, &o.enc) < 0)
                return cmd_usage(ctx, "--encoding \"%s\" is not auto, utf-8 or cp932", optarg);
            break;
        default:
            return QS_EX_USAGE;
        }
    }
    if (argc - optind > 1)
        return cmd_usage(ctx, "one file at a time, got \"%s\"", argv[optind + 1]);
    if (o.skip_bad != (rejects != NULL))
        return cmd_usage(ctx, "--skip-bad and --rejects FILE go together");
    if ((rc = open_input(ctx, optind < argc ? argv[optind] : NULL, &in, &name)) != 0)
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
        rc = print_spool(r.spool, &e);
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

static int import_upc(struct qs_ctx *ctx, int argc, char **argv)
{
    struct cmd_getopt g;
    struct qs_err e;
    struct upc_import_stats st;
    const char *pool = NULL, *name;
    enum upc_type type = UPC_T_OTHER;
    enum rec_enc enc = REC_ENC_AUTO;
    int c, rc, have_type = 0;
    FILE *in;

    err_clear(&e);
    cmd_getopt_init(&g, ctx, &qs_cmd_import, &qs_cmd_import.verbs[1]);
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        switch (c) {
        case OPT_POOL:
            pool = optarg;
            break;
        case OPT_TYPE:
            if (upc_type_parse(optarg, &type) < 0)
                return cmd_usage(ctx, "--type \"%s\" is not jan, upc, ean, isbn or other", optarg);
            have_type = 1;
            break;
        case OPT_ENCODING:
            if (rec_enc_parse(optarg, &enc) < 0)
                return cmd_usage(ctx, "--encoding \"%s\" is not auto, utf-8 or cp932", optarg);
            break;
        default:
            return QS_EX_USAGE;
        }
    }
    if (!pool || !*pool || !have_type)
        return cmd_usage(ctx, "--pool NAME and --type TYPE are needed");
    if (argc - optind > 1)
        return cmd_usage(ctx, "one file at a time, got \"%s\"", argv[optind + 1]);
    if ((rc = open_input(ctx, optind < argc ? argv[optind] : NULL, &in, &name)) != 0)
        return rc;
    rc = upc_import(ctx->store, pool, type, in, name, enc, upc_report, ctx, &st, &e);
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

static int import_pools(struct qs_ctx *ctx, int argc, char **argv)
{
    static const char *const cols[] = {"name", "type", "available", "used", "last_import"};
    struct rec_writer_opts wo = cmd_writer_opts(ctx);
    struct pools_run pr = {ctx, NULL, NULL, NULL};
    struct cmd_getopt g;
    struct qs_err e, ignore;
    int c, rc;

    err_clear(&e);
    cmd_getopt_init(&g, ctx, &qs_cmd_import, &qs_cmd_import.verbs[2]);
    while ((c = cmd_getopt(&g, argc, argv)) != -1)
        return QS_EX_USAGE;
    if (optind < argc)
        return cmd_usage(ctx, "unexpected argument \"%s\"", argv[optind]);
    /* Pools belong to the store; the shop, when there is one, only gives the zone. */
    if (shop_resolve(ctx->store, ctx->shop_name, &ctx->shop, &ignore) < 0)
        memset(&ctx->shop, 0, sizeof ctx->shop);
    if ((rc = rec_writer_open(stdout, &wo, cols, 5, &pr.w, &e)) < 0)
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

static int import_words(struct qs_ctx *ctx, int argc, char **argv)
{
    struct cmd_getopt g;
    struct qs_err e;
    enum rec_enc enc = REC_ENC_AUTO;
    const char *name;
    long count = 0;
    int c, rc;
    FILE *in;

    err_clear(&e);
    cmd_getopt_init(&g, ctx, &qs_cmd_import, &qs_cmd_import.verbs[3]);
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        if (c != OPT_ENCODING)
            return QS_EX_USAGE;
        if (rec_enc_parse(optarg, &enc) < 0)
            return cmd_usage(ctx, "--encoding \"%s\" is not auto, utf-8 or cp932", optarg);
    }
    if (argc - optind != 1)
        return cmd_usage(ctx, "one word list file (or -) is needed");
    if ((rc = open_input(ctx, argv[optind], &in, &name)) != 0)
        return rc;
    rc = words_import(ctx->store, in, name, enc, &count, &e);
    close_input(in);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: sensitive word list replaced: %ld word%s\n", ctx->prog, count,
                count == 1 ? "" : "s");
    return 0;
}

static const struct qs_verb import_verbs[] = {
    {.name = "products",
     .legacy_fn = import_products,
     .usage =
         "products [--template generic|qoo10|qs] [--update] [--group NAME] [--assign-upc POOL] "
         "[--skip-bad --rejects FILE] [--strict] [--fx RATE] [--encoding ENC] [FILE|-]",
     .summary = "import a catalog as pending products",
     .flags = QS_NEEDS_SHOP | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = products_opts},
    {.name = "upc",
     .legacy_fn = import_upc,
     .usage = "upc --pool NAME --type jan|upc|ean|isbn|other [--encoding ENC] [FILE|-]",
     .summary = "add codes to a code pool",
     .flags = QS_NEEDS_STORE | QS_READS_STDIN | QS_WRITES_STORE,
     .gopts = upc_opts},
    {.name = "pools",
     .legacy_fn = import_pools,
     .usage = "pools",
     .summary = "report code pools: available, used, last import",
     .flags = QS_NEEDS_STORE},
    {.name = "words",
     .legacy_fn = import_words,
     .usage = "words [--encoding ENC] FILE|-",
     .summary = "replace the sensitive word list",
     .flags = QS_NEEDS_STORE | QS_WRITES_STORE,
     .gopts = words_opts},
    {.name = NULL},
};

const struct qs_cmd qs_cmd_import = {
    "import",
    "bring products, code pools and word lists in from spreadsheets",
    import_verbs,
};

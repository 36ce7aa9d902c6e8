/* common.c: verb dispatch, generated help, the one error printer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "../libcore/afile.h"
#include "../libcore/job.h"
#include "../libcore/qapi/qapi.h"
#include "../libcore/tm.h"
#include "../libcore/xalloc.h"

struct rec_writer_opts cmd_writer_opts(const struct qs_ctx *ctx)
{
    struct rec_writer_opts o = {
        .fmt = ctx->format,
        .enc = ctx->enc == REC_ENC_CP932 ? REC_ENC_CP932 : REC_ENC_UTF8,
        .replace_unmappable = ctx->enc_replace,
        .bom = ctx->bom,
        .excel_safe = ctx->excel_safe,
    };
    return o;
}

static const struct qs_verb *find_verb(const struct qs_cmd *cmd, const char *name)
{
    /* Exact names only, never unique prefixes (STYLE.md). */
    for (const struct qs_verb *v = cmd->verbs; v->name; v++)
        if (strcmp(v->name, name) == 0)
            return v;
    return NULL;
}

int cmd_single_verb(const struct qs_cmd *cmd)
{
    return cmd->verbs[0].name && cmd->verbs[0].name[0] == '\0';
}

int cmd_fail(const struct qs_ctx *ctx, int rc, const struct qs_err *e)
{
    char buf[2048];
    fprintf(stderr, "%s\n", err_format(e, ctx->prog, buf, sizeof buf));
    return err_exit_code(rc);
}

void cmd_vwarn(const struct qs_ctx *ctx, const char *fmt, va_list ap)
{
    char buf[2048];
    vsnprintf(buf, sizeof buf, fmt, ap);
    fprintf(stderr, "%s: %s\n", ctx->prog, err_safe(buf, sizeof buf));
}

void cmd_warn(const struct qs_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cmd_vwarn(ctx, fmt, ap);
    va_end(ap);
}

const char *cmd_tz(const struct qs_ctx *ctx)
{
    if (ctx->tz)
        return ctx->tz;
    if (ctx->shop.tz[0])
        return ctx->shop.tz;
    return SHOP_DEFAULT_TZ;
}

int cmd_now_err(time_t *now, struct qs_err *e)
{
    const char *v = getenv("QS_NOW");
    struct qs_err pe;
    *now = time(NULL);
    if (!v || !*v)
        return 0;
    if (tm_parse(v, "UTC", *now, now, &pe) < 0)
        return err_set(e, QS_E_USAGE, NULL, "QS_NOW \"%s\" is not a time (2026-12-03T01:00:00Z)",
                       v);
    return 0;
}

int cmd_now(const struct qs_ctx *ctx, time_t *now)
{
    struct qs_err e;
    if (cmd_now_err(now, &e) < 0)
        return cmd_usage(ctx, "%s", e.msg);
    return 0;
}

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}

/* 1 when verb v, run with argv (argv[0] is the verb), only reads the store. */
static int reads_only(const struct qs_verb *v, int argc, char **argv)
{
    if (v->flags & QS_WRITES_STORE)
        return 0;
    if (v->flags & QS_WRITES_UNLESS_LIST)
        return argc > 1 && (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "show") == 0);
    return 1;
}

static int setup(const struct qs_verb *v, struct qs_ctx *ctx, int argc, char **argv)
{
    struct qs_err e;
    int rc;
    err_clear(&e);
    if (!(v->flags & (QS_NEEDS_STORE | QS_NEEDS_SHOP)))
        return 0;
    rc = reads_only(v, argc, argv) ? store_open_ro(ctx->store_path, &ctx->store, &e)
                                   : store_open(ctx->store_path, &ctx->store, &e);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (v->flags & QS_NEEDS_SHOP) {
        rc = shop_resolve(ctx->store, ctx->shop_name, &ctx->shop, &e);
        if (rc < 0)
            return cmd_fail(ctx, rc, &e);
    }
    return 0;
}

/* 1 when path ends in ext (".xlsx"), in any case. */
static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), k = strlen(ext);
    return n > k && strcasecmp(path + n - k, ext) == 0;
}

/* -o - is standard output. --output without --format: FILE's extension picks the format (never the
 * table, which is for a terminal). --format xlsx without --output needs standard output to be a
 * file; refused before the verb runs, so nothing is sent or stored for a report that cannot be
 * written. */
static int out_format(struct qs_ctx *ctx)
{
    struct qs_err e;
    err_clear(&e);
    if (ctx->output && strcmp(ctx->output, "-") == 0) {
        ctx->output = NULL; /* -o -: standard output, as - is standard input */
        ctx->output_stdout = 1;
    }
    if (ctx->output && !ctx->format_given)
        ctx->format = has_ext(ctx->output, ".xlsx")                                     ? REC_XLSX
                      : has_ext(ctx->output, ".jsonl") || has_ext(ctx->output, ".json") ? REC_JSON
                                                                                        : REC_CSV;
    if (ctx->format == REC_XLSX && !ctx->output && rec_xlsx_target(stdout, &e) < 0)
        return cmd_fail(ctx, e.code, &e);
    return 0;
}

/* --output: FILE is replaced when the verb ran to the end -- exit 0, or a job that ran with
 * some records failed (1) or to retry (75), whose report is the one to keep -- and left as
 * it was otherwise. */
static int out_finish(struct qs_ctx *ctx, int rc)
{
    struct qs_err e;
    struct afile *a = ctx->out_file;
    err_clear(&e);
    ctx->out_file = NULL;
    if (!a)
        return rc;
    if (rc != 0 && rc != QS_EX_FAIL && rc != QS_EX_TEMPFAIL) {
        afile_abort(a);
        return rc;
    }
    if (afile_commit(a, &e) < 0) {
        cmd_fail(ctx, QS_E_IO, &e);
        return rc ? rc : QS_EX_IOERR;
    }
    return rc;
}

int cmd_run(const struct qs_cmd *cmd, struct qs_ctx *ctx, int argc, char **argv)
{
    /* argv[0] is the command name. */
    const struct qs_verb *v;
    int vargc;
    char **vargv;
    int rc;

    ctx->cmd = cmd;
    snprintf(ctx->prog_buf, sizeof ctx->prog_buf, "qs %s", cmd->name);
    ctx->prog = ctx->prog_buf;
    if (cmd_single_verb(cmd)) {
        v = &cmd->verbs[0];
        vargc = argc;
        vargv = argv;
    } else {
        if (argc < 2)
            return cmd_usage(ctx, "a verb is needed");
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
            strcmp(argv[1], "help") == 0) {
            cmd_help(cmd, stdout);
            return 0;
        }
        v = find_verb(cmd, argv[1]);
        if (!v)
            return cmd_usage(ctx, "unknown verb \"%s\"", argv[1]);
        vargc = argc - 1;
        vargv = argv + 1;
        snprintf(ctx->prog_buf, sizeof ctx->prog_buf, "qs %s %s", cmd->name, v->name);
    }
    ctx->verb = v;
    if (wants_help(vargc, vargv)) {
        cmd_verb_help(cmd, v, stdout);
        return 0;
    }
    if ((rc = cmd_take_globals(ctx, v, &vargc, vargv)) != 0)
        return rc;
    if ((rc = out_format(ctx)) != 0)
        return rc;
    if (!v->fn) {
        if (v->name[0])
            cmd_warn(ctx, "'%s %s' is planned but not built yet; see 'qs %s --help'", cmd->name,
                     v->name, cmd->name);
        else
            cmd_warn(ctx, "'%s' is planned but not built yet", cmd->name);
        return QS_EX_USAGE;
    }
    rc = setup(v, ctx, vargc, vargv);
    if (rc)
        return rc;
    return out_finish(ctx, v->fn(ctx, v, vargc, vargv));
}

struct rec_reader_opts cmd_reader_opts(const struct qs_ctx *ctx, enum rec_enc enc)
{
    return (struct rec_reader_opts){.enc = enc, .sheet = ctx->sheet};
}

int cmd_each_record(const char *file, const struct rec_reader_opts *ro,
                    int (*fn)(const struct rec *r, long line, void *ctx), void *ctx, char *sheet,
                    struct qs_err *e)
{
    struct rec_reader *rd = NULL;
    struct rec *r = rec_new();
    FILE *fp = stdin;
    int rc;

    if (strcmp(file, "-") != 0 && !(fp = fopen(file, "r"))) {
        int err = errno;
        rec_free(r);
        /* as cmd_open_input: a file that is not there is a bad argument (64) */
        return err_set(e, err == ENOENT || err == EACCES ? QS_E_USAGE : QS_E_IO, NULL,
                       "cannot open %s: %s", file, strerror(err));
    }
    if (sheet)
        sheet[0] = '\0';
    if ((rc = rec_reader_open(fp, file, ro, &rd, e)) < 0)
        goto out;
    while ((rc = rec_read(rd, r, e)) == 1) {
        if (sheet && rec_reader_sheet(rd))
            snprintf(sheet, 64, "%s", rec_reader_sheet(rd));
        if ((rc = fn(r, rec_reader_line(rd), ctx)) < 0) {
            err_at_sheet(e, file, rec_reader_sheet(rd), rec_reader_line(rd), 0);
            break;
        }
    }
out:
    rec_reader_close(rd);
    rec_free(r);
    if (fp != stdin)
        fclose(fp);
    return rc < 0 ? rc : 0;
}

int cmd_field_once(const struct rec *r, const char *const *names, const char **out,
                   const char *rule, struct qs_err *e)
{
    const char *first = NULL;
    *out = NULL;
    for (; *names; names++) {
        const struct rec_field *fl = rec_field(r, *names);
        const char *v = fl ? fl->value : NULL;
        if (fl && (fl->type == REC_RAW || fl->type == REC_BOOL)) /* JSON Lines */
            return err_set(e, QS_E_DATA, rule, "field \"%s\" is a JSON %s, not a text or a number",
                           *names,
                           fl->type == REC_BOOL ? "true or false"
                           : *v == '['          ? "array"
                                                : "object");
        if (v && *out)
            return err_set(e, QS_E_DATA, rule,
                           "the input has both the columns %s and %s, two names of one field; "
                           "keep one",
                           first, *names);
        if (v)
            *out = v, first = *names;
    }
    return 0;
}

/* ---- the toolkit ---- */

FILE *cmd_out(const struct qs_ctx *ctx)
{
    return ctx->out_file ? afile_fp(ctx->out_file) : stdout;
}

int cmd_open_writer(const struct qs_ctx *ctx, const char *const *cols, size_t n,
                    struct rec_writer **w, struct qs_err *e)
{
    struct rec_writer_opts wo = cmd_writer_opts(ctx);
    return rec_writer_open(cmd_out(ctx), &wo, cols, n, w, e);
}

int cmd_out_fail(const struct qs_ctx *ctx, int rc, const struct qs_err *e)
{
    /* STYLE.md: a reader that went away (qs ... | head) ends the output quietly. */
    if (rc == QS_E_IO && !ctx->out_file && ferror(stdout) && errno == EPIPE)
        return 0;
    return cmd_fail(ctx, rc, e);
}

int cmd_open_qapi(const struct qs_ctx *ctx, struct qapi **q, struct qs_err *e)
{
    return qapi_open(ctx->store, ctx->shop.name, ctx->dry_run, stdout, q, e);
}

int cmd_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int cmd_read_file(const char *path, char **out, struct qs_err *e)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    size_t n = 0, cap = 4096;
    char *buf;
    int bad;

    if (!fp) {
        int err = errno;
        return err_set(e, err == ENOENT || err == EACCES ? QS_E_USAGE : QS_E_IO, NULL,
                       "cannot open %s: %s", path, strerror(err));
    }
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
    bad = ferror(fp);
    if (fp != stdin)
        fclose(fp);
    if (bad) {
        free(buf);
        return err_set(e, QS_E_IO, NULL, "cannot read %s", path);
    }
    /* Text never holds a NUL: the C string would end there and the rest be lost. */
    const char *nul = memchr(buf, '\0', n);
    if (nul) {
        size_t at = (size_t)(nul - buf) + 1;
        free(buf);
        return err_set(
            e, QS_E_DATA, NULL,
            "%s: byte %zu is a NUL byte; a text file holds none (is it a binary file, or "
            "saved as UTF-16? save it as UTF-8 text)",
            path, at);
    }
    /* A file's last newline is not part of the text. */
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    *out = buf;
    return 0;
}

int cmd_job(const struct qs_ctx *ctx, const struct job_ops *ops, void *job)
{
    struct job_opts o = {
        .prog = ctx->prog,
        .diag = ctx->verbosity < 0 ? NULL : stderr,
        .out = cmd_out(ctx),
        .wo = cmd_writer_opts(ctx),
        .dry_run = ctx->dry_run,
    };
    struct job_counts c;
    struct qs_err e;
    int rc, code;

    err_clear(&e);
    rc = job_run(ctx->store, ops, job, &o, &c, &e);
    code = job_exit_code(rc, &c);
    if (rc < 0 && cmd_out_fail(ctx, rc, &e) == 0)
        return 0;
    return code;
}

int cmd_open_input(const struct qs_ctx *ctx, const char *path, FILE **fp)
{
    if (!path || strcmp(path, "-") == 0) {
        *fp = stdin;
        return 0;
    }
    if (!(*fp = fopen(path, "rb"))) {
        int err = errno;
        cmd_warn(ctx, "cannot open %s: %s", path, strerror(err));
        return err == ENOENT || err == EACCES ? QS_EX_USAGE : QS_EX_IOERR;
    }
    return 0;
}

void cmd_close_input(FILE *fp)
{
    if (fp && fp != stdin)
        fclose(fp);
}

/* ---- keys from operands or records (qs note reply, delay; added for issue 10) ---- */

int cmd_is_input(const char *arg)
{
    static const char *const exts[] = {".csv", ".tsv", ".txt", ".jsonl", ".json", ".xlsx", NULL};
    size_t n = strlen(arg);
    if (strcmp(arg, "-") == 0)
        return 1;
    if (strspn(arg, "0123456789") == n)
        return 0;
    if (access(arg, R_OK) == 0 || strchr(arg, '/'))
        return 1;
    /* A file named as one that is not there is reported as such, not taken for a key. */
    for (size_t i = 0; exts[i]; i++) {
        size_t k = strlen(exts[i]);
        if (n > k && strcasecmp(arg + n - k, exts[i]) == 0)
            return 1;
    }
    return 0;
}

static void keys_add(struct cmd_keys *k, const char *v, long line, const char *body)
{
    k->v = xrealloc(k->v, (k->n + 1) * sizeof *k->v);
    k->line = xrealloc(k->line, (k->n + 1) * sizeof *k->line);
    k->body = xrealloc(k->body, (k->n + 1) * sizeof *k->body);
    k->v[k->n] = xstrdup(v);
    k->line[k->n] = line;
    k->body[k->n++] = body ? xstrdup(body) : NULL;
}

void cmd_keys_add(struct cmd_keys *k, const char *v)
{
    keys_add(k, v, 0, NULL);
}

void cmd_keys_free(struct cmd_keys *k)
{
    for (size_t i = 0; i < k->n; i++) {
        free(k->v[i]);
        free(k->body[i]);
    }
    free(k->v);
    free(k->line);
    free(k->body);
}

int cmd_keys_rec(const struct rec *r, long line, void *p)
{
    struct cmd_keys *k = p;
    const char *v, *body = NULL;
    if (cmd_field_once(r, k->names, &v, k->rule, k->e) < 0 ||
        (k->body_names && cmd_field_once(r, k->body_names, &body, k->rule, k->e) < 0))
        return QS_E_DATA;
    if (!v)
        return err_set(k->e, QS_E_DATA, k->rule, "the input has no %s column", k->what);
    keys_add(k, v, line, body);
    return 0;
}

int cmd_read_keys(const struct qs_ctx *ctx, int argc, char **argv, enum rec_enc enc,
                  struct cmd_keys *k, struct qs_err *e)
{
    int rc;
    if (argc == 0 || cmd_is_input(argv[0])) {
        if (argc > 1)
            return cmd_usage(ctx, "one input file at most (or - for stdin)");
        struct rec_reader_opts ro = cmd_reader_opts(ctx, enc);
        k->e = e;
        rc = cmd_each_record(argc ? argv[0] : "-", &ro, cmd_keys_rec, k, NULL, e);
        return rc < 0 ? cmd_fail(ctx, rc, e) : 0;
    }
    for (int i = 0; i < argc; i++)
        keys_add(k, argv[i], 0, NULL);
    return 0;
}

/* ---- a shop's folder beside the store (added for issue 12 and 13) ---- */

int cmd_shop_dir(const struct qs_ctx *ctx, const char *what, char **dir, struct qs_err *e)
{
    const char *slash = strrchr(ctx->store_path, '/');
    char *p;
    int rc = 0;
    *dir = slash ? xasprintf("%.*s/%s/%s", (int)(slash - ctx->store_path), ctx->store_path, what,
                             ctx->shop.name)
                 : xasprintf("./%s/%s", what, ctx->shop.name);
    /* mkdir -p, 0700: a shop's files are its own. */
    p = xstrdup(*dir);
    for (char *c = p + 1; rc == 0; c++) {
        if (*c && *c != '/')
            continue;
        char was = *c;
        *c = '\0';
        if (mkdir(p, 0700) < 0 && errno != EEXIST)
            rc = err_set(e, QS_E_IO, NULL, "%s: %s", p, strerror(errno));
        if (!(*c = was))
            break;
    }
    free(p);
    if (rc < 0) {
        free(*dir);
        *dir = NULL;
    }
    return rc;
}

void cmd_say_err(void *p, const struct qs_err *e)
{
    const struct qs_ctx *ctx = p;
    char buf[2200];
    fprintf(stderr, "%s\n", err_format(e, ctx->prog, buf, sizeof buf));
}

void cmd_say_warn(void *p, const struct qs_err *e)
{
    const struct qs_ctx *ctx = p;
    char buf[2200];
    struct qs_err w = *e;
    if (ctx->verbosity < 0)
        return;
    snprintf(w.msg, sizeof w.msg, "warning: %.1000s", e->msg);
    fprintf(stderr, "%s\n", err_format(&w, ctx->prog, buf, sizeof buf));
}

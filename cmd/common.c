/* common.c: verb dispatch, generated help, the one error printer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../libcore/tm.h"
#include "../libcore/xalloc.h"

const struct option cmd_global_opts[] = {
    {"store", required_argument, NULL, CMD_OPT_STORE},
    {"shop", required_argument, NULL, CMD_OPT_SHOP},
    {"format", required_argument, NULL, CMD_OPT_FORMAT},
    {"tz", required_argument, NULL, CMD_OPT_TZ},
    {"dry-run", no_argument, NULL, CMD_OPT_DRY_RUN},
    {"encoding", required_argument, NULL, CMD_OPT_ENCODING},
    {"encoding-errors", required_argument, NULL, CMD_OPT_ENCODING_ERRORS},
    {"bom", no_argument, NULL, CMD_OPT_BOM},
    {"excel-safe", no_argument, NULL, CMD_OPT_EXCEL_SAFE},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, CMD_OPT_VERSION},
    {NULL, 0, NULL, 0},
};

int cmd_global_option(struct qs_ctx *ctx, int code, const char *arg)
{
    switch (code) {
    case CMD_OPT_STORE:
        free(ctx->store_path);
        ctx->store_path = xstrdup(arg);
        break;
    case CMD_OPT_SHOP:
        ctx->shop_name = arg;
        break;
    case CMD_OPT_FORMAT:
        if (rec_format_parse(arg, &ctx->format) < 0) {
            fprintf(stderr, "%s: --format \"%s\" is not csv, json or table\n", ctx->prog, arg);
            return QS_EX_USAGE;
        }
        break;
    case CMD_OPT_TZ:
        if (!tm_zone_valid(arg)) {
            fprintf(stderr, "%s: unknown time zone \"%s\"; use an IANA name like Asia/Tokyo\n",
                    ctx->prog, arg);
            return QS_EX_USAGE;
        }
        ctx->tz = arg;
        break;
    case CMD_OPT_DRY_RUN:
        ctx->dry_run = 1;
        break;
    case CMD_OPT_ENCODING:
        if (rec_enc_parse(arg, &ctx->enc) < 0) {
            fprintf(stderr, "%s: --encoding \"%s\" is not auto, utf-8 or cp932\n", ctx->prog, arg);
            return QS_EX_USAGE;
        }
        break;
    case CMD_OPT_ENCODING_ERRORS:
        if (strcmp(arg, "strict") != 0 && strcmp(arg, "replace") != 0) {
            fprintf(stderr, "%s: --encoding-errors \"%s\" is not strict or replace\n", ctx->prog,
                    arg);
            return QS_EX_USAGE;
        }
        ctx->enc_replace = strcmp(arg, "replace") == 0;
        break;
    case CMD_OPT_BOM:
        ctx->bom = 1;
        break;
    case CMD_OPT_EXCEL_SAFE:
        ctx->excel_safe = 1;
        break;
    case 'q':
        ctx->verbosity = -1;
        break;
    case 'v':
        ctx->verbosity = 1;
        break;
    default:
        return QS_EX_USAGE;
    }
    return 0;
}

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

static int single_verb(const struct qs_cmd *cmd)
{
    return cmd->verbs[0].name && cmd->verbs[0].name[0] == '\0';
}

static void print_opts(const struct qs_opt *o, FILE *fp)
{
    if (!o || !o->name)
        return;
    fputs("\noptions:\n", fp);
    for (; o->name; o++) {
        char left[64];
        if (o->val > 0 && o->val < 256)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->val, o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        fprintf(fp, "  %-28s %s\n", left, o->help);
    }
}

void cmd_verb_help(const struct qs_cmd *cmd, const struct qs_verb *v, FILE *fp)
{
    fprintf(fp, "usage: qs %s%s%s\n", cmd->name, v->usage[0] ? " " : "", v->usage);
    fprintf(fp, "\n%s\n", v->summary);
    if (!v->fn)
        fputs("(planned: not built yet)\n", fp);
    print_opts(v->opts, fp);
    fprintf(fp, "\nSee qs-%s(1) for the full description.\n", cmd->name);
}

void cmd_help(const struct qs_cmd *cmd, FILE *fp)
{
    if (single_verb(cmd)) {
        cmd_verb_help(cmd, &cmd->verbs[0], fp);
        return;
    }
    fprintf(fp, "usage: qs %s VERB [OPTIONS] [ARGS]\n\n%s\n\nverbs:\n", cmd->name, cmd->summary);
    for (const struct qs_verb *v = cmd->verbs; v->name; v++)
        fprintf(fp, "  %-10s %s%s\n", v->name, v->summary, v->fn ? "" : " (planned)");
    fprintf(fp, "\n'qs %s VERB --help' shows a verb's options; qs-%s(1) has the details.\n",
            cmd->name, cmd->name);
}

void cmd_getopt_init(struct cmd_getopt *g, const struct qs_ctx *ctx, const struct qs_cmd *cmd,
                     const struct qs_verb *v)
{
    size_t nl = 0, ns = 0;
    memset(g, 0, sizeof *g);
    g->cmd = cmd;
    g->verb = v;
    g->ctx = ctx;
    g->so[ns++] = '+'; /* options before operands only: "qs note send -- -x" stays an operand */
    g->so[ns++] = ':';
    for (const struct qs_opt *o = v->opts; o && o->name; o++) {
        if (nl + 1 >= sizeof g->lo / sizeof g->lo[0] || ns + 3 >= sizeof g->so)
            break;
        g->lo[nl++] = (struct option){o->name, o->has_arg, NULL, o->val};
        if (o->val > 0 && o->val < 256) {
            g->so[ns++] = (char)o->val;
            if (o->has_arg == required_argument)
                g->so[ns++] = ':';
        }
    }
    g->lo[nl] = (struct option){0, 0, 0, 0};
    g->so[ns] = '\0';
    optind = 1; /* argv[0] is the verb */
    opterr = 0;
}

int cmd_getopt(struct cmd_getopt *g, int argc, char **argv)
{
    int c = getopt_long(argc, argv, g->so, g->lo, NULL);
    if (c == '?' || c == ':') {
        const char *bad = argv[optind - 1];
        if (c == ':')
            cmd_usage(g->ctx, g->cmd, g->verb, "option %s needs an argument", bad);
        else
            cmd_usage(g->ctx, g->cmd, g->verb, "unknown option %s", bad);
        return '?';
    }
    return c;
}

int cmd_fail(const struct qs_ctx *ctx, int rc, const struct qs_err *e)
{
    char buf[2048];
    fprintf(stderr, "%s\n", err_format(e, ctx->prog, buf, sizeof buf));
    return err_exit_code(rc);
}

void cmd_warn(const struct qs_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", ctx->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cmd_usage(const struct qs_ctx *ctx, const struct qs_cmd *cmd, const struct qs_verb *v,
              const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", ctx->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (v)
        fprintf(stderr, "usage: qs %s%s%s\n", cmd->name, v->usage[0] ? " " : "", v->usage);
    else
        fprintf(stderr, "usage: qs %s VERB [OPTIONS] [ARGS]; see 'qs %s --help'\n", cmd->name,
                cmd->name);
    return QS_EX_USAGE;
}

const char *cmd_tz(const struct qs_ctx *ctx)
{
    if (ctx->tz)
        return ctx->tz;
    if (ctx->shop.tz[0])
        return ctx->shop.tz;
    return SHOP_DEFAULT_TZ;
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

/* The verb's own option called name (long), or NULL. */
static const struct qs_opt *verb_opt(const struct qs_verb *v, const char *name, size_t len)
{
    for (const struct qs_opt *o = v->opts; o && o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

static const struct option *global_opt(const char *name, size_t len)
{
    for (const struct option *o = cmd_global_opts; o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

/* SPEC 1.1: global options are accepted after the verb too. Takes them out of argv[1..]
 * (up to the first operand or "--", as the verb's own parsing stops there) into ctx,
 * leaving the verb's options, their arguments and the operands in order; *argc shrinks.
 * An option the verb defines itself stays the verb's, except --encoding, whose value
 * also sets the output's encoding (one option, one meaning: the run's CSV encoding). */
static int take_globals(struct qs_ctx *ctx, const struct qs_verb *v, int *argc, char **argv)
{
    int in = 1, out = 1, rc = 0;
    while (in < *argc) {
        char *a = argv[in];
        if (a[0] != '-' || a[1] == '\0' || strcmp(a, "--") == 0)
            break;
        if (a[1] != '-') { /* short options: -q, -v, or the verb's */
            const struct qs_opt *vo = NULL;
            for (const struct qs_opt *o = v->opts; o && o->name; o++)
                if (o->val == a[1])
                    vo = o;
            if (!vo && (a[1] == 'q' || a[1] == 'v') && a[2] == '\0') {
                cmd_global_option(ctx, a[1], NULL);
                in++;
                continue;
            }
            argv[out++] = argv[in++];
            if (vo && vo->has_arg == required_argument && a[2] == '\0' && in < *argc)
                argv[out++] = argv[in++];
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const struct qs_opt *vo = verb_opt(v, name, len);
        const struct option *go = global_opt(name, len);
        const char *arg = eq ? eq + 1 : NULL;
        int has_arg = vo ? vo->has_arg : go ? go->has_arg : no_argument;
        int taken = has_arg == required_argument && !eq && in + 1 < *argc;
        if (has_arg == required_argument && !eq)
            arg = taken ? argv[in + 1] : NULL;
        if (go && go->val == CMD_OPT_ENCODING && arg && (rc = cmd_global_option(ctx, go->val, arg)))
            return rc;
        if (go && !vo) {
            if (go->val == 'h' || go->val == CMD_OPT_VERSION)
                break; /* --help is the verb's business (handled before) */
            if (go->has_arg == required_argument && !arg) {
                fprintf(stderr, "%s: option %s needs an argument\n", ctx->prog, a);
                return QS_EX_USAGE;
            }
            if (go->val != CMD_OPT_ENCODING && (rc = cmd_global_option(ctx, go->val, arg)) != 0)
                return rc;
            in += 1 + taken;
            continue;
        }
        argv[out++] = argv[in++];
        if (taken)
            argv[out++] = argv[in++];
    }
    while (in < *argc)
        argv[out++] = argv[in++];
    argv[out] = NULL;
    *argc = out;
    return 0;
}

/* 1 when verb v, run with argv (argv[0] is the verb), only reads the store. */
static int reads_only(const struct qs_verb *v, int argc, char **argv)
{
    if (v->flags & QS_STORE_RO)
        return 1;
    return (v->flags & QS_STORE_RO_LIST) && argc > 1 &&
           (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "show") == 0);
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

int cmd_run(const struct qs_cmd *cmd, struct qs_ctx *ctx, int argc, char **argv)
{
    /* argv[0] is the command name. */
    const struct qs_verb *v;
    int vargc;
    char **vargv;
    int rc;

    if (single_verb(cmd)) {
        v = &cmd->verbs[0];
        vargc = argc;
        vargv = argv;
    } else {
        if (argc < 2) {
            cmd_usage(ctx, cmd, NULL, "a verb is needed");
            return QS_EX_USAGE;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
            strcmp(argv[1], "help") == 0) {
            cmd_help(cmd, stdout);
            return 0;
        }
        v = find_verb(cmd, argv[1]);
        if (!v)
            return cmd_usage(ctx, cmd, NULL, "unknown verb \"%s\"", argv[1]);
        vargc = argc - 1;
        vargv = argv + 1;
    }
    if (wants_help(vargc, vargv)) {
        cmd_verb_help(cmd, v, stdout);
        return 0;
    }
    if ((rc = take_globals(ctx, v, &vargc, vargv)) != 0)
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
    return v->fn(ctx, vargc, vargv);
}

int cmd_each_record(const char *file, enum rec_enc enc,
                    int (*fn)(const struct rec *r, long line, void *ctx), void *ctx,
                    struct qs_err *e)
{
    struct rec_reader_opts ro = {enc, 0};
    struct rec_reader *rd = NULL;
    struct rec *r = rec_new();
    FILE *fp = stdin;
    int rc;

    if (strcmp(file, "-") != 0 && !(fp = fopen(file, "r"))) {
        rec_free(r);
        return err_set(e, QS_E_IO, NULL, "cannot open %s: %s", file, strerror(errno));
    }
    if ((rc = rec_reader_open(fp, file, &ro, &rd, e)) < 0)
        goto out;
    while ((rc = rec_read(rd, r, e)) == 1)
        if ((rc = fn(r, rec_reader_line(rd), ctx)) < 0) {
            err_at(e, file, rec_reader_line(rd), 0);
            break;
        }
out:
    rec_reader_close(rd);
    rec_free(r);
    if (fp != stdin)
        fclose(fp);
    return rc < 0 ? rc : 0;
}

const char *cmd_field(const struct rec *r, const char *const *names)
{
    for (; *names; names++) {
        const char *v = rec_get(r, *names);
        if (v)
            return v;
    }
    return NULL;
}

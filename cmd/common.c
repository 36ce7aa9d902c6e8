/* common.c: verb dispatch, generated help, the one error printer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "../libcore/job.h"
#include "../libcore/qapi.h"
#include "../libcore/tm.h"
#include "../libcore/xalloc.h"

/* ---- options bound to variables ---- */

static int parse_store(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    (void)ctx, (void)e;
    free(*(char **)target);
    *(char **)target = xstrdup(arg);
    return 0;
}

static int parse_format(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    (void)ctx;
    if (rec_format_parse(arg, target) < 0)
        return err_set(e, QS_E_USAGE, NULL, "--format \"%s\" is not csv, json or table", arg);
    return 0;
}

static int parse_tz(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e)
{
    (void)ctx;
    if (!tm_zone_valid(arg))
        return err_set(e, QS_E_USAGE, NULL,
                       "unknown time zone \"%s\"; use an IANA name like Asia/Tokyo", arg);
    *(const char **)target = arg;
    return 0;
}

static const char *const enc_errors[] = {"strict", "replace", NULL};

const struct qs_opt cmd_global_opts[] = {
    OPT_PARSE(struct qs_ctx, store_path, "store", "PATH", parse_store,
              "the store file (env QS_STORE)"),
    OPT_STRING(struct qs_ctx, shop_name, "shop", "NAME", "the shop to act on (env QS_SHOP)"),
    OPT_PARSE(struct qs_ctx, format, "format", "FORMAT", parse_format,
              "output records as csv, json (JSON Lines) or table"),
    OPT_PARSE(struct qs_ctx, tz, "tz", "ZONE", parse_tz,
              "read and print times in this IANA zone (env QS_TZ)"),
    OPT_FLAG(struct qs_ctx, dry_run, "dry-run",
             "print what would be sent or written; change nothing"),
    OPT_ENC(struct qs_ctx, enc),
    OPT_ENUM(struct qs_ctx, enc_replace, "encoding-errors", "strict|replace", enc_errors,
             "write '?' for what CP932 cannot hold (default: an error)"),
    OPT_FLAG(struct qs_ctx, bom, "bom", "start UTF-8 CSV output with a byte-order mark"),
    OPT_FLAG(struct qs_ctx, excel_safe, "excel-safe",
             "prefix CSV cells starting with = + - @ with '"),
    {.name = "quiet",
     .letter = 'q',
     .type = QSO_FLAG,
     .off = offsetof(struct qs_ctx, verbosity),
     .value = -1,
     .help = "only errors on stderr"},
    {.name = "verbose",
     .letter = 'v',
     .type = QSO_FLAG,
     .off = offsetof(struct qs_ctx, verbosity),
     .value = 1,
     .help = "more detail on stderr"},
    OPT_END,
};

/* Stores the argument arg of option o into the struct at base. 0, or a usage error in e. */
static int opt_apply(struct qs_ctx *ctx, const struct qs_opt *o, const char *arg, void *base,
                     struct qs_err *e)
{
    void *t = (char *)base + o->off;
    long v;

    switch (o->type) {
    case QSO_FLAG:
        *(int *)t = o->value ? o->value : 1;
        return 0;
    case QSO_STRING:
        *(const char **)t = arg;
        return 0;
    case QSO_LONG:
        if (cmd_parse_long(arg, o->min, o->max, &v) < 0) {
            if (o->what)
                return err_set(e, QS_E_USAGE, NULL, "--%s \"%s\" is not %s", o->name, arg, o->what);
            return err_set(e, QS_E_USAGE, NULL, "--%s \"%s\" is not a whole number from %ld to %ld",
                           o->name, arg, o->min, o->max);
        }
        *(long *)t = v;
        return 0;
    case QSO_LIST: {
        struct cmd_list *l = t;
        l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
        l->v[l->n++] = arg;
        return 0;
    }
    case QSO_TIME:
        if (tm_parse(arg, cmd_tz(ctx), time(NULL), (time_t *)t, e) < 0) {
            char msg[sizeof e->msg];
            snprintf(msg, sizeof msg, "%s", e->msg);
            return err_set(e, QS_E_USAGE, NULL, "--%s: %s", o->name, msg);
        }
        return 0;
    case QSO_ENUM: {
        char list[256] = "";
        size_t len = 0, n = 0;
        for (; o->choices[n]; n++)
            if (strcmp(o->choices[n], arg) == 0) {
                *(int *)t = (int)n;
                return 0;
            }
        for (size_t i = 0; i < n && len < sizeof list; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
                                    i == 0       ? ""
                                    : i + 1 == n ? " or "
                                                 : ", ",
                                    o->choices[i]);
        return err_set(e, QS_E_USAGE, NULL, "--%s \"%s\" is not %s", o->name, arg, list);
    }
    case QSO_ENC:
        if (rec_enc_parse(arg, t) < 0)
            return err_set(e, QS_E_USAGE, NULL, "--%s \"%s\" is not auto, utf-8 or cp932", o->name,
                           arg);
        return 0;
    case QSO_PARSE:
        return o->parse(ctx, arg, t, e) < 0 ? QS_E_USAGE : 0;
    case QSO_END:
        break;
    }
    return err_set(e, QS_E_SOFTWARE, NULL, "option --%s has no type", o->name);
}

/* getopt_long's tables for opts (and, with extra, the entries of extra after them). A
 * long option's val is 256 + its index. */
struct gtab {
    struct option *lo;
    char *so;
};

static void gtab_build(struct gtab *g, const struct qs_opt *opts, const struct option *extra,
                       int permute)
{
    size_t n = 0, ne = 0, ns = 0;
    for (const struct qs_opt *o = opts; o && o->name; o++)
        n++;
    for (const struct option *x = extra; x && x->name; x++)
        ne++;
    g->lo = xcalloc(n + ne + 1, sizeof *g->lo);
    g->so = xmalloc(3 * n + 3 * ne + 4);
    if (!permute)
        g->so[ns++] = '+'; /* options before operands only: "-- -x" stays an operand */
    g->so[ns++] = ':';
    for (size_t i = 0; i < n; i++) {
        const struct qs_opt *o = &opts[i];
        int has = o->type == QSO_FLAG ? no_argument : required_argument;
        g->lo[i] = (struct option){o->name, has, NULL, 256 + (int)i};
        if (o->letter) {
            g->so[ns++] = (char)o->letter;
            if (has == required_argument)
                g->so[ns++] = ':';
        }
    }
    for (size_t i = 0; i < ne; i++) {
        g->lo[n + i] = extra[i];
        if (extra[i].val > 0 && extra[i].val < 256)
            g->so[ns++] = (char)extra[i].val;
    }
    g->so[ns] = '\0';
}

static void gtab_free(struct gtab *g)
{
    free(g->lo);
    free(g->so);
}

/* The entry of opts getopt answered c for, or NULL. */
static const struct qs_opt *gtab_opt(const struct qs_opt *opts, int c)
{
    if (c >= 256)
        return &opts[c - 256];
    for (const struct qs_opt *o = opts; o && o->name; o++)
        if (o->letter && o->letter == c)
            return o;
    return NULL;
}

/* "--name" or "-x" of argv's option at optind - 1, for messages. */
static const char *bad_opt(char **argv, char *buf, size_t size)
{
    const char *a = argv[optind - 1];
    if (optopt > 0 && optopt < 256 && !(a[0] == '-' && a[1] == '-')) {
        snprintf(buf, size, "-%c", optopt);
        return buf;
    }
    return a;
}

enum { G_HELP = 'h', G_VERSION = 1000 };

int cmd_parse_globals(struct qs_ctx *ctx, int *argc, char ***argv, int *done)
{
    static const struct option extra[] = {
        {"help", no_argument, NULL, G_HELP},
        {"version", no_argument, NULL, G_VERSION},
        {NULL, 0, NULL, 0},
    };
    struct gtab g;
    struct qs_err e;
    char buf[64];
    int c, rc = 0;

    err_clear(&e);
    *done = 0;
    gtab_build(&g, cmd_global_opts, extra, 0);
    optind = 1;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(*argc, *argv, g.so, g.lo, NULL)) != -1) {
        const struct qs_opt *o;
        if (c == G_HELP || c == G_VERSION) {
            *done = c;
            break;
        }
        if (c == ':') {
            fprintf(stderr, "qs: option %s needs an argument\n", bad_opt(*argv, buf, sizeof buf));
            rc = QS_EX_USAGE;
        } else if (c == '?' || !(o = gtab_opt(cmd_global_opts, c))) {
            fprintf(stderr, "qs: unknown option %s\n", bad_opt(*argv, buf, sizeof buf));
            rc = QS_EX_USAGE;
        } else if (opt_apply(ctx, o, optarg, ctx, &e) < 0) {
            fprintf(stderr, "qs: %s\n", e.msg);
            rc = QS_EX_USAGE;
        }
    }
    gtab_free(&g);
    *argc -= optind;
    *argv += optind;
    return rc;
}

int cmd_parse(struct qs_ctx *ctx, const struct qs_verb *v, void *args, int *argc, char ***argv)
{
    struct gtab g;
    struct qs_err e;
    char buf[64];
    unsigned char seen[128] = {0};
    int c, rc = 0;
    size_t n = 0;

    err_clear(&e);
    gtab_build(&g, v->opts, NULL, (v->flags & QS_OPTS_ANYWHERE) != 0);
    /* argv[0] is the verb. 0, not 1: glibc then reads the ordering ('+' or permute) of
     * this optstring again instead of keeping the one of the global options' parse. */
    optind = 0;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(*argc, *argv, g.so, g.lo, NULL)) != -1) {
        const struct qs_opt *o;
        if (c == ':')
            rc = cmd_usage(ctx, "option %s needs an argument", bad_opt(*argv, buf, sizeof buf));
        else if (c == '?' || !(o = gtab_opt(v->opts, c)))
            rc = cmd_usage(ctx, "unknown option %s", bad_opt(*argv, buf, sizeof buf));
        else if (opt_apply(ctx, o, optarg, args, &e) < 0)
            rc = e.code == QS_E_USAGE ? cmd_usage_e(ctx, &e) : cmd_fail(ctx, e.code, &e);
        else if ((size_t)(o - v->opts) < sizeof seen)
            seen[o - v->opts] = 1;
    }
    for (const struct qs_opt *o = v->opts; rc == 0 && o && o->name; o++, n++)
        if ((o->flags & QSO_REQUIRED) && n < sizeof seen && !seen[n])
            rc = cmd_usage(ctx, "--%s %s is needed", o->name, o->arg ? o->arg : "");
    gtab_free(&g);
    *argc -= optind;
    *argv += optind;
    if (v->flags & QS_READS_STDIN)
        ctx->input = *argc > 0 ? (*argv)[0] : "-";
    return rc;
}

void cmd_args_free(const struct qs_verb *v, void *args)
{
    for (const struct qs_opt *o = v->opts; o && o->name; o++)
        if (o->type == QSO_LIST) {
            struct cmd_list *l = (struct cmd_list *)((char *)args + o->off);
            free(l->v);
            l->v = NULL;
            l->n = 0;
        }
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

static void print_opts(const struct qs_opt *o, const char *title, FILE *fp)
{
    if (!o || !o->name)
        return;
    fprintf(fp, "\n%s:\n", title);
    for (; o->name; o++) {
        char left[64];
        const char *arg = o->type == QSO_FLAG ? NULL : o->arg ? o->arg : "ARG";
        if (o->letter)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->letter, o->name, arg ? " " : "",
                     arg ? arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name, arg ? " " : "", arg ? arg : "");
        fprintf(fp, "  %-28s %s\n", left, o->help);
    }
}

static void print_gopts(const struct cmd_gopt *o, FILE *fp)
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

/* Appends word to the usage line being built in fp, wrapping at 80 columns under indent. */
static void usage_word(FILE *fp, const char *word, size_t *col, size_t indent)
{
    size_t len = strlen(word);
    if (*col + 1 + len > 80 && *col > indent) {
        fprintf(fp, "\n%*s", (int)indent, "");
        *col = indent;
    } else {
        fputc(' ', fp);
        (*col)++;
    }
    fputs(word, fp);
    *col += len;
}

/* "usage: qs CMD VERB" then the required options, the others in [], the operands: written
 * from the verb's table (or its usage text when the table cannot say it). */
static void print_usage(const struct qs_cmd *cmd, const struct qs_verb *v, FILE *fp)
{
    char word[128];
    size_t col, indent;

    col = (size_t)fprintf(fp, "usage: qs %s%s%s", cmd->name, v->name[0] ? " " : "", v->name);
    indent = col + 1 > 40 ? 8 : col + 1;
    if (v->usage) {
        const char *u = v->usage;
        /* A legacy usage text starts with the verb's name. */
        if (v->name[0] && strncmp(u, v->name, strlen(v->name)) == 0)
            u += strlen(v->name);
        while (*u == ' ')
            u++;
        if (*u)
            fprintf(fp, " %s", u);
        fputc('\n', fp);
        return;
    }
    for (int pass = 0; pass < 2; pass++)
        for (const struct qs_opt *o = v->opts; o && o->name; o++) {
            int req = (o->flags & QSO_REQUIRED) != 0;
            char name[40];
            if (req != (pass == 0))
                continue;
            if (o->letter)
                snprintf(name, sizeof name, "-%c", o->letter);
            else
                snprintf(name, sizeof name, "--%s", o->name);
            snprintf(word, sizeof word, "%s%s%s%s%s%s", req ? "" : "[", name,
                     o->type == QSO_FLAG ? "" : " ",
                     o->type == QSO_FLAG ? ""
                     : o->arg            ? o->arg
                                         : "ARG",
                     req ? "" : "]", o->type == QSO_LIST ? "..." : "");
            usage_word(fp, word, &col, indent);
        }
    if (v->operands && v->operands[0])
        usage_word(fp, v->operands, &col, indent);
    fputc('\n', fp);
}

void cmd_verb_help(const struct qs_cmd *cmd, const struct qs_verb *v, FILE *fp)
{
    print_usage(cmd, v, fp);
    fprintf(fp, "\n%s\n", v->summary);
    if (!v->fn && !v->legacy_fn)
        fputs("(planned: not built yet)\n", fp);
    print_opts(v->opts, "options", fp);
    print_gopts(v->gopts, fp);
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
        fprintf(fp, "  %-10s %s%s\n", v->name, v->summary,
                v->fn || v->legacy_fn ? "" : " (planned)");
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
    for (const struct cmd_gopt *o = v->gopts; o && o->name; o++) {
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
            cmd_usage(g->ctx, "option %s needs an argument", bad);
        else
            cmd_usage(g->ctx, "unknown option %s", bad);
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

int cmd_usage(const struct qs_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", ctx->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (ctx->verb && ctx->cmd)
        print_usage(ctx->cmd, ctx->verb, stderr);
    else if (ctx->cmd)
        fprintf(stderr, "usage: qs %s VERB [OPTIONS] [ARGS]; see 'qs %s --help'\n", ctx->cmd->name,
                ctx->cmd->name);
    return QS_EX_USAGE;
}

int cmd_usage_e(const struct qs_ctx *ctx, const struct qs_err *e)
{
    if (e->rule[0])
        return cmd_usage(ctx, "%s (%s)", e->msg, e->rule);
    return cmd_usage(ctx, "%s", e->msg);
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

/* Whether verb v has an option called name (long, len bytes) or letter (short, name NULL);
 * *has_arg says whether it takes an argument. */
static int verb_has(const struct qs_verb *v, const char *name, size_t len, int letter, int *has_arg)
{
    for (const struct qs_opt *o = v->opts; o && o->name; o++)
        if (name ? strlen(o->name) == len && strncmp(o->name, name, len) == 0
                 : o->letter == letter) {
            *has_arg = o->type != QSO_FLAG;
            return 1;
        }
    for (const struct cmd_gopt *o = v->gopts; o && o->name; o++)
        if (name ? strlen(o->name) == len && strncmp(o->name, name, len) == 0 : o->val == letter) {
            *has_arg = o->has_arg == required_argument;
            return 1;
        }
    return 0;
}

static const struct qs_opt *global_opt(const char *name, size_t len, int letter)
{
    for (const struct qs_opt *o = cmd_global_opts; o->name; o++)
        if (name ? strlen(o->name) == len && strncmp(o->name, name, len) == 0 : o->letter == letter)
            return o;
    return NULL;
}

static int global_apply(struct qs_ctx *ctx, const struct qs_opt *o, const char *arg)
{
    struct qs_err e;
    err_clear(&e);
    return opt_apply(ctx, o, arg, ctx, &e) < 0 ? cmd_usage_e(ctx, &e) : 0;
}

/* SPEC 1.1: global options are accepted after the verb too. Takes them out of argv[1..]
 * (up to the first operand or "--", as the verb's own parsing stops there) into ctx,
 * leaving the verb's options, their arguments and the operands in order; *argc shrinks.
 * An option the verb defines itself stays the verb's, except --encoding, whose value
 * also sets the output's encoding (one option, one meaning: the run's CSV encoding). */
static int take_globals(struct qs_ctx *ctx, const struct qs_verb *v, int *argc, char **argv)
{
    int in = 1, out = 1, rc = 0, has_arg;
    while (in < *argc) {
        char *a = argv[in];
        if (a[0] != '-' || a[1] == '\0' || strcmp(a, "--") == 0)
            break;
        if (a[1] != '-') { /* short options: -q, -v, or the verb's */
            const struct qs_opt *go = global_opt(NULL, 0, a[1]);
            int mine = verb_has(v, NULL, 0, a[1], &has_arg);
            if (!mine && go && a[2] == '\0') {
                if ((rc = global_apply(ctx, go, NULL)) != 0)
                    return rc;
                in++;
                continue;
            }
            argv[out++] = argv[in++];
            if (mine && has_arg && a[2] == '\0' && in < *argc)
                argv[out++] = argv[in++];
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        int mine = verb_has(v, name, len, 0, &has_arg);
        const struct qs_opt *go = global_opt(name, len, 0);
        const char *arg = eq ? eq + 1 : NULL;
        if (!mine)
            has_arg = go ? go->type != QSO_FLAG : 0;
        int taken = has_arg && !eq && in + 1 < *argc;
        if (has_arg && !eq)
            arg = taken ? argv[in + 1] : NULL;
        if (go && go->type == QSO_ENC && arg && (rc = global_apply(ctx, go, arg)) != 0)
            return rc;
        if (go && !mine) {
            if (go->type != QSO_FLAG && !arg) {
                fprintf(stderr, "%s: option %s needs an argument\n", ctx->prog, a);
                return QS_EX_USAGE;
            }
            if (go->type != QSO_ENC && (rc = global_apply(ctx, go, arg)) != 0)
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
    if (single_verb(cmd)) {
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
    if ((rc = take_globals(ctx, v, &vargc, vargv)) != 0)
        return rc;
    if (!v->fn && !v->legacy_fn) {
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
    return v->fn ? v->fn(ctx, v, vargc, vargv) : v->legacy_fn(ctx, vargc, vargv);
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

/* ---- the toolkit ---- */

int cmd_open_writer(const struct qs_ctx *ctx, const char *const *cols, size_t n,
                    struct rec_writer **w, struct qs_err *e)
{
    struct rec_writer_opts wo = cmd_writer_opts(ctx);
    return rec_writer_open(stdout, &wo, cols, n, w, e);
}

int cmd_out_fail(const struct qs_ctx *ctx, int rc, const struct qs_err *e)
{
    /* STYLE.md: a reader that went away (qs ... | head) ends the output quietly. */
    if (rc == QS_E_IO && ferror(stdout) && errno == EPIPE)
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
    bad = ferror(fp);
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

int cmd_job(const struct qs_ctx *ctx, const struct job_ops *ops, void *job)
{
    struct job_opts o = {
        .prog = ctx->prog,
        .diag = ctx->verbosity < 0 ? NULL : stderr,
        .out = stdout,
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

/* ---- keys from operands or records (qs note reply, delay; added for issue 10) ---- */

int cmd_is_input(const char *arg)
{
    return strcmp(arg, "-") == 0 ||
           (strspn(arg, "0123456789") != strlen(arg) && access(arg, R_OK) == 0);
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
    const char *v = cmd_field(r, k->names);
    if (!v)
        return err_set(k->e, QS_E_DATA, k->rule, "the input has no %s column", k->what);
    keys_add(k, v, line, k->body_names ? cmd_field(r, k->body_names) : NULL);
    return 0;
}

int cmd_read_keys(const struct qs_ctx *ctx, int argc, char **argv, enum rec_enc enc,
                  struct cmd_keys *k, struct qs_err *e)
{
    int rc;
    if (argc == 0 || cmd_is_input(argv[0])) {
        if (argc > 1)
            return cmd_usage(ctx, "one input file at most (or - for stdin)");
        k->e = e;
        rc = cmd_each_record(argc ? argv[0] : "-", enc, cmd_keys_rec, k, e);
        return rc < 0 ? cmd_fail(ctx, rc, e) : 0;
    }
    for (int i = 0; i < argc; i++)
        keys_add(k, argv[i], 0, NULL);
    return 0;
}

/* opts.c: options bound to variables (git's parse-options): the global options of SPEC
 * 1.1, a verb's table parsed into its argument struct, the usage line and --help written
 * from the same table, usage errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../libcore/afile.h"
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
    if (rec_format_parse(arg, target) < 0)
        return err_set(e, QS_E_USAGE, NULL, "--format \"%s\" is not csv, json, table or xlsx", arg);
    ctx->format_given = 1;
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
              "output records as csv, json (JSON Lines), table or xlsx (to a file)"),
    {.name = "output",
     .letter = 'o',
     .type = QSO_STRING,
     .off = offsetof(struct qs_ctx, output),
     .arg = "FILE",
     .help = "write records to FILE (whole or not at all); .xlsx, .json/.jsonl or else csv"},
    OPT_PARSE(struct qs_ctx, tz, "tz", "ZONE", parse_tz,
              "read and print times in this IANA zone (env QS_TZ)"),
    OPT_FLAG(struct qs_ctx, dry_run, "dry-run",
             "print what would be sent or written; change nothing"),
    OPT_ENC(struct qs_ctx, enc),
    OPT_STRING(struct qs_ctx, sheet, "sheet", "NAME",
               "read this sheet of an .xlsx input (default: the first)"),
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
    case QSO_TIME: {
        /* "HH:MM" is today or tomorrow as of QS_NOW when set (SPEC 1.5), like cmd_now. */
        time_t now;
        if (cmd_now_err(&now, e) < 0)
            return e->code;
        if (tm_parse(arg, cmd_tz(ctx), now, (time_t *)t, e) < 0) {
            char msg[sizeof e->msg];
            snprintf(msg, sizeof msg, "%s", e->msg);
            return err_set(e, QS_E_USAGE, NULL, "--%s: %s", o->name, msg);
        }
        return 0;
    }
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
    /* An option after an operand would be read as an operand where options stop at the
     * first operand: `qs sync ship FILE --dry-run` must not run for real. Refused, unless
     * `--` came first (a file named "-x": `-- -x`, or ./-x). "-" alone and numbers pass. */
    if (rc == 0 && !(v->flags & QS_OPTS_ANYWHERE) &&
        !(optind > 0 && optind <= *argc && strcmp((*argv)[optind - 1], "--") == 0))
        for (int i = optind; rc == 0 && i < *argc; i++) {
            const char *a = (*argv)[i];
            if (strcmp(a, "--") == 0)
                break;
            if (a[0] == '-' && a[1] && !(a[1] >= '0' && a[1] <= '9'))
                rc = cmd_usage(ctx,
                               "option %s comes after an operand: put options first (or -- "
                               "before an operand that starts with -)",
                               a);
        }
    if (rc != 0 && args)
        cmd_args_free(v, args); /* a verb that stops at a usage error frees nothing */
    *argc -= optind;
    *argv += optind;
    if (v->flags & QS_READS_STDIN)
        ctx->input = *argc > 0 ? (*argv)[0] : "-";
    if (rc == 0 && ctx->output && !ctx->out_file &&
        afile_open(ctx->output, v->flags & QS_READS_STDIN ? ctx->input : NULL, &ctx->out_file, &e) <
            0) {
        rc =
            e.code == QS_E_USAGE ? cmd_usage(ctx, "--output %s", e.msg) : cmd_fail(ctx, e.code, &e);
        if (args)
            cmd_args_free(v, args);
    }
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
        /* A usage text starts with the verb's name. */
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
    if (!v->fn)
        fputs("(planned: not built yet)\n", fp);
    print_opts(v->opts, "options", fp);
    fprintf(fp, "\nSee qs-%s(1) for the full description.\n", cmd->name);
}

void cmd_help(const struct qs_cmd *cmd, FILE *fp)
{
    if (cmd_single_verb(cmd)) {
        cmd_verb_help(cmd, &cmd->verbs[0], fp);
        return;
    }
    fprintf(fp, "usage: qs %s VERB [OPTIONS] [ARGS]\n\n%s\n\nverbs:\n", cmd->name, cmd->summary);
    for (const struct qs_verb *v = cmd->verbs; v->name; v++)
        fprintf(fp, "  %-10s %s%s\n", v->name, v->summary, v->fn ? "" : " (planned)");
    fprintf(fp, "\n'qs %s VERB --help' shows a verb's options; qs-%s(1) has the details.\n",
            cmd->name, cmd->name);
}

int cmd_usage(const struct qs_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cmd_vwarn(ctx, fmt, ap);
    va_end(ap);
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
 * (up to the first operand or "--", as the verb's own parsing stops there -- through the
 * operands for QS_OPTS_ANYWHERE) into ctx,
 * leaving the verb's options, their arguments and the operands in order; *argc shrinks.
 * An option the verb defines itself stays the verb's, except --encoding, whose value
 * also sets the output's encoding (one option, one meaning: the run's CSV encoding). */
int cmd_take_globals(struct qs_ctx *ctx, const struct qs_verb *v, int *argc, char **argv)
{
    int in = 1, out = 1, rc = 0, has_arg;
    int anywhere = (v->flags & QS_OPTS_ANYWHERE) != 0;
    while (in < *argc) {
        char *a = argv[in];
        if (strcmp(a, "--") == 0)
            break;
        if (a[0] != '-' || a[1] == '\0') {
            /* An operand: the verb's options may follow it (QS_OPTS_ANYWHERE), and so may
             * the global ones then. */
            if (!anywhere)
                break;
            argv[out++] = argv[in++];
            continue;
        }
        if (a[1] != '-') { /* short options: -q, -v, -o FILE, or the verb's */
            const struct qs_opt *go = global_opt(NULL, 0, a[1]);
            int mine = verb_has(v, NULL, 0, a[1], &has_arg);
            if (!mine && go && go->type == QSO_FLAG && a[2] == '\0') {
                if ((rc = global_apply(ctx, go, NULL)) != 0)
                    return rc;
                in++;
                continue;
            }
            if (!mine && go && go->type != QSO_FLAG) { /* -o FILE or -oFILE */
                const char *arg = a[2] ? a + 2 : in + 1 < *argc ? argv[in + 1] : NULL;
                if (!arg) {
                    fprintf(stderr, "%s: option %s needs an argument\n", ctx->prog, a);
                    return QS_EX_USAGE;
                }
                if ((rc = global_apply(ctx, go, arg)) != 0)
                    return rc;
                in += a[2] ? 1 : 2;
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

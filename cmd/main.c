/* main.c: the command table and the global options (SPEC 1.1); nothing else.
 *
 * Adding a command:
 *   1. write cmd/<name>.c defining `const struct qs_cmd qs_cmd_<name>` with its verb
 *      table (see cmd.h; a verb's fn is NULL while it is only planned);
 *   2. declare it in cmd.h and add one line to qs_commands[] below;
 *   3. add it to cmd/meson.build, man/qs-<name>.1 and the three completions.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "../libcore/tm.h"
#include "../libcore/xalloc.h"

const struct qs_cmd *const qs_commands[] = {
    &qs_cmd_init,  &qs_cmd_import,  &qs_cmd_publish, &qs_cmd_note, &qs_cmd_coupon,
    &qs_cmd_stock, &qs_cmd_inbound, &qs_cmd_sync,    NULL,
};

#define GLOBAL_USAGE                                                                               \
    "usage: qs [--store PATH] [--shop NAME] [--format csv|json|table|xlsx] [-o FILE]\n"            \
    "          [--tz ZONE] [--encoding auto|utf-8|cp932] [--encoding-errors strict|replace]\n"     \
    "          [--sheet NAME] [--bom] [--excel-safe] [--dry-run] [-q|-v]\n"                        \
    "          COMMAND [VERB] [OPTIONS] [ARGS]\n"

static void usage(FILE *fp)
{
    fputs(GLOBAL_USAGE, fp);
    fputs("\nA seller's toolkit for the Qoo10 Japan marketplace.\n\ncommands:\n", fp);
    for (const struct qs_cmd *const *c = qs_commands; *c; c++) {
        /* Issue 8 item 22: which commands are only planned, whole or in part. */
        size_t n = 0, planned = 0;
        for (const struct qs_verb *v = (*c)->verbs; v && v->name; v++)
            n++, planned += !v->fn;
        fprintf(fp, "  %-8s %s%s\n", (*c)->name, (*c)->summary,
                planned == 0   ? ""
                : planned == n ? " (planned)"
                               : " (some verbs planned)");
    }
    fputs("  help     show help for qs or a command\n"
          "  version  print the version\n"
          "\nglobal options:\n"
          "  --store PATH       the store file (env QS_STORE)\n"
          "  --shop NAME        the shop to act on (env QS_SHOP)\n"
          "  --format FORMAT    output records as csv, json (JSON Lines), table or xlsx\n"
          "  -o, --output FILE  write the records to FILE, whole or not at all; without\n"
          "                     --format, .xlsx, .json/.jsonl or else csv by its extension\n"
          "  --tz ZONE          read and print times in this IANA zone (env QS_TZ)\n"
          "  --encoding ENC     CSV in: auto (default), utf-8 or cp932; CSV out: cp932 or UTF-8\n"
          "  --encoding-errors replace\n"
          "                     write '?' for what CP932 cannot hold (default: an error)\n"
          "  --sheet NAME       read this sheet of an .xlsx input (default: the first)\n"
          "  --bom              start UTF-8 CSV output with a byte-order mark (for Excel)\n"
          "  --excel-safe       prefix CSV cells starting with = + - @ with ' (Excel formulas)\n"
          "  --dry-run          print what would be sent or written; change nothing\n"
          "  -q, --quiet        only errors on stderr\n"
          "  -v, --verbose      more detail on stderr\n"
          "  -h, --help         this help\n"
          "\nGlobal options are also accepted after the verb: qs publish list --format json.\n"
          "'qs help COMMAND' or 'qs COMMAND --help' for a command; qs(1) for all.\n",
          fp);
}

static const struct qs_cmd *find_cmd(const char *name)
{
    for (const struct qs_cmd *const *c = qs_commands; *c; c++)
        if (strcmp((*c)->name, name) == 0)
            return *c;
    return NULL;
}

static int help(int argc, char **argv)
{
    const struct qs_cmd *c;
    if (argc < 2) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "version") == 0) {
        usage(stdout);
        return 0;
    }
    c = find_cmd(argv[1]);
    if (!c) {
        fprintf(stderr, "qs help: unknown command \"%s\"; 'qs help' lists them\n", argv[1]);
        return QS_EX_USAGE;
    }
    cmd_help(c, stdout);
    return 0;
}

/* Flushes stdout and reports a write error; a closed pipe (qs ... | head) ends quietly. */
static int close_stdout(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno == EPIPE)
            return rc;
        fprintf(stderr, "qs: cannot write to standard output: %s\n", strerror(errno));
        return rc ? rc : QS_EX_IOERR;
    }
    return rc;
}

int main(int argc, char **argv)
{
    struct qs_ctx ctx;
    const struct qs_cmd *cmd;
    const char *env;
    int done, rc;

    /* Writing into a closed pipe must end with EPIPE, not a signal mid-transaction. */
    signal(SIGPIPE, SIG_IGN);
    memset(&ctx, 0, sizeof ctx);
    ctx.prog = "qs";
    ctx.format = isatty(STDOUT_FILENO) ? REC_TABLE : REC_CSV;
    ctx.shop_name = (env = getenv("QS_SHOP")) && *env ? env : NULL;
    ctx.tz = (env = getenv("QS_TZ")) && *env ? env : NULL;
    if ((env = getenv("QS_FORMAT")) && *env) {
        if (rec_format_parse(env, &ctx.format) < 0) {
            fprintf(stderr, "qs: QS_FORMAT=\"%s\" is not csv, json, table or xlsx\n", env);
            return QS_EX_USAGE;
        }
    }

    if ((rc = cmd_parse_globals(&ctx, &argc, &argv, &done)) != 0) {
        fputs(GLOBAL_USAGE, stderr);
        free(ctx.store_path);
        return rc;
    }
    if (done == 'h') {
        usage(stdout);
        free(ctx.store_path);
        return close_stdout(0);
    }
    if (done) {
        printf("qs %s\n", QS_VERSION);
        free(ctx.store_path);
        return close_stdout(0);
    }
    if (argc < 1) {
        fputs("qs: a command is needed; 'qs help' lists them\n", stderr);
        fputs(GLOBAL_USAGE, stderr);
        free(ctx.store_path);
        return QS_EX_USAGE;
    }
    if (ctx.tz && !tm_zone_valid(ctx.tz)) {
        fprintf(stderr, "qs: unknown time zone \"%s\"; use an IANA name like Asia/Tokyo\n", ctx.tz);
        free(ctx.store_path);
        return QS_EX_USAGE;
    }
    if (!ctx.store_path)
        ctx.store_path = store_default_path();
    cmd = find_cmd(argv[0]);
    if (!cmd) {
        if (strcmp(argv[0], "help") == 0)
            rc = help(argc, argv);
        else if (strcmp(argv[0], "version") == 0)
            rc = printf("qs %s\n", QS_VERSION) < 0 ? QS_EX_IOERR : 0;
        else {
            fprintf(stderr, "qs: unknown command \"%s\"; 'qs help' lists them\n", argv[0]);
            fputs(GLOBAL_USAGE, stderr);
            rc = QS_EX_USAGE;
        }
        free(ctx.store_path);
        return close_stdout(rc);
    }
    rc = cmd_run(cmd, &ctx, argc, argv);
    store_close(ctx.store);
    free(ctx.store_path);
    return close_stdout(rc);
}

/* cmd.h: what every command file shares -- the context main() builds from the
 * global options, the command and verb tables, and the one error printer. */
#ifndef QS_CMD_H
#define QS_CMD_H

#include <getopt.h>
#include <stdio.h>

#include "../libcore/err.h"
#include "../libcore/record.h"
#include "../libcore/shop.h"
#include "../libcore/store.h"

/* Setup main() does before a verb runs (like git's RUN_SETUP). */
enum {
    QS_NEEDS_STORE = 1 << 0, /* open (and create) the store */
    QS_NEEDS_SHOP = 1 << 1,  /* resolve --shop (implies QS_NEEDS_STORE) */
    QS_READS_STDIN = 1 << 2, /* reads records from stdin when no file is given */
    /* Only reads the store (never a row, a cursor, an audit row): it is opened read-only,
     * so a 0400 store or a read-only mount can be listed; never created, migrated or
     * chmod'ed (issue 8 item 11). */
    QS_STORE_RO = 1 << 3,
    /* Like QS_STORE_RO when the verb's action (its first operand) is list or show. */
    QS_STORE_RO_LIST = 1 << 4,
};

struct qs_ctx {
    const char *prog;       /* "qs import" -- prefix of messages */
    char *store_path;       /* --store / QS_STORE / default; malloc'd */
    const char *shop_name;  /* --shop / QS_SHOP, may be NULL */
    enum rec_format format; /* --format; table when stdout is a terminal */
    const char *tz;         /* --tz, else the shop's zone */
    int dry_run;            /* --dry-run */
    int verbosity;          /* -q: -1, default 0, -v: 1 */
    enum rec_enc enc;       /* --encoding: CSV in (auto by default) and out (cp932 or UTF-8) */
    int enc_replace;        /* --encoding-errors=replace: '?' for what CP932 lacks */
    int bom;                /* --bom: UTF-8 CSV output starts with a byte-order mark */
    int excel_safe;         /* --excel-safe: no CSV cell starts like an Excel formula */
    struct store *store;    /* open when the verb has QS_NEEDS_STORE */
    struct shop shop;       /* resolved when the verb has QS_NEEDS_SHOP */
};

/* An option of a verb: getopt's struct option plus its help, so --help is
 * generated from one place. */
struct qs_opt {
    const char *name;
    int has_arg;     /* no_argument / required_argument */
    int val;         /* short option letter or a code >= 256 */
    const char *arg; /* argument name in help, e.g. "FILE" */
    const char *help;
};

struct qs_verb {
    const char *name;
    int (*fn)(struct qs_ctx *ctx, int argc, char **argv); /* NULL: planned, not built */
    const char *usage;   /* after "qs COMMAND ": "spread --from TIME --to TIME [SKU...]" */
    const char *summary; /* one line */
    unsigned flags;
    const struct qs_opt *opts; /* terminated by a zero entry, may be NULL */
};

struct qs_cmd {
    const char *name;
    const char *summary;
    const struct qs_verb *verbs; /* terminated by a zero entry */
    /* A command without verbs (init) has exactly one entry named "" in verbs. */
};

extern const struct qs_cmd qs_cmd_init, qs_cmd_import, qs_cmd_publish, qs_cmd_note, qs_cmd_coupon,
    qs_cmd_stock, qs_cmd_inbound, qs_cmd_sync;

/* The command table of main.c, NULL-terminated. */
extern const struct qs_cmd *const qs_commands[];

/* The vals of cmd_global_opts that are not letters. */
enum {
    CMD_OPT_STORE = 1000,
    CMD_OPT_SHOP,
    CMD_OPT_FORMAT,
    CMD_OPT_TZ,
    CMD_OPT_DRY_RUN,
    CMD_OPT_ENCODING,
    CMD_OPT_ENCODING_ERRORS,
    CMD_OPT_BOM,
    CMD_OPT_EXCEL_SAFE,
    CMD_OPT_VERSION,
};
/* The global options of SPEC 1.1 (NULL-terminated getopt table); accepted before the
 * command and after the verb. */
extern const struct option cmd_global_opts[];
/* Applies global option code (a val of cmd_global_opts) with argument arg to ctx.
 * Returns 0, or 64 after printing the usage error. */
int cmd_global_option(struct qs_ctx *ctx, int code, const char *arg);
/* The options of the CSV/JSON/table writer on standard output: --format, --encoding,
 * --encoding-errors, --bom, --excel-safe. */
struct rec_writer_opts cmd_writer_opts(const struct qs_ctx *ctx);
/* Runs a command: finds the verb, handles --help, takes the global options given after
 * the verb, does the verb's setup, calls it. Returns the exit code. */
int cmd_run(const struct qs_cmd *cmd, struct qs_ctx *ctx, int argc, char **argv);
/* Prints help for a command (all verbs) to fp. */
void cmd_help(const struct qs_cmd *cmd, FILE *fp);
/* Prints one verb's usage and options to fp. */
void cmd_verb_help(const struct qs_cmd *cmd, const struct qs_verb *v, FILE *fp);
/* getopt_long state built from a verb's options. */
struct cmd_getopt {
    struct option lo[40];
    char so[96];
    const struct qs_cmd *cmd;
    const struct qs_verb *verb;
    const struct qs_ctx *ctx;
};
/* Prepares g for the options of verb v. */
void cmd_getopt_init(struct cmd_getopt *g, const struct qs_ctx *ctx, const struct qs_cmd *cmd,
                     const struct qs_verb *v);
/* Like getopt_long over argv (argv[0] is the verb): returns each option's val, -1 at the
 * end (optind then indexes the first operand), or '?' after printing the usage error. */
int cmd_getopt(struct cmd_getopt *g, int argc, char **argv);

/* Prints e as "prog: file:line:col: record: message (rule)" on stderr and returns the
 * exit code for rc (SPEC 1.3). */
int cmd_fail(const struct qs_ctx *ctx, int rc, const struct qs_err *e);
/* Prints "prog: message" on stderr. */
void cmd_warn(const struct qs_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints a usage error for verb v ("prog: msg" then the usage line) and returns 64. */
int cmd_usage(const struct qs_ctx *ctx, const struct qs_cmd *cmd, const struct qs_verb *v,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Reads the records of file ("-": stdin; CSV or JSON Lines, SPEC 1.2) and calls fn with
 * each record and the line it starts on; stops at fn's first negative return, whose
 * error gets file:line of that record. */
int cmd_each_record(const char *file, enum rec_enc enc,
                    int (*fn)(const struct rec *r, long line, void *ctx), void *ctx,
                    struct qs_err *e);
/* The value of the first of names (NULL-terminated) the record has, or NULL. */
const char *cmd_field(const struct rec *r, const char *const *names);
/* The zone to print and read times in: --tz, else the shop's, else Asia/Tokyo. */
const char *cmd_tz(const struct qs_ctx *ctx);

#endif

/* cmd.h: what every command file shares -- the context main() builds from the
 * global options, the command and verb tables, and the one error printer. */
#ifndef QS_CMD_H
#define QS_CMD_H

#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "../libcore/err.h"
#include "../libcore/record/record.h"
#include "../libcore/shop.h"
#include "../libcore/store.h"

/* Setup cmd_run does before a verb runs (like git's RUN_SETUP). */
enum {
    QS_NEEDS_STORE = 1 << 0, /* open (and create) the store */
    QS_NEEDS_SHOP = 1 << 1,  /* resolve --shop (implies QS_NEEDS_STORE) */
    /* Reads records from one operand FILE, or "-" / no operand for stdin: cmd_parse puts
     * it in ctx->input and refuses a second operand. */
    QS_READS_STDIN = 1 << 2,
    /* Writes the store (a row, a cursor, an audit row): opened read-write, created and
     * migrated. Without it the store is opened read-only, so a 0400 store or a read-only
     * mount can be listed; never created, migrated or chmod'ed (issue 8 item 11). */
    QS_WRITES_STORE = 1 << 3,
    /* Like QS_WRITES_STORE except when the verb's action (its first operand) is list or
     * show. */
    QS_WRITES_UNLESS_LIST = 1 << 4,
    /* Options may follow operands (qs publish edit SKU --price 100). */
    QS_OPTS_ANYWHERE = 1 << 5,
};

struct qs_cmd;
struct qs_verb;
struct afile;

struct qs_ctx {
    const char *prog; /* "qs sync orders" -- prefix of messages; set by cmd_run */
    char prog_buf[64];
    const struct qs_cmd *cmd; /* the command and verb running (cmd_run) */
    const struct qs_verb *verb;
    const char *input;      /* QS_READS_STDIN: the operand FILE, "-" for stdin */
    char *store_path;       /* --store / QS_STORE / default; malloc'd */
    const char *shop_name;  /* --shop / QS_SHOP, may be NULL */
    enum rec_format format; /* --format; table when stdout is a terminal */
    int format_given;       /* --format was given (else --output's extension picks it) */
    /* -o/--output FILE: records go there instead of standard output, through a temporary
     * file in FILE's folder (out_file, opened by cmd_parse) renamed over FILE when the
     * verb ran to the end (cmd_run); NULL: standard output. */
    const char *output;
    int output_stdout; /* -o -: standard output (output is then NULL) */
    struct afile *out_file;
    const char *tz;      /* --tz, else the shop's zone */
    int dry_run;         /* --dry-run */
    int verbosity;       /* -q: -1, default 0, -v: 1 */
    enum rec_enc enc;    /* --encoding: CSV in (auto by default) and out (cp932 or UTF-8) */
    const char *sheet;   /* --sheet: the worksheet of an .xlsx input (SPEC 1.2) */
    int enc_replace;     /* --encoding-errors=replace: '?' for what CP932 lacks */
    int bom;             /* --bom: UTF-8 CSV output starts with a byte-order mark */
    int excel_safe;      /* --excel-safe: no CSV cell starts like an Excel formula */
    struct store *store; /* open when the verb has QS_NEEDS_STORE */
    struct shop shop;    /* resolved when the verb has QS_NEEDS_SHOP */
};

/* Options bound to variables, git-style (parse-options.h): each entry names its target
 * (an offset into the verb's argument struct), its type, bounds and help; cmd_parse fills
 * the struct, and --help and the usage line are generated from the same table. */
enum qs_opt_type {
    QSO_END = 0,
    QSO_FLAG,   /* int: set to .value (1 when .value is 0) */
    QSO_STRING, /* const char *: the argument */
    QSO_LONG,   /* long in [.min, .max] */
    QSO_LIST,   /* struct cmd_list: every argument of a repeatable option, in order */
    QSO_TIME,   /* time_t: a time read in the run's zone (tm_parse) */
    QSO_ENUM,   /* int: the index of the argument in .choices */
    QSO_ENC,    /* enum rec_enc: auto, utf-8 or cp932 */
    QSO_PARSE,  /* .parse(ctx, arg, target, e): 0, or a usage error in e */
};

/* Entry flags. */
enum {
    QSO_REQUIRED = 1 << 0, /* shown without [] in the usage line, refused when missing */
};

/* The arguments of a repeatable option. Owned by the argument struct: cmd_args_free. */
struct cmd_list {
    const char **v;
    size_t n;
};

struct qs_opt {
    const char *name; /* the long name, without "--" */
    int letter;       /* the short option letter, or 0 */
    enum qs_opt_type type;
    size_t off;      /* offset of the target in the verb's argument struct */
    const char *arg; /* the argument's name in help ("FILE"); NULL for a flag */
    const char *help;
    long min, max;              /* QSO_LONG: the bounds */
    int value;                  /* QSO_FLAG: the value set (0: 1) */
    const char *const *choices; /* QSO_ENUM: NULL-terminated */
    const char *what;           /* a bad value "is not <what>"; NULL: generated */
    int (*parse)(struct qs_ctx *ctx, const char *arg, void *target, struct qs_err *e);
    unsigned flags; /* QSO_REQUIRED */
};

#define OPT_FLAG(S, f, n, h)                                                                       \
    {                                                                                              \
        .name = (n), .type = QSO_FLAG, .off = offsetof(S, f), .help = (h)                          \
    }
#define OPT_SET(S, f, n, v, h)                                                                     \
    {                                                                                              \
        .name = (n), .type = QSO_FLAG, .off = offsetof(S, f), .value = (v), .help = (h)            \
    }
#define OPT_STRING(S, f, n, a, h)                                                                  \
    {                                                                                              \
        .name = (n), .type = QSO_STRING, .off = offsetof(S, f), .arg = (a), .help = (h)            \
    }
#define OPT_LONG(S, f, n, a, lo, hi, w, h)                                                         \
    {                                                                                              \
        .name = (n), .type = QSO_LONG, .off = offsetof(S, f), .arg = (a), .min = (lo),             \
        .max = (hi), .what = (w), .help = (h)                                                      \
    }
#define OPT_LIST(S, f, n, a, h)                                                                    \
    {                                                                                              \
        .name = (n), .type = QSO_LIST, .off = offsetof(S, f), .arg = (a), .help = (h)              \
    }
#define OPT_TIME(S, f, n, a, h)                                                                    \
    {                                                                                              \
        .name = (n), .type = QSO_TIME, .off = offsetof(S, f), .arg = (a), .help = (h)              \
    }
#define OPT_ENUM(S, f, n, a, c, h)                                                                 \
    {                                                                                              \
        .name = (n), .type = QSO_ENUM, .off = offsetof(S, f), .arg = (a), .choices = (c),          \
        .help = (h)                                                                                \
    }
#define OPT_ENC(S, f)                                                                              \
    {                                                                                              \
        .name = "encoding", .type = QSO_ENC, .off = offsetof(S, f), .arg = "ENC",                  \
        .help = "input encoding: auto, utf-8 or cp932"                                             \
    }
#define OPT_PARSE(S, f, n, a, fn, h)                                                               \
    {                                                                                              \
        .name = (n), .type = QSO_PARSE, .off = offsetof(S, f), .arg = (a), .parse = (fn),          \
        .help = (h)                                                                                \
    }
#define OPT_END                                                                                    \
    {                                                                                              \
        .name = NULL                                                                               \
    }

struct qs_verb {
    const char *name;
    /* NULL: planned, not built. Gets its own entry (for cmd_parse). */
    int (*fn)(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv);
    const char *operands; /* after the options in the usage line: "[FILE|-]" */
    const char *summary;  /* one line */
    unsigned flags;
    const struct qs_opt *opts; /* terminated by OPT_END, may be NULL */
    /* The usage line when the table cannot say it (alternative forms:
     * "template add|edit ... NAME | template list"); NULL: generated. */
    const char *usage;
    int arg; /* for a function that serves several verbs: which one this entry is */
};

/* A verb entry: name, function, operands (after the options in the usage line), setup
 * flags, option table, summary. QS_VERB_USAGE gives the usage line itself, for verbs with
 * alternative forms; QS_PLANNED registers a verb not built yet (it answers --help). */
#define QS_VERB(n, f, ops, fl, o, s)                                                               \
    {                                                                                              \
        .name = (n), .fn = (f), .operands = (ops), .flags = (fl), .opts = (o), .summary = (s)      \
    }
#define QS_VERB_USAGE(n, f, u, fl, o, s)                                                           \
    {                                                                                              \
        .name = (n), .fn = (f), .usage = (u), .flags = (fl), .opts = (o), .summary = (s)           \
    }
#define QS_PLANNED(n, u, s)                                                                        \
    {                                                                                              \
        .name = (n), .usage = (u), .summary = (s)                                                  \
    }
/* Every field: a function serving several verbs (a), operands or a usage line. */
#define QS_VERB_ARG(n, f, a, ops, u, fl, o, s)                                                     \
    {                                                                                              \
        .name = (n), .fn = (f), .arg = (a), .operands = (ops), .usage = (u), .flags = (fl),        \
        .opts = (o), .summary = (s)                                                                \
    }

struct qs_cmd {
    const char *name;
    const char *summary;
    const struct qs_verb *verbs; /* terminated by a zero entry */
    /* A command without verbs (init) has exactly one entry named "" in verbs. */
};

/* A command entry: name, summary, verb table. */
#define QS_COMMAND(n, s, v)                                                                        \
    {                                                                                              \
        .name = (n), .summary = (s), .verbs = (v)                                                  \
    }

extern const struct qs_cmd qs_cmd_init, qs_cmd_import, qs_cmd_publish, qs_cmd_note, qs_cmd_coupon,
    qs_cmd_stock, qs_cmd_inbound, qs_cmd_sync;

/* The command table of main.c, NULL-terminated. */
extern const struct qs_cmd *const qs_commands[];

/* The global options of SPEC 1.1, bound to struct qs_ctx; accepted before the command and
 * after the verb. */
extern const struct qs_opt cmd_global_opts[];
/* Parses the global options at the front of argv (argv[0] is the program) into ctx;
 * argc and argv then start at the command. Handles --help and --version (*done set).
 * Returns 0 or an exit code after printing the usage error. */
int cmd_parse_globals(struct qs_ctx *ctx, int *argc, char ***argv, int *done);
/* The options of the CSV/JSON/table/xlsx writer of records: --format, --encoding,
 * --encoding-errors, --bom, --excel-safe. */
struct rec_writer_opts cmd_writer_opts(const struct qs_ctx *ctx);
/* Runs a command: finds the verb, sets ctx->prog ("qs sync orders"), handles --help,
 * takes the global options given after the verb, does the verb's setup, calls it.
 * Returns the exit code. */
int cmd_run(const struct qs_cmd *cmd, struct qs_ctx *ctx, int argc, char **argv);
/* Prints help for a command (all verbs) to fp. */
void cmd_help(const struct qs_cmd *cmd, FILE *fp);
/* Prints one verb's usage and options to fp. */
void cmd_verb_help(const struct qs_cmd *cmd, const struct qs_verb *v, FILE *fp);
/* Parses the options of verb v (argv[0] is the verb) into args, the struct the table's
 * offsets point into; then argc and argv are the operands (argv[0] the first). With
 * QS_READS_STDIN, sets ctx->input. With --output, opens its temporary file (refused when
 * FILE is the input). Returns 0, or 64 (74) after printing the usage (I/O) error (what
 * it allocated in args is freed then). */
int cmd_parse(struct qs_ctx *ctx, const struct qs_verb *v, void *args, int *argc, char ***argv);
/* Frees what cmd_parse allocated in args (the lists); args stays readable until then. */
void cmd_args_free(const struct qs_verb *v, void *args);
/* SPEC 1.1: takes the global options given after the verb out of argv[1..] into ctx
 * (up to the first operand, or through them all for QS_OPTS_ANYWHERE; never past "--"),
 * leaving the verb's own options and the operands in order. 0 or an exit code. */
int cmd_take_globals(struct qs_ctx *ctx, const struct qs_verb *v, int *argc, char **argv);
/* 1 for a command without verbs (init): its one entry is named "". */
int cmd_single_verb(const struct qs_cmd *cmd);

/* Prints e as "prog: file:line:col: record: message (rule)" on stderr and returns the
 * exit code for rc (SPEC 1.3). */
int cmd_fail(const struct qs_ctx *ctx, int rc, const struct qs_err *e);
/* Prints "prog: message" on stderr (cmd_vwarn: from a va_list). */
void cmd_vwarn(const struct qs_ctx *ctx, const char *fmt, va_list ap);
void cmd_warn(const struct qs_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Callbacks for libcore's reporters (their ctx is the struct qs_ctx *): a problem on stderr
 * as err_format writes it; a warning the same with "warning: " (not with -q). */
void cmd_say_err(void *ctx, const struct qs_err *e);
void cmd_say_warn(void *ctx, const struct qs_err *e);
/* Prints a usage error of the verb running ("prog: msg" then its usage line); returns 64. */
int cmd_usage(const struct qs_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A usage error from libcore (QS_E_USAGE in e): its message and rule, then the usage
 * line; returns 64. */
int cmd_usage_e(const struct qs_ctx *ctx, const struct qs_err *e);
/* The reader options of a verb: its --encoding enc and the run's --sheet. */
struct rec_reader_opts cmd_reader_opts(const struct qs_ctx *ctx, enum rec_enc enc);
/* Reads the records of file ("-": stdin; CSV, JSON Lines or an .xlsx sheet, SPEC 1.2)
 * with options ro and calls fn with each record and the line (a sheet's row) it starts
 * on; stops at fn's first negative return, whose error gets the record's location. sheet
 * (may be NULL; 64 bytes) gets the worksheet read, "" for text, for later messages. */
int cmd_each_record(const char *file, const struct rec_reader_opts *ro,
                    int (*fn)(const struct rec *r, long line, void *ctx), void *ctx, char *sheet,
                    struct qs_err *e);
/* The value of the one of names (NULL-terminated) the record has into *out (NULL when it
 * has none); QS_E_DATA (rule, e set) when r has two of them (two spellings of one column
 * make its value ambiguous) or when the value is a JSON array, object or boolean. */
int cmd_field_once(const struct rec *r, const char *const *names, const char **out,
                   const char *rule, struct qs_err *e);
/* The time the rules of a verb are checked at: $QS_NOW when set (an instant tm_parse reads,
 * UTC unless it says otherwise: for tests and for replaying a day), else the clock. Returns
 * 0, or 64 after printing the error. */
int cmd_now(const struct qs_ctx *ctx, time_t *now);
/* The same without printing: the usage error in e when QS_NOW is not a time. */
int cmd_now_err(time_t *now, struct qs_err *e);
/* The zone to print and read times in: --tz, else the shop's, else Asia/Tokyo. */
const char *cmd_tz(const struct qs_ctx *ctx);

/* ---- the toolkit of every verb ---- */

struct qapi;
struct job_ops;

/* Where records go: --output's temporary file, or standard output. */
FILE *cmd_out(const struct qs_ctx *ctx);
/* Opens the record writer on cmd_out in the --format asked for. */
int cmd_open_writer(const struct qs_ctx *ctx, const char *const *cols, size_t n,
                    struct rec_writer **w, struct qs_err *e);
/* cmd_fail for a failed output, except that a reader that went away (qs ... | head) ends
 * quietly: 0. */
int cmd_out_fail(const struct qs_ctx *ctx, int rc, const struct qs_err *e);
/* Opens the shop's QAPI client; with --dry-run it prints the requests on standard output
 * and sends nothing. */
int cmd_open_qapi(const struct qs_ctx *ctx, struct qapi **q, struct qs_err *e);
/* qs stock sync = qs sync stock (R-STK-7, R-SYN-3): one verb under two commands. */
extern const struct qs_opt stock_sync_opts[];
int cmd_stock_sync(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv);
/* A whole number in [min, max] into *out; 0, or -1 when s is not one. */
int cmd_parse_long(const char *s, long min, long max, long *out);
/* Opens the input operand path for reading ("-" or NULL: standard input) into *fp.
 * 0, or -- after saying why on stderr -- the exit code (64 when the file is missing or
 * unreadable, 74 on another error). */
int cmd_open_input(const struct qs_ctx *ctx, const char *path, FILE **fp);
/* Closes an input of cmd_open_input; standard input and NULL are left alone. */
void cmd_close_input(FILE *fp);
/* A whole file ("-": stdin) as a string without its last newline, malloc'd in *out. */
int cmd_read_file(const char *path, char **out, struct qs_err *e);
/* Runs a job (libcore/job.h) with the run's options (--dry-run, -q, --format...) and
 * returns SPEC 1.3's exit code, after printing what failed. */
int cmd_job(const struct qs_ctx *ctx, const struct job_ops *ops, void *job);

/* ---- keys from operands or records (added for issue 10: note reply, delay) ---- */

/* 1 when operand arg names records ("-", or a file whose name is not a number: readable,
 * or a path with '/', or named .csv, .tsv, .txt, .jsonl, .json or .xlsx) rather than a key
 * such as an order number. */
int cmd_is_input(const char *arg);
/* Keys (order or question numbers) read from operands or records, with the input line
 * of each (0: an operand) and, with body_names, a per-record text (else NULL). */
struct cmd_keys {
    char **v;
    long *line;
    char **body;
    size_t n;
    const char *const *names;      /* the key's column names */
    const char *const *body_names; /* the text's column names, or NULL */
    const char *what, *rule;       /* "the input has no <what> column (<rule>)" */
    struct qs_err *e;
};
/* Adds a copy of key v (an argument). */
void cmd_keys_add(struct cmd_keys *k, const char *v);
/* cmd_each_record callback adding the record's key to k. */
int cmd_keys_rec(const struct rec *r, long line, void *k);
/* Operands as keys, or "-" / one file (none: stdin) as records, into k. Returns 0 or an
 * exit code after printing the error. */
int cmd_read_keys(const struct qs_ctx *ctx, int argc, char **argv, enum rec_enc enc,
                  struct cmd_keys *k, struct qs_err *e);
void cmd_keys_free(struct cmd_keys *k);

/* The folder WHAT/SHOP beside the store (preview/demo, labels/demo), made (0700) when
 * missing, into *dir (malloc'd). Returns 0 or QS_E_IO with e filled. */
int cmd_shop_dir(const struct qs_ctx *ctx, const char *what, char **dir, struct qs_err *e);
#endif

/* note_cli: the declarations cmd/note.c shares between its parts (the verb table and
 * helpers; send, confirm, template; rule, run; inbox, reply, delay; blacklist,
 * customers). Not for other commands. */
#ifndef QS_NOTE_CLI_H
#define QS_NOTE_CLI_H

#include "cmd.h"
#include "../libcore/note.h"

/* Option codes of every verb (codes >= 256: long options only). */
enum {
    OPT_ORDER = 256,
    OPT_TEMPLATE,
    OPT_TITLE,
    OPT_BODY,
    OPT_BODY_FILE,
    OPT_CATEGORY,
    OPT_ATTACH,
    OPT_NO_EMAIL,
    OPT_HELP_CENTRE,
    OPT_ALLOW_PERSONAL,
    OPT_RESEND,
    OPT_BATCH_SIZE,
    OPT_STATUS,
    OPT_ITEM,
    OPT_SHIP_BY_BEFORE,
    OPT_RETRY_FAILED,
    OPT_RESEND_UNKNOWN,
    OPT_ENCODING,
    OPT_TIMEOUT,
    OPT_KIND,
    OPT_AFTER,
    OPT_MIN_AMOUNT,
    OPT_MAX_AMOUNT,
    OPT_COUNTRY,
    OPT_MAX_AGE,
    OPT_SINCE,
    OPT_NOW,
    OPT_CAP,
    OPT_NO_PULL,
    OPT_SHIP_BY,
    OPT_REASON,
    OPT_MEMO,
    OPT_EMAIL,
    OPT_NAME,
    OPT_PHONE,
    OPT_ORDERS,
    OPT_BLACKLISTED,
    OPT_HANDOFF,
};

/* A list of strings read from arguments or records (order numbers, question numbers). */
struct nc_strs {
    char **v;
    long *line;
    char **body; /* per-record text (reply), NULL when none */
    size_t n;
    const char *const *names;
    const char *what, *rule;
    struct qs_err *e;
};

struct nc_out {
    struct rec_writer *w;
    struct rec *r;
    struct qs_err *e;
    const char *id; /* name of the first column */
};

struct nc_tout {
    struct qs_ctx *ctx;
    struct rec_writer *w;
    struct rec *r;
    struct qs_err *e;
    int full;
};

extern const char *const nc_no_names[];
extern const char *const nc_body_names[];
extern const char *const nc_result_cols[];

/* The verb entry called name (for usage messages). */
const struct qs_verb *nc_verb(const char *name);
/* Prints "prog: fmt" (with arg) and verb v's usage line; returns 64. */
int nc_usage(struct qs_ctx *ctx, const char *v, const char *fmt, const char *arg);
/* A usage error from libcore: its message and rule, then the verb's usage line; 64. */
int nc_usage_e(struct qs_ctx *ctx, const char *v, const struct qs_err *e);
/* cmd_fail, except that a reader that went away (qs note ... | head) ends quietly. */
int nc_out_fail(const struct qs_ctx *ctx, int rc, const struct qs_err *e);
/* Opens the record writer on stdout in the --format asked for. */
int nc_open_writer(struct qs_ctx *ctx, const char *const *cols, size_t n, struct rec_writer **w,
                   struct qs_err *e);
/* A whole file ("-": stdin) as a string, without its last newline; malloc'd in *out. */
int nc_read_file(const char *path, char **out, struct qs_err *e);
/* A whole number in [min, max]; *ok 0 when s is not one. */
long nc_parse_long(const char *s, long min, long max, int *ok);
/* Adds a copy of v (from input line line, with its own text body or NULL) to s. */
void nc_strs_add(struct nc_strs *s, const char *v, long line, const char *body);
/* Frees what s holds. */
void nc_strs_free(struct nc_strs *s);
/* nc_each_record callback: adds the record's s->names column to s (ctx). */
int nc_strs_rec(const struct rec *r, long line, void *ctx);
/* Operands from argv[from] on as values, or "-" / a file as records, into s. */
int nc_read_operands(struct qs_ctx *ctx, const char *vname, int argc, char **argv, int from,
                     enum rec_enc enc, struct nc_strs *s, struct qs_err *e);
/* Writes one outcome as a record (p: struct nc_out). */
int nc_print_result(const struct note_result *res, void *p);
/* SPEC 1.3 from a run's outcomes: 75 when something waits for a retry or is unknown (69
 * when nothing went out and the other side never answered), else 1 when some failed. */
int nc_exit_code(const struct note_send_stats *st, int unavailable);
/* Prints "prog: VERB N, failed M (to retry R)..." on stderr unless -q. */
void nc_summary(struct qs_ctx *ctx, const char *verb_done, const struct note_send_stats *st,
                const struct deliver_report *rep);
/* Sets field name to UTC ISO iso written in the output zone ("" stays ""). */
void nc_set_time(struct qs_ctx *ctx, struct rec *r, const char *name, const char *iso);

/* The verbs and their options (cmd/note.c). */
int note_send_verb(struct qs_ctx *ctx, int argc, char **argv);
int note_confirm_verb(struct qs_ctx *ctx, int argc, char **argv);
int note_template_verb(struct qs_ctx *ctx, int argc, char **argv);
int note_rule_verb(struct qs_ctx *ctx, int argc, char **argv);
int note_run_verb(struct qs_ctx *ctx, int argc, char **argv);
int note_inbox_verb(struct qs_ctx *ctx, int argc, char **argv);
int note_reply_verb(struct qs_ctx *ctx, int argc, char **argv);
int note_delay_verb(struct qs_ctx *ctx, int argc, char **argv);
int note_blacklist_verb(struct qs_ctx *ctx, int argc, char **argv);
int note_customers_verb(struct qs_ctx *ctx, int argc, char **argv);
extern const struct cmd_gopt note_send_opts[], note_confirm_opts[], note_template_opts[],
    note_rule_opts[], note_run_opts[], note_inbox_opts[], note_reply_opts[], note_delay_opts[],
    note_blacklist_opts[], note_customers_opts[];

#endif

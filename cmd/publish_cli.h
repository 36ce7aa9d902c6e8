/* publish_cli: the declarations cmd/publish.c shares between its parts (the verb table,
 * output, selection, list, now/at/every/spread, cancel, run; then edit, copy, category,
 * profile, undo, withdraw, check). Not for other commands. */
#ifndef QS_PUBLISH_CLI_H
#define QS_PUBLISH_CLI_H

#include "cmd.h"
#include "../libcore/publish.h"

/* Option codes of every verb (codes >= 256: long options only). */
enum {
    OPT_STATE = 256,
    OPT_GROUP,
    OPT_FROM,
    OPT_TO,
    OPT_DUE_BY,
    OPT_RETRY_FAILED,
    OPT_PRICE,
    OPT_QUANTITY,
    OPT_SHIPPING,
    OPT_SUFFIX,
    OPT_SKU,
    OPT_BRAND,
    OPT_BRANDS,
    OPT_ENCODING,
    OPT_CACHED,
};

/* Records on standard output, through one writer opened at the first (or at the end, for
 * the header of an empty CSV). */
struct pc_out {
    struct qs_ctx *ctx;
    const char *const *cols;
    size_t ncols;
    struct rec_writer *w;
    long rows;
    int quiet_rows; /* --dry-run of a verb that prints requests: no records */
    int closed;
};

#define PC_OUT(ctx, cols)                                                                          \
    {                                                                                              \
        (ctx), (cols), sizeof(cols) / sizeof(cols)[0], NULL, 0, 0, 0                               \
    }

/* The selection options of a verb. */
struct pc_sel {
    const char *group, *state;
    enum rec_enc enc;
};

/* Operands collected while options are parsed. */
struct pc_ops {
    char **v;
    int n;
};

extern const struct qs_cmd qs_cmd_publish;

/* pub_row_fn writing to a struct pc_out. */
int pc_out_row(void *p, const struct rec *r, struct qs_err *e);
/* Closes the writer, printing the header when nothing was written (CSV). */
int pc_out_close(struct pc_out *o, struct qs_err *e);
/* pub_diag_fn printing "qs publish: ..." on stderr (p is a struct pc_out). */
void pc_diag(void *p, const struct qs_err *e, int warning);
/* Like cmd_getopt, but steps over operands (into ops) to the options after them. */
int pc_next_opt(struct cmd_getopt *g, int argc, char **argv, struct pc_ops *ops);
/* Handles a selection option (--group, --state, --encoding); 1 when c was one, *rc the
 * exit code of a bad value (0 when good). */
int pc_sel_opt(struct qs_ctx *ctx, const struct qs_verb *v, int c, struct pc_sel *sa, int *rc);
/* Selects the products of the operands, records on standard input and --group/--state
 * (need: refuse with 64 when nothing is named). Returns 0 or an exit code. */
int pc_select(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv,
              const struct pc_sel *sa, int need, struct pc_out *o, struct pub_sel *sel);
/* Opens the QAPI client of the shop (dry run from --dry-run); NULL with *rc on error. */
struct qapi *pc_open_qapi(struct qs_ctx *ctx, struct qs_err *e, int *rc);
void pc_run_opts_init(struct qs_ctx *ctx, struct pub_run_opts *ro);
/* SPEC 1.3 for what a run or a listing change did. */
int pc_run_exit(const struct pub_run_stats *st);
void pc_run_summary(struct qs_ctx *ctx, const struct pub_run_stats *st);
/* Ends a verb that sent listing changes: closes o (only flushing it when rc is 0), reports
 * an error, names the batch to undo (when batch > 0), prints the summary; returns the
 * exit code. */
int pc_finish(struct qs_ctx *ctx, struct pc_out *o, int rc, struct qs_err *e, long long batch,
              const struct pub_run_stats *st);

/* The editing verbs (the second part of cmd/publish.c). */
int publish_edit(struct qs_ctx *ctx, int argc, char **argv);
int publish_copy(struct qs_ctx *ctx, int argc, char **argv);
int publish_category(struct qs_ctx *ctx, int argc, char **argv);
int publish_profile(struct qs_ctx *ctx, int argc, char **argv);
int publish_undo(struct qs_ctx *ctx, int argc, char **argv);
int publish_withdraw(struct qs_ctx *ctx, int argc, char **argv);
int publish_check(struct qs_ctx *ctx, int argc, char **argv);
int publish_shipping(struct qs_ctx *ctx, int argc, char **argv);
int publish_batches(struct qs_ctx *ctx, int argc, char **argv);

#endif

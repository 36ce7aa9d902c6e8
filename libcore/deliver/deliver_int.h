/* deliver_int: what the files of the deliver module share (deliver.c, deliver_settle.c,
 * deliver_hook.c, deliver_proc.c, deliver_file.c, deliver_form.c, deliver_spec.c); not for
 * callers. */
#ifndef QS_DELIVER_INT_H
#define QS_DELIVER_INT_H

#include <jansson.h>
#include <sys/types.h>

#include "deliver.h"

/* One run in progress: the items it claimed and where its outcomes go. */
struct dlv_run {
    struct store *s;
    const char *shop, *kind;
    const struct deliver_opts *o;
    const struct deliver_spec *spec;
    struct deliver_report *rep;
    struct outbox_item *items; /* claimed by this process, n of them */
    size_t n;
    size_t total; /* claimed in this run so far (o->max caps it) */
};

/* Items claimed per transaction when the caller sets no o->batch. */
#define DLV_BATCH 200

/* deliver_settle.c, below every backend: */

/* Claims up to want more due items in one transaction, never more than o->max in the
 * run (r->total counts them): *part, a malloc'd array of *got (outbox_claim). */
int dlv_claim(struct dlv_run *r, size_t want, struct outbox_item **part, size_t *got,
              struct qs_err *e);

/* Settles claimed item it (outbox_done / _fail / _handed_off), adds its audit row, counts
 * it in the report and tells on_result. The caller holds the transaction. */
int dlv_settle(struct dlv_run *r, const struct outbox_item *it, enum deliver_status st,
               const char *ref, const char *error, const char *code, long latency_ms,
               struct qs_err *e);
/* Prints "PROG: MSG" on the run's diagnostics stream. */
void dlv_warn(const struct dlv_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), nonnull(2)));
/* Milliseconds of a monotonic clock. */
long long dlv_now_ms(void);

/* The absolute folder of the store file (relative file: folders start there); malloc'd. */
char *dlv_store_folder(struct store *s);

/* Starts /bin/sh -c cmd in its own process group, SIGPIPE back to default, its stderr
 * ours, with a clean environment (PATH, HOME, LANG, LC_*, TZ, TMPDIR, QS_HOOK_* and
 * QS_SHOP=shop: never qs's secrets); *in_fd (its stdin) and *out_fd (its stdout) are
 * non-blocking, close-on-exec. */
int dlv_spawn(const char *cmd, const char *shop, pid_t *pid, int *in_fd, int *out_fd,
              struct qs_err *e);
/* write() that never raises SIGPIPE: EPIPE instead, even where SIGPIPE is not ignored. */
ssize_t dlv_write_nosig(int fd, const void *buf, size_t n);
/* Waits for pid to end, calling drain(ctx) whenever *fd (if >= 0) is readable; after
 * grace_ms sends its process group SIGTERM, a second later SIGKILL. Returns its exit
 * status, 128+N for signal N, -1 when it cannot tell. */
int dlv_reap(const struct dlv_run *r, pid_t pid, long grace_ms, int *fd, void (*drain)(void *ctx),
             void *ctx);

/* R-SYN-8: starts hook cmd for kind, sends it one ping request and waits up to timeout_ms
 * for its answer (deliver_ping.c). 0 when it answered (*said: its error, malloc'd, when it
 * answered ok false; else NULL); QS_E_FAIL naming what went wrong otherwise. */
int deliver_hook_ping(const char *cmd, const char *shop, const char *kind, long timeout_ms,
                      char **said, struct qs_err *e);

/* Claims r's due items as the hook r->spec->arg reads them and sends them through it
 * (deliver_hook.c); r->items are its slots. */
int dlv_hook_run(struct dlv_run *r, struct qs_err *e);
/* Writes r's items to a hand-off folder under r->spec->arg (deliver_file.c). */
int dlv_file_run(struct dlv_run *r, struct qs_err *e);

/* deliver_form.c: writes the QSM form of an item of kind whose payload pl has form_rows
 * (see deliver.h) into folder dir as NAME-n.xlsx (inbound-1.xlsx), or NAME-n.csv (CP932) when csv;
 * *file gets that name (malloc'd; NULL when pl has no form_rows: checklist only) and *rows its
 * number of rows. Returns 0; QS_E_DATA for an item whose form cannot be written (e says
 * why, naming the row and key or column; no file is left); QS_E_IO when dir cannot be
 * written. */
int dlv_form_write(const char *kind, json_t *pl, const char *dir, size_t n, int csv, char **file,
                   size_t *rows, struct qs_err *e);

#endif

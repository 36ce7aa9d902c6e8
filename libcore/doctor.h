/* doctor: the registry of `qs sync doctor` (R-SYN-8). Each module exports its own checks,
 * in its own files, and owns their rules; doctor.c only lists them and runs them in order.
 * A check says one line per thing it looked at: its name ("qapi.keys", "outbox.note"),
 * ok, warn or fail, and a message naming the thing and the fix. */
#ifndef QS_DOCTOR_H
#define QS_DOCTOR_H

#include <time.h>

#include "err.h"
#include "store.h"

enum doctor_level { DOCTOR_OK, DOCTOR_WARN, DOCTOR_FAIL };

struct doctor_line {
    const char *check; /* "stock.fees" */
    enum doctor_level level;
    const char *msg;
};

/* What every check gets. */
struct doctor {
    struct store *s;
    const char *shop;
    time_t now;   /* the time rules are judged at (QS_NOW pins it) */
    time_t clock; /* this machine's clock, for the skew against the marketplace */
    /* Receives each line; a negative return (a QS_E_* code, e filled) stops the run. */
    int (*emit)(void *ctx, const struct doctor_line *l, struct qs_err *e);
    void *ctx;
    int worst; /* the worst level emitted so far (doctor_say keeps it) */
};

/* The name of a level: "ok", "warn", "fail". */
const char *doctor_level_name(enum doctor_level l);
/* Formats a message and hands the line to d->emit. Returns its result. */
int doctor_say(struct doctor *d, enum doctor_level level, const char *check, struct qs_err *e,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A check of one module: its lines through doctor_say. A negative return (e filled) is a
 * failure of qs itself (the store), not of the shop's setup, and stops the run. */
typedef int (*doctor_check_fn)(struct doctor *d, struct qs_err *e);

/* R-SYN-8: runs every module's checks in order. Returns 0 (d->worst tells the outcome)
 * or the first check's error. */
int doctor_run(struct doctor *d, struct qs_err *e);

/* ---- each module's checks (in that module's files) ---- */

/* qapi_doctor.c: keys present, reachability, clock skew, the seller key's age. */
int qapi_doctor(struct doctor *d, struct qs_err *e);
/* deliver_doctor.c: each kind's delivery configured and runnable. */
int deliver_doctor(struct doctor *d, struct qs_err *e);
/* notify_doctor.c: the mail server's settings when a template is in use. */
int notify_doctor(struct doctor *d, struct qs_err *e);
/* outbox_doctor.c: items unsent, failed, unknown, or handed off over a day ago, per kind. */
int outbox_doctor(struct doctor *d, struct qs_err *e);
/* stock_doctor.c: the last Q-inventory import's age; storage fee bills (R-STK-8). */
int stock_doctor(struct doctor *d, struct qs_err *e);
/* inbound_doctor.c: bundles late in inspection (R-INB-5). */
int inbound_doctor(struct doctor *d, struct qs_err *e);
/* coupon_doctor.c: this week's push used or free (R-CPN-5). */
int coupon_doctor(struct doctor *d, struct qs_err *e);

#endif

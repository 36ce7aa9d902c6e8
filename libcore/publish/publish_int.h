/* publish_int: what the files of qs publish share (publish_*.c). Not for other modules. */
#ifndef QS_PUBLISH_INT_H
#define QS_PUBLISH_INT_H

#include <stdarg.h>
#include <stdint.h>

#include "../catalog/catalog.h"
#include "../strmap.h"
#include "publish.h"

#define PUB_KIND_PUBLISH "publish" /* outbox: a product going online, step by step */
#define PUB_KIND_LISTING "listing" /* outbox: a change to a listing on the marketplace */

/* A query of one integer column (store_bind types): *out gets the first row's value
 * (dflt when there is no row or it is NULL). */
int pub_sql_int(struct store *s, struct qs_err *e, long long *out, long long dflt, const char *sql,
                const char *types, ...);
/* Joins the caller's transaction, or begins one (*own). */
int pub_tx_begin(struct store *s, int *own, struct qs_err *e);
/* Commits an own transaction when rc is 0, else rolls it back; returns rc or the commit's
 * error. */
int pub_tx_end(struct store *s, int own, int rc, struct qs_err *e);
/* A malloc'd copy of column i ("" for NULL when empty_for_null, else NULL). */
char *pub_col(sqlite3_stmt *st, int i);

/* Loads product id with its variants (by id) and its group's category and profile. *p is
 * freed with pub_product_free. QS_E_SOFTWARE when there is no such product. */
int pub_product_load(struct store *s, long long id, struct pub_product *p, struct qs_err *e);
/* The product of shop whose SKU or Parent SKU is name: *id, 0 when none. */
int pub_product_find(struct store *s, const char *shop, const char *name, long long *id,
                     struct qs_err *e);

/* Reports a problem of a product through cb->diag: rule, the product's Parent SKU as the
 * record, the message. warning: not an error. */
void pub_diag(const struct pub_cb *cb, int warning, const char *rule, const char *record,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A run that stops (the store, our credentials): outbox item id waits for its backoff and
 * product keeps "step STEP: msg (will retry)" as its error, best effort (the store may be
 * what failed). */
void pub_fail_fatal(struct store *s, long long item, long long product, const char *step,
                    const char *msg);

/* A sender's record r with its outcome through cb: jrow when set, else row. */
int pub_emit(const struct pub_cb *cb, enum job_outcome oc, const struct rec *r, struct qs_err *e);
/* The outcome of a sender's result word: ok and online sent, already done, failed,
 * retry and queued (left for the next run) to retry, skipped, local. */
enum job_outcome pub_outcome(const char *result);

/* The current time as UTC ISO-8601 into buf[32]. */
char *pub_now_iso(char buf[32]);

/* ---- listing jobs (publish_job.c) ---- */

/* Queues a change of a listing on the marketplace for product (which has an item code),
 * keyed by its Parent SKU, batch, why ("edit", "withdraw", "undo") and op: op "status"
 * (payload {"status": 1|2}) or "push" (payload {"price": bool, "qty": [SKU...], "qty_if":
 * {SKU: value}, "shipping": bool}). In the caller's transaction. */
int pub_job_enqueue(struct store *s, const char *shop, const char *parent_sku, long long product,
                    long long batch, const char *why, const char *op, const char *payload_json,
                    struct qs_err *e);

/* What a run shares with the jobs it sends (publish_runner.c, below publish_run.c,
 * publish_job.c and publish_step.c). */
struct pub_runner {
    struct store *s;
    struct qapi *q;
    const char *shop;
    const struct pub_run_opts *o;
    const struct pub_cb *cb;
    struct pub_run_stats *st;
    struct qs_err *e;
    int stop;                  /* the marketplace stopped answering: leave the rest for later */
    int ship_tried;            /* delivery templates asked for (ship resolver) */
    struct pub_ship_list ship; /* and what the marketplace answered */
    struct rec *row;
    /* Store work left for the next call's flight (pub_later): in order, at most PUB_LATER. */
    struct pub_later *later;
    size_t nlater;
    int later_rc;            /* the first of them that failed (sticky) */
    struct qs_err later_err; /* and why */
    /* The run's next product, read ahead during a call (publish_run.c, pub_prep_read). */
    const struct outbox_item *next;
    struct pub_prep *ahead;
};

/* ---- store work done while a call is on the wire (publish_runner.c) ----
 * SPEC 8 / issue 16: a product's results are written while the next call is in the
 * marketplace's hands (qapi_set_idle), not between two calls. Only writes a crash may lose
 * are left for later: each is of a step whose call repeats harmlessly or is read back
 * first (R-PUB-7: the sent-mark of SetNewGoods is never one of them). */
#define PUB_LATER 8
typedef int (*pub_later_fn)(struct pub_runner *r, void *arg);
struct pub_later {
    pub_later_fn fn;
    void *arg; /* malloc'd; freed (with free) once fn has run or been dropped */
};
/* Leaves fn(r, arg) for the next call's flight (or the next pub_later_flush); runs the
 * waiting ones first when PUB_LATER are waiting. Returns the sticky error, else 0. */
int pub_later(struct pub_runner *r, pub_later_fn fn, void *arg);
/* Runs what waits, in order; after a failure the rest is dropped. Returns r->later_rc
 * (its error copied to r->e), else 0. */
int pub_later_flush(struct pub_runner *r);
/* The client's idle function (qapi_set_idle) for a run: pub_later_flush, outside any
 * transaction only. */
void pub_later_idle(void *ctx);
/* Fills the defaults of o: max_sends 3; inflight_s (when negative) from setting
 * publish.inflight_s, else 5. */
void pub_run_defaults(struct store *s, const char *shop, struct pub_run_opts *o);
/* Sends every due listing job of the shop (and recovers those of dead runs first). */
int pub_jobs_drain(struct pub_runner *r);
/* Delivery template ShippingNo for a fee (pub_ship_fn over GetSellerDeliveryGroupInfo,
 * read once per run and kept in the store for qs publish check). */
int pub_ship_resolve(void *ctx, long long fee, char no[16]);
/* Writes a result row (parent_sku, item_code, state, step, result, message). */
int pub_run_row(struct pub_runner *r, const char *parent_sku, const char *item_code,
                const char *state, const char *step, const char *result, const char *msg);
/* Calls method through the client, counting calls; res filled (free it). *answered is 1
 * when the marketplace gave a ResultCode. Returns qapi_call's value. */
int pub_call(struct pub_runner *r, const char *method, const struct pub_params *pp, const char *key,
             struct qapi_result *res, int *answered);
void pub_runner_free(struct pub_runner *r);

/* ---- one product of a run (publish_step.c) ---- */

struct outbox_item;

/* Keeps the first problem pub_map found (pub_issue_fn), for the product's error: msg has
 * room for 1024 bytes, rule for 32. */
struct pub_issue_first {
    char *msg, *rule;
};
void pub_issue_first(void *ctx, const char *rule, const char *field, const char *sku,
                     const char *msg);

/* A product of the run as read and mapped before its calls (publish_prep.c). */
struct pub_prep {
    long long item, product, batch; /* the outbox item, its payload */
    int rc;                         /* < 0: it could not be read (the store; err when ahead) */
    struct qs_err err;
    int have_p, have_pf, superseded;
    struct pub_product p;
    struct prof pf;
    char *brand_no;
    int marked; /* its SetNewGoods sent-mark was written ahead (pub_prep_mark) */
    int mapped; /* pub_map ran: item_p, images, issues, first */
    int issues;
    struct pub_params item_p, images;
    char first[1024], first_rule[32];
};
/* Reads outbox item it's product, its profile and brand, and maps it unless it was taken
 * over by a later batch (superseded). ahead: during a call, so no call is made (the
 * product is not mapped when that would need one) and errors go to pp->err. Writes
 * nothing. Returns pp->rc. */
int pub_prep_read(struct pub_runner *r, const struct outbox_item *it, int ahead,
                  struct pub_prep *pp);
/* R-PUB-7: writes ahead the sent-mark of a product read ahead whose next call is its
 * SetNewGoods (not created, mapped without a problem, no send in doubt), so that no commit
 * stands between the call before and that send: the mark is committed before the send as
 * ever, only earlier. Should the run not send it after all (it stops, it is killed), the
 * next run reads the item back by SellerCode before sending, as after any lost answer.
 * Sets pp->marked; a mark that cannot be written is left to pub_process. */
void pub_prep_mark(struct pub_runner *r, struct pub_prep *pp);
void pub_prep_free(struct pub_prep *pp);
/* Frees the product read ahead (r->ahead), if any. */
void pub_ahead_drop(struct pub_runner *r);
/* The run's outbox payload {"product": id, "batch": n}. */
void pub_payload_read(const char *payload, long long *product, long long *batch);

/* Publishes the product of outbox item it (claimed by r's run) through the steps not done
 * yet, and settles the item and the product. */
int pub_process(struct pub_runner *r, const struct outbox_item *it);
/* Settles item it, not tried because the marketplace stopped answering: due again later. */
int pub_untried(struct pub_runner *r, const struct outbox_item *it);
/* The rank of a publish step: 0 none, 1 create, 2 images, 3 status. */
int pub_step_rank(const char *step);

/* The results of the listing jobs a verb sent, per Parent SKU (the last one wins), so
 * its records can show them. */
struct pub_jres {
    char *parent, *result, *msg, *state;
};
struct pub_jresults {
    struct pub_jres *v;
    size_t n;
    struct strmap last; /* parent -> its last result in v (pub_jres_get) */
    struct pub_cb cb;
};
/* Sends the queued listing jobs (a verb's own among them); their results go to jr. */
int pub_send_jobs(struct store *s, struct qapi *q, const char *shop, const struct pub_run_opts *ro,
                  struct pub_run_stats *rst, struct pub_jresults *jr, struct qs_err *e);
/* The last result for parent, or NULL. */
const struct pub_jres *pub_jres_get(const struct pub_jresults *jr, const char *parent);
void pub_jres_free(struct pub_jresults *jr);
/* Writes a record parent_sku, state, result, message with its outcome through cb. */
int pub_state_row(const struct pub_cb *cb, struct rec *r, enum job_outcome oc, const char *parent,
                  const char *state, const char *result, const char *msg, struct qs_err *e);

#endif

/* inbound: inbound shipments to the warehouse (SPEC 6, R-INB-1..5) -- QSM's inbound form read
 * and validated whole (every bad row reported, nothing handed off when one is bad), its good
 * rows made one cargo bundle handed off as QSM's inbound form (kind inbound), and the
 * bundle's states as the seller records them from QSM's screens (qs inbound mark), up to the
 * inspected quantities that grow the warehouse stock of the local model (R-INB-4).
 *
 * Tables (owned by this module; migration in schema.c):
 *
 *   inbound_bundle -- one per `qs inbound add` that was recorded; its local id is "B" id
 *     id, shop
 *     key           its outbox item's idempotency key (kind inbound): inb-HASH-Bid
 *     rows_hash     SHA-256 (hex) of its rows as handed off: the same rows again while the
 *                   bundle is open (not completed, rejected or deleted) are "already"
 *     state         new (handed off, not yet registered in QSM), requested, confirmed,
 *                   shipped, arrived, completed, rejected, deleted (R-INB-3)
 *     cargo_no      QSM's cargo bundle number, "" until marked requested; UNIQUE per shop
 *     arrival       the estimated arrival, YYYY-MM-DD, "" none
 *     carrier, tracking, boxes   when shipped ("" / 0 before)
 *     created_at, state_at, arrived_at, completed_at   UTC ISO-8601 ("" none)
 *
 *   inbound_row -- the request rows of a bundle; PRIMARY KEY (bundle, q_sku)
 *     bundle, line (in the input), q_sku, seller_code, qty (MovingQty), description
 *     inspected     the inspected quantity once completed (R-INB-4), NULL before
 *
 *   inbound_event -- every state change, timestamped: bundle, state, at (UTC), detail
 *
 * Every function returns 0 (or a count) or a negative QS_E_* with e filled. */
#ifndef QS_INBOUND_H
#define QS_INBOUND_H

#include <stdio.h>
#include <time.h>

#include "../deliver/deliver.h"
#include "../err.h"
#include "../job.h"
#include "../record/record.h"
#include "../stock/stock.h"
#include "../store.h"

#define INBOUND_KIND     "inbound"
#define INBOUND_BRANCH   "0000011520" /* R-INB-1: Qxpress Japan, QSM's one branch code */
#define INBOUND_ROWS_MAX 5000

/* ---- the form (R-INB-1, R-INB-2; inbound_form.c) ---- */

enum inbound_col {
    INB_SELLER_CODE,
    INB_Q_CODE,
    INB_OPTION,
    INB_INOUT,
    INB_QTY,
    INB_BRANCH,
    INB_DESCRIPTION,
    INB_NCOLS
};
/* QSM's column names, in the form's order: SellerCode ... Description. */
extern const char *const inbound_cols[INB_NCOLS];

/* One row of the form: its cells as given, and what they say once checked. */
struct inbound_row {
    char *cell[INB_NCOLS]; /* as given ("" missing) */
    char **all;            /* every cell of the input row, in the header's order (--rejects) */
    long line;             /* in the input: the header is line 1 (a sheet's row number) */
    char q_sku[STOCK_SKU_LEN + 1];
    char branch[sizeof INBOUND_BRANCH];
    long long qty;
    int bad;       /* problems found in this row */
    char why[512]; /* the first one, for --rejects */
    char rule[16]; /* its rule */
};

struct inbound_form {
    struct inbound_row *rows;
    size_t n;
    char **cols; /* the input's header */
    size_t ncols;
    char input[256]; /* the input's name for messages */
    char sheet[64];  /* its worksheet, "" for text */
};
void inbound_form_clear(struct inbound_form *f);

/* Problems (refusals) and warnings, each with its rule and location. */
struct inbound_cb {
    void *ctx;
    void (*report)(void *ctx, const struct qs_err *e);
    void (*warn)(void *ctx, const struct qs_err *e); /* may be NULL */
};

/* R-INB-1: reads QSM's inbound form from fp (CSV or an .xlsx sheet, named name): its
 * header names the columns SellerCode, InventoryCode, InventoryOptionCode, InOut,
 * MovingQty, BranchCode, Description (any case; the Chinese labels of QSM's screen too);
 * SellerCode, BranchCode and Description may be left out. A header that is not that is one
 * problem per column; returns the number of problems, or a negative QS_E_* when the input
 * cannot be read. */
int inbound_form_read(FILE *fp, const char *name, const struct rec_reader_opts *ro,
                      const struct inbound_cb *cb, struct inbound_form *f, struct qs_err *e);
/* R-INB-1, R-INB-2: checks every row of f against shop's store: the SKU (R-STK-1) known from
 * the latest qs stock import, an option code whose zeros Excel stripped restored with a
 * warning, InOut "in", MovingQty a positive whole number (full-width digits converted with a
 * warning), BranchCode blank (filled in) or 0000011520 (11520 restored with a warning), a
 * SKU once per file, and the item not marked "not usable by other inventory management" in
 * its qs stock add request. Every problem is reported through cb; each row's bad and why
 * are set. Returns the number of bad rows. */
int inbound_form_check(struct store *s, const char *shop, struct inbound_form *f,
                       const struct inbound_cb *cb, struct qs_err *e);

/* ---- add: the job (inbound_add_job.c) ---- */

/* The job of `qs inbound add`: enqueue records the good rows of form as one bundle in state
 * new with its outbox item (kind inbound; payload: bundle, shop_id, arrival, rows, units,
 * conditions, form_rows); run hands off what is due of kind inbound (file: QSM's inbound
 * form and the warehouse's conditions); report writes one row per item settled. */
struct inbound_add_job {
    struct store *s;
    const char *shop;
    const struct inbound_form *form; /* only its rows without problems go */
    const char *arrival;             /* YYYY-MM-DD or NULL */
    const char *shop_id;             /* the setting stock.shop_id, NULL: unknown */
    int csv;                         /* file: the inbound form as CP932 CSV */
    int retry_failed;
    FILE *dry_run;
    const char *prog;
    time_t now;
    long long bundle; /* set by enqueue */
    char key[96];
    int existed;               /* the same rows are an open bundle already */
    size_t rejected;           /* rows left out (--skip-bad), reported as rejected */
    struct deliver_report rep; /* filled by the run */
    void *settled;
};
extern const struct job_ops inbound_add_job_ops;
void inbound_add_job_clear(struct inbound_add_job *j);

/* ---- bundles (R-INB-3..5; inbound_bundle.c, inbound_mark.c) ---- */

enum inbound_state {
    INB_NEW,
    INB_REQUESTED,
    INB_CONFIRMED,
    INB_SHIPPED,
    INB_ARRIVED,
    INB_COMPLETED,
    INB_REJECTED,
    INB_DELETED,
    INB_NSTATES
};
extern const char *const inbound_state_names[INB_NSTATES];
/* The state named s, or -1. */
int inbound_state_parse(const char *s);

/* A bundle as the store holds it. */
struct inbound_bundle {
    long long id;
    char name[24]; /* "B12" */
    char key[96], cargo_no[64], arrival[16], carrier[64], tracking[128];
    long boxes;
    enum inbound_state state;
    char created_at[32], state_at[32], arrived_at[32], completed_at[32];
    long rows;
    long long units, inspected; /* requested; inspected (completed only) */
    int late;                   /* R-INB-5, at the time asked for */
};

/* Finds bundle `which` of shop: its local id (B12, or 12) or QSM's cargo number.
 * QS_E_DATA when there is none. */
int inbound_bundle_get(struct store *s, const char *shop, const char *which,
                       struct inbound_bundle *b, struct qs_err *e);

/* One inspected quantity given for completion (R-INB-4). */
struct inbound_inspect {
    const char *q_sku; /* as given (R-STK-1) */
    const char *qty;   /* as given */
    long line;         /* in the input (0: none) */
};

/* A shortfall: the warehouse inspected fewer than requested. */
struct inbound_short {
    const char *bundle; /* its local id, B12 */
    const char *q_sku;
    long long requested, inspected;
};

/* What `qs inbound mark` asks. */
struct inbound_mark {
    const char *which;    /* BUNDLE */
    const char *state;    /* the new state */
    const char *cargo_no; /* --cargo-no, NULL none */
    const char *carrier, *tracking;
    long boxes;          /* -1 none */
    const char *arrival; /* YYYY-MM-DD, NULL none */
    time_t at;           /* when it happened */
    const struct inbound_inspect *insp;
    size_t ninsp;
    /* completed: called once per shortfall, in q_sku order (may be NULL) */
    int (*shortfall)(void *ctx, const struct inbound_short *sh, struct qs_err *e);
    void *ctx;
};

/* R-INB-3, R-INB-4: moves a bundle along QSM's state graph (new -> requested -> confirmed
 * -> shipped -> arrived -> completed; rejected from requested or arrived; deleted from
 * requested or confirmed; shipped again changes its details). Any other transition is
 * QS_E_DATA naming R-INB-3 and the states allowed next. requested needs a cargo number
 * (once); shipped needs carrier, tracking and boxes (kept from an earlier shipped mark).
 * completed records the inspected quantities (default: the requested ones) and reports
 * shortfalls. One transaction; b gets the bundle as it is after. */
int inbound_mark_bundle(struct store *s, const char *shop, const struct inbound_mark *m,
                        struct inbound_bundle *b, struct qs_err *e);

/* R-INB-5: 1 when a bundle that arrived at arrived_at (UTC ISO) and is not completed is late
 * at now: from 00:00 Japan time of the 4th day after the arrival day (inspection takes up to
 * 3 days, the arrival day not counted). */
int inbound_late(const char *arrived_at, time_t now);

/* R-INB-5: calls fn for every bundle of shop, oldest first: only those in state (>= 0), only
 * the late ones (late_only), lateness judged at now. */
int inbound_list(struct store *s, const char *shop, int state, int late_only, time_t now,
                 int (*fn)(void *ctx, const struct inbound_bundle *b, struct qs_err *e), void *ctx,
                 struct qs_err *e);

/* SPEC 1.7: the hand-offs of bundles (names or cargo numbers which[0..n)), or those of
 * hand-off folder ref (absolute; NULL: any) when n is 0, recorded as done in QSM. */
int inbound_confirm(struct store *s, const char *shop, const char *const *which, size_t n,
                    const char *ref, size_t *confirmed, struct qs_err *e);

/* ---- what the stock model asks (R-INB-4, R-STK-5, R-STK-7, R-STK-8) ---- */

/* R-INB-4: the inspected units of q_sku in bundles of shop completed in (from, to] (UTC
 * ISO-8601; from "" = since ever, to "" = up to now) into *units. */
int inbound_completed_units(struct store *s, const char *shop, const char *q_sku, const char *from,
                            const char *to, long long *units, struct qs_err *e);
/* R-STK-8: the time (UTC ISO) of q_sku's first completed bundle with inspected units into
 * at[32], "" when qs knows none. */
int inbound_first_completed(struct store *s, const char *shop, const char *q_sku, char *at,
                            struct qs_err *e);

#endif

/* publish: listing the catalog on Qoo10 (SPEC 2.3, R-PUB-1..15) -- the publishing half of
 * the catalog module: it reads product, variant, product_group, catalog_batch and
 * catalog_change (columns in catalog.h) and changes them through the catalog store
 * (catalog_store.h), which also keeps product.create_sent_at (when a SetNewGoods was
 * sent whose answer is not known yet, R-PUB-7).
 *
 *   publish_map.c    pure: a product and its profile -> the QAPI calls, every check of
 *                    R-PUB-11/12/14/15 (and R-IMP-9's) done before any call
 *   publish_value.c  pure: price edits, delivery days, code types, parameter lists
 *   publish_db.c     loading products, selection (SKUs, stdin records, group, state)
 *   publish_sched.c  now / at / every / spread / cancel (R-PUB-1..6)
 *   publish_run.c    run: due products -> the marketplace (R-PUB-7)
 *   publish_step.c   one product of a run, step by step, exactly once (R-PUB-7, R-PUB-10,
 *                    R-PUB-11)
 *   publish_runner.c what a run, its steps and its listing jobs share: the counted
 *                    calls, result rows, the run's defaults (below the three)
 *   publish_job.c    changes to listings already on the marketplace: status, price,
 *                    quantity, shipping (R-PUB-9, R-PUB-13)
 *   publish_edit.c   edit, withdraw, copy, category, profile assignment
 *   publish_undo.c   undo of a batch (R-PUB-13)
 *   publish_check.c  check: R-IMP-9, R-IMP-10 and the pre-flight of publish
 *   publish_when.c   the times of at, every, spread and run --due-by from the command line
 *   publish_job_ops.c  run, now, edit, withdraw, undo as jobs of the one runner (job.h)
 *   publish_list.c, publish_ship.c, publish_verbs.c  listings, delivery templates, the
 *                    transactions of category and profile changes
 * Time math is in schedule.c, profiles in profile.c. */
/* profile: listing profiles and the brand table (SPEC 2.3, R-PUB-15) -- the Qoo10 fields a
 * catalog template does not carry, set per shop (profile "default") and overridable per
 * group or product (a group's or product's profile, field by field, over the default).
 *
 * Tables (owned by this module; migration in schema.c):
 *   listing_profile (shop, name, field, value, updated_at; PRIMARY KEY (shop, name, field))
 *   listing_brand   (shop, brand, brand_no, updated_at; PRIMARY KEY (shop, brand)): a
 *                   product's Brand text -> Qoo10 BrandNo (SearchBrand's M_B_NO)
 * Which profile a group or product uses lives in product_group.profile and
 * product.profile (module catalog). */
/* schedule: the pure time math of `qs publish at | every | spread` (SPEC 2.3, R-PUB-2..5).
 * Times are instants (time_t, UTC); a schedule is laid out in real elapsed time, so a
 * window or an interval that crosses a DST change lands on the right UTC instants
 * (01:00 to 04:00 in Los Angeles on the spring-forward night is two hours long). */
#ifndef QS_PUBLISH_H
#define QS_PUBLISH_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "../err.h"
#include "../job.h"
#include "../qapi/qapi.h"
#include "../record/record.h"
#include "../store.h"

struct prof;
struct pub_cb;
struct pub_edit_opts;
struct pub_job;
struct pub_params;
struct pub_price_edit;
struct cat_fx;
struct pub_claim_stats;
struct pub_product;
struct pub_profile_change;
struct pub_run_opts;
struct pub_run_stats;
struct pub_sched_opts;
struct pub_sched_stats;
struct pub_sel;
struct pub_select_opts;
struct pub_ship_list;
struct pub_variant;

/* Publish steps, in order; product.step holds the last one done (NULL: none). */
#define PUB_STEP_CREATE "create" /* ItemsBasic.SetNewGoods: item, options, main image */
#define PUB_STEP_IMAGES "images" /* ItemsContents.EditGoodsMultiImage: extra images */
#define PUB_STEP_STATUS "status" /* ItemsBasic.EditGoodsStatus 2: on sale */
#define PUB_STEP_CHECK  "check"  /* (a failure only) the checks before any call */

/* What a verb tells its caller. Either function may be NULL. */
typedef int (*pub_row_fn)(void *ctx, const struct rec *r, struct qs_err *e);
typedef void (*pub_diag_fn)(void *ctx, const struct qs_err *e, int warning);
/* A record of a verb that sends (run, now, edit, withdraw, undo) with its outcome. */
typedef int (*pub_jrow_fn)(void *ctx, enum job_outcome oc, const struct rec *r, struct qs_err *e);
struct pub_cb {
    void *ctx;
    pub_row_fn row;   /* an output record (stdout) */
    pub_diag_fn diag; /* an error or warning about one product or input line (stderr) */
    pub_jrow_fn jrow; /* the senders' records: used instead of row when set */
};

/* ---- pure parts (publish_map.c) ------------------------------------------------- */

/* Characters (UTF-8 code points) of s. */
size_t pub_chars(const char *s);
/* R-PUB-14: 1 when s holds "||*" or "$$", the QAPI's separators. */
int pub_has_sep(const char *s);

/* A --price of `qs publish edit` (R-PUB-9): a price, or a change in percent. */
struct pub_price_edit {
    int relative;     /* 0: set yen; 1: +/- percent */
    long long yen;    /* the price when !relative */
    long long pct100; /* percent x 100 (+10% = 1000, -7.5% = -750) when relative */
};
/* Parses "1980", "+10%", "-7.5%" (at most two decimals). Returns 0 or -1. */
int pub_price_edit_parse(const char *s, struct pub_price_edit *pe);
/* R-PUB-14: the highest Qoo10 price, in yen (the lowest is 1). */
#define PUB_MAX_PRICE 999999999LL
/* Applies pe to price, rounding half up to whole yen. Returns 0, or -1 when the result
 * is outside 1..999,999,999 (R-PUB-14). */
int pub_price_apply(const struct pub_price_edit *pe, long long price, long long *out);
/* R-PUB-15: AvailableDateType/Value from delivery days: 1-3 -> 0 and the days (ships
 * within), 4-14 -> 1 and the days (preparation days); 0 counts as 1. Returns 0, or -1 for
 * more than 14 days (the profile must say). */
int pub_avail_from_days(long long days, char type[2], char value[4]);
/* Qoo10's IndustrialCodeType for a code type of the catalog ("jan" -> "J", "upc" -> "U",
 * "ean" -> "E", "isbn" -> "I"); NULL for other codes (not sent). */
const char *pub_code_type_letter(const char *code_type);

/* A product as publishing sees it (publish_db.c loads it). */
struct pub_variant {
    long long id;
    char *sku, *color, *size, *main_image, *extra_images;     /* images: LF-separated */
    long long price, qty, msrp, shipping, min_days, max_days; /* -1 when empty */
};
struct pub_product {
    long long id, batch;
    char *shop, *parent_sku, *title, *description, *tags, *brand, *code, *code_type;
    char *grp, *category, *profile, *grp_category, *grp_profile;
    char *state, *publish_at, *item_code, *step, *error, *create_sent_at;
    struct pub_variant *v;
    size_t nv;
};
void pub_product_free(struct pub_product *p);

/* QAPI parameters; names and values are copied (owned). */
struct pub_params {
    struct qapi_param *p;
    char **own;
    size_t n, cap;
};
void pub_params_add(struct pub_params *pp, const char *name, const char *value);
/* The value of name, or NULL. */
const char *pub_params_get(const struct pub_params *pp, const char *name);
void pub_params_free(struct pub_params *pp);

/* A problem found before any call: rule, the field or column, the SKU (may be NULL). */
typedef void (*pub_issue_fn)(void *ctx, const char *rule, const char *field, const char *sku,
                             const char *msg);
/* Resolves a ShippingNo for a shipping fee when the profile sets none: 0 with no filled,
 * 1 when no delivery template charges fee, 2 when it cannot tell now (not an issue). */
typedef int (*pub_ship_fn)(void *ctx, long long fee, char no[16]);
/* R-PUB-11, R-PUB-12, R-PUB-14, R-PUB-15: maps p (with its resolved profile pf and the
 * BrandNo of its brand, may be NULL) to the SetNewGoods parameters (item) and the
 * EditGoodsMultiImage ones (images, empty when it has no extra image). Every problem is
 * reported through issue; returns their number (0: ready to send). ship may be NULL. */
int pub_map(const struct pub_product *p, const struct prof *pf, const char *brand_no,
            pub_ship_fn ship, void *ship_ctx, struct pub_params *item, struct pub_params *images,
            pub_issue_fn issue, void *ctx);
/* How many option axes (color, size) the variants of p use: 0, 1 or 2. */
int pub_axis_count(const struct pub_product *p, const struct prof *pf);
/* R-PUB-11: the combination options of p as EditGoodsInventory's InventoryInfo with the
 * item price *item_price, quantities from qty (by variant index; NULL: the variants' own).
 * Returns a malloc'd string ("" for an item without options); NULL when p cannot be
 * mapped (pub_map reports why). */
char *pub_inventory(const struct pub_product *p, const struct prof *pf, const long long *qty,
                    long long *item_price);

/* ---- selection (publish_db.c) --------------------------------------------------- */

/* Products by id, in the order given (each once); and which were named by some of their
 * SKUs only (an edit then changes those variants only). */
struct pub_sel {
    long long *id;
    size_t n, cap;
    long long *vid, *whole; /* variants named by SKU; products named by Parent SKU */
    size_t nv, nw;
};
void pub_sel_free(struct pub_sel *s);
/* 1 when an edit of the selection applies to variant of product: the product was named
 * as a whole (Parent SKU, --group, --state) or this SKU was named. */
int pub_sel_applies(const struct pub_sel *s, long long product, const long long *variants,
                    size_t nvariants, long long variant);

struct pub_select_opts {
    char **args; /* SKUs or Parent SKUs; "-" reads records from in */
    int nargs;
    FILE *in;            /* records (CSV or JSON Lines) with a sku or parent_sku column */
    const char *in_name; /* for messages ("-") */
    enum rec_enc enc;
    const char *sheet; /* --sheet, for an .xlsx input */
    const char *group; /* --group: only products of the group */
    const char *state; /* --state: only products in the state */
};
/* Selects products of shop: those named by args and records (each SKU or Parent SKU; a
 * product once, in the order first named), or every product when neither is given;
 * --group and --state filter. Every unknown name is reported through cb->diag; then
 * QS_E_DATA. A bad --state is QS_E_USAGE. */
int pub_select(struct store *s, const char *shop, const struct pub_select_opts *o,
               const struct pub_cb *cb, struct pub_sel *out, struct qs_err *e);
/* 1 when state names a listing state. */
int pub_state_valid(const char *state);

/* ---- schedule (publish_sched.c) ------------------------------------------------- */

enum pub_when { PUB_NOW, PUB_AT, PUB_EVERY, PUB_SPREAD };
struct pub_sched_opts {
    enum pub_when when;
    time_t at;      /* at: the time; every: the first; spread: the window's start */
    time_t to;      /* spread: the window's end */
    long minutes;   /* every */
    const char *tz; /* zone of the times printed */
    time_t now;
    int dry_run; /* check and print; write nothing */
};
struct pub_sched_stats {
    long scheduled, skipped;
    long long batch;
};
/* R-PUB-1..5, R-PUB-13: schedules the selected products (pending, scheduled, failed or
 * offline ones; online and publishing ones are skipped with a warning), in one batch,
 * after the checks a publish makes before any call (R-PUB-11, 12, 14, 15): a product
 * failing them is reported and nothing is scheduled (QS_E_DATA). Rows: parent_sku,
 * state, publish_at (in tz), batch. */
int pub_schedule(struct store *s, const char *shop, const struct pub_sel *sel,
                 const struct pub_sched_opts *o, const struct pub_cb *cb,
                 struct pub_sched_stats *st, struct qs_err *e);
/* R-PUB-6, R-PUB-13: scheduled -> pending, in one batch; others skipped with a warning. */
int pub_cancel(struct store *s, const char *shop, const struct pub_sel *sel, const char *tz,
               int dry_run, const struct pub_cb *cb, struct pub_sched_stats *st, struct qs_err *e);

/* ---- times from the command line (publish_when.c) -------------------------------- */

/* R-PUB-3, R-PUB-4, R-PUB-5: the times of at (argv[0]: TIME), every (argv[0]: MINUTES,
 * from) and spread (from, to) into o->at, o->to, o->minutes (o->when, tz and now set).
 * *used gets the operands taken (0 or 1); *note a malloc'd line (the caller frees it)
 * when a time of day already past today was taken as tomorrow's, else NULL. Returns 0, or
 * QS_E_USAGE with the message and its rule. */
int pub_sched_times(struct pub_sched_opts *o, int argc, char **argv, const char *from,
                    const char *to, int *used, char **note, struct qs_err *e);
/* run --due-by arg (a time ahead brings the schedule forward) into *due_by; *note as
 * pub_sched_times. Returns 0 or QS_E_USAGE ("--due-by: ..."). */
int pub_due_by_parse(const char *arg, const char *tz, time_t now, time_t *due_by, char **note,
                     struct qs_err *e);
/* Issue 8 item 20: "GIVEN has passed today; WHAT tomorrow, AT[ to TO] (TZ)" (to 0: none),
 * times in tz. Returns a malloc'd string (the caller frees it), NULL when a time cannot be
 * written. */
char *pub_tomorrow_note(const char *given, time_t at, time_t to, const char *tz, const char *what);

/* ---- run (publish_run.c, publish_job.c) ----------------------------------------- */

struct pub_run_opts {
    time_t now;
    const char *tz;   /* zone of the times in messages (SPEC 1.5; NULL: UTC) */
    time_t due_by;    /* products scheduled at or before this are due (default now) */
    int retry_failed; /* --retry-failed: failed products of their batch again, now */
    int dry_run;      /* print the requests of due products; send and write nothing */
    int quiet;
    long inflight_s; /* setting publish.inflight_s: how long a send may still be processed */
    int max_sends;   /* unanswered sends of one step tried per run (default 3) */
    /* Setting qapi.inventory_form (R-SYN-9, issue 9 D4): 1 when it is "two-axis" -- the
     * marketplace takes two-axis rows in EditGoodsInventory, which Qoo10 does not
     * document (`qs sync probe` tells); else ("one-axis", the default) the options of a
     * product with two axes are not edited. */
    int inventory_two_axis;
};
struct pub_run_stats {
    long online, failed, retry, superseded, changed;
    long calls_ok, calls_failed;
    long waiting;    /* items waiting for their backoff after the run (issue 8 item 18) */
    time_t next_try; /* the earliest of their next tries (0: none) */
};
/* R-PUB-7: publishes every due product of shop (state scheduled, publish_at <= due_by),
 * and resumes products left publishing by a dead run, step by step (PUB_STEP_*), with
 * SellerCode as the idempotency key: a SetNewGoods whose answer was lost is never sent
 * again before GetItemDetailInfo by SellerCode shows the item does not exist (R-PUB-10:
 * an item another product holds is never adopted). Also sends the queued listing
 * changes (publish_job.c). Rows: parent_sku, item_code, state, step, result, message. */
int pub_run(struct store *s, struct qapi *q, const char *shop, const struct pub_run_opts *o,
            const struct pub_cb *cb, struct pub_run_stats *st, struct qs_err *e);

/* ---- edits of listings (publish_edit.c) ------------------------------------------ */

struct pub_edit_opts {
    int has_price, has_qty, has_shipping;
    struct pub_price_edit price;
    long long qty, shipping;
    int dry_run;
};
/* The values of qs publish edit. */
enum pub_edit_field { PUB_EDIT_PRICE, PUB_EDIT_QTY, PUB_EDIT_SHIPPING };
/* R-PUB-9: --price (a price or a change in percent), --quantity (0-2147483647) or
 * --shipping (whole yen) arg into o (its has_ flag set); 0, or QS_E_USAGE with the
 * option's message. */
int pub_edit_opt_parse(enum pub_edit_field f, const char *arg, struct pub_edit_opts *o,
                       struct qs_err *e);
/* R-PUB-9, R-PUB-13: edits price, quantity and shipping of the selected products' variants
 * (pending, scheduled, failed, online, offline; publishing ones are refused), checked
 * first (R-PUB-14, R-IMP-9 spread) and written in one batch; products on the marketplace
 * get their changes queued and sent (q). Rows per variant: sku, parent_sku, state, price,
 * quantity, shipping, batch, result, message. */
int pub_edit(struct store *s, struct qapi *q, const char *shop, const struct pub_sel *sel,
             const struct pub_edit_opts *o, const struct pub_run_opts *ro, const struct pub_cb *cb,
             struct pub_run_stats *rst, long long *batch, struct qs_err *e);
/* Takes the selected online products offline (EditGoodsStatus 1), in one batch. */
int pub_withdraw(struct store *s, struct qapi *q, const char *shop, const struct pub_sel *sel,
                 const struct pub_run_opts *ro, const struct pub_cb *cb, struct pub_run_stats *rst,
                 long long *batch, struct qs_err *e);
/* R-PUB-13: restores what batch changed, on the marketplace too (a publish undone stops
 * the sale: status 1, offline; a quantity only where the marketplace still holds the
 * value the batch set). Rows: parent_sku, sku, field, old, new, result, message. */
int pub_undo(struct store *s, struct qapi *q, const char *shop, long long batch,
             const struct pub_run_opts *ro, const struct pub_cb *cb, struct pub_run_stats *rst,
             struct qs_err *e);
/* R-PUB-10: copies the selected products as new pending ones, suffix appended to the
 * Parent SKU and every SKU, in one batch. Rows: sku, parent_sku, state. */
int pub_copy(struct store *s, const char *shop, const struct pub_sel *sel, const char *suffix,
             int dry_run, const struct pub_cb *cb, long long *batch, struct qs_err *e);
/* R-PUB-12: sets the leaf category of group target, else of the product with SKU or
 * Parent SKU target. *what gets "group" or "product". */
int pub_category(struct store *s, const char *shop, const char *target, const char *code,
                 const char **what, struct qs_err *e);
/* R-PUB-15: makes the selected products use profile name (NULL: none). */
int pub_profile_assign(struct store *s, const char *shop, const struct pub_sel *sel,
                       const char *name, struct qs_err *e);

/* ---- the senders as jobs of the one runner (publish_job_ops.c, job.h) ---------- */

/* The verbs that reach the marketplace: run, now (schedule, then run), edit, withdraw,
 * undo. */
enum pub_job_verb {
    PUB_JOB_RUN,
    PUB_JOB_NOW,
    PUB_JOB_EDIT,
    PUB_JOB_WITHDRAW,
    PUB_JOB_UNDO,
    PUB_JOB_NVERBS
};
struct pub_job_rows;
/* One job of a publish verb: the caller sets the first fields, the run fills the rest. */
struct pub_job {
    enum pub_job_verb verb;
    struct store *s;
    struct qapi *q;
    const char *shop;
    struct pub_run_opts ro;    /* every verb; ro.dry_run as the runner's */
    const struct pub_sel *sel; /* now, edit, withdraw */
    struct pub_sched_opts so;  /* now */
    struct pub_edit_opts eo;   /* edit */
    long long batch;           /* undo: the batch to undo; edit, withdraw: the batch made */
    pub_diag_fn diag;          /* problems of products and input lines (may be NULL) */
    void *diag_ctx;
    struct pub_run_stats st;   /* filled by the run */
    struct pub_job_rows *rows; /* the records, kept for the report */
};
/* The runner's callbacks of each verb (job.h), by enum pub_job_verb. Each record's
 * outcome: sent (published, or its change sent by this run); already done (nothing to
 * send: an edit whose values are already these, a withdraw of an offline product, a
 * batch undone before); failed; to retry (no answer, or queued for the next run);
 * skipped; changed locally (a product not on the marketplace). The epilogue names the
 * batch to undo and what waits for its backoff, with its next try (in ro.tz). */
extern const struct job_ops pub_job_ops[PUB_JOB_NVERBS];
/* Frees the records j kept; j stays usable. */
void pub_job_clear(struct pub_job *j);

/* ---- listings (publish_list.c) ------------------------------------------------ */

/* The column publish list adds after the qs template (CAT_QS_COLUMNS): when a product whose
 * publication or listing change failed and waits for its backoff is tried again. */
#define PUB_COL_NEXT_TRY "next_try"
/* R-PUB-8, issue 8 item 18: each variant of shop (state and group filter when not NULL) in
 * the qs template, then next_try in tz ("" when nothing of the product waits); the error
 * column holds the last error of its publication. */
int pub_list(struct store *s, const char *shop, const char *state, const char *group,
             const char *tz, const struct pub_cb *cb, struct qs_err *e);
/* Issue 8 item 18: how many publications and listing changes of shop wait for a backoff
 * at now (*n), and the earliest next try (*next, 0 when none). */
int pub_waiting(struct store *s, const char *shop, time_t now, long *n, time_t *next,
                struct qs_err *e);

/* R-PUB-13, issue 8 item 22: the shop's batches, oldest first, for undo: batch, at (in tz),
 * verb (publish, cancel, edit, withdraw, copy), products (how many it changed), undone_at
 * (in tz; "" while it can be undone). */
int pub_batches(struct store *s, const char *shop, const char *tz, const struct pub_cb *cb,
                struct qs_err *e);

/* ---- delivery templates (publish_ship.c) --------------------------------------- */

/* The shop's delivery templates: the rows of GetSellerDeliveryGroupInfo (reference 3.x:
 * ShippingNo, ShippingFee, ShippingType, FreeCondition, Region, Oversea, transcName). */
struct pub_ship_list {
    json_t *rows; /* owned */
    time_t at;    /* when they were read from the marketplace */
    int have;     /* 1 once read (from the marketplace or the store) */
};
void pub_ship_list_free(struct pub_ship_list *l);
/* Reads the templates from the marketplace (q) into l; keep: also keep them in the store
 * for later offline use (never in a dry run). */
int pub_ship_fetch(struct store *s, struct qapi *q, const char *shop, int keep,
                   struct pub_ship_list *l, struct qs_err *e);
/* The templates kept by the last read (l->have 0 when none). */
int pub_ship_cached(struct store *s, const char *shop, struct pub_ship_list *l, struct qs_err *e);
/* Takes object (an answer's rows) as the templates read now; keep: as pub_ship_fetch. */
int pub_ship_take(struct store *s, const char *shop, const json_t *object, int keep,
                  struct pub_ship_list *l, struct qs_err *e);
/* The ShippingNo of the first template charging fee: 0, or 1 when none does. */
int pub_ship_find(const struct pub_ship_list *l, long long fee, char no[16]);
/* 1 when a template has ShippingNo no. */
int pub_ship_has(const struct pub_ship_list *l, const char *no);
/* pub_ship_fn over a struct pub_ship_list (2 when it was never read). */
int pub_ship_list_resolve(void *ctx, long long fee, char no[16]);
/* Issue 8 item 22: one record per template: shipping_no, fee, type, free_over, region,
 * oversea, carrier. */
int pub_ship_rows(const struct pub_ship_list *l, const struct pub_cb *cb, struct qs_err *e);

/* ---- claim (publish_claim.c) ---------------------------------------------------- */

struct pub_claim_stats {
    long claimed, kept, skipped, gaps;
    long long batch; /* the claim's batch (0: none) */
};
/* The columns of claim's rows: parent_sku, sku, state, rule, field, message. */
const char *const *pub_claim_columns(size_t *n);
/* R-SRC-1: moves the selected collected products to pending, their source prices
 * converted at fx (needed when one is foreign: QS_E_USAGE; one currency per claim), once
 * every R-IMP rule and the leaf category (R-PUB-12) hold: a claimed product's variants are
 * rows with state pending; a product with gaps stays collected, one row per gap (state
 * collected, rule, field, message). Products not collected are skipped with a warning.
 * One transaction; dry_run writes nothing. */
int pub_claim(struct store *s, const char *shop, const struct pub_sel *sel, const struct cat_fx *fx,
              int dry_run, const struct pub_cb *cb, struct pub_claim_stats *st, struct qs_err *e);

/* ---- source monitoring (source_watch.c, source_watch_run.c) ---------------------- */

/* R-SRC-2, R-SRC-3. Tables (this module's; migration in schema.c):
 *   source_watch (product_id PRIMARY KEY -> product, shop, on_out none|zero|withdraw,
 *     price_alert (percent x 100, NULL none), paused 0|1, state (the product's: unmonitored,
 *     in-stock, out-of-stock, gone, no-source, paused), acted (zero|withdraw: what qs did
 *     on the marketplace and undoes when the source is back; NULL none), added_at,
 *     checked_at)
 *   source_url (product_id, url, state unknown|in-stock|out-of-stock|gone, price, currency,
 *     base_price (unused), checked_at): each Source URL of a watched product
 *   source_zeroed (product_id, variant_id, qty): the quantities qs set to 0, restored when
 *     the source is back in stock
 *   source_event (id, product_id, url (NULL: the product's state), old, new, detail, at):
 *     the history of every change. */

enum src_verb { SRC_ADD, SRC_REMOVE, SRC_PAUSE };
/* "none", "zero", "withdraw", NULL: the values of --on-out. */
extern const char *const src_on_out_names[];
struct src_watch_opts {
    int on_out;             /* index in src_on_out_names; -1: not given */
    long long alert_pct100; /* --price-alert in percent x 100; -1: not given */
};
/* The distinct Source URLs of a product's variants, in order. */
struct src_urls {
    char **v;
    size_t n;
};
int src_urls_get(struct store *s, long long product, struct src_urls *u, struct qs_err *e);
void src_urls_free(struct src_urls *u);
/* Makes the watched URLs of product those of u (new ones unknown, others dropped). */
int src_urls_sync(struct store *s, long long product, const struct src_urls *u, struct qs_err *e);
/* R-SRC-2: the product's state from its URLs' (NULL: none known yet, keep it). */
int src_product_state(struct store *s, long long product, const char **state, struct qs_err *e);
/* Records a change in source_event (url NULL: the product's state). */
int src_event(struct store *s, long long product, const char *url, const char *old,
              const char *new_, const char *detail, const char *now, struct qs_err *e);
/* R-SRC-2: qs publish watch add (online products with a Source URL; a watched one gets
 * the options given and is resumed), remove, pause, on the selected products. Rows:
 * parent_sku, state, message; products left alone are warnings. *changed counts. */
int src_watch_change(struct store *s, const char *shop, const struct pub_sel *sel,
                     enum src_verb verb, const struct src_watch_opts *o, int dry_run,
                     const struct pub_cb *cb, long *changed, struct qs_err *e);
/* R-SRC-2: one row per watched URL (a product without one: url empty): parent_sku, state,
 * on_out, price_alert, url, url_state, price, currency, checked_at (in tz). */
int src_watch_list(struct store *s, const char *shop, const char *tz, const struct pub_cb *cb,
                   struct qs_err *e);

struct src_run_stats {
    long checked, answered, failed, changed, actions, alerts;
};
/* The columns of watch run's records: parent_sku, url, old, new, action, result, message. */
const char *const *src_run_columns(size_t *n);
/* R-SRC-2, R-SRC-3: qs publish watch run -- see source_watch_run.c. QS_E_USAGE when the
 * shop's source delivery is not a hook. The actions' listing jobs go through q (NULL:
 * queued for qs publish run). Records through cb->jrow (or row). */
int src_watch_run(struct store *s, struct qapi *q, const char *shop, const struct pub_run_opts *ro,
                  const struct pub_cb *cb, struct src_run_stats *st, struct qs_err *e);

/* ---- check (publish_check.c) ---------------------------------------------------- */

/* R-IMP-9, R-IMP-10, R-PUB-11, 12, 14, 15: checks the selected products as publish would,
 * without any call of its own, and the shipping fees and the profiles' ShippingNo against
 * the shop's delivery templates, which ship_get (may be NULL) gives the first time they
 * are needed (NULL: unknown, not checked). Rows: parent_sku, sku, rule, field, message.
 * *problems gets their number. */
typedef const struct pub_ship_list *(*pub_ship_get_fn)(void *ctx);
int pub_check(struct store *s, const char *shop, const struct pub_sel *sel,
              pub_ship_get_fn ship_get, void *ship_ctx, const struct pub_cb *cb, long *problems,
              struct qs_err *e);

/* ---- the verbs' transactions (publish_verbs.c) -------------------------------- */

/* R-PUB-12: pub_category, rolled back when dry_run. */
int pub_category_change(struct store *s, const char *shop, const char *target, const char *code,
                        int dry_run, const char **what, struct qs_err *e);
/* R-PUB-15: "FIELD=VALUE" into a profile field and its value (pointing into arg); 0, or
 * QS_E_USAGE. */
int pub_profile_field_split(const char *arg, int *field, const char **value, struct qs_err *e);
/* A change of listing profiles (qs publish profile). */
struct pub_profile_change {
    const char *name;        /* the profile the fields, group and SKUs are about */
    const char *const *sets; /* FIELD=VALUE */
    size_t nsets;
    const char *const *brands; /* NAME=BRANDNO */
    size_t nbrands;
    const char *group;       /* make the group use the profile (may be NULL) */
    const char *const *skus; /* make these products use the profile */
    size_t nskus;
    int dry_run;
};
/* R-PUB-15: sets the fields, the brands, the group's and the SKUs' profile, all or nothing
 * in one transaction (rolled back in a dry run). cb reports unknown SKUs. */
int pub_profile_change(struct store *s, const char *shop, const struct pub_profile_change *c,
                       const struct pub_cb *cb, struct qs_err *e);
/* R-PUB-15: the fields of profile name (NULL: every profile), rows profile, field, value;
 * or, with brands, the brand table: rows brand, brand_no. */
int pub_profile_rows(struct store *s, const char *shop, const char *name, int brands,
                     const struct pub_cb *cb, struct qs_err *e);
/* Where pub_ship_load takes the delivery templates from. */
enum pub_ship_from {
    PUB_SHIP_READ, /* the marketplace */
    PUB_SHIP_KEPT, /* those the last read kept; none: QS_E_USAGE */
    PUB_SHIP_ANY,  /* those kept, else the marketplace */
};
/* Issue 8 item 22: the shop's delivery templates into l (zeroed by the caller); read from
 * the marketplace with a client opened on req_out, and kept unless dry_run. */
int pub_ship_load(struct store *s, const char *shop, enum pub_ship_from from, int dry_run,
                  FILE *req_out, struct pub_ship_list *l, struct qs_err *e);
/* The delivery templates qs publish check resolves fees against (issue 8 item 22): those
 * the last read kept, else read once and kept. Returns l, or NULL when they cannot be read
 * (fees are then not checked). *note gets the line to tell the seller which (malloc'd). */
const struct pub_ship_list *pub_ship_for_check(struct store *s, const char *shop, int dry_run,
                                               FILE *req_out, const char *tz,
                                               struct pub_ship_list *l, char **note);
/* The summary line of a schedule or cancel (what: "scheduled", "cancelled"); malloc'd. */
char *pub_sched_note(const struct pub_sched_stats *st, const char *what, int dry_run);
/* R-PUB-15: the NAME and FIELD=VALUE operands and the --brand values of a profile change
 * (c->name NULL: none named), checked before anything is written; 0 or QS_E_USAGE. */
int pub_profile_check(const struct pub_profile_change *c, struct qs_err *e);

#define PROF_DEFAULT "default" /* the shop's own profile */

/* The fields of a profile (Qoo10 parameter names, reference 3.1). */
enum prof_field {
    PF_SHIPPING_NO, /* ShippingNo: delivery template (GetSellerDeliveryGroupInfo); 0 free */
    PF_AVAIL_TYPE,  /* AvailableDateType 0-3 */
    PF_AVAIL_VALUE, /* AvailableDateValue: 1-3 / 4-14 / yyyy/MM/dd / HH:mm */
    PF_TAX_RATE,    /* TaxRate S, 10, 8, 0 */
    PF_PLACE_TYPE,  /* ProductionPlaceType 1 domestic, 2 overseas, 3 other */
    PF_PLACE,       /* ProductionPlace */
    PF_ADULT,       /* AdultYN Y/N */
    PF_CONTACT,     /* ContactInfo */
    PF_EXPIRE,      /* ExpireDate yyyy-MM-dd, on or before 2030-12-31 (R-PUB-14) */
    PF_CATEGORY,    /* SecondSubCat: the leaf category when neither product nor group has one */
    PF_ITEM_QTY,    /* ItemQty: the quantity of variants whose Quantity is empty */
    PF_COLOR_NAME,  /* ColorName: the option name of the Color axis (default カラー) */
    PF_SIZE_NAME,   /* SizeName: the option name of the Size axis (default サイズ) */
    PROF_NFIELDS
};

/* The field's name ("ShippingNo"). */
const char *prof_field_name(int f);
/* The field named name (any case; "category" is SecondSubCat), or -1. */
int prof_field_parse(const char *name);
/* Checks a value for field f (empty values are not checked: they unset). Returns 0, or
 * -1 with *why (a static reason). */
int prof_value_check(int f, const char *value, const char **why);
/* 1 when name is a valid profile name: 1-63 of [A-Za-z0-9._-]. */
int prof_name_valid(const char *name);

/* A resolved profile: the value of each field (NULL when no profile sets it) and the
 * profile that gave it. Strings are owned; free with prof_clear. */
struct prof {
    char *v[PROF_NFIELDS];
    char *from[PROF_NFIELDS];
};
/* Resolves the profile of a product: "default", then group_profile, then
 * product_profile (each may be NULL), later ones winning field by field. */
int prof_resolve(struct store *s, const char *shop, const char *group_profile,
                 const char *product_profile, struct prof *out, struct qs_err *e);
void prof_clear(struct prof *p);

/* Sets field of profile name (value NULL or "" removes it), after prof_value_check
 * (QS_E_USAGE naming the rule when it fails). */
int prof_set(struct store *s, const char *shop, const char *name, int field, const char *value,
             struct qs_err *e);
/* Calls fn for each field of profile name (NULL: of every profile), by name then field
 * order. Stops at fn's first non-zero return, which is returned. */
int prof_each(struct store *s, const char *shop, const char *name,
              int (*fn)(void *ctx, const char *name, const char *field, const char *value),
              void *ctx, struct qs_err *e);
/* Makes group use profile name (NULL: none). QS_E_USAGE when shop has no such group. */
int prof_assign_group(struct store *s, const char *shop, const char *group, const char *name,
                      struct qs_err *e);

/* Brand table (R-PUB-15: Brand -> BrandNo). no NULL or "" removes the brand. */
int prof_brand_set(struct store *s, const char *shop, const char *brand, const char *no,
                   struct qs_err *e);
/* *no gets the BrandNo of brand (malloc'd), NULL when the table has none. */
int prof_brand_get(struct store *s, const char *shop, const char *brand, char **no,
                   struct qs_err *e);
/* Calls fn for each brand of shop, by name. */
int prof_brand_each(struct store *s, const char *shop,
                    int (*fn)(void *ctx, const char *brand, const char *no), void *ctx,
                    struct qs_err *e);

/* R-PUB-2: n products at one time t: out[k] = t. */
void sched_at(time_t t, size_t n, time_t *out);
/* R-PUB-3: the first at from, then one every minutes minutes: out[k] = from + k * minutes
 * * 60. Returns 0, or -1 when minutes < 1 or the last time would overflow. */
int sched_every(time_t from, long minutes, size_t n, time_t *out);
/* R-PUB-4: n products evenly over [from, to): out[k] = from + k * (to - from) / n, rounded
 * down to the second (30 products over 60 minutes: one every 2 minutes). Returns 0, or -1
 * when to <= from. */
int sched_spread(time_t from, time_t to, size_t n, time_t *out);
/* R-PUB-5: 1 when t is in the past at now. The current minute counts as now: a time of
 * 10:00 given at 10:00:40 is not refused. */
int sched_is_past(time_t t, time_t now);
/* R-PUB-5: parses a time given by the seller (tm_parse forms, any IANA zone tz) and
 * refuses one in the past, except "now". what names the option in messages ("--from").
 * *tomorrow (may be NULL) gets 1 when s was a time of day already past today, so taken
 * tomorrow (the caller says so, issue 8 item 20). Returns 0 or QS_E_USAGE. */
int sched_parse(const char *s, const char *tz, time_t now, const char *what, time_t *out,
                int *tomorrow, struct qs_err *e);
/* R-PUB-4, issue 8 item 20: a window given as two times is one window. from is read as
 * sched_parse reads it (*tomorrow as there); a time of day alone as to is the first one
 * after from (so the window crosses midnight when it is not later on the clock: 23:00 to
 * 01:00), any other to must come after from. Returns 0 or QS_E_USAGE. */
int sched_window(const char *from, const char *to, const char *tz, time_t now, time_t *t_from,
                 time_t *t_to, int *tomorrow, struct qs_err *e);
/* Parses MINUTES of `every`: a whole number 1..10080 (a week). Returns 0 or -1. */
int sched_minutes(const char *s, long *out);

#endif

/* sync: the store's copy of the marketplace and the order actions that reach it
 * (SPEC 7: R-SYN-1 orders and claims, R-SYN-1c windows, R-SYN-2 items, R-SYN-1b ship and
 * confirm through the outbox). Owns the tables order_line, order_event, sync_mark and
 * market_item; other modules read them through the functions below. */
#ifndef QS_SYNC_H
#define QS_SYNC_H

#include <stddef.h>
#include <time.h>

#include "../err.h"
#include "../qapi/qapi.h"
#include "../store.h"

/* ---- pure parts ------------------------------------------------------------------ */

#define SYNC_MAX_WINDOW (90L * 86400) /* longest search window, seconds (qapi.md 1.8) */
/* Setting sync.window_cap. R-SYN-9: no source documents a row cap or paging for the
 * window lookups (qapi-fidelity.md D6), so the default is small enough that a window cut
 * short by any larger silent cap is noticed (and split) rather than taken as whole. */
#define SYNC_DEFAULT_CAP 200
#define SYNC_FILL_PCT    60       /* windows are sized to hold this share of the cap */
#define SYNC_OVERLAP     (86400L) /* incremental streams restart one day back */
#define SYNC_INFLIGHT_S  5        /* setting sync.inflight_s: see sync_send_run */

/* A search window, both ends included, whole seconds (yyyyMMddHHmmss in JST). */
struct sync_window {
    time_t from, to;
};

/* Cuts [from, to] into consecutive windows of at most max_span seconds, oldest first.
 * Writes at most n into out; returns how many there are in all (0 when from > to). */
size_t sync_windows(time_t from, time_t to, long max_span, struct sync_window *out, size_t n);
/* Halves w into a (older) and b (newer), which together cover w exactly once. Returns 0,
 * or -1 when w is a single second and cannot be split. */
int sync_window_split(const struct sync_window *w, struct sync_window *a, struct sync_window *b);

/* ---- the window fetcher (R-SYN-1c) --------------------------------------------------- */

/* A lookup by date window: GetShippingInfo_v3, GetClaimInfo_V3, GetInquiryMessage. */
struct sync_query {
    const char *method;
    const char *status_name, *status; /* "ShippingStatus", "4" */
    const char *start_name, *end_name;
    const char *cond_name, *cond; /* the date the window is on; NULL: the method has none */
};

struct sync_fetch_stats {
    long calls, windows, splits, truncated, rows;
    double rate;   /* rows per second of the densest window kept that held a quarter of
                    * what windows are sized for */
    int have_rate; /* rate is known: the next sync_fetch sizes its first window by it */
};
/* Called with the rows of each window kept (rows may be NULL: none), oldest first. */
typedef int (*sync_window_fn)(const struct sync_window *w, json_t *rows, void *ctx);
/* What the store knows of a stream from the last run: *end gets the last second before the
 * k-th line stored at or after from, or 0 when fewer than k are stored from there on. */
struct sync_plan {
    int (*end)(void *ctx, time_t from, long k, time_t *end, struct qs_err *e);
    void *ctx;
};
/* Fetches [from, to] in windows of at most 90 days, each sized to hold SYNC_FILL_PCT of
 * cap: by the lines plan (may be NULL) says the store holds there, else from the row
 * density of the window before (the first from st's, when known); a window whose row
 * count reaches cap is split in half and fetched again, down to one second (R-SYN-1c); such
 * an answer is not read past the row that reaches cap (qapi_call_rows), but a one-second
 * window's is read whole. status overrides the query's status when not NULL. */
int sync_fetch(struct qapi *q, const struct sync_query *qry, const char *status, time_t from,
               time_t to, long cap, const struct sync_plan *plan, sync_window_fn fn, void *ctx,
               struct sync_fetch_stats *st, struct qs_err *e);

/* Order status names of SPEC 7 for codes 1-5: unpaid, paid, confirmed, shipped, delivered
 * ("" for any other code). */
const char *sync_status_name(int code);
/* Parses a status name or code 1-5; returns the code or -1. */
int sync_status_parse(const char *s);
/* A comma- or space-separated list of statuses (names or codes) into *mask, one bit
 * (1 << code) each; only codes whose bit is in allowed. 0, or -1 when an item is not one
 * or the list is empty. */
int sync_status_mask(const char *list, unsigned allowed, unsigned *mask);
#define SYNC_STATUS_ALL 0x3eu /* the bits of statuses 1-5 */
/* Claim status name for a claim code of qapi.md section 4 ("cancel-requested", ...), ""
 * for 0; "claim-N" for a code the reference does not know. Writes into buf. */
const char *sync_claim_name(int code, char *buf, size_t size);
/* Converts a QAPI date (Japan time, no offset) to UTC ISO-8601 into buf; buf is "" when
 * jst is empty or not a date. Returns buf. */
char *sync_jst_to_utc(const char *jst, char *buf, size_t size);

/* ---- orders (R-SYN-1, R-SYN-1c) ---------------------------------------------------- */

/* How open orders (statuses 1-3) are asked for (setting sync.open_form, R-SYN-9, D7):
 * one GetShippingInfo_v3 stream per status 1, 2 and 3 (the default: the guide's "0 or
 * blank covers 1-3" is contradicted by another client), or one stream with ShippingStatus
 * "0" or "" -- only after `qs sync probe` showed that form covers status 3. */
enum sync_open_form { SYNC_OPEN_PER_STATUS, SYNC_OPEN_ZERO, SYNC_OPEN_BLANK };
/* "per-status", "zero", "blank" -> the form; -1 for anything else (NULL too). */
int sync_open_form_parse(const char *s);
/* The setting's value for form f ("per-status" for an unknown one). */
const char *sync_open_form_name(int f);

/* How many rows with an unreadable status a run names in sync_orders_stats. */
#define SYNC_UNREAD_SHOWN 3

struct sync_orders_opts {
    time_t now;    /* the run's clock */
    time_t since;  /* --since, 0 when not given: windows start no later than this */
    long cap;      /* rows per window taken as "maybe truncated" (sync.window_cap) */
    int open_form; /* enum sync_open_form (sync.open_form) */
    int quiet;     /* no progress bar */
};

struct sync_orders_stats {
    long calls;     /* lookups answered */
    long windows;   /* windows fetched and kept */
    long splits;    /* windows split because they reached the cap */
    long truncated; /* one-second windows still at the cap (rows may be missing) */
    long rows;      /* rows received in kept windows */
    long lines_new, lines_changed, events;
    /* R-SYN-9: rows whose claimStatus (or ShippingStatus, in a combined open query) is
     * neither a number nor a label with the code in parentheses: not stored, each with an
     * audit row (kind "sync", key the order number), and their claims stream's mark held
     * so the next run reads them again. unread_shown[i] is the first few, e.g.
     * "1062428737 claimStatus \"キャンセル完了\"". */
    long unread;
    char unread_shown[SYNC_UNREAD_SHOWN][160];
};

/* Pulls order lines (GetShippingInfo_v3) and claims (GetClaimInfo_V3) of shop into the
 * store, window by window, committing each window. Remembers the lines seen, for
 * sync_lines_each(seen_only) on the same store handle. */
int sync_orders_pull(struct store *s, struct qapi *q, const char *shop,
                     const struct sync_orders_opts *o, struct sync_orders_stats *st,
                     struct qs_err *e);

/* One stored order line; strings belong to the caller of the callback's loop. Dates are
 * UTC ISO-8601 or "". */
struct sync_line {
    const char *order_no, *pack_no;
    int status, claim;
    const char *item_code, *seller_code, *option_code, *title;
    long long qty, total;
    const char *buyer, *order_date, *paid_date, *ship_by, *shipped_date;
    const char *carrier, *tracking;
    const char *change; /* new, changed or same for lines of the last pull; "" otherwise */
    /* For qs note (R-NOTE-9, R-NOTE-10): the delivered date, the buyer's email and phone,
     * and the shipping country from the row (ShippingCountry, shippingCountry,
     * PaymentNation; "JP" when the row names none). */
    const char *delivered_date, *buyer_email, *buyer_tel, *country;
};
typedef int (*sync_line_fn)(const struct sync_line *l, void *ctx);
/* Calls fn for each stored line of shop, by order date then order number: only those
 * seen by the last sync_orders_pull on s when seen_only; unless status_mask is 0, only
 * lines whose status bit (1 << code) is in it and that no cancel claim (1, 2, 3, 16) holds.
 * Stops when fn returns non-zero. */
int sync_lines_each(struct store *s, const char *shop, int seen_only, unsigned status_mask,
                    sync_line_fn fn, void *ctx, struct qs_err *e);

/* ---- products (R-SYN-2) ---------------------------------------------------------- */

struct sync_products_opts {
    int full;  /* read every item's details, not only new or changed ones */
    int quiet; /* no progress bar */
};
struct sync_item {
    const char *item_code, *seller_code, *status, *title;
    long long price, qty;
    const char *change; /* new, changed, same or gone */
};
typedef int (*sync_item_fn)(const struct sync_item *it, void *ctx);
/* How many refused items a run names in sync_products_stats. */
#define SYNC_REFUSED_SHOWN 5
struct sync_products_stats {
    long calls, items, details, items_new, items_changed, items_gone;
    /* R-SYN-9 (D8): items whose GetItemDetailInfo was refused with anything but -10001
     * (or answered without details): kept as stored, reported here and in the audit. The
     * first few are "ITEMCODE: CODE MESSAGE". */
    long refused;
    char refused_shown[SYNC_REFUSED_SHOWN][240];
};
/* Pulls the marketplace's items (GetAllGoodsInfo by status, GetItemDetailInfo for new or
 * changed ones) into the store, one way: the marketplace wins. Calls fn for each item
 * seen, and for each stored item the marketplace no longer lists. R-SYN-9: only a detail
 * answer of -10001 marks an unlisted item gone; any other refusal keeps the item as stored
 * (its listing's seller code and status still taken) and counts in st->refused: the run
 * goes on and returns 0. */
int sync_products_pull(struct store *s, struct qapi *q, const char *shop,
                       const struct sync_products_opts *o, sync_item_fn fn, void *ctx,
                       struct sync_products_stats *st, struct qs_err *e);
/* When the last complete `qs sync products` of shop ended (a pull that went through
 * records it as sync_mark stream "products"): *at, and 1; 0 when none ever did (*at 0);
 * or a QS_E_* code. R-CPN-7 reads "on sale per the last qs sync products" by it. */
int sync_products_synced_at(struct store *s, const char *shop, time_t *at, struct qs_err *e);

/* ---- ship and confirm (R-SYN-1b) ------------------------------------------------- */

enum sync_action { SYNC_SHIP, SYNC_CONFIRM };

/* One input record: order_no, and for ship carrier and tracking. */
struct sync_req {
    char *order_no, *carrier, *tracking; /* owned by the caller */
    long line;                           /* input line, 0 for a command-line argument */
};

struct sync_send_opts {
    enum sync_action action;
    const char *shop;
    const char *file;  /* input name for messages ("-" for stdin) */
    const char *sheet; /* its worksheet when it is an .xlsx workbook, else NULL or "" */
    char est[16];      /* confirm: EstShipDt, yyyyMMdd */
    /* R-NOTE-13 (qs note delay): DelayType 1-4 makes the confirm a delay notice -- the same
     * call, so once per order and refused once the order is confirmed; 0: a plain confirm.
     * delay_memo is its DelayMemo. */
    int delay_type;
    const char *delay_memo;
    int retry_failed; /* --retry-failed */
    int skip_bad;     /* --skip-bad: send the good lines, report the bad ones */
    int force;        /* ship --force: also lines allocated to the warehouse (R-STK-6) */
    int dry_run;      /* the caller holds a transaction it rolls back */
    int quiet;
    long cap;        /* window cap for reconciling reads */
    long inflight_s; /* how long a request may still be processed after its sender died */
    time_t now;
};

/* A rejected input record: r, and e with its location, message and rule. */
typedef void (*sync_reject_fn)(const struct sync_req *r, const struct qs_err *e, void *ctx);

struct sync_result {
    const char *order_no;
    const char *result; /* ok, failed, retry, unknown, skipped (R-STK-6) */
    const char *code;   /* the marketplace's result code, "" when none */
    const char *message;
    /* ok without being sent by this run: done by an earlier run, or found done by a read
     * (the summary's "already done", never "sent"). */
    int already;
};
typedef int (*sync_result_fn)(const struct sync_result *r, void *ctx);

struct sync_send_stats {
    long rejected;               /* bad input records */
    long sent, failed, retry;    /* lines settled by this run, by result */
    long unknown;                /* lines whose state could not be told */
    long calls_ok, calls_failed; /* marketplace calls answered / not answered */
};

struct sync_send;
/* Plans a send as its input is read (SPEC 8: nothing per line is held in memory): begin,
 * add each input record, end. sync_send_add validates r against the store (R-SYN-1b):
 * known order line, a state that allows the action, carrier and tracking present, no
 * conflicting duplicate, not already done with other values; it calls rej (ctx) for a bad
 * record and returns 0, or a QS_E_* code when the store failed. sync_send_end(p, rc)
 * ends the plan begun: when rc is 0 it adds, for ship, every other line of each cart,
 * and returns QS_E_DATA when a record was bad and !o->skip_bad; else it returns rc.
 * *out (set even on failure) is freed with sync_send_free. */
int sync_send_begin(struct store *s, const struct sync_send_opts *o, sync_reject_fn rej, void *ctx,
                    struct sync_send **out, struct sync_send_stats *st, struct qs_err *e);
int sync_send_add(struct sync_send *p, const struct sync_req *r, struct qs_err *e);
int sync_send_end(struct sync_send *p, int rc, struct qs_err *e);
/* begin, add each of reqs, end. */
int sync_send_plan(struct store *s, const struct sync_send_opts *o, const struct sync_req *reqs,
                   size_t n, sync_reject_fn rej, void *ctx, struct sync_send **out,
                   struct sync_send_stats *st, struct qs_err *e);
/* Writes the planned lines into the outbox, all in one transaction (or the caller's). */
int sync_send_enqueue(struct sync_send *p, struct qs_err *e);
/* Reconciles items left in flight by dead runs (reading the marketplace once the dead
 * run's last request has had o->inflight_s seconds to be processed), then sends every
 * due item of the action in bulk chunks of at most 500, settling each line from its own
 * result; an item sent before without an answer is read back before it is sent again.
 * Then waits (up to a minute) for items other live runs hold. */
int sync_send_run(struct sync_send *p, struct qapi *q, struct sync_send_stats *st,
                  struct qs_err *e);
/* Calls fn with the result of each planned line and of each other item this run settled. */
int sync_send_report(struct sync_send *p, sync_result_fn fn, void *ctx, struct qs_err *e);
/* Frees p; sync_send_free(NULL) is a no-op. */
void sync_send_free(struct sync_send *p);

struct afile;
struct job_ops;
/* A ship or confirm run as a job (libcore/job.h): p planned, q open, st the plan's stats;
 * rej (may be NULL) is the --rejects file, committed once the good lines are queued (and
 * set to NULL then). */
struct sync_job {
    struct sync_send *p;
    struct qapi *q;
    struct sync_send_stats *st;
    struct afile *rej;
};
extern const struct job_ops sync_job_ops;

/* ---- exports for linked software (R-SYN-6) --------------------------------------- */

enum sync_export_kind { SYNC_EXPORT_GOODS, SYNC_EXPORT_INVENTORY };
/* QSM's file name of kind k: "GoodsList.csv", "InventoryManagement_gridInventory.csv". */
const char *sync_export_file(enum sync_export_kind k);
/* The columns of kind k, the catalog's table shared with qs import (cat_goods_cols,
 * cat_inv_cols); *n gets their number. */
const char *const *sync_export_cols(enum sync_export_kind k, size_t *n);
struct rec;
/* Calls fn with one record per market item the store holds (goods: item code, seller
 * code, title, price, quantity, status, expiry), or per option of each (inventory: the
 * options of the catalog's product whose Parent SKU is the item's seller code; no
 * Q-inventory columns); items gone from the marketplace are left out. The record's fields
 * are named by names, in the order of sync_export_cols (a header adjusted by --map). */
int sync_export_each(struct store *s, const char *shop, enum sync_export_kind k,
                     const char *const *names, int (*fn)(const struct rec *r, void *ctx), void *ctx,
                     struct qs_err *e);
/* The header of an export renamed by --map (R-SYN-6): names[i] the name of column i. */
struct sync_export_map {
    const char *const *cols;
    char **names; /* NULL until renamed; every one set by sync_export_map_end */
    long *line;   /* where each column was renamed */
    size_t n;
};
void sync_export_map_init(struct sync_export_map *m, enum sync_export_kind k);
/* Renames column col to name (the map's line line): QS_E_DATA (e set) when col is not a
 * column, name is empty or holds a control character, or col was renamed already. */
int sync_export_map_add(struct sync_export_map *m, const char *col, const char *name, long line,
                        struct qs_err *e);
/* Names the columns not renamed as they are; QS_E_DATA when two columns would then have
 * one name (a header read by name could not tell them apart). file: the map, for the
 * message. */
int sync_export_map_end(struct sync_export_map *m, const char *file, struct qs_err *e);
void sync_export_map_free(struct sync_export_map *m);

/* ---- cancel (R-SYN-1b: qs sync cancel, Claim.SetCancelProcess) --------------------- */

/* The seller's reasons, in the order of Claim.SetCancelProcess's CancelReason ""/1/2/3;
 * out-of-stock is the seller-fault reason. */
enum sync_cancel_reason {
    SYNC_CANCEL_OUT_OF_STOCK,
    SYNC_CANCEL_ORDER_CHANGE,
    SYNC_CANCEL_UNDELIVERABLE,
    SYNC_CANCEL_DELAY,
};
extern const char *const sync_cancel_reasons[]; /* their names, NULL-terminated */
/* A reason's name -> the reason; -1 for anything else (NULL too). */
int sync_cancel_reason_parse(const char *name);
#define SYNC_CANCEL_MEMO_MAX 1000 /* SellerMemo, characters */

/* One input record; reason and memo NULL: the run's defaults. */
struct sync_cancel_req {
    char *order_no, *reason, *memo; /* owned by the caller */
    long line;                      /* input line, 0 for a command-line argument */
};
struct sync_cancel_opts {
    const char *shop;
    const char *file, *sheet; /* input name for messages, its worksheet (may be NULL) */
    int reason;               /* --reason (enum sync_cancel_reason), -1 when not given */
    const char *memo;         /* --memo, may be NULL */
    int retry_failed, dry_run, quiet;
    long inflight_s; /* how long a request may still be processed after its sender died */
    time_t now;
};
typedef void (*sync_cancel_reject_fn)(const struct sync_cancel_req *r, const struct qs_err *e,
                                      void *ctx);
struct sync_cancel;
/* Checks every record (R-SYN-1b): a known order line not shipped, a reason, a memo of at
 * most 1000 characters on one... any lines, no conflicting repeat; lines already cancelled
 * (claim 2, 3, 16, or done by qs) are settled without a send. Calls rej for each bad one
 * and returns QS_E_DATA when there is one: nothing is queued. *out is freed with
 * sync_cancel_free. */
int sync_cancel_plan(struct store *s, const struct sync_cancel_opts *o,
                     const struct sync_cancel_req *reqs, size_t n, sync_cancel_reject_fn rej,
                     void *ctx, struct sync_cancel **out, struct sync_send_stats *st,
                     struct qs_err *e);
void sync_cancel_free(struct sync_cancel *p);
/* A cancel run as a job: p planned, q open, st the plan's stats. Each order is cancelled
 * once through the outbox (kind "cancel"); an order that may have been cancelled before
 * (in flight when its run died, sent without an answer, refused) is settled by reading
 * its claim (GetShippingAndClaimInfoByOrderNo_V2, R-SYN-9) before anything is resent. */
struct sync_cancel_job {
    struct sync_cancel *p;
    struct qapi *q;
    struct sync_send_stats *st;
};
extern const struct job_ops sync_cancel_job_ops;

/* Checks an EstShipDt for confirm: date (yyyy-mm-dd or anything tm_parse takes) must be
 * after today in Japan and at most 30 days ahead; writes yyyyMMdd into est. NULL date:
 * tomorrow. Returns 0 or QS_E_USAGE. */
int sync_est_ship_date(const char *date, time_t now, char est[16], struct qs_err *e);

/* ---- probe (R-SYN-10) ------------------------------------------------------------ */

struct sync_probe_opts {
    const char *shop;
    time_t now; /* the run's clock: windows end here, EstShipDt is its next day in Japan */
    int days;   /* the open-orders window, 1-90 days (--days) */
    const char *order_no; /* the bulk writes' order number, digits, must not exist (--order-no) */
    long window_cap;      /* the shop's sync.window_cap, 0 when unset */
};

struct sync_probe;

/* The probes in the order they are sent, each {probe, method, version, params}, as a new
 * JSON array in *out (for --dry-run: nothing is sent). QS_E_USAGE for bad options. */
int sync_probe_plan(const struct sync_probe_opts *o, json_t **out, struct qs_err *e);
/* Sends the probes through q (man qs-sync, PROBES) and computes the findings. The bulk
 * writes go only when GetShippingAndClaimInfoByOrderNo_V2 showed o->order_no unknown
 * (ResultCode 0 without a row, or -10001), EditGoodsInventory only when GetItemDetailInfo
 * showed item 1 unknown. A refusal is an answer; a call that got no answer, a refused
 * login or a failed audit ends the run. Returns 0; the client's error after which it
 * stopped; QS_E_FAIL when a write was held back (the order or item exists); QS_E_USAGE
 * before anything was sent. *out (free with sync_probe_free) holds what was learned
 * whenever something was sent, else NULL. */
int sync_probe_run(struct qapi *q, const struct sync_probe_opts *o, struct sync_probe **out,
                   struct qs_err *e);
/* How many probes got an HTTP answer. */
long sync_probe_answered(const struct sync_probe *p);
/* Calls fn for each finding of the format "qs-probe/1" in its order, with its value (JSON
 * null: could not tell) and its evidence; stops at fn's first non-zero return. */
typedef int (*sync_probe_finding_fn)(const char *name, const json_t *value, const char *evidence,
                                     void *ctx);
int sync_probe_findings(const struct sync_probe *p, sync_probe_finding_fn fn, void *ctx);
/* The default probe file name, qs-probe-SHOP-YYYYmmddTHHMMSSZ.json (UTC); malloc'd. */
char *sync_probe_default_path(const char *shop, time_t now);
/* 0 when nothing is at path; QS_E_IO naming it otherwise (a probe file is never replaced). */
int sync_probe_path_free(const char *path, struct qs_err *e);
/* Writes the probe file (format "qs-probe/1": every exchange, secrets and personal data
 * redacted, the login never; the findings) to path, mode 0600, never over an existing file
 * (QS_E_IO). */
int sync_probe_write(const struct sync_probe *p, const char *path, struct qs_err *e);
/* Stores the findings as shop settings in one transaction -- sync.open_form and
 * qapi.inventory_form when not null, sync.window_cap -- and calls fn for each stored. */
typedef void (*sync_probe_setting_fn)(const char *key, const char *value, void *ctx);
int sync_probe_apply(struct store *s, const char *shop, const struct sync_probe *p,
                     sync_probe_setting_fn fn, void *ctx, struct qs_err *e);
/* Frees p; sync_probe_free(NULL) is a no-op. */
void sync_probe_free(struct sync_probe *p);

/* ---- for notifications (sync_notify.c; module notify, R-SYN-4) ------------------- */

/* One state change of an order line (order_event) with its line's cart. */
struct sync_event {
    long long id;
    const char *order_no, *pack_no, *at, *kind, *old, *now; /* kind: new, status, claim, ... */
};
/* Calls fn for each event of shop after event id after, in id order; stops when fn returns
 * non-zero. */
int sync_events_after(struct store *s, const char *shop, long long after,
                      int (*fn)(const struct sync_event *ev, void *ctx), void *ctx,
                      struct qs_err *e);
/* One order line as a notification renders it: the stored fields, and from the last
 * GetShippingInfo_v3 row SellerID, ShippingRate, BuyerKana, ShippingWay,
 * DesiredDeliveryDate and ShippingMessage. Dates UTC ISO-8601 or "". */
struct sync_cart_line {
    const char *order_no, *pack_no, *seller_id, *ship_rate, *order_date, *buyer, *buyer_kana;
    const char *buyer_tel, *buyer_email, *payment_method, *ship_way, *hope_date, *ship_msg;
    const char *item_code, *title, *option_text, *seller_code, *receiver, *zip, *address;
    const char *tracking, *carrier;
    long long qty, price;
    int status, claim;
};
/* Calls fn for each line of cart pack_no of shop, or for the one line order_no when pack_no
 * is NULL or "", in order-number order; stops when fn returns non-zero. */
int sync_cart_each(struct store *s, const char *shop, const char *pack_no, const char *order_no,
                   int (*fn)(const struct sync_cart_line *l, void *ctx), void *ctx,
                   struct qs_err *e);
/* When a `qs sync orders` of shop last moved one of its marks: *at, and 1; 0 when none
 * ever did (*at 0); or a QS_E_* code. */
int sync_orders_synced_at(struct store *s, const char *shop, time_t *at, struct qs_err *e);

#endif

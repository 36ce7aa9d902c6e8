/* sync_internal: what the files of the sync module share (sync.c: pure parts and the
 * window fetcher; sync_db.c: every SQL statement on the module's tables; sync_orders.c,
 * sync_products.c, sync_send.c: the verbs). Not a public API. */
/* sync_probe_int.h: what the parts of qs sync probe (R-SYN-10) share -- sync_probe.c (the
 * plan, the run, the probe file, --apply) and sync_probe_find.c (the findings). */
#ifndef QS_SYNC_INT_H
#define QS_SYNC_INT_H

#include <jansson.h>
#include <sqlite3.h>

#include "../outbox.h"
#include "../strmap.h"
#include "sync.h"

struct sync_fetch_stats;
struct sync_lres;
struct sync_mv_line;
struct sync_mview;
struct sync_order;
struct sync_pline;
struct sync_probe;
struct sync_query;
struct sync_run;
struct sync_send;
struct sync_settled;
struct syncdb_item;
struct syncdb_line;

/* ---- JSON rows --------------------------------------------------------------------- */

/* The string form of member name (first of the NULL-terminated aliases present and not
 * empty) of a QAPI row: strings as they are, integers in decimal, reals as %.15g, else
 * "". Returns a malloc'd string; the caller frees it. */
char *sync_jstr(const json_t *row, const char *const *names);
/* As sync_jstr for one name. */
char *sync_jget(const json_t *row, const char *name);
/* The rows of a list lookup's ResultObject: the array itself, or the first array member
 * of an object ({ClaimInfo: [...]}); NULL when there are none. Borrowed. */
json_t *sync_rows(json_t *object);
/* Reads one order line with GetShippingAndClaimInfoByOrderNo_V2 (R-SYN-9: what the
 * marketplace holds settles an outcome). *row (a new reference) is NULL when the
 * marketplace refused with a code (it does not know the order); *answered is 1 when an
 * answer came. Returns 0, or the client's error (no answer, an answer that is not QAPI). */
int sync_order_read(struct qapi *q, const char *order_no, json_t **row, int *answered,
                    struct qs_err *e);
/* row as compact JSON with sorted keys, to compare answers. Returns a malloc'd string. */
char *sync_json_text(const json_t *row);
/* A 64-bit digest of the JSON value v, equal for two values exactly when their
 * sync_json_text is (members in any order), but for a chance of 2^-64: a re-read row is
 * compared by it, without writing it out (issue 16). */
int64_t sync_json_sum(const json_t *v);
/* A whole number in s ("1,980" and "1980.0" too); 0 when there is none. */
long long sync_num(const char *s);

/* R-SYN-9 (D3): a row's claimStatus (claimStatus, ClaimStatus, ClaimStat) as a JSON
 * number, a numeric string ("3") or a label with the code in parentheses ("Cancel
 * completed(3)"): the code (>= 0), or -1 when missing or unparseable (a label without a
 * code, "キャンセル完了") -- never 0 for a value qs cannot read. When raw is not NULL,
 * *raw gets the value as text ("" when missing), malloc'd; the caller frees it. */
int sync_claim_status(const json_t *row, char **raw);
/* The same for ShippingStatus (ShippingStatus, shippingStatus, ShippingStat); only 1-5
 * are statuses, anything else is -1. */
int sync_shipping_status(const json_t *row, char **raw);

/* GetAllGoodsInfo's ResultObject {TotalItems, TotalPages, PresentPage, Items[]}: the
 * Items array (borrowed; NULL when there is none or it is empty) and *pages, TotalPages
 * (0 when missing). */
json_t *sync_goods_page(const json_t *object, long *pages);

/* ---- order lines parsed from an answer ---------------------------------------------- */

struct sync_order {
    char *order_no, *pack_no, *item_code, *seller_code, *option_code, *option_text, *title;
    char *buyer, *buyer_email, *buyer_tel, *receiver, *receiver_tel, *zip, *address;
    char *payment_method, *carrier, *tracking, *related;
    char order_date[32], paid_date[32], ship_by[32], shipped_date[32], delivered_date[32];
    int status; /* 1-5, 0 when the row has none */
    long long qty, price, discount, total;
    char *raw;       /* the row, sync_json_text */
    int64_t raw_sum; /* sync_json_sum of the row */
};
/* Fills o from a GetShippingInfo_v3 row, a GetShippingAndClaimInfoByOrderNo_V2 row or a
 * GetClaimInfo_V3 row (their names differ in case and spelling). */
void sync_order_from_row(struct sync_order *o, const json_t *row);
/* The key of a GetShippingInfo_v3 row, read before the rest: its order number and status
 * (0 when none; as sync_order_from_row reads them) and the row's sync_json_sum. *no is
 * malloc'd; the caller frees it. */
void sync_order_key(const json_t *row, char **no, int *status, int64_t *sum);
/* Fills the empty fields of o from another row of the same line. */
void sync_order_fill(struct sync_order *o, const json_t *row);
/* Frees what o holds and zeroes it. */
void sync_order_clear(struct sync_order *o);

/* ---- window fetcher (R-SYN-1c): sync_fetch in sync.h ---------------------------------- */

extern const struct sync_query SYNC_Q_ORDERS_OPEN, SYNC_Q_ORDERS_SHIPPED, SYNC_Q_ORDERS_DELIVERED,
    SYNC_Q_CLAIMS_REQUESTED, SYNC_Q_CLAIMS_DONE;

/* ---- the module's SQL (sync_db.c, sync_db_items.c) ----------------------------------- */

enum sync_change { SYNC_SAME, SYNC_CHANGED, SYNC_NEW };
extern const char *const sync_change_names[3];

struct syncdb; /* prepared statements of one run */

/* Statement slots of a run's cache. */
enum syncdb_slot {
    ST_LINE_GET,
    ST_LINE_BRIEF,
    ST_LINE_SAME,
    ST_LINE_INS,
    ST_LINE_UPD,
    ST_LINE_SUM,
    ST_EVENT,
    ST_SEEN,
    ST_CLAIM_UPD,
    ST_STATUS_UPD,
    ST_CART,
    ST_SHIPPED,
    ST_CONFIRMED,
    ST_MARK_GET,
    ST_MARK_SET,
    ST_NTH_DATE,
    ST_ITEM_GET,
    ST_ITEM_INS,
    ST_ITEM_UPD,
    ST_ITEM_UPD_LIGHT,
    ST_ITEM_SEEN,
    ST_ITEM_GONE,
    ST_BOX_ORDER, /* sync_send.c: an order's outbox items of the kind */
    ST_BOX_KEY,   /* sync_send.c: the outbox item of a key */
    ST_PLAN_INS,  /* sync_send_rows.c: the plan's TEMP tables */
    ST_PLAN_GET,
    ST_PLAN_AT,
    ST_PLAN_EACH,
    ST_PLAN_SETTLE,
    ST_PLAN_SET_PUT,
    ST_PLAN_SET_EACH,
    ST_COUNT
};
/* A run's statements go through the store's SQL layer (store_bind's types; ?1 is always
 * the shop, so types start with 's' and the arguments with syncdb_shop(d)), prepared
 * once per run in slot i from text (NULL: sync_db.c's own).
 * syncdb_each calls row(st, ctx) for each row until it returns non-zero (row NULL: the
 * statement returns none) and resets the statement; it returns store_each's codes. */
int syncdb_each(struct syncdb *d, int i, const char *text, int (*row)(sqlite3_stmt *st, void *ctx),
                void *ctx, struct qs_err *e, const char *types, ...);
/* syncdb_each for a statement that returns no row. */
int syncdb_run(struct syncdb *d, int i, const char *text, struct qs_err *e, const char *types, ...);
/* v, or "" for NULL: the module's columns are NOT NULL text. */
static inline const char *syncdb_nz(const char *v)
{
    return v ? v : "";
}
/* Creates this connection's TEMP tables of what a run saw, when missing. */
int syncdb_temp_tables(struct syncdb *d, struct qs_err *e);
struct syncdb *syncdb_new(struct store *s, const char *shop);
void syncdb_free(struct syncdb *d);
struct store *syncdb_store(struct syncdb *d);
const char *syncdb_shop(const struct syncdb *d);

/* Inserts or updates an order line from o; records an event per state change (new,
 * status, tracking) at now; *chg says what happened. Marks the line seen. */
int syncdb_order_upsert(struct syncdb *d, const struct sync_order *o, const char *now,
                        enum sync_change *chg, long *events, struct qs_err *e);
/* 1 when the line is stored with this status and this row (raw) -- re-reading it changes
 * nothing -- and then marks it seen, unchanged; 0 when it is not (the caller upserts);
 * or an error. */
int syncdb_order_same(struct syncdb *d, const char *order_no, int status, int64_t raw_sum,
                      struct qs_err *e);
/* The stored state of a line: *found 0 when unknown. Any out pointer may be NULL;
 * strings are malloc'd. */
struct syncdb_line {
    int found, status, claim;
    char *pack_no, *carrier, *tracking, *related, *order_date, *claim_raw, *raw;
};
int syncdb_line_get(struct syncdb *d, const char *order_no, struct syncdb_line *l,
                    struct qs_err *e);
/* The same without claim_raw and raw (left NULL): a ship or confirm reads a line three
 * times, and copying its raw JSON was most of the read (issue 16). */
int syncdb_line_brief(struct syncdb *d, const char *order_no, struct syncdb_line *l,
                      struct qs_err *e);
void syncdb_line_clear(struct syncdb_line *l);
/* Sets the status (and carrier, tracking when not empty) of a stored line, with its
 * events; nothing when the line is unknown or unchanged. */
int syncdb_line_status(struct syncdb *d, const char *order_no, int status, const char *carrier,
                       const char *tracking, const char *now, long *events, struct qs_err *e);
/* Sets the claim of a stored line from a GetClaimInfo_V3 row (event when the claim
 * status changed); marks the line seen. */
int syncdb_claim_set(struct syncdb *d, const char *order_no, int claim, const char *reason,
                     const char *date, const char *raw, const char *now, enum sync_change *chg,
                     long *events, struct qs_err *e);
/* Calls fn with the order numbers of the other lines of order_no's cart (same pack_no,
 * or named in its RelatedOrder). */
int syncdb_cart_each(struct syncdb *d, const char *order_no,
                     int (*fn)(const char *order_no, void *ctx), void *ctx, struct qs_err *e);
/* After a confirmed send: the line is shipped (status 4, carrier, tracking) or
 * confirmed (status 3, ship_by), with its events. */
int syncdb_line_shipped(struct syncdb *d, const char *order_no, const char *carrier,
                        const char *tracking, const char *now, struct qs_err *e);
int syncdb_line_confirmed(struct syncdb *d, const char *order_no, const char *ship_by,
                          const char *now, struct qs_err *e);
/* Empties the seen set of the run (a TEMP table of this connection). */
int syncdb_seen_reset(struct syncdb *d, struct qs_err *e);
/* The order date (UTC ISO into buf, "" when none) of the k-th line (k >= 1), by order
 * date, of those with a status from lo to hi ordered at or after from (UTC ISO). */
int syncdb_nth_date(struct syncdb *d, int lo, int hi, const char *from, long k, char *buf,
                    size_t size, struct qs_err *e);
/* The high-water mark of stream (UTC ISO into buf, "" when none) / set it. */
int syncdb_mark_get(struct syncdb *d, const char *stream, char *buf, size_t size, struct qs_err *e);
int syncdb_mark_set(struct syncdb *d, const char *stream, const char *mark, const char *now,
                    struct qs_err *e);

/* Items (R-SYN-2). */
struct syncdb_item {
    int found;
    char *seller_code, *status, *title;
    long long price, qty;
};
int syncdb_item_get(struct syncdb *d, const char *item_code, struct syncdb_item *it,
                    struct qs_err *e);
void syncdb_item_clear(struct syncdb_item *it);
/* Inserts or updates an item; detail (GetItemDetailInfo object) may be NULL: then only
 * seller code and status change. Marks the item seen. */
int syncdb_item_upsert(struct syncdb *d, const char *item_code, const char *seller_code,
                       const char *status, const json_t *detail, const char *now,
                       enum sync_change *chg, struct qs_err *e);
/* Calls fn with the item codes of stored items not seen in this run (status not ""). */
int syncdb_items_unseen(struct syncdb *d, int (*fn)(const char *item_code, void *ctx), void *ctx,
                        struct qs_err *e);
/* Marks an item the marketplace no longer knows: status "". */
int syncdb_item_gone(struct syncdb *d, const char *item_code, const char *now, struct qs_err *e);

/* Starts a write transaction, or joins the caller's (*own 0); ends it with rc: commit
 * when 0, roll back otherwise (only when own). Returns rc or the commit's error. */
int syncdb_tx_begin(struct store *s, int *own, struct qs_err *e);
int syncdb_tx_end(struct store *s, int own, int rc, struct qs_err *e);

/* ---- ship and confirm (sync_send.c plans and reports, sync_send_run.c sends) --------- */

/* An item this run settled. */
struct sync_settled {
    char *key, *order_no, *code, *msg;
    const char *result; /* ok, failed, retry, unknown */
};

/* One order line of a send run (a row of temp.sync_plan, sync_send_rows.c). */
struct sync_pline {
    long seq;                            /* its row; 0 until stored */
    char *order_no, *carrier, *tracking; /* carrier, tracking: ship only */
    char *order_date;                    /* UTC ISO, from the store */
    char *key;                           /* its outbox key */
    long line;                           /* input line; 0: another line of a cart, or an argument */
    const char *pre;                     /* settled without a send ("ok"), else NULL */
    char *pre_msg;
    struct sync_settled set; /* this run's settlement of its key: result, code, msg (result
                                NULL: none) */
};

struct sync_send {
    struct store *s;
    struct syncdb *d;
    struct sync_send_opts o;
    const char *kind; /* outbox kind: "ship" or "confirm" */
    long n;           /* lines in the plan (temp.sync_plan: SPEC 8, nothing per line held) */
    sync_reject_fn rej;
    void *rej_ctx;
    struct sync_send_stats *st;
    int nbad;
    int reading, own; /* between sync_send_begin and sync_send_end; own: its transaction */
    char now[32];
    char **alloc; /* ship: the shop's lines allocated to the warehouse, sorted (R-STK-6) */
    size_t nalloc;
};

/* R-STK-6 (sync_send_alloc.c): loads p->alloc for ship without --force (nothing for a shop
 * that does not use the warehouse). */
int sync_send_alloc_load(struct sync_send *p, struct qs_err *e);
/* R-STK-6: when order_no is allocated to the warehouse, settles l as skipped (naming the
 * rule) and returns 1; else 0. */
int sync_send_alloc_skip(struct sync_send *p, struct sync_pline *l);
/* R-STK-6: 1 when order_no is allocated to the warehouse (p->alloc), else 0. */
int sync_send_alloc_has(const struct sync_send *p, const char *order_no);
#define SYNC_ALLOC_WHY                                                                             \
    "allocated to the Qxpress warehouse, which posts carrier and tracking itself; use --force "    \
    "to send anyway (R-STK-6)"
/* Frees p->alloc. */
void sync_send_alloc_free(struct sync_send *p);

/* Records a result of this run. Returns 0 or a QS_E_* code. */
int sync_send_settled(struct sync_send *p, const char *key, const char *order_no,
                      const char *result, const char *code, const char *msg, struct qs_err *e);

/* ---- the plan's rows (sync_send_rows.c: TEMP tables of the connection) ---------------- */

/* Creates the tables when missing and empties them. */
int sync_plan_reset(struct sync_send *p, struct qs_err *e);
/* Stores l as the plan's next line (l->seq set). */
int sync_plan_put(struct sync_send *p, struct sync_pline *l, struct qs_err *e);
/* The planned line of order_no / of row seq into *l (sync_pline_clear after): 1; 0 when
 * there is none; else a QS_E_* code. */
int sync_plan_get(struct sync_send *p, const char *order_no, struct sync_pline *l,
                  struct qs_err *e);
int sync_plan_at(struct sync_send *p, long seq, struct sync_pline *l, struct qs_err *e);
/* Frees what l holds and zeroes it. */
void sync_pline_clear(struct sync_pline *l);
/* Calls fn with each planned line in order (queued_only: those not settled by the plan)
 * until it returns non-zero; returns that, 0, or a QS_E_* code. l is borrowed. */
int sync_plan_each(struct sync_send *p, int queued_only,
                   int (*fn)(const struct sync_pline *l, void *ctx), void *ctx, struct qs_err *e);
/* Records a settlement: on the plan's line of key, else as an item of an earlier run. */
int sync_plan_settle(struct sync_send *p, const char *key, const char *order_no, const char *result,
                     const char *code, const char *msg, struct qs_err *e);
/* Calls fn with each item of an earlier run this run settled (its last settlement), in
 * the order of those settlements; as sync_plan_each. s is borrowed. */
int sync_plan_settled_each(struct sync_send *p, int (*fn)(const struct sync_settled *s, void *ctx),
                           void *ctx, struct qs_err *e);
/* The order number an outbox key is for ("300000001#2" -> "300000001"), into buf. */
const char *sync_key_order(const char *key, char *buf, size_t size);
/* The revision of an outbox key ("300000001" 1, "300000001#2" 2). */
int sync_key_rev(const char *key);

/* sync_send_box.c: outbox items of a kind of d's shop read through the index, one at a
 * time (the fields id, key, payload, ref, last_error and state; sync_box_clear after). The
 * newest item (highest revision) of order_no, or the item of key, into *it: 1; 0 when there
 * is none; else a QS_E_* code. */
int sync_box_current(struct syncdb *d, const char *kind, const char *order_no,
                     struct outbox_item *it, struct qs_err *e);
int sync_box_key(struct syncdb *d, const char *kind, const char *key, struct outbox_item *it,
                 struct qs_err *e);
void sync_box_clear(struct outbox_item *it);
/* Plans or reports in one read transaction (BEGIN DEFERRED) unless the caller holds one
 * (*own 0): one snapshot and one file lock for the pass instead of one per statement.
 * sync_read_end commits it, or rolls it back when rc < 0; returns rc or the commit's. */
int sync_read_begin(struct store *s, int *own, struct qs_err *e);
int sync_read_end(struct store *s, int own, int rc, struct qs_err *e);

/* ---- the send engine (sync_send_read.c reads back, sync_send_run.c sends) ------------ */

/* What reconciling reads found: the lines in the searched states, by order number. */
struct sync_mv_line {
    char *order_no, *tracking;
    int status;
};
struct sync_mview {
    struct sync_mv_line *v;
    size_t n, cap;
    int have;
    time_t from, to; /* covered, both included */
};

struct sync_run {
    struct sync_send *p;
    struct qapi *q;
    struct sync_send_stats *st;
    struct qs_err *e;
    struct sync_mview mv;
    time_t lo, hi; /* what the orphans' sends may fall in, known before recovering */
    int have_bounds;
    int stop;        /* the marketplace did not answer, or refused our credentials */
    time_t now;      /* fixed per read: windows must not grow with the clock */
    int waited;      /* for requests of dead runs still being processed, this recovery */
    int read_failed; /* a reconciling read failed in this recovery: no more tries */
    struct progress *pg;
};

struct sync_lres {
    const char *result; /* NULL: no answer yet */
    int code;
    char *msg;
};

/* Frees the view's lines and empties it. */
void sync_send_view_clear(struct sync_mview *m);
/* Makes r's view cover [from, to], reading only what it lacks; on failure the view is
 * empty and r->e set. */
int sync_send_view_cover(struct sync_run *r, time_t from, time_t to);
/* The payload of an item parsed (NULL when it is not JSON); the caller json_decref()s it. */
json_t *sync_send_payload(const struct outbox_item *it);
/* A payload field of it, malloc'd ("" when missing); the caller frees it. */
char *sync_send_pget(const struct outbox_item *it, const char *name);
/* The window the send of it, if it happened, shows up in. */
void sync_send_bounds(const struct sync_run *r, const struct outbox_item *it, time_t *from,
                      time_t *to);
/* Widens [*lo, *hi] (empty while !*have) to hold [from, to]. */
void sync_send_widen(time_t *lo, time_t *hi, int *have, time_t from, time_t to);
/* What r's view says about it; *found (when not NULL) gets the tracking number seen,
 * malloc'd, or NULL. */
enum outbox_recon sync_send_judge(const struct sync_run *r, const struct outbox_item *it,
                                  char **found);
/* outbox_recover's reconcile callback (ctx: the struct sync_run): one read covering the
 * orphans, after the dead run's in-flight time. */
enum outbox_recon sync_send_recon(const struct outbox_item *it, char **ref, void *ctx);
/* Sets a line's result (result is a static string; msg is copied). */
void sync_send_lres_set(struct sync_lres *l, const char *result, int code, const char *msg);
/* R-SYN-9: reads back each refused ("failed") line of a send and settles it by what the
 * marketplace holds; a failed read makes it "retry". Returns 0. */
int sync_send_already(struct sync_run *r, struct outbox_item **items, struct sync_lres *res,
                      size_t n);

/* ---- cancel (sync_cancel.c plans and reports, sync_cancel_run.c sends) ------------- */

struct sync_cline {
    char *order_no, *key, *memo;
    int reason;      /* enum sync_cancel_reason */
    long line;       /* input line, 0 for an argument */
    const char *pre; /* settled without a send ("ok"), else NULL */
    char *pre_msg;
};

struct sync_cancel {
    struct store *s;
    struct syncdb *d;
    struct sync_cancel_opts o;
    struct sync_cline *l;
    size_t n, cap;
    struct strmap planned;    /* order_no -> index in l */
    struct sync_settled *set; /* what this run settled, by key */
    size_t nset, capset;
    struct strmap settled; /* key -> index in set of its last settlement */
    char now[32];
};

/* Records a result of this run (result a static string; the rest copied). */
void sync_cancel_settled(struct sync_cancel *p, const char *key, const char *order_no,
                         const char *result, const char *code, const char *msg);
/* Writes the planned lines into the outbox, in one transaction (or the caller's). */
int sync_cancel_enqueue(struct sync_cancel *p, struct qs_err *e);
/* Reconciles what dead runs left in flight, then sends every due cancel of the shop, each
 * read back first when it may have been sent before; waits (up to a minute) for cancels
 * other live runs hold. */
int sync_cancel_run(struct sync_cancel *p, struct qapi *q, struct sync_send_stats *st,
                    struct qs_err *e);
/* 1 when a claim code means the line is cancelled or being cancelled (2, 3, 16). */
int sync_cancel_claim_done(int claim);

#define PROBE_RULE    "R-SYN-10"
#define PROBE_FORMAT  "qs-probe/1"
#define MIN_CAP       200 /* the default window cap of the contract rule */
#define CLAIM_DAYS    90
#define MAX_EXAMPLES  10
#define PROBE_CARRIER "ヤマト宅急便"
#define PROBE_ITEM    "1"
#define PROBE_SELLER  "qs-probe-none"
#define INV_1AXIS     "Color||*Red||*0||*0||*qs-probe"
#define INV_2AXIS     "Color||*Red||*Size||*L||*0||*0||*qs-probe"

/* The probes, in the order sent (the man page's PROBES section names them). */
enum {
    P_OPEN0,
    P_OPENB,
    P_OPEN1,
    P_OPEN2,
    P_OPEN3,
    P_CLAIMS,
    P_ORDER,
    P_SHIP,
    P_CONFIRM,
    P_VDOC,
    P_VOTHER,
    P_ITEM,
    P_INV1,
    P_INV2,
    P_N
};

struct sync_probe {
    json_t *doc, *exchanges, *findings, *evidence;
    json_t *body[P_N]; /* the parsed answer of each probe sent, unredacted; NULL if none */
    int code[P_N];     /* its ResultCode or ErrorCode, QAPI_CODE_NONE when none */
    long http[P_N];    /* 0: not sent or no answer */
    int sent[P_N];
    char *msg[P_N]; /* ResultMsg, redacted by the client */
    long answered;
};

/* The probe ids, by P_* (the man page's PROBES section names them). This and
 * probe_text_json live in sync_probe_find.c, below sync_probe.c. */
extern const char *const probe_id[P_N];

/* A JSON string of s with invalid UTF-8 replaced by U+FFFD (an answer may be anything). */
json_t *probe_text_json(const char *s);
/* The rows of an answered list lookup; -1 when it was refused or not answered. */
long probe_rows_of(const struct sync_probe *p, int i);
/* A short account of probe i's answer for messages: `-10001 "..."`, "plain text", ... */
void probe_answer_desc(const struct sync_probe *p, int i, char *buf, size_t size);
/* Computes every finding of the probe file from the answers (o: the run's options; vdoc,
 * vother: the two QAPIVersions of the version probes). */
void probe_find(struct sync_probe *p, const struct sync_probe_opts *o, const char *vdoc,
                const char *vother);

#endif

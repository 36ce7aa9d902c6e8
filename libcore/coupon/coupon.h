/* coupon: the shop's coupons as QSM shows them (SPEC 4, R-CPN-1). Coupons are created in
 * QSM; qs records them -- one by options, or many from CSV, JSON Lines or .xlsx -- so that
 * they can be pushed later. Every bad field of every record is reported, then nothing is
 * written.
 *
 * Table (owned by this module; migration in schema.c):
 *
 *   coupon -- one row per coupon of a shop
 *     id               INTEGER PRIMARY KEY
 *     shop             the shop it belongs to
 *     code             the seller's own id of the coupon; UNIQUE (shop, code)
 *     qsm_no           QSM's coupon number, NULL until known (qs coupon edit --qsm-no);
 *                      unique within the shop (index coupon_qsm)
 *     name             the coupon's name
 *     discount_kind    'yen' (yen off) or 'percent'
 *     discount         whole yen (1 or more), or a percent from 1 to 99
 *     max_discount     the most yen a percent discount takes off; NULL none (always NULL
 *                      with a yen discount)
 *     min_order        whole yen, 0 or more (0: no minimum)
 *     valid_from, valid_to   UTC ISO-8601; valid_to after valid_from
 *     issue_limit, per_buyer_limit   whole numbers of 1 or more, NULL: no limit
 *     qstore_only      1 when the coupon is for Qoo10's app (Qstore) only, else 0
 *     created_at, updated_at
 *
 *   coupon_push -- one row per push of a coupon (R-CPN-2 .. R-CPN-11)
 *     id, shop
 *     key              the push's idempotency key (its outbox item's); UNIQUE (shop, key)
 *     type             'ad' (to fans) or 'comp' (to buyers of given orders)
 *     coupon_id        the coupon pushed (coupon.id)
 *     send_at          the send time, UTC ISO-8601
 *     week             coupon_week(send_at): the calendar week in Japan
 *     items            "top:N" or the item codes, comma-separated
 *     banner, link     the banner file (absolute path) and its link, NULL: none
 *     fans_since, fans_until   ad: the fans' follow dates (YYYY-MM-DD), NULL: any
 *     orders           comp: how many order numbers the push lists
 *     estimate         the recipient estimate, NULL: unknown
 *     recipients       how many QSM sent it to (qs coupon confirm --sent), NULL: unknown
 *     state            scheduled, handed-off, applied, cancel-requested, cancelled, sent,
 *                      or refused (re-checked at hand-off and refused: never reached QSM)
 *     created_at, updated_at
 *
 * Times are UTC ISO-8601 text (SPEC 1.5), read and printed in the shop's zone (or --tz).
 * Money is whole yen (INTEGER). */
#ifndef QS_COUPON_H
#define QS_COUPON_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "../deliver/deliver.h"
#include "../err.h"
#include "../job.h"
#include "../record/record.h"
#include "../store.h"

/* The fields of a coupon, in the order of the input columns. */
enum coupon_field {
    CPN_QSM_NO,
    CPN_CODE,
    CPN_NAME,
    CPN_DISCOUNT,
    CPN_MAX_DISCOUNT,
    CPN_MIN_ORDER,
    CPN_VALID_FROM,
    CPN_VALID_TO,
    CPN_ISSUE_LIMIT,
    CPN_PER_BUYER_LIMIT,
    CPN_QSTORE_ONLY,
    CPN_NFIELDS
};

/* The input columns of qs coupon add, in enum coupon_field order: "qsm_no", "code", "name",
 * "discount", "max_discount", "min_order", "valid_from", "valid_to", "issue_limit",
 * "per_buyer_limit", "qstore_only". */
extern const char *const coupon_columns[CPN_NFIELDS];

enum coupon_kind { COUPON_YEN, COUPON_PERCENT };

/* One coupon. The strings belong to whoever filled it: coupon_check (free with
 * coupon_clear) or the store row handed to a callback (valid during the call). */
struct coupon {
    const char *code;
    const char *qsm_no; /* "" when not known yet */
    const char *name;
    enum coupon_kind kind;
    long long discount;     /* yen, or percent 1..99 */
    long long max_discount; /* yen; -1 none */
    long long min_order;    /* yen, >= 0 */
    time_t valid_from, valid_to;
    long long issue_limit, per_buyer_limit; /* -1: no limit */
    int qstore_only;
    /* Read from the store only (coupon_each): */
    long long pushes;                    /* pushes of the coupon, not cancelled or refused */
    const char *created_at, *updated_at; /* UTC ISO-8601 */
    char *own;                           /* coupon_check's copy of the texts */
};

/* ---- pure parts: the values of R-CPN-1 ---- */

/* Parses a discount: yen off ("500"; also "1,000", "¥500", "500円") of 1 or more, or a
 * percent from 1 to 99 ("10%", "10％"); full-width digits are read as digits, spaces
 * around ignored. Returns 0, or -1 with *why (static text: what is wrong, with the
 * allowed values). */
int coupon_discount_parse(const char *s, enum coupon_kind *kind, long long *amount,
                          const char **why);
/* Parses a whole yen amount of min or more ("1,000", "¥500", "500円", full-width digits).
 * Returns 0 or -1. */
int coupon_yen_parse(const char *s, long long min, long long *out);
/* Parses a whole number of 1 or more (an issue limit). Returns 0 or -1. */
int coupon_count_parse(const char *s, long long *out);
/* Parses yes or no (any case; true and false too, as JSON and Excel write them) into
 * *out (1, 0). Returns 0 or -1. */
int coupon_yesno_parse(const char *s, int *out);
/* Parses a validity time in zone tz: "YYYY-MM-DD HH:MM" (also with ":SS", 'T' for the
 * space, '/' in the date, one-digit month, day and hour), or "YYYY-MM-DD" alone: 00:00
 * that day (end 0, valid_from) or 23:59 (end 1, valid_to). Returns 0, or -1 with the
 * reason in why[size]. */
int coupon_time_parse(const char *s, const char *tz, int end, time_t *out, char *why, size_t size);
/* Writes t in zone tz as "YYYY-MM-DD HH:MM" (":SS" added when not 0) into buf; returns buf
 * ("" when tz is unknown). */
char *coupon_time_format(time_t t, const char *tz, char *buf, size_t size);
/* Writes a discount as the input gives it: "500" or "10%". Returns buf. */
char *coupon_discount_format(enum coupon_kind kind, long long amount, char *buf, size_t size);
/* The coupon's state at now: "upcoming" (before valid_from), "valid" or "expired" (after
 * valid_to). */
const char *coupon_state(const struct coupon *c, time_t now);

/* A problem with field f of a coupon being checked; msg has no location and no rule. */
typedef void (*coupon_diag_fn)(void *ctx, int field, const char *msg);

/* R-CPN-1: checks the values v[f] (texts, as given) of a coupon and fills c. With base
 * NULL, a NULL v[f] is an empty one (a new coupon); with base (an edit), a NULL v[f]
 * keeps base's value and "" clears an optional field. Every problem is reported through
 * diag (code, name, discount, valid_from and valid_to are required; max_discount only with
 * a percent; valid_to after valid_from). Times are read in zone tz. Returns the number of
 * problems; c is filled either way and its texts are freed by coupon_clear. */
int coupon_check(const char *const v[CPN_NFIELDS], const struct coupon *base, const char *tz,
                 struct coupon *c, coupon_diag_fn diag, void *ctx);
/* Frees what coupon_check kept in c; coupon_clear(NULL) is a no-op. */
void coupon_clear(struct coupon *c);

/* ---- add, edit, list (the table) ---- */

/* What add and edit tell their caller. Either callback may be NULL. */
struct coupon_cb {
    void *ctx;
    /* An error, with its location (file, line, sheet, column; or the record's code), its
     * message and rule. */
    void (*report)(void *ctx, const struct qs_err *e);
    /* A coupon added or changed, in input order; called once the change is committed
     * (with dry_run: instead of committing). */
    int (*row)(void *ctx, const struct coupon *c, struct qs_err *e);
};

struct coupon_opts {
    const char *tz; /* the zone times are read in */
    int dry_run;    /* check and report, write nothing */
    /* How messages name each field when the values come from options ("--max-discount");
     * NULL: by column name. */
    const char *const *names;
};

struct coupon_stats {
    long records; /* records read */
    long added;   /* coupons added (or, with dry_run, that would be) */
    long errors;  /* problems reported */
};

/* R-CPN-1: adds to shop the coupons read from fp (CSV, JSON Lines or an .xlsx sheet, named
 * name in messages, read with ro), in one transaction. Every problem of every record is
 * reported through cb->report; then nothing is written and QS_E_DATA is returned. A code
 * (or a qsm_no) twice in the input or already in the shop is a problem. */
int coupon_add_file(struct store *s, const char *shop, FILE *fp, const char *name,
                    const struct rec_reader_opts *ro, const struct coupon_opts *o,
                    const struct coupon_cb *cb, struct coupon_stats *st, struct qs_err *e);
/* R-CPN-1: adds one coupon of values v (indexed by enum coupon_field, NULL: not given) to
 * shop: as coupon_add_file, messages naming the code. */
int coupon_add_values(struct store *s, const char *shop, const char *const v[CPN_NFIELDS],
                      const struct coupon_opts *o, const struct coupon_cb *cb,
                      struct coupon_stats *st, struct qs_err *e);
/* R-CPN-1: changes coupon code of shop: v[f] NULL keeps a field, "" clears an optional one;
 * the result is checked as a new coupon is. QS_E_DATA when there is no such coupon or a
 * value is bad (each problem reported through cb->report first). */
int coupon_edit(struct store *s, const char *shop, const char *code,
                const char *const v[CPN_NFIELDS], const struct coupon_opts *o,
                const struct coupon_cb *cb, struct qs_err *e);
/* Calls fn with each coupon of shop (code NULL), or with coupon code only, in order of
 * code; stops at fn's first negative return, which is returned. QS_E_DATA when code is
 * given and shop has no such coupon. */
int coupon_each(struct store *s, const char *shop, const char *code,
                int (*fn)(void *ctx, const struct coupon *c, struct qs_err *e), void *ctx,
                struct qs_err *e);

/* ---- pushes: the table (coupon_push.c) ---- */

/* One push as stored; texts belong to the row (valid during a callback). */
struct coupon_push {
    long long id;
    const char *key, *type, *code; /* code: the coupon's */
    time_t send_at;
    long week;
    const char *items, *banner, *link, *fans_since, *fans_until; /* "" when none */
    long long orders;
    long long estimate;   /* -1: unknown */
    long long recipients; /* what QSM reported (qs coupon confirm --sent), -1: unknown */
    const char *state;
    const char *created_at; /* UTC ISO-8601 */
};
/* The push of shop holding week other than key but (may be NULL) and not cancelled or
 * refused (R-CPN-5 counts it): its id into *id (0: none). Returns 0 or a QS_E_* code. */
int coupon_push_week_taken(struct store *s, const char *shop, long week, const char *but,
                           long long *id, struct qs_err *e);
/* Inserts push p of coupon p->code of shop at now (its week from p->send_at; p->id and
 * p->state ignored: 'scheduled'). *id (may be NULL) gets the row id. QS_E_DATA when the
 * shop has no such coupon or already has a push with p->key. */
int coupon_push_insert(struct store *s, const char *shop, const struct coupon_push *p, time_t now,
                       long long *id, struct qs_err *e);
/* Sets the state of the push of shop with key. QS_E_DATA when there is none. */
int coupon_push_set_state(struct store *s, const char *shop, const char *key, const char *state,
                          time_t now, struct qs_err *e);
/* Calls fn with each push of shop (key NULL) or the one with key, by send time then id;
 * stops at fn's first negative return, which is returned. */
int coupon_push_each(struct store *s, const char *shop, const char *key,
                     int (*fn)(void *ctx, const struct coupon_push *p, struct qs_err *e), void *ctx,
                     struct qs_err *e);

/* ---- pushes: the pure parts (coupon_slot.c) ---- */

#define COUPON_SLOT_DAYS   3  /* R-CPN-4: D+1 .. D+3 */
#define COUPON_NSLOTS      75 /* 3 days of 25 half hours from 10:00 to 22:00 */
#define COUPON_TOP_MIN     4  /* R-CPN-7 */
#define COUPON_TOP_MAX     16
#define COUPON_TOP_DEFAULT 4
#define COUPON_ITEMS_MAX   16

/* R-CPN-4: 0 when at is one of QSM's send times as seen at now -- a date D+1 .. D+3 (Japan
 * calendar days after now's) at 10:00 .. 22:00 in 30-minute steps; else -1 with why[size]
 * naming the time and the allowed dates and times. */
int coupon_slot_check(time_t at, time_t now, char *why, size_t size);
/* R-CPN-4: "choose a date from D+1 to D+3, at 10:00 to 22:00 ..." for now, into buf. */
void coupon_slot_allowed(time_t now, char *buf, size_t size);
/* R-CPN-4: the allowed send times at now, earliest first: writes at most n into out and
 * returns how many there are (COUPON_NSLOTS). */
size_t coupon_slots(time_t now, time_t *out, size_t n);
/* R-CPN-4: the apply-by time of a push sent at at (file: hand-off): 23:59 JST the day
 * before the send date. */
time_t coupon_apply_by(time_t at);
/* R-CPN-5: the calendar week (Monday to Sunday, Japan time) of t, as a number that grows by
 * one each Monday 00:00 JST. */
long coupon_week(time_t t);
/* Writes t in Japan time as "YYYY-MM-DD HH:MM" into buf; returns buf. */
char *coupon_jst_format(time_t t, char *buf, size_t size);

/* R-CPN-7: the items of the push mail: QSM's top N (top > 0), or n item codes. */
struct coupon_items {
    int top;
    char **codes; /* malloc'd, each malloc'd: coupon_items_clear */
    size_t n;
};
/* R-CPN-7: parses --items: "top:N" (N 4..16), or 1..16 comma-separated codes; NULL or ""
 * is top:4. Returns 0, or -1 with why[size]. */
int coupon_items_parse(const char *s, struct coupon_items *it, char *why, size_t size);
void coupon_items_clear(struct coupon_items *it);

/* R-CPN-8: the type ("png", "jpeg") and size of an image from the first n bytes of its
 * file (its header, never its name). Returns 0, or -1 when b is neither a PNG nor a JPEG
 * whose frame header lies within the n bytes. */
int coupon_image_size(const unsigned char *b, size_t n, const char **type, unsigned *w,
                      unsigned *h);
#define COUPON_BANNER_W 1860
#define COUPON_BANNER_H 240
/* R-CPN-8: a banner's link: kind "shop" (target ""), "item" (target the item code) or
 * "url" (an http or https URL). Texts point into the parsed string. */
struct coupon_link {
    const char *kind, *target;
};
/* R-CPN-8: parses --link: shop, item:CODE or an http(s) URL. 0, or -1 with why[size]. */
int coupon_link_parse(const char *s, struct coupon_link *l, char *why, size_t size);

/* ---- push: the plan (coupon_plan.c) ---- */

/* The outbox kinds of the coupon delivery (SPEC 1.7): a push application, a cancel. */
#define COUPON_KIND        "coupon"
#define COUPON_CANCEL_KIND "coupon-cancel"

/* What `qs coupon push ad|comp` asks for. */
struct coupon_push_req {
    const char *type;          /* "ad" or "comp" */
    const char *code;          /* --coupon: the seller's code of the coupon */
    const char *at;            /* --at: "YYYY-MM-DD HH:MM" in Japan time (also "YYYY/MM/DD"), or
                                * "next" */
    const char *items;         /* --items; NULL: top:4 */
    const char *banner, *link; /* --banner FILE, --link; NULL: none */
    const char *fans_since, *fans_until; /* ad: follow dates YYYY-MM-DD; NULL: any */
    /* comp: the order numbers, the input's name and each number's line (0: none) and
     * sheet ("" or NULL: a text file) for messages */
    const char *const *orders;
    const long *lines;
    size_t norders;
    const char *input, *sheet;
    int strict; /* --strict: orders unknown to the store are errors */
    time_t now; /* the time the push is applied (the rules' "today") */
};

/* Problems and warnings of a plan, each with its rule and, for an order, its location. */
struct coupon_push_cb {
    void *ctx;
    void (*report)(void *ctx, const struct qs_err *e); /* a refusal */
    void (*warn)(void *ctx, const struct qs_err *e);   /* a warning; may be NULL */
};

/* A push checked and ready to record: its row, its idempotency key and the payload of its
 * outbox item (the QSM form's fields, documented in qs-coupon(1)). */
struct coupon_push_plan {
    struct coupon_push p; /* p.id, p.state set when the push exists already */
    char key[96];
    char *payload;  /* JSON */
    int exists;     /* the same push (same key) is in the store already: nothing to record */
    size_t unknown; /* comp: order numbers the store does not know (passed on) */
    char *own[8];   /* texts p points to */
};

/* R-CPN-2..9: checks the push r of shop and fills out. Every problem is reported through
 * cb->report (with its rule id and the allowed values), then QS_E_DATA is returned and
 * nothing is changed; warnings go to cb->warn. The same push asked again (same coupon,
 * type, items, banner, link, fans and orders; the same --at, or with --at next a push of
 * them still to be sent) is found by its key: out->exists. */
int coupon_push_plan(struct store *s, const char *shop, const struct coupon_push_req *r,
                     const struct coupon_push_cb *cb, struct coupon_push_plan *out,
                     struct qs_err *e);
void coupon_push_plan_clear(struct coupon_push_plan *p);
/* R-CPN-5, R-CPN-9: records the planned push (state scheduled) and queues its outbox item
 * (kind coupon) in one transaction, the week checked again inside it (a concurrent push
 * may have taken it: QS_E_DATA naming it). Returns 0 when recorded, 1 when the push exists
 * already (p->exists, or recorded meanwhile by a concurrent run: left as it is). */
int coupon_push_record(struct store *s, const char *shop, const struct coupon_push_plan *p,
                       time_t now, struct qs_err *e);

/* ---- push: the hand-off (coupon_run.c) ---- */

struct coupon_run_opts {
    const char *shop;
    const char *delivery; /* NULL: the shop's deliver.coupon (default file:) */
    int retry_failed;     /* --retry-failed */
    int resend_unknown;   /* --resend-unknown */
    long timeout_ms;      /* hook: silence before retry; 0: deliver's default */
    int csv;              /* file: QSM's order-list form as CP932 CSV */
    FILE *dry_run;        /* print the requests here, change nothing */
    const char *prog;
    time_t now; /* the rules' time (R-CPN-4, R-CPN-6) */
};

/* One outbox item settled by a run, or refused before its hand-off. */
struct coupon_run_row {
    char *kind, *key;
    const char *result; /* ok, handed-off, failed, retry */
    enum deliver_status status;
    char *ref, *message;
};

struct coupon_run {
    struct coupon_run_row *v;
    size_t n;
    struct deliver_report rep; /* both kinds together */
};

/* SPEC 1.6, 1.7: hands off what is due of shop's pushes (kind coupon), then its cancels
 * (kind coupon-cancel), each re-checked first (R-CPN-4, R-CPN-6, R-CPN-8: refused ones fail
 * for good with the reason, never reaching QSM); then coupon_push_settle. Fills out (free
 * with coupon_run_clear). Must be called outside a transaction unless dry_run. */
int coupon_run(struct store *s, const struct coupon_run_opts *o, struct coupon_run *out,
               struct qs_err *e);
void coupon_run_clear(struct coupon_run *r);
/* R-CPN-11: brings the pushes' states in line with their outbox items: a push handed to a
 * hook that said ok is applied, one written to a hand-off folder handed-off, one refused
 * (by a hook, or a re-check) refused; a cancel done makes its push cancelled, a cancel
 * refused puts the push back. Idempotent; safe after a crash anywhere. */
int coupon_push_settle(struct store *s, const char *shop, time_t now, struct qs_err *e);

/* ---- push: cancel, confirm, record (coupon_life.c) ---- */

struct coupon_cancel_result {
    long long id;
    char key[96];
    const char *how; /* "withdrawn" (never handed off), "queued" (a cancel item), "already" */
    time_t deadline; /* the send time - 24 hours */
};
/* R-CPN-6: cancels push ref (its number or key) of shop at now: a push not handed off yet is
 * withdrawn from the outbox; one handed off or applied gets a cancel item of its own (kind
 * coupon-cancel, key "<push key>-cancel") and state cancel-requested, until 24 hours before
 * its send time -- later, QS_E_DATA naming the deadline. One transaction. */
int coupon_cancel(struct store *s, const char *shop, const char *ref, time_t now,
                  struct coupon_cancel_result *out, struct qs_err *e);

enum coupon_confirm { COUPON_APPLIED, COUPON_SENT, COUPON_CANCELLED };
struct coupon_confirm_result {
    long long id;
    char key[96];
    char from[32], to[32];
    int already; /* it was so already: nothing changed */
};
/* R-CPN-11: records what QSM did with push ref: --applied (a handed-off push, before its
 * apply-by time: later is QS_E_DATA naming R-CPN-4 and the new allowed dates), --sent (with
 * recipients >= 0 when known), --cancelled (a handed-off cancel). The hand-off's outbox item
 * is confirmed with it (SPEC 1.7). */
int coupon_confirm(struct store *s, const char *shop, const char *ref, enum coupon_confirm what,
                   long long recipients, time_t now, struct coupon_confirm_result *out,
                   struct qs_err *e);

struct coupon_record_result {
    long long id;
    char key[96];
    int already;     /* recorded before (same type, coupon and time) */
    long long other; /* another push in the same week (R-CPN-5), 0 none */
};
/* R-CPN-11: enters a push made directly in QSM (type, coupon code, send time at) as applied,
 * so that R-CPN-5 counts it; nothing is handed off. */
int coupon_record(struct store *s, const char *shop, const char *type, const char *code, time_t at,
                  time_t now, struct coupon_record_result *out, struct qs_err *e);

/* ---- the jobs (coupon_job.c): push, cancel, run through the one runner ---- */

struct coupon_job {
    struct store *s;
    struct coupon_run_opts ro;           /* ro.shop, ro.now: the run and the rules */
    const char *tz;                      /* the zone the report prints times in */
    const struct coupon_push_plan *plan; /* push: the push planned (coupon_push_plan) */
    const char *cancel_ref;              /* cancel: the push to cancel */
    struct coupon_cancel_result cancel;  /* filled by the cancel's enqueue */
    struct coupon_run run;               /* filled by the run */
    int existed;                         /* push: recorded before this run */
};
/* The report's columns: push, kind, key, send_at, result, ref, message. */
extern const char *const coupon_job_cols[];
extern const struct job_ops coupon_push_job_ops, coupon_cancel_job_ops, coupon_run_job_ops;
void coupon_job_clear(struct coupon_job *j);

/* ---- the plan of the coming weeks (coupon_push.c) ---- */

struct coupon_week_row {
    long week;                   /* coupon_week() */
    time_t monday;               /* 00:00 JST on its Monday */
    const struct coupon_push *p; /* a push that holds it (R-CPN-5), NULL: free */
    const char *slots;           /* the first free week only: when a push may go, else "" */
};
/* R-CPN-5: the four calendar weeks from now's (Japan time): fn once per push counted in a
 * week (not cancelled or refused), or once for a free week; the first free week's row says
 * its allowed send times at now (or from when it can be applied). Stops at fn's first
 * negative return. */
int coupon_weeks(struct store *s, const char *shop, time_t now,
                 int (*fn)(void *ctx, const struct coupon_week_row *w, struct qs_err *e), void *ctx,
                 struct qs_err *e);
/* ---- pushes: the preview (coupon_preview.c) ----
 * R-CPN-7 and R-CPN-10: the push mail as one standalone HTML page (`qs coupon preview`). */

/* One item of the mail's BEST ITEM block; its texts are malloc'd. */
struct coupon_preview_item {
    char *code, *name, *image_url; /* name, image_url: "" when the store does not know them */
    long long price;               /* yen; -1 when the store does not know the item */
};
/* The items of a preview; coupon_preview_items_clear frees them. */
struct coupon_preview_items {
    struct coupon_preview_item *v;
    size_t n;
    int approx; /* 1: the store's approximation of QSM's own top N */
};
/* R-CPN-7, R-CPN-10: the items of the push mail of shop. With it->top > 0, the shop's top
 * it->top items by sales in the store -- the quantity of order lines paid or later (status
 * 2 to 5, no cancel claim) ordered in the 30 days up to now, by item code, ties by item
 * code, only items the store knows (market_item), at most it->top -- with out->approx = 1
 * (QSM chooses its own top N: this is an approximation). Else the codes given, in order,
 * each with its title, price and image URL (ImageUrl of its GetItemDetailInfo object, ""
 * when absent) from market_item; a code the store does not know is kept with an empty name
 * and price -1. out is filled (free it with coupon_preview_items_clear) on success and
 * left empty on failure. Returns 0 or a QS_E_* code. */
int coupon_preview_items(struct store *s, const char *shop, const struct coupon_items *it,
                         time_t now, struct coupon_preview_items *out, struct qs_err *e);
/* Frees the items of p and empties it; NULL is a no-op. */
void coupon_preview_items_clear(struct coupon_preview_items *p);

/* A push as its preview shows it; nothing is owned. */
struct coupon_preview {
    const char *shop;            /* shop name */
    const struct coupon *c;      /* the coupon's terms */
    const char *type;            /* "ad" or "comp" */
    time_t send_at;              /* shown in Japan time: YYYY/MM/DD HH:MM */
    const unsigned char *banner; /* the banner file's bytes, NULL: none */
    size_t banner_len;
    const char *link; /* the banner's link as --link gave it (shop, item:CODE, URL); NULL or
                       * "": none */
    const struct coupon_preview_items *items; /* NULL: none */
};
/* R-CPN-10: writes the push mail p to fp as one standalone HTML5 page (UTF-8) that loads
 * nothing -- no script, no external stylesheet, font or image; an inline <style>; a
 * Content-Security-Policy that allows data: images only; every text HTML-escaped. It holds
 * the subject 「[Qoo10] ショップクーポンが発行されました！」 as <title> and h1#subject; the
 * banner (#banner) as a data: URI of the type its header says (coupon_image_size, never
 * the name; a file that is neither PNG nor JPEG gets a note instead) in its link (shop ->
 * https://www.qoo10.jp/shop/SHOP, item:CODE -> https://www.qoo10.jp/g/CODE, a URL as is);
 * the coupon's terms (#coupon: name, "500円OFF" or "10%OFF（最大N円）",
 * "N円以上のご購入で利用可能" when there is a minimum, the validity in Japan time, issue
 * and per-buyer limits when set); the send time (#send-at, Japan time); a BEST ITEM block
 * of one .item card per item (data-code; name, price "1,234円", the image URL as a link's
 * text and href, never an <img>); #approx, a note that the items approximate QSM's own
 * top N, when items->approx. Returns 0, or QS_E_IO when fp could not be written. */
int coupon_preview_write(FILE *fp, const struct coupon_preview *p, struct qs_err *e);
/* R-CPN-10: the preview of push ref (its number or key) of shop, written to fp: its coupon's
 * terms, its banner read from its file (QS_E_DATA when it cannot be read), its items
 * (coupon_preview_items at now). */
int coupon_preview_push(struct store *s, const char *shop, const char *ref, time_t now, FILE *fp,
                        struct qs_err *e);

#endif

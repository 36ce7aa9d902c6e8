/* note: messages to buyers (SPEC 3, R-NOTE-1..13). note_guard.c: categories, limits in
 * characters, the personal-data guard, idempotency keys; note_tmpl.c: templates and the
 * placeholder renderer; note.c: sending notes (single and batch) through the outbox and
 * the note delivery (hook: or file:); note_rule.c: automatic rules and `qs note run`;
 * note_track.c: carrier events from a tracking hook; note_inbox.c: buyer inquiries and
 * replies (QAPI CSCenter); note_cs.c: blacklist and customer statistics.
 *
 * Owns the tables note_template, note_rule, note_fire, note_track, note_inquiry,
 * note_mark, note_blacklist and note_flag, and the trigger note_blacklist_flag on
 * order_line (R-NOTE-10: a new order line from a blacklisted buyer is flagged as sync
 * inserts it). Order lines are read through sync_lines_each (module sync); delay notices
 * go through sync's confirm machinery (sync_send_*, R-NOTE-13). */
#ifndef QS_NOTE_H
#define QS_NOTE_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "../deliver/deliver.h"
#include "../err.h"
#include "../qapi/qapi.h"
#include "../store.h"
#include "../sync/sync.h"

#define NOTE_TITLE_MAX  100 /* R-NOTE-3, characters */
#define NOTE_BODY_MAX   1000
#define NOTE_REPLY_MAX  4000               /* R-NOTE-12 */
#define NOTE_MEMO_MAX   1000               /* R-NOTE-13 */
#define NOTE_ATTACH_MAX (4L * 1024 * 1024) /* R-NOTE-3: QSM's "0MB / 4MB" */
#define NOTE_BATCH      200                /* R-NOTE-6 */
#define NOTE_BATCH_MAX  500
#define NOTE_KIND       "note" /* outbox kind of notes (hook: or file:) */
/* The file: hand-off's checklist: the order per row, then the note it gets (R-NOTE-11). */
extern const char *const note_file_columns[];
#define NOTE_FILE_NCOLUMNS 1
extern const char *const note_file_shared[];
#define NOTE_FILE_NSHARED  4
#define NOTE_REPLY_KIND    "reply" /* outbox kind of inquiry replies (qapi) */
#define NOTE_WAIT_OTHERS_S 60      /* how long a run waits for notes another run holds */

/* ---- limits, guard, keys (note_guard.c) ------------------------------------------- */

/* R-NOTE-2: shipping, cancel, return, item, seller-board, other; NULL-terminated. */
extern const char *const note_categories[];
/* 1 when c is one of note_categories. */
int note_category_valid(const char *c);
/* The number of Unicode characters of UTF-8 s; -1 when s is not valid UTF-8. */
long note_chars(const char *s);
/* R-NOTE-3: title required, one line, at most NOTE_TITLE_MAX characters. */
int note_check_title(const char *title, struct qs_err *e);
/* R-NOTE-3 (and R-NOTE-12/13 with their max): at most max characters of UTF-8; what
 * names it in messages ("body", "reply", "memo"). empty_ok: "" allowed. */
int note_check_text(const char *what, const char *s, long max, int empty_ok, struct qs_err *e);

/* R-NOTE-4: kinds of personal data the guard finds. */
enum note_pd { NOTE_PD_NONE, NOTE_PD_EMAIL, NOTE_PD_PHONE, NOTE_PD_CARD, NOTE_PD_ADDRESS };
/* The first personal data in UTF-8 s: its kind; what gets the text found (cut to size). */
enum note_pd note_pd_find(const char *s, char *what, size_t size);
/* "an email address", "a phone number", ... */
const char *note_pd_name(enum note_pd k);
/* R-NOTE-4: QS_E_DATA naming what (title, body) and the data found, or 0. */
int note_guard(const char *what, const char *s, struct qs_err *e);

/* R-NOTE-7: the idempotency key of a note, "SHOP:ORDER:HEX" where HEX is the SHA-256 of
 * the unrendered title, a NUL byte and the unrendered body. Returns a malloc'd string. */
char *note_key(const char *shop, const char *order_no, const char *title, const char *body);

/* ---- templates and placeholders (note_tmpl.c, R-NOTE-8) --------------------------- */

enum note_ph {
    NOTE_PH_ORDER_ID,
    NOTE_PH_BUYER,
    NOTE_PH_TRACKING,
    NOTE_PH_CARRIER,
    NOTE_PH_ORDER_TIME,
    NOTE_PH_ORDER_AMOUNT,
    NOTE_PH_ITEM_NAME,
    NOTE_PH_N
};
/* The canonical spelling of p: "#order id#", ... */
const char *note_ph_name(enum note_ph p);
/* Checks the placeholders of text: a #...# that looks like one (1-40 ASCII letters,
 * digits, spaces, '_' or '-', with a letter) must be known -- case and spaces do not
 * matter, the seed's spellings are aliases (R-NOTE-8); \# is a literal #. *uses (may be
 * NULL) gets a bit (1 << p) per placeholder used. QS_E_DATA for an unknown one. */
int note_tmpl_parse(const char *text, unsigned *uses, struct qs_err *e);

/* Values of the placeholders for one order; NULL or "" = unknown. */
struct note_vars {
    const char *v[NOTE_PH_N];
    char time[32], amount[32]; /* storage for the formatted ones */
};
/* The values of order line l: order time in zone tz ("YYYY-MM-DD HH:MM"), amount as a
 * whole number. Points into l: valid while l is. */
void note_vars_line(struct note_vars *v, const struct sync_line *l, const char *tz);
/* Renders text with v into *out (malloc'd, the caller frees). A placeholder used without
 * a value is QS_E_DATA (R-NOTE-8): a note never goes out with a hole in it. */
int note_render(const char *text, const struct note_vars *v, char **out, struct qs_err *e);

struct note_tmpl {
    char *name, *category, *title, *body, *created_at, *updated_at; /* owned */
};
/* Saves t (R-NOTE-8: placeholders checked; R-NOTE-2/3 category and limits; R-NOTE-4 on
 * its fixed text unless allow_personal). create: refused when the name exists; else it
 * must exist, and fields left NULL keep their value. */
int note_tmpl_save(struct store *s, const char *shop, const struct note_tmpl *t, int create,
                   int allow_personal, struct qs_err *e);
/* Loads template name into out (free with note_tmpl_clear); QS_E_DATA when unknown. */
int note_tmpl_get(struct store *s, const char *shop, const char *name, struct note_tmpl *out,
                  struct qs_err *e);
/* Calls fn for each template of shop in name order; stops when it returns non-zero. */
int note_tmpl_each(struct store *s, const char *shop,
                   int (*fn)(const struct note_tmpl *t, void *ctx), void *ctx, struct qs_err *e);
/* Frees what t owns and zeroes it. */
void note_tmpl_clear(struct note_tmpl *t);

/* ---- one note's content ----------------------------------------------------------- */

struct note_msg {
    char *category, *title, *body; /* unrendered (R-NOTE-7 keys hash these) */
    char *template;                /* the template's name, or NULL */
    int email;                     /* R-NOTE-1: Qoo10 copies it to the buyer's email */
    int help;                      /* single note to the Qoo10 help centre, not the buyer */
    char **attach;                 /* absolute paths, nattach of them */
    size_t nattach;
    long long attach_bytes; /* filled by note_msg_check */
    unsigned uses;          /* placeholders used, filled by note_msg_check */
};
/* Adds a copy of path (made absolute) to m's attachments. */
void note_msg_attach(struct note_msg *m, const char *path);
/* Checks m before anything is queued: category (R-NOTE-2), title and body (R-NOTE-3) --
 * as rendered later when they hold placeholders, so then only what no value can change --,
 * known placeholders (R-NOTE-8), attachments readable and together at most 4 MB
 * (R-NOTE-3), the guard on the fixed text unless allow_personal (R-NOTE-4). */
int note_msg_check(struct note_msg *m, int allow_personal, struct qs_err *e);
/* Frees what m owns and zeroes it. */
void note_msg_clear(struct note_msg *m);

/* ---- sending notes (note.c, R-NOTE-1..7, R-NOTE-11) ------------------------------- */

struct note_send_opts {
    const char *shop, *tz; /* tz: the zone #order time# is written in */
    const char *prog;      /* prefix of diagnostics */
    const char *delivery;  /* NULL: the shop's deliver.note (deliver_resolve) */
    size_t batch;          /* R-NOTE-6: lists/claims of this many; 0 = NOTE_BATCH */
    int resend;            /* R-NOTE-7: send again to orders noted already */
    int retry_failed, resend_unknown, allow_personal, quiet;
    FILE *dry_run;   /* print the requests here; the caller rolls back */
    long timeout_ms; /* hook silence timeout (deliver_opts) */
    time_t now;
};

/* Which stored orders a filter selects (R-NOTE-6), in addition to listed ones. */
struct note_filter {
    unsigned status_mask; /* bits (1 << status); 0: paid ones (2-5) */
    const char *item;     /* item code or seller code, NULL = any */
    time_t ship_by_before;
    int have_ship_by;
};

/* One order asked for: its number and where it came from (input line, 0 = argument). */
struct note_req {
    const char *order_no;
    long line;
};

/* One order's outcome. result: ok, failed, retry, unknown, handed-off. */
struct note_result {
    const char *order_no, *result, *key, *ref, *message;
    /* ok without being sent by this run: sent, answered or handed off by an earlier one
     * (the job summary's "already done", never "sent"). */
    int already;
};
typedef int (*note_result_fn)(const struct note_result *r, void *ctx);

struct note_send_stats {
    long sent, failed, retry, unknown, handed_off; /* per reported order */
};

struct note_send;
/* Plans a send of m to the orders listed (reqs) and those f selects (f may be NULL):
 * each must be a known, paid order line (R-NOTE-5); the note is rendered and checked per
 * order (R-NOTE-3, R-NOTE-4, R-NOTE-8); orders that fail are reported, not queued
 * (R-NOTE-6: one failure does not stop the batch). With a file: delivery a note with
 * placeholders is refused (R-NOTE-11), and so is the help-centre channel for more than one
 * order (R-NOTE-1). *out is freed with note_send_free, also after an error. */
int note_send_plan(struct store *s, const struct note_send_opts *o, const struct note_msg *m,
                   const struct note_req *reqs, size_t n, const struct note_filter *f,
                   struct note_send **out, struct qs_err *e);
/* Number of orders planned (to report), and of those to queue. */
size_t note_send_count(const struct note_send *p, size_t *queued);
/* Writes the planned notes into the outbox in one transaction (or the caller's). */
int note_send_enqueue(struct note_send *p, struct qs_err *e);
/* Delivers every due note of the shop (deliver_run), then waits up to
 * NOTE_WAIT_OTHERS_S for planned notes another live run holds. */
int note_send_run(struct note_send *p, struct deliver_report *rep, struct qs_err *e);
/* Calls fn with each planned order's outcome, in input order, then other notes the run
 * settled; counts them in st. */
int note_send_report(struct note_send *p, note_result_fn fn, void *ctx, struct note_send_stats *st,
                     struct qs_err *e);
/* Frees p; NULL is a no-op. */
void note_send_free(struct note_send *p);
/* Notes handed off to QSM (file:) and sent there by the seller: those of order_nos[0..n)
 * (all when order_nos is NULL), only of hand-off folder ref when not NULL, become done.
 * *confirmed gets how many. */
int note_confirm(struct store *s, const char *shop, const char *const *order_nos, size_t n,
                 const char *ref, size_t *confirmed, struct qs_err *e);
/* The type of the shop's note delivery (R-NOTE-5, R-NOTE-11); delivery overrides. */
int note_delivery_type(struct store *s, const char *shop, const char *delivery,
                       enum deliver_type *type, struct qs_err *e);

/* Internal to note.c and note_rule.c: queues one rendered note for line l under key,
 * with the fields of m and rule ("" for none). *added: 1 when new. */
int note_enqueue_line(struct store *s, const char *shop, const char *key, const struct note_msg *m,
                      const char *title, const char *body, const char *order_no, const char *rule,
                      time_t now, int *added, struct qs_err *e);

/* ---- rules (note_rule.c, R-NOTE-9) ------------------------------------------------ */

enum note_rule_kind {
    NOTE_R_SHIPPED,
    NOTE_R_UNPAID,
    NOTE_R_PAID,
    NOTE_R_DELAYED,
    NOTE_R_DELIVERED,
    NOTE_R_STALLED,
    NOTE_R_ARRIVED,
    NOTE_R_DELIVERY_FAILED,
    NOTE_R_NO_TRACKING,
    NOTE_R_NKINDS
};
/* "shipped", "unpaid", ...; note_rule_kind_parse returns the kind or -1. */
const char *note_rule_kind_name(enum note_rule_kind k);
int note_rule_kind_parse(const char *s);
/* 1 for the kinds that need carrier events from a tracking hook. */
int note_rule_kind_tracking(enum note_rule_kind k);

struct note_rule {
    char *name;
    enum note_rule_kind kind;
    long after;                       /* unpaid: minutes (> 30); delayed, stalled, no-tracking:
                                         days; -1 = the kind's default */
    char *template;                   /* or the rule's own text: */
    char *category, *title, *body;    /* (the template's when template is set) */
    long long min_amount, max_amount; /* order amount range, -1 = open */
    char *countries;                  /* "JP,KR": upper-case codes; "" = any */
    long max_age;                     /* days a held send may wait (the daily cap) */
    int enabled;
    char *since;   /* UTC ISO: only orders whose trigger is at or after it */
    char *created; /* UTC ISO */
};
/* Checks r's bounds (R-NOTE-9), fills defaults. */
int note_rule_check(struct note_rule *r, struct qs_err *e);
/* Adds rule r (checked; its template must exist and its text pass R-NOTE-3/4/8).
 * R-NOTE-5: `unpaid` only with a hook: note delivery; R-NOTE-9: the tracking kinds only
 * with a tracking hook (setting note.tracking_hook); R-NOTE-11: placeholders only with
 * a hook:. */
int note_rule_add(struct store *s, const char *shop, struct note_rule *r, int allow_personal,
                  struct qs_err *e);
/* Enables or disables rule name. */
int note_rule_enable(struct store *s, const char *shop, const char *name, int on, struct qs_err *e);
/* Calls fn for each rule of shop in name order. */
int note_rule_each(struct store *s, const char *shop,
                   int (*fn)(const struct note_rule *r, void *ctx), void *ctx, struct qs_err *e);
/* Frees what r owns and zeroes it. */
void note_rule_clear(struct note_rule *r);
/* The note rule r sends: its template's text (as it is now) or its own; m is freed with
 * note_msg_clear. QS_E_DATA when the template is gone. */
int note_rule_msg(struct store *s, const char *shop, const struct note_rule *r, struct note_msg *m,
                  struct qs_err *e);

struct note_run_opts {
    const char *shop, *tz, *prog;
    time_t now;                /* the rules' clock (--now); deliveries use the real one */
    long cap;                  /* daily cap of rule sends; -1: setting note.daily_cap (0 = none) */
    const char *delivery;      /* NULL: the shop's deliver.note */
    const char *tracking_hook; /* NULL: setting note.tracking_hook */
    long timeout_ms;
    int quiet, retry_failed;
    FILE *dry_run; /* evaluate and print what would fire and be sent; the caller rolls back */
};

/* One rule firing for one order. result: held, dropped, failed (its checks), or for a
 * released one its note's delivery: sent, handed-off, retry, failed, queued (not
 * delivered by this run). */
struct note_fired {
    const char *rule, *order_no, *result, *message;
};
typedef int (*note_fired_fn)(const struct note_fired *f, void *ctx);

struct note_run_stats {
    long matched, queued, held, dropped, failed, events;
};

/* One run of the rules (R-NOTE-9): refreshes carrier events through the tracking hook
 * when a rule needs them, records each rule's new matches once per order, releases them
 * oldest first within the daily cap (the rest are held for the next day, dropped when
 * older than the rule's max age or no longer matching), queues the released notes --
 * all in one transaction -- then delivers due notes (deliver_run; rep). fn (may be NULL)
 * then gets each firing settled in this run, in order, with its delivery's result. */
int note_run(struct store *s, const struct note_run_opts *o, note_fired_fn fn, void *ctx,
             struct note_run_stats *st, struct deliver_report *rep, struct qs_err *e);

/* ---- carrier events (note_track.c) ------------------------------------------------ */

/* Runs the tracking hook cmd: writes one JSON line per order line of shop in statuses 2-4
 * ({"order_no","carrier","tracking","order_date","shipped_date"}) to its stdin, reads
 * {"order_no","event":"arrived"|"delivery-failed"|"delivered"|"in-transit"|"none","at"}
 * lines from its stdout and stores them; orders it says nothing about are recorded as
 * asked ("none"). *events gets the number of events stored. */
int note_track_refresh(struct store *s, const char *shop, const char *cmd, time_t now,
                       const char *prog, long *events, struct qs_err *e);
/* The events known for order_no: bits (1 << NOTE_EV_*) and the time of each. */
enum {
    NOTE_EV_NONE,
    NOTE_EV_TRANSIT,
    NOTE_EV_ARRIVED,
    NOTE_EV_FAILED,
    NOTE_EV_DELIVERED,
    NOTE_EV_N
};
struct note_track_set; /* all events of a shop, loaded once per run */
int note_track_load(struct store *s, const char *shop, struct note_track_set **out,
                    struct qs_err *e);
/* Bits of the events of order_no; at[] (may be NULL) gets their times. */
unsigned note_track_get(const struct note_track_set *t, const char *order_no, time_t at[NOTE_EV_N]);
void note_track_free(struct note_track_set *t);

/* ---- inquiries and replies (note_inbox.c, R-NOTE-12) ------------------------------ */

struct note_inquiry {
    const char *question_no, *seq_no, *type, *status, *date, *buyer, *category, *title, *contents,
        *item_code, *item_name, *order_no, *claim;
};
struct note_inbox_stats {
    long rows;      /* received */
    long truncated; /* one-second windows still at the cap (inquiries may be missing) */
    long cap;       /* the shop's sync.window_cap */
};
/* Pulls inquiries (GetInquiryMessage, all statuses, windows of at most 90 days, split at
 * the shop's sync.window_cap as the orders' are: sync_fetch) from since -- or from the
 * last pull minus a day, or 30 days back the first time -- to now into the store. */
int note_inbox_pull(struct store *s, struct qapi *q, const char *shop, time_t since, time_t now,
                    struct note_inbox_stats *st, struct qs_err *e);
/* Calls fn for each stored inquiry of shop (status S1/S2/S3, NULL = all), newest first. */
int note_inquiry_each(struct store *s, const char *shop, const char *status,
                      int (*fn)(const struct note_inquiry *q, void *ctx), void *ctx,
                      struct qs_err *e);

/* One reply asked for: the inquiry and its text (NULL: the run's). */
struct note_reply_req {
    const char *question_no, *body;
    long line;
};
struct note_reply_opts {
    const char *shop, *tz, *prog;
    const char *body;   /* the reply, or a template's body (unrendered) */
    int allow_personal; /* R-NOTE-4 */
    int retry_failed, resend_unknown;
    FILE *dry_run;
};
/* Replies to each inquiry of reqs exactly once (outbox kind reply, key SHOP:Q:SEQ, no read
 * back: an answer lost is never resent on its own). fn gets each outcome (result ok,
 * failed, unknown, retry). */
int note_reply(struct store *s, struct qapi *q, const struct note_reply_opts *o,
               const struct note_reply_req *reqs, size_t n, note_result_fn fn, void *ctx,
               struct note_send_stats *st, struct qs_err *e);

/* ---- blacklist and customers (note_cs.c, R-NOTE-10) ------------------------------- */

/* A buyer: keyed by lower-cased email, else name + phone digits. */
struct note_buyer {
    char key[512], email[256], name[128], phone[48];
};
/* Fills b from an email (may be NULL/"") or a name and phone. */
void note_buyer_make(struct note_buyer *b, const char *email, const char *name, const char *phone);
/* The buyer of stored order line order_no; QS_E_DATA when unknown. */
int note_buyer_of_order(struct store *s, const char *shop, const char *order_no,
                        struct note_buyer *b, struct qs_err *e);
/* Marks b blacklisted (*changed 1 when new). Flags, never blocks. */
int note_blacklist_add(struct store *s, const char *shop, const struct note_buyer *b,
                       const char *reason, int *changed, struct qs_err *e);
/* Unmarks b (*changed 1 when it was marked). */
int note_blacklist_rm(struct store *s, const char *shop, const struct note_buyer *b, int *changed,
                      struct qs_err *e);
struct note_bl_entry {
    const char *key, *email, *name, *phone, *reason, *added;
    long flagged; /* orders flagged since */
};
int note_blacklist_each(struct store *s, const char *shop,
                        int (*fn)(const struct note_bl_entry *b, void *ctx), void *ctx,
                        struct qs_err *e);
/* Calls fn for each order line flagged as from a blacklisted buyer (newest first). */
int note_flagged_each(struct store *s, const char *shop,
                      int (*fn)(const char *order_no, const char *key, const char *at, void *ctx),
                      void *ctx, struct qs_err *e);

struct note_customer {
    const char *key, *buyer, *email;
    long orders, paid_orders, refunds;
    long long paid_amount, refund_amount;
    const char *last_order; /* UTC ISO */
    int blacklisted;
    long flagged;
};
/* Customer statistics per buyer from the stored order lines, by last order, newest
 * first. */
int note_customers(struct store *s, const char *shop,
                   int (*fn)(const struct note_customer *c, void *ctx), void *ctx,
                   struct qs_err *e);

/* ---- the note verbs as jobs (note_job.c; job.h, SPEC 1.6) ------------------------- */

struct job_ops;
struct note_job_rows;
/* What a note verb hands the job runner: the store, its plan, and what run fills. */
struct note_job {
    struct store *s;
    struct qapi *q;                      /* reply, delay */
    struct note_send *send;              /* note send: the plan (note_send_plan) */
    struct sync_send *delay;             /* note delay: the plan (sync_send_plan) */
    const struct note_reply_opts *reply; /* note reply: */
    const struct note_reply_req *reqs;
    size_t n;
    const struct note_run_opts *run; /* note run */
    FILE *diag;                      /* note run --dry-run: the matches line; NULL with -q */
    struct deliver_report rep;       /* filled by the run */
    struct sync_send_stats sst;
    struct note_run_stats rst;
    struct note_job_rows *rows; /* results kept for the report */
};
/* note send: enqueue, deliver (rep), report each order; epilogue: hook garbage, hand-off,
 * unknown notes. */
extern const struct job_ops note_send_job_ops;
/* note reply: note_reply, then each inquiry's outcome. */
extern const struct job_ops note_reply_job_ops;
/* note delay: sync's confirm path (sync_send_*) with the rejects of the plan first. */
extern const struct job_ops note_delay_job_ops;
/* note run: note_run, each firing settled; epilogue: the matches line. */
extern const struct job_ops note_run_job_ops;
/* sync_reject_fn for sync_send_plan of a delay (ctx: the struct note_job): the order is
 * reported failed. */
void note_job_reject(const struct sync_req *r, const struct qs_err *e, void *job);
/* Frees what j holds (not its plan). */
void note_job_clear(struct note_job *j);

/* ---- blacklist changes (note_job_bl.c) ------------------------------------------ */

/* A buyer named on the command line or in a record: by email, by name and phone, or by
 * order_no (the stored order's buyer); line: the record's input line, 0 for an argument. */
struct note_buyer_ref {
    const char *email, *name, *phone, *order_no;
    long line;
};
/* The buyers named (copies), in order. */
struct note_buyer_refs {
    struct note_buyer_ref *v;
    size_t n;
    char sheet[64]; /* the worksheet they were read from (.xlsx), "" for text or arguments */
};
void note_buyer_refs_add(struct note_buyer_refs *s, const char *email, const char *name,
                         const char *phone, const char *order_no, long line);
struct rec;
/* A record's buyer (columns email, name, phone, order_no and their aliases) into refs (a
 * struct note_buyer_refs); for cmd_each_record. Returns 0. */
int note_buyer_refs_rec(const struct rec *r, long line, void *refs);
void note_buyer_refs_free(struct note_buyer_refs *s);
/* R-NOTE-10: blacklists (add) or unlists every buyer of refs in one transaction; file
 * names the input in errors. *changed gets how many changed. */
int note_blacklist_change(struct store *s, const char *shop, int add, const char *reason,
                          const struct note_buyer_refs *refs, const char *file, long *changed,
                          struct qs_err *e);

/* ---- what the verbs check before they plan (note_job.c) --------------------------- */

/* The message of a note from the options of qs note send (R-NOTE-1, R-NOTE-3, R-NOTE-8):
 * template, or title and body (or body_file, read with read_file). */
struct note_msg_src {
    const char *template, *title, *body, *body_file, *category;
};
int note_msg_build(struct store *s, const char *shop, const struct note_msg_src *src,
                   int (*read_file)(const char *path, char **out, struct qs_err *e),
                   struct note_msg *m, struct qs_err *e);
/* R-NOTE-13: checks a delay notice's ship date (into o->est), its reason (o->delay_type)
 * and memo (its length; the guard unless allow_personal), sets o->delay_memo and the
 * fixed options of a delay (a confirm, bad orders skipped, sync's caps). A
 * missing or bad option or date is QS_E_USAGE. */
int note_delay_prepare(struct sync_send_opts *o, const char *ship_by, const char *memo,
                       int allow_personal, struct qs_err *e);

/* The text of qs note reply (R-NOTE-12): body, body_file (read with read_file) or the body
 * of template -- one of them, else QS_E_USAGE --, its placeholders known (R-NOTE-8).
 * *text gets it (malloc'd), NULL when none was given. */
int note_reply_text(struct store *s, const char *shop, const char *body, const char *body_file,
                    const char *template, int (*read_file)(const char *, char **, struct qs_err *),
                    char **text, struct qs_err *e);
/* A rule as qs note rule add gives it: -1 / NULL for what was not given. */
struct note_rule_src {
    const char *name, *template, *title, *body, *body_file, *category, *countries;
    int kind;
    long after, max_age;
    long long min_amount, max_amount;
    time_t since;
    int have_since;
};
/* Builds r (free with note_rule_clear, also after an error) from src: the body from
 * body_file read with read_file; R-NOTE-9: a template, or its own title and body
 * (QS_E_USAGE). */
int note_rule_build(const struct note_rule_src *src,
                    int (*read_file)(const char *, char **, struct qs_err *), struct note_rule *r,
                    struct qs_err *e);

/* ---- the listings of qs note (note_job_list.c) -------------------------------------- */

enum note_listing {
    NOTE_L_TEMPLATES, /* template list */
    NOTE_L_TEMPLATE,  /* template show NAME: with body and created */
    NOTE_L_RULES,
    NOTE_L_INQUIRIES,
    NOTE_L_BLACKLIST,
    NOTE_L_FLAGGED, /* blacklist list --orders */
    NOTE_L_CUSTOMERS,
    NOTE_L_N
};
struct rec_writer;
struct note_list_opts {
    const char *shop, *tz; /* tz: the zone times are written in */
    const char *name;      /* NOTE_L_TEMPLATE: the template */
    const char *status;    /* NOTE_L_INQUIRIES: S1/S2/S3, NULL = all */
    int only_bl;           /* NOTE_L_CUSTOMERS: blacklisted buyers only */
};
/* The columns of listing l; *n gets their number. */
const char *const *note_list_cols(enum note_listing l, size_t *n);
/* Writes one record per item of listing l to w (opened with note_list_cols). */
int note_list(struct store *s, enum note_listing l, const struct note_list_opts *o,
              struct rec_writer *w, struct qs_err *e);

#endif

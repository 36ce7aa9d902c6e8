/* notify: notifications for linked software (SPEC 7, R-SYN-4, R-SYN-5; seed 001, QSM's
 * 提示管理). notify_tmpl.c: QSM's template grammar, checked and rendered (pure, fuzzed);
 * notify_store.c: templates and their revisions; notify_event.c: events derived from the
 * order lines and their state changes (sync_notify_* of module sync), each once;
 * notify_run.c: `qs sync notify run` -- events to rendered messages, one outbox item
 * (kind notify) each, delivered by smtp (notify_smtp.c), hook: or stdout.
 *
 * Owns the tables notify_template (one row per revision, never deleted), notify_event
 * and notify_mark. */
#ifndef QS_NOTIFY_H
#define QS_NOTIFY_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "../deliver/deliver.h"
#include "../err.h"
#include "../store.h"

#define NOTIFY_KIND "notify" /* the outbox kind of rendered messages */

/* ---- the grammar (notify_tmpl.c, R-SYN-5) ----------------------------------------- */

/* The closed list of placeholders: the seed's, then the order-line fields qs adds. */
enum notify_ph {
    NOTIFY_PH_ORDER_NO,
    NOTIFY_PH_PACK_NO,
    NOTIFY_PH_SELLER_ID,
    NOTIFY_PH_DELIVERY_FEE,
    NOTIFY_PH_ORDER_TIME,
    NOTIFY_PH_ORDER_DATE,
    NOTIFY_PH_BUYER_NM,
    NOTIFY_PH_BUYER_NM_JA,
    NOTIFY_PH_BUYER_TEL_NO,
    NOTIFY_PH_BUYER_EMAIL,
    NOTIFY_PH_PAYMENT_METHOD,
    NOTIFY_PH_DEL_OPTION,
    NOTIFY_PH_DEL_HOPE_DATE_YYYYMMDD,
    NOTIFY_PH_DEL_HOPE_DATE_TIME_ZONE,
    NOTIFY_PH_DEL_MEMO,
    NOTIFY_PH_ITEM_NO,
    NOTIFY_PH_ITEM_NM,
    NOTIFY_PH_OPTION_NM,
    NOTIFY_PH_ORDER_QTY,
    NOTIFY_PH_ORDER_PRICE,
    NOTIFY_PH_SELLER_CODE,
    NOTIFY_PH_RECEIVER_NM,
    NOTIFY_PH_ZIP_CODE,
    NOTIFY_PH_ADDRESS,
    NOTIFY_PH_TRACKING_NO,
    NOTIFY_PH_DELIVERY_COMPANY,
    NOTIFY_PH_N
};
/* The name of p ("ORDER_NO"). */
const char *notify_ph_name(enum notify_ph p);
/* The placeholder named by the len bytes at name, or -1. */
int notify_ph_find(const char *name, size_t len);

/* The values of one order line, indexed by enum notify_ph; NULL reads as "". */
struct notify_vals {
    const char *v[NOTIFY_PH_N];
};

/* R-SYN-5: checks text (a subject or a body): every [$_NAME_$] and $_NAME_$ names a known
 * placeholder, ##ISLOOP_ ... _ISLOOP## and ##DELETE_BLANK_ROW_ ... DELETE_BLANK_ROW## are
 * closed, none nested in itself. QS_E_DATA naming the line and the bad name or marker. */
int notify_tmpl_check(const char *text, struct qs_err *e);
/* R-SYN-5: renders text for a cart of n >= 1 lines (in order-number order) into *out
 * (malloc'd, the caller frees): placeholders outside a loop take the first line's values,
 * a loop repeats once per line (joined by a line break), a blank DELETE_BLANK_ROW block is
 * removed with its line. Escapes nothing. QS_E_DATA when notify_tmpl_check refuses text. */
int notify_render(const char *text, const struct notify_vals *lines, size_t n, char **out,
                  struct qs_err *e);

/* ---- event kinds (R-SYN-4) -------------------------------------------------------- */

enum notify_event_kind {
    NOTIFY_EV_ORDER,      /* 订购提示: a cart first seen */
    NOTIFY_EV_PAID,       /* 买家已付款: the cart's lines reached status 2 */
    NOTIFY_EV_COMPLETED,  /* 交易完成: every line of the cart in status 5 */
    NOTIFY_EV_CANCEL_REQ, /* 取消要求件: a cancel claim opened on a line */
    NOTIFY_EV_CANCELLED,  /* 取消完成: a cancel claim completed on a line */
    NOTIFY_EV_N
};
/* "order", "paid", "completed", "cancel-requested", "cancelled". */
const char *notify_event_name(int k);
/* QSM's name of kind k (目录提示). */
const char *notify_event_qsm(int k);
/* The kind named name (qs's or QSM's name), or -1. */
int notify_event_parse(const char *name);

/* ---- templates and revisions (notify_store.c) ------------------------------------- */

struct notify_tmpl {
    long id;   /* QSM's 模板号码, per shop from 1 */
    long rev;  /* revision, from 1 */
    int kind;  /* enum notify_event_kind */
    char *grp; /* QSM's 模板组 (Basic, CrossMail, StockGear, JPJAgency, ...) */
    char *name, *send_type, *sign_key, *to, *subject, *body, *at; /* at: UTC of the revision */
    int use, wait; /* QSM's 使用与否 and 等待 */
    long wait_min; /* QSM's Period; -1: the setting notify.wait_min */
};
/* Frees what t owns and zeroes it; NULL is a no-op. */
void notify_tmpl_clear(struct notify_tmpl *t);
/* 1 when send type s is EMAIL, POST or AGENT. */
int notify_send_type_valid(const char *s);

/* Adds template t (t->id ignored; *id gets the new one) or, with edit, a revision of
 * template t->id where NULL strings and kind -1, use -1, wait -1, wait_min -2 keep the
 * last revision's value. Subject and body are checked (R-SYN-5) first: nothing is kept
 * when they fail. Every change is a new revision; none is ever deleted (R-SYN-4). */
int notify_tmpl_save(struct store *s, const char *shop, const struct notify_tmpl *t, int edit,
                     long *id, long *rev, struct qs_err *e);
/* The last revision of template id, or revision rev when rev > 0, into out. QS_E_DATA
 * when there is none. */
int notify_tmpl_get(struct store *s, const char *shop, long id, long rev, struct notify_tmpl *out,
                    struct qs_err *e);
/* Calls fn for the last revision of each template of shop (id order), or with revs every
 * revision of template id (rev order). Stops when fn returns non-zero. */
int notify_tmpl_each(struct store *s, const char *shop, long id, int revs,
                     int (*fn)(const struct notify_tmpl *t, void *ctx), void *ctx,
                     struct qs_err *e);

/* ---- the run (notify_run.c) ------------------------------------------------------- */

struct notify_run_opts {
    const char *shop, *tz; /* tz: the zone times are written in */
    const char *prog;
    /* The delivery: NULL: the shop's deliver.notify (default smtp); "-": standard output
     * (to_fp); "smtp" or "hook:COMMAND". */
    const char *delivery;
    FILE *to_fp;   /* "-": where messages are written */
    FILE *dry_run; /* --dry-run: print the requests here; nothing sent or settled */
    time_t now;
    int retry_failed, resend_unknown;
    long timeout_ms; /* smtp: per message; hook: silence */
};
struct notify_run_stats {
    long events_new, messages_new, held, voided;
    struct deliver_report rep;
};
/* One run: new events from the store's order lines (each once), rendered by each active
 * template of their kind made before the event (wait Y: held for its period and until an
 * order sync after it; voided when the event no longer stands), one outbox item each,
 * then delivered exactly once (SPEC 1.6: an smtp message whose answer was lost becomes
 * unknown, never resent without resend_unknown). on_result: per message settled. */
int notify_run(struct store *s, const struct notify_run_opts *o, deliver_result_fn on_result,
               void *ctx, struct notify_run_stats *st, struct qs_err *e);

/* One message of `qs sync notify list`. */
struct notify_msg {
    const char *key, *state, *template_id, *event, *ref, *to, *subject, *message_id, *error;
    const char *created_at;
    int attempts;
};
/* Calls fn for each message of shop (outbox kind notify), oldest first, in state (NULL:
 * any). */
int notify_msg_each(struct store *s, const char *shop, const char *state,
                    int (*fn)(const struct notify_msg *m, void *ctx), void *ctx, struct qs_err *e);

/* ---- SMTP (notify_smtp.c) --------------------------------------------------------- */

struct notify_smtp;
/* The shop's SMTP settings (smtp.url, smtp.from, smtp.user, secret smtp.password) into a
 * sender; QS_E_USAGE naming the missing setting. */
int notify_smtp_open(struct store *s, const char *shop, long timeout_ms, struct notify_smtp **out,
                     struct qs_err *e);
void notify_smtp_close(struct notify_smtp *m);
/* R-SYN-8: connects to the mail server as a send would (STARTTLS, the login when smtp.user
 * is set), says NOOP and quits; no mail is sent. 0 (what was shown in said), or QS_E_UNAVAILABLE
 * (no connection), QS_E_USAGE (login denied) or QS_E_FAIL, naming the server and the fix. */
int notify_smtp_login(struct notify_smtp *m, char *said, size_t n, struct qs_err *e);
/* A deliver_send_fn (ctx: the struct notify_smtp): sends each message of items; a message
 * refused or cut before its DATA is retry, a refusal of the message itself failed, and a
 * message whose end was sent but whose answer was lost unknown (SPEC 1.6). */
int notify_smtp_send(const struct deliver_spec *d, const struct outbox_item *items, size_t n,
                     struct deliver_result *res, FILE *dry, void *ctx, struct qs_err *e);
/* The mail (RFC 5322 headers, CRLF lines, base64 UTF-8 body) of payload, malloc'd. */
char *notify_mail_text(const char *payload, const char *from, struct qs_err *e);

#endif

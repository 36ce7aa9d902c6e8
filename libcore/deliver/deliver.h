/* deliver: how each kind of outbox work leaves qs (SPEC 1.7) -- through a hook the seller
 * plugs in, a hand-off folder for QSM, or a built-in sender (qapi, smtp) the caller
 * passes -- driving the outbox engine of SPEC 1.6 with one call per run.
 *
 * Orphans (items in flight when their process died) are settled per delivery before
 * anything is sent (SPEC 1.6):
 *   hook:  back to pending, and sent again. The hook contract makes that safe: a hook
 *          receives the same key again and must answer ok with the original ref. A
 *          hook that does not is at-least-once (the man page says so).
 *   file:  unknown -- the hand-off may or may not have been written; listed, and
 *          written again only with resend_unknown. (The folder itself is never half
 *          written: it is filled as a hidden .tmp-* folder and renamed; a crash leaves at
 *          most such a .tmp-* folder behind.)
 *   qapi:  through the caller's read call (opts.reconcile); without one, unknown.
 *   smtp:  unknown (a mail cannot be read back).
 *
 * The hook protocol: qs starts COMMAND once per run with /bin/sh -c, in its own process
 * group, its stderr going to qs's stderr, and writes one JSON object per line to its
 * stdin: {"id":N,"kind":K,"key":KEY,"shop":S,...payload fields}. It reads one JSON line
 * per request from its stdout: {"id":N,"ok":true,"ref":...} or
 * {"id":N,"ok":false,"error":"...","retry":true|false} ("retry" missing = true). Writes and
 * reads are concurrent (poll, non-blocking pipes), so a hook that answers only after
 * reading everything never deadlocks. Answers match by id in any order. The timeout:
 * once the hook has shown no sign of life (read no request, given no answer) for
 * opts.timeout_ms, every request written and not answered counts as retry:true, and
 * what it has not read is retried too -- a slow hook working through a long queue is
 * never cut off, a hung one always is. A request still unanswered when the hook closes
 * its stdout counts as retry:true. A line that is not an answer is reported and ignored
 * (its request stays unanswered; garbage is no sign of life). The hook's exit status only
 * ends the run: answered items keep their answers, the rest are retried. After its stdin
 * is closed and everything is answered, the hook has opts.grace_ms to exit, then gets
 * SIGTERM, then SIGKILL (its whole process group).
 *
 * The file: hand-off: one new folder DIR/<UTC YYYYMMDDTHHMMSSZ>-<kind>[-N]/ per run, 0700,
 * holding checklist.csv (columns list, group, key, then opts.columns and opts.shared, then
 * form when the run wrote forms; items grouped by opts.group_by, lists of at most
 * opts.chunk), summary.json (shop, kind, created, count, per group its shared payload
 * fields and its lists of keys, and forms: per item with a form its key, form, file and
 * rows) and QSM's upload forms. Each item's ref is that folder, and it stays handed-off
 * until deliver_confirm.
 *
 * QSM's forms (SPEC 1.7): an item whose payload has "form_rows": [{KEY: VALUE, ...}, ...]
 * gets its kind's QSM form written into the hand-off as FORM-N.xlsx (FORM: the form's name,
 * inbound-1.xlsx; N: the item's 1-based
 * position in the run; one file per item, each one QSM upload): QSM's header row, then one
 * row per element in order, a missing key empty. The forms and their keys (deliver_form.c):
 *   inbound        (kind inbound)       SellerCode, InventoryCode, InventoryOptionCode,
 *                                       InOut, MovingQty, BranchCode, Description
 *   option         (kind stock)         the one or two option names of "form_options"
 *                                       (["Color","Size"]), then Qty, Price, Currency,
 *                                       SellerCode
 *   other-platform (kind inbound-ship)  SPEC 6's shipment keys: ref_order_no, item_code, ...,
 *                                       customs_id, qty (labels from the seed's screens)
 *   order-list     (kind coupon)        order_no ("Order No.")
 * Code columns are text cells (leading zeros survive Excel) and must be JSON strings.
 * With opts.csv the form is FORM-N.csv in CP932 instead. An unknown key, a code given as
 * a number, text CP932 cannot hold (csv), or form_rows on a kind without a form fails
 * that item alone (DELIVER_FAILED, the message naming the row and the key or column);
 * the others are handed off. Items without form_rows are checklist-only. Forms are written
 * into the hidden temp folder with the rest, so the hand-off stays whole or absent.
 *
 * Claims: a hook run claims a batch whenever the hook has read what it was given, and
 * holds an item only until its answer is settled (SPEC 8: flat memory; a hook that reads
 * everything before answering still gets everything); a file run claims all its items (up
 * to max) first -- a hand-off is one folder; built-in senders claim one batch at a time,
 * just before sending it. With retry_failed too (outbox_claim leaves out what this run
 * failed again, so it does not come round again). */
#ifndef QS_DELIVER_H
#define QS_DELIVER_H

#include <stddef.h>
#include <stdio.h>

#include "../err.h"
#include "../outbox.h"
#include "../store.h"

enum deliver_type { DELIVER_QAPI, DELIVER_HOOK, DELIVER_FILE, DELIVER_SMTP };

/* A resolved delivery. */
struct deliver_spec {
    enum deliver_type type;
    char *arg;  /* hook: the command; file: the absolute folder; NULL otherwise. Owned. */
    char *text; /* the spec as configured ("file:handoff"), for messages. Owned. */
};

/* Parses a delivery spec of SPEC 1.7. A relative file: folder is taken relative to
 * base_dir (the store's folder), a leading "~/" relative to $HOME. Fills *out; free with
 * deliver_spec_clear. Returns 0 or QS_E_USAGE. */
int deliver_parse(const char *spec, const char *base_dir, struct deliver_spec *out,
                  struct qs_err *e);
/* The delivery of kind for shop: its setting deliver.<kind>, else "qapi" when qapi_kind
 * (the caller knows whether QAPI has a method for kind), else the hand-off folder
 * file:<store folder>/handoff/<shop>/<kind> (SPEC 1.7 defaults). A QAPI kind delivers only
 * by qapi, and qapi only delivers QAPI kinds: other settings are QS_E_USAGE. */
int deliver_resolve(struct store *s, const char *shop, const char *kind, int qapi_kind,
                    struct deliver_spec *out, struct qs_err *e);
/* Frees what d owns and zeroes it; NULL is a no-op. */
void deliver_spec_clear(struct deliver_spec *d);
/* 0 when payload is a JSON object a hook request can carry: none of the fields id, kind,
 * key, shop (qs sets those). Else QS_E_DATA. Enqueuers may check before outbox_enqueue;
 * deliver fails such an item (not retryable) when it comes to send it. */
int deliver_payload_check(const char *payload, struct qs_err *e);
/* The hook request line of it, without its LF: {"id","kind","key","shop",...payload}.
 * The payload's text is kept as it is (numbers are not reformatted), only compacted.
 * Returns a malloc'd string the caller frees, or NULL (e filled) for a bad payload. */
char *deliver_request_line(const struct outbox_item *it, struct qs_err *e);

/* What became of one item. */
enum deliver_status {
    DELIVER_NONE,       /* not answered: settled as retry */
    DELIVER_OK,         /* done */
    DELIVER_RETRY,      /* failed, retryable */
    DELIVER_FAILED,     /* failed, not retryable */
    DELIVER_HANDED_OFF, /* written to a hand-off folder */
    DELIVER_UNKNOWN,    /* built-in senders: sent whole, the answer lost; no read exists
                         * (a mail): unknown, never resent silently (SPEC 1.6) */
};

/* One item's answer from a built-in sender. Strings are malloc'd and freed by deliver. */
struct deliver_result {
    enum deliver_status status;
    char *ref;       /* the other side's reference (ok) */
    char *error;     /* why not (retry, failed); never a secret */
    char *code;      /* the other side's result code, may be NULL */
    long latency_ms; /* 0: deliver measures the whole call */
};

/* A built-in sender (qapi, smtp -- not deliver's business): sends n claimed items and
 * fills res[i] (zeroed; DELIVER_NONE counts as retry). With dry non-NULL it prints the
 * requests it would send to dry as JSON Lines (secrets redacted) and sends nothing.
 * Returning a negative QS_E_* (e filled) ends the run: unanswered items count as retry. */
typedef int (*deliver_send_fn)(const struct deliver_spec *d, const struct outbox_item *items,
                               size_t n, struct deliver_result *res, FILE *dry, void *ctx,
                               struct qs_err *e);

/* Called once per item settled in a run (for a per-record report): status, the
 * other side's ref (or the hand-off folder), the error (NULL when ok). */
typedef void (*deliver_result_fn)(const struct outbox_item *it, enum deliver_status status,
                                  const char *ref, const char *error, void *ctx);

struct deliver_opts {
    const char *delivery; /* NULL: deliver_resolve(); else this spec, e.g. "hook:cmd" */
    int qapi_kind;        /* QAPI has a method for this kind (default delivery qapi) */
    size_t batch;         /* items per claim transaction and per send call; 0 = 200 */
    size_t max;           /* at most this many items this run (daily caps); 0 = no limit */
    int retry_failed;     /* --retry-failed: also failed items and retries not yet due */
    int resend_unknown;   /* --resend-unknown: unknown items go back to pending first */
    FILE *dry_run;        /* --dry-run: print the requests here (hook request lines for hook:
                             and file:, the sender's own for qapi/smtp); change nothing */
    long timeout_ms;      /* hook: silence after which open requests are retried; 0 = 60 s */
    long grace_ms;        /* hook: time to exit once done before SIGTERM; 0 = 5 s */
    deliver_send_fn send; /* qapi, smtp: the caller's sender (required for those) */
    void *send_ctx;
    outbox_reconcile_fn reconcile; /* qapi: the read call for orphans; NULL = unknown */
    void *reconcile_ctx;
    /* file: items are grouped by this payload field (e.g. a note's text hash); NULL
     * groups items whose payloads are identical apart from the columns below. */
    const char *group_by;
    const char *const *columns; /* file: payload fields listed per item (e.g. order_no) */
    size_t ncolumns;
    /* file: fields the items of a group share, written on every checklist row after the
     * columns (e.g. a note's title and body, so the checklist holds what to paste) */
    const char *const *shared;
    size_t nshared;
    size_t chunk; /* file: at most this many items per list; 0 = no limit */
    /* file: a payload field naming a file (an absolute path) to copy into the hand-off as
     * N-BASENAME (N: the item's position in the run), e.g. a coupon push's banner; an item
     * whose file cannot be read fails alone. NULL: none. */
    const char *attach;
    int csv; /* file: QSM's forms as CP932 CSV (FORM-N.csv) instead of .xlsx (--csv) */
    /* file: the form rows of every item handed off together go into ONE form (QSM's bulk
     * upload takes a file of many rows), instead of one form per item. */
    int merge_forms;
    deliver_result_fn on_result; /* may be NULL */
    void *result_ctx;
    FILE *log;        /* diagnostics (garbage answers, late answers); NULL = stderr */
    const char *prog; /* prefix of diagnostics, e.g. "qs note"; NULL = "qs" */
};

/* What a run did, for `sent N, failed M` and the exit status. */
struct deliver_report {
    enum deliver_type type;
    size_t sent;           /* answered ok: done */
    size_t failed;         /* refused (not retryable) or out of attempts: failed */
    size_t retry;          /* retryable failures, timeouts, unanswered: retry (backoff) */
    size_t handed_off;     /* written to a hand-off folder (file:) */
    size_t recovered;      /* orphans found and settled before sending */
    size_t unknown;        /* of those, how many became unknown */
    size_t resent_unknown; /* unknown items put back to pending (resend_unknown) */
    size_t unknown_total;  /* unknown items of shop/kind after the run (to list) */
    size_t dry;            /* dry run: requests printed */
    size_t garbage;        /* hook: lines that were not answers */
    int hook_status;       /* hook: exit status (128+N for signal N), -1 when none */
    int unavailable;       /* the hook or sender answered nothing at all */
    char handoff[4096];    /* file: the folder written, "" when none */
};

/* One run for shop/kind: settles orphans (see above), puts unknown items back when
 * resend_unknown, claims due items (up to max, batch per transaction) and sends them
 * through the delivery, settling each (outbox_done / outbox_fail / outbox_handed_off)
 * with one audit row per attempt. Must be called outside a transaction. Returns 0 when
 * the run went through (per-item outcomes are in rep), a negative QS_E_* when it could
 * not (store error, hook not startable, hand-off not writable, sender error). */
int deliver_run(struct store *s, const char *shop, const char *kind, const struct deliver_opts *o,
                struct deliver_report *rep, struct qs_err *e);
/* Adds the counts of run b to a: a later run of the same kind, whose unknown_total, hook
 * status and hand-off folder (when it has them) replace a's. */
void deliver_report_add(struct deliver_report *a, const struct deliver_report *b);
/* The lines a job prints after its summary for rep: answers that were not answers, the
 * hand-off folder, and the items (named what: "note") in flight when a run died. */
void deliver_report_epilogue(const struct deliver_report *rep, const char *what, const char *prog,
                             FILE *diag);
/* The exit status of SPEC 1.3 for a run's report: 0, or QS_E_UNAVAILABLE when nothing
 * went out and the other side answered nothing, QS_E_TEMP when some item is to be
 * retried, QS_E_FAIL when some failed for good. */
int deliver_report_rc(const struct deliver_report *rep);

/* Turns handed-off items of shop/kind done (`qs ... confirm`): those whose key is one of
 * keys[0..nkeys), or every one when keys is NULL; only those of hand-off folder ref when
 * ref is not NULL. One transaction, one audit row per item. *confirmed (may be NULL) gets
 * how many were confirmed. */
int deliver_confirm(struct store *s, const char *shop, const char *kind, const char *const *keys,
                    size_t nkeys, const char *ref, size_t *confirmed, struct qs_err *e);

/* The environment every hook qs starts gets (issue 8 item 8): PATH, HOME, LANG, LC_*, TZ,
 * TMPDIR, the caller's QS_HOOK_* variables and QS_SHOP=shop -- never qs's secrets.
 * Returns a NULL-terminated array; free it with deliver_hook_env_free. */
char **deliver_hook_env(const char *shop);
void deliver_hook_env_free(char **env);

/* The QSM form items of kind carry in a file: hand-off ("inbound", "option",
 * "other-platform", "order-list"), or NULL for a kind without one. */
const char *deliver_form_of(const char *kind);
/* --form FILE (SPEC 1.7): compares the header row of the seller's own download of QSM's
 * form (read with the record reader: CSV, or .xlsx) with qs's table for form: 0 when they
 * agree (for the option form: one or two option columns, then the fixed ones);
 * QS_E_DATA naming the missing, extra and moved columns; QS_E_USAGE for an unknown form;
 * QS_E_IO when FILE cannot be read. */
int deliver_form_check(const char *form, const char *path, struct qs_err *e);

#endif

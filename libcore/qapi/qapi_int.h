/* qapi_internal: what qapi.c (calls, SAK, retries, audit, dry run), qapi_http.c (the
 * libcurl side, rate limit, envelope parsing) and qapi_bulk.c share. Not a public API. */
#ifndef QS_QAPI_INT_H
#define QS_QAPI_INT_H

#include "../curl_dl.h"
#include <stdint.h>
#include <time.h>

#include "qapi.h"

/* Largest answer kept in memory; a bigger one is refused, not retried. */
#define QAPI_MAX_BODY (64L << 20)

/* Longest idle time, in seconds, of a kept connection a write or a read may reuse
 * (CURLOPT_MAXAGE_CONN; libcurl's default is 118 s). */
#define QAPI_WRITE_MAXAGE_S 5L
#define QAPI_READ_MAXAGE_S  60L

/* The rows of an answer counted as it arrives (qapi_rows.c). */
struct qapi_rows {
    long cap; /* qapi_rows_feed says 1 once n reaches it; 0: never */
    long n;   /* rows seen so far */
    size_t pos;
    int depth, rows_depth; /* nesting outside strings; that inside the rows' array (0: none yet) */
    unsigned char open, over, in_str, esc, want_key, in_key, key_bad, key_len, ro_next, ro_open,
        want_el;
    char key[12]; /* the envelope's member name being read ("ResultObject" fits) */
};
/* Starts counting an answer's rows (sync_rows' rows: ResultObject's elements, or those of
 * its first member that is an array), to stop at cap (> 0). */
void qapi_rows_start(struct qapi_rows *r, long cap);
/* Feeds the next len bytes of the answer. Returns 1 once the rows reach the cap (r->n),
 * else 0. Exact on valid JSON without duplicate keys; never reads past p + len. */
int qapi_rows_feed(struct qapi_rows *r, const char *p, size_t len);

struct qapi_buf {
    char *data;
    size_t len, cap;
    int too_big;
    struct qapi_rows rows; /* counted while the answer arrives (qapi_call_rows) */
    long cut;              /* > 0: the answer was cut once its rows reached this many */
};

/* An answered attempt whose audit row ("sent") waits for its result (qapi_audit.c). */
struct qapi_held {
    long long row;
    const char *result; /* a literal: ok, auth, retry, failed */
    char code[32];      /* "" for none */
    long latency_ms;
    char *detail; /* redacted, malloc'd, NULL for none */
};
#define QAPI_HELD_MAX 8

struct qapi {
    struct store *s;
    char *shop;
    char *base;                        /* base URL without a trailing '/' */
    int loopback;                      /* base's host is loopback (qapi_url_check) */
    char *key, *user, *password, *sak; /* secrets, malloc'd, NULL when unset */
    int dry_run;
    FILE *dry_out;
    double rate;               /* requests per second, <= 0: unlimited */
    struct timespec next_slot; /* earliest start of the next request (CLOCK_MONOTONIC) */
    int have_slot;
    long timeout_s;
    int retries;
    long backoff_base_ms, backoff_cap_ms;
    int reuse;
    int call_write;     /* the request in flight is a write (on_prereq's guard) */
    int sends;          /* requests libcurl was about to send in this attempt */
    int resend_refused; /* on_prereq refused a second send of a write */
    int global_init;    /* curl_global_init succeeded: pair it with curl_global_cleanup */
    CURL *curl;
    CURLM *multi;         /* runs curl's one transfer at a time, so the caller can work meanwhile */
    qapi_idle_fn idle_fn; /* qapi_set_idle */
    void *idle_ctx;
    int in_idle; /* idle_fn is running: a call from it is refused */
    /* The attempt being sent (qapi_audit.c): set by the call loop, its row id once its
     * "sent" row is written on the wire (0 before). */
    const char *wire_method, *wire_key;
    int wire_attempt;
    long long wire_row;
    struct qapi_held held[QAPI_HELD_MAX];
    size_t nheld;
    int audit_rc; /* an audit row written on the wire failed: reported by the call */
    struct qs_err audit_err;
    char errbuf[CURL_ERROR_SIZE];
    struct qapi_buf resp;
    long requests, connections;
    uint64_t rng; /* jitter only: xorshift64 */
    /* qapi_call_raw: calls of raw_method send raw_version (NULL: the method's) and keep
     * their last answer's body and content type (malloc'd, NULL when none). */
    const char *raw_method, *raw_version;
    /* qapi_call_rows: an answer to rows_method is cut once its rows reach rows_cap. */
    const char *rows_method;
    long rows_cap;
    char *raw_text, *raw_ctype;
    /* The last answer's Date header as sent, "" when none (R-SYN-8): parsed only when
     * asked (qapi_http_answer_date); parsing every answer's was 5% of a publish run. */
    char answer_date[64];
};

/* What one HTTP attempt gave. */
struct qapi_attempt {
    int curl_code;    /* CURLE_OK when an HTTP answer came */
    int sent;         /* the request was about to leave on a connection (it may have) */
    long http_status; /* 0 when no answer */
    long latency_ms;
    int code;        /* ResultCode/ErrorCode, QAPI_CODE_NONE when there is none */
    int error_shape; /* the answer was {ErrorCode, ErrorMsg} */
    char *msg;       /* ResultMsg/ErrorMsg (malloc'd, unredacted), may be NULL */
    json_t *body;    /* the parsed answer, may be NULL */
    long cut;        /* > 0: cut at this many rows, not parsed (qapi_call_rows) */
    char why[512];   /* why there is no usable envelope (transport, HTTP, not JSON) */
    enum qapi_class cls;
};

/* Sets up q->curl's options that hold for every request. */
int qapi_http_init(struct qapi *q, struct qs_err *e);
/* The last answer's Date header as a time, 0 when none or unreadable (R-SYN-8). */
time_t qapi_http_answer_date(const struct qapi *q);
/* Waits for the rate limit, POSTs params to <base>/<method> with cert in the
 * GiosisCertificationKey header and parses the answer into a (which the caller
 * releases with qapi_attempt_clear). A transport or HTTP failure is not an error here:
 * it is described in a. Returns 0, or QS_E_SOFTWARE when the request could not be built. */
int qapi_http_post(struct qapi *q, const char *method, const char *cert,
                   const struct qapi_param *params, size_t n, struct qapi_attempt *a,
                   struct qs_err *e);
/* Parses an answer body into a's code, msg, body and why. */
void qapi_parse_answer(const char *data, size_t len, const char *ctype, struct qapi_attempt *a);
/* Frees what a holds and clears it. */
void qapi_attempt_clear(struct qapi_attempt *a);
/* Sleeps ms milliseconds (restarting on EINTR). */
void qapi_sleep_ms(long ms);
/* Milliseconds on CLOCK_MONOTONIC. */
long long qapi_now_ms(void);

/* Hands each line of chunk (lines off .. off + n - 1 of a bulk call) its result from the
 * answer res to fn (qapi_bulk's per-line report; exported so tests can feed it a recorded
 * answer). R-SYN-9: a line succeeds (code 0) only when its result_cd -- else its only code
 * -- is 0 and no other code on it (ResultCode, ResultCd, any case) says otherwise; a line
 * whose codes disagree gets the non-zero one and a message naming both codes; a line with
 * no readable code in an answer of 0 gets QAPI_CODE_NONE: never 0. A chunk refused whole
 * gives each line the call's code. q (may be NULL: no redaction) redacts messages. Returns
 * the first non-zero value of fn, else 0. */
int qapi_bulk_report(struct qapi *q, size_t off, json_t *chunk, const struct qapi_result *res,
                     qapi_line_fn fn, void *ctx);

/* ---- the audit of attempts (qapi_audit.c, SPEC 1.6) ---- */

/* Called once the request of the attempt the call loop set (wire_*) is on the wire: the
 * results held of answered attempts, then the attempt's own row, result "sent". Outside a
 * caller's transaction only; an error is kept for the call (audit_rc). */
void qapi_audit_wire(struct qapi *q);
/* The audit of an attempt that ended with result: its "sent" row's result held for the
 * next request's flight when it has one, else a whole row written now. */
int qapi_audit_attempt(struct qapi *q, const char *method, const char *audit_key, int attempt,
                       const char *result, const struct qapi_attempt *a, struct qs_err *e);
/* Writes the held results now. */
int qapi_audit_flush(struct qapi *q, struct qs_err *e);
/* Drops what is held (the client is going; qapi_close flushes first). */
void qapi_audit_free(struct qapi *q);

/* A secret shorter than this is refused for a real endpoint, and is not looked for in
 * free text: a short one matches ordinary words (issue 8 item 9). */
#define QAPI_SECRET_MIN 8

/* Free text (a marketplace message, a parameter value): a malloc'd copy of s where each
 * secret q knows of 8 or more characters that stands as a whole token (not inside a longer
 * word) is replaced by "***"; the rest is left as is. NULL for NULL. */
char *qapi_redact(const struct qapi *q, const char *s);

#endif

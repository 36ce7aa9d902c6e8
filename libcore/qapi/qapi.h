/* qapi: the one client of the Qoo10 QAPI (shared/reference/qapi.md, SPEC 1.6, R-SYN-7).
 * Form-encoded UTF-8 POST to <base>/<Group>.<Method> on libcurl with one kept-alive
 * handle; the seller authorization key (SAK) obtained, cached and re-issued; errors
 * classified and retried with backoff; a client-side rate limit; every call audited
 * with secrets redacted. */
#ifndef QS_QAPI_H
#define QS_QAPI_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "../err.h"
#include "../store.h"

#define QAPI_DEFAULT_URL "https://api.qoo10.jp/GMKT.INC.Front.QAPIService/ebayjapan.qapi"
#define QAPI_BULK_MAX    500
/* qapi_result.code when the answer carried no ResultCode/ErrorCode (no answer, not JSON). */
#define QAPI_CODE_NONE (-2147483647 - 1)

/* Shop settings and secrets the client reads (set with `qs init --set/--secret`):
 *   setting qapi.url     base URL (env QS_QAPI_URL overrides; default QAPI_DEFAULT_URL);
 *                        https://, or http:// to loopback only (R-SYN-7)
 *   setting qapi.rate    requests per second (default 5; 0 = unlimited; per process)
 *   setting qapi.timeout seconds per request (default 30)
 *   setting qapi.retries attempts after the first for retryable errors (default 5); a
 *                        write is retried only when it surely was not sent (R-SYN-7)
 *   secret  qapi.key     the API key (env QS_QAPI_KEY overrides)
 *   secret  qapi.user    QSM login id (env QS_QAPI_USER)
 *   secret  qapi.password QSM password (env QS_QAPI_PASSWORD)
 *   secret  qapi.sak     the cached seller authorization key, written by the client
 *   setting qapi.sak_issued  when the SAK was issued (UTC ISO), for `sync doctor` */

/* How a failed call is treated. */
enum qapi_class {
    QAPI_OK,      /* ResultCode 0 */
    QAPI_RETRY,   /* HTTP 5xx, timeout, dropped connection, -10101, -999: back off, retry */
    QAPI_AUTH,    /* -10000, -90004, -90005: re-issue the SAK once, then retry */
    QAPI_INVALID, /* any other negative code: not retried; the marketplace's message */
};

struct qapi_param {
    const char *name;
    const char *value; /* NULL is sent as "" (the reference: empty, never missing) */
};

struct qapi_result {
    int code;         /* ResultCode (or ErrorCode); 0 on success */
    char *msg;        /* ResultMsg / ErrorMsg, malloc'd, may be NULL */
    json_t *object;   /* ResultObject (a new reference), may be NULL */
    json_t *body;     /* the whole parsed response (a new reference), may be NULL */
    long http_status; /* last HTTP status, 0 when no answer */
    long latency_ms;  /* of the last attempt */
    int attempts;     /* HTTP requests made, SAK requests excluded */
    long cut;         /* > 0: the rows reached this many and the rest was not read
                       * (qapi_call_rows); no body, object or code then */
    enum qapi_class cls;
};

struct qapi;

/* Opens a client for shop from its settings and secrets in s. Does no network I/O.
 * dry_run: write calls (not Get*, Search*) are printed as JSON Lines on dry_out with
 * secrets redacted and not sent; reads still go out. */
int qapi_open(struct store *s, const char *shop, int dry_run, FILE *dry_out, struct qapi **out,
              struct qs_err *e);
/* Writes now the results of answered attempts whose audit rows wait for the next request's
 * flight (SPEC 1.6: each attempt's row is written, result "sent", while its request is on
 * the wire, and its result while the next one is; qapi_close writes what is left). */
int qapi_flush(struct qapi *q, struct qs_err *e);
/* Closes q (and its connection), writing the audit results it holds (qapi_flush);
 * qapi_close(NULL) is a no-op. */
void qapi_close(struct qapi *q);
/* Turns connection reuse off or on (on by default; off only for benchmarks). */
void qapi_set_reuse(struct qapi *q, int reuse);
/* Overrides the rate limit, requests per second (<= 0: unlimited). The limit is kept
 * per struct qapi, so per process: two qs processes on one shop each get the full rate. */
void qapi_set_rate(struct qapi *q, double per_second);
/* Overrides the retry backoff: base_ms doubling per retry up to cap_ms, with jitter
 * (default 200 ms and 10 s; tests and benchmarks shorten it). */
void qapi_set_backoff(struct qapi *q, long base_ms, long cap_ms);
/* Overrides the retries after a retryable error (setting qapi.retries). Whatever it is, a
 * write is retried only when the connection failed before the request was sent
 * (R-SYN-7): a write whose answer is lost (or that was answered 5xx) fails to the
 * caller, which reconciles by a read before it resends. */
void qapi_set_retries(struct qapi *q, int retries);
/* Work done while a request is on the wire (SPEC 8: qs's own work overlaps the
 * marketplace's, issue 16): fn(ctx) is called at most once per HTTP request, once the
 * request has been handed to the connection in full, before its answer is read; a request
 * that fails before it is sent does not call it, nor one whose answer was read in the same
 * turn as its send (what fn would do then waits for the next request). fn must not call the client
 * (such a call fails with QS_E_SOFTWARE) and keeps its own errors. NULL turns it off. */
typedef void (*qapi_idle_fn)(void *ctx);
void qapi_set_idle(struct qapi *q, qapi_idle_fn fn, void *ctx);
/* Sleeps the client's backoff before retry number retry (1, 2, ...): for a caller that
 * sends a write again itself after a doubt (R-SYN-7). */
void qapi_backoff(struct qapi *q, int retry);
/* The retries in force (qapi_set_retries, setting qapi.retries). */
int qapi_retries(const struct qapi *q);

/* Calls method ("ShippingBasic.GetShippingInfo_v3") with params. audit_key names the
 * record the call is about (order no, seller code; never a secret), may be NULL.
 * Returns 0 when ResultCode is 0; otherwise res->cls tells why and the return is
 * QS_E_FAIL (invalid: the marketplace refused, message in e and res->msg),
 * QS_E_TEMP (retryable, retries used up) or QS_E_UNAVAILABLE (no answer at all).
 * Missing secrets give QS_E_USAGE naming what to set. If the call worked but its audit
 * row -- or the answer of an earlier call, written during this one's flight (qapi_flush)
 * -- could not be written, the store's error is returned with res->cls == QAPI_OK.
 * In dry run a write (qapi_is_write) is printed, not sent: 0, res->code 0, no object.
 * res is always filled; free it with qapi_result_free. */
int qapi_call(struct qapi *q, const char *method, const struct qapi_param *params, size_t n,
              const char *audit_key, struct qapi_result *res, struct qs_err *e);
/* As qapi_call, for a search whose rows (ResultObject's elements, or those of its first
 * member that is an array) are of use only when fewer than max_rows came (R-SYN-1c: the
 * window is split otherwise): once max_rows of them are in, the rest of the answer is not
 * read (the connection is dropped) and the call returns 0 with res->cut = max_rows and
 * no body. max_rows <= 0 reads the answer whole. Memory then holds at most max_rows
 * rows, whatever the marketplace sends. */
int qapi_call_rows(struct qapi *q, const char *method, const struct qapi_param *params, size_t n,
                   const char *audit_key, long max_rows, struct qapi_result *res, struct qs_err *e);
/* Frees what res holds (not res itself). */
void qapi_result_free(struct qapi_result *res);

/* Per-line answer of a bulk call: index into lines, the line's own code (0 ok) and
 * message, and the marketplace's per-line result object (NULL when it gave none).
 * A non-zero return stops qapi_bulk, which then returns that value. */
typedef int (*qapi_line_fn)(size_t index, int code, const char *msg, const json_t *line, void *ctx);
/* Sends lines (a JSON array) through a bulk method in chunks of at most QAPI_BULK_MAX,
 * as the JSON-string parameter json_param (e.g. "ShippingInfoJson"), with extra params.
 * Calls fn for each line with its own result code: 0 only when the line's result_cd is 0
 * and no other code on it disagrees (R-SYN-9; the rules in qapi_internal.h,
 * qapi_bulk_report); a chunk refused as a whole (e.g. -2) gives each of its lines that
 * code. Returns 0 when every chunk was answered
 * (lines may still have failed: see fn), else as qapi_call, stopping at the failed
 * chunk: lines never reported to fn were not sent or got no answer. In dry run each
 * chunk is printed and fn is not called. */
int qapi_bulk(struct qapi *q, const char *method, const char *json_param, json_t *lines,
              const struct qapi_param *extra, size_t nextra, qapi_line_fn fn, void *ctx,
              struct qs_err *e);

/* R-SYN-7: checks a QAPI base URL as libcurl parses it: http:// or https://, a host, no
 * user name, query or fragment, and plain http:// only to a loopback host (127.0.0.0/8,
 * ::1, localhost). Sets *loopback. Returns 0, or QS_E_USAGE with e saying why (the
 * message names the host, never the whole URL). */
int qapi_url_check(const char *url, int *loopback, struct qs_err *e);
/* The QAPIVersion header for method (reference §3), "1.0" when not listed. */
const char *qapi_method_version(const char *method);
/* Classifies an answer: curl_code (0 ok), HTTP status, ResultCode. */
enum qapi_class qapi_classify(int curl_code, long http_status, int result_code);
/* 1 when method is a write: its part after the '.' starts with neither Get nor Search. */
int qapi_is_write(const char *method);
/* What a method does (the method table of qapi_codes.c): it reads, sets a value (a
 * repeat is harmless) or creates something (a repeat makes a second one). */
enum qapi_kind { QAPI_KIND_READ, QAPI_KIND_SET, QAPI_KIND_CREATE };
/* The kind of method: READ for every read, the table's for a listed write, CREATE for
 * any other write (the safe reading). */
enum qapi_kind qapi_method_kind(const char *method);
/* A ResultCode (or a bulk line's code) as an int, a numeric string or an integral real;
 * QAPI_CODE_NONE else. */
int qapi_code_of(const json_t *v);
/* The field name of an answer's object o as text: a string as it is, a number in
 * decimal, rounded (answers send numbers either way), anything else or none "". Malloc'd. */
char *qapi_field_text(const json_t *o, const char *name);
/* The digits in a status label: "On request(2)" -> 2 (a bare "2" too); -1 when there
 * are none. */
int qapi_status_code(const char *label);
/* HTTP requests made (SAK requests included) and connections opened so far, from
 * CURLINFO_NUM_CONNECTS (benchmarks, tests). Either pointer may be NULL. */
void qapi_stats(const struct qapi *q, long *requests, long *connections);

/* ---- raw calls (R-SYN-10, qs sync probe) ------------------------------------------ */

/* The base URL calls go to (no trailing '/'); owned by q. */
const char *qapi_base_url(const struct qapi *q);
/* As qapi_call, and also: version, when not NULL, is sent as the QAPIVersion instead of
 * the method's (qapi_method_version); *text is the answer's body as text with the
 * shop's secrets redacted (qapi_redact) and *ctype its Content-Type, both malloc'd for
 * the caller to free, NULL when no answer came (or in a dry run). Never for
 * CertificationAPI.CreateCertificationKey (QS_E_SOFTWARE): the login is not handed out.
 * qapi_call's behaviour is unchanged. */
int qapi_call_raw(struct qapi *q, const char *method, const char *version,
                  const struct qapi_param *params, size_t n, const char *audit_key,
                  struct qapi_result *res, char **text, char **ctype, struct qs_err *e);

#endif

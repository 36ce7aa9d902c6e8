/* qapi_http: the libcurl side of the QAPI client -- one kept-alive easy handle, the
 * form-encoded POST of reference 1.2/1.3, the client-side rate limit (R-SYN-7) and the
 * parsing of both answer envelopes (reference 1.6). */
#include "qapi_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "../xalloc.h"

long long qapi_now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ts(struct timespec d)
{
    struct timespec rem;
    while (nanosleep(&d, &rem) != 0 && errno == EINTR)
        d = rem;
}

void qapi_sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    sleep_ts((struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L});
}

static int ts_before(struct timespec a, struct timespec b)
{
    return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

/* R-SYN-7: a minimum interval of 1/rate between request starts (a token bucket of
 * depth one). Kept in struct qapi, so it limits one process only; the reference knows
 * no server-side limit (1.9), 5/s is what one team found safe. */
static void rate_wait(struct qapi *q)
{
    struct timespec now;
    long long step_ns;

    if (q->rate <= 0 || clock_gettime(CLOCK_MONOTONIC, &now) != 0)
        return;
    if (q->have_slot && ts_before(now, q->next_slot)) {
        struct timespec d = {q->next_slot.tv_sec - now.tv_sec, q->next_slot.tv_nsec - now.tv_nsec};
        if (d.tv_nsec < 0) {
            d.tv_sec--;
            d.tv_nsec += 1000000000L;
        }
        sleep_ts(d);
        now = q->next_slot;
    }
    step_ns = (long long)(1e9 / q->rate);
    if (step_ns < 1)
        step_ns = 1;
    q->next_slot.tv_sec = now.tv_sec + (time_t)(step_ns / 1000000000LL);
    q->next_slot.tv_nsec = now.tv_nsec + (long)(step_ns % 1000000000LL);
    if (q->next_slot.tv_nsec >= 1000000000L) {
        q->next_slot.tv_sec++;
        q->next_slot.tv_nsec -= 1000000000L;
    }
    q->have_slot = 1;
}

static void buf_add(struct qapi_buf *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct qapi *q = ud;
    struct qapi_buf *b = &q->resp;
    size_t n = size * nmemb;
    long status = 0;

    /* R-SYN-1c: an answer (2xx) whose rows reach the cap is not read further; its window
     * is split and fetched again, so the rest would be thrown away. */
    if (b->rows.cap > 0 && qapi_rows_feed(&b->rows, ptr, n) &&
        curl_easy_getinfo(q->curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
        status / 100 == 2) {
        b->cut = b->rows.n;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    if (b->len + n > (size_t)QAPI_MAX_BODY) {
        b->too_big = 1;
        return 0;
    }
    buf_add(b, ptr, n);
    return n;
}

#if LIBCURL_VERSION_NUM < 0x075000
#error "qs needs libcurl 7.80 or later (CURLOPT_PREREQFUNCTION: the guard of a write)"
#endif

/* Called by libcurl each time a request is about to go out on a connection, new or
 * reused (CURLOPT_PREREQFUNCTION, libcurl >= 7.80). A write goes out at most once per
 * attempt: libcurl re-sends a request on a fresh connection when a reused one turns out
 * dead before any answer, and the marketplace may have acted on the first; such a
 * second send is refused here (the transfer fails with CURLE_ABORTED_BY_CALLBACK) and
 * the doubt goes to the caller (SPEC 1.6, R-SYN-7). A read may go again. */
static int on_prereq(void *ud, char *ip, char *local_ip, int port, int local_port)
{
    struct qapi *q = ud;
    (void)ip;
    (void)local_ip;
    (void)port;
    (void)local_port;
    if (q->sends++ > 0 && q->call_write) {
        q->resend_refused = 1;
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}

#define SETOPT(opt, val)                                                                           \
    do {                                                                                           \
        if (curl_easy_setopt(q->curl, opt, val) != CURLE_OK)                                       \
            return err_set(e, QS_E_SOFTWARE, NULL, "qapi: libcurl refused option %s", #opt);       \
    } while (0)

/* The Date header of an answer (R-SYN-8: the doctor's clock skew); 0 when none parses.
 * Any other header is ignored. */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct qapi *q = ud;
    size_t n = size * nmemb;

    if (n > 5 && n - 5 < sizeof q->answer_date && strncasecmp(ptr, "date:", 5) == 0) {
        memcpy(q->answer_date, ptr + 5, n - 5);
        q->answer_date[n - 5] = '\0';
    }
    return n;
}

time_t qapi_http_answer_date(const struct qapi *q)
{
    time_t t = q->answer_date[0] ? curl_getdate(q->answer_date, NULL) : 0;
    return t > 0 ? t : 0;
}

int qapi_http_init(struct qapi *q, struct qs_err *e)
{
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_CONNECTTIMEOUT, 10L);
    SETOPT(CURLOPT_TIMEOUT, q->timeout_s);
    SETOPT(CURLOPT_ERRORBUFFER, q->errbuf);
    SETOPT(CURLOPT_WRITEFUNCTION, on_data);
    SETOPT(CURLOPT_WRITEDATA, q);
    SETOPT(CURLOPT_HEADERFUNCTION, on_header);
    SETOPT(CURLOPT_HEADERDATA, q);
    SETOPT(CURLOPT_USERAGENT, "qs/" QS_VERSION);
    SETOPT(CURLOPT_POST, 1L);
    SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
    SETOPT(CURLOPT_PREREQFUNCTION, on_prereq);
    SETOPT(CURLOPT_PREREQDATA, q);
    SETOPT(CURLOPT_ACCEPT_ENCODING, "");
    /* R-SYN-7: the key and password go only where qapi_url_check allowed: no redirect
     * is followed, no other protocol is spoken, TLS is verified, and a plain http://
     * request (loopback only) never goes through a proxy from the environment. */
    SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
    SETOPT(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    SETOPT(CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
    SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
    SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
    if (q->loopback)
        SETOPT(CURLOPT_NOPROXY, "*");
    return 0;
}

/* Runs the request set up on q->curl to its end on q->multi, as curl_easy_perform would
 * (which runs a multi handle of its own inside), and calls the caller's idle function once
 * the request body (len bytes) has gone out in full: the caller's store work then overlaps
 * the marketplace's (qapi_set_idle). The multi handle keeps the connection between
 * requests. */
static CURLcode perform(struct qapi *q, curl_off_t len)
{
    CURLMcode mc;
    CURLMsg *m;
    CURLcode cc = CURLE_OUT_OF_MEMORY; /* the multi handle failed: as libcurl without memory */
    int running = 0, left, idled = 0;

    if (curl_multi_add_handle(q->multi, q->curl) != CURLM_OK)
        return cc;
    for (;;) {
        if ((mc = curl_multi_perform(q->multi, &running)) != CURLM_OK || !running)
            break;
        if (!idled && q->sends > 0) {
            curl_off_t up = 0;
            if (curl_easy_getinfo(q->curl, CURLINFO_SIZE_UPLOAD_T, &up) == CURLE_OK && up >= len) {
                idled = 1;
                qapi_audit_wire(q); /* SPEC 1.6: the attempt is recorded as it leaves */
                if (q->idle_fn) {
                    q->in_idle = 1;
                    q->idle_fn(q->idle_ctx);
                    q->in_idle = 0;
                }
                continue; /* the answer may be in */
            }
        }
        /* Waits at most for libcurl's own next timeout (the request's, the connect's). */
        if ((mc = curl_multi_poll(q->multi, NULL, 0, 1000, NULL)) != CURLM_OK)
            break;
    }
    while ((m = curl_multi_info_read(q->multi, &left)) != NULL)
        if (m->msg == CURLMSG_DONE && m->easy_handle == q->curl)
            cc = m->data.result;
    curl_multi_remove_handle(q->multi, q->curl);
    return cc;
}

/* Appends "name=value" percent-encoded (UTF-8 as is: reference 1.2) to the body. */
static int form_add(struct qapi *q, struct qapi_buf *b, const char *name, const char *value)
{
    char *n = curl_easy_escape(q->curl, name, 0);
    char *v = curl_easy_escape(q->curl, value ? value : "", 0);
    int rc = -1;

    if (n && v) {
        if (b->len)
            buf_add(b, "&", 1);
        buf_add(b, n, strlen(n));
        buf_add(b, "=", 1);
        buf_add(b, v, strlen(v));
        rc = 0;
    }
    curl_free(n);
    curl_free(v);
    return rc;
}

int qapi_http_post(struct qapi *q, const char *method, const char *cert,
                   const struct qapi_param *params, size_t n, struct qapi_attempt *a,
                   struct qs_err *e)
{
    struct qapi_buf form = {0};
    struct curl_slist *hdrs = NULL, *h;
    char *url = NULL, *hcert = NULL, *hver = NULL;
    const char *ctype = NULL;
    /* qapi_call_raw (R-SYN-10): its method may go with another QAPIVersion, and its
     * answer is kept as text. */
    const int raw = q->raw_method && strcmp(method, q->raw_method) == 0;
    long long t0;
    long conns = 0;
    int rc = 0;

    memset(a, 0, sizeof *a);
    a->code = QAPI_CODE_NONE;
    q->call_write = qapi_is_write(method);
    for (size_t i = 0; i < n; i++)
        if (form_add(q, &form, params[i].name, params[i].value) < 0)
            goto nomem;
    /* reference 1.4: path form takes returnType as a body parameter */
    if (form_add(q, &form, "returnType", "application/json") < 0)
        goto nomem;
    url = xasprintf("%s/%s", q->base, method);
    hcert = xasprintf("GiosisCertificationKey: %s", cert ? cert : "");
    hver = xasprintf("QAPIVersion: %s",
                     raw && q->raw_version ? q->raw_version : qapi_method_version(method));
    {
        const char *lines[] = {
            "Content-Type: application/x-www-form-urlencoded; charset=UTF-8",
            "Accept: application/json",
            "Expect:", /* no 100-continue round trip on large bulk bodies */
            hcert,
            hver,
        };
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
            if (!(h = curl_slist_append(hdrs, lines[i])))
                goto nomem;
            hdrs = h;
        }
    }
    if (curl_easy_setopt(q->curl, CURLOPT_URL, url) != CURLE_OK ||
        curl_easy_setopt(q->curl, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK ||
        curl_easy_setopt(q->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)form.len) != CURLE_OK ||
        curl_easy_setopt(q->curl, CURLOPT_POSTFIELDS, form.data ? form.data : "") != CURLE_OK ||
        curl_easy_setopt(q->curl, CURLOPT_FORBID_REUSE, q->reuse ? 0L : 1L) != CURLE_OK ||
        curl_easy_setopt(q->curl, CURLOPT_FRESH_CONNECT, q->reuse ? 0L : 1L) != CURLE_OK ||
        /* A write reuses only a connection that was busy lately: one idle longer may have
         * been closed by the server, and on_prereq would then refuse libcurl's resend --
         * a needless doubt for the caller. */
        curl_easy_setopt(q->curl, CURLOPT_MAXAGE_CONN,
                         q->call_write ? QAPI_WRITE_MAXAGE_S : QAPI_READ_MAXAGE_S) != CURLE_OK) {
        rc = err_set(e, QS_E_SOFTWARE, NULL, "qapi: libcurl refused the request options");
        goto out;
    }

    rate_wait(q);
    q->sends = 0;
    q->resend_refused = 0;
    q->resp.len = 0;
    q->resp.too_big = 0;
    q->resp.cut = 0;
    qapi_rows_start(&q->resp.rows,
                    q->rows_method && strcmp(method, q->rows_method) == 0 ? q->rows_cap : 0);
    q->errbuf[0] = '\0';
    q->answer_date[0] = '\0';
    t0 = qapi_now_ms();
    a->curl_code = (int)perform(q, (curl_off_t)form.len);
    a->latency_ms = (long)(qapi_now_ms() - t0);
    a->sent = q->sends > 0;
    q->requests++;
    if (curl_easy_getinfo(q->curl, CURLINFO_NUM_CONNECTS, &conns) == CURLE_OK)
        q->connections += conns;
    if (curl_easy_getinfo(q->curl, CURLINFO_RESPONSE_CODE, &a->http_status) != CURLE_OK)
        a->http_status = 0;
    if (curl_easy_getinfo(q->curl, CURLINFO_CONTENT_TYPE, &ctype) != CURLE_OK)
        ctype = NULL;
    if (raw) {
        free(q->raw_text);
        free(q->raw_ctype);
        q->raw_text = q->raw_ctype = NULL;
        if (a->curl_code == CURLE_OK) {
            q->raw_text = xmalloc(q->resp.len + 1);
            if (q->resp.len)
                memcpy(q->raw_text, q->resp.data, q->resp.len);
            q->raw_text[q->resp.len] = '\0';
            q->raw_ctype = ctype ? xstrdup(ctype) : NULL;
        }
    }

    if (a->curl_code != CURLE_OK && q->resp.cut) {
        /* Cut at the cap (on_data): an answer, its rows not kept. */
        a->curl_code = CURLE_OK;
        a->cut = q->resp.cut;
        a->cls = QAPI_OK;
        snprintf(a->why, sizeof a->why, "cut at %ld rows, the window's cap (R-SYN-1c)", a->cut);
    } else if (a->curl_code != CURLE_OK && q->resp.too_big) {
        /* An answer came, too big to keep: refused, not retried. */
        a->curl_code = CURLE_OK;
        snprintf(a->why, sizeof a->why, "the answer is larger than %ld MiB", QAPI_MAX_BODY >> 20);
        a->cls = QAPI_INVALID;
    } else if (a->curl_code != CURLE_OK) {
        a->http_status = 0; /* an interrupted answer is no answer */
        if (q->resend_refused)
            snprintf(a->why, sizeof a->why,
                     "the connection closed without an answer (the request may have been "
                     "received; not sent again)");
        else
            snprintf(a->why, sizeof a->why, "%s",
                     q->errbuf[0] ? q->errbuf : curl_easy_strerror((CURLcode)a->curl_code));
        a->cls = qapi_classify(a->curl_code, 0, QAPI_CODE_NONE);
    } else {
        qapi_parse_answer(q->resp.data ? q->resp.data : "", q->resp.len, ctype, a);
        a->cls = qapi_classify(0, a->http_status, a->code);
        if (a->code == QAPI_CODE_NONE) {
            char head[32];
            size_t hl = (size_t)snprintf(head, sizeof head, "HTTP %ld, ", a->http_status);
            size_t wl = strnlen(a->why, sizeof a->why - 1);
            if (hl + wl >= sizeof a->why)
                wl = sizeof a->why - 1 - hl;
            memmove(a->why + hl, a->why, wl);
            memcpy(a->why, head, hl);
            a->why[hl + wl] = '\0';
        }
    }
    goto out;
nomem:
    rc = err_set(e, QS_E_SOFTWARE, NULL, "qapi: cannot build the request (out of memory)");
out:
    /* The handle keeps pointers to the headers and body: drop them before freeing. */
    if (curl_easy_setopt(q->curl, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL) != CURLE_OK ||
        curl_easy_setopt(q->curl, CURLOPT_POSTFIELDS, "") != CURLE_OK ||
        curl_easy_setopt(q->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0) != CURLE_OK)
        rc = rc ? rc : err_set(e, QS_E_SOFTWARE, NULL, "qapi: libcurl refused to reset");
    curl_slist_free_all(hdrs);
    free(form.data);
    free(url);
    free(hcert);
    free(hver);
    return rc;
}

/* ResultCode/ErrorCode as an int, a numeric string (both seen: reference 1.6) or an
 * integral real. QAPI_CODE_NONE when it is none of these. */
char *qapi_field_text(const json_t *o, const char *name)
{
    const json_t *v = json_object_get(o, name);
    char buf[64];
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        return xstrdup(buf);
    }
    if (json_is_real(v)) {
        snprintf(buf, sizeof buf, "%.0f", json_real_value(v));
        return xstrdup(buf);
    }
    return xstrdup("");
}

int qapi_code_of(const json_t *v)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        return i > INT_MIN && i <= INT_MAX ? (int)i : QAPI_CODE_NONE;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        /* The range first: converting a double outside int's range is undefined. */
        return d > INT_MIN && d <= INT_MAX && d == (double)(int)d ? (int)d : QAPI_CODE_NONE;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        long l;
        errno = 0;
        l = strtol(s, &end, 10);
        while (*end == ' ' || *end == '\t')
            end++;
        if (end == s || *end || errno || l <= INT_MIN || l > INT_MAX)
            return QAPI_CODE_NONE;
        return (int)l;
    }
    return QAPI_CODE_NONE;
}

/* A short printable sample of a body that is not JSON, for the message. */
static void sample(const char *data, size_t len, char *out, size_t size)
{
    size_t j = 0;
    int space = 0;
    for (size_t i = 0; i < len && j + 4 < size && i < 200; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == '\r' || c == '\n' || c == '\t' || c == ' ') {
            space = 1;
            continue;
        }
        if (space && j)
            out[j++] = ' ';
        space = 0;
        out[j++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    if (j + 4 < size && len > 200) {
        memcpy(out + j, "...", 3);
        j += 3;
    }
    out[j] = '\0';
}

void qapi_parse_answer(const char *data, size_t len, const char *ctype, struct qapi_attempt *a)
{
    json_error_t jerr;
    json_t *body;
    const json_t *c, *m;

    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) { /* a BOM, as .NET may send */
        data += 3;
        len -= 3;
    }
    body = json_loadb(data, len, 0, &jerr);

    a->code = QAPI_CODE_NONE;
    if (!body || !json_is_object(body)) {
        char s[120];
        sample(data, len, s, sizeof s);
        snprintf(a->why, sizeof a->why, "the answer is not a JSON envelope (%s%s%s)",
                 ctype ? ctype : "no content type", len ? ": " : ", empty", s);
        json_decref(body);
        return;
    }
    a->body = body;
    /* reference 1.6: the error-only shape first, as clients do */
    if ((c = json_object_get(body, "ErrorCode")) != NULL) {
        a->error_shape = 1;
        m = json_object_get(body, "ErrorMsg");
    } else if ((c = json_object_get(body, "ResultCode")) != NULL) {
        m = json_object_get(body, "ResultMsg");
    } else {
        snprintf(a->why, sizeof a->why, "the answer has neither ResultCode nor ErrorCode");
        return;
    }
    a->code = qapi_code_of(c);
    if (a->code == QAPI_CODE_NONE)
        snprintf(a->why, sizeof a->why, "the answer's %s is not a number",
                 a->error_shape ? "ErrorCode" : "ResultCode");
    if (json_is_string(m))
        a->msg = xstrdup(json_string_value(m));
}

void qapi_attempt_clear(struct qapi_attempt *a)
{
    free(a->msg);
    json_decref(a->body);
    memset(a, 0, sizeof *a);
    a->code = QAPI_CODE_NONE;
}

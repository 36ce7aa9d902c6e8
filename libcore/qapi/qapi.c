/* qapi: opening a client from a shop's settings and secrets, the seller authorization
 * key (reference 2), the retry loop with its error classes (R-SYN-7), the audit of
 * every attempt and the dry run (SPEC 1.6). HTTP lives in qapi_http.c, bulk calls in
 * qapi_bulk.c, the base URL check in qapi_url.c, versions and classes in qapi_codes.c,
 * redaction in qapi_redact.c. */
#include "qapi_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../shop.h"
#include "../settings.h"
#include "../tm.h"
#include "../xalloc.h"

#define CERT_METHOD "CertificationAPI.CreateCertificationKey"

/* ----------------------------------------------------------------- secrets */

/* 1 when a request field or header named name carries a secret (case ignored): its whole
 * value is masked wherever it is shown. */
static int secret_name(const char *name)
{
    static const char *const secret_names[] = {"key",    "pwd",     "password",
                                               "userid", "user_id", "giosiscertificationkey"};

    for (size_t i = 0; i < sizeof secret_names / sizeof secret_names[0]; i++)
        if (strcasecmp(name, secret_names[i]) == 0)
            return 1;
    return 0;
}

/* The env value when set and non-empty, else the shop's secret. A secret that is too
 * short is refused for a real (non-loopback) endpoint, before any connection. */
static int secret_load(struct qapi *q, const char *key, const char *env, int check_len, char **out,
                       struct qs_err *e)
{
    const char *v = env ? getenv(env) : NULL;
    int rc = 0;

    *out = NULL;
    if (v && *v)
        *out = xstrdup(v);
    else if ((rc = shop_secret_get(q->s, q->shop, key, out, e)) < 0)
        return rc;
    if (check_len && *out && strlen(*out) < QAPI_SECRET_MIN && !q->loopback) {
        if (v && *v)
            rc = err_set(e, QS_E_USAGE, NULL,
                         "shop %s: %s is shorter than %d characters; qs refuses a secret that "
                         "short for a real endpoint (it could not be kept out of messages): "
                         "set the real one in %s",
                         q->shop, env, QAPI_SECRET_MIN, env);
        else
            rc = err_set(e, QS_E_USAGE, NULL,
                         "shop %s: secret %s is shorter than %d characters; qs refuses a "
                         "secret that short for a real endpoint (it could not be kept out of "
                         "messages): set the real one with `qs init --shop %s --secret %s`",
                         q->shop, key, QAPI_SECRET_MIN, q->shop, key);
    }
    return rc;
}

/* --------------------------------------------------------------- open/close */

int qapi_open(struct store *s, const char *shop, int dry_run, FILE *dry_out, struct qapi **out,
              struct qs_err *e)
{
    struct qapi *q = xcalloc(1, sizeof *q);
    double rate = 5, timeout = 30, retries = 5;
    const char *env_url = getenv("QS_QAPI_URL");
    char *url = NULL;
    size_t len;
    int rc;

    *out = NULL;
    q->s = s;
    q->shop = xstrdup(shop);
    q->dry_run = dry_run;
    q->dry_out = dry_out;
    q->reuse = 1;
    q->backoff_base_ms = 200;
    q->backoff_cap_ms = 10000;
    if (dry_run && !dry_out) {
        rc = err_set(e, QS_E_SOFTWARE, NULL, "qapi: a dry run needs an output stream");
        goto fail;
    }
    if (env_url && *env_url)
        url = xstrdup(env_url);
    else if ((rc = settings_string(s, shop, "qapi.url", &url, e)) < 0)
        goto fail;
    q->base = url ? url : xstrdup(QAPI_DEFAULT_URL);
    if ((rc = qapi_url_check(q->base, &q->loopback, e)) < 0) {
        char why[sizeof e->msg];
        snprintf(why, sizeof why, "%s", e->msg);
        if (env_url && *env_url)
            rc = err_set(e, QS_E_USAGE, "R-SYN-7", "shop %s: QS_QAPI_URL: %s; fix QS_QAPI_URL",
                         shop, why);
        else
            rc = err_set(e, QS_E_USAGE, "R-SYN-7",
                         "shop %s: setting qapi.url: %s; fix it with `qs init --shop %s --set "
                         "qapi.url=https://...`",
                         shop, why, shop);
        goto fail;
    }
    while ((len = strlen(q->base)) > 0 && q->base[len - 1] == '/')
        q->base[len - 1] = '\0';
    if ((rc = settings_number(s, shop, "qapi.rate", &rate, e)) < 0 ||
        (rc = settings_number(s, shop, "qapi.timeout", &timeout, e)) < 0 ||
        (rc = settings_number(s, shop, "qapi.retries", &retries, e)) < 0)
        goto fail;
    q->rate = rate;
    q->timeout_s = (long)timeout;
    q->retries = (int)retries;
    /* The QSM user id is a login name, not a password: a short one is allowed. */
    if ((rc = secret_load(q, "qapi.key", "QS_QAPI_KEY", 1, &q->key, e)) < 0 ||
        (rc = secret_load(q, "qapi.user", "QS_QAPI_USER", 0, &q->user, e)) < 0 ||
        (rc = secret_load(q, "qapi.password", "QS_QAPI_PASSWORD", 1, &q->password, e)) < 0 ||
        (rc = shop_secret_get(s, shop, "qapi.sak", &q->sak, e)) < 0)
        goto fail;
    if (q->sak && !*q->sak) {
        free(q->sak);
        q->sak = NULL;
    }
    if ((rc = curl_dl_ready(e)) < 0)
        goto fail;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        rc = err_set(e, QS_E_SOFTWARE, NULL, "qapi: libcurl failed to initialise");
        goto fail;
    }
    q->global_init = 1;
    if (!(q->curl = curl_easy_init())) {
        rc = err_set(e, QS_E_SOFTWARE, NULL, "qapi: libcurl failed to initialise");
        goto fail;
    }
    if (!(q->multi = curl_multi_init())) {
        rc = err_set(e, QS_E_SOFTWARE, NULL, "qapi: libcurl failed to initialise");
        goto fail;
    }
    if ((rc = qapi_http_init(q, e)) < 0)
        goto fail;
    q->rng = ((uint64_t)qapi_now_ms() << 20) ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)q;
    if (!q->rng)
        q->rng = 0x9e3779b97f4a7c15ULL;
    *out = q;
    return 0;
fail:
    qapi_close(q);
    return rc;
}

void qapi_close(struct qapi *q)
{
    if (!q)
        return;
    if (q->nheld) {
        struct qs_err ignore; /* the store is failing: the rows stay "sent" */
        qapi_audit_flush(q, &ignore);
    }
    qapi_audit_free(q);
    /* The transfer is out of the multi handle after each request (qapi_http_post). */
    if (q->multi)
        curl_multi_cleanup(q->multi);
    if (q->curl)
        curl_easy_cleanup(q->curl);
    if (q->global_init)
        curl_global_cleanup();
    free(q->resp.data);
    free(q->shop);
    free(q->base);
    free(q->key);
    free(q->user);
    free(q->password);
    free(q->sak);
    free(q->raw_text);
    free(q->raw_ctype);
    free(q);
}

void qapi_set_reuse(struct qapi *q, int reuse)
{
    q->reuse = reuse != 0;
}

int qapi_flush(struct qapi *q, struct qs_err *e)
{
    return qapi_audit_flush(q, e);
}

void qapi_set_idle(struct qapi *q, qapi_idle_fn fn, void *ctx)
{
    q->idle_fn = fn;
    q->idle_ctx = ctx;
}

void qapi_set_rate(struct qapi *q, double per_second)
{
    q->rate = per_second;
    q->have_slot = 0;
}

void qapi_set_backoff(struct qapi *q, long base_ms, long cap_ms)
{
    q->backoff_base_ms = base_ms > 0 ? base_ms : 0;
    q->backoff_cap_ms = cap_ms > q->backoff_base_ms ? cap_ms : q->backoff_base_ms;
}

void qapi_set_retries(struct qapi *q, int retries)
{
    q->retries = retries > 0 ? retries : 0;
}

int qapi_retries(const struct qapi *q)
{
    return q->retries;
}

void qapi_stats(const struct qapi *q, long *requests, long *connections)
{
    if (requests)
        *requests = q->requests;
    if (connections)
        *connections = q->connections;
}

void qapi_result_free(struct qapi_result *res)
{
    if (!res)
        return;
    free(res->msg);
    json_decref(res->object);
    json_decref(res->body);
    memset(res, 0, sizeof *res);
}

/* ------------------------------------------------------------ the call loop */

/* R-SYN-7: base doubling per retry up to the cap; "equal jitter" (half fixed, half
 * random) so clients retrying together spread out but never retry at once. */
static long backoff_ms(struct qapi *q, int retry)
{
    long d = q->backoff_base_ms;
    for (int i = 1; i < retry && d < q->backoff_cap_ms; i++)
        d *= 2;
    if (d > q->backoff_cap_ms)
        d = q->backoff_cap_ms;
    q->rng ^= q->rng << 13;
    q->rng ^= q->rng >> 7;
    q->rng ^= q->rng << 17;
    return d / 2 + (d > 1 ? (long)(q->rng % (uint64_t)(d / 2 + 1)) : 0);
}

void qapi_backoff(struct qapi *q, int retry)
{
    qapi_sleep_ms(backoff_ms(q, retry < 1 ? 1 : retry));
}

/* Why the last attempt failed, redacted, for messages. */
static char *reason(const struct qapi *q, const struct qapi_attempt *a)
{
    char *raw, *out;
    if (a->code != QAPI_CODE_NONE)
        raw = xasprintf("%s (code %d)", a->msg && *a->msg ? a->msg : "no message", a->code);
    else
        raw = xstrdup(a->why[0] ? a->why : "no answer");
    out = qapi_redact(q, raw);
    free(raw);
    return out;
}

static int sak_obtain(struct qapi *q, int *answered, struct qs_err *e);

/* R-SYN-7: 1 when an attempt surely sent nothing: the connection failed before the
 * request could leave -- the name did not resolve (CURLE_COULDNT_RESOLVE_PROXY/HOST),
 * the connection was refused or did not come up (CURLE_COULDNT_CONNECT, a connect
 * timeout: CURLE_OPERATION_TIMEDOUT), the TLS handshake failed (CURLE_SSL_CONNECT_ERROR)
 * -- and libcurl never got as far as sending on any connection (on_prereq was not called:
 * a resend on a fresh connection that fails to connect does not count, its first send
 * may have arrived). Only such a write is retried inside the client. */
static int sent_nothing(const struct qapi_attempt *a)
{
    switch (a->curl_code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:
        return !a->sent;
    default:
        return 0;
    }
}

/* res takes the last attempt's answer (attempts are counted by the loop). */
static void take(const struct qapi *q, struct qapi_attempt *a, struct qapi_result *res)
{
    res->code = a->code;
    res->msg = qapi_redact(q, a->msg);
    res->body = a->body;
    a->body = NULL;
    if (res->body) {
        json_t *o = json_object_get(res->body, "ResultObject");
        res->object = o && !json_is_null(o) ? json_incref(o) : NULL;
    }
    res->http_status = a->http_status;
    res->cut = a->cut;
    res->latency_ms = a->latency_ms;
    res->cls = a->cls;
}

/* The loop shared by calls and SAK requests: rate limit, send, classify, audit, and
 * back off and retry (R-SYN-7), or re-issue the SAK once on an auth error. Fills res
 * from the last attempt. cert is NULL for a call signed with the SAK. */
static int run(struct qapi *q, const char *method, const char *cert,
               const struct qapi_param *params, size_t n, const char *audit_key,
               struct qapi_result *res, int *answered, struct qs_err *e)
{
    struct qapi_attempt a = {0};
    struct qs_err aerr;
    int retries_left = q->retries, reissued = 0, sak_fresh = 0, audit_rc = 0, rc = 0;
    /* R-SYN-7: a write (not the login: a second key only replaces the first) is retried
     * here only when it surely was not sent; any other doubt goes to the caller. */
    const int write = qapi_is_write(method) && !cert;
    const char *result;
    char *why = NULL;

    err_clear(&aerr);
    if (!cert && !q->sak) {
        if ((rc = sak_obtain(q, answered, e)) < 0)
            return rc;
        sak_fresh = 1;
    }
    for (int attempt = 1;; attempt++) {
        qapi_attempt_clear(&a);
        q->wire_method = method; /* its audit row is written once it is on the wire */
        q->wire_key = audit_key;
        q->wire_attempt = attempt;
        q->wire_row = 0;
        rc = qapi_http_post(q, method, cert ? cert : q->sak, params, n, &a, e);
        q->wire_method = q->wire_key = NULL;
        if (rc < 0)
            goto out;
        res->attempts++;
        if (a.http_status)
            *answered = 1;
        /* -90001 in the error-only shape also means "key not accepted" (reference
         * 1.7): worth one re-issue when the SAK came from the cache. */
        int auth = a.cls == QAPI_AUTH || (a.error_shape && a.code == -90001 && !sak_fresh);
        if (a.cls == QAPI_OK)
            result = "ok";
        else if (auth && !cert && !reissued)
            result = "auth";
        else if (a.cls == QAPI_RETRY && retries_left > 0 && (!write || sent_nothing(&a)))
            result = "retry";
        else
            result = "failed";
        if (qapi_audit_attempt(q, method, audit_key, attempt, result, &a, &aerr) < 0 && !audit_rc)
            audit_rc = aerr.code;
        if (q->audit_rc && !audit_rc) { /* a row written on the wire failed */
            aerr = q->audit_err;
            audit_rc = q->audit_rc;
        }
        q->audit_rc = 0;
        if (strcmp(result, "auth") == 0) {
            reissued = sak_fresh = 1;
            free(q->sak);
            q->sak = NULL;
            if ((rc = sak_obtain(q, answered, e)) < 0)
                goto out;
            continue;
        }
        if (strcmp(result, "retry") == 0) {
            qapi_sleep_ms(backoff_ms(q, q->retries - --retries_left));
            continue;
        }
        break;
    }

    take(q, &a, res);
    if (a.cls == QAPI_OK)
        goto out;
    why = reason(q, &a);
    if (a.cls == QAPI_RETRY && !*answered)
        rc = err_set(e, QS_E_UNAVAILABLE, "R-SYN-7", "%s: no answer from %s after %d attempt%s: %s",
                     method, q->base, res->attempts, res->attempts == 1 ? "" : "s", why);
    else if (a.cls == QAPI_RETRY && res->attempts == 1)
        rc = err_set(e, QS_E_TEMP, "R-SYN-7", "%s: failed: %s", method, why);
    else if (a.cls == QAPI_RETRY)
        rc = err_set(e, QS_E_TEMP, "R-SYN-7", "%s: still failing after %d attempts: %s", method,
                     res->attempts, why);
    else if (a.cls == QAPI_AUTH && !cert)
        rc = err_set(e, QS_E_FAIL, NULL,
                     "%s: the marketplace refused a freshly issued seller authorization key: "
                     "%s",
                     method, why);
    else
        rc = err_set(e, QS_E_FAIL, NULL, "%s: the marketplace refused: %s", method, why);
    err_record(e, audit_key);
out:
    if (rc < 0 && !res->body && res->code == QAPI_CODE_NONE && a.curl_code + a.http_status)
        take(q, &a, res); /* a SAK request failed after an auth error */
    free(why);
    qapi_attempt_clear(&a);
    if (!rc && audit_rc) {
        if (e)
            *e = aerr;
        rc = audit_rc;
    }
    return rc;
}

/* Reference 2: CreateCertificationKey with the API key in the header and the QSM login
 * in the body; ResultObject is the key. Cached as secret qapi.sak. */
static int sak_obtain(struct qapi *q, int *answered, struct qs_err *e)
{
    struct qapi_result res = {0};
    char when[32];
    int rc;

    if (!q->key || !q->user || !q->password) {
        const struct {
            const char *v, *what, *secret, *env;
        } need[] = {
            {q->key, "API key", "qapi.key", "QS_QAPI_KEY"},
            {q->user, "QSM user id", "qapi.user", "QS_QAPI_USER"},
            {q->password, "QSM password", "qapi.password", "QS_QAPI_PASSWORD"},
        };
        char what[128] = "", opts[128] = "", envs[128] = "";
        for (size_t i = 0; i < 3; i++) {
            if (need[i].v)
                continue;
            snprintf(what + strlen(what), sizeof what - strlen(what), "%s%s", what[0] ? ", " : "",
                     need[i].what);
            snprintf(opts + strlen(opts), sizeof opts - strlen(opts), " --secret %s",
                     need[i].secret);
            snprintf(envs + strlen(envs), sizeof envs - strlen(envs), "%s%s", envs[0] ? ", " : "",
                     need[i].env);
        }
        return err_set(e, QS_E_USAGE, NULL,
                       "shop %s has no QAPI %s: set %s with `qs init --shop %s%s` (values on "
                       "stdin) or in the environment (%s)",
                       q->shop, what, strchr(what, ',') ? "them" : "it", q->shop, opts, envs);
    }
    const struct qapi_param p[] = {{"user_id", q->user}, {"pwd", q->password}};
    rc = run(q, CERT_METHOD, q->key, p, 2, NULL, &res, answered, e);
    if (rc == QS_E_FAIL)
        rc = err_set(e, QS_E_FAIL, NULL,
                     "cannot get a seller authorization key: %s (check the secrets qapi.key, "
                     "qapi.user and qapi.password of shop %s)",
                     res.msg && *res.msg ? res.msg : "refused", q->shop);
    if (rc < 0)
        goto out;
    if (!json_is_string(res.object) || !*json_string_value(res.object)) {
        rc = err_set(e, QS_E_FAIL, NULL,
                     "cannot get a seller authorization key: the answer holds no key");
        goto out;
    }
    free(q->sak);
    q->sak = xstrdup(json_string_value(res.object));
    if ((rc = shop_secret_set(q->s, q->shop, "qapi.sak", q->sak, e)) < 0 ||
        (rc = shop_setting_set(q->s, q->shop, "qapi.sak_issued",
                               tm_utc_iso(time(NULL), when, sizeof when), e)) < 0)
        goto out;
out:
    qapi_result_free(&res);
    return rc;
}

/* SPEC 1.6: a dry run prints the request as one JSON line: a field that carries a secret
 * by name is masked whole; any other value only loses a secret it quotes. */
static int dry_print(struct qapi *q, const char *method, const char *version,
                     const struct qapi_param *params, size_t n, struct qs_err *e)
{
    json_t *o = json_object(), *p = json_object();
    int rc = 0;

    if (!o || !p || json_object_set_new(o, "method", json_string(method)) ||
        json_object_set_new(o, "version",
                            json_string(version ? version : qapi_method_version(method))))
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        const char *v = params[i].value ? params[i].value : "";
        char *red = secret_name(params[i].name) ? xstrdup("***") : qapi_redact(q, v);
        int bad = json_object_set_new(p, params[i].name, json_string(red));
        free(red);
        if (bad)
            goto nomem;
    }
    if (json_object_set(o, "params", p))
        goto nomem;
    if (json_dumpf(o, q->dry_out, JSON_COMPACT) != 0 || fputc('\n', q->dry_out) == EOF ||
        fflush(q->dry_out) == EOF)
        rc = err_set(e, QS_E_IO, NULL, "dry run: cannot write the request: %s", strerror(errno));
    goto out;
nomem:
    rc = err_set(e, QS_E_SOFTWARE, NULL, "dry run: cannot build %s's request (bad UTF-8?)", method);
out:
    json_decref(p);
    json_decref(o);
    return rc;
}

static int method_valid(const char *m)
{
    const char *dot = m ? strchr(m, '.') : NULL;
    if (!dot || dot == m || !dot[1] || strchr(dot + 1, '.'))
        return 0;
    for (; *m; m++)
        if (!isalnum((unsigned char)*m) && *m != '_' && *m != '.')
            return 0;
    return 1;
}

int qapi_call(struct qapi *q, const char *method, const struct qapi_param *params, size_t n,
              const char *audit_key, struct qapi_result *res, struct qs_err *e)
{
    int answered = 0, rc;

    memset(res, 0, sizeof *res);
    res->code = QAPI_CODE_NONE;
    if (q->in_idle)
        return err_set(e, QS_E_SOFTWARE, NULL, "qapi: %s called while a request is on the wire",
                       method ? method : "(null)");
    if (!method_valid(method))
        return err_set(e, QS_E_SOFTWARE, NULL, "qapi: \"%s\" is not a Group.Method name",
                       method ? method : "(null)");
    for (size_t i = 0; i < n; i++)
        if (!params[i].name || !*params[i].name)
            return err_set(e, QS_E_SOFTWARE, NULL, "qapi: %s: a parameter has no name", method);
    if (q->dry_run && qapi_is_write(method)) {
        res->code = 0;
        res->cls = QAPI_OK;
        return dry_print(q, method, NULL, params, n, e);
    }
    rc = run(q, method, NULL, params, n, audit_key, res, &answered, e);
    if (rc < 0 && res->code == QAPI_CODE_NONE && !res->http_status && res->cls == QAPI_OK)
        /* failed before an answer of its own: getting the SAK, or the store */
        res->cls = rc == QS_E_TEMP || rc == QS_E_UNAVAILABLE ? QAPI_RETRY : QAPI_AUTH;
    return rc;
}

int qapi_call_rows(struct qapi *q, const char *method, const struct qapi_param *params, size_t n,
                   const char *audit_key, long max_rows, struct qapi_result *res, struct qs_err *e)
{
    q->rows_method = method;
    q->rows_cap = max_rows;
    int rc = qapi_call(q, method, params, n, audit_key, res, e);
    q->rows_method = NULL;
    q->rows_cap = 0;
    return rc;
}

const char *qapi_base_url(const struct qapi *q)
{
    return q->base;
}

int qapi_call_raw(struct qapi *q, const char *method, const char *version,
                  const struct qapi_param *params, size_t n, const char *audit_key,
                  struct qapi_result *res, char **text, char **ctype, struct qs_err *e)
{
    int rc;

    *text = *ctype = NULL;
    memset(res, 0, sizeof *res);
    res->code = QAPI_CODE_NONE;
    /* R-SYN-10: the login is never handed out as an exchange (it carries the key). */
    if (method && strcasecmp(method, CERT_METHOD) == 0)
        return err_set(e, QS_E_SOFTWARE, NULL, "qapi: %s is not called raw", CERT_METHOD);
    if (version && (!*version || strpbrk(version, "\r\n")))
        return err_set(e, QS_E_SOFTWARE, NULL, "qapi: %s: bad QAPIVersion", method);
    if (q->dry_run && method && qapi_is_write(method)) {
        res->code = 0;
        res->cls = QAPI_OK;
        return dry_print(q, method, version, params, n, e);
    }
    free(q->raw_text);
    free(q->raw_ctype);
    q->raw_text = q->raw_ctype = NULL;
    q->raw_method = method;
    q->raw_version = version;
    rc = qapi_call(q, method, params, n, audit_key, res, e);
    q->raw_method = q->raw_version = NULL;
    /* Only an answer to this call: never a login's (a SAK request is another method). */
    if (res->http_status && q->raw_text) {
        *text = qapi_redact(q, q->raw_text);
        *ctype = q->raw_ctype ? xstrdup(q->raw_ctype) : NULL;
    }
    free(q->raw_text);
    free(q->raw_ctype);
    q->raw_text = q->raw_ctype = NULL;
    return rc;
}

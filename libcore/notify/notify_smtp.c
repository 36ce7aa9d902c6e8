/* notify_smtp: the smtp delivery of notifications (SPEC 1.7) on libcurl: the shop's own
 * From (smtp.from), its server (smtp.url), login from smtp.user and the secret
 * smtp.password, STARTTLS whenever the server offers it and required off loopback. A mail
 * cannot be read back (SPEC 1.6), so what happened to each message is told from where the
 * conversation broke: before the end of the message was sent it cannot have been
 * accepted (retry), after it the server may hold it (unknown, never resent silently). */
#include "notify.h"

#include "../curl_dl.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../settings.h"
#include "../shop.h"
#include "../xalloc.h"

struct notify_smtp {
    CURL *h;
    char *url, *from, *from_addr, *user, *password;
    int loopback;
    long timeout_ms;
};

static int url_loopback(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    int lo = 0;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        lo = strncmp(host, "127.", 4) == 0 || strcasecmp(host, "localhost") == 0 ||
             strcmp(host, "[::1]") == 0;
    curl_free(host);
    curl_url_cleanup(u);
    return lo;
}

/* The addr-spec of "Name <addr>" or of a bare address. */
static char *addr_of(const char *s)
{
    const char *lt = strrchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt)
        return xasprintf("<%.*s>", (int)(gt - lt - 1), lt + 1);
    return xasprintf("<%s>", s);
}

int notify_smtp_open(struct store *s, const char *shop, long timeout_ms, struct notify_smtp **out,
                     struct qs_err *e)
{
    struct notify_smtp *m = xcalloc(1, sizeof *m);
    int rc;

    *out = NULL;
    m->timeout_ms = timeout_ms > 0 ? timeout_ms : 60000;
    if ((rc = settings_string(s, shop, "smtp.url", &m->url, e)) < 0 ||
        (rc = settings_string(s, shop, "smtp.from", &m->from, e)) < 0 ||
        (rc = settings_string(s, shop, "smtp.user", &m->user, e)) < 0 ||
        (rc = shop_secret_get(s, shop, "smtp.password", &m->password, e)) < 0)
        goto fail;
    if (!m->url || !m->from) {
        rc = err_set(e, QS_E_USAGE, "R-SYN-4",
                     "smtp delivery needs the shop's smtp.url and smtp.from: qs init --set "
                     "smtp.url=smtp://HOST:587 --set smtp.from='Shop <shop@example.com>'");
        goto fail;
    }
    if (strncmp(m->url, "smtp://", 7) != 0 && strncmp(m->url, "smtps://", 8) != 0) {
        rc = err_set(e, QS_E_USAGE, NULL, "smtp.url \"%s\" is not smtp:// or smtps://", m->url);
        goto fail;
    }
    if ((rc = curl_dl_ready(e)) < 0)
        goto fail;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(m->h = curl_easy_init())) {
        rc = err_set(e, QS_E_SOFTWARE, NULL, "smtp: libcurl cannot start");
        goto fail;
    }
    m->loopback = url_loopback(m->url);
    m->from_addr = addr_of(m->from);
    *out = m;
    return 0;
fail:
    notify_smtp_close(m);
    return rc;
}

void notify_smtp_close(struct notify_smtp *m)
{
    if (!m)
        return;
    if (m->h)
        curl_easy_cleanup(m->h);
    free(m->url);
    free(m->from);
    free(m->from_addr);
    free(m->user);
    if (m->password)
        memset(m->password, 0, strlen(m->password));
    free(m->password);
    free(m);
}

/* ---- the mail text ------------------------------------------------------------------ */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Appends base64 of n bytes at s to *o (grown). */
static void b64_put(char **o, size_t *len, const unsigned char *s, size_t n)
{
    *o = xrealloc(*o, *len + (n + 2) / 3 * 4 + 1);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? s[i + 2] : 0);
        (*o)[(*len)++] = b64[v >> 18 & 63];
        (*o)[(*len)++] = b64[v >> 12 & 63];
        (*o)[(*len)++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        (*o)[(*len)++] = i + 2 < n ? b64[v & 63] : '=';
    }
    (*o)[*len] = '\0';
}

static void put(char **o, size_t *len, const char *s)
{
    size_t n = strlen(s);
    *o = xrealloc(*o, *len + n + 1);
    memcpy(*o + *len, s, n + 1);
    *len += n;
}

/* A header value: as it is when printable ASCII, else RFC 2047 encoded words (whole
 * UTF-8 characters in each, folded). */
static void header_text(char **o, size_t *len, const char *s)
{
    int ascii = 1;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            ascii = 0;
    if (ascii) {
        put(o, len, s);
        return;
    }
    for (size_t i = 0, n = strlen(s); i < n;) {
        size_t k = n - i < 45 ? n - i : 45;
        while (i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
            k--;
        put(o, len, i ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
        b64_put(o, len, (const unsigned char *)s + i, k);
        put(o, len, "?=");
        i += k;
    }
}

char *notify_mail_text(const char *payload, const char *from, struct qs_err *e)
{
    json_t *j = json_loads(payload, 0, NULL);
    char *o = NULL, date[64];
    size_t len = 0;
    time_t now = time(NULL);
    struct tm tm;

#define F(k)                                                                                       \
    (json_string_value(json_object_get(j, k)) ? json_string_value(json_object_get(j, k)) : "")
    if (!j) {
        err_set(e, QS_E_DATA, NULL, "the message's payload is not JSON");
        return NULL;
    }
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", gmtime_r(&now, &tm));
    put(&o, &len, "Date: ");
    put(&o, &len, date);
    put(&o, &len, "\r\nFrom: ");
    header_text(&o, &len, from);
    put(&o, &len, "\r\nTo: ");
    put(&o, &len, F("to"));
    put(&o, &len, "\r\nSubject: ");
    header_text(&o, &len, F("subject"));
    put(&o, &len, "\r\nMessage-ID: ");
    put(&o, &len, F("message_id"));
    put(&o, &len, "\r\nX-QS-Event: ");
    put(&o, &len, F("event"));
    put(&o, &len, " ");
    put(&o, &len, F("ref"));
    put(&o, &len,
        "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n");
    /* The body as UTF-8 in base64 lines of 76: no line is ever too long, no "." line. */
    const char *body = F("body");
    for (size_t i = 0, n = strlen(body); i < n; i += 57) {
        b64_put(&o, &len, (const unsigned char *)body + i, n - i < 57 ? n - i : 57);
        put(&o, &len, "\r\n");
    }
#undef F
    json_decref(j);
    return o;
}

/* ---- sending ------------------------------------------------------------------------ */

struct upload {
    const char *p;
    size_t left;
    int eof; /* the whole message was handed to libcurl, which then ends the DATA */
};

static size_t read_cb(char *buf, size_t size, size_t nmemb, void *p)
{
    struct upload *u = p;
    size_t n = size * nmemb < u->left ? size * nmemb : u->left;
    memcpy(buf, u->p, n);
    u->p += n;
    u->left -= n;
    if (n == 0)
        u->eof = 1;
    return n;
}

static void dry_line(FILE *dry, const struct notify_smtp *m, const struct outbox_item *it)
{
    json_t *j = json_loads(it->payload, 0, NULL);
    json_t *o = json_pack("{s:s, s:s, s:s}", "smtp", m ? m->url : "smtp", "key", it->key, "from",
                          m ? m->from : "");
    if (o && j)
        json_object_update(o, j);
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    fprintf(dry, "%s\n", s ? s : it->payload);
    free(s);
    json_decref(o);
    json_decref(j);
}

/* One message: 0 with res filled, or a negative code when the server is unreachable. */
/* What every session with the mail server sets: where, time limits, STARTTLS (when
 * offered; off loopback the login and the mail never go in clear), the login. */
static void session_opts(struct notify_smtp *m)
{
    curl_easy_setopt(m->h, CURLOPT_URL, m->url);
    curl_easy_setopt(m->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(m->h, CURLOPT_TIMEOUT_MS, m->timeout_ms);
    curl_easy_setopt(m->h, CURLOPT_CONNECTTIMEOUT_MS, 15000L);
    curl_easy_setopt(m->h, CURLOPT_USE_SSL,
                     m->loopback ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
    if (m->loopback)
        curl_easy_setopt(m->h, CURLOPT_NOPROXY, "*");
    if (m->user)
        curl_easy_setopt(m->h, CURLOPT_USERNAME, m->user);
    if (m->password)
        curl_easy_setopt(m->h, CURLOPT_PASSWORD, m->password);
}

static int send_one(struct notify_smtp *m, const struct outbox_item *it, struct deliver_result *r,
                    struct qs_err *e)
{
    json_t *j = json_loads(it->payload, 0, NULL);
    const char *to = j ? json_string_value(json_object_get(j, "to")) : NULL;
    char *text = NULL, *rcpt = NULL;
    struct curl_slist *rl = NULL;
    struct upload u = {0};
    long code = 0;
    CURLcode cc;
    int rc = 0;

    if (!to || !*to) {
        r->status = DELIVER_FAILED;
        r->error = xstrdup("the template has no address: qs sync notify template edit ID --to "
                           "ADDR, then --retry-failed");
        goto out;
    }
    if (!(text = notify_mail_text(it->payload, m->from, e))) {
        r->status = DELIVER_FAILED;
        r->error = xstrdup(e->msg);
        goto out;
    }
    rcpt = addr_of(to);
    rl = curl_slist_append(NULL, rcpt);
    u.p = text;
    u.left = strlen(text);
    session_opts(m);
    curl_easy_setopt(m->h, CURLOPT_MAIL_FROM, m->from_addr);
    curl_easy_setopt(m->h, CURLOPT_MAIL_RCPT, rl);
    curl_easy_setopt(m->h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(m->h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(m->h, CURLOPT_READDATA, &u);
    cc = curl_easy_perform(m->h);
    curl_easy_getinfo(m->h, CURLINFO_RESPONSE_CODE, &code);
    if (code)
        r->code = xasprintf("%ld", code);
    if (cc == CURLE_OK) {
        r->status = DELIVER_OK;
        r->ref = xstrdup(json_string_value(json_object_get(j, "message_id")));
    } else if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ||
               cc == CURLE_LOGIN_DENIED) {
        r->status = DELIVER_RETRY;
        r->error = xasprintf("smtp: %s", curl_easy_strerror(cc));
        rc = err_set(e, cc == CURLE_LOGIN_DENIED ? QS_E_USAGE : QS_E_UNAVAILABLE, NULL,
                     "the mail server %s: %s%s", m->url, curl_easy_strerror(cc),
                     cc == CURLE_LOGIN_DENIED ? "; check smtp.user and the secret smtp.password"
                                              : "");
    } else if (u.eof && (code < 400 || code == 354)) {
        /* SPEC 1.6: the message went out whole and its answer was lost */
        r->status = DELIVER_UNKNOWN;
        r->error =
            xasprintf("smtp: no answer after the message was sent (%s)", curl_easy_strerror(cc));
    } else {
        /* refused (5xx: for good, 4xx: for now), or cut before the message ended */
        r->status = code >= 500 && code < 600 ? DELIVER_FAILED : DELIVER_RETRY;
        r->error =
            xasprintf("smtp: %s%s%s", curl_easy_strerror(cc), code ? " " : "", code ? r->code : "");
    }
out:
    curl_slist_free_all(rl);
    curl_easy_setopt(m->h, CURLOPT_MAIL_RCPT, NULL);
    free(rcpt);
    free(text);
    json_decref(j);
    return rc;
}

int notify_smtp_login(struct notify_smtp *m, char *said, size_t n, struct qs_err *e)
{
    long code = 0;
    CURLcode cc;

    session_opts(m);
    /* NOBODY + a custom request: libcurl's way to say NOOP (curl_easy_setopt(3)) */
    curl_easy_setopt(m->h, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(m->h, CURLOPT_CUSTOMREQUEST, "NOOP");
    cc = curl_easy_perform(m->h);
    curl_easy_getinfo(m->h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_setopt(m->h, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(m->h, CURLOPT_CUSTOMREQUEST, NULL);
    if (cc == CURLE_OK) {
        if (m->user)
            snprintf(said, n, "the mail server %s accepts the login of %s", m->url, m->user);
        else
            snprintf(said, n, "the mail server %s answers (no smtp.user: no login)", m->url);
        return 0;
    }
    if (cc == CURLE_LOGIN_DENIED)
        return err_set(e, QS_E_USAGE, "R-SYN-8",
                       "the mail server %s refused the login of %s: check smtp.user and the "
                       "secret smtp.password",
                       m->url, m->user ? m->user : "(no smtp.user)");
    if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ||
        cc == CURLE_OPERATION_TIMEDOUT)
        return err_set(e, QS_E_UNAVAILABLE, "R-SYN-8", "the mail server %s: %s: check smtp.url",
                       m->url, curl_easy_strerror(cc));
    if (code)
        return err_set(e, QS_E_FAIL, "R-SYN-8", "the mail server %s: %s (answer %ld)", m->url,
                       curl_easy_strerror(cc), code);
    return err_set(e, QS_E_FAIL, "R-SYN-8", "the mail server %s: %s", m->url,
                   curl_easy_strerror(cc));
}

int notify_smtp_send(const struct deliver_spec *d, const struct outbox_item *items, size_t n,
                     struct deliver_result *res, FILE *dry, void *ctx, struct qs_err *e)
{
    struct notify_smtp *m = ctx;
    int rc = 0;
    (void)d;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (dry)
            dry_line(dry, m, &items[i]);
        else
            rc = send_one(m, &items[i], &res[i], e);
    }
    return rc;
}

/* batch-bare: the bare client of bench/batch.sh -- replays the requests the sandbox
 * recorded (GET /_control/record) over ONE kept-alive libcurl connection, as fast as it
 * can, and prints the calls per second. No store, no outbox, no audit: the reference
 * that qs's batches are measured against (issue 16 target 4).
 *
 * usage: batch-bare ROOT_URL RECORD.json
 *   ROOT_URL   the sandbox's root URL (DIR/sandbox.url)
 *   RECORD     the answer of /_control/record: {"requests": [{verb, path, ctype, key,
 *              version, body}, ...]}
 * A recorded CreateCertificationKey is not replayed (qs logs in once per run); when a
 * request carries a GiosisCertificationKey, the client logs in once, untimed, and sends
 * its own key instead (QS_QAPI_KEY/QS_QAPI_USER/QS_QAPI_PASSWORD, else the sandbox's
 * defaults). Prints "calls N seconds S calls/s R refused K connections C", where K
 * counts answers whose ResultCode was not 0 or whose hook answer was not ok (a sanity
 * check: a replay that is refused is not the same work). */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CERT "CertificationAPI.CreateCertificationKey"

struct buf {
    char *p;
    size_t n, cap;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct buf *b = ud;
    size_t n = size * nmemb;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 65536;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, ptr, n);
    b->n += n;
    b->p[b->n] = '\0';
    return n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

/* One POST on the kept handle; 0 when the answer says ok (ResultCode 0 or "ok": true). */
static int post(CURL *c, struct buf *b, const char *url, const char *ctype, const char *key,
                const char *version, const char *body, json_t **ans)
{
    struct curl_slist *h = NULL;
    char line[512];
    int rc = -1;

    snprintf(line, sizeof line, "Content-Type: %s", ctype);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "Accept: application/json");
    h = curl_slist_append(h, "Expect:");
    if (key && *key) {
        snprintf(line, sizeof line, "GiosisCertificationKey: %s", key);
        h = curl_slist_append(h, line);
    }
    if (version && *version) {
        snprintf(line, sizeof line, "QAPIVersion: %s", version);
        h = curl_slist_append(h, line);
    }
    b->n = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    if (curl_easy_perform(c) == CURLE_OK && b->p) {
        json_t *j = json_loadb(b->p, b->n, 0, NULL);
        json_t *code = json_object_get(j, "ResultCode"), *ok = json_object_get(j, "ok");
        if ((code && json_is_integer(code) && json_integer_value(code) == 0) || json_is_true(ok))
            rc = 0;
        if (ans)
            *ans = j;
        else
            json_decref(j);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(h);
    return rc;
}

int main(int argc, char **argv)
{
    json_error_t jerr;
    json_t *rec, *reqs, *r;
    struct buf b = {0};
    char *sak = NULL, url[2048];
    long calls = 0, refused = 0, conns = 0, c1;
    double t0, dt;
    size_t i;
    CURL *c;

    if (argc != 3) {
        fprintf(stderr, "usage: batch-bare ROOT_URL RECORD.json\n");
        return 64;
    }
    if (!(rec = json_load_file(argv[2], 0, &jerr)) ||
        !json_is_array(reqs = json_object_get(rec, "requests"))) {
        fprintf(stderr, "batch-bare: %s: not a record (%s)\n", argv[2], jerr.text);
        return 65;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    json_array_foreach(reqs, i, r)
    {
        if (*json_string_value(json_object_get(r, "key")) && !sak) {
            json_t *ans = NULL;
            char body[512];
            snprintf(url, sizeof url, "%s/%s", argv[1], CERT);
            snprintf(body, sizeof body, "user_id=%s&pwd=%s&returnType=application%%2Fjson",
                     env_or("QS_QAPI_USER", "sandbox-user"),
                     env_or("QS_QAPI_PASSWORD", "sandbox-pass"));
            if (post(c, &b, url, "application/x-www-form-urlencoded",
                     env_or("QS_QAPI_KEY", "sandbox-api-key"), "1.0", body, &ans) < 0) {
                fprintf(stderr, "batch-bare: cannot log in: %s\n", b.p ? b.p : "no answer");
                return 69;
            }
            sak = strdup(json_string_value(json_object_get(ans, "ResultObject")));
            json_decref(ans);
        }
    }
    t0 = now_s();
    json_array_foreach(reqs, i, r)
    {
        const char *path = json_string_value(json_object_get(r, "path"));
        const char *key = json_string_value(json_object_get(r, "key"));
        if (!path || strstr(path, CERT))
            continue;
        snprintf(url, sizeof url, "%s%s", argv[1], path);
        if (post(c, &b, url, json_string_value(json_object_get(r, "ctype")),
                 key && *key ? sak : NULL, json_string_value(json_object_get(r, "version")),
                 json_string_value(json_object_get(r, "body")), NULL) < 0)
            refused++;
        calls++;
        if (curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &c1) == CURLE_OK)
            conns += c1;
    }
    dt = now_s() - t0;
    printf("calls %ld seconds %.3f calls/s %.1f refused %ld connections %ld\n", calls, dt,
           calls / dt, refused, conns);
    curl_easy_cleanup(c);
    curl_global_cleanup();
    json_decref(rec);
    free(sak);
    free(b.p);
    return 0;
}

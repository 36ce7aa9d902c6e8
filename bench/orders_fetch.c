/* orders-fetch: the bare client of bench/sync-orders.sh -- replays a list of QAPI search
 * calls (the ones `qs sync orders` made, read back from its audit) over one kept-alive
 * connection with libcurl and parses each answer with jansson, nothing else: the wire and
 * parse cost qs's own run is compared with, measured in the same run.
 *
 * usage: orders-fetch URL < CALLS
 *   URL   the QAPI base URL (the sandbox's sandbox.qapi_url)
 *   CALLS one call a line: METHOD TAB FORM-BODY (url-encoded, without returnType)
 * Credentials: QS_QAPI_KEY/QS_QAPI_USER/QS_QAPI_PASSWORD, else the sandbox's defaults.
 * Prints "calls N rows N seconds S" on stdout; exits 1 when a call fails. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct buf {
    char *p;
    size_t n, cap;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct buf *b = ctx;
    size_t len = size * nmemb;
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->n + len + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
    return len;
}

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

/* POSTs body to base/method; b holds the answer. Returns 0 or -1. */
static int post(CURL *c, const char *base, const char *method, const char *key, const char *body,
                struct buf *b)
{
    char url[1024], hkey[1024];
    struct curl_slist *h = NULL;
    long code = 0;
    CURLcode rc;

    snprintf(url, sizeof url, "%s/%s", base, method);
    snprintf(hkey, sizeof hkey, "GiosisCertificationKey: %s", key);
    h = curl_slist_append(h, hkey);
    h = curl_slist_append(h, "QAPIVersion: 1.0");
    b->n = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(h);
    if (rc != CURLE_OK || code != 200) {
        fprintf(stderr, "orders-fetch: %s: %s (HTTP %ld)\n", method, curl_easy_strerror(rc), code);
        return -1;
    }
    return 0;
}

/* The rows of a list answer: ResultObject's array, or its first array member. */
static size_t rows_of(json_t *doc)
{
    json_t *o = json_object_get(doc, "ResultObject"), *v;
    const char *k;
    if (json_is_array(o))
        return json_array_size(o);
    json_object_foreach(o, k, v)
    {
        if (json_is_array(v))
            return json_array_size(v);
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct buf b = {0};
    char line[4096], body[4200], key[512];
    long calls = 0, rows = 0;
    struct timespec t0, t1;
    json_error_t je;
    json_t *doc;
    CURL *c;

    if (argc != 2 || strcmp(argv[1], "--help") == 0) {
        fprintf(argc == 2 ? stdout : stderr, "usage: orders-fetch URL < CALLS\n");
        return argc == 2 ? 0 : 64;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);

    snprintf(body, sizeof body, "user_id=%s&pwd=%s&returnType=application/json",
             env_or("QS_QAPI_USER", "sandbox-user"), env_or("QS_QAPI_PASSWORD", "sandbox-pass"));
    if (post(c, argv[1], "CertificationAPI.CreateCertificationKey",
             env_or("QS_QAPI_KEY", "sandbox-api-key"), body, &b) < 0)
        return 1;
    doc = json_loadb(b.p, b.n, 0, &je);
    if (!json_is_string(json_object_get(doc, "ResultObject"))) {
        fprintf(stderr, "orders-fetch: no key from CreateCertificationKey\n");
        return 1;
    }
    snprintf(key, sizeof key, "%s", json_string_value(json_object_get(doc, "ResultObject")));
    json_decref(doc);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (fgets(line, sizeof line, stdin)) {
        char *tab = strchr(line, '\t');
        line[strcspn(line, "\r\n")] = '\0';
        if (!tab)
            continue;
        *tab = '\0';
        snprintf(body, sizeof body, "%s&returnType=application/json", tab + 1);
        if (post(c, argv[1], line, key, body, &b) < 0)
            return 1;
        if (!(doc = json_loadb(b.p, b.n, 0, &je))) {
            fprintf(stderr, "orders-fetch: %s: not JSON: %s\n", line, je.text);
            return 1;
        }
        rows += (long)rows_of(doc);
        calls++;
        json_decref(doc);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("calls %ld rows %ld seconds %.3f\n", calls, rows,
           (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    curl_easy_cleanup(c);
    curl_global_cleanup();
    free(b.p);
    return 0;
}

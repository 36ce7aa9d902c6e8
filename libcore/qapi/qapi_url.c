/* qapi_url: the check of the QAPI base URL (R-SYN-7): https://, or http:// to a
 * loopback host only (the sandbox). */
#include "qapi_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* 1 when host (as libcurl's URL parser gives it: IPv6 in brackets) is a loopback
 * address: 127.0.0.0/8, ::1 or the name localhost. */
static int host_loopback(const char *host)
{
    unsigned char a[16];
    char v6[64];
    size_t len = strlen(host);

    if (strcasecmp(host, "localhost") == 0)
        return 1;
    if (inet_pton(AF_INET, host, a) == 1)
        return a[0] == 127;
    if (len > 2 && len < sizeof v6 + 2 && host[0] == '[' && host[len - 1] == ']') {
        memcpy(v6, host + 1, len - 2);
        v6[len - 2] = '\0';
        return inet_pton(AF_INET6, v6, a) == 1 && IN6_IS_ADDR_LOOPBACK((struct in6_addr *)a);
    }
    return 0;
}

int qapi_url_check(const char *url, int *loopback, struct qs_err *e)
{
    CURLU *u;
    char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL, *frag = NULL;
    int rc = 0;

    *loopback = 0;
    if ((rc = curl_dl_ready(e)) < 0)
        return rc;
    u = curl_url();
    if (!u)
        return err_set(e, QS_E_SOFTWARE, NULL, "qapi: libcurl cannot parse URLs (out of memory)");
    /* R-SYN-7: parsed as libcurl will read it, never by string prefix, so that
     * http://127.0.0.1.evil.example/ or http://localhost@evil.example/ is not taken
     * for loopback. */
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
        rc = err_set(e, QS_E_USAGE, NULL, "the QAPI URL is not an http:// or https:// URL");
        goto out;
    }
    curl_url_get(u, CURLUPART_USER, &user, 0);
    curl_url_get(u, CURLUPART_QUERY, &query, 0);
    curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
    if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)
        rc = err_set(e, QS_E_USAGE, NULL, "the QAPI URL is %s://, not http:// or https://", scheme);
    else if ((*loopback = host_loopback(host)) == 0 && strcmp(scheme, "http") == 0)
        rc = err_set(e, QS_E_USAGE, NULL,
                     "plain http:// to %s would send the API key and password in clear; "
                     "http:// is accepted only for loopback (127.0.0.0/8, [::1], localhost): "
                     "use https://",
                     host);
    else if (user || query || frag)
        rc = err_set(e, QS_E_USAGE, NULL,
                     "the QAPI URL has a %s; give only scheme://host[:port]/path",
                     user    ? "user name (credentials never go in the URL)"
                     : query ? "query (?...)"
                             : "fragment (#...)");
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(query);
    curl_free(frag);
    curl_url_cleanup(u);
    return rc;
}

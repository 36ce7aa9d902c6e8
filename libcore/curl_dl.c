/* curl_dl: libcurl bound on first use (see curl_dl.h for why).
 *
 * The table below is libcore's one piece of static state, on purpose: it is what the
 * dynamic linker would otherwise have written into qs's GOT at start -- the addresses of
 * libcurl's functions, bound once per process (pthread_once) and never changed after.
 * It holds no data of any shop or job. */
#include "curl_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#undef curl_global_init
#undef curl_global_cleanup
#undef curl_easy_init
#undef curl_easy_cleanup
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_easy_perform
#undef curl_easy_strerror
#undef curl_easy_escape
#undef curl_free
#undef curl_slist_append
#undef curl_slist_free_all
#undef curl_url
#undef curl_url_cleanup
#undef curl_url_set
#undef curl_url_get
#undef curl_getdate
#undef curl_multi_init
#undef curl_multi_cleanup
#undef curl_multi_add_handle
#undef curl_multi_remove_handle
#undef curl_multi_perform
#undef curl_multi_poll
#undef curl_multi_info_read

/* The soname of Debian's libcurl4 (OpenSSL flavour), the package libcurl4-openssl-dev
 * builds against. */
#define CURL_DL_SONAME "libcurl.so.4"

/* Stand-ins when libcurl cannot be loaded: each fails as libcurl does without memory. */
static CURLcode no_global_init(long flags)
{
    (void)flags;
    return CURLE_FAILED_INIT;
}
static void no_global_cleanup(void)
{
}
static CURL *no_easy_init(void)
{
    return NULL;
}
static void no_easy_cleanup(CURL *h)
{
    (void)h;
}
static CURLcode no_easy_setopt(CURL *h, CURLoption o, ...)
{
    (void)h;
    (void)o;
    return CURLE_FAILED_INIT;
}
static CURLcode no_easy_getinfo(CURL *h, CURLINFO i, ...)
{
    (void)h;
    (void)i;
    return CURLE_FAILED_INIT;
}
static CURLcode no_easy_perform(CURL *h)
{
    (void)h;
    return CURLE_FAILED_INIT;
}
static const char *no_easy_strerror(CURLcode c)
{
    (void)c;
    return "libcurl is not loaded";
}
static char *no_easy_escape(CURL *h, const char *s, int n)
{
    (void)h;
    (void)s;
    (void)n;
    return NULL;
}
static void no_free(void *p)
{
    free(p);
}
static struct curl_slist *no_slist_append(struct curl_slist *l, const char *s)
{
    (void)l;
    (void)s;
    return NULL;
}
static void no_slist_free_all(struct curl_slist *l)
{
    (void)l;
}
static CURLU *no_url(void)
{
    return NULL;
}
static void no_url_cleanup(CURLU *u)
{
    (void)u;
}
static CURLUcode no_url_set(CURLU *u, CURLUPart p, const char *s, unsigned int f)
{
    (void)u;
    (void)p;
    (void)s;
    (void)f;
    return CURLUE_OUT_OF_MEMORY;
}
static CURLUcode no_url_get(CURLU *u, CURLUPart p, char **s, unsigned int f)
{
    (void)u;
    (void)p;
    (void)f;
    *s = NULL;
    return CURLUE_OUT_OF_MEMORY;
}
static time_t no_getdate(const char *s, const time_t *now)
{
    (void)s;
    (void)now;
    return -1;
}
static CURLM *no_multi_init(void)
{
    return NULL;
}
static CURLMcode no_multi_cleanup(CURLM *m)
{
    (void)m;
    return CURLM_BAD_HANDLE;
}
static CURLMcode no_multi_handle(CURLM *m, CURL *h)
{
    (void)m;
    (void)h;
    return CURLM_BAD_HANDLE;
}
static CURLMcode no_multi_perform(CURLM *m, int *running)
{
    (void)m;
    *running = 0;
    return CURLM_BAD_HANDLE;
}
static CURLMcode no_multi_poll(CURLM *m, struct curl_waitfd *fds, unsigned int n, int ms, int *ret)
{
    (void)m;
    (void)fds;
    (void)n;
    (void)ms;
    (void)ret;
    return CURLM_BAD_HANDLE;
}
static CURLMsg *no_multi_info_read(CURLM *m, int *left)
{
    (void)m;
    *left = 0;
    return NULL;
}

static const struct curl_dl missing = {
    .global_init = no_global_init,
    .global_cleanup = no_global_cleanup,
    .easy_init = no_easy_init,
    .easy_cleanup = no_easy_cleanup,
    .easy_setopt = no_easy_setopt,
    .easy_getinfo = no_easy_getinfo,
    .easy_perform = no_easy_perform,
    .easy_strerror = no_easy_strerror,
    .easy_escape = no_easy_escape,
    .free = no_free,
    .slist_append = no_slist_append,
    .slist_free_all = no_slist_free_all,
    .url = no_url,
    .url_cleanup = no_url_cleanup,
    .url_set = no_url_set,
    .url_get = (__typeof__(curl_url_get) *)no_url_get, /* const CURLU * since 8.x */
    .getdate = no_getdate,
    .multi_init = no_multi_init,
    .multi_cleanup = no_multi_cleanup,
    .multi_add_handle = no_multi_handle,
    .multi_remove_handle = no_multi_handle,
    .multi_perform = no_multi_perform,
    .multi_poll = no_multi_poll,
    .multi_info_read = no_multi_info_read,
};

static struct curl_dl bound;
static int bound_ok;
static char bound_why[256];
static pthread_once_t bound_once = PTHREAD_ONCE_INIT;

static void bind_curl(void)
{
    /* RTLD_NODELETE: libcurl and its TLS library stay for the life of the process, as
     * they would have when linked at start (they register exit handlers). */
    void *lib = dlopen(CURL_DL_SONAME, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    const char *why = NULL;

    if (!lib) {
        why = dlerror();
        goto fail;
    }
#define BIND(field, name)                                                                          \
    do {                                                                                           \
        void *sym = dlsym(lib, name);                                                              \
        if (!sym) {                                                                                \
            why = name;                                                                            \
            goto fail;                                                                             \
        }                                                                                          \
        *(void **)&bound.field = sym;                                                              \
    } while (0)
    BIND(global_init, "curl_global_init");
    BIND(global_cleanup, "curl_global_cleanup");
    BIND(easy_init, "curl_easy_init");
    BIND(easy_cleanup, "curl_easy_cleanup");
    BIND(easy_setopt, "curl_easy_setopt");
    BIND(easy_getinfo, "curl_easy_getinfo");
    BIND(easy_perform, "curl_easy_perform");
    BIND(easy_strerror, "curl_easy_strerror");
    BIND(easy_escape, "curl_easy_escape");
    BIND(free, "curl_free");
    BIND(slist_append, "curl_slist_append");
    BIND(slist_free_all, "curl_slist_free_all");
    BIND(url, "curl_url");
    BIND(url_cleanup, "curl_url_cleanup");
    BIND(url_set, "curl_url_set");
    BIND(url_get, "curl_url_get");
    BIND(getdate, "curl_getdate");
    BIND(multi_init, "curl_multi_init");
    BIND(multi_cleanup, "curl_multi_cleanup");
    BIND(multi_add_handle, "curl_multi_add_handle");
    BIND(multi_remove_handle, "curl_multi_remove_handle");
    BIND(multi_perform, "curl_multi_perform");
    BIND(multi_poll, "curl_multi_poll");
    BIND(multi_info_read, "curl_multi_info_read");
#undef BIND
    bound_ok = 1;
    return;
fail:
    snprintf(bound_why, sizeof bound_why, "%s", why ? why : "unknown error");
    bound = missing;
}

const struct curl_dl *curl_dl(void)
{
    pthread_once(&bound_once, bind_curl);
    return &bound;
}

int curl_dl_ready(struct qs_err *e)
{
    curl_dl();
    if (bound_ok)
        return 0;
    return err_set(e, QS_E_UNAVAILABLE, NULL,
                   "libcurl (%s) cannot be loaded: %s; install it: apt-get install libcurl4",
                   CURL_DL_SONAME, bound_why);
}

/* curl_dl: libcurl, loaded on first use (SPEC 8: every command answers --help within
 * 5 ms of /bin/true).
 *
 * libcurl pulls in some thirty shared libraries (TLS, Kerberos, LDAP, IDN, ...) whose
 * loading and relocation cost about 3.5 ms at every start of qs, twice all the rest of
 * qs's start-up. Most runs of qs never reach the network, so libcurl is dlopen'ed the
 * first time a network call is made instead of by the dynamic linker at start.
 *
 * Include this instead of <curl/curl.h>: the libcurl calls qs uses keep their names (they
 * are macros here that go through the table bound on first use), so the code reads as
 * plain libcurl. curl_dl_ready() tells, with a clear error, whether libcurl could be
 * loaded; call it before the first libcurl call of a job. When it could not, every call
 * fails the way libcurl fails without memory (NULL, CURLE_FAILED_INIT). */
#ifndef QS_CURL_DL_H
#define QS_CURL_DL_H

#define CURL_DISABLE_TYPECHECK 1 /* the calls below are macros of our own */
#include <curl/curl.h>
#include <time.h>

#include "err.h"

struct curl_dl {
    __typeof__(curl_global_init) *global_init;
    __typeof__(curl_global_cleanup) *global_cleanup;
    __typeof__(curl_easy_init) *easy_init;
    __typeof__(curl_easy_cleanup) *easy_cleanup;
    __typeof__(curl_easy_setopt) *easy_setopt;
    __typeof__(curl_easy_getinfo) *easy_getinfo;
    __typeof__(curl_easy_perform) *easy_perform;
    __typeof__(curl_easy_strerror) *easy_strerror;
    __typeof__(curl_easy_escape) *easy_escape;
    __typeof__(curl_free) *free;
    __typeof__(curl_slist_append) *slist_append;
    __typeof__(curl_slist_free_all) *slist_free_all;
    __typeof__(curl_url) *url;
    __typeof__(curl_url_cleanup) *url_cleanup;
    __typeof__(curl_url_set) *url_set;
    __typeof__(curl_url_get) *url_get;
    __typeof__(curl_getdate) *getdate;
    __typeof__(curl_multi_init) *multi_init;
    __typeof__(curl_multi_cleanup) *multi_cleanup;
    __typeof__(curl_multi_add_handle) *multi_add_handle;
    __typeof__(curl_multi_remove_handle) *multi_remove_handle;
    __typeof__(curl_multi_perform) *multi_perform;
    __typeof__(curl_multi_poll) *multi_poll;
    __typeof__(curl_multi_info_read) *multi_info_read;
};

/* The table, bound on the first call of the process (thread-safe, once). */
const struct curl_dl *curl_dl(void);

/* 0 when libcurl is loaded; else QS_E_UNAVAILABLE naming the library and the fix. */
int curl_dl_ready(struct qs_err *e);

/* curl.h makes these two macros of its own (its type checks, off above). */
#undef curl_easy_setopt
#undef curl_easy_getinfo

#define curl_global_init(...)         (curl_dl()->global_init(__VA_ARGS__))
#define curl_global_cleanup()         (curl_dl()->global_cleanup())
#define curl_easy_init()              (curl_dl()->easy_init())
#define curl_easy_cleanup(...)        (curl_dl()->easy_cleanup(__VA_ARGS__))
#define curl_easy_setopt(...)         (curl_dl()->easy_setopt(__VA_ARGS__))
#define curl_easy_getinfo(...)        (curl_dl()->easy_getinfo(__VA_ARGS__))
#define curl_easy_perform(...)        (curl_dl()->easy_perform(__VA_ARGS__))
#define curl_easy_strerror(...)       (curl_dl()->easy_strerror(__VA_ARGS__))
#define curl_easy_escape(...)         (curl_dl()->easy_escape(__VA_ARGS__))
#define curl_free(...)                (curl_dl()->free(__VA_ARGS__))
#define curl_slist_append(...)        (curl_dl()->slist_append(__VA_ARGS__))
#define curl_slist_free_all(...)      (curl_dl()->slist_free_all(__VA_ARGS__))
#define curl_url()                    (curl_dl()->url())
#define curl_url_cleanup(...)         (curl_dl()->url_cleanup(__VA_ARGS__))
#define curl_url_set(...)             (curl_dl()->url_set(__VA_ARGS__))
#define curl_url_get(...)             (curl_dl()->url_get(__VA_ARGS__))
#define curl_getdate(...)             (curl_dl()->getdate(__VA_ARGS__))
#define curl_multi_init()             (curl_dl()->multi_init())
#define curl_multi_cleanup(...)       (curl_dl()->multi_cleanup(__VA_ARGS__))
#define curl_multi_add_handle(...)    (curl_dl()->multi_add_handle(__VA_ARGS__))
#define curl_multi_remove_handle(...) (curl_dl()->multi_remove_handle(__VA_ARGS__))
#define curl_multi_perform(...)       (curl_dl()->multi_perform(__VA_ARGS__))
#define curl_multi_poll(...)          (curl_dl()->multi_poll(__VA_ARGS__))
#define curl_multi_info_read(...)     (curl_dl()->multi_info_read(__VA_ARGS__))

#endif

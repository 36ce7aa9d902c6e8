/* xalloc: allocation that never returns NULL. On failure prints
 * "qs: out of memory" and exits 70 -- the one place libcore exits. */
#ifndef QS_XALLOC_H
#define QS_XALLOC_H

#include <stddef.h>

/* Prints "qs: out of memory" and exits 70 (STYLE.md): for a library that reports it. */
void xoom(void) __attribute__((noreturn));
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Returns a malloc'd copy of s; the caller frees it. */
char *xstrdup(const char *s);
/* Returns a malloc'd copy of the first n bytes of s, NUL-terminated. */
char *xstrndup(const char *s, size_t n);
/* Returns a malloc'd formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

/* store_fx.h: the fixture of the unit tests that need a store -- a fresh one in its own
 * temporary folder, removed afterwards. Header-only (static), included by the tests. */
#ifndef QS_TEST_STORE_FX_H
#define QS_TEST_STORE_FX_H

#include <stdio.h>
#include <stdlib.h>

#include "store.h"
#include "xalloc.h"

struct fx {
    char dir[64];
    char path[96];
    struct store *s;
};

/* A new fixture with an open store in /tmp/qs-NAME-test.XXXXXX; NULL on failure. */
static inline struct fx *fx_open(const char *name)
{
    struct fx *f = xcalloc(1, sizeof *f);
    struct qs_err e;
    snprintf(f->dir, sizeof f->dir, "/tmp/qs-%s-test.XXXXXX", name);
    if (!mkdtemp(f->dir)) {
        free(f);
        return NULL;
    }
    snprintf(f->path, sizeof f->path, "%s/qs.db", f->dir);
    if (store_open(f->path, &f->s, &e) < 0)
        return NULL;
    return f;
}

/* Closes the store, removes the folder, frees f; 0 or -1. */
static inline int fx_close(struct fx *f)
{
    char cmd[128];
    store_close(f->s);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static int teardown(void **state)
{
    return fx_close(*state);
}

#endif

/* deliver_doctor: the deliveries' lines of `qs sync doctor` (R-SYN-8) -- each kind's
 * delivery (setting deliver.KIND) configured and runnable. A hook's command must exist and
 * be executable, and the hook must answer a ping (deliver_ping.c: a request of kind "ping"
 * that a hook answers without acting on it). A hand-off folder must be writable, or
 * creatable in its nearest existing parent. */
#include "deliver_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../doctor.h"
#include "../shop.h"
#include "../xalloc.h"

/* How long a hook has to answer the doctor's ping. */
#define DOCTOR_PING_MS 10000L

/* The program a hook command line starts: its first word that is not a NAME=VALUE
 * assignment, quotes taken off. Malloc'd, NULL when there is none. */
static char *hook_program(const char *cmd)
{
    const char *p = cmd;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return NULL;
        char q = (*p == '\'' || *p == '"') ? *p : 0;
        const char *s = q ? p + 1 : p, *end = s;
        while (*end && (q ? *end != q : (*end != ' ' && *end != '\t')))
            end++;
        char *w = xstrndup(s, (size_t)(end - s));
        if (q || !strchr(w, '=') || strchr(w, '/'))
            return w;
        free(w);
        p = *end ? end + 1 : end;
    }
}

/* 1 when program (a path, or a name looked up in $PATH) is an executable file. */
static int runnable(const char *prog)
{
    struct stat st;
    const char *path = getenv("PATH");

    if (strchr(prog, '/'))
        return stat(prog, &st) == 0 && S_ISREG(st.st_mode) && access(prog, X_OK) == 0;
    for (const char *p = path ? path : "/usr/bin:/bin"; p;) {
        const char *c = strchr(p, ':');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        char *f = xasprintf("%.*s/%s", (int)n, n ? p : ".", prog);
        int ok = stat(f, &st) == 0 && S_ISREG(st.st_mode) && access(f, X_OK) == 0;
        free(f);
        if (ok)
            return 1;
        p = c ? c + 1 : NULL;
    }
    return 0;
}

/* The folder, or its nearest existing parent when it is missing, is a writable folder. */
static int writable(const char *dir, char *where, size_t size)
{
    char *d = xstrdup(dir);
    struct stat st;
    int ok = 0;

    for (;;) {
        if (stat(d, &st) == 0) {
            ok = S_ISDIR(st.st_mode) && access(d, W_OK | X_OK) == 0;
            break;
        }
        char *slash = strrchr(d, '/');
        if (errno != ENOENT || !slash)
            break;
        if (slash == d)
            slash[1] = '\0';
        else
            *slash = '\0';
    }
    snprintf(where, size, "%s", d);
    free(d);
    return ok;
}

struct dd {
    struct doctor *d;
    char *base;
    struct qs_err *e;
    int rc, n;
};

static int one(const char *key, const char *value, void *p)
{
    struct dd *x = p;
    struct deliver_spec sp = {0};
    struct qs_err pe;
    char check[80], where[PATH_MAX];
    int rc = 0;

    if (strncmp(key, "deliver.", 8) != 0)
        return 0;
    x->n++;
    snprintf(check, sizeof check, "deliver.%s", key + 8);
    err_clear(&pe);
    if (deliver_parse(value, x->base, &sp, &pe) < 0)
        rc = doctor_say(x->d, DOCTOR_FAIL, check, x->e,
                        "%s: set it again with `qs init --deliver "
                        "%s=DELIVERY`",
                        pe.msg, key + 8);
    else if (sp.type == DELIVER_HOOK) {
        char *prog = hook_program(sp.arg);
        if (!prog || !runnable(prog))
            rc = doctor_say(x->d, DOCTOR_FAIL, check, x->e,
                            "hook command \"%s\" is not an executable file: install it or "
                            "set `qs init --deliver %s=...`",
                            prog ? prog : sp.arg, key + 8);
        else {
            char *said = NULL;
            struct qs_err he;
            err_clear(&he);
            if (deliver_hook_ping(sp.arg, x->d->shop, key + 8, DOCTOR_PING_MS, &said, &he) < 0)
                rc = doctor_say(x->d, DOCTOR_FAIL, check, x->e, "%s", he.msg);
            else if (said)
                rc = doctor_say(x->d, DOCTOR_OK, check, x->e,
                                "hook %s answers a ping (it said: %s)", prog, said);
            else
                rc = doctor_say(x->d, DOCTOR_OK, check, x->e, "hook %s answers a ping", prog);
            free(said);
        }
        free(prog);
    } else if (sp.type == DELIVER_FILE) {
        if (!writable(sp.arg, where, sizeof where))
            rc = doctor_say(x->d, DOCTOR_FAIL, check, x->e,
                            "hand-off folder %s cannot be written (%s): fix its permissions or "
                            "set `qs init --deliver %s=file:DIR`",
                            sp.arg, where, key + 8);
        else
            rc = doctor_say(x->d, DOCTOR_OK, check, x->e, "hand-off folder %s", sp.arg);
    } else
        rc = doctor_say(x->d, DOCTOR_OK, check, x->e, "%s (checked by its own line)", sp.text);
    deliver_spec_clear(&sp);
    if (rc < 0) {
        x->rc = rc;
        return 1;
    }
    return 0;
}

int deliver_doctor(struct doctor *d, struct qs_err *e)
{
    struct dd x = {.d = d, .e = e};
    int rc;

    x.base = dlv_store_folder(d->s);
    rc = shop_setting_each(d->s, d->shop, one, &x, e);
    free(x.base);
    if (rc < 0)
        return rc;
    if (x.rc < 0)
        return x.rc;
    if (x.n == 0)
        return doctor_say(d, DOCTOR_OK, "deliver", e,
                          "no deliver.KIND set: each kind goes by its default (qapi, smtp for "
                          "notify, else a hand-off folder beside the store)");
    return 0;
}

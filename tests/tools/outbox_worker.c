/* outbox-worker: drives the outbox engine from shell tests (SPEC 1.6): many processes at
 * once, kill -9 at any moment, then a re-run.
 *
 *   outbox-worker --store PATH --shop S --kind K enqueue N
 *   outbox-worker ... work --sink FILE [--batch B] [--sleep-us U] [--no-reconcile]
 *                         [--ready FILE --go FILE]
 *   outbox-worker ... recover --sink FILE [--no-reconcile]
 *   outbox-worker ... count | list STATE | resend-unknown | audit
 *
 * "Sending" an item appends one line "KEY PID\n" to the sink file with one write().
 * The reconcile callback answers sent when the key already has a line in the sink,
 * else not sent; --no-reconcile passes none, so orphans become unknown. --ready and --go
 * line workers up: each creates its ready file once the store is open, then waits for
 * the go file, so a test can start them truly at once. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "outbox.h"
#include "shop.h"
#include "store.h"

struct opts {
    const char *store, *shop, *kind, *sink, *cmd, *arg, *ready, *go;
    long batch, sleep_us;
    int no_reconcile;
};

static int usage(void)
{
    fputs("usage: outbox-worker --store PATH --shop S --kind K\n"
          "         (enqueue N | work --sink FILE [--batch B] [--sleep-us U] [--no-reconcile]\n"
          "                             [--ready FILE --go FILE]\n"
          "          | recover --sink FILE [--no-reconcile] | count | list STATE"
          " | resend-unknown | audit)\n",
          stderr);
    return 64;
}

static int fail(const struct qs_err *e)
{
    char buf[1400];
    fprintf(stderr, "%s\n", err_format(e, "outbox-worker", buf, sizeof buf));
    return 1;
}

static int enqueue(struct store *s, const struct opts *o, long n, struct qs_err *e)
{
    char key[32];
    int rc, created;
    if ((rc = store_begin(s, e)) < 0)
        return rc;
    if ((rc = shop_add(s, o->shop, SHOP_DEFAULT_TZ, 0, &created, e)) < 0)
        goto fail;
    for (long i = 0; i < n; i++) {
        snprintf(key, sizeof key, "k%04ld", i);
        if ((rc = outbox_enqueue(s, o->shop, o->kind, key, NULL, time(NULL), NULL, e)) < 0)
            goto fail;
    }
    return store_commit(s, e);
fail:
    store_rollback(s);
    return rc;
}

/* Sent when KEY already has a line "KEY ..." in the sink. */
static enum outbox_recon sink_reconcile(const struct outbox_item *item, char **ref, void *ctx)
{
    const char *sink = ctx;
    enum outbox_recon r = OUTBOX_RECON_NOT_SENT;
    size_t klen = strlen(item->key), cap = 0;
    char *line = NULL;
    FILE *f = fopen(sink, "r");
    (void)ref;
    if (!f)
        return errno == ENOENT ? OUTBOX_RECON_NOT_SENT : OUTBOX_RECON_UNKNOWN;
    while (getline(&line, &cap, f) > 0) {
        if (strncmp(line, item->key, klen) == 0 && line[klen] == ' ') {
            r = OUTBOX_RECON_SENT;
            break;
        }
    }
    if (ferror(f))
        r = OUTBOX_RECON_UNKNOWN;
    free(line);
    fclose(f);
    return r;
}

static int recover(struct store *s, const struct opts *o, size_t *n, struct qs_err *e)
{
    return outbox_recover(s, o->shop, o->kind, o->no_reconcile ? NULL : sink_reconcile,
                          (void *)o->sink, n, e);
}

static int work(struct store *s, const struct opts *o, struct qs_err *e)
{
    struct outbox_claim_opts co = {.shop = o->shop, .kind = o->kind, .max = (size_t)o->batch};
    struct outbox_item *items = NULL;
    size_t n = 0, rec;
    char line[128];
    int rc = 0, rfd, fd = open(o->sink, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

    if (fd < 0) {
        fprintf(stderr, "outbox-worker: %s: %s\n", o->sink, strerror(errno));
        return -1;
    }
    if (o->ready && (rfd = open(o->ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
        close(rfd);
    for (int waited = 0; o->go && access(o->go, F_OK) != 0; waited++) {
        if (waited > 60000) { /* a minute */
            fprintf(stderr, "outbox-worker: %s never appeared\n", o->go);
            close(fd);
            return -1;
        }
        usleep(1000);
    }
    for (;;) {
        if ((rc = recover(s, o, &rec, e)) < 0)
            break;
        co.now = time(NULL);
        if ((rc = outbox_claim(s, &co, &items, &n, e)) < 0 || n == 0)
            break;
        for (size_t i = 0; i < n && rc == 0; i++) {
            int len = snprintf(line, sizeof line, "%s %ld\n", items[i].key, (long)getpid());
            if (write(fd, line, (size_t)len) != len) {
                fprintf(stderr, "outbox-worker: write %s: %s\n", o->sink, strerror(errno));
                rc = -1;
                break;
            }
            if (o->sleep_us > 0)
                usleep((useconds_t)o->sleep_us);
            rc = outbox_done(s, items[i].id, NULL, e);
        }
        outbox_items_free(items, n);
        items = NULL;
        if (rc < 0)
            break;
    }
    close(fd);
    return rc;
}

static int count(struct store *s, const struct opts *o, struct qs_err *e)
{
    size_t counts[OUTBOX_NSTATES];
    int rc = outbox_count(s, o->shop, o->kind, counts, e);
    for (int i = 0; rc == 0 && i < OUTBOX_NSTATES; i++)
        printf("%s %zu\n", outbox_state_name((enum outbox_state)i), counts[i]);
    return rc;
}

static int list(struct store *s, const struct opts *o, struct qs_err *e)
{
    enum outbox_state st;
    struct outbox_item *items;
    size_t n;
    int rc;
    if (outbox_state_parse(o->arg, &st) < 0)
        return err_set(e, QS_E_USAGE, NULL, "unknown state %s", o->arg);
    if ((rc = outbox_list(s, o->shop, o->kind, (int)st, &items, &n, e)) < 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        printf("%s\n", items[i].key);
    outbox_items_free(items, n);
    return 0;
}

/* Prints "RESULT KEY ATTEMPT" per audit row of kind, oldest first. */
static int audit_print(const struct audit_entry *a, void *ctx)
{
    const struct opts *o = ctx;
    if (a->kind && strcmp(a->kind, o->kind) == 0)
        printf("%s %s %d\n", a->result, a->key ? a->key : "-", a->attempt);
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o = {.batch = 1};
    struct qs_err e = {0};
    struct store *s = NULL;
    size_t n = 0;
    int rc;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        if (strcmp(a, "--store") == 0 && has_val)
            o.store = argv[++i];
        else if (strcmp(a, "--shop") == 0 && has_val)
            o.shop = argv[++i];
        else if (strcmp(a, "--kind") == 0 && has_val)
            o.kind = argv[++i];
        else if (strcmp(a, "--sink") == 0 && has_val)
            o.sink = argv[++i];
        else if (strcmp(a, "--batch") == 0 && has_val)
            o.batch = atol(argv[++i]);
        else if (strcmp(a, "--sleep-us") == 0 && has_val)
            o.sleep_us = atol(argv[++i]);
        else if (strcmp(a, "--ready") == 0 && has_val)
            o.ready = argv[++i];
        else if (strcmp(a, "--go") == 0 && has_val)
            o.go = argv[++i];
        else if (strcmp(a, "--no-reconcile") == 0)
            o.no_reconcile = 1;
        else if (a[0] == '-')
            return usage();
        else if (!o.cmd)
            o.cmd = a;
        else if (!o.arg)
            o.arg = a;
        else
            return usage();
    }
    if (!o.store || !o.shop || !o.kind || !o.cmd || o.batch < 1)
        return usage();
    int needs_sink = strcmp(o.cmd, "work") == 0 || strcmp(o.cmd, "recover") == 0;
    int needs_arg = strcmp(o.cmd, "enqueue") == 0 || strcmp(o.cmd, "list") == 0;
    if ((needs_sink && !o.sink) || (needs_arg != (o.arg != NULL)))
        return usage();

    if ((rc = store_open(o.store, &s, &e)) < 0)
        return fail(&e);
    if (strcmp(o.cmd, "enqueue") == 0)
        rc = enqueue(s, &o, atol(o.arg), &e);
    else if (strcmp(o.cmd, "work") == 0)
        rc = work(s, &o, &e);
    else if (strcmp(o.cmd, "recover") == 0) {
        if ((rc = recover(s, &o, &n, &e)) == 0)
            printf("recovered %zu\n", n);
    } else if (strcmp(o.cmd, "count") == 0)
        rc = count(s, &o, &e);
    else if (strcmp(o.cmd, "list") == 0)
        rc = list(s, &o, &e);
    else if (strcmp(o.cmd, "resend-unknown") == 0) {
        if ((rc = outbox_resend_unknown(s, o.shop, o.kind, &n, &e)) == 0)
            printf("resent %zu\n", n);
    } else if (strcmp(o.cmd, "audit") == 0)
        rc = audit_each(s, o.shop, 0, audit_print, &o, &e);
    else {
        store_close(s);
        return usage();
    }
    store_close(s);
    if (rc < 0 && e.code)
        return fail(&e);
    if (fflush(stdout) != 0 || ferror(stdout))
        return 1;
    return rc < 0 ? 1 : 0;
}

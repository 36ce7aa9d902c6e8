/* deliver-tool: drives the delivery engine (SPEC 1.7) from shell tests, before any
 * command uses it: many runs at once, kill -9 at any moment, then a re-run.
 *
 *   deliver-tool --store PATH --shop S --kind K enqueue N [--pad BYTES]
 *   deliver-tool ... run --delivery SPEC [--batch B] [--max M] [--timeout-ms T]
 *                        [--grace-ms G] [--retry-failed] [--resend-unknown] [--dry-run]
 *                        [--group-by F] [--column C]... [--chunk N]
 *   deliver-tool ... count | list STATE | refs | confirm [KEY...]
 *
 * enqueue adds keys k0000.. with payload {"n":I,"pad":"x..."}. run prints one line
 * "sent N failed N retry N handed_off N recovered N unknown N garbage N hook_status N"
 * (and with --dry-run the request lines first) and exits with the SPEC 1.3 status of the
 * run. refs prints "KEY REF" for each done item. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deliver/deliver.h"
#include "outbox.h"
#include "shop.h"
#include "store.h"
#include "xalloc.h"

#define MAX_COLUMNS 8

struct opts {
    const char *store, *shop, *kind, *cmd;
    char **args;
    int nargs;
    long pad;
    struct deliver_opts d;
    const char *columns[MAX_COLUMNS];
};

static int usage(void)
{
    fputs("usage: deliver-tool --store PATH --shop S --kind K\n"
          "         (enqueue N [--pad BYTES]\n"
          "          | run --delivery SPEC [--batch B] [--max M] [--timeout-ms T] [--grace-ms G]\n"
          "                [--retry-failed] [--resend-unknown] [--dry-run] [--group-by F]\n"
          "                [--column C]... [--chunk N]\n"
          "          | count | list STATE | refs | confirm [KEY...])\n",
          stderr);
    return 64;
}

static int fail(const struct qs_err *e)
{
    char buf[1400];
    fprintf(stderr, "%s\n", err_format(e, "deliver-tool", buf, sizeof buf));
    return err_exit_code(e->code ? e->code : QS_E_SOFTWARE);
}

static int enqueue(struct store *s, const struct opts *o, long n, struct qs_err *e)
{
    char key[32];
    char *pad = xcalloc(1, (size_t)o->pad + 1);
    int rc, created;
    memset(pad, 'x', (size_t)o->pad);
    if ((rc = store_begin(s, e)) < 0)
        goto out;
    if ((rc = shop_add(s, o->shop, SHOP_DEFAULT_TZ, 0, &created, e)) < 0)
        goto fail;
    for (long i = 0; i < n; i++) {
        snprintf(key, sizeof key, "k%04ld", i);
        char *payload = xasprintf("{\"n\":%ld,\"pad\":\"%s\"}", i, pad);
        rc = outbox_enqueue(s, o->shop, o->kind, key, payload, time(NULL), NULL, e);
        free(payload);
        if (rc < 0)
            goto fail;
    }
    rc = store_commit(s, e);
    goto out;
fail:
    store_rollback(s);
out:
    free(pad);
    return rc;
}

static int run(struct store *s, struct opts *o, struct qs_err *e)
{
    struct deliver_report rep;
    int rc;
    if (!o->d.delivery)
        return err_set(e, QS_E_USAGE, NULL, "run needs --delivery");
    o->d.prog = "deliver-tool";
    if ((rc = deliver_run(s, o->shop, o->kind, &o->d, &rep, e)) < 0)
        return rc;
    printf("sent %zu failed %zu retry %zu handed_off %zu recovered %zu unknown %zu garbage %zu"
           " hook_status %d\n",
           rep.sent, rep.failed, rep.retry, rep.handed_off, rep.recovered, rep.unknown, rep.garbage,
           rep.hook_status);
    return deliver_report_rc(&rep);
}

static int count(struct store *s, const struct opts *o, struct qs_err *e)
{
    size_t counts[OUTBOX_NSTATES];
    int rc = outbox_count(s, o->shop, o->kind, counts, e);
    for (int i = 0; rc == 0 && i < OUTBOX_NSTATES; i++)
        printf("%s %zu\n", outbox_state_name((enum outbox_state)i), counts[i]);
    return rc;
}

/* Prints the key (and with refs, the ref) of each item in state. */
static int list(struct store *s, const struct opts *o, enum outbox_state st, int refs,
                struct qs_err *e)
{
    struct outbox_item *items;
    size_t n;
    int rc;
    if ((rc = outbox_list(s, o->shop, o->kind, (int)st, &items, &n, e)) < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (refs)
            printf("%s %s\n", items[i].key, items[i].ref ? items[i].ref : "-");
        else
            printf("%s\n", items[i].key);
    }
    outbox_items_free(items, n);
    return 0;
}

/* Parses "--name VALUE" style options into o; returns 0 or -1. */
static int parse(int argc, char **argv, struct opts *o)
{
    size_t ncol = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define VAL(name) (strcmp(a, name) == 0 && v && (i++, 1))
        if (VAL("--store"))
            o->store = v;
        else if (VAL("--shop"))
            o->shop = v;
        else if (VAL("--kind"))
            o->kind = v;
        else if (VAL("--pad"))
            o->pad = atol(v);
        else if (VAL("--delivery"))
            o->d.delivery = v;
        else if (VAL("--batch"))
            o->d.batch = (size_t)atol(v);
        else if (VAL("--max"))
            o->d.max = (size_t)atol(v);
        else if (VAL("--timeout-ms"))
            o->d.timeout_ms = atol(v);
        else if (VAL("--grace-ms"))
            o->d.grace_ms = atol(v);
        else if (VAL("--group-by"))
            o->d.group_by = v;
        else if (VAL("--chunk"))
            o->d.chunk = (size_t)atol(v);
        else if (VAL("--column")) {
            if (ncol == MAX_COLUMNS)
                return -1;
            o->columns[ncol++] = v;
        } else if (strcmp(a, "--retry-failed") == 0)
            o->d.retry_failed = 1;
        else if (strcmp(a, "--resend-unknown") == 0)
            o->d.resend_unknown = 1;
        else if (strcmp(a, "--dry-run") == 0)
            o->d.dry_run = stdout;
        else if (a[0] == '-')
            return -1;
        else if (!o->cmd)
            o->cmd = a;
        else
            o->args[o->nargs++] = argv[i];
#undef VAL
    }
    o->d.columns = o->columns;
    o->d.ncolumns = ncol;
    return o->store && o->shop && o->kind && o->cmd ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct opts o = {0};
    struct qs_err e = {0};
    struct store *s = NULL;
    enum outbox_state st;
    size_t n;
    int rc;

    signal(SIGPIPE, SIG_IGN); /* as qs's main does */
    o.args = xcalloc((size_t)argc, sizeof *o.args);
    if (parse(argc, argv, &o) < 0) {
        free(o.args);
        return usage();
    }
    if ((rc = store_open(o.store, &s, &e)) < 0) {
        free(o.args);
        return fail(&e);
    }
    if (strcmp(o.cmd, "enqueue") == 0 && o.nargs == 1)
        rc = enqueue(s, &o, atol(o.args[0]), &e);
    else if (strcmp(o.cmd, "run") == 0 && o.nargs == 0)
        rc = run(s, &o, &e);
    else if (strcmp(o.cmd, "count") == 0 && o.nargs == 0)
        rc = count(s, &o, &e);
    else if (strcmp(o.cmd, "list") == 0 && o.nargs == 1 && outbox_state_parse(o.args[0], &st) == 0)
        rc = list(s, &o, st, 0, &e);
    else if (strcmp(o.cmd, "refs") == 0 && o.nargs == 0)
        rc = list(s, &o, OUTBOX_DONE, 1, &e);
    else if (strcmp(o.cmd, "confirm") == 0) {
        if ((rc = deliver_confirm(s, o.shop, o.kind, o.nargs ? (const char *const *)o.args : NULL,
                                  (size_t)o.nargs, NULL, &n, &e)) == 0)
            printf("confirmed %zu\n", n);
    } else {
        store_close(s);
        free(o.args);
        return usage();
    }
    store_close(s);
    free(o.args);
    if (rc < 0 && e.code)
        return fail(&e);
    if (fflush(stdout) != 0 || ferror(stdout))
        return 74;
    return err_exit_code(rc);
}

/* init.c: qs init -- create the store and a shop; idempotent. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"
#include "../libcore/settings.h"
#include "../libcore/xalloc.h"

struct init_opts {
    const char *shop, *tz;
    struct cmd_list set, secret, deliver;
};

static const struct qs_opt init_opts[] = {
    OPT_STRING(struct init_opts, shop, "shop", "NAME",
               "the shop to create or update (or global --shop)"),
    OPT_STRING(struct init_opts, tz, "tz", "ZONE",
               "the shop's IANA time zone (default Asia/Tokyo)"),
    OPT_LIST(struct init_opts, set, "set", "KEY=VALUE",
             "set a shop setting (repeatable; see SETTINGS in qs-init(1))"),
    OPT_LIST(struct init_opts, secret, "secret", "KEY",
             "read secret KEY from a line of stdin, or a prompt on a terminal (repeatable)"),
    OPT_LIST(struct init_opts, deliver, "deliver", "KIND=DELIVERY",
             "deliver KIND by qapi, hook:COMMAND, file:DIR or smtp (repeatable)"),
    OPT_END,
};

struct kv {
    char *key, *value;
};

struct init_args {
    const char *shop, *tz;
    struct kv set[32];
    int nset;
    const char *secret[16];
    char *secret_value[16]; /* read before the transaction: a prompt never holds the lock */
    int nsecret;
};

/* Reads one line of stdin into a malloc'd string without its newline. */
static char *read_secret_line(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

/* The terminal's state while a secret is typed: a signal handler can reach nothing but
 * statics, and must put the echo back before qs dies. */
static struct termios tty_saved;
static volatile sig_atomic_t tty_echo_off;

static void tty_restore_and_die(int sig)
{
    if (tty_echo_off)
        tcsetattr(STDIN_FILENO, TCSANOW, &tty_saved);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* issue 8 item 10: on a terminal, prompts "KEY: " on stderr and reads the secret with echo
 * off, as git and gh do; the echo comes back on every way out, a signal (^C) included.
 * From a pipe or file, reads one line as is. Returns a malloc'd string or NULL. */
static char *read_secret(const char *key)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    struct sigaction sa, old[sizeof sigs / sizeof sigs[0]];
    struct termios quiet;
    char *v;

    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &tty_saved) < 0)
        return read_secret_line();
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = tty_restore_and_die;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, &old[i]);
    quiet = tty_saved;
    quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
    tty_echo_off = 1;
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0)
        tty_echo_off = 0;
    fprintf(stderr, "%s: ", key); /* after the echo is off: nothing typed shows */
    fflush(stderr);
    v = read_secret_line();
    if (tty_echo_off)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
    tty_echo_off = 0;
    fputc('\n', stderr); /* the Enter typed was not echoed */
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &old[i], NULL);
    return v;
}

struct list_ctx {
    struct qs_ctx *ctx;
    struct rec_writer *w;
    struct rec *r;
    char *settings;
    struct qs_err *e;
};

static int add_setting(const char *key, const char *value, void *p)
{
    struct list_ctx *lc = p;
    char *s = xasprintf("%s%s%s=%s", lc->settings ? lc->settings : "", lc->settings ? ";" : "", key,
                        value);
    free(lc->settings);
    lc->settings = s;
    return 0;
}

static int list_shop(const struct shop *sh, void *p)
{
    struct list_ctx *lc = p;
    char n[16];
    int secrets = 0, rc;

    lc->settings = NULL;
    if ((rc = shop_setting_each(lc->ctx->store, sh->name, add_setting, lc, lc->e)) < 0 ||
        (rc = shop_secret_count(lc->ctx->store, sh->name, &secrets, lc->e)) < 0)
        goto out;
    rec_clear(lc->r);
    rec_set(lc->r, "shop", sh->name);
    rec_set(lc->r, "tz", sh->tz);
    snprintf(n, sizeof n, "%d", secrets);
    rec_set(lc->r, "secrets", n); /* a count: a secret's value is never printed */
    rec_set(lc->r, "settings", lc->settings ? lc->settings : "");
    rec_set(lc->r, "store", store_path(lc->ctx->store));
    rc = rec_write(lc->w, lc->r, lc->e);
out:
    free(lc->settings);
    return rc;
}

static int apply(struct qs_ctx *ctx, struct init_args *a, struct qs_err *e)
{
    struct shop old;
    struct qs_err ignore;
    int rc, created = 0, existed;
    const char *tz;

    if ((rc = store_begin(ctx->store, e)) < 0)
        return rc;
    existed = shop_resolve(ctx->store, a->shop, &old, &ignore) == 0;
    tz = a->tz ? a->tz : existed ? old.tz : SHOP_DEFAULT_TZ;
    if ((rc = shop_add(ctx->store, a->shop, tz, a->tz != NULL, &created, e)) < 0)
        goto fail;
    for (int i = 0; i < a->nset; i++)
        if ((rc = shop_setting_set(ctx->store, a->shop, a->set[i].key, a->set[i].value, e)) < 0)
            goto fail;
    for (int i = 0; i < a->nsecret; i++)
        if ((rc = shop_secret_set(ctx->store, a->shop, a->secret[i], a->secret_value[i], e)) < 0)
            goto fail;
    if (ctx->dry_run) {
        store_rollback(ctx->store);
        if (ctx->verbosity >= 0)
            fprintf(stderr, "%s: dry run: nothing written\n", ctx->prog);
        return 0;
    }
    if ((rc = store_commit(ctx->store, e)) < 0)
        goto fail;
    if (ctx->verbosity < 0)
        return 0;
    if (created)
        fprintf(stderr, "%s: created shop %s (%s) in %s\n", ctx->prog, a->shop, tz,
                store_path(ctx->store));
    else if (strcmp(old.tz, tz) != 0)
        fprintf(stderr, "%s: shop %s: time zone %s -> %s\n", ctx->prog, a->shop, old.tz, tz);
    else if (a->nset || a->nsecret)
        fprintf(stderr, "%s: shop %s: %d setting(s), %d secret(s) set\n", ctx->prog, a->shop,
                a->nset, a->nsecret);
    else
        fprintf(stderr, "%s: shop %s unchanged (%s) in %s\n", ctx->prog, a->shop, tz,
                store_path(ctx->store));
    return 0;
fail:
    store_rollback(ctx->store);
    return rc;
}

/* Adds --set KEY=VALUE (deliver 0) or --deliver KIND=DELIVERY (deliver 1) to a, checked
 * against the settings registry (issue 10 item 5): a key it does not know, or a value that
 * does not fit, is refused before anything is written. Returns 0 or the exit code. */
static int add_set(struct qs_ctx *ctx, struct init_args *a, const char *opt, int deliver,
                   struct qs_err *e)
{
    const char *eq = strchr(opt, '=');
    if (!eq || eq == opt || a->nset == 32)
        return cmd_usage(ctx, "--%s wants KEY=VALUE, got \"%s\"", deliver ? "deliver" : "set", opt);
    a->set[a->nset].key = deliver ? xasprintf("deliver.%.*s", (int)(eq - opt), opt)
                                  : xstrndup(opt, (size_t)(eq - opt));
    a->set[a->nset].value = xstrdup(eq + 1);
    a->nset++;
    if (!shop_key_valid(a->set[a->nset - 1].key))
        return cmd_usage(ctx, "setting name \"%s\" is not valid; use a-z 0-9 . _ -",
                         a->set[a->nset - 1].key);
    if (settings_check(a->set[a->nset - 1].key, eq + 1, e) < 0)
        return cmd_usage(ctx, "%s", e->msg);
    return 0;
}

static int cmd_init(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv)
{
    struct init_opts o = {0};
    struct init_args a;
    struct qs_err e;
    struct rec_writer *w = NULL;
    struct list_ctx lc = {0};
    int rc = 0;

    memset(&a, 0, sizeof a);
    err_clear(&e);
    o.shop = ctx->shop_name;
    o.tz = ctx->tz;
    if ((rc = cmd_parse(ctx, v, &o, &argc, &argv)) != 0)
        goto out;
    a.shop = o.shop;
    a.tz = o.tz;
    for (size_t i = 0; rc == 0 && i < o.set.n; i++)
        rc = add_set(ctx, &a, o.set.v[i], 0, &e);
    for (size_t i = 0; rc == 0 && i < o.deliver.n; i++)
        rc = add_set(ctx, &a, o.deliver.v[i], 1, &e);
    for (size_t i = 0; rc == 0 && i < o.secret.n; i++) {
        if (!shop_key_valid(o.secret.v[i]) || a.nsecret == 16)
            rc =
                cmd_usage(ctx, "secret name \"%s\" is not valid; use a-z 0-9 . _ -", o.secret.v[i]);
        else
            a.secret[a.nsecret++] = o.secret.v[i];
    }
    if (rc != 0)
        goto out;
    if (argc > 0) {
        rc = cmd_usage(ctx, "unexpected argument \"%s\"", argv[0]);
        goto out;
    }
    if (!a.shop) {
        /* Re-running plain `qs init` on a one-shop store is harmless. */
        struct shop only;
        if (shop_resolve(ctx->store, NULL, &only, &e) < 0) {
            rc = cmd_usage(ctx, "name the shop with --shop NAME");
            goto out;
        }
        snprintf(ctx->shop.name, sizeof ctx->shop.name, "%s", only.name);
        a.shop = ctx->shop.name;
    }
    for (int i = 0; i < a.nsecret; i++) {
        char *v = read_secret(a.secret[i]);
        if (!v || !*v) {
            free(v);
            rc = cmd_usage(ctx, "--secret %s: expected the value on a line of standard input",
                           a.secret[i]);
            goto out;
        }
        a.secret_value[i] = v;
    }
    if ((rc = apply(ctx, &a, &e)) < 0) {
        rc = cmd_fail(ctx, rc, &e);
        goto out;
    }
    if ((rc = cmd_open_writer(ctx, NULL, 0, &w, &e)) < 0) {
        rc = cmd_fail(ctx, rc, &e);
        goto out;
    }
    lc.ctx = ctx;
    lc.w = w;
    lc.r = rec_new();
    lc.e = &e;
    rc = shop_each(ctx->store, list_shop, &lc, &e);
    rec_free(lc.r);
    if (rc < 0) {
        rec_writer_close(w, &e);
        rc = cmd_fail(ctx, rc, &e);
        goto out;
    }
    if ((rc = rec_writer_close(w, &e)) < 0)
        rc = cmd_fail(ctx, rc, &e);
out:
    cmd_args_free(v, &o);
    for (int i = 0; i < a.nset; i++) {
        free(a.set[i].key);
        free(a.set[i].value);
    }
    for (int i = 0; i < a.nsecret; i++) {
        if (a.secret_value[i])
            explicit_bzero(a.secret_value[i], strlen(a.secret_value[i]));
        free(a.secret_value[i]);
    }
    return rc;
}

static const struct qs_verb init_verbs[] = {
    QS_VERB("", cmd_init, NULL, QS_NEEDS_STORE | QS_WRITES_STORE, init_opts,
            "create the store and a shop, or update the shop; idempotent"),
    {.name = NULL},
};

const struct qs_cmd qs_cmd_init = QS_COMMAND("init", "create the store and a shop", init_verbs);

/* outbox_owner: who holds a claimed item (owner "HOST:PID:STARTTIME"), and the recovery
 * of items whose owner died (SPEC 1.6). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "outbox_int.h"
#include "xalloc.h"

/* The start time of pid in clock ticks since boot (field 22 of /proc/PID/stat), so a
 * reused pid is not mistaken for the process that claimed an item. Returns 0, -1 when
 * the process is gone (or a zombie), -2 when it cannot tell. */
static int proc_start(long pid, unsigned long long *start)
{
    char path[64], buf[1024];
    FILE *f;
    size_t n;
    const char *p;
    char state;

    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if (!(f = fopen(path, "re")))
        return errno == ENOENT || errno == ESRCH ? -1 : -2;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* comm (field 2) may hold spaces and parentheses: fields 3.. follow the last ')'. */
    if (!(p = strrchr(buf, ')')) || sscanf(p + 1, " %c", &state) != 1)
        return n == 0 ? -1 : -2;
    if (state == 'Z' || state == 'X')
        return -1;
    p += 1;
    for (int field = 2; field < 21; field++) {
        p = strchr(p + 1, ' ');
        if (!p)
            return -2;
    }
    return sscanf(p, " %llu", start) == 1 ? 0 : -2;
}

static void hostname(char buf[256])
{
    if (gethostname(buf, 256) < 0)
        snprintf(buf, 256, "localhost");
    buf[255] = '\0';
}

char *outbox_self_owner(char buf[320])
{
    char host[256];
    unsigned long long start = 0;
    long pid = (long)getpid();

    hostname(host);
    if (proc_start(pid, &start) < 0)
        start = 0;
    snprintf(buf, 320, "%s:%ld:%llu", host, pid, start);
    return buf;
}

/* 1 when owner names a process of this host that no longer runs. A process of another
 * host, or an owner we cannot parse or check, counts as alive: leave its items alone. */
int outbox_owner_dead(const char *owner)
{
    char host[256], *end;
    const char *c2, *c1;
    long pid;
    unsigned long long start, now;

    if (!owner || !(c2 = strrchr(owner, ':')) || c2 == owner)
        return 0;
    for (c1 = c2 - 1; c1 > owner && *c1 != ':'; c1--)
        ;
    if (*c1 != ':')
        return 0;
    hostname(host);
    if ((size_t)(c1 - owner) != strlen(host) || strncmp(owner, host, strlen(host)) != 0)
        return 0;
    errno = 0;
    pid = strtol(c1 + 1, &end, 10);
    if (errno || end != c2 || pid <= 0)
        return 0;
    start = strtoull(c2 + 1, &end, 10);
    if (errno || *end != '\0')
        return 0;
    if (proc_start((long)getpid(), &now) != 0)
        return 0; /* no readable /proc here: every pid would look gone */
    switch (proc_start(pid, &now)) {
    case 0:
        return now != start;
    case -1:
        return 1;
    default:
        return 0;
    }
}

/* Settles one orphan in its own transaction: take it over (so a second recovering
 * process leaves it to us), ask the other side, write the answer and an audit row. */
static int recover_one(struct store *s, const struct outbox_item *it, const char *dead,
                       outbox_reconcile_fn reconcile, void *ctx, size_t *recovered,
                       struct qs_err *e)
{
    static const char take[] = "UPDATE outbox SET owner = ?1 WHERE id = ?2 AND state = "
                               "'claimed' AND owner = ?3";
    static const char put[] =
        "UPDATE outbox SET state = ?3, ref = coalesce(?4, ref), next_at = coalesce(?5, next_at),"
        " updated_at = ?6 WHERE id = ?1 AND state = 'claimed' AND owner = ?2";
    char owner[320], t_now[32], *ref = NULL, *detail = NULL;
    enum outbox_recon r = OUTBOX_RECON_UNKNOWN;
    struct audit_entry a = {0};
    const char *state;
    int rc;

    outbox_self_owner(owner);
    if ((rc = store_run(s, e, take, "sls", owner, (long long)it->id, dead)) < 0)
        goto out;
    if (store_changes(s) != 1)
        goto out; /* another process recovered it first */

    /* Outside any transaction: reconcile may make a network call. */
    if (reconcile)
        r = reconcile(it, &ref, ctx);
    switch (r) {
    case OUTBOX_RECON_SENT:
        state = "done", a.result = "recovered-sent";
        break;
    case OUTBOX_RECON_NOT_SENT:
        state = "pending", a.result = "recovered-pending";
        break;
    default:
        state = "unknown", a.result = "unknown";
    }
    outbox_iso(time(NULL), t_now);
    if ((rc = store_begin(s, e)) < 0)
        goto out;
    if ((rc = store_run(s, e, put, "lsssss", (long long)it->id, owner, state,
                        r == OUTBOX_RECON_SENT ? ref : NULL,
                        r == OUTBOX_RECON_NOT_SENT ? t_now : NULL, t_now)) < 0)
        goto fail;
    if (store_changes(s) != 1) {
        rc = err_set(e, QS_E_SOFTWARE, NULL, "outbox item %lld changed while recovering it",
                     (long long)it->id);
        goto fail;
    }
    a.at = time(NULL);
    a.shop = it->shop;
    a.kind = it->kind;
    a.key = it->key;
    a.attempt = it->attempts;
    a.detail = detail = xasprintf("claimed by %s, which no longer runs", dead);
    if ((rc = audit_add(s, &a, e)) < 0)
        goto fail;
    if ((rc = store_commit(s, e)) < 0)
        goto fail;
    if (recovered)
        (*recovered)++;
    goto out;
fail:
    store_rollback(s);
out:
    free(ref);
    free(detail);
    return rc;
}

struct orphans {
    struct outbox_item *items;
    char **owners;
    size_t n, cap;
};

static int orphan_row(sqlite3_stmt *st, void *p)
{
    struct orphans *o = p;
    const char *owner = (const char *)sqlite3_column_text(st, 10);
    if (!outbox_owner_dead(owner))
        return 0; /* a live process, or another host: not ours to judge */
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 8;
        o->items = xrealloc(o->items, o->cap * sizeof *o->items);
        o->owners = xrealloc(o->owners, o->cap * sizeof *o->owners);
    }
    o->owners[o->n] = xstrdup(owner);
    outbox_item_read(st, &o->items[o->n++]);
    return 0;
}

int outbox_recover(struct store *s, const char *shop, const char *kind,
                   outbox_reconcile_fn reconcile, void *ctx, size_t *recovered, struct qs_err *e)
{
    struct orphans o = {0};
    int rc;

    if (recovered)
        *recovered = 0;
    /* Read every orphan first: no read transaction stays open while we write. */
    rc = store_each(s,
                    "SELECT " OUTBOX_ITEM_COLS ", owner FROM outbox WHERE state = 'claimed'"
                    " AND (?1 IS NULL OR shop = ?1) AND (?2 IS NULL OR kind = ?2) ORDER BY id",
                    orphan_row, &o, e, "ss", shop, kind);
    for (size_t i = 0; i < o.n && rc == 0; i++)
        rc = recover_one(s, &o.items[i], o.owners[i], reconcile, ctx, recovered, e);
    for (size_t i = 0; i < o.n; i++)
        free(o.owners[i]);
    free(o.owners);
    outbox_items_free(o.items, o.n);
    return rc;
}

/* outbox_owner: the recovery of items whose owner died (SPEC 1.6). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "outbox_int.h"
#include "xalloc.h"

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
    char t_now[32], *ref = NULL, *detail = NULL;
    enum outbox_recon r = OUTBOX_RECON_UNKNOWN;
    struct audit_entry a = {0};
    const char *state;
    int rc;

    if ((rc = store_run(s, e, take, "sls", outbox_self_owner(s), (long long)it->id, dead)) < 0)
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
    if ((rc = store_run(s, e, put, "lsssss", (long long)it->id, outbox_self_owner(s), state,
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

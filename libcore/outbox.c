/* outbox: the generic engine of SPEC 1.6. Each row is written before its send, claimed
 * by one process (owner "HOST:PID:STARTTIME", outbox_owner.c), settled only by that
 * process, and recovered by another run when its owner died. */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "audit.h"
#include "outbox_int.h"
#include "tm.h"
#include "xalloc.h"

static const char *const state_names[OUTBOX_NSTATES] = {
    [OUTBOX_PENDING] = "pending",
    [OUTBOX_CLAIMED] = "claimed",
    [OUTBOX_DONE] = "done",
    [OUTBOX_RETRY] = "retry",
    [OUTBOX_FAILED] = "failed",
    [OUTBOX_UNKNOWN] = "unknown",
    [OUTBOX_HANDED_OFF] = "handed-off",
    [OUTBOX_WITHDRAWN] = "withdrawn",
};

const char *outbox_state_name(enum outbox_state s)
{
    return (unsigned)s < OUTBOX_NSTATES ? state_names[s] : "?";
}

int outbox_state_parse(const char *name, enum outbox_state *out)
{
    for (int i = 0; i < OUTBOX_NSTATES; i++) {
        if (name && strcmp(name, state_names[i]) == 0) {
            *out = (enum outbox_state)i;
            return 0;
        }
    }
    return -1;
}

char *outbox_iso(time_t t, char buf[32])
{
    return tm_utc_iso(t, buf, 32);
}

static char *iso(time_t t, char buf[32])
{
    return outbox_iso(t, buf);
}

static time_t parse_iso(const char *s)
{
    time_t t;
    return tm_parse_utc_iso(s, &t) == 0 ? t : (time_t)0;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    return v ? xstrdup((const char *)v) : NULL;
}

void outbox_item_read(sqlite3_stmt *st, struct outbox_item *it)
{
    const char *state = (const char *)sqlite3_column_text(st, 7);
    it->id = sqlite3_column_int64(st, 0);
    it->shop = col_dup(st, 1);
    it->kind = col_dup(st, 2);
    it->key = col_dup(st, 3);
    it->payload = col_dup(st, 4);
    it->ref = col_dup(st, 5);
    it->last_error = col_dup(st, 6);
    if (outbox_state_parse(state, &it->state) < 0)
        it->state = OUTBOX_UNKNOWN;
    it->attempts = sqlite3_column_int(st, 8);
    it->next_at = parse_iso((const char *)sqlite3_column_text(st, 9));
}

struct collect {
    struct outbox_item *items;
    size_t n, cap;
};

/* Appends each row to the list. */
static int collect_row(sqlite3_stmt *st, void *p)
{
    struct collect *c = p;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->items = xrealloc(c->items, c->cap * sizeof *c->items);
    }
    outbox_item_read(st, &c->items[c->n++]);
    return 0;
}

void outbox_item_clear(struct outbox_item *it)
{
    free(it->shop);
    free(it->kind);
    free(it->key);
    free(it->payload);
    free(it->ref);
    free(it->last_error);
    memset(it, 0, sizeof *it);
}

void outbox_items_free(struct outbox_item *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++)
        outbox_item_clear(&items[i]);
    free(items);
}

static int id_row(sqlite3_stmt *st, void *p)
{
    *(int64_t *)p = sqlite3_column_int64(st, 0);
    return 1;
}

int outbox_enqueue(struct store *s, const char *shop, const char *kind, const char *key,
                   const char *payload, time_t due, int64_t *id, struct qs_err *e)
{
    char t_due[32], t_now[32];
    int rc;

    rc = store_run(s, e,
                   "INSERT INTO outbox(shop, kind, key, payload, next_at, created_at, updated_at)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT(shop, kind, key) DO NOTHING",
                   "ssssss", shop, kind, key, payload ? payload : "{}", iso(due, t_due),
                   iso(time(NULL), t_now));
    if (rc < 0) {
        if (sqlite3_extended_errcode(store_db(s)) == SQLITE_CONSTRAINT_FOREIGNKEY)
            rc = err_set(e, QS_E_USAGE, NULL, "no shop named %s; add it with qs init", shop);
        return rc;
    }
    if (store_changes(s) > 0) {
        if (id)
            *id = sqlite3_last_insert_rowid(store_db(s));
        return 1;
    }
    if (!id)
        return 0;
    rc = store_each(s, "SELECT id FROM outbox WHERE shop = ?1 AND kind = ?2 AND key = ?3", id_row,
                    id, e, "sss", shop, kind, key);
    if (rc == 0) /* the row that was there a moment ago is gone */
        rc = err_set(e, QS_E_SOFTWARE, NULL, "outbox: item %s/%s/%s vanished", shop, kind, key);
    return rc < 0 ? rc : 0;
}

/* Joins the caller's transaction, or starts a write transaction of our own. */
static int tx_begin(struct store *s, int *own, struct qs_err *e)
{
    *own = sqlite3_get_autocommit(store_db(s));
    return *own ? store_begin(s, e) : 0;
}

int outbox_claim(struct store *s, const struct outbox_claim_opts *o, struct outbox_item **items,
                 size_t *n, struct qs_err *e)
{
    /* Due: pending or retry whose time has come; with --retry-failed also failed items
     * and retries not yet due (but never a pending item scheduled for later) that were
     * settled before this process began (outbox_self_since) and not by it: what fails
     * again in a run does not come round again in it, nor go back and forth between two
     * runs at once, so a --retry-failed run claims a batch at a time like any other (SPEC
     * 8: flat memory; it claimed everything at once). It takes them ahead of what is
     * pending: what may have been sent is read back before anything new goes out. */
    /* One arm per state, each read in (next_at, id) order from the index outbox_due and
     * stopped at the limit: a batch of a long queue costs the batch, not the queue (SPEC
     * 8: a drain of N items in chunks was N^2 / chunk with one scan and sort per claim). */
#define NOT_OURS " AND owner IS NOT ?6 AND updated_at <= ?7" /* --retry-failed, above */
#define ARM_FILTER                                                                                 \
    " AND (?3 IS NULL OR shop = ?3) AND (?4 IS NULL OR kind = ?4) ORDER BY next_at, id LIMIT ?5)"
    static const char sel[] =
        "SELECT " OUTBOX_ITEM_COLS " FROM ("
        "SELECT * FROM (SELECT " OUTBOX_ITEM_COLS " FROM outbox"
        "  WHERE state = 'pending' AND next_at <= ?1" ARM_FILTER
        " UNION ALL SELECT * FROM (SELECT " OUTBOX_ITEM_COLS " FROM outbox"
        "  WHERE state = 'retry' AND (next_at <= ?1 OR ?2" NOT_OURS ")" ARM_FILTER
        " UNION ALL SELECT * FROM (SELECT " OUTBOX_ITEM_COLS " FROM outbox"
        "  WHERE state = 'failed' AND ?2" NOT_OURS ARM_FILTER
        ") ORDER BY ?2 AND state = 'pending', next_at, id LIMIT ?5";
#undef ARM_FILTER
#undef NOT_OURS
    static const char upd[] =
        "UPDATE outbox SET state = 'claimed', owner = ?1, claimed_at = ?2, updated_at = ?2,"
        " attempts = attempts + 1 WHERE id = ?3";
    struct collect c = {0};
    sqlite3_stmt *st = NULL;
    char t_now[32], t_claim[32];
    const char *owner;
    int rc, own = 0;

    *items = NULL;
    *n = 0;
    if ((rc = tx_begin(s, &own, e)) < 0)
        return rc;
    owner = outbox_self_owner(s);
    if ((rc = store_each(s, sel, collect_row, &c, e, "sisslss", iso(o->now, t_now),
                         o->retry_failed != 0, o->shop, o->kind, (long long)(o->max ? o->max : 1),
                         owner, outbox_self_since(s))) < 0)
        goto fail;
    if (c.n == 0)
        goto done;
    if ((rc = store_prepare_cached(s, upd, &st, e)) < 0)
        goto fail;
    iso(time(NULL), t_claim);
    for (size_t i = 0; i < c.n; i++) {
        if ((rc = store_bind(s, st, e, "ssl", owner, t_claim, (long long)c.items[i].id)) < 0 ||
            (rc = store_step(s, st, e)) < 0)
            goto fail;
        c.items[i].state = OUTBOX_CLAIMED;
        c.items[i].attempts++;
    }
done:
    store_release(s, st);
    st = NULL;
    if (own && (rc = store_commit(s, e)) < 0)
        goto fail;
    *items = c.items;
    *n = c.n;
    return 0;
fail:
    store_release(s, st);
    if (own)
        store_rollback(s);
    outbox_items_free(c.items, c.n);
    return rc;
}

/* Runs an UPDATE whose ?1 is the item id and ?2 our owner string, then ?3.. from a3, a4,
 * a5 as far as sql uses them (NULL binds NULL); the row must have been ours, else
 * QS_E_SOFTWARE. */
static int settle(struct store *s, int64_t id, const char *sql, const char *what, const char *a3,
                  const char *a4, const char *a5, struct qs_err *e)
{
    const char *types[] = {"ls", "lss", "lsss", "lssss"};
    sqlite3_stmt *st = NULL;
    int rc, nparam;

    if ((rc = store_prepare_cached(s, sql, &st, e)) < 0)
        return rc;
    nparam = sqlite3_bind_parameter_count(st);
    nparam = nparam < 2 ? 2 : nparam > 5 ? 5 : nparam;
    if ((rc = store_bind(s, st, e, types[nparam - 2], (long long)id, outbox_self_owner(s), a3, a4,
                         a5)) < 0 ||
        (rc = store_step(s, st, e)) < 0)
        goto out;
    rc = 0;
    if (store_changes(s) != 1)
        rc = err_set(e, QS_E_SOFTWARE, NULL,
                     "outbox item %lld cannot be marked %s: it is not claimed by this process",
                     (long long)id, what);
out:
    store_release(s, st);
    return rc;
}

int outbox_done(struct store *s, int64_t id, const char *ref, struct qs_err *e)
{
    char t_now[32];
    return settle(s, id,
                  "UPDATE outbox SET state = 'done', ref = ?3, updated_at = ?4"
                  " WHERE id = ?1 AND state = 'claimed' AND owner = ?2",
                  "done", ref, iso(time(NULL), t_now), NULL, e);
}

int outbox_unknown(struct store *s, int64_t id, const char *msg, struct qs_err *e)
{
    char t_now[32];
    return settle(s, id,
                  "UPDATE outbox SET state = 'unknown', last_error = ?3, updated_at = ?4"
                  " WHERE id = ?1 AND state = 'claimed' AND owner = ?2",
                  "unknown", msg, iso(time(NULL), t_now), NULL, e);
}

int outbox_handed_off(struct store *s, int64_t id, const char *ref, struct qs_err *e)
{
    char t_now[32];
    return settle(s, id,
                  "UPDATE outbox SET state = 'handed-off', ref = ?3, updated_at = ?4"
                  " WHERE id = ?1 AND (state = 'pending' OR (state = 'claimed' AND owner = ?2))",
                  "handed-off", ref, iso(time(NULL), t_now), NULL, e);
}

/* outbox_withdraw and outbox_withdraw_claimed: which items the UPDATE may take. */
static int withdraw(struct store *s, int64_t id, const char *msg, int claimed, struct qs_err *e)
{
    char t_now[32];
    sqlite3_stmt *st = NULL;
    int rc;

    /* The state test in the UPDATE is the claim check: when a process claimed the item
     * first, nothing changes here. RETURNING rows are computed by the first step, so the
     * audit row can be added before the last one. */
    if ((rc = store_prepare(s,
                            claimed ? "UPDATE outbox SET state = 'withdrawn', last_error = ?2,"
                                      " updated_at = ?3 WHERE id = ?1 AND state = 'claimed'"
                                      " AND owner = ?4 RETURNING shop, kind, key, attempts"
                                    : "UPDATE outbox SET state = 'withdrawn', last_error = ?2,"
                                      " updated_at = ?3 WHERE id = ?1"
                                      " AND state IN ('pending', 'retry', 'failed')"
                                      " RETURNING shop, kind, key, attempts",
                            &st, e)) < 0)
        return rc;
    if ((rc = store_bind(s, st, e, claimed ? "lsss" : "lss", (long long)id, msg,
                         iso(time(NULL), t_now), outbox_self_owner(s))) < 0)
        goto out;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        struct audit_entry a = {.at = time(NULL),
                                .shop = (const char *)sqlite3_column_text(st, 0),
                                .kind = (const char *)sqlite3_column_text(st, 1),
                                .key = (const char *)sqlite3_column_text(st, 2),
                                .attempt = sqlite3_column_int(st, 3),
                                .result = "withdrawn",
                                .detail = msg};
        if ((rc = audit_add(s, &a, e)) == 0)
            rc = sqlite3_step(st) == SQLITE_DONE ? 1 : store_sqlerr(s, e, "withdraw");
    } else
        rc = rc == SQLITE_DONE ? 0 : store_sqlerr(s, e, "withdraw");
out:
    sqlite3_finalize(st);
    return rc;
}

int outbox_withdraw(struct store *s, int64_t id, const char *msg, struct qs_err *e)
{
    return withdraw(s, id, msg, 0, e);
}

int outbox_withdraw_claimed(struct store *s, int64_t id, const char *msg, struct qs_err *e)
{
    return withdraw(s, id, msg, 1, e);
}

long outbox_backoff(int attempts)
{
    long b = 30;
    for (int i = 1; i < attempts && b < 6 * 3600; i++)
        b *= 2;
    return b < 6 * 3600 ? b : 6 * 3600;
}

/* A random number for the jitter; no state kept between calls. */
static unsigned jitter_random(int64_t id)
{
    unsigned r;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) == (ssize_t)sizeof r)
        return r;
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid() ^ (unsigned)id;
    return (unsigned)rand_r(&seed);
}

int outbox_fail(struct store *s, int64_t id, const char *msg, int retryable, time_t now,
                struct qs_err *e)
{
    char t_next[32], t_now[32];
    int64_t attempts = 0;
    int rc;

    /* Only we change an item we hold, so reading attempts first is race-free; the
     * UPDATE checks ownership again. */
    rc = store_each(s,
                    "SELECT attempts FROM outbox WHERE id = ?1 AND state = 'claimed'"
                    " AND owner = ?2",
                    id_row, &attempts, e, "ls", (long long)id, outbox_self_owner(s));
    if (rc < 0)
        return rc;
    if (rc == 0)
        return err_set(e, QS_E_SOFTWARE, NULL,
                       "outbox item %lld cannot be marked failed: it is not claimed by this "
                       "process",
                       (long long)id);
    iso(time(NULL), t_now);
    if (retryable && attempts < OUTBOX_MAX_ATTEMPTS) {
        long long b = outbox_backoff((int)attempts);
        long long jitter = b * (long long)(jitter_random(id) % 2501) / 10000; /* 0..25% */
        return settle(s, id,
                      "UPDATE outbox SET state = 'retry', last_error = ?3, next_at = ?4,"
                      " updated_at = ?5 WHERE id = ?1 AND state = 'claimed' AND owner = ?2",
                      "retry", msg, iso(now + (time_t)(b + jitter), t_next), t_now, e);
    }
    /* next_at: failed items are claimed (--retry-failed) oldest failure first, so those a
     * run fails again go behind the ones it has not tried yet. */
    return settle(s, id,
                  "UPDATE outbox SET state = 'failed', last_error = ?3, updated_at = ?4,"
                  " next_at = ?4 WHERE id = ?1 AND state = 'claimed' AND owner = ?2",
                  "failed", msg, t_now, NULL, e);
}

int outbox_resend_unknown(struct store *s, const char *shop, const char *kind, size_t *n,
                          struct qs_err *e)
{
    char t_now[32];
    int rc;

    if (n)
        *n = 0;
    rc = store_run(s, e,
                   "UPDATE outbox SET state = 'pending', next_at = ?3, updated_at = ?3"
                   " WHERE state = 'unknown' AND (?1 IS NULL OR shop = ?1)"
                   " AND (?2 IS NULL OR kind = ?2)",
                   "sss", shop, kind, iso(time(NULL), t_now));
    if (rc == 0 && n)
        *n = (size_t)store_changes(s);
    return rc;
}

int outbox_list(struct store *s, const char *shop, const char *kind, int state,
                struct outbox_item **items, size_t *n, struct qs_err *e)
{
    struct collect c = {0};
    int rc;

    *items = NULL;
    *n = 0;
    rc = store_each(s,
                    "SELECT " OUTBOX_ITEM_COLS " FROM outbox"
                    " WHERE (?1 IS NULL OR shop = ?1) AND (?2 IS NULL OR kind = ?2)"
                    "   AND (?3 IS NULL OR state = ?3) ORDER BY id",
                    collect_row, &c, e, "sss", shop, kind,
                    state >= 0 ? outbox_state_name((enum outbox_state)state) : NULL);
    if (rc < 0) {
        outbox_items_free(c.items, c.n);
        return rc;
    }
    *items = c.items;
    *n = c.n;
    return 0;
}

int outbox_get(struct store *s, const char *shop, const char *kind, const char *key,
               struct outbox_item **item, struct qs_err *e)
{
    struct collect c = {0};
    /* One row through the unique index (shop, kind, key) (SPEC 8: a batch reads the
     * items it needs, not the kind's whole history). */
    int rc = store_each(s,
                        "SELECT " OUTBOX_ITEM_COLS " FROM outbox WHERE shop = ?1 AND kind = ?2"
                        " AND key = ?3",
                        collect_row, &c, e, "sss", shop, kind, key);
    *item = NULL;
    if (rc < 0) {
        outbox_items_free(c.items, c.n);
        return rc;
    }
    *item = c.items;
    return c.n > 0;
}

static int count_row(sqlite3_stmt *st, void *p)
{
    size_t *counts = p;
    enum outbox_state state;
    if (outbox_state_parse((const char *)sqlite3_column_text(st, 0), &state) == 0)
        counts[state] += (size_t)sqlite3_column_int64(st, 1);
    return 0;
}

int outbox_count(struct store *s, const char *shop, const char *kind, size_t counts[OUTBOX_NSTATES],
                 struct qs_err *e)
{
    memset(counts, 0, OUTBOX_NSTATES * sizeof *counts);
    return store_each(s,
                      "SELECT state, count(*) FROM outbox"
                      " WHERE (?1 IS NULL OR shop = ?1) AND (?2 IS NULL OR kind = ?2)"
                      " GROUP BY state",
                      count_row, counts, e, "ss", shop, kind);
}

struct confirm {
    struct store *s;
    const char *shop, *kind;
    size_t n;
    struct qs_err *e;
};

/* One audit row per item confirmed. RETURNING rows are computed by the first step:
 * adding audit rows meanwhile is safe. */
static int confirm_row(sqlite3_stmt *st, void *p)
{
    struct confirm *c = p;
    struct audit_entry a = {.at = time(NULL),
                            .shop = c->shop,
                            .kind = c->kind,
                            .key = (const char *)sqlite3_column_text(st, 0),
                            .attempt = sqlite3_column_int(st, 1),
                            .result = "confirmed",
                            .detail = (const char *)sqlite3_column_text(st, 2)};
    int rc = audit_add(c->s, &a, c->e);
    c->n++;
    return rc;
}

/* Handed-off items become done when the seller confirms what the hand-off asked of them
 * (SPEC 1.7 file: deliveries), one audit row each. */
int outbox_confirm(struct store *s, const char *shop, const char *kind, const char *const *keys,
                   size_t nkeys, const char *ref, size_t *confirmed, struct qs_err *e)
{
    static const char upd[] =
        "UPDATE outbox SET state = 'done', updated_at = ?4 WHERE shop = ?1 AND kind = ?2"
        " AND state = 'handed-off' AND (?3 IS NULL OR key = ?3) AND (?5 IS NULL OR ref = ?5)"
        " RETURNING key, attempts, ref";
    struct confirm c = {s, shop, kind, 0, e};
    char now[32];
    int rc = 0;
    size_t rounds = keys ? nkeys : 1;

    int own = sqlite3_get_autocommit(store_db(s)); /* else: the caller's transaction */

    if (confirmed)
        *confirmed = 0;
    if (own && (rc = store_begin(s, e)) < 0)
        return rc;
    tm_utc_iso(time(NULL), now, sizeof now);
    for (size_t k = 0; k < rounds && rc == 0; k++)
        rc = store_each(s, upd, confirm_row, &c, e, "sssss", shop, kind, keys ? keys[k] : NULL, now,
                        ref);
    if (rc == 0 && own)
        rc = store_commit(s, e);
    if (rc < 0) {
        if (own)
            store_rollback(s);
        return rc;
    }
    if (confirmed)
        *confirmed = c.n;
    return 0;
}

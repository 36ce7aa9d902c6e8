/* outbox: the generic engine of SPEC 1.6. Each row is written before its send, claimed
 * by one process (owner "HOST:PID:STARTTIME"), settled only by that process, and
 * recovered by another run when its owner died. */
#include "outbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "audit.h"
#include "tm.h"
#include "xalloc.h"

static const char *const state_names[OUTBOX_NSTATES] = {
    [OUTBOX_PENDING] = "pending",       [OUTBOX_CLAIMED] = "claimed", [OUTBOX_DONE] = "done",
    [OUTBOX_RETRY] = "retry",           [OUTBOX_FAILED] = "failed",   [OUTBOX_UNKNOWN] = "unknown",
    [OUTBOX_HANDED_OFF] = "handed-off",
};

#define ITEM_COLS "id, shop, kind, key, payload, ref, last_error, state, attempts, next_at"

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

/* Times are stored as UTC ISO-8601 text, which sorts as time (SPEC 1.5). */
static char *iso(time_t t, char buf[32])
{
    return tm_utc_iso(t, buf, 32);
}

static time_t parse_iso(const char *s)
{
    time_t t;
    return tm_parse_utc_iso(s, &t) == 0 ? t : (time_t)0;
}

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

/* "HOST:PID:STARTTIME" of this process, computed afresh (a fork has another pid). */
static char *self_owner(char buf[320])
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
static int owner_dead(const char *owner)
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

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct qs_err *e)
{
    if (sqlite3_prepare_v2(store_db(s), sql, -1, st, NULL) != SQLITE_OK)
        return store_sqlerr(s, e, "outbox");
    return 0;
}

static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
    return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    return v ? xstrdup((const char *)v) : NULL;
}

static void item_read(sqlite3_stmt *st, struct outbox_item *it)
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

/* Steps st to the end, appending each row to *items. */
static int items_collect(struct store *s, sqlite3_stmt *st, struct outbox_item **items, size_t *n,
                         struct qs_err *e)
{
    size_t cap = *n;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *items = xrealloc(*items, cap * sizeof **items);
        }
        item_read(st, &(*items)[(*n)++]);
    }
    return rc == SQLITE_DONE ? 0 : store_sqlerr(s, e, "outbox");
}

void outbox_items_free(struct outbox_item *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++) {
        free(items[i].shop);
        free(items[i].kind);
        free(items[i].key);
        free(items[i].payload);
        free(items[i].ref);
        free(items[i].last_error);
    }
    free(items);
}

int outbox_enqueue(struct store *s, const char *shop, const char *kind, const char *key,
                   const char *payload, time_t due, int64_t *id, struct qs_err *e)
{
    static const char ins[] =
        "INSERT INTO outbox(shop, kind, key, payload, next_at, created_at, updated_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT(shop, kind, key) DO NOTHING";
    sqlite3_stmt *st = NULL;
    char t_due[32], t_now[32];
    int rc, added;

    if ((rc = prepare(s, ins, &st, e)) < 0)
        goto out;
    if (bind_text(st, 1, shop) || bind_text(st, 2, kind) || bind_text(st, 3, key) ||
        bind_text(st, 4, payload ? payload : "{}") || bind_text(st, 5, iso(due, t_due)) ||
        bind_text(st, 6, iso(time(NULL), t_now))) {
        rc = store_sqlerr(s, e, "outbox");
        goto out;
    }
    if (sqlite3_step(st) != SQLITE_DONE) {
        if (sqlite3_extended_errcode(store_db(s)) == SQLITE_CONSTRAINT_FOREIGNKEY)
            rc = err_set(e, QS_E_USAGE, NULL, "no shop named %s; add it with qs init", shop);
        else
            rc = store_sqlerr(s, e, "outbox");
        goto out;
    }
    added = sqlite3_changes(store_db(s)) > 0;
    sqlite3_finalize(st);
    st = NULL;
    if (added) {
        if (id)
            *id = sqlite3_last_insert_rowid(store_db(s));
        rc = 1;
        goto out;
    }
    rc = 0;
    if (!id)
        goto out;
    if ((rc = prepare(s, "SELECT id FROM outbox WHERE shop = ?1 AND kind = ?2 AND key = ?3", &st,
                      e)) < 0)
        goto out;
    if (bind_text(st, 1, shop) || bind_text(st, 2, kind) || bind_text(st, 3, key) ||
        sqlite3_step(st) != SQLITE_ROW) {
        rc = store_sqlerr(s, e, "outbox");
        goto out;
    }
    *id = sqlite3_column_int64(st, 0);
out:
    sqlite3_finalize(st);
    return rc;
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
     * and retries not yet due (but never a pending item scheduled for later). */
    static const char sel[] = "SELECT " ITEM_COLS " FROM outbox"
                              " WHERE ((state IN ('pending', 'retry') AND next_at <= ?1)"
                              "        OR (?2 AND state IN ('failed', 'retry')))"
                              "   AND (?3 IS NULL OR shop = ?3) AND (?4 IS NULL OR kind = ?4)"
                              " ORDER BY next_at, id LIMIT ?5";
    static const char upd[] =
        "UPDATE outbox SET state = 'claimed', owner = ?1, claimed_at = ?2, updated_at = ?2,"
        " attempts = attempts + 1 WHERE id = ?3";
    sqlite3_stmt *st = NULL;
    char t_now[32], t_claim[32], owner[320];
    int rc, own = 0;
    size_t i;

    *items = NULL;
    *n = 0;
    if ((rc = tx_begin(s, &own, e)) < 0)
        return rc;
    if ((rc = prepare(s, sel, &st, e)) < 0)
        goto fail;
    if (bind_text(st, 1, iso(o->now, t_now)) || sqlite3_bind_int(st, 2, o->retry_failed != 0) ||
        bind_text(st, 3, o->shop) || bind_text(st, 4, o->kind) ||
        sqlite3_bind_int64(st, 5, o->max ? (sqlite3_int64)o->max : 1)) {
        rc = store_sqlerr(s, e, "outbox");
        goto fail;
    }
    if ((rc = items_collect(s, st, items, n, e)) < 0)
        goto fail;
    sqlite3_finalize(st);
    st = NULL;
    if (*n == 0)
        goto done;
    if ((rc = prepare(s, upd, &st, e)) < 0)
        goto fail;
    self_owner(owner);
    iso(time(NULL), t_claim);
    for (i = 0; i < *n; i++) {
        if (sqlite3_reset(st) != SQLITE_OK || bind_text(st, 1, owner) ||
            bind_text(st, 2, t_claim) || sqlite3_bind_int64(st, 3, (*items)[i].id) ||
            sqlite3_step(st) != SQLITE_DONE) {
            rc = store_sqlerr(s, e, "outbox");
            goto fail;
        }
        (*items)[i].state = OUTBOX_CLAIMED;
        (*items)[i].attempts++;
    }
done:
    sqlite3_finalize(st);
    st = NULL;
    if (own && (rc = store_commit(s, e)) < 0)
        goto fail;
    return 0;
fail:
    sqlite3_finalize(st);
    if (own)
        store_rollback(s);
    outbox_items_free(*items, *n);
    *items = NULL;
    *n = 0;
    return rc;
}

/* Runs an UPDATE whose ?1 is the item id and ?2 our owner string, then ?3.. from a3, a4,
 * a5 as far as sql uses them (NULL binds NULL); the row must have been ours, else
 * QS_E_SOFTWARE. */
static int settle(struct store *s, int64_t id, const char *sql, const char *what, const char *a3,
                  const char *a4, const char *a5, struct qs_err *e)
{
    const char *args[] = {a3, a4, a5};
    sqlite3_stmt *st = NULL;
    char owner[320];
    int rc, ok, nparam;

    if ((rc = prepare(s, sql, &st, e)) < 0)
        return rc;
    nparam = sqlite3_bind_parameter_count(st);
    ok = sqlite3_bind_int64(st, 1, id) == SQLITE_OK &&
         bind_text(st, 2, self_owner(owner)) == SQLITE_OK;
    for (int i = 3; ok && i <= nparam && i <= 5; i++)
        ok = bind_text(st, i, args[i - 3]) == SQLITE_OK;
    if (!ok || sqlite3_step(st) != SQLITE_DONE) {
        rc = store_sqlerr(s, e, "outbox");
        goto out;
    }
    if (sqlite3_changes(store_db(s)) != 1)
        rc = err_set(e, QS_E_SOFTWARE, NULL,
                     "outbox item %lld cannot be marked %s: it is not claimed by this process",
                     (long long)id, what);
out:
    sqlite3_finalize(st);
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

int outbox_handed_off(struct store *s, int64_t id, const char *ref, struct qs_err *e)
{
    char t_now[32];
    return settle(s, id,
                  "UPDATE outbox SET state = 'handed-off', ref = ?3, updated_at = ?4"
                  " WHERE id = ?1 AND (state = 'pending' OR (state = 'claimed' AND owner = ?2))",
                  "handed-off", ref, iso(time(NULL), t_now), NULL, e);
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
    sqlite3_stmt *st = NULL;
    char owner[320], t_next[32], t_now[32];
    int rc, attempts, step;

    /* Only we change an item we hold, so reading attempts first is race-free; the
     * UPDATE checks ownership again. */
    if ((rc = prepare(s,
                      "SELECT attempts FROM outbox WHERE id = ?1 AND state = 'claimed'"
                      " AND owner = ?2",
                      &st, e)) < 0)
        return rc;
    if (sqlite3_bind_int64(st, 1, id) || bind_text(st, 2, self_owner(owner))) {
        rc = store_sqlerr(s, e, "outbox");
        goto out;
    }
    step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = err_set(e, QS_E_SOFTWARE, NULL,
                     "outbox item %lld cannot be marked failed: it is not claimed by this "
                     "process",
                     (long long)id);
        goto out;
    }
    if (step != SQLITE_ROW) {
        rc = store_sqlerr(s, e, "outbox");
        goto out;
    }
    attempts = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    iso(time(NULL), t_now);
    if (retryable && attempts < OUTBOX_MAX_ATTEMPTS) {
        long long b = outbox_backoff(attempts);
        long long jitter = b * (long long)(jitter_random(id) % 2501) / 10000; /* 0..25% */
        return settle(s, id,
                      "UPDATE outbox SET state = 'retry', last_error = ?3, next_at = ?4,"
                      " updated_at = ?5 WHERE id = ?1 AND state = 'claimed' AND owner = ?2",
                      "retry", msg, iso(now + (time_t)(b + jitter), t_next), t_now, e);
    }
    return settle(s, id,
                  "UPDATE outbox SET state = 'failed', last_error = ?3, updated_at = ?4"
                  " WHERE id = ?1 AND state = 'claimed' AND owner = ?2",
                  "failed", msg, t_now, NULL, e);
out:
    sqlite3_finalize(st);
    return rc;
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
    sqlite3_stmt *st = NULL;
    char owner[320], t_now[32], *ref = NULL, *detail = NULL;
    enum outbox_recon r = OUTBOX_RECON_UNKNOWN;
    struct audit_entry a = {0};
    const char *state;
    int rc;

    self_owner(owner);
    if ((rc = prepare(s, take, &st, e)) < 0)
        return rc;
    if (bind_text(st, 1, owner) || sqlite3_bind_int64(st, 2, it->id) || bind_text(st, 3, dead) ||
        sqlite3_step(st) != SQLITE_DONE) {
        rc = store_sqlerr(s, e, "outbox");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_changes(store_db(s)) != 1)
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
    iso(time(NULL), t_now);
    if ((rc = store_begin(s, e)) < 0)
        goto out;
    if ((rc = prepare(s, put, &st, e)) < 0)
        goto fail;
    if (sqlite3_bind_int64(st, 1, it->id) || bind_text(st, 2, owner) || bind_text(st, 3, state) ||
        bind_text(st, 4, r == OUTBOX_RECON_SENT ? ref : NULL) ||
        bind_text(st, 5, r == OUTBOX_RECON_NOT_SENT ? t_now : NULL) || bind_text(st, 6, t_now) ||
        sqlite3_step(st) != SQLITE_DONE) {
        rc = store_sqlerr(s, e, "outbox");
        goto fail;
    }
    if (sqlite3_changes(store_db(s)) != 1) {
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
    sqlite3_finalize(st);
    free(ref);
    free(detail);
    return rc;
}

int outbox_recover(struct store *s, const char *shop, const char *kind,
                   outbox_reconcile_fn reconcile, void *ctx, size_t *recovered, struct qs_err *e)
{
    static const char sel[] = "SELECT " ITEM_COLS ", owner FROM outbox WHERE state = 'claimed'"
                              " AND (?1 IS NULL OR shop = ?1) AND (?2 IS NULL OR kind = ?2)"
                              " ORDER BY id";
    struct outbox_item *items = NULL;
    char **owners = NULL;
    size_t n = 0, cap = 0, i;
    sqlite3_stmt *st = NULL;
    int rc = 0, step;

    if (recovered)
        *recovered = 0;
    if ((rc = prepare(s, sel, &st, e)) < 0)
        return rc;
    if (bind_text(st, 1, shop) || bind_text(st, 2, kind)) {
        rc = store_sqlerr(s, e, "outbox");
        goto out;
    }
    /* Read every orphan first: no read transaction stays open while we write. */
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *owner = (const char *)sqlite3_column_text(st, 10);
        if (!owner_dead(owner))
            continue; /* a live process, or another host: not ours to judge */
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            items = xrealloc(items, cap * sizeof *items);
            owners = xrealloc(owners, cap * sizeof *owners);
        }
        owners[n] = xstrdup(owner);
        item_read(st, &items[n++]);
    }
    if (step != SQLITE_DONE) {
        rc = store_sqlerr(s, e, "outbox");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    for (i = 0; i < n && rc == 0; i++)
        rc = recover_one(s, &items[i], owners[i], reconcile, ctx, recovered, e);
out:
    sqlite3_finalize(st);
    for (i = 0; i < n; i++)
        free(owners[i]);
    free(owners);
    outbox_items_free(items, n);
    return rc;
}

int outbox_resend_unknown(struct store *s, const char *shop, const char *kind, size_t *n,
                          struct qs_err *e)
{
    static const char upd[] =
        "UPDATE outbox SET state = 'pending', next_at = ?3, updated_at = ?3"
        " WHERE state = 'unknown' AND (?1 IS NULL OR shop = ?1) AND (?2 IS NULL OR kind = ?2)";
    sqlite3_stmt *st = NULL;
    char t_now[32];
    int rc;

    if (n)
        *n = 0;
    if ((rc = prepare(s, upd, &st, e)) < 0)
        return rc;
    if (bind_text(st, 1, shop) || bind_text(st, 2, kind) ||
        bind_text(st, 3, iso(time(NULL), t_now)) || sqlite3_step(st) != SQLITE_DONE)
        rc = store_sqlerr(s, e, "outbox");
    else if (n)
        *n = (size_t)sqlite3_changes(store_db(s));
    sqlite3_finalize(st);
    return rc;
}

int outbox_list(struct store *s, const char *shop, const char *kind, int state,
                struct outbox_item **items, size_t *n, struct qs_err *e)
{
    static const char sel[] = "SELECT " ITEM_COLS " FROM outbox"
                              " WHERE (?1 IS NULL OR shop = ?1) AND (?2 IS NULL OR kind = ?2)"
                              "   AND (?3 IS NULL OR state = ?3) ORDER BY id";
    sqlite3_stmt *st = NULL;
    int rc;

    *items = NULL;
    *n = 0;
    if ((rc = prepare(s, sel, &st, e)) < 0)
        return rc;
    if (bind_text(st, 1, shop) || bind_text(st, 2, kind) ||
        bind_text(st, 3, state >= 0 ? outbox_state_name((enum outbox_state)state) : NULL))
        rc = store_sqlerr(s, e, "outbox");
    else
        rc = items_collect(s, st, items, n, e);
    sqlite3_finalize(st);
    if (rc < 0) {
        outbox_items_free(*items, *n);
        *items = NULL;
        *n = 0;
    }
    return rc;
}

int outbox_count(struct store *s, const char *shop, const char *kind, size_t counts[OUTBOX_NSTATES],
                 struct qs_err *e)
{
    static const char sel[] = "SELECT state, count(*) FROM outbox"
                              " WHERE (?1 IS NULL OR shop = ?1) AND (?2 IS NULL OR kind = ?2)"
                              " GROUP BY state";
    sqlite3_stmt *st = NULL;
    enum outbox_state state;
    int rc, step;

    memset(counts, 0, OUTBOX_NSTATES * sizeof *counts);
    if ((rc = prepare(s, sel, &st, e)) < 0)
        return rc;
    if (bind_text(st, 1, shop) || bind_text(st, 2, kind)) {
        rc = store_sqlerr(s, e, "outbox");
        goto out;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (outbox_state_parse((const char *)sqlite3_column_text(st, 0), &state) == 0)
            counts[state] += (size_t)sqlite3_column_int64(st, 1);
    }
    if (step != SQLITE_DONE)
        rc = store_sqlerr(s, e, "outbox");
out:
    sqlite3_finalize(st);
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
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc, step;
    size_t n = 0, rounds = keys ? nkeys : 1;

    if (confirmed)
        *confirmed = 0;
    if ((rc = store_begin(s, e)) < 0)
        return rc;
    if (sqlite3_prepare_v2(store_db(s), upd, -1, &st, NULL) != SQLITE_OK) {
        rc = store_sqlerr(s, e, "outbox");
        goto fail;
    }
    tm_utc_iso(time(NULL), now, sizeof now);
    for (size_t k = 0; k < rounds; k++) {
        sqlite3_reset(st);
        if (sqlite3_bind_text(st, 1, shop, -1, SQLITE_TRANSIENT) ||
            sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT) ||
            (keys ? sqlite3_bind_text(st, 3, keys[k], -1, SQLITE_TRANSIENT)
                  : sqlite3_bind_null(st, 3)) ||
            sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT) ||
            (ref ? sqlite3_bind_text(st, 5, ref, -1, SQLITE_TRANSIENT)
                 : sqlite3_bind_null(st, 5))) {
            rc = store_sqlerr(s, e, "outbox");
            goto fail;
        }
        /* RETURNING rows are computed by the first step: adding audit rows meanwhile is
         * safe. */
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            struct audit_entry a = {.at = time(NULL),
                                    .shop = shop,
                                    .kind = kind,
                                    .key = (const char *)sqlite3_column_text(st, 0),
                                    .attempt = sqlite3_column_int(st, 1),
                                    .result = "confirmed",
                                    .detail = (const char *)sqlite3_column_text(st, 2)};
            if ((rc = audit_add(s, &a, e)) < 0)
                goto fail;
            n++;
        }
        if (step != SQLITE_DONE) {
            rc = store_sqlerr(s, e, "outbox");
            goto fail;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if ((rc = store_commit(s, e)) < 0)
        goto fail;
    if (confirmed)
        *confirmed = n;
    return 0;
fail:
    sqlite3_finalize(st);
    store_rollback(s);
    return rc;
}

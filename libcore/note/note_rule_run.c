/* note_rule_run: `qs note run` (R-NOTE-9). One pass over the stored order lines records
 * each enabled rule's matches in note_fire -- at most once per rule and order, its
 * primary key -- and then releases held firings oldest first within the shop's daily
 * cap, queueing their notes in the outbox; all in one write transaction, so two runs at
 * once never fire twice. Then the due notes are delivered. */
#include "note.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "note_int.h"
#include "../settings.h"
#include "../shop.h"
#include "../tm.h"
#include "../xalloc.h"

#define RULE "R-NOTE-9"

struct held {
    char *rule, *order_no, *trigger_at, *held_at, *last_run;
};

static int set_state(struct eng *g, const struct held *h, const char *state, const char *key,
                     const char *reason)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(store_db(g->s),
                           "UPDATE note_fire SET state = ?4, key = ?5, reason = ?6,"
                           " released_at = CASE WHEN ?4 = 'queued' THEN ?7 ELSE released_at END"
                           " WHERE shop = ?1 AND rule = ?2 AND order_no = ?3",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, g->o->shop, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 2, h->rule, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 3, h->order_no, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 4, state, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 5, key, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 6, reason, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 7, g->now_iso, -1, SQLITE_STATIC) || sqlite3_step(st) != SQLITE_DONE)
        rc = store_sqlerr(g->s, g->e, "note_fire");
    sqlite3_finalize(st);
    return rc;
}

/* Records a settled firing; note run tells them all once the notes are delivered, so a
 * queued note's row shows what became of it, not "queued". */
static int tell(struct eng *g, const struct held *h, const char *result, const char *msg,
                const char *key)
{
    if (!g->fn)
        return 0;
    if (g->ntold == g->captold)
        g->told =
            xrealloc(g->told, (g->captold = g->captold ? 2 * g->captold : 64) * sizeof *g->told);
    g->told[g->ntold++] = (struct told){result, xstrdup(h->rule), xstrdup(h->order_no),
                                        xstrdup(msg ? msg : ""), key ? xstrdup(key) : NULL};
    return 0;
}

static void on_sent(const struct outbox_item *it, enum deliver_status status, const char *ref,
                    const char *error, void *ctx)
{
    struct eng *g = ctx;
    (void)ref;
    if (g->nsent == g->capsent)
        g->sent =
            xrealloc(g->sent, (g->capsent = g->capsent ? 2 * g->capsent : 64) * sizeof *g->sent);
    g->sent[g->nsent] =
        (struct sent){xstrdup(it->key), error ? xstrdup(error) : NULL, status, g->nsent};
    g->nsent++;
}

/* Issue 8 item 22: a released firing's row shows its note's delivery, as note send's do. */
static int sent_cmp(const void *a, const void *b)
{
    const struct sent *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* The last outcome of key among the sorted g->sent, or NULL: O(log n) per firing. */
static const struct sent *sent_find(const struct eng *g, const char *key)
{
    size_t lo = 0, hi = g->nsent;
    while (lo < hi) { /* the first entry after every one whose key is <= key */
        size_t mid = (lo + hi) / 2;
        if (strcmp(g->sent[mid].key, key) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo && strcmp(g->sent[lo - 1].key, key) == 0 ? &g->sent[lo - 1] : NULL;
}

static void told_outcome(const struct eng *g, const struct told *t, const char **result,
                         const char **msg)
{
    const struct sent *o = sent_find(g, t->key);
    *result = "queued";
    *msg = "not delivered by this run (another qs run holds it); the next run delivers it";
    if (!o)
        return;
    switch (o->status) {
    case DELIVER_OK:
        *result = "sent", *msg = t->key;
        break;
    case DELIVER_HANDED_OFF:
        *result = "handed-off";
        *msg = "in the hand-off folder for QSM's batch note form; qs note confirm once sent there";
        break;
    case DELIVER_FAILED:
        *result = "failed", *msg = o->error ? o->error : "refused";
        break;
    default:
        *result = "retry";
        *msg = o->error ? o->error : "not answered; the next run retries it";
        break;
    }
}

static int tell_all(struct eng *g)
{
    int rc = 0;
    if (g->nsent)
        qsort(g->sent, g->nsent, sizeof *g->sent, sent_cmp);
    for (size_t i = 0; i < g->ntold && rc == 0; i++) {
        const struct told *t = &g->told[i];
        struct note_fired f = {t->rule, t->order_no, t->result, t->message};
        if (t->key)
            told_outcome(g, t, &f.result, &f.message);
        rc = g->fn(&f, g->ctx);
    }
    return rc;
}

/* Renders and queues one firing; a note that fails its checks is settled failed. */
static int release(struct eng *g, struct erule *x, const struct held *h)
{
    const struct cand *c = nrr_cand_find(g, h->order_no);
    struct sync_line l = {0};
    struct note_vars v;
    struct qs_err le;
    char *title = NULL, *body = NULL, *key = NULL, msg[1200];
    int rc;

    err_clear(&le);
    if (x->msg_rc < 0) {
        snprintf(msg, sizeof msg, "%s", x->msg_err);
        goto failed;
    }
    l.order_no = c->order_no, l.buyer = c->buyer, l.tracking = c->tracking;
    l.carrier = c->carrier, l.order_date = c->order_date, l.title = c->title, l.total = c->total;
    note_vars_line(&v, &l, g->o->tz);
    if (note_render(x->m.title, &v, &title, &le) < 0 ||
        note_render(x->m.body, &v, &body, &le) < 0 || note_check_title(title, &le) < 0 ||
        note_check_text("body", body, NOTE_BODY_MAX, 0, &le) < 0 ||
        note_guard("title", title, &le) < 0 || note_guard("body", body, &le) < 0) {
        snprintf(msg, sizeof msg, "%s (%s)", le.msg, le.rule);
        goto failed;
    }
    key = xasprintf("%s:%s:rule:%s", g->o->shop, h->order_no, h->rule);
    if ((rc = note_enqueue_line(g->s, g->o->shop, key, &x->m, title, body, h->order_no, h->rule,
                                time(NULL), NULL, g->e)) < 0 ||
        (rc = set_state(g, h, "queued", key, NULL)) < 0)
        goto out;
    g->st->queued++;
    rc = tell(g, h, "queued", key, key);
    goto out;
failed:
    g->st->failed++;
    if ((rc = set_state(g, h, "failed", NULL, msg)) == 0)
        rc = tell(g, h, "failed", msg, NULL);
out:
    free(title);
    free(body);
    free(key);
    return rc;
}

static char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    return xstrdup(v ? (const char *)v : "");
}

/* The start of o->now's day in the shop's zone, as UTC ISO. */
static void day_start(const struct note_run_opts *o, char *buf, size_t size)
{
    char local[64];
    int y, m, d;
    time_t t = o->now;
    struct qs_err ignore;
    if (tm_format(o->now, o->tz, 0, local, sizeof local) == 0 &&
        sscanf(local, "%d-%d-%d", &y, &m, &d) == 3)
        tm_from_local(y, m, d, 0, 0, 0, o->tz, &t, &ignore);
    tm_utc_iso(t, buf, size);
}

static int count_today(struct eng *g, const char *start, long *n)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(store_db(g->s),
                           "SELECT count(*) FROM note_fire WHERE shop = ?1 AND state = 'queued'"
                           " AND released_at >= ?2",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, g->o->shop, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 2, start, -1, SQLITE_STATIC) || sqlite3_step(st) != SQLITE_ROW)
        rc = store_sqlerr(g->s, g->e, "note_fire");
    else
        *n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

/* Releases held firings oldest first (FIFO) within the daily cap. */
static int release_all(struct eng *g, long cap)
{
    sqlite3_stmt *st = NULL;
    struct held *h = NULL;
    size_t n = 0, capn = 0;
    char start[32], msg[256];
    long today = 0, left;
    int rc = 0, step;

    day_start(g->o, start, sizeof start);
    if (cap > 0 && (rc = count_today(g, start, &today)) < 0)
        return rc;
    left = cap > 0 ? (cap > today ? cap - today : 0) : -1;
    if (sqlite3_prepare_v2(store_db(g->s),
                           "SELECT rule, order_no, trigger_at, held_at, last_run FROM note_fire"
                           " WHERE shop = ?1 AND state = 'held'"
                           " ORDER BY trigger_at, held_at, order_no, rule",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, g->o->shop, -1, SQLITE_STATIC)) {
        rc = store_sqlerr(g->s, g->e, "note_fire");
        goto out;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == capn)
            h = xrealloc(h, (capn = capn ? 2 * capn : 64) * sizeof *h);
        h[n++] = (struct held){col(st, 0), col(st, 1), col(st, 2), col(st, 3), col(st, 4)};
    }
    if (step != SQLITE_DONE)
        rc = store_sqlerr(g->s, g->e, "note_fire");
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct erule *x = nrr_rule_find(g, h[i].rule);
        const char *why = NULL;
        if (!x)
            why = "the rule is disabled";
        else if (strcmp(h[i].last_run, g->run_id) != 0)
            why = "the order no longer matches the rule";
        else if (strcmp(h[i].held_at, start) < 0 &&
                 g->o->now - nrr_iso(h[i].trigger_at) > x->r.max_age * 86400L) {
            snprintf(msg, sizeof msg,
                     "held by the daily cap longer than the rule's max age of %ld day%s",
                     x->r.max_age, x->r.max_age == 1 ? "" : "s");
            why = msg;
        }
        if (why) {
            g->st->dropped++;
            if ((rc = set_state(g, &h[i], "dropped", NULL, why)) == 0)
                rc = tell(g, &h[i], "dropped", why, NULL);
        } else if (left != 0) {
            rc = release(g, x, &h[i]);
            if (left > 0)
                left--;
        } else {
            g->st->held++;
            snprintf(msg, sizeof msg, "the daily cap of %ld is reached; held for the next day",
                     cap);
            rc = tell(g, &h[i], "held", msg, NULL);
        }
    }
out:
    sqlite3_finalize(st);
    for (size_t i = 0; i < n; i++) {
        free(h[i].rule);
        free(h[i].order_no);
        free(h[i].trigger_at);
        free(h[i].held_at);
        free(h[i].last_run);
    }
    free(h);
    return rc;
}

/* R-NOTE-5, R-NOTE-11: what the delivery cannot carry is refused before anything fires. */
static int check_delivery(struct eng *g, struct qs_err *e)
{
    enum deliver_type dt;
    int rc = note_delivery_type(g->s, g->o->shop, g->o->delivery, &dt, e);
    for (size_t i = 0; i < g->nrules && rc == 0; i++) {
        struct erule *x = &g->rules[i];
        if (x->r.kind == NOTE_R_UNPAID && dt != DELIVER_HOOK)
            rc = err_set(e, QS_E_DATA, "R-NOTE-5",
                         "rule %s (unpaid) needs a hook: note delivery; disable it or set "
                         "deliver.note=hook:COMMAND",
                         x->r.name);
        else if (x->msg_rc == 0 && x->m.uses && dt == DELIVER_FILE)
            rc = err_set(e, QS_E_DATA, "R-NOTE-11",
                         "rule %s has placeholders: the file: hand-off cannot send notes that "
                         "vary per order; use a hook: delivery",
                         x->r.name);
    }
    return rc;
}

int note_run(struct store *s, const struct note_run_opts *o, note_fired_fn fn, void *ctx,
             struct note_run_stats *st, struct deliver_report *rep, struct qs_err *e)
{
    struct eng g = {.s = s, .o = o, .st = st, .fn = fn, .ctx = ctx, .e = e};
    char *hook = NULL;
    long cap = o->cap;
    int rc, own = 0, tracking = 0;

    memset(st, 0, sizeof *st);
    memset(rep, 0, sizeof *rep);
    rep->hook_status = -1;
    tm_utc_iso(o->now, g.now_iso, sizeof g.now_iso);
    snprintf(g.run_id, sizeof g.run_id, "%s/%ld/%ld", g.now_iso, (long)getpid(), (long)time(NULL));
    if ((rc = note_rule_each(s, o->shop, nrr_load_rule, &g, e)) < 0)
        goto out;
    for (size_t i = 0; i < g.nrules; i++) {
        struct erule *x = &g.rules[i];
        struct qs_err me;
        err_clear(&me);
        if ((x->msg_rc = note_rule_msg(s, o->shop, &x->r, &x->m, &me)) < 0)
            snprintf(x->msg_err, sizeof x->msg_err, "%s (%s)", me.msg, me.rule);
        else
            note_msg_check(&x->m, 1, &me); /* fills uses; the texts were checked at add */
        tracking |= note_rule_kind_tracking(x->r.kind);
    }
    if (g.nrules && (rc = check_delivery(&g, e)) < 0)
        goto out;
    if (cap < 0 && (rc = settings_long(s, o->shop, "note.daily_cap", &cap, e)) < 0)
        goto out;
    hook = o->tracking_hook ? xstrdup(o->tracking_hook) : NULL;
    if (!hook && (rc = settings_string(s, o->shop, "note.tracking_hook", &hook, e)) < 0)
        goto out;
    if (tracking && hook && *hook && !o->dry_run &&
        (rc = note_track_refresh(s, o->shop, hook, o->now, o->prog, &st->events, e)) < 0)
        goto out;
    if ((rc = note_track_load(s, o->shop, &g.tr, e)) < 0)
        goto out;
    if (sqlite3_get_autocommit(store_db(s))) {
        if ((rc = store_begin(s, e)) < 0)
            goto out;
        own = 1;
    }
    if (sqlite3_prepare_v2(store_db(s),
                           "INSERT OR IGNORE INTO note_fire(shop, rule, order_no, trigger_at,"
                           " state, held_at, last_run) VALUES (?1, ?2, ?3, ?4, 'held', ?5, ?6)",
                           -1, &g.ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(store_db(s),
                           "UPDATE note_fire SET last_run = ?4 WHERE shop = ?1 AND rule = ?2 AND"
                           " order_no = ?3",
                           -1, &g.touch, NULL) != SQLITE_OK ||
        sqlite3_bind_text(g.ins, 1, o->shop, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(g.ins, 5, g.now_iso, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(g.ins, 6, g.run_id, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(g.touch, 1, o->shop, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(g.touch, 4, g.run_id, -1, SQLITE_STATIC)) {
        rc = store_sqlerr(s, e, "note_fire");
        goto tx;
    }
    if (g.nrules && (rc = sync_lines_each(s, o->shop, 0, 0, nrr_pass_line, &g, e)) != 0)
        goto tx;
    if (g.nc)
        qsort(g.c, g.nc, sizeof *g.c, nrr_cand_cmp);
    rc = release_all(&g, cap);
tx:
    sqlite3_finalize(g.ins);
    sqlite3_finalize(g.touch);
    g.ins = g.touch = NULL;
    if (own) {
        if (rc == 0)
            rc = store_commit(s, e);
        else
            store_rollback(s);
    }
    if (rc == 0) {
        struct deliver_opts d = {
            .delivery = o->delivery,
            .retry_failed = o->retry_failed,
            .dry_run = o->dry_run,
            .timeout_ms = o->timeout_ms,
            .columns = note_file_columns,
            .ncolumns = NOTE_FILE_NCOLUMNS,
            .shared = note_file_shared,
            .nshared = NOTE_FILE_NSHARED,
            .chunk = NOTE_BATCH,
            .on_result = on_sent,
            .result_ctx = &g,
            .prog = o->prog,
        };
        rc = deliver_run(s, o->shop, NOTE_KIND, &d, rep, e);
        /* The firings are settled even when the delivery could not run: tell them. */
        int trc = g.fn ? tell_all(&g) : 0;
        if (rc == 0)
            rc = trc;
    }
out:
    for (size_t i = 0; i < g.nrules; i++) {
        note_rule_clear(&g.rules[i].r);
        note_msg_clear(&g.rules[i].m);
    }
    for (size_t i = 0; i < g.nc; i++) {
        free(g.c[i].order_no);
        free(g.c[i].buyer);
        free(g.c[i].tracking);
        free(g.c[i].carrier);
        free(g.c[i].order_date);
        free(g.c[i].title);
    }
    for (size_t i = 0; i < g.ntold; i++) {
        free(g.told[i].rule);
        free(g.told[i].order_no);
        free(g.told[i].message);
        free(g.told[i].key);
    }
    for (size_t i = 0; i < g.nsent; i++) {
        free(g.sent[i].key);
        free(g.sent[i].error);
    }
    free(g.told);
    free(g.sent);
    free(g.c);
    free(g.rules);
    free(hook);
    note_track_free(g.tr);
    return rc;
}

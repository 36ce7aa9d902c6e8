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
    const struct told t = {result, h->rule, h->order_no, msg ? msg : "", key};
    return g->fn ? nrr_told_add(g->rr, &t, g->e) : 0;
}

static void on_sent(const struct outbox_item *it, enum deliver_status status, const char *ref,
                    const char *error, void *ctx)
{
    struct eng *g = ctx;
    int rc;
    if (g->out_rc == 0 &&
        (rc = note_rows_out_add(g->out, it->key, "", ref, error, status, &g->out_err)) < 0)
        g->out_rc = rc;
}

/* Issue 8 item 22: a released firing's row shows its note's delivery, as note send's do
 * (the last outcome of its key). */
static void told_outcome(const struct note_outcome *o, int found, const char **result,
                         const char **msg, const char *key)
{
    *result = "queued";
    *msg = "not delivered by this run (another qs run holds it); the next run delivers it";
    if (!found)
        return;
    switch (o->status) {
    case DELIVER_OK:
        *result = "sent", *msg = key;
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

static int tell_one(const struct told *t, void *ctx);

/* Tells every settled firing; rc is the delivery's. In one transaction of the TEMP tables
 * alone (the caller's rows may go to one too): one per row was a fifth of a run. */
static int tell_all(struct eng *g, int rc)
{
    struct qs_err te;
    int trc = store_exec(g->s, "SAVEPOINT note_tell", rc == 0 ? g->e : &te);
    if (trc == 0) {
        int rrc;
        trc = nrr_told_each(g->rr, tell_one, g, rc == 0 ? g->e : &te);
        if ((rrc = store_exec(g->s, "RELEASE note_tell", &te)) < 0) {
            store_exec(g->s, "ROLLBACK TO note_tell; RELEASE note_tell", NULL);
            if (trc == 0 && rc == 0 && g->e)
                *g->e = te;
            trc = trc ? trc : rrc;
        }
    }
    return rc < 0 ? rc : trc;
}

static int tell_one(const struct told *t, void *ctx)
{
    struct eng *g = ctx;
    struct note_fired f = {t->rule, t->order_no, t->result, t->message};
    struct note_outcome o = {0};
    int rc = 0;
    if (t->key && (rc = note_rows_out_get(g->out, t->key, &o, g->e)) >= 0)
        told_outcome(&o, rc, &f.result, &f.message, t->key);
    if (rc >= 0)
        rc = g->fn(&f, g->ctx);
    note_outcome_clear(&o);
    return rc;
}

/* Renders and queues one firing; a note that fails its checks is settled failed. */
static int release(struct eng *g, struct erule *x, const struct held *h)
{
    struct cand c = {0};
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
    /* last_run is this run's: the pass kept the order's values */
    if ((rc = nrr_cand_get(g->rr, h->order_no, &c, g->e)) <= 0) {
        if (rc == 0)
            rc = err_set(g->e, QS_E_SOFTWARE, NULL, "note run: order %s matched, not kept",
                         h->order_no);
        goto out;
    }
    l.order_no = c.order_no, l.buyer = c.buyer, l.tracking = c.tracking;
    l.carrier = c.carrier, l.order_date = c.order_date, l.title = c.title, l.total = c.total;
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
    nrr_cand_clear(&c);
    free(title);
    free(body);
    free(key);
    return rc;
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

struct rel {
    struct eng *g;
    long cap, left; /* left: releases the cap still allows, -1 for no cap */
    char start[32]; /* the start of the day, UTC ISO */
};

/* One held firing: dropped, released, or held again. */
static int release_one(const struct held *h, void *ctx)
{
    struct rel *r = ctx;
    struct eng *g = r->g;
    struct erule *x = nrr_rule_find(g, h->rule);
    const char *why = NULL;
    char msg[256];
    int rc;

    if (!x)
        why = "the rule is disabled";
    else if (strcmp(h->last_run, g->run_id) != 0)
        why = "the order no longer matches the rule";
    else if (strcmp(h->held_at, r->start) < 0 &&
             g->o->now - nrr_iso(h->trigger_at) > x->r.max_age * 86400L) {
        snprintf(msg, sizeof msg,
                 "held by the daily cap longer than the rule's max age of %ld day%s", x->r.max_age,
                 x->r.max_age == 1 ? "" : "s");
        why = msg;
    }
    if (why) {
        g->st->dropped++;
        if ((rc = set_state(g, h, "dropped", NULL, why)) == 0)
            rc = tell(g, h, "dropped", why, NULL);
    } else if (r->left != 0) {
        rc = release(g, x, h);
        if (r->left > 0)
            r->left--;
    } else {
        g->st->held++;
        snprintf(msg, sizeof msg, "the daily cap of %ld is reached; held for the next day", r->cap);
        rc = tell(g, h, "held", msg, NULL);
    }
    return rc;
}

/* Releases held firings oldest first (FIFO) within the daily cap. They are copied first
 * (nrr_held_fill): each changes note_fire. */
static int release_all(struct eng *g, long cap)
{
    struct rel r = {.g = g, .cap = cap};
    long today = 0;
    int rc;

    day_start(g->o, r.start, sizeof r.start);
    if (cap > 0 && (rc = count_today(g, r.start, &today)) < 0)
        return rc;
    r.left = cap > 0 ? (cap > today ? cap - today : 0) : -1;
    if ((rc = nrr_held_fill(g->rr, g->o->shop, g->e)) < 0)
        return rc;
    return nrr_held_each(g->rr, release_one, &r, g->e);
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
    if ((rc = note_track_load(s, o->shop, &g.tr, e)) < 0 || (rc = nrr_rows_open(s, &g.rr, e)) < 0 ||
        (rc = note_rows_open(s, &g.out, e)) < 0)
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
        if (rc == 0 && g.out_rc < 0) {
            rc = g.out_rc;
            if (e)
                *e = g.out_err;
        }
        /* The firings are settled even when the delivery could not run: tell them. */
        if (g.fn)
            rc = tell_all(&g, rc);
    }
out:
    for (size_t i = 0; i < g.nrules; i++) {
        note_rule_clear(&g.rules[i].r);
        note_msg_clear(&g.rules[i].m);
    }
    nrr_rows_close(g.rr);
    note_rows_close(g.out);
    free(g.rules);
    free(hook);
    note_track_free(g.tr);
    return rc;
}

/* note: sending notes to buyers, one or a batch (R-NOTE-1..7, R-NOTE-11). A send is
 * planned against the store (known, paid order lines; the note rendered and checked per
 * order), written into the outbox under its idempotency key in one transaction, and
 * delivered by the shop's note delivery -- hook: or file:, as the QAPI has no method for
 * notes -- through deliver_run. A note's content and its outbox line are in
 * note_msg.c. */
#include "note_int.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tm.h"
#include "../xalloc.h"

/* ---- planning ---------------------------------------------------------------------- */

/* The plan and the outcomes are rows of TEMP tables (note_rows.c): nothing per order is
 * held in memory (SPEC 8). */
struct note_send {
    struct store *s;
    struct note_send_opts o;
    const struct note_msg *m;
    enum deliver_type dtype;
    struct note_rows *rows;
    long nrows;         /* rows of the plan */
    long nall, nqueued; /* note_send_count, once planned */
    struct qs_err *e;
    const struct note_filter *f;
    int rc; /* the first failure to record an outcome (on_result) */
};

static void pre(struct note_pline *l, const char *result, const struct qs_err *e)
{
    char buf[1200];
    free(l->pre);
    l->pre = xstrdup(result);
    free(l->pre_msg);
    if (e && e->rule[0])
        snprintf(buf, sizeof buf, "%s (%s)", e->msg, e->rule);
    else
        snprintf(buf, sizeof buf, "%s", e ? e->msg : "");
    l->pre_msg = xstrdup(buf);
}

static int filter_match(const struct note_filter *f, const struct sync_line *l)
{
    unsigned mask = f->status_mask ? f->status_mask : 0x3c; /* paid: 2-5 */
    time_t t;
    if (!((mask >> l->status) & 1))
        return 0;
    if (f->item && strcmp(f->item, l->item_code) != 0 && strcmp(f->item, l->seller_code) != 0)
        return 0;
    if (f->have_ship_by &&
        (!*l->ship_by || tm_parse_utc_iso(l->ship_by, &t) < 0 || t >= f->ship_by_before))
        return 0;
    return 1;
}

/* R-NOTE-5: paid (status 2-5) and no completed cancel. */
static int paid_check(const struct sync_line *l, struct qs_err *e)
{
    if (l->claim == 3 || l->claim == 16)
        return err_set(e, QS_E_DATA, "R-NOTE-5", "the order is cancelled");
    if (l->status < 2 || l->status > 5)
        return err_set(e, QS_E_DATA, "R-NOTE-5", "the order is %s: notes go only to paid orders",
                       *sync_status_name(l->status) ? sync_status_name(l->status) : "unknown");
    return 0;
}

/* Renders and checks the note for one order (R-NOTE-3, R-NOTE-4, R-NOTE-8). */
static void prepare(struct note_send *p, struct note_pline *pl, const struct sync_line *l)
{
    struct note_vars v;
    struct qs_err le;
    int rc;

    err_clear(&le);
    pl->found = 1;
    if (paid_check(l, &le) < 0) {
        pre(pl, "failed", &le);
        return;
    }
    note_vars_line(&v, l, p->o.tz);
    free(pl->title);
    free(pl->body);
    pl->title = pl->body = NULL;
    if ((rc = note_render(p->m->title, &v, &pl->title, &le)) < 0 ||
        (rc = note_render(p->m->body, &v, &pl->body, &le)) < 0 ||
        (rc = note_check_title(pl->title, &le)) < 0 ||
        (rc = note_check_text("body", pl->body, NOTE_BODY_MAX, 0, &le)) < 0 ||
        (!p->o.allow_personal && ((rc = note_guard("title", pl->title, &le)) < 0 ||
                                  (rc = note_guard("body", pl->body, &le)) < 0)))
        pre(pl, "failed", &le);
}

/* A line of the store: rendered when its order is planned, or planned when the filter
 * selects it. */
static int pass_line(const struct sync_line *l, void *ctx)
{
    struct note_send *p = ctx;
    struct note_pline pl = {0};
    int rc = note_rows_get(p->rows, l->order_no, &pl, p->e);
    if (rc == 0 && p->f && filter_match(p->f, l)) {
        if ((rc = note_rows_add(p->rows, l->order_no, 0, p->e)) > 0) {
            p->nrows++;
            rc = note_rows_get(p->rows, l->order_no, &pl, p->e);
        }
    }
    if (rc > 0) {
        prepare(p, &pl, l);
        rc = note_rows_put(p->rows, &pl, p->e);
    }
    note_pline_clear(&pl);
    return rc < 0 ? rc : 0;
}

/* The outbox item of key, read through the outbox's unique index (SPEC 8: flat memory,
 * nothing of the note outbox's history is held): 1 and *it (outbox_items_free(*it, 1));
 * 0 (*it NULL); or a QS_E_* code. */
static int box_get(const struct note_send *p, const char *key, struct outbox_item **it,
                   struct qs_err *e)
{
    return outbox_get(p->s, p->o.shop, NOTE_KIND, key, it, e);
}

/* R-NOTE-7: the key of an order's note: its base key, or -- with --resend, once that was
 * delivered -- the next revision "BASE#N". A delivered note without --resend is settled
 * as already sent. */
static int choose_key(struct note_send *p, struct note_pline *l, struct qs_err *e)
{
    char *base = note_key(p->o.shop, l->order_no, p->m->title, p->m->body), *k;
    struct outbox_item *cur = NULL, *next = NULL;
    int rev = 1, rc = box_get(p, base, &cur, e);
    for (int r = 2; rc > 0; r++) {
        k = xasprintf("%s#%d", base, r);
        rc = box_get(p, k, &next, e);
        free(k);
        if (rc <= 0)
            break;
        outbox_items_free(cur, 1);
        cur = next;
        rev = r;
    }
    if (rc < 0)
        goto out;
    rc = 0;
    if (cur && (cur->state == OUTBOX_DONE || cur->state == OUTBOX_HANDED_OFF)) {
        if (p->o.resend) {
            l->key = xasprintf("%s#%d", base, rev + 1);
        } else {
            struct qs_err le;
            err_clear(&le);
            l->key = xstrdup(cur->key);
            if (cur->state == OUTBOX_DONE)
                err_set(&le, 0, NULL, "already sent (%s); --resend sends it again",
                        cur->ref && *cur->ref ? cur->ref : "no ref");
            else
                err_set(&le, 0, NULL, "already handed off to %s", cur->ref ? cur->ref : "?");
            pre(l, cur->state == OUTBOX_DONE ? "ok" : "handed-off", &le);
        }
    } else {
        l->key = xstrdup(cur ? cur->key : base);
    }
out:
    outbox_items_free(cur, 1);
    free(base);
    return rc;
}

static int plan(struct note_send *p, const struct note_req *reqs, size_t n, struct qs_err *e);

int note_send_plan(struct store *s, const struct note_send_opts *o, const struct note_msg *m,
                   const struct note_req *reqs, size_t n, const struct note_filter *f,
                   struct note_send **out, struct qs_err *e)
{
    struct note_send *p = xcalloc(1, sizeof *p);
    int rc, own, c;

    *out = p;
    p->s = s;
    p->o = *o;
    p->m = m;
    p->f = f;
    p->e = e;
    if ((rc = note_delivery_type(s, o->shop, o->delivery, &p->dtype, e)) < 0)
        return rc;
    /* R-NOTE-11: QSM's batch form sends one text to a list of orders. */
    if (p->dtype == DELIVER_FILE && m->uses)
        return err_set(e, QS_E_DATA, "R-NOTE-11",
                       "this note has placeholders, so its text varies per order; the file: "
                       "hand-off (QSM's batch form) cannot send that: use a hook: delivery");
    if ((rc = note_rows_open(s, &p->rows, e)) < 0)
        return rc;
    /* One read transaction for the pass (unless the caller holds one): one snapshot, and
     * one commit of the plan's TEMP table instead of one per order. */
    own = sqlite3_get_autocommit(store_db(s));
    if (own && (rc = store_exec(s, "BEGIN", e)) < 0)
        return rc;
    rc = plan(p, reqs, n, e);
    if (own && rc < 0)
        store_rollback(s);
    else if (own && (c = store_commit(s, e)) < 0)
        rc = c;
    return rc;
}

static int plan(struct note_send *p, const struct note_req *reqs, size_t n, struct qs_err *e)
{
    const struct note_msg *m = p->m;
    int rc = 0;

    /* The same order twice in the input: noted once. */
    for (size_t i = 0; i < n && rc >= 0; i++)
        if ((rc = note_rows_add(p->rows, reqs[i].order_no, reqs[i].line, e)) > 0)
            p->nrows++;
    long listed = p->nrows;
    if (rc < 0 || (rc = sync_lines_each(p->s, p->o.shop, 0, 0, pass_line, p, e)) < 0)
        return rc;
    /* R-NOTE-1: the help-centre channel exists only for single notes (an order listed
     * twice is two). */
    if (m->help && (long)n + (p->nrows - listed) > 1)
        return err_set(e, QS_E_USAGE, "R-NOTE-1",
                       "batch notes always go to the buyer; --help-centre takes one --order");
    for (long seq = 1; seq <= p->nrows && rc >= 0; seq++) {
        struct note_pline l = {0};
        if ((rc = note_rows_at(p->rows, seq, &l, e)) > 0 && !l.pre) {
            if (!l.found) {
                struct qs_err le;
                err_set(&le, QS_E_DATA, "R-NOTE-5", "unknown order %s; run qs sync orders first",
                        l.order_no);
                pre(&l, "failed", &le);
                rc = 0;
            } else {
                rc = choose_key(p, &l, e);
            }
            if (rc >= 0)
                rc = note_rows_put(p->rows, &l, e);
        }
        note_pline_clear(&l);
    }
    if (rc >= 0)
        rc = note_rows_count(p->rows, &p->nall, &p->nqueued, e);
    return rc < 0 ? rc : 0;
}

size_t note_send_count(const struct note_send *p, size_t *queued)
{
    if (queued)
        *queued = (size_t)p->nqueued;
    return (size_t)p->nall;
}

static int enqueue_line(const struct note_pline *l, void *ctx)
{
    struct note_send *p = ctx;
    return note_enqueue_line(p->s, p->o.shop, l->key, p->m, l->title, l->body, l->order_no, "",
                             p->o.now, NULL, p->e);
}

int note_send_enqueue(struct note_send *p, struct qs_err *e)
{
    int rc, own = 0;
    if (sqlite3_get_autocommit(store_db(p->s))) {
        if ((rc = store_begin(p->s, e)) < 0)
            return rc;
        own = 1;
    }
    p->e = e;
    rc = note_rows_each(p->rows, 1, enqueue_line, p, e);
    if (own) {
        if (rc == 0)
            return store_commit(p->s, e);
        store_rollback(p->s);
    }
    return rc;
}

/* ---- delivering and reporting ------------------------------------------------------ */

static void on_result(const struct outbox_item *it, enum deliver_status status, const char *ref,
                      const char *error, void *ctx)
{
    struct note_send *p = ctx;
    json_t *pl = json_loads(it->payload ? it->payload : "{}", 0, NULL);
    const char *no = json_string_value(json_object_get(pl, "order_no"));
    struct qs_err e;
    err_clear(&e);
    if (note_rows_out_add(p->rows, it->key, no ? no : "", ref, error, status, &e) < 0 && !p->rc)
        p->rc = e.code ? e.code : QS_E_IO;
    json_decref(pl);
}

const char *const note_file_columns[NOTE_FILE_NCOLUMNS] = {"order_no"};
const char *const note_file_shared[NOTE_FILE_NSHARED] = {"category", "title", "body", "email"};

struct hold {
    struct note_send *p;
    int held;
};

static int hold_line(const struct note_pline *l, void *ctx)
{
    struct hold *h = ctx;
    struct outbox_item *it = NULL;
    int rc = box_get(h->p, l->key, &it, h->p->e);
    h->held = it && it->state == OUTBOX_CLAIMED;
    outbox_items_free(it, 1);
    return rc < 0 ? rc : h->held;
}

/* 1 while a planned note is held by another live run. */
static int others_hold(struct note_send *p, struct qs_err *e, int *rc)
{
    size_t counts[OUTBOX_NSTATES];
    struct hold h = {p, 0};
    if ((*rc = outbox_count(p->s, p->o.shop, NOTE_KIND, counts, e)) < 0 ||
        counts[OUTBOX_CLAIMED] == 0)
        return 0; /* the common case, without a read per planned note */
    p->e = e;
    if ((*rc = note_rows_each(p->rows, 1, hold_line, &h, e)) < 0)
        return 0;
    *rc = 0;
    return h.held;
}

int note_send_run(struct note_send *p, struct deliver_report *rep, struct qs_err *e)
{
    struct deliver_opts d = {
        .delivery = p->o.delivery,
        .batch = p->o.batch ? p->o.batch : NOTE_BATCH,
        .retry_failed = p->o.retry_failed,
        .resend_unknown = p->o.resend_unknown,
        .dry_run = p->o.dry_run,
        .timeout_ms = p->o.timeout_ms,
        .columns = note_file_columns,
        .ncolumns = NOTE_FILE_NCOLUMNS,
        .shared = note_file_shared,
        .nshared = NOTE_FILE_NSHARED,
        .chunk = p->o.batch ? p->o.batch : NOTE_BATCH, /* R-NOTE-6 applies to each list */
        .on_result = on_result,
        .result_ctx = p,
        .prog = p->o.prog,
    };
    struct deliver_report more;
    int rc = deliver_run(p->s, p->o.shop, NOTE_KIND, &d, rep, e);

    if (rc == 0 && p->rc < 0)
        rc = err_set(e, p->rc, NULL, "note send: could not record an outcome of this run");
    if (rc < 0 || p->o.dry_run)
        return rc;
    /* Two runs at once: the other one's claims are settled by it (or, when it died, by
     * the recovery of a later deliver_run here). */
    d.retry_failed = d.resend_unknown = 0;
    for (int waited = 0; waited < NOTE_WAIT_OTHERS_S * 4 && others_hold(p, e, &rc); waited++) {
        struct timespec ts = {0, 250000000L};
        nanosleep(&ts, NULL);
        if (waited % 4 == 3) {
            if ((rc = deliver_run(p->s, p->o.shop, NOTE_KIND, &d, &more, e)) < 0)
                return rc;
            deliver_report_add(rep, &more);
        }
    }
    return rc;
}

static int report_one(struct note_send *p, const char *order_no, const char *key, note_result_fn fn,
                      void *ctx, struct note_send_stats *st, struct qs_err *e)
{
    struct outbox_item *it = NULL;
    struct note_outcome o = {0};
    struct note_result r = {order_no, "retry", key, "", "queued", 0};
    int oc = note_rows_out_get(p->rows, key, &o, e), rc;

    note_outcome_clear(&o);
    if (oc < 0 || (rc = box_get(p, key, &it, e)) < 0)
        return oc < 0 ? oc : rc;

    if (it) {
        r.ref = it->ref ? it->ref : "";
        switch (it->state) {
        case OUTBOX_DONE:
            r.result = "ok";
            r.message = oc ? "sent" : "sent before";
            r.already = !oc;
            break;
        case OUTBOX_HANDED_OFF:
            r.result = "handed-off";
            r.message = "in the hand-off folder for QSM's batch note form; qs note confirm "
                        "once sent there";
            break;
        case OUTBOX_FAILED:
            r.result = "failed";
            r.message = it->last_error ? it->last_error : "refused";
            break;
        case OUTBOX_UNKNOWN:
            r.result = "unknown";
            r.message = "in flight when its run died; --resend-unknown sends it again";
            break;
        case OUTBOX_CLAIMED:
            r.message = "being sent by another qs run";
            break;
        default:
            r.message = it->last_error ? it->last_error : "queued";
        }
    }
    if (strcmp(r.result, "ok") == 0)
        st->sent++;
    else if (strcmp(r.result, "failed") == 0)
        st->failed++;
    else if (strcmp(r.result, "unknown") == 0)
        st->unknown++;
    else if (strcmp(r.result, "handed-off") == 0)
        st->handed_off++;
    else
        st->retry++;
    rc = fn(&r, ctx);
    outbox_items_free(it, 1);
    return rc;
}

struct rep {
    struct note_send *p;
    note_result_fn fn;
    void *ctx;
    struct note_send_stats *st;
    struct qs_err *e;
};

static int report_line(const struct note_pline *l, void *ctx)
{
    struct rep *x = ctx;
    struct note_send_stats *st = x->st;
    int rc;
    if (!l->pre)
        return report_one(x->p, l->order_no, l->key, x->fn, x->ctx, st, x->e);
    /* Settled by the plan without a send ("already sent"). */
    struct note_result r = {l->order_no,
                            l->pre,
                            l->key ? l->key : "",
                            "",
                            l->pre_msg ? l->pre_msg : "",
                            strcmp(l->pre, "ok") == 0};
    struct outbox_item *it = NULL;
    if (l->key && (rc = box_get(x->p, l->key, &it, x->e)) < 0)
        return rc;
    if (it && it->ref)
        r.ref = it->ref;
    if (strcmp(l->pre, "ok") == 0)
        st->sent++;
    else if (strcmp(l->pre, "handed-off") == 0)
        st->handed_off++;
    else
        st->failed++;
    rc = x->fn(&r, x->ctx);
    outbox_items_free(it, 1);
    return rc;
}

/* Notes of earlier runs (or rules) this run delivered too: an outcome (each key's last)
 * whose key is no note of this run's plan that was queued. */
static int report_out(const struct note_outcome *o, void *ctx)
{
    struct rep *x = ctx;
    int rc = note_rows_planned_key(x->p->rows, o->key, x->e);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    return report_one(x->p, o->order_no, o->key, x->fn, x->ctx, x->st, x->e);
}

static int report(struct note_send *p, note_result_fn fn, void *ctx, struct note_send_stats *st,
                  struct qs_err *e)
{
    struct rep x = {p, fn, ctx, st, e};
    int rc = note_rows_each(p->rows, 0, report_line, &x, e);
    if (rc == 0)
        rc = note_rows_out_each(p->rows, report_out, &x, e);
    return rc;
}

int note_send_report(struct note_send *p, note_result_fn fn, void *ctx, struct note_send_stats *st,
                     struct qs_err *e)
{
    /* One read transaction for the pass (unless the caller holds one): one snapshot of
     * the outbox for every line, and one lock instead of one per read. */
    int own = sqlite3_get_autocommit(store_db(p->s)), rc, c;
    memset(st, 0, sizeof *st);
    if (own && (rc = store_exec(p->s, "BEGIN", e)) < 0)
        return rc;
    rc = report(p, fn, ctx, st, e);
    if (own && rc < 0)
        store_rollback(p->s);
    else if (own && (c = store_commit(p->s, e)) < 0)
        rc = c;
    return rc;
}

void note_send_free(struct note_send *p)
{
    if (!p)
        return;
    note_rows_close(p->rows);
    free(p);
}

int note_confirm(struct store *s, const char *shop, const char *const *order_nos, size_t n,
                 const char *ref, size_t *confirmed, struct qs_err *e)
{
    struct outbox_item *items = NULL;
    size_t nitems = 0, nkeys = 0;
    const char **keys;
    int rc;

    if ((rc = outbox_list(s, shop, NOTE_KIND, OUTBOX_HANDED_OFF, &items, &nitems, e)) < 0)
        return rc;
    keys = xcalloc(nitems + 1, sizeof *keys);
    for (size_t i = 0; i < nitems; i++) {
        json_t *pl = json_loads(items[i].payload ? items[i].payload : "{}", 0, NULL);
        const char *no = json_string_value(json_object_get(pl, "order_no"));
        int want = !order_nos;
        for (size_t j = 0; j < n && !want && no; j++)
            want = strcmp(order_nos[j], no) == 0;
        if (want)
            keys[nkeys++] = items[i].key;
        json_decref(pl);
    }
    if (confirmed)
        *confirmed = 0;
    if (nkeys)
        rc = deliver_confirm(s, shop, NOTE_KIND, keys, nkeys, ref, confirmed, e);
    free(keys);
    outbox_items_free(items, nitems);
    return rc;
}

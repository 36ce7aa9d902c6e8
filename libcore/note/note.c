/* note: sending notes to buyers, one or a batch (R-NOTE-1..7, R-NOTE-11). A send is
 * planned against the store (known, paid order lines; the note rendered and checked per
 * order), written into the outbox under its idempotency key in one transaction, and
 * delivered by the shop's note delivery -- hook: or file:, as the QAPI has no method for
 * notes -- through deliver_run. A note's content and its outbox line are in
 * note_msg.c. */
#include "note.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../strmap.h"
#include "../tm.h"
#include "../xalloc.h"

/* ---- planning ---------------------------------------------------------------------- */

struct pline {
    char *order_no;
    long line;
    char *key, *title, *body; /* rendered; key NULL until chosen */
    const char *pre;          /* settled without a send: "ok", "failed", ... */
    char *pre_msg;
    int found;
};

/* What deliver_run told about an item of this run. */
struct outcome {
    char *key, *order_no, *ref, *error;
    enum deliver_status status;
};

struct note_send {
    struct store *s;
    struct note_send_opts o;
    const struct note_msg *m;
    enum deliver_type dtype;
    struct pline *l;
    size_t n, cap;
    size_t *idx; /* l by order number, for the pass over the store */
    struct outcome *out;
    size_t nout, capout;
    struct strmap outmap; /* key -> index of its last outcome (issue 16: linear report) */
    struct qs_err *e;
    const struct note_filter *f;
    int rc;
};

static struct pline *pline_add(struct note_send *p, const char *order_no, long line)
{
    if (p->n == p->cap)
        p->l = xrealloc(p->l, (p->cap = p->cap ? 2 * p->cap : 64) * sizeof *p->l);
    struct pline *l = &p->l[p->n++];
    memset(l, 0, sizeof *l);
    l->order_no = xstrdup(order_no);
    l->line = line;
    return l;
}

static void pre(struct pline *l, const char *result, const struct qs_err *e)
{
    char buf[1200];
    l->pre = result;
    free(l->pre_msg);
    if (e && e->rule[0])
        snprintf(buf, sizeof buf, "%s (%s)", e->msg, e->rule);
    else
        snprintf(buf, sizeof buf, "%s", e ? e->msg : "");
    l->pre_msg = xstrdup(buf);
}

static int idx_cmp(const void *a, const void *b, void *ctx)
{
    const struct note_send *p = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(p->l[x].order_no, p->l[y].order_no);
    return c ? c : (x > y) - (x < y); /* the first of a repeated order is kept */
}

static struct pline *find_req(struct note_send *p, size_t nidx, const char *order_no)
{
    size_t lo = 0, hi = nidx;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(p->l[p->idx[mid]].order_no, order_no);
        if (c == 0)
            return &p->l[p->idx[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
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
static void prepare(struct note_send *p, struct pline *pl, const struct sync_line *l)
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

struct pass {
    struct note_send *p;
    size_t nreq;
};

static int pass_line(const struct sync_line *l, void *ctx)
{
    struct pass *ps = ctx;
    struct note_send *p = ps->p;
    struct pline *pl = find_req(p, ps->nreq, l->order_no);
    if (pl) {
        prepare(p, pl, l);
    } else if (p->f && filter_match(p->f, l)) {
        size_t at = p->n;
        pline_add(p, l->order_no, 0);
        prepare(p, &p->l[at], l);
    }
    return 0;
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
static int choose_key(struct note_send *p, struct pline *l, struct qs_err *e)
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

int note_send_plan(struct store *s, const struct note_send_opts *o, const struct note_msg *m,
                   const struct note_req *reqs, size_t n, const struct note_filter *f,
                   struct note_send **out, struct qs_err *e)
{
    struct note_send *p = xcalloc(1, sizeof *p);
    struct pass ps = {p, 0};
    size_t nreq;
    int rc;

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
    for (size_t i = 0; i < n; i++)
        pline_add(p, reqs[i].order_no, reqs[i].line);
    /* The same order twice in the input: noted once. */
    p->idx = xcalloc(p->n + 1, sizeof *p->idx);
    for (size_t i = 0; i < p->n; i++)
        p->idx[i] = i;
    qsort_r(p->idx, p->n, sizeof *p->idx, idx_cmp, p);
    nreq = 0;
    for (size_t i = 0; i < p->n; i++)
        if (nreq == 0 || strcmp(p->l[p->idx[nreq - 1]].order_no, p->l[p->idx[i]].order_no) != 0)
            p->idx[nreq++] = p->idx[i];
        else
            p->l[p->idx[i]].pre = "dup";
    ps.nreq = nreq;
    if ((rc = sync_lines_each(s, o->shop, 0, 0, pass_line, &ps, e)) < 0)
        return rc;
    /* R-NOTE-1: the help-centre channel exists only for single notes. */
    if (m->help && p->n > 1)
        return err_set(e, QS_E_USAGE, "R-NOTE-1",
                       "batch notes always go to the buyer; --help-centre takes one --order");
    for (size_t i = 0; i < p->n; i++) {
        struct pline *l = &p->l[i];
        if (l->pre)
            continue;
        if (!l->found) {
            struct qs_err le;
            err_set(&le, QS_E_DATA, "R-NOTE-5", "unknown order %s; run qs sync orders first",
                    l->order_no);
            pre(l, "failed", &le);
            continue;
        }
        if ((rc = choose_key(p, l, e)) < 0)
            return rc;
    }
    return 0;
}

size_t note_send_count(const struct note_send *p, size_t *queued)
{
    size_t n = 0, q = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (p->l[i].pre && strcmp(p->l[i].pre, "dup") == 0)
            continue;
        n++;
        q += !p->l[i].pre;
    }
    if (queued)
        *queued = q;
    return n;
}

int note_send_enqueue(struct note_send *p, struct qs_err *e)
{
    int rc, own = 0;
    if (sqlite3_get_autocommit(store_db(p->s))) {
        if ((rc = store_begin(p->s, e)) < 0)
            return rc;
        own = 1;
    }
    rc = 0;
    for (size_t i = 0; i < p->n && rc == 0; i++) {
        struct pline *l = &p->l[i];
        if (!l->pre)
            rc = note_enqueue_line(p->s, p->o.shop, l->key, p->m, l->title, l->body, l->order_no,
                                   "", p->o.now, NULL, e);
    }
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
    if (p->nout == p->capout)
        p->out = xrealloc(p->out, (p->capout = p->capout ? 2 * p->capout : 64) * sizeof *p->out);
    strmap_put(&p->outmap, it->key, p->nout);
    p->out[p->nout++] =
        (struct outcome){xstrdup(it->key), xstrdup(no ? no : ""), ref ? xstrdup(ref) : NULL,
                         error ? xstrdup(error) : NULL, status};
    json_decref(pl);
}

/* The last outcome of key, or NULL. */
static const struct outcome *outcome_find(const struct note_send *p, const char *key)
{
    size_t i;
    return strmap_get(&p->outmap, key, &i) ? &p->out[i] : NULL;
}

const char *const note_file_columns[NOTE_FILE_NCOLUMNS] = {"order_no"};
const char *const note_file_shared[NOTE_FILE_NSHARED] = {"category", "title", "body", "email"};

/* 1 while a planned note is held by another live run. */
static int others_hold(struct note_send *p, struct qs_err *e, int *rc)
{
    size_t counts[OUTBOX_NSTATES];
    int held = 0;
    if ((*rc = outbox_count(p->s, p->o.shop, NOTE_KIND, counts, e)) < 0 ||
        counts[OUTBOX_CLAIMED] == 0)
        return 0; /* the common case, without a read per planned note */
    for (size_t i = 0; i < p->n && !held; i++) {
        struct outbox_item *it = NULL;
        if (!p->l[i].pre && (*rc = box_get(p, p->l[i].key, &it, e)) < 0)
            return 0;
        held = it && it->state == OUTBOX_CLAIMED;
        outbox_items_free(it, 1);
    }
    return held;
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
    const struct outcome *oc = outcome_find(p, key);
    struct note_result r = {order_no, "retry", key, "", "queued", 0};
    int rc = box_get(p, key, &it, e);

    if (rc < 0)
        return rc;

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

static int report(struct note_send *p, note_result_fn fn, void *ctx, struct note_send_stats *st,
                  struct qs_err *e)
{
    int rc = 0;
    for (size_t i = 0; i < p->n && rc == 0; i++) {
        struct pline *l = &p->l[i];
        if (l->pre && strcmp(l->pre, "dup") == 0)
            continue;
        if (l->pre) {
            /* Settled by the plan without a send ("already sent"). */
            struct note_result r = {l->order_no, l->pre,     l->key ? l->key : "",
                                    "",          l->pre_msg, strcmp(l->pre, "ok") == 0};
            struct outbox_item *it = NULL;
            if (l->key && (rc = box_get(p, l->key, &it, e)) < 0)
                break;
            if (it && it->ref)
                r.ref = it->ref;
            if (strcmp(l->pre, "ok") == 0)
                st->sent++;
            else if (strcmp(l->pre, "handed-off") == 0)
                st->handed_off++;
            else
                st->failed++;
            rc = fn(&r, ctx);
            outbox_items_free(it, 1);
        } else {
            rc = report_one(p, l->order_no, l->key, fn, ctx, st, e);
        }
    }
    /* Notes of earlier runs (or rules) this run delivered too. */
    struct strmap planned = {0}; /* the keys of this run's plan lines that were sent */
    for (size_t j = 0; j < p->n; j++)
        if (p->l[j].key && !p->l[j].pre)
            strmap_put(&planned, p->l[j].key, j);
    for (size_t i = 0; i < p->nout && rc == 0; i++) {
        int mine = outcome_find(p, p->out[i].key) != &p->out[i] ||
                   strmap_get(&planned, p->out[i].key, NULL);
        if (!mine)
            rc = report_one(p, p->out[i].order_no, p->out[i].key, fn, ctx, st, e);
    }
    strmap_free(&planned);
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
    for (size_t i = 0; i < p->n; i++) {
        free(p->l[i].order_no);
        free(p->l[i].key);
        free(p->l[i].title);
        free(p->l[i].body);
        free(p->l[i].pre_msg);
    }
    for (size_t i = 0; i < p->nout; i++) {
        free(p->out[i].key);
        free(p->out[i].order_no);
        free(p->out[i].ref);
        free(p->out[i].error);
    }
    free(p->l);
    free(p->idx);
    free(p->out);
    strmap_free(&p->outmap);
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

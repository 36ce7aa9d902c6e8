/* sync_cancel: `qs sync cancel` -- checking the input against the store, planning one
 * cancel per order line, queuing them in the outbox in one transaction, and reporting each
 * line's result as a job of the one runner (R-SYN-1b). Sending is in sync_cancel_run.c. */
#include "sync_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../job.h"
#include "../text.h"
#include "../tm.h"
#include "../xalloc.h"

#define RULE "R-SYN-1b"
#define KIND "cancel"

const char *const sync_cancel_reasons[] = {"out-of-stock", "order-change", "undeliverable", "delay",
                                           NULL};

int sync_cancel_reason_parse(const char *name)
{
    for (int i = 0; name && sync_cancel_reasons[i]; i++)
        if (strcmp(name, sync_cancel_reasons[i]) == 0)
            return i;
    return -1;
}

int sync_cancel_claim_done(int claim)
{
    return claim == 2 || claim == 3 || claim == 16;
}

void sync_cancel_settled(struct sync_cancel *p, const char *key, const char *order_no,
                         const char *result, const char *code, const char *msg)
{
    if (p->nset == p->capset)
        p->set = xrealloc(p->set, (p->capset = p->capset ? 2 * p->capset : 16) * sizeof *p->set);
    p->set[p->nset++] = (struct sync_settled){
        .key = xstrdup(key),
        .order_no = xstrdup(order_no),
        .code = xstrdup(code ? code : ""),
        .msg = xstrdup(msg ? msg : ""),
        .result = result,
    };
}

static int bad(struct qs_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct qs_err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(e, QS_E_DATA, RULE, fmt, ap);
    va_end(ap);
    return QS_E_DATA;
}

/* Characters of UTF-8 s: the bytes that do not continue a sequence. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* The newest outbox item of the kind for order_no (key N, N#2, ...): *it filled, 1; 0 when
 * there is none. */
static int box_current(struct outbox_item *box, size_t n, const char *order_no,
                       struct outbox_item **it)
{
    size_t len = strlen(order_no);
    *it = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *k = box[i].key;
        if (strncmp(k, order_no, len) != 0 || (k[len] != '\0' && k[len] != '#'))
            continue;
        if (!*it ||
            atoi(k[len] ? k + len + 1 : "1") > atoi((*it)->key[len] ? (*it)->key + len + 1 : "1"))
            *it = &box[i];
    }
    return *it != NULL;
}

static char *pget(const char *payload, const char *name)
{
    json_t *o = json_loads(payload ? payload : "{}", 0, NULL);
    char *v = sync_jget(o, name);
    json_decref(o);
    return v;
}

static void pre(struct sync_cline *l, const char *msg)
{
    l->pre = "ok";
    l->pre_msg = xstrdup(msg);
}

/* The key of a line, or settled, from what the outbox holds for its order. */
static int choose_key(struct sync_cline *l, struct outbox_item *box, size_t nbox, struct qs_err *e)
{
    struct outbox_item *it;
    if (!box_current(box, nbox, l->order_no, &it)) {
        l->key = xstrdup(l->order_no);
        return 0;
    }
    char *reason = pget(it->payload, "reason"), *memo = pget(it->payload, "memo");
    int same = strcmp(reason, sync_cancel_reasons[l->reason]) == 0 && strcmp(memo, l->memo) == 0;
    int rc = 0;
    if (it->state == OUTBOX_DONE)
        pre(l, "already cancelled by qs");
    else if (it->state == OUTBOX_FAILED && !same) /* corrected after a refusal */
        l->key = xasprintf("%s#%d", l->order_no,
                           atoi(strchr(it->key, '#') ? strchr(it->key, '#') + 1 : "1") + 1);
    else if (!same)
        rc = bad(e, "a cancel of this order is already queued with reason %s (%s)", reason,
                 outbox_state_name(it->state));
    else
        l->key = xstrdup(it->key);
    free(reason);
    free(memo);
    return rc;
}

/* R-SYN-1b: what an input record must be for a cancel. */
static int check(struct sync_cancel *p, const struct sync_cancel_req *r, struct outbox_item *box,
                 size_t nbox, struct qs_err *e)
{
    const char *no = r->order_no ? r->order_no : "";
    const char *memo = r->memo && *r->memo ? r->memo : p->o.memo ? p->o.memo : "";
    int reason = p->o.reason, rc;
    struct syncdb_line sl;

    if (!*no)
        return bad(e, "order_no is empty");
    if (r->reason && *r->reason && (reason = sync_cancel_reason_parse(r->reason)) < 0)
        return bad(e, "reason \"%s\" is not out-of-stock, order-change, undeliverable or delay",
                   r->reason);
    if (reason < 0)
        return bad(e, "no reason: give --reason or a reason column (out-of-stock, "
                      "order-change, undeliverable or delay)");
    if (chars(memo) > SYNC_CANCEL_MEMO_MAX)
        return bad(e,
                   "the memo has %zu characters, more than the 1000 the marketplace takes; "
                   "shorten it",
                   chars(memo));
    if (text_ctl_check("memo", memo, TEXT_LINES, RULE, e) < 0)
        return QS_E_DATA;
    for (size_t j = 0; j < p->n; j++)
        if (strcmp(p->l[j].order_no, no) == 0) {
            if (p->l[j].reason == reason && strcmp(p->l[j].memo, memo) == 0)
                return 0; /* the same thing twice: harmless */
            return bad(e, "repeats line %ld with another reason or memo", p->l[j].line);
        }
    if ((rc = syncdb_line_get(p->d, no, &sl, e)) < 0)
        return rc;
    if (!sl.found)
        rc = bad(e, "unknown order line %s; run qs sync orders first", no);
    else if (sl.status >= 4 && !sync_cancel_claim_done(sl.claim))
        rc = bad(e, "the order line is already %s: only an order not shipped can be cancelled",
                 sync_status_name(sl.status));
    if (rc < 0) {
        syncdb_line_clear(&sl);
        return rc;
    }
    if (p->n == p->cap)
        p->l = xrealloc(p->l, (p->cap = p->cap ? 2 * p->cap : 32) * sizeof *p->l);
    struct sync_cline *l = &p->l[p->n++];
    *l = (struct sync_cline){xstrdup(no), NULL, xstrdup(memo), reason, r->line, NULL, NULL};
    if (sync_cancel_claim_done(sl.claim)) {
        char name[32];
        char *msg = xasprintf("already %s", sync_claim_name(sl.claim, name, sizeof name));
        pre(l, msg);
        free(msg);
    } else if ((rc = choose_key(l, box, nbox, e)) < 0) {
        free(l->order_no);
        free(l->memo);
        p->n--;
    }
    syncdb_line_clear(&sl);
    return rc;
}

int sync_cancel_plan(struct store *s, const struct sync_cancel_opts *o,
                     const struct sync_cancel_req *reqs, size_t n, sync_cancel_reject_fn rej,
                     void *ctx, struct sync_cancel **out, struct sync_send_stats *st,
                     struct qs_err *e)
{
    struct sync_cancel *p = xcalloc(1, sizeof *p);
    struct outbox_item *box = NULL;
    size_t nbox = 0;
    int rc, nbad = 0;

    memset(st, 0, sizeof *st);
    *out = p;
    p->s = s;
    p->o = *o;
    p->d = syncdb_new(s, o->shop);
    tm_utc_iso(o->now, p->now, sizeof p->now);
    if ((rc = outbox_list(s, o->shop, KIND, -1, &box, &nbox, e)) < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        struct qs_err re;
        err_clear(&re);
        if ((rc = check(p, &reqs[i], box, nbox, &re)) == 0)
            continue;
        if (rc != QS_E_DATA) {
            *e = re;
            break;
        }
        rc = 0;
        nbad++;
        st->rejected++;
        err_at_sheet(&re, o->file, o->sheet, reqs[i].line, 0);
        err_record(&re, reqs[i].order_no ? reqs[i].order_no : "");
        if (rej)
            rej(&reqs[i], &re, ctx);
    }
    outbox_items_free(box, nbox);
    if (rc == 0 && nbad)
        rc = err_set(e, QS_E_DATA, RULE, "%d bad input line%s: nothing was queued or sent", nbad,
                     nbad == 1 ? "" : "s");
    return rc;
}

int sync_cancel_enqueue(struct sync_cancel *p, struct qs_err *e)
{
    static const char *const codes[] = {"", "1", "2", "3"};
    int rc = 0, own;

    if ((rc = syncdb_tx_begin(p->s, &own, e)) < 0)
        return rc;
    for (size_t i = 0; i < p->n && rc >= 0; i++) {
        struct sync_cline *l = &p->l[i];
        if (l->pre)
            continue;
        /* The payload carries what a later run needs to send or read it back alone. */
        json_t *pl = json_pack("{s:s, s:s, s:s, s:s, s:s}", "order_no", l->order_no, "reason",
                               sync_cancel_reasons[l->reason], "code", codes[l->reason], "memo",
                               l->memo, "at", p->now);
        char *text = pl ? json_dumps(pl, JSON_COMPACT) : NULL;
        json_decref(pl);
        if (!text) {
            rc = err_set(e, QS_E_DATA, RULE, "order line %s: the input is not valid UTF-8",
                         l->order_no);
            break;
        }
        rc = outbox_enqueue(p->s, p->o.shop, KIND, l->key, text, p->o.now, NULL, e);
        free(text);
    }
    return syncdb_tx_end(p->s, own, rc < 0 ? rc : 0, e);
}

void sync_cancel_free(struct sync_cancel *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->l[i].order_no);
        free(p->l[i].key);
        free(p->l[i].memo);
        free(p->l[i].pre_msg);
    }
    for (size_t i = 0; i < p->nset; i++) {
        free(p->set[i].key);
        free(p->set[i].order_no);
        free(p->set[i].code);
        free(p->set[i].msg);
    }
    free(p->l);
    free(p->set);
    syncdb_free(p->d);
    free(p);
}

/* ---- the job ------------------------------------------------------------------------ */

static const char *const result_cols[] = {"order_no", "result", "code", "message"};

static int enqueue(void *j, struct qs_err *e)
{
    return sync_cancel_enqueue(((struct sync_cancel_job *)j)->p, e);
}

static int run(void *p, struct job_counts *c, struct qs_err *e)
{
    struct sync_cancel_job *j = p;
    int rc = sync_cancel_run(j->p, j->q, j->st, e);
    /* SPEC 1.3: 69 only when no marketplace call was answered. */
    c->unavailable = j->st->calls_ok == 0 && j->st->calls_failed > 0;
    return rc;
}

static const struct sync_settled *settled_find(const struct sync_cancel *p, const char *key)
{
    for (size_t i = p->nset; i-- > 0;)
        if (strcmp(p->set[i].key, key) == 0)
            return &p->set[i];
    return NULL;
}

struct emit {
    job_emit_fn fn;
    void *ectx;
    struct rec *r;
};

static int emit(struct emit *x, const char *no, const char *result, const char *code,
                const char *msg, enum job_outcome oc, struct qs_err *e)
{
    rec_clear(x->r);
    rec_set(x->r, "order_no", no);
    rec_set(x->r, "result", result);
    rec_set(x->r, "code", code);
    rec_set(x->r, "message", msg);
    return x->fn(x->ectx, oc, x->r, e);
}

/* One item's result: what this run settled, else its outbox state. */
static int report_one(struct sync_cancel *p, struct emit *x, const char *no, const char *key,
                      struct outbox_item *box, size_t nbox, struct qs_err *e)
{
    const struct sync_settled *s = settled_find(p, key);
    struct outbox_item *it = NULL;
    const char *result = s ? s->result : "retry", *msg = s ? s->msg : "queued";
    enum job_outcome oc = JOB_RETRY;

    for (size_t i = 0; i < nbox && !it; i++)
        if (strcmp(box[i].key, key) == 0)
            it = &box[i];
    switch (it ? it->state : OUTBOX_PENDING) {
    case OUTBOX_DONE:
        result = "ok";
        /* Done by an earlier run, or found done by this run's read: not sent now. */
        oc = !s || strncmp(s->msg, "already ", 8) == 0 || strncmp(s->msg, "sent before", 11) == 0
                 ? JOB_DONE
                 : JOB_SENT;
        if (!s)
            msg = it->ref && *it->ref ? it->ref : "cancelled";
        break;
    case OUTBOX_FAILED:
        result = "failed", oc = JOB_FAILED;
        if (!s)
            msg = it->last_error ? it->last_error : "refused";
        break;
    case OUTBOX_UNKNOWN:
        result = "unknown", oc = JOB_UNKNOWN;
        if (!s)
            msg = "in flight when its run died; qs could not tell whether it was sent";
        break;
    case OUTBOX_CLAIMED:
        result = "retry", msg = "being sent by another qs run";
        break;
    default:
        result = "retry";
        if (!s && it && it->last_error)
            msg = it->last_error;
    }
    return emit(x, no, result, s ? s->code : "", msg, oc, e);
}

static int report(void *j, job_emit_fn fn, void *ectx, struct qs_err *e)
{
    struct sync_cancel_job *job = j;
    struct sync_cancel *p = job->p;
    struct emit x = {fn, ectx, rec_new()};
    struct outbox_item *box = NULL;
    size_t nbox = 0;
    int rc = outbox_list(p->s, p->o.shop, KIND, -1, &box, &nbox, e);

    for (size_t i = 0; i < p->n && rc == 0; i++) {
        struct sync_cline *l = &p->l[i];
        rc = l->pre ? emit(&x, l->order_no, l->pre, "", l->pre_msg, JOB_DONE, e)
                    : report_one(p, &x, l->order_no, l->key, box, nbox, e);
    }
    /* Items of earlier runs this run settled too. */
    for (size_t i = 0; i < p->nset && rc == 0; i++) {
        int mine = 0;
        for (size_t k = 0; k < p->n && !mine; k++)
            mine = p->l[k].key && strcmp(p->l[k].key, p->set[i].key) == 0;
        if (!mine && settled_find(p, p->set[i].key) == &p->set[i])
            rc = report_one(p, &x, p->set[i].order_no, p->set[i].key, box, nbox, e);
    }
    /* The rejected input records were reported on stderr as they were read. */
    for (long i = 0; rc == 0 && i < job->st->rejected; i++)
        rc = fn(ectx, JOB_REJECTED, NULL, e);
    outbox_items_free(box, nbox);
    rec_free(x.r);
    return rc;
}

const struct job_ops sync_cancel_job_ops = {
    .cols = result_cols,
    .ncols = sizeof result_cols / sizeof result_cols[0],
    .enqueue = enqueue,
    .run = run,
    .report = report,
};

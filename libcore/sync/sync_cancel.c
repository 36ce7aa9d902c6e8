/* sync_cancel: `qs sync cancel` -- checking the input against the store, planning one
 * cancel per order line, queuing them in the outbox in one transaction, and reporting each
 * line's result (R-SYN-1b). Sending is in sync_cancel_run.c, the job in sync_cancel_job.c. */
#include "sync_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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
    strmap_put(&p->settled, key, p->nset - 1);
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
static int choose_key(struct sync_cancel *p, struct sync_cline *l, struct qs_err *e)
{
    struct outbox_item item, *it = &item;
    int found = sync_box_current(p->d, KIND, l->order_no, &item, e);
    if (found <= 0) {
        if (found == 0)
            l->key = xstrdup(l->order_no);
        return found;
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
    sync_box_clear(&item);
    return rc;
}

/* R-SYN-1b: what an input record must be for a cancel. */
static int check(struct sync_cancel *p, const struct sync_cancel_req *r, struct qs_err *e)
{
    const char *no = r->order_no ? r->order_no : "";
    const char *memo = r->memo && *r->memo ? r->memo : p->o.memo ? p->o.memo : "";
    int reason = p->o.reason, rc;
    struct syncdb_line sl;
    size_t j;

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
    /* (A line taken back below stays in the map: its index is past the end, or reused.) */
    if (strmap_get(&p->planned, no, &j) && j < p->n && strcmp(p->l[j].order_no, no) == 0) {
        if (p->l[j].reason == reason && strcmp(p->l[j].memo, memo) == 0)
            return 0; /* the same thing twice: harmless */
        return bad(e, "repeats line %ld with another reason or memo", p->l[j].line);
    }
    if ((rc = syncdb_line_brief(p->d, no, &sl, e)) < 0)
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
    strmap_put(&p->planned, no, p->n - 1);
    if (sync_cancel_claim_done(sl.claim)) {
        char name[32];
        char *msg = xasprintf("already %s", sync_claim_name(sl.claim, name, sizeof name));
        pre(l, msg);
        free(msg);
    } else if ((rc = choose_key(p, l, e)) < 0) {
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
    int rc = 0, nbad = 0;

    memset(st, 0, sizeof *st);
    *out = p;
    p->s = s;
    p->o = *o;
    p->d = syncdb_new(s, o->shop);
    tm_utc_iso(o->now, p->now, sizeof p->now);
    for (size_t i = 0; i < n; i++) {
        struct qs_err re;
        err_clear(&re);
        if ((rc = check(p, &reqs[i], &re)) == 0)
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
    strmap_free(&p->planned);
    strmap_free(&p->settled);
    syncdb_free(p->d);
    free(p);
}

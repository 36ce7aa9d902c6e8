/* deliver: one delivery pass over the outbox (SPEC 1.7 over SPEC 1.6): orphans, claims,
 * settling, dry run, built-in senders. Which delivery a kind uses is in deliver_spec.c,
 * the hook protocol in deliver_hook.c (its process in deliver_proc.c), the hand-off
 * folder in deliver_file.c; what those backends call back (settling an item, warnings,
 * the clock) in deliver_settle.c, below them all. */
#include "deliver_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../xalloc.h"

int deliver_report_rc(const struct deliver_report *rep)
{
    if (rep->failed == 0 && rep->retry == 0)
        return 0;
    if (rep->sent == 0 && rep->handed_off == 0 && rep->unavailable)
        return QS_E_UNAVAILABLE; /* SPEC 1.3: 69 only when no outside call succeeded */
    return rep->retry ? QS_E_TEMP : QS_E_FAIL;
}

/* Orphans per delivery (see deliver.h): hook -> pending, qapi -> the caller's read call,
 * file and smtp -> unknown. */
struct recon_ctx {
    const struct deliver_opts *o;
    enum deliver_type type;
    size_t unknown;
};

static enum outbox_recon recon(const struct outbox_item *it, char **ref, void *ctx)
{
    struct recon_ctx *c = ctx;
    enum outbox_recon r = OUTBOX_RECON_UNKNOWN;
    if (c->type == DELIVER_HOOK)
        r = OUTBOX_RECON_NOT_SENT; /* SPEC 1.7: the hook treats a repeated key as done */
    else if (c->type == DELIVER_QAPI && c->o->reconcile)
        r = c->o->reconcile(it, ref, c->o->reconcile_ctx);
    if (r == OUTBOX_RECON_UNKNOWN)
        c->unknown++;
    return r;
}

/* Claims up to limit more due items (0: as many as there are), o->batch per transaction
 * (dlv_claim), appending them to r->items. */
static int claim_more(struct dlv_run *r, size_t limit, struct qs_err *e)
{
    const struct deliver_opts *o = r->o;
    size_t batch = o->batch ? o->batch : DLV_BATCH, cap = r->n, got, taken = 0;
    struct outbox_item *part;
    int rc;

    for (;;) {
        size_t want = batch;
        if (limit && limit - taken < want)
            want = limit - taken;
        if (want == 0)
            return 0;
        if ((rc = dlv_claim(r, want, &part, &got, e)) < 0)
            return rc;
        if (r->n + got > cap) {
            cap = (r->n + got) * 2;
            r->items = xrealloc(r->items, cap * sizeof *r->items);
        }
        if (got)
            memcpy(r->items + r->n, part, got * sizeof *part);
        r->n += got;
        taken += got;
        free(part); /* the strings moved to r->items */
        if (got < want)
            return 0;
    }
}

static void results_free(struct deliver_result *res, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(res[i].ref);
        free(res[i].error);
        free(res[i].code);
    }
    free(res);
}

/* Sends r->items[from..from+m) through the caller's sender and settles them in one
 * transaction. Once the sender has failed (*src < 0) nothing more is sent: the items are
 * settled as retry with its reason. */
static int send_batch(struct dlv_run *r, size_t from, size_t m, size_t *answered, int *src,
                      struct qs_err *se, struct qs_err *e)
{
    const struct deliver_opts *o = r->o;
    struct deliver_result *res = xcalloc(m, sizeof *res);
    long long t0 = dlv_now_ms();
    char *why = NULL;
    int rc;

    if (*src == 0)
        *src = o->send(r->spec, r->items + from, m, res, NULL, o->send_ctx, se);
    long lat = (long)(dlv_now_ms() - t0);
    if (*src < 0)
        why = xasprintf("not sent: %s", se->msg[0] ? se->msg : "the sender failed");
    if ((rc = store_begin(r->s, e)) == 0) {
        for (size_t j = 0; j < m && rc == 0; j++) {
            struct deliver_result *x = &res[j];
            if (x->status == DELIVER_HANDED_OFF)
                x->status = DELIVER_NONE; /* not a sender's answer */
            if (x->status != DELIVER_NONE)
                (*answered)++;
            rc = dlv_settle(r, &r->items[from + j], x->status, x->ref, x->error ? x->error : why,
                            x->code, x->latency_ms ? x->latency_ms : lat, e);
        }
        if (rc == 0)
            rc = store_commit(r->s, e);
        else
            store_rollback(r->s);
    }
    results_free(res, m);
    free(why);
    return rc;
}

/* Built-in deliveries (qapi, smtp): the caller's sender, batch by batch. Each batch is
 * claimed just before it is sent, so a crash leaves only that batch in flight (for smtp
 * those become unknown); with retry_failed too (an item failing in this run is not
 * claimed again by it: outbox_claim). */
static int builtin_run(struct dlv_run *r, struct qs_err *e)
{
    const struct deliver_opts *o = r->o;
    size_t batch = o->batch ? o->batch : DLV_BATCH, answered = 0;
    struct qs_err se = {0};
    int rc = 0, src = 0;

    while (rc == 0 && src == 0) {
        outbox_items_free(r->items, r->n);
        r->items = NULL;
        r->n = 0;
        if ((rc = claim_more(r, batch, e)) < 0 || r->n == 0)
            break;
        rc = send_batch(r, 0, r->n, &answered, &src, &se, e);
    }
    r->rep->unavailable = answered == 0 && r->rep->retry > 0;
    if (rc == 0 && src < 0) {
        *e = se;
        rc = src;
    }
    return rc;
}

static int by_due(const void *a, const void *b)
{
    const struct outbox_item *x = a, *y = b;
    if (x->next_at != y->next_at)
        return x->next_at < y->next_at ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* --dry-run: what a run would claim (orphans aside), printed; nothing changes. */
static int dry_run(struct dlv_run *r, struct qs_err *e)
{
    const struct deliver_opts *o = r->o;
    const enum outbox_state states[] = {OUTBOX_PENDING, OUTBOX_RETRY, OUTBOX_FAILED,
                                        OUTBOX_UNKNOWN};
    struct outbox_item *all = NULL, *part;
    size_t n = 0, got, cap = 0, batch = o->batch ? o->batch : DLV_BATCH;
    time_t now = time(NULL);
    int rc = 0;

    for (size_t k = 0; k < sizeof states / sizeof *states && rc == 0; k++) {
        if ((states[k] == OUTBOX_FAILED && !o->retry_failed) ||
            (states[k] == OUTBOX_UNKNOWN && !o->resend_unknown))
            continue;
        if ((rc = outbox_list(r->s, r->shop, r->kind, (int)states[k], &part, &got, e)) < 0)
            break;
        for (size_t i = 0; i < got; i++) {
            struct outbox_item *it = &part[i];
            int due = 1; /* failed (with retry_failed) */
            if (states[k] == OUTBOX_PENDING)
                due = it->next_at <= now;
            else if (states[k] == OUTBOX_RETRY)
                due = it->next_at <= now || o->retry_failed;
            else if (states[k] == OUTBOX_UNKNOWN)
                it->next_at = now; /* resend_unknown makes them due now */
            if (!due) {
                outbox_item_clear(it);
                continue;
            }
            if (n == cap)
                all = xrealloc(all, (cap = cap ? cap * 2 : 64) * sizeof *all);
            all[n++] = *it;
        }
        free(part);
    }
    if (rc == 0 && n)
        qsort(all, n, sizeof *all, by_due);
    if (rc == 0 && o->max && n > o->max) {
        for (size_t i = o->max; i < n; i++)
            outbox_item_clear(&all[i]);
        n = o->max;
    }
    for (size_t i = 0; rc == 0 && i < n; i += batch) {
        size_t m = n - i < batch ? n - i : batch;
        if (r->spec->type == DELIVER_QAPI || r->spec->type == DELIVER_SMTP) {
            struct deliver_result *res = xcalloc(m, sizeof *res);
            rc = o->send(r->spec, all + i, m, res, o->dry_run, o->send_ctx, e);
            results_free(res, m);
            continue;
        }
        for (size_t j = i; j < i + m; j++) {
            struct qs_err le = {0};
            char *line = deliver_request_line(&all[j], &le);
            if (!line) {
                dlv_warn(r, "%s %s: %s", r->kind, all[j].key, le.msg);
                continue;
            }
            fprintf(o->dry_run, "%s\n", line);
            free(line);
        }
    }
    if (rc == 0)
        r->rep->dry = n;
    if (rc == 0 && fflush(o->dry_run) != 0)
        rc = err_set(e, QS_E_IO, NULL, "cannot write the dry-run requests");
    outbox_items_free(all, n);
    return rc;
}

int deliver_run(struct store *s, const char *shop, const char *kind, const struct deliver_opts *o,
                struct deliver_report *rep, struct qs_err *e)
{
    struct deliver_spec spec = {0};
    struct dlv_run r = {.s = s, .shop = shop, .kind = kind, .o = o, .spec = &spec, .rep = rep};
    struct recon_ctx rc_ctx = {.o = o};
    size_t counts[OUTBOX_NSTATES];
    char *base = NULL;
    int rc;

    memset(rep, 0, sizeof *rep);
    rep->hook_status = -1;
    if (o->delivery) {
        base = dlv_store_folder(s);
        rc = deliver_parse(o->delivery, base, &spec, e);
        free(base);
    } else
        rc = deliver_resolve(s, shop, kind, o->qapi_kind, &spec, e);
    if (rc < 0)
        return rc;
    rep->type = rc_ctx.type = spec.type;
    if ((spec.type == DELIVER_QAPI || spec.type == DELIVER_SMTP) && !o->send) {
        rc = err_set(e, QS_E_SOFTWARE, NULL, "%s delivery of %s needs the caller's sender",
                     spec.text, kind);
        goto out;
    }
    if (o->dry_run) {
        rc = dry_run(&r, e);
        goto out;
    }
    /* SPEC 1.6: orphans are settled before anything is resent. */
    if ((rc = outbox_recover(s, shop, kind, recon, &rc_ctx, &rep->recovered, e)) < 0)
        goto out;
    rep->unknown = rc_ctx.unknown;
    if (o->resend_unknown &&
        (rc = outbox_resend_unknown(s, shop, kind, &rep->resent_unknown, e)) < 0)
        goto out;
    /* A hook run claims as the hook reads (deliver_hook.c); a file run claims everything
     * first: a hand-off is one folder. */
    if (spec.type == DELIVER_QAPI || spec.type == DELIVER_SMTP)
        rc = builtin_run(&r, e);
    else if (spec.type == DELIVER_HOOK)
        rc = dlv_hook_run(&r, e);
    else if ((rc = claim_more(&r, 0, e)) == 0 && r.n > 0)
        rc = dlv_file_run(&r, e);
    if (rc == 0 && (rc = outbox_count(s, shop, kind, counts, e)) == 0)
        rep->unknown_total = counts[OUTBOX_UNKNOWN];
out:
    outbox_items_free(r.items, r.n);
    deliver_spec_clear(&spec);
    return rc;
}

void deliver_report_add(struct deliver_report *a, const struct deliver_report *b)
{
    a->sent += b->sent;
    a->failed += b->failed;
    a->retry += b->retry;
    a->handed_off += b->handed_off;
    a->recovered += b->recovered;
    a->unknown += b->unknown;
    a->resent_unknown += b->resent_unknown;
    a->unknown_total = b->unknown_total;
    a->garbage += b->garbage;
    if (b->hook_status >= 0)
        a->hook_status = b->hook_status;
    if (b->handoff[0])
        snprintf(a->handoff, sizeof a->handoff, "%s", b->handoff);
}

void deliver_report_epilogue(const struct deliver_report *rep, const char *what, const char *prog,
                             FILE *diag)
{
    if (rep->garbage)
        fprintf(diag, "%s: the hook answered %zu line%s that were not answers\n", prog,
                rep->garbage, rep->garbage == 1 ? "" : "s");
    if (rep->handoff[0])
        fprintf(diag, "%s: hand-off written to %s\n", prog, rep->handoff);
    if (rep->unknown_total)
        fprintf(diag, "%s: %zu %s%s in flight when a run died; --resend-unknown sends them\n", prog,
                rep->unknown_total, what, rep->unknown_total == 1 ? "" : "s");
}

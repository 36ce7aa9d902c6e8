/* deliver_hook: the hook: delivery of SPEC 1.7. One hook process per run; requests are
 * written and answers read concurrently through non-blocking pipes and poll(), so
 * neither side can wait forever on a full pipe; answers match by id in any order.
 * Items are claimed a batch at a time as the hook reads (SPEC 8: flat memory): an item
 * lives in a slot of r->items from its claim until its outcome is settled, then the slot
 * is reused, so what qs holds is what the hook has not answered yet. */
#include "deliver_int.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../xalloc.h"

#define DEFAULT_TIMEOUT_MS 60000
#define DEFAULT_GRACE_MS   5000
#define WBUF_FILL          65536
#define MAX_ANSWER         (1 << 20) /* longer answer lines are garbage */
/* Answers close together are settled in one transaction: when SETTLE_BATCH are queued,
 * when the hook has said nothing more for SETTLE_LINGER_MS, or when none is left open (one
 * by one, 10,000 notes made 10,000 commits). An answer read and not yet settled is in
 * flight in the store, as one being answered is: after a crash its key comes again. */
#define SETTLE_BATCH     200
#define SETTLE_LINGER_MS 1

enum hreq_state { HR_FREE, HR_NEW, HR_QUEUED, HR_SENT, HR_DONE };

struct hreq {
    long long sent_ms; /* when its line was fully written */
    unsigned char st;  /* enum hreq_state */
    unsigned char timed_out;
};

/* An answer waiting to be settled with the next batch. */
struct hset {
    size_t i;
    enum deliver_status st;
    char *ref, *err;
    const char *code;
    long latency_ms;
};

struct hook {
    struct dlv_run *r;
    pid_t pid;
    int in_fd, out_fd;
    long timeout_ms;
    struct hreq *q;                          /* per slot of r->items (r->n slots) */
    size_t open;                             /* requests claimed and not yet concluded */
    size_t *fresh, nfresh, hfresh, capfresh; /* slots claimed, not encoded, from hfresh */
    size_t *spare, nspare, capslot;          /* free slots; room for slots */
    int claimed_all;                         /* nothing more to claim in this run */
    char *wbuf;                              /* encoded lines not yet written, from woff */
    size_t wlen, woff, wcap;
    size_t *widx, *wend, wn, wk, wncap; /* requests in wbuf, their end offsets; wk written */
    int64_t *hid;                       /* id -> slot, open addressing, linear probing */
    size_t *hval, hcap;
    char *rbuf; /* answer bytes not yet a whole line */
    size_t rlen, rcap;
    int discarding; /* inside an over-long line */
    long lineno;
    struct hset *set;
    size_t nset, capset, answered;
    int quiet;             /* the last poll() saw nothing: settle what is queued */
    long long progress_ms; /* the hook's last sign of life: it read a request or answered */
};

static size_t hhome(const struct hook *h, int64_t id)
{
    return (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ULL) & (h->hcap - 1);
}

static size_t hslot(const struct hook *h, int64_t id)
{
    size_t i = hhome(h, id);
    while (h->hval[i] && h->hid[i] != id)
        i = (i + 1) & (h->hcap - 1);
    return i;
}

/* The slot of the open request with id, or (size_t)-1. */
static size_t hfind(const struct hook *h, int64_t id)
{
    size_t i = hslot(h, id);
    return h->hval[i] ? h->hval[i] - 1 : (size_t)-1;
}

/* Maps id to slot; the table stays at most half full. */
static void hput(struct hook *h, int64_t id, size_t slot)
{
    if (h->r->n * 2 > h->hcap) {
        int64_t *oid = h->hid;
        size_t *oval = h->hval, ocap = h->hcap;
        for (h->hcap = h->hcap ? h->hcap : 16; h->hcap < h->r->n * 2;)
            h->hcap *= 2;
        h->hid = xcalloc(h->hcap, sizeof *h->hid);
        h->hval = xcalloc(h->hcap, sizeof *h->hval);
        for (size_t k = 0; k < ocap; k++)
            if (oval[k]) {
                size_t j = hslot(h, oid[k]);
                h->hid[j] = oid[k];
                h->hval[j] = oval[k];
            }
        free(oid);
        free(oval);
    }
    size_t i = hslot(h, id);
    h->hid[i] = id;
    h->hval[i] = slot + 1;
}

/* Forgets id (backward-shift deletion: no tombstones). */
static void hdel(struct hook *h, int64_t id)
{
    size_t i = hslot(h, id), j = i, m = h->hcap - 1;
    if (!h->hval[i])
        return;
    for (;;) {
        j = (j + 1) & m;
        if (!h->hval[j])
            break;
        size_t k = hhome(h, h->hid[j]);
        /* The entry at j stays when its home k lies cyclically in (i, j]. */
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
            continue;
        h->hid[i] = h->hid[j];
        h->hval[i] = h->hval[j];
        i = j;
    }
    h->hval[i] = 0;
}

/* Takes claimed items into slots (free ones first) and queues them for encoding; the
 * strings move to r->items and part is freed. */
static void adopt(struct hook *h, struct outbox_item *part, size_t got)
{
    for (size_t k = 0; k < got; k++) {
        size_t i;
        if (h->nspare)
            i = h->spare[--h->nspare];
        else {
            if (h->r->n == h->capslot) {
                h->capslot = h->capslot ? h->capslot * 2 : 256;
                h->r->items = xrealloc(h->r->items, h->capslot * sizeof *h->r->items);
                h->q = xrealloc(h->q, h->capslot * sizeof *h->q);
                h->spare = xrealloc(h->spare, h->capslot * sizeof *h->spare);
            }
            i = h->r->n++;
        }
        h->r->items[i] = part[k];
        h->q[i] = (struct hreq){.st = HR_NEW};
        hput(h, part[k].id, i);
        if (h->nfresh == h->capfresh)
            h->fresh = xrealloc(h->fresh, (h->capfresh = h->capfresh ? h->capfresh * 2 : 256) *
                                              sizeof *h->fresh);
        h->fresh[h->nfresh++] = i;
        h->open++;
    }
    free(part);
}

/* Claims the next batch of due items (with --retry-failed too: outbox_claim leaves out
 * what failed again in this run). Sets claimed_all when no more are due. */
static int claim(struct hook *h, struct qs_err *e)
{
    size_t batch = h->r->o->batch ? h->r->o->batch : DLV_BATCH, got;
    struct outbox_item *part;
    int rc;
    if ((rc = dlv_claim(h->r, batch, &part, &got, e)) < 0)
        return rc;
    adopt(h, part, got);
    if (got < batch)
        h->claimed_all = 1;
    return 0;
}

/* No more requests go to the hook in this run: nothing more is claimed, and the claimed
 * ones not yet encoded leave the queue (the caller concludes them). */
static void claim_no_more(struct hook *h)
{
    h->claimed_all = 1;
    h->nfresh = h->hfresh = 0;
}

/* Empties slot i, settled: its strings freed, its id forgotten, the slot free again. */
static void release(struct hook *h, size_t i)
{
    hdel(h, h->r->items[i].id);
    outbox_item_clear(&h->r->items[i]);
    h->q[i].st = HR_FREE;
    h->spare[h->nspare++] = i;
}

/* Queues request i's outcome for the next settle batch. */
static void conclude(struct hook *h, size_t i, enum deliver_status st, char *ref, char *err,
                     const char *code)
{
    if (h->q[i].st == HR_DONE)
        return;
    if (h->nset == h->capset)
        h->set = xrealloc(h->set, (h->capset = h->capset ? h->capset * 2 : 64) * sizeof *h->set);
    h->set[h->nset++] =
        (struct hset){.i = i,
                      .st = st,
                      .ref = ref,
                      .err = err,
                      .code = code,
                      .latency_ms = h->q[i].sent_ms ? (long)(dlv_now_ms() - h->q[i].sent_ms) : 0};
    h->q[i].st = HR_DONE;
    h->open--;
}

/* Settles the queued outcomes in one transaction. */
static int flush(struct hook *h, struct qs_err *e)
{
    int rc = 0;
    if (h->nset == 0)
        return 0;
    if ((rc = store_begin(h->r->s, e)) == 0) {
        for (size_t k = 0; k < h->nset && rc == 0; k++) {
            struct hset *x = &h->set[k];
            rc = dlv_settle(h->r, &h->r->items[x->i], x->st, x->ref, x->err, x->code, x->latency_ms,
                            e);
        }
        if (rc == 0)
            rc = store_commit(h->r->s, e);
        else
            store_rollback(h->r->s);
    }
    for (size_t k = 0; k < h->nset; k++) {
        if (rc == 0)
            release(h, h->set[k].i);
        free(h->set[k].ref);
        free(h->set[k].err);
    }
    h->nset = 0;
    return rc;
}

/* Every request not yet settled counts as retry:true, for reason why. */
static void conclude_rest(struct hook *h, const char *why)
{
    claim_no_more(h);
    for (size_t i = 0; i < h->r->n; i++)
        if (h->q[i].st != HR_DONE && h->q[i].st != HR_FREE)
            conclude(h, i, DELIVER_RETRY, NULL, xstrdup(why), NULL);
}

/* Encodes the next requests into the empty write buffer, claiming more as needed. */
static int fill(struct hook *h, struct qs_err *e)
{
    int rc;
    h->wlen = h->woff = h->wn = h->wk = 0;
    while (h->wlen < WBUF_FILL) {
        if (h->hfresh == h->nfresh) {
            h->hfresh = h->nfresh = 0;
            if (h->claimed_all)
                break;
            if ((rc = claim(h, e)) < 0)
                return rc;
            continue;
        }
        size_t i = h->fresh[h->hfresh++], len;
        struct qs_err le = {0};
        char *line = deliver_request_line(&h->r->items[i], &le);
        if (!line) { /* the enqueuer's bug: no retry will fix it */
            conclude(h, i, DELIVER_FAILED, NULL, xstrdup(le.msg), NULL);
            continue;
        }
        len = strlen(line);
        if (h->wlen + len + 1 > h->wcap)
            h->wbuf = xrealloc(h->wbuf, h->wcap = (h->wlen + len + 1) * 2);
        memcpy(h->wbuf + h->wlen, line, len);
        h->wbuf[h->wlen + len] = '\n';
        h->wlen += len + 1;
        free(line);
        if (h->wn == h->wncap) {
            h->wncap = h->wncap ? h->wncap * 2 : 256;
            h->widx = xrealloc(h->widx, h->wncap * sizeof *h->widx);
            h->wend = xrealloc(h->wend, h->wncap * sizeof *h->wend);
        }
        h->widx[h->wn] = i;
        h->wend[h->wn++] = h->wlen;
        h->q[i].st = HR_QUEUED;
    }
    return 0;
}

static void close_in(struct hook *h)
{
    if (h->in_fd >= 0)
        close(h->in_fd);
    h->in_fd = -1;
}

/* The hook will not read the rest: close its stdin; what it did not get is retried, and
 * nothing more is claimed. */
static void abandon_unsent(struct hook *h, const char *why)
{
    close_in(h);
    h->wlen = h->woff = 0;
    claim_no_more(h);
    for (size_t i = 0; i < h->r->n; i++)
        if (h->q[i].st == HR_NEW || h->q[i].st == HR_QUEUED)
            conclude(h, i, DELIVER_RETRY, NULL, xstrdup(why), NULL);
}

/* Writes what the pipe takes now. */
static void pump_out(struct hook *h)
{
    while (h->woff < h->wlen) {
        ssize_t w = dlv_write_nosig(h->in_fd, h->wbuf + h->woff, h->wlen - h->woff);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (w < 0) { /* EPIPE: the hook closed its stdin; the rest cannot reach it */
            dlv_warn(h->r, "%s: stopped reading its input (%s)", h->r->spec->text, strerror(errno));
            abandon_unsent(h, "the hook closed its input before this request");
            return;
        }
        h->progress_ms = dlv_now_ms();
        h->woff += (size_t)w;
        for (; h->wk < h->wn && h->wend[h->wk] <= h->woff; h->wk++) {
            struct hreq *q = &h->q[h->widx[h->wk]];
            q->sent_ms = dlv_now_ms();
            if (q->st == HR_QUEUED)
                q->st = HR_SENT;
        }
    }
}

/* Reports a line that is not an answer. */
static void garbage(struct hook *h, const char *line, size_t len, const char *why)
{
    char show[81];
    size_t k = 0;
    for (size_t i = 0; i < len && k < sizeof show - 1; i++)
        show[k++] = (unsigned char)line[i] < 0x20 || line[i] == 0x7f ? '?' : line[i];
    show[k] = '\0';
    h->r->rep->garbage++;
    dlv_warn(h->r, "%s: answer line %ld ignored (%s): %s%s", h->r->spec->text, h->lineno, why, show,
             len > k ? "..." : "");
}

/* ref as text: a string as it is, anything else as compact JSON; NULL for null. */
static char *ref_text(json_t *ref)
{
    if (!ref || json_is_null(ref))
        return NULL;
    if (json_is_string(ref))
        return xstrdup(json_string_value(ref));
    char *s = json_dumps(ref, JSON_ENCODE_ANY | JSON_COMPACT);
    return s ? s : xstrdup("?");
}

static void answer(struct hook *h, const char *line, size_t len)
{
    json_error_t je;
    json_t *j, *id, *ok, *v;
    int64_t rid = 0;
    size_t i;
    char *end;

    while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    if (len == 0)
        return; /* blank lines are harmless */
    if (!(j = json_loadb(line, len, 0, &je)) || !json_is_object(j)) {
        garbage(h, line, len, "not a JSON object");
        goto out;
    }
    id = json_object_get(j, "id");
    if (json_is_integer(id))
        rid = json_integer_value(id);
    else if (json_is_string(id)) {
        errno = 0;
        rid = strtoll(json_string_value(id), &end, 10);
        if (errno || *end || end == json_string_value(id))
            id = NULL;
    } else
        id = NULL;
    if (!id || (i = hfind(h, rid)) == (size_t)-1) {
        garbage(h, line, len, "no open request of this run has its id");
        goto out;
    }
    ok = json_object_get(j, "ok");
    if (!json_is_boolean(ok)) {
        garbage(h, line, len, "\"ok\" is not true or false");
        goto out;
    }
    if (h->q[i].st == HR_DONE) {
        dlv_warn(h->r, "%s: answer to request %lld ignored: %s", h->r->spec->text, (long long)rid,
                 h->q[i].timed_out ? "it came after the timeout; the item will be sent again"
                                   : "the request was answered already");
        goto out;
    }
    h->answered++;
    h->progress_ms = dlv_now_ms(); /* garbage is no sign of life: only answers count */
    if (json_is_true(ok) && !json_object_get(j, "ref") && strcmp(h->r->kind, "source") == 0) {
        /* R-SRC-2: a source hook answers what it found ({"state","price","currency"}), not
         * a ref: the answer without id and ok becomes the item's ref. */
        json_object_del(j, "id");
        json_object_del(j, "ok");
        conclude(h, i, DELIVER_OK, ref_text(j), NULL, NULL);
    } else if (json_is_true(ok))
        conclude(h, i, DELIVER_OK, ref_text(json_object_get(j, "ref")), NULL, NULL);
    else {
        v = json_object_get(j, "error");
        char *err = json_is_string(v) && *json_string_value(v) ? xstrdup(json_string_value(v))
                                                               : xstrdup("the hook gave no reason");
        /* "retry" missing counts as true: unanswered work is never lost. */
        conclude(h, i, json_is_false(json_object_get(j, "retry")) ? DELIVER_FAILED : DELIVER_RETRY,
                 NULL, err, NULL);
    }
out:
    json_decref(j);
}

/* Reads what the hook wrote; at EOF closes out_fd. */
static void pump_in(struct hook *h)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(h->out_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) { /* EOF (or a read error): no more answers can come */
            if (h->rlen && !h->discarding) {
                h->lineno++;
                answer(h, h->rbuf, h->rlen);
            }
            h->rlen = 0;
            close(h->out_fd);
            h->out_fd = -1;
            return;
        }
        for (ssize_t k = 0; k < n;) {
            char *nl = memchr(buf + k, '\n', (size_t)(n - k));
            size_t part = nl ? (size_t)(nl - (buf + k)) : (size_t)(n - k);
            if (!h->discarding) {
                if (h->rlen + part > MAX_ANSWER) {
                    h->discarding = 1;
                    h->lineno++;
                    garbage(h, h->rbuf, h->rlen, "longer than 1 MiB");
                    h->lineno--;
                    h->rlen = 0;
                } else {
                    if (h->rlen + part > h->rcap)
                        h->rbuf = xrealloc(h->rbuf, h->rcap = (h->rlen + part) * 2 + 64);
                    memcpy(h->rbuf + h->rlen, buf + k, part);
                    h->rlen += part;
                }
            }
            k += (ssize_t)part;
            if (nl) {
                k++;
                h->lineno++;
                if (!h->discarding)
                    answer(h, h->rbuf, h->rlen);
                h->rlen = 0;
                h->discarding = 0;
            }
        }
    }
}

static void drain(void *ctx)
{
    pump_in(ctx);
}

/* The timeout: requests waiting for an answer count as retry:true once the hook has shown
 * no sign of life (read a request, answered one) for timeout_ms -- so a slow hook working
 * through a long queue is never cut off, and a hung one always is. Returns the ms until
 * that can happen (-1: nothing waits). */
static int expire(struct hook *h)
{
    long long left = h->progress_ms + h->timeout_ms - dlv_now_ms();
    if (h->open == 0)
        return -1;
    if (left > 0)
        return left > INT_MAX ? INT_MAX : (int)left;
    dlv_warn(h->r, "%s: no sign of life for %ld ms; its open requests will be retried",
             h->r->spec->text, h->timeout_ms);
    for (size_t i = 0; i < h->r->n; i++) {
        if (h->q[i].st != HR_SENT)
            continue;
        h->q[i].timed_out = 1;
        conclude(h, i, DELIVER_RETRY, NULL,
                 xasprintf("no answer from the hook within %ld ms", h->timeout_ms), "timeout");
    }
    abandon_unsent(h, "the hook stopped reading its input");
    return -1;
}

int dlv_hook_run(struct dlv_run *r, struct qs_err *e)
{
    struct hook h = {.r = r, .pid = -1, .in_fd = -1, .out_fd = -1};
    const struct deliver_opts *o = r->o;
    long grace = o->grace_ms > 0 ? o->grace_ms : DEFAULT_GRACE_MS;
    int rc;

    h.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
    /* The first batch before the hook starts: no hook runs when nothing is due. */
    if ((rc = claim(&h, e)) < 0 || h.open == 0)
        goto out;
    h.progress_ms = dlv_now_ms();
    if ((rc = dlv_spawn(r->spec->arg, r->shop, &h.pid, &h.in_fd, &h.out_fd, e)) < 0) {
        struct qs_err fe = {0};
        conclude_rest(&h, e->msg);
        if (flush(&h, &fe) < 0) /* the spawn error stays the one reported */
            dlv_warn(r, "%s", fe.msg);
        goto out;
    }
    for (;;) {
        struct pollfd p[2];
        nfds_t np = 0;
        int wait;

        if (h.in_fd >= 0 && h.woff == h.wlen) {
            if ((rc = fill(&h, e)) < 0)
                goto out;
            if (h.wlen == 0)
                close_in(&h); /* all written: EOF tells the hook there is no more */
        }
        if (h.out_fd < 0 && h.open) { /* the hook closed stdout: no answer can come */
            close_in(&h);
            conclude_rest(&h, "the hook ended without answering");
        }
        wait = expire(&h);
        if ((h.quiet || h.nset >= SETTLE_BATCH || h.open == 0 || h.out_fd < 0) &&
            (rc = flush(&h, e)) < 0)
            goto out;
        h.quiet = 0;
        if (h.open == 0 && h.in_fd < 0)
            break;
        if (h.in_fd >= 0 && h.woff < h.wlen)
            p[np++] = (struct pollfd){.fd = h.in_fd, .events = POLLOUT};
        if (h.out_fd >= 0)
            p[np++] = (struct pollfd){.fd = h.out_fd, .events = POLLIN};
        if (h.nset && (wait < 0 || wait > SETTLE_LINGER_MS))
            wait = SETTLE_LINGER_MS;
        int ready = poll(p, np, wait);
        if (ready < 0 && errno != EINTR) {
            rc = err_set(e, QS_E_IO, NULL, "%s: poll: %s", r->spec->text, strerror(errno));
            goto out;
        }
        h.quiet = ready == 0;
        for (nfds_t k = 0; k < np; k++) {
            if (!p[k].revents)
                continue;
            if (p[k].fd == h.in_fd && h.in_fd >= 0)
                pump_out(&h);
            else if (p[k].fd == h.out_fd && h.out_fd >= 0)
                pump_in(&h);
        }
    }
out:
    close_in(&h);
    if (h.pid > 0) {
        r->rep->hook_status = dlv_reap(r, h.pid, grace, &h.out_fd, drain, &h);
        if (r->rep->hook_status != 0)
            dlv_warn(r, "%s: exited with status %d", r->spec->text, r->rep->hook_status);
    }
    if (h.out_fd >= 0)
        close(h.out_fd);
    if (h.nset) {
        /* Answers read before an error ended the run, or while the hook was reaped: settled
         * if the store takes them, else they stay in flight and their keys come again
         * (flush frees them either way). */
        struct qs_err fe = {0};
        if (flush(&h, &fe) < 0)
            dlv_warn(r, "%s", fe.msg);
    }
    r->rep->unavailable = h.answered == 0 && r->rep->retry > 0;
    free(h.q);
    free(h.fresh);
    free(h.spare);
    free(h.hid);
    free(h.hval);
    free(h.wbuf);
    free(h.widx);
    free(h.wend);
    free(h.rbuf);
    free(h.set);
    return rc;
}

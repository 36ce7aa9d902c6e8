/* sync_orders: `qs sync orders` -- order lines and claims pulled into the store by
 * streams of date windows (R-SYN-1, R-SYN-1c). */
#include "sync_int.h"

#include <stdlib.h>
#include <string.h>

#include "../audit.h"
#include "../progress.h"
#include "../tm.h"
#include "../xalloc.h"

/* Dates the marketplace stamps may run a little ahead of our clock: windows end this
 * much after now (the next run re-reads them anyway). */
#define SYNC_SKEW 3600

/* R-SYN-1c: the streams of a run, in this order: open lines, then shipped and delivered
 * ones, claims last (so that the lines they name are already stored). A stream without a
 * mark rescans the last 90 days. */
struct stream {
    const char *name; /* for messages and the mark */
    const struct sync_query *q;
    const char *status; /* ShippingStatus sent; NULL: the query's own */
    const char *mark;   /* sync_mark stream, NULL: rescanned each run */
    int claims;
};

/* R-SYN-9 (D7): open lines per status by default, each row's fallback status the queried
 * one; the combined forms only when sync.open_form says a probe showed they cover 3. */
static const struct stream open_per_status[] = {
    {"unpaid lines by order date", &SYNC_Q_ORDERS_OPEN, "1", NULL, 0},
    {"paid lines by order date", &SYNC_Q_ORDERS_OPEN, "2", NULL, 0},
    {"confirmed lines by order date", &SYNC_Q_ORDERS_OPEN, "3", NULL, 0},
};
static const struct stream open_zero = {"unpaid, paid and confirmed lines by order date",
                                        &SYNC_Q_ORDERS_OPEN, "0", NULL, 0};
static const struct stream open_blank = {"unpaid, paid and confirmed lines by order date",
                                         &SYNC_Q_ORDERS_OPEN, "", NULL, 0};
static const struct stream later[] = {
    {"shipped lines by shipping date", &SYNC_Q_ORDERS_SHIPPED, NULL, "orders.shipped", 0},
    {"delivered lines by delivery date", &SYNC_Q_ORDERS_DELIVERED, NULL, "orders.delivered", 0},
    {"claims by request date", &SYNC_Q_CLAIMS_REQUESTED, NULL, "claims.requested", 1},
    /* Not in R-SYN-1c's words, but a claim requested long ago and completed now (a cancel
     * that went through) is found only by its completion date. */
    {"claims by completion date", &SYNC_Q_CLAIMS_DONE, NULL, "claims.completed", 1},
};

struct pull {
    struct store *s;
    struct qapi *q;
    struct syncdb *d;
    const struct stream *str;
    const struct sync_orders_opts *o;
    struct sync_orders_stats *st;
    struct progress *pg;
    char now[32];
    int held; /* R-SYN-9: the stream's mark stays where it was (a row to read again) */
    struct qs_err *e;
};

/* The stream's mark after window w: how far it got, never past now. */
static int mark_after(struct pull *p, const struct sync_window *w)
{
    char mark[32];
    if (!p->str->mark || p->held)
        return 0;
    tm_utc_iso(w->to < p->o->now ? w->to : p->o->now, mark, sizeof mark);
    return syncdb_mark_set(p->d, p->str->mark, mark, p->now, p->e);
}

static void count(struct pull *p, enum sync_change chg)
{
    if (chg == SYNC_NEW)
        p->st->lines_new++;
    else if (chg == SYNC_CHANGED)
        p->st->lines_changed++;
}

/* R-SYN-9: a row whose field name holds raw, a value qs cannot read as a status: counted,
 * named in the stats, and written to the audit (`qs sync log --kind sync`). Never read
 * as 0; the caller leaves the row out and keeps it open. */
static int unread(struct pull *p, const char *order_no, const char *field, const char *raw,
                  const char *what)
{
    char *detail;
    int rc;

    if (p->st->unread < SYNC_UNREAD_SHOWN)
        snprintf(p->st->unread_shown[p->st->unread], sizeof p->st->unread_shown[0], "%s %s \"%s\"",
                 order_no, field, raw);
    p->st->unread++;
    detail = xasprintf("%s \"%s\" is neither a number nor a label with the code in parentheses; "
                       "%s (R-SYN-9)",
                       field, raw, what);
    struct audit_entry ae = {
        .at = p->o->now,
        .shop = syncdb_shop(p->d),
        .kind = "sync",
        .key = order_no,
        .result = "unreadable",
        .detail = detail,
    };
    rc = audit_add(p->s, &ae, p->e);
    free(detail);
    return rc;
}

/* One window of order lines, in one transaction: the run resumes from here. */
static int orders_window(const struct sync_window *w, json_t *rows, void *ctx)
{
    struct pull *p = ctx;
    struct sync_order o = {0};
    const char *asked = p->str->status ? p->str->status : p->str->q->status;
    int rc, own, fallback = sync_status_parse(asked);
    size_t i;
    json_t *row;

    if ((rc = syncdb_tx_begin(p->s, &own, p->e)) < 0)
        return rc;
    json_array_foreach(rows, i, row)
    {
        enum sync_change chg;
        char *no;
        int status;
        int64_t sum;

        /* R-SYN-1: re-running is harmless -- a line stored with the same row is only
         * marked seen, before the rest of the row is read. */
        sync_order_key(row, &no, &status, &sum);
        if (!status)
            status = fallback > 0 ? fallback : 0;
        rc = *no && status ? syncdb_order_same(p->d, no, status, sum, p->e) : 0;
        free(no);
        if (rc < 0)
            break;
        if (rc == 1) {
            rc = 0;
            continue;
        }
        sync_order_from_row(&o, row);
        /* R-SYN-9: an unreadable ShippingStatus takes the status asked for; in a combined
         * query there is none to take: reported, and the row is not stored as 0. */
        if (!o.status && fallback > 0)
            o.status = fallback;
        if (!*o.order_no)
            continue; /* not an order line: nothing to key it by */
        if (!o.status) {
            char *raw = NULL;
            sync_shipping_status(row, &raw);
            rc = unread(p, o.order_no, "ShippingStatus", raw,
                        "the line is not stored from this row");
            free(raw);
            if (rc < 0)
                break;
            continue;
        }
        if ((rc = syncdb_order_upsert(p->d, &o, p->now, &chg, &p->st->events, p->e)) < 0)
            break;
        count(p, chg);
    }
    sync_order_clear(&o);
    if (rc == 0)
        rc = mark_after(p, w);
    rc = syncdb_tx_end(p->s, own, rc, p->e);
    progress_add(p->pg, rows ? (long)json_array_size(rows) : 0);
    return rc;
}

/* The line's own record, for a claim whose line we do not know, or that cancelled it: a
 * cancelled line no longer shows under statuses 1-5 (reference 3.8), so this is the last
 * chance to learn its state. NULL (and 0) when the marketplace does not know it. */
static int line_lookup(struct pull *p, const char *order_no, json_t **out)
{
    int answered = 0, rc = sync_order_read(p->q, order_no, out, &answered, p->e);
    p->st->calls += answered;
    return rc;
}

/* One window of claims: look up what needs it (outside any transaction), then write. */
static int claims_window(const struct sync_window *w, json_t *rows, void *ctx)
{
    struct pull *p = ctx;
    size_t n = rows ? json_array_size(rows) : 0, i;
    json_t **lookups = xcalloc(n ? n : 1, sizeof *lookups);
    int *known = xcalloc(n ? n : 1, sizeof *known);
    struct sync_order o = {0};
    int rc = 0, own = 0, began = 0;

    for (i = 0; i < n && rc == 0; i++) {
        json_t *row = json_array_get(rows, i);
        char *no = sync_jstr(row, (const char *const[]){"orderNo", "OrderNo", NULL});
        struct syncdb_line l;
        if (*no && (rc = syncdb_line_brief(p->d, no, &l, p->e)) == 0) {
            known[i] = l.found;
            int claim = sync_claim_status(row, NULL);
            /* Only a cancel takes the line out of the streams; other claims leave it
             * there, where its state is read anyway. An unreadable claim is not looked
             * at now (R-SYN-9): the row is read again next run. */
            if (claim >= 0 && (!l.found || (l.claim != claim && (claim == 3 || claim == 16))))
                rc = line_lookup(p, no, &lookups[i]);
            syncdb_line_clear(&l);
        }
        free(no);
    }
    if (rc == 0 && (rc = syncdb_tx_begin(p->s, &own, p->e)) == 0)
        began = 1;
    for (i = 0; i < n && rc == 0; i++) {
        json_t *row = json_array_get(rows, i);
        char date[32], *reason, *raw;
        enum sync_change chg, chg2;
        char *craw = NULL;
        int claim = sync_claim_status(row, &craw);

        sync_order_from_row(&o, lookups[i] ? lookups[i] : row);
        if (!*o.order_no) {
            free(craw);
            continue;
        }
        if (claim < 0) {
            /* R-SYN-9: the claim is not recorded, and the stream's mark stays before this
             * window, so the next run reads the row again. */
            rc = unread(p, o.order_no, "claimStatus", craw,
                        "the claim is not recorded and the row is read again next run");
            p->held = 1;
            free(craw);
            continue;
        }
        free(craw);
        if (!known[i]) {
            sync_order_fill(&o, row);
            if ((rc = syncdb_order_upsert(p->d, &o, p->now, &chg, &p->st->events, p->e)) < 0)
                break;
            count(p, chg);
        } else if (lookups[i] && o.status &&
                   (rc = syncdb_line_status(p->d, o.order_no, o.status, o.carrier, o.tracking,
                                            p->now, &p->st->events, p->e)) < 0) {
            break;
        }
        reason = sync_jget(row, "reason");
        raw = sync_json_text(row);
        {
            char *req = sync_jget(row, "requestDate");
            sync_jst_to_utc(req, date, sizeof date);
            free(req);
        }
        rc = syncdb_claim_set(p->d, o.order_no, claim, reason, date, raw, p->now, &chg2,
                              &p->st->events, p->e);
        free(reason);
        free(raw);
        if (rc == 0 && known[i])
            count(p, chg2);
    }
    sync_order_clear(&o);
    if (rc == 0)
        rc = mark_after(p, w);
    if (began)
        rc = syncdb_tx_end(p->s, own, rc, p->e);
    for (i = 0; i < n; i++)
        json_decref(lookups[i]);
    free(lookups);
    free(known);
    progress_add(p->pg, (long)n);
    return rc;
}

/* sync_plan for the open streams (R-SYN-1c: by order date): the k-th stored line with the
 * stream's statuses -- its own, or 1-3 for the combined forms. */
static int open_plan_end(void *ctx, time_t from, long k, time_t *end, struct qs_err *e)
{
    struct pull *p = ctx;
    const char *st = p->str->status ? p->str->status : p->str->q->status;
    int one = sync_status_parse(st), rc;
    char iso[32], at[32];
    time_t t;

    tm_utc_iso(from, iso, sizeof iso);
    if ((rc = syncdb_nth_date(p->d, one > 0 ? one : 1, one > 0 ? one : 3, iso, k, at, sizeof at,
                              e)) < 0)
        return rc;
    *end = at[0] && tm_parse_utc_iso(at, &t) == 0 && t > 0 ? t - 1 : 0;
    return 0;
}

int sync_orders_pull(struct store *s, struct qapi *q, const char *shop,
                     const struct sync_orders_opts *o, struct sync_orders_stats *st,
                     struct qs_err *e)
{
    struct pull p = {.s = s, .q = q, .o = o, .st = st, .e = e};
    struct sync_fetch_stats fs = {0};
    time_t to = o->now + SYNC_SKEW;
    int rc = 0;

    memset(st, 0, sizeof *st);
    p.d = syncdb_new(s, shop);
    tm_utc_iso(o->now, p.now, sizeof p.now);
    if ((rc = syncdb_seen_reset(p.d, e)) < 0)
        goto out;
    p.pg = progress_new("orders", 0, o->quiet);
    /* R-SYN-9 (D7): the open streams by sync.open_form, then the others */
    const struct stream *run[8];
    size_t nrun = 0;
    if (o->open_form == SYNC_OPEN_ZERO)
        run[nrun++] = &open_zero;
    else if (o->open_form == SYNC_OPEN_BLANK)
        run[nrun++] = &open_blank;
    else
        for (size_t i = 0; i < sizeof open_per_status / sizeof open_per_status[0]; i++)
            run[nrun++] = &open_per_status[i];
    for (size_t i = 0; i < sizeof later / sizeof later[0]; i++)
        run[nrun++] = &later[i];
    for (size_t i = 0; i < nrun && rc == 0; i++) {
        const struct stream *str = run[i];
        char mark[32];
        time_t from = to - SYNC_MAX_WINDOW, m;

        p.str = str;
        p.held = 0;
        /* R-SYN-1c: statuses 1-3 over the last 90 days; the others from the high-water
         * mark minus one day, the first time from --since or 90 days back. Past the
         * first time, --since only reaches further back: starting later than the mark
         * would skip lines. */
        mark[0] = '\0';
        if (str->mark && (rc = syncdb_mark_get(p.d, str->mark, mark, sizeof mark, e)) < 0)
            break;
        if (mark[0] && tm_parse_utc_iso(mark, &m) == 0)
            from = m - SYNC_OVERLAP;
        else if (str->mark && o->since)
            from = o->since;
        if (o->since && o->since < from)
            from = o->since;
        const struct sync_plan plan = {open_plan_end, &p};
        rc = sync_fetch(q, str->q, str->status, from, to, o->cap > 0 ? o->cap : SYNC_DEFAULT_CAP,
                        str->mark ? NULL : &plan, str->claims ? claims_window : orders_window, &p,
                        &fs, e);
        if (rc < 0 && !e->record[0])
            err_record(e, str->name);
    }
    progress_end(p.pg);
out:
    st->calls += fs.calls;
    st->windows = fs.windows;
    st->splits = fs.splits;
    st->truncated = fs.truncated;
    st->rows = fs.rows;
    syncdb_free(p.d);
    return rc;
}

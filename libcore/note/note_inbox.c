/* note_inbox: buyer inquiries (R-NOTE-12, QAPI CSCenter): `qs note inbox` pulls them into
 * the store, `qs note reply` answers each exactly once through the outbox (kind reply).
 * Owns the tables note_inquiry and note_mark. */
#include "note.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../settings.h"
#include "../tm.h"
#include "../xalloc.h"

#define RULE "R-NOTE-12"

/* A row member as text: strings as they are, numbers in decimal, else "". */
static char *jtext(const json_t *row, const char *name)
{
    const json_t *v = json_object_get(row, name);
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    if (json_is_integer(v))
        return xasprintf("%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return xasprintf("%.0f", json_real_value(v));
    return xstrdup("");
}

static int mark_row(sqlite3_stmt *st, void *p)
{
    tm_parse_utc_iso(store_col_text(st, 0), p);
    return 1;
}

static int mark_get(struct store *s, const char *shop, const char *stream, time_t *t,
                    struct qs_err *e)
{
    int rc;
    *t = 0;
    rc = store_each(s, "SELECT mark FROM note_mark WHERE shop = ?1 AND stream = ?2", mark_row, t, e,
                    "ss", shop, stream);
    return rc < 0 ? rc : 0;
}

static int mark_set(struct store *s, const char *shop, const char *stream, time_t t,
                    struct qs_err *e)
{
    char v[32];
    return store_run(s, e,
                     "INSERT INTO note_mark(shop, stream, mark) VALUES (?1, ?2, ?3)"
                     " ON CONFLICT(shop, stream) DO UPDATE SET mark = excluded.mark",
                     "sss", shop, stream, tm_utc_iso(t, v, sizeof v));
}

static const char *const row_names[] = {"QUESTION_NO", "SEQ_NO",   "INQ_TYPE", "INQ_DT", "CUST_NM",
                                        "CATE_NM",     "TITLE",    "CONTENTS", "GD_NO",  "GD_NM",
                                        "CONTR_NO",    "CLAIM_YN", "STATUS"};
#define NROW (sizeof row_names / sizeof row_names[0])

static int store_row(struct store *s, sqlite3_stmt *st, const char *shop, const json_t *row,
                     const char *now, struct qs_err *e)
{
    char *v[NROW], utc[32], *raw = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = 0;
    for (size_t i = 0; i < NROW; i++)
        v[i] = jtext(row, row_names[i]);
    sync_jst_to_utc(v[3], utc, sizeof utc);
    if (!*v[0]) {
        rc = 0; /* not an inquiry */
        goto out;
    }
    sqlite3_reset(st);
    if (sqlite3_bind_text(st, 1, shop, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 2, v[0], -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 3, *v[1] ? v[1] : "0", -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 4, v[2], -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 5, utc, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 15, raw ? raw : "{}", -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 16, now, -1, SQLITE_STATIC)) {
        rc = store_sqlerr(s, e, "note_inquiry");
        goto out;
    }
    for (size_t i = 4; i < NROW && rc == 0; i++)
        if (sqlite3_bind_text(st, (int)i + 2, v[i], -1, SQLITE_STATIC))
            rc = store_sqlerr(s, e, "note_inquiry");
    if (rc == 0 && sqlite3_step(st) != SQLITE_DONE)
        rc = store_sqlerr(s, e, "note_inquiry");
out:
    for (size_t i = 0; i < NROW; i++)
        free(v[i]);
    free(raw);
    return rc;
}

/* R-NOTE-12 with R-SYN-1c: like the order lookups, GetInquiryMessage documents no paging
 * and may cut a long answer short (qapi.md), so its windows are split at the shop's
 * sync.window_cap as the orders' are (sync_fetch). */
static const struct sync_query INQUIRY_Q = {.method = "CSCenter.GetInquiryMessage",
                                            .status_name = "proc_status",
                                            .status = "",
                                            .start_name = "search_start_dt",
                                            .end_name = "search_end_dt"}; /* no date condition */

struct pull {
    struct store *s;
    const char *shop;
    char now_iso[32];
    long *rows;
    struct qs_err *e;
};

/* The rows of one window, in one transaction (sync_window_fn). */
static int pull_window(const struct sync_window *w, json_t *list, void *ctx)
{
    struct pull *p = ctx;
    sqlite3_stmt *st = NULL;
    json_t *row;
    size_t k;
    int rc;

    (void)w;
    if ((rc = store_begin(p->s, p->e)) < 0)
        return rc;
    if (sqlite3_prepare_v2(store_db(p->s),
                           "INSERT INTO note_inquiry(shop, question_no, seq_no, inq_type, inq_date,"
                           " buyer, category, title, contents, item_code, item_name, order_no,"
                           " claim, status, raw, created_at, updated_at) VALUES (?1, ?2, ?3, ?4,"
                           " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)"
                           " ON CONFLICT(shop, question_no, seq_no) DO UPDATE SET inq_type = ?4,"
                           " inq_date = ?5, buyer = ?6, category = ?7, title = ?8, contents = ?9,"
                           " item_code = ?10, item_name = ?11, order_no = ?12, claim = ?13,"
                           " status = ?14, raw = ?15, updated_at = ?16",
                           -1, &st, NULL) != SQLITE_OK)
        rc = store_sqlerr(p->s, p->e, "note_inquiry");
    json_array_foreach(json_is_array(list) ? list : NULL, k, row)
    {
        if (rc == 0 && json_is_object(row)) {
            rc = store_row(p->s, st, p->shop, row, p->now_iso, p->e);
            (*p->rows)++;
        }
    }
    sqlite3_finalize(st);
    if (rc == 0)
        rc = store_commit(p->s, p->e);
    else
        store_rollback(p->s);
    return rc;
}

int note_inbox_pull(struct store *s, struct qapi *q, const char *shop, time_t since, time_t now,
                    struct note_inbox_stats *st, struct qs_err *e)
{
    struct pull p = {.s = s, .shop = shop, .rows = &st->rows, .e = e};
    struct sync_fetch_stats fst = {0};
    time_t from = since, mark;
    int rc;

    *st = (struct note_inbox_stats){.cap = SYNC_DEFAULT_CAP};
    tm_utc_iso(now, p.now_iso, sizeof p.now_iso);
    if ((rc = mark_get(s, shop, "inbox", &mark, e)) < 0 ||
        (rc = settings_long(s, shop, "sync.window_cap", &st->cap, e)) < 0)
        return rc;
    if (st->cap <= 0)
        st->cap = SYNC_DEFAULT_CAP;
    if (!from)
        from = mark ? mark - 86400 : now - 30L * 86400; /* the overlap catches late rows */
    rc = sync_fetch(q, &INQUIRY_Q, NULL, from, now, st->cap, NULL, pull_window, &p, &fst, e);
    st->truncated = fst.truncated;
    if (rc == 0)
        rc = mark_set(s, shop, "inbox", now, e);
    return rc;
}

static char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    return xstrdup(v ? (const char *)v : "");
}

int note_inquiry_each(struct store *s, const char *shop, const char *status,
                      int (*fn)(const struct note_inquiry *q, void *ctx), void *ctx,
                      struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = 0, step;
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT question_no, seq_no, inq_type, status, inq_date, buyer,"
                           " category, title, contents, item_code, item_name, order_no, claim"
                           " FROM note_inquiry WHERE shop = ?1 AND (?2 IS NULL OR status = ?2)"
                           " ORDER BY inq_date DESC, CAST(question_no AS INTEGER) DESC,"
                           " CAST(seq_no AS INTEGER) DESC",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, shop, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC)) {
        rc = store_sqlerr(s, e, "note_inquiry");
        goto out;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
#define C(i) ((const char *)sqlite3_column_text(st, i))
        struct note_inquiry q = {C(0), C(1), C(2), C(3),  C(4),  C(5), C(6),
                                 C(7), C(8), C(9), C(10), C(11), C(12)};
#undef C
        if ((rc = fn(&q, ctx)) != 0)
            goto out;
    }
    if (step != SQLITE_DONE)
        rc = store_sqlerr(s, e, "note_inquiry");
out:
    sqlite3_finalize(st);
    return rc;
}

/* ---- replies ------------------------------------------------------------------------ */

struct rline {
    char *question_no, *seq_no, *inq_type, *order_no, *buyer, *item_name;
    char *body, *key;
    const char *pre; /* settled without a send */
    char *pre_msg;
    long line;
};

struct rrun {
    struct store *s;
    const struct note_reply_opts *o;
    struct rline *l;
    size_t n;
    struct qapi *q;
};

static void rpre(struct rline *l, const char *result, const struct qs_err *e)
{
    l->pre = result;
    free(l->pre_msg);
    l->pre_msg = e->rule[0] ? xasprintf("%s (%s)", e->msg, e->rule) : xstrdup(e->msg);
}

/* The inquiry's latest message: what a reply answers. */
static int inquiry_get(struct store *s, const char *shop, struct rline *l, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = 0, step;
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT seq_no, inq_type, order_no, buyer, item_name FROM note_inquiry"
                           " WHERE shop = ?1 AND question_no = ?2"
                           " ORDER BY CAST(seq_no AS INTEGER) DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, shop, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 2, l->question_no, -1, SQLITE_STATIC))
        rc = store_sqlerr(s, e, "note_inquiry");
    else if ((step = sqlite3_step(st)) == SQLITE_ROW) {
        l->seq_no = col(st, 0);
        l->inq_type = col(st, 1);
        l->order_no = col(st, 2);
        l->buyer = col(st, 3);
        l->item_name = col(st, 4);
        rc = 1;
    } else if (step != SQLITE_DONE)
        rc = store_sqlerr(s, e, "note_inquiry");
    sqlite3_finalize(st);
    return rc;
}

struct rpass {
    struct rrun *r;
    const struct note_reply_req *reqs;
};

/* Renders a reply from its order's stored line when the inquiry names one. */
static int rrender_line(const struct sync_line *sl, void *ctx)
{
    struct rpass *ps = ctx;
    struct rrun *r = ps->r;
    for (size_t i = 0; i < r->n; i++) {
        struct rline *l = &r->l[i];
        struct note_vars v;
        struct qs_err le;
        if (l->pre || l->body || strcmp(l->order_no, sl->order_no) != 0)
            continue;
        err_clear(&le);
        note_vars_line(&v, sl, r->o->tz);
        v.v[NOTE_PH_BUYER] = *l->buyer ? l->buyer : sl->buyer;
        const char *text = ps->reqs[i].body ? ps->reqs[i].body : r->o->body;
        if (note_render(text, &v, &l->body, &le) < 0)
            rpre(l, "failed", &le);
    }
    return 0;
}

static int reply_prepare(struct rrun *r, const struct note_reply_req *reqs, struct qs_err *e)
{
    struct rpass ps = {r, reqs};
    int rc, need_pass = 0;

    for (size_t i = 0; i < r->n; i++) {
        struct rline *l = &r->l[i];
        struct qs_err le;
        const char *text = reqs[i].body ? reqs[i].body : r->o->body;
        unsigned uses = 0;
        err_clear(&le);
        if ((rc = inquiry_get(r->s, r->o->shop, l, e)) < 0)
            return rc;
        if (rc == 0) {
            err_set(&le, QS_E_DATA, RULE, "unknown inquiry %s; run qs note inbox first",
                    l->question_no);
            l->seq_no = xstrdup("");
            l->inq_type = l->order_no = l->buyer = l->item_name = NULL;
            rpre(l, "failed", &le);
            continue;
        }
        if (!text || note_tmpl_parse(text, &uses, &le) < 0) {
            if (!text)
                err_set(&le, QS_E_DATA, RULE, "no reply text: give --body or --template");
            rpre(l, "failed", &le);
            continue;
        }
        /* The order's own values when it is in the store; the inquiry's otherwise. */
        if (*l->order_no &&
            (uses & ~(1u << NOTE_PH_ORDER_ID | 1u << NOTE_PH_BUYER | 1u << NOTE_PH_ITEM_NAME)))
            need_pass = 1;
        else {
            struct note_vars v = {0};
            v.v[NOTE_PH_ORDER_ID] = l->order_no;
            v.v[NOTE_PH_BUYER] = l->buyer;
            v.v[NOTE_PH_ITEM_NAME] = l->item_name;
            if (note_render(text, &v, &l->body, &le) < 0)
                rpre(l, "failed", &le);
        }
    }
    if (need_pass && (rc = sync_lines_each(r->s, r->o->shop, 0, 0, rrender_line, &ps, e)) < 0)
        return rc;
    for (size_t i = 0; i < r->n; i++) {
        struct rline *l = &r->l[i];
        struct qs_err le;
        err_clear(&le);
        if (l->pre)
            continue;
        if (!l->body) {
            err_set(&le, QS_E_DATA, "R-NOTE-8",
                    "the reply has order placeholders, and order %s is not in the store; run "
                    "qs sync orders first",
                    l->order_no);
            rpre(l, "failed", &le);
        } else if (note_check_text("reply", l->body, NOTE_REPLY_MAX, 0, &le) < 0) {
            snprintf(le.rule, sizeof le.rule, "%s", RULE); /* R-NOTE-12: 4000 characters */
            rpre(l, "failed", &le);
        } else if (!r->o->allow_personal && note_guard("reply", l->body, &le) < 0) {
            rpre(l, "failed", &le);
        } else {
            l->key = xasprintf("%s:Q%s:%s", r->o->shop, l->question_no, l->seq_no);
        }
    }
    return 0;
}

/* The built-in sender of deliver for replies: SetInquiryMessage per item. The client
 * sends it again only when it surely never left (R-SYN-7): there is no read to tell
 * whether a reply whose answer was lost arrived, so such a reply is failed, not retried
 * (SPEC 1.6). */
static int reply_send(const struct deliver_spec *d, const struct outbox_item *items, size_t n,
                      struct deliver_result *res, FILE *dry, void *ctx, struct qs_err *e)
{
    struct rrun *r = ctx;
    (void)d;
    (void)dry;
    for (size_t i = 0; i < n; i++) {
        json_t *pl = json_loads(items[i].payload ? items[i].payload : "{}", 0, NULL);
        const char *v[4];
        static const char *const names[] = {"inq_type", "question_no", "seq_no", "contents"};
        struct qapi_result qr;
        struct qs_err ce;
        int rc;
        for (int k = 0; k < 4; k++) {
            v[k] = json_string_value(json_object_get(pl, names[k]));
            v[k] = v[k] ? v[k] : "";
        }
        struct qapi_param ps[] = {
            {"inq_type", v[0]}, {"question_no", v[1]}, {"seq_no", v[2]}, {"contents", v[3]}};
        err_clear(&ce);
        rc = qapi_call(r->q, "CSCenter.SetInquiryMessage", ps, 4, items[i].key, &qr, &ce);
        json_decref(pl);
        if (rc == 0) {
            res[i].status = DELIVER_OK;
            res[i].ref = jtext(qr.object, "SEQ_NO");
            if (!*res[i].ref) {
                free(res[i].ref);
                res[i].ref = xstrdup("replied");
            }
        } else if (rc == QS_E_FAIL && qr.cls == QAPI_INVALID) {
            res[i].status = DELIVER_FAILED;
            res[i].error = xstrdup(qr.msg ? qr.msg : ce.msg);
            res[i].code = xasprintf("%d", qr.code);
        } else if (rc == QS_E_FAIL || rc == QS_E_TEMP || rc == QS_E_UNAVAILABLE) {
            res[i].status = DELIVER_FAILED;
            res[i].error = xasprintf("no answer, so the reply may or may not have arrived: look "
                                     "in QSM before --retry-failed (%s)",
                                     ce.msg);
        } else {
            qapi_result_free(&qr);
            *e = ce;
            return rc;
        }
        qapi_result_free(&qr);
    }
    return 0;
}

static int item_cmp(const void *a, const void *b)
{
    return strcmp(((const struct outbox_item *)a)->key, ((const struct outbox_item *)b)->key);
}

static struct outbox_item *box_find(struct outbox_item *box, size_t n, const char *key)
{
    struct outbox_item k = {.key = (char *)key};
    return n ? bsearch(&k, box, n, sizeof *box, item_cmp) : NULL;
}

static int box_load(struct store *s, const char *shop, struct outbox_item **box, size_t *n,
                    struct qs_err *e)
{
    int rc = outbox_list(s, shop, NOTE_REPLY_KIND, -1, box, n, e);
    if (rc == 0 && *n)
        qsort(*box, *n, sizeof **box, item_cmp);
    return rc;
}

static int enqueue(struct rrun *r, struct qs_err *e)
{
    struct outbox_item *box = NULL;
    size_t nbox = 0;
    int rc, own = sqlite3_get_autocommit(store_db(r->s));

    if ((rc = box_load(r->s, r->o->shop, &box, &nbox, e)) < 0)
        return rc;
    if (own && (rc = store_begin(r->s, e)) < 0)
        goto out;
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        struct rline *l = &r->l[i];
        struct outbox_item *it;
        if (l->pre)
            continue;
        /* R-NOTE-12: exactly once per inquiry message, whatever the text. */
        it = box_find(box, nbox, l->key);
        if (it && it->state == OUTBOX_DONE) {
            struct qs_err le;
            err_set(&le, 0, NULL, "already answered (%s)", it->ref ? it->ref : "");
            rpre(l, "ok", &le);
            continue;
        }
        json_t *pl = json_pack("{s:s, s:s, s:s, s:s}", "question_no", l->question_no, "seq_no",
                               l->seq_no, "inq_type", l->inq_type, "contents", l->body);
        char *text = pl ? json_dumps(pl, JSON_COMPACT) : NULL;
        json_decref(pl);
        if (!text) {
            struct qs_err le;
            err_set(&le, QS_E_DATA, RULE, "the reply is not valid UTF-8");
            rpre(l, "failed", &le);
            continue;
        }
        rc = outbox_enqueue(r->s, r->o->shop, NOTE_REPLY_KIND, l->key, text, time(NULL), NULL, e);
        rc = rc > 0 ? 0 : rc;
        free(text);
    }
    if (own) {
        if (rc == 0)
            rc = store_commit(r->s, e);
        else
            store_rollback(r->s);
    }
out:
    outbox_items_free(box, nbox);
    return rc;
}

/* Replied inquiries are done (S3) here too, until the next pull says otherwise. */
static int mark_done(struct rrun *r, struct outbox_item *box, size_t nbox, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = store_begin(r->s, e)) < 0)
        return rc;
    if (sqlite3_prepare_v2(store_db(r->s),
                           "UPDATE note_inquiry SET status = 'S3' WHERE shop = ?1 AND"
                           " question_no = ?2 AND seq_no = ?3",
                           -1, &st, NULL) != SQLITE_OK)
        rc = store_sqlerr(r->s, e, "note_inquiry");
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        struct rline *l = &r->l[i];
        struct outbox_item *it = l->key ? box_find(box, nbox, l->key) : NULL;
        if (!it || it->state != OUTBOX_DONE)
            continue;
        sqlite3_reset(st);
        if (sqlite3_bind_text(st, 1, r->o->shop, -1, SQLITE_STATIC) ||
            sqlite3_bind_text(st, 2, l->question_no, -1, SQLITE_STATIC) ||
            sqlite3_bind_text(st, 3, l->seq_no, -1, SQLITE_STATIC) ||
            sqlite3_step(st) != SQLITE_DONE)
            rc = store_sqlerr(r->s, e, "note_inquiry");
    }
    sqlite3_finalize(st);
    if (rc == 0)
        return store_commit(r->s, e);
    store_rollback(r->s);
    return rc;
}

static int report(struct rrun *r, struct outbox_item *box, size_t nbox, note_result_fn fn,
                  void *ctx, struct note_send_stats *st)
{
    int rc = 0;
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        struct rline *l = &r->l[i];
        struct outbox_item *it = l->key ? box_find(box, nbox, l->key) : NULL;
        struct note_result res = {l->question_no, "retry", l->key ? l->key : "", "", "queued", 0};
        if (l->pre) {
            res.result = l->pre;
            res.already = strcmp(l->pre, "ok") == 0; /* "already answered" */
            res.message = l->pre_msg;
            res.ref = it && it->ref ? it->ref : "";
        } else if (it) {
            res.ref = it->ref ? it->ref : "";
            switch (it->state) {
            case OUTBOX_DONE:
                res.result = "ok", res.message = "replied";
                break;
            case OUTBOX_FAILED:
                res.result = "failed", res.message = it->last_error ? it->last_error : "refused";
                break;
            case OUTBOX_UNKNOWN:
                res.result = "unknown";
                res.message = "in flight when its run died; look in QSM, then --resend-unknown";
                break;
            default:
                res.message = it->last_error ? it->last_error : "queued";
            }
        }
        if (strcmp(res.result, "ok") == 0)
            st->sent++;
        else if (strcmp(res.result, "failed") == 0)
            st->failed++;
        else if (strcmp(res.result, "unknown") == 0)
            st->unknown++;
        else
            st->retry++;
        rc = fn(&res, ctx);
    }
    return rc;
}

int note_reply(struct store *s, struct qapi *q, const struct note_reply_opts *o,
               const struct note_reply_req *reqs, size_t n, note_result_fn fn, void *ctx,
               struct note_send_stats *st, struct qs_err *e)
{
    struct rrun r = {.s = s, .o = o, .n = n, .q = q};
    struct deliver_report rep;
    struct outbox_item *box = NULL;
    size_t nbox = 0;
    int rc;

    memset(st, 0, sizeof *st);
    r.l = xcalloc(n + 1, sizeof *r.l);
    for (size_t i = 0; i < n; i++) {
        r.l[i].question_no = xstrdup(reqs[i].question_no);
        r.l[i].line = reqs[i].line;
    }
    if ((rc = reply_prepare(&r, reqs, e)) < 0 || (rc = enqueue(&r, e)) < 0)
        goto out;
    struct deliver_opts d = {
        .qapi_kind = 1,
        .batch = 50,
        .retry_failed = o->retry_failed,
        .resend_unknown = o->resend_unknown,
        .dry_run = o->dry_run,
        .send = reply_send,
        .send_ctx = &r,
        .prog = o->prog,
    };
    if ((rc = deliver_run(s, o->shop, NOTE_REPLY_KIND, &d, &rep, e)) < 0 || o->dry_run)
        goto out;
    if ((rc = box_load(s, o->shop, &box, &nbox, e)) < 0 || (rc = mark_done(&r, box, nbox, e)) < 0)
        goto out;
    rc = report(&r, box, nbox, fn, ctx, st);
out:
    outbox_items_free(box, nbox);
    for (size_t i = 0; i < n; i++) {
        struct rline *l = &r.l[i];
        free(l->question_no);
        free(l->seq_no);
        free(l->inq_type);
        free(l->order_no);
        free(l->buyer);
        free(l->item_name);
        free(l->body);
        free(l->key);
        free(l->pre_msg);
    }
    free(r.l);
    return rc;
}

/* notify_store: notification templates (R-SYN-4), one row of notify_template per
 * revision: a change is a new revision, none is ever deleted (QSM keeps its templates;
 * `use ID N` turns one off). The event kinds' names live here too. */
#include "notify.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tm.h"
#include "../xalloc.h"

#define RULE "R-SYN-4"

static const char *const ev_names[NOTIFY_EV_N] = {"order", "paid", "completed", "cancel-requested",
                                                  "cancelled"};
/* QSM's 目录提示 (seed 001) */
static const char *const ev_qsm[NOTIFY_EV_N] = {"订购提示", "买家已付款", "交易完成", "取消要求件",
                                                "取消完成"};

const char *notify_event_name(int k)
{
    return k >= 0 && k < NOTIFY_EV_N ? ev_names[k] : "";
}

const char *notify_event_qsm(int k)
{
    return k >= 0 && k < NOTIFY_EV_N ? ev_qsm[k] : "";
}

int notify_event_parse(const char *name)
{
    for (int i = 0; name && i < NOTIFY_EV_N; i++)
        if (strcmp(name, ev_names[i]) == 0 || strcmp(name, ev_qsm[i]) == 0)
            return i;
    return -1;
}

int notify_send_type_valid(const char *s)
{
    return s && (strcmp(s, "EMAIL") == 0 || strcmp(s, "POST") == 0 || strcmp(s, "AGENT") == 0);
}

void notify_tmpl_clear(struct notify_tmpl *t)
{
    if (!t)
        return;
    free(t->grp);
    free(t->name);
    free(t->send_type);
    free(t->sign_key);
    free(t->to);
    free(t->subject);
    free(t->body);
    free(t->at);
    memset(t, 0, sizeof *t);
}

#define TMPL_COLS                                                                                  \
    "id, rev, kind, grp, name, send_type, sign_key, to_addr, use_yn, wait_yn, wait_min, subject,"  \
    " body, at"

static void tmpl_read(sqlite3_stmt *st, struct notify_tmpl *t)
{
    t->id = (long)sqlite3_column_int64(st, 0);
    t->rev = (long)sqlite3_column_int64(st, 1);
    t->kind = notify_event_parse(store_col_text(st, 2));
    t->grp = xstrdup(store_col_text(st, 3));
    t->name = xstrdup(store_col_text(st, 4));
    t->send_type = xstrdup(store_col_text(st, 5));
    t->sign_key = xstrdup(store_col_text(st, 6));
    t->to = xstrdup(store_col_text(st, 7));
    t->use = sqlite3_column_int(st, 8);
    t->wait = sqlite3_column_int(st, 9);
    t->wait_min = (long)sqlite3_column_int64(st, 10);
    t->subject = xstrdup(store_col_text(st, 11));
    t->body = xstrdup(store_col_text(st, 12));
    t->at = xstrdup(store_col_text(st, 13));
}

struct walk {
    int (*fn)(const struct notify_tmpl *t, void *ctx);
    void *ctx;
};

static int walk_row(sqlite3_stmt *st, void *p)
{
    struct walk *w = p;
    struct notify_tmpl t = {0};
    tmpl_read(st, &t);
    int rc = w->fn(&t, w->ctx);
    notify_tmpl_clear(&t);
    return rc;
}

int notify_tmpl_each(struct store *s, const char *shop, long id, int revs,
                     int (*fn)(const struct notify_tmpl *t, void *ctx), void *ctx, struct qs_err *e)
{
    struct walk w = {fn, ctx};
    if (revs)
        return store_each(s,
                          "SELECT " TMPL_COLS " FROM notify_template WHERE shop = ?1 AND id = ?2"
                          " ORDER BY rev",
                          walk_row, &w, e, "sl", shop, (long long)id);
    return store_each(s,
                      "SELECT " TMPL_COLS " FROM notify_template t WHERE shop = ?1"
                      " AND rev = (SELECT max(rev) FROM notify_template WHERE shop = t.shop"
                      " AND id = t.id) ORDER BY id",
                      walk_row, &w, e, "s", shop);
}

struct one {
    struct notify_tmpl *t;
    int found;
};

static int one_row(sqlite3_stmt *st, void *p)
{
    struct one *o = p;
    tmpl_read(st, o->t);
    o->found = 1;
    return 1;
}

int notify_tmpl_get(struct store *s, const char *shop, long id, long rev, struct notify_tmpl *out,
                    struct qs_err *e)
{
    struct one o = {out, 0};
    int rc;
    memset(out, 0, sizeof *out);
    rc = store_each(s,
                    "SELECT " TMPL_COLS " FROM notify_template WHERE shop = ?1 AND id = ?2"
                    " AND (?3 = 0 OR rev = ?3) ORDER BY rev DESC LIMIT 1",
                    one_row, &o, e, "sll", shop, (long long)id, (long long)rev);
    if (rc < 0)
        return rc;
    if (!o.found)
        return rev > 0 ? err_set(e, QS_E_DATA, RULE,
                                 "template %ld has no revision %ld; see qs sync notify template "
                                 "list %ld",
                                 id, rev, id)
                       : err_set(e, QS_E_DATA, RULE,
                                 "no template %ld; see qs sync notify template list", id);
    return 0;
}

/* A name, group or address: one line, not empty, at most max bytes. */
static int check_line(const char *what, const char *v, size_t max, int empty_ok, struct qs_err *e)
{
    if (!v || (!*v && !empty_ok))
        return err_set(e, QS_E_USAGE, RULE, "the template needs a %s", what);
    if (strlen(v) > max || strpbrk(v, "\r\n"))
        return err_set(e, QS_E_USAGE, RULE, "the %s is one line of at most %zu bytes", what, max);
    return 0;
}

static int check(const struct notify_tmpl *t, struct qs_err *e)
{
    int rc;
    if (t->kind < 0 || t->kind >= NOTIFY_EV_N)
        return err_set(e, QS_E_USAGE, RULE,
                       "the template needs an event kind: order, paid, completed, "
                       "cancel-requested or cancelled");
    if ((rc = check_line("group", t->grp, 80, 0, e)) < 0 ||
        (rc = check_line("name", t->name, 200, 0, e)) < 0 ||
        (rc = check_line("sign key", t->sign_key, 200, 1, e)) < 0 ||
        (rc = check_line("address", t->to, 320, 1, e)) < 0 ||
        (rc = check_line("subject", t->subject, 998, 0, e)) < 0)
        return rc;
    if (!notify_send_type_valid(t->send_type))
        return err_set(e, QS_E_USAGE, RULE, "send type \"%s\" is not EMAIL, POST or AGENT",
                       t->send_type ? t->send_type : "");
    if (!t->body)
        return err_set(e, QS_E_USAGE, RULE, "the template needs a body");
    /* R-SYN-5: an unknown name or an open block is refused when the template is saved */
    if ((rc = notify_tmpl_check(t->subject, e)) < 0) {
        err_record(e, "subject");
        return rc;
    }
    if ((rc = notify_tmpl_check(t->body, e)) < 0) {
        err_record(e, "body");
        return rc;
    }
    return 0;
}

#define KEEP(f) (t->f ? t->f : old.f)

int notify_tmpl_save(struct store *s, const char *shop, const struct notify_tmpl *t, int edit,
                     long *id, long *rev, struct qs_err *e)
{
    struct notify_tmpl old = {0}, nw;
    char at[32];
    long long next = 1;
    int rc;

    if ((rc = store_begin(s, e)) < 0)
        return rc;
    if (edit) {
        if ((rc = notify_tmpl_get(s, shop, t->id, 0, &old, e)) < 0)
            goto fail;
        nw = (struct notify_tmpl){
            .id = old.id,
            .rev = old.rev + 1,
            .kind = t->kind >= 0 ? t->kind : old.kind,
            .grp = KEEP(grp),
            .name = KEEP(name),
            .send_type = KEEP(send_type),
            .sign_key = KEEP(sign_key),
            .to = KEEP(to),
            .subject = KEEP(subject),
            .body = KEEP(body),
            .use = t->use >= 0 ? t->use : old.use,
            .wait = t->wait >= 0 ? t->wait : old.wait,
            .wait_min = t->wait_min >= -1 ? t->wait_min : old.wait_min,
        };
    } else {
        struct store_text txt = {0};
        char buf[32];
        txt.buf = buf;
        txt.size = sizeof buf;
        buf[0] = '\0';
        if ((rc = store_each(s,
                             "SELECT coalesce(max(id), 0) + 1 FROM notify_template WHERE shop = ?1",
                             store_row_text, &txt, e, "s", shop)) < 0)
            goto fail;
        next = atoll(buf);
        nw = *t;
        nw.id = (long)next;
        nw.rev = 1;
        if (!nw.send_type)
            nw.send_type = "EMAIL";
        if (!nw.sign_key)
            nw.sign_key = "";
        if (!nw.to)
            nw.to = "";
        if (nw.use < 0)
            nw.use = 1;
        if (nw.wait < 0)
            nw.wait = 0;
        if (nw.wait_min < -1)
            nw.wait_min = -1;
    }
    if ((rc = check(&nw, e)) < 0)
        goto fail;
    tm_utc_iso(time(NULL), at, sizeof at);
    rc = store_run(s, e,
                   "INSERT INTO notify_template(shop, " TMPL_COLS ")"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                   "sllssssssiilsss", shop, (long long)nw.id, (long long)nw.rev,
                   notify_event_name(nw.kind), nw.grp, nw.name, nw.send_type, nw.sign_key, nw.to,
                   nw.use, nw.wait, (long long)nw.wait_min, nw.subject, nw.body, at);
    if (rc < 0 || (rc = store_commit(s, e)) < 0)
        goto fail;
    if (id)
        *id = nw.id;
    if (rev)
        *rev = nw.rev;
    notify_tmpl_clear(&old);
    return 0;
fail:
    store_rollback(s);
    notify_tmpl_clear(&old);
    return rc;
}

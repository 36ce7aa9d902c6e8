/* note_rule: automatic notes (R-NOTE-9, the seed's 智能客服 and 物流消息): rules and
 * `qs note run`, which fires each rule at most once per order and keeps a daily cap,
 * holding what is over it for the next day. Owns the tables note_rule and note_fire. */
#include "note.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../settings.h"
#include "../shop.h"
#include "../tm.h"
#include "../xalloc.h"

#define RULE "R-NOTE-9"

/* unit: 'm' minutes, 'd' days, 0 no N. */
static const struct {
    const char *name;
    char unit;
    long def, min, max;
} kinds[NOTE_R_NKINDS] = {
    [NOTE_R_SHIPPED] = {"shipped", 0, 0, 0, 0},
    [NOTE_R_UNPAID] = {"unpaid", 'm', 60, 31, 7 * 1440}, /* N > 30 minutes */
    [NOTE_R_PAID] = {"paid", 0, 0, 0, 0},
    [NOTE_R_DELAYED] = {"delayed", 'd', 3, 1, 100}, /* 1 <= N <= 100 days */
    [NOTE_R_DELIVERED] = {"delivered", 0, 0, 0, 0},
    [NOTE_R_STALLED] = {"stalled", 'd', 15, 1, 100},
    [NOTE_R_ARRIVED] = {"arrived", 0, 0, 0, 0},
    [NOTE_R_DELIVERY_FAILED] = {"delivery-failed", 0, 0, 0, 0},
    [NOTE_R_NO_TRACKING] = {"no-tracking", 'd', 7, 1, 100},
};

const char *note_rule_kind_name(enum note_rule_kind k)
{
    return k < NOTE_R_NKINDS ? kinds[k].name : "";
}

int note_rule_kind_parse(const char *s)
{
    for (int k = 0; k < NOTE_R_NKINDS; k++)
        if (strcmp(kinds[k].name, s) == 0)
            return k;
    return -1;
}

int note_rule_kind_tracking(enum note_rule_kind k)
{
    return k == NOTE_R_ARRIVED || k == NOTE_R_DELIVERY_FAILED || k == NOTE_R_NO_TRACKING;
}

void note_rule_clear(struct note_rule *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->template);
    free(r->category);
    free(r->title);
    free(r->body);
    free(r->countries);
    free(r->since);
    free(r->created);
    memset(r, 0, sizeof *r);
}

int note_rule_check(struct note_rule *r, struct qs_err *e)
{
    const char *k = kinds[r->kind].name;
    if (!r->name || !*r->name || strlen(r->name) > 64 || strpbrk(r->name, ":\r\n"))
        return err_set(e, QS_E_USAGE, RULE, "a rule name is 1-64 bytes on one line, without ':'");
    if (!kinds[r->kind].unit && r->after >= 0)
        return err_set(e, QS_E_USAGE, RULE, "a %s rule takes no --after", k);
    if (kinds[r->kind].unit && r->after < 0)
        r->after = kinds[r->kind].def;
    if (kinds[r->kind].unit && (r->after < kinds[r->kind].min || r->after > kinds[r->kind].max))
        return err_set(e, QS_E_USAGE, RULE, "a %s rule fires %ld to %ld %s after %s, not %ld", k,
                       kinds[r->kind].min, kinds[r->kind].max,
                       kinds[r->kind].unit == 'm' ? "minutes" : "days",
                       r->kind == NOTE_R_UNPAID    ? "the order (more than 30 minutes)"
                       : r->kind == NOTE_R_DELAYED ? "payment"
                       : r->kind == NOTE_R_STALLED ? "shipping"
                                                   : "the order",
                       r->after);
    if (r->min_amount >= 0 && r->max_amount >= 0 && r->min_amount > r->max_amount)
        return err_set(e, QS_E_USAGE, RULE, "--min-amount %lld is above --max-amount %lld",
                       r->min_amount, r->max_amount);
    if (r->max_age < 1 || r->max_age > 30)
        return err_set(e, QS_E_USAGE, RULE, "--max-age is 1 to 30 days, not %ld", r->max_age);
    if (!r->countries)
        r->countries = xstrdup("");
    for (char *c = r->countries; *c; c++) {
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
        if (!((*c >= 'A' && *c <= 'Z') || *c == ','))
            return err_set(e, QS_E_USAGE, RULE,
                           "--country takes country codes like JP,KR, not \"%s\"", r->countries);
    }
    return 0;
}

/* The rule's text: its template's (loaded now) or its own. Fills m (owned strings). */
int note_rule_msg(struct store *s, const char *shop, const struct note_rule *r, struct note_msg *m,
                  struct qs_err *e)
{
    memset(m, 0, sizeof *m);
    m->email = 1;
    if (r->template && *r->template) {
        struct note_tmpl t;
        int rc = note_tmpl_get(s, shop, r->template, &t, e);
        if (rc < 0)
            return rc;
        m->category = xstrdup(r->category && *r->category ? r->category : t.category);
        m->title = t.title, t.title = NULL;
        m->body = t.body, t.body = NULL;
        m->template = xstrdup(r->template);
        note_tmpl_clear(&t);
    } else {
        m->category = xstrdup(r->category && *r->category ? r->category : "other");
        m->title = xstrdup(r->title ? r->title : "");
        m->body = xstrdup(r->body ? r->body : "");
    }
    return 0;
}

int note_rule_add(struct store *s, const char *shop, struct note_rule *r, int allow_personal,
                  struct qs_err *e)
{
    struct note_msg m;
    enum deliver_type dt;
    sqlite3_stmt *st = NULL;
    char now[32], *hook = NULL;
    int rc;

    if ((rc = note_rule_check(r, e)) < 0)
        return rc;
    if ((rc = note_rule_msg(s, shop, r, &m, e)) < 0)
        return rc;
    if ((rc = note_msg_check(&m, allow_personal, e)) < 0 ||
        (rc = note_delivery_type(s, shop, NULL, &dt, e)) < 0)
        goto out;
    /* R-NOTE-5: an unpaid order is reachable only by the seller's own channel. */
    if (r->kind == NOTE_R_UNPAID && dt != DELIVER_HOOK) {
        rc = err_set(e, QS_E_DATA, "R-NOTE-5",
                     "an unpaid rule needs a hook: note delivery (QSM's note screen cannot "
                     "address unpaid orders); set one with qs init --deliver note=hook:COMMAND");
        goto out;
    }
    if (m.uses && dt == DELIVER_FILE) {
        rc = err_set(e, QS_E_DATA, "R-NOTE-11",
                     "the rule's text has placeholders and varies per order: the file: hand-off "
                     "cannot send it; use a hook: note delivery");
        goto out;
    }
    if ((rc = settings_string(s, shop, "note.tracking_hook", &hook, e)) < 0)
        goto out;
    rc = 0;
    if (note_rule_kind_tracking(r->kind) && (!hook || !*hook)) {
        rc = err_set(e, QS_E_DATA, RULE,
                     "a %s rule needs carrier events from a tracking hook; set one with qs init "
                     "--set note.tracking_hook=COMMAND",
                     kinds[r->kind].name);
        goto out;
    }
    tm_utc_iso(time(NULL), now, sizeof now);
    if (sqlite3_prepare_v2(store_db(s),
                           "INSERT INTO note_rule(shop, name, kind, after, template, category,"
                           " title, body, min_amount, max_amount, countries, max_age, enabled,"
                           " since, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                           " ?8, ?9, ?10, ?11, ?12, 1, ?13, ?14, ?14)",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, shop, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 2, r->name, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 3, kinds[r->kind].name, -1, SQLITE_STATIC) ||
        sqlite3_bind_int64(st, 4, r->after < 0 ? 0 : r->after) ||
        sqlite3_bind_text(st, 5, r->template, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 6, r->category ? r->category : "", -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 7, r->title ? r->title : "", -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 8, r->body ? r->body : "", -1, SQLITE_STATIC) ||
        (r->min_amount >= 0 ? sqlite3_bind_int64(st, 9, r->min_amount)
                            : sqlite3_bind_null(st, 9)) ||
        (r->max_amount >= 0 ? sqlite3_bind_int64(st, 10, r->max_amount)
                            : sqlite3_bind_null(st, 10)) ||
        sqlite3_bind_text(st, 11, r->countries, -1, SQLITE_STATIC) ||
        sqlite3_bind_int64(st, 12, r->max_age) ||
        sqlite3_bind_text(st, 13, r->since ? r->since : now, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 14, now, -1, SQLITE_STATIC)) {
        rc = store_sqlerr(s, e, "note_rule");
        goto out;
    }
    if (sqlite3_step(st) != SQLITE_DONE) {
        if (sqlite3_extended_errcode(store_db(s)) == SQLITE_CONSTRAINT_PRIMARYKEY)
            rc = err_set(e, QS_E_DATA, RULE, "rule \"%s\" exists", r->name);
        else
            rc = store_sqlerr(s, e, "note_rule");
    }
out:
    sqlite3_finalize(st);
    note_msg_clear(&m);
    free(hook);
    return rc;
}

int note_rule_enable(struct store *s, const char *shop, const char *name, int on, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc = 0;
    tm_utc_iso(time(NULL), now, sizeof now);
    if (sqlite3_prepare_v2(store_db(s),
                           "UPDATE note_rule SET enabled = ?3, updated_at = ?4"
                           " WHERE shop = ?1 AND name = ?2",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, shop, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC) || sqlite3_bind_int(st, 3, on) ||
        sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC) || sqlite3_step(st) != SQLITE_DONE)
        rc = store_sqlerr(s, e, "note_rule");
    else if (sqlite3_changes(store_db(s)) == 0)
        rc = err_set(e, QS_E_DATA, RULE, "no rule named \"%s\"; see qs note rule list", name);
    sqlite3_finalize(st);
    return rc;
}

static char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    return v ? xstrdup((const char *)v) : NULL;
}

int note_rule_each(struct store *s, const char *shop,
                   int (*fn)(const struct note_rule *r, void *ctx), void *ctx, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = 0, step;
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT name, kind, after, template, category, title, body,"
                           " coalesce(min_amount, -1), coalesce(max_amount, -1), countries,"
                           " max_age, enabled, since, created_at FROM note_rule WHERE shop = ?1"
                           " ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, shop, -1, SQLITE_STATIC)) {
        rc = store_sqlerr(s, e, "note_rule");
        goto out;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct note_rule r = {
            .name = col(st, 0),
            .after = sqlite3_column_int64(st, 2),
            .template = col(st, 3),
            .category = col(st, 4),
            .title = col(st, 5),
            .body = col(st, 6),
            .min_amount = sqlite3_column_int64(st, 7),
            .max_amount = sqlite3_column_int64(st, 8),
            .countries = col(st, 9),
            .max_age = sqlite3_column_int64(st, 10),
            .enabled = sqlite3_column_int(st, 11),
            .since = col(st, 12),
            .created = col(st, 13),
        };
        int k = note_rule_kind_parse((const char *)sqlite3_column_text(st, 1));
        r.kind = k < 0 ? NOTE_R_PAID : (enum note_rule_kind)k;
        rc = k < 0 ? 0 : fn(&r, ctx);
        note_rule_clear(&r);
        if (rc)
            goto out;
    }
    if (step != SQLITE_DONE)
        rc = store_sqlerr(s, e, "note_rule");
out:
    sqlite3_finalize(st);
    return rc;
}

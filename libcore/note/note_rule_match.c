/* note_rule_match: the matching half of `qs note run` (R-NOTE-9) -- the enabled rules
 * loaded with their notes, and the pass over the stored order lines that records each
 * rule's new matches. note_rule_run.c releases and delivers them. */
#include "note.h"

#include <stdlib.h>
#include <string.h>

#include "note_int.h"
#include "../tm.h"
#include "../xalloc.h"

int nrr_load_rule(const struct note_rule *r, void *ctx)
{
    struct eng *g = ctx;
    struct erule *x;
    time_t since;
    if (!r->enabled)
        return 0;
    g->rules = xrealloc(g->rules, (g->nrules + 1) * sizeof *g->rules);
    x = &g->rules[g->nrules++];
    memset(x, 0, sizeof *x);
    x->r = *r;
    x->r.name = xstrdup(r->name);
    x->r.template = r->template ? xstrdup(r->template) : NULL;
    x->r.category = r->category ? xstrdup(r->category) : NULL;
    x->r.title = r->title ? xstrdup(r->title) : NULL;
    x->r.body = r->body ? xstrdup(r->body) : NULL;
    x->r.countries = xstrdup(r->countries ? r->countries : "");
    x->r.since = r->since ? xstrdup(r->since) : NULL;
    x->r.created = r->created ? xstrdup(r->created) : NULL;
    x->since = r->since && tm_parse_utc_iso(r->since, &since) == 0 ? since : 0;
    return 0;
}

time_t nrr_iso(const char *s)
{
    time_t t;
    return s && *s && tm_parse_utc_iso(s, &t) == 0 ? t : 0;
}

/* When line l met rule r (0: it does not). */
static time_t match(const struct eng *g, const struct note_rule *r, const struct sync_line *l)
{
    time_t now = g->o->now, at[NOTE_EV_N] = {0}, t = 0;
    unsigned ev = note_track_get(g->tr, l->order_no, at);
    long n = r->after;

    switch (r->kind) {
    case NOTE_R_SHIPPED: /* shipped, and only once a tracking number is known */
        if (l->status >= 4 && *l->tracking)
            t = nrr_iso(l->shipped_date) ? nrr_iso(l->shipped_date) : now;
        break;
    case NOTE_R_UNPAID:
        if (l->status == 1 && nrr_iso(l->order_date))
            t = nrr_iso(l->order_date) + n * 60;
        break;
    case NOTE_R_PAID:
        if (l->status >= 2)
            t = nrr_iso(l->paid_date) ? nrr_iso(l->paid_date) : nrr_iso(l->order_date);
        break;
    case NOTE_R_DELAYED: /* paid and not shipped N days after payment */
        if ((l->status == 2 || l->status == 3) && nrr_iso(l->paid_date))
            t = nrr_iso(l->paid_date) + n * 86400;
        break;
    case NOTE_R_DELIVERED:
        if (l->status == 5)
            t = nrr_iso(l->delivered_date) ? nrr_iso(l->delivered_date) : now;
        break;
    case NOTE_R_STALLED: /* shipped N days ago and still not delivered */
        if (l->status == 4 && !(ev & 1u << NOTE_EV_DELIVERED) && nrr_iso(l->shipped_date))
            t = nrr_iso(l->shipped_date) + n * 86400;
        break;
    case NOTE_R_ARRIVED:
        if (l->status == 4 && (ev & 1u << NOTE_EV_ARRIVED) && !(ev & 1u << NOTE_EV_DELIVERED))
            t = at[NOTE_EV_ARRIVED];
        break;
    case NOTE_R_DELIVERY_FAILED:
        if (l->status == 4 && (ev & 1u << NOTE_EV_FAILED) && !(ev & 1u << NOTE_EV_DELIVERED))
            t = at[NOTE_EV_FAILED];
        break;
    case NOTE_R_NO_TRACKING: /* the tracking hook was asked and knows nothing */
        if (l->status >= 2 && l->status <= 4 && ev == 1u << NOTE_EV_NONE && nrr_iso(l->order_date))
            t = nrr_iso(l->order_date) + n * 86400;
        break;
    default:
        break;
    }
    return t && t <= now ? t : 0;
}

static int country_ok(const char *list, const char *c)
{
    size_t n = strlen(c);
    if (!*list)
        return 1;
    for (const char *p = list; (p = strstr(p, c)); p++)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

int nrr_pass_line(const struct sync_line *l, void *ctx)
{
    struct eng *g = ctx;
    int rc;
    /* Orders with a claim get no automatic messages (the seed: 有纠纷的订单不会自动评价). */
    if (l->claim != 0)
        return 0;
    for (size_t i = 0; i < g->nrules; i++) {
        const struct note_rule *r = &g->rules[i].r;
        time_t t = match(g, r, l);
        char t_iso[32];
        if (!t || t < g->rules[i].since)
            continue;
        if ((r->min_amount >= 0 && l->total < r->min_amount) ||
            (r->max_amount >= 0 && l->total > r->max_amount) ||
            !country_ok(r->countries, l->country ? l->country : "JP"))
            continue;
        tm_utc_iso(t, t_iso, sizeof t_iso);
        if ((rc = nrr_cand_add(g->rr, l, g->e)) < 0)
            return rc;
        /* R-NOTE-9: once per rule and order -- the primary key of note_fire. */
        sqlite3_reset(g->ins);
        if (sqlite3_bind_text(g->ins, 2, r->name, -1, SQLITE_TRANSIENT) ||
            sqlite3_bind_text(g->ins, 3, l->order_no, -1, SQLITE_TRANSIENT) ||
            sqlite3_bind_text(g->ins, 4, t_iso, -1, SQLITE_TRANSIENT) ||
            sqlite3_step(g->ins) != SQLITE_DONE)
            return store_sqlerr(g->s, g->e, "note_fire");
        if (sqlite3_changes(store_db(g->s)) > 0) {
            g->st->matched++;
            continue;
        }
        sqlite3_reset(g->touch);
        if (sqlite3_bind_text(g->touch, 2, r->name, -1, SQLITE_TRANSIENT) ||
            sqlite3_bind_text(g->touch, 3, l->order_no, -1, SQLITE_TRANSIENT) ||
            sqlite3_step(g->touch) != SQLITE_DONE)
            return store_sqlerr(g->s, g->e, "note_fire");
    }
    return 0;
}

struct erule *nrr_rule_find(struct eng *g, const char *name)
{
    for (size_t i = 0; i < g->nrules; i++)
        if (strcmp(g->rules[i].r.name, name) == 0)
            return &g->rules[i];
    return NULL;
}

/* A held firing, read before any is changed. */

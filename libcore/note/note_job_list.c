/* note_job_list.c: the listings of qs note (templates, rules, inquiries, blacklist,
 * flagged orders, customers) as records: their columns, and one row per stored item,
 * times in the output zone. */
#include <string.h>

#include "note.h"
#include "../record/record.h"
#include "../tm.h"

static const char *const tmpl_cols[] = {"name", "category", "title", "placeholders", "updated"};
static const char *const tmpl_show_cols[] = {"name",         "category", "title",  "body",
                                             "placeholders", "created",  "updated"};
static const char *const rule_cols[] = {"name",    "kind",       "after",      "template",
                                        "title",   "min_amount", "max_amount", "countries",
                                        "max_age", "enabled",    "since"};
static const char *const inq_cols[] = {"question_no", "seq_no",   "type",  "status",   "date",
                                       "buyer",       "category", "title", "contents", "item_code",
                                       "item_name",   "order_no", "claim"};
static const char *const bl_cols[] = {"buyer_key", "email", "name",   "phone",
                                      "reason",    "added", "flagged"};
static const char *const flag_cols[] = {"order_no", "buyer_key", "flagged"};
static const char *const cust_cols[] = {"buyer_key",   "buyer",   "orders",        "paid_orders",
                                        "paid_amount", "refunds", "refund_amount", "last_order",
                                        "blacklisted", "flagged"};

static const struct {
    const char *const *cols;
    size_t n;
} lists[NOTE_L_N] = {
    [NOTE_L_TEMPLATES] = {tmpl_cols, 5},  [NOTE_L_TEMPLATE] = {tmpl_show_cols, 7},
    [NOTE_L_RULES] = {rule_cols, 11},     [NOTE_L_INQUIRIES] = {inq_cols, 13},
    [NOTE_L_BLACKLIST] = {bl_cols, 7},    [NOTE_L_FLAGGED] = {flag_cols, 3},
    [NOTE_L_CUSTOMERS] = {cust_cols, 10},
};

const char *const *note_list_cols(enum note_listing l, size_t *n)
{
    *n = lists[l].n;
    return lists[l].cols;
}

struct lw {
    const struct note_list_opts *o;
    struct rec_writer *w;
    struct rec *r;
    struct qs_err *e;
    int full;
};

/* Field name: UTC ISO iso written in the output zone ("" stays ""). */
static void set_time(struct lw *x, const char *name, const char *iso)
{
    char buf[64] = "";
    time_t t;
    if (iso && tm_parse_utc_iso(iso, &t) == 0 && tm_format(t, x->o->tz, 0, buf, sizeof buf) < 0)
        buf[0] = '\0';
    rec_set(x->r, name, buf);
}

static void set_num(struct lw *x, const char *name, long long v, int shown)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    rec_set(x->r, name, shown ? buf : "");
}

static int tmpl_row(const struct note_tmpl *t, void *p)
{
    struct lw *x = p;
    char ph[256];
    unsigned u = 0, ub = 0;
    size_t n = 0;
    note_tmpl_parse(t->title, &u, NULL);
    note_tmpl_parse(t->body, &ub, NULL);
    u |= ub;
    ph[0] = '\0';
    for (int i = 0; i < NOTE_PH_N; i++)
        if (u & 1u << i)
            n += (size_t)snprintf(ph + n, n < sizeof ph ? sizeof ph - n : 0, "%s%s", n ? " " : "",
                                  note_ph_name((enum note_ph)i));
    rec_clear(x->r);
    rec_set(x->r, "name", t->name);
    rec_set(x->r, "category", t->category);
    rec_set(x->r, "title", t->title);
    if (x->full)
        rec_set(x->r, "body", t->body);
    rec_set(x->r, "placeholders", ph);
    if (x->full)
        set_time(x, "created", t->created_at);
    set_time(x, "updated", t->updated_at);
    return rec_write(x->w, x->r, x->e);
}

static int rule_row(const struct note_rule *r, void *p)
{
    struct lw *x = p;
    rec_clear(x->r);
    rec_set(x->r, "name", r->name);
    rec_set(x->r, "kind", note_rule_kind_name(r->kind));
    set_num(x, "after", r->after, r->after != 0);
    rec_set(x->r, "template", r->template ? r->template : "");
    rec_set(x->r, "title", r->title ? r->title : "");
    set_num(x, "min_amount", r->min_amount, r->min_amount >= 0);
    set_num(x, "max_amount", r->max_amount, r->max_amount >= 0);
    rec_set(x->r, "countries", r->countries ? r->countries : "");
    set_num(x, "max_age", r->max_age, 1);
    rec_set(x->r, "enabled", r->enabled ? "yes" : "no");
    set_time(x, "since", r->since);
    return rec_write(x->w, x->r, x->e);
}

static int inq_row(const struct note_inquiry *q, void *p)
{
    struct lw *x = p;
    const char *st = q->status;
    st = strcmp(st, "S1") == 0   ? "unanswered"
         : strcmp(st, "S2") == 0 ? "in-progress"
         : strcmp(st, "S3") == 0 ? "done"
                                 : st;
    rec_clear(x->r);
    rec_set(x->r, "question_no", q->question_no);
    rec_set(x->r, "seq_no", q->seq_no);
    rec_set(x->r, "type", q->type);
    rec_set(x->r, "status", st);
    set_time(x, "date", q->date);
    rec_set(x->r, "buyer", q->buyer);
    rec_set(x->r, "category", q->category);
    rec_set(x->r, "title", q->title);
    rec_set(x->r, "contents", q->contents);
    rec_set(x->r, "item_code", q->item_code);
    rec_set(x->r, "item_name", q->item_name);
    rec_set(x->r, "order_no", q->order_no);
    rec_set(x->r, "claim", q->claim);
    return rec_write(x->w, x->r, x->e);
}

static int bl_row(const struct note_bl_entry *b, void *p)
{
    struct lw *x = p;
    rec_clear(x->r);
    rec_set(x->r, "buyer_key", b->key);
    rec_set(x->r, "email", b->email);
    rec_set(x->r, "name", b->name);
    rec_set(x->r, "phone", b->phone);
    rec_set(x->r, "reason", b->reason);
    set_time(x, "added", b->added);
    set_num(x, "flagged", b->flagged, 1);
    return rec_write(x->w, x->r, x->e);
}

static int flag_row(const char *order_no, const char *key, const char *at, void *p)
{
    struct lw *x = p;
    rec_clear(x->r);
    rec_set(x->r, "order_no", order_no);
    rec_set(x->r, "buyer_key", key);
    set_time(x, "flagged", at);
    return rec_write(x->w, x->r, x->e);
}

static int cust_row(const struct note_customer *c, void *p)
{
    struct lw *x = p;
    if (x->o->only_bl && !c->blacklisted)
        return 0;
    rec_clear(x->r);
    rec_set(x->r, "buyer_key", c->key);
    rec_set(x->r, "buyer", c->buyer);
    set_num(x, "orders", c->orders, 1);
    set_num(x, "paid_orders", c->paid_orders, 1);
    set_num(x, "paid_amount", c->paid_amount, 1);
    set_num(x, "refunds", c->refunds, 1);
    set_num(x, "refund_amount", c->refund_amount, 1);
    set_time(x, "last_order", c->last_order);
    rec_set(x->r, "blacklisted", c->blacklisted ? "yes" : "no");
    set_num(x, "flagged", c->flagged, 1);
    return rec_write(x->w, x->r, x->e);
}

int note_list(struct store *s, enum note_listing l, const struct note_list_opts *o,
              struct rec_writer *w, struct qs_err *e)
{
    struct lw x = {o, w, rec_new(), e, l == NOTE_L_TEMPLATE};
    struct note_tmpl got;
    int rc = 0;

    switch (l) {
    case NOTE_L_TEMPLATES:
        rc = note_tmpl_each(s, o->shop, tmpl_row, &x, e);
        break;
    case NOTE_L_TEMPLATE:
        if ((rc = note_tmpl_get(s, o->shop, o->name, &got, e)) == 0)
            rc = tmpl_row(&got, &x);
        note_tmpl_clear(&got);
        break;
    case NOTE_L_RULES:
        rc = note_rule_each(s, o->shop, rule_row, &x, e);
        break;
    case NOTE_L_INQUIRIES:
        rc = note_inquiry_each(s, o->shop, o->status, inq_row, &x, e);
        break;
    case NOTE_L_BLACKLIST:
        rc = note_blacklist_each(s, o->shop, bl_row, &x, e);
        break;
    case NOTE_L_FLAGGED:
        rc = note_flagged_each(s, o->shop, flag_row, &x, e);
        break;
    case NOTE_L_CUSTOMERS:
        rc = note_customers(s, o->shop, cust_row, &x, e);
        break;
    case NOTE_L_N:
        break;
    }
    rec_free(x.r);
    return rc;
}

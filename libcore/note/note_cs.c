/* note_cs: the buyer blacklist and customer statistics (R-NOTE-10, the seed's 客户管理 and
 * 黑名单). A blacklist flags, never blocks: new order lines from a listed buyer are flagged
 * by the trigger note_blacklist_flag as `qs sync orders` stores them. Owns the tables
 * note_blacklist and note_flag. */
#include "note.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../tm.h"
#include "../xalloc.h"

#define RULE "R-NOTE-10"

/* Trims spaces (ASCII and U+3000) at both ends of s into out. */
static void trim(const char *s, char *out, size_t size)
{
    size_t n;
    while (*s == ' ' || *s == '\t' || strncmp(s, "\xe3\x80\x80", 3) == 0)
        s += *s == ' ' || *s == '\t' ? 1 : 3;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (n >= 3 && strncmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
        n -= 3;
    snprintf(out, size, "%.*s", (int)n, s);
}

void note_buyer_make(struct note_buyer *b, const char *email, const char *name, const char *phone)
{
    char d[48];
    size_t n = 0;
    memset(b, 0, sizeof *b);
    trim(email ? email : "", b->email, sizeof b->email);
    for (char *p = b->email; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    trim(name ? name : "", b->name, sizeof b->name);
    /* The phone by its digits, as the trigger of the schema compares it: -, space, (, ),
     * + and . dropped, a leading 81 (+81) read as 0. */
    for (const char *p = phone ? phone : ""; *p && n < sizeof d - 1; p++)
        if (!strchr("- ()+.", *p))
            d[n++] = *p;
    d[n] = '\0';
    if (n >= 11 && strncmp(d, "81", 2) == 0)
        snprintf(b->phone, sizeof b->phone, "0%s", d + 2);
    else
        snprintf(b->phone, sizeof b->phone, "%s", d);
    if (*b->email)
        snprintf(b->key, sizeof b->key, "email:%s", b->email);
    else
        snprintf(b->key, sizeof b->key, "name:%s|%s", b->name, b->phone);
}

struct find {
    const char *order_no;
    struct note_buyer *b;
    int found;
};

static int find_line(const struct sync_line *l, void *ctx)
{
    struct find *f = ctx;
    if (strcmp(l->order_no, f->order_no) != 0)
        return 0;
    note_buyer_make(f->b, l->buyer_email, l->buyer, l->buyer_tel);
    f->found = 1;
    return 1;
}

int note_buyer_of_order(struct store *s, const char *shop, const char *order_no,
                        struct note_buyer *b, struct qs_err *e)
{
    struct find f = {order_no, b, 0};
    int rc = sync_lines_each(s, shop, 0, 0, find_line, &f, e);
    if (rc < 0)
        return rc;
    if (!f.found)
        return err_set(e, QS_E_DATA, RULE, "unknown order %s; run qs sync orders first", order_no);
    return 0;
}

int note_blacklist_add(struct store *s, const char *shop, const struct note_buyer *b,
                       const char *reason, int *changed, struct qs_err *e)
{
    char now[32];
    int rc;

    if (!*b->email && (!*b->name || !*b->phone))
        return err_set(e, QS_E_USAGE, RULE,
                       "a buyer is an email address, or a name and a phone number");
    tm_utc_iso(time(NULL), now, sizeof now);
    rc = store_run(s, e,
                   "INSERT OR IGNORE INTO note_blacklist(shop, buyer_key, email, name,"
                   " phone, reason, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                   "sssssss", shop, b->key, b->email, *b->email ? "" : b->name,
                   *b->email ? "" : b->phone, reason ? reason : "", now);
    if (rc == 0 && changed)
        *changed = store_changes(s) > 0;
    return rc;
}

int note_blacklist_rm(struct store *s, const char *shop, const struct note_buyer *b, int *changed,
                      struct qs_err *e)
{
    int rc = store_run(s, e, "DELETE FROM note_blacklist WHERE shop = ?1 AND buyer_key = ?2", "ss",
                       shop, b->key);
    if (rc == 0 && changed)
        *changed = store_changes(s) > 0;
    return rc;
}

struct bl_walk {
    int (*fn)(const struct note_bl_entry *b, void *ctx);
    void *ctx;
};

static int bl_row(sqlite3_stmt *st, void *ctx)
{
    struct bl_walk *w = ctx;
#define C(i) store_col_text(st, i)
    struct note_bl_entry b = {C(0), C(1), C(2), C(3), C(4), C(5), sqlite3_column_int64(st, 6)};
#undef C
    return w->fn(&b, w->ctx);
}

int note_blacklist_each(struct store *s, const char *shop,
                        int (*fn)(const struct note_bl_entry *b, void *ctx), void *ctx,
                        struct qs_err *e)
{
    struct bl_walk w = {fn, ctx};
    return store_each(s,
                      "SELECT b.buyer_key, b.email, b.name, b.phone, b.reason, b.added_at,"
                      " (SELECT count(*) FROM note_flag f WHERE f.shop = b.shop AND"
                      " f.buyer_key = b.buyer_key) FROM note_blacklist b WHERE b.shop = ?1"
                      " ORDER BY b.added_at, b.buyer_key",
                      bl_row, &w, e, "s", shop);
}

struct flag_walk {
    int (*fn)(const char *order_no, const char *key, const char *at, void *ctx);
    void *ctx;
};

static int flag_row(sqlite3_stmt *st, void *ctx)
{
    struct flag_walk *w = ctx;
    return w->fn(store_col_text(st, 0), store_col_text(st, 1), store_col_text(st, 2), w->ctx);
}

int note_flagged_each(struct store *s, const char *shop,
                      int (*fn)(const char *order_no, const char *key, const char *at, void *ctx),
                      void *ctx, struct qs_err *e)
{
    struct flag_walk w = {fn, ctx};
    return store_each(s,
                      "SELECT order_no, buyer_key, flagged_at FROM note_flag WHERE shop = ?1"
                      " ORDER BY flagged_at DESC, order_no DESC",
                      flag_row, &w, e, "s", shop);
}

/* ---- customers -------------------------------------------------------------------- */

struct cust {
    char *key, *buyer, *email, *last;
    long orders, paid_orders, refunds, flagged;
    long long paid_amount, refund_amount;
    int blacklisted;
};

struct cset {
    struct cust *v;
    size_t n, cap;
};

static int cust_cmp_key(const void *a, const void *b)
{
    return strcmp(((const struct cust *)a)->key, ((const struct cust *)b)->key);
}

static int add_line(const struct sync_line *l, void *ctx)
{
    struct cset *c = ctx;
    struct note_buyer b;
    struct cust *x;
    note_buyer_make(&b, l->buyer_email, l->buyer, l->buyer_tel);
    if (c->n == c->cap)
        c->v = xrealloc(c->v, (c->cap = c->cap ? 2 * c->cap : 256) * sizeof *c->v);
    x = &c->v[c->n++];
    memset(x, 0, sizeof *x);
    x->key = xstrdup(b.key);
    x->buyer = xstrdup(l->buyer);
    x->email = xstrdup(b.email);
    x->last = xstrdup(l->order_date);
    x->orders = 1;
    /* Paid: status 2-5, not an unpaid order cancelled. Refunds: cancels completed, returns
     * completed, non-receipt refunds (claims 3, 6, 14, 15). */
    if (l->status >= 2 && l->claim != 16) {
        x->paid_orders = 1;
        x->paid_amount = l->total;
    }
    if (l->claim == 3 || l->claim == 6 || l->claim == 14 || l->claim == 15) {
        x->refunds = 1;
        x->refund_amount = l->total;
    }
    return 0;
}

struct bl {
    char **keys;
    size_t n;
    long *flagged;
};

static int bl_add(const struct note_bl_entry *b, void *ctx)
{
    struct bl *x = ctx;
    x->keys = xrealloc(x->keys, (x->n + 1) * sizeof *x->keys);
    x->flagged = xrealloc(x->flagged, (x->n + 1) * sizeof *x->flagged);
    x->keys[x->n] = xstrdup(b->key);
    x->flagged[x->n++] = b->flagged;
    return 0;
}

static int last_cmp(const void *a, const void *b)
{
    const struct cust *x = a, *y = b;
    int c = strcmp(y->last, x->last);
    return c ? c : strcmp(x->key, y->key);
}

int note_customers(struct store *s, const char *shop,
                   int (*fn)(const struct note_customer *c, void *ctx), void *ctx, struct qs_err *e)
{
    struct cset c = {0};
    struct bl bl = {0};
    size_t m = 0;
    int rc;

    if ((rc = sync_lines_each(s, shop, 0, 0, add_line, &c, e)) < 0 ||
        (rc = note_blacklist_each(s, shop, bl_add, &bl, e)) < 0)
        goto out;
    /* Merge the lines of each buyer. */
    if (c.n)
        qsort(c.v, c.n, sizeof *c.v, cust_cmp_key);
    for (size_t i = 0; i < c.n; i++) {
        if (m && strcmp(c.v[m - 1].key, c.v[i].key) == 0) {
            struct cust *a = &c.v[m - 1], *b = &c.v[i];
            a->orders += b->orders;
            a->paid_orders += b->paid_orders;
            a->paid_amount += b->paid_amount;
            a->refunds += b->refunds;
            a->refund_amount += b->refund_amount;
            if (strcmp(b->last, a->last) > 0) {
                free(a->last);
                a->last = b->last, b->last = NULL;
            }
            free(b->key);
            free(b->buyer);
            free(b->email);
            free(b->last);
        } else {
            c.v[m++] = c.v[i];
        }
    }
    c.n = m;
    for (size_t i = 0; i < bl.n; i++) {
        struct cust k = {.key = bl.keys[i]};
        struct cust *x = c.n ? bsearch(&k, c.v, c.n, sizeof *c.v, cust_cmp_key) : NULL;
        if (x) {
            x->blacklisted = 1;
            x->flagged = bl.flagged[i];
        }
    }
    if (c.n)
        qsort(c.v, c.n, sizeof *c.v, last_cmp);
    for (size_t i = 0; i < c.n && rc == 0; i++) {
        struct cust *x = &c.v[i];
        struct note_customer o = {x->key,         x->buyer,       x->email,       x->orders,
                                  x->paid_orders, x->refunds,     x->paid_amount, x->refund_amount,
                                  x->last,        x->blacklisted, x->flagged};
        rc = fn(&o, ctx);
    }
out:
    for (size_t i = 0; i < c.n; i++) {
        free(c.v[i].key);
        free(c.v[i].buyer);
        free(c.v[i].email);
        free(c.v[i].last);
    }
    free(c.v);
    for (size_t i = 0; i < bl.n; i++)
        free(bl.keys[i]);
    free(bl.keys);
    free(bl.flagged);
    return rc;
}

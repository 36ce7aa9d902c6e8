/* coupon_check: the checks of a push that look at what it carries -- its items (R-CPN-7),
 * banner (R-CPN-8), fans' dates and orders (R-CPN-2) -- and the comp estimate (R-CPN-9).
 * Each problem is reported through cpl_say; coupon_plan.c decides the rest. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coupon_int.h"
#include "../sha256.h"
#include "../sync/sync.h"
#include "../text.h"
#include "../xalloc.h"

#define DAY 86400L

void cpl_say(struct cpl *p, int warn, const char *rule, const char *input, const char *sheet,
             long line, const char *record, const char *fmt, ...)
{
    struct qs_err e;
    va_list ap;
    err_clear(&e);
    va_start(ap, fmt);
    err_setv(&e, QS_E_DATA, rule, fmt, ap);
    va_end(ap);
    if (input)
        err_at_sheet(&e, input, sheet, line, 0);
    if (record)
        err_record(&e, record);
    if (!warn)
        p->problems++;
    if (!warn && p->cb->report)
        p->cb->report(p->cb->ctx, &e);
    else if (warn && p->cb->warn)
        p->cb->warn(p->cb->ctx, &e);
}

/* ---- R-CPN-7: the items shown ---- */

static int text_row(sqlite3_stmt *st, void *buf)
{
    snprintf(buf, 32, "%s", store_col_text(st, 0));
    return 1;
}

int cpl_items(struct cpl *p, struct qs_err *e)
{
    char why[256], status[32];
    time_t synced;
    int rc;

    if (coupon_items_parse(p->r->items, &p->it, why, sizeof why) < 0) {
        cpl_refuse(p, "R-CPN-7", "%s", why);
        return 0;
    }
    if (p->it.top)
        return 0;
    if ((rc = sync_products_synced_at(p->s, p->shop, &synced, e)) < 0)
        return rc;
    if (rc == 0) {
        cpl_refuse(p, "R-CPN-7",
                   "items %s: qs knows no items of shop %s on sale; run qs sync products first (or "
                   "give top:N)",
                   p->r->items, p->shop);
        return 0;
    }
    if (p->r->now - synced > DAY) {
        char when[32];
        cpl_warn(p, "R-CPN-7", "the last qs sync products ran at %s (Asia/Tokyo), over a day ago",
                 coupon_jst_format(synced, when, sizeof when));
    }
    for (size_t i = 0; i < p->it.n; i++) {
        status[0] = '\0';
        if ((rc = store_each(p->s,
                             "SELECT status FROM market_item WHERE shop = ?1 AND item_code = ?2",
                             text_row, status, e, "ss", p->shop, p->it.codes[i])) < 0)
            return rc;
        if (rc == 0)
            cpl_refuse(p, "R-CPN-7", "item %s is not an item of shop %s on the marketplace",
                       p->it.codes[i], p->shop);
        else if (strcmp(status, "S2") != 0)
            cpl_refuse(p, "R-CPN-7", "item %s is not on sale (status %s; on sale is S2)",
                       p->it.codes[i], *status ? status : "unknown");
    }
    return 0;
}

/* ---- R-CPN-8: the banner ---- */

int cpl_banner(struct cpl *p)
{
    unsigned char *buf;
    size_t n = 0;
    unsigned w, h;
    const char *type;
    char why[256];
    FILE *f;

    if (p->r->link && !p->r->banner) {
        cpl_refuse(p, "R-CPN-8", "--link is the banner's link: give --banner FILE with it");
        return 0;
    }
    if (!p->r->banner)
        return 0;
    if (coupon_link_parse(p->r->link ? p->r->link : "shop", &p->link, why, sizeof why) < 0)
        cpl_refuse(p, "R-CPN-8", "%s", why);
    if (!(f = fopen(p->r->banner, "rb"))) {
        cpl_refuse(p, "R-CPN-8", "cannot read the banner %s", p->r->banner);
        return 0;
    }
    buf = xmalloc(1 << 20);
    n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    if (coupon_image_size(buf, n, &type, &w, &h) < 0)
        cpl_refuse(p, "R-CPN-8", "the banner %s is neither a PNG nor a JPEG (read from its header)",
                   p->r->banner);
    else if (w != COUPON_BANNER_W || h != COUPON_BANNER_H)
        cpl_refuse(p, "R-CPN-8",
                   "the banner %s is %ux%u pixels; QSM takes a PNG or JPEG of exactly %dx%d",
                   p->r->banner, w, h, COUPON_BANNER_W, COUPON_BANNER_H);
    else {
        /* The whole file, hashed: the hand-off checks the banner did not change. */
        struct sha256 c;
        unsigned char d[32];
        if ((f = fopen(p->r->banner, "rb"))) {
            sha256_init(&c);
            while ((n = fread(buf, 1, 1 << 20, f)) > 0)
                sha256_update(&c, buf, n);
            fclose(f);
            sha256_final(&c, d);
            for (int i = 0; i < 32; i++)
                snprintf(p->banner_sha + 2 * i, 3, "%02x", d[i]);
        }
    }
    free(buf);
    return 0;
}

/* ---- R-CPN-2: fans' dates, orders ---- */

static int date_norm(const char *s, char out[11])
{
    int y, m, d;
    char c1, c2, extra;
    if (!s || sscanf(s, "%4d%c%2d%c%2d%c", &y, &c1, &m, &c2, &d, &extra) != 5 || c1 != c2 ||
        (c1 != '-' && c1 != '/') || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return 0;
}

void cpl_fans(struct cpl *p, char since[11], char until[11])
{
    const char *t = p->r->type;
    since[0] = until[0] = '\0';
    if (strcmp(t, "ad") != 0) {
        if (p->r->fans_since || p->r->fans_until)
            cpl_refuse(p, "R-CPN-2",
                       "--fans-since and --fans-until choose fans: they go with ad, not %s", t);
        return;
    }
    if (p->r->fans_since && date_norm(p->r->fans_since, since) < 0)
        cpl_refuse(p, "R-CPN-2", "--fans-since \"%s\" is not a date YYYY-MM-DD", p->r->fans_since);
    if (p->r->fans_until && date_norm(p->r->fans_until, until) < 0)
        cpl_refuse(p, "R-CPN-2", "--fans-until \"%s\" is not a date YYYY-MM-DD", p->r->fans_until);
    if (since[0] && until[0] && strcmp(since, until) > 0)
        cpl_refuse(p, "R-CPN-2", "--fans-until %s is before --fans-since %s", until, since);
}

struct order_row {
    int found;
    long status, claim;
    char buyer[320];
};

static int order_row(sqlite3_stmt *st, void *ctx)
{
    struct order_row *o = ctx;
    o->found = 1;
    o->status = (long)sqlite3_column_int64(st, 0);
    o->claim = (long)sqlite3_column_int64(st, 1);
    /* A buyer is their email when the order has one, else their name. */
    snprintf(o->buyer, sizeof o->buyer, "%s", store_col_text(st, 2));
    return 1;
}

static int lookup(struct store *s, const char *shop, const char *no, struct order_row *o,
                  struct qs_err *e)
{
    memset(o, 0, sizeof *o);
    return store_each(s,
                      "SELECT status, claim, CASE WHEN buyer_email <> '' THEN 'm:' || buyer_email"
                      " ELSE 'n:' || buyer END FROM order_line WHERE shop = ?1 AND order_no = ?2",
                      order_row, o, e, "ss", shop, no);
}

struct shops {
    char **v;
    size_t n;
};

static int shop_row(sqlite3_stmt *st, void *ctx)
{
    struct shops *sh = ctx;
    sh->v = xrealloc(sh->v, (sh->n + 1) * sizeof *sh->v);
    sh->v[sh->n++] = xstrdup(store_col_text(st, 0));
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Order numbers sorted, for telling repeats: by number, then input position. */
struct pos {
    const char *no;
    size_t i;
};

static int cmp_pos(const void *a, const void *b)
{
    const struct pos *x = a, *y = b;
    int c = strcmp(x->no, y->no);
    return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

/* rep[i] = 1 when orders[i] came earlier in the input. */
static unsigned char *repeats_of(const char *const *orders, size_t n)
{
    struct pos *v = xcalloc(n + 1, sizeof *v);
    unsigned char *rep = xcalloc(n + 1, 1);
    for (size_t i = 0; i < n; i++)
        v[i] = (struct pos){orders[i], i};
    qsort(v, n, sizeof *v, cmp_pos);
    for (size_t i = 1; i < n; i++)
        if (strcmp(v[i].no, v[i - 1].no) == 0)
            rep[v[i].i] = 1;
    free(v);
    return rep;
}

/* R-CPN-2, R-CPN-9: the orders of a comp push, each checked; the form's rows and the
 * distinct buyers. */
int cpl_orders(struct cpl *p, long long *estimate, struct qs_err *e)
{
    const struct coupon_push_req *r = p->r;
    struct shops sh = {0};
    char **buyers = xcalloc(r->norders + 1, sizeof *buyers);
    unsigned char *rep;
    size_t nb = 0, repeats = 0;
    int rc = 0;

    if (strcmp(r->type, "comp") != 0) {
        if (r->norders)
            cpl_refuse(p, "R-CPN-2",
                       "an ad push goes to the shop's fans: it takes no order numbers");
        free(buyers);
        return 0;
    }
    if (!r->norders) {
        cpl_refuse(
            p, "R-CPN-2",
            "a comp push goes to the buyers of given orders: give order_no records (or QSM's "
            "Order No. column) on stdin or in a file");
        free(buyers);
        return 0;
    }
    rep = repeats_of(r->orders, r->norders);
    p->rows = json_array();
    if ((rc = store_each(p->s, "SELECT name FROM shop WHERE name <> ?1 ORDER BY name", shop_row,
                         &sh, e, "s", p->shop)) < 0)
        goto out;
    rc = 0;
    for (size_t i = 0; i < r->norders && rc == 0; i++) {
        const char *no = r->orders[i];
        long line = r->lines ? r->lines[i] : 0;
        struct order_row o;
        if (rep[i]) {
            repeats++;
            continue;
        }
        size_t len = strlen(no), digits = strspn(no, "0123456789");
        if (!len || digits != len || len > 20) { /* never handed to QSM */
            const char *why = text_code_why(no, len);
            char b[96];
            if (!why)
                why = !len            ? "is empty"
                      : digits != len ? "is not digits only, as Qoo10's order numbers are"
                                      : "is longer than an order number (at most 20 digits)";
            cpl_say(p, 0, "R-CPN-2", r->input, r->sheet, line, NULL, "order number \"%s\" %s",
                    text_show(no, len, b, sizeof b), why);
            continue;
        }
        if ((rc = lookup(p->s, p->shop, no, &o, e)) < 0)
            break;
        rc = 0;
        if (o.found) {
            if (o.claim == 3 || o.claim == 16)
                cpl_say(p, 0, "R-CPN-2", r->input, r->sheet, line, no,
                        "the order is cancelled: comp pushes go to buyers of paid orders");
            else if (o.status < 2 || o.status > 5)
                cpl_say(p, 0, "R-CPN-2", r->input, r->sheet, line, no,
                        "the order is %s: comp pushes go to buyers of paid orders",
                        *sync_status_name((int)o.status) ? sync_status_name((int)o.status)
                                                         : "unknown");
            else
                buyers[nb++] = xstrdup(o.buyer);
        } else {
            const char *other = NULL;
            for (size_t k2 = 0; k2 < sh.n && !other && rc == 0; k2++) {
                struct order_row x;
                if ((rc = lookup(p->s, sh.v[k2], no, &x, e)) < 0)
                    break;
                rc = 0;
                if (x.found)
                    other = sh.v[k2];
            }
            if (other)
                cpl_say(p, 0, "R-CPN-2", r->input, r->sheet, line, no,
                        "the order is one of shop %s, not of shop %s", other, p->shop);
            else {
                p->out->unknown++;
                cpl_say(p, !r->strict, "R-CPN-2", r->input, r->sheet, line, no,
                        r->strict ? "the order is unknown to the store (--strict)"
                                  : "the order is unknown to the store; passed on to QSM, which "
                                    "checks it");
            }
        }
        json_array_append_new(p->rows, json_pack("{ss}", "order_no", no));
    }
    if (repeats)
        cpl_warn(p, "R-CPN-2", "%zu order number%s repeated in the input, listed once", repeats,
                 repeats == 1 ? "" : "s");
    /* R-CPN-9: distinct buyers, each unknown order counted as one. */
    qsort(buyers, nb, sizeof *buyers, cmp_str);
    *estimate = (long long)p->out->unknown;
    for (size_t i = 0; i < nb; i++)
        if (i == 0 || strcmp(buyers[i], buyers[i - 1]) != 0)
            (*estimate)++;
out:
    for (size_t i = 0; i < nb; i++)
        free(buyers[i]);
    for (size_t i = 0; i < sh.n; i++)
        free(sh.v[i]);
    free(sh.v);
    free(buyers);
    free(rep);
    return rc;
}

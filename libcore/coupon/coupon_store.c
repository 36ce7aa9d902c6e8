/* coupon_store: the one writer of table coupon (columns in coupon.h) and its reads. Every
 * function runs in the caller's transaction, if any. */
#include <stdio.h>
#include <string.h>

#include "coupon_int.h"
#include "../tm.h"
#include "../xalloc.h"

static time_t utc(const char *s)
{
    time_t t = 0;
    (void)tm_parse_utc_iso(s, &t);
    return t;
}

void cpn_row(sqlite3_stmt *st, struct coupon *c)
{
    memset(c, 0, sizeof *c);
    c->code = store_col_text(st, 0);
    c->qsm_no = store_col_text(st, 1);
    c->name = store_col_text(st, 2);
    c->kind = strcmp(store_col_text(st, 3), "percent") == 0 ? COUPON_PERCENT : COUPON_YEN;
    c->discount = sqlite3_column_int64(st, 4);
    c->max_discount = sqlite3_column_int64(st, 5);
    c->min_order = sqlite3_column_int64(st, 6);
    c->valid_from = utc(store_col_text(st, 7));
    c->valid_to = utc(store_col_text(st, 8));
    c->issue_limit = sqlite3_column_int64(st, 9);
    c->per_buyer_limit = sqlite3_column_int64(st, 10);
    c->qstore_only = sqlite3_column_int(st, 11) != 0;
    c->pushes = sqlite3_column_int64(st, 12);
    c->created_at = store_col_text(st, 13);
    c->updated_at = store_col_text(st, 14);
}

struct walk {
    int (*fn)(void *ctx, const struct coupon *c, struct qs_err *e);
    void *ctx;
    struct qs_err *e;
    long n;
};

static int walk_row(sqlite3_stmt *st, void *p)
{
    struct walk *w = p;
    struct coupon c;
    int rc;
    cpn_row(st, &c);
    w->n++;
    rc = w->fn(w->ctx, &c, w->e);
    return rc < 0 ? rc : 0;
}

int coupon_each(struct store *s, const char *shop, const char *code,
                int (*fn)(void *ctx, const struct coupon *c, struct qs_err *e), void *ctx,
                struct qs_err *e)
{
    struct walk w = {fn, ctx, e, 0};
    int rc = store_each(s,
                        "SELECT " CPN_SELECT " FROM coupon c WHERE c.shop = ?1"
                        " AND (?2 IS NULL OR c.code = ?2) ORDER BY c.code",
                        walk_row, &w, e, "ss", shop, code);
    if (rc < 0)
        return rc;
    return code && w.n == 0 ? cpn_unknown(shop, code, e) : 0;
}

int cpn_unknown(const char *shop, const char *code, struct qs_err *e)
{
    err_record(e, code);
    return err_set(e, QS_E_DATA, "R-CPN-1",
                   "shop %s has no coupon \"%s\"; qs coupon list lists its coupons, qs coupon "
                   "add adds one",
                   shop, code);
}

struct get {
    struct coupon *c;
};

static int get_row(sqlite3_stmt *st, void *p)
{
    struct get *g = p;
    struct coupon c;
    cpn_row(st, &c);
    *g->c = c;
    g->c->own = xasprintf("%s%c%s%c%s%c%s%c%s", c.code, '\0', c.qsm_no, '\0', c.name, '\0',
                          c.created_at, '\0', c.updated_at);
    g->c->code = g->c->own;
    g->c->qsm_no = g->c->code + strlen(c.code) + 1;
    g->c->name = g->c->qsm_no + strlen(c.qsm_no) + 1;
    g->c->created_at = g->c->name + strlen(c.name) + 1;
    g->c->updated_at = g->c->created_at + strlen(c.created_at) + 1;
    return 1;
}

int cpn_get(struct store *s, const char *shop, const char *code, struct coupon *c, struct qs_err *e)
{
    struct get g = {c};
    memset(c, 0, sizeof *c);
    return store_each(s, "SELECT " CPN_SELECT " FROM coupon c WHERE c.shop = ?1 AND c.code = ?2",
                      get_row, &g, e, "ss", shop, code);
}

int cpn_qsm_owner(struct store *s, const char *shop, const char *qsm_no, const char *but, char *out,
                  size_t size, struct qs_err *e)
{
    struct store_text o = {out, size};
    int rc;
    out[0] = '\0';
    rc = store_each(s,
                    "SELECT code FROM coupon WHERE shop = ?1 AND qsm_no = ?2"
                    " AND (?3 IS NULL OR code <> ?3) LIMIT 1",
                    store_row_text, &o, e, "sss", shop, qsm_no, but);
    return rc < 0 ? rc : 0;
}

/* The kind as the table keeps it. */
static const char *kind_name(enum coupon_kind k)
{
    return k == COUPON_PERCENT ? "percent" : "yen";
}

int cpn_insert(struct store *s, const char *shop, const struct coupon *c, const char *now,
               struct qs_err *e)
{
    char from[32], to[32];
    return store_run(s, e,
                     "INSERT INTO coupon (shop, code, qsm_no, name, discount_kind, discount,"
                     " max_discount, min_order, valid_from, valid_to, issue_limit,"
                     " per_buyer_limit, qstore_only, created_at, updated_at)"
                     " VALUES (?1, ?2, nullif(?3, ''), ?4, ?5, ?6, nullif(?7, -1), ?8, ?9, ?10,"
                     " nullif(?11, -1), nullif(?12, -1), ?13, ?14, ?14)",
                     "ssssslllssllis", shop, c->code, c->qsm_no, c->name, kind_name(c->kind),
                     c->discount, c->max_discount, (long long)c->min_order,
                     tm_utc_iso(c->valid_from, from, sizeof from),
                     tm_utc_iso(c->valid_to, to, sizeof to), c->issue_limit, c->per_buyer_limit,
                     c->qstore_only, now);
}

int cpn_update(struct store *s, const char *shop, const struct coupon *c, const char *now,
               struct qs_err *e)
{
    char from[32], to[32];
    return store_run(s, e,
                     "UPDATE coupon SET qsm_no = nullif(?3, ''), name = ?4, discount_kind = ?5,"
                     " discount = ?6, max_discount = nullif(?7, -1), min_order = ?8,"
                     " valid_from = ?9, valid_to = ?10, issue_limit = nullif(?11, -1),"
                     " per_buyer_limit = nullif(?12, -1), qstore_only = ?13, updated_at = ?14"
                     " WHERE shop = ?1 AND code = ?2",
                     "ssssslllssllis", shop, c->code, c->qsm_no, c->name, kind_name(c->kind),
                     c->discount, c->max_discount, (long long)c->min_order,
                     tm_utc_iso(c->valid_from, from, sizeof from),
                     tm_utc_iso(c->valid_to, to, sizeof to), c->issue_limit, c->per_buyer_limit,
                     c->qstore_only, now);
}

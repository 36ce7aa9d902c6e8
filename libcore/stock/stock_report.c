/* stock_report: the one writer of stock_option, stock_snapshot and stock_snapshot_row
 * (R-STK-5): a checked import becomes a snapshot, the options take its values, and what
 * changed since the previous snapshot is reported -- new and gone q_skus, link counts,
 * link counts below the links qs knows, and branch quantity moves with the part that
 * shipments explain. */
#include <string.h>

#include "stock_int.h"
#include "../inbound/inbound.h"

const char *const stock_change_words[] = {"new", "gone", "link_count", "links_known", "branch_qty"};

struct latest {
    long long id;
    char *at;
};

static int latest_row(sqlite3_stmt *st, void *p)
{
    struct latest *l = p;
    l->id = sqlite3_column_int64(st, 0);
    snprintf(l->at, 32, "%s", store_col_text(st, 1));
    return 1;
}

static int id_row(sqlite3_stmt *st, void *p)
{
    *(long long *)p = sqlite3_column_int64(st, 0);
    return 1;
}

int stk_latest(struct store *s, const char *shop, const char *sha, long long *id, char *at,
               long long *same, struct qs_err *e)
{
    struct latest l = {0, at};
    int rc;
    at[0] = '\0';
    if ((rc = store_each(s,
                         "SELECT id, taken_at FROM stock_snapshot WHERE shop = ?1"
                         " ORDER BY id DESC LIMIT 1",
                         latest_row, &l, e, "s", shop)) < 0)
        return rc;
    *id = l.id;
    if (same) {
        *same = 0;
        if (sha &&
            (rc = store_each(s, "SELECT id FROM stock_snapshot WHERE shop = ?1 AND sha256 = ?2",
                             id_row, same, e, "ss", shop, sha)) < 0)
            return rc;
    }
    return 0;
}

int stock_branch_explained(struct store *s, const char *shop, const char *q_sku, const char *from,
                           const char *to, long long *explained, struct qs_err *e)
{
    long long shipped = 0;
    int rc;
    /* Shipped: the order lines shipped in (from, to] of the items (or the item's option)
     * linked to q_sku. A line counts once however many links match it. */
    rc = store_each(s,
                    "SELECT coalesce(sum(o.qty), 0) FROM order_line o WHERE o.shop = ?1"
                    " AND o.shipped_date <> '' AND o.shipped_date > ?3 AND o.shipped_date <= ?4"
                    " AND EXISTS (SELECT 1 FROM stock_link l WHERE l.shop = o.shop"
                    " AND l.q_sku = ?2 AND l.state IN ('linked', 'unlink-todo')"
                    " AND l.item_code = o.item_code AND (l.option = '' OR l.option = o.option_code"
                    " OR l.option = o.option_text))",
                    id_row, &shipped, e, "ssss", shop, q_sku, from, to);
    if (rc < 0)
        return rc;
    /* R-INB-4: + the inspected units of inbound bundles completed in (from, to]. */
    long long inbound = 0;
    if ((rc = inbound_completed_units(s, shop, q_sku, from, to, &inbound, e)) < 0)
        return rc;
    *explained = inbound - shipped;
    return 0;
}

struct rep {
    struct store *s;
    const char *shop;
    const char *from, *to; /* the two snapshots' taken_at */
    const struct stock_import_cb *cb;
    struct stock_import_result *out;
    struct qs_err *e;
};

static long long col_num(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

static int rep_row(sqlite3_stmt *st, void *p)
{
    struct rep *r = p;
    struct stock_change_row c = {
        .change = (enum stock_change)sqlite3_column_int(st, 0),
        .q_sku = store_col_text(st, 1),
        .seller_sku = store_col_text(st, 2),
        .name = store_col_text(st, 3),
        .before = col_num(st, 4),
        .after = col_num(st, 5),
        .explained = -1,
        .unexplained = -1,
    };
    int rc;
    if (c.change == STOCK_BRANCH_QTY) {
        if ((rc = stock_branch_explained(r->s, r->shop, c.q_sku, r->from, r->to, &c.explained,
                                         r->e)) < 0)
            return rc;
        c.unexplained = c.after - c.before - c.explained;
        if (c.after == c.before && c.unexplained == 0)
            return 0; /* no move, and none expected */
    }
    r->out->changes++;
    if (r->cb && r->cb->change && (rc = r->cb->change(r->cb->ctx, &c, r->e)) < 0)
        return rc;
    return 0;
}

/* The report, by q_sku then kind: ?1 shop, ?2 the new snapshot, ?3 the previous one. */
static const char report_sql[] =
    "SELECT 0, c.q_sku, c.seller_sku, c.name, NULL, c.branch_qty FROM stock_snapshot_row c"
    " WHERE c.snapshot = ?2 AND NOT EXISTS (SELECT 1 FROM stock_snapshot_row p"
    "  WHERE p.snapshot = ?3 AND p.q_sku = c.q_sku)"
    " UNION ALL"
    " SELECT 1, p.q_sku, p.seller_sku, p.name, p.branch_qty, NULL FROM stock_snapshot_row p"
    " WHERE p.snapshot = ?3 AND NOT EXISTS (SELECT 1 FROM stock_snapshot_row c"
    "  WHERE c.snapshot = ?2 AND c.q_sku = p.q_sku)"
    " UNION ALL"
    " SELECT 2, c.q_sku, c.seller_sku, c.name, p.link_count, c.link_count"
    " FROM stock_snapshot_row c JOIN stock_snapshot_row p ON p.snapshot = ?3 AND p.q_sku = c.q_sku"
    " WHERE c.snapshot = ?2 AND c.link_count <> p.link_count"
    " UNION ALL"
    " SELECT 3, c.q_sku, c.seller_sku, c.name, k.n, c.link_count FROM stock_snapshot_row c"
    " JOIN (SELECT q_sku, count(*) AS n FROM stock_link WHERE shop = ?1"
    "  AND state IN ('linked', 'unlink-todo') GROUP BY q_sku) k ON k.q_sku = c.q_sku"
    " WHERE c.snapshot = ?2 AND c.link_count IS NOT NULL AND c.link_count < k.n"
    " UNION ALL"
    " SELECT 4, c.q_sku, c.seller_sku, c.name, p.branch_qty, c.branch_qty"
    " FROM stock_snapshot_row c JOIN stock_snapshot_row p ON p.snapshot = ?3 AND p.q_sku = c.q_sku"
    " WHERE c.snapshot = ?2"
    " ORDER BY 2, 1";

int stk_write(struct store *s, const char *shop, const char *file, const char *sha, const char *now,
              const struct stock_import_cb *cb, struct stock_import_result *out, struct qs_err *e)
{
    long long prev = 0, cur;
    int rc;

    if ((rc = stk_latest(s, shop, NULL, &prev, out->prev_at, NULL, e)) < 0)
        return rc;
    if ((rc = store_run(s, e,
                        "INSERT INTO stock_snapshot (shop, file, sha256, taken_at, rows)"
                        " VALUES (?1, ?2, ?3, ?4, ?5)",
                        "ssssl", shop, file, sha, now, (long long)out->rows)) < 0)
        return rc;
    cur = sqlite3_last_insert_rowid(store_db(s));
    out->snapshot = cur;
    if ((rc = store_run(s, e,
                        "INSERT INTO stock_snapshot_row (snapshot, q_sku, line, seller_sku, name,"
                        " total_qty, extra_price, currency, link_count, branch_qty)"
                        " SELECT ?1, q_sku, line, seller_sku, name, total_qty, extra_price,"
                        " currency, link_count, branch_qty FROM temp.stk_in",
                        "l", cur)) < 0)
        return rc;
    struct rep r = {s, shop, out->prev_at, now, cb, out, e};
    if ((rc = store_each(s, report_sql, rep_row, &r, e, "sll", shop, cur, prev)) < 0)
        return rc;
    /* R-STK-5: the options take the file's codes, names, quantities and link counts; an
     * option the file no longer shows keeps its last values (last_snapshot says so). */
    return store_run(s, e,
                     "INSERT INTO stock_option (shop, q_sku, q_code, option_code, seller_sku, name,"
                     " total_qty, extra_price, currency, link_count, branch_qty, first_snapshot,"
                     " last_snapshot, updated_at)"
                     " SELECT ?1, q_sku, q_code, option_code, seller_sku, name, total_qty,"
                     " extra_price, currency, link_count, branch_qty, ?2, ?2, ?3 FROM temp.stk_in"
                     " WHERE true ON CONFLICT (shop, q_sku) DO UPDATE SET"
                     " q_code = excluded.q_code, option_code = excluded.option_code,"
                     " seller_sku = excluded.seller_sku, name = excluded.name,"
                     " total_qty = excluded.total_qty, extra_price = excluded.extra_price,"
                     " currency = excluded.currency, link_count = excluded.link_count,"
                     " branch_qty = excluded.branch_qty, last_snapshot = excluded.last_snapshot,"
                     " updated_at = excluded.updated_at",
                     "sls", shop, cur, now);
}

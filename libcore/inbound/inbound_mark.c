/* inbound_mark: a bundle moved along QSM's state graph as the seller records it from QSM's
 * screens (R-INB-3), completion with the inspected quantities (R-INB-4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inbound.h"
#include "../tm.h"
#include "../xalloc.h"

#define BIT(s) (1u << (s))

/* R-INB-3: the states each state may go to. shipped -> shipped changes the shipment's
 * details (QSM: 在【Shipped】状态下时，可修改运送公司·运单号码等信息). */
static const unsigned next[INB_NSTATES] = {
    [INB_NEW] = BIT(INB_REQUESTED),
    [INB_REQUESTED] = BIT(INB_CONFIRMED) | BIT(INB_REJECTED) | BIT(INB_DELETED),
    [INB_CONFIRMED] = BIT(INB_SHIPPED) | BIT(INB_DELETED),
    [INB_SHIPPED] = BIT(INB_SHIPPED) | BIT(INB_ARRIVED),
    [INB_ARRIVED] = BIT(INB_COMPLETED) | BIT(INB_REJECTED),
};

static void allowed(enum inbound_state from, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int s = 0; s < INB_NSTATES; s++)
        if (next[from] & BIT(s))
            snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? ", " : "",
                     inbound_state_names[s]);
    if (!buf[0])
        snprintf(buf, size, "none: %s is final", inbound_state_names[from]);
}

static int one_row(sqlite3_stmt *st, void *p)
{
    *(long long *)p = sqlite3_column_int64(st, 0);
    return 1;
}

/* A whole number of 0 or more, or -1. */
static long long whole(const char *s)
{
    long long v = 0;
    int digits = 0;
    while (*s == ' ')
        s++;
    for (; *s >= '0' && *s <= '9'; s++, digits++)
        if ((v = v * 10 + (*s - '0')) > 99999999LL)
            return -1;
    while (*s == ' ')
        s++;
    return digits && !*s ? v : -1;
}

struct row {
    char q_sku[STOCK_SKU_LEN + 1];
    long long qty, inspected;
};

struct rows {
    struct row *v;
    size_t n;
};

static int row_row(sqlite3_stmt *st, void *p)
{
    struct rows *rs = p;
    rs->v = xrealloc(rs->v, (rs->n + 1) * sizeof *rs->v);
    struct row *r = &rs->v[rs->n++];
    snprintf(r->q_sku, sizeof r->q_sku, "%s", store_col_text(st, 0));
    r->qty = r->inspected = sqlite3_column_int64(st, 1);
    return 0;
}

/* R-INB-4: the inspected quantities (default: requested), checked against the bundle's
 * rows; then recorded and the shortfalls reported. */
static int complete(struct store *s, const struct inbound_bundle *b, const struct inbound_mark *m,
                    struct qs_err *e)
{
    struct rows rs = {0};
    int rc = store_each(s, "SELECT q_sku, qty FROM inbound_row WHERE bundle = ?1 ORDER BY q_sku",
                        row_row, &rs, e, "l", b->id);
    unsigned char *given = NULL;
    if (rc < 0)
        goto out;
    given = xcalloc(rs.n + 1, 1);
    for (size_t i = 0; i < m->ninsp && rc == 0; i++) {
        const struct inbound_inspect *in = &m->insp[i];
        struct stock_sku k;
        char why[256], sku[STOCK_SKU_LEN + 1];
        int restored;
        long long q = whole(in->qty ? in->qty : "");
        size_t j = 0;
        if (stock_sku_parse(in->q_sku ? in->q_sku : "", &k, &restored, why, sizeof why) < 0) {
            rc = err_set(e, QS_E_DATA, "R-STK-1", "q_sku: %s", why);
        } else {
            stock_sku_format(&k, sku, sizeof sku);
            while (j < rs.n && strcmp(rs.v[j].q_sku, sku) != 0)
                j++;
            if (j == rs.n)
                rc = err_set(e, QS_E_DATA, "R-INB-4", "%s is not a row of bundle %s", sku, b->name);
            else if (given[j]++)
                rc = err_set(e, QS_E_DATA, "R-INB-4", "%s is given twice", sku);
            else if (q < 0)
                rc = err_set(e, QS_E_DATA, "R-INB-4",
                             "inspected_qty \"%s\" of %s is not a whole number of 0 or more",
                             in->qty ? in->qty : "", sku);
            else
                rs.v[j].inspected = q;
        }
        if (rc < 0 && in->line)
            err_at(e, "stdin", in->line, 0);
    }
    for (size_t j = 0; j < rs.n && rc == 0; j++)
        rc = store_run(s, e,
                       "UPDATE inbound_row SET inspected = ?3 WHERE bundle = ?1 AND q_sku = ?2",
                       "lsl", b->id, rs.v[j].q_sku, rs.v[j].inspected);
    for (size_t j = 0; j < rs.n && rc == 0 && m->shortfall; j++)
        if (rs.v[j].inspected < rs.v[j].qty) {
            struct inbound_short sh = {b->name, rs.v[j].q_sku, rs.v[j].qty, rs.v[j].inspected};
            rc = m->shortfall(m->ctx, &sh, e);
        }
out:
    free(given);
    free(rs.v);
    return rc < 0 ? rc : 0;
}

static int check(struct store *s, const char *shop, const struct inbound_bundle *b,
                 enum inbound_state to, const struct inbound_mark *m, struct qs_err *e)
{
    char ok[128];
    if (!(next[b->state] & BIT(to))) {
        allowed(b->state, ok, sizeof ok);
        return err_set(e, QS_E_DATA, "R-INB-3",
                       "bundle %s is %s: it cannot become %s (QSM's states; next: %s)", b->name,
                       inbound_state_names[b->state], inbound_state_names[to], ok);
    }
    if (to == INB_REQUESTED && !b->cargo_no[0] && !(m->cargo_no && *m->cargo_no))
        return err_set(e, QS_E_DATA, "R-INB-3",
                       "bundle %s: requested needs --cargo-no N, the cargo bundle number QSM "
                       "issued (box labels need it)",
                       b->name);
    if (m->cargo_no && *m->cargo_no) {
        long long other = 0;
        int rc = store_each(s,
                            "SELECT id FROM inbound_bundle WHERE shop = ?1 AND cargo_no = ?2"
                            " AND id <> ?3",
                            one_row, &other, e, "ssl", shop, m->cargo_no, b->id);
        if (rc < 0)
            return rc;
        if (other)
            return err_set(e, QS_E_DATA, "R-INB-3", "cargo bundle number %s is bundle B%lld's",
                           m->cargo_no, other);
    }
    if (to == INB_SHIPPED && b->state != INB_SHIPPED &&
        (!m->carrier || !*m->carrier || !m->tracking || !*m->tracking || m->boxes < 1))
        return err_set(e, QS_E_DATA, "R-INB-3",
                       "bundle %s: shipped needs --carrier C --tracking T --boxes N (QSM's Send "
                       "to Warehouse)",
                       b->name);
    if (to == INB_SHIPPED && b->state == INB_SHIPPED && !m->carrier && !m->tracking &&
        m->boxes < 0 && !m->arrival && !m->cargo_no)
        return err_set(e, QS_E_DATA, "R-INB-3",
                       "bundle %s is shipped already: give --carrier, --tracking, --boxes or "
                       "--arrival to change",
                       b->name);
    return 0;
}

int inbound_mark_bundle(struct store *s, const char *shop, const struct inbound_mark *m,
                        struct inbound_bundle *b, struct qs_err *e)
{
    int to = inbound_state_parse(m->state), rc, own = sqlite3_get_autocommit(store_db(s));
    char at[32], detail[512];

    if (to < 0)
        return err_set(e, QS_E_USAGE, "R-INB-3",
                       "state \"%s\" is not one of requested, confirmed, shipped, arrived, "
                       "completed, rejected, deleted",
                       m->state);
    if ((rc = inbound_bundle_get(s, shop, m->which, b, e)) < 0 ||
        (rc = check(s, shop, b, (enum inbound_state)to, m, e)) < 0)
        return rc;
    tm_utc_iso(m->at, at, sizeof at);
    if (own && (rc = store_begin(s, e)) < 0)
        return rc;
    rc = store_run(s, e,
                   "UPDATE inbound_bundle SET state = ?2, state_at = ?3,"
                   " cargo_no = coalesce(?4, cargo_no), arrival = coalesce(?5, arrival),"
                   " carrier = coalesce(?6, carrier), tracking = coalesce(?7, tracking),"
                   " boxes = CASE WHEN ?8 >= 0 THEN ?8 ELSE boxes END,"
                   " arrived_at = CASE WHEN ?2 = 'arrived' THEN ?3 ELSE arrived_at END,"
                   " completed_at = CASE WHEN ?2 = 'completed' THEN ?3 ELSE completed_at END"
                   " WHERE id = ?1",
                   "lssssssl", b->id, inbound_state_names[to], at,
                   m->cargo_no && *m->cargo_no ? m->cargo_no : NULL, m->arrival, m->carrier,
                   m->tracking, (long long)m->boxes);
    snprintf(detail, sizeof detail, "%s%s%s%s%s%s%s", m->cargo_no ? "cargo_no=" : "",
             m->cargo_no ? m->cargo_no : "", m->carrier ? " carrier=" : "",
             m->carrier ? m->carrier : "", m->tracking ? " tracking=" : "",
             m->tracking ? m->tracking : "", m->arrival ? " arrival" : "");
    if (rc == 0)
        rc = store_run(s, e,
                       "INSERT INTO inbound_event(bundle, state, at, detail) VALUES (?1, ?2, ?3,"
                       " ?4)",
                       "lsss", b->id, inbound_state_names[to], at, detail);
    if (rc == 0 && to == INB_COMPLETED)
        rc = complete(s, b, m, e);
    if (own) {
        if (rc == 0)
            rc = store_commit(s, e);
        else
            store_rollback(s);
    }
    if (rc == 0) {
        char which[24];
        snprintf(which, sizeof which, "%s", b->name);
        rc = inbound_bundle_get(s, shop, which, b, e);
    }
    return rc;
}

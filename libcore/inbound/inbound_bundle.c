/* inbound_bundle: cargo bundles as the store holds them -- found by local id or cargo number,
 * listed with their lateness (R-INB-5), their hand-offs confirmed (SPEC 1.7), and the
 * completed units the stock model adds (R-INB-4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inbound.h"
#include "../tm.h"
#include "../xalloc.h"

const char *const inbound_state_names[INB_NSTATES] = {
    "new", "requested", "confirmed", "shipped", "arrived", "completed", "rejected", "deleted",
};

int inbound_state_parse(const char *s)
{
    for (int i = 0; i < INB_NSTATES; i++)
        if (strcmp(s, inbound_state_names[i]) == 0)
            return i;
    return -1;
}

int inbound_late(const char *arrived_at, time_t now)
{
    time_t at;
    if (!arrived_at || !*arrived_at || tm_parse_utc_iso(arrived_at, &at) < 0)
        return 0;
    /* R-INB-5: Japan time has no DST: the arrival day starts at 00:00 JST (15:00 UTC the day
     * before); the inspection may take the 3 days after it; from the 4th, late. */
    long long jst = (long long)at + 9 * 3600;
    long long day0 = jst - ((jst % 86400) + 86400) % 86400 - 9 * 3600;
    return (long long)now >= day0 + 4 * 86400LL;
}

#define BUNDLE_SQL                                                                                 \
    "SELECT b.id, b.key, b.cargo_no, b.arrival, b.carrier, b.tracking, b.boxes, b.state,"          \
    " b.created_at, b.state_at, b.arrived_at, b.completed_at,"                                     \
    " (SELECT count(*) FROM inbound_row r WHERE r.bundle = b.id),"                                 \
    " (SELECT coalesce(sum(qty), 0) FROM inbound_row r WHERE r.bundle = b.id),"                    \
    " (SELECT coalesce(sum(inspected), 0) FROM inbound_row r WHERE r.bundle = b.id)"               \
    " FROM inbound_bundle b"

struct walk {
    struct inbound_bundle *one; /* get: the bundle found */
    int (*fn)(void *ctx, const struct inbound_bundle *b, struct qs_err *e);
    void *ctx;
    int late_only;
    time_t now;
    struct qs_err *e;
};

static void fill(sqlite3_stmt *st, struct inbound_bundle *b, time_t now)
{
#define TXT(f, i) snprintf(b->f, sizeof b->f, "%s", store_col_text(st, i))
    memset(b, 0, sizeof *b);
    b->id = sqlite3_column_int64(st, 0);
    snprintf(b->name, sizeof b->name, "B%lld", b->id);
    TXT(key, 1);
    TXT(cargo_no, 2);
    TXT(arrival, 3);
    TXT(carrier, 4);
    TXT(tracking, 5);
    b->boxes = (long)sqlite3_column_int64(st, 6);
    b->state = inbound_state_parse(store_col_text(st, 7));
    TXT(created_at, 8);
    TXT(state_at, 9);
    TXT(arrived_at, 10);
    TXT(completed_at, 11);
#undef TXT
    b->rows = (long)sqlite3_column_int64(st, 12);
    b->units = sqlite3_column_int64(st, 13);
    b->inspected = sqlite3_column_int64(st, 14);
    b->late = b->state == INB_ARRIVED && inbound_late(b->arrived_at, now);
}

static int bundle_row(sqlite3_stmt *st, void *p)
{
    struct walk *w = p;
    struct inbound_bundle b;
    fill(st, &b, w->now);
    if (w->one) {
        *w->one = b;
        return 1;
    }
    if (w->late_only && !b.late)
        return 0;
    return w->fn(w->ctx, &b, w->e);
}

int inbound_bundle_get(struct store *s, const char *shop, const char *which,
                       struct inbound_bundle *b, struct qs_err *e)
{
    struct walk w = {.one = b, .now = time(NULL), .e = e};
    long long id = 0;
    const char *p = which + (which[0] == 'B' || which[0] == 'b');
    char *end;
    int rc;

    memset(b, 0, sizeof *b);
    if (*p >= '0' && *p <= '9') {
        id = strtoll(p, &end, 10);
        if (*end)
            id = 0;
    }
    /* The local id (B12) first, when the operand says B; else the cargo number first. */
    if (p != which && id &&
        (rc = store_each(s, BUNDLE_SQL " WHERE b.shop = ?1 AND b.id = ?2", bundle_row, &w, e, "sl",
                         shop, id)) < 0)
        return rc;
    if (!b->id && (rc = store_each(s, BUNDLE_SQL " WHERE b.shop = ?1 AND b.cargo_no = ?2",
                                   bundle_row, &w, e, "ss", shop, which)) < 0)
        return rc;
    if (!b->id && id &&
        (rc = store_each(s, BUNDLE_SQL " WHERE b.shop = ?1 AND b.id = ?2", bundle_row, &w, e, "sl",
                         shop, id)) < 0)
        return rc;
    if (!b->id)
        return err_set(e, QS_E_DATA, "R-INB-3",
                       "no bundle %s in shop %s (a local id such as B1, or QSM's cargo bundle "
                       "number; qs inbound list shows them)",
                       which, shop);
    return 0;
}

int inbound_list(struct store *s, const char *shop, int state, int late_only, time_t now,
                 int (*fn)(void *ctx, const struct inbound_bundle *b, struct qs_err *e), void *ctx,
                 struct qs_err *e)
{
    struct walk w = {.fn = fn, .ctx = ctx, .late_only = late_only, .now = now, .e = e};
    int rc =
        store_each(s,
                   BUNDLE_SQL " WHERE b.shop = ?1 AND (?2 = '' OR b.state = ?2)"
                              " ORDER BY b.id",
                   bundle_row, &w, e, "ss", shop, state >= 0 ? inbound_state_names[state] : "");
    return rc < 0 ? rc : 0;
}

int inbound_confirm(struct store *s, const char *shop, const char *const *which, size_t n,
                    const char *ref, size_t *confirmed, struct qs_err *e)
{
    const char **keys = NULL;
    char(*buf)[96] = NULL;
    int rc = 0;

    if (n) {
        keys = xcalloc(n, sizeof *keys);
        buf = xcalloc(n, sizeof *buf);
        for (size_t i = 0; i < n && rc == 0; i++) {
            struct inbound_bundle b;
            if ((rc = inbound_bundle_get(s, shop, which[i], &b, e)) == 0) {
                snprintf(buf[i], sizeof buf[i], "%s", b.key);
                keys[i] = buf[i];
            }
        }
    }
    if (rc == 0)
        rc = deliver_confirm(s, shop, INBOUND_KIND, n ? keys : NULL, n, ref, confirmed, e);
    free(keys);
    free(buf);
    return rc;
}

static int num_row(sqlite3_stmt *st, void *p)
{
    *(long long *)p = sqlite3_column_int64(st, 0);
    return 1;
}

int inbound_completed_units(struct store *s, const char *shop, const char *q_sku, const char *from,
                            const char *to, long long *units, struct qs_err *e)
{
    *units = 0;
    return store_each(s,
                      "SELECT coalesce(sum(coalesce(r.inspected, r.qty)), 0) FROM inbound_row r"
                      " JOIN inbound_bundle b ON b.id = r.bundle WHERE b.shop = ?1"
                      " AND b.state = 'completed' AND r.q_sku = ?2 AND b.completed_at > ?3"
                      " AND (?4 = '' OR b.completed_at <= ?4)",
                      num_row, units, e, "ssss", shop, q_sku, from ? from : "", to ? to : "");
}

int inbound_first_completed(struct store *s, const char *shop, const char *q_sku, char *at,
                            struct qs_err *e)
{
    struct store_text t = {at, 32};
    at[0] = '\0';
    int rc = store_each(s,
                        "SELECT min(b.completed_at) FROM inbound_row r JOIN inbound_bundle b"
                        " ON b.id = r.bundle WHERE b.shop = ?1 AND b.state = 'completed'"
                        " AND r.q_sku = ?2 AND coalesce(r.inspected, r.qty) > 0",
                        store_row_text, &t, e, "ss", shop, q_sku);
    return rc < 0 ? rc : 0;
}

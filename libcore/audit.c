/* audit: one row per outside call attempt (SPEC 1.6). Secrets never reach this table:
 * callers redact details before audit_add. */
#include "audit.h"

#include "tm.h"

/* Times are stored as UTC ISO-8601 text, which sorts as time (SPEC 1.5). */
static char *iso(time_t t, char buf[32])
{
    return tm_utc_iso(t, buf, 32);
}

static time_t parse_iso(const char *s)
{
    time_t t;
    return tm_parse_utc_iso(s, &t) == 0 ? t : (time_t)0;
}

int audit_add(struct store *s, const struct audit_entry *a, struct qs_err *e)
{
    char at[32];

    return store_run(s, e,
                     "INSERT INTO audit(at, shop, kind, key, attempt, result, code, latency_ms,"
                     " detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                     "ssssissls", iso(a->at, at), a->shop, a->kind ? a->kind : "", a->key,
                     a->attempt, a->result ? a->result : "", a->code, (long long)a->latency_ms,
                     a->detail);
}

int audit_add_id(struct store *s, const struct audit_entry *a, long long *id, struct qs_err *e)
{
    int rc = audit_add(s, a, e);
    *id = rc == 0 ? (long long)sqlite3_last_insert_rowid(store_db(s)) : 0;
    return rc;
}

int audit_finish(struct store *s, long long id, const char *result, const char *code,
                 long latency_ms, const char *detail, struct qs_err *e)
{
    return store_run(s, e,
                     "UPDATE audit SET result = ?2, code = ?3, latency_ms = ?4, detail = ?5"
                     " WHERE id = ?1",
                     "lssls", id, result ? result : "", code, (long long)latency_ms, detail);
}

/* Column i as text, NULL for SQL NULL (an entry's key, code and detail may be absent). */
static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

struct walk {
    audit_fn fn;
    void *ctx;
};

static int audit_row(sqlite3_stmt *st, void *p)
{
    struct walk *w = p;
    struct audit_entry a = {
        .at = parse_iso(col(st, 0)),
        .shop = col(st, 1),
        .kind = col(st, 2),
        .key = col(st, 3),
        .attempt = sqlite3_column_int(st, 4),
        .result = col(st, 5),
        .code = col(st, 6),
        .latency_ms = (long)sqlite3_column_int64(st, 7),
        .detail = col(st, 8),
    };
    return w->fn(&a, w->ctx);
}

int audit_each(struct store *s, const char *shop, time_t since, audit_fn fn, void *ctx,
               struct qs_err *e)
{
    struct walk w = {fn, ctx};
    char t_since[32];

    return store_each(s,
                      "SELECT at, shop, kind, key, attempt, result, code, latency_ms, detail"
                      " FROM audit WHERE (?1 IS NULL OR shop = ?1) AND at >= ?2 ORDER BY at, id",
                      audit_row, &w, e, "ss", shop, iso(since, t_since));
}

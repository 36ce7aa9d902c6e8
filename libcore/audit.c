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

static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
    return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

int audit_add(struct store *s, const struct audit_entry *a, struct qs_err *e)
{
    static const char ins[] =
        "INSERT INTO audit(at, shop, kind, key, attempt, result, code, latency_ms, detail)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    sqlite3_stmt *st = NULL;
    char at[32];
    int rc = 0;

    if (sqlite3_prepare_v2(store_db(s), ins, -1, &st, NULL) != SQLITE_OK)
        return store_sqlerr(s, e, "audit");
    if (bind_text(st, 1, iso(a->at, at)) || bind_text(st, 2, a->shop) ||
        bind_text(st, 3, a->kind ? a->kind : "") || bind_text(st, 4, a->key) ||
        sqlite3_bind_int(st, 5, a->attempt) || bind_text(st, 6, a->result ? a->result : "") ||
        bind_text(st, 7, a->code) || sqlite3_bind_int64(st, 8, a->latency_ms) ||
        bind_text(st, 9, a->detail) || sqlite3_step(st) != SQLITE_DONE)
        rc = store_sqlerr(s, e, "audit");
    sqlite3_finalize(st);
    return rc;
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

int audit_each(struct store *s, const char *shop, time_t since, audit_fn fn, void *ctx,
               struct qs_err *e)
{
    static const char sel[] =
        "SELECT at, shop, kind, key, attempt, result, code, latency_ms, detail FROM audit"
        " WHERE (?1 IS NULL OR shop = ?1) AND at >= ?2 ORDER BY at, id";
    sqlite3_stmt *st = NULL;
    char t_since[32];
    int rc = 0, step;

    if (sqlite3_prepare_v2(store_db(s), sel, -1, &st, NULL) != SQLITE_OK)
        return store_sqlerr(s, e, "audit");
    if (bind_text(st, 1, shop) || bind_text(st, 2, iso(since, t_since))) {
        rc = store_sqlerr(s, e, "audit");
        goto out;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
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
        if ((rc = fn(&a, ctx)) != 0)
            goto out;
    }
    if (step != SQLITE_DONE)
        rc = store_sqlerr(s, e, "audit");
out:
    sqlite3_finalize(st);
    return rc;
}

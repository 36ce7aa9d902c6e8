/* shop: owns the tables shop, shop_setting and shop_secret. */
#include "shop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tm.h"
#include "xalloc.h"

int shop_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 63 || name[0] == '-' || name[0] == '.')
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct qs_err *e)
{
    if (sqlite3_prepare_v2(store_db(s), sql, -1, st, NULL) != SQLITE_OK)
        return store_sqlerr(s, e, "store");
    return 0;
}

/* Reads one shop row into out; returns 1 found, 0 not, negative on error. */
static int shop_get(struct store *s, const char *name, struct shop *out, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(s, "SELECT name, tz FROM shop WHERE name = ?", &st, e);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    switch (sqlite3_step(st)) {
    case SQLITE_ROW:
        snprintf(out->name, sizeof out->name, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(out->tz, sizeof out->tz, "%s", (const char *)sqlite3_column_text(st, 1));
        rc = 1;
        break;
    case SQLITE_DONE:
        rc = 0;
        break;
    default:
        rc = store_sqlerr(s, e, "reading shop");
    }
    sqlite3_finalize(st);
    return rc;
}

int shop_add(struct store *s, const char *name, const char *tz, int set_tz, int *created,
             struct qs_err *e)
{
    struct shop cur;
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc;

    *created = 0;
    if (!shop_name_valid(name))
        return err_set(e, QS_E_USAGE, NULL,
                       "shop name \"%s\" is not valid; use 1-63 of A-Z a-z 0-9 . _ -", name);
    if (!tm_zone_valid(tz))
        return err_set(e, QS_E_USAGE, NULL,
                       "unknown time zone \"%s\"; use an IANA name like Asia/Tokyo", tz);
    if ((rc = shop_get(s, name, &cur, e)) < 0)
        return rc;
    if (rc == 1) {
        if (strcmp(cur.tz, tz) == 0 || !set_tz)
            return 0;
        if ((rc = prepare(s, "UPDATE shop SET tz = ? WHERE name = ?", &st, e)) < 0)
            return rc;
    } else {
        if ((rc = prepare(s, "INSERT INTO shop(tz, name, created_at) VALUES (?, ?, ?)", &st, e)) <
            0)
            return rc;
        sqlite3_bind_text(st, 3, tm_utc_iso(time(NULL), now, sizeof now), -1, SQLITE_STATIC);
        *created = 1;
    }
    sqlite3_bind_text(st, 1, tz, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_sqlerr(s, e, "writing shop");
    sqlite3_finalize(st);
    return rc;
}

int shop_each(struct store *s, int (*fn)(const struct shop *sh, void *ctx), void *ctx,
              struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    struct shop sh;
    int rc = prepare(s, "SELECT name, tz FROM shop ORDER BY name", &st, e), step;
    if (rc < 0)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        snprintf(sh.name, sizeof sh.name, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(sh.tz, sizeof sh.tz, "%s", (const char *)sqlite3_column_text(st, 1));
        if ((rc = fn(&sh, ctx)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_sqlerr(s, e, "listing shops");
    sqlite3_finalize(st);
    return rc;
}

int shop_resolve(struct store *s, const char *name, struct shop *out, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc, n = 0;

    memset(out, 0, sizeof *out);
    if (name) {
        if ((rc = shop_get(s, name, out, e)) < 0)
            return rc;
        if (rc == 0)
            return err_set(e, QS_E_USAGE, NULL,
                           "no shop \"%s\" in the store; create it with 'qs init --shop %s'", name,
                           name);
        return 0;
    }
    if ((rc = prepare(s, "SELECT name, tz FROM shop ORDER BY name LIMIT 2", &st, e)) < 0)
        return rc;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n++ == 0) {
            snprintf(out->name, sizeof out->name, "%s", (const char *)sqlite3_column_text(st, 0));
            snprintf(out->tz, sizeof out->tz, "%s", (const char *)sqlite3_column_text(st, 1));
        }
    }
    sqlite3_finalize(st);
    if (n == 0)
        return err_set(e, QS_E_USAGE, NULL, "the store has no shop yet; run 'qs init --shop NAME'");
    if (n > 1) {
        memset(out, 0, sizeof *out);
        return err_set(e, QS_E_USAGE, NULL,
                       "the store holds several shops; choose one with --shop or QS_SHOP");
    }
    return 0;
}

static int kv_set(struct store *s, const char *table, const char *shop, const char *key,
                  const char *value, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    char sql[160];
    int rc;
    /* table is one of two constants of this file, never user input. */
    if (value)
        snprintf(sql, sizeof sql,
                 "INSERT INTO %s(shop, key, value) VALUES (?, ?, ?) "
                 "ON CONFLICT(shop, key) DO UPDATE SET value = excluded.value",
                 table);
    else
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE shop = ? AND key = ?", table);
    if ((rc = prepare(s, sql, &st, e)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, shop, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    if (value)
        sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_sqlerr(s, e, "writing shop setting");
    sqlite3_finalize(st);
    return rc;
}

static int kv_get(struct store *s, const char *table, const char *shop, const char *key,
                  char **value, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    char sql[96];
    int rc;
    *value = NULL;
    snprintf(sql, sizeof sql, "SELECT value FROM %s WHERE shop = ? AND key = ?", table);
    if ((rc = prepare(s, sql, &st, e)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, shop, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    switch (sqlite3_step(st)) {
    case SQLITE_ROW:
        *value = xstrdup((const char *)sqlite3_column_text(st, 0));
        rc = 0;
        break;
    case SQLITE_DONE:
        rc = 0;
        break;
    default:
        rc = store_sqlerr(s, e, "reading shop setting");
    }
    sqlite3_finalize(st);
    return rc;
}

int shop_setting_set(struct store *s, const char *shop, const char *key, const char *value,
                     struct qs_err *e)
{
    return kv_set(s, "shop_setting", shop, key, value, e);
}

int shop_setting_get(struct store *s, const char *shop, const char *key, char **value,
                     struct qs_err *e)
{
    return kv_get(s, "shop_setting", shop, key, value, e);
}

int shop_secret_set(struct store *s, const char *shop, const char *key, const char *value,
                    struct qs_err *e)
{
    return kv_set(s, "shop_secret", shop, key, value, e);
}

int shop_secret_get(struct store *s, const char *shop, const char *key, char **value,
                    struct qs_err *e)
{
    return kv_get(s, "shop_secret", shop, key, value, e);
}

int shop_secret_count(struct store *s, const char *shop, int *n, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(s, "SELECT count(*) FROM shop_secret WHERE shop = ?", &st, e);
    *n = 0;
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, shop, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        *n = sqlite3_column_int(st, 0);
    else
        rc = store_sqlerr(s, e, "counting secrets");
    sqlite3_finalize(st);
    return rc;
}

int shop_setting_each(struct store *s, const char *shop,
                      int (*fn)(const char *key, const char *value, void *ctx), void *ctx,
                      struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(s, "SELECT key, value FROM shop_setting WHERE shop = ? ORDER BY key", &st, e),
        step;
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, shop, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn((const char *)sqlite3_column_text(st, 0),
                     (const char *)sqlite3_column_text(st, 1), ctx)) != 0)
            break;
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_sqlerr(s, e, "listing settings");
    sqlite3_finalize(st);
    return rc;
}

int shop_key_valid(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > 63)
        return 0;
    for (const char *p = key; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
              *p == '-'))
            return 0;
    return 1;
}

int shop_delivery_valid(const char *spec)
{
    if (strcmp(spec, "qapi") == 0 || strcmp(spec, "smtp") == 0)
        return 1;
    if ((strncmp(spec, "hook:", 5) == 0 || strncmp(spec, "file:", 5) == 0) && spec[5])
        return 1;
    return 0;
}

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

static int shop_row(sqlite3_stmt *st, void *p)
{
    struct shop *out = p;
    snprintf(out->name, sizeof out->name, "%s", store_col_text(st, 0));
    snprintf(out->tz, sizeof out->tz, "%s", store_col_text(st, 1));
    return 1;
}

/* Reads one shop row into out; returns 1 found, 0 not, negative on error. */
static int shop_get(struct store *s, const char *name, struct shop *out, struct qs_err *e)
{
    return store_each(s, "SELECT name, tz FROM shop WHERE name = ?", shop_row, out, e, "s", name);
}

int shop_add(struct store *s, const char *name, const char *tz, int set_tz, int *created,
             struct qs_err *e)
{
    struct shop cur;
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
        return store_run(s, e, "UPDATE shop SET tz = ? WHERE name = ?", "ss", tz, name);
    }
    if ((rc = store_run(s, e, "INSERT INTO shop(tz, name, created_at) VALUES (?, ?, ?)", "sss", tz,
                        name, tm_utc_iso(time(NULL), now, sizeof now))) == 0)
        *created = 1;
    return rc;
}

struct shop_walk {
    int (*fn)(const struct shop *sh, void *ctx);
    void *ctx;
};

static int shop_each_row(sqlite3_stmt *st, void *p)
{
    struct shop_walk *w = p;
    struct shop sh;
    shop_row(st, &sh);
    return w->fn(&sh, w->ctx);
}

int shop_each(struct store *s, int (*fn)(const struct shop *sh, void *ctx), void *ctx,
              struct qs_err *e)
{
    struct shop_walk w = {fn, ctx};
    return store_each(s, "SELECT name, tz FROM shop ORDER BY name", shop_each_row, &w, e, "");
}

struct shop_pick {
    struct shop first;
    int n;
};

/* Counts the rows and keeps the first. */
static int shop_pick_row(sqlite3_stmt *st, void *p)
{
    struct shop_pick *pk = p;
    if (pk->n++ == 0)
        shop_row(st, &pk->first);
    return 0;
}

int shop_resolve(struct store *s, const char *name, struct shop *out, struct qs_err *e)
{
    struct shop_pick pk;
    int rc, n;

    memset(out, 0, sizeof *out);
    memset(&pk, 0, sizeof pk);
    if (name) {
        if ((rc = shop_get(s, name, out, e)) < 0)
            return rc;
        if (rc == 0)
            return err_set(e, QS_E_USAGE, NULL,
                           "no shop \"%s\" in the store; create it with 'qs init --shop %s'", name,
                           name);
        return 0;
    }
    if ((rc = store_each(s, "SELECT name, tz FROM shop ORDER BY name LIMIT 2", shop_pick_row, &pk,
                         e, "")) < 0)
        return rc;
    n = pk.n;
    *out = pk.first;
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
    char sql[160];
    /* table is one of two constants of this file, never user input. */
    if (!value) {
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE shop = ? AND key = ?", table);
        return store_run(s, e, sql, "ss", shop, key);
    }
    snprintf(sql, sizeof sql,
             "INSERT INTO %s(shop, key, value) VALUES (?, ?, ?) "
             "ON CONFLICT(shop, key) DO UPDATE SET value = excluded.value",
             table);
    return store_run(s, e, sql, "sss", shop, key, value);
}

static int dup_row(sqlite3_stmt *st, void *p)
{
    *(char **)p = xstrdup(store_col_text(st, 0));
    return 1;
}

static int kv_get(struct store *s, const char *table, const char *shop, const char *key,
                  char **value, struct qs_err *e)
{
    char sql[96];
    int rc;
    *value = NULL;
    snprintf(sql, sizeof sql, "SELECT value FROM %s WHERE shop = ? AND key = ?", table);
    rc = store_each(s, sql, dup_row, value, e, "ss", shop, key);
    return rc < 0 ? rc : 0;
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

static int int_row(sqlite3_stmt *st, void *p)
{
    *(int *)p = sqlite3_column_int(st, 0);
    return 1;
}

int shop_secret_count(struct store *s, const char *shop, int *n, struct qs_err *e)
{
    int rc;
    *n = 0;
    rc = store_each(s, "SELECT count(*) FROM shop_secret WHERE shop = ?", int_row, n, e, "s", shop);
    return rc < 0 ? rc : 0;
}

struct kv_walk {
    int (*fn)(const char *key, const char *value, void *ctx);
    void *ctx;
};

static int kv_row(sqlite3_stmt *st, void *p)
{
    struct kv_walk *w = p;
    return w->fn(store_col_text(st, 0), store_col_text(st, 1), w->ctx);
}

int shop_setting_each(struct store *s, const char *shop,
                      int (*fn)(const char *key, const char *value, void *ctx), void *ctx,
                      struct qs_err *e)
{
    struct kv_walk w = {fn, ctx};
    return store_each(s, "SELECT key, value FROM shop_setting WHERE shop = ? ORDER BY key", kv_row,
                      &w, e, "s", shop);
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

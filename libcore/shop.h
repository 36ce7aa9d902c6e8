/* shop: the shops of a store, their time zone, settings and secrets (SPEC 1.4). */
#ifndef QS_SHOP_H
#define QS_SHOP_H

#include "err.h"
#include "store.h"

#define SHOP_DEFAULT_TZ "Asia/Tokyo"

struct shop {
    char name[64];
    char tz[64];
};

/* 1 when name is a valid shop name: 1-63 of [A-Za-z0-9._-], not starting with '-'. */
int shop_name_valid(const char *name);
/* Creates shop name with zone tz. *created = 1 if new, 0 if it existed with the same
 * zone. An existing shop with another zone is changed only when set_tz. */
int shop_add(struct store *s, const char *name, const char *tz, int set_tz, int *created,
             struct qs_err *e);
/* Finds the shop to act on: name when given, else the only shop of the store.
 * QS_E_USAGE when there is none, several and no name, or name is unknown. */
int shop_resolve(struct store *s, const char *name, struct shop *out, struct qs_err *e);
/* Calls fn for each shop in name order. */
int shop_each(struct store *s, int (*fn)(const struct shop *sh, void *ctx), void *ctx,
              struct qs_err *e);
/* Sets a plain setting (shown by listings). value NULL deletes it. */
int shop_setting_set(struct store *s, const char *shop, const char *key, const char *value,
                     struct qs_err *e);
/* Gets a setting into a malloc'd *value (NULL when unset); the caller frees it. */
int shop_setting_get(struct store *s, const char *shop, const char *key, char **value,
                     struct qs_err *e);
/* Calls fn(key, value, ctx) for each setting of shop in key order (never secrets). */
int shop_setting_each(struct store *s, const char *shop,
                      int (*fn)(const char *key, const char *value, void *ctx), void *ctx,
                      struct qs_err *e);
/* 1 when key is a valid setting or secret name: 1-63 of [a-z0-9._-]. */
int shop_key_valid(const char *key);
/* 1 when spec is a delivery of SPEC 1.7: "qapi", "smtp", "hook:COMMAND", "file:DIR". */
int shop_delivery_valid(const char *spec);
/* Sets a secret (API key, password): kept in its own table, never printed. */
int shop_secret_set(struct store *s, const char *shop, const char *key, const char *value,
                    struct qs_err *e);
/* Gets a secret into a malloc'd *value (NULL when unset); the caller frees it. */
int shop_secret_get(struct store *s, const char *shop, const char *key, char **value,
                    struct qs_err *e);
/* Number of secrets set for shop (for display: never their values). */
int shop_secret_count(struct store *s, const char *shop, int *n, struct qs_err *e);

#endif

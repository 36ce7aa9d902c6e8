/* settings: the one registry of shop settings (SPEC 1.4) -- key, type, default, bounds
 * or choices, doc -- and typed getters that check the stored text against it. `qs init
 * --set` validates against the same table; man/qs-init.1 lists it (SETTINGS). */
#ifndef QS_SETTINGS_H
#define QS_SETTINGS_H

#include <stddef.h>

#include "err.h"
#include "store.h"

enum settings_type {
    SETTINGS_LONG,     /* a whole number within [min, max] */
    SETTINGS_NUMBER,   /* a decimal number within [min, max] */
    SETTINGS_ENUM,     /* one of choices (comma-separated in the entry) */
    SETTINGS_STRING,   /* any text (a URL, a command): checked where it is used */
    SETTINGS_DELIVERY, /* qapi, smtp, hook:COMMAND or file:DIR (SPEC 1.7) */
};

struct settings_entry {
    const char *key; /* "qapi.rate"; for a prefix entry "deliver." */
    int prefix;      /* 1: key is a prefix, any KEY.<name> matches */
    enum settings_type type;
    const char *def;     /* the default as text, NULL: none (unset means "not known") */
    double min, max;     /* LONG and NUMBER bounds */
    const char *choices; /* ENUM: "per-status,zero,blank" */
    int internal;        /* 1: written by qs itself, never by --set */
    const char *rule;    /* the SPEC rule id the setting serves, or NULL */
    const char *doc;     /* one line for the man page */
};

/* The registry, in key order; *n gets its length. */
const struct settings_entry *settings_table(size_t *n);
/* The entry for key (a prefix entry matches KEY.<name>), or NULL. */
const struct settings_entry *settings_find(const char *key);
/* Checks value against key's entry for `qs init --set`: QS_E_USAGE, naming the key and
 * what is allowed, for an unknown key, an internal one or a bad value; else 0. */
int settings_check(const char *key, const char *value, struct qs_err *e);

/* Typed getters. Each returns 1 when the shop sets key, 0 when *out holds the default
 * (for a setting without a default: 0 and *out untouched, NULL for strings), or a QS_E_*
 * code: QS_E_USAGE, naming shop, key, value and the fix, when the stored text does not
 * fit the entry; QS_E_SOFTWARE when key is not in the registry or of another type. */
int settings_long(struct store *s, const char *shop, const char *key, long *out, struct qs_err *e);
int settings_number(struct store *s, const char *shop, const char *key, double *out,
                    struct qs_err *e);
/* *out gets the index of the value in the entry's choices. */
int settings_enum(struct store *s, const char *shop, const char *key, int *out, struct qs_err *e);
/* *out gets a malloc'd string (the caller frees it), or NULL when unset without default. */
int settings_string(struct store *s, const char *shop, const char *key, char **out,
                    struct qs_err *e);

#endif

/* settings: the registry of shop settings and its typed getters. */
#include "settings.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shop.h"
#include "xalloc.h"

/* Every shop setting qs reads, in key order. The defaults of sync.window_cap and
 * sync.inflight_s equal SYNC_DEFAULT_CAP and SYNC_INFLIGHT_S (test_settings checks). */
static const struct settings_entry table[] = {
    {"coupon.fans", 0, SETTINGS_LONG, NULL, 0, 1e9, NULL, 0, NULL,
     "the shop's fan count when `qs coupon record --fans` is not given; unset: unknown"},
    {"deliver.", 1, SETTINGS_DELIVERY, NULL, 0, 0, NULL, 0, NULL,
     "how outbox kind KIND leaves qs: qapi, smtp, hook:COMMAND or file:DIR "
     "(SPEC 1.7; also --deliver KIND=DELIVERY)"},
    {"note.daily_cap", 0, SETTINGS_LONG, "0", 0, 1e9, NULL, 0, NULL,
     "at most this many notes released by rules per day; 0: no cap"},
    {"note.tracking_hook", 0, SETTINGS_STRING, NULL, 0, 0, NULL, 0, NULL,
     "the command that reads carriers' tracking events for tracking rules"},
    {"notify.wait_min", 0, SETTINGS_LONG, "30", 0, 1e6, NULL, 0, NULL,
     "minutes a notification waits for its window (QSM's Period)"},
    {"publish.delivery_cache", 0, SETTINGS_STRING, NULL, 0, 0, NULL, 1, NULL,
     "the shop's delivery templates as last read, with the time (written by qs)"},
    {"publish.inflight_s", 0, SETTINGS_LONG, "5", 0, 1e6, NULL, 0, NULL,
     "seconds a publish step in flight waits before it is read back"},
    {"qapi.inventory_form", 0, SETTINGS_ENUM, "one-axis", 0, 0, "one-axis,two-axis", 0, "R-SYN-9",
     "the inventory form QAPI takes for options (`qs sync probe --apply` sets it)"},
    {"qapi.rate", 0, SETTINGS_NUMBER, "5", 0, 1000, NULL, 0, NULL,
     "QAPI requests per second, per process; 0: unlimited"},
    {"qapi.retries", 0, SETTINGS_NUMBER, "5", 0, 100, NULL, 0, NULL,
     "attempts after the first for a retryable QAPI error"},
    {"qapi.sak_issued", 0, SETTINGS_STRING, NULL, 0, 0, NULL, 1, NULL,
     "when the cached seller authorization key was issued, UTC (written by qs)"},
    {"qapi.timeout", 0, SETTINGS_NUMBER, "30", 1, 3600, NULL, 0, NULL, "seconds per QAPI request"},
    {"qapi.url", 0, SETTINGS_STRING, NULL, 0, 0, NULL, 0, "R-SYN-7",
     "the QAPI base URL: https://, or http:// to loopback only (env QS_QAPI_URL wins); "
     "default Qoo10 Japan's"},
    {"smtp.from", 0, SETTINGS_STRING, NULL, 0, 0, NULL, 0, "R-SYN-4",
     "the shop's own From of notification mail (\"Shop <shop@example.com>\")"},
    {"smtp.url", 0, SETTINGS_STRING, NULL, 0, 0, NULL, 0, "R-SYN-4",
     "the mail server of notifications: smtp://HOST:587 (STARTTLS, required off loopback) or "
     "smtps://HOST:465"},
    {"smtp.user", 0, SETTINGS_STRING, NULL, 0, 0, NULL, 0, "R-SYN-4",
     "the login at the mail server (its password: the secret smtp.password)"},
    {"stock.branch_counts_allocated", 0, SETTINGS_ENUM, "no", 0, 0, "no,yes", 0, "R-STK-7",
     "yes: orders allocated to the warehouse and not shipped lower the quantity `qs stock sync` "
     "sets (no: the branch quantity already left them out)"},
    {"stock.shop_id", 0, SETTINGS_STRING, NULL, 0, 0, NULL, 0, "R-STK-9",
     "the shop's QSM seller ID, written on inbound box labels (`qs stock labels --boxes`)"},
    {"sync.inflight_s", 0, SETTINGS_LONG, "5", 0, 1e6, NULL, 0, NULL,
     "seconds a ship or confirm line in flight waits before it is read back"},
    {"sync.open_form", 0, SETTINGS_ENUM, "per-status", 0, 0, "per-status,zero,blank", 0, "R-SYN-9",
     "how open orders are asked for (`qs sync probe --apply` sets it)"},
    {"sync.window_cap", 0, SETTINGS_LONG, "200", 1, 1e9, NULL, 0, NULL,
     "the most orders one answer holds; a full window is split (`qs sync probe --apply` "
     "sets it)"},
};

const struct settings_entry *settings_table(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

const struct settings_entry *settings_find(const char *key)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const struct settings_entry *en = &table[i];
        size_t len = strlen(en->key);
        if (en->prefix ? strncmp(key, en->key, len) == 0 && key[len] : strcmp(key, en->key) == 0)
            return en;
    }
    return NULL;
}

/* Index of value among the comma-separated choices, or -1. */
static int choice_index(const char *choices, const char *value)
{
    size_t len = strlen(value);
    int i = 0;
    for (const char *p = choices; *p; i++) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, value, n) == 0)
            return i;
        p += n + (end != NULL);
    }
    return -1;
}

/* "a, b or c" from "a,b,c" into buf. */
static const char *choice_list(const char *choices, char *buf, size_t size)
{
    const char *last = strrchr(choices, ',');
    size_t n = 0;
    for (const char *p = choices; *p && n + 5 < size; p++) {
        if (*p != ',')
            buf[n++] = *p;
        else
            n += (size_t)snprintf(buf + n, size - n, "%s", p == last ? " or " : ", ");
    }
    buf[n < size ? n : size - 1] = '\0';
    return buf;
}

/* Whether value fits en: 0, or -1 with what is allowed in want (e.g. "a number of at
 * least 1"). Numbers go to *l or *d. */
static int fits(const struct settings_entry *en, const char *value, long *l, double *d, int *idx,
                char *want, size_t size)
{
    char *end, list[256];
    errno = 0;
    switch (en->type) {
    case SETTINGS_LONG: {
        long v = strtol(value, &end, 10);
        if (end != value && !*end && !errno && v >= en->min && v <= en->max) {
            *l = v;
            return 0;
        }
        if (en->max >= 1e9)
            snprintf(want, size, "a number of at least %ld", (long)en->min);
        else
            snprintf(want, size, "a whole number from %ld to %ld", (long)en->min, (long)en->max);
        return -1;
    }
    case SETTINGS_NUMBER: {
        double v = strtod(value, &end);
        if (end != value && !*end && !errno && isfinite(v) && v >= en->min && v <= en->max) {
            *d = v;
            return 0;
        }
        snprintf(want, size, "a number from %g to %g", en->min, en->max);
        return -1;
    }
    case SETTINGS_ENUM:
        if ((*idx = choice_index(en->choices, value)) >= 0)
            return 0;
        snprintf(want, size, "%s", choice_list(en->choices, list, sizeof list));
        return -1;
    case SETTINGS_DELIVERY:
        if (shop_delivery_valid(value))
            return 0;
        snprintf(want, size, "qapi, smtp, hook:COMMAND or file:DIR");
        return -1;
    case SETTINGS_STRING:
        return 0;
    }
    return -1;
}

int settings_check(const char *key, const char *value, struct qs_err *e)
{
    const struct settings_entry *en = settings_find(key);
    char want[300], keys[1024];
    long l;
    double d;
    int idx;
    size_t n = 0;

    if (!en) {
        keys[0] = '\0';
        for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
            if (!table[i].internal && n < sizeof keys)
                n += (size_t)snprintf(keys + n, sizeof keys - n, "%s%s%s", n ? ", " : "",
                                      table[i].key, table[i].prefix ? "KIND" : "");
        return err_set(e, QS_E_USAGE, NULL, "unknown setting \"%s\"; the settings are: %s", key,
                       keys);
    }
    if (en->internal)
        return err_set(e, QS_E_USAGE, NULL, "setting %s is written by qs itself and cannot be set",
                       key);
    if (fits(en, value, &l, &d, &idx, want, sizeof want) < 0) {
        if (en->type == SETTINGS_DELIVERY)
            return err_set(e, QS_E_USAGE, NULL, "delivery \"%s\" is not %s", value, want);
        return err_set(e, QS_E_USAGE, en->rule, "setting %s is \"%s\", not %s", key, value, want);
    }
    return 0;
}

/* Reads key of shop and checks it: 1 set (value in *l, *d, *idx or *text), 0 default
 * (likewise, when there is one), negative on error. */
static int get(struct store *s, const char *shop, const char *key, enum settings_type type, long *l,
               double *d, int *idx, char **text, struct qs_err *e)
{
    const struct settings_entry *en = settings_find(key);
    char *v = NULL, want[300];
    int rc, set;

    if (!en || (en->type != type && !(type == SETTINGS_STRING && en->type == SETTINGS_DELIVERY)))
        return err_set(e, QS_E_SOFTWARE, NULL, "setting %s is not a registered %s setting", key,
                       type == SETTINGS_LONG     ? "whole-number"
                       : type == SETTINGS_NUMBER ? "number"
                       : type == SETTINGS_ENUM   ? "choice"
                                                 : "text");
    if ((rc = shop_setting_get(s, shop, key, &v, e)) < 0)
        return rc;
    set = v != NULL;
    if (!v && !en->def)
        return 0;
    if (fits(en, v ? v : en->def, l, d, idx, want, sizeof want) < 0) {
        /* only a stored value gets here: the defaults fit (test_settings) */
        rc = err_set(e, QS_E_USAGE, en->rule,
                     "shop %s: setting %s is \"%s\", not %s; fix it with `qs init --shop %s "
                     "--set %s=%s`",
                     shop, key, v ? v : en->def, want, shop, key,
                     en->type == SETTINGS_ENUM ? en->def : "N");
        free(v);
        return rc;
    }
    if (text)
        *text = v ? v : xstrdup(en->def);
    else
        free(v);
    return set;
}

int settings_long(struct store *s, const char *shop, const char *key, long *out, struct qs_err *e)
{
    double d;
    int idx;
    return get(s, shop, key, SETTINGS_LONG, out, &d, &idx, NULL, e);
}

int settings_number(struct store *s, const char *shop, const char *key, double *out,
                    struct qs_err *e)
{
    long l;
    int idx;
    return get(s, shop, key, SETTINGS_NUMBER, &l, out, &idx, NULL, e);
}

int settings_enum(struct store *s, const char *shop, const char *key, int *out, struct qs_err *e)
{
    long l;
    double d;
    return get(s, shop, key, SETTINGS_ENUM, &l, &d, out, NULL, e);
}

int settings_string(struct store *s, const char *shop, const char *key, char **out,
                    struct qs_err *e)
{
    long l;
    double d;
    int idx;
    *out = NULL;
    return get(s, shop, key, SETTINGS_STRING, &l, &d, &idx, out, e);
}

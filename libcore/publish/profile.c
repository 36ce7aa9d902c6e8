/* profile: listing profiles and the brand table (R-PUB-15); see profile.h. */
#include "publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../catalog/catalog.h"
#include "../tm.h"
#include "../xalloc.h"

static const char *const field_names[PROF_NFIELDS] = {
    [PF_SHIPPING_NO] = "ShippingNo",
    [PF_AVAIL_TYPE] = "AvailableDateType",
    [PF_AVAIL_VALUE] = "AvailableDateValue",
    [PF_TAX_RATE] = "TaxRate",
    [PF_PLACE_TYPE] = "ProductionPlaceType",
    [PF_PLACE] = "ProductionPlace",
    [PF_ADULT] = "AdultYN",
    [PF_CONTACT] = "ContactInfo",
    [PF_EXPIRE] = "ExpireDate",
    [PF_CATEGORY] = "SecondSubCat",
    [PF_ITEM_QTY] = "ItemQty",
    [PF_COLOR_NAME] = "ColorName",
    [PF_SIZE_NAME] = "SizeName",
};

const char *prof_field_name(int f)
{
    return f >= 0 && f < PROF_NFIELDS ? field_names[f] : "?";
}

int prof_field_parse(const char *name)
{
    if (!name)
        return -1;
    if (strcasecmp(name, "category") == 0)
        return PF_CATEGORY;
    for (int f = 0; f < PROF_NFIELDS; f++)
        if (strcasecmp(name, field_names[f]) == 0)
            return f;
    return -1;
}

/* Characters (UTF-8 code points) of s. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int digits(const char *s, size_t min, size_t max)
{
    size_t n = strspn(s, "0123456789");
    return s[n] == '\0' && n >= min && n <= max;
}

static int is_one_of(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return 1;
    return 0;
}

/* A valid yyyy-MM-dd (sep '-') or yyyy/MM/dd (sep '/') date; its parts in y, m, d. */
static int ymd(const char *s, char sep, int *y, int *m, int *d)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 10 || s[4] != sep || s[7] != sep)
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    *y = atoi(s), *m = atoi(s + 5), *d = atoi(s + 8);
    if (*m < 1 || *m > 12 || *d < 1 || *d > mdays[*m - 1])
        return 0;
    return !(*m == 2 && *d == 29 && (*y % 4 || (*y % 100 == 0 && *y % 400)));
}

int prof_value_check(int f, const char *v, const char **why)
{
    static const char *const tax[] = {"S", "10", "8", "0", NULL}, *const yn[] = {"Y", "N", NULL},
                             *const ppt[] = {"1", "2", "3", NULL},
                             *const adt[] = {"0", "1", "2", "3", NULL};
    int y, m, d;

    if (!v || !*v)
        return 0;
    if (strstr(v, "||*") || strstr(v, "$$")) {
        *why = "holds ||* or $$, the QAPI's own separators (R-PUB-14)";
        return -1;
    }
    switch (f) {
    case PF_SHIPPING_NO:
        *why = "is not a delivery template number (digits, as GetSellerDeliveryGroupInfo lists)";
        return digits(v, 1, 10) ? 0 : -1;
    case PF_AVAIL_TYPE:
        *why = "is not 0 (ships in 1-3 days), 1 (preparation days), 2 (release date) or 3 "
               "(same day)";
        return is_one_of(v, adt) ? 0 : -1;
    case PF_AVAIL_VALUE:
        *why = "is not 1-14 days, a release date yyyy/MM/dd or a same-day cut-off HH:mm";
        if (digits(v, 1, 2))
            return atoi(v) >= 1 && atoi(v) <= 14 ? 0 : -1;
        if (strlen(v) == 5 && v[2] == ':') {
            int ok = 1;
            for (int i = 0; i < 5; i++)
                ok &= i == 2 || (v[i] >= '0' && v[i] <= '9');
            return ok && atoi(v) < 24 && atoi(v + 3) < 60 ? 0 : -1;
        }
        return ymd(v, '/', &y, &m, &d) ? 0 : -1;
    case PF_TAX_RATE:
        *why = "is not S (the shop's rate), 10, 8 or 0";
        return is_one_of(v, tax) ? 0 : -1;
    case PF_PLACE_TYPE:
        *why = "is not 1 (domestic), 2 (overseas) or 3 (other)";
        return is_one_of(v, ppt) ? 0 : -1;
    case PF_PLACE:
        *why = "is longer than 50 characters";
        return chars(v) <= 50 ? 0 : -1;
    case PF_ADULT:
        *why = "is not Y or N";
        return is_one_of(v, yn) ? 0 : -1;
    case PF_CONTACT:
        *why = "is longer than 100 characters";
        return chars(v) <= 100 ? 0 : -1;
    case PF_EXPIRE:
        if (!ymd(v, '-', &y, &m, &d)) {
            *why = "is not a date yyyy-MM-dd";
            return -1;
        }
        /* R-PUB-14: a sale end date on or before 2030-12-31. */
        *why = "is after 2030-12-31, the last sale end date Qoo10 takes (R-PUB-14)";
        return strcmp(v, "2030-12-31") <= 0 ? 0 : -1;
    case PF_CATEGORY:
        /* R-PUB-12: a 9-digit leaf category. */
        *why = "is not a 9-digit Qoo10 leaf category (R-PUB-12)";
        return digits(v, 9, 9) ? 0 : -1;
    case PF_ITEM_QTY:
        *why = "is not a quantity 0-2147483647";
        return digits(v, 1, 10) && strtoll(v, NULL, 10) <= 2147483647LL ? 0 : -1;
    case PF_COLOR_NAME:
    case PF_SIZE_NAME:
        *why = "is not an option name of 1-50 characters";
        return chars(v) <= 50 ? 0 : -1;
    default:
        *why = "is not a profile field";
        return -1;
    }
}

int prof_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n < 1 || n > 63 || name[0] == '-')
        return 0;
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static int sqlerr(struct store *s, sqlite3_stmt *st, struct qs_err *e)
{
    int rc = store_sqlerr(s, e, "listing profiles");
    sqlite3_finalize(st);
    return rc;
}

void prof_clear(struct prof *p)
{
    for (int f = 0; f < PROF_NFIELDS; f++) {
        free(p->v[f]);
        free(p->from[f]);
        p->v[f] = p->from[f] = NULL;
    }
}

int prof_resolve(struct store *s, const char *shop, const char *group_profile,
                 const char *product_profile, struct prof *out, struct qs_err *e)
{
    const char *layers[] = {PROF_DEFAULT, group_profile, product_profile};
    sqlite3_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    /* Kept prepared: a publish run resolves a profile per product (issue 16). */
    if ((rc = store_prepare_cached(
             s, "SELECT field, value FROM listing_profile WHERE shop = ?1 AND name = ?2", &st, e)) <
        0)
        return rc;
    for (size_t i = 0; i < 3; i++) {
        if (!layers[i] || !*layers[i])
            continue;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, shop, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, layers[i], -1, SQLITE_TRANSIENT);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int f = prof_field_parse((const char *)sqlite3_column_text(st, 0));
            if (f < 0)
                continue;
            free(out->v[f]);
            free(out->from[f]);
            out->v[f] = xstrdup((const char *)sqlite3_column_text(st, 1));
            out->from[f] = xstrdup(layers[i]);
        }
        if (rc != SQLITE_DONE) {
            prof_clear(out);
            rc = store_sqlerr(s, e, "listing profiles");
            store_release(s, st);
            return rc;
        }
    }
    store_release(s, st);
    return 0;
}

int prof_set(struct store *s, const char *shop, const char *name, int field, const char *value,
             struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    const char *why = NULL;
    char now[32];

    if (!prof_name_valid(name))
        return err_set(e, QS_E_USAGE, "R-PUB-15",
                       "profile name \"%s\" is not 1-63 of letters, digits, '.', '_' or '-'", name);
    if (field < 0 || field >= PROF_NFIELDS)
        return err_set(e, QS_E_USAGE, "R-PUB-15", "no such profile field");
    if (prof_value_check(field, value, &why) < 0)
        return err_set(e, QS_E_USAGE, field == PF_CATEGORY ? "R-PUB-12" : "R-PUB-15",
                       "%s \"%s\" %s", field_names[field], value, why);
    tm_utc_iso(time(NULL), now, sizeof now);
    if (sqlite3_prepare_v2(store_db(s),
                           value && *value
                               ? "INSERT INTO listing_profile (shop, name, field, value, "
                                 "updated_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (shop, "
                                 "name, field) DO UPDATE SET value = ?4, updated_at = ?5"
                               : "DELETE FROM listing_profile WHERE shop = ?1 AND name = ?2 AND "
                                 "field = ?3",
                           -1, &st, NULL) != SQLITE_OK)
        return sqlerr(s, st, e);
    sqlite3_bind_text(st, 1, shop, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, field_names[field], -1, SQLITE_STATIC);
    if (value && *value) {
        sqlite3_bind_text(st, 4, value, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
    }
    if (sqlite3_step(st) != SQLITE_DONE)
        return sqlerr(s, st, e);
    sqlite3_finalize(st);
    return 0;
}

int prof_each(struct store *s, const char *shop, const char *name,
              int (*fn)(void *ctx, const char *name, const char *field, const char *value),
              void *ctx, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc;
    /* Field order is the enum's: the order of the man page. */
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT name, field, value FROM listing_profile WHERE shop = ?1 AND"
                           " (?2 IS NULL OR name = ?2) ORDER BY name <> 'default', name, CASE field"
                           " WHEN 'ShippingNo' THEN 0 WHEN 'AvailableDateType' THEN 1"
                           " WHEN 'AvailableDateValue' THEN 2 WHEN 'TaxRate' THEN 3"
                           " WHEN 'ProductionPlaceType' THEN 4 WHEN 'ProductionPlace' THEN 5"
                           " WHEN 'AdultYN' THEN 6 WHEN 'ContactInfo' THEN 7"
                           " WHEN 'ExpireDate' THEN 8 WHEN 'SecondSubCat' THEN 9"
                           " WHEN 'ItemQty' THEN 10 WHEN 'ColorName' THEN 11 ELSE 12 END",
                           -1, &st, NULL) != SQLITE_OK)
        return sqlerr(s, st, e);
    sqlite3_bind_text(st, 1, shop, -1, SQLITE_TRANSIENT);
    if (name)
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int r =
            fn(ctx, (const char *)sqlite3_column_text(st, 0),
               (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2));
        if (r) {
            sqlite3_finalize(st);
            return r;
        }
    }
    if (rc != SQLITE_DONE)
        return sqlerr(s, st, e);
    sqlite3_finalize(st);
    return 0;
}

int prof_assign_group(struct store *s, const char *shop, const char *group, const char *name,
                      struct qs_err *e)
{
    int found = 0, rc = cstore_group_profile(s, shop, group, name, &found, e);
    if (rc < 0)
        return rc;
    if (!found)
        return err_set(e, QS_E_USAGE, NULL,
                       "shop %s has no group named %s (groups come from qs import products "
                       "--group)",
                       shop, group);
    return 0;
}

int prof_brand_set(struct store *s, const char *shop, const char *brand, const char *no,
                   struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    if (!brand || !*brand)
        return err_set(e, QS_E_USAGE, "R-PUB-15", "a brand name is needed: --brand NAME=BRANDNO");
    if (no && *no && strspn(no, "0123456789") != strlen(no))
        return err_set(e, QS_E_USAGE, "R-PUB-15",
                       "BrandNo \"%s\" of brand \"%s\" is not a number (SearchBrand's M_B_NO)", no,
                       brand);
    if (no && strlen(no) > 10)
        return err_set(e, QS_E_USAGE, "R-PUB-15", "BrandNo \"%s\" is longer than 10 digits", no);
    tm_utc_iso(time(NULL), now, sizeof now);
    if (sqlite3_prepare_v2(store_db(s),
                           no && *no ? "INSERT INTO listing_brand (shop, brand, brand_no, "
                                       "updated_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (shop, "
                                       "brand) DO UPDATE SET brand_no = ?3, updated_at = ?4"
                                     : "DELETE FROM listing_brand WHERE shop = ?1 AND brand = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return sqlerr(s, st, e);
    sqlite3_bind_text(st, 1, shop, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, brand, -1, SQLITE_TRANSIENT);
    if (no && *no) {
        sqlite3_bind_text(st, 3, no, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    }
    if (sqlite3_step(st) != SQLITE_DONE)
        return sqlerr(s, st, e);
    sqlite3_finalize(st);
    return 0;
}

int prof_brand_get(struct store *s, const char *shop, const char *brand, char **no,
                   struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc;
    *no = NULL;
    if (!brand || !*brand)
        return 0;
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT brand_no FROM listing_brand WHERE shop = ?1 AND brand = ?2", -1,
                           &st, NULL) != SQLITE_OK)
        return sqlerr(s, st, e);
    sqlite3_bind_text(st, 1, shop, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, brand, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *no = xstrdup((const char *)sqlite3_column_text(st, 0));
    else if (rc != SQLITE_DONE)
        return sqlerr(s, st, e);
    sqlite3_finalize(st);
    return 0;
}

int prof_brand_each(struct store *s, const char *shop,
                    int (*fn)(void *ctx, const char *brand, const char *no), void *ctx,
                    struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(
            store_db(s), "SELECT brand, brand_no FROM listing_brand WHERE shop = ?1 ORDER BY brand",
            -1, &st, NULL) != SQLITE_OK)
        return sqlerr(s, st, e);
    sqlite3_bind_text(st, 1, shop, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int r = fn(ctx, (const char *)sqlite3_column_text(st, 0),
                   (const char *)sqlite3_column_text(st, 1));
        if (r) {
            sqlite3_finalize(st);
            return r;
        }
    }
    if (rc != SQLITE_DONE)
        return sqlerr(s, st, e);
    sqlite3_finalize(st);
    return 0;
}

/* profile: listing profiles and the brand table (SPEC 2.3, R-PUB-15) -- the Qoo10 fields a
 * catalog template does not carry, set per shop (profile "default") and overridable per
 * group or product (a group's or product's profile, field by field, over the default).
 *
 * Tables (owned by this module; migration in schema.c):
 *   listing_profile (shop, name, field, value, updated_at; PRIMARY KEY (shop, name, field))
 *   listing_brand   (shop, brand, brand_no, updated_at; PRIMARY KEY (shop, brand)): a
 *                   product's Brand text -> Qoo10 BrandNo (SearchBrand's M_B_NO)
 * Which profile a group or product uses lives in product_group.profile and
 * product.profile (module catalog). */
#ifndef QS_PROFILE_H
#define QS_PROFILE_H

#include "err.h"
#include "store.h"

#define PROF_DEFAULT "default" /* the shop's own profile */

/* The fields of a profile (Qoo10 parameter names, reference 3.1). */
enum prof_field {
    PF_SHIPPING_NO, /* ShippingNo: delivery template (GetSellerDeliveryGroupInfo); 0 free */
    PF_AVAIL_TYPE,  /* AvailableDateType 0-3 */
    PF_AVAIL_VALUE, /* AvailableDateValue: 1-3 / 4-14 / yyyy/MM/dd / HH:mm */
    PF_TAX_RATE,    /* TaxRate S, 10, 8, 0 */
    PF_PLACE_TYPE,  /* ProductionPlaceType 1 domestic, 2 overseas, 3 other */
    PF_PLACE,       /* ProductionPlace */
    PF_ADULT,       /* AdultYN Y/N */
    PF_CONTACT,     /* ContactInfo */
    PF_EXPIRE,      /* ExpireDate yyyy-MM-dd, on or before 2030-12-31 (R-PUB-14) */
    PF_CATEGORY,    /* SecondSubCat: the leaf category when neither product nor group has one */
    PF_ITEM_QTY,    /* ItemQty: the quantity of variants whose Quantity is empty */
    PF_COLOR_NAME,  /* ColorName: the option name of the Color axis (default カラー) */
    PF_SIZE_NAME,   /* SizeName: the option name of the Size axis (default サイズ) */
    PROF_NFIELDS
};

/* The field's name ("ShippingNo"). */
const char *prof_field_name(int f);
/* The field named name (any case; "category" is SecondSubCat), or -1. */
int prof_field_parse(const char *name);
/* Checks a value for field f (empty values are not checked: they unset). Returns 0, or
 * -1 with *why (a static reason). */
int prof_value_check(int f, const char *value, const char **why);
/* 1 when name is a valid profile name: 1-63 of [A-Za-z0-9._-]. */
int prof_name_valid(const char *name);

/* A resolved profile: the value of each field (NULL when no profile sets it) and the
 * profile that gave it. Strings are owned; free with prof_clear. */
struct prof {
    char *v[PROF_NFIELDS];
    char *from[PROF_NFIELDS];
};
/* Resolves the profile of a product: "default", then group_profile, then
 * product_profile (each may be NULL), later ones winning field by field. */
int prof_resolve(struct store *s, const char *shop, const char *group_profile,
                 const char *product_profile, struct prof *out, struct qs_err *e);
void prof_clear(struct prof *p);

/* Sets field of profile name (value NULL or "" removes it), after prof_value_check
 * (QS_E_USAGE naming the rule when it fails). */
int prof_set(struct store *s, const char *shop, const char *name, int field, const char *value,
             struct qs_err *e);
/* Calls fn for each field of profile name (NULL: of every profile), by name then field
 * order. Stops at fn's first non-zero return, which is returned. */
int prof_each(struct store *s, const char *shop, const char *name,
              int (*fn)(void *ctx, const char *name, const char *field, const char *value),
              void *ctx, struct qs_err *e);
/* Makes group use profile name (NULL: none). QS_E_USAGE when shop has no such group. */
int prof_assign_group(struct store *s, const char *shop, const char *group, const char *name,
                      struct qs_err *e);

/* Brand table (R-PUB-15: Brand -> BrandNo). no NULL or "" removes the brand. */
int prof_brand_set(struct store *s, const char *shop, const char *brand, const char *no,
                   struct qs_err *e);
/* *no gets the BrandNo of brand (malloc'd), NULL when the table has none. */
int prof_brand_get(struct store *s, const char *shop, const char *brand, char **no,
                   struct qs_err *e);
/* Calls fn for each brand of shop, by name. */
int prof_brand_each(struct store *s, const char *shop,
                    int (*fn)(void *ctx, const char *brand, const char *no), void *ctx,
                    struct qs_err *e);

#endif

/* catalog: the seller's products and their variants (SPEC 2.1, 2.3) -- the
 * templates a catalog is imported in, the value rules of R-IMP, the import
 * itself and the `qs` template that `qs publish list` writes.
 *
 * Tables (owned by this module; migration in schema.c):
 *
 *   product -- one row per product (Parent SKU), one Qoo10 item (SPEC 2.3)
 *     id           INTEGER PRIMARY KEY
 *     shop         the shop it belongs to
 *     parent_sku   Parent SKU = Qoo10 SellerCode; UNIQUE (shop, parent_sku)
 *     title, description, tags, brand, landing_url
 *                  product-level template fields: the first row of a Parent SKU
 *                  wins (R-IMP-3); tags normalised "a,b,c", at most 10 (R-IMP-5)
 *     code, code_type
 *                  the industrial code (JAN/UPC/EAN/ISBN/other) Qoo10 carries per
 *                  item: the first UPC cell of the product's rows, or one given
 *                  from a pool (R-UPC-2); NULL when none
 *     grp          group name (--group; `qs publish list --group`), NULL none
 *     category     9-digit Qoo10 leaf category (R-PUB-12), NULL until set
 *     profile      listing profile name overriding the group's/shop's
 *     state        pending | scheduled | publishing | online | failed | offline
 *     publish_at   UTC time a scheduled product is due, NULL none
 *     item_code    Qoo10 ItemCode (GdNo) once created, NULL before
 *     step         last publish step done (a retry resumes after it)
 *     error        the marketplace's message of the last failure
 *     batch        the last batch that changed the product (publish undo)
 *     create_sent_at when a SetNewGoods was sent whose answer is not known yet (R-PUB-7:
 *                  the product is looked up by SellerCode before any resend; publish_run.c)
 *     import_id    the last import that touched it (import_run.id)
 *     created_at, updated_at
 *
 *   variant -- one row per SKU (a Qoo10 combination option, OptionCode = SKU)
 *     id, shop, sku (UNIQUE (shop, sku)), product_id -> product(id)
 *     color, size  option values
 *     upc          the row's own UPC cell, normalised (R-IMP-8), NULL none
 *     msrp, price, shipping   whole yen (R-IMP-2); msrp, shipping NULL when empty
 *     quantity, min_days, max_days   NULL when empty
 *     source_urls, extra_images      newline-separated http(s) URLs (R-IMP-6/7)
 *     main_image   http(s) URL (R-IMP-7)
 *     extra        JSON object of the columns no template knows (R-IMP-1), NULL none
 *     batch, import_id, import_line  last batch / import (and its line) touching it
 *     created_at, updated_at
 *
 *   product_group (shop, name, category, profile, created_at): named groups;
 *     a group's category and profile apply to members without their own.
 *   import_run (id, shop, file, template, rows, rejected, at): one per import.
 *   catalog_batch (id, shop, kind, at, undone_at) and catalog_change (batch,
 *     product_id, variant_id, field, old, new): what a batch command changed, so
 *     `qs publish undo` can restore it.
 *
 * Times are UTC ISO-8601 text (SPEC 1.5). Money is whole yen (INTEGER). */
#ifndef QS_CATALOG_H
#define QS_CATALOG_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "record.h"
#include "store.h"

enum cat_template {
    CAT_TPL_AUTO,    /* recognised from the header (cat_template_detect) */
    CAT_TPL_GENERIC, /* the wish-style template of SPEC 2.1 */
    CAT_TPL_QOO10,   /* QSM's bulk item columns, or a GoodsList.csv price/qty download */
    CAT_TPL_QS,      /* what `qs publish list` writes (CAT_QS_COLUMNS) */
};

/* The fields a template column can map to. */
enum cat_field {
    CF_PARENT_SKU,
    CF_SKU,
    CF_TITLE,
    CF_DESCRIPTION,
    CF_TAGS,
    CF_BRAND,
    CF_UPC,
    CF_LANDING_URL,
    CF_MSRP,
    CF_COLOR,
    CF_SIZE,
    CF_SOURCE_URLS,
    CF_PRICE,
    CF_SHIPPING,
    CF_QUANTITY,
    CF_MIN_DAYS,
    CF_MAX_DAYS,
    CF_MAIN_IMAGE,
    CF_EXTRA_IMAGE1, /* generic: Extra Image URL 1 .. 10 */
    CF_EXTRA_IMAGE10 = CF_EXTRA_IMAGE1 + 9,
    CF_EXTRA_IMAGES, /* qs: one newline-separated cell; qoo10: "$$"-separated */
    CF_GROUP,        /* qs */
    CF_CATEGORY,     /* qs, qoo10 */
    CF_CODE,         /* qs: the product's industrial code */
    CF_CODE_TYPE,    /* qs */
    CF_EXTRA,        /* qs: JSON object of unknown columns */
    CF_OPTIONS,      /* qoo10: option_info, one variant per option */
    CF_OUTPUT,       /* qs: written by publish list, ignored on import */
    CF_NFIELDS
};

/* The `qs` template, in order: what `qs publish list` writes and `qs import products`
 * reads back (R-PUB-8). The last four are informational: import ignores them (an
 * imported product is always pending, never bound to another shop's item). */
#define CAT_QS_COLUMNS                                                                             \
    "parent_sku", "sku", "title", "description", "tags", "brand", "upc", "landing_page_url",       \
        "msrp", "color", "size", "source_urls", "price", "shipping", "quantity",                   \
        "min_delivery_days", "max_delivery_days", "main_image_url", "extra_image_urls", "group",   \
        "category", "code", "code_type", "extra", "state", "publish_at", "item_code", "error"
extern const char *const cat_qs_columns[];
extern const size_t cat_qs_ncolumns;

/* Listing states (SPEC 2.3). */
#define CAT_STATES "pending", "scheduled", "publishing", "online", "failed", "offline"

/* ---- pure parts: values (R-IMP-2, 5, 6, 7) ---- */

/* A --fx rate: a positive decimal, kept exact. */
struct cat_fx {
    long long mant; /* rate = mant / 10^scale; 0 = no conversion */
    int scale;
};
/* Parses a --fx RATE ("151.3"); returns 0 or -1. */
int cat_fx_parse(const char *s, struct cat_fx *fx);
/* R-IMP-2: parses a money amount into whole yen: digits, optional thousands commas,
 * optional leading yen sign or trailing "円". Without fx (NULL or mant 0) a fraction
 * other than zeros is refused; with fx the amount is multiplied by the rate and
 * rounded half up. Returns 0, or -1 with *why (a static reason). */
int cat_money(const char *s, const struct cat_fx *fx, long long *yen, const char **why);
/* R-IMP-2: parses a non-negative integer (digits only, up to 2^31-1). Returns 0 or -1. */
int cat_uint(const char *s, long long *out);
/* 1 when s[0..n) is an http:// or https:// URL with a host and no white space or
 * control characters (R-IMP-6, R-IMP-7). */
int cat_url_ok(const char *s, size_t n);

/* R-IMP-9: Qoo10 keeps every option's extra price within 50% of the item price (the
 * lowest variant price), so within a product the highest variant price is at most 1.5 x
 * the lowest. The one check of the rule, for import, publish edit and publish mapping.
 * Returns 1 when price hi of SKU hi_sku breaks it against the lowest price lo of SKU
 * lo_sku, and then writes the rule's one message into msg[size] (when msg is not NULL):
 * parent is the product's Parent SKU, lo_line the file line of the lowest (0: none).
 * Returns 0 when the prices are within the spread. */
int cat_spread_check(const char *parent, const char *hi_sku, long long hi, const char *lo_sku,
                     long long lo, long lo_line, char *msg, size_t size);

/* A growable text buffer that is reused row after row (never shrunk). */
struct cat_buf {
    char *p;
    size_t len, cap;
};
void cat_buf_set(struct cat_buf *b, const char *s, size_t n);
void cat_buf_add(struct cat_buf *b, const char *s, size_t n);
void cat_buf_free(struct cat_buf *b);

/* R-IMP-5: splits s on commas (ASCII or full-width), trims each tag, drops empty ones
 * and repeats (ASCII case-insensitively) and writes "a,b,c" to out. Returns the count. */
int cat_tags_normalize(const char *s, struct cat_buf *out);
/* Adds to tags ("a,b") the tags of more ("b,c") not already in it: "a,b,c". Returns the
 * new count. */
int cat_tags_union(struct cat_buf *tags, const char *more, size_t n);
/* R-IMP-6: splits s into lines (LF, CRLF or CR), drops empty ones, writes them
 * LF-joined to out. Returns the count; *bad gets the index of the first line that is
 * not an http(s) URL, or -1. */
int cat_urls_normalize(const char *s, const char *sep, struct cat_buf *out, int *bad);

/* ---- templates: header names -> fields ---- */

/* The field a column named name maps to in template t, or -1 (an unknown column, kept
 * in extra). Names are matched ignoring case, spaces, '*', '_', '-' and parenthesised
 * notes, so "*Parent SKU (必填)", "Parent SKU" and "parent_sku" are one column. */
int cat_field_of(enum cat_template t, const char *name);
/* The template a file is in, from its column names (SPEC R-IMP-1): qs when it has the
 * snake_case columns parent_sku and sku, qoo10 when it has a QSM column
 * (seller_unique_item_id, SellerCode, item_name, ItemCode...), else generic. */
enum cat_template cat_template_detect(const char *const *names, size_t n);
/* Parses "generic", "qoo10" or "qs"; returns 0 or -1. */
int cat_template_parse(const char *s, enum cat_template *out);
const char *cat_template_name(enum cat_template t);

/* ---- import (R-IMP-1..12, R-UPC-2) ---- */

struct cat_import_opts {
    enum cat_template tpl; /* CAT_TPL_AUTO: detect */
    enum rec_enc enc;      /* --encoding */
    int update;            /* --update: existing SKUs are updated (R-IMP-4) */
    int strict;            /* --strict: R-IMP-9 and R-IMP-10 warnings are errors */
    int skip_bad;          /* --skip-bad: import the valid rows, reject the others */
    int dry_run;           /* validate and report, write nothing */
    int quiet;             /* no progress bar */
    const char *group;     /* --group NAME, or NULL */
    const char *pool;      /* --assign-upc POOL, or NULL */
    struct cat_fx fx;      /* --fx RATE; mant 0 = none */
};

/* What the import tells its caller. Any callback may be NULL. */
struct cat_import_cb {
    void *ctx;
    /* An error or (warning = 1) a warning, with file, line, rule and message. */
    void (*report)(void *ctx, const struct qs_err *e, int warning);
    /* An imported row (R-IMP-12). Called during the import, before the commit: the
     * caller keeps them until cat_import succeeds. */
    int (*row)(void *ctx, const char *sku, const char *parent_sku, const char *state,
               struct qs_err *e);
    /* --skip-bad: a rejected input row, with a "reason" field appended, in the input's
     * format fmt. */
    int (*reject)(void *ctx, const struct rec *row, enum rec_format fmt, struct qs_err *e);
    /* Everything passed to row and reject so far is void: the import runs again
     * (--skip-bad dropping whole products that fail a product-level rule). */
    int (*restart)(void *ctx, struct qs_err *e);
};

struct cat_import_stats {
    long rows;     /* input rows read */
    long imported; /* variants written (new + updated) */
    long updated;  /* of which updated (--update) */
    long rejected; /* input rows rejected (--skip-bad) */
    long errors, warnings;
    long assigned; /* codes given from the pool (R-UPC-2) */
    enum cat_template tpl;
};

/* Imports the catalog read from fp (named name in messages) into shop, in one
 * transaction. Every error of the file is reported through cb->report; then nothing
 * is written and QS_E_DATA is returned (R-IMP-11), unless opts->skip_bad. */
int cat_import(struct store *s, const char *shop, FILE *fp, const char *name,
               const struct cat_import_opts *opts, const struct cat_import_cb *cb,
               struct cat_import_stats *st, struct qs_err *e);

/* ---- export: the qs template ---- */

/* Calls fn with each variant of shop as a record in the qs template (cat_qs_columns),
 * in catalog order (products as first imported, their variants as added); state and group (each may
 * be NULL) filter. Times are printed in zone tz. Stops at fn's first negative return, which is
 * returned. */
int cat_export(struct store *s, const char *shop, const char *state, const char *group,
               const char *tz, int (*fn)(void *ctx, const struct rec *r, struct qs_err *e),
               void *ctx, struct qs_err *e);

#endif

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
 *     state        collected (R-SRC-1: the collection box) | pending | scheduled |
 *                  publishing | online | failed | offline
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
 *     source_price, source_currency
 *                  R-SRC-1: a collected variant's price as the source gave it ("12.50",
 *                  "CNY") until qs publish claim converts it into price; source_price ""
 *                  when the box row had no price; NULL when price holds yen
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
/* catalog_store: the one writer of the catalog's tables -- product, variant,
 * product_group, catalog_batch and catalog_change (columns in catalog.h). Every INSERT,
 * UPDATE and DELETE of them is here, as one small named function; other modules read
 * those tables where they are but ask this module to change them (STYLE.md: a table has
 * one writer module). The import's hot path uses prepared statements it opens once
 * (catalog_store_imp.c, declared in catalog_imp.h).
 *
 * Every function runs in the caller's transaction (none begins one) and returns 0 or a
 * negative QS_E... code with e filled. Times are UTC ISO-8601 text (now). */
/* upc: industrial codes -- check digits (R-IMP-8; pure, upc_check.c) and code pools
 * (R-UPC-1..3; the tables, upc.c).
 *
 * Tables (owned by this module; migration in schema.c). Pools belong to the
 * store, not to a shop: codes are bought by the seller's company, and a code
 * is never given twice whichever shop uses it.
 *   upc_pool (id, name UNIQUE, type jan|upc|ean|isbn|other, created_at,
 *             last_import_at)
 *   upc_code (id, pool_id -> upc_pool, code UNIQUE across all pools, added_at,
 *             shop, product_id -> product(id) once given, assigned_at) */
/* words: the sensitive word list (R-IMP-10) -- kept in the store, replaced by
 * `qs import words FILE`, matched against a product's title, description and
 * tags by `qs import products` and `qs publish check`.
 *
 * Table (owned by this module; migration in schema.c), store-wide:
 *   sensitive_word (key PRIMARY KEY -- the word with ASCII folded to lower case,
 *                   word -- as given, added_at) */
#ifndef QS_CATALOG_H
#define QS_CATALOG_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "../err.h"
#include "../record/record.h"
#include "../store.h"

struct cat_buf;
struct cat_fx;
struct cat_import_cb;
struct cat_import_opts;
struct cat_import_stats;
struct upc_import_stats;
struct upc_pool_info;

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
    CF_CURRENCY,     /* R-SRC-1: the currency of a source price (Currency; JPY when empty) */
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
#define CAT_STATES "pending", "scheduled", "publishing", "online", "failed", "offline", "collected"

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

/* ---- R-SYN-6: QSM's downloads for linked software (catalog_goods.c) ---- */

/* The columns of GoodsList.csv (the price/quantity page's download) and of
 * InventoryManagement_gridInventory.csv (the option page's download), in order: the one
 * table `qs sync export` writes and `qs import products --template qoo10` reads. qs's guess
 * until a real download pins them (export --map adjusts). */
enum cat_goods_col {
    CAT_GOODS_ITEM_CODE,
    CAT_GOODS_SELLER_CODE,
    CAT_GOODS_TITLE,
    CAT_GOODS_PRICE,
    CAT_GOODS_QTY,
    CAT_GOODS_STATUS,
    CAT_GOODS_EXPIRY,
    CAT_GOODS_NCOLS
};
extern const char *const cat_goods_cols[CAT_GOODS_NCOLS];
enum cat_inv_col {
    CAT_INV_ITEM_CODE,
    CAT_INV_SELLER_CODE,
    CAT_INV_OPTION1,
    CAT_INV_VALUE1,
    CAT_INV_OPTION2,
    CAT_INV_VALUE2,
    CAT_INV_OPTION_CODE,
    CAT_INV_QTY,
    CAT_INV_EXTRA_PRICE,
    CAT_INV_NCOLS
};
extern const char *const cat_inv_cols[CAT_INV_NCOLS];
/* 1 when a header (n names) is GoodsList.csv's: it has the item code, title, price and
 * quantity columns of cat_goods_cols. Its title is then not imported: such a file only
 * updates price and quantity (R-SYN-6). */
int cat_goods_header(const char *const *names, size_t n);
/* One option of a product in the catalog, as the option page lists it. */
struct cat_option_row {
    const char *sku, *color, *size;
    long long price, qty; /* qty -1: not set */
};
/* Calls fn for each variant of shop's product parent_sku, by SKU; stops at fn's first
 * non-zero return (returned). */
int cat_options_each(struct store *s, const char *shop, const char *parent_sku,
                     int (*fn)(const struct cat_option_row *o, void *ctx), void *ctx,
                     struct qs_err *e);

/* ---- import (R-IMP-1..12, R-UPC-2) ---- */

struct cat_import_opts {
    enum cat_template tpl; /* CAT_TPL_AUTO: detect */
    enum rec_enc enc;      /* --encoding */
    const char *sheet;     /* --sheet: the worksheet of an .xlsx input, NULL: the first */
    int update;            /* --update: existing SKUs are updated (R-IMP-4) */
    int strict;            /* --strict: R-IMP-9 and R-IMP-10 warnings are errors */
    int skip_bad;          /* --skip-bad: import the valid rows, reject the others */
    int dry_run;           /* validate and report, write nothing */
    int quiet;             /* no progress bar */
    const char *group;     /* --group NAME, or NULL */
    const char *pool;      /* --assign-upc POOL, or NULL */
    int box; /* --box (R-SRC-1): new products land `collected`, needing only Parent SKU, SKU,
              * Title, Source URL and Main Image URL; a price may be a source price */
    struct cat_fx fx; /* --fx RATE; mant 0 = none */
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

/* ---- batches (R-PUB-13) ---- */

/* A new batch of kind ("edit", "publish", ...) for shop at the current time; *id gets
 * its number (0 on error). */
int cstore_batch_open(struct store *s, const char *shop, const char *kind, long long *id,
                      struct qs_err *e);
/* Records that batch changed field of product (variant, 0 for the product) from old to
 * new_ (either may be NULL). */
int cstore_change_add(struct store *s, long long batch, long long product, long long variant,
                      const char *field, const char *old, const char *new_, struct qs_err *e);
/* Marks batch undone at now. */
int cstore_batch_undone(struct store *s, long long batch, const char *now, struct qs_err *e);

/* ---- products ---- */

/* Sets the product's state; its error becomes error (NULL clears it). */
int cstore_product_state(struct store *s, long long id, const char *state, const char *error,
                         const char *now, struct qs_err *e);
/* A failed product taken again by a run: state publishing (updated_at kept). */
int cstore_product_retake(struct store *s, long long id, struct qs_err *e);
/* Sets the product's error (its state kept). */
int cstore_product_error(struct store *s, long long id, const char *error, const char *now,
                         struct qs_err *e);
/* Sets the last publish step done. */
int cstore_product_step(struct store *s, long long id, const char *step, const char *now,
                        struct qs_err *e);
/* R-PUB-7: when a SetNewGoods was sent whose answer is not known (NULL: none). */
int cstore_product_sent(struct store *s, long long id, const char *at, struct qs_err *e);
/* Binds the product to its marketplace item code, at step (the create step), clearing
 * create_sent_at. */
int cstore_product_item(struct store *s, long long id, const char *item_code, const char *step,
                        const char *now, struct qs_err *e);
/* Notes the last batch that changed the product. */
int cstore_product_batch(struct store *s, long long id, long long batch, const char *now,
                         struct qs_err *e);
/* R-PUB-2..4: scheduled at when (UTC), from step, by batch; the error cleared. */
int cstore_product_schedule(struct store *s, long long id, const char *when, const char *step,
                            long long batch, const char *now, struct qs_err *e);
/* R-PUB-6: back to pending, by batch. */
int cstore_product_unschedule(struct store *s, long long id, long long batch, const char *now,
                              struct qs_err *e);
/* R-PUB-12: the product's own leaf category. */
int cstore_product_category(struct store *s, long long id, const char *category, const char *now,
                            struct qs_err *e);
/* R-PUB-15: the product's own listing profile (NULL: none). */
int cstore_product_profile(struct store *s, long long id, const char *profile, const char *now,
                           struct qs_err *e);
/* R-PUB-13: restores field of the product to old (a string; for "batch" a number, NULL
 * or "0" for none). field is one of state, publish_at, step, error, batch. */
int cstore_product_restore(struct store *s, long long id, const char *field, const char *old,
                           const char *now, struct qs_err *e);
/* R-PUB-10: a pending copy of product id with Parent SKU parent, by batch; *nid gets its
 * id. */
int cstore_product_copy(struct store *s, long long id, const char *parent, long long batch,
                        const char *now, long long *nid, struct qs_err *e);
/* Deletes the product (its variants go with it). */
int cstore_product_delete(struct store *s, long long id, struct qs_err *e);

/* Called for each product promote takes: its id, Parent SKU, batch (0 none) and
 * publish_at. Returns 0 or a negative error (which stops the promotion). */
typedef int (*cstore_promote_fn)(void *ctx, long long id, const char *parent_sku, long long batch,
                                 const char *publish_at);
/* R-PUB-7: every scheduled product of shop due by due (UTC) becomes publishing; fn is
 * called for each (the rows are all taken before the first call). */
int cstore_product_promote(struct store *s, const char *shop, const char *due, const char *now,
                           cstore_promote_fn fn, void *ctx, struct qs_err *e);

/* ---- the collection box (R-SRC-1; box.c) ---- */

/* qs publish claim: the variant's price becomes yen (its source price cleared). */
int cstore_box_price(struct store *s, long long variant, long long yen, struct qs_err *e);
/* qs publish claim: a collected product moves to pending, by batch (0: none). */
int cstore_box_claim(struct store *s, long long product, long long batch, const char *now,
                     struct qs_err *e);

/* ---- variants ---- */

/* R-PUB-9: the variant's new price, quantity and shipping (quantity, shipping < 0: NULL),
 * by batch. */
int cstore_variant_edit(struct store *s, long long id, long long price, long long qty,
                        long long shipping, long long batch, const char *now, struct qs_err *e);
/* The variant's quantity, as the marketplace holds it. */
int cstore_variant_quantity(struct store *s, long long id, long long qty, struct qs_err *e);
/* R-PUB-13: restores field (price, quantity or shipping) of the variant to old (NULL:
 * none). */
int cstore_variant_restore(struct store *s, long long id, const char *field, const char *old,
                           struct qs_err *e);
/* Notes the last batch that changed the variant (0: none). */
int cstore_variant_batch(struct store *s, long long id, long long batch, struct qs_err *e);
/* R-PUB-10: a copy of variant id with SKU sku in product product, by batch. */
int cstore_variant_copy(struct store *s, long long id, const char *sku, long long product,
                        long long batch, const char *now, struct qs_err *e);

/* ---- groups ---- */

/* R-PUB-12: the group's leaf category. */
int cstore_group_category(struct store *s, const char *shop, const char *name, const char *category,
                          struct qs_err *e);
/* R-PUB-15: the group's listing profile (NULL: none); *found gets 0 when shop has no
 * such group. */
int cstore_group_profile(struct store *s, const char *shop, const char *name, const char *profile,
                         int *found, struct qs_err *e);

enum upc_type { UPC_T_JAN, UPC_T_UPC, UPC_T_EAN, UPC_T_ISBN, UPC_T_OTHER };

#define UPC_MAX 64 /* longest code kept, with its NUL */

/* Parses "jan", "upc", "ean", "isbn" or "other" (any case); returns 0 or -1. */
int upc_type_parse(const char *s, enum upc_type *out);
/* "jan", "upc", ... */
const char *upc_type_name(enum upc_type t);
/* Qoo10's IndustrialCodeType letter: J, U, E, I; 0 for other. */
char upc_qoo10_type(enum upc_type t);

/* The GS1 mod-10 check digit ('0'..'9') of the n digits s (the code without its
 * check digit), or 0 when s holds a non-digit. */
char upc_gs1_check(const char *s, size_t n);
/* The ISBN-10 mod-11 check character ('0'..'9' or 'X') of the 9 digits s, or 0. */
char upc_isbn10_check(const char *s);

/* R-IMP-8: checks a code cell: drops spaces and hyphens, then wants 8, 12 or 13
 * digits with a valid GS1 check digit, or an ISBN-10 (mod 11). Writes the code
 * (digits, 'X') to out and its type to *type: 978/979 -> isbn, 45/49 -> jan,
 * 12 digits -> upc, other 8/13 digits -> ean. Returns 0; 1 when the code was restored
 * (SPEC 1.2: 11 digits whose 12-digit UPC-A form with a leading 0 is valid -- Excel
 * dropped the 0; out holds the 12 digits, *why says so); or -1 with *why (a number in
 * scientific notation too). */
int upc_check(const char *s, char out[UPC_MAX], enum upc_type *type, const char **why);
/* R-UPC-1: checks s as a code of type t (jan: 8 or 13 digits starting 45 or 49;
 * upc: 12; ean: 8 or 13; isbn: ISBN-10 or 978/979 ISBN-13; other: 1-50 printable
 * characters without spaces, no check digit). Returns 0, 1 when a upc code was restored
 * as upc_check does, or -1 with *why. */
int upc_check_as(const char *s, enum upc_type t, char out[UPC_MAX], const char **why);

/* ---- pools (R-UPC-1..3) ---- */

struct upc_import_stats {
    long rows, added, errors;
};
/* R-UPC-1: adds the codes read from fp (column "code", else the first column; a
 * header that is itself a valid code counts as a code) to pool, creating it with
 * type t. Every bad or repeated code is reported through report (warning 0), each
 * restored one as a warning (SPEC 1.2); after an error nothing is written and
 * QS_E_DATA is returned. A pool of another type is QS_E_USAGE. */
int upc_import(struct store *s, const char *pool, enum upc_type t, FILE *fp, const char *name,
               const struct rec_reader_opts *ro,
               void (*report)(void *ctx, const struct qs_err *e, int warning), void *ctx,
               struct upc_import_stats *st, struct qs_err *e);

struct upc_pool_info {
    const char *name, *type;
    long available, used;
    const char *last_import; /* UTC ISO-8601, "" when never */
};
/* R-UPC-3: calls fn for each pool, by name. */
int upc_pools_each(struct store *s, int (*fn)(void *ctx, const struct upc_pool_info *p), void *ctx,
                   struct qs_err *e);

/* Giving codes to products inside the caller's transaction (R-UPC-2): prepared
 * statements kept for a whole import. */
struct upc_assign;
/* Opens an assigner on pool (QS_E_USAGE when there is no such pool), or with pool NULL
 * one that only marks codes carried by products (upc_assign_mark). */
int upc_assign_open(struct store *s, const char *pool, struct upc_assign **out, struct qs_err *e);
/* The number of codes of the pool not given yet. */
int upc_assign_available(struct upc_assign *a, long *n, struct qs_err *e);
/* The pool's type. */
enum upc_type upc_assign_type(const struct upc_assign *a);
/* Gives the pool's next unused code to product_id of shop. Returns 0 with the code in
 * out, 1 when the pool has no unused code left, or a negative code. */
int upc_assign_take(struct upc_assign *a, const char *shop, long long product_id, char out[UPC_MAX],
                    struct qs_err *e);
/* Marks code, when some pool holds it unused, as given to product_id: a code a product
 * carries from its file is never given to another (R-UPC-2). */
int upc_assign_mark(struct upc_assign *a, const char *code, const char *shop, long long product_id,
                    struct qs_err *e);
/* Frees a; upc_assign_close(NULL) is a no-op. */
void upc_assign_close(struct upc_assign *a);

struct words;

/* Builds a matcher from n words (each UTF-8, NUL-terminated). Returns a new matcher;
 * free with words_free. */
struct words *words_new(const char *const *list, size_t n);
/* Loads the store's word list into a new matcher (*out, never NULL on success). */
int words_load(struct store *s, struct words **out, struct qs_err *e);
/* Frees w; words_free(NULL) is a no-op. */
void words_free(struct words *w);
/* The number of words of w. */
size_t words_count(const struct words *w);
/* R-IMP-10: finds the words of w in text[0..n), ASCII letters matched without regard
 * to case, any other character exactly, anywhere in the text (substrings too). Calls
 * fn(ctx, word) once per word found, in the order of their first occurrence. Returns
 * the number of words found. */
int words_scan(struct words *w, const char *text, size_t n, void (*fn)(void *ctx, const char *word),
               void *ctx);

/* One hit of words_check: the field ("title", "description", "tags") and the word. */
typedef void (*words_hit_fn)(void *ctx, const char *field, const char *word);
/* R-IMP-10: scans a product's title, description and tags (each may be NULL) and
 * calls fn for each word found, with the field it was found in. Returns the number of
 * hits. The one check `qs import products` and `qs publish check` share. */
int words_check(struct words *w, const char *title, const char *description, const char *tags,
                words_hit_fn fn, void *ctx);

/* R-IMP-10: replaces the store's word list with the words read from fp: a "word"
 * column, else the first column, or a plain list of one word per line. Words are
 * trimmed; empty ones and lines starting with '#' are skipped; repeats (ASCII case
 * folded) are kept once. *count gets the number of words now in the list. */
int words_import(struct store *s, FILE *fp, const char *name, const struct rec_reader_opts *ro,
                 long *count, struct qs_err *e);

#endif

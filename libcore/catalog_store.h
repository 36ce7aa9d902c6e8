/* catalog_store: the one writer of the catalog's tables -- product, variant,
 * product_group, catalog_batch and catalog_change (columns in catalog.h). Every INSERT,
 * UPDATE and DELETE of them is here, as one small named function; other modules read
 * those tables where they are but ask this module to change them (STYLE.md: a table has
 * one writer module). The import's hot path uses prepared statements it opens once
 * (catalog_store_imp.c, declared in catalog_imp.h).
 *
 * Every function runs in the caller's transaction (none begins one) and returns 0 or a
 * negative QS_E... code with e filled. Times are UTC ISO-8601 text (now). */
#ifndef QS_CATALOG_STORE_H
#define QS_CATALOG_STORE_H

#include <sqlite3.h>
#include <stdarg.h>

#include "err.h"
#include "store.h"

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

#endif

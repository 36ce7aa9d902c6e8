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
#ifndef QS_UPC_H
#define QS_UPC_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "record.h"
#include "store.h"

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
               enum rec_enc enc, void (*report)(void *ctx, const struct qs_err *e, int warning),
               void *ctx, struct upc_import_stats *st, struct qs_err *e);

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

#endif

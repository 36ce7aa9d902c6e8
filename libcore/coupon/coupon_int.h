/* coupon_int: what the files of the coupon module share -- coupon_store.c, the one writer
 * of the coupon table, and coupon_add.c, qs coupon add and edit. Not for other modules. */
#ifndef QS_COUPON_INT_H
#define QS_COUPON_INT_H

#include <sqlite3.h>

#include "coupon.h"

/* The columns cpn_row reads, in its order: a SELECT list over table coupon aliased c. */
#define CPN_SELECT                                                                                 \
    "c.code, coalesce(c.qsm_no, ''), c.name, c.discount_kind, c.discount,"                         \
    " coalesce(c.max_discount, -1), c.min_order, c.valid_from, c.valid_to,"                        \
    " coalesce(c.issue_limit, -1), coalesce(c.per_buyer_limit, -1), c.qstore_only,"                \
    " (SELECT count(*) FROM coupon_push p WHERE p.coupon_id = c.id AND p.state <> 'cancelled'"     \
    "   AND p.state <> 'refused'), c.created_at, c.updated_at"

/* Fills c from the current row of st (selected by CPN_SELECT); the texts point into the
 * row, valid until the next step. */
void cpn_row(sqlite3_stmt *st, struct coupon *c);
/* Reads coupon code of shop into c (its texts copied: coupon_clear frees them). Returns 1
 * when found, 0 when the shop has no such coupon, or a QS_E_* code. */
int cpn_get(struct store *s, const char *shop, const char *code, struct coupon *c,
            struct qs_err *e);
/* The code of the coupon of shop holding qsm_no, other than coupon but (may be NULL), in
 * out[size] ("" when none). Returns 0 or a QS_E_* code. */
int cpn_qsm_owner(struct store *s, const char *shop, const char *qsm_no, const char *but, char *out,
                  size_t size, struct qs_err *e);
/* The error of a code shop has no coupon for (QS_E_DATA, the code as the record). */
int cpn_unknown(const char *shop, const char *code, struct qs_err *e);
/* Inserts coupon c of shop at now (UTC ISO-8601). */
int cpn_insert(struct store *s, const char *shop, const struct coupon *c, const char *now,
               struct qs_err *e);
/* Replaces the values of coupon c->code of shop by c's at now. */
int cpn_update(struct store *s, const char *shop, const struct coupon *c, const char *now,
               struct qs_err *e);

#endif

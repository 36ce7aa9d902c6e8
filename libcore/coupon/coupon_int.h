/* coupon_int: what the files of the coupon module share -- coupon_store.c, the one writer
 * of the coupon table, and coupon_add.c, qs coupon add and edit. Not for other modules. */
#ifndef QS_COUPON_INT_H
#define QS_COUPON_INT_H

#include <jansson.h>
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

/* ---- a push being planned (coupon_plan.c, its checks in coupon_check.c) ---- */

struct cpl {
    struct store *s;
    const char *shop;
    const struct coupon_push_req *r;
    const struct coupon_push_cb *cb;
    struct coupon_push_plan *out;
    struct coupon c;
    struct coupon_items it;
    struct coupon_link link;
    char *link_text;
    char banner_sha[65];
    json_t *rows; /* comp: form_rows */
    int problems;
};

/* A refusal (warn 0: counted in p->problems) or a warning of the push being planned, with
 * its rule and, for an order of the input, its location and record. */
void cpl_say(struct cpl *p, int warn, const char *rule, const char *input, const char *sheet,
             long line, const char *record, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
#define cpl_refuse(p, rule, ...) cpl_say(p, 0, rule, NULL, NULL, 0, NULL, __VA_ARGS__)
#define cpl_warn(p, rule, ...)   cpl_say(p, 1, rule, NULL, NULL, 0, NULL, __VA_ARGS__)

/* R-CPN-7: --items parsed into p->it; item codes on sale per the last qs sync products. */
int cpl_items(struct cpl *p, struct qs_err *e);
/* R-CPN-8: the banner's header and size, its hash (p->banner_sha), its link (p->link). */
int cpl_banner(struct cpl *p);
/* R-CPN-2: an ad's fans' dates, normalized into since and until ("" when not given). */
void cpl_fans(struct cpl *p, char since[11], char until[11]);
/* R-CPN-2, R-CPN-9: a comp's orders checked, p->rows (the order-list form's rows) and the
 * distinct buyers into *estimate. */
int cpl_orders(struct cpl *p, long long *estimate, struct qs_err *e);

#endif

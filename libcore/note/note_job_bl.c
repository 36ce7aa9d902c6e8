/* note_job_bl.c: qs note blacklist add|rm as one write (R-NOTE-10): every buyer named, by
 * email, by name and phone, or by an order number, in one transaction -- a bad one changes
 * nothing (SPEC 1.3). */
#include <stdlib.h>

#include "note.h"
#include "../record/record.h"
#include "../xalloc.h"

/* The buyer ref names into b; an error names the record (file:line, or the order). */
static int buyer_of(struct store *s, const char *shop, const struct note_buyer_ref *r,
                    const char *file, const char *sheet, struct note_buyer *b, struct qs_err *e)
{
    int rc = 0;
    if ((r->email && *r->email) || (r->name && *r->name && r->phone && *r->phone))
        note_buyer_make(b, r->email, r->name, r->phone);
    else if (r->order_no && *r->order_no)
        rc = note_buyer_of_order(s, shop, r->order_no, b, e);
    else
        rc = err_set(e, QS_E_DATA, "R-NOTE-10",
                     "a record names a buyer by email, by name and phone, or by order_no");
    if (rc < 0 && r->line > 0)
        err_at_sheet(e, file, sheet, r->line, 0);
    else if (rc < 0 && r->order_no)
        err_record(e, r->order_no);
    return rc;
}

int note_blacklist_change(struct store *s, const char *shop, int add, const char *reason,
                          const struct note_buyer_refs *refs, const char *file, long *changed,
                          struct qs_err *e)
{
    int rc;
    *changed = 0;
    /* R-NOTE-10, SPEC 1.3: all in one transaction. */
    if ((rc = store_begin(s, e)) < 0)
        return rc;
    for (size_t i = 0; i < refs->n && rc == 0; i++) {
        struct note_buyer nb;
        int one = 0;
        if ((rc = buyer_of(s, shop, &refs->v[i], file, refs->sheet, &nb, e)) < 0)
            break;
        rc = add ? note_blacklist_add(s, shop, &nb, reason, &one, e)
                 : note_blacklist_rm(s, shop, &nb, &one, e);
        *changed += one;
    }
    if (rc < 0) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s, e);
}

void note_buyer_refs_add(struct note_buyer_refs *s, const char *email, const char *name,
                         const char *phone, const char *order_no, long line)
{
    s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
    s->v[s->n++] = (struct note_buyer_ref){
        email ? xstrdup(email) : NULL, name ? xstrdup(name) : NULL, phone ? xstrdup(phone) : NULL,
        order_no ? xstrdup(order_no) : NULL, line};
}

int note_buyer_refs_rec(const struct rec *r, long line, void *refs)
{
    static const char *const email_n[] = {"email", "buyer_email", "BuyerEmail", NULL};
    static const char *const name_n[] = {"name", "buyer", "Buyer", NULL};
    static const char *const tel_n[] = {"phone", "buyer_tel", "BuyerTel", "BuyerMobile", NULL};
    static const char *const no_n[] = {"order_no", "OrderNo",  "orderNo",
                                       "ContrNo",  "CONTR_NO", NULL};
    const char *const *names[] = {email_n, name_n, tel_n, no_n};
    const char *f[4] = {NULL, NULL, NULL, NULL};
    for (int i = 0; i < 4; i++)
        for (const char *const *n = names[i]; *n && !f[i]; n++)
            f[i] = rec_get(r, *n);
    note_buyer_refs_add(refs, f[0], f[1], f[2], f[3], line);
    return 0;
}

void note_buyer_refs_free(struct note_buyer_refs *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free((char *)s->v[i].email);
        free((char *)s->v[i].name);
        free((char *)s->v[i].phone);
        free((char *)s->v[i].order_no);
    }
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

/* sync_send_alloc: R-STK-6 in qs sync ship -- order lines allocated to the Qxpress warehouse
 * are shipped by Qxpress, which posts carrier and tracking itself the same evening, so ship
 * refuses them (skipped, naming the rule) unless --force. The allocation model is the stock
 * module's (stock_alloc.h); a shop without warehouse links is left alone. */
#include <stdlib.h>
#include <string.h>

#include "sync_int.h"
#include "../stock/stock_alloc.h"
#include "../xalloc.h"

int sync_send_alloc_load(struct sync_send *p, struct qs_err *e)
{
    if (p->o.action != SYNC_SHIP || p->o.force)
        return 0;
    return stock_alloc_allocated(p->s, p->o.shop, &p->alloc, &p->nalloc, e);
}

int sync_send_alloc_has(const struct sync_send *p, const char *order_no)
{
    size_t lo = 0, hi = p->nalloc;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(p->alloc[mid], order_no) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->nalloc && strcmp(p->alloc[lo], order_no) == 0;
}

int sync_send_alloc_skip(struct sync_send *p, struct sync_pline *l)
{
    if (!sync_send_alloc_has(p, l->order_no))
        return 0;
    l->pre = "skipped";
    free(l->pre_msg);
    l->pre_msg = xstrdup(SYNC_ALLOC_WHY);
    return 1;
}

void sync_send_alloc_free(struct sync_send *p)
{
    stock_alloc_list_free(p->alloc, p->nalloc);
    p->alloc = NULL;
    p->nalloc = 0;
}

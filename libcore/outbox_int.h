/* outbox_int.h: what outbox.c and outbox_owner.c share; not a public header. */
#ifndef QS_OUTBOX_INT_H
#define QS_OUTBOX_INT_H

#include <time.h>

#include "outbox.h"

#define OUTBOX_ITEM_COLS "id, shop, kind, key, payload, ref, last_error, state, attempts, next_at"

/* Times are stored as UTC ISO-8601 text, which sorts as time (SPEC 1.5). */
char *outbox_iso(time_t t, char buf[32]);
/* Fills it from a row of OUTBOX_ITEM_COLS (strings malloc'd: outbox_items_free). */
void outbox_item_read(sqlite3_stmt *st, struct outbox_item *it);
/* "HOST:PID:STARTTIME" of this process, computed afresh (a fork has another pid). */
const char *outbox_self_owner(struct store *s);
/* When this process first took its owner string (UTC ISO-8601): a --retry-failed claim
 * takes only what was settled by then, so two such runs at once do not hand the items
 * one fails to the other, back and forth. */
const char *outbox_self_since(struct store *s);
/* 1 when owner names a process of this host that no longer runs. */
int outbox_owner_dead(const char *owner);

#endif

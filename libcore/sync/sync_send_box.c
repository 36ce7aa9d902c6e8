/* sync_send_box: the outbox items of `qs sync ship`, `confirm` and `cancel` as planning
 * and reporting read them (R-SYN-1b). */
#include "sync_int.h"

#include <stdlib.h>
#include <string.h>

#include "../xalloc.h"

const char *sync_key_order(const char *key, char *buf, size_t size)
{
    const char *hash = strchr(key, '#');
    snprintf(buf, size, "%.*s", hash ? (int)(hash - key) : (int)strlen(key), key);
    return buf;
}

int sync_key_rev(const char *key)
{
    const char *hash = strchr(key, '#');
    return hash ? atoi(hash + 1) : 1;
}

/* Outbox items are read one order or one key at a time through the unique index (shop,
 * kind, key), with statements prepared once per run: nothing of the outbox's history is
 * held in memory (SPEC 8). Only the fields planning and reporting use are read. */
#define BOX_COLS "id, key, payload, ref, last_error, state"
/* An order's keys "N", "N#2", ...: every key from N up to N followed by '$' ('#' + 1). */
static const char box_order_sql[] = "SELECT " BOX_COLS " FROM outbox WHERE shop = ?1 AND"
                                    " kind = ?2 AND key >= ?3 AND key < ?3 || '$'";
static const char box_key_sql[] = "SELECT " BOX_COLS " FROM outbox WHERE shop = ?1 AND kind = ?2"
                                  " AND key = ?3";

void sync_box_clear(struct outbox_item *it)
{
    free(it->key);
    free(it->payload);
    free(it->ref);
    free(it->last_error);
    memset(it, 0, sizeof *it);
}

struct box_row {
    const char *order_no; /* NULL: any key (box_key) */
    struct outbox_item *it;
    int found;
};

/* A row of BOX_COLS: kept when it is of the order and of a higher revision than the one
 * kept so far. */
static int box_row(sqlite3_stmt *st, void *ctx)
{
    struct box_row *b = ctx;
    const char *key = store_col_text(st, 1);
    enum outbox_state state;
    if (b->order_no) {
        size_t len = strlen(b->order_no);
        if (strncmp(key, b->order_no, len) != 0 || (key[len] != '\0' && key[len] != '#') ||
            (b->found && sync_key_rev(key) <= sync_key_rev(b->it->key)))
            return 0;
    }
    if (outbox_state_parse(store_col_text(st, 5), &state) < 0)
        state = OUTBOX_PENDING;
    sync_box_clear(b->it);
    *b->it = (struct outbox_item){
        .id = sqlite3_column_int64(st, 0),
        .key = xstrdup(key),
        .payload = store_col_dup(st, 2),
        .ref = store_col_dup(st, 3),
        .last_error = store_col_dup(st, 4),
        .state = state,
    };
    b->found = 1;
    return 0;
}

/* The newest item for order_no (highest revision) into *it: 1; 0 when there is none (it
 * cleared); else a QS_E_* code. box_clear(it) after. */
int sync_box_current(struct syncdb *d, const char *kind, const char *order_no,
                     struct outbox_item *it, struct qs_err *e)
{
    struct box_row b = {order_no, it, 0};
    int rc;
    memset(it, 0, sizeof *it);
    rc = syncdb_each(d, ST_BOX_ORDER, box_order_sql, box_row, &b, e, "sss", syncdb_shop(d), kind,
                     order_no);
    return rc < 0 ? rc : b.found;
}

/* The item of key into *it: 1; 0 when there is none; else a QS_E_* code. */
int sync_box_key(struct syncdb *d, const char *kind, const char *key, struct outbox_item *it,
                 struct qs_err *e)
{
    struct box_row b = {NULL, it, 0};
    int rc;
    memset(it, 0, sizeof *it);
    rc = syncdb_each(d, ST_BOX_KEY, box_key_sql, box_row, &b, e, "sss", syncdb_shop(d), kind, key);
    return rc < 0 ? rc : b.found;
}

/* Plans or reports in one read transaction (BEGIN DEFERRED), unless the caller holds one:
 * one snapshot and one file lock for the whole pass instead of one per statement. */
int sync_read_begin(struct store *s, int *own, struct qs_err *e)
{
    *own = sqlite3_get_autocommit(store_db(s));
    return *own ? store_exec(s, "BEGIN", e) : 0;
}

int sync_read_end(struct store *s, int own, int rc, struct qs_err *e)
{
    if (own && rc < 0)
        store_rollback(s);
    else if (own)
        rc = store_commit(s, e);
    return rc;
}

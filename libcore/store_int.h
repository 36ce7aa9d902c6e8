/* store_int.h: the store handle, shared by store.c (opening, migrating, closing) and
 * store_sql.c (the SQL layer). Not a public header. */
#ifndef QS_STORE_INT_H
#define QS_STORE_INT_H

#include <sqlite3.h>

struct store {
    sqlite3 *db;
    char *path;
    /* outbox_self_owner's answer for process owner_pid, kept: reading /proc and the host
     * name for every outbox step cost a measurable share of a batch (issue 16) */
    char owner[320];
    long owner_pid;
};

#endif

/* store_int.h: the store handle, shared by store.c (opening, migrating, closing) and
 * store_sql.c (the SQL layer). Not a public header. */
#ifndef QS_STORE_INT_H
#define QS_STORE_INT_H

#include <sqlite3.h>

struct store {
    sqlite3 *db;
    char *path;
};

#endif

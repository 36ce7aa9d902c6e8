/* store_int.h: the store handle, shared by store.c (opening, migrating, closing) and
 * store_sql.c (the SQL layer). Not a public header. */
#ifndef QS_STORE_INT_H
#define QS_STORE_INT_H

#include <sqlite3.h>

/* Statements kept prepared for the life of the store (store_sql.c): a batch steps the
 * same few statements for every item, and preparing one cost as much as running it
 * (issue 16: 18% of a `sync ship`, 60k instructions a prepare). */
#define STORE_CACHE_MAX 64

struct store_cached {
    char *sql;          /* the text it was prepared from, the key */
    unsigned long hash; /* of sql */
    sqlite3_stmt *st;
    int busy;           /* handed out and not yet released */
    unsigned long used; /* tick of the last hand-out, for eviction */
};

struct store {
    sqlite3 *db;
    char *path;
    /* outbox_self_owner's answer for process owner_pid, kept: reading /proc and the host
     * name for every outbox step cost a measurable share of a batch (issue 16) */
    char owner[320];
    long owner_pid;
    char owner_since[32]; /* when owner was taken (outbox_self_since) */
    struct store_cached cache[STORE_CACHE_MAX];
    size_t ncache;
    unsigned long tick;
    int bulk; /* out of WAL mode for a bulk write (store_bulk_begin) */
};

/* Finalizes every cached statement (before the connection closes or is replaced). */
void store_cache_clear(struct store *s);

#endif

/* strmap: a map from strings to indexes (open addressing, FNV-1a), for the batch paths
 * that look a record up by its key once per input line (SPEC 8: batch work is linear).
 * The map keeps its own copies of the keys. A zeroed struct strmap is an empty map. */
#ifndef QS_STRMAP_H
#define QS_STRMAP_H

#include <stddef.h>

struct strmap {
    char **keys;  /* cap slots, NULL when free */
    size_t *vals; /* the value of each used slot */
    size_t n, cap;
};

/* 1 and *val set when key is in m, else 0 (val may be NULL). */
int strmap_get(const struct strmap *m, const char *key, size_t *val);
/* Sets key to val (a copy of key is kept; an existing key takes the new value). */
void strmap_put(struct strmap *m, const char *key, size_t val);
/* Empties m and frees what it holds. */
void strmap_free(struct strmap *m);

#endif

/* strmap: string -> index map with linear probing; the table doubles at half full. */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static size_t hash(const char *s)
{
    uint64_t h = 14695981039346656037u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)(h ^ (h >> 32));
}

/* The slot of key, or the free slot where it would go (cap is a power of two, never
 * full). */
static size_t slot(const struct strmap *m, const char *key)
{
    size_t i = hash(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

int strmap_get(const struct strmap *m, const char *key, size_t *val)
{
    size_t i;
    if (!m->n)
        return 0;
    i = slot(m, key);
    if (!m->keys[i])
        return 0;
    if (val)
        *val = m->vals[i];
    return 1;
}

static void grow(struct strmap *m)
{
    struct strmap g = {xcalloc(m->cap ? 2 * m->cap : 64, sizeof *g.keys), NULL, m->n,
                       m->cap ? 2 * m->cap : 64};
    g.vals = xcalloc(g.cap, sizeof *g.vals);
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t j = slot(&g, m->keys[i]);
            g.keys[j] = m->keys[i];
            g.vals[j] = m->vals[i];
        }
    free(m->keys);
    free(m->vals);
    *m = g;
}

void strmap_put(struct strmap *m, const char *key, size_t val)
{
    size_t i;
    if (2 * (m->n + 1) > m->cap)
        grow(m);
    i = slot(m, key);
    if (!m->keys[i]) {
        m->keys[i] = xstrdup(key);
        m->n++;
    }
    m->vals[i] = val;
}

void strmap_free(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

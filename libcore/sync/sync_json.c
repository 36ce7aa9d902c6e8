/* sync_json: an answer's row as sorted compact JSON (what order_line.raw stores) and its
 * 64-bit digest (order_line.raw_sum), by which a re-read row is compared (R-SYN-1). */
#include "sync_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../xalloc.h"

char *sync_json_text(const json_t *row)
{
    char *s = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
    if (!s)
        return xstrdup("{}");
    /* jansson allocates with malloc: hand back a string the caller frees with free(). */
    return s;
}

/* FNV-1a over n bytes, then mixed (splitmix64's finalizer): the digest of one value. */
static uint64_t sum_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    while (n--)
        h = (h ^ *c++) * 0x100000001b3ULL;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

static uint64_t json_sum(const json_t *v)
{
    uint64_t h = 0xcbf29ce484222325ULL + (uint64_t)json_typeof(v), s = 0;
    const char *k;
    json_t *m;
    size_t i;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        /* members in any order: the sum of each member's digest, its name's and its
         * value's together, as sorted keys make the text the same */
        json_object_foreach((json_t *)v, k, m)
        {
            uint64_t mv = json_sum(m);
            s += sum_bytes(sum_bytes(h, &mv, sizeof mv), k, strlen(k));
        }
        return sum_bytes(h, &s, sizeof s);
    case JSON_ARRAY:
        json_array_foreach(v, i, m)
        {
            uint64_t mv = json_sum(m);
            h = sum_bytes(h, &mv, sizeof mv); /* in order */
        }
        return sum_bytes(h, &i, sizeof i);
    case JSON_STRING:
        return sum_bytes(h, json_string_value(v), json_string_length(v));
    case JSON_INTEGER: {
        json_int_t n = json_integer_value(v);
        return sum_bytes(h, &n, sizeof n);
    }
    case JSON_REAL: {
        double d = json_real_value(v);
        return sum_bytes(h, &d, sizeof d);
    }
    default: /* true, false, null: the type is the value */
        return sum_bytes(h, "", 0);
    }
}

int64_t sync_json_sum(const json_t *v)
{
    return (int64_t)json_sum(v);
}

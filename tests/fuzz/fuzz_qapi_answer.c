/* Fuzz target qapi_answer: the reader of the marketplace's answers (qapi_parse_answer, the
 * envelope {ResultCode, ResultMsg, ...} or {ErrorCode, ErrorMsg}: reference 1.6), which
 * reads whatever the network brings, the per-line report of a bulk answer
 * (qapi_bulk_report, R-SYN-9: a line is 0 only when every code on it says 0), and the
 * count of an answer's rows as it arrives (qapi_rows_feed, R-SYN-1c). */
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "qapi/qapi_int.h"

struct lines {
    size_t calls, next;
};

/* R-SYN-9: a line reported as done has no code on it saying otherwise. */
static int line(size_t index, int code, const char *msg, const json_t *r, void *ctx)
{
    struct lines *l = ctx;
    const char *k;
    json_t *v;

    FUZZ_CHECK(index == l->next);
    l->next++, l->calls++;
    FUZZ_CHECK(!msg || strlen(msg) < 1 << 20);
    if (code == 0 && json_is_object(r)) {
        json_object_foreach((json_t *)r, k, v)
        {
            if (strcasecmp(k, "result_cd") == 0 || strcasecmp(k, "ResultCode") == 0 ||
                strcasecmp(k, "ResultCd") == 0)
                FUZZ_CHECK(qapi_code_of(v) == 0);
        }
    }
    return 0;
}

/* R-SYN-1c: the rows counted as the answer arrives (qapi_rows.c, in two pieces split
 * where the input says) are jansson's rows (sync_rows: ResultObject's elements, or those of
 * its first array member) on any JSON object without duplicate keys, except that a key
 * spelt with escapes is not recognised (then none are counted); a cap at that count is
 * reached exactly there, one more is never reached. */
static long rows_scanned(const char *p, size_t size, size_t split, long cap, int *hit)
{
    struct qapi_rows r;
    qapi_rows_start(&r, cap);
    *hit = qapi_rows_feed(&r, p, split);
    if (!*hit)
        *hit = qapi_rows_feed(&r, p + split, size - split);
    return r.n;
}

static void rows_check(const char *p, size_t size)
{
    size_t skip = size >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    json_t *j = json_loadb(p + skip, size - skip, JSON_REJECT_DUPLICATES, NULL), *ro, *rows = NULL;
    size_t split = size ? (unsigned char)p[size - 1] * 131u % (size + 1) : 0;
    long want, n;
    int hit;

    if (!json_is_object(j)) {
        json_decref(j);
        return;
    }
    ro = json_object_get(j, "ResultObject");
    if (json_is_array(ro))
        rows = ro;
    else if (json_is_object(ro)) {
        const char *k;
        json_t *v;
        json_object_foreach(ro, k, v)
        {
            if (json_is_array(v) && !rows)
                rows = v;
        }
    }
    want = rows ? (long)json_array_size(rows) : 0;
    json_decref(j);
    n = rows_scanned(p, size, split, 0, &hit);
    FUZZ_CHECK(!hit);
    FUZZ_CHECK(n == want || (n == 0 && memchr(p, '\\', size)));
    if (n > 0) {
        FUZZ_CHECK(rows_scanned(p, size, split, n, &hit) == n && hit);
        FUZZ_CHECK(rows_scanned(p, size, split, n + 1, &hit) == n && !hit);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rows_check((const char *)data, size);
    struct qapi_attempt a;
    memset(&a, 0, sizeof a);
    qapi_parse_answer((const char *)data, size, "application/json", &a);
    /* A code only from an envelope; no code says why (a message for the log). */
    FUZZ_CHECK(a.code == QAPI_CODE_NONE || json_is_object(a.body));
    FUZZ_CHECK(a.code != QAPI_CODE_NONE || a.why[0] != '\0');
    FUZZ_CHECK(memchr(a.why, '\0', sizeof a.why) != NULL);
    FUZZ_CHECK(!a.msg || fuzz_utf8_valid(a.msg, strlen(a.msg)));
    if (a.code != QAPI_CODE_NONE) {
        /* The answer of a two-line bulk call: every line gets exactly one result. */
        json_t *chunk = json_pack("[{s:s}, {s:s}]", "OrderNo", "123400000", "OrderNo", "567800000");
        struct qapi_result res = {.code = a.code,
                                  .msg = a.msg,
                                  .object = json_object_get(a.body, "ResultObject"),
                                  .body = a.body,
                                  .cls = a.code == 0 ? QAPI_OK : QAPI_INVALID};
        struct lines l = {0};
        FUZZ_CHECK(chunk != NULL);
        FUZZ_CHECK(qapi_bulk_report(NULL, 0, chunk, &res, line, &l) == 0);
        FUZZ_CHECK(l.calls == 2);
        json_decref(chunk);
    }
    qapi_attempt_clear(&a);
    FUZZ_CHECK(a.body == NULL && a.msg == NULL && a.code == QAPI_CODE_NONE);
    return 0;
}

/* Fuzz target qapi_answer: the reader of the marketplace's answers (qapi_parse_answer, the
 * envelope {ResultCode, ResultMsg, ...} or {ErrorCode, ErrorMsg}: reference 1.6), which
 * reads whatever the network brings. */
#include <jansson.h>
#include <string.h>

#include "fuzz.h"
#include "qapi_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qapi_attempt a;
    memset(&a, 0, sizeof a);
    qapi_parse_answer((const char *)data, size, "application/json", &a);
    /* A code only from an envelope; no code says why (a message for the log). */
    FUZZ_CHECK(a.code == QAPI_CODE_NONE || json_is_object(a.body));
    FUZZ_CHECK(a.code != QAPI_CODE_NONE || a.why[0] != '\0');
    FUZZ_CHECK(memchr(a.why, '\0', sizeof a.why) != NULL);
    FUZZ_CHECK(!a.msg || fuzz_utf8_valid(a.msg, strlen(a.msg)));
    qapi_attempt_clear(&a);
    FUZZ_CHECK(a.body == NULL && a.msg == NULL && a.code == QAPI_CODE_NONE);
    return 0;
}

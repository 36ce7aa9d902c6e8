/* Fuzz target deliver_request: the hook request line of SPEC 1.7 (deliver_payload_check,
 * deliver_request_line), which renders an outbox item's payload -- text a note or a
 * product carries -- as one JSON line for a hook. Input: the payload, a NUL byte, the
 * key (the item's shop and kind are fixed). The line must be one JSON object with qs's
 * fields and every payload field, the same values. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "deliver/deliver.h"
#include "fuzz.h"
#include "outbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qs_err e;
    struct outbox_item it = {.id = 42, .shop = "fuzz", .kind = "note"};
    it.payload = fuzz_two_strings(data, size, &it.key);

    int checked = deliver_payload_check(it.payload, &e);
    char *line = deliver_request_line(&it, &e);
    FUZZ_CHECK(checked == 0 || line == NULL);
    if (line) {
        FUZZ_CHECK(strchr(line, '\n') == NULL && strchr(line, '\r') == NULL);
        json_t *got = json_loads(line, JSON_DECODE_INT_AS_REAL, NULL);
        json_t *pl = json_loads(it.payload, JSON_DECODE_INT_AS_REAL, NULL);
        FUZZ_CHECK(json_is_object(got) && json_is_object(pl));
        FUZZ_CHECK(json_real_value(json_object_get(got, "id")) == 42.0);
        FUZZ_CHECK(strcmp(json_string_value(json_object_get(got, "kind")), "note") == 0);
        FUZZ_CHECK(strcmp(json_string_value(json_object_get(got, "shop")), "fuzz") == 0);
        FUZZ_CHECK(strcmp(json_string_value(json_object_get(got, "key")), it.key) == 0);
        FUZZ_CHECK(json_object_size(got) == json_object_size(pl) + 4);
        const char *k;
        json_t *v;
        json_object_foreach(pl, k, v)
        {
            FUZZ_CHECK(json_equal(json_object_get(got, k), v));
        }
        json_decref(got);
        json_decref(pl);
    } else {
        FUZZ_CHECK(e.msg[0] != '\0');
    }
    free(line);
    free(it.payload);
    return 0;
}

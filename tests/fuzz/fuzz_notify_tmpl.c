/* Fuzz target notify_tmpl: QSM's notification template grammar (R-SYN-5): the save-time
 * check (notify_tmpl_check) and the renderer (notify_render) for a two-line cart whose
 * values hold marker- and placeholder-like text that must come out verbatim, then for one
 * line and for a cart without values. Input: the template, a NUL byte, a memo value (the
 * first line's DEL_MEMO). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "notify/notify.h"

static struct notify_vals line(const char *memo, const char *item)
{
    struct notify_vals v = {0};
    v.v[NOTIFY_PH_PACK_NO] = "7001";
    v.v[NOTIFY_PH_ORDER_NO] = "1001";
    v.v[NOTIFY_PH_BUYER_NM] = "山田 [$_BUYER_NM_$] ##ISLOOP_";
    v.v[NOTIFY_PH_ITEM_NM] = item;
    v.v[NOTIFY_PH_DEL_MEMO] = memo;
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qs_err e;
    char *memo, *text = fuzz_two_strings(data, size, &memo);
    struct notify_vals cart[2] = {line(memo, "DELETE_BLANK_ROW## _ISLOOP##"), line("", "$_X_$")};
    char *out = NULL, *one = NULL, *none = NULL;

    int checked = notify_tmpl_check(text, &e);
    FUZZ_CHECK(checked == 0 ||
               (checked == QS_E_DATA && e.msg[0] && strcmp(e.rule, "R-SYN-5") == 0));
    int rc = notify_render(text, cart, 2, &out, &e);
    /* rendering fails exactly where the check does, and never half-way */
    FUZZ_CHECK((rc == 0) == (checked == 0));
    FUZZ_CHECK(rc == 0 ? out != NULL : out == NULL);
    FUZZ_CHECK(notify_render(text, cart, 1, &one, &e) == rc);
    FUZZ_CHECK(notify_render(text, NULL, 0, &none, &e) == rc);
    if (rc == 0) {
        /* escapes nothing: a text without markers or placeholders comes out as it is */
        if (!strstr(text, "##") && !strstr(text, "$_") && !strstr(text, "[$") &&
            !strstr(text, "DELETE_BLANK_ROW") && !strstr(text, "_ISLOOP"))
            FUZZ_CHECK(strcmp(out, text) == 0 && strcmp(none, text) == 0);
        FUZZ_CHECK(strlen(none) <= strlen(text));
    }
    free(out);
    free(one);
    free(none);
    free(text);
    return 0;
}

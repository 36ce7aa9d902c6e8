/* Fuzz target note_tmpl: the note template checks of save time (note_msg_check, which
 * note_tmpl_save runs: R-NOTE-2/3/4/8) and the placeholder renderer (note_render) with a
 * fixed fake order, then the per-order checks of the rendered note (as note.c does).
 * Input: the title, a NUL byte, the body (a second NUL ends it). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "note/note.h"

/* A fake order; values hold '#' and placeholder-like text that must come out verbatim. */
static const struct note_vars order = {.v = {
                                           [NOTE_PH_ORDER_ID] = "1234567890",
                                           [NOTE_PH_BUYER] = "山田 #buyer# 花子",
                                           [NOTE_PH_TRACKING] = "TRK-0001",
                                           [NOTE_PH_CARRIER] = "ヤマト運輸",
                                           [NOTE_PH_ORDER_TIME] = "2025-01-02 03:04",
                                           [NOTE_PH_ORDER_AMOUNT] = "1980",
                                           [NOTE_PH_ITEM_NAME] = "\\# タンブラー #order id#",
                                       }};
static const struct note_vars no_values;

/* text with each "\#" made "#": what rendering gives a text without placeholders. */
static char *unescape(const char *text)
{
    char *out = malloc(strlen(text) + 1), *o = out;
    FUZZ_CHECK(out != NULL);
    for (const char *p = text; *p;) {
        if (p[0] == '\\' && p[1] == '#') {
            *o++ = '#';
            p += 2;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

/* Renders text both ways and checks what the parse promised. Returns the rendering with
 * the fake order (malloc'd) or NULL when the text has an unknown placeholder. */
static char *render(const char *text)
{
    struct qs_err e;
    unsigned uses = 0;
    char *out = NULL, *bare = NULL;
    int parsed = note_tmpl_parse(text, &uses, &e);
    int rc = note_render(text, &order, &out, &e);
    /* The fake order has every value: rendering fails only where the parse did. */
    FUZZ_CHECK((rc == 0) == (parsed == 0));
    FUZZ_CHECK(rc == 0 ? out != NULL : out == NULL && e.code == QS_E_DATA && e.msg[0]);
    /* Without values, a placeholder is an error (R-NOTE-8: no note with a hole in it). */
    rc = note_render(text, &no_values, &bare, &e);
    FUZZ_CHECK((rc == 0) == (parsed == 0 && uses == 0));
    if (parsed == 0 && uses == 0) {
        char *want = unescape(text);
        FUZZ_CHECK(strcmp(out, want) == 0 && strcmp(bare, want) == 0);
        free(want);
    }
    free(bare);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qs_err e;
    char *body, *title = fuzz_two_strings(data, size, &body);
    struct note_msg m = {.category = "shipping", .title = title, .body = body};

    /* Save time: what note_tmpl_save checks, with and without the personal-data guard. */
    int checked = note_msg_check(&m, 1, &e);
    unsigned uses = m.uses;
    FUZZ_CHECK(checked == 0 || (checked < 0 && e.msg[0]));
    int guarded = note_msg_check(&m, 0, &e);
    FUZZ_CHECK(guarded == 0 ? checked == 0 : guarded < 0);

    char *t = render(title), *b = render(body);
    if (checked == 0) {
        FUZZ_CHECK(t != NULL && b != NULL);
        unsigned ut = 0, ub = 0;
        FUZZ_CHECK(note_tmpl_parse(title, &ut, &e) == 0 && note_tmpl_parse(body, &ub, &e) == 0);
        FUZZ_CHECK(uses == (ut | ub));
        /* R-NOTE-3: a text without placeholders was checked as it will be sent. */
        if (ut == 0)
            FUZZ_CHECK(note_check_title(t, &e) == 0);
        if (ub == 0)
            FUZZ_CHECK(note_check_text("body", b, NOTE_BODY_MAX, 0, &e) == 0);
    }
    /* Send time: the checks note.c runs on each rendered note; a refusal says why. */
    if (t && b) {
        int rc[4] = {note_check_title(t, &e), note_check_text("body", b, NOTE_BODY_MAX, 0, &e),
                     note_guard("title", t, &e), note_guard("body", b, &e)};
        for (int i = 0; i < 4; i++)
            FUZZ_CHECK(rc[i] == 0 || rc[i] == QS_E_DATA);
    }
    free(t);
    free(b);
    free(title);
    return 0;
}

/* qapi_redact: masking the shop's secrets wherever the marketplace's words are shown
 * (messages, the audit, raw answers), whole tokens only. */
#include "qapi_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../xalloc.h"

/* A letter or digit: a secret is replaced only where it is not part of a longer word. */
static int word_byte(const char *p)
{
    unsigned char c = (unsigned char)*p;
    return c < 0x80 && isalnum(c);
}

/* Replaces each whole-token occurrence of sec in *out by "***". */
static void redact_one(char **out, const char *sec)
{
    size_t sl = strlen(sec), pos = 0;
    char *hit;

    while ((hit = strstr(*out + pos, sec)) != NULL) {
        size_t at = (size_t)(hit - *out);
        if ((at > 0 && word_byte(hit - 1) && word_byte(hit)) ||
            (word_byte(hit + sl - 1) && word_byte(hit + sl))) {
            pos = at + 1; /* inside a longer word: not this secret */
            continue;
        }
        char *next = xasprintf("%.*s***%s", (int)at, *out, hit + sl);
        free(*out);
        *out = next;
        pos = at + 3; /* on after the mask: a secret may itself contain "***" */
    }
}

char *qapi_redact(const struct qapi *q, const char *s)
{
    const char *sec[] = {q->key, q->sak, q->password, q->user};
    const size_t n = sizeof sec / sizeof sec[0];
    char *out;

    if (!s)
        return NULL;
    out = xstrdup(s);
    /* Longest first, so that a secret holding another is masked whole. */
    for (size_t k = 0; k < n; k++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (sec[i] && strlen(sec[i]) >= QAPI_SECRET_MIN &&
                (best == n || strlen(sec[i]) > strlen(sec[best])))
                best = i;
        if (best == n)
            break;
        redact_one(&out, sec[best]);
        sec[best] = NULL;
    }
    return out;
}

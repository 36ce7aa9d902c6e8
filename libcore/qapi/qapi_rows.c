/* qapi_rows: counts the rows of an answer while it arrives, so that a search answer at
 * the window cap is cut there instead of read and parsed whole (R-SYN-1c, issue 16: the
 * memory of `qs sync orders` bounded by the cap, not by what the marketplace sends).
 *
 * The rows are what sync_rows() takes from the parsed answer: the elements of
 * ResultObject when it is an array, else of ResultObject's first member that is an
 * array. The scanner follows only the nesting of the JSON text and its strings; it does
 * not check the text (jansson does, on every answer read whole). On a valid answer
 * without duplicate keys it counts what jansson would give; on anything else it may
 * count wrong, and either error is safe: a count too high splits a window needlessly
 * (its halves are read again), one too low reads the answer whole, as before. A key
 * spelt with escapes is not recognised (the rows are then never counted). */
#include <string.h>

#include "qapi_int.h"

#define RO     "ResultObject"
#define RO_LEN (sizeof RO - 1)

void qapi_rows_start(struct qapi_rows *r, long cap)
{
    memset(r, 0, sizeof *r);
    r->cap = cap;
}

/* A string ends: a key of the envelope names ResultObject or not. */
static void string_end(struct qapi_rows *r)
{
    if (r->in_key)
        r->ro_next = !r->key_bad && r->key_len == RO_LEN && memcmp(r->key, RO, RO_LEN) == 0;
    r->in_key = 0;
}

/* A string's byte (the quotes excluded, escapes as sent). */
static void string_byte(struct qapi_rows *r, unsigned char c)
{
    if (!r->in_key)
        return;
    if (c == '\\' || r->key_len == sizeof r->key)
        r->key_bad = 1;
    else
        r->key[r->key_len++] = (char)c;
}

/* A byte outside strings that is not blank. Returns 1 when the rows reach the cap. */
static int token(struct qapi_rows *r, unsigned char c)
{
    if (r->depth == 0) {
        /* the envelope: an object, after a byte-order mark at most */
        if (c == '{' && !r->open)
            r->open = r->want_key = 1;
        else if (r->pos > 2 || (c != 0xEF && c != 0xBB && c != 0xBF) || r->open)
            r->over = 1;
        if (r->over)
            return 0;
        r->depth = r->open;
        return 0;
    }
    /* the rows array: an element starts, or the array ends (counting is then over) */
    if (r->rows_depth && r->depth == r->rows_depth) {
        if (c == ']') {
            r->over = 1;
            return 0;
        }
        if (c == ',')
            r->want_el = 1;
        else if (r->want_el) {
            r->want_el = 0;
            if (++r->n >= r->cap && r->cap > 0)
                return 1;
        }
    }
    if (r->depth == 1) { /* the envelope's members */
        if (c == ',')
            r->want_key = 1;
        else if (c == '"' && r->want_key) {
            r->want_key = 0;
            r->in_key = 1;
            r->key_len = 0;
            r->key_bad = 0;
        } else if (c != ':') { /* a member's value starts */
            if (r->ro_next && c == '[')
                r->rows_depth = 2, r->want_el = 1;
            else if (r->ro_next && c == '{')
                r->ro_open = 1;
            r->ro_next = 0;
        }
    } else if (r->depth == 2 && r->ro_open && c == '[') {
        /* ResultObject is an object: its first member that is an array */
        r->rows_depth = 3, r->want_el = 1;
        r->ro_open = 0;
    }
    if (c == '{' || c == '[')
        r->depth++;
    else if (c == '}' || c == ']') {
        if (--r->depth <= 1)
            r->ro_open = 0;
        if (r->depth == 0)
            r->over = 1; /* the envelope ended */
    } else if (c == '"')
        r->in_str = 1;
    return 0;
}

int qapi_rows_feed(struct qapi_rows *r, const char *p, size_t len)
{
    for (size_t i = 0; i < len && !r->over; i++, r->pos++) {
        unsigned char c = (unsigned char)p[i];
        if (r->in_str) {
            if (r->esc)
                r->esc = 0, string_byte(r, c);
            else if (c == '\\')
                r->esc = 1, string_byte(r, c);
            else if (c == '"')
                r->in_str = 0, string_end(r);
            else
                string_byte(r, c);
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (token(r, c))
            return 1;
    }
    return 0;
}

/* stock_code: Q-inventory codes, option codes and q_skus (R-STK-1) -- what Excel users
 * paste: full-width digits and separators, spaces around the parts, option codes whose
 * leading zeros Excel stripped. Pure functions, no allocation. */
#include <stdio.h>
#include <string.h>

#include "stock.h"
#include "../text.h"

/* Copies s[0..n) to out in ASCII where it matters: full-width digits, '-', ':', '/' and the
 * ideographic space become their ASCII forms, also the minus sign and the hyphens Excel's
 * autocorrect writes (U+2010, U+2011, U+2212). Other bytes are kept. Returns the length, or -1 when
 * out is too small. */
static long ascii(const char *s, size_t n, char *out, size_t size)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        const unsigned char *u = (const unsigned char *)s + i;
        char c = 0;
        size_t len = 1;
        if (i + 3 <= n && u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99)
            c = (char)('0' + (u[2] - 0x90)), len = 3;
        else if (i + 3 <= n && u[0] == 0xEF && u[1] == 0xBC && u[2] == 0x8D)
            c = '-', len = 3; /* U+FF0D */
        else if (i + 3 <= n && u[0] == 0xEF && u[1] == 0xBC && u[2] == 0x9A)
            c = ':', len = 3; /* U+FF1A */
        else if (i + 3 <= n && u[0] == 0xEF && u[1] == 0xBC && u[2] == 0x8F)
            c = '/', len = 3; /* U+FF0F */
        else if (i + 3 <= n && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80)
            c = ' ', len = 3; /* U+3000 */
        else if (i + 3 <= n && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0x90 || u[2] == 0x91))
            c = '-', len = 3; /* U+2010, U+2011 */
        else if (i + 3 <= n && u[0] == 0xE2 && u[1] == 0x88 && u[2] == 0x92)
            c = '-', len = 3; /* U+2212 */
        else
            c = (char)u[0];
        if (k + 1 >= size)
            return -1;
        out[k++] = c;
        i += len;
    }
    out[k] = '\0';
    return (long)k;
}

/* s without the spaces and tabs around it: *n set to its length. */
static const char *trim(const char *s, size_t *n)
{
    while (*n && (*s == ' ' || *s == '\t'))
        s++, (*n)--;
    while (*n && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
        (*n)--;
    return s;
}

static size_t digits(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

/* The code in a[0..n), ASCII already. */
static int qcode(const char *a, size_t n, char *out, char *why, size_t size)
{
    char show[80];
    a = trim(a, &n);
    if (n == 0) {
        snprintf(why, size, "the Q-inventory code is empty; it is 12 digits starting with 3");
        return -1;
    }
    if (text_sci_number(a, n)) {
        snprintf(why, size, "Q-inventory code \"%s\" %s", text_show(a, n, show, sizeof show),
                 text_sci_why);
        return -1;
    }
    if (digits(a, n) != n) {
        snprintf(why, size,
                 "Q-inventory code \"%s\" is not all digits; it is 12 digits starting with 3",
                 text_show(a, n, show, sizeof show));
        return -1;
    }
    if (n != STOCK_QCODE_LEN || a[0] != '3') {
        snprintf(why, size,
                 "Q-inventory code \"%s\" has %zu digit%s%s; it is 12 digits starting with 3",
                 text_show(a, n, show, sizeof show), n, n == 1 ? "" : "s",
                 n == STOCK_QCODE_LEN ? " and does not start with 3" : "");
        return -1;
    }
    memcpy(out, a, n);
    out[n] = '\0';
    return 0;
}

/* The option code in a[0..n), ASCII already. */
static int option(const char *a, size_t n, char *out, int *restored, char *why, size_t size)
{
    char show[80];
    *restored = 0;
    a = trim(a, &n);
    if (n == 0) {
        snprintf(why, size, "the option code is empty; it is 5 digits (00003)");
        return -1;
    }
    if (digits(a, n) != n || n > STOCK_OPTION_LEN) {
        snprintf(why, size, "option code \"%s\" is not %s; it is 5 digits (00003)",
                 text_show(a, n, show, sizeof show),
                 digits(a, n) != n ? "all digits" : "5 digits long");
        return -1;
    }
    /* SPEC 1.2: a fixed-width code Excel stripped of its zeros ("3") gets them back. */
    memset(out, '0', STOCK_OPTION_LEN - n);
    memcpy(out + STOCK_OPTION_LEN - n, a, n);
    out[STOCK_OPTION_LEN] = '\0';
    *restored = n < STOCK_OPTION_LEN;
    return 0;
}

int stock_qcode_parse(const char *s, size_t n, char out[STOCK_QCODE_LEN + 1], char *why,
                      size_t size)
{
    char a[256];
    long k = ascii(s, n, a, sizeof a);
    if (k < 0) {
        snprintf(why, size, "the Q-inventory code is too long; it is 12 digits starting with 3");
        return -1;
    }
    return qcode(a, (size_t)k, out, why, size);
}

int stock_option_parse(const char *s, size_t n, char out[STOCK_OPTION_LEN + 1], int *restored,
                       char *why, size_t size)
{
    char a[256];
    long k = ascii(s, n, a, sizeof a);
    *restored = 0;
    if (k < 0) {
        snprintf(why, size, "the option code is too long; it is 5 digits (00003)");
        return -1;
    }
    return option(a, (size_t)k, out, restored, why, size);
}

int stock_sku_parse(const char *s, struct stock_sku *out, int *restored, char *why, size_t size)
{
    char a[256], show[80];
    long k = ascii(s, strlen(s), a, sizeof a);
    const char *sep;
    size_t n;
    *restored = 0;
    memset(out, 0, sizeof *out);
    if (k < 0) {
        snprintf(why, size, "the q_sku is too long; it is written 300001289771-00003");
        return -1;
    }
    n = (size_t)k;
    const char *t = trim(a, &n);
    if (n == 0) {
        snprintf(why, size, "the q_sku is empty; it is written 300001289771-00003");
        return -1;
    }
    if (text_sci_number(t, n)) {
        snprintf(why, size, "q_sku \"%s\" %s", text_show(t, n, show, sizeof show), text_sci_why);
        return -1;
    }
    sep = memchr(t, '-', n);
    if (!sep)
        sep = memchr(t, ':', n);
    if (!sep)
        sep = memchr(t, '/', n);
    if (!sep) {
        snprintf(why, size,
                 "q_sku \"%s\" has no option code; write it 300001289771-00003 (a 12-digit "
                 "Q-inventory code, '-', ':' or '/', a 5-digit option code)",
                 text_show(t, n, show, sizeof show));
        return -1;
    }
    char w[200];
    if (qcode(t, (size_t)(sep - t), out->q_code, w, sizeof w) < 0 ||
        option(sep + 1, n - (size_t)(sep - t) - 1, out->option, restored, w, sizeof w) < 0) {
        snprintf(why, size, "q_sku \"%s\": %s", text_show(t, n, show, sizeof show), w);
        return -1;
    }
    return 0;
}

char *stock_sku_format(const struct stock_sku *k, char *buf, size_t size)
{
    snprintf(buf, size, "%s-%s", k->q_code, k->option);
    return buf;
}

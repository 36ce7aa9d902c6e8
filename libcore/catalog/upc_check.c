/* upc_check: pure check digits of R-IMP-8 -- the code types, GS1 mod-10 and ISBN-10
 * mod-11 check digits, and the cell checks upc_check / upc_check_as. No store. */
#include "catalog.h"

#include <string.h>

#include "../text.h"

static const char *const type_names[] = {"jan", "upc", "ean", "isbn", "other"};

int upc_type_parse(const char *s, enum upc_type *out)
{
    for (int i = 0; i < 5; i++) {
        if (strcasecmp(s, type_names[i]) == 0) {
            *out = (enum upc_type)i;
            return 0;
        }
    }
    return -1;
}

const char *upc_type_name(enum upc_type t)
{
    return (unsigned)t < 5 ? type_names[t] : "other";
}

char upc_qoo10_type(enum upc_type t)
{
    static const char letters[] = "JUEI";
    return (unsigned)t < 4 ? letters[t] : 0;
}

char upc_gs1_check(const char *s, size_t n)
{
    /* R-IMP-8: GS1 mod-10 -- weights 3, 1, 3, ... from the rightmost data digit. */
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[n - 1 - i];
        if (c < '0' || c > '9')
            return 0;
        sum += (c - '0') * (i % 2 == 0 ? 3 : 1);
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

char upc_isbn10_check(const char *s)
{
    /* R-IMP-8: ISBN-10 mod-11 -- weights 10 down to 2; a check value of 10 is 'X'. */
    int sum = 0;
    for (int i = 0; i < 9; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        sum += (s[i] - '0') * (10 - i);
    }
    int c = (11 - sum % 11) % 11;
    return c == 10 ? 'X' : (char)('0' + c);
}

/* Copies s without spaces and hyphens into out; 'x' becomes 'X'. -1 when too long. */
static int squeeze(const char *s, char out[UPC_MAX])
{
    size_t n = 0;
    for (; *s; s++) {
        if (*s == ' ' || *s == '-' || *s == '\t')
            continue;
        if (n + 1 >= UPC_MAX)
            return -1;
        out[n++] = *s == 'x' ? 'X' : *s;
    }
    out[n] = '\0';
    return (int)n;
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Static buffers would be mutable state: the reasons are fixed strings. */
static int gs1_ok(const char *c, size_t n, const char **why)
{
    if (upc_gs1_check(c, n - 1) != c[n - 1]) {
        *why = "has a wrong check digit (GS1 mod-10)";
        return -1;
    }
    return 0;
}

static int isbn10_ok(const char *c, const char **why)
{
    if (!all_digits(c, 9) || !((c[9] >= '0' && c[9] <= '9') || c[9] == 'X')) {
        *why = "is not an ISBN-10 (9 digits and a digit or X)";
        return -1;
    }
    if (upc_isbn10_check(c) != c[9]) {
        *why = "has a wrong check digit (ISBN-10 mod-11)";
        return -1;
    }
    return 0;
}

/* SPEC 1.2: Excel reads a UPC-A code as a number and drops its leading 0, leaving 11
 * digits. When the 12-digit form has a valid check digit, out becomes that form and 1 is
 * returned (why says what happened); else 0. A 7-digit code is not made an EAN-8: an
 * EAN-8 starting with 0 is a restricted-circulation code and an 8-digit code starting
 * with 0 may be a UPC-E, whose check digit is another computation, so nothing is
 * certain there. */
static int restore_upca(char out[UPC_MAX], int n, const char **why)
{
    if (n != 11 || !all_digits(out, 11) || upc_gs1_check(out, 10) != out[10])
        return 0; /* (the leading 0 weighs nothing in GS1 mod-10) */
    memmove(out + 1, out, 12);
    out[0] = '0';
    *why = "Excel dropped the leading 0 of a 12-digit UPC-A code (format the column as text)";
    return 1;
}

/* SPEC 1.2: a code in scientific notation lost its digits. */
static int sci(const char *s, const char **why)
{
    if (!text_sci_number(s, strlen(s)))
        return 0;
    *why = text_sci_why;
    return 1;
}

int upc_check(const char *s, char out[UPC_MAX], enum upc_type *type, const char **why)
{
    int n;
    if (sci(s, why))
        return -1;
    n = squeeze(s, out);
    if (restore_upca(out, n, why)) {
        *type = UPC_T_UPC;
        return 1;
    }
    if (n == 10)
        return isbn10_ok(out, why) < 0 ? -1 : (*type = UPC_T_ISBN, 0);
    if ((n != 8 && n != 12 && n != 13) || !all_digits(out, (size_t)n)) {
        *why = "is not 8, 12 or 13 digits (JAN, EAN, UPC) or an ISBN-10";
        return -1;
    }
    if (gs1_ok(out, (size_t)n, why) < 0)
        return -1;
    if (n == 12)
        *type = UPC_T_UPC;
    else if (n == 13 && (strncmp(out, "978", 3) == 0 || strncmp(out, "979", 3) == 0))
        *type = UPC_T_ISBN;
    else if (strncmp(out, "45", 2) == 0 || strncmp(out, "49", 2) == 0)
        *type = UPC_T_JAN;
    else
        *type = UPC_T_EAN;
    return 0;
}

int upc_check_as(const char *s, enum upc_type t, char out[UPC_MAX], const char **why)
{
    int n;
    if (sci(s, why))
        return -1;
    if (t == UPC_T_OTHER) {
        size_t len = strlen(s);
        if (len == 0 || len > 50) {
            *why = "is not 1-50 characters";
            return -1;
        }
        for (size_t i = 0; i < len; i++) {
            if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f) {
                *why = "holds a space or a control character";
                return -1;
            }
        }
        memcpy(out, s, len + 1);
        return 0;
    }
    n = squeeze(s, out);
    switch (t) {
    case UPC_T_ISBN:
        if (n == 10)
            return isbn10_ok(out, why);
        if (n != 13 || !all_digits(out, 13) ||
            (strncmp(out, "978", 3) != 0 && strncmp(out, "979", 3) != 0)) {
            *why = "is not an ISBN-10 or an ISBN-13 (13 digits starting 978 or 979)";
            return -1;
        }
        return gs1_ok(out, 13, why);
    case UPC_T_UPC:
        if (restore_upca(out, n, why))
            return 1;
        if (n != 12 || !all_digits(out, 12)) {
            *why = "is not a UPC-A code (12 digits)";
            return -1;
        }
        return gs1_ok(out, 12, why);
    case UPC_T_JAN:
    case UPC_T_EAN:
        if ((n != 13 && n != 8) || !all_digits(out, (size_t)n)) {
            *why = t == UPC_T_JAN ? "is not a JAN code (13 or 8 digits)"
                                  : "is not an EAN code (13 or 8 digits)";
            return -1;
        }
        if (t == UPC_T_JAN && strncmp(out, "45", 2) != 0 && strncmp(out, "49", 2) != 0) {
            *why = "is not a JAN code (JAN codes start with 45 or 49)";
            return -1;
        }
        return gs1_ok(out, (size_t)n, why);
    default:
        *why = "unknown code type";
        return -1;
    }
}

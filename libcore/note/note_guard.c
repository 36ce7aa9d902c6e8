/* note_guard: what every note's text must pass before it is queued -- categories
 * (R-NOTE-2), limits counted in Unicode characters (R-NOTE-3), the personal-data guard
 * (R-NOTE-4) -- and the idempotency key of a note (R-NOTE-7). Pure functions. */
#include "note.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../sha256.h"
#include "../text.h"
#include "../xalloc.h"

const char *const note_categories[] = {"shipping",     "cancel", "return", "item",
                                       "seller-board", "other",  NULL};

int note_category_valid(const char *c)
{
    for (const char *const *p = note_categories; c && *p; p++)
        if (strcmp(*p, c) == 0)
            return 1;
    return 0;
}

/* Decodes one UTF-8 character at s (n bytes left): its code point, or -1 when invalid;
 * *len gets its length. Overlong forms and surrogates are invalid. */
static long utf8_next(const unsigned char *s, size_t n, size_t *len)
{
    long c;
    size_t k;
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        k = 2, c = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        k = 3, c = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        k = 4, c = s[0] & 0x07;
    else
        return -1;
    if (n < k)
        return -1;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return -1;
        c = c << 6 | (s[i] & 0x3f);
    }
    if ((k == 3 && c < 0x800) || (k == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return -1;
    *len = k;
    return c;
}

long note_chars(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), len;
    long count = 0;
    while (n > 0) {
        if (utf8_next(p, n, &len) < 0)
            return -1;
        p += len;
        n -= len;
        count++;
    }
    return count;
}

int note_check_text(const char *what, const char *s, long max, int empty_ok, struct qs_err *e)
{
    long n = note_chars(s ? s : "");
    if (n < 0)
        return err_set(e, QS_E_DATA, "R-NOTE-3", "the %s is not valid UTF-8", what);
    if (n == 0 && !empty_ok)
        return err_set(e, QS_E_DATA, "R-NOTE-3", "the %s is empty", what);
    /* R-NOTE-3: characters, not bytes -- 1000 kanji are 3000 bytes and pass. */
    if (n > max)
        return err_set(e, QS_E_DATA, "R-NOTE-3",
                       "the %s has %ld characters; at most %ld are allowed", what, n, max);
    /* Issue 8 item 15: no control character goes out but tabs and line breaks. */
    return text_ctl_check(what, s, TEXT_LINES, "R-NOTE-3", e);
}

int note_check_title(const char *title, struct qs_err *e)
{
    int rc = note_check_text("title", title, NOTE_TITLE_MAX, 0, e);
    if (rc == 0 && strpbrk(title, "\r\n"))
        rc = err_set(e, QS_E_DATA, "R-NOTE-3", "the title must be one line");
    return rc < 0 ? rc : text_ctl_check("title", title, TEXT_LINE, "R-NOTE-3", e);
}

/* ---- the personal-data guard (R-NOTE-4) ------------------------------------------- */

/* The text as code points, with full-width ASCII folded to ASCII and dashes to '-', and
 * each one's byte offset, so patterns written in either width are found. */
struct cps {
    long *c;
    size_t *off;
    size_t n;
};

static void cps_make(struct cps *t, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, len;
    t->c = xcalloc(n + 1, sizeof *t->c);
    t->off = xcalloc(n + 1, sizeof *t->off);
    t->n = 0;
    while (i < n) {
        long c = utf8_next(p + i, n - i, &len);
        if (c < 0)
            c = 0xfffd, len = 1;
        if (c >= 0xff01 && c <= 0xff5e)
            c -= 0xfee0; /* full-width forms: ０９０ -> 090 */
        else if (c == 0x3000)
            c = ' ';
        else if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0x30fc || c == 0xff70)
            c = '-';
        t->c[t->n] = c;
        t->off[t->n++] = i;
        i += len;
    }
    t->off[t->n] = n;
}

static void cps_free(struct cps *t)
{
    free(t->c);
    free(t->off);
}

static int is_digit(long c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(long c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void excerpt(const char *s, const struct cps *t, size_t from, size_t to, char *what,
                    size_t size)
{
    size_t a = t->off[from], b = t->off[to];
    if (size)
        snprintf(what, size, "%.*s", (int)(b - a), s + a);
}

static int email_local(long c)
{
    return is_alnum(c) || (c && strchr("._%+-", (int)c) && c < 128);
}

static int email_domain(long c)
{
    return is_alnum(c) || c == '.' || c == '-';
}

/* local@domain.tld with a tld of two letters or more. */
static int find_email(const struct cps *t, size_t *from, size_t *to)
{
    for (size_t i = 1; i + 1 < t->n; i++) {
        size_t a = i, b = i + 1, dot = 0;
        if (t->c[i] != '@')
            continue;
        while (a > 0 && email_local(t->c[a - 1]))
            a--;
        if (a == i)
            continue;
        while (b < t->n && email_domain(t->c[b]))
            b++;
        while (b > i + 1 && (t->c[b - 1] == '.' || t->c[b - 1] == '-'))
            b--;
        for (size_t k = i + 1; k < b; k++)
            if (t->c[k] == '.')
                dot = k;
        if (!dot || dot == i + 1 || b - dot < 3)
            continue;
        int letters = 1;
        for (size_t k = dot + 1; k < b; k++)
            letters &= !is_digit(t->c[k]);
        if (letters) {
            *from = a, *to = b;
            return 1;
        }
    }
    return 0;
}

/* A Japanese phone number in its national form (digits only): 0 and a non-zero digit,
 * ten digits, or eleven for mobile, IP and 0800 numbers. */
static int jp_phone(const char *d, size_t n)
{
    if (n < 10 || d[0] != '0' || d[1] == '0')
        return 0;
    if (n == 10)
        return 1;
    return n == 11 &&
           (strncmp(d, "050", 3) == 0 || strncmp(d, "060", 3) == 0 || strncmp(d, "070", 3) == 0 ||
            strncmp(d, "080", 3) == 0 || strncmp(d, "090", 3) == 0);
}

static int phone_sep(long c)
{
    return c == '-' || c == ' ' || c == '(' || c == ')' || c == '.';
}

/* Digit groups joined by single separators, from a start that follows no digit or
 * letter; +81 is read as 0. A number is looked for at the end of every group, so one
 * followed by other digits ("03-1234-5678 2024") is still found. */
static int find_phone(const struct cps *t, size_t *from, size_t *to)
{
    char d[40], nat[40];
    for (size_t i = 0; i < t->n; i++) {
        size_t k = i, nd = 0, nn;
        int intl = 0;
        if (i > 0 && (is_alnum(t->c[i - 1]) || t->c[i - 1] == '+'))
            continue;
        if (t->c[k] == '+') {
            intl = 1;
            k++;
        }
        if (k < t->n && t->c[k] == '(')
            k++;
        if (k >= t->n || !is_digit(t->c[k]))
            continue;
        while (k < t->n && is_digit(t->c[k]) && nd < sizeof d - 2) {
            while (k < t->n && is_digit(t->c[k]) && nd < sizeof d - 2)
                d[nd++] = (char)t->c[k++];
            /* the end of a group: is what we have a number? */
            if (intl && nd >= 3 && (d[0] != '8' || d[1] != '1'))
                break;
            if (intl && nd >= 3) {
                /* +81 3-..., +81 (0)3-...: the national form 03... */
                size_t skip = d[2] == '0' ? 2 : 1;
                nat[0] = '0';
                memcpy(nat + 1, d + skip + 1, nd - skip - 1);
                nn = nd - skip;
            } else {
                memcpy(nat, d, nd);
                nn = intl ? 0 : nd;
            }
            if (jp_phone(nat, nn) && (k >= t->n || !is_alnum(t->c[k]))) {
                *from = i, *to = k;
                return 1;
            }
            if (k < t->n && t->c[k] == ')')
                k++;
            if (k + 1 < t->n && phone_sep(t->c[k]) && t->c[k + 1] == '(')
                k += 2;
            else if (k + 1 < t->n && phone_sep(t->c[k]) && is_digit(t->c[k + 1]))
                k++;
        }
    }
    return 0;
}

static int luhn(const char *d, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v = d[n - 1 - i] - '0';
        if (i % 2 == 1 && (v *= 2) > 9)
            v -= 9;
        sum += v;
    }
    return sum % 10 == 0;
}

/* 13-19 Luhn-valid digits, written plain or in the usual groups (4-4-4-4[-3], 4-6-5,
 * 4-6-4) -- so two order numbers side by side are not a card. */
static int find_card(const struct cps *t, size_t *from, size_t *to)
{
    for (size_t i = 0; i < t->n; i++) {
        char d[32];
        size_t g[8], ng = 0, nd = 0, k = i;
        if (!is_digit(t->c[i]) || (i > 0 && is_alnum(t->c[i - 1])))
            continue;
        for (;;) {
            size_t len = 0;
            while (k < t->n && is_digit(t->c[k]) && nd < sizeof d - 1) {
                d[nd++] = (char)t->c[k++];
                len++;
            }
            if (ng < 8)
                g[ng++] = len;
            if (k + 1 < t->n && (t->c[k] == ' ' || t->c[k] == '-') && is_digit(t->c[k + 1]) &&
                ng < 8)
                k++;
            else
                break;
        }
        if (k < t->n && is_alnum(t->c[k]))
            continue;
        int grouped = ng == 1;
        if (!grouped && g[0] == 4) {
            grouped = 1;
            for (size_t j = 1; j + 1 < ng; j++)
                grouped &= g[j] == 4;
            grouped &= g[ng - 1] >= 1 && g[ng - 1] <= 4;
            if (ng == 3 && g[1] == 6 && (g[2] == 4 || g[2] == 5))
                grouped = 1;
        }
        if (grouped && nd >= 13 && nd <= 19 && luhn(d, nd)) {
            *from = i, *to = k;
            return 1;
        }
    }
    return 0;
}

static const char *const prefectures[] = {
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県",   "福島県", "茨城県",
    "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県",
    "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県",   "愛知県", "三重県",
    "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県",
    "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県",   "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県", NULL,
};

#define ADDRESS_NEAR 30 /* characters between a postcode and its prefecture */

/* A postcode (〒1000001, 100-0001) with a prefecture name within ADDRESS_NEAR characters
 * before or after it. */
static int find_address(const char *s, const struct cps *t, size_t *from, size_t *to)
{
    for (size_t i = 0; i < t->n; i++) {
        size_t k = i, end;
        int mark = t->c[i] == 0x3012; /* 〒 */
        if (mark)
            k++;
        else if (i > 0 && is_digit(t->c[i - 1]))
            continue;
        if (k + 7 > t->n)
            continue;
        int ok = 1;
        for (size_t j = 0; j < 3; j++)
            ok &= is_digit(t->c[k + j]);
        if (!ok)
            continue;
        if (t->c[k + 3] == '-' && k + 8 <= t->n) {
            for (size_t j = 4; j < 8; j++)
                ok &= is_digit(t->c[k + j]);
            end = k + 8;
        } else if (mark) {
            for (size_t j = 3; j < 7; j++)
                ok &= is_digit(t->c[k + j]);
            end = k + 7;
        } else {
            continue;
        }
        if (!ok || (end < t->n && is_digit(t->c[end])))
            continue;
        size_t a = i > ADDRESS_NEAR ? i - ADDRESS_NEAR : 0;
        size_t b = end + ADDRESS_NEAR < t->n ? end + ADDRESS_NEAR : t->n;
        size_t ba = t->off[a], bb = t->off[b];
        for (const char *const *p = prefectures; *p; p++) {
            const char *hit = memmem(s + ba, bb - ba, *p, strlen(*p));
            if (hit) {
                size_t h = (size_t)(hit - s), he = h + strlen(*p), x = i, y = end;
                while (x > 0 && t->off[x] > h)
                    x--;
                while (y < t->n && t->off[y] < he)
                    y++;
                *from = x, *to = y;
                return 1;
            }
        }
    }
    return 0;
}

enum note_pd note_pd_find(const char *s, char *what, size_t size)
{
    struct cps t;
    size_t a = 0, b = 0;
    enum note_pd k = NOTE_PD_NONE;

    if (size)
        what[0] = '\0';
    cps_make(&t, s ? s : "");
    if (find_email(&t, &a, &b))
        k = NOTE_PD_EMAIL;
    else if (find_address(s, &t, &a, &b))
        k = NOTE_PD_ADDRESS;
    else if (find_card(&t, &a, &b))
        k = NOTE_PD_CARD;
    else if (find_phone(&t, &a, &b))
        k = NOTE_PD_PHONE;
    if (k != NOTE_PD_NONE)
        excerpt(s, &t, a, b, what, size);
    cps_free(&t);
    return k;
}

const char *note_pd_name(enum note_pd k)
{
    switch (k) {
    case NOTE_PD_EMAIL:
        return "an email address";
    case NOTE_PD_PHONE:
        return "a phone number";
    case NOTE_PD_CARD:
        return "a card number";
    case NOTE_PD_ADDRESS:
        return "an address (postcode and prefecture)";
    default:
        return "nothing";
    }
}

int note_guard(const char *what, const char *s, struct qs_err *e)
{
    char found[128];
    enum note_pd k = note_pd_find(s, found, sizeof found);
    if (k == NOTE_PD_NONE)
        return 0;
    return err_set(e, QS_E_DATA, "R-NOTE-4",
                   "the %s holds %s (\"%s\"): never put personal data in a note; "
                   "--allow-personal overrides",
                   what, note_pd_name(k), found);
}

char *note_key(const char *shop, const char *order_no, const char *title, const char *body)
{
    struct sha256 c;
    unsigned char d[32];
    char hex[65];

    /* R-NOTE-7: shop + order + SHA-256 of the unrendered title and body; the NUL keeps
     * ("ab", "c") and ("a", "bc") apart. */
    sha256_init(&c);
    sha256_update(&c, title, strlen(title));
    sha256_update(&c, "", 1);
    sha256_update(&c, body, strlen(body));
    sha256_final(&c, d);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return xasprintf("%s:%s:%s", shop, order_no, hex);
}

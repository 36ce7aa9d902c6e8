/* stock_print: Code 128 subset B, and the SKU label list of `qs stock labels` read and
 * checked (R-STK-9). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stock_print.h"
#include "../xalloc.h"

/* ---- Code 128 (ISO/IEC 15417): widths of bar, space, bar, space, bar, space ---- */

static const char *const widths[107] = {
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312",  "132212",
    "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122",  "123221",
    "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122",  "321221",
    "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123",  "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331",  "132131",
    "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311",  "213131",
    "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411",  "431111",
    "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412",  "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",  "111242",
    "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211",  "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113",  "411311",
    "113141", "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
};

const char *code128_widths(int v)
{
    return v >= 0 && v < 107 ? widths[v] : NULL;
}

int code128_b(const char *text, int *out, size_t cap)
{
    size_t n = strlen(text), i;
    long sum = CODE128_START_B;
    if (cap > 0)
        out[0] = CODE128_START_B;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c > 0x7e)
            return -1;
        /* subset B: value = ASCII - 32; the check weights start at 1 */
        sum += (long)(c - 0x20) * (long)(i + 1);
        if (i + 1 < cap)
            out[i + 1] = c - 0x20;
    }
    if (n + 1 < cap)
        out[n + 1] = (int)(sum % 103);
    if (n + 2 < cap)
        out[n + 2] = CODE128_STOP;
    return (int)(n + 3);
}

int code128_modules(const int *values, size_t n, char *buf, size_t size)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const char *w = code128_widths(values[i]);
        if (!w)
            return -1;
        for (size_t k = 0; w[k]; k++)
            for (int m = 0; m < w[k] - '0'; m++) {
                if (at + 1 >= size)
                    return -1;
                buf[at++] = k % 2 == 0 ? '1' : '0';
            }
    }
    if (size == 0)
        return -1;
    buf[at] = '\0';
    return (int)at;
}

/* ---- the list ---- */

void stock_tags_clear(struct stock_tags *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].seller_sku);
        free(t->v[i].name);
    }
    free(t->v);
    memset(t, 0, sizeof *t);
}

static void say(const struct stock_tag_cb *cb, const struct stock_tags *t, long line,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void say(const struct stock_tag_cb *cb, const struct stock_tags *t, long line,
                const char *fmt, ...)
{
    struct qs_err e;
    va_list ap;
    err_clear(&e);
    va_start(ap, fmt);
    err_setv(&e, QS_E_DATA, "R-STK-9", fmt, ap);
    va_end(ap);
    if (t->input[0] && line > 0)
        err_at_sheet(&e, t->input, t->sheet[0] ? t->sheet : NULL, line, 0);
    if (cb->report)
        cb->report(cb->ctx, &e);
}

/* A count: ASCII or full-width digits, spaces around; 0 when it is not 1..STOCK_TAG_MAX. */
static long count_parse(const char *s)
{
    long v = 0;
    int digits = 0;
    while (*s == ' ')
        s++;
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbc &&
                 (unsigned char)s[2] >= 0x90 && (unsigned char)s[2] <= 0x99)
            d = (unsigned char)s[2] - 0x90, s += 2;
        else
            break;
        if (v > STOCK_TAG_MAX)
            return 0;
        v = v * 10 + d, digits++;
    }
    while (*s == ' ')
        s++;
    return *s || !digits || v < 1 || v > STOCK_TAG_MAX ? 0 : v;
}

static int tag_row(const struct stock_tag_cb *cb, struct stock_tags *t, const struct rec *r,
                   long line)
{
    const char *sku = rec_get(r, "q_sku"), *cnt = rec_get(r, "count");
    struct stock_tag *g;
    struct stock_sku k;
    char why[256];
    int restored = 0, problems = 0;
    t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
    g = &t->v[t->n++];
    memset(g, 0, sizeof *g);
    g->line = line;
    if (!sku || !*sku) {
        say(cb, t, line, "no q_sku: each record is q_sku,count");
        problems++;
    } else if (stock_sku_parse(sku, &k, &restored, why, sizeof why) < 0) {
        say(cb, t, line, "%s", why);
        problems++;
    } else {
        stock_sku_format(&k, g->q_sku, sizeof g->q_sku);
        for (size_t i = 0; i + 1 < t->n; i++)
            if (strcmp(t->v[i].q_sku, g->q_sku) == 0) {
                say(cb, t, line, "SKU %s repeats line %ld: give one count per SKU", g->q_sku,
                    t->v[i].line);
                problems++;
                break;
            }
    }
    if (!cnt || !*cnt) {
        say(cb, t, line, "no count: each record is q_sku,count (how many labels, 1 to %d)",
            STOCK_TAG_MAX);
        problems++;
    } else if (!(g->count = count_parse(cnt))) {
        say(cb, t, line, "count \"%.40s\" is not a whole number from 1 to %d", cnt, STOCK_TAG_MAX);
        problems++;
    }
    return problems;
}

int stock_tags_read(FILE *fp, const char *name, const struct rec_reader_opts *ro,
                    const struct stock_tag_cb *cb, struct stock_tags *t, struct qs_err *e)
{
    struct rec_reader *rd = NULL;
    struct rec *rec = rec_new();
    int rc, problems = 0;
    memset(t, 0, sizeof *t);
    snprintf(t->input, sizeof t->input, "%s", name);
    if ((rc = rec_reader_open(fp, name, ro, &rd, e)) < 0)
        goto out;
    while ((rc = rec_read(rd, rec, e)) == 1) {
        if (rec_reader_sheet(rd))
            snprintf(t->sheet, sizeof t->sheet, "%s", rec_reader_sheet(rd));
        problems += tag_row(cb, t, rec, rec_reader_line(rd));
    }
    if (rc >= 0 && t->n == 0) {
        say(cb, t, 0, "%s holds no records: give q_sku,count", name);
        problems++;
    }
    rc = rc < 0 ? rc : problems;
out:
    rec_free(rec);
    rec_reader_close(rd);
    return rc;
}

static int known_row(sqlite3_stmt *st, void *p)
{
    struct stock_tag *g = p;
    g->seller_sku = xstrdup(store_col_text(st, 0));
    g->name = xstrdup(store_col_text(st, 1));
    return 1;
}

int stock_tags_check(struct store *s, const char *shop, struct stock_tags *t,
                     const struct stock_tag_cb *cb, struct qs_err *e)
{
    int problems = 0, rc;
    for (size_t i = 0; i < t->n; i++) {
        struct stock_tag *g = &t->v[i];
        if (!g->q_sku[0])
            continue;
        /* R-STK-9: each SKU known -- in the shop's latest Q-inventory download */
        rc = store_each(s,
                        "SELECT seller_sku, name FROM stock_option WHERE shop = ?1 AND q_sku = ?2"
                        " AND last_snapshot = (SELECT max(id) FROM stock_snapshot WHERE shop = ?1)",
                        known_row, g, e, "ss", shop, g->q_sku);
        if (rc < 0)
            return rc;
        if (!g->name) {
            say(cb, t, g->line,
                "SKU %s is not in the latest Q-inventory download: check the code, or run qs "
                "stock import first",
                g->q_sku);
            problems++;
        }
    }
    return problems;
}

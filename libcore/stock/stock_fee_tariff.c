/* stock_fee_tariff: the tariff of the warehouse's other charges (R-STK-8) as the seller
 * enters it -- inbound and labelling fees (taken from the Q-site balance at inbound), the
 * shipping, handling and packing fees of Qoo10 orders (taken from the settlement), the
 * per-parcel fee of other-platform shipments. qs cannot read them anywhere, so the seller
 * types them once; the input is the whole tariff and replaces the stored one. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../text.h"
#include "../tm.h"
#include "stock_fee.h"

#define RULE "R-STK-8"

const char *const stock_tariff_per[] = {"piece", "box", "parcel", "order", NULL};
const char *const stock_tariff_from[] = {"q-site-balance", "settlement", "q-wallet", NULL};

struct tread {
    struct store *s;
    const char *shop, *name, *sheet;
    void (*report)(void *ctx, const struct qs_err *e);
    void *ctx;
    struct qs_err *e;
    long line, errors;
};

static void bad(struct tread *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(struct tread *t, const char *fmt, ...)
{
    struct qs_err e;
    va_list ap;
    err_clear(&e);
    va_start(ap, fmt);
    err_setv(&e, QS_E_DATA, RULE, fmt, ap);
    va_end(ap);
    err_at_sheet(&e, t->name, t->sheet, t->line, 0);
    t->errors++;
    if (t->report)
        t->report(t->ctx, &e);
}

/* v lower-cased, spaces and '_' read as '-', into buf; the index of it in words, or -1. */
static int word_of(const char *v, const char *const *words, char *buf, size_t size)
{
    size_t n = 0;
    for (; *v && n + 1 < size; v++)
        buf[n++] = *v == ' ' || *v == '_' ? '-' : (char)tolower((unsigned char)*v);
    buf[n] = '\0';
    for (int i = 0; words[i]; i++)
        if (strcmp(buf, words[i]) == 0)
            return i;
    return -1;
}

static const char *list(const char *const *words, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; words[i]; i++)
        n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", i ? ", " : "", words[i]);
    return buf;
}

/* One record: checked, and when good kept in temp.stk_tariff_in. */
static int charge(struct tread *t, const struct rec *r)
{
    const char *name = rec_get(r, "name"), *amount = rec_get(r, "amount");
    const char *per = rec_get(r, "per"), *from = rec_get(r, "taken_from");
    const char *note = rec_get(r, "note");
    char pw[32], fw[32], l[128];
    long long a = 0;
    long before = t->errors;
    int rc;
    char why[160];
    if (!name || !*name)
        bad(t, "the charge has no name; give one (inbound fee, labelling fee, ...)");
    else if (text_ctl_describe(name, strlen(name), TEXT_LINE, why, sizeof why))
        bad(t, "the name %s", why); /* issue 8 item 15 */
    if (note && text_ctl_describe(note, strlen(note), TEXT_LINES, why, sizeof why))
        bad(t, "the note %s", why);
    if (!amount || !*amount || strspn(amount, "0123456789") != strlen(amount) || strlen(amount) > 9)
        bad(t, "amount \"%.40s\" is not whole yen (0 to 999999999, digits only)",
            amount ? amount : "");
    else
        a = strtoll(amount, NULL, 10);
    if (word_of(per ? per : "", stock_tariff_per, pw, sizeof pw) < 0)
        bad(t, "per \"%.40s\" is not one of %s", per ? per : "",
            list(stock_tariff_per, l, sizeof l));
    if (word_of(from ? from : "", stock_tariff_from, fw, sizeof fw) < 0)
        bad(t, "taken_from \"%.40s\" is not one of %s", from ? from : "",
            list(stock_tariff_from, l, sizeof l));
    if (t->errors > before)
        return 0;
    rc = store_run(t->s, t->e,
                   "INSERT INTO temp.stk_tariff_in (name, amount, per, taken_from, note, line)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO NOTHING",
                   "slsssl", name, a, pw, fw, note ? note : "", (long long)t->line);
    if (rc < 0)
        return rc;
    if (store_changes(t->s) == 0)
        bad(t, "charge \"%.100s\" is given twice; give each charge once", name);
    return 0;
}

int stock_tariff_set(struct store *s, const char *shop, FILE *fp, const char *name,
                     const struct rec_reader_opts *ro, time_t now,
                     void (*report)(void *ctx, const struct qs_err *e), void *ctx, struct qs_err *e)
{
    struct tread t = {s, shop, name, NULL, report, ctx, e, 0, 0};
    struct rec_reader *rd = NULL;
    struct rec *r = rec_new();
    char at[32];
    long n = 0;
    int own = 0, rc;

    tm_utc_iso(now, at, sizeof at);
    if ((rc = store_exec(s,
                         "CREATE TEMP TABLE IF NOT EXISTS stk_tariff_in (name TEXT PRIMARY KEY,"
                         " amount INTEGER NOT NULL, per TEXT NOT NULL, taken_from TEXT NOT NULL,"
                         " note TEXT NOT NULL, line INTEGER NOT NULL)",
                         e)) < 0)
        goto out;
    own = sqlite3_get_autocommit(store_db(s));
    if ((own && (rc = store_begin(s, e)) < 0) ||
        (rc = store_exec(s, "DELETE FROM temp.stk_tariff_in", e)) < 0 ||
        (rc = rec_reader_open(fp, name, ro, &rd, e)) < 0)
        goto out;
    while ((rc = rec_read(rd, r, e)) == 1) {
        t.sheet = rec_reader_sheet(rd);
        t.line = rec_reader_line(rd);
        if (n == 0 && (!rec_get(r, "name") || !rec_get(r, "amount") || !rec_get(r, "per") ||
                       !rec_get(r, "taken_from"))) {
            t.line = 1;
            bad(&t, "a tariff has the columns name, amount, per and taken_from (note may follow)");
            break;
        }
        n++;
        if ((rc = charge(&t, r)) < 0)
            goto out;
    }
    if (rc < 0) {
        if (rc != QS_E_DATA)
            goto out;
        t.errors++; /* a syntax error: reported with the others */
        if (report)
            report(ctx, e);
        err_clear(e);
    }
    if (!t.errors && n == 0) {
        t.line = 0;
        bad(&t, "holds no charge; to change the tariff give all of it (qs stock tariff prints it)");
    }
    if (t.errors) {
        err_clear(e);
        err_at(e, name, 0, 0);
        rc = err_set(e, QS_E_DATA, RULE, "%ld error%s; the tariff is unchanged", t.errors,
                     t.errors == 1 ? "" : "s");
        goto out;
    }
    if ((rc = store_run(s, e, "DELETE FROM stock_tariff WHERE shop = ?1", "s", shop)) < 0 ||
        (rc = store_run(s, e,
                        "INSERT INTO stock_tariff (shop, name, amount, per, taken_from, note,"
                        " line, updated_at) SELECT ?1, name, amount, per, taken_from, note, line,"
                        " ?2 FROM temp.stk_tariff_in",
                        "ss", shop, at)) < 0)
        goto out;
    if (own && (rc = store_commit(s, e)) < 0)
        goto out;
    own = 0;
    rc = (int)n;
out:
    if (own)
        store_rollback(s);
    rec_free(r);
    rec_reader_close(rd);
    return rc;
}

struct teach {
    int (*fn)(void *ctx, const struct stock_charge *c, struct qs_err *e);
    void *ctx;
    struct qs_err *e;
};

static int tariff_row(sqlite3_stmt *st, void *p)
{
    struct teach *te = p;
    struct stock_charge c = {
        .name = store_col_text(st, 0),
        .amount = sqlite3_column_int64(st, 1),
        .per = store_col_text(st, 2),
        .taken_from = store_col_text(st, 3),
        .note = store_col_text(st, 4),
    };
    return te->fn(te->ctx, &c, te->e);
}

int stock_tariff_each(struct store *s, const char *shop,
                      int (*fn)(void *ctx, const struct stock_charge *c, struct qs_err *e),
                      void *ctx, struct qs_err *e)
{
    struct teach te = {fn, ctx, e};
    return store_each(s,
                      "SELECT name, amount, per, taken_from, note FROM stock_tariff"
                      " WHERE shop = ?1 ORDER BY line, name",
                      tariff_row, &te, e, "s", shop);
}

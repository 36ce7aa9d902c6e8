/* inbound_ship_check: every column of every other-platform shipment row checked (R-INB-6),
 * reference order numbers kept unique per shop, timed delivery and the expected ship date
 * (R-INB-7). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../sha256.h"
#include "../stock/stock.h"
#include "../text.h"
#include "../xalloc.h"
#include "inbound_ship.h"

#define RULE  "R-INB-6"
#define RULE7 "R-INB-7"

struct ck {
    struct store *s;
    const struct inbound_ship_check_opts *o;
    const struct inbound_ship_set *set;
    const struct inbound_ship_cb *cb;
    struct inbound_ship_row *row;
    int bad; /* problems of the row */
};

/* A problem of the row: reported, and added to its reason. */
static void bad(struct ck *k, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void bad(struct ck *k, const char *rule, const char *fmt, ...)
{
    struct qs_err e;
    va_list ap;
    size_t n = strlen(k->row->reason);
    err_clear(&e);
    va_start(ap, fmt);
    err_setv(&e, QS_E_DATA, rule, fmt, ap);
    va_end(ap);
    err_at_sheet(&e, k->set->input, k->set->sheet, k->row->line, 0);
    err_record(&e, k->row->v[ISC_REF_ORDER_NO]);
    k->bad++;
    k->row->reason = xrealloc(k->row->reason, n + strlen(e.msg) + strlen(rule) + 8);
    sprintf(k->row->reason + n, "%s%s (%s)", n ? "; " : "", e.msg, rule);
    if (k->cb && k->cb->report)
        k->cb->report(k->cb->ctx, &e);
}

static void warn(struct ck *k, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void warn(struct ck *k, const char *rule, const char *fmt, ...)
{
    struct qs_err e;
    va_list ap;
    err_clear(&e);
    va_start(ap, fmt);
    err_setv(&e, 0, rule, fmt, ap);
    va_end(ap);
    err_at_sheet(&e, k->set->input, k->set->sheet, k->row->line, 0);
    err_record(&e, k->row->v[ISC_REF_ORDER_NO]);
    if (k->cb && k->cb->warn)
        k->cb->warn(k->cb->ctx, &e);
}

static void set_v(struct inbound_ship_row *r, enum inbound_ship_col c, const char *v)
{
    char *s = xstrdup(v);
    free(r->v[c]);
    r->v[c] = s;
}

/* Full-width digits and hyphens as ASCII, with a warning (as the inbound form's reader). */
static void ascii_digits(struct ck *k, enum inbound_ship_col c)
{
    const unsigned char *u = (const unsigned char *)k->row->v[c];
    char *out = xmalloc(strlen(k->row->v[c]) + 1), *p = out;
    int changed = 0;
    while (*u) {
        if (u[0] == 0xef && u[1] == 0xbc && u[2] >= 0x90 && u[2] <= 0x99)
            *p++ = (char)('0' + u[2] - 0x90), u += 3, changed = 1;
        else if (u[0] == 0xef && u[1] == 0xbc && u[2] == 0x8d)
            *p++ = '-', u += 3, changed = 1;
        else if (u[0] == 0xe3 && u[1] == 0x83 && u[2] == 0xbc)
            *p++ = '-', u += 3, changed = 1; /* ー */
        else
            *p++ = (char)*u++;
    }
    *p = '\0';
    if (changed) {
        warn(k, RULE, "%s \"%s\": full-width characters read as \"%s\"", inbound_ship_cols[c],
             k->row->v[c], out);
        free(k->row->v[c]);
        k->row->v[c] = out;
    } else
        free(out);
}

static int digits(const char *s, size_t lo, size_t hi)
{
    size_t n = strlen(s);
    return n >= lo && n <= hi && strspn(s, "0123456789") == n;
}

static void check_zip(struct ck *k)
{
    const char *z = k->row->v[ISC_ZIP];
    if (!*z)
        return;
    if (!(digits(z, 7, 7) ||
          (strlen(z) == 8 && z[3] == '-' && strspn(z, "0123456789") == 3 && digits(z + 4, 4, 4))))
        bad(k, RULE,
            "zip \"%.40s\" is not a Japanese postal code: 7 digits, hyphen optional "
            "(100-0001)",
            z);
}

static void check_tel(struct ck *k, enum inbound_ship_col c)
{
    const char *t = k->row->v[c];
    size_t nd = 0;
    if (!*t)
        return;
    for (const char *p = t; *p; p++)
        if (*p >= '0' && *p <= '9')
            nd++;
        else if (!strchr("-+() ", *p))
            nd = 100;
    if (nd < 10 || nd > 13)
        bad(k, RULE, "%s \"%.40s\" is not a phone number: 10 to 13 digits, hyphens allowed",
            inbound_ship_cols[c], t);
}

static void check_one_value(struct ck *k, enum inbound_ship_col c, const char *only)
{
    const char *v = k->row->v[c];
    if (!*v)
        set_v(k->row, c, only); /* the one value allowed */
    else if (strcasecmp(v, only) == 0)
        set_v(k->row, c, only);
    else
        bad(k, RULE, "%s \"%.60s\" is not %s, the only value the warehouse takes",
            inbound_ship_cols[c], v, only);
}

static int found(sqlite3_stmt *st, void *p)
{
    (void)st;
    *(int *)p = 1;
    return 1;
}

static void check_qsku(struct ck *k)
{
    struct stock_sku sku;
    char why[256], buf[STOCK_SKU_LEN + 1];
    int restored = 0, known = 0, rc;
    const char *v = k->row->v[ISC_Q_SKU];
    if (!*v)
        return;
    if (strchr(v, ',') || strchr(v, ';') || strchr(v, '\n')) {
        bad(k, RULE, "q_sku \"%.60s\" holds more than one code; one Q-inventory SKU a row", v);
        return;
    }
    if (stock_sku_parse(v, &sku, &restored, why, sizeof why) < 0) {
        bad(k, "R-STK-1", "q_sku \"%.60s\": %s", v, why);
        return;
    }
    stock_sku_format(&sku, buf, sizeof buf);
    if (restored)
        warn(k, "R-STK-1", "q_sku \"%s\": option code restored to %s (Excel drops zeros)", v, buf);
    set_v(k->row, ISC_Q_SKU, buf);
    rc = store_each(k->s, "SELECT 1 FROM stock_option WHERE shop = ?1 AND q_sku = ?2", found,
                    &known, NULL, "ss", k->o->shop, buf);
    if (rc >= 0 && !known)
        bad(k, RULE,
            "q_sku %s is not in the shop's Q-inventory; qs stock import QSM's download "
            "first",
            buf);
}

/* Sagawa or Nekopos by any of their names; -1 for neither, 0 empty. */
enum { CARRIER_NONE, CARRIER_SAGAWA, CARRIER_NEKOPOS };
static int carrier_of(const char *v)
{
    static const char *const sagawa[] = {"sagawa", "佐川", "佐川急便", "sagawa express"};
    static const char *const nekopos[] = {"nekopos", "ネコポス", "nekopost"};
    if (!*v)
        return CARRIER_NONE;
    for (size_t i = 0; i < sizeof sagawa / sizeof *sagawa; i++)
        if (strcasecmp(v, sagawa[i]) == 0)
            return CARRIER_SAGAWA;
    for (size_t i = 0; i < sizeof nekopos / sizeof *nekopos; i++)
        if (strcasecmp(v, nekopos[i]) == 0)
            return CARRIER_NEKOPOS;
    return -1;
}

/* "HH-HH", 00 <= from < to <= 24. */
static int slot_ok(const char *t)
{
    return strlen(t) == 5 && t[2] == '-' && digits((char[]){t[0], t[1], 0}, 2, 2) &&
           digits((char[]){t[3], t[4], 0}, 2, 2) && atoi(t) < atoi(t + 3) && atoi(t + 3) <= 24;
}

/* R-INB-6: timed delivery -- other-platform orders only, Sagawa only, the date within two
 * days of the ship date; written into memo as "配送指定: YYYY-MM-DD HH-HH". */
static void check_timed(struct ck *k)
{
    struct inbound_ship_row *r = k->row;
    const char *d = r->v[ISC_DELIVERY_DATE], *t = r->v[ISC_DELIVERY_TIME];
    int carrier = carrier_of(r->v[ISC_CARRIER]), before = k->bad, qoo10 = 0;
    long day = 0;
    char from[16], to[16], *memo;
    if (carrier < 0)
        bad(k, RULE, "carrier \"%.40s\" is not sagawa (佐川急便) or nekopos (ネコポス)",
            r->v[ISC_CARRIER]);
    if (!*d && !*t)
        return;
    if (!*d || !*t) {
        bad(k, RULE,
            "timed delivery needs both delivery_date (YYYY-MM-DD) and delivery_time "
            "(HH-HH)");
        return;
    }
    if (inbound_day_parse(d, &day) < 0)
        bad(k, RULE, "delivery_date \"%.40s\" is not a date YYYY-MM-DD", d);
    if (!slot_ok(t))
        bad(k, RULE, "delivery_time \"%.40s\" is not a time slot HH-HH (e.g. 14-16)", t);
    if (carrier == CARRIER_NEKOPOS)
        bad(k, RULE,
            "timed delivery is never by Nekopos (ネコポス); only by Sagawa (佐川急便): "
            "set carrier to sagawa or leave the time out");
    else if (carrier == CARRIER_NONE)
        bad(k, RULE, "timed delivery is only by Sagawa (佐川急便): set carrier to sagawa");
    store_each(k->s, "SELECT 1 FROM order_line WHERE shop = ?1 AND order_no = ?2", found, &qoo10,
               NULL, "ss", k->o->shop, r->v[ISC_REF_ORDER_NO]);
    if (qoo10)
        bad(k, RULE, "%s is a Qoo10 order: timed delivery is for orders of other platforms only",
            r->v[ISC_REF_ORDER_NO]);
    if (k->bad > before || r->ship_day == INBOUND_NO_DAY)
        return;
    inbound_day_format(r->ship_day, from, sizeof from);
    inbound_day_format(r->ship_day + 2, to, sizeof to);
    if (day < r->ship_day || day > r->ship_day + 2) {
        bad(k, RULE,
            "delivery_date %s is not between the ship date %s and two days after it "
            "(%s)",
            d, from, to);
        return;
    }
    memo = xmalloc(strlen(r->v[ISC_MEMO]) + 64);
    sprintf(memo, "%s%s配送指定: %s %s", r->v[ISC_MEMO], *r->v[ISC_MEMO] ? " " : "", d, t);
    free(r->v[ISC_MEMO]);
    r->v[ISC_MEMO] = memo;
    warn(k, RULE, "timed delivery %s %s is written into memo; the carrier may not honour it", d, t);
}

/* The row's digest: its values as given (after normalising), not its ship date. */
void inbound_ship_digest(const struct inbound_ship_row *r, char hex[65])
{
    size_t n = 0;
    char *buf;
    for (int c = 0; c < ISC_N; c++)
        n += strlen(r->v[c]) + 1;
    buf = xmalloc(n + 1);
    n = 0;
    for (int c = 0; c < ISC_N; c++) {
        size_t l = strlen(r->v[c]);
        memcpy(buf + n, r->v[c], l);
        buf[n + l] = '\x1f';
        n += l + 1;
    }
    sha256_hex(buf, n, hex);
    free(buf);
}

struct prior {
    int seq;
    char digest[65], state[16], at[32];
};

static int prior_row(sqlite3_stmt *st, void *p)
{
    struct prior *pr = p;
    pr->seq = sqlite3_column_int(st, 0);
    snprintf(pr->digest, sizeof pr->digest, "%s", store_col_text(st, 1));
    snprintf(pr->state, sizeof pr->state, "%s", store_col_text(st, 2));
    snprintf(pr->at, sizeof pr->at, "%s", store_col_text(st, 3));
    return 1;
}

/* R-INB-6: a reference order number once per shop -- in the file and across runs. */
static int check_ref(struct ck *k, size_t i, struct qs_err *e)
{
    struct inbound_ship_row *r = k->row;
    struct prior pr = {0};
    char hex[65];
    int rc, inside = 0;
    if (!*r->v[ISC_REF_ORDER_NO])
        return 0;
    for (size_t j = i; j-- > 0;)
        if (strcmp(k->set->rows[j].v[ISC_REF_ORDER_NO], r->v[ISC_REF_ORDER_NO]) == 0) {
            inside = k->set->rows[j].seq;
            if (!k->o->resend) {
                bad(k, RULE,
                    "reference order number %s repeats line %ld; it would ship twice "
                    "(--resend ships it again)",
                    r->v[ISC_REF_ORDER_NO], k->set->rows[j].line);
                return 0;
            }
            break;
        }
    rc =
        store_each(k->s,
                   "SELECT r.seq, r.digest, coalesce(o.state, ''), r.registered_at FROM"
                   " inbound_ship_ref r LEFT JOIN outbox o ON o.shop = r.shop AND o.kind = ?3"
                   " AND o.key = r.key WHERE r.shop = ?1 AND r.ref_order_no = ?2"
                   " ORDER BY r.seq DESC LIMIT 1",
                   prior_row, &pr, e, "sss", k->o->shop, r->v[ISC_REF_ORDER_NO], INBOUND_SHIP_KIND);
    if (rc < 0)
        return rc;
    inbound_ship_digest(r, hex);
    r->seq = (inside > pr.seq ? inside : pr.seq) + 1;
    if (pr.seq && !inside && strcmp(pr.digest, hex) == 0 && strcmp(pr.state, "done") != 0 &&
        strcmp(pr.state, "handed-off") != 0 && strcmp(pr.state, "withdrawn") != 0) {
        r->seq = pr.seq; /* the same row, not finished yet: the run takes it */
        r->queued = 1;
    } else if (pr.seq && !k->o->resend)
        bad(k, RULE,
            "reference order number %s was registered on %s; it would ship twice "
            "(--resend ships it again)",
            r->v[ISC_REF_ORDER_NO], pr.at);
    if (r->seq == 1)
        snprintf(r->key, sizeof r->key, "%.150s", r->v[ISC_REF_ORDER_NO]);
    else
        snprintf(r->key, sizeof r->key, "%.140s#%d", r->v[ISC_REF_ORDER_NO], r->seq);
    return 0;
}

int inbound_ship_check(struct store *s, const struct inbound_ship_check_opts *o,
                       struct inbound_ship_set *set, const struct inbound_ship_cb *cb,
                       struct qs_err *e)
{
    struct ck k = {s, o, set, cb, NULL, 0};
    long ship_day = inbound_ship_day_other(o->cal, o->now); /* R-INB-7 */
    const char *why = NULL;
    int late = inbound_may_be_late(o->cal, ship_day, &why), nbad = 0, rc;

    for (size_t i = 0; i < set->n; i++) {
        struct inbound_ship_row *r = k.row = &set->rows[i];
        k.bad = 0;
        r->ship_day = ship_day;
        r->may_be_late = late;
        free(r->late_why);
        r->late_why = xstrdup(late && why ? why : "");
        for (int c = 0; c < ISC_NFORM; c++)
            if (inbound_ship_required(c) && !*r->v[c] && c != ISC_SHIP_METHOD &&
                c != ISC_SHIP_COUNTRY && c != ISC_DEST_COUNTRY && c != ISC_BRANCH)
                bad(&k, RULE, "%s is required and empty", inbound_ship_cols[c]);
        for (int c = 0; c < ISC_NFORM; c++) { /* every cell goes into QSM's form */
            char ctl[160];
            size_t n = strlen(r->v[c]);
            if (text_form_cell_describe(r->v[c], n, c == ISC_MEMO ? TEXT_LINES : TEXT_LINE, ctl,
                                        sizeof ctl))
                bad(&k, RULE, "%s %s", inbound_ship_cols[c], ctl);
        }
        if (!*r->v[ISC_SHIP_METHOD])
            set_v(r, ISC_SHIP_METHOD, INBOUND_SHIP_METHOD);
        check_one_value(&k, ISC_SHIP_COUNTRY, "JP");
        check_one_value(&k, ISC_DEST_COUNTRY, "JP");
        check_one_value(&k, ISC_BRANCH, INBOUND_SHIP_BRANCH);
        ascii_digits(&k, ISC_ZIP);
        ascii_digits(&k, ISC_RECIPIENT_TEL);
        ascii_digits(&k, ISC_RECIPIENT_MOBILE);
        ascii_digits(&k, ISC_REF_PRICE);
        ascii_digits(&k, ISC_QTY);
        check_zip(&k);
        check_tel(&k, ISC_RECIPIENT_TEL);
        check_tel(&k, ISC_RECIPIENT_MOBILE);
        if (*r->v[ISC_REF_PRICE] && !digits(r->v[ISC_REF_PRICE], 1, 9))
            bad(&k, RULE,
                "ref_price \"%.40s\" is not whole yen (digits only, no sign or "
                "decimals)",
                r->v[ISC_REF_PRICE]);
        if (*r->v[ISC_QTY] && (!digits(r->v[ISC_QTY], 1, 6) || atol(r->v[ISC_QTY]) < 1))
            bad(&k, RULE, "qty \"%.40s\" is not a positive whole number", r->v[ISC_QTY]);
        check_qsku(&k);
        check_timed(&k);
        if ((rc = check_ref(&k, i, e)) < 0)
            return rc;
        if (ship_day == INBOUND_NO_DAY)
            bad(&k, RULE7, "no warehouse day within ten years; check qs stock calendar");
        nbad += k.bad > 0;
    }
    return nbad;
}

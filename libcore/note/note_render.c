/* note_render: the placeholders of R-NOTE-8 -- their names and aliases, the check of a
 * text's placeholders and the renderer. Pure; below note_msg.c and note_tmpl.c. */
#include "note.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../tm.h"
#include "../xalloc.h"

#define RULE "R-NOTE-8"

/* Canonical spellings (the seed's 说明 box) and, without spaces and in lower case, every
 * accepted name: the seed's logistics-message spellings are aliases. */
static const struct {
    const char *canon;
    const char *names[4];
} ph_table[NOTE_PH_N] = {
    [NOTE_PH_ORDER_ID] = {"#order id#", {"orderid", NULL}},
    [NOTE_PH_BUYER] = {"#buyer#", {"buyer", "buyername", NULL}},
    [NOTE_PH_TRACKING] = {"#Tracking number#", {"trackingnumber", "shipnum", NULL}},
    [NOTE_PH_CARRIER] = {"#Carriers#", {"carriers", "logistictype", NULL}},
    [NOTE_PH_ORDER_TIME] = {"#order time#", {"ordertime", NULL}},
    [NOTE_PH_ORDER_AMOUNT] = {"#order amount#", {"orderamount", NULL}},
    [NOTE_PH_ITEM_NAME] = {"#item name#", {"itemname", NULL}},
};

static const char *const ph_what[NOTE_PH_N] = {
    "order number", "buyer name", "tracking number", "carrier", "order time", "amount", "item name",
};

const char *note_ph_name(enum note_ph p)
{
    return p < NOTE_PH_N ? ph_table[p].canon : "";
}

#define PH_MAXLEN 40

/* At text[i] == '#': the length of a placeholder-looking "#name#" (0 when it does not look
 * like one) and its name without spaces, in lower case, in norm. */
static size_t ph_at(const char *text, size_t i, char norm[PH_MAXLEN + 1])
{
    size_t j = i + 1, n = 0;
    int letter = 0;
    for (; text[j] && text[j] != '#'; j++) {
        unsigned char c = (unsigned char)text[j];
        if (j - i - 1 >= PH_MAXLEN || !(isalnum(c) || c == ' ' || c == '_' || c == '-') ||
            c >= 0x80)
            return 0;
        letter |= isalpha(c) != 0;
        if (c != ' ')
            norm[n++] = (char)tolower(c);
    }
    norm[n] = '\0';
    if (text[j] != '#' || j == i + 1 || !letter)
        return 0;
    return j - i + 1;
}

/* The placeholder called norm, or -1. */
static int ph_lookup(const char *norm)
{
    for (int p = 0; p < NOTE_PH_N; p++)
        for (const char *const *a = ph_table[p].names; *a; a++)
            if (strcmp(*a, norm) == 0)
                return p;
    return -1;
}

static long char_index(const char *text, size_t byte)
{
    long n = 1;
    for (size_t i = 0; i < byte; i++)
        n += ((unsigned char)text[i] & 0xc0) != 0x80;
    return n;
}

/* Walks text: calls lit for literal runs and ph for placeholders. */
static int walk(const char *text, void (*lit)(const char *s, size_t n, void *ctx),
                int (*ph)(int p, void *ctx), void *ctx, struct qs_err *e)
{
    size_t i = 0, start = 0;
    char norm[PH_MAXLEN + 1];
    while (text[i]) {
        if (text[i] == '\\' && text[i + 1] == '#') {
            lit(text + start, i - start, ctx);
            lit("#", 1, ctx); /* \# is a literal # */
            start = i += 2;
            continue;
        }
        size_t len = text[i] == '#' ? ph_at(text, i, norm) : 0;
        if (!len) {
            i++;
            continue;
        }
        int p = ph_lookup(norm);
        if (p < 0) {
            if (strcmp(norm, "address") == 0)
                return err_set(e, QS_E_DATA, RULE,
                               "\"%.*s\" at character %ld: there is no address placeholder -- an "
                               "address is personal data (R-NOTE-4)",
                               (int)len, text + i, char_index(text, i));
            return err_set(e, QS_E_DATA, RULE,
                           "unknown placeholder \"%.*s\" at character %ld; known: #order id#, "
                           "#buyer#, #Tracking number#, #Carriers#, #order time#, #order "
                           "amount#, #item name# (write \\# for a literal #)",
                           (int)len, text + i, char_index(text, i));
        }
        lit(text + start, i - start, ctx);
        int rc = ph(p, ctx);
        if (rc < 0)
            return rc;
        start = i += len;
    }
    lit(text + start, i - start, ctx);
    return 0;
}

static void lit_none(const char *s, size_t n, void *ctx)
{
    (void)s, (void)n, (void)ctx;
}

static int ph_use(int p, void *ctx)
{
    *(unsigned *)ctx |= 1u << p;
    return 0;
}

int note_tmpl_parse(const char *text, unsigned *uses, struct qs_err *e)
{
    unsigned u = 0;
    int rc = walk(text ? text : "", lit_none, ph_use, &u, e);
    if (uses)
        *uses = rc < 0 ? 0 : u;
    return rc;
}

struct buf {
    char *s;
    size_t n, cap;
    const struct note_vars *v;
    struct qs_err *e;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        while (b->n + n + 1 > b->cap)
            b->cap = b->cap ? 2 * b->cap : 256;
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void lit_put(const char *s, size_t n, void *ctx)
{
    put(ctx, s, n);
}

static int ph_put(int p, void *ctx)
{
    struct buf *b = ctx;
    const char *v = b->v->v[p];
    if (!v || !*v)
        return err_set(b->e, QS_E_DATA, RULE, "%s has no value here: the order has no %s yet",
                       ph_table[p].canon, ph_what[p]);
    put(b, v, strlen(v));
    return 0;
}

int note_render(const char *text, const struct note_vars *v, char **out, struct qs_err *e)
{
    struct buf b = {NULL, 0, 0, v, e};
    int rc;
    put(&b, "", 0);
    rc = walk(text ? text : "", lit_put, ph_put, &b, e);
    if (rc < 0) {
        free(b.s);
        *out = NULL;
        return rc;
    }
    *out = b.s;
    return 0;
}

void note_vars_line(struct note_vars *v, const struct sync_line *l, const char *tz)
{
    time_t t;
    memset(v->v, 0, sizeof v->v);
    v->time[0] = '\0';
    if (l->order_date && tm_parse_utc_iso(l->order_date, &t) == 0 &&
        tm_format(t, tz, 0, v->time, sizeof v->time) == 0)
        v->time[16] = '\0'; /* "YYYY-MM-DD HH:MM" */
    snprintf(v->amount, sizeof v->amount, "%lld", l->total);
    v->v[NOTE_PH_ORDER_ID] = l->order_no;
    v->v[NOTE_PH_BUYER] = l->buyer;
    v->v[NOTE_PH_TRACKING] = l->tracking;
    v->v[NOTE_PH_CARRIER] = l->carrier;
    v->v[NOTE_PH_ORDER_TIME] = v->time;
    v->v[NOTE_PH_ORDER_AMOUNT] = v->amount;
    v->v[NOTE_PH_ITEM_NAME] = l->title;
}

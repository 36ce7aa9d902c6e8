/* notify_tmpl: QSM's notification template grammar (R-SYN-5, seed 001): placeholders from
 * a closed list, the ISLOOP and DELETE_BLANK_ROW blocks; checked at save time and rendered
 * for a cart. Pure: no store, no clock (fuzzed by tests/fuzz/fuzz_notify_tmpl.c). */
#include "notify.h"

#include <stdlib.h>
#include <string.h>

#include "../xalloc.h"

#define RULE "R-SYN-5"

static const char *const ph_names[NOTIFY_PH_N] = {
    "ORDER_NO",
    "PACK_NO",
    "SELLER_ID",
    "DELIVERY_FEE",
    "ORDER_TIME",
    "ORDER_DATE",
    "BUYER_NM",
    "BUYER_NM_JA",
    "BUYER_TEL_NO",
    "BUYER_EMAIL",
    "PAYMENT_METHOD",
    "DEL_OPTION",
    "DEL_HOPE_DATE_YYYYMMDD",
    "DEL_HOPE_DATE_TIME_ZONE",
    "DEL_MEMO",
    "ITEM_NO",
    "ITEM_NM",
    "OPTION_NM",
    "ORDER_QTY",
    "ORDER_PRICE",
    "SELLER_CODE",
    "RECEIVER_NM",
    "ZIP_CODE",
    "ADDRESS",
    "TRACKING_NO",
    "DELIVERY_COMPANY",
};

const char *notify_ph_name(enum notify_ph p)
{
    return p >= 0 && p < NOTIFY_PH_N ? ph_names[p] : "";
}

int notify_ph_find(const char *name, size_t len)
{
    for (int i = 0; i < NOTIFY_PH_N; i++)
        if (strlen(ph_names[i]) == len && memcmp(ph_names[i], name, len) == 0)
            return i;
    return -1;
}

/* ---- tokens ------------------------------------------------------------------------ */

enum tok_type { T_TEXT, T_PH, T_LOOP, T_LOOP_END, T_DBR, T_DBR_END };

struct tok {
    enum tok_type type;
    const char *p; /* T_TEXT: the text */
    size_t len;
    int ph;     /* T_PH */
    long line;  /* where it starts */
    size_t end; /* T_LOOP, T_DBR: the index of the closing token */
};

struct toks {
    struct tok *v;
    size_t n, cap;
};

static void tok_add(struct toks *t, struct tok k)
{
    if (t->n == t->cap)
        t->v = xrealloc(t->v, (t->cap = t->cap ? 2 * t->cap : 32) * sizeof *t->v);
    t->v[t->n++] = k;
}

static int name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* The length of the name at p that ends right before term (the first such end), or -1. */
static long name_len(const char *p, const char *term)
{
    size_t tl = strlen(term);
    for (const char *q = p;; q++) {
        if (q > p && strncmp(q, term, tl) == 0)
            return (long)(q - p);
        if (!name_char(*q))
            return -1;
    }
}

static const struct {
    const char *s;
    enum tok_type t;
} markers[] = {
    /* R-SYN-5: longest first, so _ISLOOP## is taken before DELETE_BLANK_ROW## */
    {"##DELETE_BLANK_ROW_", T_DBR},
    {"DELETE_BLANK_ROW##", T_DBR_END},
    {"##ISLOOP_", T_LOOP},
    {"_ISLOOP##", T_LOOP_END},
};

static const char *marker_of(enum tok_type t)
{
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++)
        if (markers[i].t == t)
            return markers[i].s;
    return "";
}

/* Splits text into tokens and pairs the blocks (each T_LOOP/T_DBR gets its end). */
static int tokenize(const char *text, struct toks *t, struct qs_err *e)
{
    size_t stack[64], depth = 0;
    const char *p = text, *run = text;
    long line = 1, run_line = 1;

#define FLUSH()                                                                                    \
    do {                                                                                           \
        if (p > run)                                                                               \
            tok_add(t, (struct tok){T_TEXT, run, (size_t)(p - run), -1, run_line, 0});             \
    } while (0)

    while (*p) {
        size_t i, ml = 0;
        for (i = 0; i < sizeof markers / sizeof markers[0]; i++)
            if (strncmp(p, markers[i].s, (ml = strlen(markers[i].s))) == 0)
                break;
        if (i < sizeof markers / sizeof markers[0]) {
            enum tok_type ty = markers[i].t;
            FLUSH();
            if (ty == T_LOOP || ty == T_DBR) {
                for (size_t d = 0; d < depth; d++)
                    if (t->v[stack[d]].type == ty)
                        return err_set(e, QS_E_DATA, RULE,
                                       "line %ld: %s inside the %s opened on line %ld: a block "
                                       "does not nest in itself",
                                       line, markers[i].s, markers[i].s, t->v[stack[d]].line);
                if (depth == sizeof stack / sizeof stack[0])
                    return err_set(e, QS_E_DATA, RULE, "line %ld: blocks nested too deep", line);
                stack[depth++] = t->n;
            } else {
                enum tok_type open = ty == T_LOOP_END ? T_LOOP : T_DBR;
                if (depth == 0 || t->v[stack[depth - 1]].type != open)
                    return err_set(e, QS_E_DATA, RULE,
                                   depth ? "line %ld: %s closes no %s (the %s of line %ld is open)"
                                         : "line %ld: %s closes no %s",
                                   line, markers[i].s, marker_of(open),
                                   depth ? marker_of(t->v[stack[depth - 1]].type) : "",
                                   depth ? t->v[stack[depth - 1]].line : 0L);
                t->v[stack[--depth]].end = t->n;
            }
            tok_add(t, (struct tok){ty, p, ml, -1, line, 0});
            p += ml;
            run = p;
            run_line = line;
            continue;
        }
        /* [$_NAME_$] anywhere; bare $_NAME_$ (R-SYN-5: the form inside a loop) too. */
        int bracket = strncmp(p, "[$_", 3) == 0;
        if (bracket || (p[0] == '$' && p[1] == '_' && name_char(p[2]) && p[2] != '_')) {
            const char *name = p + (bracket ? 3 : 2);
            long nl = name_len(name, bracket ? "_$]" : "_$");
            if (nl < 0 && bracket) {
                size_t shown = strcspn(p, "\n");
                return err_set(e, QS_E_DATA, RULE,
                               "line %ld: placeholder \"%.*s\" is not closed: write [$_NAME_$]",
                               line, (int)(shown > 40 ? 40 : shown), p);
            }
            if (nl > 0) {
                int ph = notify_ph_find(name, (size_t)nl);
                if (ph < 0)
                    return err_set(e, QS_E_DATA, RULE,
                                   "line %ld: unknown placeholder %s%.*s%s; the names are "
                                   "listed under TEMPLATES in qs-sync(1)",
                                   line, bracket ? "[$_" : "$_", (int)nl, name,
                                   bracket ? "_$]" : "_$");
                FLUSH();
                size_t len = (size_t)(name - p) + (size_t)nl + (bracket ? 3 : 2);
                tok_add(t, (struct tok){T_PH, p, len, ph, line, 0});
                p += len;
                run = p;
                run_line = line;
                continue;
            }
        }
        if (*p == '\n')
            line++;
        p++;
    }
    FLUSH();
#undef FLUSH
    if (depth)
        return err_set(e, QS_E_DATA, RULE, "line %ld: %s is not closed: end it with %s",
                       t->v[stack[depth - 1]].line, marker_of(t->v[stack[depth - 1]].type),
                       marker_of(t->v[stack[depth - 1]].type == T_LOOP ? T_LOOP_END : T_DBR_END));
    return 0;
}

int notify_tmpl_check(const char *text, struct qs_err *e)
{
    struct toks t = {0};
    int rc = tokenize(text ? text : "", &t, e);
    free(t.v);
    return rc;
}

/* ---- rendering --------------------------------------------------------------------- */

struct out {
    char *b;
    size_t n, cap;
    int skip;         /* drop what comes up to and including the next line break */
    long phs, filled; /* placeholders rendered, and those with a value */
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->skip) {
        const char *nl = memchr(s, '\n', n);
        if (!nl)
            return;
        o->skip = 0;
        n -= (size_t)(nl + 1 - s);
        s = nl + 1;
    }
    if (o->n + n + 1 > o->cap) {
        o->cap = (o->n + n + 1) * 2;
        o->b = xrealloc(o->b, o->cap);
    }
    memcpy(o->b + o->n, s, n);
    o->n += n;
    o->b[o->n] = '\0';
}

/* 1 when the n bytes at s are only spaces, tabs, CRs and ideographic spaces (U+3000). */
static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')
            continue;
        if (i + 2 < n && (unsigned char)s[i] == 0xE3 && (unsigned char)s[i + 1] == 0x80 &&
            (unsigned char)s[i + 2] == 0x80) {
            i += 2;
            continue;
        }
        return 0;
    }
    return 1;
}

static void render_range(const struct toks *t, size_t from, size_t to,
                         const struct notify_vals *lines, size_t n, size_t cur, struct out *o)
{
    for (size_t i = from; i < to; i++) {
        const struct tok *k = &t->v[i];
        if (k->type == T_TEXT) {
            put(o, k->p, k->len);
        } else if (k->type == T_PH) {
            const char *v = lines[cur].v[k->ph];
            o->phs++;
            if (v && *v) {
                o->filled++;
                put(o, v, strlen(v));
            }
        } else if (k->type == T_LOOP) {
            /* R-SYN-5: once per line of the cart, joined by a line break */
            for (size_t j = 0; j < n; j++) {
                if (j)
                    put(o, "\n", 1);
                render_range(t, i + 1, k->end, lines, n, j, o);
            }
            i = k->end;
        } else if (k->type == T_DBR) {
            struct out sub = {0};
            render_range(t, i + 1, k->end, lines, n, cur, &sub);
            o->phs += sub.phs;
            o->filled += sub.filled;
            /* Its blank rows go; the block goes with its line when every placeholder in it
             * is empty or nothing but blanks is left. */
            int kept = 0;
            for (size_t a = 0; sub.b && a <= sub.n;) {
                size_t b = a;
                while (b < sub.n && sub.b[b] != '\n')
                    b++;
                if (!blank(sub.b + a, b - a) && (sub.phs == 0 || sub.filled > 0)) {
                    if (kept++)
                        put(o, "\n", 1);
                    put(o, sub.b + a, b - a);
                }
                a = b + 1;
            }
            if (!kept) {
                while (o->n > 0 && o->b[o->n - 1] != '\n')
                    o->n--;
                if (o->b)
                    o->b[o->n] = '\0';
                o->skip = 1;
            }
            free(sub.b);
            i = k->end;
        }
    }
}

int notify_render(const char *text, const struct notify_vals *lines, size_t n, char **out,
                  struct qs_err *e)
{
    static const struct notify_vals none;
    struct toks t = {0};
    struct out o = {0};
    int rc;

    *out = NULL;
    if ((rc = tokenize(text ? text : "", &t, e)) < 0) {
        free(t.v);
        return rc;
    }
    if (n == 0) {
        lines = &none;
        n = 1;
    }
    render_range(&t, 0, t.n, lines, n, 0, &o);
    free(t.v);
    if (!o.b)
        o.b = xstrdup("");
    *out = o.b;
    return 0;
}

/* inbound_cutoff_store: the seller's warehouse calendar (R-INB-7) -- closures and busy
 * periods entered with `qs stock calendar`; the input is the whole calendar and replaces the
 * stored one (the listing writes the same columns, so list, edit, load back). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../text.h"
#include "../tm.h"
#include "../xalloc.h"
#include "inbound_cutoff.h"

#define RULE "R-INB-7"

struct cread {
    const char *name, *sheet;
    void (*report)(void *ctx, const struct qs_err *e);
    void *ctx;
    long line, errors;
};

static void bad(struct cread *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(struct cread *t, const char *fmt, ...)
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

static int kind_of(const char *k)
{
    if (!k || !*k || strcmp(k, "closed") == 0)
        return INBOUND_CLOSED;
    if (strcmp(k, "may-be-late") == 0 || strcmp(k, "may_be_late") == 0)
        return INBOUND_MAY_BE_LATE;
    return -1;
}

int inbound_cal_replace(struct store *s, const char *shop, FILE *fp, const char *name,
                        const struct rec_reader_opts *ro, time_t now,
                        void (*report)(void *ctx, const struct qs_err *e), void *ctx, size_t *n,
                        struct qs_err *e)
{
    struct cread t = {name, NULL, report, ctx, 0, 0};
    struct rec_reader *rd = NULL;
    struct rec *r = rec_new();
    struct {
        long from, until, line;
        int kind;
        char *note;
    } *v = NULL;
    size_t nv = 0, cap = 0;
    char at[32];
    int own = 0, rc;

    tm_utc_iso(now, at, sizeof at);
    if ((rc = rec_reader_open(fp, name, ro, &rd, e)) < 0)
        goto out;
    while ((rc = rec_read(rd, r, e)) == 1) {
        const char *d = rec_get(r, "date"), *u = rec_get(r, "until"), *k = rec_get(r, "kind");
        const char *note = rec_get(r, "note");
        long from = 0, until = 0, before = t.errors;
        int kind = kind_of(k);
        t.sheet = rec_reader_sheet(rd);
        t.line = rec_reader_line(rd);
        if (!d) {
            t.line = 1;
            bad(&t, "a calendar has the columns date, until, kind and note (qs stock calendar "
                    "--closures prints them)");
            break;
        }
        if (inbound_day_parse(d, &from) < 0)
            bad(&t, "date \"%.40s\" is not a date YYYY-MM-DD", d);
        if (u && *u && inbound_day_parse(u, &until) < 0)
            bad(&t, "until \"%.40s\" is not a date YYYY-MM-DD; leave it empty for one day", u);
        else if (!(u && *u))
            until = from;
        else if (t.errors == before && until < from)
            bad(&t, "until %s is before date %s; give the last day of the period", u, d);
        if (kind < 0)
            bad(&t, "kind \"%.40s\" is not closed or may-be-late", k);
        char why[160];
        if (note && text_ctl_describe(note, strlen(note), TEXT_LINES, why, sizeof why))
            bad(&t, "the note %s", why); /* issue 8 item 15 */
        for (size_t i = 0; t.errors == before && i < nv; i++)
            if (v[i].from == from && v[i].until == until && v[i].kind == kind) {
                bad(&t, "the period repeats line %ld; give it once", v[i].line);
                break; /* a calendar is a few dozen periods */
            }
        if (t.errors > before)
            continue;
        if (nv == cap)
            v = xrealloc(v, (cap = cap ? 2 * cap : 16) * sizeof *v);
        v[nv].from = from;
        v[nv].until = until;
        v[nv].kind = kind;
        v[nv].line = t.line;
        v[nv++].note = xstrdup(note ? note : "");
    }
    if (rc < 0) {
        if (rc != QS_E_DATA)
            goto out;
        t.errors++; /* a syntax error: reported with the others */
        if (report)
            report(ctx, e);
        err_clear(e);
    }
    if (t.errors) {
        err_clear(e);
        err_at(e, name, 0, 0);
        rc = err_set(e, QS_E_DATA, RULE, "%ld error%s; the calendar is unchanged", t.errors,
                     t.errors == 1 ? "" : "s");
        goto out;
    }
    own = sqlite3_get_autocommit(store_db(s));
    if ((own && (rc = store_begin(s, e)) < 0) ||
        (rc = store_run(s, e, "DELETE FROM warehouse_closure WHERE shop = ?1", "s", shop)) < 0)
        goto out;
    for (size_t i = 0; i < nv; i++) {
        char f[16], u[16];
        inbound_day_format(v[i].from, f, sizeof f);
        inbound_day_format(v[i].until, u, sizeof u);
        if ((rc = store_run(s, e,
                            "INSERT INTO warehouse_closure (shop, from_day, until_day, kind, note,"
                            " line, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                            "sssssls", shop, f, u, inbound_closure_words[v[i].kind], v[i].note,
                            (long long)v[i].line, at)) < 0)
            goto out;
    }
    if (own && (rc = store_commit(s, e)) < 0)
        goto out;
    own = 0;
    if (n)
        *n = nv;
    rc = 0;
out:
    if (own)
        store_rollback(s);
    for (size_t i = 0; i < nv; i++)
        free(v[i].note);
    free(v);
    rec_free(r);
    rec_reader_close(rd);
    return rc;
}

static int cal_row(sqlite3_stmt *st, void *p)
{
    struct inbound_cal_store *c = p;
    struct inbound_closure *cl;
    c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
    cl = &c->v[c->n++];
    memset(cl, 0, sizeof *cl);
    if (inbound_day_parse(store_col_text(st, 0), &cl->from) < 0 ||
        inbound_day_parse(store_col_text(st, 1), &cl->until) < 0)
        cl->from = 1, cl->until = 0; /* never covers a day */
    cl->kind = kind_of(store_col_text(st, 2)) == INBOUND_MAY_BE_LATE ? INBOUND_MAY_BE_LATE
                                                                     : INBOUND_CLOSED;
    cl->note = xstrdup(store_col_text(st, 3));
    return 0;
}

int inbound_cal_load(struct store *s, const char *shop, struct inbound_cal_store *out,
                     struct qs_err *e)
{
    int rc;
    memset(out, 0, sizeof *out);
    rc = store_each(s,
                    "SELECT from_day, until_day, kind, note FROM warehouse_closure WHERE shop = ?1"
                    " ORDER BY from_day, line",
                    cal_row, out, e, "s", shop);
    out->cal.v = out->v;
    out->cal.n = out->n;
    if (rc < 0)
        inbound_cal_free(out);
    return rc < 0 ? rc : 0;
}

void inbound_cal_free(struct inbound_cal_store *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free((char *)c->v[i].note);
    free(c->v);
    memset(c, 0, sizeof *c);
}

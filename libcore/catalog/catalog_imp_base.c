/* catalog_imp_base: what every part of the import calls -- its diagnostics and its
 * statement helpers -- below catalog_import.c, catalog_prod.c and catalog_store_imp.c,
 * which call it and each other only downwards. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "catalog_int.h"

/* ---- diagnostics ---- */

void imp_report(struct imp *m, int warning, const char *rule, long line, long col, const char *msg)
{
    struct qs_err e;
    if (m->pass != 1)
        return; /* the rerun repeats what was reported */
    err_clear(&e);
    err_set(&e, QS_E_DATA, rule, "%s", msg);
    /* A workbook's messages name the cell (file.xlsx:Sheet1!M12, SPEC 1.2); a CSV's the
     * line, its column being in the message. */
    err_at_sheet(&e, m->file, m->sheet, line, m->sheet[0] ? col : 0);
    if (warning)
        m->st->warnings++;
    else
        m->st->errors++;
    if (m->cb->report)
        m->cb->report(m->cb->ctx, &e, warning);
}

/* The row diagnostic of catalog_row.c: errors make the row bad and become its reason.
 * A message about a cell starts with its column: "column M (Price): ..." (issue 8 item
 * 17). */
void imp_diag(void *ctx, int warning, int field, const char *rule, const char *fmt, va_list ap)
{
    struct imp *m = ctx;
    char msg[1024];
    size_t n = 0;
    if (field >= 0) {
        cat_where(&m->r, field, msg, sizeof msg - 2);
        n = strlen(msg);
        msg[n++] = ':', msg[n++] = ' ';
    }
    vsnprintf(msg + n, sizeof msg - n, fmt, ap);
    if (warning && m->o->strict)
        warning = 0, m->r.nerr++; /* --strict: a warning is an error */
    if (!warning) {
        char why[1100];
        int k = snprintf(why, sizeof why, "%s%s%s%s%s", m->r.reasons.len ? "; " : "", msg,
                         rule ? " (" : "", rule ? rule : "", rule ? ")" : "");
        cat_buf_add(&m->r.reasons, why, (size_t)k < sizeof why ? (size_t)k : sizeof why - 1);
    }
    imp_report(m, warning, rule, m->r.line, field >= 0 ? (long)m->r.colno[field] : 0, msg);
}

void imp_row_diag(struct imp *m, int warning, int field, const char *rule, const char *fmt, ...)
{
    va_list ap;
    m->r.nerr += !warning;
    va_start(ap, fmt);
    imp_diag(m, warning, field, rule, fmt, ap);
    va_end(ap);
}

int imp_sqlerr(struct imp *m, struct qs_err *e, const char *what)
{
    return store_sqlerr(m->s, e, what);
}

/* ---- statements ---- */

int imp_prep(struct imp *m, sqlite3_stmt **st, const char *sql, struct qs_err *e)
{
    if (sqlite3_prepare_v3(m->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return imp_sqlerr(m, e, "store");
    return 0;
}

int imp_run(struct imp *m, sqlite3_stmt *st, struct qs_err *e, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : imp_sqlerr(m, e, what);
}

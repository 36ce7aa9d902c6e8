/* catalog_imp: the state of one `qs import products`, shared by catalog_import.c (the
 * rows: R-IMP-2..8, products and variants) and catalog_run.c (the file, the
 * transaction, R-IMP-9, R-IMP-11, R-UPC-2). Not for other modules. */
#ifndef QS_CATALOG_IMP_H
#define QS_CATALOG_IMP_H

#include <stdio.h>

#include "catalog_int.h"

struct words;
struct progress;

/* The product the current row belongs to, as the store holds it. */
struct prod {
    long long id; /* 0 when not in the store (yet) */
    int claimed;  /* its fields come from this file (created or --update'd by it) */
    int touched;  /* its import_id is this import's */
    long line;    /* the line whose values it holds, when claimed */
    int has_code;
    char state[16];
    struct cat_buf parent, title, desc, brand, landing, tags;
    /* Its SKUs known so far, in the store and written by this import (SPEC 1.2's option
     * codes): how many (-1: not read yet), their common width when all are digits (0
     * when not), whether one starts with 0. */
    long nsku;
    size_t skuw;
    int sku0;
};

/* What R-IMP-4 found for a variant of the row. */
struct found {
    long long id; /* the existing variant to update, 0 for a new one */
};

struct imp {
    struct store *s;
    sqlite3 *db;
    const char *shop, *file;
    const struct cat_import_opts *o;
    const struct cat_import_cb *cb;
    struct cat_import_stats *st;
    char now[32];
    long long run, maxprod;
    long long nextprod; /* the id the next new product gets (we hold the write lock) */
    int pass;           /* 2: the rerun of --skip-bad without the rejected products; silent */
    enum cat_template tpl;
    int price_qty; /* a qoo10 price/quantity file (GoodsList.csv): updates only */
    int required[CF_NFIELDS + 1];
    struct cat_map map;
    int mapped;
    struct cat_row r;
    struct cat_variant *vars;
    struct found *found;
    size_t nvars, capvars;
    struct prod cur;
    struct cat_buf tagtmp, skupad;
    long nbad, nrejpar;
    long fatal; /* errors of the file as a whole: nothing is imported, even --skip-bad */
    struct words *words;
    struct upc_assign *ua;
    struct progress *prog;
    FILE *viol; /* --skip-bad --strict: products that failed R-IMP-9, for the rerun */
    long nviol;
    sqlite3_stmt *v_find, *v_ins, *v_upd, *v_skus, *p_find, *p_ins, *p_claim, *p_touch, *p_tags,
        *p_code, *bad_get, *bad_ins, *touch_ins, *rej_get, *grp_ins;
};

/* ---- catalog_import.c ---- */
/* Reports an error or warning at line of the file (silent in the rerun). */
void imp_report(struct imp *m, int warning, const char *rule, long line, const char *msg);
int imp_prep(struct imp *m, sqlite3_stmt **st, const char *sql, struct qs_err *e);
/* Runs a statement that returns no row, and resets it. */
int imp_run(struct imp *m, sqlite3_stmt *st, struct qs_err *e, const char *what);
int imp_sqlerr(struct imp *m, struct qs_err *e, const char *what);
/* Prepares the statements of the rows (after the temporary tables exist). */
int imp_prepare(struct imp *m, struct qs_err *e);
/* Reads, checks and writes one input row. */
int imp_row(struct imp *m, struct rec *rec, enum rec_format fmt, long line, struct qs_err *e);
/* Frees what the rows use. */
void imp_rows_free(struct imp *m);

#endif

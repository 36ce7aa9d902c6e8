/* catalog_int: what the files of the catalog module share (catalog.c, catalog_row.c,
 * catalog_option.c, catalog_import.c, catalog_prod.c, catalog_export.c). Not for other
 * modules. */
/* catalog_imp: the state of one `qs import products`, shared by catalog_import.c (the
 * rows: R-IMP-2..8, variants), catalog_prod.c (the product of a row), catalog_run.c (the
 * file, the transaction, R-IMP-9, R-IMP-11, R-UPC-2) and catalog_store_imp.c (their
 * writes). Not for other modules. */
#ifndef QS_CATALOG_INT_H
#define QS_CATALOG_INT_H

#include <stdarg.h>
#include <stdio.h>

#include "catalog.h"

struct cat_map;
struct cat_row;
struct cat_variant;
struct cstore_imp;
struct found;
struct imp;
struct prod;

/* A diagnostic about the row being read: an error (warning 0) or a warning, about the
 * cell of field (its column is named first, issue 8 item 17), or the row (field -1). */
typedef void (*cat_diag_fn)(void *ctx, int warning, int field, const char *rule, const char *fmt,
                            va_list ap);

/* How a file's columns map to fields: built once from a CSV header, or per JSON line. */
struct cat_map {
    enum cat_template tpl;
    int *field; /* field of column i, or -1 (unknown: kept in extra) or -2 (ignored) */
    size_t n, cap;
    unsigned char has[CF_NFIELDS]; /* the header has a column for the field */
    const char *name[CF_NFIELDS];  /* the template's name of each field (messages) */
    size_t col0; /* added to a header position for the input's column (rec_reader_column_base) */
};

/* One input row, its values parsed (R-IMP-2..8). Values point into the reader's record
 * or into the row's own buffers; nothing is allocated per row once the buffers have
 * grown. */
struct cat_row {
    long line;
    const char *v[CF_NFIELDS];   /* value, "" when absent */
    size_t n[CF_NFIELDS];        /* its length */
    const char *col[CF_NFIELDS]; /* column name as in the file, for messages */
    size_t colno[CF_NFIELDS];    /* its 1-based CSV column, 0 for JSON Lines */
    int csv;                     /* the row is a CSV row (cells have columns) */
    unsigned char has[CF_NFIELDS];
    int nerr;                                                 /* errors found in the row */
    long long msrp, price, shipping, qty, min_days, max_days; /* -1 when empty */
    int ntags;
    int src_price; /* R-SRC-1: the Price cell is a source price in the row's Currency */
    char upc[UPC_MAX];
    const char *upc_type; /* NULL when no UPC */
    char code[UPC_MAX];   /* qs template: the product's code */
    const char *code_type;
    struct cat_buf tags, sources, images, desc, extra, reasons, trim_parent, trim_sku;
};

/* A variant of a row: the row itself, or one option of a qoo10 option_info cell. */
struct cat_variant {
    const char *sku, *color, *size;
    long long price, qty; /* qty -1 when empty */
    struct cat_buf skubuf, colorbuf, sizebuf;
};

/* Builds map m for a CSV header of n columns in template t (t not AUTO). */
void cat_map_header(struct cat_map *m, enum cat_template t, const char *const *cols, size_t n);
void cat_map_free(struct cat_map *m);
/* The field of a column name in t, -2 for columns every template ignores ("reason",
 * the column --rejects adds), else cat_field_of. */
int cat_map_field(enum cat_template t, const char *name);

/* Fills r from rec (fields in header order when m->n matches, else by name). */
void cat_row_fill(struct cat_row *r, const struct cat_map *m, const struct rec *rec, long line);
/* Checks and parses r's values; reports each problem through diag. required lists the
 * fields that must be non-empty (terminated by -1); with update, a field the row has no
 * column for is not asked for here (only a new SKU needs it: the caller checks). */
void cat_row_check(struct cat_row *r, enum cat_template t, const struct cat_fx *fx,
                   const int *required, int update, int box, cat_diag_fn diag, void *ctx);
/* 1 when the currency cell s[0..n) means yen: empty, JPY, YEN or 円 (any case). */
int cat_currency_yen(const char *s, size_t n);
/* The name of field f in template t, for messages about a column the file lacks. */
const char *cat_column_name(enum cat_template t, int f);
/* Walks a qoo10 option_info cell: fills v with the next option (SKU = option code or
 * PARENT-n, price = row price + extra) and returns 1, or 0 at the end. *pos starts 0;
 * *k counts options. Bad options are reported through diag and skipped. */
int cat_row_option(struct cat_row *r, const struct cat_fx *fx, size_t *pos, int *k,
                   struct cat_variant *v, cat_diag_fn diag, void *ctx);
void cat_row_free(struct cat_row *r);
void cat_variant_free(struct cat_variant *v);

/* Writes how messages name the cell of field f of r into buf (issue 8 item 17):
 * "column M (Price)" in CSV, "field \"price\"" in JSON Lines, the template's name of a
 * column the file lacks. Returns buf. */
const char *cat_where(const struct cat_row *r, int f, char *buf, size_t size);

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

/* The import's writes of product, variant and product_group, prepared once per import
 * (catalog_store_imp.c: the catalog store's hot path). */
struct cstore_imp {
    sqlite3_stmt *v_ins, *v_upd, *p_ins, *p_claim, *p_touch, *p_tags, *p_code, *grp_ins;
};

struct imp {
    struct store *s;
    sqlite3 *db;
    const char *shop, *file;
    char sheet[64]; /* the worksheet of an .xlsx input, "" for text: messages name cells */
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
    sqlite3_stmt *v_find, *v_skus, *p_find, *bad_get, *bad_ins, *touch_ins, *rej_get; /* reads */
    struct cstore_imp w; /* the writes (catalog_store_imp.c) */
};

/* ---- catalog_import.c ---- */
/* Reports an error or warning at line of the file (silent in the rerun). */
void imp_report(struct imp *m, int warning, const char *rule, long line, long col, const char *msg);
/* How messages name a place in the input: "line" in a text file, "row" in a worksheet. */
const char *imp_line_word(const struct imp *m);
int imp_prep(struct imp *m, sqlite3_stmt **st, const char *sql, struct qs_err *e);
/* Runs a statement that returns no row, and resets it. */
int imp_run(struct imp *m, sqlite3_stmt *st, struct qs_err *e, const char *what);
int imp_sqlerr(struct imp *m, struct qs_err *e, const char *what);
/* Prepares the statements of the rows (after the temporary tables exist). */
int imp_prepare(struct imp *m, struct qs_err *e);
/* An error (warning 0) or a warning about the cell of field (-1: the row) of the row at
 * hand: an error makes the row bad and becomes its reason. */
/* The row diagnostic catalog_row.c calls back (cat_diag_fn, ctx a struct imp): errors make
 * the row bad and become its reason. */
void imp_diag(void *ctx, int warning, int field, const char *rule, const char *fmt, va_list ap);
void imp_row_diag(struct imp *m, int warning, int field, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
#define row_err(m, f, ...)  imp_row_diag(m, 0, f, __VA_ARGS__)
#define row_warn(m, f, ...) imp_row_diag(m, 1, f, __VA_ARGS__)
/* Reads, checks and writes one input row. */
int imp_row(struct imp *m, struct rec *rec, enum rec_format fmt, long line, struct qs_err *e);
/* Frees what the rows use. */
void imp_rows_free(struct imp *m);

/* ---- catalog_prod.c: the product of the row ---- */
/* Makes m->cur the product of the row's Parent SKU, as the store holds it. */
int imp_prod_resolve(struct imp *m, struct qs_err *e);
/* SPEC 1.2: restores the leading zeros Excel stripped from the row's SKU (a warning). */
int imp_sku_restore(struct imp *m, struct qs_err *e);
/* Counts sku among the SKUs of the current product. */
void imp_sku_seen(struct prod *c, const char *sku);
/* Checks the row against its product before anything is written (R-IMP-3, 5, 10). */
void imp_prod_check(struct imp *m);
/* Writes what the row changes in its product (created, claimed, touched, tags, code). */
int imp_prod_write(struct imp *m, struct qs_err *e);

/* ---- catalog_store_imp.c: the only writes of the import (catalog store) ---- */
/* Prepares the write statements (persistent); cstore_imp_finalize frees them. */
int cstore_imp_prepare(struct imp *m, struct qs_err *e);
void cstore_imp_finalize(struct imp *m);
/* Inserts the row's product as id m->nextprod with code (type) and group grp (NULL:
 * none). */
int cstore_imp_product_add(struct imp *m, const char *code, const char *type, const char *grp,
                           struct qs_err *e);
/* --update: the row's values replace those of product m->cur.id (the columns it has). */
int cstore_imp_product_claim(struct imp *m, const char *code, const char *type, const char *grp,
                             struct qs_err *e);
/* Marks product m->cur.id as this import's (group grp when not NULL). */
int cstore_imp_product_touch(struct imp *m, const char *grp, struct qs_err *e);
/* R-IMP-5: the tags of product m->cur.id. */
int cstore_imp_product_tags(struct imp *m, const char *tags, size_t n, struct qs_err *e);
/* R-UPC-2: gives product id code (of type) unless it has one. */
int cstore_imp_product_code(struct imp *m, long long id, const char *code, const char *type,
                            struct qs_err *e);
/* Adds group grp of the shop unless it exists. */
int cstore_imp_group_add(struct imp *m, const char *grp, struct qs_err *e);
/* Inserts variant v of the row into m->cur.id (or the product about to be added). Returns
 * 1 when its SKU is taken. */
int cstore_imp_variant_add(struct imp *m, const struct cat_variant *v, struct qs_err *e);
/* --update and price/quantity files: the row's values replace those of variant id (the
 * columns it has). */
int cstore_imp_variant_update(struct imp *m, const struct cat_variant *v, long long id,
                              struct qs_err *e);
/* R-SRC-1 (box.c): records the source price of variant sku of the row: the row's Price in
 * its Currency (r->src_price), NULL when the row gives yen, "" for a new box row without
 * a price; a row without a Price column keeps what is there. */
int cstore_imp_box_price(struct imp *m, const char *sku, int is_new, struct qs_err *e);

#endif

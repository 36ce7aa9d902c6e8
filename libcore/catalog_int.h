/* catalog_int: what the files of the catalog module share (catalog.c, catalog_row.c,
 * catalog_option.c, catalog_import.c, catalog_prod.c, catalog_export.c). Not for other
 * modules. */
#ifndef QS_CATALOG_INT_H
#define QS_CATALOG_INT_H

#include <stdarg.h>

#include "catalog.h"
#include "upc.h"

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
                   const int *required, int update, cat_diag_fn diag, void *ctx);
/* The name of field f in template t, for messages about a column the file lacks. */
const char *cat_column_name(enum cat_template t, int f);
/* Walks a qoo10 option_info cell: fills v with the next option (SKU = option code or
 * PARENT-n, price = row price + extra) and returns 1, or 0 at the end. *pos starts 0;
 * *k counts options. Bad options are reported through diag and skipped. */
int cat_row_option(struct cat_row *r, const struct cat_fx *fx, size_t *pos, int *k,
                   struct cat_variant *v, cat_diag_fn diag, void *ctx);
void cat_row_free(struct cat_row *r);
void cat_variant_free(struct cat_variant *v);

/* Writes s[0..n) for a message into buf: at most about 60 bytes (cut on a UTF-8
 * boundary, "..." added), line breaks shown as \n, other control characters as \xNN.
 * Returns buf. */
const char *cat_show(const char *s, size_t n, char *buf, size_t size);
/* Writes how messages name the cell of field f of r into buf (issue 8 item 17):
 * "column M (Price)" in CSV, "field \"price\"" in JSON Lines, the template's name of a
 * column the file lacks. Returns buf. */
const char *cat_where(const struct cat_row *r, int f, char *buf, size_t size);

#endif

/* stock: the shop's Q-inventory at Qoo10's fulfilment warehouse (QWMS, SPEC 5). QWMS has no
 * API, so qs keeps a local model and takes the warehouse's truth from QSM's own Q-inventory
 * download (qs stock import, R-STK-5), kept as dated snapshots.
 *
 * Tables (owned by this module; migration in schema.c):
 *
 *   stock_option -- the Q-inventory options (warehouse SKUs) of a shop as the warehouse
 *                   last showed them; one row per q_sku ever seen, kept when it leaves the
 *                   export (it is in the current export when last_snapshot is the shop's
 *                   latest snapshot)
 *     shop, q_sku      "300001289771-00003" (R-STK-1); PRIMARY KEY (shop, q_sku)
 *     q_code           the Q-inventory code, 12 digits starting with 3 ("300001289771")
 *     option_code      the option code, 5 digits ("00003")
 *     seller_sku       the seller's SKU code, "" when the export shows none
 *     name             the Q-inventory option's name as QSM shows it
 *     total_qty        QSM's total quantity (mirrors the linked item's; never used to sell)
 *     extra_price      whole yen, 0 or more
 *     currency         always 'JPY'
 *     link_count       how many marketplace items QSM links to it; NULL: the export showed
 *                      none
 *     branch_qty       the quantity at the Qxpress branch (the warehouse's stock)
 *     first_snapshot, last_snapshot   the first and the last snapshot showing it
 *     updated_at       UTC ISO-8601
 *
 *   stock_snapshot -- one per import of a Q-inventory download
 *     id, shop
 *     file             the file name as given ("-": standard input)
 *     sha256           the file's SHA-256 (hex); UNIQUE (shop, sha256): a file is imported once
 *     taken_at         UTC ISO-8601: the time of the import (QS_NOW in tests)
 *     rows             how many options the file holds
 *
 *   stock_snapshot_row -- the values of each option in a snapshot (the history the quantity
 *                   sync and the storage fees of issue 13 read); PRIMARY KEY (snapshot, q_sku)
 *     snapshot, q_sku, line (of the file, or the sheet's row), seller_sku, name, total_qty,
 *     extra_price, currency, link_count (NULL: not shown), branch_qty
 *
 *   stock_link -- a link of a q_sku to the marketplace item (and option) selling it
 *                   (written by qs stock link and confirm, issue 13; read by import)
 *     id, shop, q_sku, item_code, option ("" for the whole item), recorded_at (UTC)
 *     state            'todo' (in QSM's to-do list), 'linked' (done in QSM), 'unlink-todo'
 *                      (unlink to-do written; still linked), 'unlinked'
 *                      UNIQUE (shop, q_sku, item_code, option)
 *
 * Every function returns 0 (or a count) or a negative QS_E_* with e filled. */
#ifndef QS_STOCK_H
#define QS_STOCK_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "../err.h"
#include "../record/record.h"
#include "../store.h"

/* ---- codes (R-STK-1, stock_code.c): pure functions ---- */

#define STOCK_QCODE_LEN  12
#define STOCK_OPTION_LEN 5
#define STOCK_SKU_LEN    (STOCK_QCODE_LEN + 1 + STOCK_OPTION_LEN)

/* A warehouse SKU: a Q-inventory code and one of its options. */
struct stock_sku {
    char q_code[STOCK_QCODE_LEN + 1];
    char option[STOCK_OPTION_LEN + 1];
};

/* R-STK-1: parses a Q-inventory code s[0..n): 12 digits starting with 3 (full-width digits
 * and spaces around are accepted). Returns 0, or -1 with why[size] saying what is wrong
 * and what is allowed. */
int stock_qcode_parse(const char *s, size_t n, char out[STOCK_QCODE_LEN + 1], char *why,
                      size_t size);
/* R-STK-1 (and the inbound form, SPEC 6): parses an option code s[0..n): 5 digits (full-width
 * digits and spaces around accepted). One to four digits are a code whose leading zeros Excel
 * stripped ("3"): restored to 5 ("00003") with *restored set to 1, so the caller warns (SPEC 1.2);
 * else *restored is 0. Returns 0, or -1 with why[size]. */
int stock_option_parse(const char *s, size_t n, char out[STOCK_OPTION_LEN + 1], int *restored,
                       char *why, size_t size);
/* R-STK-1: parses a q_sku: the code, a separator ('-', ':' or '/', also full-width, spaces
 * around allowed), the option code (stock_option_parse: *restored as there). Returns 0, or
 * -1 with why[size]. */
int stock_sku_parse(const char *s, struct stock_sku *out, int *restored, char *why, size_t size);
/* R-STK-1: writes k as "300001289771-00003" into buf (size >= STOCK_SKU_LEN + 1); returns
 * buf. */
char *stock_sku_format(const struct stock_sku *k, char *buf, size_t size);

/* ---- the export's columns (stock_label.c) ---- */

/* The fields of a row of QSM's Q-inventory download, in its column order. */
enum stock_field {
    STK_SELLER_SKU,
    STK_Q_SKU,
    STK_NAME,
    STK_TOTAL_QTY,
    STK_EXTRA_PRICE,
    STK_CURRENCY,
    STK_LINK_COUNT,
    STK_BRANCH_QTY,
    STK_NFIELDS,
    STK_IGNORE = -2, /* a column to leave aside (a checkbox, an empty one) */
    STK_UNKNOWN = -1,
};
/* The fields' names, in enum order: "seller_sku", "q_sku", "name", "total_qty",
 * "extra_price", "currency", "link_count", "branch_qty". */
extern const char *const stock_fields[STK_NFIELDS];

/* Labels added by --map (label -> field). Owned: stock_map_free. */
struct stock_map {
    char **label; /* normalised (stock_label_norm) */
    int *field;   /* enum stock_field, or STK_IGNORE */
    size_t n;
};
/* R-STK-5: reads a --map file fp (CSV or .xlsx with columns label and column; column is a
 * field name of stock_fields or "ignore"), named name in messages, into m. Every bad row is
 * a QS_E_DATA naming its line. */
int stock_map_read(FILE *fp, const char *name, const struct rec_reader_opts *ro,
                   struct stock_map *m, struct qs_err *e);
void stock_map_free(struct stock_map *m);
/* Writes label s normalised into buf: spaces (ASCII, full-width) removed, ASCII letters in
 * lower case. Returns buf ("" when it does not fit). */
char *stock_label_norm(const char *s, char *buf, size_t size);
/* R-STK-5: the field of header label s: the labels of m (may be NULL) first, then qs's one
 * table of Chinese, Japanese and English labels; STK_IGNORE for a checkbox column,
 * STK_UNKNOWN for any other label. */
int stock_label_field(const char *s, const struct stock_map *m);

/* ---- import (R-STK-5, stock_import.c, stock_report.c) ---- */

/* One line of an import's report: what changed for q_sku since the previous snapshot. */
enum stock_change {
    STOCK_NEW,         /* a q_sku the previous snapshot did not show */
    STOCK_GONE,        /* a q_sku the previous snapshot showed and this one does not */
    STOCK_LINK_COUNT,  /* link_count changed */
    STOCK_LINKS_KNOWN, /* link_count is lower than the links qs knows (kept) */
    STOCK_BRANCH_QTY,  /* branch_qty moved, or did not though shipments say it should */
};
/* The words of the report's change column, in enum order: "new", "gone", "link_count",
 * "links_known", "branch_qty". */
extern const char *const stock_change_words[];

struct stock_change_row {
    enum stock_change change;
    const char *q_sku, *seller_sku, *name;
    /* new: after = branch_qty; gone: before = the last branch_qty; link_count: the counts;
     * links_known: before = the links qs knows, after = link_count; branch_qty: the
     * quantities. -1: none. */
    long long before, after;
    /* branch_qty only: the move explained by what qs knows (minus the units shipped
     * between the snapshots, plus the inspected units of completed inbounds) and the rest. */
    long long explained, unexplained;
};

struct stock_import_opts {
    const struct stock_map *map; /* --map, may be NULL */
    time_t now;                  /* the snapshot's taken_at */
};

/* What an import tells its caller. */
struct stock_import_cb {
    void *ctx;
    void (*report)(void *ctx, const struct qs_err *e); /* a bad cell (every one) */
    void (*warn)(void *ctx, const struct qs_err *e);   /* a warning (restored zeros); may be NULL */
    /* A line of the change report, by q_sku; texts valid during the call. */
    int (*change)(void *ctx, const struct stock_change_row *c, struct qs_err *e);
};

struct stock_import_result {
    long rows;          /* options read */
    long errors;        /* problems reported */
    long changes;       /* report lines */
    long long snapshot; /* the new snapshot's id, or the one the file already is */
    int same;           /* the file is the latest snapshot already: nothing changed */
    char prev_at[32];   /* the previous snapshot's taken_at, "" for the first */
};

/* R-STK-5: imports QSM's Q-inventory download fp (CSV or .xlsx, read with ro; named name)
 * into shop. Every problem of every cell is reported through cb->report; then QS_E_DATA and
 * nothing is written. The file already the latest snapshot (same SHA-256): out->same and
 * nothing written; an older snapshot: QS_E_DATA. Else, in one transaction (or inside the
 * caller's, for a dry run: job_within): a new snapshot, the options replaced by the file's
 * values, and the change report since the previous snapshot through cb->change. */
int stock_import(struct store *s, const char *shop, FILE *fp, const char *name,
                 const struct rec_reader_opts *ro, const struct stock_import_opts *o,
                 const struct stock_import_cb *cb, struct stock_import_result *out,
                 struct qs_err *e);

/* R-STK-5: the move of q_sku's branch quantity between from and to (UTC ISO-8601) that
 * qs can explain: minus the units of order lines shipped in (from, to] of the items and
 * options stock_link links to it (linked, or an unlink not yet done), plus the inspected
 * units of inbound bundles completed in the same time (R-INB-4). Into *explained. */
int stock_branch_explained(struct store *s, const char *shop, const char *q_sku, const char *from,
                           const char *to, long long *explained, struct qs_err *e);

#endif

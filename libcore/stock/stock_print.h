/* stock_print: `qs stock labels` (R-STK-9) -- what is printed and stuck on goods and boxes
 * going to the warehouse.
 *
 *   - SKU labels: QSM prints them (Q库存管理 > 商品选项输入/管理 > 打印库存数量标签: per SKU
 *     the code and how many labels; seed 004 如何打印SKU标签). qs checks a list of q_sku and
 *     count, and hands off ONE to-do (outbox kind stock-label, one item per SKU grouped by
 *     the list, delivered by the shop's deliver.stock, SPEC 1.7).
 *   - Inbound box labels: one standalone A4 HTML page, one label per box ("1/N".."N/N"),
 *     each with the shop ID (QSM's seller ID) and QSM's cargo bundle number (SPEC 6): seed
 *     004 asks for both "在快递面单上或者箱外".
 *   - --own-barcode: qs draws a Code 128 (subset B) label per SKU label as SVG. The
 *     warehouse may refuse labels it did not print (qs-stock(1) says so).
 *
 * Decisions:
 *   - A SKU is known when it is in the shop's latest Q-inventory download (as for links).
 *   - count is a whole number 1..STOCK_TAG_MAX; a q_sku twice in one list is an error (one
 *     count per SKU) naming the earlier line.
 *   - Outbox keys: "lbl-" and the SHA-256 of the shop, the whole list (q_sku and count in
 *     input order) and the q_sku: the same list twice queues nothing new. */
#ifndef QS_STOCK_PRINT_H
#define QS_STOCK_PRINT_H

#include <stdio.h>
#include <time.h>

#include "stock.h"
#include "../deliver/deliver.h"
#include "../job.h"

#define STOCK_TAG_KIND  "stock-label"
#define STOCK_TAG_MAX   9999 /* labels per SKU in one list */
#define STOCK_BOXES_MAX 999  /* box labels per page set */

/* ---- Code 128, subset B (stock_print.c): pure functions ---- */

#define CODE128_START_B 104
#define CODE128_STOP    106
/* The bar and space widths (in modules) of symbol value v (0..106), bar first: six digits
 * summing to 11, the stop "2331112" (13, with its final bar). NULL when v is out of range. */
const char *code128_widths(int v);
/* R-STK-9: the symbol values of text in subset B: start B, one value per character, the
 * check value (start + sum of value * position, mod 103), stop. Only printable ASCII
 * (0x20..0x7e) is allowed. Writes at most cap values to out; returns how many were
 * needed, or -1 when text holds another character. */
int code128_b(const char *text, int *out, size_t cap);
/* Writes the modules of values[0..n) as '1' (bar) and '0' (space) into buf, NUL-ended.
 * Returns the module count, or -1 when it does not fit in size or a value is bad. */
int code128_modules(const int *values, size_t n, char *buf, size_t size);

/* ---- the SKU label list ---- */

struct stock_tag {
    char q_sku[STOCK_SKU_LEN + 1]; /* canonical (R-STK-1); "" when bad */
    long count;                    /* 0 when bad */
    long line;                     /* in the input */
    char *seller_sku, *name;       /* from the latest download (stock_tags_check) */
};

struct stock_tags {
    struct stock_tag *v;
    size_t n;
    char input[256];
    char sheet[64];
};
void stock_tags_clear(struct stock_tags *t);

struct stock_tag_cb {
    void *ctx;
    void (*report)(void *ctx, const struct qs_err *e);
};

/* R-STK-9: reads records q_sku,count from fp (CSV, JSON Lines or .xlsx, named name); every
 * bad q_sku (R-STK-1), bad count or repeated SKU is reported through cb with its line.
 * Returns the number of problems, or a negative QS_E_* when the input cannot be read. */
int stock_tags_read(FILE *fp, const char *name, const struct rec_reader_opts *ro,
                    const struct stock_tag_cb *cb, struct stock_tags *t, struct qs_err *e);
/* R-STK-9: every SKU of t in the shop's latest Q-inventory download (fills seller_sku and
 * name); each one that is not is reported. Returns the number of problems or QS_E_*. */
int stock_tags_check(struct store *s, const char *shop, struct stock_tags *t,
                     const struct stock_tag_cb *cb, struct qs_err *e);

/* The job of `qs stock labels` with records: enqueue queues one outbox item per SKU (kind
 * stock-label; payload list, q_sku, seller_sku, name, count, path, steps); run hands them
 * off through the shop's deliver.stock (or delivery); report writes one row per SKU. */
struct stock_tag_job {
    struct store *s;
    const char *shop;
    struct stock_tags *tags;
    const char *delivery; /* NULL: the shop's deliver.stock (default file:) */
    int retry_failed;
    FILE *dry_run;
    const char *prog;
    char list[32]; /* the list's id ("lbl-" + 24 hex), set by enqueue */
    char **keys;   /* per tag its key */
    char *existed; /* per tag: its item was queued by an earlier run */
    struct deliver_report rep;
    void *settled;
};
extern const struct job_ops stock_tag_job_ops;
void stock_tag_job_clear(struct stock_tag_job *j);

/* ---- the pages (stock_print_html.c) ---- */

/* R-STK-9 (and SPEC 6's cargo bundles): writes the inbound box labels as one standalone HTML page
 * sized for A4 (loads nothing): boxes labels "1/N".."N/N", each with shop_id and cargo_no
 * (escaped). */
int stock_boxes_html(FILE *fp, const char *shop_id, const char *cargo_no, long boxes,
                     struct qs_err *e);
/* R-STK-9 --own-barcode: writes one standalone A4 HTML page with count Code 128 labels per
 * SKU of t (the q_sku as bars and text, the name). */
int stock_tags_html(FILE *fp, const struct stock_tags *t, struct qs_err *e);

/* R-STK-9: prints label page html to a PDF beside it (NAME.pdf) with chromium, when it is
 * on PATH. *pdf gets the PDF's path and *prog chromium's (both malloc'd, NULL when not
 * set). Returns 1 when the PDF was written, 0 when chromium is not on PATH, -1 when it
 * could not make the PDF. */
int stock_print_pdf(const char *html, char **pdf, char **prog);
#endif

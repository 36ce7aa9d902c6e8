/* stock_add: `qs stock add` (R-STK-2, R-STK-3) -- a Q-inventory item asked of QSM: its
 * name, seller code, the "usable by other inventory management" flag and its combination
 * options (one or two option axes), from a file in QSM's option-form layout or from a
 * synced marketplace item. Every problem of every option is reported, then nothing is
 * recorded. QSM issues the codes: the request is handed off (kind stock: the file: hand-off
 * writes QSM's option form, option-N.xlsx) and the codes come back with `qs stock import`.
 *
 * Table (owned by this module; migration in schema.c):
 *
 *   stock_request -- one row per Q-inventory item asked of QSM
 *     id, shop
 *     key           its idempotency key (its outbox item's, kind stock); UNIQUE (shop, key)
 *     name          the item's name (the warehouse reads it)
 *     seller_code   the item's seller code, "" none
 *     usable        1: usable by other inventory management (QSM's default), 0: not
 *     item_code     the marketplace item it was built from (--from-item), "" none
 *     axes          the option names, JSON array of 1 or 2 texts
 *     options       the options, JSON array of {values: [..], qty, price, currency,
 *                   seller_sku}
 *     created_at    UTC ISO-8601 */
#ifndef QS_STOCK_ADD_H
#define QS_STOCK_ADD_H

#include <stdio.h>
#include <time.h>

#include "../deliver/deliver.h"
#include "../err.h"
#include "../job.h"
#include "../qapi/qapi.h"
#include "../record/record.h"
#include "../store.h"

#define STOCK_KIND        "stock"
#define STOCK_AXES_MAX    2  /* QSM's option form: one or two option columns */
#define STOCK_EXTRA_PCT   30 /* R-STK-3: fewer than 30% of the options carry an extra price */
#define STOCK_OPTIONS_MAX 1000

/* One option of the form. */
struct stock_form_row {
    char *v[STOCK_AXES_MAX];                   /* the option's values, one per axis */
    char *qty, *price, *currency, *seller_sku; /* as given */
    long line;                                 /* in the input (0: none) */
};

/* An option form: its axes (option names) and rows. */
struct stock_form {
    char *axes[STOCK_AXES_MAX];
    size_t naxes;
    struct stock_form_row *rows;
    size_t n;
    char input[256]; /* the input's name for messages ("" when built from an item) */
    char sheet[64];  /* its worksheet, "" for text */
};
void stock_form_clear(struct stock_form *f);

/* Problems (refusals) and warnings, each with its rule and location. */
struct stock_add_cb {
    void *ctx;
    void (*report)(void *ctx, const struct qs_err *e);
    void (*warn)(void *ctx, const struct qs_err *e); /* may be NULL */
};

/* R-STK-2: reads an option form from fp (CSV, JSON Lines or an .xlsx sheet, named name):
 * its header is one or two option columns (their names are the option names), then Qty,
 * Price, Currency, SellerCode -- or QSM's Chinese labels 库存数量, 价格, 基准货币,
 * 卖家SKU代码 --, in any case. A header that is not that layout is one problem per column
 * (reported through cb); returns the number of problems, or a negative QS_E_* when the
 * input cannot be read. */
int stock_form_read(FILE *fp, const char *name, const struct rec_reader_opts *ro,
                    const struct stock_add_cb *cb, struct stock_form *f, struct qs_err *e);
/* R-STK-2: the options of marketplace item item_code (GetGoodsInventoryInfo): combination
 * options of one or two axes, each option's extra price, quantity and option code (as
 * seller SKU). *title gets the item's title from the store (market_item; malloc'd). An
 * item without combination options (single-type options only, or none) is QS_E_DATA, as
 * QSM refuses it; so is an item the store does not know (qs sync products first) and one
 * of more than two axes. */
int stock_form_from_item(struct store *s, struct qapi *q, const char *shop, const char *item_code,
                         struct stock_form *f, char **title, struct qs_err *e);

/* What the item is. */
struct stock_item {
    const char *name;        /* required */
    const char *seller_code; /* NULL or "": none */
    int usable;              /* 1 (default) or 0 */
    const char *item_code;   /* --from-item, NULL: none */
};

/* R-STK-2, R-STK-3: checks item it and form f: a name; each option's values given and the
 * combination unique, a quantity and an extra price of 0 or more in whole yen, currency
 * JPY (empty: JPY), a seller SKU code unique when given; fewer than 30% of the options
 * with an extra price. Every problem is reported through cb (file:line, the rule);
 * usable 0 is a warning (SPEC 6: inbound uploads will fail). Returns the number of
 * problems. */
int stock_add_check(const struct stock_item *it, const struct stock_form *f,
                    const struct stock_add_cb *cb);

/* The job of `qs stock add`: enqueue records the request and queues its outbox item (kind
 * stock, payload: name, seller_code, usable, item_code, form_options, form_rows); run hands
 * off what is due of kind stock; report writes one row per request settled. */
struct stock_add_job {
    struct store *s;
    const char *shop;
    const struct stock_item *item;
    const struct stock_form *form;
    const char *delivery; /* NULL: the shop's deliver.stock (default file:) */
    int csv;              /* file: the option form as CP932 CSV */
    int retry_failed;
    FILE *dry_run;
    const char *prog;
    time_t now;
    char key[80];
    int existed;               /* the same request was recorded before */
    struct deliver_report rep; /* filled by the run */
    void *settled;             /* what the run settled (stock_add.c) */
};
extern const struct job_ops stock_add_job_ops;
void stock_add_job_clear(struct stock_add_job *j);

#endif

/* inbound_ship: shipments of orders from other platforms out of the warehouse (R-INB-6,
 * `qs inbound ship`) -- rows of QSM's other-platform form read (snake_case names or the
 * seed's Chinese labels, through one table), every column checked, reference order numbers
 * unique per shop, timed delivery (Sagawa only, within two days of the ship date), each
 * row's expected ship date (R-INB-7), and the hand-off: one outbox item per row (kind
 * inbound-ship, keyed by the reference order number) through the shop's
 * deliver.inbound-ship (file: QSM's other-platform form, hook: one request per row).
 *
 * Table (owned by this module; migration in schema.c):
 *
 *   inbound_ship_ref -- one row per registration of a reference order number
 *     shop, ref_order_no, seq    seq 1 for the first registration, 2.. for --resend;
 *                                PRIMARY KEY (shop, ref_order_no, seq)
 *     key                        its outbox item's key (kind inbound-ship): the reference
 *                                order number, "#SEQ" appended from the second; UNIQUE
 *     digest                     SHA-256 of the row's payload (the same row again is the
 *                                same registration while its item is not finished)
 *     q_sku, qty                 what ships
 *     ship_day                   the expected ship date (YYYY-MM-DD, Japan)
 *     registered_at              UTC ISO-8601 */
#ifndef QS_INBOUND_SHIP_H
#define QS_INBOUND_SHIP_H

#include <stdio.h>
#include <time.h>

#include "../afile.h"

#include "../deliver/deliver.h"
#include "../err.h"
#include "../job.h"
#include "../record/record.h"
#include "../store.h"
#include "inbound_cutoff.h"

#define INBOUND_SHIP_KIND   "inbound-ship"
#define INBOUND_SHIP_METHOD "一般（可以运送追踪）" /* R-INB-6's default */
#define INBOUND_SHIP_BRANCH "Qxpress JP Tokyo"
#define INBOUND_SHIP_ROWS   100000

/* The columns: QSM's form in its order (the form's keys, deliver_form.c), then qs's own:
 * carrier (sagawa or nekopos, for the timed-delivery rule), delivery_date and
 * delivery_time (HH-HH), which go into memo. */
enum inbound_ship_col {
    ISC_REF_ORDER_NO,
    ISC_ITEM_CODE,
    ISC_ITEM_NAME,
    ISC_SHIP_METHOD,
    ISC_SHIP_COUNTRY,
    ISC_OPTION_TEXT,
    ISC_TYPE,
    ISC_BUYER_NAME,
    ISC_RECIPIENT,
    ISC_RECIPIENT_KANA,
    ISC_RECIPIENT_TEL,
    ISC_RECIPIENT_MOBILE,
    ISC_DEST_COUNTRY,
    ISC_ZIP,
    ISC_ADDRESS,
    ISC_ADDRESS2,
    ISC_REF_PRICE,
    ISC_MEMO,
    ISC_BRANCH,
    ISC_Q_SKU,
    ISC_SELLER_SKU,
    ISC_THIRD_PARTY,
    ISC_GIFT_NAME,
    ISC_GIFT_COUNTRY,
    ISC_GIFT_ZIP,
    ISC_GIFT_ADDRESS,
    ISC_GIFT_CONTACT,
    ISC_CUSTOMS_ID,
    ISC_QTY,
    ISC_NFORM, /* the form's columns end here */
    ISC_CARRIER = ISC_NFORM,
    ISC_DELIVERY_DATE,
    ISC_DELIVERY_TIME,
    ISC_N
};
/* The columns' names (the form's keys, then carrier, delivery_date, delivery_time). */
extern const char *const inbound_ship_cols[ISC_N];
/* 1 for a column SPEC 6 marks required (*). */
int inbound_ship_required(enum inbound_ship_col c);

/* One row of the input: its values (normalised; "" none), where it was, its expected ship
 * date, and what became of it. */
struct inbound_ship_row {
    char *v[ISC_N];
    long line;
    long ship_day;   /* R-INB-7 */
    int may_be_late; /* the ship date lies in a busy period */
    char *late_why;  /* its note */
    char *reason;    /* the row's problems, "" good; malloc'd */
    int seq;         /* its registration (1, or 2.. with --resend) */
    int queued;      /* the same row registered before and not finished: not added again */
    char key[160];   /* its outbox key */
};

struct inbound_ship_set {
    struct inbound_ship_row *rows;
    size_t n;
    char input[256]; /* the input's name */
    char sheet[64];  /* its worksheet, "" for text */
};
void inbound_ship_set_clear(struct inbound_ship_set *s);

/* Problems and warnings, each with its rule and location. */
struct inbound_ship_cb {
    void *ctx;
    void (*report)(void *ctx, const struct qs_err *e);
    void (*warn)(void *ctx, const struct qs_err *e); /* may be NULL */
};

/* R-INB-6: reads the rows of fp (CSV, JSON Lines or an .xlsx sheet, named name) into set:
 * columns by name (the snake_case names, the seed's labels, a trailing '*' or spaces
 * ignored, any order; other columns ignored). A header without a required column is one
 * problem per missing column. Returns the number of problems, or a negative QS_E_* when
 * the input cannot be read. */
int inbound_ship_read(FILE *fp, const char *name, const struct rec_reader_opts *ro,
                      const struct inbound_ship_cb *cb, struct inbound_ship_set *set,
                      struct qs_err *e);

struct inbound_ship_check_opts {
    const char *shop;
    time_t now; /* the registration time (the cut-off, R-INB-7) */
    const struct inbound_cal *cal;
    int resend; /* --resend: a registered reference may be registered again */
};

/* R-INB-6, R-INB-7: checks every row of set: required columns, JP-only countries, zip 7
 * digits, ref_price whole yen, qty a positive integer, branch, ship_method (default filled
 * in), q_sku (R-STK-1, known from qs stock import), reference order numbers unique in the
 * file and not registered before (unless resend: then the next seq), timed delivery; sets
 * each row's ship date, key and reason. Every problem goes to cb. Returns the number of bad
 * rows, or a negative QS_E_* (store). */
int inbound_ship_check(struct store *s, const struct inbound_ship_check_opts *o,
                       struct inbound_ship_set *set, const struct inbound_ship_cb *cb,
                       struct qs_err *e);

/* The digest of row r kept in inbound_ship_ref: SHA-256 of its values (not its ship date). */
void inbound_ship_digest(const struct inbound_ship_row *r, char hex[65]);

/* The job of `qs inbound ship`: enqueue records the good rows (inbound_ship_ref) and
 * queues one outbox item per row in one transaction; queued commits the rejects file; run
 * hands off everything due of kind inbound-ship; report writes one row per input row
 * (rejected ones too) and per earlier item settled. */
struct inbound_ship_job {
    struct store *s;
    const char *shop;
    struct inbound_ship_set *set;
    const char *delivery; /* NULL: the shop's deliver.inbound-ship (default file:) */
    int csv;              /* file: the form as CP932 CSV */
    int retry_failed;
    FILE *dry_run;
    const char *prog;
    time_t now;
    struct afile *rej; /* --rejects, committed once the good rows are queued */
    long rejected;
    struct deliver_report rep;
    void *settled;
};
extern const struct job_ops inbound_ship_job_ops;
void inbound_ship_job_clear(struct inbound_ship_job *j);

#endif

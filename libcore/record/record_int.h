/* rec_internal: what the files of the record module share (record.c, enc.c,
 * csv_read.c, csv_write.c, jsonl.c, table.c, xlsx_write.c). Not for other modules. */
#ifndef QS_RECORD_INT_H
#define QS_RECORD_INT_H

#include <expat.h>
#include <iconv.h>
#include <stdint.h>
#include <zip.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../xalloc.h"
#include "record.h"

#define REC_CHUNK       (256 * 1024)   /* bytes read from the input at a time */
#define REC_MAX_FIELD   (1024 * 1024)  /* default longest field (rec_reader_opts.max_field) */
#define REC_AUTO_PREFIX (1024 * 1024)  /* bytes a pipe is validated on for --encoding auto */
#define REC_BOM         "\xEF\xBB\xBF" /* U+FEFF in UTF-8 */
/* Issue 8 item 13: the byte-order mark of a second file joined on with cat. */
#define REC_BOM_MSG                                                                                \
    "byte-order mark (U+FEFF) at the start of a %s; were two files joined with cat? remove it"

/* A growable byte buffer; reused, never shrunk. */
struct rbuf {
    char *p;
    size_t len, cap;
};

static inline void rbuf_need(struct rbuf *b, size_t more)
{
    if (b->cap - b->len < more) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < more)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
}

static inline void rbuf_add(struct rbuf *b, const void *s, size_t n)
{
    rbuf_need(b, n + 1);
    if (n) /* s may be NULL then: an empty buffer's p */
        memcpy(b->p + b->len, s, n);
    b->len += n;
}

static inline void rbuf_addc(struct rbuf *b, char c)
{
    rbuf_need(b, 2);
    b->p[b->len++] = c;
}

static inline void rbuf_adds(struct rbuf *b, const char *s)
{
    rbuf_add(b, s, strlen(s));
}

static inline void rbuf_free(struct rbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* --- record.c --- */
/* Appends a field without looking for an existing one of that name (the readers know
 * their names are distinct); reuses the buffers rec_clear kept. */
void rec_push(struct rec *r, const char *name, size_t nlen, const char *value, size_t vlen,
              enum rec_type type);

/* The bytes r's buffers hold (their capacities), kept across rec_clear. */
size_t rec_held(const struct rec *r);

/* --- rec_ahead.c: records read ahead in a second thread (rec_reader_opts.ahead) --- */
/* Reads the next record into out and its line into *line, as rec_read. */
typedef int (*rec_read_fn)(void *ctx, struct rec *out, long *line, struct qs_err *e);
struct rec_ahead;
/* A reader ahead of the caller by read(ctx, ...); the thread starts at the first
 * ahead_read. read is then called from that thread only, until ahead_free. */
struct rec_ahead *ahead_new(rec_read_fn read, void *ctx);
/* The next record, as read would have answered it in this thread; out is swapped with a
 * record read ahead. After the last answer (0 or an error), that answer again. */
int ahead_read(struct rec_ahead *a, struct rec *out, long *line, struct qs_err *e);
/* Stops the thread (after the batch it is reading) and frees a; NULL is a no-op. */
void ahead_free(struct rec_ahead *a);

/* Fails with QS_E_DATA: input name holds nothing but white space, not even a header. */
int rec_err_empty(struct qs_err *e, const char *name);

/* A set of names found in constant time (the CSV header's duplicate check, the writer's
 * columns), so nothing costs the square of the number of columns (issue 8 item 3). It
 * holds indexes into an array of names that the caller keeps. */
struct rec_names {
    const char *const *names;
    size_t *slot; /* 1 + an index into names; 0 for an empty slot */
    size_t mask;
};
/* Prepares an empty set for up to n names of the array names; free with rec_names_free. */
void rec_names_init(struct rec_names *h, const char *const *names, size_t n);
/* Adds names[i]; returns 0, or 1 + the index of an equal name already in the set. */
size_t rec_names_add(struct rec_names *h, size_t i);
/* 1 + the index of name in the set, or 0. */
size_t rec_names_find(const struct rec_names *h, const char *name);
void rec_names_free(struct rec_names *h);

/* --- enc.c: UTF-8 validation --- */
enum { ENC_UTF8_OK, ENC_UTF8_BAD, ENC_UTF8_SHORT };
/* Validates s[0..n) as UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
 * Sets *ok to the length of the valid prefix; returns ENC_UTF8_OK, ENC_UTF8_BAD (s[*ok]
 * starts no valid sequence) or ENC_UTF8_SHORT (s ends inside the sequence at *ok). */
int enc_utf8_check(const unsigned char *s, size_t n, size_t *ok);
/* The length of the UTF-8 sequence led by byte c (1 for a stray byte). */
size_t enc_utf8_len(unsigned char c);
/* Opens iconv from one encoding to another; returns QS_E_SOFTWARE when unavailable. */
int enc_open(iconv_t *cd, const char *to, const char *from, struct qs_err *e);
/* Appends s[0..n) (UTF-8) converted to CP932 to out. Characters CP932 lacks become '?' when
 * replace is set; otherwise returns -1 with *bad set to the offset of the first one. */
int enc_to_cp932(iconv_t cd, const char *s, size_t n, int replace, struct rbuf *out, size_t *bad);

/* --- enc.c: the source, the input as UTF-8 text whatever its encoding --- */
struct rec_src {
    FILE *fp;
    const char *name;
    enum rec_enc enc; /* asked for; REC_ENC_AUTO until decided */
    int regular;      /* fp is a regular file: read in big chunks, seekable */
    int started;      /* 1: src_start ran; 2: the BOM was handled too */
    int eof;          /* the input is exhausted (text may remain in buf) */
    int auto_utf8;    /* UTF-8 was chosen by auto-detection on a pipe's first 1 MiB */
    int zip;          /* the input is a ZIP (an .xlsx workbook): xlsx_read.c reads it */
    int utf8_first;   /* rec_reader_opts.utf8_first */
    int tentative;    /* auto read as UTF-8 on the first chunk of a file (src_detect) */
    int located;      /* the error src_more returned already names its line */
    long auto_line;   /* auto chose CP932: the first line that is not UTF-8, and its byte */
    unsigned char auto_byte;
    off_t origin; /* where a regular file's text starts, or -1 */
    iconv_t cd;   /* CP932 -> UTF-8, or (iconv_t)-1 */
    int bad;      /* bad input follows the text in buf; msg below */
    char badmsg[256];
    unsigned char *pre; /* the input's first bytes, read by src_start */
    size_t prelen, prepos;
    unsigned char *raw; /* CP932 bytes read, not yet converted */
    size_t rawlen;
    unsigned char carry[4]; /* UTF-8 sequence split by a read */
    size_t ncarry;
    char *buf; /* UTF-8 text; buf[pos..len) is not consumed yet */
    size_t pos, len, cap;
};
void src_init(struct rec_src *s, FILE *fp, const char *name, enum rec_enc enc);
/* Reads the input's first bytes, refuses UTF-16 and decides --encoding auto (a file that
 * mixes encodings is QS_E_DATA); call once before src_more. Errors carry file:line. */
int src_start(struct rec_src *s, struct qs_err *e);
/* Moves unconsumed text to the front of buf and appends more. Returns 1 when text was
 * added, 0 at the end of the input, QS_E_DATA when the next bytes are not valid in the
 * encoding (message set; the caller adds file:line:col unless s->located) or QS_E_IO. */
int src_more(struct rec_src *s, struct qs_err *e);
void src_fini(struct rec_src *s);

/* --- csv_read.c --- */
struct csvr;
struct csvr *csvr_new(struct rec_src *src, size_t max_field);
/* As rec_read; *line gets the line the record starts on. */
int csvr_read(struct csvr *c, struct rec *out, long *line, struct qs_err *e);
/* The header's column names (NULL before the header is read). */
const char *const *csvr_columns(const struct csvr *c, size_t *n);
void csvr_free(struct csvr *c);

/* --- xlsx_zip.c: the workbook's ZIP and its XML parts, streamed (SPEC 1.2) --- */
struct xzip;
/* 1 when the input's first bytes (src->pre, read by src_start) are a ZIP's, 0 when they
 * are text to read as CSV or JSON Lines; QS_E_DATA for an old .xls, or for a file named
 * .xlsx that is no ZIP. */
int xlr_sniff(struct rec_src *src, struct qs_err *e);
/* Opens the ZIP whose bytes are src's (its first bytes in src->pre, the rest still in
 * src->fp): a regular file is read in place, a pipe is spooled to a temporary file. */
int xz_open(struct rec_src *src, struct xzip **out, struct qs_err *e);
void xz_close(struct xzip *z);
/* 1 when the ZIP holds part (names compared without case, as OOXML does). */
int xz_has(struct xzip *z, const char *part);

#define XP_CHUNK (64 * 1024) /* bytes inflated and parsed at a time */
/* The element and text handlers of one part; their userData is the struct xpart, whose
 * ud is the caller's. what ends the too-large message ("" or a hint). */
struct xp_handlers {
    XML_StartElementHandler start;
    XML_EndElementHandler end;
    XML_CharacterDataHandler text;
    const char *what;
};
/* One part being parsed: a zip file, an expat parser, the sizes checked so far. */
struct xpart {
    struct xzip *z;
    zip_file_t *f;
    XML_Parser p;
    char part[128];
    uint64_t size, got; /* the inflated size the ZIP directory declares; bytes inflated */
    int done;           /* the last buffer was given to expat */
    int suspended;      /* a handler suspended the parser (xp_suspend) */
    int rc;             /* the error that stopped the parse */
    const char *what;
    struct qs_err *e;
    void *ud;
};
/* Opens part for parsing with handlers h, refusing it when it inflates to more than cap
 * bytes or looks like a ZIP bomb. Close with xp_close (also after an error). */
int xp_open(struct xzip *z, const char *part, uint64_t cap, const struct xp_handlers *h, void *ud,
            struct xpart *xp, struct qs_err *e);
/* Parses on until the part ends (0), a handler suspends the parser (1), or an error
 * (negative, in xp->e; also when a handler failed with xp_fail). */
int xp_run(struct xpart *xp);
/* From a handler: stops the parse with code (its message already in xp->e); returns code. */
int xp_fail(struct xpart *xp, int code);
/* From a handler: suspends the parse after this event; xp_run then returns 1. */
int xp_suspend(struct xpart *xp);
void xp_close(struct xpart *xp);
/* An element or attribute name without its namespace prefix ("x:row" -> "row"). */
const char *xml_local(const char *name);
/* The value of attribute local (prefix ignored) in expat's atts, or NULL. */
const char *xml_attr(const char **atts, const char *local);
/* Appends the text s[0..n) to b, decoding OOXML's _xHHHH_ escapes (_x000D_ = CR). */
void xml_unescape(struct rbuf *b, const char *s, size_t n);

/* --- xlsx_book.c: the workbook's sheets, styles and shared strings --- */
/* How a cell style shows a number (SPEC 1.2): as stored, padded to a width of zeros, or
 * as a date, a time or both. */
enum xf_kind { XF_GENERAL, XF_PAD, XF_DATE, XF_TIME, XF_DATETIME };
struct xf {
    unsigned char kind;    /* enum xf_kind */
    unsigned char width;   /* XF_PAD: the number of zeros */
    unsigned char secs;    /* a time shows seconds */
    unsigned char elapsed; /* [h]: hours past 24 */
};
struct xsheet {
    char *name, *part;
    int hidden, chart;
};
struct xbook {
    struct xzip *z;
    const char *name; /* the input's name */
    int date1904;
    struct xsheet *sheets;
    size_t nsheets;
    char *sst_part, *styles_part;
    struct rbuf sst; /* the shared strings, each NUL-terminated */
    size_t *sst_off; /* where each starts in sst */
    size_t nsst;
    struct xf *xf; /* the cell styles (cellXfs) */
    size_t nxf;
};
/* Reads the workbook's sheet list, styles and shared strings. */
int xb_load(struct xzip *z, const char *name, struct xbook *b, struct qs_err *e);
/* The sheet to read: the one named sheet, or the first that is neither hidden nor a chart. */
int xb_sheet(const struct xbook *b, const char *sheet, const struct xsheet **out, struct qs_err *e);
void xb_free(struct xbook *b);

/* --- xlsx_cell.c: a number cell as text --- */
/* Appends the number v (as stored in <v>) shown through style f to out: dates as ISO
 * dates, zero-padded codes padded, more than 15 significant digits rounded to 15. Returns
 * 0, or -1 when v is not a number. */
int xc_number(struct rbuf *out, const char *v, const struct xf *f, int date1904);

/* --- xlsx_read.c: the sheet, row by row --- */
struct xlr;
/* Opens the workbook of src (after xlr_sniff said 1) and its worksheet sheet (NULL: the
 * first). Errors (not a workbook, no such sheet, hostile parts) name src->name. */
int xlr_open(struct rec_src *src, const char *sheet, size_t max_field, struct xlr **out,
             struct qs_err *e);
/* As csvr_read: the next non-empty row after the header row; *line gets its row number. */
int xlr_read(struct xlr *x, struct rec *out, long *line, struct qs_err *e);
/* The header row's names (NULL before the header is read). */
const char *const *xlr_columns(const struct xlr *x, size_t *n);
/* The worksheet's name. */
const char *xlr_sheet(const struct xlr *x);
/* The sheet column before the header's first (0 when the table starts in column A). */
long xlr_column_base(const struct xlr *x);
void xlr_free(struct xlr *x);

/* --- jsonl.c --- */
struct jlr;
struct jlr *jlr_new(struct rec_src *src, size_t max_field);
int jlr_read(struct jlr *j, struct rec *out, long *line, struct qs_err *e);
void jlr_free(struct jlr *j);
/* Appends s[0..n) as a JSON string (quotes included, UTF-8 kept, controls escaped). */
void jl_put_string(struct rbuf *b, const char *s, size_t n);
/* Appends one field's JSON value (REC_STR quoted, others as their JSON text). */
void jl_put_value(struct rbuf *b, const struct rec_field *f);

/* --- the writer, shared by csv_write.c, jsonl.c and table.c --- */
struct rec_table;
struct rec_writer {
    FILE *fp;
    enum rec_format fmt;
    enum rec_enc enc;
    int replace;
    int bom, excel_safe; /* as in rec_writer_opts */
    char **cols;         /* the columns, owned; NULL until known */
    size_t ncols;
    int started;                  /* header written (CSV) */
    struct rec_names colset;      /* cols, once known */
    const struct rec_field **map; /* per column, the field of the record being written */
    struct rbuf line, tmp;
    iconv_t cd; /* UTF-8 -> CP932 for CSV, or (iconv_t)-1 */
    struct rec_table *tab;
    struct xlw *xl; /* REC_XLSX: the workbook being written (xlsx_write.c) */
};
/* 1 + the column of field name, the k-th field of its record, or 0 when it is none;
 * fast when the record's fields are in column order. */
size_t rec_writer_col(const struct rec_writer *w, const char *name, size_t k);
/* Points w->map[i] at the field of r for column i (NULL when r lacks it). */
void rec_writer_map(struct rec_writer *w, const struct rec *r);
/* Writes b to w->fp and empties b; QS_E_IO on failure. */
int rec_out(struct rec_writer *w, struct rbuf *b, struct qs_err *e);
/* The text s[0..n) is one Excel could run as a formula (rec_writer_opts.excel_safe). */
int rec_excel_formula(const char *s, size_t n);
int csvw_write(struct rec_writer *w, const struct rec *r, struct qs_err *e);
/* Writes the header if not written yet (also for an empty result with fixed columns). */
int csvw_header(struct rec_writer *w, struct qs_err *e);
int jlw_write(struct rec_writer *w, const struct rec *r, struct qs_err *e);
void tab_add(struct rec_writer *w, const struct rec *r);
int tab_flush(struct rec_writer *w, struct qs_err *e);
void tab_free(struct rec_table *t);
/* Display cells of UTF-8 text s[0..n) on a terminal (East Asian wide = 2). */
size_t tab_width(const char *s, size_t n);
/* xlsx_write.c: starts w->xl, a workbook in a temporary file (rec_xlsx_target first). */
int xlw_open(struct rec_writer *w, const struct rec_writer_opts *o, struct qs_err *e);
/* Writes one record as a row (the header row first). */
int xlw_write(struct rec_writer *w, const struct rec *r, struct qs_err *e);
/* Finishes the workbook and copies it into w->fp (when w->fp is set and nothing broke),
 * removes the temporary file on every path and frees w->xl; NULL w->xl is a no-op. */
int xlw_close(struct rec_writer *w, struct qs_err *e);

#endif

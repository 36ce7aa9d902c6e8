/* record: one record type that CSV, JSON Lines and the aligned table all
 * read and write (SPEC 1.2), so a command never cares which format it got. */
#ifndef QS_RECORD_H
#define QS_RECORD_H

#include <stddef.h>
#include <stdio.h>

#include "../err.h"

/* REC_XLSX: an Excel workbook (SPEC 1.2): read by content, written only to a file. */
enum rec_format { REC_CSV, REC_JSON, REC_TABLE, REC_XLSX };
enum rec_enc { REC_ENC_AUTO, REC_ENC_UTF8, REC_ENC_CP932 };

/* The kind of a value. CSV always reads REC_STR; JSON keeps its types;
 * REC_RAW is a nested JSON object or array kept as its compact JSON text. */
enum rec_type { REC_STR, REC_NUM, REC_BOOL, REC_NULL, REC_RAW };

struct rec_field {
    char *name;
    /* UTF-8, NUL-terminated; for REC_NUM/REC_BOOL/REC_RAW its JSON text; "" for NULL */
    char *value;
    size_t len; /* strlen(value) */
    enum rec_type type;
};

/* An ordered set of named fields. Owns its strings. Change it only through rec_*:
 * buffers past n are kept for reuse (see record.c). */
struct rec {
    struct rec_field *f;
    size_t n, cap;
};

/* Returns a new empty record; free with rec_free. */
struct rec *rec_new(void);
/* Frees r and its strings; rec_free(NULL) is a no-op. */
void rec_free(struct rec *r);
/* Empties r, keeping its allocations for reuse. */
void rec_clear(struct rec *r);
/* Sets field name to a copy of value (REC_STR), replacing an existing field of that name
 * in place or appending. */
void rec_set(struct rec *r, const char *name, const char *value);
/* As rec_set with an explicit type. */
void rec_set_typed(struct rec *r, const char *name, const char *value, enum rec_type type);
/* The value of field name, or NULL when r has no such field. */
const char *rec_get(const struct rec *r, const char *name);
/* The field called name, or NULL. */
const struct rec_field *rec_field(const struct rec *r, const char *name);
/* r as one compact JSON object, fields in order (as a JSON Lines line without its LF).
 * Returns a malloc'd string; the caller frees it. */
char *rec_to_json(const struct rec *r);

/* The most columns a CSV header, or keys a JSON Lines object, may have; past it the reader
 * stops with QS_E_DATA (issue 8 item 3). */
#define REC_MAX_COLUMNS 4096

struct rec_reader_opts {
    enum rec_enc enc; /* input encoding (--encoding); REC_ENC_AUTO by default */
    size_t max_field; /* longest field accepted in bytes; 0 = default (1 MiB) */
    /* --sheet: the worksheet of an .xlsx input to read; NULL = the first. QS_E_DATA when
     * the input is not a workbook: the wrong file was given, and is not read. */
    const char *sheet;
    /* --encoding auto on a regular file: when its first 256 KiB hold UTF-8 lines and no
     * other, read it as UTF-8 in one pass instead of validating the whole file first; a
     * later invalid byte still refuses it, with the same message, but as rec_read's
     * error at that point, after the records before it were returned. */
    int utf8_first;
    /* Records are read in a second thread, ahead of the caller (issue 16: the import
     * checks and stores a record while the next ones are parsed); only from a regular
     * file, which never leaves the thread waiting for input. Nothing else changes: the
     * same records, lines and errors, in the same order. */
    int ahead;
};

struct rec_reader;
/* Opens a streaming reader on fp, named name in messages ("-" for stdin).
 * Detects an .xlsx workbook (a ZIP holding xl/workbook.xml), else CSV (with header) or JSON
 * Lines from the first byte. Does not close fp. */
int rec_reader_open(FILE *fp, const char *name, const struct rec_reader_opts *o,
                    struct rec_reader **out, struct qs_err *e);
/* Reads the next record into out (cleared first). Returns 1 on a record, 0 at end of
 * input, a negative QS_E_* (QS_E_DATA for bad input, with file:line:col) on error. */
int rec_read(struct rec_reader *r, struct rec *out, struct qs_err *e);
/* Line on which the record last returned by rec_read starts (1-based). */
long rec_reader_line(const struct rec_reader *r);
/* The format detected (REC_CSV, REC_JSON or REC_XLSX); valid after the first rec_read. A
 * workbook reads as CSV does: its header row names the columns, every value is REC_STR,
 * rec_reader_line is the sheet's row number and a column's index is its sheet column. */
enum rec_format rec_reader_format(const struct rec_reader *r);
/* The worksheet being read, or NULL for CSV and JSON Lines (valid after the first
 * rec_read). Owned by r. Messages about a record name it with err_at_sheet. */
const char *rec_reader_sheet(const struct rec_reader *r);
/* The CSV header's (or the sheet's header row's) column names, in order (*n of them); NULL
 * with *n = 0 for JSON Lines or before the first rec_read. Owned by r. */
const char *const *rec_reader_columns(const struct rec_reader *r, size_t *n);
/* The column of header column name as the input numbers it (1-based: the CSV field, the
 * sheet column of a workbook), or 0 (JSON Lines, before the first rec_read, or no such
 * column). */
size_t rec_reader_column_index(const struct rec_reader *r, const char *name);
/* What to add to a header position (1-based) to get the input's column number: 0, or for
 * a workbook whose table starts right of column A, the columns before it. */
size_t rec_reader_column_base(const struct rec_reader *r);
/* Writes the spreadsheet letters of 1-based column col (1 = A, 26 = Z, 27 = AA) into
 * buf (at least 8 bytes) and returns buf; "?" for 0. */
char *rec_col_letters(size_t col, char *buf, size_t size);
/* The input file name given to rec_reader_open. */
const char *rec_reader_name(const struct rec_reader *r);
/* Frees r; rec_reader_close(NULL) is a no-op. */
void rec_reader_close(struct rec_reader *r);

struct rec_writer_opts {
    enum rec_format fmt;    /* output format */
    enum rec_enc enc;       /* REC_ENC_UTF8 (default) or REC_ENC_CP932 for CSV */
    int replace_unmappable; /* --encoding-errors=replace: write '?' for what CP932 lacks */
    /* --bom: UTF-8 CSV starts with a byte-order mark (EF BB BF), which tells Excel the file
     * is UTF-8; written with the header. No effect on CP932, JSON Lines or the table. */
    int bom;
    /* --excel-safe: in CSV and the table, a cell (the header's too) whose text starts with
     * '=', '+', '-', '@', TAB or CR is written with a leading "'", so that Excel shows it
     * as text and never runs it as a formula; except a plain number, text matching
     * ^[+-]?[0-9]+(\.[0-9]+)?$ ("-5", "+81", "-1.50"), which is written as it is. */
    int excel_safe;
    /* REC_XLSX: the columns (NULL-terminated names) always written as text cells -- the
     * code columns of a QSM form. Elsewhere a value is a number cell only when it matches
     * ^-?(0|[1-9][0-9]*)(\.[0-9]+)?$ with at most 11 digits before the point and 15
     * significant digits (so "00001" and "300000154634" stay text); an empty value is no
     * cell; a string is never a formula. The excel_safe tick is not used: no cell of a
     * workbook runs as a formula. */
    const char *const *text_columns;
};

struct rec_writer;
/* Opens a writer on fp. columns (may be NULL) fixes the CSV/table/xlsx columns; when NULL
 * they are taken from the first record written. Does not close fp. REC_XLSX needs fp to be
 * a file (rec_xlsx_target); the workbook is built in a temporary file under $TMPDIR (or
 * /tmp) and copied into fp by rec_writer_close. */
int rec_writer_open(FILE *fp, const struct rec_writer_opts *o, const char *const *columns,
                    size_t ncolumns, struct rec_writer **out, struct qs_err *e);
/* Writes one record (fields missing from it are written empty; extra fields are
 * ignored for CSV/table, kept for JSON). */
int rec_write(struct rec_writer *w, const struct rec *r, struct qs_err *e);
/* Flushes (the table and the workbook are written here) and frees w. Returns 0 or
 * QS_E_IO. */
int rec_writer_close(struct rec_writer *w, struct qs_err *e);
/* 0 when fp can take a workbook: QS_E_USAGE for a terminal, pipe, socket or character
 * device ("--format xlsx writes a workbook, which needs a file..."), QS_E_IO when fp cannot
 * be examined. */
int rec_xlsx_target(FILE *fp, struct qs_err *e);

/* Parses "csv", "json", "table" or "xlsx" into *out; returns 0 or -1. */
int rec_format_parse(const char *s, enum rec_format *out);
/* Parses "auto", "utf-8"/"utf8" or "cp932"/"shift_jis"/"sjis" into *out; returns 0 or -1. */
int rec_enc_parse(const char *s, enum rec_enc *out);

#endif

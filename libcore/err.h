/* err: the one error type of libcore, and the exit codes of SPEC 1.3. */
#ifndef QS_ERR_H
#define QS_ERR_H

#include <stdarg.h>

/* Exit codes (SPEC 1.3). A failing libcore call returns the negated code. */
enum qs_exit {
    QS_EX_OK = 0,
    QS_EX_FAIL = 1,         /* the job ran, some records failed */
    QS_EX_USAGE = 64,       /* usage error */
    QS_EX_DATAERR = 65,     /* bad input data, nothing written */
    QS_EX_UNAVAILABLE = 69, /* marketplace or mail server unavailable */
    QS_EX_SOFTWARE = 70,    /* internal error */
    QS_EX_IOERR = 74,       /* I/O error */
    QS_EX_TEMPFAIL = 75,    /* temporary failure, safe to retry */
};

#define QS_E_FAIL        (-QS_EX_FAIL)
#define QS_E_USAGE       (-QS_EX_USAGE)
#define QS_E_DATA        (-QS_EX_DATAERR)
#define QS_E_UNAVAILABLE (-QS_EX_UNAVAILABLE)
#define QS_E_SOFTWARE    (-QS_EX_SOFTWARE)
#define QS_E_IO          (-QS_EX_IOERR)
#define QS_E_TEMP        (-QS_EX_TEMPFAIL)

/* Where and why something failed. Fixed buffers: no ownership to track. */
struct qs_err {
    int code;         /* one of QS_E_*, 0 when clear */
    char msg[1024];   /* lower-case message, no location, no rule id */
    char file[256];   /* input file name ("-" for stdin), "" if none */
    long line;        /* 1-based line in file, 0 if unknown */
    long col;         /* 1-based column (field number for CSV), 0 if unknown */
    char sheet[64];   /* the worksheet of an .xlsx file ("Sheet1"), "" for text input */
    char record[128]; /* record id (SKU, order number...), "" if none */
    char rule[32];    /* SPEC rule id ("R-IMP-4"), "" if none */
};

/* Clears e (e may be NULL). */
void err_clear(struct qs_err *e);
/* Fills e's code, rule (may be NULL) and message; returns code. e may be NULL. */
int err_set(struct qs_err *e, int code, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int err_setv(struct qs_err *e, int code, const char *rule, const char *fmt, va_list ap);
/* Sets the location of e (file may be NULL to keep the current one, and its sheet); a new
 * file clears the sheet. */
void err_at(struct qs_err *e, const char *file, long line, long col);
/* As err_at, in worksheet sheet of file (NULL or "": a text file): line is the sheet's row,
 * col its column (1 = A), and the location is written "file:Sheet1!M12" (SPEC 1.2). */
void err_at_sheet(struct qs_err *e, const char *file, const char *sheet, long line, long col);
/* Sets the record id of e. */
void err_record(struct qs_err *e, const char *record);
/* Formats "PROG: FILE:LINE:COL: RECORD: MSG (RULE)" into buf; returns buf. In a worksheet
 * the location is "FILE:SHEET!M12" (a cell) or "FILE:SHEET!12:12" (a whole row, Excel's
 * own notation), the sheet quoted as Excel quotes it ('My sheet'!A1) when it must be. */
char *err_format(const struct qs_err *e, const char *prog, char *buf, unsigned long size);
/* Rewrites the text in buf (size bytes) for a terminal: each control character -- C0 and
 * DEL as \xHH, C1 as \u00HH -- so that no input can move the cursor, clear the screen or
 * retitle the window through a message; cut at a character when it no longer fits. err_format
 * does so. Returns buf. */
char *err_safe(char *buf, unsigned long size);
/* The exit code for a (negative) libcore return value. */
int err_exit_code(int rc);

#endif

/* text: checks and small normalisations of text cells, shared by every command that
 * reads text from the user and sends it to the marketplace or stores it as a number or
 * a code -- control characters (issue 8 item 15), full-width digits and Excel's
 * scientific notation (SPEC 1.2), and how a message names a cell (issue 8 item 17).
 * Pure functions: O(length), no allocation. */
#ifndef QS_TEXT_H
#define QS_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

/* What a text field may hold besides printable characters. */
enum text_kind {
    TEXT_LINE,  /* one line: no control character at all (titles, codes, carriers) */
    TEXT_LINES, /* multi-line text: TAB, LF and CR allowed (descriptions, note bodies) */
};

/* The first control character of UTF-8 s[0..n) that kind does not allow: C0 controls
 * (U+0000-U+001F), DEL (U+007F) and C1 controls (U+0080-U+009F). Returns its byte
 * offset, with its code point in *cp, or -1 when there is none. */
long text_ctl_find(const char *s, size_t n, enum text_kind kind, unsigned *cp);
/* When s[0..n) holds a control character kind does not allow, writes what is wrong into
 * buf ("holds the control character U+0007 (bell) at character 5; remove it") and
 * returns 1; else returns 0. The one wording of the check (issue 8 item 15). */
int text_ctl_describe(const char *s, size_t n, enum text_kind kind, char *buf, size_t size);
/* text_ctl_describe for a NUL-terminated field named what ("title", "carrier"): 0, or
 * QS_E_DATA with "the WHAT holds the control character ..." in e (rule rule, may be
 * NULL). */
int text_ctl_check(const char *what, const char *s, enum text_kind kind, const char *rule,
                   struct qs_err *e);

/* Copies the number cell s[0..n) to out (NUL-terminated), full-width digits, comma,
 * period, plus and minus (U+FF10-U+FF19, U+FF0C, U+FF0E, U+FF0B, U+FF0D) turned into
 * ASCII, any other byte kept. Returns the length written, or -1 when it does not fit. */
long text_ascii_number(const char *s, size_t n, char *out, size_t size);
/* 1 when s[0..n) is a number in the scientific notation Excel shows a long code in
 * ("3.00001E+11", "4.9E+12"): digits, optionally '.' and digits, 'E' or 'e', '+' and
 * digits. Such a cell has lost the code's digits (SPEC 1.2). */
int text_sci_number(const char *s, size_t n);
/* The message for a code cell in scientific notation (text_sci_number), without the
 * value: "is a number in scientific notation ...". */
extern const char text_sci_why[];
/* 1 when s[0..n) is one of Excel's error values (#N/A, #VALUE!, #REF!, #DIV/0!, #NUM!,
 * #NAME?, #NULL!, #SPILL!, #CALC!, #GETTING_DATA; any case): a failed formula's display,
 * never a code (SPEC 1.2). */
int text_xl_error(const char *s, size_t n);
extern const char text_xl_error_why[];
/* Why the code cell s[0..n) is what Excel made of a code -- text_sci_why or
 * text_xl_error_why -- or NULL when it is not. */
const char *text_code_why(const char *s, size_t n);

/* An Excel cell holds at most this many characters (UTF-16 units): a field of a QSM
 * form qs writes must fit (SPEC 1.7). */
#define TEXT_CELL_MAX 32767
/* What a cell of a QSM form qs writes must be: within TEXT_CELL_MAX UTF-16 units and
 * without a control character kind does not allow. When s[0..n) is not, writes what is
 * wrong into buf ("is N characters, more than ...", or text_ctl_describe's words) and
 * returns 1; else returns 0. */
int text_form_cell_describe(const char *s, size_t n, enum text_kind kind, char *buf, size_t size);

/* Writes how a message names a cell into buf and returns buf: "column M (Price)" for
 * CSV column col (1-based, spreadsheet letters) named name, "column M" when name is
 * NULL, or "field \"price\"" when col is 0 (JSON Lines). */
const char *text_where(size_t col, const char *name, char *buf, size_t size);
/* s[0..n) for a message, into buf (size >= 16): at most about 60 bytes, cut at a character
 * boundary with "...", CR and LF as \r \n, other control characters as \xHH, '"' as \".
 * Returns buf. */
const char *text_show(const char *s, size_t n, char *buf, size_t size);

/* Writes s (UTF-8; NULL: nothing) to fp as HTML text, also safe inside a quoted attribute:
 * & < > " ' escaped, other control characters but tab and newline written as spaces. */
void text_html_escape(FILE *fp, const char *s);

/* A header label as QSM's forms are read: equal ignoring ASCII case and spaces. */
int text_label_eq(const char *a, const char *b);
/* The column c whose labels[c] (up to 3, NULL-terminated) hold name by text_label_eq;
 * -1 when none does. */
int text_label_col(const char *name, const char *const labels[][4], int ncols);
#endif

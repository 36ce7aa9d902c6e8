/* fuzz: what the libFuzzer targets of tests/fuzz/ share (SPEC 8). Each fuzz_<target>.c
 * defines LLVMFuzzerTestOneInput. A -Dfuzz=true build (clang) links it with libFuzzer;
 * every build links it with replay.c too, which runs it on the files of
 * tests/fuzz/corpus/<target>/ and tests/fuzz/regress/<target>/ (see README). A target
 * abort()s (FUZZ_CHECK) when an invariant breaks, so a wrong result is a finding as much
 * as a sanitizer report is. */
#ifndef QS_FUZZ_H
#define QS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "record/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts, naming the condition, when cond is false. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fuzz_fail(__FILE__, __LINE__, #cond);                                                  \
    } while (0)
_Noreturn void fuzz_fail(const char *file, int line, const char *what);

/* How a reader target reads its input. The input's first byte chooses (as its low three
 * bits, so the digits '0'-'7' name every choice): bits 0-1 the encoding (0 and 3 auto,
 * 1 utf-8, 2 cp932), bit 2 a pipe (fmemopen: no fstat, read line by line) rather than
 * a regular file (memfd_create: fstat says S_ISREG, read in chunks, seekable). The rest
 * of the input is the file's content. */
struct fuzz_in {
    enum rec_enc enc;
    int pipe;
    const uint8_t *data;
    size_t size;
};
/* Splits data into the choice byte and the content; -1 for an empty input. */
int fuzz_in_parse(const uint8_t *data, size_t size, struct fuzz_in *in);
/* Opens the content the way in says; never NULL (aborts). Close with fclose. */
FILE *fuzz_open(const struct fuzz_in *in);
/* Opens buf[0..n) as a regular file (pipe 0) or a pipe-like stream (pipe 1). */
FILE *fuzz_open_bytes(const void *buf, size_t n, int pipe);
/* 1 when s[0..n) is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF);
 * written here, not taken from libcore, so it checks libcore rather than itself. */
int fuzz_utf8_valid(const char *s, size_t n);
/* 1 when the record reader will take s[0..n) for JSON Lines: its first byte after an
 * optional UTF-8 BOM and white space is '{' (SPEC 1.2). */
int fuzz_looks_json(const uint8_t *s, size_t n);
/* 1 when s[0..n) starts as a ZIP does (a local file header, "PK\3\4"): what the record
 * reader takes for an .xlsx workbook (SPEC 1.2), fuzz_xlsx_read's inputs. */
int fuzz_looks_zip(const uint8_t *s, size_t n);
/* Reads fp (called name) with the record reader in encoding enc up to its end or its
 * first error, calling each (may be NULL) on every record -- which must have names and
 * values of NUL-terminated UTF-8 with len == strlen(value) --, and checks how the input
 * ends: 0 and nothing more, or an error that has a message, names the file and comes
 * again on the next read. Returns that 0 or error. */
int fuzz_read(FILE *fp, enum rec_enc enc, const char *name,
              void (*each)(struct rec_reader *r, const struct rec *rec, void *ctx), void *ctx);
/* As fuzz_read, with the reader options o (o->sheet: --sheet). */
int fuzz_read_opts(FILE *fp, const struct rec_reader_opts *o, const char *name,
                   void (*each)(struct rec_reader *r, const struct rec *rec, void *ctx), void *ctx);
/* A malloc'd copy of data[0..size) and two NUL bytes: the first string of an input of
 * two NUL-separated ones; *second gets the second. */
char *fuzz_two_strings(const uint8_t *data, size_t size, char **second);

#endif

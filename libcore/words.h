/* words: the sensitive word list (R-IMP-10) -- kept in the store, replaced by
 * `qs import words FILE`, matched against a product's title, description and
 * tags by `qs import products` and `qs publish check`.
 *
 * Table (owned by this module; migration in schema.c), store-wide:
 *   sensitive_word (key PRIMARY KEY -- the word with ASCII folded to lower case,
 *                   word -- as given, added_at) */
#ifndef QS_WORDS_H
#define QS_WORDS_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "record.h"
#include "store.h"

struct words;

/* Builds a matcher from n words (each UTF-8, NUL-terminated). Returns a new matcher;
 * free with words_free. */
struct words *words_new(const char *const *list, size_t n);
/* Loads the store's word list into a new matcher (*out, never NULL on success). */
int words_load(struct store *s, struct words **out, struct qs_err *e);
/* Frees w; words_free(NULL) is a no-op. */
void words_free(struct words *w);
/* The number of words of w. */
size_t words_count(const struct words *w);
/* R-IMP-10: finds the words of w in text[0..n), ASCII letters matched without regard
 * to case, any other character exactly, anywhere in the text (substrings too). Calls
 * fn(ctx, word) once per word found, in the order of their first occurrence. Returns
 * the number of words found. */
int words_scan(struct words *w, const char *text, size_t n, void (*fn)(void *ctx, const char *word),
               void *ctx);

/* One hit of words_check: the field ("title", "description", "tags") and the word. */
typedef void (*words_hit_fn)(void *ctx, const char *field, const char *word);
/* R-IMP-10: scans a product's title, description and tags (each may be NULL) and
 * calls fn for each word found, with the field it was found in. Returns the number of
 * hits. The one check `qs import products` and `qs publish check` share. */
int words_check(struct words *w, const char *title, const char *description, const char *tags,
                words_hit_fn fn, void *ctx);

/* R-IMP-10: replaces the store's word list with the words read from fp: a "word"
 * column, else the first column, or a plain list of one word per line. Words are
 * trimmed; empty ones and lines starting with '#' are skipped; repeats (ASCII case
 * folded) are kept once. *count gets the number of words now in the list. */
int words_import(struct store *s, FILE *fp, const char *name, enum rec_enc enc, long *count,
                 struct qs_err *e);

#endif

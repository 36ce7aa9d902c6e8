/* rec: the record type and what the readers and writers of every format share (the
 * name set, column letters, the writer's column map and output); below record.c's front
 * ends and the format files, so that they all depend on it and not on each other. */
#include "record.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "record_int.h"
#include "../xalloc.h"

/*
 * Streaming code clears and refills one record per row, so a cleared record keeps
 * every name and value buffer. Their capacities live after f[cap - 1], in the same
 * allocation as f, so struct rec_field stays as declared in record.h:
 * caps[2 * i] is the size of f[i].name's buffer, caps[2 * i + 1] of f[i].value's.
 */
static size_t *rec_caps(const struct rec *r)
{
    return (size_t *)(void *)(r->f + r->cap);
}

static void rec_grow(struct rec *r)
{
    size_t cap = r->cap ? r->cap * 2 : 16;
    size_t slot = sizeof(struct rec_field) + 2 * sizeof(size_t);
    struct rec_field *f = xcalloc(cap, slot);
    size_t *caps = (size_t *)(void *)(f + cap);
    if (r->cap) {
        memcpy(f, r->f, r->cap * sizeof *f);
        memcpy(caps, rec_caps(r), 2 * r->cap * sizeof *caps);
    }
    free(r->f);
    r->f = f;
    r->cap = cap;
}

/* Copies s[0..n) into *dst, whose buffer holds *cap bytes, growing it if needed. */
static void slot_copy(char **dst, size_t *cap, const char *s, size_t n)
{
    if (*cap < n + 1) {
        size_t c = *cap ? *cap : 16;
        while (c < n + 1)
            c *= 2;
        free(*dst);
        *dst = xmalloc(c);
        *cap = c;
    }
    if (n)
        memmove(*dst, s, n);
    (*dst)[n] = '\0';
}

struct rec *rec_new(void)
{
    return xcalloc(1, sizeof(struct rec));
}

void rec_free(struct rec *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->cap; i++) {
        free(r->f[i].name);
        free(r->f[i].value);
    }
    free(r->f);
    free(r);
}

void rec_clear(struct rec *r)
{
    r->n = 0;
}

size_t rec_held(const struct rec *r)
{
    size_t n = 0;
    for (size_t i = 0; i < 2 * r->cap; i++)
        n += rec_caps(r)[i];
    return n;
}

void rec_push(struct rec *r, const char *name, size_t nlen, const char *value, size_t vlen,
              enum rec_type type)
{
    if (r->n == r->cap)
        rec_grow(r);
    size_t *caps = rec_caps(r);
    struct rec_field *f = &r->f[r->n];
    /* A CSV row has the same names as the last one: keep the name when it matches. */
    if (!f->name || strncmp(f->name, name, nlen) != 0 || f->name[nlen] != '\0')
        slot_copy(&f->name, &caps[2 * r->n], name, nlen);
    slot_copy(&f->value, &caps[2 * r->n + 1], value, vlen);
    f->len = vlen;
    f->type = type;
    r->n++;
}

void rec_set_typed(struct rec *r, const char *name, const char *value, enum rec_type type)
{
    if (!value)
        value = "";
    size_t vlen = strlen(value);
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->f[i].name, name) == 0) {
            slot_copy(&r->f[i].value, &rec_caps(r)[2 * i + 1], value, vlen);
            r->f[i].len = vlen;
            r->f[i].type = type;
            return;
        }
    }
    rec_push(r, name, strlen(name), value, vlen, type);
}

void rec_set(struct rec *r, const char *name, const char *value)
{
    rec_set_typed(r, name, value, REC_STR);
}

const struct rec_field *rec_field(const struct rec *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->f[i].name, name) == 0)
            return &r->f[i];
    return NULL;
}

const char *rec_get(const struct rec *r, const char *name)
{
    const struct rec_field *f = rec_field(r, name);
    return f ? f->value : NULL;
}

/* FNV-1a. */
static size_t names_hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

void rec_names_init(struct rec_names *h, const char *const *names, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    h->names = names;
    h->slot = xcalloc(cap, sizeof *h->slot);
    h->mask = cap - 1;
}

/* The slot holding name, or the empty slot where it would go. */
static size_t *names_slot(const struct rec_names *h, const char *name)
{
    size_t i = names_hash(name) & h->mask;
    while (h->slot[i] && strcmp(h->names[h->slot[i] - 1], name) != 0)
        i = (i + 1) & h->mask;
    return &h->slot[i];
}

size_t rec_names_add(struct rec_names *h, size_t i)
{
    size_t *slot = names_slot(h, h->names[i]);
    if (*slot)
        return *slot;
    *slot = i + 1;
    return 0;
}

size_t rec_names_find(const struct rec_names *h, const char *name)
{
    return h->slot ? *names_slot(h, name) : 0;
}

void rec_names_free(struct rec_names *h)
{
    free(h->slot);
    h->slot = NULL;
}

int rec_format_parse(const char *s, enum rec_format *out)
{
    if (strcmp(s, "csv") == 0)
        *out = REC_CSV;
    else if (strcmp(s, "json") == 0)
        *out = REC_JSON;
    else if (strcmp(s, "table") == 0)
        *out = REC_TABLE;
    else if (strcmp(s, "xlsx") == 0)
        *out = REC_XLSX;
    else
        return -1;
    return 0;
}

int rec_enc_parse(const char *s, enum rec_enc *out)
{
    if (strcasecmp(s, "auto") == 0)
        *out = REC_ENC_AUTO;
    else if (strcasecmp(s, "utf-8") == 0 || strcasecmp(s, "utf8") == 0)
        *out = REC_ENC_UTF8;
    else if (strcasecmp(s, "cp932") == 0 || strcasecmp(s, "shift_jis") == 0 ||
             strcasecmp(s, "sjis") == 0)
        *out = REC_ENC_CP932;
    else
        return -1;
    return 0;
}

int rec_err_empty(struct qs_err *e, const char *name)
{
    /* Issue 8 item 14: 0 bytes or blank lines are a mistake (a wrong file, a failed
     * download), not a set of no records; a header alone is that. */
    err_set(e, QS_E_DATA, NULL, "no header: the input is empty");
    err_at(e, name, 0, 0);
    return QS_E_DATA;
}

char *rec_col_letters(size_t col, char *buf, size_t size)
{
    char tmp[24];
    size_t n = 0, k = 0;
    if (col == 0) {
        snprintf(buf, size, "?");
        return buf;
    }
    /* Bijective base 26, as spreadsheets number their columns. */
    for (; col > 0 && n < sizeof tmp; col = (col - 1) / 26)
        tmp[n++] = (char)('A' + (col - 1) % 26);
    for (; k < n && k + 1 < size; k++)
        buf[k] = tmp[n - 1 - k];
    buf[k] = '\0';
    return buf;
}

size_t rec_writer_col(const struct rec_writer *w, const char *name, size_t k)
{
    if (k < w->ncols && strcmp(w->cols[k], name) == 0)
        return k + 1;
    return rec_names_find(&w->colset, name);
}

void rec_writer_map(struct rec_writer *w, const struct rec *r)
{
    for (size_t i = 0; i < w->ncols; i++)
        w->map[i] = NULL;
    /* Backwards, so that of two fields of one name the first is written. */
    for (size_t k = r->n; k-- > 0;) {
        size_t i = rec_writer_col(w, r->f[k].name, k);
        if (i)
            w->map[i - 1] = &r->f[k];
    }
}

int rec_out(struct rec_writer *w, struct rbuf *b, struct qs_err *e)
{
    if (b->len && fwrite(b->p, 1, b->len, w->fp) != b->len) {
        b->len = 0;
        return err_set(e, QS_E_IO, NULL, "write error: %s", strerror(errno));
    }
    b->len = 0;
    return 0;
}

/* jsonl: JSON Lines in and out (SPEC 1.2) on jansson. One object per line; its keys in
 * order become the fields. Numbers and nested values keep the text they were written
 * with (jansson only validates and decodes strings), so "1.50" or a 20-digit code
 * comes back out exactly as it came in. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "record_int.h"

struct jlr {
    struct rec_src *src;
    size_t max_field;
    size_t max_line; /* a line is not buffered past this */
    long line;       /* the next line's number */
    size_t scanned;  /* bytes of the partial line at src->buf + src->pos searched for LF */
    int done;
    struct rbuf tmp;
};

struct jlr *jlr_new(struct rec_src *src, size_t max_field)
{
    struct jlr *j = xcalloc(1, sizeof *j);
    j->src = src;
    j->max_field = max_field;
    j->max_line = 8 * max_field + 64 * 1024;
    j->line = 1;
    return j;
}

void jlr_free(struct jlr *j)
{
    if (!j)
        return;
    rbuf_free(&j->tmp);
    free(j);
}

static int jl_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t jl_skip_ws(const char *p, size_t i, size_t n)
{
    while (i < n && jl_ws(p[i]))
        i++;
    return i;
}

static size_t jl_skip_string(const char *p, size_t i, size_t n)
{
    for (i++; i < n && p[i] != '"'; i++)
        if (p[i] == '\\')
            i++;
    return i + 1;
}

/* The end of the value starting at p[i]; p is JSON that jansson has accepted. */
static size_t jl_skip_value(const char *p, size_t i, size_t n)
{
    if (p[i] == '"')
        return jl_skip_string(p, i, n);
    if (p[i] == '{' || p[i] == '[') {
        int depth = 0;
        while (i < n) {
            char c = p[i];
            if (c == '"') {
                i = jl_skip_string(p, i, n);
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if ((c == '}' || c == ']') && --depth == 0)
                return i + 1;
            i++;
        }
        return i;
    }
    while (i < n && p[i] != ',' && p[i] != '}' && p[i] != ']' && !jl_ws(p[i]))
        i++;
    return i;
}

/* Copies JSON text p[0..n) to b without the white space outside strings. */
static void jl_compact(struct rbuf *b, const char *p, size_t n)
{
    b->len = 0;
    rbuf_need(b, n + 1);
    for (size_t i = 0; i < n;) {
        if (p[i] == '"') {
            size_t end = jl_skip_string(p, i, n);
            memcpy(b->p + b->len, p + i, end - i);
            b->len += end - i;
            i = end;
        } else {
            if (!jl_ws(p[i]))
                b->p[b->len++] = p[i];
            i++;
        }
    }
}

static int jl_err(struct jlr *j, struct qs_err *e, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int jl_err(struct jlr *j, struct qs_err *e, long line, long col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(e, QS_E_DATA, NULL, fmt, ap);
    va_end(ap);
    err_at(e, j->src->name, line, col);
    return QS_E_DATA;
}

/* Parses one line p[0..n) into out. */
static int jl_parse(struct jlr *j, const char *p, size_t n, long line, struct rec *out,
                    struct qs_err *e)
{
    json_error_t je;
    int rc = 0;
    /* Integers as reals: jansson then accepts integers past 64 bits; the text is kept. */
    json_t *root = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &je);
    if (!root)
        return jl_err(j, e, line, je.column > 0 ? je.column : 1, "invalid JSON: %s", je.text);
    size_t i = jl_skip_ws(p, 0, n);
    if (!json_is_object(root)) {
        rc = jl_err(j, e, line, (long)i + 1, "line is not a JSON object");
        goto out;
    }
    if (json_object_size(root) > REC_MAX_COLUMNS) {
        rc = jl_err(j, e, line, (long)i + 1,
                    "the object has more than %d keys, the most qs reads; leave out the keys "
                    "you do not need",
                    REC_MAX_COLUMNS);
        goto out;
    }
    i = jl_skip_ws(p, i + 1, n);
    for (void *it = json_object_iter(root); it; it = json_object_iter_next(root, it)) {
        /* The members in the text are in the order jansson keeps them in. */
        i = jl_skip_ws(p, jl_skip_string(p, i, n), n) + 1;
        size_t vs = jl_skip_ws(p, i, n), ve = jl_skip_value(p, vs, n);
        i = jl_skip_ws(p, ve, n);
        if (i < n && p[i] == ',')
            i = jl_skip_ws(p, i + 1, n);

        const char *key = json_object_iter_key(it);
        json_t *v = json_object_iter_value(it);
        const char *val = p + vs;
        size_t len = ve - vs;
        enum rec_type type = REC_NUM;
        switch (json_typeof(v)) {
        case JSON_STRING:
            val = json_string_value(v);
            len = json_string_length(v);
            type = REC_STR;
            break;
        case JSON_TRUE:
        case JSON_FALSE:
            type = REC_BOOL;
            break;
        case JSON_NULL:
            val = "";
            len = 0;
            type = REC_NULL;
            break;
        case JSON_OBJECT:
        case JSON_ARRAY:
            jl_compact(&j->tmp, val, len);
            val = j->tmp.p;
            len = j->tmp.len;
            type = REC_RAW;
            break;
        default:
            break;
        }
        if (len > j->max_field) {
            rc = jl_err(j, e, line, (long)vs + 1, "field \"%s\" is longer than %zu bytes", key,
                        j->max_field);
            goto out;
        }
        rec_push(out, key, strlen(key), val, len, type);
    }
out:
    json_decref(root);
    return rc;
}

int jlr_read(struct jlr *j, struct rec *out, long *line, struct qs_err *e)
{
    struct rec_src *s = j->src;
    for (;;) {
        /* Taken afresh on every pass: src_more moves the text to the front of s->buf and
         * may reallocate it, so no pointer into it survives a call (issue 8 item 1). */
        char *start = s->buf + s->pos;
        size_t avail = s->len - s->pos, n, take;
        char *lf = avail ? memchr(start + j->scanned, '\n', avail - j->scanned) : NULL;
        if (lf) {
            n = (size_t)(lf - start);
            take = n + 1;
        } else if (!j->done) {
            if (avail > j->max_line)
                return jl_err(j, e, j->line, 1, "line is longer than %zu bytes", j->max_line);
            j->scanned = avail;
            int rc = src_more(s, e);
            if (rc < 0) {
                if (rc == QS_E_DATA && !s->located)
                    err_at(e, s->name, j->line, (long)avail + 1);
                return rc;
            }
            j->done = rc == 0;
            continue;
        } else if (avail == 0) {
            return 0;
        } else {
            n = take = avail; /* the last line lacks its LF */
        }
        j->scanned = 0;
        s->pos += take;
        long ln = j->line++;
        if (n && start[n - 1] == '\r')
            n--;
        size_t first = jl_skip_ws(start, 0, n);
        if (first == n)
            continue; /* blank line */
        if (n - first >= 3 && memcmp(start + first, REC_BOM, 3) == 0)
            return jl_err(j, e, ln, (long)first + 1, REC_BOM_MSG, "line");
        /* jansson stops at a NUL byte as at the end of a number ({"t":1<NUL>}); refuse
         * it as the CSV reader does (a NUL inside a string is \u0000, refused by jansson). */
        const char *nul = memchr(start, '\0', n);
        if (nul)
            return jl_err(j, e, ln, (long)(nul - start) + 1, "NUL byte in the input");
        int rc = jl_parse(j, start, n, ln, out, e);
        if (rc < 0)
            return rc;
        *line = ln;
        return 1;
    }
}

/* ---- writer ---- */

void jl_put_string(struct rbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;
    rbuf_need(b, n + 3);
    b->p[b->len++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rbuf_add(b, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', 0};
        switch (c) {
        case '"':
        case '\\':
            esc[1] = (char)c;
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            break;
        }
        rbuf_adds(b, esc);
    }
    rbuf_add(b, s + run, n - run);
    rbuf_addc(b, '"');
}

void jl_put_value(struct rbuf *b, const struct rec_field *f)
{
    if (f->type == REC_STR)
        jl_put_string(b, f->value, f->len);
    else if (f->type == REC_NULL || f->len == 0)
        rbuf_add(b, "null", 4);
    else
        rbuf_add(b, f->value, f->len);
}

static void jl_member(struct rbuf *b, const char *name, const struct rec_field *f, int first)
{
    if (!first)
        rbuf_addc(b, ',');
    jl_put_string(b, name, strlen(name));
    rbuf_addc(b, ':');
    if (f)
        jl_put_value(b, f);
    else
        rbuf_add(b, "\"\"", 2);
}

int jlw_write(struct rec_writer *w, const struct rec *r, struct qs_err *e)
{
    struct rbuf *b = &w->line;
    size_t n = 0;
    b->len = 0;
    rbuf_addc(b, '{');
    if (w->cols) {
        /* Fixed columns first (missing ones empty), then the record's other fields. */
        rec_writer_map(w, r);
        for (size_t i = 0; i < w->ncols; i++)
            jl_member(b, w->cols[i], w->map[i], n++ == 0);
        for (size_t k = 0; k < r->n; k++)
            if (!rec_writer_col(w, r->f[k].name, k))
                jl_member(b, r->f[k].name, &r->f[k], n++ == 0);
    } else {
        for (size_t k = 0; k < r->n; k++)
            jl_member(b, r->f[k].name, &r->f[k], n++ == 0);
    }
    rbuf_add(b, "}\n", 2);
    return rec_out(w, b, e);
}

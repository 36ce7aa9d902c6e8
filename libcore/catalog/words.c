/* words: owns the table sensitive_word; an Aho-Corasick matcher over bytes with ASCII
 * case folding, so a list of thousands of words costs one pass over each text. */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../text.h"
#include "../tm.h"
#include "../xalloc.h"

struct node {
    int child;   /* first child, or -1 */
    int sibling; /* next sibling, or -1 */
    int fail;    /* longest proper suffix that is a trie node */
    int word;    /* index of the word ending here, or -1 */
    int outlink; /* nearest node on the fail chain that ends a word, or -1 */
    unsigned char c;
};

struct words {
    char **list;
    size_t n;
    struct node *nodes;
    int nnodes, cap;
    int root_next[256]; /* the root's children by byte: the hot start of every match */
    unsigned *seen;     /* seen[i] == scan: word i already reported by this scan */
    unsigned scan;
};

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int node_new(struct words *w, unsigned char c)
{
    if (w->nnodes == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->nodes = xrealloc(w->nodes, (size_t)w->cap * sizeof *w->nodes);
    }
    struct node *n = &w->nodes[w->nnodes];
    n->child = n->sibling = n->outlink = n->word = -1;
    n->fail = 0;
    n->c = c;
    return w->nnodes++;
}

static int child_of(const struct words *w, int node, unsigned char c)
{
    if (node == 0)
        return w->root_next[c];
    for (int k = w->nodes[node].child; k >= 0; k = w->nodes[k].sibling)
        if (w->nodes[k].c == c)
            return k;
    return -1;
}

static void add_word(struct words *w, const char *s, int index)
{
    int cur = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = fold(*p);
        int next = child_of(w, cur, c);
        if (next < 0) {
            next = node_new(w, c);
            w->nodes[next].sibling = w->nodes[cur].child;
            w->nodes[cur].child = next;
            if (cur == 0)
                w->root_next[c] = next;
        }
        cur = next;
    }
    if (cur != 0 && w->nodes[cur].word < 0)
        w->nodes[cur].word = index;
}

/* Fail links breadth first (a queue of node indexes). */
static void link_fails(struct words *w)
{
    int *queue = xmalloc((size_t)w->nnodes * sizeof *queue);
    int head = 0, tail = 0;
    for (int k = w->nodes[0].child; k >= 0; k = w->nodes[k].sibling) {
        w->nodes[k].fail = 0;
        queue[tail++] = k;
    }
    while (head < tail) {
        int u = queue[head++];
        for (int v = w->nodes[u].child; v >= 0; v = w->nodes[v].sibling) {
            int f = w->nodes[u].fail, t;
            while ((t = child_of(w, f, w->nodes[v].c)) < 0 && f != 0)
                f = w->nodes[f].fail;
            w->nodes[v].fail = t >= 0 && t != v ? t : 0;
            int fl = w->nodes[v].fail;
            w->nodes[v].outlink = w->nodes[fl].word >= 0 ? fl : w->nodes[fl].outlink;
            queue[tail++] = v;
        }
    }
    free(queue);
}

struct words *words_new(const char *const *list, size_t n)
{
    struct words *w = xcalloc(1, sizeof *w);
    memset(w->root_next, -1, sizeof w->root_next);
    node_new(w, 0);
    w->list = xcalloc(n ? n : 1, sizeof *w->list);
    w->seen = xcalloc(n ? n : 1, sizeof *w->seen);
    for (size_t i = 0; i < n; i++) {
        w->list[i] = xstrdup(list[i]);
        add_word(w, list[i], (int)i);
    }
    w->n = n;
    link_fails(w);
    return w;
}

void words_free(struct words *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        free(w->list[i]);
    free(w->list);
    free(w->seen);
    free(w->nodes);
    free(w);
}

size_t words_count(const struct words *w)
{
    return w->n;
}

static int report(struct words *w, int word, void (*fn)(void *, const char *), void *ctx)
{
    if (w->seen[word] == w->scan)
        return 0;
    w->seen[word] = w->scan;
    if (fn)
        fn(ctx, w->list[word]);
    return 1;
}

int words_scan(struct words *w, const char *text, size_t n, void (*fn)(void *ctx, const char *word),
               void *ctx)
{
    int cur = 0, hits = 0;
    if (!w || w->n == 0)
        return 0;
    if (++w->scan == 0) { /* wrapped: forget every mark */
        memset(w->seen, 0, w->n * sizeof *w->seen);
        w->scan = 1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = fold((unsigned char)text[i]);
        int next;
        while ((next = child_of(w, cur, c)) < 0 && cur != 0)
            cur = w->nodes[cur].fail;
        cur = next < 0 ? 0 : next;
        if (w->nodes[cur].word >= 0)
            hits += report(w, w->nodes[cur].word, fn, ctx);
        for (int o = w->nodes[cur].outlink; o >= 0; o = w->nodes[o].outlink)
            hits += report(w, w->nodes[o].word, fn, ctx);
    }
    return hits;
}

struct check_ctx {
    words_hit_fn fn;
    void *ctx;
    const char *field;
};

static void check_hit(void *p, const char *word)
{
    struct check_ctx *c = p;
    if (c->fn)
        c->fn(c->ctx, c->field, word);
}

int words_check(struct words *w, const char *title, const char *description, const char *tags,
                words_hit_fn fn, void *ctx)
{
    const char *fields[3] = {"title", "description", "tags"};
    const char *text[3] = {title, description, tags};
    struct check_ctx c = {fn, ctx, NULL};
    int hits = 0;
    if (!w || w->n == 0)
        return 0;
    for (int i = 0; i < 3; i++) {
        if (!text[i])
            continue;
        c.field = fields[i];
        hits += words_scan(w, text[i], strlen(text[i]), check_hit, &c);
    }
    return hits;
}

/* ---- the store ---- */

int words_load(struct store *s, struct words **out, struct qs_err *e)
{
    sqlite3_stmt *st = NULL;
    char **list = NULL;
    size_t n = 0, cap = 0;
    int rc;

    *out = NULL;
    if (sqlite3_prepare_v2(store_db(s), "SELECT word FROM sensitive_word ORDER BY key", -1, &st,
                           NULL) != SQLITE_OK)
        return store_sqlerr(s, e, "reading the word list");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            list = xrealloc(list, cap * sizeof *list);
        }
        list[n++] = xstrdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        rc = store_sqlerr(s, e, "reading the word list");
    } else {
        *out = words_new((const char *const *)list, n);
        rc = 0;
    }
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
    return rc;
}

/* Trims s in place; returns it. */
static char *trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Adds the word raw, read at line of file (for the message of a bad one). */
static int add_one(struct store *s, sqlite3_stmt *ins, const char *raw, const char *now,
                   const char *file, long line, struct qs_err *e)
{
    char *w = xstrdup(raw), *t = trim(w), *key;
    int rc = 0;
    if (*t && *t != '#' && text_ctl_check("word", t, TEXT_LINE, "R-IMP-10", e) < 0) {
        free(w); /* issue 8 item 15: a title never holds one, so such a word never matches */
        err_at(e, file, line, 0);
        return QS_E_DATA;
    }
    if (*t && *t != '#') {
        key = xstrdup(t);
        for (char *p = key; *p; p++)
            *p = (char)fold((unsigned char)*p);
        sqlite3_bind_text(ins, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, t, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, now, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = store_sqlerr(s, e, "adding a word");
        sqlite3_reset(ins);
        free(key);
    }
    free(w);
    return rc;
}

int words_import(struct store *s, FILE *fp, const char *name, const struct rec_reader_opts *ro,
                 long *count, struct qs_err *e)
{
    struct rec_reader *r = NULL;
    struct rec *row = rec_new();
    sqlite3_stmt *ins = NULL, *cnt = NULL;
    char now[32];
    int rc, first = 1;

    *count = 0;
    tm_utc_iso(time(NULL), now, sizeof now);
    if ((rc = store_begin(s, e)) < 0)
        goto out;
    if ((rc = store_exec(s, "DELETE FROM sensitive_word", e)) < 0)
        goto out;
    if (sqlite3_prepare_v2(store_db(s),
                           "INSERT OR IGNORE INTO sensitive_word (key, word, added_at)"
                           " VALUES (?, ?, ?)",
                           -1, &ins, NULL) != SQLITE_OK) {
        rc = store_sqlerr(s, e, "store");
        goto out;
    }
    if ((rc = rec_reader_open(fp, name, ro, &r, e)) < 0)
        goto out;
    while ((rc = rec_read(r, row, e)) == 1) {
        const char *v = rec_get(row, "word");
        if (first && !v && rec_reader_format(r) != REC_JSON) {
            /* No "word" column: a plain list, whose first line is a word too. */
            size_t n;
            const char *const *cols = rec_reader_columns(r, &n);
            if (n && (rc = add_one(s, ins, cols[0], now, name, 1, e)) < 0)
                goto out;
        }
        first = 0;
        if (!v)
            v = row->n ? row->f[0].value : "";
        if ((rc = add_one(s, ins, v, now, name, rec_reader_line(r), e)) < 0)
            goto out;
    }
    if (rc < 0)
        goto out;
    if (first && rec_reader_format(r) != REC_JSON) {
        /* A one-line file: the header is the only word. */
        size_t n;
        const char *const *cols = rec_reader_columns(r, &n);
        if (n && strcmp(cols[0], "word") != 0 &&
            (rc = add_one(s, ins, cols[0], now, name, 1, e)) < 0)
            goto out;
    }
    if (sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM sensitive_word", -1, &cnt, NULL) !=
            SQLITE_OK ||
        sqlite3_step(cnt) != SQLITE_ROW) {
        rc = store_sqlerr(s, e, "counting words");
        goto out;
    }
    *count = (long)sqlite3_column_int64(cnt, 0);
    rc = store_commit(s, e);
out:
    if (rc < 0)
        store_rollback(s);
    sqlite3_finalize(ins);
    sqlite3_finalize(cnt);
    rec_free(row);
    rec_reader_close(r);
    return rc;
}

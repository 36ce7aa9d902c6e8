/* Fuzz target rec_write: the record writers of SPEC 1.2. The records read from the input
 * (CSV or JSON Lines, in each encoding, file or pipe: fuzz.h) are written as JSON Lines
 * and as CSV and read back: the same records must come back. JSON Lines keeps everything
 * (names, order, values, types). CSV keeps what record.h says rec_write writes: the first
 * record's fields are the columns, a record's value of each column (empty when it lacks
 * it, its other fields dropped), every value as a string. The table and CP932 CSV are
 * written too, and must not fail where they cannot. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "record/record_int.h"

struct recs {
    struct rec **r;
    size_t n, cap;
};

/* Keeps a copy of each record read. */
static void keep(struct rec_reader *rd, const struct rec *rec, void *ctx)
{
    struct recs *rs = ctx;
    (void)rd;
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? 2 * rs->cap : 64;
        rs->r = realloc(rs->r, rs->cap * sizeof *rs->r);
        FUZZ_CHECK(rs->r != NULL);
    }
    struct rec *copy = rec_new();
    for (size_t k = 0; k < rec->n; k++)
        rec_set_typed(copy, rec->f[k].name, rec->f[k].value, rec->f[k].type);
    rs->r[rs->n++] = copy;
}

static void recs_free(struct recs *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        rec_free(rs->r[i]);
    free(rs->r);
    memset(rs, 0, sizeof *rs);
}

/* Writes rs with the options o; returns rec_write's or rec_writer_close's first error, 0,
 * and the output in *out (malloc'd). */
static int write_opts(const struct recs *rs, const struct rec_writer_opts *o, char **out,
                      size_t *len)
{
    struct rec_writer *w;
    struct qs_err e;
    int rc = 0;
    FILE *fp = open_memstream(out, len);
    FUZZ_CHECK(fp != NULL);
    FUZZ_CHECK(rec_writer_open(fp, o, NULL, 0, &w, &e) == 0);
    for (size_t i = 0; i < rs->n && rc == 0; i++)
        rc = rec_write(w, rs->r[i], &e);
    int rc2 = rec_writer_close(w, &e);
    FUZZ_CHECK(fclose(fp) == 0);
    return rc ? rc : rc2;
}

/* Writes rs in format fmt (and encoding enc, replace): write_opts. */
static int write_all(const struct recs *rs, enum rec_format fmt, enum rec_enc enc, int replace,
                     char **out, size_t *len)
{
    struct rec_writer_opts o = {.fmt = fmt, .enc = enc, .replace_unmappable = replace};
    return write_opts(rs, &o, out, len);
}

/* JSON Lines: the records themselves. */
static void check_json(const struct recs *in, const struct recs *back)
{
    FUZZ_CHECK(back->n == in->n);
    for (size_t i = 0; i < in->n; i++) {
        const struct rec *a = in->r[i], *b = back->r[i];
        FUZZ_CHECK(a->n == b->n);
        for (size_t k = 0; k < a->n; k++) {
            FUZZ_CHECK(strcmp(a->f[k].name, b->f[k].name) == 0);
            FUZZ_CHECK(strcmp(a->f[k].value, b->f[k].value) == 0);
            FUZZ_CHECK(a->f[k].type == b->f[k].type);
        }
    }
}

/* What CSV cannot hold at all: no columns, a column without a name (the reader refuses
 * both), and text that starts with U+FEFF -- the BOM that starts a file is dropped
 * (SPEC 1.2) and one at the start of any later field is refused as the mark of two
 * files joined with cat (issue 8 item 13). */
static int starts_bom(const char *s)
{
    return strncmp(s, "\xef\xbb\xbf", 3) == 0;
}

static int csv_can_hold(const struct recs *rs)
{
    const struct rec *first = rs->r[0];
    if (first->n == 0)
        return 0;
    for (size_t k = 0; k < first->n; k++)
        if (first->f[k].name[0] == '\0' || starts_bom(first->f[k].name))
            return 0;
    for (size_t i = 0; i < rs->n; i++)
        for (size_t k = 0; k < first->n; k++) {
            const char *v = rec_get(rs->r[i], first->f[k].name);
            if (v && starts_bom(v))
                return 0;
        }
    return 1;
}

/* What the CSV writer makes of text s with --excel-safe (safe): a leading "'" before what
 * Excel would run as a formula. Returns a malloc'd string. */
static char *csv_text(const char *s, int safe)
{
    size_t n = strlen(s);
    char *t = malloc(n + 2);
    FUZZ_CHECK(t != NULL);
    int tick = safe && rec_excel_formula(s, n);
    t[0] = '\'';
    memcpy(t + tick, s, n + 1);
    return t;
}

/* CSV: the first record's columns, each record's value of each (or ""), as strings --
 * made safe for Excel when safe. */
static void check_csv(const struct recs *in, const struct recs *back, int safe)
{
    const struct rec *cols = in->r[0];
    FUZZ_CHECK(back->n == in->n);
    for (size_t i = 0; i < in->n; i++) {
        const struct rec *b = back->r[i];
        FUZZ_CHECK(b->n == cols->n);
        for (size_t k = 0; k < cols->n; k++) {
            const char *want = rec_get(in->r[i], cols->f[k].name);
            char *name = csv_text(cols->f[k].name, safe), *value = csv_text(want ? want : "", safe);
            FUZZ_CHECK(strcmp(b->f[k].name, name) == 0);
            FUZZ_CHECK(b->f[k].type == REC_STR);
            FUZZ_CHECK(strcmp(b->f[k].value, value) == 0);
            free(name);
            free(value);
        }
    }
}

/* Writes rs with o (UTF-8), reads it back the way it came (file or pipe) and compares. */
static void round_trip(const struct recs *rs, const struct rec_writer_opts *o, int pipe)
{
    struct recs back = {0};
    char *out = NULL;
    size_t len = 0;
    FUZZ_CHECK(write_opts(rs, o, &out, &len) == 0);
    /* SPEC 1.2 tells CSV from JSON Lines by the first byte: the CSV writer quotes a first
     * column whose name would start the file like JSON Lines. */
    FUZZ_CHECK(o->fmt != REC_CSV || !fuzz_looks_json((const uint8_t *)out, len));
    FILE *fp = fuzz_open_bytes(out, len, pipe);
    FUZZ_CHECK(fuzz_read(fp, REC_ENC_UTF8, "written", keep, &back) == 0);
    fclose(fp);
    if (o->fmt == REC_JSON)
        check_json(rs, &back);
    else
        check_csv(rs, &back, o->excel_safe);
    recs_free(&back);
    free(out);
}

static size_t count_lines(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == '\n';
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in;
    struct recs rs = {0};
    char *out = NULL;
    size_t len = 0;

    if (fuzz_in_parse(data, size, &in) < 0)
        return 0;
    FILE *fp = fuzz_open(&in);
    /* An error ends the input: the records before it are kept. */
    fuzz_read(fp, in.enc, "fuzz", keep, &rs);
    fclose(fp);
    if (rs.n == 0)
        return 0;

    round_trip(&rs, &(struct rec_writer_opts){.fmt = REC_JSON}, in.pipe);
    /* CSV plain, and with what --bom and --excel-safe add (the choice byte's bit 3). */
    if (csv_can_hold(&rs)) {
        int extra = (data[0] & 8) != 0;
        round_trip(&rs, &(struct rec_writer_opts){.fmt = REC_CSV}, in.pipe);
        round_trip(&rs, &(struct rec_writer_opts){.fmt = REC_CSV, .bom = 1, .excel_safe = extra},
                   in.pipe);
    }

    /* The table: one line per record after the header (control characters are shown
     * escaped), none without columns. */
    FUZZ_CHECK(write_all(&rs, REC_TABLE, REC_ENC_UTF8, 0, &out, &len) == 0);
    FUZZ_CHECK(count_lines(out, len) == (rs.r[0]->n ? rs.n + 1 : 0));
    free(out);
    /* CP932: what it lacks is an error, or '?' with replace, which never fails. */
    if (rs.r[0]->n) {
        int rc = write_all(&rs, REC_CSV, REC_ENC_CP932, 0, &out, &len);
        FUZZ_CHECK(rc == 0 || rc == QS_E_DATA);
        free(out);
        FUZZ_CHECK(write_all(&rs, REC_CSV, REC_ENC_CP932, 1, &out, &len) == 0);
        free(out);
    }
    recs_free(&rs);
    return 0;
}

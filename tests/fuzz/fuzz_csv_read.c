/* Fuzz target csv_read: the CSV reader of SPEC 1.2 (rec_reader_open/rec_read) on a regular
 * file and on a pipe, in each encoding (fuzz.h says how the first byte chooses). */
#include <string.h>

#include "fuzz.h"

struct seen {
    long last; /* line of the last row */
};

static void row(struct rec_reader *r, const struct rec *rec, void *ctx)
{
    struct seen *s = ctx;
    size_t ncols;
    const char *const *cols = rec_reader_columns(r, &ncols);
    FUZZ_CHECK(rec_reader_format(r) == REC_CSV);
    /* A row has the header's columns, in order, as strings. */
    FUZZ_CHECK(cols != NULL && rec->n == ncols);
    for (size_t i = 0; i < rec->n; i++) {
        FUZZ_CHECK(strcmp(rec->f[i].name, cols[i]) == 0);
        FUZZ_CHECK(rec->f[i].type == REC_STR);
        FUZZ_CHECK(rec_reader_column_index(r, cols[i]) == i + 1);
    }
    /* Rows start after the header, in order; a CR alone ends a line as LF and CRLF do. */
    long line = rec_reader_line(r);
    FUZZ_CHECK(line > s->last && line >= 2);
    s->last = line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in;
    /* What starts with '{' is JSON Lines: fuzz_jsonl_read's inputs; a ZIP is a workbook:
     * fuzz_xlsx_read's. */
    if (fuzz_in_parse(data, size, &in) < 0 || fuzz_looks_json(in.data, in.size) ||
        fuzz_looks_zip(in.data, in.size))
        return 0;
    struct seen s = {0};
    FILE *fp = fuzz_open(&in);
    fuzz_read(fp, in.enc, "fuzz.csv", row, &s);
    fclose(fp);
    return 0;
}

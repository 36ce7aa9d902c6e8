/* Fuzz target jsonl_read: the JSON Lines reader of SPEC 1.2 (rec_reader_open/rec_read)
 * on a regular file and on a pipe, in each encoding (fuzz.h says how the first byte
 * chooses). Every record read must also come out of rec_to_json as the same JSON. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* The value f must have, by its type (record.h). */
static void check_field(const struct rec_field *f, json_t *v)
{
    FUZZ_CHECK(v != NULL);
    switch (f->type) {
    case REC_STR:
        FUZZ_CHECK(json_is_string(v) && json_string_length(v) == f->len &&
                   memcmp(json_string_value(v), f->value, f->len) == 0);
        break;
    case REC_NUM:
        FUZZ_CHECK(json_is_number(v) && f->len > 0);
        break;
    case REC_BOOL:
        FUZZ_CHECK(json_is_boolean(v) && strcmp(f->value, json_is_true(v) ? "true" : "false") == 0);
        break;
    case REC_NULL:
        FUZZ_CHECK(json_is_null(v) && f->len == 0);
        break;
    case REC_RAW:
        FUZZ_CHECK((json_is_object(v) || json_is_array(v)) &&
                   (f->value[0] == '{' || f->value[0] == '['));
        break;
    }
}

static void line(struct rec_reader *r, const struct rec *rec, void *ctx)
{
    long *last = ctx;
    FUZZ_CHECK(rec_reader_format(r) == REC_JSON);
    FUZZ_CHECK(rec_reader_line(r) > *last);
    *last = rec_reader_line(r);
    /* The record as JSON is an object with the same members, in order. */
    char *text = rec_to_json(rec);
    json_t *obj = json_loads(text, JSON_DECODE_INT_AS_REAL, NULL);
    FUZZ_CHECK(json_is_object(obj) && json_object_size(obj) == rec->n);
    void *it = json_object_iter(obj);
    for (size_t i = 0; i < rec->n; i++, it = json_object_iter_next(obj, it)) {
        FUZZ_CHECK(it != NULL && strcmp(json_object_iter_key(it), rec->f[i].name) == 0);
        check_field(&rec->f[i], json_object_iter_value(it));
    }
    json_decref(obj);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in;
    long last = 0;
    /* What does not start with '{' is CSV: fuzz_csv_read's inputs. */
    if (fuzz_in_parse(data, size, &in) < 0 || !fuzz_looks_json(in.data, in.size))
        return 0;
    FILE *fp = fuzz_open(&in);
    fuzz_read(fp, in.enc, "fuzz.jsonl", line, &last);
    fclose(fp);
    return 0;
}

/* fuzz: the helpers the fuzz targets share (fuzz.h). */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
    abort();
}

int fuzz_in_parse(const uint8_t *data, size_t size, struct fuzz_in *in)
{
    static const enum rec_enc encs[4] = {REC_ENC_AUTO, REC_ENC_UTF8, REC_ENC_CP932, REC_ENC_AUTO};
    if (size == 0)
        return -1;
    in->enc = encs[data[0] & 3];
    in->pipe = (data[0] & 4) != 0;
    in->data = data + 1;
    in->size = size - 1;
    return 0;
}

FILE *fuzz_open_bytes(const void *buf, size_t n, int pipe)
{
    FILE *fp;
    if (pipe) {
        /* fmemopen refuses a zero size: an empty pipe is /dev/null, also no regular file. */
        fp = n ? fmemopen((void *)buf, n, "r") : fopen("/dev/null", "r");
    } else {
        int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
        FUZZ_CHECK(fd >= 0);
        for (size_t done = 0; done < n;) {
            ssize_t w = write(fd, (const char *)buf + done, n - done);
            FUZZ_CHECK(w > 0);
            done += (size_t)w;
        }
        FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0);
        fp = fdopen(fd, "r");
    }
    FUZZ_CHECK(fp != NULL);
    return fp;
}

FILE *fuzz_open(const struct fuzz_in *in)
{
    return fuzz_open_bytes(in->data, in->size, in->pipe);
}

int fuzz_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k;
        unsigned cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            k = 1, cp = c & 0x1f, min = 0x80;
        else if (c >= 0xe0 && c <= 0xef)
            k = 2, cp = c & 0x0f, min = 0x800;
        else if (c >= 0xf0 && c <= 0xf4)
            k = 3, cp = c & 0x07, min = 0x10000;
        else
            return 0;
        if (n - i - 1 < k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

int fuzz_looks_json(const uint8_t *s, size_t n)
{
    size_t i = 0;
    if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i < n && s[i] == '{';
}

/* Names and values: NUL-terminated UTF-8, len == strlen(value). */
static void check_rec(const struct rec *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct rec_field *f = &r->f[i];
        FUZZ_CHECK(f->name != NULL && f->value != NULL);
        FUZZ_CHECK(strlen(f->value) == f->len);
        FUZZ_CHECK(fuzz_utf8_valid(f->name, strlen(f->name)));
        FUZZ_CHECK(fuzz_utf8_valid(f->value, f->len));
    }
}

int fuzz_looks_zip(const uint8_t *s, size_t n)
{
    return n >= 4 && memcmp(s, "PK\3\4", 4) == 0;
}

int fuzz_read(FILE *fp, enum rec_enc enc, const char *name,
              void (*each)(struct rec_reader *r, const struct rec *rec, void *ctx), void *ctx)
{
    struct rec_reader_opts o = {.enc = enc};
    return fuzz_read_opts(fp, &o, name, each, ctx);
}

int fuzz_read_opts(FILE *fp, const struct rec_reader_opts *o, const char *name,
                   void (*each)(struct rec_reader *r, const struct rec *rec, void *ctx), void *ctx)
{
    struct rec_reader *r;
    struct rec *rec = rec_new();
    struct qs_err e;
    int rc;
    err_clear(&e);
    FUZZ_CHECK(rec_reader_open(fp, name, o, &r, &e) == 0);
    while ((rc = rec_read(r, rec, &e)) == 1) {
        check_rec(rec);
        if (each)
            each(r, rec, ctx);
    }
    if (rc < 0) {
        FUZZ_CHECK(rc == QS_E_DATA || rc == QS_E_IO);
        FUZZ_CHECK(e.code == rc && e.msg[0] != '\0' && strcmp(e.file, name) == 0);
        FUZZ_CHECK(rec_read(r, rec, &e) == rc && rec->n == 0);
    } else {
        FUZZ_CHECK(rc == 0 && rec->n == 0);
        FUZZ_CHECK(rec_read(r, rec, &e) == 0);
    }
    rec_free(rec);
    rec_reader_close(r);
    return rc;
}

char *fuzz_two_strings(const uint8_t *data, size_t size, char **second)
{
    char *buf = malloc(size + 2);
    FUZZ_CHECK(buf != NULL);
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = '\0';
    *second = buf + strlen(buf) + 1;
    return buf;
}

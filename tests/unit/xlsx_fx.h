/* xlsx_fx.h: what the unit tests of the .xlsx writer and of QSM's forms need to look into
 * a workbook without the record module's reader: a worksheet's XML read through libzip,
 * a cell's type and text found in it, and the entries of a temporary folder. */
#ifndef QS_XLSX_FX_H
#define QS_XLSX_FX_H

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

/* The text of part name (e.g. "xl/worksheets/sheet1.xml") of the workbook at path, or NULL
 * when path is not a ZIP or has no such part; malloc'd. */
static char *xfx_part(const char *path, const char *name)
{
    int err = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &err);
    zip_stat_t st;
    zip_file_t *f;
    char *s = NULL;
    if (!z)
        return NULL;
    if (zip_stat(z, name, 0, &st) == 0 && (f = zip_fopen(z, name, 0))) {
        s = calloc(1, st.size + 1);
        if (zip_fread(f, s, st.size) != (zip_int64_t)st.size) {
            free(s);
            s = NULL;
        }
        zip_fclose(f);
    }
    zip_close(z);
    return s;
}

/* Cell ref (e.g. "A2") of sheet XML xml: returns 's' for a string (qs writes inline strings),
 * 'n' for a number, 0 when there is no such cell; its text (XML entities decoded) goes to
 * buf. *styled gets whether the cell has a style (s="..."), when styled is not NULL. */
static int xfx_cell(const char *xml, const char *ref, char *buf, size_t size, int *styled)
{
    char key[32];
    const char *c, *end, *v, *ve;
    int type;
    size_t n = 0;
    snprintf(key, sizeof key, "<c r=\"%s\"", ref);
    buf[0] = '\0';
    if (!(c = strstr(xml, key)))
        return 0;
    end = strstr(c, "</c>");
    const char *close = strchr(c, '>');
    if (!end || !close || close[-1] == '/')
        return 0; /* an empty cell <c r="A1" s="1"/> */
    type = memmem(c, (size_t)(close - c), "t=\"", 3) ? 's' : 'n';
    if (styled)
        *styled = memmem(c, (size_t)(close - c), " s=\"", 4) != NULL;
    if (type == 's') {
        v = strstr(c, "<t");
        v = v ? strchr(v, '>') + 1 : NULL;
        ve = v ? strstr(v, "</t>") : NULL;
    } else {
        v = strstr(c, "<v>");
        v = v ? v + 3 : NULL;
        ve = v ? strstr(v, "</v>") : NULL;
    }
    if (!v || !ve || ve > end)
        return type;
    for (const char *p = v; p < ve && n + 1 < size; p++) {
        static const char *const ent[][2] = {
            {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
        size_t k = 0;
        for (; k < 5; k++)
            if (strncmp(p, ent[k][0], strlen(ent[k][0])) == 0)
                break;
        if (k < 5) {
            buf[n++] = ent[k][1][0];
            p += strlen(ent[k][0]) - 1;
        } else
            buf[n++] = *p;
    }
    buf[n] = '\0';
    return type;
}

/* How many entries folder dir holds (besides . and ..); -1 when it cannot be read. */
/* Fails the test unless cell ref of sheet XML xml has type ('s' string, 'n' number, 0 none)
 * and text. Include cmocka before this header. */
static void xfx_expect_cell(const char *xml, const char *ref, int type, const char *text)
{
    char buf[256];
    int got = xfx_cell(xml, ref, buf, sizeof buf, NULL);
    if (got != type || strcmp(buf, text) != 0)
        fail_msg("cell %s: expected %c \"%s\", got %c \"%s\"", ref, type ? type : '0', text,
                 got ? got : '0', buf);
}

static int xfx_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    if (!d)
        return -1;
    while ((de = readdir(d)))
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(d);
    return n;
}

#endif

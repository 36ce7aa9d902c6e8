/* afile: write to a temporary file, rename it in at the end. */
#include "afile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

struct afile {
    FILE *fp;
    char *path, *tmp; /* tmp NULL: path is written directly (not a regular file) */
};

/* 1 when path and the input are one file. */
static int same_file(const char *path, const char *input)
{
    struct stat a, b;
    if (!input || stat(path, &a) != 0)
        return 0;
    if (strcmp(input, "-") == 0 ? fstat(STDIN_FILENO, &b) != 0 : stat(input, &b) != 0)
        return 0;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int afile_open(const char *path, const char *input, struct afile **out, struct qs_err *e)
{
    struct afile *a;
    struct stat st;
    const char *base;
    mode_t mask;
    int fd;

    *out = NULL;
    if (same_file(path, input))
        return err_set(e, QS_E_USAGE, NULL,
                       "%s is the input file; writing it would empty the input (give another "
                       "file)",
                       path);
    a = xcalloc(1, sizeof *a);
    a->path = xstrdup(path);
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (!(a->fp = fopen(path, "w")))
            goto fail;
        *out = a;
        return 0;
    }
    /* The temporary file goes in path's folder, so the rename stays on one file system. */
    base = strrchr(path, '/');
    base = base ? base + 1 : path;
    a->tmp = xmalloc(strlen(path) + 16);
    sprintf(a->tmp, "%.*s.%s.XXXXXX", (int)(base - path), path, base);
    if ((fd = mkstemp(a->tmp)) < 0) {
        free(a->tmp);
        a->tmp = NULL;
        goto fail;
    }
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || !(a->fp = fdopen(fd, "w+"))) {
        int saved = errno;
        close(fd);
        errno = saved;
        goto fail;
    }
    *out = a;
    return 0;
fail:
    err_set(e, QS_E_IO, NULL, "cannot write %s: %s", path, strerror(errno));
    afile_abort(a);
    return QS_E_IO;
}

FILE *afile_fp(struct afile *a)
{
    return a->fp;
}

int afile_commit(struct afile *a, struct qs_err *e)
{
    int ok = fflush(a->fp) == 0 && (!a->tmp || fsync(fileno(a->fp)) == 0);
    ok = fclose(a->fp) == 0 && ok;
    a->fp = NULL;
    if (ok && a->tmp && (ok = rename(a->tmp, a->path) == 0)) {
        free(a->tmp);
        a->tmp = NULL; /* renamed in: nothing left to remove */
    }
    if (!ok)
        err_set(e, QS_E_IO, NULL, "cannot write %s: %s", a->path, strerror(errno));
    afile_abort(a);
    return ok ? 0 : QS_E_IO;
}

void afile_abort(struct afile *a)
{
    if (!a)
        return;
    if (a->fp)
        fclose(a->fp);
    if (a->tmp)
        unlink(a->tmp);
    free(a->tmp);
    free(a->path);
    free(a);
}

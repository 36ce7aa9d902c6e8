/* deliver_file: the file: hand-off of SPEC 1.7. A run's items go into one new folder
 * DIR/<UTC time>-<kind>/ holding QSM's upload forms of the items that carry one
 * (deliver_form.c), checklist.csv (one row per item, grouped into lists) and summary.json.
 * All are written into a hidden temp folder that is renamed into place only when complete,
 * so a crash never leaves half a hand-off; the items then become handed-off until
 * deliver_confirm. */
#include "deliver_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../audit.h"
#include "../record/record.h"
#include "../tm.h"
#include "../xalloc.h"

struct fgroup {
    char *value;     /* what its items share: the group_by value or their common payload */
    size_t *idx, n;  /* its items, in claim order */
    size_t first_ok; /* index of its first item, whose payload the summary shows */
};

struct fplan {
    json_t **pl;      /* parsed payloads, NULL for a bad one */
    struct fgroup *g; /* in order of first appearance */
    size_t ng;
    size_t *slot, cap; /* group value -> group index + 1 */
    char **form;       /* per item: its QSM form's file name, or NULL */
    size_t *form_rows; /* per item: the form's rows */
    char **ferr;       /* per item: why its form failed it, or NULL */
    int forms;         /* some item has a form */
};

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* A payload value as checklist text: strings as they are, other values as JSON. */
static char *value_text(json_t *v)
{
    if (!v || json_is_null(v))
        return xstrdup("");
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(15));
    return s ? s : xstrdup("");
}

/* The payload without the per-item columns and the form's rows (written in its own file):
 * what items of one group have in common. */
static json_t *shared_fields(const struct deliver_opts *o, json_t *pl)
{
    json_t *c = json_copy(pl);
    for (size_t k = 0; k < o->ncolumns; k++)
        json_object_del(c, o->columns[k]);
    json_object_del(c, "form_rows");
    json_object_del(c, "form_options");
    return c;
}

static char *group_value(const struct deliver_opts *o, json_t *pl)
{
    if (o->group_by)
        return value_text(json_object_get(pl, o->group_by));
    json_t *c = shared_fields(o, pl);
    char *s = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    json_decref(c);
    return s ? s : xstrdup("");
}

/* Parses the payloads and groups the items (R-NOTE-11: order numbers per identical note). */
static void plan(const struct dlv_run *r, struct fplan *p)
{
    p->pl = xcalloc(r->n, sizeof *p->pl);
    p->g = xcalloc(r->n, sizeof *p->g);
    p->form = xcalloc(r->n, sizeof *p->form);
    p->form_rows = xcalloc(r->n, sizeof *p->form_rows);
    p->ferr = xcalloc(r->n, sizeof *p->ferr);
    for (p->cap = 16; p->cap < r->n * 2; p->cap *= 2)
        ;
    p->slot = xcalloc(p->cap, sizeof *p->slot);
    for (size_t i = 0; i < r->n; i++) {
        const char *text = r->items[i].payload ? r->items[i].payload : "{}";
        json_t *j = json_loads(text, 0, NULL);
        if (!j) /* integers beyond 64 bits: readable as reals for the checklist */
            j = json_loads(text, JSON_DECODE_INT_AS_REAL, NULL);
        if (!json_is_object(j)) {
            json_decref(j);
            continue;
        }
        p->pl[i] = j;
        char *v = group_value(r->o, j);
        size_t k = (size_t)fnv(v) & (p->cap - 1);
        while (p->slot[k] && strcmp(p->g[p->slot[k] - 1].value, v) != 0)
            k = (k + 1) & (p->cap - 1);
        if (!p->slot[k]) {
            p->g[p->ng] =
                (struct fgroup){.value = v, .idx = xcalloc(8, sizeof(size_t)), .first_ok = i};
            p->slot[k] = ++p->ng;
        } else
            free(v);
        struct fgroup *g = &p->g[p->slot[k] - 1];
        if (g->n >= 8 && (g->n & (g->n - 1)) == 0)
            g->idx = xrealloc(g->idx, 2 * g->n * sizeof *g->idx);
        g->idx[g->n++] = i;
    }
}

static void plan_free(const struct dlv_run *r, struct fplan *p)
{
    for (size_t i = 0; p->pl && i < r->n; i++) {
        json_decref(p->pl[i]);
        free(p->form[i]);
        free(p->ferr[i]);
    }
    free(p->form);
    free(p->form_rows);
    free(p->ferr);
    for (size_t k = 0; k < p->ng; k++) {
        free(p->g[k].value);
        free(p->g[k].idx);
    }
    free(p->pl);
    free(p->g);
    free(p->slot);
}

/* mkdir -p, new folders 0700. */
static int mkdirs(const char *dir, struct qs_err *e)
{
    char *p = xstrdup(dir);
    struct stat st;
    int rc = 0;
    for (char *c = p + 1;; c++) {
        if (*c != '/' && *c)
            continue;
        char save = *c;
        *c = '\0';
        if (mkdir(p, 0700) < 0 && errno != EEXIST) {
            rc = err_set(e, QS_E_IO, NULL, "hand-off folder %s: %s", p, strerror(errno));
            break;
        }
        if (!(*c = save))
            break;
    }
    if (rc == 0 && (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)))
        rc = err_set(e, QS_E_IO, NULL, "hand-off folder %s is not a folder", dir);
    free(p);
    return rc;
}

/* Creates DIR/NAME 0600 for writing; its path goes into *path. */
static FILE *create(const char *dir, const char *name, char **path, struct qs_err *e)
{
    int fd;
    FILE *f = NULL;
    *path = xasprintf("%s/%s", dir, name);
    if ((fd = open(*path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
        !(f = fdopen(fd, "w"))) {
        err_set(e, QS_E_IO, NULL, "%s: %s", *path, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return f;
}

/* Flushes f to the disk and closes it. */
static int finish(FILE *f, const char *path, int rc, struct qs_err *e)
{
    int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0;
    int err = errno;
    if (fclose(f) != 0 && !bad)
        bad = 1, err = errno;
    if (bad && rc == 0)
        rc = err_set(e, QS_E_IO, NULL, "%s: %s", path, strerror(err));
    return rc;
}

/* checklist.csv: list, group, key, then the caller's columns and shared fields; one row
 * per item. */
static int write_checklist(const struct dlv_run *r, const struct fplan *p, const char *dir,
                           struct qs_err *e)
{
    const struct deliver_opts *o = r->o;
    size_t ncols = 3 + o->ncolumns + o->nshared + (p->forms != 0), list = 0,
           chunk = o->chunk ? o->chunk : (size_t)-1;
    const char **cols = xcalloc(ncols, sizeof *cols);
    struct rec_writer *w = NULL;
    struct rec *rec = rec_new();
    char *path = NULL, num[32];
    FILE *f;
    int rc = 0;

    cols[0] = "list", cols[1] = "group", cols[2] = "key";
    for (size_t k = 0; k < o->ncolumns; k++)
        cols[3 + k] = o->columns[k];
    for (size_t k = 0; k < o->nshared; k++)
        cols[3 + o->ncolumns + k] = o->shared[k];
    if (p->forms)
        cols[ncols - 1] = "form";
    if (!(f = create(dir, "checklist.csv", &path, e))) {
        rc = QS_E_IO;
        goto out;
    }
    rc = rec_writer_open(f, &(struct rec_writer_opts){.fmt = REC_CSV}, cols, ncols, &w, e);
    for (size_t g = 0; rc == 0 && g < p->ng; g++) {
        for (size_t k = 0; rc == 0 && k < p->g[g].n; k++) {
            size_t i = p->g[g].idx[k];
            if (k % chunk == 0)
                list++;
            rec_clear(rec);
            snprintf(num, sizeof num, "%zu", list);
            rec_set(rec, "list", num);
            snprintf(num, sizeof num, "%zu", g + 1);
            rec_set(rec, "group", num);
            rec_set(rec, "key", r->items[i].key);
            for (size_t c = 0; c < o->ncolumns + o->nshared; c++) {
                const char *name = cols[3 + c];
                char *v = value_text(json_object_get(p->pl[i], name));
                rec_set(rec, name, v);
                free(v);
            }
            if (p->forms)
                rec_set(rec, "form", p->form[i] ? p->form[i] : "");
            rc = rec_write(w, rec, e);
        }
    }
    if (w && rec_writer_close(w, rc ? NULL : e) < 0 && rc == 0)
        rc = QS_E_IO;
    rc = finish(f, path, rc, e);
out:
    rec_free(rec);
    free(cols);
    free(path);
    return rc;
}

/* summary.json: what was handed off, per group its shared fields and its lists of keys. */
static int write_summary(const struct dlv_run *r, const struct fplan *p, const char *dir,
                         size_t count, struct qs_err *e)
{
    const struct deliver_opts *o = r->o;
    size_t list = 0, chunk = o->chunk ? o->chunk : (size_t)-1;
    json_t *sum = json_object(), *cols = json_array(), *groups = json_array();
    char created[32], *path = NULL;
    FILE *f;
    int rc = 0;

    for (size_t k = 0; k < o->ncolumns; k++)
        json_array_append_new(cols, json_string(o->columns[k]));
    json_object_set_new(sum, "shop", json_string(r->shop));
    json_object_set_new(sum, "kind", json_string(r->kind));
    json_object_set_new(sum, "created", json_string(tm_utc_iso(time(NULL), created, 32)));
    json_object_set_new(sum, "count", json_integer((json_int_t)count));
    json_object_set_new(sum, "group_by", o->group_by ? json_string(o->group_by) : json_null());
    json_object_set_new(sum, "columns", cols);
    json_object_set_new(sum, "chunk", json_integer((json_int_t)o->chunk));
    for (size_t g = 0; g < p->ng; g++) {
        json_t *jg = json_object(), *lists = json_array(), *keys = NULL;
        json_object_set_new(jg, "group", json_integer((json_int_t)g + 1));
        if (o->group_by)
            json_object_set_new(jg, "value", json_string(p->g[g].value));
        json_object_set_new(jg, "fields", shared_fields(o, p->pl[p->g[g].first_ok]));
        json_object_set_new(jg, "count", json_integer((json_int_t)p->g[g].n));
        for (size_t k = 0; k < p->g[g].n; k++) {
            if (k % chunk == 0) {
                json_t *jl = json_object();
                json_object_set_new(jl, "list", json_integer((json_int_t)++list));
                json_object_set_new(jl, "keys", keys = json_array());
                json_array_append_new(lists, jl);
            }
            json_array_append_new(keys, json_string(r->items[p->g[g].idx[k]].key));
        }
        json_object_set_new(jg, "lists", lists);
        json_array_append_new(groups, jg);
    }
    json_object_set_new(sum, "groups", groups);
    if (p->forms) {
        json_t *forms = json_array();
        for (size_t g = 0; g < p->ng; g++)
            for (size_t k = 0; k < p->g[g].n; k++) {
                size_t i = p->g[g].idx[k];
                if (p->form[i])
                    json_array_append_new(
                        forms, json_pack("{s:s, s:s, s:s, s:I}", "key", r->items[i].key, "form",
                                         deliver_form_of(r->kind), "file", p->form[i], "rows",
                                         (json_int_t)p->form_rows[i]));
            }
        json_object_set_new(sum, "forms", forms);
    }
    if (!(f = create(dir, "summary.json", &path, e)))
        rc = QS_E_IO;
    else {
        if (json_dumpf(sum, f, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) < 0 || fputc('\n', f) < 0)
            rc = err_set(e, QS_E_IO, NULL, "%s: %s", path, strerror(errno));
        rc = finish(f, path, rc, e);
    }
    json_decref(sum);
    free(path);
    return rc;
}

/* Copies file path (none: nothing to do) into dir as N-BASENAME. QS_E_DATA when it cannot
 * be read (the item fails alone), QS_E_IO when it cannot be written. */
static int copy_attach(const char *path, const char *dir, size_t n, struct qs_err *e)
{
    const char *base;
    char buf[65536], *to;
    FILE *in, *out;
    size_t got;
    int rc = 0;
    if (!path || !*path)
        return 0;
    base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (!(in = fopen(path, "rb")))
        return err_set(e, QS_E_DATA, NULL, "cannot read %s: %s", path, strerror(errno));
    to = xasprintf("%s/%zu-%s", dir, n, base);
    if (!(out = fopen(to, "wb")))
        rc = err_set(e, QS_E_IO, NULL, "%s: %s", to, strerror(errno));
    while (rc == 0 && (got = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, got, out) != got)
            rc = err_set(e, QS_E_IO, NULL, "%s: %s", to, strerror(errno));
    if (rc == 0 && ferror(in))
        rc = err_set(e, QS_E_DATA, NULL, "cannot read %s: %s", path, strerror(errno));
    if (out)
        rc = finish(out, to, rc, e);
    fclose(in);
    free(to);
    return rc;
}

/* deliver_opts.merge_forms: the forms written per item (each one checked that way, so a bad
 * item fails alone) are replaced by one form holding the rows of all of them, named after
 * the first; every item then names that file. */
static int merge_forms(const struct dlv_run *r, struct fplan *p, const char *tmp, struct qs_err *e)
{
    json_t *rows = json_array(), *pl;
    size_t first = r->n, nrows = 0;
    char *file = NULL, *path;
    int rc;
    for (size_t i = 0; i < r->n; i++) {
        if (!p->form[i] || p->ferr[i])
            continue;
        if (first == r->n)
            first = i;
        json_array_extend(rows, json_object_get(p->pl[i], "form_rows"));
        path = xasprintf("%s/%s", tmp, p->form[i]);
        unlink(path);
        free(path);
    }
    if (first == r->n) {
        json_decref(rows);
        return 0;
    }
    pl = json_deep_copy(p->pl[first]);
    json_object_set_new(pl, "form_rows", rows);
    rc = dlv_form_write(r->kind, pl, tmp, first + 1, r->o->csv, &file, &nrows, e);
    json_decref(pl);
    if (rc < 0)
        return rc; /* each item's rows were written alone before: the run fails */
    for (size_t i = 0; i < r->n; i++)
        if (p->form[i] && !p->ferr[i]) {
            free(p->form[i]);
            p->form[i] = xstrdup(file);
        }
    free(file);
    return 0;
}

/* SPEC 1.7: QSM's upload forms, one file per item that carries form_rows, into the temp
 * folder. An item whose form cannot be written is failed alone: it leaves its group (and
 * groups left empty go); only an I/O error fails the run. */
static int file_write_forms(const struct dlv_run *r, struct fplan *p, const char *tmp,
                            struct qs_err *e)
{
    size_t ng = 0;
    for (size_t i = 0; i < r->n; i++) {
        struct qs_err ie = {0};
        if (!p->pl[i])
            continue;
        int rc = dlv_form_write(r->kind, p->pl[i], tmp, i + 1, r->o->csv, &p->form[i],
                                &p->form_rows[i], &ie);
        if (rc == 0 && r->o->attach)
            rc = copy_attach(json_string_value(json_object_get(p->pl[i], r->o->attach)), tmp, i + 1,
                             &ie);
        if (rc == QS_E_DATA)
            p->ferr[i] = xstrdup(ie.msg);
        else if (rc < 0) {
            *e = ie;
            return rc;
        }
        p->forms |= p->form[i] != NULL;
    }
    if (r->o->merge_forms && p->forms) {
        int rc = merge_forms(r, p, tmp, e);
        if (rc < 0)
            return rc;
    }
    for (size_t g = 0; g < p->ng; g++) {
        struct fgroup *G = &p->g[g];
        size_t n = 0;
        for (size_t k = 0; k < G->n; k++)
            if (!p->ferr[G->idx[k]])
                G->idx[n++] = G->idx[k];
        if ((G->n = n) == 0) {
            free(G->value);
            free(G->idx);
            continue;
        }
        G->first_ok = G->idx[0];
        p->g[ng++] = *G;
    }
    p->ng = ng;
    return 0;
}

/* Removes the temp folder of a failed hand-off, and what it holds (flat: files only). */
static void remove_tmp(const char *tmp)
{
    DIR *d = opendir(tmp);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char *p = xasprintf("%s/%s", tmp, de->d_name);
        unlink(p);
        free(p);
    }
    if (d)
        closedir(d);
    rmdir(tmp);
}

/* Renames tmp to DIR/STAMP-KIND (or -2, -3... when taken) and syncs DIR; *final gets it. */
static int publish(const char *dir, const char *stamp, const char *kind, const char *tmp,
                   char **final, struct qs_err *e)
{
    int fd;
    for (int k = 1; k < 1000; k++) {
        *final = k == 1 ? xasprintf("%s/%s-%s", dir, stamp, kind)
                        : xasprintf("%s/%s-%s-%d", dir, stamp, kind, k);
        if (rename(tmp, *final) == 0)
            break;
        if (errno != EEXIST && errno != ENOTEMPTY && errno != ENOTDIR) {
            int err = errno;
            free(*final);
            *final = NULL;
            return err_set(e, QS_E_IO, NULL, "hand-off %s: %s", tmp, strerror(err));
        }
        free(*final);
        *final = NULL;
    }
    if (!*final)
        return err_set(e, QS_E_IO, NULL, "hand-off folder %s: no free name for %s", dir, stamp);
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(fd); /* the rename itself reaches the disk */
        close(fd);
    }
    return 0;
}

int dlv_file_run(struct dlv_run *r, struct qs_err *e)
{
    const char *dir = r->spec->arg;
    struct fplan p = {0};
    char stamp[32], *tmp = NULL, *final = NULL;
    struct tm tmv;
    time_t now = time(NULL);
    size_t count = 0;
    int rc, wrc = 0;

    plan(r, &p);
    for (size_t g = 0; g < p.ng; g++)
        count += p.g[g].n;
    gmtime_r(&now, &tmv);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tmv);
    if (count) {
        tmp = xasprintf("%s/.tmp-%s-%s-%ld", dir, stamp, r->kind, (long)getpid());
        if ((wrc = mkdirs(dir, e)) == 0 && mkdir(tmp, 0700) < 0)
            wrc = err_set(e, QS_E_IO, NULL, "%s: %s", tmp, strerror(errno));
        if (wrc == 0)
            wrc = file_write_forms(r, &p, tmp, e);
        count = 0; /* what is left once items whose form failed are out */
        for (size_t g = 0; g < p.ng; g++)
            count += p.g[g].n;
        if (wrc == 0 && count)
            wrc = write_checklist(r, &p, tmp, e);
        if (wrc == 0 && count)
            wrc = write_summary(r, &p, tmp, count, e);
        if (wrc == 0 && count)
            wrc = publish(dir, stamp, r->kind, tmp, &final, e);
        if (wrc < 0 || !count)
            remove_tmp(tmp);
        else
            snprintf(r->rep->handoff, sizeof r->rep->handoff, "%s", final);
    }
    /* One transaction settles the run: handed-off, or retry when the folder failed. */
    struct qs_err se = {0};
    if ((rc = store_begin(r->s, &se)) == 0) {
        for (size_t i = 0; i < r->n && rc == 0; i++) {
            if (!p.pl[i])
                rc = dlv_settle(r, &r->items[i], DELIVER_FAILED, NULL,
                                "payload is not a JSON object", NULL, 0, &se);
            else if (p.ferr[i]) /* its form cannot be written: not retryable */
                rc = dlv_settle(r, &r->items[i], DELIVER_FAILED, NULL, p.ferr[i], NULL, 0, &se);
            else if (wrc < 0)
                rc = dlv_settle(r, &r->items[i], DELIVER_RETRY, NULL, e->msg, NULL, 0, &se);
            else
                rc = dlv_settle(r, &r->items[i], DELIVER_HANDED_OFF, final, NULL, NULL, 0, &se);
        }
        if (rc == 0)
            rc = store_commit(r->s, &se);
        else
            store_rollback(r->s);
    }
    if (rc < 0 && wrc == 0)
        *e = se;
    plan_free(r, &p);
    free(tmp);
    free(final);
    return wrc < 0 ? wrc : rc;
}

int deliver_confirm(struct store *s, const char *shop, const char *kind, const char *const *keys,
                    size_t nkeys, const char *ref, size_t *confirmed, struct qs_err *e)
{
    return outbox_confirm(s, shop, kind, keys, nkeys, ref, confirmed, e);
}

/* publish_job_ops: qs publish run, now, edit, withdraw and undo as jobs of the one runner
 * (job.h, SPEC 1.6): the adapters between each verb's libcore work and job_run's
 * callbacks. The records the work writes are kept with their outcome (publish_int.h's
 * pub_emit) and reported by the runner; a record already done before this run is
 * JOB_DONE, never JOB_SENT. */
#include "publish_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tm.h"
#include "../xalloc.h"

/* The records of a verb, kept for the report in a temporary file, not in memory (SPEC 8:
 * a run of 100,000 products held 75 MB of rows): each is its outcome, its number of fields
 * and, per field, its type, name and value, lengths first. */
struct pub_job_rows {
    FILE *f;
    size_t n;
};

static const char *const run_cols[] = {"parent_sku", "item_code", "state",
                                       "step",       "result",    "message"};
static const char *const edit_cols[] = {"sku",      "parent_sku", "state",  "price",  "quantity",
                                        "shipping", "batch",      "result", "message"};
static const char *const state_cols[] = {"parent_sku", "state", "result", "message"};

void pub_job_clear(struct pub_job *j)
{
    struct pub_job_rows *k = j->rows;
    if (!k)
        return;
    if (k->f)
        fclose(k->f);
    free(k);
    j->rows = NULL;
}

static int put_u32(FILE *f, uint32_t v)
{
    return fwrite(&v, sizeof v, 1, f) == 1 ? 0 : -1;
}

static int put_text(FILE *f, const char *s, size_t len)
{
    return put_u32(f, (uint32_t)len) < 0 || (len && fwrite(s, 1, len, f) != len) ? -1 : 0;
}

/* Opens the file the records are kept in: in $TMPDIR (else /tmp), gone once closed.
 * Before anything is sent, so that a run that could not report sends nothing. */
static int rows_open(struct pub_job *j, struct qs_err *e)
{
    const char *dir = getenv("TMPDIR");
    char *path;
    int fd;

    if (!j->rows)
        j->rows = xcalloc(1, sizeof *j->rows);
    if (j->rows->f)
        return 0;
    path = xasprintf("%s/qs-report.XXXXXX", dir && *dir ? dir : "/tmp");
    if ((fd = mkstemp(path)) >= 0) {
        unlink(path);
        if (!(j->rows->f = fdopen(fd, "w+b")))
            close(fd);
    }
    if (!j->rows->f) {
        int rc = err_set(e, QS_E_IO, NULL,
                         "cannot keep the records for the report in %s: %s (set TMPDIR to a "
                         "folder qs can write)",
                         dir && *dir ? dir : "/tmp", strerror(errno));
        free(path);
        return rc;
    }
    free(path);
    return 0;
}

/* pub_jrow_fn: keeps r (its fields' types too) for the report. */
static int keep(void *p, enum job_outcome oc, const struct rec *r, struct qs_err *e)
{
    struct pub_job *j = p;
    struct pub_job_rows *k;
    int bad, rc;

    if ((rc = rows_open(j, e)) < 0)
        return rc;
    k = j->rows;
    bad = put_u32(k->f, (uint32_t)oc) < 0 || put_u32(k->f, (uint32_t)r->n) < 0;
    for (size_t i = 0; i < r->n && !bad; i++)
        bad = put_u32(k->f, (uint32_t)r->f[i].type) < 0 ||
              put_text(k->f, r->f[i].name, strlen(r->f[i].name)) < 0 ||
              put_text(k->f, r->f[i].value, r->f[i].len) < 0;
    if (bad)
        return err_set(e, QS_E_IO, NULL, "cannot keep the records for the report: %s",
                       strerror(errno));
    k->n++;
    return 0;
}

static int get_u32(FILE *f, uint32_t *v)
{
    return fread(v, sizeof *v, 1, f) == 1 ? 0 : -1;
}

/* A text of the kept records, malloc'd into *s (NUL-terminated). */
static int get_text(FILE *f, char **s)
{
    uint32_t len;
    if (get_u32(f, &len) < 0)
        return -1;
    *s = xmalloc((size_t)len + 1);
    (*s)[len] = '\0';
    return len && fread(*s, 1, len, f) != len ? -1 : 0;
}

/* pub_diag_fn: the caller's, with its own context. */
static void diag(void *p, const struct qs_err *e, int warning)
{
    struct pub_job *j = p;
    if (j->diag)
        j->diag(j->diag_ctx, e, warning);
}

/* R-PUB-1: publish now schedules the products first; in a dry run inside the runner's
 * transaction, so that the run sees them due. */
static int now_enqueue(void *p, struct qs_err *e)
{
    struct pub_job *j = p;
    struct pub_cb cb = {.ctx = j->diag_ctx, .diag = j->diag};
    struct pub_sched_opts so = j->so;
    struct pub_sched_stats st;
    so.dry_run = 0;
    return pub_schedule(j->s, j->shop, j->sel, &so, &cb, &st, e);
}

static int run(void *p, struct job_counts *c, struct qs_err *e)
{
    struct pub_job *j = p;
    struct pub_cb cb = {.ctx = j, .diag = diag, .jrow = keep};
    int rc;

    if ((rc = rows_open(j, e)) < 0)
        return rc;

    switch (j->verb) {
    case PUB_JOB_RUN:
    case PUB_JOB_NOW:
        rc = pub_run(j->s, j->q, j->shop, &j->ro, &cb, &j->st, e);
        break;
    case PUB_JOB_EDIT:
        j->eo.dry_run = j->ro.dry_run;
        rc = pub_edit(j->s, j->q, j->shop, j->sel, &j->eo, &j->ro, &cb, &j->st, &j->batch, e);
        break;
    case PUB_JOB_WITHDRAW:
        rc = pub_withdraw(j->s, j->q, j->shop, j->sel, &j->ro, &cb, &j->st, &j->batch, e);
        break;
    default:
        rc = pub_undo(j->s, j->q, j->shop, j->batch, &j->ro, &cb, &j->st, e);
        break;
    }
    /* SPEC 1.3: 69 only when the marketplace answered nothing; a run that stopped after
     * some answers is to retry. */
    c->unavailable = j->st.calls_ok == 0 && j->st.calls_failed > 0;
    if (rc == QS_E_UNAVAILABLE && j->st.calls_ok > 0)
        rc = QS_E_TEMP;
    return rc;
}

static int report(void *p, job_emit_fn emit, void *ectx, struct qs_err *e)
{
    struct pub_job *j = p;
    struct pub_job_rows *k = j->rows;
    struct rec *r;
    int rc = 0;

    if (!k || !k->f)
        return 0;
    if (fflush(k->f) != 0 || fseek(k->f, 0, SEEK_SET) != 0)
        return err_set(e, QS_E_IO, NULL, "cannot read back the records for the report: %s",
                       strerror(errno));
    r = rec_new();
    for (size_t i = 0; i < k->n && rc == 0; i++) {
        uint32_t oc = 0, n = 0, type = 0;
        int bad = get_u32(k->f, &oc) < 0 || get_u32(k->f, &n) < 0;
        rec_clear(r);
        for (uint32_t f = 0; f < n && !bad; f++) {
            char *name = NULL, *value = NULL;
            bad =
                get_u32(k->f, &type) < 0 || get_text(k->f, &name) < 0 || get_text(k->f, &value) < 0;
            if (!bad)
                rec_set_typed(r, name, value, (enum rec_type)type);
            free(name);
            free(value);
        }
        if (bad)
            rc = err_set(e, QS_E_IO, NULL, "cannot read back the records for the report: %s",
                         ferror(k->f) ? strerror(errno) : "the file was cut short");
        else
            rc = emit(ectx, (enum job_outcome)oc, r, e);
    }
    rec_free(r);
    return rc;
}

/* What the summary does not say: the batch to undo, and (issue 8 item 18) what waits for
 * its backoff and when it is tried next, in the shop's zone (SPEC 1.5). */
static void epilogue(void *p, const char *prog, FILE *diag)
{
    struct pub_job *j = p;
    char next[64];
    if (j->batch && (j->verb == PUB_JOB_EDIT || j->verb == PUB_JOB_WITHDRAW))
        fprintf(diag, "%s: batch %lld (undo: qs publish undo %lld)\n", prog, j->batch, j->batch);
    if (!j->st.waiting)
        return;
    if (tm_format(j->st.next_try, j->ro.tz, 0, next, sizeof next) < 0)
        fprintf(diag, "%s: %ld waiting\n", prog, j->st.waiting);
    else
        fprintf(diag, "%s: %ld waiting, next try %s\n", prog, j->st.waiting, next);
}

#define OPS(c, enq)                                                                                \
    {                                                                                              \
        .cols = (c), .ncols = sizeof(c) / sizeof(c)[0], .enqueue = (enq), .run = run,              \
        .report = report, .epilogue = epilogue                                                     \
    }

const struct job_ops pub_job_ops[PUB_JOB_NVERBS] = {
    [PUB_JOB_RUN] = OPS(run_cols, NULL),    [PUB_JOB_NOW] = OPS(run_cols, now_enqueue),
    [PUB_JOB_EDIT] = OPS(edit_cols, NULL),  [PUB_JOB_WITHDRAW] = OPS(state_cols, NULL),
    [PUB_JOB_UNDO] = OPS(state_cols, NULL),
};

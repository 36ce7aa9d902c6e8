/* note_job.c: qs note send, reply, delay and run as jobs of the one runner (job.h, SPEC
 * 1.6): the adapters between each verb's plan and job_run's callbacks, and the mapping of
 * each record's result word to a job outcome. A record done before this run (its
 * result's already flag: "already sent", "already answered", "sent before", "already
 * confirmed") is JOB_DONE, never JOB_SENT. */
#include <stdlib.h>
#include <string.h>

#include "../job.h"
#include "note.h"
#include "../tm.h"
#include "../xalloc.h"

/* Rows a run settled, kept for the report (reply, delay's rejects, run) in a TEMP table of
 * the store's connection, not the heap (SPEC 8: flat memory; a note run's firings are one
 * row each). The first error keeping one is the report's. */
struct note_job_rows {
    sqlite3_stmt *add, *each;
    int rc;
    struct qs_err err;
};

static void row_add(struct note_job *j, enum job_outcome oc, const char *const f[5])
{
    struct note_job_rows *r = j->rows;
    int rc;
    if (!r) {
        r = j->rows = xcalloc(1, sizeof *r);
        r->rc = store_exec(j->s,
                           "CREATE TEMP TABLE IF NOT EXISTS note_job_row (seq INTEGER PRIMARY KEY,"
                           " oc INTEGER NOT NULL, f0 TEXT, f1 TEXT, f2 TEXT, f3 TEXT, f4 TEXT);"
                           "DELETE FROM temp.note_job_row;",
                           &r->err);
    }
    if (r->rc < 0)
        return;
    rc = store_cached(j->s, &r->add,
                      "INSERT INTO temp.note_job_row (oc, f0, f1, f2, f3, f4)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                      &r->err, "isssss", (int)oc, f[0] ? f[0] : "", f[1] ? f[1] : "",
                      f[2] ? f[2] : "", f[3] ? f[3] : "", f[4] ? f[4] : "");
    if (rc == 0)
        rc = store_finish(j->s, r->add, &r->err);
    if (rc < 0)
        r->rc = rc;
}

void note_job_clear(struct note_job *j)
{
    if (j->rows) {
        store_release(j->s, j->rows->add);
        store_release(j->s, j->rows->each);
        free(j->rows);
        j->rows = NULL;
    }
}

/* The outcome of a result word of note_result or sync_result; already tells a record done
 * before this run from one this run sent (both are "ok"). */
static enum job_outcome outcome_of(const char *result, int already)
{
    if (strcmp(result, "ok") == 0)
        return already ? JOB_DONE : JOB_SENT;
    if (strcmp(result, "failed") == 0)
        return JOB_FAILED;
    if (strcmp(result, "unknown") == 0)
        return JOB_UNKNOWN;
    if (strcmp(result, "handed-off") == 0)
        return JOB_HANDED_OFF;
    return JOB_RETRY;
}

const char *const note_job_cols[] = {"order_no", "result", "key", "ref", "message"};
const char *const note_reply_job_cols[] = {"question_no", "result", "key", "ref", "message"};
const char *const note_run_job_cols[] = {"rule", "order_no", "result", "message"};

/* Emits the row f (ncols of cols) with outcome oc. */
static int emit_row(job_emit_fn emit, void *ectx, enum job_outcome oc, const char *const *cols,
                    size_t ncols, const char *const *f, struct qs_err *e)
{
    struct rec *r = rec_new();
    int rc;
    for (size_t i = 0; i < ncols; i++)
        rec_set(r, cols[i], f[i] ? f[i] : "");
    rc = emit(ectx, oc, r, e);
    rec_free(r);
    return rc;
}

static int emit_rows(struct note_job *j, const char *const *cols, size_t ncols, job_emit_fn emit,
                     void *ectx, struct qs_err *e)
{
    struct note_job_rows *r = j->rows;
    int rc;
    if (!r)
        return 0;
    if (r->rc < 0) {
        if (e)
            *e = r->err;
        return r->rc;
    }
    rc = store_cached(j->s, &r->each,
                      "SELECT oc, f0, f1, f2, f3, f4 FROM temp.note_job_row"
                      " ORDER BY seq",
                      e, "");
    while (rc == 0 && (rc = store_step(j->s, r->each, e)) == 1) {
        const char *f[5];
        for (int k = 0; k < 5; k++)
            f[k] = store_col_text(r->each, k + 1);
        rc = emit_row(emit, ectx, (enum job_outcome)sqlite3_column_int(r->each, 0), cols, ncols, f,
                      e);
    }
    sqlite3_reset(r->each);
    return rc;
}

/* ---- note send ------------------------------------------------------------------------ */

static int send_enqueue(void *job, struct qs_err *e)
{
    struct note_job *j = job;
    return note_send_enqueue(j->send, e);
}

static int send_run(void *job, struct job_counts *c, struct qs_err *e)
{
    struct note_job *j = job;
    int rc = note_send_run(j->send, &j->rep, e);
    c->unavailable = j->rep.unavailable;
    return rc;
}

struct send_emit {
    job_emit_fn emit;
    void *ectx;
    struct qs_err *e;
};

static int send_row(const struct note_result *res, void *p)
{
    struct send_emit *x = p;
    const char *f[5] = {res->order_no, res->result, res->key, res->ref, res->message};
    return emit_row(x->emit, x->ectx, outcome_of(res->result, res->already), note_job_cols, 5, f,
                    x->e);
}

static int send_report(void *job, job_emit_fn emit, void *ectx, struct qs_err *e)
{
    struct note_job *j = job;
    struct send_emit x = {emit, ectx, e};
    struct note_send_stats st;
    return note_send_report(j->send, send_row, &x, &st, e);
}

static void send_epilogue(void *job, const char *prog, FILE *diag)
{
    struct note_job *j = job;
    deliver_report_epilogue(&j->rep, "note", prog, diag);
}

const struct job_ops note_send_job_ops = {
    .cols = note_job_cols,
    .ncols = 5,
    .enqueue = send_enqueue,
    .run = send_run,
    .report = send_report,
    .epilogue = send_epilogue,
};

/* ---- note reply (R-NOTE-12): note_reply queues, sends and settles in one call ---------- */

static int reply_row(const struct note_result *res, void *p)
{
    const char *f[5] = {res->order_no, res->result, res->key, res->ref, res->message};
    row_add(p, outcome_of(res->result, res->already), f);
    return 0;
}

static int reply_run(void *job, struct job_counts *c, struct qs_err *e)
{
    struct note_job *j = job;
    struct note_send_stats st = {0};
    (void)c;
    return note_reply(j->s, j->q, j->reply, j->reqs, j->n, reply_row, j, &st, e);
}

static int reply_report(void *job, job_emit_fn emit, void *ectx, struct qs_err *e)
{
    return emit_rows(job, note_reply_job_cols, 5, emit, ectx, e);
}

const struct job_ops note_reply_job_ops = {
    .cols = note_reply_job_cols,
    .ncols = 5,
    .run = reply_run,
    .report = reply_report,
};

/* ---- note delay (R-NOTE-13): sync's confirm path with a delay reason -------------------- */

void note_job_reject(const struct sync_req *r, const struct qs_err *e, void *job)
{
    char msg[1200];
    snprintf(msg, sizeof msg, "%s%s%s%s", e->msg, e->rule[0] ? " (" : "", e->rule,
             e->rule[0] ? ")" : "");
    const char *f[5] = {r->order_no ? r->order_no : "", "failed", "", "", msg};
    row_add(job, JOB_FAILED, f);
}

static int delay_enqueue(void *job, struct qs_err *e)
{
    struct note_job *j = job;
    return sync_send_enqueue(j->delay, e);
}

static int delay_run(void *job, struct job_counts *c, struct qs_err *e)
{
    struct note_job *j = job;
    int rc = sync_send_run(j->delay, j->q, &j->sst, e);
    c->unavailable = j->sst.calls_ok == 0 && j->sst.calls_failed > 0;
    return rc;
}

static int delay_row(const struct sync_result *r, void *p)
{
    struct send_emit *x = p;
    const char *f[5] = {r->order_no, r->result, "", r->code, r->message};
    return emit_row(x->emit, x->ectx, outcome_of(r->result, r->already), note_job_cols, 5, f, x->e);
}

static int delay_report(void *job, job_emit_fn emit, void *ectx, struct qs_err *e)
{
    struct note_job *j = job;
    struct send_emit x = {emit, ectx, e};
    int rc = emit_rows(j, note_job_cols, 5, emit, ectx, e); /* the rejects first */
    return rc < 0 ? rc : sync_send_report(j->delay, delay_row, &x, e);
}

const struct job_ops note_delay_job_ops = {
    .cols = note_job_cols,
    .ncols = 5,
    .enqueue = delay_enqueue,
    .run = delay_run,
    .report = delay_report,
};

/* ---- note run (R-NOTE-9): note_run matches, queues and delivers in one call ------------- */

static int run_row(const struct note_fired *fd, void *p)
{
    const char *f[5] = {fd->rule, fd->order_no, fd->result, fd->message, NULL};
    enum job_outcome oc;
    if (strcmp(fd->result, "sent") == 0)
        oc = JOB_SENT;
    else if (strcmp(fd->result, "failed") == 0)
        oc = JOB_FAILED;
    else if (strcmp(fd->result, "handed-off") == 0)
        oc = JOB_HANDED_OFF;
    else if (strcmp(fd->result, "retry") == 0)
        oc = JOB_RETRY;
    else /* held, dropped by the daily cap; queued: another run delivers it */
        oc = JOB_SKIPPED;
    row_add(p, oc, f);
    return 0;
}

static void run_matches(const struct note_job *j, const char *prog, FILE *diag)
{
    const struct note_run_stats *st = &j->rst;
    fprintf(diag, "%s: %ld new match%s; queued %ld, held %ld, dropped %ld, failed %ld\n", prog,
            st->matched, st->matched == 1 ? "" : "es", st->queued, st->held, st->dropped,
            st->failed);
}

static int run_run(void *job, struct job_counts *c, struct qs_err *e)
{
    struct note_job *j = job;
    int rc = note_run(j->s, j->run, run_row, j, &j->rst, &j->rep, e);
    c->unavailable = j->rep.unavailable;
    /* A dry run ends without a report: what matched is said here. */
    if (rc == 0 && j->run->dry_run && j->diag)
        run_matches(j, j->run->prog, j->diag);
    return rc;
}

static int run_report(void *job, job_emit_fn emit, void *ectx, struct qs_err *e)
{
    return emit_rows(job, note_run_job_cols, 4, emit, ectx, e);
}

static void run_epilogue(void *job, const char *prog, FILE *diag)
{
    struct note_job *j = job;
    run_matches(j, prog, diag);
    if (j->rep.handoff[0])
        fprintf(diag, "%s: hand-off written to %s\n", prog, j->rep.handoff);
}

const struct job_ops note_run_job_ops = {
    .cols = note_run_job_cols,
    .ncols = 4,
    .run = run_run,
    .report = run_report,
    .epilogue = run_epilogue,
};

/* ---- what send and delay check before they plan ----------------------------------------- */

int note_msg_build(struct store *s, const char *shop, const struct note_msg_src *src,
                   int (*read_file)(const char *path, char **out, struct qs_err *e),
                   struct note_msg *m, struct qs_err *e)
{
    int rc;
    if (src->template) {
        struct note_tmpl t;
        if (src->title || src->body || src->body_file)
            return err_set(e, QS_E_USAGE, NULL, "--template takes no --title or --body");
        if ((rc = note_tmpl_get(s, shop, src->template, &t, e)) < 0)
            return rc;
        m->template = xstrdup(src->template);
        m->category = xstrdup(src->category ? src->category : t.category);
        m->title = t.title, t.title = NULL;
        m->body = t.body, t.body = NULL;
        note_tmpl_clear(&t);
        return 0;
    }
    /* R-NOTE-3: a note has a title and a body. */
    if (!src->title || (!src->body && !src->body_file))
        return err_set(e, QS_E_USAGE, "R-NOTE-3",
                       "a note needs --title and --body (or --body-file), or --template");
    if (src->body && src->body_file)
        return err_set(e, QS_E_USAGE, NULL, "--body and --body-file exclude each other");
    m->title = xstrdup(src->title);
    if (src->body_file && (rc = read_file(src->body_file, &m->body, e)) < 0)
        return rc;
    if (!src->body_file)
        m->body = xstrdup(src->body);
    m->category = xstrdup(src->category ? src->category : "other");
    return 0;
}

int note_delay_prepare(struct sync_send_opts *o, const char *ship_by, const char *memo,
                       int allow_personal, struct qs_err *e)
{
    int rc;
    /* R-NOTE-13: a ship date, a reason and a memo. */
    if (!ship_by || !o->delay_type || !memo)
        return err_set(e, QS_E_USAGE, "R-NOTE-13", "--ship-by, --reason and --memo are all needed");
    /* R-NOTE-13: after today, at most 30 days ahead in Japan. */
    if (sync_est_ship_date(ship_by, o->now, o->est, e) < 0) {
        char msg[sizeof e->msg];
        snprintf(msg, sizeof msg, "%s", e->msg);
        return err_set(e, QS_E_USAGE, "R-NOTE-13", "%s", msg);
    }
    /* R-NOTE-13: the memo is at most 1000 characters. */
    if ((rc = note_check_text("memo", memo, NOTE_MEMO_MAX, 0, e)) < 0) {
        snprintf(e->rule, sizeof e->rule, "R-NOTE-13");
        return rc;
    }
    if (!allow_personal && (rc = note_guard("memo", memo, e)) < 0)
        return rc;
    o->delay_memo = memo;
    o->action = SYNC_CONFIRM;
    o->skip_bad = 1; /* R-NOTE-6 spirit: one bad order does not stop the others */
    o->cap = SYNC_DEFAULT_CAP;
    o->inflight_s = SYNC_INFLIGHT_S;
    return 0;
}

int note_reply_text(struct store *s, const char *shop, const char *body, const char *body_file,
                    const char *template, int (*read_file)(const char *, char **, struct qs_err *),
                    char **text, struct qs_err *e)
{
    int rc = 0;
    *text = NULL;
    if (!!body + !!body_file + !!template > 1)
        return err_set(e, QS_E_USAGE, NULL,
                       "--body, --body-file and --template exclude each other");
    if (template) {
        struct note_tmpl t;
        if ((rc = note_tmpl_get(s, shop, template, &t, e)) < 0)
            return rc;
        *text = t.body, t.body = NULL;
        note_tmpl_clear(&t);
    } else if (body_file && (rc = read_file(body_file, text, e)) < 0) {
        return rc;
    } else if (body) {
        *text = xstrdup(body);
    }
    /* R-NOTE-8: the placeholders of the reply are known ones. */
    if (*text && (rc = note_tmpl_parse(*text, NULL, e)) < 0) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

int note_rule_build(const struct note_rule_src *src,
                    int (*read_file)(const char *, char **, struct qs_err *), struct note_rule *r,
                    struct qs_err *e)
{
    char buf[32];
    int rc;
#define DUP(x) ((x) ? xstrdup(x) : NULL)
    *r = (struct note_rule){.name = DUP(src->name),
                            .kind = (enum note_rule_kind)src->kind,
                            .after = src->after,
                            .template = DUP(src->template),
                            .category = DUP(src->category),
                            .title = DUP(src->title),
                            .body = DUP(src->body),
                            .min_amount = src->min_amount,
                            .max_amount = src->max_amount,
                            .countries = DUP(src->countries),
                            .max_age = src->max_age >= 0 ? src->max_age : 3};
#undef DUP
    if (src->have_since)
        r->since = xstrdup(tm_utc_iso(src->since, buf, sizeof buf));
    if (src->body_file) {
        free(r->body);
        r->body = NULL;
        if ((rc = read_file(src->body_file, &r->body, e)) < 0)
            return rc;
    }
    /* R-NOTE-9: a rule sends a template, or its own title and body. */
    if (r->template ? (r->title || r->body) : (!r->title || !r->body))
        return err_set(e, QS_E_USAGE, NULL,
                       "a rule sends --template NAME, or its own --title and --body");
    return 0;
}

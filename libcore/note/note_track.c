/* note_track: carrier events for the logistics rules of R-NOTE-9 (arrived,
 * delivery-failed, no-tracking: the seed's 物流消息), supplied by a tracking hook the
 * seller plugs in -- the QAPI has no carrier tracking. Owns the table note_track. */
#include "note.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tm.h"
#include "../xalloc.h"

static const char *const ev_names[NOTE_EV_N] = {"none", "in-transit", "arrived", "delivery-failed",
                                                "delivered"};

static int ev_parse(const char *s)
{
    for (int i = 0; s && i < NOTE_EV_N; i++)
        if (strcmp(ev_names[i], s) == 0)
            return i;
    return -1;
}

struct asked {
    char **no;
    size_t n, cap;
    FILE *fp;
};

static int ask_line(const struct sync_line *l, void *ctx)
{
    struct asked *a = ctx;
    json_t *o;
    char *text;
    if (l->status < 2 || l->status > 4 || l->claim != 0)
        return 0;
    o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "order_no", l->order_no, "carrier", l->carrier,
                  "tracking", l->tracking, "order_date", l->order_date, "shipped_date",
                  l->shipped_date);
    text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (text) {
        fprintf(a->fp, "%s\n", text);
        free(text);
        if (a->n == a->cap)
            a->no = xrealloc(a->no, (a->cap = a->cap ? 2 * a->cap : 256) * sizeof *a->no);
        a->no[a->n++] = xstrdup(l->order_no);
    }
    return 0;
}

/* Runs cmd with stdin from fd_in, in the clean environment of every hook; returns a
 * stream on its stdout and its pid. */
static FILE *spawn(const char *cmd, const char *shop, int fd_in, pid_t *pid, struct qs_err *e)
{
    char *argv[] = {"sh", "-c", (char *)cmd, NULL};
    char **env;
    int p[2];
    if (pipe(p) < 0) {
        err_set(e, QS_E_IO, NULL, "cannot start the tracking hook: %s", strerror(errno));
        return NULL;
    }
    env = deliver_hook_env(shop);
    if ((*pid = fork()) < 0) {
        err_set(e, QS_E_IO, NULL, "cannot start the tracking hook: %s", strerror(errno));
        deliver_hook_env_free(env);
        close(p[0]);
        close(p[1]);
        return NULL;
    }
    if (*pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        if (dup2(fd_in, 0) < 0 || dup2(p[1], 1) < 0)
            _exit(127);
        close(p[0]);
        close(p[1]);
        close(fd_in);
        execve("/bin/sh", argv, env);
        _exit(127);
    }
    deliver_hook_env_free(env);
    close(p[1]);
    return fdopen(p[0], "r");
}

struct got {
    char *order_no;
    int ev;
    char at[32];
};

static int put_event(struct store *s, sqlite3_stmt *st, const char *shop, const char *no,
                     const char *ev, const char *at, const char *now, struct qs_err *e)
{
    int rc = store_bind(s, st, e, "sssss", shop, no, ev, at, now);
    return rc < 0 ? rc : store_step(s, st, e);
}

static int got_cmp(const void *a, const void *b)
{
    return strcmp(((const struct got *)a)->order_no, ((const struct got *)b)->order_no);
}

int note_track_refresh(struct store *s, const char *shop, const char *cmd, time_t now,
                       const char *prog, long *events, struct qs_err *e)
{
    struct asked a = {0};
    struct got *g = NULL;
    size_t ng = 0, capg = 0;
    const char *dir = getenv("TMPDIR");
    char *tmp = xasprintf("%s/qs-track-XXXXXX", dir && *dir ? dir : "/tmp"), *line = NULL,
         now_iso[32];
    size_t lcap = 0;
    long lineno = 0;
    sqlite3_stmt *st = NULL;
    FILE *out = NULL;
    pid_t pid = -1;
    int fd = -1, rc = 0, status = 0;

    *events = 0;
    tm_utc_iso(now, now_iso, sizeof now_iso);
    /* The requests go through a file, so a hook that answers before reading all of them
     * never blocks us (nor we it). */
    if ((fd = mkstemp(tmp)) < 0 || !(a.fp = fdopen(fd, "w+"))) {
        rc = err_set(e, QS_E_IO, NULL, "cannot write the tracking requests: %s", strerror(errno));
        goto out;
    }
    unlink(tmp);
    if ((rc = sync_lines_each(s, shop, 0, 0, ask_line, &a, e)) < 0)
        goto out;
    if (fflush(a.fp) != 0 || lseek(fd, 0, SEEK_SET) < 0) {
        rc = err_set(e, QS_E_IO, NULL, "cannot write the tracking requests: %s", strerror(errno));
        goto out;
    }
    if (!(out = spawn(cmd, shop, fd, &pid, e))) {
        rc = QS_E_IO;
        goto out;
    }
    while (getline(&line, &lcap, out) > 0) {
        json_t *o = json_loads(line, 0, NULL);
        const char *no = json_string_value(json_object_get(o, "order_no"));
        const char *ev = json_string_value(json_object_get(o, "event"));
        const char *at = json_string_value(json_object_get(o, "at"));
        int k = ev_parse(ev);
        time_t t = now;
        lineno++;
        if (!no || k < 0 || (at && *at && tm_parse(at, "Asia/Tokyo", now, &t, NULL) < 0)) {
            fprintf(stderr, "%s: tracking hook: line %ld is not an event; ignored\n",
                    prog ? prog : "qs", lineno);
            json_decref(o);
            continue;
        }
        if (ng == capg)
            g = xrealloc(g, (capg = capg ? 2 * capg : 64) * sizeof *g);
        g[ng].order_no = xstrdup(no);
        g[ng].ev = k;
        tm_utc_iso(t, g[ng].at, sizeof g[ng].at);
        ng++;
        json_decref(o);
    }
    fclose(out);
    out = NULL;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fprintf(stderr, "%s: the tracking hook ended with status %d; its events so far are used\n",
                prog ? prog : "qs",
                WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    if (ng)
        qsort(g, ng, sizeof *g, got_cmp);
    if ((rc = store_begin(s, e)) < 0)
        goto out;
    /* The first time an event is seen is when it happened, for the rules. */
    rc = store_prepare(s,
                       "INSERT OR IGNORE INTO note_track(shop, order_no, event, at,"
                       " updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                       &st, e);
    for (size_t i = 0; i < ng && rc == 0; i++)
        if ((rc = put_event(s, st, shop, g[i].order_no, ev_names[g[i].ev], g[i].at, now_iso, e)) ==
            0)
            (*events)++;
    for (size_t i = 0; i < a.n && rc == 0; i++) {
        struct got k = {.order_no = a.no[i]};
        if (!ng || !bsearch(&k, g, ng, sizeof *g, got_cmp)) /* asked; nothing known */
            rc = put_event(s, st, shop, a.no[i], "none", now_iso, now_iso, e);
    }
    sqlite3_finalize(st);
    if (rc == 0)
        rc = store_commit(s, e);
    else
        store_rollback(s);
out:
    if (out) {
        fclose(out);
        waitpid(pid, &status, 0);
    }
    if (a.fp)
        fclose(a.fp);
    else if (fd >= 0)
        close(fd);
    for (size_t i = 0; i < a.n; i++)
        free(a.no[i]);
    free(a.no);
    for (size_t i = 0; i < ng; i++)
        free(g[i].order_no);
    free(g);
    free(line);
    free(tmp);
    return rc;
}

struct tentry {
    char *order_no;
    unsigned ev;
    time_t at[NOTE_EV_N];
};

struct note_track_set {
    struct tentry *v;
    size_t n;
};

struct load {
    struct note_track_set *t;
    size_t cap;
};

static int load_row(sqlite3_stmt *st, void *ctx)
{
    struct load *l = ctx;
    struct note_track_set *t = l->t;
    const char *no = store_col_text(st, 0);
    int k = ev_parse(store_col_text(st, 1));
    time_t at;
    if (k < 0)
        return 0;
    if (!t->n || strcmp(t->v[t->n - 1].order_no, no) != 0) {
        if (t->n == l->cap)
            t->v = xrealloc(t->v, (l->cap = l->cap ? 2 * l->cap : 64) * sizeof *t->v);
        memset(&t->v[t->n], 0, sizeof t->v[t->n]);
        t->v[t->n++].order_no = xstrdup(no);
    }
    t->v[t->n - 1].ev |= 1u << k;
    if (tm_parse_utc_iso(store_col_text(st, 2), &at) == 0)
        t->v[t->n - 1].at[k] = at;
    return 0;
}

int note_track_load(struct store *s, const char *shop, struct note_track_set **out,
                    struct qs_err *e)
{
    struct load l = {xcalloc(1, sizeof *l.t), 0};

    *out = l.t;
    return store_each(s,
                      "SELECT order_no, event, at FROM note_track WHERE shop = ?1"
                      " ORDER BY order_no",
                      load_row, &l, e, "s", shop);
}

static int tentry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct tentry *)a)->order_no, ((const struct tentry *)b)->order_no);
}

unsigned note_track_get(const struct note_track_set *t, const char *order_no, time_t at[NOTE_EV_N])
{
    struct tentry k = {.order_no = (char *)order_no};
    const struct tentry *x = t && t->n ? bsearch(&k, t->v, t->n, sizeof *t->v, tentry_cmp) : NULL;
    if (!x)
        return 0;
    if (at)
        memcpy(at, x->at, sizeof x->at);
    return x->ev;
}

void note_track_free(struct note_track_set *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].order_no);
    free(t->v);
    free(t);
}

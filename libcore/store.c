/* store: the one SQLite database of SPEC 1.4. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema.h"
#include "xalloc.h"

/* Two cron jobs at once wait for each other rather than fail (SPEC 1.4). */
#define STORE_BUSY_TIMEOUT_MS 30000

struct store {
    sqlite3 *db;
    char *path;
};

char *store_default_path(void)
{
    const char *env = getenv("QS_STORE");
    if (env && *env)
        return xstrdup(env);
    env = getenv("XDG_DATA_HOME");
    if (env && *env == '/')
        return xasprintf("%s/qs/qs.db", env);
    env = getenv("HOME");
    return xasprintf("%s/.local/share/qs/qs.db", env && *env ? env : ".");
}

int store_sqlerr(struct store *s, struct qs_err *e, const char *what)
{
    int code = s && s->db ? sqlite3_errcode(s->db) : SQLITE_ERROR;
    const char *msg = s && s->db ? sqlite3_errmsg(s->db) : "no database";
    int rc;
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        rc = QS_E_TEMP;
        break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
        rc = QS_E_IO;
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        rc = QS_E_DATA;
        break;
    default:
        rc = QS_E_SOFTWARE;
    }
    err_set(e, rc, NULL, "%s: %s", what, msg);
    if (s && s->path)
        err_at(e, s->path, 0, 0);
    return rc;
}

/* Creates the parent folders of path (0700), like mkdir -p. */
static int make_parents(const char *path, struct qs_err *e)
{
    char *dir = xstrdup(path);
    int rc = 0;
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        goto out;
    *slash = '\0';
    for (char *p = dir + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
                rc = err_set(e, QS_E_IO, NULL, "cannot create folder %s: %s", dir, strerror(errno));
                goto out;
            }
            *p = c;
            if (c == '\0')
                break;
        }
    }
out:
    free(dir);
    return rc;
}

int store_exec(struct store *s, const char *sql, struct qs_err *e)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_sqlerr(s, e, "store");
    return 0;
}

int store_begin(struct store *s, struct qs_err *e)
{
    return store_exec(s, "BEGIN IMMEDIATE", e);
}

int store_commit(struct store *s, struct qs_err *e)
{
    return store_exec(s, "COMMIT", e);
}

void store_rollback(struct store *s)
{
    if (s && s->db && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_version(struct store *s)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

int store_schema_version(void)
{
    return schema_nmigrations;
}

/* Copies the store to PATH.bak-vN with SQLite's backup API before migrating from N. */
static int backup(struct store *s, int from, struct qs_err *e)
{
    char *bak = xasprintf("%s.bak-v%d", s->path, from);
    sqlite3 *dst = NULL;
    sqlite3_backup *b;
    int rc = 0, fd, step = SQLITE_OK;

    fd = open(bak, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = err_set(e, QS_E_IO, NULL, "cannot write backup %s: %s", bak, strerror(errno));
        goto out;
    }
    close(fd);
    if (sqlite3_open(bak, &dst) != SQLITE_OK) {
        rc = err_set(e, QS_E_IO, NULL, "cannot open backup %s", bak);
        goto out;
    }
    b = sqlite3_backup_init(dst, "main", s->db, "main");
    if (!b || (step = sqlite3_backup_step(b, -1)) != SQLITE_DONE) {
        rc = err_set(e, QS_E_IO, NULL, "backup to %s failed: %s", bak,
                     b ? sqlite3_errstr(step) : sqlite3_errmsg(dst));
        sqlite3_backup_finish(b);
        goto out;
    }
    if (sqlite3_backup_finish(b) != SQLITE_OK)
        rc = err_set(e, QS_E_IO, NULL, "backup to %s failed: %s", bak, sqlite3_errmsg(dst));
out:
    sqlite3_close(dst);
    free(bak);
    return rc;
}

/* 1 when the database holds any table: a store worth a backup. */
static int has_content(struct store *s)
{
    sqlite3_stmt *st = NULL;
    int n = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n > 0;
}

/* Migrates forward in one transaction; a backup first when the store holds data. */
static int migrate(struct store *s, struct qs_err *e)
{
    int rc, v = store_version(s);

    if (v == schema_nmigrations)
        return 0;
    if (v > schema_nmigrations || v < 0)
        return err_set(e, QS_E_DATA, NULL,
                       "store schema version %d is newer than this qs knows (%d); upgrade qs", v,
                       schema_nmigrations);
    /* SQLite cannot back up from a connection that is writing: back up first. Two
     * processes migrating at once both write the same backup; harmless. */
    if (has_content(s) && (rc = backup(s, v, e)) < 0)
        return rc;
    if ((rc = store_begin(s, e)) < 0)
        return rc;
    v = store_version(s); /* again, inside the write lock: another run may have migrated */
    for (; v < schema_nmigrations; v++) {
        char pragma[64];
        if ((rc = store_exec(s, schema_migrations[v], e)) < 0)
            goto fail;
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if ((rc = store_exec(s, pragma, e)) < 0)
            goto fail;
    }
    return store_commit(s, e);
fail:
    store_rollback(s);
    return rc;
}

int store_open(const char *path, struct store **out, struct qs_err *e)
{
    struct store *s = xcalloc(1, sizeof *s);
    int rc, fd;

    *out = NULL;
    s->path = xstrdup(path);
    if ((rc = make_parents(path, e)) < 0)
        goto fail;
    /* Create the file ourselves so it is 0600 whatever the umask (SPEC 1.4). */
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = err_set(e, QS_E_IO, NULL, "cannot open store %s: %s", path, strerror(errno));
        goto fail;
    }
    close(fd);
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        rc = store_sqlerr(s, e, "cannot open store");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(s->db, 1);
    if ((rc = store_exec(s, "PRAGMA journal_mode = WAL", e)) < 0 ||
        (rc = store_exec(s, "PRAGMA foreign_keys = ON", e)) < 0 ||
        (rc = store_exec(s, "PRAGMA synchronous = NORMAL", e)) < 0)
        goto fail;
    if ((rc = migrate(s, e)) < 0)
        goto fail;
    *out = s;
    return 0;
fail:
    store_close(s);
    return rc;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    store_rollback(s);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

sqlite3 *store_db(struct store *s)
{
    return s->db;
}

const char *store_path(const struct store *s)
{
    return s->path;
}

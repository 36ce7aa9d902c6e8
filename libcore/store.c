/* store: the one SQLite database of SPEC 1.4. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "schema.h"
#include "store_int.h"
#include "xalloc.h"

/* Two cron jobs at once wait for each other rather than fail (SPEC 1.4). */
#define STORE_BUSY_TIMEOUT_MS 30000

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

static const char *dangling(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && stat(path, &st) < 0)
        return "it is a symlink to something missing, and qs never creates through a symlink: "
               "remove the link or create what it points to";
    return NULL;
}

/* Creates the missing parent folders of path (0700), like mkdir -p. mkdir() never
 * follows a symlink; an existing component must be a folder (a dangling symlink or a
 * file in the way is an error here, not a puzzle later). */
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
            struct stat st;
            *p = '\0';
            if (mkdir(dir, 0700) < 0) {
                const char *why = errno == EEXIST ? dangling(dir) : strerror(errno);
                if (!why && stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
                    why = "it exists and is not a folder";
                if (why) {
                    rc = err_set(e, QS_E_IO, NULL, "cannot create folder %s: %s", dir, why);
                    goto out;
                }
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

static int int_row(sqlite3_stmt *st, void *ctx)
{
    *(int *)ctx = sqlite3_column_int(st, 0);
    return 1;
}

/* The first column of the first row of sql (no parameters), or def. */
static int int_query(struct store *s, const char *sql, int def)
{
    struct qs_err ignore;
    int v = def;
    return store_each(s, sql, int_row, &v, &ignore, "") == 1 ? v : def;
}

int store_version(struct store *s)
{
    return int_query(s, "PRAGMA user_version", -1);
}

int store_schema_version(void)
{
    return schema_count();
}

/* Copies the store to PATH.bak-vN with SQLite's backup API before migrating from N. The
 * copy is written to a new temporary file in the same folder (mkstemp: O_CREAT|O_EXCL,
 * 0600, which never follows a symlink) and renamed over PATH.bak-vN: rename() replaces a
 * symlink planted there instead of writing through it (issue 8 item 6), and two
 * processes migrating at once each rename a whole copy. */
static int backup(struct store *s, int from, struct qs_err *e)
{
    char *bak = xasprintf("%s.bak-v%d", s->path, from);
    char *tmp = xasprintf("%s.tmp-XXXXXX", bak);
    sqlite3 *dst = NULL;
    sqlite3_backup *b;
    int rc = 0, fd, step = SQLITE_OK, made = 0;

    fd = mkstemp(tmp);
    if (fd < 0) {
        rc = err_set(e, QS_E_IO, NULL, "cannot write backup %s: %s", tmp, strerror(errno));
        goto out;
    }
    made = 1;
    close(fd);
    if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        /* no journal file beside the copy: a copy cut short is never renamed in */
        sqlite3_exec(dst, "PRAGMA journal_mode = OFF", NULL, NULL, NULL) != SQLITE_OK) {
        rc = err_set(e, QS_E_IO, NULL, "cannot open backup %s: %s", tmp,
                     dst ? sqlite3_errmsg(dst) : "out of memory");
        goto out;
    }
    b = sqlite3_backup_init(dst, "main", s->db, "main");
    if (!b || (step = sqlite3_backup_step(b, -1)) != SQLITE_DONE) {
        rc = err_set(e, QS_E_IO, NULL, "backup to %s failed: %s", tmp,
                     b ? sqlite3_errstr(step) : sqlite3_errmsg(dst));
        sqlite3_backup_finish(b);
        goto out;
    }
    if (sqlite3_backup_finish(b) != SQLITE_OK) {
        rc = err_set(e, QS_E_IO, NULL, "backup to %s failed: %s", tmp, sqlite3_errmsg(dst));
        goto out;
    }
    if (sqlite3_close(dst) != SQLITE_OK) {
        rc = err_set(e, QS_E_IO, NULL, "backup to %s failed: %s", tmp, sqlite3_errmsg(dst));
        goto out;
    }
    dst = NULL;
    if (rename(tmp, bak) < 0)
        rc = err_set(e, QS_E_IO, NULL, "cannot write backup %s: %s", bak, strerror(errno));
    else
        made = 0;
out:
    sqlite3_close(dst);
    if (made)
        unlink(tmp);
    free(tmp);
    free(bak);
    return rc;
}

/* 1 when the database holds any table: a store worth a backup. */
static int has_content(struct store *s)
{
    return int_query(s, "SELECT count(*) FROM sqlite_schema", 0) > 0;
}

/* QS_E_DATA when schema version v is one this qs does not know, else 0. */
static int too_new(int v, struct qs_err *e)
{
    if (v <= schema_count() && v >= 0)
        return 0;
    return err_set(e, QS_E_DATA, NULL,
                   "store schema version %d is newer than this qs knows (%d); upgrade qs", v,
                   schema_count());
}

/* SPEC 1.4: WAL mode. Switching a store that is not in WAL mode yet (new, or older) needs
 * the file to itself for a moment, and SQLite answers SQLITE_BUSY at once, without its
 * busy handler, while another process holds it: two runs opening one such store at once.
 * Retried here for as long as the busy timeout. */
static int set_wal(struct store *s, struct qs_err *e)
{
    const struct timespec step = {0, 20 * 1000000L};
    int rc;

    for (long waited = 0;; waited += 20) {
        if ((rc = store_exec(s, "PRAGMA journal_mode = WAL", e)) != QS_E_TEMP ||
            waited >= STORE_BUSY_TIMEOUT_MS)
            return rc;
        err_clear(e);
        nanosleep(&step, NULL);
    }
}

/* Migrates forward in one transaction; a backup first when the store holds data. */
static int migrate(struct store *s, struct qs_err *e)
{
    int rc, v = store_version(s);

    if (v == schema_count())
        return 0;
    if ((rc = too_new(v, e)) < 0)
        return rc;
    /* SQLite cannot back up from a connection that is writing: back up first. Two
     * processes migrating at once both write a backup; the last one renamed in stays. */
    if (has_content(s) && (rc = backup(s, v, e)) < 0)
        return rc;
    /* A migration may rebuild a table others refer to (SQLite's own recipe: foreign keys
     * off, which only works outside a transaction); the keys are checked before the
     * commit and turned on again whatever happens. */
    if ((rc = store_exec(s, "PRAGMA foreign_keys = OFF", e)) < 0)
        return rc;
    if ((rc = store_begin(s, e)) < 0)
        goto on;
    v = store_version(s); /* again, inside the write lock: another run may have migrated */
    for (; v < schema_count(); v++) {
        char pragma[64];
        if ((rc = store_exec(s, schema_migration(v), e)) < 0)
            goto fail;
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if ((rc = store_exec(s, pragma, e)) < 0)
            goto fail;
    }
    if (int_query(s, "SELECT count(*) FROM pragma_foreign_key_check", 0) != 0) {
        rc = err_set(e, QS_E_SOFTWARE, NULL, "the migration broke a foreign key; nothing changed");
        goto fail;
    }
    rc = store_commit(s, e);
    goto on;
fail:
    store_rollback(s);
on:
    if (store_exec(s, "PRAGMA foreign_keys = ON", rc < 0 ? NULL : e) < 0 && rc == 0)
        rc = QS_E_SOFTWARE;
    return rc;
}

/* Gives the file open on fd (name: path) mode 0600 when this user owns it, and refuses it
 * when another user owns it and group or others may read or write it: the store holds
 * secrets (issue 8 item 5; ssh treats key files the same way). */
static int secure_mode(int fd, const char *name, struct qs_err *e)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return err_set(e, QS_E_IO, NULL, "cannot read the mode of %s: %s", name, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return err_set(e, QS_E_IO, NULL, "%s is not a regular file", name);
    if ((st.st_mode & 07777) == 0600)
        return 0;
    if (st.st_uid == geteuid()) {
        if (fchmod(fd, 0600) < 0)
            return err_set(e, QS_E_IO, NULL, "cannot make %s private (mode 0600): %s", name,
                           strerror(errno));
        return 0;
    }
    if (st.st_mode & 077)
        return err_set(e, QS_E_IO, NULL,
                       "%s is owned by uid %ld and %s by others (mode %04o), and it holds "
                       "secrets; qs refuses it as ssh refuses such a key file: its owner can "
                       "fix it with `chmod 600 %s`",
                       name, (long)st.st_uid, st.st_mode & 022 ? "writable" : "readable",
                       (unsigned)(st.st_mode & 07777), name);
    return 0;
}

/* Opens the store file for writing, creating it 0600 when missing. An existing file is
 * opened as it is (a symlink to it is followed); a missing one is created with O_EXCL,
 * which never follows a symlink, so a dangling symlink planted at path cannot make qs
 * create its target (issue 8 item 6). Then secure_mode, on the -wal and -shm files too. */
static int open_file(const char *path, struct qs_err *e)
{
    int fd = -1, rc;

    for (int tries = 0; fd < 0 && tries < 3; tries++) {
        const char *why;
        if ((fd = open(path, O_RDWR | O_CLOEXEC)) >= 0 || errno != ENOENT)
            break;
        if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) >= 0 || errno != EEXIST)
            break;
        if ((why = dangling(path)) != NULL)
            return err_set(e, QS_E_IO, NULL, "cannot create store %s: %s", path, why);
        /* another process created it meanwhile: open that one */
    }
    if (fd < 0)
        return err_set(e, QS_E_IO, NULL, "cannot open store %s%s: %s", path,
                       errno == EACCES || errno == EROFS ? " for writing" : "", strerror(errno));
    rc = secure_mode(fd, path, e);
    close(fd);
    for (int i = 0; i < 2 && rc == 0; i++) {
        char *side = xasprintf("%s%s", path, i ? "-shm" : "-wal");
        if ((fd = open(side, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) >= 0) {
            rc = secure_mode(fd, side, e);
            close(fd);
        }
        free(side);
    }
    return rc;
}

/* SQLite counts every allocation under a global mutex by default (SQLITE_CONFIG_MEMSTATUS):
 * 2-3% of an import's instructions (issue 16), for counts qs never reads. The setting
 * takes effect only before SQLite initializes, at the first open; later it is refused
 * (SQLITE_MISUSE) and changes nothing, which is as good. */
static void sqlite_setup(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* refused once initialized: kept on */
}

int store_open(const char *path, struct store **out, struct qs_err *e)
{
    struct store *s = xcalloc(1, sizeof *s);
    int rc;

    *out = NULL;
    s->path = xstrdup(path);
    sqlite_setup();
    if ((rc = make_parents(path, e)) < 0 || (rc = open_file(path, e)) < 0)
        goto fail;
    /* NOMUTEX: a store is used from one thread (issue 16: serialized mode cost 2-3% of an
     * import in mutex calls). */
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        rc = store_sqlerr(s, e, "cannot open store");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(s->db, 1);
    if ((rc = set_wal(s, e)) < 0 || (rc = store_exec(s, "PRAGMA foreign_keys = ON", e)) < 0 ||
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

/* Opens s->path read-only; immutable: through a URI with immutable=1, which needs no
 * -shm and takes no lock -- only for a read-only folder or mount, where no qs can write. */
static int ro_connect(struct store *s, int immutable)
{
    int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, rc;
    char *uri = NULL;

    store_cache_clear(s);
    sqlite3_close(s->db);
    s->db = NULL;
    if (immutable) {
        size_t n = 0;
        uri = xmalloc(strlen(s->path) * 3 + 40);
        n += (size_t)sprintf(uri, "file:%s", s->path[0] == '/' ? "//" : "");
        for (const char *p = s->path; *p; p++)
            n += (size_t)(*p == '%' || *p == '?' || *p == '#' ? sprintf(uri + n, "%%%02X", *p)
                                                              : sprintf(uri + n, "%c", *p));
        strcpy(uri + n, "?immutable=1");
        flags |= SQLITE_OPEN_URI;
    }
    rc = sqlite3_open_v2(uri ? uri : s->path, &s->db, flags, NULL);
    free(uri);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(s->db, 1);
        sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    }
    return rc;
}

/* A first read, which is where SQLite finds out whether it can read the WAL index. */
static int ro_probe(struct store *s)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st) == SQLITE_ROW ? SQLITE_OK : sqlite3_errcode(s->db);
    sqlite3_finalize(st);
    return rc;
}

int store_open_ro(const char *path, struct store **out, struct qs_err *e)
{
    struct store *s = xcalloc(1, sizeof *s);
    struct stat st;
    const char *why;
    int rc, v;

    *out = NULL;
    s->path = xstrdup(path);
    sqlite_setup();
    if (stat(path, &st) < 0) {
        if (errno == ENOENT && (why = dangling(path)) != NULL)
            rc = err_set(e, QS_E_IO, NULL, "cannot open store %s: %s", path, why);
        else if (errno == ENOENT)
            rc = err_set(e, QS_E_IO, NULL,
                         "no store at %s (a command that only reads never creates one); check "
                         "--store or QS_STORE, or create it with `qs init --store %s`",
                         path, path);
        else
            rc = err_set(e, QS_E_IO, NULL, "cannot open store %s: %s", path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = err_set(e, QS_E_IO, NULL, "store %s is not a regular file", path);
        goto fail;
    }
    if (st.st_size == 0) {
        rc = err_set(e, QS_E_DATA, NULL,
                     "%s is empty, not a qs store; `qs init --store %s` creates one", path, path);
        goto fail;
    }
    /* SQLite reads a WAL store read-only when it can open or create the -shm; in a
     * read-only folder or mount without one, it can still read the file alone
     * (immutable) -- but only when no -wal holds changes the file lacks. */
    if ((rc = ro_connect(s, 0)) == SQLITE_OK)
        rc = ro_probe(s);
    if ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY) {
        /* Nor when a -journal holds what a killed import half wrote (store_bulk_begin):
         * only a connection that may write can roll it back. */
        static const char *const side[][2] = {
            {"-wal", "its -wal file holds changes not yet in the store"},
            {"-journal", "its -journal file holds changes a killed command left half written"}};
        for (size_t i = 0; i < sizeof side / sizeof side[0]; i++) {
            char *f = xasprintf("%s%s", path, side[i][0]);
            int pending = stat(f, &st) == 0 && st.st_size > 0;
            free(f);
            if (pending) {
                rc = err_set(e, QS_E_IO, NULL,
                             "cannot read store %s: %s and its folder is read-only, so SQLite "
                             "cannot read it; run a command that writes where the folder is "
                             "writable, then retry",
                             path, side[i][1]);
                goto fail;
            }
        }
        if ((rc = ro_connect(s, 1)) == SQLITE_OK)
            rc = ro_probe(s);
    }
    if (rc != SQLITE_OK) {
        rc = store_sqlerr(s, e, "cannot read store");
        goto fail;
    }
    if ((rc = too_new(v = store_version(s), e)) < 0)
        goto fail;
    if (v < schema_count() && access(path, W_OK) == 0) {
        /* SPEC 1.4: migrated forward automatically -- a store this user may write is
         * migrated (backup first) by the first command after an upgrade, even one that
         * only reads; only a store that cannot be written is refused. */
        store_close(s);
        return store_open(path, out, e);
    }
    if (v < schema_count()) {
        rc = err_set(e, QS_E_DATA, NULL,
                     "store %s has schema version %d and this qs reads version %d; a command "
                     "that only reads never migrates: run one that writes (`qs init` does, "
                     "after a backup) first",
                     path, v, schema_count());
        goto fail;
    }
    if ((rc = store_exec(s, "PRAGMA foreign_keys = ON", e)) < 0 ||
        (rc = store_exec(s, "PRAGMA query_only = ON", e)) < 0)
        goto fail;
    *out = s;
    return 0;
fail:
    store_close(s);
    return rc;
}

/* Runs a PRAGMA that answers with the journal mode; 1 when the answer is want. */
static int journal_mode(struct store *s, const char *sql, const char *want)
{
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
             sqlite3_step(st) == SQLITE_ROW &&
             strcmp((const char *)sqlite3_column_text(st, 0), want) == 0;
    sqlite3_finalize(st);
    return ok;
}

int store_bulk_begin(struct store *s)
{
    if (s->bulk || sqlite3_get_autocommit(s->db) == 0)
        return s->bulk;
    /* Another connection open (a WAL connection holds a shared lock for its life): SQLite
     * refuses the switch; asked without waiting, so the bulk write just stays in WAL. */
    sqlite3_busy_timeout(s->db, 0);
    s->bulk = journal_mode(s, "PRAGMA journal_mode = DELETE", "delete");
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    /* In rollback mode only FULL syncs the journal before the store is written. */
    if (s->bulk && sqlite3_exec(s->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK)
        store_bulk_end(s);
    return s->bulk;
}

void store_bulk_end(struct store *s)
{
    struct qs_err ignored;
    if (!s->bulk)
        return;
    s->bulk = 0;
    /* as store_open does: waits out another process switching it at the same moment */
    (void)set_wal(s, &ignored);
    (void)store_exec(s, "PRAGMA synchronous = NORMAL", &ignored);
}

void store_close(struct store *s)
{
    if (!s)
        return;
    store_rollback(s);
    store_bulk_end(s);
    store_cache_clear(s);
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

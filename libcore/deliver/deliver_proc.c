/* deliver_proc: the hook's process (SPEC 1.7): started by /bin/sh -c in its own process
 * group with a clean environment and pipes on its stdin and stdout, written without
 * SIGPIPE, ended with grace. */
#include "deliver_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../xalloc.h"

extern char **environ;

/* Moves fd above 2 (so dup2 onto 0 and 1 never meets itself), close-on-exec. */
static int fd_high(int fd)
{
    int h;
    if (fd > 2)
        return fd;
    h = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return h;
}

/* 1 when the environment entry kv ("NAME=value") may reach a hook. */
static int hook_passes(const char *kv)
{
    static const char *const names[] = {"PATH", "HOME", "LANG", "TZ", "TMPDIR"};
    size_t n = strcspn(kv, "=");

    if (strncmp(kv, "LC_", 3) == 0 || strncmp(kv, "QS_HOOK_", 8) == 0)
        return 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && strncmp(kv, names[i], n) == 0)
            return 1;
    return 0;
}

/* The hook's environment (issue 8 item 8): never qs's whole one, which holds
 * QS_QAPI_KEY, QS_QAPI_PASSWORD and whatever else the caller keeps there. Only PATH,
 * HOME, LANG, LC_*, TZ, TMPDIR, what the seller passes on purpose (QS_HOOK_*) and QS_SHOP,
 * the shop delivered for (a QS_SHOP of the caller's never passes). The array is malloc'd,
 * its strings are environ's but QS_SHOP's (the first). */
char **deliver_hook_env(const char *shop)
{
    size_t n = 0, k = 0;
    char **env;
    int path = 0;

    while (environ[n])
        n++;
    env = xcalloc(n + 3, sizeof *env);
    env[k++] = xasprintf("QS_SHOP=%s", shop);
    for (size_t i = 0; i < n; i++)
        if (hook_passes(environ[i])) {
            path |= strncmp(environ[i], "PATH=", 5) == 0;
            env[k++] = environ[i];
        }
    if (!path)
        env[k] = "PATH=/usr/local/bin:/usr/bin:/bin";
    return env;
}

void deliver_hook_env_free(char **env)
{
    free(env[0]); /* QS_SHOP */
    free(env);
}

int dlv_spawn(const char *cmd, const char *shop, pid_t *pidp, int *in_fd, int *out_fd,
              struct qs_err *e)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, rc = 0, err;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, def;
    char *argv[] = {"sh", "-c", (char *)cmd, NULL};
    pid_t pid;

    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
        rc = err_set(e, QS_E_IO, NULL, "hook:%s: pipe: %s", cmd, strerror(errno));
    for (int k = 0; k < 2 && rc == 0; k++)
        if ((in[k] = fd_high(in[k])) < 0 || (out[k] = fd_high(out[k])) < 0)
            rc = err_set(e, QS_E_IO, NULL, "hook:%s: %s", cmd, strerror(errno));
    if (rc == 0) {
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawnattr_init(&at);
        sigemptyset(&none);
        sigemptyset(&def);
        sigaddset(&def, SIGPIPE); /* qs ignores SIGPIPE; the hook gets the default back */
        posix_spawnattr_setsigmask(&at, &none);
        posix_spawnattr_setsigdefault(&at, &def);
        /* Its own process group, so the whole hook (sh and its children) can be ended. */
        posix_spawnattr_setpgroup(&at, 0);
        posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                          POSIX_SPAWN_SETPGROUP);
        char **env = deliver_hook_env(shop);
        if ((err = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, env)) == 0)
            *pidp = pid;
        else
            rc = err_set(e, QS_E_UNAVAILABLE, NULL, "hook:%s: cannot start /bin/sh: %s", cmd,
                         strerror(err));
        deliver_hook_env_free(env);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&at);
    }
    if (in[0] >= 0)
        close(in[0]);
    if (out[1] >= 0)
        close(out[1]);
    *in_fd = in[1];
    *out_fd = out[0];
    if (rc == 0 &&
        (fcntl(*in_fd, F_SETFL, O_NONBLOCK) < 0 || fcntl(*out_fd, F_SETFL, O_NONBLOCK) < 0))
        rc = err_set(e, QS_E_IO, NULL, "hook:%s: %s", cmd, strerror(errno));
    return rc;
}

/* Blocks SIGPIPE around the write and swallows the one it raised: a library must not
 * rely on main ignoring it. */
ssize_t dlv_write_nosig(int fd, const void *buf, size_t n)
{
    sigset_t pipe_set, old, pending;
    ssize_t w;
    int err, was_pending;

    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    w = write(fd, buf, n);
    err = errno;
    if (w < 0 && err == EPIPE && !was_pending) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = err;
    return w;
}

int dlv_reap(const struct dlv_run *r, pid_t pid, long grace_ms, int *fd, void (*drain)(void *ctx),
             void *ctx)
{
    long long start = dlv_now_ms();
    int status, sig = 0;
    pid_t w;

    for (;;) {
        while ((w = waitpid(pid, &status, WNOHANG)) < 0 && errno == EINTR)
            ;
        if (w == pid || w < 0)
            break;
        long long waited = dlv_now_ms() - start;
        if (sig == 0 && waited >= grace_ms) {
            dlv_warn(r, "%s: still running %ld ms after the end of the run; ending it",
                     r->spec->text, grace_ms);
            kill(-pid, sig = SIGTERM);
        } else if (sig == SIGTERM && waited >= grace_ms + 1000)
            kill(-pid, sig = SIGKILL);
        if (*fd >= 0) {
            struct pollfd p = {.fd = *fd, .events = POLLIN};
            if (poll(&p, 1, 20) > 0)
                drain(ctx);
        } else
            usleep(5000);
    }
    if (w < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

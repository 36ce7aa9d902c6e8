/* deliver_ping: R-SYN-8's ping of a hook (SPEC 1.7). The hook is started as a run starts
 * it and given one request, {"id":"ping","kind":"ping","key":"ping","shop":S,"for":KIND},
 * then end of input. It is alive when it answers that id with an answer line ({"id":
 * "ping","ok":true|false,...}) within the timeout: a hook that refuses an unknown kind
 * (ok false) has still shown it runs and speaks the protocol. A hook must not act on a
 * ping; qs-sync(1) and qs(1) say so. */
#include "deliver_int.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../xalloc.h"

#define PING_LINE_MAX 65536

/* Ends the hook: waits up to grace_ms for it to exit, then its process group gets SIGTERM,
 * a second later SIGKILL. */
static void ping_reap(pid_t pid, long grace_ms)
{
    long long start = dlv_now_ms();
    int status, sig = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR))
            return;
        long long waited = dlv_now_ms() - start;
        if (sig == 0 && waited >= grace_ms)
            kill(-pid, sig = SIGTERM);
        else if (sig == SIGTERM && waited >= grace_ms + 1000)
            kill(-pid, sig = SIGKILL);
        usleep(5000);
    }
}

/* The answer line's verdict: 0 an answer to the ping (*said: its error when ok is false),
 * -1 anything else (why in why). */
static int ping_answer(const char *line, char **said, char *why, size_t n)
{
    json_error_t je;
    json_t *o = json_loads(line, 0, &je), *ok;
    int rc = -1;
    if (!json_is_object(o))
        snprintf(why, n, "its first line is not a JSON object");
    else if (!json_is_string(json_object_get(o, "id")) ||
             strcmp(json_string_value(json_object_get(o, "id")), "ping") != 0)
        snprintf(why, n, "its first line does not answer the ping's id");
    else if (!json_is_boolean(ok = json_object_get(o, "ok")))
        snprintf(why, n, "its answer has no \"ok\": true or false");
    else {
        const char *err = json_string_value(json_object_get(o, "error"));
        *said = json_is_false(ok) ? xstrdup(err ? err : "ok false") : NULL;
        rc = 0;
    }
    json_decref(o);
    return rc;
}

int deliver_hook_ping(const char *cmd, const char *shop, const char *kind, long timeout_ms,
                      char **said, struct qs_err *e)
{
    json_t *req = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", "ping", "kind", "ping", "key",
                            "ping", "shop", shop, "for", kind);
    char *text = json_dumps(req, JSON_COMPACT), buf[PING_LINE_MAX], why[160] = "";
    size_t len = 0, tlen = strlen(text);
    int in = -1, out = -1, rc = 0, got = 0;
    long long start;
    pid_t pid = -1;

    *said = NULL;
    json_decref(req);
    if ((rc = dlv_spawn(cmd, shop, &pid, &in, &out, e)) < 0)
        goto done;
    text = xrealloc(text, tlen + 2);
    text[tlen++] = '\n';
    /* one short line into an empty pipe: it fits, unless the hook is already gone */
    if (dlv_write_nosig(in, text, tlen) != (ssize_t)tlen)
        snprintf(why, sizeof why, "it did not read its input (%s)", strerror(errno));
    close(in);
    in = -1;
    start = dlv_now_ms();
    while (!why[0] && !got) {
        long long left = timeout_ms - (dlv_now_ms() - start);
        struct pollfd p = {.fd = out, .events = POLLIN};
        if (left <= 0) {
            snprintf(why, sizeof why, "no answer within %ld s", timeout_ms / 1000);
            break;
        }
        int pr = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
        if (pr < 0 && errno != EINTR) {
            snprintf(why, sizeof why, "poll: %s", strerror(errno));
            break;
        }
        if (pr <= 0)
            continue;
        ssize_t r = read(out, buf + len, sizeof buf - 1 - len);
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (r <= 0) {
            snprintf(why, sizeof why, "it ended without answering");
            break;
        }
        len += (size_t)r;
        buf[len] = '\0';
        char *nl = memchr(buf, '\n', len);
        if (nl) {
            *nl = '\0';
            got = 1;
        } else if (len == sizeof buf - 1)
            snprintf(why, sizeof why, "its first line is longer than %d bytes", PING_LINE_MAX);
    }
    if (got && ping_answer(buf, said, why, sizeof why) < 0)
        got = 0;
    if (!got)
        rc = err_set(e, QS_E_FAIL, "R-SYN-8", "hook:%s did not answer a ping: %s", cmd, why);
done:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (pid > 0)
        ping_reap(pid, 2000);
    free(text);
    return rc;
}

/* outbox_self: who holds a claimed item -- owner "HOST:PID:STARTTIME" -- and whether that
 * process still runs. Below outbox.c (which claims as this process) and outbox_owner.c
 * (which recovers what dead processes held). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outbox_int.h"
#include "store_int.h"
#include "tm.h"

/* The start time of pid in clock ticks since boot (field 22 of /proc/PID/stat), so a
 * reused pid is not mistaken for the process that claimed an item. Returns 0, -1 when
 * the process is gone (or a zombie), -2 when it cannot tell. */
static int proc_start(long pid, unsigned long long *start)
{
    char path[64], buf[1024];
    FILE *f;
    size_t n;
    const char *p;
    char state;

    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if (!(f = fopen(path, "re")))
        return errno == ENOENT || errno == ESRCH ? -1 : -2;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* comm (field 2) may hold spaces and parentheses: fields 3.. follow the last ')'. */
    if (!(p = strrchr(buf, ')')) || sscanf(p + 1, " %c", &state) != 1)
        return n == 0 ? -1 : -2;
    if (state == 'Z' || state == 'X')
        return -1;
    p += 1;
    for (int field = 2; field < 21; field++) {
        p = strchr(p + 1, ' ');
        if (!p)
            return -2;
    }
    return sscanf(p, " %llu", start) == 1 ? 0 : -2;
}

static void hostname(char buf[256])
{
    if (gethostname(buf, 256) < 0)
        snprintf(buf, 256, "localhost");
    buf[255] = '\0';
}

const char *outbox_self_owner(struct store *s)
{
    char host[256];
    unsigned long long start = 0;
    long pid = (long)getpid();

    if (s->owner_pid == pid && s->owner[0])
        return s->owner;
    hostname(host);
    if (proc_start(pid, &start) < 0)
        start = 0;
    snprintf(s->owner, sizeof s->owner, "%s:%ld:%llu", host, pid, start);
    s->owner_pid = pid;
    tm_utc_iso(time(NULL), s->owner_since, sizeof s->owner_since);
    return s->owner;
}

const char *outbox_self_since(struct store *s)
{
    outbox_self_owner(s);
    return s->owner_since;
}

/* 1 when owner names a process of this host that no longer runs. A process of another
 * host, or an owner we cannot parse or check, counts as alive: leave its items alone. */
int outbox_owner_dead(const char *owner)
{
    char host[256], *end;
    const char *c2, *c1;
    long pid;
    unsigned long long start, now;

    if (!owner || !(c2 = strrchr(owner, ':')) || c2 == owner)
        return 0;
    for (c1 = c2 - 1; c1 > owner && *c1 != ':'; c1--)
        ;
    if (*c1 != ':')
        return 0;
    hostname(host);
    if ((size_t)(c1 - owner) != strlen(host) || strncmp(owner, host, strlen(host)) != 0)
        return 0;
    errno = 0;
    pid = strtol(c1 + 1, &end, 10);
    if (errno || end != c2 || pid <= 0)
        return 0;
    start = strtoull(c2 + 1, &end, 10);
    if (errno || *end != '\0')
        return 0;
    if (proc_start((long)getpid(), &now) != 0)
        return 0; /* no readable /proc here: every pid would look gone */
    switch (proc_start(pid, &now)) {
    case 0:
        return now != start;
    case -1:
        return 1;
    default:
        return 0;
    }
}

/* Unit tests of the delivery engine (SPEC 1.7 deliveries over the SPEC 1.6 outbox):
 * hook protocol against small hooks written at test time, the file: hand-off, confirm,
 * dry run, orphans per delivery, and a built-in sender. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "deliver/deliver.h"
#include "outbox.h"
#include "outbox_fx.h"
#include "shop.h"
#include "store.h"
#include "xalloc.h"

/* The test hook. Modes (argv[1]):
 *   reverse        read everything, then answer in reverse order: ok, ref "r-KEY"
 *   stream         answer each request as it comes: ok, ref "r-KEY"
 *   garbage N      like stream, but every Nth request gets a garbage line instead
 *   crash K        answer K requests, then exit 1
 *   silent         read everything, never answer, wait
 *   mixed          key with "bad" -> ok:false retry:false, "soft" -> retry:true, else ok
 *   idem FILE      effects by key in FILE: a new key appends "KEY REF", a repeat answers
 *                  ok with the original REF and adds nothing
 *   stderr         writes "hook-stderr-marker" to stderr, then like stream
 *   slow MS        like stream, sleeping MS milliseconds before each answer
 *   peek DB        like stream, but the first answer's ref is "claimed-N": N items of
 *                  store DB were claimed when the hook read its first request */
static const char hook_py[] =
    "import json, sys, os, time\n"
    "mode = sys.argv[1]\n"
    "arg = sys.argv[2] if len(sys.argv) > 2 else None\n"
    "def say(o):\n"
    "    sys.stdout.write(json.dumps(o) + '\\n'); sys.stdout.flush()\n"
    "def ok(r):\n"
    "    say({'id': r['id'], 'ok': True, 'ref': 'r-' + r['key']})\n"
    "if mode == 'reverse':\n"
    "    reqs = [json.loads(l) for l in sys.stdin]\n"
    "    for r in reversed(reqs): ok(r)\n"
    "    sys.exit(0)\n"
    "if mode == 'silent':\n"
    "    for l in sys.stdin: pass\n"
    "    time.sleep(30); sys.exit(0)\n"
    "if mode == 'stderr':\n"
    "    sys.stderr.write('hook-stderr-marker\\n'); sys.stderr.flush()\n"
    "n = 0\n"
    "if mode == 'peek':\n"
    "    import sqlite3\n"
    "    r = json.loads(sys.stdin.readline()); n = 1\n"
    "    db = sqlite3.connect('file:' + arg + '?mode=ro', uri=True)\n"
    "    c = db.execute(\"SELECT count(*) FROM outbox WHERE state = 'claimed'\").fetchone()[0]\n"
    "    db.close()\n"
    "    say({'id': r['id'], 'ok': True, 'ref': 'claimed-%d' % c})\n"
    "for line in sys.stdin:\n"
    "    r = json.loads(line); n += 1\n"
    "    if mode == 'garbage' and n % int(arg) == 0:\n"
    "        sys.stdout.write('this is {not json\\n'); sys.stdout.flush(); continue\n"
    "    if mode == 'mixed' and 'bad' in r['key']:\n"
    "        say({'id': r['id'], 'ok': False, 'error': 'refused ' + r['key'], 'retry': False})\n"
    "        continue\n"
    "    if mode == 'mixed' and 'soft' in r['key']:\n"
    "        say({'id': r['id'], 'ok': False, 'error': 'busy', 'retry': True}); continue\n"
    "    if mode == 'idem':\n"
    "        seen = {}\n"
    "        if os.path.exists(arg):\n"
    "            for l in open(arg): k, v = l.split(); seen[k] = v\n"
    "        if r['key'] not in seen:\n"
    "            seen[r['key']] = 'ref-%d-%s' % (os.getpid(), r['key'])\n"
    "            with open(arg, 'a') as f: f.write('%s %s\\n' % (r['key'], seen[r['key']]))\n"
    "        say({'id': r['id'], 'ok': True, 'ref': seen[r['key']]}); continue\n"
    "    if mode == 'slow': time.sleep(int(arg) / 1000.0)\n"
    "    ok(r)\n"
    "    if mode == 'crash' and n == int(arg): sys.exit(1)\n";

struct fx {
    char dir[64];
    char path[128];
    char logpath[128];
    struct store *s;
    FILE *log;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct qs_err e = {0};
    char p[160];
    int created;
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "%s", "/tmp/qs-test-deliver.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/qs.db", f->dir);
    snprintf(f->logpath, sizeof f->logpath, "%s/log", f->dir);
    assert_int_equal(store_open(f->path, &f->s, &e), 0);
    assert_int_equal(shop_add(f->s, "demo", "Asia/Tokyo", 0, &created, &e), 0);
    snprintf(p, sizeof p, "%s/hook.py", f->dir);
    FILE *h = fopen(p, "w");
    assert_non_null(h);
    assert_int_equal(fputs(hook_py, h) >= 0, 1);
    assert_int_equal(fclose(h), 0);
    assert_non_null(f->log = fopen(f->logpath, "w+"));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[160];
    store_close(f->s);
    fclose(f->log);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* Enqueues n items of kind, keys PREFIX0000.., payload {"n":I,"pad":"..."} (pad bytes long). */
static void enq(struct fx *f, const char *kind, const char *prefix, int n, size_t pad)
{
    struct qs_err e = {0};
    char key[64];
    char *padding = xcalloc(1, pad + 1);
    memset(padding, 'x', pad);
    assert_int_equal(store_begin(f->s, &e), 0);
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof key, "%s%04d", prefix, i);
        char *payload = xasprintf("{\"n\":%d,\"pad\":\"%s\"}", i, padding);
        assert_int_equal(outbox_enqueue(f->s, "demo", kind, key, payload, time(NULL) - 1, NULL, &e),
                         1);
        free(payload);
    }
    assert_int_equal(store_commit(f->s, &e), 0);
    free(padding);
}

static size_t count(struct fx *f, const char *kind, enum outbox_state st)
{
    size_t c[OUTBOX_NSTATES];
    struct qs_err e = {0};
    assert_int_equal(outbox_count(f->s, "demo", kind, c, &e), 0);
    return c[st];
}

/* The item with key; free with outbox_items_free(x, 1). */
static struct outbox_item *item(struct fx *f, const char *kind, const char *key)
{
    struct outbox_item *items, *out = NULL;
    struct qs_err e = {0};
    size_t n;
    assert_int_equal(outbox_list(f->s, "demo", kind, -1, &items, &n, &e), 0);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i].key, key) == 0) {
            out = xcalloc(1, sizeof *out);
            *out = items[i];
            memset(&items[i], 0, sizeof items[i]);
        }
    }
    outbox_items_free(items, n);
    assert_non_null(out);
    return out;
}

static char *hook(struct fx *f, const char *mode, const char *arg)
{
    return xasprintf("hook:python3 %s/hook.py %s %s", f->dir, mode, arg ? arg : "");
}

static int run(struct fx *f, const char *kind, struct deliver_opts *o, struct deliver_report *rep)
{
    struct qs_err e = {0};
    o->log = f->log;
    int rc = deliver_run(f->s, "demo", kind, o, rep, &e);
    if (rc)
        print_error("deliver_run: %s\n", e.msg);
    return rc;
}

/* The diagnostics written so far (malloc'd). */
static char *log_text(struct fx *f)
{
    fflush(f->log);
    long n = ftell(f->log);
    char *s = xcalloc(1, (size_t)n + 1);
    rewind(f->log);
    assert_int_equal(fread(s, 1, (size_t)n, f->log), (size_t)n);
    return s;
}

struct audit_tally {
    const char *result;
    size_t n;
};

static int tally(const struct audit_entry *a, void *ctx)
{
    struct audit_tally *t = ctx;
    if (strcmp(a->result, t->result) == 0)
        t->n++;
    return 0;
}

static size_t audit_count(struct fx *f, const char *result)
{
    struct audit_tally t = {result, 0};
    struct qs_err e = {0};
    assert_int_equal(audit_each(f->s, "demo", 0, tally, &t, &e), 0);
    return t.n;
}

/* Makes item key look claimed by a process that died (pid beyond pid_max). */
static void orphan(struct fx *f, const char *kind, const char *key)
{
    char host[256], owner[320];
    sqlite3_stmt *st;
    assert_int_equal(gethostname(host, sizeof host), 0);
    snprintf(owner, sizeof owner, "%s:999999999:1", host);
    assert_int_equal(sqlite3_prepare_v2(store_db(f->s),
                                        "UPDATE outbox SET state = 'claimed', owner = ?1"
                                        " WHERE shop = 'demo' AND kind = ?2 AND key = ?3",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, owner, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, key, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    assert_int_equal(sqlite3_changes(store_db(f->s)), 1);
    sqlite3_finalize(st);
}

/* SPEC 1.7: defaults -- qapi where it applies, file: in the store's folder otherwise;
 * a setting deliver.<kind> wins; qapi only for QAPI kinds and only qapi for them. */
static void test_resolve(void **state)
{
    struct fx *f = *state;
    struct deliver_spec d;
    struct qs_err e = {0};
    char *want, *real = realpath(f->dir, NULL);

    assert_int_equal(deliver_resolve(f->s, "demo", "note", 0, &d, &e), 0);
    assert_int_equal(d.type, DELIVER_FILE);
    want = xasprintf("%s/handoff/demo/note", real);
    assert_string_equal(d.arg, want);
    free(want);
    deliver_spec_clear(&d);
    assert_int_equal(deliver_resolve(f->s, "demo", "item", 1, &d, &e), 0);
    assert_int_equal(d.type, DELIVER_QAPI);
    assert_null(d.arg);
    deliver_spec_clear(&d);

    assert_int_equal(shop_setting_set(f->s, "demo", "deliver.note", "hook:my-hook --x", &e), 0);
    assert_int_equal(deliver_resolve(f->s, "demo", "note", 0, &d, &e), 0);
    assert_int_equal(d.type, DELIVER_HOOK);
    assert_string_equal(d.arg, "my-hook --x");
    deliver_spec_clear(&d);
    assert_int_equal(deliver_resolve(f->s, "demo", "note", 1, &d, &e), QS_E_USAGE);
    assert_non_null(strstr(e.msg, "only by qapi"));

    assert_int_equal(shop_setting_set(f->s, "demo", "deliver.note", "qapi", &e), 0);
    assert_int_equal(deliver_resolve(f->s, "demo", "note", 0, &d, &e), QS_E_USAGE);
    assert_non_null(strstr(e.msg, "no method"));

    assert_int_equal(shop_setting_set(f->s, "demo", "deliver.note", "file:out/notes", &e), 0);
    assert_int_equal(deliver_resolve(f->s, "demo", "note", 0, &d, &e), 0);
    want = xasprintf("%s/out/notes", real);
    assert_string_equal(d.arg, want);
    free(want);
    deliver_spec_clear(&d);
    assert_int_equal(deliver_parse("file:/abs/dir", "/base", &d, &e), 0);
    assert_string_equal(d.arg, "/abs/dir");
    deliver_spec_clear(&d);
    assert_int_equal(deliver_parse("hook:", "/base", &d, &e), QS_E_USAGE);
    assert_int_equal(deliver_parse("ftp:x", "/base", &d, &e), QS_E_USAGE);
    free(real);
}

/* SPEC 1.7: {"id","kind","key","shop",...payload}, one line, payload numbers untouched;
 * a payload naming a reserved field is refused. */
static void test_request_line(void **state)
{
    (void)state;
    struct outbox_item it = {.id = 42,
                             .shop = "demo",
                             .kind = "note",
                             .key = "k\"1",
                             .payload = "{ \"a\" : 0.1,\n \"big\": 12345678901234567890,"
                                        " \"s\": \"x y\\n\" }"};
    struct qs_err e = {0};
    char *line = deliver_request_line(&it, &e);
    assert_non_null(line);
    assert_string_equal(line, "{\"id\":42,\"kind\":\"note\",\"key\":\"k\\\"1\",\"shop\":\"demo\","
                              "\"a\":0.1,\"big\":12345678901234567890,\"s\":\"x y\\n\"}");
    free(line);
    it.payload = "{}";
    line = deliver_request_line(&it, &e);
    assert_string_equal(line, "{\"id\":42,\"kind\":\"note\",\"key\":\"k\\\"1\",\"shop\":\"demo\"}");
    free(line);
    it.payload = "{\"key\":\"mine\"}";
    assert_null(deliver_request_line(&it, &e));
    assert_non_null(strstr(e.msg, "reserved"));
    assert_int_equal(deliver_payload_check("[1]", &e), QS_E_DATA);
    assert_int_equal(deliver_payload_check("{\"order_no\":\"1\"}", &e), 0);
}

/* SPEC 1.7: answers match requests by id in any order (here: all reversed, after the hook
 * read everything); each becomes done with its ref, one audit row per attempt. */
static void test_hook_reverse(void **state)
{
    struct fx *f = *state;
    struct deliver_opts o = {.delivery = hook(f, "reverse", NULL), .batch = 7};
    struct deliver_report rep;
    enq(f, "note", "k", 50, 10);
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.sent, 50);
    assert_int_equal(rep.failed + rep.retry, 0);
    assert_int_equal(rep.hook_status, 0);
    assert_int_equal(deliver_report_rc(&rep), 0);
    assert_int_equal(count(f, "note", OUTBOX_DONE), 50);
    struct outbox_item *it = item(f, "note", "k0017");
    assert_string_equal(it->ref, "r-k0017");
    outbox_items_free(it, 1);
    assert_int_equal(audit_count(f, "ok"), 50);
    free((char *)o.delivery);
}

/* SPEC 8 (flat memory): a hook run claims a batch at a time as the hook reads, not every
 * due item first: when the hook reads its first request, most of 3,000 due notes are still
 * pending. All of them are delivered, each once. */
static void test_hook_claims_as_read(void **state)
{
    struct fx *f = *state;
    struct deliver_opts o = {.delivery = hook(f, "peek", f->path), .batch = 20};
    struct deliver_report rep;
    enq(f, "note", "k", 3000, 500);
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.sent, 3000);
    assert_int_equal(rep.failed + rep.retry + rep.garbage, 0);
    assert_int_equal(count(f, "note", OUTBOX_DONE), 3000);
    assert_int_equal(audit_count(f, "ok"), 3000);
    struct outbox_item *it = item(f, "note", "k0000");
    long claimed = -1;
    assert_int_equal(sscanf(it->ref, "claimed-%ld", &claimed), 1);
    /* At most the pipe, the hook's read buffer, qs's write buffer and one batch. */
    assert_true(claimed >= 1 && claimed < 1000);
    outbox_items_free(it, 1);
    free((char *)o.delivery);
}

/* SPEC 1.7: garbage lines are reported and ignored; their requests stay unanswered and
 * count as retry:true when the hook ends; the others are done. */
static void test_hook_garbage(void **state)
{
    struct fx *f = *state;
    struct deliver_opts o = {.delivery = hook(f, "garbage", "4")};
    struct deliver_report rep;
    enq(f, "note", "k", 20, 0);
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.sent, 15);
    assert_int_equal(rep.retry, 5);
    assert_int_equal(rep.garbage, 5);
    assert_int_equal(deliver_report_rc(&rep), QS_E_TEMP);
    assert_int_equal(count(f, "note", OUTBOX_RETRY), 5);
    assert_int_equal(count(f, "note", OUTBOX_DONE), 15);
    char *log = log_text(f);
    assert_non_null(strstr(log, "answer line 4 ignored (not a JSON object): this is {not json"));
    free(log);
    free((char *)o.delivery);
}

/* SPEC 1.7: a hook that dies fails only the unanswered requests, which are retried (never
 * done); its exit status only ends the run. */
static void test_hook_crash(void **state)
{
    struct fx *f = *state;
    struct deliver_opts o = {.delivery = hook(f, "crash", "5")};
    struct deliver_report rep;
    enq(f, "note", "k", 20, 0);
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.sent, 5);
    assert_int_equal(rep.retry, 15);
    assert_int_equal(rep.hook_status, 1);
    assert_int_equal(count(f, "note", OUTBOX_DONE), 5);
    assert_int_equal(count(f, "note", OUTBOX_RETRY), 15);
    assert_int_equal(count(f, "note", OUTBOX_CLAIMED), 0);
    for (int i = 5; i < 20; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%04d", i);
        struct outbox_item *it = item(f, "note", key);
        assert_int_equal(it->state, OUTBOX_RETRY);
        assert_null(it->ref);
        outbox_items_free(it, 1);
    }
    free((char *)o.delivery);
}

/* SPEC 1.7: a request unanswered within its timeout (the hook silent that long) counts
 * as retry:true; a hook that will not end after that is ended, and the run does not hang. */
static void test_hook_timeout(void **state)
{
    struct fx *f = *state;
    struct deliver_opts o = {
        .delivery = hook(f, "silent", NULL), .timeout_ms = 300, .grace_ms = 200};
    struct deliver_report rep;
    enq(f, "note", "k", 10, 0);
    time_t t0 = time(NULL);
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_true(time(NULL) - t0 < 10);
    assert_int_equal(rep.retry, 10);
    assert_int_equal(rep.sent, 0);
    assert_true(rep.unavailable);
    assert_int_equal(deliver_report_rc(&rep), QS_E_UNAVAILABLE);
    assert_int_equal(rep.hook_status, 128 + 15); /* SIGTERM after the grace */
    assert_int_equal(count(f, "note", OUTBOX_RETRY), 10);
    struct outbox_item *it = item(f, "note", "k0003");
    assert_non_null(strstr(it->last_error, "no answer from the hook within 300 ms"));
    outbox_items_free(it, 1);
    free((char *)o.delivery);

    /* A hook that never reads its input: what was claimed for it is retried; what was
     * not (the pipe filled within the first batch) stays pending, untouched. */
    enq(f, "mail", "m", 400, 400); /* ~170 KB: more than a pipe holds */
    o.delivery = "hook:sleep 30";
    assert_int_equal(run(f, "mail", &o, &rep), 0);
    assert_true(time(NULL) - t0 < 20);
    assert_true(rep.retry >= 1 && rep.retry < 400);
    assert_int_equal(rep.retry + count(f, "mail", OUTBOX_PENDING), 400);
    assert_int_equal(count(f, "mail", OUTBOX_RETRY), rep.retry);
    assert_int_equal(count(f, "mail", OUTBOX_CLAIMED), 0);
}

/* SPEC 1.7: the timeout is the hook's silence, not a request's age: a slow hook working
 * through a queue longer than the timeout is never cut off. */
static void test_hook_slow_queue(void **state)
{
    struct fx *f = *state;
    struct deliver_opts o = {.delivery = hook(f, "slow", "150"), .timeout_ms = 2000};
    struct deliver_report rep;
    enq(f, "note", "k", 20, 0); /* 3 s of work, all written at once */
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.sent, 20);
    assert_int_equal(rep.retry, 0);
    free((char *)o.delivery);
}

/* SPEC 1.7: qs writes and reads concurrently: 10,000 requests to a hook that answers only
 * after reading all of them never deadlock on a full pipe. */
static void test_hook_no_deadlock(void **state)
{
    struct fx *f = *state;
    struct deliver_opts o = {.delivery = hook(f, "reverse", NULL), .batch = 500};
    struct deliver_report rep;
    enq(f, "note", "k", 10000, 60);
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.sent, 10000);
    assert_int_equal(count(f, "note", OUTBOX_DONE), 10000);
    free((char *)o.delivery);
}

/* SPEC 1.7: retry:false fails an item for good, retry:true retries it after a backoff;
 * the exit status follows SPEC 1.3 (75 when something is to be retried, else 1). */
static void test_hook_retry_flag(void **state)
{
    struct fx *f = *state;
    struct deliver_opts o = {.delivery = hook(f, "mixed", NULL)};
    struct deliver_report rep;
    enq(f, "note", "ok", 3, 0);
    enq(f, "note", "bad", 2, 0);
    enq(f, "note", "soft", 4, 0);
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.sent, 3);
    assert_int_equal(rep.failed, 2);
    assert_int_equal(rep.retry, 4);
    assert_int_equal(deliver_report_rc(&rep), QS_E_TEMP);
    struct outbox_item *it = item(f, "note", "bad0001");
    assert_int_equal(it->state, OUTBOX_FAILED);
    assert_string_equal(it->last_error, "refused bad0001");
    outbox_items_free(it, 1);
    it = item(f, "note", "soft0002");
    assert_int_equal(it->state, OUTBOX_RETRY);
    assert_true(it->next_at > time(NULL));
    outbox_items_free(it, 1);
    /* Not due yet: a plain re-run sends nothing; --retry-failed takes failed and retry
     * (settled by a run that has ended: what a run fails it does not take again). */
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.sent + rep.failed + rep.retry, 0);
    assert_int_equal(outbox_fx_settled_earlier(f->s), 0);
    o.retry_failed = 1;
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.failed, 2);
    assert_int_equal(rep.retry, 4);
    assert_int_equal(deliver_report_rc(&rep), QS_E_TEMP);
    free((char *)o.delivery);
}

/* SPEC 1.6/1.7: an item in flight when its process died goes back to pending for a hook
 * and is sent again with the same key; an idempotent hook answers ok with the original
 * ref and does its effect once. */
static void test_hook_same_key_twice(void **state)
{
    struct fx *f = *state;
    char effects[128];
    snprintf(effects, sizeof effects, "%s/effects", f->dir);
    struct deliver_opts o = {.delivery = hook(f, "idem", effects)};
    struct deliver_report rep;
    enq(f, "note", "k", 3, 0);
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.sent, 3);
    struct outbox_item *it = item(f, "note", "k0001");
    char *ref1 = xstrdup(it->ref);
    outbox_items_free(it, 1);

    orphan(f, "note", "k0001"); /* as if killed after the send, before outbox_done */
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.recovered, 1);
    assert_int_equal(rep.unknown, 0);
    assert_int_equal(rep.sent, 1);
    it = item(f, "note", "k0001");
    assert_int_equal(it->state, OUTBOX_DONE);
    assert_string_equal(it->ref, ref1);
    assert_int_equal(it->attempts, 2);
    outbox_items_free(it, 1);
    FILE *e = fopen(effects, "r");
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, e))
        n++;
    fclose(e);
    assert_int_equal(n, 3); /* the effect happened once per key */
    assert_int_equal(audit_count(f, "recovered-pending"), 1);
    free(ref1);
    free((char *)o.delivery);
}

/* SPEC 1.7: the hook's stderr goes to qs's stderr. */
static void test_hook_stderr(void **state)
{
    struct fx *f = *state;
    struct deliver_opts o = {.delivery = hook(f, "stderr", NULL)};
    struct deliver_report rep;
    char errpath[160], buf[256] = "";
    snprintf(errpath, sizeof errpath, "%s/stderr", f->dir);
    enq(f, "note", "k", 2, 0);
    fflush(stderr);
    int saved = dup(2), fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
    int rc = run(f, "note", &o, &rep);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_int_equal(rc, 0);
    assert_int_equal(rep.sent, 2);
    FILE *in = fopen(errpath, "r");
    assert_non_null(in);
    size_t n = fread(buf, 1, sizeof buf - 1, in);
    fclose(in);
    buf[n] = '\0';
    assert_string_equal(buf, "hook-stderr-marker\n");
    free((char *)o.delivery);
}

/* A hook that exits without reading: writes hit EPIPE, which must not kill qs (SIGPIPE is
 * not ignored in this test program); every item claimed for it is retried, and no more
 * are claimed: the rest stay pending. */
static void test_hook_epipe(void **state)
{
    struct fx *f = *state;
    struct deliver_opts o = {.delivery = "hook:exit 3"};
    struct deliver_report rep;
    enq(f, "note", "k", 300, 1000);
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_true(rep.retry >= 1 && rep.retry < 300);
    assert_int_equal(rep.hook_status, 3);
    assert_int_equal(count(f, "note", OUTBOX_RETRY), rep.retry);
    assert_int_equal(count(f, "note", OUTBOX_PENDING), 300 - rep.retry);
    assert_int_equal(deliver_report_rc(&rep), QS_E_UNAVAILABLE);
}

/* A payload that cannot go to a hook fails that item only, not retryably. */
static void test_hook_bad_payload(void **state)
{
    struct fx *f = *state;
    struct deliver_opts o = {.delivery = hook(f, "stream", NULL)};
    struct deliver_report rep;
    struct qs_err e = {0};
    enq(f, "note", "k", 3, 0);
    assert_int_equal(
        outbox_enqueue(f->s, "demo", "note", "x", "{\"shop\":\"other\"}", time(NULL) - 1, NULL, &e),
        1);
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.sent, 3);
    assert_int_equal(rep.failed, 1);
    struct outbox_item *it = item(f, "note", "x");
    assert_int_equal(it->state, OUTBOX_FAILED);
    assert_non_null(strstr(it->last_error, "reserved"));
    outbox_items_free(it, 1);
    free((char *)o.delivery);
}

/* max caps a run (daily caps, R-NOTE-9): the rest stays pending, first in first out. */
static void test_max_per_run(void **state)
{
    struct fx *f = *state;
    struct deliver_opts o = {.delivery = hook(f, "stream", NULL), .max = 3, .batch = 2};
    struct deliver_report rep;
    enq(f, "note", "k", 10, 0);
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.sent, 3);
    assert_int_equal(count(f, "note", OUTBOX_PENDING), 7);
    struct outbox_item *it = item(f, "note", "k0002");
    assert_int_equal(it->state, OUTBOX_DONE);
    outbox_items_free(it, 1);
    free((char *)o.delivery);
}

/* SPEC 1.6: --dry-run prints the requests (JSON Lines) and changes nothing; the hook is
 * not even started. */
static void test_dry_run(void **state)
{
    struct fx *f = *state;
    char marker[128], *cmd, buf[4096];
    snprintf(marker, sizeof marker, "%s/started", f->dir);
    cmd = xasprintf("hook:touch %s; cat >/dev/null", marker);
    FILE *out = tmpfile();
    struct deliver_opts o = {.delivery = cmd, .dry_run = out};
    struct deliver_report rep;
    enq(f, "note", "k", 3, 0);
    orphan(f, "note", "k0002");
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.dry, 2);
    assert_int_equal(access(marker, F_OK), -1);
    assert_int_equal(count(f, "note", OUTBOX_PENDING), 2);
    assert_int_equal(count(f, "note", OUTBOX_CLAIMED), 1);
    assert_int_equal(audit_count(f, "ok") + audit_count(f, "recovered-pending"), 0);
    rewind(out);
    size_t n = fread(buf, 1, sizeof buf - 1, out);
    buf[n] = '\0';
    struct outbox_item *k0 = item(f, "note", "k0000"), *k1 = item(f, "note", "k0001");
    char *want = xasprintf("{\"id\":%lld,\"kind\":\"note\",\"key\":\"k0000\",\"shop\":\"demo\","
                           "\"n\":0,\"pad\":\"\"}\n"
                           "{\"id\":%lld,\"kind\":\"note\",\"key\":\"k0001\",\"shop\":\"demo\","
                           "\"n\":1,\"pad\":\"\"}\n",
                           (long long)k0->id, (long long)k1->id);
    assert_string_equal(buf, want);
    free(want);
    outbox_items_free(k0, 1);
    outbox_items_free(k1, 1);
    fclose(out);
    free(cmd);
}

static char *slurp(const char *path)
{
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    fseek(in, 0, SEEK_END);
    long n = ftell(in);
    rewind(in);
    char *s = xcalloc(1, (size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, in), (size_t)n);
    fclose(in);
    return s;
}

/* 1 when text holds line as a whole line. */
static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return 1;
    return 0;
}

/* issue 8 item 8: a hook gets a clean environment: never the QAPI secrets nor anything
 * else of qs's, but PATH, the locale, QS_SHOP (the shop delivered for, not the caller's)
 * and every QS_HOOK_* variable the seller sets on purpose. */
static void test_hook_env(void **state)
{
    struct fx *f = *state;
    char *envf = xasprintf("%s/hook-env.txt", f->dir), *got;
    char *cmd = xasprintf("hook:env >%s; exec python3 %s/hook.py stream", envf, f->dir);
    struct deliver_opts o = {.delivery = cmd};
    struct deliver_report rep;
    static const char *const secret_vars[] = {
        "QS_QAPI_KEY",           "QS_QAPI_PASSWORD", "QS_QAPI_USER", "QS_SMTP_PASSWORD",
        "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN",     "QS_STORE"};

    for (size_t i = 0; i < sizeof secret_vars / sizeof secret_vars[0]; i++)
        setenv(secret_vars[i], "sekrit-value-42", 1);
    setenv("QS_SHOP", "callers-shop", 1);
    setenv("QS_HOOK_X", "passed on purpose", 1);
    setenv("LC_TIME", "C", 1);
    enq(f, "note", "k", 3, 0);
    assert_int_equal(run(f, "note", &o, &rep), 0);
    for (size_t i = 0; i < sizeof secret_vars / sizeof secret_vars[0]; i++)
        unsetenv(secret_vars[i]);
    unsetenv("QS_SHOP");
    unsetenv("QS_HOOK_X");
    unsetenv("LC_TIME");
    assert_int_equal(rep.sent, 3);
    got = slurp(envf);
    if (strstr(got, "sekrit") || strstr(got, "QS_QAPI") || strstr(got, "QS_STORE") ||
        strstr(got, "callers-shop"))
        fail_msg("the hook saw what it must not:\n%s", got);
    assert_true(has_line(got, "QS_SHOP=demo"));
    assert_true(has_line(got, "QS_HOOK_X=passed on purpose"));
    assert_true(has_line(got, "LC_TIME=C"));
    assert_non_null(strstr(got, "PATH="));
    free(got);
    free(cmd);
    free(envf);
}

/* SPEC 1.7 file: / R-NOTE-11: one new folder per run (0700) holding checklist.csv (order
 * numbers grouped by identical note, in lists of at most chunk) and summary.json, renamed
 * into place complete; the items become handed-off until confirm turns them done. */
static void test_file_handoff(void **state)
{
    struct fx *f = *state;
    static const char *const cols[] = {"order_no"};
    static const char *const notes[] = {"A", "B", "A", "A", "B", "A"};
    char dir[128], key[16];
    struct qs_err e = {0};
    snprintf(dir, sizeof dir, "%s/handoff", f->dir);
    char *spec = xasprintf("file:%s", dir);
    struct deliver_opts o = {.delivery = spec, .columns = cols, .ncolumns = 1, .chunk = 2};
    struct deliver_report rep;
    for (int i = 0; i < 6; i++) {
        char *payload = xasprintf("{\"order_no\":\"%06d\",\"title\":\"t\",\"body\":\"note %s\"}",
                                  i + 1, notes[i]);
        snprintf(key, sizeof key, "n%d", i);
        assert_int_equal(
            outbox_enqueue(f->s, "demo", "note", key, payload, time(NULL) - 1, NULL, &e), 1);
        free(payload);
    }
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.handed_off, 6);
    assert_int_equal(deliver_report_rc(&rep), 0);
    assert_int_equal(count(f, "note", OUTBOX_HANDED_OFF), 6);
    assert_true(strncmp(rep.handoff, dir, strlen(dir)) == 0);
    assert_non_null(strstr(rep.handoff, "-note"));
    struct stat st;
    assert_int_equal(stat(rep.handoff, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    char *path = xasprintf("%s/checklist.csv", rep.handoff);
    char *csv = slurp(path);
    assert_string_equal(csv, "list,group,key,order_no\n"
                             "1,1,n0,000001\n1,1,n2,000003\n2,1,n3,000004\n2,1,n5,000006\n"
                             "3,2,n1,000002\n3,2,n4,000005\n");
    free(csv);
    free(path);
    path = xasprintf("%s/summary.json", rep.handoff);
    json_t *sum = json_load_file(path, 0, NULL);
    assert_non_null(sum);
    assert_int_equal(json_integer_value(json_object_get(sum, "count")), 6);
    json_t *g1 = json_array_get(json_object_get(sum, "groups"), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(g1, "fields"), "body")),
                        "note A");
    assert_null(json_object_get(json_object_get(g1, "fields"), "order_no"));
    assert_int_equal(json_array_size(json_object_get(g1, "lists")), 2);
    json_decref(sum);
    free(path);
    /* Nothing half-written is left beside it. */
    char *ls = xasprintf("ls -A '%s' | grep -c . | grep -qx 1", dir);
    assert_int_equal(system(ls), 0);
    free(ls);

    struct outbox_item *it = item(f, "note", "n3");
    assert_string_equal(it->ref, rep.handoff);
    outbox_items_free(it, 1);
    assert_int_equal(audit_count(f, "handed-off"), 6);

    /* A re-run finds nothing due: handed-off items wait for confirm. */
    struct deliver_report rep2;
    assert_int_equal(run(f, "note", &o, &rep2), 0);
    assert_int_equal(rep2.handed_off, 0);
    assert_string_equal(rep2.handoff, "");

    size_t done;
    const char *const some[] = {"n1", "n4", "nope"};
    assert_int_equal(deliver_confirm(f->s, "demo", "note", some, 3, NULL, &done, &e), 0);
    assert_int_equal(done, 2);
    assert_int_equal(count(f, "note", OUTBOX_DONE), 2);
    assert_int_equal(deliver_confirm(f->s, "demo", "note", NULL, 0, "/elsewhere", &done, &e), 0);
    assert_int_equal(done, 0);
    assert_int_equal(deliver_confirm(f->s, "demo", "note", NULL, 0, rep.handoff, &done, &e), 0);
    assert_int_equal(done, 4);
    assert_int_equal(count(f, "note", OUTBOX_DONE), 6);
    assert_int_equal(audit_count(f, "confirmed"), 6);
    free(spec);
}

/* SPEC 1.7 file: a hand-off that cannot be written leaves no folder and nothing handed
 * off: the items are retried (exit 74 for the I/O error). */
static void test_file_unwritable(void **state)
{
    struct fx *f = *state;
    char blocker[128];
    struct qs_err e = {0};
    snprintf(blocker, sizeof blocker, "%s/blocker", f->dir);
    FILE *b = fopen(blocker, "w");
    fclose(b);
    char *spec = xasprintf("file:%s/sub", blocker); /* a folder under a regular file */
    struct deliver_opts o = {.delivery = spec, .log = f->log};
    struct deliver_report rep;
    enq(f, "note", "k", 4, 0);
    assert_int_equal(deliver_run(f->s, "demo", "note", &o, &rep, &e), QS_E_IO);
    assert_int_equal(rep.retry, 4);
    assert_int_equal(rep.handed_off, 0);
    assert_int_equal(count(f, "note", OUTBOX_RETRY), 4);
    free(spec);
}

/* SPEC 1.6 for file: an item in flight at a crash becomes unknown (the hand-off may or
 * may not exist), is not written again by a plain run, and is with resend_unknown. */
static void test_file_orphans_unknown(void **state)
{
    struct fx *f = *state;
    char *spec = xasprintf("file:%s/h", f->dir);
    struct deliver_opts o = {.delivery = spec};
    struct deliver_report rep;
    enq(f, "note", "k", 3, 0);
    orphan(f, "note", "k0001");
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.recovered, 1);
    assert_int_equal(rep.unknown, 1);
    assert_int_equal(rep.unknown_total, 1);
    assert_int_equal(rep.handed_off, 2);
    assert_int_equal(count(f, "note", OUTBOX_UNKNOWN), 1);
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.handed_off, 0);
    o.resend_unknown = 1;
    assert_int_equal(run(f, "note", &o, &rep), 0);
    assert_int_equal(rep.resent_unknown, 1);
    assert_int_equal(rep.handed_off, 1);
    assert_int_equal(rep.unknown_total, 0);
    assert_int_equal(count(f, "note", OUTBOX_HANDED_OFF), 3);
    free(spec);
}

/* A built-in sender (qapi): one code path with the hook and file deliveries; orphans go
 * through the caller's read call; dry-run hands the sender the dry stream. */
static int fake_send(const struct deliver_spec *d, const struct outbox_item *items, size_t n,
                     struct deliver_result *res, FILE *dry, void *ctx, struct qs_err *e)
{
    int *calls = ctx;
    (void)d, (void)e;
    (*calls)++;
    for (size_t i = 0; i < n; i++) {
        if (dry) {
            fprintf(dry, "{\"method\":\"X\",\"key\":\"%s\"}\n", items[i].key);
            continue;
        }
        if (items[i].key[0] == 'o') {
            res[i].status = DELIVER_OK;
            res[i].ref = xasprintf("q-%s", items[i].key);
        } else if (items[i].key[0] == 'f') {
            res[i].status = DELIVER_FAILED;
            res[i].error = xstrdup("-10001 duplicate");
            res[i].code = xstrdup("-10001");
        } /* else no answer: retry */
    }
    return 0;
}

static enum outbox_recon fake_read(const struct outbox_item *it, char **ref, void *ctx)
{
    (void)ctx;
    *ref = xasprintf("read-%s", it->key);
    return OUTBOX_RECON_SENT;
}

static void test_builtin_sender(void **state)
{
    struct fx *f = *state;
    int calls = 0;
    struct deliver_opts o = {
        .qapi_kind = 1, .send = fake_send, .send_ctx = &calls, .reconcile = fake_read, .batch = 2};
    struct deliver_report rep;
    struct qs_err e = {0};
    enq(f, "item", "o", 3, 0);
    enq(f, "item", "f", 1, 0);
    enq(f, "item", "n", 1, 0);
    orphan(f, "item", "o0002");
    FILE *dry = tmpfile();
    o.dry_run = dry;
    assert_int_equal(run(f, "item", &o, &rep), 0);
    assert_int_equal(rep.dry, 4);
    assert_int_equal(calls, 2);
    o.dry_run = NULL;
    fclose(dry);
    assert_int_equal(run(f, "item", &o, &rep), 0);
    assert_int_equal(rep.recovered, 1);
    assert_int_equal(rep.sent, 2);
    assert_int_equal(rep.failed, 1);
    assert_int_equal(rep.retry, 1);
    struct outbox_item *it = item(f, "item", "o0002");
    assert_string_equal(it->ref, "read-o0002");
    outbox_items_free(it, 1);
    it = item(f, "item", "o0001");
    assert_string_equal(it->ref, "q-o0001");
    outbox_items_free(it, 1);
    /* A kind QAPI covers needs the sender. */
    o.send = NULL;
    assert_int_equal(deliver_run(f->s, "demo", "item", &o, &rep, &e), QS_E_SOFTWARE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
        cmocka_unit_test(test_request_line),
        cmocka_unit_test_setup_teardown(test_hook_reverse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_claims_as_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_slow_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_no_deadlock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_retry_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_same_key_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_stderr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_epipe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_bad_payload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_per_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_handoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_unwritable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_orphans_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_builtin_sender, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

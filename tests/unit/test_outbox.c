/* Unit tests of the outbox engine and the audit table (SPEC 1.6). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "outbox.h"
#include "outbox_fx.h"
#include "shop.h"
#include "store.h"

#define T0 ((time_t)1767225600) /* 2026-01-01T00:00:00Z */

struct fx {
    char dir[64];
    char path[128];
    struct store *s;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct qs_err e = {0};
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "%s", "/tmp/qs-test-outbox.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/qs.db", f->dir);
    assert_int_equal(store_open(f->path, &f->s, &e), 0);
    int created;
    assert_int_equal(shop_add(f->s, "demo", "Asia/Tokyo", 0, &created, &e), 0);
    assert_int_equal(shop_add(f->s, "other", "UTC", 0, &created, &e), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char p[160];
    store_close(f->s);
    unlink(f->path);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
    rmdir(f->dir);
    free(f);
    return 0;
}

static int64_t enq(struct store *s, const char *kind, const char *key, time_t due)
{
    struct qs_err e = {0};
    int64_t id = 0;
    assert_int_equal(outbox_enqueue(s, "demo", kind, key, "{}", due, &id, &e), 1);
    return id;
}

/* Claims up to max items of demo/any kind at now. */
static size_t claim(struct store *s, time_t now, size_t max, int retry_failed,
                    struct outbox_item **items)
{
    struct outbox_claim_opts o = {
        .shop = "demo", .max = max, .retry_failed = retry_failed, .now = now};
    struct qs_err e = {0};
    size_t n = 99;
    int rc = outbox_claim(s, &o, items, &n, &e);
    if (rc)
        print_error("claim: %s\n", e.msg);
    assert_int_equal(rc, 0);
    return n;
}

static int64_t claim_one(struct store *s, time_t now)
{
    struct outbox_item *it;
    assert_int_equal(claim(s, now, 1, 0, &it), 1);
    int64_t id = it[0].id;
    outbox_items_free(it, 1);
    return id;
}

/* The item with id, through outbox_list; the caller frees with outbox_items_free(x, 1). */
static struct outbox_item *get(struct store *s, int64_t id)
{
    struct outbox_item *items, *out = NULL;
    struct qs_err e = {0};
    size_t n;
    assert_int_equal(outbox_list(s, NULL, NULL, -1, &items, &n, &e), 0);
    for (size_t i = 0; i < n; i++) {
        if (items[i].id == id) {
            out = calloc(1, sizeof *out);
            assert_non_null(out);
            *out = items[i];
            memset(&items[i], 0, sizeof items[i]);
        }
    }
    outbox_items_free(items, n);
    assert_non_null(out);
    return out;
}

static enum outbox_state state_of(struct store *s, int64_t id)
{
    struct outbox_item *it = get(s, id);
    enum outbox_state st = it->state;
    outbox_items_free(it, 1);
    return st;
}

static void set_owner(struct store *s, int64_t id, const char *owner)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), "UPDATE outbox SET owner = ?1 WHERE id = ?2",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(st, 1, owner, -1, SQLITE_TRANSIENT), SQLITE_OK);
    assert_int_equal(sqlite3_bind_int64(st, 2, id), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    assert_int_equal(sqlite3_changes(store_db(s)), 1);
    sqlite3_finalize(st);
}

static void get_owner(struct store *s, int64_t id, char *buf, size_t size)
{
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(store_db(s), "SELECT owner FROM outbox WHERE id = ?1", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_bind_int64(st, 1, id), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* Field 22 of /proc/PID/stat, parsed independently of outbox.c. */
static unsigned long long start_time(long pid)
{
    char path[64], buf[1024];
    unsigned long long v = 0;
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    assert_non_null(p);
    assert_int_equal(sscanf(p + 1,
                            " %*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s"
                            " %*s %*s %*s %llu",
                            &v),
                     1);
    return v;
}

static void host(char buf[256])
{
    assert_int_equal(gethostname(buf, 256), 0);
    buf[255] = '\0';
}

static void test_state_names(void **state)
{
    (void)state;
    enum outbox_state st;
    for (int i = 0; i < OUTBOX_NSTATES; i++) {
        assert_int_equal(outbox_state_parse(outbox_state_name((enum outbox_state)i), &st), 0);
        assert_int_equal(st, i);
    }
    assert_string_equal(outbox_state_name(OUTBOX_HANDED_OFF), "handed-off");
    assert_string_equal(outbox_state_name(OUTBOX_UNKNOWN), "unknown");
    assert_int_equal(outbox_state_parse("bogus", &st), -1);
}

/* SPEC 1.6: one row per idempotency key; a second enqueue changes nothing. */
static void test_enqueue_idempotent(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    int64_t id1 = 0, id2 = 0, id3 = 0;
    assert_int_equal(outbox_enqueue(f->s, "demo", "note", "k1", "{\"a\":1}", T0, &id1, &e), 1);
    assert_int_equal(outbox_enqueue(f->s, "demo", "note", "k1", "{\"a\":2}", T0 + 99, &id2, &e), 0);
    assert_int_equal(id1, id2);
    struct outbox_item *it = get(f->s, id1);
    assert_string_equal(it->payload, "{\"a\":1}");
    assert_int_equal(it->next_at, T0);
    assert_int_equal(it->state, OUTBOX_PENDING);
    assert_int_equal(it->attempts, 0);
    assert_string_equal(it->shop, "demo");
    assert_string_equal(it->kind, "note");
    assert_string_equal(it->key, "k1");
    assert_null(it->ref);
    outbox_items_free(it, 1);

    /* The same key under another kind or shop is another item. */
    assert_int_equal(outbox_enqueue(f->s, "demo", "mail", "k1", NULL, T0, &id3, &e), 1);
    assert_true(id3 != id1);
    assert_int_equal(outbox_enqueue(f->s, "other", "note", "k1", NULL, T0, NULL, &e), 1);

    /* Enqueue again once claimed: still a no-op, state kept. */
    int64_t c = claim_one(f->s, T0);
    assert_int_equal(c, id1);
    assert_int_equal(outbox_enqueue(f->s, "demo", "note", "k1", "{}", T0, &id2, &e), 0);
    assert_int_equal(state_of(f->s, id1), OUTBOX_CLAIMED);

    assert_int_equal(outbox_enqueue(f->s, "nosuch", "note", "k1", NULL, T0, NULL, &e), QS_E_USAGE);
}

/* SPEC 1.6: due items are claimed oldest first, items due later are not. */
static void test_claim_order_due(void **state)
{
    struct fx *f = *state;
    struct outbox_item *it;
    int64_t a = enq(f->s, "note", "a", T0 + 100);
    int64_t b = enq(f->s, "note", "b", T0 - 10);
    int64_t c = enq(f->s, "note", "c", T0 - 20);
    int64_t d = enq(f->s, "note", "d", T0);

    assert_int_equal(claim(f->s, T0, 2, 0, &it), 2);
    assert_int_equal(it[0].id, c);
    assert_int_equal(it[1].id, b);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(it[i].state, OUTBOX_CLAIMED);
        assert_int_equal(it[i].attempts, 1);
    }
    outbox_items_free(it, 2);
    assert_int_equal(state_of(f->s, c), OUTBOX_CLAIMED);
    assert_int_equal(state_of(f->s, a), OUTBOX_PENDING);

    assert_int_equal(claim(f->s, T0, 0, 0, &it), 1); /* max 0 = 1 */
    assert_int_equal(it[0].id, d);
    outbox_items_free(it, 1);
    assert_int_equal(claim(f->s, T0, 10, 0, &it), 0);
    assert_null(it);
    assert_int_equal(claim(f->s, T0 + 99, 10, 0, &it), 0);
    assert_int_equal(claim(f->s, T0 + 100, 10, 0, &it), 1);
    assert_int_equal(it[0].id, a);
    outbox_items_free(it, 1);
}

/* SPEC 1.6: a claim takes only the shop and kind asked for. */
static void test_claim_filters(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    struct outbox_item *it;
    size_t n;
    int64_t note = enq(f->s, "note", "x", T0);
    int64_t mail = enq(f->s, "mail", "x", T0);
    int64_t oth = 0;
    assert_int_equal(outbox_enqueue(f->s, "other", "note", "x", NULL, T0, &oth, &e), 1);

    struct outbox_claim_opts o = {.shop = "demo", .kind = "mail", .max = 10, .now = T0};
    assert_int_equal(outbox_claim(f->s, &o, &it, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(it[0].id, mail);
    outbox_items_free(it, n);
    o.shop = "other";
    o.kind = NULL;
    assert_int_equal(outbox_claim(f->s, &o, &it, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(it[0].id, oth);
    outbox_items_free(it, n);
    o.shop = NULL;
    assert_int_equal(outbox_claim(f->s, &o, &it, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(it[0].id, note);
    outbox_items_free(it, n);
}

/* SPEC 1.6: done only after the answer, and only by the process holding the item. */
static void test_done_owner_checked(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    int64_t a = enq(f->s, "note", "a", T0);
    int64_t b = enq(f->s, "note", "b", T0);
    int64_t c = enq(f->s, "note", "c", T0 + 500);

    assert_int_equal(claim_one(f->s, T0), a);
    assert_int_equal(outbox_done(f->s, a, "R-1", &e), 0);
    struct outbox_item *it = get(f->s, a);
    assert_int_equal(it->state, OUTBOX_DONE);
    assert_string_equal(it->ref, "R-1");
    outbox_items_free(it, 1);
    assert_int_equal(outbox_done(f->s, a, "R-2", &e), QS_E_SOFTWARE); /* not claimed any more */
    assert_int_equal(outbox_done(f->s, c, NULL, &e), QS_E_SOFTWARE);  /* pending */
    assert_int_equal(state_of(f->s, c), OUTBOX_PENDING);
    assert_int_equal(outbox_fail(f->s, c, "x", 1, T0, &e), QS_E_SOFTWARE);

    /* Held by another process: neither done nor fail nor handed-off touch it. */
    assert_int_equal(claim_one(f->s, T0), b);
    set_owner(f->s, b, "elsewhere.invalid:4242:1");
    assert_int_equal(outbox_done(f->s, b, NULL, &e), QS_E_SOFTWARE);
    assert_non_null(strstr(e.msg, "not claimed by this process"));
    assert_int_equal(outbox_fail(f->s, b, "x", 0, T0, &e), QS_E_SOFTWARE);
    assert_int_equal(outbox_handed_off(f->s, b, "f", &e), QS_E_SOFTWARE);
    assert_int_equal(state_of(f->s, b), OUTBOX_CLAIMED);
}

/* R-STK-6 (SPEC 1.6): what a process claimed and then decided not to send is withdrawn by
 * that process only; outbox_withdraw still leaves any claimed item alone. */
static void test_withdraw_claimed(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    int64_t a = enq(f->s, "ship", "a", T0);
    int64_t b = enq(f->s, "ship", "b", T0 + 10);
    int64_t c = enq(f->s, "ship", "c", T0 + 20);

    assert_int_equal(outbox_withdraw_claimed(f->s, a, "x", &e), 0); /* pending: not ours */
    assert_int_equal(state_of(f->s, a), OUTBOX_PENDING);
    assert_int_equal(claim_one(f->s, T0), a);
    assert_int_equal(outbox_withdraw(f->s, a, "x", &e), 0); /* claimed: left alone */
    assert_int_equal(outbox_withdraw_claimed(f->s, a, "allocated", &e), 1);
    assert_int_equal(state_of(f->s, a), OUTBOX_WITHDRAWN);
    assert_int_equal(outbox_withdraw_claimed(f->s, a, "again", &e), 0); /* once */
    assert_int_equal(claim_one(f->s, T0 + 10), b);
    set_owner(f->s, b, "elsewhere.invalid:4242:1");
    assert_int_equal(outbox_withdraw_claimed(f->s, b, "x", &e), 0); /* another process's */
    assert_int_equal(state_of(f->s, b), OUTBOX_CLAIMED);
    assert_int_equal(outbox_withdraw(f->s, c, "cancelled", &e), 1); /* unclaimed, as before */
    assert_int_equal(state_of(f->s, c), OUTBOX_WITHDRAWN);
}

/* SPEC 1.6: retries back off from 30 s, doubling, capped at 6 h. */
static void test_backoff_values(void **state)
{
    (void)state;
    assert_int_equal(outbox_backoff(0), 30);
    assert_int_equal(outbox_backoff(1), 30);
    assert_int_equal(outbox_backoff(2), 60);
    assert_int_equal(outbox_backoff(3), 120);
    assert_int_equal(outbox_backoff(4), 240);
    assert_int_equal(outbox_backoff(9), 7680);
    assert_int_equal(outbox_backoff(10), 15360);
    assert_int_equal(outbox_backoff(11), 21600);
    assert_int_equal(outbox_backoff(12), 21600);
    assert_int_equal(outbox_backoff(1000), 21600);
}

/* SPEC 1.6: a retryable failure is due again after backoff plus 0-25% jitter. */
static void test_fail_retry_backoff(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    struct outbox_item *it;
    enum { N = 40 };
    int64_t ids[N];
    char key[16];
    time_t first = 0;
    int varied = 0;

    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "k%d", i);
        ids[i] = enq(f->s, "note", key, T0);
    }
    assert_int_equal(claim(f->s, T0, N, 0, &it), N);
    outbox_items_free(it, N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(outbox_fail(f->s, ids[i], "timeout", 1, T0, &e), 0);
        it = get(f->s, ids[i]);
        assert_int_equal(it->state, OUTBOX_RETRY);
        assert_string_equal(it->last_error, "timeout");
        assert_in_range(it->next_at, T0 + 30, T0 + 37); /* 30 s + up to 25% */
        if (i == 0)
            first = it->next_at;
        else if (it->next_at != first)
            varied = 1;
        outbox_items_free(it, 1);
    }
    assert_true(varied); /* the jitter spreads them */

    /* Not due before its time; the second failure waits 60 s. */
    assert_int_equal(claim(f->s, T0 + 29, 1, 0, &it), 0);
    time_t t1 = T0 + 40;
    assert_int_equal(claim(f->s, t1, 1, 0, &it), 1);
    int64_t id = it[0].id;
    assert_int_equal(it[0].attempts, 2);
    assert_int_equal(it[0].state, OUTBOX_CLAIMED);
    assert_string_equal(it[0].last_error, "timeout");
    outbox_items_free(it, 1);
    assert_int_equal(outbox_fail(f->s, id, "busy", 1, t1, &e), 0);
    it = get(f->s, id);
    assert_int_equal(it->state, OUTBOX_RETRY);
    assert_string_equal(it->last_error, "busy");
    assert_in_range(it->next_at, t1 + 60, t1 + 75);
    outbox_items_free(it, 1);
}

/* SPEC 1.6: a failure that is not retryable is final; failed items wait for --retry-failed. */
static void test_fail_final(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    struct outbox_item *it;
    int64_t a = enq(f->s, "note", "a", T0);
    assert_int_equal(claim_one(f->s, T0), a);
    assert_int_equal(outbox_fail(f->s, a, "bad sku", 0, T0, &e), 0);
    it = get(f->s, a);
    assert_int_equal(it->state, OUTBOX_FAILED);
    assert_string_equal(it->last_error, "bad sku");
    outbox_items_free(it, 1);
    assert_int_equal(claim(f->s, T0 + 1000000, 10, 0, &it), 0);
}

/* SPEC 1.6: after OUTBOX_MAX_ATTEMPTS sends a retryable item is failed. */
static void test_max_attempts(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    struct outbox_item *it;
    int64_t a = enq(f->s, "note", "a", T0);
    for (int i = 1; i <= OUTBOX_MAX_ATTEMPTS; i++) {
        time_t now = T0 + (time_t)i * 100000;
        assert_int_equal(claim(f->s, now, 1, 0, &it), 1);
        assert_int_equal(it[0].id, a);
        assert_int_equal(it[0].attempts, i);
        outbox_items_free(it, 1);
        assert_int_equal(outbox_fail(f->s, a, "timeout", 1, now, &e), 0);
        assert_int_equal(state_of(f->s, a), i < OUTBOX_MAX_ATTEMPTS ? OUTBOX_RETRY : OUTBOX_FAILED);
    }
    assert_int_equal(claim(f->s, T0 + 100000000, 1, 0, &it), 0);
}

static void settled_by_an_earlier_run(struct store *s)
{
    assert_int_equal(outbox_fx_settled_earlier(s), 0);
}

/* SPEC 8 (flat memory) and SPEC 1.6 (--retry-failed retries now): a --retry-failed run
 * claims a batch at a time, and what it fails again does not come round again in it --
 * whether it fails for good or for a retry -- so the run ends. */
static void test_retry_failed_in_batches(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    struct outbox_item *it;
    int64_t ids[5];
    size_t n, seen = 0;
    for (int i = 0; i < 5; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        ids[i] = enq(f->s, "note", key, T0);
    }
    assert_int_equal(claim(f->s, T0, 5, 0, &it), 5);
    outbox_items_free(it, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(outbox_fail(f->s, ids[i], "no", i % 2, T0, &e), 0);
    settled_by_an_earlier_run(f->s);

    /* The --retry-failed run: batches of 2, each item failing again. */
    while ((n = claim(f->s, T0 + 1, 2, 1, &it)) > 0) {
        assert_true(n <= 2);
        for (size_t k = 0; k < n; k++)
            assert_int_equal(outbox_fail(f->s, it[k].id, "again", (int)(it[k].id % 2), T0 + 1, &e),
                             0);
        seen += n;
        outbox_items_free(it, n);
        assert_true(seen <= 5);
    }
    assert_int_equal(seen, 5);
    /* Nor does it take what another run, at work at the same time, failed since this one
     * began: two such runs would hand the items back and forth. */
    struct qs_err ue = {0};
    assert_int_equal(store_run(f->s, &ue,
                               "UPDATE outbox SET owner = 'elsewhere:2:2',"
                               " updated_at = '2999-01-01T00:00:00Z'",
                               ""),
                     0);
    assert_int_equal(claim(f->s, T0 + 2, 10, 1, &it), 0);
    /* A later --retry-failed run takes them all again. */
    settled_by_an_earlier_run(f->s);
    n = claim(f->s, T0 + 2, 10, 1, &it);
    assert_int_equal(n, 5);
    outbox_items_free(it, n);
}

/* SPEC 1.6: --retry-failed takes what failed before ahead of what is pending, so that
 * items sent without an answer are read back before the run sends anything new (qs sync
 * ship reads a window of order lines back: lines it had just shipped made it longer). */
static void test_retry_failed_first(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    struct outbox_item *it;
    int64_t re = enq(f->s, "note", "retry", T0);
    assert_int_equal(claim(f->s, T0, 1, 0, &it), 1);
    outbox_items_free(it, 1);
    assert_int_equal(outbox_fail(f->s, re, "no answer", 1, T0, &e), 0);
    settled_by_an_earlier_run(f->s);
    int64_t pe = enq(f->s, "note", "pending", T0); /* due long before the retry */
    assert_int_equal(claim(f->s, T0 + 1, 1, 1, &it), 1);
    assert_int_equal(it[0].id, re);
    outbox_items_free(it, 1);
    assert_int_equal(claim(f->s, T0 + 1, 1, 1, &it), 1);
    assert_int_equal(it[0].id, pe);
    outbox_items_free(it, 1);
}

/* SPEC 1.6: --retry-failed takes failed and not-yet-due retry items now, never an item
 * scheduled for later. */
static void test_retry_failed(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    struct outbox_item *it;
    int64_t fa = enq(f->s, "note", "failed", T0);
    int64_t re = enq(f->s, "note", "retry", T0);
    int64_t later = enq(f->s, "note", "later", T0 + 5000);
    assert_int_equal(claim(f->s, T0, 2, 0, &it), 2);
    outbox_items_free(it, 2);
    assert_int_equal(outbox_fail(f->s, fa, "no", 0, T0, &e), 0);
    assert_int_equal(outbox_fail(f->s, re, "later", 1, T0, &e), 0);
    settled_by_an_earlier_run(f->s);
    int64_t due = enq(f->s, "note", "due", T0);

    assert_int_equal(claim(f->s, T0 + 1, 10, 0, &it), 1);
    assert_int_equal(it[0].id, due);
    outbox_items_free(it, 1);
    assert_int_equal(claim(f->s, T0 + 1, 10, 0, &it), 0);
    size_t n = claim(f->s, T0 + 1, 10, 1, &it);
    assert_int_equal(n, 2);
    assert_true((it[0].id == fa && it[1].id == re) || (it[0].id == re && it[1].id == fa));
    assert_int_equal(it[0].attempts, 2);
    outbox_items_free(it, n);
    assert_int_equal(state_of(f->s, later), OUTBOX_PENDING);
    assert_int_equal(state_of(f->s, fa), OUTBOX_CLAIMED);
}

struct recon {
    int answer; /* an enum outbox_recon */
    int calls;
    char key[32];
    int attempts;
};

static enum outbox_recon reconcile(const struct outbox_item *item, char **ref, void *ctx)
{
    struct recon *r = ctx;
    r->calls++;
    snprintf(r->key, sizeof r->key, "%s", item->key);
    r->attempts = item->attempts;
    if (r->answer == OUTBOX_RECON_SENT)
        *ref = strdup("REF-9");
    return (enum outbox_recon)r->answer;
}

struct audit_seen {
    int n;
    char result[16][24];
    char key[16][24];
    int attempt[16];
    time_t at[16];
    char shop[16][16];
    char code[16][16];
    long latency[16];
    int stop_at; /* return 42 after this many rows, 0 = never */
};

static int audit_cb(const struct audit_entry *a, void *ctx)
{
    struct audit_seen *s = ctx;
    if (s->n < 16) {
        snprintf(s->result[s->n], sizeof s->result[0], "%s", a->result);
        snprintf(s->key[s->n], sizeof s->key[0], "%s", a->key ? a->key : "(null)");
        snprintf(s->shop[s->n], sizeof s->shop[0], "%s", a->shop ? a->shop : "(null)");
        snprintf(s->code[s->n], sizeof s->code[0], "%s", a->code ? a->code : "(null)");
        s->attempt[s->n] = a->attempt;
        s->at[s->n] = a->at;
        s->latency[s->n] = a->latency_ms;
    }
    s->n++;
    return s->stop_at && s->n == s->stop_at ? 42 : 0;
}

/* SPEC 1.6: an item in flight when its process died is reconciled before anything is
 * resent: sent -> done, not sent -> pending now, unknown (or no read call) -> unknown. */
static void test_recover_answers(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    char h[256], owner[320], key[32];
    const char *want_audit[4] = {"recovered-sent", "recovered-pending", "unknown", "unknown"};
    int k = 0;

    host(h);
    for (int flavour = 0; flavour < 2; flavour++) {
        for (int answer = 0; answer < 4; answer++) { /* 3 = no reconcile callback */
            struct recon r = {.answer = answer};
            size_t recovered = 99;
            snprintf(key, sizeof key, "o%d-%d", flavour, answer);
            int64_t id = enq(f->s, "note", key, T0);
            assert_int_equal(claim_one(f->s, T0), id);
            if (flavour == 0) /* a pid that is gone */
                snprintf(owner, sizeof owner, "%s:999999:1", h);
            else /* our pid, but another start time: a reused pid */
                snprintf(owner, sizeof owner, "%s:%ld:%llu", h, (long)getpid(),
                         start_time((long)getpid()) + 1);
            set_owner(f->s, id, owner);

            time_t before = time(NULL);
            assert_int_equal(outbox_recover(f->s, "demo", "note", answer < 3 ? reconcile : NULL, &r,
                                            &recovered, &e),
                             0);
            assert_int_equal(recovered, 1);
            assert_int_equal(r.calls, answer < 3 ? 1 : 0);
            if (answer < 3) {
                assert_string_equal(r.key, key);
                assert_int_equal(r.attempts, 1);
            }
            struct outbox_item *it = get(f->s, id);
            switch (answer) {
            case OUTBOX_RECON_SENT:
                assert_int_equal(it->state, OUTBOX_DONE);
                assert_string_equal(it->ref, "REF-9");
                break;
            case OUTBOX_RECON_NOT_SENT:
                assert_int_equal(it->state, OUTBOX_PENDING);
                assert_in_range(it->next_at, before, time(NULL));
                break;
            default:
                assert_int_equal(it->state, OUTBOX_UNKNOWN);
            }
            outbox_items_free(it, 1);

            /* Settled once: a second recover finds nothing. */
            r.calls = 0;
            assert_int_equal(outbox_recover(f->s, NULL, NULL, reconcile, &r, &recovered, &e), 0);
            assert_int_equal(recovered, 0);
            assert_int_equal(r.calls, 0);

            /* The not-sent item is due again; unknown ones are not. */
            struct outbox_item *its;
            size_t n = claim(f->s, time(NULL) + 1, 10, 1, &its);
            assert_int_equal(n, answer == OUTBOX_RECON_NOT_SENT ? 1 : 0);
            if (n) {
                assert_int_equal(its[0].id, id);
                assert_int_equal(its[0].attempts, 2);
                assert_int_equal(outbox_done(f->s, id, NULL, &e), 0);
            }
            outbox_items_free(its, n);
            k++;
        }
    }

    /* One audit row per settled orphan, in order. */
    struct audit_seen seen = {0};
    assert_int_equal(audit_each(f->s, NULL, 0, audit_cb, &seen, &e), 0);
    assert_int_equal(seen.n, k);
    for (int i = 0; i < k; i++) {
        snprintf(key, sizeof key, "o%d-%d", i / 4, i % 4);
        assert_string_equal(seen.result[i], want_audit[i % 4]);
        assert_string_equal(seen.key[i], key);
        assert_string_equal(seen.shop[i], "demo");
        assert_int_equal(seen.attempt[i], 1);
    }
}

/* SPEC 1.6: items of a live process, of another host, or of an owner we cannot read
 * are never recovered. */
static void test_recover_leaves_live(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    struct recon r = {.answer = OUTBOX_RECON_NOT_SENT};
    char h[256], owner[320], want[320];
    size_t recovered = 99;

    host(h);
    int64_t mine = enq(f->s, "note", "mine", T0);
    int64_t parent = enq(f->s, "note", "parent", T0);
    int64_t far = enq(f->s, "note", "far", T0);
    int64_t odd = enq(f->s, "note", "odd", T0);
    struct outbox_item *it;
    assert_int_equal(claim(f->s, T0, 4, 0, &it), 4);
    outbox_items_free(it, 4);

    /* The owner is HOST:PID:STARTTIME of this process. */
    get_owner(f->s, mine, owner, sizeof owner);
    snprintf(want, sizeof want, "%s:%ld:%llu", h, (long)getpid(), start_time((long)getpid()));
    assert_string_equal(owner, want);

    snprintf(owner, sizeof owner, "%s:%ld:%llu", h, (long)getppid(), start_time((long)getppid()));
    set_owner(f->s, parent, owner);
    set_owner(f->s, far, "some-other-host.invalid:1:1");
    set_owner(f->s, odd, "garbage");

    assert_int_equal(outbox_recover(f->s, NULL, NULL, reconcile, &r, &recovered, &e), 0);
    assert_int_equal(recovered, 0);
    assert_int_equal(r.calls, 0);
    assert_int_equal(outbox_recover(f->s, NULL, NULL, NULL, NULL, &recovered, &e), 0);
    assert_int_equal(recovered, 0);
    assert_int_equal(state_of(f->s, mine), OUTBOX_CLAIMED);
    assert_int_equal(state_of(f->s, parent), OUTBOX_CLAIMED);
    assert_int_equal(state_of(f->s, far), OUTBOX_CLAIMED);
    assert_int_equal(state_of(f->s, odd), OUTBOX_CLAIMED);
    assert_int_equal(outbox_done(f->s, mine, "ok", &e), 0);

    /* A recover filtered to another kind leaves a dead owner's item alone too. */
    snprintf(owner, sizeof owner, "%s:999999:1", h);
    set_owner(f->s, far, owner);
    assert_int_equal(outbox_recover(f->s, "demo", "mail", reconcile, &r, &recovered, &e), 0);
    assert_int_equal(recovered, 0);
    assert_int_equal(state_of(f->s, far), OUTBOX_CLAIMED);
}

/* SPEC 1.6: unknown items are resent only with --resend-unknown. */
static void test_resend_unknown(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    struct outbox_item *it;
    char h[256], owner[320];
    size_t n = 99, recovered;
    host(h);
    snprintf(owner, sizeof owner, "%s:999999:1", h);
    int64_t a = enq(f->s, "note", "a", T0);
    int64_t b = enq(f->s, "note", "b", T0);
    int64_t m = enq(f->s, "mail", "m", T0);
    assert_int_equal(claim(f->s, T0, 3, 0, &it), 3);
    outbox_items_free(it, 3);
    set_owner(f->s, a, owner);
    set_owner(f->s, b, owner);
    set_owner(f->s, m, owner);
    assert_int_equal(outbox_recover(f->s, NULL, NULL, NULL, NULL, &recovered, &e), 0);
    assert_int_equal(recovered, 3);
    assert_int_equal(claim(f->s, T0 + 100000, 10, 1, &it), 0);

    assert_int_equal(outbox_resend_unknown(f->s, "demo", "note", &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(state_of(f->s, a), OUTBOX_PENDING);
    assert_int_equal(state_of(f->s, b), OUTBOX_PENDING);
    assert_int_equal(state_of(f->s, m), OUTBOX_UNKNOWN);
    assert_int_equal(claim(f->s, time(NULL), 10, 0, &it), 2);
    outbox_items_free(it, 2);
    assert_int_equal(outbox_resend_unknown(f->s, NULL, NULL, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(state_of(f->s, m), OUTBOX_PENDING);
}

/* SPEC 1.7: file: deliveries leave items handed-off until confirmed. */
static void test_handed_off(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    int64_t a = enq(f->s, "inbound", "a", T0);
    int64_t b = enq(f->s, "inbound", "b", T0 + 10);
    assert_int_equal(claim_one(f->s, T0), a);
    assert_int_equal(outbox_handed_off(f->s, a, "form.xlsx", &e), 0);
    assert_int_equal(outbox_handed_off(f->s, b, "form.xlsx", &e), 0); /* pending */
    struct outbox_item *it = get(f->s, a);
    assert_int_equal(it->state, OUTBOX_HANDED_OFF);
    assert_string_equal(it->ref, "form.xlsx");
    outbox_items_free(it, 1);
    assert_int_equal(state_of(f->s, b), OUTBOX_HANDED_OFF);
    assert_int_equal(outbox_handed_off(f->s, a, "again", &e), QS_E_SOFTWARE);
}

static void test_list_count(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    struct outbox_item *it;
    size_t n, counts[OUTBOX_NSTATES];
    int64_t a = enq(f->s, "note", "a", T0);
    int64_t b = enq(f->s, "note", "b", T0);
    int64_t c = enq(f->s, "mail", "c", T0);
    assert_int_equal(claim_one(f->s, T0), a);
    assert_int_equal(outbox_done(f->s, a, NULL, &e), 0);

    assert_int_equal(outbox_list(f->s, "demo", NULL, OUTBOX_PENDING, &it, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(it[0].id, b);
    assert_int_equal(it[1].id, c);
    outbox_items_free(it, n);
    assert_int_equal(outbox_list(f->s, NULL, "note", -1, &it, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(it[0].id, a);
    outbox_items_free(it, n);
    assert_int_equal(outbox_list(f->s, "other", NULL, -1, &it, &n, &e), 0);
    assert_int_equal(n, 0);
    outbox_items_free(it, n);

    assert_int_equal(outbox_count(f->s, "demo", NULL, counts, &e), 0);
    assert_int_equal(counts[OUTBOX_PENDING], 2);
    assert_int_equal(counts[OUTBOX_DONE], 1);
    assert_int_equal(counts[OUTBOX_CLAIMED], 0);
    assert_int_equal(outbox_count(f->s, NULL, "mail", counts, &e), 0);
    assert_int_equal(counts[OUTBOX_PENDING], 1);
    assert_int_equal(counts[OUTBOX_DONE], 0);
}

/* SPEC 1.6: every outside call is recorded; `qs sync log` reads them oldest first. */
static void test_audit_rows(void **state)
{
    struct fx *f = *state;
    struct qs_err e = {0};
    struct audit_entry rows[] = {
        {T0 + 2, "demo", "note", "n-3", 2, "retry", "-10001", 350, "timeout"},
        {T0, "demo", "ItemsBasic.SetGoodsPrice", "S-1", 1, "ok", "0", 120, NULL},
        {T0 + 1, "other", "mail", "m-1", 1, "failed", NULL, 5, "refused"},
        {T0 + 1, "demo", "note", "n-4", 1, "ok", "0", 80, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(audit_add(f->s, &rows[i], &e), 0);

    struct audit_seen all = {0};
    assert_int_equal(audit_each(f->s, NULL, 0, audit_cb, &all, &e), 0);
    assert_int_equal(all.n, 4);
    const char *order[] = {"S-1", "m-1", "n-4", "n-3"};
    for (int i = 0; i < 4; i++)
        assert_string_equal(all.key[i], order[i]);
    assert_int_equal(all.at[0], T0);
    assert_string_equal(all.result[0], "ok");
    assert_string_equal(all.code[0], "0");
    assert_int_equal(all.latency[0], 120);
    assert_string_equal(all.code[1], "(null)");
    assert_int_equal(all.at[3], T0 + 2);
    assert_int_equal(all.attempt[3], 2);
    assert_int_equal(all.latency[3], 350);

    struct audit_seen demo = {0};
    assert_int_equal(audit_each(f->s, "demo", T0 + 1, audit_cb, &demo, &e), 0);
    assert_int_equal(demo.n, 2);
    assert_string_equal(demo.key[0], "n-4");
    assert_string_equal(demo.key[1], "n-3");

    struct audit_seen stop = {.stop_at = 2};
    assert_int_equal(audit_each(f->s, NULL, 0, audit_cb, &stop, &e), 42);
    assert_int_equal(stop.n, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_names),
        cmocka_unit_test(test_backoff_values),
        cmocka_unit_test_setup_teardown(test_enqueue_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_order_due, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_done_owner_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_withdraw_claimed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail_retry_backoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail_final, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_attempts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_failed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_failed_in_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_failed_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover_leaves_live, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resend_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handed_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_rows, setup, teardown),
    };
    return cmocka_run_group_tests_name("outbox (SPEC 1.6)", tests, NULL, NULL);
}

/* Unit tests of libcore/sync's pure parts and its store writes: windows and their
 * splitting (R-SYN-1c), status and claim names, Japan time to UTC, order rows of the
 * three QAPI shapes, EstShipDt bounds (R-SYN-1b), and events written only on change
 * (R-SYN-1: re-running is harmless). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"
#include "qapi/qapi.h"
#include "shop.h"
#include "store.h"
#include "sync/sync.h"
#include "sync/sync_int.h"
#include "tm.h"
#include "xalloc.h"

/* R-SYN-1c: windows of at most 90 days, both ends included, covering the range once. */
static void windows_cover_range(void **state)
{
    struct sync_window w[8];
    time_t from = 1700000000, to = from + 200L * 86400;
    size_t n;
    (void)state;

    n = sync_windows(from, to, SYNC_MAX_WINDOW, w, 8);
    assert_int_equal(n, 3);
    assert_int_equal(w[0].from, from);
    assert_int_equal(w[0].to - w[0].from, SYNC_MAX_WINDOW);
    for (size_t i = 1; i < n; i++) {
        assert_int_equal(w[i].from, w[i - 1].to + 1);
        assert_true(w[i].to - w[i].from <= SYNC_MAX_WINDOW);
    }
    assert_int_equal(w[n - 1].to, to);
    /* exactly 90 days is one window; one second more is two */
    assert_int_equal(sync_windows(from, from + SYNC_MAX_WINDOW, SYNC_MAX_WINDOW, w, 8), 1);
    assert_int_equal(sync_windows(from, from + SYNC_MAX_WINDOW + 1, SYNC_MAX_WINDOW, w, 8), 2);
    assert_int_equal(w[1].from, w[1].to);
    /* one second; an empty range; counting without room */
    assert_int_equal(sync_windows(from, from, SYNC_MAX_WINDOW, w, 8), 1);
    assert_int_equal(sync_windows(from + 1, from, SYNC_MAX_WINDOW, w, 8), 0);
    assert_int_equal(sync_windows(from, to, SYNC_MAX_WINDOW, NULL, 0), 3);
}

/* R-SYN-1c: a window at the cap is split in half, the halves cover it exactly, down to
 * one second. */
static void window_split_halves(void **state)
{
    struct sync_window w = {1000, 1999}, a, b;
    int depth = 0;
    (void)state;

    assert_int_equal(sync_window_split(&w, &a, &b), 0);
    assert_int_equal(a.from, 1000);
    assert_int_equal(a.to, 1499);
    assert_int_equal(b.from, 1500);
    assert_int_equal(b.to, 1999);
    w = (struct sync_window){1000, 1001};
    assert_int_equal(sync_window_split(&w, &a, &b), 0);
    assert_int_equal(a.from, 1000);
    assert_int_equal(a.to, 1000);
    assert_int_equal(b.from, 1001);
    assert_int_equal(b.to, 1001);
    w = (struct sync_window){1000, 1000};
    assert_int_equal(sync_window_split(&w, &a, &b), -1);
    /* 90 days halve to one second in at most 23 steps */
    w = (struct sync_window){0, SYNC_MAX_WINDOW};
    while (sync_window_split(&w, &a, &b) == 0) {
        assert_int_equal(a.to + 1, b.from);
        w = a;
        depth++;
    }
    assert_true(depth <= 23);
}

/* SPEC 7 names for reference section 4's codes. */
static void status_and_claim_names(void **state)
{
    static const char *names[] = {"unpaid", "paid", "confirmed", "shipped", "delivered"};
    char buf[32];
    (void)state;

    for (int i = 1; i <= 5; i++) {
        char code[2] = {(char)('0' + i), 0};
        assert_string_equal(sync_status_name(i), names[i - 1]);
        assert_int_equal(sync_status_parse(names[i - 1]), i);
        assert_int_equal(sync_status_parse(code), i);
    }
    assert_int_equal(sync_status_parse("PAID"), 2);
    assert_int_equal(sync_status_parse("0"), -1);
    assert_int_equal(sync_status_parse("6"), -1);
    assert_int_equal(sync_status_parse("12"), -1);
    assert_int_equal(sync_status_parse("cancelled"), -1);
    assert_string_equal(sync_status_name(0), "");
    assert_string_equal(sync_claim_name(0, buf, sizeof buf), "");
    assert_string_equal(sync_claim_name(1, buf, sizeof buf), "cancel-requested");
    assert_string_equal(sync_claim_name(3, buf, sizeof buf), "cancelled");
    assert_string_equal(sync_claim_name(16, buf, sizeof buf), "unpaid-cancelled");
    assert_string_equal(sync_claim_name(99, buf, sizeof buf), "claim-99");
}

/* Reference 1.5: QAPI dates are Japan time without an offset; stored as UTC. */
static void jst_to_utc(void **state)
{
    char buf[32];
    (void)state;
    assert_string_equal(sync_jst_to_utc("2026-11-25 09:00:00", buf, sizeof buf),
                        "2026-11-25T00:00:00Z");
    assert_string_equal(sync_jst_to_utc("2026-01-01 08:59:59", buf, sizeof buf),
                        "2025-12-31T23:59:59Z");
    assert_string_equal(sync_jst_to_utc("20261125", buf, sizeof buf), "2026-11-24T15:00:00Z");
    assert_string_equal(sync_jst_to_utc("", buf, sizeof buf), "");
    assert_string_equal(sync_jst_to_utc("yesterday", buf, sizeof buf), "");
    assert_string_equal(sync_jst_to_utc(NULL, buf, sizeof buf), "");
}

static void numbers(void **state)
{
    (void)state;
    assert_int_equal(sync_num("1980"), 1980);
    assert_int_equal(sync_num("1,980"), 1980);
    assert_int_equal(sync_num("1980.0"), 1980);
    assert_int_equal(sync_num("-100"), -100);
    assert_int_equal(sync_num(""), 0);
    assert_int_equal(sync_num("x"), 0);
}

/* The three row shapes of reference 3.8/3.9 give one order line; numbers may be strings. */
static void order_rows(void **state)
{
    struct sync_order o = {0};
    json_t *v3 =
        json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "ShippingStatus",
                  "On request(2)", "OrderNo", 300000001, "PackNo", "80000001", "OrderDate",
                  "2026-11-20 10:00:00", "PaymentDate", "2026-11-20 10:05:00",
                  "EstimatedShippingDate", "", "AvailableShippingDate", "2026-11-23 10:05:00",
                  "Total", 1880, "OrderQty", "2", "SellerItemCode", "00012", "TrackingNo", "");
    json_t *claim =
        json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:i}", "claimStatus", 3, "orderNo", "300000002",
                  "packNo", "80000002", "orderDate", "2026-11-20 10:00:00", "PaymentDate",
                  "2026-11-20 10:01:00", "buyer", "山田 花子", "paymentAmount", 990);
    json_t *v2 = json_pack("{s:s, s:s, s:s}", "shippingStatus", "Seller confirm(3)", "orderNo",
                           "300000002", "trackingNo", "");
    (void)state;

    sync_order_from_row(&o, v3);
    assert_string_equal(o.order_no, "300000001");
    assert_string_equal(o.pack_no, "80000001");
    assert_int_equal(o.status, 2);
    assert_int_equal(o.qty, 2);
    assert_int_equal(o.total, 1880);
    assert_string_equal(o.seller_code, "00012"); /* codes are text: zeros kept */
    assert_string_equal(o.order_date, "2026-11-20T01:00:00Z");
    assert_string_equal(o.ship_by, "2026-11-23T01:05:00Z"); /* no estimate yet: the deadline */
    assert_non_null(strstr(o.raw, "\"OrderNo\":300000001"));

    sync_order_from_row(&o, v2); /* a cancelled line, read by its number */
    sync_order_fill(&o, claim);
    assert_string_equal(o.order_no, "300000002");
    assert_int_equal(o.status, 3);
    assert_string_equal(o.buyer, "山田 花子");
    assert_int_equal(o.total, 990);
    assert_string_equal(o.paid_date, "2026-11-20T01:01:00Z");

    sync_order_from_row(&o, claim); /* nothing but the claim: status from its dates */
    sync_order_fill(&o, claim);
    assert_int_equal(o.status, 2);
    sync_order_clear(&o);
    json_decref(v3);
    json_decref(claim);
    json_decref(v2);
}

/* R-SYN-1b: EstShipDt after today in Japan, at most 30 days ahead; default tomorrow. */
static void est_ship_date(void **state)
{
    struct qs_err e;
    char est[16];
    time_t now;
    (void)state;

    /* 2026-11-25 23:30 in Japan is 14:30 UTC */
    assert_int_equal(tm_parse("2026-11-25T14:30:00Z", "UTC", 0, &now, &e), 0);
    assert_int_equal(sync_est_ship_date(NULL, now, est, &e), 0);
    assert_string_equal(est, "20261126");
    assert_int_equal(sync_est_ship_date("2026-11-27", now, est, &e), 0);
    assert_string_equal(est, "20261127");
    assert_int_equal(sync_est_ship_date("2026-12-25", now, est, &e), 0);
    assert_int_equal(sync_est_ship_date("2026-11-25", now, est, &e), QS_E_USAGE);
    assert_string_equal(e.rule, "R-SYN-1b");
    assert_int_equal(sync_est_ship_date("2026-12-26", now, est, &e), QS_E_USAGE);
    assert_non_null(strstr(e.msg, "30 days"));
    assert_int_equal(sync_est_ship_date("soon", now, est, &e), QS_E_USAGE);
}

static int count(struct store *s, const char *sql)
{
    sqlite3_stmt *st;
    int v = -1;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* A new store in dir (a mkdtemp template) with the shop demo; *path gets its file. */
static struct store *demo_store(char *dir, char **path)
{
    struct store *s = NULL;
    struct qs_err e;
    int created;
    assert_non_null(mkdtemp(dir));
    *path = xasprintf("%s/qs.db", dir);
    assert_int_equal(store_open(*path, &s, &e), 0);
    assert_int_equal(shop_add(s, "demo", "Asia/Tokyo", 0, &created, &e), 0);
    return s;
}

/* Closes s and removes its folder dir; frees path. */
static void demo_store_drop(struct store *s, char *dir, char *path)
{
    store_close(s);
    free(path);
    path = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(path), 0);
    free(path);
}

/* R-SYN-1c: the window plan (syncdb_nth_date) steps over the store's lines by order date
 * in the index alone: with 1,400 closed lines of 2 KB before 100 open ones, finding the
 * 50th open line from a cold cache reads a few index pages, not the closed lines' rows
 * (it read every one before the status was in the index: 7.6 million pages in a first
 * run of 200k lines). */
static void nth_date_reads_the_index(void **state)
{
    char dir[] = "/tmp/qs-test-sync-nth.XXXXXX", *path, buf[32];
    struct store *s = demo_store(dir, &path);
    struct syncdb *d;
    struct qs_err e;
    sqlite3_stmt *st;
    int cur = 0, hi = 0;
    (void)state;

    assert_int_equal(store_exec(s, "BEGIN", &e), 0);
    assert_int_equal(sqlite3_prepare_v2(store_db(s),
                                        "INSERT INTO order_line(shop, order_no, status, order_date,"
                                        " raw, created_at, updated_at) VALUES ('demo', ?1, ?2,"
                                        " printf('2026-10-01T%02d:%02d:%02dZ', ?1 / 3600,"
                                        " ?1 / 60 % 60, ?1 % 60), printf('{\"pad\":\"%.*c\"}',"
                                        " 2000, 'x'), 'now', 'now')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    for (int i = 1; i <= 1500; i++) {
        sqlite3_bind_int(st, 1, i);
        sqlite3_bind_int(st, 2, i <= 1400 ? 5 : 2);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    assert_int_equal(store_exec(s, "COMMIT", &e), 0);
    store_close(s);

    assert_int_equal(store_open(path, &s, &e), 0); /* a cold cache */
    d = syncdb_new(s, "demo");
    sqlite3_db_status(store_db(s), SQLITE_DBSTATUS_CACHE_MISS, &cur, &hi, 1);
    assert_int_equal(syncdb_nth_date(d, 1, 3, "2026-10-01T00:00:00Z", 50, buf, sizeof buf, &e), 0);
    assert_string_equal(buf, "2026-10-01T00:24:10Z"); /* line 1450 */
    sqlite3_db_status(store_db(s), SQLITE_DBSTATUS_CACHE_MISS, &cur, &hi, 0);
    assert_true(cur < 100);

    syncdb_free(d);
    demo_store_drop(s, dir, path);
}

/* R-SYN-1: a re-read row is compared by its digest: the same for the same members in any
 * order, different for any change a text comparison would see. */
static void json_sum_equal_iff_text(void **state)
{
    (void)state;
    const char *same[][2] = {
        {"{\"a\":1,\"b\":\"x\"}", "{\"b\":\"x\",\"a\":1}"},
        {"{\"a\":{\"c\":[1,2],\"d\":null},\"b\":true}",
         "{\"b\":true,\"a\":{\"d\":null,\"c\":[1,2]}}"},
        {"{\"t\":\"\\u6771\\u4eac\"}", "{\"t\":\"東京\"}"},
    };
    const char *rows[] = {
        "{\"a\":1,\"b\":\"x\"}",
        "{\"a\":1,\"b\":\"y\"}",
        "{\"a\":\"1\",\"b\":\"x\"}",
        "{\"a\":1.0,\"b\":\"x\"}",
        "{\"a\":\"x\",\"b\":1}",
        "{\"a\":1,\"b\":\"x\",\"c\":\"\"}",
        "{\"a\":1}",
        "{\"b\":\"x\"}",
        "{\"a\":1,\"c\":\"x\"}",
        "{\"a\":[1,2]}",
        "{\"a\":[2,1]}",
        "{\"a\":[1,2,0]}",
        "{\"a\":null}",
        "{\"a\":false}",
        "{\"a\":true}",
        "{\"a\":\"\"}",
        "{\"a\":{}}",
        "{\"a\":[]}",
        "{\"ab\":\"c\"}",
        "{\"a\":\"bc\"}",
        "{}",
    };
    const size_t n = sizeof rows / sizeof rows[0];
    json_t *v[sizeof rows / sizeof rows[0]];

    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        json_t *a = json_loads(same[i][0], 0, NULL), *b = json_loads(same[i][1], 0, NULL);
        assert_non_null(a);
        assert_non_null(b);
        assert_true(sync_json_sum(a) == sync_json_sum(b));
        json_decref(a);
        json_decref(b);
    }
    for (size_t i = 0; i < n; i++)
        assert_non_null(v[i] = json_loads(rows[i], 0, NULL));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            char *ti = sync_json_text(v[i]), *tj = sync_json_text(v[j]);
            assert_int_equal(sync_json_sum(v[i]) == sync_json_sum(v[j]), strcmp(ti, tj) == 0);
            free(ti);
            free(tj);
        }
    for (size_t i = 0; i < n; i++)
        json_decref(v[i]);
}

/* R-SYN-1: one event per state change, none when nothing changed. */
static void upsert_events_once(void **state)
{
    char dir[] = "/tmp/qs-sync-test.XXXXXX", *path;
    struct store *s = demo_store(dir, &path);
    struct syncdb *d;
    struct sync_order o = {0};
    enum sync_change chg;
    struct qs_err e;
    long events = 0;
    json_t *row;
    (void)state;

    d = syncdb_new(s, "demo");
    assert_int_equal(syncdb_seen_reset(d, &e), 0);

    row = json_pack("{s:s, s:s, s:s, s:s, s:s}", "ShippingStatus", "On request(2)", "OrderNo", "1",
                    "PackNo", "9", "OrderDate", "2026-11-20 10:00:00", "TrackingNo", "");
    sync_order_from_row(&o, row);
    assert_int_equal(syncdb_order_upsert(d, &o, "2026-11-25T00:00:00Z", &chg, &events, &e), 0);
    assert_int_equal(chg, SYNC_NEW);
    assert_int_equal(events, 1);
    assert_int_equal(syncdb_order_upsert(d, &o, "2026-11-25T00:00:01Z", &chg, &events, &e), 0);
    assert_int_equal(chg, SYNC_SAME);
    assert_int_equal(events, 1);

    json_object_set_new(row, "ShippingStatus", json_string("On delivery(4)"));
    json_object_set_new(row, "TrackingNo", json_string("T1"));
    sync_order_from_row(&o, row);
    assert_int_equal(syncdb_order_upsert(d, &o, "2026-11-25T00:00:02Z", &chg, &events, &e), 0);
    assert_int_equal(chg, SYNC_CHANGED);
    assert_int_equal(events, 3); /* status 2->4 and tracking set */
    assert_int_equal(count(s, "SELECT count(*) FROM order_event WHERE kind = 'status'"
                              " AND old = '2' AND new = '4'"),
                     1);

    assert_int_equal(syncdb_claim_set(d, "1", 4, "size", "", "{}", "now", &chg, &events, &e), 0);
    assert_int_equal(events, 4);
    assert_int_equal(syncdb_claim_set(d, "1", 4, "size", "", "{}", "now", &chg, &events, &e), 0);
    assert_int_equal(chg, SYNC_SAME);
    assert_int_equal(events, 4);
    assert_int_equal(count(s, "SELECT count(*) FROM order_event"), 4);
    assert_int_equal(count(s, "SELECT count(*) FROM temp.sync_seen"), 1);

    sync_order_clear(&o);
    json_decref(row);
    syncdb_free(d);
    demo_store_drop(s, dir, path);
}

/* ------------------------------------------------- pulls against a stub marketplace */

/* An answer the stub gives to a request whose path ends in method and whose body holds
 * needle (NULL: any); the first route that matches answers. */
struct route {
    const char *method, *needle, *answer;
};

struct stub {
    pid_t pid;
    char url[64];
    char log[96]; /* each request's path and body, one line each */
};

#define EMPTY "{\"ResultCode\":0,\"ResultMsg\":\"SUCCESS\",\"ResultObject\":[]}"

/* Serves routes on a loopback port until stopped; requests are appended to st->log. */
static void stub_start(struct stub *st, const char *dir, const struct route *routes, size_t n)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    snprintf(st->url, sizeof st->url, "http://127.0.0.1:%d", ntohs(sa.sin_port));
    snprintf(st->log, sizeof st->log, "%s/requests", dir);
    st->pid = fork();
    assert_true(st->pid >= 0);
    if (st->pid > 0) {
        close(fd);
        return;
    }
    alarm(60); /* never outlive a test run */
    for (;;) {
        int c = accept(fd, NULL, NULL);
        static char buf[1 << 16];
        size_t got = 0;
        long need = -1;
        const char *answer = EMPTY;
        char *path, *end, *body, *out;
        FILE *log;
        if (c < 0)
            _exit(1);
        for (;;) {
            ssize_t r = read(c, buf + got, sizeof buf - 1 - got);
            if (r <= 0)
                break;
            got += (size_t)r;
            buf[got] = '\0';
            if ((end = strstr(buf, "\r\n\r\n")) && need < 0) {
                char *cl = strcasestr(buf, "Content-Length:");
                need = (long)(end + 4 - buf) + (cl ? atol(cl + 15) : 0);
            }
            if (need >= 0 && (long)got >= need)
                break;
        }
        path = buf + 5; /* "POST " */
        end = strchr(path, ' ');
        if (end)
            *end = '\0';
        body = end ? strstr(end + 1, "\r\n\r\n") : NULL;
        body = body ? body + 4 : (char *)"";
        for (size_t i = 0; i < n; i++) {
            size_t pl = strlen(path), ml = strlen(routes[i].method);
            if (pl >= ml && strcmp(path + pl - ml, routes[i].method) == 0 &&
                (!routes[i].needle || strstr(body, routes[i].needle))) {
                answer = routes[i].answer;
                break;
            }
        }
        if ((log = fopen(st->log, "a")) != NULL) {
            fprintf(log, "%s %s\n", path, body);
            fclose(log);
        }
        out =
            xasprintf("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nConnection: close\r\n"
                      "Content-Length: %zu\r\n\r\n%s",
                      answer[0] == '{' ? "application/json" : "text/plain", strlen(answer), answer);
        if (write(c, out, strlen(out)) < 0)
            _exit(1);
        free(out);
        close(c);
    }
}

static void stub_stop(struct stub *st)
{
    int status;
    kill(st->pid, SIGTERM);
    waitpid(st->pid, &status, 0);
}

/* How many logged requests hold all of the given text. */
static int requests(const struct stub *st, const char *a, const char *b)
{
    FILE *f = fopen(st->log, "r");
    char line[8192];
    int n = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, a) && (!b || strstr(line, b)))
            n++;
    fclose(f);
    return n;
}

struct pullfx {
    char dir[40];
    struct store *s;
    struct stub st;
    struct qapi *q;
};

static void pull_open(struct pullfx *f, const struct route *routes, size_t n)
{
    struct qs_err e;
    int created;
    char *path;

    snprintf(f->dir, sizeof f->dir, "/tmp/qs-sync-pull.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    path = xasprintf("%s/qs.db", f->dir);
    assert_int_equal(store_open(path, &f->s, &e), 0);
    free(path);
    assert_int_equal(shop_add(f->s, "demo", "Asia/Tokyo", 0, &created, &e), 0);
    stub_start(&f->st, f->dir, routes, n);
    assert_int_equal(shop_setting_set(f->s, "demo", "qapi.url", f->st.url, &e), 0);
    assert_int_equal(shop_secret_set(f->s, "demo", "qapi.key", "stub-api-key", &e), 0);
    assert_int_equal(shop_secret_set(f->s, "demo", "qapi.user", "stub-user", &e), 0);
    assert_int_equal(shop_secret_set(f->s, "demo", "qapi.password", "stub-pass", &e), 0);
    assert_int_equal(shop_secret_set(f->s, "demo", "qapi.sak", "S-stub-key", &e), 0);
    assert_int_equal(qapi_open(f->s, "demo", 0, NULL, &f->q, &e), 0);
    qapi_set_rate(f->q, 0);
    qapi_set_backoff(f->q, 1, 2);
}

static void pull_close(struct pullfx *f)
{
    char *cmd = xasprintf("rm -rf '%s'", f->dir);
    qapi_close(f->q);
    stub_stop(&f->st);
    store_close(f->s);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

/* A fixed clock: the pulls' windows end here (no test reads the real time). */
#define T0 ((time_t)1780000000) /* 2026-05-28 */

static int pull(struct pullfx *f, time_t now, int form, struct sync_orders_stats *st)
{
    struct sync_orders_opts o = {.now = now, .cap = 200, .open_form = form, .quiet = 1};
    struct qs_err e;
    int rc = sync_orders_pull(f->s, f->q, "demo", &o, st, &e);
    if (rc != 0)
        fail_msg("sync_orders_pull: %d %s", rc, e.msg);
    return rc;
}

static char *mark_of(struct store *s, const char *stream)
{
    struct syncdb *d = syncdb_new(s, "demo");
    struct qs_err e;
    char buf[32];
    assert_int_equal(syncdb_mark_get(d, stream, buf, sizeof buf, &e), 0);
    syncdb_free(d);
    return xstrdup(buf);
}

struct audit_find {
    int n;
    char detail[512];
};

static int audit_sync(const struct audit_entry *a, void *ctx)
{
    struct audit_find *af = ctx;
    if (a->kind && strcmp(a->kind, "sync") == 0 && a->key && strcmp(a->key, "1062428737") == 0 &&
        a->result && strcmp(a->result, "unreadable") == 0) {
        af->n++;
        snprintf(af->detail, sizeof af->detail, "%s", a->detail ? a->detail : "");
    }
    return 0;
}

#define CLAIM_ROW(status)                                                                          \
    "{\"ResultCode\":0,\"ResultMsg\":\"SUCCESS\",\"ResultObject\":[{\"claimStatus\":" status       \
    ",\"orderNo\":1062428737,\"packNo\":123456789,\"requestDate\":\"2026-05-20 08:00:00\","        \
    "\"cancelRefundDate\":\"2026-05-20 09:00:00\",\"orderDate\":\"2026-05-19 10:11:12\","          \
    "\"PaymentDate\":\"2026-05-19 10:12:00\",\"itemCode\":\"1234567890\",\"sellerItemCode\":"      \
    "\"A12345b\",\"orderQty\":1,\"paymentAmount\":1980}]}"

/* The same store, another stub answering routes (a stub's routes are fixed once it runs). */
static void pull_restub(struct pullfx *f, const struct route *routes, size_t n)
{
    struct qs_err e;
    qapi_close(f->q);
    stub_stop(&f->st);
    stub_start(&f->st, f->dir, routes, n);
    assert_int_equal(shop_setting_set(f->s, "demo", "qapi.url", f->st.url, &e), 0);
    assert_int_equal(qapi_open(f->s, "demo", 0, NULL, &f->q, &e), 0);
    qapi_set_rate(f->q, 0);
    qapi_set_backoff(f->q, 1, 2);
}

/* R-SYN-9: a claimStatus qs cannot read ("キャンセル完了") is never recorded as a claim:
 * it is counted and named in the stats, written to the audit, no mark of the claims
 * streams is set, and the next run reads the row again; once readable ("Cancel
 * completed(3)") the claim is recorded and the marks are set. */
static void claim_unreadable_stays_open(void **state)
{
    const struct route bad[] = {{"GetClaimInfo_V3", NULL, CLAIM_ROW("\"キャンセル完了\"")}};
    const struct route good[] = {{"GetClaimInfo_V3", NULL, CLAIM_ROW("\"Cancel completed(3)\"")},
                                 {"GetShippingAndClaimInfoByOrderNo_V2", NULL,
                                  "{\"ResultCode\":-10001,\"ResultMsg\":\"no such order\"}"}};
    struct sync_orders_stats st;
    struct pullfx f;
    struct audit_find af = {0};
    struct qs_err e;
    char *m;
    (void)state;

    pull_open(&f, bad, 1);
    pull(&f, T0, SYNC_OPEN_PER_STATUS, &st);
    assert_int_equal(st.unread, 2); /* by request date and by completion date */
    assert_string_equal(st.unread_shown[0], "1062428737 claimStatus \"キャンセル完了\"");
    assert_int_equal(count(f.s, "SELECT count(*) FROM order_line"), 0);
    assert_int_equal(requests(&f.st, "GetShippingAndClaimInfoByOrderNo_V2", NULL), 0);
    m = mark_of(f.s, "claims.requested");
    assert_string_equal(m, "");
    free(m);
    m = mark_of(f.s, "orders.shipped"); /* the other streams go on */
    assert_string_not_equal(m, "");
    free(m);
    /* the next run reads it again, and reports it again */
    pull(&f, T0 + 86400, SYNC_OPEN_PER_STATUS, &st);
    assert_int_equal(st.unread, 2);
    assert_int_equal(audit_each(f.s, "demo", 0, audit_sync, &af, &e), 0);
    assert_int_equal(af.n, 4);
    assert_non_null(strstr(af.detail, "claimStatus \"キャンセル完了\""));
    assert_non_null(strstr(af.detail, "not recorded"));
    assert_non_null(strstr(af.detail, "(R-SYN-9)"));
    assert_int_equal(count(f.s, "SELECT count(*) FROM order_event"), 0);

    /* readable now: recorded, and the marks are set */
    pull_restub(&f, good, 2);
    pull(&f, T0 + 2 * 86400, SYNC_OPEN_PER_STATUS, &st);
    assert_int_equal(st.unread, 0);
    assert_int_equal(count(f.s, "SELECT claim FROM order_line WHERE order_no = '1062428737'"), 3);
    m = mark_of(f.s, "claims.requested");
    assert_string_not_equal(m, "");
    free(m);
    pull_close(&f);
}

/* R-SYN-9: the claims stream's mark does not move past a window holding an unreadable
 * row, even when an earlier run had set it. */
static void claim_unreadable_holds_mark(void **state)
{
    struct route r[] = {{"GetClaimInfo_V3", NULL, EMPTY}};
    struct sync_orders_stats st;
    struct pullfx f;
    char *m0, *m1;
    (void)state;

    pull_open(&f, r, 1);
    pull(&f, T0, SYNC_OPEN_PER_STATUS, &st);
    m0 = mark_of(f.s, "claims.completed");
    assert_string_not_equal(m0, "");
    r[0].answer = CLAIM_ROW("\"取消完了\"");
    pull_restub(&f, r, 1);
    pull(&f, T0 + 10 * 86400, SYNC_OPEN_PER_STATUS, &st);
    assert_int_equal(st.unread, 2);
    m1 = mark_of(f.s, "claims.completed");
    assert_string_equal(m0, m1); /* held: the next run starts before the row */
    free(m1);
    m1 = mark_of(f.s, "orders.delivered");
    assert_string_not_equal(m0, m1); /* the order streams moved on */
    free(m0);
    free(m1);
    pull_close(&f);
}

#define ORDER_ROW(status)                                                                          \
    "{\"ResultCode\":0,\"ResultMsg\":\"SUCCESS\",\"ResultObject\":[{\"ShippingStatus\":" status    \
    ",\"OrderNo\":1062428737,\"PackNo\":123456789,\"OrderDate\":\"2026-05-20 10:11:12\","          \
    "\"ItemNo\":\"1234567890\",\"SellerItemCode\":\"A12345b\",\"OrderQty\":1,\"Total\":1980}]}"

/* R-SYN-9 (D7): open orders are fetched per status 1, 2 and 3 by default, never with
 * ShippingStatus 0 or ""; a row whose status cannot be read takes the status asked for. */
static void open_orders_per_status(void **state)
{
    const struct route r[] = {
        {"GetShippingInfo_v3", "ShippingStatus=2&", ORDER_ROW("\"配送要請\"")},
    };
    struct sync_orders_stats st;
    struct pullfx f;
    (void)state;

    pull_open(&f, r, 1);
    pull(&f, T0, SYNC_OPEN_PER_STATUS, &st);
    for (int s = 1; s <= 5; s++) {
        char want[32];
        snprintf(want, sizeof want, "ShippingStatus=%d&", s);
        if (requests(&f.st, "GetShippingInfo_v3", want) != 1)
            fail_msg("ShippingStatus=%d asked %d times, want once", s,
                     requests(&f.st, "GetShippingInfo_v3", want));
    }
    assert_int_equal(requests(&f.st, "GetShippingInfo_v3", "ShippingStatus=0&"), 0);
    assert_int_equal(requests(&f.st, "GetShippingInfo_v3", "ShippingStatus=&"), 0);
    assert_int_equal(st.unread, 0);
    assert_int_equal(count(f.s, "SELECT status FROM order_line WHERE order_no = '1062428737'"), 2);
    pull_close(&f);
}

/* R-SYN-9 (D7): sync.open_form zero and blank send one combined query; there a row whose
 * ShippingStatus cannot be read is reported and not stored (never as status 0). */
static void open_orders_combined(void **state)
{
    const struct route r[] = {
        {"GetShippingInfo_v3", "ShippingStatus=0&", ORDER_ROW("\"配送要請\"")},
        {"GetShippingInfo_v3", "ShippingStatus=&", ORDER_ROW("\"Seller confirm(3)\"")},
    };
    struct sync_orders_stats st;
    struct pullfx f;
    (void)state;

    pull_open(&f, r, 2);
    pull(&f, T0, SYNC_OPEN_ZERO, &st);
    assert_int_equal(requests(&f.st, "GetShippingInfo_v3", "ShippingStatus=0&"), 1);
    assert_int_equal(requests(&f.st, "GetShippingInfo_v3", "ShippingStatus=1&"), 0);
    assert_int_equal(requests(&f.st, "GetShippingInfo_v3", "ShippingStatus=&"), 0);
    assert_int_equal(st.unread, 1);
    assert_string_equal(st.unread_shown[0], "1062428737 ShippingStatus \"配送要請\"");
    assert_int_equal(count(f.s, "SELECT count(*) FROM order_line"), 0);
    assert_int_equal(count(f.s, "SELECT count(*) FROM audit WHERE kind = 'sync'"), 1);

    pull(&f, T0, SYNC_OPEN_BLANK, &st);
    assert_int_equal(requests(&f.st, "GetShippingInfo_v3", "ShippingStatus=&"), 1);
    assert_int_equal(st.unread, 0);
    assert_int_equal(count(f.s, "SELECT status FROM order_line WHERE order_no = '1062428737'"), 3);
    pull_close(&f);
}

/* R-SYN-9 (D7): the setting's values. */
static void open_form_names(void **state)
{
    (void)state;
    assert_int_equal(sync_open_form_parse("per-status"), SYNC_OPEN_PER_STATUS);
    assert_int_equal(sync_open_form_parse("zero"), SYNC_OPEN_ZERO);
    assert_int_equal(sync_open_form_parse("blank"), SYNC_OPEN_BLANK);
    assert_int_equal(sync_open_form_parse("0"), -1);
    assert_int_equal(sync_open_form_parse(""), -1);
    assert_int_equal(sync_open_form_parse(NULL), -1);
    assert_string_equal(sync_open_form_name(SYNC_OPEN_ZERO), "zero");
    assert_string_equal(sync_open_form_name(SYNC_OPEN_BLANK), "blank");
    assert_string_equal(sync_open_form_name(SYNC_OPEN_PER_STATUS), "per-status");
}

/* R-SYN-9 (D6): the default window cap is small enough to notice a silent cap. */
static void default_cap(void **state)
{
    (void)state;
    assert_int_equal(SYNC_DEFAULT_CAP, 200);
}

static int item_seen(const struct sync_item *it, void *ctx)
{
    char *buf = ctx;
    size_t len = strlen(buf);
    snprintf(buf + len, 512 - len, "%s=%s;", it->item_code, it->change);
    return 0;
}

/* R-SYN-9 (D8): only -10001 means an item is gone; -90002, the error-only shape, a
 * plain-text answer and an answer without details keep the item, reported in the stats. */
static void items_only_10001_gone(void **state)
{
    const struct route r[] = {
        {"GetAllGoodsInfo", "ItemStatus=S2&",
         "{\"ResultCode\":0,\"ResultObject\":{\"TotalItems\":1,\"TotalPages\":1,\"PresentPage\":1,"
         "\"Items\":[{\"ItemCode\":\"100\",\"SellerCode\":\"A\",\"ItemStatus\":\"S2\"}]}}"},
        {"GetAllGoodsInfo", NULL,
         "{\"ResultCode\":0,\"ResultObject\":{\"TotalPages\":0,\"Items\":[]}}"},
        {"GetItemDetailInfo", "ItemCode=100&",
         "{\"ResultCode\":0,\"ResultObject\":[{\"ItemCode\":\"100\",\"SellerCode\":\"A\","
         "\"ItemStatus\":\"S2\",\"ItemTitle\":\"t\",\"ItemPrice\":\"500\",\"ItemQty\":\"3\"}]}"},
        {"GetItemDetailInfo", "ItemCode=101&",
         "{\"ResultCode\":-10001,\"ResultMsg\":\"Fail to find Item information\"}"},
        {"GetItemDetailInfo", "ItemCode=102&",
         "{\"ResultCode\":-90002,\"ResultMsg\":\"no right\"}"},
        {"GetItemDetailInfo", "ItemCode=103&", "{\"ErrorCode\":-10001,\"ErrorMsg\":\"odd\"}"},
        {"GetItemDetailInfo", "ItemCode=104&", "Can't find method Info GetItemDetailInfo"},
        {"GetItemDetailInfo", "ItemCode=105&", EMPTY},
    };
    struct sync_products_opts o = {.quiet = 1};
    struct sync_products_stats st;
    struct pullfx f;
    struct syncdb *d;
    struct qs_err e;
    enum sync_change chg;
    char seen[512] = "";
    (void)state;

    pull_open(&f, r, sizeof r / sizeof r[0]);
    d = syncdb_new(f.s, "demo");
    assert_int_equal(syncdb_seen_reset(d, &e), 0);
    for (int i = 101; i <= 105; i++) {
        char code[8];
        json_t *det = json_pack("{s:s, s:s, s:s, s:s}", "SellerCode", "B", "ItemStatus", "S2",
                                "ItemTitle", "kept", "ItemPrice", "700");
        snprintf(code, sizeof code, "%d", i);
        assert_int_equal(
            syncdb_item_upsert(d, code, "B", "S2", det, "2026-05-01T00:00:00Z", &chg, &e), 0);
        json_decref(det);
    }
    syncdb_free(d);
    assert_int_equal(sync_products_pull(f.s, f.q, "demo", &o, item_seen, seen, &st, &e), 0);
    assert_int_equal(st.items_gone, 1);
    assert_int_equal(st.refused, 4);
    assert_non_null(strstr(st.refused_shown[0], "102: -90002 no right"));
    assert_non_null(strstr(st.refused_shown[1], "103: -10001 odd"));
    assert_non_null(strstr(st.refused_shown[2], "104: "));
    assert_non_null(strstr(st.refused_shown[3], "105: 0 the answer holds no item details"));
    assert_non_null(strstr(seen, "100=new;"));
    assert_non_null(strstr(seen, "101=gone;"));
    assert_non_null(strstr(seen, "102=same;"));
    assert_int_equal(count(f.s, "SELECT count(*) FROM market_item WHERE status = ''"), 1);
    assert_int_equal(count(f.s, "SELECT count(*) FROM market_item WHERE status = 'S2' AND"
                                " title = 'kept' AND price = 700"),
                     4);
    pull_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(windows_cover_range),
        cmocka_unit_test(window_split_halves),
        cmocka_unit_test(status_and_claim_names),
        cmocka_unit_test(jst_to_utc),
        cmocka_unit_test(numbers),
        cmocka_unit_test(order_rows),
        cmocka_unit_test(est_ship_date),
        cmocka_unit_test(upsert_events_once),
        cmocka_unit_test(nth_date_reads_the_index),
        {"R-SYN-1 a row's digest is equal exactly when its text is", json_sum_equal_iff_text, NULL,
         NULL, NULL},
        {"R-SYN-9 unreadable claimStatus: reported, not recorded, read again",
         claim_unreadable_stays_open, NULL, NULL, NULL},
        {"R-SYN-9 unreadable claimStatus holds the claims mark", claim_unreadable_holds_mark, NULL,
         NULL, NULL},
        {"R-SYN-9 open orders per status 1, 2, 3 by default", open_orders_per_status, NULL, NULL,
         NULL},
        {"R-SYN-9 combined open query: unreadable ShippingStatus reported", open_orders_combined,
         NULL, NULL, NULL},
        {"R-SYN-9 sync.open_form values", open_form_names, NULL, NULL, NULL},
        {"R-SYN-9 default window cap 200", default_cap, NULL, NULL, NULL},
        {"R-SYN-9 only -10001 marks an item gone", items_only_10001_gone, NULL, NULL, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

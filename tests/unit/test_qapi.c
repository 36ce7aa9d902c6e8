/* Unit tests of libcore/qapi (R-SYN-7, SPEC 1.6) against the sandbox marketplace
 * (tests/sandbox/server.py, started here on a free loopback port) and, for answers the
 * sandbox cannot give (ResultCode as a string, a garbage body), a tiny in-test stub. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "qapi/qapi.h"
#include "qapi/qapi_int.h"
#include "shop.h"
#include "store.h"
#include "tm.h"
#include "xalloc.h"

#define API_KEY  "sandbox-api-key"
#define USER_ID  "sandbox-user"
#define PASSWORD "sandbox-pass"

/* The sandbox, shared by all tests of the group. */
static struct {
    char dir[64];
    pid_t pid;
    char root[64]; /* http://127.0.0.1:PORT */
    char qapi_url[160];
} sbx;

struct fx {
    char path[128];
    struct store *s;
    pid_t stub; /* a stub server still running, stopped by teardown */
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ----------------------------------------------------------- sandbox control */

static size_t grow(char *p, size_t size, size_t n, void *ud)
{
    char **buf = ud;
    size_t old = *buf ? strlen(*buf) : 0;
    *buf = xrealloc(*buf, old + size * n + 1);
    memcpy(*buf + old, p, size * n);
    (*buf)[old + size * n] = '\0';
    return size * n;
}

/* A control call: POST body (GET when NULL); returns the parsed answer. */
static json_t *ctl(const char *name, const char *body)
{
    CURL *c = curl_easy_init();
    char url[256], *buf = NULL;
    long status = 0;
    json_t *j;

    assert_non_null(c);
    snprintf(url, sizeof url, "%s/_control/%s", sbx.root, name);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_URL, url), CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, grow), CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_WRITEDATA, &buf), CURLE_OK);
    if (body)
        assert_int_equal(curl_easy_setopt(c, CURLOPT_POSTFIELDS, body), CURLE_OK);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    assert_int_equal(curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status), CURLE_OK);
    curl_easy_cleanup(c);
    j = json_loads(buf ? buf : "", 0, NULL);
    if (status != 200 || !j)
        fail_msg("control %s %s -> HTTP %ld: %s", name, body ? body : "", status, buf);
    free(buf);
    return j;
}

static void ctl0(const char *name, const char *body)
{
    json_decref(ctl(name, body));
}

/* counters.methods[method].field, 0 when absent. */
static long count(const char *method, const char *field)
{
    json_t *c = ctl("counters", NULL);
    json_t *v = json_object_get(json_object_get(json_object_get(c, "methods"), method), field);
    long n = json_is_integer(v) ? (long)json_integer_value(v) : 0;
    json_decref(c);
    return n;
}

static long calls(const char *method)
{
    return count(method, "calls");
}

static long total_calls(void)
{
    json_t *c = ctl("counters", NULL);
    long n = (long)json_integer_value(json_object_get(json_object_get(c, "totals"), "calls"));
    json_decref(c);
    return n;
}

static int sandbox_start(void **state)
{
    const char *src = getenv("QS_SRC");
    char server[512], portfile[128];
    FILE *f;
    int port = 0;

    (void)state;
    unsetenv("QS_QAPI_URL");
    unsetenv("QS_QAPI_KEY");
    unsetenv("QS_QAPI_USER");
    unsetenv("QS_QAPI_PASSWORD");
    if (!src) {
        fprintf(stderr, "QS_SRC must name the source tree\n");
        return -1;
    }
    snprintf(sbx.dir, sizeof sbx.dir, "/tmp/qs-qapi-test.XXXXXX");
    if (!mkdtemp(sbx.dir))
        return -1;
    snprintf(server, sizeof server, "%s/tests/sandbox/server.py", src);
    snprintf(portfile, sizeof portfile, "%s/port", sbx.dir);
    if ((sbx.pid = fork()) < 0)
        return -1;
    if (sbx.pid == 0) {
        char log[128];
        int fd;
        snprintf(log, sizeof log, "%s/sandbox.log", sbx.dir);
        if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execl("/usr/bin/python3", "python3", server, "--port", "0", "--port-file", portfile,
              (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200 && !port; i++) {
        if ((f = fopen(portfile, "r")) != NULL) {
            if (fscanf(f, "%d", &port) != 1)
                port = 0;
            fclose(f);
        }
        if (!port)
            usleep(50000);
    }
    if (!port) {
        fprintf(stderr, "the sandbox did not start (see %s/sandbox.log)\n", sbx.dir);
        return -1;
    }
    snprintf(sbx.root, sizeof sbx.root, "http://127.0.0.1:%d", port);
    snprintf(sbx.qapi_url, sizeof sbx.qapi_url, "%s/GMKT.INC.Front.QAPIService/ebayjapan.qapi",
             sbx.root);
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static int sandbox_stop(void **state)
{
    char cmd[128];
    int st;
    (void)state;
    if (sbx.pid > 0) {
        kill(sbx.pid, SIGTERM);
        waitpid(sbx.pid, &st, 0);
    }
    curl_global_cleanup();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", sbx.dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ fixture */

static void set(struct store *s, const char *key, const char *value)
{
    struct qs_err e;
    assert_int_equal(shop_setting_set(s, "demo", key, value, &e), 0);
}

static void secret(struct store *s, const char *key, const char *value)
{
    struct qs_err e;
    assert_int_equal(shop_secret_set(s, "demo", key, value, &e), 0);
}

static char *secret_of(struct store *s, const char *key)
{
    struct qs_err e;
    char *v = NULL;
    assert_int_equal(shop_secret_get(s, "demo", key, &v, &e), 0);
    return v;
}

static int setup(void **state)
{
    static int n;
    struct fx *f = xcalloc(1, sizeof *f);
    struct qs_err e;
    int created;

    snprintf(f->path, sizeof f->path, "%s/qs-%d.db", sbx.dir, ++n);
    if (store_open(f->path, &f->s, &e) < 0 ||
        shop_add(f->s, "demo", "Asia/Tokyo", 0, &created, &e) < 0)
        return -1;
    set(f->s, "qapi.url", sbx.qapi_url);
    secret(f->s, "qapi.key", API_KEY);
    secret(f->s, "qapi.user", USER_ID);
    secret(f->s, "qapi.password", PASSWORD);
    ctl0("reset", "{}");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    int st;
    if (f->stub > 0) { /* a failed assertion skipped stub_stop */
        kill(f->stub, SIGTERM);
        waitpid(f->stub, &st, 0);
    }
    store_close(f->s);
    unlink(f->path);
    free(f);
    return 0;
}

static struct qapi *open_q(struct store *s, int dry_run, FILE *out)
{
    struct qapi *q = NULL;
    struct qs_err e;
    int rc = qapi_open(s, "demo", dry_run, out, &q, &e);
    if (rc != 0)
        fail_msg("qapi_open: %d %s", rc, e.msg);
    qapi_set_rate(q, 0); /* tests that measure the limit set it back */
    qapi_set_backoff(q, 5, 50);
    return q;
}

/* A read every test can make: no parameters, always answered. */
#define READ "ItemsLookup.GetSellerDeliveryGroupInfo"

static int call(struct qapi *q, const char *method, const struct qapi_param *p, size_t n,
                struct qapi_result *res, struct qs_err *e)
{
    return qapi_call(q, method, p, n, "test", res, e);
}

static void read_ok(struct qapi *q)
{
    struct qapi_result res;
    struct qs_err e;
    int rc = call(q, READ, NULL, 0, &res, &e);
    if (rc != 0)
        fail_msg("%s: %d %s", READ, rc, e.msg);
    qapi_result_free(&res);
}

/* Every audit row of the store, one line each, for grepping. */
static int audit_line(const struct audit_entry *a, void *ctx)
{
    char **buf = ctx;
    char *line =
        xasprintf("%s|%s|%d|%s|%s|%ld|%s\n", a->kind, a->key ? a->key : "", a->attempt, a->result,
                  a->code ? a->code : "", a->latency_ms, a->detail ? a->detail : "");
    grow(line, 1, strlen(line), buf);
    free(line);
    return 0;
}

static char *audit_dump(struct store *s)
{
    char *buf = xstrdup("");
    struct qs_err e;
    assert_int_equal(audit_each(s, NULL, 0, audit_line, &buf, &e), 0);
    return buf;
}

/* The results of the audit rows of method, joined by ",". */
static char *audit_results(struct store *s, const char *method)
{
    char *all = audit_dump(s), *out = xstrdup(""), *save = NULL;
    size_t ml = strlen(method);
    for (char *l = strtok_r(all, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (strncmp(l, method, ml) != 0 || l[ml] != '|')
            continue;
        char *p = strchr(l + ml + 1, '|'); /* after key */
        p = strchr(p + 1, '|');            /* after attempt */
        char *end = strchr(p + 1, '|');
        char *next = xasprintf("%s%s%.*s", out, *out ? "," : "", (int)(end - p - 1), p + 1);
        free(out);
        out = next;
    }
    free(all);
    return out;
}

/* ------------------------------------------------------------- pure parts */

static void classify_table(void **state)
{
    (void)state;
    assert_int_equal(qapi_classify(0, 200, 0), QAPI_OK);
    /* R-SYN-7: retried */
    assert_int_equal(qapi_classify(0, 500, QAPI_CODE_NONE), QAPI_RETRY);
    assert_int_equal(qapi_classify(0, 503, 0), QAPI_RETRY);
    assert_int_equal(qapi_classify(28 /* CURLE_OPERATION_TIMEDOUT */, 0, QAPI_CODE_NONE),
                     QAPI_RETRY);
    assert_int_equal(qapi_classify(52 /* CURLE_GOT_NOTHING */, 0, QAPI_CODE_NONE), QAPI_RETRY);
    assert_int_equal(qapi_classify(7 /* CURLE_COULDNT_CONNECT */, 0, QAPI_CODE_NONE), QAPI_RETRY);
    assert_int_equal(qapi_classify(0, 200, -10101), QAPI_RETRY);
    assert_int_equal(qapi_classify(0, 200, -999), QAPI_RETRY);
    /* auth: re-issue the key once */
    assert_int_equal(qapi_classify(0, 200, -10000), QAPI_AUTH);
    assert_int_equal(qapi_classify(0, 200, -90004), QAPI_AUTH);
    assert_int_equal(qapi_classify(0, 200, -90005), QAPI_AUTH);
    /* R-SYN-7: validation, never retried */
    assert_int_equal(qapi_classify(0, 200, -10001), QAPI_INVALID);
    assert_int_equal(qapi_classify(0, 200, -90001), QAPI_INVALID);
    assert_int_equal(qapi_classify(0, 200, -1), QAPI_INVALID);
    assert_int_equal(qapi_classify(0, 200, -2), QAPI_INVALID);
    assert_int_equal(qapi_classify(0, 200, -99), QAPI_INVALID);
    assert_int_equal(qapi_classify(0, 200, QAPI_CODE_NONE), QAPI_INVALID);
    assert_int_equal(qapi_classify(0, 404, QAPI_CODE_NONE), QAPI_INVALID);
}

static void status_labels(void **state)
{
    (void)state;
    assert_int_equal(qapi_status_code("Awaiting shipping(1)"), 1);
    assert_int_equal(qapi_status_code("On request(2)"), 2);
    assert_int_equal(qapi_status_code("Seller confirm(3)"), 3);
    assert_int_equal(qapi_status_code("On delivery(4)"), 4);
    assert_int_equal(qapi_status_code("Delivered(5)"), 5);
    assert_int_equal(qapi_status_code("2"), 2);
    assert_int_equal(qapi_status_code(" 14 "), 14);
    assert_int_equal(qapi_status_code("On request"), -1);
    assert_int_equal(qapi_status_code("On request()"), -1);
    assert_int_equal(qapi_status_code("On request(2"), -1);
    assert_int_equal(qapi_status_code(""), -1);
    assert_int_equal(qapi_status_code(NULL), -1);
}

static void versions_and_writes(void **state)
{
    (void)state;
    assert_string_equal(qapi_method_version("ItemsBasic.SetNewGoods"), "1.1");
    assert_string_equal(qapi_method_version("ItemsBasic.UpdateGoods"), "1.1");
    assert_string_equal(qapi_method_version("ItemsLookup.GetItemDetailInfo"), "1.2");
    assert_string_equal(qapi_method_version("itemslookup.getitemdetailinfo"), "1.2");
    assert_string_equal(qapi_method_version("ItemsContents.EditGoodsImage"), "1.1");
    assert_string_equal(qapi_method_version("ShippingBasic.GetShippingInfo_v3"), "1.0");
    assert_string_equal(qapi_method_version("CertificationAPI.CreateCertificationKey"), "1.0");
    assert_string_equal(qapi_method_version("ShippingBasic.SetSendingInfo"), "1.0");
    assert_true(qapi_is_write("ShippingBasic.SetSendingInfo"));
    assert_true(qapi_is_write("ItemsOrder.SetGoodsPriceQtyBulk"));
    assert_false(qapi_is_write("ShippingBasic.GetShippingInfo_v3"));
    assert_false(qapi_is_write("CommonInfoLookup.SearchBrand"));
}

/* R-SYN-1c: the rows of an answer counted as it arrives (qapi_rows.c), fed whole, byte by
 * byte and in two pieces split at every place: the count is jansson's (sync_rows: the
 * elements of ResultObject, or of its first member that is an array), whatever the
 * strings hold. */
static long rows_fed(const char *text, size_t cut, long cap, int *hit)
{
    struct qapi_rows r;
    size_t len = strlen(text);
    qapi_rows_start(&r, cap);
    *hit = qapi_rows_feed(&r, text, cut);
    if (!*hit)
        *hit = qapi_rows_feed(&r, text + cut, len - cut);
    return r.n;
}

static long rows_bytewise(const char *text, long cap, int *hit)
{
    struct qapi_rows r;
    qapi_rows_start(&r, cap);
    *hit = 0;
    for (const char *p = text; *p && !*hit; p++)
        *hit = qapi_rows_feed(&r, p, 1);
    return r.n;
}

static void rows_counted(void **state)
{
    static const struct {
        const char *text;
        long n;
    } t[] = {
        {"{\"ResultCode\":0,\"ResultObject\":[{\"a\":1},{\"a\":2},{\"a\":3}]}", 3},
        {" {\r\n \"ResultObject\" : [ 1 , \"x\" , [2,3] , {\"b\":[4,5]} , null ] } ", 5},
        {"\xEF\xBB\xBF{\"ResultObject\":[{},{}]}", 2},
        {"{\"ResultObject\":[]}", 0},
        {"{\"ResultObject\":null,\"Other\":[1,2]}", 0},
        {"{\"Other\":[1,2,3],\"ResultObject\":[1]}", 1},
        {"{\"ResultObject\":{\"Total\":9,\"Sub\":{\"x\":[1,2,3]},\"Rows\":[1,2],\"More\":[1]}}", 2},
        {"{\"ResultObject\":{\"Rows\":[],\"More\":[1]}}", 0},
        /* strings holding what would be structure outside them */
        {"{\"ResultObject\":[\"],[{\",\"\\\"]\\\\\",{\"k\\\"\":\"}\"}],\"z\":1}", 3},
        {"{\"ResultMsg\":\"\\\"ResultObject\\\":[1,2]\",\"ResultObject\":[1]}", 1},
        {"{\"ResultObjectX\":[1,2],\"XResultObject\":[1]}", 0},
        /* not an envelope */
        {"[1,2,3]", 0},
        {"<html>[1,2]</html>", 0},
        {"", 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t len = strlen(t[i].text);
        int hit;
        json_error_t je;
        json_t *j = json_loads(t[i].text[0] == '\xEF' ? t[i].text + 3 : t[i].text, 0, &je);
        /* the expectation is jansson's own where jansson reads the text */
        if (j && json_is_object(j)) {
            json_t *ro = json_object_get(j, "ResultObject"), *rows = NULL;
            const char *k;
            json_t *v;
            if (json_is_array(ro))
                rows = ro;
            else if (json_is_object(ro))
                json_object_foreach(ro, k, v) if (json_is_array(v) && !rows) rows = v;
            assert_int_equal(t[i].n, rows ? (long)json_array_size(rows) : 0);
        }
        json_decref(j);
        for (size_t cut = 0; cut <= len; cut++) {
            if (rows_fed(t[i].text, cut, 0, &hit) != t[i].n || hit)
                fail_msg("case %zu (%s) split at %zu: %ld rows", i, t[i].text, cut,
                         rows_fed(t[i].text, cut, 0, &hit));
        }
        assert_int_equal(rows_bytewise(t[i].text, 0, &hit), t[i].n);
        assert_false(hit);
    }
    /* the key spelt with an escape: jansson reads ResultObject, the scanner does not (the
     * answer is then read whole, as before) */
    int hit;
    assert_int_equal(rows_bytewise("{\"Result\\u004fbject\":[1,2]}", 1, &hit), 0);
    assert_false(hit);
}

/* R-SYN-1c: the count stops at the cap, at the row that reaches it: not before, and an
 * answer of fewer rows never reaches it. */
static void rows_cap_reached(void **state)
{
    const char *five =
        "{\"ResultCode\":0,\"ResultObject\":[{\"n\":\"[1]\"},{},{},{},{}],\"ResultMsg\":\"x\"}";
    const char *at4 = strstr(five, "},{},{}]") + 2; /* the fourth row's first byte */
    int hit;
    (void)state;
    assert_int_equal(rows_bytewise(five, 5, &hit), 5);
    assert_true(hit);
    assert_int_equal(rows_bytewise(five, 6, &hit), 5);
    assert_false(hit);
    assert_int_equal(rows_bytewise(five, 1, &hit), 1);
    assert_true(hit);
    /* the fourth row's first byte is what reaches a cap of 4 */
    assert_int_equal(rows_fed(five, (size_t)(at4 - five), 4, &hit), 4);
    assert_true(hit);
    {
        struct qapi_rows r;
        qapi_rows_start(&r, 4);
        assert_int_equal(qapi_rows_feed(&r, five, (size_t)(at4 - five)), 0);
        assert_int_equal(r.n, 3);
        assert_int_equal(qapi_rows_feed(&r, at4, 1), 1);
        assert_int_equal(r.n, 4);
    }
}

/* ------------------------------------------------------- against the sandbox */

/* GetShippingInfo_v3's parameters: status 2, ordered in the last week (from and to hold
 * 16 bytes each). */
static void week_search(char *from, char *to, struct qapi_param p[4])
{
    time_t now = time(NULL);
    tm_format_jst(now - 7 * 86400, "%Y%m%d", from, 16);
    tm_format_jst(now + 86400, "%Y%m%d", to, 16);
    p[0] = (struct qapi_param){"ShippingStatus", "2"};
    p[1] = (struct qapi_param){"SearchStartDate", from};
    p[2] = (struct qapi_param){"SearchEndDate", to};
    p[3] = (struct qapi_param){"SearchCondition", NULL}; /* sent as "" */
}

static void call_ok(void **state)
{
    struct fx *f = *state;
    struct qapi *q = open_q(f->s, 0, NULL);
    struct qapi_result res;
    struct qs_err e;
    char from[16], to[16];
    struct qapi_param p[4];

    ctl0("seed", "{\"orders\": [{\"status\": 2}, {\"status\": 2}, {\"status\": 3}]}");
    week_search(from, to, p);
    assert_int_equal(call(q, "ShippingBasic.GetShippingInfo_v3", p, 4, &res, &e), 0);
    assert_int_equal(res.code, 0);
    assert_int_equal(res.cls, QAPI_OK);
    assert_int_equal(res.attempts, 1);
    assert_int_equal(res.http_status, 200);
    assert_non_null(res.body);
    assert_true(json_is_array(res.object));
    assert_int_equal(json_array_size(res.object), 2);
    assert_int_equal(qapi_status_code(json_string_value(
                         json_object_get(json_array_get(res.object, 0), "ShippingStatus"))),
                     2);
    assert_string_equal(res.msg, "SUCCESS");
    qapi_result_free(&res);
    assert_int_equal(calls("ShippingBasic.GetShippingInfo_v3"), 1);
    qapi_close(q);
}

/* R-SYN-1c: a search whose rows reach the cap is cut there (qapi_call_rows): the call
 * returns 0 with res.cut and no body, and its audit row says so; an answer of fewer rows
 * is read whole; the client goes on after a cut (its connection was dropped). */
static void call_rows_cut(void **state)
{
    struct fx *f = *state;
    struct qapi *q = open_q(f->s, 0, NULL);
    struct qapi_result res;
    struct qs_err e;
    char from[16], to[16], *audit, seed[1024] = "{\"orders\": [{\"status\": 2}";
    struct qapi_param p[4];
    static const struct {
        long cap, cut, rows;
    } t[] = {{10, 10, 0}, {31, 0, 30}, {30, 30, 0}, {0, 0, 30}, {1, 1, 0}};

    for (int i = 1; i < 30; i++)
        strcat(seed, ", {\"status\": 2}");
    strcat(seed, "]}");
    ctl0("seed", seed);
    ctl0("config", "{\"max_rows\": 0}"); /* a marketplace that sends every row */
    week_search(from, to, p);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        assert_int_equal(
            qapi_call_rows(q, "ShippingBasic.GetShippingInfo_v3", p, 4, "test", t[i].cap, &res, &e),
            0);
        assert_int_equal(res.cls, QAPI_OK);
        assert_int_equal(res.http_status, 200);
        assert_int_equal(res.cut, t[i].cut);
        if (t[i].cut) {
            assert_null(res.body);
            assert_null(res.object);
        } else {
            assert_int_equal(res.code, 0);
            assert_int_equal(json_array_size(res.object), t[i].rows);
        }
        qapi_result_free(&res);
    }
    /* a plain call after the cuts: unchanged */
    assert_int_equal(call(q, "ShippingBasic.GetShippingInfo_v3", p, 4, &res, &e), 0);
    assert_int_equal(json_array_size(res.object), 30);
    qapi_result_free(&res);
    qapi_close(q);
    audit = audit_dump(f->s);
    assert_non_null(strstr(audit, "|ok|HTTP 200|"));
    assert_non_null(strstr(audit, "cut at 10 rows, the window's cap (R-SYN-1c)\n"));
    assert_non_null(strstr(audit, "cut at 30 rows, the window's cap (R-SYN-1c)\n"));
    assert_non_null(strstr(audit, "cut at 1 rows, the window's cap (R-SYN-1c)\n"));
    assert_null(strstr(audit, "cut at 31"));
    free(audit);
}

static void auth_flow(void **state)
{
    struct fx *f = *state;
    struct qapi *q = open_q(f->s, 0, NULL);
    struct qapi_result res;
    struct qs_err e;
    char *sak1, *sak2, *issued = NULL;

    /* the first call gets a key and caches it */
    read_ok(q);
    assert_int_equal(calls("CertificationAPI.CreateCertificationKey"), 1);
    sak1 = secret_of(f->s, "qapi.sak");
    assert_non_null(sak1);
    assert_int_equal(shop_setting_get(f->s, "demo", "qapi.sak_issued", &issued, &e), 0);
    assert_non_null(issued);
    read_ok(q);
    qapi_close(q);
    /* a new client (a new run) uses the cached key */
    q = open_q(f->s, 0, NULL);
    read_ok(q);
    assert_int_equal(calls("CertificationAPI.CreateCertificationKey"), 1);
    assert_int_equal(calls(READ), 3);

    /* expired: one re-issue, then the call goes through */
    ctl0("expire_keys", "{}");
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), 0);
    assert_int_equal(res.attempts, 2);
    qapi_result_free(&res);
    assert_int_equal(calls("CertificationAPI.CreateCertificationKey"), 2);
    sak2 = secret_of(f->s, "qapi.sak");
    assert_string_not_equal(sak1, sak2);

    /* keys that never work: re-issued once per call, then refused */
    ctl0("expire_keys", "{\"ttl_s\": 0, \"code\": -90005}");
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), QS_E_FAIL);
    assert_int_equal(res.cls, QAPI_AUTH);
    assert_int_equal(res.code, -90005);
    assert_int_equal(res.attempts, 2);
    qapi_result_free(&res);
    assert_int_equal(calls("CertificationAPI.CreateCertificationKey"), 3);
    qapi_close(q);
    free(sak1);
    free(sak2);
    free(issued);
}

static void unknown_cached_key_reissued(void **state)
{
    struct fx *f = *state;
    struct qapi *q;
    struct qapi_result res;
    struct qs_err e;

    /* a key the marketplace never issued answers -90001 in the error shape */
    secret(f->s, "qapi.sak", "S-never-issued_g_1_x");
    q = open_q(f->s, 0, NULL);
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), 0);
    assert_int_equal(res.attempts, 2);
    qapi_result_free(&res);
    assert_int_equal(calls("CertificationAPI.CreateCertificationKey"), 1);
    qapi_close(q);
}

static void missing_secrets(void **state)
{
    struct fx *f = *state;
    struct qapi *q;
    struct qapi_result res;
    struct qs_err e;

    secret(f->s, "qapi.key", NULL);
    secret(f->s, "qapi.password", NULL);
    q = open_q(f->s, 0, NULL);
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), QS_E_USAGE);
    qapi_result_free(&res);
    assert_non_null(strstr(e.msg, "qs init --shop demo --secret qapi.key --secret qapi.password"));
    assert_non_null(strstr(e.msg, "QS_QAPI_KEY"));
    assert_null(strstr(e.msg, "qapi.user"));
    assert_int_equal(total_calls(), 0);
    qapi_close(q);

    /* the environment stands in for the store */
    setenv("QS_QAPI_KEY", API_KEY, 1);
    setenv("QS_QAPI_PASSWORD", PASSWORD, 1);
    q = open_q(f->s, 0, NULL);
    read_ok(q);
    qapi_close(q);
    unsetenv("QS_QAPI_KEY");
    unsetenv("QS_QAPI_PASSWORD");
}

/* A TCP socket bound to a free loopback port (*port). */
static int loopback_socket(int *port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

/* url: a loopback address nobody listens on (a port bound, then let go). */
static void dead_url(char *url, size_t n)
{
    int port;

    close(loopback_socket(&port));
    snprintf(url, n, "http://127.0.0.1:%d/", port);
}

static void retry_then_ok(void **state)
{
    struct fx *f = *state;
    struct qapi *q = open_q(f->s, 0, NULL);
    struct qapi_result res;
    struct qs_err e;
    char *r;
    long long t0;

    read_ok(q); /* gets the key */
    /* R-SYN-7: two HTTP 500 pages, then an answer */
    ctl0("faults", "{\"fail_next\": 2, \"methods\": [\"GetSellerDeliveryGroupInfo\"]}");
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), 0);
    assert_int_equal(res.attempts, 3);
    assert_int_equal(res.code, 0);
    qapi_result_free(&res);
    assert_int_equal(count(READ, "faulted"), 2);
    /* SPEC 1.6: each attempt's row is written as its request leaves, its result while the
     * next request is on the wire: the last answer's result is still to be written, the
     * call is recorded all the same */
    r = audit_results(f->s, READ);
    assert_string_equal(r, "ok,retry,retry,sent");
    free(r);
    assert_int_equal(qapi_flush(q, &e), 0);
    r = audit_results(f->s, READ);
    assert_string_equal(r, "ok,retry,retry,ok");
    free(r);

    /* two dropped connections, then an answer (libcurl itself retries a reused
     * connection found dead once, so this may take 2 attempts of ours) */
    ctl0("faults", "{\"drop_next\": 2, \"methods\": [\"GetSellerDeliveryGroupInfo\"]}");
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), 0);
    assert_true(res.attempts >= 2);
    qapi_result_free(&res);
    assert_int_equal(count(READ, "dropped"), 2);

    /* the default backoff waits at least half of 200 ms before the first retry */
    qapi_set_backoff(q, 200, 10000);
    ctl0("faults", "{\"fail_next\": 1, \"methods\": [\"GetSellerDeliveryGroupInfo\"]}");
    t0 = now_ms();
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), 0);
    assert_true(now_ms() - t0 >= 100);
    assert_true(now_ms() - t0 < 5000);
    qapi_result_free(&res);
    qapi_close(q);
}

static void retry_exhausted(void **state)
{
    struct fx *f = *state;
    struct qapi *q;
    struct qapi_result res;
    struct qs_err e;

    set(f->s, "qapi.retries", "2");
    q = open_q(f->s, 0, NULL);
    read_ok(q);
    ctl0("faults", "{\"fail_next\": 10, \"status\": 503, \"methods\": [\"" READ "\"]}");
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), QS_E_TEMP);
    assert_int_equal(res.attempts, 3);
    assert_int_equal(res.cls, QAPI_RETRY);
    assert_int_equal(res.http_status, 503);
    assert_int_equal(res.code, QAPI_CODE_NONE);
    assert_non_null(strstr(e.msg, "3 attempts"));
    assert_non_null(strstr(e.msg, "HTTP 503"));
    assert_int_equal(count(READ, "faulted"), 3);
    qapi_result_free(&res);
    qapi_close(q);
}

/* What an idle function saw (qapi_set_idle). */
struct idle_seen {
    struct qapi *q;
    int calls;
    int nested_rc;     /* what a call of the client from it returned */
    char results[128]; /* the audit of READ while the request was on the wire */
    struct store *s;
};

static char *audit_results(struct store *s, const char *method);

static void on_idle(void *ctx)
{
    struct idle_seen *is = ctx;
    struct qapi_result res;
    struct qs_err e;
    char *r = audit_results(is->s, READ);
    is->calls++;
    snprintf(is->results, sizeof is->results, "%s", r);
    free(r);
    is->nested_rc = qapi_call(is->q, READ, NULL, 0, NULL, &res, &e);
    qapi_result_free(&res);
}

/* SPEC 8 (issue 16): the caller's work runs while a request is on the wire, at most once
 * per request that went out; the client cannot be called from it. */
static void idle_slot(void **state)
{
    struct fx *f = *state;
    struct qapi *q = open_q(f->s, 0, NULL);
    struct idle_seen is = {.q = q, .s = f->s};
    struct qapi_result res;
    struct qs_err e;
    char url[64];

    read_ok(q); /* gets the key: its request has no idle function yet */
    qapi_set_idle(q, on_idle, &is);
    /* answers that take their time: each request is surely out before its answer is in (a
     * quick one may be read in the same turn as the send, leaving no slot) */
    ctl0("faults", "{\"fail_next\": 2, \"latency_ms\": 40, \"methods\": "
                   "[\"GetSellerDeliveryGroupInfo\"]}");
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), 0);
    assert_int_equal(res.attempts, 3);
    qapi_result_free(&res);
    assert_int_equal(is.calls, 3); /* once per request */
    assert_int_equal(is.nested_rc, QS_E_SOFTWARE);
    assert_int_equal(count(READ, "faulted"), 2);
    assert_int_equal(calls(READ), 4); /* the nested calls sent nothing */
    /* SPEC 1.6: the attempt on the wire already has its row */
    assert_string_equal(is.results, "ok,retry,retry,sent");
    qapi_close(q);

    /* a request that never went out (nobody listens) gets no idle slot, and its attempt
     * its whole row at once */
    dead_url(url, sizeof url);
    set(f->s, "qapi.url", url);
    set(f->s, "qapi.retries", "0");
    q = open_q(f->s, 0, NULL);
    is = (struct idle_seen){.q = q, .s = f->s};
    qapi_set_idle(q, on_idle, &is);
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), QS_E_UNAVAILABLE);
    qapi_result_free(&res);
    assert_int_equal(is.calls, 0);
    char *r = audit_results(f->s, READ);
    assert_string_equal(r, "ok,retry,retry,ok,failed");
    free(r);
    qapi_close(q);
}

static void unavailable(void **state)
{
    struct fx *f = *state;
    struct qapi *q;
    struct qapi_result res;
    struct qs_err e;
    char url[64];

    dead_url(url, sizeof url); /* a port nobody listens on */
    set(f->s, "qapi.url", url);
    set(f->s, "qapi.retries", "1");
    secret(f->s, "qapi.sak", "S-cached");
    q = open_q(f->s, 0, NULL);
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), QS_E_UNAVAILABLE);
    assert_int_equal(res.attempts, 2);
    assert_int_equal(res.http_status, 0);
    assert_int_equal(res.cls, QAPI_RETRY);
    assert_non_null(strstr(e.msg, "no answer"));
    qapi_result_free(&res);
    qapi_close(q);

    /* a timeout is no answer either (setting qapi.timeout, seconds) */
    set(f->s, "qapi.url", sbx.qapi_url);
    set(f->s, "qapi.retries", "0");
    set(f->s, "qapi.timeout", "1");
    secret(f->s, "qapi.sak", NULL);
    q = open_q(f->s, 0, NULL);
    read_ok(q); /* the key request is an answer: get it before */
    ctl0("faults", "{\"latency_ms\": 2500, \"methods\": [\"" READ "\"]}");
    long long t0 = now_ms();
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), QS_E_UNAVAILABLE);
    assert_true(now_ms() - t0 < 2400);
    assert_int_equal(res.attempts, 1);
    qapi_result_free(&res);
    qapi_close(q);
}

/* R-SYN-7: a write is retried inside the client only when it surely was not sent: a
 * connection refused is retried, HTTP 503 (the marketplace may have acted) is not. */
static void write_retried_only_unsent(void **state)
{
    struct fx *f = *state;
    struct qapi *q;
    struct qapi_result res;
    struct qs_err e;
    const struct qapi_param p[] = {{"ItemCode", "1100000001"}, {"StatusCode", "1"}};
    char url[64];

    dead_url(url, sizeof url);
    set(f->s, "qapi.url", url);
    set(f->s, "qapi.retries", "2");
    secret(f->s, "qapi.sak", "S-cached");
    q = open_q(f->s, 0, NULL);
    qapi_set_backoff(q, 1, 2);
    assert_int_equal(call(q, "ItemsBasic.EditGoodsStatus", p, 2, &res, &e), QS_E_UNAVAILABLE);
    assert_int_equal(res.attempts, 3);
    qapi_result_free(&res);
    qapi_close(q);

    set(f->s, "qapi.url", sbx.qapi_url);
    secret(f->s, "qapi.sak", NULL);
    q = open_q(f->s, 0, NULL);
    qapi_set_backoff(q, 1, 2);
    read_ok(q);
    ctl0("faults", "{\"fail_next\": 10, \"status\": 503, \"methods\": [\"EditGoodsStatus\"]}");
    assert_int_equal(call(q, "ItemsBasic.EditGoodsStatus", p, 2, &res, &e), QS_E_TEMP);
    assert_int_equal(res.attempts, 1);
    assert_int_equal(res.http_status, 503);
    assert_int_equal(count("ItemsBasic.EditGoodsStatus", "faulted"), 1);
    qapi_result_free(&res);
    qapi_close(q);
}

static void validation_not_retried(void **state)
{
    struct fx *f = *state;
    struct qapi *q = open_q(f->s, 0, NULL);
    struct qapi_result res;
    struct qs_err e;
    const struct qapi_param p[] = {
        {"OrderNo", "1"}, {"ShippingCorp", "Yamato"}, {"TrackingNo", "T-1"}};

    assert_int_equal(qapi_call(q, "ShippingBasic.SetSendingInfo", p, 3, "1", &res, &e), QS_E_FAIL);
    assert_int_equal(res.cls, QAPI_INVALID);
    assert_int_equal(res.code, -10001);
    assert_int_equal(res.attempts, 1);
    assert_non_null(strstr(res.msg, "does not exist"));
    assert_non_null(strstr(e.msg, "does not exist"));
    assert_non_null(strstr(e.msg, "-10001"));
    assert_string_equal(e.record, "1");
    assert_int_equal(calls("ShippingBasic.SetSendingInfo"), 1);
    qapi_result_free(&res);
    qapi_close(q);
}

static void error_shape(void **state)
{
    struct fx *f = *state;
    struct qapi *q = open_q(f->s, 0, NULL);
    struct qapi_result res;
    struct qs_err e;

    /* {ErrorCode, ErrorMsg}: an unknown method (reference 1.6) */
    assert_int_equal(call(q, "ItemsBasic.NoSuchMethod", NULL, 0, &res, &e), QS_E_FAIL);
    assert_int_equal(res.code, -90001);
    assert_int_equal(res.cls, QAPI_INVALID);
    assert_int_equal(res.attempts, 1);
    assert_non_null(strstr(res.msg, "存在しないAPI"));
    assert_null(res.object);
    qapi_result_free(&res);
    assert_int_equal(calls("CertificationAPI.CreateCertificationKey"), 1);
    qapi_close(q);
}

/* ----------------------------------------------------------- the stub server */

struct stub {
    pid_t pid;
    char url[64];
    char reqs[160];
};

/* Serves answers[i] (a full HTTP response) on the i-th connection, then exits; each
 * request is appended to reqs. */
static void stub_start(struct stub *st, const char *const *answers, size_t n)
{
    int port, fd = loopback_socket(&port);

    assert_int_equal(listen(fd, 8), 0);
    snprintf(st->url, sizeof st->url, "http://127.0.0.1:%d", port);
    snprintf(st->reqs, sizeof st->reqs, "%s/stub-requests", sbx.dir);
    unlink(st->reqs);
    st->pid = fork();
    assert_true(st->pid >= 0);
    if (st->pid > 0) {
        close(fd);
        return;
    }
    alarm(30); /* never outlive a test run */
    for (size_t i = 0; i < n; i++) {
        int c = accept(fd, NULL, NULL);
        char buf[65536];
        size_t got = 0;
        long need = -1;
        FILE *log;
        if (c < 0)
            _exit(1);
        for (;;) {
            ssize_t r = read(c, buf + got, sizeof buf - 1 - got);
            if (r <= 0)
                break;
            got += (size_t)r;
            buf[got] = '\0';
            char *end = strstr(buf, "\r\n\r\n");
            if (end && need < 0) {
                char *cl = strcasestr(buf, "Content-Length:");
                need = (long)(end + 4 - buf) + (cl ? atol(cl + 15) : 0);
            }
            if (need >= 0 && (long)got >= need)
                break;
        }
        if ((log = fopen(st->reqs, "a")) != NULL) {
            fwrite(buf, 1, got, log);
            fputs("\n=====\n", log);
            fclose(log);
        }
        if (write(c, answers[i], strlen(answers[i])) < 0)
            _exit(1);
        close(c);
    }
    _exit(0);
}

static void stub_stop(struct fx *f, struct stub *st)
{
    int status;
    kill(st->pid, SIGTERM);
    waitpid(st->pid, &status, 0);
    f->stub = 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = xstrdup(""), chunk[4096];
    size_t n;
    assert_non_null(f);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        grow(chunk, 1, n, &buf);
    fclose(f);
    return buf;
}

#define HTTP(status, ctype, body)                                                                  \
    "HTTP/1.1 " status "\r\nContent-Type: " ctype "\r\nConnection: close\r\nContent-Length: "      \
    "%zu\r\n\r\n" body

static char *answer(const char *fmt, const char *body)
{
    return xasprintf(fmt, strlen(body));
}

static void stub_envelopes(void **state)
{
    struct fx *f = *state;
    struct stub st;
    struct qapi *q;
    struct qapi_result res;
    struct qs_err e;
    char *a[9], *reqs;
    const struct qapi_param p[] = {
        {"ItemTitle", "山田 & co=1"}, {"Empty", NULL}, {"SecondSubCat", "320001234"}};

    a[0] = answer(HTTP("200 OK", "application/json",
                       "{\"ResultCode\":\"0\",\"ResultMsg\":"
                       "\"SUCCESS\",\"ResultObject\":{\"GdNo\":"
                       "\"1100000001\"}}"),
                  "{\"ResultCode\":\"0\",\"ResultMsg\":\"SUCCESS\",\"ResultObject\":{\"GdNo\":"
                  "\"1100000001\"}}");
    a[1] = answer(HTTP("200 OK", "application/json",
                       "{\"ResultCode\":\"-10001\",\"ResultMsg\":"
                       "\"dup\"}"),
                  "{\"ResultCode\":\"-10001\",\"ResultMsg\":\"dup\"}");
    a[2] = answer(HTTP("200 OK", "application/json", "{\"ErrorCode\":-90002,\"ErrorMsg\":\"no\"}"),
                  "{\"ErrorCode\":-90002,\"ErrorMsg\":\"no\"}");
    a[3] = answer(HTTP("200 OK", "text/html", "<html><body>Maintenance</body></html>"),
                  "<html><body>Maintenance</body></html>");
    a[4] = answer(HTTP("500 Internal Server Error", "text/html", "<html>Runtime Error</html>"),
                  "<html>Runtime Error</html>");
    a[5] =
        answer(HTTP("200 OK", "application/json", "{\"ResultCode\":0,\"ResultMsg\":\"SUCCESS\"}"),
               "{\"ResultCode\":0,\"ResultMsg\":\"SUCCESS\"}");
    a[6] = answer(HTTP("404 Not Found", "text/html", "<h1>404</h1>"), "<h1>404</h1>");
    a[7] = answer(HTTP("200 OK", "application/json",
                       "{\"ResultCode\":-10001,\"ResultMsg\":\"bad login sandbox-pass for "
                       "sandbox-user\"}"),
                  "{\"ResultCode\":-10001,\"ResultMsg\":\"bad login sandbox-pass for "
                  "sandbox-user\"}");
    a[8] = answer(HTTP("200 OK", "application/json; charset=utf-8",
                       "\xEF\xBB\xBF{\"ResultCode\":0,\"ResultMsg\":\"BOM\"}"),
                  "\xEF\xBB\xBF{\"ResultCode\":0,\"ResultMsg\":\"BOM\"}");
    stub_start(&st, (const char *const *)a, 9);
    f->stub = st.pid;
    set(f->s, "qapi.url", st.url);
    secret(f->s, "qapi.sak", "S-stub-key");
    q = open_q(f->s, 0, NULL);

    /* ResultCode as a numeric string (reference 1.6) */
    assert_int_equal(call(q, "ItemsBasic.SetNewGoods", p, 3, &res, &e), 0);
    assert_int_equal(res.code, 0);
    assert_string_equal(json_string_value(json_object_get(res.object, "GdNo")), "1100000001");
    qapi_result_free(&res);
    assert_int_equal(call(q, "ItemsBasic.SetNewGoods", p, 3, &res, &e), QS_E_FAIL);
    assert_int_equal(res.code, -10001);
    assert_string_equal(res.msg, "dup");
    qapi_result_free(&res);
    /* the error-only shape */
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), QS_E_FAIL);
    assert_int_equal(res.code, -90002);
    assert_string_equal(res.msg, "no");
    assert_int_equal(res.attempts, 1);
    qapi_result_free(&res);
    /* HTML with 200: refused at once, with a clear message */
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), QS_E_FAIL);
    assert_int_equal(res.cls, QAPI_INVALID);
    assert_int_equal(res.attempts, 1);
    assert_non_null(strstr(e.msg, "not a JSON envelope"));
    assert_non_null(strstr(e.msg, "Maintenance"));
    qapi_result_free(&res);
    /* an HTML 500 page is retried */
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), 0);
    assert_int_equal(res.attempts, 2);
    qapi_result_free(&res);
    /* 404: refused */
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), QS_E_FAIL);
    assert_int_equal(res.http_status, 404);
    assert_non_null(strstr(e.msg, "HTTP 404"));
    qapi_result_free(&res);
    /* a message quoting secrets is redacted everywhere */
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), QS_E_FAIL);
    assert_null(strstr(res.msg, PASSWORD));
    assert_null(strstr(res.msg, USER_ID));
    assert_non_null(strstr(res.msg, "bad login *** for ***"));
    assert_null(strstr(e.msg, PASSWORD));
    qapi_result_free(&res);
    /* JSON after a UTF-8 byte order mark */
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), 0);
    assert_string_equal(res.msg, "BOM");
    qapi_result_free(&res);
    qapi_close(q);
    stub_stop(f, &st);

    /* what went on the wire (reference 1.2, 1.3) */
    reqs = slurp(st.reqs);
    assert_non_null(strstr(reqs, "POST /ItemsBasic.SetNewGoods HTTP/1.1"));
    assert_non_null(strstr(reqs, "GiosisCertificationKey: S-stub-key\r\n"));
    assert_non_null(strstr(reqs, "QAPIVersion: 1.1\r\n"));
    assert_non_null(strstr(reqs, "QAPIVersion: 1.0\r\n"));
    assert_non_null(
        strstr(reqs, "Content-Type: application/x-www-form-urlencoded; charset=UTF-8\r\n"));
    assert_non_null(strstr(reqs, "ItemTitle=%E5%B1%B1%E7%94%B0%20%26%20co%3D1&Empty=&"
                                 "SecondSubCat=320001234&returnType=application%2Fjson"));
    free(reqs);
    for (int i = 0; i < 9; i++)
        free(a[i]);
}

/* --------------------------------------------------------------------- bulk */

struct lines_seen {
    size_t n, next, failed;
    int in_order;
    int codes[2000];
    char msg0[512]; /* line 0's message */
};

static int on_line(size_t index, int code, const char *msg, const json_t *line, void *ctx)
{
    struct lines_seen *ls = ctx;
    (void)line;
    if (index == 0)
        snprintf(ls->msg0, sizeof ls->msg0, "%s", msg ? msg : "");
    if (index != ls->next)
        ls->in_order = 0;
    ls->next = index + 1;
    ls->n++;
    if (index < 2000)
        ls->codes[index] = code;
    if (code != 0)
        ls->failed++;
    return 0;
}

static void bulk_chunks(void **state)
{
    struct fx *f = *state;
    struct qapi *q = open_q(f->s, 0, NULL);
    struct lines_seen ls = {.in_order = 1};
    struct qs_err e;
    json_t *seed = ctl("seed", "{\"generate_orders\": 1201, \"statuses\": [2], \"seed\": 3}");
    json_t *nos = json_object_get(seed, "order_nos");
    json_t *lines = json_array();

    assert_int_equal(json_array_size(nos), 1201);
    for (size_t i = 0; i < 1201; i++) {
        json_t *l = json_object();
        char track[32];
        snprintf(track, sizeof track, "T%zu", i);
        if (i % 100 == 7)
            json_object_set_new(l, "OrderNo", json_string("999")); /* no such order */
        else
            json_object_set_new(l, "OrderNo", json_copy(json_array_get(nos, i)));
        json_object_set_new(l, "ShippingCorp", json_string("Yamato"));
        json_object_set_new(l, "TrackingNo", json_string(track));
        json_array_append_new(lines, l);
    }
    assert_int_equal(qapi_bulk(q, "ShippingBasic.SetSendingInfoBulk", "ShippingInfoJson", lines,
                               NULL, 0, on_line, &ls, &e),
                     0);
    assert_int_equal(calls("ShippingBasic.SetSendingInfoBulk"), 3);
    assert_int_equal(ls.n, 1201);
    assert_true(ls.in_order);
    assert_int_equal(ls.failed, 12);
    for (size_t i = 0; i < 1201; i++)
        if (ls.codes[i] != (i % 100 == 7 ? -10001 : 0))
            fail_msg("line %zu: code %d", i, ls.codes[i]);

    /* {Count, Keys, Values} (SetGoodsPriceQtyBulk) */
    json_t *items = json_pack("[{s:s, s:s}, {s:s, s:s}]", "ItemCode", "1", "Price", "100",
                              "ItemCode", "2", "Price", "200");
    memset(&ls, 0, sizeof ls);
    ls.in_order = 1;
    assert_int_equal(qapi_bulk(q, "ItemsOrder.SetGoodsPriceQtyBulk", "ItemInfoJson", items, NULL, 0,
                               on_line, &ls, &e),
                     0);
    assert_int_equal(ls.n, 2);
    assert_int_equal(ls.codes[0], -10001);
    assert_int_equal(ls.codes[1], -10001);

    /* a chunk refused whole gives each line the chunk's code */
    ctl0("config", "{\"bulk_max\": 100}");
    memset(&ls, 0, sizeof ls);
    ls.in_order = 1;
    assert_int_equal(qapi_bulk(q, "ShippingBasic.SetSendingInfoBulk", "ShippingInfoJson", lines,
                               NULL, 0, on_line, &ls, &e),
                     0);
    assert_int_equal(ls.n, 1201);
    assert_int_equal(ls.codes[0], -2);
    assert_int_equal(ls.codes[1200], -2);
    assert_int_equal(calls("ShippingBasic.SetSendingInfoBulk"), 6);

    json_decref(items);
    json_decref(lines);
    json_decref(seed);
    qapi_close(q);
}

/* R-SYN-9: a bulk line succeeds only when result_cd (else its only code) is 0 and no
 * other code on it disagrees; every other case is failed with a non-zero code -- never 0. */
static void bulk_line_codes(void **state)
{
    static const struct {
        const char *answer; /* the envelope; the chunk has one line */
        int code;
        const char *msg; /* a part of the message */
    } t[] = {
        /* agree */
        {"{\"ResultCode\":0,\"ResultObject\":[{\"result_cd\":0,\"ResultCode\":\"0\","
         "\"ResultMsg\":\"SUCCESS\"}]}",
         0, "SUCCESS"},
        /* only ResultCode on the line (SetGoodsPriceQtyBulk's Values) */
        {"{\"ResultCode\":0,\"ResultObject\":{\"Count\":1,\"Values\":[{\"ResultCode\":0}]}}", 0,
         ""},
        /* result_cd says no, ResultCode yes (fidelity D1) */
        {"{\"ResultCode\":0,\"ResultObject\":[{\"ResultCode\":0,\"result_cd\":-10013}]}", -10013,
         "result_cd -10013, ResultCode 0"},
        /* result_cd yes, ResultCode no: the non-zero one */
        {"{\"ResultCode\":0,\"ResultObject\":[{\"result_cd\":0,\"ResultCode\":-1}]}", -1,
         "result_cd 0, ResultCode -1"},
        /* other casings */
        {"{\"ResultCode\":0,\"ResultObject\":[{\"RESULT_CD\":\"-5\",\"resultcode\":\"0\"}]}", -5,
         "disagree"},
        {"{\"ResultCode\":0,\"ResultObject\":[{\"ResultCd\":0,\"ResultCode\":-7}]}", -7,
         "ResultCd 0, ResultCode -7"},
        /* a code that is not a number */
        {"{\"ResultCode\":0,\"ResultObject\":[{\"result_cd\":\"ok\",\"ResultCode\":0}]}",
         QAPI_CODE_NONE, "result_cd \"ok\" is not a number"},
        /* a code member that is there but empty or null is not a 0 (fuzz finding) */
        {"{\"ResultCode\":0,\"ResultObject\":[{\"ResultCode\":0,\"ResultCd\":\"\"}]}",
         QAPI_CODE_NONE, "ResultCd \"\" is not a number"},
        {"{\"ResultCode\":0,\"ResultObject\":[{\"result_cd\":0,\"ResultCode\":null}]}",
         QAPI_CODE_NONE, "disagree"},
        /* 0 for the call, nothing about the line */
        {"{\"ResultCode\":0,\"ResultMsg\":\"SUCCESS\"}", QAPI_CODE_NONE, "no result for this line"},
        {"{\"ResultCode\":0,\"ResultObject\":[{\"result_cd\":0,\"contr_no\":1},"
         "{\"contr_no\":2}]}",
         QAPI_CODE_NONE, "no result"},
        /* a chunk refused whole: its code for every line */
        {"{\"ResultCode\":-2,\"ResultMsg\":\"too many\"}", -2, "too many"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct qapi_attempt a = {.code = QAPI_CODE_NONE};
        struct qapi_result res = {0};
        struct lines_seen ls = {.in_order = 1};
        json_t *chunk = json_pack("[{s:s}]", "OrderNo", "2");

        qapi_parse_answer(t[i].answer, strlen(t[i].answer), "application/json", &a);
        res.code = a.code;
        res.msg = a.msg;
        res.body = a.body;
        res.object = json_object_get(a.body, "ResultObject");
        ls.codes[0] = 12345;
        assert_int_equal(qapi_bulk_report(NULL, 0, chunk, &res, on_line, &ls), 0);
        assert_int_equal(ls.n, 1);
        if (ls.codes[0] != t[i].code)
            fail_msg("case %zu: code %d, want %d", i, ls.codes[0], t[i].code);
        if (!strstr(ls.msg0, t[i].msg))
            fail_msg("case %zu: message \"%s\", want \"%s\" in it", i, ls.msg0, t[i].msg);
        if (t[i].code != 0 && t[i].code != -2 && !strstr(ls.msg0, "(R-SYN-9)"))
            fail_msg("case %zu: message \"%s\" does not cite R-SYN-9", i, ls.msg0);
        json_decref(chunk);
        qapi_attempt_clear(&a);
    }
}

/* ------------------------------------------------------- rate and reuse */

static void rate_limit(void **state)
{
    struct fx *f = *state;
    struct qapi *q = open_q(f->s, 0, NULL);
    long long t0, ms;

    read_ok(q);
    /* R-SYN-7: 10 calls at 20/s: 9 intervals of 50 ms at least */
    qapi_set_rate(q, 20);
    t0 = now_ms();
    for (int i = 0; i < 10; i++)
        read_ok(q);
    ms = now_ms() - t0;
    if (ms < 430)
        fail_msg("10 calls at 20/s took %lld ms", ms);
    qapi_close(q);

    /* the default, 5/s: 3 calls take 400 ms at least */
    struct qapi *q2 = NULL;
    struct qs_err e;
    assert_int_equal(qapi_open(f->s, "demo", 0, NULL, &q2, &e), 0);
    t0 = now_ms();
    for (int i = 0; i < 3; i++)
        read_ok(q2);
    ms = now_ms() - t0;
    if (ms < 380)
        fail_msg("3 calls at the default 5/s took %lld ms", ms);
    qapi_close(q2);

    /* setting qapi.rate */
    set(f->s, "qapi.rate", "abc");
    assert_int_equal(qapi_open(f->s, "demo", 0, NULL, &q2, &e), QS_E_USAGE);
    assert_non_null(strstr(e.msg, "qapi.rate"));
    assert_null(q2);
}

static void connection_reuse(void **state)
{
    struct fx *f = *state;
    struct qapi *q = open_q(f->s, 0, NULL);
    long req, conn;

    read_ok(q); /* caches the key */
    qapi_close(q);

    q = open_q(f->s, 0, NULL);
    for (int i = 0; i < 20; i++)
        read_ok(q);
    qapi_stats(q, &req, &conn);
    assert_int_equal(req, 20);
    assert_int_equal(conn, 1);
    qapi_close(q);

    q = open_q(f->s, 0, NULL);
    qapi_set_reuse(q, 0);
    for (int i = 0; i < 20; i++)
        read_ok(q);
    qapi_stats(q, &req, &conn);
    assert_int_equal(req, 20);
    assert_int_equal(conn, 20);
    qapi_close(q);
}

/* ------------------------------------------------- R-SYN-7: where secrets may go */

static void url_check_table(void **state)
{
    static const struct {
        const char *url;
        int ok, loopback;
    } t[] = {
        {"https://api.qoo10.jp/GMKT.INC.Front.QAPIService/ebayjapan.qapi", 1, 0},
        {"HTTPS://api.qoo10.jp", 1, 0},
        {"http://127.0.0.1:8080/x", 1, 1},
        {"http://127.5.6.7/x", 1, 1},
        {"http://localhost:9/x", 1, 1},
        {"http://LOCALHOST/x", 1, 1},
        {"http://[::1]:8080/x", 1, 1},
        {"https://127.0.0.1/x", 1, 1},
        /* plain http:// anywhere else sends the key in clear */
        {"http://api.qoo10.jp/x", 0, 0},
        {"http://10.0.0.1/x", 0, 0},
        {"http://128.0.0.1/x", 0, 0},
        {"http://[::2]/x", 0, 0},
        {"http://127.0.0.1.evil.example/", 0, 0},
        {"http://localhost.evil.example/", 0, 0},
        {"http://localhost@evil.example/", 0, 0},
        {"http://127.0.0.1:80@evil.example/", 0, 0},
        {"http://evil.example/127.0.0.1", 0, 0},
        {"http://evil.example/?h=localhost", 0, 0},
        /* not a base URL */
        {"ftp://127.0.0.1/x", 0, 0},
        {"file:///etc/passwd", 0, 0},
        {"127.0.0.1:8080/x", 0, 0},
        {"https://user:pw@api.qoo10.jp/x", 0, 0},
        {"https://api.qoo10.jp/x?y=1", 0, 0},
        {"https://api.qoo10.jp/x#y", 0, 0},
        {"", 0, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct qs_err e;
        int lo = -1, rc;
        err_clear(&e);
        rc = qapi_url_check(t[i].url, &lo, &e);
        if ((rc == 0) != t[i].ok || (rc == 0 && lo != t[i].loopback))
            fail_msg("%s: rc %d loopback %d (want ok %d loopback %d): %s", t[i].url, rc, lo,
                     t[i].ok, t[i].loopback, e.msg);
        if (!t[i].ok)
            assert_int_equal(rc, QS_E_USAGE);
    }
}

static void plain_http_refused(void **state)
{
    struct fx *f = *state;
    struct qapi *q = NULL;
    struct qs_err e;

    /* the setting: refused before any connection, naming the setting and the fix */
    set(f->s, "qapi.url", "http://127.0.0.1.evil.example/GMKT.INC.Front.QAPIService/x");
    assert_int_equal(qapi_open(f->s, "demo", 0, NULL, &q, &e), QS_E_USAGE);
    assert_null(q);
    assert_non_null(strstr(e.msg, "setting qapi.url"));
    assert_non_null(strstr(e.msg, "127.0.0.1.evil.example"));
    assert_non_null(strstr(e.msg, "in clear"));
    assert_non_null(strstr(e.msg, "--set qapi.url=https://"));
    assert_string_equal(e.rule, "R-SYN-7");
    /* the environment, which overrides the setting */
    set(f->s, "qapi.url", sbx.qapi_url);
    setenv("QS_QAPI_URL", "http://localhost@evil.example/x", 1);
    assert_int_equal(qapi_open(f->s, "demo", 1, stdout, &q, &e), QS_E_USAGE);
    unsetenv("QS_QAPI_URL");
    assert_null(q);
    assert_non_null(strstr(e.msg, "QS_QAPI_URL"));
    assert_non_null(strstr(e.msg, "http:// to evil.example would send"));
    assert_null(strstr(e.msg, "localhost@")); /* the host, never the whole URL */
    assert_int_equal(total_calls(), 0);
    /* loopback stays allowed */
    q = open_q(f->s, 0, NULL);
    read_ok(q);
    qapi_close(q);
}

/* R-SYN-7: a redirect is never followed (the key would go where it points). */
static void redirect_not_followed(void **state)
{
    struct fx *f = *state;
    struct stub st;
    struct qapi *q;
    struct qapi_result res;
    struct qs_err e;
    char *a[1], *body = xasprintf("<a href=\"%s/%s\">moved</a>", sbx.qapi_url, READ);
    char *fmt = xasprintf("HTTP/1.1 302 Found\r\nLocation: %s/%s\r\nContent-Type: text/html\r\n"
                          "Connection: close\r\nContent-Length: %%zu\r\n\r\n%s",
                          sbx.qapi_url, READ, body);

    a[0] = answer(fmt, body);
    stub_start(&st, (const char *const *)a, 1);
    f->stub = st.pid;
    set(f->s, "qapi.url", st.url);
    secret(f->s, "qapi.sak", "S-stub-key");
    q = open_q(f->s, 0, NULL);
    qapi_set_retries(q, 0);
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), QS_E_FAIL);
    assert_int_equal(res.http_status, 302);
    assert_int_equal(res.attempts, 1);
    qapi_result_free(&res);
    qapi_close(q);
    stub_stop(f, &st);
    assert_int_equal(total_calls(), 0); /* the sandbox it pointed at saw nothing */
    free(a[0]);
    free(fmt);
    free(body);
}

/* ------------------------------------------------------------------ dry run */

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void dry_run(void **state)
{
    struct fx *f = *state;
    char *out = NULL;
    size_t outlen = 0;
    FILE *mem = open_memstream(&out, &outlen);
    struct qapi *q = open_q(f->s, 1, mem);
    struct qapi_result res;
    struct lines_seen ls = {.in_order = 1};
    struct qs_err e;
    const struct qapi_param p[] = {{"OrderNo", "300000001"},
                                   {"ShippingCorp", "ヤマト宅急便"},
                                   {"TrackingNo", NULL},
                                   {"pwd", "whatever"},
                                   {"Memo", "for " PASSWORD}};
    json_t *lines = json_array(), *j;

    /* a write: printed, not sent */
    assert_int_equal(qapi_call(q, "ShippingBasic.SetSendingInfo", p, 5, "300000001", &res, &e), 0);
    assert_int_equal(res.code, 0);
    assert_null(res.object);
    assert_int_equal(res.attempts, 0);
    qapi_result_free(&res);
    for (int i = 0; i < 1001; i++)
        json_array_append_new(lines, json_pack("{s:s}", "OrderNo", "300000001"));
    assert_int_equal(qapi_bulk(q, "ShippingBasic.SetSendingInfoBulk", "ShippingInfoJson", lines,
                               NULL, 0, on_line, &ls, &e),
                     0);
    assert_int_equal(ls.n, 0);
    assert_int_equal(total_calls(), 0);
    /* a read still goes out */
    read_ok(q);
    assert_int_equal(calls(READ), 1);
    assert_int_equal(calls("ShippingBasic.SetSendingInfo"), 0);
    assert_int_equal(calls("ShippingBasic.SetSendingInfoBulk"), 0);
    qapi_close(q);
    assert_int_equal(fclose(mem), 0);

    assert_int_equal(count_lines(out), 4);
    j = json_loadb(out, strchr(out, '\n') - out, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "method")),
                        "ShippingBasic.SetSendingInfo");
    assert_string_equal(json_string_value(json_object_get(j, "version")), "1.0");
    json_t *params = json_object_get(j, "params");
    assert_string_equal(json_string_value(json_object_get(params, "OrderNo")), "300000001");
    assert_string_equal(json_string_value(json_object_get(params, "ShippingCorp")), "ヤマト宅急便");
    assert_string_equal(json_string_value(json_object_get(params, "TrackingNo")), "");
    assert_string_equal(json_string_value(json_object_get(params, "pwd")), "***");
    /* free text loses only the secret it quotes (issue 8 item 9) */
    assert_string_equal(json_string_value(json_object_get(params, "Memo")), "for ***");
    assert_null(strstr(out, PASSWORD));
    assert_non_null(strstr(out, "\"method\":\"ShippingBasic.SetSendingInfoBulk\""));
    json_decref(j);
    json_decref(lines);
    free(out);
}

/* ------------------------------------------------------- secrets redacted */

static void redaction_edge(void **state)
{
    struct fx *f = *state;
    char *out = NULL;
    size_t outlen = 0;
    FILE *mem = open_memstream(&out, &outlen);
    struct qapi *q;
    struct qapi_result res;
    struct qs_err e;
    const struct qapi_param p[] = {{"Memo", "x pa***word y pa***word."}, {"Other", "plain"}};

    /* a secret that itself contains the mask */
    secret(f->s, "qapi.password", "pa***word");
    q = open_q(f->s, 1, mem);
    assert_int_equal(call(q, "CSCenter.SetInquiryMessage", p, 2, &res, &e), 0);
    qapi_result_free(&res);
    qapi_close(q);
    assert_int_equal(fclose(mem), 0);
    assert_non_null(strstr(out, "\"Memo\":\"x *** y ***.\""));
    assert_non_null(strstr(out, "\"Other\":\"plain\""));
    assert_null(strstr(out, "pa***word"));
    assert_int_equal(total_calls(), 0);
    free(out);
}

/* issue 8 item 9: the marketplace's words are never garbled; a secret is masked only as a
 * whole token, never inside a longer word. */
static void redaction_whole_tokens(void **state)
{
    struct fx *f = *state;
    struct stub st;
    struct qapi *q;
    struct qapi_result res;
    struct qs_err e;
    char *a[2], *audit;
    const char *b0 = "{\"ResultCode\":-10001,\"ResultMsg\":\"Check the API key\"}";
    const char *b1 = "{\"ResultCode\":-10001,\"ResultMsg\":\"bad login sandbox-pass, not "
                     "sandbox-passport nor xsandbox-pass (sandbox-pass)\"}";

    for (int i = 0; i < 2; i++)
        a[i] = xasprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         "Connection: close\r\nContent-Length: %zu\r\n\r\n%s",
                         strlen(i ? b1 : b0), i ? b1 : b0);
    stub_start(&st, (const char *const *)a, 2);
    f->stub = st.pid;
    set(f->s, "qapi.url", st.url); /* loopback: a one-letter key is allowed */
    secret(f->s, "qapi.key", "k");
    secret(f->s, "qapi.sak", "S-stub-key");
    q = open_q(f->s, 0, NULL);
    qapi_set_retries(q, 0);
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), QS_E_FAIL);
    assert_string_equal(res.msg, "Check the API key");
    assert_non_null(strstr(e.msg, "Check the API key"));
    qapi_result_free(&res);
    assert_int_equal(call(q, READ, NULL, 0, &res, &e), QS_E_FAIL);
    assert_string_equal(res.msg, "bad login ***, not sandbox-passport nor xsandbox-pass (***)");
    qapi_result_free(&res);
    qapi_close(q);
    stub_stop(f, &st);
    audit = audit_dump(f->s);
    assert_non_null(strstr(audit, "|Check the API key\n"));
    assert_non_null(strstr(audit, "|bad login ***, not sandbox-passport"));
    free(audit);
    free(a[0]);
    free(a[1]);
}

/* issue 8 item 9: secrets shorter than 8 characters are refused for a real endpoint, before
 * any connection, naming the secret but never its value; loopback (the sandbox) allows them,
 * and what a dry run prints holds none of them. */
static void short_secrets(void **state)
{
    struct fx *f = *state;
    struct qapi *q = NULL;
    struct qapi_result res;
    struct qs_err e;
    char *out = NULL, *audit;
    size_t outlen = 0;
    FILE *mem;
    const struct qapi_param p[] = {{"user_id", "u1"}, {"pwd", "pw1"}, {"OrderNo", "1"}};

    set(f->s, "qapi.url", "https://qapi.invalid/GMKT.INC.Front.QAPIService/ebayjapan.qapi");
    secret(f->s, "qapi.key", "Short1");
    assert_int_equal(qapi_open(f->s, "demo", 0, NULL, &q, &e), QS_E_USAGE);
    assert_null(q);
    assert_non_null(strstr(e.msg, "secret qapi.key is shorter than 8 characters"));
    assert_non_null(strstr(e.msg, "qs init --shop demo --secret qapi.key"));
    assert_null(strstr(e.msg, "Short1"));
    secret(f->s, "qapi.key", API_KEY);
    setenv("QS_QAPI_PASSWORD", "pw1", 1);
    assert_int_equal(qapi_open(f->s, "demo", 0, NULL, &q, &e), QS_E_USAGE);
    unsetenv("QS_QAPI_PASSWORD");
    assert_non_null(strstr(e.msg, "QS_QAPI_PASSWORD is shorter than 8 characters"));
    assert_null(strstr(e.msg, "pw1"));
    /* a short user id is a login name, not a password: allowed */
    secret(f->s, "qapi.user", "u1");
    q = open_q(f->s, 0, NULL);
    qapi_close(q);
    assert_int_equal(total_calls(), 0);

    /* the sandbox is loopback: a seller with short secrets works */
    ctl0("seller", "{\"api_key\": \"k1\", \"user_id\": \"u1\", \"password\": \"pw1\"}");
    set(f->s, "qapi.url", sbx.qapi_url);
    secret(f->s, "qapi.key", "k1");
    secret(f->s, "qapi.password", "pw1");
    mem = open_memstream(&out, &outlen);
    q = open_q(f->s, 1, mem);
    read_ok(q);
    assert_int_equal(call(q, "CertificationAPI.CreateCertificationKey", p, 3, &res, &e), 0);
    qapi_result_free(&res);
    qapi_close(q);
    assert_int_equal(fclose(mem), 0);
    assert_int_equal(calls(READ), 1);
    /* masked by name, whole: nothing of the values shows */
    assert_non_null(strstr(out, "\"user_id\":\"***\",\"pwd\":\"***\",\"OrderNo\":\"1\""));
    audit = audit_dump(f->s);
    assert_null(strstr(audit, "pw1"));
    free(audit);
    free(out);
}

static void secrets_redacted(void **state)
{
    struct fx *f = *state;
    char *out = NULL, *audit, *sak;
    size_t outlen = 0;
    FILE *mem = open_memstream(&out, &outlen);
    struct qapi *q = open_q(f->s, 1, mem);
    struct qapi_result res;
    struct qs_err e;
    const struct qapi_param p[] = {
        {"user_id", USER_ID}, {"pwd", PASSWORD}, {"key", API_KEY}, {"Note", "k=" API_KEY}};
    const struct qapi_param bad[] = {{"OrderNo", "1"}};

    /* a key issued, re-issued after expiry, a refusal, a retry, a dry run with secrets */
    read_ok(q);
    ctl0("expire_keys", "{}");
    read_ok(q);
    ctl0("faults", "{\"fail_next\": 1, \"methods\": [\"" READ "\"]}");
    read_ok(q);
    assert_int_equal(call(q, "ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2", bad, 1, &res, &e),
                     QS_E_FAIL);
    qapi_result_free(&res);
    assert_int_equal(call(q, "CertificationAPI.CreateCertificationKey", p, 4, &res, &e), 0);
    qapi_result_free(&res);
    qapi_close(q);
    assert_int_equal(fclose(mem), 0);

    sak = secret_of(f->s, "qapi.sak");
    assert_non_null(sak);
    audit = audit_dump(f->s);
    /* the audit has what it should: both key requests, the retry, the refusal */
    assert_non_null(strstr(audit, "CertificationAPI.CreateCertificationKey|"));
    assert_non_null(strstr(audit, "|retry|"));
    assert_non_null(strstr(audit, "|auth|-90004|"));
    assert_non_null(strstr(audit, "|failed|"));
    const char *secrets[] = {API_KEY, USER_ID, PASSWORD, sak};
    for (size_t i = 0; i < 4; i++) {
        if (strstr(audit, secrets[i]))
            fail_msg("secret %zu in the audit:\n%s", i, audit);
        if (strstr(out, secrets[i]))
            fail_msg("secret %zu in the dry-run output:\n%s", i, out);
    }
    assert_int_equal(count_lines(out), 1);
    free(audit);
    free(sak);
    free(out);
}

/* SPEC 1.6: a write whose answer is lost after the marketplace acted is not sent again
 * behind our back (libcurl resends on a reused connection found dead). */
static void write_not_resent_by_libcurl(void **state)
{
    struct fx *f = *state;
    struct qapi *q = open_q(f->s, 0, NULL);
    struct qapi_result res;
    struct qs_err e;
    json_t *seed = ctl("seed", "{\"generate_orders\": 1, \"statuses\": [2], \"seed\": 5}");
    char no[32];
    long before;

    snprintf(no, sizeof no, "%" JSON_INTEGER_FORMAT,
             json_integer_value(json_array_get(json_object_get(seed, "order_nos"), 0)));
    if (json_is_string(json_array_get(json_object_get(seed, "order_nos"), 0)))
        snprintf(no, sizeof no, "%s",
                 json_string_value(json_array_get(json_object_get(seed, "order_nos"), 0)));
    json_decref(seed);
    qapi_set_retries(q, 0);
    read_ok(q); /* a kept-alive connection now exists */
    before = calls("ShippingBasic.SetSendingInfo");
    ctl0("faults", "{\"drop_next\": 1, \"phase\": \"after\", \"methods\": [\"SetSendingInfo\"]}");
    {
        const struct qapi_param p[] = {
            {"OrderNo", no}, {"ShippingCorp", "Qxpress"}, {"TrackingNo", "T-LOST-1"}};
        assert_true(qapi_call(q, "ShippingBasic.SetSendingInfo", p, 3, no, &res, &e) < 0);
    }
    assert_int_equal(res.attempts, 1);
    qapi_result_free(&res);
    assert_int_equal(calls("ShippingBasic.SetSendingInfo") - before, 1);
    /* reads still reuse the connection */
    read_ok(q);
    qapi_close(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classify_table),
        cmocka_unit_test(status_labels),
        cmocka_unit_test(versions_and_writes),
        cmocka_unit_test(rows_counted),
        cmocka_unit_test(rows_cap_reached),
        cmocka_unit_test(url_check_table),
        {"R-SYN-9 bulk line codes: result_cd first, disagreeing codes fail", bulk_line_codes, NULL,
         NULL, NULL},
        cmocka_unit_test_setup_teardown(call_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(call_rows_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(auth_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_cached_key_reissued, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_secrets, setup, teardown),
        cmocka_unit_test_setup_teardown(retry_then_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(retry_exhausted, setup, teardown),
        cmocka_unit_test_setup_teardown(write_retried_only_unsent, setup, teardown),
        cmocka_unit_test_setup_teardown(unavailable, setup, teardown),
        cmocka_unit_test_setup_teardown(idle_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(validation_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(error_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(stub_envelopes, setup, teardown),
        cmocka_unit_test_setup_teardown(bulk_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(rate_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(connection_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(write_not_resent_by_libcurl, setup, teardown),
        cmocka_unit_test_setup_teardown(dry_run, setup, teardown),
        cmocka_unit_test_setup_teardown(secrets_redacted, setup, teardown),
        cmocka_unit_test_setup_teardown(redaction_edge, setup, teardown),
        cmocka_unit_test_setup_teardown(redaction_whole_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(short_secrets, setup, teardown),
        cmocka_unit_test_setup_teardown(plain_http_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(redirect_not_followed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, sandbox_start, sandbox_stop);
}

/* qapi-rate: QAPI requests per second against a marketplace (the sandbox, see
 * bench/qapi-rate.sh), with connection reuse and without, in the same run, rate limit
 * off. Prints a table and the ratio.
 *
 * usage: qapi-rate URL [N]    URL = QAPI base URL, N = requests per mode (default 2000)
 * Credentials: QS_QAPI_KEY/QS_QAPI_USER/QS_QAPI_PASSWORD, else the sandbox's defaults.
 * Each run uses a scratch store; its audit rows are committed once per mode, so the
 * figure is the client and HTTP, not one SQLite commit per request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "qapi/qapi.h"
#include "shop.h"
#include "store.h"

#define METHOD "ItemsLookup.GetSellerDeliveryGroupInfo"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

/* Runs n calls on a new client; fills the rate and the connections opened. */
static int run(struct store *s, int reuse, long n, double *rps, long *conns, struct qs_err *e)
{
    struct qapi *q = NULL;
    struct qapi_result res;
    double t0;
    int rc;

    if ((rc = qapi_open(s, "bench", 0, NULL, &q, e)) < 0)
        return rc;
    qapi_set_rate(q, 0);
    qapi_set_reuse(q, reuse);
    if ((rc = store_begin(s, e)) < 0)
        goto out;
    t0 = now_s();
    for (long i = 0; i < n; i++) {
        rc = qapi_call(q, METHOD, NULL, 0, NULL, &res, e);
        qapi_result_free(&res);
        if (rc < 0) {
            store_rollback(s);
            goto out;
        }
    }
    *rps = (double)n / (now_s() - t0);
    if ((rc = store_commit(s, e)) < 0)
        goto out;
    qapi_stats(q, NULL, conns);
out:
    qapi_close(q);
    return rc;
}

int main(int argc, char **argv)
{
    struct store *s = NULL;
    struct qs_err e;
    char dir[] = "/tmp/qs-bench-qapi.XXXXXX", path[64], buf[1200];
    long n = argc > 2 ? atol(argv[2]) : 2000, c_on = 0, c_off = 0;
    double on = 0, off = 0;
    int created, rc;

    if (argc < 2 || n < 1) {
        fprintf(stderr, "usage: qapi-rate URL [N]\n");
        return 64;
    }
    if (!mkdtemp(dir)) {
        perror("qapi-rate: mkdtemp");
        return 74;
    }
    snprintf(path, sizeof path, "%s/qs.db", dir);
    err_clear(&e);
    if ((rc = store_open(path, &s, &e)) < 0 ||
        (rc = shop_add(s, "bench", "Asia/Tokyo", 0, &created, &e)) < 0 ||
        (rc = shop_setting_set(s, "bench", "qapi.url", argv[1], &e)) < 0 ||
        (rc = shop_secret_set(s, "bench", "qapi.key", env_or("QS_QAPI_KEY", "sandbox-api-key"),
                              &e)) < 0 ||
        (rc = shop_secret_set(s, "bench", "qapi.user", env_or("QS_QAPI_USER", "sandbox-user"),
                              &e)) < 0 ||
        (rc = shop_secret_set(s, "bench", "qapi.password",
                              env_or("QS_QAPI_PASSWORD", "sandbox-pass"), &e)) < 0)
        goto out;
    /* a first client gets the seller key, so neither mode pays for it */
    if ((rc = run(s, 1, 1, &on, &c_on, &e)) < 0 || (rc = run(s, 1, n, &on, &c_on, &e)) < 0 ||
        (rc = run(s, 0, n, &off, &c_off, &e)) < 0)
        goto out;
    printf("%-6s %8s %12s %12s\n", "reuse", "requests", "requests/s", "connections");
    printf("%-6s %8ld %12.0f %12ld\n", "on", n, on, c_on);
    printf("%-6s %8ld %12.0f %12ld\n", "off", n, off, c_off);
    printf("ratio on/off: %.2f\n", on / off);
out:
    if (rc < 0)
        fprintf(stderr, "%s\n", err_format(&e, "qapi-rate", buf, sizeof buf));
    store_close(s);
    unlink(path);
    snprintf(buf, sizeof buf, "rm -rf '%s'", dir);
    if (system(buf) != 0)
        rc = rc < 0 ? rc : -74;
    return rc < 0 ? err_exit_code(rc) : 0;
}

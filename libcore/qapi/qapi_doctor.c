/* qapi_doctor: the QAPI's lines of `qs sync doctor` (R-SYN-8) -- the keys present, the
 * marketplace reached, this machine's clock against the answer's Date header, and the
 * seller authorization key's age (it expires a year after issue; warn 30 days before). */
#include <stdlib.h>
#include <string.h>

#include "qapi_int.h"
#include "../doctor.h"
#include "../settings.h"
#include "../tm.h"

#define DAY         86400L
#define SAK_LIFE    (365 * DAY)
#define SAK_WARN    (30 * DAY)
#define SKEW_WARN_S 60  /* a minute: cut-offs and coupon slots are checked to the minute */
#define SKEW_FAIL_S 600 /* ten minutes: times qs writes are visibly wrong */
/* A cheap read every seller may make (no parameters), to reach the marketplace. */
#define PING_METHOD "ItemsLookup.GetSellerDeliveryGroupInfo"

static int keys(struct doctor *d, struct qapi *q, struct qs_err *e)
{
    const struct {
        const char *v, *secret, *env;
    } need[] = {
        {q->key, "qapi.key", "QS_QAPI_KEY"},
        {q->user, "qapi.user", "QS_QAPI_USER"},
        {q->password, "qapi.password", "QS_QAPI_PASSWORD"},
    };
    char missing[160] = "";
    for (size_t i = 0; i < 3; i++)
        if (!need[i].v)
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s (%s)",
                     missing[0] ? ", " : "", need[i].secret, need[i].env);
    if (missing[0])
        return doctor_say(d, DOCTOR_FAIL, "qapi.keys", e,
                          "missing %s: set with `qs init --shop %s --secret NAME` (value on "
                          "stdin) or in the environment",
                          missing, d->shop);
    return doctor_say(d, DOCTOR_OK, "qapi.keys", e, "API key, QSM user and password present");
}

/* The clock: |marketplace's Date - this machine's clock| at the answer. */
static int skew(struct doctor *d, const struct qapi *q, struct qs_err *e)
{
    time_t date = qapi_http_answer_date(q);
    if (!date)
        return doctor_say(d, DOCTOR_WARN, "qapi.clock", e,
                          "not checked: the marketplace's answer carried no Date header");
    long s = (long)(d->clock - date);
    long a = s < 0 ? -s : s;
    const char *dir = s < 0 ? "behind" : "ahead of";
    if (a > SKEW_FAIL_S)
        return doctor_say(d, DOCTOR_FAIL, "qapi.clock", e,
                          "this machine's clock is %ld s %s the marketplace's: set it right "
                          "(NTP) before sending anything timed",
                          a, dir);
    if (a > SKEW_WARN_S)
        return doctor_say(d, DOCTOR_WARN, "qapi.clock", e,
                          "this machine's clock is %ld s %s the marketplace's: turn on NTP", a,
                          dir);
    return doctor_say(d, DOCTOR_OK, "qapi.clock", e, "within %d s of the marketplace's (%ld s)",
                      SKEW_WARN_S, a);
}

static int sak_age(struct doctor *d, struct qs_err *e)
{
    char *issued = NULL, a[32], b[32];
    time_t t;
    int rc;

    if ((rc = settings_string(d->s, d->shop, "qapi.sak_issued", &issued, e)) < 0)
        return rc;
    if (!issued || tm_parse_utc_iso(issued, &t) != 0) {
        rc = doctor_say(d, DOCTOR_WARN, "qapi.sak", e,
                        "no seller authorization key issued yet: the marketplace was not reached");
        goto out;
    }
    tm_format_jst(t, "%Y-%m-%d", a, sizeof a);
    tm_format_jst(t + SAK_LIFE, "%Y-%m-%d", b, sizeof b);
    if (d->now >= t + SAK_LIFE)
        rc = doctor_say(d, DOCTOR_FAIL, "qapi.sak", e,
                        "the seller authorization key issued %s expired on %s: renew the API "
                        "key in QSM and set it with `qs init --shop %s --secret qapi.key`",
                        a, b, d->shop);
    else if (d->now >= t + SAK_LIFE - SAK_WARN)
        rc = doctor_say(d, DOCTOR_WARN, "qapi.sak", e,
                        "the seller authorization key issued %s expires on %s: renew the API "
                        "key in QSM and set it with `qs init --shop %s --secret qapi.key`",
                        a, b, d->shop);
    else
        rc = doctor_say(d, DOCTOR_OK, "qapi.sak", e,
                        "seller authorization key issued %s, valid "
                        "until %s",
                        a, b);
out:
    free(issued);
    return rc;
}

int qapi_doctor(struct doctor *d, struct qs_err *e)
{
    struct qapi *q = NULL;
    struct qapi_result res = {0};
    struct qs_err ce;
    int rc, crc;

    err_clear(&ce);
    if ((crc = qapi_open(d->s, d->shop, 0, NULL, &q, &ce)) < 0) {
        rc = doctor_say(d, DOCTOR_FAIL, "qapi.keys", e, "%s", ce.msg);
        goto out;
    }
    if ((rc = keys(d, q, e)) < 0)
        goto out;
    if (!q->key || !q->user || !q->password) {
        rc = doctor_say(d, DOCTOR_FAIL, "qapi.reach", e, "not tried: the keys are missing");
        goto out;
    }
    qapi_set_retries(q, 0);
    crc = qapi_call(q, PING_METHOD, NULL, 0, NULL, &res, &ce);
    if (crc < 0 && res.cls == QAPI_OK) {
        rc = crc; /* the call worked, its audit row did not: qs's own failure */
        *e = ce;
        goto out;
    }
    if (crc < 0) {
        rc = doctor_say(d, DOCTOR_FAIL, "qapi.reach", e, "%s: %s", qapi_base_url(q), ce.msg);
        if (rc < 0)
            goto out;
    } else if ((rc = doctor_say(d, DOCTOR_OK, "qapi.reach", e, "%s answered in %ld ms",
                                qapi_base_url(q), res.latency_ms)) < 0)
        goto out;
    /* A refusal is an answer too: its Date tells the time. */
    if (res.http_status && (rc = skew(d, q, e)) < 0)
        goto out;
    if (!res.http_status &&
        (rc = doctor_say(d, DOCTOR_WARN, "qapi.clock", e, "not checked: no answer")) < 0)
        goto out;
    rc = sak_age(d, e);
out:
    qapi_result_free(&res);
    qapi_close(q);
    return rc;
}

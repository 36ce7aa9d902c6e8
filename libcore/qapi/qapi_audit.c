/* qapi_audit: the audit row of every attempt (SPEC 1.6: time, kind, key, result code,
 * latency), written while requests are on the wire rather than between them (issue 16:
 * a publish run spent an eighth of its time writing audit rows between two calls).
 *
 * An attempt whose request goes out gets its row, result "sent", during its own flight
 * (qapi_audit_wire, from the client's idle slot); its result, code, latency and message
 * are written into that row during the next request's flight, or when the client is
 * flushed or closed. A process stopped in between (kill -9, a signal) leaves the row
 * "sent": the call is recorded, its answer is not -- before, the whole row was lost when
 * the process died between the send and the answer. An attempt that never got on the
 * wire, or ran inside a caller's transaction, gets its whole row after it, as before. */
#include "qapi_int.h"

#include <stdlib.h>
#include <string.h>

#include "../audit.h"

static void held_free(struct qapi_held *h)
{
    free(h->detail);
    memset(h, 0, sizeof *h);
}

int qapi_audit_flush(struct qapi *q, struct qs_err *e)
{
    int rc = 0;
    size_t i = 0;

    for (; i < q->nheld && rc == 0; i++) {
        const struct qapi_held *h = &q->held[i];
        rc = audit_finish(q->s, h->row, h->result, h->code[0] ? h->code : NULL, h->latency_ms,
                          h->detail, e);
        held_free(&q->held[i]);
    }
    for (; i < q->nheld; i++)
        held_free(&q->held[i]); /* the store failed: the rows stay "sent" */
    q->nheld = 0;
    return rc;
}

void qapi_audit_free(struct qapi *q)
{
    for (size_t i = 0; i < q->nheld; i++)
        held_free(&q->held[i]);
    q->nheld = 0;
}

void qapi_audit_wire(struct qapi *q)
{
    struct qs_err err;

    if (!q->wire_method || q->wire_row || q->audit_rc || !sqlite3_get_autocommit(store_db(q->s)))
        return; /* a caller's rollback would undo the row: written whole after the answer */
    err_clear(&err);
    struct audit_entry ae = {
        .at = time(NULL),
        .shop = q->shop,
        .kind = q->wire_method,
        .key = q->wire_key,
        .attempt = q->wire_attempt,
        .result = "sent",
    };
    /* One transaction for the answers held and this row: a commit is most of a row's cost. */
    if (store_begin(q->s, &err) < 0 || qapi_audit_flush(q, &err) < 0 ||
        audit_add_id(q->s, &ae, &q->wire_row, &err) < 0 || store_commit(q->s, &err) < 0) {
        if (!sqlite3_get_autocommit(store_db(q->s)))
            store_rollback(q->s);
        q->audit_rc = err.code ? err.code : QS_E_SOFTWARE;
        q->audit_err = err;
        q->wire_row = 0;
    }
}

int qapi_audit_attempt(struct qapi *q, const char *method, const char *audit_key, int attempt,
                       const char *result, const struct qapi_attempt *a, struct qs_err *e)
{
    char code[32] = "";
    char *detail = qapi_redact(q, a->code != QAPI_CODE_NONE ? a->msg : a->why);
    int rc = 0;

    if (detail && !*detail) {
        free(detail);
        detail = NULL;
    }
    if (a->code != QAPI_CODE_NONE)
        snprintf(code, sizeof code, "%d", a->code);
    else if (a->http_status)
        snprintf(code, sizeof code, "HTTP %ld", a->http_status);
    if (q->wire_row) {
        struct qapi_held *h;
        if (q->nheld == QAPI_HELD_MAX && (rc = qapi_audit_flush(q, e)) < 0) {
            free(detail);
            return rc;
        }
        h = &q->held[q->nheld++];
        h->row = q->wire_row;
        h->result = result;
        memcpy(h->code, code, sizeof code);
        h->latency_ms = a->latency_ms;
        h->detail = detail;
        q->wire_row = 0;
        return 0;
    }
    struct audit_entry ae = {
        .at = time(NULL),
        .shop = q->shop,
        .kind = method,
        .key = audit_key,
        .attempt = attempt,
        .result = result,
        .code = code[0] ? code : NULL,
        .latency_ms = a->latency_ms,
        .detail = detail,
    };
    rc = audit_add(q->s, &ae, e);
    free(detail);
    return rc;
}

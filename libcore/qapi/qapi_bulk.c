/* qapi_bulk: bulk setters (reference 1.8, 3.3, 3.4, 3.8) -- lines sent in chunks of at
 * most QAPI_BULK_MAX as one JSON-string parameter, the per-line results found in the
 * answer and handed to the caller line by line. */
#include "qapi_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../xalloc.h"

/* A member of o by any of names, case-insensitively (clients and docs disagree on the
 * case: ResultCode, result_cd, contr_no, cont_no). */
static json_t *member(const json_t *o, const char *const *names)
{
    const char *k;
    json_t *v;

    if (!json_is_object(o))
        return NULL;
    for (; *names; names++) {
        json_object_foreach((json_t *)o, k, v)
        {
            if (strcasecmp(k, *names) == 0)
                return v;
        }
    }
    return NULL;
}

/* The names a per-line code goes by. R-SYN-9: result_cd is the one the guide names as the
 * line's outcome (PO: "per-order result is result_cd"); ResultCd is the same name in other
 * clients' casing; the line's ResultCode is only a second opinion. */
static const char *const cd_names[] = {"result_cd", "ResultCd", NULL};
static const char *const code_names[] = {"result_cd", "ResultCd", "ResultCode", NULL};
static const char *const msg_names[] = {"ResultMsg", "result_msg", "ResultMessage", NULL};
/* What a per-line result names its line by, and the input fields that may match it. */
static const char *const id_names[] = {"contr_no", "cont_no",    "OrderNo", "ContrNo",
                                       "ItemCode", "SellerCode", NULL};

static int is_line_result(const json_t *v)
{
    return json_is_object(v) && member(v, code_names) != NULL;
}

static int is_result_array(const json_t *v)
{
    return json_is_array(v) && json_array_size(v) > 0 && is_line_result(json_array_get(v, 0));
}

/* The per-line results in ResultObject: the object itself when it is an array of
 * {ResultCode, ...} (SetSendingInfoBulk, SetSellerCheckYNBulk), else the first member
 * holding such an array ({Count, Keys, Values} of SetGoodsPriceQtyBulk), looking one
 * level further down and inside a ResultObject sent as a JSON string. *owned is set
 * when the returned array must be released. */
static json_t *find_lines(json_t *obj, json_t **owned)
{
    const char *k;
    json_t *v, *w;

    *owned = NULL;
    if (json_is_string(obj)) {
        json_t *parsed = json_loads(json_string_value(obj), 0, NULL);
        if (!parsed)
            return NULL;
        *owned = parsed;
        obj = parsed;
    }
    if (is_result_array(obj))
        return obj;
    if (!json_is_object(obj))
        return NULL;
    json_object_foreach(obj, k, v)
    {
        if (is_result_array(v))
            return v;
    }
    json_object_foreach(obj, k, v)
    {
        const char *k2;
        if (!json_is_object(v))
            continue;
        json_object_foreach(v, k2, w)
        {
            if (is_result_array(w))
                return w;
        }
    }
    return NULL;
}

/* The string form of a scalar, for matching ids ("123" and 123 are the same order). */
static char *scalar(const json_t *v)
{
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    if (json_is_integer(v))
        return xasprintf("%lld", (long long)json_integer_value(v));
    return NULL;
}

/* The result for input line `in` at position i of the chunk: by position when the
 * answer has one result per line, else by an id the two share. */
static json_t *result_for(json_t *results, size_t chunk_n, size_t i, const json_t *in)
{
    size_t nres = results ? json_array_size(results) : 0;
    const json_t *iv = member(in, id_names);
    char *want;
    json_t *hit = NULL;

    if (!nres)
        return NULL;
    if (nres == chunk_n)
        return json_array_get(results, i);
    if (!(want = scalar(iv)))
        return NULL;
    for (size_t j = 0; j < nres && !hit; j++) {
        json_t *r = json_array_get(results, j);
        char *got = scalar(member(r, id_names));
        if (got && strcmp(got, want) == 0)
            hit = r;
        free(got);
    }
    free(want);
    return hit;
}

/* A member that holds no code: only a missing one. R-SYN-9: a code member that is there
 * but null or "" is not a 0 (fuzz finding: {"ResultCode":0,"ResultCd":""} passed as done). */
static int no_code(const json_t *v)
{
    return !v;
}

/* A code's text for a message ("-1", "\"x\""). */
static char *code_text(const json_t *v)
{
    char *s = scalar(v);
    char *out;
    if (s && json_is_integer(v))
        return s;
    out = s ? xasprintf("\"%s\"", s) : xstrdup("(not a scalar)");
    free(s);
    return out;
}

static int name_in(const char *k, const char *const *names)
{
    for (; k && *names; names++)
        if (strcasecmp(k, *names) == 0)
            return 1;
    return 0;
}

/* R-SYN-9: the outcome of one line result r. The line's result_cd (any case, or ResultCd)
 * is its outcome, else its only code; it succeeds only when that is 0 and every other code
 * on the line is 0 too. Codes that disagree, a code that is not a number, or no code at
 * all (when the call's own code is 0) fail the line with a non-zero code: the non-zero one
 * when there is one. Sets *code; returns a malloc'd message saying why, or NULL when the
 * codes agree (the caller takes the line's own message). */
static char *line_code(const json_t *r, int call_code, int *code)
{
    const char *k, *pk = NULL;
    json_t *v, *pref = NULL;
    int val;
    char *a, *b, *m;

    json_object_foreach((json_t *)r, k, v)
    {
        if (!name_in(k, code_names) || no_code(v))
            continue;
        if (!pref || (name_in(k, cd_names) && !name_in(pk, cd_names)))
            pref = v, pk = k;
    }
    if (!pref) {
        *code = call_code != 0 ? call_code : QAPI_CODE_NONE;
        return call_code != 0 ? NULL
                              : xstrdup("the answer has no result code for this line; taken as "
                                        "failed until a read shows the outcome (R-SYN-9)");
    }
    if ((val = qapi_code_of(pref)) == QAPI_CODE_NONE) {
        *code = call_code != 0 ? call_code : QAPI_CODE_NONE;
        a = code_text(pref);
        m = xasprintf("the line's %s %s is not a number; taken as failed until a read shows "
                      "the outcome (R-SYN-9)",
                      pk, a);
        free(a);
        return m;
    }
    json_object_foreach((json_t *)r, k, v)
    {
        int c;
        if (v == pref || !name_in(k, code_names) || no_code(v))
            continue;
        if ((c = qapi_code_of(v)) == val)
            continue;
        *code = val != 0                        ? val
                : c != 0 && c != QAPI_CODE_NONE ? c
                : call_code != 0                ? call_code
                                                : QAPI_CODE_NONE;
        a = code_text(pref);
        b = code_text(v);
        m = xasprintf("the line's codes disagree: %s %s, %s %s; taken as failed until a read "
                      "shows the outcome (R-SYN-9)",
                      pk, a, k, b);
        free(a);
        free(b);
        return m;
    }
    *code = val;
    return NULL;
}

int qapi_bulk_report(struct qapi *q, size_t off, json_t *chunk, const struct qapi_result *res,
                     qapi_line_fn fn, void *ctx)
{
    json_t *owned = NULL;
    json_t *results = find_lines(res->object, &owned);
    size_t n = json_array_size(chunk);
    int rc = 0;

    for (size_t i = 0; i < n && !rc; i++) {
        json_t *r = result_for(results, n, i, json_array_get(chunk, i));
        int code = res->code;
        char *msg = NULL;
        if (r) {
            const json_t *m = member(r, msg_names);
            const char *mt = json_is_string(m) ? json_string_value(m) : NULL;
            char *why = line_code(r, res->code, &code);
            if (why) {
                msg = q ? qapi_redact(q, why) : xstrdup(why);
                free(why);
            } else {
                msg = q ? qapi_redact(q, mt) : (mt ? xstrdup(mt) : NULL);
            }
        } else if (res->code != 0) {
            msg = results ? xasprintf("no result for this line in the answer (%s)",
                                      res->msg ? res->msg : "chunk refused")
                          : (res->msg ? xstrdup(res->msg) : NULL);
        } else {
            /* R-SYN-9: an answer of 0 that says nothing about this line proves nothing */
            code = QAPI_CODE_NONE;
            msg = xstrdup("the answer has no result for this line; taken as failed until a "
                          "read shows the outcome (R-SYN-9)");
        }
        rc = fn(off + i, code, msg, r, ctx);
        free(msg);
    }
    json_decref(owned);
    return rc;
}

int qapi_bulk(struct qapi *q, const char *method, const char *json_param, json_t *lines,
              const struct qapi_param *extra, size_t nextra, qapi_line_fn fn, void *ctx,
              struct qs_err *e)
{
    size_t total = json_array_size(lines);
    struct qapi_param *p = xcalloc(nextra + 1, sizeof *p);
    int rc = 0;

    if (!json_is_array(lines)) {
        free(p);
        return err_set(e, QS_E_SOFTWARE, NULL, "qapi: %s: the lines are not a JSON array", method);
    }
    for (size_t i = 0; i < nextra; i++)
        p[i] = extra[i];
    for (size_t off = 0; off < total && !rc; off += QAPI_BULK_MAX) {
        size_t n = total - off < QAPI_BULK_MAX ? total - off : QAPI_BULK_MAX;
        json_t *chunk = json_array();
        struct qapi_result res;
        char key[64], *text = NULL;

        for (size_t i = 0; chunk && i < n; i++)
            if (json_array_append(chunk, json_array_get(lines, off + i)) != 0)
                break;
        if (!chunk || json_array_size(chunk) != n || !(text = json_dumps(chunk, JSON_COMPACT))) {
            json_decref(chunk);
            rc = err_set(e, QS_E_SOFTWARE, NULL, "qapi: %s: cannot encode lines %zu-%zu", method,
                         off + 1, off + n);
            break;
        }
        p[nextra].name = json_param;
        p[nextra].value = text;
        snprintf(key, sizeof key, "lines %zu-%zu of %zu", off + 1, off + n, total);
        rc = qapi_call(q, method, p, nextra + 1, key, &res, e);
        if (q->dry_run && qapi_is_write(method)) {
            /* printed, not sent: nothing to report */
        } else if (rc == 0 || (rc == QS_E_FAIL && res.cls == QAPI_INVALID && res.body &&
                               res.code != QAPI_CODE_NONE)) {
            /* answered: per-line results, or one code for the whole chunk (-2, -10011) */
            err_clear(e);
            rc = qapi_bulk_report(q, off, chunk, &res, fn, ctx);
        }
        qapi_result_free(&res);
        free(text);
        json_decref(chunk);
    }
    free(p);
    return rc;
}

/* sync_probe: qs sync probe (R-SYN-10) -- settles on a real account what no document pins
 * (shared/reference/qapi-fidelity.md D1, D3, D4, D6, D7, D10): read-only calls, two bulk
 * writes on an order number the marketplace does not know, every exchange kept (secrets
 * and personal data redacted) in a probe file of format "qs-probe/1", and the findings
 * (the settings of the contract rule) computed from the answers. */
#include "sync_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "../shop.h"
#include "../tm.h"
#include "../xalloc.h"

struct probe_req {
    const char *id, *method;
    char version[16];
    struct qapi_param p[4];
    size_t n;
};

struct plan {
    struct probe_req r[P_N];
    char from[16], to[16], claim_from[16];
    char *ship, *confirm; /* the bulk JSON parameters, malloc'd */
};

/* ---- the plan ------------------------------------------------------------------------ */

static void plan_free(struct plan *pl)
{
    free(pl->ship);
    free(pl->confirm);
}

static void req(struct probe_req *r, int i, const char *method, const char *version)
{
    r->id = probe_id[i];
    r->method = method;
    snprintf(r->version, sizeof r->version, "%s", version ? version : qapi_method_version(method));
}

static void param(struct probe_req *r, const char *name, const char *value)
{
    r->p[r->n++] = (struct qapi_param){name, value};
}

static char *bulk_json(json_t *line)
{
    json_t *a = json_array();
    char *s;
    json_array_append_new(a, line);
    s = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(a);
    if (!s) {
        fputs("qs: out of memory\n", stderr);
        exit(70);
    }
    return s;
}

static int plan_build(const struct sync_probe_opts *o, struct plan *pl, struct qs_err *e)
{
    static const char *const open[] = {"0", "", "1", "2", "3"};
    const char *v3 = "ShippingBasic.GetShippingInfo_v3",
               *dg = "ItemsLookup.GetSellerDeliveryGroupInfo",
               *inv = "ItemsOptions.EditGoodsInventory";
    char est[16];

    memset(pl, 0, sizeof *pl);
    if (o->days < 1 || o->days > 90)
        return err_set(e, QS_E_USAGE, PROBE_RULE, "--days %d is not 1 to 90", o->days);
    if (!o->order_no || !*o->order_no || strlen(o->order_no) > 20 ||
        strspn(o->order_no, "0123456789") != strlen(o->order_no))
        return err_set(e, QS_E_USAGE, PROBE_RULE,
                       "--order-no \"%s\" is not an order number (digits)",
                       o->order_no ? o->order_no : "");
    tm_format_jst(o->now - (time_t)o->days * 86400, "%Y%m%d%H%M%S", pl->from, sizeof pl->from);
    tm_format_jst(o->now, "%Y%m%d%H%M%S", pl->to, sizeof pl->to);
    tm_format_jst(o->now - (time_t)CLAIM_DAYS * 86400, "%Y%m%d%H%M%S", pl->claim_from,
                  sizeof pl->claim_from);
    tm_format_jst(o->now + 86400, "%Y%m%d", est, sizeof est); /* tomorrow in Japan */
    pl->ship = bulk_json(json_pack("{s:s, s:s, s:s}", "OrderNo", o->order_no, "ShippingCorp",
                                   PROBE_CARRIER, "TrackingNo", "0"));
    pl->confirm = bulk_json(json_pack("{s:s, s:s, s:s, s:s}", "OrderNo", o->order_no, "EstShipDt",
                                      est, "DelayType", "", "DelayMemo", ""));

    /* R-SYN-10 / D7: open orders by order date, the combined forms and per status. */
    for (int i = 0; i < 5; i++) {
        struct probe_req *r = &pl->r[P_OPEN0 + i];
        req(r, P_OPEN0 + i, v3, NULL);
        param(r, "ShippingStatus", open[i]);
        param(r, "SearchStartDate", pl->from);
        param(r, "SearchEndDate", pl->to);
        param(r, "SearchCondition", "1");
    }
    /* D3: every claim by request date. */
    req(&pl->r[P_CLAIMS], P_CLAIMS, "ShippingBasic.GetClaimInfo_V3", NULL);
    param(&pl->r[P_CLAIMS], "ClaimStat", "");
    param(&pl->r[P_CLAIMS], "search_Sdate", pl->claim_from);
    param(&pl->r[P_CLAIMS], "search_Edate", pl->to);
    param(&pl->r[P_CLAIMS], "search_condition", "2");
    /* D1: the two harmless writes, after checking the order number is unknown. */
    req(&pl->r[P_ORDER], P_ORDER, "ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2", NULL);
    param(&pl->r[P_ORDER], "OrderNo", o->order_no);
    req(&pl->r[P_SHIP], P_SHIP, "ShippingBasic.SetSendingInfoBulk", NULL);
    param(&pl->r[P_SHIP], "ShippingInfoJson", pl->ship);
    req(&pl->r[P_CONFIRM], P_CONFIRM, "ShippingBasic.SetSellerCheckYNBulk", NULL);
    param(&pl->r[P_CONFIRM], "SendPlanDtInfoJson", pl->confirm);
    /* D10: one read with its documented version, then with another. */
    req(&pl->r[P_VDOC], P_VDOC, dg, NULL);
    req(&pl->r[P_VOTHER], P_VOTHER, dg,
        strcmp(qapi_method_version(dg), "1.1") == 0 ? "1.0" : "1.1");
    /* D4: the option row forms, on an item that does not exist. */
    req(&pl->r[P_ITEM], P_ITEM, "ItemsLookup.GetItemDetailInfo", NULL);
    param(&pl->r[P_ITEM], "ItemCode", PROBE_ITEM);
    req(&pl->r[P_INV1], P_INV1, inv, NULL);
    req(&pl->r[P_INV2], P_INV2, inv, NULL);
    for (int i = P_INV1; i <= P_INV2; i++) {
        param(&pl->r[i], "ItemCode", PROBE_ITEM);
        param(&pl->r[i], "SellerCode", PROBE_SELLER);
        param(&pl->r[i], "InventoryInfo", i == P_INV1 ? INV_1AXIS : INV_2AXIS);
    }
    return 0;
}

static json_t *params_json(const struct probe_req *r)
{
    json_t *p = json_object();
    for (size_t i = 0; i < r->n; i++)
        json_object_set_new(p, r->p[i].name, json_string(r->p[i].value ? r->p[i].value : ""));
    return p;
}

int sync_probe_plan(const struct sync_probe_opts *o, json_t **out, struct qs_err *e)
{
    struct plan pl;
    int rc;

    *out = NULL;
    if ((rc = plan_build(o, &pl, e)) < 0)
        return rc;
    *out = json_array();
    for (int i = 0; i < P_N; i++)
        json_array_append_new(*out, json_pack("{s:s, s:s, s:s, s:o}", "probe", pl.r[i].id, "method",
                                              pl.r[i].method, "version", pl.r[i].version, "params",
                                              params_json(&pl.r[i])));
    plan_free(&pl);
    return 0;
}

/* ---- redaction ----------------------------------------------------------------------- */

/* R-SYN-10: a member that holds personal data (or the seller's login) by its name. */
static int personal_name(const char *k)
{
    static const char *const parts[] = {"buyer",  "receiver", "addr", "tel",
                                        "mobile", "email",    "zip",  "cust_nm"};
    static const char *const names[] = {"rcv_name",  "seller_name", "sender",    "sendername",
                                        "sender_nm", "cust_name",   "customer",  "customername",
                                        "name_kana", "sellerid",    "seller_id", "user_id",
                                        "userid",    "pwd",         "password"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (strcasestr(k, parts[i]))
            return 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(k, names[i]) == 0)
            return 1;
    return 0;
}

/* 1 when x is a scalar that holds something (not null, not ""): worth redacting. */
static int filled(const json_t *x)
{
    return !json_is_object(x) && !json_is_array(x) && !json_is_null(x) &&
           !(json_is_string(x) && !*json_string_value(x));
}

/* Replaces every scalar under v that is not null or "" by "<redacted>" (the shape stays).
 * Returns how many. */
static long blank_all(json_t *v)
{
    long n = 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            if (filled(x))
                n += json_object_set_new(v, k, json_string("<redacted>")) == 0;
            else
                n += blank_all(x);
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *x = json_array_get(v, i);
            if (filled(x))
                n += json_array_set_new(v, i, json_string("<redacted>")) == 0;
            else
                n += blank_all(x);
        }
    }
    return n;
}

/* Redacts the personal members found anywhere under v. Returns how many values. */
static long redact_personal(json_t *v)
{
    long n = 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            if (!personal_name(k))
                n += redact_personal(x);
            else if (json_is_object(x) || json_is_array(x))
                n += blank_all(x);
            else if (!json_is_null(x) && !(json_is_string(x) && !*json_string_value(x)))
                n += json_object_set_new(v, k, json_string("<redacted>")) == 0;
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            n += redact_personal(json_array_get(v, i));
    }
    return n;
}

/* The answer as the probe file keeps it (malloc'd): a JSON answer without its personal
 * data (as it came when there was none), plain text as is. Secrets went already
 * (qapi_call_raw). An answer that looks like JSON but does not parse cannot be searched
 * for personal data, so it is not kept. */
static char *answer_text(const char *text)
{
    const char *s = text;
    json_error_t jerr;
    json_t *v;
    char *out;

    if (!s)
        return xstrdup("");
    if (strncmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3;
    s += strspn(s, " \t\r\n");
    if (*s != '{' && *s != '[')
        return xstrdup(text);
    if (!(v = json_loads(s, JSON_DECODE_ANY, &jerr)))
        return xstrdup("<redacted: the answer looks like JSON but does not parse>");
    if (redact_personal(v) == 0) {
        json_decref(v);
        return xstrdup(text);
    }
    out = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    json_decref(v);
    return out ? out : xstrdup("<redacted>");
}

/* ---- running the probes -------------------------------------------------------------- */

static void record(struct sync_probe *p, const struct probe_req *r, long http, const char *text,
                   const char *ctype)
{
    char *ans = http ? answer_text(text) : xstrdup("");
    json_t *x = json_object();

    json_object_set_new(x, "probe", json_string(r->id));
    json_object_set_new(x, "method", json_string(r->method));
    json_object_set_new(x, "version", json_string(r->version));
    json_object_set_new(x, "params", params_json(r));
    json_object_set_new(x, "http_status", json_integer(http));
    json_object_set_new(x, "answer", probe_text_json(ans));
    json_object_set_new(x, "content_type", ctype ? probe_text_json(ctype) : json_null());
    json_array_append_new(p->exchanges, x);
    free(ans);
}

/* Sends probe i and records it. Returns 0 when it was answered (a refusal is an answer),
 * else the client's error: the run stops there. */
static int send_one(struct sync_probe *p, struct qapi *q, const struct probe_req *r, int i,
                    struct qs_err *e)
{
    struct qapi_result res;
    char *text = NULL, *ctype = NULL, key[64];
    int rc;

    snprintf(key, sizeof key, "probe %s", r->id);
    rc = qapi_call_raw(q, r->method, r->version, r->p, r->n, key, &res, &text, &ctype, e);
    if (rc == QS_E_USAGE || rc == QS_E_SOFTWARE)
        goto out; /* nothing was sent: missing secrets, a bug */
    p->sent[i] = 1;
    p->http[i] = res.http_status;
    p->code[i] = res.code;
    p->msg[i] = res.msg ? xstrdup(res.msg) : NULL;
    p->body[i] = res.body ? json_incref(res.body) : NULL;
    if (res.http_status)
        p->answered++;
    record(p, r, res.http_status, text, ctype);
    /* A refusal is what the probe wants to see; no answer, a refused login or a store
     * that cannot take the audit ends the run. */
    if (rc == QS_E_FAIL && res.cls == QAPI_INVALID)
        rc = 0;
out:
    qapi_result_free(&res);
    free(text);
    free(ctype);
    return rc;
}

/* 1 when a lookup by number answered "no such record": ResultCode 0 with no row, or
 * -10001 (the documented not-found code, reference 3.5); anything else may be a record. */
static int unknown_record(const struct sync_probe *p, int i)
{
    json_t *o;
    if (!p->body[i] || p->code[i] == QAPI_CODE_NONE)
        return 0;
    if (p->code[i] == -10001)
        return 1;
    if (p->code[i] != 0)
        return 0;
    o = json_object_get(p->body[i], "ResultObject");
    return !o || json_is_null(o) || (json_is_array(o) && json_array_size(o) == 0);
}

/* ---- the run ------------------------------------------------------------------------- */

int sync_probe_run(struct qapi *q, const struct sync_probe_opts *o, struct sync_probe **out,
                   struct qs_err *e)
{
    struct sync_probe *p;
    struct plan pl;
    struct qs_err refusal;
    char started[32];
    int rc, stop = 0;

    *out = NULL;
    err_clear(&refusal);
    if ((rc = plan_build(o, &pl, e)) < 0)
        return rc;
    p = xcalloc(1, sizeof *p);
    for (int i = 0; i < P_N; i++)
        p->code[i] = QAPI_CODE_NONE;
    p->exchanges = json_array();
    p->findings = json_object();
    p->evidence = json_object();
    p->doc = json_pack("{s:s, s:s, s:s, s:s, s:s}", "format", PROBE_FORMAT, "qs_version",
                       QS_VERSION, "shop", o->shop, "base_url", qapi_base_url(q), "started",
                       tm_utc_iso(o->now, started, sizeof started));

    for (int i = 0; i < P_N && !stop; i++) {
        /* R-SYN-10: the writes only on an order number the marketplace does not know,
         * EditGoodsInventory only on an item it does not know: nothing in the shop changes. */
        if ((i == P_SHIP || i == P_CONFIRM) && !unknown_record(p, P_ORDER))
            continue;
        if ((i == P_INV1 || i == P_INV2) && !unknown_record(p, P_ITEM))
            continue;
        if ((rc = send_one(p, q, &pl.r[i], i, e)) < 0) {
            if (rc == QS_E_USAGE || rc == QS_E_SOFTWARE)
                goto fail;
            stop = 1;
            break;
        }
        if (i == P_ORDER && !unknown_record(p, P_ORDER) && !refusal.code) {
            char why[160];
            probe_answer_desc(p, P_ORDER, why, sizeof why);
            err_set(&refusal, QS_E_FAIL, PROBE_RULE,
                    "order %s: the marketplace did not show it unknown (%s); the two bulk writes "
                    "were not sent: give an order number that does not exist with --order-no",
                    o->order_no, why);
        }
        if (i == P_ITEM && !unknown_record(p, P_ITEM) && !refusal.code) {
            char why[160];
            probe_answer_desc(p, P_ITEM, why, sizeof why);
            err_set(&refusal, QS_E_FAIL, PROBE_RULE,
                    "item %s: the marketplace did not show it unknown (%s); EditGoodsInventory "
                    "was not sent",
                    PROBE_ITEM, why);
        }
    }

    probe_find(p, o, pl.r[P_VDOC].version, pl.r[P_VOTHER].version);
    json_object_set(p->doc, "exchanges", p->exchanges);
    json_object_set(p->doc, "findings", p->findings);
    plan_free(&pl);
    *out = p;
    if (stop)
        return rc;
    if (refusal.code) {
        if (e)
            *e = refusal;
        return refusal.code;
    }
    return 0;
fail:
    plan_free(&pl);
    sync_probe_free(p);
    return rc;
}

long sync_probe_answered(const struct sync_probe *p)
{
    return p ? p->answered : 0;
}

/* Fixed member order: the format's. */
static const char *const finding_names[] = {
    "open_form",       "open_counts",        "largest_window_rows",
    "window_cap",      "claim_status_forms", "claim_status_unparseable",
    "bulk_ship_codes", "bulk_confirm_codes", "version_lenient",
    "inventory_form",
};

int sync_probe_findings(const struct sync_probe *p, sync_probe_finding_fn fn, void *ctx)
{
    int rc;
    for (size_t i = 0; i < sizeof finding_names / sizeof finding_names[0]; i++) {
        const json_t *ev = json_object_get(p->evidence, finding_names[i]);
        if ((rc = fn(finding_names[i], json_object_get(p->findings, finding_names[i]),
                     ev ? json_string_value(ev) : "", ctx)) != 0)
            return rc;
    }
    return 0;
}

/* ---- the probe file ------------------------------------------------------------------ */

char *sync_probe_default_path(const char *shop, time_t now)
{
    char when[32];
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tmv);
    return xasprintf("qs-probe-%s-%s.json", shop, when);
}

int sync_probe_path_free(const char *path, struct qs_err *e)
{
    struct stat st;
    if (lstat(path, &st) == 0 || errno != ENOENT)
        return err_set(e, QS_E_IO, PROBE_RULE,
                       "%s exists; qs never overwrites a probe file: give another -o FILE", path);
    return 0;
}

int sync_probe_write(const struct sync_probe *p, const char *path, struct qs_err *e)
{
    json_t *doc = json_deep_copy(p->doc);
    char *text = NULL;
    size_t len, off = 0;
    int fd = -1, rc = 0;

    /* The format's member order: findings in finding_names order. */
    json_t *f = json_object();
    for (size_t i = 0; i < sizeof finding_names / sizeof finding_names[0]; i++) {
        json_t *v = json_object_get(p->findings, finding_names[i]);
        json_object_set(f, finding_names[i], v ? v : json_null());
    }
    json_object_set_new(doc, "findings", f);
    text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!text)
        return err_set(e, QS_E_SOFTWARE, PROBE_RULE, "cannot build the probe file (out of memory)");
    len = strlen(text);
    /* Never over an existing file (O_EXCL): a probe file is evidence. */
    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        rc = err_set(e, QS_E_IO, PROBE_RULE,
                     errno == EEXIST ? "%s exists; qs never overwrites a probe file: give another "
                                       "-o FILE"
                                     : "cannot create %s: %s",
                     path, strerror(errno));
        goto out;
    }
    text[len++] = '\n'; /* over the NUL: text is written by length */
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = err_set(e, QS_E_IO, PROBE_RULE, "cannot write %s: %s", path, strerror(errno));
            break;
        }
        off += (size_t)w;
    }
    if (close(fd) != 0 && !rc)
        rc = err_set(e, QS_E_IO, PROBE_RULE, "cannot write %s: %s", path, strerror(errno));
    if (rc)
        unlink(path);
out:
    free(text);
    return rc;
}

/* ---- --apply ------------------------------------------------------------------------- */

int sync_probe_apply(struct store *s, const char *shop, const struct sync_probe *p,
                     sync_probe_setting_fn fn, void *ctx, struct qs_err *e)
{
    const json_t *of = json_object_get(p->findings, "open_form");
    const json_t *cap = json_object_get(p->findings, "window_cap");
    const json_t *inv = json_object_get(p->findings, "inventory_form");
    char buf[32];
    int rc;

    if ((rc = store_begin(s, e)) < 0)
        return rc;
    /* R-SYN-10: the findings become settings; a finding that could not tell is not
     * stored (the shop keeps its setting or the safe default). */
    if (json_is_string(of) &&
        (rc = shop_setting_set(s, shop, "sync.open_form", json_string_value(of), e)) < 0)
        goto fail;
    if (json_is_integer(cap)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(cap));
        if ((rc = shop_setting_set(s, shop, "sync.window_cap", buf, e)) < 0)
            goto fail;
    }
    if (json_is_string(inv) &&
        (rc = shop_setting_set(s, shop, "qapi.inventory_form", json_string_value(inv), e)) < 0)
        goto fail;
    if ((rc = store_commit(s, e)) < 0)
        return rc;
    if (json_is_string(of))
        fn("sync.open_form", json_string_value(of), ctx);
    if (json_is_integer(cap))
        fn("sync.window_cap", buf, ctx);
    if (json_is_string(inv))
        fn("qapi.inventory_form", json_string_value(inv), ctx);
    return 0;
fail:
    store_rollback(s);
    return rc;
}

void sync_probe_free(struct sync_probe *p)
{
    if (!p)
        return;
    for (int i = 0; i < P_N; i++) {
        json_decref(p->body[i]);
        free(p->msg[i]);
    }
    json_decref(p->doc);
    json_decref(p->exchanges);
    json_decref(p->findings);
    json_decref(p->evidence);
    free(p);
}

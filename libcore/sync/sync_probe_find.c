/* sync_probe_find: the findings of qs sync probe (R-SYN-10) -- what the answers say about
 * the open-orders form (D7), the row cap (D6), claimStatus (D3), the bulk line codes (D1),
 * QAPIVersion (D10) and EditGoodsInventory's rows (D4). */
#include "sync_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../xalloc.h"

/* ---- shared with sync_probe.c (which calls down into this file, never the reverse) --- */

const char *const probe_id[P_N] = {
    "open-0",        "open-blank",  "open-1",          "open-2",          "open-3",
    "claims",        "order-check", "bulk-ship",       "bulk-confirm",    "version-doc",
    "version-other", "item-check",  "inventory-1axis", "inventory-2axis",
};

json_t *probe_text_json(const char *s)
{
    size_t n = strlen(s), j = 0;
    char *buf = xmalloc(n * 3 + 1);
    json_t *v;

    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        int ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++)
            ok = ((unsigned char)s[i + k] & 0xC0) == 0x80;
        if (ok && len > 1) { /* no overlong forms or surrogates: what jansson checks */
            unsigned long cp = len == 2 ? (c & 0x1Ful) : len == 3 ? (c & 0x0Ful) : (c & 0x07ul);
            for (size_t k = 1; k < len; k++)
                cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3F);
            ok = !(len == 2 && cp < 0x80) && !(len == 3 && cp < 0x800) &&
                 !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) && !(cp >= 0xD800 && cp <= 0xDFFF);
        }
        if (ok) {
            memcpy(buf + j, s + i, len);
            j += len;
            i += len;
        } else {
            memcpy(buf + j, "\xEF\xBF\xBD", 3);
            j += 3;
            i++;
        }
    }
    v = json_stringn(buf, j);
    free(buf);
    return v ? v : json_string("");
}

/* ---- the findings ------------------------------------------------------------------- */

long probe_rows_of(const struct sync_probe *p, int i)
{
    json_t *o;
    if (!p->body[i] || p->code[i] != 0)
        return -1;
    o = json_object_get(p->body[i], "ResultObject");
    return json_is_array(o) ? (long)json_array_size(o) : 0;
}

void probe_answer_desc(const struct sync_probe *p, int i, char *buf, size_t size)
{
    if (!p->sent[i])
        snprintf(buf, size, "not sent");
    else if (!p->http[i])
        snprintf(buf, size, "no answer");
    else if (p->code[i] == QAPI_CODE_NONE)
        snprintf(buf, size, "HTTP %ld, not a QAPI envelope", p->http[i]);
    else
        snprintf(buf, size, "%d \"%.120s\"", p->code[i], p->msg[i] ? p->msg[i] : "");
}

/* ---- findings ------------------------------------------------------------------------ */

static void finding(struct sync_probe *p, const char *name, json_t *value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void finding(struct sync_probe *p, const char *name, json_t *value, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_object_set_new(p->findings, name, value ? value : json_null());
    json_object_set_new(p->evidence, name, probe_text_json(buf));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strs_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* The order numbers of a v3 answer, sorted (a malloc'd array of malloc'd strings). */
static size_t order_nos(const struct sync_probe *p, int i, char ***out)
{
    json_t *o = p->body[i] ? json_object_get(p->body[i], "ResultObject") : NULL;
    size_t n = 0;
    *out = xcalloc(json_array_size(o) + 1, sizeof **out);
    for (size_t k = 0; json_is_array(o) && k < json_array_size(o); k++) {
        json_t *v = json_object_get(json_array_get(o, k), "OrderNo");
        if (json_is_string(v))
            (*out)[n++] = xstrdup(json_string_value(v));
        else if (json_is_integer(v))
            (*out)[n++] = xasprintf("%lld", (long long)json_integer_value(v));
        else if (json_is_real(v))
            (*out)[n++] = xasprintf("%.0f", json_real_value(v));
    }
    qsort(*out, n, sizeof **out, cmp_str);
    return n;
}

/* How many of want (the lines of statuses 1-3) the combined form's answer i holds. */
static size_t covered(const struct sync_probe *p, int i, char **want, size_t nwant)
{
    char **have;
    size_t nhave = order_nos(p, i, &have), hit = 0;
    for (size_t k = 0; k < nwant; k++)
        hit += bsearch(&want[k], have, nhave, sizeof *have, cmp_str) != NULL;
    strs_free(have, nhave);
    return hit;
}

/* D7: does ShippingStatus "0" or "" cover statuses 1-3? */
static void find_open_form(struct sync_probe *p, int days)
{
    static const char *const keys[] = {"0", "", "1", "2", "3"};
    json_t *counts = json_object();
    char **want = NULL, d0[256], db[256], why[160];
    size_t nwant = 0, c0 = 0, cb = 0;
    long r0 = probe_rows_of(p, P_OPEN0), rb = probe_rows_of(p, P_OPENB);

    for (int i = 0; i < 5; i++) {
        long r = probe_rows_of(p, P_OPEN0 + i);
        json_object_set_new(counts, keys[i], r < 0 ? json_null() : json_integer(r));
    }
    for (int i = P_OPEN1; i <= P_OPEN3; i++) {
        if (probe_rows_of(p, i) < 0) {
            probe_answer_desc(p, i, why, sizeof why);
            finding(p, "open_form", NULL, "ShippingStatus \"%s\" got no list: %s; cannot tell",
                    keys[i], why);
            goto out;
        }
    }
    if (probe_rows_of(p, P_OPEN3) == 0) {
        finding(p, "open_form", NULL,
                "ShippingStatus \"3\" returned no rows in the last %d days; cannot tell whether "
                "\"0\" or \"\" covers it",
                days);
        goto out;
    }
    for (int i = P_OPEN1; i <= P_OPEN3; i++) {
        char **v;
        size_t n = order_nos(p, i, &v);
        want = xrealloc(want, (nwant + n + 1) * sizeof *want);
        memcpy(want + nwant, v, n * sizeof *v);
        nwant += n;
        free(v);
    }
    if (r0 >= 0) {
        c0 = covered(p, P_OPEN0, want, nwant);
        snprintf(d0, sizeof d0, "\"0\" holds %zu of the %zu lines of statuses 1-3", c0, nwant);
    } else {
        probe_answer_desc(p, P_OPEN0, why, sizeof why);
        snprintf(d0, sizeof d0, "\"0\" got no list: %s", why);
    }
    if (rb >= 0) {
        cb = covered(p, P_OPENB, want, nwant);
        snprintf(db, sizeof db, "\"\" holds %zu of them", cb);
    } else {
        probe_answer_desc(p, P_OPENB, why, sizeof why);
        snprintf(db, sizeof db, "\"\" got no list: %s", why);
    }
    /* R-SYN-10: the combined form only when it showed every line of 1-3. */
    finding(p, "open_form",
            json_string(r0 >= 0 && c0 == nwant   ? "zero"
                        : rb >= 0 && cb == nwant ? "blank"
                                                 : "per-status"),
            "%s; %s; last %d days", d0, db, days);
out:
    strs_free(want, nwant);
    json_object_set_new(p->findings, "open_counts", counts);
    json_object_set_new(p->evidence, "open_counts",
                        json_string("rows per ShippingStatus, by order date"));
}

/* D6: the most rows one window returned, and the cap to split windows at. */
static void find_windows(struct sync_probe *p, long shop_cap)
{
    static const int wins[] = {P_OPEN0, P_OPENB, P_OPEN1, P_OPEN2, P_OPEN3, P_CLAIMS};
    long most = -1, cap;
    int at = -1;
    char why[160];

    for (size_t k = 0; k < sizeof wins / sizeof wins[0]; k++)
        if (probe_rows_of(p, wins[k]) > most) {
            most = probe_rows_of(p, wins[k]);
            at = wins[k];
        }
    if (most < 0)
        finding(p, "largest_window_rows", NULL, "no window was answered");
    else
        finding(p, "largest_window_rows", json_integer(most), "probe %s", probe_id[at]);
    cap = MIN_CAP;
    if (most > cap)
        cap = most;
    if (shop_cap > cap)
        cap = shop_cap;
    if (shop_cap > 0)
        snprintf(why, sizeof why,
                 "the largest of %d, the largest window and the shop's sync.window_cap %ld",
                 MIN_CAP, shop_cap);
    else
        snprintf(why, sizeof why,
                 "the largest of %d and the largest window (sync.window_cap is unset)", MIN_CAP);
    finding(p, "window_cap", json_integer(cap), "%s", why);
}

/* D3: the forms claimStatus comes in. */
static void find_claims(struct sync_probe *p)
{
    static const char *const forms[] = {"number", "numeric string", "label", "unparseable"};
    json_t *rows = p->body[P_CLAIMS] ? json_object_get(p->body[P_CLAIMS], "ResultObject") : NULL;
    json_t *seen = json_array(), *bad = json_array();
    int has[4] = {0};
    char why[160];

    if (probe_rows_of(p, P_CLAIMS) < 0) {
        probe_answer_desc(p, P_CLAIMS, why, sizeof why);
        finding(p, "claim_status_forms", NULL, "claims: %s", why);
        finding(p, "claim_status_unparseable", NULL, "claims: %s", why);
        json_decref(seen);
        json_decref(bad);
        return;
    }
    for (size_t k = 0; json_is_array(rows) && k < json_array_size(rows); k++) {
        json_t *v = json_object_get(json_array_get(rows, k), "claimStatus");
        const char *s = json_is_string(v) ? json_string_value(v) : NULL;
        int f = 3;
        if (json_is_integer(v))
            f = 0;
        else if (s && *s && strspn(s, " 0123456789") == strlen(s) && qapi_status_code(s) >= 0)
            f = 1;
        else if (s && qapi_status_code(s) >= 0)
            f = 2; /* "Cancel completed(3)" (qapi_status_code) */
        has[f] = 1;
        if (f == 3 && json_array_size(bad) < MAX_EXAMPLES) {
            char *ex = s ? xstrdup(s) : json_dumps(v ? v : json_null(), JSON_ENCODE_ANY);
            int dup = 0;
            for (size_t j = 0; j < json_array_size(bad) && !dup; j++)
                dup = strcmp(json_string_value(json_array_get(bad, j)), ex ? ex : "") == 0;
            if (!dup)
                json_array_append_new(bad, probe_text_json(ex ? ex : ""));
            free(ex);
        }
    }
    for (int f = 0; f < 4; f++)
        if (has[f])
            json_array_append_new(seen, json_string(forms[f]));
    finding(p, "claim_status_forms", seen, "%ld claim rows by request date, last %d days",
            probe_rows_of(p, P_CLAIMS), CLAIM_DAYS);
    finding(p, "claim_status_unparseable", bad, "at most %d distinct examples", MAX_EXAMPLES);
}

/* A per-line code as a JSON integer, read as the client reads it, or NULL. */
static json_t *code_json(const json_t *v)
{
    int c = qapi_code_of(v);
    return c == QAPI_CODE_NONE ? NULL : json_integer(c);
}

/* D1: how the line's result_cd and ResultCode of a bulk write relate. */
static void find_bulk(struct sync_probe *p, int i, const char *name, const char *no)
{
    json_t *o = p->body[i] ? json_object_get(p->body[i], "ResultObject") : NULL;
    json_t *line = json_is_array(o) ? json_array_get(o, 0) : json_is_object(o) ? o : NULL;
    json_t *rcd, *rc, *v;
    char why[200];

    probe_answer_desc(p, i, why, sizeof why);
    if (!p->sent[i]) {
        finding(p, name, NULL, "not sent: order %s was not shown unknown", no);
        return;
    }
    if (!json_is_object(line)) {
        finding(p, name, NULL, "the answer holds no line: %s", why);
        return;
    }
    rcd = code_json(json_object_get(line, "result_cd"));
    rc = code_json(json_object_get(line, "ResultCode"));
    /* D1: a line succeeds only when result_cd is 0 and no other code disagrees. */
    v = json_pack("{s:O, s:O, s:b}", "result_cd", rcd ? rcd : json_null(), "ResultCode",
                  rc ? rc : json_null(), "agree", rcd && rc && json_equal(rcd, rc));
    json_decref(rcd);
    json_decref(rc);
    finding(p, name, v, "order %s; the call answered %s", no, why);
}

/* D10: is another QAPIVersion accepted? */
static void find_version(struct sync_probe *p, const char *doc, const char *other)
{
    char d[160], o[160];
    probe_answer_desc(p, P_VDOC, d, sizeof d);
    probe_answer_desc(p, P_VOTHER, o, sizeof o);
    if (p->code[P_VDOC] != 0 || !p->http[P_VOTHER])
        finding(p, "version_lenient", NULL, "QAPIVersion %s: %s; %s: %s; cannot tell", doc, d,
                other, o);
    else
        finding(p, "version_lenient", json_boolean(p->code[P_VOTHER] == 0),
                "GetSellerDeliveryGroupInfo with QAPIVersion %s: %s; with %s: %s", doc, d, other,
                o);
}

/* EditGoodsInventory's format error (reference: -10002 "Check Inventory Data Format"). */
static int format_error(const struct sync_probe *p, int i)
{
    return p->code[i] == -10002 || (p->msg[i] && strcasestr(p->msg[i], "Inventory Data Format"));
}

/* D4: which InventoryInfo rows EditGoodsInventory takes. Only a refusal tells, on an
 * item that does not exist: two rows answered alike (-10001, say) may only mean the item
 * was looked up before the rows were read, so that is no proof two axes are taken. */
static void find_inventory(struct sync_probe *p)
{
    char a1[160], a2[160];
    const char *form = NULL;
    int f1 = format_error(p, P_INV1), f2 = format_error(p, P_INV2);

    probe_answer_desc(p, P_INV1, a1, sizeof a1);
    probe_answer_desc(p, P_INV2, a2, sizeof a2);
    if (p->code[P_INV1] != QAPI_CODE_NONE && p->code[P_INV2] != QAPI_CODE_NONE && f2 && !f1)
        form = "one-axis";
    finding(p, "inventory_form", form ? json_string(form) : NULL,
            "one-axis row: %s; two-axis row: %s", a1, a2);
}

void probe_find(struct sync_probe *p, const struct sync_probe_opts *o, const char *vdoc,
                const char *vother)
{
    find_open_form(p, o->days);
    find_windows(p, o->window_cap);
    find_claims(p);
    find_bulk(p, P_SHIP, "bulk_ship_codes", o->order_no);
    find_bulk(p, P_CONFIRM, "bulk_confirm_codes", o->order_no);
    find_version(p, vdoc, vother);
    find_inventory(p);
}

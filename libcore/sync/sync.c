/* sync: the pure parts (windows, status names, Japan time), reading QAPI rows, and the
 * window fetcher every pull and every reconciling read goes through (R-SYN-1c). */
#include "sync_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../tm.h"
#include "../xalloc.h"

/* ---- windows ------------------------------------------------------------------------ */

size_t sync_windows(time_t from, time_t to, long max_span, struct sync_window *out, size_t n)
{
    size_t count = 0;
    if (from > to || max_span < 1)
        return 0;
    /* Both ends are included and the limit is on end - start (the sandbox and, as far as
     * the reference knows, Qoo10 refuse only more than 90 days): [t, t + max_span]. */
    for (time_t t = from;; t += (time_t)max_span + 1) {
        time_t end = to - t > (time_t)max_span ? t + (time_t)max_span : to;
        if (count < n)
            out[count] = (struct sync_window){t, end};
        count++;
        if (end >= to)
            break;
    }
    return count;
}

int sync_window_split(const struct sync_window *w, struct sync_window *a, struct sync_window *b)
{
    time_t mid;
    if (w->to <= w->from)
        return -1; /* one second: the QAPI's dates cannot name a smaller window */
    mid = w->from + (w->to - w->from) / 2;
    *a = (struct sync_window){w->from, mid};
    *b = (struct sync_window){mid + 1, w->to};
    return 0;
}

/* ---- names ------------------------------------------------------------------------- */

static const char *const status_names[] = {"",          "unpaid",  "paid",
                                           "confirmed", "shipped", "delivered"};

const char *sync_status_name(int code)
{
    return code >= 1 && code <= 5 ? status_names[code] : "";
}

int sync_status_parse(const char *s)
{
    if (!s)
        return -1;
    for (int i = 1; i <= 5; i++)
        if (strcasecmp(s, status_names[i]) == 0)
            return i;
    if (s[0] >= '1' && s[0] <= '5' && s[1] == '\0')
        return s[0] - '0';
    return -1;
}

int sync_status_mask(const char *list, unsigned allowed, unsigned *mask)
{
    char *copy = xstrdup(list), *save = NULL;
    int ok = 1;
    for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        int c = sync_status_parse(t);
        if (c < 0 || !(allowed & (1u << c)))
            ok = 0;
        else
            *mask |= 1u << c;
    }
    free(copy);
    return ok && *mask ? 0 : -1;
}

const char *sync_claim_name(int code, char *buf, size_t size)
{
    static const struct {
        int code;
        const char *name;
    } names[] = {
        {1, "cancel-requested"},
        {2, "cancelling"},
        {3, "cancelled"},
        {4, "return-requested"},
        {5, "returning"},
        {6, "returned"},
        {11, "exchange-requested"},
        {12, "exchange-approved"},
        {13, "reshipping"},
        {14, "nonreceipt-refunded"},
        {15, "nonreceipt-part-refunded"},
        {16, "unpaid-cancelled"},
    };
    if (code == 0)
        snprintf(buf, size, "%s", "");
    else
        snprintf(buf, size, "claim-%d", code);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].code == code)
            snprintf(buf, size, "%s", names[i].name);
    return buf;
}

char *sync_jst_to_utc(const char *jst, char *buf, size_t size)
{
    time_t t;
    if (size)
        buf[0] = '\0';
    /* Reference 1.5: QAPI dates are Japan time without a zone; empty means none. */
    if (jst && *jst && tm_parse_jst(jst, &t) == 0)
        tm_utc_iso(t, buf, size);
    return buf;
}

/* ---- JSON rows ---------------------------------------------------------------------- */

static char *scalar_text(const json_t *v)
{
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    if (json_is_integer(v))
        return xasprintf("%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return xasprintf("%.15g", json_real_value(v));
    if (json_is_true(v))
        return xstrdup("true");
    if (json_is_false(v))
        return xstrdup("false");
    return NULL;
}

char *sync_jstr(const json_t *row, const char *const *names)
{
    for (; *names; names++) {
        char *s = scalar_text(json_object_get(row, *names));
        if (s && *s)
            return s;
        free(s);
    }
    return xstrdup("");
}

char *sync_jget(const json_t *row, const char *name)
{
    const char *names[] = {name, NULL};
    return sync_jstr(row, names);
}

json_t *sync_rows(json_t *object)
{
    const char *k;
    json_t *v;
    if (json_is_array(object))
        return json_array_size(object) ? object : NULL;
    if (!json_is_object(object))
        return NULL;
    json_object_foreach(object, k, v)
    {
        if (json_is_array(v))
            return json_array_size(v) ? v : NULL;
    }
    return NULL;
}

int sync_order_read(struct qapi *q, const char *order_no, json_t **row, int *answered,
                    struct qs_err *e)
{
    const struct qapi_param prm[] = {{"OrderNo", order_no}};
    struct qapi_result res;
    json_t *rows;
    int rc;

    *row = NULL;
    *answered = 0;
    rc = qapi_call(q, "ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2", prm, 1, order_no, &res,
                   e);
    if (rc == 0) {
        *answered = 1;
        if ((rows = sync_rows(res.object)) != NULL)
            *row = json_incref(json_array_get(rows, 0));
        else if (json_is_object(res.object))
            *row = json_incref(res.object);
    } else if (rc == QS_E_FAIL && res.cls == QAPI_INVALID && res.code != QAPI_CODE_NONE) {
        *answered = 1;
        rc = 0; /* refused with a code: not an order there */
        err_clear(e);
    }
    qapi_result_free(&res);
    return rc;
}

long long sync_num(const char *s)
{
    long long v = 0;
    int neg = 0, any = 0;
    if (!s)
        return 0;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    for (; *s; s++) {
        if (isdigit((unsigned char)*s)) {
            if (v < 922337203685477580LL)
                v = v * 10 + (*s - '0');
            any = 1;
        } else if (*s != ',') {
            break; /* "1980.0": the yen amount ends at the point */
        }
    }
    return any ? (neg ? -v : v) : 0;
}

/* ---- statuses (R-SYN-9) ---------------------------------------------------------------- */

/* A status code from the first present member of names: a JSON integer (or an integral
 * real), or text qapi_status_code reads ("3", "Cancel completed(3)"); -1 else. */
static int status_of(const json_t *row, const char *const *names, char **raw)
{
    const json_t *v = NULL;
    char *text;
    int code = -1;

    for (; *names && !v; names++) {
        v = json_object_get(row, *names);
        if (json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
            v = NULL; /* empty: look further, as sync_jstr does */
    }
    text = v ? scalar_text(v) : NULL;
    if (!text)
        text = xstrdup("");
    if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) < 1000000)
        code = (int)json_integer_value(v);
    else if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) < 1000000 &&
             json_real_value(v) == (double)(int)json_real_value(v))
        code = (int)json_real_value(v);
    else if (json_is_string(v))
        code = qapi_status_code(text);
    if (raw)
        *raw = text;
    else
        free(text);
    return code;
}

int sync_claim_status(const json_t *row, char **raw)
{
    return status_of(row, (const char *const[]){"claimStatus", "ClaimStatus", "ClaimStat", NULL},
                     raw);
}

int sync_shipping_status(const json_t *row, char **raw)
{
    int code = status_of(
        row, (const char *const[]){"ShippingStatus", "shippingStatus", "ShippingStat", NULL}, raw);
    return code >= 1 && code <= 5 ? code : -1;
}

json_t *sync_goods_page(const json_t *object, long *pages)
{
    char *tp = sync_jget(object, "TotalPages");
    json_t *items = json_object_get(object, "Items");
    *pages = (long)sync_num(tp);
    free(tp);
    return json_is_array(items) && json_array_size(items) ? items : NULL;
}

static const char *const open_forms[] = {"per-status", "zero", "blank"};

int sync_open_form_parse(const char *s)
{
    for (int i = 0; s && i < 3; i++)
        if (strcmp(s, open_forms[i]) == 0)
            return i;
    return -1;
}

const char *sync_open_form_name(int f)
{
    return f >= 0 && f < 3 ? open_forms[f] : open_forms[0];
}

/* ---- order rows ----------------------------------------------------------------------- */

/* Names of each field in the three row shapes (reference 3.8, 3.9). */
#define N(...) ((const char *const[]){__VA_ARGS__, NULL})

static void date_field(char dst[32], const json_t *row, const char *const *names)
{
    char *s = sync_jstr(row, names);
    sync_jst_to_utc(s, dst, 32);
    free(s);
}

/* Sets *dst from row when it is empty (fill) or always (!fill). */
static void str_field(char **dst, const json_t *row, const char *const *names, int fill)
{
    char *s;
    if (fill && *dst && **dst)
        return;
    s = sync_jstr(row, names);
    if (fill && !*s) {
        free(s);
        return;
    }
    free(*dst);
    *dst = s;
}

static void num_field(long long *dst, const json_t *row, const char *const *names, int fill)
{
    char *s;
    if (fill && *dst)
        return;
    s = sync_jstr(row, names);
    if (*s)
        *dst = sync_num(s);
    free(s);
}

static void dfield(char dst[32], const json_t *row, const char *const *names, int fill)
{
    if (!fill || !dst[0])
        date_field(dst, row, names);
}

static void order_fields(struct sync_order *o, const json_t *row, int fill)
{
    str_field(&o->order_no, row, N("OrderNo", "orderNo", "contr_no", "ContrNo"), fill);
    str_field(&o->pack_no, row, N("PackNo", "packNo"), fill);
    str_field(&o->item_code, row, N("ItemNo", "itemCode", "ItemCode"), fill);
    str_field(&o->seller_code, row, N("SellerItemCode", "sellerItemCode", "SellerCode"), fill);
    str_field(&o->option_code, row, N("OptionCode", "optionCode"), fill);
    str_field(&o->option_text, row, N("Option", "option"), fill);
    str_field(&o->title, row, N("ItemTitle", "itemTitle"), fill);
    str_field(&o->buyer, row, N("Buyer", "buyer"), fill);
    str_field(&o->buyer_email, row, N("BuyerEmail", "buyerEmail"), fill);
    str_field(&o->buyer_tel, row, N("BuyerMobile", "buyerMobile", "BuyerTel", "buyerTel"), fill);
    str_field(&o->receiver, row, N("Receiver", "receiver"), fill);
    str_field(&o->receiver_tel, row,
              N("ReceiverMobile", "receiverMobile", "ReceiverTel", "receiverTel"), fill);
    str_field(&o->zip, row, N("ZipCode", "zipCode"), fill);
    str_field(&o->address, row, N("ShippingAddress", "shippingAddr"), fill);
    str_field(&o->payment_method, row, N("PaymentMethod", "paymentMethod"), fill);
    str_field(&o->carrier, row, N("DeliveryCompany", "deliveryCompany"), fill);
    str_field(&o->tracking, row, N("TrackingNo", "trackingNo"), fill);
    str_field(&o->related, row, N("RelatedOrder", "relatedOrder"), fill);
    num_field(&o->qty, row, N("OrderQty", "orderQty"), fill);
    num_field(&o->price, row, N("OrderPrice", "orderPrice"), fill);
    num_field(&o->discount, row, N("Discount", "discount"), fill);
    num_field(&o->total, row, N("Total", "paymentAmount"), fill);
    dfield(o->order_date, row, N("OrderDate", "orderDate"), fill);
    dfield(o->paid_date, row, N("PaymentDate", "paymentDate"), fill);
    /* ship_by: the date the seller promised (EstimatedShippingDate, set by confirming),
     * else the marketplace's deadline (AvailableShippingDate). */
    dfield(o->ship_by, row, N("EstimatedShippingDate", "EstShippingDate", "AvailableShippingDate"),
           fill);
    dfield(o->shipped_date, row, N("ShippingDate", "shippingDate"), fill);
    dfield(o->delivered_date, row, N("DeliveredDate", "deliveredDate"), fill);
    if (!fill || !o->status) {
        /* R-SYN-9: a number, a numeric string or a label; 0 when unreadable (the caller
         * decides: the queried status, or a skipped row) */
        int code = sync_shipping_status(row, NULL);
        if (code > 0)
            o->status = code;
    }
}

void sync_order_from_row(struct sync_order *o, const json_t *row)
{
    sync_order_clear(o);
    order_fields(o, row, 0);
    o->raw = sync_json_text(row);
    o->raw_sum = sync_json_sum(row);
}

void sync_order_key(const json_t *row, char **no, int *status, int64_t *sum)
{
    int code = sync_shipping_status(row, NULL);
    *no = sync_jstr(row, N("OrderNo", "orderNo", "contr_no", "ContrNo"));
    *status = code > 0 ? code : 0;
    *sum = sync_json_sum(row);
}

void sync_order_fill(struct sync_order *o, const json_t *row)
{
    order_fields(o, row, 1);
    if (!o->status) {
        /* A line known only from a claim row: the furthest state its dates show. */
        o->status = o->delivered_date[0] ? 5 : o->shipped_date[0] ? 4 : o->paid_date[0] ? 2 : 1;
    }
}

void sync_order_clear(struct sync_order *o)
{
    char **s[] = {&o->order_no,    &o->pack_no,        &o->item_code, &o->seller_code,
                  &o->option_code, &o->option_text,    &o->title,     &o->buyer,
                  &o->buyer_email, &o->buyer_tel,      &o->receiver,  &o->receiver_tel,
                  &o->zip,         &o->address,        &o->carrier,   &o->tracking,
                  &o->related,     &o->payment_method, &o->raw};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        free(*s[i]);
    memset(o, 0, sizeof *o);
}

/* ---- the window fetcher ------------------------------------------------------------- */

/* Reference 3.8 and 3.9: the lookups by status and date window, and their dates. */
#define SHIPPING_Q(st, cond)                                                                       \
    {                                                                                              \
        "ShippingBasic.GetShippingInfo_v3", "ShippingStatus", st, "SearchStartDate",               \
            "SearchEndDate", "SearchCondition", cond                                               \
    }
#define CLAIM_Q(cond)                                                                              \
    {                                                                                              \
        "ShippingBasic.GetClaimInfo_V3", "ClaimStat", "", "search_Sdate", "search_Edate",          \
            "search_condition", cond                                                               \
    }
const struct sync_query SYNC_Q_ORDERS_OPEN = SHIPPING_Q("0", "1");      /* 1-3 by order date */
const struct sync_query SYNC_Q_ORDERS_SHIPPED = SHIPPING_Q("4", "3");   /* by shipping date */
const struct sync_query SYNC_Q_ORDERS_DELIVERED = SHIPPING_Q("5", "4"); /* by delivery date */
const struct sync_query SYNC_Q_CLAIMS_REQUESTED = CLAIM_Q("2");         /* by request date */
const struct sync_query SYNC_Q_CLAIMS_DONE = CLAIM_Q("3");              /* by completion */

static int fetch_one(struct qapi *q, const struct sync_query *qry, const char *status,
                     const struct sync_window *w, long cut, struct qapi_result *res,
                     struct qs_err *e)
{
    char from[32], to[32], key[96];
    tm_format_jst(w->from, "%Y%m%d%H%M%S", from, sizeof from);
    tm_format_jst(w->to, "%Y%m%d%H%M%S", to, sizeof to);
    const struct qapi_param p[] = {
        {qry->status_name, status},
        {qry->start_name, from},
        {qry->end_name, to},
        {qry->cond_name, qry->cond}, /* the last: left out when the method has none */
    };
    if (qry->cond_name)
        snprintf(key, sizeof key, "status %s by %s=%s %s-%s", *status ? status : "all",
                 qry->cond_name, qry->cond, from, to);
    else
        snprintf(key, sizeof key, "status %s %s-%s", *status ? status : "all", from, to);
    return qapi_call_rows(q, qry->method, p, qry->cond_name ? 4 : 3, key, cut, res, e);
}

/* The span (end - start) of a window sized to hold SYNC_FILL_PCT of the cap at rate rows
 * per second, at most limit seconds and 90 days. Splitting a window at the cap refetches
 * its rows; a window sized to the density just seen seldom reaches it. */
static time_t span_for(double rate, long cap, double limit)
{
    double want = limit;
    if (cap > 0 && rate > 0 && (double)cap * SYNC_FILL_PCT / 100 / rate < want)
        want = (double)cap * SYNC_FILL_PCT / 100 / rate;
    if (cap <= 0 || want > (double)SYNC_MAX_WINDOW)
        return SYNC_MAX_WINDOW;
    return want < 1 ? 0 : (time_t)want - 1;
}

int sync_fetch(struct qapi *q, const struct sync_query *qry, const char *status, time_t from,
               time_t to, long cap, const struct sync_plan *plan, sync_window_fn fn, void *ctx,
               struct sync_fetch_stats *st, struct qs_err *e)
{
    /* The first window from the densest window the previous fetches kept, as if 4 times as
     * dense (a run's streams cover the same days, not the same share of the lines: one
     * more small window costs less than one at the cap), else 90 days. */
    time_t t = from, span = st->have_rate ? span_for(4 * st->rate, cap, 4.0 * SYNC_MAX_WINDOW)
                                          : SYNC_MAX_WINDOW;
    int rc = 0, split = 0;
    const long fill = cap > 0 ? (cap * SYNC_FILL_PCT + 99) / 100 : 0;

    if (!status)
        status = qry->status;
    /* Windows in time order, oldest first, so that a stream's mark can follow them. */
    while (t <= to && rc == 0) {
        struct sync_window w = {t, to - t > span ? t + span : to}, a, b;
        struct qapi_result res;
        json_t *rows;
        size_t n;
        time_t end = 0;

        /* Where the store held the stream's lines at the last run, its count sizes the
         * window (a re-run then seldom splits); not right after a split, whose older half
         * comes next. */
        if (plan && fill > 0 && !split) {
            if ((rc = plan->end(plan->ctx, t, fill, &end, e)) < 0)
                break;
            if (end > 0)
                w.to = end < t                      ? t
                       : end - t >= SYNC_MAX_WINDOW ? t + SYNC_MAX_WINDOW - 1
                       : end > to                   ? to
                                                    : end;
        }
        split = 0;
        /* An answer reaching the cap is cut there, unless its window cannot be split. */
        rc = fetch_one(q, qry, status, &w, w.to > w.from ? cap : 0, &res, e);
        if (rc < 0) {
            qapi_result_free(&res);
            break;
        }
        st->calls++;
        rows = sync_rows(res.object);
        n = res.cut > 0 ? (size_t)res.cut : rows ? json_array_size(rows) : 0;
        /* R-SYN-1c: a window whose rows reach the cap may have been cut short: its older
         * half is fetched again (and split again while at the cap); the younger half is
         * covered by the windows that follow. */
        if (cap > 0 && (long)n >= cap && sync_window_split(&w, &a, &b) == 0) {
            st->splits++;
            split = 1;
            span = a.to - a.from;
            qapi_result_free(&res);
            continue;
        }
        if (cap > 0 && (long)n >= cap)
            st->truncated++;
        st->windows++;
        st->rows += (long)n;
        rc = fn(&w, rows, ctx);
        qapi_result_free(&res);
        double rate = (double)n / ((double)(w.to - w.from) + 1);
        /* the densest window of the run that held enough rows to tell, for the first
         * window of the next fetch */
        if ((long)n * 400 >= cap * SYNC_FILL_PCT && rate > st->rate) {
            st->rate = rate;
            st->have_rate = 1;
        }
        /* the next window: at most 4 times this one, so one sparse stretch does not make a
         * window that lands at the cap */
        span = span_for(rate, cap, 4 * ((double)(w.to - w.from) + 1));
        if (w.to >= to)
            break;
        t = w.to + 1;
    }
    return rc;
}

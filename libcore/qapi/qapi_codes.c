/* qapi_codes: the pure parts of the QAPI client -- method versions (reference 3), which
 * methods write, the classification of answers (R-SYN-7, reference 1.7) and status
 * labels (reference 4). */
#include "qapi.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* The method table: QAPIVersion (reference 3; a method not listed sends "1.0"; where
 * the reference saw both 1.0 and 1.1 in use, the later one) and what a method does, which
 * decides how it may travel (issue 16, SPEC 1.6, R-SYN-7):
 *
 *   READ    reads only. Kept connection; when a reused connection turns out dead
 *           before any answer libcurl silently sends it again on a fresh one (lib/
 *           transfer.c Curl_retry_request: nothing received on a reused connection),
 *           which is harmless; the client retries 5xx and timeouts itself.
 *   SET     sets a value (quantity, price, status, tracking number, images): a repeat
 *           sets the same value again, so a repeat is harmless by nature.
 *   CREATE  creates something (a new item, a login key): a repeat makes a second one.
 *
 * Every write (SET and CREATE) goes on the kept connection with the guard of
 * qapi_http.c: libcurl's silent resend is refused (CURLOPT_PREREQFUNCTION aborts a
 * second request within one transfer, so the request leaves at most once per attempt,
 * t0015), and a write whose answer is lost is not retried by the client; only one that
 * never left (the connection failed first) is (R-SYN-7). The doubt goes to the caller's
 * read-before-resend. Writes until 2026-12 went on a fresh connection each instead,
 * which halved the raw rate (bench/batch.sh, bench/qapi-rate.sh); the guard gives the
 * same promise without it. A write not listed is a CREATE: the safe reading. */
static const struct qapi_method_info {
    const char *method, *version;
    enum qapi_kind kind;
} methods[] = {
    {"CertificationAPI.CreateCertificationKey", "1.0", QAPI_KIND_CREATE},
    {"Claim.SetCancelProcess", "1.0", QAPI_KIND_SET},
    {"ItemsBasic.SetNewGoods", "1.1", QAPI_KIND_CREATE},
    {"ItemsBasic.UpdateGoods", "1.1", QAPI_KIND_SET},
    {"ItemsBasic.EditGoodsStatus", "1.1", QAPI_KIND_SET},
    {"ItemsOptions.EditGoodsInventory", "1.1", QAPI_KIND_SET},
    {"ItemsOptions.UpdateInventoryQtyUnit", "1.0", QAPI_KIND_SET},
    {"ItemsContents.EditGoodsImage", "1.1", QAPI_KIND_SET},
    {"ItemsContents.EditGoodsMultiImage", "1.1", QAPI_KIND_SET},
    {"ItemsOrder.SetGoodsPriceQty", "1.0", QAPI_KIND_SET},
    {"ShippingBasic.SetSendingInfo", "1.0", QAPI_KIND_SET},
    {"ShippingBasic.SetSendingInfoBulk", "1.0", QAPI_KIND_SET},
    {"ShippingBasic.SetSellerCheckYN_V2", "1.0", QAPI_KIND_SET},
    {"ShippingBasic.SetSellerCheckYNBulk", "1.0", QAPI_KIND_SET},
    {"ItemsLookup.GetItemDetailInfo", "1.2", QAPI_KIND_READ},
};

static const struct qapi_method_info *method_info(const char *method)
{
    for (size_t i = 0; method && i < sizeof methods / sizeof methods[0]; i++)
        if (strcasecmp(method, methods[i].method) == 0) /* names are case-insensitive */
            return &methods[i];
    return NULL;
}

const char *qapi_method_version(const char *method)
{
    const struct qapi_method_info *m = method_info(method);
    return m ? m->version : "1.0";
}

int qapi_is_write(const char *method)
{
    const char *m = method ? strchr(method, '.') : NULL;
    m = m ? m + 1 : (method ? method : "");
    return strncasecmp(m, "Get", 3) != 0 && strncasecmp(m, "Search", 6) != 0;
}

enum qapi_kind qapi_method_kind(const char *method)
{
    const struct qapi_method_info *m = method_info(method);
    if (!qapi_is_write(method))
        return QAPI_KIND_READ;
    return m ? m->kind : QAPI_KIND_CREATE;
}

/* R-SYN-7: retry 5xx, timeouts and dropped connections, never validation errors. */
enum qapi_class qapi_classify(int curl_code, long http_status, int result_code)
{
    if (curl_code != 0)
        return QAPI_RETRY;
    if (http_status >= 500 || http_status == 429 || http_status == 408)
        return QAPI_RETRY;
    if (http_status != 0 && (http_status < 200 || http_status >= 300))
        return QAPI_INVALID;
    switch (result_code) {
    case 0:
        return QAPI_OK;
    case -10000: /* check the seller authorization key */
    case -90004: /* the key expired */
    case -90005:
        return QAPI_AUTH;
    case -10101: /* processing error */
    case -999:   /* unhandled server error */
        return QAPI_RETRY;
    default:
        return QAPI_INVALID;
    }
}

int qapi_status_code(const char *label)
{
    const char *p, *open;
    int v = 0, digits = 0;

    if (!label)
        return -1;
    open = strrchr(label, '(');
    p = open ? open + 1 : label;
    while (!open && isspace((unsigned char)*p))
        p++;
    for (; isdigit((unsigned char)*p) && digits < 6; p++, digits++)
        v = v * 10 + (*p - '0');
    if (!digits)
        return -1;
    if (open)
        return *p == ')' ? v : -1;
    while (isspace((unsigned char)*p))
        p++;
    return *p ? -1 : v;
}

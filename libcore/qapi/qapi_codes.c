/* qapi_codes: the pure parts of the QAPI client -- method versions (reference 3), which
 * methods write, the classification of answers (R-SYN-7, reference 1.7) and status
 * labels (reference 4). */
#include "qapi.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Reference 3: QAPIVersion per method; every method not listed is "1.0". Where the
 * reference saw both 1.0 and 1.1 in use, the later one is sent. */
static const struct {
    const char *method, *version;
} versions[] = {
    {"ItemsBasic.SetNewGoods", "1.1"},        {"ItemsBasic.UpdateGoods", "1.1"},
    {"ItemsBasic.EditGoodsStatus", "1.1"},    {"ItemsOptions.EditGoodsInventory", "1.1"},
    {"ItemsContents.EditGoodsImage", "1.1"},  {"ItemsContents.EditGoodsMultiImage", "1.1"},
    {"ItemsLookup.GetItemDetailInfo", "1.2"},
};

const char *qapi_method_version(const char *method)
{
    for (size_t i = 0; method && i < sizeof versions / sizeof versions[0]; i++)
        if (strcasecmp(method, versions[i].method) == 0) /* names are case-insensitive */
            return versions[i].version;
    return "1.0";
}

int qapi_is_write(const char *method)
{
    const char *m = method ? strchr(method, '.') : NULL;
    m = m ? m + 1 : (method ? method : "");
    return strncasecmp(m, "Get", 3) != 0 && strncasecmp(m, "Search", 6) != 0;
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

/* coupon.c: qs coupon -- create and push shop coupons.
 * Verbs are registered with their planned usage; each answers --help, and
 * running one that is not built yet says so and exits 64 (no fake output). */
#include "cmd.h"

static const struct qs_verb coupon_verbs[] = {
    {"add", NULL, "add --code C --discount D --from T --to T", "create a shop coupon", 0, NULL},
    {"list", NULL, "list", "list coupons", 0, NULL},
    {"push", NULL, "push COUPON --type ad|comp --at TIME", "schedule a coupon push", 0, NULL},
    {"cancel", NULL, "cancel PUSH", "cancel a scheduled push", 0, NULL},
    {"preview", NULL, "preview PUSH", "write the push mail as an HTML page", 0, NULL},
    {"history", NULL, "history", "pushes and coupon figures", 0, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL},
};

const struct qs_cmd qs_cmd_coupon = {
    "coupon",
    "create and push shop coupons",
    coupon_verbs,
};

/* coupon.c: qs coupon -- create and push shop coupons.
 * Verbs are registered with their planned usage; each answers --help, and
 * running one that is not built yet says so and exits 64 (no fake output). */
#include "cmd.h"

static const struct qs_verb coupon_verbs[] = {
    {.name = "add",
     .usage = "add --code C --discount D --from T --to T",
     .summary = "create a shop coupon"},
    {.name = "list", .usage = "list", .summary = "list coupons"},
    {.name = "push",
     .usage = "push COUPON --type ad|comp --at TIME",
     .summary = "schedule a coupon push"},
    {.name = "cancel", .usage = "cancel PUSH", .summary = "cancel a scheduled push"},
    {.name = "preview", .usage = "preview PUSH", .summary = "write the push mail as an HTML page"},
    {.name = "history", .usage = "history", .summary = "pushes and coupon figures"},
    {.name = NULL},
};

const struct qs_cmd qs_cmd_coupon = {
    "coupon",
    "create and push shop coupons",
    coupon_verbs,
};

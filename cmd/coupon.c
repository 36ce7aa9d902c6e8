/* coupon.c: qs coupon -- create and push shop coupons.
 * Verbs are registered with their planned usage; each answers --help, and
 * running one that is not built yet says so and exits 64 (no fake output). */
#include "cmd.h"

static const struct qs_verb coupon_verbs[] = {
    QS_PLANNED("add", "add --code C --discount D --from T --to T", "create a shop coupon"),
    QS_PLANNED("list", "list", "list coupons"),
    QS_PLANNED("push", "push COUPON --type ad|comp --at TIME", "schedule a coupon push"),
    QS_PLANNED("cancel", "cancel PUSH", "cancel a scheduled push"),
    QS_PLANNED("preview", "preview PUSH", "write the push mail as an HTML page"),
    QS_PLANNED("history", "history", "pushes and coupon figures"),
    {.name = NULL},
};

const struct qs_cmd qs_cmd_coupon =
    QS_COMMAND("coupon", "create and push shop coupons", coupon_verbs);

/* publish.c: qs publish -- schedule, publish and edit listings.
 * Verbs are registered with their planned usage; each answers --help, and
 * running one that is not built yet says so and exits 64 (no fake output). */
#include "cmd.h"

static const struct qs_verb publish_verbs[] = {
    {"list", NULL, "list [--state S] [--group G]", "list products in the qs template", 0, NULL},
    {"now", NULL, "now [SKU...|-]", "publish the selected products now", 0, NULL},
    {"at", NULL, "at TIME [SKU...|-]", "schedule the selected products at one time", 0, NULL},
    {"every", NULL, "every MINUTES --from TIME [SKU...|-]",
     "schedule one product every MINUTES minutes", 0, NULL},
    {"spread", NULL, "spread --from TIME --to TIME [SKU...|-]",
     "spread the selected products evenly over a window", 0, NULL},
    {"cancel", NULL, "cancel [SKU...|-]", "return scheduled products to pending", 0, NULL},
    {"run", NULL, "run", "publish everything due (for cron)", 0, NULL},
    {"edit", NULL, "edit [--price P|+P%|-P%] [--quantity N] [--shipping S] [SKU...|-]",
     "batch-edit prices, quantities, shipping", 0, NULL},
    {"copy", NULL, "copy --suffix S [SKU...|-]", "duplicate products as new pending ones", 0, NULL},
    {"category", NULL, "category GROUP|SKU CODE", "set the Qoo10 leaf category", 0, NULL},
    {"profile", NULL, "profile [NAME] [FIELD=VALUE...]", "show or set a listing profile", 0, NULL},
    {"undo", NULL, "undo BATCH", "restore what a batch changed", 0, NULL},
    {"withdraw", NULL, "withdraw [SKU...|-]", "take online listings offline", 0, NULL},
    {"check", NULL, "check [SKU...|-]",
     "check products against marketplace rules and sensitive words", 0, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL},
};

const struct qs_cmd qs_cmd_publish = {
    "publish",
    "schedule, publish and edit listings",
    publish_verbs,
};

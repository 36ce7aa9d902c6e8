/* inbound.c: qs inbound -- inbound shipments to the warehouse.
 * Verbs are registered with their planned usage; each answers --help, and
 * running one that is not built yet says so and exits 64 (no fake output). */
#include "cmd.h"

static const struct qs_verb inbound_verbs[] = {
    {"add", NULL, "add [FILE|-]", "register inbound requests", 0, NULL},
    {"bundle", NULL, "bundle --arrival DATE [REQUEST...]", "group requests into a cargo bundle", 0,
     NULL},
    {"ship", NULL, "ship BUNDLE --carrier C --tracking T --boxes N", "mark a bundle shipped", 0,
     NULL},
    {"complete", NULL, "complete BUNDLE", "complete a bundle into branch stock", 0, NULL},
    {"list", NULL, "list [--late]", "list bundles", 0, NULL},
    {"order", NULL, "order [FILE|-]", "register shipments for orders from other platforms", 0,
     NULL},
    {NULL, NULL, NULL, NULL, 0, NULL},
};

const struct qs_cmd qs_cmd_inbound = {
    "inbound",
    "inbound shipments to the warehouse",
    inbound_verbs,
};

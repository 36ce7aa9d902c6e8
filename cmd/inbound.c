/* inbound.c: qs inbound -- inbound shipments to the warehouse.
 * Verbs are registered with their planned usage; each answers --help, and
 * running one that is not built yet says so and exits 64 (no fake output). */
#include "cmd.h"

static const struct qs_verb inbound_verbs[] = {
    {.name = "add", .usage = "add [FILE|-]", .summary = "register inbound requests"},
    {.name = "bundle",
     .usage = "bundle --arrival DATE [REQUEST...]",
     .summary = "group requests into a cargo bundle"},
    {.name = "ship",
     .usage = "ship BUNDLE --carrier C --tracking T --boxes N",
     .summary = "mark a bundle shipped"},
    {.name = "complete",
     .usage = "complete BUNDLE",
     .summary = "complete a bundle into branch stock"},
    {.name = "list", .usage = "list [--late]", .summary = "list bundles"},
    {.name = "order",
     .usage = "order [FILE|-]",
     .summary = "register shipments for orders from other platforms"},
    {.name = NULL},
};

const struct qs_cmd qs_cmd_inbound = {
    "inbound",
    "inbound shipments to the warehouse",
    inbound_verbs,
};

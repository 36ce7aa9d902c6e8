/* inbound.c: qs inbound -- inbound shipments to the warehouse.
 * Verbs are registered with their planned usage; each answers --help, and
 * running one that is not built yet says so and exits 64 (no fake output). */
#include "cmd.h"

static const struct qs_verb inbound_verbs[] = {
    QS_PLANNED("add", "add [FILE|-]", "register inbound requests"),
    QS_PLANNED("bundle", "bundle --arrival DATE [REQUEST...]",
               "group requests into a cargo bundle"),
    QS_PLANNED("ship", "ship BUNDLE --carrier C --tracking T --boxes N", "mark a bundle shipped"),
    QS_PLANNED("complete", "complete BUNDLE", "complete a bundle into branch stock"),
    QS_PLANNED("list", "list [--late]", "list bundles"),
    QS_PLANNED("order", "order [FILE|-]", "register shipments for orders from other platforms"),
    {.name = NULL},
};

const struct qs_cmd qs_cmd_inbound =
    QS_COMMAND("inbound", "inbound shipments to the warehouse", inbound_verbs);

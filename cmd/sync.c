/* sync.c: qs sync -- sync orders, products and stock with the marketplace.
 * Verbs are registered with their planned usage; each answers --help, and
 * running one that is not built yet says so and exits 64 (no fake output). */
#include "cmd.h"

static const struct qs_verb sync_verbs[] = {
    {"orders", NULL, "orders [--since T] [--status S]", "pull orders and claims into the store", 0,
     NULL},
    {"products", NULL, "products", "pull online items", 0, NULL},
    {"ship", NULL, "ship [-]", "send carrier and tracking numbers", 0, NULL},
    {"confirm", NULL, "confirm [ORDER...|-]", "confirm orders", 0, NULL},
    {"cancel", NULL, "cancel --reason R [ORDER...|-]", "cancel orders the seller cannot fill", 0,
     NULL},
    {"stock", NULL, "stock", "set marketplace quantities (see qs stock sync)", 0, NULL},
    {"export", NULL, "export goods|inventory", "write files for linked software", 0, NULL},
    {"notify", NULL, "notify", "deliver notification templates for new events", 0, NULL},
    {"doctor", NULL, "doctor", "check the shop's setup", 0, NULL},
    {"log", NULL, "log [--since T]", "print the audit of outside calls", 0, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL},
};

const struct qs_cmd qs_cmd_sync = {
    "sync",
    "sync orders, products and stock with the marketplace",
    sync_verbs,
};

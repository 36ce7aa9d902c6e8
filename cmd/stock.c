/* stock.c: qs stock -- warehouse (QWMS) inventory.
 * Verbs are registered with their planned usage; each answers --help, and
 * running one that is not built yet says so and exits 64 (no fake output). */
#include "cmd.h"

static const struct qs_verb stock_verbs[] = {
    {"item", NULL, "item add|list [FILE|-]", "manage Q-inventory items and options", 0, NULL},
    {"link", NULL, "link [FILE|-]", "link SKUs to marketplace items and options", 0, NULL},
    {"list", NULL, "list", "quantities per SKU", 0, NULL},
    {"alloc", NULL, "alloc [--undo]", "allocate paid orders to branch stock", 0, NULL},
    {"sync", NULL, "sync [--buffer N|P%] [--max N]", "set marketplace quantities from stock", 0,
     NULL},
    {"fees", NULL, "fees --month YYYY-MM [--forecast]", "monthly storage fees", 0, NULL},
    {"labels", NULL, "labels [FILE|-]", "write a printable page of SKU labels", 0, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL},
};

const struct qs_cmd qs_cmd_stock = {
    "stock",
    "warehouse (QWMS) inventory",
    stock_verbs,
};

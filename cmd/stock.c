/* stock.c: qs stock -- warehouse (QWMS) inventory.
 * Verbs are registered with their planned usage; each answers --help, and
 * running one that is not built yet says so and exits 64 (no fake output). */
#include "cmd.h"

static const struct qs_verb stock_verbs[] = {
    {.name = "item",
     .usage = "item add|list [FILE|-]",
     .summary = "manage Q-inventory items and options"},
    {.name = "link",
     .usage = "link [FILE|-]",
     .summary = "link SKUs to marketplace items and options"},
    {.name = "list", .usage = "list", .summary = "quantities per SKU"},
    {.name = "alloc", .usage = "alloc [--undo]", .summary = "allocate paid orders to branch stock"},
    {.name = "sync",
     .usage = "sync [--buffer N|P%] [--max N]",
     .summary = "set marketplace quantities from stock"},
    {.name = "fees",
     .usage = "fees --month YYYY-MM [--forecast]",
     .summary = "monthly storage fees"},
    {.name = "labels",
     .usage = "labels [FILE|-]",
     .summary = "write a printable page of SKU labels"},
    {.name = NULL},
};

const struct qs_cmd qs_cmd_stock = {
    "stock",
    "warehouse (QWMS) inventory",
    stock_verbs,
};

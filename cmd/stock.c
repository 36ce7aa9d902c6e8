/* stock.c: qs stock -- warehouse (QWMS) inventory.
 * Verbs are registered with their planned usage; each answers --help, and
 * running one that is not built yet says so and exits 64 (no fake output). */
#include "cmd.h"

static const struct qs_verb stock_verbs[] = {
    QS_PLANNED("item", "item add|list [FILE|-]", "manage Q-inventory items and options"),
    QS_PLANNED("link", "link [FILE|-]", "link SKUs to marketplace items and options"),
    QS_PLANNED("list", "list", "quantities per SKU"),
    QS_PLANNED("alloc", "alloc [--undo]", "allocate paid orders to branch stock"),
    QS_PLANNED("sync", "sync [--buffer N|P%] [--max N]", "set marketplace quantities from stock"),
    QS_PLANNED("fees", "fees --month YYYY-MM [--forecast]", "monthly storage fees"),
    QS_PLANNED("labels", "labels [FILE|-]", "write a printable page of SKU labels"),
    {.name = NULL},
};

const struct qs_cmd qs_cmd_stock = QS_COMMAND("stock", "warehouse (QWMS) inventory", stock_verbs);

/* import.c: qs import -- bring products, code pools and word lists in from spreadsheets.
 * Verbs are registered with their planned usage; each answers --help, and
 * running one that is not built yet says so and exits 64 (no fake output). */
#include "cmd.h"

static const struct qs_verb import_verbs[] = {
    {"products", NULL,
     "products [--template generic|qoo10|qs] [--update] [--group NAME] [--assign-upc POOL] "
     "[--skip-bad --rejects FILE] [FILE|-]",
     "import a catalog as pending products", 0, NULL},
    {"upc", NULL, "upc --pool NAME --type jan|upc|ean|isbn|other [FILE|-]",
     "add codes to a code pool", 0, NULL},
    {"pools", NULL, "pools", "report code pools: available, used, last import", 0, NULL},
    {"words", NULL, "words FILE", "replace the sensitive word list", 0, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL},
};

const struct qs_cmd qs_cmd_import = {
    "import",
    "bring products, code pools and word lists in from spreadsheets",
    import_verbs,
};

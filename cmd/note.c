/* note.c: qs note -- message buyers: notes, templates, rules, inquiries, delay notices.
 * Verbs are registered with their planned usage; each answers --help, and
 * running one that is not built yet says so and exits 64 (no fake output). */
#include "cmd.h"

static const struct qs_verb note_verbs[] = {
    {"send", NULL, "send [--order NO] [--template NAME] [--title T] [--body B] [-]",
     "send notes to buyers of paid orders", 0, NULL},
    {"template", NULL, "template add|list|show|edit [NAME]", "manage note templates", 0, NULL},
    {"rule", NULL, "rule add|list|enable|disable [NAME]", "manage automatic note rules", 0, NULL},
    {"run", NULL, "run", "fire due note rules (for cron)", 0, NULL},
    {"inbox", NULL, "inbox [--since T]", "list buyer inquiries", 0, NULL},
    {"reply", NULL, "reply INQUIRY TEXT", "answer a buyer inquiry", 0, NULL},
    {"delay", NULL, "delay --ship-by DATE --reason R --memo TEXT [ORDER...|-]",
     "send delay notices with a new ship date", 0, NULL},
    {"blacklist", NULL, "blacklist add|rm|list [BUYER...]", "manage the buyer blacklist", 0, NULL},
    {"customers", NULL, "customers", "customer statistics", 0, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL},
};

const struct qs_cmd qs_cmd_note = {
    "note",
    "message buyers: notes, templates, rules, inquiries, delay notices",
    note_verbs,
};

/* inbound_doctor: the inbound line of `qs sync doctor` (R-SYN-8): bundles arrived and still
 * not completed past the 3 days inspection may take (R-INB-5). */
#include <stdio.h>
#include <string.h>

#include "inbound.h"
#include "../doctor.h"

struct late {
    long n;
    char names[160];
};

static int late_row(void *p, const struct inbound_bundle *b, struct qs_err *e)
{
    struct late *l = p;
    size_t len = strlen(l->names);
    (void)e;
    if (l->n++ < 5)
        snprintf(l->names + len, sizeof l->names - len, "%s%s (arrived %.10s)", len ? ", " : "",
                 b->name, b->arrived_at);
    return 0;
}

int inbound_doctor(struct doctor *d, struct qs_err *e)
{
    struct late l = {0};
    int rc;

    if ((rc = inbound_list(d->s, d->shop, -1, 1, d->now, late_row, &l, e)) < 0)
        return rc;
    if (l.n)
        return doctor_say(d, DOCTOR_WARN, "inbound.late", e,
                          "%ld bundle%s past the 3 days of inspection: %s%s; ask Qxpress, then "
                          "`qs inbound mark BUNDLE completed` (R-INB-5)",
                          l.n, l.n == 1 ? "" : "s", l.names, l.n > 5 ? ", ..." : "");
    return doctor_say(d, DOCTOR_OK, "inbound.late", e, "no bundle late in inspection");
}

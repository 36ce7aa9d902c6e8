/* notify_doctor: the notifications' line of `qs sync doctor` (R-SYN-8) -- when a template
 * is in use and notifications go by smtp (setting deliver.notify, smtp unless set), the
 * mail server's settings smtp.url and smtp.from are present and sane, and the server takes
 * the login (notify_smtp_login: STARTTLS, AUTH, NOOP, QUIT; no mail). */
#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "../doctor.h"
#include "../settings.h"

/* How long the mail server has for the whole login check. */
#define DOCTOR_SMTP_MS 15000L

static int count_used(const struct notify_tmpl *t, void *p)
{
    if (t->use)
        ++*(long *)p;
    return 0;
}

int notify_doctor(struct doctor *d, struct qs_err *e)
{
    struct notify_smtp *m = NULL;
    struct qs_err oe;
    char *spec = NULL, said[512];
    long used = 0;
    int rc;

    if ((rc = notify_tmpl_each(d->s, d->shop, 0, 0, count_used, &used, e)) < 0)
        return rc;
    if (used == 0)
        return doctor_say(d, DOCTOR_OK, "notify.smtp", e, "no notification template in use");
    if ((rc = settings_string(d->s, d->shop, "deliver." NOTIFY_KIND, &spec, e)) < 0)
        return rc;
    if (spec && strcmp(spec, "smtp") != 0) {
        rc = doctor_say(d, DOCTOR_OK, "notify.smtp", e,
                        "%ld template%s in use, delivered by %s (not smtp)", used,
                        used == 1 ? "" : "s", spec);
        goto out;
    }
    err_clear(&oe);
    if (notify_smtp_open(d->s, d->shop, DOCTOR_SMTP_MS, &m, &oe) < 0)
        rc = doctor_say(d, DOCTOR_FAIL, "notify.smtp", e, "%ld template%s in use: %s", used,
                        used == 1 ? "" : "s", oe.msg);
    else if (notify_smtp_login(m, said, sizeof said, &oe) < 0)
        rc = doctor_say(d, DOCTOR_FAIL, "notify.smtp", e, "%ld template%s in use: %s", used,
                        used == 1 ? "" : "s", oe.msg);
    else
        rc = doctor_say(d, DOCTOR_OK, "notify.smtp", e, "%ld template%s in use; %s", used,
                        used == 1 ? "" : "s", said);
out:
    notify_smtp_close(m);
    free(spec);
    return rc;
}

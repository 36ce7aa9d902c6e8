/* doctor: R-SYN-8, `qs sync doctor` -- the list of every module's checks, in the order
 * they print. The rules live in the modules; this file owns none. */
#include "doctor.h"

static const doctor_check_fn checks[] = {
    qapi_doctor,  deliver_doctor, notify_doctor, outbox_doctor,
    stock_doctor, inbound_doctor, coupon_doctor,
};

int doctor_run(struct doctor *d, struct qs_err *e)
{
    int rc;

    d->worst = DOCTOR_OK;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if ((rc = checks[i](d, e)) < 0)
            return rc;
    return 0;
}

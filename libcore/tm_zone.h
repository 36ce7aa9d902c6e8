/* tm_zone: what tm.c takes from tm_zone.c, below it -- a zone's TZif file located and
 * checked, and the zone put in force for one call through TZ. Not a public API (tm.h has
 * the handle's public part). */
#ifndef QS_TM_ZONE_H
#define QS_TM_ZONE_H

#include <time.h>

#include "tm.h"

/* The caller's TZ, kept while a zone is in force. */
struct tm_zone_scope {
    char *saved; /* malloc'd copy of the caller's TZ, NULL when it was unset */
};

/* Puts zone tz in force (the process's TZ); returns 0, or -1 (nothing changed) when tz is
 * unknown. tm_zone_leave restores the caller's TZ. */
int tm_zone_enter(struct tm_zone_scope *sc, const char *tz);
void tm_zone_leave(struct tm_zone_scope *sc);
/* localtime_r of t in zone z: from z's own table when it settles t, else with the zone put
 * in force for the call (the TZ path every instant took before handles existed). Returns
 * 0, or -1 when t cannot be converted. */
int tm_zone_local(const struct tm_zone *z, time_t t, struct tm *out);

#endif

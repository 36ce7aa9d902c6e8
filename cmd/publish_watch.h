/* publish_watch.h: qs publish watch (publish_watch.c), listed in publish.c's verb table. */
#ifndef QS_CMD_PUBLISH_WATCH_H
#define QS_CMD_PUBLISH_WATCH_H

#include "cmd.h"

extern const struct qs_opt publish_watch_opts[];
int cmd_publish_watch(struct qs_ctx *ctx, const struct qs_verb *v, int argc, char **argv);

#endif

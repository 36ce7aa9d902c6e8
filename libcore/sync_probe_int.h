/* sync_probe_int.h: what the parts of qs sync probe (R-SYN-10) share -- sync_probe.c (the
 * plan, the run, the probe file, --apply) and sync_probe_find.c (the findings). */
#ifndef QS_SYNC_PROBE_INT_H
#define QS_SYNC_PROBE_INT_H

#include <jansson.h>

#include "sync.h"

#define RULE          "R-SYN-10"
#define PROBE_FORMAT  "qs-probe/1"
#define MIN_CAP       200 /* the default window cap of the contract rule */
#define CLAIM_DAYS    90
#define MAX_EXAMPLES  10
#define PROBE_CARRIER "ヤマト宅急便"
#define PROBE_ITEM    "1"
#define PROBE_SELLER  "qs-probe-none"
#define INV_1AXIS     "Color||*Red||*0||*0||*qs-probe"
#define INV_2AXIS     "Color||*Red||*Size||*L||*0||*0||*qs-probe"

/* The probes, in the order sent (the man page's PROBES section names them). */
enum {
    P_OPEN0,
    P_OPENB,
    P_OPEN1,
    P_OPEN2,
    P_OPEN3,
    P_CLAIMS,
    P_ORDER,
    P_SHIP,
    P_CONFIRM,
    P_VDOC,
    P_VOTHER,
    P_ITEM,
    P_INV1,
    P_INV2,
    P_N
};

struct sync_probe {
    json_t *doc, *exchanges, *findings, *evidence;
    json_t *body[P_N]; /* the parsed answer of each probe sent, unredacted; NULL if none */
    int code[P_N];     /* its ResultCode or ErrorCode, QAPI_CODE_NONE when none */
    long http[P_N];    /* 0: not sent or no answer */
    int sent[P_N];
    char *msg[P_N]; /* ResultMsg, redacted by the client */
    long answered;
};

/* The probe ids, by P_* (the man page's PROBES section names them). This and
 * probe_text_json live in sync_probe_find.c, below sync_probe.c. */
extern const char *const probe_id[P_N];

/* A JSON string of s with invalid UTF-8 replaced by U+FFFD (an answer may be anything). */
json_t *probe_text_json(const char *s);
/* The rows of an answered list lookup; -1 when it was refused or not answered. */
long probe_rows_of(const struct sync_probe *p, int i);
/* A short account of probe i's answer for messages: `-10001 "..."`, "plain text", ... */
void probe_answer_desc(const struct sync_probe *p, int i, char *buf, size_t size);
/* Computes every finding of the probe file from the answers (o: the run's options; vdoc,
 * vother: the two QAPIVersions of the version probes). */
void probe_find(struct sync_probe *p, const struct sync_probe_opts *o, const char *vdoc,
                const char *vother);

#endif

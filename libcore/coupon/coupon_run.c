/* coupon_run: the hand-off of pushes and cancels through the coupon delivery (SPEC 1.6,
 * 1.7): what is queued is re-checked against the rules that depend on when it reaches QSM
 * (R-CPN-4: the send date must still be a day ahead; R-CPN-8: the banner unchanged; R-CPN-6:
 * a cancel before its deadline), then handed to deliver_run, kind coupon then kind
 * coupon-cancel; the pushes' states follow their outbox items (coupon_push_settle). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coupon_int.h"
#include "../deliver/deliver.h"
#include "../sha256.h"
#include "../tm.h"
#include "../xalloc.h"

/* The payload fields a file: hand-off lists per push on its checklist: the QSM form's
 * values, in the form's order. */
static const char *const push_columns[] = {
    "type",       "coupon_no", "coupon_name", "discount",   "send_date",   "send_time",
    "apply_by",   "items",     "top",         "item_codes", "fans",        "fans_since",
    "fans_until", "orders",    "banner_file", "link",       "link_target", "estimate",
};
static const char *const cancel_columns[] = {"push_key",  "coupon_no",    "send_date",
                                             "send_time", "deadline_jst", "where"};

static void row_add(struct coupon_run *r, const char *kind, const char *key, enum deliver_status st,
                    const char *ref, const char *msg)
{
    static const char *const words[] = {[DELIVER_NONE] = "retry",
                                        [DELIVER_OK] = "ok",
                                        [DELIVER_RETRY] = "retry",
                                        [DELIVER_FAILED] = "failed",
                                        [DELIVER_HANDED_OFF] = "handed-off"};
    r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
    r->v[r->n++] = (struct coupon_run_row){
        .kind = xstrdup(kind),
        .key = xstrdup(key),
        .result = words[st],
        .status = st,
        .ref = xstrdup(ref ? ref : ""),
        .message = xstrdup(msg ? msg : ""),
    };
}

void coupon_run_clear(struct coupon_run *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].kind);
        free(r->v[i].key);
        free(r->v[i].ref);
        free(r->v[i].message);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

struct ctx {
    struct coupon_run *out;
    const char *kind;
};

static void on_result(const struct outbox_item *it, enum deliver_status st, const char *ref,
                      const char *error, void *p)
{
    struct ctx *c = p;
    row_add(c->out, c->kind, it->key, st, ref, error);
}

/* ---- re-checks before the hand-off ---- */

/* 1 when the banner file still hashes to sha. */
static int banner_same(const char *path, const char *sha)
{
    unsigned char buf[65536], d[32];
    char hex[65];
    struct sha256 c;
    size_t n;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    sha256_init(&c);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&c, buf, n);
    fclose(f);
    sha256_final(&c, d);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return strcmp(hex, sha) == 0;
}

static int state_row(sqlite3_stmt *st, void *p)
{
    snprintf(p, 32, "%s", store_col_text(st, 0));
    return 1;
}

/* Why item it may not reach QSM now (into why), or "" when it may. */
static int why_not(struct store *s, const struct outbox_item *it, time_t now, char *why,
                   size_t size, struct qs_err *e)
{
    char state[32] = "";
    int rc;
    json_t *pl = json_loads(it->payload ? it->payload : "{}", 0, NULL);
    const char *send = json_string_value(json_object_get(pl, "send_at"));
    const char *dl = json_string_value(json_object_get(pl, "deadline"));
    const char *banner = json_string_value(json_object_get(pl, "banner_file"));
    const char *sha = json_string_value(json_object_get(pl, "banner_sha256"));
    char allowed[160], when[32];
    time_t at;

    why[0] = '\0';
    /* A push cancelled before its hand-off stays withdrawn, --retry-failed or not. */
    if (strcmp(it->kind, COUPON_KIND) == 0 &&
        (rc = store_each(s, "SELECT state FROM coupon_push WHERE shop = ?1 AND key = ?2", state_row,
                         state, e, "ss", it->shop, it->key)) < 0) {
        json_decref(pl);
        return rc;
    }
    if (strcmp(state, "cancelled") == 0)
        snprintf(why, size, "the push was cancelled before its hand-off (R-CPN-6)");
    else if (strcmp(it->kind, COUPON_CANCEL_KIND) == 0) {
        /* R-CPN-6: QSM cancels until 24 hours before the send time. */
        if (dl && tm_parse_utc_iso(dl, &at) == 0 && now > at)
            snprintf(why, size,
                     "the cancel's deadline %s (Asia/Tokyo, 24 hours before the send time) has "
                     "passed (R-CPN-6)",
                     coupon_jst_format(at, when, sizeof when));
    } else if (send && tm_parse_utc_iso(send, &at) == 0 && now > coupon_apply_by(at)) {
        /* R-CPN-4: the dates count from when the push reaches QSM: past the apply-by time
         * (23:59 the day before) the send date is no longer D+1 or later. (A date more
         * than 3 days ahead cannot happen: it only gets nearer.) */
        coupon_slot_allowed(now, allowed, sizeof allowed);
        snprintf(why, size,
                 "the send date %s (Asia/Tokyo) is no longer a day ahead of the hand-off; "
                 "push it again: %s (R-CPN-4)",
                 coupon_jst_format(at, when, sizeof when), allowed);
    } else if (banner && sha && !banner_same(banner, sha))
        snprintf(why, size,
                 "the banner %s changed or went away since the push was recorded; push it "
                 "again (R-CPN-8)",
                 banner);
    json_decref(pl);
    return 0;
}

static int recheck(struct store *s, const struct coupon_run_opts *o, const char *kind,
                   struct coupon_run *out, struct qs_err *e)
{
    const enum outbox_state states[] = {OUTBOX_PENDING, OUTBOX_RETRY, OUTBOX_FAILED};
    int rc = 0;
    for (size_t k = 0; k < 3 && rc == 0; k++) {
        struct outbox_item *v = NULL;
        size_t n = 0;
        if (states[k] == OUTBOX_FAILED && !o->retry_failed)
            continue;
        if ((rc = outbox_list(s, o->shop, kind, (int)states[k], &v, &n, e)) < 0)
            break;
        for (size_t i = 0; i < n && rc >= 0; i++) {
            char why[600];
            if ((rc = why_not(s, &v[i], o->now, why, sizeof why, e)) < 0)
                break;
            if (!why[0])
                continue;
            if (o->dry_run) {
                fprintf(o->dry_run, "%s: %s %s would be refused: %s\n", o->prog ? o->prog : "qs",
                        kind, v[i].key, why);
                continue;
            }
            if ((rc = outbox_withdraw(s, v[i].id, why, e)) == 1)
                row_add(out, kind, v[i].key, DELIVER_FAILED, NULL, why);
        }
        outbox_items_free(v, n);
        rc = rc < 0 ? rc : 0;
    }
    return rc;
}

/* ---- the run ---- */

/* Both kinds' reports as one: their unknown items add up. */
static void report_add(struct deliver_report *a, const struct deliver_report *b)
{
    size_t unknown = a->unknown_total + b->unknown_total;
    deliver_report_add(a, b);
    a->unknown_total = unknown;
    a->type = b->type;
    a->dry += b->dry;
    a->unavailable = a->unavailable || b->unavailable;
}

static int run_kind(struct store *s, const struct coupon_run_opts *o, const char *kind,
                    struct coupon_run *out, struct qs_err *e)
{
    struct ctx c = {out, kind};
    int cancel = strcmp(kind, COUPON_CANCEL_KIND) == 0;
    struct deliver_opts d = {
        .delivery = o->delivery,
        .retry_failed = o->retry_failed,
        .resend_unknown = o->resend_unknown,
        .dry_run = o->dry_run,
        .timeout_ms = o->timeout_ms,
        .columns = cancel ? cancel_columns : push_columns,
        .ncolumns = cancel ? sizeof cancel_columns / sizeof cancel_columns[0]
                           : sizeof push_columns / sizeof push_columns[0],
        .csv = o->csv,
        .attach = cancel ? NULL : "banner_file", /* R-CPN-8: the banner goes with the push */
        .on_result = on_result,
        .result_ctx = &c,
        .prog = o->prog,
    };
    struct deliver_report rep;
    int rc;
    if ((rc = recheck(s, o, kind, out, e)) < 0)
        return rc;
    memset(&rep, 0, sizeof rep);
    rc = deliver_run(s, o->shop, kind, &d, &rep, e);
    report_add(&out->rep, &rep);
    return rc;
}

int coupon_run(struct store *s, const struct coupon_run_opts *o, struct coupon_run *out,
               struct qs_err *e)
{
    struct coupon_run_opts co = *o;
    struct deliver_spec d = {0};
    int rc;
    memset(&out->rep, 0, sizeof out->rep);
    out->rep.hook_status = -1;
    /* A cancel goes where its push went: the shop's coupon delivery serves both kinds. */
    if (!co.delivery) {
        if ((rc = deliver_resolve(s, o->shop, COUPON_KIND, 0, &d, e)) < 0)
            return rc;
        co.delivery = d.text;
    }
    if ((rc = run_kind(s, &co, COUPON_KIND, out, e)) == 0)
        rc = run_kind(s, &co, COUPON_CANCEL_KIND, out, e);
    deliver_spec_clear(&d);
    if (!o->dry_run) {
        struct qs_err se;
        int src = coupon_push_settle(s, o->shop, o->now, rc == 0 ? e : &se);
        if (rc == 0)
            rc = src;
    }
    return rc;
}

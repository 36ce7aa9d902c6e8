/* notify_run: `qs sync notify run` (R-SYN-4): new events -> each active template of their
 * kind renders one message (R-SYN-5) -> one outbox item (kind notify, SPEC 1.6) -> the
 * delivery: smtp (notify_smtp.c), hook:, or standard output. The message is rendered once,
 * when it is queued: a resend sends the very same text with the same Message-ID. */
#include "notify_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../settings.h"
#include "../sync/sync.h"
#include "../tm.h"
#include "../xalloc.h"

#define RULE          "R-SYN-4"
#define EVENTS_PER_TX 200

/* ---- a cart's values (R-SYN-5) ---------------------------------------------------- */

struct cart {
    struct notify_vals *v;
    char **own; /* strings the values point to */
    size_t n, cap, nown, capown;
    long long fee;
    const char *tz, *shop;
};

static const char *keep(struct cart *c, char *s)
{
    if (c->nown == c->capown)
        c->own = xrealloc(c->own, (c->capown = c->capown ? 2 * c->capown : 32) * sizeof *c->own);
    return c->own[c->nown++] = s;
}

static const char *local(struct cart *c, const char *iso)
{
    char buf[64] = "";
    time_t t;
    if (iso && *iso && tm_parse_utc_iso(iso, &t) == 0 &&
        tm_format(t, c->tz, 0, buf, sizeof buf) < 0)
        buf[0] = '\0';
    return keep(c, xstrdup(buf));
}

static int cart_line(const struct sync_cart_line *l, void *p)
{
    struct cart *c = p;
    if (c->n == c->cap)
        c->v = xrealloc(c->v, (c->cap = c->cap ? 2 * c->cap : 4) * sizeof *c->v);
    struct notify_vals *v = &c->v[c->n++];
    char hope[16] = "";
    /* DEL_HOPE_DATE_YYYYMMDD: the digits of DesiredDeliveryDate's date */
    for (size_t i = 0, j = 0; l->hope_date[i] && i < 10 && j < 8; i++)
        if (l->hope_date[i] >= '0' && l->hope_date[i] <= '9')
            hope[j++] = l->hope_date[i];
    c->fee += atoll(l->ship_rate);
    memset(v, 0, sizeof *v);
    v->v[NOTIFY_PH_ORDER_NO] = keep(c, xstrdup(l->order_no));
    v->v[NOTIFY_PH_PACK_NO] = keep(c, xstrdup(l->pack_no[0] ? l->pack_no : l->order_no));
    v->v[NOTIFY_PH_SELLER_ID] = keep(c, xstrdup(l->seller_id[0] ? l->seller_id : c->shop));
    v->v[NOTIFY_PH_ORDER_TIME] = local(c, l->order_date);
    v->v[NOTIFY_PH_ORDER_DATE] = v->v[NOTIFY_PH_ORDER_TIME];
    v->v[NOTIFY_PH_BUYER_NM] = keep(c, xstrdup(l->buyer));
    v->v[NOTIFY_PH_BUYER_NM_JA] = keep(c, xstrdup(l->buyer_kana));
    v->v[NOTIFY_PH_BUYER_TEL_NO] = keep(c, xstrdup(l->buyer_tel));
    v->v[NOTIFY_PH_BUYER_EMAIL] = keep(c, xstrdup(l->buyer_email));
    v->v[NOTIFY_PH_PAYMENT_METHOD] = keep(c, xstrdup(l->payment_method));
    v->v[NOTIFY_PH_DEL_OPTION] = keep(c, xstrdup(l->ship_way));
    v->v[NOTIFY_PH_DEL_HOPE_DATE_YYYYMMDD] = keep(c, xstrdup(hope));
    v->v[NOTIFY_PH_DEL_HOPE_DATE_TIME_ZONE] = ""; /* QAPI returns no time band */
    v->v[NOTIFY_PH_DEL_MEMO] = keep(c, xstrdup(l->ship_msg));
    v->v[NOTIFY_PH_ITEM_NO] = keep(c, xstrdup(l->item_code));
    v->v[NOTIFY_PH_ITEM_NM] = keep(c, xstrdup(l->title));
    v->v[NOTIFY_PH_OPTION_NM] = keep(c, xstrdup(l->option_text));
    v->v[NOTIFY_PH_ORDER_QTY] = keep(c, xasprintf("%lld", l->qty));
    v->v[NOTIFY_PH_ORDER_PRICE] = keep(c, xasprintf("%lld", l->price));
    v->v[NOTIFY_PH_SELLER_CODE] = keep(c, xstrdup(l->seller_code));
    v->v[NOTIFY_PH_RECEIVER_NM] = keep(c, xstrdup(l->receiver));
    v->v[NOTIFY_PH_ZIP_CODE] = keep(c, xstrdup(l->zip));
    v->v[NOTIFY_PH_ADDRESS] = keep(c, xstrdup(l->address));
    v->v[NOTIFY_PH_TRACKING_NO] = keep(c, xstrdup(l->tracking));
    v->v[NOTIFY_PH_DELIVERY_COMPANY] = keep(c, xstrdup(l->carrier));
    return 0;
}

static void cart_free(struct cart *c)
{
    for (size_t i = 0; i < c->nown; i++)
        free(c->own[i]);
    free(c->own);
    free(c->v);
}

/* The lines of the event's cart (its one line for a per-line event). */
static int cart_load(struct store *s, const char *shop, const struct notify_ev *ev, struct cart *c,
                     struct qs_err *e)
{
    int line = ev->kind == NOTIFY_EV_CANCEL_REQ || ev->kind == NOTIFY_EV_CANCELLED;
    int rc = sync_cart_each(s, shop, line ? NULL : ev->pack_no, ev->ref, cart_line, c, e);
    if (rc < 0)
        return rc;
    /* DELIVERY_FEE: the cart's shipping rate (QAPI puts it on one of its lines) */
    const char *fee = keep(c, xasprintf("%lld", c->fee));
    for (size_t i = 0; i < c->n; i++)
        c->v[i].v[NOTIFY_PH_DELIVERY_FEE] = fee;
    return 0;
}

/* ---- messages --------------------------------------------------------------------- */

struct active {
    struct notify_tmpl *v;
    char **created; /* the first revision's time */
    size_t n, cap;
};

static int active_add(const struct notify_tmpl *t, void *p)
{
    struct active *a = p;
    if (!t->use)
        return 0;
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 8;
        a->v = xrealloc(a->v, a->cap * sizeof *a->v);
        a->created = xrealloc(a->created, a->cap * sizeof *a->created);
    }
    struct notify_tmpl *c = &a->v[a->n];
    *c = *t;
    c->grp = xstrdup(t->grp);
    c->name = xstrdup(t->name);
    c->send_type = xstrdup(t->send_type);
    c->sign_key = xstrdup(t->sign_key);
    c->to = xstrdup(t->to);
    c->subject = xstrdup(t->subject);
    c->body = xstrdup(t->body);
    c->at = xstrdup(t->at);
    a->created[a->n++] = NULL;
    return 0;
}

static void active_free(struct active *a)
{
    for (size_t i = 0; i < a->n; i++) {
        notify_tmpl_clear(&a->v[i]);
        free(a->created[i]);
    }
    free(a->v);
    free(a->created);
}

/* The outbox key of the message of template t for event ev. */
static char *msg_key(const struct notify_tmpl *t, const struct notify_ev *ev)
{
    return xasprintf("T%ld:%s:%s", t->id, notify_event_name(ev->kind), ev->ref);
}

/* Renders and queues the message of t for ev. */
static int queue(struct store *s, const struct notify_run_opts *o, const struct notify_tmpl *t,
                 const struct notify_ev *ev, const struct cart *c, long *added, struct qs_err *e)
{
    char *subject = NULL, *body = NULL, *key = msg_key(t, ev), *payload = NULL, *mid = NULL;
    json_t *j = NULL;
    int rc;

    if ((rc = notify_render(t->subject, c->v, c->n, &subject, e)) < 0 ||
        (rc = notify_render(t->body, c->v, c->n, &body, e)) < 0)
        goto out;
    /* One line: a subject rendered from a value holding a line break stays a header. */
    for (char *p = subject; *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    /* Stable per message (shop, template, event): a resend is recognisable. */
    mid = xasprintf("<qs.%s.T%ld.%s.%s@notify.qs>", o->shop, t->id, notify_event_name(ev->kind),
                    ev->ref);
    for (char *p = mid + 1; p[1]; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr(".-_@", *p)))
            *p = '_';
    j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "template",
                  (json_int_t)t->id, "rev", (json_int_t)t->rev, "group", t->grp, "name", t->name,
                  "send_type", t->send_type, "sign_key", t->sign_key, "event",
                  notify_event_name(ev->kind), "ref", ev->ref, "at", ev->at, "to", t->to, "subject",
                  subject, "body", body, "message_id", mid);
    if (!j || !(payload = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
        rc = err_set(e, QS_E_DATA, RULE, "message %s: its text is not valid UTF-8", key);
        goto out;
    }
    rc = outbox_enqueue(s, o->shop, NOTIFY_KIND, key, payload, o->now, NULL, e);
    if (rc > 0)
        (*added)++;
    rc = rc < 0 ? rc : 0;
out:
    json_decref(j);
    free(payload);
    free(subject);
    free(body);
    free(key);
    free(mid);
    return rc;
}

/* The messages of one event; *held set when a template still waits for it. */
static int event_msgs(struct store *s, const struct notify_run_opts *o, const struct active *a,
                      const struct notify_ev *ev, long wait_def, time_t synced,
                      struct notify_run_stats *st, int *held, struct qs_err *e)
{
    struct cart c = {.tz = o->tz, .shop = o->shop};
    time_t at;
    int rc = 0, loaded = 0, stands = -1;

    *held = 0;
    if (tm_parse_utc_iso(ev->at, &at) < 0)
        at = o->now;
    for (size_t i = 0; i < a->n && rc == 0; i++) {
        const struct notify_tmpl *t = &a->v[i];
        /* A template renders the events that happened once it existed. */
        if (t->kind != ev->kind || strcmp(a->created[i], ev->at) > 0)
            continue;
        if (t->wait) {
            /* Wait Y (QSM's 等待): held for the period and until an order sync after it
             * confirms the event still stands. */
            time_t until = at + (t->wait_min >= 0 ? t->wait_min : wait_def) * 60;
            if (o->now < until || synced < until) {
                *held = 1;
                st->held++;
                continue;
            }
            if (stands < 0 && (rc = stands = notify_event_stands(s, o->shop, ev, e)) < 0)
                break;
            if (!stands) {
                st->voided++;
                continue;
            }
        }
        if (!loaded && (rc = cart_load(s, o->shop, ev, &c, e)) < 0)
            break;
        loaded = 1;
        if (c.n == 0)
            break; /* the lines are gone from the store: nothing to render */
        rc = queue(s, o, t, ev, &c, &st->messages_new, e);
    }
    cart_free(&c);
    return rc;
}

/* Turns the open events into queued messages, EVENTS_PER_TX events per transaction. */
static int make_messages(struct store *s, const struct notify_run_opts *o,
                         struct notify_run_stats *st, struct qs_err *e)
{
    struct active a = {0};
    struct notify_ev *evs = NULL;
    size_t n = 0;
    long wait_def = 30;
    time_t synced = 0;
    int rc;

    if ((rc = settings_long(s, o->shop, "notify.wait_min", &wait_def, e)) < 0 ||
        (rc = sync_orders_synced_at(s, o->shop, &synced, e)) < 0 ||
        (rc = notify_tmpl_each(s, o->shop, 0, 0, active_add, &a, e)) < 0)
        goto out;
    for (size_t i = 0; i < a.n; i++) {
        struct notify_tmpl first;
        if ((rc = notify_tmpl_get(s, o->shop, a.v[i].id, 1, &first, e)) < 0)
            goto out;
        a.created[i] = first.at;
        first.at = NULL;
        notify_tmpl_clear(&first);
    }
    if ((rc = notify_events_open(s, o->shop, &evs, &n, e)) < 0)
        goto out;
    for (size_t i = 0; i < n && rc == 0; i += EVENTS_PER_TX) {
        int own = !o->dry_run; /* a dry run holds one transaction, rolled back */
        if (own && (rc = store_begin(s, e)) < 0)
            break;
        for (size_t j = i; j < n && j < i + EVENTS_PER_TX && rc == 0; j++) {
            int held;
            if ((rc = event_msgs(s, o, &a, &evs[j], wait_def, synced, st, &held, e)) == 0 && !held)
                rc = notify_event_close(s, evs[j].id, e);
        }
        if (own && rc == 0)
            rc = store_commit(s, e);
        if (own && rc < 0)
            store_rollback(s);
    }
out:
    notify_evs_free(evs, n);
    active_free(&a);
    return rc;
}

/* ---- standard output (--to -) ----------------------------------------------------- */

/* Each message as mboxrd text: a "From " line, headers, a blank line, the body. */
static int stdout_send(const struct deliver_spec *d, const struct outbox_item *items, size_t n,
                       struct deliver_result *res, FILE *dry, void *ctx, struct qs_err *e)
{
    FILE *fp = dry ? dry : ctx;
    (void)d;
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_loads(items[i].payload, 0, NULL);
        if (!j) {
            res[i].status = DELIVER_FAILED;
            res[i].error = xstrdup("the message's payload is not JSON");
            continue;
        }
        if (dry) {
            fprintf(fp, "%s\n", items[i].payload);
            json_decref(j);
            continue;
        }
        const char *body = json_string_value(json_object_get(j, "body"));
        fprintf(fp, "From qs-notify\nMessage-ID: %s\nTo: %s\nSubject: %s\nX-QS-Event: %s %s\n\n",
                json_string_value(json_object_get(j, "message_id")),
                json_string_value(json_object_get(j, "to")),
                json_string_value(json_object_get(j, "subject")),
                json_string_value(json_object_get(j, "event")),
                json_string_value(json_object_get(j, "ref")));
        for (const char *p = body ? body : ""; *p;) {
            size_t len = strcspn(p, "\n");
            const char *q = p;
            while (*q == '>')
                q++;
            if (strncmp(q, "From ", 5) == 0)
                fputc('>', fp);
            fwrite(p, 1, len, fp);
            fputc('\n', fp);
            p += len + (p[len] == '\n');
        }
        fputc('\n', fp);
        json_decref(j);
        if (fflush(fp) != 0 || ferror(fp))
            return err_set(e, QS_E_IO, NULL, "cannot write the messages to standard output");
        res[i].status = DELIVER_OK;
        res[i].ref = xstrdup("stdout");
    }
    return 0;
}

/* ---- the run ---------------------------------------------------------------------- */

int notify_run(struct store *s, const struct notify_run_opts *o, deliver_result_fn on_result,
               void *ctx, struct notify_run_stats *st, struct qs_err *e)
{
    struct deliver_opts d = {.retry_failed = o->retry_failed,
                             .resend_unknown = o->resend_unknown,
                             .dry_run = o->dry_run,
                             .timeout_ms = o->timeout_ms,
                             .on_result = on_result,
                             .result_ctx = ctx,
                             .prog = o->prog};
    struct notify_smtp *m = NULL;
    char *spec = NULL;
    int rc;

    memset(st, 0, sizeof *st);
    if ((rc = notify_events_scan(s, o->shop, !o->dry_run, &st->events_new, e)) < 0 ||
        (rc = make_messages(s, o, st, e)) < 0)
        return rc;
    if (o->delivery && strcmp(o->delivery, "-") == 0) {
        d.delivery = "smtp"; /* a built-in sender: ours, writing to to_fp */
        d.send = stdout_send;
        d.send_ctx = o->to_fp ? o->to_fp : stdout;
    } else {
        struct deliver_spec ds = {0};
        if (!o->delivery) {
            if ((rc = settings_string(s, o->shop, "deliver." NOTIFY_KIND, &spec, e)) < 0)
                return rc;
            d.delivery = spec ? spec : "smtp"; /* SPEC 1.7: notify by smtp unless set */
        } else
            d.delivery = o->delivery;
        if ((rc = deliver_parse(d.delivery, ".", &ds, e)) < 0)
            goto out;
        int type = ds.type;
        deliver_spec_clear(&ds);
        if (type != DELIVER_SMTP && type != DELIVER_HOOK) {
            rc = err_set(e, QS_E_USAGE, RULE,
                         "notifications go by smtp, hook:COMMAND or - (standard output), not %s",
                         d.delivery);
            goto out;
        }
        if (type == DELIVER_SMTP) {
            if (!o->dry_run && (rc = notify_smtp_open(s, o->shop, o->timeout_ms, &m, e)) < 0)
                goto out;
            d.send = notify_smtp_send;
            d.send_ctx = m;
            d.batch = 1; /* claimed one by one: a kill leaves one message unknown */
        }
    }
    rc = deliver_run(s, o->shop, NOTIFY_KIND, &d, &st->rep, e);
out:
    notify_smtp_close(m);
    free(spec);
    return rc;
}

/* ---- the list --------------------------------------------------------------------- */

int notify_msg_each(struct store *s, const char *shop, const char *state,
                    int (*fn)(const struct notify_msg *m, void *ctx), void *ctx, struct qs_err *e)
{
    struct outbox_item *items = NULL;
    enum outbox_state want = 0;
    size_t n = 0;
    int rc;

    if (state && outbox_state_parse(state, &want) < 0)
        return err_set(e, QS_E_USAGE, NULL,
                       "state \"%s\" is not pending, claimed, done, retry, failed or unknown",
                       state);
    if ((rc = outbox_list(s, shop, NOTIFY_KIND, state ? (int)want : -1, &items, &n, e)) < 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_t *j = json_loads(items[i].payload, 0, NULL);
        char tid[32];
#define F(k)                                                                                       \
    (json_string_value(json_object_get(j, k)) ? json_string_value(json_object_get(j, k)) : "")
        snprintf(tid, sizeof tid, "%lld",
                 (long long)json_integer_value(json_object_get(j, "template")));
        struct notify_msg m = {
            .key = items[i].key,
            .state = items[i].state == OUTBOX_DONE ? "sent" : outbox_state_name(items[i].state),
            .template_id = tid,
            .event = F("event"),
            .ref = F("ref"),
            .to = F("to"),
            .subject = F("subject"),
            .message_id = F("message_id"),
            .error = items[i].last_error ? items[i].last_error : "",
            .created_at = "",
            .attempts = items[i].attempts,
        };
#undef F
        rc = fn(&m, ctx);
        json_decref(j);
    }
    outbox_items_free(items, n);
    return rc < 0 ? rc : 0;
}

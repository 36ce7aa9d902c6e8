/* source_watch_run: qs publish watch run (R-SRC-2, R-SRC-3) -- each watched URL goes to
 * the shop's `source` delivery (hook: only, SPEC 1.7) as an outbox item; the answers give
 * the URLs' states, the products' states follow, every change is recorded (source_event)
 * and reported, and while a product is online its change acts once: out of stock (or
 * gone) -> quantity 0 or withdrawn; back in stock -> the quantity qs zeroed restored only
 * where the marketplace still shows 0, or a product qs withdrew re-listed only if it is
 * still offline. The marketplace changes are listing jobs (publish_job.c: the values
 * read back before any write, each exactly once through the outbox). A hook that fails
 * or does not answer leaves every state as it was. */
#include "publish_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../deliver/deliver.h"
#include "../outbox.h"
#include "../xalloc.h"

#define SRC_KIND "source"

static const char *const run_cols[] = {"parent_sku", "url",    "old",    "new",
                                       "action",     "result", "message"};
const char *const *src_run_columns(size_t *n)
{
    *n = sizeof run_cols / sizeof run_cols[0];
    return run_cols;
}

/* One answer of the hook. */
struct ans {
    long long product;
    char *url, *state, *price, *currency;
};

struct run {
    struct store *s;
    const char *shop;
    const struct pub_cb *cb;
    struct rec *r;
    struct ans *a;
    size_t na;
    long long batch;
    char now[32];
    struct src_run_stats *st;
    struct qs_err *e;
    int rc;
    /* products whose action went to the marketplace, for their results */
    struct act {
        char *parent, *action;
    } * acts;
    size_t nacts;
};

static int emit(struct run *r, enum job_outcome oc, const char *parent, const char *url,
                const char *old, const char *new_, const char *action, const char *result,
                const char *msg)
{
    if (r->rc < 0)
        return r->rc;
    rec_clear(r->r);
    rec_set(r->r, "parent_sku", parent);
    rec_set(r->r, "url", url ? url : "");
    rec_set(r->r, "old", old ? old : "");
    rec_set(r->r, "new", new_ ? new_ : "");
    rec_set(r->r, "action", action ? action : "");
    rec_set(r->r, "result", result ? result : "");
    rec_set(r->r, "message", msg ? msg : "");
    return r->rc = pub_emit(r->cb, oc, r->r, r->e);
}

static int valid_state(const char *s)
{
    return s &&
           (strcmp(s, "in-stock") == 0 || strcmp(s, "out-of-stock") == 0 || strcmp(s, "gone") == 0);
}

static char *jtext(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (json_is_string(v))
        return *json_string_value(v) ? xstrdup(json_string_value(v)) : NULL;
    if (json_is_number(v)) {
        char *s = json_dumps(v, JSON_ENCODE_ANY);
        return s;
    }
    return NULL;
}

/* deliver_result_fn: keeps each ok answer for after the run. */
static void on_result(const struct outbox_item *it, enum deliver_status status, const char *ref,
                      const char *error, void *ctx)
{
    struct run *r = ctx;
    json_t *p, *a;
    (void)error;
    if (status != DELIVER_OK)
        return; /* R-SRC-2: a failure changes no state */
    p = json_loads(it->payload, 0, NULL);
    a = ref ? json_loads(ref, 0, NULL) : NULL;
    char *state = jtext(a, "state");
    if (json_is_object(p) && valid_state(state)) {
        r->a = xrealloc(r->a, (r->na + 1) * sizeof *r->a);
        r->a[r->na++] =
            (struct ans){json_integer_value(json_object_get(p, "product")), jtext(p, "url"), state,
                         jtext(a, "price"), jtext(a, "currency")};
        state = NULL;
    } else {
        pub_diag(r->cb, 1, "R-SRC-2", it->key,
                 "the source hook answered no state (in-stock, out-of-stock or gone): %s",
                 ref ? ref : "nothing");
    }
    free(state);
    json_decref(p);
    json_decref(a);
}

/* ---- plan: the items to send ---- */

struct wrow {
    long long id;
    char *parent, *sku;
};

static int wrow(sqlite3_stmt *st, void *p)
{
    struct wrow **w = p;
    size_t n = 0;
    while ((*w)[n].parent)
        n++;
    *w = xrealloc(*w, (n + 2) * sizeof **w);
    (*w)[n] = (struct wrow){sqlite3_column_int64(st, 0), xstrdup(store_col_text(st, 1)),
                            xstrdup(store_col_text(st, 2))};
    (*w)[n + 1].parent = NULL;
    return 0;
}

static void wrows_free(struct wrow *w)
{
    for (size_t i = 0; w && w[i].parent; i++)
        free(w[i].parent), free(w[i].sku);
    free(w);
}

/* The watched products (not paused) of the shop. */
static int watched(struct store *s, const char *shop, struct wrow **w, struct qs_err *e)
{
    *w = xcalloc(1, sizeof **w);
    int rc = store_each(s,
                        "SELECT p.id, p.parent_sku, (SELECT sku FROM variant WHERE product_id ="
                        " p.id ORDER BY id LIMIT 1) FROM source_watch w JOIN product p ON p.id ="
                        " w.product_id WHERE w.shop = ?1 AND w.paused = 0 ORDER BY p.id",
                        wrow, w, e, "s", shop);
    return rc < 0 ? rc : 0;
}

/* Product state of the watch, and changes it (a change is recorded and reported). */
static int set_pstate(struct run *r, long long id, const char *parent, const char *new_,
                      const char **old_out, char *old, size_t size)
{
    struct store_text t = {old, size};
    int rc;
    old[0] = '\0';
    if ((rc = store_each(r->s, "SELECT state FROM source_watch WHERE product_id = ?1",
                         store_row_text, &t, r->e, "l", id)) < 0)
        return rc;
    *old_out = old;
    if (!new_ || strcmp(old, new_) == 0)
        return 0;
    if ((rc = store_run(r->s, r->e,
                        "UPDATE source_watch SET state = ?2, checked_at = ?3 WHERE product_id = ?1",
                        "lss", id, new_, r->now)) < 0 ||
        (rc = src_event(r->s, id, NULL, old, new_, NULL, r->now, r->e)) < 0)
        return rc;
    r->st->changed++;
    return emit(r, JOB_LOCAL, parent, NULL, old, new_, NULL, "changed", "product state") < 0 ? r->rc
                                                                                             : 1;
}

static int plan(struct run *r, const struct pub_run_opts *ro, FILE *dry)
{
    struct wrow *w = NULL;
    int rc, own;
    char key[1200], stamp[64];
    struct timespec ts;

    /* Each run checks again: its keys are its own (a check is a read; a resend after a
     * crash only asks again). */
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(stamp, sizeof stamp, "%s.%09ld.%ld", r->now, (long)ts.tv_nsec, (long)getpid());

    if ((rc = pub_tx_begin(r->s, &own, r->e)) < 0)
        return rc;
    if ((rc = watched(r->s, r->shop, &w, r->e)) < 0)
        goto out;
    for (size_t i = 0; w[i].parent && rc == 0; i++) {
        struct src_urls u;
        char old[32];
        const char *o;
        if ((rc = src_urls_get(r->s, w[i].id, &u, r->e)) < 0)
            break;
        if (!ro->dry_run)
            rc = src_urls_sync(r->s, w[i].id, &u, r->e);
        if (rc == 0 && u.n == 0 && !ro->dry_run) /* R-SRC-2: 无法监控, no Source URL left */
            rc = set_pstate(r, w[i].id, w[i].parent, "no-source", &o, old, sizeof old);
        for (size_t k = 0; k < u.n && rc >= 0; k++) {
            json_t *p = json_pack("{s:s, s:s, s:I}", "url", u.v[k], "sku", w[i].sku, "product",
                                  (json_int_t)w[i].id);
            char *payload = json_dumps(p, JSON_COMPACT);
            json_decref(p);
            if (dry) {
                fprintf(dry, "{\"kind\":\"source\",\"shop\":\"%s\",%s\n", r->shop, payload + 1);
            } else {
                snprintf(key, sizeof key, "%s#%s#%s", w[i].parent, stamp, u.v[k]);
                rc = outbox_enqueue(r->s, r->shop, SRC_KIND, key, payload, ro->now, NULL, r->e);
                r->st->checked++;
            }
            free(payload);
        }
        rc = rc < 0 ? rc : 0;
        src_urls_free(&u);
    }
out:
    wrows_free(w);
    if (ro->dry_run && own && rc == 0)
        store_rollback(r->s);
    else
        rc = pub_tx_end(r->s, own, rc, r->e);
    return rc;
}

/* ---- apply: the answers, the product states, the actions ---- */

/* R-SRC-3: a move of the source price beyond --price-alert is reported, never applied. */
static void price_alert(struct run *r, const struct ans *a, const char *parent, const char *old,
                        const char *cur, long long pct100)
{
    char msg[256];
    if (pct100 <= 0 || !a->price || !*old || strcmp(cur, a->currency ? a->currency : "") != 0)
        return;
    double o = strtod(old, NULL), n = strtod(a->price, NULL);
    if (o <= 0 ||
        ((n - o) * 10000.0 / o <= (double)pct100 && (o - n) * 10000.0 / o <= (double)pct100))
        return;
    snprintf(msg, sizeof msg,
             "source price moved from %s to %s %s (%+.1f%%), beyond --price-alert %lld%%; the "
             "listing price is not changed",
             old, a->price, cur, (n - o) * 100.0 / o, pct100 / 100);
    r->st->alerts++;
    emit(r, JOB_SKIPPED, parent, a->url, old, a->price, "price-alert", "reported", msg);
}

struct urlst {
    char state[32], price[64], currency[16];
};

static int urlst_row(sqlite3_stmt *st, void *p)
{
    struct urlst *u = p;
    snprintf(u->state, sizeof u->state, "%s", store_col_text(st, 0));
    snprintf(u->price, sizeof u->price, "%s", store_col_text(st, 1));
    snprintf(u->currency, sizeof u->currency, "%s", store_col_text(st, 2));
    return 1;
}

static int record(struct run *r, const struct ans *a, const struct pub_product *p, long long alert)
{
    struct urlst u = {"", "", ""};
    int rc = store_each(r->s,
                        "SELECT state, coalesce(price, ''), coalesce(currency, '') FROM source_url"
                        " WHERE product_id = ?1 AND url = ?2",
                        urlst_row, &u, r->e, "ls", a->product, a->url);
    if (rc == 0)
        return 0; /* the URL left the catalog since the request */
    if (rc < 0)
        return rc;
    if ((rc = store_run(r->s, r->e,
                        "UPDATE source_url SET state = ?3, price = ?4, currency = ?5,"
                        " checked_at = ?6 WHERE product_id = ?1 AND url = ?2",
                        "lsssss", a->product, a->url, a->state, a->price, a->currency, r->now)) < 0)
        return rc;
    price_alert(r, a, p->parent_sku, u.price, u.currency, alert);
    if (strcmp(u.state, a->state) == 0)
        return r->rc;
    r->st->changed++;
    if ((rc = src_event(r->s, a->product, a->url, u.state, a->state, NULL, r->now, r->e)) < 0)
        return rc;
    return emit(r, JOB_LOCAL, p->parent_sku, a->url, u.state, a->state, NULL, "changed",
                "source state");
}

static void act_note(struct run *r, const char *parent, const char *action)
{
    r->acts = xrealloc(r->acts, (r->nacts + 1) * sizeof *r->acts);
    r->acts[r->nacts++] = (struct act){xstrdup(parent), xstrdup(action)};
}

static int batch(struct run *r)
{
    return r->batch ? 0 : cstore_batch_open(r->s, r->shop, "watch", &r->batch, r->e);
}

/* R-SRC-3: out of stock (or gone) while online. */
static int act_out(struct run *r, const struct pub_product *p, const char *on_out)
{
    char q[32];
    int rc = 0;
    if (strcmp(on_out, "zero") == 0) {
        json_t *skus = json_array();
        if ((rc = batch(r)) < 0)
            return rc;
        for (size_t k = 0; k < p->nv && rc == 0; k++) {
            rc = store_run(r->s, r->e,
                           "INSERT OR REPLACE INTO source_zeroed (product_id, variant_id, qty)"
                           " VALUES (?1, ?2, ?3)",
                           "lll", p->id, p->v[k].id, p->v[k].qty);
            if (rc == 0)
                rc = cstore_variant_restore(r->s, p->v[k].id, "quantity", "0", r->e);
            json_array_append_new(skus, json_string(p->v[k].sku));
        }
        json_t *o = json_pack("{s:o}", "qty", skus);
        char *payload = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (rc == 0)
            rc = pub_job_enqueue(r->s, r->shop, p->parent_sku, p->id, r->batch, "source-out",
                                 "push", payload, r->e);
        free(payload);
    } else {
        if ((rc = batch(r)) < 0)
            return rc;
        rc = pub_job_enqueue(r->s, r->shop, p->parent_sku, p->id, r->batch, "source-out", "status",
                             "{\"status\":1}", r->e);
    }
    if (rc == 0)
        rc = store_run(r->s, r->e, "UPDATE source_watch SET acted = ?2 WHERE product_id = ?1", "ls",
                       p->id, on_out);
    if (rc == 0) {
        snprintf(q, sizeof q, "%s", on_out);
        act_note(r, p->parent_sku, q);
        r->st->actions++;
    }
    return rc;
}

struct zrow {
    long long variant, qty;
    int isnull;
};

static int zrow(sqlite3_stmt *st, void *p)
{
    struct zrow **z = p;
    size_t n = 0;
    while ((*z)[n].variant)
        n++;
    *z = xrealloc(*z, (n + 2) * sizeof **z);
    (*z)[n] = (struct zrow){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                            sqlite3_column_type(st, 1) == SQLITE_NULL};
    (*z)[n + 1].variant = 0;
    return 0;
}

/* R-SRC-3: back in stock. */
static int act_back(struct run *r, const struct pub_product *p, const char *acted)
{
    int rc = 0;
    if (strcmp(acted, "zero") == 0) {
        struct zrow *z = xcalloc(1, sizeof *z);
        json_t *cond = json_object();
        if ((rc =
                 store_each(r->s, "SELECT variant_id, qty FROM source_zeroed WHERE product_id = ?1",
                            zrow, &z, r->e, "l", p->id)) == 0)
            rc = batch(r);
        for (size_t k = 0; z[k].variant && rc == 0; k++) {
            char q[32];
            snprintf(q, sizeof q, "%lld", z[k].qty);
            rc = cstore_variant_restore(r->s, z[k].variant, "quantity", z[k].isnull ? NULL : q,
                                        r->e);
            for (size_t v = 0; v < p->nv; v++)
                if (p->v[v].id == z[k].variant)
                    json_object_set_new(cond, p->v[v].sku, json_integer(0));
        }
        /* Restored only where the marketplace still shows qs's 0 (qty_if). */
        json_t *o = json_pack("{s:o}", "qty_if", cond);
        char *payload = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (rc == 0)
            rc = pub_job_enqueue(r->s, r->shop, p->parent_sku, p->id, r->batch, "source-back",
                                 "push", payload, r->e);
        free(payload);
        free(z);
        if (rc == 0)
            rc = store_run(r->s, r->e, "DELETE FROM source_zeroed WHERE product_id = ?1", "l",
                           p->id);
        if (rc == 0)
            act_note(r, p->parent_sku, "restore");
    } else if (strcmp(p->state, "offline") == 0) {
        if ((rc = batch(r)) == 0)
            rc = pub_job_enqueue(r->s, r->shop, p->parent_sku, p->id, r->batch, "source-back",
                                 "status", "{\"status\":2}", r->e);
        if (rc == 0)
            act_note(r, p->parent_sku, "relist");
    } else {
        emit(r, JOB_SKIPPED, p->parent_sku, NULL, NULL, NULL, "relist", "skipped",
             "qs withdrew it, but it is no longer offline: not re-listed (R-SRC-3)");
        rc = r->rc;
    }
    if (rc == 0)
        rc = store_run(r->s, r->e, "UPDATE source_watch SET acted = NULL WHERE product_id = ?1",
                       "l", p->id);
    if (rc == 0)
        r->st->actions++;
    return rc;
}

struct wcfg {
    char on_out[16], acted[16];
    long long alert;
};

static int wcfg_row(sqlite3_stmt *st, void *p)
{
    struct wcfg *w = p;
    snprintf(w->on_out, sizeof w->on_out, "%s", store_col_text(st, 0));
    snprintf(w->acted, sizeof w->acted, "%s", store_col_text(st, 1));
    w->alert = sqlite3_column_int64(st, 2);
    return 1;
}

/* One product: its answers recorded, its state recomputed, its action taken. */
static int product(struct run *r, long long id)
{
    struct pub_product p;
    struct wcfg w = {"none", "", 0};
    const char *now_state = NULL, *old;
    char oldbuf[32];
    int rc;

    if ((rc = pub_product_load(r->s, id, &p, r->e)) < 0)
        return rc;
    if ((rc = store_each(r->s,
                         "SELECT on_out, coalesce(acted, ''), coalesce(price_alert, 0) FROM"
                         " source_watch WHERE product_id = ?1 AND paused = 0",
                         wcfg_row, &w, r->e, "l", id)) <= 0)
        goto out; /* removed or paused since the request */
    rc = 0;
    for (size_t i = 0; i < r->na && rc == 0; i++)
        if (r->a[i].product == id)
            rc = record(r, &r->a[i], &p, w.alert);
    if (rc < 0 || (rc = src_product_state(r->s, id, &now_state, r->e)) < 0)
        goto out;
    if ((rc = set_pstate(r, id, p.parent_sku, now_state, &old, oldbuf, sizeof oldbuf)) <= 0)
        goto out;
    rc = 0;
    int out = strcmp(now_state, "out-of-stock") == 0 || strcmp(now_state, "gone") == 0;
    /* R-SRC-3: actions only while the product is online, each once (acted). */
    if (out && !*w.acted && strcmp(w.on_out, "none") != 0 && strcmp(p.state, "online") == 0)
        rc = act_out(r, &p, w.on_out);
    else if (strcmp(now_state, "in-stock") == 0 && *w.acted)
        rc = act_back(r, &p, w.acted);
out:
    pub_product_free(&p);
    return rc;
}

static int apply(struct run *r)
{
    struct wrow *w = NULL;
    int rc, own;
    if ((rc = pub_tx_begin(r->s, &own, r->e)) < 0)
        return rc;
    if ((rc = watched(r->s, r->shop, &w, r->e)) == 0)
        for (size_t i = 0; w[i].parent && rc == 0; i++) {
            int has = 0;
            for (size_t k = 0; k < r->na && !has; k++)
                has = r->a[k].product == w[i].id;
            if (has)
                rc = product(r, w[i].id);
        }
    if (rc == 0)
        rc = r->rc;
    wrows_free(w);
    return pub_tx_end(r->s, own, rc, r->e);
}

int src_watch_run(struct store *s, struct qapi *q, const char *shop, const struct pub_run_opts *ro,
                  const struct pub_cb *cb, struct src_run_stats *st, struct qs_err *e)
{
    struct deliver_spec d = {0};
    struct deliver_report rep;
    struct pub_jresults jr = {0};
    struct run r = {.s = s, .shop = shop, .cb = cb, .r = rec_new(), .st = st, .e = e};
    int rc;

    memset(st, 0, sizeof *st);
    pub_now_iso(r.now);
    /* SPEC 1.7: source is hook: only, and has no default. */
    if ((rc = deliver_resolve(s, shop, SRC_KIND, 0, &d, e)) < 0)
        goto out;
    if (d.type != DELIVER_HOOK) {
        rc = err_set(e, QS_E_USAGE, "R-SRC-2",
                     "shop %s has no source hook (%s): set one with qs init --shop %s --deliver "
                     "source=hook:COMMAND",
                     shop, d.text ? d.text : "none", shop);
        goto out;
    }
    if ((rc = plan(&r, ro, ro->dry_run ? stdout : NULL)) < 0 || ro->dry_run)
        goto out;
    struct deliver_opts o = {.on_result = on_result, .result_ctx = &r, .prog = "qs publish watch"};
    if ((rc = deliver_run(s, shop, SRC_KIND, &o, &rep, e)) < 0)
        goto out;
    st->answered = rep.sent;
    st->failed = rep.failed + rep.retry;
    if ((rc = apply(&r)) < 0)
        goto out;
    if (r.batch && q) {
        struct pub_run_opts oo = *ro;
        struct pub_run_stats rst = {0};
        rc = pub_send_jobs(s, q, shop, &oo, &rst, &jr, e);
    }
    for (size_t i = 0; i < r.nacts && rc == 0; i++) {
        const struct pub_jres *j = pub_jres_get(&jr, r.acts[i].parent);
        emit(&r, j ? pub_outcome(j->result) : JOB_RETRY, r.acts[i].parent, NULL, NULL, NULL,
             r.acts[i].action, j ? j->result : "queued", j ? j->msg : "queued for qs publish run");
        rc = r.rc;
    }
out:
    for (size_t i = 0; i < r.na; i++) {
        free(r.a[i].url), free(r.a[i].state);
        free(r.a[i].price), free(r.a[i].currency);
    }
    free(r.a);
    for (size_t i = 0; i < r.nacts; i++)
        free(r.acts[i].parent), free(r.acts[i].action);
    free(r.acts);
    pub_jres_free(&jr);
    deliver_spec_clear(&d);
    rec_free(r.r);
    return rc;
}

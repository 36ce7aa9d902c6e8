/* deliver_spec: which delivery a kind uses (SPEC 1.7 settings and defaults) and the
 * request line a hook receives. */
#include "deliver_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../shop.h"
#include "../xalloc.h"

static const char *const reserved[] = {"id", "kind", "key", "shop"};

void deliver_spec_clear(struct deliver_spec *d)
{
    if (!d)
        return;
    free(d->arg);
    free(d->text);
    memset(d, 0, sizeof *d);
}

int deliver_parse(const char *spec, const char *base_dir, struct deliver_spec *out,
                  struct qs_err *e)
{
    const char *home, *dir;

    memset(out, 0, sizeof *out);
    if (!spec || !shop_delivery_valid(spec))
        return err_set(e, QS_E_USAGE, NULL,
                       "delivery \"%s\" is not qapi, smtp, hook:COMMAND or file:DIR (SPEC 1.7)",
                       spec ? spec : "");
    if (strcmp(spec, "qapi") == 0)
        out->type = DELIVER_QAPI;
    else if (strcmp(spec, "smtp") == 0)
        out->type = DELIVER_SMTP;
    else if (strncmp(spec, "hook:", 5) == 0) {
        out->type = DELIVER_HOOK;
        out->arg = xstrdup(spec + 5);
    } else {
        out->type = DELIVER_FILE;
        dir = spec + 5;
        if (dir[0] == '/')
            out->arg = xstrdup(dir);
        else if (dir[0] == '~' && (dir[1] == '/' || !dir[1])) {
            if (!(home = getenv("HOME")) || !*home)
                return err_set(e, QS_E_USAGE, NULL, "delivery %s: HOME is not set", spec);
            out->arg = xasprintf("%s%s", home, dir + 1);
        } else if (base_dir)
            out->arg = xasprintf("%s/%s", base_dir, dir);
        else
            out->arg = xstrdup(dir);
    }
    out->text = xstrdup(spec);
    return 0;
}

char *dlv_store_folder(struct store *s)
{
    const char *path = store_path(s), *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    char *real = realpath(dir, NULL);
    if (real) {
        free(dir);
        return real;
    }
    return dir;
}

int deliver_resolve(struct store *s, const char *shop, const char *kind, int qapi_kind,
                    struct deliver_spec *out, struct qs_err *e)
{
    char *key = NULL, *val = NULL, *base = NULL, *dflt = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if (!shop_key_valid(kind) || kind[0] == '.' || strlen(kind) > 55)
        return err_set(e, QS_E_SOFTWARE, NULL, "outbox kind \"%s\" cannot name a delivery", kind);
    key = xasprintf("deliver.%s", kind);
    if ((rc = shop_setting_get(s, shop, key, &val, e)) < 0)
        goto out;
    base = dlv_store_folder(s);
    if (!val)
        dflt = qapi_kind ? xstrdup("qapi") : xasprintf("file:%s/handoff/%s/%s", base, shop, kind);
    if ((rc = deliver_parse(val ? val : dflt, base, out, e)) < 0)
        goto out;
    /* SPEC 1.7: qapi is the only delivery for what QAPI covers, and only for that. */
    if (qapi_kind && out->type != DELIVER_QAPI)
        rc = err_set(e, QS_E_USAGE, NULL,
                     "%s is %s, but %s goes only by qapi (SPEC 1.7); set qs init --deliver "
                     "%s=qapi",
                     key, out->text, kind, kind);
    else if (!qapi_kind && out->type == DELIVER_QAPI)
        rc = err_set(e, QS_E_USAGE, NULL,
                     "%s is qapi, but QAPI has no method for %s (SPEC 1.7); use hook:COMMAND or "
                     "file:DIR",
                     key, kind);
    if (rc < 0)
        deliver_spec_clear(out);
out:
    free(key);
    free(val);
    free(base);
    free(dflt);
    return rc;
}

/* A malloc'd copy of JSON text src without whitespace outside strings, so it fits on one
 * line and its numbers keep their exact spelling. */
static char *json_compact(const char *src)
{
    char *out = xmalloc(strlen(src) + 1), *o = out;
    int in_str = 0, esc = 0;
    for (const char *p = src; *p; p++) {
        if (in_str) {
            if (esc)
                esc = 0;
            else if (*p == '\\')
                esc = 1;
            else if (*p == '"')
                in_str = 0;
        } else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            continue;
        else if (*p == '"')
            in_str = 1;
        *o++ = *p;
    }
    *o = '\0';
    return out;
}

int deliver_payload_check(const char *payload, struct qs_err *e)
{
    json_error_t je;
    json_t *j = json_loads(payload ? payload : "{}", JSON_DECODE_INT_AS_REAL, &je);
    int rc = 0;

    if (!j || !json_is_object(j))
        rc = err_set(e, QS_E_DATA, NULL, "payload is not a JSON object%s%s", j ? "" : ": ",
                     j ? "" : je.text);
    for (size_t i = 0; rc == 0 && i < sizeof reserved / sizeof *reserved; i++)
        if (json_object_get(j, reserved[i]))
            rc = err_set(e, QS_E_DATA, NULL,
                         "payload field \"%s\" is reserved: qs sets id, kind, key and shop "
                         "(SPEC 1.7)",
                         reserved[i]);
    json_decref(j);
    return rc;
}

/* s as a JSON string (malloc'd), or NULL when s is not UTF-8. */
static char *json_str(const char *s)
{
    json_t *j = json_string(s ? s : "");
    char *out = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    json_decref(j);
    return out;
}

char *deliver_request_line(const struct outbox_item *it, struct qs_err *e)
{
    char *payload = NULL, *kind = NULL, *key = NULL, *shop = NULL, *line = NULL;
    size_t inner;

    if (deliver_payload_check(it->payload, e) < 0)
        return NULL;
    kind = json_str(it->kind);
    key = json_str(it->key);
    shop = json_str(it->shop);
    if (!kind || !key || !shop) {
        err_set(e, QS_E_DATA, NULL, "kind, key or shop is not UTF-8");
        goto out;
    }
    payload = json_compact(it->payload ? it->payload : "{}");
    inner = strlen(payload) - 2; /* without the braces */
    line = xasprintf("{\"id\":%lld,\"kind\":%s,\"key\":%s,\"shop\":%s%s%.*s}", (long long)it->id,
                     kind, key, shop, inner ? "," : "", (int)inner, payload + 1);
out:
    free(payload);
    free(kind);
    free(key);
    free(shop);
    return line;
}

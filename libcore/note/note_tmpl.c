/* note_tmpl: note templates (quick replies and message templates of the seed), checked
 * as notes before they are kept (R-NOTE-8). Owns the table note_template. The
 * placeholders are note_render.c's. */
#include "note.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../tm.h"
#include "../xalloc.h"

#define RULE "R-NOTE-8"

/* ---- the table -------------------------------------------------------------------- */

void note_tmpl_clear(struct note_tmpl *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->category);
    free(t->title);
    free(t->body);
    free(t->created_at);
    free(t->updated_at);
    memset(t, 0, sizeof *t);
}

static char *col(sqlite3_stmt *st, int i)
{
    return xstrdup(store_col_text(st, i));
}

struct tmpl_walk {
    int (*fn)(const struct note_tmpl *t, void *ctx);
    void *ctx;
};

static int tmpl_row(sqlite3_stmt *st, void *ctx)
{
    struct tmpl_walk *w = ctx;
    struct note_tmpl t = {col(st, 0), col(st, 1), col(st, 2), col(st, 3), col(st, 4), col(st, 5)};
    int rc = w->fn(&t, w->ctx);
    note_tmpl_clear(&t);
    return rc;
}

static int tmpl_query(struct store *s, const char *shop, const char *name,
                      int (*fn)(const struct note_tmpl *t, void *ctx), void *ctx, struct qs_err *e)
{
    struct tmpl_walk w = {fn, ctx};
    return store_each(s,
                      "SELECT name, category, title, body, created_at, updated_at"
                      " FROM note_template WHERE shop = ?1 AND (?2 IS NULL OR name = ?2)"
                      " ORDER BY name",
                      tmpl_row, &w, e, "ss", shop, name);
}

int note_tmpl_each(struct store *s, const char *shop,
                   int (*fn)(const struct note_tmpl *t, void *ctx), void *ctx, struct qs_err *e)
{
    return tmpl_query(s, shop, NULL, fn, ctx, e);
}

static int take(const struct note_tmpl *t, void *ctx)
{
    struct note_tmpl *out = ctx;
    out->name = xstrdup(t->name);
    out->category = xstrdup(t->category);
    out->title = xstrdup(t->title);
    out->body = xstrdup(t->body);
    out->created_at = xstrdup(t->created_at);
    out->updated_at = xstrdup(t->updated_at);
    return 1;
}

int note_tmpl_get(struct store *s, const char *shop, const char *name, struct note_tmpl *out,
                  struct qs_err *e)
{
    int rc;
    memset(out, 0, sizeof *out);
    rc = tmpl_query(s, shop, name, take, out, e);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return err_set(e, QS_E_DATA, RULE, "no template named \"%s\"; see qs note template list",
                       name);
    return 0;
}

/* The checks of a template's text (R-NOTE-2, R-NOTE-3, R-NOTE-4, R-NOTE-8). */
static int tmpl_check(const struct note_tmpl *t, int allow_personal, struct qs_err *e)
{
    struct note_msg m = {.category = t->category, .title = t->title, .body = t->body};
    return note_msg_check(&m, allow_personal, e);
}

int note_tmpl_save(struct store *s, const char *shop, const struct note_tmpl *t, int create,
                   int allow_personal, struct qs_err *e)
{
    struct note_tmpl cur = {0}, want;
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc;

    if (!t->name || !*t->name || strlen(t->name) > 64 || strpbrk(t->name, "\r\n"))
        return err_set(e, QS_E_USAGE, RULE, "a template name is 1-64 bytes on one line");
    if (!create && (rc = note_tmpl_get(s, shop, t->name, &cur, e)) < 0)
        return rc;
    want.name = t->name;
    want.category = t->category ? t->category : cur.category ? cur.category : "other";
    want.title = t->title ? t->title : cur.title;
    want.body = t->body ? t->body : cur.body;
    if (create && (!want.title || !want.body)) {
        rc = err_set(e, QS_E_USAGE, RULE, "a template needs --title and --body (or --body-file)");
        goto out;
    }
    if ((rc = tmpl_check(&want, allow_personal, e)) < 0)
        goto out;
    tm_utc_iso(time(NULL), now, sizeof now);
    if ((rc =
             store_prepare(s,
                           create ? "INSERT INTO note_template(shop, name, category, title, body,"
                                    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
                                  : "UPDATE note_template SET category = ?3, title = ?4, body = ?5,"
                                    " updated_at = ?6 WHERE shop = ?1 AND name = ?2",
                           &st, e)) < 0 ||
        (rc = store_bind(s, st, e, "ssssss", shop, want.name, want.category, want.title, want.body,
                         now)) < 0)
        goto out;
    if ((rc = store_step(s, st, e)) < 0 &&
        sqlite3_extended_errcode(store_db(s)) == SQLITE_CONSTRAINT_PRIMARYKEY)
        rc = err_set(e, QS_E_DATA, RULE,
                     "template \"%s\" exists; change it with qs note template edit", t->name);
out:
    sqlite3_finalize(st);
    note_tmpl_clear(&cur);
    return rc;
}

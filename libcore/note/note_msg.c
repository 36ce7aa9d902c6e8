/* note_msg: a note's content (its attachment and checks), the shop's note
 * delivery and one note line written into the outbox under its key. */
#include "note.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tm.h"
#include "../xalloc.h"

/* ---- a note's content ------------------------------------------------------------- */

void note_msg_attach(struct note_msg *m, const char *path)
{
    char *abs = realpath(path, NULL);
    m->attach = xrealloc(m->attach, (m->nattach + 1) * sizeof *m->attach);
    m->attach[m->nattach++] = abs ? abs : xstrdup(path);
}

void note_msg_clear(struct note_msg *m)
{
    if (!m)
        return;
    free(m->category);
    free(m->title);
    free(m->body);
    free(m->template);
    for (size_t i = 0; i < m->nattach; i++)
        free(m->attach[i]);
    free(m->attach);
    memset(m, 0, sizeof *m);
}

int note_msg_check(struct note_msg *m, int allow_personal, struct qs_err *e)
{
    unsigned ut = 0, ub = 0;
    int rc;

    if (!note_category_valid(m->category))
        return err_set(e, QS_E_USAGE, "R-NOTE-2",
                       "category \"%s\" is not shipping, cancel, return, item, seller-board or "
                       "other",
                       m->category ? m->category : "");
    if ((rc = note_tmpl_parse(m->title, &ut, e)) < 0 || (rc = note_tmpl_parse(m->body, &ub, e)) < 0)
        return rc;
    m->uses = ut | ub;
    /* R-NOTE-3: with placeholders the limits are checked again on each rendered note. */
    if (ut == 0)
        rc = note_check_title(m->title, e);
    else
        rc = note_check_text("title", m->title, LONG_MAX, 0, e);
    if (rc == 0 && ut && strpbrk(m->title, "\r\n"))
        rc = err_set(e, QS_E_DATA, "R-NOTE-3", "the title must be one line");
    if (rc == 0)
        rc = note_check_text("body", m->body, ub ? LONG_MAX : NOTE_BODY_MAX, 0, e);
    if (rc == 0 && !allow_personal && (rc = note_guard("title", m->title, e)) == 0)
        rc = note_guard("body", m->body, e);
    if (rc < 0)
        return rc;
    m->attach_bytes = 0;
    for (size_t i = 0; i < m->nattach; i++) {
        struct stat sb;
        if (stat(m->attach[i], &sb) < 0 || access(m->attach[i], R_OK) < 0)
            return err_set(e, QS_E_USAGE, "R-NOTE-3", "cannot read attachment %s: %s", m->attach[i],
                           strerror(errno));
        if (!S_ISREG(sb.st_mode))
            return err_set(e, QS_E_USAGE, "R-NOTE-3", "attachment %s is not a file", m->attach[i]);
        m->attach_bytes += sb.st_size;
    }
    /* R-NOTE-3: QSM's form takes 4 MB of files in all. */
    if (m->attach_bytes > NOTE_ATTACH_MAX)
        return err_set(e, QS_E_DATA, "R-NOTE-3",
                       "the attachments take %lld bytes together; at most %ld (4 MB) are allowed",
                       m->attach_bytes, NOTE_ATTACH_MAX);
    return 0;
}

int note_delivery_type(struct store *s, const char *shop, const char *delivery,
                       enum deliver_type *type, struct qs_err *e)
{
    struct deliver_spec spec = {0};
    int rc = delivery ? deliver_parse(delivery, "/", &spec, e)
                      : deliver_resolve(s, shop, NOTE_KIND, 0, &spec, e);
    if (rc < 0)
        return rc;
    *type = spec.type;
    if (spec.type != DELIVER_HOOK && spec.type != DELIVER_FILE)
        rc = err_set(e, QS_E_USAGE, "R-NOTE-11",
                     "notes leave by hook: or file: (the QAPI has no method for them), not by "
                     "%s; fix it with qs init --deliver note=hook:COMMAND",
                     spec.text);
    deliver_spec_clear(&spec);
    return rc;
}

int note_enqueue_line(struct store *s, const char *shop, const char *key, const struct note_msg *m,
                      const char *title, const char *body, const char *order_no, const char *rule,
                      time_t now, int *added, struct qs_err *e)
{
    json_t *pl = json_object(), *att = json_array();
    char *text;
    int rc;

    for (size_t i = 0; i < m->nattach; i++) {
        const char *slash = strrchr(m->attach[i], '/');
        struct stat sb;
        json_int_t size = stat(m->attach[i], &sb) == 0 ? (json_int_t)sb.st_size : -1;
        json_array_append_new(att, json_pack("{s:s, s:s, s:I}", "path", m->attach[i], "name",
                                             slash ? slash + 1 : m->attach[i], "size", size));
    }
    /* R-NOTE-1: order, category, title, body, attachments, email flag; a batch note goes
     * to the buyer, only a single one may go to the help centre. */
    json_object_set_new(pl, "order_no", json_string(order_no));
    json_object_set_new(pl, "category", json_string(m->category));
    json_object_set_new(pl, "title", json_string(title));
    json_object_set_new(pl, "body", json_string(body));
    json_object_set_new(pl, "email", json_boolean(m->email));
    json_object_set_new(pl, "channel", json_string(m->help ? "help-centre" : "buyer"));
    json_object_set_new(pl, "attachments", att);
    json_object_set_new(pl, "template", json_string(m->template ? m->template : ""));
    json_object_set_new(pl, "rule", json_string(rule ? rule : ""));
    text = json_dumps(pl, JSON_COMPACT);
    json_decref(pl);
    if (!text)
        return err_set(e, QS_E_DATA, "R-NOTE-3", "order %s: the note is not valid UTF-8", order_no);
    rc = outbox_enqueue(s, shop, NOTE_KIND, key, text, now, NULL, e);
    free(text);
    if (rc < 0)
        return rc;
    if (added)
        *added = rc;
    return 0;
}

/* note.c: qs note -- message buyers: notes, templates, rules, inquiries, delay notices,
 * blacklist (SPEC 3). The verb table and what the verbs share; the verbs are in
 * note_send.c, note_rules.c, note_cs.c and note_buyers.c. Each parses its options,
 * reads its records, calls libcore/note (or libcore/sync for delay notices) and prints
 * records; the rules live there. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "note_cli.h"
#include "../libcore/qapi.h"
#include "../libcore/sync.h"
#include "../libcore/tm.h"
#include "../libcore/xalloc.h"

/* ---- shared helpers ---------------------------------------------------------------- */

/* The verb entry called name (for usage messages). */
const struct qs_verb *nc_verb(const char *name)
{
    for (const struct qs_verb *v = qs_cmd_note.verbs; v->name; v++)
        if (strcmp(v->name, name) == 0)
            return v;
    return qs_cmd_note.verbs;
}

int nc_usage(struct qs_ctx *ctx, const char *v, const char *fmt, const char *arg)
{
    return cmd_usage(ctx, &qs_cmd_note, nc_verb(v), fmt, arg ? arg : "");
}

/* A usage error from libcore: its message and rule, then the verb's usage line. */
int nc_usage_e(struct qs_ctx *ctx, const char *v, const struct qs_err *e)
{
    char msg[1200];
    snprintf(msg, sizeof msg, "%s%s%s%s", e->msg, e->rule[0] ? " (" : "", e->rule,
             e->rule[0] ? ")" : "");
    return cmd_usage(ctx, &qs_cmd_note, nc_verb(v), "%s", msg);
}

/* STYLE.md: a reader that went away (qs note ... | head) ends the output quietly. */
int nc_out_fail(const struct qs_ctx *ctx, int rc, const struct qs_err *e)
{
    if (rc == QS_E_IO && ferror(stdout) && errno == EPIPE)
        return 0;
    return cmd_fail(ctx, rc, e);
}

int nc_open_writer(struct qs_ctx *ctx, const char *const *cols, size_t n, struct rec_writer **w,
                   struct qs_err *e)
{
    struct rec_writer_opts wo = {ctx->format, REC_ENC_UTF8, 0};
    return rec_writer_open(stdout, &wo, cols, n, w, e);
}

/* A whole file as a string (--body-file); malloc'd. */
int nc_read_file(const char *path, char **out, struct qs_err *e)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    size_t n = 0, cap = 4096;
    char *buf;
    if (!fp)
        return err_set(e, QS_E_IO, NULL, "cannot open %s: %s", path, strerror(errno));
    buf = xmalloc(cap);
    for (;;) {
        size_t k = fread(buf + n, 1, cap - n - 1, fp);
        n += k;
        if (k == 0)
            break;
        if (n + 1 == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    buf[n] = '\0';
    int bad = ferror(fp);
    if (fp != stdin)
        fclose(fp);
    if (bad) {
        free(buf);
        return err_set(e, QS_E_IO, NULL, "cannot read %s", path);
    }
    /* A file's last newline is not part of the text. */
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    *out = buf;
    return 0;
}

long nc_parse_long(const char *s, long min, long max, int *ok)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    *ok = !errno && end != s && !*end && v >= min && v <= max;
    return v;
}

const char *const nc_no_names[] = {"order_no", "OrderNo", "orderNo", "ContrNo", "CONTR_NO", NULL};

void nc_strs_add(struct nc_strs *s, const char *v, long line, const char *body)
{
    s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
    s->line = xrealloc(s->line, (s->n + 1) * sizeof *s->line);
    s->body = xrealloc(s->body, (s->n + 1) * sizeof *s->body);
    s->v[s->n] = xstrdup(v);
    s->line[s->n] = line;
    s->body[s->n++] = body ? xstrdup(body) : NULL;
}

void nc_strs_free(struct nc_strs *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i]);
        free(s->body[i]);
    }
    free(s->v);
    free(s->line);
    free(s->body);
}

const char *const nc_body_names[] = {"body", "reply", "contents", NULL};

int nc_strs_rec(const struct rec *r, long line, void *ctx)
{
    struct nc_strs *s = ctx;
    const char *v = cmd_field(r, s->names);
    (void)line;
    if (!v)
        return err_set(s->e, QS_E_DATA, s->rule, "the input has no %s column", s->what);
    nc_strs_add(s, v, line, s->names != nc_no_names ? cmd_field(r, nc_body_names) : NULL);
    return 0;
}

/* Operands as values, "-" or a file as records. */
int nc_read_operands(struct qs_ctx *ctx, const char *vname, int argc, char **argv, int from,
                     enum rec_enc enc, struct nc_strs *s, struct qs_err *e)
{
    if (from >= argc)
        return 0;
    if (strcmp(argv[from], "-") == 0 ||
        (strspn(argv[from], "0123456789") != strlen(argv[from]) && access(argv[from], R_OK) == 0)) {
        if (argc - from > 1) {
            nc_usage(ctx, vname, "one input file at most (or - for stdin)%s", NULL);
            return QS_E_USAGE;
        }
        s->e = e;
        return cmd_each_record(argv[from], enc, nc_strs_rec, s, e);
    }
    for (int i = from; i < argc; i++)
        nc_strs_add(s, argv[i], 0, NULL);
    return 0;
}

const char *const nc_result_cols[] = {"order_no", "result", "key", "ref", "message"};

int nc_print_result(const struct note_result *res, void *p)
{
    struct nc_out *o = p;
    rec_clear(o->r);
    rec_set(o->r, o->id, res->order_no);
    rec_set(o->r, "result", res->result);
    rec_set(o->r, "key", res->key);
    rec_set(o->r, "ref", res->ref);
    rec_set(o->r, "message", res->message);
    return rec_write(o->w, o->r, o->e);
}

/* SPEC 1.3 from a run's outcomes: 75 when something waits for a retry or is unknown (69
 * when nothing went out and the other side never answered), else 1 when some failed. */
int nc_exit_code(const struct note_send_stats *st, int unavailable)
{
    if (st->retry || st->unknown)
        return unavailable && !st->sent && !st->handed_off ? QS_EX_UNAVAILABLE : QS_EX_TEMPFAIL;
    return st->failed ? QS_EX_FAIL : 0;
}

void nc_summary(struct qs_ctx *ctx, const char *verb_done, const struct note_send_stats *st,
                const struct deliver_report *rep)
{
    if (ctx->verbosity < 0)
        return;
    fprintf(stderr, "%s: %s %ld, failed %ld", ctx->prog, verb_done, st->sent,
            st->failed + st->retry + st->unknown);
    if (st->retry)
        fprintf(stderr, " (to retry %ld)", st->retry);
    if (st->unknown)
        fprintf(stderr, " (unknown %ld)", st->unknown);
    if (st->handed_off)
        fprintf(stderr, ", handed off %ld", st->handed_off);
    fputc('\n', stderr);
    if (rep && rep->handoff[0])
        fprintf(stderr, "%s: hand-off written to %s\n", ctx->prog, rep->handoff);
    if (rep && rep->unknown_total)
        fprintf(stderr, "%s: %zu note%s in flight when a run died; --resend-unknown sends them\n",
                ctx->prog, rep->unknown_total, rep->unknown_total == 1 ? "" : "s");
}

void nc_set_time(struct qs_ctx *ctx, struct rec *r, const char *name, const char *iso)
{
    char buf[64] = "";
    time_t t;
    if (iso && tm_parse_utc_iso(iso, &t) == 0 && tm_format(t, cmd_tz(ctx), 0, buf, sizeof buf) < 0)
        buf[0] = '\0';
    rec_set(r, name, buf);
}

/* ---- the verb table ---------------------------------------------------------------------- */

static const struct qs_verb note_verbs[] = {
    {"send", note_send_verb,
     "send [--order NO]... [--status S] [--item CODE] [--ship-by-before DATE] (--template NAME | "
     "--title T --body B) [OPTIONS] [FILE|-]",
     "send notes to buyers of paid orders", QS_NEEDS_SHOP | QS_READS_STDIN, note_send_opts},
    {"template", note_template_verb,
     "template add|edit [--category C] [--title T] [--body B | --body-file FILE] NAME | "
     "template list | template show NAME",
     "manage note templates", QS_NEEDS_SHOP, note_template_opts},
    {"rule", note_rule_verb,
     "rule add --kind K [--after N] (--template NAME | --title T --body B) [OPTIONS] NAME | "
     "rule list | rule enable|disable NAME",
     "manage automatic note rules", QS_NEEDS_SHOP, note_rule_opts},
    {"run", note_run_verb, "run [--now TIME] [--cap N]", "fire due note rules (for cron)",
     QS_NEEDS_SHOP, note_run_opts},
    {"inbox", note_inbox_verb, "inbox [--since TIME] [--status S] [--no-pull]",
     "pull and list buyer inquiries", QS_NEEDS_SHOP, note_inbox_opts},
    {"reply", note_reply_verb,
     "reply (--body TEXT | --body-file FILE | --template NAME) [QUESTION...|FILE|-]",
     "answer buyer inquiries, each exactly once", QS_NEEDS_SHOP | QS_READS_STDIN, note_reply_opts},
    {"delay", note_delay_verb, "delay --ship-by DATE --reason R --memo TEXT [ORDER...|FILE|-]",
     "send delay notices with a new ship date", QS_NEEDS_SHOP | QS_READS_STDIN, note_delay_opts},
    {"blacklist", note_blacklist_verb,
     "blacklist add|rm [--email E | --name N --phone P] [--reason R] [ORDER...|FILE|-] | "
     "blacklist list [--orders]",
     "manage the buyer blacklist", QS_NEEDS_SHOP | QS_READS_STDIN, note_blacklist_opts},
    {"customers", note_customers_verb, "customers [--blacklisted]", "customer statistics",
     QS_NEEDS_SHOP, note_customers_opts},
    {"confirm", note_confirm_verb, "confirm [--handoff DIR] [ORDER...]",
     "mark notes handed off to QSM as sent", QS_NEEDS_SHOP, note_confirm_opts},
    {NULL, NULL, NULL, NULL, 0, NULL},
};

const struct qs_cmd qs_cmd_note = {
    "note",
    "message buyers: notes, templates, rules, inquiries, delay notices",
    note_verbs,
};

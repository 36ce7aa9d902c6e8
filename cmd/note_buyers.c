/* note_buyers.c: qs note blacklist and customers (R-NOTE-10). */
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

/* ---- blacklist and customers (R-NOTE-10) ----------------------------------------------- */

const struct qs_opt note_blacklist_opts[] = {
    {"email", required_argument, OPT_EMAIL, "ADDR", "the buyer's email address"},
    {"name", required_argument, OPT_NAME, "NAME", "the buyer's name (with --phone)"},
    {"phone", required_argument, OPT_PHONE, "TEL", "the buyer's phone number (with --name)"},
    {"reason", required_argument, OPT_REASON, "TEXT", "why (add)"},
    {"orders", no_argument, OPT_ORDERS, NULL, "list: the flagged orders instead of the buyers"},
    {"encoding", required_argument, OPT_ENCODING, "ENC", "input encoding: auto, utf-8 or cp932"},
    {NULL, 0, 0, NULL, NULL},
};

static const char *const bl_cols[] = {"buyer_key", "email", "name",   "phone",
                                      "reason",    "added", "flagged"};

static int print_bl(const struct note_bl_entry *b, void *p)
{
    struct nc_tout *o = p;
    char buf[32];
    rec_clear(o->r);
    rec_set(o->r, "buyer_key", b->key);
    rec_set(o->r, "email", b->email);
    rec_set(o->r, "name", b->name);
    rec_set(o->r, "phone", b->phone);
    rec_set(o->r, "reason", b->reason);
    nc_set_time(o->ctx, o->r, "added", b->added);
    snprintf(buf, sizeof buf, "%ld", b->flagged);
    rec_set(o->r, "flagged", buf);
    return rec_write(o->w, o->r, o->e);
}

static int print_flag(const char *order_no, const char *key, const char *at, void *p)
{
    struct nc_tout *o = p;
    rec_clear(o->r);
    rec_set(o->r, "order_no", order_no);
    rec_set(o->r, "buyer_key", key);
    nc_set_time(o->ctx, o->r, "flagged", at);
    return rec_write(o->w, o->r, o->e);
}

/* One buyer of a blacklist record: email, or buyer/name + phone, or an order number. */
struct blrec {
    struct qs_ctx *ctx;
    int add;
    const char *reason;
    long changed, total;
    struct qs_err *e;
};

static int bl_apply(struct blrec *b, const struct note_buyer *nb)
{
    int changed = 0, rc;
    rc = b->add
             ? note_blacklist_add(b->ctx->store, b->ctx->shop.name, nb, b->reason, &changed, b->e)
             : note_blacklist_rm(b->ctx->store, b->ctx->shop.name, nb, &changed, b->e);
    if (rc == 0) {
        b->changed += changed;
        b->total++;
    }
    return rc;
}

static int bl_rec(const struct rec *r, long line, void *p)
{
    struct blrec *b = p;
    static const char *const email_n[] = {"email", "buyer_email", "BuyerEmail", NULL};
    static const char *const name_n[] = {"name", "buyer", "Buyer", NULL};
    static const char *const tel_n[] = {"phone", "buyer_tel", "BuyerTel", "BuyerMobile", NULL};
    const char *email = cmd_field(r, email_n), *name = cmd_field(r, name_n),
               *tel = cmd_field(r, tel_n), *no = cmd_field(r, nc_no_names);
    struct note_buyer nb;
    (void)line;
    if ((email && *email) || (name && *name && tel && *tel))
        note_buyer_make(&nb, email, name, tel);
    else if (no && *no) {
        int rc = note_buyer_of_order(b->ctx->store, b->ctx->shop.name, no, &nb, b->e);
        if (rc < 0)
            return rc;
    } else
        return err_set(b->e, QS_E_DATA, "R-NOTE-10",
                       "a record names a buyer by email, by name and phone, or by order_no");
    return bl_apply(b, &nb);
}

int note_blacklist_verb(struct qs_ctx *ctx, int argc, char **argv)
{
    struct blrec b = {.ctx = ctx};
    struct cmd_getopt g;
    struct qs_err e;
    const char *act = argc > 1 ? argv[1] : "", *email = NULL, *name = NULL, *phone = NULL;
    enum rec_enc enc = REC_ENC_AUTO;
    int c, rc = 0, orders = 0;

    ctx->prog = "qs note blacklist";
    err_clear(&e);
    b.e = &e;
    if (strcmp(act, "add") && strcmp(act, "rm") && strcmp(act, "list"))
        return nc_usage(ctx, "blacklist", "\"%s\" is not add, rm or list", act);
    argc--, argv++;
    cmd_getopt_init(&g, ctx, &qs_cmd_note, nc_verb("blacklist"));
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        switch (c) {
        case OPT_EMAIL:
            email = optarg;
            break;
        case OPT_NAME:
            name = optarg;
            break;
        case OPT_PHONE:
            phone = optarg;
            break;
        case OPT_REASON:
            b.reason = optarg;
            break;
        case OPT_ORDERS:
            orders = 1;
            break;
        case OPT_ENCODING:
            if (rec_enc_parse(optarg, &enc) < 0)
                return nc_usage(ctx, "blacklist", "--encoding \"%s\" is not auto, utf-8 or cp932",
                                optarg);
            break;
        default:
            return QS_EX_USAGE;
        }
    }
    if (strcmp(act, "list") == 0) {
        struct nc_tout o = {.ctx = ctx, .r = rec_new(), .e = &e};
        static const char *const fcols[] = {"order_no", "buyer_key", "flagged"};
        if (optind < argc || email || name || phone) {
            rec_free(o.r);
            return nc_usage(ctx, "blacklist", "list takes no buyers%s", NULL);
        }
        if ((rc = nc_open_writer(ctx, orders ? fcols : bl_cols, orders ? 3 : 7, &o.w, &e)) == 0) {
            rc = orders ? note_flagged_each(ctx->store, ctx->shop.name, print_flag, &o, &e)
                        : note_blacklist_each(ctx->store, ctx->shop.name, print_bl, &o, &e);
            if (rec_writer_close(o.w, rc < 0 ? NULL : &e) < 0 && rc == 0)
                rc = QS_E_IO;
        }
        rec_free(o.r);
        return rc < 0 ? nc_out_fail(ctx, rc, &e) : 0;
    }
    if (orders)
        return nc_usage(ctx, "blacklist", "--orders goes with list%s", NULL);
    b.add = act[0] == 'a';
    /* All in one transaction: a bad record changes nothing (SPEC 1.3). */
    if ((rc = store_begin(ctx->store, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    if (email || name || phone) {
        struct note_buyer nb;
        if (optind < argc) {
            store_rollback(ctx->store);
            return nc_usage(ctx, "blacklist", "--email/--name/--phone take no order numbers%s",
                            NULL);
        }
        if (!email && (!name || !phone)) {
            store_rollback(ctx->store);
            return nc_usage(ctx, "blacklist", "--name needs --phone (R-NOTE-10)%s", NULL);
        }
        note_buyer_make(&nb, email, name, phone);
        rc = bl_apply(&b, &nb);
    } else if (optind >= argc || strcmp(argv[optind], "-") == 0 ||
               (strspn(argv[optind], "0123456789") != strlen(argv[optind]) &&
                access(argv[optind], R_OK) == 0)) {
        rc = cmd_each_record(optind < argc ? argv[optind] : "-", enc, bl_rec, &b, &e);
    } else {
        for (int i = optind; i < argc && rc == 0; i++) {
            struct note_buyer nb;
            if ((rc = note_buyer_of_order(ctx->store, ctx->shop.name, argv[i], &nb, &e)) == 0)
                rc = bl_apply(&b, &nb);
            else
                err_record(&e, argv[i]);
        }
    }
    if (rc < 0) {
        store_rollback(ctx->store);
        return cmd_fail(ctx, rc, &e);
    }
    if ((rc = store_commit(ctx->store, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s %ld buyer%s (%ld already %s)\n", ctx->prog,
                b.add ? "blacklisted" : "removed", b.changed, b.changed == 1 ? "" : "s",
                b.total - b.changed, b.add ? "listed" : "not listed");
    return 0;
}

const struct qs_opt note_customers_opts[] = {
    {"blacklisted", no_argument, OPT_BLACKLISTED, NULL, "only blacklisted buyers"},
    {NULL, 0, 0, NULL, NULL},
};

static const char *const cust_cols[] = {"buyer_key",   "buyer",   "orders",        "paid_orders",
                                        "paid_amount", "refunds", "refund_amount", "last_order",
                                        "blacklisted", "flagged"};

struct cout {
    struct nc_tout t;
    int only_bl;
};

static int print_cust(const struct note_customer *c, void *p)
{
    struct cout *o = p;
    struct rec *r = o->t.r;
    char buf[32];
    if (o->only_bl && !c->blacklisted)
        return 0;
    rec_clear(r);
    rec_set(r, "buyer_key", c->key);
    rec_set(r, "buyer", c->buyer);
    snprintf(buf, sizeof buf, "%ld", c->orders);
    rec_set(r, "orders", buf);
    snprintf(buf, sizeof buf, "%ld", c->paid_orders);
    rec_set(r, "paid_orders", buf);
    snprintf(buf, sizeof buf, "%lld", c->paid_amount);
    rec_set(r, "paid_amount", buf);
    snprintf(buf, sizeof buf, "%ld", c->refunds);
    rec_set(r, "refunds", buf);
    snprintf(buf, sizeof buf, "%lld", c->refund_amount);
    rec_set(r, "refund_amount", buf);
    nc_set_time(o->t.ctx, r, "last_order", c->last_order);
    rec_set(r, "blacklisted", c->blacklisted ? "yes" : "no");
    snprintf(buf, sizeof buf, "%ld", c->flagged);
    rec_set(r, "flagged", buf);
    return rec_write(o->t.w, r, o->t.e);
}

int note_customers_verb(struct qs_ctx *ctx, int argc, char **argv)
{
    struct cout o = {.t = {.ctx = ctx}};
    struct cmd_getopt g;
    struct qs_err e;
    int c, rc;

    ctx->prog = "qs note customers";
    err_clear(&e);
    cmd_getopt_init(&g, ctx, &qs_cmd_note, nc_verb("customers"));
    while ((c = cmd_getopt(&g, argc, argv)) != -1) {
        if (c != OPT_BLACKLISTED)
            return QS_EX_USAGE;
        o.only_bl = 1;
    }
    if (optind < argc)
        return nc_usage(ctx, "customers", "unexpected argument \"%s\"", argv[optind]);
    o.t.r = rec_new();
    o.t.e = &e;
    if ((rc = nc_open_writer(ctx, cust_cols, 10, &o.t.w, &e)) == 0) {
        rc = note_customers(ctx->store, ctx->shop.name, print_cust, &o, &e);
        if (rec_writer_close(o.t.w, rc < 0 ? NULL : &e) < 0 && rc == 0)
            rc = QS_E_IO;
    }
    rec_free(o.t.r);
    return rc < 0 ? nc_out_fail(ctx, rc, &e) : 0;
}

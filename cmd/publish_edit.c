/* publish_edit.c: qs publish edit | copy | category | profile | undo | withdraw | check --
 * changes to listings and their checks (SPEC 2.3); the rules live in libcore
 * (publish_edit.c, publish_undo.c, publish_check.c, profile.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "publish_cli.h"
#include "../libcore/profile.h"

static const char *const state_cols[] = {"parent_sku", "state", "result", "message"};
static const char *const edit_cols[] = {"sku",      "parent_sku", "state",  "price",  "quantity",
                                        "shipping", "batch",      "result", "message"};
static const char *const copy_cols[] = {"sku", "parent_sku", "state"};
static const char *const check_cols[] = {"parent_sku", "sku", "rule", "field", "message"};

/* ---- edit (R-PUB-9) ---- */

int publish_edit(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[7];
    struct pc_out o = PC_OUT(ctx, edit_cols);
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
    struct pub_edit_opts eo = {0};
    struct pub_run_opts ro;
    struct pub_run_stats st = {0};
    struct pub_sel sel = {0};
    struct pc_sel sa = {0};
    struct cmd_getopt g;
    struct qapi *q = NULL;
    struct qs_err e;
    long long batch = 0;
    char *end;
    int c, rc;

    err_clear(&e);
    pc_run_opts_init(ctx, &ro);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1) {
        if (pc_sel_opt(ctx, v, c, &sa, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (c) {
        case OPT_PRICE:
            if (pub_price_edit_parse(optarg, &eo.price) < 0)
                return cmd_usage(ctx, &qs_cmd_publish, v,
                                 "--price \"%s\" is not a price of 1-999999999 yen or a change "
                                 "like +10%% or -7.5%% (R-PUB-9)",
                                 optarg);
            eo.has_price = 1;
            break;
        case OPT_QUANTITY:
            errno = 0;
            eo.qty = strtoll(optarg, &end, 10);
            if (!*optarg || *end || errno || eo.qty < 0 || eo.qty > 2147483647LL ||
                *optarg == '+' || *optarg == '-')
                return cmd_usage(ctx, &qs_cmd_publish, v,
                                 "--quantity \"%s\" is not a quantity 0-2147483647", optarg);
            eo.has_qty = 1;
            break;
        case OPT_SHIPPING:
            errno = 0;
            eo.shipping = strtoll(optarg, &end, 10);
            if (!*optarg || *end || errno || eo.shipping < 0 || eo.shipping > 999999999LL ||
                *optarg == '+' || *optarg == '-')
                return cmd_usage(ctx, &qs_cmd_publish, v,
                                 "--shipping \"%s\" is not a whole-yen fee", optarg);
            eo.has_shipping = 1;
            break;
        default:
            return QS_EX_USAGE;
        }
    }
    if (!eo.has_price && !eo.has_qty && !eo.has_shipping)
        return cmd_usage(ctx, &qs_cmd_publish, v, "--price, --quantity or --shipping is needed");
    eo.dry_run = ctx->dry_run;
    if ((rc = pc_select(ctx, v, ops.n, ops.v, &sa, 1, &o, &sel)) != 0)
        return rc;
    o.quiet_rows = ctx->dry_run;
    if ((q = pc_open_qapi(ctx, &e, &rc)))
        rc = pub_edit(ctx->store, q, ctx->shop.name, &sel, &eo, &ro, &cb, &st, &batch, &e);
    qapi_close(q);
    pub_sel_free(&sel);
    if (rc == 0)
        rc = pc_out_close(&o, &e);
    else
        pc_out_close(&o, NULL);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0 && batch)
        fprintf(stderr, "%s: batch %lld (undo: qs publish undo %lld)\n", ctx->prog, batch, batch);
    pc_run_summary(ctx, &st);
    return pc_run_exit(&st);
}

/* ---- copy (R-PUB-10) ---- */

int publish_copy(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[8];
    struct pc_out o = PC_OUT(ctx, copy_cols);
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
    struct pub_sel sel = {0};
    struct pc_sel sa = {0};
    struct cmd_getopt g;
    struct qs_err e;
    const char *suffix = NULL;
    long long batch = 0;
    int c, rc;

    err_clear(&e);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1) {
        if (pc_sel_opt(ctx, v, c, &sa, &rc)) {
            if (rc)
                return rc;
        } else if (c == OPT_SUFFIX) {
            suffix = optarg;
        } else {
            return QS_EX_USAGE;
        }
    }
    if (!suffix || !*suffix)
        return cmd_usage(ctx, &qs_cmd_publish, v, "--suffix S is needed (R-PUB-10)");
    if ((rc = pc_select(ctx, v, ops.n, ops.v, &sa, 1, &o, &sel)) != 0)
        return rc;
    rc = pub_copy(ctx->store, ctx->shop.name, &sel, suffix, ctx->dry_run, &cb, &batch, &e);
    pub_sel_free(&sel);
    if (rc == 0)
        rc = pc_out_close(&o, &e);
    else
        pc_out_close(&o, NULL);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s%ld SKU%s copied as new pending products%s\n", ctx->prog,
                ctx->dry_run ? "dry run, nothing written: " : "", o.rows, o.rows == 1 ? "" : "s",
                batch ? "" : "");
    return 0;
}

/* ---- category (R-PUB-12) ---- */

int publish_category(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[9];
    struct cmd_getopt g;
    struct qs_err e;
    const char *what = "";
    int c, rc;

    err_clear(&e);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1)
        return QS_EX_USAGE;
    if (ops.n != 2)
        return cmd_usage(ctx, &qs_cmd_publish, v, "a group, SKU or Parent SKU and a category");
    if (ctx->dry_run && (rc = store_begin(ctx->store, &e)) < 0)
        return cmd_fail(ctx, rc, &e);
    rc = pub_category(ctx->store, ctx->shop.name, ops.v[0], ops.v[1], &what, &e);
    if (ctx->dry_run)
        store_rollback(ctx->store);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s%s %s has category %s\n", ctx->prog,
                ctx->dry_run ? "dry run, nothing written: " : "", what, ops.v[0], ops.v[1]);
    return 0;
}

/* ---- profile (R-PUB-15) ---- */

struct prof_out {
    struct pc_out o;
    struct rec *r;
    struct qs_err *e;
};

static int prof_row(void *p, const char *name, const char *field, const char *value)
{
    struct prof_out *po = p;
    rec_clear(po->r);
    rec_set(po->r, "profile", name);
    rec_set(po->r, "field", field);
    rec_set(po->r, "value", value);
    return pc_out_row(&po->o, po->r, po->e);
}

static int brand_row(void *p, const char *brand, const char *no)
{
    struct prof_out *po = p;
    rec_clear(po->r);
    rec_set(po->r, "brand", brand);
    rec_set(po->r, "brand_no", no);
    return pc_out_row(&po->o, po->r, po->e);
}

int publish_profile(struct qs_ctx *ctx, int argc, char **argv)
{
    static const char *const cols[] = {"profile", "field", "value"}, *const bcols[] = {"brand",
                                                                                       "brand_no"};
    const struct qs_verb *v = &qs_cmd_publish.verbs[10];
    struct prof_out po = {PC_OUT(ctx, cols), rec_new(), NULL};
    struct cmd_getopt g;
    struct qs_err e;
    const char *group = NULL, *name = NULL;
    char **skus = NULL, **brands = NULL;
    int nskus = 0, nbrands = 0, list_brands = 0, c, rc = 0, changed = 0;

    err_clear(&e);
    po.e = &e;
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1) {
        switch (c) {
        case OPT_GROUP:
            group = optarg;
            break;
        case OPT_SKU:
            skus = realloc(skus, (size_t)(nskus + 1) * sizeof *skus);
            skus[nskus++] = optarg;
            break;
        case OPT_BRAND:
            brands = realloc(brands, (size_t)(nbrands + 1) * sizeof *brands);
            brands[nbrands++] = optarg;
            break;
        case OPT_BRANDS:
            list_brands = 1;
            break;
        default:
            rc = QS_EX_USAGE;
            goto out;
        }
    }
    argc = ops.n, argv = ops.v;
    if (argc > 0 && !strchr(argv[0], '='))
        name = argv[0], argc--, argv++;
    if ((group || nskus) && !name) {
        rc = cmd_usage(ctx, &qs_cmd_publish, v, "--group and --sku need a profile NAME");
        goto out;
    }
    if (name && !prof_name_valid(name)) {
        rc = cmd_usage(ctx, &qs_cmd_publish, v,
                       "profile name \"%s\" is not 1-63 of letters, digits, '.', '_' or '-'", name);
        goto out;
    }
    if (argc > 0 && !name)
        name = PROF_DEFAULT;
    if ((rc = store_begin(ctx->store, &e)) < 0)
        goto fail;
    /* Everything or nothing: the transaction is rolled back at the first bad value. */
    for (int i = 0; i < argc && rc == 0; i++) {
        char *eq = strchr(argv[i], '=');
        char field[64];
        if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof field) {
            store_rollback(ctx->store);
            rc = cmd_usage(ctx, &qs_cmd_publish, v, "\"%s\" is not FIELD=VALUE", argv[i]);
            goto out;
        }
        snprintf(field, sizeof field, "%.*s", (int)(eq - argv[i]), argv[i]);
        int f = prof_field_parse(field);
        if (f < 0) {
            store_rollback(ctx->store);
            rc = cmd_usage(ctx, &qs_cmd_publish, v,
                           "\"%s\" is not a profile field (ShippingNo, AvailableDateType, "
                           "AvailableDateValue, TaxRate, ProductionPlaceType, ProductionPlace, "
                           "AdultYN, ContactInfo, ExpireDate, SecondSubCat, ItemQty, ColorName, "
                           "SizeName) (R-PUB-15)",
                           field);
            goto out;
        }
        rc = prof_set(ctx->store, ctx->shop.name, name, f, eq + 1, &e);
        changed = 1;
    }
    for (int i = 0; i < nbrands && rc == 0; i++) {
        char *eq = strchr(brands[i], '=');
        if (!eq) {
            store_rollback(ctx->store);
            rc =
                cmd_usage(ctx, &qs_cmd_publish, v, "--brand \"%s\" is not NAME=BRANDNO", brands[i]);
            goto out;
        }
        *eq = '\0';
        rc = prof_brand_set(ctx->store, ctx->shop.name, brands[i], eq + 1, &e);
        *eq = '=';
    }
    if (rc == 0 && group)
        rc = prof_assign_group(ctx->store, ctx->shop.name, group, name, &e), changed = 1;
    if (rc == 0 && nskus) {
        struct pub_select_opts so = {skus, nskus, NULL, "-", REC_ENC_AUTO, NULL, NULL};
        struct pub_cb cb = {&po.o, NULL, pc_diag};
        struct pub_sel sel = {0};
        if ((rc = pub_select(ctx->store, ctx->shop.name, &so, &cb, &sel, &e)) == 0)
            rc = pub_profile_assign(ctx->store, ctx->shop.name, &sel, name, &e);
        pub_sel_free(&sel);
        changed = 1;
    }
    if (rc < 0) {
        store_rollback(ctx->store);
        goto fail;
    }
    if (ctx->dry_run)
        store_rollback(ctx->store);
    else if ((rc = store_commit(ctx->store, &e)) < 0)
        goto fail;
    if (list_brands || (nbrands && !name)) {
        po.o.cols = bcols;
        po.o.ncols = 2;
        rc = prof_brand_each(ctx->store, ctx->shop.name, brand_row, &po, &e);
    } else {
        rc = prof_each(ctx->store, ctx->shop.name, name, prof_row, &po, &e);
    }
    if (rc == 0)
        rc = pc_out_close(&po.o, &e);
    if (rc < 0)
        goto fail;
    if (changed && ctx->verbosity >= 0)
        fprintf(stderr, "%s: %s%s%s%s%s%s%s\n", ctx->prog,
                ctx->dry_run ? "dry run, nothing written: " : "", name ? "profile " : "",
                name ? name : "", argc ? " set" : "", group ? ", used by group " : "",
                group ? group : "", nskus ? ", used by the products named" : "");
    if (nbrands && ctx->verbosity >= 0)
        fprintf(stderr, "%s: %d brand%s set\n", ctx->prog, nbrands, nbrands == 1 ? "" : "s");
    goto out;
fail:
    pc_out_close(&po.o, NULL);
    rc = cmd_fail(ctx, rc, &e);
out:
    free(skus);
    free(brands);
    rec_free(po.r);
    return rc;
}

/* ---- undo (R-PUB-13) ---- */

int publish_undo(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[11];
    struct pc_out o = PC_OUT(ctx, state_cols);
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
    struct pub_run_opts ro;
    struct pub_run_stats st = {0};
    struct cmd_getopt g;
    struct qapi *q = NULL;
    struct qs_err e;
    long long batch;
    char *end;
    int c, rc;

    err_clear(&e);
    pc_run_opts_init(ctx, &ro);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1)
        return QS_EX_USAGE;
    if (ops.n != 1)
        return cmd_usage(ctx, &qs_cmd_publish, v, "one BATCH number is needed");
    errno = 0;
    batch = strtoll(ops.v[0], &end, 10);
    if (*end || errno || batch < 1)
        return cmd_usage(ctx, &qs_cmd_publish, v, "BATCH \"%s\" is not a batch number", ops.v[0]);
    o.quiet_rows = ctx->dry_run;
    if ((q = pc_open_qapi(ctx, &e, &rc)))
        rc = pub_undo(ctx->store, q, ctx->shop.name, batch, &ro, &cb, &st, &e);
    qapi_close(q);
    if (rc == 0)
        rc = pc_out_close(&o, &e);
    else
        pc_out_close(&o, NULL);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    pc_run_summary(ctx, &st);
    return pc_run_exit(&st);
}

/* ---- withdraw ---- */

int publish_withdraw(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[12];
    struct pc_out o = PC_OUT(ctx, state_cols);
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
    struct pub_run_opts ro;
    struct pub_run_stats st = {0};
    struct pub_sel sel = {0};
    struct pc_sel sa = {0};
    struct cmd_getopt g;
    struct qapi *q = NULL;
    struct qs_err e;
    long long batch = 0;
    int c, rc;

    err_clear(&e);
    pc_run_opts_init(ctx, &ro);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1)
        if (!pc_sel_opt(ctx, v, c, &sa, &rc) || rc)
            return rc ? rc : QS_EX_USAGE;
    if ((rc = pc_select(ctx, v, ops.n, ops.v, &sa, 1, &o, &sel)) != 0)
        return rc;
    o.quiet_rows = ctx->dry_run;
    if ((q = pc_open_qapi(ctx, &e, &rc)))
        rc = pub_withdraw(ctx->store, q, ctx->shop.name, &sel, &ro, &cb, &st, &batch, &e);
    qapi_close(q);
    pub_sel_free(&sel);
    if (rc == 0)
        rc = pc_out_close(&o, &e);
    else
        pc_out_close(&o, NULL);
    if (rc < 0)
        return cmd_fail(ctx, rc, &e);
    if (ctx->verbosity >= 0 && batch)
        fprintf(stderr, "%s: batch %lld (undo: qs publish undo %lld)\n", ctx->prog, batch, batch);
    pc_run_summary(ctx, &st);
    return pc_run_exit(&st);
}

/* ---- check (R-IMP-9, R-IMP-10, R-PUB-11, 12, 14, 15) ---- */

int publish_check(struct qs_ctx *ctx, int argc, char **argv)
{
    const struct qs_verb *v = &qs_cmd_publish.verbs[13];
    struct pc_out o = PC_OUT(ctx, check_cols);
    struct pub_cb cb = {&o, pc_out_row, pc_diag};
    struct pub_sel sel = {0};
    struct pc_sel sa = {0};
    struct cmd_getopt g;
    struct qs_err e;
    long problems = 0;
    int c, rc;

    err_clear(&e);
    struct pc_ops ops = {alloca((size_t)argc * sizeof(char *)), 0};
    cmd_getopt_init(&g, ctx, &qs_cmd_publish, v);
    while ((c = pc_next_opt(&g, argc, argv, &ops)) != -1)
        if (!pc_sel_opt(ctx, v, c, &sa, &rc) || rc)
            return rc ? rc : QS_EX_USAGE;
    if ((rc = pc_select(ctx, v, ops.n, ops.v, &sa, 0, &o, &sel)) != 0)
        return rc;
    rc = pub_check(ctx->store, ctx->shop.name, &sel, &cb, &problems, &e);
    if (rc == 0)
        rc = pc_out_close(&o, &e);
    else
        pc_out_close(&o, NULL);
    if (rc < 0) {
        pub_sel_free(&sel);
        return cmd_fail(ctx, rc, &e);
    }
    if (ctx->verbosity >= 0)
        fprintf(stderr, "%s: %zu product%s checked, %ld problem%s\n", ctx->prog, sel.n,
                sel.n == 1 ? "" : "s", problems, problems == 1 ? "" : "s");
    pub_sel_free(&sel);
    return problems ? QS_EX_FAIL : 0;
}

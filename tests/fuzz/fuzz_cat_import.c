/* Fuzz target cat_import: the catalog import (SPEC 2.1, R-IMP-1..12) as `qs import
 * products --dry-run` runs it: the record reader, the template's header mapping, every
 * value rule, the options of a qoo10 row, the checks against the store. Input: the reader
 * choice byte of fuzz.h, an options byte (bits 0-1 the template: auto, generic, qoo10, qs;
 * bit 2 --update; bit 3 --skip-bad; bit 6 --strict; bit 7 --fx 151.3), then the file. The
 * store is one file for the process; a dry run must leave it as it was. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "fuzz.h"
#include "shop.h"
#include "store.h"

static struct store *store;
static char dir[] = "/tmp/qs-fuzz-XXXXXX";

static void store_remove(void)
{
    static const char *const files[] = {"qs.db", "qs.db-wal", "qs.db-shm"};
    char path[64];
    store_close(store);
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void store_start(void)
{
    struct qs_err e;
    char path[64];
    int created;
    FUZZ_CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/qs.db", dir);
    FUZZ_CHECK(store_open(path, &store, &e) == 0);
    FUZZ_CHECK(shop_add(store, "fuzz", "Asia/Tokyo", 0, &created, &e) == 0);
    atexit(store_remove);
}

static long count(const char *sql)
{
    sqlite3_stmt *st;
    FUZZ_CHECK(sqlite3_prepare_v2(store_db(store), sql, -1, &st, NULL) == SQLITE_OK);
    FUZZ_CHECK(sqlite3_step(st) == SQLITE_ROW);
    long n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void report(void *ctx, const struct qs_err *e, int warning)
{
    (void)warning;
    ++*(long *)ctx;
    FUZZ_CHECK(e->msg[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum cat_template tpls[4] = {CAT_TPL_AUTO, CAT_TPL_GENERIC, CAT_TPL_QOO10,
                                              CAT_TPL_QS};
    struct fuzz_in in;
    struct cat_import_opts o;
    struct cat_import_stats st;
    long reports = 0;
    struct cat_import_cb cb = {.ctx = &reports, .report = report};
    struct qs_err e;

    if (size < 2 || fuzz_in_parse(data + 1, size - 1, &in) < 0)
        return 0;
    if (!store)
        store_start();
    memset(&o, 0, sizeof o);
    o.tpl = tpls[data[1] & 3];
    o.update = (data[1] & 4) != 0;
    o.skip_bad = (data[1] & 8) != 0;
    o.strict = (data[1] & 64) != 0;
    o.enc = in.enc;
    o.dry_run = 1;
    o.quiet = 1;
    o.group = "fuzz";
    if (data[1] & 128)
        FUZZ_CHECK(cat_fx_parse("151.3", &o.fx) == 0);

    FILE *fp = fuzz_open(&in);
    err_clear(&e);
    int rc = cat_import(store, "fuzz", fp, "fuzz.csv", &o, &cb, &st, &e);
    fclose(fp);
    /* Bad input is 65 (or 64 for a price/quantity file without --update), never an
     * internal or store error; a refusal was reported; a dry run writes nothing. */
    FUZZ_CHECK(rc == 0 || rc == QS_E_DATA || rc == QS_E_USAGE);
    FUZZ_CHECK(rc == 0 || e.msg[0] != '\0');
    FUZZ_CHECK(rc != QS_E_DATA || reports > 0 || st.errors > 0 || e.rule[0] != '\0');
    FUZZ_CHECK(st.errors == 0 || rc != 0 || o.skip_bad);
    FUZZ_CHECK(count("SELECT count(*) FROM product") == 0);
    FUZZ_CHECK(count("SELECT count(*) FROM import_run") == 0);
    return 0;
}

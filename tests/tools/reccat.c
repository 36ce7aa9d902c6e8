/* reccat: a test driver of the record module (not part of qs). Reads every record of
 * FILE (or stdin for "-": CSV, JSON Lines or an .xlsx workbook, whose sheet --sheet names,
 * else its first) and writes them to stdout; with --load also inserts them into a store
 * in one transaction that is committed only when the whole input was good, so the CLI
 * tests can prove that bad input leaves the store unchanged (SPEC 1.3). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "store.h"

static const char usage[] =
    "usage: reccat [--encoding auto|utf-8|cp932] [--format csv|json|table|xlsx]\n"
    "              [--out-encoding utf-8|cp932] [--replace] [--bom] [--excel-safe]\n"
    "              [--max-field BYTES] [--sheet NAME] [--load STOREPATH] FILE|-\n";

struct loader {
    struct store *s;
    sqlite3_stmt *ins;
};

static int load_open(struct loader *l, const char *path, struct qs_err *e)
{
    int rc;
    if ((rc = store_open(path, &l->s, e)) < 0)
        return rc;
    if ((rc = store_exec(l->s, "CREATE TABLE IF NOT EXISTS reccat_rows (line INTEGER, json TEXT)",
                         e)) < 0)
        return rc;
    if ((rc = store_begin(l->s, e)) < 0)
        return rc;
    if (sqlite3_prepare_v2(store_db(l->s), "INSERT INTO reccat_rows (line, json) VALUES (?1, ?2)",
                           -1, &l->ins, NULL) != SQLITE_OK)
        return store_sqlerr(l->s, e, "prepare insert");
    return 0;
}

static int load_row(struct loader *l, long line, const struct rec *r, struct qs_err *e)
{
    char *json = rec_to_json(r);
    int rc = 0;
    sqlite3_bind_int64(l->ins, 1, line);
    sqlite3_bind_text(l->ins, 2, json, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(l->ins) != SQLITE_DONE)
        rc = store_sqlerr(l->s, e, "insert");
    sqlite3_reset(l->ins);
    free(json);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"encoding", required_argument, NULL, 'e'},
        {"format", required_argument, NULL, 'f'},
        {"out-encoding", required_argument, NULL, 'o'},
        {"replace", no_argument, NULL, 'r'},
        {"bom", no_argument, NULL, 'b'},
        {"excel-safe", no_argument, NULL, 'x'},
        {"max-field", required_argument, NULL, 'm'},
        {"sheet", required_argument, NULL, 's'},
        {"load", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct rec_reader_opts ro = {.enc = REC_ENC_AUTO};
    struct rec_writer_opts wo = {.fmt = REC_CSV, .enc = REC_ENC_UTF8};
    const char *load = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'e':
            if (rec_enc_parse(optarg, &ro.enc) < 0)
                goto usage;
            break;
        case 'f':
            if (rec_format_parse(optarg, &wo.fmt) < 0)
                goto usage;
            break;
        case 'o':
            if (rec_enc_parse(optarg, &wo.enc) < 0 || wo.enc == REC_ENC_AUTO)
                goto usage;
            break;
        case 'r':
            wo.replace_unmappable = 1;
            break;
        case 'b':
            wo.bom = 1;
            break;
        case 'x':
            wo.excel_safe = 1;
            break;
        case 'm':
            ro.max_field = strtoul(optarg, NULL, 10);
            break;
        case 's':
            ro.sheet = optarg;
            break;
        case 'l':
            load = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            goto usage;
        }
    }
    if (optind + 1 != argc)
        goto usage;

    const char *path = argv[optind];
    struct qs_err e;
    struct loader l = {NULL, NULL};
    struct rec_reader *rd = NULL;
    struct rec_writer *w = NULL;
    struct rec *r = rec_new();
    int rc = 0;
    err_clear(&e);
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!fp) {
        rc = err_set(&e, QS_E_IO, NULL, "cannot open: %m");
        err_at(&e, path, 0, 0);
        goto out;
    }
    if ((rc = rec_reader_open(fp, path, &ro, &rd, &e)) < 0)
        goto out;
    if ((rc = rec_writer_open(stdout, &wo, NULL, 0, &w, &e)) < 0)
        goto out;
    if (load && (rc = load_open(&l, load, &e)) < 0)
        goto out;
    while ((rc = rec_read(rd, r, &e)) > 0) {
        if ((rc = rec_write(w, r, &e)) < 0)
            break;
        if (l.ins && (rc = load_row(&l, rec_reader_line(rd), r, &e)) < 0)
            break;
    }
    /* All or nothing: the rows are committed only when every one of them was read. */
    if (rc == 0 && l.s)
        rc = store_commit(l.s, &e);
out:
    if (l.ins)
        sqlite3_finalize(l.ins);
    if (rc < 0 && l.s)
        store_rollback(l.s);
    store_close(l.s);
    if (w) {
        struct qs_err we;
        int wrc = rec_writer_close(w, &we);
        if (rc == 0 && wrc < 0) {
            rc = wrc;
            e = we;
        }
    }
    rec_reader_close(rd);
    rec_free(r);
    if (fp && fp != stdin)
        fclose(fp);
    if (rc < 0) {
        char buf[2048];
        fprintf(stderr, "%s\n", err_format(&e, "reccat", buf, sizeof buf));
    }
    return err_exit_code(rc);
usage:
    fputs(usage, stderr);
    return 64;
}

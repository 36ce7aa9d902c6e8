/* xlsxrt: writes N rows with libxlsxwriter -- Japanese text, codes with leading zeros (as
 * strings and as numbers shown through 00000), whole and decimal numbers, dates and
 * date-times by number format, empty cells -- to OUT.xlsx, and the records a reader must
 * get back to OUT.csv (issue 11: the round trip). Usage: xlsxrt OUT N [inline]: with
 * inline, libxlsxwriter's constant-memory mode, whose strings are inline, not shared. */
#include <stdio.h>
#include <stdlib.h>
#include <xlsxwriter.h>

static const char *const names[] = {"赤いマグカップ", "Tote bag, \"large\"", "ノート A5",
                                    "line one\nline two", "タオル"};

int main(int argc, char **argv)
{
    char path[4096], csvpath[4096], code[32], sku[32];
    if (argc != 3 && argc != 4)
        return fprintf(stderr, "usage: xlsxrt OUT N [inline]\n"), 64;
    long n = strtol(argv[2], NULL, 10);
    snprintf(path, sizeof path, "%s.xlsx", argv[1]);
    snprintf(csvpath, sizeof csvpath, "%s.csv", argv[1]);
    lxw_workbook_options wo = {.constant_memory = argc == 4 ? LXW_TRUE : LXW_FALSE};
    lxw_workbook *wb = workbook_new_opt(path, &wo);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "商品");
    lxw_format *pad = workbook_add_format(wb), *date = workbook_add_format(wb);
    lxw_format *when = workbook_add_format(wb);
    format_set_num_format(pad, "00000");
    format_set_num_format(date, "yyyy/mm/dd");
    format_set_num_format(when, "yyyy-mm-dd hh:mm");
    FILE *csv = fopen(csvpath, "w");
    if (!wb || !csv)
        return perror(argv[1]), 74;
    const char *hdr[] = {"sku", "name", "code", "option", "price", "rate", "date", "when", "note"};
    for (int c = 0; c < 9; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, hdr[c], NULL);
    fputs("sku,name,code,option,price,rate,date,when,note\n", csv);
    for (long r = 1; r <= n; r++) {
        const char *name = names[r % 5];
        snprintf(sku, sizeof sku, "SKU-%06ld", r);
        snprintf(code, sizeof code, "%010ld", r * 7 % 100000);
        lxw_datetime d = {2026, 1 + (int)(r % 12), 1 + (int)(r % 28), 0, 0, 0};
        lxw_datetime t = {2026, 12, 3, (int)(r % 24), (int)(r % 60), 0};
        worksheet_write_string(ws, (lxw_row_t)r, 0, sku, NULL);
        worksheet_write_string(ws, (lxw_row_t)r, 1, name, NULL);
        worksheet_write_string(ws, (lxw_row_t)r, 2, code, NULL);
        worksheet_write_number(ws, (lxw_row_t)r, 3, (double)(r % 7), pad);
        worksheet_write_number(ws, (lxw_row_t)r, 4, (double)(r * 10 % 99990), NULL);
        if (r % 3)
            worksheet_write_number(ws, (lxw_row_t)r, 5, 0.25, NULL);
        worksheet_write_datetime(ws, (lxw_row_t)r, 6, &d, date);
        worksheet_write_datetime(ws, (lxw_row_t)r, 7, &t, when);
        /* column 8 (note) stays empty */
        fprintf(csv, "%s,", sku);
        if (name[0] == 'T' || name[0] == 'l') {
            fputc('"', csv);
            for (const char *p = name; *p; p++) {
                if (*p == '"')
                    fputc('"', csv);
                fputc(*p, csv);
            }
            fputc('"', csv);
        } else {
            fputs(name, csv);
        }
        fprintf(csv, ",%s,%05ld,%ld,%s,%04d-%02d-%02d,2026-12-03 %02d:%02d,\n", code, r % 7,
                r * 10 % 99990, r % 3 ? "0.25" : "", d.year, d.month, d.day, t.hour, t.min);
    }
    if (workbook_close(wb) != LXW_NO_ERROR || fclose(csv) != 0)
        return fprintf(stderr, "xlsxrt: write failed\n"), 74;
    return 0;
}

/* stock_print_html: the printable pages of `qs stock labels` (R-STK-9): inbound box labels
 * and, with --own-barcode, Code 128 SKU labels. Each is one standalone HTML page sized for
 * A4 that loads nothing (no fonts, images or scripts from anywhere): print it from a
 * browser, or let qs make a PDF of it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "stock_print.h"
#include "../text.h"

static void head(FILE *fp, const char *title, const char *css)
{
    fputs("<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">\n<title>", fp);
    text_html_escape(fp, title);
    fputs("</title>\n<style>\n@page { size: A4; margin: 10mm; }\n"
          "html, body { margin: 0; padding: 0; background: #fff; color: #000;"
          " font-family: sans-serif; }\n",
          fp);
    fputs(css, fp);
    fputs("</style></head>\n<body>\n", fp);
}

static int finish(FILE *fp, struct qs_err *e)
{
    fputs("</body></html>\n", fp);
    if (fflush(fp) != 0 || ferror(fp))
        return err_set(e, QS_E_IO, NULL, "cannot write the page: %s", strerror(errno));
    return 0;
}

/* Two labels per A4 sheet, each 135 mm high: read from across a loading dock. */
static const char box_css[] =
    ".label { box-sizing: border-box; height: 135mm; margin: 0 0 7mm 0; padding: 8mm;"
    " border: 1.5mm solid #000; display: flex; flex-direction: column;"
    " justify-content: space-between; page-break-inside: avoid; break-inside: avoid; }\n"
    ".label:nth-of-type(2n) { page-break-after: always; break-after: page; }\n"
    ".cap { font-size: 5mm; }\n"
    ".shop-id { font-size: 16mm; font-weight: bold; overflow-wrap: anywhere; }\n"
    ".cargo-no { font-size: 30mm; font-weight: bold; line-height: 1; overflow-wrap: anywhere; }\n"
    ".box { font-size: 18mm; font-weight: bold; text-align: right; }\n";

int stock_boxes_html(FILE *fp, const char *shop_id, const char *cargo_no, long boxes,
                     struct qs_err *e)
{
    char title[160];
    snprintf(title, sizeof title, "cargo %.60s: %ld box label%s", cargo_no, boxes,
             boxes == 1 ? "" : "s");
    head(fp, title, box_css);
    for (long i = 1; i <= boxes; i++) {
        /* SPEC 6 (cargo bundles): the shop ID and the cargo bundle number on every box (seed 004)
         */
        fprintf(fp, "<div class=\"label\" data-box=\"%ld\">\n", i);
        fputs("<div><div class=\"cap\">店铺ID / ショップID / Seller ID</div>"
              "<div class=\"shop-id\">",
              fp);
        text_html_escape(fp, shop_id);
        fputs("</div></div>\n<div><div class=\"cap\">入库号码 / Cargo bundle no.</div>"
              "<div class=\"cargo-no\">",
              fp);
        text_html_escape(fp, cargo_no);
        fprintf(fp,
                "</div></div>\n<div class=\"box\"><span class=\"cap\">箱 / Box</span> "
                "%ld/%ld</div>\n</div>\n",
                i, boxes);
    }
    return finish(fp, e);
}

/* Three columns of 63 x 36 mm labels. */
static const char tag_css[] =
    ".sheet { display: flex; flex-wrap: wrap; gap: 2mm; }\n"
    ".label { box-sizing: border-box; width: 62mm; height: 36mm; padding: 2mm;"
    " border: 0.2mm dashed #999; overflow: hidden; text-align: center;"
    " page-break-inside: avoid; break-inside: avoid; }\n"
    ".label svg { width: 58mm; height: 18mm; display: block; }\n"
    ".code { font-family: monospace; font-size: 4mm; font-weight: bold; }\n"
    ".name { font-size: 2.8mm; white-space: nowrap; overflow: hidden;"
    " text-overflow: ellipsis; }\n";

/* The q_sku as an SVG of bars: quiet zones of 10 modules either side. */
static int bars(FILE *fp, const char *text, struct qs_err *e)
{
    int v[64], n = code128_b(text, v, sizeof v / sizeof v[0]), m;
    char mod[64 * 11 + 16];
    if (n < 0 || n > (int)(sizeof v / sizeof v[0]) ||
        (m = code128_modules(v, (size_t)n, mod, sizeof mod)) < 0)
        return err_set(e, QS_E_SOFTWARE, "R-STK-9", "cannot draw \"%s\" in Code 128 B", text);
    fprintf(fp,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d 40\""
            " preserveAspectRatio=\"none\" shape-rendering=\"crispEdges\""
            " data-modules=\"%s\"><rect width=\"%d\" height=\"40\" fill=\"#fff\"/>",
            m + 20, mod, m + 20);
    for (int i = 0; i < m;) {
        int w = 0;
        if (mod[i] != '1') {
            i++;
            continue;
        }
        while (i + w < m && mod[i + w] == '1')
            w++;
        fprintf(fp, "<rect x=\"%d\" width=\"%d\" height=\"40\"/>", i + 10, w);
        i += w;
    }
    fputs("</svg>", fp);
    return 0;
}

int stock_tags_html(FILE *fp, const struct stock_tags *t, struct qs_err *e)
{
    int rc = 0;
    head(fp, "SKU labels (Code 128, drawn by qs)", tag_css);
    fputs("<div class=\"sheet\">\n", fp);
    for (size_t i = 0; i < t->n && rc == 0; i++) {
        const struct stock_tag *g = &t->v[i];
        for (long c = 0; c < g->count && rc == 0; c++) {
            fputs("<div class=\"label sku\" data-q-sku=\"", fp);
            text_html_escape(fp, g->q_sku);
            fputs("\">", fp);
            if ((rc = bars(fp, g->q_sku, e)) < 0)
                break;
            fputs("<div class=\"code\">", fp);
            text_html_escape(fp, g->q_sku);
            fputs("</div><div class=\"name\">", fp);
            text_html_escape(fp, g->name);
            fputs("</div></div>\n", fp);
        }
    }
    fputs("</div>\n", fp);
    return rc < 0 ? rc : finish(fp, e);
}

/* coupon_preview: the push mail as QSM sends it (R-CPN-10) -- one standalone HTML page
 * that loads nothing, for `qs coupon preview` -- and the items of its BEST ITEM block
 * (R-CPN-7). Reads the tables order_line and market_item, which module sync writes
 * (schema.c); writes no table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "coupon.h"
#include "../tm.h"
#include "../text.h"
#include "../xalloc.h"

#define PREVIEW_DAYS 30 /* R-CPN-7: the sales the top N is approximated from */
#define DAY          86400L

/* The subject line of QSM's push mail (seed 003, 邮件名). */
static const char subject[] = "[Qoo10] ショップクーポンが発行されました！";

/* ---- the items (R-CPN-7) ---- */

void coupon_preview_items_clear(struct coupon_preview_items *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].code);
        free(p->v[i].name);
        free(p->v[i].image_url);
    }
    free(p->v);
    memset(p, 0, sizeof *p);
}

static struct coupon_preview_item *item_add(struct coupon_preview_items *p)
{
    struct coupon_preview_item *it;
    p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
    it = &p->v[p->n++];
    memset(it, 0, sizeof *it);
    return it;
}

/* The image URL of market_item m from its raw GetItemDetailInfo object (qapi.md 3.5:
 * ImageUrl), "" when the object is not JSON or has no such text. CASE evaluates only the
 * branch it takes, so json_type never sees text that is not JSON. */
#define IMAGE_URL                                                                                  \
    "CASE WHEN json_valid(m.raw) THEN CASE json_type(m.raw, '$.ImageUrl')"                         \
    " WHEN 'text' THEN json_extract(m.raw, '$.ImageUrl') ELSE '' END ELSE '' END"

/* A row of item_code, title, price, image URL: one more item. */
static int top_row(sqlite3_stmt *st, void *ctx)
{
    struct coupon_preview_item *it = item_add(ctx);
    it->code = xstrdup(store_col_text(st, 0));
    it->name = xstrdup(store_col_text(st, 1));
    it->price = sqlite3_column_int64(st, 2);
    it->image_url = xstrdup(store_col_text(st, 3));
    return 0;
}

/* A row of title, price, image URL: the item being looked up. */
static int code_row(sqlite3_stmt *st, void *ctx)
{
    struct coupon_preview_item *it = ctx;
    it->name = xstrdup(store_col_text(st, 0));
    it->price = sqlite3_column_int64(st, 1);
    it->image_url = xstrdup(store_col_text(st, 2));
    return 1;
}

int coupon_preview_items(struct store *s, const char *shop, const struct coupon_items *it,
                         time_t now, struct coupon_preview_items *out, struct qs_err *e)
{
    int rc = 0;
    memset(out, 0, sizeof *out);
    if (it->top > 0) {
        char from[32], to[32];
        /* R-CPN-7: QSM picks its own top N; qs approximates it by the quantity sold of
         * each item over the 30 days before now: lines paid or later (status 2..5) that no
         * cancel claim holds (1 requested, 2 cancelling, 3 cancelled, 16 unpaid cancelled,
         * as sync_lines_each reads a status), of items the store knows. */
        out->approx = 1;
        rc = store_each(s,
                        "SELECT l.item_code, m.title, m.price, " IMAGE_URL
                        " FROM order_line l JOIN market_item m"
                        "   ON m.shop = l.shop AND m.item_code = l.item_code"
                        " WHERE l.shop = ?1 AND l.status BETWEEN 2 AND 5"
                        "   AND l.claim NOT IN (1, 2, 3, 16)"
                        "   AND l.order_date >= ?2 AND l.order_date <= ?3"
                        " GROUP BY l.item_code HAVING sum(l.qty) > 0"
                        " ORDER BY sum(l.qty) DESC, l.item_code LIMIT ?4",
                        top_row, out, e, "sssi", shop,
                        tm_utc_iso(now - PREVIEW_DAYS * DAY, from, sizeof from),
                        tm_utc_iso(now, to, sizeof to), it->top);
    } else {
        for (size_t i = 0; i < it->n && rc >= 0; i++) {
            struct coupon_preview_item *p = item_add(out);
            p->code = xstrdup(it->codes[i]);
            p->price = -1;
            rc = store_each(s,
                            "SELECT m.title, m.price, " IMAGE_URL " FROM market_item m"
                            " WHERE m.shop = ?1 AND m.item_code = ?2",
                            code_row, p, e, "ss", shop, it->codes[i]);
            /* A code the store does not know: no name, no price, no image. */
            if (!p->name)
                p->name = xstrdup("");
            if (!p->image_url)
                p->image_url = xstrdup("");
        }
    }
    if (rc < 0) {
        coupon_preview_items_clear(out);
        return rc;
    }
    return 0;
}

/* ---- the page (R-CPN-10) ---- */

/* Writes s percent-encoded as one URL path segment (RFC 3986 unreserved kept). */
static void url_segment(FILE *fp, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c))
            fputc(c, fp);
        else
            fprintf(fp, "%%%02X", c);
    }
}

/* Whole yen with thousands separators: "1,234". Returns buf. */
static const char *yen(long long v, char *buf, size_t size)
{
    char d[32];
    size_t n, o = 0;
    snprintf(d, sizeof d, "%lld", v);
    n = strlen(d);
    for (size_t i = 0; i < n && o + 2 < size; i++) {
        size_t left = n - i; /* digits from here to the end */
        if (i > 0 && d[i - 1] != '-' && left % 3 == 0)
            buf[o++] = ',';
        buf[o++] = d[i];
    }
    buf[o] = '\0';
    return buf;
}

/* Japan time as the mail shows it: "2026/11/25 10:00". */
static const char *jst(time_t t, char *buf, size_t size)
{
    return tm_format_jst(t, "%Y/%m/%d %H:%M", buf, size);
}

static void base64(FILE *fp, const unsigned char *b, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char out[4096];
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned long v = (unsigned long)b[i] << 16;
        if (i + 1 < n)
            v |= (unsigned long)b[i + 1] << 8;
        if (i + 2 < n)
            v |= b[i + 2];
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? tab[v & 63] : '=';
        if (o + 4 > sizeof out) {
            fwrite(out, 1, o, fp);
            o = 0;
        }
    }
    fwrite(out, 1, o, fp);
}

/* 1 when s is an http or https URL: only those become links. */
static int web_url(const char *s)
{
    return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0;
}

/* Everything is inline: the page loads nothing (no script, font, stylesheet or image
 * from anywhere), and its Content-Security-Policy says so to the browser as well. */
static const char head[] =
    "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:;"
    " style-src 'unsafe-inline'\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<meta name=\"generator\" content=\"qs coupon preview\">\n<title>";
static const char style[] =
    "</title>\n<style>\n"
    "body{margin:0;padding:16px 0 32px;background:#eceef1;color:#222;font-size:14px;"
    "line-height:1.5;font-family:\"Noto Sans CJK JP\",\"Hiragino Sans\",\"Yu Gothic\","
    "Meiryo,sans-serif}\n"
    ".preview,.mail{max-width:930px;margin:0 auto;box-sizing:border-box}\n"
    ".preview{padding:0 4px 12px;color:#555;font-size:13px}\n"
    ".preview p{margin:2px 0}\n"
    ".mail{background:#fff;border:1px solid #d3d6db}\n"
    "#subject{margin:0;padding:16px 20px;font-size:20px;border-bottom:1px solid #e3e5e8}\n"
    "#banner img{display:block;width:100%;height:auto}\n"
    ".lead{margin:20px 20px 0}\n"
    "#coupon{margin:16px 20px 24px;padding:16px 20px;border:2px dashed #e4002b;"
    "border-radius:8px;text-align:center}\n"
    "#coupon p{margin:4px 0}\n"
    "#coupon .name{font-size:16px;font-weight:bold}\n"
    "#coupon .discount{font-size:32px;font-weight:bold;color:#e4002b}\n"
    "#best h2{margin:0 20px 12px;font-size:18px;letter-spacing:.1em;"
    "border-bottom:2px solid #222}\n"
    ".warn{margin:0 20px 12px;padding:8px 12px;background:#fff6d5;border:1px solid #e8d48a;"
    "font-size:13px}\n"
    ".items{display:flex;flex-wrap:wrap;gap:12px;padding:0 20px 20px}\n"
    ".item{box-sizing:border-box;width:calc(25% - 9px);padding:10px;border:1px solid "
    "#e3e5e8;overflow-wrap:anywhere;font-size:13px}\n"
    ".item p{margin:2px 0}\n"
    ".item .code{color:#888;font-size:11px}\n"
    ".item .price{font-weight:bold;color:#e4002b}\n"
    ".item .image,.item .image a{color:#06c;font-size:11px}\n"
    ".item .unknown{color:#a00}\n"
    "</style>\n</head>\n<body>\n";

/* The banner, embedded, in its link (R-CPN-8: mini shop, item page or URL). */
static void banner(FILE *fp, const struct coupon_preview *p)
{
    const char *type = NULL, *mime;
    unsigned w = 0, h = 0;
    struct coupon_link l = {NULL, NULL};
    char why[256];
    if (coupon_image_size(p->banner, p->banner_len, &type, &w, &h) != 0) {
        fputs("<p class=\"warn\" id=\"banner-bad\">the banner file is neither a PNG nor a JPEG"
              " image, so it is not shown</p>\n",
              fp);
        return;
    }
    mime = strcmp(type, "png") == 0 ? "image/png" : "image/jpeg";
    fputs("<div id=\"banner\">", fp);
    if (p->link && *p->link && coupon_link_parse(p->link, &l, why, sizeof why) == 0) {
        fputs("<a href=\"", fp);
        if (strcmp(l.kind, "shop") == 0) {
            fputs("https://www.qoo10.jp/shop/", fp);
            url_segment(fp, p->shop ? p->shop : "");
        } else if (strcmp(l.kind, "item") == 0) {
            fputs("https://www.qoo10.jp/g/", fp);
            url_segment(fp, l.target);
        } else {
            text_html_escape(fp, l.target);
        }
        fputs("\">", fp);
    }
    fprintf(fp, "<img alt=\"banner\" width=\"%u\" height=\"%u\" src=\"data:%s;base64,", w, h, mime);
    base64(fp, p->banner, p->banner_len);
    fputs("\">", fp);
    if (l.kind)
        fputs("</a>", fp);
    fputs("</div>\n", fp);
}

/* The coupon's terms as QSM's mail gives them. */
static void terms(FILE *fp, const struct coupon *c)
{
    char a[48], b[48];
    fputs("<section id=\"coupon\">\n<p class=\"name\">", fp);
    text_html_escape(fp, c->name);
    fputs("</p>\n<p class=\"discount\">", fp);
    if (c->kind == COUPON_PERCENT) {
        fprintf(fp, "%lld%%OFF", c->discount);
        if (c->max_discount >= 0)
            fprintf(fp, "（最大%s円）", yen(c->max_discount, a, sizeof a));
    } else {
        fprintf(fp, "%s円OFF", yen(c->discount, a, sizeof a));
    }
    fputs("</p>\n", fp);
    if (c->min_order > 0)
        fprintf(fp, "<p class=\"min-order\">%s円以上のご購入で利用可能</p>\n",
                yen(c->min_order, a, sizeof a));
    fprintf(fp, "<p class=\"valid\">有効期間：%s 〜 %s</p>\n", jst(c->valid_from, a, sizeof a),
            jst(c->valid_to, b, sizeof b));
    if (c->issue_limit >= 0)
        fprintf(fp, "<p class=\"issue-limit\">発行枚数：%s枚</p>\n",
                yen(c->issue_limit, a, sizeof a));
    if (c->per_buyer_limit >= 0)
        fprintf(fp, "<p class=\"per-buyer-limit\">お一人様%s枚まで</p>\n",
                yen(c->per_buyer_limit, a, sizeof a));
    if (c->qsm_no && *c->qsm_no) {
        fputs("<p class=\"qsm-no\">クーポン番号：", fp);
        text_html_escape(fp, c->qsm_no);
        fputs("</p>\n", fp);
    }
    fputs("</section>\n", fp);
}

/* One card of the BEST ITEM block. The image URL is text and a link, never an <img>: the
 * page must load nothing. */
static void card(FILE *fp, const struct coupon_preview_item *it)
{
    char a[48];
    fputs("<div class=\"item\" data-code=\"", fp);
    text_html_escape(fp, it->code);
    fputs("\">\n<p class=\"code\">", fp);
    text_html_escape(fp, it->code);
    fputs("</p>\n", fp);
    if (it->name && *it->name) {
        fputs("<p class=\"name\">", fp);
        text_html_escape(fp, it->name);
        fputs("</p>\n", fp);
    } else {
        fputs("<p class=\"name unknown\">not in the store: qs sync products reads the shop's"
              " items</p>\n",
              fp);
    }
    if (it->price >= 0)
        fprintf(fp, "<p class=\"price\">%s円</p>\n", yen(it->price, a, sizeof a));
    if (it->image_url && *it->image_url) {
        fputs("<p class=\"image\">", fp);
        if (web_url(it->image_url)) {
            fputs("<a href=\"", fp);
            text_html_escape(fp, it->image_url);
            fputs("\">", fp);
            text_html_escape(fp, it->image_url);
            fputs("</a>", fp);
        } else {
            text_html_escape(fp, it->image_url);
        }
        fputs("</p>\n", fp);
    }
    fputs("</div>\n", fp);
}

static void items(FILE *fp, const struct coupon_preview_items *its)
{
    fputs("<section id=\"best\">\n<h2>BEST ITEM</h2>\n", fp);
    if (its && its->approx)
        fputs("<p class=\"warn\" id=\"approx\">QSM chooses the shop's top items itself when it"
              " sends the mail: the items below approximate its choice from the sales in the"
              " store over the 30 days before this preview.</p>\n",
              fp);
    if ((!its || its->n == 0) && its && its->approx)
        fputs("<p class=\"warn\" id=\"no-items\">no item to show: the store has no sales of"
              " items it knows over the 30 days before this preview</p>\n",
              fp);
    else if (!its || its->n == 0)
        fputs("<p class=\"warn\" id=\"no-items\">no item to show</p>\n", fp);
    fputs("<div class=\"items\">\n", fp);
    for (size_t i = 0; its && i < its->n; i++)
        card(fp, &its->v[i]);
    fputs("</div>\n</section>\n", fp);
}

int coupon_preview_write(FILE *fp, const struct coupon_preview *p, struct qs_err *e)
{
    char at[48];
    const char *type = p->type ? p->type : "";
    fputs(head, fp);
    fputs(subject, fp);
    fputs(style, fp);
    /* What the seller reads about the preview, above the mail. */
    fputs("<div class=\"preview\">\n<p>qs coupon preview: shop ", fp);
    text_html_escape(fp, p->shop);
    fputs(", push type ", fp);
    text_html_escape(fp, type);
    fputs(strcmp(type, "ad") == 0     ? "（広告：ショップのファン宛て）"
          : strcmp(type, "comp") == 0 ? "（補償：注文の購入者宛て）"
                                      : "",
          fp);
    fprintf(fp, "</p>\n<p id=\"send-at\">配信日時：%s（日本時間）</p>\n</div>\n",
            jst(p->send_at, at, sizeof at));

    fprintf(fp, "<div class=\"mail\">\n<h1 id=\"subject\">%s</h1>\n", subject);
    if (p->banner)
        banner(fp, p);
    fputs("<p class=\"lead\">", fp);
    text_html_escape(fp, p->shop);
    fputs(" からショップクーポンが発行されました。</p>\n", fp);
    terms(fp, p->c);
    items(fp, p->items);
    fputs("</div>\n</body>\n</html>\n", fp);

    if (fflush(fp) != 0 || ferror(fp))
        return err_set(e, QS_E_IO, NULL, "cannot write the preview page: %s",
                       strerror(errno ? errno : EIO));
    return 0;
}

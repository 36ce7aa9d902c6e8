/* xlsx_book: what the .xlsx reader learns before the first row (SPEC 1.2): the sheets in
 * workbook order and their parts (xl/workbook.xml and its relationships), how each cell
 * style shows numbers (xl/styles.xml), and the shared strings -- the one part held in
 * memory, so it is capped. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "record_int.h"

#define XB_MAX_META ((uint64_t)64 << 20)  /* workbook, relationships, styles */
#define XB_MAX_SST  ((uint64_t)256 << 20) /* shared strings, held in memory */

void xml_unescape(struct rbuf *b, const char *s, size_t n)
{
    size_t i = 0, from = 0;
    /* _xHHHH_ stands for the UTF-16 unit HHHH (Excel writes control characters so;
     * _x005F_ is an escaped '_'). */
    while (i + 7 <= n) {
        unsigned v = 0;
        size_t k;
        if (s[i] != '_' || s[i + 1] != 'x' || s[i + 6] != '_') {
            i++;
            continue;
        }
        for (k = 2; k < 6; k++) {
            char c = s[i + k];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0)
                break;
            v = v * 16 + (unsigned)d;
        }
        if (k < 6 || (v >= 0xD800 && v <= 0xDFFF) || v == 0) {
            i++;
            continue;
        }
        rbuf_add(b, s + from, i - from);
        if (v < 0x80) {
            rbuf_addc(b, (char)v);
        } else if (v < 0x800) {
            rbuf_addc(b, (char)(0xC0 | (v >> 6)));
            rbuf_addc(b, (char)(0x80 | (v & 0x3F)));
        } else {
            rbuf_addc(b, (char)(0xE0 | (v >> 12)));
            rbuf_addc(b, (char)(0x80 | ((v >> 6) & 0x3F)));
            rbuf_addc(b, (char)(0x80 | (v & 0x3F)));
        }
        i += 7;
        from = i;
    }
    if (n > from) /* s may be NULL for an empty text: no pointer arithmetic on it */
        rbuf_add(b, s + from, n - from);
}

/* ---- workbook.xml and its relationships ---- */

struct wb_load {
    struct xbook *b;
    char **rid; /* per sheet, its relationship id */
    size_t cap;
    int pass; /* 0: workbook.xml, 1: its relationships */
};

/* The part a relationship target names, relative to xl/ unless absolute. */
static char *rel_part(const char *target)
{
    struct rbuf b = {0};
    const char *p = target;
    if (*p == '/')
        p++;
    else
        rbuf_adds(&b, "xl/");
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            /* Up one folder: drop the last name added. */
            while (b.len && b.p[b.len - 1] == '/')
                b.len--;
            while (b.len && b.p[b.len - 1] != '/')
                b.len--;
        } else if (!(n == 1 && p[0] == '.') && n) {
            rbuf_add(&b, p, n);
            if (slash)
                rbuf_addc(&b, '/');
        }
        if (!slash)
            break;
        p = slash + 1;
    }
    rbuf_addc(&b, '\0');
    return b.p;
}

static int type_is(const char *type, const char *tail)
{
    size_t n = strlen(type), k = strlen(tail);
    return n >= k && strcmp(type + n - k, tail) == 0;
}

static void XMLCALL wb_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    struct xpart *xp = data;
    struct wb_load *w = xp->ud;
    struct xbook *b = w->b;
    const char *name = xml_local(el), *v;

    if (w->pass == 0 && strcmp(name, "workbookPr") == 0) {
        v = xml_attr(atts, "date1904");
        b->date1904 = v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0);
    } else if (w->pass == 0 && strcmp(name, "sheet") == 0) {
        const char *sn = xml_attr(atts, "name"), *id = xml_attr(atts, "id");
        if (!sn || !id)
            return;
        if (b->nsheets == w->cap) {
            w->cap = w->cap ? 2 * w->cap : 8;
            b->sheets = xrealloc(b->sheets, w->cap * sizeof *b->sheets);
            w->rid = xrealloc(w->rid, w->cap * sizeof *w->rid);
        }
        v = xml_attr(atts, "state");
        b->sheets[b->nsheets] = (struct xsheet){
            .name = xstrdup(sn),
            .hidden = v && strcmp(v, "visible") != 0,
        };
        w->rid[b->nsheets++] = xstrdup(id);
    } else if (w->pass == 1 && strcmp(name, "Relationship") == 0) {
        const char *id = xml_attr(atts, "Id"), *type = xml_attr(atts, "Type");
        const char *target = xml_attr(atts, "Target"), *mode = xml_attr(atts, "TargetMode");
        if (!id || !type || !target || (mode && strcmp(mode, "External") == 0))
            return;
        if (type_is(type, "/sharedStrings") && !b->sst_part)
            b->sst_part = rel_part(target);
        else if (type_is(type, "/styles") && !b->styles_part)
            b->styles_part = rel_part(target);
        for (size_t i = 0; i < b->nsheets; i++)
            if (!b->sheets[i].part && strcmp(w->rid[i], id) == 0) {
                b->sheets[i].part = rel_part(target);
                b->sheets[i].chart = !type_is(type, "/worksheet");
            }
    }
}

static void XMLCALL no_end(void *data, const XML_Char *el)
{
    (void)data, (void)el;
}

static int parse_part(struct xbook *b, const char *part, uint64_t cap, const struct xp_handlers *h,
                      void *ud, struct qs_err *e)
{
    struct xpart xp;
    int rc = xp_open(b->z, part, cap, h, ud, &xp, e);
    if (rc == 0)
        while ((rc = xp_run(&xp)) == 1)
            ;
    xp_close(&xp);
    return rc;
}

static int load_workbook(struct xbook *b, struct qs_err *e)
{
    struct wb_load w = {.b = b};
    const struct xp_handlers h = {wb_start, no_end, NULL, ""};
    int rc;
    if (!xz_has(b->z, "xl/workbook.xml")) {
        err_set(e, QS_E_DATA, NULL,
                "not an Excel workbook: a ZIP archive without xl/workbook.xml (an OpenDocument "
                "or Word file?); save it from Excel or LibreOffice as .xlsx");
        err_at(e, b->name, 0, 0);
        return QS_E_DATA;
    }
    if ((rc = parse_part(b, "xl/workbook.xml", XB_MAX_META, &h, &w, e)) == 0) {
        w.pass = 1;
        if (xz_has(b->z, "xl/_rels/workbook.xml.rels"))
            rc = parse_part(b, "xl/_rels/workbook.xml.rels", XB_MAX_META, &h, &w, e);
    }
    for (size_t i = 0; i < b->nsheets; i++)
        free(w.rid[i]);
    free(w.rid);
    if (rc == 0 && b->nsheets == 0) {
        err_set(e, QS_E_DATA, NULL, "the workbook has no sheet");
        err_at(e, b->name, 0, 0);
        rc = QS_E_DATA;
    }
    return rc;
}

/* ---- styles.xml: how each cell style shows a number ---- */

struct st_load {
    struct xbook *b;
    long *fmt_id; /* per cellXfs entry, its numFmtId */
    size_t nfmt_id, cap;
    long *code_id; /* custom formats: ids and codes */
    char **code;
    size_t ncode, ccap;
    int in_xfs;
};

static void XMLCALL st_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    struct xpart *xp = data;
    struct st_load *s = xp->ud;
    const char *name = xml_local(el), *id = xml_attr(atts, "numFmtId");
    if (strcmp(name, "cellXfs") == 0) {
        s->in_xfs = 1;
    } else if (strcmp(name, "xf") == 0 && s->in_xfs) {
        if (s->nfmt_id == s->cap)
            s->fmt_id = xrealloc(s->fmt_id, (s->cap = s->cap ? 2 * s->cap : 64) * sizeof(long));
        s->fmt_id[s->nfmt_id++] = id ? strtol(id, NULL, 10) : 0;
    } else if (strcmp(name, "numFmt") == 0 && id) {
        const char *code = xml_attr(atts, "formatCode");
        if (s->ncode == s->ccap) {
            s->ccap = s->ccap ? 2 * s->ccap : 16;
            s->code_id = xrealloc(s->code_id, s->ccap * sizeof *s->code_id);
            s->code = xrealloc(s->code, s->ccap * sizeof *s->code);
        }
        s->code_id[s->ncode] = strtol(id, NULL, 10);
        s->code[s->ncode++] = xstrdup(code ? code : "");
    }
}

static void XMLCALL st_end(void *data, const XML_Char *el)
{
    struct xpart *xp = data;
    struct st_load *s = xp->ud;
    if (strcmp(xml_local(el), "cellXfs") == 0)
        s->in_xfs = 0;
}

/* A custom format code's kind (its first section; quoted text, escapes and [colour] or
 * [$-411] brackets skipped; [h] [m] [s] are elapsed time). */
static struct xf classify_code(const char *code)
{
    struct xf f = {XF_GENERAL, 0, 0, 0};
    int date = 0, time = 0, month = 0, zeros = 0, other = 0;
    if (strcasecmp(code, "General") == 0)
        return f;
    for (const char *p = code; *p && *p != ';'; p++) {
        char c = (char)(*p | 0x20);
        if (*p == '"') {
            while (p[1] && p[1] != '"')
                p++;
            p += p[1] != '\0';
            other = 1;
        } else if (*p == '\\' && p[1]) {
            p++;
            other = 1;
        } else if (*p == '[') {
            const char *q = strchr(p, ']');
            if (!q)
                break;
            if (q - p >= 2 && strchr("hHmMsS", p[1]) && (p[1] | 0x20) == (p[q - p - 1] | 0x20))
                time = 1, f.elapsed = (p[1] | 0x20) == 'h';
            p = q;
        } else if (*p == '0') {
            zeros++;
        } else if (c == 'e' && (p[1] == '+' || p[1] == '-')) {
            other = 1; /* 0.00E+00: scientific, not the era */
            p++;
        } else if (c == 'y' || c == 'd' || c == 'e' || c == 'g') {
            date = 1;
        } else if (c == 'h') {
            time = 1;
        } else if (c == 's') {
            time = 1, f.secs = 1;
        } else if (c == 'm') {
            month = 1;
        } else if (*p != '@') {
            other = 1;
        }
    }
    if (month && !time)
        date = 1; /* m is minutes only beside h or s */
    if (date || time)
        f.kind = date && time ? XF_DATETIME : date ? XF_DATE : XF_TIME;
    else if (zeros > 1 && !other && zeros < 256)
        f.kind = XF_PAD, f.width = (unsigned char)zeros;
    return f;
}

/* Excel's built-in formats that show dates or times, in every locale (14-22, 45-47) and
 * the Japanese ones (27-36, 50-58). */
static struct xf classify_builtin(long id)
{
    struct xf f = {XF_GENERAL, 0, 0, 0};
    if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || id == 36 || (id >= 50 && id <= 54) ||
        id == 57 || id == 58)
        f.kind = XF_DATE;
    else if (id == 22)
        f.kind = XF_DATETIME;
    else if ((id >= 18 && id <= 21) || (id >= 32 && id <= 35) || id == 45 || id == 46 || id == 47 ||
             id == 55 || id == 56) {
        f.kind = XF_TIME;
        f.secs = id == 19 || id == 21 || id == 33 || id == 35 || (id >= 45 && id <= 47);
        f.elapsed = id == 46;
    }
    return f;
}

static int load_styles(struct xbook *b, struct qs_err *e)
{
    struct st_load s = {.b = b};
    const struct xp_handlers h = {st_start, st_end, NULL, ""};
    int rc = parse_part(b, b->styles_part, XB_MAX_META, &h, &s, e);
    if (rc == 0) {
        b->xf = xcalloc(s.nfmt_id, sizeof *b->xf);
        b->nxf = s.nfmt_id;
        for (size_t i = 0; i < s.nfmt_id; i++) {
            size_t k = 0;
            while (k < s.ncode && s.code_id[k] != s.fmt_id[i])
                k++;
            b->xf[i] = k < s.ncode ? classify_code(s.code[k]) : classify_builtin(s.fmt_id[i]);
        }
    }
    for (size_t k = 0; k < s.ncode; k++)
        free(s.code[k]);
    free(s.code);
    free(s.code_id);
    free(s.fmt_id);
    return rc;
}

/* ---- sharedStrings.xml ---- */

struct sst_load {
    struct xbook *b;
    struct rbuf raw; /* the text of the string being read, escapes not decoded */
    size_t cap;
    int in_si, in_t, rph; /* inside <si>, a <t> of it, a phonetic run <rPh> */
};

static void XMLCALL sst_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    struct xpart *xp = data;
    struct sst_load *s = xp->ud;
    const char *name = xml_local(el);
    (void)atts;
    if (strcmp(name, "si") == 0)
        s->in_si = 1, s->raw.len = 0;
    else if (strcmp(name, "rPh") == 0)
        s->rph++; /* furigana: not the cell's text */
    else if (strcmp(name, "t") == 0 && s->in_si && !s->rph)
        s->in_t = 1;
}

static void XMLCALL sst_end(void *data, const XML_Char *el)
{
    struct xpart *xp = data;
    struct sst_load *s = xp->ud;
    struct xbook *b = s->b;
    const char *name = xml_local(el);
    if (strcmp(name, "t") == 0) {
        s->in_t = 0;
    } else if (strcmp(name, "rPh") == 0) {
        s->rph -= s->rph > 0;
    } else if (strcmp(name, "si") == 0 && s->in_si) {
        if (b->nsst == s->cap)
            b->sst_off =
                xrealloc(b->sst_off, (s->cap = s->cap ? 2 * s->cap : 1024) * sizeof(size_t));
        b->sst_off[b->nsst++] = b->sst.len;
        xml_unescape(&b->sst, s->raw.p, s->raw.len);
        rbuf_addc(&b->sst, '\0');
        s->in_si = 0;
    }
}

static void XMLCALL sst_text(void *data, const XML_Char *text, int len)
{
    struct xpart *xp = data;
    struct sst_load *s = xp->ud;
    if (s->in_t)
        rbuf_add(&s->raw, text, (size_t)len);
}

static int load_sst(struct xbook *b, struct qs_err *e)
{
    struct sst_load s = {.b = b};
    const struct xp_handlers h = {sst_start, sst_end, sst_text,
                                  " in memory for the shared strings"};
    int rc = parse_part(b, b->sst_part, XB_MAX_SST, &h, &s, e);
    rbuf_free(&s.raw);
    return rc;
}

int xb_load(struct xzip *z, const char *name, struct xbook *b, struct qs_err *e)
{
    int rc;
    memset(b, 0, sizeof *b);
    b->z = z;
    b->name = name;
    if ((rc = load_workbook(b, e)) < 0)
        return rc;
    /* Parts a workbook may lack: no styles, no shared strings (inline strings only). */
    if (!b->styles_part && xz_has(z, "xl/styles.xml"))
        b->styles_part = xstrdup("xl/styles.xml");
    if (!b->sst_part && xz_has(z, "xl/sharedStrings.xml"))
        b->sst_part = xstrdup("xl/sharedStrings.xml");
    if (b->styles_part && xz_has(z, b->styles_part) && (rc = load_styles(b, e)) < 0)
        return rc;
    if (b->sst_part && xz_has(z, b->sst_part) && (rc = load_sst(b, e)) < 0)
        return rc;
    return 0;
}

static void list_sheets(const struct xbook *b, struct rbuf *out)
{
    for (size_t i = 0; i < b->nsheets; i++) {
        if (i)
            rbuf_adds(out, ", ");
        rbuf_adds(out, b->sheets[i].name);
    }
    rbuf_addc(out, '\0');
}

int xb_sheet(const struct xbook *b, const char *sheet, const struct xsheet **out, struct qs_err *e)
{
    const struct xsheet *s = NULL;
    struct rbuf names = {0};
    for (size_t i = 0; i < b->nsheets && !s; i++)
        if (sheet ? strcmp(b->sheets[i].name, sheet) == 0
                  : !b->sheets[i].hidden && !b->sheets[i].chart)
            s = &b->sheets[i];
    if (!s && !sheet) {
        err_set(e, QS_E_DATA, NULL, "the workbook has no visible worksheet");
        goto fail;
    }
    if (!s) {
        list_sheets(b, &names);
        err_set(e, QS_E_DATA, NULL, "no sheet \"%s\" in the workbook; its sheets: %s", sheet,
                names.p);
        goto fail;
    }
    if (s->chart || !s->part) {
        err_set(e, QS_E_DATA, NULL, "sheet \"%s\" is %s, not a worksheet of cells", s->name,
                s->chart ? "a chart" : "missing from the workbook");
        goto fail;
    }
    *out = s;
    return 0;
fail:
    rbuf_free(&names);
    err_at(e, b->name, 0, 0);
    return QS_E_DATA;
}

void xb_free(struct xbook *b)
{
    for (size_t i = 0; i < b->nsheets; i++) {
        free(b->sheets[i].name);
        free(b->sheets[i].part);
    }
    free(b->sheets);
    free(b->sst_part);
    free(b->styles_part);
    rbuf_free(&b->sst);
    free(b->sst_off);
    free(b->xf);
}

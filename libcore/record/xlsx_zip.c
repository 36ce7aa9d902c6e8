/* xlsx_zip: the container layer of the .xlsx reader (SPEC 1.2): the workbook's ZIP opened
 * with libzip, and one part at a time streamed through expat, with every cap a hostile
 * workbook needs (issue 11 item 3): sizes and ratios checked before and while inflating,
 * no DTD at all (so no entity expansion and no external entity), and the input's bytes
 * never trusted to match its headers. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record_int.h"

/* A ZIP local file header; an empty archive starts with its end record. */
#define XZ_MAGIC       "PK\x03\x04"
#define XZ_MAGIC_EMPTY "PK\x05\x06"
/* An OLE2 compound file: Excel 97-2003's .xls. */
#define XZ_OLE "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"

/* A pipe is spooled to a temporary file (libzip needs to seek); past this it is refused. */
#define XZ_MAX_SPOOL ((uint64_t)1 << 30)
/* A part's inflated size may reach XZ_BOMB_SIZE at any ratio; past it, at most
 * XZ_BOMB_RATIO times its compressed size. Sheet XML compresses 5-30 times, and deflate
 * reaches ~1030 at most, which only filler does. */
#define XZ_BOMB_SIZE  ((uint64_t)64 << 20)
#define XZ_BOMB_RATIO 250

struct xzip {
    zip_t *z;
    const char *name; /* the input's name, for messages */
};

static int ends_with_xlsx(const char *name)
{
    size_t n = strlen(name);
    return n >= 5 && strcasecmp(name + n - 5, ".xlsx") == 0;
}

int xlr_sniff(struct rec_src *src, struct qs_err *e)
{
    const unsigned char *p = src->pre;
    size_t n = src->prelen;
    if (n >= 4 && (memcmp(p, XZ_MAGIC, 4) == 0 || memcmp(p, XZ_MAGIC_EMPTY, 4) == 0))
        return 1;
    if (n >= 8 && memcmp(p, XZ_OLE, 8) == 0) {
        err_set(e, QS_E_DATA, NULL,
                "this is an Excel 97-2003 workbook (.xls), which qs does not read; save it "
                "as .xlsx (Excel: Save As, \"Excel Workbook\") or as CSV UTF-8");
        err_at(e, src->name, 0, 0);
        return QS_E_DATA;
    }
    if (ends_with_xlsx(src->name)) {
        /* Read by content (SPEC 1.2), but a file that says .xlsx and is not one is a
         * broken download or a renamed file, never a CSV to guess at. */
        err_set(e, QS_E_DATA, NULL,
                "not an Excel workbook: an .xlsx file is a ZIP archive and this one is not "
                "(a failed download, or a file renamed to .xlsx?)");
        err_at(e, src->name, 0, 0);
        return QS_E_DATA;
    }
    return 0;
}

static int zip_fail(struct qs_err *e, const char *name, zip_error_t *ze)
{
    int code = zip_error_code_zip(ze);
    if (code == ZIP_ER_MEMORY)
        xoom();
    if (code == ZIP_ER_READ || code == ZIP_ER_SEEK || code == ZIP_ER_TMPOPEN)
        err_set(e, QS_E_IO, NULL, "cannot read the workbook: %s", zip_error_strerror(ze));
    else
        err_set(e, QS_E_DATA, NULL,
                "not a readable ZIP archive (%s), so not an .xlsx workbook qs can read; is "
                "the file complete?",
                zip_error_strerror(ze));
    err_at(e, name, 0, 0);
    return code == ZIP_ER_READ || code == ZIP_ER_SEEK ? QS_E_IO : QS_E_DATA;
}

/* A FILE* over the input's bytes from their start, for libzip to own: the same file
 * reopened when it is a regular file, else a temporary file holding the pipe's bytes. */
static int xz_file(struct rec_src *src, FILE **out, struct qs_err *e)
{
    FILE *f;
    if (src->regular) {
        int fd = dup(fileno(src->fp));
        if (fd < 0 || !(f = fdopen(fd, "rb"))) {
            if (fd >= 0)
                close(fd);
            return err_set(e, QS_E_IO, NULL, "cannot read %s: %s", src->name, strerror(errno));
        }
        *out = f;
        return 0;
    }
    if (!(f = tmpfile()))
        return err_set(e, QS_E_IO, NULL, "cannot make a temporary file for the workbook: %s",
                       strerror(errno));
    uint64_t total = src->prelen;
    unsigned char buf[64 * 1024];
    size_t got;
    if (src->prelen && fwrite(src->pre, 1, src->prelen, f) != src->prelen)
        goto werr;
    while ((got = fread(buf, 1, sizeof buf, src->fp)) > 0) {
        if ((total += got) > XZ_MAX_SPOOL) {
            fclose(f);
            err_set(e, QS_E_DATA, NULL,
                    "the workbook on standard input is larger than %llu MiB; give it as a file",
                    (unsigned long long)(XZ_MAX_SPOOL >> 20));
            err_at(e, src->name, 0, 0);
            return QS_E_DATA;
        }
        if (fwrite(buf, 1, got, f) != got)
            goto werr;
    }
    if (ferror(src->fp)) {
        fclose(f);
        return err_set(e, QS_E_IO, NULL, "cannot read %s: %s", src->name, strerror(errno));
    }
    if (fflush(f) != 0)
        goto werr;
    rewind(f);
    *out = f;
    return 0;
werr:
    fclose(f);
    return err_set(e, QS_E_IO, NULL, "cannot write the temporary copy of the workbook: %s",
                   strerror(errno));
}

int xz_open(struct rec_src *src, struct xzip **out, struct qs_err *e)
{
    FILE *f = NULL;
    zip_error_t ze;
    zip_source_t *zs;
    int rc;
    off_t start = 0;

    *out = NULL;
    if (src->regular) {
        off_t pos = ftello(src->fp);
        start = pos >= (off_t)src->prelen ? pos - (off_t)src->prelen : 0;
    }
    if ((rc = xz_file(src, &f, e)) < 0)
        return rc;
    zip_error_init(&ze);
    if (!(zs = zip_source_filep_create(f, (zip_uint64_t)start, -1, &ze))) {
        fclose(f);
        rc = zip_fail(e, src->name, &ze);
        zip_error_fini(&ze);
        return rc;
    }
    struct xzip *z = xcalloc(1, sizeof *z);
    z->name = src->name;
    if (!(z->z = zip_open_from_source(zs, ZIP_RDONLY, &ze))) {
        zip_source_free(zs); /* closes f */
        rc = zip_fail(e, src->name, &ze);
        zip_error_fini(&ze);
        free(z);
        return rc;
    }
    zip_error_fini(&ze);
    *out = z;
    return 0;
}

void xz_close(struct xzip *z)
{
    if (!z)
        return;
    zip_discard(z->z);
    free(z);
}

int xz_has(struct xzip *z, const char *part)
{
    return zip_name_locate(z->z, part, ZIP_FL_NOCASE) >= 0;
}

/* ---- one part through expat ---- */

const char *xml_local(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

const char *xml_attr(const char **atts, const char *local)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(xml_local(atts[i]), local) == 0)
            return atts[i + 1];
    return NULL;
}

int xp_fail(struct xpart *xp, int code)
{
    if (!xp->rc)
        xp->rc = code;
    XML_StopParser(xp->p, XML_FALSE);
    return code;
}

/* A DTD has no place in a workbook; refusing it whole rules out entity expansion
 * (billion laughs) and external entities (XXE) whatever expat would allow. */
static void XMLCALL xp_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int internal)
{
    struct xpart *xp = data;
    (void)name, (void)sysid, (void)pubid, (void)internal;
    err_set(xp->e, QS_E_DATA, NULL,
            "the part %s of the workbook declares a DTD, which .xlsx files never do; refused "
            "(entity expansion)",
            xp->part);
    err_at(xp->e, xp->z->name, 0, 0);
    xp_fail(xp, QS_E_DATA);
}

static void XMLCALL xp_entity(void *data, const XML_Char *name, int param, const XML_Char *value,
                              int len, const XML_Char *base, const XML_Char *sysid,
                              const XML_Char *pubid, const XML_Char *notation)
{
    (void)name, (void)param, (void)value, (void)len, (void)base, (void)sysid, (void)pubid;
    (void)notation;
    xp_doctype(data, NULL, NULL, NULL, 0);
}

static int xp_toobig(struct xpart *xp, const char *why)
{
    err_set(xp->e, QS_E_DATA, NULL, "the part %s of the workbook %s; refused", xp->part, why);
    err_at(xp->e, xp->z->name, 0, 0);
    return QS_E_DATA;
}

/* Checks the part's declared sizes against cap and the ZIP-bomb ratio. */
static int xp_sizes(struct xpart *xp, const zip_stat_t *st, uint64_t cap)
{
    char why[200];
    xp->size = st->size;
    if ((st->valid & ZIP_STAT_SIZE) == 0)
        return xp_toobig(xp, "has no size in the ZIP directory");
    if (st->size > cap) {
        snprintf(why, sizeof why, "inflates to %llu MiB, more than the %llu MiB qs reads%s",
                 (unsigned long long)(st->size >> 20), (unsigned long long)(cap >> 20),
                 xp->what ? xp->what : "");
        return xp_toobig(xp, why);
    }
    if (st->size > XZ_BOMB_SIZE && (st->valid & ZIP_STAT_COMP_SIZE) &&
        st->size / (st->comp_size ? st->comp_size : 1) > XZ_BOMB_RATIO) {
        snprintf(why, sizeof why,
                 "inflates %llu times (%llu MiB from %llu KiB): a ZIP bomb, not a spreadsheet",
                 (unsigned long long)(st->size / (st->comp_size ? st->comp_size : 1)),
                 (unsigned long long)(st->size >> 20), (unsigned long long)(st->comp_size >> 10));
        return xp_toobig(xp, why);
    }
    return 0;
}

int xp_open(struct xzip *z, const char *part, uint64_t cap, const struct xp_handlers *h, void *ud,
            struct xpart *xp, struct qs_err *e)
{
    zip_stat_t st;
    zip_int64_t idx;
    int rc;

    memset(xp, 0, sizeof *xp);
    xp->z = z;
    xp->e = e;
    xp->ud = ud;
    xp->what = h->what;
    snprintf(xp->part, sizeof xp->part, "%s", part);
    if ((idx = zip_name_locate(z->z, part, ZIP_FL_NOCASE)) < 0) {
        err_set(e, QS_E_DATA, NULL, "the workbook is missing its part %s", part);
        err_at(e, z->name, 0, 0);
        return QS_E_DATA;
    }
    zip_stat_init(&st);
    if (zip_stat_index(z->z, (zip_uint64_t)idx, 0, &st) < 0)
        return zip_fail(e, z->name, zip_get_error(z->z));
    if ((rc = xp_sizes(xp, &st, cap)) < 0)
        return rc;
    if (!(xp->f = zip_fopen_index(z->z, (zip_uint64_t)idx, 0)))
        return zip_fail(e, z->name, zip_get_error(z->z));
    if (!(xp->p = XML_ParserCreate("UTF-8")))
        xoom();
    XML_SetUserData(xp->p, xp);
    XML_SetElementHandler(xp->p, h->start, h->end);
    XML_SetCharacterDataHandler(xp->p, h->text);
    XML_SetStartDoctypeDeclHandler(xp->p, xp_doctype);
    XML_SetEntityDeclHandler(xp->p, xp_entity);
    XML_SetParamEntityParsing(xp->p, XML_PARAM_ENTITY_PARSING_NEVER);
    return 0;
}

static int xp_xmlerr(struct xpart *xp)
{
    err_set(xp->e, QS_E_DATA, NULL, "the workbook's XML is broken in %s at its line %lu: %s",
            xp->part, (unsigned long)XML_GetCurrentLineNumber(xp->p),
            XML_ErrorString(XML_GetErrorCode(xp->p)));
    err_at(xp->e, xp->z->name, 0, 0);
    return QS_E_DATA;
}

/* What XML_ParseBuffer or XML_ResumeParser answered, as xp_run's return. */
static int xp_status(struct xpart *xp, enum XML_Status st)
{
    if (st == XML_STATUS_SUSPENDED)
        return 1;
    if (st == XML_STATUS_ERROR)
        return xp->rc ? xp->rc : xp_xmlerr(xp);
    return 0;
}

int xp_run(struct xpart *xp)
{
    int rc;
    if (xp->rc)
        return xp->rc;
    if (xp->suspended) {
        xp->suspended = 0;
        if ((rc = xp_status(xp, XML_ResumeParser(xp->p))) != 0) {
            xp->suspended = rc == 1;
            return rc;
        }
        if (xp->done)
            return 0;
    }
    while (!xp->done) {
        void *buf = XML_GetBuffer(xp->p, XP_CHUNK);
        if (!buf)
            xoom();
        zip_int64_t got = zip_fread(xp->f, buf, XP_CHUNK);
        if (got < 0) {
            /* A CRC mismatch or a broken stream: the ZIP lies about this part. */
            err_set(xp->e, QS_E_DATA, NULL,
                    "the ZIP archive is damaged in the part %s (%s); is the file complete?",
                    xp->part, zip_error_strerror(zip_file_get_error(xp->f)));
            err_at(xp->e, xp->z->name, 0, 0);
            return xp->rc = QS_E_DATA;
        }
        xp->got += (uint64_t)got;
        if (xp->got > xp->size)
            return xp->rc = xp_toobig(xp, "inflates to more than the ZIP directory says (a "
                                          "ZIP bomb or a damaged file)");
        xp->done = got == 0;
        if ((rc = xp_status(xp, XML_ParseBuffer(xp->p, (int)got, xp->done))) != 0) {
            xp->suspended = rc == 1;
            if (rc < 0)
                xp->rc = rc;
            return rc;
        }
    }
    return 0;
}

int xp_suspend(struct xpart *xp)
{
    return XML_StopParser(xp->p, XML_TRUE) == XML_STATUS_OK ? 0 : -1;
}

void xp_close(struct xpart *xp)
{
    if (xp->p)
        XML_ParserFree(xp->p);
    if (xp->f)
        zip_fclose(xp->f);
    xp->p = NULL;
    xp->f = NULL;
}

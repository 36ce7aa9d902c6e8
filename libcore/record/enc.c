/* enc: text encodings of SPEC 1.2 -- UTF-8 validation, CP932 through glibc iconv
 * ("CP932", not "SHIFT_JIS", which rejects NEC/IBM extensions such as ① and maps 0x5C
 * to ¥), and the reader's source: the input as UTF-8 text, whatever its encoding. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "record_int.h"

int enc_utf8_check(const unsigned char *s, size_t n, size_t *ok)
{
    size_t i = 0;
    while (i < n) {
        /* Most input is ASCII: take it eight bytes at a time. */
        if (n - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* Japanese text: three-byte characters whose lead byte needs no range check on
         * the second byte (E1-EC, EE-EF; issue 16). */
        if (c >= 0xE1 && c <= 0xEF && c != 0xED && n - i >= 3 && (s[i + 1] & 0xC0) == 0x80 &&
            (s[i + 2] & 0xC0) == 0x80) {
            i += 3;
            continue;
        }
        size_t need;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            need = 1;
        else if (c == 0xE0)
            need = 2, lo = 0xA0; /* no overlongs */
        else if (c == 0xED)
            need = 2, hi = 0x9F; /* no surrogates */
        else if (c >= 0xE1 && c <= 0xEF)
            need = 2;
        else if (c == 0xF0)
            need = 3, lo = 0x90;
        else if (c >= 0xF1 && c <= 0xF3)
            need = 3;
        else if (c == 0xF4)
            need = 3, hi = 0x8F; /* nothing past U+10FFFF */
        else
            goto bad;
        for (size_t k = 1; k <= need; k++) {
            if (i + k >= n) {
                *ok = i;
                return ENC_UTF8_SHORT;
            }
            unsigned b = s[i + k];
            if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF))
                goto bad;
        }
        i += need + 1;
    }
    *ok = n;
    return ENC_UTF8_OK;
bad:
    *ok = i;
    return ENC_UTF8_BAD;
}

size_t enc_utf8_len(unsigned char c)
{
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    return 1;
}

int enc_open(iconv_t *cd, const char *to, const char *from, struct qs_err *e)
{
    *cd = iconv_open(to, from);
    if (*cd == (iconv_t)-1)
        return err_set(e, QS_E_SOFTWARE, NULL, "cannot convert from %s to %s: %s", from, to,
                       strerror(errno));
    return 0;
}

int enc_to_cp932(iconv_t cd, const char *s, size_t n, int replace, struct rbuf *out, size_t *bad)
{
    char *in = (char *)s;
    size_t inleft = n;
    iconv(cd, NULL, NULL, NULL, NULL);
    while (inleft) {
        /* CP932 never takes more bytes than UTF-8 for the same text. */
        rbuf_need(out, inleft + 16);
        char *o = out->p + out->len;
        size_t oleft = out->cap - out->len - 1;
        size_t r = iconv(cd, &in, &inleft, &o, &oleft);
        out->len = (size_t)(o - out->p);
        if (r != (size_t)-1 || errno == E2BIG)
            continue;
        /* EILSEQ: a character CP932 lacks; EINVAL: a truncated sequence. */
        if (!replace) {
            *bad = (size_t)(in - s);
            return -1;
        }
        rbuf_addc(out, '?');
        size_t k = enc_utf8_len((unsigned char)*in);
        if (k > inleft)
            k = inleft;
        in += k;
        inleft -= k;
    }
    return 0;
}

/* ---- the source ---- */

void src_init(struct rec_src *s, FILE *fp, const char *name, enum rec_enc enc)
{
    struct stat st;
    memset(s, 0, sizeof *s);
    s->fp = fp;
    s->name = name;
    s->enc = enc;
    s->cd = (iconv_t)-1;
    int fd = fileno(fp);
    s->regular = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

void src_fini(struct rec_src *s)
{
    if (s->cd != (iconv_t)-1)
        iconv_close(s->cd);
    free(s->pre);
    free(s->raw);
    free(s->buf);
}

static int src_ioerr(struct rec_src *s, struct qs_err *e)
{
    err_set(e, QS_E_IO, NULL, "read error: %s", strerror(errno ? errno : EIO));
    err_at(e, s->name, 0, 0);
    return QS_E_IO;
}

/* Reads up to n raw bytes: the kept prefix first, then fp. Returns the count (0 at the
 * end) or -1 on a read error. A pipe or terminal returns at each newline, so a record is
 * handled when its line arrives rather than when a whole chunk has. */
static long src_read_raw(struct rec_src *s, unsigned char *dst, size_t n)
{
    size_t got = 0;
    if (s->prepos < s->prelen) {
        got = s->prelen - s->prepos < n ? s->prelen - s->prepos : n;
        memcpy(dst, s->pre + s->prepos, got);
        s->prepos += got;
        if (s->prepos == s->prelen) {
            free(s->pre);
            s->pre = NULL;
            s->prelen = s->prepos = 0;
        }
        return (long)got;
    }
    if (feof(s->fp))
        return 0;
    if (s->regular) {
        got = fread(dst, 1, n, s->fp);
    } else {
        int c;
        flockfile(s->fp);
        while (got < n && (c = getc_unlocked(s->fp)) != EOF) {
            dst[got++] = (unsigned char)c;
            if (c == '\n')
                break;
        }
        funlockfile(s->fp);
    }
    if (got == 0 && ferror(s->fp))
        return -1;
    return (long)got;
}

/*
 * SPEC 1.2 --encoding auto, issue 8 item 12: the lines that hold a non-ASCII byte are
 * sorted into those that are UTF-8 and those that are not; one CP932 row in a UTF-8 file
 * must not turn the whole file into mojibake. A valid line counts as UTF-8 only when it
 * has a character that CP932 cannot also spell: a pair of bytes C2-DF A1-BF is two
 * half-width katakana in CP932 (ﾃｽ is C3 BD) as much as one UTF-8 character (ý), so
 * a line of nothing else counts for neither side.
 */
enum { SCAN_ASCII, SCAN_WEAK, SCAN_UTF8, SCAN_BAD };

struct enc_scan {
    long line;         /* the line being scanned, 1-based */
    int state;         /* of that line: SCAN_* */
    unsigned char bad; /* the byte that makes it not UTF-8 */
    long n[2];         /* lines that are UTF-8 [0] and that are not [1] */
    long first[2];     /* the first line of each */
    unsigned char first_bad;
};

/* The offset of the first byte of p[0..n) past ASCII, or n. */
static size_t scan_ascii(const unsigned char *p, size_t n)
{
    size_t i = 0;
    for (uint64_t w; n - i >= 8; i += 8) {
        memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ULL)
            break;
    }
    while (i < n && p[i] < 0x80)
        i++;
    return i;
}

/* Raises the state of the line by the valid UTF-8 text p[0..n). */
static void scan_mark(struct enc_scan *sc, const unsigned char *p, size_t n)
{
    for (size_t i = scan_ascii(p, n); i < n && sc->state < SCAN_UTF8; i++) {
        if (p[i] < 0xC0)
            continue; /* ASCII, or the rest of a sequence */
        if (p[i] >= 0xE0 || p[i + 1] < 0xA1)
            sc->state = SCAN_UTF8;
        else
            sc->state = SCAN_WEAK;
    }
}

static void scan_line_end(struct enc_scan *sc)
{
    int k = sc->state == SCAN_UTF8 ? 0 : sc->state == SCAN_BAD ? 1 : -1;
    if (k >= 0 && sc->n[k]++ == 0) {
        sc->first[k] = sc->line;
        if (k == 1)
            sc->first_bad = sc->bad;
    }
    sc->line++;
    sc->state = SCAN_ASCII;
}

/* Sorts the lines of p[0..n). Returns the bytes used: all but a UTF-8 character that n
 * cuts, to be given again with what follows. */
static size_t scan_feed(struct enc_scan *sc, const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const unsigned char *lf = memchr(p + i, '\n', n - i);
        size_t end = lf ? (size_t)(lf - p) : n;
        size_t j = i + scan_ascii(p + i, end - i), ok;
        if (j < end && sc->state != SCAN_BAD) {
            int st = enc_utf8_check(p + j, end - j, &ok);
            scan_mark(sc, p + j, ok);
            if (st == ENC_UTF8_SHORT && !lf)
                return j + ok;
            if (st != ENC_UTF8_OK) {
                sc->state = SCAN_BAD;
                sc->bad = p[j + ok];
            }
        }
        if (!lf)
            return n;
        scan_line_end(sc);
        i = end + 1;
    }
    return n;
}

/* Ends the scan; cut is the first byte of a character the input ends inside, or -1. */
static void scan_end(struct enc_scan *sc, int cut)
{
    if (cut >= 0 && sc->state != SCAN_BAD) {
        sc->state = SCAN_BAD;
        sc->bad = (unsigned char)cut;
    }
    scan_line_end(sc);
}

/* "1 other line is" or "N other lines are". */
static const char *scan_lines(long n)
{
    return n == 1 ? "line is" : "lines are";
}

/* Decides the encoding of the lines scanned, or refuses a file that mixes two. */
static int scan_decide(struct rec_src *s, const struct enc_scan *sc, struct qs_err *e)
{
    if (sc->n[1] == 0 || sc->n[0] == 0) {
        s->enc = sc->n[1] == 0 ? REC_ENC_UTF8 : REC_ENC_CP932;
        if (sc->n[1]) /* for the message when the CP932 reading fails too */
            s->auto_line = sc->first[1], s->auto_byte = sc->first_bad;
        return 0;
    }
    /* The majority wins; a tie goes to the encoding of the first of these lines. */
    int utf8 = sc->n[0] != sc->n[1] ? sc->n[0] > sc->n[1] : sc->first[0] < sc->first[1];
    if (utf8)
        err_set(e, QS_E_DATA, NULL,
                "line is not UTF-8 (byte 0x%02x) but %ld other %s (the first is line %ld): "
                "the file mixes encodings; save it again in one encoding, or give "
                "--encoding cp932|utf-8",
                sc->first_bad, sc->n[0], scan_lines(sc->n[0]), sc->first[0]);
    else
        err_set(e, QS_E_DATA, NULL,
                "line is UTF-8 but %ld other %s not (the first is line %ld): the file mixes "
                "encodings; save it again in one encoding, or give --encoding cp932|utf-8",
                sc->n[1], scan_lines(sc->n[1]), sc->first[1]);
    err_at(e, s->name, sc->first[utf8 ? 1 : 0], 0);
    return QS_E_DATA;
}

/* Feeds the rest of a regular file, from where fp is, to the scan; *keep bytes of b (of
 * REC_CHUNK + 4) are a character cut by the last feed. */
static int scan_rest(struct rec_src *s, struct enc_scan *sc, unsigned char *b, size_t *keep,
                     struct qs_err *e)
{
    size_t got, used;
    errno = 0;
    while ((got = fread(b + *keep, 1, REC_CHUNK, s->fp)) > 0) {
        size_t n = *keep + got;
        used = scan_feed(sc, b, n);
        *keep = n - used;
        memmove(b, b + used, *keep);
    }
    return ferror(s->fp) ? src_ioerr(s, e) : 0;
}

/* Scans the whole of a regular file, or the first 1 MiB of a pipe (s->pre). */
static int src_detect(struct rec_src *s, struct qs_err *e)
{
    struct enc_scan sc = {.line = 1};
    size_t used = scan_feed(&sc, s->pre, s->prelen), keep = s->prelen - used;
    int cut = keep ? s->pre[used] : -1;
    if (s->regular && s->prelen == REC_CHUNK && s->utf8_first && sc.n[0] && !sc.n[1] &&
        sc.state != SCAN_BAD) {
        /* Issue 16: the first chunk has UTF-8 lines and no other: the file is UTF-8 or
         * mixes encodings. It is read as UTF-8 in one pass, src_fill_utf8 validating the
         * rest; an invalid byte later sends src_more to src_redetect for the message the
         * scan of the whole file gives here. */
        s->enc = REC_ENC_UTF8;
        s->tentative = 1;
        return 0;
    }
    if (s->regular) {
        off_t at = ftello(s->fp);
        unsigned char *b = xmalloc(REC_CHUNK + 4);
        memcpy(b, s->pre + used, keep);
        int rc = scan_rest(s, &sc, b, &keep, e);
        cut = keep ? b[0] : -1;
        free(b);
        if (rc < 0)
            return rc;
        if (at < 0 || fseeko(s->fp, at, SEEK_SET) != 0)
            return src_ioerr(s, e);
    } else if (s->prelen == REC_AUTO_PREFIX) {
        cut = -1; /* a character cut by the end of the prefix, not of the input */
    }
    scan_end(&sc, cut);
    int rc = scan_decide(s, &sc, e);
    s->auto_utf8 = s->enc == REC_ENC_UTF8 && !s->regular && s->prelen == REC_AUTO_PREFIX;
    return rc;
}

/* A file read as UTF-8 on its first chunk (src_detect) proved not to be: the scan of the
 * whole file, as src_detect makes it, names the lines (QS_E_DATA, located). 0 when the
 * scan finds nothing wrong (the file changed meanwhile): the caller reports the byte. */
static int src_redetect(struct rec_src *s, struct qs_err *e)
{
    struct enc_scan sc = {.line = 1};
    size_t keep = 0;
    unsigned char *b = xmalloc(REC_CHUNK + 4);
    int rc = 0;
    if (s->origin < 0 || fseeko(s->fp, s->origin, SEEK_SET) != 0)
        rc = src_ioerr(s, e);
    else
        rc = scan_rest(s, &sc, b, &keep, e);
    int cut = keep ? b[0] : -1;
    free(b);
    if (rc < 0)
        return rc;
    scan_end(&sc, cut);
    s->enc = REC_ENC_AUTO;
    rc = scan_decide(s, &sc, e);
    s->enc = REC_ENC_UTF8;
    s->located = rc < 0;
    return rc;
}

/* The name of the UTF-16 form of p[0..n), the input's first bytes, or NULL: a byte-order
 * mark, or (most text being ASCII) a zero byte after (LE) or before (BE) many others. */
static const char *src_utf16(const unsigned char *p, size_t n, const char **iconv_name)
{
    size_t zero[2] = {0, 0};
    *iconv_name = "UTF-16";
    if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE)
        return "UTF-16 (byte-order mark FF FE)";
    if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF)
        return "UTF-16 (byte-order mark FE FF)";
    n = (n < 512 ? n : 512) & ~(size_t)1;
    for (size_t i = 0; i < n; i++)
        zero[i & 1] += p[i] == 0;
    if (n < 4 || (zero[0] != 0) == (zero[1] != 0))
        return NULL;
    int le = zero[1] != 0;
    if (4 * zero[le] < n)
        return NULL; /* zero in fewer than half of its places */
    *iconv_name = le ? "UTF-16LE" : "UTF-16BE";
    return le ? "UTF-16LE without a byte-order mark" : "UTF-16BE without a byte-order mark";
}

int src_start(struct rec_src *s, struct qs_err *e)
{
    int rc;
    /* --encoding auto looks at the first 1 MiB of a pipe; otherwise a pipe gives its first
     * line (src_read_raw), so that a record is handled when its line arrives. */
    size_t want = s->enc == REC_ENC_AUTO && !s->regular ? REC_AUTO_PREFIX : REC_CHUNK;
    const char *what, *from;
    s->pre = xmalloc(want);
    s->origin = s->regular ? ftello(s->fp) : -1;
    errno = 0;
    if (s->regular || s->enc == REC_ENC_AUTO) {
        s->prelen = fread(s->pre, 1, want, s->fp);
    } else {
        long got = src_read_raw(s, s->pre, want);
        s->prelen = got > 0 ? (size_t)got : 0;
    }
    if (ferror(s->fp))
        return src_ioerr(s, e);
    /* SPEC 1.2: a workbook is told by its content, before any text encoding is tried. */
    if ((rc = xlr_sniff(s, e)) != 0) {
        s->zip = rc > 0;
        s->started = 1;
        return rc > 0 ? 0 : rc;
    }
    /* Issue 8 item 12: UTF-16 (Excel's "Unicode text") says so, whatever --encoding says. */
    if ((what = src_utf16(s->pre, s->prelen, &from)) != NULL) {
        err_set(e, QS_E_DATA, NULL,
                "the input is %s, which qs does not read; save it as UTF-8 (in Excel: Save "
                "As, \"CSV UTF-8 (Comma delimited)\") or convert it: iconv -f %s -t UTF-8",
                what, from);
        err_at(e, s->name, 1, 0);
        return QS_E_DATA;
    }
    if (s->enc == REC_ENC_AUTO && (rc = src_detect(s, e)) < 0)
        return rc;
    if (s->enc == REC_ENC_CP932 && (rc = enc_open(&s->cd, "UTF-8", "CP932", e)) < 0)
        return rc;
    s->started = 1;
    return 0;
}

/* Makes room for n more bytes of text; doubling, as a long JSON line grows chunk by chunk. */
static void src_room(struct rec_src *s, size_t n)
{
    if (s->cap - s->len >= n)
        return;
    size_t cap = 2 * s->cap > s->len + n ? 2 * s->cap : s->len + n;
    s->buf = xrealloc(s->buf, cap);
    s->cap = cap;
}

static void src_bad_utf8(struct rec_src *s, unsigned char c, int truncated)
{
    s->bad = 1;
    if (truncated)
        snprintf(s->badmsg, sizeof s->badmsg, "input ends inside a UTF-8 character");
    else if (s->auto_utf8)
        snprintf(s->badmsg, sizeof s->badmsg,
                 "invalid UTF-8 byte 0x%02x after the first 1 MiB, which was UTF-8 "
                 "(--encoding auto); give --encoding explicitly",
                 c);
    else
        snprintf(s->badmsg, sizeof s->badmsg,
                 "invalid UTF-8 byte 0x%02x; use --encoding cp932 for Shift_JIS files", c);
}

static int src_fill_utf8(struct rec_src *s, struct qs_err *e)
{
    src_room(s, REC_CHUNK + 8);
    unsigned char *p = (unsigned char *)s->buf + s->len;
    memcpy(p, s->carry, s->ncarry);
    errno = 0;
    long got = src_read_raw(s, p + s->ncarry, REC_CHUNK);
    if (got < 0)
        return src_ioerr(s, e);
    if (got == 0)
        s->eof = 1;
    size_t n = s->ncarry + (size_t)got, ok;
    s->ncarry = 0;
    int st = enc_utf8_check(p, n, &ok);
    if (st == ENC_UTF8_SHORT && !s->eof) {
        s->ncarry = n - ok;
        memcpy(s->carry, p + ok, s->ncarry);
    } else if (st != ENC_UTF8_OK) {
        src_bad_utf8(s, p[ok], st == ENC_UTF8_SHORT);
    }
    s->len += ok;
    return 0;
}

static int src_fill_cp932(struct rec_src *s, struct qs_err *e)
{
    if (!s->raw)
        s->raw = xmalloc(REC_CHUNK + 8);
    errno = 0;
    long got = src_read_raw(s, s->raw + s->rawlen, REC_CHUNK);
    if (got < 0)
        return src_ioerr(s, e);
    if (got == 0)
        s->eof = 1;
    s->rawlen += (size_t)got;
    /* A CP932 byte becomes at most three UTF-8 bytes (half-width katakana). */
    src_room(s, 3 * s->rawlen + 8);
    char *in = (char *)s->raw, *out = s->buf + s->len;
    size_t inleft = s->rawlen, outleft = s->cap - s->len;
    size_t r = iconv(s->cd, &in, &inleft, &out, &outleft);
    int err = errno;
    s->len = (size_t)(out - s->buf);
    if (r == (size_t)-1 && (err != EINVAL || s->eof)) {
        unsigned char *b = (unsigned char *)in;
        s->bad = 1;
        if (err == EINVAL)
            snprintf(s->badmsg, sizeof s->badmsg,
                     "input ends inside a CP932 character (byte 0x%02x)", b[0]);
        else if (inleft > 1 && ((b[0] >= 0x81 && b[0] <= 0x9F) || (b[0] >= 0xE0 && b[0] <= 0xFC)))
            snprintf(s->badmsg, sizeof s->badmsg, "invalid CP932 bytes 0x%02x 0x%02x", b[0], b[1]);
        else
            snprintf(s->badmsg, sizeof s->badmsg, "invalid CP932 byte 0x%02x", b[0]);
        size_t k = strlen(s->badmsg);
        if (s->auto_line) /* --encoding auto read it as CP932: say why */
            snprintf(s->badmsg + k, sizeof s->badmsg - k,
                     "; read as CP932 since line %ld is not UTF-8 (byte 0x%02x): the file is "
                     "neither; fix that byte if it is UTF-8",
                     s->auto_line, s->auto_byte);
        else if (err != EINVAL)
            snprintf(s->badmsg + k, sizeof s->badmsg - k, "; use --encoding utf-8 for UTF-8 files");
    }
    memmove(s->raw, in, inleft);
    s->rawlen = inleft;
    return 0;
}

int src_more(struct rec_src *s, struct qs_err *e)
{
    int rc;
    if (s->pos) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->len -= s->pos;
        s->pos = 0;
    }
    size_t had = s->len;
    /* The first call waits for three bytes, to see whether they are a BOM. */
    while ((s->len == had || (s->started == 1 && s->len < 3)) && !s->eof && !s->bad) {
        rc = s->enc == REC_ENC_CP932 ? src_fill_cp932(s, e) : src_fill_utf8(s, e);
        if (rc < 0)
            return rc;
    }
    if (s->started == 1) {
        s->started = 2;
        /* SPEC 1.2: a UTF-8 BOM is accepted and dropped. */
        if (s->enc == REC_ENC_UTF8 && s->len >= 3 && memcmp(s->buf, REC_BOM, 3) == 0)
            s->pos = 3;
    }
    if (s->len - s->pos > had)
        return 1;
    if (s->bad) {
        if (s->tentative && (rc = src_redetect(s, e)) < 0)
            return rc;
        return err_set(e, QS_E_DATA, NULL, "%s", s->badmsg);
    }
    return s->eof ? 0 : 1;
}

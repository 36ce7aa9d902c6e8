#!/usr/bin/env python3
"""htmlcheck.py PAGE.html [--expect-selector SEL=N]... [--expect-text TEXT]...
                [--screenshot OUT.png] [--chromium PROG] [--timeout S]

Checks a standalone HTML page in a real browser (SPEC 4, R-CPN-10: the push preview "opens
offline and is checked in a real headless browser by the tests"):

  * offline: headless Chromium loads the page twice (--dump-dom, then --screenshot) with
    every request sent to a logging proxy this script runs on 127.0.0.1 -- loopback
    included (--proxy-bypass-list='<-loopback>'), and a resolver that resolves nothing
    else (--host-resolver-rules) -- and the check fails when the proxy saw any request the
    page made;
  * --expect-selector SEL=N: the DOM Chromium built holds exactly N elements matching
    SEL, a simple selector: tag, #id, .class, [attr], [attr=value], or several joined
    (div.item[data-code=A1]); no combinators;
  * --expect-text TEXT: the text of the page's body (whitespace runs read as one space)
    holds TEXT;
  * the screenshot (--window-size=1200,2000; kept at OUT.png with --screenshot) is not
    blank: its pixels are not all one colour (the PNG is decoded here with zlib: 8-bit
    grey, grey+alpha, RGB and RGBA, filter types 0-4).

Exit 0 when every check passes; 1 with one line per failed check on stdout; 2 on a usage
error. Python 3 standard library only; run it with /usr/bin/python3.
"""
import argparse
import html.parser
import os
import re
import shutil
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import zlib

# Chromium's own traffic, made by the browser whatever page it shows: its component and
# extension updater (update.googleapis.com, with the download hosts *.gvt1.com), the
# network time query (clients2.google.com) and the account check at start-up
# (accounts.google.com). Debian's chromium 156 makes some of these even with every
# --disable-* flag below, so requests to these hosts are not counted as the page's. A
# page that loads something from one of them is the one thing this check misses; any
# other host -- example.com, a CDN, 127.0.0.1 -- fails it.
CHROMIUM_OWN = re.compile(
    r'^(update\.googleapis\.com|accounts\.google\.com|clients[0-9]*\.google\.com|'
    r'([a-z0-9-]+\.)*gvt1\.com)$')

FLAGS = [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--no-default-browser-check', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--metrics-recording-only',
    '--disable-default-apps', '--disable-extensions', '--no-pings',
    '--disable-domain-reliability', '--disable-client-side-phishing-detection',
    '--disable-breakpad', '--disable-crash-reporter', '--safebrowsing-disable-auto-update',
    '--disable-features=OptimizationHints,OptimizationHintsFetching,'
    'OptimizationGuideModelDownloading,MediaRouter,Translate,AutofillServerCommunication,'
    'NetworkTimeServiceQuerying',
    '--hide-scrollbars', '--mute-audio',
]


# ---- the proxy: records every request, answers each with 403 -------------------------

class Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(('127.0.0.1', 0), ProxyHandler)
        self.lock = threading.Lock()
        self.requests = []  # (method, target, host)


class ProxyHandler(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            line = self.rfile.readline(65537)
            if not line:
                return
            if line in (b'\r\n', b'\n'):
                continue
            parts = line.decode('latin-1').split()
            method, target = (parts + ['', ''])[:2]
            host, length = '', 0
            while True:
                h = self.rfile.readline(65537)
                if not h or h in (b'\r\n', b'\n'):
                    break
                name, _, value = h.decode('latin-1').partition(':')
                if name.strip().lower() == 'host':
                    host = value.strip()
                elif name.strip().lower() == 'content-length':
                    length = int(value.strip() or 0)
            if length:
                self.rfile.read(length)
            with self.server.lock:
                self.server.requests.append((method, target, request_host(method, target,
                                                                          host)))
            self.wfile.write(b'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n'
                             b'Connection: close\r\n\r\n')
            return


def request_host(method, target, host):
    """The host name a proxied request is for, lower-case, without port."""
    if method == 'CONNECT':
        h = target
    else:
        m = re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#]*)', target)
        h = m.group(1) if m else host
    h = h.rsplit('@', 1)[-1]
    if h.startswith('['):
        return h[1:h.find(']')].lower()
    return h.rsplit(':', 1)[0].lower() if h.count(':') == 1 else h.lower()


# ---- the DOM: elements by simple selector, the body's text ---------------------------

SIMPLE = re.compile(r'([a-zA-Z][a-zA-Z0-9-]*)|#([^.#\[\]\s]+)|\.([^.#\[\]\s]+)|'
                    r'\[([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:=("[^"]*"|\'[^\']*\'|[^\]]*))?\]')


def parse_selector(sel):
    """[(kind, name, value)] for a simple selector, or None when it is not one."""
    out, pos = [], 0
    while pos < len(sel):
        m = SIMPLE.match(sel, pos)
        if not m or (m.group(1) and pos != 0):
            return None
        if m.group(1):
            out.append(('tag', m.group(1).lower(), None))
        elif m.group(2):
            out.append(('id', m.group(2), None))
        elif m.group(3):
            out.append(('class', m.group(3), None))
        else:
            v = m.group(5)
            if v is not None and v[:1] in ('"', "'"):
                v = v[1:-1]
            out.append(('attr', m.group(4).lower(), v))
        pos = m.end()
    return out or None


def matches(parts, tag, attrs):
    a = {k: (v if v is not None else '') for k, v in attrs}
    for kind, name, value in parts:
        if kind == 'tag' and tag != name:
            return False
        if kind == 'id' and a.get('id') != name:
            return False
        if kind == 'class' and name not in a.get('class', '').split():
            return False
        if kind == 'attr' and (name not in a or (value is not None and a[name] != value)):
            return False
    return True


class Dom(html.parser.HTMLParser):
    SKIP = {'script', 'style', 'title', 'template', 'noscript'}

    def __init__(self, selectors):
        super().__init__(convert_charrefs=True)
        self.selectors = selectors  # {text: parts}
        self.counts = {s: 0 for s in selectors}
        self.text = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        self.element(tag, attrs)
        if tag in self.SKIP:
            self.skip += 1

    def handle_startendtag(self, tag, attrs):
        self.element(tag, attrs)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.text.append(data)

    def element(self, tag, attrs):
        for s, parts in self.selectors.items():
            if matches(parts, tag, attrs):
                self.counts[s] += 1


def squash(s):
    return ' '.join(s.split())


# ---- the screenshot: a PNG decoded with zlib -----------------------------------------

def png_pixels(data):
    """(width, height, bytes per pixel, rows) of an 8-bit PNG; rows are unfiltered bytes."""
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG file')
    pos, idat, ihdr = 8, [], None
    while pos + 8 <= len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            ihdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat.append(body)
        elif kind == b'IEND':
            break
        pos += 12 + n
    if not ihdr:
        raise ValueError('no IHDR chunk')
    w, h, depth, ctype, _, _, interlace = ihdr
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if depth != 8 or bpp is None or interlace:
        raise ValueError('colour type %d, depth %d, interlace %d: only 8-bit grey, RGB or '
                         'RGBA without interlace is read' % (ctype, depth, interlace))
    raw = zlib.decompress(b''.join(idat))
    stride = w * bpp
    if len(raw) < h * (stride + 1):
        raise ValueError('image data too short')
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        elif f != 0:
            raise ValueError('row %d has filter type %d' % (y, f))
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def png_colours(path):
    """The number of distinct colours of the PNG at path: 1 or 2 (2: more than one)."""
    with open(path, 'rb') as f:
        w, h, bpp, rows = png_pixels(f.read())
    if not w or not h:
        return 0
    first = rows[0][:bpp]
    one = first * w
    return 1 if all(r == one for r in rows) else 2


# ---- chromium ------------------------------------------------------------------------

def chromium(prog, proxy_port, profile, args, timeout):
    """Runs chromium headless through the proxy: (exit status, stdout, stderr)."""
    cmd = [prog] + FLAGS + [
        '--user-data-dir=' + profile,
        '--proxy-server=http://127.0.0.1:%d' % proxy_port,
        '--proxy-bypass-list=<-loopback>',
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
    ] + args
    env = dict(os.environ, HOME=profile)
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, env=env,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, b'', b'timed out after %d s' % timeout
    except OSError as e:
        return None, b'', str(e).encode()
    return p.returncode, p.stdout, p.stderr


def tail(b):
    lines = b.decode('utf-8', 'replace').strip().splitlines()
    return ' | '.join(lines[-3:]) if lines else '(nothing on stderr)'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[1].strip(),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('page')
    ap.add_argument('--expect-selector', action='append', default=[], metavar='SEL=N')
    ap.add_argument('--expect-text', action='append', default=[], metavar='TEXT')
    ap.add_argument('--screenshot', metavar='OUT.png')
    ap.add_argument('--chromium', default=os.environ.get('QS_CHROMIUM', 'chromium'))
    ap.add_argument('--timeout', type=int, default=90, help='seconds per browser run')
    o = ap.parse_args()

    selectors = {}
    for s in o.expect_selector:
        sel, eq, n = s.rpartition('=')
        parts = parse_selector(sel) if eq else None
        if not parts or not n.isdigit():
            ap.error('--expect-selector %r: give SEL=N, SEL a simple selector '
                     '(tag, #id, .class, [attr], [attr=value])' % s)
        selectors[sel] = (parts, int(n))
    if not os.path.isfile(o.page):
        ap.error('%s: no such file' % o.page)
    if shutil.which(o.chromium) is None:
        ap.error('%s: not found (install the Debian package chromium)' % o.chromium)

    url = 'file://' + os.path.abspath(o.page)
    failed = []
    proxy = Proxy()
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    with tempfile.TemporaryDirectory(prefix='htmlcheck.') as tmp:
        port = proxy.server_address[1]
        rc, dom, err = chromium(o.chromium, port, os.path.join(tmp, 'profile'),
                                ['--dump-dom', url], o.timeout)
        if rc != 0 or not dom.strip():
            failed.append('chromium --dump-dom failed (exit %s): %s' % (rc, tail(err)))
        else:
            d = Dom({s: p for s, (p, _) in selectors.items()})
            d.feed(dom.decode('utf-8', 'replace'))
            d.close()
            for s, (_, want) in selectors.items():
                if d.counts[s] != want:
                    failed.append('selector %s: %d elements, expected %d' %
                                  (s, d.counts[s], want))
            text = squash(''.join(d.text))
            for t in o.expect_text:
                if squash(t) not in text:
                    failed.append('text %r not found in the page' % t)

        shot = os.path.abspath(o.screenshot) if o.screenshot else os.path.join(tmp, 'shot.png')
        if os.path.exists(shot):
            os.unlink(shot)
        rc, _, err = chromium(o.chromium, port, os.path.join(tmp, 'profile'),
                              ['--screenshot=' + shot, '--window-size=1200,2000', url],
                              o.timeout)
        if rc != 0 or not os.path.isfile(shot):
            failed.append('chromium --screenshot failed (exit %s): %s' % (rc, tail(err)))
        else:
            try:
                if png_colours(shot) < 2:
                    failed.append('the screenshot %s is blank: one colour' %
                                  (o.screenshot or 'of the page'))
            except (ValueError, zlib.error, struct.error) as e:
                failed.append('the screenshot %s cannot be read: %s' % (shot, e))
    proxy.shutdown()
    proxy.server_close()

    with proxy.lock:
        seen = [r for r in proxy.requests if not CHROMIUM_OWN.match(r[2])]
    for method, target, _ in seen:
        failed.append('the page made a network request: %s %s' % (method, target))
    for line in dict.fromkeys(failed):  # once each: both runs see the same requests
        print(line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

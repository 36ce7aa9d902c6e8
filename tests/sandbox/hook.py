#!/usr/bin/python3
"""The bundled delivery hook of SPEC 1.7, delivering to the sandbox.

usage: hook.py [--url http://127.0.0.1:PORT] [--workers N] [--timeout S]

qs starts it with `hook:` delivery and writes one JSON request per line to
its stdin: {"id", "kind", "key", "shop", ...payload}.  For each, hook.py POSTs
the request as JSON to <url>/_hook/<kind> and writes one answer line to
stdout as soon as it has it:
    {"id": ..., "ok": true, "ref": "..."}
    {"id": ..., "ok": false, "error": "...", "retry": true|false}
HTTP 5xx, a dropped or refused connection and a timeout are retry:true; an
answer the sandbox refused (4xx) is retry:false.  Answers come in any order.

One thread, one event loop (selectors): it reads stdin while fewer than 64
requests per worker wait, keeps up to --workers deliveries in flight, each on
its own keep-alive connection, and writes each answer when it comes.  (Worker
threads and http.client, as before, cost more CPU per delivery than the
sandbox: the GIL's hand-offs and the email package's header parsing; issue
16.)  At EOF hook.py answers everything read and exits 0.  The URL may also
come from $QS_HOOK_SANDBOX_URL (qs passes a hook the QS_HOOK_* variables of
its caller, not the others) or, run by hand, $QS_SANDBOX_URL; only its
scheme, host and port are used, so the QAPI base URL works too.
"""

import argparse
import collections
import json
import os
import selectors
import socket
import sys
import time
import urllib.parse

MAX_HEAD = 65536


class Dropped(Exception):
    """The connection failed or the answer was not HTTP: the delivery may or may not
    have arrived (retry:true)."""


def failure(rid, what):
    return {"id": rid, "ok": False, "retry": True,
            "error": "sandbox unreachable or connection dropped: %s" % (what,)}


def verdict(rid, status, data):
    """The answer object of an HTTP answer."""
    try:
        ans = json.loads(data.decode("utf-8"))
    except ValueError:
        ans = None
    if status >= 500:
        return {"id": rid, "ok": False, "retry": True, "error": "sandbox answered HTTP %d" % status}
    if status == 200 and isinstance(ans, dict) and ans.get("ok") is True:
        return {"id": rid, "ok": True, "ref": ans.get("ref")}
    err = ans.get("error") if isinstance(ans, dict) else None
    retry = bool(ans.get("retry")) if isinstance(ans, dict) and "retry" in ans else False
    return {"id": rid, "ok": False, "retry": retry,
            "error": err or "sandbox answered HTTP %d" % status}


class Conn:
    """One keep-alive HTTP/1.1 connection, one delivery at a time.  Reads only what the
    sandbox sends: a status line, headers with Content-Length (else the body runs to the
    close), the body."""

    def __init__(self, host, port, timeout):
        self.host, self.port, self.timeout = host, port, timeout
        self.hostline = ("Host: %s:%d\r\n" % (host, port)).encode("ascii")
        self.sock = None
        self.rid = None        # the delivery in flight, None when idle
        self.deadline = 0.0
        self.buf = b""
        self.head = None       # (status, length or None, close) once the headers are in
        self.spent = False     # the connection cannot carry another delivery

    def start(self, rid, kind, body):
        """Sends one delivery; raises Dropped when it could not go out."""
        self.rid, self.buf, self.head, self.spent = rid, b"", None, False
        self.deadline = time.monotonic() + self.timeout
        req = (b"POST /_hook/" + urllib.parse.quote(kind, safe="").encode("ascii") +
               b" HTTP/1.1\r\n" + self.hostline +
               b"Content-Type: application/json\r\nContent-Length: " +
               str(len(body)).encode("ascii") + b"\r\n\r\n" + body)
        try:
            if self.sock is None:
                self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock.sendall(req)
        except OSError as e:
            self.close()
            raise Dropped(e.__class__.__name__)

    def readable(self):
        """Reads what came; -> (status, body) once the answer is whole, else None.
        Raises Dropped.  The caller closes the connection when self.spent."""
        try:
            chunk = self.sock.recv(65536)
        except OSError as e:
            self.spent = True
            raise Dropped(e.__class__.__name__)
        if chunk:
            self.buf += chunk
        elif self.head is None or self.head[1] is not None:
            self.spent = True
            raise Dropped("RemoteDisconnected")
        if self.head is None:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > MAX_HEAD:
                    self.spent = True
                    raise Dropped("LineTooLong")
                return None
            self.head = self.parse_head(self.buf[:end])
            self.buf = self.buf[end + 4:]
        status, length, close = self.head
        if length is None:  # the body runs to the close
            if chunk:
                return None
            body = self.buf
        elif len(self.buf) < length:
            return None
        else:
            body = self.buf[:length]
        self.spent = close or length is None
        self.rid, self.buf, self.head = None, b"", None
        return status, body

    def parse_head(self, head):
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(None, 2)
        self.spent = True  # until the head reads well
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise Dropped("BadStatusLine")
        length, close = None, parts[0] == "HTTP/1.0"
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                if not value.isdigit():
                    raise Dropped("BadContentLength")
                length = int(value)
            elif name == "connection":
                close = value.lower() == "close"
            elif name == "transfer-encoding":
                raise Dropped("ChunkedAnswer")
        self.spent = False
        return int(parts[1]), length, close

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def request(raw):
    """One stdin line -> (id, kind, body) to deliver, or an answer object at once."""
    try:
        req = json.loads(raw.decode("utf-8"))
    except ValueError:
        req = None
    if not isinstance(req, dict):
        return {"id": None, "ok": False, "error": "request is not a JSON object", "retry": False}
    rid = req.get("id")
    kind = req.get("kind")
    if not isinstance(kind, str) or not kind:
        return {"id": rid, "ok": False, "error": "request has no kind", "retry": False}
    if not isinstance(req.get("key"), str) or not req["key"]:
        return {"id": rid, "ok": False, "error": "request has no key", "retry": False}
    return rid, kind, json.dumps(req, ensure_ascii=False).encode("utf-8")


def main(argv=None):
    ap = argparse.ArgumentParser(description="qs delivery hook for the sandbox marketplace")
    # qs passes a hook only QS_HOOK_* of the caller's variables (and PATH, HOME, locale,
    # QS_SHOP): $QS_HOOK_SANDBOX_URL reaches it through qs, $QS_SANDBOX_URL only when
    # hook.py is run by hand.
    ap.add_argument("--url",
                    default=os.environ.get("QS_HOOK_SANDBOX_URL") or os.environ.get("QS_SANDBOX_URL"),
                    help="sandbox URL (default $QS_HOOK_SANDBOX_URL, else $QS_SANDBOX_URL)")
    ap.add_argument("--workers", type=int, default=4, help="concurrent deliveries (default 4)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per delivery (default 30)")
    a = ap.parse_args(argv)
    if not a.url:
        ap.error("no sandbox URL: use --url or set QS_HOOK_SANDBOX_URL")
    u = urllib.parse.urlsplit(a.url)
    if u.scheme != "http" or not u.hostname:
        ap.error("--url must be http://HOST:PORT")
    host, port = u.hostname, u.port or 80
    workers = max(1, a.workers)

    conns = [Conn(host, port, a.timeout) for _ in range(workers)]
    idle = list(conns)
    # Bounded: when the deliveries fall behind, stdin is not read and qs, finding the pipe
    # full, claims no more (its memory stays flat however many notes are due).
    waiting = collections.deque()
    cap = 64 * workers
    out = sys.stdout.buffer
    stdin = sys.stdin.buffer.fileno()
    os.set_blocking(stdin, False)
    sel = selectors.DefaultSelector()
    inbuf, eof, answers, reading = b"", False, [], False

    def finish(c, answer):
        sel.unregister(c.sock)
        if c.spent:
            c.close()
        c.rid = None
        answers.append(answer)
        idle.append(c)

    while True:
        while idle and waiting:
            c = idle.pop()
            rid, kind, body = waiting.popleft()
            try:
                c.start(rid, kind, body)
                sel.register(c.sock, selectors.EVENT_READ, c)
            except Dropped as e:
                c.rid = None
                answers.append(failure(rid, e))
                idle.append(c)
        if answers:
            try:
                out.write("".join(json.dumps(x, ensure_ascii=False) + "\n"
                                  for x in answers).encode("utf-8"))
                out.flush()
            except BrokenPipeError:  # qs went away: nothing left to answer to
                os._exit(0)
            answers = []
        busy = [c for c in conns if c.rid is not None]
        if eof and not waiting and not busy:
            return 0
        want = not eof and len(waiting) < cap
        if want and not reading:
            sel.register(stdin, selectors.EVENT_READ, None)
        elif reading and not want:
            sel.unregister(stdin)
        reading = want
        timeout = None
        if busy:
            timeout = max(0.0, min(c.deadline for c in busy) - time.monotonic())
        for key, _ in sel.select(timeout):
            c = key.data
            if c is None:
                try:
                    chunk = os.read(stdin, 65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    eof, chunk = True, b"\n"
                inbuf += chunk
                if b"\n" not in chunk:  # a long line: split once it has ended
                    continue
                *lines, inbuf = inbuf.split(b"\n")
                for raw in lines:
                    if raw.strip():
                        r = request(raw.strip())
                        (answers if isinstance(r, dict) else waiting).append(r)
                continue
            rid = c.rid
            try:
                got = c.readable()
            except Dropped as e:
                finish(c, failure(rid, e))
                continue
            if got is not None:
                finish(c, verdict(rid, *got))
        now = time.monotonic()
        for c in busy:
            if c.rid is not None and now >= c.deadline:
                c.spent = True
                finish(c, failure(c.rid, "TimeoutError"))


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""The bundled delivery hook of SPEC 1.7, delivering to the sandbox.

usage: hook.py [--url http://127.0.0.1:PORT] [--workers N] [--timeout S]

qs starts it with `hook:` delivery and writes one JSON request per line to
its stdin: {"id", "kind", "key", "shop", ...payload}.  For each, hook.py POSTs
the request as JSON to <url>/_hook/<kind> and writes one answer line to
stdout, flushed at once:
    {"id": ..., "ok": true, "ref": "..."}
    {"id": ..., "ok": false, "error": "...", "retry": true|false}
HTTP 5xx, a dropped or refused connection and a timeout are retry:true; an
answer the sandbox refused (4xx) is retry:false.  Answers come in any order.

One thread reads stdin and queues requests (at most 64 per worker waiting),
worker threads (each with its own keep-alive connection) deliver them and
write the answers, so the reader never waits on a full stdout pipe.  At EOF hook.py answers everything queued
and exits 0.  The URL may also come from $QS_HOOK_SANDBOX_URL (qs passes a
hook the QS_HOOK_* variables of its caller, not the others) or, run by hand,
$QS_SANDBOX_URL; only its scheme, host and port are used, so the QAPI base
URL works too.
"""

import argparse
import http.client
import json
import os
import queue
import socket
import sys
import threading
import urllib.parse


def answer_line(out_lock, obj):
    line = json.dumps(obj, ensure_ascii=False) + "\n"
    with out_lock:
        try:
            sys.stdout.write(line)
            sys.stdout.flush()
        except BrokenPipeError:  # qs went away: nothing left to answer to
            os._exit(0)


class Deliverer:
    """One worker's keep-alive HTTP/1.1 connection to the sandbox.

    A plain socket, not http.client: http.client parses each answer's headers with the
    email package, and the bundled hook then cost more CPU per delivery than the
    sandbox (issue 16).  Only what the sandbox sends is read: a status line, headers
    with Content-Length (else the body runs to the close), the body."""

    def __init__(self, host, port, timeout):
        self.host, self.port, self.timeout = host, port, timeout
        self.sock = None
        self.buf = b""
        self.hostline = ("Host: %s:%d\r\n" % (host, port)).encode("ascii")

    def _recv(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise http.client.RemoteDisconnected("connection closed before the answer ended")
        self.buf += chunk

    def _answer(self):
        """-> (status, body, will_close) of the next answer on the connection."""
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > 65536:
                raise http.client.LineTooLong("answer headers")
            self._recv()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(None, 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise http.client.BadStatusLine(lines[0])
        status, length, close = int(parts[1]), None, parts[0] == "HTTP/1.0"
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                if not value.isdigit():
                    raise http.client.HTTPException("bad Content-Length")
                length = int(value)
            elif name == "connection":
                close = value.lower() == "close"
            elif name == "transfer-encoding":
                raise http.client.HTTPException("chunked answers are not read")
        if length is None:  # the body runs to the close
            try:
                while True:
                    self._recv()
            except http.client.RemoteDisconnected:
                pass
            body, self.buf = self.buf, b""
            return status, body, True
        while len(self.buf) < length:
            self._recv()
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, body, close

    def post(self, kind, body):
        """-> (status, parsed JSON or None); raises OSError/HTTPException."""
        try:
            if self.sock is None:
                self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.buf = b""
            self.sock.sendall(b"POST /_hook/" + urllib.parse.quote(kind, safe="").encode("ascii") +
                              b" HTTP/1.1\r\n" + self.hostline +
                              b"Content-Type: application/json\r\nContent-Length: " +
                              str(len(body)).encode("ascii") + b"\r\n\r\n" + body)
            status, data, close = self._answer()
            if close:
                self.close()
        except Exception:
            self.close()
            raise
        try:
            return status, json.loads(data.decode("utf-8"))
        except ValueError:
            return status, None

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None
            self.buf = b""


def deliver(d, req):
    """One request -> its answer object."""
    rid = req.get("id")
    kind = req.get("kind")
    if not isinstance(kind, str) or not kind:
        return {"id": rid, "ok": False, "error": "request has no kind", "retry": False}
    if not isinstance(req.get("key"), str) or not req["key"]:
        return {"id": rid, "ok": False, "error": "request has no key", "retry": False}
    body = json.dumps(req, ensure_ascii=False).encode("utf-8")
    try:
        status, ans = d.post(kind, body)
    except (OSError, http.client.HTTPException) as e:
        return {"id": rid, "ok": False, "retry": True,
                "error": "sandbox unreachable or connection dropped: %s" % (e.__class__.__name__,)}
    if status >= 500:
        return {"id": rid, "ok": False, "retry": True, "error": "sandbox answered HTTP %d" % status}
    if status == 200 and isinstance(ans, dict) and ans.get("ok") is True:
        return {"id": rid, "ok": True, "ref": ans.get("ref")}
    err = ans.get("error") if isinstance(ans, dict) else None
    retry = bool(ans.get("retry")) if isinstance(ans, dict) and "retry" in ans else False
    return {"id": rid, "ok": False, "retry": retry,
            "error": err or "sandbox answered HTTP %d" % status}


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

    # Bounded: when the workers fall behind, the reader stops reading and qs, finding the
    # pipe full, claims no more (its memory stays flat however many notes are due).
    jobs = queue.Queue(maxsize=64 * max(1, a.workers))
    out_lock = threading.Lock()

    def worker():
        d = Deliverer(host, port, a.timeout)
        while True:
            job = jobs.get()
            if job is None:
                d.close()
                return
            what, obj = job
            answer_line(out_lock, deliver(d, obj) if what == "deliver" else obj)

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, a.workers))]
    for t in workers:
        t.start()

    # The reader: this (main) thread only parses and queues, so it never
    # waits on stdout (even its own error answers go through the workers).
    for raw in sys.stdin.buffer:
        line = raw.strip()
        if not line:
            continue
        try:
            req = json.loads(line.decode("utf-8"))
        except ValueError:
            req = None
        if not isinstance(req, dict):
            jobs.put(("answer", {"id": None, "ok": False, "error": "request is not a JSON object",
                                 "retry": False}))
            continue
        jobs.put(("deliver", req))
    for _ in workers:
        jobs.put(None)
    for t in workers:
        t.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())

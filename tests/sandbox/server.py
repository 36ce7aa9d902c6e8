#!/usr/bin/python3
"""qs sandbox marketplace: a local fake of the Qoo10 QAPI on loopback.

usage: server.py [--host 127.0.0.1] [--port 0] [--port-file FILE]
                 [--state FILE] [--seed N] [--log]
                 [--mode invented|documented] [--replay FILE]

Serves
  POST|GET /GMKT.INC.Front.QAPIService/ebayjapan.qapi/<Group>.<Method>  (path form)
  POST|GET /<Group>.<Method>                        (same, base URL at the root)
  GET|POST /GMKT.INC.Front.QAPIService/ebayjapan.qapi?method=...&key=...&v=...
                                                    (legacy query form)
  POST     /_hook/<kind>                            (hook deliveries, SPEC 1.7)
  GET|POST /_control/<name>                         (test control, see README)

Python 3 standard library only.  See README.md in this directory.
"""

import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__

import argparse
import email.utils
import json
import os
import signal
import socket
import struct
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import control
import qapi_methods
from datetime import timezone
from state import JST, Sandbox

QAPI_PREFIX = "/gmkt.inc.front.qapiservice/ebayjapan.qapi"
MAX_BODY = 64 << 20

ERROR_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Runtime Error</title></head>\n"
    "<body><h1>Server Error in '/' Application.</h1>\n"
    "<h2><i>Runtime Error</i></h2>\n"
    "<p>An application error occurred on the server. (sandbox: injected fault)</p>\n"
    "</body></html>\n").encode()

REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found",
           405: "Method Not Allowed", 413: "Payload Too Large",
           422: "Unprocessable Entity", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable",
           504: "Gateway Timeout"}


def to_xml(env):
    """A QAPI envelope as XML: the envelope's members as children of
    <QAPIResult>, list members as repeated <Item> (root and item names are
    sandbox choices; the reference does not know them)."""
    from xml.sax.saxutils import escape

    out = ['<?xml version="1.0" encoding="utf-8"?>']

    def emit(tag, v):
        if isinstance(v, dict):
            out.append("<%s>" % tag)
            for k, x in v.items():
                emit(k, x)
            out.append("</%s>" % tag)
        elif isinstance(v, list):
            out.append("<%s>" % tag)
            for x in v:
                emit("Item", x)
            out.append("</%s>" % tag)
        elif v is None:
            out.append("<%s />" % tag)
        else:
            if isinstance(v, bool):
                v = "true" if v else "false"
            out.append("<%s>%s</%s>" % (tag, escape(str(v)), tag))

    emit("QAPIResult", env)
    return "".join(out).encode("utf-8")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"      # keep-alive by default
    server_version = "qs-sandbox"
    timeout = 300                      # idle keep-alive connections end after this

    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        # One write per answer plus no Nagle: no delayed-ACK stalls on reuse.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        if self.server.access_log:
            sys.stderr.write("sandbox: %s %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    # -------------------------------------------------------------- plumbing
    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                parts.append(self.rfile.read(size))
                self.rfile.readline(8)
            return b"".join(parts)
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n) if n else b""

    def send(self, status, body, ctype):
        # RFC 9110 6.6.1: the Date of the sandbox's clock (pinned or shifted by
        # /_control/clock), so qs sync doctor can measure the skew (R-SYN-8).
        date = email.utils.format_datetime(
            self.server.sb.now().replace(tzinfo=JST).astimezone(timezone.utc), usegmt=True)
        head = ["HTTP/1.1 %d %s" % (status, REASONS.get(status, "Status")),
                "Date: " + date,
                "Server: qs-sandbox",
                "Content-Type: " + ctype,
                "Content-Length: %d" % len(body),
                "Connection: " + ("close" if self.close_connection else "keep-alive"),
                "", ""]
        self.wfile.write("\r\n".join(head).encode("latin-1") + body)

    def send_json(self, status, obj):
        self.send(status, json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                  "application/json; charset=utf-8")

    def inject(self, action, cname):
        """Answer with an injected fault: HTTP 5xx page, or no answer."""
        sb = self.server.sb
        with sb.lock:
            sb.counters.method(cname, "faulted" if action == "error" else "dropped")
            status, mode = sb.faults.status, sb.faults.drop_mode
        if action == "error":
            self.send(status, ERROR_PAGE, "text/html; charset=utf-8")
            return
        self.close_connection = True
        if mode == "reset":
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.connection.close()
            except OSError:
                pass

    def faulted_call(self, cname, names, work):
        """Run `work()` (-> (status, body, ctype)) under the fault plan."""
        sb = self.server.sb
        with sb.lock:
            sb.counters.method(cname, "calls")
            lat, action, phase = sb.faults.decide(names)
        if lat:
            time.sleep(lat)
        if action and phase == "before":
            self.inject(action, cname)
            return
        status, body, ctype = work()
        if action:
            self.inject(action, cname)
            return
        self.send(status, body, ctype)

    # --------------------------------------------------------------- routing
    def route(self, verb):
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self.send_json(413, {"ok": False, "error": "bad or too large body"})
            return
        path, _, query = self.path.partition("?")
        rec = self.server.sb.recording
        if rec is not None and not path.startswith("/_control/"):
            # /_control/record (bench/batch.sh): the request as sent, for a bare client
            # to replay; list.append is atomic, no lock needed.
            h = self.headers
            rec.append({"verb": verb, "path": self.path,
                        "ctype": h.get("Content-Type", ""),
                        "key": h.get("GiosisCertificationKey", ""),
                        "version": h.get("QAPIVersion", ""),
                        "body": body.decode("utf-8", "replace")})
        if path.startswith("/_control/"):
            self.control(verb, path[len("/_control/"):].strip("/"), body, query)
        elif path.startswith("/_hook/"):
            self.hook(verb, path[len("/_hook/"):].strip("/"), body)
        else:
            self.qapi(verb, path, query, body)

    def control(self, verb, name, body, query):
        try:
            obj = json.loads(body.decode("utf-8")) if body.strip() else None
        except ValueError:
            self.send_json(400, {"ok": False, "error": "the body is not JSON"})
            return
        q = dict(urllib.parse.parse_qsl(query))
        sb = self.server.sb
        with sb.lock:  # answers may share dicts with the live state
            status, out = control.handle(sb, name, verb, obj, q)
            data = json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.send(status, data, "application/json; charset=utf-8")

    def hook(self, verb, kind, body):
        if verb != "POST" or not kind or not all(c.isalnum() or c in "_.-" for c in kind):
            self.send_json(404, {"ok": False, "error": "POST /_hook/<kind>", "retry": False})
            return
        try:
            req = json.loads(body.decode("utf-8"))
        except ValueError:
            req = None
        if not isinstance(req, dict):
            self.send_json(400, {"ok": False, "error": "the body is not a JSON object",
                                 "retry": False})
            return
        sb = self.server.sb
        cname = "hook:" + kind

        def work():
            with sb.lock:
                status, ans = sb.hook_deliver(kind, req)
                sb.counters.method(cname, "ok" if ans.get("ok") else "failed")
            if "id" in req:
                ans = dict(ans, id=req["id"])
            return (status, json.dumps(ans, ensure_ascii=False).encode("utf-8"),
                    "application/json; charset=utf-8")

        self.faulted_call(cname, ("hook", cname), work)

    def qapi(self, verb, path, query, body):
        sb = self.server.sb
        lp = path.lower()
        rest = path[len(QAPI_PREFIX):] if lp.startswith(QAPI_PREFIX) else path
        name = urllib.parse.unquote(rest.strip("/"))
        if "/" in name:
            self.send(404, b"<html><body><h1>404 Not Found</h1></body></html>",
                      "text/html; charset=utf-8")
            return
        params, form = {}, {}   # lower-cased names; as sent (for --replay)
        for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
            params[k.lower()] = v
            form[k] = v
        ctype = self.headers.get("Content-Type", "").lower()
        flags = {}
        if body:
            if ctype.startswith("application/json"):
                flags["json"] = True
            else:
                text = body.decode("utf-8", "replace")
                fields = urllib.parse.parse_qsl(text, keep_blank_values=True)
                for k, v in fields:
                    params[k.lower()] = v
                    form[k] = v
                if "charset=utf-8" not in ctype.replace(" ", "") and \
                        not all(v.isascii() for _, v in fields):
                    flags["charset_missing"] = True
        path_form = bool(name)
        if not name:
            name = params.get("method", "")
        m = qapi_methods.lookup(name)
        cname = m.name if m else "(unknown)"
        names = (m.name.lower(), m.short, "qapi") if m else (name.lower(), "qapi")
        key = self.headers.get("GiosisCertificationKey") or params.get("key", "")
        version = self.headers.get("QAPIVersion") or params.get("v", "")
        rt = params.get("returntype", "").lower()

        def work():
            if sb.replay is not None and path_form and \
                    name.lower() != "certificationapi.createcertificationkey":
                return replayed(sb, name, version, form, cname)
            with sb.lock:
                env, _ = qapi_methods.dispatch(sb, name, key, version, params, flags)
                sb.counters.method(cname, "ok" if env.get("ResultCode") == 0 else "failed")
                xml = ("xml" in rt) if rt else sb.config["default_return_type"] == "xml"
            if "_text" in env:   # a plain-text answer (K1; "refuse" shape text)
                return 200, env["_text"].encode("utf-8"), "text/plain; charset=utf-8"
            if xml:
                return 200, to_xml(env), "text/xml; charset=utf-8"
            return (200, json.dumps(env, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                    "application/json; charset=utf-8")

        self.faulted_call(cname, names, work)


def replayed(sb, name, version, params, cname):
    """--replay: the recorded answer of a probe file (R-SYN-10), or HTTP 200
    text "replay: no recorded answer for METHOD"."""
    form = {k: v for k, v in params.items() if k.lower() != "returntype"}
    with sb.lock:
        ans = sb.replay.answer(name, version, form)
        sb.counters.method(cname, "ok" if ans and sb.replay.succeeded(ans) else "failed")
    if ans is None:
        return 200, ("replay: no recorded answer for %s" % name).encode("utf-8"), \
            "text/plain; charset=utf-8"
    status, text, ctype = ans
    return status, text.encode("utf-8"), ctype


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


def write_atomic(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="qs sandbox marketplace (fake Qoo10 QAPI)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 = any free port")
    ap.add_argument("--port-file", help="write the bound port here (atomically)")
    ap.add_argument("--state", help="load state from FILE at start if it exists; save it there on exit")
    ap.add_argument("--seed", type=int, help="seed for keys and the default fault generator")
    ap.add_argument("--log", action="store_true", help="log each request to stderr")
    ap.add_argument("--mode", choices=("invented", "documented"), default="invented",
                    help="answer as the sandbox chose (invented) or only as documents pin (documented)")
    ap.add_argument("--replay", metavar="FILE",
                    help="answer path-form QAPI calls from a qs probe file (R-SYN-10)")
    a = ap.parse_args(argv)

    rp = None
    if a.replay:
        import replay   # only with --replay: tests/sandbox/replay.py
        rp = replay.Replay(a.replay)
    sb = Sandbox(a.seed, a.mode, rp)
    if a.state and os.path.exists(a.state):
        with open(a.state, encoding="utf-8") as f:
            sb.restore(json.load(f))
    srv = Server((a.host, a.port), Handler)
    srv.sb = sb
    srv.access_log = a.log
    port = srv.server_address[1]
    if a.port_file:
        write_atomic(a.port_file, "%d\n" % port)

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("sandbox listening on http://%s:%d" % (a.host, port), flush=True)
    try:
        srv.serve_forever(poll_interval=0.25)
    finally:
        srv.server_close()
        if a.state:
            with sb.lock:
                snap = sb.snapshot()
            write_atomic(a.state, json.dumps(snap, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

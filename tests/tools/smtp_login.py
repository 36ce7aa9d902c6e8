#!/usr/bin/python3
"""smtp_login.py: a loopback mail server that only lets a client log in (qs sync doctor's
smtp login check, R-SYN-8). Standard library only, so the doctor's test needs no aiosmtpd.

  smtp_login.py DIR USER PASSWORD
      listens on a free 127.0.0.1 port (written to DIR/port once listening), plain SMTP:
      greets, answers EHLO offering AUTH PLAIN, accepts AUTH PLAIN for USER and PASSWORD
      only (535 otherwise), answers NOOP and RSET with 250 and QUIT with 221, and refuses
      everything else (502): no mail is ever taken. Every command it receives is appended
      to DIR/log (AUTH as "AUTH <user> ok|denied").
"""
import base64
import os
import socketserver
import sys


def main(d, user, password):
    log = open(os.path.join(d, "log"), "a", buffering=1)

    class Session(socketserver.StreamRequestHandler):
        def say(self, text):
            self.wfile.write((text + "\r\n").encode())

        def auth(self, b64):
            try:
                _, u, p = base64.b64decode(b64).split(b"\0")
            except ValueError:
                return self.say("501 malformed")
            ok = u.decode() == user and p.decode() == password
            log.write("AUTH %s %s\n" % (u.decode(errors="replace"), "ok" if ok else "denied"))
            self.say("235 2.7.0 accepted" if ok else "535 5.7.8 credentials invalid")

        def handle(self):
            self.say("220 qs-test ESMTP")
            for raw in self.rfile:
                line = raw.decode(errors="replace").rstrip("\r\n")
                verb = line.split(" ", 1)[0].upper()
                if verb != "AUTH":
                    log.write(line + "\n")
                if verb in ("EHLO", "HELO"):
                    self.say("250-qs-test")
                    self.say("250 AUTH PLAIN")
                elif verb == "AUTH":
                    parts = line.split()
                    if len(parts) == 3:
                        self.auth(parts[2])
                    else:
                        self.say("334 ")
                        self.auth(self.rfile.readline().strip())
                elif verb in ("NOOP", "RSET"):
                    self.say("250 2.0.0 ok")
                elif verb == "QUIT":
                    self.say("221 2.0.0 bye")
                    return
                else:
                    self.say("502 5.5.1 not here")

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    with Server(("127.0.0.1", 0), Session) as srv:
        with open(os.path.join(d, "port.tmp"), "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
        srv.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        sys.exit(64)
    main(*sys.argv[1:])

#!/usr/bin/python3
"""smtp_server.py: the loopback mail server of the qs sync notify tests (aiosmtpd).

  smtp_server.py serve DIR [--drop-before P] [--drop-after P] [--seed N]
      listens on a free 127.0.0.1 port (written to DIR/port once listening), plain SMTP,
      and saves each message it accepts as DIR/msgs/N.eml (written whole, then renamed).
      --drop-before P: that share of MAIL FROM commands has its connection cut instead of
      an answer (the message never started); --drop-after P: that share of messages is
      saved, then its connection cut before the 250 answer (arrived, answer lost).
  smtp_server.py ids DIR      prints the Message-ID of every saved message, one a line
  smtp_server.py body DIR ID  prints the decoded subject and body of the message ID
"""
import asyncio
import email
import email.policy
import os
import random
import signal
import sys


def serve(d, drop_before, drop_after, seed):
    from aiosmtpd.smtp import SMTP

    os.makedirs(os.path.join(d, "msgs"), exist_ok=True)
    rnd = random.Random(seed)
    count = [0]

    class Handler:
        async def handle_MAIL(self, server, session, envelope, address, mail_options):
            if rnd.random() < drop_before:
                server.transport.abort()
                return "421 dropped"
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            count[0] += 1
            path = os.path.join(d, "msgs", "%d-%d.eml" % (os.getpid(), count[0]))
            with open(path + ".tmp", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            os.rename(path + ".tmp", path)
            if rnd.random() < drop_after:
                server.transport.abort()
            return "250 OK queued"

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Handler()
    srv = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler, hostname="qs-test"), "127.0.0.1", 0))
    port = srv.sockets[0].getsockname()[1]
    with open(os.path.join(d, "port.tmp"), "w") as f:
        f.write("%d\n" % port)
    os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    loop.set_exception_handler(lambda loop, ctx: None)  # cut connections are the point
    loop.run_forever()
    srv.close()


def messages(d):
    folder = os.path.join(d, "msgs")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".eml"):
            with open(os.path.join(folder, name), "rb") as f:
                yield email.message_from_binary_file(f, policy=email.policy.default)


def main():
    args = sys.argv[1:]
    if len(args) >= 2 and args[0] == "serve":
        opts = {"--drop-before": 0.0, "--drop-after": 0.0, "--seed": 1}
        rest = args[2:]
        while rest:
            opts[rest[0]] = float(rest[1])
            rest = rest[2:]
        serve(args[1], opts["--drop-before"], opts["--drop-after"], int(opts["--seed"]))
    elif len(args) == 2 and args[0] == "ids":
        for m in messages(args[1]):
            print(m["Message-ID"])
    elif len(args) == 3 and args[0] == "body":
        for m in messages(args[1]):
            if m["Message-ID"] == args[2]:
                print("Subject: " + str(m["Subject"]))
                print("From: " + str(m["From"]))
                print("To: " + str(m["To"]))
                print()
                sys.stdout.write(m.get_content())
                print()
    else:
        sys.stderr.write(__doc__)
        sys.exit(64)


if __name__ == "__main__":
    main()

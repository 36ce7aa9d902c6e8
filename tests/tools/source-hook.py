#!/usr/bin/env python3
"""source-hook.py: a sample `source` hook for qs publish watch run (SPEC 1.7, R-SRC-2).

    qs init --deliver source=hook:"python3 tests/tools/source-hook.py sources.json"

Answers each request ({"id","kind":"source","key","shop","url","sku",...}) from a JSON
file {URL: STATE} or {URL: [STATE, PRICE, CURRENCY]} or {URL: {"state", "price",
"currency"}}, read once per run, so tests and the demo flip a source out of stock by
editing the file. A URL missing from the file is answered "gone"; a file entry "fail"
answers ok:false (retry) -- the hook failing for that URL; "garbage" answers a line that
is no answer. Checking the same key twice is harmless: the check is a read. Standard
library only; never touches the network.
"""
import json
import sys


def main():
    if len(sys.argv) != 2:
        print("usage: source-hook.py SOURCES.json", file=sys.stderr)
        return 64
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            table = json.load(f)
    except (OSError, ValueError) as err:
        print("source-hook.py: %s: %s" % (sys.argv[1], err), file=sys.stderr)
        return 66
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        v = table.get(req.get("url"), "gone")
        if v == "fail":
            ans = {"id": req["id"], "ok": False, "error": "the source did not answer", "retry": True}
        elif v == "garbage":
            print("not an answer", flush=True)
            continue
        else:
            if isinstance(v, list):
                v = {"state": v[0], "price": v[1] if len(v) > 1 else None,
                     "currency": v[2] if len(v) > 2 else None}
            elif isinstance(v, str):
                v = {"state": v}
            ans = {"id": req["id"], "ok": True}
            ans.update({k: x for k, x in v.items() if x is not None})
        print(json.dumps(ans, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

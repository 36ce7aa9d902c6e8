# note-lib.sh: what the qs note tests (t05xx) share, sourced after lib.sh and sync-lib.sh:
# a shop whose notes go through the sandbox's bundled hook, and checks of the sandbox's
# hook counters (tests/sandbox/README.md: hook_orders, hook_effects).
HOOK="$PY $QS_SRC/tests/sandbox/hook.py"

# note_shop [DELIVERY]: shop demo (sandbox secrets, no rate limit) whose notes go to
# DELIVERY, by default the sandbox's hook.
note_shop() {
    shop_init --deliver "note=${1:-hook:$HOOK --url $(cat "$SBDIR/sandbox.url")}"
}

# noted_once N: N orders got notes, each exactly one distinct note (hook_orders effects 1).
noted_once() {
    sb counters | "$PY" -c 'import json, sys
o = json.load(sys.stdin).get("hook_orders", {}).get("note", {})
bad = {k: v for k, v in o.items() if v["effects"] != 1}
if bad or len(o) != int(sys.argv[1]):
    print("hook_orders: %d orders noted (want %s); not exactly once: %s" % (len(o), sys.argv[1],
          list(bad.items())[:5]))
    sys.exit(1)
print("%d orders, each noted exactly once (%d deliveries)" % (len(o),
      sum(v["calls"] for v in o.values())))' "$1"
}

# effects ORDER: how many distinct notes order ORDER got.
effects() {
    sb counters | "$PY" -c 'import json, sys
print(json.load(sys.stdin).get("hook_orders", {}).get("note", {}).get(sys.argv[1], {}).get("effects", 0))' "$1"
}

# delivered ORDER FIELD: FIELD of the last note request the sandbox got for ORDER (JSON).
delivered() {
    sb get '/_control/state?sections=hook_deliveries' | "$PY" -c 'import json, sys
d = [x for x in json.load(sys.stdin)["hook_deliveries"] if sys.argv[1] in x.get("orders", [])]
print(json.dumps(d[-1]["request"].get(sys.argv[2]), ensure_ascii=False) if d else "none")' "$1" "$2"
}

# results FILE RESULT: the number of rows of a result CSV with result RESULT.
results() { awk -F, -v r="$2" 'NR > 1 && $2 == r' "$1" | wc -l | tr -d ' '; }

# outbox_count KIND [STATE]: items of the outbox.
outbox_count() {
    if [ $# -gt 1 ]; then
        sql "SELECT count(*) FROM outbox WHERE kind = '$1' AND state = '$2'"
    else
        sql "SELECT count(*) FROM outbox WHERE kind = '$1'"
    fi
}

# sync-lib.sh: what the qs sync tests (t03xx) share, sourced after lib.sh: a sandbox
# marketplace on a free loopback port in the trash directory, a shop pointed at it,
# and checks of the sandbox's state and counters against the store.
SBCTL="$QS_SRC/tests/sandbox/sandboxctl"
SBDIR="$TRASH/sb"
# The sandbox's default seller (tests/sandbox/README.md); the secrets tests grep for.
SB_KEY=sandbox-api-key SB_USER=sandbox-user SB_PASS=sandbox-pass
PY=${PYTHON:-python3}

# documented: the sandbox runs in its documented mode (R-SYN-9: QS_SANDBOX_MODE=documented
# answers only what Qoo10's guide and recorded answers pin; tests/sandbox/README.md).
documented() { [ "${QS_SANDBOX_MODE:-}" = documented ]; }

# sb COMMAND [JSON]: one control call (sandboxctl call).
sb() { "$SBCTL" call "$SBDIR" "$@"; }

# sb_start: starts the sandbox, stopped again when the test ends; exports QS_QAPI_URL.
sb_start() {
    "$SBCTL" start "$SBDIR" >/dev/null || { echo "Bail out! the sandbox did not start"; exit 1; }
    trap '"$SBCTL" stop "$SBDIR" >/dev/null 2>&1; cd /; rm -rf "$TRASH"' EXIT
    QS_QAPI_URL=$(cat "$SBDIR/sandbox.qapi_url")
    export QS_QAPI_URL
}

# shop_init [ARGS...]: shop demo with the sandbox seller's secrets, no rate limit.
shop_init() {
    printf '%s\n%s\n%s\n' "$SB_KEY" "$SB_USER" "$SB_PASS" |
        qs -q init --shop demo --secret qapi.key --secret qapi.user --secret qapi.password \
            --set qapi.rate=0 "$@" >/dev/null
}

# fresh N STATUSES SEED: a reset sandbox with N lines in the past and a new store (t0301
# has its own, with a ship file).
fresh() {
    sb reset >/dev/null &&
        rm -f "$QS_STORE" "$QS_STORE"-* && shop_init &&
        sb seed "{\"generate_orders\": $1, \"seed\": $3, \"start\": \"$(days_ago 20)\", \"days\": 10, \"statuses\": $2}" >/dev/null &&
        qs -q sync orders >/dev/null
}

# days_ago N: the date N days ago (for seeds whose dates must all be in the past).
days_ago() { date -u -d "-$1 days" +%F; }

# jst WHEN: that time in Japan, as the sandbox's dates ("yyyy-MM-dd HH:mm:ss").
jst() { TZ=Asia/Tokyo date -d "$1" '+%Y-%m-%d %H:%M:%S'; }
# jst_day N: the date N days from now in Japan.
jst_day() { TZ=Asia/Tokyo date -d "+$1 days" +%F; }

# sql QUERY: one query on the store.
sql() { sqlite3 "$QS_STORE" "$1"; }

# store_matches: the store's order lines equal the sandbox's: the same order numbers,
# each with the same status, claim and tracking number (R-SYN-1).
store_matches() {
    sb get /_control/orders >sb-orders.json && sb get /_control/claims >sb-claims.json &&
        sql "SELECT order_no, status, claim, tracking FROM order_line WHERE shop = 'demo'" \
            >store-lines.txt &&
        "$PY" - sb-orders.json sb-claims.json store-lines.txt <<'EOF'
import json, sys
orders = json.load(open(sys.argv[1]))["orders"]
claims = {str(c["orderNo"]): int(c["claimStatus"]) for c in json.load(open(sys.argv[2]))["claims"]}
want = {(str(o["OrderNo"]), int(o["status"]), claims.get(str(o["OrderNo"]), 0), o["TrackingNo"])
        for o in orders}
got = set()
for line in open(sys.argv[3], encoding="utf-8"):
    no, st, cl, tr = line.rstrip("\n").split("|")
    got.add((no, int(st), int(cl), tr))
if want != got:
    print("store and sandbox differ: %d lines there, %d here" % (len(want), len(got)))
    print("missing or different here:", sorted(want - got)[:5])
    print("extra or different here:", sorted(got - want)[:5])
    sys.exit(1)
print("store equals sandbox: %d lines" % len(got))
EOF
}

# calls METHOD: how many calls of Group.Method reached the sandbox.
calls() {
    sb counters | "$PY" -c 'import json, sys
m = json.load(sys.stdin)["methods"].get(sys.argv[1], {})
print(m.get("calls", 0))' "$1"
}

# once FAMILY N: every key of by_key[FAMILY] was called exactly once, and there are N.
once() {
    sb counters | "$PY" -c 'import json, sys
k = json.load(sys.stdin)["by_key"].get(sys.argv[1], {})
bad = {n: v for n, v in k.items() if v["calls"] != 1 or v["ok"] != 1}
if bad or len(k) != int(sys.argv[2]):
    print("%s: %d keys (want %s), not exactly once: %s" % (sys.argv[1], len(k), sys.argv[2],
          list(bad.items())[:5]))
    sys.exit(1)
print("%s: %d lines, each exactly once" % (sys.argv[1], len(k)))' "$1" "$2"
}

# no_secrets FILE...: none of the shop's secrets (nor the issued SAKs) appear.
no_secrets() {
    sql "SELECT value FROM shop_secret" >secrets.txt
    printf '%s\n%s\n' "$SB_KEY" "$SB_PASS" >>secrets.txt
    sb get '/_control/state?sections=keys' | "$PY" -c 'import json, sys
for k in json.load(sys.stdin)["keys"]: print(k["key"])' >>secrets.txt
    sql "SELECT * FROM audit" >audit.txt
    sql "SELECT payload, coalesce(ref, ''), coalesce(last_error, '') FROM outbox" >>audit.txt
    for f in "$@" audit.txt; do
        [ -f "$f" ] || continue
        if grep -F -f secrets.txt "$f" >leak.txt; then
            echo "a secret leaked into $f:"
            cat leak.txt
            return 1
        fi
    done
}

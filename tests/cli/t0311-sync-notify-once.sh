# t0311: qs sync notify over real SMTP on loopback (aiosmtpd, tests/tools/smtp_server.py):
# what arrives is what was rendered, and each message goes exactly once (SPEC 1.6) -- a
# thousand events through dropped connections, a SIGKILL and two runs at once: nothing
# arrives twice (counted by Message-ID), nothing is lost silently (R-SYN-4).
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

SMTPPY=${QS_SMTP_PY:-/usr/bin/python3}
SRV="$QS_SRC/tests/tools/smtp_server.py"
N="$FIX/notify"
SUBJ='Qoo10の注文のお知らせ。(注文番号: [$_PACK_NO_$])'
sb_start
# The servers' pids go to a file: smtp_start runs inside test bodies (subshells), whose
# variables the EXIT trap would not see -- the servers outlived the test before.
trap '"$SBCTL" stop "$SBDIR" >/dev/null 2>&1; for p in $(cat "$TRASH/srv.pids" 2>/dev/null); do kill "$p" 2>/dev/null; done; cd /; rm -rf "$TRASH"' EXIT

# smtp_start DIR [ARGS]: a mail server saving into DIR; PORT gets its port.
smtp_start() {
    mkdir -p "$1" || return
    # a simple command in the background, so $! is the server itself, not a subshell
    "$SMTPPY" "$SRV" serve "$@" 2>"$1/log" &
    echo $! >>"$TRASH/srv.pids"
    for _ in $(seq 100); do [ -s "$1/port" ] && break; sleep 0.1; done
    PORT=$(cat "$1/port")
}

# shop_smtp STORE: a store with shop demo sending through the server on PORT, and the seed's
# CrossMail template for order events to seller@example.jp.
shop_smtp() {
    export QS_STORE="$TRASH/$1" &&
        shop_init --set "smtp.url=smtp://127.0.0.1:$PORT" --set "smtp.from=Demo Shop <demo@example.jp>" &&
        qs -q sync notify template add --kind order --group CrossMail --subject "$SUBJ" \
            --body-file "$N/crossmail.txt" --to seller@example.jp >/dev/null
}

# orders N: N one-line carts 5 days ago, seeded (packs 90001..).
orders() {
    "$PY" - "$1" "$(TZ=Asia/Tokyo date -d "-5 days" +%F)" >seed.json <<'PYEOF'
import json, sys
n, day = int(sys.argv[1]), sys.argv[2]
print(json.dumps({"orders": [{"OrderNo": 500000 + i, "PackNo": 90000 + i, "status": 2,
    "OrderDate": day + " 10:00:00", "ShippingMessage": "memo %d" % i} for i in range(1, n + 1)]}))
PYEOF
    sb reset >/dev/null && sb seed "$(cat seed.json)" >/dev/null
}

# until_settled: runs qs sync notify run --retry-failed until nothing is pending or to retry.
until_settled() {
    for _ in $(seq 60); do
        qs -q sync notify run --retry-failed >/dev/null 2>&1 || true
        left=$(sql "SELECT count(*) FROM outbox WHERE kind = 'notify' AND state IN ('pending', 'retry', 'claimed')")
        [ "$left" = 0 ] && return 0
    done
    echo "still $left messages pending"; return 1
}

test_expect 'R-SYN-4: what arrives over SMTP is the seed text rendered, from the shop, with its Message-ID' '
    smtp_start "$TRASH/m1" && shop_smtp one.db &&
    day=$(TZ=Asia/Tokyo date -d "-5 days" +%F) hope=$(TZ=Asia/Tokyo date -d "+3 days" +%F) &&
    sed "s/@DAY@/$day/; s/@HOPE@/$hope/" "$N/orders.json" >orders.json &&
    sb seed "$(cat orders.json)" >/dev/null && qs -q sync orders >/dev/null &&
    expect_code 0 qs sync notify run &&
    test "$("$SMTPPY" "$SRV" ids "$TRASH/m1" | sort | tr "\n" " ")" = "<qs.demo.T1.order.7001@notify.qs> <qs.demo.T1.order.7002@notify.qs> <qs.demo.T1.order.7003@notify.qs> " &&
    "$SMTPPY" "$SRV" body "$TRASH/m1" "<qs.demo.T1.order.7002@notify.qs>" >got &&
    { printf "Subject: Qoo10の注文のお知らせ。(注文番号: 7002)\nFrom: Demo Shop <demo@example.jp>\nTo: seller@example.jp\n\n";
      sed -n "/^X-QS-Event: order 7002/,/^From qs-notify/p" "$N/crossmail.expected" | sed "1,2d" | head -n -2 |
        sed "s/@DAY@/$day/"; } >want &&
    test_cmp want got &&
    qs sync notify list >list.csv && test "$(grep -c ",sent,1,order," list.csv)" = 3
'

test_expect 'R-SYN-4: a second run sends nothing again' '
    export QS_STORE="$TRASH/one.db" && expect_code 0 qs sync notify run &&
    test "$("$SMTPPY" "$SRV" ids "$TRASH/m1" | wc -l)" = 3
'

test_expect 'R-SYN-4: 1,000 events, 20% of connections cut (half before, half after the message), a SIGKILL, two runs at once: none twice, none lost silently' '
    smtp_start "$TRASH/m2" --drop-before 0.1 --drop-after 0.1 --seed 7 && shop_smtp big.db &&
    orders 1000 && qs -q sync orders >/dev/null &&
    { qs -q sync notify run >/dev/null 2>&1 & a=$!; } &&
    { qs -q sync notify run >/dev/null 2>&1 & b=$!; } &&
    { qs -q sync notify run >/dev/null 2>&1 & k=$!; } &&
    for _ in $(seq 300); do [ "$(ls "$TRASH/m2/msgs" | wc -l)" -ge 100 ] && break; sleep 0.05; done &&
    kill -9 $k && { wait $a $b $k || true; } &&
    until_settled &&
    "$SMTPPY" "$SRV" ids "$TRASH/m2" | sort >arrived &&
    test -z "$(uniq -d arrived)" &&
    qs sync notify list >list.csv &&
    "$PY" - list.csv arrived <<PYEOF
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
arrived = set(l.strip() for l in open(sys.argv[2]))
assert len(rows) == 1000, "%d messages, not 1000" % len(rows)
states = {}
for r in rows:
    states[r["state"]] = states.get(r["state"], 0) + 1
    if r["state"] == "sent":
        assert r["message_id"] in arrived, "sent but not arrived: " + r["key"]
    else:
        assert r["state"] in ("unknown", "failed"), "not settled: %s %s" % (r["key"], r["state"])
        assert r["message_id"] != "", r["key"]
lost = [r["key"] for r in rows if r["message_id"] not in arrived and r["state"] == "sent"]
assert not lost
print(states, len(arrived), "arrived")
assert states.get("unknown", 0) > 0, "no message was cut after it was sent: the test proves nothing"
PYEOF
'

test_expect 'R-SYN-4: with drops only before the message, every one of 1,000 arrives exactly once' '
    smtp_start "$TRASH/m3" --drop-before 0.2 --seed 9 && shop_smtp before.db &&
    orders 1000 && qs -q sync orders >/dev/null &&
    { qs -q sync notify run >/dev/null 2>&1 & a=$!; } &&
    { qs -q sync notify run >/dev/null 2>&1 & b=$!; } &&
    { wait $a $b || true; } &&
    until_settled &&
    "$SMTPPY" "$SRV" ids "$TRASH/m3" | sort >arrived &&
    test "$(wc -l <arrived)" = 1000 && test -z "$(uniq -d arrived)" &&
    test "$(sql "SELECT count(*) FROM outbox WHERE kind = '\''notify'\'' AND state = '\''done'\''")" = 1000 &&
    test "$(sql "SELECT count(*) FROM audit WHERE kind = '\''notify'\'' AND result = '\''retry'\''")" -gt 0
'

test_done

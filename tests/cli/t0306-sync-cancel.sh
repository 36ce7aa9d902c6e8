# t0306: qs sync cancel against the sandbox marketplace -- Claim.SetCancelProcess exactly
# once per order line, the reason mapped, every bad line reported before anything is sent,
# reconciled by reading the claim through faults, kills and concurrent runs (R-SYN-1b);
# and qs sync orders --list, which prints the store without a call (R-SYN-1).
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start

# fresh N SEED: a reset sandbox with N lines paid or confirmed, a new store holding them,
# and cancel.csv naming every line with a reason.
fresh() {
    sb reset >/dev/null &&
        rm -f "$QS_STORE" "$QS_STORE"-* && shop_init &&
        sb seed "{\"generate_orders\": $1, \"seed\": $2, \"start\": \"$(days_ago 40)\", \"days\": 30, \"statuses\": [2, 3]}" >/dev/null &&
        qs -q sync orders --status paid,confirmed >lines.csv &&
        awk -F, 'NR == 1 { print "order_no,reason,memo"; next }
                 { print $1 ",out-of-stock,在庫切れのため" }' lines.csv >cancel.csv
}

# open_line: a paid or confirmed line nothing has been queued for yet.
open_line() {
    sql "SELECT order_no FROM order_line WHERE status IN (2, 3) AND claim = 0
         AND order_no NOT IN (SELECT key FROM outbox) ORDER BY order_no LIMIT 1"
}

# sb_claim NO FIELD: a field of the sandbox's claim of order NO ("" when none).
sb_claim() {
    sb get /_control/claims | "$PY" -c 'import json, sys
for c in json.load(sys.stdin)["claims"]:
    if str(c["orderNo"]) == sys.argv[1]: print(c.get(sys.argv[2], ""))' "$1" "$2"
}

# acted_once NO...: the marketplace accepted exactly one cancel of each order (a repeat
# the client sent after a lost answer is refused there, and read back here).
acted_once() {
    sb counters | "$PY" -c 'import json, sys
k = json.load(sys.stdin)["by_key"].get("SetCancelProcess", {})
bad = [(n, k.get(n)) for n in sys.argv[1:] if not k.get(n) or k[n]["ok"] != 1]
if bad:
    print("not accepted exactly once:", bad[:5]); sys.exit(1)' "$@"
}

alive() { [ -d "/proc/$1" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# cancel_killed: starts qs sync cancel cancel.csv and kill -9s it while it runs.
cancel_killed() {
    local try pid ms
    for try in 1 2 3 4 5 6; do
        ms=$((100 + RANDOM % (600 / try)))
        "$QS" sync cancel cancel.csv >killed.out 2>killed.err &
        pid=$!
        sleep "$(printf '0.%03d' "$ms")"
        if alive "$pid" && kill -9 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
            echo "killed after ${ms} ms: outbox $(sql "SELECT group_concat(state || '=' || n) FROM (SELECT state, count(*) n FROM outbox GROUP BY state)")"
            return 0
        fi
        wait "$pid"
    done
    echo "qs sync cancel always finished before it could be killed"
    return 1
}

test_expect 'R-SYN-1: qs sync orders --list prints the stored lines without calling the marketplace' '
    fresh 120 31 &&
    before=$(calls ShippingBasic.GetShippingInfo_v3) &&
    expect_code 0 qs sync orders --list &&
    test "$(($(wc -l <out) - 1))" = "$(sql "SELECT count(*) FROM order_line")" &&
    expect_code 0 qs sync orders --list --status paid &&
    test "$(($(wc -l <out) - 1))" = "$(sql "SELECT count(*) FROM order_line WHERE status = 2 AND claim = 0")" &&
    test "$(calls ShippingBasic.GetShippingInfo_v3)" = "$before" &&
    expect_code 64 qs sync orders --list --since 2026-01-01
'

test_expect 'R-SYN-1b: every bad line is named with file:line and the rule, nothing is sent (exit 65)' '
    n1=$(sed -n 2p cancel.csv | cut -d, -f1) && n2=$(sed -n 3p cancel.csv | cut -d, -f1) &&
    n3=$(sed -n 4p cancel.csv | cut -d, -f1) && n4=$(sed -n 5p cancel.csv | cut -d, -f1) &&
    long=$(printf "あ%.0s" $(seq 1001)) &&
    { echo "order_no,reason,memo"; echo "$n1,out-of-stock,";
      echo "999999999,out-of-stock,"; echo "$n2,broken,"; echo "$n3,delay,$long";
      echo "$n1,delay,"; } >bad.csv &&
    expect_code 65 qs sync cancel bad.csv &&
    grep_q "^qs sync cancel: bad.csv:3: 999999999: unknown order line 999999999; run qs sync orders first (R-SYN-1b)\$" err &&
    grep_q "^qs sync cancel: bad.csv:4: $n2: reason \"broken\" is not out-of-stock, order-change, undeliverable or delay (R-SYN-1b)\$" err &&
    grep_q "^qs sync cancel: bad.csv:5: $n3: the memo has 1001 characters, more than the 1000" err &&
    grep_q "^qs sync cancel: bad.csv:6: $n1: repeats line 2 with another reason or memo (R-SYN-1b)\$" err &&
    grep_q "4 bad input lines: nothing was queued or sent" err &&
    empty out &&
    expect_code 65 qs sync cancel "$n4" &&
    grep_q "no reason: give --reason or a reason column" err &&
    expect_code 64 qs sync cancel --reason sold-out "$n4" &&
    test "$(sql "SELECT count(*) FROM outbox")" = 0 &&
    test "$(calls Claim.SetCancelProcess)" = 0
'

test_expect 'SPEC 1.6: --dry-run prints the requests and changes nothing' '
    n=$(open_line) &&
    expect_code 0 qs --dry-run sync cancel --reason delay "$n" &&
    grep_q "^{\"method\":\"Claim.SetCancelProcess\",\"version\":\"1.0\",\"params\":{\"ContrNo\":\"$n\",\"CancelReason\":\"3\"" out &&
    test "$(sql "SELECT count(*) FROM outbox")" = 0 &&
    test "$(calls Claim.SetCancelProcess)" = 0
'

test_expect 'R-SYN-1b: --reason maps to CancelReason (out-of-stock empty, order-change 1, undeliverable 2, delay 3); the claim is read back into the store' '
    for r in out-of-stock:在庫切れ order-change:注文内容の変更 undeliverable:配送不可地域 delay:配送遅延; do
        n=$(open_line) &&
        expect_code 0 qs sync cancel --reason "${r%%:*}" --memo "memo ${r%%:*}" "$n" &&
        grep_q "^$n,ok,0,cancelled\$" out &&
        test "$(sb_claim "$n" reason)" = "${r#*:}" &&
        test "$(sb_claim "$n" sellerMemo)" = "memo ${r%%:*}" &&
        test "$(sql "SELECT claim FROM order_line WHERE order_no = \"$n\"")" = 3 || exit 1
    done &&
    expect_code 0 qs sync cancel --reason delay "$n" &&
    grep_q "^$n,ok,,already cancelled\$" out &&
    grep_q "sent 0, already done 1, failed 0, unknown 0" err &&
    test "$(calls Claim.SetCancelProcess)" = 4
'

test_expect 'R-SYN-1b: a shipped line is refused before anything is sent' '
    s=$(sql "SELECT order_no FROM order_line WHERE status = 2 AND claim = 0 AND order_no NOT IN (SELECT key FROM outbox) ORDER BY order_no DESC LIMIT 1") &&
    printf "order_no,carrier,tracking\n%s,ヤマト宅急便,C-1\n" "$s" >ship.csv &&
    qs -q sync ship ship.csv >/dev/null &&
    expect_code 65 qs sync cancel --reason out-of-stock "$s" &&
    grep_q "the order line is already shipped: only an order not shipped can be cancelled (R-SYN-1b)" err
'

test_expect 'SPEC 1.6, R-SYN-1b: an answer lost after the marketplace acted is settled by reading the claim' '
    n=$(open_line) &&
    sb faults "{\"fail_next\": 1, \"phase\": \"after\", \"methods\": [\"SetCancelProcess\"]}" >/dev/null &&
    expect_code 69 qs sync cancel --reason out-of-stock "$n" &&
    grep_q "^$n,retry," out &&
    expect_code 0 qs sync cancel --retry-failed --reason out-of-stock "$n" &&
    grep_q "^$n,ok,,sent before (found cancelled on the marketplace)\$" out &&
    acted_once "$n" &&
    test "$(sql "SELECT claim FROM order_line WHERE order_no = \"$n\"")" = 3
'

test_expect 'SPEC 1.6, R-SYN-1b: no answer at all after the marketplace acted: exit 69, then read back, not sent again' '
    n=$(open_line) &&
    sb faults "{\"error_rate\": 1, \"phase\": \"after\", \"methods\": [\"SetCancelProcess\"]}" >/dev/null &&
    expect_code 69 qs sync cancel --reason out-of-stock "$n" &&
    grep_q "^$n,retry," out &&
    sb faults "{}" >/dev/null &&
    expect_code 0 qs sync cancel --retry-failed --reason out-of-stock "$n" &&
    grep_q "^$n,ok,,sent before (found cancelled on the marketplace)\$" out &&
    test "$(sb_claim "$n" claimStatus)" = 3 &&
    acted_once "$n"
'

test_expect 'R-SYN-1b: a refusal is settled by reading the claim, never by its code: not cancelled there -> failed (exit 1)' '
    n=$(open_line) &&
    sb faults "{\"refuse\": [{\"method\": \"Claim.SetCancelProcess\", \"code\": -10004, \"msg\": \"wrong order state\", \"keys\": [\"$n\"], \"count\": 1}]}" >/dev/null &&
    expect_code 1 qs sync cancel --reason out-of-stock "$n" &&
    grep_q "^$n,failed,-10004,wrong order state\$" out &&
    test "$(sql "SELECT state FROM outbox WHERE key = \"$n\"")" = failed &&
    sb faults "{}" >/dev/null &&
    expect_code 0 qs sync cancel --reason delay "$n" &&
    grep_q "^$n,ok,0,cancelled\$" out &&
    test "$(sql "SELECT state FROM outbox WHERE key = \"$n#2\"")" = done
'

test_expect 'R-SYN-1b, SPEC 1.6: faults, a SIGKILL at a random point, then a re-run: one cancel per order' '
    fresh 150 32 &&
    sb faults "{\"latency_ms\": [5, 40], \"methods\": [\"SetCancelProcess\"]}" >/dev/null &&
    cancel_killed &&
    sb faults "{}" >/dev/null &&
    expect_code 0 qs sync cancel cancel.csv &&
    n=$(($(wc -l <cancel.csv) - 1)) &&
    test "$(grep -c ",ok," out)" = "$n" &&
    once SetCancelProcess "$n" &&
    qs -q sync orders >/dev/null && store_matches
'

test_expect 'R-SYN-1b, SPEC 1.6: dropped connections and errors before and after the marketplace acted: each order cancelled once, none lost' '
    fresh 100 34 &&
    sb faults "{\"error_rate\": 0.1, \"drop_rate\": 0.1, \"phase\": \"mixed\", \"seed\": 7, \"methods\": [\"SetCancelProcess\"]}" >/dev/null &&
    rc=0 && "$QS" sync cancel cancel.csv >r1.out 2>r1.err || rc=$? &&
    sb faults "{}" >/dev/null &&
    for i in 1 2 3 4 5 6 7 8; do
        rc=0 && "$QS" sync cancel --retry-failed cancel.csv >out 2>err || rc=$?
        [ "$rc" = 0 ] && break
    done &&
    test "$rc" = 0 || { cat err; exit 1; }
    n=$(($(wc -l <cancel.csv) - 1)) &&
    test "$(grep -c ",ok," out)" = "$n" &&
    acted_once $(tail -n +2 cancel.csv | cut -d, -f1) &&
    qs -q sync orders >/dev/null && store_matches
'

test_expect 'R-SYN-1b: two concurrent runs of the same lines: one cancel per order' '
    fresh 150 33 &&
    sb faults "{\"latency_ms\": [5, 30], \"methods\": [\"SetCancelProcess\"]}" >/dev/null &&
    { "$QS" sync cancel cancel.csv >a.out 2>a.err & pa=$!; } &&
    { "$QS" sync cancel <cancel.csv >b.out 2>b.err & pb=$!; } &&
    ra=0 && wait $pa || ra=$? ; rb=0 && wait $pb || rb=$? ;
    test "$ra/$rb" = 0/0 || { echo "exit $ra and $rb"; cat a.err b.err; exit 1; }
    n=$(($(wc -l <cancel.csv) - 1)) &&
    test "$(grep -c ",ok," a.out)" = "$n" && test "$(grep -c ",ok," b.out)" = "$n" &&
    once SetCancelProcess "$n" &&
    sb faults "{}" >/dev/null
'

test_expect 'no secret appears in any output, the audit or the outbox' '
    no_secrets out err a.out b.out killed.out killed.err
'

test_done

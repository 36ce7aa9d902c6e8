#!/usr/bin/env bash
# SPEC 1.6 for other-platform shipments (R-INB-6, issue 14): 1,000 shipments registered
# while the hook is down, a run killed with SIGKILL while its hook holds every request, then
# 500 more registered by two runs of the same file at once, and the queue driven through
# the sandbox's bundled hook with 20% injected failures (half of them after the sandbox
# acted) by two runs at a time. The sandbox must count exactly one effect per reference
# order number, and the store must agree.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start
URL=$(cat "$SBDIR/sandbox.url")
cat >hook.sh <<EOF
#!/bin/sh
[ -n "\${QS_HOOK_DOWN:-}" ] && exit 1
exec $PY "$QS_SRC/tests/sandbox/hook.py" --url $URL
EOF
# A hook that reads its requests, says so, and never answers (the run is killed meanwhile).
cat >hang.sh <<EOF
#!/bin/sh
echo \$\$ >"$TRASH/hang.pid"
head -n 1 >"$TRASH/hang.in"
touch "$TRASH/hang.seen"
exec sleep 600
EOF
A=300001289771-00003
head='卖家SKU代码,Q库存-详情号码,Q-详细库存名,库存总量,价格,货币,链接商品数,Qxpress分店数量'
printf '%s\nA,%s,a,10,0,JPY,1,2000\n' "$head" $A >snap.csv
cols=ref_order_no,item_name,recipient,recipient_tel,zip,address,ref_price,q_sku,qty
rows() { seq -f "%g" "$1" "$2" | awk -v a=$A '{ printf "EXT-%05d,T,山田太郎,03-1234-5678,100-0001,東京都1-1,1980,%s,1\n", $1, a }'; }
{ echo $cols; rows 1 1000; } >big.csv
{ echo $cols; rows 2001 2500; } >more.csv
echo $cols >none.csv
NOW="2026-07-15 10:00:00 +09:00"
q="'"
# drive: one run over the queue (no new rows), quietly.
drive() { QS_NOW=$NOW qs -q inbound ship --retry-failed none.csv >/dev/null 2>&1 || true; }
applied_keys() {
    sb counters | "$PY" -c 'import json, sys
for k, n in json.load(sys.stdin).get("hook_effects", {}).items():
    if n != 1: print("effects %d for %s" % (n, k))
    print(k)' | sort
}
state_count() { sql "SELECT count(*) FROM outbox WHERE kind = ${q}inbound-ship$q AND state = $q$1$q"; }

test_expect 'R-INB-6 1,000 shipments registered while the hook is down wait in the outbox' '
    qs -q init --shop demo --deliver "inbound-ship=hook:sh $TRASH/hook.sh" >/dev/null &&
    qs -q stock import snap.csv >/dev/null &&
    rc=0 && QS_HOOK_DOWN=1 QS_NOW=$NOW qs -q inbound ship big.csv >out 2>err || rc=$? &&
    { test $rc = 69 || { echo "exit $rc"; cat err; exit 1; }; } &&
    test "$(sql "SELECT count(*) FROM inbound_ship_ref")" = 1000 &&
    r=$(state_count retry) p=$(state_count pending) &&
    { test $((r + p)) = 1000 && test "$r" -ge 1 || { echo "retry $r, pending $p"; exit 1; }; }
'
test_expect 'R-INB-6 a run killed while its hook holds its requests loses nothing' '
    qs -q init --shop demo --deliver "inbound-ship=hook:sh $TRASH/hang.sh" >/dev/null &&
    { QS_NOW=$NOW "$QS" -q inbound ship --retry-failed none.csv >/dev/null 2>&1 & } &&
    pid=$! &&
    for i in $(seq 1 600); do [ -e hang.seen ] && break; sleep 0.1; done &&
    held=$(state_count claimed) &&
    kill -9 "$pid" && { wait "$pid" 2>/dev/null || true; } &&
    { kill -9 -- "-$(ps -o pgid= -p "$(cat hang.pid)" | tr -d " ")" 2>/dev/null || true; } &&
    qs -q init --shop demo --deliver "inbound-ship=hook:sh $TRASH/hook.sh" >/dev/null &&
    test -e hang.seen && { test "$held" -ge 1 || { echo "the run held $held items"; false; }; } &&
    c=$(state_count claimed) r=$(state_count retry) p=$(state_count pending) &&
    { test "$c" = "$held" && test $((c + r + p)) = 1000 ||
      { echo "held $held; claimed $c, retry $r, pending $p"; false; }; }
'
test_expect 'R-INB-6 two runs of one file at once register each reference once' '
    sb faults "{\"error_rate\": 0.2, \"phase\": \"mixed\", \"after_ratio\": 0.5, \"methods\": [\"hook:inbound-ship\"], \"seed\": 14}" >/dev/null &&
    { QS_NOW=$NOW qs -q inbound ship more.csv >o1 2>e1; echo $? >rc1; } &
    { QS_NOW=$NOW qs -q inbound ship more.csv >o2 2>e2; echo $? >rc2; } &
    wait &&
    for r in $(cat rc1 rc2); do case $r in 0|1|65|75) ;; *) cat e1 e2; exit 1 ;; esac; done &&
    test "$(sql "SELECT count(*) FROM inbound_ship_ref")" = 1500 &&
    test "$(sql "SELECT count(*) FROM outbox WHERE kind = ${q}inbound-ship$q")" = 1500
'
test_expect 'R-INB-6 two runs at a time through 20% failures ship every reference exactly once' '
    { drive & } && { drive & } && wait &&
    for round in $(seq 1 30); do
        [ "$(state_count done)" = 1500 ] && break
        { drive & } && { drive & } && wait
    done &&
    test "$(state_count done)" = 1500 &&
    sql "SELECT key FROM inbound_ship_ref" | sort >store-keys &&
    applied_keys >sb-keys && test_cmp store-keys sb-keys &&
    test "$(sb counters | "$PY" -c "import json,sys; print(json.load(sys.stdin)[\"hook_totals\"][\"repeats\"])")" -gt 0
'
test_expect 'R-INB-6 the same file again is refused: every reference was shipped' '
    expect_code 65 env QS_NOW="$NOW" "$QS" inbound ship more.csv &&
    grep_q "500 bad rows of 500; nothing registered" err
'
test_done

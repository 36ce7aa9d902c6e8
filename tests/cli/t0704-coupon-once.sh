#!/usr/bin/env bash
# SPEC 1.6 for coupon pushes and cancels (issue 12): 500 comp pushes -- 100 shops x 5 weeks,
# so the weekly rule (R-CPN-5) holds -- queued while the hook is down, then handed to the
# sandbox's bundled hook with 20% injected failures (half of them after the sandbox acted),
# one run killed with SIGKILL while its hook holds every request of its shop, and two runs
# over all the shops at once; then 50 of the pushes cancelled the same way. The sandbox
# must count exactly one application per push key and one cancel per cancelled push, and
# the store must agree.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start
URL=$(cat "$SBDIR/sandbox.url")
# The shops' hook: down (exit at once) while QS_HOOK_DOWN is set, else the bundled hook.
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
BASE=2026-12-03T01:00:00Z
shops=$(seq -f "s%03g" 1 100)
# Each week's push goes to the buyers of other orders (the same push asked again while one
# is still to be sent is the same push: its key).
for w in 0 1 2 3 4; do printf "Order No.\n99900%d001\n99900%d002\n" $w $w >orders$w.csv; done

# week W: QS_NOW W weeks after the base (a Thursday 10:00 in Japan).
week() { date -u -d "2026-12-03 01:00 UTC + $((7 * $1)) days" +%FT%TZ; }
# runs: every shop's coupon run once (what cron would do), quietly.
runs() {
    for s in $shops; do QS_NOW=$BASE qs -q --shop "$s" coupon run --retry-failed >/dev/null 2>&1; done
}
# count_keys: the keys the sandbox applied (effects), pushes and cancels, one per line.
applied_keys() {
    sb counters | "$PY" -c 'import json, sys
for k, n in json.load(sys.stdin).get("hook_effects", {}).items():
    if n != 1: print("effects %d for %s" % (n, k))
    print(k)' | sort
}

# The weeks are queued last first: a run at a later "now" rightly refuses a queued push
# whose send date has passed by then (R-CPN-4), as a real clock never goes back.
test_expect 'SPEC 1.6: 100 shops each queue a comp push a week for 5 weeks while the hook is down' '
    for s in $shops; do
        qs -q init --shop "$s" --deliver "coupon=hook:sh $TRASH/hook.sh" >/dev/null &&
        qs -q --shop "$s" coupon add --code C1 --name 補償クーポン --discount 300 \
            --from 2026-11-01 --to 2027-03-31 --qsm-no 5001 >/dev/null || exit 1
    done &&
    for w in 4 3 2 1 0; do
        for s in $shops; do
            rc=0
            QS_HOOK_DOWN=1 QS_NOW=$(week $w) qs -q --shop "$s" coupon push comp --coupon C1 \
                --at next orders$w.csv >/dev/null 2>err.$s || rc=$?
            test $rc = 69 || { cat err.$s; exit 1; }
        done
    done &&
    test "$(sql "SELECT count(*) FROM coupon_push WHERE state = '"'"'scheduled'"'"'")" = 500 &&
    test "$(sql "SELECT count(DISTINCT shop || week) FROM coupon_push")" = 500 &&
    test "$(sql "SELECT count(*) FROM outbox WHERE kind = '"'"'coupon'"'"' AND state = '"'"'retry'"'"'")" = 500
'
test_expect 'SPEC 1.6: a run killed while its hook holds every request loses nothing' '
    qs -q init --shop s001 --deliver "coupon=hook:sh $TRASH/hang.sh" >/dev/null &&
    { QS_NOW=$BASE "$QS" -q --shop s001 coupon run --retry-failed --timeout 600 >/dev/null 2>&1 & } &&
    pid=$! &&
    for i in $(seq 1 600); do [ -e hang.seen ] && break; sleep 0.1; done &&
    held=$(sql "SELECT count(*) FROM outbox WHERE shop = '"'"'s001'"'"' AND state = '"'"'claimed'"'"'") &&
    kill -9 "$pid" && { wait "$pid" 2>/dev/null || true; } &&
    { kill -9 -- "-$(ps -o pgid= -p "$(cat hang.pid)" | tr -d " ")" 2>/dev/null || true; } &&
    qs -q init --shop s001 --deliver "coupon=hook:sh $TRASH/hook.sh" >/dev/null &&
    test -e hang.seen && { test "$held" = 5 || { echo "the run held $held items"; false; }; } &&
    test "$(sql "SELECT count(*) FROM outbox WHERE shop = '"'"'s001'"'"' AND state = '"'"'claimed'"'"'")" = 5
'
test_expect 'SPEC 1.6: two runs at once through 20% failures apply every push exactly once' '
    sb faults "{\"error_rate\": 0.2, \"phase\": \"mixed\", \"after_ratio\": 0.5, \"methods\": [\"hook:coupon\", \"hook:coupon-cancel\"], \"seed\": 12}" >/dev/null &&
    { runs & } && { runs & } && wait &&
    for round in $(seq 1 20); do
        left=$(sql "SELECT count(*) FROM coupon_push WHERE state <> '"'"'applied'"'"'") &&
        [ "$left" = 0 ] && break
        runs
    done &&
    test "$(sql "SELECT count(*) FROM coupon_push WHERE state = '"'"'applied'"'"'")" = 500 &&
    sql "SELECT key FROM coupon_push" | sort >store-keys &&
    applied_keys >sb-keys && test_cmp store-keys sb-keys &&
    test "$(sb counters | "$PY" -c "import json,sys; print(json.load(sys.stdin)[\"hook_totals\"][\"repeats\"])")" -gt 0
'
test_expect 'SPEC 1.6: 50 pushes cancelled by two runs at once through failures are cancelled exactly once' '
    sql "SELECT shop || \" \" || id FROM coupon_push WHERE week = (SELECT max(week) FROM coupon_push) AND shop <= '"'"'s050'"'"'" >cancel-list &&
    test "$(wc -l <cancel-list)" = 50 &&
    cancels() { while read -r s n; do QS_NOW=$BASE qs -q --shop "$s" coupon cancel "$n" >/dev/null 2>&1; done <cancel-list; } &&
    { cancels & } && { cancels & } && wait &&
    for round in $(seq 1 20); do
        left=$(sql "SELECT count(*) FROM coupon_push WHERE state = '"'"'cancel-requested'"'"'") &&
        [ "$left" = 0 ] && break
        runs
    done &&
    test "$(sql "SELECT count(*) FROM coupon_push WHERE state = '"'"'cancelled'"'"'")" = 50 &&
    test "$(sql "SELECT count(*) FROM coupon_push WHERE state = '"'"'applied'"'"'")" = 450 &&
    { sql "SELECT key FROM coupon_push"; sql "SELECT key || \"-cancel\" FROM coupon_push WHERE state = '"'"'cancelled'"'"'"; } | sort >store-keys &&
    applied_keys >sb-keys && test_cmp store-keys sb-keys
'
test_done

#!/usr/bin/env bash
# bench/ship.sh: SPEC 8 "batch work is linear" for `qs sync ship` and `qs sync
# confirm` (issue 16 target 3), against the sandbox marketplace (qapi.rate=0,
# faults off).
#
# For each size (default 10,000 and 100,000 order lines) it seeds the sandbox
# with that many paid lines, runs `qs sync orders` once into a template store
# and saves the sandbox's state. Then RUNS times (default 3), alternating the
# sizes, it restores both and times `qs sync ship` of a file naming every line,
# and (restored again) `qs sync confirm` of the same lines. It prints the
# medians, the cost per line, the ratio of the largest size's per-line cost to
# the smallest's (the reference, measured in the same run) and the peak
# resident memory (the largest of the runs, /usr/bin/time %M); for information also
# qs's own CPU time (user + system), which leaves the sandbox's share out.
# Targets: per-line ratio <= 1.25, peak RSS at the largest size <= 1.25x the
# smallest's, the largest size (when >= 100,000) in < 20 s. Exits 1 when a
# target is missed. Not run by CI.
#
# usage: bench/ship.sh [--runs N] [--lines "N N ..."] [--only ship|confirm]
#                      [--qs PATH] [--dir DIR [--reuse]] [--quick]
#   --quick: --runs 1 --lines "2000 20000" (development; no 20 s target)
#   --reuse: use the sandbox states and stores an earlier run left in DIR
set -eu

here=$(cd "$(dirname "$0")" && pwd)
me=bench/ship.sh
. "$here/bench-lib.sh"
bench_args --lines "$@"
bench_setup qs-bench-ship

# prepare N: sandbox state st-N.json and store store-N.db holding N paid lines, and
# ship-N.csv naming each of them.
prepare() {
    local n=$1 start
    start=$(date -u -d '-40 days' +%F)
    rm -f "st-$n.json" "$QS_STORE" "$QS_STORE"-*
    sb_up "st-$n.json"
    shop_init
    "$sbctl" call "$dir/sb" seed "{\"generate_orders\": $n, \"seed\": 21, \"start\": \"$start\", \"days\": 30, \"statuses\": [2]}" >/dev/null
    "$qs" -q sync orders --status paid >"lines-$n.csv"
    sb_save
    cp "st-$n.json" "st-$n.orig"
    cp "$QS_STORE" "store-$n.db"
    awk -F, 'NR == 1 { print "order_no,carrier,tracking"; next }
             { print $1 ",ヤマト宅急便,T" $1 }' "lines-$n.csv" >"ship-$n.csv"
    local got=$(($(wc -l <"ship-$n.csv") - 1))
    [ "$got" = "$n" ] || { echo "bench/ship.sh: the sandbox made $got lines, not $n" >&2; exit 70; }
}

# measure ACTION N: one timed run on a restored sandbox and store; appends
# "seconds kb user sys" to ACTION-N.txt.
measure() {
    local action=$1 n=$2 input
    cp "st-$n.orig" "st-$n.json"
    rm -f "$QS_STORE" "$QS_STORE"-*
    cp "store-$n.db" "$QS_STORE"
    sb_up "st-$n.json"
    if [ "$action" = ship ]; then input="ship-$n.csv"; else input="lines-$n.csv"; fi
    if ! /usr/bin/time -f '%e %M %U %S' -o time.txt "$qs" sync "$action" <"$input" >out.txt 2>err.txt; then
        echo "bench/ship.sh: qs sync $action of $n lines failed:" >&2
        tail -5 err.txt >&2
        exit 70
    fi
    local ok
    ok=$(grep -c ',ok,' out.txt || :)
    [ "$ok" = "$n" ] || { echo "bench/ship.sh: qs sync $action: $ok of $n lines ok" >&2; tail -3 err.txt >&2; exit 70; }
    sb_down
    cat time.txt >>"$action-$n.txt"
}

actions="ship confirm"
[ -n "$only" ] && actions=$only
for n in $sizes; do
    if [ -z "$reuse" ] || [ ! -f "$dir/st-$n.orig" ] || [ ! -f "$dir/store-$n.db" ]; then
        echo "preparing $n lines..." >&2
        prepare "$n"
    fi
    for a in $actions; do rm -f "$a-$n.txt"; done
done
for r in $(seq 1 "$runs"); do
    for a in $actions; do
        for n in $sizes; do
            echo "run $r/$runs: qs sync $a, $n lines" >&2
            measure "$a" "$n"
        done
    done
done

# bench_extra ACTION: the 20 s target at 100,000 lines.
bench_extra() {
    if [ "$large" -ge 100000 ]; then
        t=$(awk -v s="$s1" -v n="$large" 'BEGIN { printf "%.1f", s * 100000 / n }')
        report "$1: 100,000 lines in $t s (target < 20 s)" "$t" 19.99
    fi
}
bench_report line $actions

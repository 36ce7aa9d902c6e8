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

runs=3
sizes="10000 100000"
only=
reuse=
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
qs=${QS:-$src/build/cmd/qs}
dir=

while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --lines) sizes=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --qs) qs=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --quick) runs=1; sizes="2000 20000"; shift ;;
    --reuse) reuse=1; shift ;;
    -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/ship.sh: unknown argument $1" >&2; exit 64 ;;
    esac
done

[ -x /usr/bin/time ] || { echo "bench/ship.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 69; }
[ -x "$qs" ] || { echo "bench/ship.sh: no qs binary at $qs (give --qs PATH)" >&2; exit 69; }
qs=$(cd "$(dirname "$qs")" && pwd)/$(basename "$qs")
sbctl=$src/tests/sandbox/sandboxctl

if [ -z "$dir" ]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/qs-bench-ship.XXXXXX")
    trap '"$sbctl" stop "$dir/sb" >/dev/null 2>&1 || :; rm -rf "$dir"' EXIT
else
    mkdir -p "$dir"
    trap '"$sbctl" stop "$dir/sb" >/dev/null 2>&1 || :' EXIT
fi
cd "$dir"
export HOME="$dir/home" XDG_DATA_HOME="$dir/home/.local/share" XDG_CONFIG_HOME="$dir/home/.config"
export QS_STORE="$dir/qs.db" TZ=UTC LC_ALL=C.UTF-8
mkdir -p "$HOME"

sb_up() { # sb_up STATEFILE: the sandbox on a free port, with that state
    "$sbctl" start "$dir/sb" --state "$1" >/dev/null
    QS_QAPI_URL=$(cat "$dir/sb/sandbox.qapi_url")
    export QS_QAPI_URL
}
sb_down() { "$sbctl" stop "$dir/sb" >/dev/null; }
# sb_save: stops the sandbox once it has written its state (at 100k lines that takes
# longer than sandboxctl stop waits).
sb_save() {
    local pid t=0
    pid=$(cat "$dir/sb/sandbox.pid")
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null && [ "$t" -lt 600 ]; do sleep 1; t=$((t + 1)); done
    sb_down
}

# prepare N: sandbox state st-N.json and store store-N.db holding N paid lines, and
# ship-N.csv naming each of them.
prepare() {
    local n=$1 start
    start=$(date -u -d '-40 days' +%F)
    rm -f "st-$n.json" "$QS_STORE" "$QS_STORE"-*
    sb_up "st-$n.json"
    printf '%s\n%s\n%s\n' sandbox-api-key sandbox-user sandbox-pass |
        "$qs" -q init --shop demo --secret qapi.key --secret qapi.user \
            --secret qapi.password --set qapi.rate=0 >/dev/null
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

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

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

# report TEXT X T: TEXT and whether X <= T; a miss makes the exit status 1.
report() {
    if awk -v x="$2" -v t="$3" 'BEGIN { exit !(x <= t) }'; then echo "$1: met"; else
        echo "$1: MISSED"
        fail=1
    fi
}

small=${sizes%% *}
large=${sizes##* }
fail=0
printf '%-8s %8s %10s %12s %10s %12s\n' action lines median_s ms_per_line peak_MB qs_cpu_s
for a in $actions; do
    for n in $sizes; do
        s=$(cut -d' ' -f1 "$a-$n.txt" | median)
        kb=$(cut -d' ' -f2 "$a-$n.txt" | sort -n | tail -1)
        cpu=$(awk '{ print $3 + $4 }' "$a-$n.txt" | median)
        printf '%-8s %8d %10.2f %12.4f %10.1f %12.2f\n' "$a" "$n" "$s" \
            "$(awk -v s="$s" -v n="$n" 'BEGIN { print 1000 * s / n }')" \
            "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" "$cpu"
        eval "sec_${a}_$n=$s kb_${a}_$n=$kb cpu_${a}_$n=$cpu"
    done
    eval "s0=\$sec_${a}_$small s1=\$sec_${a}_$large k0=\$kb_${a}_$small k1=\$kb_${a}_$large"
    ratio=$(awk -v a="$s0" -v b="$s1" -v n0="$small" -v n1="$large" 'BEGIN { printf "%.2f", (b / n1) / (a / n0) }')
    eval "c0=\$cpu_${a}_$small c1=\$cpu_${a}_$large"
    # qs's own CPU time (user + system): the sandbox's share of the wall time left out.
    cratio=$(awk -v a="$c0" -v b="$c1" -v n0="$small" -v n1="$large" 'BEGIN { printf "%.2f", (a > 0) ? (b / n1) / (a / n0) : 0 }')
    echo "$a: (for information) qs CPU per line $large/$small = $cratio"
    mem=$(awk -v a="$k0" -v b="$k1" 'BEGIN { printf "%.2f", b / a }')
    report "$a: per-line cost $large/$small = $ratio (target <= 1.25)" "$ratio" 1.25
    report "$a: peak RSS $large/$small = $mem (target <= 1.25)" "$mem" 1.25
    if [ "$large" -ge 100000 ]; then
        t=$(awk -v s="$s1" -v n="$large" 'BEGIN { printf "%.1f", s * 100000 / n }')
        report "$a: 100,000 lines in $t s (target < 20 s)" "$t" 19.99
    fi
done
exit "$fail"

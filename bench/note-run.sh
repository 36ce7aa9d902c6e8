#!/usr/bin/env bash
# bench/note-run.sh: SPEC 8 "batch work is linear" for `qs note run` (R-NOTE-9), the
# automatic notes: every firing is matched, recorded, released or held, and reported.
#
# For each size (default 10,000 and 100,000 paid orders) it seeds the sandbox marketplace
# with that many paid orders, pulls them into a template store with `qs sync orders`, and
# adds a rule (kind paid) that every one of them meets. Then RUNS times (default 3) it
# restores that store and times `qs note run --cap 100`: every order fires, 100 notes are
# released and delivered through the bundled hook (hook.py, to the sandbox), the others
# are held by the daily cap; the report has one row per firing. The cap keeps the
# deliveries (measured by bench/batch.sh and bench/linear.sh) a constant share, so the
# run measures the matching, the firings and the report. It prints the medians, the cost
# per firing, the ratio of the largest size's per-firing cost to the smallest's (the
# reference, measured in the same run) and the peak resident memory (the largest of the
# runs, /usr/bin/time %M); for information also qs's own CPU time (user + system).
# Targets: per-firing ratio <= 1.25, peak RSS at the largest size <= 1.25x the smallest's.
# Exits 1 when a target is missed. Not run by CI.
#
# usage: bench/note-run.sh [--runs N] [--orders "N N ..."] [--qs PATH] [--dir DIR]
#                          [--quick]
#   --quick: --runs 1 --orders "2000 20000" (development)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
me=bench/note-run.sh
. "$here/bench-lib.sh"
bench_args --orders "$@"
bench_setup qs-bench-note-run

# prepare N: the sandbox up with N paid orders; store-N.db holds them and the rule.
prepare() {
    local n=$1
    rm -f "$QS_STORE" "$QS_STORE"-*
    "$sbctl" start "$dir/sb" >/dev/null
    QS_QAPI_URL=$(cat "$dir/sb/sandbox.qapi_url")
    export QS_QAPI_URL
    "$sbctl" call "$dir/sb" seed "{\"generate_orders\": $n, \"seed\": 7, \"start\": \"$(date -u -d '-20 days' +%F)\", \"days\": 10, \"statuses\": [2]}" >/dev/null
    shop_init
    "$qs" -q init --shop demo \
        --deliver "note=hook:python3 $src/tests/sandbox/hook.py --url $(cat "$dir/sb/sandbox.url")" >/dev/null
    "$qs" -q sync orders >/dev/null
    "$qs" -q note rule add --kind paid --since "$(date -u -d '-30 days' +%F)" \
        --title "発送のご案内" --body "ご注文ありがとうございます。" paid >/dev/null
    cp "$QS_STORE" "store-$n.db"
}

# run N: one timed qs note run; appends "seconds kb user sys" to run-N.txt and checks the
# report: one row per firing.
run() {
    local n=$1 rows
    rm -f "$QS_STORE" "$QS_STORE"-*
    cp "store-$n.db" "$QS_STORE"
    if ! /usr/bin/time -f '%e %M %U %S' -o time.txt "$qs" note run --cap 100 >out.txt 2>err.txt; then
        echo "$me: qs note run ($n orders) failed:" >&2
        tail -5 err.txt >&2
        exit 70
    fi
    rows=$(($(wc -l <out.txt) - 1))
    [ "$rows" = "$n" ] || { echo "$me: $rows report rows for $n firings" >&2; exit 70; }
    cat time.txt >>"run-$n.txt"
}

for n in $sizes; do
    : >"run-$n.txt"
    prepare "$n"
    for _ in $(seq "$runs"); do run "$n"; done
    sb_down
done
bench_report firing run

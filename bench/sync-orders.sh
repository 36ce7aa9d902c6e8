#!/usr/bin/env bash
# bench/sync-orders.sh: issue 16 target 2 -- `qs sync orders` against the sandbox
# marketplace (qapi.rate=0), first run and unchanged re-run, measured side by side.
#
# For each size (default 10,000 and 100,000 order lines) it seeds a reset sandbox
# (generate_orders over the last 80 days), then RUNS times (default 3), alternately:
#   - `qs sync orders` into a fresh store (first run), then again (re-run), each timed
#     (wall, and user+sys CPU of the qs process, peak RSS via /usr/bin/time);
#   - bench/orders-fetch, a bare libcurl+jansson client replaying exactly the search
#     calls that run made (read back from qs's audit) over one kept-alive connection:
#     the reference, measured in the same run.
# It prints the medians, qs's ratio to the bare client, the windows, splits and rows
# parsed per kept row, and the targets next to them:
#   first run < 25 s and re-run < 5 s at 100k (wall, medians);
#   linear (SPEC 8): qs CPU per line at the largest size <= 1.25x the smallest's;
#   peak RSS flat: the largest size's peak <= 1.25x the smallest's.
# Exits 1 when a target is missed. Run by hand, not by CI. The sandbox's own speed is
# part of the wall figures; qs's CPU figures are not affected by it.
#
# usage: bench/sync-orders.sh [--runs N] [--lines "N N ..."] [--build DIR] [--dir DIR]
#        (--lines 2000 --runs 1 for a quick check while developing)
set -eu

runs=3
sizes="10000 100000"
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=$src/build
dir=

while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --lines) sizes=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    -h | --help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/sync-orders.sh: unknown argument $1" >&2; exit 64 ;;
    esac
done

qs=$build/cmd/qs
fetch=$build/bench/orders-fetch
sbctl=$src/tests/sandbox/sandboxctl
[ -x /usr/bin/time ] || { echo "bench/sync-orders.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 69; }
command -v sqlite3 >/dev/null || { echo "bench/sync-orders.sh: sqlite3 is missing" >&2; exit 69; }
[ -x "$qs" ] && [ -x "$fetch" ] || { echo "bench/sync-orders.sh: no $qs or $fetch (ninja -C $build)" >&2; exit 69; }

if [ -z "$dir" ]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/qs-bench-orders.XXXXXX")
    trap '"$sbctl" stop "$dir/sb" >/dev/null 2>&1 || :; rm -rf "$dir"' EXIT
else
    mkdir -p "$dir"
    trap '"$sbctl" stop "$dir/sb" >/dev/null 2>&1 || :' EXIT
fi
export QS_STORE="$dir/qs.db" HOME="$dir" XDG_DATA_HOME="$dir"
unset QS_SHOP QS_TZ QS_FORMAT QS_NOW
"$sbctl" start "$dir/sb" >/dev/null
QS_QAPI_URL=$(cat "$dir/sb/sandbox.qapi_url")
export QS_QAPI_URL

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
max() { sort -g | tail -1; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

fresh_store() {
    rm -f "$QS_STORE" "$QS_STORE-wal" "$QS_STORE-shm"
    printf 'sandbox-api-key\nsandbox-user\nsandbox-pass\n' |
        "$qs" -q init --shop bench --secret qapi.key --secret qapi.user --secret qapi.password \
            --set qapi.rate=0 >/dev/null
}

# timed NAME: one `qs sync orders`; appends wall, cpu, rss to $dir/NAME.{wall,cpu,rss} and
# writes the search calls it made (audit rows after the last one) to $dir/NAME.calls.
timed() {
    local last
    last=$(sqlite3 "$QS_STORE" "SELECT coalesce(max(id), 0) FROM audit")
    /usr/bin/time -f "%e %U %S %M" -o "$dir/t.out" "$qs" sync orders >/dev/null 2>"$dir/$1.err"
    read -r wall user sys kb <"$dir/t.out"
    echo "$wall" >>"$dir/$1.wall"
    calc "%.2f\n" "$user + $sys" >>"$dir/$1.cpu"
    echo "$kb" >>"$dir/$1.rss"
    # key: "status S by COND=V FROM-TO" (sync.c fetch_one)
    sqlite3 -separator ' ' "$QS_STORE" "SELECT kind, key FROM audit WHERE id > $last AND
        kind IN ('ShippingBasic.GetShippingInfo_v3', 'ShippingBasic.GetClaimInfo_V3') ORDER BY id" |
        awk '{ split($6, w, "-"); st = $3 == "all" ? "" : $3
               if ($1 ~ /Claim/) printf "%s\tClaimStat=%s&search_Sdate=%s&search_Edate=%s&%s\n", $1, st, w[1], w[2], $5
               else printf "%s\tShippingStatus=%s&SearchStartDate=%s&SearchEndDate=%s&%s\n", $1, st, w[1], w[2], $5 }' \
            >"$dir/$1.calls"
    tail -1 "$dir/$1.err" >"$dir/$1.summary"
}

# bare NAME: the bare client replays NAME's calls; appends its seconds to $dir/NAME.bare.
bare() {
    "$fetch" "$QS_QAPI_URL" <"$dir/$1.calls" >"$dir/f.out"
    awk '{ print $6 }' "$dir/f.out" >>"$dir/$1.bare"
}

printf "%-7s %-7s %8s %8s %8s %6s %8s %7s %6s %6s %9s\n" lines run qs_wall qs_cpu bare_s ratio cpu_ms/kl RSS_MB calls splits parsed/kept
fail=0
first_kl= last_kl= first_rss= last_rss= big_first= big_re=
for n in $sizes; do
    "$sbctl" call "$dir/sb" reset >/dev/null
    "$sbctl" call "$dir/sb" seed "{\"generate_orders\": $n, \"seed\": 16, \"start\": \"$(date -u -d '-80 days' +%F)\", \"days\": 78, \"claim_rate\": 0.02}" >/dev/null
    rm -f "$dir"/first.* "$dir"/rerun.*
    for i in $(seq "$runs"); do
        fresh_store
        timed first
        bare first
        timed rerun
        bare rerun
    done
    for r in first rerun; do
        w=$(median <"$dir/$r.wall")
        c=$(median <"$dir/$r.cpu")
        b=$(median <"$dir/$r.bare")
        rss=$(max <"$dir/$r.rss")
        calls=$(wc -l <"$dir/$r.calls")
        # "... N rows in W windows (S split)": rows kept; parsed = kept + rows of split answers
        splits=$(sed -n 's/.*(\([0-9]*\) split).*/\1/p' "$dir/$r.summary")
        kept=$(sed -n 's/.* \([0-9]*\) rows in .*/\1/p' "$dir/$r.summary")
        parsed=$("$fetch" "$QS_QAPI_URL" <"$dir/$r.calls" | awk '{ print $4 }')
        printf "%-7s %-7s %8s %8s %8s %6s %8s %7s %6s %6s %9s\n" "$n" "$r" "$w" "$c" "$b" \
            "$(calc %.2f "$w / $b")" "$(calc %.1f "$c * 1000000 / $n")" "$(calc %.1f "$rss / 1024")" \
            "$calls" "${splits:-0}" "$(calc %.2f "$parsed / ($kept > 0 ? $kept : 1)")"
        if [ "$r" = first ]; then
            kl=$(calc %.6f "$c / $n")
            [ -n "$first_kl" ] || first_kl=$kl
            last_kl=$kl
            big_first=$w
        else
            big_re=$w
        fi
    done
    rss=$(cat "$dir/first.rss" "$dir/rerun.rss" | max)
    [ -n "$first_rss" ] || first_rss=$rss
    last_rss=$rss
done
echo "targets (issue 16 item 2, at the largest size):"
check() { # check LABEL FIGURE CONDITION
    if awk "BEGIN { exit !($3) }"; then echo "  met:    $1 ($2)"; else echo "  MISSED: $1 ($2)"; fail=1; fi
}
check "first run < 25 s" "$big_first s" "$big_first < 25"
check "re-run < 5 s" "$big_re s" "$big_re < 5"
check "qs CPU per line at the largest size <= 1.25x the smallest's" \
    "$(calc %.2f "$last_kl / $first_kl")x" "$last_kl <= 1.25 * $first_kl"
check "peak RSS flat (<= 1.25x)" "$(calc %.1f "$first_rss / 1024") -> $(calc %.1f "$last_rss / 1024") MB" \
    "$last_rss <= 1.25 * $first_rss"
exit "$fail"

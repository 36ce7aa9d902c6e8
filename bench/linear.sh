#!/usr/bin/env bash
# linear.sh: SPEC 8 -- batch work is linear in its input: `qs publish run` and `qs note
# send` cost the same per call at a small and a large size (default 10,000 and 100,000
# records), measured with bench/batch.sh in the same invocation; the small size is the
# reference. Prints qs's calls/s and peak RSS at each size, the ratio of the cost per call
# and the ratio of the peak RSS (large / small), each with target <= 1.25 (flat memory);
# exits 1 when a ratio misses it.
# (Order sync, ship and confirm have their own: bench/sync-orders.sh, bench/ship.sh.)
usage() {
    cat <<'EOF2'
usage: bench/linear.sh [--small N] [--large N] [--only publish|note] [BUILD_DIR]
  --small N   records at the reference size (default 10000)
  --large N   records at the large size (default 100000)
Runs bench/batch.sh --runs 1 at each size (its own bare-client ratio is printed by the
way, not judged here). Long: the large publish run makes 2.5 calls per product.
EOF2
}
set -eu
here=$(cd "$(dirname "$0")" && pwd)
me=bench/linear.sh
. "$here/bench-lib.sh" # report
small=10000 large=100000 only="" build=build
while [ $# -gt 0 ]; do
    case $1 in
    --help | -h) usage; exit 0 ;;
    --small) small=$2; shift ;;
    --large) large=$2; shift ;;
    --only) only=$2; shift ;;
    -*) usage >&2; exit 64 ;;
    *) build=$1 ;;
    esac
    shift
done
TARGET=1.25
fail=0
# rate KIND N: qs's calls/s and peak MB for KIND at N records (batch.sh's "qs X calls/s"
# and "peak_MB Y"), as "X Y".
rate() {
    local flag out rc=0
    case $1 in publish) flag=--publish ;; note) flag=--notes ;; esac
    out=$("$here/batch.sh" --runs 1 --only "$1" "$flag" "$2" "$build" 2>/dev/null) || rc=$?
    [ "$rc" -le 1 ] || { echo "linear.sh: batch.sh failed ($1, $2): exit $rc" >&2; exit 70; }
    echo "$out" | awk -v k="$1" '$1 == k { for (i = 1; i <= NF; i++) { if ($i == "qs") q = $(i + 1); if ($i == "peak_MB") m = $(i + 1) } print q, m; exit }'
}
printf '%-8s %12s %12s %10s %9s %9s %9s\n' kind "calls/s@$small" "calls/s@$large" cost_ratio \
    "MB@$small" "MB@$large" rss_ratio
for k in publish note; do
    [ -z "$only" ] || [ "$only" = "$k" ] || continue
    read -r a ma <<<"$(rate "$k" "$small")"
    read -r b mb <<<"$(rate "$k" "$large")"
    r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')
    m=$(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.2f", b / a }')
    printf '%-8s %12s %12s %10s %9s %9s %9s\n' "$k" "$a" "$b" "$r" "$ma" "$mb" "$m"
    report "$k: cost per call $large/$small = $r (target <= $TARGET)" "$r" "$TARGET"
    report "$k: peak RSS $large/$small = $m (target <= $TARGET)" "$m" "$TARGET"
done
exit "$fail"

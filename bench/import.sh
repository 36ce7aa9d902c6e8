#!/usr/bin/env bash
# bench/import.sh: SPEC 8's import quality bar (issue 16 target 1), measured side by side.
#
# For each size (default 100,000, 1,000,000 and 5,000,000 rows) it writes a realistic,
# all-valid catalog with bench/gen-catalog.py (kept in --dir between runs), then RUNS
# times (default 5), alternately:
#   - `qs import products` of the file into a fresh store (default options),
#   - sqlite3's `.mode csv` + `.import` of the same file into a fresh, unindexed table,
# and prints the medians of the wall times, their ratio, the ratio of the median CPU
# times (user+sys; for information: a busy disk or machine moves the wall ratio) and
# qs's peak resident memory (the largest of the runs, /usr/bin/time %M).
# Targets: ratio <= 1.5 at every size (stretch 1.2); the ratio does not grow with
# size (largest size <= smallest + 0.15); peak < 64 MB and flat (largest size <=
# smallest * 1.25). Exits 1 when a target is missed, 0 when all are met. Run by hand,
# not by CI; needs python3, sqlite3 and /usr/bin/time. 5M rows take about 2.3 GB of
# disk for the catalog and as much for each database.
#
# usage: bench/import.sh [--runs N] [--rows "N N ..."] [--qs PATH] [--dir DIR]
#        quick: bench/import.sh --runs 1 --rows 20000
set -eu

runs=5
sizes="100000 1000000 5000000"
here=$(cd "$(dirname "$0")" && pwd)
qs=${QS:-$here/../build/cmd/qs}
dir=
target=1.5
stretch=1.2

while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --rows) sizes=$2; shift 2 ;;
    --qs) qs=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/import.sh: unknown argument $1" >&2; exit 64 ;;
    esac
done

[ -x /usr/bin/time ] || { echo "bench/import.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 69; }
command -v sqlite3 >/dev/null || { echo "bench/import.sh: sqlite3 is missing" >&2; exit 69; }
[ -x "$qs" ] || { echo "bench/import.sh: no qs binary at $qs (give --qs PATH)" >&2; exit 69; }

if [ -z "$dir" ]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/qs-bench.XXXXXX")
    trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"
export QS_STORE="$dir/qs.db" HOME="$dir" XDG_DATA_HOME="$dir"
unset QS_SHOP QS_TZ QS_FORMAT

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
max() { sort -g | tail -1; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

echo "target: ratio <= $target at every size (stretch $stretch), not growing (+0.15 at most), peak < 64 MB and flat (x1.25)"
printf "%-9s %5s %9s %10s %7s %7s %9s %8s\n" rows runs qs_s sqlite3_s ratio cpu_rat peak_MB file_MB
fail=0
first_peak= last_peak= first_ratio= last_ratio=
for n in $sizes; do
    csv="$dir/catalog-$n.csv"
    [ -s "$csv" ] || python3 "$here/gen-catalog.py" --rows "$n" --all-valid --seed 1 --out "$csv"
    : >"$dir/qs.times"; : >"$dir/sq.times"; : >"$dir/qs.cpu"; : >"$dir/sq.cpu"; : >"$dir/qs.rss"
    for i in $(seq "$runs"); do
        rm -f "$QS_STORE" "$QS_STORE-wal" "$QS_STORE-shm" "$dir/sqlite.db"
        "$qs" -q init --shop bench >/dev/null
        /usr/bin/time -f "%e %U %S %M" -o "$dir/t.out" "$qs" -q import products "$csv" >/dev/null
        read -r secs u s kb <"$dir/t.out"
        echo "$secs" >>"$dir/qs.times"
        awk -v u="$u" -v s="$s" 'BEGIN { print u + s }' >>"$dir/qs.cpu"
        echo "$kb" >>"$dir/qs.rss"
        rm -f "$QS_STORE" "$QS_STORE-wal" "$QS_STORE-shm"
        /usr/bin/time -f "%e %U %S %M" -o "$dir/t.out" sqlite3 "$dir/sqlite.db" -cmd '.mode csv' ".import $csv catalog"
        read -r secs u s kb <"$dir/t.out"
        echo "$secs" >>"$dir/sq.times"
        awk -v u="$u" -v s="$s" 'BEGIN { print u + s }' >>"$dir/sq.cpu"
        rm -f "$dir/sqlite.db"
    done
    q=$(median <"$dir/qs.times")
    s=$(median <"$dir/sq.times")
    qc=$(median <"$dir/qs.cpu")
    sc=$(median <"$dir/sq.cpu")
    peak=$(max <"$dir/qs.rss")
    ratio=$(awk -v q="$q" -v s="$s" 'BEGIN { printf "%.2f", q / s }')
    cpu_ratio=$(awk -v q="$qc" -v s="$sc" 'BEGIN { printf "%.2f", (s > 0 ? q / s : 0) }')
    mb=$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')
    fmb=$(awk -v b="$(stat -c %s "$csv")" 'BEGIN { printf "%.0f", b / 1048576 }')
    printf "%-9s %5s %9s %10s %7s %7s %9s %8s\n" "$n" "$runs" "$q" "$s" "$ratio" "$cpu_ratio" "$mb" "$fmb"
    gt "$ratio" "$target" && { echo "  ratio $ratio above the target $target" >&2; fail=1; }
    gt "$ratio" "$stretch" || echo "  ratio $ratio: stretch target $stretch met"
    [ "$peak" -lt 65536 ] || { echo "  peak memory $mb MB: not under 64 MB" >&2; fail=1; }
    [ -n "$first_peak" ] || { first_peak=$peak; first_ratio=$ratio; }
    last_peak=$peak
    last_ratio=$ratio
done
if [ -n "$first_peak" ] && gt "$last_peak" "$(awk -v a="$first_peak" 'BEGIN { print a * 1.25 }')"; then
    echo "  peak memory grew more than 25% with the file" >&2
    fail=1
fi
if [ -n "$first_ratio" ] && gt "$last_ratio" "$(awk -v a="$first_ratio" 'BEGIN { print a + 0.15 }')"; then
    echo "  ratio grew with the file: $first_ratio -> $last_ratio (target: +0.15 at most)" >&2
    fail=1
fi
[ "$fail" -eq 0 ] && echo "targets met" || echo "targets missed"
exit "$fail"

#!/usr/bin/env bash
# bench/import.sh: SPEC 8's import quality bar, measured side by side.
#
# For each size (default 100,000 and 1,000,000 rows) it writes a realistic,
# all-valid catalog with bench/gen-catalog.py, then RUNS times (default 5),
# alternately:
#   - `qs import products` of the file into a fresh store (default options),
#   - sqlite3's `.mode csv` + `.import` of the same file into a fresh,
#     unindexed table,
# and prints the medians, their ratio and qs's peak resident memory (the
# largest of the runs, /usr/bin/time %M). Targets: ratio <= 2.0, peak < 64 MB,
# peak flat from the smallest to the largest size (within 25%). Exits 1 when
# a target is missed. Not run by CI.
#
# usage: bench/import.sh [--runs N] [--rows "N N ..."] [--qs PATH] [--dir DIR]
set -eu

runs=5
sizes="100000 1000000"
here=$(cd "$(dirname "$0")" && pwd)
qs=${QS:-$here/../build/cmd/qs}
dir=

while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --rows) sizes=$2; shift 2 ;;
    --qs) qs=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

printf "%-9s %6s %11s %11s %7s %9s %9s\n" rows runs qs_s sqlite3_s ratio peak_MB file_MB
fail=0
first_peak=
last_peak=
for n in $sizes; do
    csv="$dir/catalog-$n.csv"
    [ -s "$csv" ] || python3 "$here/gen-catalog.py" --rows "$n" --all-valid --out "$csv"
    : >"$dir/qs.times"
    : >"$dir/sq.times"
    : >"$dir/qs.rss"
    for i in $(seq "$runs"); do
        rm -f "$QS_STORE" "$QS_STORE-wal" "$QS_STORE-shm"
        "$qs" -q init --shop bench >/dev/null
        /usr/bin/time -f "%e %M" -o "$dir/t.out" "$qs" -q import products "$csv" >/dev/null
        read -r secs kb <"$dir/t.out"
        echo "$secs" >>"$dir/qs.times"
        echo "$kb" >>"$dir/qs.rss"
        rm -f "$dir/sqlite.db"
        /usr/bin/time -f "%e %M" -o "$dir/t.out" sqlite3 "$dir/sqlite.db" -cmd '.mode csv' ".import $csv catalog"
        read -r secs kb <"$dir/t.out"
        echo "$secs" >>"$dir/sq.times"
    done
    q=$(median <"$dir/qs.times")
    s=$(median <"$dir/sq.times")
    peak=$(max <"$dir/qs.rss")
    ratio=$(awk -v q="$q" -v s="$s" 'BEGIN { printf "%.2f", q / s }')
    mb=$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')
    fmb=$(awk -v b="$(stat -c %s "$csv")" 'BEGIN { printf "%.0f", b / 1048576 }')
    printf "%-9s %6s %11s %11s %7s %9s %9s\n" "$n" "$runs" "$q" "$s" "$ratio" "$mb" "$fmb"
    awk -v r="$ratio" 'BEGIN { exit !(r > 2.0) }' && { echo "  ratio above 2.0" >&2; fail=1; }
    [ "$peak" -lt 65536 ] || { echo "  peak memory above 64 MB" >&2; fail=1; }
    [ -n "$first_peak" ] || first_peak=$peak
    last_peak=$peak
done
if [ -n "$first_peak" ] &&
    awk -v a="$first_peak" -v b="$last_peak" 'BEGIN { exit !(b > a * 1.25) }'; then
    echo "  peak memory grew more than 25% with the file" >&2
    fail=1
fi
[ "$fail" -eq 0 ] && echo "targets met: ratio <= 2.0, peak < 64 MB, flat" || echo "targets missed"
exit "$fail"

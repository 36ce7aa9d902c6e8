#!/usr/bin/env bash
# bench/all.sh: every benchmark of SPEC 8 (issue 16), one after the other, each with its
# ratio measured against its own reference in the same run, for the figures of a closing
# note. Run it on a quiet machine, from a fresh clone built with `meson setup build &&
# ninja -C build`; it takes about an hour at the default sizes (import's 5M rows is
# the longest part).
#
# usage: bench/all.sh [--runs N] [--out DIR] [--quick] [BUILD_DIR]
#   --runs N   runs per measurement, for the medians (default 5, SPEC 8's import bar)
#   --out DIR  where each bench's full output goes (default bench-out/ in the work tree)
#   --quick    the benches' small sizes and one run: checks that they all work
# Prints each bench's verdict lines (met / missed) and, last, one line per bench with its
# exit status; exits 1 when any bench missed a target (or failed).
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
runs=5 out=$src/bench-out quick="" build=$src/build
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --quick) quick=1; runs=1; shift ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench/all.sh: unknown option $1" >&2; exit 64 ;;
    *) build=$(cd "$1" && pwd); shift ;;
    esac
done
qs=$build/cmd/qs
[ -x "$qs" ] || { echo "bench/all.sh: no $qs (ninja -C $build)" >&2; exit 69; }
mkdir -p "$out"
status=() fail=0

# one NAME CMD...: runs a bench, keeps its output in $out/NAME.txt, shows its verdicts.
one() {
    local name=$1 rc=0
    shift
    echo "== $name: $*"
    "$@" >"$out/$name.txt" 2>&1 || rc=$?
    grep -iE "met|missed|ratio|target" "$out/$name.txt" | tail -n 12
    status+=("$name exit $rc")
    [ "$rc" = 0 ] || fail=1
}

cd "$src" || exit 1
if [ -n "$quick" ]; then
    one help bench/help.sh "$qs" 20
    one import bench/import.sh --runs 1 --rows 20000 --qs "$qs"
    one sync-orders bench/sync-orders.sh --runs 1 --lines "2000 10000" --build "$build"
    one ship env QS="$qs" bench/ship.sh --quick
    one stock-sync env QS="$qs" bench/stock-sync.sh --quick
    one batch bench/batch.sh --quick "$build"
    one linear bench/linear.sh --small 1000 --large 5000 "$build"
    one note-run env QS="$qs" bench/note-run.sh --quick
else
    one help bench/help.sh "$qs" 200
    one import bench/import.sh --runs "$runs" --qs "$qs"
    one sync-orders bench/sync-orders.sh --runs "$runs" --build "$build"
    one ship env QS="$qs" bench/ship.sh --runs "$runs"
    one stock-sync env QS="$qs" bench/stock-sync.sh --runs "$runs"
    one batch bench/batch.sh --runs "$runs" "$build"
    one linear bench/linear.sh "$build"
    one note-run env QS="$qs" bench/note-run.sh --runs "$runs"
fi
printf '%s\n' "${status[@]}"
exit "$fail"

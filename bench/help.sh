#!/usr/bin/env bash
# bench/help.sh QS [N] -- SPEC 8: every command answers --help in under 10 ms.
# Times N runs of `qs COMMAND --help` for each command, next to N runs of
# /bin/true as the reference measured in the same run (process start cost),
# and prints the mean per call and the ratio to the reference.
set -euo pipefail
qs=$(realpath "${1:?usage: bench/help.sh QS [N]}")
n=${2:-200}
now() { date +%s%N; }
per_call() { # CMD...: mean ms per run over n runs
    local t0 t1
    t0=$(now)
    for ((i = 0; i < n; i++)); do "$@" >/dev/null; done
    t1=$(now)
    awk -v d=$((t1 - t0)) -v n="$n" 'BEGIN {printf "%.3f", d / n / 1e6}'
}
ref=$(per_call /bin/true)
printf '%-10s %9s %7s\n' command ms/call ratio
printf '%-10s %9s %7s\n' "(true)" "$ref" 1.00
worst=0
for c in init import publish note coupon stock inbound sync; do
    ms=$(per_call "$qs" "$c" --help)
    printf '%-10s %9s %7s\n' "$c" "$ms" "$(awk -v a="$ms" -v b="$ref" 'BEGIN {printf "%.2f", a / b}')"
    worst=$(awk -v a="$ms" -v w="$worst" 'BEGIN {print (a > w) ? a : w}')
done
awk -v w="$worst" 'BEGIN {printf "slowest --help: %.3f ms per call (target < 10 ms): %s\n", w, (w < 10) ? "met" : "NOT met"}'

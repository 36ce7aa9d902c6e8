#!/usr/bin/env bash
# bench/help.sh QS [N] -- SPEC 8: every command answers --help within 5 ms of
# /bin/true. Runs `qs COMMAND --help` N times for each command, next to N runs
# of /bin/true as the reference measured in the same run (the cost of starting
# any process), and prints per call: the wall time, the CPU time (user + sys of
# the children, from bash's `times`), the CPU ratio to the reference and the
# CPU difference. The target is judged on the CPU difference: on a quiet
# machine a --help run never waits for anything but the CPU, so wall = CPU;
# on a busy one the wall time measures the scheduler, not qs. Exits 1 when the
# slowest command costs 5 ms or more above /bin/true.
set -euo pipefail
case ${1:-} in
-h | --help)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac
qs=$(realpath "${1:?usage: bench/help.sh QS [N]}")
n=${2:-200}
# CMD...: "wall_ms cpu_ms" per run, means over n runs.
per_call() {
    local t0 t1
    t0=$(date +%s%N)
    # `times` prints the shell's own, then its children's user and sys times.
    cpu=$( (for ((i = 0; i < n; i++)); do "$@" >/dev/null; done; times) | awk 'NR == 2 {
        split($1, u, "m"); split($2, s, "m")
        print (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 }')
    t1=$(date +%s%N)
    awk -v d=$((t1 - t0)) -v c="$cpu" -v n="$n" 'BEGIN {printf "%.3f %.3f\n", d / n / 1e6, c / n}'
}
read -r rwall rcpu < <(per_call /bin/true)
printf '%-10s %9s %9s %9s %9s\n' command wall_ms cpu_ms cpu_ratio cpu_+ms
printf '%-10s %9s %9s %9s %9s\n' "(true)" "$rwall" "$rcpu" 1.00 0.000
worst=-1
for c in init import publish note coupon stock inbound sync; do
    read -r wall cpu < <(per_call "$qs" "$c" --help)
    awk -v c="$c" -v w="$wall" -v u="$cpu" -v r="$rcpu" 'BEGIN {
        printf "%-10s %9s %9s %9.2f %9.3f\n", c, w, u, (r > 0) ? u / r : 0, u - r }'
    worst=$(awk -v a="$cpu" -v w="$worst" 'BEGIN {print (a > w) ? a : w}')
done
awk -v w="$worst" -v r="$rcpu" 'BEGIN {
    d = w - r
    printf "slowest --help: %.3f ms CPU per call, %.3f ms above /bin/true (target < 5 ms): %s\n", w, d, (d < 5) ? "met" : "NOT met"
    exit (d < 5) ? 0 : 1
}'

# bench/bench-lib.sh: what the sandbox benchmarks of SPEC 8's linear bar share (sourced by
# bench/ship.sh and bench/stock-sync.sh, which set here and me first; bench/linear.sh takes
# only report).

# bench_args SIZEFLAG ARG...: the options every such script takes (its usage is the
# comment at its top, lines 2 to 22): sets runs, sizes (SIZEFLAG "N N ..."), only, qs, dir
# and reuse.
bench_args() {
    local flag=$1
    shift
    runs=3 sizes="10000 100000" only= reuse= dir=
    src=$(cd "$here/.." && pwd)
    qs=${QS:-$src/build/cmd/qs}
    while [ $# -gt 0 ]; do
        case $1 in
        --runs) runs=$2; shift 2 ;;
        "$flag") sizes=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        --qs) qs=$2; shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        --quick) runs=1; sizes="2000 20000"; shift ;;
        --reuse) reuse=1; shift ;;
        -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "$me: unknown argument $1" >&2; exit 64 ;;
        esac
    done
}

# bench_setup NAME: checks the tools, makes (or keeps) the work directory dir, cd's there
# and exports a private HOME, store and time zone; the sandbox is stopped on exit.
bench_setup() {
    [ -x /usr/bin/time ] || { echo "$me: /usr/bin/time is missing (apt-get install time)" >&2; exit 69; }
    [ -x "$qs" ] || { echo "$me: no qs binary at $qs (give --qs PATH)" >&2; exit 69; }
    qs=$(cd "$(dirname "$qs")" && pwd)/$(basename "$qs")
    sbctl=$src/tests/sandbox/sandboxctl
    if [ -z "$dir" ]; then
        dir=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
        trap '"$sbctl" stop "$dir/sb" >/dev/null 2>&1 || :; rm -rf "$dir"' EXIT
    else
        mkdir -p "$dir"
        trap '"$sbctl" stop "$dir/sb" >/dev/null 2>&1 || :' EXIT
    fi
    cd "$dir"
    export HOME="$dir/home" XDG_DATA_HOME="$dir/home/.local/share" XDG_CONFIG_HOME="$dir/home/.config"
    export QS_STORE="$dir/qs.db" TZ=UTC LC_ALL=C.UTF-8
    mkdir -p "$HOME"
}

sb_up() { # sb_up STATEFILE: the sandbox on a free port, with that state
    "$sbctl" start "$dir/sb" --state "$1" >/dev/null
    QS_QAPI_URL=$(cat "$dir/sb/sandbox.qapi_url")
    export QS_QAPI_URL
}
sb_down() { "$sbctl" stop "$dir/sb" >/dev/null; }
# sb_save: stops the sandbox once it has written its state (at 100k records that takes
# longer than sandboxctl stop waits).
sb_save() {
    local pid t=0
    pid=$(cat "$dir/sb/sandbox.pid")
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null && [ "$t" -lt 600 ]; do sleep 1; t=$((t + 1)); done
    sb_down
}

# shop_init: the shop demo in a new store, on the sandbox's credentials, no rate limit.
shop_init() {
    printf '%s\n%s\n%s\n' sandbox-api-key sandbox-user sandbox-pass |
        "$qs" -q init --shop demo --secret qapi.key --secret qapi.user \
            --secret qapi.password --set qapi.rate=0 >/dev/null
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# report TEXT X T: TEXT and whether X <= T; a miss makes the exit status 1.
report() {
    if awk -v x="$2" -v t="$3" 'BEGIN { exit !(x <= t) }'; then echo "$1: met"; else
        echo "$1: MISSED"
        fail=1
    fi
}

# bench_report UNIT ACTION...: the table and the targets from ACTION-N.txt ("seconds kb
# user sys" per run) for each size; calls bench_extra ACTION after each action's targets
# when the script defines it. Exits 1 when a target was missed.
bench_report() {
    local unit=$1 a n s kb cpu ratio cratio mem
    shift
    small=${sizes%% *}
    large=${sizes##* }
    fail=0
    printf '%-8s %8s %10s %12s %10s %12s\n' action "${unit}s" median_s "ms_per_$unit" peak_MB qs_cpu_s
    for a in "$@"; do
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
        echo "$a: (for information) qs CPU per $unit $large/$small = $cratio"
        mem=$(awk -v a="$k0" -v b="$k1" 'BEGIN { printf "%.2f", b / a }')
        report "$a: per-$unit cost $large/$small = $ratio (target <= 1.25)" "$ratio" 1.25
        report "$a: peak RSS $large/$small = $mem (target <= 1.25)" "$mem" 1.25
        if declare -F bench_extra >/dev/null; then bench_extra "$a"; fi
    done
    exit "$fail"
}

# t0201: kill -9 a worker at a random moment, re-run: nothing sent twice, nothing lost;
# without a read call the in-flight items become unknown until --resend-unknown (SPEC 1.6).
. "$(dirname "$0")/lib.sh"
: "${QS_OUTBOX_WORKER:?QS_OUTBOX_WORKER must point at the outbox-worker test program}"

# W KIND ARGS...: the test worker on this test's store, shop demo.
W() {
    local kind=$1
    shift
    "$QS_OUTBOX_WORKER" --store "$QS_STORE" --shop demo --kind "$kind" "$@"
}

# state_count KIND STATE: the number of KIND items in STATE.
state_count() { W "$1" count | awk -v s="$2" '$1 == s { print $2 }'; }

# lines FILE: its number of lines, 0 when missing.
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# kill_at KIND SINK TARGET ARGS...: starts a worker and kill -9s it once SINK has
# TARGET lines; fails when the worker ends first.
kill_at() {
    local kind=$1 sink=$2 target=$3 pid i=0
    shift 3
    # The binary itself, not the W function: $! must be the worker, not a subshell.
    "$QS_OUTBOX_WORKER" --store "$QS_STORE" --shop demo --kind "$kind" \
        work --sink "$sink" "$@" 2>>worker-err &
    pid=$!
    while [ "$(lines "$sink")" -lt "$target" ]; do
        i=$((i + 1))
        if [ "$i" -gt 3000 ] || [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" = Z ]; then
            echo "worker ended (or stalled) before $sink had $target lines"
            kill -9 "$pid" 2>/dev/null || true
            wait "$pid" || true
            return 1
        fi
        sleep 0.01
    done
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    echo "killed worker $pid at $(lines "$sink") lines"
}

# kill_in_flight KIND SINK FIRST ARGS...: kill_at a random point at least FIRST lines on;
# again, a little further each time, until a kill left some item claimed (in flight).
# (A kill can land between two batches, when nothing is in flight; under load that
# happens more often, hence up to 10 tries; they move the sink at most ~200 lines.)
kill_in_flight() {
    local kind=$1 sink=$2 step=$3 try
    shift 3
    for try in 1 2 3 4 5 6 7 8 9 10; do
        kill_at "$kind" "$sink" $(($(lines "$sink") + step + RANDOM % step)) "$@" || return 1
        [ "$(state_count "$kind" claimed)" -gt 0 ] && return 0
        step=5
    done
    echo "no kill left an item in flight"
    return 1
}

# A batch of 10 with a pause after each send: most of the time some item is in flight.
SLOW="--batch 10 --sleep-us 2000"

seq 0 999 | awk '{ printf "k%04d\n", $1 }' >"$TRASH/keys-1000"
seq 0 399 | awk '{ printf "k%04d\n", $1 }' >"$TRASH/keys-400"

test_expect 'SPEC 1.6: 1,000 items enqueued' '
    W note enqueue 1000 &&
    test "$(state_count note pending)" = 1000
'

test_expect 'SPEC 1.6: a worker killed with -9 at a random point mid-run' '
    kill_at note sink $((100 + RANDOM % 400)) $SLOW &&
    n=$(lines sink) && test "$n" -lt 1000 &&
    test "$(state_count note done)" -lt 1000
'

test_expect 'SPEC 1.6: killed again after its successor recovered and went on' '
    kill_in_flight note sink 50 $SLOW &&
    n=$(lines sink) && test "$n" -lt 1000 &&
    W note count
'

test_expect 'SPEC 1.6: items in flight at the kill are reconciled (sent -> done, else pending)' '
    W note list claimed >inflight &&
    c=$(wc -l <inflight) &&
    W note recover --sink sink >out &&
    cat out &&
    grep_q "^recovered $c$" out &&
    test "$(state_count note claimed)" = 0 &&
    test "$(state_count note unknown)" = 0 &&
    awk "{ print \$1 }" sink | sort >sent &&
    comm -12 inflight sent | sed "s/^/recovered-sent /" >want &&
    comm -23 inflight sent | sed "s/^/recovered-pending /" >>want &&
    W note audit | grep "^recovered" | tail -n "$c" | cut -d" " -f1,2 | sort >got &&
    sort want >want.sorted &&
    test_cmp want.sorted got
'

test_expect 'SPEC 1.6: a re-run completes; every key sent exactly once, none unknown' '
    W note work --sink sink --batch 10 &&
    awk "{ print \$1 }" sink | sort >keys &&
    test_cmp "$TRASH/keys-1000" keys &&
    test "$(state_count note done)" = 1000 &&
    test "$(state_count note unknown)" = 0 &&
    test "$(state_count note claimed)" = 0 &&
    empty worker-err
'

test_expect 'SPEC 1.6: without a read call, items in flight at a kill become unknown' '
    W mail enqueue 400 &&
    kill_in_flight mail sink2 40 $SLOW --no-reconcile &&
    c=$(state_count mail claimed) &&
    W mail work --sink sink2 --batch 10 --no-reconcile &&
    test "$(state_count mail unknown)" = "$c" &&
    test "$(state_count mail done)" = $((400 - c)) &&
    W mail list unknown >unknown &&
    test "$(wc -l <unknown)" = "$c"
'

test_expect 'SPEC 1.6: unknown items are listed and not resent by a plain re-run' '
    W mail count >count &&
    grep_q "^unknown [1-9]" count &&
    W mail work --sink sink2 --batch 10 &&
    awk "{ print \$1 }" sink2 | sort | uniq -d >dups &&
    empty dups &&
    awk "{ print \$1 }" sink2 | sort >sent &&
    comm -23 "$TRASH/keys-400" sent >missing &&
    comm -23 missing unknown >lost &&
    empty lost
'

test_expect 'SPEC 1.6: --resend-unknown sends them again; every key then sent' '
    W mail resend-unknown >out &&
    grep_q "^resent $(wc -l <unknown)$" out &&
    W mail work --sink sink2 --batch 10 &&
    test "$(state_count mail done)" = 400 &&
    test "$(state_count mail unknown)" = 0 &&
    awk "{ print \$1 }" sink2 | sort -u >keys &&
    test_cmp "$TRASH/keys-400" keys &&
    awk "{ print \$1 }" sink2 | sort | uniq -d >dups &&
    comm -23 dups unknown >unexpected &&
    empty unexpected
'

test_done

# t0200: two processes work one outbox at once; no item is sent twice or lost (SPEC 1.6).
. "$(dirname "$0")/lib.sh"
: "${QS_OUTBOX_WORKER:?QS_OUTBOX_WORKER must point at the outbox-worker test program}"

# W ARGS...: the test worker on this test's store, shop demo, kind note.
W() { "$QS_OUTBOX_WORKER" --store "$QS_STORE" --shop demo --kind note "$@"; }

# state_count STATE: the number of items in STATE, from `W count`.
state_count() { W count | awk -v s="$1" '$1 == s { print $2 }'; }

seq 0 999 | awk '{ printf "k%04d\n", $1 }' >"$TRASH/all-keys"

test_expect 'SPEC 1.6: 1,000 items enqueued; a second enqueue of the same keys adds none' '
    W enqueue 1000 &&
    W enqueue 1000 &&
    W count >count &&
    grep_q "^pending 1000$" count &&
    grep_q "^done 0$" count
'

# wait_for FILE...: each FILE exists (within about 60 s).
wait_for() {
    local f i
    for f in "$@"; do
        i=0
        while [ ! -e "$f" ]; do
            i=$((i + 1))
            [ "$i" -le 6000 ] || { echo "$f never appeared"; return 1; }
            sleep 0.01
        done
    done
}

test_expect 'SPEC 1.6: two workers started at once both exit 0' '
    W work --sink sink --batch 4 --sleep-us 400 --ready ready1 --go go 2>err1 & p1=$!
    W work --sink sink --batch 4 --sleep-us 400 --ready ready2 --go go 2>err2 & p2=$!
    wait_for ready1 ready2 || true # release them anyway; their exit status tells
    touch go
    rc1=0; wait $p1 || rc1=$?
    rc2=0; wait $p2 || rc2=$?
    cat err1 err2
    test "$rc1" = 0 && test "$rc2" = 0 && empty err1 && empty err2
'

test_expect 'SPEC 1.6: every key was sent exactly once' '
    awk "{ print \$1 }" sink | sort >keys &&
    test_cmp "$TRASH/all-keys" keys
'

test_expect 'SPEC 1.6: all 1,000 items are done, none left claimed' '
    test "$(state_count done)" = 1000 &&
    test "$(state_count claimed)" = 0 &&
    test "$(state_count pending)" = 0
'

test_expect 'SPEC 1.6: the two workers really ran concurrently (both sent items)' '
    awk "{ print \$2 }" sink | sort | uniq -c >per-pid &&
    cat per-pid &&
    test "$(wc -l <per-pid)" = 2 &&
    awk "\$1 < 10 { exit 1 }" per-pid
'

test_expect 'SPEC 1.6: a third run finds nothing due and sends nothing' '
    W work --sink sink &&
    test "$(wc -l <sink)" = 1000
'

test_done

#!/usr/bin/env bash
# t0210: hook: deliveries end to end (SPEC 1.7 over the SPEC 1.6 outbox). 1,000 items
# through a hook that fails 20% of its calls (half of them after doing the work), a
# kill -9 of the run, two runs at once, re-runs: every key's effect happens exactly once,
# and every item ends done with the ref of that one effect.
. "$(dirname "$0")/lib.sh"
: "${QS_DELIVER_TOOL:?QS_DELIVER_TOOL must point at the deliver-tool test program}"

# D ARGS...: the test tool on this test's store, shop demo, kind note.
D() { "$QS_DELIVER_TOOL" --store "$QS_STORE" --shop demo --kind note "$@"; }

# state_count STATE: the number of items in STATE.
state_count() { D count | awk -v s="$1" '$1 == s { print $2 }'; }

# lines FILE: its number of lines, 0 when missing.
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# The hook: an idempotent effect per key. Under an exclusive lock on the effects file it
# looks the key up; a repeat answers ok with the original ref (SPEC 1.7). A new key: 10%
# fail before the effect, 10% do the effect and then fail anyway (the answer "lost"),
# the rest do it and answer ok. Every call is logged in calls. $QS_HOOK_SLEEP slows it
# (a QS_HOOK_* variable: hooks see no other of the caller's).
cat >hook.py <<'EOF'
import fcntl, json, os, random, sys, time
effects, calls = sys.argv[1], sys.argv[2]
delay = float(os.environ.get("QS_HOOK_SLEEP", "0"))
seen, offset = {}, 0
lock = open(effects, "a+")
log = open(calls, "a")
for line in sys.stdin:
    r = json.loads(line)
    key = r["key"]
    log.write(key + "\n"); log.flush()
    if delay:
        time.sleep(delay)
    fcntl.flock(lock, fcntl.LOCK_EX)
    lock.seek(offset)
    for l in lock.readlines():  # effects of other hook processes since last time
        k, v = l.split()
        seen[k] = v
    offset = lock.tell()
    roll = random.random()
    if key in seen:
        ans = {"id": r["id"], "ok": True, "ref": seen[key]}
    elif roll < 0.10:
        ans = {"id": r["id"], "ok": False, "error": "busy, try later", "retry": True}
    else:
        seen[key] = "ref-%d-%s" % (os.getpid(), key)
        lock.seek(0, 2)
        lock.write("%s %s\n" % (key, seen[key])); lock.flush()
        offset = lock.tell()
        if roll < 0.20:
            ans = {"id": r["id"], "ok": False, "error": "timed out upstream", "retry": True}
        else:
            ans = {"id": r["id"], "ok": True, "ref": seen[key]}
    fcntl.flock(lock, fcntl.LOCK_UN)
    try:
        sys.stdout.write(json.dumps(ans) + "\n"); sys.stdout.flush()
    except BrokenPipeError:  # qs is gone (kill -9): nobody to answer
        sys.exit(0)
EOF
HOOK="hook:python3 $TRASH/hook.py $TRASH/effects $TRASH/calls"
touch effects calls

seq 0 999 | awk '{ printf "k%04d\n", $1 }' >"$TRASH/keys-1000"

test_expect 'SPEC 1.6: 1,000 items enqueued' '
    D enqueue 1000 &&
    test "$(state_count pending)" = 1000
'

test_expect 'SPEC 1.7: --dry-run prints the 1,000 hook requests and changes nothing' '
    D run --delivery "$HOOK" --dry-run >out &&
    test "$(grep -c "^{\"id\":[0-9]*,\"kind\":\"note\",\"key\":\"k[0-9]*\",\"shop\":\"demo\",\"n\":" out)" = 1000 &&
    test "$(state_count pending)" = 1000 &&
    empty calls && empty effects
'

test_expect 'SPEC 1.6/1.7: a run killed with -9 mid-run' '
    QS_HOOK_SLEEP=0.003 "$QS_DELIVER_TOOL" --store "$QS_STORE" --shop demo --kind note \
        run --delivery "$HOOK" --batch 50 >run1.out 2>run1.err &
    pid=$! &&
    target=$((150 + RANDOM % 300)) && i=0 &&
    while [ "$(lines calls)" -lt "$target" ]; do
        i=$((i + 1)); [ "$i" -lt 3000 ] || { echo "no progress"; kill -9 $pid; exit 1; }
        sleep 0.01
    done &&
    kill -9 $pid && { wait $pid 2>/dev/null || true; } &&
    echo "killed at $(lines calls) calls, $(lines effects) effects" &&
    test "$(state_count claimed)" -gt 0 &&
    test "$(state_count done)" -lt 1000
'

test_expect 'SPEC 1.6: the killed run'"'"'s items in flight go back to pending (hook), none unknown' '
    sleep 0.5 && # the orphaned hook notices EOF and ends
    c=$(state_count claimed) &&
    D run --delivery "$HOOK" --max 1 >out 2>err || true &&
    cat out && grep_q "recovered $c " out &&
    test "$(state_count unknown)" = 0 &&
    test "$(state_count claimed)" = 0
'

test_expect 'SPEC 1.6/1.7: two runs at once split the work; calls may repeat, effects do not' '
    for r in a b; do
        QS_HOOK_SLEEP=0.001 "$QS_DELIVER_TOOL" --store "$QS_STORE" --shop demo --kind note \
            run --delivery "$HOOK" --batch 20 --max 300 --retry-failed \
            >"par-$r.out" 2>"par-$r.err" &
    done &&
    wait && cat par-a.out par-b.out &&
    grep_q "^sent [1-9]" par-a.out && grep_q "^sent [1-9]" par-b.out &&
    test "$(state_count claimed)" = 0 &&
    awk "{ print \$1 }" effects | sort | uniq -d >dups &&
    empty dups
'

test_expect 'SPEC 1.7: re-runs (--retry-failed) end with every key done exactly once' '
    for i in $(seq 1 30); do
        [ "$(state_count done)" = 1000 ] && break
        D run --delivery "$HOOK" --retry-failed >>rerun.out 2>>rerun.err || true
    done &&
    D count &&
    test "$(state_count done)" = 1000 &&
    test "$(state_count failed)" = 0 &&
    awk "{ print \$1 }" effects | sort >effect-keys &&
    test_cmp "$TRASH/keys-1000" effect-keys
'

test_expect 'SPEC 1.7: each item holds the ref of its one effect (a repeat answered the original)' '
    D refs | sort >refs &&
    sort effects >effects.sorted &&
    test_cmp effects.sorted refs
'

test_expect 'SPEC 1.7: the hook was called again for keys it had done (at-least-once calls)' '
    sort calls | uniq -d >repeated &&
    test -s repeated &&
    test "$(lines calls)" -gt 1000
'

test_expect 'SPEC 1.7: a hook answering garbage and dying fails only unanswered requests' '
    "$QS_DELIVER_TOOL" --store "$QS_STORE" --shop demo --kind mail enqueue 20 &&
    cat >bad-hook.sh <<-\EOF &&
	n=0
	while read -r line; do
	    n=$((n + 1))
	    id=${line#*\"id\":}; id=${id%%,*}
	    if [ $n = 3 ]; then echo "garbage here"; continue; fi
	    echo "{\"id\":$id,\"ok\":true,\"ref\":\"r$n\"}"
	    [ $n = 8 ] && { echo "hook dying" >&2; exit 7; }
	done
	EOF
    expect_code 75 "$QS_DELIVER_TOOL" --store "$QS_STORE" --shop demo --kind mail \
        run --delivery "hook:sh $TRASH/bad-hook.sh" &&
    grep_q "^sent 7 failed 0 retry 13 .* hook_status 7$" out &&
    grep_q "answer line 3 ignored (not a JSON object): garbage here" err &&
    grep_q "^hook dying$" err &&
    "$QS_DELIVER_TOOL" --store "$QS_STORE" --shop demo --kind mail count >count &&
    grep_q "^done 7$" count && grep_q "^retry 13$" count
'

test_expect 'issue 8 item 8: a hook sees PATH, QS_SHOP and QS_HOOK_*, never the QAPI secrets or the rest of qs'"'"'s environment' '
    "$QS_DELIVER_TOOL" --store "$QS_STORE" --shop demo --kind envk enqueue 2 &&
    cat >env-hook.sh <<-\EOF &&
	env >"$QS_HOOK_OUT"
	while read -r line; do
	    id=${line#*\"id\":}; id=${id%%,*}
	    echo "{\"id\":$id,\"ok\":true,\"ref\":\"r$id\"}"
	done
	EOF
    QS_QAPI_KEY=sekrit-key-1 QS_QAPI_PASSWORD=sekrit-pass-1 QS_QAPI_USER=sekrit-user-1 \
        AWS_SECRET_ACCESS_KEY=sekrit-aws-1 QS_SHOP=callers-shop QS_HOOK_X=on-purpose \
        QS_HOOK_OUT="$TRASH/hook-env.txt" \
        expect_code 0 "$QS_DELIVER_TOOL" --store "$QS_STORE" --shop demo --kind envk \
        run --delivery "hook:sh $TRASH/env-hook.sh" &&
    grep_q "^sent 2 " out &&
    ! grep -e sekrit -e "^QS_QAPI" -e "^AWS_" -e callers-shop hook-env.txt &&
    grep_q "^QS_SHOP=demo\$" hook-env.txt && grep_q "^QS_HOOK_X=on-purpose\$" hook-env.txt &&
    grep_q "^PATH=" hook-env.txt
'

test_expect 'no run reported a sanitizer error (under -Db_sanitize)' '
    cat ./*.err err >all.err 2>/dev/null || true &&
    if grep -q "Sanitizer" all.err; then cat all.err; exit 1; fi
'

test_done

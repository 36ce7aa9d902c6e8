#!/usr/bin/env bash
# Meta-tests that keep the project's promises honest (STYLE.md, Tests).
. "$(dirname "$0")/lib.sh"

commands() { qs --help | sed -n '/^commands:/,/^$/p' | awk 'NF && !/^commands:/ {print $1}' |
    grep -vx -e help -e version; }
verbs() { qs "$1" --help | sed -n '/^verbs:/,/^$/p' | awk 'NF && !/^verbs:/ {print $1}'; }

test_expect "the command list is not empty (so the loops below test something)" '
    test "$(commands | wc -l)" -ge 8
'
test_expect "every command and every verb answers --help with exit 0 on stdout only" '
    for c in $(commands); do
        expect_code 0 qs "$c" --help && test -s out && empty err || exit 1
        for v in $(verbs "$c"); do
            expect_code 0 qs "$c" "$v" --help && grep_q "^usage: qs $c $v" out && empty err || exit 1
        done
    done
'
test_expect "every command has a man page and an entry in all three completions" '
    for c in $(commands); do
        test -f "$QS_SRC/man/qs-$c.1" || { echo "no man/qs-$c.1"; exit 1; }
        for f in qs.bash _qs qs.fish; do
            grep -qw -- "$c" "$QS_SRC/completions/$f" || { echo "completions/$f lacks $c"; exit 1; }
        done
    done
'
test_expect "every test file is registered in tests/meson.build" '
    for f in "$QS_SRC"/tests/unit/*.c; do
        n=$(basename "$f" .c); grep -q "'"'"'$n'"'"'" "$QS_SRC/tests/meson.build" || { echo "unregistered: $f"; exit 1; }
    done &&
    for f in "$QS_SRC"/tests/cli/t*.sh; do
        n=$(basename "$f" .sh); grep -q "'"'"'$n'"'"'" "$QS_SRC/tests/meson.build" || { echo "unregistered: $f"; exit 1; }
    done
'
test_expect "every rule id cited in cmd/ and libcore/ is named by a test" '
    ids=$(grep -rhoE "R-[A-Z]{3,4}-[0-9]+[a-z]?" "$QS_SRC/cmd" "$QS_SRC/libcore" | sort -u) &&
    for id in $ids; do
        grep -rqw -- "$id" "$QS_SRC/tests" || { echo "rule $id is cited in code but no test names it"; exit 1; }
    done
'
test_done

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
# ---- rule ids (STYLE.md: from a SPEC rule id to the code and the test in one grep) ----
ID='R-[A-Z]+-[0-9]+[a-z]?'
# A range or a shorthand list of ids: R-PUB-2..6, R-CPN-1…11, R-IMP-6/7, R-NOTE-2, 3.
RANGE="$ID(\.\.|…|–|—|/ ?[0-9]|, ?[0-9]|-[0-9]| to [0-9]| and [0-9])"
RULES="$QS_SRC/tests/rules.txt"
PLANNED="$QS_SRC/tests/planned-rules.txt"
SPEC=${QS_SPEC:-$QS_SRC/../shared/SPEC.md}

# test_names: "file:line: name" for every test: each test_expect of tests/cli/ (whose
# name is all of the line up to the quote that opens the script) and each unit test of
# tests/unit/ named by a string (cmocka_unit_test(fn) names are C identifiers, no ids).
test_names() {
    (cd "$QS_SRC/tests" &&
        grep -nE "^[[:space:]]*test_expect " cli/t*.sh |
        sed -E "s/^([^:]*:[0-9]*:)[[:space:]]*test_expect (.*) '[[:space:]]*\$/\1 \2/" &&
        grep -nE '^[[:space:]]*(T\(|\{)"[^"]*"[[:space:]]*,[[:space:]]*[A-Za-z_][A-Za-z0-9_]*[[:space:]]*[,)]' unit/*.c |
        sed -E 's/^([^:]*:[0-9]*:)[[:space:]]*(T\(|\{)("[^"]*").*/\1 \3/')
}
# code_ids: the rule ids cited in libcore/ and cmd/.
code_ids() { grep -rhoE "$ID" "$QS_SRC/libcore" "$QS_SRC/cmd" | sort -u; }
planned_ids() { grep -v "^#" "$PLANNED" | awk "NF {print \$1}"; }

test_expect "the test names are found (so the checks below test something)" '
    test "$(test_names | grep -c "^cli/")" -ge 300 &&
    test "$(test_names | grep -c "^unit/")" -ge 10
'
test_expect "every test name carries at most one rule id" '
    test_names >names && bad=0 &&
    while IFS= read -r line; do
        n=$(printf "%s\n" "${line#*: }" | grep -oE "$ID" | sort -u | wc -l)
        [ "$n" -le 1 ] || { echo "$n rule ids in one test name: $line"; bad=1; }
    done <names && test $bad = 0
'
test_expect "no test name gives a range or a list of rule ids" '
    test_names >names &&
    if grep -E -- "$RANGE" names; then echo "name one rule per test, not a range"; exit 1; fi
'
test_expect "tests/rules.txt lists rule ids, one a line, each once" '
    test "$(wc -l <"$RULES")" -ge 50 &&
    if grep -vxE -- "$ID" "$RULES"; then echo "not a rule id (above) in $RULES"; exit 1; fi &&
    test -z "$(sort "$RULES" | uniq -d)"
'
test_expect "tests/rules.txt is current: tests/rules-from-spec.sh of SPEC.md, where SPEC.md exists" '
    if [ -r "$SPEC" ]; then
        "$QS_SRC/tests/rules-from-spec.sh" "$SPEC" >spec-rules &&
        diff -u "$RULES" spec-rules ||
            { echo "run: tests/rules-from-spec.sh $SPEC >tests/rules.txt"; exit 1; }
    fi
'
test_expect "tests/planned-rules.txt lines are ID ISSUE, each id a rule of rules.txt, once" '
    bad=0 &&
    test -f "$PLANNED" &&
    { grep -v "^#" "$PLANNED" | awk "NF" >planned || true; } &&
    while read -r id issue rest; do
        printf "%s\n" "$id" | grep -qxE -- "$ID" && printf "%s\n" "$issue" | grep -qxE "[0-9]+" &&
            [ -z "$rest" ] || { echo "malformed: $id $issue $rest"; bad=1; }
        grep -qxF -- "$id" "$RULES" || { echo "planned $id is no rule of tests/rules.txt"; bad=1; }
    done <planned && test $bad = 0 &&
    test -z "$(planned_ids | sort | uniq -d)"
'
test_expect "every rule of SPEC.md is cited in libcore/ or cmd/, or planned -- not both" '
    bad=0 && planned_ids >planned &&
    while read -r id; do
        cited=0; grep -rqw -- "$id" "$QS_SRC/libcore" "$QS_SRC/cmd" && cited=1
        if grep -qxF -- "$id" planned; then
            [ $cited = 0 ] || { echo "$id is cited in code and listed in tests/planned-rules.txt"; bad=1; }
        else
            [ $cited = 1 ] || { echo "$id is neither cited in libcore/ or cmd/ nor planned in tests/planned-rules.txt"; bad=1; }
        fi
    done <"$RULES" && test $bad = 0
'
test_expect "every rule id cited in libcore/ and cmd/ is a rule of SPEC.md (tests/rules.txt)" '
    bad=0 &&
    for id in $(code_ids); do
        grep -qxF -- "$id" "$RULES" || { echo "$id is cited in code but is no rule of tests/rules.txt"; bad=1; }
    done && test $bad = 0
'
test_expect "every rule id cited in libcore/ and cmd/ is named by some test" '
    test_names | sed "s/^[^ ]* //" | grep -oE "$ID" | sort -u >named &&
    bad=0 &&
    for id in $(code_ids); do
        grep -qxF -- "$id" named || { echo "rule $id is cited in code but no test name names it"; bad=1; }
    done && test $bad = 0
'
test_done

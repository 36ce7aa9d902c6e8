# t0020-docs: the manual and the completions keep up with the binary.
# Every command of `qs --help` has a man page and an entry in all three
# completions; every verb of `qs COMMAND --help` is in its page (marked
# planned exactly when the binary says so) and in the completions; every
# option a verb's --help lists is in its page; mandoc lints every page clean;
# every EXIT STATUS lists 64 and 65 (SPEC 1.3).
# test_expect bodies run in a subshell that is an `if` condition, where set -e
# does not stop anything, so every check here ends in `|| exit 1`.
. "$(dirname "$0")/lib.sh"

MAN="$QS_SRC/man"
COMP="$QS_SRC/completions"

# The commands of `qs --help`, without help and version.
qs_commands() {
    qs --help | sed -n '/^commands:$/,/^$/p' | awk 'NF > 1 { print $1 }' |
        grep -v -x -e help -e version
}
# The verbs of `qs COMMAND --help` (none for a command without verbs).
qs_verbs() {
    qs "$1" --help | sed -n '/^verbs:$/,/^$/p' | awk 'NF > 1 { print $1 }'
}
# The verbs `qs COMMAND --help` marks as planned.
qs_planned() {
    qs "$1" --help | sed -n '/^verbs:$/,/^$/p' | awk '/\(planned\)$/ { print $1 }'
}
# The long options of the --help output on stdin.
long_opts() {
    sed -n '/options:$/,/^$/p' |
        awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^--[a-z]/) { print $i; break } }' |
        sed 's/[=,].*//'
}
# The lines of section $2 of man page $1.
man_section() {
    awk -v sh=".Sh $2" '$0 == sh { on = 1; next } /^\.Sh / { on = 0 } on' "$1"
}
# has PATTERN FILE: grep -q, naming what was expected where when it fails
# (without printing a whole man page).
has() {
    grep -q -- "$1" "$2" || { echo "expected /$1/ in $2"; return 1; }
}
# What the bash completion offers for the words given (the last is the one completed).
bash_complete() {
    bash --norc --noprofile -c '
        . "$1" || exit 1
        shift
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        _qs
        printf "%s\n" "${COMPREPLY[@]}"' bash "$COMP/qs.bash" "$@" | sort
}
# same_set LABEL WANT GOT: the two newline-separated lists hold the same words.
same_set() {
    printf '%s\n' "$2" | sort >want.list
    printf '%s\n' "$3" | sort >got.list
    if ! diff -u want.list got.list >diff.out; then
        echo "$1: expected (-) and got (+):"
        cat diff.out
        return 1
    fi
}

test_expect 'qs --help lists the commands of SPEC 1.1' '
    qs_commands >cmds || exit 1
    for c in init import publish note coupon stock inbound sync; do
        grep_q "^$c\$" cmds || exit 1
    done
'

test_expect 'mandoc -T lint -W warning is clean on every man page' '
    set -- "$MAN"/*.1
    [ "$#" -ge 9 ] || { echo "expected at least 9 pages in $MAN, found $#"; exit 1; }
    bad=0
    for f in "$@"; do
        if ! mandoc -T lint -W warning "$f" >lint.out 2>&1 || [ -s lint.out ]; then
            echo "mandoc warnings in $f:"
            cat lint.out
            bad=1
        fi
    done
    [ "$bad" -eq 0 ]
'

test_expect 'every command has man/qs-COMMAND.1, listed in qs(1) and man/meson.build' '
    for c in $(qs_commands); do
        p="$MAN/qs-$c.1"
        [ -f "$p" ] || { echo "missing $p"; exit 1; }
        has "^\.Dt QS-$(echo "$c" | tr a-z A-Z) 1\$" "$p" || exit 1
        man_section "$MAN/qs.1" COMMANDS >sec || exit 1
        grep_q "^\.It Cm $c\$" sec || exit 1
        has "^\.Xr qs-$c 1" "$MAN/qs.1" || exit 1
        grep_q "'\''qs-$c\.1'\''" "$MAN/meson.build" || exit 1
    done
    grep_q "'\''qs\.1'\''" "$MAN/meson.build" || exit 1
'

test_expect 'every command is in the bash, zsh and fish completions' '
    want=$(qs_commands; echo help; echo version)
    same_set "bash: qs <TAB>" "$want" "$(bash_complete qs "")" || exit 1
    for c in $(qs_commands) help version; do
        grep_q "^    '\''$c:" "$COMP/_qs" || exit 1
        grep_q "^complete -c qs -n __qs_needs_command -a $c " "$COMP/qs.fish" || exit 1
    done
'

test_expect 'every verb is in its man page, planned exactly when qs says so' '
    for c in $(qs_commands); do
        p="$MAN/qs-$c.1"
        if qs "$c" --help | grep -q "^verbs:\$"; then
            [ -n "$(qs_verbs "$c")" ] || { echo "qs $c --help lists no verbs"; exit 1; }
        fi
        if grep -q "^No verb of\$" "$p" &&
            [ "$(qs_planned "$c" | wc -l)" -ne "$(qs_verbs "$c" | wc -l)" ]; then
            echo "$p says no verb of qs $c is built, but qs $c --help lists built verbs"
            exit 1
        fi
        man_section "$p" VERBS >verbs.sec
        man_section "$p" SYNOPSIS >syn.sec
        for v in $(qs_verbs "$c"); do
            grep_q "^\.It Cm $v\$" verbs.sec || exit 1
            grep_q "^\.Cm $c $v\$" syn.sec || exit 1
            desc=$(awk -v it=".It Cm $v" "\$0 == it { getline; print; exit }" verbs.sec)
            if qs_planned "$c" | grep -q -x "$v"; then
                case $desc in Planned\ \(R-*|Planned\ \(SPEC*) ;; *)
                    echo "qs $c $v is planned; its item in $p should say \"Planned (RULE-IDS): ...\", not: $desc"
                    exit 1 ;;
                esac
            else
                case $desc in Planned*)
                    echo "qs $c $v is built; its item in $p still says: $desc"
                    exit 1 ;;
                esac
            fi
        done
    done
'

test_expect 'every verb is in the bash, zsh and fish completions' '
    for c in $(qs_commands); do
        want=$(qs_verbs "$c")
        [ -n "$want" ] || continue
        same_set "bash: qs $c <TAB>" "$want" "$(bash_complete qs "$c" "")" || exit 1
        zsh=$(awk -v c="    $c) verbs=(" "index(\$0, c) == 1 { on = 1; next } on && /^    \) ;;/ { exit } on" \
            "$COMP/_qs" | sed -n "s/^      '\''\([a-z-]*\):.*/\1/p")
        same_set "zsh: qs $c <TAB> (_qs_verbs in $COMP/_qs)" "$want" "$zsh" || exit 1
        fish=$(sed -n "s/^set -l qs_${c}_verbs //p" "$COMP/qs.fish" | tr " " "\n")
        same_set "fish: qs_${c}_verbs in $COMP/qs.fish" "$want" "$fish" || exit 1
    done
'

test_expect 'every option of every --help is in the man pages' '
    qs --help | long_opts >opts || exit 1
    [ -s opts ] || { echo "qs --help lists no options"; exit 1; }
    for o in $(cat opts); do
        has "^\.It .*Fl ${o#-}\\( \\|\$\\)" "$MAN/qs.1" || exit 1
    done
    for c in $(qs_commands); do
        verbs=$(qs_verbs "$c")
        if [ -z "$verbs" ]; then
            qs "$c" --help | long_opts >opts
        else
            for v in $verbs; do qs "$c" "$v" --help; done | long_opts >opts
        fi
        for o in $(sort -u opts); do
            [ "$o" = --help ] && continue
            has "^\.It .*Fl ${o#-}\\( \\|\$\\)" "$MAN/qs-$c.1" || exit 1
        done
    done
    qs init --help | long_opts >init.opts || exit 1
    grep_q "^--secret\$" init.opts || exit 1
'

test_expect 'every page has the standard sections; EXIT STATUS lists 64 and 65' '
    for f in "$MAN"/*.1; do
        for s in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" "SEE ALSO"; do
            has "^\.Sh $s\$" "$f" || exit 1
        done
        man_section "$f" "EXIT STATUS" >exit.sec || exit 1
        for code in 0 64 65; do
            grep_q "^\.It $code\$" exit.sec || exit 1
        done
    done
    man_section "$MAN/qs.1" "EXIT STATUS" >exit.sec || exit 1
    for code in 0 1 64 65 69 70 74 75; do
        grep_q "^\.It $code\$" exit.sec || exit 1
    done
'

test_done

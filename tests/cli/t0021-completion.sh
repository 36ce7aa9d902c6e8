# t0021-completion: the shell completions complete, and parse.
# bash: the completion function is called as bash-completion calls it, with
# bash-completion loaded when it is installed; zsh and fish: syntax checks
# (zsh -n, fish --no-execute) and, for fish, real completions.
# test_expect bodies run in a subshell that is an `if` condition, where set -e
# does not stop anything, so every check here ends in `|| exit 1`.
. "$(dirname "$0")/lib.sh"

COMP="$QS_SRC/completions"
BASH_COMPLETION=/usr/share/bash-completion/bash_completion

# bash_complete WORD...: what bash offers for the last word, one per line, in
# a fresh bash with bash-completion (if present) and completions/qs.bash loaded.
bash_complete() {
    bash --norc --noprofile -c '
        bc=$1 qs_bash=$2
        shift 2
        if [ -r "$bc" ]; then . "$bc" || exit 1; fi
        . "$qs_bash" || exit 1
        [ "$(complete -p qs)" = "complete -F _qs qs" ] || {
            echo "qs.bash did not register _qs for qs: $(complete -p qs 2>&1)" >&2
            exit 1
        }
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        COMP_TYPE=9
        COMP_KEY=9
        _qs qs "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        printf "%s\n" "${COMPREPLY[@]}"' bash "$BASH_COMPLETION" "$COMP/qs.bash" "$@"
}

# expect_completion WANT WORD...: bash offers exactly WANT (space-separated, any order).
expect_completion() {
    local want=$1 got
    shift
    got=$(bash_complete "$@" | sort | tr '\n' ' ')
    want=$(printf '%s\n' $want | sort | tr '\n' ' ')
    if [ "$got" != "$want" ]; then
        echo "completing '$*': expected \"$want\", got \"$got\""
        return 1
    fi
}

# fish_complete LINE: what fish offers for LINE (names only).
fish_complete() {
    fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$COMP/qs.fish" "$1" | cut -f1
}

test_expect 'bash-completion is installed (bash_completion is loaded)' '
    [ -r "$BASH_COMPLETION" ] || { echo "missing $BASH_COMPLETION: apt-get install bash-completion"; exit 1; }
'

test_expect 'bash: qs im<TAB> completes to import' '
    expect_completion "import" qs im || exit 1
'

test_expect 'bash: qs publish sp<TAB> completes to spread' '
    expect_completion "spread" qs publish sp || exit 1
'

test_expect 'bash: qs --sho<TAB> completes to --shop' '
    expect_completion "--shop" qs --sho || exit 1
'

test_expect 'bash: global option arguments are skipped and completed' '
    expect_completion "csv json table" qs --format "" || exit 1
    expect_completion "inbound init" qs --store x.db --shop a -q in || exit 1
    expect_completion "send" qs --tz UTC note se || exit 1
    expect_completion "--dry-run" qs --dry || exit 1
'

test_expect 'bash: verb options and their arguments' '
    expect_completion "--set --secret --shop" qs init --s || exit 1
    expect_completion "--tz" qs init --shop x --t || exit 1
    expect_completion "generic qoo10 qs" qs import products --template "" || exit 1
    expect_completion "add list show edit" qs note template "" || exit 1
    expect_completion "init import inbound" qs help i || exit 1
    expect_completion "" qs version "" || exit 1
'

test_expect 'bash: --tz completes IANA zones' '
    [ -f /usr/share/zoneinfo/Asia/Tokyo ] || { echo "no tzdata"; exit 1; }
    expect_completion "Asia/Tokyo Asia/Tomsk" qs --tz Asia/To || exit 1
'

test_expect 'zsh -n completions/_qs' '
    command -v zsh >/dev/null || { echo "zsh is not installed"; exit 1; }
    zsh -n "$COMP/_qs" || exit 1
    head -n 1 "$COMP/_qs" | grep -q -x "#compdef qs" || { echo "_qs must start with #compdef qs"; exit 1; }
'

test_expect 'fish --no-execute completions/qs.fish' '
    command -v fish >/dev/null || { echo "fish is not installed"; exit 1; }
    fish --no-execute "$COMP/qs.fish" || exit 1
'

test_expect 'fish: qs im<TAB>, qs publish sp<TAB>, qs --sho<TAB>' '
    [ "$(fish_complete "qs im")" = import ] || { echo "qs im: got $(fish_complete "qs im")"; exit 1; }
    [ "$(fish_complete "qs publish sp")" = spread ] || { echo "qs publish sp: got $(fish_complete "qs publish sp")"; exit 1; }
    [ "$(fish_complete "qs --sho")" = --shop ] || { echo "qs --sho: got $(fish_complete "qs --sho")"; exit 1; }
    [ "$(fish_complete "qs --tz UTC sy")" = sync ] || { echo "qs --tz UTC sy: got $(fish_complete "qs --tz UTC sy")"; exit 1; }
'

test_done

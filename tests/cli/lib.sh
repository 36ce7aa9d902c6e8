# lib.sh: the CLI test harness (after git's t/test-lib.sh), printing TAP.
# Each test script: . "$(dirname "$0")/lib.sh"; then test_expect "desc" 'cmds'...; test_done.
# Every test runs in a scratch "trash" directory with its own HOME, XDG dirs and
# QS_STORE, never the user's.
set -u
: "${QS:?QS must point at the qs binary}"
: "${QS_SRC:?QS_SRC must point at the source tree}"
FIX="$QS_SRC/tests/fixtures"
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/qs-test.XXXXXX")
export HOME="$TRASH/home" XDG_DATA_HOME="$TRASH/home/.local/share" \
       XDG_CONFIG_HOME="$TRASH/home/.config" QS_STORE="$TRASH/qs.db" TZ=UTC LC_ALL=C.UTF-8
unset QS_SHOP QS_TZ QS_FORMAT QS_NOW
mkdir -p "$HOME"
cd "$TRASH" || exit 1
trap 'cd /; rm -rf "$TRASH"' EXIT
_n=0
_failed=0

# qs ARGS...: the binary under test.
qs() { "$QS" "$@"; }

# test_expect DESCRIPTION SCRIPT: runs SCRIPT in a subshell; ok when it exits 0.
test_expect() {
    local rc=0
    _n=$((_n + 1))
    # Not inside "if": bash ignores set -e in a condition, and every step must count.
    (set -e; eval "$2") >"$TRASH/.out" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ]; then
        echo "ok $_n - $1"
    else
        echo "not ok $_n - $1"
        sed 's/^/# /' "$TRASH/.out"
        _failed=$((_failed + 1))
    fi
}

# test_cmp EXPECTED ACTUAL: files equal, else show the diff.
test_cmp() { diff -u "$1" "$2"; }

# expect_code N CMD...: CMD exits with status N (stdout > out, stderr > err).
expect_code() {
    local want=$1 got=0
    shift
    "$@" >out 2>err || got=$?
    if [ "$got" != "$want" ]; then
        echo "expected exit $want, got $got from: $*"
        echo "--- stdout"; cat out
        echo "--- stderr"; cat err
        return 1
    fi
}

# grep_q PATTERN FILE: like grep -q, but prints the file when it fails.
grep_q() {
    [ "$1" != "--" ] || shift
    if ! grep -q -- "$1" "$2"; then
        echo "expected /$1/ in $2:"
        cat -- "$2"
        return 1
    fi
}

# empty FILE: FILE is empty, else print it.
empty() {
    if [ -s "$1" ]; then
        echo "expected $1 to be empty:"
        cat "$1"
        return 1
    fi
}

test_done() {
    echo "1..$_n"
    [ "$_failed" -eq 0 ]
}

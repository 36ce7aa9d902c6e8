# store-lib.sh: what the store security tests (t0012, t0013) share, sourced after lib.sh.
# The suite runs as root in CI, and root ignores file modes: a test about modes runs qs
# as the user nobody (setpriv) on files given to nobody. Run as another user, the same
# tests run qs as that user on that user's files.

# test_skip DESCRIPTION REASON: a test that cannot run here, reported as skipped (TAP).
test_skip() {
    _n=$((_n + 1))
    echo "ok $_n - $1 # SKIP $2"
}

if [ "$(id -u)" = 0 ]; then
    AS_ROOT=1
    # The binary where nobody can run it, and a trash folder nobody can walk through.
    mkdir -p "$TRASH/bin" && cp "$QS" "$TRASH/bin/qs" && chmod 755 "$TRASH/bin" "$TRASH/bin/qs"
    chmod 711 "$TRASH"
    QS_USER_BIN="$TRASH/bin/qs"
else
    AS_ROOT=
    QS_USER_BIN="$QS"
fi

# as_user CMD...: CMD as a user whom file modes bind (nobody when run as root).
as_user() {
    if [ -n "$AS_ROOT" ]; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
    else
        "$@"
    fi
}

# qs_user ARGS...: qs as that user.
qs_user() { as_user "$QS_USER_BIN" "$@"; }

# give PATH...: hands files and folders to that user (a no-op when not root).
give() {
    [ -z "$AS_ROOT" ] || chown -R nobody:nogroup "$@"
}

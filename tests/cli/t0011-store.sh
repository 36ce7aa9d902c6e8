#!/usr/bin/env bash
# The store under concurrency and failure (SPEC 1.4, 1.3).
. "$(dirname "$0")/lib.sh"

test_expect "SPEC 1.4: eight qs init at once on a fresh store all succeed (busy timeout)" '
    for i in 1 2 3 4 5 6 7 8; do qs init --shop "s$i" >/dev/null 2>"err$i" & done; wait &&
    test "$(sqlite3 "$QS_STORE" "select count(*) from shop")" = 8 &&
    cat err* >allerr && ! grep -q "locked\|busy" allerr
'
test_expect "SPEC 1.4: the store is in WAL mode with foreign keys enforced" '
    test "$(sqlite3 "$QS_STORE" "pragma journal_mode")" = wal
'
test_expect "SPEC 1.3: a store that is not a database is bad data, exit 65, file left alone" '
    printf "not a database, only text, long enough for sqlite to look at it %0100d\n" 0 >junk.db &&
    cp junk.db junk.orig &&
    expect_code 65 qs --store junk.db init --shop a && grep_q "junk.db" err && cmp junk.db junk.orig
'
test_expect "SPEC 1.3: a store that cannot be created is an I/O error, exit 74" '
    expect_code 74 qs --store /proc/qs/qs.db init --shop a && grep_q "/proc/qs" err
'
test_expect "SPEC 1.4: a store written by a newer qs is refused, not damaged" '
    sqlite3 new.db "pragma user_version = 999" && expect_code 65 qs --store new.db init --shop a &&
    grep_q "newer than this qs" err && test "$(sqlite3 new.db "pragma user_version")" = 999
'
test_done

#!/usr/bin/env bash
# t0013: the verbs that only read open the store read-only (issue 8 item 11): a 0400 store,
# a read-only folder and a read-only mount can be listed, and nothing changes; they never
# create, migrate or chmod a store. File modes do not bind root: see store-lib.sh.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/store-lib.sh"

# The verbs that only read (QS_STORE_RO, QS_STORE_RO_LIST), each with a word its output holds.
read_all() {
    "$@" publish list >o.list && grep_q "^TUMBLER,TUMBLER-350," o.list &&
    "$@" note template list >o.tl && grep_q "^hello,other,Hello" o.tl &&
    "$@" note template show hello >o.ts && grep_q "Thanks" o.ts &&
    "$@" note rule list >o.rl && grep_q "^name,kind" o.rl &&
    "$@" note blacklist list >o.bl && grep_q "a@b.example" o.bl &&
    "$@" note customers >o.cu && grep_q "^buyer_key," o.cu &&
    "$@" import pools >o.po && grep_q "^name,type" o.po &&
    "$@" sync log >o.log && grep_q "Probe.Call" o.log
}

# A store with a shop, products, a template, a blacklisted buyer and an audit row.
qs -q init --shop demo >/dev/null &&
    qs -q import products "$FIX/import/good.csv" >/dev/null &&
    qs -q note template add --title Hello --body Thanks hello &&
    qs -q note blacklist add --email a@b.example --reason spam &&
    sqlite3 "$QS_STORE" "INSERT INTO audit(at, shop, kind, result) VALUES
        ('2026-11-01T00:00:00Z', 'demo', 'Probe.Call', 'ok')" || exit 1

# ro_copy DIR: a copy of the store in DIR (the folder made, both given to the user).
ro_copy() { mkdir "$1" && cp "$QS_STORE" "$1/qs.db" && give "$1"; }

test_expect 'issue 8 item 11: a 0400 store is listed by every verb that only reads; it does not change' '
    ro_copy ro1 && chmod 400 ro1/qs.db && sha256sum ro1/qs.db >sum &&
    read_all qs_user --store ro1/qs.db &&
    sha256sum -c sum >/dev/null && test "$(stat -c %a ro1/qs.db)" = 400
'
test_expect 'issue 8 item 11: on a 0400 store a verb that writes fails clearly, exit 74' '
    expect_code 74 qs_user --store ro1/qs.db note template add --title X --body Y x &&
    grep_q "cannot open store .*ro1/qs.db for writing" err &&
    expect_code 74 qs_user --store ro1/qs.db note blacklist add --email c@d.example &&
    sha256sum -c sum >/dev/null
'
test_expect 'issue 8 item 11: a store in a read-only folder (no -shm can be made) is listed; nothing appears there' '
    ro_copy ro2 && chmod 500 ro2 &&
    read_all qs_user --store ro2/qs.db &&
    test "$(ls ro2)" = qs.db
'
test_expect 'issue 8 item 11: a read-only folder with a -wal and -shm left by a writer: its changes are read' '
    ro_copy ro3 &&
    /usr/bin/python3 -c "import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute(\"INSERT INTO audit(at, shop, kind, result) VALUES (\x272026-11-02T00:00:00Z\x27, \x27demo\x27, \x27Late.Call\x27, \x27ok\x27)\")
os._exit(0)  # no checkpoint: the row stays in the -wal" ro3/qs.db &&
    test -s ro3/qs.db-wal && test -f ro3/qs.db-shm && give ro3 &&
    chmod 400 ro3/qs.db ro3/qs.db-wal ro3/qs.db-shm && chmod 500 ro3 &&
    expect_code 0 qs_user --store ro3/qs.db sync log && grep_q Late.Call out && grep_q Probe.Call out
'
test_expect 'issue 8 item 11: a -wal holding changes but no -shm in a read-only folder is an error, never stale data' '
    chmod 700 ro3 && rm ro3/qs.db-shm && chmod 500 ro3 &&
    expect_code 74 qs_user --store ro3/qs.db sync log &&
    grep_q "its -wal file holds changes not yet in the store" err && ! grep -q Probe.Call out
'
test_expect 'SPEC 1.4: a -journal left half written by a killed import, in a read-only folder, is an error, never half-written data' '
    ro_copy ro5 &&
    /usr/bin/python3 -c "import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute(\"PRAGMA journal_mode = DELETE\")  # as a bulk import has it (store_bulk_begin)
c.execute(\"PRAGMA cache_size = 8\")  # so that pages reach the store before the commit
c.execute(\"BEGIN\")
for i in range(2000):
    c.execute(\"INSERT INTO audit(at, shop, kind, result) VALUES (?, \x27demo\x27, \x27Half.Call\x27, \x27ok\x27)\", (\"2026-11-03T00:00:%04d\" % i,))
os._exit(0)  # killed: the journal stays, hot" ro5/qs.db &&
    test -s ro5/qs.db-journal && give ro5 &&
    chmod 400 ro5/qs.db ro5/qs.db-journal && chmod 500 ro5 &&
    expect_code 74 qs_user --store ro5/qs.db sync log &&
    grep_q "its -journal file holds changes a killed command left half written" err &&
    ! grep -q Half.Call out
'
if [ -n "$AS_ROOT" ] && unshare -m true 2>/dev/null; then
    test_expect 'issue 8 item 11: a store on a read-only mount is listed, even by root' '
        ro_copy ro4 &&
        unshare -m bash -c "mount --bind ro4 ro4 && mount -o remount,bind,ro ro4 || exit 8
            touch ro4/probe 2>/dev/null && exit 9  # not read-only: proves nothing
            $(declare -f read_all grep_q); read_all \"$QS\" --store ro4/qs.db" &&
        test "$(ls ro4)" = qs.db
    '
else
    test_skip 'issue 8 item 11: a store on a read-only mount is listed, even by root' \
        'needs root and unshare -m to make a read-only bind mount'
fi
test_expect 'issue 8 item 11: a verb that only reads never creates a store: exit 74, nothing made' '
    expect_code 74 qs --store nope/qs.db sync log &&
    grep_q "no store at nope/qs.db" err && grep_q "qs init --store nope/qs.db" err &&
    test ! -e nope &&
    expect_code 74 qs --store none.db publish list && test ! -e none.db
'
test_expect 'issue 8 item 5: an empty file is not made a store by a verb that only reads: exit 65' '
    : >empty.db && chmod 644 empty.db &&
    expect_code 65 qs --store empty.db note template list &&
    grep_q "empty.db is empty, not a qs store; \`qs init --store empty.db\` creates one" err &&
    test ! -s empty.db && test "$(stat -c %a empty.db)" = 644
'
test_expect 'issue 8 item 11, SPEC 1.4: an older store a verb that only reads cannot write is not migrated: exit 65, no backup' '
    mkdir old1 && sqlite3 old1/qs.db "CREATE TABLE keepme(x); INSERT INTO keepme VALUES (42)" &&
    give old1 && chmod 400 old1/qs.db && cp old1/qs.db old.orig &&
    expect_code 65 qs_user --store old1/qs.db sync log &&
    grep_q "schema version 0" err && grep_q "run one that writes" err &&
    cmp old1/qs.db old.orig && test ! -e old1/qs.db.bak-v0
'
test_expect 'SPEC 1.4: an older store the user may write is migrated (backup first) by the first command, even one that only reads' '
    sqlite3 old.db "CREATE TABLE keepme(x); INSERT INTO keepme VALUES (42)" && cp old.db old.orig &&
    expect_code 0 qs --store old.db sync log && grep_q "^at," out &&
    test "$(sqlite3 old.db.bak-v0 "SELECT x FROM keepme")" = 42 &&
    test "$(sqlite3 old.db.bak-v0 "PRAGMA user_version")" = 0 &&
    test "$(sqlite3 old.db "PRAGMA user_version")" -gt 0 &&
    test "$(sqlite3 old.db "SELECT x FROM keepme")" = 42
'
test_done

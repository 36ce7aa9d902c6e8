#!/usr/bin/env bash
# qs import products and the store (SPEC 1.4, SPEC 8, issue 16): alone on the store, an
# import writes its transaction through a rollback journal and then goes back to WAL mode;
# with another connection open it stays in WAL; killed with kill -9 while it writes, it
# leaves none of its rows and the next run imports them once.
. "$(dirname "$0")/lib.sh"

F="$FIX/import"
q() { sqlite3 "$QS_STORE" "$1"; }
qs init --shop demo >/dev/null 2>&1

# A reader holds a read transaction open across the import, in another process.
reader() {
    python3 - "$QS_STORE" <<'EOF'
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute("BEGIN")
before = c.execute("SELECT count(*) FROM variant").fetchone()[0]
open("reader.ready", "w").close()
for _ in range(6000):
    if os.path.exists("import.done"):
        break
    time.sleep(0.01)
during = c.execute("SELECT count(*) FROM variant").fetchone()[0]
c.execute("COMMIT")
after = c.execute("SELECT count(*) FROM variant").fetchone()[0]
print(before, during, after)
EOF
}

test_expect "SPEC 1.4: an import while another connection reads stays in WAL mode: the reader keeps its snapshot and the import commits" '
    reader >reader.out & pid=$!
    for i in $(seq 3000); do test -e reader.ready && break; sleep 0.01; done
    test -e reader.ready &&
    expect_code 0 qs import products "$F/good.csv" &&
    grep_q "imported 5 SKUs" err &&
    touch import.done && wait "$pid" &&
    echo "0 0 5" >expect && test_cmp expect reader.out
'

test_expect "SPEC 1.4: an import alone on the store leaves it in WAL mode, with no journal" '
    expect_code 0 qs import products --update "$F/good.csv" &&
    test "$(q "pragma journal_mode")" = wal &&
    ! test -e "$QS_STORE-journal"
'

python3 "$QS_SRC/bench/gen-catalog.py" --rows 60000 --all-valid --seed 3 --out big.csv
skus=$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))) - 1)' big.csv)

# kill_mid_write [OPTION...]: starts an import of big.csv and kills it with kill -9 once
# its journal is there and the store file (new rows) or the journal (rows updated) has
# grown by 1 MB: the import is writing, not committed.
kill_mid_write() {
    local size0 pid i
    size0=$(stat -c %s "$QS_STORE")
    "$QS" import products "$@" big.csv >/dev/null 2>&1 & pid=$!
    for i in $(seq 3000); do
        if test -e "$QS_STORE-journal" &&
            { test "$(stat -c %s "$QS_STORE")" -gt $((size0 + 1048576)) ||
              test "$(stat -c %s "$QS_STORE-journal" 2>/dev/null || echo 0)" -gt 1048576; }; then
            kill -9 "$pid"
            wait "$pid" 2>/dev/null
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.005
    done
    wait "$pid"
    echo "the import ended ($?) before it was seen writing through its journal"
    return 1
}

test_expect "SPEC 8: an import killed with kill -9 while it writes leaves none of its rows; the next import rolls back, imports every row once and leaves WAL mode" '
    kill_mid_write &&
    test -e "$QS_STORE-journal" &&
    expect_code 0 qs import products big.csv &&
    grep_q "imported $skus SKUs" err &&
    test "$(q "select count(*) from variant where sku like '"'"'QS%'"'"'")" = "$skus" &&
    test "$(q "select count(*) from import_run where rows = $skus")" = 1 &&
    test "$(q "pragma integrity_check")" = ok &&
    test "$(q "pragma journal_mode")" = wal
'

test_expect "SPEC 8: killed again, a rerun with --update leaves the catalog as it was, then updates it whole" '
    run=$(q "select max(id) from import_run") &&
    kill_mid_write --update &&
    test "$(q "select max(id) from import_run")" = "$run" &&
    test "$(q "select count(*) from variant where sku like '"'"'QS%'"'"' and import_id = $run")" = "$skus" &&
    test "$(q "pragma integrity_check")" = ok &&
    expect_code 0 qs import products --update big.csv &&
    grep_q "($skus updated)" err &&
    test "$(q "select count(*) from variant where sku like '"'"'QS%'"'"'")" = "$skus" &&
    test "$(q "pragma journal_mode")" = wal
'

test_done

#!/usr/bin/env bash
# qs import products --skip-bad --rejects FILE: the rejects file is written whole or not
# at all, never over the input (issue 8 item 7; SPEC 1.3's --rejects).
. "$(dirname "$0")/lib.sh"

F="$FIX/import"
qs init --shop demo >/dev/null 2>&1

# no_temp: no temporary rejects file was left behind in the current folder or sub/.
no_temp() {
    if ls -A . sub 2>/dev/null | grep -q '^\..*\.csv\.'; then
        echo "a temporary file was left:"; ls -A . sub
        return 1
    fi
}

test_expect "issue 8 item 7: --rejects naming the input is refused (64); the input is kept" '
    cp "$F/errors30.csv" in.csv && cp in.csv keep.csv &&
    expect_code 64 qs import products --skip-bad --rejects in.csv in.csv &&
    grep_q "in.csv is the input file" err && cmp in.csv keep.csv &&
    ln -s in.csv link.csv &&
    expect_code 64 qs import products --skip-bad --rejects link.csv in.csv && cmp in.csv keep.csv &&
    expect_code 64 qs import products --skip-bad --rejects "$TRASH/in.csv" - <in.csv &&
    cmp in.csv keep.csv && no_temp
'
test_expect "issue 8 item 7: an import that stops with 65 leaves an existing rejects file as it was" '
    echo "old rejects" >rej.csv &&
    expect_code 65 qs import products --skip-bad --rejects rej.csv "$F/syntax.csv" &&
    test "$(cat rej.csv)" = "old rejects" && no_temp
'
test_expect "issue 8 item 7: a run without rejects leaves an existing rejects file as it was" '
    expect_code 0 qs import products --skip-bad --rejects rej.csv "$F/good.csv" &&
    grep_q "imported 5 SKUs" err &&
    test "$(cat rej.csv)" = "old rejects" && no_temp
'
test_expect "issue 8 item 7: a run with rejects replaces the file whole, in the umask's mode" '
    mkdir sub && echo "old rejects" >sub/rej.csv && chmod 600 sub/rej.csv &&
    (umask 027 && expect_code 1 qs import products --skip-bad --rejects sub/rej.csv "$F/errors30.csv") &&
    test "$(stat -c %a sub/rej.csv)" = 640 &&
    ! grep -q "old rejects" sub/rej.csv &&
    test "$(/usr/bin/python3 -c "import csv; print(len(list(csv.DictReader(open(\"sub/rej.csv\", encoding=\"utf-8\")))))")" = 30 &&
    no_temp
'
test_expect "issue 8 item 7: a rejects path that is not a regular file (a pipe) is written directly" '
    mkfifo pipe && { timeout 20 cat pipe >piped.csv & } &&
    expect_code 1 qs import products --skip-bad --rejects pipe "$F/errors30.csv" && wait &&
    test "$(grep -c "(R-IMP-4)\"*$" piped.csv)" -ge 1 && grep_q "^Parent SKU,SKU," piped.csv
'
test_expect "issue 8 item 7: a rejects file that cannot be created is an I/O error before anything is read" '
    expect_code 74 qs import products --skip-bad --rejects nosuch/rej.csv "$F/errors30.csv" &&
    grep_q "cannot write nosuch/rej.csv" err && empty out
'
test_done

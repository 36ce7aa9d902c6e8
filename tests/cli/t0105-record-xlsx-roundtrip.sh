#!/usr/bin/env bash
# The .xlsx reader against libxlsxwriter, an independent writer (SPEC 1.2, issue 11): the
# records written come back exactly -- Japanese text, codes with zeros, numbers shown
# through 00000, dates and date-times, empty cells, shared and inline strings -- and a
# 100k-row sheet is read in memory within twice that of the same rows as CSV.
. "$(dirname "$0")/lib.sh"

rt() { "$QS_XLSXRT" "$@"; }
reccat() { "$QS_RECCAT" "$@"; }
# Peak resident memory (KiB) of a command, from the kernel's accounting of the child.
peak() {
    python3 -c 'import os, sys
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
sys.exit(1) if status else print(ru.ru_maxrss)' "$@"
}

test_expect "SPEC 1.2: a libxlsxwriter workbook (shared strings) reads back to the records written" '
    rt small 3000 && reccat small.xlsx >actual && test_cmp small.csv actual &&
    grep_q "^SKU-000004,ノート A5,0000000028,00004,40,0.25,2026-05-05,2026-12-03 04:04,$" actual &&
    grep_q "^SKU-000003,\"line one$" actual
'
test_expect "SPEC 1.2: the same with inline strings, 100k rows, and the sheet named in Japanese" '
    rt big 100000 inline && reccat big.xlsx >actual && test_cmp big.csv actual &&
    test "$(wc -l <actual)" -ge 100001
'
test_expect "SPEC 1.2: the sheet is read by name too (--sheet 商品)" '
    reccat --sheet 商品 small.xlsx >actual && test_cmp small.csv actual
'
test_expect "issue 11: 100k rows of .xlsx take at most twice the memory of the same CSV" '
    x=$(peak "$QS_RECCAT" big.xlsx) && c=$(peak "$QS_RECCAT" big.csv) &&
    echo "peak RSS: xlsx $x KiB, csv $c KiB" &&
    test "$x" -le $((2 * c))
'
test_done

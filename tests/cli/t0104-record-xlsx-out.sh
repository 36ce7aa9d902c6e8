#!/usr/bin/env bash
# SPEC 1.2 (issue 11 item 2): --format xlsx and -o/--output FILE. Records go to FILE whole
# or not at all; FILE's extension picks the format; a workbook refuses a pipe or terminal.
# The workbooks are looked into with python3's zipfile + xml.etree.
. "$(dirname "$0")/lib.sh"

F="$FIX/import"
qs init --shop demo >/dev/null 2>&1

# sheet FILE: the cells of Sheet1, a row per line: "A1=s:text B1=n:12" (s string, n number).
sheet() {
    python3 - "$1" <<'PY'
import sys, zipfile, xml.etree.ElementTree as ET
M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
z = zipfile.ZipFile(sys.argv[1])
wb = z.read("xl/workbook.xml").decode()
assert 'name="Sheet1"' in wb, wb
root = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
for row in root.iter(M + "row"):
    cells = []
    for c in row.findall(M + "c"):
        if c.get("t") == "inlineStr":
            cells.append("%s=s:%s" % (c.get("r"), "".join(t.text or "" for t in c.iter(M + "t"))))
        elif c.get("t") is None:
            cells.append("%s=n:%s" % (c.get("r"), c.findtext(M + "v")))
        else:
            cells.append("%s=%s:?" % (c.get("r"), c.get("t")))
    print(" ".join(cells))
PY
}
# no_temp: the folder holds no temporary file of an output (.NAME.XXXXXX) or workbook.
no_temp() {
    if ls -A | grep -q '^\.out\.\|^\.rep\.'; then
        echo "a temporary file was left:"; ls -A; return 1
    fi
    if ls "${TMPDIR:-/tmp}" | grep -q '^qs-xlsx-'; then
        echo "a temporary workbook was left in ${TMPDIR:-/tmp}"; return 1
    fi
}
export TMPDIR="$TRASH/tmp"
mkdir -p "$TMPDIR"

test_expect "SPEC 1.2: --format xlsx -o out.xlsx writes a workbook whose Sheet1 holds the header row" '
    expect_code 0 qs sync log --format xlsx -o out.xlsx && empty out && empty err &&
    head -c 2 out.xlsx | grep -q PK &&
    sheet out.xlsx >cells &&
    echo "A1=s:at B1=s:shop C1=s:kind D1=s:key E1=s:attempt F1=s:result G1=s:code H1=s:latency_ms I1=s:detail" >expect &&
    test_cmp expect cells && no_temp
'
test_expect "SPEC 1.2: -o FILE.xlsx alone picks xlsx; codes keep their leading zeros as text" '
    expect_code 0 qs import products --dry-run -o out.xlsx "$F/good.csv" && empty out &&
    sheet out.xlsx >cells &&
    grep_q "^A1=s:sku B1=s:parent_sku C1=s:state\$" cells &&
    grep_q "^A4=s:00123 B4=s:00123 C4=s:pending\$" cells && no_temp
'
test_expect "SPEC 1.2: a job whose records failed (exit 1) writes its report into the workbook" '
    expect_code 1 qs note send --order 123 --title t --body b -o rep.xlsx && empty out &&
    sheet rep.xlsx >cells &&
    grep_q "^A1=s:order_no B1=s:result C1=s:key D1=s:ref E1=s:message\$" cells &&
    grep_q "^A2=n:123 B2=s:failed E2=s:unknown order 123" cells && no_temp
'
test_expect "SPEC 1.2: --format xlsx into a pipe is refused before anything runs (64)" '
    { qs sync log --format xlsx 2>err; echo $? >code; } | cat >out &&
    test "$(cat code)" = 64 && empty out &&
    grep_q "^qs sync log: --format xlsx writes a workbook, which needs a file: give -o FILE.xlsx or redirect standard output to a file\$" err &&
    { qs --format xlsx import products "$F/good.csv" 2>err; echo $? >code; } | cat >out &&
    test "$(cat code)" = 64 && empty out && grep_q "needs a file" err &&
    test "$(sqlite3 "$QS_STORE" "select count(*) from product")" = 0 &&
    expect_code 64 qs --format xlsx sync log -o /dev/null && grep_q "needs a file" err
'
test_expect "SPEC 1.2: --format xlsx with standard output redirected to a file works" '
    qs sync log --format xlsx >redir.xlsx 2>err && empty err &&
    sheet redir.xlsx | grep -q "^A1=s:at " && no_temp
'
test_expect "SPEC 1.2: -o out.csv writes CSV into the file and nothing on stdout (after the verb, -oFILE too)" '
    expect_code 0 qs sync log -o out.csv && empty out &&
    echo "at,shop,kind,key,attempt,result,code,latency_ms,detail" >expect && test_cmp expect out.csv &&
    rm out.csv && expect_code 0 qs -oout.csv sync log && empty out && test_cmp expect out.csv &&
    expect_code 0 qs import products --dry-run --output out.jsonl "$F/good.csv" && empty out &&
    grep_q "^{\"sku\":\"00123\",\"parent_sku\":\"00123\",\"state\":\"pending\"}\$" out.jsonl &&
    expect_code 0 qs --format table sync log -o out.txt && grep_q "^at  *shop" out.txt && no_temp
'
test_expect "SPEC 1.2: a failing run leaves no output file and no temporary file; an old one stays as it was" '
    rm -f out.csv out.xlsx &&
    expect_code 65 qs import products -o out.csv "$F/syntax.csv" && empty out &&
    test ! -e out.csv && no_temp &&
    expect_code 65 qs import products -o out.xlsx "$F/syntax.csv" && test ! -e out.xlsx && no_temp &&
    echo old >out.csv &&
    expect_code 65 qs import products -o out.csv "$F/syntax.csv" && echo old >expect &&
    test_cmp expect out.csv && no_temp
'
test_expect "SPEC 1.2: -o FILE is never the input file" '
    cp "$F/good.csv" in.csv && cp in.csv keep.csv &&
    expect_code 64 qs import products --dry-run -o in.csv in.csv && grep_q "is the input file" err &&
    test_cmp keep.csv in.csv && no_temp
'
test_expect "SPEC 1.2: a folder that cannot be written is an I/O error (74)" '
    expect_code 74 qs sync log -o "$TRASH/no/such/dir/out.csv" && grep_q "cannot write" err
'
test_expect "R-SYN-10: qs sync probe keeps its own -o/--output" '
    qs sync probe --help >help && grep_q "^  -o, --output FILE  *the probe file" help
'
test_done

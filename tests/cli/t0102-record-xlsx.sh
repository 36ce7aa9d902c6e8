#!/usr/bin/env bash
# Excel workbooks as record input (SPEC 1.2, issue 11 items 1 and 3), driven through
# tests/tools/reccat: each normal workbook that tests/fixtures/xlsx/gen.py writes reads as
# its NAME.expected.csv; each hostile one is exit 65 (SPEC 1.3) with a message that says
# what is wrong, and stdout holds at most the rows that came before the bad one.
. "$(dirname "$0")/lib.sh"
: "${QS_RECCAT:?QS_RECCAT must point at the reccat test tool}"
X="$FIX/xlsx"
W="$TRASH/wb"
reccat() { "$QS_RECCAT" "$@"; }

# reads EXPECTED [OPTION...] FILE: exit 0, stdout is $X/EXPECTED, stderr empty.
reads() {
    local exp=$1
    shift
    expect_code 0 reccat "$@" && test_cmp "$X/$exp" out && empty err
}
# value ROW COLUMN: the field COLUMN of data row ROW (1 = the first after the header) of out.
value() {
    python3 -c 'import csv, sys
rows = list(csv.DictReader(open("out", newline="", encoding="utf-8")))
sys.stdout.write(rows[int(sys.argv[1]) - 1][sys.argv[2]])' "$1" "$2"
}
# is ROW COLUMN TEXT: that field of out is TEXT.
is() {
    local got
    got=$(value "$1" "$2") || return 1
    if [ "$got" != "$3" ]; then
        echo "row $1, column $2: expected [$3], got [$got]"
        return 1
    fi
}
# lines: the sheet rows reccat --load stored (rec_reader_line of each record).
lines() { sqlite3 "$QS_STORE" "select group_concat(line) from reccat_rows"; rm -f "$QS_STORE"; }

# before [LINE...]: what stdout may hold when the next hostile file fails, the rows before
# the bad one (a prefix of these lines); nothing when no LINE is given.
before() {
    if [ $# -eq 0 ]; then : >before; else printf '%s\n' "$@" >before; fi
}
# hostile FILE WHAT [OPTION...]: exit 65, the message names FILE and says WHAT (besides the
# file's name: missingpart.xlsx says "missing" by itself), and stdout is a prefix of the
# file before (written by before() first).
hostile() {
    local file=$1 what=$2 msg
    shift 2
    expect_code 65 reccat "$@" "$file" && grep_q "^reccat: $file" err || return 1
    msg=$(cat err)
    if [[ ${msg//"$file"/} != *"$what"* ]]; then
        echo "expected \"$what\" in the message, besides the file name; got:"
        cat err
        return 1
    fi
    if ! head -c "$(wc -c <out)" before | cmp -s - out; then
        echo "stdout holds more than the rows before the error; expected a prefix of:"
        head -n 5 before
        echo "--- got:"
        head -n 5 out
        return 1
    fi
}

test_expect "setup: gen.py writes the workbooks, the 3 GiB bomb and 1 GiB shared strings too" '
    python3 "$X/gen.py" --hostile-big --big 3000 "$W" &&
    test "$(ls "$W" | grep -c "\.xlsx\$")" = 26 && test -s "$W/bomb.xlsx" && test -s "$W/big.csv"
'

# --- normal workbooks --------------------------------------------------------------------
test_expect "SPEC 1.2: basic.xlsx reads as basic.expected.csv: header row first, every cell as text" '
    reads basic.expected.csv "$W/basic.xlsx"
'
test_expect "SPEC 1.2: codes stored as text keep their zeros (shared 0000011520 and 00001, inline 0042)" '
    reccat "$W/basic.xlsx" >out && is 1 Code 0000011520 && is 2 Code 00001 && is 4 Code 0042
'
test_expect "SPEC 1.2: numbers as stored, whatever their display format (1280 under #,##0, 0.1 under 0.00, 99)" '
    reccat "$W/basic.xlsx" >out && is 1 Price 1280 && is 2 Price 0.1 && is 4 Price 99 && is 2 Qty 7
'
test_expect "SPEC 1.2: a number whose format is all zeros (00000) is padded to its width: 3 -> 00003, 123456 stays" '
    reccat "$W/basic.xlsx" >out && is 1 Qty 00003 && is 6 Qty 123456
'
test_expect "SPEC 1.2: more than 15 significant digits are rounded to 15 as Excel shows them (12345678901234567, 0.1+0.2)" '
    reccat "$W/basic.xlsx" >out && is 6 Price 12345678901234600 && is 5 Qty 0.3
'
test_expect "SPEC 1.2: date cells as ISO dates by their number format (built-in 14, yyyy/mm/dd, hh:mm, escaped hh:mm:ss, h:mm alone)" '
    reccat "$W/basic.xlsx" >out && is 1 Date 2024-12-01 && is 2 Date 2024-12-01 && is 4 Date 2024-12-01 &&
    is 1 When "2024-12-01 12:00" && is 2 When "2024-12-01 12:00:00" && is 4 When 18:00
'
test_expect "SPEC 1.2: booleans read TRUE and FALSE, an error cell its text (#N/A), a formula its cached value" '
    reccat "$W/basic.xlsx" >out && is 1 Flag TRUE && is 2 Flag FALSE && is 5 Flag "#N/A" &&
    is 5 Price 2560 && is 5 Note A-001-x
'
test_expect "SPEC 1.2: shared, inline and rich-text strings; phonetic runs dropped; _x000D_ is a CR (the CSV field is quoted)" '
    reccat "$W/basic.xlsx" >out && is 1 Name 北欧風マグカップ && is 1 Note インライン &&
    is 2 Name 電子レンジ対応 && ! grep -q "フリガナ\|ホクオウ" out &&
    is 2 Note "$(printf "一行目\r\n二行目")" &&
    grep -q "^A-002,.*,\"一行目" out
'
test_expect "SPEC 1.2: empty cells and skipped columns land in their columns (A, B then E; cells without r take the next)" '
    reccat "$W/basic.xlsx" >out && grep -qx "A-003,ｶﾀｶﾅ 商品,,,5,,,," out &&
    is 4 Name "  spaced  " && is 4 Qty "" && is 4 Date 2024-12-01 && is 4 When 18:00 && is 4 Note ""
'
test_expect "SPEC 1.2: blank rows and rows of empty strings are skipped; rec_reader_line is the sheet row" '
    expect_code 0 reccat --load "$QS_STORE" "$W/basic.xlsx" && test "$(lines)" = "2,3,7,8,9,10"
'
test_expect "SPEC 1.2: formatted empty cells right of the header make no column" '
    reccat "$W/basic.xlsx" >out && test "$(head -n 1 out)" = "Sku,Name,Code,Price,Qty,Flag,Date,When,Note"
'
test_expect "SPEC 1.2: --format json gives every value as a JSON string" '
    expect_code 0 reccat --format json "$W/basic.xlsx" && test_cmp "$X/basic.expected.jsonl" out &&
    python3 -c "import json, sys
for line in open(\"out\", encoding=\"utf-8\"):
    assert all(isinstance(v, str) for v in json.loads(line).values()), line"
'
test_expect "SPEC 1.2: parts whose elements are prefixed x: (the .NET Open XML SDK) read the same" '
    reads prefixed.expected.csv "$W/prefixed.xlsx" && test_cmp "$X/basic.expected.csv" out
'
test_expect "SPEC 1.2: the first sheet in workbook order is read (Sheet1, whose part is sheet2.xml)" '
    reads twosheets.expected.csv "$W/twosheets.xlsx"
'
test_expect "SPEC 1.2: --sheet NAME reads that sheet (在庫)" '
    reads twosheets.zaiko.expected.csv --sheet 在庫 "$W/twosheets.xlsx" &&
    reads twosheets.expected.csv --sheet Sheet1 "$W/twosheets.xlsx"
'
test_expect "SPEC 1.2: a header on row 3 under empty rows; records name their sheet rows (4, 5, 7)" '
    reads headerlow.expected.csv "$W/headerlow.xlsx" &&
    expect_code 0 reccat --load "$QS_STORE" "$W/headerlow.xlsx" && test "$(lines)" = "4,5,7"
'
test_expect "SPEC 1.2: a workbook in the 1904 date system reads its dates in it" '
    reads date1904.expected.csv "$W/date1904.xlsx"
'
test_expect "SPEC 1.2: part paths written absolute (/xl/worksheets/sheet1.xml) are found" '
    reads sheetpath.expected.csv "$W/sheetpath.xlsx"
'
test_expect "SPEC 1.2: a workbook is recognised by content, not name (no .xlsx), and read from a pipe" '
    cp "$W/basic.xlsx" catalog.dat && reads basic.expected.csv catalog.dat &&
    cat "$W/basic.xlsx" | reccat - >piped.csv && test_cmp "$X/basic.expected.csv" piped.csv &&
    cat "$W/twosheets.xlsx" | reccat --sheet 在庫 - >piped.csv &&
    test_cmp "$X/twosheets.zaiko.expected.csv" piped.csv
'
test_expect "issue 11: 3000 rows of codes, Japanese names and numbers read as the same data in CSV" '
    expect_code 0 reccat "$W/big.xlsx" && test_cmp "$W/big.csv" out
'
test_expect "SPEC 1.2: --sheet on an input that is not a workbook is exit 65, not read" '
    printf "Sku,Name\nA-1,x\n" >plain.csv && expect_code 65 reccat --sheet Sheet1 plain.csv &&
    empty out && grep_q "sheet" err
'

# --- hostile workbooks: exit 65, a message that says what, no rows past the bad one ------
test_expect "issue 11 item 3: text named .xlsx is not an Excel workbook" '
    before && hostile "$W/notzip.xlsx" "not an Excel workbook"
'
test_expect "issue 11 item 3: an old .xls (OLE2 signature) is named Excel 97-2003" '
    before && hostile "$W/xls97.xlsx" "Excel 97-2003"
'
test_expect "issue 11 item 3: the first 60% of a workbook is not a readable ZIP (file and pipe)" '
    before && hostile "$W/truncated.xlsx" "not a readable ZIP" &&
    cat "$W/truncated.xlsx" | expect_code 65 reccat - && grep_q "not a readable ZIP" err && empty out
'
test_expect "issue 11 item 3: a ZIP without xl/workbook.xml (an .ods) is not an Excel workbook" '
    before && hostile "$W/nowb.xlsx" "not an Excel workbook"
'
test_expect "issue 11 item 3: a 3 GiB sheet deflated 500:1 is a ZIP bomb" '
    before && hostile "$W/bomb.xlsx" "ZIP bomb"
'
test_expect "issue 11 item 3: a sheet that inflates past the size its headers claim is a ZIP error" '
    before Sku,Name $(seq -f "L%05g,x" 1 20000) && hostile "$W/lying.xlsx" "ZIP"
'
test_expect "issue 11 item 3: a 1 GiB shared-strings part is refused, naming the shared strings" '
    before && hostile "$W/sst1g.xlsx" "shared strings"
'
test_expect "issue 11 item 3: a DTD (billion laughs in the shared strings) is refused" '
    before && hostile "$W/laughs.xlsx" "DTD"
'
test_expect "issue 11 item 3: a DTD with an external entity (file:///etc/passwd) is refused, nothing of it read" '
    before && hostile "$W/xxe.xlsx" "DTD" && ! grep -q "root:" out err
'
test_expect "issue 11 item 3: a cell past column XFD (XFE1) is refused" '
    before && hostile "$W/xfd.xlsx" "past column XFD"
'
test_expect "issue 11 item 3: a row past 1048576 is refused" '
    before Sku,Name R-1,二行目 && hostile "$W/bigrow.xlsx" "past row 1048576"
'
test_expect "SPEC 1.2: --sheet naming no sheet of the workbook is refused" '
    before && hostile "$W/basic.xlsx" "no sheet" --sheet NOPE && grep_q "NOPE" err
'
test_expect "issue 11 item 3: sheet XML that is not well-formed is refused as XML" '
    before Sku,Name X-1,正しい行 && hostile "$W/badxml.xlsx" "XML"
'
test_expect "SPEC 1.2: a shared-string index past the table (99 of 2) is refused, naming the cell" '
    before && hostile "$W/sstindex.xlsx" "shared string" && grep_q "sstindex.xlsx:Sheet1!A2" err
'
test_expect "issue 11 item 3: a sheet part the workbook names but the ZIP lacks is missing" '
    before && hostile "$W/missingpart.xlsx" "missing"
'
test_expect "issue 11 item 1: a merged header cell (B1:C1) is reported" '
    before && hostile "$W/mergedhead.xlsx" "merged"
'
# The merged ranges follow the rows in the sheet's XML, so a streaming reader has printed the
# rows when it learns of them: the run still fails (65) and names the range's first cell.
test_expect "issue 11 item 1: merged data cells (A3:A5) are reported by their first cell, exit 65" '
    { reccat "$W/mergeddata.xlsx" >before 2>/dev/null; test $? = 65; } &&
    hostile "$W/mergeddata.xlsx" "merged" && grep_q "mergeddata.xlsx:Sheet1!A3: cells A3:A5 are merged" err
'
test_expect "SPEC 1.3: an empty header cell between named ones has no name, naming the cell" '
    before && hostile "$W/emptyhead.xlsx" "no name" && grep_q "emptyhead.xlsx:Sheet1!B1" err
'
test_expect "SPEC 1.3: a header name that repeats is refused, naming the cell" '
    before && hostile "$W/duphead.xlsx" "repeats" && grep_q "duphead.xlsx:Sheet1!C1" err
'
test_expect "SPEC 1.3: a value right of the header's last column is past the header, naming the cell" '
    before Sku,Name P-1,見出しの内 && hostile "$W/pastheader.xlsx" "past the header" &&
    grep_q "pastheader.xlsx:Sheet1!D3" err
'
test_done

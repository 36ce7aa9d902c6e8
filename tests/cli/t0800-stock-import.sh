#!/usr/bin/env bash
# qs stock import (SPEC 5, R-STK-5; codes R-STK-1): QSM's Q-inventory download as the
# warehouse's truth -- CSV (UTF-8 or CP932) or .xlsx, its header labels matched through one
# table (--map adds labels), every bad cell reported and nothing written (65), each import
# kept as a snapshot with a report of what changed since the previous one.
. "$(dirname "$0")/lib.sh"

F="$FIX/stock"
q() { sqlite3 "$QS_STORE" "$1"; }
# The latest snapshot's rows, as the file showed them.
rows() {
    q "select q_sku, seller_sku, name, total_qty, extra_price, currency,
        ifnull(link_count, '-'), branch_qty from stock_snapshot_row
        where snapshot = (select max(id) from stock_snapshot) order by q_sku"
}
# fresh NAME: a store of its own with shop demo.
fresh() { export QS_STORE="$TRASH/$1.db"; qs init --shop demo >/dev/null 2>&1; }
HDR=q_sku,seller_sku,name,change,before,after,explained,unexplained
qs init --shop demo >/dev/null 2>&1
MAIN=$QS_STORE

cat >day1.rows <<'EOF2'
300001289771-00001|TEST0701|T-2: T-2 / サイズ : S|192|0|JPY|0|5
300001289771-00002|TEST0702|T-2: T-2 / サイズ : M|191|0|JPY|0|0
300001289771-00003|TEST0703|T-2: T-2 / サイズ : L|198|0|JPY|1|12
300001289771-00004|TEST0704|T-2: T-2 / サイズ : XL|199|0|JPY|1|20
300001289772-00001|TEST0801|T-3: カラー : ブラック|120|0|JPY|2|30
300001289772-00002|TEST0802|T-3: カラー : ホワイト|80|100|JPY|2|15
300001382328-00001||test : test|50|0|JPY|1|8
EOF2

test_expect "R-STK-5: the first download (UTF-8, the seed's Chinese headers): a snapshot, every option new" '
    QS_NOW=2026-12-01T00:00:00Z expect_code 0 qs stock import "$F/day1.csv" &&
    test "$(head -1 out)" = "$HDR" &&
    test "$(grep -c ",new,,[0-9]*,,\$" out)" = 7 &&
    grep_q "^300001382328-00001,,test : test,new,,8,,\$" out &&
    grep_q "snapshot 1 of shop demo: 7 options from $F/day1.csv, 7 changes since no earlier snapshot" err &&
    rows >got && test_cmp day1.rows got &&
    test "$(q "select count(*) from stock_option where last_snapshot = 1")" = 7 &&
    test "$(q "select q_code || option_code || sha256 from stock_option o, stock_snapshot s
        where q_sku = '"'"'300001289771-00003'"'"'")" = "30000128977100003$(sha256sum "$F/day1.csv" | cut -c1-64)" &&
    test "$(q "select taken_at || rows from stock_snapshot")" = 2026-12-01T00:00:00Z7
'
test_expect "R-STK-5: the same file again is recognised by its SHA-256: nothing changed, no second snapshot" '
    cp "$F/day1.csv" copy.csv &&
    QS_NOW=2026-12-01T06:00:00Z expect_code 0 qs stock import - <copy.csv &&
    test "$(cat out)" = "$HDR" &&
    grep_q "is snapshot 1 of shop demo already (same SHA-256); nothing changed" err &&
    test "$(q "select count(*) from stock_snapshot")" = 1
'
test_expect "R-STK-5: a CP932 download (Japanese labels, qs's reading) reads as the UTF-8 one" '
    fresh cp932 && expect_code 0 qs stock import "$F/day1-cp932.csv" &&
    rows >got && test_cmp day1.rows got &&
    fresh cp932b && expect_code 0 qs stock import --encoding cp932 "$F/day1-cp932.csv" &&
    rows >got && test_cmp day1.rows got
'
test_expect "R-STK-5: the other spellings of the headers and a leading checkbox column" '
    fresh variants && expect_code 0 qs stock import "$F/day1-variants.csv" &&
    rows >got && test_cmp day1.rows got
'
test_expect "R-STK-1: pasted q_skus (:, /, spaces, full-width, zeros lost) read as the same SKUs" '
    fresh pasted && expect_code 0 qs stock import "$F/day1-pasted.csv" &&
    rows >got && test_cmp day1.rows got &&
    grep_q "day1-pasted.csv:4: column C (Q库存-详情号码): \"300001289771 - 1\" lost the leading zeros of its option code (Excel); read as 300001289771-00001 (R-STK-1)" err
'
test_expect "R-STK-5: a download with old-Mac line ends (CR alone) and one with CRLF read as the LF one" '
    fresh cr && sed "2s/,T-2: T-2 \/ サイズ : M,/,,/" "$F/day1.csv" | tr "\n" "\r" >day1-cr.csv &&
    expect_code 0 qs stock import day1-cr.csv && rows >got &&
    sed "2s/|T-2: T-2 \/ サイズ : M|/||/" day1.rows >expect && test_cmp expect got &&
    fresh crlf && sed "s/\$/\r/" "$F/day1.csv" >day1-crlf.csv && expect_code 0 qs stock import day1-crlf.csv &&
    rows >got && test_cmp day1.rows got
'
test_expect "R-STK-5: a directory given as the download: 74 naming it, nothing written" '
    fresh dir && mkdir -p adir && expect_code 74 qs stock import adir &&
    grep_q "^qs stock import: cannot read adir: Is a directory$" err &&
    test "$(q "select count(*) from stock_snapshot")" = 0
'
test_expect "R-STK-5: an .xlsx download reads as the CSV" '
    python3 "$QS_SRC/tests/tools/csv2xlsx.py" day1.xlsx "$F/day1.csv" &&
    fresh xlsx && expect_code 0 qs stock import day1.xlsx &&
    rows >got && test_cmp day1.rows got
'
test_expect "R-STK-5: the next day: new, gone, link counts, links qs knows, branch moves with the part shipments explain" '
    export QS_STORE=$MAIN &&
    q "insert into stock_link (shop, q_sku, item_code, recorded_at, state) values
        ('"'"'demo'"'"', '"'"'300001289771-00003'"'"', '"'"'1000001'"'"', '"'"'2026-11-01T00:00:00Z'"'"', '"'"'linked'"'"'),
        ('"'"'demo'"'"', '"'"'300001289771-00004'"'"', '"'"'1000002'"'"', '"'"'2026-11-01T00:00:00Z'"'"', '"'"'linked'"'"'),
        ('"'"'demo'"'"', '"'"'300001289771-00004'"'"', '"'"'1000003'"'"', '"'"'2026-11-01T00:00:00Z'"'"', '"'"'unlink-todo'"'"');
       insert into order_line (shop, order_no, item_code, qty, shipped_date, created_at, updated_at) values
        ('"'"'demo'"'"', '"'"'O-1'"'"', '"'"'1000001'"'"', 2, '"'"'2026-12-01T03:00:00Z'"'"', '"'"'x'"'"', '"'"'x'"'"'),
        ('"'"'demo'"'"', '"'"'O-2'"'"', '"'"'1000001'"'"', 1, '"'"'2026-12-01T09:00:00Z'"'"', '"'"'x'"'"', '"'"'x'"'"'),
        ('"'"'demo'"'"', '"'"'O-3'"'"', '"'"'1000001'"'"', 5, '"'"'2026-12-02T01:00:00Z'"'"', '"'"'x'"'"', '"'"'x'"'"'),
        ('"'"'demo'"'"', '"'"'O-4'"'"', '"'"'1000009'"'"', 7, '"'"'2026-12-01T09:00:00Z'"'"', '"'"'x'"'"', '"'"'x'"'"')" &&
    QS_NOW=2026-12-02T00:00:00Z expect_code 0 qs stock import "$F/day2.csv" &&
    cat >expect <<-EOF2 &&
	$HDR
	300001289771-00002,TEST0702,T-2: T-2 / サイズ : M,link_count,0,1,,
	300001289771-00003,TEST0703,T-2: T-2 / サイズ : L,branch_qty,12,9,-3,0
	300001289771-00004,TEST0704,T-2: T-2 / サイズ : XL,links_known,2,1,,
	300001289772-00001,TEST0801,T-3: カラー : ブラック,branch_qty,30,40,0,10
	300001289772-00002,TEST0802,T-3: カラー : ホワイト,branch_qty,15,13,0,-2
	300001289772-00003,TEST0803,T-3: カラー : レッド,new,,10,,
	300001382328-00001,,test : test,gone,8,,,
	EOF2
    test_cmp expect out &&
    grep_q "snapshot 2 of shop demo: 7 options from $F/day2.csv, 7 changes since 2026-12-01T00:00:00Z" err &&
    test "$(q "select count(*) from stock_link")" = 3 &&
    test "$(q "select branch_qty || link_count || last_snapshot from stock_option where q_sku = '"'"'300001289771-00003'"'"'")" = 912 &&
    test "$(q "select first_snapshot || last_snapshot || branch_qty from stock_option where q_sku = '"'"'300001382328-00001'"'"'")" = 118 &&
    test "$(q "select count(*) from stock_snapshot_row")" = 14
'
test_expect "R-STK-5: an older snapshot imported again is refused (65), nothing written" '
    expect_code 65 qs stock import "$F/day1.csv" &&
    grep_q "is snapshot 1 already, older than the latest (2)" err &&
    test "$(q "select count(*) from stock_snapshot")" = 2
'
test_expect "R-STK-5: an unknown column is named, never guessed; nothing written (65)" '
    fresh unknown &&
    expect_code 65 qs stock import "$F/unknown-column.csv" && empty out &&
    grep_q "^qs stock import: $F/unknown-column.csv:1: column H: \"仓库位置\" is not a column of QSM" err &&
    grep_q "add\\|--map FILE" err &&
    test "$(q "select count(*) from stock_snapshot") $(q "select count(*) from stock_option")" = "0 0"
'
test_expect "R-STK-5: --map adds labels (a column ignored, another read as q_sku)" '
    fresh map &&
    expect_code 0 qs stock import --map "$F/map.csv" "$F/unknown-column.csv" &&
    test "$(q "select group_concat(q_sku) from stock_option")" = 300001289771-00002,300001289771-00003 &&
    sed "1s/Q库存-详情号码/SKU番号/" "$F/day1.csv" >renamed.csv && fresh map2 &&
    expect_code 65 qs stock import renamed.csv && grep_q "\"SKU番号\" is not a column" err &&
    expect_code 0 qs stock import renamed.csv --map "$F/map.csv" &&
    rows >got && test_cmp day1.rows got
'
test_expect "R-STK-5: every bad cell reported with its place and rule; nothing written (65)" '
    export QS_STORE=$MAIN &&
    q "select * from stock_option order by q_sku" >before &&
    expect_code 65 qs stock import "$F/bad-cells.csv" && empty out &&
    B="^qs stock import: $F/bad-cells.csv" &&
    grep_q "$B:2: column B (Q库存-详情号码): q_sku \"30000128977-00002\": Q-inventory code \"30000128977\" has 11 digits; it is 12 digits starting with 3 (R-STK-1)\$" err &&
    grep_q "$B:3: column D (库存总量): \"-3\" is negative; it is a whole number, 0 or more (R-STK-5)\$" err &&
    grep_q "$B:4: column H (Qxpress分店数量): \"1.5\" is not a whole number" err &&
    grep_q "$B:4: column F (货币): \"USD\" is not JPY" err &&
    grep_q "$B:5: column B (Q库存-详情号码): q_sku 300001289771-00003 repeats line 3 (R-STK-5)\$" err &&
    grep_q "$B:6: .*\"200001289771\" has 12 digits and does not start with 3" err &&
    grep_q "$B:6: column G (链接商品数): \"abc\" is not a whole number" err &&
    grep_q "$B:7: .*option code \"000006\" is not 5 digits long" err &&
    grep_q "$B: 8 errors; nothing imported (R-STK-5)\$" err &&
    test "$(wc -l <err)" = 9 &&
    q "select * from stock_option order by q_sku" >after && test_cmp before after &&
    test "$(q "select count(*) from stock_snapshot")" = 2
'
test_expect "R-STK-5: bad cells of an .xlsx download are named Sheet!cell" '
    python3 "$QS_SRC/tests/tools/csv2xlsx.py" bad.xlsx "$F/bad-cells.csv" &&
    expect_code 65 qs stock import bad.xlsx &&
    grep_q "^qs stock import: bad.xlsx:Sheet1!B2: column B (Q库存-详情号码): q_sku" err &&
    grep_q "^qs stock import: bad.xlsx:Sheet1!F4: " err
'
test_expect "R-STK-5: --dry-run checks and reports, writes nothing" '
    fresh dry &&
    expect_code 0 qs stock import --dry-run "$F/day1.csv" &&
    test "$(grep -c ",new," out)" = 7 &&
    grep_q "dry run, nothing written: would be snapshot 1" err &&
    test "$(q "select count(*) from stock_snapshot") $(q "select count(*) from stock_option")" = "0 0" &&
    expect_code 0 qs stock import "$F/day1.csv" --dry-run &&
    test "$(q "select count(*) from stock_snapshot")" = 0
'
test_done

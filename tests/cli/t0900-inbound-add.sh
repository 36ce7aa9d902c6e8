#!/usr/bin/env bash
# qs inbound add (SPEC 6, R-INB-1, R-INB-2): QSM's inbound form read and checked whole --
# SKUs of the latest qs stock import, restored option codes, InOut, MovingQty, BranchCode,
# duplicates, the "usable by other inventory management" flag -- every bad row reported
# (file:line, the header being line 1) and nothing handed off, or with --skip-bad only the
# good rows; the good rows one bundle handed off as QSM's inbound form with the warehouse's
# conditions (kind inbound, file: by default); qs inbound confirm closes the hand-off.
. "$(dirname "$0")/lib.sh"

sql() { sqlite3 "$QS_STORE" "$1"; }
bundles() { sql "SELECT count(*) FROM inbound_bundle"; }
items() { sql "SELECT count(*) FROM outbox WHERE kind = 'inbound'"; }
handoff() { sed -n "s/^qs inbound add: hand-off written to //p" err; }
qs init --shop demo --set stock.shop_id=qshop77 >/dev/null 2>&1

# The warehouse's download: ten options of 300001289771 (seller SKUs T01..T10) and one of
# 300001289772 (TEST0801).
{
    echo "卖家SKU代码,Q库存-详情号码,Q-详细库存名,库存总量,价格,货币,链接商品数,Qxpress分店数量"
    for i in 01 02 03 04 05 06 07 08 09 10; do
        echo "T$i,300001289771-000$i,T-2 / $i,10,0,JPY,1,5"
    done
    echo "TEST0801,300001289772-00001,T-3 / black,10,0,JPY,1,5"
} >q-inventory.csv
QS_NOW=2026-12-01T00:00:00Z qs stock import q-inventory.csv >/dev/null 2>&1

H=SellerCode,InventoryCode,InventoryOptionCode,InOut,MovingQty,BranchCode,Description
# ten good rows; $1: a row number to replace by $2
ten() {
    echo "$H"
    for i in 1 2 3 4 5 6 7 8 9 10; do
        if [ "$i" = "${1:-0}" ]; then echo "$2"; else
            printf 'T%02d,300001289771,000%02d,in,%d,0000011520,JAN%d\n' "$i" "$i" "$i" "$i"
        fi
    done
}

test_expect 'R-INB-2: the 3rd of 10 rows bad: all 10 refused, the error names line 4 (row 3), nothing handed off' '
    ten 3 "T03,300001289771,00003,in,x,0000011520," >ten-bad.csv &&
    expect_code 65 qs inbound add ten-bad.csv &&
    grep_q "^qs inbound add: ten-bad.csv:4: MovingQty \"x\" is not a positive whole number (R-INB-1)$" err &&
    test "$(grep -c "ten-bad.csv:[0-9]*: [A-Z]" err)" = 1 &&
    grep_q "1 of 10 rows bad; nothing handed off (R-INB-2)" err &&
    empty out && test "$(bundles)" = 0 && test "$(items)" = 0 && test ! -d handoff
'
test_expect 'R-INB-1: a cell longer than an Excel cell, or a control character in a code: the row refused before anything is written' '
    printf "T02,300001289771,00002,in,2,0000011520,%040000d" 0 >long.row &&
    ten 2 "$(cat long.row)" >long.csv && ten 5 "$(printf "T05\033,300001289771,00005,in,5,0000011520,JAN5")" >ctl.csv &&
    expect_code 65 qs inbound add long.csv &&
    grep_q "^qs inbound add: long.csv:3: Description is 40000 characters, more than a cell of QSM.s form (an Excel sheet) holds (32767) (R-INB-1)$" err &&
    expect_code 65 qs inbound add ctl.csv &&
    grep_q "^qs inbound add: ctl.csv:6: SellerCode holds the control character U+001B (escape) at character 4; remove it (R-INB-1)$" err &&
    test "$(bundles)" = 0 && test "$(items)" = 0 && test ! -d handoff
'
test_expect 'R-INB-1: a SellerCode that is not the SKU'"'"'s seller SKU in the download is a warning naming both' '
    ten 1 "XX01,300001289771,00001,in,1,0000011520,JAN1" >seller.csv &&
    expect_code 0 qs --dry-run inbound add seller.csv &&
    grep_q "^qs inbound add: seller.csv:2: warning: SellerCode \"XX01\" is not the seller SKU of 300001289771-00001 in the latest download (T01) (R-INB-1)$" err &&
    test "$(grep -c "is not the seller SKU" err)" = 1 &&
    test "$(bundles)" = 0
'
test_expect 'R-INB-1: option code 3 restored to 00003 with a warning; the form handed off keeps 00003' '
    ten 3 "T03,300001289771,3,in,3,0000011520,JAN3" >ten.csv &&
    expect_code 0 qs inbound add --arrival 2026-12-09 ten.csv &&
    grep_q "^qs inbound add: ten.csv:4: warning: InventoryOptionCode \"3\" restored to 00003 (Excel dropped its zeros) (R-INB-1)$" err &&
    grep_q "^B1,inb-[0-9a-f]*-B1,handed-off," out &&
    dir=$(handoff) && test -f "$dir/inbound-1.xlsx" &&
    "$QS_RECCAT" "$dir/inbound-1.xlsx" >form.csv &&
    test "$(head -1 form.csv)" = "$H" &&
    grep_q "^T03,300001289771,00003,in,3,0000011520,JAN3$" form.csv &&
    test "$(wc -l <form.csv)" = 11 &&
    test "$(sql "SELECT state || arrival FROM inbound_bundle")" = new2026-12-09
'
test_expect 'R-INB-2: the hand-off carries the warehouse'"'"'s conditions; the same file again is already' '
    dir=$(ls -d handoff/demo/inbound/*) &&
    for c in "千葉県船橋市西浦3-4-2" "no cash on delivery" "pack by product kind" \
        "shop ID qshop77 and the cargo bundle number on every box" "write to Qxpress first" \
        "Q-site balance covers the inbound and labelling fees"; do
        grep_q "$c" "$dir/checklist.csv" || exit 1
    done &&
    expect_code 0 qs inbound add ten.csv &&
    grep_q "^B1,inb-[0-9a-f]*-B1,already,,the same rows are an open bundle already$" out &&
    test "$(bundles)" = 1 && test "$(items)" = 1
'
test_expect 'R-INB-1: InOut, MovingQty and BranchCode: each bad cell refused, full-width digits and 11520 restored with warnings, a blank branch filled' '
    { echo "$H"
      echo "T01,300001289771,00001,out,1,,"
      echo "T02,300001289771,00002,in,0,,"
      echo "T04,300001289771,00004,in,-2,,"
      echo "T05,300001289771,00005,in,1,12345,"
      echo "T06,300001289771,00006,in,７,11520,"
      echo "T07,300001289771,00007,IN,2,,"; } >cols.csv &&
    expect_code 65 qs inbound add cols.csv &&
    grep_q "cols.csv:2: InOut \"out\" is not \"in\" (qs registers inbounds) (R-INB-1)" err &&
    grep_q "cols.csv:3: MovingQty \"0\" is not a positive whole number (R-INB-1)" err &&
    grep_q "cols.csv:4: MovingQty \"-2\" is not a positive whole number (R-INB-1)" err &&
    grep_q "cols.csv:5: BranchCode \"12345\" is not Qxpress Japan.s 0000011520" err &&
    grep_q "cols.csv:6: warning: MovingQty \"７\" has full-width digits: read as 7" err &&
    grep_q "cols.csv:6: warning: BranchCode \"11520\" restored to 0000011520" err &&
    ! grep -q "cols.csv:7" err &&
    sed -n "1p;6,7p" cols.csv >ok.csv && expect_code 0 qs inbound add --csv ok.csv &&
    dir=$(handoff) && iconv -f CP932 -t UTF-8 "$dir/inbound-1.csv" | tr -d "\r" >form.csv &&
    grep_q "^T06,300001289771,00006,in,7,0000011520,$" form.csv &&
    grep_q "^T07,300001289771,00007,in,2,0000011520,$" form.csv
'
test_expect 'R-INB-2: SKUs not in the latest download, a SKU twice and an item not usable by other inventory management are refused' '
    printf "Color,Qty,Price,Currency,SellerCode\nblack,1,0,JPY,TEST0801\n" >opt.csv &&
    qs stock add --name T-3 --usable no opt.csv >/dev/null 2>&1 &&
    { echo "$H"
      echo ",300001289771,00011,in,1,,"
      echo ",300001289771,00001,in,1,,"
      echo ",300001289771,1,in,2,,"
      echo ",300001289772,00001,in,1,,"
      echo ",200001289771,00001,in,1,,"; } >skus.csv &&
    expect_code 65 qs inbound add skus.csv &&
    grep_q "skus.csv:2: SKU 300001289771-00011 is not in the latest Q-inventory download" err &&
    grep_q "skus.csv:4: SKU 300001289771-00001 repeats line 3; give it once (R-INB-2)" err &&
    grep_q "skus.csv:5: Q-inventory item 300001289772 is not usable by other inventory management" err &&
    grep_q "skus.csv:6: InventoryCode: " err &&
    grep_q "4 of 5 rows bad" err
'
test_expect 'R-INB-2: --skip-bad hands off the good rows only; the bad ones go to --rejects with a reason' '
    n=$(bundles) &&
    ten 5 "T05,300001289771,00005,in,,0000011520,JAN5" | sed "s/,in,8,/,in,9,/" >skip.csv &&
    expect_code 64 qs inbound add --skip-bad skip.csv &&
    expect_code 1 qs inbound add --skip-bad --rejects rej.csv skip.csv &&
    grep_q ",handed-off," out && grep_q "^,line 6,rejected,,\"MovingQty \"\"\"\" is not a positive whole number (R-INB-1)\"$" out &&
    test "$(bundles)" = $((n + 1)) &&
    test "$(sql "SELECT count(*) FROM inbound_row WHERE bundle = (SELECT max(id) FROM inbound_bundle)")" = 9 &&
    test "$(head -1 rej.csv)" = "$H,reason" &&
    grep_q "^T05,300001289771,00005,in,,0000011520,JAN5,\"line 6: MovingQty" rej.csv &&
    test "$(wc -l <rej.csv)" = 2
'
test_expect 'SPEC 1.7: qs inbound confirm closes a bundle'"'"'s hand-off, and a whole folder with --handoff' '
    expect_code 0 qs inbound confirm B1 &&
    grep_q "1 inbound hand-off confirmed as done in QSM" err &&
    test "$(sql "SELECT state FROM outbox WHERE kind = '"'"'inbound'"'"' AND key LIKE '"'"'%-B1'"'"'")" = done &&
    dir=$(ls -d handoff/demo/inbound/* | tail -1) &&
    expect_code 0 qs inbound confirm --handoff "$dir" && grep_q "1 inbound hand-off confirmed" err &&
    expect_code 64 qs inbound confirm && expect_code 65 qs inbound confirm B99
'
test_expect 'SPEC 1.6: --dry-run prints the request and records nothing' '
    n=$(bundles) &&
    ten | sed "s/,in,1,/,in,11,/" >dry.csv &&
    expect_code 0 qs --dry-run inbound add dry.csv &&
    grep_q "\"form_rows\":\[{\"SellerCode\":\"T01\",\"InventoryCode\":\"300001289771\",\"InventoryOptionCode\":\"00001\",\"InOut\":\"in\",\"MovingQty\":11" out &&
    test "$(bundles)" = "$n"
'
test_done

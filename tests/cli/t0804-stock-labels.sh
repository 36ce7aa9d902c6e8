#!/usr/bin/env bash
# qs stock labels (SPEC 5, R-STK-9): records q_sku,count checked (R-STK-1 forms, a count
# from 1, the SKU in the latest Q-inventory download), every bad record reported with its
# line and nothing written (65); QSM's SKU-label to-do handed off once through the stock
# delivery (the same list again: already); the inbound box labels page (A4, 1/N..N/N, the
# shop ID and the cargo bundle number, escaped); --own-barcode's Code 128 page.
. "$(dirname "$0")/lib.sh"

sql() { sqlite3 "$QS_STORE" "$1"; }
todos() { sql "SELECT count(*) FROM outbox WHERE kind = 'stock-label'"; }

qs -q init --shop demo >/dev/null
qs -q stock import "$FIX/stock/day1.csv" >/dev/null

printf 'q_sku,count\n300001289771:00003,10\n300001289771/00001,２\n' >ok.csv

test_expect 'R-STK-9: every bad record is reported with its line, then nothing is written (65)' '
    printf "q_sku,count\n300001289771-00003,0\n300001289779-00001,3\n30000128977-00001,1\n300001289771:00003,x\n300001289771-00002,\n" >bad.csv &&
    expect_code 65 qs stock labels bad.csv &&
    grep_q "^qs stock labels: bad.csv:2: count \"0\" is not a whole number from 1 to 9999 (R-STK-9)$" err &&
    grep_q "^qs stock labels: bad.csv:3: SKU 300001289779-00001 is not in the latest Q-inventory download" err &&
    grep_q "^qs stock labels: bad.csv:4: q_sku \"30000128977-00001\": Q-inventory code \"30000128977\" has 11 digits" err &&
    grep_q "^qs stock labels: bad.csv:5: SKU 300001289771-00003 repeats line 2" err &&
    grep_q "^qs stock labels: bad.csv:5: count \"x\" is not a whole number" err &&
    grep_q "^qs stock labels: bad.csv:6: no count" err &&
    grep_q "6 problems in bad.csv; nothing written" err &&
    empty out && test "$(todos)" = 0
'
test_expect 'R-STK-9: the SKU-label to-do is handed off once through the stock delivery' '
    expect_code 0 qs stock labels ok.csv &&
    grep_q "^lbl-[0-9a-f]*,300001289771-00003,10,handed-off," out &&
    grep_q "^lbl-[0-9a-f]*,300001289771-00001,2,handed-off," out &&
    dir=$(sed -n "s/^qs stock labels: hand-off written to //p" err) &&
    case $dir in */handoff/demo/stock/*-stock-label) ;; *) false ;; esac &&
    grep_q ",300001289771-00003,TEST0703,T-2: T-2 / サイズ : L,10,.*打印【库存数量】标签" "$dir/checklist.csv" &&
    test "$(todos)" = 2 &&
    expect_code 0 qs stock labels ok.csv &&
    test "$(grep -c ",already,,the same label list was written before" out)" = 2 &&
    grep_q "already done 2" err && test "$(todos)" = 2
'
test_expect 'R-STK-9: box labels: N labels with the shop ID and the cargo number, escaped' '
    PATH=$TRASH/nowhere expect_code 0 qs stock labels --boxes 3 --cargo-no 106 --shop-id "Q<&>shop" &&
    page=$(cat out) && test "$page" = "$TRASH/labels/demo/cargo-106.html" &&
    test "$(grep -c "class=\"label\"" "$page")" = 3 &&
    test "$(grep -c "<div class=\"shop-id\">Q&lt;&amp;&gt;shop</div>" "$page")" = 3 &&
    test "$(grep -c "<div class=\"cargo-no\">106</div>" "$page")" = 3 &&
    grep_q "</span> 1/3</div>" "$page" && grep_q "</span> 3/3</div>" "$page" &&
    grep_q "@page { size: A4;" "$page" &&
    ! grep -Eq "(src|href)=|url\(|<script" "$page" &&
    grep_q "no PDF: chromium is not on PATH" err
'
test_expect 'R-STK-9: box labels need the cargo number and a shop ID (setting stock.shop_id)' '
    expect_code 64 qs stock labels --boxes 2 --cargo-no 7 &&
    grep_q "give --shop-id ID" err &&
    expect_code 64 qs stock labels --boxes 2 --shop-id s1 && grep_q "needs --cargo-no" err &&
    qs -q init --shop demo --set stock.shop_id=seller77 >/dev/null &&
    expect_code 0 qs stock labels --boxes 2 --cargo-no 7 --no-pdf -o - &&
    test "$(grep -c "<div class=\"shop-id\">seller77</div>" out)" = 2
'
test_expect 'R-STK-9: --own-barcode draws count Code 128 labels per SKU' '
    expect_code 0 qs stock labels --own-barcode --no-pdf ok.csv &&
    page=$(sed -n "s/^qs stock labels: SKU labels drawn by qs: //p" err) && test -f "$page" &&
    test "$(grep -c "data-q-sku=\"300001289771-00003\"" "$page")" = 10 &&
    test "$(grep -c "data-q-sku=\"300001289771-00001\"" "$page")" = 2 &&
    grep_q "data-modules=\"11010010000" "$page" && grep_q "1100011101011\"" "$page"
'
test_done

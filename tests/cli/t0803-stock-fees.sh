#!/usr/bin/env bash
# qs stock fees and qs stock tariff (SPEC 5, R-STK-8): the storage fee per Q-inventory option
# and calendar month in Japan time -- fewer than 10 shipped: 30 JPY per piece on hand at the
# month's end (the last snapshot before it ended), none in the month of the option's first
# inbound (qs's reading: its first snapshot with pieces at the branch) -- from two imports of
# QSM's Q-inventory download and the shipped order lines of linked items pulled from the
# sandbox; the forecast, payments and the tariff of other charges.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync-lib.sh"

sb_start
shop_init
F="$FIX/stock"
# A: two months ago, B: last month (Japan time), so every date below is in the past.
B=$(TZ=Asia/Tokyo date -d "$(TZ=Asia/Tokyo date +%Y-%m-15) -1 month" +%Y-%m)
A=$(date -d "$B-15 -1 month" +%Y-%m)
Z=$(date -d "$A-15 -1 month" +%Y-%m)
Alast=$(date -d "$A-01 +1 month -1 day" +%F)
Blast=$(date -d "$B-01 +1 month -1 day" +%F)
Bdays=$(date -d "$Blast" +%d)
# utc "DATE HH:MM" (Japan time) -> UTC ISO-8601, for QS_NOW.
utc() { date -u -d "TZ=\"Asia/Tokyo\" $1" +%Y-%m-%dT%H:%M:%SZ; }

cat >snapB.csv <<EOF2
卖家SKU代码,Q库存-详情号码,Q-详细库存名,库存总量,价格,货币,链接商品数,Qxpress分店数量
TEST0702,300001289771-00002,T-2: T-2 / サイズ : M,191,0,JPY,0,0
TEST0703,300001289771-00003,T-2: T-2 / サイズ : L,198,0,JPY,1,20
TEST0801,300001289772-00001,T-3: カラー : ブラック,120,0,JPY,2,25
TEST0802,300001289772-00002,T-3: カラー : ホワイト,80,100,JPY,2,15
NEW01,300001382329-00001,new : new,40,0,JPY,0,40
EOF2

test_expect "setup: a snapshot in $A and one in $B, two links, shipped lines pulled from the sandbox" '
    QS_NOW=$(utc "$A-05 10:00") expect_code 0 qs stock import "$F/day1.csv" &&
    QS_NOW=$(utc "$B-28 10:00") expect_code 0 qs stock import snapB.csv &&
    sql "insert into stock_link (shop, q_sku, item_code, option, recorded_at, state) values
        ('"'"'demo'"'"', '"'"'300001289771-00003'"'"', '"'"'1000001'"'"', '"'"''"'"', '"'"'2026-01-01T00:00:00Z'"'"', '"'"'linked'"'"'),
        ('"'"'demo'"'"', '"'"'300001289772-00001'"'"', '"'"'1000002'"'"', '"'"'00001'"'"', '"'"'2026-01-01T00:00:00Z'"'"', '"'"'linked'"'"')" &&
    sb seed "{\"orders\": [
        {\"ItemNo\": 1000001, \"OrderQty\": 4, \"status\": 4, \"OrderDate\": \"$A-19 10:00:00\", \"ShippingDate\": \"$A-20 10:00:00\"},
        {\"ItemNo\": 1000001, \"OrderQty\": 3, \"status\": 4, \"OrderDate\": \"$Alast 20:00:00\", \"ShippingDate\": \"$B-01 00:30:00\"},
        {\"ItemNo\": 1000001, \"OrderQty\": 2, \"status\": 5, \"OrderDate\": \"$B-20 10:00:00\", \"ShippingDate\": \"$Blast 23:30:00\"},
        {\"ItemNo\": 1000001, \"OrderQty\": 7, \"status\": 3, \"OrderDate\": \"$B-20 10:00:00\"},
        {\"ItemNo\": 1000002, \"OptionCode\": \"00001\", \"OrderQty\": 10, \"status\": 4, \"OrderDate\": \"$B-14 10:00:00\", \"ShippingDate\": \"$B-15 10:00:00\"},
        {\"ItemNo\": 1000002, \"OptionCode\": \"00002\", \"OrderQty\": 50, \"status\": 4, \"OrderDate\": \"$B-14 10:00:00\", \"ShippingDate\": \"$B-15 10:00:00\"}]}" >/dev/null &&
    expect_code 0 qs -q sync orders --since "$Z-01" &&
    test "$(sql "select count(*) from order_line where shipped_date <> '"'"''"'"'")" = 5
'

test_expect "R-STK-8: $B: 5 shipped and 20 left pay 600, 10 shipped none, a SKU first received in $B none" '
    expect_code 0 qs stock fees --month "$B" &&
    cat >want <<EOF2 &&
month,q_sku,seller_sku,name,shipped,on_hand,fee,reason,first_month
$B,300001289771-00002,TEST0702,T-2: T-2 / サイズ : M,0,0,0,nothing on hand,
$B,300001289771-00003,TEST0703,T-2: T-2 / サイズ : L,5,20,600,shipped fewer than 10,$A
$B,300001289772-00001,TEST0801,T-3: カラー : ブラック,10,25,0,shipped 10 or more,$A
$B,300001289772-00002,TEST0802,T-3: カラー : ホワイト,0,15,450,shipped fewer than 10,$A
$B,300001382329-00001,NEW01,new : new,0,40,0,month of the first inbound,$B
EOF2
    test_cmp want out &&
    grep_q "$B: 1050 JPY for 2 of 5 options (on hand from snapshot 2, .*); unpaid" err
'

test_expect "R-STK-8: months end at midnight in Japan: a line shipped at 00:30 on the 1st of $B counts in $B, not $A" '
    expect_code 0 qs stock fees --month "$A" --format json &&
    grep_q "\"q_sku\":\"300001289771-00003\",.*\"shipped\":4,\"on_hand\":12,\"fee\":0,\"reason\":\"month of the first inbound\"" out &&
    test "$(grep -c "\"fee\":0," out)" = 7 &&
    grep_q "$A: 0 JPY for 0 of 7 options (on hand from snapshot 1, " err
'

test_expect "R-STK-8: a month without a snapshot before its end is refused, naming the fix" '
    expect_code 65 qs stock fees --month "$Z" &&
    grep_q "no snapshot of shop demo.s Q-inventory was taken before the end of $Z.*qs stock import (R-STK-8)" err &&
    expect_code 64 qs stock fees --month 2026-13 &&
    grep_q "is not a month (YYYY-MM)" err
'

test_expect "R-STK-8: --forecast on day 10 of $B projects the month and says how many shipments avoid the fee" '
    P=$((3 * 10#$Bdays / 10)) && H=$((12 - (P - 3))) &&
    QS_NOW=$(utc "$B-10 12:00") expect_code 0 qs stock fees --forecast &&
    grep_q "^$B,300001289771-00003,TEST0703,T-2: T-2 / サイズ : L,3,$P,$H,$((H * 30)),7,shipped fewer than 10\$" out &&
    grep_q "^$B,300001289772-00001,TEST0801,T-3: カラー : ブラック,0,0,30,900,10,shipped fewer than 10\$" out &&
    test "$(grep -c "^$B," out)" = 6 &&
    ! grep_q 300001289771-00002 out &&
    QS_NOW=$(utc "$B-10 12:00") expect_code 64 qs stock fees --forecast --month "$A" &&
    grep_q "forecast projects the current month, $B, not $A" err
'

test_expect "R-STK-8: --paid records the bill; the month then shows paid, the months list says which are" '
    expect_code 65 qs stock fees --paid "$(TZ=Asia/Tokyo date +%Y-%m)" &&
    grep_q "has not ended, so QSM has not billed it yet" err &&
    expect_code 0 qs stock fees --dry-run --paid "$B" &&
    test "$(sql "select count(*) from stock_fee_paid")" = 0 &&
    expect_code 0 qs stock fees --paid "$B" &&
    grep_q "$B.s storage-fee bill recorded paid (qs reckons 1050 JPY)" err &&
    expect_code 0 qs stock fees --paid "$B" && grep_q "was recorded paid" err &&
    test "$(sql "select month || amount from stock_fee_paid")" = "${B}1050" &&
    expect_code 0 qs stock fees --month "$B" && grep_q "; paid (recorded " err &&
    expect_code 0 qs stock fees &&
    cat >want <<EOF2 &&
month,fee,charged,options,paid,paid_at
$A,0,0,7,,
$B,1050,2,5,yes,$(sql "select recorded_at from stock_fee_paid")
EOF2
    test_cmp want out
'

cat >tariff.csv <<'EOF2'
name,amount,per,taken_from,note
inbound fee,30,piece,q-site balance,入库费
SKU labelling fee,10,piece,q-site-balance,
Qoo10 order shipping,400,parcel,settlement,"60 size, ""nekopos"" excluded"
other-platform parcel,450,parcel,settlement,no balance: no shipment
EOF2

test_expect "R-STK-8: the tariff is stored and printed back as entered" '
    expect_code 0 qs stock tariff tariff.csv &&
    grep_q "tariff of shop demo: 4 charges from tariff.csv" err &&
    expect_code 0 qs stock tariff &&
    sed "s/q-site balance/q-site-balance/" tariff.csv >want && test_cmp want out &&
    qs stock tariff --format json | qs stock tariff - 2>/dev/null && qs stock tariff >again && test_cmp want again
'

test_expect "R-STK-8: every bad tariff record reported, nothing written (65)" '
    printf "name,amount,per,taken_from\n,10,piece,settlement\nx,1.5,kg,bank\nx,2,box,q-wallet\nx,3,box,q-wallet\n" >bad.csv &&
    expect_code 65 qs stock tariff bad.csv &&
    grep_q "bad.csv:2: the charge has no name" err &&
    grep_q "bad.csv:3: amount \"1.5\" is not whole yen" err &&
    grep_q "bad.csv:3: per \"kg\" is not one of piece, box, parcel, order" err &&
    grep_q "bad.csv:3: taken_from \"bank\" is not one of q-site-balance, settlement, q-wallet" err &&
    grep_q "bad.csv:5: charge \"x\" is given twice" err &&
    grep_q "5 errors; the tariff is unchanged (R-STK-8)" err &&
    printf "name,amount,per,taken_from,note\n\"fee\033]0;x\007\",10,piece,settlement,\nfee2,10,piece,settlement,\"a\007\"\n" >ctl.csv &&
    expect_code 65 qs stock tariff ctl.csv &&
    grep_q "ctl.csv:2: the name holds the control character U+001B (escape) at character 4; remove it (R-STK-8)" err &&
    grep_q "ctl.csv:3: the note holds the control character U+0007 (bell)" err &&
    printf "name,price\nx,1\n" >cols.csv && expect_code 65 qs stock tariff cols.csv &&
    grep_q "a tariff has the columns name, amount, per and taken_from" err &&
    qs stock tariff >now && test_cmp want now
'
test_done

#!/usr/bin/env bash
# qs inbound mark, list (SPEC 6, R-INB-3, R-INB-4, R-INB-5): QSM's bundle states as the seller
# records them, the cargo number, the shipment's details, completion with the inspected
# quantities and its shortfalls growing the stock model, lateness of the inspection in
# Japan time, and qs stock labels --bundle (R-STK-9).
. "$(dirname "$0")/lib.sh"

sql() { sqlite3 "$QS_STORE" "$1"; }
state() { sql "SELECT state FROM inbound_bundle WHERE id = ${1#B}"; }
qs init --shop demo --set stock.shop_id=qshop77 >/dev/null 2>&1
H=SellerCode,InventoryCode,InventoryOptionCode,InOut,MovingQty,BranchCode,Description
QH="卖家SKU代码,Q库存-详情号码,Q-详细库存名,库存总量,价格,货币,链接商品数,Qxpress分店数量"
printf '%s\nT01,300001289771-00001,a,10,0,JPY,1,5\nT02,300001289771-00002,b,10,0,JPY,1,0\n' "$QH" >day1.csv
QS_NOW=2026-12-01T00:00:00Z qs stock import day1.csv >/dev/null 2>&1
# bundle N: a bundle of its own (MovingQty N so the rows differ)
bundle() {
    printf '%s\nT01,300001289771,00001,in,%s,,\nT02,300001289771,00002,in,10,,\n' "$H" "$1" >b$1.csv
    qs inbound add b$1.csv >/dev/null 2>&1
}
bundle 6 && bundle 7 && bundle 8

test_expect 'R-INB-3: QSM'"'"'s states in order; requested needs the cargo number; shipped -> confirmed is refused naming the next states' '
    expect_code 65 qs inbound mark B1 confirmed &&
    grep_q "bundle B1 is new: it cannot become confirmed (QSM.s states; next: requested) (R-INB-3)" err &&
    expect_code 65 qs inbound mark B1 requested && grep_q "requested needs --cargo-no N" err &&
    expect_code 0 qs inbound mark B1 requested --cargo-no 106 &&
    expect_code 65 qs inbound mark B2 requested --cargo-no 106 && grep_q "cargo bundle number 106 is bundle B1.s" err &&
    expect_code 0 qs inbound mark 106 confirmed &&
    expect_code 65 qs inbound mark 106 shipped --carrier Sagawa && grep_q "shipped needs --carrier C --tracking T --boxes N" err &&
    expect_code 0 qs inbound mark 106 shipped --carrier Sagawa --tracking 1111 --boxes 2 &&
    expect_code 65 qs inbound mark B1 confirmed &&
    grep_q "^qs inbound mark: bundle B1 is shipped: it cannot become confirmed (QSM.s states; next: shipped, arrived) (R-INB-3)$" err &&
    expect_code 0 qs inbound mark B1 shipped --tracking 2222 --boxes 3 --arrival 2026-12-09 &&
    test "$(sql "SELECT carrier || tracking || boxes || arrival FROM inbound_bundle WHERE id = 1")" = Sagawa22223"2026-12-09" &&
    test "$(state B1)" = shipped &&
    expect_code 64 qs inbound mark B1 bogus && expect_code 64 qs inbound mark B1 arrived --boxes 2 &&
    test "$(sql "SELECT count(*) FROM inbound_event WHERE bundle = 1")" = 5
'
test_expect 'R-INB-3: rejected from requested or arrived, deleted from requested or confirmed, and no way out of them' '
    qs inbound mark B2 requested --cargo-no 200 2>/dev/null && qs inbound mark B2 confirmed 2>/dev/null &&
    expect_code 65 qs inbound mark B2 rejected && grep_q "next: shipped, deleted" err &&
    expect_code 0 qs inbound mark B2 deleted &&
    expect_code 65 qs inbound mark B2 requested && grep_q "next: none: deleted is final" err &&
    qs inbound mark B3 requested --cargo-no 300 2>/dev/null && expect_code 0 qs inbound mark 300 rejected &&
    test "$(state B3)" = rejected
'
test_expect 'R-STK-9: qs stock labels --bundle takes the shop ID, the cargo number and the box count from the bundle' '
    expect_code 0 qs stock labels --bundle B1 --no-pdf &&
    f=$(head -1 out) && test -f "$f" && grep_q "qshop77" "$f" && grep_q "106" "$f" && grep_q "3/3" "$f" &&
    expect_code 64 qs stock labels --bundle B2 --no-pdf --cargo-no 9
'
test_expect 'R-INB-5: inspection late from the 4th day after the arrival day (Japan time), not on the 3rd' '
    QS_NOW=2026-12-07T14:30:00Z qs inbound mark B1 arrived 2>/dev/null &&
    test "$(sql "SELECT arrived_at FROM inbound_bundle WHERE id = 1")" = 2026-12-07T14:30:00Z &&
    QS_NOW=2026-12-10T14:59:59Z expect_code 0 qs inbound list --late && test "$(wc -l <out)" = 1 &&
    QS_NOW=2026-12-10T14:59:59Z expect_code 0 qs inbound list &&
    grep_q "^B1,106,arrived,2026-12-09,2026-12-07 23:30:00 +09:00,2,16,,no$" out &&
    QS_NOW=2026-12-10T15:00:00Z expect_code 0 qs inbound list --late &&
    test "$(tail -n +2 out)" = "B1,106,arrived,2026-12-09,2026-12-07 23:30:00 +09:00,2,16,,yes" &&
    QS_NOW=2026-12-10T15:00:00Z expect_code 0 qs inbound list --state deleted && grep_q "^B2," out
'
test_expect 'R-INB-4: completion records the inspected quantities, lists the shortfall, and the next import finds the stock explained' '
    printf "q_sku,inspected_qty\n300001289771-00002,8\n" >insp.csv &&
    QS_NOW=2026-12-11T01:00:00Z expect_code 0 qs inbound mark B1 completed <insp.csv &&
    test "$(cat out)" = "$(printf "bundle,q_sku,requested,inspected,short\nB1,300001289771-00002,10,8,2")" &&
    test "$(sql "SELECT group_concat(q_sku || \"=\" || inspected) FROM inbound_row WHERE bundle = 1")" = "300001289771-00001=6,300001289771-00002=8" &&
    QS_NOW=2026-12-12T00:00:00Z expect_code 0 qs inbound list --state completed && grep_q "^B1,106,completed,.*,2,16,14,no$" out &&
    printf "%s\nT01,300001289771-00001,a,10,0,JPY,1,11\nT02,300001289771-00002,b,10,0,JPY,1,8\n" "$QH" >day2.csv &&
    QS_NOW=2026-12-12T00:00:00Z expect_code 0 qs stock import day2.csv &&
    grep_q "^300001289771-00001,T01,a,branch_qty,5,11,6,0$" out &&
    grep_q "^300001289771-00002,T02,b,branch_qty,0,8,8,0$" out
'
test_expect 'R-INB-4: inspected quantities that are not the bundle'"'"'s are refused and nothing is recorded' '
    bundle 9 && qs inbound mark B4 requested --cargo-no 400 2>/dev/null &&
    qs inbound mark B4 confirmed 2>/dev/null &&
    qs inbound mark B4 shipped --carrier c --tracking t --boxes 1 2>/dev/null &&
    qs inbound mark B4 arrived 2>/dev/null &&
    printf "q_sku,inspected_qty\n300001289771-00009,1\n" | expect_code 65 qs inbound mark B4 completed &&
    grep_q "300001289771-00009 is not a row of bundle B4 (R-INB-4)" err &&
    printf "q_sku,inspected_qty\n300001289771-00001,x\n" | expect_code 65 qs inbound mark B4 completed &&
    test "$(state B4)" = arrived &&
    test "$(sql "SELECT count(*) FROM inbound_row WHERE bundle = 4 AND inspected IS NOT NULL")" = 0 &&
    expect_code 0 qs inbound mark B4 completed </dev/null && empty out &&
    test "$(sql "SELECT sum(inspected) FROM inbound_row WHERE bundle = 4")" = 19
'
test_expect 'R-INB-3: --at HH:MM is that time of the day of QS_NOW in the shop zone, not of the real clock' '
    bundle 5 && qs inbound mark B5 requested --cargo-no 500 2>/dev/null &&
    qs inbound mark B5 confirmed 2>/dev/null &&
    qs inbound mark B5 shipped --carrier Sagawa --tracking 4444 --boxes 1 2>/dev/null &&
    QS_NOW=2026-12-07T00:30:00Z expect_code 0 qs inbound mark B5 arrived --at 10:00 &&
    test "$(sql "SELECT arrived_at FROM inbound_bundle WHERE id = 5")" = 2026-12-07T01:00:00Z
'
test_done

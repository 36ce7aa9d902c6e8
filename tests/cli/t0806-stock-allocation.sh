#!/usr/bin/env bash
# qs stock allocation, unallocate, confirm --order and qs sync ship's refusal (SPEC 5,
# R-STK-6): warehouse lines allocated (confirmed, BranchName, or the replay of payments
# against the snapshots' branch quantities, cart-whole), waiting or unallocatable with one
# reason; the 分店运送管理 to-dos handed off through the stock delivery.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start
shop_init
# utc "DATE HH:MM" (Japan time) -> UTC ISO-8601, for QS_NOW.
utc() { date -u -d "TZ=\"Asia/Tokyo\" $1" +%Y-%m-%dT%H:%M:%SZ; }
day() { date -u -d "-$1 days" +%F; }
D20=$(day 20) D19=$(day 19) D18=$(day 18) D10=$(day 10) D5=$(day 5)
states() { cut -d, -f1,5,8-10 out | tail -n +2; }
outbox() { sql "SELECT count(*) FROM outbox WHERE kind = '$1'"; }
handoff() { sed -n "s/^qs stock $1: hand-off written to //p" err; }
# sent_to_market ORDER: the sandbox got carrier and tracking for ORDER.
shipped() { sb get /_control/orders | "$PY" -c 'import json, sys
o = [x for x in json.load(sys.stdin)["orders"] if str(x["OrderNo"]) == sys.argv[1]]
sys.exit(0 if o and o[0]["TrackingNo"] else 1)' "$1"; }

A=300001289771-00003 B=300001289771-00004 C=300001289772-00001
head='卖家SKU代码,Q库存-详情号码,Q-详细库存名,库存总量,价格,货币,链接商品数,Qxpress分店数量'
printf '%s\nA,%s,a,10,0,JPY,1,2\nB,%s,b,10,0,JPY,1,0\nC,%s,c,10,0,JPY,0,5\n' "$head" $A $B $C >snap1.csv
printf '%s\nA,%s,a,10,0,JPY,1,1\nB,%s,b,10,0,JPY,1,1\nC,%s,c,10,0,JPY,0,5\n' "$head" $A $B $C >snap2.csv
q="'"
link() { echo "('demo', '$1', '$2', '$3', '$(utc "$D18 10:00")', '$4')"; }
order() { # order NO ITEM PACK "HH:MM" [DAY] [extra JSON]
    printf '{"OrderNo": %s, "ItemNo": "%s", "PackNo": %s, "OrderDate": "%s %s:00", "status": 2%s}' \
        "$1" "$2" "$3" "${5:-$D10}" "$4" "${6:+, $6}"
}

test_expect 'setup: two snapshots, links, and paid orders pulled from the sandbox' '
    QS_NOW=$(utc "$D20 10:00") expect_code 0 qs stock import snap1.csv &&
    sql "INSERT INTO stock_link (shop, q_sku, item_code, option, recorded_at, state) VALUES
        $(link $A 1100000601 "" linked), $(link $B 1100000602 "" linked),
        $(link $C 1100000603 "" linked), $(link $A 1100000604 X todo)" &&
    sb seed "{\"orders\": [$(order 900801 1100000601 7001 10:00), $(order 900802 1100000601 7002 11:00),
        $(order 900803 1100000602 7002 11:00), $(order 900804 1100000601 7004 12:00),
        $(order 900805 1100000603 7005 12:10), $(order 900806 1100000604 7006 12:20 "" "\"OptionCode\": \"Y\""),
        $(order 900807 1100000601 7007 10:00 "$D19"), $(order 900808 1100000601 7008 12:30),
        $(order 900809 1100000602 7009 12:40 "" "\"BranchName\": \"Qxpress Japan\""),
        $(order 900810 1100000601 7010 13:00), $(order 900811 1100000699 7011 13:10)]}" >/dev/null &&
    expect_code 0 qs -q sync orders --since "$(day 25)" &&
    sql "UPDATE order_line SET raw = json_set(raw, $q\$.ShippingCountry$q, ${q}KR$q) WHERE order_no = ${q}900808$q" &&
    QS_NOW=$(utc "$D5 10:00") expect_code 0 qs stock import snap2.csv
'

test_expect 'R-STK-6: warehouse lines are allocated, waiting or unallocatable with one reason each' '
    expect_code 0 qs --format csv stock allocation &&
    head -1 out | grep -qx "order_no,pack_no,item_code,option_code,q_sku,qty,paid_date,state,reason,source,ship_date" &&
    test -z "$(cut -d, -f11 out | tail -n +2 | grep -vxE "20[0-9]{2}-[0-9]{2}-[0-9]{2}")" &&
    cat >want <<EOF &&
900807,$A,unallocatable,linked after the sale,
900801,$A,allocated,,model
900802,$A,waiting,,
900803,$B,waiting,,
900804,$A,allocated,,model
900805,$C,unallocatable,no link,
900806,,unallocatable,no link,
900808,$A,unallocatable,destination not JP,
900809,$B,allocated,,marketplace
900810,$A,waiting,,
EOF
    states >got && test_cmp want got
'

test_expect 'R-STK-6: a two-line cart with one line the branch cannot cover waits whole' '
    expect_code 0 qs --format csv stock allocation --state waiting &&
    grep_q "^900802,7002,1100000601,,$A,1," out && grep_q "^900803,7002,1100000602,,$B,1," out &&
    test "$(tail -n +2 out | wc -l)" = 3 &&
    expect_code 64 qs stock allocation --state shipped && grep_q "allocated, waiting or unallocatable" err
'

test_expect 'R-STK-6: --todo hands off only the waiting orders the latest import covers, cart-whole' '
    expect_code 0 qs stock allocation --todo &&
    grep_q "^alc-[0-9a-f]*,900802,7002,$A,1,allocate,handed-off," out &&
    grep_q "^alc-[0-9a-f]*,900803,7002,$B,1,allocate,handed-off," out &&
    ! grep -q 900810 out && test "$(outbox stock-alloc)" = 2 &&
    dir=$(handoff allocation) && test -f "$dir/checklist.csv" &&
    grep_q "分店订购记录" "$dir/checklist.csv" && grep_q "未分配地点" "$dir/checklist.csv" &&
    grep_q "地点分配 Qxpress Japan; 【发送地点分配】" "$dir/checklist.csv" &&
    grep_q "qfs_delivery@qxpress.asia" "$dir/checklist.csv"
'

test_expect 'R-STK-6: the same waiting set twice hands off nothing new' '
    expect_code 0 qs stock allocation --todo &&
    test "$(grep -c ",allocate,already,,its to-do was written before\$" out)" = 2 &&
    test "$(outbox stock-alloc)" = 2 && test -z "$(handoff allocation)"
'

test_expect 'R-STK-6: a ship line queued while its order was waiting (the marketplace failed the send) stays queued' '
    printf "order_no,carrier,tracking\n900803,ヤマト宅急便,T803\n" >early.csv &&
    sb faults "{\"fail_next\": 10, \"status\": 503, \"methods\": [\"SetSendingInfoBulk\", \"SetSendingInfo\"]}" >/dev/null &&
    qs -q sync ship early.csv; sb faults "{}" >/dev/null &&
    test "$(sql "SELECT count(*) FROM outbox WHERE kind = '"'"'ship'"'"' AND state = '"'"'retry'"'"'")" = 2 &&
    ! shipped 900803 && ! shipped 900802
'

test_expect 'R-STK-6: confirm --order records the allocation: the lines become allocated (confirmed)' '
    QS_NOW=$(utc "$(day 2) 10:00") expect_code 0 qs stock confirm --order 900802 --order 900803 &&
    grep_q "2 allocation to-dos confirmed as done in QSM" err &&
    expect_code 0 qs --format csv stock allocation --state allocated &&
    grep_q "^900802,.*,allocated,,confirmed,[0-9-]*\$" out && grep_q "^900803,.*,allocated,,confirmed,[0-9-]*\$" out &&
    expect_code 65 qs stock confirm --order 900802 && grep_q "order 900802 has no allocation or unallocation to-do" err &&
    expect_code 0 qs stock allocation --todo && grep_q "nothing to allocate (R-STK-6)" err && empty out
'

test_expect 'R-STK-6: the lines queued before they were allocated are withdrawn unsent when their retry comes' '
    printf "order_no,carrier,tracking\n" >none.csv &&
    expect_code 0 qs sync ship --retry-failed none.csv &&
    grep_q "^900803,skipped,,\"queued, then allocated to the Qxpress warehouse, which posts carrier and tracking itself; use --force to send anyway (R-STK-6)\"\$" out &&
    grep_q "^900802,skipped,,\"queued, then allocated" out &&
    test "$(sql "SELECT count(*) FROM outbox WHERE kind = '"'"'ship'"'"' AND state = '"'"'withdrawn'"'"'")" = 2 &&
    ! shipped 900803 && ! shipped 900802
'

test_expect 'R-STK-6: sync ship skips an allocated line naming the rule and sends the others; --force sends it' '
    printf "order_no,carrier,tracking\n900801,ヤマト宅急便,T801\n900810,ヤマト宅急便,T810\n" >ship.csv &&
    expect_code 0 qs sync ship ship.csv &&
    grep_q "^900801,skipped,,\"allocated to the Qxpress warehouse, which posts carrier and tracking itself; use --force to send anyway (R-STK-6)\"\$" out &&
    grep_q "^900810,ok," out && grep_q "skipped 1" err &&
    shipped 900810 && ! shipped 900801 &&
    printf "order_no,carrier,tracking\n900801,ヤマト宅急便,T801\n" >force.csv &&
    expect_code 0 qs sync ship --force force.csv && grep_q "^900801,ok," out && shipped 900801
'

test_expect 'R-STK-6: unallocate refuses a line not allocated (65, nothing written)' '
    expect_code 65 qs stock unallocate 900810 900806 900811 &&
    grep_q "order 900806 is unallocatable: no link; only an allocated warehouse line can be unallocated (R-STK-6)" err &&
    grep_q "order 900811 is not a warehouse line" err && grep_q "order 900810 is " err &&
    test "$(outbox stock-unalloc)" = 0 && empty out
'

test_expect 'R-STK-6: unallocate reads the order numbers from records too (order_no column, a file or -)' '
    printf "order_no,note\n900810,x\n900806,y\n" >ual.csv &&
    expect_code 65 qs stock unallocate ual.csv &&
    grep_q "order 900806 is unallocatable: no link" err && grep_q "order 900810 is " err &&
    expect_code 65 qs stock unallocate - <ual.csv && grep_q "order 900806 is unallocatable" err &&
    printf "orderid\n900804\n" | expect_code 65 qs stock unallocate - && grep_q "order_no" err &&
    test "$(outbox stock-unalloc)" = 0 && empty out
'

test_expect 'R-STK-6: an order given twice to unallocate is reported once, and planned once' '
    expect_code 65 qs stock unallocate 900806 900804 900806 &&
    test "$(grep -c "order 900806 is unallocatable" err)" = 1 && ! grep -q "order 900804" err &&
    grep_q "1 order cannot be unallocated" err && test "$(outbox stock-unalloc)" = 0 &&
    expect_code 0 qs --dry-run stock unallocate 900804 900804 &&
    test "$(grep -c "\"order_no\":\"900804\"" out)" = 1 && test "$(outbox stock-unalloc)" = 0
'

test_expect 'R-STK-6: unallocate writes the 发送地点分配取消 to-do; confirm --handoff cancels the allocation' '
    expect_code 0 qs stock unallocate 900804 &&
    grep_q "^ual-[0-9a-f]*,900804,7004,$A,1,unallocate,handed-off," out &&
    dir=$(handoff unallocate) && grep_q "【发送地点分配取消】" "$dir/checklist.csv" &&
    grep_q "qfs@qxpress.jp" "$dir/checklist.csv" && grep_q "处理状态 分配地点" "$dir/checklist.csv" &&
    expect_code 0 qs stock confirm --handoff "$dir" && grep_q "1 allocation to-do confirmed" err &&
    expect_code 0 qs --format csv stock allocation &&
    grep_q "^900804,.*,unallocatable,allocation cancelled,,[0-9-]*\$" out
'

test_done

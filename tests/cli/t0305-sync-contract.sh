#!/usr/bin/env bash
# t0305: qs sync against what Qoo10 documents and nothing more (R-SYN-9, issue 9 D1-D3,
# D6-D8, item 7). Each case is one a sandbox that invents answers cannot tell: a bulk
# line whose codes disagree, a refusal code that lies, claim states as labels, a row cap
# under the old default, a combined status that leaves out confirmed orders, an item
# detail refused for another reason than "gone", and generated dates that must never lie
# ahead of the marketplace's clock. Run in both sandbox modes.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start

# singles N: N order numbers of paid lines alone in their cart, not yet queued.
singles() {
    sql "SELECT order_no FROM order_line WHERE status = 2 AND claim = 0
         AND order_no NOT IN (SELECT key FROM outbox)
         AND pack_no NOT IN (SELECT pack_no FROM order_line GROUP BY pack_no HAVING count(*) > 1)
         ORDER BY order_no LIMIT $1"
}

# sb_status ORDER: the sandbox's status of an order line.
sb_status() {
    sb get /_control/orders | "$PY" -c 'import json, sys
for o in json.load(sys.stdin)["orders"]:
    if str(o["OrderNo"]) == sys.argv[1]: print(o["status"])' "$1"
}

test_expect 'R-SYN-9: a bulk line whose result_cd refuses while its ResultCode says 0 is failed, never recorded as shipped (D1)' '
    fresh 40 "[2]" 41 &&
    singles 2 >two && a=$(sed -n 1p two) && b=$(sed -n 2p two) &&
    printf "order_no,carrier,tracking\n%s,ヤマト宅急便,D1-A\n%s,ヤマト宅急便,D1-B\n" "$a" "$b" >d1.csv &&
    sb faults "{\"bulk_disagree\": {\"orders\": [\"$b\"]}}" >/dev/null &&
    expect_code 1 qs sync ship d1.csv &&
    grep_q "^$a,ok,0,shipped\$" out &&
    grep_q "^$b,failed,-1,.*disagree.*(R-SYN-9)" out &&
    test "$(sql "SELECT status FROM order_line WHERE order_no = '"'"'$b'"'"'")" = 2 &&
    test "$(sb_status "$b")" = 2 &&
    sb faults "{}" >/dev/null
'

test_expect 'R-SYN-9: "already confirmed" is what the order shows, not a -10012 that says so (D2)' '
    n=$(singles 1) &&
    sb faults "{\"refuse\": [{\"method\": \"ShippingBasic.SetSellerCheckYN_V2\", \"code\": -10012, \"msg\": \"The order is already confirmed\", \"phase\": \"before\", \"keys\": [\"$n\"]}]}" >/dev/null &&
    expect_code 1 qs sync confirm "$n" &&
    grep_q "^$n,failed,-10012,The order is already confirmed\$" out &&
    test "$(sql "SELECT status FROM order_line WHERE order_no = '"'"'$n'"'"'")" = 2 &&
    test "$(calls ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2)" -ge 1 &&
    sb faults "{}" >/dev/null
'

test_expect 'R-SYN-9: a refusal answered after the line was shipped with our number is settled by reading the order (D2)' '
    n=$(singles 1) &&
    printf "order_no,carrier,tracking\n%s,ヤマト宅急便,D2-S\n" "$n" >d2.csv &&
    sb faults "{\"refuse\": [{\"method\": \"ShippingBasic.SetSendingInfo\", \"code\": -10001, \"msg\": \"refused\", \"phase\": \"after\", \"keys\": [\"$n\"]}]}" >/dev/null &&
    expect_code 0 qs sync ship d2.csv &&
    grep_q "^$n,ok,-10001,already shipped with this tracking number\$" out &&
    test "$(sql "SELECT status || tracking FROM order_line WHERE order_no = '"'"'$n'"'"'")" = 4D2-S &&
    sb faults "{}" >/dev/null
'

test_expect 'R-SYN-9: claim states as labels with the code in parentheses are read (D3)' '
    sb reset >/dev/null && rm -f "$QS_STORE" "$QS_STORE"-* && shop_init &&
    sb config "{\"claim_status_form\": \"label\"}" >/dev/null &&
    sb seed "{\"generate_orders\": 300, \"seed\": 43, \"start\": \"$(days_ago 20)\", \"days\": 10, \"claim_rate\": 0.2}" >/dev/null &&
    expect_code 0 qs sync orders &&
    test "$(sql "SELECT count(*) FROM order_line WHERE claim > 0")" -gt 0 &&
    store_matches
'

test_expect 'R-SYN-9: an unreadable claim state is reported, never stored as 0, and read again next run (D3)' '
    sb reset >/dev/null && rm -f "$QS_STORE" "$QS_STORE"-* && shop_init &&
    sb config "{\"claim_status_form\": \"ja\"}" >/dev/null &&
    sb seed "{\"generate_orders\": 300, \"seed\": 44, \"start\": \"$(days_ago 20)\", \"days\": 10, \"claim_rate\": 0.2}" >/dev/null &&
    expect_code 1 qs sync orders &&
    grep_q "with a status qs cannot read were not stored and will be read again (R-SYN-9): [0-9]* claimStatus \"キャンセル" err &&
    test "$(sql "SELECT count(*) FROM order_line WHERE claim > 0")" = 0 &&
    expect_code 0 qs sync log --kind sync &&
    grep_q "claimStatus .*is neither a number nor a label with the code in parentheses.*(R-SYN-9)" out &&
    sb config "{\"claim_status_form\": \"int\"}" >/dev/null &&
    expect_code 0 qs sync orders &&
    store_matches
'

test_expect 'R-SYN-9: the default window cap (200) splits windows a marketplace capped at 200 rows cut short (D6)' '
    sb reset >/dev/null && rm -f "$QS_STORE" "$QS_STORE"-* && shop_init &&
    sb config "{\"max_rows\": 200}" >/dev/null &&
    sb seed "{\"generate_orders\": 700, \"seed\": 45, \"start\": \"$(days_ago 3)\", \"days\": 1, \"statuses\": [1, 2, 3]}" >/dev/null &&
    expect_code 0 qs sync orders &&
    grep_q "([1-9][0-9]* split)" err &&
    store_matches &&
    sb config "{\"max_rows\": 1000}" >/dev/null
'

test_expect 'R-SYN-9: open orders are read per status by default: confirmed lines are found where status 0 leaves them out (D7)' '
    sb reset >/dev/null && rm -f "$QS_STORE" "$QS_STORE"-* && shop_init &&
    sb config "{\"open_zero_covers\": [1, 2]}" >/dev/null &&
    sb seed "{\"generate_orders\": 200, \"seed\": 46, \"start\": \"$(days_ago 20)\", \"days\": 10, \"statuses\": [1, 2, 3]}" >/dev/null &&
    expect_code 0 qs sync orders &&
    test "$(sql "SELECT count(*) FROM order_line WHERE status = 3")" -gt 0 &&
    store_matches &&
    rm -f "$QS_STORE" "$QS_STORE"-* && shop_init --set sync.open_form=zero &&
    expect_code 0 qs sync orders &&
    test "$(sql "SELECT count(*) FROM order_line WHERE status = 3")" = 0 &&
    sb config "{\"open_zero_covers\": [1, 2, 3]}" >/dev/null
'

test_expect 'R-SYN-9: only -10001 means an item is gone; another refusal keeps it and is reported (D8)' '
    sb reset >/dev/null && rm -f "$QS_STORE" "$QS_STORE"-* && shop_init &&
    sb seed "{\"items\": [
        {\"ItemCode\": \"1100000201\", \"ItemTitle\": \"緑茶\", \"ItemPrice\": 1280, \"ItemQty\": 40, \"SellerCode\": \"TEA-1\"},
        {\"ItemCode\": \"1100000202\", \"ItemTitle\": \"傘\", \"ItemPrice\": 1780, \"ItemQty\": 3, \"SellerCode\": \"UMB-1\"}]}" >/dev/null &&
    expect_code 0 qs sync products &&
    sb faults "{\"refuse\": [{\"method\": \"ItemsLookup.GetItemDetailInfo\", \"code\": -90002, \"msg\": \"not authorized\", \"shape\": \"error\", \"keys\": [\"1100000202\"]}]}" >/dev/null &&
    expect_code 1 qs sync products --full &&
    grep_q "refused the details of 1 item, kept as stored (only -10001 means an item is gone, R-SYN-9): 1100000202: -90002" err &&
    ! grep_q ",gone\$" out &&
    test "$(sql "SELECT status FROM market_item WHERE item_code = '"'"'1100000202'"'"'")" = S2 &&
    sb faults "{}" >/dev/null
'

test_expect 'R-SYN-9: 10,000 generated orders: the store equals the sandbox'"'"'s whole state, no line dated after its clock (item 7)' '
    sb reset >/dev/null && rm -f "$QS_STORE" "$QS_STORE"-* && shop_init &&
    sb seed "{\"generate_orders\": 10000, \"seed\": 48, \"start\": \"$(days_ago 80)\", \"days\": 80, \"claim_rate\": 0.02}" >/dev/null &&
    expect_code 0 qs -q sync orders &&
    store_matches
'
test_done

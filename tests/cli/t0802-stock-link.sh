#!/usr/bin/env bash
# qs stock link, confirm, unlinked (SPEC 5, R-STK-4): many pairs q_sku,item_code[,option]
# checked (SKU in the latest Q-inventory download, item online, option one of the item's),
# recorded and handed off as QSM's one-by-one to-do list (kind stock-link); confirm records
# them done; --remove writes the unlink to-do; unlinked lists items, SKUs and orders.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start
shop_init
links() { sql "SELECT q_sku || ' ' || item_code || ' ' || option || ' ' || state FROM stock_link ORDER BY q_sku, item_code"; }
todos() { sql "SELECT count(*) FROM outbox WHERE kind = 'stock-link'"; }
handoff() { sed -n "s/^qs stock link: hand-off written to //p" err; }

qs -q stock import "$QS_SRC/tests/fixtures/stock/day1.csv" >/dev/null
sb seed '{"items": [
    {"ItemCode": "1100000501", "ItemTitle": "T-2 S", "ItemPrice": 1000, "SellerCode": "TEST0701", "ItemStatus": "S2"},
    {"ItemCode": "1100000502", "ItemTitle": "Tee", "ItemPrice": 1500, "SellerCode": "TEE", "ItemStatus": "S2",
     "ItemType": "Size||*M||*0||*5||*TEE-M$$Size||*L||*0||*5||*TEE-L"},
    {"ItemCode": "1100000503", "ItemTitle": "off", "ItemPrice": 900, "SellerCode": "OFF", "ItemStatus": "S1"},
    {"ItemCode": "1100000504", "ItemTitle": "T-3 black", "ItemPrice": 2000, "SellerCode": "TEST0801", "ItemStatus": "S2"}]}' >/dev/null
qs -q sync products >/dev/null

cat >pairs.csv <<'CSV'
q_sku,item_code,option
300001289771-00001,1100000501,
300001289771:00003,1100000502,TEE-L
CSV

test_expect 'R-STK-4: every bad pair is reported with its line, then nothing is written (65)' '
    printf "q_sku,item_code,option\n30000128977-00001,1100000501,\n300001289779-00001,1100000501,\n300001289771-00002,1100000503,\n300001289771-00002,1100000599,\n300001289771-00002,1100000502,TEE-XL\n300001289771-00001,1100000501,\n300001289771/00001,1100000501,\n" >bad.csv &&
    expect_code 65 qs stock link bad.csv &&
    grep_q "^qs stock link: bad.csv:2: q_sku \"30000128977-00001\": Q-inventory code \"30000128977\" has 11 digits" err &&
    grep_q "^qs stock link: bad.csv:3: SKU 300001289779-00001 is not in the latest Q-inventory download" err &&
    grep_q "^qs stock link: bad.csv:4: item 1100000503 is not online (status S1, not S2) (R-STK-4)$" err &&
    grep_q "^qs stock link: bad.csv:5: item 1100000599 is not a marketplace item of shop demo" err &&
    grep_q "^qs stock link: bad.csv:6: item 1100000502 has no option with the code \"TEE-XL\"" err &&
    grep_q "^qs stock link: bad.csv:8: the pair 300001289771-00001,1100000501 repeats the one on line 7" err &&
    grep_q "6 bad pairs; nothing written" err && empty out &&
    test "$(todos)" = 0 && test -z "$(links)"
'
test_expect 'R-STK-4: good pairs become to-dos, handed off as one checklist with the edit path and the code to pick' '
    expect_code 0 qs stock link pairs.csv &&
    grep_q "^lnk-[0-9a-f]*,300001289771-00001,1100000501,,link,handed-off," out &&
    grep_q "^lnk-[0-9a-f]*,300001289771-00003,1100000502,TEE-L,link,handed-off," out &&
    dir=$(handoff) && test -f "$dir/checklist.csv" &&
    grep_q "商品代码 1100000501 > 【修改】 > 【修改】" "$dir/checklist.csv" &&
    grep_q "商品代码 1100000502 > 【修改】 > 【修改选项】" "$dir/checklist.csv" &&
    grep_q "option TEE-L: 【连结原Q-库存】, search Q库存代码 300001289771, 【选择】 300001289771-00003" "$dir/checklist.csv" &&
    test "$(links)" = "300001289771-00001 1100000501  todo
300001289771-00003 1100000502 TEE-L todo" && test "$(todos)" = 2
'
test_expect 'R-STK-4: the same pairs twice are already there and hand off nothing new' '
    expect_code 0 qs stock link pairs.csv &&
    test "$(grep -c ",already,,linked or its to-do written before$" out)" = 2 &&
    test "$(todos)" = 2 && test -z "$(handoff)"
'
test_expect 'R-STK-4: confirm names the pair without a handed-off to-do among pairs given twice, and confirms nothing' '
    printf "q_sku,item_code,option\n300001289771:00003,1100000502,TEE-L\n300001289771-00001,1100000501,\n300001289771-00001,1100000501,\n300001289771-00002,1100000501,\n300001289771-00003,1100000502,TEE-L\n" >twice.csv &&
    expect_code 65 qs stock confirm twice.csv &&
    grep_q "^qs stock confirm: twice.csv:5: 300001289771-00002,1100000501 has no link to-do handed off; nothing to confirm" err &&
    grep_q "1 pair without a handed-off to-do; nothing confirmed" err &&
    test "$(grep -c "has no link to-do" err)" = 1 &&
    test "$(links)" = "300001289771-00001 1100000501  todo
300001289771-00003 1100000502 TEE-L todo"
'
test_expect 'R-STK-4: confirm turns the handed-off to-dos into links' '
    QS_NOW=2020-01-01T00:00:00Z expect_code 0 qs stock confirm pairs.csv &&
    grep_q "2 link to-dos confirmed as done in QSM" err &&
    test "$(links)" = "300001289771-00001 1100000501  linked
300001289771-00003 1100000502 TEE-L linked" &&
    test "$(sql "SELECT count(*) FROM outbox WHERE kind = '"'"'stock-link'"'"' AND state = '"'"'done'"'"'")" = 2 &&
    expect_code 65 qs stock confirm pairs.csv && grep_q "has no link to-do handed off" err
'
test_expect 'R-STK-4: --remove writes the unlink to-do (不设置) for linked pairs; confirm --handoff unlinks' '
    printf "q_sku,item_code\n300001289771-00002,1100000501\n" >notlinked.csv &&
    expect_code 65 qs stock link --remove notlinked.csv && grep_q "is not linked (no link recorded)" err &&
    printf "q_sku,item_code\n300001289771-00001,1100000501\n" >rm.csv &&
    expect_code 0 qs stock link --remove rm.csv &&
    grep_q "^unl-[0-9a-f]*,300001289771-00001,1100000501,,unlink,handed-off," out &&
    dir=$(handoff) && grep_q "【不设置】, then 【修改】" "$dir/checklist.csv" &&
    test "$(links | head -1)" = "300001289771-00001 1100000501  unlink-todo" &&
    expect_code 0 qs stock link --remove rm.csv && grep_q ",already,," out &&
    expect_code 0 qs stock confirm --handoff "$dir" && grep_q "1 link to-do confirmed" err &&
    test "$(links | head -1)" = "300001289771-00001 1100000501  unlinked"
'
test_expect 'R-STK-4: --by seller-code links SKUs to the online items of the same seller code' '
    printf "seller_sku\nTEST0801\nTEST0702\n" >by.csv &&
    expect_code 65 qs stock link --by seller-code by.csv &&
    grep_q "by.csv:3: no online item has seller code \"TEST0702\"" err && test "$(todos)" = 3 &&
    printf "seller_sku\nTEST0801\n" >by.csv &&
    expect_code 0 qs stock link --by seller-code by.csv &&
    grep_q ",300001289772-00001,1100000504,,link,handed-off," out &&
    QS_NOW=2099-01-01T00:00:00Z expect_code 0 qs stock confirm --handoff "$(handoff)" &&
    sql "SELECT state FROM stock_link WHERE item_code = '"'"'1100000504'"'"'" | grep -qx linked
'
test_expect 'R-STK-4: unlinked lists online items and SKUs without a link and orders that cannot ship from the warehouse' '
    sb seed "{\"orders\": [{\"OrderNo\": 700001, \"ItemNo\": \"1100000501\", \"status\": 2},
                         {\"OrderNo\": 700002, \"ItemNo\": \"1100000502\", \"status\": 2},
                         {\"OrderNo\": 700003, \"ItemNo\": \"1100000504\", \"status\": 3}]}" >/dev/null &&
    qs -q sync orders >/dev/null &&
    expect_code 0 qs --format csv stock unlinked &&
    head -1 out | grep -qx "kind,item_code,seller_code,q_sku,name,order_no,order_date,linked_at,message" &&
    grep_q "^item,1100000501,TEST0701,,T-2 S,,,,online item without a linked SKU$" out &&
    ! grep -q "^item,110000050[24]," out &&
    grep_q "^sku,,TEST0702,300001289771-00002," out && grep_q "^sku,,,300001382328-00001," out &&
    ! grep -q "^sku,.*300001289771-0000[3]," out &&
    grep_q "^order,1100000501,.*,700001,.*,,cannot ship from the warehouse: its item is not linked$" out &&
    grep_q "^order,1100000504,.*,700003,.*,2099-01-01T00:00:00Z,cannot ship from the warehouse: ordered before its item was linked$" out &&
    ! grep -q ",700002," out
'
test_expect 'R-STK-4: a hook that answers ok links at once; a run that died before recording it is settled by the next' '
    URL=$(cat "$SBDIR/sandbox.url") &&
    qs -q init --shop demo --deliver "stock=hook:$PY $QS_SRC/tests/sandbox/hook.py --url $URL" >/dev/null &&
    printf "q_sku,item_code\n300001289771-00002,1100000501\n" >hook.csv &&
    expect_code 0 qs stock link hook.csv &&
    grep_q ",300001289771-00002,1100000501,,link,ok," out &&
    test "$(sql "SELECT state FROM stock_link WHERE q_sku = '"'"'300001289771-00002'"'"'")" = linked &&
    sql "UPDATE stock_link SET state = '"'"'todo'"'"' WHERE q_sku = '"'"'300001289771-00002'"'"'" &&
    expect_code 0 qs stock sync &&
    test "$(sql "SELECT state FROM stock_link WHERE q_sku = '"'"'300001289771-00002'"'"'")" = linked
'

test_done

#!/usr/bin/env bash
# Source monitoring (SPEC 2.4): qs publish watch add|remove|pause|list on online products with
# a Source URL, qs publish watch run through the shop's source hook (the bundled sample hook
# tests/tools/source-hook.py answering from a JSON file) with states and history (R-SRC-2),
# and the actions on a change, exactly once, only while online (R-SRC-3), against the sandbox.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"
. "$QS_SRC/tests/cli/publish-lib.sh"

sb_start
shop_init --set publish.inflight_s=1
gen_catalog 6
U=https://detail.1688.com/offer
awk -F, -v u="$U" 'BEGIN { OFS = "," } NR == 1 { print $0 ",Source URL"; next }
    { s = u "/" $1 ".html"; if ($1 == "P003") s = ""; if ($1 == "P006") s = "\"" s "\n" u "/P006b.html\""; print $0 "," s }' \
    catalog.csv >src-catalog.csv
qs -q import products src-catalog.csv >/dev/null
pub_profile
qs -q publish now P001 P002 P003 P004 P006 >/dev/null
HOOK="python3 $QS_SRC/tests/tools/source-hook.py $TRASH/sources.json"
# sources STATE...: the sample hook's file: P002, P004, P006, P006b in that order.
sources() {
    printf '{"%s/P002.html": %s, "%s/P004.html": %s, "%s/P006.html": %s, "%s/P006b.html": %s}\n' \
        "$U" "$1" "$U" "$2" "$U" "$3" "$U" "$4" >sources.json
}
code() { sql "SELECT item_code FROM product WHERE parent_sku = '$1'"; }
wstate() { sql "SELECT w.state FROM source_watch w JOIN product p ON p.id = w.product_id WHERE p.parent_sku = '$1'"; }

test_expect 'R-SRC-2: watch run exits 64 until the shop has a source hook (SPEC 1.7)' '
    expect_code 64 qs publish watch run && grep_q "no source hook" err &&
    grep_q "deliver source=hook:COMMAND" err &&
    qs -q init --shop demo --deliver source=hook:"$HOOK" >/dev/null
'
test_expect 'R-SRC-2: watch add takes online products with a Source URL; list shows them' '
    expect_code 0 qs publish watch add --on-out zero P002 P003 P005 &&
    grep_q "P003: warning: has no Source URL" err && grep_q "P005: warning: is pending, not online" err &&
    printf "parent_sku,state,message\nP002,unmonitored,watched; 1 source URL\n" >expect && test_cmp expect out &&
    expect_code 0 qs publish watch add --on-out withdraw --price-alert 10% P004 &&
    expect_code 0 qs publish watch add P006 &&
    expect_code 0 qs publish watch list &&
    grep_q "^P002,unmonitored,zero,,$U/P002.html,unknown,,,$" out &&
    grep_q "^P004,unmonitored,withdraw,10,$U/P004.html,unknown,,,$" out &&
    grep_q "^P006,unmonitored,none,,$U/P006b.html,unknown,,,$" out && test "$(wc -l <out)" = 5
'
test_expect 'R-SRC-2: watch pause and remove; add resumes a paused watch' '
    expect_code 0 qs publish watch pause P006 && grep_q "^P006,paused," out &&
    test "$(wstate P006)" = paused &&
    expect_code 0 qs publish watch add P006 && test "$(wstate P006)" = unmonitored &&
    expect_code 0 qs publish watch add P001 && expect_code 0 qs publish watch remove P001 &&
    grep_q "^P001,unmonitored,watch removed$" out && test -z "$(wstate P001)" &&
    expect_code 0 qs publish watch list && ! grep -q "^P001," out
'
test_expect 'R-SRC-2: a run records each URL and product state, reports every change, keeps history' '
    sources "\"in-stock\"" "[\"in-stock\", \"12.50\", \"CNY\"]" "\"out-of-stock\"" "\"in-stock\"" &&
    expect_code 0 qs publish watch run &&
    grep_q "^P002,$U/P002.html,unknown,in-stock,,changed,source state$" out &&
    grep_q "^P002,,unmonitored,in-stock,,changed,product state$" out &&
    grep_q "^P006,,unmonitored,in-stock,,changed,product state$" out &&
    test "$(wstate P004)" = in-stock &&
    test "$(sql "SELECT state || price || currency FROM source_url WHERE url = '"'"'$U/P004.html'"'"'")" = in-stock12.50CNY &&
    expect_code 0 qs publish watch run && test "$(wc -l <out)" = 1 &&
    test "$(sql "SELECT count(*) FROM source_event WHERE url IS NOT NULL")" = 4
'
test_expect 'R-SRC-3: a source out of stock zeroes the online item once (SetGoodsPriceQty), back in stock restores it' '
    test "$(item P002 ItemQty)" = 7 &&
    sources "\"out-of-stock\"" "[\"in-stock\", \"12.50\", \"CNY\"]" "\"in-stock\"" "\"in-stock\"" &&
    expect_code 0 qs publish watch run &&
    grep_q "^P002,,in-stock,out-of-stock,,changed,product state$" out &&
    grep_q "^P002,,,,zero,ok,\"price 2002, quantity 0 sent\"$" out &&
    test "$(item P002 ItemQty)" = 0 && test "$(key_calls SetGoodsPriceQty "$(code P002)")" = 1 &&
    test "$(sql "SELECT quantity FROM variant WHERE sku = '"'"'P002'"'"'")" = 0 &&
    expect_code 0 qs publish watch run && test "$(wc -l <out)" = 1 &&
    test "$(key_calls SetGoodsPriceQty "$(code P002)")" = 1 &&
    sources "\"in-stock\"" "[\"in-stock\", \"12.50\", \"CNY\"]" "\"in-stock\"" "\"in-stock\"" &&
    expect_code 0 qs publish watch run &&
    grep_q "^P002,,,,restore,ok,\"price 2002, quantity 7 sent\"$" out &&
    test "$(item P002 ItemQty)" = 7 && test "$(key_calls SetGoodsPriceQty "$(code P002)")" = 2
'
test_expect 'R-SRC-3: the restore is skipped when the marketplace no longer shows the 0 qs set' '
    sources "\"out-of-stock\"" "[\"in-stock\", \"12.50\", \"CNY\"]" "\"in-stock\"" "\"in-stock\"" &&
    expect_code 0 qs publish watch run && test "$(item P002 ItemQty)" = 0 &&
    sb item "{\"SellerCode\": \"P002\", \"set\": {\"ItemQty\": 3}}" >/dev/null &&
    sources "\"in-stock\"" "[\"in-stock\", \"12.50\", \"CNY\"]" "\"in-stock\"" "\"in-stock\"" &&
    expect_code 0 qs publish watch run &&
    grep_q "^P002,,,,restore,ok,\".*holds quantity 3, not the 0 .*quantity not restored" out &&
    test "$(item P002 ItemQty)" = 3 &&
    test "$(sql "SELECT quantity FROM variant WHERE sku = '"'"'P002'"'"'")" = 3
'
# (The seller puts P004 back on sale elsewhere in the last step: the store says online.)
test_expect 'R-SRC-3: withdraw on out of stock, re-list when back in stock only if still offline' '
    sources "\"in-stock\"" "[\"out-of-stock\", \"12.50\", \"CNY\"]" "\"in-stock\"" "\"in-stock\"" &&
    expect_code 0 qs publish watch run &&
    grep_q "^P004,,,,withdraw,ok,\"sale stopped (status 1), offline\"$" out &&
    test "$(item P004 ItemStatus)" = "\"S1\"" && test "$(states)" = "offline=1 online=4 pending=1 " &&
    test "$(key_calls EditGoodsStatus "$(code P004)")" = 2 &&
    sources "\"in-stock\"" "[\"in-stock\", \"12.50\", \"CNY\"]" "\"in-stock\"" "\"in-stock\"" &&
    expect_code 0 qs publish watch run &&
    grep_q "^P004,,,,relist,ok,on sale again (status 2)$" out && test "$(item P004 ItemStatus)" = "\"S2\"" &&
    sources "\"in-stock\"" "[\"out-of-stock\", \"12.50\", \"CNY\"]" "\"in-stock\"" "\"in-stock\"" &&
    expect_code 0 qs publish watch run && grep_q "^P004,,,,withdraw,ok," out &&
    sql "UPDATE product SET state = '"'"'online'"'"' WHERE parent_sku = '"'"'P004'"'"'" &&
    sources "\"in-stock\"" "[\"in-stock\", \"12.50\", \"CNY\"]" "\"in-stock\"" "\"in-stock\"" &&
    n=$(key_calls EditGoodsStatus "$(code P004)") && expect_code 0 qs publish watch run &&
    grep_q "^P004,,,,relist,skipped,\"qs withdrew it, but it is no longer offline" out &&
    test "$(key_calls EditGoodsStatus "$(code P004)")" = "$n"
'
test_expect 'R-SRC-2: a source gone is recorded; all sources gone makes the product gone' '
    sources "\"in-stock\"" "[\"in-stock\", \"12.50\", \"CNY\"]" "\"gone\"" "\"in-stock\"" &&
    expect_code 0 qs publish watch run &&
    grep_q "^P006,$U/P006.html,in-stock,gone,,changed,source state$" out && test "$(wstate P006)" = in-stock &&
    sources "\"in-stock\"" "[\"in-stock\", \"12.50\", \"CNY\"]" "\"gone\"" "\"gone\"" &&
    expect_code 0 qs publish watch run &&
    grep_q "^P006,,in-stock,gone,,changed,product state$" out && test "$(wstate P006)" = gone &&
    ! grep -q "^P006,,,,zero" out
'
test_expect 'R-SRC-3: a source price that moves beyond --price-alert is reported, never applied' '
    p=$(sql "SELECT price FROM variant WHERE sku = '"'"'P004'"'"'") &&
    sources "\"in-stock\"" "[\"in-stock\", \"14.00\", \"CNY\"]" "\"gone\"" "\"gone\"" &&
    expect_code 0 qs publish watch run &&
    grep_q "^P004,$U/P004.html,12.50,14.00,price-alert,reported,.*+12.0%.*beyond --price-alert 10%" out &&
    test "$(sql "SELECT price FROM variant WHERE sku = '"'"'P004'"'"'")" = "$p" &&
    sources "\"in-stock\"" "[\"in-stock\", \"14.50\", \"CNY\"]" "\"gone\"" "\"gone\"" &&
    expect_code 0 qs publish watch run && ! grep -q price-alert out
'
test_expect 'R-SRC-2: a hook failure leaves every state as it was' '
    sql "SELECT product_id, url, state, price FROM source_url ORDER BY 1, 2" >before &&
    sources "\"fail\"" "\"garbage\"" "\"fail\"" "\"fail\"" &&
    expect_code 75 qs publish watch run && test "$(wc -l <out)" = 1 &&
    grep_q "4 URLs checked, 0 answered, 4 failed (states kept)" err &&
    sql "SELECT product_id, url, state, price FROM source_url ORDER BY 1, 2" >after && test_cmp before after &&
    test "$(wstate P002)" = in-stock
'
test_done

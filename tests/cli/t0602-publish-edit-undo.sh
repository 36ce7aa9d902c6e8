#!/usr/bin/env bash
# qs publish edit | withdraw | undo against the sandbox marketplace: batch edits of pending
# and online listings (online ones sent to the marketplace, the option prices kept within
# +-50%), undo of edits, withdrawals and publishes on the marketplace too, with the
# quantity rule (SPEC 2.3: R-PUB-9, R-PUB-11, R-PUB-13, R-PUB-15).
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"
. "$QS_SRC/tests/cli/publish-lib.sh"

sb_start

# qapi METHOD NAME=VALUE...: one call to the sandbox as another client would make it (a
# sale in QSM, say); prints the answer.
qapi() {
    "$PY" - "$QS_QAPI_URL" "$@" <<'PYEOF'
import json, sys, urllib.parse, urllib.request
base, method = sys.argv[1], sys.argv[2]
params = dict(a.split("=", 1) for a in sys.argv[3:])
def call(m, p, key, ver):
    req = urllib.request.Request(base + "/" + m, data=urllib.parse.urlencode(p).encode(),
        headers={"GiosisCertificationKey": key, "QAPIVersion": ver,
                 "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})
    return json.load(urllib.request.urlopen(req))
sak = call("CertificationAPI.CreateCertificationKey", {"user_id": "sandbox-user", "pwd": "sandbox-pass",
           "returnType": "application/json"}, "sandbox-api-key", "1.0")["ResultObject"]
print(json.dumps(call(method, dict(params, returnType="application/json"), sak, "1.0")))
PYEOF
}

LATER=$(date -u -d '+2 days' '+%Y-%m-%dT%H:%M:%SZ')
shop_init --set publish.inflight_s=1
gen_catalog 8
qs -q import products --group g catalog.csv >/dev/null
pub_profile
qs -q --tz UTC publish at "$(date -u -d '+1 hour' '+%Y-%m-%d %H:%M')" P001 P002 P004 P005 P006 >/dev/null
qs -q publish run --due-by "$LATER" >/dev/null
PUBLISH_BATCH=$(sql "SELECT max(id) FROM catalog_batch WHERE kind = 'publish'")
batch() { sql "SELECT max(id) FROM catalog_batch"; }
price() { sql "SELECT price FROM variant WHERE sku = '$1'"; }

test_expect 'R-PUB-9: an edit of a pending product changes the catalog only' '
    test "$(states)" = "online=5 pending=3 " &&
    expect_code 0 qs publish edit --price +10% P003 &&
    grep_q "^P003-R,P003,pending,1103,8,0,[0-9]*,local,not on the marketplace\$" out &&
    grep_q "^P003-B,P003,pending,1323,3,0," out &&
    grep_q "^qs publish edit: sent 0, already done 0, failed 0, unknown 0, changed locally 2\$" err &&
    test "$(calls ItemsOrder.SetGoodsPriceQty)" = 0 && test "$(calls ItemsOptions.EditGoodsInventory)" = 0
'

test_expect 'R-PUB-9: a price edit of an online listing is sent to the marketplace' '
    expect_code 0 qs publish edit --price +10% P001 &&
    grep_q "^P001-R,P001,online,1101,6,0,[0-9]*,ok,item price 1101 and 2 options sent\$" out &&
    test "$(item P001 ItemPrice)" = 1101
'

test_expect 'R-PUB-11: after price edits the item price is the lowest variant, options carry the difference' '
    item P001 Inventory | grep_q "\"code\": \"P001-B\", \"names\": \[\"カラー\"\], \"price\": 220, \"qty\": 3" - &&
    expect_code 0 qs publish edit --price -40% P001 &&
    test "$(price P001-R) $(price P001-B)" = "661 793" &&
    test "$(item P001 ItemPrice)" = 661 &&
    item P001 Inventory | grep_q "\"price\": 132" - &&
    test "$(sb counters | "$PY" -c "import json,sys; print(json.load(sys.stdin)[\"methods\"].get(\"ItemsOrder.SetGoodsPriceQty\", {}).get(\"failed\", 0))")" = 0
'

test_expect 'R-IMP-9: an edit that breaks the 1.5x spread changes nothing' '
    sql "SELECT sku, price, quantity, shipping FROM variant" >before &&
    expect_code 65 qs publish edit --price 5000 P001-B P004 &&
    grep_q "Parent SKU \"P001\": SKU \"P001-B\" costs 5000, more than 1.5 x the lowest price 661 (SKU \"P001-R\"); Qoo10 keeps option prices within 50% of the item price (R-IMP-9)" err &&
    sql "SELECT sku, price, quantity, shipping FROM variant" >after && test_cmp before after
'

test_expect 'R-PUB-9: an edit that hits a product being published, or a malformed price, changes nothing' '
    sql "SELECT sku, price, quantity, shipping FROM variant" >before &&
    sql "UPDATE product SET state = '"'"'publishing'"'"' WHERE parent_sku = '"'"'P008'"'"'" &&
    expect_code 65 qs publish edit --quantity 1 P008 && grep_q "is being published.*(R-PUB-9)" err &&
    sql "UPDATE product SET state = '"'"'pending'"'"' WHERE parent_sku = '"'"'P008'"'"'" &&
    expect_code 64 qs publish edit --price +5 P001 &&
    sql "SELECT sku, price, quantity, shipping FROM variant" >after && test_cmp before after
'

test_expect 'R-PUB-9: quantity and shipping edits of online listings are sent (SetGoodsPriceQty, UpdateGoods)' '
    expect_code 0 qs publish edit --quantity 50 P002 &&
    grep_q "^P002,P002,online,2002,50,0,[0-9]*,ok,\"price 2002, quantity 50 sent\"\$" out &&
    test "$(item P002 ItemQty)" = 50 &&
    expect_code 0 qs publish edit --shipping 600 P004 &&
    grep_q "^P004,P004,online,2004,7,600,[0-9]*,ok,ShippingNo 480001 sent\$" out &&
    test "$(item P004 ShippingNo)" = "\"480001\"" && test "$(item P004 ProductionPlace)" = "\"TOKYO\"" &&
    qs -q publish profile ShippingNo=0 >/dev/null &&
    expect_code 0 qs publish edit --shipping 0 P004 &&
    grep_q "shipping follows ShippingNo 0 of profile default; not sent" out &&
    qs -q publish profile ShippingNo= >/dev/null
'

test_expect 'R-PUB-9: an edit run again on a listing that has its values already sends nothing: sent 0, already done 1' '
    n=$(calls ItemsOrder.SetGoodsPriceQty) &&
    expect_code 0 qs publish edit --quantity 50 P002 &&
    grep_q "^P002,P002,online,2002,50,0,[0-9]*,already,already so: nothing to change\$" out &&
    grep_q "^qs publish edit: sent 0, already done 1, failed 0, unknown 0\$" err &&
    test "$(calls ItemsOrder.SetGoodsPriceQty)" = "$n"
'

test_expect 'R-PUB-13: undo of an edit restores the quantity where the marketplace still holds it; a sale since is reported, kept' '
    expect_code 0 qs publish edit --quantity 9 P004 && b9=$(batch) &&
    expect_code 0 qs publish edit --quantity 40 P002 && b40=$(batch) &&
    qapi ItemsOrder.SetGoodsPriceQty ItemCode="$(item P002 ItemCode | tr -d \")" Qty=37 ExpireDate=2030-01-01 >/dev/null &&
    expect_code 0 qs publish undo "$b40" &&
    grep_q "^P002,online,ok,\"SKU P002: the marketplace holds quantity 37, not the 40 batch $b40 set (a sale since); quantity not restored (R-PUB-13); price 2002 sent\"\$" out &&
    test "$(item P002 ItemQty)" = 37 && test "$(sql "SELECT quantity FROM variant WHERE sku = '"'"'P002'"'"'")" = 37 &&
    expect_code 0 qs publish undo "$b9" &&
    grep_q "^P004,online,ok,\"price 2004, quantity 7 sent\"\$" out &&
    test "$(item P004 ItemQty)" = 7 && test "$(sql "SELECT quantity FROM variant WHERE sku = '"'"'P004'"'"'")" = 7
'

test_expect 'R-PUB-13: undo of price edits restores the marketplace; an older batch waits for the newer one, then completes' '
    b1=$(sql "SELECT id FROM catalog_batch WHERE kind = '"'"'edit'"'"' ORDER BY id LIMIT 1 OFFSET 1") &&
    b2=$(sql "SELECT id FROM catalog_batch WHERE kind = '"'"'edit'"'"' ORDER BY id LIMIT 1 OFFSET 2") &&
    expect_code 0 qs publish undo "$b1" &&
    grep_q "^P001,online,skipped,skipped: 2 values changed since by a later batch; undo that first\$" out &&
    grep_q "batch $b1 is partly undone" err &&
    test "$(item P001 ItemPrice)" = 661 &&
    expect_code 0 qs publish undo "$b2" && test "$(item P001 ItemPrice)" = 1101 &&
    test "$(price P001-R) $(price P001-B)" = "1101 1321" &&
    expect_code 0 qs publish undo "$b1" && test "$(item P001 ItemPrice)" = 1001 &&
    item P001 Inventory | grep_q "\"code\": \"P001-B\", \"names\": \[\"カラー\"\], \"price\": 200" - &&
    test "$(price P001-R) $(price P001-B)" = "1001 1201" &&
    expect_code 64 qs publish undo "$b1" && grep_q "undone already" err
'

test_expect 'withdraw takes online listings offline (status 1); undo puts them on sale again (R-PUB-13)' '
    expect_code 0 qs publish withdraw P005 P003 &&
    grep_q "warning: Parent SKU \"P003\" is pending, not online" err &&
    grep_q "^P005,offline,ok,\"sale stopped (status 1), offline\"\$" out &&
    test "$(item P005 ItemStatus)" = "\"S1\"" &&
    expect_code 0 qs publish undo "$(batch)" &&
    grep_q "^P005,online,ok,on sale again (status 2)\$" out &&
    test "$(item P005 ItemStatus)" = "\"S2\""
'

test_expect 'issue 10: a withdraw run again on an offline listing sends nothing: sent 0, already done 1' '
    expect_code 0 qs publish withdraw P005 && b=$(batch) &&
    grep_q "^qs publish withdraw: sent 1, already done 0, failed 0, unknown 0\$" err &&
    grep_q "^qs publish withdraw: batch $b (undo: qs publish undo $b)\$" err &&
    n=$(calls ItemsBasic.EditGoodsStatus) &&
    expect_code 0 qs publish withdraw P005 &&
    grep_q "^P005,offline,already,already offline: nothing to send\$" out &&
    grep_q "^qs publish withdraw: sent 0, already done 1, failed 0, unknown 0\$" err &&
    test "$(calls ItemsBasic.EditGoodsStatus)" = "$n" && test "$(batch)" = "$b" &&
    expect_code 0 qs publish undo "$b" && test "$(item P005 ItemStatus)" = "\"S2\""
'

test_expect 'R-PUB-13: undo of a publish stops the sale (status 1, offline); the items stay; products changed since are kept' '
    n=$(nitems) &&
    expect_code 0 qs publish undo "$PUBLISH_BATCH" &&
    grep_q "^P006,offline,ok,\"sale stopped (status 1), offline\"\$" out &&
    grep_q "^P002,online,skipped,skipped: changed since by batch" out &&
    grep_q "^P005,offline,ok,\"sale stopped (status 1), offline\"\$" out &&
    test "$(item P006 ItemStatus)" = "\"S1\"" && test "$(nitems)" = "$n" &&
    test "$(sql "SELECT state FROM product WHERE parent_sku = '"'"'P006'"'"'")" = offline
'

test_expect 'publishing an offline product again is its status step only: no second SetNewGoods' '
    expect_code 0 qs publish now P006 &&
    grep_q "^P006,[0-9]*,online,status,online," out &&
    test "$(item P006 ItemStatus)" = "\"S2\"" && test "$(key_calls SetNewGoods P006)" = 1
'

test_expect 'R-PUB-13: each row of a withdraw of many, named out of order, shows its own result' '
    on=$(sql "SELECT parent_sku FROM product WHERE state = '"'"'online'"'"' ORDER BY parent_sku DESC") &&
    test "$(echo "$on" | wc -l)" -ge 3 &&
    expect_code 0 qs publish withdraw $on &&
    for p in $on; do grep_q "^$p,offline,ok,\"sale stopped (status 1), offline\"\$" out || return 1; done &&
    test "$(grep -c ",offline,ok," out)" = "$(echo "$on" | wc -l)"
'
test_done

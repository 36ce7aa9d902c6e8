# t0302: qs sync confirm (R-SYN-1b: SetSellerCheckYN exactly once per line, EstShipDt
# rules), qs sync products (R-SYN-2: items pulled one way, the marketplace wins) and
# qs sync log (SPEC 1.6: the audit of every outside call), against the sandbox.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start

# qapi METHOD PARAMS-JSON: one QAPI call straight to the sandbox as the seller (to change
# the marketplace behind qs's back); prints ResultCode.
qapi() {
    "$PY" - "$QS_QAPI_URL" "$1" "$2" <<'EOF'
import json, sys, urllib.parse, urllib.request
base, method, params = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
def call(m, p, key, ver="1.0"):
    req = urllib.request.Request(base + "/" + m, urllib.parse.urlencode(p).encode(),
        {"GiosisCertificationKey": key, "QAPIVersion": ver,
         "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})
    return json.load(urllib.request.urlopen(req))
sak = call("CertificationAPI.CreateCertificationKey",
           {"user_id": "sandbox-user", "pwd": "sandbox-pass"}, "sandbox-api-key")["ResultObject"]
ver = {"ItemsBasic.EditGoodsStatus": "1.1"}.get(method, "1.0")
print(call(method, params, sak, ver)["ResultCode"])
EOF
}

# ---- confirm ---------------------------------------------------------------------------

test_expect 'R-SYN-1b: --ship-by must be after today in Japan and at most 30 days ahead' '
    fresh 30 "[2]" 31 &&
    expect_code 64 qs sync confirm --ship-by "$(jst_day 0)" 1 &&
    grep_q "is not after today in Japan" err &&
    expect_code 64 qs sync confirm --ship-by "$(jst_day 31)" 1 &&
    grep_q "more than 30 days ahead" err &&
    expect_code 64 qs sync confirm --ship-by soon 1 &&
    test "$(calls ShippingBasic.SetSellerCheckYNBulk)" = 0
'

test_expect 'R-SYN-1b: unknown and unpaid lines are refused before anything is sent (exit 65)' '
    expect_code 65 qs sync confirm 999999999 &&
    grep_q "^qs sync confirm: argument: 999999999: unknown order line 999999999; run qs sync orders first (R-SYN-1b)\$" err &&
    test "$(sql "SELECT count(*) FROM outbox")" = 0
'

test_expect 'SPEC 1.3: a named input file that is not there is a usage error (64) naming it, never taken for an order number' '
    expect_code 64 qs sync ship nope.csv && grep_q "^qs sync ship: cannot open nope.csv: No such file or directory$" err &&
    expect_code 64 qs sync confirm nope.csv && grep_q "\"nope.csv\" names a file, not an order number" err &&
    expect_code 64 qs note blacklist add nope.csv && grep_q "cannot open nope.csv" err &&
    expect_code 64 qs stock unallocate ./nope && grep_q "cannot open ./nope" err &&
    expect_code 64 qs note template add --title t --body-file nope.txt x && grep_q "cannot open nope.txt" err &&
    test "$(sql "SELECT count(*) FROM outbox")" = 0
'
test_expect 'SPEC 1.6: --dry-run prints the request and changes nothing' '
    expect_code 0 qs sync orders --all --status paid &&
    cp out paid.csv &&
    expect_code 64 qs sync confirm paid.csv &&
    grep_q "\"paid.csv\" names a file, not an order number" err &&
    expect_code 0 qs --dry-run sync confirm <paid.csv &&
    grep_q "^{\"method\":\"ShippingBasic.SetSellerCheckYNBulk\",\"version\":\"1.0\",\"params\":{\"SendPlanDtInfoJson\":\"\[{\\\\\"OrderNo\\\\\":" out &&
    test "$(sql "SELECT count(*) FROM outbox")" = 0 &&
    test "$(calls ShippingBasic.SetSellerCheckYNBulk)" = 0
'

test_expect 'R-SYN-1b: qs sync orders --status paid | qs sync confirm: every line once, tomorrow by default' '
    qs sync orders --all --status paid | qs sync confirm >out 2>err &&
    test "$(grep -c ",ok,0,confirmed\$" out)" = 30 &&
    grep_q "sent 30, already done 0, failed 0, unknown 0" err &&
    once SetSellerCheckYN 30 &&
    qs -q sync orders >/dev/null && store_matches &&
    sb get /_control/orders | "$PY" -c "import json,sys
d = {o[\"EstimatedShippingDate\"][:10] for o in json.load(sys.stdin)[\"orders\"]}
print(d); sys.exit(d != {\"$(jst_day 1)\"})"
'

test_expect 'R-SYN-1b: confirming again sends nothing; "already confirmed"' '
    expect_code 0 qs sync confirm <paid.csv &&
    test "$(grep -c ",ok,,already confirmed\$" out)" = 30 &&
    grep_q "^qs sync confirm: sent 0, already done 30, failed 0, unknown 0\$" err &&
    once SetSellerCheckYN 30
'

test_expect 'R-SYN-1b: order numbers as arguments, with --ship-by; a line confirmed in QSM meanwhile is ok' '
    fresh 6 "[2]" 32 &&
    sql "SELECT order_no FROM order_line ORDER BY order_no" >nos &&
    sb advance "{\"orders\": [$(head -1 nos)], \"to\": 3}" >/dev/null &&
    expect_code 0 qs sync confirm --ship-by "$(jst_day 5)" $(cat nos) &&
    grep_q "^$(head -1 nos),ok,-10012,already confirmed\$" out &&
    test "$(grep -c ",ok,0,confirmed\$" out)" = 5 &&
    qs sync orders --all --status confirmed >out &&
    test "$(tail -n +2 out | cut -d, -f15 | cut -c1-10 | sort -u | wc -l)" -ge 1 &&
    grep_q ",$(jst_day 5) 00:00:00,," out
'

test_expect 'R-SYN-7: a confirm date the marketplace refuses fails at once (exit 1), not retried' '
    fresh 3 "[2]" 33 &&
    sb clock "{\"now\": \"$(jst_day 2) 12:00:00\"}" >/dev/null &&
    n=$(sql "SELECT order_no FROM order_line ORDER BY order_no LIMIT 1") &&
    expect_code 1 qs sync confirm "$n" &&
    code=-10018 && if documented; then code=-10001; fi &&
    grep_q "^$n,failed,$code,EstShipDt must be after today\$" out &&
    test "$(sb counters | "$PY" -c "import json,sys; print(json.load(sys.stdin)[\"by_key\"][\"SetSellerCheckYN\"][\"$n\"][\"calls\"])")" = 1 &&
    sb clock "{\"now\": null}" >/dev/null
'

test_expect 'R-SYN-1b, SPEC 1.6: confirm killed with SIGKILL mid-send, run again: exactly once per line' '
    fresh 600 "[2]" 34 &&
    qs sync orders --all --status paid >paid.csv &&
    sb faults "{\"latency_ms\": [200, 400], \"methods\": [\"SetSellerCheckYNBulk\"]}" >/dev/null ||
        exit 1
    "$QS" sync confirm <paid.csv >k.out 2>k.err &
    pid=$!
    i=0 && while [ "$(sql "SELECT count(*) FROM outbox WHERE state = \"claimed\"")" = 0 ] && [ $i -lt 500 ]; do
        sleep 0.01; i=$((i + 1)); done &&
    sleep 0.1 && kill -9 $pid && { wait $pid 2>/dev/null || true; } &&
    test "$(sql "SELECT count(*) FROM outbox WHERE state = \"claimed\"")" -gt 0 &&
    sb faults "{}" >/dev/null &&
    expect_code 0 qs sync confirm - <paid.csv &&
    test "$(grep -c ",ok," out)" = "$(($(wc -l <paid.csv) - 1))" &&
    once SetSellerCheckYN "$(($(wc -l <paid.csv) - 1))"
'

# ---- products ------------------------------------------------------------------------

test_expect 'R-SYN-2: items listed on the marketplace are pulled with their details' '
    sb reset >/dev/null && rm -f "$QS_STORE" "$QS_STORE"-* && shop_init &&
    sb config "{\"page_size\": 2}" >/dev/null &&
    sb seed "{\"items\": [
        {\"ItemCode\": \"1100000101\", \"ItemTitle\": \"緑茶 100包\", \"ItemPrice\": 1280, \"ItemQty\": 40, \"SellerCode\": \"TEA-1\"},
        {\"ItemCode\": \"1100000102\", \"ItemTitle\": \"タンブラー\", \"ItemPrice\": 1980, \"ItemQty\": 5, \"SellerCode\": \"00012\"},
        {\"ItemCode\": \"1100000103\", \"ItemTitle\": \"傘\", \"ItemPrice\": 1780, \"ItemQty\": 0, \"SellerCode\": \"UMB-1\", \"ItemStatus\": \"S1\"},
        {\"ItemCode\": \"1100000104\", \"ItemTitle\": \"イヤホン\", \"ItemPrice\": 2980, \"ItemQty\": 9, \"SellerCode\": \"EAR-1\"},
        {\"ItemCode\": \"1100000105\", \"ItemTitle\": \"ケース\", \"ItemPrice\": 1490, \"ItemQty\": 3, \"SellerCode\": \"CASE-1\", \"ItemStatus\": \"S4\"}]}" >/dev/null &&
    expect_code 0 qs sync products &&
    test "$(head -1 out)" = "item_code,seller_code,status,title,price,qty,change" &&
    test "$(grep -c ",new\$" out)" = 5 &&
    grep_q "^1100000102,00012,S2,タンブラー,1980,5,new\$" out &&
    grep_q "^1100000103,UMB-1,S1,傘,1780,0,new\$" out &&
    grep_q "^1100000105,CASE-1,S4,ケース,1490,3,new\$" out &&
    test "$(calls ItemsLookup.GetItemDetailInfo)" = 5
'

test_expect 'R-SYN-2: a second run reads no details and changes nothing' '
    expect_code 0 qs sync products &&
    test "$(grep -c ",same\$" out)" = 5 &&
    test "$(calls ItemsLookup.GetItemDetailInfo)" = 5
'

test_expect 'R-SYN-2: the marketplace wins: a status change is pulled; a price change with --full' '
    test "$(qapi ItemsBasic.EditGoodsStatus "{\"ItemCode\": \"1100000103\", \"Status\": \"2\"}")" = 0 &&
    test "$(qapi ItemsOrder.SetGoodsPriceQty "{\"ItemCode\": \"1100000101\", \"Price\": \"1380\", \"Qty\": \"40\", \"ExpireDate\": \"2027-12-31\"}")" = 0 &&
    expect_code 0 qs sync products &&
    grep_q "^1100000103,UMB-1,S2,傘,1780,0,changed\$" out &&
    grep_q "^1100000101,TEA-1,S2,緑茶 100包,1280,40,same\$" out &&
    expect_code 0 qs sync products --full &&
    grep_q "^1100000101,TEA-1,S2,緑茶 100包,1380,40,changed\$" out &&
    test "$(sql "SELECT price FROM market_item WHERE item_code = \"1100000101\"")" = 1380
'

test_expect 'R-SYN-2: an item the marketplace no longer knows is reported gone, once' '
    sb reset >/dev/null &&
    sb seed "{\"items\": [{\"ItemCode\": \"1100000101\", \"ItemTitle\": \"緑茶 100包\", \"ItemPrice\": 1380, \"ItemQty\": 40, \"SellerCode\": \"TEA-1\"}]}" >/dev/null &&
    expect_code 0 qs sync products &&
    test "$(grep -c ",gone\$" out)" = 4 &&
    grep_q "^1100000101,TEA-1,S2,緑茶 100包,1380,40,same\$" out &&
    grep_q "4 gone" err &&
    expect_code 0 qs sync products &&
    test "$(wc -l <out)" = 2
'

test_expect 'R-SYN-7: products through HTTP 500s: the same items' '
    sb faults "{\"error_rate\": 0.3, \"seed\": 9}" >/dev/null &&
    expect_code 0 qs sync products --full &&
    grep_q "^1100000101,TEA-1,S2,緑茶 100包,1380,40,same\$" out &&
    sb faults "{}" >/dev/null
'

# ---- log -----------------------------------------------------------------------------

test_expect 'SPEC 1.6: qs sync log prints the audit: every call, --kind, --since, --tz' '
    expect_code 0 qs sync log &&
    test "$(head -1 out)" = "at,shop,kind,key,attempt,result,code,latency_ms,detail" &&
    test "$(($(wc -l <out) - 1))" = "$(sql "SELECT count(*) FROM audit")" &&
    grep_q ",demo,ItemsLookup.GetAllGoodsInfo,S2 page 1,1,ok,0," out &&
    grep_q ",retry,HTTP 500," out &&
    expect_code 0 qs sync log --kind GetItemDetailInfo &&
    test "$(tail -n +2 out | cut -d, -f3 | sort -u)" = ItemsLookup.GetItemDetailInfo &&
    expect_code 0 qs sync log --kind ItemsLookup &&
    test "$(tail -n +2 out | cut -d, -f3 | cut -d. -f1 | sort -u)" = ItemsLookup &&
    expect_code 0 qs sync log --since "$(date -u -d "+2 days" +%F)" &&
    test "$(wc -l <out)" = 1 &&
    expect_code 64 qs sync log --since later &&
    qs --tz UTC sync log | sed -n 2p | cut -d, -f1 >utc &&
    qs --tz Asia/Tokyo sync log | sed -n 2p | cut -d, -f1 >jst &&
    test "$(date -u -d "$(cat utc) UTC 9 hours" "+%F %T")" = "$(cat jst)" &&
    expect_code 0 qs --format json sync log --kind CreateCertificationKey &&
    grep_q "\"kind\":\"CertificationAPI.CreateCertificationKey\"" out
'

test_expect 'no secret appears in any output, the audit or the outbox' '
    expect_code 0 qs sync log &&
    no_secrets out err k.out k.err
'

test_done

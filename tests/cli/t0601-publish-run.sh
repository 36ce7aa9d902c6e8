#!/usr/bin/env bash
# qs publish run against the sandbox marketplace: every due product published exactly
# once -- one SetNewGoods per SellerCode -- under injected faults, SIGKILL mid-run and two
# concurrent runs; the item and option mapping; steps and their resumption; checks before
# any call; moving listings between shops (SPEC 2.3: R-PUB-1, R-PUB-7, R-PUB-8,
# R-PUB-10, R-PUB-11, R-PUB-12, R-PUB-14, R-PUB-15; SPEC 1.6).
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"
. "$QS_SRC/tests/cli/publish-lib.sh"

sb_start

# fresh N: a reset sandbox, a new store with N products scheduled one a minute from an
# hour ahead (R-PUB-5: never in the past); the runs bring them forward with --due-by.
fresh() {
    sb reset >/dev/null && rm -f "$QS_STORE" "$QS_STORE"-* &&
        shop_init --set publish.inflight_s=1 && gen_catalog "$1" &&
        qs -q import products --group g catalog.csv >/dev/null && pub_profile &&
        qs -q --tz UTC publish every 1 --from "$(date -u -d '+1 hour' '+%Y-%m-%d %H:%M')" --group g >/dev/null
}
LATER=$(date -u -d '+2 days' '+%Y-%m-%dT%H:%M:%SZ')

# converge: runs qs publish run (retrying what failed, now) until nothing is left to do.
converge() {
    local i
    for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
        qs publish run --due-by "$LATER" --retry-failed >>runs.out 2>>runs.err
        [ "$(sql "SELECT count(*) FROM product WHERE state <> 'online'")" = 0 ] && return 0
    done
    echo "not converged after 12 runs: $(states)"
    tail -5 runs.err
    return 1
}

alive() { [ -d "/proc/$1" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# run_killed: starts a run and kill -9s it at a random moment while it runs.
run_killed() {
    local try pid ms
    for try in 1 2 3 4 5 6; do
        ms=$((50 + RANDOM % (600 / try)))
        "$QS" publish run --due-by "$LATER" >killed.out 2>killed.err &
        pid=$!
        sleep "$(printf '0.%03d' "$ms")"
        if alive "$pid" && kill -9 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
            echo "killed after ${ms} ms: $(states)"
            return 0
        fi
        wait "$pid"
    done
    echo "qs publish run always finished before it could be killed"
    return 1
}

test_expect 'R-PUB-7: a run publishes what is due, one SetNewGoods per SellerCode; a second run sends nothing' '
    fresh 6 &&
    expect_code 0 qs publish run --due-by "$LATER" &&
    test "$(grep -c ",online,status,online,item " out)" = 6 &&
    grep_q "^qs publish run: sent 6, already done 0, failed 0, unknown 0\$" err &&
    once SetNewGoods 6 &&
    test "$(states)" = "online=6 " &&
    test "$(sql "SELECT item_code FROM product WHERE parent_sku = '"'"'P001'"'"'")" = "$(item P001 ItemCode | tr -d \")" &&
    expect_code 0 qs publish run --due-by "$LATER" && test "$(wc -l <out)" = 1 &&
    once SetNewGoods 6
'

test_expect 'R-PUB-11: that run mapped each product to one item: lowest price, options with their extra price' '
    test "$(item P001 ItemPrice)" = 1001 &&
    test "$(item P001 ItemStatus)" = "\"S2\"" &&
    item P001 Inventory >inv &&
    grep_q "\"code\": \"P001-R\", \"names\": \[\"カラー\"\], \"price\": 0, \"qty\": 6, \"values\": \[\"Red\"\]" inv &&
    grep_q "\"code\": \"P001-B\", \"names\": \[\"カラー\"\], \"price\": 200, \"qty\": 3, \"values\": \[\"Blue\"\]" inv &&
    test "$(item P001 MultiImages)" = "[\"https://img.example.jp/P001-x.jpg\", \"https://img.example.jp/P001-b.jpg\"]" &&
    test "$(item P002 Inventory)" = "[]" && test "$(item P002 ItemQty)" = 7 &&
    test "$(item P002 SecondSubCat)" = "\"320001234\""
'

test_expect 'issue 8 item 20: run --due-by HH:MM already past is tomorrow'"'"'s, said on stderr' '
    fresh 1 && z=$(noon_zone) &&
    from=$(TZ=$z date -d "-30 min" +%H:%M) && day=$(TZ=$z date -d "+1 day" +%F) &&
    expect_code 0 qs --tz "$z" publish run --due-by "$from" &&
    grep_q "^qs publish [a-z]*: $from has passed today; due by tomorrow, $day $from:00 ($z)\$" err
'

test_expect 'SPEC 1.6: --dry-run prints the requests of due products and changes nothing' '
    fresh 2 &&
    expect_code 0 qs --dry-run publish run --due-by "$LATER" &&
    test "$(grep -c "^{\"method\":\"ItemsBasic.SetNewGoods\",\"version\":\"1.1\",\"params\":{\"SecondSubCat\":\"320001234\"" out)" = 2 &&
    test "$(calls ItemsBasic.SetNewGoods)" = 0 && test "$(states)" = "scheduled=2 "
'

test_expect 'R-PUB-7: 40 products under 20% injected faults (lost answers too): each created exactly once' '
    fresh 40 &&
    sb faults "{\"error_rate\": 0.2, \"drop_rate\": 0.05, \"phase\": \"mixed\", \"after_ratio\": 0.5, \"methods\": [\"qapi\"], \"seed\": 11}" >/dev/null &&
    converge && sb faults "{}" >/dev/null &&
    once SetNewGoods 40 &&
    test "$(nitems)" = 40 &&
    test "$(sql "SELECT count(DISTINCT item_code) FROM product WHERE state = '"'"'online'"'"'")" = 40 &&
    sb counters | "$PY" -c "import json,sys; m=json.load(sys.stdin)[\"methods\"]; f=sum(v[\"faulted\"]+v[\"dropped\"] for v in m.values()); print(\"faults injected:\", f); sys.exit(0 if f > 0 else 1)"
'

test_expect 'R-PUB-7: killed with SIGKILL mid-run, twice, under 20% faults, then run again: each product created exactly once' '
    fresh 30 &&
    sb faults "{\"latency_ms\": [50, 200], \"error_rate\": 0.2, \"phase\": \"mixed\", \"methods\": [\"qapi\"], \"seed\": 3}" >/dev/null &&
    run_killed && run_killed &&
    converge && sb faults "{}" >/dev/null &&
    once SetNewGoods 30 && test "$(nitems)" = 30 &&
    test "$(sql "SELECT count(*) FROM product WHERE create_sent_at IS NOT NULL")" = 0
'

test_expect 'R-PUB-7: two concurrent runs (from cron, every minute) under 20% faults publish each product exactly once' '
    fresh 40 &&
    sb faults "{\"latency_ms\": [10, 60], \"error_rate\": 0.2, \"phase\": \"mixed\", \"methods\": [\"qapi\"], \"seed\": 5}" >/dev/null &&
    { "$QS" publish run --due-by "$LATER" >a.out 2>a.err & pa=$!; } &&
    { "$QS" publish run --due-by "$LATER" >b.out 2>b.err & pb=$!; } &&
    wait $pa; wait $pb;
    converge && sb faults "{}" >/dev/null &&
    once SetNewGoods 40 && test "$(nitems)" = 40 &&
    test "$(cat a.out b.out | grep -c ",online,status,online,")" -ge 1
'

test_expect 'R-PUB-11: a step that gets no answer leaves the product publishing, the step named; a retry resumes from it' '
    fresh 1 && qs -q init --shop demo --set qapi.retries=1 >/dev/null &&
    sb faults "{\"fail_next\": 2, \"methods\": [\"EditGoodsMultiImage\"]}" >/dev/null &&
    expect_code 75 qs publish run --due-by "$LATER" &&
    grep_q "^P001,[0-9]*,publishing,images,retry,\"step images: ItemsContents.EditGoodsMultiImage: failed: HTTP 500.* (will retry)\"\$" out &&
    test "$(sql "SELECT step FROM product")" = create &&
    expect_code 0 qs publish run --retry-failed &&
    grep_q "^P001,[0-9]*,online,status,online," out &&
    once SetNewGoods 1 && test "$(calls ItemsContents.EditGoodsMultiImage)" = 3
'

test_expect 'R-PUB-7: the sent-mark of the next product is written while the call before is on the wire; a run that stops before sending it reads it back first, then creates it once' '
    fresh 2 && qs -q init --shop demo --set qapi.retries=0 >/dev/null &&
    sb faults "{\"drop_next\": 1, \"latency_ms\": 40, \"methods\": [\"EditGoodsMultiImage\"]}" >/dev/null &&
    expect_code 75 qs publish run --due-by "$LATER" &&
    grep_q "^P002,,publishing,create,retry,step create: not tried: the marketplace stopped answering (will retry)\$" out &&
    test "$(key_calls SetNewGoods P002)" = 0 &&
    test "$(sql "SELECT create_sent_at IS NOT NULL FROM product WHERE parent_sku = '"'"'P002'"'"'")" = 1 &&
    sb faults "{}" >/dev/null &&
    expect_code 0 qs publish run --retry-failed &&
    grep_q "^P002,[0-9]*,online,status,online," out &&
    test "$(sql "SELECT count(*) FROM audit WHERE kind = '"'"'ItemsLookup.GetItemDetailInfo'"'"' AND key = '"'"'P002'"'"'")" = 1 &&
    once SetNewGoods 2
'

test_expect 'issue 16 (SPEC 8, flat memory): the records are kept for the report in a file, in TMPDIR; when none can be made there the run stops before any call' '
    fresh 2 &&
    TMPDIR="$TRASH/no/such/dir" expect_code 74 qs publish run --due-by "$LATER" &&
    grep_q "cannot keep the records for the report in $TRASH/no/such/dir: No such file or directory (set TMPDIR to a folder qs can write)" err &&
    test "$(calls ItemsBasic.SetNewGoods)" = 0 && test "$(sql "SELECT count(*) FROM product WHERE state = '"'"'online'"'"'")" = 0 &&
    mkdir tmpd && TMPDIR="$PWD/tmpd" expect_code 0 qs publish run --due-by "$LATER" &&
    grep_q "^P001,[0-9]*,online,status,online,item [0-9]* on sale\$" out &&
    grep_q "^P002,[0-9]*,online,status,online," out && test -z "$(ls tmpd)"
'

# in_zone UTC-ISO: the time in the shop's zone (Asia/Tokyo), as qs prints it.
in_zone() { TZ=Asia/Tokyo date -d "$1" '+%Y-%m-%d %H:%M:%S'; }

test_expect 'issue 8 item 18, R-PUB-8: a publication waiting for its backoff (injected faults) shows its last error and next try in publish list; the next run counts it waiting' '
    fresh 1 && qs -q init --shop demo --set qapi.retries=1 >/dev/null &&
    sb faults "{\"fail_next\": 2, \"methods\": [\"EditGoodsMultiImage\"]}" >/dev/null &&
    expect_code 75 qs publish run --due-by "$LATER" &&
    next=$(in_zone "$(sql "SELECT next_at FROM outbox WHERE kind = '"'"'publish'"'"'")") &&
    expect_code 0 qs publish run &&
    grep_q "^qs publish run: sent 0, already done 0, failed 0, unknown 0\$" err &&
    grep_q "^qs publish run: 1 waiting, next try $next\$" err &&
    expect_code 0 qs publish list &&
    grep_q "^P001,P001-R,.*,publishing,[^,]*,[0-9]*,\"step images: ItemsContents.EditGoodsMultiImage: failed: HTTP 500.* (will retry)\",$next\$" out &&
    expect_code 0 qs --format json publish list &&
    grep_q "\"state\":\"publishing\",.*\"error\":\"step images: .*(will retry)\",\"next_try\":\"$next\"}" out
'

test_expect 'issue 8 item 18: a run stopped by the credentials leaves the product publishing with that error and its next try' '
    fresh 1 &&
    sb seller "{\"api_key\": \"$SB_KEY\", \"user_id\": \"$SB_USER\", \"password\": \"changed\"}" >/dev/null &&
    expect_code 1 qs publish run --due-by "$LATER" &&
    next=$(in_zone "$(sql "SELECT next_at FROM outbox WHERE kind = '"'"'publish'"'"'")") &&
    expect_code 0 qs publish list &&
    grep_q "^P001,P001-R,.*,publishing,[^,]*,,\"step create: cannot get a seller authorization key: .* (will retry)\",$next\$" out &&
    sb seller "{\"api_key\": \"$SB_KEY\", \"user_id\": \"$SB_USER\", \"password\": \"$SB_PASS\"}" >/dev/null &&
    expect_code 0 qs publish run &&
    grep_q "^qs publish run: 1 waiting, next try $next\$" err &&
    test "$(calls ItemsBasic.SetNewGoods)" = 0
'

test_expect 'issue 8 item 22, R-PUB-15: publish shipping lists the delivery templates and keeps them; check then finds offline the fee no template charges, which run fails on' '
    fresh 2 &&
    expect_code 0 qs publish shipping &&
    printf "%s\n" shipping_no,fee,type,free_over,region,oversea,carrier 0,0,X,0,N,N,ヤマト宅急便 \
        480001,600,F,0,Y,N,佐川急便 480002,600,M,3980,Y,N,ヤマト宅急便 >want &&
    test_cmp want out && test "$(calls ItemsLookup.GetSellerDeliveryGroupInfo)" = 1 &&
    QS_QAPI_URL=http://127.0.0.1:1 expect_code 0 qs publish shipping --cached && test_cmp want out &&
    qs -q publish edit --shipping 500 P001 >/dev/null &&
    QS_QAPI_URL=http://127.0.0.1:1 expect_code 1 qs publish check &&
    grep_q "^P001,P001-R,R-PUB-15,ShippingNo,\"no delivery template of the shop charges the 500 yen shipping of SKU \"\"P001-R\"\"; set ShippingNo in the listing profile\"\$" out &&
    test "$(wc -l <out)" = 2 &&
    grep_q "shipping fees checked against the 3 delivery templates read [-0-9]* [0-9:]* (Asia/Tokyo)" err &&
    test "$(calls ItemsLookup.GetSellerDeliveryGroupInfo)" = 1 &&
    expect_code 1 qs publish run --due-by "$LATER" &&
    grep_q "^P001,,failed,check,failed,\"step check: no delivery template of the shop charges the 500 yen shipping" out &&
    test "$(calls ItemsBasic.SetNewGoods)" = 1
'

test_expect 'issue 8 item 22: check reads the templates once when none are kept; a profile ShippingNo none of them has is a problem; --cached without any is refused' '
    fresh 1 &&
    expect_code 64 qs publish shipping --cached && grep_q "no delivery templates of shop demo are kept yet" err &&
    qs -q publish profile ShippingNo=999 >/dev/null &&
    expect_code 1 qs publish check &&
    grep_q "^P001,,R-PUB-15,ShippingNo,ShippingNo 999 of listing profile default is none of the shop'"'"'s delivery templates (qs publish shipping lists them)\$" out &&
    test "$(calls ItemsLookup.GetSellerDeliveryGroupInfo)" = 1 &&
    test "$(sql "SELECT count(*) FROM shop_setting WHERE key = '"'"'publish.delivery_cache'"'"'")" = 1 &&
    qs -q publish profile ShippingNo=480002 >/dev/null &&
    expect_code 0 qs publish check && test "$(calls ItemsLookup.GetSellerDeliveryGroupInfo)" = 1 &&
    rm -f "$QS_STORE" "$QS_STORE"-* && shop_init && gen_catalog 1 &&
    qs -q import products catalog.csv >/dev/null && pub_profile && qs -q publish edit --shipping 500 P001 >/dev/null &&
    QS_QAPI_URL=http://127.0.0.1:1 expect_code 0 qs -q init --shop demo --set qapi.retries=0 &&
    QS_QAPI_URL=http://127.0.0.1:1 expect_code 0 qs publish check &&
    grep_q "warning: shipping fees not checked: the shop'"'"'s delivery templates cannot be read" err
'

test_expect 'R-PUB-11: a step the marketplace refuses fails the product with the step named; a retry resumes there' '
    fresh 2 && sb config "{\"new_item_status\": \"S0\"}" >/dev/null &&
    expect_code 1 qs publish run --due-by "$LATER" &&
    grep_q "^P001,[0-9]*,failed,status,failed,step status: ItemsBasic.EditGoodsStatus refused: -10002 The item is under review\$" out &&
    test "$(sql "SELECT state || \" \" || step FROM product WHERE parent_sku = '"'"'P002'"'"'")" = "failed images" &&
    sb config "{\"new_item_status\": \"S1\"}" >/dev/null &&
    code=$(sql "SELECT item_code FROM product WHERE parent_sku = '"'"'P002'"'"'") &&
    expect_code 1 qs publish now P002 &&
    grep_q "^P002,$code,failed,status,failed,step status: " out &&
    test "$(key_calls SetNewGoods P002)" = 1 && test "$(key_calls EditGoodsStatus "$code")" = 2
'

test_expect 'R-PUB-1: publish now publishes the products named at once' '
    fresh 3 &&
    expect_code 0 qs publish now P003 && grep_q "^P003,[0-9]*,online,status,online,item " out &&
    test "$(calls ItemsBasic.SetNewGoods)" = 1
'

test_expect 'R-PUB-12: a product that lost its category is refused at run time before any call' '
    qs -q publish profile SecondSubCat= >/dev/null &&
    expect_code 1 qs publish run --due-by "$LATER" &&
    grep_q "^P001,,failed,check,failed,\"step check: Parent SKU \"\"P001\"\" has no Qoo10 leaf category.*(R-PUB-12)" out &&
    test "$(calls ItemsBasic.SetNewGoods)" = 1
'

test_expect 'R-PUB-15: a product whose profile lost a required field is refused at run time before any call' '
    qs -q publish profile SecondSubCat=320001234 ProductionPlaceType= >/dev/null &&
    expect_code 1 qs publish run --retry-failed &&
    grep_q "^P001,,failed,check,failed,step check: the listing profile sets no ProductionPlaceType and ProductionPlace .*(R-PUB-15)" out &&
    test "$(calls ItemsBasic.SetNewGoods)" = 1
'

test_expect 'R-PUB-14: limits are checked before any call: a title over 100 characters is refused' '
    fresh 1 &&
    printf "%s\n" "Parent SKU,SKU,Title,Description,Tags,Price,Shipping,Quantity,Main Image URL" \
        "LONG,LONG,$(printf "%0101d" 0),d,t,1000,0,1,https://img.example.jp/l.jpg" >long.csv &&
    qs -q import products long.csv >/dev/null &&
    expect_code 65 qs publish now LONG &&
    grep_q "title of Parent SKU \"LONG\" has 101 characters; Qoo10 takes at most 100 (R-PUB-14)" err &&
    test "$(calls ItemsBasic.SetNewGoods)" = 0
'

test_expect 'R-PUB-8: publish list --shop A | import products --shop B moves listings' '
    fresh 4 && expect_code 0 qs publish run --due-by "$LATER" &&
    printf "%s\n%s\n%s\n" "$SB_KEY" "$SB_USER" "$SB_PASS" |
        qs -q init --shop b --secret qapi.key --secret qapi.user --secret qapi.password --set qapi.rate=0 >/dev/null &&
    qs -q --shop b publish profile ProductionPlaceType=1 ProductionPlace=TOKYO SecondSubCat=320001234 >/dev/null &&
    qs --shop demo publish list | qs --shop b import products >moved.out 2>moved.err &&
    test "$(sql "SELECT count(*) FROM variant WHERE shop = '"'"'b'"'"'")" = 6 &&
    test "$(sql "SELECT count(*) FROM variant WHERE shop = '"'"'b'"'"' AND extra IS NOT NULL")" = 0 &&
    qs --shop demo publish list | cut -d, -f1-21 >a.csv && qs --shop b publish list | cut -d, -f1-21 >b.csv &&
    test_cmp a.csv b.csv &&
    test "$(sql "SELECT DISTINCT state FROM product WHERE shop = '"'"'b'"'"'")" = pending
'

test_expect 'R-PUB-10: shop B never adopts the item shop A holds under the same SellerCode' '
    a=$(sql "SELECT item_code FROM product WHERE shop = '"'"'demo'"'"' AND parent_sku = '"'"'P001'"'"'") &&
    expect_code 1 qs --shop b publish now P001 &&
    grep_q "^P001,,failed,create,failed,\"step create: SellerCode P001 is already item $a of Parent SKU \"\"P001\"\" of shop demo; the item is not taken over (R-PUB-10)" out &&
    test -z "$(sql "SELECT item_code FROM product WHERE shop = '"'"'b'"'"' AND parent_sku = '"'"'P001'"'"'")" &&
    test "$(nitems)" = 4
'
test_done

#!/usr/bin/env bash
# t0501: qs note template (R-NOTE-8: placeholders, aliases, unknown ones refused when
# saved, rendered per order) and qs note rule / qs note run (R-NOTE-9: every rule kind
# with its bounds, amount and country filters, once per order per rule, the daily cap
# with carry-over; R-NOTE-5 and R-NOTE-11: what a file: delivery cannot carry), against the
# sandbox marketplace and its hook; two runs at once never fire twice.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"
. "$QS_SRC/tests/cli/note-lib.sh"

sb_start
note_shop

# at ORDER RULE: the result of rule RULE for ORDER in the last run's output (out).
at() { awk -F, -v o="$1" -v r="$2" '$1 == r && $2 == o { print $3 }' out; }

sb seed "{\"orders\": [
  {\"OrderNo\": 1001, \"Buyer\": \"購入者 1001\", \"ItemTitle\": \"商品\", \"status\": 2, \"Buyer\": \"山田 太郎\", \"OrderPrice\": 3000, \"ItemTitle\": \"LEDライト\",
   \"OrderDate\": \"$(jst '-2 hours')\", \"PaymentDate\": \"$(jst '-1 hours')\"},
  {\"OrderNo\": 1002, \"Buyer\": \"購入者 1002\", \"ItemTitle\": \"商品\", \"status\": 2, \"OrderPrice\": 500, \"OrderDate\": \"$(jst '-2 hours')\", \"PaymentDate\": \"$(jst '-1 hours')\"},
  {\"OrderNo\": 1003, \"Buyer\": \"購入者 1003\", \"ItemTitle\": \"商品\", \"status\": 1, \"OrderPrice\": 1200, \"OrderDate\": \"$(jst '-2 hours')\"},
  {\"OrderNo\": 1004, \"Buyer\": \"購入者 1004\", \"ItemTitle\": \"商品\", \"status\": 1, \"OrderPrice\": 1200, \"OrderDate\": \"$(jst '-10 minutes')\"},
  {\"OrderNo\": 1005, \"Buyer\": \"購入者 1005\", \"ItemTitle\": \"商品\", \"status\": 2, \"OrderPrice\": 1200, \"OrderDate\": \"$(jst '-5 days')\", \"PaymentDate\": \"$(jst '-5 days')\"},
  {\"OrderNo\": 1006, \"Buyer\": \"購入者 1006\", \"ItemTitle\": \"商品\", \"status\": 2, \"OrderPrice\": 1200, \"Buyer\": \"高橋 次郎\", \"OrderDate\": \"$(jst '-1 hours')\", \"PaymentDate\": \"$(jst '-1 hours')\"},
  {\"OrderNo\": 1007, \"Buyer\": \"購入者 1007\", \"ItemTitle\": \"商品\", \"status\": 4, \"OrderPrice\": 1200, \"OrderDate\": \"$(jst '-3 days')\", \"ShippingDate\": \"$(jst '-1 days')\"},
  {\"OrderNo\": 1008, \"Buyer\": \"購入者 1008\", \"ItemTitle\": \"商品\", \"status\": 5, \"OrderPrice\": 1200, \"OrderDate\": \"$(jst '-6 days')\", \"ShippingDate\": \"$(jst '-4 days')\", \"DeliveredDate\": \"$(jst '-1 days')\",
   \"DeliveryCompany\": \"ヤマト宅急便\", \"TrackingNo\": \"111122223333\"},
  {\"OrderNo\": 1009, \"Buyer\": \"購入者 1009\", \"ItemTitle\": \"商品\", \"status\": 4, \"OrderPrice\": 1200, \"OrderDate\": \"$(jst '-21 days')\", \"ShippingDate\": \"$(jst '-20 days')\",
   \"DeliveryCompany\": \"ヤマト宅急便\", \"TrackingNo\": \"111122224444\"},
  {\"OrderNo\": 1010, \"Buyer\": \"購入者 1010\", \"ItemTitle\": \"商品\", \"status\": 4, \"OrderPrice\": 1200, \"OrderDate\": \"$(jst '-6 days')\", \"ShippingDate\": \"$(jst '-5 days')\",
   \"DeliveryCompany\": \"ヤマト宅急便\", \"TrackingNo\": \"111122225555\"},
  {\"OrderNo\": 1011, \"Buyer\": \"購入者 1011\", \"ItemTitle\": \"商品\", \"status\": 4, \"OrderPrice\": 1200, \"OrderDate\": \"$(jst '-4 days')\", \"ShippingDate\": \"$(jst '-3 days')\",
   \"DeliveryCompany\": \"佐川急便\", \"TrackingNo\": \"111122226666\"},
  {\"OrderNo\": 1012, \"Buyer\": \"購入者 1012\", \"ItemTitle\": \"商品\", \"status\": 4, \"OrderPrice\": 1200, \"OrderDate\": \"$(jst '-4 days')\", \"ShippingDate\": \"$(jst '-3 days')\",
   \"DeliveryCompany\": \"佐川急便\", \"TrackingNo\": \"111122227777\"},
  {\"OrderNo\": 1013, \"Buyer\": \"購入者 1013\", \"ItemTitle\": \"商品\", \"status\": 2, \"OrderPrice\": 1200, \"OrderDate\": \"$(jst '-8 days')\", \"PaymentDate\": \"$(jst '-8 days')\"}
]}" >/dev/null
qs -q sync orders >/dev/null

# ---- templates (R-NOTE-8) ----------------------------------------------------------------

test_expect 'R-NOTE-8: a template with the seed placeholders is saved, listed and shown' '
    expect_code 0 qs note template add --category shipping --title "発送のお知らせ #order id#" \
        --body "#buyer# 様、ご注文 #order id# は #Carriers# で発送しました。追跡番号: #Tracking number#" shipped &&
    expect_code 0 qs note template add --title "入金確認" \
        --body "#Buyer Name# 様 #ORDER TIME# のご注文（#order amount#円、#item name#）の入金を確認しました" paid &&
    expect_code 0 qs note template list &&
    grep_q "^shipped,shipping,発送のお知らせ #order id#,#order id# #buyer# #Tracking number# #Carriers#," out &&
    grep_q "^paid,other,入金確認,#buyer# #order time# #order amount# #item name#," out &&
    expect_code 0 qs note template show shipped &&
    grep_q "追跡番号: #Tracking number#" out
'

test_expect 'R-NOTE-8: the seed'"'"'s spellings are aliases, matched case- and space-insensitively' '
    expect_code 0 qs note template add --title 物流 \
        --body "#orderId##buyerName##shipNum##logisticType##orderTime##orderAmount#" logistics &&
    expect_code 0 qs note template show logistics &&
    grep_q "#order id# #buyer# #Tracking number# #Carriers# #order time# #order amount#" out
'

test_expect 'R-NOTE-3: a body file holding a NUL byte is refused whole (65 naming the byte), not cut at the NUL' '
    printf "ご注文ありがとうございます。\n発送は明日です。\000\n(追記)\n" >nul.txt &&
    expect_code 65 qs note template add --title t --body-file nul.txt nul &&
    grep_q "nul.txt: byte 68 is a NUL byte; a text file holds none" err &&
    expect_code 0 qs note template list && ! grep -q "^nul," out
'
test_expect 'R-NOTE-8: an unknown placeholder (or #address#) is an error when the template is saved' '
    expect_code 65 qs note template add --title t --body "ご注文 #ordr id# ありがとう" typo &&
    grep_q "unknown placeholder \"#ordr id#\" at character 5.*(R-NOTE-8)" err &&
    expect_code 65 qs note template add --title t --body "お届け先 #address#" addr &&
    grep_q "no address placeholder" err &&
    expect_code 65 qs note template edit --body "#Trackingnumber# #carrier id#" shipped &&
    expect_code 0 qs note template list &&
    ! grep -q "^typo," out && ! grep -q "^addr," out &&
    expect_code 0 qs note template show shipped && grep_q "追跡番号" out
'

test_expect 'R-NOTE-8: edit changes a template; an unknown one is reported' '
    expect_code 0 qs note template edit --title "ご入金ありがとうございます" paid &&
    expect_code 0 qs note template show paid && grep_q ",ご入金ありがとうございます," out &&
    expect_code 65 qs note template edit --title x nosuch && grep_q "no template named \"nosuch\"" err
'

test_expect 'R-NOTE-8: a template is rendered per order; a placeholder without a value fails that order' '
    expect_code 0 qs note send --template paid --order 1001 &&
    delivered 1001 body >body.json &&
    grep_q "^\"山田 太郎 様 20[0-9-]* [0-9][0-9]:[0-9][0-9] のご注文（3000円、LEDライト）の入金を確認しました\"\$" body.json &&
    expect_code 1 qs note send --template shipped --order 1006 &&
    grep_q "^1006,failed,,,#Carriers# has no value here: the order has no carrier yet (R-NOTE-8)\$" out
'

# ---- rules (R-NOTE-9) -------------------------------------------------------------------

SINCE="--since 2020-01-01"

test_expect 'R-NOTE-9: each kind'"'"'s bounds: unpaid > 30 minutes, delayed 1-100 days; event kinds take no N' '
    expect_code 64 qs note rule add --kind unpaid --after 30 --title t --body b u30 &&
    grep_q "fires 31 to 10080 minutes after the order (more than 30 minutes), not 30 (R-NOTE-9)" err &&
    expect_code 64 qs note rule add --kind delayed --after 0 --title t --body b d0 &&
    expect_code 64 qs note rule add --kind delayed --after 101 --title t --body b d101 &&
    grep_q "1 to 100 days after payment" err &&
    expect_code 64 qs note rule add --kind shipped --after 2 --title t --body b s2 &&
    expect_code 64 qs note rule add --kind bogus --title t --body b b &&
    expect_code 64 qs note rule add --kind paid --min-amount 500 --max-amount 100 --title t --body b m &&
    expect_code 0 qs note rule list && test "$(wc -l <out)" = 1
'

test_expect 'R-NOTE-5: with a file: delivery an unpaid rule is refused' '
    qs -q init --shop demo --deliver note=file:handoff >/dev/null &&
    expect_code 65 qs note rule add --kind unpaid --after 31 --title 未入金 --body お支払いを u &&
    grep_q "an unpaid rule needs a hook: note delivery.*(R-NOTE-5)" err &&
    note_shop && expect_code 0 qs note rule list && test "$(wc -l <out)" = 1
'

test_expect 'R-NOTE-11: with a file: delivery a rule whose template has placeholders is refused' '
    qs -q init --shop demo --deliver note=file:handoff >/dev/null &&
    expect_code 65 qs note rule add --kind paid --template paid p &&
    grep_q "varies per order.*(R-NOTE-11)" err &&
    note_shop && expect_code 0 qs note rule list && test "$(wc -l <out)" = 1
'

test_expect 'R-NOTE-9: the tracking kinds need a tracking hook' '
    expect_code 65 qs note rule add --kind arrived --title 到着 --body 受け取りを a &&
    grep_q "needs carrier events from a tracking hook.*(R-NOTE-9)" err
'

test_expect 'R-NOTE-9: paid (with an amount range), unpaid after N minutes (hook: delivery), delayed after N days; rows show the delivery (issue 8 item 22)' '
    expect_code 0 qs note rule add --kind paid --min-amount 1000 --template paid $SINCE r-paid &&
    expect_code 0 qs note rule add --kind unpaid --after 31 --title お支払いのお願い --body "ご注文 #order id# のお支払いをお待ちしています" $SINCE r-unpaid &&
    expect_code 0 qs note rule add --kind delayed --after 3 --title 発送遅延 --body 申し訳ありません $SINCE r-delayed &&
    expect_code 0 qs note run &&
    test "$(at 1001 r-paid)" = sent && test "$(at 1002 r-paid)" = "" &&
    test "$(at 1006 r-paid)" = sent && test "$(at 1005 r-paid)" = sent &&
    test "$(at 1003 r-unpaid)" = sent && test "$(at 1004 r-unpaid)" = "" &&
    test "$(at 1005 r-delayed)" = sent && test "$(at 1006 r-delayed)" = "" &&
    test "$(effects 1003)" = 1 &&
    test "$(delivered 1003 body)" = "\"ご注文 1003 のお支払いをお待ちしています\"" &&
    test "$(delivered 1003 rule)" = "\"r-unpaid\""
'

test_expect 'R-NOTE-9: each rule fires at most once per order' '
    sql "SELECT count(*) FROM note_fire" >fires.before &&
    expect_code 0 qs note run &&
    ! grep -qE ",(queued|sent)," out &&
    sql "SELECT count(*) FROM note_fire" >fires.after && test_cmp fires.before fires.after &&
    test "$(effects 1003)" = 1 && test "$(effects 1005)" = 2
'

test_expect 'R-NOTE-9: shipped fires only once a tracking number is known; delivered on status 5; stalled after 15 days' '
    expect_code 0 qs note rule add --kind shipped --template shipped $SINCE r-shipped &&
    expect_code 0 qs note rule add --kind delivered --title 到着 --body ありがとうございました $SINCE r-delivered &&
    expect_code 0 qs note rule add --kind stalled --title 配送状況 --body 確認中です $SINCE r-stalled &&
    expect_code 0 qs note run &&
    test "$(at 1007 r-shipped)" = "" && test "$(at 1009 r-shipped)" = sent &&
    test "$(at 1008 r-delivered)" = sent && test "$(at 1008 r-shipped)" = sent &&
    test "$(at 1009 r-stalled)" = sent && test "$(at 1010 r-stalled)" = "" &&
    sb advance "{\"orders\": [1006], \"to\": 4}" >/dev/null && qs -q sync orders >/dev/null &&
    expect_code 0 qs note run &&
    test "$(at 1006 r-shipped)" = sent &&
    delivered 1006 body >body.json && grep_q "追跡番号: SBX[0-9]" body.json
'

cat >track.py <<'EOF'
import json, sys
events = {"1011": "arrived", "1012": "delivery-failed"}
for line in sys.stdin:
    r = json.loads(line)
    ev = events.get(r["order_no"])
    if ev:
        print(json.dumps({"order_no": r["order_no"], "event": ev}), flush=True)
print("not an event", flush=True)
EOF

test_expect 'R-NOTE-9: arrived, delivery-failed and no-tracking (7 days) from a tracking hook'"'"'s carrier events' '
    qs -q init --shop demo --set "note.tracking_hook=$PY track.py" >/dev/null &&
    expect_code 0 qs note rule add --kind arrived --title 到着 --body 受け取りをお願いします $SINCE r-arrived &&
    expect_code 0 qs note rule add --kind delivery-failed --title 不在 --body 再配達を $SINCE r-failed &&
    expect_code 0 qs note rule add --kind no-tracking --title 追跡 --body 確認中 $SINCE r-notrack &&
    expect_code 0 qs note run &&
    grep_q "tracking hook: line [0-9]* is not an event; ignored" err &&
    test "$(at 1011 r-arrived)" = sent && test "$(at 1012 r-arrived)" = "" &&
    test "$(at 1012 r-failed)" = sent &&
    test "$(at 1013 r-notrack)" = sent && test "$(at 1001 r-notrack)" = "" &&
    test "$(at 1011 r-notrack)" = ""
'

test_expect 'issue 8 item 8: the tracking hook gets the clean hook environment: no QS_QAPI_* secrets, QS_SHOP and QS_HOOK_* passed' '
    qs -q init --shop demo --set "note.tracking_hook=env >hook.env; cat >/dev/null" >/dev/null &&
    QS_QAPI_KEY=sekrit-key-123 QS_QAPI_PASSWORD=sekrit-pw-123 QS_HOOK_MARK=m1 expect_code 0 qs note run &&
    grep_q "^QS_SHOP=demo\$" hook.env && grep_q "^QS_HOOK_MARK=m1\$" hook.env && grep_q "^PATH=" hook.env &&
    ! grep -q "sekrit\|QS_QAPI" hook.env &&
    qs -q init --shop demo --set "note.tracking_hook=$PY track.py" >/dev/null
'

test_expect 'R-NOTE-9: countries filter the orders (all of this shop'"'"'s go to JP)' '
    expect_code 0 qs note rule add --kind delivered --country kr --title x --body y $SINCE r-kr &&
    expect_code 0 qs note rule add --kind delivered --country KR,JP --title x --body z $SINCE r-jp &&
    expect_code 0 qs note run &&
    test "$(at 1008 r-kr)" = "" && test "$(at 1008 r-jp)" = sent &&
    expect_code 0 qs note rule list && grep_q "^r-kr,delivered,.*,KR,3,yes," out
'

test_expect 'issue 8 item 22: a note run row shows the delivery result, not queued: a refusing hook gives retry and exit 75' '
    sb faults "{\"error_rate\": 1.0, \"phase\": \"before\", \"methods\": [\"hook:note\"], \"seed\": 1}" >/dev/null &&
    expect_code 0 qs note rule add --kind delivered --country JP --title 到着 --body 再送テスト $SINCE r-retry &&
    expect_code 75 qs note run &&
    test "$(at 1008 r-retry)" = retry && ! grep -q ",queued," out &&
    sb faults "{}" >/dev/null &&
    expect_code 0 qs note run --retry-failed &&
    test "$(delivered 1008 body | grep -c 再送テスト)" = 1
'

# ---- the daily cap ------------------------------------------------------------------------

sb seed "{\"orders\": [
  {\"OrderNo\": 2001, \"Buyer\": \"購入者 2001\", \"ItemTitle\": \"商品\", \"status\": 2, \"OrderPrice\": 7777, \"PaymentDate\": \"$(jst '-5 hours')\", \"OrderDate\": \"$(jst '-6 hours')\"},
  {\"OrderNo\": 2002, \"Buyer\": \"購入者 2002\", \"ItemTitle\": \"商品\", \"status\": 2, \"OrderPrice\": 7777, \"PaymentDate\": \"$(jst '-4 hours')\", \"OrderDate\": \"$(jst '-6 hours')\"},
  {\"OrderNo\": 2003, \"Buyer\": \"購入者 2003\", \"ItemTitle\": \"商品\", \"status\": 2, \"OrderPrice\": 7777, \"PaymentDate\": \"$(jst '-3 hours')\", \"OrderDate\": \"$(jst '-6 hours')\"},
  {\"OrderNo\": 2004, \"Buyer\": \"購入者 2004\", \"ItemTitle\": \"商品\", \"status\": 2, \"OrderPrice\": 7777, \"PaymentDate\": \"$(jst '-2 hours')\", \"OrderDate\": \"$(jst '-6 hours')\"},
  {\"OrderNo\": 2005, \"Buyer\": \"購入者 2005\", \"ItemTitle\": \"商品\", \"status\": 2, \"OrderPrice\": 7777, \"PaymentDate\": \"$(jst '-1 hours')\", \"OrderDate\": \"$(jst '-6 hours')\"}
]}" >/dev/null
qs -q sync orders >/dev/null
D1=$(TZ=Asia/Tokyo date -d "+1 day" +%F)
D2=$(TZ=Asia/Tokyo date -d "+2 days" +%F)
D6=$(TZ=Asia/Tokyo date -d "+6 days" +%F)

test_expect 'R-NOTE-9: the daily cap holds further sends, first in first out, for the next day' '
    qs note rule list | awk -F, "NR > 1 { print \$1 }" | while read -r r; do qs -q note rule disable "$r"; done &&
    expect_code 0 qs note rule list && ! grep -q ",yes," out &&
    expect_code 0 qs note rule add --kind paid --min-amount 7777 --max-amount 7777 --title 入金 --body 確認 $SINCE r-cap &&
    expect_code 0 qs note run --cap 2 --now "$D1 10:00" &&
    test "$(at 2001 r-cap)" = sent && test "$(at 2002 r-cap)" = sent &&
    test "$(at 2003 r-cap)" = held && test "$(at 2004 r-cap)" = held && test "$(at 2005 r-cap)" = held &&
    grep_q "^r-cap,2003,held,the daily cap of 2 is reached; held for the next day\$" out &&
    expect_code 0 qs note run --cap 2 --now "$D1 18:00" &&
    ! grep -qE ",(queued|sent)," out && test "$(grep -c ",held," out)" = 3 &&
    expect_code 0 qs note run --cap 2 --now "$D2 09:00" &&
    test "$(at 2003 r-cap)" = sent && test "$(at 2004 r-cap)" = sent && test "$(at 2005 r-cap)" = held &&
    test "$(effects 2005)" = 0 && test "$(effects 2003)" = 1
'

test_expect 'R-NOTE-9: a held send older than the rule'"'"'s max age is dropped' '
    expect_code 0 qs note run --cap 2 --now "$D6 09:00" &&
    grep_q "^r-cap,2005,dropped,held by the daily cap longer than the rule'"'"'s max age of 3 days\$" out &&
    test "$(effects 2005)" = 0 &&
    test "$(sql "SELECT state FROM note_fire WHERE rule = '"'"'r-cap'"'"' AND order_no = '"'"'2005'"'"'")" = dropped
'

test_expect 'R-NOTE-9: a disabled rule fires no more' '
    expect_code 0 qs note rule disable r-cap &&
    sb seed "{\"orders\": [{\"OrderNo\": 2006, \"Buyer\": \"購入者 2006\", \"ItemTitle\": \"商品\", \"status\": 2, \"OrderPrice\": 7777}]}" >/dev/null &&
    qs -q sync orders >/dev/null &&
    expect_code 0 qs note run && ! grep -q "^r-cap,2006" out &&
    expect_code 0 qs note rule enable r-cap && expect_code 0 qs note run &&
    test "$(at 2006 r-cap)" = sent &&
    expect_code 65 qs note rule enable nosuch
'

# ---- two runs at once ---------------------------------------------------------------------

test_expect 'R-NOTE-9: two runs at once through 20% hook failures, then re-runs: every order noted exactly once' '
    qs -q note rule disable r-cap &&
    sb seed "$("$PY" -c "import json; print(json.dumps({\"orders\": [{\"status\": 2, \"Buyer\": \"一斉\", \"ItemTitle\": \"商品\", \"OrderPrice\": 4321}] * 300}))")" >/dev/null &&
    qs -q sync orders >/dev/null &&
    n=$(sql "SELECT count(*) FROM order_line WHERE total = 4321") && test "$n" = 300 &&
    expect_code 0 qs note rule add --kind paid --min-amount 4321 --max-amount 4321 --title 一斉 --body 本文 $SINCE r-bulk &&
    sb counters "{\"reset\": true}" >/dev/null &&
    sb faults "{\"error_rate\": 0.2, \"phase\": \"mixed\", \"after_ratio\": 0.5, \"methods\": [\"hook:note\"], \"seed\": 4}" >/dev/null &&
    { qs note run >r1.out 2>r1.err & p1=$!; } && { qs note run >r2.out 2>r2.err & p2=$!; } &&
    { wait $p1; wait $p2; true; } &&
    test "$(cat r1.out r2.out | grep -cE "^r-bulk,[^,]*,(sent|retry|failed|queued),")" = "$n" &&
    sb faults "{}" >/dev/null &&
    for i in 1 2 3 4 5; do rc=0; qs note run --retry-failed >out 2>err || rc=$?; [ $rc = 0 ] && break; done &&
    test $rc = 0 &&
    noted_once "$n" &&
    test "$(sql "SELECT count(*) FROM note_fire WHERE rule = '"'"'r-bulk'"'"' AND state = '"'"'queued'"'"'")" = "$n"
'

test_done

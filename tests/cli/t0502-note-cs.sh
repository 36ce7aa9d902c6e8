#!/usr/bin/env bash
# t0502: customer service against the sandbox marketplace: buyer inquiries pulled and
# answered exactly once (R-NOTE-12), delay notices as the order confirmation
# (R-NOTE-13), the blacklist that flags new orders and customer statistics (R-NOTE-10).
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"
. "$QS_SRC/tests/cli/note-lib.sh"

sb_start
note_shop

# by_key FAMILY KEY: calls of that line that reached the marketplace.
by_key() {
    sb counters | "$PY" -c 'import json, sys
print(json.load(sys.stdin)["by_key"].get(sys.argv[1], {}).get(sys.argv[2], {}).get("calls", 0))' "$1" "$2"
}
# sb_order ORDER FIELD: a field of the sandbox's own order line (internal form).
sb_order() {
    sb get '/_control/state?sections=orders' | "$PY" -c 'import json, sys
o = json.load(sys.stdin)["orders"]
o = o if isinstance(o, list) else list(o.values())
print([x for x in o if str(x["OrderNo"]) == sys.argv[1]][0].get(sys.argv[2], ""))' "$1" "$2"
}

sb seed "{\"orders\": [
  {\"OrderNo\": 5001, \"status\": 4, \"Buyer\": \"山田 太郎\", \"BuyerEmail\": \"Taro@Example.jp\", \"OrderPrice\": 1000, \"ItemTitle\": \"マグカップ\",
   \"OrderDate\": \"$(jst '-3 days')\", \"DeliveryCompany\": \"ヤマト宅急便\", \"TrackingNo\": \"123412341234\"},
  {\"OrderNo\": 5002, \"status\": 2, \"Buyer\": \"山田 太郎\", \"BuyerEmail\": \"taro@example.jp\", \"OrderPrice\": 2000, \"OrderDate\": \"$(jst '-2 days')\"},
  {\"OrderNo\": 5003, \"status\": 2, \"Buyer\": \"佐藤 花子\", \"BuyerMobile\": \"+81-90-1111-2222\", \"OrderPrice\": 500, \"OrderDate\": \"$(jst '-1 days')\"},
  {\"OrderNo\": 5004, \"status\": 2, \"Buyer\": \"鈴木 一郎\", \"BuyerEmail\": \"ichiro@example.jp\", \"OrderPrice\": 700},
  {\"OrderNo\": 5005, \"status\": 2, \"Buyer\": \"鈴木 一郎\", \"BuyerEmail\": \"ichiro@example.jp\", \"OrderPrice\": 300}
 ],
 \"inquiries\": [
  {\"INQ_TYPE\": \"MSG\", \"TITLE\": \"配送について\", \"CONTENTS\": \"いつ届きますか\", \"CUST_NM\": \"山田 太郎\", \"CONTR_NO\": \"5001\", \"STATUS\": \"S1\", \"INQ_DT\": \"$(jst '-1 days')\"},
  {\"INQ_TYPE\": \"ITEM\", \"TITLE\": \"サイズ\", \"CONTENTS\": \"Lはありますか\", \"CUST_NM\": \"佐藤 花子\", \"STATUS\": \"S1\", \"INQ_DT\": \"$(jst '-2 days')\"},
  {\"INQ_TYPE\": \"HELP\", \"TITLE\": \"返品\", \"CONTENTS\": \"返品したい\", \"CUST_NM\": \"鈴木 一郎\", \"STATUS\": \"S2\", \"INQ_DT\": \"$(jst '-3 days')\"},
  {\"INQ_TYPE\": \"MSG\", \"TITLE\": \"お礼\", \"CONTENTS\": \"届きました\", \"CUST_NM\": \"高橋 次郎\", \"STATUS\": \"S3\", \"INQ_DT\": \"$(jst '-4 days')\"},
  {\"INQ_TYPE\": \"MSG\", \"TITLE\": \"昔の\", \"CONTENTS\": \"古い問い合わせ\", \"CUST_NM\": \"伊藤\", \"STATUS\": \"S1\", \"INQ_DT\": \"$(jst '-100 days')\"}
 ]}" >seed.json
qs -q sync orders >/dev/null
Q=$("$PY" -c 'import json; print(" ".join(map(str, json.load(open("seed.json"))["question_nos"])))' )
set -- $Q
Q1=$1 Q2=$2 Q3=$3 Q4=$4 Q5=$5

# ---- inquiries (R-NOTE-12) --------------------------------------------------------------

test_expect 'R-NOTE-12: qs note inbox pulls inquiries (unanswered, in progress, done) into the store' '
    expect_code 0 qs note inbox &&
    test "$(($(wc -l <out) - 1))" = 4 &&
    grep_q "^$Q1,[0-9]*,MSG,unanswered,.*,山田 太郎,.*,配送について,いつ届きますか,.*,5001," out &&
    grep_q "^$Q3,[0-9]*,HELP,in-progress," out && grep_q "^$Q4,[0-9]*,MSG,done," out &&
    grep_q "4 inquiries pulled" err &&
    expect_code 0 qs note inbox --no-pull --status unanswered &&
    test "$(($(wc -l <out) - 1))" = 2 &&
    expect_code 64 qs note inbox --status open
'

test_expect 'R-NOTE-12: --since reaches further back, in windows of at most 90 days' '
    before=$(calls CSCenter.GetInquiryMessage) &&
    expect_code 0 qs note inbox --since "$(jst_day -120)" &&
    test "$(($(calls CSCenter.GetInquiryMessage) - before))" = 2 &&
    grep_q "^$Q5,.*,古い問い合わせ," out
'

test_expect 'R-NOTE-12: a reply is sent once; asking again answers "already answered"' '
    expect_code 0 qs note reply --body "お問い合わせありがとうございます。明日発送します。" $Q1 &&
    grep_q "^$Q1,ok,demo:Q$Q1:[0-9]*,[0-9]*,replied\$" out &&
    grep_q "^qs note reply: sent 1, already done 0, failed 0, unknown 0\$" err &&
    test "$(by_key SetInquiryMessage $Q1)" = 1 &&
    expect_code 0 qs note reply --body "別の文面" $Q1 &&
    grep_q "^$Q1,ok,.*,already answered" out &&
    test "$(by_key SetInquiryMessage $Q1)" = 1 &&
    expect_code 0 qs note inbox --no-pull && grep_q "^$Q1,[0-9]*,MSG,done," out
'

test_expect 'R-NOTE-12: replying again to an answered inquiry counts as already done, not as sent' '
    expect_code 0 qs note reply --body "三度目の文面" $Q1 &&
    grep_q "^$Q1,ok,.*,already answered" out &&
    grep_q "^qs note reply: sent 0, already done 1, failed 0, unknown 0\$" err &&
    test "$(by_key SetInquiryMessage $Q1)" = 1
'

test_expect 'R-NOTE-12: replies in a batch from records, with templates filled from the inquiry and its order' '
    expect_code 0 qs note template add --title 返信 --body "#buyer# 様、ご注文 #order id# は #Carriers# #Tracking number# で発送済みです" shipped-reply &&
    printf "question_no\n%s\n" $Q2 >one.csv &&
    expect_code 1 qs note reply --template shipped-reply <one.csv &&
    grep_q "^$Q2,failed,,,.*has no value here" out &&
    printf "question_no,body\n%s,サイズLは在庫があります\n" $Q2 >batch.csv &&
    expect_code 0 qs note reply <batch.csv && grep_q "^$Q2,ok," out &&
    sb get "/_control/state?sections=inquiries" >inq.json && grep_q "サイズLは在庫があります" inq.json &&
    sb faults "{}" >/dev/null
'

test_expect 'R-NOTE-12: at most 4000 characters; no personal data; unknown inquiries fail' '
    long=$("$PY" -c "print(\"返\" * 4001)") &&
    expect_code 1 qs note reply --body "$long" $Q3 &&
    grep_q "the reply has 4001 characters; at most 4000 are allowed (R-NOTE-12)" out &&
    expect_code 1 qs note reply --body "メールは shop@example.jp へ" $Q3 &&
    grep_q "(R-NOTE-4)" out &&
    expect_code 1 qs note reply --body "はい" 999999 &&
    grep_q "^999999,failed,,,unknown inquiry 999999; run qs note inbox first (R-NOTE-12)\$" out &&
    test "$(by_key SetInquiryMessage $Q3)" = 0
'

test_expect 'R-NOTE-12, SPEC 1.6: a reply whose answer was lost is never resent on its own (exactly once)' '
    sb faults "{\"fail_next\": 1, \"phase\": \"after\", \"methods\": [\"SetInquiryMessage\"]}" >/dev/null &&
    expect_code 1 qs note reply --body "返品を承ります" $Q3 &&
    grep_q "may or may not have arrived" out &&
    test "$(by_key SetInquiryMessage $Q3)" = 1 &&
    sb faults "{}" >/dev/null &&
    expect_code 1 qs note reply --body "返品を承ります" $Q3 &&
    test "$(by_key SetInquiryMessage $Q3)" = 1
'

# ---- delay notices (R-NOTE-13) ----------------------------------------------------------

sb seed "$("$PY" -c "import json; print(json.dumps({\"orders\": [{\"OrderNo\": 6000 + i, \"status\": 2, \"Buyer\": \"遅延\"} for i in range(1, 611)]}))")" >/dev/null
sb advance '{"orders": [6009], "to": 3}' >/dev/null
qs -q sync orders >/dev/null
sb advance '{"orders": [6010], "to": 3}' >/dev/null
MEMO="受注生産のため、発送まで少しお時間をいただきます。"

test_expect 'R-NOTE-13: the ship date is after today and at most 30 days ahead (Japan); reason; memo <= 1000' '
    expect_code 64 qs note delay --ship-by "$(jst_day 0)" --reason preparing --memo "$MEMO" 6001 &&
    grep_q "is not after today in Japan.*(R-NOTE-13)" err &&
    expect_code 64 qs note delay --ship-by "$(jst_day 31)" --reason preparing --memo "$MEMO" 6001 &&
    grep_q "more than 30 days ahead" err &&
    expect_code 64 qs note delay --ship-by "$(jst_day 3)" --reason late --memo "$MEMO" 6001 &&
    grep_q "is not preparing, made-to-order, buyer-request or other (R-NOTE-13)" err &&
    expect_code 64 qs note delay --ship-by "$(jst_day 3)" --reason other 6001 &&
    expect_code 65 qs note delay --ship-by "$(jst_day 3)" --reason other --memo "$("$PY" -c "print(\"遅\" * 1001)")" 6001 &&
    grep_q "the memo has 1001 characters; at most 1000 are allowed (R-NOTE-13)" err &&
    test "$(calls ShippingBasic.SetSellerCheckYN_V2)" = 0
'

test_expect 'R-NOTE-13: a delay notice is SetSellerCheckYN_V2 with DelayType and DelayMemo, once per order' '
    expect_code 0 qs note delay --ship-by "$(jst_day 5)" --reason made-to-order --memo "$MEMO" 6001 &&
    grep_q "^6001,ok,,0,confirmed\$" out &&
    test "$(sb_order 6001 _delay_type)" = 2 && test "$(sb_order 6001 _delay_memo)" = "$MEMO" &&
    test "$(sb_order 6001 ShippingStatus)" = "Seller confirm(3)" &&
    expect_code 0 qs note delay --ship-by "$(jst_day 5)" --reason made-to-order --memo "$MEMO" 6001 &&
    grep_q "^6001,ok,,,already sent\$" out &&
    test "$(by_key SetSellerCheckYN 6001)" = 1 &&
    expect_code 1 qs note delay --ship-by "$(jst_day 6)" --reason other --memo "別の理由" 6001 &&
    grep_q "^6001,failed,,,the order is already confirmed: a delay notice is the order confirmation and works only before qs sync confirm (R-NOTE-13)\$" out
'

test_expect 'R-NOTE-13: the same delay notice again counts as already done, not as sent' '
    expect_code 0 qs note delay --ship-by "$(jst_day 5)" --reason made-to-order --memo "$MEMO" 6001 &&
    grep_q "^6001,ok,,,already sent\$" out &&
    grep_q "^qs note delay: sent 0, already done 1, failed 0, unknown 0\$" err &&
    test "$(by_key SetSellerCheckYN 6001)" = 1
'

test_expect 'R-NOTE-13: after the order confirmation it is refused: by qs (sync confirm) or with the marketplace'"'"'s reason' '
    expect_code 0 qs sync confirm 6002 &&
    expect_code 1 qs note delay --ship-by "$(jst_day 5)" --reason preparing --memo "$MEMO" 6002 6009 &&
    grep_q "^6002,failed,,,the order is already confirmed: a delay notice is the order confirmation and works only before qs sync confirm (R-NOTE-13)\$" out &&
    grep_q "^6009,failed,,,the order is already confirmed: a delay notice is the order confirmation and works only before qs sync confirm (R-NOTE-13)\$" out &&
    expect_code 1 qs note delay --ship-by "$(jst_day 5)" --reason preparing --memo "$MEMO" 6010 &&
    grep_q "^6010,failed,,-10012,The order is already confirmed\$" out &&
    test "$(sb_order 6010 _delay_memo)" = ""
'

test_expect 'R-NOTE-13: 600 orders from stdin go in bulk chunks of at most 500' '
    "$PY" -c "print(\"order_no\"); [print(6011 + i) for i in range(600)]" >delay.csv &&
    before=$(calls ShippingBasic.SetSellerCheckYNBulk) &&
    expect_code 0 qs note delay --ship-by "$(jst_day 2)" --reason buyer-request --memo "ご希望により" <delay.csv &&
    test "$(results out ok)" = 600 &&
    test "$(($(calls ShippingBasic.SetSellerCheckYNBulk) - before))" = 2 &&
    test "$(sb_order 6500 _delay_type)" = 3 &&
    sb counters | "$PY" -c "import json, sys
k = json.load(sys.stdin)[\"by_key\"][\"SetSellerCheckYN\"]
bad = [n for n, v in k.items() if v[\"calls\"] != 1]
print(len(k), bad[:5]); sys.exit(bool(bad) or len(k) < 602)"
'

# ---- blacklist and customers (R-NOTE-10) ------------------------------------------------

test_expect 'R-NOTE-10: buyers are blacklisted by lower-cased email, by name and phone, or by one of their orders' '
    expect_code 0 qs note blacklist add --email " TARO@example.JP " --reason いたずら &&
    expect_code 0 qs note blacklist add 5003 &&
    expect_code 0 qs note blacklist add 5002 && grep_q "blacklisted 0 buyers (1 already listed)" err &&
    expect_code 0 qs note blacklist list &&
    grep_q "^email:taro@example.jp,taro@example.jp,,,いたずら," out &&
    grep_q "^name:佐藤 花子|09011112222,,佐藤 花子,09011112222,," out &&
    expect_code 64 qs note blacklist add --name 佐藤 &&
    expect_code 65 qs note blacklist add 999999
'

test_expect 'R-NOTE-10: it flags, never blocks: notes still go; qs sync orders flags new orders of listed buyers' '
    expect_code 0 qs note send --order 5002 --title お知らせ --body 本文 &&
    grep_q "^5002,ok," out &&
    sb seed "{\"orders\": [
      {\"OrderNo\": 5101, \"status\": 2, \"Buyer\": \"山田 太郎\", \"BuyerEmail\": \"TARO@EXAMPLE.JP\", \"OrderPrice\": 4000},
      {\"OrderNo\": 5102, \"status\": 2, \"Buyer\": \"佐藤 花子\", \"BuyerMobile\": \"090-1111-2222\", \"OrderPrice\": 600},
      {\"OrderNo\": 5103, \"status\": 2, \"Buyer\": \"鈴木 一郎\", \"BuyerEmail\": \"ichiro@example.jp\", \"OrderPrice\": 900}]}" >/dev/null &&
    qs -q sync orders >/dev/null &&
    expect_code 0 qs note blacklist list --orders &&
    test "$(($(wc -l <out) - 1))" = 2 &&
    grep_q "^5101,email:taro@example.jp," out && grep_q "^5102,name:佐藤 花子|09011112222," out &&
    ! grep -q "^5002," out
'

test_expect 'R-NOTE-10: qs note customers: orders, paid amount, refunds, last order, blacklisted' '
    sb advance "{\"orders\": [5004], \"to\": \"cancelled\"}" >/dev/null && qs -q sync orders >/dev/null &&
    expect_code 0 qs note customers &&
    grep_q "^email:taro@example.jp,山田 太郎,3,3,7000,0,0,.*,yes,1\$" out &&
    grep_q "^email:ichiro@example.jp,鈴木 一郎,3,3,1900,1,700,.*,no,0\$" out &&
    expect_code 0 qs note customers --blacklisted &&
    test "$(($(wc -l <out) - 1))" = 2
'

test_expect 'R-NOTE-10: rm unmarks (single or batch); later orders are not flagged' '
    printf "email\ntaro@example.jp\n" | qs note blacklist rm >out 2>err &&
    grep_q "removed 1 buyer" err &&
    sb seed "{\"orders\": [{\"OrderNo\": 5104, \"status\": 2, \"Buyer\": \"山田 太郎\", \"BuyerEmail\": \"taro@example.jp\"}]}" >/dev/null &&
    qs -q sync orders >/dev/null &&
    expect_code 0 qs note blacklist list --orders && ! grep -q "^5104," out &&
    expect_code 0 qs note blacklist list && ! grep -q "^email:taro" out &&
    printf "order_no\n5003\n" | qs note blacklist rm >out 2>err && grep_q "removed 1 buyer" err
'

# seed_inquiries PREFIX N WHEN: N unanswered inquiries titled PREFIX0..., at WHEN (a JST time;
# with two %02d, the i-th at hour i % 24 and minute i % 60).
seed_inquiries() {
    "$PY" -c "import json, sys
w = sys.argv[3]
print(json.dumps({\"inquiries\": [{\"INQ_TYPE\": \"MSG\", \"TITLE\": sys.argv[1] + str(i),
    \"CONTENTS\": \"c%d\" % i, \"CUST_NM\": \"n%d\" % i, \"STATUS\": \"S1\",
    \"INQ_DT\": w % (i % 24, i % 60) if \"%\" in w else w} for i in range(int(sys.argv[2]))]}))" \
        "$@" >inquiries.json && sb seed @inquiries.json >/dev/null
}

test_expect 'R-NOTE-12: more inquiries in a window than the marketplace answers with: split until all are in' '
    seed_inquiries t 90 "$(jst_day -2) %02d:%02d:07" &&
    sb config "{\"max_rows\": 25}" >/dev/null && qs -q init --shop demo --set sync.window_cap=25 >/dev/null &&
    expect_code 0 qs note inbox --since "$(jst_day -3)" &&
    test "$(sql "SELECT count(*) FROM note_inquiry WHERE title LIKE '"'"'t%'"'"'")" = 90 &&
    test "$(sql "SELECT count(*) FROM audit WHERE kind = '"'"'CSCenter.GetInquiryMessage'"'"' AND detail LIKE '"'"'cut at 25 rows%'"'"'")" -gt 0 &&
    sb config "{\"max_rows\": 1000}" >/dev/null
'
test_expect 'R-NOTE-12: a one-second window still at the cap is kept with a warning that inquiries may be missing' '
    seed_inquiries u 30 "$(jst_day -5) 10:00:07" &&
    sb config "{\"max_rows\": 25}" >/dev/null && qs -q init --shop demo --set sync.window_cap=25 >/dev/null &&
    expect_code 0 qs note inbox --since "$(jst_day -6)" &&
    grep_q "^qs note inbox: 1 one-second window returned 25 inquiries or more and may be incomplete (R-NOTE-12); raise the setting sync.window_cap" err &&
    test "$(sql "SELECT count(*) FROM note_inquiry WHERE title LIKE '"'"'u%'"'"'")" = 25 &&
    sb config "{\"max_rows\": 1000}" >/dev/null && qs -q init --shop demo --set sync.window_cap=200 >/dev/null &&
    expect_code 0 qs note inbox --since "$(jst_day -6)" && ! grep_q "may be incomplete" err &&
    test "$(sql "SELECT count(*) FROM note_inquiry WHERE title LIKE '"'"'u%'"'"'")" = 30
'

test_done

#!/usr/bin/env bash
# t0500: qs note send against the sandbox marketplace and its bundled hook: fields and
# categories (R-NOTE-1, R-NOTE-2), limits in characters and attachments (R-NOTE-3), the
# personal-data guard on the rendered text (R-NOTE-4), paid orders only (R-NOTE-5),
# batches (R-NOTE-6: 1,200 notes through 20% injected failures, a kill -9 and two runs at
# once end with every order noted exactly once), idempotency (R-NOTE-7), and the two
# deliveries of notes (R-NOTE-11): hook: (one that crashes halfway, one that answers
# garbage) and the file: hand-off.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"
. "$QS_SRC/tests/cli/note-lib.sh"

sb_start
note_shop

# seed JSON FILE: seeds the sandbox and writes the order numbers it made to FILE (CSV).
seed() {
    sb seed "$1" | "$PY" -c 'import json, sys
print("order_no")
for n in json.load(sys.stdin)["order_nos"]: print(n)' >"$2"
}

# A=paid, B=paid, C=unpaid, D=shipped, E=paid then cancelled, F=paid with a phone number in
# the buyer's name field (the guard must catch it once rendered).
seed '{"orders": [
  {"status": 2, "Buyer": "山田 太郎", "ItemTitle": "LEDライト", "OrderPrice": 1980, "SellerItemCode": "SOLO"},
  {"status": 2, "Buyer": "佐藤 花子", "ItemTitle": "マグカップ", "OrderPrice": 800, "SellerItemCode": "SOLO"},
  {"status": 1, "Buyer": "鈴木 一郎", "ItemTitle": "マグカップ", "OrderPrice": 800},
  {"status": 4, "Buyer": "高橋 次郎", "ItemTitle": "LEDライト", "OrderPrice": 1980,
   "DeliveryCompany": "ヤマト宅急便", "TrackingNo": "912713695734"},
  {"status": 2, "Buyer": "田中 三郎", "ItemTitle": "マグカップ", "OrderPrice": 800},
  {"status": 2, "Buyer": "伊藤 090-1111-2222", "ItemTitle": "マグカップ", "OrderPrice": 800}
]}' solo.csv
A=300000001 B=300000002 C=300000003 D=300000004 E=300000005 F=300000006
sb advance "{\"orders\": [$E], \"to\": \"cancelled\"}" >/dev/null
qs -q sync orders >/dev/null

test_expect 'R-NOTE-3: a body of exactly 1000 Japanese characters is sent; 1001 are refused, nothing queued' '
    b1000=$("$PY" -c "print(\"あ\" * 1000)") && b1001=$("$PY" -c "print(\"漢\" * 1001)") &&
    expect_code 0 qs note send --order $A --title 発送のご案内 --body "$b1000" &&
    test "$(results out ok)" = 1 &&
    test "$(delivered $A body | "$PY" -c "import json,sys; print(len(json.load(sys.stdin)))")" = 1000 &&
    expect_code 65 qs note send --order $B --title 発送のご案内 --body "$b1001" &&
    grep_q "the body has 1001 characters; at most 1000 are allowed (R-NOTE-3)" err &&
    empty out && test "$(outbox_count note)" = 1
'

test_expect 'R-NOTE-3: the title is required, one line, at most 100 characters' '
    t100=$("$PY" -c "print(\"題\" * 100)") && t101=$("$PY" -c "print(\"題\" * 101)") &&
    expect_code 65 qs note send --order $B --title "$t101" --body 本文 &&
    grep_q "the title has 101 characters; at most 100" err &&
    expect_code 65 qs note send --order $B --title "$(printf "a\nb")" --body 本文 &&
    grep_q "the title must be one line (R-NOTE-3)" err &&
    expect_code 64 qs note send --order $B --body 本文 &&
    grep_q "needs --title and --body" err &&
    expect_code 0 qs note send --order $B --title "$t100" --body 本文 &&
    test "$(outbox_count note)" = 2
'

test_expect 'R-NOTE-4: an email address or a phone number in a body is refused unless --allow-personal' '
    expect_code 65 qs note send --order $B --title 連絡 --body "返信は taro@example.jp へ" &&
    grep_q "the body holds an email address (\"taro@example.jp\").*(R-NOTE-4)" err &&
    expect_code 65 qs note send --order $B --title 連絡 --body "お電話は０３－１２３４－５６７８まで" &&
    grep_q "the body holds a phone number" err &&
    expect_code 65 qs note send --order $B --title "TEL 090-1234-5678" --body 本文 &&
    grep_q "the title holds a phone number" err &&
    expect_code 65 qs note send --order $B --title 連絡 --body "〒100-0001 東京都千代田区へ返送" &&
    grep_q "an address (postcode and prefecture)" err &&
    expect_code 65 qs note send --order $B --title 連絡 --body "カード 4111 1111 1111 1111" &&
    grep_q "a card number" err &&
    test "$(outbox_count note)" = 2 &&
    expect_code 0 qs note send --order $B --allow-personal --title 連絡 --body "返信は taro@example.jp へ" &&
    test "$(delivered $B body)" = "\"返信は taro@example.jp へ\""
'

test_expect 'R-NOTE-4: the guard runs on the rendered text: a placeholder value with a phone number fails that order' '
    expect_code 1 qs note send --order $F --order $A --title "#buyer# 様" --body "ご注文 #order id# ありがとうございます" &&
    grep_q "^$F,failed,,,.*the title holds a phone number.*(R-NOTE-4)" out &&
    grep_q "^$A,ok," out &&
    test "$(effects $F)" = 0 &&
    test "$(delivered $A title)" = "\"山田 太郎 様\""
'

test_expect 'R-NOTE-2: the six categories; anything else is a usage error' '
    expect_code 0 qs note send --order $A --category seller-board --title 掲示板 --body 本文 &&
    test "$(delivered $A category)" = "\"seller-board\"" &&
    expect_code 64 qs note send --order $A --category refund --title t --body b &&
    grep_q "category \"refund\" is not shipping, cancel, return, item, seller-board or other (R-NOTE-2)" err
'

test_expect 'R-NOTE-1: order, category, title, body, attachments, the email flag (on by default), to the buyer' '
    expect_code 0 qs note send --order $B --category shipping --title お知らせ --body 本文 &&
    test "$(delivered $B email)" = true &&
    test "$(delivered $B channel)" = "\"buyer\"" &&
    test "$(delivered $B order_no)" = "\"$B\"" &&
    expect_code 0 qs note send --order $B --no-email --title お知らせ2 --body 本文 &&
    test "$(delivered $B email)" = false &&
    expect_code 0 qs note send --order $B --help-centre --title 問い合わせ --body 本文 &&
    test "$(delivered $B channel)" = "\"help-centre\"" &&
    expect_code 64 qs note send --order $A --order $B --help-centre --title 問い合わせ --body 本文 &&
    grep_q "batch notes always go to the buyer.*(R-NOTE-1)" err
'

test_expect 'SPEC 1.6, R-NOTE-1: --dry-run prints the hook requests and sends or stores nothing' '
    n=$(outbox_count note) &&
    expect_code 0 qs --dry-run note send --order $A --title 予行 --body 演習 &&
    grep_q "^{\"id\":[0-9]*,\"kind\":\"note\",\"key\":\"demo:$A:[0-9a-f]*\",\"shop\":\"demo\",\"order_no\":\"$A\",\"category\":\"other\",\"title\":\"予行\",\"body\":\"演習\",\"email\":true,\"channel\":\"buyer\"" out &&
    grep_q "dry run: nothing sent or stored" err &&
    test "$(outbox_count note)" = "$n" && test "$(delivered $A title)" != "\"予行\""
'

test_expect 'R-NOTE-3: attachments together at most 4 MB' '
    head -c 3000000 /dev/zero >big1 && head -c 1500000 /dev/zero >big2 && echo photo >small.jpg &&
    expect_code 65 qs note send --order $A --attach big1 --attach big2 --title 写真 --body 本文 &&
    grep_q "the attachments take 4500000 bytes together; at most 4194304 (4 MB) are allowed (R-NOTE-3)" err &&
    expect_code 64 qs note send --order $A --attach missing.jpg --title 写真 --body 本文 &&
    expect_code 0 qs note send --order $A --attach big1 --attach small.jpg --title 写真 --body 本文 &&
    delivered $A attachments >att.json &&
    grep_q "\"name\": \"big1\"" att.json && grep_q "\"name\": \"small.jpg\"" att.json &&
    grep_q "\"size\": 3000000" att.json
'

test_expect 'R-NOTE-5: notes go to paid orders only: unpaid, cancelled and unknown orders fail, the rest go (exit 1)' '
    printf "order_no\n%s\n%s\n%s\n999999999\n" $C $E $D >mixed.csv &&
    expect_code 1 qs note send --title 発送しました --body 本文 <mixed.csv &&
    grep_q "^$C,failed,,,the order is unpaid: notes go only to paid orders (R-NOTE-5)\$" out &&
    grep_q "^$E,failed,,,the order is cancelled (R-NOTE-5)\$" out &&
    grep_q "^999999999,failed,,,unknown order 999999999; run qs sync orders first (R-NOTE-5)\$" out &&
    grep_q "^$D,ok," out &&
    grep_q "^qs note send: sent 1, already done 0, failed 3, unknown 0\$" err &&
    test "$(effects $C)" = 0 && test "$(effects $E)" = 0
'

test_expect 'R-NOTE-7: the same batch again sends nothing; --resend sends it again under a new key' '
    calls=$(sb counters | "$PY" -c "import json,sys; print(json.load(sys.stdin)[\"hook_totals\"][\"calls\"])") &&
    expect_code 1 qs note send --title 発送しました --body 本文 <mixed.csv &&
    grep_q "^$D,ok,demo:$D:[0-9a-f]\{64\},SBX-NOTE-[0-9]*,already sent" out &&
    test "$(sb counters | "$PY" -c "import json,sys; print(json.load(sys.stdin)[\"hook_totals\"][\"calls\"])")" = "$calls" &&
    test "$(effects $D)" = 1 &&
    expect_code 0 qs note send --resend --order $D --title 発送しました --body 本文 &&
    grep_q "^$D,ok,demo:$D:[0-9a-f]\{64\}#2,SBX-NOTE-" out &&
    test "$(effects $D)" = 2
'

test_expect 'R-NOTE-7: the same note again to an order that has it counts as already done, not as sent' '
    expect_code 0 qs note send --order $D --title 再実行 --body 本文 &&
    grep_q "^qs note send: sent 1, already done 0, failed 0, unknown 0\$" err &&
    expect_code 0 qs note send --order $D --title 再実行 --body 本文 &&
    grep_q "^$D,ok,demo:$D:[0-9a-f]\{64\},SBX-NOTE-[0-9]*,already sent" out &&
    grep_q "^qs note send: sent 0, already done 1, failed 0, unknown 0\$" err
'

test_expect 'R-NOTE-6: filters --status, --item, --ship-by-before; --batch-size is 1-500' '
    expect_code 0 qs note send --status shipped --title 出荷済み --body 本文 &&
    test "$(results out ok)" = 1 && grep_q "^$D,ok," out &&
    expect_code 0 qs note send --item SOLO --title 同じ商品 --body 本文 &&
    test "$(results out ok)" = 2 &&
    expect_code 0 qs note send --status paid --ship-by-before 2000-01-01 --title 期限 --body 本文 &&
    test "$(results out ok)" = 0 &&
    expect_code 64 qs note send --batch-size 501 --order $A --title t --body b &&
    grep_q "is not 1-500 (R-NOTE-6)" err &&
    printf "sku,qty\nA-1,1\n" >noorder.csv &&
    expect_code 65 qs note send --title t --body b <noorder.csv &&
    grep_q "^qs note send: -:2: the input has no order_no column (R-NOTE-6)\$" err
'

# ---- 1,200 notes through failures, a kill -9 and two runs at once -----------------------

days_back=$(days_ago 9)
seed "{\"generate_orders\": 1200, \"seed\": 2, \"statuses\": [2], \"start\": \"$days_back\", \"days\": 5, \"sku_prefix\": \"BATCH-\"}" batch.csv
qs -q sync orders >/dev/null
sb counters '{"reset": true}' >/dev/null
SEND="$QS note send --title 発送遅延のお知らせ --body 本日発送いたします。"

test_expect 'R-NOTE-6: 1,200 notes in chunks through 20% injected failures: per-order CSV, sent N, failed M, exit 75' '
    sb faults "{\"error_rate\": 0.2, \"phase\": \"mixed\", \"after_ratio\": 0.5, \"methods\": [\"hook:note\"], \"seed\": 5}" >/dev/null &&
    expect_code 75 $SEND <batch.csv &&
    test "$(($(wc -l <out) - 1))" = 1200 &&
    ok=$(results out ok) && retry=$(results out retry) &&
    test "$((ok + retry))" = 1200 && test "$retry" -gt 100 && test "$retry" -lt 400 &&
    grep_q "^qs note send: sent $ok, already done 0, failed $retry, unknown 0, to retry $retry\$" err
'

test_expect 'R-NOTE-7: kill -9 mid-batch, then two runs at once, then re-runs: every order noted exactly once' '
    sb faults "{\"error_rate\": 0.2, \"phase\": \"mixed\", \"after_ratio\": 0.5, \"latency_ms\": [40, 80], \"methods\": [\"hook:note\"], \"seed\": 6}" >/dev/null &&
    { (exec $SEND --retry-failed <batch.csv >kill.out 2>&1) & pid=$!; } &&
    sleep 1.5 && kill -9 $pid && { wait $pid; true; } &&
    test "$(outbox_count note claimed)" -gt 0 &&
    sb faults "{\"error_rate\": 0.2, \"phase\": \"mixed\", \"after_ratio\": 0.5, \"methods\": [\"hook:note\"], \"seed\": 7}" >/dev/null &&
    { $SEND --retry-failed <batch.csv >c1.out 2>c1.err & p1=$!; } &&
    { $SEND --retry-failed <batch.csv >c2.out 2>c2.err & p2=$!; } &&
    { wait $p1; r1=$?; wait $p2; r2=$?; true; } &&
    { [ $r1 = 0 ] || [ $r1 = 75 ]; } && { [ $r2 = 0 ] || [ $r2 = 75 ]; } &&
    test "$(($(wc -l <c1.out) - 1))" = 1200 && test "$(($(wc -l <c2.out) - 1))" = 1200 &&
    sb faults "{}" >/dev/null &&
    for i in 1 2 3 4 5; do
        rc=0; $SEND --retry-failed <batch.csv >out 2>err || rc=$?
        [ $rc = 0 ] && break
    done &&
    test $rc = 0 && test "$(results out ok)" = 1200 &&
    noted_once 1200 &&
    test "$(sb counters | "$PY" -c "import json,sys; print(json.load(sys.stdin)[\"hook_totals\"][\"repeats\"])")" -gt 0 &&
    test "$(outbox_count note done)" = "$(outbox_count note)"
'

# ---- hooks that misbehave --------------------------------------------------------------

seed '{"orders": [
  {"status": 2, "SellerItemCode": "HOOK"}, {"status": 2, "SellerItemCode": "HOOK"},
  {"status": 2, "SellerItemCode": "HOOK"}, {"status": 2, "SellerItemCode": "HOOK"},
  {"status": 2, "SellerItemCode": "HOOK"}, {"status": 2, "SellerItemCode": "HOOK"},
  {"status": 2, "SellerItemCode": "HOOK"}, {"status": 2, "SellerItemCode": "HOOK"}
]}' hook.csv
qs -q sync orders >/dev/null
cat >crash.py <<'EOF'
import json, sys
n = 0
for line in sys.stdin:
    r = json.loads(line)
    if n == 3:
        sys.exit(3)  # dies halfway, three requests answered
    print(json.dumps({"id": r["id"], "ok": True, "ref": "CRASH-%d" % n}), flush=True)
    n += 1
EOF
cat >garbage.py <<'EOF'
import sys
for line in sys.stdin:
    print("<html>500 Internal Server Error</html>", flush=True)
EOF

test_expect 'SPEC 1.7, R-NOTE-11: a hook that dies halfway fails only the unanswered notes, which go later' '
    qs -q init --shop demo --deliver "note=hook:$PY crash.py" >/dev/null &&
    expect_code 75 qs note send --item HOOK --title フック --body 本文 &&
    test "$(results out ok)" = 3 && test "$(results out retry)" = 5 &&
    grep_q "^qs note send: sent 3, already done 0, failed 5, unknown 0, to retry 5\$" err &&
    qs -q init --shop demo --deliver "note=hook:$HOOK --url $(cat "$SBDIR/sandbox.url")" >/dev/null &&
    expect_code 0 qs note send --retry-failed --item HOOK --title フック --body 本文 &&
    test "$(results out ok)" = 8 && test "$(grep -c ",CRASH-" out)" = 3
'

test_expect 'SPEC 1.7, SPEC 1.3: a hook that answers only garbage fails nothing for good (exit 69): the notes wait' '
    qs -q init --shop demo --deliver "note=hook:$PY garbage.py" >/dev/null &&
    expect_code 69 qs note send --item HOOK --title ごみ --body 本文 &&
    test "$(results out retry)" = 8 &&
    grep_q "answer line 1 ignored (not a JSON object)" err &&
    grep_q "the hook answered 8 lines that were not answers" err &&
    qs -q init --shop demo --deliver "note=hook:$HOOK --url $(cat "$SBDIR/sandbox.url")" >/dev/null &&
    expect_code 0 qs note send --retry-failed --item HOOK --title ごみ --body 本文 &&
    test "$(results out ok)" = 8
'

# ---- the file: hand-off ----------------------------------------------------------------

seed '{"orders": [
  {"status": 2, "SellerItemCode": "FILE"}, {"status": 2, "SellerItemCode": "FILE"},
  {"status": 2, "SellerItemCode": "FILE"}, {"status": 2, "SellerItemCode": "FILE"},
  {"status": 2, "SellerItemCode": "FILE"}
]}' file.csv
qs -q sync orders >/dev/null

test_expect 'R-NOTE-11: with file: delivery notes become a checklist per identical note, lists of --batch-size; every row carries the note (issue 8 item 22)' '
    qs -q init --shop demo --deliver note=file:handoff >/dev/null &&
    calls=$(sb counters | "$PY" -c "import json,sys; print(json.load(sys.stdin)[\"hook_totals\"][\"calls\"])") &&
    expect_code 0 qs note send --item FILE --batch-size 2 --category shipping --title 出荷遅延 --body 明日発送します &&
    test "$(results out handed-off)" = 5 &&
    grep_q "handed off 5" err &&
    dir=$(ls -d "$TRASH"/handoff/*-note) &&
    test "$(($(wc -l <"$dir/checklist.csv") - 1))" = 5 &&
    head -n 1 "$dir/checklist.csv" | grep -q "^list,group,key,order_no,category,title,body,email\$" &&
    test "$(grep -c ",shipping,出荷遅延,明日発送します,true\$" "$dir/checklist.csv")" = 5 &&
    test "$(cut -d, -f1 "$dir/checklist.csv" | sort -u | grep -c "^[0-9]")" = 3 &&
    grep_q "明日発送します" "$dir/summary.json" &&
    test "$(sb counters | "$PY" -c "import json,sys; print(json.load(sys.stdin)[\"hook_totals\"][\"calls\"])")" = "$calls" &&
    expect_code 0 qs note send --item FILE --batch-size 2 --category shipping --title 出荷遅延 --body 明日発送します &&
    test "$(results out handed-off)" = 5 && test "$(ls -d "$TRASH"/handoff/*-note | wc -l)" = 1
'

test_expect 'R-NOTE-11: a note whose text varies per order needs a hook:, and is refused with file:' '
    expect_code 65 qs note send --item FILE --title "#buyer# 様" --body 本文 &&
    grep_q "text varies per order.*use a hook: delivery (R-NOTE-11)" err &&
    empty out
'

test_expect 'R-NOTE-11: qs note confirm marks handed-off notes sent' '
    expect_code 0 qs note confirm &&
    grep_q "5 handed-off notes confirmed as sent" err &&
    expect_code 0 qs note send --item FILE --batch-size 2 --category shipping --title 出荷遅延 --body 明日発送します &&
    test "$(results out ok)" = 5
'

test_done

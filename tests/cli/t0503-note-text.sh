#!/usr/bin/env bash
# t0503: no control character reaches the buyer: note send's title and body (R-NOTE-3),
# note reply's body (R-NOTE-12) and note delay's memo (R-NOTE-13) are refused when they
# hold one, naming the field, the code point and its place (issue 8 item 15); tabs and
# line breaks stay allowed where the text may span lines.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"
. "$QS_SRC/tests/cli/note-lib.sh"

sb_start
note_shop


sb seed "{\"orders\": [
  {\"OrderNo\": 7001, \"status\": 2, \"Buyer\": \"山田 太郎\", \"OrderPrice\": 1000, \"OrderDate\": \"$(jst '-1 days')\"},
  {\"OrderNo\": 7002, \"status\": 2, \"Buyer\": \"佐藤 花子\", \"OrderPrice\": 500, \"OrderDate\": \"$(jst '-1 days')\"}
 ],
 \"inquiries\": [
  {\"INQ_TYPE\": \"MSG\", \"TITLE\": \"配送\", \"CONTENTS\": \"いつ届きますか\", \"CUST_NM\": \"山田 太郎\", \"CONTR_NO\": \"7001\", \"STATUS\": \"S1\", \"INQ_DT\": \"$(jst '-1 days')\"}
 ]}" >seed.json
qs -q sync orders >/dev/null
qs -q note inbox >/dev/null
Q1=$("$PY" -c 'import json; print(json.load(open("seed.json"))["question_nos"][0])')

test_expect 'issue 8 item 15, R-NOTE-3: a control character in a note title or body is refused (65), nothing sent' '
    expect_code 65 qs note send --order 7001 --title "$(printf "ご案\a内")" --body 本文 &&
    grep_q "the title holds the control character U+0007 (bell) at character 3; remove it (R-NOTE-3)" err &&
    expect_code 65 qs note send --order 7001 --title "$(printf "ご\t案内")" --body 本文 &&
    grep_q "the title holds the control character U+0009 (tab) at character 2" err &&
    expect_code 65 qs note send --order 7001 --title 案内 --body "$(printf "本\033[31m文")" &&
    grep_q "the body holds the control character U+001B (escape) at character 2" err &&
    expect_code 65 qs note send --order 7001 --title 案内 --body "$(printf "本\302\205文\177")" &&
    grep_q "the body holds the control character U+0085 at character 2" err &&
    test "$(effects 7001)" = 0
'
test_expect 'issue 8 item 15, R-NOTE-3: tabs and line breaks (LF, CRLF) in a body are kept and sent' '
    expect_code 0 qs note send --order 7002 --title 案内 --body "$(printf "一行目\t表\r\n二行目\n三行目")" &&
    test "$(effects 7002)" = 1 &&
    test "$(delivered 7002 body)" = "\"一行目\\t表\\r\\n二行目\\n三行目\""
'
test_expect 'issue 8 item 15, R-NOTE-12: a reply body with a control character fails, nothing sent' '
    expect_code 1 qs note reply --body "$(printf "明日\b発送します")" $Q1 &&
    grep_q "the reply holds the control character U+0008 (backspace) at character 3; remove it" out &&
    test "$(calls CSCenter.SetInquiryMessage)" = 0
'
test_expect 'issue 8 item 15, R-NOTE-13: a delay memo with a control character is refused (65)' '
    expect_code 65 qs note delay --ship-by "$(jst_day 3)" --reason other --memo "$(printf "準備中\x1f")" 7002 &&
    grep_q "the memo holds the control character U+001F at character 4; remove it (R-NOTE-13)" err &&
    test "$(calls ShippingBasic.SetSellerCheckYN_V2)" = 0
'
test_done

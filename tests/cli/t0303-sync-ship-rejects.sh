#!/usr/bin/env bash
# t0303: qs sync ship's --rejects FILE written whole or not at all, never over the input
# (issue 8 item 7), and control characters in carrier and tracking refused (issue 8
# item 15), against the sandbox marketplace (R-SYN-1b).
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start
shop_init
sb seed "{\"generate_orders\": 20, \"seed\": 7, \"start\": \"$(days_ago 40)\", \"days\": 30, \"statuses\": [2]}" >/dev/null
qs -q sync orders --status paid >lines.csv

# paid K: the K-th paid line alone in its cart that nothing was queued for yet.
paid() {
    sql "SELECT order_no FROM order_line WHERE status = 2 AND claim = 0
         AND order_no NOT IN (SELECT key FROM outbox)
         AND pack_no NOT IN (SELECT pack_no FROM order_line GROUP BY pack_no HAVING count(*) > 1)
         ORDER BY order_no LIMIT 1 OFFSET $(($1 - 1))"
}

# sent: how many ship calls reached the sandbox.
sent() { echo $(($(calls ShippingBasic.SetSendingInfo) + $(calls ShippingBasic.SetSendingInfoBulk))); }

test_expect 'issue 8 item 7: sync ship --rejects naming the input is refused (64), the input kept' '
    printf "order_no,carrier,tracking\n%s,ヤマト宅急便,R-1\n123,ヤマト宅急便,R-2\n" "$(paid 1)" >in.csv &&
    cp in.csv keep.csv &&
    expect_code 64 qs sync ship --skip-bad --rejects in.csv in.csv &&
    grep_q "in.csv is the input file" err && cmp in.csv keep.csv &&
    expect_code 64 qs sync ship --skip-bad --rejects in.csv <in.csv && cmp in.csv keep.csv &&
    test "$(sent)" = 0
'
test_expect 'issue 8 item 7: sync ship that stops with 65 leaves an existing rejects file as it was' '
    echo "old rejects" >rej.csv &&
    printf "number,carrier\n1,x\n" >nocol.csv &&
    expect_code 65 qs sync ship --skip-bad --rejects rej.csv nocol.csv &&
    test "$(cat rej.csv)" = "old rejects"
'
test_expect 'issue 8 item 7: sync ship without rejects leaves an existing rejects file as it was' '
    printf "order_no,carrier,tracking\n%s,ヤマト宅急便,R-3\n" "$(paid 1)" >one.csv &&
    expect_code 0 qs sync ship --skip-bad --rejects rej.csv one.csv &&
    test "$(cat rej.csv)" = "old rejects" &&
    ! ls -A | grep -q "^\.rej\.csv\."
'
test_expect 'issue 8 item 7: sync ship with rejects replaces the rejects file whole' '
    printf "order_no,carrier,tracking\n%s,ヤマト宅急便,R-4\n123,ヤマト宅急便,R-5\n" "$(paid 1)" >two.csv &&
    expect_code 1 qs sync ship --skip-bad --rejects rej.csv two.csv &&
    printf "order_no,carrier,tracking,line,reason\n123,ヤマト宅急便,R-5,3,unknown order line 123; run qs sync orders first (R-SYN-1b)\n" >expect &&
    test_cmp expect rej.csv &&
    ! ls -A | grep -q "^\.rej\.csv\."
'
test_expect 'issue 8 item 15: a control character in carrier or tracking: 65 naming file:line, field, character' '
    n=$(paid 1) && m=$(paid 2) && before=$(sent) &&
    printf "order_no,carrier,tracking\n%s,ヤマト\a宅急便,C-1\n%s,ヤマト宅急便,\"C-2\r\n\"\n" "$n" "$m" >ctl.csv &&
    expect_code 65 qs sync ship ctl.csv &&
    grep_q "ctl.csv:2: $n: the carrier holds the control character U+0007 (bell) at character 4; remove it (R-SYN-1b)" err &&
    grep_q "ctl.csv:3: $m: the tracking holds the control character U+000D (carriage return) at character 4; remove it (R-SYN-1b)" err &&
    test "$(sent)" = "$before"
'
test_expect 'issue 8 item 15: with --skip-bad the line goes to the rejects file; DEL and C1 controls too' '
    n=$(paid 1) &&
    printf "order_no,carrier,tracking\n%s,ヤマト宅急便,C\177-3\n%s,ヤマト\302\205宅急便,C-4\n" "$n" "$(paid 2)" >ctl2.csv &&
    expect_code 1 qs sync ship --skip-bad --rejects rej2.csv ctl2.csv &&
    grep_q "the tracking holds the control character U+007F (delete) at character 2" rej2.csv &&
    grep_q "the carrier holds the control character U+0085 at character 4" rej2.csv
'
test_expect 'R-SYN-1b: an input with two names of one column (order_no and OrderNo, tracking and TrackingNo) is refused whole, nothing sent' '
    n=$(paid 1) && m=$(paid 2) && before=$(sent) &&
    printf "order_no,OrderNo,carrier,tracking\n%s,%s,ヤマト宅急便,D-1\n" "$n" "$m" >two.csv &&
    expect_code 65 qs sync ship two.csv &&
    grep_q "two.csv:2: the input has both the columns order_no and OrderNo, two names of one field; keep one (R-SYN-1b)" err &&
    printf "order_no,carrier,tracking,TrackingNo\n%s,ヤマト宅急便,D-1,D-2\n" "$n" >two2.csv &&
    expect_code 65 qs sync ship two2.csv && grep_q "both the columns tracking and TrackingNo" err &&
    test "$(sent)" = "$before"
'
test_expect 'R-SYN-1b: an order number holding terminal escapes is shown escaped in the error, never raw' '
    printf "order_no\n\033[2J5002\033]0;x\007\n" | expect_code 65 qs sync confirm - &&
    grep_q "unknown order line \\\\x1b\[2J5002\\\\x1b\]0;x\\\\x07; run qs sync orders first" err &&
    ! LC_ALL=C grep -q "$(printf "\033")" err
'
test_expect 'R-SYN-1b: JSON Lines whose tracking is an array or order_no an object are refused, not sent as their JSON text' '
    n=$(paid 1) && before=$(sent) &&
    printf "{\"order_no\": \"%s\", \"carrier\": \"ヤマト宅急便\", \"tracking\": [\"T1\"]}\n" "$n" >arr.jsonl &&
    expect_code 65 qs sync ship arr.jsonl &&
    grep_q "^qs sync ship: arr.jsonl:1: field \"tracking\" is a JSON array, not a text or a number (R-SYN-1b)$" err &&
    printf "{\"order_no\": {\"no\": \"%s\"}}\n" "$n" | expect_code 65 qs sync confirm - &&
    grep_q "field \"order_no\" is a JSON object" err &&
    test "$(sent)" = "$before"
'
test_expect 'R-SYN-1b: a tracking number Excel turned into 1.23457E+11, or a lookup that showed #N/A, is refused and nothing is sent' '
    n=$(paid 1) && m=$(paid 2) && k=$(paid 3) && before=$(sent) &&
    printf "order_no,carrier,tracking\n%s,ヤマト宅急便,1.23457E+11\n%s,ヤマト宅急便,#N/A\n%s,#N/A,T-9\n" "$n" "$m" "$k" >xl.csv &&
    expect_code 65 qs sync ship xl.csv &&
    grep_q "xl.csv:2: $n: tracking \"1.23457E+11\" is a number in scientific notation, as Excel shows a long code, and its digits are lost" err &&
    grep_q "xl.csv:3: $m: tracking \"#N/A\" is an Excel error value, what a formula shows when it fails" err &&
    grep_q "xl.csv:4: $k: carrier \"#N/A\" is an Excel error value" err &&
    test "$(sent)" = "$before"
'
test_done

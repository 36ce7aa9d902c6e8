#!/usr/bin/env bash
# t0303: qs sync ship's --rejects FILE written whole or not at all, never over the input
# (issue 8 item 1), against the sandbox marketplace (R-SYN-1b).
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

test_expect 'issue 8 item 1: sync ship --rejects naming the input is refused (64), the input kept' '
    printf "order_no,carrier,tracking\n%s,ヤマト宅急便,R-1\n123,ヤマト宅急便,R-2\n" "$(paid 1)" >in.csv &&
    cp in.csv keep.csv &&
    expect_code 64 qs sync ship --skip-bad --rejects in.csv in.csv &&
    grep_q "in.csv is the input file" err && cmp in.csv keep.csv &&
    expect_code 64 qs sync ship --skip-bad --rejects in.csv <in.csv && cmp in.csv keep.csv &&
    test "$(sent)" = 0
'
test_expect 'issue 8 item 1: sync ship that stops with 65 leaves an existing rejects file as it was' '
    echo "old rejects" >rej.csv &&
    printf "number,carrier\n1,x\n" >nocol.csv &&
    expect_code 65 qs sync ship --skip-bad --rejects rej.csv nocol.csv &&
    test "$(cat rej.csv)" = "old rejects"
'
test_expect 'issue 8 item 1: sync ship without rejects leaves an existing rejects file as it was' '
    printf "order_no,carrier,tracking\n%s,ヤマト宅急便,R-3\n" "$(paid 1)" >one.csv &&
    expect_code 0 qs sync ship --skip-bad --rejects rej.csv one.csv &&
    test "$(cat rej.csv)" = "old rejects" &&
    ! ls -A | grep -q "^\.rej\.csv\."
'
test_expect 'issue 8 item 1: sync ship with rejects replaces the rejects file whole' '
    printf "order_no,carrier,tracking\n%s,ヤマト宅急便,R-4\n123,ヤマト宅急便,R-5\n" "$(paid 1)" >two.csv &&
    expect_code 1 qs sync ship --skip-bad --rejects rej.csv two.csv &&
    printf "order_no,carrier,tracking,line,reason\n123,ヤマト宅急便,R-5,3,unknown order line 123; run qs sync orders first (R-SYN-1b)\n" >expect &&
    test_cmp expect rej.csv &&
    ! ls -A | grep -q "^\.rej\.csv\."
'
test_done

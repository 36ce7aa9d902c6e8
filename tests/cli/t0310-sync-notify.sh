# t0310: qs sync notify -- QSM's notification templates (seed 001): checked when saved,
# kept as revisions, rendered from the store's order lines in QSM's grammar (R-SYN-5),
# one message per event and active template, written once (R-SYN-4).
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start
shop_init
N="$FIX/notify"
SUBJ='Qoo10の注文のお知らせ。(注文番号: [$_PACK_NO_$])'

test_expect 'R-SYN-5: an unknown placeholder is refused when saved, naming it and its line' '
    printf "a\n[\$_PACK_NO_\$]\nb [\$_PAK_NO_\$]\n" >bad.txt &&
    expect_code 65 qs sync notify template add --kind order --group CrossMail \
        --subject x --body-file bad.txt &&
    grep_q "line 3: unknown placeholder \[\$_PAK_NO_\$\]" err &&
    test "$(sql "SELECT count(*) FROM notify_template")" = 0
'

test_expect 'R-SYN-5: open, stray and self-nested blocks are refused when saved' '
    expect_code 65 qs sync notify template add --kind order --group Basic --subject x \
        --body "##ISLOOP_\$_ITEM_NM_\$" && grep_q "line 1: ##ISLOOP_ is not closed" err &&
    expect_code 65 qs sync notify template add --kind order --group Basic --subject x \
        --body "x DELETE_BLANK_ROW##" && grep_q "closes no ##DELETE_BLANK_ROW_" err &&
    expect_code 65 qs sync notify template add --kind order --group Basic --subject x \
        --body "##ISLOOP_##ISLOOP_x_ISLOOP##_ISLOOP##" && grep_q "does not nest" err &&
    expect_code 65 qs sync notify template add --kind order --group Basic \
        --subject "[\$_NOPE_\$]" --body x && grep_q "subject: line 1: unknown placeholder" err &&
    test "$(sql "SELECT count(*) FROM notify_template")" = 0
'

test_expect 'R-SYN-4: the seed CrossMail template is saved as template 1 (QSM kind, group, Y/N)' '
    expect_code 0 qs sync notify template add --kind 订购提示 --group CrossMail \
        --name "[Email] CrossMail Order - Group" --subject "$SUBJ" --body-file "$N/crossmail.txt" \
        --to seller@example.jp &&
    test "$(cat out)" = 1 &&
    qs sync notify template list >list.csv &&
    grep_q "^1,1,order,订购提示,CrossMail,\[Email\] CrossMail Order - Group,EMAIL,seller@example.jp,Y,N," list.csv
'

test_expect 'R-SYN-4: every change is a revision, never deleted; use N turns it off' '
    qs sync notify template add --kind paid --group Basic --subject s --body b >/dev/null 2>&1 &&
    expect_code 0 qs sync notify template edit 2 --subject "paid [\$_ORDER_NO_\$]" &&
    expect_code 0 qs sync notify template use 2 N &&
    qs sync notify template list 2 >revs.csv &&
    test "$(($(wc -l <revs.csv) - 1))" = 3 &&
    grep_q "^2,1,paid,.*,Y,N,,s," revs.csv &&
    grep_q "^2,3,paid,.*,N,N,,paid \[\$_ORDER_NO_\$\]," revs.csv &&
    qs sync notify template show 2 --rev 1 --format json >r1.json &&
    grep_q "\"subject\":\"s\"" r1.json &&
    expect_code 65 qs sync notify template edit 2 --body "[\$_X_\$]" &&
    test "$(sql "SELECT count(*) FROM notify_template WHERE id = 2")" = 3
'

test_expect 'R-SYN-5: the seed CrossMail text for two-line carts, memos (A, none), (A, B), (none, none)' '
    day=$(TZ=Asia/Tokyo date -d "-5 days" +%F) hope=$(TZ=Asia/Tokyo date -d "+3 days" +%F) &&
    sed "s/@DAY@/$day/; s/@HOPE@/$hope/" "$N/orders.json" >orders.json &&
    sed "s/@DAY@/$day/; s/@HOPE8@/$(echo $hope | tr -d -)/" "$N/crossmail.expected" >expected &&
    sb seed "$(cat orders.json)" >/dev/null &&
    qs -q sync orders >/dev/null &&
    expect_code 0 qs sync notify run --to - &&
    test_cmp expected out &&
    grep_q "3 new events\|6 new events\|new events, 3 messages queued" err
'

test_expect 'R-SYN-4: each message once: a second run writes nothing; the turned-off template wrote none' '
    expect_code 0 qs sync notify run --to - &&
    empty out &&
    qs sync notify list >msgs.csv &&
    test "$(grep -c ",sent,1,order," msgs.csv)" = 3 &&
    test "$(grep -c ",2,paid," msgs.csv || true)" = 0
'

test_expect 'R-SYN-4: wait Y holds the message for its period and until an order sync after it' '
    qs sync notify template use 2 Y 2>/dev/null &&
    qs sync notify template edit 2 --wait Y --period 30 2>/dev/null &&
    sb seed "{\"orders\": [{\"OrderNo\": 1010, \"PackNo\": 7010, \"status\": 2}]}" >/dev/null &&
    qs -q sync orders >/dev/null &&
    expect_code 0 qs sync notify run --to - && grep_q "1 held" err &&
    ! grep -q "X-QS-Event: paid" out &&
    QS_NOW="$(date -u -d "+31 minutes" "+%Y-%m-%dT%H:%M:%SZ")" expect_code 0 qs sync notify run --to - &&
    empty out && grep_q "1 held" err
'

test_expect 'R-SYN-4: --dry-run prints the messages as requests and sends nothing' '
    qs sync notify template add --kind order --group StockGear --subject "o [\$_PACK_NO_\$]" \
        --body "[\$_BUYER_NM_\$]" >/dev/null 2>&1 &&
    sb seed "{\"orders\": [{\"OrderNo\": 1020, \"PackNo\": 7020, \"status\": 1, \"Buyer\": \"X\"}]}" >/dev/null &&
    qs -q sync orders >/dev/null &&
    expect_code 0 qs --dry-run sync notify run &&
    grep_q "\"subject\":\"o 7020\"" out &&
    test "$(sql "SELECT count(*) FROM outbox WHERE key LIKE \"T3:%\"")" = 0
'

test_done

#!/usr/bin/env bash
# t0014: where the QAPI secrets may go (R-SYN-7, issue 8 items 4 and 9): plain http:// only
# to loopback, the URL read as libcurl reads it; short secrets refused for a real endpoint;
# secrets redacted by name, never by garbling the marketplace's messages.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start
shop_init

test_expect 'R-SYN-7: QS_QAPI_URL with plain http:// to another host is refused, exit 64, nothing sent' '
    for url in http://qapi.example/x http://127.0.0.1.evil.example/x \
               http://localhost@evil.example/x http://evil.example/127.0.0.1; do
        QS_QAPI_URL=$url expect_code 64 qs sync orders || exit 1
        grep_q "QS_QAPI_URL" err && grep_q "https://" err && grep_q "R-SYN-7" err || exit 1
    done &&
    test "$(sb counters | "$PY" -c "import json,sys; print(json.load(sys.stdin)[\"totals\"][\"calls\"])")" = 0
'
test_expect 'R-SYN-7: the setting qapi.url is checked the same way and the message says how to fix it' '
    qs -q init --shop demo --set qapi.url=http://api.qoo10.jp/x >/dev/null &&
    (unset QS_QAPI_URL; expect_code 64 qs sync orders) &&
    grep_q "setting qapi.url" err && grep_q "api.qoo10.jp" err &&
    grep_q -- "--set qapi.url=https://" err
'
test_expect 'R-SYN-7: loopback over plain http:// stays allowed (the sandbox)' '
    expect_code 0 qs sync orders
'
test_expect 'issue 8 item 9: a secret shorter than 8 characters is refused for a real endpoint, exit 64, never shown' '
    printf "Kz7q\n" | qs -q init --shop demo --secret qapi.key >/dev/null &&
    QS_QAPI_URL=https://qapi.invalid/x expect_code 64 qs sync orders &&
    grep_q "secret qapi.key is shorter than 8 characters" err && ! grep -q Kz7q err out &&
    QS_QAPI_URL=https://qapi.invalid/x QS_QAPI_KEY=$SB_KEY QS_QAPI_PASSWORD=Pw9x \
        expect_code 64 qs sync orders &&
    grep_q "QS_QAPI_PASSWORD is shorter than 8 characters" err && ! grep -q Pw9x err out
'
# A store of its own: the other one caches the default seller's authorization key.
test_expect 'issue 8 item 9: short secrets work against loopback; the dry run, the log and the audit hold none' '
    export QS_STORE="$TRASH/short.db" &&
    sb seller "{\"api_key\": \"Kz7q\", \"user_id\": \"u7\", \"password\": \"Pw9x\"}" >/dev/null &&
    sb seed "{\"generate_orders\": 2, \"statuses\": [2], \"seller\": \"u7\", \"seed\": 3}" >/dev/null &&
    printf "Kz7q\nu7\nPw9x\n" | qs -q init --shop demo --secret qapi.key --secret qapi.user \
        --secret qapi.password >/dev/null &&
    expect_code 0 qs sync orders && cp err orders.err &&
    sql "SELECT order_no FROM order_line" | awk "BEGIN { print \"order_no,carrier,tracking\" }
        { print \$1 \",ヤマト宅急便,T\" \$1 }" >ship.csv &&
    test "$(wc -l <ship.csv)" = 3 &&
    expect_code 0 qs --dry-run sync ship ship.csv && grep_q SetSendingInfo out && cp out dry.out &&
    expect_code 0 qs sync log && cp out log.out &&
    printf "Kz7q\nPw9x\n" >short.txt && ! grep -F -f short.txt dry.out log.out orders.err &&
    no_secrets dry.out log.out orders.err
'
test_done

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
test_done

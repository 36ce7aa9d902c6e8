#!/usr/bin/env bash
# t0015: the QAPI client sends a write at most once per call (R-SYN-7, SPEC 1.6): an
# answer lost after the marketplace acted -- HTTP 500, or a kept connection closed
# without an answer, where libcurl would silently send the request again -- is not
# sent again within the call; the doubt goes to the caller, who reads before resending.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"
. "$QS_SRC/tests/cli/publish-lib.sh"

sb_start
LATER=$(date -u -d '+2 days' '+%Y-%m-%dT%H:%M:%SZ')

# fresh N: a reset sandbox and a new store with N products due for publishing.
fresh() {
    sb reset >/dev/null && rm -f "$QS_STORE" "$QS_STORE"-* &&
        shop_init --set publish.inflight_s=1 --set qapi.retries=5 && gen_catalog "$1" &&
        qs -q import products --group g catalog.csv >/dev/null && pub_profile &&
        qs -q --tz UTC publish every 1 --from "$(date -u -d '+1 hour' '+%Y-%m-%d %H:%M')" --group g >/dev/null
}

# calls METHOD: requests for METHOD the sandbox received.
calls() {
    sb counters | "$PY" -c 'import json, sys
print(json.load(sys.stdin)["methods"].get(sys.argv[1], {}).get("calls", 0))' "$1"
}

# attempts METHOD KEY: the client's audited attempts of METHOD for KEY.
attempts() { sql "SELECT count(*) FROM audit WHERE kind = '$1' AND key = '$2'"; }

# ship_one: a reset sandbox and a new store holding one paid line; ship.csv ships it.
ship_one() {
    sb reset >/dev/null && rm -f "$QS_STORE" "$QS_STORE"-* && shop_init --set qapi.retries=5 &&
        sb seed "{\"generate_orders\": 1, \"seed\": 5, \"start\": \"$(days_ago 5)\", \"days\": 2, \"statuses\": [2]}" >/dev/null &&
        qs -q sync orders >/dev/null &&
        n=$(sql "SELECT order_no FROM order_line") &&
        printf "order_no,carrier,tracking\n%s,ヤマト宅急便,W%s\n" "$n" "$n" >ship.csv
}

test_expect 'R-SYN-7: a write answered HTTP 500 after the marketplace acted is not sent again by the client' '
    ship_one &&
    sb faults "{\"fail_next\": 1, \"phase\": \"after\", \"methods\": [\"SetSendingInfo\"]}" >/dev/null &&
    { qs sync ship ship.csv >out 2>err || :; } &&
    test "$(calls ShippingBasic.SetSendingInfo)" = 1 &&
    test "$(attempts ShippingBasic.SetSendingInfo "$n")" = 1 &&
    sb faults "{}" >/dev/null &&
    expect_code 0 qs sync ship --retry-failed ship.csv &&
    grep_q "^$n,ok,.*sent before" out &&
    test "$(calls ShippingBasic.SetSendingInfo)" = 1
'

test_expect 'R-SYN-7: a write whose kept connection closes without an answer is not sent again by the client or libcurl' '
    ship_one &&
    sb faults "{\"drop_next\": 1, \"phase\": \"after\", \"methods\": [\"SetSendingInfo\"]}" >/dev/null &&
    { qs sync ship ship.csv >out 2>err || :; } &&
    test "$(calls ShippingBasic.SetSendingInfo)" = 1 &&
    sb faults "{}" >/dev/null &&
    expect_code 0 qs sync ship --retry-failed ship.csv &&
    grep_q "^$n,ok,.*sent before" out &&
    test "$(calls ShippingBasic.SetSendingInfo)" = 1
'

test_expect 'R-SYN-7: a new item whose kept connection closes without an answer is not created twice (no libcurl resend)' '
    fresh 2 &&
    sb faults "{\"drop_next\": 1, \"phase\": \"after\", \"methods\": [\"SetNewGoods\"]}" >/dev/null &&
    { qs publish run --due-by "$LATER" >out 2>err || :; } &&
    test "$(calls ItemsBasic.SetNewGoods)" = 2 &&
    test "$(attempts ItemsBasic.SetNewGoods P001)" = 1 &&
    test "$(nitems)" = 2 &&
    sb faults "{}" >/dev/null &&
    { qs publish run --due-by "$LATER" --retry-failed >out 2>err || :; } &&
    test "$(states)" = "online=2 " && test "$(calls ItemsBasic.SetNewGoods)" = 2
'

test_expect 'R-SYN-7: a read answered HTTP 500 before the marketplace acted is still retried inside the client' '
    sb reset >/dev/null &&
    sb faults "{\"fail_next\": 2, \"methods\": [\"GetShippingInfo_v3\"]}" >/dev/null &&
    expect_code 0 qs sync orders &&
    test "$(sql "SELECT count(*) FROM audit WHERE kind = '"'"'ShippingBasic.GetShippingInfo_v3'"'"' AND result = '"'"'retry'"'"'")" = 2
'

test_done

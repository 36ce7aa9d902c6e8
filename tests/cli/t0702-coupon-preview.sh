#!/usr/bin/env bash
# qs coupon preview (R-CPN-10): the push mail as one standalone HTML page, rendered in
# headless Chromium by tests/tools/htmlcheck.py: a screenshot that is not blank, the DOM
# holding the coupon's terms, the send time and one card per item, and no request to the
# network at all. Registered only where chromium is installed (tests/meson.build).
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start
shop_init
export QS_NOW=2026-12-03T01:00:00Z
check() { /usr/bin/python3 "$QS_SRC/tests/tools/htmlcheck.py" "$@"; }

sb seed '{"items": [
  {"ItemCode": "1100000301", "ItemTitle": "緑茶 100包 <お徳用>", "ItemPrice": 1280, "ItemQty": 40, "SellerCode": "TEA-1", "StandardImage": "https://gd.image-qoo10.jp/li/301/tea.jpg"},
  {"ItemCode": "1100000302", "ItemTitle": "タンブラー", "ItemPrice": 1980, "ItemQty": 5, "SellerCode": "TMB-1", "StandardImage": "https://gd.image-qoo10.jp/li/302/tumbler.jpg"}]}' >/dev/null
qs -q --shop demo sync products >/dev/null
qs -q --shop demo coupon add --code C1 --name 冬のクーポン --discount 500 --min-order 3000 \
    --from 2026-11-01 --to 2027-01-31 --qsm-no 7001 >/dev/null
"$PY" "$QS_SRC/tests/tools/banner.py" png 1860 240 banner.jpg

test_expect 'R-CPN-10: the preview renders offline in a browser: terms, send time, banner, one card per item' '
    printf "order_no\n999999901\n" | qs -q --shop demo coupon push comp --coupon C1 --at "2026-12-04 10:00" \
        --items 1100000302,1100000301 --banner banner.jpg --link item:1100000301 >/dev/null &&
    n=$(sql "SELECT id FROM coupon_push") &&
    expect_code 0 qs --shop demo coupon preview "$n" &&
    page=$(cat out) && test "$page" = "$TRASH/preview/demo/push-$n.html" &&
    expect_code 0 check "$page" --expect-selector "#subject=1" --expect-selector "#coupon=1" \
        --expect-selector "#send-at=1" --expect-selector "#banner=1" --expect-selector ".item=2" \
        --expect-selector "div.item[data-code=1100000302]=1" \
        --expect-text "[Qoo10] ショップクーポンが発行されました！" --expect-text "500円OFF" \
        --expect-text "3,000円以上のご購入で利用可能" --expect-text "2026/12/04 10:00" \
        --expect-text "緑茶 100包 <お徳用>" --expect-text "https://gd.image-qoo10.jp/li/302/tumbler.jpg" \
        --screenshot shot.png &&
    grep_q "data:image/png;base64," "$page" && ! grep -q "<img src=\"http" "$page"
'
test_expect 'R-CPN-10: top:N is shown as the store'"'"'s approximation of QSM'"'"'s own choice; -o writes where asked' '
    qs -q --shop demo coupon record --fans 10 &&
    QS_NOW=2026-12-08T01:00:00Z qs -q --shop demo coupon push ad --coupon C1 --at "2026-12-09 12:00" >/dev/null &&
    n=$(sql "SELECT max(id) FROM coupon_push") &&
    expect_code 0 qs --shop demo coupon preview "$n" -o mail.html && empty out &&
    expect_code 0 qs --shop demo coupon preview "$n" -o - && cmp out mail.html &&
    expect_code 0 check mail.html --expect-selector "#approx=1" --expect-selector "#banner=0" \
        --expect-text "2026/12/09 12:00" &&
    expect_code 65 qs --shop demo coupon preview 999 && grep_q "shop demo has no push 999" err
'
test_done

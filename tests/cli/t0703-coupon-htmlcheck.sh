#!/usr/bin/env bash
# tests/tools/htmlcheck.py, the headless-Chromium check of R-CPN-10's preview page, proves
# it can fail: a page that loads something from the network, a wrong count, a missing
# text and a blank page each fail it; the standalone page passes. Registered only where
# chromium is installed (tests/meson.build).
. "$(dirname "$0")/lib.sh"

H=$QS_SRC/tests/tools/htmlcheck.py
HTML=$FIX/html
check() { /usr/bin/python3 "$H" "$@"; }

test_expect "R-CPN-10 htmlcheck: a standalone page passes, its screenshot not blank" '
    expect_code 0 check "$HTML/good.html" --expect-selector "#subject=1" \
        --expect-selector "#coupon=1" --expect-selector "#send-at=1" \
        --expect-selector ".item=3" --expect-selector "div.item[data-code=1000002]=1" \
        --expect-selector "#banner=1" --expect-selector "img=1" \
        --expect-text "[Qoo10] ショップクーポンが発行されました！" \
        --expect-text "3,000円以上のご購入で利用可能" --screenshot shot.png &&
    empty out &&
    test "$(head -c 8 shot.png | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a
'
test_expect "R-CPN-10 htmlcheck: a page with an external image fails, naming the request" '
    expect_code 1 check "$HTML/bad.html" --expect-selector ".item=3" &&
    echo "the page made a network request: GET http://example.com/x.png" >want &&
    test_cmp want out
'
test_expect "R-CPN-10 htmlcheck: https, loopback and CSS fetches fail as well" '
    cat >fetch.html <<-EOF &&
	<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title>
	<style>body{background:url(http://127.0.0.1:8123/bg.png)}</style></head>
	<body><p>x</p><img src="https://cdn.example.net/y.png"></body></html>
	EOF
    expect_code 1 check fetch.html &&
    grep_q "^the page made a network request: CONNECT cdn.example.net:443$" out &&
    grep_q "^the page made a network request: GET http://127.0.0.1:8123/bg.png$" out &&
    test "$(wc -l <out)" = 2
'
test_expect "htmlcheck: a wrong count and a missing text fail, one line each" '
    expect_code 1 check "$HTML/good.html" --expect-selector ".item=4" \
        --expect-selector "#approx=1" --expect-text "10%OFF" --expect-text "500円OFF" &&
    printf "%s\n" "selector .item: 3 elements, expected 4" \
        "selector #approx: 0 elements, expected 1" \
        "text '"'"'10%OFF'"'"' not found in the page" >want &&
    test_cmp want out
'
test_expect "htmlcheck: a blank page fails" '
    printf "<!DOCTYPE html><html><head><title>t</title></head><body></body></html>\n" >blank.html &&
    expect_code 1 check blank.html &&
    grep_q "^the screenshot of the page is blank: one colour$" out
'
test_expect "htmlcheck: a selector it cannot read is a usage error" '
    expect_code 2 check "$HTML/good.html" --expect-selector "div p=1" &&
    grep_q "give SEL=N" err
'
test_done

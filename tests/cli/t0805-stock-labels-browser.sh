#!/usr/bin/env bash
# The box-label page of qs stock labels (R-STK-9) in headless Chromium (htmlcheck.py): N
# .label elements, the shop ID, the cargo number and 1/N..N/N in the page's text, a
# screenshot that is not blank, no network request; and the PDF qs makes with chromium on
# PATH. Registered only where chromium is installed (tests/meson.build).
. "$(dirname "$0")/lib.sh"

check() { /usr/bin/python3 "$QS_SRC/tests/tools/htmlcheck.py" --chromium "$QS_CHROMIUM" "$@"; }
qs -q init --shop demo --set stock.shop_id=qshop-8801 >/dev/null

test_expect 'R-STK-9: the box labels open offline in Chromium: 4 labels, shop ID, cargo number' '
    expect_code 0 qs stock labels --boxes 4 --cargo-no 106 --no-pdf &&
    page=$(cat out) &&
    expect_code 0 check "$page" --expect-selector ".label=4" --expect-selector ".cargo-no=4" \
        --expect-text "qshop-8801" --expect-text "106" --expect-text "1/4" \
        --expect-text "4/4" --screenshot shot.png &&
    empty out
'
test_expect 'R-STK-9: with chromium on PATH a PDF is made beside the page' '
    mkdir -p bin && ln -sf "$QS_CHROMIUM" bin/chromium &&
    PATH=$TRASH/bin:$PATH expect_code 0 qs stock labels --boxes 2 --cargo-no 107 &&
    test "$(sed -n 2p out)" = "$TRASH/labels/demo/cargo-107.pdf" &&
    test "$(head -c 5 labels/demo/cargo-107.pdf)" = "%PDF-"
'
test_done

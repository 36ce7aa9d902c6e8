#!/usr/bin/env bash
# R-IMP-9, one rule with one message: the price spread is checked by the catalog's one
# function, and import, publish edit and the publish mapping (check, now) all refuse a
# product whose highest variant price is more than 1.5 x its lowest with the same words.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"
. "$QS_SRC/tests/cli/publish-lib.sh"

qs -q init --shop demo >/dev/null
pub_profile
printf "%s\n" "Parent SKU,SKU,Title,Description,Tags,Price,Shipping,Quantity,Main Image URL,Color" \
    "BAG,BAG-S,Bag,d,t,1000,0,1,https://img.example.jp/s.jpg,Red" \
    "BAG,BAG-L,Bag,d,t,1500,0,1,https://img.example.jp/l.jpg,Blue" >ok.csv
printf "%s\n" "Parent SKU,SKU,Title,Description,Tags,Price,Shipping,Quantity,Main Image URL,Color" \
    "CUP,CUP-S,Cup,d,t,1000,0,1,https://img.example.jp/s.jpg,Red" \
    "CUP,CUP-L,Cup,d,t,1501,0,1,https://img.example.jp/l.jpg,Blue" >wide.csv
WANT_BAG='Parent SKU "BAG": SKU "BAG-L" costs 1501, more than 1.5 x the lowest price 1000 (SKU "BAG-S"); Qoo10 keeps option prices within 50% of the item price'
WANT_CUP='Parent SKU "CUP": SKU "CUP-L" costs 1501, more than 1.5 x the lowest price 1000 (SKU "CUP-S"'

test_expect 'R-IMP-9: exactly 1.5 x is within the spread; import takes it without a word' '
    expect_code 0 qs import products ok.csv &&
    { ! grep -q "warning\|R-IMP-9" err || { cat err; false; }; } &&
    grep_q "imported 2 SKUs" err
'

test_expect 'R-IMP-9: import warns over 1.5 x with the rule message (the lowest line named)' '
    expect_code 0 qs import products wide.csv &&
    grep -F -q -- "wide.csv:3: warning: $WANT_CUP, line 2); Qoo10 keeps option prices within 50% of the item price (R-IMP-9)" err ||
    { cat err; false; }
'

test_expect 'R-IMP-9: publish edit refuses a new price over 1.5 x with the same message, changing nothing' '
    sqlite3 "$QS_STORE" "SELECT sku, price FROM variant ORDER BY id" >before &&
    expect_code 65 qs publish edit --price 1501 BAG-L &&
    { grep -F -q -- "$WANT_BAG (R-IMP-9)" err || { cat err; false; }; } &&
    sqlite3 "$QS_STORE" "SELECT sku, price FROM variant ORDER BY id" >after && test_cmp before after
'

test_expect 'R-IMP-9: the publish mapping (check, now) refuses it with the same message' '
    expect_code 1 qs publish check CUP &&
    { grep -F -q -- "CUP,CUP-L,R-IMP-9,Price,\"${WANT_CUP//\"/\"\"}); Qoo10 keeps option prices within 50% of the item price\"" out ||
      { cat out; false; }; } &&
    expect_code 65 qs publish now CUP &&
    { grep -F -q -- "$WANT_CUP); Qoo10 keeps option prices within 50% of the item price (R-IMP-9)" err ||
      { cat err; false; }; } &&
    test "$(sqlite3 "$QS_STORE" "SELECT state FROM product WHERE parent_sku = '"'"'CUP'"'"'")" = pending
'

test_done

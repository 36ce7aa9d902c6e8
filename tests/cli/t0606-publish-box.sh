#!/usr/bin/env bash
# The collection box (SPEC 2.4, R-SRC-1): qs import products --box keeps rows collected with
# only the five columns, qs publish list --state collected lists them, --update completes
# them, qs publish claim converts source prices (--fx) and checks every R-IMP rule and the
# leaf category, listing every gap; a collector writes the generic template on stdout.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 "$QS_STORE" "$1"; }
qs init --shop demo >/dev/null 2>&1
cat >box.csv <<'EOF'
Parent SKU,SKU,Title,Source URL,Main Image URL,Price,Currency
CUP,CUP-S,Cup,https://detail.1688.com/offer/1.html,https://img.example.jp/c.jpg,12.50,CNY
CUP,CUP-L,Cup,https://detail.1688.com/offer/1.html,https://img.example.jp/c.jpg,14.00,CNY
BAG,BAG,Bag,https://item.taobao.com/item.htm?id=2,https://img.example.jp/b.jpg,,
EOF
cat >done.csv <<'EOF'
Parent SKU,SKU,Description,Tags,Shipping
CUP,CUP-S,A cup,"cup,kitchen",500
CUP,CUP-L,A cup,"cup,kitchen",500
EOF

test_expect 'R-SRC-1: box rows with only the five required columns are accepted as collected' '
    printf "%s\n" "Parent SKU,SKU,Title,Source URL,Main Image URL" \
        "PEN,PEN,Pen,https://detail.1688.com/offer/9.html,https://img.example.jp/p.jpg" >five.csv &&
    expect_code 65 qs import products five.csv &&
    grep_q "Description): is missing\|no Description column" err &&
    expect_code 0 qs import products --box five.csv &&
    printf "sku,parent_sku,state\nPEN,PEN,collected\n" >expect && test_cmp expect out &&
    expect_code 0 qs import products --box box.csv &&
    test "$(q "select count(*) from product where state = '"'"'collected'"'"'")" = 3 &&
    test "$(q "select source_price || source_currency from variant where sku = '"'"'CUP-S'"'"'")" = 12.50CNY
'
test_expect 'R-SRC-1: qs publish list --state collected lists the box, and only the box' '
    expect_code 0 qs publish list --state collected &&
    test "$(cut -d, -f2 out | sed 1d | sort | tr "\n" " ")" = "BAG CUP-L CUP-S PEN " &&
    expect_code 0 qs publish list --state pending && test "$(wc -l <out)" = 1
'
test_expect 'R-SRC-1: a foreign price outside the box needs --fx; a claim of one needs --fx too' '
    sed "s/^CUP/MUG/; s/,CUP-/,MUG-/" box.csv | grep -v BAG >mug.csv &&
    expect_code 65 qs import products mug.csv && grep_q "is in CNY: give --fx RATE" err &&
    expect_code 64 qs publish claim CUP && grep_q "give --fx RATE (yen per CNY)" err && empty out &&
    test "$(q "select state from product where parent_sku = '"'"'CUP'"'"'")" = collected
'
test_expect 'R-SRC-1: claim lists every gap per product; a product with gaps stays collected' '
    expect_code 1 qs publish claim --fx 21.5 BAG CUP &&
    grep_q "^BAG,,collected,R-IMP-2,Description,is empty" out &&
    grep_q "^BAG,,collected,R-IMP-2,Tags," out &&
    grep_q "^BAG,BAG,collected,R-IMP-2,Price,is missing" out &&
    grep_q "^BAG,BAG,collected,R-IMP-2,Shipping,is missing" out &&
    grep_q "^BAG,,collected,R-PUB-12,category," out &&
    grep_q "^CUP,CUP-S,collected,R-IMP-2,Shipping" out &&
    grep_q "0 products claimed (pending), 2 kept in the box with 10 gaps" err &&
    test "$(q "select count(*) from product where state = '"'"'collected'"'"'")" = 3 &&
    test "$(q "select price from variant where sku = '"'"'CUP-S'"'"'")" = 0
'
test_expect 'R-SRC-1: qs import products --update completes a collected product; it stays collected' '
    expect_code 0 qs import products --update done.csv &&
    grep_q "^CUP-S,CUP,collected$" out &&
    test "$(q "select shipping || source_price from variant where sku = '"'"'CUP-L'"'"'")" = 50014.00
'
test_expect 'R-SRC-1: claim with --fx converts source prices (half up) and moves the product to pending' '
    qs -q publish category CUP 100000001 &&
    expect_code 0 qs publish claim --dry-run --fx 21.5 CUP &&
    test "$(q "select state from product where parent_sku = '"'"'CUP'"'"'")" = collected &&
    expect_code 0 qs publish claim --fx 21.5 CUP &&
    printf "%s\n" parent_sku,sku,state,rule,field,message "CUP,CUP-S,pending,,,price 269 yen" \
        "CUP,CUP-L,pending,,,price 301 yen" >expect && test_cmp expect out &&
    test "$(q "select group_concat(price) from variant where sku like '"'"'CUP-%'"'"'")" = 269,301 &&
    test -z "$(q "select source_price from variant where sku = '"'"'CUP-S'"'"'")" &&
    expect_code 0 qs publish list --state pending && grep_q "^CUP,CUP-S," out
'
test_expect 'R-SRC-1: a yen box row needs no rate; a collector pipes the generic template into --box -' '
    printf "%s\n" "#!/bin/sh" "echo \"Parent SKU,SKU,Title,Source URL,Main Image URL,Price,Description,Tags,Shipping\"" \
        "echo \"TEA,TEA,Tea,\$1,https://img.example.jp/t.jpg,980,Green tea,tea,0\"" >collector &&
    chmod +x collector &&
    ./collector https://detail.1688.com/offer/7.html | qs -q import products --box - >/dev/null &&
    test "$(q "select state from product where parent_sku = '"'"'TEA'"'"'")" = collected &&
    qs -q publish category TEA 100000002 &&
    expect_code 0 qs publish claim TEA && grep_q "^TEA,TEA,pending,,,$" out &&
    test "$(q "select price from variant where sku = '"'"'TEA'"'"'")" = 980
'
test_done

#!/usr/bin/env bash
# qs import products: templates, value rules, all errors in one run, atomicity,
# --skip-bad, --update, --group, --assign-upc, CP932 (SPEC 2.1: the R-IMP rules, and R-UPC-2).
. "$(dirname "$0")/lib.sh"

F="$FIX/import"
dump() { sqlite3 "$QS_STORE" .dump; }
q() { sqlite3 "$QS_STORE" "$1"; }
qs init --shop demo >/dev/null 2>&1

test_expect "R-IMP-1: a generic catalog lands as pending" '
    expect_code 0 qs import products "$F/good.csv" &&
    grep_q "imported 5 SKUs from 5 rows" err &&
    test "$(q "select count(*) from product where state = '"'"'pending'"'"'")" = 3 &&
    test "$(q "select parent_sku from product where id = 2")" = 00123
'
test_expect "R-IMP-12: that import printed sku, parent_sku and state of every imported row" '
    cat >expect <<-EOF &&
	sku,parent_sku,state
	TUMBLER-350,TUMBLER,pending
	TUMBLER-500,TUMBLER,pending
	00123,00123,pending
	LAMP-W,LAMP,pending
	LAMP-B,LAMP,pending
	EOF
    test_cmp expect out
'
test_expect "R-IMP-12: the printed rows feed the next command (JSON Lines too)" '
    qs --format json import products --dry-run "$F/good.csv" >/dev/null 2>&1;
    expect_code 0 qs --dry-run --format json import products "$F/differ.csv" &&
    grep_q "^{\"sku\":\"MUG-S\",\"parent_sku\":\"MUG\",\"state\":\"pending\"}$" out &&
    test "$(q "select count(*) from variant where sku like '"'"'MUG%'"'"'")" = 0
'
test_expect "R-IMP-1: values keep their text: leading zeros, quoted lines, Japanese" '
    test "$(q "select sku from variant where sku = '"'"'00123'"'"'")" = 00123 &&
    q "select description from product where parent_sku = '"'"'TUMBLER'"'"'" >desc &&
    printf "%s\n" "真空断熱で、保温・保冷。" "\"食洗機OK\"、フタ付き。" >expect && test_cmp expect desc &&
    q "select source_urls from variant where sku = '"'"'TUMBLER-350'"'"'" >src &&
    printf "%s\n" https://detail.1688.com/offer/1.html https://detail.1688.com/offer/2.html >expect &&
    test_cmp expect src
'
test_expect "R-IMP-1: Dianxiaomi headers map; unknown columns are kept in extra" '
    expect_code 0 qs import products "$F/dianxiaomi.csv" &&
    test "$(q "select extra from variant where sku = '"'"'test-1'"'"'")" = "{\"Warehouse\":\"B-2\",\"备注\":\"first\"}" &&
    test "$(q "select price || '"'"' '"'"' || color || '"'"' '"'"' || main_image from variant where sku = '"'"'test-2'"'"'")" = "10 blue https://img.example.jp/test.jpg" &&
    test -z "$(q "select extra from variant where sku = '"'"'test-2'"'"'")"
'
test_expect "R-IMP-11: all 30 errors of a file in one run, then nothing written (exit 65)" '
    dump >before &&
    expect_code 65 qs import products "$F/errors30.csv" &&
    dump >after && test_cmp before after &&
    test "$(grep -c "^qs import [a-z]*: .*errors30.csv:[0-9]*: .*(R-IMP-[0-9]*)$" err)" = 30 &&
    grep_q "30 errors in .*errors30.csv; nothing imported (R-IMP-11)" err && empty out &&
    for id in R-IMP-2 R-IMP-4 R-IMP-5 R-IMP-6 R-IMP-7 R-IMP-8; do grep_q "($id)$" err || exit 1; done
'
test_expect "R-IMP-11, issue 8 item 17: the error format names file, line, spreadsheet column, value and rule" '
    grep_q "^qs import [a-z]*: $F/errors30.csv:35: column B (SKU): \"E-00\" repeats line 2 (R-IMP-4)$" err &&
    grep_q "^qs import [a-z]*: $F/errors30.csv:37: column B (SKU): \"E-09\" repeats line 19 (R-IMP-4)$" err &&
    grep_q ":19: column M (Price): \"12.50\" is not a whole yen amount" err &&
    grep_q ":23: column I (MSRP): \"abc\" is not a number (R-IMP-2)$" err &&
    grep_q ":59: column T (Extra Image URL 2): \"/home/seller/26.jpg\" is not an http(s) URL" err &&
    grep_q ":67: column B (SKU): \"LAMP-W\" is already in the catalog of shop demo; give --update" err
'
test_expect "R-IMP-2: required fields, money, integers, min <= max days" '
    grep_q ":13: column M (Price): is empty (R-IMP-2)" err &&
    grep_q ":21: column M (Price): \"-5\" is negative (R-IMP-2)" err &&
    grep_q ":27: column O (Quantity): \"-3\" is not a whole number of 0 or more (R-IMP-2)" err &&
    grep_q ":33: column P (Min Delivery Days): 10 is more than Max Delivery Days 5 (R-IMP-2)" err
'
test_expect "R-IMP-6: six source URLs, an ftp one and a landing page without a scheme are refused" '
    grep_q ":46: column L (Source URL): .* has 6 URLs; at most 5, one per line (R-IMP-6)$" err &&
    grep_q ":53: column L (Source URL): \"ftp://files.example.com/x.html\": line 1 is not an http(s) URL (R-IMP-6)$" err &&
    grep_q ":55: column H (Landing Page URL): \"www.example.com/p/24\" is not an http(s) URL (R-IMP-6)$" err
'
test_expect "R-IMP-7: images given as local paths are refused, main and extra alike" '
    grep_q ":57: column R (Main Image URL): \"C:.*25.jpg\" is not an http(s) URL; upload the image and give its URL (R-IMP-7)$" err &&
    grep_q ":59: column T (Extra Image URL 2): \"/home/seller/26.jpg\" is not an http(s) URL; upload the image and give its URL (R-IMP-7)$" err
'
test_expect "R-IMP-2: --fx converts a foreign-currency file, half up to whole yen" '
    expect_code 65 qs import products "$F/usd.csv" && grep_q "(Price): \"12.34\" is not a whole yen" err &&
    expect_code 0 qs import products --fx 150 "$F/usd.csv" &&
    test "$(q "select price || '"'"','"'"' || msrp || '"'"','"'"' || shipping from variant where sku = '"'"'US1'"'"'")" = 1851,2999,525 &&
    expect_code 64 qs import products --fx -3 "$F/usd.csv"
'
test_expect "R-IMP-3: a later row with another title warns with its line; the first row wins" '
    expect_code 0 qs import products "$F/differ.csv" &&
    grep_q "differ.csv:3: warning: column C (Title): differs from line 2, the first row of Parent SKU \"MUG\"; line 2.s value is kept (R-IMP-3)" err &&
    test "$(q "select title from product where parent_sku = '"'"'MUG'"'"'")" = "Mug small" &&
    test "$(q "select count(*) from variant v join product p on p.id = v.product_id where p.parent_sku = '"'"'MUG'"'"'")" = 3
'
test_expect "R-IMP-5: a product's tags are the union of its rows' tags, at most 10" '
    test "$(q "select tags from product where parent_sku = '"'"'MUG'"'"'")" = cup,tea,coffee &&
    test "$(q "select tags from product where parent_sku = '"'"'LAMP'"'"'")" = office,desk &&
    expect_code 65 qs import products "$F/errors30.csv" &&
    grep_q ":42: column E (Tags): \"a,b,c,d,e,f,g,h,i,j,k\" has 11 tags; a product takes at most 10 (R-IMP-5)" err &&
    grep_q ":44: column E (Tags): \"a,b,c,d,e,f,g,h,i,j\" would give Parent SKU \"E-00\" 11 tags; at most 10 (R-IMP-5)" err
'
test_expect "R-IMP-4: an SKU in the catalog is updated only with --update; absent columns keep" '
    dump >before &&
    expect_code 65 qs import products "$F/update.csv" &&
    grep_q "(SKU): \"TUMBLER-350\" is already in the catalog of shop demo; give --update to update it (R-IMP-4)" err &&
    dump >after && test_cmp before after &&
    expect_code 0 qs import products --update "$F/update.csv" &&
    printf "sku,parent_sku,state\nTUMBLER-350,TUMBLER,pending\nTUMBLER-750,TUMBLER,pending\n" >expect && test_cmp expect out &&
    grep_q "(1 updated)" err &&
    test "$(q "select price || '"'"','"'"' || quantity from variant where sku = '"'"'TUMBLER-350'"'"'")" = 1880,45 &&
    test "$(q "select count(*) from variant where sku = '"'"'TUMBLER-350'"'"' and source_urls like '"'"'%offer/2.html'"'"'")" = 1 &&
    test "$(q "select title from product where parent_sku = '"'"'TUMBLER'"'"'")" = "保温 タンブラー 真空断熱 (改良版)"
'
test_expect "R-IMP-4: --update never moves an SKU to another Parent SKU" '
    printf "Parent SKU,SKU,Price\nLAMP,TUMBLER-500,100\n" >move.csv &&
    expect_code 65 qs import products --update move.csv &&
    grep_q "move.csv:2: column B (SKU): \"TUMBLER-500\" belongs to Parent SKU \"TUMBLER\" in the catalog, not \"LAMP\" (R-IMP-4)" err
'
test_expect "--skip-bad imports the valid rows and writes the others with a reason (exit 1)" '
    expect_code 1 qs import products --skip-bad --rejects rej.csv "$F/errors30.csv" &&
    printf "sku,parent_sku,state\nE-00,E-00,pending\nE-31,E-31,pending\n" >expect && test_cmp expect out &&
    grep_q "30 rows rejected to rej.csv" err &&
    /usr/bin/python3 -c "
import csv
rows = list(csv.DictReader(open(\"rej.csv\", encoding=\"utf-8\")))
assert len(rows) == 30, len(rows)
assert rows[0][\"Parent SKU\"] == \"\" and rows[0][\"reason\"] == \"column A (Parent SKU): is empty (R-IMP-2)\", rows[0]
assert rows[-1][\"SKU\"] == \"LAMP-W\" and \"(R-IMP-4)\" in rows[-1][\"reason\"], rows[-1]
assert rows[8][\"Description\"] == \"Line one.\nLine two, with a comma.\", rows[8]
" &&
    test "$(q "select count(*) from variant where sku in ('"'"'E-00'"'"', '"'"'E-31'"'"')")" = 2
'
test_expect "--skip-bad: a fixed rejects file imports as it is (its reason column ignored)" '
    /usr/bin/python3 -c "
import csv
rows = list(csv.DictReader(open(\"rej.csv\", encoding=\"utf-8\")))
fixed = [r for r in rows if r[\"SKU\"] == \"E-10\"]
fixed[0][\"Price\"] = \"500\"
w = csv.DictWriter(open(\"fixed.csv\", \"w\", encoding=\"utf-8\", newline=\"\"), fieldnames=list(rows[0]))
w.writeheader(); w.writerows(fixed)
" &&
    expect_code 0 qs import products fixed.csv && grep_q "^E-10,E-10,pending$" out &&
    test -z "$(q "select extra from variant where sku = '"'"'E-10'"'"'")"
'
test_expect "--skip-bad and --rejects go together; unknown template is a usage error" '
    expect_code 64 qs import products --skip-bad "$F/good.csv" && grep_q "go together" err &&
    expect_code 64 qs import products --template wish "$F/good.csv" &&
    expect_code 64 qs import products --encoding latin1 "$F/good.csv"
'
test_expect "R-IMP-9: a price spread over 1.5x warns; --strict makes it an error" '
    expect_code 0 qs --shop s9 init &&
    expect_code 0 qs --shop s9 import products "$F/spread.csv" &&
    grep_q "spread.csv:3: warning: Parent SKU \"BAG\": SKU \"BAG-L\" costs 1600, more than 1.5 x the lowest price 1000 (SKU \"BAG-S\", line 2)" err &&
    ! grep -q "CUP" err &&
    qs --shop s10 init >/dev/null 2>&1 && dump >before &&
    expect_code 65 qs --shop s10 import products --strict "$F/spread.csv" &&
    grep_q "spread.csv:3: Parent SKU \"BAG\".*(R-IMP-9)$" err && dump >after && test_cmp before after
'
test_expect "R-IMP-9: --strict --skip-bad rejects the whole product, even from a pipe" '
    expect_code 1 qs --shop s10 import products --strict --skip-bad --rejects r9.csv <"$F/spread.csv" &&
    printf "sku,parent_sku,state\nCUP-1,CUP,pending\nCUP-2,CUP,pending\nPEN-1,PEN,pending\n" >expect &&
    test_cmp expect out &&
    test "$(grep -c "^BAG,BAG-[SL],.*(R-IMP-9)\"$" r9.csv)" = 2 &&
    test "$(q "select count(*) from product where shop = '"'"'s10'"'"' and parent_sku = '"'"'BAG'"'"'")" = 0
'
test_expect "R-IMP-10: sensitive words in title, description, tags warn (error with --strict)" '
    printf "word\nnike\nコピー品\n" | qs import words - 2>/dev/null &&
    qs --shop s11 init >/dev/null 2>&1 &&
    expect_code 0 qs --shop s11 import products "$F/spread.csv" &&
    grep_q "spread.csv:2: warning: column D (Description): holds the sensitive word \"nike\" (R-IMP-10)" err &&
    grep_q "spread.csv:4: warning: column C (Title): holds the sensitive word \"コピー品\" (R-IMP-10)" err &&
    qs --shop s12 init >/dev/null 2>&1 &&
    expect_code 65 qs --shop s12 import products --strict "$F/spread.csv" &&
    grep_q "spread.csv:4: column C (Title): holds the sensitive word \"コピー品\" (R-IMP-10)" err &&
    printf "word\n" | qs import words - 2>/dev/null
'
test_expect "--encoding cp932 reads a Shift_JIS file; auto detects it; utf-8 refuses it" '
    qs --shop sj init >/dev/null 2>&1 &&
    expect_code 0 qs --shop sj import products --encoding cp932 "$F/cp932.csv" &&
    test "$(q "select title from product where shop = '"'"'sj'"'"'")" = "マグカップ ①号 ～北欧風～" &&
    qs --shop sj2 init >/dev/null 2>&1 &&
    expect_code 0 qs --shop sj2 import products "$F/cp932.csv" &&
    test "$(q "select description from product where shop = '"'"'sj2'"'"'")" = "$(printf "電子レンジ対応。\n容量：約３５０ｍｌ")" &&
    qs --shop sj3 init >/dev/null 2>&1 &&
    expect_code 65 qs --shop sj3 import products --encoding utf-8 "$F/cp932.csv" &&
    grep_q "invalid UTF-8 byte 0x83; use --encoding cp932" err
'
test_expect "SPEC 1.2: auto reads a UTF-8 file past 256 KiB in one pass; one mixing encodings further on is still refused whole" '
    awk "BEGIN { print \"Parent SKU,SKU,Title,Description,Tags,Price,Shipping,Main Image URL\";
        for (i = 1; i <= 4000; i++)
            printf \"P%d,S%d,マグカップ %d,保温・保冷どちらもOK、通勤に便利です。,mug,1000,0,https://img.example.jp/%d.jpg\\n\", i, i, i, i }" >big.csv &&
    test "$(wc -c <big.csv)" -gt 300000 &&
    LC_ALL=C sed "3500s/マグカップ/$(printf "\\203\\175")/" big.csv >mixed.csv &&
    qs --shop big init >/dev/null 2>&1 && qs --shop mixed init >/dev/null 2>&1 &&
    expect_code 0 qs --shop big import products big.csv &&
    test "$(q "select count(*) from variant where shop = '"'"'big'"'"'")" = 4000 &&
    expect_code 65 qs --shop mixed import products mixed.csv &&
    grep_q "^qs import products: mixed.csv:3500: line is not UTF-8 (byte 0x83) but 3999 other lines are (the first is line 2): the file mixes encodings; save it again in one encoding, or give --encoding cp932|utf-8; reading stopped here$" err &&
    test "$(q "select count(*) from variant where shop = '"'"'mixed'"'"'")" = 0 &&
    head -c -1 big.csv >cut.csv && printf "\\343\\203" >>cut.csv &&
    expect_code 65 qs --shop mixed import products cut.csv &&
    grep_q "^qs import products: cut.csv:4001: line is not UTF-8 (byte 0xe3) but 3999 other lines are" err &&
    test "$(q "select count(*) from variant where shop = '"'"'mixed'"'"'")" = 0
'
test_expect "--group puts the imported products in a group" '
    qs --shop g init >/dev/null 2>&1 &&
    expect_code 0 qs --shop g import products --group summer "$F/good.csv" &&
    test "$(q "select count(*) from product where shop = '"'"'g'"'"' and grp = '"'"'summer'"'"'")" = 3 &&
    test "$(q "select name from product_group where shop = '"'"'g'"'"'")" = summer
'
test_expect "R-UPC-2: too few codes in the pool: an error, nothing imported, nothing given" '
    qs import upc --pool jp --type jan "$F/jan3.csv" 2>/dev/null &&
    qs --shop u init >/dev/null 2>&1 && dump >before &&
    expect_code 65 qs --shop u import products --assign-upc jp "$F/nocode.csv" &&
    grep_q "4 products lack a code but pool \"jp\" has 3 unused; nothing imported, no code given" err &&
    dump >after && test_cmp before after &&
    expect_code 64 qs --shop u import products --assign-upc nosuch "$F/nocode.csv" &&
    grep_q "no code pool \"nosuch\"" err
'
test_expect "R-UPC-2: each product (Parent SKU) lacking a code gets one; never one twice" '
    head -4 "$F/nocode.csv" >three.csv &&
    expect_code 0 qs --shop u import products --assign-upc jp three.csv &&
    grep_q "2 codes given from pool jp" err &&
    q "select parent_sku, code, code_type from product where shop = '"'"'u'"'"' order by id" >got &&
    printf "N1|4500000010000|jan\nN2|4500000010017|jan\n" >expect && test_cmp expect got &&
    expect_code 0 qs --shop u import products --assign-upc jp "$F/good.csv" &&
    test "$(q "select code from product where shop = '"'"'u'"'"' and parent_sku = '"'"'00123'"'"'")" = 4500000010024 &&
    test "$(q "select code from product where shop = '"'"'u'"'"' and parent_sku = '"'"'TUMBLER'"'"'")" = 4901234567894 &&
    test "$(q "select count(distinct code) from product where code is not null")" = "$(q "select count(*) from product where code is not null and shop = '"'"'u'"'"'")"
'
test_expect "R-IMP-1: the qoo10 template: option_info rows become variants" '
    qs --shop q init >/dev/null 2>&1 &&
    expect_code 0 qs --shop q import products "$F/qoo10.csv" &&
    printf "sku,parent_sku,state\nTEE-WM,TEE,pending\nTEE-WL,TEE,pending\nTEE-3,TEE,pending\nCAP,CAP,pending\n" >expect &&
    test_cmp expect out && grep_q "(qoo10 template)" err &&
    q "select sku, color, size, price, quantity from variant where shop = '"'"'q'"'"' order by id" >got &&
    printf "TEE-WM|ホワイト|M|2000|10\nTEE-WL|ホワイト|L|2200|5\nTEE-3|ブラック|M|2000|0\nCAP|||1500|30\n" >expect &&
    test_cmp expect got &&
    test "$(q "select category || '"'"' '"'"' || code from product where shop = '"'"'q'"'"' and parent_sku = '"'"'TEE'"'"'")" = "300002231 4901234567894"
'
test_expect "R-IMP-1: a GoodsList.csv price/quantity download updates (--update implied)" '
    expect_code 0 qs --shop q import products "$F/goodslist.csv" &&
    q "select sku, price, quantity from variant where shop = '"'"'q'"'"' and sku in ('"'"'CAP'"'"', '"'"'TEE-WL'"'"') order by sku" >got &&
    printf "CAP|1400|25\nTEE-WL|2300|5\n" >expect && test_cmp expect got
'
test_expect "R-IMP-1: the qs template is recognised, from JSON Lines too; state is not imported" '
    qs --shop j init >/dev/null 2>&1 &&
    expect_code 0 qs --shop j import products <"$F/qs.jsonl" &&
    grep_q "(qs template)" err &&
    printf "sku,parent_sku,state\nJ1-A,J1,pending\nJ1-B,J1,pending\n" >expect && test_cmp expect out &&
    test -z "$(q "select item_code from product where shop = '"'"'j'"'"'")" &&
    test "$(q "select extra from variant where sku = '"'"'J1-B'"'"'")" = "{\"Warehouse\":\"A-1\"}"
'
test_expect "R-PUB-12: a qs category is 9 digits" '
    qs --shop c init >/dev/null 2>&1 &&
    expect_code 65 qs --shop c import products "$F/category.csv" &&
    grep_q "category.csv:3: column F (category): \"30000223\" is not a 9-digit Qoo10 category (R-PUB-12)" err
'
test_expect "R-IMP-1: in the qs template, extra must be a JSON object" '
    expect_code 65 qs --shop c import products "$F/category.csv" &&
    grep_q "category.csv:4: column H (extra): \"\[1\]\" is not a JSON object (R-IMP-1)" err
'
test_expect "R-IMP-11: a CSV syntax error is reported with the others; nothing written" '
    qs --shop x init >/dev/null 2>&1 && dump >before &&
    expect_code 65 qs --shop x import products --skip-bad --rejects sx.csv "$F/syntax.csv" &&
    grep_q "syntax.csv:3: column F (Price): \"1.5\" is not a whole yen amount" err &&
    grep_q "syntax.csv:4:3: .* after the closing quote of a field.*; reading stopped here" err &&
    grep_q "2 errors in" err && dump >after && test_cmp before after
'
test_expect "R-IMP-2: a header without a required column is one error, at line 1" '
    printf "Parent SKU,SKU,Title\nA,A,x\n" >short.csv &&
    expect_code 65 qs --shop x import products short.csv &&
    grep_q "short.csv:1: the header has no Description column (a required field) (R-IMP-2)" err &&
    test "$(grep -c "the header has no" err)" = 5
'
test_expect "--dry-run prints what would be imported and writes nothing" '
    dump >before && expect_code 0 qs --dry-run --shop x import products "$F/good.csv" &&
    grep_q "^LAMP-B,LAMP,pending$" out && grep_q "dry run, nothing written" err &&
    dump >after && test_cmp before after
'
test_done

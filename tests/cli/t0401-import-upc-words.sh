#!/usr/bin/env bash
# qs import upc / pools / words: code pools (SPEC 2.2: R-UPC-1, R-UPC-2, R-UPC-3; check digits of
# R-IMP-8) and the sensitive word list (R-IMP-10).
. "$(dirname "$0")/lib.sh"

F="$FIX/import"
dump() { sqlite3 "$QS_STORE" .dump; }
q() { sqlite3 "$QS_STORE" "$1"; }
qs init --shop demo >/dev/null 2>&1

test_expect "R-UPC-1: codes go into a new pool of a type; a bare list's first line is a code" '
    expect_code 0 qs import upc --pool jp --type jan "$F/jan3.csv" &&
    grep_q "added 3 codes to pool jp (jan)" err && empty out &&
    printf "4500000010031\n4500000010048\n" >bare.txt &&
    expect_code 0 qs import upc --pool jp2 --type jan bare.txt && grep_q "added 2 codes" err &&
    printf "4500000010055\n" | qs import upc --pool one --type jan 2>err &&
    grep_q "added 1 code to pool one" err
'
test_expect "R-UPC-3: qs import pools reports name, type, available, used, last import" '
    expect_code 0 qs import pools &&
    sed "s/,20[0-9-]* [0-9:]*$/,TIME/" out >got &&
    printf "name,type,available,used,last_import\njp,jan,3,0,TIME\njp2,jan,2,0,TIME\none,jan,1,0,TIME\n" >expect &&
    test_cmp expect got
'
test_expect "R-UPC-3: the last import time is shown in --tz" '
    q "update upc_pool set last_import_at = '"'"'2026-11-25T06:41:00Z'"'"' where name = '"'"'jp'"'"'" &&
    expect_code 0 qs --tz Asia/Tokyo import pools && grep_q "^jp,jan,3,0,2026-11-25 15:41:00$" out &&
    expect_code 0 qs --tz America/Los_Angeles import pools && grep_q "^jp,jan,3,0,2026-11-24 22:41:00$" out &&
    expect_code 0 qs --format json import pools &&
    grep_q "^{\"name\":\"jp\",\"type\":\"jan\",\"available\":3,\"used\":0,\"last_import\":\"2026-11-25 15:41:00\"}$" out
'
test_expect "R-UPC-1: every bad code reported; duplicates across pools refused; nothing added" '
    qs import products "$FIX/import/good.csv" >/dev/null 2>&1 &&
    dump >before &&
    expect_code 65 qs import upc --pool jp3 --type jan "$F/jan_bad.csv" &&
    dump >after && test_cmp before after &&
    grep_q "jan_bad.csv:4: column A: \"4512345678906\" repeats line 1 (R-UPC-1)" err &&
    grep_q "jan_bad.csv:5: column A: \"4500000010000\" is already in pool \"jp\" (R-UPC-1)" err &&
    grep_q "jan_bad.csv:6: column A: \"0012345678905\" is not a JAN code (JAN codes start with 45 or 49)" err &&
    grep_q "jan_bad.csv:8: column A: \"4901234567894\" is already carried by product \"TUMBLER\" of shop demo (R-UPC-1)" err &&
    ! grep -q "jan_bad.csv:[17]:" err &&
    grep_q "6 errors in .*jan_bad.csv; no code added" err
'
test_expect "R-IMP-8: a pool code with a wrong check digit or length is refused" '
    expect_code 65 qs import upc --pool jp3 --type jan "$F/jan_bad.csv" &&
    grep_q "jan_bad.csv:2: column A: \"4512345678909\" has a wrong check digit (GS1 mod-10) for a jan pool (R-IMP-8)" err &&
    grep_q "jan_bad.csv:3: column A: \"45123\" is not a JAN code (13 or 8 digits) for a jan pool (R-IMP-8)" err
'
test_expect "R-UPC-1: a pool keeps its type; --pool and --type are needed" '
    expect_code 64 qs import upc --pool jp --type upc "$F/jan3.csv" &&
    grep_q "pool \"jp\" holds jan codes, not upc (R-UPC-1)" err &&
    expect_code 64 qs import upc --type jan "$F/jan3.csv" && grep_q "usage: qs import upc" err &&
    expect_code 64 qs import upc --pool x --type kan "$F/jan3.csv"
'
test_expect "R-UPC-1: the code column is used when there is one; UPC, ISBN and other pools" '
    expect_code 0 qs import upc --pool us --type upc "$F/upc_codes.csv" && grep_q "added 5 codes" err &&
    test "$(q "select code from upc_code c join upc_pool p on p.id = c.pool_id where p.name = '"'"'us'"'"' order by c.id limit 1")" = 000000770002 &&
    printf "isbn\n978-0-306-40615-7\n0-8044-2957-X\n" | qs import upc --pool books --type isbn 2>err &&
    test "$(q "select group_concat(code) from upc_code c join upc_pool p on p.id = c.pool_id where p.name = '"'"'books'"'"'")" = 9780306406157,080442957X &&
    printf "code\nKAN-0001\nKAN-0002\n" | qs import upc --pool misc --type other 2>err &&
    grep_q "added 2 codes" err &&
    expect_code 65 qs import upc --pool us2 --type upc "$F/jan3.csv" &&
    grep_q "is not a UPC-A code (12 digits)" err
'
test_expect "R-UPC-2: given codes count as used, never given again" '
    printf "Parent SKU,SKU,Title,Description,Tags,Price,Shipping,Main Image URL\nP1,P1,t,d,x,100,0,https://i.jp/1.jpg\nP2,P2,t,d,x,100,0,https://i.jp/2.jpg\n" >two.csv &&
    expect_code 0 qs import products --assign-upc jp two.csv &&
    test "$(q "select count(*) from upc_code where product_id is not null")" = 2 &&
    expect_code 0 qs import pools && grep_q "^jp,jan,1,2," out &&
    printf "Parent SKU,SKU,Title,Description,Tags,Price,Shipping,Main Image URL\nP3,P3,t,d,x,100,0,https://i.jp/3.jpg\nP4,P4,t,d,x,100,0,https://i.jp/4.jpg\n" >more.csv &&
    expect_code 65 qs import products --assign-upc jp more.csv &&
    expect_code 0 qs import pools && grep_q "^jp,jan,1,2," out &&
    test "$(q "select count(*) from upc_code where product_id is not null")" = 2
'
test_expect "R-UPC-2: a code a product brings from its file is marked used in its pool" '
    printf "Parent SKU,SKU,Title,Description,Tags,UPC,Price,Shipping,Main Image URL\nP5,P5,t,d,x,4500000010024,100,0,https://i.jp/5.jpg\n" >own.csv &&
    expect_code 0 qs import products own.csv &&
    expect_code 0 qs import pools && grep_q "^jp,jan,0,3," out
'
test_expect "R-IMP-10: qs import words replaces the list (word column or plain lines)" '
    expect_code 0 qs import words "$F/words.csv" &&
    grep_q "word list replaced: 3 words" err &&
    test "$(q "select group_concat(word, '"'"'|'"'"') from (select word from sensitive_word order by key)")" = "NIKE|replica|コピー品" &&
    printf "Gucci\nfake, replica\n" >plain.txt &&
    expect_code 65 qs import words plain.txt &&
    printf "Gucci\nfake\n" >plain.txt &&
    expect_code 0 qs import words plain.txt && grep_q "replaced: 2 words" err &&
    test "$(q "select group_concat(word, '"'"'|'"'"') from (select word from sensitive_word order by key)")" = "fake|Gucci"
'
test_expect "R-IMP-10: a word with a control character is refused naming its line; the list is unchanged" '
    printf "word\nGucci\n\"fa\033ke\"\n" >ctl.csv &&
    expect_code 65 qs import words ctl.csv &&
    grep_q "ctl.csv:3: the word holds the control character U+001B (escape) at character 3; remove it (R-IMP-10)" err &&
    test "$(q "select group_concat(word, '"'"'|'"'"') from (select word from sensitive_word order by key)")" = "fake|Gucci"
'
test_expect "R-IMP-10: a hit names the word and the field; ASCII case does not matter" '
    printf "Parent SKU,SKU,Title,Description,Tags,Price,Shipping,Main Image URL\nW1,W1,GUCCI style bag,Not FAKE.,\"bag,fake\",100,0,https://i.jp/w.jpg\n" >w.csv &&
    expect_code 0 qs import products w.csv &&
    grep_q "w.csv:2: warning: column C (Title): holds the sensitive word \"Gucci\" (R-IMP-10)" err &&
    grep_q "w.csv:2: warning: column D (Description): holds the sensitive word \"fake\" (R-IMP-10)" err &&
    grep_q "w.csv:2: warning: column E (Tags): holds the sensitive word \"fake\" (R-IMP-10)" err &&
    expect_code 0 qs -q import products --update w.csv && empty err
'
test_expect "every import verb answers --help; pools takes no argument" '
    for v in products upc pools words; do
        expect_code 0 qs import $v --help && grep_q "^usage: qs import $v" out || exit 1
    done &&
    expect_code 64 qs import pools extra && expect_code 64 qs import words
'
test_done

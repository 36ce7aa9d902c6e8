#!/usr/bin/env bash
# qs coupon add, edit, list, show (SPEC 4, R-CPN-1): coupons recorded as QSM shows them, by
# options or from CSV, JSON Lines and .xlsx; every bad field of every record reported, then
# nothing written (65); codes and QSM numbers unique in the shop; times read and printed in
# the shop's zone or --tz, stored UTC.
. "$(dirname "$0")/lib.sh"

F="$FIX/coupon"
q() { sqlite3 "$QS_STORE" "$1"; }
count() { q "select count(*) from coupon"; }
qs init --shop demo >/dev/null 2>&1

test_expect "R-CPN-1: one coupon by options, stored as given, times read in the shop's zone" '
    expect_code 0 qs coupon add --code WINTER --name "冬の10%オフ" --discount 10% \
        --max-discount 1,000 --min-order 2000 --from 2099-12-01 --to "2099-12-31 22:00" \
        --issue-limit 500 --per-buyer-limit 1 --qstore-only yes &&
    printf "code,qsm_no,state\nWINTER,,upcoming\n" >expect && test_cmp expect out &&
    grep_q "^qs coupon add: added 1 coupon to shop demo$" err &&
    q "select shop, code, qsm_no is null, name, discount_kind, discount, max_discount,
        min_order, valid_from, valid_to, issue_limit, per_buyer_limit, qstore_only
        from coupon" >row &&
    echo "demo|WINTER|1|冬の10%オフ|percent|10|1000|2000|2099-11-30T15:00:00Z|2099-12-31T13:00:00Z|500|1|1" >expect &&
    test_cmp expect row
'
test_expect "R-CPN-1: many coupons from CSV, printed as records once added" '
    expect_code 0 qs coupon add "$F/good.csv" &&
    printf "code,qsm_no,state\nSPRING500,0001234,upcoming\nSPRING10,,upcoming\nFANS5,2001,upcoming\n" >expect &&
    test_cmp expect out &&
    grep_q "added 3 coupons from $F/good.csv to shop demo" err &&
    test "$(count)" = 4 &&
    q "select code, discount_kind, discount, coalesce(max_discount, \"-\"), min_order,
        valid_from, valid_to, coalesce(issue_limit, \"-\"), coalesce(per_buyer_limit, \"-\"),
        qstore_only from coupon where code <> '"'"'WINTER'"'"' order by id" >rows &&
    cat >expect <<-EOF &&
	SPRING500|yen|500|-|3000|2099-03-01T01:00:00Z|2099-03-31T14:59:00Z|1000|1|0
	SPRING10|percent|10|1000|0|2099-02-28T15:00:00Z|2099-03-31T14:00:00Z|-|-|1
	FANS5|percent|5|-|0|2099-03-31T15:00:00Z|2099-04-30T14:59:00Z|-|2|0
	EOF
    test_cmp expect rows
'
test_expect "R-CPN-1: many coupons from JSON Lines on standard input" '
    expect_code 0 qs coupon add <"$F/good.jsonl" &&
    printf "code,qsm_no,state\nJ-1,,upcoming\nJ-2,3001,upcoming\n" >expect && test_cmp expect out &&
    test "$(q "select discount || discount_kind || min_order || qstore_only from coupon where code = '"'"'J-1'"'"'")" = 800yen50000 &&
    test "$(q "select max_discount || '"'"' '"'"' || issue_limit || '"'"' '"'"' || qstore_only from coupon where code = '"'"'J-2'"'"'")" = "2000 50 1"
'
test_expect "R-CPN-1: many coupons from an .xlsx workbook (codes keep their zeros)" '
    python3 "$QS_SRC/tests/tools/csv2xlsx.py" book.xlsx "$F/book.csv" &&
    expect_code 0 qs coupon add book.xlsx &&
    printf "code,qsm_no,state\nX-1,000777,upcoming\nX-2,,upcoming\n" >expect && test_cmp expect out &&
    test "$(q "select valid_from || '"'"' '"'"' || valid_to from coupon where code = '"'"'X-2'"'"'")" = "2099-07-01T00:30:00Z 2099-07-15T12:00:00Z"
'
test_expect "R-CPN-1: every bad field of every row reported, with file:line, column and value; nothing written (65)" '
    q "select * from coupon order by id" >before &&
    expect_code 65 qs coupon add "$F/bad.csv" &&
    cp err err_bad && empty out &&
    q "select * from coupon order by id" >after && test_cmp before after &&
    test "$(count)" = 8 &&
    test "$(grep -c "^qs coupon add: $F/bad.csv:[0-9]*: .* (R-CPN-1)$" err)" = 16 &&
    grep_q "^qs coupon add: 16 errors in $F/bad.csv; nothing added (R-CPN-1)$" err &&
    for line in 2 3 4 5 6 7 8 9 10 11 12 13 14; do grep_q "/bad.csv:$line: " err || exit 1; done
'
test_expect "R-CPN-1: the discount is yen off or a percent, and says what is allowed" '
    grep_q "bad.csv:4: column D (discount): \"abc\" is not a discount: give yen off as a whole number (500) or a percent from 1% to 99% (10%) (R-CPN-1)$" err &&
    grep_q "bad.csv:13: column D (discount): \"-500\" is negative: give yen off" err &&
    expect_code 0 qs coupon add --dry-run --code D1 --name d --discount "1,500円" --from 2099-01-01 --to 2099-01-02 &&
    expect_code 65 qs coupon add --code D2 --name d --discount 0 --from 2099-01-01 --to 2099-01-02 &&
    grep_q "^qs coupon add: D2: --discount: \"0\" takes nothing off: give yen off" err &&
    grep_q "^qs coupon add: D2: 1 error; the coupon is not added (R-CPN-1)$" err
'
test_expect "R-CPN-1: a percent is from 1% to 99%" '
    grep_q "bad.csv:2: column D (discount): \"0%\" is not a percent from 1% to 99% (R-CPN-1)$" err_bad &&
    grep_q "bad.csv:3: column D (discount): \"100%\" is not a percent from 1% to 99% (R-CPN-1)$" err_bad &&
    for d in 1% 99%; do
        expect_code 0 qs coupon add --dry-run --code P --name p --discount $d --from 2099-01-01 --to 2099-01-02 || exit 1
    done &&
    expect_code 65 qs coupon add --code P --name p --discount 100% --from 2099-01-01 --to 2099-01-02 &&
    grep_q "^qs coupon add: P: --discount: \"100%\" is not a percent from 1% to 99% (R-CPN-1)$" err &&
    test "$(count)" = 8
'
test_expect "R-CPN-1: max_discount only with a percent discount" '
    grep_q "bad.csv:5: column E (max_discount): 300 goes only with a percent discount, and discount 500 is yen off" err_bad &&
    expect_code 65 qs coupon add --code M --name m --discount 500 --max-discount 300 --from 2099-01-01 --to 2099-01-02 &&
    grep_q "^qs coupon add: M: --max-discount: 300 goes only with a percent discount" err &&
    expect_code 0 qs coupon add --dry-run --code M --name m --discount 5% --max-discount 300 --from 2099-01-01 --to 2099-01-02
'
test_expect "R-CPN-1: valid_to after valid_from (a date alone: 00:00 from, 23:59 to)" '
    grep_q "bad.csv:7: column H (valid_to): 2099-06-01 23:59 is not after valid_from 2099-06-30 00:00 (in zone Asia/Tokyo) (R-CPN-1)$" err_bad &&
    grep_q "bad.csv:10: column G (valid_from): \"next week\" is not a time: give YYYY-MM-DD HH:MM, or YYYY-MM-DD" err_bad &&
    expect_code 65 qs coupon add --code T --name t --discount 500 --from "2099-01-01 10:00" --to "2099-01-01 10:00" &&
    grep_q "^qs coupon add: T: --to: 2099-01-01 10:00 is not after valid_from 2099-01-01 10:00" err &&
    expect_code 0 qs coupon add --dry-run --code T --name t --discount 500 --from 2099-01-01 --to 2099-01-01 &&
    expect_code 0 qs coupon add --dry-run --code T --name t --discount 500 --from "2099-01-01 10:00" --to "2099-01-01 10:01"
'
test_expect "R-CPN-1: amounts are not negative, limits are positive" '
    grep_q "bad.csv:6: column F (min_order): \"-100\" is not a whole yen amount of 0 or more (R-CPN-1)$" err_bad &&
    grep_q "bad.csv:12: column E (max_discount): \"-5\" is not a whole yen amount of 1 or more (R-CPN-1)$" err_bad &&
    grep_q "bad.csv:8: column I (issue_limit): \"0\" is not a whole number of 1 or more (empty: no limit) (R-CPN-1)$" err_bad &&
    grep_q "bad.csv:8: column J (per_buyer_limit): \"-1\" is not a whole number of 1 or more" err_bad &&
    expect_code 0 qs coupon add --dry-run --code A --name a --discount 500 --min-order 0 --from 2099-01-01 --to 2099-01-02
'
test_expect "R-CPN-1: qstore_only is yes or no" '
    grep_q "bad.csv:8: column K (qstore_only): \"maybe\" is not yes or no (R-CPN-1)$" err_bad &&
    expect_code 65 qs coupon add --code Y --name y --discount 500 --from 2099-01-01 --to 2099-01-02 --qstore-only 1 &&
    grep_q "^qs coupon add: Y: --qstore-only: \"1\" is not yes or no (R-CPN-1)$" err
'
test_expect "R-CPN-1: a code twice in the file, or already in the shop, is refused (qs coupon edit changes one)" '
    grep_q "bad.csv:9: column B (code): \"B-1\" repeats line 2 (R-CPN-1)$" err_bad &&
    grep_q "bad.csv:10: column B (code): is empty; a coupon needs its code" err_bad &&
    grep_q "bad.csv:11: column B (code): \"SPRING500\" is already a coupon of shop demo; qs coupon edit SPRING500 changes it (R-CPN-1)$" err_bad &&
    expect_code 65 qs coupon add --code WINTER --name w --discount 500 --from 2099-01-01 --to 2099-01-02 &&
    grep_q "^qs coupon add: WINTER: --code: \"WINTER\" is already a coupon of shop demo; qs coupon edit WINTER changes it (R-CPN-1)$" err &&
    test "$(q "select name from coupon where code = '"'"'WINTER'"'"'")" = "冬の10%オフ"
'
test_expect "R-CPN-1: a QSM number names one coupon of the shop" '
    grep_q "bad.csv:14: column A (qsm_no): \"0001234\" is QSM'"'"'s number of coupon SPRING500 of shop demo already (R-CPN-1)$" err_bad &&
    printf "qsm_no,code,name,discount,valid_from,valid_to\n55,Q-1,a,500,2099-01-01,2099-01-02\n55,Q-2,b,500,2099-01-01,2099-01-02\n" >qsm.csv &&
    expect_code 65 qs coupon add qsm.csv &&
    grep_q "^qs coupon add: qsm.csv:3: column A (qsm_no): \"55\" repeats line 2 (R-CPN-1)$" err
'
test_expect "R-CPN-1: a workbook's errors name the cell (file.xlsx:Sheet1!D2)" '
    python3 "$QS_SRC/tests/tools/csv2xlsx.py" bad.xlsx "$F/book-bad.csv" &&
    expect_code 65 qs coupon add bad.xlsx && empty out &&
    grep_q "^qs coupon add: bad.xlsx:Sheet1!C2: column C (discount): \"150%\" is not a percent from 1% to 99% (R-CPN-1)$" err &&
    grep_q "^qs coupon add: bad.xlsx:Sheet1!E3: column E (valid_to): 2099-07-01 23:59 is not after valid_from 2099-07-31 00:00" err &&
    grep_q "^qs coupon add: bad.xlsx:Sheet1!G3: column G (qstore_only): \"perhaps\" is not yes or no (R-CPN-1)$" err &&
    test "$(count)" = 8
'
test_expect "R-CPN-1: a header without a required column is said once; a JSON line without one names the field" '
    printf "code,name,discount\nH-1,h,500\nH-2,h,500\n" >nohead.csv &&
    expect_code 65 qs coupon add nohead.csv &&
    grep_q "^qs coupon add: nohead.csv:1: the header has no valid_from column (a required field) (R-CPN-1)$" err &&
    test "$(grep -c valid_to err)" = 1 &&
    echo "{\"code\":\"H-3\",\"name\":\"h\",\"discount\":\"5%\",\"valid_from\":\"2099-01-01\"}" >h.jsonl &&
    expect_code 65 qs coupon add h.jsonl &&
    grep_q "^qs coupon add: h.jsonl:1: field \"valid_to\": is missing; give YYYY-MM-DD HH:MM or YYYY-MM-DD (R-CPN-1)$" err &&
    test "$(count)" = 8
'
test_expect "R-CPN-1: add by options needs its fields, or a file, not both (64)" '
    expect_code 64 qs coupon add --code Z --discount 500 &&
    grep_q "needs --name, --from, --to too" err &&
    expect_code 64 qs coupon add --code Z --name z --discount 500 --from 2099-01-01 --to 2099-01-02 "$F/good.csv" &&
    grep_q "not both" err && test "$(count)" = 8
'
test_expect "R-CPN-1: --dry-run checks and prints, and writes nothing" '
    q "select * from coupon order by id" >before &&
    sed "s/J-/DRY-/; s/3001/3999/" "$F/good.jsonl" >dry.jsonl &&
    expect_code 0 qs coupon add --dry-run dry.jsonl &&
    printf "code,qsm_no,state\nDRY-1,,upcoming\nDRY-2,3999,upcoming\n" >expect && test_cmp expect out &&
    grep_q "dry run, nothing written: would add 2 coupons from dry.jsonl to shop demo" err &&
    q "select * from coupon order by id" >after && test_cmp before after
'
test_expect "R-CPN-1: edit sets the QSM number later, and changes fields" '
    expect_code 0 qs coupon edit SPRING10 --qsm-no 4001 --name "Spring 10% (capped)" &&
    printf "code,qsm_no,state\nSPRING10,4001,upcoming\n" >expect && test_cmp expect out &&
    grep_q "changed coupon SPRING10 of shop demo" err &&
    test "$(q "select qsm_no || '"'"'|'"'"' || name || '"'"'|'"'"' || max_discount from coupon where code = '"'"'SPRING10'"'"'")" = "4001|Spring 10% (capped)|1000" &&
    expect_code 0 qs coupon edit SPRING10 --to 2099-04-15 --tz UTC &&
    test "$(q "select valid_to from coupon where code = '"'"'SPRING10'"'"'")" = 2099-04-15T23:59:00Z
'
test_expect "R-CPN-1: edit checks the coupon as a whole; empty clears an optional field" '
    expect_code 65 qs coupon edit SPRING10 --discount 700 && empty out &&
    grep_q "^qs coupon edit: SPRING10: --max-discount: 1000 goes only with a percent discount, and discount 700 is yen off" err &&
    grep_q "^qs coupon edit: SPRING10: 1 error; the coupon is not changed (R-CPN-1)$" err &&
    test "$(q "select discount_kind from coupon where code = '"'"'SPRING10'"'"'")" = percent &&
    expect_code 0 qs coupon edit SPRING10 --discount 700 --max-discount "" &&
    test "$(q "select discount_kind || discount || coalesce(max_discount, '"'"'-'"'"') from coupon where code = '"'"'SPRING10'"'"'")" = yen700- &&
    expect_code 65 qs coupon edit SPRING10 --qsm-no 2001 &&
    grep_q "\"2001\" is QSM'"'"'s number of coupon FANS5 of shop demo already (R-CPN-1)$" err &&
    expect_code 65 qs coupon edit SPRING10 --from 2099-05-01 &&
    grep_q "^qs coupon edit: SPRING10: --from: 2099-05-01 00:00 is not before valid_to" err &&
    expect_code 65 qs coupon edit SPRING10 --name "" && grep_q -- "--name: is empty" err
'
test_expect "R-CPN-1: edit of an unknown code is refused naming it (65); nothing to change is 64" '
    expect_code 65 qs coupon edit NOPE --qsm-no 1 && empty out &&
    grep_q "^qs coupon edit: NOPE: shop demo has no coupon \"NOPE\"" err &&
    expect_code 64 qs coupon edit SPRING10 && grep_q "nothing to change" err &&
    expect_code 0 qs coupon edit SPRING10 --dry-run --qsm-no 9999 &&
    grep_q "^SPRING10,9999,upcoming$" out &&
    test "$(q "select qsm_no from coupon where code = '"'"'SPRING10'"'"'")" = 4001
'
test_expect "R-CPN-1: list shows every column, times in the run's zone, and pushes" '
    expect_code 0 qs coupon list &&
    head -n 1 out >head &&
    echo "code,qsm_no,name,discount,max_discount,min_order,valid_from,valid_to,issue_limit,per_buyer_limit,qstore_only,state,pushes,created_at,updated_at" >expect &&
    test_cmp expect head &&
    test "$(wc -l <out)" = 9 &&
    grep_q "^WINTER,,冬の10%オフ,10%,1000,2000,2099-12-01 00:00,2099-12-31 22:00,500,1,yes,upcoming,0,20" out &&
    grep_q "^SPRING500,0001234,春の500円オフ,500,,3000,2099-03-01 10:00,2099-03-31 23:59,1000,1,no,upcoming,0," out &&
    expect_code 0 qs coupon list --tz UTC &&
    grep_q "^SPRING500,0001234,春の500円オフ,500,,3000,2099-03-01 01:00,2099-03-31 14:59," out &&
    expect_code 0 qs --format json coupon list &&
    grep_q "^{\"code\":\"FANS5\",\"qsm_no\":\"2001\",\"name\":\"Fans 5%\",\"discount\":\"5%\",\"max_discount\":null,\"min_order\":0,\"valid_from\":\"2099-04-01 00:00\",\"valid_to\":\"2099-04-30 23:59\",\"issue_limit\":null,\"per_buyer_limit\":2,\"qstore_only\":\"no\",\"state\":\"upcoming\",\"pushes\":0," out
'
test_expect "R-CPN-1: the state follows the validity period" '
    expect_code 0 qs coupon add --code OLD --name o --discount 100 --from 2020-01-01 --to 2020-01-31 &&
    grep_q "^OLD,,expired$" out &&
    expect_code 0 qs coupon add --code NOW --name n --discount 100 --from 2020-01-01 --to 2099-01-31 &&
    grep_q "^NOW,,valid$" out
'
test_expect "R-CPN-1: show prints one coupon; an unknown code is 65, named" '
    expect_code 0 qs coupon show FANS5 --format json &&
    test "$(wc -l <out)" = 1 && grep_q "^{\"code\":\"FANS5\",\"qsm_no\":\"2001\"," out &&
    expect_code 65 qs coupon show NOPE && empty out &&
    grep_q "^qs coupon show: NOPE: shop demo has no coupon \"NOPE\"; qs coupon list lists its coupons" err &&
    expect_code 64 qs coupon show
'
test_expect "R-CPN-1: list output adds back as it is (another store)" '
    qs coupon list >all.csv &&
    QS_STORE="$TRASH/copy.db" qs init --shop demo >/dev/null 2>&1 &&
    QS_STORE="$TRASH/copy.db" expect_code 0 qs coupon add all.csv &&
    QS_STORE="$TRASH/copy.db" qs coupon list | cut -d, -f1-13 >copy.csv &&
    cut -d, -f1-13 all.csv >orig.csv && test_cmp orig.csv copy.csv
'
test_expect "R-CPN-1: codes and QSM numbers are per shop: another shop may use the same" '
    qs init --shop other >/dev/null 2>&1 &&
    expect_code 0 qs --shop other coupon add "$F/good.jsonl" &&
    test "$(q "select count(*) from coupon where code = '"'"'J-1'"'"'")" = 2 &&
    expect_code 0 qs --shop other coupon list && test "$(wc -l <out)" = 3
'
test_done

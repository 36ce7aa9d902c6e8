#!/usr/bin/env bash
# qs inbound ship (R-INB-6) and the cut-offs (R-INB-7): other-platform shipments in QSM's
# form checked whole, reference order numbers once per shop, timed delivery, the expected
# ship date at 12:59 / 13:00 JST and over weekends, holidays and the closures of
# qs stock calendar; the hand-off in QSM's other-platform form.
. "$(dirname "$0")/lib.sh"

A=300001289771-00003 B=300001289771-00004
head='卖家SKU代码,Q库存-详情号码,Q-详细库存名,库存总量,价格,货币,链接商品数,Qxpress分店数量'
printf '%s\nA,%s,a,10,0,JPY,1,2\nB,%s,b,10,0,JPY,1,0\n' "$head" $A $B >snap.csv
cols=ref_order_no,item_name,recipient,recipient_tel,zip,address,ref_price,q_sku,qty
# row REF [SKU] [extra columns]: one good row.
row() { echo "$1,T-shirt,山田太郎,03-1234-5678,100-0001,東京都千代田区1-1,1980,${2:-$A},1${3:-}"; }
# ship_at "YYYY-MM-DD HH:MM:SS" (Japan) FILE [ARGS]: qs inbound ship at that time.
ship_at() { local t=$1 f=$2; shift 2; QS_NOW="$t +09:00" qs inbound ship "$@" "$f"; }
# col NAME: the column NAME of the report (out) without its header.
col() { awk -F, -v n="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next } { print $c }' out; }
refs() { sqlite3 "$QS_STORE" "SELECT count(*) FROM inbound_ship_ref"; }

test_expect 'setup: a shop and its Q-inventory' '
    qs -q init --shop demo >/dev/null &&
    qs -q stock import snap.csv >/dev/null
'
test_expect 'R-INB-7 an other-platform order registered at 12:59 JST on a weekday ships that day' '
    { echo $cols; row R1259; } >a.csv &&
    expect_code 0 ship_at "2026-07-15 12:59:59" a.csv &&
    test "$(col ship_date)" = 2026-07-15 && test "$(col result)" = handed-off
'
test_expect 'R-INB-7 at 13:00 JST it ships the next warehouse day, a Friday 13:00 order on the Monday' '
    { echo $cols; row R1300; } >b.csv && { echo $cols; row RFRI; } >c.csv &&
    { echo $cols; row RHOL; } >d.csv &&
    expect_code 0 ship_at "2026-07-15 13:00:00" b.csv && test "$(col ship_date)" = 2026-07-16 &&
    expect_code 0 ship_at "2026-07-10 13:00:00" c.csv && test "$(col ship_date)" = 2026-07-13 &&
    expect_code 0 ship_at "2026-07-17 13:00:00" d.csv && test "$(col ship_date)" = 2026-07-21
'
test_expect 'R-INB-7 qs stock calendar: closures entered move the ship date' '
    printf "date,until,kind,note\n2026-08-03,2026-08-04,closed,stocktaking\n2026-06-01,2026-06-12,may-be-late,メガ割\n" >cal.csv &&
    expect_code 0 qs stock calendar cal.csv &&
    { echo $cols; row RCLOSED; } >e.csv &&
    expect_code 0 ship_at "2026-07-31 13:00:00" e.csv && test "$(col ship_date)" = 2026-08-05 &&
    QS_NOW="2026-07-31 13:00:00 +09:00" expect_code 0 qs stock calendar --days 7 &&
    grep_q "^2026-08-03,mon,no,stocktaking," out && grep_q "^2026-08-01,sat,no,saturday," out &&
    grep_q "ships 2026-08-05" err &&
    expect_code 0 qs stock calendar --closures && grep_q "^2026-08-03,2026-08-04,closed,stocktaking" out
'
test_expect 'R-INB-7 estimates in busy periods are marked may be late (the calendar, the year end)' '
    { echo $cols; row RMEGA; } >f.csv && { echo $cols; row RYEAR; } >g.csv &&
    expect_code 0 ship_at "2026-06-03 10:00:00" f.csv && test "$(col may_be_late)" = yes &&
    grep_q "may be late: メガ割" out &&
    expect_code 0 ship_at "2026-12-28 10:00:00" g.csv && test "$(col may_be_late)" = yes
'
test_expect 'R-INB-7 qs stock calendar reports every bad record and writes nothing (65)' '
    printf "date,until,kind,note\n2026-02-30,,closed,x\n2026-08-10,2026-08-01,closed,y\n2026-08-10,,shut,z\n" >bad.csv &&
    expect_code 65 qs stock calendar bad.csv &&
    grep_q "bad.csv:2:.*2026-02-30" err && grep_q "bad.csv:3:.*before date" err &&
    grep_q "bad.csv:4:.*shut" err &&
    expect_code 0 qs stock calendar --closures && test "$(wc -l <out)" = 3
'
test_expect 'R-INB-7 qs stock calendar refuses a period given twice and a note with a control character (65), writes nothing' '
    printf "date,until,kind,note\n2026-09-01,,closed,a\n2026-09-01,,closed,b\n2026-09-07,,closed,\"x\033[2J\"\n" >dup.csv &&
    expect_code 65 qs stock calendar dup.csv &&
    grep_q "dup.csv:3: the period repeats line 2; give it once (R-INB-7)" err &&
    grep_q "dup.csv:4: the note holds the control character U+001B (escape) at character 2; remove it (R-INB-7)" err &&
    expect_code 0 qs stock calendar --closures && ! grep -q "^2026-09" out
'
test_expect 'R-INB-6 a control character in a cell (the reference order number, the address) is refused, nothing registered' '
    n=$(refs) && { echo $cols; row "$(printf "RCTL\033[2J")"; printf "RCTL2,T-shirt,山田太郎,03-1234-5678,100-0001,\"東京都\n千代田区\",1980,%s,1\n" "$A"; } >ctl.csv &&
    expect_code 65 qs inbound ship ctl.csv &&
    grep_q "ctl.csv:2: RCTL\\\\x1b\[2J: ref_order_no holds the control character U+001B (escape) at character 5; remove it (R-INB-6)" err &&
    grep_q "ctl.csv:3: RCTL2: address holds the control character U+000A (line feed)" err &&
    test "$(refs)" = "$n"
'
test_expect 'R-INB-6 the same reference order number twice in one file is refused, nothing registered' '
    n=$(refs) && { echo $cols; row RDUP1; row RDUP2; row RDUP1; } >dup.csv &&
    expect_code 65 ship_at "2026-07-15 10:00:00" dup.csv &&
    grep_q "dup.csv:4: RDUP1: reference order number RDUP1 repeats line 2" err &&
    test "$(refs)" = "$n"
'
test_expect 'R-INB-6 a reference registered by an earlier run is refused; --resend registers it again' '
    expect_code 65 ship_at "2026-07-20 10:00:00" a.csv &&
    grep_q "R1259 was registered on" err && grep_q "(R-INB-6)" err &&
    expect_code 0 ship_at "2026-07-21 10:00:00" a.csv --resend &&
    test "$(sqlite3 "$QS_STORE" "SELECT group_concat(key) FROM inbound_ship_ref WHERE ref_order_no = '"'"'R1259'"'"'")" = "R1259,R1259#2"
'
test_expect 'R-INB-6 every required column is checked, each row reported' '
    for c in ref_order_no item_name recipient recipient_tel zip address ref_price q_sku qty; do
        { echo $cols; row RREQ; } | awk -F, -v OFS=, -v c=$c "NR == 1 { for (i = 1; i <= NF; i++) if (\$i == c) k = i; print; next } { \$k = \"\"; print }" >req.csv &&
        expect_code 65 ship_at "2026-07-15 10:00:00" req.csv &&
        grep_q "$c is required and empty (R-INB-6)" err || exit 1
    done &&
    printf "ref_order_no,item_name\nX,y\n" >cols.csv && expect_code 65 qs inbound ship cols.csv &&
    grep_q "no recipient_tel column" err && grep_q "no q_sku column" err
'
test_expect 'R-INB-6 JP only, zip 7 digits, whole yen, a positive qty, the branch, a known q_sku' '
    { echo $cols,ship_country,dest_country,branch
      echo "V1,T,山田,03-1234-5678,100-0001,住所,1980,$A,1,KR,,"
      echo "V2,T,山田,03-1234-5678,100-0001,住所,1980,$A,1,,US,"
      echo "V3,T,山田,03-1234-5678,1000-001,住所,1980,$A,1,,,"
      echo "V4,T,山田,03-1234-5678,100-0001,住所,19.80,$A,1,,,"
      echo "V5,T,山田,03-1234-5678,100-0001,住所,1980,$A,0,,,"
      echo "V6,T,山田,03-1234-5678,100-0001,住所,1980,$A,1,,,Qxpress KR Seoul"
      echo "V7,T,山田,03-1234-5678,100-0001,住所,1980,300009999999-00001,1,,,"
      echo "V8,T,山田,12,100-0001,住所,1980,$A,1,,,"
      echo "V9,T,山田,03-1234-5678,１００-０００１,住所,1980,$A,1,,jp,qxpress jp tokyo"
    } >v.csv &&
    expect_code 65 ship_at "2026-07-15 10:00:00" v.csv &&
    grep_q "V1: ship_country \"KR\" is not JP" err && grep_q "V2: dest_country \"US\" is not JP" err &&
    grep_q "V3: zip \"1000-001\"" err && grep_q "V4: ref_price \"19.80\" is not whole yen" err &&
    grep_q "V5: qty \"0\" is not a positive" err && grep_q "V6: branch \"Qxpress KR Seoul\"" err &&
    grep_q "V7: q_sku 300009999999-00001 is not in the shop" err && grep_q "V8: recipient_tel" err &&
    test -z "$(grep "V9:" err | grep -v "V9: warning")" && grep_q "V9: warning: zip" err &&
    grep_q "8 bad rows of 9; nothing registered" err
'
test_expect 'R-INB-6 timed delivery: Sagawa only, never Nekopos, within two days of the ship date' '
    tc=$cols,carrier,delivery_date,delivery_time &&
    { echo $tc; row T1 $A ,nekopos,2026-07-16,14-16; row T2 $A ,,2026-07-16,14-16
      row T3 $A ,sagawa,2026-07-19,14-16; row T4 $A ,sagawa,2026-07-14,14-16
      row T5 $A ,sagawa,2026-07-16,16-14; row T6 $A ,sagawa,2026-07-16,; } >t.csv &&
    expect_code 65 ship_at "2026-07-15 13:30:00" t.csv &&
    grep_q "T1: timed delivery is never by Nekopos" err && grep_q "T2: timed delivery is only by Sagawa" err &&
    grep_q "T3: delivery_date 2026-07-19 is not between the ship date 2026-07-16 and two days after it" err &&
    grep_q "T4: delivery_date 2026-07-14 is not between" err && grep_q "T5: delivery_time \"16-14\"" err &&
    grep_q "T6: timed delivery needs both" err &&
    { echo $tc; row T7 $A ,佐川急便,2026-07-18,14-16; } >t7.csv &&
    expect_code 0 ship_at "2026-07-15 13:30:00" t7.csv &&
    grep_q "T7: warning: timed delivery 2026-07-18 14-16 is written into memo; the carrier may not honour it" err &&
    dir=$(col ref) && grep_q "配送指定: 2026-07-18 14-16" "$dir/checklist.csv"
'
test_expect 'R-INB-6 --skip-bad registers the good rows and writes the bad ones to --rejects' '
    { echo $cols; row SK1; row SK2 300009999999-00001; row SK3; } >sk.csv &&
    expect_code 1 ship_at "2026-07-15 10:00:00" sk.csv --skip-bad --rejects rej.csv &&
    test "$(col result | sort | uniq -c | tr -s " " | sed "s/^ //" | tr "\n" ";")" = "2 handed-off;1 rejected;" &&
    grep_q "^3,SK2,.*not in the shop" rej.csv &&
    test "$(sqlite3 "$QS_STORE" "SELECT count(*) FROM inbound_ship_ref WHERE ref_order_no LIKE '"'"'SK%'"'"'")" = 2
'
test_expect 'R-INB-6 the hand-off is QSM'"'"'s other-platform form: its labels in its order, one row' '
    { echo $cols; row FORM1 "300001289771-4"; } >form.csv &&
    expect_code 0 ship_at "2026-07-15 10:00:00" form.csv &&
    grep_q "option code restored" err &&
    dir=$(col ref) && "$QS_RECCAT" "$dir"/other-platform-1.xlsx >form.out &&
    grep_q "^参考订购号码,商品代码,商品名,运送方式,发货国家," form.out &&
    grep_q "^FORM1,,T-shirt,一般（可以运送追踪）,JP,.*,Qxpress JP Tokyo,300001289771-00004,.*,1\$" form.out &&
    test "$(wc -l <form.out)" = 2
'
test_expect 'R-INB-6 --csv writes the form in CP932; a label CP932 cannot hold goes by its key' '
    { echo $cols,ship_method; row FORM2 "" ",一般"; } >form2.csv &&
    expect_code 0 ship_at "2026-07-15 10:00:00" form2.csv --csv &&
    dir=$(col ref) && iconv -f CP932 -t UTF-8 "$dir"/other-platform-1.csv | tr -d "\r" >form2.out &&
    grep_q "^ref_order_no,item_code,商品名,ship_method,ship_country," form2.out &&
    grep_q ",数量\$" form2.out && grep_q "^FORM2,,T-shirt,一般,JP," form2.out
'
test_expect 'R-INB-6 rows handed off together go into one bulk form, not one form per row' '
    { echo $cols; row BULK1; row BULK2; row BULK3; } >bulk.csv &&
    expect_code 0 ship_at "2026-07-15 10:00:00" bulk.csv &&
    dir=$(col ref | sort -u) && test "$(echo "$dir" | wc -l)" = 1 &&
    test "$(ls "$dir" | grep -c "^other-platform-.*\.xlsx\$")" = 1 &&
    "$QS_RECCAT" "$dir"/other-platform-*.xlsx >bulk.out && test "$(wc -l <bulk.out)" = 4 &&
    grep_q "^BULK1," bulk.out && grep_q "^BULK2," bulk.out && grep_q "^BULK3," bulk.out
'
test_done

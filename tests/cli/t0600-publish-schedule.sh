#!/usr/bin/env bash
# qs publish: selection, now/at/every/spread across DST in any zone, past times refused,
# cancel, undo of schedules, categories, profiles, check, copy, list
# (SPEC 2.3: R-PUB-2, R-PUB-3, R-PUB-4, R-PUB-5, R-PUB-6, R-PUB-8, R-PUB-10, R-PUB-12,
# R-PUB-13, R-PUB-14, R-PUB-15, R-IMP-9, R-IMP-10).
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"
. "$QS_SRC/tests/cli/publish-lib.sh"

qs -q init --shop demo >/dev/null
gen_catalog 30
qs -q import products --group spring catalog.csv >/dev/null
pub_profile

# publish_at SKU: the stored UTC time of a product.
at_of() { sql "SELECT publish_at FROM product WHERE parent_sku = '$1'"; }

test_expect 'R-PUB-4: spread of 30 products over 60 minutes: one every 2 minutes, in --tz' '
    expect_code 0 qs --tz UTC publish spread --from "2030-01-15 11:00" --to "2030-01-15 12:00" --group spring &&
    test "$(($(wc -l <out) - 1))" = 30 &&
    grep_q "^P001,scheduled,2030-01-15 11:00:00 +00:00,1\$" out &&
    grep_q "^P002,scheduled,2030-01-15 11:02:00 +00:00,1\$" out &&
    grep_q "^P030,scheduled,2030-01-15 11:58:00 +00:00,1\$" out &&
    grep_q "scheduled 30 products in batch 1" err &&
    sql "SELECT publish_at FROM product ORDER BY publish_at" >times &&
    test "$(sort -u times | wc -l)" = 30 &&
    test "$(head -1 times)" = 2030-01-15T11:00:00Z && test "$(tail -1 times)" = 2030-01-15T11:58:00Z &&
    test "$(sql "SELECT count(*) FROM product WHERE state = '"'"'scheduled'"'"'")" = 30
'

test_expect 'R-PUB-3: every 1 --from T gives T, T+1m, ... in the order given' '
   
    expect_code 65 qs --tz UTC publish every 1 --from "2030-02-01 09:00" P003 P001 P002-none &&
    grep_q "SKU \"P002-none\" is not in the catalog of shop demo" err &&
    test "$(at_of P003)" = 2030-01-15T11:04:00Z &&
    expect_code 0 qs --tz UTC publish every 1 --from "2030-02-01 09:00" P003 P001-B P002 P001-R &&
    test "$(($(wc -l <out) - 1))" = 3 &&
    test "$(at_of P003)" = 2030-02-01T09:00:00Z &&
    test "$(at_of P001)" = 2030-02-01T09:01:00Z &&
    test "$(at_of P002)" = 2030-02-01T09:02:00Z
'

test_expect 'R-PUB-4: a spread across the spring DST change in America/Los_Angeles lands on the right UTC instants' '
    expect_code 0 qs --tz America/Los_Angeles publish spread --from "2030-03-10 01:00" --to "2030-03-10 04:00" P004 P005 P006 P007 &&
    grep_q "^P004,scheduled,2030-03-10 01:00:00 -08:00," out &&
    grep_q "^P005,scheduled,2030-03-10 01:30:00 -08:00," out &&
    grep_q "^P006,scheduled,2030-03-10 03:00:00 -07:00," out &&
    grep_q "^P007,scheduled,2030-03-10 03:30:00 -07:00," out &&
    test "$(at_of P004) $(at_of P005) $(at_of P006) $(at_of P007)" = "2030-03-10T09:00:00Z 2030-03-10T09:30:00Z 2030-03-10T10:00:00Z 2030-03-10T10:30:00Z"
'

test_expect 'R-PUB-3: every 30 minutes across the autumn DST change in America/Los_Angeles, shown in the zone asked' '
    expect_code 0 qs --tz America/Los_Angeles publish every 30 --from "2030-11-03 00:30" P008 P009 P010 P011 &&
    grep_q "^P010,scheduled,2030-11-03 01:30:00 -07:00," out &&
    grep_q "^P011,scheduled,2030-11-03 01:00:00 -08:00," out &&
    test "$(at_of P011)" = 2030-11-03T09:00:00Z
'

test_expect 'R-PUB-5: times in the past are refused, nothing changes; now is accepted; any IANA zone' '
    sql "SELECT parent_sku, state, publish_at, batch FROM product" >before &&
    expect_code 64 qs publish at "2020-01-01 10:00" P012 &&
    grep_q "TIME 2020-01-01 10:00 is in the past .*(R-PUB-5)" err &&
    expect_code 64 qs publish spread --from "2021-05-01 10:00" --to "2031-01-01 10:00" P012 &&
    grep_q "\-\-from 2021-05-01 10:00 is in the past" err &&
    expect_code 64 qs publish every 5 --from "2019-12-31 23:59" P012 &&
    expect_code 64 qs --tz Mars/Olympus publish at "2031-01-01 10:00" P012 &&
    sql "SELECT parent_sku, state, publish_at, batch FROM product" >after && test_cmp before after &&
    expect_code 0 qs --tz Asia/Kolkata publish at "2031-01-01 10:00" P012 &&
    grep_q "^P012,scheduled,2031-01-01 10:00:00 +05:30," out &&
    test "$(at_of P012)" = 2031-01-01T04:30:00Z &&
    expect_code 0 qs --dry-run publish at now P013 && test "$(at_of P013)" = 2030-01-15T11:24:00Z
'

test_expect 'R-PUB-2: at TIME gives every selected product one time; records on stdin select' '
    printf "sku,whatever\nP014,x\nP015,y\nP015,y\n" | qs publish at "2031-06-01 08:00" - >out 2>err &&
    test "$(($(wc -l <out) - 1))" = 2 &&
    test "$(at_of P014)" = 2031-05-31T23:00:00Z && test "$(at_of P015)" = 2031-05-31T23:00:00Z &&
    printf "{\"parent_sku\":\"P016\"}\n" | qs publish at "2031-06-01 08:00" >out 2>err &&
    test "$(at_of P016)" = 2031-05-31T23:00:00Z &&
    printf "order_no\n1\n" | qs publish at "2031-06-01 08:00" >out 2>err; test $? = 65 &&
    grep_q "no sku or parent_sku column" err
'

test_expect 'R-PUB-8: qs publish list writes the qs template, times in --tz; its output selects (list | spread)' '
    qs --tz UTC publish list --state scheduled --group spring >list.csv &&
    head -1 list.csv | grep_q "^parent_sku,sku,title,description,tags" - &&
    grep_q "^P012,P012,Product 12,.*,scheduled,2031-01-01 04:30:00,," list.csv &&
    qs publish list --state pending >pending.csv && test "$(wc -l <pending.csv)" = 1 &&
    qs --tz UTC publish list --group spring | qs --tz UTC publish spread --from "2032-01-01 00:00" --to "2032-01-01 00:30" >out 2>err &&
    test "$(($(wc -l <out) - 1))" = 30 && grep_q "^P002,scheduled,2032-01-01 00:01:00 +00:00," out
'

test_expect 'R-PUB-6: cancel returns scheduled products to pending; others are left with a warning' '
    qs -q publish cancel P001 P002 >out &&
    test "$(sql "SELECT state || coalesce(publish_at, \"-\") FROM product WHERE parent_sku IN (\"P001\", \"P002\")" | sort -u)" = pending- &&
    expect_code 0 qs publish cancel P001 P003 &&
    grep_q "warning: Parent SKU \"P001\" is pending, not scheduled (R-PUB-6)" err &&
    grep_q "^P003,pending,," out
'

test_expect 'R-PUB-13: undo of a cancel restores the schedule; undo of a schedule restores the previous state; never twice' '
    b=$(sql "SELECT max(id) FROM catalog_batch WHERE kind = '"'"'cancel'"'"'") &&
    expect_code 0 qs publish undo "$b" &&
    grep_q "^P003,scheduled,ok,restored\$" out &&
    test "$(at_of P003)" = 2032-01-01T00:02:00Z &&
    expect_code 64 qs publish undo "$b" && grep_q "batch $b was undone already .*(R-PUB-13)" err &&
    expect_code 64 qs publish undo 9999 && grep_q "no batch 9999" err &&
    qs -q publish at "2033-01-01 00:00" P020 >/dev/null &&
    b2=$(sql "SELECT max(id) FROM catalog_batch") &&
    expect_code 0 qs publish undo "$b2" &&
    test "$(at_of P020)" = 2032-01-01T00:19:00Z &&
    test "$(sql "SELECT count(*) FROM catalog_change WHERE batch = $b2")" -ge 4
'

test_expect 'R-PUB-12: a product without a leaf category is refused before any call; category GROUP|SKU CODE sets one' '
    qs -q publish profile SecondSubCat= >/dev/null &&
    expect_code 65 qs publish at "2033-01-01 00:00" P021 &&
    grep_q "P021: Parent SKU \"P021\" has no Qoo10 leaf category; set one with qs publish category spring CODE (R-PUB-12)" err &&
    grep_q "nothing was scheduled" err &&
    expect_code 64 qs publish category spring 12345 && grep_q "(R-PUB-12)" err &&
    expect_code 64 qs publish category nosuch 123456789 && grep_q "no group, SKU or Parent SKU named \"nosuch\"" err &&
    expect_code 0 qs publish category P021-B 100000021 && grep_q "product P021-B has category 100000021" err &&
    test "$(sql "SELECT category FROM product WHERE parent_sku = '"'"'P021'"'"'")" = 100000021 &&
    expect_code 0 qs publish category spring 320001234 &&
    test "$(sql "SELECT category FROM product_group WHERE name = '"'"'spring'"'"'")" = 320001234 &&
    expect_code 0 qs publish at "2033-01-01 00:00" P021 P022
'

test_expect 'R-PUB-15: profiles: set, shown, checked, per group and product; required fields named before any call' '
    expect_code 64 qs publish profile ExpireDate=2031-01-01 && grep_q "after 2030-12-31.*(R-PUB-14)" err &&
    expect_code 64 qs publish profile TaxRate=5 && grep_q "TaxRate \"5\" is not S" err &&
    expect_code 64 qs publish profile Colour=red && grep_q "\"Colour\" is not a profile field" err &&
    expect_code 0 qs publish profile overseas ProductionPlaceType=2 ProductionPlace=CN ShippingNo=480001 &&
    printf "profile,field,value\noverseas,ShippingNo,480001\noverseas,ProductionPlaceType,2\noverseas,ProductionPlace,CN\n" >want && test_cmp want out &&
    expect_code 0 qs publish profile overseas --group spring &&
    test "$(sql "SELECT profile FROM product_group WHERE name = '"'"'spring'"'"'")" = overseas &&
    expect_code 0 qs publish profile bad ProductionPlaceType=1 ProductionPlace=tokyo &&
    expect_code 0 qs publish profile bad --sku P023 &&
    expect_code 65 qs publish at "2033-01-01 00:00" P023 &&
    grep_q "ProductionPlace \"tokyo\" does not fit ProductionPlaceType 1 .*(R-PUB-15)" err &&
    expect_code 0 qs publish profile --brand "Sakura Living=12345" --brands &&
    grep_q "^Sakura Living,12345\$" out &&
    expect_code 0 qs publish profile && grep_q "^default,ProductionPlaceType,1\$" out && grep_q "^bad,ProductionPlace,tokyo\$" out
'

test_expect 'R-PUB-14: check lists every problem without any call; publish refuses the group' '
    printf "%s\n" "Parent SKU,SKU,Title,Description,Tags,Price,Shipping,Quantity,Main Image URL,Color" \
        "LONG,LONG,$(printf "%0101d" 0),d,t,1000,0,1,https://img.example.jp/l.jpg," \
        "SEP,SEP-A,Bad \$\$ title,d,t,1000,0,1,https://img.example.jp/s.jpg,Red" \
        "SEP,SEP-B,Bad \$\$ title,d,t,1000,0,1,https://img.example.jp/s.jpg,Red" \
        "SPREAD,SPREAD-1,Spread,d,t,1000,0,1,https://img.example.jp/p.jpg,Red" \
        "SPREAD,SPREAD-2,Spread,d,t,1600,0,1,https://img.example.jp/p.jpg,Blue" \
        "WORD,WORD,Genuine replica watch,d,t,1000,0,1,https://img.example.jp/w.jpg," >bad.csv &&
    qs -q import products --group bad bad.csv >/dev/null 2>&1 &&
    printf "replica\n" | qs -q import words - &&
    expect_code 1 qs publish check --group bad &&
    grep_q "^LONG,,R-PUB-14,ItemTitle,\"title of Parent SKU \"\"LONG\"\" has 101 characters" out &&
    grep_q "^SEP,,R-PUB-14,Title," out &&
    grep_q "4 products checked" err &&
    expect_code 65 qs publish now --group bad &&
    test "$(sql "SELECT count(*) FROM product WHERE grp = '"'"'bad'"'"' AND state <> '"'"'pending'"'"'")" = 0 &&
    expect_code 0 qs publish check P001
'

test_expect 'R-PUB-11: check reports two SKUs of one product with the same options' '
    expect_code 1 qs publish check --group bad &&
    grep_q "^SEP,SEP-B,R-PUB-11,Color/Size,\"SKU \"\"SEP-B\"\" has the same options as SKU \"\"SEP-A\"\"" out
'

test_expect 'R-IMP-9: check reports a product whose variant prices spread over 1.5x' '
    expect_code 1 qs publish check --group bad &&
    grep_q "^SPREAD,SPREAD-2,R-IMP-9,Price," out && ! grep -q "^SEP,.*R-IMP-9" out
'

test_expect 'R-IMP-10: check reports a sensitive word with its field' '
    expect_code 1 qs publish check --group bad &&
    grep_q "^WORD,,R-IMP-10,title,\"title holds the sensitive word \"\"replica\"\"\"" out
'

test_expect 'R-PUB-10: copy duplicates products as new pending ones with a suffix on Parent SKU and SKU; undo removes them' '
    expect_code 0 qs publish copy --suffix -c P001 P002 &&
    printf "sku,parent_sku,state\nP001-R-c,P001-c,pending\nP001-B-c,P001-c,pending\nP002-c,P002-c,pending\n" >want && test_cmp want out &&
    test "$(sql "SELECT coalesce(item_code, \"none\") || state FROM product WHERE parent_sku = \"P001-c\"")" = nonepending &&
    expect_code 65 qs publish copy --suffix -c P001 && grep_q "the copy.s Parent SKU \"P001-c\" is in the catalog already (R-PUB-10)" err &&
    b=$(sql "SELECT max(id) FROM catalog_batch WHERE kind = '"'"'copy'"'"'") &&
    expect_code 0 qs publish undo "$b" &&
    grep_q "^P001-c,deleted,ok,deleted (the copy)\$" out &&
    test "$(sql "SELECT count(*) FROM product WHERE parent_sku LIKE '"'"'%-c'"'"'")" = 0
'

test_expect 'selection: unknown SKUs are named and nothing changes; a selection is needed; --state filters' '
    sql "SELECT parent_sku, state, publish_at FROM product" >before &&
    expect_code 65 qs publish at "2033-01-01 00:00" P024 NOPE1 NOPE2 &&
    grep_q "SKU \"NOPE1\" is not in the catalog of shop demo" err && grep_q "2 unknown SKUs; nothing was changed" err &&
    expect_code 64 qs publish at "2033-01-01 00:00" </dev/null &&
    grep_q "name the products" err &&
    sql "SELECT parent_sku, state, publish_at FROM product" >after && test_cmp before after &&
    expect_code 0 qs publish cancel --state scheduled --group bad && grep_q "nothing to do" err
'
test_expect 'issue 8 item 20, R-PUB-4: a window of two HH:MM times is one window: --from already past moves it all to tomorrow (said on stderr); --to not later crosses midnight' '
    z=$(noon_zone) &&
    from=$(TZ=$z date -d "-30 min" +%H:%M) && to=$(TZ=$z date -d "+30 min" +%H:%M) &&
    today=$(TZ=$z date +%F) && day=$(TZ=$z date -d "+1 day" +%F) &&
    expect_code 0 qs --tz "$z" publish spread --from "$from" --to "$to" P020 P021 &&
    grep_q "^qs publish [a-z]*: $from has passed today; the window is tomorrow, $day $from:00 to $to:00 ($z)\$" err &&
    grep_q "^P020,scheduled,$day $from:00 " out && grep_q "^P021,scheduled,$day " out &&
    expect_code 0 qs --tz "$z" publish spread --from 23:00 --to 01:00 P020 P021 &&
    ! grep -q "has passed" err &&
    grep_q "^P020,scheduled,$today 23:00:00 " out && grep_q "^P021,scheduled,$day 00:00:00 " out &&
    expect_code 0 qs --tz "$z" publish every 5 --from "$from" P022 &&
    grep_q "^qs publish [a-z]*: $from has passed today; the first goes tomorrow, $day $from:00 ($z)\$" err &&
    expect_code 0 qs --tz "$z" publish at "$from" P022 &&
    grep_q "^qs publish [a-z]*: $from has passed today; the products go tomorrow, $day $from:00 ($z)\$" err &&
    grep_q "^P022,scheduled,$day $from:00 " out &&
    expect_code 0 qs -q --tz "$z" publish at "$from" P022 && empty err
'

test_expect 'issue 8 item 22, R-PUB-13: publish batches lists what undo can restore: number, time in the shop'"'"'s zone, verb, products, undone' '
    expect_code 0 qs publish at "2031-01-01 10:00" P024 P025 &&
    b=$(sql "SELECT max(id) FROM catalog_batch") &&
    at=$(TZ=Asia/Tokyo date -d "$(sql "SELECT at FROM catalog_batch WHERE id = $b")" "+%Y-%m-%d %H:%M:%S") &&
    expect_code 0 qs publish batches && empty err &&
    test "$(head -1 out)" = "batch,at,verb,products,undone_at" &&
    grep_q "^$b,$at,publish,2,\$" out && grep_q "^1,[-0-9 :]*,publish,30," out &&
    expect_code 0 qs publish undo "$b" &&
    un=$(TZ=Asia/Tokyo date -d "$(sql "SELECT undone_at FROM catalog_batch WHERE id = $b")" "+%Y-%m-%d %H:%M:%S") &&
    expect_code 0 qs --format json publish batches &&
    grep_q "^{\"batch\":$b,\"at\":\"$at\",\"verb\":\"publish\",\"products\":2,\"undone_at\":\"$un\"}\$" out &&
    expect_code 64 qs publish undo "$b" &&
    grep_q "batch $b was undone already (at $un, Asia/Tokyo) (R-PUB-13)" err &&
    expect_code 0 qs --tz UTC publish batches &&
    grep_q "^$b,$(sql "SELECT replace(replace(at, '"'"'T'"'"', '"'"' '"'"'), '"'"'Z'"'"', '"'"''"'"') FROM catalog_batch WHERE id = $b"),publish,2," out
'

test_done

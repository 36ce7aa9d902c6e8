#!/usr/bin/env bash
# qs coupon push, cancel, run, confirm, record, plan, history (SPEC 4, R-CPN-2 .. R-CPN-11):
# every QSM rule of a push checked before it is recorded, each refusal naming its rule and
# the allowed values; the hand-off through the coupon delivery (file: by default, or the
# sandbox's bundled hook), re-checked when it happens; cancels with their deadline; what
# QSM did recorded afterwards. "Now" is fixed with QS_NOW (Thursday 2026-12-03 10:00 in
# Japan) so that the calendar edges are exact whatever day the suite runs.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start
shop_init
HOOK="$PY $QS_SRC/tests/sandbox/hook.py --url $(cat "$SBDIR/sandbox.url")"
export QS_NOW=2026-12-03T01:00:00Z

# cshop NAME [DELIVERY]: a shop with coupon C1 (QSM number 7001, valid through January),
# its pushes delivered by DELIVERY (default: the file: hand-off).
cshop() {
    qs -q init --shop "$1" ${2:+--deliver "coupon=$2"} >/dev/null &&
        qs -q --shop "$1" coupon add --code C1 --name 冬のクーポン --discount 500 --min-order 3000 \
            --from 2026-11-01 --to 2027-01-31 --qsm-no 7001 >/dev/null
}
# push SHOP TYPE ARGS...: qs --shop SHOP coupon push TYPE --coupon C1 ARGS...
push() {
    local shop=$1 type=$2
    shift 2
    qs --shop "$shop" coupon push "$type" --coupon C1 "$@"
}
# state SHOP [PUSH]: the state of the shop's (last) push.
state() { sql "SELECT state FROM coupon_push WHERE shop = '$1' ORDER BY id DESC LIMIT 1"; }
# key SHOP: the key of the shop's last push.
key() { sql "SELECT key FROM coupon_push WHERE shop = '$1' ORDER BY id DESC LIMIT 1"; }
pushes() { sql "SELECT count(*) FROM coupon_push WHERE shop = '$1'"; }
# pid SHOP: the number of the shop's last push (numbers run through the store).
pid() { sql "SELECT id FROM coupon_push WHERE shop = '$1' ORDER BY id DESC LIMIT 1"; }
# hook_n FIELD KEY: hook_calls or hook_effects of KEY at the sandbox (0 when none).
hook_n() {
    sb counters | "$PY" -c 'import json, sys
print(json.load(sys.stdin).get(sys.argv[1], {}).get(sys.argv[2], 0))' "$1" "$2"
}
ALLOWED="choose a date from 2026-12-04 to 2026-12-06, at 10:00 to 22:00 in 30-minute steps (Asia/Tokyo)"

# ---- R-CPN-4: the send window --------------------------------------------------------

cshop t4
test_expect 'R-CPN-4: 09:30, 22:30 and 10:15 are refused with the allowed values; 10:00 and 22:00 are accepted' '
    for at in "2026-12-04 09:30" "2026-12-04 22:30" "2026-12-04 10:15"; do
        expect_code 65 push t4 ad --at "$at" &&
        grep_q "send time $at (Asia/Tokyo) is not one of QSM.s send times; $ALLOWED (R-CPN-4)" err || exit 1
    done &&
    expect_code 0 push t4 ad --at "2026-12-04 10:00" --dry-run &&
    expect_code 0 push t4 ad --at "2026-12-04 22:00" --dry-run &&
    grep_q "\"send_date\":\"2026/12/04\",\"send_time\":\"22:00\"" out &&
    test "$(pushes t4)" = 0
'
test_expect 'R-CPN-4: today and D+4 are refused; D+1 and D+3 are accepted' '
    expect_code 65 push t4 ad --at "2026-12-03 12:00" && grep_q "is not after today; $ALLOWED (R-CPN-4)" err &&
    expect_code 65 push t4 ad --at "2026-12-07 10:00" && grep_q "is more than 3 days ahead; $ALLOWED" err &&
    expect_code 0 push t4 ad --at "2026-12-04 10:00" --dry-run &&
    expect_code 0 push t4 ad --at "2026/12/06 22:00" --dry-run &&
    test "$(pushes t4)" = 0
'
test_expect 'R-CPN-4: send times are Japan time whatever --tz the seller works in' '
    expect_code 65 push t4 ad --tz America/New_York --at "2026-12-03 22:00" &&
    grep_q "$ALLOWED" err &&
    expect_code 0 push t4 ad --tz America/New_York --at "2026-12-04 10:00" &&
    test "$(sql "SELECT send_at FROM coupon_push WHERE shop = '"'"'t4'"'"'")" = 2026-12-04T01:00:00Z &&
    grep_q ",2026-12-03 20:00," out
'
cshop tn
test_expect 'R-CPN-4: --at next takes the first free allowed slot, and asks again find the same push' '
    expect_code 0 push tn ad --at next &&
    test "$(sql "SELECT send_at FROM coupon_push WHERE shop = '"'"'tn'"'"'")" = 2026-12-04T01:00:00Z &&
    expect_code 0 push tn ad --at next && grep_q "is recorded already: handed-off" err &&
    grep_q ",already,,handed-off$" out && test "$(pushes tn)" = 1 &&
    QS_NOW=2026-12-04T01:00:00Z expect_code 0 push tn ad --at next --items top:8 &&
    test "$(sql "SELECT send_at FROM coupon_push WHERE shop = '"'"'tn'"'"' ORDER BY id DESC LIMIT 1")" = 2026-12-07T01:00:00Z
'
cshop th hook:false
cshop th2 hook:false
test_expect 'R-CPN-4: a push handed to the hook after its apply-by time is refused then, with the new allowed dates' '
    expect_code 69 push th ad --at "2026-12-04 12:00" && test "$(state th)" = scheduled &&
    expect_code 69 push th2 ad --at "2026-12-04 12:00" &&
    qs -q init --shop th --deliver "coupon=hook:$HOOK" >/dev/null &&
    qs -q init --shop th2 --deliver "coupon=hook:$HOOK" >/dev/null &&
    QS_NOW=2026-12-03T15:00:00Z expect_code 1 qs --shop th coupon run --retry-failed &&
    grep_q "no longer a day ahead of the hand-off; push it again: choose a date from 2026-12-05 to 2026-12-07" out &&
    grep_q ",failed,," out && grep_q "(R-CPN-4)" out &&
    test "$(hook_n hook_calls "$(key th)")" = 0 && test "$(state th)" = refused &&
    QS_NOW=2026-12-03T14:58:00Z expect_code 0 qs --shop th2 coupon run --retry-failed &&
    test "$(hook_n hook_effects "$(key th2)")" = 1 && test "$(state th2)" = applied
'
cshop tf
test_expect 'R-CPN-4: the file: checklist carries the apply-by time; --applied after it is refused with the new dates' '
    expect_code 0 push tf ad --at "2026-12-05 10:00" &&
    dir=$(sed -n "s/^qs coupon push: hand-off written to //p" err) &&
    grep_q ",2026/12/05,10:00,2026/12/04 23:59," "$dir/checklist.csv" &&
    QS_NOW=2026-12-04T15:00:00Z expect_code 65 qs --shop tf coupon confirm "$(pid tf)" --applied &&
    grep_q "push $(pid tf) had to be applied by 2026-12-04 23:59 (Asia/Tokyo) for its send time 2026-12-05 10:00; cancel it and push again: choose a date from 2026-12-06 to 2026-12-08" err &&
    test "$(state tf)" = handed-off &&
    QS_NOW=2026-12-04T14:59:00Z expect_code 0 qs --shop tf coupon confirm "$(pid tf)" --applied &&
    test "$(state tf)" = applied &&
    test "$(sql "SELECT state FROM outbox WHERE shop = '"'"'tf'"'"'")" = done
'

# ---- R-CPN-5: one push a week ----------------------------------------------------------

cshop w5
cshop w5b
test_expect 'R-CPN-5: a push on a Sunday blocks the Monday before it (same week) but not the Monday after' '
    QS_NOW=2026-12-04T01:00:00Z expect_code 0 push w5 ad --at "2026-12-06 10:00" &&
    QS_NOW=2026-12-04T01:00:00Z expect_code 0 push w5 ad --at "2026-12-07 10:00" &&
    test "$(pushes w5)" = 2 &&
    QS_NOW=2026-12-05T01:00:00Z expect_code 0 qs --shop w5b coupon record ad --coupon C1 --at "2026-12-13 12:00" &&
    QS_NOW=2026-12-05T01:00:00Z expect_code 65 push w5b ad --at "2026-12-07 10:00" &&
    grep_q "the week of 2026-12-07 10:00 (Monday to Sunday, Asia/Tokyo) has push [0-9]* at 2026-12-13 12:00 already (one push a week); free: 2026-12-06 10:00 to 2026-12-06 22:00 (Asia/Tokyo, every 30 minutes from 10:00 to 22:00) (R-CPN-5)" err &&
    QS_NOW=2026-12-05T01:00:00Z expect_code 0 push w5b ad --at "2026-12-06 10:00"
'
cshop pl
test_expect 'R-CPN-5: qs coupon plan shows four weeks; a cancelled push frees its week' '
    expect_code 0 push pl ad --at "2026-12-05 10:00" &&
    expect_code 0 qs --shop pl coupon plan &&
    cat >expect <<-EOF &&
	week,push,send_at,type,coupon,state,free_slots
	2026-11-30,$(pid pl),2026-12-05 10:00,ad,C1,handed-off,
	2026-12-07,,,,,free,"from 2026-12-07 10:00, applied from 2026-12-04 on"
	2026-12-14,,,,,free,
	2026-12-21,,,,,free,
	EOF
    test_cmp expect out &&
    expect_code 0 qs --shop pl coupon cancel "$(pid pl)" && test "$(state pl)" = cancel-requested &&
    expect_code 65 push pl ad --at "2026-12-06 10:00" &&
    expect_code 0 qs --shop pl coupon confirm "$(pid pl)" --cancelled && test "$(state pl)" = cancelled &&
    expect_code 0 qs --shop pl coupon plan &&
    grep_q "^2026-11-30,,,,,free,\"2026-12-04 10:00 to 2026-12-06 22:00, every 30 minutes from 10:00 to 22:00\"$" out &&
    expect_code 0 push pl ad --at "2026-12-06 10:00"
'

# ---- R-CPN-6: cancel ----------------------------------------------------------------------

cshop c6
cshop c6b
test_expect 'R-CPN-6: cancel 24 h + 1 min before the send time is accepted; 23 h 59 min before is refused, naming the deadline' '
    expect_code 0 push c6 ad --at "2026-12-05 10:00" && expect_code 0 push c6b ad --at "2026-12-05 10:00" &&
    QS_NOW=2026-12-04T00:59:00Z expect_code 0 qs --shop c6 coupon cancel "$(pid c6)" &&
    test "$(state c6)" = cancel-requested &&
    dir=$(sed -n "s/^qs coupon cancel: hand-off written to //p" err) &&
    grep_q "2026/12/04 10:00" "$dir/checklist.csv" && grep_q "application history" "$dir/checklist.csv" &&
    QS_NOW=2026-12-04T01:01:00Z expect_code 65 qs --shop c6b coupon cancel "$(pid c6b)" &&
    grep_q "QSM cancels until 24 hours before, and that deadline (2026-12-04 10:00, Asia/Tokyo) has passed (R-CPN-6)" err &&
    test "$(state c6b)" = handed-off
'
cshop cw hook:false
test_expect 'R-CPN-6: a push not handed off yet is withdrawn: nothing ever reaches QSM' '
    expect_code 69 push cw ad --at "2026-12-05 10:00" &&
    expect_code 0 qs --shop cw coupon cancel "$(pid cw)" && grep_q ",withdrawn,," out &&
    test "$(state cw)" = cancelled &&
    qs -q init --shop cw --deliver "coupon=hook:$HOOK" >/dev/null &&
    expect_code 0 qs --shop cw coupon run --retry-failed &&
    test "$(hook_n hook_calls "$(key cw)")" = 0 && test "$(state cw)" = cancelled
'
cshop ch "hook:$HOOK"
test_expect 'R-CPN-6: a push applied through the hook gets its own cancel item, handed off exactly once' '
    expect_code 0 push ch ad --at "2026-12-05 10:00" && test "$(state ch)" = applied &&
    expect_code 0 qs --shop ch coupon cancel "$(pid ch)" && test "$(state ch)" = cancelled &&
    test "$(hook_n hook_effects "$(key ch)-cancel")" = 1 &&
    expect_code 0 qs --shop ch coupon cancel "$(pid ch)" && grep_q ",already,," out &&
    test "$(hook_n hook_calls "$(key ch)-cancel")" = 1
'

# ---- R-CPN-2, R-CPN-9: ad and comp ---------------------------------------------------------

sb seed '{"orders": [
  {"status": 2, "Buyer": "山田 太郎", "BuyerEmail": "yamada@example.jp", "ItemTitle": "LEDライト", "OrderPrice": 1980},
  {"status": 2, "Buyer": "山田 太郎", "BuyerEmail": "yamada@example.jp", "ItemTitle": "マグカップ", "OrderPrice": 800},
  {"status": 1, "Buyer": "鈴木 一郎", "BuyerEmail": "suzuki@example.jp", "ItemTitle": "マグカップ", "OrderPrice": 800},
  {"status": 4, "Buyer": "高橋 次郎", "BuyerEmail": "takahashi@example.jp", "ItemTitle": "LEDライト", "OrderPrice": 1980},
  {"status": 2, "Buyer": "田中 三郎", "BuyerEmail": "tanaka@example.jp", "ItemTitle": "マグカップ", "OrderPrice": 800},
  {"status": 2, "Buyer": "伊藤 四郎", "BuyerEmail": "ito@example.jp", "ItemTitle": "マグカップ", "OrderPrice": 800}
]}' >seeded.json
set -- $("$PY" -c 'import json; print(*json.load(open("seeded.json"))["order_nos"])')
A=$1 B=$2 C=$3 D=$4 E=$5 F=$6
sb advance "{\"orders\": [$E], \"to\": \"cancelled\"}" >/dev/null
qs -q --shop demo sync orders >/dev/null
qs -q --shop demo coupon add --code C1 --name 冬のクーポン --discount 500 --from 2026-11-01 --to 2027-01-31 --qsm-no 7001 >/dev/null
qs -q init --shop other >/dev/null
sql "INSERT INTO order_line (shop, order_no, status, created_at, updated_at) VALUES ('other', '777000001', 2, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z')"

test_expect 'R-CPN-2: comp refuses unpaid and cancelled orders and another shop'"'"'s, each listed with its line (65)' '
    printf "order_no\n%s\n%s\n777000001\n%s\n" "$A" "$C" "$E" >bad.csv &&
    expect_code 65 push demo comp --at "2026-12-04 10:00" bad.csv &&
    grep_q "^qs coupon push: bad.csv:3: $C: the order is unpaid: comp pushes go to buyers of paid orders (R-CPN-2)$" err &&
    grep_q "^qs coupon push: bad.csv:4: 777000001: the order is one of shop other, not of shop demo (R-CPN-2)$" err &&
    grep_q "^qs coupon push: bad.csv:5: $E: the order is cancelled" err &&
    grep_q "the push was refused (3 problems): nothing recorded" err &&
    test "$(pushes demo)" = 0 && empty out
'
test_expect 'R-CPN-2: orders unknown to the store are a warning and passed on; --strict makes them errors' '
    printf "order_no\n%s\n999999999\n" "$A" >unk.csv &&
    expect_code 0 push demo comp --at "2026-12-04 10:00" --dry-run <unk.csv &&
    grep_q "stdin:3: 999999999: warning: the order is unknown to the store; passed on to QSM, which checks it (R-CPN-2)" err &&
    grep_q "\"form_rows\":\[{\"order_no\":\"$A\"},{\"order_no\":\"999999999\"}\]" out &&
    expect_code 65 push demo comp --at "2026-12-04 10:00" --strict unk.csv &&
    grep_q "unk.csv:3: 999999999: the order is unknown to the store (--strict) (R-CPN-2)" err
'
test_expect 'R-CPN-2: an order number that is not digits (SQL, 5002.0, #N/A, Excel notation) is an error, never handed to QSM' '
    printf "order_no\n%s\n\"x; DROP TABLE shop; --\"\n5002.0\n#N/A\n9.99E+08\n%040000d\n" "$A" 5 >junk.csv &&
    expect_code 65 push demo comp --at "2026-12-04 10:00" junk.csv &&
    grep_q "^qs coupon push: junk.csv:3: order number \"x; DROP TABLE shop; --\" is not digits only, as Qoo10.s order numbers are (R-CPN-2)$" err &&
    grep_q "^qs coupon push: junk.csv:4: order number \"5002.0\" is not digits only" err &&
    grep_q "^qs coupon push: junk.csv:5: order number \"#N/A\" is an Excel error value" err &&
    grep_q "^qs coupon push: junk.csv:6: order number \"9.99E+08\" is a number in scientific notation" err &&
    grep_q "^qs coupon push: junk.csv:7: order number \"0000000.*\.\.\.\" is longer than an order number (at most 20 digits) (R-CPN-2)$" err &&
    grep_q "the push was refused (5 problems): nothing recorded" err &&
    test "$(pushes demo)" = 0 && empty out
'
test_expect 'R-CPN-2: ad takes the fans'"'"' follow dates; comp refuses them; an ad reads no orders' '
    expect_code 0 push demo ad --at "2026-12-04 10:00" --fans-since 2026/01/01 --fans-until 2026-06-30 --dry-run &&
    grep_q "\"fans\":\"period\",\"fans_since\":\"2026-01-01\",\"fans_until\":\"2026-06-30\"" out &&
    expect_code 65 push demo ad --at "2026-12-04 10:00" --fans-since 2026-07-01 --fans-until 2026-06-30 &&
    grep_q "fans-until 2026-06-30 is before --fans-since 2026-07-01 (R-CPN-2)" err &&
    expect_code 65 push demo comp --at "2026-12-04 10:00" --fans-since 2026-01-01 unk.csv &&
    grep_q "they go with ad, not comp (R-CPN-2)" err &&
    expect_code 64 push demo ad --at "2026-12-04 10:00" unk.csv
'
test_expect 'R-CPN-9: the comp estimate is the distinct buyers, an unknown order counting one; printed and stored' '
    printf "Order No.\n%s\n%s\n%s\n%s\n999999999\n%s\n" "$A" "$B" "$D" "$F" "$A" >orders.csv &&
    "$PY" "$QS_SRC/tests/tools/csv2xlsx.py" orders.xlsx orders.csv &&
    expect_code 0 push demo comp --at "2026-12-04 10:00" orders.xlsx &&
    grep_q "^qs coupon push: comp push at 2026-12-04 10:00 (Asia/Tokyo): at most 4 recipients (estimate)$" err &&
    grep_q "1 order number repeated in the input, listed once" err &&
    test "$(sql "SELECT estimate || '"'"' '"'"' || orders FROM coupon_push WHERE shop = '"'"'demo'"'"'")" = "4 5" &&
    dir=$(sed -n "s/^qs coupon push: hand-off written to //p" err) &&
    test -f "$dir/order-list-1.xlsx" &&
    "$PY" -c "import sys, zipfile; x = zipfile.ZipFile(sys.argv[1]).read(\"xl/worksheets/sheet1.xml\").decode(); sys.exit(0 if all(n in x for n in sys.argv[2:]) else 1)" \
        "$dir/order-list-1.xlsx" "$A" "$B" "$D" "$F" 999999999
'
cshop fans
test_expect 'R-CPN-9: the ad estimate is the fan count last entered, else unknown' '
    expect_code 0 push fans ad --at "2026-12-04 10:00" --dry-run &&
    grep_q "recipients unknown (qs coupon record --fans N sets the shop.s fan count)" err &&
    expect_code 0 qs --shop fans coupon record --fans 36212 &&
    expect_code 0 push fans ad --at "2026-12-04 10:00" &&
    grep_q "at most 36212 recipients (estimate)" err &&
    test "$(sql "SELECT estimate FROM coupon_push WHERE shop = '"'"'fans'"'"'")" = 36212
'

# ---- R-CPN-1, R-CPN-3: the coupon ------------------------------------------------------------

cshop cp
qs -q --shop cp coupon add --code APP --name アプリ限定 --discount 10% --from 2026-11-01 --to 2027-01-31 --qsm-no 7002 --qstore-only yes >/dev/null
qs -q --shop cp coupon add --code SHORT --name 短期 --discount 300 --from 2026-11-01 --to "2026-12-05 23:00" --qsm-no 7003 >/dev/null
qs -q --shop cp coupon add --code LATER --name 来週 --discount 300 --from 2026-12-05 --to 2027-01-31 --qsm-no 7004 >/dev/null
qs -q --shop cp coupon add --code NOQ --name 番号なし --discount 300 --from 2026-11-01 --to 2027-01-31 >/dev/null
test_expect 'R-CPN-3: a coupon for the Qoo10 app only (qstore_only) cannot be pushed' '
    expect_code 65 qs --shop cp coupon push ad --coupon APP --at "2026-12-04 10:00" &&
    grep_q "coupon APP is for the Qoo10 app only (qstore_only): QSM does not push such coupons (R-CPN-3)" err &&
    test "$(pushes cp)" = 0
'
test_expect 'R-CPN-3: the coupon must be valid at the send time and a day after; under three days warns' '
    expect_code 65 qs --shop cp coupon push ad --coupon SHORT --at "2026-12-05 10:00" &&
    grep_q "coupon SHORT is valid from 2026-11-01 00:00 to 2026-12-05 23:00 (Asia/Tokyo): a push at 2026-12-05 10:00 needs it valid then and for a day after (R-CPN-3)" err &&
    expect_code 65 qs --shop cp coupon push ad --coupon LATER --at "2026-12-04 10:00" &&
    expect_code 0 qs --shop cp coupon push ad --coupon SHORT --at "2026-12-04 22:00" --dry-run &&
    grep_q "warning: coupon SHORT ends at 2026-12-05 23:00 (Asia/Tokyo), less than three days after the push (R-CPN-3)" err
'
test_expect 'R-CPN-1: a coupon without QSM'"'"'s number is not pushed until qs coupon edit records it' '
    expect_code 65 qs --shop cp coupon push ad --coupon NOQ --at "2026-12-04 10:00" &&
    grep_q "coupon NOQ has no QSM coupon number yet; qs coupon edit NOQ --qsm-no N records it (R-CPN-1)" err &&
    qs -q --shop cp coupon edit NOQ --qsm-no 7005 >/dev/null &&
    expect_code 0 qs --shop cp coupon push ad --coupon NOQ --at "2026-12-04 10:00" --dry-run &&
    grep_q "\"coupon_no\":\"7005\"" out
'

# ---- R-CPN-7: items, R-CPN-8: banner -----------------------------------------------------------

cshop tt
test_expect 'R-CPN-7: top:3 and top:17 are refused; top:4 and top:16 accepted' '
    for n in 3 17; do
        expect_code 65 push tt ad --at "2026-12-05 10:00" --items top:$n &&
        grep_q "items \"top:$n\" are not top:N with N from 4 to 16 (R-CPN-7)" err || exit 1
    done &&
    expect_code 0 push tt ad --at "2026-12-05 10:00" --items top:4 --dry-run &&
    expect_code 0 push tt ad --at "2026-12-05 10:00" --items top:16 --dry-run &&
    grep_q "\"items\":\"top\",\"top\":16" out
'
printf '%s\n%s\n%s\n' "$SB_KEY" "$SB_USER" "$SB_PASS" |
    qs -q init --shop it --secret qapi.key --secret qapi.user --secret qapi.password --set qapi.rate=0 >/dev/null
qs -q --shop it coupon add --code C1 --name 冬のクーポン --discount 500 --from 2026-11-01 --to 2099-01-31 --qsm-no 7001 >/dev/null
test_expect 'R-CPN-7: item codes must be on sale per the last qs sync products; a sync over a day old warns' '
    soon=$(date -u -d "+1 hour" +%FT%TZ) && later=$(date -u -d "+2 days" +%FT%TZ) &&
    QS_NOW=$soon expect_code 65 qs --shop it coupon push ad --coupon C1 --at next --items 1100000201 &&
    grep_q "run qs sync products first" err &&
    sb seed "{\"items\": [
        {\"ItemCode\": \"1100000201\", \"ItemTitle\": \"緑茶\", \"ItemPrice\": 1280, \"ItemQty\": 40, \"SellerCode\": \"TEA-1\"},
        {\"ItemCode\": \"1100000202\", \"ItemTitle\": \"傘\", \"ItemPrice\": 1780, \"ItemQty\": 0, \"SellerCode\": \"UMB-1\", \"ItemStatus\": \"S1\"}]}" >/dev/null &&
    qs -q --shop it sync products >/dev/null &&
    QS_NOW=$soon expect_code 0 qs --shop it coupon push ad --coupon C1 --at next --items 1100000201 --dry-run &&
    ! grep -q warning err && grep_q "\"items\":\"select\",\"top\":null,\"item_codes\":\"1100000201\"" out &&
    QS_NOW=$soon expect_code 65 qs --shop it coupon push ad --coupon C1 --at next --items 1100000201,1100000202,99 &&
    grep_q "item 1100000202 is not on sale (status S1; on sale is S2) (R-CPN-7)" err &&
    grep_q "item 99 is not an item of shop it on the marketplace (R-CPN-7)" err &&
    QS_NOW=$later expect_code 0 qs --shop it coupon push ad --coupon C1 --at next --items 1100000201 --dry-run &&
    grep_q "warning: the last qs sync products ran at .* (Asia/Tokyo), over a day ago (R-CPN-7)" err &&
    expect_code 65 push tt ad --at "2026-12-05 10:00" --items 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17 &&
    grep_q "are more than 16 item codes" err
'
cshop bn
test_expect 'R-CPN-8: a 1860x241 banner is refused; a PNG named .jpg is judged by its header and goes into the hand-off' '
    "$PY" "$QS_SRC/tests/tools/banner.py" png 1860 241 tall.png &&
    "$PY" "$QS_SRC/tests/tools/banner.py" png 1860 240 real-png.jpg &&
    "$PY" "$QS_SRC/tests/tools/banner.py" jpeg 1860 240 ok.jpeg &&
    echo "not an image" >text.png &&
    expect_code 65 push bn ad --at "2026-12-04 10:00" --banner tall.png &&
    grep_q "the banner tall.png is 1860x241 pixels; QSM takes a PNG or JPEG of exactly 1860x240 (R-CPN-8)" err &&
    expect_code 65 push bn ad --at "2026-12-04 10:00" --banner text.png &&
    grep_q "the banner text.png is neither a PNG nor a JPEG (read from its header) (R-CPN-8)" err &&
    expect_code 0 push bn ad --at "2026-12-04 10:00" --banner ok.jpeg --dry-run &&
    expect_code 0 push bn ad --at "2026-12-04 10:00" --banner real-png.jpg &&
    dir=$(sed -n "s/^qs coupon push: hand-off written to //p" err) &&
    cmp real-png.jpg "$dir/1-real-png.jpg" && grep_q ",$TRASH/real-png.jpg,shop,," "$dir/checklist.csv"
'
test_expect 'R-CPN-8: the banner links to the shop, an item or an http(s) page; --link needs --banner' '
    QS_NOW=2026-12-08T01:00:00Z expect_code 0 push bn ad --at "2026-12-11 10:00" --banner ok.jpeg --link item:1100000201 --dry-run &&
    grep_q "\"link\":\"item\",\"link_target\":\"1100000201\"" out &&
    QS_NOW=2026-12-08T01:00:00Z expect_code 0 push bn ad --at "2026-12-11 10:00" --banner ok.jpeg --link https://www.qoo10.jp/gmkt.inc/Special/Special.aspx?sid=1 --dry-run &&
    grep_q "\"link\":\"url\",\"link_target\":\"https://www.qoo10.jp/gmkt.inc/Special/Special.aspx?sid=1\"" out &&
    QS_NOW=2026-12-08T01:00:00Z expect_code 65 push bn ad --at "2026-12-11 10:00" --banner ok.jpeg --link ftp://example.com/x &&
    grep_q "(R-CPN-8)" err &&
    QS_NOW=2026-12-08T01:00:00Z expect_code 65 push bn ad --at "2026-12-11 10:00" --link shop &&
    grep_q "give --banner FILE with it (R-CPN-8)" err
'

# ---- R-CPN-11: what QSM did ----------------------------------------------------------------------

cshop hy
test_expect 'R-CPN-11: history lists pushes with their states and estimates; confirm records applied and sent' '
    expect_code 0 push hy ad --at "2026-12-05 10:00" &&
    expect_code 0 qs --shop hy coupon history &&
    grep_q "^push,key,type,coupon,send_at,items,orders,estimate,recipients,state,used,created_at$" out &&
    grep_q "^$(pid hy),$(key hy),ad,C1,2026-12-05 10:00,top:4,,,,handed-off,,2026-12-03 10:00$" out &&
    expect_code 0 qs --shop hy coupon confirm "$(pid hy)" --applied && test "$(state hy)" = applied &&
    expect_code 0 qs --shop hy coupon confirm "$(key hy)" --sent --recipients 120 &&
    test "$(sql "SELECT state || '"'"' '"'"' || recipients FROM coupon_push WHERE shop = '"'"'hy'"'"'")" = "sent 120" &&
    expect_code 0 qs --shop hy coupon confirm "$(pid hy)" --sent && grep_q "push $(pid hy) is sent" err &&
    expect_code 65 qs --shop hy coupon confirm "$(pid hy)" --cancelled &&
    expect_code 65 qs --shop hy coupon confirm 99999 --sent && grep_q "shop hy has no push 99999" err
'
cshop rc
test_expect 'R-CPN-11: qs coupon record enters a push made in QSM, and the weekly rule counts it' '
    expect_code 0 qs --shop rc coupon record comp --coupon C1 --at "2026-12-01 10:00" &&
    grep_q ",comp,C1,2026-12-01 10:00,,,,,applied,," out &&
    expect_code 65 push rc ad --at "2026-12-04 10:00" &&
    grep_q "has push $(pid rc) at 2026-12-01 10:00 already (one push a week)" err &&
    expect_code 0 qs --shop rc coupon record comp --coupon C1 --at "2026-12-01 10:00" &&
    grep_q "recorded before: push $(pid rc)" err && test "$(pushes rc)" = 1
'

# ---- SPEC 1.6: exactly once, dry run -------------------------------------------------------------

cshop once "hook:$HOOK"
test_expect 'SPEC 1.6: the same push asked twice through the hook is applied once' '
    expect_code 0 push once ad --at "2026-12-05 10:00" && grep_q ",ok,SBX-COUPON-" out &&
    expect_code 0 push once ad --at "2026-12-05 10:00" && grep_q ",already,,applied$" out &&
    test "$(hook_n hook_calls "$(key once)")" = 1 && test "$(pushes once)" = 1
'
test_expect 'SPEC 1.6: --dry-run prints the request and records nothing' '
    QS_NOW=2026-12-08T01:00:00Z expect_code 0 push once ad --at "2026-12-11 12:00" --dry-run &&
    test "$(pushes once)" = 1 && grep_q "dry run: nothing sent or stored" err
'

test_done

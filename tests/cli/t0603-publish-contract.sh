#!/usr/bin/env bash
# qs publish against what Qoo10 documents (R-SYN-9, issue 9 D4 and D5): EditGoodsInventory
# takes two-axis rows only when the shop says so, and values read back from
# GetItemDetailInfo go back to UpdateGoods only in their documented form. Run in both
# sandbox modes (QS_SANDBOX_MODE=documented: the sandbox refuses what the guide does not
# document).
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"
. "$QS_SRC/tests/cli/publish-lib.sh"

sb_start

LATER=$(date -u -d '+2 days' '+%Y-%m-%dT%H:%M:%SZ')
shop_init --set publish.inflight_s=1
{
    echo "Parent SKU,SKU,Title,Description,Tags,Brand,UPC,Color,Size,Price,Shipping,Quantity,Min Delivery Days,Max Delivery Days,Main Image URL"
    echo "X001,X001-RS,Shirt,Two axes,test,,,Red,S,1000,0,5,1,3,https://img.example.jp/x-rs.jpg"
    echo "X001,X001-BL,Shirt,Two axes,test,,,Blue,L,1200,0,4,1,3,https://img.example.jp/x-bl.jpg"
    echo "X002,X002,Cup,One SKU,test,,,,,2000,0,7,1,3,https://img.example.jp/x2.jpg"
} >catalog.csv
qs -q import products catalog.csv >/dev/null
pub_profile
qs -q --tz UTC publish at "$(date -u -d '+1 hour' '+%Y-%m-%d %H:%M')" X001 X002 >/dev/null
qs -q publish run --due-by "$LATER" >/dev/null

# set_item SELLERCODE FIELD VALUE: what the sandbox's item holds, as another client set it.
set_item() {
    sb post /_control/item "{\"SellerCode\": \"$1\", \"set\": {\"$2\": \"$3\"}}" >/dev/null
}

test_expect 'R-SYN-9: both products are on the marketplace (SetNewGoods takes two-axis ItemType rows)' '
    test "$(states)" = "online=2 " &&
    item X001 Inventory | grep_q "\"code\": \"X001-BL\"" -
'

test_expect 'R-SYN-9: the options of a two-axis product are not sent by default (one-axis EditGoodsInventory is what Qoo10 documents)' '
    before=$(calls ItemsOptions.EditGoodsInventory) &&
    expect_code 1 qs publish edit --price +10% X001 &&
    grep_q "^X001-RS,X001,online,1100,5,0,[0-9]*,failed,\"the options have two axes, and Qoo10 documents EditGoodsInventory with one: not sent; .*qapi.inventory_form=two-axis (R-SYN-9)\"\$" out &&
    test "$(calls ItemsOptions.EditGoodsInventory)" = "$before" &&
    test "$(item X001 ItemPrice)" = 1000
'

test_expect 'R-SYN-9: with qapi.inventory_form=two-axis the rows go out; the documented sandbox refuses them' '
    qs -q init --shop demo --set qapi.inventory_form=two-axis >/dev/null &&
    if documented; then
        expect_code 1 qs publish edit --price +10% X001 &&
        grep_q "^X001-RS,X001,online,[0-9]*,5,0,[0-9]*,failed,.*Check Inventory Data Format" out &&
        item X001 Inventory | grep_q "\"price\": 200," -
    else
        expect_code 0 qs publish edit --price +10% X001 &&
        grep_q "^X001-RS,X001,online,[0-9]*,5,0,[0-9]*,ok,item price [0-9]* and 2 options sent\$" out
    fi &&
    qs -q init --shop demo --set qapi.inventory_form=one-axis >/dev/null
'

test_expect 'R-SYN-9: a ManufacturerDate that is not a date is resent empty, and the run says so' '
    set_item X002 ManufactureDate "メーカーA" &&
    expect_code 0 qs publish edit --shipping 600 X002 &&
    grep_q "^X002,X002,online,2000,7,600,[0-9]*,ok,\"ManufacturerDate \"\"メーカーA\"\" read back is not a date: sent empty (R-SYN-9); ShippingNo 480001 sent\"\$" out &&
    test "$(item X002 ManufactureDate)" = "\"\""
'

test_expect 'R-SYN-9: a ManufacturerDate with slashes and a time is resent as yyyy-MM-dd' '
    set_item X002 ManufactureDate "2020/01/02 00:00:00" &&
    expect_code 0 qs publish edit --shipping 0 X002 &&
    grep_q "^X002,X002,online,2000,7,0,[0-9]*,ok,ShippingNo 0 sent\$" out &&
    test "$(item X002 ManufactureDate)" = "\"2020-01-02\""
'

test_expect 'R-SYN-9: a RetailPrice read back with decimals goes back in whole yen' '
    set_item X002 RetailPrice "2500.0000" &&
    expect_code 0 qs publish edit --shipping 600 X002 &&
    grep_q "^X002,X002,online,2000,7,600,[0-9]*,ok,ShippingNo 480001 sent\$" out &&
    test "$(item X002 RetailPrice)" = 2500
'
test_done

# t0307: qs sync export goods|inventory -- GoodsList.csv and
# InventoryManagement_gridInventory.csv in CP932 from the store, with the column table
# shared with qs import, and the GoodsList round trip through qs import products
# --template qoo10, which updates price and quantity of existing SKUs only (R-SYN-6).
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"
F="$FIX/import"

sb_start

# utf8 FILE: FILE (CP932) as UTF-8 on stdout; fails when it is not CP932.
utf8() { iconv -f CP932 -t UTF-8 "$1"; }

test_expect 'R-SYN-6: the catalog imported and published items pulled (qs sync products)' '
    sb reset >/dev/null && shop_init &&
    sb seed "{\"items\": [
        {\"ItemCode\": \"1200000001\", \"ItemTitle\": \"オーガニックコットン Tシャツ\", \"ItemPrice\": 2000, \"ItemQty\": 15, \"SellerCode\": \"TEE\", \"ExpireDate\": \"2027-12-31\"},
        {\"ItemCode\": \"1234567890\", \"ItemTitle\": \"ベースボールキャップ\", \"ItemPrice\": 1500, \"ItemQty\": 30, \"SellerCode\": \"CAP\", \"ExpireDate\": \"2027-06-30\"}]}" >/dev/null &&
    qs -q import products "$F/qoo10.csv" >/dev/null &&
    qs -q sync products >/dev/null &&
    test "$(sql "SELECT count(*) FROM market_item")" = 2
'

test_expect 'R-SYN-6: export goods writes GoodsList.csv in CP932 with the shared header' '
    expect_code 0 qs sync export goods &&
    empty out && grep_q "2 items written to GoodsList.csv" err &&
    ! iconv -f UTF-8 -t UTF-8 GoodsList.csv >/dev/null 2>&1 &&
    utf8 GoodsList.csv >goods.txt &&
    printf "%s\r\n" "ItemCode,SellerCode,ItemTitle,ItemPrice,ItemQty,ItemStatus,ExpireDate" \
        "1200000001,TEE,オーガニックコットン Tシャツ,2000,15,S2,2027-12-31" \
        "1234567890,CAP,ベースボールキャップ,1500,30,S2,2027-06-30" >expect &&
    test_cmp expect goods.txt || { diff <(tr -d "\r" <expect) <(tr -d "\r" <goods.txt) && exit 0; exit 1; }
'

test_expect 'R-SYN-6: export inventory writes one row per option, no Q-inventory columns' '
    expect_code 0 qs sync export inventory &&
    grep_q "3 options written to InventoryManagement_gridInventory.csv" err &&
    utf8 InventoryManagement_gridInventory.csv | tr -d "\r" >inv.txt &&
    printf "%s\n" "ItemCode,SellerCode,OptionName1,OptionValue1,OptionName2,OptionValue2,OptionCode,Qty,ExtraPrice" \
        "1200000001,TEE,Color,ブラック,Size,M,TEE-3,0,0" \
        "1200000001,TEE,Color,ホワイト,Size,L,TEE-WL,5,200" \
        "1200000001,TEE,Color,ホワイト,Size,M,TEE-WM,10,0" >expect &&
    test_cmp expect inv.txt
'

test_expect 'R-SYN-6: --map renames columns; -o - writes to standard output' '
    printf "column,name\nItemQty,在庫数\n" >map.csv &&
    expect_code 0 qs sync export goods --map map.csv -o - &&
    iconv -f CP932 -t UTF-8 out | head -1 | tr -d "\r" >got &&
    echo "ItemCode,SellerCode,ItemTitle,ItemPrice,在庫数,ItemStatus,ExpireDate" >expect && test_cmp expect got &&
    printf "column,name\nNoSuch,x\n" >badmap.csv &&
    expect_code 65 qs sync export goods --map badmap.csv -o - &&
    grep_q "\"NoSuch\" is not a column of this file (R-SYN-6)" err &&
    expect_code 64 qs sync export stock
'
test_expect 'R-SYN-6: --map giving two columns one name, renaming a column twice or a name with a control character: 65 naming the lines, no file' '
    printf "column,name\nItemCode,SellerCode\n" >same.csv &&
    expect_code 65 qs sync export goods --map same.csv -o - && empty out &&
    grep_q "same.csv: ItemCode and SellerCode would both be named \"SellerCode\"; give each its own name (R-SYN-6)" err &&
    printf "column,name\nItemQty,X\nItemPrice,X\n" >same2.csv &&
    expect_code 65 qs sync export goods --map same2.csv -o - &&
    grep_q "ItemPrice and ItemQty would both be named \"X\"" err &&
    printf "column,name\nItemQty,A\nItemQty,B\n" >twice.csv &&
    expect_code 65 qs sync export goods --map twice.csv -o - &&
    grep_q "twice.csv:3: ItemQty is renamed on line 2 already (R-SYN-6)" err &&
    printf "column,name\nItemQty,\"a\nb\"\n" >nl.csv &&
    expect_code 65 qs sync export goods --map nl.csv -o nl-out.csv && test ! -e nl-out.csv &&
    grep_q "nl.csv:2: the new name holds the control character U+000A" err
'

test_expect 'R-SYN-6: GoodsList.csv edited reads back through qs import --template qoo10: price and quantity of existing SKUs only, nothing created' '
    products=$(sql "SELECT count(*) FROM product") && variants=$(sql "SELECT count(*) FROM variant") &&
    # (TEE has options: its row is refused, as its price and quantity are per option --
    # the export inventory file; see qs-sync(1))
    utf8 GoodsList.csv | grep -v "^1200000001," |
        sed "s/^1234567890,CAP,ベースボールキャップ,1500,30,/1234567890,CAP,別の名前,1400,25,/" |
        iconv -f UTF-8 -t CP932 >edited.csv &&
    expect_code 0 qs import products --template qoo10 edited.csv &&
    test "$(sql "SELECT price || \" \" || quantity FROM variant WHERE sku = \"CAP\"")" = "1400 25" &&
    test "$(sql "SELECT title FROM product WHERE parent_sku = \"CAP\"")" = ベースボールキャップ &&
    test "$(sql "SELECT count(*) FROM product")" = "$products" &&
    test "$(sql "SELECT count(*) FROM variant")" = "$variants" &&
    { utf8 GoodsList.csv | grep -v "^1200000001,"; printf "1299999999,NEW-1,新商品,900,3,S2,\r\n"; } | iconv -f UTF-8 -t CP932 >new.csv &&
    expect_code 65 qs import products --template qoo10 new.csv &&
    grep_q "\"NEW-1\" is not in the catalog of shop demo; a price/quantity file only updates" err &&
    test "$(sql "SELECT count(*) FROM product")" = "$products"
'

test_done

#!/usr/bin/env bash
# qs stock add (SPEC 5, R-STK-2, R-STK-3): a Q-inventory item asked of QSM through its
# option form -- one or two option columns, then Qty, Price, Currency, SellerCode, from CSV
# or .xlsx (English or the seed's Chinese labels), or built from a synced marketplace item
# with combination options -- every problem of every option reported, nothing recorded;
# the form handed off through the stock delivery (file: writes QSM's option form).
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start
shop_init
requests() { sql "SELECT count(*) FROM stock_request"; }
handoff() { sed -n "s/^qs stock add: hand-off written to //p" err; }

cat >tee.csv <<'CSV'
Color,Size,Qty,Price,Currency,SellerCode
Red,S,10,0,JPY,TEE-R-S
Red,M,5,0,JPY,TEE-R-M
Blue,S,3,200,JPY,TEE-B-S
Blue,M,0,0,JPY,TEE-B-M
CSV

test_expect 'R-STK-2: an option form of two axes is recorded and handed off as QSM'"'"'s option form, once' '
    expect_code 0 qs stock add --name "Tシャツ 半袖" --seller-code TEE tee.csv &&
    grep_q "^stk-[0-9a-f]*,Tシャツ 半袖,4,handed-off," out &&
    dir=$(handoff) && test -f "$dir/option-1.xlsx" &&
    "$PY" -c "import sys, zipfile; x = zipfile.ZipFile(sys.argv[1]).read(\"xl/worksheets/sheet1.xml\").decode(); sys.exit(0 if all(t in x for t in (\"Color\", \"Size\", \"SellerCode\", \"TEE-B-S\")) else 1)" "$dir/option-1.xlsx" &&
    test "$(requests)" = 1 &&
    test "$(sql "SELECT axes FROM stock_request")" = "[\"Color\",\"Size\"]" &&
    expect_code 0 qs stock add --name "Tシャツ 半袖" --seller-code TEE tee.csv &&
    grep_q ",already,,the same request was recorded before$" out && test "$(requests)" = 1
'
test_expect 'R-STK-2: the seed'"'"'s Chinese labels from an .xlsx workbook, one option axis' '
    printf "サイズ,库存数量,价格,基准货币,卖家SKU代码\nS,192,0,JPY,TEST0701\nM,191,0,JPY,TEST0702\nL,198,0,JPY,TEST0703\nXL,199,0,JPY,TEST0704\n" >zh.csv &&
    "$PY" "$QS_SRC/tests/tools/csv2xlsx.py" zh.xlsx zh.csv &&
    expect_code 0 qs stock add --name T-2 zh.xlsx && grep_q ",T-2,4,handed-off," out &&
    test "$(requests)" = 2
'
test_expect 'R-STK-2: every bad option is reported with its line, then nothing is recorded (65)' '
    printf "Color,Qty,Price,Currency,SellerCode\nRed,1,0,JPY,A\n,2,0,JPY,B\nRed,3,0,JPY,C\nGreen,x,0,USD,A\nBlue,-1,0,,D\n" >bad.csv &&
    expect_code 65 qs stock add --name x bad.csv &&
    grep_q "^qs stock add: bad.csv:3: option Color: no value" err &&
    grep_q "^qs stock add: bad.csv:4: the option repeats the one on line 2 (R-STK-2)$" err &&
    grep_q "^qs stock add: bad.csv:5: Qty \"x\" is not a whole number of 0 or more (R-STK-2)$" err &&
    grep_q "^qs stock add: bad.csv:5: Currency \"USD\": Q-inventory options are in JPY only (R-STK-2)$" err &&
    grep_q "^qs stock add: bad.csv:5: SellerCode \"A\" repeats the one on line 2 (R-STK-2)$" err &&
    grep_q "^qs stock add: bad.csv:6: Qty \"-1\"" err &&
    grep_q "6 problems; nothing recorded" err && empty out && test "$(requests)" = 2 &&
    expect_code 65 qs stock add tee.csv && grep_q "needs a name" err
'
test_expect 'R-STK-2: a value with a control character or longer than an Excel cell is refused, nothing recorded (65)' '
    before=$(requests) &&
    { printf "Color,Qty,Price,Currency,SellerCode\nRe\033d,1,0,JPY,A\nBlue,2,0,JPY,B\007\n"; printf "Green,3,0,JPY,%040000d\n" 0; } >ctl.csv &&
    expect_code 65 qs stock add --name "T" ctl.csv &&
    grep_q "^qs stock add: ctl.csv:2: Color holds the control character U+001B (escape) at character 3; remove it (R-STK-2)$" err &&
    grep_q "^qs stock add: ctl.csv:3: SellerCode holds the control character U+0007 (bell)" err &&
    grep_q "^qs stock add: ctl.csv:4: SellerCode is 40000 characters, more than a cell of QSM.s form" err &&
    test "$(requests)" = "$before"
'
test_expect 'R-STK-2: a form that is not QSM'"'"'s layout is refused by column' '
    printf "A,B,C,Qty,Price,Currency,SellerCode\n1,2,3,1,0,JPY,X\n" >three.csv &&
    expect_code 65 qs stock add --name x three.csv &&
    grep_q "column \"C\": QSM.s option form has one or two option columns" err &&
    printf "Color,Qty,Price,SellerCode,Memo\nRed,1,0,X,m\n" >cols.csv &&
    expect_code 65 qs stock add --name x cols.csv &&
    grep_q "column \"Memo\" is not one of QSM.s option form" err &&
    grep_q "the option form has no Currency column" err &&
    printf "{\"Color\": \"Red\", \"Qty\": 1}\n" >f.jsonl &&
    expect_code 65 qs stock add --name x f.jsonl && grep_q "not JSON Lines" err &&
    test "$(requests)" = 2
'
test_expect 'R-STK-3: 3 of 10 options with an extra price are refused (30%); 2 of 10 pass; no negative price' '
    { echo "Size,Qty,Price,Currency,SellerCode"; for i in 1 2 3 4 5 6 7 8 9 10; do
        echo "S$i,1,$([ $i -le 3 ] && echo 100 || echo 0),JPY,P$i"; done; } >p30.csv &&
    expect_code 65 qs stock add --name x p30.csv &&
    grep_q "p30.csv: 3 of 10 options (30%) carry an extra price; fewer than 30% may (QWMS option form rule) (R-STK-3)" err &&
    sed "4s/,100,/,0,/" p30.csv >p20.csv &&
    expect_code 0 qs stock add --name x20 p20.csv && grep_q ",x20,10,handed-off," out &&
    sed "4s/,0,/,-5,/" p20.csv >neg.csv &&
    expect_code 65 qs stock add --name x20 neg.csv && grep_q "Price \"-5\" is not an extra price of 0 or more" err
'
test_expect 'R-STK-2: --usable no is recorded with a warning that inbound uploads will fail' '
    expect_code 0 qs stock add --name "別管理" --usable no zh.csv &&
    grep_q "warning: an item not usable by other inventory management cannot be sent to the warehouse: inbound uploads will then fail (QSM refuses them) (R-STK-2)" err &&
    test "$(sql "SELECT usable FROM stock_request ORDER BY id DESC LIMIT 1")" = 0 &&
    expect_code 64 qs stock add --name x --usable maybe zh.csv
'
test_expect 'R-STK-2: --from-item builds the options of a synced item with combination options; single-type is refused' '
    sb seed "{\"items\": [
        {\"ItemCode\": \"1100000401\", \"ItemTitle\": \"パーカー\", \"ItemPrice\": 3980, \"SellerCode\": \"HOOD\",
         \"ItemType\": \"Color||*Black||*Size||*M||*0||*7||*HOOD-BK-M\$\$Color||*Black||*Size||*L||*0||*4||*HOOD-BK-L\$\$Color||*Gray||*Size||*M||*0||*2||*HOOD-GY-M\"},
        {\"ItemCode\": \"1100000402\", \"ItemTitle\": \"マグ\", \"ItemPrice\": 800, \"SellerCode\": \"MUG\"}]}" >/dev/null &&
    expect_code 65 qs stock add --from-item 1100000401 && grep_q "run qs sync products first" err &&
    qs -q sync products >/dev/null &&
    expect_code 0 qs stock add --from-item 1100000401 &&
    grep_q ",パーカー,3,handed-off," out &&
    test "$(sql "SELECT item_code || \" \" || axes FROM stock_request ORDER BY id DESC LIMIT 1")" = "1100000401 [\"Color\",\"Size\"]" &&
    sql "SELECT options FROM stock_request ORDER BY id DESC LIMIT 1" | grep -q "\"SellerCode\":\"HOOD-GY-M\"" &&
    expect_code 65 qs stock add --from-item 1100000402 &&
    grep_q "item 1100000402 has no combination options (single-type options or none): QSM makes Q-inventory only from combination options (R-STK-2)" err
'
test_expect 'SPEC 1.6: --dry-run prints the request and records nothing' '
    n=$(requests) &&
    printf "Color,Qty,Price,Currency,SellerCode\nWhite,1,0,JPY,W\n" >dry.csv &&
    expect_code 0 qs --dry-run stock add --name dry dry.csv &&
    grep_q "\"form_rows\":\[{\"Color\":\"White\",\"Qty\":1,\"Price\":0,\"Currency\":\"JPY\",\"SellerCode\":\"W\"}\]" out &&
    test "$(requests)" = "$n"
'
test_done

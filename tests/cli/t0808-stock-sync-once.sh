#!/usr/bin/env bash
# SPEC 1.6 for qs stock sync (R-STK-7, issue 13): 2,000 linked items -- 1,800 whole items,
# 200 options -- of which a quarter already show their target, synced against the sandbox
# with 20% of the writes failing (half of them after the sandbox acted: only the answer is
# lost) and some reads failing, one run killed with SIGKILL while it sends, then two runs at
# once, then runs until one exits 0. The sandbox must count exactly one SetGoodsPriceQty per
# changed whole item, one UpdateInventoryQtyUnit per changed option, and none for the
# unchanged ones; every quantity must end at its target.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start
shop_init
N=2000

# alive PID: the process runs (and is not a zombie).
alive() { [ -d "/proc/$1" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# The Q-inventory download, the items and the links: item i (1..N) sells SKU i, whose branch
# holds (7i mod 40) + 1; with --buffer 10% its target is that less 10%, rounded down. Items
# i > 1800 sell it as their one option; every fourth item shows its target already.
"$PY" - "$N" <<'EOF'
import json, sys
n = int(sys.argv[1])
items, links, want = [], [], []
with open("qinv.csv", "w", encoding="utf-8") as f:
    f.write("卖家SKU代码,Q库存-详情号码,Q-详细库存名,库存总量,价格,货币,链接商品数,Qxpress分店数量\n")
    for i in range(1, n + 1):
        branch = (7 * i) % 40 + 1
        target = branch * 90 // 100
        shown = target if i % 4 == 0 else 100
        f.write("S%05d,3000020%05d-00001,item %d,%d,0,JPY,1,%d\n" % (i, i, i, branch, branch))
        it = {"ItemCode": str(1200000000 + i), "ItemTitle": "item %d" % i, "ItemPrice": 1000 + i,
              "SellerCode": "S%05d" % i, "ItemQty": shown}
        opt = ""
        if i > 1800:
            opt = "OPT%05d" % i
            it["ItemType"] = "Size||*F||*0||*%d||*%s" % (shown, opt)
        items.append(it)
        links.append("('demo', '3000020%05d-00001', '%s', '%s', '2026-01-01T00:00:00Z', 'linked')"
                     % (i, it["ItemCode"], opt))
        want.append("%s %s %d" % (it["ItemCode"], opt or "-", target))
json.dump({"items": items}, open("items.json", "w"))
open("links.sql", "w").write("INSERT INTO stock_link (shop, q_sku, item_code, option, recorded_at,"
                             " state) VALUES " + ",\n".join(links) + ";\n")
open("want.txt", "w").write("\n".join(want) + "\n")
EOF

# got: every item's quantity on the sandbox, as want.txt lists them.
got() {
    sb get "/_control/state?sections=items" | "$PY" -c 'import json, sys
for it in sorted(json.load(sys.stdin)["items"], key=lambda i: int(i["ItemCode"])):
    if it["Inventory"]:
        r = it["Inventory"][0]
        print("%s %s %d" % (it["ItemCode"], r["code"], int(r["qty"])))
    else:
        print("%s - %d" % (it["ItemCode"], int(it["ItemQty"])))'
}

# killed: starts qs stock sync and kill -9s it once it has sent some quantities.
killed() {
    local before pid i
    before=$(calls ItemsOrder.SetGoodsPriceQty)
    "$QS" stock sync --buffer 10% >killed.out 2>killed.err &
    pid=$!
    for i in $(seq 1 600); do
        [ "$(calls ItemsOrder.SetGoodsPriceQty)" -gt $((before + 40 + RANDOM % 200)) ] && break
        alive "$pid" || break
        sleep 0.05
    done
    if alive "$pid" && kill -9 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null
        echo "killed after $(($(calls ItemsOrder.SetGoodsPriceQty) - before)) writes: outbox $(sql "SELECT group_concat(state || '=' || n) FROM (SELECT state, count(*) n FROM outbox GROUP BY state)")"
        return 0
    fi
    wait "$pid"
    echo "qs stock sync finished before it could be killed"
    return 1
}

test_expect "setup: $N SKUs imported, $N items on the sandbox, $N links" '
    expect_code 0 qs stock import qinv.csv &&
    sb seed @items.json >/dev/null &&
    sqlite3 "$QS_STORE" <links.sql &&
    test "$(sql "SELECT count(*) FROM stock_link WHERE state = '"'"'linked'"'"'")" = $N
'

test_expect 'R-STK-7, SPEC 1.6: faults, a SIGKILL, two runs at once, then runs until done: one write per changed link' '
    sb faults "{\"error_rate\": 0.1, \"drop_rate\": 0.1, \"phase\": \"mixed\", \"seed\": 13,
        \"latency_ms\": [1, 4],
        \"methods\": [\"SetGoodsPriceQty\", \"UpdateInventoryQtyUnit\"]}" >/dev/null &&
    killed &&
    { "$QS" stock sync --buffer 10% --retry-failed >a.out 2>a.err & pa=$!; } &&
    { "$QS" sync stock --buffer 10% --retry-failed >b.out 2>b.err & pb=$!; } &&
    wait $pa; wait $pb;
    for i in 1 2 3 4 5 6 7 8; do
        rc=0; qs stock sync --buffer 10% --retry-failed >last.out 2>last.err || rc=$?
        [ $rc = 0 ] && break
        [ $rc = 75 ] || { echo "exit $rc"; cat last.err; exit 1; }
    done &&
    test $rc = 0 &&
    once SetGoodsPriceQty 1350 && once UpdateInventoryQty 150 &&
    got >got.txt && test_cmp want.txt got.txt
'

test_expect 'R-STK-7: with the faults gone, the next run finds every quantity unchanged and sends nothing' '
    sb faults "{}" >/dev/null &&
    before=$(calls ItemsOrder.SetGoodsPriceQty) &&
    expect_code 0 qs stock sync --buffer 10% &&
    test "$(grep -c ",already,unchanged$" out)" = $N &&
    grep_q "^qs stock sync: sent 0, already done $N, failed 0, unknown 0$" err &&
    test "$(calls ItemsOrder.SetGoodsPriceQty)" = "$before" &&
    test "$(sql "SELECT count(*) FROM stock_push")" = 1500
'

test_done

#!/usr/bin/env bash
# bench/stock-sync.sh: SPEC 8 "batch work is linear" for `qs sync stock` (= `qs stock
# sync`, R-STK-7), against the sandbox marketplace (qapi.rate=0, faults off).
#
# For each size (default 10,000 and 100,000 SKUs) it writes a Q-inventory download of that
# many SKUs, imports it into a template store, seeds the sandbox with one item per SKU (a
# tenth of them selling it as their one option; every fourth already showing its target),
# links each item to its SKU and saves the sandbox's state. Then RUNS times (default 3),
# alternating the sizes, it restores both and times `qs sync stock --buffer 10%` (action
# "sync": reads every item, sends three quarters), then at once a second run on what that
# left (action "again": reads every item, sends nothing, while the store holds a done
# outbox item per changed link). It prints the medians, the cost per SKU, the ratio of the
# largest size's per-SKU cost to the smallest's (the reference, measured in the same run)
# and the peak resident memory (the largest of the runs, /usr/bin/time %M); for
# information also qs's own CPU time (user + system), which leaves the sandbox's share out.
# Targets: per-SKU ratio <= 1.25, peak RSS at the largest size <= 1.25x the smallest's.
# Exits 1 when a target is missed. Not run by CI.
#
# usage: bench/stock-sync.sh [--runs N] [--skus "N N ..."] [--only sync|again]
#                            [--qs PATH] [--dir DIR [--reuse]] [--quick]
#   --quick: --runs 1 --skus "2000 20000" (development)
#   --reuse: use the sandbox states and stores an earlier run left in DIR
set -eu

here=$(cd "$(dirname "$0")" && pwd)
me=bench/stock-sync.sh
. "$here/bench-lib.sh"
bench_args --skus "$@"
bench_setup qs-bench-stock

# prepare N: sandbox state st-N.json and store store-N.db holding N SKUs, N items and N
# links.
prepare() {
    local n=$1
    rm -f "st-$n.json" "$QS_STORE" "$QS_STORE"-*
    sb_up "st-$n.json"
    shop_init
    python3 - "$n" <<'EOF'
import json, sys
n = int(sys.argv[1])
items, links = [], []
opts = n - n // 10
with open("qinv.csv", "w", encoding="utf-8") as f:
    f.write("卖家SKU代码,Q库存-详情号码,Q-详细库存名,库存总量,价格,货币,链接商品数,Qxpress分店数量\n")
    for i in range(1, n + 1):
        branch = (7 * i) % 40 + 1
        target = branch * 90 // 100
        shown = target if i % 4 == 0 else 100
        f.write("S%07d,30000%07d-00001,item %d,%d,0,JPY,1,%d\n" % (i, i, i, branch, branch))
        it = {"ItemCode": str(1200000000 + i), "ItemTitle": "item %d" % i, "ItemPrice": 1000 + i,
              "SellerCode": "S%07d" % i, "ItemQty": shown}
        opt = ""
        if i > opts:
            opt = "OPT%07d" % i
            it["ItemType"] = "Size||*F||*0||*%d||*%s" % (shown, opt)
        items.append(it)
        links.append("('demo', '30000%07d-00001', '%s', '%s', '2026-01-01T00:00:00Z', 'linked')"
                     % (i, it["ItemCode"], opt))
json.dump({"items": items}, open("items.json", "w"))
with open("links.sql", "w") as f:
    for k in range(0, len(links), 5000):
        f.write("INSERT INTO stock_link (shop, q_sku, item_code, option, recorded_at, state)"
                " VALUES " + ",\n".join(links[k:k + 5000]) + ";\n")
EOF
    "$qs" -q stock import qinv.csv >/dev/null
    "$sbctl" call "$dir/sb" seed @items.json >/dev/null
    sqlite3 "$QS_STORE" <links.sql
    sb_save
    cp "st-$n.json" "st-$n.orig"
    cp "$QS_STORE" "store-$n.db"
    rm -f qinv.csv items.json links.sql
}

# run ACTION N: one timed qs sync stock; appends "seconds kb user sys" to ACTION-N.txt and
# checks what it sent.
run() {
    local action=$1 n=$2 want sent
    if ! /usr/bin/time -f '%e %M %U %S' -o time.txt "$qs" sync stock --buffer 10% >out.txt 2>err.txt; then
        echo "$me: qs sync stock ($action, $n SKUs) failed:" >&2
        tail -5 err.txt >&2
        exit 70
    fi
    want=$((n - n / 4))
    [ "$action" = again ] && want=0
    sent=$(grep -c ',ok,' out.txt || :)
    [ "$sent" = "$want" ] || { echo "$me: qs sync stock ($action): sent $sent of $n, not $want" >&2; tail -3 err.txt >&2; exit 70; }
    cat time.txt >>"$action-$n.txt"
}

# measure N: sync on a restored sandbox and store, then again on what it left.
measure() {
    local n=$1
    cp "st-$n.orig" "st-$n.json"
    rm -f "$QS_STORE" "$QS_STORE"-*
    cp "store-$n.db" "$QS_STORE"
    sb_up "st-$n.json"
    case $only in '' | sync) run sync "$n" ;; *) "$qs" -q sync stock --buffer 10% >/dev/null ;; esac
    case $only in '' | again) run again "$n" ;; esac
    sb_down
}

actions="sync again"
[ -n "$only" ] && actions=$only
for n in $sizes; do
    if [ -z "$reuse" ] || [ ! -f "$dir/st-$n.orig" ] || [ ! -f "$dir/store-$n.db" ]; then
        echo "preparing $n SKUs..." >&2
        prepare "$n"
    fi
    for a in $actions; do rm -f "$a-$n.txt"; done
done
for r in $(seq 1 "$runs"); do
    for n in $sizes; do
        echo "run $r/$runs: qs sync stock, $n SKUs" >&2
        measure "$n"
    done
done
bench_report SKU $actions

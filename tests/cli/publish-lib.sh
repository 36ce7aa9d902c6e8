# publish-lib.sh: what the qs publish tests (t06xx) share, sourced after lib.sh and
# sync-lib.sh: a generated catalog, a listing profile, checks of the sandbox's items.

# gen_catalog N [PREFIX]: catalog.csv in the generic template with N products PREFIX001..
# (default P): odd ones with two colour variants (the second 20% dearer), even ones a
# single SKU; quantities, delivery days, images.
gen_catalog() {
    awk -v n="$1" -v p="${2:-P}" 'BEGIN {
        print "Parent SKU,SKU,Title,Description,Tags,Brand,UPC,Color,Size,Price,Shipping,Quantity,Min Delivery Days,Max Delivery Days,Main Image URL,Extra Image URL 1"
        for (i = 1; i <= n; i++) {
            id = sprintf("%s%03d", p, i)
            if (i % 2) {
                printf "%s,%s-R,Product %d,Test product %d,test,,,Red,,%d,0,%d,1,3,https://img.example.jp/%s-r.jpg,https://img.example.jp/%s-x.jpg\n", id, id, i, i, 1000 + i, 5 + i, id, id
                printf "%s,%s-B,Product %d,Test product %d,test,,,Blue,,%d,0,%d,1,3,https://img.example.jp/%s-b.jpg,\n", id, id, i, i, 1200 + i, 3, id
            } else {
                printf "%s,%s,Product %d,Test product %d,test,,,,,%d,0,%d,1,3,https://img.example.jp/%s.jpg,\n", id, id, i, i, 2000 + i, 7, id
            }
        }
    }' >catalog.csv
}

# pub_profile: the shop's default profile with what every product needs.
pub_profile() {
    qs -q publish profile ProductionPlaceType=1 ProductionPlace=TOKYO SecondSubCat=320001234 \
        >/dev/null
}

# item SELLERCODE FIELD: a field of the sandbox's item with that SellerCode (JSON).
item() {
    sb get '/_control/state?sections=items' | "$PY" -c 'import json, sys
items = json.load(sys.stdin)["items"]
items = items.values() if isinstance(items, dict) else items
for it in items:
    if it["SellerCode"] == sys.argv[1]:
        print(json.dumps(it[sys.argv[2]], ensure_ascii=False, sort_keys=True)); break
else:
    print("no item"); sys.exit(1)' "$1" "$2"
}

# nitems: how many items the sandbox holds.
nitems() {
    sb get '/_control/state?sections=items' | "$PY" -c 'import json, sys
print(len(json.load(sys.stdin)["items"]))'
}

# key_calls FAMILY KEY: by_key calls of one key (0 when never).
key_calls() {
    sb counters | "$PY" -c 'import json, sys
print(json.load(sys.stdin)["by_key"].get(sys.argv[1], {}).get(sys.argv[2], {}).get("calls", 0))' "$1" "$2"
}

# states: "state=count" of the shop's products, sorted.
states() { sql "SELECT state || '=' || count(*) FROM product GROUP BY state ORDER BY state" | tr '\n' ' '; }

# noon_zone: an Etc/GMT zone where it is about noon now, so that a time of day half an hour
# ago has passed today and 23:00 is ahead, whatever the hour the test runs at.
noon_zone() {
    local o=$((12 - 10#$(date -u +%H)))
    if [ "$o" -ge 0 ]; then echo "Etc/GMT-$o"; else echo "Etc/GMT+$((-o))"; fi
}

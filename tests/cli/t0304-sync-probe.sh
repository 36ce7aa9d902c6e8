# t0304: qs sync probe against the sandbox marketplace -- the probes it sends, the probe
# file it writes (secrets and personal data redacted), the sandbox's replay of that file,
# --apply, and the safety checks before the two bulk writes (R-SYN-10).
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start
# Every sandbox of this script is stopped at the end: the main one and the replays.
trap 'for d in "$SBDIR" "$TRASH"/sb-*; do [ -d "$d" ] && "$SBCTL" stop "$d" >/dev/null 2>&1; done; cd /; rm -rf "$TRASH"' EXIT

# total_calls: every call the sandbox answered or dropped, the login included.
total_calls() { sb counters | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["totals"]["calls"])'; }

# replay NAME FILE: starts a sandbox in sb-NAME answering from probe file FILE; prints its
# QAPI URL.
replay() {
    "$SBCTL" start "$TRASH/sb-$1" --replay "$2" >/dev/null && cat "$TRASH/sb-$1/sandbox.qapi_url"
}

# finding FILE NAME: a finding of a probe file, as compact JSON.
finding() {
    "$PY" -c 'import json, sys
print(json.dumps(json.load(open(sys.argv[1], encoding="utf-8"))["findings"][sys.argv[2]],
                 ensure_ascii=False, separators=(",", ":")))' "$1" "$2"
}

PROBES="open-0 open-blank open-1 open-2 open-3 claims order-check bulk-ship bulk-confirm version-doc version-other item-check inventory-1axis inventory-2axis"

test_expect 'R-SYN-10: a shop with orders in statuses 1-3 and claims, buyers included' '
    shop_init &&
    sb seed "{\"generate_orders\": 300, \"seed\": 7, \"start\": \"$(days_ago 20)\", \"days\": 15, \"statuses\": [1, 2, 3], \"claim_rate\": 0.1}" >/dev/null &&
    sb get /_control/claims | grep -q claimStatus
'

test_expect 'R-SYN-10: --dry-run prints each probe as a JSON line and sends nothing, not even the login; no file' '
    expect_code 0 qs --dry-run sync probe &&
    test "$(wc -l <out)" = 14 &&
    "$PY" -c "import json, sys
ids = [json.loads(l)[\"probe\"] for l in open(\"out\")]
assert ids == sys.argv[1].split(), ids
first = json.loads(open(\"out\").readline())
assert list(first) == [\"probe\", \"method\", \"version\", \"params\"], first
assert first[\"method\"] == \"ShippingBasic.GetShippingInfo_v3\" and first[\"params\"][\"ShippingStatus\"] == \"0\"
" "$PROBES" &&
    grep_q "\"probe\":\"bulk-ship\",\"method\":\"ShippingBasic.SetSendingInfoBulk\",\"version\":\"1.0\",\"params\":{\"ShippingInfoJson\":\"\[{\\\\\"OrderNo\\\\\":\\\\\"1\\\\\",\\\\\"ShippingCorp\\\\\":\\\\\"ヤマト宅急便\\\\\",\\\\\"TrackingNo\\\\\":\\\\\"0\\\\\"}\]\"}" out &&
    grep_q "\"probe\":\"version-other\",\"method\":\"ItemsLookup.GetSellerDeliveryGroupInfo\",\"version\":\"1.1\"" out &&
    expect_code 0 qs sync probe --dry-run --days 7 --order-no 42 &&
    grep_q "OrderNo\\\\\":\\\\\"42" out &&
    test "$(total_calls)" = 0 &&
    test -z "$(ls qs-probe-* 2>/dev/null)" &&
    test "$(sql "SELECT count(*) FROM audit")" = 0
'

test_expect 'R-SYN-10: bad options are usage errors (exit 64), nothing sent' '
    expect_code 64 qs sync probe --days 0 &&
    expect_code 64 qs sync probe --days 91 &&
    expect_code 64 qs sync probe --order-no 12a &&
    grep_q "order number" err &&
    expect_code 64 qs sync probe --dry-run --apply &&
    test "$(total_calls)" = 0
'

test_expect 'R-SYN-10: a probe writes every exchange, in order, and the findings to the probe file' '
    expect_code 0 qs sync probe -o p1.json &&
    test "$(wc -l <out)" = 10 &&
    grep_q "^open_form: zero (" out &&
    grep_q "^bulk_ship_codes: {\"result_cd\":-10001,\"ResultCode\":-10001,\"agree\":true} (" out &&
    grep_q "^version_lenient: false (" out &&
    grep_q "wrote p1.json" err &&
    test "$(stat -c %a p1.json)" = 600 &&
    "$PY" -c "import json, sys
d = json.load(open(\"p1.json\", encoding=\"utf-8\"))
assert list(d) == [\"format\", \"qs_version\", \"shop\", \"base_url\", \"started\", \"exchanges\", \"findings\"], list(d)
assert d[\"format\"] == \"qs-probe/1\" and d[\"shop\"] == \"demo\", d
ids = [x[\"probe\"] for x in d[\"exchanges\"]]
assert ids == sys.argv[1].split(), ids
for x in d[\"exchanges\"]:
    assert list(x) == [\"probe\", \"method\", \"version\", \"params\", \"http_status\", \"answer\", \"content_type\"], x
    assert x[\"http_status\"] == 200 and x[\"answer\"], x
    assert \"returnType\" not in x[\"params\"], x
    assert \"CreateCertificationKey\" not in x[\"method\"], x
f = d[\"findings\"]
assert f[\"open_form\"] == \"zero\", f
c = f[\"open_counts\"]
assert c[\"0\"] == c[\"\"] == c[\"1\"] + c[\"2\"] + c[\"3\"] and c[\"3\"] > 0, c
assert f[\"largest_window_rows\"] == c[\"0\"] and f[\"window_cap\"] == max(200, c[\"0\"]), f
assert f[\"claim_status_forms\"] == [\"number\"] and f[\"claim_status_unparseable\"] == [], f
assert f[\"bulk_confirm_codes\"] == {\"result_cd\": -10001, \"ResultCode\": -10001, \"agree\": True}, f
assert f[\"version_lenient\"] is False and f[\"inventory_form\"] is None, f
" "$PROBES" &&
    ! grep -q CreateCertificationKey p1.json
'

test_expect 'R-SYN-10: no secret of the shop and no personal data of the buyers in the probe file' '
    no_secrets p1.json &&
    sb get /_control/orders >orders.json &&
    "$PY" -c "import json, sys
text = open(\"p1.json\", encoding=\"utf-8\").read()
doc = json.loads(text)
answers = \" \".join(x[\"answer\"] for x in doc[\"exchanges\"])
pii = set()
for o in json.load(open(\"orders.json\", encoding=\"utf-8\"))[\"orders\"]:
    for k in (\"Buyer\", \"BuyerKana\", \"BuyerTel\", \"BuyerMobile\", \"BuyerEmail\", \"Receiver\",
              \"ReceiverKana\", \"ReceiverTel\", \"ReceiverMobile\", \"ZipCode\", \"ShippingAddress\",
              \"Address1\", \"Address2\", \"SellerID\"):
        if len(str(o.get(k, \"\"))) > 3:
            pii.add(str(o[k]))
assert len(pii) > 100, len(pii)
leaks = [v for v in pii if v in text or v in answers]
assert not leaks, leaks[:5]
assert answers.count(\"<redacted>\") > 1000, answers.count(\"<redacted>\")
"
'

test_expect 'R-SYN-10: an existing probe file is never overwritten (exit 74), nothing sent' '
    sum=$(sha256sum <p1.json) && before=$(total_calls) &&
    expect_code 74 qs sync probe -o p1.json &&
    grep_q "p1.json exists" err &&
    test "$(sha256sum <p1.json)" = "$sum" &&
    test "$(total_calls)" = "$before"
'

test_expect 'R-SYN-10: the sandbox replays the probe file: a second probe gets the same answers and findings' '
    url=$(replay rt p1.json) &&
    cp "$QS_STORE" rt.db &&
    QS_STORE=$TRASH/rt.db QS_QAPI_URL=$url qs sync probe -o p2.json >f2.out 2>f2.err &&
    QS_STORE=$TRASH/rt.db QS_QAPI_URL=$url qs sync probe -o p3.json >f3.out &&
    test_cmp f2.out f3.out &&
    "$PY" -c "import json
a, b = (json.load(open(f, encoding=\"utf-8\")) for f in (\"p1.json\", \"p2.json\"))
assert a[\"findings\"] == b[\"findings\"], (a[\"findings\"], b[\"findings\"])
for x, y in zip(a[\"exchanges\"], b[\"exchanges\"]):
    for k in (\"probe\", \"method\", \"version\", \"http_status\", \"answer\", \"content_type\"):
        assert x[k] == y[k], (k, x[k][:200], y[k][:200])
assert len(a[\"exchanges\"]) == len(b[\"exchanges\"])
" &&
    "$SBCTL" call "$TRASH/sb-rt" counters | "$PY" -c "import json, sys
m = json.load(sys.stdin)[\"methods\"]
assert m[\"ShippingBasic.SetSendingInfoBulk\"][\"calls\"] == 2, m
"
'

# The recorded empty answers of shared/reference/qapi-fidelity.md section 5, items 4-6 (R):
# the exchanges as recorded, and the probe's open-orders and claims requests answered with
# them. Nothing else was recorded: every other probe gets the replay's plain-text answer.
cat >recorded.json <<'EOF'
{"format": "qs-probe/1", "shop": "recorded", "exchanges": [
 {"probe": "recorded-4", "method": "ShippingBasic.GetShippingInfo_v3", "version": "1.0",
  "params": {"ShippingStatus": "", "SearchStartDate": "20260507", "SearchEndDate": "20260507", "SearchCondition": "2"},
  "http_status": 200, "content_type": "application/json",
  "answer": "{\"ResultCode\":0,\"ResultMsg\":\"SUCCESS. But No Result\",\"ResultObject\":null}"},
 {"probe": "recorded-5", "method": "CSCenter.GetInquiryMessage", "version": "1.0",
  "params": {"search_start_dt": "20260501", "search_end_dt": "20260507", "proc_status": "S1"},
  "http_status": 200, "content_type": "application/json",
  "answer": "{\"ResultCode\":0,\"ResultMsg\":\"SUCCESS\",\"ResultObject\":[]}"},
 {"probe": "recorded-6", "method": "ShippingBasic.GetClaimInfo_V3", "version": "1.0",
  "params": {"ClaimStat": "", "search_Sdate": "20260809000000", "search_Edate": "20260907235959", "search_condition": "2"},
  "http_status": 200, "content_type": "application/json",
  "answer": "{\"ResultCode\":0,\"ResultMsg\":\"SUCCESS\",\"ResultObject\":[]}"}
EOF
for st in 0 "" 1 2 3; do
    cat >>recorded.json <<EOF
 ,{"probe": "open-$st", "method": "ShippingBasic.GetShippingInfo_v3", "version": "1.0",
  "params": {"ShippingStatus": "$st", "SearchStartDate": "20260507000000", "SearchEndDate": "20260606000000", "SearchCondition": "1"},
  "http_status": 200, "content_type": "application/json",
  "answer": "{\"ResultCode\":0,\"ResultMsg\":\"SUCCESS. But No Result\",\"ResultObject\":null}"}
EOF
done
echo ']}' >>recorded.json

test_expect 'R-SYN-10: recorded empty answers (qapi-fidelity.md 5, items 4-6) replay and give open_form null' '
    url=$(replay rec recorded.json) &&
    rm -f rec.db && QS_STORE=$TRASH/rec.db shop_init &&
    QS_STORE=$TRASH/rec.db QS_QAPI_URL=$url expect_code 1 qs sync probe -o rec-probe.json --apply &&
    grep_q "^open_form: null (ShippingStatus \"3\" returned no rows" out &&
    grep_q "order 1: the marketplace did not show it unknown" err &&
    test "$(finding rec-probe.json open_form)" = null &&
    test "$(finding rec-probe.json open_counts)" = "{\"0\":0,\"\":0,\"1\":0,\"2\":0,\"3\":0}" &&
    test "$(finding rec-probe.json largest_window_rows)" = 0 &&
    test "$(finding rec-probe.json window_cap)" = 200 &&
    test "$(finding rec-probe.json claim_status_forms)" = "[]" &&
    test "$(finding rec-probe.json bulk_ship_codes)" = null &&
    test "$(finding rec-probe.json inventory_form)" = null &&
    "$PY" -c "import json
d = json.load(open(\"rec-probe.json\", encoding=\"utf-8\"))
x = {e[\"probe\"]: e for e in d[\"exchanges\"]}
assert \"bulk-ship\" not in x and \"inventory-1axis\" not in x, list(x)
assert x[\"order-check\"][\"answer\"] == \"replay: no recorded answer for ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2\", x[\"order-check\"]
assert x[\"order-check\"][\"content_type\"].startswith(\"text/plain\"), x[\"order-check\"]
" &&
    test "$(sqlite3 rec.db "SELECT group_concat(key || \"=\" || value) FROM shop_setting WHERE key IN (\"sync.open_form\", \"sync.window_cap\", \"qapi.inventory_form\")")" = "sync.window_cap=200"
'

test_expect 'R-SYN-10: --apply stores sync.open_form, sync.window_cap and qapi.inventory_form' '
    qs -q init --shop demo --set sync.window_cap=1000 >/dev/null &&
    sb config "{\"mode\": \"documented\"}" >/dev/null &&
    expect_code 0 qs sync probe --apply -o p4.json &&
    sb config "{\"mode\": \"invented\"}" >/dev/null &&
    grep_q "^window_cap: 1000 (" out &&
    grep_q "^inventory_form: one-axis (" out &&
    grep_q "stored sync.open_form=zero" err &&
    grep_q "stored sync.window_cap=1000" err &&
    grep_q "stored qapi.inventory_form=one-axis" err &&
    test "$(sql "SELECT value FROM shop_setting WHERE key = \"sync.open_form\"")" = zero &&
    test "$(sql "SELECT value FROM shop_setting WHERE key = \"sync.window_cap\"")" = 1000 &&
    test "$(sql "SELECT value FROM shop_setting WHERE key = \"qapi.inventory_form\"")" = one-axis
'

test_expect 'R-SYN-10: the bulk writes are not sent when the order number exists (exit 1)' '
    sb seed "{\"orders\": [{\"OrderNo\": 987654321, \"status\": 2, \"Buyer\": \"山田 花子\"}]}" >/dev/null &&
    ship=$(calls ShippingBasic.SetSendingInfoBulk) && confirm=$(calls ShippingBasic.SetSellerCheckYNBulk) &&
    expect_code 1 qs sync probe --order-no 987654321 -o p5.json &&
    grep_q "order 987654321: the marketplace did not show it unknown (0 " err &&
    grep_q "with --order-no (R-SYN-10)" err &&
    test "$(calls ShippingBasic.SetSendingInfoBulk)" = "$ship" &&
    test "$(calls ShippingBasic.SetSellerCheckYNBulk)" = "$confirm" &&
    test "$(finding p5.json bulk_ship_codes)" = null &&
    test "$(finding p5.json bulk_confirm_codes)" = null &&
    ! grep -q "山田 花子" p5.json &&
    sb get /_control/orders | "$PY" -c "import json, sys
o = [o for o in json.load(sys.stdin)[\"orders\"] if o[\"OrderNo\"] == 987654321][0]
assert o[\"status\"] == 2 and o[\"TrackingNo\"] == \"\", o
"
'

test_expect 'R-SYN-10: a probe that gets no answer stops; the file keeps what was learned (exit 75)' '
    qs -q init --shop demo --set qapi.retries=0 >/dev/null &&
    sb faults "{\"drop_next\": 5, \"methods\": [\"GetClaimInfo_V3\"]}" >/dev/null &&
    expect_code 75 qs sync probe -o p6.json &&
    sb faults "{}" >/dev/null &&
    grep_q "GetClaimInfo_V3" err &&
    "$PY" -c "import json
d = json.load(open(\"p6.json\", encoding=\"utf-8\"))
ids = [(x[\"probe\"], x[\"http_status\"]) for x in d[\"exchanges\"]]
assert ids[-1] == (\"claims\", 0) and len(ids) == 6, ids
assert d[\"findings\"][\"open_form\"] == \"zero\" and d[\"findings\"][\"claim_status_forms\"] is None, d[\"findings\"]
"
'

test_done

#!/usr/bin/env bash
# t0308: qs sync doctor (R-SYN-8) -- one line per check, ok, warn or fail, exit 1 on any fail
# and 0 otherwise; each check turned by setting up its cause: the keys, the seller key's age,
# the clock against the sandbox's Date header, the marketplace out of reach, a hook that is
# not there, a hand-off folder that cannot be made, the mail server's settings, the outbox,
# the last stock import, storage fee bills (R-STK-8), late bundles (R-INB-5) and the week's
# coupon push (R-CPN-5).
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"

sb_start
# kshop NAME [ARGS...]: a shop with the sandbox seller's keys.
kshop() {
    printf '%s\n%s\n%s\n' "$SB_KEY" "$SB_USER" "$SB_PASS" |
        qs -q init --shop "$1" --secret qapi.key --secret qapi.user --secret qapi.password \
            --set qapi.rate=0 "${@:2}" >/dev/null
}
# free_port: a loopback port nothing listens on (bound, then let go).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# level CHECK: the level of CHECK in out.
level() { awk -v c="$1" '$2 == c { print $1 }' out; }
# utc "DATE HH:MM" (Japan time) -> UTC ISO-8601, for QS_NOW.
utc() { date -u -d "TZ=\"Asia/Tokyo\" $1" +%Y-%m-%dT%H:%M:%SZ; }
kshop demo

test_expect 'R-SYN-8: a clean shop against the sandbox: every check ok, one line each, exit 0' '
    expect_code 0 qs --shop demo sync doctor && empty err &&
    awk "{ print \$1, \$2 }" out >got &&
    cat >want <<EOF2 &&
ok qapi.keys
ok qapi.reach
ok qapi.clock
ok qapi.sak
ok deliver
ok notify.smtp
ok outbox
ok stock.import
ok inbound.late
ok coupon.week
EOF2
    test_cmp want got
'

test_expect 'R-SYN-8: --format json gives records level, check, message' '
    expect_code 0 qs --shop demo sync doctor --format json &&
    test "$(wc -l <out)" = 10 &&
    grep_q "^{\"level\":\"ok\",\"check\":\"qapi.sak\",\"message\":\"seller authorization key issued " out
'

test_expect 'R-SYN-8: keys missing: qapi.keys fails naming the secrets, nothing is called, exit 1' '
    qs -q init --shop nokey >/dev/null &&
    expect_code 1 qs --shop nokey sync doctor &&
    test "$(level qapi.keys)" = fail &&
    grep_q "missing qapi.key (QS_QAPI_KEY), qapi.user (QS_QAPI_USER), qapi.password" out &&
    test "$(level qapi.reach)" = fail && grep_q "not tried" out
'

test_expect 'R-SYN-8: the seller key expires a year after issue: warn 30 days before, fail after' '
    QS_NOW=$(date -u -d "+340 days" +%FT%TZ) expect_code 0 qs --shop demo sync doctor &&
    test "$(level qapi.sak)" = warn && grep_q "expires on " out &&
    QS_NOW=$(date -u -d "+330 days" +%FT%TZ) expect_code 0 qs --shop demo sync doctor &&
    test "$(level qapi.sak)" = ok &&
    QS_NOW=$(date -u -d "+366 days" +%FT%TZ) expect_code 1 qs --shop demo sync doctor &&
    test "$(level qapi.sak)" = fail && grep_q "expired on " out
'

test_expect 'R-SYN-8: clock skew against the marketplace'"'"'s Date: 2 minutes warn, 15 fail' '
    sb clock "{\"advance_s\": 120}" >/dev/null &&
    expect_code 0 qs --shop demo sync doctor && test "$(level qapi.clock)" = warn &&
    grep_q "behind the marketplace" out &&
    sb clock "{\"advance_s\": 780}" >/dev/null &&
    rc=0 && { expect_code 1 qs --shop demo sync doctor || rc=1; } &&
    sb clock "{\"now\": null}" >/dev/null && test $rc = 0 && test "$(level qapi.clock)" = fail
'

test_expect 'R-SYN-8: the marketplace out of reach fails qapi.reach; the clock is then not checked' '
    QS_QAPI_URL=http://127.0.0.1:9 expect_code 1 qs --shop demo sync doctor &&
    test "$(level qapi.reach)" = fail && test "$(level qapi.clock)" = warn &&
    grep_q "not checked: no answer" out
'

# Hooks for the ping (R-SYN-8): one that answers, one that refuses the kind (and keeps the
# request it got), one that echoes its input, one that says nothing, one that answers
# another id.
cat >hook.sh <<'EOF2'
#!/bin/sh
read -r line && echo '{"id":"ping","ok":true}'
EOF2
cat >refuse.sh <<'EOF2'
#!/bin/sh
cat >"$0.got"
echo '{"id":"ping","ok":false,"error":"unknown kind","retry":false}'
EOF2
printf '#!/bin/sh\ncat\n' >echo.sh
printf '#!/bin/sh\nexit 0\n' >mute.sh
printf '#!/bin/sh\necho %s\n' "'{\"id\":\"7\",\"ok\":true}'" >other.sh
chmod +x hook.sh refuse.sh echo.sh mute.sh other.sh

test_expect 'R-SYN-8: a hook command that does not exist and a hand-off folder under a file fail' '
    kshop dl --deliver note=hook:"$TRASH/no-such-hook --x" --deliver stock=file:blocker/sub &&
    : >blocker && expect_code 1 qs --shop dl sync doctor &&
    test "$(level deliver.note)" = fail && grep_q "no-such-hook\" is not an executable file" out &&
    test "$(level deliver.stock)" = fail &&
    rm blocker &&
    qs -q init --shop dl --deliver note=hook:"QS_X=1 $TRASH/hook.sh" >/dev/null &&
    expect_code 0 qs --shop dl sync doctor &&
    test "$(level deliver.note)" = ok && test "$(level deliver.stock)" = ok &&
    grep_q " hook $TRASH/hook.sh answers a ping\$" out
'

test_expect 'R-SYN-8: a hook is pinged: it gets one request of kind ping and must answer its id' '
    kshop hp --deliver coupon=hook:"$TRASH/refuse.sh" --deliver note=hook:"$TRASH/echo.sh" \
        --deliver stock=hook:"$TRASH/mute.sh" --deliver inbound=hook:"$TRASH/other.sh" &&
    expect_code 1 qs --shop hp sync doctor &&
    test "$(level deliver.coupon)" = ok && grep_q "refuse.sh answers a ping (it said: unknown kind)" out &&
    test "$(cat refuse.sh.got)" = "{\"id\":\"ping\",\"kind\":\"ping\",\"key\":\"ping\",\"shop\":\"hp\",\"for\":\"coupon\"}" &&
    test "$(level deliver.note)" = fail && grep_q "echo.sh did not answer a ping: its answer has no \"ok\": true or false" out &&
    test "$(level deliver.stock)" = fail && grep_q "mute.sh did not answer a ping: it ended without answering" out &&
    test "$(level deliver.inbound)" = fail && grep_q "other.sh did not answer a ping: its first line does not answer the ping.s id" out
'

test_expect 'R-SYN-8: a notification template in use needs smtp.url and smtp.from' '
    kshop nt && qs -q --shop nt sync notify template add --kind order --group Basic \
        --subject s --body b >/dev/null &&
    expect_code 1 qs --shop nt sync doctor && test "$(level notify.smtp)" = fail &&
    grep_q "smtp delivery needs the shop.s smtp.url and smtp.from" out &&
    qs -q init --shop nt --set smtp.url=smtp://127.0.0.1:$(free_port) --set "smtp.from=Shop <s@example.jp>" &&
    expect_code 1 qs --shop nt sync doctor && test "$(level notify.smtp)" = fail &&
    grep_q "notify.smtp .*the mail server smtp://127.0.0.1:[0-9]*: Couldn.t connect to server: check smtp.url" out
'

# A mail server that only takes the login of shop / s3cret (tests/tools/smtp_login.py).
mkdir smtpd
python3 "$QS_SRC/tests/tools/smtp_login.py" smtpd shop s3cret >/dev/null 2>&1 &
SMTPD=$!
trap 'kill $SMTPD 2>/dev/null; "$SBCTL" stop "$SBDIR" >/dev/null 2>&1; cd /; rm -rf "$TRASH"' EXIT
for _ in $(seq 100); do [ -s smtpd/port ] && break; sleep 0.1; done

test_expect 'R-SYN-8: the mail server is logged in to (AUTH, NOOP, QUIT; no mail); a wrong password fails' '
    printf "%s\n" wrong | qs -q init --shop nt --set smtp.url=smtp://127.0.0.1:$(cat smtpd/port) \
        --set smtp.user=shop --secret smtp.password &&
    expect_code 1 qs --shop nt sync doctor && test "$(level notify.smtp)" = fail &&
    grep_q "refused the login of shop: check smtp.user and the secret smtp.password" out &&
    printf "%s\n" s3cret | qs -q init --shop nt --secret smtp.password &&
    expect_code 0 qs --shop nt sync doctor && test "$(level notify.smtp)" = ok &&
    grep_q "1 template in use; the mail server smtp://127.0.0.1:[0-9]* accepts the login of shop\$" out &&
    grep_q "^AUTH shop denied\$" smtpd/log && grep_q "^AUTH shop ok\$" smtpd/log &&
    grep_q "^NOOP\$" smtpd/log && ! grep_q "^MAIL" smtpd/log
'

# ob KIND KEY STATE NEXT UPDATED: an outbox row of shop ob as the engine leaves it.
ob() {
    sql "INSERT INTO outbox(shop, kind, key, state, next_at, created_at, updated_at)
         VALUES ('ob', '$1', '$2', '$3', '$4', '$4', '$5')"
}
test_expect 'R-SYN-8: the outbox per kind: failed and unknown fail, due and old hand-offs warn' '
    kshop ob && now=$(date -u +%FT%TZ) && old=$(date -u -d "-2 days" +%FT%TZ) &&
    later=$(date -u -d "+2 days" +%FT%TZ) &&
    ob note n1 pending "$later" "$now" && ob coupon c1 handed-off "$now" "$now" &&
    expect_code 0 qs --shop ob sync doctor && test "$(level outbox)" = ok &&
    ob coupon c2 handed-off "$old" "$old" &&
    expect_code 0 qs --shop ob sync doctor && test "$(level outbox.coupon)" = warn &&
    grep_q "1 handed off more than a day ago" out &&
    ob note n2 pending "$old" "$old" &&
    expect_code 0 qs --shop ob sync doctor && test "$(level outbox.note)" = warn &&
    grep_q "1 due and unsent" out &&
    ob note n3 unknown "$old" "$old" &&
    expect_code 1 qs --shop ob sync doctor && test "$(level outbox.note)" = fail &&
    grep_q "1 unknown (check on the other side" out &&
    ob stock s1 failed "$old" "$old" &&
    expect_code 1 qs --shop ob sync doctor && test "$(level outbox.stock)" = fail &&
    grep_q "1 failed (rerun with --retry-failed" out
'

QH="卖家SKU代码,Q库存-详情号码,Q-详细库存名,库存总量,价格,货币,链接商品数,Qxpress分店数量"
CUR=$(TZ=Asia/Tokyo date +%Y-%m)
B=$(date -d "$CUR-15 -1 month" +%Y-%m)
A=$(date -d "$B-15 -1 month" +%Y-%m)
Z=$(date -d "$A-15 -1 month" +%Y-%m)
# snap QTY: a Q-inventory download with one option, 10 pieces at the branch.
snap() { printf '%s\nT01,300001289771-00001,a,%s,0,JPY,1,10\n' "$QH" "$1" >snap$1.csv; }

test_expect 'R-SYN-8: the last stock import older than a day warns (only a shop using the warehouse)' '
    kshop wh && snap 11 && QS_NOW=$(utc "$Z-05 10:00") qs -q --shop wh stock import snap11.csv &&
    QS_NOW=$(utc "$Z-06 09:00") expect_code 0 qs --shop wh sync doctor &&
    test "$(level stock.import)" = ok &&
    QS_NOW=$(utc "$Z-06 11:00") expect_code 0 qs --shop wh sync doctor &&
    test "$(level stock.import)" = warn && grep_q "over a day ago" out
'

test_expect "R-STK-8: bills of $A and $B unpaid: doctor fails, saying the service stops (cash-on-delivery)" '
    snap 12 && snap 13 &&
    QS_NOW=$(utc "$A-05 10:00") qs -q --shop wh stock import snap12.csv &&
    QS_NOW=$(utc "$B-05 10:00") qs -q --shop wh stock import snap13.csv &&
    QS_NOW=$(utc "$CUR-10 10:00") expect_code 1 qs --shop wh sync doctor &&
    test "$(level stock.fees)" = fail &&
    grep_q "2 months of storage fees unpaid ($A: 300 JPY, $B: 300 JPY): two months unpaid stop the warehouse service and the goods come back cash-on-delivery" out
'

test_expect "R-STK-8: $B's bill unpaid warns as due until the 20th and fails after it" '
    qs -q --shop wh stock fees --paid "$A" >/dev/null &&
    QS_NOW=$(utc "$CUR-20 23:59") expect_code 0 qs --shop wh sync doctor &&
    test "$(level stock.fees)" = warn && grep_q "bill of $B (300 JPY) is due" out &&
    QS_NOW=$(utc "$CUR-21 00:00") expect_code 1 qs --shop wh sync doctor &&
    test "$(level stock.fees)" = fail && grep_q "unpaid after the 20th: shipping stops" out &&
    qs -q --shop wh stock fees --paid "$B" >/dev/null &&
    QS_NOW=$(utc "$CUR-21 00:00") expect_code 0 qs --shop wh sync doctor &&
    test "$(level stock.fees)" = ok
'

test_expect 'R-INB-5: a bundle past 3 days of inspection warns in the doctor' '
    kshop ib && QS_NOW=2026-12-01T00:00:00Z qs -q --shop ib stock import snap11.csv &&
    printf "SellerCode,InventoryCode,InventoryOptionCode,InOut,MovingQty,BranchCode,Description\nT01,300001289771,00001,in,5,,\n" >b.csv &&
    qs -q --shop ib inbound add b.csv >/dev/null 2>&1 &&
    qs -q --shop ib inbound mark B1 requested --cargo-no 9 2>/dev/null &&
    qs -q --shop ib inbound mark B1 confirmed 2>/dev/null &&
    qs -q --shop ib inbound mark B1 shipped --carrier c --tracking t --boxes 1 2>/dev/null &&
    QS_NOW=2026-12-07T14:30:00Z qs -q --shop ib inbound mark B1 arrived 2>/dev/null &&
    QS_NOW=2026-12-10T14:59:59Z expect_code 0 qs --shop ib sync doctor &&
    test "$(level inbound.late)" = ok &&
    QS_NOW=2026-12-10T15:00:00Z expect_code 0 qs --shop ib sync doctor &&
    test "$(level inbound.late)" = warn && grep_q "1 bundle past the 3 days of inspection: B1 (arrived 2026-12-07)" out
'

test_expect 'R-CPN-5: the week'"'"'s push used warns and names the next free week; the next week is free' '
    kshop cp && QS_NOW=2026-12-03T01:00:00Z qs -q --shop cp coupon add --code C1 --name c \
        --discount 500 --from 2026-11-01 --to 2027-01-31 --qsm-no 7001 >/dev/null &&
    QS_NOW=2026-12-03T01:00:00Z qs -q --shop cp coupon record comp --coupon C1 --at "2026-12-01 10:00" >/dev/null &&
    QS_NOW=2026-12-03T01:00:00Z expect_code 0 qs --shop cp sync doctor &&
    test "$(level coupon.week)" = warn && grep_q "the next free week starts 2026-12-07" out &&
    QS_NOW=2026-12-07T01:00:00Z expect_code 0 qs --shop cp sync doctor &&
    test "$(level coupon.week)" = ok
'

test_expect 'R-SYN-8: an operand is a usage error (64)' '
    expect_code 64 qs --shop demo sync doctor extra
'

test_done

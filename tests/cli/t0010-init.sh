#!/usr/bin/env bash
# qs init: the store (SPEC 1.4) and a shop; idempotent.
. "$(dirname "$0")/lib.sh"

dump() { sqlite3 "$1" .dump; }

test_expect "SPEC 1.4: qs init creates the store 0600 in new folders and the shop" '
    QS_STORE="$TRASH/x/y/qs.db" expect_code 0 qs init --shop demo &&
    test "$(stat -c %a "$TRASH/x/y/qs.db")" = 600 &&
    printf "shop,tz,secrets,settings,store\ndemo,Asia/Tokyo,0,,%s\n" "$TRASH/x/y/qs.db" >expect &&
    test_cmp expect out && grep_q "created shop demo (Asia/Tokyo)" err
'
test_expect "a second qs init changes nothing" '
    dump "$TRASH/x/y/qs.db" >before &&
    QS_STORE="$TRASH/x/y/qs.db" expect_code 0 qs init --shop demo &&
    dump "$TRASH/x/y/qs.db" >after && test_cmp before after &&
    grep_q "unchanged" err
'
test_expect "qs init with no shop on an empty store asks for --shop, exit 64" '
    QS_STORE="$TRASH/e/qs.db" expect_code 64 qs init && grep_q -- "--shop NAME" err
'
test_expect "qs init again without --shop works on a one-shop store" '
    QS_STORE="$TRASH/x/y/qs.db" expect_code 0 qs init && grep_q "^demo,Asia/Tokyo" out
'
test_expect "SPEC 1.5: --tz sets the zone; changing it is reported" '
    qs init --shop la --tz America/Los_Angeles >/dev/null 2>&1 &&
    expect_code 0 qs init --shop la --tz Asia/Tokyo && grep_q "^la,Asia/Tokyo" out &&
    grep_q "America/Los_Angeles -> Asia/Tokyo" err
'
test_expect "a bad zone or shop name is refused and changes nothing" '
    dump "$QS_STORE" >before &&
    expect_code 64 qs init --shop la --tz Nowhere/Land && grep_q "unknown time zone" err &&
    expect_code 64 qs init --shop "bad name" && grep_q "not valid" err &&
    dump "$QS_STORE" >after && test_cmp before after
'
test_expect "SPEC 1.4: secrets are stored but never printed" '
    printf "sekrit-123\n" | qs init --shop la --secret qapi.key >out 2>err &&
    ! grep -q sekrit out && ! grep -q sekrit err && grep_q "^la,Asia/Tokyo,1," out &&
    qs --format json init --shop la >out2 2>&1 && ! grep -q sekrit out2 &&
    test "$(sqlite3 "$QS_STORE" "select value from shop_secret where key = '"'"'qapi.key'"'"'")" = sekrit-123
'
test_expect "--secret without a value on stdin is refused" '
    expect_code 64 qs init --shop la --secret smtp.password </dev/null && grep_q "standard input" err
'
test_expect "SPEC 1.7: --deliver sets a delivery per kind, and checks its form" '
    expect_code 0 qs init --shop la --deliver note=hook:/bin/cat --set coupon.fans=120 &&
    grep_q "coupon.fans=120;deliver.note=hook:/bin/cat" out &&
    expect_code 64 qs init --shop la --deliver note=ftp:x && grep_q "not qapi, smtp" err
'
test_expect "SPEC 1.2: --format json writes one JSON object per shop" '
    qs --format json init --shop la >out &&
    /usr/bin/python3 -c "import json,sys; rows=[json.loads(l) for l in open(\"out\")]; assert [r[\"shop\"] for r in rows]==[\"la\"], rows; assert all(set(r)=={\"shop\",\"tz\",\"secrets\",\"settings\",\"store\"} for r in rows)"
'
test_expect "SPEC 1.1: with several shops, plain qs init asks which" '
    qs init --shop other >/dev/null 2>&1 &&
    expect_code 64 qs init && grep_q -- "--shop" err
'
test_expect "SPEC 1.1: the global --shop and QS_SHOP name the shop too" '
    qs --shop g1 init >/dev/null 2>&1 && QS_SHOP=g2 qs init >/dev/null 2>&1 &&
    sqlite3 "$QS_STORE" "select name from shop order by name" >names && grep_q "^g1$" names && grep_q "^g2$" names
'
test_expect "--dry-run changes nothing" '
    dump "$QS_STORE" >before && qs --dry-run init --shop dry >out 2>err &&
    dump "$QS_STORE" >after && test_cmp before after
'
test_expect "SPEC 1.4: default store is \$XDG_DATA_HOME/qs/qs.db, else ~/.local/share/qs/qs.db" '
    (unset QS_STORE; qs init --shop d >/dev/null 2>&1) && test -f "$XDG_DATA_HOME/qs/qs.db" &&
    (unset QS_STORE XDG_DATA_HOME; HOME="$TRASH/h2" qs init --shop d >/dev/null 2>&1) &&
    test -f "$TRASH/h2/.local/share/qs/qs.db"
'
# tty_run MODE: runs `qs init --shop tty --secret qapi.key` on a new pseudo-terminal (its
# stdin and stderr, and its controlling terminal) and prints what the terminal showed, then
# "exit N". MODE type: answers the prompt with sekrit-typed-1; MODE interrupt: types half of
# it, then ^C. Fails when the terminal's echo is off once qs has ended.
tty_run() {
    /usr/bin/python3 - "$QS" "$1" <<'EOF'
import fcntl, os, select, subprocess, sys, termios, time
qs, mode = sys.argv[1], sys.argv[2]
master, slave = os.openpty()
def take_tty():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
p = subprocess.Popen([qs, "init", "--shop", "tty", "--secret", "qapi.key"], stdin=slave,
                     stdout=subprocess.DEVNULL, stderr=slave, preexec_fn=take_tty)
seen = b""
def read_until(want, limit):
    global seen
    end = time.time() + limit
    while want not in seen and time.time() < end:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
    return want in seen
if not read_until(b"qapi.key: ", 10):
    p.kill()
    sys.exit("no prompt on the terminal; it showed: %r" % seen)
if mode == "type":
    os.write(master, b"sekrit-typed-1\n")
else:
    os.write(master, b"sekrit-ha")
    time.sleep(0.3)
    os.write(master, b"\x03")
p.wait(timeout=10)
read_until(b"\0", 0.5)  # the rest of what it wrote
sys.stdout.write(seen.decode("utf-8", "replace"))
print("\nexit %d" % p.returncode)
if not termios.tcgetattr(slave)[3] & termios.ECHO:
    sys.exit("the terminal was left with echo off")
EOF
}
test_expect 'issue 8 item 10: --secret on a terminal prompts on stderr, echo off; the secret is stored' '
    tty_run type >tty.out && grep_q "^qapi.key: " tty.out && ! grep -q sekrit tty.out &&
    grep_q "^exit 0" tty.out &&
    test "$(sqlite3 "$QS_STORE" "select value from shop_secret where shop = '"'"'tty'"'"' and key = '"'"'qapi.key'"'"'")" = sekrit-typed-1
'
test_expect 'issue 8 item 10: ^C at the prompt ends qs, stores nothing and gives the echo back' '
    sqlite3 "$QS_STORE" "delete from shop_secret where shop = '"'"'tty'"'"'" &&
    tty_run interrupt >tty.out && grep_q "^qapi.key: " tty.out && ! grep -q sekrit tty.out &&
    grep_q "^exit -2" tty.out &&
    test "$(sqlite3 "$QS_STORE" "select count(*) from shop_secret where shop = '"'"'tty'"'"'")" = 0
'
test_expect 'issue 10 item 5: --set of an unknown key or a value the settings registry refuses is a usage error (64) that names the key and changes nothing' '
    qs -q init --shop reg --set sync.window_cap=40 >/dev/null &&
    sqlite3 "$QS_STORE" "select shop, key, value from shop_setting order by 1, 2" >before.txt &&
    expect_code 64 qs init --shop reg --set note.daily_cap=3 --set bogus.key=1 &&
    grep_q "unknown setting \"bogus.key\"; the settings are: .*sync.window_cap" err &&
    expect_code 64 qs init --shop reg --set note.daily_cap=3 --set sync.window_cap=abc &&
    grep_q "setting sync.window_cap is \"abc\", not a number of at least 1" err &&
    expect_code 64 qs init --shop reg --set sync.open_form=both &&
    grep_q "setting sync.open_form is \"both\", not per-status, zero or blank" err &&
    expect_code 64 qs init --shop reg --set qapi.sak_issued=now &&
    grep_q "written by qs itself" err &&
    sqlite3 "$QS_STORE" "select shop, key, value from shop_setting order by 1, 2" >after.txt &&
    test_cmp before.txt after.txt
'
test_done

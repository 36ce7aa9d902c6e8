#!/usr/bin/env bash
# The dispatcher: commands, global options, usage errors (SPEC 1.1, 1.3).
. "$(dirname "$0")/lib.sh"

test_expect "SPEC 1.3: unknown command exits 64, usage hint on stderr, nothing on stdout" '
    expect_code 64 qs bogus &&
    empty out && grep_q "unknown command \"bogus\"" err && grep_q "^usage: qs" err
'
test_expect "no unique-prefix matching: qs imp is not qs import" '
    expect_code 64 qs imp && empty out
'
test_expect "SPEC 1.3: no command at all exits 64" '
    expect_code 64 qs && empty out && grep_q "a command is needed" err
'
test_expect "qs version and qs --version print the version" '
    expect_code 0 qs version && grep_q "^qs [0-9][0-9.]*$" out && empty err &&
    expect_code 0 qs --version && grep_q "^qs [0-9]" out
'
test_expect "SPEC 1.3: a command without its verb exits 64 with the command usage" '
    expect_code 64 qs import && empty out && grep_q "usage: qs import VERB" err
'
test_expect "SPEC 1.3: an unknown verb exits 64" '
    expect_code 64 qs publish bogus && empty out && grep_q "unknown verb \"bogus\"" err
'
# A planned verb said it was not built yet and exited 64; since qs sync doctor (issue 15) none
# is left: the last one runs, and without a shop says how to make one (its own store).
test_expect "no planned verb is left: qs sync doctor runs, 64 without a shop, no output" '
    QS_STORE="$TRASH/doctor.db" expect_code 64 qs sync doctor && empty out &&
    ! grep -q "planned but not built yet" err && grep_q "run .qs init --shop NAME." err &&
    test ! -e "$QS_STORE"
'
test_expect "SPEC 1.1: --format accepts csv, json, table, xlsx only" '
    expect_code 64 qs --format xml init --shop a && empty out && grep_q "not csv, json, table or xlsx" err &&
    test ! -e "$QS_STORE"
'
test_expect "SPEC 1.1: QS_FORMAT is checked too" '
    QS_FORMAT=yaml expect_code 64 qs init --shop a && grep_q QS_FORMAT err
'
test_expect "SPEC 1.5: --tz must be an IANA zone" '
    expect_code 64 qs --tz Mars/Olympus init --shop a && grep_q "unknown time zone" err &&
    test ! -e "$QS_STORE"
'
test_expect "SPEC 1.1: global options are accepted after the verb (--format, --shop, --store, -q)" '
    qs -q init --shop a >/dev/null && qs -q init --shop b >/dev/null &&
    expect_code 0 qs init --shop a --format json && grep_q "^{\"shop\":\"a\"" out &&
    expect_code 0 qs sync log --shop b --format json && empty err &&
    expect_code 0 qs sync log --format=json --shop b -q && empty err &&
    expect_code 0 qs init --shop c --store other.db && test -s other.db &&
    ! sqlite3 "$QS_STORE" "SELECT name FROM shop" | grep -qx c &&
    expect_code 64 qs sync log --format xml --shop b && grep_q "not csv, json, table or xlsx" err &&
    expect_code 64 qs sync log --shop && grep_q "needs an argument" err &&
    expect_code 64 qs sync log --tz Mars/Olympus --shop b && grep_q "unknown time zone" err
'
test_expect "SPEC 1.2: --encoding cp932 after the verb writes CP932 CSV with CRLF; --encoding-errors replace writes ? for what CP932 lacks" '
    rm -f "$QS_STORE" && qs -q init --shop jp --set note.tracking_hook=日本 >/dev/null &&
    expect_code 0 qs init --shop jp --encoding cp932 &&
    grep_q "note.tracking_hook=$(printf "\\x93\\xfa\\x96\\x7b")," out && grep_q "$(printf "\\r")" out &&
    qs -q init --shop jp --set note.tracking_hook=한국 >/dev/null &&
    expect_code 65 qs init --shop jp --encoding cp932 && grep_q "cannot be written in CP932" err &&
    expect_code 0 qs init --shop jp --encoding cp932 --encoding-errors replace && grep_q "note.tracking_hook=??," out &&
    expect_code 64 qs init --shop jp --encoding-errors maybe && grep_q "not strict or replace" err
'
test_expect "issue 8 item 19: --bom starts UTF-8 CSV with a byte-order mark; --excel-safe defuses formula cells, also after the verb" '
    rm -f "$QS_STORE" && qs -q init --shop xl >/dev/null &&
    printf "Parent SKU,SKU,Title,Description,Tags,Price,Shipping,Main Image URL\nP1,P1,=1+1 mug,d,t,100,0,https://img.example.jp/a.jpg\n" >f.csv &&
    qs -q import products f.csv >/dev/null &&
    expect_code 0 qs publish list --bom && test "$(head -c 3 out | od -An -tx1 | tr -d " ")" = efbbbf &&
    expect_code 0 qs --bom --encoding cp932 publish list && ! grep -q "$(printf "\\xef\\xbb\\xbf")" out &&
    expect_code 0 qs publish list && grep_q ",=1+1 mug," out &&
    expect_code 0 qs publish list --excel-safe && grep_q ",'"'"'=1+1 mug," out
'
test_expect "unknown global option exits 64" '
    expect_code 64 qs --bogus init && grep_q "unknown option --bogus" err
'
test_expect "a global option without its argument exits 64" '
    expect_code 64 qs --store && grep_q "needs an argument" err
'
test_expect "an unknown verb option exits 64 with the verb usage" '
    expect_code 64 qs init --bogus && grep_q "unknown option --bogus" err && grep_q "usage: qs init" err
'
test_expect "stdout closed early (qs ... | head) ends quietly" '
    qs --help 2>err | head -n 1 >out && grep_q "^usage" out && empty err
'
test_expect "SPEC 1.3: a write error on stdout is reported, exit 74" '
    expect_code 74 sh -c "\"$QS\" --help >/dev/full" && grep_q "cannot write to standard output" err
'
test_expect "SPEC 1.1: -o - is standard output, not a file named -" '
    qs -q init --shop o >/dev/null &&
    expect_code 0 qs --shop o sync log -o - --format json && test ! -e ./- &&
    expect_code 0 qs --shop o init -o - && grep_q "^shop,tz" out && test ! -e ./-
'
test_expect "SPEC 1.3: an option after an operand is refused (64), never read as an operand; -- lets one through" '
    printf "order_no,carrier,tracking\n" >ship.csv &&
    expect_code 64 qs --shop o sync ship ship.csv --dry-run &&
    grep_q "option --dry-run comes after an operand: put options first" err &&
    expect_code 64 qs --shop o sync log extra &&
    ! expect_code 64 qs --shop o sync ship -- ship.csv
'
test_done

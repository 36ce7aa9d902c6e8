#!/usr/bin/env bash
# Hostile input (SPEC 1.2, 1.3): every bad file exits 65 with file:line[:field] and the
# fix, and leaves the store as it was (the rows are loaded in one transaction).
. "$(dirname "$0")/lib.sh"
: "${QS_RECCAT:?QS_RECCAT must point at the reccat test tool}"
R="$FIX/record"
reccat() { "$QS_RECCAT" "$@"; }
rows() { sqlite3 "$QS_STORE" "select count(*) from reccat_rows"; }

# hostile WHAT [OPTIONS] FILE: exit 65, WHAT on stderr, and the store still holds the
# five rows of the good load below.
hostile() {
    local what=$1
    shift
    expect_code 65 reccat --load "$QS_STORE" "$@" && grep_q "$what" err && test "$(rows)" = 5
}

test_expect "setup: a good file loads five rows" '
    expect_code 0 reccat --load "$QS_STORE" "$R/roundtrip.csv" && test "$(rows)" = 5
'
test_expect "SPEC 1.3: an unterminated quote names the line where the quoted field starts; store unchanged" '
    hostile "unterminated.csv:3:2: quoted field never ends" "$R/unterminated.csv"
'
test_expect "SPEC 1.3: a NUL byte is refused with its line and field; store unchanged" '
    hostile "nul.csv:3:2: NUL byte" "$R/nul.csv"
'
test_expect "SPEC 1.3: a 10 MB field is refused (max 1 MiB) without buffering it; store unchanged" '
    { echo sku,title; printf "00001,\""; head -c 10485760 /dev/zero | tr "\0" x; echo "\""; } >huge.csv &&
    hostile "huge.csv:2:2: field is longer than 1048576 bytes" huge.csv
'
test_expect "SPEC 1.2: invalid UTF-8 with --encoding utf-8 names the line; store unchanged" '
    hostile "bad-utf8.csv:3:2: invalid UTF-8 byte 0xe9" --encoding utf-8 "$R/bad-utf8.csv"
'
test_expect "SPEC 1.2: a file that is neither UTF-8 nor CP932 (auto) names the line; store unchanged" '
    hostile "bad-utf8.csv:3:2: invalid CP932 bytes 0xe9 0x0a; read as CP932 since line 3 is not UTF-8 (byte 0xe9): the file is neither; fix that byte if it is UTF-8" "$R/bad-utf8.csv"
'
test_expect "SPEC 1.2: invalid CP932 names the line; store unchanged" '
    hostile "bad-cp932.csv:3:2: invalid CP932 bytes 0x82 0x20" --encoding cp932 "$R/bad-cp932.csv"
'
test_expect "SPEC 1.2: a pipe that is UTF-8 for its first MiB and CP932 later is exit 65 at that line; store unchanged" '
    { echo sku,title; seq -f "%06g,plain ascii title text" 1 40000
      printf "tail,\x93\xfa\x96\x7b\n"; } >late.csv &&
    cat late.csv | hostile "^reccat: -:40002:2: invalid UTF-8 byte 0x93 after the first 1 MiB" -
'
test_expect "SPEC 1.3: a row with more fields than the header; store unchanged" '
    hostile "ragged-more.csv:3:3: row has 3 fields, header has 2" "$R/ragged-more.csv"
'
test_expect "SPEC 1.3: a row with fewer fields than the header; store unchanged" '
    hostile "ragged-fewer.csv:3:3: row has 2 fields, header has 3" "$R/ragged-fewer.csv"
'
test_expect "SPEC 1.3: an empty column name in the header; store unchanged" '
    hostile "empty-header.csv:1:2: column 2 of the header has no name" "$R/empty-header.csv"
'
test_expect "SPEC 1.3: a repeated column name in the header; store unchanged" '
    hostile "dup-header.csv:1:3: column \"sku\" repeats column 1" "$R/dup-header.csv"
'
test_expect "SPEC 1.2: a stray quote in an unquoted field (RFC 4180 strict); store unchanged" '
    hostile "stray-quote.csv:3:2: quote inside an unquoted field" "$R/stray-quote.csv"
'
test_expect "SPEC 1.3: binary garbage is refused with a line; store unchanged" '
    hostile "garbage.bin:3:1: NUL byte" "$R/garbage.bin" &&
    cat "$R/garbage.bin" | hostile "^reccat: -:3:1: NUL byte" -
'
test_expect "SPEC 1.2: a JSON Lines line that is not valid JSON names line and column; store unchanged" '
    hostile "bad.jsonl:2:16: invalid JSON" "$R/bad.jsonl"
'
test_expect "SPEC 1.2: a JSON Lines line that is not an object; store unchanged" '
    hostile "notobj.jsonl:2:1: line is not a JSON object" "$R/notobj.jsonl"
'
test_expect "issue 8 item 1: JSON Lines whose last line has no LF (pipe, file, a line past one 256 KiB chunk) reads right" '
    printf "{\"sku\":\"A\"}" | reccat --format json - >pipe.out && printf "{\"sku\":\"A\"}\n" >expect &&
    test_cmp expect pipe.out &&
    printf "{\"sku\":\"A\"}\n{\"sku\":\"B\"}" >twolines.jsonl &&
    expect_code 0 reccat --format json twolines.jsonl && printf "{\"sku\":\"A\"}\n{\"sku\":\"B\"}\n" >expect &&
    test_cmp expect out &&
    { printf "{\"sku\":\"A\"}\n{\"sku\":\""; head -c 300000 /dev/zero | tr "\0" x; printf "\"}"; } >long.jsonl &&
    cat long.jsonl | reccat - >long.out && test "$(tail -n 1 long.out | wc -c)" = 300001
'
# A UTF-8 file of 58 lines whose line 57 was saved in CP932 (商品 = 8f a4 95 69).
mixed_file() {
    { echo sku,title; seq -f "S%g,日本語の商品 ①" 2 56
      printf "S57,%s\n" "$(printf 商品 | iconv -t CP932)"; echo "S58,最後"; } >"$1"
}
test_expect "issue 8 item 12: --encoding auto refuses a UTF-8 file with a CP932 line, naming it (file and pipe); store unchanged" '
    mixed_file cat.csv &&
    hostile "^reccat: cat.csv:57: line is not UTF-8 (byte 0x8f) but 56 other lines are (the first is line 2): the file mixes encodings; save it again in one encoding, or give --encoding cp932|utf-8\$" cat.csv &&
    cat cat.csv | hostile "^reccat: -:57: line is not UTF-8 (byte 0x8f) but 56 other lines are" -
'
test_expect "issue 8 item 12: mostly CP932 with one UTF-8 line names the UTF-8 line; store unchanged" '
    { echo sku,title; seq -f "S%g,日本語の商品 ①" 2 30; } | iconv -t CP932 >sj.csv &&
    echo "S31,日本語" >>sj.csv && seq -f "S%g,ｶﾀｶﾅ" 32 33 | iconv -t CP932 >>sj.csv &&
    hostile "^reccat: sj.csv:31: line is UTF-8 but 31 other lines are not (the first is line 2): the file mixes encodings" sj.csv
'
test_expect "issue 8 item 12: an explicit --encoding skips the mixed-encodings check" '
    mixed_file cat.csv &&
    hostile "cat.csv:57:2: invalid UTF-8 byte 0x8f; use --encoding cp932" --encoding utf-8 cat.csv
'
test_expect "issue 8 item 12: a UTF-16 file (BOM, or none) says UTF-16 and how to save it, whatever --encoding; store unchanged" '
    iconv -t UTF-16 <"$R/cp932.expected.csv" >u16.csv && iconv -t UTF-16LE <"$R/cp932.expected.csv" >u16le.csv &&
    iconv -t UTF-16BE <"$R/cp932.expected.csv" >u16be.csv &&
    hostile "^reccat: u16.csv:1: the input is UTF-16 (byte-order mark FF FE), which qs does not read; save it as UTF-8 (in Excel: Save As, \"CSV UTF-8 (Comma delimited)\") or convert it: iconv -f UTF-16 -t UTF-8\$" u16.csv &&
    cat u16.csv | hostile "^reccat: -:1: the input is UTF-16 (byte-order mark FF FE)" - &&
    hostile "u16le.csv:1: the input is UTF-16LE without a byte-order mark, .*iconv -f UTF-16LE -t UTF-8" u16le.csv &&
    cat u16le.csv | hostile "^reccat: -:1: the input is UTF-16LE without a byte-order mark" --encoding utf-8 - &&
    hostile "u16be.csv:1: the input is UTF-16BE without a byte-order mark" --encoding cp932 u16be.csv &&
    ! grep -q "NUL\|--encoding" err
'
test_expect "issue 8 item 13: two BOM files joined with cat: the second BOM is exit 65 naming line and field (file and pipe); store unchanged" '
    cat "$R/bom.csv" "$R/bom.csv" >joined.csv &&
    hostile "^reccat: joined.csv:9:1: byte-order mark (U+FEFF) at the start of a field; were two files joined with cat? remove it\$" joined.csv &&
    cat "$R/bom.csv" "$R/bom.csv" | hostile "^reccat: -:9:1: byte-order mark (U+FEFF) at the start of a field" -
'
test_expect "issue 8 item 13: a BOM at the start of a later JSON Lines line is named, not \"invalid token\"; store unchanged" '
    printf "\357\273\277{\"sku\":\"P1\"}\n" >one.jsonl && cat one.jsonl one.jsonl >joined.jsonl &&
    hostile "^reccat: joined.jsonl:2:1: byte-order mark (U+FEFF) at the start of a line; were two files joined with cat? remove it\$" joined.jsonl
'
test_expect "issue 8 item 14: empty input (0 bytes, blank lines; file and pipe) is exit 65 \"no header\"; store unchanged" '
    : >empty.csv && printf "\n \r\n\t\n" >blank.csv &&
    hostile "^reccat: empty.csv: no header: the input is empty\$" empty.csv &&
    hostile "^reccat: blank.csv: no header: the input is empty\$" blank.csv &&
    : | hostile "^reccat: -: no header: the input is empty\$" - &&
    cat blank.csv | hostile "^reccat: -: no header: the input is empty\$" --encoding cp932 -
'
test_expect "issue 8 item 14: a header alone is no records, exit 0" '
    printf "sku,title\n" >header.csv && expect_code 0 reccat header.csv && empty out && empty err
'
test_expect "issue 8 items 1, 14: qs commands that read records: JSON without a final LF, empty input" '
    qs init --shop demo >/dev/null 2>&1 &&
    printf "{\"sku\":\"A\"}" | expect_code 65 qs publish spread --from 11:00 --to 12:00 &&
    grep_q "^qs publish [a-z]*: -:1: SKU \"A\" is not in the catalog" err &&
    : | expect_code 65 qs publish spread --from 11:00 --to 12:00 &&
    grep_q "^qs publish [a-z]*: -: no header: the input is empty\$" err &&
    expect_code 65 qs import products empty.csv && grep_q "empty.csv: no header: the input is empty" err
'
# header N [LAST]: a CSV header of columns c1..cN (the last one named LAST), one row.
header() {
    { seq -f "c%g" 1 $(($1 - 1)) | tr "\n" ,; echo "${2:-c$1}"; seq -s , 1 "$1"; } >wide.csv
}
test_expect "issue 8 item 3: a header of 5000 columns is exit 65 naming the limit of 4096; store unchanged" '
    header 5000 && hostile "wide.csv:1:4097: the header has more than 4096 columns" wide.csv
'
test_expect "issue 8 item 3: 4096 columns whose last repeats the first is exit 65 naming both; store unchanged" '
    header 4096 c1 && hostile "wide.csv:1:4096: column \"c1\" repeats column 1 of the header" wide.csv
'
test_expect "issue 8 item 3: 4096 distinct columns are read" '
    header 4096 && expect_code 0 reccat wide.csv && test_cmp wide.csv out
'
test_expect "issue 8 item 3: a JSON Lines object of more than 4096 keys is exit 65; store unchanged" '
    printf "{\"sku\":\"A\"}\n{%s}\n" "$(seq -f "\"k%g\":1" -s , 1 4097)" >wide.jsonl &&
    hostile "wide.jsonl:2:1: the object has more than 4096 keys" wide.jsonl
'
test_expect "the store still holds exactly the rows of the good load" '
    test "$(sqlite3 "$QS_STORE" "select group_concat(line) from reccat_rows")" = "2,3,5,7,8"
'
test_done

#!/usr/bin/env bash
# Records on stdio (SPEC 1.2): CSV, JSON Lines and the table read and written back
# exactly, in UTF-8 and CP932. Driven through tests/tools/reccat.
. "$(dirname "$0")/lib.sh"
: "${QS_RECCAT:?QS_RECCAT must point at the reccat test tool}"
R="$FIX/record"
reccat() { "$QS_RECCAT" "$@"; }

# A file of more than 1 MiB of ASCII lines, then one CP932 line (line 40002).
big_then_cp932() {
    { echo 'sku,title'; seq -f '%06g,plain ascii title text' 1 40000
      printf 'tail,\x93\xfa\x96\x7b\x8c\xea\n'; } >"$1"
}

test_expect "SPEC 1.2: quoted commas, quotes, LF/CRLF in fields, Japanese, spaces and leading zeros round-trip byte for byte" '
    expect_code 0 reccat "$R/roundtrip.csv" && test_cmp "$R/roundtrip.csv" out && empty err
'
test_expect "SPEC 1.2: --format json writes one object per line, keys = CSV column names" '
    expect_code 0 reccat --format json "$R/roundtrip.csv" && test_cmp "$R/roundtrip.jsonl" out
'
test_expect "SPEC 1.2: CSV -> JSON Lines -> CSV is byte-identical (format detected from the first byte)" '
    reccat --format json "$R/roundtrip.csv" | reccat - >back.csv && test_cmp "$R/roundtrip.csv" back.csv
'
test_expect "SPEC 1.2: JSON Lines -> JSON Lines keeps strings, numbers as written, booleans, null, nested values" '
    expect_code 0 reccat --format json "$R/types.jsonl" && test_cmp "$R/types.jsonl" out
'
test_expect "SPEC 1.2: JSON Lines with white space, CRLF and blank lines is read and written compact" '
    expect_code 0 reccat --format json "$R/spaced.jsonl" && test_cmp "$R/spaced.expected.jsonl" out
'
test_expect "SPEC 1.2: a UTF-8 BOM is accepted and dropped (output = the file without BOM)" '
    expect_code 0 reccat "$R/bom.csv" && test_cmp "$R/roundtrip.csv" out
'
test_expect "SPEC 1.2: stdin (-) from a pipe reads the same as the file" '
    cat "$R/roundtrip.csv" | reccat - >piped.csv && test_cmp "$R/roundtrip.csv" piped.csv
'
test_expect "SPEC 1.2: CP932 input (QSM download, CRLF) converts to UTF-8, --encoding auto on a file" '
    expect_code 0 reccat "$R/cp932.csv" && test_cmp "$R/cp932.expected.csv" out
'
test_expect "SPEC 1.2: CP932 input with --encoding cp932 and auto-detected on a pipe" '
    reccat --encoding cp932 "$R/cp932.csv" >explicit.csv && test_cmp "$R/cp932.expected.csv" explicit.csv &&
    cat "$R/cp932.csv" | reccat - >piped.csv && test_cmp "$R/cp932.expected.csv" piped.csv
'
test_expect "SPEC 1.2: CP932 output (CRLF) writes a CP932 file back byte for byte" '
    expect_code 0 reccat --out-encoding cp932 "$R/cp932.csv" && test_cmp "$R/cp932.csv" out
'
test_expect "SPEC 1.2: UTF-8 -> CP932 -> UTF-8 gives the UTF-8 text back" '
    reccat --out-encoding cp932 "$R/cp932.expected.csv" | reccat - >back.csv &&
    test_cmp "$R/cp932.expected.csv" back.csv
'
test_expect "SPEC 1.2: --encoding auto validates a whole regular file: CP932 after the first MiB is still CP932" '
    big_then_cp932 big.csv &&
    expect_code 0 reccat big.csv && test "$(tail -n 1 out)" = "tail,日本語"
'
# Japanese product rows as a QSM download or Excel would hold them: kana, kanji, ①, ㈱,
# half-width katakana (some cells, such as ﾃｽ = c3 bd, are valid UTF-8 as well).
japanese_rows() {
    local words=(マグカップ 北欧風 ①号 ㈱サンプル ｶﾀｶﾅ ﾃﾞｼﾞﾀﾙ 電子レンジ対応 "容量：約３５０ｍｌ" ひらがな ～限定～ Ⅲ型 ﾃｽ "ﾄｳ ﾂｱ")
    local i n=${#words[@]}
    echo "sku,title,note"
    for ((i = 1; i <= 3000; i++)); do
        case $((i % 7)) in
        0) echo "A-$i,${words[11]},${words[12]}" ;;
        1) echo "A-$i,\"${words[i % n]} ${words[(i * 5) % n]},\n${words[(i * 3) % n]}\",${words[(i * 7) % n]}" ;;
        *) echo "A-$i,${words[i % n]}${words[(i * 3) % n]} ${words[(i * 11) % n]},${words[(i * 2) % n]}" ;;
        esac
    done
}
test_expect "issue 8 item 12: a realistic CP932 file (kana, kanji, ①, ㈱, half-width katakana) is read as CP932 by auto, file and pipe" '
    japanese_rows | sed "s/\\\\n/\n/" >jp.csv && iconv -t CP932 <jp.csv >jp-sjis.csv &&
    expect_code 0 reccat jp-sjis.csv && test_cmp jp.csv out &&
    cat jp-sjis.csv | reccat - >piped.csv && test_cmp jp.csv piped.csv &&
    grep -q "^A-7,ﾃｽ,ﾄｳ ﾂｱ\$" out
'
test_expect "issue 8 item 12: the import fixture in CP932 is read as CP932 by auto" '
    expect_code 0 reccat "$FIX/import/cp932.csv" &&
    reccat --encoding cp932 "$FIX/import/cp932.csv" >explicit.csv && test_cmp explicit.csv out
'
test_expect "SPEC 1.2: text CP932 lacks (Hangul) is exit 65 naming the column and value" '
    expect_code 65 reccat --out-encoding cp932 "$R/hangul.csv" &&
    grep_q "column \"name\": \"한\" in \"한국어\" cannot be written in CP932" err
'
test_expect "SPEC 1.2: --encoding-errors=replace writes ? for what CP932 lacks" '
    expect_code 0 reccat --out-encoding cp932 --replace "$R/hangul.csv" &&
    printf "name\r\n???\r\n" >expect && test_cmp expect out
'
test_expect "SPEC 1.2: --format table aligns Japanese as two cells per character and escapes newlines" '
    expect_code 0 reccat --format table "$R/table.csv" && test_cmp "$R/table.expected" out
'
test_expect "issue 8 item 19: --bom writes UTF-8 CSV after a byte-order mark, which reads back as the same file" '
    expect_code 0 reccat --bom "$R/roundtrip.csv" && test "$(head -c 3 out | od -An -tx1 | tr -d " ")" = efbbbf &&
    test_cmp "$R/bom.csv" out && reccat - <out >back.csv && test_cmp "$R/roundtrip.csv" back.csv
'
test_expect "issue 8 item 19: --excel-safe puts a quote before cells Excel would run as formulas, not before plain numbers" '
    expect_code 0 reccat --excel-safe "$R/formula.csv" && test_cmp "$R/formula.excel-safe.csv" out &&
    expect_code 0 reccat "$R/formula.csv" && test_cmp "$R/formula.csv" out
'
test_expect "SPEC 1.2: a good file loads every record into the store, with its line" '
    expect_code 0 reccat --load "$QS_STORE" "$R/roundtrip.csv" &&
    test "$(sqlite3 "$QS_STORE" "select group_concat(line) from reccat_rows")" = "2,3,5,7,8" &&
    test "$(sqlite3 "$QS_STORE" "select json_extract(json, \"\$.sku\") from reccat_rows where line = 3")" = 0000011520
'
test_done

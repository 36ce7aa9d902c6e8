#!/usr/bin/env bash
# qs publish on bound options (issue 10): global options after the verb, options after the
# operands, "--", usage lines generated from the verb's table.
. "$(dirname "$0")/lib.sh"
. "$QS_SRC/tests/cli/sync-lib.sh"
. "$QS_SRC/tests/cli/publish-lib.sh"

qs -q init --shop a >/dev/null && qs -q init --shop b >/dev/null
gen_catalog 2 A && qs -q --shop a import products --group spring catalog.csv >/dev/null
gen_catalog 3 B && qs -q --shop b import products catalog.csv >/dev/null
qs -q publish profile --shop a ProductionPlaceType=1 ProductionPlace=TOKYO SecondSubCat=320001234 \
    >/dev/null

test_expect 'SPEC 1.1: qs publish list --format json and --shop A: global options after the verb' '
    expect_code 0 qs publish list --format json --shop a &&
    test "$(wc -l <out)" = 3 && grep_q "^{\"parent_sku\":\"A001\"" out && ! grep -q "\"B00" out &&
    expect_code 0 qs publish list --shop b --state pending -q &&
    test "$(($(wc -l <out) - 1))" = 5 && grep_q "^B003,B003-B," out && ! grep -q "^A00" out &&
    expect_code 0 qs publish list --group spring --format=json --shop=a &&
    test "$(wc -l <out)" = 3
'

test_expect 'R-PUB-2: options after the operands are the verb s; after -- everything is an operand' '
    expect_code 0 qs --tz UTC publish at --format json --shop a "2031-01-01 10:00" A001 --encoding utf-8 &&
    grep_q "^{\"parent_sku\":\"A001\",\"state\":\"scheduled\"" out &&
    expect_code 0 qs publish cancel --shop a A001 --state scheduled &&
    grep_q "^A001,pending," out &&
    expect_code 65 qs publish cancel --shop a -- --group &&
    grep_q "\"--group\" is not in the catalog of shop a" err
'

test_expect 'SPEC 1.1: global options after the operands of a verb that takes options there' '
    expect_code 0 qs --tz UTC publish at "2031-01-01 10:00" A001 --shop a --format json &&
    grep_q "^{\"parent_sku\":\"A001\",\"state\":\"scheduled\"" out &&
    expect_code 64 qs publish cancel A001 -- --shop a &&
    grep_q "the store holds several shops; choose one with --shop" err
'

test_expect 'R-PUB-9: a bad value is named with the generated usage line; --help lists the options' '
    expect_code 64 qs publish edit --shop a --quantity -1 A001 &&
    grep_q "^qs publish edit: --quantity \"-1\" is not a quantity 0-2147483647\$" err &&
    grep_q "^usage: qs publish edit \[--price P|+P%|-P%\] \[--quantity N\] \[--shipping S\]" err &&
    expect_code 64 qs publish list --shop a --bogus && grep_q "unknown option --bogus" err &&
    grep_q "^usage: qs publish list \[--state S\] \[--group G\]\$" err &&
    expect_code 0 qs publish profile --help && grep_q "^usage: qs publish profile \[--group G\] \[--sku SKU\]\.\.\." out
'

test_done

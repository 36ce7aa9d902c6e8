#!/usr/bin/env bash
# Help: qs --help, qs help [COMMAND], qs COMMAND --help, qs COMMAND VERB --help (SPEC 1.1).
. "$(dirname "$0")/lib.sh"

test_expect "qs --help lists every command and the global options" '
    expect_code 0 qs --help && empty err &&
    for c in init import publish note coupon stock inbound sync help version; do
        grep_q "^  $c " out || exit 1
    done &&
    for o in --store --shop --format --tz --dry-run --quiet --verbose; do grep_q -- "$o" out || exit 1; done
'
test_expect "qs help equals qs --help" '
    qs help >a && qs --help >b && test_cmp a b
'
test_expect "qs help import equals qs import --help and lists its verbs" '
    qs help import >a && qs import --help >b && test_cmp a b &&
    grep_q "^  products " a && grep_q "^  upc " a && grep_q "^  words " a
'
# Issue 8 item 22 marks planned commands and verbs; since qs sync doctor (issue 15) none is
# left, so no line carries a mark.
test_expect "issue 8 item 22: qs help marks planned commands, and commands with some planned verbs (none left)" '
    expect_code 0 qs help && empty err && ! grep -q "planned" out &&
    grep_q "^  coupon   record shop coupons and push them\$" out && grep_q "^  inbound  inbound shipments to the warehouse\$" out &&
    grep_q "^  stock    warehouse (QWMS) inventory\$" out &&
    grep_q "^  sync     sync orders, products and stock with the marketplace\$" out &&
    grep_q "^  publish  schedule, publish and edit listings\$" out &&
    expect_code 0 qs help sync && ! grep -q "planned" out && grep_q "^  doctor " out &&
    grep_q "^  orders     pull orders and claims into the store\$" out
'
test_expect "qs help bogus exits 64" '
    expect_code 64 qs help bogus && empty out && grep_q "unknown command" err
'
test_expect "a verb --help shows its usage and options, even when planned" '
    expect_code 0 qs publish spread --help && grep_q "^usage: qs publish spread --from TIME --to TIME" out &&
    grep_q -- "--from TIME" out && empty err &&
    expect_code 0 qs coupon push --help && grep_q "^usage: qs coupon push --coupon CODE --at TIME|next" out &&
    grep_q -- "--banner FILE" out && empty err &&
    expect_code 0 qs sync doctor --help && grep_q "^usage: qs sync doctor\$" out &&
    ! grep -q "planned" out && empty err
'
test_expect "qs init --help shows its options with their help text" '
    expect_code 0 qs init --help &&
    grep_q -- "--shop NAME" out && grep_q -- "--tz ZONE" out && grep_q -- "--secret KEY" out &&
    grep_q -- "--deliver KIND=DELIVERY" out
'
test_expect "--help does not touch the store" '
    qs init --help >/dev/null && qs sync orders --help >/dev/null && test ! -e "$QS_STORE"
'
test_done

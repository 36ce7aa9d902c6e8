# fish completion for qs(1).
# Commands and verbs mirror the tables in cmd/main.c and cmd/*.c;
# tests/cli/t0020-docs.sh fails when they drift apart.

set -l qs_commands init import publish note coupon stock inbound sync help version

# Verbs per command.
set -l qs_import_verbs products upc pools words
set -l qs_publish_verbs list now at every spread cancel run edit copy category profile undo withdraw check claim watch shipping batches
set -l qs_note_verbs send template rule run inbox reply delay blacklist customers confirm
set -l qs_coupon_verbs add edit list show push cancel run confirm record plan preview history
set -l qs_stock_verbs add import link unlinked confirm allocation unallocate sync fees tariff calendar labels
set -l qs_inbound_verbs add mark list confirm ship
set -l qs_sync_verbs orders products ship confirm cancel stock export notify doctor log probe

# True when the command line holds command $argv[1] and verb $argv[2]
# (or just the command when no verb is given).
function __qs_using
    set -l words (commandline -opc)
    set -l cmd
    set -l verb
    set -e words[1]
    while set -q words[1]
        switch $words[1]
            case --store --shop --format -o --output --tz --encoding --encoding-errors --sheet
                if test -z "$cmd"
                    set -e words[1]
                end
            case '-*'
            case '*'
                if test -z "$cmd"
                    set cmd $words[1]
                else if test -z "$verb"
                    set verb $words[1]
                end
        end
        set -e words[1]
    end
    test "$cmd" = "$argv[1]"; or return 1
    if set -q argv[2]
        test "$verb" = "$argv[2]"
    else
        return 0
    end
end

# True when the command is $argv[1] and no verb is given yet.
function __qs_needs_verb
    set -l words (commandline -opc)
    set -e words[1]
    set -l cmd
    while set -q words[1]
        switch $words[1]
            case --store --shop --format -o --output --tz --encoding --encoding-errors --sheet
                if test -z "$cmd"
                    set -e words[1]
                end
            case '-*'
            case '*'
                if test -z "$cmd"
                    set cmd $words[1]
                else
                    return 1
                end
        end
        set -e words[1]
    end
    test "$cmd" = "$argv[1]"
end

# True when no command is given yet (global options and their arguments skipped).
function __qs_needs_command
    set -l words (commandline -opc)
    set -e words[1]
    while set -q words[1]
        switch $words[1]
            case --store --shop --format -o --output --tz --encoding --encoding-errors --sheet
                set -e words[1]
            case '-*'
            case '*'
                return 1
        end
        set -e words[1]
    end
    return 0
end

function __qs_zones
    set -l dir /usr/share/zoneinfo
    set -q TZDIR; and set dir $TZDIR
    test -d $dir; or return
    find $dir -type f -name '[A-Z]*' ! -name '*.tab' 2>/dev/null | string replace "$dir/" '' | string match -rv '^(posix|right)/'
end

complete -c qs -f

# Global options, before the command.
complete -c qs -n __qs_needs_command -l store -r -F -d 'the store file'
complete -c qs -n __qs_needs_command -l shop -x -d 'the shop to act on'
complete -c qs -n __qs_needs_command -l format -x -a 'csv json table xlsx' -d 'output format'
complete -c qs -n __qs_needs_command -s o -l output -r -F -d 'write the records to a file'
complete -c qs -n __qs_needs_command -l tz -x -a '(__qs_zones)' -d 'time zone'
complete -c qs -n __qs_needs_command -l encoding -x -a 'auto utf-8 cp932' -d 'CSV encoding in and out'
complete -c qs -n __qs_needs_command -l encoding-errors -x -a 'strict replace' -d 'what CP932 cannot hold'
complete -c qs -n __qs_needs_command -l sheet -x -d 'the sheet of an .xlsx input'
complete -c qs -n __qs_needs_command -l bom -d 'start UTF-8 CSV output with a byte-order mark'
complete -c qs -n __qs_needs_command -l excel-safe -d 'no CSV cell starts like an Excel formula'
complete -c qs -n __qs_needs_command -l dry-run -d 'change nothing, send nothing'
complete -c qs -n __qs_needs_command -s q -l quiet -d 'only errors on stderr'
complete -c qs -n __qs_needs_command -s v -l verbose -d 'more detail on stderr'
complete -c qs -n __qs_needs_command -s h -l help -d 'show the usage'
complete -c qs -n __qs_needs_command -l version -d 'print the version'

# Commands.
complete -c qs -n __qs_needs_command -a init -d 'create the store and a shop'
complete -c qs -n __qs_needs_command -a import -d 'bring products, code pools and word lists in'
complete -c qs -n __qs_needs_command -a publish -d 'schedule, publish and edit listings'
complete -c qs -n __qs_needs_command -a note -d 'message buyers'
complete -c qs -n __qs_needs_command -a coupon -d 'record shop coupons and push them'
complete -c qs -n __qs_needs_command -a stock -d 'warehouse (QWMS) inventory'
complete -c qs -n __qs_needs_command -a inbound -d 'inbound shipments to the warehouse'
complete -c qs -n __qs_needs_command -a sync -d 'sync with the marketplace'
complete -c qs -n __qs_needs_command -a help -d 'show help for qs or a command'
complete -c qs -n __qs_needs_command -a version -d 'print the version'

complete -c qs -n '__qs_needs_verb help' -a "init import publish note coupon stock inbound sync"

# qs init
complete -c qs -n '__qs_using init' -l shop -x -d 'the shop to create or update'
complete -c qs -n '__qs_using init' -l tz -x -a '(__qs_zones)' -d "the shop's time zone"
complete -c qs -n '__qs_using init' -l set -x -d 'set a shop setting KEY=VALUE'
complete -c qs -n '__qs_using init' -l secret -x -d 'read secret KEY from a line of stdin'
complete -c qs -n '__qs_using init' -l deliver -x -d 'KIND=qapi|hook:COMMAND|file:DIR|smtp'
complete -c qs -n '__qs_using init' -s h -l help -d 'show the usage'

# Verbs of each command.
complete -c qs -n '__qs_needs_verb import' -a "$qs_import_verbs"
complete -c qs -n '__qs_needs_verb publish' -a "$qs_publish_verbs"
complete -c qs -n '__qs_needs_verb note' -a "$qs_note_verbs"
complete -c qs -n '__qs_needs_verb coupon' -a "$qs_coupon_verbs"
complete -c qs -n '__qs_needs_verb stock' -a "$qs_stock_verbs"
complete -c qs -n '__qs_needs_verb inbound' -a "$qs_inbound_verbs"
complete -c qs -n '__qs_needs_verb sync' -a "$qs_sync_verbs"
for c in import publish note coupon stock inbound sync
    complete -c qs -n "__qs_using $c" -s h -l help -d 'show the usage'
end

# Options and operands of verbs (planned verbs included; see qs-COMMAND(1)).
complete -c qs -n '__qs_using import products' -l template -x -a 'generic qoo10 qs'
complete -c qs -n '__qs_using import products' -l update -d 'update SKUs that exist'
complete -c qs -n '__qs_using import products' -l group -x
complete -c qs -n '__qs_using import products' -l assign-upc -x -d 'code pool'
complete -c qs -n '__qs_using import products' -l skip-bad -d 'let valid rows in'
complete -c qs -n '__qs_using import products' -l rejects -r -F
complete -c qs -n '__qs_using import products' -l strict -d 'treat warnings as errors'
complete -c qs -n '__qs_using import products' -l fx -x -d 'exchange rate to yen'
complete -c qs -n '__qs_using import products' -l box -d 'keep new products in the collection box'
complete -c qs -n '__qs_using import products' -F
complete -c qs -n '__qs_using import products; or __qs_using import upc; or __qs_using import words' -l encoding -x -a 'auto utf-8 cp932'
complete -c qs -n '__qs_using import upc' -l pool -x
complete -c qs -n '__qs_using import upc' -l type -x -a 'jan upc ean isbn other'
complete -c qs -n '__qs_using import upc; or __qs_using import words' -F
complete -c qs -n '__qs_using publish list' -l state -x -a 'collected pending scheduled publishing online failed offline'
complete -c qs -n '__qs_using publish list' -l group -x
for v in now at every spread cancel edit copy withdraw check
    complete -c qs -n "__qs_using publish $v" -l group -x -d 'only products of the group'
    complete -c qs -n "__qs_using publish $v" -l state -x -a 'collected pending scheduled publishing online failed offline'
    complete -c qs -n "__qs_using publish $v" -l encoding -x -a 'auto utf-8 cp932'
end
complete -c qs -n '__qs_using publish every; or __qs_using publish spread' -l from -x
complete -c qs -n '__qs_using publish spread' -l to -x
complete -c qs -n '__qs_using publish run' -l due-by -x -d 'publish what is scheduled up to this time'
complete -c qs -n '__qs_using publish run' -l retry-failed -d 'retry failed products now'
complete -c qs -n '__qs_using publish edit' -l price -x
complete -c qs -n '__qs_using publish edit' -l quantity -x
complete -c qs -n '__qs_using publish edit' -l shipping -x
complete -c qs -n '__qs_using publish copy' -l suffix -x
complete -c qs -n '__qs_using publish claim' -l fx -x -d 'yen per unit of the source currency'
complete -c qs -n '__qs_using publish claim' -l group -x -d 'only products of the group'
complete -c qs -n '__qs_using publish claim' -l encoding -x -a 'auto utf-8 cp932'
complete -c qs -n '__qs_using publish watch' -a 'add remove pause list run'
complete -c qs -n '__qs_using publish watch' -l on-out -x -a 'zero withdraw none'
complete -c qs -n '__qs_using publish watch' -l price-alert -x -d 'report a source price move over P percent'
complete -c qs -n '__qs_using publish watch' -l group -x -d 'only products of the group'
complete -c qs -n '__qs_using publish watch' -l encoding -x -a 'auto utf-8 cp932'
complete -c qs -n '__qs_using publish profile' -l group -x -d 'group that uses the profile'
complete -c qs -n '__qs_using publish profile' -l sku -x -d 'product that uses the profile'
complete -c qs -n '__qs_using publish profile' -l brand -x -d 'brand NAME=BRANDNO'
complete -c qs -n '__qs_using publish profile' -l brands -d 'list the brand table'
complete -c qs -n '__qs_using publish shipping' -l cached -d 'the templates kept by the last read'
complete -c qs -n '__qs_using note send' -l order -x
complete -c qs -n '__qs_using note send; or __qs_using note rule; or __qs_using note reply' -l template -x
complete -c qs -n '__qs_using note send; or __qs_using note template; or __qs_using note rule' -l title -x
complete -c qs -n '__qs_using note send; or __qs_using note template; or __qs_using note rule; or __qs_using note reply' -l body -x
complete -c qs -n '__qs_using note send; or __qs_using note template; or __qs_using note rule; or __qs_using note reply' -l body-file -r -F
complete -c qs -n '__qs_using note send; or __qs_using note template; or __qs_using note rule' -l category -x -a 'shipping cancel return item seller-board other'
complete -c qs -n '__qs_using note send' -l attach -r -F
complete -c qs -n '__qs_using note send' -l no-email
complete -c qs -n '__qs_using note send' -l help-centre
complete -c qs -n '__qs_using note send; or __qs_using note template; or __qs_using note rule; or __qs_using note reply; or __qs_using note delay' -l allow-personal
complete -c qs -n '__qs_using note send' -l resend
complete -c qs -n '__qs_using note send' -l batch-size -x
complete -c qs -n '__qs_using note send' -l status -x -a 'paid confirmed shipped delivered'
complete -c qs -n '__qs_using note send' -l item -x
complete -c qs -n '__qs_using note send' -l ship-by-before -x
complete -c qs -n '__qs_using note send; or __qs_using note run; or __qs_using note reply; or __qs_using note delay' -l retry-failed
complete -c qs -n '__qs_using note send; or __qs_using note reply' -l resend-unknown
complete -c qs -n '__qs_using note send; or __qs_using note reply; or __qs_using note delay; or __qs_using note blacklist' -l encoding -x -a 'auto utf-8 cp932'
complete -c qs -n '__qs_using note send; or __qs_using note run' -l timeout -x
complete -c qs -n '__qs_using note template' -a 'add list show edit'
complete -c qs -n '__qs_using note rule' -a 'add list enable disable'
complete -c qs -n '__qs_using note rule' -l kind -x -a 'shipped unpaid paid delayed delivered stalled arrived delivery-failed no-tracking'
complete -c qs -n '__qs_using note rule' -l after -x
complete -c qs -n '__qs_using note rule' -l min-amount -x
complete -c qs -n '__qs_using note rule' -l max-amount -x
complete -c qs -n '__qs_using note rule' -l country -x
complete -c qs -n '__qs_using note rule' -l max-age -x
complete -c qs -n '__qs_using note rule' -l since -x
complete -c qs -n '__qs_using note run' -l now -x
complete -c qs -n '__qs_using note run' -l cap -x
complete -c qs -n '__qs_using note blacklist' -a 'add rm list'
complete -c qs -n '__qs_using note blacklist' -l email -x
complete -c qs -n '__qs_using note blacklist' -l name -x
complete -c qs -n '__qs_using note blacklist' -l phone -x
complete -c qs -n '__qs_using note blacklist' -l reason -x
complete -c qs -n '__qs_using note blacklist' -l orders
complete -c qs -n '__qs_using note customers' -l blacklisted
complete -c qs -n '__qs_using note confirm' -l handoff -r -a '(__fish_complete_directories)'
complete -c qs -n '__qs_using note inbox; or __qs_using sync log; or __qs_using sync orders' -l since -x
complete -c qs -n '__qs_using note inbox' -l status -x -a 'unanswered in-progress done all'
complete -c qs -n '__qs_using note inbox' -l no-pull
complete -c qs -n '__qs_using note delay' -l ship-by -x
complete -c qs -n '__qs_using note delay' -l reason -x -a 'preparing made-to-order buyer-request other'
complete -c qs -n '__qs_using note delay' -l memo -x
complete -c qs -n '__qs_using coupon add' -l code -x -d "the seller's own id of the coupon"
complete -c qs -n '__qs_using coupon add' -l encoding -x -a 'auto utf-8 cp932'
complete -c qs -n '__qs_using coupon add' -F
for v in add edit
    complete -c qs -n "__qs_using coupon $v" -l name -x -d "the coupon's name as QSM shows it"
    complete -c qs -n "__qs_using coupon $v" -l discount -x -d 'yen off (500) or a percent (10%)'
    complete -c qs -n "__qs_using coupon $v" -l max-discount -x -d 'the most a percent takes off'
    complete -c qs -n "__qs_using coupon $v" -l min-order -x -d 'the least order it applies to'
    complete -c qs -n "__qs_using coupon $v" -l from -x -d 'valid from'
    complete -c qs -n "__qs_using coupon $v" -l to -x -d 'valid to'
    complete -c qs -n "__qs_using coupon $v" -l issue-limit -x
    complete -c qs -n "__qs_using coupon $v" -l per-buyer-limit -x
    complete -c qs -n "__qs_using coupon $v" -l qstore-only -x -a 'yes no'
    complete -c qs -n "__qs_using coupon $v" -l qsm-no -x -d "QSM's number of the coupon"
end
complete -c qs -n '__qs_using coupon push; or __qs_using coupon record' -a 'ad comp'
complete -c qs -n '__qs_using coupon push; or __qs_using coupon record' -l coupon -x
complete -c qs -n '__qs_using coupon push; or __qs_using coupon record' -l at -x
complete -c qs -n '__qs_using coupon push' -l items -x
complete -c qs -n '__qs_using coupon push' -l banner -r -F
complete -c qs -n '__qs_using coupon push' -l link -x
complete -c qs -n '__qs_using coupon push' -l fans-since -x
complete -c qs -n '__qs_using coupon push' -l fans-until -x
complete -c qs -n '__qs_using coupon push' -l strict
complete -c qs -n '__qs_using coupon confirm' -l applied
complete -c qs -n '__qs_using coupon confirm' -l sent
complete -c qs -n '__qs_using coupon confirm' -l cancelled
complete -c qs -n '__qs_using coupon history' -l coupon -x
complete -c qs -n '__qs_using coupon push' -l encoding -x -a 'auto utf-8 cp932'
for v in push cancel run
    complete -c qs -n "__qs_using coupon $v" -l retry-failed
    complete -c qs -n "__qs_using coupon $v" -l resend-unknown
    complete -c qs -n "__qs_using coupon $v" -l csv
    complete -c qs -n "__qs_using coupon $v" -l timeout -x
end
complete -c qs -n '__qs_using coupon confirm' -l recipients -x
complete -c qs -n '__qs_using coupon record' -l fans -x
complete -c qs -n '__qs_using stock import' -l map -r -F
complete -c qs -n '__qs_using stock fees' -l month -x -d 'the month (YYYY-MM, Asia/Tokyo)'
complete -c qs -n '__qs_using stock fees' -l forecast -d 'the current month projected'
complete -c qs -n '__qs_using stock fees' -l paid -x -d 'record the month paid (YYYY-MM)'
complete -c qs -n '__qs_using stock tariff' -l encoding -x -a 'auto utf-8 cp932'
complete -c qs -n '__qs_using stock calendar' -l closures -d 'list the entries as entered'
complete -c qs -n '__qs_using stock calendar' -l days -x -d 'list N days'
complete -c qs -n '__qs_using stock calendar' -l encoding -x -a 'auto utf-8 cp932'
complete -c qs -n '__qs_using stock add' -l name -x -d "the item's name (the warehouse reads it)"
complete -c qs -n '__qs_using stock add' -l seller-code -x
complete -c qs -n '__qs_using stock add' -l usable -x -a 'yes no'
complete -c qs -n '__qs_using stock add' -l from-item -x -d 'a synced marketplace item'
complete -c qs -n '__qs_using stock add' -l csv
complete -c qs -n '__qs_using stock add' -l retry-failed
complete -c qs -n '__qs_using stock add' -l encoding -x -a 'auto utf-8 cp932'
complete -c qs -n '__qs_using stock import' -l encoding -x -a 'auto utf-8 cp932'
complete -c qs -n '__qs_using stock link' -l by -x -a 'seller-code' -d 'match records by seller code'
complete -c qs -n '__qs_using stock link' -l remove -d 'write the unlink to-do'
complete -c qs -n '__qs_using stock link' -l retry-failed
complete -c qs -n '__qs_using stock link; or __qs_using stock confirm' -l encoding -x -a 'auto utf-8 cp932'
complete -c qs -n '__qs_using stock confirm' -l handoff -r -a '(__fish_complete_directories)'
complete -c qs -n '__qs_using stock confirm' -l order -x -d 'the allocation to-do of an order'
complete -c qs -n '__qs_using stock allocation' -l state -x -a 'allocated waiting unallocatable'
complete -c qs -n '__qs_using stock allocation' -l todo -d 'hand off the allocation to-do'
complete -c qs -n '__qs_using stock allocation; or __qs_using stock unallocate' -l retry-failed
complete -c qs -n '__qs_using stock unallocate' -l encoding -x -a 'auto utf-8 cp932' -d 'input encoding'
complete -c qs -n '__qs_using stock labels' -l own-barcode -d 'also draw Code 128 SKU labels'
complete -c qs -n '__qs_using stock labels' -l no-pdf -d 'write no PDF'
complete -c qs -n '__qs_using stock labels' -l retry-failed
complete -c qs -n '__qs_using stock labels' -l encoding -x -a 'auto utf-8 cp932'
complete -c qs -n '__qs_using stock labels' -l boxes -x -d 'inbound box labels for N boxes'
complete -c qs -n '__qs_using stock labels' -l cargo-no -x -d 'cargo bundle number'
complete -c qs -n '__qs_using stock labels' -l shop-id -x -d 'QSM seller ID'
complete -c qs -n '__qs_using stock labels' -l bundle -x -d 'inbound bundle'
complete -c qs -n '__qs_using stock import; or __qs_using stock add; or __qs_using stock link; or __qs_using stock confirm; or __qs_using stock tariff; or __qs_using stock calendar; or __qs_using stock labels' -F
complete -c qs -n '__qs_using inbound add; or __qs_using inbound ship' -F
complete -c qs -n '__qs_using inbound add; or __qs_using inbound mark' -l arrival -x -d 'estimated arrival'
complete -c qs -n '__qs_using inbound add' -l skip-bad -d 'hand off the valid rows'
complete -c qs -n '__qs_using inbound add' -l rejects -r -d 'rejected rows'
complete -c qs -n '__qs_using inbound add' -l csv -d 'the form as CP932 CSV'
complete -c qs -n '__qs_using inbound add' -l retry-failed
complete -c qs -n '__qs_using inbound add; or __qs_using inbound mark' -l encoding -x -a 'auto utf-8 cp932'
complete -c qs -n '__qs_using inbound mark' -a 'requested confirmed shipped arrived completed rejected deleted'
complete -c qs -n '__qs_using inbound mark' -l cargo-no -x -d 'cargo bundle number'
complete -c qs -n '__qs_using inbound mark' -l carrier -x
complete -c qs -n '__qs_using inbound mark' -l tracking -x
complete -c qs -n '__qs_using inbound mark' -l boxes -x
complete -c qs -n '__qs_using inbound mark' -l at -x -d 'when it happened'
complete -c qs -n '__qs_using inbound list' -l late -d 'inspection past 3 days'
complete -c qs -n '__qs_using inbound list' -l state -x -a 'new requested confirmed shipped arrived completed rejected deleted'
complete -c qs -n '__qs_using inbound confirm' -l handoff -r -d 'hand-off folder'
complete -c qs -n '__qs_using inbound ship' -l resend -d 'register a reference order number again'
complete -c qs -n '__qs_using inbound ship' -l skip-bad -d 'register the good rows'
complete -c qs -n '__qs_using inbound ship' -l rejects -r -d 'the bad rows'
complete -c qs -n '__qs_using inbound ship' -l csv -d 'QSM form as CP932 CSV'
complete -c qs -n '__qs_using inbound ship' -l retry-failed
complete -c qs -n '__qs_using inbound ship' -l encoding -x -a 'auto utf-8 cp932'
complete -c qs -n '__qs_using sync orders' -l status -x -a 'unpaid paid confirmed shipped delivered'
complete -c qs -n '__qs_using sync orders' -l all -d 'print every stored line'
complete -c qs -n '__qs_using sync orders' -l list -d 'print the stored lines, no call'
complete -c qs -n '__qs_using sync products' -l full -d 'read every item\'s details'
complete -c qs -n '__qs_using sync ship; or __qs_using sync confirm' -l skip-bad -d 'send the good lines'
complete -c qs -n '__qs_using sync ship; or __qs_using sync confirm' -l rejects -r -F
complete -c qs -n '__qs_using sync ship; or __qs_using sync confirm' -l retry-failed -d 'send again now'
complete -c qs -n '__qs_using sync ship; or __qs_using sync confirm' -l encoding -x -a 'auto utf-8 cp932'
complete -c qs -n '__qs_using sync ship' -F
complete -c qs -n '__qs_using sync ship' -l force -d 'also lines allocated to the warehouse (R-STK-6)'
complete -c qs -n '__qs_using sync confirm' -l ship-by -x
complete -c qs -n '__qs_using sync notify' -a 'template run list add edit use show'
complete -c qs -n '__qs_using sync notify' -l kind -x -a 'order paid completed cancel-requested cancelled'
complete -c qs -n '__qs_using sync notify' -l group -x -a 'Basic CrossMail StockGear JPJAgency'
complete -c qs -n '__qs_using sync notify' -l send-type -x -a 'EMAIL POST AGENT'
complete -c qs -n '__qs_using sync notify' -l use -x -a 'Y N'
complete -c qs -n '__qs_using sync notify' -l wait -x -a 'Y N'
complete -c qs -n '__qs_using sync notify' -l body-file -r -F
complete -c qs -n '__qs_using sync notify' -l to -x -d 'address; for run: - smtp hook:COMMAND'
complete -c qs -n '__qs_using sync notify' -l state -x -a 'sent pending retry failed unknown claimed'
complete -c qs -n '__qs_using sync notify' -l retry-failed -d 'send again now'
complete -c qs -n '__qs_using sync notify' -l resend-unknown -d 'send again what may have arrived'
complete -c qs -n '__qs_using sync notify' -l name -x
complete -c qs -n '__qs_using sync notify' -l subject -x
complete -c qs -n '__qs_using sync notify' -l body -x
complete -c qs -n '__qs_using sync notify' -l sign-key -x
complete -c qs -n '__qs_using sync notify' -l period -x
complete -c qs -n '__qs_using sync notify' -l rev -x
complete -c qs -n '__qs_using sync log' -l kind -x
complete -c qs -n '__qs_using sync cancel' -l reason -x -a 'out-of-stock order-change undeliverable delay'
complete -c qs -n '__qs_using sync cancel' -l memo -x -d 'the seller\'s memo'
complete -c qs -n '__qs_using sync cancel' -l retry-failed -d 'send again now'
complete -c qs -n '__qs_using sync cancel' -l encoding -x -a 'auto utf-8 cp932'
complete -c qs -n '__qs_using sync export' -a 'goods inventory'
complete -c qs -n '__qs_using sync export' -l map -r -F -d 'rename columns'
complete -c qs -n '__qs_using sync probe' -l days -x -d 'open-orders window (1-90 days)'
complete -c qs -n '__qs_using sync probe' -l order-no -x -d 'order number of the bulk writes'
complete -c qs -n '__qs_using sync probe' -s o -l output -r -F -d 'the probe file'
complete -c qs -n '__qs_using sync probe' -l apply -d 'store the findings as shop settings'

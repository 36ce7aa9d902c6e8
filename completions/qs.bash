# bash completion for qs(1)                                  -*- shell-script -*-
# Commands and verbs mirror the tables in cmd/main.c and cmd/*.c;
# tests/cli/t0020-docs.sh fails when they drift apart.

_qs_commands="init import publish note coupon stock inbound sync help version"

_qs_global_opts="--store --shop --format -o --output --tz --encoding --encoding-errors --sheet
    --bom --excel-safe --dry-run -q --quiet -v --verbose -h --help --version"

# Verbs of each command ("" for a command without verbs).
_qs_verbs() {
    case $1 in
    import) echo "products upc pools words" ;;
    publish) echo "list now at every spread cancel run edit copy category profile undo withdraw check claim watch shipping batches" ;;
    note) echo "send template rule run inbox reply delay blacklist customers confirm" ;;
    coupon) echo "add edit list show push cancel run confirm record plan preview history" ;;
    stock) echo "add import link unlinked confirm allocation unallocate sync fees tariff calendar labels" ;;
    inbound) echo "add mark list confirm ship" ;;
    sync) echo "orders products ship confirm cancel stock export notify doctor log probe" ;;
    esac
}

# Options of a verb ("init" for qs init); --help is always offered.
_qs_verb_opts() {
    case $1/$2 in
    init/) echo "--shop --tz --set --secret --deliver" ;;
    import/products) echo "--template --update --box --group --assign-upc --skip-bad --rejects --strict --fx --encoding" ;;
    import/upc) echo "--pool --type --encoding" ;;
    import/words) echo "--encoding" ;;
    publish/list) echo "--state --group" ;;
    publish/now | publish/at | publish/cancel | publish/withdraw | publish/check)
        echo "--group --state --encoding" ;;
    publish/every) echo "--from --group --state --encoding" ;;
    publish/spread) echo "--from --to --group --state --encoding" ;;
    publish/run) echo "--due-by --retry-failed" ;;
    publish/edit) echo "--price --quantity --shipping --group --state --encoding" ;;
    publish/copy) echo "--suffix --group --state --encoding" ;;
    publish/profile) echo "--group --sku --brand --brands" ;;
    publish/shipping) echo "--cached" ;;
    publish/claim) echo "--fx --group --encoding" ;;
    publish/watch) echo "--on-out --price-alert --group --encoding" ;;
    note/send) echo "--order --template --title --body --body-file --category --attach --no-email
        --help-centre --allow-personal --resend --batch-size --status --item --ship-by-before
        --retry-failed --resend-unknown --encoding --timeout" ;;
    note/template) echo "--title --body --body-file --category --allow-personal" ;;
    note/rule) echo "--kind --after --template --title --body --body-file --category --min-amount
        --max-amount --country --max-age --since --allow-personal" ;;
    note/run) echo "--now --cap --retry-failed --timeout" ;;
    note/inbox) echo "--since --status --no-pull" ;;
    note/reply) echo "--body --body-file --template --allow-personal --retry-failed --resend-unknown --encoding" ;;
    note/delay) echo "--ship-by --reason --memo --allow-personal --retry-failed --encoding" ;;
    note/blacklist) echo "--email --name --phone --reason --orders --encoding" ;;
    note/customers) echo "--blacklisted" ;;
    note/confirm) echo "--handoff" ;;
    coupon/add) echo "--code --name --discount --max-discount --min-order --from --to --issue-limit
        --per-buyer-limit --qstore-only --qsm-no --encoding" ;;
    coupon/edit) echo "--name --discount --max-discount --min-order --from --to --issue-limit
        --per-buyer-limit --qstore-only --qsm-no" ;;
    coupon/push) echo "--coupon --at --items --banner --link --fans-since --fans-until --strict
        --encoding --retry-failed --resend-unknown --csv --timeout" ;;
    coupon/cancel | coupon/run) echo "--retry-failed --resend-unknown --csv --timeout" ;;
    coupon/confirm) echo "--applied --sent --cancelled --recipients" ;;
    coupon/history) echo "--coupon" ;;
    coupon/record) echo "--coupon --at --fans" ;;
    stock/import) echo "--map --encoding" ;;
    stock/fees) echo "--month --forecast --paid" ;;
    stock/tariff) echo "--encoding" ;;
    stock/calendar) echo "--closures --days --encoding" ;;
    stock/add) echo "--name --seller-code --usable --from-item --csv --retry-failed --encoding" ;;
    stock/link) echo "--by --remove --retry-failed --encoding" ;;
    stock/confirm) echo "--handoff --order --encoding" ;;
    stock/allocation) echo "--state --todo --retry-failed" ;;
    stock/unallocate) echo "--retry-failed --encoding" ;;
    stock/sync | sync/stock) echo "--buffer --max --shared --force --retry-failed" ;;
    stock/labels) echo "--own-barcode --no-pdf --retry-failed --encoding --boxes --cargo-no --shop-id --bundle" ;;
    inbound/add) echo "--arrival --skip-bad --rejects --csv --retry-failed --encoding" ;;
    inbound/mark) echo "--cargo-no --carrier --tracking --boxes --arrival --at --encoding" ;;
    inbound/list) echo "--late --state" ;;
    inbound/confirm) echo "--handoff" ;;
    inbound/ship) echo "--resend --skip-bad --rejects --csv --retry-failed --encoding" ;;
    sync/orders) echo "--since --status --all --list" ;;
    sync/products) echo "--full" ;;
    sync/ship) echo "--skip-bad --rejects --retry-failed --force --encoding" ;;
    sync/confirm) echo "--ship-by --skip-bad --rejects --retry-failed --encoding" ;;
    sync/cancel) echo "--reason --memo --retry-failed --encoding" ;;
    sync/export) echo "--map" ;;
    sync/notify) echo "template run list add edit use show --kind --group --name --subject --body --body-file --send-type --sign-key --to --use --wait --period --rev --state --retry-failed --resend-unknown" ;;
    sync/log) echo "--since --kind" ;;
    sync/probe) echo "--days --order-no --output --apply" ;;
    esac
    echo "--help"
}

# Words that may follow a verb that has sub-actions.
_qs_actions() {
    case $1/$2 in
    note/template) echo "add list show edit" ;;
    note/rule) echo "add list enable disable" ;;
    note/blacklist) echo "add rm list" ;;
    coupon/push | coupon/record) echo "ad comp" ;;
    sync/export) echo "goods inventory" ;;
    esac
}

# True when option $1 takes its argument in the next word.
_qs_takes_arg() {
    case $1 in
    --store | --shop | --format | --tz | --template | --group | --assign-upc | --rejects | --fx | \
        --pool | --type | --state | --from | --to | --price | --quantity | --shipping | \
        --suffix | --order | --title | --body | --since | --ship-by | --reason | --memo | --code | --discount | \
        --at | --buffer | --max | --month | --arrival | --carrier | --tracking | --boxes | \
        --status | --reason | --set | --secret | --deliver | --encoding | --encoding-errors | --kind | \
        --body-file | --category | --attach | --batch-size | --item | --ship-by-before | --timeout | \
        --handoff | --after | --min-amount | --max-amount | --country | --max-age | --now | --cap | \
        --email | --name | --phone | --days | --order-no | --output | -o | --max-discount | \
        --min-order | --issue-limit | --per-buyer-limit | --qstore-only | --qsm-no | --coupon | \
        --items | --banner | --link | --fans-since | --fans-until | --recipients | --fans | --map | \
        --seller-code | --from-item | --cargo-no | --shop-id)
        return 0
        ;;
    esac
    return 1
}

_qs_zones() {
    local dir=${TZDIR:-/usr/share/zoneinfo}
    [[ -d $dir ]] || return
    (cd "$dir" && find . -type f -name '[A-Z]*' ! -name '*.tab' 2>/dev/null) |
        sed 's|^\./||' | grep -v '^posix/\|^right/'
}

# Completes file names into COMPREPLY (bash-completion's _filedir when loaded).
_qs_files() {
    if declare -F _filedir >/dev/null; then
        _filedir
    else
        local IFS=$'\n'
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

_qs() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=
    local i w cmd= verb= nargs=0
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    # Find the command and the verb before the cursor, skipping options and
    # the arguments of the options that take one.
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $w == -* ]]; then
            _qs_takes_arg "$w" && ((i++))
            continue
        fi
        if [[ -z $cmd ]]; then
            cmd=$w
        elif [[ -z $verb && -n $(_qs_verbs "$cmd") ]]; then
            verb=$w
        else
            nargs=$((nargs + 1))
        fi
    done

    # The argument of an option.
    case $prev in
    --store | --rejects | --output | -o)
        _qs_files
        return
        ;;
    --format)
        [[ -z $cmd ]] && COMPREPLY=($(compgen -W "csv json table xlsx" -- "$cur"))
        return
        ;;
    --tz)
        COMPREPLY=($(compgen -W "$(_qs_zones)" -- "$cur"))
        return
        ;;
    --template)
        [[ $cmd/$verb == import/products ]] &&
            COMPREPLY=($(compgen -W "generic qoo10 qs" -- "$cur"))
        return
        ;;
    --type)
        [[ $cmd/$verb == import/upc ]] &&
            COMPREPLY=($(compgen -W "jan upc ean isbn other" -- "$cur"))
        return
        ;;
    --qstore-only)
        COMPREPLY=($(compgen -W "yes no" -- "$cur"))
        return
        ;;
    --banner)
        _qs_files
        return
        ;;
    --state)
        [[ $cmd == publish ]] &&
            COMPREPLY=($(compgen -W "collected pending scheduled publishing online failed offline" -- "$cur"))
        return
        ;;
    --encoding)
        COMPREPLY=($(compgen -W "auto utf-8 cp932" -- "$cur"))
        return
        ;;
    --status)
        [[ $cmd/$verb == sync/orders ]] &&
            COMPREPLY=($(compgen -W "unpaid paid confirmed shipped delivered" -- "$cur"))
        return
        ;;
    --encoding-errors)
        COMPREPLY=($(compgen -W "strict replace" -- "$cur"))
        return
        ;;
    --shop | --group | --assign-upc | --fx | --pool | --from | --to | --price | \
        --quantity | --shipping | --suffix | --order | --title | --body | --since | \
        --ship-by | --memo | --code | --discount | --at | --buffer | --max | --month | --arrival | \
        --carrier | --tracking | --boxes | --reason | --set | --secret | --deliver | --kind | \
        --days | --order-no | --name | --max-discount | --min-order | --issue-limit | \
        --per-buyer-limit | --qsm-no | --coupon | --items | --link | --fans-since | --fans-until | \
        --recipients | --fans | --seller-code | --from-item | --cargo-no | --shop-id)
        return
        ;;
    --usable)
        COMPREPLY=($(compgen -W "yes no" -- "$cur"))
        return
        ;;
    esac

    # No command yet: global options or commands.
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$_qs_global_opts" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$_qs_commands" -- "$cur"))
        fi
        return
    fi

    case $cmd in
    help)
        ((nargs == 0)) && [[ -z $verb ]] &&
            COMPREPLY=($(compgen -W "${_qs_commands% help version}" -- "$cur"))
        return
        ;;
    version) return ;;
    init)
        COMPREPLY=($(compgen -W "$(_qs_verb_opts init "")" -- "$cur"))
        return
        ;;
    esac

    local verbs
    verbs=$(_qs_verbs "$cmd")
    [[ -n $verbs ]] || return
    if [[ -z $verb ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--help" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
        fi
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_qs_verb_opts "$cmd" "$verb")" -- "$cur"))
        return
    fi
    local actions
    actions=$(_qs_actions "$cmd" "$verb")
    if [[ -n $actions ]] && ((nargs == 0)); then
        COMPREPLY=($(compgen -W "$actions" -- "$cur"))
        return
    fi
    # Operands: files (or - for standard input).
    _qs_files
} &&
    complete -F _qs qs

# ex: filetype=sh

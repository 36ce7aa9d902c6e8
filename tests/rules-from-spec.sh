#!/bin/sh
# rules-from-spec.sh [SPEC.md]: prints the rule ids SPEC.md defines, one per line, in the
# order they appear there. A rule is defined by a list item that starts with its id
# ("- R-IMP-4 SKU is unique ..."); ids only mentioned in another rule's text are not new.
# The spec lives outside the repository (../shared/SPEC.md); a clean clone has only the copy
# this script writes:
#     tests/rules-from-spec.sh ../shared/SPEC.md >tests/rules.txt
# and tests/cli/t0003-meta.sh checks that copy against the spec whenever the spec is there.
set -eu
spec=${1:-$(dirname "$0")/../../shared/SPEC.md}
if [ ! -r "$spec" ]; then
    echo "rules-from-spec.sh: cannot read $spec" >&2
    exit 66
fi
sed -n 's/^- \(R-[A-Z][A-Z]*-[0-9][0-9]*[a-z]\{0,1\}\)[ .,:;].*/\1/p; s/^- \(R-[A-Z][A-Z]*-[0-9][0-9]*[a-z]\{0,1\}\)$/\1/p' "$spec" |
    awk '!seen[$0]++'

#!/bin/sh
# qapi-rate.sh: QAPI client requests/s against the sandbox marketplace, with and
# without connection reuse, in one run (R-SYN-7's client; rate limit off).
# usage: bench/qapi-rate.sh [BUILD_DIR [N]]   (default: build, 2000 requests per mode)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
n=${2:-2000}
exe="$build/bench/qapi-rate"
[ -x "$exe" ] || { echo "qapi-rate.sh: no $exe (ninja -C $build)" >&2; exit 64; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qs-qapi-rate.XXXXXX")
trap '"$src/tests/sandbox/sandboxctl" stop "$tmp" >/dev/null 2>&1 || :; rm -rf "$tmp"' EXIT
"$src/tests/sandbox/sandboxctl" start "$tmp" >/dev/null
"$exe" "$(cat "$tmp/sandbox.qapi_url")" "$n"

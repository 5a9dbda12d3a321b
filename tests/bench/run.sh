#!/bin/sh
# run.sh: every benchmark, one after the other (`make bench`).
#   tests/bench/run.sh BUILDDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$PWD}
rc=0
for b in parse classify; do
	echo "== $b"
	sh "$here/$b.sh" "$build" || rc=1
done
exit $rc

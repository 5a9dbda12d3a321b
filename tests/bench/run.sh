#!/bin/sh
# run.sh: `make bench` runs every benchmark script of tests/bench (each
# prints its own table) from the build directory.  Not part of make check.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
export top_srcdir
status=0
for b in "$here"/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	echo "## $(basename "$b" .sh)"
	sh "$b" || status=1
	echo
done
exit "$status"

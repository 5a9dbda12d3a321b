#!/bin/sh
# run.sh: `make bench` runs every benchmark script of tests/bench (each
# prints its own table).  Not part of make check.
#   tests/bench/run.sh [BUILDDIR]   (top_builddir and top_srcdir exported)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${1:-${top_builddir:-$PWD}}
export top_srcdir top_builddir
status=0
for b in "$here"/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	echo "## $(basename "$b" .sh)"
	(cd "$top_builddir" && sh "$b") || status=1
	echo
done
exit "$status"

#!/bin/sh
# golden: `feedmux parse` on each tests/parse/NAME.in.* must print exactly
# NAME.out.json (and exit with NAME.status, default 0).  NAME.args holds
# extra arguments, one per line.  UPDATE=1 rewrites the expectations.
here=$(cd "$(dirname "$0")" && pwd)
: "${FEEDMUX:=$here/../../src/feedmux}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

n=0
bad=0
for in in "$here"/*.in.*; do
	[ -e "$in" ] || continue
	name=${in%.in.*}
	base=$(basename "$name")
	set --
	if [ -f "$name.args" ]; then
		while IFS= read -r arg || [ -n "$arg" ]; do
			set -- "$@" "$arg"
		done <"$name.args"
	fi
	want_status=0
	[ -f "$name.status" ] && want_status=$(cat "$name.status")
	"$FEEDMUX" parse "$@" "$in" >"$tmp/out" 2>"$tmp/err"
	status=$?
	n=$((n + 1))
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$tmp/out" "$name.out.json"
		continue
	fi
	if [ "$status" -ne "$want_status" ]; then
		echo "FAIL: $base: exit $status, want $want_status"
		cat "$tmp/err"
		bad=$((bad + 1))
	elif ! diff -u "$name.out.json" "$tmp/out"; then
		echo "FAIL: $base: output differs"
		bad=$((bad + 1))
	else
		echo "PASS: $base"
	fi
done
[ "$n" -gt 0 ] || { echo "no golden files found in $here"; exit 99; }
echo "$((n - bad)) of $n golden files match"
[ "$bad" -eq 0 ]

#!/bin/sh
# docs: the man pages render with `man -l` without a warning, and
# feedmux.conf(5) and conf/feedmux.conf agree with the daemon's table of
# options (names, sections and defaults); conf/feedmux.conf is a valid
# configuration.  man and groff are required (Debian: apt-get install
# man-db groff-base): without them this test fails.
. "$(dirname "$0")/lib.sh"
t_setup
: "${top_srcdir:=$t_here/../..}"

command -v man >/dev/null 2>&1 ||
    fail "man not found: install man-db and groff-base"
for page in feedmuxd.8 feedmux.1 feedmux.conf.5; do
	f=$top_srcdir/man/$page
	[ -f "$f" ] || fail "$f missing"
	MANWIDTH=80 man --warnings -l "$f" 2>"$T/man.err" >"$T/man.out"
	[ -s "$T/man.err" ] && { cat "$T/man.err" >&2; fail "$page: warnings"; }
	[ "$(wc -l <"$T/man.out")" -gt 20 ] || fail "$page rendered to almost nothing"
	# The name line of the page made it through.
	grep -q "^NAME" "$T/man.out" || fail "$page has no NAME section when rendered"
done
pass "man pages render without warnings"

"$FEEDMUX" check --example >"$T/example.conf" || fail "feedmux check --example failed"
version=$("$FEEDMUX" --version | sed 's/^feedmux //')
"$PY" "$t_here/docs-check.py" "$T/example.conf" "$top_srcdir/man/feedmux.conf.5" \
    "$top_srcdir/conf/feedmux.conf" "$version" >"$T/docs.out" ||
    { cat "$T/docs.out" >&2; fail "options table, man page and example disagree"; }
cat "$T/docs.out"
pass "feedmux.conf.5 and conf/feedmux.conf agree with the options table"

# The generated example is itself a valid config once uncommented, and the
# shipped example loads.
sed -e 's/^;\([a-z_]* = \)/\1/' -e 's/^;\[/[/' -e '/^include = /d' \
    -e "s|^database = .*|database = $T/x.db|" "$T/example.conf" >"$T/uncommented.conf"
"$FEEDMUX" check -c "$T/uncommented.conf" >"$T/check.out" 2>&1 ||
    { cat "$T/check.out" >&2; fail "the generated example does not load"; }
"$FEEDMUX" check -c "$top_srcdir/conf/feedmux.conf" >/dev/null ||
    fail "conf/feedmux.conf does not load"
pass "generated example and conf/feedmux.conf load"
exit 0

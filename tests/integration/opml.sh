#!/bin/sh
# opml: `feedmux import-opml` writes a conf.d file that the config accepts,
# and `feedmux export-opml` gives back the list's feeds, titles, nested
# folders and categories (compared in a canonical form); --category adds a
# category to every feed; feeds already configured, non-http URLs and a
# DOCTYPE (entities) are refused; an existing output file is never
# overwritten.
. "$(dirname "$0")/lib.sh"
t_setup

fix="$t_here/fixtures"
mkdir -p "$T/conf.d"
cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/feedmux.db
include = conf.d/*.conf

[category "security"]
title = Security
; A category needs a rule of its own until the imported sources name it.
terms = security

[source "already"]
url = https://already.example/feed
CONF

"$FEEDMUX" import-opml -c "$T/feedmux.conf" -o "$T/conf.d/subs.conf" \
    "$fix/subs.opml" 2>"$T/import.err" || { cat "$T/import.err" >&2; fail "import-opml failed"; }
grep -q '7 sources, 3 new categories' "$T/import.err" ||
    { cat "$T/import.err" >&2; fail "import summary wrong"; }
"$FEEDMUX" check -c "$T/feedmux.conf" >"$T/check.out" 2>&1 ||
    { cat "$T/check.out" "$T/conf.d/subs.conf" >&2; fail "imported file rejected by check"; }
grep -q '8 sources, 4 categories' "$T/check.out" || { cat "$T/check.out" >&2; fail "counts"; }
# The existing category is reused, not defined twice.
[ "$(grep -c '^\[category "security"\]' "$T/conf.d/subs.conf")" -eq 0 ] ||
    fail "security category defined again"
pass "import-opml: a conf.d file the config accepts"

"$FEEDMUX" export-opml -c "$T/feedmux.conf" >"$T/export.opml" ||
    fail "export-opml failed"
"$PY" "$t_here/opml-norm.py" "$fix/subs.opml" >"$T/in.norm" || fail "cannot read the input list"
"$PY" "$t_here/opml-norm.py" "$T/export.opml" | grep -v already.example >"$T/out.norm" ||
    fail "export is not readable OPML"
diff -u "$T/in.norm" "$T/out.norm" || fail "export differs from the imported list"
grep -q 'already.example' "$T/export.opml" || fail "configured source missing from the export"
[ "$(wc -l <"$T/in.norm")" -eq 7 ] || fail "expected 7 feeds in the fixture"
pass "round trip: export equals the input's feeds, folders and categories"

# Import the export again into a fresh config: nothing changes.
mkdir -p "$T/two/conf.d"
printf '[feedmux]\ndatabase = %s/two.db\ninclude = conf.d/*.conf\n' "$T" >"$T/two/feedmux.conf"
"$FEEDMUX" import-opml -c "$T/two/feedmux.conf" -o "$T/two/conf.d/a.conf" \
    "$T/export.opml" 2>/dev/null || fail "re-import failed"
"$FEEDMUX" export-opml -c "$T/two/feedmux.conf" >"$T/export2.opml" || fail "re-export failed"
"$PY" "$t_here/opml-norm.py" "$T/export.opml" >"$T/e1.norm"
"$PY" "$t_here/opml-norm.py" "$T/export2.opml" >"$T/e2.norm"
diff -u "$T/e1.norm" "$T/e2.norm" || fail "second round trip differs"
pass "export, import, export is stable"

# --category: every imported feed also joins it.
"$FEEDMUX" import-opml -c "$T/two/feedmux.conf" --category "From OPML" \
    "$fix/subs.opml" >"$T/cat.conf" 2>/dev/null || fail "import with --category failed"
n=$(grep -c '^categories = .*from-opml' "$T/cat.conf")
[ "$n" -eq 0 ] || fail "feeds already in the config were imported again"
rm -rf "$T/three" && mkdir -p "$T/three/conf.d"
printf '[feedmux]\ndatabase = %s/three.db\ninclude = conf.d/*.conf\n' "$T" >"$T/three/feedmux.conf"
"$FEEDMUX" import-opml -c "$T/three/feedmux.conf" --category "From OPML" \
    -o "$T/three/conf.d/x.conf" "$fix/subs.opml" 2>/dev/null || fail "import with --category failed"
[ "$(grep -c '^categories = .*from-opml$' "$T/three/conf.d/x.conf")" -eq 7 ] ||
    fail "--category not on every feed"
grep -q '^\[category "from-opml"\]' "$T/three/conf.d/x.conf" || fail "--category not defined"
"$FEEDMUX" check -c "$T/three/feedmux.conf" >/dev/null || fail "--category config rejected"
pass "--category C adds C to every feed"

# Feeds already configured are skipped; the output file is never overwritten.
"$FEEDMUX" import-opml -c "$T/feedmux.conf" -o "$T/conf.d/subs.conf" \
    "$fix/subs.opml" 2>"$T/again.err" && fail "overwrote an existing file"
grep -q 'File exists' "$T/again.err" || fail "no reason given for refusing to overwrite"
"$FEEDMUX" import-opml -c "$T/feedmux.conf" "$fix/subs.opml" >"$T/again.conf" 2>"$T/again.err" ||
    fail "second import failed"
grep -q '0 sources' "$T/again.err" || fail "configured feeds imported again"
[ "$(grep -c 'already source' "$T/again.err")" -eq 7 ] || fail "skips not reported"
pass "configured feeds skipped, existing files kept"

# Entities are never expanded: a DOCTYPE is refused.
cat >"$T/evil.opml" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa">]>
<opml version="2.0"><body><outline text="&x;&a;" xmlUrl="https://x.example/&a;"/></body></opml>
XML
"$FEEDMUX" import-opml -c "$T/two/feedmux.conf" "$T/evil.opml" >"$T/evil.out" 2>"$T/evil.err"
rc=$?
[ "$rc" -eq 1 ] || fail "external entity list: exit $rc, expected 1"
[ ! -s "$T/evil.out" ] || fail "something written for an external entity"
cat >"$T/evil2.opml" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<opml version="2.0"><body><outline text="&b;" xmlUrl="https://x.example/"/></body></opml>
XML
"$FEEDMUX" import-opml -c "$T/two/feedmux.conf" "$T/evil2.opml" >"$T/evil.out" 2>"$T/evil.err"
rc=$?
[ "$rc" -eq 1 ] || fail "DOCTYPE list: exit $rc, expected 1"
grep -q 'DOCTYPE is not accepted' "$T/evil.err" || fail "no reason given for the DOCTYPE"
[ ! -s "$T/evil.out" ] || fail "something written for a DOCTYPE list"
printf 'not xml' >"$T/bad.opml"
"$FEEDMUX" import-opml -c "$T/two/feedmux.conf" "$T/bad.opml" >/dev/null 2>&1
[ $? -eq 1 ] || fail "malformed list not refused with 1"
pass "DOCTYPE and malformed lists refused"
exit 0

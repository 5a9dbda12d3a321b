#!/bin/sh
# xss: content safety (issue 9).  A corpus of XSS vectors (tests/xss/
# vectors.txt) is embedded in fixture feeds of every format (RSS, Atom with
# html, text and xhtml constructs, JSON Feed with content_html and
# content_text, hostile feed titles), polled by the real daemon.  Every
# output (each category, "all" and per-source feed in Atom, RSS and JSON
# Feed, the HTML index, the category rules page, OPML) is parsed and must
# hold no executable construct (xss-check.py).  Then headless Chromium
# loads the index and a naive reader's rendering of the Atom, RSS and JSON
# Feed entries and no vector may run, while the same corpus unsanitized,
# and hand-made controls, injected by the harness do run (xss-browser.py).
. "$(dirname "$0")/lib.sh"
T_HEAVY=1	# runs alone: see t_lock
t_setup
command -v curl >/dev/null || fail "curl is required (apt-get install curl)"
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}
[ -n "$CHROMIUM" ] || fail "chromium is required (apt-get install chromium)"
export CHROMIUM

xdir="$srcdir/xss"
[ -f "$xdir/vectors.txt" ] || xdir="$t_here/../xss"
mkdir -p "$T/pub"
"$PY" "$xdir/xss-gen.py" "$xdir/vectors.txt" "$T/pub" || fail "xss-gen.py"
fixpub_start "$T/pub"

{
	poll_conf_head "feed_limit = 1000" "interval = 1h" "max_interval = 1h"
	cat <<'CONF'

[category "xss"]
title = <script>top.postMessage('xss:cat','*')</script>Hostile & "Co"
description = <img src=x onerror="top.postMessage('xss:catdesc','*')">
match_title = <svg onload=alert(1)>|script

[category "quiet"]
title = Quiet</title><script>top.postMessage('xss:quiet','*')</script>
terms = </textarea><svg onload=alert(1)>
CONF
	while read -r name file; do
		printf '\n[source "%s"]\nurl = %s/%s\ncategories = xss\n' \
		    "$name" "$FIXPUB_URL" "$file"
	done <"$T/pub/sources.txt"
	# NUL cannot travel in XML or JSON (jansson refuses \u0000): the feed
	# of those vectors is refused whole.
	printf '\n[source "nul"]\nurl = %s/nul.json\ncategories = xss\n' \
	    "$FIXPUB_URL"
} >"$T/feedmux.conf"
nsrc=$(wc -l <"$T/pub/sources.txt")

daemon_start "$T/feedmux.conf"
# Every source polled once, successfully.
polled()
{
	n=$("$FEEDMUX" status --json -c "$T/feedmux.conf" 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
ok = sum(1 for s in d["source"] if s["state"] == "ok" and s["entries"] > 0)
nul = [s for s in d["source"] if s["name"] == "nul"][0]
print(ok if nul["state"] == "failing" and nul["entries"] == 0 else -1)
') || return 1
	[ "$n" -eq "$nsrc" ]
}
wait_for polled

# Every output a reader or browser can fetch.
mkdir -p "$T/out"
urls="/ /categories/xss /categories/quiet /opml /opml/xss"
for f in xss all quiet; do
	urls="$urls /feeds/$f.atom /feeds/$f.rss /feeds/$f.json"
done
while read -r name file; do
	urls="$urls /sources/$name.atom /sources/$name.rss /sources/$name.json"
done <"$T/pub/sources.txt"
# One curl for them all: a process per request costs more than the request.
set --
for u in $urls; do
	out="$T/out/$(printf '%s' "$u" | tr '/' '_')"
	set -- "$@" -o "$out" "$DAEMON_URL$u"
	printf '%s %s\n' "$u" "$out" >>"$T/out/list"
done
curl -sS --max-time 60 -w '%{http_code} %{url_effective} %{time_total}\n' "$@" \
    >"$T/out/status" || fail "fetching the outputs failed"
[ "$(grep -c '^200 ' "$T/out/status")" -eq "$(wc -l <"$T/out/list")" ] ||
    { cat "$T/out/status"; fail "an output was not 200"; }

# The checker's control: the fixtures as served are flagged.
( cd "$T/pub" && "$PY" "$xdir/xss-check.py" --raw xss.rss xss-html.atom \
    xss.json ) || fail "xss-check.py does not see the vectors in the fixtures"
"$PY" "$xdir/xss-check.py" "$xdir/vectors.txt" "$T/out/list" ||
    fail "an executable construct survived into an output"
pass "static: no executable construct in $(wc -l <"$T/out/list") outputs"

"$PY" "$xdir/xss-browser.py" "$xdir/vectors.txt" "$DAEMON_URL" "$T" ||
    fail "Chromium: a vector ran, or the detector did not work"
pass "Chromium: no vector ran in the index or a naive reader's rendering"
daemon_stop
exit 0

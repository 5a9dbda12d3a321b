#!/bin/sh
# poll-serve: the real daemon polls two fixture publishers on loopback,
# stores their entries and serves merged Atom feeds that python3-feedparser
# reads without complaint; a changed feed adds entries without duplicating
# old ones; a broken source records its error and harms nothing; a restart
# loses nothing.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl
[ -x "$PY" ] && "$PY" -c 'import feedparser' 2>/dev/null ||
    fail "$PY with feedparser is required (apt-get install python3-feedparser)"

fix="$t_here/fixtures"
mkdir -p "$T/pub"
cp "$fix/cloud.rss" "$fix/sec.atom" "$fix/broken.xml" "$T/pub/" || fail "fixtures missing in $fix"
fixpub_start "$T/pub"

cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/db/feedmux.db
allow_private = yes
interval = 2s
max_interval = 2s
host_delay = 0

[category "cloud"]
title = Cloud & Datacentre

[category "security"]
title = Security

[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss
categories = cloud

[source "secdaily"]
url = $FIXPUB_URL/sec.atom
categories = security, cloud

[source "broken"]
url = $FIXPUB_URL/broken.xml
categories = security
CONF

daemon_start "$T/feedmux.conf" -v

# Count entries of a served feed with feedparser; fails on bozo.
count_entries()
{
	"$PY" - "$1" <<'PY'
import sys, urllib.request, feedparser
data = urllib.request.urlopen(sys.argv[1], timeout=10).read()
d = feedparser.parse(data)
if d.bozo:
    sys.exit("bozo: %s" % d.bozo_exception)
print(len(d.entries))
PY
}

has_entries()
{
	n=$(count_entries "$1") || return 1
	[ "$n" -eq "$2" ]
}

wait_for has_entries "$DAEMON_URL/feeds/cloud.atom" 5
pass "cloud.atom has the 5 entries of two publishers"
wait_for has_entries "$DAEMON_URL/feeds/security.atom" 2
wait_for has_entries "$DAEMON_URL/feeds/all.atom" 5
pass "security.atom and all.atom complete"

# Fields, order, provenance and sanitizing, read by an independent reader.
"$PY" - "$DAEMON_URL/feeds/cloud.atom" <<'PY' || fail "cloud.atom content"
import sys, urllib.request, feedparser
raw = urllib.request.urlopen(sys.argv[1], timeout=10).read()
d = feedparser.parse(raw)
assert not d.bozo, d.bozo_exception
assert d.version == "atom10", d.version
assert d.feed.title == "Cloud & Datacentre", d.feed.title
titles = [e.title for e in d.entries]
want = ["Patch Tuesday roundup", "Storage prices fall",
        "Kubernetes 2.0 & you", "Datacentre opens in Oslo",
        "<em>Zero-day</em> in widgets"]
assert titles == want, titles
by = {e.title: e for e in d.entries}
e = by["Datacentre opens in Oslo"]
assert e.link == "http://cloud.example.com/oslo", e.link
assert e.source.title == "Cloud Weekly", e.source
assert e.author == "Ada Lovelace", e.get("author")
assert e.published.startswith("2026-11-02T09:00:00"), e.published
assert "datacentre" in e.summary and "<script" not in raw.decode()
assert "alert(1)" not in raw.decode()
assert "onclick" not in raw.decode()
assert by["Patch Tuesday roundup"].source.title == "Security Daily"
assert by["Patch Tuesday roundup"].id == "tag:sec.example.org,2026:patch"
assert len({x.id for x in d.entries}) == 5
PY
pass "entries, order, provenance and sanitized content as published"

# The broken source records a clear error; the others are fine.
wait_for sh -c "curl -sS --max-time 5 '$DAEMON_URL/' | grep -q 'not a feed'"
"$FEEDMUX" status -c "$T/feedmux.conf" >"$T/status" ||
    fail "feedmux status failed"
grep -q '^broken .*failing.*not a feed' "$T/status" || { cat "$T/status"; fail "status of broken"; }
grep -q '^cloudweekly .*ok' "$T/status" || { cat "$T/status"; fail "status of cloudweekly"; }
pass "broken source shows its error; index and status agree"

# Unknown paths and methods.
[ "$(http_status "$DAEMON_URL/feeds/nosuch.atom")" = 404 ] || fail "unknown category not 404"
[ "$(http_status "$DAEMON_URL/etc/passwd")" = 404 ] || fail "unknown path not 404"
[ "$(http_status "$DAEMON_URL/feeds/..%2f..%2fetc%2fpasswd")" = 404 ] || fail "traversal not 404"
[ "$(http_status "$DAEMON_URL/" -X POST)" = 405 ] || fail "POST not 405"
pass "404 and 405"

# The publisher adds an entry and edits one: one more entry, none twice.
sed -e 's|<item>|<item>\n<title>Serverless is back</title>\n<link>http://cloud.example.com/serverless</link>\n<guid isPermaLink="false">cw-4</guid>\n<pubDate>Thu, 05 Nov 2026 18:00:00 GMT</pubDate>\n<description>Again.</description>\n</item>\n<item>|' \
    -e 's|Cheaper bytes.|Cheaper bytes, now cheaper.|' \
    "$fix/cloud.rss" >"$T/pub/cloud.rss.new"
mv "$T/pub/cloud.rss.new" "$T/pub/cloud.rss"
wait_for has_entries "$DAEMON_URL/feeds/cloud.atom" 6
"$PY" - "$DAEMON_URL/feeds/cloud.atom" <<'PY' || fail "after change"
import sys, urllib.request, feedparser
d = feedparser.parse(urllib.request.urlopen(sys.argv[1], timeout=10).read())
titles = [e.title for e in d.entries]
assert titles[0] == "Serverless is back", titles
assert len(titles) == len(set(titles)) == 6, titles
PY
wait_for sh -c "curl -sS --max-time 5 '$DAEMON_URL/feeds/cloud.atom' | grep -q 'now cheaper'"
pass "new entry appears, edited entry updated in place, no duplicates"

# Several more polls of an unchanged feed change nothing.
polls=$(fixpub_count /cloud.rss)
wait_for sh -c "[ \$(awk '\$3 == \"/cloud.rss\"' '$T/fixpub.log' | wc -l) -ge $((polls + 2)) ]"
has_entries "$DAEMON_URL/feeds/cloud.atom" 6 || fail "re-polls changed the count"
fixpub_requests /cloud.rss | tail -n 1 | grep -q 'inm="' ||
    fail "re-poll sent no If-None-Match"
pass "re-polls are conditional and store nothing twice"

# Restart: everything is still there, immediately.
daemon_stop
sqlite3 "$T/db/feedmux.db" 'PRAGMA integrity_check' | grep -qx ok ||
    fail "integrity check after stop"
daemon_start "$T/feedmux.conf"
has_entries "$DAEMON_URL/feeds/cloud.atom" 6 || fail "entries lost on restart"
has_entries "$DAEMON_URL/feeds/security.atom" 2 || fail "security lost on restart"
pass "restart keeps every entry"
daemon_stop
exit 0

#!/bin/sh
# republish-newsboat: a real feed reader subscribes to the category feeds
# over HTTP, reloads, and lists exactly the titles the publishers served,
# from the Atom and from the RSS rendering (each in its own cache: newsboat
# keys articles by guid, so one cache would merge the two).  newsboat 2.21
# (Debian 12) does not read JSON Feed; republish-formats.sh covers it.
. "$(dirname "$0")/lib.sh"
t_setup
command -v curl >/dev/null || fail "curl is required (apt-get install curl)"
command -v newsboat >/dev/null || fail "newsboat is required (apt-get install newsboat)"
command -v sqlite3 >/dev/null || fail "sqlite3 is required (apt-get install sqlite3)"

fix="$t_here/fixtures"
mkdir -p "$T/pub"
cp "$fix/cloud.rss" "$fix/sec.atom" "$fix/tricky.rss" "$T/pub/"
fixpub_start "$T/pub"

cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/db/feedmux.db
allow_private = yes
interval = 1h

[category "cloud"]
title = Cloud & Datacentre

[category "misc"]
title = Misc

[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss
categories = cloud

[source "secdaily"]
url = $FIXPUB_URL/sec.atom
categories = cloud

[source "tricky"]
url = $FIXPUB_URL/tricky.rss
categories = misc
CONF

daemon_start "$T/feedmux.conf"
atom_count()
{
	n=$(curl -sS --max-time 5 "$1" | grep -c '<entry>') || return 1
	[ "$n" -eq "$2" ]
}
wait_for atom_count "$DAEMON_URL/feeds/cloud.atom" 5
wait_for atom_count "$DAEMON_URL/feeds/misc.atom" 3

# The one HTML title (type="html" in Atom) reads as its text.
cat >"$T/want" <<'EOF'
Zero-day in widgets
Café – naïve ✓
Datacentre opens in Oslo
Kubernetes 2.0 & you
No guid at all
Patch Tuesday roundup
Quotes "double" & 'single' <tags>
Storage prices fall
EOF
LC_ALL=C sort -o "$T/want" "$T/want"

for fmt in atom rss; do
	nb="$T/nb-$fmt"
	mkdir -p "$nb"
	printf '%s/feeds/cloud.%s\n%s/feeds/misc.%s\n' "$DAEMON_URL" "$fmt" \
	    "$DAEMON_URL" "$fmt" >"$nb/urls"
	: >"$nb/config"
	HOME="$nb" XDG_CONFIG_HOME="$nb" XDG_DATA_HOME="$nb" \
	    timeout 60 newsboat -u "$nb/urls" -c "$nb/cache.db" -C "$nb/config" \
	    -x reload print-unread >"$nb/out" 2>&1 || { cat "$nb/out"; fail "newsboat ($fmt) failed"; }
	grep -qx '8 unread articles' "$nb/out" || { cat "$nb/out"; fail "newsboat ($fmt): $(cat "$nb/out")"; }
	sqlite3 "$nb/cache.db" 'SELECT title FROM rss_item' | LC_ALL=C sort >"$nb/titles"
	diff -u "$T/want" "$nb/titles" || fail "newsboat ($fmt) titles differ"
	sqlite3 "$nb/cache.db" "SELECT title FROM rss_feed WHERE rssurl LIKE '%/cloud.$fmt'" >"$nb/ft"
	[ "$(cat "$nb/ft")" = "Cloud & Datacentre" ] || fail "newsboat ($fmt) feed title: $(cat "$nb/ft")"
	n=$(sqlite3 "$nb/cache.db" "SELECT count(*) FROM rss_item WHERE feedurl LIKE '%/cloud.$fmt' AND url = 'http://cloud.example.com/oslo' AND author = 'Ada Lovelace'")
	[ "$n" = 1 ] || fail "newsboat ($fmt): link or author of an entry"
	pass "newsboat reads the $fmt feeds: every title, link and author"
done
daemon_stop
exit 0

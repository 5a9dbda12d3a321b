#!/bin/sh
# store-story: the same story from two publishers (one through a tracking
# link, one through feedburner with origLink) is one entry in the merged
# category feed and in all.atom, from the first publisher, citing the
# other with rel="via"; each source keeps its own entry.
. "$(dirname "$0")/lib.sh"
t_setup
. "$t_here/store-lib.sh"

mkdir -p "$T/pub"
st_item "wire-1" "https://wire.example/big-story?utm_source=rss" "Big story" "$(st_date -600)" |
    st_rss "$T/pub/first.rss" first
# The second publisher goes through feedburner: the real link is in origLink.
second_rss()
{
	{
		printf '<?xml version="1.0" encoding="utf-8"?>\n'
		printf '<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">\n'
		printf '<channel><title>Second Desk</title><link>http://desk.example/</link><description>x</description>\n'
		st_item "urn:second:2" "http://desk.example/other2" "Other news" "$d_other"
		if [ "$1" = story ]; then
			printf '<item><title>Big story, retold</title><guid>urn:second:1</guid>'
			printf '<link>http://feeds.example/~r/second/~3/abc/</link>'
			printf '<feedburner:origLink>https://WIRE.example:443/big-story#top</feedburner:origLink>'
			printf '<pubDate>%s</pubDate><description>Retold.</description></item>\n' "$(st_date -300)"
		fi
		printf '</channel></rss>\n'
	} >"$T/pub/second.rss.tmp" && mv "$T/pub/second.rss.tmp" "$T/pub/second.rss"
}
d_other=$(st_date -100)
second_rss
fixpub_start "$T/pub"
st_conf <<CONF
[category "news"]
[source "first"]
url = $FIXPUB_URL/first.rss
categories = news
[source "second"]
url = $FIXPUB_URL/second.rss
categories = news
CONF
daemon_start "$T/feedmux.conf"
st_wait_polls first 1
# The second publisher carries the story later: the first is its source.
second_rss story
st_wait_polls second 2

[ "$(st_sql 'SELECT count(*) FROM entry')" = 3 ] || fail "entries: $(st_sql 'SELECT count(*) FROM entry')"
st_entries "$DAEMON_URL/feeds/news.atom" >"$T/news"
[ "$(cut -f2 "$T/news" | paste -sd, -)" = "Other news,Big story" ] ||
    fail "news.atom: $(cat "$T/news")"
grep -q "^urn:feedmux:first:wire-1	Big story	http://feeds.example/~r/second/~3/abc/$" "$T/news" ||
    fail "no via link: $(cat "$T/news")"
pass "news.atom shows the story once, from the first publisher, via the second"
st_entries "$DAEMON_URL/feeds/all.atom" >"$T/all"
[ "$(cut -f2 "$T/all" | paste -sd, -)" = "Other news,Big story" ] ||
    fail "all.atom: $(cat "$T/all")"
pass "all.atom too"

# Each source view keeps its own entries: one and two.
[ "$(st_sql "SELECT group_concat(n) FROM (SELECT count(*) n FROM entry e JOIN source s ON s.id = e.source_id GROUP BY s.name ORDER BY s.name)")" = "1,2" ] ||
    fail "per-source entries"
"$FEEDMUX" status -c "$T/feedmux.conf" | awk '$1 == "second" { print $5 }' | grep -qx 2 ||
    fail "status: second has not 2 entries"
pass "each source keeps its own entries"
daemon_stop
exit 0

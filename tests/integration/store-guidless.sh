#!/bin/sh
# store-guidless: a feed without guids (and with tracking parameters that
# change on every fetch) is re-fetched many times: no duplicates; the
# source falls back to identifying entries by link, which `feedmux status`
# shows; a new entry is added once.
. "$(dirname "$0")/lib.sh"
t_setup
. "$t_here/store-lib.sh"

mkdir -p "$T/pub"
gen()
{
	{
		st_item - "http://nog.example/a?utm_source=rss&amp;utm_content=n$1" "Alpha" "$(st_date -300)"
		st_item - "http://nog.example/b?fbclid=$1" "Beta" "$(st_date -200)"
		st_item - "http://nog.example/c#n$1" "Gamma" "$(st_date -100)"
		[ "$2" = "" ] || st_item - "http://nog.example/d" "Delta" "$(st_date -50)"
	} | st_rss "$T/pub/nog.rss" nog
}
gen 1
fixpub_start "$T/pub"
st_conf <<CONF
[category "news"]
[source "nog"]
url = $FIXPUB_URL/nog.rss
categories = news
CONF
daemon_start "$T/feedmux.conf"

st_wait_polls nog 1
for n in 2 3 4; do
	gen "$n"
	st_wait_polls nog 1
done
[ "$(st_sql 'SELECT count(*) FROM entry')" = 3 ] || fail "entries: $(st_sql 'SELECT count(*) FROM entry')"
[ "$(st_titles "$DAEMON_URL/feeds/news.atom")" = "Gamma,Beta,Alpha" ] ||
    fail "feed: $(st_titles "$DAEMON_URL/feeds/news.atom")"
pass "four fetches with changing links store three entries"

[ "$(st_rule nog)" = link ] || fail "identity rule: $(st_rule nog)"
"$FEEDMUX" status --json -c "$T/feedmux.conf" | grep -q '"identity": "link"' ||
    fail "status --json lacks the identity"
[ "$(grep -c 'identifying entries by link' "$T/daemon.log")" = 1 ] ||
    fail "the fallback was not logged exactly once"
pass "status shows the link rule; the fallback is logged once"

gen 5 new
st_wait_polls nog 1
st_wait_polls nog 1
[ "$(st_titles "$DAEMON_URL/feeds/news.atom")" = "Delta,Gamma,Beta,Alpha" ] ||
    fail "after adding: $(st_titles "$DAEMON_URL/feeds/news.atom")"
pass "a new entry appears once"
daemon_stop
exit 0

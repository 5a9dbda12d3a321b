#!/bin/sh
# store-dup-guids: one document gives the same guid to three different
# entries; all three are kept (by link), re-fetches add nothing.
. "$(dirname "$0")/lib.sh"
t_setup
. "$t_here/store-lib.sh"

mkdir -p "$T/pub"
{
	st_item "post" "http://dup.example/1" "First" "$(st_date -300)"
	st_item "post" "http://dup.example/2" "Second" "$(st_date -200)"
	st_item "post" "http://dup.example/3" "Third" "$(st_date -100)"
} | st_rss "$T/pub/dup.rss" dup
fixpub_start "$T/pub"
st_conf <<CONF
[category "news"]
[source "dup"]
url = $FIXPUB_URL/dup.rss
categories = news
CONF
daemon_start "$T/feedmux.conf"
st_wait_polls dup 3
[ "$(st_titles "$DAEMON_URL/feeds/news.atom")" = "Third,Second,First" ] ||
    fail "feed: $(st_titles "$DAEMON_URL/feeds/news.atom")"
[ "$(st_sql 'SELECT count(*) FROM entry')" = 3 ] || fail "entries stored twice"
[ "$(st_rule dup)" = link ] || fail "identity rule: $(st_rule dup)"
pass "three entries sharing a guid: three entries, once each"
daemon_stop
exit 0

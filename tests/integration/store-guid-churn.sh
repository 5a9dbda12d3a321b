#!/bin/sh
# store-guid-churn: a publisher whose guids change on every fetch (the same
# links and titles each time) never shows an entry twice; the source falls
# back to links and says so in `feedmux status`.
. "$(dirname "$0")/lib.sh"
t_setup
. "$t_here/store-lib.sh"

mkdir -p "$T/pub"
d1=$(st_date -3000) d2=$(st_date -2000) d3=$(st_date -1000)
gen()
{
	{
		st_item "urn:uuid:$1-1" "http://churn.example/1" "One" "$d1"
		st_item "urn:uuid:$1-2" "http://churn.example/2" "Two" "$d2"
		st_item "urn:uuid:$1-3" "http://churn.example/3" "Three" "$d3"
	} | st_rss "$T/pub/churn.rss" churn
}
gen 1
fixpub_start "$T/pub"
st_conf <<CONF
[category "news"]
[source "churn"]
url = $FIXPUB_URL/churn.rss
categories = news
CONF
daemon_start "$T/feedmux.conf"

st_wait_polls churn 1
for n in 2 3 4 5; do
	gen "$n"
	st_wait_polls churn 1
done
[ "$(st_sql 'SELECT count(*) FROM entry')" = 3 ] || fail "entries: $(st_sql 'SELECT count(*) FROM entry')"
[ "$(st_titles "$DAEMON_URL/feeds/news.atom")" = "Three,Two,One" ] ||
    fail "feed: $(st_titles "$DAEMON_URL/feeds/news.atom")"
pass "five fetches with new guids store three entries"
[ "$(st_rule churn)" = link ] || fail "identity rule: $(st_rule churn)"
grep -q 'source churn: ids change on every fetch, identifying entries by link' \
    "$T/daemon.log" || fail "churn fallback not logged"
pass "the source falls back to links"
daemon_stop
exit 0

#!/bin/sh
# store-dates: an undated entry and one dated a month ahead sort as the time
# feedmux first saw them (so the future one cannot stay pinned on top: a
# later entry goes above it), and both keep the publisher's values.
. "$(dirname "$0")/lib.sh"
t_setup
. "$t_here/store-lib.sh"

mkdir -p "$T/pub"
future=$(st_date 2592000)
{
	st_item "d-old" "http://dt.example/old" "Old" "$(st_date -7200)"
	st_item "d-future" "http://dt.example/future" "Future" "$future"
	st_item "d-undated" "http://dt.example/undated" "Undated" -
} | st_rss "$T/pub/dt.rss" dt
fixpub_start "$T/pub"
st_conf <<CONF
[category "news"]
[source "dt"]
url = $FIXPUB_URL/dt.rss
categories = news
CONF
daemon_start "$T/feedmux.conf"
st_wait_polls dt 1
t=$(st_titles "$DAEMON_URL/feeds/news.atom")
case $t in
Future,Undated,Old|Undated,Future,Old) ;;
*) fail "order: $t" ;;
esac
seen=$(st_sql "SELECT first_seen FROM entry WHERE guid = 'd-future'")
[ "$(st_sql "SELECT sort_date FROM entry WHERE guid = 'd-future'")" = "$seen" ] || fail "future not clamped"
[ "$(st_sql "SELECT sort_date FROM entry WHERE guid = 'd-undated'")" = "$seen" ] || fail "undated not first seen"
[ "$(st_sql "SELECT published IS NULL FROM entry WHERE guid = 'd-undated'")" = 1 ] || fail "undated got a date"
want=$(date -u -d "$future" +%Y-%m-%dT%H:%M:%SZ)
curl -sS "$DAEMON_URL/feeds/news.atom" | grep -q "<published>$want</published>" ||
    fail "the future date as written is not kept ($want)"
pass "undated and future entries sort as first seen, original dates kept"

sleep 1.2
{
	st_item "d-new" "http://dt.example/new" "Newer" "$(st_date 0)"
	st_item "d-old" "http://dt.example/old" "Old" "$(st_date -7200)"
	st_item "d-future" "http://dt.example/future" "Future" "$future"
	st_item "d-undated" "http://dt.example/undated" "Undated" -
} | st_rss "$T/pub/dt.rss" dt
wait_for sh -c "curl -sS '$DAEMON_URL/feeds/news.atom' | grep -q Newer"
[ "$(st_titles "$DAEMON_URL/feeds/news.atom" | cut -d, -f1)" = Newer ] ||
    fail "a later entry is not above the future one: $(st_titles "$DAEMON_URL/feeds/news.atom")"
[ "$(st_sql 'SELECT count(*) FROM entry')" = 4 ] || fail "re-polls duplicated"
pass "the future-dated entry is not pinned to the top"
daemon_stop
exit 0

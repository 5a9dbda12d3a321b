#!/bin/sh
# store-retention: max_entries keeps what the publisher still lists, deletes
# the rest once it stops listing them, and a deleted entry listed again
# never comes back; `feedmux delete` removes an entry for good the same
# way (even while the publisher lists it).
. "$(dirname "$0")/lib.sh"
t_setup
. "$t_here/store-lib.sh"

mkdir -p "$T/pub"
gen()
{
	for i in "$@"; do
		st_item "r-$i" "http://ret.example/$i" "Entry $i" "$(st_date $((i * 60 - 100000)))"
	done | st_rss "$T/pub/ret.rss" ret
}
gen 4 3 2 1
fixpub_start "$T/pub"
st_conf <<CONF
max_entries = 100
[category "news"]
[source "ret"]
url = $FIXPUB_URL/ret.rss
categories = news
max_entries = 2
CONF
daemon_start "$T/feedmux.conf"
st_wait_polls ret 2
[ "$(st_titles "$DAEMON_URL/feeds/news.atom")" = "Entry 4,Entry 3,Entry 2,Entry 1" ] ||
    fail "listed entries were dropped: $(st_titles "$DAEMON_URL/feeds/news.atom")"
pass "max_entries = 2 keeps all four entries while the publisher lists them"

gen 5 4
st_wait_polls ret 2
[ "$(st_titles "$DAEMON_URL/feeds/news.atom")" = "Entry 5,Entry 4" ] ||
    fail "after the publisher dropped three: $(st_titles "$DAEMON_URL/feeds/news.atom")"
[ "$(st_sql "SELECT count(*) FROM tombstone WHERE reason = 'retention'")" = 3 ] ||
    fail "tombstones: $(st_sql 'SELECT count(*) FROM tombstone')"
grep -q 'source ret: retention deleted 3 entries' "$T/daemon.log" || fail "retention not logged"
pass "no longer listed: the oldest three deleted"

gen 5 4 3 2 1
st_wait_polls ret 2
[ "$(st_titles "$DAEMON_URL/feeds/news.atom")" = "Entry 5,Entry 4" ] ||
    fail "resurrected: $(st_titles "$DAEMON_URL/feeds/news.atom")"
pass "listed again, deleted entries stay deleted"

"$FEEDMUX" delete -c "$T/feedmux.conf" r-5 >"$T/out" || fail "feedmux delete: $(cat "$T/out")"
grep -q '^r-5: 1 entry deleted$' "$T/out" || fail "delete said: $(cat "$T/out")"
"$FEEDMUX" delete -c "$T/feedmux.conf" no-such-entry >/dev/null
[ $? -eq 1 ] || fail "deleting nothing is not exit 1"
kill -HUP "$DAEMON_PID"	# served feeds are cached until something changes
st_wait_polls ret 2
[ "$(st_titles "$DAEMON_URL/feeds/news.atom")" = "Entry 4" ] ||
    fail "after feedmux delete: $(st_titles "$DAEMON_URL/feeds/news.atom")"
[ "$(st_sql "SELECT reason FROM tombstone WHERE key = 'r-5'")" = operator ] ||
    fail "no operator tombstone"
pass "feedmux delete removes a listed entry for good"

daemon_stop
daemon_start "$T/feedmux.conf"
st_wait_polls ret 1
[ "$(st_titles "$DAEMON_URL/feeds/news.atom")" = "Entry 4" ] || fail "restart resurrected entries"
[ "$(st_sql 'PRAGMA auto_vacuum')" = 2 ] || fail "auto_vacuum is not incremental"
[ "$(st_sql 'PRAGMA freelist_count')" -lt 16 ] || fail "free pages left: $(st_sql 'PRAGMA freelist_count')"
pass "after a restart too; freed pages returned"
daemon_stop
exit 0

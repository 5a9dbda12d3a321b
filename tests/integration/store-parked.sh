#!/bin/sh
# store-parked: while many polls are on their way, a turn's stored polls
# do not commit at once but park their transaction for the next turns'
# (poll.c), yet nothing the daemon serves is uncommitted.  24 sources
# answer after 2 s, so about 24 polls are always on their way, while one
# fast source gains an entry each round; as soon as its poll is logged,
# its feed is read over HTTP, and right after each answer that shows the
# new entry, another connection must find that entry in the database.
# After a stop every stored entry is there and the database is sound.
. "$(dirname "$0")/lib.sh"
t_setup
. "$t_here/store-lib.sh"

NSLOW=24
ROUNDS=5
mkdir -p "$T/pub"
fast_items()
{
	for i in $(seq 1 "$1"); do
		st_item "urn:fast:$i" "http://fast.example/$i" "Fast item $i" \
		    "$(st_date "$((i * 60 - 86400))")"
	done
}
fast_items 1 | st_rss "$T/pub/fast.rss" fast
for s in $(seq 0 $((NSLOW - 1))); do
	st_item "urn:slow:$s" "http://slow.example/$s" "Slow $s" - |
	    st_rss "$T/pub/s$s.rss" "s$s"
	echo 'delay 2000' >"$T/pub/s$s.rss.meta"
done
fixpub_start "$T/pub"
ST_DB=$T/db/feedmux.db
{
	# One host: its connections must not hold the fast source back.
	poll_conf_head 'host_connections = 64'
	echo '[category "c"]'
	printf '[source "fast"]\nurl = %s/fast.rss\ncategories = c\n' \
	    "$FIXPUB_URL"
	for s in $(seq 0 $((NSLOW - 1))); do
		printf '[source "s%d"]\nurl = %s/s%d.rss\ncategories = c\n' \
		    "$s" "$FIXPUB_URL" "$s"
	done
} >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf" -v

stored()
{
	[ "$(st_sql "SELECT count(*) FROM entry WHERE guid = '$1'")" = 1 ]
}
slow_stored()
{
	[ "$(st_sql "SELECT count(*) FROM entry WHERE guid LIKE 'urn:slow:%'")" = "$NSLOW" ]
}
logged_new()
{
	[ "$(grep -c 'source fast: HTTP 200, 1 new' "$T/daemon.log")" -ge "$1" ]
}
wait_for stored urn:fast:1
wait_for slow_stored

parked=0
for k in $(seq 2 $((ROUNDS + 1))); do
	fast_items "$k" | st_rss "$T/pub/fast.rss" fast
	wait_for logged_new "$((k - 1))"
	# Logged, maybe not committed yet: then this poll was parked.
	stored "urn:fast:$k" || parked=$((parked + 1))
	n=$WAIT_TRIES
	until http_get "$DAEMON_URL/sources/fast.atom" "$T/fast.atom" &&
	    grep -q "Fast item $k<" "$T/fast.atom"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || fail "round $k: the new entry never served"
		sleep 0.1
	done
	# Served, so committed: another connection sees it now.
	stored "urn:fast:$k" ||
	    fail "round $k: served an entry the database does not hold yet"
done
daemon_stop
[ "$(st_sql 'PRAGMA integrity_check')" = ok ] || fail "integrity check"
[ "$(st_sql "SELECT count(*) FROM entry WHERE guid LIKE 'urn:fast:%'")" = $((ROUNDS + 1)) ] ||
    fail "fast entries after the stop"
slow_stored || fail "slow entries after the stop"
pass "$ROUNDS rounds beside $NSLOW slow polls ($parked parked when logged): every served entry was committed; all kept after the stop"

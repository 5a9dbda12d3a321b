#!/bin/sh
# store-locked-start: the database is not writable when the daemon starts
# (here another process holds the write lock longer than the busy timeout;
# a full disk takes the same path).  The daemon starts anyway and serves
# what is stored, /healthz says the database is not writable, and once the
# lock is gone it records the configured sources (a new one among them)
# and stores their polls.
. "$(dirname "$0")/lib.sh"
t_setup
. "$t_here/store-lib.sh"

mkdir -p "$T/pub"
for f in a b c d; do
	{
		st_item "urn:ls:$f:1" "http://$f.example/1" "Feed $f one" "$(st_date -7200)"
		st_item "urn:ls:$f:2" "http://$f.example/2" "Feed $f two" "$(st_date -3600)"
	} | st_rss "$T/pub/$f.rss" "$f"
done
fixpub_start "$T/pub"
conf()
{
	poll_conf_head 'feed_limit = 1000'
	echo '[category "c"]'
	for f in "$@"; do
		printf '[source "%s"]\nurl = %s/%s.rss\ncategories = c\n' \
		    "$f" "$FIXPUB_URL" "$f"
	done
}
conf a b c >"$T/feedmux.conf"
ST_DB=$T/db/feedmux.db
have_entries() { [ "$(st_sql 'SELECT count(*) FROM entry' 2>/dev/null)" -ge "$1" ]; }
daemon_start "$T/feedmux.conf"
wait_for have_entries 6
daemon_stop

# A new source, and the write lock held for 9 s by an sqlite3 shell.
conf a b c d >"$T/feedmux.conf"
{
	echo 'BEGIN IMMEDIATE;'
	echo ".output $T/held"
	echo "SELECT 'held';"
	sleep 9
	echo 'COMMIT;'
} | sqlite3 "$ST_DB" >"$T/hold.out" 2>&1 &
h=$!
t_track "$h"
wait_for test -s "$T/held"
daemon_start "$T/feedmux.conf"
grep -q 'cannot record the configured sources; serving what is stored' \
    "$T/daemon.log" || fail "the refused start was not logged"
t_alive "$DAEMON_PID" || fail "the daemon died"
http_get "$DAEMON_URL/feeds/all.atom" "$T/all.atom" || fail "all.atom"
[ "$(grep -c 'urn:ls:' "$T/all.atom")" = 6 ] ||
    fail "all.atom does not serve the stored entries"
t0=$(date +%s%N)
code=$(http_status "$DAEMON_URL/healthz")
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$code" = 503 ] || fail "/healthz answered $code under the lock"
[ "$ms" -lt 2000 ] || fail "/healthz took $ms ms under the lock"
pass "started under a held write lock: serving the stored entries, /healthz 503 in $ms ms"

wait "$h"
t_untrack "$h"
WAIT_TRIES=250 wait_for grep -q 'the configured sources are recorded' "$T/daemon.log"
wait_for have_entries 8
st_wait_polls a 1
[ "$(st_sql "SELECT count(*) FROM entry WHERE guid LIKE 'urn:ls:d:%'")" = 2 ] ||
    fail "the new source's entries were not stored"
wait_for sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$DAEMON_URL/healthz')\" = 200 ]"
daemon_stop
[ "$(sqlite3 "$ST_DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity"
pass "lock released: sources recorded, the new one's entries stored, integrity ok"
exit 0

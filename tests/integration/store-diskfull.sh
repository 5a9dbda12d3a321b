#!/bin/sh
# store-diskfull: write errors.  A file size limit (RLIMIT_FSIZE, set on
# the running daemon with prlimit, SIGXFSZ ignored by the daemon) makes
# every commit fail the way a full disk does.  The daemon stays up, keeps
# serving what it has, says so once in its log (not once a poll), does not
# store the validators of a document whose entries it could not store (so
# the next poll fetches it whole instead of getting a 304 and losing those
# entries), and once the limit is lifted the entries arrive.  Then again
# with a SIGKILL under the limit and a restart without it.  The database
# passes PRAGMA integrity_check throughout.
. "$(dirname "$0")/lib.sh"
t_setup
. "$t_here/store-lib.sh"
t_require prlimit

NF=4
BASE=$(($(date +%s) - 86400))
mkdir -p "$T/pub"

# Feed F holds items 0 to N-1.
gen()
{
	i=0
	while [ "$i" -lt "$2" ]; do
		st_item "urn:df:$1:$i" "http://df$1.example/$i" "Feed $1 item $i" \
		    "$(date -u -d "@$((BASE + i * 60))" '+%a, %d %b %Y %H:%M:%S GMT')"
		i=$((i + 1))
	done | st_rss "$T/pub/f$1.rss" "df$1"
}

# Every feed holds N items.
gen_all()
{
	for f in $(seq 0 $((NF - 1))); do
		gen "$f" "$1"
	done
}

gen_all 3
fixpub_start "$T/pub"
{
	poll_conf_head 'feed_limit = 1000'
	echo '[category "c"]'
	for f in $(seq 0 $((NF - 1))); do
		printf '[source "f%d"]\nurl = %s/f%d.rss\ncategories = c\n' \
		    "$f" "$FIXPUB_URL" "$f"
	done
} >"$T/feedmux.conf"
ST_DB=$T/db/feedmux.db

entries() { st_sql 'SELECT count(*) FROM entry' 2>/dev/null; }
have_entries() { [ "$(entries)" = "$1" ]; }
integrity() {
	[ "$(sqlite3 "$ST_DB" 'PRAGMA integrity_check')" = ok ] ||
	    fail "integrity check $1"
}
etags() { st_sql 'SELECT name, etag FROM source ORDER BY name'; }
# Lines of the daemon's log that say polls are not stored.
unstored_lines() { grep -c 'polls are not stored' "$T/daemon.log"; }
unstored_at_least()
{
	t_alive "$DAEMON_PID" || fail "the daemon died at the file size limit"
	[ "$(unstored_lines)" -ge "$1" ]
}
# Requests for every feed logged by fixpub after line $1, at least $2 each.
polled_since()
{
	for f in $(seq 0 $((NF - 1))); do
		n=$(tail -n +"$(($1 + 1))" "$T/fixpub.log" |
		    awk -v p="/f$f.rss" '$3 == p' | wc -l)
		[ "$n" -ge "$2" ] || return 1
	done
}
# Limit the daemon's files to what they hold now plus a little: the
# write-ahead log, emptied first, then fills within a few polls; the log
# file keeps room for the daemon's lines.
limit()
{
	sqlite3 "$ST_DB" ".timeout 5000" 'PRAGMA wal_checkpoint(TRUNCATE)' \
	    >/dev/null || fail "checkpoint"
	lim=$(($(wc -c <"$T/daemon.log") + 48 * 1024))
	prlimit --pid "$DAEMON_PID" --fsize="$lim:unlimited" ||
	    fail "prlimit --fsize"
}

daemon_start "$T/feedmux.conf"
wait_for have_entries $((NF * 3))
for f in $(seq 0 $((NF - 1))); do st_wait_polls "f$f" 2; done
etags >"$T/etags0"
grep -q '"' "$T/etags0" || fail "no ETags stored: $(cat "$T/etags0")"

# 1. The limit comes while the daemon runs; new entries are published.
limit
WAIT_TRIES=300 wait_for unstored_at_least 1
gen_all 6
# Polls from here on find the new documents.
mark=$(wc -l <"$T/fixpub.log")
WAIT_TRIES=300 wait_for polled_since "$mark" 3
t_alive "$DAEMON_PID" || fail "the daemon died at the file size limit"
[ "$(entries)" = $((NF * 3)) ] ||
    fail "entries were stored past the limit ($(entries))"
etags >"$T/etags1"
cmp -s "$T/etags0" "$T/etags1" ||
    fail "validators advanced though the entries were not stored:
$(diff "$T/etags0" "$T/etags1")"
tail -n +"$((mark + 1))" "$T/fixpub.log" >"$T/during"
awk '$4 != 200' "$T/during" | grep . &&
    fail "a poll during the failures was not answered in full (a 304 loses entries)"
for f in $(seq 0 $((NF - 1))); do
	e=$(awk -F'|' -v n="f$f" '$1 == n { print $2 }' "$T/etags0")
	awk -v p="/f$f.rss" -v e="inm=$e" '$3 == p && $5 != e' "$T/during" |
	    grep . && fail "f$f: polled with other validators than the stored $e"
done
pass "under the limit: no entry and no validator stored, every poll refetched whole ($(wc -l <"$T/during") polls)"

# Serving goes on, the health check says what is wrong, the log says it once.
http_get "$DAEMON_URL/feeds/all.atom" "$T/all.atom" || fail "all.atom"
[ "$(grep -c 'urn:df:' "$T/all.atom")" = $((NF * 3)) ] ||
    fail "all.atom does not serve the stored entries"
t0=$(date +%s%N)
[ "$(http_status "$DAEMON_URL/healthz")" = 503 ] ||
    fail "/healthz does not report the unwritable database"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 2000 ] || fail "/healthz took $ms ms"
[ "$(unstored_lines)" = 1 ] ||
    fail "the write failure was logged $(unstored_lines) times"
n=$(grep -c 'database .*: disk I/O error (File too large)' "$T/daemon.log")
[ "$n" = 1 ] || fail "the reason (File too large) was logged $n times"
pass "served from the database, /healthz 503 in $ms ms, one log line for $(wc -l <"$T/during") failed polls"

# 2. The limit is lifted: the entries arrive, the validators follow.
prlimit --pid "$DAEMON_PID" --fsize=unlimited:unlimited || fail "prlimit"
wait_for have_entries $((NF * 6))
wait_for grep -q 'polls are stored again' "$T/daemon.log"
wait_for sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$DAEMON_URL/healthz')\" = 200 ]"
etags >"$T/etags2"
cmp -s "$T/etags0" "$T/etags2" && fail "validators not updated after recovery"
integrity "after the limit was lifted"
http_get "$DAEMON_URL/feeds/all.atom" "$T/all.atom" || fail "all.atom"
[ "$(grep -c 'urn:df:' "$T/all.atom")" = $((NF * 6)) ] ||
    fail "all.atom lacks the entries stored after recovery"
pass "limit lifted: every entry arrived, /healthz 200, integrity ok"

# 3. Killed under the limit, restarted without it.
limit
WAIT_TRIES=300 wait_for unstored_at_least 2
gen_all 9
mark=$(wc -l <"$T/fixpub.log")
WAIT_TRIES=300 wait_for polled_since "$mark" 2
[ "$(entries)" = $((NF * 6)) ] || fail "entries stored past the limit"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
t_untrack "$DAEMON_PID"
DAEMON_PID=
integrity "after SIGKILL under the limit"
daemon_start "$T/feedmux.conf"
wait_for have_entries $((NF * 9))
daemon_stop
integrity "at the end"
pass "killed under the limit, restarted without it: every entry arrived, integrity ok"
exit 0

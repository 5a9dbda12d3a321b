#!/bin/sh
# store-kill9: durability under load.  The daemon polls 20 fixture feeds
# every second while a writer keeps adding entries to them; it is killed
# with SIGKILL at random moments, 8 times.  After each kill the database
# passes PRAGMA integrity_check and still holds every entry that was
# committed before the kill (as seen by a reader of the database and in
# the served all.atom just before it).  Once, `feedmux backup` copies the
# live database mid-load: the copy is consistent and complete.
. "$(dirname "$0")/lib.sh"
t_setup
. "$t_here/store-lib.sh"

: "${KILLS:=8}"
NFEEDS=20
mkdir -p "$T/pub"
"$PY" "$t_here/kill9-gen.py" "$T/pub" "$NFEEDS" 0 || fail "generating feeds"
fixpub_start "$T/pub"
{
	echo 'max_entries = 0'
	echo '[category "all-feeds"]'
	for f in $(seq 0 $((NFEEDS - 1))); do
		printf '[source "f%02d"]\nurl = %s/f%02d.rss\ncategories = all-feeds\n' \
		    "$f" "$FIXPUB_URL" "$f"
	done
} >"$T/sources.conf"
st_conf <"$T/sources.conf"
"$PY" "$t_here/kill9-gen.py" "$T/pub" "$NFEEDS" 2400 &
t_track $!

# A random delay of 0.3 to 2.3 s.
pause()
{
	r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	sleep "$(awk -v r="$r" 'BEGIN { printf "%.2f", 0.3 + (r % 2000) / 1000 }')"
}

served_ids()
{
	st_entries "$DAEMON_URL/feeds/all.atom" | cut -f1 | sort
}

committed_ids()
{
	sqlite3 -batch -noheader "$ST_DB" ".timeout 5000" \
	    "SELECT guid FROM entry" | sort
}

prev=0
for k in $(seq 1 "$KILLS"); do
	daemon_start "$T/feedmux.conf"
	pause
	if [ "$k" = 3 ]; then
		before=$(st_sql 'SELECT count(*) FROM entry')
		rm -f "$T/backup.db"
		"$FEEDMUX" backup -c "$T/feedmux.conf" "$T/backup.db" ||
		    fail "backup under load"
		[ "$(sqlite3 "$T/backup.db" 'PRAGMA integrity_check')" = ok ] ||
		    fail "backup integrity"
		[ "$(sqlite3 "$T/backup.db" 'SELECT count(*) FROM entry')" -ge "$before" ] ||
		    fail "backup lacks committed entries"
		pass "feedmux backup under load: consistent, complete copy"
	fi
	served_ids >"$T/served" || fail "reading all.atom before kill $k"
	st_sql 'SELECT guid FROM entry' | sort >"$T/committed"
	pause
	st_kill9 "kill $k"
	committed_ids >"$T/after"
	[ -z "$(comm -23 "$T/committed" "$T/after")" ] ||
	    fail "kill $k lost committed entries: $(comm -23 "$T/committed" "$T/after" | head -3)"
	[ -z "$(comm -23 "$T/served" "$T/after")" ] ||
	    fail "kill $k lost served entries: $(comm -23 "$T/served" "$T/after" | head -3)"
	n=$(wc -l <"$T/after")
	[ "$n" -ge "$prev" ] || fail "entries went from $prev to $n"
	[ "$(sort -u "$T/after" | wc -l)" = "$n" ] || fail "duplicate entries after kill $k"
	prev=$n
done
[ "$prev" -gt $((NFEEDS * 3)) ] || fail "too little was stored under load ($prev)"
pass "$KILLS kills under load: integrity ok, every committed entry kept ($prev entries)"

# A clean start after all that still works and serves everything.
daemon_start "$T/feedmux.conf"
st_wait_polls f00 1
daemon_stop
[ "$(sqlite3 "$ST_DB" 'PRAGMA integrity_check')" = ok ] || fail "final integrity"
pass "clean restart after the kills"
exit 0

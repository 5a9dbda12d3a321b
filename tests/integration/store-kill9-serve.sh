#!/bin/sh
# store-kill9-serve: SIGKILL while serving under load.  The daemon polls 12
# busy feeds every second and 6 quiet ones every 6 s while a writer keeps
# adding entries and two clients keep fetching its feeds and /healthz;
# it is killed with SIGKILL at random moments, 5 times.  After each kill
# the database passes PRAGMA integrity_check and holds every entry that
# was committed or served before the kill; no client ever got an answer
# other than 200.  After each restart the schedule resumes from the
# database: a quiet source whose stored next poll is still ahead is not
# polled before it (not all sources at once), and is polled when it comes.
. "$(dirname "$0")/lib.sh"
t_setup
. "$t_here/store-lib.sh"

: "${KILLS:=5}"
NFAST=12
NSLOW=6
SLOW=6			# seconds between a quiet source's polls
mkdir -p "$T/pub"
"$PY" "$t_here/kill9-gen.py" "$T/pub" "$NFAST" 0 ks 20 3 2 0.1 || fail "generating feeds"
for s in $(seq 0 $((NSLOW - 1))); do
	st_item "urn:ks:q$s:0" "http://q$s.example/0" "Quiet $s" - |
	    st_rss "$T/pub/q$s.rss" "q$s"
done
fixpub_start "$T/pub"
{
	# All feeds share one host: they must not queue behind its default
	# two connections, or a due poll would wait for the others.
	poll_conf_head 'max_entries = 0' 'host_connections = 32'
	echo '[category "c"]'
	for f in $(seq 0 $((NFAST - 1))); do
		printf '[source "f%02d"]\nurl = %s/f%02d.rss\ncategories = c\n' \
		    "$f" "$FIXPUB_URL" "$f"
	done
	for s in $(seq 0 $((NSLOW - 1))); do
		printf '[source "q%d"]\nurl = %s/q%d.rss\ncategories = c\n' \
		    "$s" "$FIXPUB_URL" "$s"
		printf 'interval = %ds\nmin_interval = %ds\nmax_interval = %ds\n' \
		    "$SLOW" "$SLOW" "$SLOW"
	done
} >"$T/feedmux.conf"
ST_DB=$T/db/feedmux.db
"$PY" "$t_here/kill9-gen.py" "$T/pub" "$NFAST" 400 ks 20 3 2 0.1 &
t_track $!

# A client: fetches feeds and /healthz from whichever daemon runs (its URL
# in $T/url), ten a connection, until $T/stop; one HTTP code a line.
client()
{
	cl_id=$1
	cl_n=0
	while [ ! -e "$T/stop" ] && [ "$cl_n" -lt 3000 ]; do
		cl_n=$((cl_n + 1))
		u=$(cat "$T/url" 2>/dev/null) || { sleep 0.05; continue; }
		set --
		for p in feeds/all.atom feeds/c.atom feeds/c.json healthz \
		    feeds/all.rss sources/f01.atom feeds/all.atom "" healthz \
		    feeds/c.atom; do
			set -- "$@" -o /dev/null "$u/$p"
		done
		curl -s -m 10 -w '%{http_code}\n' "$@" >>"$T/client.$cl_id" \
		    2>/dev/null
	done
}
for c in 1 2; do
	client "$c" &
	t_track $!
done

now_ms() { date +%s%3N; }
# A random delay of 0.4 to 1.6 s.
pause()
{
	r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	sleep "$(awk -v r="$r" 'BEGIN { printf "%.2f", 0.4 + (r % 1200) / 1000 }')"
}
served_ids() { st_entries "$DAEMON_URL/feeds/all.atom" | cut -f1 | sort; }
committed_ids()
{
	sqlite3 -batch -noheader "$ST_DB" ".timeout 5000" \
	    "SELECT guid FROM entry" | sort
}

# $T/lives: one line per daemon life, "start_ms end_ms" and then the
# stored next poll (seconds) of each quiet source as it started.
: >"$T/lives"
prev=0
for k in $(seq 1 "$KILLS"); do
	sched=$(st_sql "SELECT group_concat(name || '=' || ifnull(next_poll, 0), ' ') FROM (SELECT name, next_poll FROM source WHERE name LIKE 'q%' ORDER BY name)" 2>/dev/null)
	start=$(now_ms)
	daemon_start "$T/feedmux.conf"
	echo "$DAEMON_URL" >"$T/url.tmp" && mv "$T/url.tmp" "$T/url"
	pause
	served_ids >"$T/served" || fail "reading all.atom before kill $k"
	st_sql 'SELECT guid FROM entry' | sort >"$T/committed"
	pause
	kill -KILL "$DAEMON_PID"
	echo "$start $(now_ms) $sched" >>"$T/lives"
	wait "$DAEMON_PID" 2>/dev/null
	t_untrack "$DAEMON_PID"
	DAEMON_PID=
	rm -f "$T/url"
	[ "$(sqlite3 "$ST_DB" 'PRAGMA integrity_check')" = ok ] ||
	    fail "integrity check after kill $k"
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
touch "$T/stop"
for c in 1 2; do
	[ -s "$T/client.$c" ] || fail "client $c got no answer"
done
cat "$T"/client.* >"$T/codes"
ok=$(grep -c '^200$' "$T/codes")
# 000: no connection, while the daemon was down.
other=$(grep -v '^200$' "$T/codes" | grep -v '^000$' | sort | uniq -c | tr '\n' ' ')
[ -z "$other" ] || fail "clients got answers other than 200: $other"
[ "$ok" -ge $((KILLS * 20)) ] || fail "too little was served under load ($ok)"
[ "$prev" -gt $((NFAST * 3)) ] || fail "too little was stored under load ($prev)"
pass "$KILLS kills while serving $ok answers: integrity ok, every committed and served entry kept ($prev entries)"

# The short lives above may end while the quiet sources are due, so that
# they start the next life overdue.  One more life, then: it lasts until
# every quiet source has been polled in it and is killed at once, so each
# one's stored next poll lies ahead of the restart that follows.
start_s=$(date +%s)
daemon_start "$T/feedmux.conf"
q_polled()
{
	q_n=$(st_sql "SELECT count(DISTINCT s.name) FROM poll p JOIN source s ON s.id = p.source_id WHERE s.name LIKE 'q%' AND p.at >= $start_s" 2>/dev/null) || return 1
	[ "${q_n:-0}" -ge "$NSLOW" ]
}
wait_for q_polled
st_kill9 "the last kill"

# A last life long enough for every quiet source to come due in it.
sched=$(st_sql "SELECT group_concat(name || '=' || ifnull(next_poll, 0), ' ') FROM (SELECT name, next_poll FROM source WHERE name LIKE 'q%' ORDER BY name)")
start=$(now_ms)
daemon_start "$T/feedmux.conf"
sleep $((SLOW + 4))
st_wait_polls f00 1
echo "$start $(now_ms) $sched" >>"$T/lives"
daemon_stop
[ "$(sqlite3 "$ST_DB" 'PRAGMA integrity_check')" = ok ] || fail "final integrity"
pass "clean restart after the kills"

# The schedule, life by life, against fixpub's request log.
"$PY" - "$T/lives" "$T/fixpub.log" >"$T/sched.out" <<'PY' || { cat "$T/sched.out"; fail "schedule not resumed from the database"; }
import sys
lives = []
for line in open(sys.argv[1]):
    w = line.split()
    lives.append((int(w[0]), int(w[1]),
                  dict((kv.split("=")[0], int(kv.split("=")[1])) for kv in w[2:])))
reqs = {}
for line in open(sys.argv[2]):
    w = line.split()
    if w[2].startswith("/q"):
        t = w[0].split(".")
        reqs.setdefault(w[2][1:-4], []).append(int(t[0]) * 1000 + int(t[1]))
bad, held, due = [], 0, 0
LATE = 3000
for start, end, nxt in lives[1:]:
    for name, n in nxt.items():
        n *= 1000
        if n <= start:
            continue
        first = [t for t in reqs.get(name, []) if start <= t <= end]
        held += 1
        # Never before its stored time (fixpub logs after the request).
        if first and first[0] < n - 200:
            bad.append("%s polled at %d, stored next poll %d, restart %d"
                       % (name, first[0], n, start))
        # And when it comes (a loaded box may run a few seconds late).
        if n + LATE < end:
            due += 1
            if not first or first[0] > n + LATE:
                bad.append("%s due at %d not polled by %d (restart %d)"
                           % (name, n, n + LATE, start))
for name in ["q%d" % i for i in range(6)]:
    if len(reqs.get(name, [])) < 2:
        bad.append("%s polled %d times" % (name, len(reqs.get(name, []))))
print("%d stored schedules ahead at a restart honoured, %d of them polled when due"
      % (held, due))
for b in bad:
    print("BAD", b)
# The last life brings every quiet source due.
sys.exit(1 if bad or held == 0 or due < 6 else 0)
PY
pass "schedule resumed from the database: $(cat "$T/sched.out")"
exit 0

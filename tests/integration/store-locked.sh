#!/bin/sh
# store-locked: the database locked by another process.  While the daemon
# polls 10 feeds every second and a writer keeps adding entries, (A) an
# external sqlite3 holds the write lock (BEGIN IMMEDIATE) for 12 s, over
# twice the daemon's 5 s busy timeout, and (B) an external sqlite3 holds a
# long read while another forces a TRUNCATE checkpoint, which holds the
# write lock while it waits for the reader.  Throughout, /healthz answers
# within the busy timeout (its latency is measured every 0.1 s): the loop
# waits for the lock once, then only probes for it.  The daemon says so
# once and once when it is over; the polls that could not be stored are
# fetched again; afterwards every published entry is stored and the
# database passes PRAGMA integrity_check.
. "$(dirname "$0")/lib.sh"
t_setup
. "$t_here/store-lib.sh"

NF=10
HOLD=12			# seconds each lock is held
BUSY_MS=5000		# the daemon's busy timeout (src/db.c DB_BUSY_MS)
# The longest /healthz may take: one full busy wait, plus slack for a
# loaded box running the sanitizer build.
: "${MAX_MS:=$((BUSY_MS + 3000))}"
mkdir -p "$T/pub"
cat >"$T/gen.py" <<'PY'
# Adds an entry to a random feed every 0.1 s for the given seconds; every
# feed keeps all its entries, so none leaves a feed before it was polled.
import os, random, sys, time
out, nfeeds, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
n = [2] * nfeeds
def write(f):
    items = "".join("<item><title>Feed %d item %d</title>"
                    "<guid>urn:lk:%d:%d</guid><link>http://lk%d.example/%d</link>"
                    "<pubDate>%s</pubDate><description>body %d</description></item>"
                    % (f, i, f, i, f, i, time.strftime(
                        "%a, %d %b %Y %H:%M:%S GMT",
                        time.gmtime(1767225600 + i * 60)), i)
                    for i in reversed(range(n[f])))
    tmp = os.path.join(out, ".f%d.tmp" % f)
    with open(tmp, "w") as fp:
        fp.write('<?xml version="1.0"?><rss version="2.0"><channel>'
                 "<title>Feed %d</title><link>http://lk%d.example/</link>"
                 "<description>x</description>%s</channel></rss>" % (f, f, items))
    os.rename(tmp, os.path.join(out, "f%d.rss" % f))
for f in range(nfeeds):
    write(f)
end = time.time() + secs
while time.time() < end:
    f = random.randrange(nfeeds)
    n[f] += 1
    write(f)
    time.sleep(0.1)
open(os.path.join(out, "done"), "w").close()
PY
"$PY" "$T/gen.py" "$T/pub" "$NF" 0 || fail "generating feeds"
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
daemon_start "$T/feedmux.conf"
have_entries() { [ "$(st_sql 'SELECT count(*) FROM entry' 2>/dev/null)" -ge "$1" ]; }
wait_for have_entries $((NF * 2))
"$PY" "$T/gen.py" "$T/pub" "$NF" $((HOLD * 2 + 8)) &
t_track $!

# Measure /healthz every 0.1 s until $T/stop.PHASE appears (at most 60 s):
# lines "http_code milliseconds".
probe()
{
	rm -f "$T/stop.$1"
	pr_n=0
	while [ ! -e "$T/stop.$1" ] && [ "$pr_n" -lt 600 ]; do
		curl -s -o /dev/null -m 15 -w '%{http_code} %{time_total}\n' \
		    "$DAEMON_URL/healthz" |
		    awk '{ printf "%s %d\n", $1, $2 * 1000 }' >>"$T/lat.$1"
		pr_n=$((pr_n + 1))
		sleep 0.1
	done
}

# Hold what the sqlite3 commands on stdin take for HOLD seconds; the file
# $T/held.NAME appears once they are held.
hold()
{
	{
		echo ".timeout 5000"
		cat
		echo ".output $T/held.$1"
		echo "SELECT 'held';"
		echo ".output stdout"
		sleep "$HOLD"
		echo "COMMIT;"
	} | sqlite3 "$ST_DB" >"$T/hold.$1.out" 2>&1
}

# Check the latencies of phase $1, report them.
latency()
{
	[ -s "$T/lat.$1" ] || fail "$1: no /healthz samples"
	max=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$T/lat.$1")
	n=$(wc -l <"$T/lat.$1")
	slow=$(awk '$2 > 1000' "$T/lat.$1" | wc -l)
	# Time the loop was stalled: what the slow answers waited in all.
	stalled=$(awk '$2 > 1000 { s += $2 } END { print s + 0 }' "$T/lat.$1")
	bad=$(awk '$1 != 200 && $1 != 503' "$T/lat.$1" | wc -l)
	n503=$(awk '$1 == 503' "$T/lat.$1" | wc -l)
	[ "$bad" = 0 ] || fail "$1: /healthz failed $bad times: $(awk '$1 != 200 && $1 != 503' "$T/lat.$1" | head -3)"
	[ "$max" -le "$MAX_MS" ] ||
	    fail "$1: /healthz took up to $max ms (bound $MAX_MS ms)"
	# One full busy wait may stall the loop; the probes after it must not.
	[ "$stalled" -le "$MAX_MS" ] ||
	    fail "$1: the loop stalled for $stalled ms in all ($slow answers over 1 s)"
	[ "$n503" -ge 1 ] || fail "$1: /healthz never reported the lock"
	[ "$(tail -n 1 "$T/lat.$1" | cut -d' ' -f1)" = 200 ] ||
	    fail "$1: /healthz not 200 again after the lock"
	echo "$1: $n /healthz samples, max $max ms, $slow over 1 s ($stalled ms in all), $n503 answered 503"
}

# Start measuring phase $1.
phase_start()
{
	probe "$1" &
	pr_pid=$!
	t_track "$pr_pid"
	sleep 1
}

# After the lock: the next polls are stored and /healthz says so.
phase_end()
{
	sleep 3
	touch "$T/stop.$1"
	wait "$pr_pid"
	t_untrack "$pr_pid"
	latency "$1" >"$T/report.$1"
}

locks() { grep -c 'locked by another process' "$T/daemon.log"; }
before=$(locks)

phase_start write
echo 'BEGIN IMMEDIATE;' | hold write
test -e "$T/held.write" || fail "write: no lock taken: $(cat "$T/hold.write.out")"
phase_end write
[ "$(locks)" = $((before + 1)) ] ||
    fail "write: the lock was not logged exactly once"
grep -q 'write lock is free again' "$T/daemon.log" ||
    fail "write: the end of the lock was not logged"
pass "$HOLD s write lock: $(cat "$T/report.write")"

# The checkpoint cannot finish while the reader holds its snapshot, and
# holds the write lock while it waits (its own busy timeout ends it).
phase_start checkpoint
printf 'BEGIN;\nSELECT count(*) FROM entry;\n' | hold reader &
h=$!
t_track "$h"
wait_for test -e "$T/held.reader"
sleep 1		# the daemon writes past the reader's snapshot
sqlite3 "$ST_DB" ".timeout $(((HOLD - 2) * 1000))" \
    'PRAGMA wal_checkpoint(TRUNCATE);' >"$T/checkpoint.out" 2>&1
wait "$h"
t_untrack "$h"
phase_end checkpoint
[ "$(locks)" = $((before + 2)) ] ||
    fail "checkpoint: the lock was not logged exactly once ($(cat "$T/checkpoint.out"))"
pass "long read + TRUNCATE checkpoint: $(cat "$T/report.checkpoint")"

# Nothing lost: once the writer is done, every entry it published arrives.
wait_for test -e "$T/pub/done"
for f in $(seq 0 $((NF - 1))); do st_wait_polls "f$f" 2; done
grep -o 'urn:lk:[0-9]*:[0-9]*' "$T"/pub/f*.rss | cut -d: -f2- | sort >"$T/published"
st_sql 'SELECT guid FROM entry' | sort >"$T/stored"
missing=$(comm -23 "$T/published" "$T/stored")
[ -z "$missing" ] || fail "entries lost: $(echo "$missing" | head -3)"
[ "$(sqlite3 "$ST_DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity"
polls=$(grep -c 'GET /f' "$T/fixpub.log")
daemon_stop
pass "nothing lost: $(wc -l <"$T/published") entries published, all stored; $polls polls; integrity ok"
exit 0

#!/bin/sh
# classify.sh: re-sorting stored entries after a rules change.  Builds a
# database of ENTRIES (default 200000) generated entries and two configs of
# 50 categories with 200 patterns, then measures
#   1. the rules alone over every stored entry, prefilter on and off;
#   2. a first sort in process (store_reclass_step slices), entries/s;
#   3. what the daemon's re-sort thread does for every entry (read,
#      evaluate, work out the changes), entries/s;
#   4. the running daemon: HTTP latency with wrk while idle, then
#      re-sorts after a SIGHUP, each once with nobody reading and once
#      while wrk reads (its latency then): every category edited, one
#      pattern more each (rules4: every pattern evaluated again, a few
#      memberships change), every rule replaced (rules2: half the
#      memberships change), and 5 categories changed (rules3).  After
#      each quiet re-sort, the loop's CPU seconds for it, and the anchor:
#      raw SQLite writing the same number of membership rows (the changes
#      back, worked out as the daemon's threads do), one prepared
#      statement a row, in a transaction rolled back: the floor under the
#      loop's share, which also keeps each entry's list and commits.
#   tests/bench/classify.sh [BUILDDIR]   (use an optimised, non-ASan build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$PWD}
work=${TMPDIR:-/tmp}/feedmux-classify-bench
n=${ENTRIES:-200000}
conns=${CONNS:-2}

command -v wrk >/dev/null || { echo "classify.sh: wrk not found (apt-get install wrk)" >&2; exit 2; }
make -C "$build" tests/bench/classify-bench src/feedmuxd >/dev/null
rm -rf "$work"
mkdir -p "$work"
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; wait 2>/dev/null' EXIT

# An empty database in this build's schema, made by the daemon itself.
printf '[feedmux]\nlisten = 127.0.0.1:0\ndatabase = %s/schema.db\n' "$work" \
    >"$work/empty.conf"
"$build/src/feedmuxd" --once -c "$work/empty.conf" 2>/dev/null
/usr/bin/python3 "$here/classify-gen.py" "$work" "$n" 9 "$work/schema.db"
echo "database: $n entries, $(du -m "$work/bench.db" | cut -f1) MB"

"$build/tests/bench/classify-bench" --classify-only "$work/rules1.conf"
"$build/tests/bench/classify-bench" "$work/rules1.conf" | tee "$work/inproc"
"$build/tests/bench/classify-bench" --evaluate "$work/rules2.conf"

# The daemon on the same database, already sorted by rules1.
cp "$work/rules1.conf" "$work/live.conf"
"$build/src/feedmuxd" -c "$work/live.conf" >"$work/daemon.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	port=$(sed -n 's/.*httpd: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/daemon.log")
	[ -z "$port" ] || break
	sleep 0.1
done
[ -n "$port" ] || { cat "$work/daemon.log" >&2; exit 1; }
url="http://127.0.0.1:$port/feeds/cat3.atom"
health="http://127.0.0.1:$port/healthz"
grep -q 'categories: rules of' "$work/daemon.log" &&
    { echo "daemon re-sorted at start: the in-process run did not record the rules" >&2; exit 1; }

lat()
{
	awk '/^    Latency/ { avg = $2; max = $4 } /^ +99%/ { p99 = $2 }
	    /requests in/ { req = $1 } /^Requests\/sec/ { rps = $2 }
	    END { printf "%s requests, %s req/s, avg %s, p99 %s, max %s\n",
		req, rps, avg, p99, max }' "$1"
}

wrk -t1 -c"$conns" -d10s --latency "$url" >"$work/wrk-idle" 2>&1 &
wpid=$!
wrk -t1 -c1 -d10s --latency "$health" >"$work/wrk-idle-h" 2>&1
wait "$wpid"
echo "idle, feed ($conns connections): $(lat "$work/wrk-idle")"
echo "idle, healthz (1 connection):   $(lat "$work/wrk-idle-h")"

# hup CONF: the daemon re-sorts after a SIGHUP with CONF; returns when it
# says it is done and prints what it said.
hup()
{
	done0=$(grep -c 'categories: re-sorted' "$work/daemon.log" || true)
	cp "$1" "$work/live.conf"
	kill -HUP "$pid"
	for _ in $(seq 6000); do
		[ "$(grep -c 'categories: re-sorted' "$work/daemon.log")" -gt \
		    "$done0" ] && break
		sleep 0.1
	done
	grep 'categories: re-sorted' "$work/daemon.log" | tail -1 |
	    sed 's/^[^ ]* categories: //'
}

# The daemon's loop (its main thread): CPU seconds so far, in clock ticks.
tck=$(getconf CLK_TCK)
loopcpu()
{
	awk '{ print $14 + $15 }' "/proc/$pid/task/$pid/stat"
}

# resort NAME FROM TO: the re-sort from rules FROM to rules TO, first with
# nobody reading (then the anchor, and back to FROM), then while wrk reads.
resort()
{
	c0=$(loopcpu)
	r=$(hup "$3")
	c1=$(loopcpu)
	echo "$1, quiet: $r; the loop's CPU $(awk -v t="$((c1 - c0))" \
	    -v h="$tck" 'BEGIN { printf "%.2f", t / h }') s"
	echo "$1, $("$build/tests/bench/classify-bench" --anchor "$2")"
	hup "$2" >/dev/null
	wrk -t1 -c"$conns" -d600s --latency "$url" >"$work/wrk-$1" 2>&1 &
	wpid=$!
	wrk -t1 -c1 -d600s --latency "$health" >"$work/wrk-$1-h" 2>&1 &
	hpid=$!
	sleep 0.5
	r=$(hup "$3")
	kill -INT "$wpid" "$hpid"
	wait "$wpid" "$hpid" || true
	echo "$1, read by wrk: $r"
	echo "$1, feed ($conns connections): $(lat "$work/wrk-$1")"
	echo "$1, healthz (1 connection):   $(lat "$work/wrk-$1-h")"
}
resort "every category edited" "$work/rules1.conf" "$work/rules4.conf"
resort "every rule replaced" "$work/rules4.conf" "$work/rules2.conf"
resort "5 categories changed" "$work/rules2.conf" "$work/rules3.conf"
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=

#!/bin/sh
# classify.sh: re-sorting stored entries after a rules change.  Builds a
# database of ENTRIES (default 200000) generated entries and two configs of
# 50 categories with 200 patterns, then measures
#   1. the rules alone over every stored entry, prefilter on and off;
#   2. a full re-sort in process (store_reclass_step slices), entries/s;
#   3. the running daemon: HTTP latency with wrk while idle, then while a
#      SIGHUP with changed rules re-sorts everything in the background.
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
secs=$(sed -n 's/.* in \([0-9.]*\) s = .*/\1/p' "$work/inproc")
dur=$(/usr/bin/python3 -c "import sys; print(max(1, int(float(sys.argv[1]))))" "$secs")

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
grep -q 'categories: rules of' "$work/daemon.log" &&
    { echo "daemon re-sorted at start: the in-process run did not record the rules" >&2; exit 1; }

lat()
{
	awk '/^    Latency/ { avg = $2; max = $4 } /^ +99%/ { p99 = $2 }
	    /requests in/ { req = $1 } /^Requests\/sec/ { rps = $2 }
	    END { printf "%s requests, %s req/s, avg %s, p99 %s, max %s\n",
		req, rps, avg, p99, max }' "$1"
}

health="http://127.0.0.1:$port/healthz"
wrk -t1 -c"$conns" -d"${dur}s" --latency "$url" >"$work/wrk-idle" 2>&1 &
wpid=$!
wrk -t1 -c1 -d"${dur}s" --latency "$health" >"$work/wrk-idle-h" 2>&1
wait "$wpid"
echo "idle, feed ($conns connections, ${dur}s): $(lat "$work/wrk-idle")"
echo "idle, healthz (1 connection):   $(lat "$work/wrk-idle-h")"

# Changed rules; wrk runs only while the daemon re-sorts (in-process time).
cp "$work/rules2.conf" "$work/live.conf"
wrk -t1 -c"$conns" -d"${dur}s" --latency "$url" >"$work/wrk-busy" 2>&1 &
wpid=$!
wrk -t1 -c1 -d"${dur}s" --latency "$health" >"$work/wrk-busy-h" 2>&1 &
hpid=$!
sleep 0.2
kill -HUP "$pid"
wait "$wpid" "$hpid"
for _ in $(seq 600); do
	grep -q 'categories: re-sorted' "$work/daemon.log" && break
	sleep 0.1
done
echo "re-sort, feed ($conns connections, ${dur}s): $(lat "$work/wrk-busy")"
echo "re-sort, healthz (1 connection):   $(lat "$work/wrk-busy-h")"
grep 'categories: re-sorted' "$work/daemon.log" | sed 's/^[^ ]* /daemon: /'
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=

#!/bin/sh
# serve.sh: how fast feedmuxd serves a merged feed, next to nginx serving
# the identical bytes as a static file, in the same run on the same machine.
#
#   tests/bench/serve.sh [-r REPS] [-d SECONDS] [-s RSS_SECONDS] [-k TARGET_KB]
#
# A gen-feeds corpus (../shared/bench) is served by fixpub and polled once
# (feedmuxd --once); feed_limit is chosen so /feeds/all.atom renders to about
# TARGET_KB (150).  Then, alternating rep by rep, ../shared/bench/serve-bench
# runs wrk (-t2 -c64) against feedmuxd (plain, gzip, 304 on its own ETag)
# and against nginx (1 worker, open file cache) serving those bytes: plain,
# gzip_static (the precompressed copy: what feedmux's cached gzip is) and
# 304.  Last, a RSS_SECONDS (60) plain run samples feedmuxd's RSS every
# second.  Prints a markdown table of medians: req/s, feedmux/nginx ratio,
# p99 latency; raw records in $WORK/serve.jsonl.  Loopback only; every
# process started here is stopped by PID.  Needs wrk, nginx, curl, python3
# and a feedmuxd built without sanitizers (./configure CFLAGS=-O2).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}
FEEDMUXD=${FEEDMUXD:-$top_builddir/src/feedmuxd}
FIXPUB=${FIXPUB:-$top_builddir/tests/fixpub}
SHARED=${SHARED_BENCH:-$top_srcdir/../shared/bench}
WORK=${WORK:-${TMPDIR:-/tmp}/feedmux-bench/serve-feedmux}
REPS=3 DUR=10 RSS_S=60 TARGET_KB=150
while getopts r:d:s:k: ch; do
	case $ch in
	r) REPS=$OPTARG ;;
	d) DUR=$OPTARG ;;
	s) RSS_S=$OPTARG ;;
	k) TARGET_KB=$OPTARG ;;
	*) sed -n '2,20p' "$0"; exit 2 ;;
	esac
done

for t in wrk nginx curl python3; do
	command -v "$t" >/dev/null || { echo "serve.sh: $t is required" >&2; exit 2; }
done
[ -x "$SHARED/serve-bench" ] && [ -x "$SHARED/gen-feeds" ] ||
    { echo "serve.sh: $SHARED/serve-bench and gen-feeds not found (set SHARED_BENCH)" >&2; exit 2; }
[ -x "$FEEDMUXD" ] || { echo "serve.sh: $FEEDMUXD not built" >&2; exit 2; }
if nm "$FEEDMUXD" 2>/dev/null | grep -q __asan_init; then
	echo "serve.sh: $FEEDMUXD is built with sanitizers; configure without them" >&2
	exit 2
fi
[ -x "$FIXPUB" ] || make -C "$top_builddir" tests/fixpub >/dev/null

rm -rf "$WORK"
mkdir -p "$WORK/db"
FIXPUB_PID= DAEMON_PID=
cleanup()
{
	for p in $DAEMON_PID $FIXPUB_PID; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || :
	done
}
trap cleanup EXIT INT TERM

"$SHARED/gen-feeds" gen --out "$WORK/corpus" --count 40 --seed 7 >/dev/null
"$FIXPUB" -d "$WORK/corpus" -p 0 -P "$WORK/fixpub.port" >/dev/null 2>"$WORK/fixpub.err" &
FIXPUB_PID=$!
n=100
while [ ! -s "$WORK/fixpub.port" ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
PUBPORT=$(cat "$WORK/fixpub.port")

# Writes the config with feed_limit $1.
conf()
{
	{
		printf '[feedmux]\nlisten = 127.0.0.1:0\ndatabase = %s/db/f.db\n' "$WORK"
		printf 'allow_private = yes\ninterval = 1w\nfeed_limit = %s\n' "$1"
		printf '[category "news"]\ntitle = News\n'
		i=0
		for f in $(cd "$WORK/corpus" && ls | grep -E '\.(rss|atom)$'); do
			printf '[source "s%d"]\nurl = http://127.0.0.1:%s/%s\ncategories = news\n' \
			    "$i" "$PUBPORT" "$f"
			i=$((i + 1))
		done
	} >"$WORK/feedmux.conf"
}

# Starts feedmuxd; sets DAEMON_PID and URL.
start()
{
	: >"$WORK/daemon.log"
	"$FEEDMUXD" -c "$WORK/feedmux.conf" >>"$WORK/daemon.log" 2>&1 &
	DAEMON_PID=$!
	n=100
	PORT=
	while [ -z "$PORT" ] && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
		PORT=$(sed -n 's/.*httpd: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/daemon.log")
	done
	[ -n "$PORT" ] || { cat "$WORK/daemon.log" >&2; exit 1; }
	URL="http://127.0.0.1:$PORT/feeds/all.atom"
}

stop()
{
	kill "$DAEMON_PID"
	wait "$DAEMON_PID" || :
	DAEMON_PID=
}

conf 50
"$FEEDMUXD" -c "$WORK/feedmux.conf" --once >"$WORK/once.log" 2>&1
start
size=$(curl -sS "$URL" | wc -c)
stop
limit=$((50 * TARGET_KB * 1024 / size))
[ "$limit" -ge 1 ] || limit=1
conf "$limit"
start
mkdir -p "$WORK/www"
curl -sS "$URL" -o "$WORK/www/feed.xml"
bytes=$(wc -c <"$WORK/www/feed.xml")
echo "serve.sh: /feeds/all.atom is $bytes bytes ($limit entries)"

OUT="$WORK/serve.jsonl"
rep=1
while [ $rep -le "$REPS" ]; do
	"$SHARED/serve-bench" --url "$URL" --server-pid "$DAEMON_PID" \
	    --label feedmux --variants plain,gzip,304 --reps 1 \
	    --duration "$DUR" --out "$OUT"
	"$SHARED/serve-bench" --file "$WORK/www/feed.xml" --workers 1 \
	    --variants plain,gzip-static,304 --reps 1 --duration "$DUR" \
	    --work "$WORK/nginx" --out "$OUT"
	rep=$((rep + 1))
done

# RSS over a long plain run: the cache must not grow.
rss()
{
	awk '/^VmRSS/ { print $2 }' "/proc/$DAEMON_PID/status"
}
rss0=$(rss)
wrk -t2 -c64 -d"${RSS_S}s" "$URL" >"$WORK/rss-wrk.txt" &
WRK_PID=$!
: >"$WORK/rss.txt"
s=0
while [ $s -lt "$RSS_S" ]; do
	sleep 1
	rss >>"$WORK/rss.txt"
	s=$((s + 1))
done
wait "$WRK_PID" || :
rss1=$(rss)

python3 - "$OUT" "$bytes" "$rss0" "$rss1" "$WORK/rss.txt" "$RSS_S" <<'PY' | tee "$WORK/serve-table.md"
import json, sys, statistics
out, size, rss0, rss1, rssf, rss_s = sys.argv[1:7]
recs = [json.loads(l) for l in open(out)]
def med(label, variant, key):
    v = [r[key] for r in recs if r["server"] == label and r["variant"] == variant and r.get(key) is not None]
    return statistics.median(v) if v else None
pairs = [("plain", "plain"), ("gzip", "gzip-static"), ("304", "304")]
print("/feeds/all.atom: %s bytes; wrk -t2 -c64 on loopback, wrk and servers share the machine;" % size)
print("medians of %d alternating runs; nginx 1 worker, open file cache, gzip_static for gzip.\n" %
      len([r for r in recs if r["server"] == "feedmux" and r["variant"] == "plain"]))
print("| variant | feedmux req/s | nginx req/s | ratio | feedmux p99 | nginx p99 |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for fv, nv in pairs:
    f, n = med("feedmux", fv, "req_per_s"), med("nginx", nv, "req_per_s")
    fp, np_ = med("feedmux", fv, "lat_p99_ms"), med("nginx", nv, "lat_p99_ms")
    ratio = "%.0f%%" % (100 * f / n) if f and n else "-"
    name = fv if fv == nv else "%s (nginx: %s)" % (fv, nv)
    print("| %s | %s | %s | %s | %s ms | %s ms |" % (name, "%.0f" % f if f else "-",
          "%.0f" % n if n else "-", ratio, fp, np_))
samples = [int(x) for x in open(rssf) if x.strip()]
print("\nfeedmuxd RSS over a %s s plain run: %s kB before, max %s kB, %s kB after." %
      (rss_s, rss0, max(samples) if samples else "-", rss1))
PY
stop

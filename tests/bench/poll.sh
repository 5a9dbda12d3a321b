#!/usr/bin/env bash
# poll.sh: the polling benchmark.  Serves N generated feeds (gen-feeds: about
# 150 KB and 35 entries each) from a loopback nginx (serve-nginx), with the
# feed URLs spread over N/5 host names under .localhost (curl resolves them
# to loopback) so that feedmux's per-host pacing works as on the web, with
# the default politeness settings.  For each N it times feedmuxd --once:
#   cold     empty database, every feed new
#   warm     nothing changed, every answer a 304
#   changed  after gen-feeds advance (5 new entries in every feed)
# and checks the stored entry count against the corpus.  In the same run it
# times newsboat and the threaded python3-feedparser poller on the same feeds
# through ../shared/bench/poll-bench (cold, warm, changed), and prints one
# markdown table of wall time, CPU seconds and peak RSS.
#
# Usage: tests/bench/poll.sh [N ...]            (default: 1000)
# Environment:
#   FEEDMUXD, FEEDMUX   programs to time (default: this build; configure
#                       without --enable-sanitizers for meaningful numbers)
#   BENCH               the shared helpers (default ../shared/bench, found
#                       from the source tree)
#   TOOLS               anchors for poll-bench (default newsboat,feedparser;
#                       empty: feedmux only)
#   ROOT WORK PORT      corpus, scratch and nginx port (default
#                       /tmp/feedmux-bench/{corpus,work}, 8089)
#   FEEDS_PER_HOST      default 5
# Needs nginx, newsboat, python3-feedparser, GNU time (Debian: nginx newsboat
# python3-feedparser time).  Results also go to $WORK/poll-results.jsonl.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${top_builddir:=$top}"
: "${FEEDMUXD:=$top_builddir/src/feedmuxd}"
: "${FEEDMUX:=$top_builddir/src/feedmux}"
if [ -z "${BENCH:-}" ]; then
	for d in "$top/../shared/bench" "$top/../../shared/bench"; do
		[ -x "$d/poll-bench" ] && BENCH=$(cd "$d" && pwd) && break
	done
fi
[ -n "${BENCH:-}" ] && [ -x "$BENCH/poll-bench" ] ||
    { echo "poll.sh: set BENCH to the shared bench helpers" >&2; exit 2; }
: "${TOOLS=newsboat,feedparser}"
: "${ROOT:=${TMPDIR:-/tmp}/feedmux-bench/corpus}"
: "${WORK:=${TMPDIR:-/tmp}/feedmux-bench/work}"
: "${PORT:=8089}"
: "${FEEDS_PER_HOST:=5}"
TIME=${GNU_TIME:-/usr/bin/time}
[ $# -gt 0 ] || set -- 1000
mkdir -p "$ROOT" "$WORK"
chmod 755 "$ROOT" "$(dirname "$ROOT")" 2>/dev/null || true
out=$WORK/poll-results.jsonl
: >"$out"

started_nginx=0
cleanup()
{
	if [ "$started_nginx" = 1 ]; then
		"$BENCH/serve-nginx" stop --port "$PORT" >/dev/null || true
	fi
}
trap cleanup EXIT
if ! "$BENCH/serve-nginx" status --port "$PORT" >/dev/null 2>&1; then
	"$BENCH/serve-nginx" start --root "$ROOT" --port "$PORT" \
	    --gzip static >/dev/null
	started_nginx=1
fi

# Times one feedmuxd --once run; appends a JSON line and prints a summary.
run_feedmux()
{
	n=$1 phase=$2 conf=$3 expect=$4
	tf=$WORK/feedmux-time.out
	"$TIME" -f "%e %U %S %M" -o "$tf" "$FEEDMUXD" --once -c "$conf" \
	    2>"$WORK/feedmux-n$n-$phase.log"
	# The last line of GNU time's output holds the numbers.
	set -- $(tail -n 1 "$tf")
	wall=$1 user=$2 sys=$3 rss=$4
	"$FEEDMUX" status --json -c "$conf" >"$WORK/status.json"
	stored=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["entries"], d["failing"])' "$WORK/status.json")
	set -- $stored
	entries=$1 failing=$2
	cpu=$(echo "$user $sys" | awk '{ printf "%.2f", $1 + $2 }')
	ok=$([ "$entries" = "$expect" ] && [ "$failing" = 0 ] && echo true || echo false)
	# The machine is often shared: the 1-minute load average after the run.
	load=$(cut -d' ' -f1 /proc/loadavg)
	printf '{"tool": "feedmux", "n": %s, "phase": "%s", "wall_s": %s, "cpu_s": %s, "maxrss_kb": %s, "stored_items": %s, "expected_items": %s, "failing": %s, "verified": %s, "load": %s}\n' \
	    "$n" "$phase" "$wall" "$cpu" "$rss" "$entries" "$expect" "$failing" "$ok" "$load" >>"$out"
	printf '%-10s n=%-6s %-8s wall=%7.2fs cpu=%7.2fs rss=%5d MB entries=%s/%s failing=%s load=%s\n' \
	    feedmux "$n" "$phase" "$wall" "$cpu" $((rss / 1024)) "$entries" "$expect" "$failing" "$load"
}

for n in "$@"; do
	corpus=$ROOT/n$n
	if [ ! -f "$corpus/.gen-feeds.json" ]; then
		"$BENCH/gen-feeds" gen --out "$corpus" --count "$n" --seed 1 \
		    --gzip >/dev/null
	fi
	hosts=$(( (n + FEEDS_PER_HOST - 1) / FEEDS_PER_HOST ))
	w=$WORK/feedmux-n$n
	rm -rf "$w"
	mkdir -p "$w"
	conf=$w/feedmux.conf
	{
		printf '[feedmux]\nlisten = 127.0.0.1:0\ndatabase = %s/feedmux.db\n' "$w"
		printf 'allow_private = yes\n\n[category "bench"]\n\n'
		"$BENCH/gen-feeds" urls --out "$corpus" --base "http://127.0.0.1:$PORT/n$n/" |
		    awk -v h="$hosts" -v port="$PORT" '{
			i = NR - 1
			sub("http://127.0.0.1:" port "/", "http://h" (i % h) ".localhost:" port "/")
			printf "[source \"f%05d\"]\nurl = %s\ncategories = bench\n\n", i, $0
		    }'
	} >"$conf"
	items=$("$BENCH/gen-feeds" stats --out "$corpus" |
	    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["items"])')
	echo "n=$n: $n feeds over $hosts hosts, $items entries"

	run_feedmux "$n" cold "$conf" "$items"
	run_feedmux "$n" warm "$conf" "$items"

	# The anchors: cold and warm, then poll-bench advances the corpus and
	# times their changed poll.
	if [ -n "$TOOLS" ]; then
		"$BENCH/poll-bench" --n "$n" --tools "$TOOLS" --reps 1 \
		    --root "$ROOT" --work "$WORK/anchors" --port "$PORT" \
		    --out "$out" --phases cold,warm,adv
	else
		"$BENCH/gen-feeds" advance --out "$corpus" --items 5 >/dev/null
		sleep 1.1
	fi
	# Old entries stay stored when a feed drops them: the stored count
	# grows by exactly the 5 new entries of every feed.
	run_feedmux "$n" changed "$conf" "$(( items + 5 * n ))"
done

/usr/bin/python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
name = {"adv": "changed"}
print()
print("| N | tool | phase | wall s | CPU s | peak RSS MB | entries | load |")
print("| ---: | --- | --- | ---: | ---: | ---: | --- | ---: |")
for r in rows:
    ph = name.get(r["phase"], r["phase"])
    if ph == "warm-prime":
        continue
    v = r.get("verify", {})
    ent = r.get("stored_items", v.get("stored_items", v.get("new_entries", "")))
    if r["tool"] == "feedmux":
        ent = "%s of %s%s" % (r["stored_items"], r["expected_items"], "" if r["verified"] else " (MISMATCH)")
    rss = r.get("maxrss_kb") or 0
    load = r.get("load", "")
    print("| %d | %s | %s | %.2f | %.2f | %d | %s | %s |" % (r["n"], r["tool"], ph, r["wall_s"], r["cpu_s"] or 0, rss // 1024, ent, load))
PY

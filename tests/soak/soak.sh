#!/bin/sh
# soak.sh: feedmuxd under a steady, realistic load for a long time, to find
# what only time finds: memory that grows, descriptors or threads that leak,
# errors that creep into the log, entries lost, a database that rots.
#
#   tests/soak/soak.sh [SECONDS]          (default 1200; `make soak`)
#
# soak-gen.py publishes SOAK_SOURCES feeds (RSS, Atom and JSON Feed; a few
# of them misbehave on purpose: HTTP 500, 404, not a feed) through fixpub,
# spread over SOAK_HOSTS host names under .localhost, so that feedmux's
# per-host politeness (default host_delay and host_connections) works as on
# the web.  Each feed starts with SOAK_INITIAL entries of history: 40 make
# about 80,000 entries, a database larger than the daemon's 64 MiB SQLite
# page cache, which the first re-sort fills; with a database smaller than
# the cache, the cache grows with the database through the whole run
# (bounded, but not flat).  Sources are polled every one to two periods (interval 1.5P,
# min_interval P, max_interval 2P; P = SOAK_PERIOD, 60 s).  For SECONDS:
#   - every period a fifth of the feeds publish 1-3 new entries (a quarter
#     of those also revise an older entry);
#   - every two periods the config flips two category rules and the daemon
#     gets SIGHUP, so each reload re-sorts the stored entries;
#   - wrk reads category feeds, source feeds, the index and /healthz at a
#     steady modest rate (WRK_CONNS connections, WRK_DELAY_MS between two
#     requests of a connection; some ask for gzip);
#   - the daemon's VmRSS, open descriptors and threads are sampled every
#     P/6 seconds to rss.csv.
# Then publishing stops, the daemon gets up to 2.5P + 30 s to fetch the
# last changes, and is stopped with SIGTERM.  The checks:
#   rss      RSS is flat after warm-up: the largest sample of the last half
#            of the run is at most SOAK_RSS_PCT (10) percent above the
#            largest of its second quarter (the first quarter is warm-up).
#            Skipped for sanitizer or valgrind builds (their allocators
#            hold freed memory on purpose) or when SOAK_RSS_CHECK=no;
#            reported anyway.
#   log      every warning line of the daemon's log (run with priorities,
#            as under systemd) is one the misbehaving fixtures provoke:
#            "source bad-KIND-N: ..." naming their own failure (ALLOW
#            below); any other warning or error, or a line without a
#            priority (a sanitizer report), fails.
#   entries  every good source stored exactly the entries soak-gen
#            published (its ledger), every bad one none.
#   reloads  every SIGHUP was applied and re-sorted the categories.
#   wrk      no socket errors and no answer other than 2xx/3xx.
#   exit     feedmuxd exits 0 on SIGTERM (so LeakSanitizer, which reports
#            at exit, finds nothing in an --enable-sanitizers build).
#   db       PRAGMA integrity_check says ok.
# A summary is printed; rss.csv, the logs, wrk's output and the summary
# are copied to SOAK_OUT.  Exit status 0 when every check passes.
#
# Environment (defaults in brackets):
#   SOAK_SOURCES [2000]  SOAK_BAD [6]  SOAK_HOSTS [40]  SOAK_PERIOD [60]
#   SOAK_INITIAL [40]
#   SOAK_RSS_PCT [10]    WRK_CONNS [4] WRK_DELAY_MS [40]
#   SOAK_OUT [${TMPDIR:-/tmp}/feedmux-soak]   where results go (empty: nowhere)
#   SOAK_WRAP            a command to run feedmuxd under, such as
#                        "valgrind --leak-check=full --errors-for-leak-kinds=
#                        definite,indirect --error-exitcode=42" (its exit
#                        status then tells; the RSS check is skipped and
#                        wrk waits up to WRK_TIMEOUT, 60 s, for an answer
#                        instead of 10 s)
#   FEEDMUXD FEEDMUX FIXPUB top_builddir   as for the integration tests
# Needs wrk, curl, sqlite3 and python3.  Loopback only; every loop is
# bounded by the run's length; every process started is stopped by PID.

: "${SOAK_SOURCES:=2000}"
: "${SOAK_BAD:=6}"
: "${SOAK_HOSTS:=40}"
: "${SOAK_PERIOD:=60}"
: "${SOAK_INITIAL:=40}"
: "${SOAK_RSS_PCT:=10}"
: "${WRK_CONNS:=4}"
: "${WRK_DELAY_MS:=40}"
: "${SOAK_OUT=${TMPDIR:-/tmp}/feedmux-soak}"
: "${SOAK_WRAP:=}"
DUR=${1:-1200}
: "${T_TIMEOUT:=30}"

. "$(dirname "$0")/../integration/lib.sh"
GEN="$t_here/soak-gen.py"
case "$DUR$SOAK_PERIOD$SOAK_SOURCES$SOAK_INITIAL" in
*[!0-9]*)	echo "usage: soak.sh [SECONDS]" >&2; exit 2 ;;
esac
[ "$SOAK_PERIOD" -ge 6 ] || { echo "soak.sh: SOAK_PERIOD is at least 6" >&2; exit 2; }
[ "$DUR" -ge $((4 * SOAK_PERIOD)) ] ||
    { echo "soak.sh: run for at least four periods" >&2; exit 2; }

T_HEAVY=1	# runs alone under make check: see t_lock in lib.sh
t_setup
t_require wrk curl sqlite3 "$PY"
P=$SOAK_PERIOD
TICK=$((P / 6))
if [ -n "$SOAK_WRAP" ]; then
	# Valgrind starts slowly and checks for leaks at exit.
	T_TIMEOUT=300
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$SOAK_WRAP" "$FEEDMUXD" \
	    >"$T/feedmuxd-wrapped"
	chmod +x "$T/feedmuxd-wrapped"
	FEEDMUXD="$T/feedmuxd-wrapped"
	RSS_CHECK=no
	: "${WRK_TIMEOUT:=60}"
elif nm "$FEEDMUXD" 2>/dev/null | grep -q __asan_init; then
	RSS_CHECK=no
else
	RSS_CHECK=${SOAK_RSS_CHECK:-yes}
fi

# The checks record failures here; the run goes on so the summary is whole.
FAILED=
check_fail()
{
	echo "FAIL: $*" >&2
	FAILED="$FAILED
  $*"
}

now() { date +%s; }

# --- publisher, config, daemon ---------------------------------------------
"$PY" "$GEN" init "$T/gen" "$SOAK_SOURCES" "$SOAK_BAD" "$SOAK_INITIAL" ||
    fail "soak-gen init failed"
fixpub_start "$T/gen/pub"
mkdir -p "$T/db"
variant=0
write_conf()
{
	"$PY" "$GEN" conf "$T/gen" "$FIXPUB_PORT" "$SOAK_HOSTS" "$variant" \
	    "$T/db/feedmux.db" >"$T/feedmux.conf.new" &&
	{
		# Polling bounds follow the period.
		sed -e "s/^interval = 90s\$/interval = $((P * 3 / 2))s/" \
		    -e "s/^min_interval = 60s\$/min_interval = ${P}s/" \
		    -e "s/^max_interval = 120s\$/max_interval = $((2 * P))s/" \
		    -e "s/^max_backoff = 5m\$/max_backoff = $((5 * P))s/" \
		    "$T/feedmux.conf.new" >"$T/feedmux.conf.tmp" &&
		mv "$T/feedmux.conf.tmp" "$T/feedmux.conf"
	} || fail "soak-gen conf failed"
}
write_conf
# Priorities on every line, as under systemd: warnings are told by them.
JOURNAL_STREAM=soak
export JOURNAL_STREAM
daemon_start "$T/feedmux.conf"
unset JOURNAL_STREAM
start=$(now)

# --- readers ------------------------------------------------------------------
cat >"$T/soak.lua" <<LUA
-- Rotates over what subscribers read; every third request asks for gzip.
local paths = { "/feeds/linux.atom", "/feeds/security.rss",
    "/feeds/cloud.json", "/feeds/digest.atom", "/feeds/all.atom",
    "/sources/f00001.atom", "/feeds/digest.rss", "/", "/healthz" }
local n = 0
request = function()
	n = n + 1
	local h = {}
	if n % 3 == 0 then h["Accept-Encoding"] = "gzip" end
	return wrk.format("GET", paths[n % #paths + 1], h)
end
delay = function() return $WRK_DELAY_MS end
LUA
wrk -t1 -c"$WRK_CONNS" -d"${DUR}s" --timeout "${WRK_TIMEOUT:-10}s" --latency -s "$T/soak.lua" \
    "$DAEMON_URL" >"$T/wrk.txt" 2>&1 &
WRK_PID=$!
t_track "$WRK_PID"

# --- the run ------------------------------------------------------------------
echo "elapsed_s,rss_kb,fds,threads,phase" >"$T/rss.csv"
sample()
{
	t_alive "$DAEMON_PID" || fail "feedmuxd died after $(($(now) - start)) s"
	s_rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status")
	s_thr=$(awk '/^Threads:/ { print $2 }' "/proc/$DAEMON_PID/status")
	s_fds=$(ls "/proc/$DAEMON_PID/fd" 2>/dev/null | wc -l)
	echo "$(($(now) - start)),$s_rss,$s_fds,$s_thr,$1" >>"$T/rss.csv"
}

echo "soak: $SOAK_SOURCES sources ($SOAK_BAD misbehaving) on $SOAK_HOSTS hosts," \
    "period ${P}s, ${DUR}s; daemon $DAEMON_PID on $DAEMON_URL"
step=0
hups=0
next_adv=$P
next_hup=$((2 * P))
last_adv=$start
elapsed=0
while [ "$elapsed" -lt "$DUR" ]; do
	sleep "$TICK"
	elapsed=$(($(now) - start))
	sample load
	if [ "$elapsed" -ge "$next_adv" ] && [ "$elapsed" -lt "$DUR" ]; then
		step=$((step + 1))
		msg=$("$PY" "$GEN" advance "$T/gen" "$step") ||
		    fail "soak-gen advance failed"
		last_adv=$(now)
		echo "$elapsed s: advance $step: $msg" >>"$T/soak.log"
		next_adv=$((next_adv + P))
	fi
	if [ "$elapsed" -ge "$next_hup" ] && [ "$elapsed" -lt "$DUR" ]; then
		variant=$((1 - variant))
		write_conf
		kill -HUP "$DAEMON_PID"
		hups=$((hups + 1))
		echo "$elapsed s: SIGHUP $hups (rules variant $variant)" >>"$T/soak.log"
		next_hup=$((next_hup + 2 * P))
	fi
done
t_wait_gone "$WRK_PID" 60 || check_fail "wrk did not end"
wait "$WRK_PID" 2>/dev/null
t_untrack "$WRK_PID"

# --- settle: the last changes fetched -----------------------------------------
"$PY" "$GEN" expect "$T/gen" >"$T/expect.txt"
bad_names=$(awk 'BEGIN { ORS = " " } /^\[source "bad-/ { gsub(/.*"bad-|".*/, ""); print "bad-" $0 }' "$T/feedmux.conf")
# Prints how many sources hold other than what was published, and the first
# few of them to $T/mismatch.txt.
mismatches()
{
	"$FEEDMUX" status --json -c "$T/feedmux.conf" >"$T/status.json" 2>>"$T/status.err" ||
	    { echo -1; return; }
	"$PY" - "$T/status.json" "$T/expect.txt" "$T/mismatch.txt" $bad_names <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
got = {s["name"]: s for s in st["source"]}
want = dict((l.split()[0], int(l.split()[1])) for l in open(sys.argv[2]))
for b in sys.argv[4:]:
    want[b] = 0
bad = []
for name, n in sorted(want.items()):
    s = got.get(name)
    have = s["entries"] if s else None
    if have != n:
        bad.append("%s: stored %s, published %d (state %s, last success %s)" %
            (name, have, n, s and s["state"], s and s["last_success"]))
with open(sys.argv[3], "w") as f:
    f.write("\n".join(bad[:20]) + ("\n" if bad else ""))
print(len(bad))
PY
}
settle_max=$((5 * P / 2 + 30))
settle_end=$(($(now) + settle_max))
while :; do
	sample settle
	left=$(mismatches)
	[ "$left" != 0 ] || break
	[ "$(now)" -lt "$settle_end" ] || break
	sleep "$TICK"
done
settled=$(($(now) - last_adv))
[ "$left" = 0 ] || check_fail "entries: $left sources hold other than what was published ($(head -n 3 "$T/mismatch.txt" | tr '\n' ';'))"
entries_total=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["entries"])' "$T/status.json" 2>/dev/null)
published_total=$(awk '{ n += $2 } END { print n + 0 }' "$T/expect.txt")
rss_end=$(awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status")

# --- stop -----------------------------------------------------------------------
pid=$DAEMON_PID
DAEMON_PID=
if ! t_stop "$pid"; then
	check_fail "exit: feedmuxd ignored SIGTERM for ${T_TIMEOUT}s"
elif [ "$T_STATUS" -ne 0 ]; then
	check_fail "exit: feedmuxd exited with status $T_STATUS"
fi
daemon_status=$T_STATUS
fixpub_stop
integrity=$(sqlite3 "$T/db/feedmux.db" 'PRAGMA integrity_check' 2>&1 | head -n 3)
[ "$integrity" = ok ] || check_fail "db: integrity_check: $integrity"

# --- the log --------------------------------------------------------------------
# What the misbehaving fixtures provoke, and nothing else: each kind of bad
# source its own failure (a repeat summary names the source alone).
ALLOW='^<4>source bad-500-[0-9]+: HTTP 500 \(failing\)$
^<4>source bad-404-[0-9]+: HTTP 404 \(failing\)$
^<4>source bad-garbage-[0-9]+: not a feed: [^()]* \(failing\)$
^<4>bad-(500|404|garbage)-[0-9]+: previous message repeated [0-9]+ more times?$'
printf '%s\n' "$ALLOW" >"$T/allow.txt"
grep -v '^<[567]>' "$T/daemon.log" | grep -Evf "$T/allow.txt" >"$T/log-errors.txt"
nerr=$(wc -l <"$T/log-errors.txt")
nallowed=$(grep -v '^<[567]>' "$T/daemon.log" | grep -Ecf "$T/allow.txt")
[ "$nerr" -eq 0 ] || check_fail "log: $nerr unexpected warning or error lines (first: $(grep -m 1 . "$T/log-errors.txt"))"
for k in 500 404 garbage; do
	if [ "$SOAK_BAD" -ge 3 ] && ! grep -q "^<4>source bad-$k-" "$T/daemon.log"; then
		check_fail "log: the bad-$k fixtures provoked no warning"
	fi
done

# --- reloads --------------------------------------------------------------------
nreload=$(grep -c '^<6>feedmuxd: reloaded,' "$T/daemon.log")
nresort=$(grep -c '^<6>categories: rules of ' "$T/daemon.log")
# A reload during a re-sort starts it over; finished ones are reported.
ndone=$(grep -c '^<6>categories: re-sorted ' "$T/daemon.log")
[ "$nreload" -eq "$hups" ] || check_fail "reloads: $hups SIGHUPs, $nreload applied"
[ "$nresort" -ge "$hups" ] || check_fail "reloads: $hups rule changes, $nresort re-sorts started"

# --- wrk ------------------------------------------------------------------------
wrk_reqs=$(awk '/requests in/ { print $1 }' "$T/wrk.txt")
wrk_rate=$(awk '/^Requests\/sec:/ { print $2 }' "$T/wrk.txt")
wrk_p50=$(awk '$1 == "50%" { print $2 }' "$T/wrk.txt")
wrk_p99=$(awk '$1 == "99%" { print $2 }' "$T/wrk.txt")
wrk_bad=$(awk '/Non-2xx or 3xx/ { print $NF }' "$T/wrk.txt")
wrk_sock=$(grep 'Socket errors' "$T/wrk.txt")
[ -n "$wrk_reqs" ] && [ "$wrk_reqs" -gt 0 ] || check_fail "wrk: no requests served ($(tail -n 1 "$T/wrk.txt"))"
[ -z "$wrk_bad" ] || check_fail "wrk: $wrk_bad answers not 2xx or 3xx"
[ -z "$wrk_sock" ] || check_fail "wrk: $wrk_sock"

# --- polls ----------------------------------------------------------------------
polls=$(awk '$2 == "GET" { n++ } END { print n + 0 }' "$T/fixpub.log")
polls200=$(awk '$2 == "GET" && $4 == 200 { n++ } END { print n + 0 }' "$T/fixpub.log")
polls304=$(awk '$2 == "GET" && $4 == 304 { n++ } END { print n + 0 }' "$T/fixpub.log")
new_logged=$(sed -n 's/^<6>source [^:]*: HTTP 200, \([0-9]*\) new,.*/\1/p' "$T/daemon.log" |
    awk '{ n += $1 } END { print n + 0 }')

# --- RSS ------------------------------------------------------------------------
rss_report=$("$PY" - "$T/rss.csv" "$DUR" "$SOAK_RSS_PCT" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["phase"] == "load"]
dur, pct = float(sys.argv[2]), float(sys.argv[3])
t = [float(r["elapsed_s"]) for r in rows]
rss = [int(r["rss_kb"]) for r in rows]
q2 = [v for s, v in zip(t, rss) if dur / 4 <= s < dur / 2]
h2 = [(s, v) for s, v in zip(t, rss) if s >= dur / 2]
fds = [int(r["fds"]) for r in rows]
thr = [int(r["threads"]) for r in rows]
if not q2 or len(h2) < 2:
    print("? ? ? ? ? ? ?")
    sys.exit()
warm = q2[0]
m2, mh = max(q2), max(v for _, v in h2)
# Least-squares slope over the last half, kB per minute.
n = len(h2)
ms = sum(s for s, _ in h2) / n
mv = sum(v for _, v in h2) / n
den = sum((s - ms) ** 2 for s, _ in h2)
slope = sum((s - ms) * (v - mv) for s, v in h2) / den * 60 if den else 0
ok = "ok" if mh <= m2 * (1 + pct / 100) else "GROWS"
print(warm, m2, mh, rss[-1], "%.0f" % slope, ok,
    "%d-%d" % (min(fds), max(fds)), "%d-%d" % (min(thr), max(thr)))
PY
)
set -- $rss_report
rss_warm=$1 rss_q2max=$2 rss_h2max=$3 rss_last=$4 rss_slope=$5 rss_ok=$6
fd_range=$7 thr_range=$8
if [ "$RSS_CHECK" = yes ] && [ "$rss_ok" != ok ]; then
	check_fail "rss: max over the last half $rss_h2max kB is more than $SOAK_RSS_PCT% above the max over the second quarter $rss_q2max kB"
fi

# --- summary --------------------------------------------------------------------
{
	echo "soak: ${DUR}s, period ${P}s, $SOAK_SOURCES sources ($SOAK_BAD misbehaving) on $SOAK_HOSTS hosts, $step publishing rounds, $hups reloads"
	echo "  rss kB:   warm-up (at $((DUR / 4))s) $rss_warm, max 2nd quarter $rss_q2max, max last half $rss_h2max, end of load $rss_last, after settle $rss_end; last-half slope $rss_slope kB/min; check ($SOAK_RSS_PCT%): $([ "$RSS_CHECK" = yes ] && echo "$rss_ok" || echo "skipped ($rss_ok)")"
	echo "  fds $fd_range, threads $thr_range"
	echo "  polls:    $polls requests to fixpub ($polls200 200, $polls304 304, $((polls - polls200 - polls304)) other), $(awk -v p="$polls" -v d="$DUR" -v s="$settled" 'BEGIN { printf "%.1f", p / (d + s) }')/s"
	echo "  entries:  $entries_total stored, $published_total published (good sources), $new_logged logged as new; settled $settled s after the last change"
	echo "  served:   $wrk_reqs requests ($wrk_rate/s), p50 $wrk_p50, p99 $wrk_p99, non-2xx/3xx ${wrk_bad:-0}${wrk_sock:+, $wrk_sock}"
	echo "  log:      $nerr unexpected warning/error lines, $nallowed provoked by the bad fixtures; $nreload reloads, $nresort re-sorts started, $ndone finished"
	echo "  exit:     status $daemon_status; integrity_check: $integrity"
	if [ -n "$FAILED" ]; then
		echo "FAILED:$FAILED"
	else
		echo "PASS: soak"
	fi
} >"$T/summary.txt"
cat "$T/summary.txt"
if [ -s "$T/log-errors.txt" ]; then
	echo "--- unexpected log lines (first 30) ---"
	head -n 30 "$T/log-errors.txt"
fi
[ -z "$SOAK_OUT" ] || { mkdir -p "$SOAK_OUT" &&
    cp "$T/summary.txt" "$T/rss.csv" "$T/daemon.log" "$T/wrk.txt" \
    "$T/soak.log" "$T/feedmux.conf" "$T/log-errors.txt" "$T/mismatch.txt" \
    "$SOAK_OUT/" 2>/dev/null; }
[ -z "$FAILED" ] || exit 1
exit 0

# lib.sh: shared helpers for feedmux's integration tests, sourced by each
# tests/integration/*.sh scenario. It owns the scenario's temporary directory
# ($T), every process a scenario starts (fixpub, feedmuxd), their cleanup in
# an EXIT trap, and bounded waits. POSIX sh; every wait has a ceiling so a
# broken daemon fails a test instead of hanging `make check`.
#
# Environment (the build exports these; defaults suit an in-tree build):
#   FEEDMUXD FEEDMUX FIXPUB  programs under test
#   srcdir                   directory of the scenario scripts (fixtures)
#   KEEP=1                   keep $T after the test for inspection
#   PY                       python3 with feedparser (/usr/bin/python3)
#
# Variables set for the scenario: T, FIXPUB_PID FIXPUB_PORT FIXPUB_URL,
# DAEMON_PID DAEMON_PORT DAEMON_URL, T_STATUS (exit status from t_stop).
# shellcheck disable=SC2034

t_here=$(cd "$(dirname "$0")" && pwd)
: "${srcdir:=$t_here}"
: "${top_builddir:=$t_here/../..}"
: "${FEEDMUXD:=$top_builddir/src/feedmuxd}"
: "${FEEDMUX:=$top_builddir/src/feedmux}"
: "${FIXPUB:=$top_builddir/tests/fixpub}"
: "${PY:=/usr/bin/python3}"
: "${T_TIMEOUT:=10}"		# seconds for a process to come up or go down
: "${WAIT_TRIES:=200}"		# wait_for: tries, 0.1 s apart
: "${CURL_MAXTIME:=10}"

T=
T_PIDS=
FIXPUB_PID=
DAEMON_PID=

# Print a failure and end the test; the EXIT trap cleans up.
fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

# Report one passed check.
pass()
{
	echo "PASS: $*"
}

# End the test as skipped (automake's 77).
skip()
{
	echo "SKIP: $*"
	exit 77
}

# Skip unless every named command exists.
t_require()
{
	for t_cmd in "$@"; do
		command -v "$t_cmd" >/dev/null 2>&1 || skip "$t_cmd not found"
	done
}

# Is PID still running (a zombie waiting for us does not count)?
t_alive()
{
	kill -0 "$1" 2>/dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		t_state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
		[ "$t_state" != Z ] || return 1
	fi
	return 0
}

# Wait up to SECONDS for PID to exit; false if it is still there.
t_wait_gone()
{
	t_n=$(($2 * 10))
	while t_alive "$1"; do
		[ "$t_n" -gt 0 ] || return 1
		t_n=$((t_n - 1))
		sleep 0.1
	done
	return 0
}

# Remember a started process so the EXIT trap stops it.
t_track()
{
	T_PIDS="$T_PIDS $1"
}

# Forget a process that was stopped on purpose.
t_untrack()
{
	t_keep=
	for t_p in $T_PIDS; do
		[ "$t_p" = "$1" ] || t_keep="$t_keep $t_p"
	done
	T_PIDS=$t_keep
}

# Stop PID: SIGTERM, then SIGKILL after T_TIMEOUT; sets T_STATUS to its
# exit status and returns 1 if it had to be killed.
t_stop()
{
	t_killed=0
	kill -TERM "$1" 2>/dev/null
	if ! t_wait_gone "$1" "$T_TIMEOUT"; then
		kill -KILL "$1" 2>/dev/null
		t_killed=1
	fi
	wait "$1" 2>/dev/null
	T_STATUS=$?
	t_untrack "$1"
	return "$t_killed"
}

# Print the tail of a log file to stderr under a heading.
t_show()
{
	[ -s "$1" ] || return 0
	echo "--- $1 (last 100 lines) ---" >&2
	tail -n 100 "$1" >&2
}

# EXIT trap: stop what we started, show logs on failure, remove $T.
t_cleanup()
{
	t_rc=$?
	trap - EXIT
	for t_p in $T_PIDS; do
		t_stop "$t_p"
	done
	if [ "$t_rc" -ne 0 ] && [ "$t_rc" -ne 77 ] && [ -n "$T" ]; then
		t_show "$T/daemon.log"
		t_show "$T/fixpub.err"
		t_show "$T/fixpub.log"
	fi
	if [ -n "$T" ]; then
		if [ "${KEEP:-0}" = 1 ]; then
			echo "keeping $T" >&2
		else
			rm -rf "$T"
		fi
	fi
	exit "$t_rc"
}

# Scenarios that load the whole machine (a wrk flood, a soak, a browser)
# set T_HEAVY=1 before t_setup and run alone: they take the build's test
# lock exclusively, every other scenario shares it, so no timing check
# (per-host gaps, latency bounds) ever measures a neighbour's flood under
# `make -j check`.  The lock is util-linux flock on fd 9, held until exit.
t_lock()
{
	command -v flock >/dev/null 2>&1 || return 0
	[ -d "$top_builddir/tests" ] || return 0
	exec 9>>"$top_builddir/tests/.test-lock" || return 0
	if [ "${T_HEAVY:-0}" = 1 ]; then
		flock -x -w 1800 9 || fail "waited 30 minutes for the test lock"
	else
		flock -s -w 1800 9 || fail "waited 30 minutes for the test lock"
	fi
}

# Make the scenario's temporary directory $T and arm the cleanup trap.
t_setup()
{
	t_lock
	T=$(mktemp -d "${TMPDIR:-/tmp}/feedmux-test.XXXXXX") ||
	    fail "cannot make a temporary directory"
	trap t_cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# Start fixpub serving DIR on a free port; sets FIXPUB_PORT, FIXPUB_URL.
fixpub_start()
{
	[ -n "$T" ] || fail "fixpub_start: call t_setup first"
	[ -d "$1" ] || fail "fixpub_start: $1: not a directory"
	[ -x "$FIXPUB" ] || fail "fixpub_start: $FIXPUB: not built"
	rm -f "$T/fixpub.port"
	"$FIXPUB" -d "$1" -p 0 -P "$T/fixpub.port" -l "$T/fixpub.log" \
	    >"$T/fixpub.out" 2>>"$T/fixpub.err" &
	FIXPUB_PID=$!
	t_track "$FIXPUB_PID"
	t_n=$((T_TIMEOUT * 10))
	while [ ! -s "$T/fixpub.port" ]; do
		t_alive "$FIXPUB_PID" || fail "fixpub exited at startup"
		[ "$t_n" -gt 0 ] || fail "fixpub wrote no port in ${T_TIMEOUT}s"
		t_n=$((t_n - 1))
		sleep 0.1
	done
	FIXPUB_PORT=$(cat "$T/fixpub.port")
	case "$FIXPUB_PORT" in
	''|*[!0-9]*)	fail "fixpub port file holds '$FIXPUB_PORT'" ;;
	esac
	FIXPUB_URL="http://127.0.0.1:$FIXPUB_PORT"
}

# Stop fixpub; fail unless it exits 0 on SIGTERM.
fixpub_stop()
{
	[ -n "$FIXPUB_PID" ] || fail "fixpub_stop: fixpub not started"
	t_pid=$FIXPUB_PID
	FIXPUB_PID=
	t_stop "$t_pid" || fail "fixpub ignored SIGTERM for ${T_TIMEOUT}s"
	[ "$T_STATUS" -eq 0 ] || fail "fixpub exited with status $T_STATUS"
}

# Print fixpub's request log lines for one request path (as sent).
fixpub_requests()
{
	awk -v p="$1" '$3 == p' "$T/fixpub.log"
}

# Print how many requests fixpub logged for one path.
fixpub_count()
{
	awk -v p="$1" '$3 == p { n++ } END { print n + 0 }' "$T/fixpub.log"
}

# Start feedmuxd -c CONF [ARGS...]; sets DAEMON_PID, DAEMON_PORT, DAEMON_URL.
daemon_start()
{
	[ -n "$T" ] || fail "daemon_start: call t_setup first"
	[ -x "$FEEDMUXD" ] || fail "daemon_start: $FEEDMUXD: not built"
	[ -z "$DAEMON_PID" ] || fail "daemon_start: daemon already running"
	t_conf=$1
	shift
	# Only lines logged by this start count, so a restart finds its port.
	touch "$T/daemon.log"
	t_skip=$(wc -l <"$T/daemon.log")
	"$FEEDMUXD" -c "$t_conf" "$@" >>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	t_track "$DAEMON_PID"
	t_n=$((T_TIMEOUT * 10))
	DAEMON_PORT=
	while :; do
		DAEMON_PORT=$(tail -n +"$((t_skip + 1))" "$T/daemon.log" |
		    sed -n 's/.*httpd: listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' |
		    head -n 1)
		[ -z "$DAEMON_PORT" ] || break
		t_alive "$DAEMON_PID" || fail "feedmuxd exited at startup"
		[ "$t_n" -gt 0 ] ||
		    fail "feedmuxd not listening after ${T_TIMEOUT}s"
		t_n=$((t_n - 1))
		sleep 0.1
	done
	DAEMON_URL="http://127.0.0.1:$DAEMON_PORT"
}

# Stop feedmuxd; fail if it had to be killed or exited nonzero.
daemon_stop()
{
	[ -n "$DAEMON_PID" ] || fail "daemon_stop: daemon not started"
	t_pid=$DAEMON_PID
	DAEMON_PID=
	t_stop "$t_pid" || fail "feedmuxd ignored SIGTERM for ${T_TIMEOUT}s"
	[ "$T_STATUS" -eq 0 ] || fail "feedmuxd exited with status $T_STATUS"
}

# GET URL and print the body, or write it to OUTFILE; extra args go to curl.
http_get()
{
	t_url=$1
	t_out=${2:--}
	[ $# -lt 2 ] || shift
	shift
	curl -sS --max-time "$CURL_MAXTIME" -o "$t_out" "$@" "$t_url"
}

# Print the HTTP status of a GET of URL; extra args go to curl.
http_status()
{
	t_url=$1
	shift
	curl -sS --max-time "$CURL_MAXTIME" -o /dev/null -w '%{http_code}' \
	    "$@" "$t_url"
}

# Print the response headers of a GET of URL, CRs removed; extra args go to curl.
http_headers()
{
	t_url=$1
	shift
	curl -sS --max-time "$CURL_MAXTIME" -o /dev/null -D - "$@" "$t_url" |
	    tr -d '\r'
}

# Print the value of one response header (case-insensitive name) from stdin.
http_header()
{
	awk -v h="$1" 'BEGIN { h = tolower(h) ":" }
	    tolower(substr($0, 1, length(h))) == h {
		v = substr($0, length(h) + 1); sub(/^[ \t]+/, "", v); print v; exit
	    }'
}

# Retry a command until it succeeds, 0.1 s apart, WAIT_TRIES times at most.
wait_for()
{
	wf_n=$WAIT_TRIES
	until "$@"; do
		wf_n=$((wf_n - 1))
		[ "$wf_n" -gt 0 ] || fail "timed out waiting for: $*"
		sleep 0.1
	done
}

# Print the times (milliseconds since the epoch) at which fixpub logged
# requests for one path, one a line.
fixpub_times()
{
	awk -v p="$1" '$3 == p { split($1, t, "."); printf "%.0f\n", t[1] * 1000 + t[2] }' \
	    "$T/fixpub.log"
}

# Print the smallest gap in milliseconds between consecutive numbers of
# stdin (one a line, in order), or nothing for fewer than two.
min_gap()
{
	awk 'NR > 1 { g = $1 - prev; if (min == "" || g < min) min = g }
	    { prev = $1 } END { if (min != "") printf "%.0f\n", min }'
}

# Print one field of one source from `feedmux status --json -c CONF`.
status_field()
{
	"$FEEDMUX" status --json -c "$1" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
s = [s for s in d["source"] if s["name"] == sys.argv[1]]
print(s[0][sys.argv[2]] if s else "")' "$2" "$3"
}

# Write the [feedmux] section of a polling test's config to stdout:
# loopback allowed, polls every second, no per-host gap; each argument
# ("key = value") is added, replacing a default of the same key.
poll_conf_head()
{
	printf '[feedmux]\nlisten = 127.0.0.1:0\ndatabase = %s/db/feedmux.db\n' "$T"
	printf 'allow_private = yes\n'
	printf 'interval 1s\nmax_interval 1s\nhost_delay 0\n' |
	while read -r pc_key pc_value; do
		pc_set=no
		for pc_arg in "$@"; do
			case "$pc_arg" in
			"$pc_key "*|"$pc_key="*)	pc_set=yes ;;
			esac
		done
		[ "$pc_set" = yes ] || printf '%s = %s\n' "$pc_key" "$pc_value"
	done
	for pc_arg in "$@"; do
		printf '%s\n' "$pc_arg"
	done
}

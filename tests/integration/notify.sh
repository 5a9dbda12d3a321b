#!/bin/sh
# notify: feedmuxd speaks systemd's notify protocol to the NOTIFY_SOCKET it
# is given (here our own receiver): READY=1 once it serves, STATUS= with a
# one-line summary, RELOADING=1 then READY=1 around SIGHUP, WATCHDOG=1 at
# half of WATCHDOG_USEC, STOPPING=1 on SIGTERM; an abstract "@" socket too.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

fix="$t_here/fixtures"
mkdir -p "$T/pub"
cp "$fix/cloud.rss" "$T/pub/" || fail "fixtures missing in $fix"
fixpub_start "$T/pub"

cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/feedmux.db
allow_private = yes
interval = 1h

[category "news"]
[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss
categories = news
CONF

# Start the receiver on ADDRESS, writing to $T/FILE.
recv_start()
{
	"$PY" "$t_here/notify-recv.py" "$1" "$T/$2" 60 2>>"$T/recv.err" &
	t_track $!
	RECV_PID=$!
	wait_for test -s "$T/$2.ready"
}

# The notifications received so far, as "FIELD" lines and "--" separators.
received()
{
	cat "$T/${1:-notify.log}" 2>/dev/null
}

recv_start "$T/notify.sock" notify.log
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=400000
export NOTIFY_SOCKET WATCHDOG_USEC
daemon_start "$T/feedmux.conf"
unset NOTIFY_SOCKET WATCHDOG_USEC

wait_for grep -qx 'READY=1' "$T/notify.log"
grep -qx "MAINPID=$DAEMON_PID" "$T/notify.log" ||
    fail "READY=1 without MAINPID=$DAEMON_PID"
# READY comes after the listener is bound: the page answers right away.
[ "$(http_status "$DAEMON_URL/healthz")" = 200 ] || fail "not serving at READY"
wait_for grep -q '^STATUS=1 sources, 0 failing, ' "$T/notify.log"
pass "READY=1 with MAINPID, STATUS= summary"

# The watchdog is petted at half the period (200 ms): several within 2 s.
sleep 1.5
n=$(grep -cx 'WATCHDOG=1' "$T/notify.log")
[ "$n" -ge 4 ] || fail "only $n WATCHDOG=1 in 1.5 s with WATCHDOG_USEC=400000"
pass "WATCHDOG=1 pings ($n in 1.5 s)"

# After a poll the summary says when it was; a reload is bracketed.
polled()
{
	[ "$(fixpub_count /cloud.rss)" -ge 1 ]
}
wait_for polled
has_entries()
{
	curl -sS --max-time 5 "$DAEMON_URL/feeds/news.atom" | grep -q '<entry>'
}
wait_for has_entries
kill -HUP "$DAEMON_PID"
wait_for grep -qx 'RELOADING=1' "$T/notify.log"
grep -q '^MONOTONIC_USEC=[0-9][0-9]*$' "$T/notify.log" ||
    fail "RELOADING=1 without MONOTONIC_USEC"
ready_after_reload()
{
	awk '/^RELOADING=1$/ { r = 1 } r && /^READY=1$/ { ok = 1 }
	    END { exit !ok }' "$T/notify.log"
}
wait_for ready_after_reload
status_after_reload()
{
	awk '/^RELOADING=1$/ { r = 1 }
	    r && /^STATUS=1 sources, 0 failing, last poll [0-9]+s ago$/ { ok = 1 }
	    END { exit !ok }' "$T/notify.log"
}
wait_for status_after_reload
pass "SIGHUP: RELOADING=1, then READY=1 and a STATUS= with the last poll"

# A rejected reload is ready again too, and the status says so.
printf 'bogus = 1\n' >>"$T/feedmux.conf"
kill -HUP "$DAEMON_PID"
wait_for grep -q '^STATUS=.*last reload rejected' "$T/notify.log"
[ "$(grep -cx 'READY=1' "$T/notify.log")" -ge 3 ] ||
    fail "no READY=1 after a rejected reload"
pass "rejected reload: READY=1 again, STATUS= says so"

daemon_stop
wait_for grep -qx 'STOPPING=1' "$T/notify.log"
pass "STOPPING=1 on SIGTERM"

# An abstract socket ("@name") works the same.
sed -i '$d' "$T/feedmux.conf"
abstract="@feedmux-test-$$-$(date +%s)"
recv_start "$abstract" abstract.log
NOTIFY_SOCKET=$abstract
export NOTIFY_SOCKET
daemon_start "$T/feedmux.conf"
unset NOTIFY_SOCKET
wait_for grep -qx 'READY=1' "$T/abstract.log"
daemon_stop
wait_for grep -qx 'STOPPING=1' "$T/abstract.log"
grep -q 'WATCHDOG=1' "$T/abstract.log" &&
    fail "WATCHDOG=1 sent without WATCHDOG_USEC"
pass "abstract socket: READY=1, STOPPING=1, no watchdog unless asked"
exit 0

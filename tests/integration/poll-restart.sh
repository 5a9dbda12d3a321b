#!/bin/sh
# poll-restart: first polls of a new config are spread over a window; a
# restart resumes the stored schedule instead of polling everything again.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

mkdir -p "$T/pub"
{
	poll_conf_head "interval = 1h" "max_interval = 1h"
	for i in $(seq 1 20); do
		cp "$t_here/fixtures/cloud.rss" "$T/pub/f$i.rss"
		printf '[source "f%s"]\nurl = http://127.0.0.1:PORT/f%s.rss\n' $i $i
	done
} >"$T/feedmux.conf.in"
fixpub_start "$T/pub"
sed -e "s/PORT/$FIXPUB_PORT/" "$T/feedmux.conf.in" >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf"

lines_at_least() { [ "$(wc -l <"$T/fixpub.log")" -ge "$1" ]; }
wait_for lines_at_least 20
span=$(awk '{ split($1, t, "."); ms = t[1] * 1000 + t[2]
    if (lo == "" || ms < lo) lo = ms; if (ms > hi) hi = ms }
    END { printf "%.0f\n", hi - lo }' "$T/fixpub.log")
# 20 sources spread over 2 s: a span under 300 ms would be a stampede.
[ "$span" -ge 300 ] || fail "first polls not spread (span ${span} ms)"
pass "first polls of 20 sources spread over ${span} ms"
grep -q 'sched: 20 sources, 20 due (spread over 2 s)' "$T/daemon.log" ||
    fail "the start-up line does not say the first polls are spread"

next=$(status_field "$T/feedmux.conf" f7 next_poll)
daemon_stop
daemon_start "$T/feedmux.conf"
sleep 3
[ "$(wc -l <"$T/fixpub.log")" -eq 20 ] || fail "a restart polled again"
[ "$(status_field "$T/feedmux.conf" f7 next_poll)" = "$next" ] ||
    fail "a restart changed the schedule"
now=$(date +%s)
[ "$next" -gt $((now + 3000)) ] || fail "next poll $next not about an hour ahead"
# The operator is told so, not that 20 sources are new.
grep -q 'sched: 20 sources, 20 resume their stored schedule$' \
    "$T/daemon.log" || fail "the restart's line does not say it resumed"
pass "a restart resumes the stored schedule"
daemon_stop
exit 0

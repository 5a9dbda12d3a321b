#!/bin/sh
# poll-host-parallel: a host's sources are fetched side by side, up to
# host_connections at once, even when the host is slow to answer.  Six
# sources on one host answer after 2 s each; with host_connections = 6
# their answers all come within a moment of each other.  (curl 7.88 made
# transfers that wait to share a connection queue behind one another over
# plain http: one answer every 2 s, 12 s in all.)
. "$(dirname "$0")/lib.sh"
t_setup

mkdir -p "$T/pub"
for i in 1 2 3 4 5 6; do
	cp "$t_here/fixtures/cloud.rss" "$T/pub/s$i.rss"
	echo 'delay 2000' >"$T/pub/s$i.rss.meta"
done
fixpub_start "$T/pub"
{
	poll_conf_head 'host_connections = 6' 'interval = 1h' \
	    'max_interval = 1h'
	for i in 1 2 3 4 5 6; do
		printf '[source "s%s"]\nurl = %s/s%s.rss\n' $i "$FIXPUB_URL" $i
	done
} >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf"

answered() { [ "$(grep -c '^[0-9.]* GET /s[1-6].rss 200 ' "$T/fixpub.log")" -ge 6 ]; }
WAIT_TRIES=300 wait_for answered
span=$(awk '{ split($1, t, "."); ms = t[1] * 1000 + t[2]
    if (lo == "" || ms < lo) lo = ms; if (ms > hi) hi = ms }
    END { printf "%.0f\n", hi - lo }' "$T/fixpub.log")
# Side by side: within a second or so.  One after another: 10 s or more.
[ "$span" -lt 1500 ] ||
    fail "six slow answers spread over ${span} ms: fetched one at a time"
pass "six sources of one slow host fetched side by side (answers within ${span} ms)"
daemon_stop
exit 0

#!/bin/sh
# poll-host-spacing: requests to one host name never start closer than
# host_delay (1 s here), however many of its sources are due, while
# another host name is served meanwhile.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

mkdir -p "$T/pub"
for i in 1 2 3 4; do cp "$t_here/fixtures/cloud.rss" "$T/pub/a$i.rss"; done
cp "$t_here/fixtures/sec.atom" "$T/pub/b1.atom"
cp "$t_here/fixtures/sec.atom" "$T/pub/b2.atom"
fixpub_start "$T/pub"
{ poll_conf_head "host_delay = 1s"
for i in 1 2 3 4; do printf '[source "a%s"]\nurl = %s/a%s.rss\n' $i "$FIXPUB_URL" $i; done
for i in 1 2; do printf '[source "b%s"]\nurl = http://localhost:%s/b%s.atom\n' $i "$FIXPUB_PORT" $i; done
} >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf"

host_count() { [ "$(grep -c " host=$1\$" "$T/fixpub.log")" -ge "$2" ]; }
WAIT_TRIES=150 wait_for host_count "127.0.0.1:$FIXPUB_PORT" 9
host_times() { awk -v h="host=$1" '$NF == h { split($1, t, "."); printf "%.0f\n", t[1] * 1000 + t[2] }' "$T/fixpub.log"; }
gap=$(host_times "127.0.0.1:$FIXPUB_PORT" | min_gap)
[ "$gap" -ge 1000 ] || fail "two requests to one host ${gap} ms apart"
gapb=$(host_times "localhost:$FIXPUB_PORT" | min_gap)
[ "$gapb" -ge 1000 ] || fail "two requests to localhost ${gapb} ms apart"
# All four sources of the first host took turns.
for i in 1 2 3 4; do
	[ "$(fixpub_count /a$i.rss)" -ge 2 ] || fail "a$i starved"
done
all=$(awk '{ split($1, t, "."); printf "%.0f\n", t[1] * 1000 + t[2] }' "$T/fixpub.log" | min_gap)
[ "$all" -lt 1000 ] || fail "hosts were not paced independently"
pass "per-host gaps >= 1000 ms (min $gap and $gapb ms), hosts independent"
daemon_stop
exit 0

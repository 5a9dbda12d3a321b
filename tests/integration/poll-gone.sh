#!/bin/sh
# poll-gone: 410 Gone retires a source: it is not polled again, not even
# after a restart, until its URL in the config changes (then a reload
# polls it again).
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

mkdir -p "$T/pub"
cp "$t_here/fixtures/cloud.rss" "$T/pub/back.rss"
printf 'status 410\n' >"$T/pub/old.rss.meta"
fixpub_start "$T/pub"
{ poll_conf_head; cat <<CONF
[source "cloud"]
url = $FIXPUB_URL/old.rss
CONF
} >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf"

state_is() { [ "$(status_field "$T/feedmux.conf" cloud state)" = "$1" ]; }
wait_for state_is gone
sleep 3
[ "$(fixpub_count /old.rss)" -eq 1 ] || fail "a gone source was polled again"
"$FEEDMUX" status cloud -c "$T/feedmux.conf" | grep -q 'retired' ||
    fail "status does not say it is retired"
grep -q 'source cloud: gone (HTTP 410)' "$T/daemon.log" || fail "not logged"
pass "410 retires the source"

daemon_stop
daemon_start "$T/feedmux.conf"
sleep 2
[ "$(fixpub_count /old.rss)" -eq 1 ] || fail "a restart polled a gone source"
pass "still retired after a restart"

# A reload with the same URL changes nothing; a new URL un-retires.
kill -HUP "$DAEMON_PID"
sleep 1.5
[ "$(fixpub_count /old.rss)" -eq 1 ] || fail "a reload polled a gone source"
sed -i "s|/old.rss|/back.rss|" "$T/feedmux.conf"
kill -HUP "$DAEMON_PID"
wait_for state_is ok
[ "$(status_field "$T/feedmux.conf" cloud entries)" -eq 3 ] || fail "entries"
pass "a new URL in the config polls it again"
daemon_stop
exit 0

#!/bin/sh
# poll-private: without allow_private no connection reaches loopback (by
# address or by a name resolving to it); the error says "blocked by
# policy" and the publisher sees no request.  allow_private per source, an
# allow_networks CIDR, or a configured proxy (exempt) let it through.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

mkdir -p "$T/pub"
cp "$t_here/fixtures/cloud.rss" "$T/pub/cloud.rss"
cp "$t_here/fixtures/cloud.rss" "$T/pub/lan.rss"
cp "$t_here/fixtures/sec.atom" "$T/pub/sec.atom"
cp "$t_here/fixtures/sec.atom" "$T/pub/proxied.atom"
fixpub_start "$T/pub"
conf()
{
	cat <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/db/feedmux.db
interval = 1s
max_interval = 1s
host_delay = 0
$1
[source "direct"]
url = $FIXPUB_URL/cloud.rss
[source "byname"]
url = http://localhost:$FIXPUB_PORT/sec.atom
[source "lan"]
url = $FIXPUB_URL/lan.rss
allow_private = yes
[source "proxied"]
url = http://feeds.example.invalid/proxied.atom
proxy = $FIXPUB_URL
CONF
}
conf "" >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf"

state_is() { [ "$(status_field "$T/feedmux.conf" "$1" state)" = "$2" ]; }
wait_for state_is direct blocked
wait_for state_is byname blocked
for s in direct byname; do
	status_field "$T/feedmux.conf" $s last_error | grep -q '^blocked by policy' ||
	    fail "$s error: $(status_field "$T/feedmux.conf" $s last_error)"
done
[ "$(fixpub_count /cloud.rss)" -eq 0 ] || fail "a blocked request reached the publisher"
[ "$(fixpub_count /sec.atom)" -eq 0 ] || fail "a blocked request by name reached the publisher"
pass "loopback refused by address and by name: blocked by policy"

wait_for state_is lan ok
pass "allow_private per source"
wait_for state_is proxied ok
[ "$(fixpub_count http://feeds.example.invalid/proxied.atom)" -ge 1 ] ||
    fail "the proxy saw no request"
pass "a configured proxy is exempt"

conf "allow_networks = 127.0.0.0/8, ::1/128" >"$T/feedmux.conf"
kill -HUP "$DAEMON_PID"
wait_for state_is direct ok
wait_for state_is byname ok
pass "allow_networks lets a LAN range through"
daemon_stop
exit 0

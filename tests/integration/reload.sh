#!/bin/sh
# reload: SIGHUP applies a new config (a new source starts polling, a
# removed one stops and leaves the outputs), and a broken config is
# rejected with file:line errors while the old one keeps running.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

fix="$t_here/fixtures"
mkdir -p "$T/pub"
cp "$fix/cloud.rss" "$fix/sec.atom" "$T/pub/" || fail "fixtures missing in $fix"
fixpub_start "$T/pub"

write_conf()
{
	cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/db/feedmux.db
allow_private = yes
interval = 1h

[category "news"]
title = News

[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss
categories = news
CONF
	if [ "$1" = both ]; then
		cat >>"$T/feedmux.conf" <<CONF

[source "secdaily"]
url = $FIXPUB_URL/sec.atom
categories = news
CONF
	fi
}

count()
{
	curl -sS --max-time 5 "$DAEMON_URL/feeds/news.atom" | grep -c '<entry>'
}

has()
{
	[ "$(count)" -eq "$1" ]
}

write_conf one
daemon_start "$T/feedmux.conf"
wait_for has 3
[ "$(fixpub_count /sec.atom)" -eq 0 ] || fail "secdaily polled before it was configured"
pass "one source, three entries"

# A new source starts polling after SIGHUP, without a restart.
write_conf both
kill -HUP "$DAEMON_PID"
wait_for has 5
t_alive "$DAEMON_PID" || fail "daemon died on reload"
pass "new source polled after SIGHUP"

# A broken config is rejected; the old one keeps running and serving.
printf '[source "x"]\nurl = gopher://nope\nbogus = 1\n' >>"$T/feedmux.conf"
kill -HUP "$DAEMON_PID"
wait_for grep -q 'reload rejected' "$T/daemon.log"
grep -q "$T/feedmux.conf:[0-9]*: " "$T/daemon.log" || fail "no file:line error logged"
t_alive "$DAEMON_PID" || fail "daemon died on a broken reload"
has 5 || fail "entries changed after a rejected reload"
curl -sS --max-time 5 "$DAEMON_URL/" | grep -q 'last reload was rejected' ||
    fail "index page does not show the rejected reload"
pass "broken config rejected with file:line, old config still serving"

# Removing a source stops it and takes its entries out of the outputs.
write_conf one
kill -HUP "$DAEMON_PID"
wait_for has 3
before=$(fixpub_count /sec.atom)
sleep 2
[ "$(fixpub_count /sec.atom)" -eq "$before" ] || fail "removed source still polled"
curl -sS --max-time 5 "$DAEMON_URL/" | grep -q 'last reload was rejected' &&
    fail "index page still shows the old reload error"
pass "removed source stopped, its entries hidden"
daemon_stop
exit 0

#!/bin/sh
# poll-http2: sources on an HTTP/2 server (nghttpd over TLS) are polled
# round after round: the first round finds out that the host multiplexes,
# the later ones' transfers wait to share its connection (fetch.c), and
# none of them stalls there.  Every request nghttpd sees is HTTP/2.
. "$(dirname "$0")/lib.sh"
t_setup
# Debian puts nghttpd (package nghttp2-server) in /usr/sbin.
PATH=$PATH:/usr/sbin
t_require nghttpd openssl curl "$PY"

mkdir -p "$T/pub"
for i in 1 2 3 4; do cp "$t_here/fixtures/cloud.rss" "$T/pub/h$i.rss"; done
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -keyout "$T/h2.key" -out "$T/h2.crt" >/dev/null 2>&1 ||
    fail "openssl req failed"
H2_PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
nghttpd -a 127.0.0.1 -d "$T/pub" -v "$H2_PORT" "$T/h2.key" "$T/h2.crt" \
    >"$T/nghttpd.log" 2>&1 </dev/null &
t_track $!
# (A path of its own: the requests counted below are feedmux's.)
h2_up() { curl -sk --http2 --max-time 2 -o /dev/null "https://localhost:$H2_PORT/probe"; }
wait_for h2_up
{
	poll_conf_head 'tls_verify = no' 'host_connections = 4'
	for i in 1 2 3 4; do
		printf '[source "h%s"]\nurl = https://localhost:%s/h%s.rss\n' \
		    $i "$H2_PORT" $i
	done
} >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf"

# nghttpd logs each request's path by session: "[id=N] ... :path: /h1.rss".
requests() { grep -ac ':path: /h[1-4]\.rss' "$T/nghttpd.log"; }
rounds() { [ "$(requests)" -ge "$1" ]; }
# Four rounds (16 requests): the later ones after the host was learnt.
WAIT_TRIES=200 wait_for rounds 16
for i in 1 2 3 4; do
	[ "$(status_field "$T/feedmux.conf" h$i state)" = ok ] ||
	    fail "h$i: $(status_field "$T/feedmux.conf" h$i last_error)"
	[ "$(status_field "$T/feedmux.conf" h$i entries)" -gt 0 ] ||
	    fail "h$i: nothing stored"
done
sessions=$(grep -a ':path: /h[1-4]\.rss' "$T/nghttpd.log" |
    sed 's/^\[id=\([0-9]*\)\].*/\1/' | sort -u | wc -l)
pass "4 sources polled over HTTP/2: $(requests) requests on $sessions connections"
daemon_stop
exit 0

#!/bin/sh
# republish-listen: where and how many.  "[::]:PORT" answers on IPv6 and
# IPv4 alike, listen_unix adds a unix socket for a reverse proxy (replacing
# a stale one, removed at exit), max_connections caps open connections:
# at the cap the connection idle the longest makes room for the next (the
# next waits in the kernel's queue only while every one is answering), a
# client that stops reading neither stalls the others nor grows the
# daemon, and silent connections close after http_timeout (a request head
# cut short with a 408).
. "$(dirname "$0")/lib.sh"
t_setup
command -v curl >/dev/null || fail "curl is required (apt-get install curl)"
"$PY" -c 'import socket; socket.socket(socket.AF_INET6).close()' 2>/dev/null ||
    fail "IPv6 sockets are required on loopback"

mkdir -p "$T/pub"
cp "$t_here/fixtures/cloud.rss" "$T/pub/"
fixpub_start "$T/pub"
SOCK="$T/http.sock"
# A stale socket file from an earlier run is replaced.
"$PY" -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$SOCK" ||
    fail "cannot make a stale socket"

cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = [::]:0
listen_unix = $SOCK
max_connections = 3
http_timeout = 3s
database = $T/db/feedmux.db
allow_private = yes
interval = 1h

[category "cloud"]
title = Cloud

[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss
categories = cloud
CONF

"$FEEDMUXD" -c "$T/feedmux.conf" >"$T/daemon.log" 2>&1 &
DAEMON_PID=$!
t_track "$DAEMON_PID"
wait_for grep -q 'httpd: listening on unix:' "$T/daemon.log"
PORT=$(sed -n 's/.*httpd: listening on \[::\]:\([0-9][0-9]*\).*/\1/p' "$T/daemon.log" | head -n 1)
[ -n "$PORT" ] || fail "no [::] listener in the log"

[ "$(http_status "http://[::1]:$PORT/healthz")" = 200 ] || fail "IPv6"
[ "$(http_status "http://127.0.0.1:$PORT/healthz")" = 200 ] || fail "IPv4 on [::]"
[ "$(curl -sS --max-time 5 --unix-socket "$SOCK" http://feedmux/healthz)" = ok ] ||
    fail "unix socket"
wait_for sh -c "curl -sS --max-time 5 --unix-socket '$SOCK' http://feeds.example/feeds/cloud.atom | grep -q '<entry>'"
curl -sS --unix-socket "$SOCK" http://feeds.example/feeds/cloud.atom |
    grep -q 'href="http://feeds.example/feeds/cloud.atom"' ||
    fail "self link through the proxy's Host"
pass "IPv6 and IPv4 on [::], unix socket (stale file replaced), links from Host"

# Three idle connections fill the slots; a fourth takes the slot of the
# one idle the longest and is served at once.
"$PY" - "$PORT" <<'PY' || fail "max_connections, idle"
import socket, sys, time
port = int(sys.argv[1])
idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(3)]
time.sleep(0.3)
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
got = s.recv(100)
assert got.startswith(b"HTTP/1.1 200"), got
assert idle[0].recv(100) == b"", "the longest idle was not the one closed"
for c in idle[1:]:
    c.settimeout(0.3)
    try:
        sys.exit("a newer idle connection was closed: %r" % c.recv(100))
    except socket.timeout:
        pass
    c.close()
PY
grep -q 'no room for a new connection (3 open): closing the longest idle' "$T/daemon.log" ||
    fail "shedding not logged"
pass "max_connections: an idle connection makes room for the next"

# Three clients that do not read hold every slot: a fourth waits in the
# kernel's queue and is served once one of them closes.
"$PY" - "$PORT" <<'PY' || fail "max_connections, busy"
import socket, sys, time
port = int(sys.argv[1])
slow = []
for _ in range(3):
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.connect(("127.0.0.1", port))
    c.sendall(b"GET /feeds/cloud.atom HTTP/1.1\r\nHost: x\r\n\r\n" * 2000)
    slow.append(c)
time.sleep(0.3)
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
s.settimeout(1.0)
try:
    got = s.recv(100)
    sys.exit("served past the cap: %r" % got)
except socket.timeout:
    pass
t = time.monotonic()
slow[0].close()
s.settimeout(5)
got = s.recv(100)
assert got.startswith(b"HTTP/1.1 200"), got
assert time.monotonic() - t < 1.0, time.monotonic() - t
for c in slow[1:]:
    c.close()
PY
grep -q 'httpd: 3 connections open, all answering' "$T/daemon.log" ||
    fail "pause not logged"
pass "max_connections: when all are answering, the next waits for a free slot"

# A reader that never reads: the loop still serves everyone else at once.
"$PY" - "$PORT" <<'PY' || fail "slow reader"
import socket, sys, time
port = int(sys.argv[1])
slow = socket.socket()
slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
slow.connect(("127.0.0.1", port))
# Many pipelined requests for the feed, and never a read.
slow.sendall(b"GET /feeds/cloud.atom HTTP/1.1\r\nHost: x\r\n\r\n" * 200)
time.sleep(0.3)
for _ in range(20):
    t = time.monotonic()
    c = socket.create_connection(("127.0.0.1", port), timeout=2)
    c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert c.recv(100).startswith(b"HTTP/1.1 200")
    c.close()
    assert time.monotonic() - t < 1.0
slow.close()
PY
kill -0 "$DAEMON_PID" || fail "daemon died"
pass "a client that does not read stalls nobody"

# Idle keep-alive and a request head that never ends are closed after http_timeout.
"$PY" - "$PORT" <<'PY' || fail "http_timeout"
import socket, sys, time
port = int(sys.argv[1])
idle = socket.create_connection(("127.0.0.1", port), timeout=10)
idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
assert idle.recv(200).startswith(b"HTTP/1.1 200")
half = socket.create_connection(("127.0.0.1", port), timeout=10)
half.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
t = time.monotonic()
assert idle.recv(100) == b"", "idle connection not closed"
got = b""
while True:
    b = half.recv(4096)
    if not b:
        break
    got += b
assert got.startswith(b"HTTP/1.1 408 "), got
assert got.endswith(b"Request Timeout\n"), got
took = time.monotonic() - t
assert 1.0 < took < 6.0, took
PY
pass "idle and unfinished connections closed after http_timeout"

t_stop "$DAEMON_PID" || fail "feedmuxd ignored SIGTERM"
[ "$T_STATUS" -eq 0 ] || fail "feedmuxd exited with $T_STATUS"
[ ! -e "$SOCK" ] || fail "unix socket left behind"
pass "clean stop removes the socket"
exit 0

#!/bin/sh
# hostile-clients: clients that attack rather than read.  1,000 slowloris
# connections (heads that never end, re-opened when shed) against a daemon
# whose descriptor limit (ulimit -n 256) lowers its connection cap: the
# well-formed requests sent meanwhile are all answered (p99 printed), the
# idle connections are shed at the cap, accept(2) never spins, and memory
# comes back.  Then headers past the limit (431), 100 KB URLs (414),
# traversal in every spelling (never a file: no "root:", never the secret
# planted beside the database), bad methods (405 with Allow), HTTP/0.9 and
# garbage (400), pipelining, bodies on GET and a head trickled past
# http_timeout (408).  The wrk flood is hostile-flood.sh.
. "$(dirname "$0")/lib.sh"
t_setup
command -v curl >/dev/null || fail "curl is required (apt-get install curl)"

mkdir -p "$T/pub" "$T/db"
cp "$t_here/fixtures/cloud.rss" "$t_here/fixtures/sec.atom" "$T/pub/"
fixpub_start "$T/pub"

# Files no request may ever read: beside the database and above it.
SECRET_DB="db-secret-$$-$(date +%s)"
SECRET_TOP="top-secret-$$-$(date +%s)"
echo "$SECRET_DB" >"$T/db/secret.txt"
echo "$SECRET_TOP" >"$T/secret.txt"

cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/db/feedmux.db
allow_private = yes
interval = 1h
http_timeout = 5s

[category "cloud"]
title = Cloud

[category "security"]
title = Security

[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss
categories = cloud

[source "secdaily"]
url = $FIXPUB_URL/sec.atom
categories = security, cloud
CONF

# 256 descriptors, soft and hard: the default cap of 1024 cannot fit.
cat >"$T/feedmuxd-256" <<SH
#!/bin/sh
ulimit -n 256 || exit 1
export ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}quarantine_size_mb=1:allocator_release_to_os_interval_ms=200"
exec "$FEEDMUXD" "\$@"
SH
chmod +x "$T/feedmuxd-256"
real_feedmuxd=$FEEDMUXD
FEEDMUXD="$T/feedmuxd-256"
daemon_start "$T/feedmux.conf"
FEEDMUXD=$real_feedmuxd
U=$DAEMON_URL
PORT=$DAEMON_PORT

grep -q 'max_connections 1024 lowered to [0-9]*: .* 256 descriptors' \
    "$T/daemon.log" || fail "the cap was not fitted to ulimit -n 256"
CAP=$(sed -n 's/.*max_connections 1024 lowered to \([0-9]*\):.*/\1/p' \
    "$T/daemon.log" | head -n 1)
pass "max_connections fitted to the descriptor limit: 1024 -> $CAP"

entries()
{
	n=$(curl -sS --max-time 5 "$U/feeds/cloud.atom" | grep -c '<entry>') ||
	    return 1
	[ "$n" -ge 5 ]
}
wait_for entries
pass "sources polled"

rss()
{
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$DAEMON_PID/status"
}
metric()
{
	curl -sS --max-time 5 "$U/metrics" | awk -v m="$1" '$1 == m { print $2 }'
}
for i in 1 2 3 4 5; do
	http_get "$U/feeds/cloud.atom" /dev/null
	http_get "$U/metrics" /dev/null
done
RSS0=$(rss)

# 1,000 heads that never end, against a cap of $CAP.
"$PY" "$t_here/hostile.py" slowloris "$PORT" 1000 12 /feeds/cloud.atom \
    >"$T/slow.out" 2>&1 || { cat "$T/slow.out"; fail "slowloris"; }
cat "$T/slow.out"
eval "$(sed -n 's/^RESULT //p' "$T/slow.out")"
# shellcheck disable=SC2154
{
	[ "$server_conns" -le "$CAP" ] ||
	    fail "$server_conns connections open past the cap of $CAP"
	[ "$shed" -gt 0 ] || fail "nothing shed at the cap"
	# Without shedding, every request waited for http_timeout or more.
	awk -v p="$p99_ms" 'BEGIN { exit !(p < 1000) }' ||
	    fail "p99 $p99_ms ms during the attack"
}
RSS1=$(rss)
wait_for sh -c "[ \$(curl -sS --max-time 5 '$U/metrics' | awk '\$1 == \"feedmux_http_connections\" { print \$2 }') -le 1 ]"
n=$(grep -c 'httpd: accept' "$T/daemon.log")
[ "$n" -eq 0 ] || fail "accept(2) failed $n times"
n=$(grep -c 'httpd:' "$T/daemon.log")
[ "$n" -lt 20 ] || fail "$n httpd log lines: the attack floods the log"
RSS2=$(rss)
echo "RSS (VmRSS): before $RSS0 kB, after the attack $RSS1 kB, settled $RSS2 kB"
# Connections cost 16 KB of head buffer each: their freeing must show.
[ "$RSS2" -le $((RSS0 + RSS0 / 4 + 4096)) ] ||
    fail "RSS $RSS2 kB after the attack, $RSS0 kB before"
pass "1,000 slowloris connections: well-formed GETs answered (p99 $p99_ms ms), idle shed at the cap, memory back"

"$PY" "$t_here/hostile.py" protocol "$PORT" "$SECRET_DB" "$SECRET_TOP" \
    >"$T/proto.out" 2>&1 || { cat "$T/proto.out"; fail "protocol"; }
cat "$T/proto.out"

# The routes that serve files do not exist; the ones that do serve ours.
for p in /feeds/..%2f..%2fetc/passwd /feeds/../../etc/passwd \
    /feeds/..%2fdb%2fsecret.txt /feeds/%2e%2e%2fsecret.txt; do
	st=$(curl -sS --max-time 5 --path-as-is -o "$T/body" -w '%{http_code}' "$U$p")
	[ "$st" = 404 ] || [ "$st" = 400 ] || fail "curl $p: $st"
	! grep -q -e 'root:' -e "$SECRET_DB" -e "$SECRET_TOP" "$T/body" ||
	    fail "curl $p: a file's content"
done
[ "$(http_get "$U/healthz")" = ok ] || fail "/healthz after the abuse"
t_alive "$DAEMON_PID" || fail "daemon died"
pass "the daemon is unhurt"
daemon_stop
exit 0

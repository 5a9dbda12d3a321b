#!/bin/sh
# socket-activation: given a listening socket as descriptor 3 with
# LISTEN_FDS=1 and LISTEN_PID (as feedmuxd.socket does), feedmuxd serves on
# it instead of binding `listen`, and answers on the control socket.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

fix="$t_here/fixtures"
mkdir -p "$T/pub"
cp "$fix/cloud.rss" "$T/pub/" || fail "fixtures missing in $fix"
fixpub_start "$T/pub"

# The configured address is one nobody may bind twice: a port fixpub holds.
cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = 127.0.0.1:$FIXPUB_PORT
database = $T/feedmux.db
allow_private = yes
interval = 1h

[category "news"]
[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss
categories = news
CONF

real=$FEEDMUXD
cat >"$T/activate" <<SH
#!/bin/sh
exec "$PY" "$t_here/sockact.py" "$T/act.port" "$real" "\$@"
SH
chmod +x "$T/activate"
FEEDMUXD=$T/activate
daemon_start "$T/feedmux.conf"
FEEDMUXD=$real
[ "$DAEMON_PORT" = "$(cat "$T/act.port")" ] ||
    fail "serving on $DAEMON_PORT, not the passed socket $(cat "$T/act.port")"
grep -q 'socket activation' "$T/daemon.log" || fail "no socket activation logged"
[ "$(http_status "$DAEMON_URL/healthz")" = 200 ] || fail "no answer on the passed socket"
has_entries()
{
	curl -sS --max-time 5 "$DAEMON_URL/feeds/news.atom" | grep -q '<entry>'
}
wait_for has_entries
pass "serves feeds on the passed socket"
daemon_stop
exit 0

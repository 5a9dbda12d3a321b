#!/bin/sh
# poll-oversize: the decoded body cap (max_body) stops a large body, an
# endless chunked body and a gzip bomb alike; each is an ordinary error of
# its source, and the daemon stays healthy.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl "$PY"

mkdir -p "$T/pub"
cp "$t_here/fixtures/cloud.rss" "$T/pub/small.rss"
{ cat "$t_here/fixtures/cloud.rss"; printf '<!--'; head -c 20000 /dev/zero | tr '\0' x; printf -- '-->\n'; } >"$T/pub/big.rss"
printf 'endless\n' >"$T/pub/endless.rss.meta"
# 4 MB of spaces gzip to about 4 kB, under the cap: decoded, far over it.
"$PY" -c '
import gzip, sys
head = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(gzip.compress(head + b"<!--" + b" " * (4 << 20) + b"-->"))
' "$t_here/fixtures/cloud.rss" "$T/pub/bomb.rss.gz"
printf 'raw-gzip\n' >"$T/pub/bomb.rss.gz.meta"
fixpub_start "$T/pub"
{ poll_conf_head "max_body = 8K"; cat <<CONF
[source "small"]
url = $FIXPUB_URL/small.rss
[source "big"]
url = $FIXPUB_URL/big.rss
[source "endless"]
url = $FIXPUB_URL/endless.rss
[source "bomb"]
url = $FIXPUB_URL/bomb.rss.gz
CONF
} >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf"

err_is_cap() {
	[ "$(status_field "$T/feedmux.conf" "$1" last_error)" = "response body over 8192 bytes" ]
}
state_is() { [ "$(status_field "$T/feedmux.conf" "$1" state)" = "$2" ]; }
for s in big endless bomb; do
	wait_for err_is_cap "$s"
	state_is "$s" failing || fail "$s not failing"
done
wait_for state_is small ok
[ "$(status_field "$T/feedmux.conf" big entries)" -eq 0 ] || fail "partial body stored"
[ "$(http_status "$DAEMON_URL/")" = 200 ] || fail "daemon unhealthy"
pass "large, endless and gzip-bomb bodies stop at max_body"
daemon_stop
exit 0

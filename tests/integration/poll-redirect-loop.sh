#!/bin/sh
# poll-redirect-loop: a redirect loop stops after the redirect limit (5)
# and is an ordinary error of that source; other sources are unharmed.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

mkdir -p "$T/pub"
cp "$t_here/fixtures/cloud.rss" "$T/pub/good.rss"
printf 'redirect 302 /b.rss\n' >"$T/pub/a.rss.meta"
printf 'redirect 301 /a.rss\n' >"$T/pub/b.rss.meta"
fixpub_start "$T/pub"
{ poll_conf_head; cat <<CONF
[source "loop"]
url = $FIXPUB_URL/a.rss
[source "good"]
url = $FIXPUB_URL/good.rss
CONF
} >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf"

state_is() { [ "$(status_field "$T/feedmux.conf" "$1" state)" = "$2" ]; }
wait_for state_is loop failing
wait_for state_is good ok
"$FEEDMUX" status loop -c "$T/feedmux.conf" | grep -qi 'redirects followed' ||
    { "$FEEDMUX" status loop -c "$T/feedmux.conf"; fail "error does not name the loop"; }
# One poll: the first request and 5 redirects, no more.
first=$(awk '$3 == "/a.rss" || $3 == "/b.rss" {
	split($1, t, "."); ms = t[1] * 1000 + t[2]
	if (t0 == "") t0 = ms
	if (ms < t0 + 500) n++
    } END { print n + 0 }' "$T/fixpub.log")
[ "$first" -eq 6 ] || fail "first poll made $first requests"
pass "redirect loop stops after 5 redirects, source failing, others fine"
daemon_stop
exit 0

#!/bin/sh
# poll-redirect-302: a temporary redirect is followed on every poll but
# never adopted; the source keeps its configured URL and stays ok.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

mkdir -p "$T/pub"
cp "$t_here/fixtures/cloud.rss" "$T/pub/elsewhere.rss"
printf 'redirect 302 /elsewhere.rss\n' >"$T/pub/feed.rss.meta"
fixpub_start "$T/pub"
{ poll_conf_head; cat <<CONF
[source "cloud"]
url = $FIXPUB_URL/feed.rss
CONF
} >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf"

count_at_least() { [ "$(fixpub_count "$1")" -ge "$2" ]; }
wait_for count_at_least /feed.rss 6
[ "$(fixpub_count /elsewhere.rss)" -ge 5 ] || fail "redirect not followed"
awk '$3 == "/feed.rss" && $4 != 302 { exit 1 }' "$T/fixpub.log" ||
    fail "feed.rss not answered 302"
[ "$(status_field "$T/feedmux.conf" cloud current_url)" = "$FIXPUB_URL/feed.rss" ] ||
    fail "a 302 was adopted"
[ "$(status_field "$T/feedmux.conf" cloud state)" = ok ] || fail "state"
[ "$(status_field "$T/feedmux.conf" cloud entries)" -eq 3 ] || fail "entries"
grep -q "moved permanently" "$T/daemon.log" && fail "a 302 was logged as a move"
pass "302 followed on every poll, never adopted"
daemon_stop
exit 0

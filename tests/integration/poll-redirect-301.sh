#!/bin/sh
# poll-redirect-301: a permanent redirect (301, relative Location) is
# followed at once but adopted as the source's URL only after it was seen
# on 3 polls in a row; then the new URL is polled directly, the move is
# logged and shown by feedmux status; the config file is left alone.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

mkdir -p "$T/pub"
cp "$t_here/fixtures/cloud.rss" "$T/pub/new.rss"
printf 'redirect 301 /new.rss\n' >"$T/pub/old.rss.meta"
fixpub_start "$T/pub"
{ poll_conf_head; cat <<CONF
[source "cloud"]
url = $FIXPUB_URL/old.rss
CONF
} >"$T/feedmux.conf"
cp "$T/feedmux.conf" "$T/feedmux.conf.orig"
daemon_start "$T/feedmux.conf"

count_at_least() { [ "$(fixpub_count "$1")" -ge "$2" ]; }
wait_for count_at_least /new.rss 6
[ "$(fixpub_count /old.rss)" -eq 3 ] ||
    fail "old URL requested $(fixpub_count /old.rss) times, want 3"
fixpub_requests /old.rss | grep -v ' 301 ' && fail "old URL not answered 301"
# After the third, every request goes straight to the new URL.
tail -n 3 "$T/fixpub.log" | awk '$3 != "/new.rss" { exit 1 }' ||
    fail "the new URL is not polled directly"
pass "adopted after 3 polls in a row, then polled directly"

[ "$(status_field "$T/feedmux.conf" cloud current_url)" = "$FIXPUB_URL/new.rss" ] ||
    fail "status does not show the new URL"
[ "$(status_field "$T/feedmux.conf" cloud url)" = "$FIXPUB_URL/old.rss" ] ||
    fail "configured URL changed"
[ "$(status_field "$T/feedmux.conf" cloud state)" = moved ] || fail "state"
"$FEEDMUX" status -c "$T/feedmux.conf" | grep -q "moved to $FIXPUB_URL/new.rss" ||
    fail "status table does not show the move"
grep -q "source cloud: moved permanently to $FIXPUB_URL/new.rss" "$T/daemon.log" ||
    fail "the move is not logged"
cmp -s "$T/feedmux.conf" "$T/feedmux.conf.orig" || fail "config rewritten"
[ "$(status_field "$T/feedmux.conf" cloud entries)" -eq 3 ] ||
    fail "entries stored more than once"
pass "logged, shown by status (state moved), config untouched"

# The URL in the config changes: the adopted one is forgotten.
sed -i "s|/old.rss|/new.rss|" "$T/feedmux.conf"
kill -HUP "$DAEMON_PID"
state_ok() { [ "$(status_field "$T/feedmux.conf" cloud state)" = ok ]; }
wait_for state_ok
pass "a config update clears the move"
daemon_stop
exit 0

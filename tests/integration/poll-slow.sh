#!/bin/sh
# poll-slow: a body that drips slower than low_speed_limit for
# low_speed_time is aborted then (here after about 2 s), long before the
# total timeout, as an ordinary error of the source.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

mkdir -p "$T/pub"
cp "$t_here/fixtures/cloud.rss" "$T/pub/slow.rss"
printf 'drip 20\n' >"$T/pub/slow.rss.meta"
fixpub_start "$T/pub"
{ poll_conf_head "interval = 1h" "max_interval = 1h" "timeout = 60s" \
    "low_speed_limit = 1000" "low_speed_time = 2s"; cat <<CONF
[source "slow"]
url = $FIXPUB_URL/slow.rss
CONF
} >"$T/feedmux.conf"
start=$(date +%s)
daemon_start "$T/feedmux.conf"

state_is() { [ "$(status_field "$T/feedmux.conf" slow state)" = "$1" ]; }
wait_for state_is failing
took=$(( $(date +%s) - start ))
[ "$took" -le 8 ] || fail "the slow body took ${took}s to abort"
status_field "$T/feedmux.conf" slow last_error | grep -qi 'too slow' ||
    fail "error: $(status_field "$T/feedmux.conf" slow last_error)"
[ "$(status_field "$T/feedmux.conf" slow entries)" -eq 0 ] || fail "partial body stored"
pass "slow drip aborted by the low-speed limit after ${took}s"
daemon_stop
exit 0

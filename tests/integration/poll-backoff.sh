#!/bin/sh
# poll-backoff: a failing source backs off exponentially from its interval
# (1 s here), doubling per failure, up to max_backoff (4 s here), then stays
# there; its state says failing, since when and why.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

mkdir -p "$T/pub"
printf 'status 500\n' >"$T/pub/down.rss.meta"
fixpub_start "$T/pub"
{ poll_conf_head "max_backoff = 4s"; cat <<CONF
[source "down"]
url = $FIXPUB_URL/down.rss
CONF
} >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf"

count_at_least() { [ "$(fixpub_count "$1")" -ge "$2" ]; }
WAIT_TRIES=250 wait_for count_at_least /down.rss 6
fixpub_times /down.rss | awk 'NR > 1 { print $1 - prev } { prev = $1 }' >"$T/gaps"
# Expected 1, 2, 4, 4, 4 s (timers fire whole seconds after each answer).
awk -v lo="900 1900 3900 3900 3900" -v hi="1600 2600 4600 4600 4600" '
    BEGIN { split(lo, l); split(hi, h) }
    NR <= 5 && ($1 < l[NR] || $1 > h[NR]) {
	printf "gap %d is %d ms, want %d to %d\n", NR, $1, l[NR], h[NR]; bad = 1
    }
    END { exit bad }' "$T/gaps" || { cat "$T/gaps"; fail "backoff gaps"; }
pass "backoff doubles from the interval: $(head -n 5 "$T/gaps" | tr '\n' ' ')ms"

[ "$(status_field "$T/feedmux.conf" down state)" = failing ] || fail "state"
[ "$(status_field "$T/feedmux.conf" down failures)" -ge 5 ] || fail "failures"
[ "$(status_field "$T/feedmux.conf" down last_error)" = "HTTP 500" ] ||
    fail "last error"
"$FEEDMUX" status down -c "$T/feedmux.conf" | grep -q '^  failing since .*failures in a row' ||
    fail "status does not say since when it fails"
pass "failing, since when and why"
daemon_stop
exit 0

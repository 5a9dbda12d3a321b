#!/bin/sh
# poll-retry-after: a 503 with Retry-After in seconds and a 429 with
# Retry-After as an HTTP date are both honoured for the source (the next
# request comes no sooner), and the source shows as throttled meanwhile.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

mkdir -p "$T/pub"
cp "$t_here/fixtures/cloud.rss" "$T/pub/cloud.rss"
printf 'status 503\nheader Retry-After: 3\n' >"$T/pub/cloud.rss.meta"
fixpub_start "$T/pub"
{ poll_conf_head; cat <<CONF
[source "cloud"]
url = $FIXPUB_URL/cloud.rss
CONF
} >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf"

count_at_least() { [ "$(fixpub_count "$1")" -ge "$2" ]; }
state_is() { [ "$(status_field "$T/feedmux.conf" cloud state)" = "$1" ]; }
wait_for count_at_least /cloud.rss 1
wait_for state_is throttled
# Three seconds from part way through one: the whole second after that.
"$FEEDMUX" status -c "$T/feedmux.conf" | grep -q 'HTTP 503, retry after [34]s' ||
    fail "the error does not say when to retry"
WAIT_TRIES=80 wait_for count_at_least /cloud.rss 2
gap=$(fixpub_times /cloud.rss | min_gap)
[ "$gap" -ge 2950 ] || fail "503 Retry-After: 3 honoured only ${gap} ms"
pass "503 with Retry-After in seconds: next request after ${gap} ms"

# The HTTP-date form, some seconds ahead.
until=$(( $(date +%s) + 6 ))
printf 'status 429\nheader Retry-After: %s\n' \
    "$(LC_ALL=C date -u -d "@$until" '+%a, %d %b %Y %H:%M:%S GMT')" \
    >"$T/pub/cloud.rss.meta"
n=$(fixpub_count /cloud.rss)
WAIT_TRIES=60 wait_for count_at_least /cloud.rss $((n + 1))
fixpub_requests /cloud.rss | tail -n 1 | grep -q ' 429 ' ||
    fail "the 429 was not served"
WAIT_TRIES=100 wait_for count_at_least /cloud.rss $((n + 2))
last=$(fixpub_times /cloud.rss | tail -n 1)
[ "$last" -ge $((until * 1000)) ] ||
    fail "429 Retry-After date honoured only until $last < ${until}000"
pass "429 with Retry-After as an HTTP date: next request after it"

rm "$T/pub/cloud.rss.meta"
wait_for state_is ok
pass "recovers to ok"
daemon_stop
exit 0

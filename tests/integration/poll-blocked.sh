#!/bin/sh
# poll-blocked: an HTML page where a feed was expected, and a bot-wall
# challenge (403 with cf-mitigated), mark the source blocked rather than
# failing, and change nothing stored.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

mkdir -p "$T/pub"
cat >"$T/pub/wall.html" <<'HTML'
<!DOCTYPE html>
<html><head><title>Just a moment...</title></head>
<body><p>Checking your browser before accessing the site.</p></body></html>
HTML
cp "$T/pub/wall.html" "$T/pub/challenge.html"
printf 'status 403\nheader cf-mitigated: challenge\n' >"$T/pub/challenge.html.meta"
fixpub_start "$T/pub"
{ poll_conf_head; cat <<CONF
[source "wall"]
url = $FIXPUB_URL/wall.html
[source "challenge"]
url = $FIXPUB_URL/challenge.html
CONF
} >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf"

state_is() { [ "$(status_field "$T/feedmux.conf" "$1" state)" = "$2" ]; }
wait_for state_is wall blocked
wait_for state_is challenge blocked
status_field "$T/feedmux.conf" wall last_error | grep -q '^not a feed' ||
    fail "wall error"
[ "$(status_field "$T/feedmux.conf" challenge last_error)" = "HTTP 403" ] ||
    fail "challenge error"
[ "$("$FEEDMUX" status --json -c "$T/feedmux.conf" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["entries"])')" = 0 ] ||
    fail "something stored"
pass "HTML page and cf-mitigated challenge classified as blocked"
daemon_stop
exit 0

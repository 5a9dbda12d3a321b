#!/bin/sh
# ctl-poll: with a long interval, `feedmux poll NAME` (over the daemon's
# control socket) makes fixpub see a new request promptly, `--all` polls
# every source, an unknown source exits 1 and a stopped daemon exits 2; the
# socket is owner-only and removed at exit.  `feedmux status SOURCE` shows
# the source with its poll records, read-only beside the running daemon.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

fix="$t_here/fixtures"
mkdir -p "$T/pub"
cp "$fix/cloud.rss" "$fix/sec.atom" "$T/pub/" || fail "fixtures missing in $fix"
fixpub_start "$T/pub"

cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/feedmux.db
control = $T/ctl.sock
allow_private = yes
interval = 1d

[category "news"]
[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss
categories = news

[source "secdaily"]
url = $FIXPUB_URL/sec.atom
categories = news
CONF

# Has fixpub logged more than N requests for PATH?  (Re-read on each try.)
count_gt()
{
	[ "$(fixpub_count "$1")" -gt "$2" ]
}

daemon_start "$T/feedmux.conf"
wait_for test -S "$T/ctl.sock"
perm=$(stat -c %a "$T/ctl.sock")
[ "$perm" = 600 ] || fail "control socket mode $perm, expected 600"
wait_for count_gt /cloud.rss 0
wait_for count_gt /sec.atom 0
has_entries()
{
	[ "$(curl -sS --max-time 5 "$DAEMON_URL/feeds/news.atom" | grep -c '<entry>')" -eq 5 ]
}
wait_for has_entries
pass "first polls done; control socket is owner-only"

# A day's interval: only the asked-for source is polled again, promptly.
c1=$(fixpub_count /cloud.rss)
s1=$(fixpub_count /sec.atom)
"$FEEDMUX" poll -c "$T/feedmux.conf" cloudweekly >"$T/poll.out" 2>&1 ||
    { cat "$T/poll.out" >&2; fail "feedmux poll failed"; }
grep -qx 'polling cloudweekly' "$T/poll.out" || fail "unexpected answer: $(cat "$T/poll.out")"
WAIT_TRIES=30 wait_for count_gt /cloud.rss "$c1"
# The poll was conditional: the stored validators went along.
fixpub_requests /cloud.rss | tail -n 1 | grep -q 'inm="' || fail "manual poll was not conditional"
sleep 0.5
[ "$(fixpub_count /sec.atom)" -eq "$s1" ] || fail "another source was polled too"
pass "feedmux poll NAME: fixpub saw a new request within 3 s"

c2=$(fixpub_count /cloud.rss)
"$FEEDMUX" poll -c "$T/feedmux.conf" --all >"$T/poll.out" 2>&1 || fail "poll --all failed"
grep -qx 'polling 2 sources' "$T/poll.out" || fail "unexpected answer: $(cat "$T/poll.out")"
WAIT_TRIES=30 wait_for count_gt /cloud.rss "$c2"
WAIT_TRIES=30 wait_for count_gt /sec.atom "$s1"
pass "feedmux poll --all"

"$FEEDMUX" poll -c "$T/feedmux.conf" nosuch >/dev/null 2>&1
[ $? -eq 1 ] || fail "unknown source did not exit 1"
# The daemon itself refuses what is not a source, and odd requests.
reply=$("$PY" - "$T/ctl.sock" <<'PYEOF'
import socket, sys
out = []
for req in (b"poll nosuch\n", b"poll ../../etc\n", b"frobnicate\n", b"x" * 600):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(sys.argv[1])
    s.sendall(req)
    out.append(s.recv(512).decode().strip())
    s.close()
print("|".join(out))
PYEOF
)
[ "$reply" = "error unknown source|error unknown source|error unknown command|error line too long" ] ||
    fail "control socket answers: $reply"
t_alive "$DAEMON_PID" || fail "daemon died on bad requests"
pass "unknown sources and bad requests refused"

# status SOURCE: the source and its recent poll records, beside the daemon.
"$FEEDMUX" status -c "$T/feedmux.conf" cloudweekly >"$T/status.out" 2>&1 ||
    { cat "$T/status.out" >&2; fail "status cloudweekly failed"; }
grep -q '^source  *cloudweekly$' "$T/status.out" || fail "no source line"
grep -q '^  *state  *ok$' "$T/status.out" || fail "no state line"
grep -q '^  *entries  *3$' "$T/status.out" || fail "no entries line"
polls=$(grep -c '^  *20[0-9-]*T[0-9:]*Z  *\(200\|304\) ' "$T/status.out")
[ "$polls" -ge 3 ] || { cat "$T/status.out" >&2; fail "expected 3 poll records, saw $polls"; }
grep -q ' 304 ' "$T/status.out" || fail "no 304 record after the conditional polls"
grep -q '^  *configured  *.*feedmux.conf:[0-9]*, every 86400s, categories: news$' "$T/status.out" ||
    fail "no configured line"
"$FEEDMUX" status --json -c "$T/feedmux.conf" cloudweekly >"$T/status.json" ||
    fail "status --json SOURCE failed"
"$PY" - "$T/status.json" <<'PYEOF' || fail "status --json SOURCE is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["name"] == "cloudweekly" and d["state"] == "ok", d
assert d["entries"] == 3, d
assert len(d["polls"]) >= 3 and d["polls"][0]["at"] >= d["polls"][-1]["at"], d
assert d["polls"][-1]["new"] == 3, d
PYEOF
"$FEEDMUX" status -c "$T/feedmux.conf" nosuch >/dev/null 2>&1
[ $? -eq 1 ] || fail "status of an unknown source did not exit 1"
pass "status SOURCE: detail and poll records (text and JSON)"

daemon_stop
[ ! -e "$T/ctl.sock" ] || fail "control socket left behind"
"$FEEDMUX" poll -c "$T/feedmux.conf" cloudweekly >/dev/null 2>"$T/poll.err"
[ $? -eq 2 ] || fail "poll without a daemon did not exit 2"
grep -q 'is feedmuxd running' "$T/poll.err" || fail "no hint without a daemon"
pass "socket removed at exit; poll without a daemon exits 2"
exit 0

#!/bin/sh
# bad-input: a source that turns empty, into garbage or over the size cap
# gets its error recorded and changes nothing stored; other sources and the
# daemon carry on.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl sqlite3

fix="$t_here/fixtures"
mkdir -p "$T/pub"
cp "$fix/cloud.rss" "$T/pub/" || fail "fixtures missing in $fix"
cp "$fix/sec.atom" "$T/pub/sec.atom" || fail "fixtures missing in $fix"
fixpub_start "$T/pub"

cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/db/feedmux.db
allow_private = yes
interval = 1s
max_body = 2K

[category "news"]
title = News

[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss
categories = news

[source "secdaily"]
url = $FIXPUB_URL/sec.atom
categories = news
CONF

count()
{
	curl -sS --max-time 5 "$DAEMON_URL/feeds/news.atom" | grep -c '<entry>'
}

has()
{
	[ "$(count)" -eq "$1" ]
}

status_of()
{
	"$FEEDMUX" status -c "$T/feedmux.conf" | awk -v s="$1" '$1 == s'
}

daemon_start "$T/feedmux.conf"
wait_for has 5
pass "both sources stored"

# Each bad variant in turn: the error is recorded, the 5 entries stay.
for variant in empty garbage huge; do
	case $variant in
	empty)	: >"$T/pub/sec.atom.new"; want='not a feed' ;;
	garbage) printf '\001\002<<<%s' "$(head -c 500 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$T/pub/sec.atom.new"; want='not a feed' ;;
	huge)	{ cat "$fix/sec.atom"; head -c 4096 /dev/zero | tr '\0' ' '; } >"$T/pub/sec.atom.new"; want='over 2048 bytes' ;;
	esac
	mv "$T/pub/sec.atom.new" "$T/pub/sec.atom"
	wait_for sh -c "'$FEEDMUX' status -c '$T/feedmux.conf' | grep '^secdaily ' | grep -q '$want'"
	has 5 || fail "$variant: stored entries changed"
	status_of cloudweekly | grep -q ' ok ' || fail "$variant: other source not ok"
	t_alive "$DAEMON_PID" || fail "$variant: daemon died"
	pass "$variant feed: error recorded, nothing lost"
done

# The source recovers when the publisher does.
cp "$fix/sec.atom" "$T/pub/sec.atom"
wait_for sh -c "'$FEEDMUX' status -c '$T/feedmux.conf' | grep -q '^secdaily  *ok'"
has 5 || fail "recovery duplicated or lost entries"
pass "source recovers, no duplicates"
daemon_stop
sqlite3 "$T/db/feedmux.db" 'PRAGMA integrity_check' | grep -qx ok || fail "integrity"
exit 0

#!/bin/sh
# republish-websub: with `hub = URL`, every feed names the hub (rel="hub"
# in Atom and RSS, "hubs" in JSON Feed, a Link header), and the hub is
# pinged (POST hub.mode=publish with each format's URL) when a category's
# entries change: for the changed categories only, changes within a second
# coalesced into one ping.
. "$(dirname "$0")/lib.sh"
t_setup
command -v curl >/dev/null || fail "curl is required (apt-get install curl)"

fix="$t_here/fixtures"
mkdir -p "$T/pub"
cp "$fix/cloud.rss" "$fix/sec.atom" "$T/pub/"
fixpub_start "$T/pub"

cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/db/feedmux.db
allow_private = yes
interval = 2s
hub = $FIXPUB_URL/hub

[category "cloud"]
title = Cloud

[category "security"]
title = Security

[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss
categories = cloud

[source "secdaily"]
url = $FIXPUB_URL/sec.atom
categories = security
CONF

daemon_start "$T/feedmux.conf"
U=$DAEMON_URL
enc()
{
	printf '%s' "$1" | sed -e 's|:|%3A|g' -e 's|/|%2F|g'
}

pings()
{
	grep -c "^POST /hub body=hub.mode=publish&hub.url=$(enc "$U/feeds/$1.atom")&hub.url=$(enc "$U/feeds/$1.rss")&hub.url=$(enc "$U/feeds/$1.json")\$" \
	    "$T/fixpub.log.post" 2>/dev/null
}
has_pings()
{
	[ "$(pings "$1")" -eq "$2" ]
}
wait_for has_pings cloud 1
wait_for has_pings security 1
# Both first polls land within the coalescing second, or not: 1 or 2.
wait_for sh -c "grep -c 'hub.url=$(enc "$U/feeds/all.atom")' '$T/fixpub.log.post' | grep -qx '[12]'"
sleep 1.5
ALL=$(pings all)
has_pings cloud 1 && has_pings security 1 || fail "more than one ping per category"
pass "first poll of each source pings the hub for its category and all"

curl -sS "$U/feeds/cloud.atom" | grep -qF "<link rel=\"hub\" href=\"$FIXPUB_URL/hub\"/>" ||
    fail "Atom rel=hub"
curl -sS "$U/feeds/cloud.rss" | grep -qF "<atom:link rel=\"hub\" href=\"$FIXPUB_URL/hub\"/>" ||
    fail "RSS atom:link rel=hub"
curl -sS "$U/feeds/cloud.json" | grep -qF "\"hubs\":[{\"type\":\"WebSub\",\"url\":\"$FIXPUB_URL/hub\"}]" ||
    fail "JSON hubs"
http_headers "$U/feeds/cloud.atom" | http_header Link | grep -qF "<$FIXPUB_URL/hub>; rel=\"hub\"" ||
    fail "Link header"
pass "feeds name the hub in every format and in a Link header"

# Re-polls that change nothing ping nothing.
polls=$(fixpub_count /cloud.rss)
wait_for sh -c "[ \$(awk '\$3 == \"/cloud.rss\"' '$T/fixpub.log' | wc -l) -ge $((polls + 2)) ]"
has_pings cloud 1 || fail "unchanged polls pinged"
pass "no ping without a change"

# A change in cloud pings cloud (and all), not security.
sed 's|Cheaper bytes.|Cheaper bytes, again.|' "$fix/cloud.rss" >"$T/pub/cloud.rss.new"
mv "$T/pub/cloud.rss.new" "$T/pub/cloud.rss"
wait_for has_pings cloud 2
wait_for has_pings all $((ALL + 1))
sleep 1.5
has_pings security 1 || fail "security pinged for a cloud change"
has_pings cloud 2 || fail "one change, several pings"
pass "a change pings the hub for the changed category only"
daemon_stop
exit 0

#!/bin/sh
# categories: entries are sorted by the category rules (terms, patterns,
# sources, includes, exclusions); changing the rules and sending SIGHUP
# re-sorts the stored entries without fetching anything again, and the
# feeds' ETags change; `feedmux explain` names the rule that decided each
# category; the index links each category to its rules page.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl

fix="$t_here/fixtures"
mkdir -p "$T/pub"
cp "$fix/cloud.rss" "$fix/sec.atom" "$T/pub/" || fail "fixtures missing in $fix"
fixpub_start "$T/pub"

write_conf()
{
	cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/db/feedmux.db
allow_private = yes
interval = 1h
$2

[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss

[source "secdaily"]
url = $FIXPUB_URL/sec.atom

[category "tech"]
include = cloud, k8s
exclude = \\bstorage\\b
CONF
	if [ "$1" = one ]; then
		cat >>"$T/feedmux.conf" <<'CONF'

[category "cloud"]
terms = cloud

[category "k8s"]
match = \bkubernetes\b

[category "sec"]
sources = secdaily
CONF
	else
		cat >>"$T/feedmux.conf" <<'CONF'

[category "cloud"]
match = storage|datacent(er|re)

[category "k8s"]
match_title = zero-day

[category "sec"]
sources = secdaily
exclude = \bpatch
CONF
	fi
}

# The entry titles of feed $1, one per line, as served.
titles()
{
	curl -sS --max-time 5 "$DAEMON_URL/feeds/$1.atom" |
	    awk '/^<entry>/ { e = 1; next }
		e && /^<title/ { sub(/^<title[^>]*>/, ""); sub(/<\/title>$/, "");
		    print; e = 0 }' | LC_ALL=C sort | tr '\n' '|'
}

is()
{
	[ "$(titles "$1")" = "$2" ]
}

resorted()
{
	[ "$(grep -c 'categories: re-sorted' "$T/daemon.log")" -ge "$1" ]
}

expect()
{
	got=$(titles "$1")
	[ "$got" = "$2" ] || fail "feed $1: got '$got', want '$2'"
}

write_conf one
daemon_start "$T/feedmux.conf"
wait_for is sec "&lt;em&gt;Zero-day&lt;/em&gt; in widgets|Patch Tuesday roundup|"
wait_for is cloud "Datacentre opens in Oslo|"
expect k8s "Kubernetes 2.0 &amp; you|"
expect tech "Datacentre opens in Oslo|Kubernetes 2.0 &amp; you|"
wait_for resorted 1
pass "first rules: terms, match, sources, include"

etag=$(http_headers "$DAEMON_URL/feeds/cloud.atom" | http_header etag)
[ -n "$etag" ] || fail "no ETag on cloud.atom"
polls_cloud=$(fixpub_count /cloud.rss)
polls_sec=$(fixpub_count /sec.atom)

# New rules: entries move between categories on SIGHUP, nothing refetched.
write_conf two "all = no"
kill -HUP "$DAEMON_PID"
wait_for resorted 2
expect cloud "Datacentre opens in Oslo|Storage prices fall|"
expect k8s "&lt;em&gt;Zero-day&lt;/em&gt; in widgets|"
expect sec "&lt;em&gt;Zero-day&lt;/em&gt; in widgets|"
expect tech "&lt;em&gt;Zero-day&lt;/em&gt; in widgets|Datacentre opens in Oslo|"
[ "$(fixpub_count /cloud.rss)" -eq "$polls_cloud" ] || fail "cloud.rss fetched again"
[ "$(fixpub_count /sec.atom)" -eq "$polls_sec" ] || fail "sec.atom fetched again"
etag2=$(http_headers "$DAEMON_URL/feeds/cloud.atom" | http_header etag)
[ "$etag2" != "$etag" ] || fail "cloud.atom kept its ETag ($etag) after re-sorting"
grep -q 'categories: rules of 4 categories changed' "$T/daemon.log" ||
    fail "no log line naming the changed rules"
[ "$(http_status "$DAEMON_URL/feeds/all.atom")" = 404 ] || fail "all = no still serves all.atom"
pass "SIGHUP re-sorts without refetching; ETag changed; all = no"

# The index links each category to its rules page.
curl -sS --max-time 5 "$DAEMON_URL/" | grep -q 'href="/categories/cloud"' ||
    fail "index does not link to /categories/cloud"
page=$(curl -sS --max-time 5 "$DAEMON_URL/categories/sec")
printf "%s\n" "$page" | grep -q '<code>\\bpatch</code>' || fail "rules page lacks the exclude pattern"
printf "%s\n" "$page" | grep -q 'secdaily' || fail "rules page lacks the source"
[ "$(http_status "$DAEMON_URL/categories/nosuch")" = 404 ] || fail "unknown category page not 404"
pass "rules page"

# explain: by guid, by link, by id; a stranger is "no".
"$FEEDMUX" explain -c "$T/feedmux.conf" tag:sec.example.org,2026:patch >"$T/ex1" ||
    fail "explain by guid failed"
grep -q '^  sec  *out  excluded, text matches "Patch": \\bpatch ('"$T"'/feedmux.conf:[0-9]*)$' "$T/ex1" ||
    { cat "$T/ex1" >&2; fail "explain does not name the exclude rule"; }
"$FEEDMUX" explain -c "$T/feedmux.conf" http://cloud.example.com/storage >"$T/ex2" ||
    fail "explain by link failed"
grep -q '^  cloud  *in   text matches "Storage": storage|datacent(er|re) (' "$T/ex2" ||
    { cat "$T/ex2" >&2; fail "explain does not name the match rule"; }
grep -q '^  tech  *out  excluded, text matches "Storage": \\bstorage\\b (' "$T/ex2" ||
    { cat "$T/ex2" >&2; fail "explain does not name tech's exclusion"; }
id=$(sed -n 's/^entry \([0-9]*\):.*/\1/p' "$T/ex2")
"$FEEDMUX" explain -c "$T/feedmux.conf" "$id" >"$T/ex3" || fail "explain by id failed"
cmp -s "$T/ex2" "$T/ex3" || fail "explain by id differs from by link"
"$FEEDMUX" explain -c "$T/feedmux.conf" http://nowhere.example/ 2>/dev/null
[ $? -eq 1 ] || fail "explain of an unknown entry does not exit 1"
pass "explain names the deciding rule"

# A restart with changed rules re-sorts too (the rules are remembered).
daemon_stop
write_conf one
daemon_start "$T/feedmux.conf"
wait_for resorted 3
expect k8s "Kubernetes 2.0 &amp; you|"
[ "$(fixpub_count /cloud.rss)" -le "$((polls_cloud + 1))" ] || fail "too many fetches"
daemon_stop
pass "restart with changed rules re-sorts"
exit 0

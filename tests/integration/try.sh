#!/bin/sh
# try: `feedmux try URL` fetches once from the fixture publisher, parses,
# and shows each entry's identity key, dates as parsed, the categories it
# would join and warnings, writing nothing; the SSRF guard applies unless
# the config allows private addresses; not-a-feed and HTTP errors exit 1.
. "$(dirname "$0")/lib.sh"
t_setup

fix="$t_here/fixtures"
mkdir -p "$T/pub"
cp "$fix/cloud.rss" "$fix/sec.atom" "$T/pub/" || fail "fixtures missing in $fix"
cat >"$T/pub/nodates.rss" <<'RSS'
<?xml version="1.0"?>
<rss version="2.0"><channel><title>No dates</title><link>http://x.example/</link>
<item><title>Undated</title><description>same</description></item>
<item><title>Undated</title><description>same</description></item>
</channel></rss>
RSS
printf '<html><body>hello</body></html>\n' >"$T/pub/page.html"
fixpub_start "$T/pub"

write_conf()
{
	cat >"$T/feedmux.conf" <<CONF
[feedmux]
database = $T/feedmux.db
allow_private = $1
user_agent = feedmux-try-test/1

[category "cloud"]
[category "news"]

[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss
categories = cloud, news
CONF
}

write_conf yes
"$FEEDMUX" try -c "$T/feedmux.conf" "$FIXPUB_URL/cloud.rss" >"$T/try.out" 2>"$T/try.err" ||
    { cat "$T/try.out" "$T/try.err" >&2; fail "try exited $?"; }
for want in 'status      200, application/rss+xml' 'format      rss20' \
    'source      cloudweekly' 'entries     3' \
    '  1. key         cw-1 (guid)' 'published   2026-11-02T09:00:00Z' \
    'published   2026-11-03T09:30:00Z' 'categories  cloud news' \
    'title       Datacentre opens in Oslo' 'terms       Cloud' '0 warnings'; do
	grep -qF "$want" "$T/try.out" || { cat "$T/try.out" >&2; fail "no \"$want\""; }
done
[ "$(fixpub_count /cloud.rss)" -eq 1 ] || fail "expected exactly one request"
fixpub_requests /cloud.rss | grep -q ' ua=feedmux-try-test/1\( \|$\)' ||
    fail "the configured User-Agent was not sent"
[ ! -e "$T/feedmux.db" ] || fail "try created the database"
pass "try shows keys, parsed dates, categories; one request, nothing stored"

# A URL no source has: no categories, keys by hash, warnings counted.
"$FEEDMUX" try -c "$T/feedmux.conf" "$FIXPUB_URL/nodates.rss" >"$T/try.out" 2>&1 ||
    { cat "$T/try.out" >&2; fail "try nodates failed"; }
grep -q 'source      not configured' "$T/try.out" || fail "unconfigured URL not said"
grep -q 'categories  none' "$T/try.out" || fail "categories of an unconfigured URL"
grep -q 'key         h:[0-9A-F]\{32\} (hash of title, date and content)' "$T/try.out" ||
    { cat "$T/try.out" >&2; fail "no hash key"; }
grep -q 'warning: no date' "$T/try.out" || fail "no warning for a missing date"
grep -q 'warning: same key as entry 1; stored once' "$T/try.out" || fail "no duplicate warning"
grep -q '^3 warnings$' "$T/try.out" || { cat "$T/try.out" >&2; fail "warnings not counted"; }
pass "unconfigured URL, hash keys, warnings"

# --source names the categories for any URL.
"$FEEDMUX" try -c "$T/feedmux.conf" --source cloudweekly "$FIXPUB_URL/sec.atom" >"$T/try.out" 2>&1 ||
    fail "try --source failed"
grep -q 'categories  cloud news' "$T/try.out" || fail "--source categories not shown"
grep -q 'format      atom10' "$T/try.out" || fail "atom not recognised"
pass "--source"

# Not a feed, and an HTTP error: exit 1 with the reason.
"$FEEDMUX" try -c "$T/feedmux.conf" "$FIXPUB_URL/page.html" >"$T/try.out" 2>&1
[ $? -eq 1 ] || fail "an HTML page did not exit 1"
grep -q 'error       not a feed' "$T/try.out" || fail "not-a-feed not said"
"$FEEDMUX" try -c "$T/feedmux.conf" "$FIXPUB_URL/missing.rss" >"$T/try.out" 2>&1
[ $? -eq 1 ] || fail "a 404 did not exit 1"
grep -q 'error       HTTP 404' "$T/try.out" || fail "HTTP 404 not said"
pass "not a feed and HTTP errors exit 1"

# The SSRF guard: loopback is refused unless the config allows it.
write_conf no
before=$(fixpub_count /cloud.rss)
"$FEEDMUX" try -c "$T/feedmux.conf" "$FIXPUB_URL/cloud.rss" >"$T/try.out" 2>&1
[ $? -eq 1 ] || fail "a loopback URL was not refused"
grep -q 'blocked by policy' "$T/try.out" || { cat "$T/try.out" >&2; fail "no policy error"; }
[ "$(fixpub_count /cloud.rss)" -eq "$before" ] || fail "the guard let a request through"
pass "SSRF guard honoured"

"$FEEDMUX" try -c "$T/feedmux.conf" >/dev/null 2>&1
[ $? -eq 2 ] || fail "usage error did not exit 2"
exit 0

#!/bin/sh
# republish-http: the HTTP behaviour of the served feeds.  Strong ETag,
# Last-Modified, 304 for If-None-Match and If-Modified-Since, honest
# Cache-Control and Vary, gzip made once per version, HEAD like GET without
# a body, 404/405/414/431/400; paging with ?limit and ?before (RFC 5005
# rel=next) reaching every entry once; archive pages (rel=prev-archive) that
# together with the feed hold everything and keep their ETag; a poll that
# changes nothing, or changes another category, renders nothing again;
# /healthz, /metrics and OPML.
. "$(dirname "$0")/lib.sh"
t_setup
command -v curl >/dev/null || fail "curl is required (apt-get install curl)"
command -v xmllint >/dev/null ||
    fail "xmllint is required (apt-get install libxml2-utils)"
"$PY" -c 'import feedparser' 2>/dev/null ||
    fail "$PY with feedparser is required (apt-get install python3-feedparser)"

fix="$t_here/fixtures"
mkdir -p "$T/pub"
cp "$fix/cloud.rss" "$fix/sec.atom" "$T/pub/"

# A publisher with 120 entries, newest first, one a day.
big_feed()
{
	"$PY" - "$1" <<'PY'
import sys, email.utils
n = int(sys.argv[1])
print('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
      '<title>Big</title><link>http://big.example.com/</link>'
      '<description>many</description>')
for i in range(n, 0, -1):
    d = email.utils.formatdate(1700000000 + i * 86400, usegmt=True)
    print('<item><title>Big %d</title><link>http://big.example.com/%d</link>'
          '<guid>http://big.example.com/%d</guid><pubDate>%s</pubDate>'
          '<description>Entry %d</description></item>' % (i, i, i, d, i))
print('</channel></rss>')
PY
}
big_feed 120 >"$T/pub/big.rss"
fixpub_start "$T/pub"

cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/db/feedmux.db
allow_private = yes
interval = 2s
max_interval = 2s

[category "cloud"]
title = Cloud

[category "security"]
title = Security

[category "big"]
title = Big

[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss
categories = cloud

[source "secdaily"]
url = $FIXPUB_URL/sec.atom
categories = security, cloud

[source "bigpub"]
url = $FIXPUB_URL/big.rss
categories = big
CONF

daemon_start "$T/feedmux.conf"
U=$DAEMON_URL

atom_count()
{
	n=$(curl -sS --max-time 5 "$1" | grep -c '<entry>') || return 1
	[ "$n" -eq "$2" ]
}
wait_for atom_count "$U/feeds/cloud.atom" 5
wait_for atom_count "$U/feeds/big.atom" 50
pass "sources polled"

hdr()
{
	http_header "$1" <"$2"
}

# Validators and caching headers.
http_headers "$U/feeds/cloud.atom" >"$T/h1"
head -n 1 "$T/h1" | grep -q ' 200 ' || fail "cloud.atom: $(head -n 1 "$T/h1")"
ETAG=$(hdr ETag "$T/h1")
LM=$(hdr Last-Modified "$T/h1")
case "$ETAG" in
\"*\") ;;
*) fail "ETag is not a strong quoted tag: '$ETAG'" ;;
esac
[ -n "$LM" ] || fail "no Last-Modified"
hdr Cache-Control "$T/h1" | grep -Eq '^public, max-age=[0-9]+$' ||
    fail "Cache-Control: $(hdr Cache-Control "$T/h1")"
age=$(hdr Cache-Control "$T/h1" | sed 's/.*max-age=//')
# Sources poll every 2 s: the feed may change within seconds.
[ "$age" -ge 1 ] && [ "$age" -le 5 ] || fail "max-age $age not tied to the next poll"
[ "$(hdr Vary "$T/h1")" = "Accept-Encoding" ] || fail "Vary"
pass "strong ETag, Last-Modified, Cache-Control max-age from the next poll, Vary"

[ "$(http_status "$U/feeds/cloud.atom" -H "If-None-Match: $ETAG")" = 304 ] ||
    fail "If-None-Match not 304"
[ "$(http_status "$U/feeds/cloud.atom" -H "If-None-Match: \"other\", $ETAG")" = 304 ] ||
    fail "If-None-Match list not 304"
[ "$(http_status "$U/feeds/cloud.atom" -H 'If-None-Match: "nope"')" = 200 ] ||
    fail "wrong If-None-Match not 200"
[ "$(http_status "$U/feeds/cloud.atom" -H "If-Modified-Since: $LM")" = 304 ] ||
    fail "If-Modified-Since not 304"
[ "$(http_status "$U/feeds/cloud.atom" -H 'If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT')" = 200 ] ||
    fail "old If-Modified-Since not 200"
[ "$(http_status "$U/feeds/cloud.atom" -H 'If-None-Match: "nope"' -H "If-Modified-Since: $LM")" = 200 ] ||
    fail "If-None-Match must win over If-Modified-Since"
curl -sS -D "$T/h304" -o "$T/b304" -H "If-None-Match: $ETAG" "$U/feeds/cloud.atom"
[ ! -s "$T/b304" ] || fail "304 with a body"
[ "$(tr -d '\r' <"$T/h304" | http_header ETag)" = "$ETAG" ] || fail "304 without the ETag"
pass "304 for If-None-Match and If-Modified-Since"

# gzip: once per version, the same bytes, its own validator.
http_get "$U/feeds/cloud.atom" "$T/plain"
http_get "$U/feeds/cloud.atom" "$T/gz" -H 'Accept-Encoding: gzip' -D "$T/hgz"
tr -d '\r' <"$T/hgz" >"$T/hgz2"
[ "$(hdr Content-Encoding "$T/hgz2")" = gzip ] || fail "no Content-Encoding: gzip"
gzip -dc <"$T/gz" | cmp -s - "$T/plain" || fail "gzip body differs from plain"
GZTAG=$(hdr ETag "$T/hgz2")
[ -n "$GZTAG" ] && [ "$GZTAG" != "$ETAG" ] || fail "gzip variant shares the ETag"
[ "$(http_status "$U/feeds/cloud.atom" -H 'Accept-Encoding: gzip' -H "If-None-Match: $GZTAG")" = 304 ] ||
    fail "gzip If-None-Match not 304"
http_headers "$U/feeds/cloud.atom" -H 'Accept-Encoding: gzip;q=0, identity' >"$T/hq0"
[ -z "$(hdr Content-Encoding "$T/hq0")" ] || fail "gzip;q=0 got gzip"
http_headers "$U/feeds/cloud.atom" -H 'Accept-Encoding: br, gzip;q=0.5' >"$T/hq5"
[ "$(hdr Content-Encoding "$T/hq5")" = gzip ] || fail "gzip;q=0.5 not gzip"
pass "gzip when accepted (q honoured), identical bytes, own ETag"

# HEAD everywhere GET is.
for p in /feeds/cloud.atom /feeds/cloud.rss /feeds/cloud.json /sources/bigpub.rss \
    /feeds/big/archive/1.atom / /opml /opml/cloud /healthz /metrics; do
	curl -sS --max-time 10 -I -o /dev/null -w '%{http_code}' "$U$p" >"$T/hs" ||
	    fail "HEAD $p"
	[ "$(cat "$T/hs")" = 200 ] || fail "HEAD $p: $(cat "$T/hs")"
done
curl -sS -I "$U/feeds/cloud.rss" | tr -d '\r' >"$T/hh"
len=$(hdr Content-Length "$T/hh")
[ "$len" = "$(curl -sS "$U/feeds/cloud.rss" | wc -c)" ] || fail "HEAD Content-Length"
"$PY" - "$DAEMON_PORT" <<'PY' || fail "HEAD sent a body"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"HEAD /feeds/cloud.atom HTTP/1.1\r\nHost: x\r\n\r\n"
          b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
head, rest = data.split(b"\r\n\r\n", 1)
# The next bytes are the second response, not a body.
assert rest.startswith(b"HTTP/1.1 200"), rest[:80]
assert rest.endswith(b"ok\n"), rest[-40:]
PY
pass "HEAD answers like GET without a body (also pipelined)"

# Errors.
[ "$(http_status "$U/nosuch")" = 404 ] || fail "404"
[ "$(http_status "$U/feeds/nosuch.atom")" = 404 ] || fail "unknown category"
[ "$(http_status "$U/feeds/cloud.xml")" = 404 ] || fail "unknown format"
[ "$(http_status "$U/feeds/..%2f..%2fetc%2fpasswd")" = 404 ] || fail "traversal"
for m in POST PUT DELETE PATCH; do
	curl -sS -o /dev/null -D "$T/h405" -X "$m" "$U/feeds/cloud.atom"
	tr -d '\r' <"$T/h405" >"$T/h405b"
	head -n 1 "$T/h405b" | grep -q ' 405 ' || fail "$m not 405"
	[ "$(hdr Allow "$T/h405b")" = "GET, HEAD" ] || fail "$m: Allow"
done
long=$(printf '%03000d' 0)
[ "$(http_status "$U/feeds/cloud.atom?x=$long")" = 414 ] || fail "long URL not 414"
big=$(printf '%020000d' 0)
[ "$(http_status "$U/feeds/cloud.atom" -H "X-Big: $big")" = 431 ] || fail "big header not 431"
"$PY" - "$DAEMON_PORT" <<'PY' || fail "garbage not 400"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GARBAGE\r\n\r\n")
assert s.recv(100).startswith(b"HTTP/1.1 400 "), "no 400"
PY
[ "$(http_status "$U/healthz")" = 200 ] || fail "daemon hurt by bad requests"
pass "404, 405 with Allow, 414, 431, 400"

# Paging: rel=next from the newest to the oldest, each entry once.
for bad in 'limit=0' 'limit=501' 'limit=abc' 'before=12' 'before=x_1' 'before=1_0'; do
	[ "$(http_status "$U/feeds/big.atom?$bad")" = 400 ] || fail "?$bad not 400"
done
"$PY" - "$U" <<'PY' || fail "paging"
import sys, urllib.request, feedparser
u = sys.argv[1]
url, seen, pages = u + "/feeds/big.atom?limit=7", [], 0
while url:
    d = feedparser.parse(urllib.request.urlopen(url, timeout=10).read())
    assert not d.bozo, d.bozo_exception
    seen += [e.title for e in d.entries]
    nxt = [l.href for l in d.feed.links if l.rel == "next"]
    if pages > 0:
        assert [l.href for l in d.feed.links if l.rel == "first"] == \
            [u + "/feeds/big.atom"], d.feed.links
    url = nxt[0] if nxt else None
    pages += 1
    assert pages < 40
assert seen == ["Big %d" % i for i in range(120, 0, -1)], seen
assert pages == 18, pages
PY
pass "?limit and ?before pages reach all 120 entries once, newest first"

# Archives: full pages of 50 in arrival order, linked by prev-archive.
[ "$(http_status "$U/feeds/big/archive/3.atom")" = 404 ] || fail "archive 3 exists"
[ "$(http_status "$U/feeds/big/archive/0.atom")" = 404 ] || fail "archive 0"
"$PY" - "$U" "$T/arch" <<'PY' || fail "archives"
import sys, urllib.request, feedparser
u, out = sys.argv[1], sys.argv[2]
FH = "{http://purl.org/syndication/history/1.0}archive"
def get(url):
    raw = urllib.request.urlopen(url, timeout=10).read()
    d = feedparser.parse(raw)
    assert not d.bozo, (url, d.bozo_exception)
    return d, raw
d, _ = get(u + "/feeds/big.atom")
have = {e.title for e in d.entries}
prev = [l.href for l in d.feed.links if l.rel == "prev-archive"]
assert prev == [u + "/feeds/big/archive/2.atom"], d.feed.links
n = 0
while prev:
    a, raw = get(prev[0])
    assert b"<fh:archive/>" in raw
    assert [l.href for l in a.feed.links if l.rel == "current"] == [u + "/feeds/big.atom"]
    assert len(a.entries) == 50, len(a.entries)
    have |= {e.title for e in a.entries}
    prev = [l.href for l in a.feed.links if l.rel == "prev-archive"]
    n += 1
assert n == 2, n
assert have == {"Big %d" % i for i in range(1, 121)}, sorted(have)
# The oldest arrive first: page 1 holds Big 1..50.
a, _ = get(u + "/feeds/big/archive/1.atom")
assert {e.title for e in a.entries} == {"Big %d" % i for i in range(1, 51)}
PY
http_headers "$U/feeds/big/archive/1.atom" >"$T/ha"
hdr Cache-Control "$T/ha" | grep -q 'max-age=31536000' || fail "archive lifetime"
ARCH_ETAG=$(hdr ETag "$T/ha")
pass "feed + prev-archive chain hold every entry; archive pages of 50, long-lived"

metric()
{
	curl -sS --max-time 5 "$U/metrics" | awk -v m="$1" '$1 == m { print $2 }'
}

# A poll that changes nothing renders nothing again.
http_get "$U/feeds/cloud.atom" /dev/null
r0=$(metric feedmux_renders_total)
http_get "$U/feeds/cloud.atom" /dev/null
polls=$(fixpub_count /cloud.rss)
wait_for sh -c "[ \$(awk '\$3 == \"/cloud.rss\"' '$T/fixpub.log' | wc -l) -ge $((polls + 2)) ]"
http_get "$U/feeds/cloud.atom" /dev/null
[ "$(metric feedmux_renders_total)" = "$r0" ] || fail "unchanged polls re-rendered"
pass "re-polls that change nothing invalidate nothing"

# A change in another category leaves this one cached.
big_feed 121 >"$T/pub/big.rss.new"
mv "$T/pub/big.rss.new" "$T/pub/big.rss"
n=300
until atom_count "$U/feeds/big.atom?limit=200" 121; do
	n=$((n - 1))
	if [ "$n" -eq 0 ]; then
		# make check keeps stdout only: show why before failing.
		grep -E 'bigpub|sched' "$T/daemon.log" | tail -n 20
		fixpub_requests /big.rss | tail -n 5
		fail "the 121st entry never appeared"
	fi
	sleep 0.1
done
r1=$(metric feedmux_renders_total)
http_get "$U/feeds/cloud.atom" /dev/null
[ "$(metric feedmux_renders_total)" = "$r1" ] || fail "big's change re-rendered cloud"
http_headers "$U/feeds/big/archive/1.atom" >"$T/ha2"
[ "$(hdr ETag "$T/ha2")" = "$ARCH_ETAG" ] || fail "archive page changed"
[ "$(http_status "$U/feeds/cloud.atom" -H "If-None-Match: $ETAG")" = 304 ] ||
    fail "cloud's ETag moved"
pass "a change in one category keeps the others (and full archives) as they were"

# /healthz and /metrics.
[ "$(http_get "$U/healthz")" = ok ] || fail "/healthz"
curl -sS "$U/metrics" >"$T/metrics"
for m in 'feedmux_source_last_success_timestamp_seconds{source="cloudweekly"}' \
    'feedmux_source_consecutive_failures{source="bigpub"}' \
    'feedmux_source_last_status{source="secdaily"}' \
    'feedmux_source_received_bytes_total{source="cloudweekly"}' \
    'feedmux_source_not_modified_ratio{source="cloudweekly"}' \
    'feedmux_source_new_entries_total{source="bigpub"}' \
    'feedmux_http_requests_total{route="feed",status="304"}' \
    'feedmux_http_requests_total{route="archive",status="200"}' \
    'feedmux_http_requests_total{route="other",status="404"}' \
    feedmux_poll_inflight feedmux_poll_queued feedmux_database_size_bytes; do
	grep -qF "$m " "$T/metrics" || fail "metric $m missing"
done
awk '$1 == "feedmux_source_new_entries_total{source=\"bigpub\"}" && $2 == 121 { ok = 1 }
    END { exit !ok }' "$T/metrics" || fail "new entries of bigpub"
awk '$1 ~ /not_modified_ratio\{source="cloudweekly"\}/ && $2 > 0 { ok = 1 }
    END { exit !ok }' "$T/metrics" || fail "304 ratio"
awk '$1 == "feedmux_database_size_bytes" && $2 > 0 { ok = 1 } END { exit !ok }' \
    "$T/metrics" || fail "database size"
# Every line is a comment or NAME{labels} VALUE.
grep -Ev '^(#.*|[a-z_]+(\{[^}]*\})? [0-9.e+-]+)$' "$T/metrics" &&
    fail "malformed metrics lines"
pass "/healthz and Prometheus /metrics"

# OPML 2.0.
http_get "$U/opml" "$T/all.opml"
http_get "$U/opml/cloud" "$T/cloud.opml"
xmllint --noout "$T/all.opml" "$T/cloud.opml" || fail "OPML not well-formed"
"$PY" - "$T/all.opml" "$T/cloud.opml" "$FIXPUB_URL" <<'PY' || fail "OPML content"
import sys
from xml.etree import ElementTree as ET
a, c, pub = ET.parse(sys.argv[1]).getroot(), ET.parse(sys.argv[2]).getroot(), sys.argv[3]
assert a.get("version") == "2.0" and c.get("version") == "2.0"
urls = lambda r: sorted(o.get("xmlUrl") for o in r.iter("outline") if o.get("xmlUrl"))
assert urls(c) == [pub + "/cloud.rss", pub + "/sec.atom"], urls(c)
assert set(urls(a)) == {pub + "/cloud.rss", pub + "/sec.atom", pub + "/big.rss"}
groups = [o.get("text") for o in a.find("body")]
assert groups == ["Cloud", "Security", "Big"], groups
assert all(o.get("type") == "rss" for o in c.iter("outline"))
PY
[ "$(http_status "$U/opml/nosuch")" = 404 ] || fail "unknown OPML category"
pass "OPML 2.0 of all sources and of one category"
daemon_stop
exit 0

#!/bin/sh
# fixpub-selftest.sh: checks the fixture publisher itself through lib.sh, so
# that a scenario failing later is the daemon's fault and not the fixture's:
# plain GET and HEAD, validators and 304s, re-reading edited fixtures, path
# refusal, and every .meta directive, then the request log and a clean stop.
# check() evals its single-quoted test, so expansions there are deliberate:
# shellcheck disable=SC2016,SC2034

. "$(dirname "$0")/lib.sh"

t_require curl gzip
t_setup

W=$T/www
mkdir -p "$W/sub"

# Check that "$1" is true as a shell test, or fail with the rest as message.
check()
{
	t_expr=$1
	shift
	eval "$t_expr" || fail "$* ($t_expr)"
}

cat >"$W/feed.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>fixpub</title>
<item><guid>one</guid><title>One</title></item>
</channel></rss>
EOF
seq 1 3000 >"$W/big.txt"
BIGLEN=$(wc -c <"$W/big.txt")
echo "nested" >"$W/sub/file.atom"

fixpub_start "$W"
U=$FIXPUB_URL
check '[ "$(cat "$T/fixpub.out")" = "$FIXPUB_PORT" ]' "port on stdout and in port file agree"
pass "fixpub listening on $FIXPUB_PORT"

# Plain GET and HEAD.
http_get "$U/feed.xml" "$T/got" || fail "GET feed.xml"
cmp -s "$T/got" "$W/feed.xml" || fail "GET body differs from the fixture"
http_headers "$U/feed.xml" >"$T/h"
check '[ "$(http_header Content-Type <"$T/h")" = application/xml ]' "xml type"
ETAG=$(http_header ETag <"$T/h")
LASTMOD=$(http_header Last-Modified <"$T/h")
echo "$ETAG" | grep -Eq '^"[0-9a-f]{16}"$' || fail "strong etag, got $ETAG"
check '[ -n "$LASTMOD" ]' "Last-Modified present"
check '[ "$(http_headers "$U/sub/file.atom" | http_header Content-Type)" = application/atom+xml ]' "atom type"
curl -sS -I --max-time 5 "$U/feed.xml" | tr -d '\r' >"$T/h"
check '[ "$(http_header Content-Length <"$T/h")" = "$(wc -c <"$W/feed.xml")" ]' "HEAD length"
check '[ "$(http_header ETag <"$T/h")" = "$ETAG" ]' "HEAD etag"
pass "GET and HEAD"

# Validators.
check '[ "$(http_status "$U/feed.xml" -H "If-None-Match: $ETAG")" = 304 ]' "304 on matching If-None-Match"
check '[ "$(http_get "$U/feed.xml" - -H "If-None-Match: $ETAG" | wc -c)" -eq 0 ]' "304 has no body"
check '[ "$(http_status "$U/feed.xml" -H "If-None-Match: \"x\", W/$ETAG")" = 304 ]' "304 on a list with a weak match"
check '[ "$(http_status "$U/feed.xml" -H "If-None-Match: \"nope\"")" = 200 ]' "200 on another etag"
check '[ "$(http_status "$U/feed.xml" -H "If-Modified-Since: $LASTMOD")" = 304 ]' "304 on If-Modified-Since"
check '[ "$(http_status "$U/feed.xml" -H "If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT")" = 200 ]' "200 when modified since"
check '[ "$(http_status "$U/feed.xml" -H "If-None-Match: \"nope\"" -H "If-Modified-Since: $LASTMOD")" = 200 ]' "If-None-Match wins over If-Modified-Since"
pass "validators"

# Fixtures are re-read on every request.
sed 's/One/Uno/' "$W/feed.xml" >"$W/feed.xml.new" && mv "$W/feed.xml.new" "$W/feed.xml"
http_get "$U/feed.xml" | grep -q Uno || fail "edited fixture not served"
ETAG2=$(http_headers "$U/feed.xml" | http_header ETag)
check '[ "$ETAG2" != "$ETAG" ]' "etag follows the content"
check '[ "$(http_status "$U/feed.xml" -H "If-None-Match: $ETAG")" = 200 ]' "old etag no longer matches"
pass "re-read on every request"

# Paths.
check '[ "$(http_status "$U/missing.xml")" = 404 ]' "missing file"
check '[ "$(http_status "$U/sub")" = 404 ]' "directory"
check '[ "$(http_status "$U/../etc/passwd" --path-as-is)" = 400 ]' "dot-dot"
check '[ "$(http_status "$U/sub/%2e%2e/%2e%2e/etc/passwd")" = 400 ]' "encoded dot-dot"
check '[ "$(http_status "$U/sub/..%2f..%2fetc/passwd")" = 400 ]' "encoded slash"
check '[ "$(http_status "$U/feed%00.xml")" = 400 ]' "encoded NUL"
check '[ "$(http_status "$U/feed.xml" -X PUT -d x)" = 405 ]' "PUT"
check '[ "$(http_status "$U/hub" -d "hub.mode=publish&hub.url=x")" = 204 ]' "POST accepted"
check 'grep -qx "POST /hub body=hub.mode=publish&hub.url=x" "$T/fixpub.log.post"' "POST body logged"
check '[ "$(http_status "$U/feed.xml?cachebust=1")" = 200 ]' "query ignored"
pass "paths"

# status + header.
cp "$W/feed.xml" "$W/busy.xml"
printf '# busy publisher\nstatus 503\nheader Retry-After: 120\n' >"$W/busy.xml.meta"
http_headers "$U/busy.xml" >"$T/h"
check 'head -n 1 "$T/h" | grep -q " 503 "' "status 503"
check '[ "$(http_header Retry-After <"$T/h")" = 120 ]' "Retry-After"
http_get "$U/busy.xml" "$T/got"
cmp -s "$T/got" "$W/busy.xml" || fail "503 body is the file"
printf 'status 410\n' >"$W/gone.xml.meta"
check '[ "$(http_status "$U/gone.xml")" = 410 ]' "status without a file"
printf 'header Content-Type: text/html\nheader X-Twice: a\nheader X-Twice: b\n' >"$W/feed.xml.meta"
http_headers "$U/feed.xml" >"$T/h"
check '[ "$(grep -ci "^content-type:" "$T/h")" -eq 1 ]' "header replaces the default"
check '[ "$(http_header Content-Type <"$T/h")" = text/html ]' "replaced type"
check '[ "$(grep -c "^X-Twice:" "$T/h")" -eq 2 ]' "repeated header"
rm "$W/feed.xml.meta"
pass "status and header"

# Redirects, relative and absolute.
printf 'redirect 301 /feed.xml\n' >"$W/old.xml.meta"
http_headers "$U/old.xml" >"$T/h"
check 'head -n 1 "$T/h" | grep -q " 301 "' "301"
check '[ "$(http_header Location <"$T/h")" = /feed.xml ]' "relative Location"
http_get "$U/old.xml" "$T/got" -L
cmp -s "$T/got" "$W/feed.xml" || fail "redirect followed to the feed"
printf 'redirect 308 %s/sub/file.atom\n' "$U" >"$W/moved.xml.meta"
check '[ "$(http_status "$U/moved.xml")" = 308 ]' "308"
check '[ "$(http_get "$U/moved.xml" - -L)" = nested ]' "absolute redirect followed"
pass "redirect"

# gzip on the fly and a raw gzip fixture.
cp "$W/big.txt" "$W/gz.txt"
echo gzip >"$W/gz.txt.meta"
http_get "$U/gz.txt" "$T/got" --compressed
cmp -s "$T/got" "$W/big.txt" || fail "gzip body decodes to the fixture"
http_headers "$U/gz.txt" >"$T/h"
check '[ "$(http_header Content-Encoding <"$T/h")" = gzip ]' "Content-Encoding"
check 'http_header ETag <"$T/h" | grep -q -- "-gz\"\$"' "gzip etag differs"
http_get "$U/gz.txt" "$T/raw"
check '[ "$(od -An -tx1 -N2 "$T/raw" | tr -d " ")" = 1f8b ]' "gzip magic"
check '[ "$(wc -c <"$T/raw")" -lt "$BIGLEN" ]' "compressed"
head -c 1000000 /dev/zero | gzip -9 >"$W/bomb.xml.gz"
echo raw-gzip >"$W/bomb.xml.gz.meta"
http_headers "$U/bomb.xml.gz" >"$T/h"
check '[ "$(http_header Content-Type <"$T/h")" = application/xml ]' "raw gzip typed by inner name"
check '[ "$(http_header Content-Length <"$T/h")" = "$(wc -c <"$W/bomb.xml.gz")" ]' "raw gzip sent as is"
check '[ "$(http_get "$U/bomb.xml.gz" - --compressed | wc -c)" -eq 1000000 ]' "raw gzip inflates"
pass "gzip"

# truncate: full Content-Length, fewer bytes, then the connection closes.
cp "$W/big.txt" "$W/trunc.txt"
echo 'truncate 100' >"$W/trunc.txt.meta"
rc=0
curl -sS --max-time 5 -D "$T/h" -o "$T/got" "$U/trunc.txt" 2>/dev/null || rc=$?
check '[ "$rc" -eq 18 ]' "curl sees a partial transfer (rc $rc)"
check '[ "$(wc -c <"$T/got")" -eq 100 ]' "100 bytes sent"
check '[ "$(tr -d "\r" <"$T/h" | http_header Content-Length)" = "$BIGLEN" ]' "full length declared"
check '[ "$(head -c 100 "$W/big.txt" | cmp - "$T/got" && echo same)" = same ]' "prefix of the fixture"
pass "truncate"

# delay and drip take the time they say.
cp "$W/feed.xml" "$W/slow.xml"
echo 'delay 700' >"$W/slow.xml.meta"
secs=$(curl -sS --max-time 5 -o "$T/got" -w '%{time_total}' "$U/slow.xml")
check 'awk -v s="$secs" "BEGIN { exit !(s >= 0.7 && s < 3) }"' "delay 700 ms took $secs s"
cmp -s "$T/got" "$W/slow.xml" || fail "delayed body"
head -c 2000 "$W/big.txt" >"$W/drip.txt"
echo 'drip 4000' >"$W/drip.txt.meta"
secs=$(curl -sS --max-time 5 -o "$T/got" -w '%{time_total}' "$U/drip.txt")
check 'awk -v s="$secs" "BEGIN { exit !(s >= 0.4 && s < 3) }"' "2000 bytes at 4000 B/s took $secs s"
cmp -s "$T/got" "$W/drip.txt" || fail "dripped body"
printf 'drip 5\n' >"$W/crawl.txt.meta"
printf 'abc' >"$W/crawl.txt"
check '[ "$(http_get "$U/crawl.txt")" = abc ]' "drip slower than ten bytes a second"
pass "delay and drip"

# endless: streams until the client gives up; the server carries on.
printf '<rss><channel>\n' >"$W/endless.xml"
echo endless >"$W/endless.xml.meta"
rc=0
curl -sS --max-time 1 -o "$T/got" "$U/endless.xml" 2>/dev/null || rc=$?
check '[ "$rc" -eq 28 ]' "endless body times out (rc $rc)"
check '[ "$(wc -c <"$T/got")" -gt 100000 ]' "endless body keeps coming"
check '[ "$(head -n 1 "$T/got")" = "<rss><channel>" ]' "endless starts with the fixture"
# Clients that hang up mid-delay or mid-stream must not hurt the server.
curl -sS --max-time 0.3 -o /dev/null "$U/slow.xml" 2>/dev/null
curl -sS --max-time 0.3 -o /dev/null "$U/drip.txt" 2>/dev/null
sleep 1
check '[ "$(http_status "$U/big.txt")" = 200 ]' "server alive after hang-ups"
pass "endless"

# Validator switches and a fixed etag.
cp "$W/feed.xml" "$W/bare.xml"
printf 'noetag\nnolastmod\n' >"$W/bare.xml.meta"
http_headers "$U/bare.xml" >"$T/h"
check '! grep -qi "^etag:" "$T/h"' "noetag"
check '! grep -qi "^last-modified:" "$T/h"' "nolastmod"
check '[ "$(http_status "$U/bare.xml" -H "If-Modified-Since: $LASTMOD" -H "If-None-Match: *")" = 200 ]' "no validators, no 304"
cp "$W/feed.xml" "$W/fixed.xml"
echo 'etag "v1"' >"$W/fixed.xml.meta"
check '[ "$(http_headers "$U/fixed.xml" | http_header ETag)" = "\"v1\"" ]' "fixed etag"
check '[ "$(http_status "$U/fixed.xml" -H "If-None-Match: \"v1\"")" = 304 ]' "304 on fixed etag"
printf 'status 200\nbogus directive\n' >"$W/broken.xml.meta"
check '[ "$(http_status "$U/broken.xml")" = 500 ]' "bad .meta is a 500"
check 'grep -q "broken.xml.meta: line 2" "$T/fixpub.err"' "bad .meta reported on stderr"
pass "validator switches"

# The request log.
for i in 1 2 3; do
	http_status "$U/counted.xml" >/dev/null
done
check '[ "$(fixpub_count /counted.xml)" -eq 3 ]' "three requests logged"
http_status "$U/feed.xml" -H "If-None-Match: $ETAG2" -A "agent with spaces/1.0" >/dev/null
line=$(fixpub_requests /feed.xml | tail -n 1)
echo "$line" | awk '{ exit !(NF == 8 && $1 ~ /^[0-9]+\.[0-9][0-9][0-9]$/ &&
    $2 == "GET" && $4 == "304" && $7 == "ua=agent%20with%20spaces/1.0" &&
    $8 == "host=127.0.0.1:'"$FIXPUB_PORT"'") }' ||
    fail "log line shape: $line"
check '[ "$(echo "$line" | cut -d" " -f5)" = "inm=$ETAG2" ]' "inm logged: $line"
http_status "$U/feed.xml" -H "If-Modified-Since: $LASTMOD" >/dev/null
line=$(fixpub_requests /feed.xml | tail -n 1)
check '[ "$(echo "$line" | cut -d" " -f6)" = "ims=$(echo "$LASTMOD" | sed "s/ /%20/g")" ]' "ims logged: $line"
check '[ "$(echo "$line" | cut -d" " -f5)" = "inm=-" ]' "absent header logged as -"
curl -sS -I --max-time 5 -o /dev/null "$U/busy.xml"
check 'fixpub_requests /busy.xml | tail -n 1 | grep -q "^[0-9.]* HEAD /busy.xml 503 "' "HEAD and status logged"
check '[ "$(awk "NF != 8" "$T/fixpub.log" | wc -l)" -eq 0 ]' "every log line has eight fields"
pass "request log"

fixpub_stop
pass "fixpub stops cleanly on SIGTERM"
exit 0

#!/bin/sh
# poll-conditional: conditional GET.  The ETag and Last-Modified a server
# sent go back byte for byte as If-None-Match / If-Modified-Since; a 304
# rewrites no stored entry and leaves only a poll record; new validators
# replace the old ones; a server that sends none gets none.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl sqlite3

mkdir -p "$T/pub"
cp "$t_here/fixtures/cloud.rss" "$T/pub/cloud.rss"
cp "$t_here/fixtures/sec.atom" "$T/pub/plain.atom"
# An odd but valid weak validator, to see it come back unchanged.
printf 'etag W/"v1; x=a/b\303\274"\n' >"$T/pub/cloud.rss.meta"
printf 'noetag\nnolastmod\n' >"$T/pub/plain.atom.meta"
fixpub_start "$T/pub"

{ poll_conf_head; cat <<CONF
[category "c"]
[source "cloud"]
url = $FIXPUB_URL/cloud.rss
categories = c
[source "plain"]
url = $FIXPUB_URL/plain.atom
categories = c
CONF
} >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf" -v

count_at_least() { [ "$(fixpub_count "$1")" -ge "$2" ]; }
wait_for count_at_least /cloud.rss 1
wait_for sh -c "[ \"\$(sqlite3 '$T/db/feedmux.db' 'SELECT count(*) FROM entry')\" -ge 5 ]"
snap()
{
	sqlite3 "$T/db/feedmux.db" "SELECT id, changed, first_seen, hex(hash) FROM entry ORDER BY id"
}
snap >"$T/before"
n=$(fixpub_count /cloud.rss)
wait_for count_at_least /cloud.rss $((n + 3))

lm=$(LC_ALL=C date -u -r "$T/pub/cloud.rss" '+%a, %d %b %Y %H:%M:%S GMT' | sed 's/ /%20/g')
fixpub_requests /cloud.rss | sed -n 1p | grep -q ' 200 inm=- ims=- ' ||
    fail "first request was not unconditional"
fixpub_requests /cloud.rss | sed -n '2,$p' | grep -v '^.* 304 ' &&
    fail "a repeated request was not answered 304"
fixpub_requests /cloud.rss | sed -n '2,$p' |
    grep -v " inm=W/\"v1;%20x=a/b%C3%BC\" ims=$lm " &&
    fail "validators not sent back byte for byte"
pass "ETag and Last-Modified sent back byte for byte, answered 304"

sleep 1.5
snap >"$T/after"
cmp -s "$T/before" "$T/after" || fail "a 304 rewrote stored entries"
"$FEEDMUX" status cloud -c "$T/feedmux.conf" >"$T/status" || fail "status cloud"
grep -q '^ *[0-9-]*T[0-9:]*Z  *304 .* 0 new' "$T/status" ||
    { cat "$T/status"; fail "no 304 poll record with 0 new"; }
grep -q '^ *[0-9-]*T[0-9:]*Z  *200 .* 3 new' "$T/status" ||
    { cat "$T/status"; fail "no 200 poll record with 3 new"; }
pass "304s rewrite no entry; poll records show 200 then 304s"

# New bytes and a new validator: the next request carries the new one.
sed 's/Cheaper bytes./Cheaper bytes, now./' "$t_here/fixtures/cloud.rss" >"$T/pub/cloud.rss.new"
mv "$T/pub/cloud.rss.new" "$T/pub/cloud.rss"
printf 'etag "v2"\n' >"$T/pub/cloud.rss.meta"
has_v2() { fixpub_requests /cloud.rss | tail -n 1 | grep -q 'inm="v2" '; }
wait_for has_v2
fixpub_requests /cloud.rss | grep -q ' 200 inm=W/"v1;%20x=a/b%C3%BC" ' ||
    fail "the change was not fetched with the old validator"
wait_for sh -c "sqlite3 '$T/db/feedmux.db' \"SELECT etag FROM source WHERE name = 'cloud'\" | grep -qx '\"v2\"'"
pass "validators replaced when the server sends new ones"

wait_for count_at_least /plain.atom 3
fixpub_requests /plain.atom | grep -v ' 200 inm=- ims=- ' &&
    fail "validators invented for a server that sent none"
[ "$(sqlite3 "$T/db/feedmux.db" "SELECT count(*) FROM entry e JOIN source s ON s.id = e.source_id WHERE s.name = 'plain'")" -eq 2 ] ||
    fail "refetched entries stored twice"
pass "no validators invented"
daemon_stop
exit 0

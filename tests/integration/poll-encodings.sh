#!/bin/sh
# poll-encodings: bodies sent with a Content-Encoding are decoded off the
# loop (decode.c, on a parse worker) and stored like any other: gzip,
# deflate in zlib's format and raw, and a coding applied twice.  A body
# whose coding is corrupt (a gzip stream cut in half) or one never asked
# for (zstd) fails its poll with a clear error and loses nothing stored
# from the earlier good polls.  The daemon asks for gzip, deflate and br.
. "$(dirname "$0")/lib.sh"
t_setup
t_require "$PY"

mkdir -p "$T/raw"
for s in gz zl raw twice cut lie; do
	cp "$t_here/fixtures/cloud.rss" "$T/raw/$s.rss"
done
echo "encoded gzip" >"$T/raw/gz.rss.mode"
echo "encoded deflate" >"$T/raw/zl.rss.mode"
echo "encoded deflate-raw" >"$T/raw/raw.rss.mode"
echo "encoded gzip-gzip" >"$T/raw/twice.rss.mode"
"$PY" "$t_here/rawpub.py" -d "$T/raw" -a 127.0.0.1 -P "$T/raw.port" -l "$T/raw.log" \
    2>>"$T/raw.err" &
t_track $!
has_port() { [ -s "$1" ]; }
wait_for has_port "$T/raw.port"
RAW_URL=http://127.0.0.1:$(cat "$T/raw.port")
{ poll_conf_head; for s in gz zl raw twice cut lie; do
	printf '[source "%s"]\nurl = %s/%s.rss\n' "$s" "$RAW_URL" "$s"
done; } >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf"

n_entries=$(grep -c '<item>' "$t_here/fixtures/cloud.rss")
stored() { [ "$(status_field "$T/feedmux.conf" "$1" entries)" = "$2" ]; }
for s in gz zl raw twice cut lie; do
	wait_for stored "$s" "$n_entries"
done
for s in gz zl raw twice; do
	[ "$(status_field "$T/feedmux.conf" "$s" state)" = ok ] ||
	    fail "$s: $(status_field "$T/feedmux.conf" "$s" last_error)"
done
pass "gzip, deflate (zlib and raw) and gzip twice decoded and stored ($n_entries entries each)"

echo badgzip >"$T/raw/cut.rss.mode"
echo lying >"$T/raw/lie.rss.mode"
err_is() { [ "$(status_field "$T/feedmux.conf" "$1" last_error)" = "$2" ]; }
wait_for err_is cut "bad gzip content encoding: the compressed data ends early"
wait_for err_is lie 'unsupported content encoding "zstd"'
for s in cut lie; do
	[ "$(status_field "$T/feedmux.conf" "$s" state)" = failing ] ||
	    fail "$s is not failing"
	stored "$s" "$n_entries" || fail "$s lost stored entries"
done
# The requests offered exactly what decode.c undoes.
[ "$(cat "$T/raw/gz.rss.ae")" = "gzip, deflate, br" ] ||
    fail "Accept-Encoding: $(cat "$T/raw/gz.rss.ae")"
[ "$(http_status "$DAEMON_URL/healthz")" = 200 ] || fail "daemon unhealthy"
pass "a cut gzip stream and an encoding never asked for fail the poll, stored entries kept"
daemon_stop
exit 0

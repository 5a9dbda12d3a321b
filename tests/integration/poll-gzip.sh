#!/bin/sh
# poll-gzip: a gzip-encoded response (per request, and precompressed) is
# decoded and stored like any other; its validators work as usual.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl "$PY"

mkdir -p "$T/pub"
cp "$t_here/fixtures/cloud.rss" "$T/pub/cloud.rss"
printf 'gzip\n' >"$T/pub/cloud.rss.meta"
"$PY" -c 'import gzip, sys; open(sys.argv[2], "wb").write(gzip.compress(open(sys.argv[1], "rb").read()))' \
    "$t_here/fixtures/sec.atom" "$T/pub/sec.atom.gz"
printf 'raw-gzip\n' >"$T/pub/sec.atom.gz.meta"
fixpub_start "$T/pub"
{ poll_conf_head; cat <<CONF
[source "cloud"]
url = $FIXPUB_URL/cloud.rss
[source "sec"]
url = $FIXPUB_URL/sec.atom.gz
CONF
} >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf"

entries_are() { [ "$(status_field "$T/feedmux.conf" "$1" entries)" = "$2" ]; }
wait_for entries_are cloud 3
wait_for entries_are sec 2
[ "$(status_field "$T/feedmux.conf" cloud state)" = ok ] || fail "cloud state"
count_at_least() { [ "$(fixpub_count "$1")" -ge "$2" ]; }
wait_for count_at_least /cloud.rss 3
fixpub_requests /cloud.rss | tail -n 1 | grep -q ' 304 inm="[0-9a-f]*-gz" ' ||
    fail "gzip response not revalidated"
pass "gzip bodies decoded and stored; revalidated with 304"
daemon_stop
exit 0

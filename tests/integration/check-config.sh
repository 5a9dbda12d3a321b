#!/bin/sh
# check-config: feedmuxd -t and feedmux check report every error of a broken
# config at once as file:line: message, exit 1, and accept a good config.
. "$(dirname "$0")/lib.sh"
t_setup

cat >"$T/good.conf" <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/db/feedmux.db
[category "cloud"]
title = Cloud
[source "a"]
url = http://127.0.0.1:1/a.xml
categories = cloud
CONF
"$FEEDMUXD" -t -c "$T/good.conf" 2>"$T/out" || fail "good config rejected: $(cat "$T/out")"
pass "good config accepted"

long=$(printf 'x%.0s' $(seq 1 1500))
cat >"$T/bad.conf" <<CONF
[feedmux]
listen = 127.0.0.1:notaport
bogus = 1
[category "cloud"]
title = Cloud
[source "a"]
url = ftp://example.com/feed
categories = cloud, nosuch
[source "b"]
url = http://example.com/$long
interval = soon
CONF
if "$FEEDMUXD" -t -c "$T/bad.conf" 2>"$T/err"; then
	fail "broken config accepted"
fi
cat "$T/err"
grep -q "^$T/bad.conf:2: " "$T/err" || fail "no error for line 2 (listen)"
grep -q "^$T/bad.conf:3: " "$T/err" || fail "no error for line 3 (unknown key)"
grep -q "^$T/bad.conf:7: " "$T/err" || fail "no error for line 7 (url scheme)"
grep -q "^$T/bad.conf:8: .*nosuch" "$T/err" || fail "no error for line 8 (unknown category)"
grep -q "^$T/bad.conf:11: " "$T/err" || fail "no error for line 11 (interval)"
if grep -q "^$T/bad.conf:10: " "$T/err"; then
	fail "the 1,500-byte URL on line 10 was rejected"
fi
pass "every error reported at once with file:line"

"$FEEDMUX" check -c "$T/bad.conf" >/dev/null 2>"$T/err2"
[ $? -eq 1 ] || fail "feedmux check did not exit 1"
cmp -s "$T/err" "$T/err2" || grep -q "^$T/bad.conf:2: " "$T/err2" ||
    fail "feedmux check reports differently"
pass "feedmux check agrees"
exit 0

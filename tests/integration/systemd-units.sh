#!/bin/sh
# systemd-units: contrib/feedmuxd.service and feedmuxd.socket pass
# `systemd-analyze verify`, are Type=notify with the hardening the README
# promises, and `systemd-analyze security` rates the service's exposure at
# most 2.0 ("OK"); the score is printed for the README.  systemd-analyze is
# required (Debian: apt-get install systemd): without it this test fails.
. "$(dirname "$0")/lib.sh"
t_setup
: "${top_srcdir:=$t_here/../..}"

command -v systemd-analyze >/dev/null 2>&1 ||
    fail "systemd-analyze not found: install systemd (apt-get install systemd)"

# The units as make install writes them, pointing at the binary under test.
mkdir -p "$T/units" "$T/etc/feedmux"
sed -e "s|@sbindir[@]|$(dirname "$FEEDMUXD")|g" -e "s|@sysconfdir[@]|$T/etc|g" \
    "$top_srcdir/contrib/feedmuxd.service.in" >"$T/units/feedmuxd.service"
cp "$top_srcdir/contrib/feedmuxd.socket" "$T/units/feedmuxd.socket"
[ "$(basename "$FEEDMUXD")" = feedmuxd ] || fail "FEEDMUXD is not named feedmuxd"

systemd-analyze verify --man=no "$T/units/feedmuxd.service" \
    "$T/units/feedmuxd.socket" >"$T/verify.out" 2>&1 || {
	cat "$T/verify.out" >&2
	fail "systemd-analyze verify rejects the units"
}
[ -s "$T/verify.out" ] && { cat "$T/verify.out" >&2; fail "systemd-analyze verify warns"; }
pass "systemd-analyze verify: no errors, no warnings"

u=$T/units/feedmuxd.service
for want in Type=notify 'ExecReload=/bin/kill -HUP $MAINPID' DynamicUser=yes \
    StateDirectory=feedmux ConfigurationDirectory=feedmux NoNewPrivileges=yes \
    ProtectSystem=strict ProtectHome=yes PrivateTmp=yes PrivateDevices=yes \
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
    SystemCallFilter=@system-service MemoryDenyWriteExecute=yes WatchdogSec=60s; do
	grep -qxF "$want" "$u" || fail "feedmuxd.service lacks $want"
done
grep -q '^ListenStream=' "$T/units/feedmuxd.socket" || fail "feedmuxd.socket listens on nothing"
pass "Type=notify, reload by SIGHUP, dynamic user, sandboxing settings present"

systemd-analyze security --offline=true --no-pager "$u" >"$T/security.out" 2>&1 ||
    { cat "$T/security.out" >&2; fail "systemd-analyze security failed"; }
score=$(sed -n 's/.*Overall exposure level for feedmuxd.service: \([0-9.]*\).*/\1/p' "$T/security.out")
[ -n "$score" ] || { cat "$T/security.out" >&2; fail "no exposure score"; }
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' ||
    fail "exposure $score is above 2.0"
pass "systemd-analyze security: exposure $score"
exit 0

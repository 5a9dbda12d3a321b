#!/bin/sh
# install: `make install DESTDIR=...` puts the binaries, the config (never
# over an edited one), the systemd units and the man pages in their places;
# the installed binaries then run against a temporary config (daemon,
# status, poll, try); `make uninstall` removes what it installed and keeps
# an edited config.
. "$(dirname "$0")/lib.sh"
t_setup
t_require curl make
: "${top_builddir:=$t_here/../..}"

# Our own make, not the one running the tests: no inherited jobserver.
unset MAKEFLAGS MFLAGS MAKELEVEL
root=$T/root
make -s -C "$top_builddir" install DESTDIR="$root" >"$T/install.log" 2>&1 ||
    { cat "$T/install.log" >&2; fail "make install failed"; }

# Where things went: found by their conventional tails under DESTDIR.
find_one()
{
	t_f=$(cd "$root" && find . -path "*$1" -type f | head -n 1)
	[ -n "$t_f" ] || fail "nothing installed at */$1"
	echo "$root/${t_f#./}"
}
bin=$(find_one /bin/feedmux)
sbin=$(find_one /sbin/feedmuxd)
conf=$(find_one /etc/feedmux/feedmux.conf)
svc=$(find_one /systemd/system/feedmuxd.service)
sock=$(find_one /systemd/system/feedmuxd.socket)
find_one /man/man1/feedmux.1 >/dev/null
find_one /man/man5/feedmux.conf.5 >/dev/null
find_one /man/man8/feedmuxd.8 >/dev/null
[ -d "$(dirname "$conf")/conf.d" ] || fail "no conf.d directory"
[ -x "$bin" ] && [ -x "$sbin" ] || fail "binaries not executable"
pass "binaries, config, units and man pages installed"

# The unit runs the installed daemon on the installed config (paths
# without DESTDIR), and the config keeps its data in the state directory.
grep -qx "ExecStart=${sbin#"$root"} -c ${conf#"$root"}" "$svc" ||
    { grep ExecStart "$svc" >&2; fail "ExecStart does not name the installed files"; }
grep -qx 'database = /var/lib/feedmux/feedmux.db' "$conf" || fail "installed database path"
grep -qx 'include = conf.d/\*.conf' "$conf" || fail "installed config does not include conf.d"
"$bin" check -c "$conf" >/dev/null || fail "installed config rejected"
"$sbin" -t -c "$conf" 2>/dev/null || fail "feedmuxd -t rejects the installed config"
cmp -s "$sock" "${top_srcdir:-$t_here/../..}/contrib/feedmuxd.socket" || fail "socket unit differs"
pass "unit names the installed paths; installed config is valid"

# A second install keeps an edited config.
echo '; edited by the administrator' >>"$conf"
make -s -C "$top_builddir" install DESTDIR="$root" >"$T/install2.log" 2>&1 ||
    fail "second make install failed"
tail -n 1 "$conf" | grep -q 'edited by the administrator' || fail "install overwrote an edited config"
pass "reinstall keeps an edited config"

# The installed binaries against a temporary config.
fix="$t_here/fixtures"
mkdir -p "$T/pub"
cp "$fix/cloud.rss" "$T/pub/" || fail "fixtures missing"
fixpub_start "$T/pub"
cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/feedmux.db
allow_private = yes
interval = 1d

[category "news"]
[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss
categories = news
CONF
FEEDMUXD=$sbin
daemon_start "$T/feedmux.conf"
has3()
{
	[ "$(curl -sS --max-time 5 "$DAEMON_URL/feeds/news.atom" | grep -c '<entry>')" -eq 3 ]
}
wait_for has3
"$bin" status -c "$T/feedmux.conf" | grep -q '^cloudweekly  *ok ' || fail "installed status"
n=$(fixpub_count /cloud.rss)
"$bin" poll -c "$T/feedmux.conf" cloudweekly >/dev/null || fail "installed poll"
polled_again()
{
	[ "$(fixpub_count /cloud.rss)" -gt "$n" ]
}
wait_for polled_again
"$bin" try -c "$T/feedmux.conf" "$FIXPUB_URL/cloud.rss" | grep -q '^entries     3$' ||
    fail "installed try"
daemon_stop
pass "installed feedmuxd and feedmux work against a temporary config"

make -s -C "$top_builddir" uninstall DESTDIR="$root" >"$T/uninstall.log" 2>&1 ||
    fail "make uninstall failed"
[ ! -e "$bin" ] && [ ! -e "$sbin" ] && [ ! -e "$svc" ] || fail "uninstall left binaries or units"
[ -f "$conf" ] || fail "uninstall removed an edited config"
left=$(cd "$root" && find . -type f ! -path '*/etc/feedmux/feedmux.conf' | wc -l)
[ "$left" -eq 0 ] || fail "uninstall left $left files"
pass "uninstall removes what it installed, keeps the edited config"
exit 0

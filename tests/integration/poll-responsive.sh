#!/bin/sh
# poll-responsive: storing a burst of first polls never holds the loop
# for long, so readers are answered in between.  150 sources of 50 new
# entries each are answered at once, with rules that make storing (the
# loop sorts every new entry) dearer than parsing (two threads), so
# parsed documents queue for the loop; while the daemon stores them all,
# a client asks for /healthz every 5 ms and times each answer.  The loop
# stores polls in slices of a few milliseconds (poll.c): the longest wait
# is about one poll's storing (33 to 39 ms in a sanitizer build).  When
# one callback stored everything queued, answers waited 197 to 207 ms.
# Run alone (T_HEAVY), as it times answers.
. "$(dirname "$0")/lib.sh"
T_HEAVY=1
t_setup

NSRC=150
NITEMS=50
MAX_MS=${MAX_MS:-120}
mkdir -p "$T/pub"
"$PY" - "$T/pub" "$NSRC" "$NITEMS" <<'PY' || fail "cannot write the feeds"
import sys
out, nsrc, nitems = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
body = " ".join("word%d" % k for k in range(150))
for s in range(nsrc):
    with open("%s/s%d.rss" % (out, s), "w") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">'
                '<channel><title>s%d</title><link>http://s%d.example/</link>'
                '<description>x</description>\n' % (s, s))
        for i in range(nitems):
            f.write('<item><title>Source %d item %d</title>'
                    '<link>http://s%d.example/%d</link>'
                    '<guid>urn:s%d:%d</guid>'
                    '<pubDate>Mon, 02 Nov 2026 %02d:%02d:00 GMT</pubDate>'
                    '<description>&lt;p&gt;%s&lt;/p&gt;</description></item>\n'
                    % (s, i, s, i, s, i, i // 60, i % 60, body))
        f.write('</channel></rss>\n')
PY
fixpub_start "$T/pub"
{
	poll_conf_head 'interval = 1h' 'min_interval = 1h' 'max_interval = 1h' \
	    'host_connections = 32'
	# 40 categories of 3 patterns each.
	for c in $(seq 0 39); do
		printf '[category "c%d"]\nmatch = \\bword%d\\b.*\\bword1%d\\b\n' \
		    "$c" "$c" "$((c + 9))"
		printf 'match = \\d{4}-%d\nexclude = item 1%d$\n' "$c" "$c"
	done
	for s in $(seq 0 $((NSRC - 1))); do
		printf '[source "s%d"]\nurl = %s/s%d.rss\n' "$s" "$FIXPUB_URL" "$s"
	done
} >"$T/feedmux.conf"
daemon_start "$T/feedmux.conf"

# The probe: /healthz every 5 ms until every source's first poll is
# logged (60 s at most); prints the answers, the longest and the median.
"$PY" - "$DAEMON_PORT" "$T/daemon.log" "$NSRC" >"$T/probe.out" <<'PY' ||
import http.client, sys, time
port, log, nsrc = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
lat = []
end = time.monotonic() + 60
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
while time.monotonic() < end:
    t = time.monotonic()
    c.request("GET", "/healthz")
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit("healthz answered %d" % r.status)
    lat.append((time.monotonic() - t) * 1000)
    with open(log) as f:
        if sum(1 for line in f if ": HTTP 200, " in line) >= nsrc:
            break
    time.sleep(0.005)
else:
    sys.exit("not every source was polled in 60 s")
lat.sort()
print(len(lat), "%.0f" % lat[-1], "%.1f" % lat[len(lat) // 2])
PY
    fail "probe: $(cat "$T/probe.out")"
read -r n longest median <"$T/probe.out" || fail "no probe summary"
stored=$(grep -c ": HTTP 200, $NITEMS new" "$T/daemon.log")
[ "$stored" = "$NSRC" ] || fail "$stored of $NSRC sources stored $NITEMS new"
[ "$longest" -lt "$MAX_MS" ] ||
    fail "/healthz waited $longest ms (median $median ms, $n answers) while $NSRC polls were stored"
daemon_stop
pass "$NSRC polls of $NITEMS new entries stored; /healthz answered $n times, longest $longest ms, median $median ms"

#!/bin/sh
# republish-index: the index page rendered by a real browser (headless
# Chromium, no JavaScript needed) shows each category with its title, entry
# count, last update and a subscribe link per format, carries
# <link rel="alternate"> autodiscovery for each category and format, and
# lists the sources with their health (ok, failing since, throttled, gone,
# blocked), last success and next poll.
. "$(dirname "$0")/lib.sh"
t_setup
command -v curl >/dev/null || fail "curl is required (apt-get install curl)"
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}
[ -n "$CHROMIUM" ] || fail "chromium is required (apt-get install chromium)"

fix="$t_here/fixtures"
mkdir -p "$T/pub"
cp "$fix/cloud.rss" "$fix/sec.atom" "$fix/broken.xml" "$T/pub/"
cp "$fix/cloud.rss" "$T/pub/busy.rss"
printf 'status 503\nheader Retry-After: 3600\n' >"$T/pub/busy.rss.meta"
cp "$fix/cloud.rss" "$T/pub/gone.rss"
printf 'status 410\n' >"$T/pub/gone.rss.meta"
printf '<!DOCTYPE html><html><head><title>Just a moment</title></head><body>checking your browser</body></html>\n' \
    >"$T/pub/wall.xml"
printf 'header Content-Type: text/html; charset=utf-8\n' >"$T/pub/wall.xml.meta"
fixpub_start "$T/pub"

cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/db/feedmux.db
allow_private = yes
interval = 1h

[category "cloud"]
title = Cloud & Datacentre
description = Everything <cloud>

[category "security"]
title = Security

[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss
categories = cloud

[source "secdaily"]
url = $FIXPUB_URL/sec.atom
categories = security, cloud

[source "broken"]
url = $FIXPUB_URL/broken.xml
categories = security

[source "busy"]
url = $FIXPUB_URL/busy.rss
categories = security

[source "gone"]
url = $FIXPUB_URL/gone.rss
categories = security

[source "wall"]
url = $FIXPUB_URL/wall.xml
categories = security
CONF

daemon_start "$T/feedmux.conf"
# Every source polled once.
wait_for sh -c "[ \$(curl -sS --max-time 5 '$DAEMON_URL/' | grep -c 'class=\"state-new\"') -eq 0 ]"
wait_for sh -c "curl -sS --max-time 5 '$DAEMON_URL/feeds/cloud.atom' | grep -c '<entry>' | grep -qx 5"

profile=$(mktemp -d "$T/chromium.XXXXXX")
timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --disable-dev-shm-usage --user-data-dir="$profile" \
    --dump-dom "$DAEMON_URL/" \
    >"$T/dom.html" 2>"$T/chromium.err" || { tail -n 20 "$T/chromium.err"; fail "chromium failed"; }
[ -s "$T/dom.html" ] || { tail -n 20 "$T/chromium.err"; fail "chromium rendered nothing"; }

"$PY" - "$T/dom.html" <<'PY' || fail "index content"
import sys
from html.parser import HTMLParser

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.anchors, self.tables, self.cell = [], [], {}, None
        self.table = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "br" and self.cell is not None:
            self.cell.append(" ")
        elif tag == "link":
            self.links.append(a)
        elif tag == "a":
            self.anchors.append(a.get("href"))
        elif tag == "table":
            self.table = self.tables.setdefault(a.get("id"), [])
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.table[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table":
            self.table = None
    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

p = Page()
p.feed(open(sys.argv[1], encoding="utf-8").read())

alts = {(l.get("type"), l.get("href")) for l in p.links if l.get("rel") == "alternate"}
for cat in ("cloud", "security", "all"):
    for ext, mime in (("atom", "application/atom+xml"), ("rss", "application/rss+xml"),
                      ("json", "application/feed+json")):
        assert (mime, "/feeds/%s.%s" % (cat, ext)) in alts, (cat, ext, alts)
        assert "/feeds/%s.%s" % (cat, ext) in p.anchors, (cat, ext)

cats = {r[0]: r for r in p.tables["categories"][1:]}
assert "Cloud & Datacentre Everything <cloud>" in cats, list(cats)
row = cats["Cloud & Datacentre Everything <cloud>"]
assert row[1] == "5", row
assert row[2].endswith("UTC") and row[2][:2] == "20", row
assert row[3] == "Atom · RSS · JSON Feed", row
assert cats["Security"][1] == "2", cats["Security"]
assert cats["All entries"][1] == "5", cats["All entries"]

srcs = {r[0]: r for r in p.tables["sources"][1:]}
assert sorted(srcs) == ["broken", "busy", "cloudweekly", "gone", "secdaily", "wall"], list(srcs)
assert srcs["cloudweekly"][2] == "ok", srcs["cloudweekly"]
assert srcs["cloudweekly"][1] == "Cloud Weekly", srcs["cloudweekly"]
assert srcs["cloudweekly"][3].endswith("UTC"), srcs["cloudweekly"]
assert srcs["cloudweekly"][4].endswith("UTC"), srcs["cloudweekly"]
assert srcs["broken"][2].startswith("failing since 20"), srcs["broken"]
assert srcs["broken"][3] == "never", srcs["broken"]
assert "not a feed" in srcs["broken"][6], srcs["broken"]
assert srcs["busy"][2].startswith("throttled since"), srcs["busy"]
assert "HTTP 503" in srcs["busy"][6], srcs["busy"]
assert srcs["gone"][2].startswith("gone since"), srcs["gone"]
assert srcs["wall"][2].startswith("blocked since"), srcs["wall"]
assert "/opml" in p.anchors and "/opml/cloud" in p.anchors
PY
pass "Chromium renders the index: categories, subscribe links, autodiscovery, source health"
daemon_stop
exit 0

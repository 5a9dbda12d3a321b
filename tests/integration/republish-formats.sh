#!/bin/sh
# republish-formats: every category is served as Atom, RSS 2.0 and JSON
# Feed 1.1; each document is valid (Atom against the RFC 4287 RELAX NG
# schema, JSON against the JSON Feed 1.1 schema, RSS well-formed with the
# elements RSS readers rely on), and python3-feedparser reads each one
# without complaint with the same entries and fields the fixture
# publishers served, tricky text escaped correctly everywhere.
. "$(dirname "$0")/lib.sh"
t_setup
command -v curl >/dev/null || fail "curl is required (apt-get install curl)"
command -v xmllint >/dev/null ||
    fail "xmllint is required (apt-get install libxml2-utils)"
"$PY" -c 'import feedparser' 2>/dev/null ||
    fail "$PY with feedparser is required (apt-get install python3-feedparser)"
"$PY" -c 'import jsonschema' 2>/dev/null ||
    fail "$PY with jsonschema is required (apt-get install python3-jsonschema)"
: "${SCHEMAS:=${top_srcdir:-$t_here/../..}/../shared/schemas}"
if [ ! -f "$SCHEMAS/atom/atom.rng" ] ||
    [ ! -f "$SCHEMAS/jsonfeed/schema-v1.1.json" ]; then
	# As the parse corpus: beside a checkout, not in a release tarball.
	skip "schemas not found in $SCHEMAS (set SCHEMAS)"
fi

fix="$t_here/fixtures"
mkdir -p "$T/pub"
cp "$fix/cloud.rss" "$fix/sec.atom" "$fix/tricky.rss" "$T/pub/"
fixpub_start "$T/pub"

cat >"$T/feedmux.conf" <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $T/db/feedmux.db
allow_private = yes
interval = 1h

[category "cloud"]
title = Cloud & Datacentre
description = Clouds <and> "quotes"

[category "security"]
title = Security

[category "misc"]
title = Misc & Edge <Cases>

[source "cloudweekly"]
url = $FIXPUB_URL/cloud.rss
categories = cloud

[source "secdaily"]
url = $FIXPUB_URL/sec.atom
categories = security, cloud

[source "tricky"]
url = $FIXPUB_URL/tricky.rss
categories = misc
CONF

daemon_start "$T/feedmux.conf"

# Number of entries in an Atom feed.
atom_count()
{
	n=$(curl -sS --max-time 5 "$1" | grep -c '<entry>') || return 1
	[ "$n" -eq "$2" ]
}
wait_for atom_count "$DAEMON_URL/feeds/cloud.atom" 5
wait_for atom_count "$DAEMON_URL/feeds/misc.atom" 3
wait_for atom_count "$DAEMON_URL/feeds/all.atom" 8
pass "every source polled"

for c in cloud security misc all; do
	for f in atom rss json; do
		http_get "$DAEMON_URL/feeds/$c.$f" "$T/$c.$f" -D "$T/$c.$f.h" ||
		    fail "GET /feeds/$c.$f"
		head -n 1 "$T/$c.$f.h" | grep -q ' 200 ' ||
		    fail "/feeds/$c.$f: $(head -n 1 "$T/$c.$f.h")"
	done
	xmllint --noout --relaxng "$SCHEMAS/atom/atom.rng" "$T/$c.atom" \
	    2>"$T/rng.err" || { cat "$T/rng.err"; fail "$c.atom is not valid Atom"; }
	xmllint --noout "$T/$c.rss" 2>"$T/rss.err" ||
	    { cat "$T/rss.err"; fail "$c.rss is not well-formed"; }
	"$PY" - "$SCHEMAS/jsonfeed/schema-v1.1.json" "$T/$c.json" <<'PY' ||
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2], encoding="utf-8"))
jsonschema.Draft7Validator(schema).validate(doc)
PY
	    fail "$c.json is not valid JSON Feed 1.1"
done
tr -d '\r' <"$T/cloud.atom.h" | grep -qi '^content-type: application/atom+xml' ||
    fail "atom content type"
tr -d '\r' <"$T/cloud.rss.h" | grep -qi '^content-type: application/rss+xml' ||
    fail "rss content type"
tr -d '\r' <"$T/cloud.json.h" | grep -qi '^content-type: application/feed+json' ||
    fail "json content type"
pass "Atom valid against RFC 4287 RELAX NG, JSON Feed valid against its schema, RSS well-formed"

# The same entries and fields as the publishers served, in every format.
"$PY" - "$DAEMON_URL" "$FIXPUB_URL" <<'PY' || fail "formats read by feedparser"
import sys, re, json, urllib.request, feedparser
from xml.etree import ElementTree as ET
daemon, pub = sys.argv[1], sys.argv[2]

def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read(), r.headers.get("Content-Type")

def when(e):
    return e.get("published_parsed") or e.get("updated_parsed")

def read(url):
    body, ctype = fetch(url)
    if "json" in ctype:
        return read_json(body), body
    d = feedparser.parse(body, response_headers={"content-type": ctype})
    assert not d.bozo, (url, d.bozo_exception)
    return d, body

# Debian's feedparser (6.0) predates JSON Feed: read it the same shape by hand.
def read_json(body):
    import time, datetime
    doc = json.loads(body)
    def parsed(s):
        if s is None:
            return None
        t = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
        return time.struct_time(t.timetuple()[:8] + (0,))
    fd = feedparser.FeedParserDict
    d = fd(version="json11" if doc["version"].endswith("1.1") else "json",
           feed=fd(title=doc["title"], links=[]), entries=[])
    for it in doc["items"]:
        e = fd(id=it["id"], link=it.get("url"), title=it.get("title"),
               summary=it.get("content_html", it.get("content_text")))
        if it.get("date_published"):
            e["published_parsed"] = parsed(it["date_published"])
        if it.get("date_modified"):
            e["updated_parsed"] = parsed(it["date_modified"])
        if it.get("authors"):
            e["author"] = it["authors"][0].get("name")
        d.entries.append(e)
    return d

# What the publishers served, read by the same independent reader.
served = {}
for name, f in [("cloudweekly", "cloud.rss"), ("secdaily", "sec.atom"),
                ("tricky", "tricky.rss")]:
    d, _ = read(pub + "/" + f)
    for e in d.entries:
        served[e.link] = (name, d.feed.title, e)

want = {
    "cloud": {"cloudweekly", "secdaily"},
    "security": {"secdaily"},
    "misc": {"tricky"},
    "all": {"cloudweekly", "secdaily", "tricky"},
}
titles = {"cloud": "Cloud & Datacentre", "security": "Security",
          "misc": "Misc & Edge <Cases>", "all": "All entries"}
versions = {"atom": "atom10", "rss": "rss20", "json": "json11"}
for cat, sources in want.items():
    links = {l for l, v in served.items() if v[0] in sources}
    for fmt in ("atom", "rss", "json"):
        url = "%s/feeds/%s.%s" % (daemon, cat, fmt)
        d, raw = read(url)
        where = "%s.%s" % (cat, fmt)
        assert d.version == versions[fmt], (where, d.version)
        assert d.feed.title == titles[cat], (where, d.feed.title)
        got = [e.link for e in d.entries]
        assert sorted(got) == sorted(links), (where, got, links)
        # Newest first.
        dates = [when(e) for e in d.entries]
        assert dates == sorted(dates, reverse=True), (where, dates)
        ids = [e.id for e in d.entries]
        assert len(set(ids)) == len(ids), (where, ids)
        if fmt != "json":
            self_links = [l.href for l in d.feed.links if l.rel == "self"]
            assert self_links == [url], (where, d.feed.links)
        else:
            assert json.loads(raw)["feed_url"] == url, where
        for e in d.entries:
            src, src_title, s = served[e.link]
            # RSS and JSON Feed titles are plain text: an HTML title's text.
            want_title = s.title
            if fmt != "atom" and s.get("title_detail", {}).get("type") == "text/html":
                want_title = re.sub(r"<[^>]*>", "", s.title)
            assert e.title == want_title, (where, e.title, want_title)
            assert when(e) == when(s), (where, e.title, when(e), when(s))
            if s.get("author") and fmt != "rss":
                assert e.get("author") == s.author or \
                    e.get("author", "").startswith(s.get("author_detail", {}).get("name", "?")), \
                    (where, e.get("author"), s.author)
            if fmt == "atom":
                assert e.source.title == src_title, (where, e.source)
        if cat == "cloud" and fmt == "atom":
            e = {x.link: x for x in d.entries}["http://sec.example.org/patch"]
            assert e.id == "tag:sec.example.org,2026:patch", e.id
            assert e.author == "Bruce", e.get("author")
        if fmt == "json":
            doc = json.loads(raw)
            for it in doc["items"]:
                name = served[it["url"]][0]
                assert it["_feedmux"]["source"]["name"] == name, it
                assert it["_feedmux"]["source"]["feed_url"].startswith(pub)
                assert "content_html" in it or "content_text" in it

# Tricky text: the same characters back, escaped right, in every format.
tricky = 'Quotes "double" & \'single\' <tags>'
for fmt in ("atom", "rss", "json"):
    d, raw = read("%s/feeds/misc.%s" % (daemon, fmt))
    t = [e.title for e in d.entries]
    assert tricky in t, (fmt, t)
    assert "Café – naïve ✓" in t, (fmt, t)
    assert d.feed.title == "Misc & Edge <Cases>", d.feed.title
    assert "AT&amp;T" in [e for e in d.entries if e.title == tricky][0].summary or \
        "AT&T" in [e for e in d.entries if e.title == tricky][0].summary
    assert re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", raw) is None, fmt

# RSS: guid isPermaLink, <source url>, RFC 822 dates, atom:link self.
raw, _ = fetch(daemon + "/feeds/misc.rss")
root = ET.fromstring(raw)
ch = root.find("channel")
A = "{http://www.w3.org/2005/Atom}"
assert ch.find(A + "link[@rel='self']").get("href") == daemon + "/feeds/misc.rss"
rfc822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$")
items = {i.findtext("link"): i for i in ch.findall("item")}
for link, i in items.items():
    assert rfc822.match(i.findtext("pubDate")), i.findtext("pubDate")
    src = i.find("source")
    assert src.get("url") == pub + "/tricky.rss" and src.text == "Tricky & Co", src.attrib
g = items["http://tricky.example.com/1?a=1&b=2"].find("guid")
assert g.get("isPermaLink") == "false" and g.text == "urn:feedmux:tricky:id%20with%20spaces%201", (g.attrib, g.text)
g = items["http://tricky.example.com/2"].find("guid")
assert g.get("isPermaLink") == "true" and g.text == "http://tricky.example.com/2", g.attrib
g = items["http://tricky.example.com/3"].find("guid")
assert g.get("isPermaLink") == "true" and g.text == "http://tricky.example.com/3", g.attrib
assert items["http://tricky.example.com/2"].findtext("author") == "joe@example.com (Joe Bloggs)"
assert rfc822.match(ch.findtext("lastBuildDate")), ch.findtext("lastBuildDate")

# Atom: stable feed id, self and alternate, atom:source with the publisher's feed id.
raw, _ = fetch(daemon + "/feeds/security.atom")
root = ET.fromstring(raw)
assert root.findtext(A + "id") == "urn:feedmux:feed:security"
assert root.find(A + "link[@rel='alternate']").get("href") == daemon + "/"
src = root.find(A + "entry/" + A + "source")
assert src.findtext(A + "id") == "urn:example:security-daily", src.findtext(A + "id")
assert src.find(A + "link[@rel='self']").get("href") == pub + "/sec.atom"
PY
pass "feedparser reads every format: entries, order, dates, authors, provenance, escaping"

# One publisher's entries as stored.
http_get "$DAEMON_URL/sources/tricky.json" "$T/src.json" || fail "GET /sources"
"$PY" - "$T/src.json" <<'PY' || fail "/sources/tricky.json"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(d["items"]) == 3, d
assert d["title"] == "Tricky & Co", d["title"]
assert {i["_feedmux"]["source"]["name"] for i in d["items"]} == {"tricky"}
PY
[ "$(http_status "$DAEMON_URL/sources/nosuch.atom")" = 404 ] || fail "unknown source"
pass "/sources/NAME serves one publisher"
daemon_stop
exit 0

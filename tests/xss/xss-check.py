#!/usr/bin/python3
"""xss-check: no executable construct in any of feedmux's outputs.

Usage: xss-check.py VECTORS LIST
       xss-check.py --raw FIXTURE...


LIST holds "PATH FILE" lines: the request path and the saved body.  Each
body is parsed as what it is (Atom and RSS with an XML parser, JSON Feed
with json, pages and HTML fragments with html.parser after every layer of
XML or JSON escaping is undone), and every HTML a reader may render is
checked: no script-bearing element (script, style, iframe, object, embed,
base, meta, form, svg, math, ...), no on* attribute, no srcdoc or
formaction, no URL attribute whose scheme (after entity decoding and the
stripping browsers do) is not an inert one, no style with url(),
expression(), behavior or -moz-binding.  Links of entries and feeds
(Atom link/@href, RSS link, JSON url, ...) must have inert schemes too.
Titles of RSS items and JSON Feed items are checked as HTML, as naive
readers render them.  Ids (Atom id, RSS guid, JSON Feed id and feed_id)
may not have a scheme that runs script, should a reader take them for
links.  The index and category pages may hold only their
own head elements.  Prints one line per finding; exits 1 on any.
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

ATOM = "{http://www.w3.org/2005/Atom}"
XHTML = "{http://www.w3.org/1999/xhtml}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"

# Elements that run script, load documents or plugins, change the page's
# base, refresh it, submit it, or switch the parser into a foreign or raw
# text mode where later markup means something else.
BAD_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed",
    "applet", "param", "base", "meta", "link", "form", "svg", "math",
    "animate", "animatemotion", "animatetransform", "set", "use",
    "foreignobject", "handler", "listener", "template", "noscript",
    "noembed", "noframes", "xmp", "plaintext", "title", "portal", "isindex",
    "xml", "import", "image", "annotation-xml", "maction", "discard",
    "mglyph", "malignmark", "body", "html", "head", "layer", "ilayer",
    "bgsound", "xss", "slot",
}
# Attributes that hold a URL (srcset: a list of them).
URL_ATTRS = {
    "href", "src", "action", "formaction", "xlink:href", "poster",
    "background", "data", "cite", "longdesc", "dynsrc", "lowsrc",
    "codebase", "usemap", "ping", "manifest", "icon", "profile", "classid",
    "archive", "srcset", "imagesrcset", "lang:href", "xml:base", "content",
}
# Attributes that are script or documents whatever their value.
BAD_ATTRS = {
    "srcdoc", "formaction", "action", "xlink:href", "xmlns:xlink", "data",
    "codebase", "classid", "dynsrc", "lowsrc", "ping", "form", "is",
    "attributename", "values", "to", "from", "by", "begin", "xml:base",
    "http-equiv", "seamless", "allowscriptaccess", "id", "name",
}
# Schemes that cannot run script.
SAFE_SCHEMES = {
    "http", "https", "mailto", "ftp", "ftps", "irc", "ircs", "magnet",
    "news", "nntp", "sip", "sips", "sms", "tel", "webcal", "xmpp", "feed",
}
BAD_CSS = ("expression", "url(", "behavior", "-moz-binding", "javascript",
           "vbscript", "@import", "</", "<!", "image(", "image-set(",
           "element(", "\\")


def url_scheme(v):
    """The scheme a browser would see in V (already entity-decoded), or None."""
    # WHATWG URL parsing: leading/trailing C0 controls and spaces go, tab and
    # newlines anywhere are removed.
    v = v.strip("".join(chr(c) for c in range(0x21)))
    v = re.sub("[\t\n\r]", "", v)
    m = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", v)
    return m.group(1).lower() if m else None


def url_bad(v):
    """Why URL V is unsafe, or None."""
    if "\x00" in v:
        return "NUL in URL"
    s = url_scheme(v)
    if s is None:
        return None
    if s not in SAFE_SCHEMES:
        return "scheme %s:" % s
    if s == "feed":
        # feed:javascript:... was run by some browsers.
        inner = v.split(":", 1)[1]
        if url_scheme(inner) not in (None, "http", "https"):
            return "nested scheme in feed:"
    return None


# Schemes that run script, refused in ids too (which may be tag:, urn:).
SCRIPT_SCHEMES = {"javascript", "vbscript", "livescript", "mocha", "data",
                  "jar", "view-source", "blob"}


def id_bad(v):
    """Why id V would be unsafe taken for a link, or None."""
    s = url_scheme(v)
    if s in SCRIPT_SCHEMES:
        return "id with scheme %s:" % s
    if s == "feed":
        return url_bad(v)
    return None


def css_bad(v):
    """Why style V is unsafe, or None."""
    s = re.sub(r"/\*.*?\*/", "", v, flags=re.S).lower()
    s = re.sub(r"\s+", "", s)
    for b in BAD_CSS:
        if b in s:
            return "style holds %r" % b
    return None


class Audit(HTMLParser):
    """Findings for one HTML document or fragment."""

    def __init__(self, where, page=False):
        super().__init__(convert_charrefs=True)
        self.where, self.page, self.bad = where, page, []
        self.heads = []

    def note(self, why):
        self.bad.append("%s: %s" % (self.where, why))

    def handle_starttag(self, tag, attrs):
        self.check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self.check(tag, attrs)

    def check(self, tag, attrs):
        tag = tag.lower()
        if self.page and tag in ("html", "head", "body", "title", "style",
                                 "meta", "link"):
            self.heads.append((tag, dict(attrs)))
        elif tag in BAD_TAGS or ":" in tag:
            self.note("element <%s>" % tag)
        for name, value in attrs:
            name = name.lower()
            value = value or ""
            if self.page and name in ("id", "name", "content", "charset",
                                      "lang", "rel"):
                continue
            if name.startswith("on"):
                self.note("<%s %s=%r>" % (tag, name, value[:60]))
            elif name in BAD_ATTRS or ":" in name:
                self.note("<%s %s=%r>" % (tag, name, value[:60]))
            if name in URL_ATTRS:
                parts = ([p.strip().split()[0] for p in value.split(",")
                          if p.strip()] if name.endswith("srcset")
                         else [value])
                for p in parts:
                    why = url_bad(p)
                    if why:
                        self.note("<%s %s=%r>: %s" % (tag, name, value[:60],
                                                       why))
            if name == "style":
                why = css_bad(value)
                if why:
                    self.note("<%s style=%r>: %s" % (tag, value[:60], why))

    def handle_pi(self, data):
        self.note("processing instruction %r" % data[:60])

    def handle_decl(self, decl):
        if not (self.page and decl.lower() == "doctype html"):
            self.note("declaration %r" % decl[:60])

    def unknown_decl(self, data):
        self.note("declaration %r" % data[:60])

    def handle_comment(self, data):
        self.note("comment %r" % data[:60])


# HTML fields checked, and how many of them had findings.
TALLY = {"fields": 0, "flagged": 0}


def audit_html(where, html, page=False):
    a = Audit(where, page)
    a.feed(html)
    a.close()
    TALLY["fields"] += 1
    TALLY["flagged"] += 1 if a.bad else 0
    return a


def audit_page(where, html):
    """A page of ours: only its own head elements, nothing else."""
    a = audit_html(where, html, page=True)
    bad = a.bad
    styles = [h for h in a.heads if h[0] == "style"]
    if len(styles) != 1:
        bad.append("%s: %d style elements" % (where, len(styles)))
    for tag, at in a.heads:
        if tag == "meta" and set(at) - {"charset", "name", "content"}:
            bad.append("%s: meta %r" % (where, at))
        if tag == "meta" and "name" in at and at["name"] != "viewport":
            bad.append("%s: meta %r" % (where, at))
        if tag == "link" and (at.get("rel") != "alternate" or
                              not at.get("href", "").startswith("/feeds/")):
            bad.append("%s: link %r" % (where, at))
    # Our own stylesheet, whole; no text of a feed can reach it.
    m = re.findall(r"<style>(.*?)</style>", html, re.S)
    if m and ("<" in m[0] or "url(" in m[0] or "expression" in m[0]):
        bad.append("%s: style element holds markup" % where)
    return bad


def check_atom(where, body):
    bad, n = [], 0
    root = ET.fromstring(body)
    for el in root.iter():
        tag = el.tag
        if tag in (ATOM + "title", ATOM + "subtitle", ATOM + "summary",
                   ATOM + "content", ATOM + "rights"):
            t = el.get("type", "text")
            n += 1
            if t == "html":
                bad += audit_html("%s %s html" % (where, tag[len(ATOM):]),
                                  el.text or "").bad
            elif t == "xhtml":
                bad += audit_html("%s %s xhtml" % (where, tag[len(ATOM):]),
                                  "".join(ET.tostring(c, encoding="unicode")
                                          for c in el)).bad
            elif t != "text":
                bad.append("%s: %s type=%r" % (where, tag, t))
            elif len(el):
                bad.append("%s: markup in a text construct" % where)
        elif tag == ATOM + "link":
            why = url_bad(el.get("href", ""))
            if why:
                bad.append("%s: link href=%r: %s" % (where, el.get("href"),
                                                     why))
        elif tag == ATOM + "id":
            n += 1
            why = id_bad(el.text or "")
            if why:
                bad.append("%s: id %r: %s" % (where, el.text, why))
        elif tag in (ATOM + "uri", ATOM + "icon", ATOM + "logo"):
            why = url_bad(el.text or "")
            if why:
                bad.append("%s: %s %r: %s" % (where, tag, el.text, why))
    return bad, n


def check_rss(where, body):
    bad, n = [], 0
    root = ET.fromstring(body)
    for el in root.iter():
        if el.tag in ("title", "description", CONTENT):
            n += 1
            bad += audit_html("%s %s" % (where, el.tag.split("}")[-1]),
                              el.text or "").bad
            continue
        if el.tag == "guid":
            n += 1
            why = id_bad(el.text or "")
            if why:
                bad.append("%s: guid %r: %s" % (where, el.text, why))
        if el.tag in ("link", "comments", "docs") or (
                el.tag == "guid" and el.get("isPermaLink") != "false"):
            why = url_bad(el.text or "")
            if why:
                bad.append("%s: %s %r: %s" % (where, el.tag, el.text, why))
        elif el.tag.endswith("}link") or el.tag in ("source", "enclosure"):
            for a in ("href", "url"):
                why = url_bad(el.get(a, ""))
                if why:
                    bad.append("%s: %s@%s: %s" % (where, el.tag, a, why))
    return bad, n


def check_json(where, body):
    bad, n = [], 0
    d = json.loads(body)

    def urls(obj, path):
        for k in ("url", "external_url", "image", "banner_image", "icon",
                  "favicon", "home_page_url", "feed_url", "next_url",
                  "avatar"):
            if isinstance(obj.get(k), str):
                why = url_bad(obj[k])
                if why:
                    bad.append("%s: %s.%s %r: %s" % (where, path, k,
                                                     obj[k][:60], why))

    urls(d, "feed")
    if isinstance(d.get("title"), str):
        n += 1
        bad += audit_html("%s title" % where, d["title"]).bad
    for i, it in enumerate(d.get("items", [])):
        urls(it, "items[%d]" % i)
        src = it.get("_feedmux", {}).get("source", {})
        for k, v in (("id", it.get("id")), ("feed_id", src.get("feed_id"))):
            if isinstance(v, str):
                n += 1
                why = id_bad(v)
                if why:
                    bad.append("%s: items[%d].%s %r: %s" % (where, i, k,
                                                            v[:60], why))
        for a in it.get("authors", []):
            urls(a, "items[%d].authors" % i)
        for k in ("content_html", "title"):
            if isinstance(it.get(k), str):
                n += 1
                bad += audit_html("%s items[%d].%s" % (where, i, k),
                                  it[k]).bad
    return bad, n


def check_opml(where, body):
    bad, n = [], 0
    root = ET.fromstring(body)
    for el in root.iter():
        if el.tag not in ("opml", "head", "title", "body", "outline",
                          "dateCreated", "dateModified", "docs",
                          "ownerName"):
            bad.append("%s: element %s" % (where, el.tag))
        for a in ("xmlUrl", "htmlUrl", "url"):
            if el.get(a) is not None:
                n += 1
                why = url_bad(el.get(a))
                if why or url_scheme(el.get(a)) not in ("http", "https"):
                    bad.append("%s: %s=%r" % (where, a, el.get(a)))
    return bad, n


def main():
    bad, outputs, fields = [], 0, 0
    raw = sys.argv[1] == "--raw"
    if raw:
        # The control: the fixtures themselves, unsanitized, must be
        # flagged, or the checks above see nothing.
        lines = [(p, p) for p in sys.argv[2:]]
    else:
        with open(sys.argv[2]) as f:
            lines = [l.split(None, 1) for l in f if l.strip()]
    for path, file in lines:
        file = file.strip()
        with open(file, encoding="utf-8") as f:
            body = f.read()
        outputs += 1
        try:
            if raw and path.endswith(".xml"):
                b, n = check_atom(path, body)
            elif path.endswith(".atom"):
                b, n = check_atom(path, body)
            elif path.endswith(".rss"):
                b, n = check_rss(path, body)
            elif path.endswith(".json"):
                b, n = check_json(path, body)
            elif path.startswith("/opml"):
                b, n = check_opml(path, body)
            else:
                b, n = audit_page(path, body), 1
        except (ET.ParseError, ValueError) as e:
            b, n = ["%s: does not parse: %s" % (path, e)], 0
        if n == 0 and not b:
            b = ["%s: nothing checked" % path]
        bad += b
        fields += n
    limit = int(os.environ.get("XSS_SHOW", "200"))
    if raw:
        print("control: %d of %d HTML fields of the fixtures flagged, "
              "%d findings" % (TALLY["flagged"], TALLY["fields"], len(bad)))
        # Encoded text (&lt;script&gt;, %3C, +ADw-, fullwidth) is inert
        # as HTML; everything else must be caught.
        sys.exit(0 if TALLY["flagged"] >= 0.8 * TALLY["fields"] else 1)
    for b in bad[:limit]:
        print("SURVIVED " + b)
    if len(bad) > limit:
        print("... %d more" % (len(bad) - limit))
    print("%d outputs, %d HTML fields and URLs checked, %d findings" %
          (outputs, fields, len(bad)))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

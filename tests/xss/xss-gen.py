#!/usr/bin/python3
"""xss-gen: fixture feeds made from the XSS corpus (tests/xss/vectors.txt).

Usage: xss-gen.py VECTORS OUTDIR

Writes into OUTDIR the feeds tests/integration/xss.sh serves through fixpub
and the list of sources it configures (sources.txt: "name file" lines):

  xss.rss         RSS 2.0: every vector as an item's title, description,
                  content:encoded, dc:creator and category; URL vectors as
                  the item's link
  xss-html.atom   Atom: title and content type="html", summary type="text"
  xss-text.atom   Atom: title and content type="text" (plain text that
                  looks like markup)
  xss-xhtml.atom  Atom: title and content type="xhtml", for the vectors that
                  are well-formed XML
  xss.json        JSON Feed: title, content_html, summary, author, tags, url
  xss-text.json   JSON Feed: content_text
  title-K.*       small feeds whose own title is a vector (the index and
                  OPML show source titles) and whose home page link (and
                  Atom feed id) is a URL vector; URL vectors are also the
                  ids of their entries

Vectors with characters XML cannot carry (NUL, most C0 controls) go only
into the JSON feeds.  The module is imported by xss-browser.py, which uses
expand() for its unsanitized positive controls.
"""
import base64
import json
import os
import re
import sys
import urllib.parse
import xml.dom.minidom
from xml.sax.saxutils import escape

# Attribute contexts each URL vector is put in (raw, the way a publisher
# might write it).
URL_CONTEXTS = (
    '<a href="{u}">x</a>',
    '<img src="{u}">',
    '<img srcset="{u} 1x">',
    '<iframe src="{u}"></iframe>',
    '<form action="{u}"><button formaction="{u}">x</button></form>',
    '<svg><a xlink:href="{u}"><text x="9" y="9">x</text></a></svg>',
    '<video poster="{u}"></video>',
    '<table background="{u}"><tr><td>x</td></tr></table>',
    '<blockquote cite="{u}">x</blockquote>',
    '<object data="{u}"></object>',
    '<embed src="{u}">',
    '<math href="{u}">x</math>',
    '<area href="{u}">',
    '<input type="image" src="{u}">',
)


def load(path):
    """The corpus: a list of (class, kind, template); kind is html or url."""
    out, cls = [], "unclassified"
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("## "):
                cls = line[3:].strip()
                continue
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith("url: "):
                out.append((cls, "url", line[5:]))
            else:
                out.append((cls, "html", line))
    return out


def signal(n, tag, quote="'"):
    """The JavaScript that reports vector N (tag 'xss' or 'raw') to the top window."""
    return "top.postMessage({q}{t}:{n}{q},{q}*{q})".format(q=quote, t=tag, n=n)


def expand(template, n, tag="xss"):
    """Template with its placeholders filled for vector N."""
    js = signal(n, tag)
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" id="x" onload="%s">'
           '<script>%s</script></svg>' % (signal(n, tag, "'"), js))
    rep = {
        "{JS}": js,
        "{JSD}": signal(n, tag, '"'),
        "{JSU}": urllib.parse.quote(js, safe=""),
        "{JSE}": "".join("&#%d;" % ord(c) for c in js),
        "{B64}": base64.b64encode(("<script>%s</script>" % js).encode()).decode(),
        "{SVG64}": base64.b64encode(svg.encode()).decode(),
        "{N}": str(n),
    }
    s = re.sub(r"\{U\+([0-9A-Fa-f]{4,6})\}", lambda m: chr(int(m.group(1), 16)),
               template)
    for k, v in rep.items():
        s = s.replace(k, v)
    if "'xss:" in s and tag != "xss":
        s = s.replace("'xss:", "'%s:" % tag)
    return s


def html_of(kind, s):
    """The HTML fragment a vector becomes (URL vectors in every URL context)."""
    if kind == "url":
        return "".join(c.format(u=s) for c in URL_CONTEXTS)
    return s


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_ok(s):
    """Can XML 1.0 carry S at all?"""
    return _XML_BAD.search(s) is None


def xhtml_ok(s):
    """Is S well-formed as the content of an XHTML div?"""
    try:
        xml.dom.minidom.parseString(
            '<div xmlns="http://www.w3.org/1999/xhtml" '
            'xmlns:xlink="http://www.w3.org/1999/xlink">%s</div>' % s)
        return True
    except Exception:
        return False


def link_of(fmt, n, kind, s):
    """The entry's link: the URL vector itself, else a distinct http URL."""
    return s if kind == "url" else "http://example.com/%s/%d" % (fmt, n)


def id_of(prefix, n, kind, s):
    """The entry's id: the URL vector itself (readers may take ids for
    links), else a distinct URN."""
    return s if kind == "url" else "%s:%d" % (prefix, n)


def date(n):
    """A distinct RFC 3339 date per entry, all within one day."""
    return "2026-11-01T%02d:%02d:%02dZ" % (n // 3600 % 24, n // 60 % 60, n % 60)


def rfc822(n):
    return "Sun, 01 Nov 2026 %02d:%02d:%02d GMT" % (n // 3600 % 24, n // 60 % 60,
                                                   n % 60)


def gen_rss(vec, title, home="http://example.com/"):
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
           '<title>%s</title><link>%s</link>'
           '<description>%s</description>' % (escape(title), escape(home),
                                              escape(title))]
    for n, (cls, kind, s) in vec:
        h = html_of(kind, s)
        # content:encoded in CDATA where it can be, escaped elsewhere.
        enc = ("<![CDATA[%s]]>" % h if "]]>" not in h else escape(h))
        out.append(
            "<item><title>%s</title><link>%s</link>"
            '<guid isPermaLink="false">%s</guid>'
            "<pubDate>%s</pubDate><description>%s</description>"
            "<content:encoded>%s</content:encoded>"
            "<dc:creator>%s</dc:creator><category>%s</category></item>"
            % (escape(s), escape(link_of("rss", n, kind, s)),
               escape(id_of("urn:xss:rss", n, kind, s)), rfc822(n),
               escape(h), enc, escape(s), escape(s[:200])))
    out.append("</channel></rss>\n")
    return "".join(out)


def gen_atom(vec, title, mode, home="http://example.com/", feed_id=None):
    """MODE: html, text or xhtml (the type of the title and content)."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n'
           '<feed xmlns="http://www.w3.org/2005/Atom" '
           'xmlns:xlink="http://www.w3.org/1999/xlink">'
           '<id>%s</id><title type="html">%s</title>'
           '<updated>2026-11-02T00:00:00Z</updated>'
           '<link rel="alternate" href="%s"/>'
           '<author><name>xss</name></author>' % (
               escape(feed_id or "urn:xss:atom-" + mode), escape(title),
               escape(home, {'"': "&quot;"}))]
    for n, (cls, kind, s) in vec:
        h = html_of(kind, s)
        if mode == "xhtml":
            div = ('<div xmlns="http://www.w3.org/1999/xhtml">%s</div>')
            t = '<title type="xhtml">%s</title>' % (div % s if kind == "html"
                                                    else div % escape(s))
            c = '<content type="xhtml">%s</content>' % (div % h)
        else:
            t = '<title type="%s">%s</title>' % (mode, escape(s))
            c = '<content type="%s">%s</content>' % (mode, escape(h))
        out.append(
            "<entry><id>%s</id>%s"
            '<link rel="alternate" href="%s"/>'
            "<updated>%s</updated><author><name>%s</name><uri>%s</uri>"
            '</author><category term="%s"/>'
            '<summary type="text">%s</summary>%s</entry>'
            % (escape(id_of("urn:xss:atom-" + mode, n, kind, s)), t,
               escape(link_of("atom-" + mode, n, kind, s),
                                  {'"': "&quot;"}),
               date(n), escape(s), escape(link_of("author", n, kind, s)),
               escape(s[:200], {'"': "&quot;"}), escape(h), c))
    out.append("</feed>\n")
    return "".join(out)


def gen_json(vec, title, text, home="http://example.com/"):
    items = []
    for n, (cls, kind, s) in vec:
        h = html_of(kind, s)
        it = {"id": id_of("urn:xss:json%s" % ("-text" if text else ""), n,
                          kind, s),
              "url": link_of("json-text" if text else "json", n, kind, s),
              "title": s, "summary": s, "date_published": date(n),
              "authors": [{"name": s, "url": link_of("author", n, kind, s)}],
              "tags": [s[:200]]}
        if text:
            it["content_text"] = h
        else:
            it["content_html"] = h
            it["external_url"] = link_of("external", n, kind, s)
            it["image"] = link_of("image", n, kind, s)
        items.append(it)
    return json.dumps({"version": "https://jsonfeed.org/version/1.1",
                       "title": title, "home_page_url": home,
                       "items": items}, ensure_ascii=True, indent=0) + "\n"


# Vectors that name the small feeds whose own title is hostile.
TITLE_PICKS = 16


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: xss-gen.py VECTORS OUTDIR")
    corpus = load(sys.argv[1])
    outdir = sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    vec = [(n, (c, k, expand(t, n))) for n, (c, k, t) in enumerate(corpus)]
    xmlvec = [v for v in vec if xml_ok(html_of(v[1][1], v[1][2]))]
    xhtmlvec = [v for v in xmlvec if xhtml_ok(html_of(v[1][1], v[1][2]))]
    htmlvec = [v for v in vec if v[1][1] == "html"]
    nonul = [v for v in vec if "\0" not in html_of(v[1][1], v[1][2])]
    t = lambda i: htmlvec[i * len(htmlvec) // 7][1][2]
    feeds = [
        ("rss", "xss.rss", gen_rss(xmlvec, t(0))),
        ("atomhtml", "xss-html.atom", gen_atom(xmlvec, t(1), "html")),
        ("atomtext", "xss-text.atom", gen_atom(xmlvec, t(2), "text")),
        ("atomxhtml", "xss-xhtml.atom", gen_atom(xhtmlvec, t(3), "xhtml")),
        ("json", "xss.json", gen_json(nonul, t(4), False)),
        ("jsontext", "xss-text.json", gen_json(nonul, t(5), True)),
    ]
    # JSON cannot carry NUL either (\u0000 is refused): a feed of those
    # vectors alone must fail to parse as a whole, leaving nothing behind.
    nul = [v for v in vec if "\0" in html_of(v[1][1], v[1][2])]
    with open(os.path.join(outdir, "nul.json"), "w") as f:
        f.write(gen_json(nul, "nul", False))
    # Feed titles: a spread of the corpus, in all three formats.
    picks = [v for v in htmlvec if xml_ok(v[1][2])]
    picks = [picks[i * len(picks) // TITLE_PICKS] for i in range(TITLE_PICKS)]
    # ... and their home page links: URL vectors.
    urls = [v[1][2] for v in xmlvec if v[1][1] == "url"]
    for i, (n, (c, k, s)) in enumerate(picks):
        one = [(n, (c, k, s))]
        home = urls[i * len(urls) // TITLE_PICKS]
        if i % 3 == 0:
            feeds.append(("title%d" % i, "title-%d.rss" % i,
                          gen_rss(one, s, home)))
        elif i % 3 == 1:
            feeds.append(("title%d" % i, "title-%d.atom" % i,
                          gen_atom(one, s, "html", home, home)))
        else:
            feeds.append(("title%d" % i, "title-%d.json" % i,
                          gen_json(one, s, False, home)))
    with open(os.path.join(outdir, "sources.txt"), "w") as f:
        for name, fn, body in feeds:
            with open(os.path.join(outdir, fn), "w", encoding="utf-8") as g:
                g.write(body)
            f.write("%s %s\n" % (name, fn))
    print("%d vectors (%d html, %d url), %d in XML feeds, %d as XHTML, "
          "%d in JSON (%d with NUL refused), %d feeds" % (
              len(vec), len(htmlvec), len(vec) - len(htmlvec), len(xmlvec),
              len(xhtmlvec), len(nonul), len(nul), len(feeds)))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""xss-browser: no vector runs in Chromium, and the detector works.

Usage: xss-browser.py VECTORS DAEMON_URL T

Serves, on a loopback port of its own, a page that acts as a naive feed
reader: it takes each source's JSON Feed, Atom and RSS output from feedmux
(fetched here from DAEMON_URL/sources/NAME.EXT, for every source named in
T/pub/sources.txt) and puts every entry into the DOM with
Range.createContextualFragment (so that even <script> would run):
JSON Feed title (as HTML, though the format says plain text) and
content_html, Atom title, summary and content of type html or xhtml (type
text as text, as Atom says), RSS title, description and content:encoded,
each distinct markup once (xss-check.py reads every copy); then all of it
once more through innerHTML read back and written again (mutation XSS).
The page also frames feedmux's index and category pages.  Every vector
signals with top.postMessage("xss:N", "*"); once every frame has loaded
the page waits two seconds more, audits the DOM it built (no
script-bearing elements, on* attributes or script URLs as the browser
itself parsed them) and writes a report, which this script reads over the
DevTools protocol (--remote-debugging-pipe).

Positive controls, unsanitized and injected by this harness: the whole
corpus, one vector per srcdoc frame (tag "raw"), must run RAW_MIN times,
and hand-made controls through each path must all run: a script and an
onerror handler through the fragment path, one through innerHTML, one from
a data: frame and one from a cross-origin frame (the way the index is
framed).  Non-loopback hosts do not resolve, so nothing leaves the machine.
Exits 1 when a vector ran, the audit found something, or a control failed.
"""
import http.server
import importlib.util
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True	# nothing written beside the sources
spec = importlib.util.spec_from_file_location(
    "xssgen", os.path.join(HERE, "xss-gen.py"))
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)

# Unsanitized vectors that must run, at the least (129 with Chromium 156
# here: the rest need a click, a plugin, an old engine or a focus).
RAW_MIN = 100
BROWSER_TIMEOUT = 90		# seconds for Chromium to report
CONTROLS = ("ctl:script", "ctl:onerror", "ctl:inner", "ctl:data",
            "ctl:xorigin")

PAGE = r"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>naive reader</title></head>
<body>
<div id="frames"></div>
<div id="reader"></div>
<div id="again"></div>
<div id="controls"></div>
<pre id="result"></pre>
<script>
"use strict";
const seen = {xss: new Set(), raw: new Set(), ctl: new Set(), other: new Set()};
// Fixed now: a <base> that got through would move relative URLs.
const ORIGIN = location.origin, BASE = location.href;
addEventListener("message", (e) => {
	const d = String(e.data), k = d.split(":")[0];
	(seen[k] || seen.other).add(d);
	// Told at once too, should a vector take the page down with it.
	if (k !== "raw" && k !== "ctl")
		navigator.sendBeacon(ORIGIN + "/fired", d.slice(0, 200));
});
const reader = document.getElementById("reader");
const again = document.getElementById("again");
const frames = document.getElementById("frames");
const controls = document.getElementById("controls");
let rendered = 0, fields = 0;

// Markup already in the DOM: the same sanitized HTML comes in several
// sources and formats, once is enough for the browser (xss-check.py reads
// every copy).
const done = new Set();
// HTML into the DOM the way a careless reader does: scripts would run.
function put(parent, tag, markup) {
	const el = document.createElement(tag);
	if (done.has(markup)) return el;
	done.add(markup);
	parent.append(el);
	const r = document.createRange();
	r.selectNodeContents(el);
	el.append(r.createContextualFragment(markup));
	fields++;
	return el;
}
function text(parent, tag, s) {
	const el = document.createElement(tag);
	el.textContent = s;
	parent.append(el);
}
function entry(src, fmt, title, bodies) {
	const a = document.createElement("article");
	a.dataset.src = src + "." + fmt;
	reader.append(a);
	if (title !== null)
		(title.html ? put(a, "h2", title.v) : text(a, "h2", title.v));
	for (const b of bodies)
		(b.html ? put(a, "div", b.v) : text(a, "div", b.v));
	rendered++;
}
// Atom text constructs by their type.
function atomText(el) {
	if (!el) return null;
	const t = el.getAttribute("type") || "text";
	if (t === "html") return {html: true, v: el.textContent};
	if (t === "xhtml") {
		let s = "";
		for (const c of el.childNodes) s += new XMLSerializer().serializeToString(c);
		return {html: true, v: s};
	}
	return {html: false, v: el.textContent};
}
function renderJSON(src, s) {
	const d = JSON.parse(s);
	if (d.title !== undefined) put(reader, "h1", d.title);
	for (const it of d.items) {
		const b = [];
		if (it.content_html !== undefined) b.push({html: true, v: it.content_html});
		if (it.content_text !== undefined) b.push({html: false, v: it.content_text});
		if (it.summary !== undefined) b.push({html: false, v: it.summary});
		entry(src, "json", it.title === undefined ? null : {html: true, v: it.title}, b);
	}
}
function renderAtom(src, s) {
	const x = new DOMParser().parseFromString(s, "application/xml");
	if (x.getElementsByTagName("parsererror").length) throw "atom " + src;
	const NS = "http://www.w3.org/2005/Atom";
	for (const e of x.getElementsByTagNameNS(NS, "entry")) {
		const one = (n) => { for (const c of e.children) if (c.namespaceURI === NS && c.localName === n) return c; return null; };
		const b = [atomText(one("summary")), atomText(one("content"))].filter((v) => v);
		entry(src, "atom", atomText(one("title")), b);
	}
}
function renderRSS(src, s) {
	const x = new DOMParser().parseFromString(s, "application/xml");
	if (x.getElementsByTagName("parsererror").length) throw "rss " + src;
	const ch = x.getElementsByTagName("channel")[0];
	for (const c of ch.children)
		if (c.localName === "title" || c.localName === "description")
			put(reader, "h1", c.textContent);
	for (const it of x.getElementsByTagName("item")) {
		let title = null;
		const b = [];
		for (const c of it.children) {
			if (c.localName === "title") title = {html: true, v: c.textContent};
			if (c.localName === "description" || c.localName === "encoded")
				b.push({html: true, v: c.textContent});
		}
		entry(src, "rss", title, b);
	}
}
// The browser's own view of what we built: nothing that runs script.
const BAD = new Set(["script", "iframe", "frame", "frameset", "object", "embed",
	"applet", "base", "meta", "link", "style", "form", "template", "noscript",
	"portal", "param", "svg", "math", "xmp", "plaintext", "noembed", "noframes"]);
const SAFE = new Set(["http:", "https:", "mailto:", "ftp:", "ftps:", "irc:", "ircs:",
	"magnet:", "news:", "nntp:", "sip:", "sips:", "sms:", "tel:", "webcal:", "xmpp:", "feed:"]);
const URLS = ["href", "src", "action", "formaction", "poster", "background", "data",
	"cite", "longdesc", "dynsrc", "lowsrc", "codebase", "xlink:href", "ping"];
function audit(root) {
	const bad = [];
	for (const el of root.querySelectorAll("*")) {
		const n = el.localName, where = (el.closest("article") || {dataset: {}}).dataset.src;
		if (BAD.has(n) || el.namespaceURI !== "http://www.w3.org/1999/xhtml")
			bad.push(where + ": <" + n + "> in " + el.namespaceURI);
		for (const a of el.attributes) {
			const an = a.name.toLowerCase();
			if (an.startsWith("on") || an === "srcdoc" || an === "formaction" ||
			    an === "action" || an === "xlink:href")
				bad.push(where + ": <" + n + " " + an + ">");
			let urls = [];
			if (URLS.includes(an)) urls = [a.value];
			if (an === "srcset") urls = a.value.split(",").map((p) => p.trim().split(/\s+/)[0]);
			for (const u of urls) {
				let p;
				try { p = new URL(u, BASE).protocol; } catch (e) { p = "unparsable:"; }
				if (!SAFE.has(p)) bad.push(where + ": <" + n + " " + an + "=" + u.slice(0, 60) + ">");
			}
			if (an === "style" && /expression|url\(|behavior|binding|javascript/i.test(el.style.cssText + a.value))
				bad.push(where + ": <" + n + " style=" + a.value.slice(0, 60) + ">");
		}
	}
	return bad;
}
function control(name, markup) {
	put(controls, "div", markup.replaceAll("NAME", name));
}
async function main() {
	const t0 = performance.now();
	const d = await (await fetch(ORIGIN + "/data.json")).json();
	const errors = [], timing = [Date.now(), performance.now() - t0];
	// Hand-made controls through every path the feeds take.
	control("ctl:script", "<script>top.postMessage('NAME','*')<\/script>");
	control("ctl:onerror", "<img src=x onerror=\"top.postMessage('NAME','*')\">");
	const inner = document.createElement("div");
	controls.append(inner);
	inner.innerHTML = "<img src=x onerror=\"top.postMessage('ctl:inner','*')\">";
	control("ctl:data", "<iframe src=\"data:text/html,<script>top.postMessage('NAME','*')<\/script>\"></iframe>");
	const xo = document.createElement("iframe");
	xo.src = d.xorigin;
	frames.append(xo);
	// The corpus unsanitized, one frame per vector.
	let loads = 0;
	const loaded = new Promise((resolve) => {
		const seenFrames = new Set();
		d.raw.forEach((v, i) => {
			const f = document.createElement("iframe");
			f.onload = () => {
				seenFrames.add(i);
				loads = seenFrames.size;
				if (loads === d.raw.length) resolve();
			};
			f.srcdoc = v;
			controls.append(f);
		});
	});
	// feedmux's own pages, framed from their origin.
	for (const u of d.pages) {
		const f = document.createElement("iframe");
		f.src = u;
		frames.append(f);
	}
	for (const s of d.sources) {
		for (const [fmt, fn] of [["json", renderJSON], ["atom", renderAtom], ["rss", renderRSS]]) {
			try { fn(s.name, s[fmt]); } catch (e) { errors.push(s.name + "." + fmt + ": " + e); }
		}
	}
	timing.push(performance.now() - t0);
	// Mutation XSS: what the browser serialized, parsed once more.
	again.innerHTML = reader.innerHTML;
	timing.push(performance.now() - t0);
	// Every frame loaded (or the budget gone), then time for handlers.
	await Promise.race([loaded, new Promise((r) => setTimeout(r, 45000))]);
	timing.push(performance.now() - t0);
	setTimeout(() => {
		const r = {
			rendered: rendered, fields: fields, errors: errors, loads: loads,
			timing: timing.concat([performance.now() - t0, Date.now()]),
			audit: audit(reader).concat(audit(again)),
			xss: [...seen.xss], raw: [...seen.raw], ctl: [...seen.ctl],
			other: [...seen.other],
		};
		document.getElementById("result").textContent = "RESULT" + JSON.stringify(r) + "END";
		// Nothing the feeds brought may stay around to run later.
		reader.remove(); again.remove(); frames.remove(); controls.remove();
	}, 2000);
}
main().catch((e) => { document.getElementById("result").textContent = "RESULT" + JSON.stringify({fatal: String(e)}) + "END"; });
</script>
</body></html>
"""

XORIGIN = """<!DOCTYPE html><meta charset="utf-8"><title>x</title>
<script>top.postMessage('ctl:xorigin','*')</script>
"""


class Pipe:
    """The DevTools protocol over --remote-debugging-pipe (fds 3 and 4)."""

    def __init__(self, wfd, rfd):
        self.w, self.r, self.buf, self.n = wfd, rfd, b"", 0

    def call(self, method, params=None, session=None, deadline=None):
        self.n += 1
        msg = {"id": self.n, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        while True:
            while b"\0" not in self.buf:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.r], [], [], left)[0]:
                    raise TimeoutError(method)
                chunk = os.read(self.r, 1 << 20)
                if not chunk:
                    raise EOFError("Chromium went away")
                self.buf += chunk
            raw, self.buf = self.buf.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.n:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply["result"]


def drive(cmd, url):
    """Opens URL in Chromium and polls until the page wrote its result."""
    to_c_r, to_c_w = os.pipe()
    from_c_r, from_c_w = os.pipe()
    deadline = time.monotonic() + BROWSER_TIMEOUT

    def fds():
        os.dup2(to_c_r, 3)
        os.dup2(from_c_w, 4)

    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         pass_fds=(), preexec_fn=fds, close_fds=False)
    os.close(to_c_r)
    os.close(from_c_w)
    pipe = Pipe(to_c_w, from_c_r)
    try:
        t = pipe.call("Target.createTarget", {"url": url}, deadline=deadline)
        s = pipe.call("Target.attachToTarget",
                      {"targetId": t["targetId"], "flatten": True},
                      deadline=deadline)["sessionId"]
        while time.monotonic() < deadline:
            v = pipe.call("Runtime.evaluate", {
                "expression": "(document.getElementById('result') || "
                              "{}).textContent || ''",
                "returnByValue": True}, session=s, deadline=deadline)
            text = v.get("result", {}).get("value", "")
            if text.startswith("RESULT"):
                return text, None
            time.sleep(0.25)
        v = pipe.call("Runtime.evaluate", {"expression": "location.href",
                                           "returnByValue": True},
                      session=s, deadline=time.monotonic() + 5)
        return None, "no result in %d s, the page is at %.200s" % (
            BROWSER_TIMEOUT, v.get("result", {}).get("value"))
    except (TimeoutError, EOFError, RuntimeError, OSError) as e:
        return None, "%s: %s" % (type(e).__name__, e)
    finally:
        try:
            pipe.call("Browser.close", deadline=time.monotonic() + 5)
        except Exception:
            pass
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        p.stderr.close()
        os.close(to_c_w)
        os.close(from_c_r)


def main():
    vectors, daemon, t = sys.argv[1:4]
    corpus = gen.load(vectors)
    raw = [gen.html_of(k, gen.expand(s, n, "raw"))
           for n, (c, k, s) in enumerate(corpus)]
    with open(os.path.join(t, "pub", "sources.txt")) as f:
        names = [l.split()[0] for l in f if l.strip()]

    def get(path):
        with urllib.request.urlopen(daemon + path, timeout=10) as r:
            return r.read().decode("utf-8")

    cache = os.path.join(t, "browser-data.json")
    if os.environ.get("XSS_CACHE") and os.path.exists(cache):
        with open(cache) as f:
            sources = json.load(f)
    else:
        sources = [{"name": n, "json": get("/sources/%s.json" % n),
                    "atom": get("/sources/%s.atom" % n),
                    "rss": get("/sources/%s.rss" % n)} for n in names]
        if os.environ.get("XSS_CACHE"):
            with open(cache, "w") as f:
                json.dump(sources, f)
    data = {"sources": sources, "raw": raw,
            "pages": [daemon + "/", daemon + "/categories/xss",
                      daemon + "/categories/quiet"]}

    fired = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            if self.path == "/fired" and 0 <= n <= 4096:
                fired.append(self.rfile.read(n).decode("utf-8", "replace"))
            self.send_response(204)
            self.end_headers()

        def do_GET(self):
            if self.path == "/":
                body, ctype = PAGE.encode(), "text/html; charset=utf-8"
            elif self.path == "/data.json":
                body, ctype = json.dumps(data).encode(), "application/json"
            elif self.path == "/xorigin":
                body, ctype = XORIGIN.encode(), "text/html; charset=utf-8"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = srv.server_address[1]
    # Another origin for the cross-origin frame control (as feedmux's is).
    data["xorigin"] = "http://localhost:%d/xorigin" % port
    threading.Thread(target=srv.serve_forever, daemon=True).start()

    profile = tempfile.mkdtemp(dir=t, prefix="chromium.")
    cmd = [os.environ.get("CHROMIUM", "chromium"), "--headless",
           "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--disable-dev-shm-usage",
           "--user-data-dir=" + profile,
           # Loopback only: every other host fails to resolve.
           "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, "
           "EXCLUDE localhost",
           "--remote-debugging-pipe", "about:blank"]
    try:
        res, err = drive(cmd, "http://127.0.0.1:%d/" % port)
    finally:
        srv.shutdown()
    m = re.search(r"RESULT(.*?)END", res or "", re.S)
    if not m:
        print("no result from Chromium: %s" % (err or repr(res[:200])))
        for x in sorted(set(fired)):
            print("RAN %s" % x)
        sys.exit(1)
    r = json.loads(m.group(1))
    if "fatal" in r:
        print("harness failed: %s" % r["fatal"])
        sys.exit(1)
    rawn = {int(x.split(":")[1]) for x in r["raw"]}
    print("Chromium: %d entries rendered (%d distinct HTML fields, twice), "
          "%d feedmux pages framed; %d of %d vectors ran unsanitized (%d "
          "frames loaded); %d ran through feedmux; controls %s" % (
              r["rendered"], r["fields"], len(data["pages"]), len(rawn),
              len(corpus), r["loads"], len(r["xss"]), sorted(r["ctl"])))
    if os.environ.get("XSS_VERBOSE"):
        print("timing (ms): %r" % r["timing"])
    ok = True
    for e in r["errors"]:
        print("render error: " + e)
        ok = False
    for x in sorted(r["xss"]):
        n = x.split(":")[1]
        v = corpus[int(n)][2] if n.isdigit() else n
        print("RAN %s: %s" % (x, v))
        ok = False
    for a in r["audit"][:100]:
        print("AUDIT " + a)
    if r["audit"]:
        print("%d audit findings" % len(r["audit"]))
        ok = False
    if set(fired) - set(r["xss"]) - set(r["other"]):
        print("beacons without messages: %r" % sorted(set(fired))[:20])
        ok = False
    if r["other"]:
        print("unexpected messages: %r" % r["other"][:20])
        ok = False
    missing = [c for c in CONTROLS if c not in r["ctl"]]
    if missing:
        print("controls that did not run: %s" % missing)
        ok = False
    if len(rawn) < RAW_MIN:
        print("only %d unsanitized vectors ran (want %d)" % (
            len(rawn), RAW_MIN))
        ok = False
    if r["rendered"] == 0:
        print("nothing rendered")
        ok = False
    if os.environ.get("XSS_VERBOSE"):
        print("raw vectors that did not run unsanitized:")
        for n, (c, k, s) in enumerate(corpus):
            if n not in rawn:
                print("  %d [%s] %s" % (n, c, s))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

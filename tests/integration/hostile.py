#!/usr/bin/python3
# hostile.py: the hostile clients of hostile-clients.sh and hostile-flood.sh,
# on loopback against a running feedmuxd.  Subcommands:
#   slowloris PORT CONNS SECONDS PATH   hold CONNS connections sending a head
#       that never ends (re-opening those the server closes) while timing
#       well-formed GETs of PATH; prints the numbers, fails on a starved one
#   protocol PORT SECRET...             malformed, oversized, traversal and
#       pipelined requests; fails on a wrong answer, or on a body holding
#       "root:" or one of the SECRET strings
#   probe PORT PATH SECONDS             GET PATH every 100 ms on a keep-alive
#       connection (for the flood); prints the numbers, fails on any answer
#       but 200
# Every wait is bounded; exit status 0 on success, 1 with a message.
import multiprocessing
import queue
import resource
import selectors
import socket
import sys
import time

HOST = "127.0.0.1"


def fail(msg):
    sys.stderr.write("FAIL: %s\n" % msg)
    sys.exit(1)


def pct(values, p):
    """The P-th percentile (nearest rank) of VALUES."""
    v = sorted(values)
    if not v:
        return 0.0
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = n if hard == resource.RLIM_INFINITY else min(n, hard)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def parse_responses(data, head_idx=()):
    """Splits DATA into complete responses: (status, headers, body) each;
    returns them and the bytes left over.  The answers numbered in
    HEAD_IDX are to HEAD: no body."""
    out = []
    while True:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return out, data
        head = data[:end].decode("latin-1").split("\r\n")
        parts = head[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.1"):
            raise ValueError("bad status line %r" % head[0])
        hdrs = {}
        for line in head[1:]:
            k, _, v = line.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        n = int(hdrs.get("content-length", "0"))
        if len(out) in head_idx or int(parts[1]) in (204, 304):
            n = 0
        if len(data) < end + 4 + n:
            return out, data
        out.append((int(parts[1]), hdrs, data[end + 4:end + 4 + n]))
        data = data[end + 4 + n:]


def exchange(port, raw, timeout=5.0, until_close=True, head_idx=()):
    """Sends RAW, reads until the server closes (or TIMEOUT, or the first
    answer unless UNTIL_CLOSE); returns the answers, whether it closed, and
    the raw bytes."""
    s = socket.create_connection((HOST, port), timeout=timeout)
    data = b""
    closed = False
    deadline = time.monotonic() + timeout
    try:
        try:
            s.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass
        while time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                b = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not b:
                closed = True
                break
            data += b
            if not until_close and parse_responses(data, head_idx)[0]:
                break
    finally:
        s.close()
    resp, rest = parse_responses(data, head_idx)
    return resp, closed, data


def get(port, path, timeout=10.0, extra=b""):
    """One well-formed GET on a new connection: (status, body, seconds)."""
    t = time.monotonic()
    raw = (b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
           extra + b"Connection: close\r\n\r\n")
    resp, closed, data = exchange(port, raw, timeout=timeout)
    took = time.monotonic() - t
    if not resp:
        return 0, data, took
    return resp[0][0], resp[0][2], took


# --- slowloris ---------------------------------------------------------

def slowloris(port, conns, seconds, path):
    raise_nofile(conns + 256)
    sel = selectors.DefaultSelector()
    stats = {"opened": 0, "closed_by_server": 0, "answered": 0,
             "peak": 0, "refused": 0}
    open_socks = {}     # socket -> next trickle time
    stop = time.monotonic() + seconds
    head = b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"

    def open_one():
        s = socket.socket()
        s.setblocking(False)
        err = s.connect_ex((HOST, port))
        if err not in (0, 115):         # EINPROGRESS
            s.close()
            stats["refused"] += 1
            return
        sel.register(s, selectors.EVENT_WRITE, "connecting")
        open_socks[s] = 0.0
        stats["opened"] += 1

    def drop(s):
        sel.unregister(s)
        del open_socks[s]
        s.close()

    # The reader is a process of its own, started before the attack opens
    # its sockets (so it holds none of them): in a thread it would wait for
    # the attacker's GIL between its connect and its request, as no real
    # reader does.
    ctx = multiprocessing.get_context("fork")
    go = ctx.Event()
    results = ctx.Queue()

    def prober():
        # Starts once the attack holds its connections.
        go.wait(5)
        end = stop - 0.5
        probes, failures, mid = [], [], {}
        n = 0
        while time.monotonic() < end:
            st, body, took = get(port, path, timeout=5.0)
            if st != 200 or b"<entry>" not in body:
                failures.append((st, took, body[:80]))
            probes.append(took)
            n += 1
            if n == 20:
                st, body, _ = get(port, "/metrics", timeout=5.0)
                for line in body.decode("latin-1").split("\n"):
                    f = line.split(" ")
                    if len(f) == 2 and f[0] in (
                            "feedmux_http_connections",
                            "feedmux_http_connections_shed_total"):
                        mid[f[0]] = int(f[1])
            time.sleep(0.02)
        results.put((probes, failures, mid))

    proc = ctx.Process(target=prober)
    proc.start()
    for _ in range(conns):
        open_one()
    while time.monotonic() < stop:
        now = time.monotonic()
        for key, ev in sel.select(timeout=0.1):
            s = key.fileobj
            if key.data == "connecting":
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                    drop(s)
                    stats["refused"] += 1
                    continue
                # Half send a head that never ends, half send nothing.
                if s.fileno() % 2 == 0:
                    try:
                        s.send(head)
                    except OSError:
                        drop(s)
                        continue
                    open_socks[s] = now + 1.0
                sel.modify(s, selectors.EVENT_READ, "held")
                continue
            # Readable: the server answered (408) or closed us.
            try:
                b = s.recv(4096)
            except OSError:
                b = b""
            if b:
                stats["answered"] += 1
            else:
                stats["closed_by_server"] += 1
            drop(s)
        held = sum(1 for k in sel.get_map().values() if k.data == "held")
        stats["peak"] = max(stats["peak"], held)
        if stats["peak"] >= conns * 0.9:
            go.set()
        # A header line a second keeps each head alive but never ends it.
        for s, t in list(open_socks.items()):
            if t and now >= t:
                try:
                    s.send(b"X-Slow: 1\r\n")
                    open_socks[s] = now + 1.0
                except OSError:
                    drop(s)
        # Re-open what the server shed: the pressure stays on.
        while len(open_socks) < conns and time.monotonic() < stop - 1:
            open_one()
    go.set()
    try:
        probes, failures, mid = results.get(timeout=30)
    except queue.Empty:
        fail("the reader process gave no result")
    proc.join(timeout=10)
    for s in list(open_socks):
        drop(s)
    print("slowloris: %d connections held at the peak, %d opened, %d closed "
          "by the server, %d answered (408), %d refused" % (
              stats["peak"], stats["opened"], stats["closed_by_server"],
              stats["answered"], stats["refused"]))
    print("slowloris: server connections %s, shed so far %s (mid-attack "
          "/metrics)" % (mid.get("feedmux_http_connections", "?"),
                         mid.get("feedmux_http_connections_shed_total", "?")))
    if probes:
        print("slowloris: %d well-formed GET %s during the attack: p50 %.1f "
              "ms, p99 %.1f ms, max %.1f ms" % (
                  len(probes), path, pct(probes, 50) * 1000,
                  pct(probes, 99) * 1000, max(probes) * 1000))
    print("RESULT p99_ms=%.1f max_ms=%.1f probes=%d failures=%d peak=%d "
          "server_conns=%s shed=%s" % (
              pct(probes, 99) * 1000, max(probes or [0]) * 1000, len(probes),
              len(failures), stats["peak"],
              mid.get("feedmux_http_connections", -1),
              mid.get("feedmux_http_connections_shed_total", -1)))
    if failures:
        fail("well-formed requests failed during the attack: %r" %
             failures[:5])
    if len(probes) < 20:
        fail("only %d well-formed requests in %d s" % (len(probes), seconds))
    if stats["peak"] < conns * 0.9:
        fail("the attack held only %d connections" % stats["peak"])


# --- protocol ----------------------------------------------------------

def protocol(port, secrets):
    bad_words = [b"root:"] + [x.encode() for x in secrets]
    checked = [0]

    def clean(data, what):
        for w in bad_words:
            if w in data:
                fail("%s: the answer holds %r" % (what, w))

    def expect(raw, statuses, what, closes=True, timeout=5.0):
        resp, closed, data = exchange(port, raw, timeout=timeout)
        clean(data, what)
        if not resp:
            fail("%s: no answer (%r)" % (what, data[:80]))
        st = resp[0][0]
        if st not in statuses:
            fail("%s: status %d, wanted %s" % (what, st, statuses))
        if closes and not closed:
            fail("%s: connection not closed" % what)
        if len(resp) != 1:
            fail("%s: %d answers to one request" % (what, len(resp)))
        checked[0] += 1
        return resp[0]

    H = b"Host: 127.0.0.1\r\n"

    # The server's limits.
    r = expect(b"GET /feeds/cloud.atom HTTP/1.1\r\n" + H +
               b"".join(b"X-Filler-%d: %s\r\n" % (i, b"v" * 100)
                        for i in range(300)) + b"\r\n", (431,),
               "30 KB of headers")
    r = expect(b"GET /healthz HTTP/1.1\r\n" + H +
               b"".join(b"X-H%d: v\r\n" % i for i in range(100)) + b"\r\n",
               (431,), "100 header lines")
    expect(b"GET /feeds/" + b"a" * 100 * 1024 + b".atom HTTP/1.1\r\n" + H +
           b"\r\n", (414,), "a 100 KB URL")
    expect(b"GET /feeds/cloud.atom?q=" + b"a" * 100 * 1024 +
           b" HTTP/1.1\r\n" + H + b"\r\n", (414,), "a 100 KB query")
    expect(b"GET /feeds/cloud.atom?q=" + b"a" * 3000 + b" HTTP/1.1\r\n" + H +
           b"\r\n", (414,), "a 3 KB URL (past max_uri)")
    expect(b"GET /" + b"a" * 100 * 1024, (414,), "a 100 KB line, no end")
    print("PASS: 431 for big header sections, 414 for 100 KB URLs, then close")

    # Traversal in every spelling: never a file, only 400 or 404.
    trav = [
        "/feeds/..%2f..%2fetc/passwd", "/feeds/..%2f..%2fetc%2fpasswd",
        "/feeds/%2e%2e/%2e%2e/etc/passwd", "/feeds/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/feeds/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
        "/feeds/..%252f..%252fetc%252fpasswd",
        "/feeds/..\\..\\etc\\passwd", "/feeds/..%5c..%5cetc%5cpasswd",
        "/feeds/cloud.atom%00.txt", "/feeds/..%00/etc/passwd",
        "/feeds/../../etc/passwd", "/../../../../../etc/passwd",
        "/feeds/....//....//etc/passwd", "/feeds/..;/..;/etc/passwd",
        "//etc/passwd", "/feeds//etc/passwd", "/feeds/%c0%ae%c0%ae/etc/passwd",
        "/feeds/..%c0%af..%c0%afetc/passwd", "/etc/passwd", "/proc/self/environ",
        "/feeds/../db/secret.txt", "/feeds/../secret.txt",
        "/feeds/..%2fdb%2fsecret.txt", "/feeds/..%2fsecret.txt",
        "/feeds/..%2f..%2fsecret.txt.atom", "/sources/../../secret.txt",
        "/sources/..%2fsecret.txt.rss", "/categories/../../etc/passwd",
        "/categories/..%2f..%2fetc%2fpasswd", "/opml/../../etc/passwd",
        "/opml/..%2f..%2fetc%2fpasswd", "/feeds/...atom", "/feeds/..rss",
        "/feeds/.atom", "/feeds/%2e%2e.atom", "/feeds/../cloud.atom",
        "/feeds/./cloud.atom", "/feeds/cloud/../../../etc/passwd.atom",
        "/feeds/cloud/archive/../../../etc/passwd.atom",
        "/feeds/" + "A" * 200 + ".atom", "/feeds/" + "../" * 600 + "etc/passwd",
        "/sources/" + "x" * 65 + ".rss", "/feeds/cloud.atom/",
        "/healthz/../../etc/passwd", "/metrics/../../../etc/passwd",
        "/./././etc/passwd", "/feeds/~root/.ssh/id_rsa",
    ]
    for p in trav:
        raw = b"GET " + p.encode() + b" HTTP/1.1\r\n" + H + b"\r\n"
        resp, closed, data = exchange(port, raw, until_close=False)
        clean(data, p)
        if not resp or resp[0][0] not in (400, 404, 414):
            fail("%s: %s" % (p, resp[0][0] if resp else data[:80]))
        checked[0] += 1
    # Absolute forms and other request targets.
    for t in (b"http://127.0.0.1/etc/passwd", b"file:///etc/passwd",
              b"http://127.0.0.1:%d/../../etc/passwd" % port,
              b"*", b"etc/passwd", b"..", b"\\..\\etc\\passwd"):
        # absolute-forms are routed by their path: a 404 keeps the connection.
        expect(b"GET " + t + b" HTTP/1.1\r\n" + H + b"\r\n", (400, 404),
               "target %r" % t, closes=not t.startswith(b"http:"),
               timeout=1.0 if t.startswith(b"http:") else 5.0)
    print("PASS: %d traversal spellings: 400 or 404, no file's bytes" %
          (len(trav) + 7))

    # Methods: 405 with Allow, never an echo (TRACE) or a tunnel.
    for m in (b"POST", b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"TRACE",
              b"PROPFIND", b"BREW", b"get", b"G\x01T", b"X" * 200):
        r = expect(m + b" /feeds/cloud.atom HTTP/1.1\r\n" + H +
                   b"X-Echo-Me: secret-header\r\nConnection: close\r\n\r\n",
                   (400, 405, 501), "method %r" % m[:20])
        if r[0] in (405, 501) and r[1].get("allow") != "GET, HEAD":
            fail("method %r: Allow %r" % (m[:20], r[1].get("allow")))
        if b"secret-header" in r[2]:
            fail("method %r echoed the request" % m[:20])
    expect(b"CONNECT 127.0.0.1:22 HTTP/1.1\r\n" + H + b"\r\n", (400, 405),
           "CONNECT", closes=False, timeout=1.0)
    expect(b"OPTIONS * HTTP/1.1\r\n" + H + b"\r\n", (400, 405), "OPTIONS *",
           closes=False, timeout=1.0)
    print("PASS: bad and unknown methods: 405 with Allow: GET, HEAD")

    # Not HTTP/1.x.
    expect(b"GET /feeds/cloud.atom\r\n\r\n", (400,), "HTTP/0.9")
    expect(b"GET /feeds/cloud.atom\r\n", (400, 408), "HTTP/0.9 one line",
           timeout=8.0)
    expect(b"GET / HTTP/2.0\r\n" + H + b"\r\n", (505,), "HTTP/2.0")
    expect(b"GET / HTTP/1.10\r\n" + H + b"\r\n", (505,), "HTTP/1.10")
    expect(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", (400, 505), "h2 preface")
    expect(b"GET / FOO/1.1\r\n" + H + b"\r\n", (400,), "FOO/1.1")
    expect(b"GARBAGE\r\n\r\n", (400,), "garbage line")
    expect(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(32))
           + b"\r\n\r\n", (400,), "a TLS ClientHello")
    expect(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX: a\x00b\r\n\r\n",
           (400,), "NUL in a header")
    expect(b"GET /healthz HTTP/1.1\r\n folded: x\r\n\r\n", (400,),
           "obsolete line folding")
    expect(b"GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n", (400,),
           "header without a colon")
    expect(b"GET /healthz HTTP/1.1\r\nBad name: x\r\n\r\n", (400,),
           "space in a header name")
    expect(b"GET  /healthz  HTTP/1.1\r\n" + H + b"\r\n", (400, 404),
           "double spaces")
    # Host (RFC 9112 3.2) and the absolute-form a server must accept (3.2.2).
    expect(b"GET /healthz HTTP/1.1\r\n\r\n", (400,), "HTTP/1.1 without Host")
    expect(b"GET /healthz HTTP/1.1\r\n" + H + H + b"\r\n", (400,),
           "two Host lines")
    r = expect(b"GET /healthz HTTP/1.0\r\n\r\n", (200,),
               "HTTP/1.0 without Host", closes=False, timeout=1.0)
    r = expect(b"GET http://127.0.0.1:%d/healthz HTTP/1.1\r\n" % port + H +
               b"Connection: close\r\n\r\n", (200,), "absolute-form")
    r = expect(b"GET HTTP://127.0.0.1:%d/feeds/cloud.atom?limit=1 HTTP/1.1"
               b"\r\n" % port + H + b"Connection: close\r\n\r\n", (200,),
               "absolute-form with a query")
    if r[2].count(b"<entry>") != 1:
        fail("absolute-form: the query was lost")
    expect(b"GET http:///healthz HTTP/1.1\r\n" + H + b"\r\n", (400,),
           "absolute-form without a host")
    import random
    rnd = random.Random(9)
    for i in range(30):
        junk = bytes(rnd.randrange(1, 256) for _ in range(rnd.randrange(1, 400)))
        resp, closed, data = exchange(port, junk + b"\r\n\r\n")
        clean(data, "junk %d" % i)
        if resp and resp[0][0] not in (400, 404, 405, 414, 431, 505):
            fail("junk %d: %d" % (i, resp[0][0]))
        if not closed and (not resp or resp[0][0] >= 400):
            fail("junk %d: not closed after an error" % i)
    print("PASS: HTTP/0.9, other versions, garbage, TLS and random bytes: "
          "400 or 505 and close")

    # Pipelining: answers in order; a bad request ends the connection.
    raw = (b"GET /healthz HTTP/1.1\r\n" + H + b"\r\n" +
           b"HEAD /feeds/cloud.atom HTTP/1.1\r\n" + H + b"\r\n" +
           b"GET /feeds/cloud.atom HTTP/1.1\r\n" + H + b"\r\n" +
           b"GET /feeds/nosuch.atom HTTP/1.1\r\n" + H + b"\r\n" +
           b"GET /healthz HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n")
    resp, closed, data = exchange(port, raw, head_idx=(1,))
    if [r[0] for r in resp] != [200, 200, 200, 404, 200] or not closed:
        fail("pipelined: %r closed=%s" % ([r[0] for r in resp], closed))
    if resp[0][2] != b"ok\n" or resp[1][2] != b"" or b"<entry>" not in resp[2][2]:
        fail("pipelined bodies")
    raw = (b"GET /healthz HTTP/1.1\r\n" + H + b"\r\n" + b"GARBAGE\r\n\r\n" +
           b"GET /healthz HTTP/1.1\r\n" + H + b"\r\n")
    resp, closed, data = exchange(port, raw)
    if [r[0] for r in resp] != [200, 400] or not closed:
        fail("pipelined garbage: %r" % [r[0] for r in resp])
    # Bare LF ends a head too, and the first blank line is the end.
    raw = (b"GET /healthz HTTP/1.1\nHost: x\n\n" +
           b"GET /feeds/cloud.atom HTTP/1.1\r\n" + H +
           b"Connection: close\r\n\r\n")
    resp, closed, data = exchange(port, raw)
    if [r[0] for r in resp] != [200, 200] or b"<entry>" not in resp[1][2]:
        fail("LF then CRLF heads: %r" % [r[0] for r in resp])
    raw = b"".join(b"GET /healthz HTTP/1.1\r\n" + H + b"\r\n"
                   for _ in range(500))
    resp, closed, data = exchange(port, raw + b"GET /healthz HTTP/1.1\r\n" +
                                  H + b"Connection: close\r\n\r\n",
                                  timeout=10)
    if len(resp) != 501 or any(r[0] != 200 for r in resp):
        fail("500 pipelined: %d answers" % len(resp))
    print("PASS: pipelining: in order, HEAD without body, an error closes, "
          "bare LF heads")

    # Bodies on GET: answered once, then closed; the body is never a request.
    smuggled = b"GET /feeds/cloud.atom HTTP/1.1\r\n" + H + b"\r\n"
    for cl in (b"abc", b"-1", b"1,2", b"99999999999999999999999", b"0x10",
               b""):
        expect(b"GET /healthz HTTP/1.1\r\n" + H + b"Content-Length: " + cl +
               b"\r\n\r\n" + smuggled, (400,), "Content-Length %r" % cl)
    for extra in (b"Content-Length: %d\r\n" % len(smuggled),
                  b"Transfer-Encoding: chunked\r\n",
                  b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n",
                  b"Content-Length: 5\r\nContent-Length: %d\r\n" %
                  len(smuggled),
                  b"Transfer-Encoding: gzip, chunked\r\n"):
        if b"chunked" in extra:
            body = b"%x\r\n" % len(smuggled) + smuggled + b"\r\n0\r\n\r\n"
        else:
            body = smuggled
        r = expect(b"GET /healthz HTTP/1.1\r\n" + H + extra + b"\r\n" + body,
                   (200, 400), "body with %r" % extra)
        if r[0] == 200 and r[1].get("connection") != "close":
            fail("body with %r: no Connection: close" % extra)
    r = expect(b"POST /feeds/cloud.atom HTTP/1.1\r\n" + H +
               b"Content-Length: 200000\r\n\r\n" + b"x" * 200000, (405,),
               "POST with a 200 KB body")
    print("PASS: invalid Content-Length 400; bodies on GET (length, chunked) "
          "answered once and closed, never read as a request")

    # A head trickled in slower than http_timeout: 408, then closed.
    s = socket.create_connection((HOST, port), timeout=15)
    t = time.monotonic()
    got = b""
    s.sendall(b"GET /healthz HTTP/1.1\r\nX-Slow: ")
    s.settimeout(0.5)
    while time.monotonic() - t < 14:
        try:
            s.send(b"a")
        except OSError:
            break
        try:
            b = s.recv(4096)
            if not b:
                break
            got += b
        except socket.timeout:
            pass
        except ConnectionResetError:
            break
    took = time.monotonic() - t
    s.close()
    if not got.startswith(b"HTTP/1.1 408 "):
        fail("trickled head: %r after %.1f s" % (got[:40], took))
    print("PASS: a head trickled a byte per 0.5 s gets 408 after %.1f s" % took)
    print("RESULT checked=%d" % checked[0])


# --- probe -------------------------------------------------------------

def probe(port, path, seconds):
    # One keep-alive connection (a new one only if the server closes it):
    # new connections during a Connection: close flood on loopback meet
    # the server's own TIME_WAIT sockets on reused ports, a kernel matter.
    end = time.monotonic() + seconds
    lat, bad = [], []
    s, buf, reconnects = None, b"", 0
    req = b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    while time.monotonic() < end:
        t = time.monotonic()
        st = 0
        try:
            if s is None:
                s = socket.create_connection((HOST, port), timeout=10)
                buf = b""
                reconnects += 1
            s.sendall(req)
            while True:
                resp, buf = parse_responses(buf)
                if resp:
                    st = resp[0][0]
                    break
                b = s.recv(65536)
                if not b:
                    raise ConnectionResetError("closed")
                buf += b
        except OSError as e:
            st = str(e)
            if s is not None:
                s.close()
            s = None
        took = time.monotonic() - t
        lat.append(took)
        if st != 200:
            bad.append((st, round(took, 3)))
        time.sleep(0.1)
    if s is not None:
        s.close()
    print("probe %s: %d requests on %d connection(s), p50 %.1f ms, p99 %.1f "
          "ms, max %.1f ms, %d failed" % (
              path, len(lat), reconnects, pct(lat, 50) * 1000,
              pct(lat, 99) * 1000, max(lat or [0]) * 1000, len(bad)))
    print("RESULT p99_ms=%.1f max_ms=%.1f n=%d failed=%d" % (
        pct(lat, 99) * 1000, max(lat or [0]) * 1000, len(lat), len(bad)))
    if bad:
        fail("%s not answered during the flood: %r" % (path, bad[:5]))


def main():
    if len(sys.argv) < 3:
        fail("usage: hostile.py slowloris|protocol|probe PORT ...")
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "slowloris":
        slowloris(port, int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    elif cmd == "protocol":
        protocol(port, sys.argv[3:])
    elif cmd == "probe":
        probe(port, sys.argv[3], float(sys.argv[4]))
    else:
        fail("unknown subcommand %s" % cmd)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
# rawpub: a raw-socket publisher for the hostile-publisher tests, for the
# misbehaviour evhttp (and so fixpub) will not produce: broken framing,
# giant headers, resets and bytes that are not HTTP at all.  It serves the
# files of one directory on loopback; a sibling PATH.mode file (one line,
# re-read on every request) turns that path hostile:
#
#   hugeheader N    one header line of N bytes before a good response
#   manyheaders N   N bytes of 1000-byte header lines before it
#   reset N         Content-Length of the whole body, N bytes, then a RST
#   cl-long N       Content-Length N bytes more than the body, then close
#   cl-short        Content-Length half the body, the whole body sent
#   garbage         binary junk instead of HTTP, then close
#   churn           an RSS document whose every guid changes per request
#   encoded CODING  the body compressed, sent with Content-Encoding CODING:
#                   gzip, deflate (zlib's format), deflate-raw (sent as
#                   "deflate"), gzip-gzip (twice, sent as "gzip, gzip")
#   badgzip         "Content-Encoding: gzip" on a gzip stream cut in half
#   lying           "Content-Encoding: zstd" (never asked for) on the body
# Every request's Accept-Encoding is kept in PATH.ae.
#
# Without a mode file the path is served as a plain 200 with a right
# Content-Length; a missing file is a 404.  Every request is logged as
# fixpub does: "SECONDS.MS METHOD PATH STATUS".
#
# usage: rawpub.py -d DIR [-a 127.0.0.2] -P PORTFILE -l LOGFILE

import getopt
import gzip
import os
import socket
import socketserver
import struct
import sys
import threading
import time
import zlib

HEADMAX = 64 * 1024
lock = threading.Lock()
counter = [0]


def usage():
    sys.exit("usage: rawpub.py -d DIR [-a ADDR] -P PORTFILE -l LOGFILE")


def ctype(path):
    for ext, t in ((".rss", "application/rss+xml"),
                   (".atom", "application/atom+xml"),
                   (".xml", "application/xml")):
        if path.endswith(ext):
            return t
    return "application/octet-stream"


def churn_doc():
    with lock:
        counter[0] += 1
        n = counter[0]
    items = "".join(
        "<item><title>Churn %d</title><link>http://churn.example/%d</link>"
        "<guid isPermaLink=\"false\">urn:churn:%d:%d</guid>"
        "<description>body %d</description></item>\n" % (i, i, n, i, i)
        for i in (1, 2, 3))
    return ("<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
            "<title>churn</title><link>http://churn.example/</link>"
            "<description>x</description>\n%s</channel></rss>\n"
            % items).encode()


class Handler(socketserver.BaseRequestHandler):
    def log(self, path, code):
        t = time.time()
        with lock:
            self.server.logf.write("%d.%03d GET %s %s\n" % (
                int(t), int(t * 1000) % 1000, path, code))
            self.server.logf.flush()

    def head(self, code, length, extra=b""):
        reason = {200: b"OK", 404: b"Not Found"}.get(code, b"X")
        h = b"HTTP/1.1 %d %s\r\n" % (code, reason)
        h += extra
        h += b"Content-Type: " + ctype(self.path).encode() + b"\r\n"
        if length is not None:
            h += b"Content-Length: %d\r\n" % length
        h += b"Connection: close\r\n\r\n"
        return h

    def handle(self):
        s = self.request
        s.settimeout(30)
        data = b""
        try:
            while b"\r\n\r\n" not in data and len(data) < HEADMAX:
                chunk = s.recv(4096)
                if not chunk:
                    return
                data += chunk
        except OSError:
            return
        line = data.split(b"\r\n", 1)[0].decode("latin-1").split()
        if len(line) < 2 or ".." in line[1]:
            return
        self.path = line[1].split("?", 1)[0]
        rel = self.path.lstrip("/")
        fpath = os.path.join(self.server.dir, rel)
        for h in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
            if h.lower().startswith(b"accept-encoding:"):
                try:
                    with open(fpath + ".ae", "wb") as f:
                        f.write(h.split(b":", 1)[1].strip() + b"\n")
                except OSError:
                    pass
        mode = []
        try:
            with open(fpath + ".mode") as f:
                mode = f.read().split()
        except OSError:
            pass
        word = mode[0] if mode else ""
        arg = mode[1] if word == "encoded" and len(mode) > 1 else (
            int(mode[1]) if len(mode) > 1 else 0)
        if word == "churn":
            body = churn_doc()
        else:
            try:
                with open(fpath, "rb") as f:
                    body = f.read()
            except OSError:
                self.log(self.path, 404)
                s.sendall(self.head(404, 10) + b"not found\n")
                return
        try:
            self.serve(s, word, arg, body)
        except OSError:
            pass

    def serve(self, s, word, arg, body):
        if word == "hugeheader":
            self.log(self.path, 200)
            s.sendall(self.head(200, len(body),
                      b"X-Huge: " + b"h" * arg + b"\r\n") + body)
        elif word == "manyheaders":
            lines = b"".join(b"X-Many-%06d: %s\r\n" % (i, b"m" * 980)
                             for i in range(arg // 1000))
            self.log(self.path, 200)
            s.sendall(self.head(200, len(body), lines) + body)
        elif word == "reset":
            self.log(self.path, 200)
            s.sendall(self.head(200, len(body)) + body[:arg])
            time.sleep(0.2)
            # SO_LINGER with a zero timeout: close sends a RST.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
            s.close()
        elif word == "cl-long":
            self.log(self.path, 200)
            s.sendall(self.head(200, len(body) + arg) + body)
        elif word == "cl-short":
            self.log(self.path, 200)
            s.sendall(self.head(200, len(body) // 2) + body)
        elif word == "encoded":
            if arg == "deflate":
                packed, name = zlib.compress(body), b"deflate"
            elif arg == "deflate-raw":
                c = zlib.compressobj(6, zlib.DEFLATED, -15)
                packed, name = c.compress(body) + c.flush(), b"deflate"
            elif arg == "gzip-gzip":
                packed = gzip.compress(gzip.compress(body))
                name = b"gzip, gzip"
            else:
                packed, name = gzip.compress(body), b"gzip"
            self.log(self.path, 200)
            s.sendall(self.head(200, len(packed), b"Content-Encoding: " +
                                name + b"\r\n") + packed)
        elif word == "badgzip":
            packed = gzip.compress(body)
            packed = packed[:len(packed) // 2]
            self.log(self.path, 200)
            s.sendall(self.head(200, len(packed),
                                b"Content-Encoding: gzip\r\n") + packed)
        elif word == "lying":
            self.log(self.path, 200)
            s.sendall(self.head(200, len(body),
                                b"Content-Encoding: zstd\r\n") + body)
        elif word == "garbage":
            self.log(self.path, "garbage")
            s.sendall(bytes(range(256)) * 64)
        else:
            self.log(self.path, 200)
            s.sendall(self.head(200, len(body)) + body)


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    try:
        opts, args = getopt.getopt(sys.argv[1:], "d:a:P:l:")
    except getopt.GetoptError:
        usage()
    o = dict(opts)
    if args or "-d" not in o or "-P" not in o or "-l" not in o:
        usage()
    addr = o.get("-a", "127.0.0.2")
    if not addr.startswith("127."):
        sys.exit("rawpub: %s: not a loopback address" % addr)
    srv = Server((addr, 0), Handler)
    srv.dir = o["-d"]
    srv.logf = open(o["-l"], "a")
    tmp = o["-P"] + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, o["-P"])
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

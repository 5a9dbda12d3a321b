#!/usr/bin/python3
# seeds.py TARGET OUTDIR TOP CORPUS: writes the seed inputs of one fuzz
# target into OUTDIR, made from the feedparser corpus (CORPUS, may be
# missing) and the tree at TOP.  The committed tests/fuzz/corpus/TARGET is
# passed to libFuzzer beside OUTDIR, so it is not copied here.
import glob, hashlib, html, os, re, sys

target, out, top, corpus = sys.argv[1:5]
os.makedirs(out, exist_ok=True)
LIMIT = 3000
written = set()


def put(data):
    if isinstance(data, str):
        data = data.encode('utf-8', 'surrogateescape')
    h = hashlib.sha1(data).hexdigest()
    if h in written or len(written) >= LIMIT:
        return
    written.add(h)
    with open(os.path.join(out, h), 'wb') as f:
        f.write(data)


def corpus_files(maxsize=65536):
    if not os.path.isdir(corpus):
        return []
    files = []
    for d, _, names in os.walk(corpus):
        for n in names:
            p = os.path.join(d, n)
            if os.path.getsize(p) <= maxsize:
                files.append(p)
    return sorted(files)


def texts():
    for p in corpus_files():
        with open(p, 'rb') as f:
            yield p, f.read().decode('utf-8', 'replace')


DATE_TAGS = r'(?:pubDate|lastBuildDate|dc:date|dcterms:\w+|updated|published|modified|issued|created|date_published|date_modified)'
if target == 'parse':
    for p in corpus_files():
        with open(p, 'rb') as f:
            put(f.read())
    for p in sorted(glob.glob(os.path.join(top, 'tests/parse/*.in.*'))):
        with open(p, 'rb') as f:
            put(f.read())
elif target == 'date':
    for _, t in texts():
        for m in re.finditer(r'<' + DATE_TAGS + r'[^>]*>([^<]{1,100})<', t):
            put(m.group(1))
        for m in re.finditer(r'"date_(?:published|modified)"\s*:\s*"([^"]{1,100})"', t):
            put(m.group(1))
elif target == 'uri':
    base = 'http://example.com/feeds/a/b.xml'
    for _, t in texts():
        for m in re.finditer(r'(?:href|src|xml:base|rdf:about|rdf:resource)\s*=\s*"([^"]{1,300})"', t):
            put(base + '\n' + html.unescape(m.group(1)))
        for m in re.finditer(r'<(?:link|guid|id|url|comments)>([^<]{1,300})<', t):
            put(html.unescape(m.group(1)))
elif target == 'sanitize':
    for _, t in texts():
        for m in re.finditer(r'<(description|content:encoded|content|summary|subtitle|tagline|info|body|title)[^>]*>(.{1,8000}?)</\1>', t, re.S):
            s = m.group(2)
            c = re.match(r'\s*<!\[CDATA\[(.*)\]\]>\s*$', s, re.S)
            s = c.group(1) if c else html.unescape(s)
            if '<' in s or '&' in s:
                put(bytes([len(written) % 8]) + s.encode('utf-8', 'surrogateescape'))
elif target == 'conf':
    for pat in ('conf/*.conf', 'tests/unit/conf/*.conf', 'tests/unit/conf/inc/*.conf',
                'tests/unit/conf/inc/conf.d/*.conf', 'tests/integration/fixtures/*.conf'):
        for p in sorted(glob.glob(os.path.join(top, pat))):
            with open(p, 'rb') as f:
                put(f.read())
    # The configs the integration tests write, from their here-documents.
    for p in sorted(glob.glob(os.path.join(top, 'tests/integration/*.sh'))):
        with open(p, 'r', errors='replace') as f:
            for m in re.finditer(r"<<-?\s*'?EOF'?\n(.*?)\n\s*EOF\n", f.read(), re.S):
                if '[feedmux]' in m.group(1) or '[source' in m.group(1):
                    put(m.group(1) + '\n')
elif target == 'http':
    paths = ['/', '/feeds/news.rss', '/feeds/news.atom?limit=1', '/feeds/all.json',
             '/feeds/tech.rss?before=3&limit=2', '/feeds/news/archive/0.atom',
             '/sources/a.rss', '/sources/b.json?limit=500', '/opml', '/opml/news',
             '/healthz', '/metrics', '/categories/news', '/categories/tech.json',
             '/feeds/../etc/passwd', '/feeds/news.rss#x', '/x?y']
    for i, p in enumerate(paths):
        m = ['GET', 'HEAD', 'GET', 'POST'][i % 4]
        hdr = ['Host: localhost:8080\r\n', 'Accept-Encoding: gzip, deflate\r\n',
               'If-None-Match: "abc"\r\nConnection: keep-alive\r\n',
               'Content-Length: 0\r\n'][i % 4]
        put('%s %s HTTP/1.1\r\n%s\r\n' % (m, p, hdr))
        put('%s %s HTTP/1.0\n\n' % (m, p))
elif target == 'decode':
    # Each coding (the first byte picks it, see fuzz-decode.c) on a few of
    # the corpus's feeds; a seed's coding is the one it was made with.
    import gzip, zlib
    for i, p in enumerate(corpus_files(16384)[:200]):
        with open(p, 'rb') as f:
            data = f.read()
        put(bytes([0x08]) + gzip.compress(data))          # gzip, 1 MiB cap
        put(bytes([0x09]) + zlib.compress(data))          # deflate (zlib)
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        put(bytes([0x09]) + c.compress(data) + c.flush())  # deflate (raw)
        put(bytes([0x08]) + gzip.compress(data)[:len(data) // 3])
        put(bytes([(i % 16) << 4]) + gzip.compress(data))  # small caps
else:
    sys.exit('seeds.py: unknown target ' + target)

# The string literals of the room's unit tests: its known hard cases.
UNIT = {'date': 'test-date.c', 'uri': 'test-uri.c', 'sanitize': 'test-sanitize.c'}
if target in UNIT:
    p = os.path.join(top, 'tests/unit', UNIT[target])
    if os.path.exists(p):
        with open(p, 'r', errors='replace') as f:
            for m in re.finditer(r'"((?:[^"\\\n]|\\.){1,400})"', f.read()):
                try:
                    v = m.group(1).encode().decode('unicode_escape').encode('latin-1')
                except Exception:
                    continue
                put(bytes([len(written) % 8]) + v if target == 'sanitize' else v)
print('%s: %d seeds' % (target, len(written)))

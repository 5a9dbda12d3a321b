#!/usr/bin/python3
# classify-gen.py: a stored-entries database and category configs for the
# classify benchmark.  Deterministic (seeded).  Writes:
#   DIR/bench.db     N entries over 20 sources, in feedmux's schema (made by
#                    feedmuxd itself: this only fills tables)
#   DIR/rules1.conf  50 categories: 2 terms, 2 match, 1 match_title and
#   DIR/rules2.conf  1 exclude each (200 patterns); rules2 changes them all
#   DIR/rules3.conf  rules2 with 5 categories back as in rules1
#   DIR/rules4.conf  rules1 with every category edited: one more pattern each
#   classify-gen.py DIR N PORT SCHEMA_DB
import random, sqlite3, sys, os, shutil

out, n, port, schema = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rnd = random.Random(7)
syll = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "pen", "dar", "qui",
        "bel", "tor", "gan", "fis", "lum", "pra", "sen", "dol", "wex"]
filler = sorted({"".join(rnd.choice(syll) for _ in range(rnd.randint(1, 3)))
                 for _ in range(3000)})
common = ("the of and to in a is that for on with as by at from this be are "
          "was it an or new its has have will more about after than").split()
tech = ("kubernetes docker cloud datacenter datacentre serverless linux "
        "windows macos android iphone ransomware phishing malware patch "
        "vulnerability exploit firewall encryption quantum semiconductor "
        "chip nvidia intel amd arm risc-v gpu cpu storage ssd nvme backup "
        "database postgres mysql sqlite redis kafka spark hadoop python rust "
        "golang java javascript typescript react angular webassembly browser "
        "chrome firefox safari edge openai chatgpt llm transformer neural "
        "robotics drone satellite rocket spacex nasa 5g wifi bluetooth fiber "
        "broadband telecom startup funding acquisition ipo layoffs regulation "
        "gdpr privacy antitrust lawsuit bitcoin ethereum blockchain crypto "
        "fintech payments ecommerce retail logistics ev battery solar wind "
        "grid nuclear climate emissions carbon recycling biotech vaccine "
        "genome crispr healthcare wearable smartwatch vr ar metaverse gaming "
        "console esports streaming netflix spotify podcast").split()
topics = ["Cloud & Datacentre", "Security", "AI", "Hardware", "Software",
          "Mobile", "Networking", "Business", "Policy", "Science", "Space",
          "Energy", "Health", "Gaming", "Finance", "Open Source", "DevOps",
          "Data", "Startups", "Enterprise", "Consumer", "Automotive"]
# Publishers tag with topics and with product names, in many spellings.
terms = topics + [t.capitalize() for t in tech] + \
    [t.upper() + " news" for t in tech[:40]]
weights = [1.0 / (i + 1) ** 0.7 for i in range(len(tech))]
tweights = [1.0 / (i + 1) ** 0.5 for i in range(len(terms))]

def words(k):
    w = []
    for _ in range(k):
        r = rnd.random()
        if r < 0.04:
            w.append(rnd.choices(tech, weights)[0])
        elif r < 0.45:
            w.append(rnd.choice(common))
        else:
            w.append(rnd.choice(filler))
    return w

shutil.copy(schema, os.path.join(out, "bench.db"))
db = sqlite3.connect(os.path.join(out, "bench.db"))
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = OFF")
for s in range(20):
    db.execute("INSERT OR IGNORE INTO source (name, url, categories) "
               "VALUES (?, ?, '')",
               ("src%d" % s, "http://127.0.0.1:%s/src%d.xml" % (port, s)))
ids = dict(db.execute("SELECT name, id FROM source"))
now = 1764000000
rows = []
for i in range(n):
    title = " ".join(words(9)).capitalize()
    summary = " ".join(words(35)) + "."
    content = "".join("<p>%s.</p>" % " ".join(words(45)) for _ in range(4))
    t = "\x1f".join(set(rnd.choices(terms, tweights, k=rnd.randint(1, 3))))
    # Stored as published: ids follow dates, give or take a day.
    d = now - (n - i) * (90 * 86400 // n) + rnd.randint(-86400, 86400)
    rows.append((ids["src%d" % (i % 20)], "k%d" % i, "g%d" % i,
                 "http://pub.example/%d" % i, title, "text/plain", summary,
                 "text/html", content, "text/html", t, d, d, d, d, d,
                 b"0" * 32, rnd.choice(["en", "en-GB", "fr", None])))
    if len(rows) == 10000:
        db.executemany("INSERT INTO entry (source_id, key, guid, link, title,"
                       " title_type, summary, summary_type, content,"
                       " content_type, terms, published, updated, first_seen,"
                       " changed, sort_date, hash, language) VALUES"
                       " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        rows = []
if rows:
    db.executemany("INSERT INTO entry (source_id, key, guid, link, title,"
                   " title_type, summary, summary_type, content,"
                   " content_type, terms, published, updated, first_seen,"
                   " changed, sort_date, hash, language) VALUES"
                   " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
db.commit()
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.close()

def pattern(k, v):
    a, b, c = rnd.sample(tech, 3)
    forms = [r"\b%s\b" % a, "%s|%s" % (a, b), r"\b%ss?\b" % a,
             r"%s ?(computing|native|security)" % a,
             r"(?:%s|%s)[- ]%s" % (a, b, c), r"\b%s\b.*\b%s\b" % (a, b),
             r"%s\s+%s" % (a, b)]
    if k % 25 == 24:
        return r"\b\d{4}-\d{4}\b" if v == 1 else r"\b[A-Z]{3}-\d+\b"
    return forms[k % len(forms)]

sections = {}
for v in (1, 2):
    rnd.seed(100 + v)
    with open(os.path.join(out, "rules%d.conf" % v), "w") as f:
        f.write("[feedmux]\nlisten = 127.0.0.1:0\ndatabase = %s\n"
                "interval = 1w\nallow_private = no\n\n"
                % os.path.join(out, "bench.db"))
        for s in range(20):
            f.write('[source "src%d"]\nurl = http://127.0.0.1:%s/src%d.xml\n\n'
                    % (s, port, s))
        k = 0
        for c in range(50):
            f.write('[category "cat%d"]\n' % c)
            f.write("terms = %s\n" % ", ".join(rnd.sample(terms[10:], 2)))
            for key in ("match", "match", "match_title", "exclude"):
                f.write("%s = %s\n" % (key, pattern(k, v)))
                k += 1
            if c % 10 == 9:
                f.write("include = cat%d, cat%d\n" % (c - 9, c - 5))
            f.write("\n")
    text = open(os.path.join(out, "rules%d.conf" % v)).read()
    sections[v] = text.split("\n\n")

# rules3: rules2 with cat40..cat44 as in rules1 (a reload that changes 5
# categories, 20 patterns, the usual kind).
first = len(sections[2]) - 51      # blocks before the categories
with open(os.path.join(out, "rules3.conf"), "w") as f:
    blocks = list(sections[2])
    for c in range(40, 45):
        blocks[first + c] = sections[1][first + c]
    f.write("\n\n".join(blocks))

# rules4: rules1 with one more pattern in every category (a phrase), the
# way rules are usually edited: every category and all 250 patterns are
# evaluated again, and a few memberships change.
rnd.seed(104)
with open(os.path.join(out, "rules4.conf"), "w") as f:
    blocks = list(sections[1])
    for c in range(50):
        a, b = rnd.sample(tech, 2)
        blocks[first + c] += "\nmatch = \\b%s\\s+%s\\b" % (a, b)
    f.write("\n\n".join(blocks))

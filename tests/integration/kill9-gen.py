# kill9-gen.py: the busy publisher of the kill -9 scenarios (store-kill9.sh,
# store-kill9-serve.sh).  Writes NFEEDS RSS files f00.rss ... into OUT, each
# holding its newest 30 entries, then for ROUNDS rounds adds 1..MAXNEW
# entries to PERROUND random feeds and sleeps PAUSE seconds; every file is
# replaced by rename, so fixpub never serves half a document.  PREFIX keeps
# one scenario's ids apart from another's; REPEAT sizes each body.
#   kill9-gen.py OUT NFEEDS ROUNDS [PREFIX REPEAT PERROUND MAXNEW PAUSE]
import os, random, sys, time

out, nfeeds, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
prefix, repeat, perround, maxnew, pause = (sys.argv[4:] + [
    "fm", "40", "4", "3", "0.05"][len(sys.argv[4:]):])
repeat, perround, maxnew, pause = (int(repeat), int(perround), int(maxnew),
                                   float(pause))
n = [3] * nfeeds


def write(f):
    items = []
    for i in range(max(0, n[f] - 30), n[f]):
        items.append("<item><title>Feed %d item %d</title>"
                     "<guid>urn:%s:f%d:%d</guid>"
                     "<link>http://%s%d.example/%d</link>"
                     "<pubDate>%s</pubDate><description>%s</description></item>"
                     % (f, i, prefix, f, i, prefix, f, i,
                        time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                      time.gmtime(1767225600 + i * 60 + f)),
                        ("<p>body %d/%d</p>" % (f, i)) * repeat))
    tmp = os.path.join(out, ".f%02d.tmp" % f)
    with open(tmp, "w") as fp:
        fp.write('<?xml version="1.0"?><rss version="2.0"><channel>'
                 "<title>Feed %d</title><link>http://%s%d.example/</link>"
                 "<description>x</description>%s</channel></rss>"
                 % (f, prefix, f, "".join(reversed(items))))
    os.rename(tmp, os.path.join(out, "f%02d.rss" % f))


for f in range(nfeeds):
    write(f)
for r in range(rounds):
    for f in random.sample(range(nfeeds), perround):
        n[f] += random.randint(1, maxnew)
        write(f)
    time.sleep(pause)

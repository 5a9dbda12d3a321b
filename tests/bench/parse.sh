#!/bin/sh
# parse.sh: parse throughput of feedmux (parse + normalize + sanitize, no
# JSON printing) next to raw libxml2 SAX and python3-feedparser on the same
# generated corpus, in the same run.  Prints a table and ratios.
#   tests/bench/parse.sh [BUILDDIR]   (default: the current directory)
# Needs ../shared/bench (gen-feeds, parse-bench), python3-feedparser, GNU time.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${top_builddir:-${1:-$PWD}}
bench=${FEEDMUX_BENCH:-$top/../shared/bench}
work=${TMPDIR:-/tmp}/feedmux-parse-bench
count=${COUNT:-300}
reps=${REPS:-3}

[ -x "$bench/gen-feeds" ] || { echo "parse.sh: $bench/gen-feeds not found" >&2; exit 2; }
make -C "$build" tests/bench/parse-bench >/dev/null
mkdir -p "$work"
[ -f "$work/corpus/.gen-feeds.json" ] ||
    "$bench/gen-feeds" gen --out "$work/corpus" --count "$count" --seed 7 >/dev/null
files=$(find "$work/corpus" -maxdepth 1 \( -name 'feed-*.rss' -o -name 'feed-*.atom' \) | sort)
out=$work/results.jsonl
: >"$out"
# Anchors: libxml2 (xmllint, reader, SAX, push) and feedparser on 100 files.
"$bench/parse-bench" --corpus "$work/corpus" --reps "$reps" --fp-files 100 \
    --out "$out" >/dev/null
for r in $(seq 1 "$reps"); do
	# shellcheck disable=SC2086
	"$build/tests/bench/parse-bench" $files >>"$out"
done
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    if r.get("mb_per_s_wall"):
        by.setdefault(r["tool"], []).append(r["mb_per_s_wall"])
med = {k: statistics.median(v) for k, v in by.items()}
print("| tool | MB/s (median wall) | runs |")
print("| --- | ---: | ---: |")
for k in sorted(med, key=med.get, reverse=True):
    print("| %s | %.1f | %d |" % (k, med[k], len(by[k])))
fm = med.get("feedmux parse_doc")
fp = next((v for k, v in med.items() if "feedparser" in k), None)
sax = next((v for k, v in med.items() if k.startswith("parse-count sax")), None)
if fm and fp:
    print("\nfeedmux / feedparser: %.1fx (target >= 20x)" % (fm / fp))
if fm and sax:
    print("feedmux / raw libxml2 SAX: %.2f" % (fm / sax))
PY
